/**
 * Text positions: offsets <-> 1-based line/column (LineIndex), and strings assembled from pieces of a
 * document that still know where each character came from (MappedText).
 */

/** A position: 1-based line and column (UTF-16 code units, as editors count), and 0-based offset. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Offsets <-> 1-based line/column, built once per document and only when a position is needed. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}

  private lineStarts(): number[] {
    if (!this.starts) {
      const s = [0];
      const t = this.text;
      let i = t.indexOf('\n');
      while (i !== -1) {
        s.push(i + 1);
        i = t.indexOf('\n', i + 1);
      }
      this.starts = s;
    }
    return this.starts;
  }

  get lineCount(): number {
    return this.lineStarts().length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const s = this.lineStarts();
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (s[lo] as number) + 1, offset: o };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** Offset of the start of a 1-based line. */
  lineStart(line: number): number {
    const s = this.lineStarts();
    return s[Math.max(0, Math.min(line - 1, s.length - 1))] as number;
  }

  /** Text of a 1-based line, without its newline. */
  lineText(line: number): string {
    const s = this.lineStarts();
    const a = s[line - 1];
    if (a === undefined) return '';
    const b = s[line];
    const raw = this.text.slice(a, b === undefined ? undefined : b - 1);
    return raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  }
}

/**
 * A logical string assembled from pieces of a document (a Dockerfile instruction's arguments across
 * line continuations, a JSON string's decoded value): `at(i)` maps the i-th code unit back to its
 * document offset, so that findings and edits land on the right character.
 */
export class MappedText {
  /** segments: [logicalStart, sourceStart, length], in logical order. */
  constructor(
    readonly value: string,
    private readonly segments: readonly (readonly [number, number, number])[],
  ) {}

  static contiguous(value: string, sourceStart: number): MappedText {
    return new MappedText(value, [[0, sourceStart, value.length]]);
  }

  /** Per-code-unit map (for decoded strings whose escapes change lengths). */
  static fromOffsets(value: string, offsets: readonly number[], end: number): MappedText {
    const segs: [number, number, number][] = [];
    for (let i = 0; i < value.length; i++) {
      const o = offsets[i] as number;
      const last = segs[segs.length - 1];
      if (last && last[1] + last[2] === o && last[0] + last[2] === i) last[2]++;
      else segs.push([i, o, 1]);
    }
    segs.push([value.length, end, 0]);
    return new MappedText(value, segs);
  }

  /** Document offset of logical index i (i = value.length gives the end). */
  at(i: number): number {
    const s = this.segments;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (((s[mid] as readonly number[])[0] as number) <= i) lo = mid;
      else hi = mid - 1;
    }
    const seg = s[lo];
    if (!seg) return i;
    // the end of a segment maps just past its last character
    if (i > seg[0] + seg[2] && lo === s.length - 1) return seg[1] + seg[2];
    return seg[1] + (i - seg[0]);
  }

  /** End offset of a logical range [i, j): the offset just after the character j-1. */
  endAt(j: number): number {
    return j <= 0 ? this.at(0) : this.at(j - 1) + 1;
  }

  slice(i: number, j: number = this.value.length): MappedText {
    const segs: [number, number, number][] = [];
    for (const [ls, ss, len] of this.segments) {
      const a = Math.max(ls, i);
      const b = Math.min(ls + len, j);
      if (b > a) segs.push([a - i, ss + (a - ls), b - a]);
    }
    if (segs.length === 0) segs.push([0, this.at(i), 0]);
    return new MappedText(this.value.slice(i, j), segs);
  }
}

/**
 * A string being rewritten (compose interpolation and word splitting, `$(VAR)` expansion) with, per
 * character, its source offset and whether an edit there is safe: the character was written literally
 * (not produced by a substitution) and, in a split string, inside quotes.
 */
export interface Chars {
  value: string;
  offsets: number[];
  editable: boolean[];
}

export function charsOf(value: string, offsets: number[], editable?: boolean[]): Chars {
  return { value, offsets, editable: editable ?? offsets.map(() => true) };
}

/** Text edits: what a fix is made of, applied by offsets so that every other byte stays as it was. */

/** Replace [start, end) of `file` with `text`. Offsets are UTF-16 indices into the file's text. */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  /** What the fix does, one line: "use the exec (JSON) form". */
  description: string;
  edits: TextEdit[];
}

/** Apply non-overlapping edits (an edit that starts inside an earlier one is skipped). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue;
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** Two edits touch the same text (two inserts at one place count as overlapping). */
export function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
}

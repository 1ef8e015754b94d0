/** Text edits: what a fix is made of, applied by offsets so that every other byte stays as it was. */
import { byteMap } from './bytes.js';

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

function sortedEdits(edits: readonly TextEdit[]): TextEdit[] {
  return [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Apply non-overlapping edits (an edit that starts inside an earlier one is skipped). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = sortedEdits(edits);
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
  return (a.start < b.end && b.start < a.end) || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
}

/**
 * Apply edits to the bytes the text was decoded from (same rules as applyEdits): bytes outside the edits
 * are kept as they are, also those that are not UTF-8. Refused (with the reason) when an edit cannot be
 * placed on byte boundaries, or would write U+FFFD into a file that is not UTF-8 (it would replace bytes
 * the fix copied from the file by U+FFFD).
 */
export function applyEditsToBytes(bytes: Buffer, text: string, edits: readonly TextEdit[]): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  const map = byteMap(bytes, text);
  if (!map) return { ok: false, reason: 'its bytes do not decode to the text that was linted' };
  const parts: Buffer[] = [];
  let pos = 0;
  let textPos = 0;
  for (const e of sortedEdits(edits)) {
    if (e.start < textPos) continue;
    const a = map.offsets[e.start];
    const b = map.offsets[e.end];
    if (a === undefined || b === undefined || a < 0 || b < 0) return { ok: false, reason: 'an edit splits a character' };
    if (!map.valid && e.text.includes('\ufffd')) return { ok: false, reason: 'the fix would rewrite bytes that are not UTF-8' };
    parts.push(bytes.subarray(pos, a), Buffer.from(e.text, 'utf8'));
    pos = b;
    textPos = e.end;
  }
  parts.push(bytes.subarray(pos));
  return { ok: true, bytes: Buffer.concat(parts) };
}

/**
 * Applying fixes: all edits of a file at once, atomically (temp file in the same directory, same mode,
 * fsync, rename), byte-for-byte unchanged outside the edits. A fix whose edits overlap an edit already
 * taken is left for the next run, so a file never gets half a fix.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError, messageOf } from '../util/errors.js';
import { applyEdits, overlaps, type Fix, type TextEdit } from '../document/edit.js';
import type { Finding } from '../rules/contract.js';

export interface FilePlan {
  file: string;
  before: string;
  after: string;
  fixes: Fix[];
}

/** Choose non-overlapping fixes per file (in finding order) and compute the new text. */
export function planFixes(findings: readonly Finding[], textOf: (file: string) => string | undefined): FilePlan[] {
  const byFile = new Map<string, { edits: TextEdit[]; fixes: Fix[] }>();
  for (const f of findings) {
    if (!f.fix || f.suppressed) continue;
    const files = new Set(f.fix.edits.map((e) => e.file));
    // every edit must fit: a fix touching two files is taken whole or not at all
    const ok = [...files].every((file) => {
      const taken = byFile.get(file)?.edits ?? [];
      return f.fix?.edits.filter((e) => e.file === file).every((e) => !taken.some((t) => overlaps(t, e)));
    });
    if (!ok) continue;
    for (const file of files) {
      const slot = byFile.get(file) ?? { edits: [], fixes: [] };
      slot.edits.push(...f.fix.edits.filter((e) => e.file === file));
      slot.fixes.push(f.fix);
      byFile.set(file, slot);
    }
  }
  const plans: FilePlan[] = [];
  for (const [file, { edits, fixes }] of byFile) {
    const before = textOf(file);
    if (before === undefined) continue;
    const after = applyEdits(before, edits);
    if (after !== before) plans.push({ file, before, after, fixes });
  }
  return plans;
}


/** Replace a file's content atomically, keeping its mode (and owner, when we may). */
export function writeAtomic(givenPath: string, content: string): void {
  let absPath: string;
  let st: fs.Stats;
  try {
    // A symlinked Dockerfile: fix the file it points to, and keep the link.
    absPath = fs.realpathSync(givenPath);
    st = fs.statSync(absPath);
  } catch (err) {
    throw new UserError(`${givenPath}: cannot fix: ${messageOf(err)}`);
  }
  const dir = path.dirname(absPath);
  const tmp = path.join(dir, `.${path.basename(absPath)}.pid1-${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', st.mode & 0o7777);
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.chmodSync(tmp, st.mode & 0o7777);
    try { fs.chownSync(tmp, st.uid, st.gid); } catch { /* not permitted: keep ours */ }
    fs.renameSync(tmp, absPath);
    // Make the rename itself durable.
    let dfd: number | undefined;
    try { dfd = fs.openSync(dir, 'r'); fs.fsyncSync(dfd); } catch { /* not supported here */ } finally { if (dfd !== undefined) fs.closeSync(dfd); }
  } catch (err) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* closed */ }
    try { fs.unlinkSync(tmp); } catch { /* gone */ }
    throw new UserError(`${absPath}: cannot write the fix: ${messageOf(err)}`);
  }
}

/** A unified diff of one file (3 lines of context), for --fix-dry-run. */
export function unifiedDiff(file: string, before: string, after: string): string {
  const lines = (t: string): string[] => {
    const l = t.split('\n');
    if (l.length > 1 && l[l.length - 1] === '') l.pop();
    return l;
  };
  const a = lines(before);
  const b = lines(after);
  // common prefix/suffix, then hunks from a line-level LCS of the middle (edits are small)
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const ops = lcsOps(am, bm);
  // expand to full op list with positions
  type Op = { t: ' ' | '-' | '+'; s: string; ai: number; bi: number };
  const all: Op[] = [];
  for (let i = 0; i < pre; i++) all.push({ t: ' ', s: a[i] as string, ai: i, bi: i });
  let ai = pre;
  let bi = pre;
  for (const [t, s] of ops) {
    all.push({ t, s, ai, bi });
    if (t !== '+') ai++;
    if (t !== '-') bi++;
  }
  for (let i = 0; i < suf; i++) all.push({ t: ' ', s: a[a.length - suf + i] as string, ai: ai + i, bi: bi + i });
  const out = [`--- a/${file}`, `+++ b/${file}`];
  const C = 3;
  let i = 0;
  while (i < all.length) {
    while (i < all.length && all[i]?.t === ' ') i++;
    if (i >= all.length) break;
    let start = Math.max(0, i - C);
    let end = i;
    for (;;) {
      while (end < all.length && all[end]?.t !== ' ') end++;
      let k = end;
      while (k < all.length && all[k]?.t === ' ' && k - end < 2 * C) k++;
      if (k < all.length && all[k]?.t !== ' ' && k - end <= 2 * C) { end = k; continue; }
      break;
    }
    const stop = Math.min(all.length, end + C);
    const hunk = all.slice(start, stop);
    const first = hunk[0] as Op;
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${first.ai + 1},${aLen} +${first.bi + 1},${bLen} @@`);
    for (const o of hunk) out.push(`${o.t}${o.s}`);
    i = stop;
    start = stop;
  }
  return `${out.join('\n')}\n`;
}

function lcsOps(a: string[], b: string[]): ['-' | '+' | ' ', string][] {
  if (a.length * b.length > 4_000_000) return [...a.map((s) => ['-', s] as ['-', string]), ...b.map((s) => ['+', s] as ['+', string])];
  const n = a.length;
  const m = b.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) (dp[i] as number[])[j] = a[i] === b[j] ? ((dp[i + 1] as number[])[j + 1] as number) + 1 : Math.max((dp[i + 1] as number[])[j] as number, (dp[i] as number[])[j + 1] as number);
  const out: ['-' | '+' | ' ', string][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { out.push([' ', a[i] as string]); i++; j++; }
    else if (((dp[i + 1] as number[])[j] as number) >= ((dp[i] as number[])[j + 1] as number)) { out.push(['-', a[i] as string]); i++; }
    else { out.push(['+', b[j] as string]); j++; }
  }
  while (i < n) out.push(['-', a[i++] as string]);
  while (j < m) out.push(['+', b[j++] as string]);
  return out;
}

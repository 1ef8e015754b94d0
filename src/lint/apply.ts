/**
 * Applying fixes: all edits of a file at once, made on the bytes read (every byte outside the edits stays as
 * it was, UTF-8 or not), written atomically (temp file in the same directory, same mode, fsync, rename)
 * after checking that nobody changed the file meanwhile, and only inside the linted tree, to a regular file.
 * A fix whose edits overlap an edit already taken waits for the next planning round (run.ts plans rounds
 * until nothing changes), so a file never gets half a fix.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errnoOf, messageOf } from '../util/errors.js';
import { exchangePaths } from '../util/exchange.js';
import { safeText } from '../util/sanitize.js';
import type { Confinement, FileSnapshot } from '../util/files.js';
import type { Document } from '../document/document.js';
import { applyEdits, applyEditsToBytes, overlaps, type Fix, type TextEdit } from '../document/edit.js';
import type { Finding } from '../rules/contract.js';

interface FilePlan {
  file: string;
  before: string;
  after: string;
  fixes: Fix[];
}

/** A plan on the bytes of one file read from disk (or stdin). */
export interface BytePlan extends FilePlan {
  absPath?: string;
  /** What was read from disk before any fix: the write checks the file still is that. */
  snapshot?: FileSnapshot;
  afterBytes: Buffer;
}

/** Non-overlapping fixes per file, in finding order: a fix touching two files is taken whole or not at all. */
function chooseFixes(findings: readonly Finding[]): Map<string, { edits: TextEdit[]; fixes: Fix[] }> {
  const byFile = new Map<string, { edits: TextEdit[]; fixes: Fix[] }>();
  for (const f of findings) {
    if (!f.fix || f.suppressed) continue;
    const files = new Set(f.fix.edits.map((e) => e.file));
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
  return byFile;
}

/** Choose non-overlapping fixes per file (in finding order) and compute the new text. */
export function planFixes(findings: readonly Finding[], textOf: (file: string) => string | undefined): FilePlan[] {
  const plans: FilePlan[] = [];
  for (const [file, { edits, fixes }] of chooseFixes(findings)) {
    const before = textOf(file);
    if (before === undefined) continue;
    const after = applyEdits(before, edits);
    if (after !== before) plans.push({ file, before, after, fixes });
  }
  return plans;
}

/** One planning round on the documents' bytes; files whose edits cannot be made on bytes are refused, with the reason. */
export function planByteFixes(findings: readonly Finding[], docOf: (file: string) => Document | undefined): { plans: (BytePlan & { doc: Document })[]; refused: { file: string; reason: string }[] } {
  const plans: (BytePlan & { doc: Document })[] = [];
  const refused: { file: string; reason: string }[] = [];
  for (const [file, { edits, fixes }] of chooseFixes(findings)) {
    const doc = docOf(file);
    if (!doc) continue;
    const bytes = doc.source?.bytes ?? Buffer.from(doc.text, 'utf8');
    const r = applyEditsToBytes(bytes, doc.text, edits);
    if (!r.ok) {
      refused.push({ file, reason: r.reason });
      continue;
    }
    if (r.bytes.equals(bytes)) continue;
    plans.push({
      file,
      doc,
      before: doc.text,
      after: r.bytes.toString('utf8'),
      fixes,
      afterBytes: r.bytes,
      ...(doc.absPath ? { absPath: doc.absPath } : {}),
      ...(doc.source ? { snapshot: doc.source } : {}),
    });
  }
  return { plans, refused };
}

/** Why a fixed file was not written (the run goes on with the others). */
export class NotWritten extends Error {
  override name = 'NotWritten';
}

/**
 * Replace a file's content atomically with `content`, keeping its mode (and owner, when we may), if and
 * only if it still is what `snapshot` read: the same file (device and inode), the same bytes. Checked
 * after the temp file is written, right before it goes in place; and where renameat2(RENAME_EXCHANGE) is
 * available the swap itself hands back the file it replaced, which is checked again: if someone saved the
 * file in between, theirs is swapped back and nothing is lost. (A writer that opened the file before the
 * swap and writes after the second check cannot be seen by any writer that replaces files.)
 * Never writes outside the confinement's roots, through a symlink that leaves them, or to anything but a
 * regular file.
 */
export function writeChecked(givenPath: string, content: Buffer, snapshot: FileSnapshot, confinement?: Confinement): void {
  const refusal = confinement?.writeRefusal(givenPath);
  if (refusal) throw new NotWritten(refusal);
  let realPath: string;
  try {
    // A symlinked Dockerfile (inside the tree): fix the file it points to, and keep the link.
    realPath = fs.realpathSync.native(givenPath);
  } catch (err) {
    throw new NotWritten(`cannot resolve: ${errnoOf(err) ?? messageOf(err)}`);
  }
  const dir = path.dirname(realPath);
  const tmp = path.join(dir, `.${path.basename(realPath)}.pid1-${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  let placed = false;
  try {
    // O_EXCL|O_CREAT ('wx'): never follows a symlink planted at the temp name.
    fd = fs.openSync(tmp, 'wx', snapshot.mode & 0o7777);
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
    const ours = fs.fstatSync(fd, { bigint: true }).ino;
    fs.closeSync(fd);
    fd = undefined;
    fs.chmodSync(tmp, snapshot.mode & 0o7777);
    try {
      fs.chownSync(tmp, snapshot.uid, snapshot.gid);
    } catch {
      /* not permitted: keep ours */
    }
    const changed = changedSince(realPath, snapshot);
    if (changed) throw new NotWritten(`${changed} ${AGAIN}`);
    const swapped = exchangePaths(tmp, realPath);
    if (swapped === 'unsupported') {
      fs.renameSync(tmp, realPath);
      placed = true;
    } else if (swapped !== 'ok') {
      throw new NotWritten(`cannot write the fix: errno ${swapped.errno}`);
    } else {
      placed = true;
      // tmp now holds what was at realPath an instant ago: the file read, unchanged, or someone's save
      const replaced = changedSince(tmp, snapshot);
      if (replaced) {
        putBack(tmp, realPath, ours, content);
        throw new NotWritten(`${replaced} ${AGAIN}`);
      }
      fs.unlinkSync(tmp);
    }
    // Make the rename itself durable.
    let dfd: number | undefined;
    try {
      dfd = fs.openSync(dir, 'r');
      fs.fsyncSync(dfd);
    } catch {
      /* not supported here */
    } finally {
      if (dfd !== undefined) fs.closeSync(dfd);
    }
  } catch (err) {
    if (fd !== undefined)
      try {
        fs.closeSync(fd);
      } catch {
        /* closed */
      }
    if (!placed)
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* gone */
      }
    if (err instanceof NotWritten) throw err;
    throw new NotWritten(`cannot write the fix: ${errnoOf(err) ?? messageOf(err)}`);
  }
}

const AGAIN = 'while pid1 was fixing it: not written; run pid1 lint --fix again';

/**
 * Undo a swap that displaced someone's save: swap back, so that their file is in place again and ours is
 * out, then remove ours. If someone saved again meanwhile (into our file, or replacing it), that save is
 * the newest: it goes back in place, and the older one is removed instead.
 */
function putBack(tmp: string, realPath: string, ours: bigint, content: Buffer): void {
  if (exchangePaths(tmp, realPath) === 'ok' && !isOurs(tmp, ours, content)) exchangePaths(tmp, realPath);
  try {
    fs.unlinkSync(tmp);
  } catch {
    /* gone */
  }
}

/** The file at p is the temp file pid1 wrote (inode `ours`), still holding exactly `content`. */
function isOurs(p: string, ours: bigint, content: Buffer): boolean {
  try {
    const st = fs.lstatSync(p, { bigint: true });
    return st.ino === ours && st.size === BigInt(content.length) && fs.readFileSync(p).equals(content);
  } catch {
    return false;
  }
}

/** How the file at realPath differs from what was read, or undefined when it is the same file with the same bytes. */
function changedSince(realPath: string, snap: FileSnapshot): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(realPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW | fs.constants.O_NOCTTY);
  } catch (err) {
    return errnoOf(err) === 'ENOENT' ? 'it was removed' : errnoOf(err) === 'ELOOP' ? 'it was replaced by a symlink' : `it cannot be read again (${errnoOf(err) ?? messageOf(err)})`;
  }
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    if (!st.isFile()) return 'it is no longer a regular file';
    if (st.dev !== snap.dev || st.ino !== snap.ino) return 'it was replaced';
    if (st.size !== BigInt(snap.bytes.length)) return 'it was changed';
    const now = Buffer.allocUnsafe(snap.bytes.length + 1);
    let n = 0;
    for (;;) {
      const k = fs.readSync(fd, now, n, now.length - n, null);
      if (k === 0) break;
      n += k;
      if (n === now.length) break;
    }
    return n === snap.bytes.length && now.subarray(0, n).equals(snap.bytes) ? undefined : 'it was changed';
  } catch (err) {
    return `it cannot be read again (${errnoOf(err) ?? messageOf(err)})`;
  } finally {
    fs.closeSync(fd);
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
  const out = [`--- a/${safeText(file)}`, `+++ b/${safeText(file)}`];
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
      if (k < all.length && all[k]?.t !== ' ' && k - end <= 2 * C) {
        end = k;
        continue;
      }
      break;
    }
    const stop = Math.min(all.length, end + C);
    const hunk = all.slice(start, stop);
    const first = hunk[0] as Op;
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${first.ai + 1},${aLen} +${first.bi + 1},${bLen} @@`);
    // file lines are shown, never played: no escape sequence from a linted file reaches the terminal
    for (const o of hunk) out.push(`${o.t}${safeText(o.s.endsWith('\r') ? o.s.slice(0, -1) : o.s, { keepTabs: true })}`);
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
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (dp[i] as number[])[j] = a[i] === b[j] ? ((dp[i + 1] as number[])[j + 1] as number) + 1 : Math.max((dp[i + 1] as number[])[j] as number, (dp[i] as number[])[j + 1] as number);
  const out: ['-' | '+' | ' ', string][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push([' ', a[i] as string]);
      i++;
      j++;
    } else if (((dp[i + 1] as number[])[j] as number) >= ((dp[i] as number[])[j + 1] as number)) {
      out.push(['-', a[i] as string]);
      i++;
    } else {
      out.push(['+', b[j] as string]);
      j++;
    }
  }
  while (i < n) out.push(['-', a[i++] as string]);
  while (j < m) out.push(['+', b[j++] as string]);
  return out;
}

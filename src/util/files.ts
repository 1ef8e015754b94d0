/**
 * Reading files pid1 did not choose (a repository under lint, possibly hostile): only regular files, never
 * more than a limit, and only inside the trees the user named.
 *
 * - A FIFO blocks open() and read() until a writer comes; /dev/zero never ends; opening some devices has
 *   effects (a watchdog arms itself). So the type is checked with stat() before open(), and again with
 *   fstat() on the descriptor (O_NONBLOCK: a FIFO swapped in between cannot block the open). A file the
 *   walk listed as regular skips the stat(): its directory entry is that earlier check (d_type, readdir(3)),
 *   and the O_NONBLOCK open and fstat() close the same race window the stat() would leave open.
 * - The size limit applies before reading, and a read takes at most limit + 1 bytes (a file that grows
 *   while it is read is still cut).
 * - Confinement: a path is inside a root when its real path (every symlink resolved) is under the real path
 *   of the root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { errnoOf, messageOf } from './errors.js';

/** What a read saw, enough to tell later whether the file changed (for --fix). */
export interface FileSnapshot {
  bytes: Buffer;
  dev: bigint;
  ino: bigint;
  mode: number;
  uid: number;
  gid: number;
}

/** The bytes alone, for a read that needs no identity (no --fix: nothing is written back). */
interface FileBytes {
  bytes: Buffer;
}

export type ReadResult<Snap = FileSnapshot | FileBytes> = { ok: true; snap: Snap } | { ok: false; code: 'missing' | 'not-regular' | 'too-large' | 'unreadable'; message: string };

/** What a file is, in words, for "not a regular file (a FIFO)". */
export function typeWord(st: Pick<fs.Stats, 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isSymbolicLink'>): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

/**
 * Read a regular file whole, at most `limit` bytes (more is an error, found before reading when stat
 * says so). Symlinks are followed; confinement is the caller's business (see Confinement).
 * `listedRegular`: the walk's directory entry says this path is a regular file (not a symlink), so the
 * pre-open stat() is skipped; the checks on the open descriptor stay (see the top of this file).
 * `identity`: the snapshot names the file (device, inode, mode, owner) for a later write to check against;
 * without it the fstat() is the plain one (BigInt stats cost a tenth of a read: a walk reads thousands).
 */
export function readRegularFile(file: string, limit: number, listedRegular?: boolean, identity?: true): ReadResult<FileSnapshot>;
export function readRegularFile(file: string, limit: number, listedRegular: boolean, identity: boolean): ReadResult;
export function readRegularFile(file: string, limit: number, listedRegular = false, identity = true): ReadResult {
  let st: fs.BigIntStats | undefined;
  if (!listedRegular) {
    try {
      st = fs.statSync(file, { bigint: true });
    } catch (err) {
      return statFailed(err);
    }
    if (!st.isFile()) return { ok: false, code: 'not-regular', message: `not a regular file (${typeWord(st)}): not read` };
    if (st.size > BigInt(limit)) return tooLarge(st.size, limit);
  }
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (err) {
    // removed since the walk listed it: missing, as the stat would have said
    if (!st) return statFailed(err);
    return { ok: false, code: 'unreadable', message: `cannot read: ${errnoOf(err) ?? messageOf(err)}` };
  }
  try {
    // (BigInt when the stat before the open is compared with it, or when the identity is kept)
    const fst = identity || st ? fs.fstatSync(fd, { bigint: true }) : fs.fstatSync(fd);
    // the file opened is the one checked (not something swapped in since the stat or the listing)
    if (!fst.isFile() || (st && (fst.dev !== st.dev || fst.ino !== st.ino))) return { ok: false, code: 'not-regular', message: `not a regular file (${typeWord(fst)}): not read` };
    if (!st && fst.size > limit) return tooLarge(BigInt(fst.size), limit);
    // size + 1: a file that grew since fstat is seen (and read on, up to the limit)
    let chunk = Buffer.allocUnsafe(Math.min(limit + 1, Number(fst.size) + 1));
    let n = 0;
    for (;;) {
      if (n === chunk.length) {
        if (chunk.length > limit) break;
        const bigger = Buffer.allocUnsafe(Math.min(limit + 1, chunk.length * 2));
        chunk.copy(bigger, 0, 0, n);
        chunk = bigger;
      }
      const got = fs.readSync(fd, chunk, n, chunk.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > limit) return { ok: false, code: 'too-large', message: `file is too large (more than ${limit} bytes; the limit is ${limit})` };
    const bytes = chunk.subarray(0, n);
    if (!identity) return { ok: true, snap: { bytes } };
    return { ok: true, snap: { bytes, dev: BigInt(fst.dev), ino: BigInt(fst.ino), mode: Number(fst.mode), uid: Number(fst.uid), gid: Number(fst.gid) } };
  } catch (err) {
    return { ok: false, code: 'unreadable', message: `cannot read: ${errnoOf(err) ?? messageOf(err)}` };
  } finally {
    fs.closeSync(fd);
  }
}

function statFailed(err: unknown): ReadResult {
  const code = errnoOf(err);
  return code === 'ENOENT' || code === 'ENOTDIR' ? { ok: false, code: 'missing', message: 'no such file' } : { ok: false, code: 'unreadable', message: `cannot read: ${code ?? messageOf(err)}` };
}

function tooLarge(size: bigint, limit: number): ReadResult {
  return { ok: false, code: 'too-large', message: `file is too large (${size} bytes; the limit is ${limit})` };
}

/**
 * The first `n` bytes of a regular file, or undefined (missing, not a regular file, unreadable). `into`: a
 * buffer to reuse (a walk sniffs thousands of heads); the result is a view of it, valid until the next call.
 */
export function readHead(file: string, n: number, into?: Buffer): Buffer | undefined {
  try {
    if (!fs.statSync(file).isFile()) return undefined;
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
    try {
      if (!fs.fstatSync(fd).isFile()) return undefined;
      const buf = into && into.length >= n ? into : Buffer.allocUnsafe(n);
      let got = 0;
      for (;;) {
        const k = fs.readSync(fd, buf, got, n - got, null);
        if (k === 0) break;
        got += k;
        if (got === n) break;
      }
      return buf.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** A directory's entries with their types, in readdir order, listed once per cache; null when it cannot be listed. */
export function direntsOnce(cache: Map<string, fs.Dirent[] | null>, dir: string): fs.Dirent[] | null {
  let list = cache.get(dir);
  if (list === undefined) {
    try {
      list = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      list = null;
    }
    cache.set(dir, list);
  }
  return list;
}

/**
 * path.resolve(p), without its work for a path that is absolute and normalised already (no `//`, no `.`
 * or `..` element, no trailing slash): what the walk and the lookups in a build context pass, thousands of
 * times a run.
 */
export function resolvedPath(p: string): string {
  if (path.sep === '/' && p.charCodeAt(0) === 47 && !p.includes('//') && !p.includes('/.') && (p.length === 1 || p.charCodeAt(p.length - 1) !== 47)) return p;
  return path.resolve(p);
}

/**
 * The Dockerfile a build of `context` reads when none is named: `Dockerfile`, else `dockerfile` when only the lowercase
 * name is there (the legacy builder and BuildKit both fall back to it: moby/moby#10858, moby/buildkit#1816).
 */
export function defaultDockerfile(context: string, exists: (p: string) => boolean = isFile): string {
  const upper = path.join(context, 'Dockerfile');
  if (exists(upper)) return upper;
  const lower = path.join(context, 'dockerfile');
  return exists(lower) ? lower : upper;
}

/** A shell-style glob (`*`, `?`) for one path element, as a regular expression. */
export function globToRe(glob: string): RegExp {
  let re = '^';
  for (const ch of glob) re += ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${re}$`);
}

/** A regular file (stat: symlinks followed), never opened. */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `child` is `root` or below it (both absolute and normalised). */
export function isInside(child: string, root: string): boolean {
  if (child === root) return true;
  const r = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  return child.startsWith(r);
}

/** Real path, or undefined when it cannot be resolved (missing, a loop). */
export function realPathOf(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/**
 * Where pid1 may read on its own: under the roots named on the command line, after resolving symlinks.
 * Paths named explicitly are read as named. `follow` (--follow-symlinks) lifts the roots for reads.
 */
export class Confinement {
  private readonly roots: string[];
  private readonly explicit = new Set<string>();
  /**
   * Directories a walk entered from a root without following symlinks: inside it, no realpath needed; with
   * their entries, whose types say which files are regular (no lstat needed).
   */
  private readonly walked = new Map<string, readonly fs.Dirent[]>();
  private readonly regularIn = new Map<string, Set<string>>();

  constructor(
    roots: readonly string[],
    readonly follow = false,
  ) {
    this.roots = [...new Set(roots.map((r) => realPathOf(r) ?? path.resolve(r)))];
  }

  /** A file named on the command line: read as named, wherever it points. */
  allow(absPath: string): void {
    this.explicit.add(path.resolve(absPath));
  }

  /** Directories the walk entered (from a root, never through a symlink), with their entries. */
  addWalked(dirs: ReadonlyMap<string, readonly fs.Dirent[]>): void {
    for (const [d, entries] of dirs) this.walked.set(d, entries);
  }

  /** The walk listed `abs` as a regular file (its directory entry: not a symlink). */
  walkedRegular(abs: string, dir = path.dirname(abs)): boolean {
    let names = this.regularIn.get(dir);
    if (!names) {
      names = new Set((this.walked.get(dir) ?? []).filter((e) => e.isFile()).map((e) => e.name));
      this.regularIn.set(dir, names);
    }
    return names.has(path.basename(abs));
  }

  isExplicit(absPath: string): boolean {
    return this.explicit.has(resolvedPath(absPath));
  }

  /** The roots, as real paths. */
  get rootPaths(): readonly string[] {
    return this.roots;
  }

  /**
   * A directory to search for files on pid1's own initiative (a repository's top, for image links): `dir`
   * when it is inside a root; else the innermost root `from` is in; else `from`. With --follow-symlinks, `dir`.
   */
  searchRoot(dir: string, from: string): string {
    // a directory the walk entered is inside its root (the walk descends real directories only): no realpath
    if (this.follow || this.roots.length === 0 || this.walked.has(path.resolve(dir)) || this.rootOf(realPathOf(dir) ?? path.resolve(dir))) return dir;
    const realFrom = realPathOf(from) ?? path.resolve(from);
    return this.roots.filter((r) => isInside(realFrom, r)).sort((a, b) => b.length - a.length)[0] ?? from;
  }

  /** The root a real path is under, if any. */
  rootOf(real: string): string | undefined {
    return this.roots.find((r) => isInside(real, r));
  }

  /**
   * Why pid1 must not read this path on its own, or undefined when it may. `within`: a tighter root for
   * this read (the build context for a COPY source), enforced even with --follow-symlinks, since the
   * builder cannot reach outside it either.
   */
  refusal(absPath: string, within?: string): string | undefined {
    const abs = resolvedPath(absPath);
    if (this.explicit.has(abs)) return undefined;
    if (this.insideWalked(abs, within)) return undefined;
    const real = realPathOf(abs);
    if (real === undefined) return undefined; // missing: the read says so
    if (within !== undefined) {
      const w = realPathOf(within) ?? path.resolve(within);
      if (!isInside(real, w)) return `${escapeWords(abs, real)} outside the build context ${w}: not read`;
    }
    if (this.follow || this.roots.length === 0 || this.rootOf(real)) return undefined;
    return `${escapeWords(abs, real)} outside the linted tree ${this.nearestRoot(abs)}: not read (--follow-symlinks reads it)`;
  }

  /**
   * The cheap answer, for files in directories the walk entered: such a directory resolves inside its root
   * (the walk descends real directories only), so a file there is inside unless it is itself a symlink.
   */
  private insideWalked(abs: string, within?: string): boolean {
    const dir = path.dirname(abs);
    if (!this.walked.has(dir)) return false;
    if (within !== undefined) {
      const w = resolvedPath(within);
      if (!this.walked.has(w) || !isInside(dir, w)) return false;
    }
    if (this.walkedRegular(abs, dir)) return true;
    try {
      return !fs.lstatSync(abs).isSymbolicLink();
    } catch {
      return true; /* missing: the read says so */
    }
  }

  private nearestRoot(abs: string): string {
    return this.roots.find((r) => isInside(abs, r)) ?? this.roots[0] ?? '/';
  }

  /** Why pid1 must not write this file (--fix): outside every root, or not a regular file. */
  writeRefusal(absPath: string): string | undefined {
    const abs = path.resolve(absPath);
    const real = realPathOf(abs);
    if (real === undefined) return 'it no longer exists';
    const root = this.rootOf(real);
    // Explicit files too: a named symlink that leaves the tree is read as named, but never written through.
    if (!root && this.roots.length > 0) return `${escapeWords(abs, real)} outside the linted tree ${this.nearestRoot(abs)}: not written`;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(real);
    } catch (err) {
      return `cannot stat: ${errnoOf(err) ?? messageOf(err)}`;
    }
    if (!st.isFile()) return `not a regular file (${typeWord(st)}): not written`;
    return undefined;
  }
}

/** How a path leaves a root: "a symlink to /etc/shadow,", "resolves to /etc/x,", or "" (it is outside as written). */
function escapeWords(abs: string, real: string): string {
  let link: string | undefined;
  try {
    if (fs.lstatSync(abs).isSymbolicLink()) link = fs.readlinkSync(abs);
  } catch {
    /* not a link */
  }
  if (link !== undefined) return `a symlink to ${link},`;
  return real !== abs ? `resolves to ${real},` : 'it is';
}

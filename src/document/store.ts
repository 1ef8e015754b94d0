/**
 * Reading files into documents once per run (a script shared by several Dockerfiles is one document).
 * Every file pid1 opens on its own goes through here (the walk's files, COPY'd scripts, compose `extends`,
 * override and `-f` files, `env_file` and `.env`, Dockerfiles linked to images), so the rules hold for
 * all of them: only regular files, at most MAX_FILE_BYTES, and inside the run's Confinement (a symlink
 * that leaves the linted tree is refused and reported, with its target).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Confinement, direntsOnce, readRegularFile, realPathOf, resolvedPath, type FileSnapshot, type ReadResult } from '../util/files.js';
import { MAX_FILE_BYTES, displayPath, makeDocument, notText, type Document, type DocumentKind, type FileError } from './document.js';

/** Files read by one run, shared by its passes so that they all see the same bytes (abs path -> result). */
export type ReadCache = Map<string, ReadResult>;

interface StoreOptions {
  confinement?: Confinement;
  cache?: ReadCache;
  /** Contents that stand in for files on disk (--fix planning: the text after the fixes so far), by absolute path. */
  overlay?: ReadonlyMap<string, Buffer>;
  /** Keep each document's bytes and file identity (Document.source), which --fix needs (default true). */
  keepBytes?: boolean;
}

interface ReadOptions {
  /** A tighter root for this read: the build context, for a COPY source. */
  within?: string;
}

export class DocumentStore {
  private readonly docs = new Map<string, Document | null>();
  private readonly byFile = new Map<string, Document>();
  private readonly problems = new Map<string, string>();
  private readonly refusalChecks = new Map<string, string | null>();
  private readonly refused = new Map<string, FileError>();
  private readonly cache: ReadCache;
  readonly confinement: Confinement | undefined;
  private readonly overlay: ReadonlyMap<string, Buffer> | undefined;
  private readonly keepBytes: boolean;

  constructor(o: StoreOptions = {}) {
    this.confinement = o.confinement;
    this.cache = o.cache ?? new Map();
    this.overlay = o.overlay;
    this.keepBytes = o.keepBytes ?? true;
  }

  private document(file: string, snap: FileSnapshot | { bytes: Buffer }, kind: DocumentKind, abs: string): Document {
    // (read with its identity when the bytes are kept: load)
    return makeDocument(file, snap.bytes.toString('utf8'), kind, abs, this.keepBytes && 'dev' in snap ? snap : undefined);
  }

  /** Read a file as a document; undefined when refused, missing, unreadable, binary or too large (problemOf says why). */
  read(absPath: string, kind: DocumentKind, o: ReadOptions = {}): Document | undefined {
    const abs = resolvedPath(absPath);
    // what the listings already say is missing needs no realpath (a missing path is never refused): a program
    // looked up on PATH in a build context (`<context>/usr/local/bin/java`) is missing far more often than not
    const missing = !this.overlay?.has(abs) && this.missing(abs);
    if (!missing && this.refuses(abs, o.within)) return undefined;
    const have = this.docs.get(abs);
    if (have !== undefined) return have ?? undefined;
    let doc: Document | null = null;
    // listed only after the refusal check: a directory that is a symlink out of the tree is never opened
    if (missing || (!this.overlay?.has(abs) && !this.mayExist(abs))) {
      this.problems.set(abs, 'no such file');
      this.docs.set(abs, null);
      return undefined;
    }
    const r = this.load(abs);
    if (!r.ok) this.problems.set(abs, r.message);
    else {
      const bad = notText(r.snap.bytes);
      if (bad) this.problems.set(abs, bad);
      else doc = this.document(displayPath(abs), r.snap, kind, abs);
    }
    if (r.ok === false && r.code === 'not-regular') this.report(abs, r.message);
    this.docs.set(abs, doc);
    if (doc) this.byFile.set(doc.file, doc);
    return doc ?? undefined;
  }

  /** A file given to lint (found by the walk or named): a document, or the error that keeps it from being linted. */
  readInput(absPath: string, kind: DocumentKind): Document | FileError {
    const abs = resolvedPath(absPath);
    const file = displayPath(abs);
    const refusal = this.refusalOf(abs);
    if (refusal) return { file, message: refusal };
    // read already as the same kind (a folder's ConfigMaps, an override or build file): the same bytes, and
    // the same object, so that what was parsed of it is not parsed again
    const have = this.docs.get(abs);
    if (have && have.kind === kind && have.file === file) return have;
    const r = this.load(abs);
    if (!r.ok) return { file, message: r.code === 'missing' ? 'cannot read: no such file' : r.message };
    const bad = notText(r.snap.bytes);
    if (bad) return { file, message: bad };
    const doc = this.document(file, r.snap, kind, abs);
    this.add(doc);
    return doc;
  }

  /** A small text file that is not a document (`.env`, `env_file`), under the same rules; undefined when it cannot be read. */
  readText(absPath: string, limit = 1024 * 1024): string | undefined {
    const abs = resolvedPath(absPath);
    // most projects have no .env: the walk's listing says so without a failed lstat and stat (a missing path is
    // never refused)
    if (!this.overlay?.has(abs) && this.missing(abs)) {
      this.problems.set(abs, 'no such file');
      return undefined;
    }
    if (this.refuses(abs)) return undefined;
    const r = this.load(abs);
    if (!r.ok) {
      this.problems.set(abs, r.message);
      if (r.code === 'not-regular') this.report(abs, r.message);
      return undefined;
    }
    if (r.snap.bytes.length > limit) {
      this.problems.set(abs, `file is too large (${r.snap.bytes.length} bytes; the limit is ${limit})`);
      return undefined;
    }
    return r.snap.bytes.toString('utf8');
  }

  /** Why the last read of a path gave nothing (refused, missing, not a regular file, too large ...). */
  problemOf(absPath: string): string | undefined {
    return this.problems.get(resolvedPath(absPath));
  }

  /** Files refused since the last call (a symlink out of the tree, not a regular file), as file errors to report. */
  takeRefusals(): FileError[] {
    const out = [...this.refused.values()];
    this.refused.clear();
    return out;
  }

  private readonly reported = new Set<string>();

  private report(abs: string, message: string): void {
    if (this.reported.has(abs)) return;
    this.reported.add(abs);
    this.refused.set(abs, { file: displayPath(abs), message });
  }

  private refusalOf(abs: string, within?: string): string | undefined {
    if (!this.confinement) return undefined;
    const key = within === undefined ? abs : `${abs}\0${within}`;
    let r = this.refusalChecks.get(key);
    if (r === undefined) {
      r = this.confinement.refusal(abs, within) ?? null;
      this.refusalChecks.set(key, r);
    }
    return r ?? undefined;
  }

  private refuses(abs: string, within?: string): boolean {
    const r = this.refusalOf(abs, within);
    if (!r) return false;
    this.problems.set(abs, r);
    // A path written outside the tree (`../x`) is the referring file's business (its source says it cannot
    // read it); a symlink that leads out is reported on its own, with its target.
    if (/^(a symlink|resolves)/.test(r)) this.report(abs, r);
    return true;
  }

  /** A file the walk read already (small YAML it looked into): the store's read of it, unless it has one. */
  seedRead(absPath: string, r: ReadResult): void {
    if (!this.cache.has(absPath)) this.cache.set(absPath, r);
  }

  private load(abs: string): ReadResult {
    const over = this.overlay?.get(abs);
    let r = this.cache.get(abs);
    if (!r) {
      // a file the walk listed as regular needs no stat before its open (readRegularFile says why)
      // with the file's identity only when its bytes are kept (--fix checks it before writing)
      r = readRegularFile(abs, MAX_FILE_BYTES, this.confinement?.walkedRegular(abs) ?? false, this.keepBytes);
      this.cache.set(abs, r);
    }
    if (over) return { ok: true, snap: r.ok ? { ...r.snap, bytes: over } : overlaySnap(over) };
    return r;
  }

  private readonly listings = new Map<string, Set<string> | null>();

  private readonly dirents = new Map<string, fs.Dirent[] | null>();

  /** Directory listings already read (by the walk), so that existence tests need no second readdir. */
  seedListings(listings: ReadonlyMap<string, Set<string>>, entries?: ReadonlyMap<string, fs.Dirent[]>): void {
    for (const [dir, names] of listings) if (!this.listings.has(dir)) this.listings.set(dir, names);
    for (const [dir, list] of entries ?? []) if (!this.dirents.has(dir)) this.dirents.set(dir, list);
  }

  /** A directory's entries with their types, in readdir order, listed once per run; null when it cannot be listed. */
  entriesOf(dir: string): fs.Dirent[] | null {
    return direntsOnce(this.dirents, dir);
  }

  /** A directory's names, in the order readdir gives them, read once per run; undefined when it cannot be listed. */
  listing(dir: string): string[] | undefined {
    const names = this.names(dir);
    return names ? [...names] : undefined;
  }

  /** Directories known not to exist: their parent's listing lacks them. */
  private readonly absent = new Set<string>();

  private names(dir: string): Set<string> | null {
    let names = this.listings.get(dir);
    if (names === undefined) {
      if (this.missing(dir)) {
        this.absent.add(dir);
        names = null;
      } else {
        try {
          names = new Set(fs.readdirSync(dir));
        } catch {
          names = null;
        }
      }
      this.listings.set(dir, names);
    }
    return names;
  }

  /**
   * Known missing from the listings already read: its parent's lacks it, or its parent is missing. No syscall
   * (nothing is listed here, so no directory outside the tree is opened); false when unknown.
   */
  private missing(p: string): boolean {
    const up = path.dirname(p);
    if (up === p) return false;
    const parent = this.listings.get(up);
    if (parent) return !parent.has(path.basename(p));
    if (parent === null) return this.absent.has(up);
    if (!this.missing(up)) return false;
    this.absent.add(up);
    this.listings.set(up, null);
    return true;
  }

  /** Cheap existence test from a cached directory listing (a failed read costs an exception). */
  private mayExist(absPath: string): boolean {
    return this.names(path.dirname(absPath))?.has(path.basename(absPath)) ?? false;
  }

  private readonly types = new Map<string, 'dir' | 'file' | 'none'>();

  /** What a path is, symlinks followed (stat), asked once per run: a build context is looked into again for every image built from it. */
  typeOf(absPath: string): 'dir' | 'file' | 'none' {
    let v = this.types.get(absPath);
    if (v === undefined && this.missing(absPath)) v = 'none';
    if (v === undefined) v = this.listedType(absPath);
    if (v === undefined) {
      try {
        const st = fs.statSync(absPath);
        v = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'none';
      } catch {
        v = 'none';
      }
      this.types.set(absPath, v);
    }
    return v;
  }

  private readonly reals = new Map<string, string | null>();

  /** A path with its links resolved, asked once per run (null when it cannot be resolved: missing, a loop). */
  realPath(absPath: string): string | null {
    let v = this.reals.get(absPath);
    if (v === undefined) {
      v = realPathOf(absPath) ?? null;
      this.reals.set(absPath, v);
    }
    return v;
  }

  /**
   * Whether the listings already read say that no part of `rel` below `dir` is a symlink (so `dir/rel` resolves
   * inside `dir` with no realpath); false when a part is a link or some listing is not at hand.
   */
  linkFreeBelow(dir: string, rel: string): boolean {
    let at = dir;
    for (const part of rel.split('/')) {
      const e = this.entryIn(at, part);
      if (!e || e.isSymbolicLink()) return false;
      at = path.join(at, part);
    }
    return true;
  }

  private entryIn(dir: string, name: string): fs.Dirent | undefined {
    const list = this.dirents.get(dir);
    if (!list) return undefined;
    let names = this.byName.get(dir);
    if (!names) {
      names = new Map(list.map((e) => [e.name, e]));
      this.byName.set(dir, names);
    }
    return names.get(name);
  }

  private readonly byName = new Map<string, Map<string, fs.Dirent>>();

  /**
   * What a listing already read says a path is, when its entry is no symlink: the type in a directory entry is
   * the type stat would give (readdir(3) d_type; Node lstats an entry whose type the file system leaves unknown).
   * Undefined when no listing says (a symlink is stat'ed, to follow it).
   */
  private listedType(abs: string): 'dir' | 'file' | 'none' | undefined {
    if (resolvedPath(abs) !== abs) return undefined;
    const e = this.entryIn(path.dirname(abs), path.basename(abs));
    if (!e || e.isSymbolicLink()) return undefined;
    return e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'none';
  }

  add(doc: Document): void {
    if (doc.absPath) this.docs.set(doc.absPath, doc);
    this.byFile.set(doc.file, doc);
  }

  /** A document read or added, by its display path. */
  byPath(file: string): Document | undefined {
    return this.byFile.get(file);
  }

  all(): Document[] {
    return [...this.docs.values()].filter((d): d is Document => d !== null);
  }
}

function overlaySnap(bytes: Buffer): FileSnapshot {
  return { bytes, dev: 0n, ino: 0n, mode: 0o644, uid: -1, gid: -1 };
}

/** " (why)" after "cannot read X", when the store knows why. */
export function problemNote(problem: string | undefined): string {
  return problem ? `; ${problem}` : '';
}

/**
 * File discovery for `pid1 lint [PATH...]`: Dockerfiles under directories (`Dockerfile`, `Dockerfile.*`,
 * `*.Dockerfile`, `Containerfile*`), compose files and Kubernetes YAML, skipping `node_modules`, `.git`,
 * the config's `ignore` patterns and what `.gitignore` files (at any level) exclude, except files git
 * tracks (a tracked file is part of the repository whatever .gitignore says: git ignores only untracked
 * files). A path given explicitly is always linted, as named.
 *
 * Only regular files are taken (a FIFO would block the run, /dev/zero would never end), and a symlink whose
 * target leaves the directory given on the command line is reported, not read, unless --follow-symlinks.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Ignore, Options as IgnoreOptions } from 'ignore';
import type { DocumentKind } from '../document/document.js';
import { UserError, errnoOf, messageOf } from '../util/errors.js';
import { Confinement, isInside, readRegularFile, typeWord, type ReadResult } from '../util/files.js';
import { isDockerfileName, kindOfFile, walkedYaml } from './kinds.js';

export interface Found {
  abs: string;
  kind: DocumentKind;
  /** Given on the command line (not discovered by walking). */
  explicit: boolean;
  /** Why it is not read (a symlink out of the tree, not a regular file): reported as a file error. */
  problem?: string;
  /** The file as the walk read it whole to see what it is (small YAML), for the store to take. */
  read?: ReadResult;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

let ignoreFactory: ((o?: IgnoreOptions) => Ignore) | undefined;

/** The ignore package, loaded on first use: most trees have no .gitignore and no ignore patterns (its load costs start-up). */
function ignore(): Ignore {
  ignoreFactory ??= createRequire(import.meta.url)('ignore') as (o?: IgnoreOptions) => Ignore;
  return ignoreFactory();
}

interface Level {
  dir: string;
  ig: Ignore;
}

/** A directory of a walk: its entries in name order, the next one to visit, the ignore levels below it. */
interface Listed {
  dir: string;
  levels: Level[];
  sorted: fs.Dirent[];
  next: number;
}

/**
 * A directory's .gitignore: only a regular file of at most 1 MiB, never a symlink (which could lead out
 * of the tree: the .gitignore files read go from the work tree's top down to the walked directories).
 */
function readGitignore(dir: string): Ignore | undefined {
  const file = path.join(dir, '.gitignore');
  try {
    if (!fs.lstatSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const r = readRegularFile(file, 1024 * 1024);
  return r.ok ? ignore().add(r.snap.bytes.toString('utf8')) : undefined;
}

function ignoredBy(levels: readonly Level[], abs: string, isDir: boolean): boolean {
  for (const l of levels) {
    let rel = path.relative(l.dir, abs).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (isDir) rel += '/';
    if (l.ig.ignores(rel)) return true;
  }
  return false;
}

/**
 * The files git tracks in one work tree, asked of git only when a .gitignore would skip something (most
 * runs never ask). `git ls-files` reads the index; core.fsmonitor is forced off so that a repository's own
 * config cannot make it run a program. No git, or git refuses (not a repository, safe.directory): nothing
 * is known to be tracked, and .gitignore is honoured as written.
 */
class Tracked {
  private files: Set<string> | undefined;
  private dirs: Set<string> | undefined;
  constructor(private readonly top: string) {}

  private load(): void {
    if (this.files) return;
    this.files = new Set();
    this.dirs = new Set();
    const r = spawnSync('git', ['--no-pager', '-c', 'core.fsmonitor=false', '-C', this.top, 'ls-files', '-z', '--cached'], {
      encoding: 'buffer',
      maxBuffer: 512 * 1024 * 1024,
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
    });
    if (r.status !== 0 || !r.stdout) return;
    for (const rel of r.stdout.toString('utf8').split('\0')) {
      if (!rel) continue;
      this.files.add(rel);
      for (let d = path.posix.dirname(rel); d !== '.' && !this.dirs.has(d); d = path.posix.dirname(d)) this.dirs.add(d);
    }
  }

  /** A file git tracks, or a directory that holds one. */
  has(abs: string, isDir: boolean): boolean {
    if (!isInside(abs, this.top)) return false;
    this.load();
    const rel = path.relative(this.top, abs).split(path.sep).join('/');
    return (isDir ? this.dirs : this.files)?.has(rel) ?? false;
  }
}

/**
 * The confinement of a run: the directories given are its roots; a file given is read as named, and the
 * files it leads to (COPY sources, compose `extends`, `env_file`) must be under the working directory when
 * the file is, else under the file's own directory.
 */
export function confinementFor(paths: readonly string[], cwd: string, follow: boolean, extraRoots: readonly string[] = []): Confinement {
  const roots: string[] = [];
  const explicit: string[] = [];
  for (const p of paths) {
    // stdin: what it leads to (COPY sources in the working directory as the context) stays there
    if (p === '-') {
      roots.push(cwd);
      continue;
    }
    const abs = path.resolve(cwd, p);
    let dir = false;
    try {
      dir = fs.statSync(abs).isDirectory();
    } catch {
      /* discover reports it */
    }
    if (dir) roots.push(abs);
    else {
      explicit.push(abs);
      roots.push(isInside(abs, cwd) ? cwd : path.dirname(abs));
    }
  }
  const c = new Confinement([...roots, ...extraRoots.map((r) => path.resolve(cwd, r))], follow);
  for (const e of explicit) c.allow(e);
  return c;
}

/** Why a walked entry (a symlink, or a FIFO or device under a Dockerfile's name) is not read; undefined to read it. */
function problemOf(child: string, e: fs.Dirent, confinement: Confinement | undefined): string | undefined {
  if (e.isFile()) return undefined;
  if (!e.isSymbolicLink()) return `not a regular file (${typeWord(e)}): not read`;
  const refusal = confinement?.refusal(child);
  if (refusal) return refusal;
  let st: fs.Stats;
  try {
    st = fs.statSync(child);
  } catch (err) {
    return `a broken symlink (${errnoOf(err) ?? messageOf(err)}): not read`;
  }
  return st.isFile() ? undefined : `a symlink to ${typeWord(st)}, not a regular file: not read`;
}

/** Expand the command line's paths into the files to lint, in a stable order. */
export function discover(paths: readonly string[], extraIgnore: readonly string[] = [], cwd = process.cwd(), listings?: Listings, confinement?: Confinement): Found[] {
  const out: Found[] = [];
  for (const f of discoverSteps(paths, extraIgnore, cwd, listings, confinement)) if (f) out.push(f);
  return out;
}

/** The directories a walk listed: their names (for existence tests), and their entries in readdir order. */
export interface Listings {
  names: Map<string, Set<string>>;
  entries: Map<string, fs.Dirent[]>;
}

/**
 * The same walk, one step at a time: yields each file found, and undefined after each directory read, where
 * a caller that must stay responsive (the language server indexing a big workspace) may pause.
 */
export function* discoverSteps(paths: readonly string[], extraIgnore: readonly string[] = [], cwd = process.cwd(), listings?: Listings, confinement?: Confinement): Generator<Found | undefined> {
  const seen = new Set<string>();
  const cfgIgnore = extraIgnore.length ? ignore().add([...extraIgnore]) : undefined;
  const cfgLevel: Level[] = cfgIgnore ? [{ dir: cwd, ig: cfgIgnore }] : [];
  /** The file, the first time it is met; undefined after. */
  const first = (f: Found): Found | undefined => {
    if (seen.has(f.abs)) return undefined;
    seen.add(f.abs);
    return f;
  };
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (err) {
      throw new UserError(`${p}: ${errnoOf(err) === 'ENOENT' ? 'no such file or directory' : messageOf(err)}`);
    }
    if (st.isFile()) {
      const f = first({ abs, kind: kindOfFile(abs), explicit: true });
      if (f) yield f;
      continue;
    }
    if (!st.isDirectory()) throw new UserError(`${p}: not a file or directory`);
    const gitLevels: Level[] = [];
    let tracked = fs.existsSync(path.join(abs, '.git')) ? new Tracked(abs) : undefined;
    // .gitignore files above the starting directory, up to the repository root
    for (let d = path.dirname(abs), i = 0; !tracked && i < 32; i++) {
      const ig = readGitignore(d);
      if (ig) gitLevels.unshift({ dir: d, ig });
      if (fs.existsSync(path.join(d, '.git'))) {
        tracked = new Tracked(d);
        break;
      }
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
    const skipped = (child: string, isDir: boolean, levels: readonly Level[]): boolean =>
      ignoredBy(cfgLevel, child, isDir) || (ignoredBy(levels, child, isDir) && !(tracked?.has(child, isDir) ?? false));
    /** A directory listed: its entries in name order, and the ignore levels that hold below it. */
    const list = (dir: string, levels: Level[]): Listed | undefined => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return undefined;
      }
      // The listing says whether there is a .gitignore: no failed open per directory.
      const ig = entries.some((e) => e.name === '.gitignore') ? readGitignore(dir) : undefined;
      // Handed to the document store, which looks up COPY sources in the same directories (and the image
      // linker, which searches them for Dockerfiles and build files, in readdir order as it lists them itself).
      listings?.names.set(dir, new Set(entries.map((e) => e.name)));
      listings?.entries.set(dir, entries);
      const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { dir, levels: ig ? [...levels, { dir, ig }] : levels, sorted, next: 0 };
    };
    // Depth first, each directory's entries in name order: a stack of the directories being listed (one
    // generator for the whole walk, not one per directory, each of whose results passed up every level).
    const top = list(abs, gitLevels);
    if (!top) continue;
    yield undefined;
    const stack: Listed[] = [top];
    while (stack.length > 0) {
      const at = stack[stack.length - 1] as Listed;
      const e = at.sorted[at.next++];
      if (!e) {
        stack.pop();
        continue;
      }
      // (a name from readdir has no separator and is never . or ..: joined as path.join would, without its normalising)
      const child = at.dir.endsWith(path.sep) ? `${at.dir}${e.name}` : `${at.dir}${path.sep}${e.name}`;
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) || skipped(child, true, at.levels)) continue;
        const below = list(child, at.levels);
        if (below) {
          yield undefined;
          stack.push(below);
        }
        continue;
      }
      const dockerfile = isDockerfileName(e.name);
      const yaml = !dockerfile && /\.ya?ml$/i.test(e.name);
      if ((!dockerfile && !yaml) || skipped(child, false, at.levels)) continue;
      const problem = problemOf(child, e, confinement);
      // compose files by name; other YAML only when it holds Kubernetes objects
      const yamlFile = problem || dockerfile ? undefined : walkedYaml(child);
      const kind = problem || dockerfile ? (dockerfile ? 'dockerfile' : 'kubernetes') : yamlFile?.kind;
      const f = kind ? first({ abs: child, kind, explicit: false, ...(problem ? { problem } : {}), ...(yamlFile?.read ? { read: yamlFile.read } : {}) }) : undefined;
      if (f) yield f;
    }
  }
}

/**
 * File discovery for `pid1 lint [PATH...]`: Dockerfiles under directories (`Dockerfile`, `Dockerfile.*`,
 * `*.Dockerfile`, `Containerfile*`), skipping `node_modules`, `.git` and what `.gitignore` files (at any
 * level) and the config's `ignore` patterns exclude. A path given explicitly is always linted.
 */
import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { DocumentKind } from '../document/document.js';
import { UserError, errnoOf, messageOf } from '../util/errors.js';
import { isDockerfileName, kindOfFile, walkedYamlKind } from './kinds.js';

export interface Found {
  abs: string;
  kind: DocumentKind;
  /** Given on the command line (not discovered by walking). */
  explicit: boolean;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

interface Level {
  dir: string;
  ig: Ignore;
}

function readGitignore(dir: string): Ignore | undefined {
  try {
    const text = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
    return ignore().add(text);
  } catch {
    return undefined;
  }
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

/** Expand the command line's paths into the files to lint, in a stable order. */
export function discover(paths: readonly string[], extraIgnore: readonly string[] = [], cwd = process.cwd(), listings?: Map<string, Set<string>>): Found[] {
  const out: Found[] = [];
  for (const f of discoverSteps(paths, extraIgnore, cwd, listings)) if (f) out.push(f);
  return out;
}

/**
 * The same walk, one step at a time: yields each file found, and undefined after each directory read, where
 * a caller that must stay responsive (the language server indexing a big workspace) may pause.
 */
export function* discoverSteps(paths: readonly string[], extraIgnore: readonly string[] = [], cwd = process.cwd(), listings?: Map<string, Set<string>>): Generator<Found | undefined> {
  const seen = new Set<string>();
  const cfgIgnore = extraIgnore.length ? ignore().add([...extraIgnore]) : undefined;
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (err) {
      throw new UserError(`${p}: ${errnoOf(err) === 'ENOENT' ? 'no such file or directory' : messageOf(err)}`);
    }
    if (st.isFile()) {
      if (!seen.has(abs)) { seen.add(abs); yield { abs, kind: kindOfFile(abs), explicit: true }; }
      continue;
    }
    if (!st.isDirectory()) throw new UserError(`${p}: not a file or directory`);
    const rootLevels: Level[] = [];
    // .gitignore files above the starting directory, up to the repository root
    for (let d = path.dirname(abs), i = 0; i < 32; i++) {
      const ig = readGitignore(d);
      if (ig) rootLevels.unshift({ dir: d, ig });
      if (fs.existsSync(path.join(d, '.git'))) break;
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
    if (cfgIgnore) rootLevels.push({ dir: cwd, ig: cfgIgnore });
    const walk = function* (dir: string, levels: Level[]): Generator<Found | undefined> {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      yield undefined;
      // The listing says whether there is a .gitignore: no failed open per directory.
      const ig = entries.some((e) => e.name === '.gitignore') ? readGitignore(dir) : undefined;
      const here = ig ? [...levels, { dir, ig }] : levels;
      // Handed to the document store, which looks up COPY sources in the same directories.
      listings?.set(dir, new Set(entries.map((e) => e.name)));
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const child = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (SKIP_DIRS.has(e.name) || ignoredBy(here, child, true)) continue;
          yield* walk(child, here);
        } else if ((e.isFile() || e.isSymbolicLink()) && isDockerfileName(e.name) && !ignoredBy(here, child, false)) {
          if (!seen.has(child)) { seen.add(child); yield { abs: child, kind: 'dockerfile', explicit: false }; }
        } else if ((e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/i.test(e.name) && !ignoredBy(here, child, false)) {
          // compose files by name; other YAML only when it holds Kubernetes objects
          const kind = walkedYamlKind(child);
          if (kind && !seen.has(child)) { seen.add(child); yield { abs: child, kind, explicit: false }; }
        }
      }
    };
    yield* walk(abs, rootLevels);
  }
}

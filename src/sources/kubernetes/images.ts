/**
 * Which Dockerfile in the repository builds the image a manifest names: `--image-map NAME=PATH` first,
 * else a Dockerfile whose directory or suffix is the image's name (`ghcr.io/acme/api:1.2` ->
 * `api/Dockerfile`, `services/api/Dockerfile`, `Dockerfile.api`, `api.Dockerfile`). Several candidates:
 * none is picked (the message says which).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../util/errors.js';
import { parseImageRef } from '../images.js';
import { displayPath } from '../../document/document.js';

export interface ImageLink {
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /** Build target stage, from `--image-map NAME=PATH:STAGE`... (`#STAGE`). */
  target?: string;
  how: string;
}

export interface ImageLinkResult {
  link?: ImageLink;
  /** Several Dockerfiles matched by name. */
  ambiguous?: string[];
}

const DOCKERFILE = /^(Dockerfile|Containerfile)([.-].+)?$|\.(Dockerfile|Containerfile)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'vendor', '.venv', 'venv', '__pycache__', 'dist', 'build', 'target', '.terraform']);
const MAX_ENTRIES = 20_000;

/** A bounded search for Dockerfiles under root (used when the run did not walk the repository itself). */
export function findDockerfiles(root: string, maxDepth = 6): string[] {
  const out: string[] = [];
  let seen = 0;
  const visit = (dir: string, depth: number): void => {
    if (depth > maxDepth || seen > MAX_ENTRIES) return;
    let ents: fs.Dirent[];
    try { ents = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      if (++seen > MAX_ENTRIES) return;
      if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) visit(path.join(dir, e.name), depth + 1); }
      else if (e.isFile() && DOCKERFILE.test(e.name)) out.push(path.join(dir, e.name));
    }
  };
  visit(root, 0);
  return out.sort();
}

/** The repository root: the nearest directory with .git above `from`, else `from`. */
export function repoRoot(from: string): string {
  let dir = path.resolve(from);
  for (let i = 0; i < 64; i++) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.resolve(from);
}

function imageNames(image: string): { full: string; repo: string; last: string } {
  const r = parseImageRef(image);
  const repo = r.registry ? `${r.registry}/${r.repository}` : r.repository;
  return { full: image.trim(), repo, last: r.repository.slice(r.repository.lastIndexOf('/') + 1) };
}

export class ImageLinker {
  private dockerfiles: string[] | undefined;

  /**
   * @param map `--image-map` entries: NAME (full ref, repository, or last path part) -> Dockerfile path (`#STAGE` for a target).
   * @param dockerfiles Dockerfiles found by the run's walk, or undefined to search `root` when first needed.
   */
  constructor(private readonly map: Readonly<Record<string, string>>, dockerfiles: readonly string[] | undefined, private readonly root: string, private readonly cwd = process.cwd()) {
    if (dockerfiles) this.dockerfiles = [...dockerfiles];
  }

  link(image: string): ImageLinkResult {
    const n = imageNames(image);
    for (const key of [n.full, n.repo, n.last]) {
      const to = this.map[key];
      if (to === undefined) continue;
      const [p, target] = to.split('#') as [string, string | undefined];
      let abs = path.resolve(this.cwd, p);
      try { if (fs.statSync(abs).isDirectory()) abs = path.join(abs, 'Dockerfile'); } catch { /* reported when read */ }
      return { link: { dockerfile: abs, ...(target ? { target } : {}), how: `--image-map ${key}=${to}` } };
    }
    if (!n.last) return {};
    this.dockerfiles ??= findDockerfiles(this.root);
    const name = n.last.toLowerCase();
    const hits = this.dockerfiles.filter((f) => {
      const base = path.basename(f).toLowerCase();
      const dir = path.basename(path.dirname(f)).toLowerCase();
      const suffix = /^(?:dockerfile|containerfile)[.-](.+)$/.exec(base)?.[1] ?? /^(.+)\.(?:dockerfile|containerfile)$/.exec(base)?.[1];
      if (suffix !== undefined) return suffix === name;
      return dir === name && /^(dockerfile|containerfile)$/.test(base);
    });
    if (hits.length === 1) return { link: { dockerfile: hits[0] as string, how: `the image name "${n.last}" matches ${displayPath(hits[0] as string, this.cwd)}` } };
    if (hits.length > 1) return { ambiguous: hits };
    return {};
  }
}

/** Parse `--image-map NAME=PATH` values. */
export function parseImageMap(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new UserError(`--image-map expects NAME=PATH, got "${v}"`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/**
 * What a COPY/ADD puts where (BuildKit's rules, https://docs.docker.com/reference/dockerfile/#copy): a
 * directory source copies its contents into the destination; a file lands at the destination, or inside
 * it when the destination is a directory (ends with `/`, is `.`, or there are several sources or a glob).
 */
import path from 'node:path';
import { globToRe } from '../../util/files.js';
import type { CopyOp, Stage } from './parse.js';

/** What the lookups need of the build context. */
export interface ContextDirs {
  /** Is this path of the build context (relative) a directory? */
  isDir(rel: string): boolean;
}

const GLOB = /[*?[]/;

/** Is this source a directory whose contents are copied? (A --from source is one when written so.) */
function isDirSource(c: CopyOp, src: string, ctx: ContextDirs): boolean {
  return !GLOB.test(src) && (src.endsWith('/') || src === '.' || (c.from === undefined && ctx.isDir(src)));
}

/**
 * Does `src` of a `--from` copy give `p` only because pid1 takes it for a directory (no trailing slash, and `p` is not
 * the destination or the source's own name under it)? Then the stage may not hold it, and an earlier copy may.
 */
export function takenForDirectory(c: CopyOp, src: string, p: string): boolean {
  if (c.from === undefined || src.endsWith('/') || src === '.' || GLOB.test(src) || c.dest === p) return false;
  const rel = p.slice(c.dest === '/' ? 1 : c.dest.length + 1);
  return rel !== path.posix.basename(src);
}

/**
 * The path the source `src` of copy `c` gives the image file `p` from (relative to the build context, or
 * a path in the --from stage); undefined when this source does not cover `p`. Heredoc sources are not
 * handled here. `inferDirs`: a --from source without a trailing slash may be a directory (takenForDirectory).
 */
export function sourceFor(c: CopyOp, src: string, p: string, ctx: ContextDirs, inferDirs = false): string | undefined {
  const under = p.startsWith(c.dest === '/' ? '/' : `${c.dest}/`);
  if (c.dest !== p && !under) return undefined; // cheap test first: no stat for copies elsewhere
  const srcDir = isDirSource(c, src, ctx);
  // `COPY run.sh /opt/app` then `CMD ["/opt/app/run.sh"]`: a path under the destination that ends in the file's own
  // name says the destination was a directory of the base image (Docker copies a file into an existing directory)
  const rel = under ? p.slice(c.dest === '/' ? 1 : c.dest.length + 1) : '';
  // A stage's directory copied without a trailing slash (`COPY --from=build /app/dist ./dist`): a path under the
  // destination that is not the source's own name comes from under the source, which is then a directory (Docker
  // copies a directory's contents to the destination; a file lands at the destination or under its own name there).
  const fromDir = inferDirs && under && c.from !== undefined && !GLOB.test(src) && rel !== path.posix.basename(src);
  if (!c.destDir && !srcDir) return c.dest === p ? src : under && !GLOB.test(src) && p === `${c.dest}/${path.posix.basename(src)}` ? src : fromDir ? path.posix.join(src, rel) : undefined;
  if (!under) return undefined;
  if (srcDir) return path.posix.join(src, rel);
  if (GLOB.test(src)) return !rel.includes('/') && globToRe(path.posix.basename(src)).test(rel) ? path.posix.join(path.posix.dirname(src), rel) : undefined;
  return path.posix.basename(src) === rel ? src : fromDir ? path.posix.join(src, rel) : undefined;
}

/**
 * How the source `src` of copy `c` fills the image directory `dir`: the directory whose contents land
 * there (`{ dir }`), or single files by name (`{ files }`, with a glob's pattern to match in its context
 * directory); undefined when it puts nothing there.
 */
export function dirSourceFor(c: CopyOp, src: string, dir: string, ctx: ContextDirs): { dir: string } | { files: string[]; glob?: { dir: string; pattern: RegExp } } | undefined {
  if (isDirSource(c, src, ctx)) {
    if (dir === c.dest) return { dir: src };
    if (dir.startsWith(c.dest === '/' ? '/' : `${c.dest}/`)) return { dir: path.posix.join(src, dir.slice(c.dest === '/' ? 1 : c.dest.length + 1)) };
    return undefined;
  }
  if (GLOB.test(src)) return c.dest === dir ? { files: [], glob: { dir: path.posix.dirname(src), pattern: globToRe(path.posix.basename(src)) } } : undefined;
  if (c.destDir) return c.dest === dir ? { files: [path.posix.basename(src)] } : undefined;
  return path.posix.dirname(c.dest) === dir ? { files: [path.posix.basename(c.dest)] } : undefined;
}

/** The image `COPY --from=IMAGE` copies from, when it names no stage of the Dockerfile (nor a number, a stage's index). */
export function copiedImage(c: CopyOp, stages: readonly Stage[]): string | undefined {
  if (c.from === undefined || /^\d+$/.test(c.from)) return undefined;
  const name = c.from.toLowerCase();
  return stages.some((s) => s.name === name) ? undefined : c.from;
}

/** The stage a `COPY --from=NAME|INDEX` reads; undefined for an image (or a stage not yet defined). */
export function fromStage(c: CopyOp, stage: Stage, stages: readonly Stage[]): Stage | undefined {
  if (c.from === undefined) return undefined;
  const from = stages.find((s) => s.name === c.from?.toLowerCase()) ?? (/^\d+$/.test(c.from) ? stages[Number(c.from)] : undefined);
  return from && from !== stage ? from : undefined;
}

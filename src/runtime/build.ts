/**
 * `pid1 test --build DIR`: build the image through the Engine API (dockerode packs the context and
 * honours .dockerignore), labelled with the run so that it is removed afterwards or by --cleanup.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { UserError, errnoOf, messageOf } from '../util/errors.js';
import { engineMessage } from './docker.js';

export interface BuildRequest {
  context: string;
  /** Dockerfile path (relative to the context, or absolute inside it). */
  file?: string;
  target?: string;
  args?: Record<string, string>;
  tag: string;
  labels: Record<string, string>;
}

interface BuildMessage { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }

export interface Built {
  id: string;
  /**
   * Images this build committed (not cache hits): the classic builder leaves those of stages that are not
   * the target's parents dangling, as `docker build` does; they are removed with the image.
   */
  created: string[];
}

/** The step images the builder committed, from its output: ` ---> ID` not preceded by ` ---> Using cache`. */
function createdImages(messages: BuildMessage[]): string[] {
  const out: string[] = [];
  let cached = false;
  for (const line of messages.map((m) => m.stream ?? '').join('').split('\n')) {
    if (/^Step \d+\/\d+ : /.test(line)) cached = false;
    else if (/^ ---> Using cache/.test(line)) cached = true;
    else {
      const m = /^ ---> ([0-9a-f]{12,64})\s*$/.exec(line);
      if (m?.[1] && !cached) out.push(m[1]);
    }
  }
  return out;
}

/** Remove what a build left, without force: an image still used (a tag, a child, a container) stays. */
export async function removeBuilt(docker: Docker, built: Built | undefined, tag: string): Promise<void> {
  try {
    await docker.getImage(tag).remove({ force: true });
  } catch (err) {
    if (!/404|no such image/i.test(engineMessage(err))) throw err;
  }
  for (const id of [...(built?.created ?? [])].reverse()) {
    try {
      const info = await docker.getImage(id).inspect();
      if (info.RepoTags?.length) continue;
      await docker.getImage(id).remove();
    } catch {
      /* gone, or still needed by something else */
    }
  }
}

/** Build and return the image ID; a failing build is one line naming the step that failed. */
export async function buildImage(docker: Docker, req: BuildRequest, onBuilt?: (b: Built) => void): Promise<string> {
  const context = path.resolve(req.context);
  let entries: string[];
  try {
    if (!fs.statSync(context).isDirectory()) throw new UserError(`--build ${req.context}: not a directory`);
    entries = fs.readdirSync(context);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`--build ${req.context}: ${errnoOf(err) === 'ENOENT' ? 'no such directory' : messageOf(err)}`);
  }
  let dockerfile = 'Dockerfile';
  if (req.file !== undefined) {
    const abs = path.resolve(path.isAbsolute(req.file) ? req.file : path.join(context, req.file));
    const rel = path.relative(context, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UserError(`--file ${req.file} is outside the build context ${req.context}`);
    dockerfile = rel.split(path.sep).join('/');
  }
  if (!fs.existsSync(path.join(context, dockerfile))) throw new UserError(`--build ${req.context}: no ${dockerfile} in the build context`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage({ context, src: entries }, {
      t: req.tag, dockerfile, labels: req.labels, rm: true, forcerm: true,
      ...(req.target ? { target: req.target } : {}),
      ...(req.args ? { buildargs: req.args } : {}),
    });
  } catch (err) {
    throw new UserError(`build of ${req.context} failed: ${engineMessage(err)}`);
  }
  const messages = await new Promise<BuildMessage[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: BuildMessage[]) => (err ? reject(err) : resolve(out)));
  }).catch((err: unknown) => {
    throw new UserError(`build of ${req.context} failed: ${engineMessage(err)}`);
  });
  onBuilt?.({ id: '', created: createdImages(messages) });
  const failed = messages.find((m) => m.error || m.errorDetail);
  if (failed) {
    const step = [...messages.slice(0, messages.indexOf(failed))].reverse().find((m) => m.stream && /^Step \d+\/\d+ : /.test(m.stream));
    const why = (failed.errorDetail?.message ?? failed.error ?? 'unknown error').trim().split('\n')[0] ?? '';
    throw new UserError(`build of ${req.context} failed${step?.stream ? ` at ${step.stream.trim()}` : ''}: ${why}`);
  }
  const id = messages.map((m) => m.aux?.ID).filter(Boolean).pop();
  if (id) return id;
  const built = messages.map((m) => /Successfully built ([0-9a-f]+)/.exec(m.stream ?? '')?.[1]).filter(Boolean).pop();
  return built ?? req.tag;
}

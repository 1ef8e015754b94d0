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

/** Build and return the image ID; a failing build is one line naming the step that failed. */
export async function buildImage(docker: Docker, req: BuildRequest): Promise<string> {
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

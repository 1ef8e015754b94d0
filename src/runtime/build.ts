/**
 * `pid1 test --build DIR`: build the image through the Engine API (dockerode packs the context and
 * honours .dockerignore), labelled with the run so that it is removed afterwards or by --cleanup.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { BuildSpec } from '../sources/launch.js';
import { UserError, errnoOf, messageOf } from '../util/errors.js';
import { engineMessage, engineStatusOf } from './docker.js';

/** A build spec (its Dockerfile relative to the context, or absolute inside it), and how to run it. */
export interface BuildRequest extends BuildSpec {
  tag: string;
  labels: Record<string, string>;
  /** Cancels the build: the engine stops building when its client goes away. */
  signal?: AbortSignal;
}

interface BuildMessage { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }

export interface Built {
  id: string;
  /**
   * Images this build committed (not cache hits): the classic builder leaves those of stages that are not
   * the target's parents dangling, as `docker build` does; they are removed with the image.
   */
  created: string[];
  /** The step container still running when the build was cancelled or failed (` ---> Running in ID`). */
  running?: string;
}

/**
 * What the classic builder's output says it made: the images of the steps it committed (` ---> ID` after
 * a step that was not ` ---> Using cache`, and not the image a `FROM` names), and the step container
 * it started last unless it said it removed it.
 */
function builtFrom(messages: BuildMessage[]): Built {
  const created: string[] = [];
  let running: string | undefined;
  let own = false;
  for (const line of messages.map((m) => m.stream ?? '').join('').split('\n')) {
    const step = /^Step \d+\/\d+ : (\S+)/.exec(line);
    if (step) own = step[1]?.toUpperCase() !== 'FROM';
    else if (/^ ---> Using cache/.test(line)) own = false;
    else if (/^ ---> Running in ([0-9a-f]{12,64})/.test(line)) running = /^ ---> Running in ([0-9a-f]{12,64})/.exec(line)?.[1];
    else if (/^ ---> Removed intermediate container/.test(line) || /^Removing intermediate container/.test(line)) running = undefined;
    else {
      const m = /^ ---> ([0-9a-f]{12,64})\s*$/.exec(line);
      if (m?.[1] && own) created.push(m[1]);
    }
  }
  return { id: '', created, ...(running ? { running } : {}) };
}

/**
 * Remove what a build left, without force: an image still used (another tag, a child, a container) stays.
 * Removing the tag of an image that has other tags only untags it (the engine's rule for `docker rmi TAG`).
 * pid1's own container is removed before this (resources are released in reverse order).
 */
export async function removeBuilt(docker: Docker, built: Built | undefined, tag: string): Promise<void> {
  if (built?.running) {
    // A cancelled build's step container: the engine kills it in its own time; it holds the images below.
    try {
      await docker.getContainer(built.running).remove({ force: true, v: true });
    } catch (err) {
      if (engineStatusOf(err) !== 404) throw new Error(`build container ${built.running.slice(0, 12)}: ${engineMessage(err)}`);
    }
  }
  try {
    await docker.getImage(tag).remove();
  } catch (err) {
    if (engineStatusOf(err) !== 404) throw new Error(`image ${tag}: ${engineMessage(err)}`);
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

/**
 * The builder's JSON messages, as they come. Ends with the stream, also when it is closed without an
 * `end` (a cancelled build's connection is destroyed).
 */
function followBuild(stream: NodeJS.ReadableStream, into: BuildMessage[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = '';
    const take = (line: string): void => {
      if (!line.trim()) return;
      try {
        into.push(JSON.parse(line) as BuildMessage);
      } catch {
        /* not a message */
      }
    };
    stream.on('data', (chunk: Buffer) => {
      rest += chunk.toString('utf8');
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        take(rest.slice(0, i));
        rest = rest.slice(i + 1);
      }
    });
    const done = (): void => { take(rest); rest = ''; resolve(); };
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', reject);
  });
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
  if (req.dockerfile !== undefined) {
    const abs = path.resolve(path.isAbsolute(req.dockerfile) ? req.dockerfile : path.join(context, req.dockerfile));
    const rel = path.relative(context, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UserError(`--file ${req.dockerfile} is outside the build context ${req.context}`);
    dockerfile = rel.split(path.sep).join('/');
  }
  if (!fs.existsSync(path.join(context, dockerfile))) throw new UserError(`--build ${req.context}: no ${dockerfile} in the build context`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage({ context, src: entries }, {
      t: req.tag, dockerfile, labels: req.labels, rm: true, forcerm: true,
      ...(req.target ? { target: req.target } : {}),
      ...(Object.keys(req.args).length ? { buildargs: req.args } : {}),
      ...(req.signal ? { abortSignal: req.signal } : {}),
    });
  } catch (err) {
    throw new UserError(`build of ${req.context} ${req.signal?.aborted ? 'was cancelled' : `failed: ${engineMessage(err)}`}`);
  }
  const messages: BuildMessage[] = [];
  try {
    await followBuild(stream, messages);
  } catch (err) {
    throw new UserError(`build of ${req.context} ${req.signal?.aborted ? 'was cancelled' : `failed: ${engineMessage(err)}`}`);
  } finally {
    // Also after a failed or cancelled build: the step images it committed are removed with the tag.
    onBuilt?.(builtFrom(messages));
  }
  if (req.signal?.aborted) throw new UserError(`build of ${req.context} was cancelled`);
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

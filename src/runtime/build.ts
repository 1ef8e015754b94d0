/**
 * `pid1 test --build DIR`: build the image through the Engine API, every image and container the build
 * creates labelled with the run from the moment it exists, so that it is removed afterwards, on Ctrl-C,
 * or later by `pid1 test --cleanup` (also when pid1 itself was killed mid-build).
 *
 * The classic builder (what the Engine API's /build runs unless BuildKit is asked for) commits an image
 * for every step and runs a container for most; the build's `labels` option labels only the final
 * image (daemon: the labels are added as a last LABEL step of the target stage). So pid1 builds a copy
 * of the Dockerfile with a LABEL instruction right after every FROM: every later step's container and
 * image inherits the labels from its parent's config. The copy travels in the context next to the
 * user's files, and a .dockerignore entry makes the builder drop it from the context once read (the
 * builder removes the Dockerfile and .dockerignore when .dockerignore matches them), so COPY never sees it.
 * Cost: no cache hits after a FROM (the run's label differs each run); pid1's build images are removed
 * after each test anyway, and a BuildKit build's cache is not the classic builder's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import type Docker from 'dockerode';
import tar from 'tar-fs';
import { lexDockerfile } from '../sources/dockerfile/lexer.js';
import type { BuildSpec } from '../sources/launch.js';
import { UserError, errnoOf, messageOf } from '../util/errors.js';
import { sleep } from './clock.js';
import { engineMessage, engineStatusOf } from './docker.js';
import { RUN_LABEL, removeImagesLeavesFirst } from './cleanup.js';

/** A build spec (its Dockerfile relative to the context, or absolute inside it), and how to run it. */
interface BuildRequest extends BuildSpec {
  tag: string;
  labels: Record<string, string>;
  /** Cancels the build: the engine stops building when its client goes away. */
  signal?: AbortSignal;
}

interface BuildMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export interface Built {
  /**
   * The step container still running when the build was cancelled or failed (` ---> Running in ID`). It
   * carries the run's labels too; named here so that it is removed even before the engine lists it.
   */
  running?: string;
}

/** The step container the classic builder started last, unless its output says it removed it. */
function builtFrom(messages: BuildMessage[]): Built {
  let running: string | undefined;
  for (const line of messages
    .map((m) => m.stream ?? '')
    .join('')
    .split('\n')) {
    const started = /^ ---> Running in ([0-9a-f]{12,64})/.exec(line);
    if (started) running = started[1];
    else if (/^ ---> Removed intermediate container/.test(line) || /^Removing intermediate container/.test(line)) running = undefined;
  }
  return running ? { running } : {};
}

/** A LABEL instruction carrying `labels` (JSON strings are valid Dockerfile quoting for keys and values). */
function labelInstruction(labels: Record<string, string>): string {
  return `LABEL ${Object.entries(labels)
    .map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`)
    .join(' ')}`;
}

/** The Dockerfile with `LABEL <labels>` after every FROM, and the original line after which each was added. */
function labelledDockerfile(text: string, labels: Record<string, string>): { text: string; insertedAfter: number[] } {
  const label = labelInstruction(labels);
  const ends = lexDockerfile(text)
    .instructions.filter((i) => i.keyword === 'FROM')
    .map((i) => i.end);
  let out = '';
  let from = 0;
  const insertedAfter: number[] = [];
  for (const end of ends) {
    out += `${text.slice(from, end)}\n${label}`;
    from = end;
    insertedAfter.push(text.slice(0, end).split('\n').length);
  }
  return { text: out + text.slice(from), insertedAfter };
}

/**
 * Remove what a build of run `runId` left: its step containers and every image that carries the run's
 * label (the tag's too), children first. pid1's own container is removed before this (resources are
 * released in reverse order). A cancelled build goes on a little inside the engine (it notices the
 * client is gone, kills the step's container, and may be creating one as it does): so this repeats
 * until a round finds nothing labelled with the run, for at most `withinMs`.
 */
export async function removeBuilt(docker: Docker, built: Built | undefined, tag: string, runId: string, withinMs = 10_000): Promise<void> {
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const end = Date.now() + withinMs;
  let failed: string[] = [];
  for (let round = 0; ; round++) {
    failed = [];
    const containers = new Set<string>(round === 0 && built?.running ? [built.running] : []);
    for (const c of await docker.listContainers({ all: true, filters })) containers.add(c.Id);
    for (const id of containers) {
      try {
        await docker.getContainer(id).remove({ force: true, v: true });
      } catch (err) {
        if (engineStatusOf(err) !== 404) failed.push(`build container ${id.slice(0, 12)}: ${engineMessage(err)}`);
      }
    }
    const images = await docker.listImages({ all: true, filters });
    failed.push(...(await removeImagesLeavesFirst(docker, images, false)).failed);
    try {
      await docker.getImage(tag).remove(); // gone with its labelled image, unless the build never got that far
    } catch (err) {
      if (engineStatusOf(err) !== 404) failed.push(`${tag}: ${engineMessage(err)}`);
    }
    if (!containers.size && !images.length && !failed.length) return;
    if (Date.now() > end) break;
    await sleep(200);
  }
  if (failed.length) throw new Error(`what the build made: ${failed.join('; ')}`);
}

/** The `!` patterns of a .dockerignore, cleaned as the CLI reads them (no leading `/` or `./`, no trailing `/`). */
function exceptionPatterns(ignoreText: string): string[] {
  return ignoreText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!') && !l.startsWith('#'))
    .map((l) => path.posix.normalize(l.slice(1).trim()).replace(/^\/+/, '').replace(/^\.\//, '').replace(/\/+$/, ''))
    .filter((l) => l !== '' && l !== '.');
}

/**
 * The build context as the docker CLI sends it: the directory's files minus what .dockerignore excludes,
 * plus the labelled Dockerfile, and a .dockerignore that also names it (so the builder drops it after
 * reading it). `.dockerignore` itself is always sent, as the CLI does, so the builder can apply it.
 */
function contextStream(context: string, entries: string[], dockerfileName: string, dockerfileText: string): Readable {
  let ignoreText: string | undefined;
  try {
    ignoreText = fs.readFileSync(path.join(context, '.dockerignore'), 'utf8');
  } catch {
    /* none */
  }
  // The matcher dockerode itself uses (Docker's .dockerignore rules); a CommonJS module whose factory is also its `default`.
  const keep = ignoreText !== undefined ? dockerignore.default({ ignorecase: false }).add(ignoreText).createFilter() : undefined;
  // An excluded directory is walked only when an exception (`!dir/keep.txt`) starts with its path, and
  // its files are then filtered one by one; otherwise it is skipped whole (moby pkg/archive
  // TarWithOptions, which the docker CLI packs the context with). Unlike the CLI, tar-fs also sends the
  // walked directory's own entry: it exists in the image either way, as the files it holds are sent.
  const exceptions = exceptionPatterns(ignoreText ?? '');
  const skip = (abs: string): boolean => {
    const rel = path.relative(context, abs).split(path.sep).join('/');
    if (!keep || keep(rel)) return false;
    if (!exceptions.some((x) => `${x}/`.startsWith(`${rel}/`))) return true;
    try {
      return !fs.statSync(abs).isDirectory();
    } catch {
      return true;
    }
  };
  // The file was not there: `.dockerignore` names itself too, or COPY . would copy it into the image.
  const ours = `${ignoreText !== undefined ? `${ignoreText}\n` : '.dockerignore\n'}${dockerfileName}\n`;
  return tar.pack(context, {
    // tar-fs calls `ignore` with absolute paths, for the entries below the top level.
    entries: entries.filter((e) => e !== '.dockerignore' && !skip(path.join(context, e))),
    ...(keep ? { ignore: skip } : {}),
    finalize: false,
    finish: (pack) => {
      pack.entry({ name: '.dockerignore', mode: 0o644 }, ours);
      pack.entry({ name: dockerfileName, mode: 0o644 }, dockerfileText);
      pack.finalize();
    },
  });
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
    const done = (): void => {
      take(rest);
      rest = '';
      resolve();
    };
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
  let original: string;
  try {
    original = fs.readFileSync(path.join(context, dockerfile), 'utf8');
  } catch (err) {
    throw new UserError(`--build ${req.context}: ${errnoOf(err) === 'ENOENT' ? `no ${dockerfile} in the build context` : `cannot read ${dockerfile}: ${messageOf(err)}`}`);
  }
  const labelled = labelledDockerfile(original, req.labels);
  const generated = `.pid1-test-${req.labels[RUN_LABEL] ?? 'build'}.Dockerfile`;
  // The builder's messages name the copy: name the user's file and its own line numbers instead.
  const userLine = (n: number): number => n - labelled.insertedAfter.filter((after, i) => after + i + 1 < n).length;
  const mapMessage = (m: string): string =>
    m
      .split(generated)
      .join(dockerfile)
      .replace(/\bline (\d+)/g, (_, n: string) => `line ${userLine(Number(n))}`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(contextStream(context, entries, generated, labelled.text), {
      t: req.tag,
      dockerfile: generated,
      labels: req.labels,
      rm: true,
      forcerm: true,
      ...(req.target ? { target: req.target } : {}),
      ...(Object.keys(req.args).length ? { buildargs: req.args } : {}),
      ...(req.signal ? { abortSignal: req.signal } : {}),
    });
  } catch (err) {
    throw new UserError(`build of ${req.context} ${req.signal?.aborted ? 'was cancelled' : `failed: ${mapMessage(engineMessage(err))}`}`);
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
    const why = mapMessage((failed.errorDetail?.message ?? failed.error ?? 'unknown error').trim().split('\n')[0] ?? '');
    throw new UserError(`build of ${req.context} failed${step?.stream ? ` at ${step.stream.trim().replace(/^Step \d+\/\d+ : /, '')}` : ''}: ${why}`);
  }
  const id = messages
    .map((m) => m.aux?.ID)
    .filter(Boolean)
    .pop();
  if (id) return id;
  const built = messages
    .map((m) => /Successfully built ([0-9a-f]+)/.exec(m.stream ?? '')?.[1])
    .filter(Boolean)
    .pop();
  return built ?? req.tag;
}

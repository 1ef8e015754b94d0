/**
 * --probe-images: look inside local images (through the Docker Engine API, dockerode) for what the table
 * cannot know: which program /bin/sh is, and the image's own ENTRYPOINT, CMD, STOPSIGNAL, SHELL and ENV.
 * The image is never run: a container is created (not started), /bin/sh is read with the archive API
 * (a symlink names its target; a binary is recognised by its signature), and the container is removed.
 */
import path from 'node:path';
import type Docker from 'dockerode';
import { shellFamilyOfBinary, type ShellFamily } from '../model/programs.js';
import type { ProbedImage } from '../sources/launch.js';
import { messageOf } from '../util/errors.js';
import { newRun } from './cleanup.js';
import { firstTarEntry } from './tar.js';

/** Which shell a program name or binary is. */
function familyOfBinary(name: string, content?: Buffer): ShellFamily | undefined {
  const known = shellFamilyOfBinary(name);
  if (known) return known;
  if (content?.length) {
    if (content.includes('BusyBox v')) return 'ash';
    if (content.includes('GNU bash') || content.includes('BASH_VERSION')) return 'bash';
    if (content.includes('dash') && content.includes('PS1')) return 'dash';
  }
  return undefined;
}

async function readArchive(c: Docker.Container, p: string): Promise<Buffer | undefined> {
  try {
    const stream = await c.getArchive({ path: p });
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total > 64 * 1024 * 1024) break;
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** /bin/sh of a created container: follow symlinks (up to 8) and name the program. */
async function shellOf(c: Docker.Container): Promise<{ family: ShellFamily; how: string }> {
  let p = '/bin/sh';
  const hops: string[] = [p];
  for (let i = 0; i < 8; i++) {
    const tar = await readArchive(c, p);
    if (!tar) return i === 0 ? { family: 'none', how: 'no /bin/sh in the image' } : { family: 'unknown', how: `${hops.join(' -> ')} is missing` };
    const e = firstTarEntry(tar);
    if (!e) return { family: 'unknown', how: `cannot read ${p}` };
    if (e.type === '2') {
      const fam = familyOfBinary(e.link);
      hops.push(e.link);
      if (fam) return { family: fam, how: hops.join(' -> ') };
      p = path.posix.resolve(path.posix.dirname(p), e.link);
      continue;
    }
    if (e.type === '1') {
      p = path.posix.resolve('/', e.link);
      hops.push(p);
      continue;
    }
    const fam = familyOfBinary(p, e.content);
    return fam ? { family: fam, how: `${hops.join(' -> ')} (${fam} binary)` } : { family: 'unknown', how: `${hops.join(' -> ')} is an unrecognised program` };
  }
  return { family: 'unknown', how: `${hops.join(' -> ')}: too many links` };
}

/** Probe each image (local only: nothing is pulled). Failures become `unknown` with the reason. */
export async function probeImages(docker: Docker, refs: readonly string[]): Promise<Map<string, ProbedImage>> {
  const out = new Map<string, ProbedImage>();
  for (const ref of new Set(refs)) {
    if (ref.toLowerCase() === 'scratch') continue;
    let info: Docker.ImageInspectInfo;
    try {
      info = await docker.getImage(ref).inspect();
    } catch (err) {
      out.set(ref, { family: 'unknown', how: (err as { statusCode?: number }).statusCode === 404 ? `${ref} is not a local image (pid1 does not pull)` : `cannot inspect ${ref}: ${messageOf(err)}` });
      continue;
    }
    const cfg = info.Config as unknown as { Entrypoint?: string[] | null; Cmd?: string[] | null; StopSignal?: string; Shell?: string[] | null; Env?: string[] | null };
    const env: Record<string, string> = {};
    for (const kv of cfg.Env ?? []) {
      const i = kv.indexOf('=');
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    let container: Docker.Container | undefined;
    let fam: { family: ShellFamily; how: string };
    try {
      container = await docker.createContainer({ Image: ref, Entrypoint: ['/pid1-probe-never-runs'], Cmd: [], Labels: { 'pid1.probe': '1', ...newRun().labels }, NetworkDisabled: true });
      fam = await shellOf(container);
    } catch (err) {
      fam = { family: 'unknown', how: `cannot look inside ${ref}: ${messageOf(err)}` };
    } finally {
      if (container) await container.remove({ force: true, v: true }).catch(() => undefined);
    }
    out.set(ref, {
      ...fam,
      ...(cfg.Entrypoint?.length ? { entrypoint: cfg.Entrypoint } : {}),
      ...(cfg.Cmd?.length ? { cmd: cfg.Cmd } : {}),
      ...(cfg.StopSignal ? { stopSignal: cfg.StopSignal } : {}),
      ...(cfg.Shell?.length ? { shell: cfg.Shell } : {}),
      env,
    });
  }
  return out;
}

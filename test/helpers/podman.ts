/**
 * Real Podman for tests: its service on the rootful socket (scripts/install-deps.sh starts it), images
 * imported through the compat API from a rootfs assembled from host files, containers with no
 * network, labelled pid1.test=1 and removed when the test process ends, also when a test fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import type Docker from 'dockerode';
import { ensurePodman, podmanEngine, ROOTFUL_SOCKET, type PodmanEndpoint } from '../../src/runtime/podman.js';
import { buildRootfs, type RootfsOptions } from './rootfs.js';

export const PODMAN_SOCKET = process.env.PID1_TEST_PODMAN_SOCKET ?? ROOTFUL_SOCKET;
export const podmanEp: PodmanEndpoint = { socketPath: PODMAN_SOCKET, where: `unix://${PODMAN_SOCKET}` };
const containers = new Set<string>();
const images = new Set<string>();
let engine: Docker | undefined;
let version: Promise<string> | undefined;

export async function podman(): Promise<Docker> {
  engine ??= await podmanEngine(podmanEp);
  return engine;
}

/** The Podman version answering, or undefined when none does. */
export async function podmanVersion(): Promise<string | undefined> {
  // One question for the whole process (tests running side by side ask together), patient under load.
  version ??= (async () => {
    try {
      return (await ensurePodman(await podman(), podmanEp, 20_000)).version;
    } catch {
      return '';
    }
  })();
  return (await version) || undefined;
}

/** Skip the test when Podman does not answer, unless PID1_REQUIRE_DOCKER=1 (CI: install-deps starts it), where that fails. */
export async function requirePodman(t: TestContext): Promise<boolean> {
  if (await podmanVersion()) return true;
  if (process.env.PID1_REQUIRE_DOCKER === '1') throw new Error(`PID1_REQUIRE_DOCKER=1 but no Podman service answers at ${PODMAN_SOCKET} (scripts/install-deps.sh starts it)`);
  t.skip(`no Podman service at ${PODMAN_SOCKET} (scripts/install-deps.sh starts one)`);
  return false;
}

function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

const built = new Map<string, string>();

/** An image imported through the compat API (POST /images/create?fromSrc=-) from an assembled rootfs. */
export async function podmanImage(opts: RootfsOptions & { stopSignal?: string }): Promise<string> {
  const key = JSON.stringify(opts);
  const have = built.get(key);
  if (have) return have;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-rootfs-'));
  try {
    buildRootfs(dir, opts);
    const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 512 * 1024 * 1024 });
    const repo = `localhost/pid1-test-${opts.shell}`;
    const tag = unique('t');
    const ref = `${repo}:${tag}`;
    images.add(ref);
    const changes = ['LABEL pid1.test=1', 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', ...(opts.stopSignal ? [`STOPSIGNAL ${opts.stopSignal}`] : [])];
    const docker = await podman();
    // Podman 4.3's compat import ignores `tag` (it tags :latest): the tag goes in `repo`.
    const stream = await docker.importImage(Readable.from([tar]), { repo: ref, changes });
    // The answer is a progress stream; the import is done when it ends.
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
    built.set(key, ref);
    return ref;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface PodmanRun {
  image: string;
  entrypoint?: string[];
  cmd?: string[];
  init?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
}

/** Create and start a labelled container with no network through the compat API; returns its ID. */
export async function startPodmanContainer(o: PodmanRun): Promise<{ id: string; name: string }> {
  const name = unique('pid1-test');
  containers.add(name);
  const docker = await podman();
  const c = await docker.createContainer({
    name,
    Image: o.image,
    Labels: { 'pid1.test': '1' },
    ...(o.entrypoint ? { Entrypoint: o.entrypoint } : {}),
    ...(o.cmd ? { Cmd: o.cmd } : {}),
    ...(o.stopSignal ? { StopSignal: o.stopSignal } : {}),
    ...(o.stopTimeout !== undefined ? { StopTimeout: o.stopTimeout } : {}),
    HostConfig: { NetworkMode: 'none', Init: Boolean(o.init) },
  });
  await c.start();
  return { id: c.id, name };
}

/** Remove one container through the service (the podman CLI would need the service's containers.conf). */
export function removePodmanContainer(name: string): void {
  try {
    execFileSync('podman', ['--remote', '--url', `unix://${PODMAN_SOCKET}`, 'rm', '-f', '-t', '0', name], { stdio: 'pipe', timeout: 30_000 });
  } catch {
    /* already gone */
  }
  containers.delete(name);
}

/** Remove every container and image this process created. Synchronous: it also runs at exit. */
export function cleanupPodman(): void {
  for (const c of [...containers]) removePodmanContainer(c);
  for (const im of [...images]) {
    try {
      execFileSync('podman', ['--remote', '--url', `unix://${PODMAN_SOCKET}`, 'rmi', '-f', im], { stdio: 'pipe', timeout: 30_000 });
    } catch {
      /* already gone */
    }
    images.delete(im);
  }
  built.clear();
}

process.on('exit', cleanupPodman);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanupPodman();
    process.kill(process.pid, sig);
  });
}

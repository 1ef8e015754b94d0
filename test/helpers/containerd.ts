/**
 * Real containerd for tests (the system one on /run/containerd/containerd.sock; scripts/install-deps.sh
 * starts it beside Docker's own): images imported with `ctr images import` from an OCI image layout
 * built here from an assembled rootfs, containers run in the `k8s.io` namespace with what the CRI
 * plugin gives a pod's containers (its OCI annotations, the kubelet's labels, its metadata extension
 * with the stop signal and the kubelet's annotations). Everything is removed when the test process
 * ends (tasks, containers with their snapshots, images, namespaces it created), also when a test fails.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { ContainerdApi } from '../../src/runtime/containerd-api.js';
import { CRI, CRI_METADATA_EXTENSION, KUBELET_ANNOTATIONS, KUBELET_LABELS } from '../../src/runtime/containerd.js';
import { buildRootfs, type RootfsOptions } from './rootfs.js';

export const CONTAINERD_ADDRESS = process.env.PID1_TEST_CONTAINERD_ADDRESS ?? '/run/containerd/containerd.sock';
export const K8S_NS = 'k8s.io';

const tasks = new Set<string>(); // ns/id
const images = new Set<string>(); // ns/name
let namespacesBefore: Set<string> | undefined;
const namespacesUsed = new Set<string>();
let available: boolean | undefined;

export function ctr(args: string[], input?: Buffer): string {
  return execFileSync('ctr', ['--address', CONTAINERD_ADDRESS, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
}

function namespaces(): Set<string> {
  return new Set(
    ctr(['namespaces', 'ls', '-q'])
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export function containerdAvailable(): boolean {
  if (available === undefined) {
    try {
      ctr(['version']);
      namespacesBefore = namespaces();
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** Skip unless containerd answers; under PID1_REQUIRE_DOCKER=1 (CI, where install-deps starts it) fail instead. */
export function requireContainerd(t: TestContext): boolean {
  if (containerdAvailable()) return true;
  if (process.env.PID1_REQUIRE_DOCKER === '1') throw new Error(`PID1_REQUIRE_DOCKER=1 but no containerd answers at ${CONTAINERD_ADDRESS} (scripts/install-deps.sh starts it)`);
  t.skip(`no containerd at ${CONTAINERD_ADDRESS} (scripts/install-deps.sh starts one)`);
  return false;
}

function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface ImageConfig {
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  stopSignal?: string;
}

function sha256(b: Buffer | string): string {
  return `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
}

/**
 * An OCI image layout (image-spec image-layout.md) as a tar: one uncompressed layer, its config and
 * manifest as blobs, index.json naming the image with containerd's io.containerd.image.name annotation.
 */
export function ociArchive(rootfsTar: Buffer, name: string, cfg: ImageConfig): { tar: Buffer; configDigest: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-oci-'));
  try {
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    const put = (b: Buffer | string): { digest: string; size: number } => {
      const digest = sha256(b);
      fs.writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), b);
      return { digest, size: Buffer.byteLength(b) };
    };
    const layer = put(rootfsTar);
    const config = put(
      JSON.stringify({
        architecture: ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch,
        os: 'linux',
        config: {
          Env: cfg.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'],
          Labels: { 'pid1.test': '1' },
          ...(cfg.entrypoint ? { Entrypoint: cfg.entrypoint } : {}),
          ...(cfg.cmd ? { Cmd: cfg.cmd } : {}),
          ...(cfg.stopSignal ? { StopSignal: cfg.stopSignal } : {}),
        },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    );
    const manifest = put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'io.containerd.image.name': name } }],
      }),
    );
    fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    return { tar: execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 512 * 1024 * 1024 }), configDigest: config.digest };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const built = new Map<string, string>();

/** A test image in `ns`, imported with `ctr images import` (memoized per process; removed at exit). */
export function containerdImage(opts: RootfsOptions & ImageConfig, ns = K8S_NS): string {
  const key = `${ns} ${JSON.stringify(opts)}`;
  const have = built.get(key);
  if (have) return have;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-rootfs-'));
  try {
    buildRootfs(dir, opts);
    const rootfs = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 512 * 1024 * 1024 });
    const name = `localhost/pid1-test-${opts.shell}:${unique('t')}`;
    const { tar, configDigest } = ociArchive(rootfs, name, opts);
    namespacesUsed.add(ns);
    images.add(`${ns}/${name}`);
    // The CRI plugin also names every image in k8s.io by its config digest (its image store): removed too.
    if (ns === K8S_NS) images.add(`${ns}/${configDigest}`);
    ctr(['-n', ns, 'images', 'import', '-'], tar);
    built.set(key, name);
    return name;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface PodContainer {
  image: string;
  /** argv of PID 1 (the OCI process args). */
  args: string[];
  pod: string;
  podNamespace: string;
  /** Omit for the pod's sandbox (pause) container. */
  container?: string;
  /** What CRI's metadata records as the stop signal (the image's STOPSIGNAL at creation); '' records none. */
  criStopSignal?: string;
  /** The pod's terminationGracePeriodSeconds, as the kubelet annotates containers. */
  grace?: number;
  /** false: create the container as `ctr run` does, with no CRI metadata and ctr's stop-signal label. */
  cri?: boolean;
  ns?: string;
}

/**
 * Run a container the way the CRI plugin would have created it for the kubelet: `ctr run` with the
 * CRI annotations in its OCI spec, then (through the API) the kubelet's labels replacing ctr's, and
 * the CRI metadata extension. Returns its ID and PID 1 on the host.
 */
export async function runPodContainer(o: PodContainer): Promise<{ id: string; pid: number }> {
  const ns = o.ns ?? K8S_NS;
  const id = unique('pid1-test');
  const sandboxId = crypto.randomBytes(32).toString('hex');
  const podUid = crypto.randomUUID();
  const kind = o.container === undefined ? 'sandbox' : 'container';
  const annotations: Record<string, string> = {
    [CRI.containerType]: kind,
    [CRI.sandboxId]: kind === 'sandbox' ? id : sandboxId,
    [CRI.sandboxNamespace]: o.podNamespace,
    [CRI.sandboxUid]: podUid,
    [CRI.sandboxName]: o.pod,
    ...(o.container !== undefined ? { [CRI.containerName]: o.container, [CRI.imageName]: o.image } : {}),
  };
  namespacesUsed.add(ns);
  tasks.add(`${ns}/${id}`);
  ctr(['-n', ns, 'run', '-d', '--null-io', ...Object.entries(annotations).flatMap(([k, v]) => ['--annotation', `${k}=${v}`]), o.image, id, ...o.args]);
  if (o.cri !== false) {
    const api = new ContainerdApi(CONTAINERD_ADDRESS);
    try {
      const labels: Record<string, string> = {
        [KUBELET_LABELS.pod]: o.pod,
        [KUBELET_LABELS.namespace]: o.podNamespace,
        [KUBELET_LABELS.podUid]: podUid,
        ...(o.container !== undefined ? { [KUBELET_LABELS.container]: o.container } : {}),
        'io.cri-containerd.kind': kind,
        'pid1.test': '1',
      };
      const kubeletAnnotations: Record<string, string> = o.grace !== undefined ? { [KUBELET_ANNOTATIONS.grace]: String(o.grace) } : {};
      // pkg/cri/store/container/metadata.go: versioned JSON; Config is the CRI ContainerConfig with its JSON names.
      const meta = {
        Version: 'v1',
        Metadata: {
          ID: id,
          Name: `${o.container ?? 'POD'}_${o.pod}_${o.podNamespace}_${podUid}_0`,
          SandboxID: sandboxId,
          Config: { metadata: { name: o.container ?? '' }, image: { image: o.image }, labels, annotations: kubeletAnnotations },
          ImageRef: o.image,
          LogPath: '',
          StopSignal: o.criStopSignal ?? '',
          ProcessLabel: '',
        },
      };
      await api.updateContainer(
        ns,
        {
          id,
          labels,
          extensions: { [CRI_METADATA_EXTENSION]: { typeUrl: 'github.com/containerd/cri/pkg/store/container/Metadata', value: Buffer.from(JSON.stringify(meta)) } },
        },
        ['labels', `extensions.${CRI_METADATA_EXTENSION}`],
      );
    } finally {
      api.close();
    }
  }
  return { id, pid: taskPid(id, ns) };
}

/** PID 1 of a task as `ctr task ls` shows it. */
export function taskPid(id: string, ns = K8S_NS): number {
  for (const line of ctr(['-n', ns, 'tasks', 'ls']).split('\n')) {
    const [tid, pid] = line.trim().split(/\s+/);
    if (tid === id) return Number(pid);
  }
  throw new Error(`no task ${id} in ${ns}`);
}

export function taskStatus(id: string, ns = K8S_NS): string | undefined {
  for (const line of ctr(['-n', ns, 'tasks', 'ls']).split('\n')) {
    const [tid, , status] = line.trim().split(/\s+/);
    if (tid === id) return status;
  }
  return undefined;
}

/** Remove a task and its container (ctr deletes the container's snapshot with it). */
export function removeTask(key: string): void {
  const [ns, id] = key.split('/') as [string, string];
  for (const args of [
    ['tasks', 'kill', '-s', 'SIGKILL', id],
    ['tasks', 'rm', '-f', id],
    ['containers', 'rm', id],
  ]) {
    try {
      ctr(['-n', ns, ...args]);
    } catch {
      /* not there */
    }
    if (args[1] === 'kill') {
      for (let i = 0; i < 50 && taskStatusSafe(id, ns) === 'RUNNING'; i++) execFileSync('sleep', ['0.05']);
    }
  }
  tasks.delete(key);
}

function taskStatusSafe(id: string, ns: string): string | undefined {
  try {
    return taskStatus(id, ns);
  } catch {
    return undefined;
  }
}

export function cleanupContainerd(): void {
  for (const t of [...tasks]) removeTask(t);
  for (const im of [...images]) {
    const i = im.indexOf('/');
    try {
      ctr(['-n', im.slice(0, i), 'images', 'rm', '--sync', im.slice(i + 1)]);
    } catch {
      /* gone */
    }
    images.delete(im);
  }
  built.clear();
  // Namespaces this process brought into being (k8s.io usually exists: the CRI plugin makes it).
  if (namespacesBefore) {
    for (const ns of namespacesUsed) {
      if (namespacesBefore.has(ns)) continue;
      try {
        ctr(['namespaces', 'rm', ns]);
      } catch {
        /* not empty: something else uses it */
      }
    }
  }
  namespacesUsed.clear();
}

process.on('exit', cleanupContainerd);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanupContainerd();
    process.kill(process.pid, sig);
  });
}

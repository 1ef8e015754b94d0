/**
 * Where `pid1 watch --container` and `--all` find containers: Docker's or Podman's Engine API
 * (Podman through its Docker-compatible one), or containerd (its task bundles and API). Each gives a
 * container's PID 1 on the host, which names its PID namespace: from there on the watch is the
 * kernel's, the same for every runtime.
 */
import { UserError } from '../../util/errors.js';
import { safeName } from '../../util/sanitize.js';
import type { RuntimeConnection } from '../connect.js';
import type { ContainerdContainer, ContainerdOptions } from '../containerd.js';
import { inspectContainer, runningContainerIds, type ContainerFacts, type Engine } from '../docker.js';
import { inspectPodmanContainer, runningPodmanIds } from '../podman.js';
import type { ContainerInfo } from './events.js';

export interface WatchedContainer {
  /** The key a refresh knows it by (containerd: namespace/ID, since an ID is unique per namespace only). */
  key: string;
  hostPid: number;
  info: ContainerInfo;
}

export interface ContainerSource {
  /** "the Docker engine", "Podman at unix:///run/podman/podman.sock", "containerd". */
  readonly label: string;
  /** A running container by name or ID; a missing or stopped one is a one-line UserError. */
  find(ref: string): Promise<WatchedContainer>;
  /** Keys of the running containers now. */
  runningKeys(): Promise<string[]>;
  /** One of those keys, read in full; undefined when it is gone or not running. */
  read(key: string): Promise<WatchedContainer | undefined>;
  /**
   * Follow container starts as they happen; without this (containerd) `--all` reads the list again
   * every `refreshMs`.
   */
  follow?(onStart: (key: string) => void, onError: (why: string) => void): Promise<{ destroy(): void }>;
  /** How often `--all` reads the whole list again (a start the events missed, or no events at all). */
  readonly refreshMs: number;
}

/** Docker's and Podman's labels: the kubelet's, when a dockershim or cri-dockerd made the container. */
function containerInfo(c: ContainerFacts, pod?: string): ContainerInfo {
  const podName = pod ?? c.labels['io.kubernetes.pod.name'];
  const ns = c.labels['io.kubernetes.pod.namespace'];
  return {
    id: c.id,
    name: safeName(c.name),
    image: safeName(c.image),
    ...(podName ? { pod: safeName(podName) } : {}),
    ...(ns ? { namespace: safeName(ns) } : {}),
  };
}

/** containerd: the CRI's names for a pod's container (its name in the pod), else namespace/ID. */
function containerdInfo(c: ContainerdContainer): ContainerInfo {
  const k = c.kube;
  const name = k ? (k.kind === 'sandbox' ? `${k.pod} (sandbox)` : (k.container ?? c.id)) : `${c.namespace}/${c.id}`;
  return {
    id: c.id,
    name: safeName(name),
    image: safeName(c.image),
    ...(k ? { pod: safeName(k.pod), namespace: safeName(k.namespace) } : {}),
  };
}

/** A line-per-event JSON stream from the Engine API's /events, restricted to container starts. */
async function followStarts(docker: Engine, onStart: (key: string) => void, onError: (why: string) => void, where: string): Promise<{ destroy(): void }> {
  const stream = await docker.getEvents({ filters: { type: ['container'], event: ['start'] } });
  const readable = stream as unknown as NodeJS.ReadableStream & { destroy(): void };
  let rest = '';
  readable.on('data', (d: Buffer) => {
    rest += d.toString();
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, i);
      rest = rest.slice(i + 1);
      try {
        const e = JSON.parse(line) as { id?: string; Actor?: { ID?: string } };
        const id = e.Actor?.ID ?? e.id;
        if (id) onStart(id);
      } catch {}
    }
  });
  readable.on('error', (err: Error) => onError(`${where}'s event stream failed: ${err.message}`));
  return readable;
}

function engineSource(conn: Extract<RuntimeConnection, { runtime: 'docker' | 'podman' }>): ContainerSource {
  const { engine } = conn;
  const podman = conn.runtime === 'podman';
  const label = podman ? `Podman at ${conn.where}` : 'the Docker engine';
  const inspect = (ref: string): Promise<ContainerFacts & { pod?: { name: string } }> => (podman ? inspectPodmanContainer(engine, ref, conn.where) : inspectContainer(engine, ref));
  const watched = (c: ContainerFacts & { pod?: { name: string } }): WatchedContainer => ({ key: c.id, hostPid: c.hostPid, info: containerInfo(c, c.pod?.name) });
  return {
    label,
    // Podman's compat API has /events too (a start is `start`, as Docker's); a missed one is found by the refresh.
    refreshMs: 10_000,
    async find(ref) {
      const c = await inspect(ref);
      if (!c.running || c.hostPid <= 0) throw new UserError(`container ${safeName(c.name)} is not running (status: ${c.status})`);
      return watched(c);
    },
    runningKeys: () => (podman ? runningPodmanIds(engine, conn.where) : runningContainerIds(engine)),
    async read(key) {
      try {
        const c = await inspect(key);
        return c.running && c.hostPid > 0 ? watched(c) : undefined;
      } catch {
        return undefined; // removed meanwhile
      }
    },
    follow: (onStart, onError) => followStarts(engine, onStart, onError, label),
  };
}

function containerdSource(options: ContainerdOptions): ContainerSource {
  // One listing serves the keys and the reads that follow it (the state directory and API, read once).
  let last = new Map<string, ContainerdContainer>();
  const keyOf = (c: ContainerdContainer): string => `${c.namespace}/${c.id}`;
  const watched = (c: ContainerdContainer): WatchedContainer => ({ key: keyOf(c), hostPid: c.hostPid, info: containerdInfo(c) });
  return {
    label: 'containerd',
    // No event stream here (containerd's is a gRPC stream of protobuf envelopes): the task bundles are
    // read every 2 s, cheap (a directory listing, one small file per task) and enough for a stop,
    // which lasts at least its grace period.
    refreshMs: 2000,
    async find(ref) {
      const { findContainerd } = await import('../containerd.js');
      return watched(await findContainerd(ref, options));
    },
    async runningKeys() {
      const { listContainerd } = await import('../containerd.js');
      const l = await listContainerd(options);
      last = new Map(l.containers.map((c) => [keyOf(c), c]));
      return [...last.keys()];
    },
    async read(key) {
      const c = last.get(key);
      return c ? watched(c) : undefined;
    },
  };
}

export function containerSource(conn: RuntimeConnection): ContainerSource {
  return conn.runtime === 'containerd' ? containerdSource(conn.options) : engineSource(conn);
}

/**
 * containerd, as a Kubernetes node runs it: what is running, read from what the node already has.
 *
 * - The state directory: one OCI bundle per running task at STATE/io.containerd.runtime.v2.task/NS/ID/
 *   with config.json (the OCI spec: argv, and the CRI plugin's annotations naming pod, namespace and
 *   container) and init.pid (PID 1 of the container on the host). Plain files: a read-only mount is
 *   enough (the node audit DaemonSet).
 * - containerd's API on its socket, when it answers: container labels and extensions, where the CRI
 *   plugin keeps the stop signal it will send (from the image config) and the kubelet's annotations
 *   (the pod's termination grace period, the preStop hook).
 *
 * The PID is trusted only while the process at that PID started before init.pid was written: a PID
 * reused after the task exited belongs to someone else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSignal, signalName } from '../model/signals.js';
import { CLK_TCK, cgroupFrozen, readStat } from '../proc/stat.js';
import { UserError, errnoOf, messageOf } from '../util/errors.js';
import type { ContainerdApi, ApiContainer } from './containerd-api.js';
import type { ContainerFacts } from './docker.js';

/** containerd's defaults (defaults/defaults_unix.go): socket and state directory; k3s keeps its own under /run/k3s. */
export const DEFAULT_ADDRESS = '/run/containerd/containerd.sock';
export const K3S_ADDRESS = '/run/k3s/containerd/containerd.sock';
export const DEFAULT_STATE_DIRS = ['/run/containerd', '/run/k3s/containerd'];
/** The runtime v2 plugin's directory under the state directory: one bundle per task, by namespace. */
export const TASK_DIR = 'io.containerd.runtime.v2.task';

/** Annotation keys the CRI plugin writes into every container's OCI spec (pkg/cri/annotations/annotations.go). */
export const CRI = {
  containerType: 'io.kubernetes.cri.container-type',
  sandboxId: 'io.kubernetes.cri.sandbox-id',
  sandboxName: 'io.kubernetes.cri.sandbox-name',
  sandboxNamespace: 'io.kubernetes.cri.sandbox-namespace',
  sandboxUid: 'io.kubernetes.cri.sandbox-uid',
  containerName: 'io.kubernetes.cri.container-name',
  imageName: 'io.kubernetes.cri.image-name',
} as const;

/** Labels the kubelet puts on every container (pkg/kubelet/kuberuntime/labels.go, newContainerLabels); CRI makes them containerd labels. */
export const KUBELET_LABELS = {
  pod: 'io.kubernetes.pod.name',
  namespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  container: 'io.kubernetes.container.name',
} as const;

/** Annotations the kubelet puts on every container (newContainerAnnotations); CRI keeps them in its metadata extension. */
export const KUBELET_ANNOTATIONS = {
  grace: 'io.kubernetes.pod.terminationGracePeriod',
  preStop: 'io.kubernetes.container.preStopHandler',
} as const;

/** The containerd label holding the image's STOPSIGNAL, set by clients that use WithImageStopSignal (ctr run) (signals.go, StopSignalLabel). */
const STOP_SIGNAL_LABEL = 'io.containerd.image.config.stop-signal';
/** The container extension where the CRI plugin keeps its metadata, JSON in an Any (pkg/cri/server/helpers.go, containerMetadataExtension). */
export const CRI_METADATA_EXTENSION = 'io.cri-containerd.container.metadata';

export interface KubeInfo {
  /** sandbox: the pod's pause container; container: one of the pod's containers. */
  kind: 'sandbox' | 'container';
  pod: string;
  namespace: string;
  /** The container's name in the pod (absent for a sandbox). */
  container?: string;
  podUid?: string;
  sandboxId?: string;
  /** The pod's terminationGracePeriodSeconds as the kubelet recorded it at creation; absent when not visible (no API). */
  grace?: number;
  /** The preStop handler as the kubelet recorded it (the container's lifecycle.preStop, JSON). */
  preStop?: unknown;
}

export type StopSignalSource = 'cri' | 'label' | 'image' | 'default';

export interface ContainerdContainer {
  runtime: 'containerd';
  id: string;
  namespace: string;
  /** PID 1 of the container, on the host. */
  hostPid: number;
  /** Field 22 of its /proc/PID/stat: with the PID, names the process (a reused PID differs). */
  starttime: number;
  argv: string[];
  /** The bundle directory, when read from the state directory. */
  bundle?: string;
  image: string;
  /** What a stop sends first (CRI's StopContainer: the image's STOPSIGNAL, else SIGTERM), as a name. */
  stopSignal: string;
  stopSignalFrom: StopSignalSource;
  labels: Record<string, string>;
  /** The OCI spec's annotations. */
  annotations: Record<string, string>;
  kube?: KubeInfo;
  /** Where the facts came from. */
  from: ('state' | 'api')[];
}

export interface ContainerdOptions {
  /** The socket (`--address`); else CONTAINERD_ADDRESS as ctr reads it; else the first of /run/containerd, /run/k3s/containerd present. */
  address?: string;
  /** The state directory (`--state-dir`); else the socket's directory when it holds task bundles; else the defaults. */
  stateDir?: string;
  /** One namespace (`--namespace`, else CONTAINERD_NAMESPACE); undefined: every namespace. */
  namespace?: string;
  /** auto: use the API when its socket answers; never: the state directory only; required: fail without it. */
  api?: 'auto' | 'never' | 'required';
  env?: NodeJS.ProcessEnv;
}

interface ContainerdListing {
  containers: ContainerdContainer[];
  address: string;
  stateDir: string | undefined;
  /** Whether the API answered (stop signals and grace periods come from it). */
  api: boolean;
  /** What could not be read, one line each. */
  notes: string[];
}

function stripUnix(a: string): string {
  return a.startsWith('unix://') ? a.slice('unix://'.length) : a;
}

/** The socket to use: --address, CONTAINERD_ADDRESS (ctr's --address env), or the first default socket that exists. */
export function containerdAddress(o: Pick<ContainerdOptions, 'address' | 'env'> = {}, exists: (p: string) => boolean = fs.existsSync): string {
  const given = o.address ?? (o.env ?? process.env).CONTAINERD_ADDRESS;
  if (given) return stripUnix(given);
  return [DEFAULT_ADDRESS, K3S_ADDRESS].find((p) => exists(p)) ?? DEFAULT_ADDRESS;
}

/** The state directory: --state-dir, else the socket's directory if it has task bundles, else the first default that has. */
export function containerdStateDir(o: Pick<ContainerdOptions, 'stateDir'>, address: string, exists: (p: string) => boolean = fs.existsSync): string | undefined {
  if (o.stateDir) return o.stateDir;
  const candidates = [path.dirname(address), ...DEFAULT_STATE_DIRS];
  return candidates.find((d) => exists(path.join(d, TASK_DIR)));
}

/** Seconds since the epoch when the system booted (btime in /proc/stat). */
function bootTime(): number {
  const m = /^btime\s+(\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
  return m ? Number(m[1]) : 0;
}

/**
 * The process at `pid` if it is the task's init: it exists and started no later than init.pid was
 * written (runc writes the file after creating the process; a PID reused later starts after it).
 * The slack covers btime's whole seconds and the tick granularity.
 */
function liveInit(pid: number, writtenAtMs: number, boot: number): { starttime: number } | undefined {
  const st = readStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return undefined;
  const startedAtMs = (boot + st.starttime / CLK_TCK) * 1000;
  return startedAtMs <= writtenAtMs + 2000 ? { starttime: st.starttime } : undefined;
}

interface Bundle {
  id: string;
  namespace: string;
  dir: string;
  pid: number;
  starttime: number;
  spec: OciSpec;
}
interface OciSpec {
  process?: { args?: unknown };
  annotations?: unknown;
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw err;
  }
}

/** The running tasks' bundles under `stateDir` (one namespace or all), skipping tasks whose init is gone. */
function readBundles(stateDir: string, namespace?: string): { bundles: Bundle[]; notes: string[] } {
  const root = path.join(stateDir, TASK_DIR);
  const notes: string[] = [];
  const bundles: Bundle[] = [];
  let namespaces: string[];
  try {
    namespaces = namespace !== undefined ? [namespace] : listDir(root);
  } catch (err) {
    throw new UserError(`cannot read ${root}: ${errnoOf(err) === 'EACCES' ? 'permission denied (containerd keeps it root-only: run as root)' : messageOf(err)}`);
  }
  const boot = bootTime();
  for (const ns of namespaces) {
    let ids: string[];
    try {
      ids = listDir(path.join(root, ns));
    } catch (err) {
      notes.push(`cannot read ${path.join(root, ns)}: ${messageOf(err)}`);
      continue;
    }
    for (const id of ids) {
      const dir = path.join(root, ns, id);
      let pid: number;
      let writtenAtMs: number;
      try {
        const pidFile = path.join(dir, 'init.pid');
        pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
        writtenAtMs = fs.statSync(pidFile).mtimeMs;
      } catch (err) {
        if (errnoOf(err) !== 'ENOENT') notes.push(`cannot read ${dir}/init.pid: ${messageOf(err)}`);
        continue; // created, not started yet
      }
      if (!Number.isInteger(pid) || pid <= 0) continue;
      const init = liveInit(pid, writtenAtMs, boot);
      if (!init) continue; // the task exited (its bundle stays until it is deleted)
      let spec: OciSpec;
      try {
        spec = readJson(path.join(dir, 'config.json')) as OciSpec;
      } catch (err) {
        notes.push(`cannot read ${dir}/config.json: ${messageOf(err)}`);
        spec = {};
      }
      bundles.push({ id, namespace: ns, dir, pid, starttime: init.starttime, spec });
    }
  }
  return { bundles, notes };
}

const strings = (v: unknown): Record<string, string> => (v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {});
const argvOf = (spec: OciSpec): string[] => (Array.isArray(spec.process?.args) ? spec.process.args.map(String) : []);

/** The CRI plugin's metadata extension: {"Version":"v1","Metadata":{...,"Config":{CRI ContainerConfig},"StopSignal":...}} (pkg/cri/store/container/metadata.go). */
interface CriMetadata {
  name?: string;
  sandboxId?: string;
  stopSignal?: string;
  imageRef?: string;
  /** The CRI ContainerConfig's annotations and labels: the kubelet's. */
  annotations: Record<string, string>;
  labels: Record<string, string>;
  containerName?: string;
}

function criMetadata(c: ApiContainer): CriMetadata | undefined {
  const ext = c.extensions[CRI_METADATA_EXTENSION];
  if (!ext) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(ext.value.toString('utf8'));
  } catch {
    return undefined;
  }
  const m = (parsed as { Metadata?: Record<string, unknown> } | null)?.Metadata;
  if (!m || typeof m !== 'object') return undefined;
  const cfg = (m.Config && typeof m.Config === 'object' ? m.Config : {}) as { annotations?: unknown; labels?: unknown; metadata?: { name?: unknown } };
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const out: CriMetadata = { annotations: strings(cfg.annotations), labels: strings(cfg.labels) };
  const name = str(m.Name);
  if (name) out.name = name;
  const sandboxId = str(m.SandboxID);
  if (sandboxId) out.sandboxId = sandboxId;
  const stopSignal = str(m.StopSignal);
  if (stopSignal) out.stopSignal = stopSignal;
  const imageRef = str(m.ImageRef);
  if (imageRef) out.imageRef = imageRef;
  const containerName = str(cfg.metadata?.name);
  if (containerName) out.containerName = containerName;
  return out;
}

function normalSignal(s: string): string | undefined {
  try {
    return signalName(parseSignal(s));
  } catch {
    return undefined;
  }
}

const GOARCH: Partial<Record<NodeJS.Architecture, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The image's STOPSIGNAL from its config in the content store (manifest, or this platform's in an index). */
async function imageStopSignal(api: ContainerdApi, namespace: string, imageName: string): Promise<string | undefined> {
  const im = await api.image(namespace, imageName);
  if (!im) return undefined;
  let desc: { mediaType?: string; digest: string } = im.target;
  for (let depth = 0; depth < 3; depth++) {
    const doc = JSON.parse((await api.read(namespace, desc.digest)).toString('utf8')) as {
      manifests?: { digest: string; mediaType?: string; platform?: { os?: string; architecture?: string } }[];
      config?: { digest: string };
      StopSignal?: unknown;
    };
    if (Array.isArray(doc.manifests)) {
      // An index: this machine's platform, as containerd's default platform matcher picks it.
      const arch = GOARCH[process.arch] ?? process.arch;
      const pick = doc.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ?? (doc.manifests.length === 1 ? doc.manifests[0] : undefined);
      if (!pick) return undefined;
      desc = pick;
      continue;
    }
    if (doc.config?.digest) {
      const cfg = JSON.parse((await api.read(namespace, doc.config.digest)).toString('utf8')) as { config?: { StopSignal?: unknown } };
      return typeof cfg.config?.StopSignal === 'string' && cfg.config.StopSignal ? cfg.config.StopSignal : undefined;
    }
    return undefined;
  }
  return undefined;
}

function kubeInfo(annotations: Record<string, string>, labels: Record<string, string>, cri: CriMetadata | undefined): KubeInfo | undefined {
  const type = annotations[CRI.containerType];
  const pod = annotations[CRI.sandboxName] ?? labels[KUBELET_LABELS.pod] ?? cri?.labels[KUBELET_LABELS.pod];
  const namespace = annotations[CRI.sandboxNamespace] ?? labels[KUBELET_LABELS.namespace] ?? cri?.labels[KUBELET_LABELS.namespace];
  if (pod === undefined || namespace === undefined) return undefined;
  const kind: KubeInfo['kind'] = type === 'sandbox' ? 'sandbox' : 'container';
  const info: KubeInfo = { kind, pod, namespace };
  const container = annotations[CRI.containerName] ?? labels[KUBELET_LABELS.container] ?? cri?.containerName;
  if (container !== undefined && kind === 'container') info.container = container;
  const podUid = annotations[CRI.sandboxUid] ?? labels[KUBELET_LABELS.podUid];
  if (podUid) info.podUid = podUid;
  const sandboxId = annotations[CRI.sandboxId] ?? cri?.sandboxId;
  if (sandboxId) info.sandboxId = sandboxId;
  // The kubelet's annotations reach containerd in the CRI metadata; passed-through OCI annotations or labels also count.
  const kubelet = { ...labels, ...annotations, ...(cri?.annotations ?? {}) };
  const grace = kubelet[KUBELET_ANNOTATIONS.grace];
  if (grace !== undefined && /^\d+$/.test(grace)) info.grace = Number(grace);
  const preStop = kubelet[KUBELET_ANNOTATIONS.preStop];
  if (preStop !== undefined) {
    try {
      info.preStop = JSON.parse(preStop) as unknown;
    } catch {
      info.preStop = preStop;
    }
  }
  return info;
}

const UNSEEN = "stop signals from image configs and the pods' grace periods are not visible";

/** Open the API at `address`, or say why not (it does not answer and is not required). */
async function openApi(address: string, mode: ContainerdOptions['api']): Promise<{ api?: ContainerdApi; why?: string }> {
  if (mode === 'never') return { why: 'the API is not used (--no-api)' };
  if (mode !== 'required' && !fs.existsSync(address)) return { why: `no containerd socket at ${address}` };
  const { ContainerdApi } = await import('./containerd-api.js'); // grpc-js loads only when the API is used
  const api = new ContainerdApi(address);
  try {
    await api.namespaces();
    return { api };
  } catch (err) {
    api.close();
    if (mode === 'required') throw err;
    return { why: messageOf(err) };
  }
}

/** Every running container (one namespace, or all) with its PID 1, argv, stop signal and Kubernetes names. */
export async function listContainerd(o: ContainerdOptions = {}): Promise<ContainerdListing> {
  const env = o.env ?? process.env;
  const address = containerdAddress({ ...o, env });
  const stateDir = containerdStateDir(o, address);
  const namespace = o.namespace ?? (env.CONTAINERD_NAMESPACE || undefined);
  const notes: string[] = [];
  const { api, why: noApi } = await openApi(address, o.api ?? 'auto');
  if (!api && noApi && o.api !== 'never') notes.push(`${noApi}: ${UNSEEN}`);
  try {
    let bundles: Bundle[] = [];
    if (stateDir && !fs.existsSync(path.join(stateDir, TASK_DIR))) {
      const why = `no containerd task bundles under ${stateDir} (--state-dir)`;
      if (!api) throw new UserError(`${why} and ${noApi ?? `no API at ${address}`}`);
      notes.push(`${why}: PIDs come from the API`);
    } else if (stateDir) {
      try {
        const read = readBundles(stateDir, namespace);
        bundles = read.bundles;
        notes.push(...read.notes);
      } catch (err) {
        if (!api) throw err;
        notes.push(messageOf(err));
      }
    } else if (!api) {
      throw new UserError(
        `no containerd found: no task bundles under ${[...new Set([path.dirname(address), ...DEFAULT_STATE_DIRS])].join(', ')} (--state-dir) and ${noApi ?? `no API at ${address}`} (--address, CONTAINERD_ADDRESS)`,
      );
    } else {
      notes.push(`no containerd state directory found (--state-dir): PIDs come from the API`);
    }
    const out: ContainerdContainer[] = [];
    const imageSignals = new Map<string, Promise<string | undefined>>(); // per namespace and image: a node runs many replicas of one image
    const byKey = new Map(bundles.map((b) => [`${b.namespace}/${b.id}`, b]));
    // The bundles' namespaces too: a --state-dir may belong to another containerd than the socket's.
    const namespaces = namespace !== undefined ? [namespace] : [...new Set([...(api ? await api.namespaces() : []), ...bundles.map((b) => b.namespace)])];
    for (const ns of namespaces) {
      const apiContainers = api ? new Map((await api.containers(ns)).map((c) => [c.id, c])) : new Map<string, ApiContainer>();
      // Without a bundle, the API's running tasks give the PID (a state directory this process cannot read, or a v1 runtime).
      const apiTasks = api ? (await api.tasks(ns)).filter((t) => t.status === 'RUNNING' && t.pid > 0 && !byKey.has(`${ns}/${t.containerId}`)) : [];
      const rows: { id: string; pid: number; starttime: number; spec: OciSpec; bundle?: string }[] = bundles
        .filter((b) => b.namespace === ns)
        .map((b) => ({ id: b.id, pid: b.pid, starttime: b.starttime, spec: b.spec, bundle: b.dir }));
      for (const t of apiTasks) {
        const st = readStat(t.pid);
        const c = apiContainers.get(t.containerId);
        if (!st || !c) continue;
        let spec: OciSpec = {};
        try {
          spec = c.spec ? (JSON.parse(c.spec.value.toString('utf8')) as OciSpec) : {};
        } catch {
          /* keep empty */
        }
        rows.push({ id: t.containerId, pid: t.pid, starttime: st.starttime, spec });
      }
      for (const r of rows) {
        const c = apiContainers.get(r.id);
        const cri = c ? criMetadata(c) : undefined;
        const labels = c?.labels ?? {};
        const annotations = strings(r.spec.annotations);
        let stopSignal: string | undefined;
        let stopSignalFrom: StopSignalSource = 'default';
        const fromCri = cri?.stopSignal ? normalSignal(cri.stopSignal) : undefined;
        const fromLabel = labels[STOP_SIGNAL_LABEL] ? normalSignal(labels[STOP_SIGNAL_LABEL]) : undefined;
        if (fromCri) {
          stopSignal = fromCri;
          stopSignalFrom = 'cri';
        } else if (fromLabel) {
          stopSignal = fromLabel;
          stopSignalFrom = 'label';
        } else if (api && c?.image) {
          // CRI's own fallback when its metadata has none: the image's config (container_stop.go).
          try {
            const key = `${ns}\0${c.image}`;
            if (!imageSignals.has(key)) imageSignals.set(key, imageStopSignal(api, ns, c.image));
            const s = await imageSignals.get(key);
            const n = s ? normalSignal(s) : undefined;
            if (n) {
              stopSignal = n;
              stopSignalFrom = 'image';
            }
          } catch (err) {
            notes.push(`${ns}/${r.id}: cannot read the config of image ${c.image}: ${messageOf(err)}`);
          }
        }
        const kube = kubeInfo(annotations, labels, cri);
        out.push({
          runtime: 'containerd',
          id: r.id,
          namespace: ns,
          hostPid: r.pid,
          starttime: r.starttime,
          argv: argvOf(r.spec),
          ...(r.bundle ? { bundle: r.bundle } : {}),
          image: c?.image || annotations[CRI.imageName] || '',
          stopSignal: stopSignal ?? 'SIGTERM',
          stopSignalFrom,
          labels,
          annotations,
          ...(kube ? { kube } : {}),
          from: [...(r.bundle ? ['state' as const] : []), ...(c ? ['api' as const] : [])],
        });
      }
    }
    out.sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) || (a.kube?.namespace ?? '').localeCompare(b.kube?.namespace ?? '') || (a.kube?.pod ?? '').localeCompare(b.kube?.pod ?? '') || a.id.localeCompare(b.id),
    );
    return { containers: out, address, stateDir, api: Boolean(api), notes };
  } finally {
    api?.close();
  }
}

/** One running container by ID (or a unique ID prefix), in one namespace or any. */
export async function findContainerd(ref: string, o: ContainerdOptions = {}): Promise<ContainerdContainer> {
  const { containers } = await listContainerd(o);
  const exact = containers.filter((c) => c.id === ref);
  const matches = exact.length ? exact : containers.filter((c) => c.id.startsWith(ref) || (c.kube && `${c.kube.namespace}/${c.kube.pod}/${c.kube.container ?? ''}` === ref));
  if (matches.length === 1) return matches[0] as ContainerdContainer;
  if (!matches.length) throw new UserError(`no running containerd container ${ref}${o.namespace ? ` in namespace ${o.namespace}` : ''}`);
  throw new UserError(`${ref} names ${matches.length} containers (${matches.map((c) => `${c.namespace}/${c.id.slice(0, 12)}`).join(', ')}): give more of the ID or --namespace`);
}

/** A readable name: the pod's namespace/pod/container for Kubernetes, else the containerd namespace and ID. */
export function displayName(c: ContainerdContainer): string {
  if (c.kube) return c.kube.kind === 'sandbox' ? `${c.kube.namespace}/${c.kube.pod} (sandbox)` : `${c.kube.namespace}/${c.kube.pod}/${c.kube.container ?? '?'}`;
  return `${c.namespace}/${c.id}`;
}

/** The same facts in the shape the Docker reports use (inspect, stop), with the pod's grace as the stop timeout. */
export function asContainerFacts(c: ContainerdContainer): ContainerFacts {
  return {
    id: c.id,
    name: displayName(c),
    image: c.image,
    running: true,
    hostPid: c.hostPid,
    stopSignal: c.stopSignal,
    ...(c.kube?.grace !== undefined ? { stopTimeout: c.kube.grace } : {}),
    init: false,
    entrypoint: c.argv,
    cmd: [],
    labels: c.labels,
    status: 'running',
    // `ctr task pause` freezes the task's cgroup; the Task API is not asked again for it
    ...(cgroupFrozen(c.hostPid) ? { paused: true } : {}),
  };
}

/**
 * Send `signal` to the container's PID 1 from the host, as the shim does for a stop (CRI StopContainer:
 * kill with the stop signal, then SIGKILL after the grace period). Refuses when the PID no longer
 * names the process that was listed (it exited, or the PID was reused). Returns the signal's number.
 */
export function signalInit(c: Pick<ContainerdContainer, 'hostPid' | 'starttime' | 'id'>, signal: string): number {
  const sig = parseSignal(signal);
  if (readStat(c.hostPid)?.starttime !== c.starttime) throw new UserError(`container ${c.id}: PID ${c.hostPid} is not its init any more (it exited or the PID was reused): not signalled`);
  try {
    process.kill(c.hostPid, sig); // by number: Node has no names for real-time signals
  } catch (err) {
    throw new UserError(`cannot send ${signalName(sig)} to PID ${c.hostPid} of container ${c.id}: ${errnoOf(err) === 'EPERM' ? 'permission denied (needs root or CAP_KILL)' : messageOf(err)}`);
  }
  return sig;
}

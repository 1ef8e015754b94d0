/**
 * `pid1 inspect --container` and `--all` on any runtime: find the container (Docker, Podman through
 * its Docker API, containerd from its task bundles and API), read its PID namespace, and take the
 * live verdict with the stop signal the runtime will send. For `--all` one row per running container,
 * also the shape of the node audit's JSON lines (docs/runtimes.md).
 */
import { parseSignal, signalName } from '../model/signals.js';
import { namespaceTree } from '../proc/tree.js';
import { UserError, messageOf } from '../util/errors.js';
import type { RuntimeConnection, RuntimeOptions } from './connect.js';
import { asContainerFacts, displayName, findContainerd, listContainerd, type ContainerdContainer } from './containerd.js';
import { inspectContainer, runningContainer, runningContainerIds, type ContainerFacts } from './docker.js';
import { liveVerdict } from './live-verdict.js';
import { inspectPodmanContainer, runningPodmanContainer, runningPodmanIds } from './podman.js';
import { inspectReport, type InspectReport } from './reports.js';
import type { RuntimeName } from './runtime-select.js';

/** `--signal`, else the container's own stop signal, as a name; a bad one is a one-line error. */
export function stopSignalOf(override: string | undefined, fallback: string): string {
  try {
    return signalName(parseSignal(override ?? fallback));
  } catch (err) {
    throw new UserError(`${override !== undefined ? '--signal: ' : ''}${messageOf(err)}`);
  }
}

/** The running container `ref` on the connected runtime, as the reports describe containers. */
async function findRunning(conn: RuntimeConnection, ref: string): Promise<ContainerFacts> {
  if (conn.runtime === 'containerd') return asContainerFacts(await findContainerd(ref, conn.options));
  if (conn.runtime === 'podman') return runningPodmanContainer(conn.engine, ref, conn.where);
  return runningContainer(conn.engine, ref);
}

/**
 * How `pid1 stop` reaches a container of this connection, for advice the user can run: the runtime
 * unless it is Docker, and the address and state directory they gave (a containerd container by its ID).
 */
function stopTarget(conn: RuntimeConnection, flags: RuntimeOptions, c: ContainerFacts): { container: string; runtimeFlags: string[] } {
  const runtimeFlags = [
    ...(conn.runtime !== 'docker' ? ['--runtime', conn.runtime] : []),
    ...(flags.address !== undefined ? ['--address', flags.address] : []),
    ...(conn.runtime === 'containerd' && flags.stateDir !== undefined ? ['--state-dir', flags.stateDir] : []),
  ];
  return { container: conn.runtime === 'containerd' ? c.id : c.name, runtimeFlags };
}

/** One running container's tree and verdict (`flags`: what the user gave, repeated in the advice). */
export async function inspectOne(conn: RuntimeConnection, ref: string, signal?: string, flags: RuntimeOptions = {}): Promise<InspectReport> {
  const c = await findRunning(conn, ref);
  const tree = namespaceTree(c.hostPid);
  return inspectReport(tree, await liveVerdict(tree, stopSignalOf(signal, c.stopSignal), stopTarget(conn, flags, c)), c);
}

/** One line of `pid1 inspect --all` (and of the node audit). */
export interface ContainerRow {
  runtime: RuntimeName;
  id: string;
  /** Docker/Podman: the container's name; containerd: NAMESPACE/POD/CONTAINER for a pod's, else NS/ID. */
  name: string;
  image: string;
  /** PID 1 on the host. */
  hostPid?: number;
  argv?: string[];
  /** containerd: the namespace (k8s.io for Kubernetes, moby for Docker's). */
  containerdNamespace?: string;
  /** Kubernetes: from the CRI annotations (containerd). */
  pod?: string;
  namespace?: string;
  container?: string;
  /** Kubernetes: the pod's sandbox (pause) container, or one of its containers. */
  kind?: 'sandbox' | 'container';
  stopSignal?: string;
  /** Where the stop signal came from: --signal, container (its config), cri, label, image, default. */
  stopSignalFrom?: string;
  /** Seconds from the stop signal to SIGKILL; null when the runtime does not show it. */
  grace?: number | null;
  graceFrom?: string;
  /** Will a stop wait out the whole grace period (the signal is lost, SIGKILL ends it)? null: not known. */
  graceSpent?: boolean | null;
  outcome?: string;
  certain?: boolean;
  summary?: string;
  error?: string;
}

export interface Listing {
  runtime: RuntimeName;
  containers: ContainerRow[];
  /** What could not be read (containerd: no API, an unreadable bundle), one line each. */
  notes: string[];
}

function spent(outcome: string | undefined): boolean | null {
  return outcome === 'killed' ? true : outcome === 'graceful' || outcome === 'abrupt' ? false : null;
}

async function verdictRow(row: ContainerRow, hostPid: number, signal: string): Promise<ContainerRow> {
  try {
    const v = await liveVerdict(namespaceTree(hostPid), signal, { container: row.name });
    return { ...row, outcome: v.outcome, certain: v.certain, graceSpent: spent(v.outcome), summary: v.summary };
  } catch (err) {
    return { ...row, error: messageOf(err) };
  }
}

const GRACE_FROM = { cri: "the kubelet's annotation (the pod's terminationGracePeriodSeconds)" } as const;

function containerdRow(c: ContainerdContainer, signal: string | undefined, api: boolean): ContainerRow {
  const k = c.kube;
  let grace: Pick<ContainerRow, 'grace' | 'graceFrom'>;
  if (k?.grace !== undefined) grace = { grace: k.grace, graceFrom: GRACE_FROM.cri };
  else if (k) grace = { grace: null, graceFrom: api ? "not recorded (created without the kubelet's annotations)" : "not visible without containerd's socket (Kubernetes' default is 30 s)" };
  else grace = { grace: null, graceFrom: 'not a Kubernetes container: its client decides' };
  return {
    runtime: 'containerd',
    id: c.id,
    name: displayName(c),
    image: c.image,
    hostPid: c.hostPid,
    argv: c.argv,
    containerdNamespace: c.namespace,
    ...(k ? { pod: k.pod, namespace: k.namespace, kind: k.kind, ...(k.container !== undefined ? { container: k.container } : {}) } : {}),
    stopSignal: stopSignalOf(signal, c.stopSignal),
    stopSignalFrom: signal !== undefined ? '--signal' : c.stopSignalFrom,
    ...grace,
  };
}

/** Every running container on the connected runtime, each with its verdict (a failing one carries its error). */
export async function inspectAll(conn: RuntimeConnection, signal?: string): Promise<Listing> {
  if (signal !== undefined) stopSignalOf(signal, 'SIGTERM'); // a bad --signal fails once, before anything is read
  if (conn.runtime === 'containerd') {
    const l = await listContainerd(conn.options);
    const rows: ContainerRow[] = [];
    for (const c of l.containers) {
      const row = containerdRow(c, signal, l.api);
      rows.push(await verdictRow(row, c.hostPid, row.stopSignal as string));
    }
    return { runtime: 'containerd', containers: rows, notes: l.notes };
  }
  const { engine } = conn;
  const ids = conn.runtime === 'podman' ? await runningPodmanIds(engine, conn.where) : await runningContainerIds(engine);
  const rows: ContainerRow[] = [];
  for (const id of ids) {
    try {
      const c = conn.runtime === 'podman' ? await inspectPodmanContainer(engine, id, conn.where) : await inspectContainer(engine, id);
      if (!c.running) continue;
      const stopSignal = stopSignalOf(signal, c.stopSignal);
      const grace = c.stopTimeout !== undefined ? { grace: c.stopTimeout, graceFrom: "the container's StopTimeout" } : { grace: 10, graceFrom: "Docker's default" };
      const row: ContainerRow = {
        runtime: conn.runtime,
        id: c.id,
        name: c.name,
        image: c.image,
        hostPid: c.hostPid,
        argv: [...c.entrypoint, ...c.cmd],
        stopSignal,
        stopSignalFrom: signal !== undefined ? '--signal' : 'container',
        ...grace,
      };
      rows.push(await verdictRow(row, c.hostPid, stopSignal));
    } catch (err) {
      rows.push({ runtime: conn.runtime, id, name: id.slice(0, 12), image: '', error: messageOf(err) });
    }
  }
  return { runtime: conn.runtime, containers: rows, notes: [] };
}

/**
 * Podman, through its Docker-compatible API (`podman system service`), with dockerode on Podman's
 * socket: rootful /run/podman/podman.sock, rootless $XDG_RUNTIME_DIR/podman/podman.sock, or
 * CONTAINER_HOST as podman-remote reads it. What the compat API hides (conmon's PID, the pod) comes
 * from Podman's own libpod endpoints on the same socket.
 *
 * Where Podman stops differently from Docker (measured against Podman 4.3.1 by
 * test/runtime-podman.test.ts; podmanQuirks() says which apply to a version):
 * - `--init` runs catatonit, bind-mounted as /run/podman-init: PID 1 is `/run/podman-init -- CMD`.
 * - A pod's infra container runs `/catatonit -P` (pause mode: exits on SIGTERM/SIGINT).
 * - conmon, not a containerd shim, is the parent of PID 1; it is re-parented to the host's init.
 * - Containers created through the compat API before 4.7 get StopTimeout 0, so `docker stop`
 *   without -t sends SIGKILL right after the stop signal; Podman's own CLI gives 10 s.
 * - Inspect reports StopSignal as a number ("15"), not a name.
 * - A stop emits no `kill` events, and `kill` events do not name the signal.
 * - A followed log stream answers only with the container's first line (or its exit).
 */
import fs from 'node:fs';
import type Docker from 'dockerode';
import { parseSignal, signalName } from '../model/signals.js';
import { UserError, messageOf } from '../util/errors.js';
import { within } from './clock.js';
import type { ContainerFacts } from './docker.js';

export const ROOTFUL_SOCKET = '/run/podman/podman.sock';
/** The path where `podman run --init` mounts catatonit inside the container (libpod define.ContainerInitPath). */
export const PODMAN_INIT_PATH = '/run/podman-init';

/** Rootless Podman's socket: $XDG_RUNTIME_DIR/podman/podman.sock (podman-system-service(1)), else /run/user/UID/... */
export function rootlessSocket(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  return `${env.XDG_RUNTIME_DIR || `/run/user/${uid}`}/podman/podman.sock`;
}

export interface PodmanEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  /** As the user wrote it, for messages. */
  where: string;
}

/** Parse unix:///path, /path or tcp://host:port. Podman's ssh:// connections go through podman-remote, not an HTTP client. */
export function parseEndpoint(address: string): PodmanEndpoint {
  if (address.startsWith('/')) return { socketPath: address, where: `unix://${address}` };
  if (address.startsWith('unix://')) return { socketPath: address.slice('unix://'.length), where: address };
  const tcp = /^tcp:\/\/([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(address);
  if (tcp) return { host: (tcp[1] as string).replace(/^\[|\]$/g, ''), port: Number(tcp[2]), where: address };
  if (address.startsWith('ssh://'))
    throw new UserError(`${address}: ssh:// connections are podman-remote's; forward the socket (ssh -L /tmp/podman.sock:/run/podman/podman.sock HOST) and use unix:///tmp/podman.sock`);
  throw new UserError(`${address}: expected unix:///path/to/podman.sock or tcp://HOST:PORT`);
}

/**
 * Where Podman answers: --address, else CONTAINER_HOST (podman-remote's variable), else the rootful
 * socket for root (or whenever it exists), else the rootless one of this user.
 */
export function podmanEndpoint(o: { address?: string; env?: NodeJS.ProcessEnv; uid?: number; exists?: (p: string) => boolean } = {}): PodmanEndpoint {
  const env = o.env ?? process.env;
  const given = o.address ?? env.CONTAINER_HOST;
  if (given) return parseEndpoint(given);
  const uid = o.uid ?? process.getuid?.() ?? 0;
  const exists = o.exists ?? fs.existsSync;
  const rootless = rootlessSocket(env, uid);
  // A user's own service first; the rootful socket only when it has none (root-only unless shared through a group).
  const path = uid === 0 ? ROOTFUL_SOCKET : exists(rootless) || !exists(ROOTFUL_SOCKET) ? rootless : ROOTFUL_SOCKET;
  return { socketPath: path, where: `unix://${path}` };
}

/** A dockerode client on Podman's socket (loaded here, not at start-up: dockerode alone costs ~100 ms to import). */
export async function podmanEngine(ep: PodmanEndpoint): Promise<Docker> {
  const { default: Dockerode } = await import('dockerode');
  return ep.socketPath ? new Dockerode({ socketPath: ep.socketPath }) : new Dockerode({ host: ep.host, port: ep.port, protocol: 'http' });
}

interface PodmanVersion {
  version: string;
  apiVersion: string;
}

/** Fail with a clear line unless Podman answers at `ep` (a Docker engine there is named as such). */
export async function ensurePodman(docker: Docker, ep: PodmanEndpoint, timeoutMs = 5000): Promise<PodmanVersion> {
  let v: Docker.DockerVersion | undefined;
  try {
    v = await within(docker.version(), timeoutMs, undefined);
  } catch (err) {
    throw new UserError(`Podman at ${ep.where} does not answer: ${messageOf(err)} (start it with: podman system service --time=0 ${ep.where})`);
  }
  if (!v) throw new UserError(`Podman at ${ep.where} does not answer within ${timeoutMs} ms`);
  const components = (v as { Components?: { Name?: string; Version?: string }[] }).Components ?? [];
  const podman = components.find((c) => c.Name === 'Podman Engine');
  if (!podman) throw new UserError(`${ep.where} answers, but it is not Podman (${components[0]?.Name ?? 'Docker Engine'} ${v.Version}): use --runtime docker`);
  return { version: podman.Version ?? v.Version, apiVersion: v.ApiVersion };
}

/** Does `version` (x.y.z) come before `than`? */
function before(version: string, than: string): boolean {
  const a = version.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const b = than.split('.').map(Number);
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

export interface PodmanQuirks {
  /** Stop timeout of a container created through the compat API without one (Docker's default is 10). */
  compatCreateStopTimeout: number;
  /** Whether a stop (compat or libpod) emits `kill` events for its signals, as Docker's does. */
  stopEmitsKillEvents: boolean;
  /** Whether a `kill` event names the signal (Docker's carries Actor.Attributes.signal). */
  killEventNamesSignal: boolean;
  /**
   * A followed log request (`GET /containers/ID/logs?follow=1`) gets no answer, not even its
   * headers, until the container writes a line or exits: a client that awaits the stream before
   * going on (dockerode's container.logs()) waits with it.
   */
  logsFollowWaitsForFirstLine: boolean;
}

/** What differs from Docker for this Podman version. */
export function podmanQuirks(version: string): PodmanQuirks {
  return {
    // Fixed in 4.7.0 (containers/podman d2ec127c13, "Set StopTimeout for compat API if not set by client").
    compatCreateStopTimeout: before(version, '4.7.0') ? 0 : 10,
    // libpod's events carry no signal, and Stop() signals the container through the OCI runtime without an event (measured on 4.3.1).
    stopEmitsKillEvents: false,
    killEventNamesSignal: false,
    logsFollowWaitsForFirstLine: true,
  };
}

interface PodmanContainerFacts extends ContainerFacts {
  runtime: 'podman';
  /** Config.StopTimeout as Podman will apply it (0 means SIGKILL right after the stop signal). */
  stopTimeout: number;
  /** conmon, the parent of PID 1 on the host (0 when not running). */
  conmonPid: number;
  /** PID 1 is catatonit as /run/podman-init (podman run --init). */
  podmanInit: boolean;
  /** The pod, if the container is in one, and whether it is the pod's infra (catatonit -P) container. */
  pod?: { id: string; name: string; infra: boolean };
}

function statusOf(err: unknown): number | undefined {
  const c = err && typeof err === 'object' && 'statusCode' in err ? (err as { statusCode: unknown }).statusCode : undefined;
  return typeof c === 'number' ? c : undefined;
}

/** A GET on Podman's own API (libpod), through dockerode's connection. */
function libpod<T>(docker: Docker, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    docker.modem.dial({ path: `/v4.0.0/libpod${path}`, method: 'GET', statusCodes: { 200: true, 404: 'no such object', 500: 'server error' }, options: {} }, (err: unknown, data: unknown) =>
      err ? reject(err) : resolve(data as T),
    );
  });
}

interface LibpodInspect {
  State?: { ConmonPid?: number };
  Pod?: string;
  IsInfra?: boolean;
}
interface LibpodPod {
  Name?: string;
}

/** Inspect a container by name or ID through the compat API, plus conmon and the pod from libpod. */
export async function inspectPodmanContainer(docker: Docker, ref: string, where = 'Podman'): Promise<PodmanContainerFacts> {
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(ref).inspect();
  } catch (err) {
    if (statusOf(err) === 404) throw new UserError(`no such container: ${ref}`);
    throw new UserError(`cannot inspect container ${ref} via ${where}: ${messageOf(err)}`);
  }
  const cfg = info.Config as Docker.ContainerInspectInfo['Config'] & { StopSignal?: string; StopTimeout?: number };
  const toArray = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
  let stopSignal = 'SIGTERM';
  try {
    // Podman reports the number ("15"): named here as Docker does.
    if (cfg.StopSignal) stopSignal = signalName(parseSignal(cfg.StopSignal));
  } catch {
    stopSignal = cfg.StopSignal ?? 'SIGTERM';
  }
  let lp: LibpodInspect = {};
  try {
    lp = await libpod<LibpodInspect>(docker, `/containers/${encodeURIComponent(info.Id)}/json`);
  } catch {
    /* an older service without libpod: conmon and pod unknown */
  }
  let pod: PodmanContainerFacts['pod'];
  if (lp.Pod) {
    let name = lp.Pod.slice(0, 12);
    try {
      name = (await libpod<LibpodPod>(docker, `/pods/${encodeURIComponent(lp.Pod)}/json`)).Name ?? name;
    } catch {
      /* keep the ID */
    }
    pod = { id: lp.Pod, name, infra: Boolean(lp.IsInfra) };
  }
  const podmanInit = info.Path === PODMAN_INIT_PATH;
  return {
    runtime: 'podman',
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: cfg.Image,
    running: info.State.Running,
    // Frozen by `podman pause` (the compat API's State.Paused, as Docker's).
    paused: Boolean(info.State.Paused),
    hostPid: info.State.Pid,
    stopSignal,
    stopTimeout: typeof cfg.StopTimeout === 'number' ? cfg.StopTimeout : 10,
    init: podmanInit || Boolean((info.HostConfig as { Init?: boolean | null }).Init),
    podmanInit,
    conmonPid: lp.State?.ConmonPid ?? 0,
    entrypoint: toArray(cfg.Entrypoint),
    cmd: toArray(cfg.Cmd),
    labels: cfg.Labels ?? {},
    status: info.State.Status,
    ...(pod ? { pod } : {}),
  };
}

/** Inspect and require the container to be running. */
export async function runningPodmanContainer(docker: Docker, ref: string, where?: string): Promise<PodmanContainerFacts> {
  const c = await inspectPodmanContainer(docker, ref, where);
  if (!c.running || c.hostPid <= 0) throw new UserError(`container ${c.name} is not running (status: ${c.status})`);
  return c;
}

/** IDs of running containers (infra containers of pods included: they are PID namespaces too). */
export async function runningPodmanIds(docker: Docker, where = 'Podman'): Promise<string[]> {
  try {
    return (await docker.listContainers()).map((c) => c.Id);
  } catch (err) {
    throw new UserError(`cannot list containers via ${where}: ${messageOf(err)}`);
  }
}

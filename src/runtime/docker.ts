/**
 * The Docker Engine API, through dockerode (it speaks the API over the local socket or DOCKER_HOST,
 * including tcp:// and ssh://, and handles API version negotiation; no shelling out to the CLI).
 * Every failure becomes a one-line UserError naming what failed.
 */
import Docker from 'dockerode';
import { UserError, messageOf } from '../util/errors.js';
import { within } from './clock.js';

export type Engine = Docker;

/** Connect as the docker CLI would: DOCKER_HOST if set, else /var/run/docker.sock. */
export function engine(): Docker {
  return new Docker();
}

function where(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/** Fail with a clear line unless the engine answers within `timeoutMs`. */
export async function ensureEngine(docker: Docker, timeoutMs = 5000): Promise<void> {
  let answered: boolean;
  try {
    answered = await within(
      docker.ping().then(() => true),
      timeoutMs,
      false,
    );
  } catch (err) {
    throw new UserError(`Docker engine at ${where()} does not answer: ${messageOf(err)}`);
  }
  if (!answered) throw new UserError(`Docker engine at ${where()} does not answer: no answer within ${timeoutMs} ms`);
}

export interface ContainerFacts {
  id: string;
  name: string;
  image: string;
  running: boolean;
  /** Frozen by `docker pause` (its processes cannot run until unpaused; State.Running stays true). */
  paused?: boolean;
  /** PID of the container's init on the host (0 when not running). */
  hostPid: number;
  /** The configured stop signal (Config.StopSignal), default SIGTERM. */
  stopSignal: string;
  /** Config.StopTimeout, if set; the engine default is 10 s. */
  stopTimeout?: number;
  /** HostConfig.Init: docker-init (tini) runs as PID 1 in front of the entrypoint. */
  init: boolean;
  entrypoint: string[];
  cmd: string[];
  labels: Record<string, string>;
  status: string;
}

function statusCode(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'statusCode' in err) {
    const c = (err as { statusCode: unknown }).statusCode;
    return typeof c === 'number' ? c : undefined;
  }
  return undefined;
}

/** Inspect a container by name or ID; a missing one is a UserError. */
export async function inspectContainer(docker: Docker, ref: string): Promise<ContainerFacts> {
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(ref).inspect();
  } catch (err) {
    if (statusCode(err) === 404) throw new UserError(`no such container: ${ref}`);
    throw new UserError(`cannot inspect container ${ref} via ${where()}: ${messageOf(err)}`);
  }
  const cfg = info.Config;
  const toArray = (v: string | string[] | null | undefined): string[] => (v == null ? [] : Array.isArray(v) ? v : [v]);
  const stopTimeout = (cfg as { StopTimeout?: number }).StopTimeout;
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: cfg.Image,
    running: info.State.Running,
    paused: Boolean(info.State.Paused),
    hostPid: info.State.Pid,
    stopSignal: (cfg as { StopSignal?: string }).StopSignal || 'SIGTERM',
    ...(typeof stopTimeout === 'number' ? { stopTimeout } : {}),
    init: Boolean((info.HostConfig as { Init?: boolean | null }).Init),
    entrypoint: toArray(cfg.Entrypoint as string | string[] | null),
    cmd: toArray(cfg.Cmd as string | string[] | null),
    labels: cfg.Labels ?? {},
    status: info.State.Status,
  };
}

/** Inspect and require the container to be running with a host PID. */
export async function runningContainer(docker: Docker, ref: string): Promise<ContainerFacts> {
  const c = await inspectContainer(docker, ref);
  if (!c.running || c.hostPid <= 0) throw new UserError(`container ${c.name} is not running (status: ${c.status})`);
  return c;
}

/** IDs of running containers. */
export async function runningContainerIds(docker: Docker): Promise<string[]> {
  try {
    const list = await docker.listContainers();
    return list.map((c) => c.Id);
  } catch (err) {
    throw new UserError(`cannot list containers via ${where()}: ${messageOf(err)}`);
  }
}

/** The HTTP status of an Engine API error (404 for a missing object), if any. */
export function engineStatusOf(err: unknown): number | undefined {
  return statusCode(err);
}

/** The engine's error text without dockerode's "(HTTP code 400) unexpected - " prefix. */
export function engineMessage(err: unknown): string {
  const json = err && typeof err === 'object' && 'json' in err ? (err as { json: unknown }).json : undefined;
  if (json && typeof json === 'object' && 'message' in json && typeof (json as { message: unknown }).message === 'string') return (json as { message: string }).message;
  return messageOf(err)
    .replace(/^\(HTTP code \d+\) [\w ]+ - /, '')
    .trim();
}

export interface ImageFacts {
  id: string;
  ref: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  /** Config.StopSignal (STOPSIGNAL), if set. */
  stopSignal?: string;
  user: string;
  workingDir: string;
}

/** Inspect a local image; a missing one is a UserError (pid1 does not pull). */
export async function imageFacts(docker: Docker, ref: string): Promise<ImageFacts> {
  let info: Docker.ImageInspectInfo;
  try {
    info = await docker.getImage(ref).inspect();
  } catch (err) {
    if (statusCode(err) === 404) throw new UserError(`no such image: ${ref} (pid1 test uses local images: docker pull or build it first)`);
    throw new UserError(`cannot inspect image ${ref} via ${where()}: ${messageOf(err)}`);
  }
  const cfg = (info.Config ?? {}) as { Entrypoint?: string[] | string | null; Cmd?: string[] | string | null; Env?: string[] | null; StopSignal?: string; User?: string; WorkingDir?: string };
  const toArray = (v: string | string[] | null | undefined): string[] => (v == null ? [] : Array.isArray(v) ? v : [v]);
  const env: Record<string, string> = {};
  for (const kv of cfg.Env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return {
    id: info.Id,
    ref,
    entrypoint: toArray(cfg.Entrypoint),
    cmd: toArray(cfg.Cmd),
    env,
    ...(cfg.StopSignal ? { stopSignal: cfg.StopSignal } : {}),
    user: cfg.User ?? '',
    workingDir: cfg.WorkingDir ?? '',
  };
}

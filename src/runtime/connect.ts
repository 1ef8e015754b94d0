/**
 * The runtime a command talks to, from `--runtime`, `--address`, `--namespace` and `--state-dir`:
 * chosen as runtime-select.ts says, checked (options the runtime does not have, a socket that is not
 * there or does not answer: one line naming what to do), and connected.
 *
 * - docker, podman: an Engine API client (dockerode) on the socket; Podman answers on its
 *   Docker-compatible API and brings its version and quirks (podman.ts).
 * - containerd: no connection to keep; its state directory and API are read per listing (containerd.ts).
 */
import fs from 'node:fs';
import type Docker from 'dockerode';
import { UserError, messageOf } from '../util/errors.js';
import { within } from './clock.js';
import type { ContainerdOptions } from './containerd.js';
import { ensurePodman, parseEndpoint, podmanEndpoint, podmanEngine, podmanQuirks, type PodmanQuirks } from './podman.js';
import { selectRuntime, type RuntimeChoice, type RuntimeName } from './runtime-select.js';

/** What the user gave (`--runtime`, `--address`, `--namespace`, `--state-dir`). */
export interface RuntimeOptions {
  runtime?: string;
  address?: string;
  namespace?: string;
  stateDir?: string;
}

export interface EngineConnection {
  runtime: 'docker' | 'podman';
  engine: Docker;
  /** The address as a message names it (unix:///var/run/docker.sock). */
  where: string;
  why: string;
  /** Podman's version and where it stops differently from Docker. */
  podman?: { version: string; quirks: PodmanQuirks };
}

export interface ContainerdConnection {
  runtime: 'containerd';
  options: ContainerdOptions;
  why: string;
}

export type RuntimeConnection = EngineConnection | ContainerdConnection;

/** How each runtime is called in messages. */
const RUNTIME_LABEL: Record<RuntimeName, string> = { docker: 'Docker', podman: 'Podman', containerd: 'containerd' };

/** The runtime to use, with the options it does not have refused (one line, naming what to do). */
export function chooseRuntime(o: RuntimeOptions, env: NodeJS.ProcessEnv = process.env): RuntimeChoice {
  const choice = selectRuntime({ ...(o.runtime !== undefined ? { runtime: o.runtime } : {}), ...(o.address !== undefined ? { address: o.address } : {}), env });
  if (choice.runtime !== 'containerd') {
    const given = [o.namespace !== undefined ? '--namespace' : '', o.stateDir !== undefined ? '--state-dir' : ''].filter(Boolean);
    const first = given[0];
    if (first) {
      const chosen = o.runtime !== undefined ? '' : ` (chosen because ${choice.why})`;
      throw new UserError(
        `${first} is containerd's: ${RUNTIME_LABEL[choice.runtime]}${chosen} has no ${first === '--namespace' ? 'namespaces' : 'state directory to read'}; add --runtime containerd, or drop ${given.join(' and ')}`,
      );
    }
  }
  return choice;
}

const DOCKER_SOCKET = '/var/run/docker.sock';

function dockerWhere(address: string | undefined, env: NodeJS.ProcessEnv): string {
  if (address) return address.startsWith('/') ? `unix://${address}` : address;
  return env.DOCKER_HOST ?? `unix://${DOCKER_SOCKET}`;
}

/** A unix socket path in an address (unix:///p or /p), if it is one. */
function socketPathOf(where: string): string | undefined {
  if (where.startsWith('unix://')) return where.slice('unix://'.length);
  return where.startsWith('/') ? where : undefined;
}

/** A Docker or Podman engine, answering; a Podman service behind a Docker address is taken as Podman. */
export async function connectEngine(o: RuntimeOptions, timeoutMs = 10_000, env: NodeJS.ProcessEnv = process.env): Promise<EngineConnection> {
  const choice = chooseRuntime(o, env);
  if (choice.runtime === 'containerd') {
    throw new UserError(`this command needs a Docker or Podman engine; --runtime containerd is for pid1 inspect and pid1 stop (on a node: pid1 inspect --all --runtime containerd)`);
  }
  if (choice.runtime === 'podman') {
    const ep = podmanEndpoint({ ...(choice.address !== undefined ? { address: choice.address } : {}), env });
    const sock = ep.socketPath;
    if (sock && !fs.existsSync(sock)) {
      throw new UserError(`no Podman socket at ${ep.where}: start the service (podman system service --time=0 ${ep.where}, or systemctl enable --now podman.socket), or give --address`);
    }
    const engine = await podmanEngine(ep);
    const v = await ensurePodman(engine, ep, timeoutMs);
    return { runtime: 'podman', engine, where: ep.where, why: choice.why, podman: { version: v.version, quirks: podmanQuirks(v.version) } };
  }
  const where = dockerWhere(o.address, env);
  const sock = socketPathOf(where);
  const hint = 'start dockerd, set DOCKER_HOST or --address, or choose --runtime podman|containerd';
  if (sock && !fs.existsSync(sock)) throw new UserError(`Docker engine at ${where} does not answer: no such socket (${hint})`);
  const { default: Dockerode } = await import('dockerode'); // loaded here: dockerode alone costs ~100 ms to import
  let engine: Docker;
  if (o.address) {
    const ep = parseEndpoint(o.address);
    engine = ep.socketPath ? new Dockerode({ socketPath: ep.socketPath }) : new Dockerode({ host: ep.host, port: ep.port, protocol: 'http' });
  } else engine = new Dockerode(); // DOCKER_HOST (tcp://, ssh://, unix://) as the docker CLI reads it
  let version: Docker.DockerVersion | undefined;
  try {
    version = await within(engine.version(), timeoutMs, undefined);
  } catch (err) {
    throw new UserError(`Docker engine at ${where} does not answer: ${messageOf(err)} (${hint})`);
  }
  if (!version) throw new UserError(`Docker engine at ${where} does not answer: no answer within ${timeoutMs} ms (${hint})`);
  // podman-docker links /var/run/docker.sock to Podman's socket; Podman names itself in /version.
  const podman = ((version as { Components?: { Name?: string; Version?: string }[] }).Components ?? []).find((c) => c.Name === 'Podman Engine');
  if (podman) {
    const v = podman.Version ?? version.Version;
    return { runtime: 'podman', engine, where, why: `${choice.why}; Podman ${v} answers there`, podman: { version: v, quirks: podmanQuirks(v) } };
  }
  return { runtime: 'docker', engine, where, why: choice.why };
}

/** The containerd options from the command's (address, namespace, state directory), as containerd.ts reads them. */
function containerdConnection(o: RuntimeOptions, env: NodeJS.ProcessEnv = process.env): ContainerdConnection {
  const choice = chooseRuntime(o, env);
  if (choice.runtime !== 'containerd') throw new Error('containerdConnection: not containerd');
  return {
    runtime: 'containerd',
    why: choice.why,
    options: {
      ...(choice.address !== undefined ? { address: choice.address } : {}),
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
      ...(o.stateDir !== undefined ? { stateDir: o.stateDir } : {}),
      env,
    },
  };
}

/** Connect to whichever runtime the options choose. */
export async function connectRuntime(o: RuntimeOptions, timeoutMs = 10_000, env: NodeJS.ProcessEnv = process.env): Promise<RuntimeConnection> {
  return chooseRuntime(o, env).runtime === 'containerd' ? containerdConnection(o, env) : connectEngine(o, timeoutMs, env);
}

/**
 * Which container runtime a command talks to: `--runtime` when given, else what the environment and
 * the sockets on this machine say. Docker stays the default when nothing points elsewhere, so that
 * the familiar error names the familiar socket.
 */
import fs from 'node:fs';
import type Docker from 'dockerode';
import { UserError } from '../util/errors.js';
import { DEFAULT_ADDRESS as CONTAINERD_SOCKET, K3S_ADDRESS } from './containerd.js';
import { ROOTFUL_SOCKET, rootlessSocket } from './podman.js';

export const RUNTIMES = ['docker', 'podman', 'containerd'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export interface RuntimeChoice {
  runtime: RuntimeName;
  /** The socket or URL to use; undefined: the runtime's own default (dockerode reads DOCKER_HOST itself). */
  address?: string;
  /** Why this runtime, in a few words (for --verbose and error messages). */
  why: string;
}

interface SelectOptions {
  /** --runtime */
  runtime?: string;
  /** --address */
  address?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  exists?: (p: string) => boolean;
  realpath?: (p: string) => string;
}

const DOCKER_SOCKET = '/var/run/docker.sock';

/** A socket path or URL that names Podman's service (its rootful or rootless socket, or a link to it). */
export function looksLikePodman(address: string): boolean {
  return /(^|\/)podman(\/|\.sock$)/.test(address.replace(/^unix:\/\//, ''));
}

export function parseRuntime(v: string): RuntimeName {
  const r = v.trim().toLowerCase();
  if ((RUNTIMES as readonly string[]).includes(r)) return r as RuntimeName;
  throw new UserError(`--runtime ${v}: expected one of ${RUNTIMES.join(', ')}`);
}

/**
 * The runtime to use. Order: --runtime; DOCKER_HOST (Podman when it points at a Podman socket);
 * CONTAINER_HOST (Podman's); /var/run/docker.sock (Podman when it is podman-docker's link to
 * Podman's socket); a Podman socket; a containerd socket (containerd's, k3s's) or CONTAINERD_ADDRESS;
 * else Docker.
 */
export function selectRuntime(o: SelectOptions = {}): RuntimeChoice {
  const env = o.env ?? process.env;
  const exists = o.exists ?? fs.existsSync;
  const realpath =
    o.realpath ??
    ((p: string) => {
      try {
        return fs.realpathSync(p);
      } catch {
        return p;
      }
    });
  const uid = o.uid ?? process.getuid?.() ?? 0;
  const withAddress = (c: RuntimeChoice): RuntimeChoice => (o.address ? { ...c, address: o.address } : c);
  if (o.runtime) return withAddress({ runtime: parseRuntime(o.runtime), why: '--runtime' });
  if (o.address) {
    // An address alone: its path says which API it is.
    if (looksLikePodman(o.address)) return { runtime: 'podman', address: o.address, why: '--address names a Podman socket' };
    if (/containerd/.test(o.address)) return { runtime: 'containerd', address: o.address, why: '--address names a containerd socket' };
    return { runtime: 'docker', address: o.address, why: '--address' };
  }
  if (env.DOCKER_HOST) {
    const target = env.DOCKER_HOST.startsWith('unix://') ? realpath(env.DOCKER_HOST.slice('unix://'.length)) : env.DOCKER_HOST;
    if (looksLikePodman(target)) return { runtime: 'podman', address: env.DOCKER_HOST, why: 'DOCKER_HOST points at a Podman socket' };
    return { runtime: 'docker', why: 'DOCKER_HOST is set' };
  }
  if (env.CONTAINER_HOST) return { runtime: 'podman', address: env.CONTAINER_HOST, why: 'CONTAINER_HOST is set' };
  if (exists(DOCKER_SOCKET)) {
    const target = realpath(DOCKER_SOCKET);
    if (looksLikePodman(target)) return { runtime: 'podman', address: `unix://${target}`, why: `${DOCKER_SOCKET} is a link to Podman's socket (podman-docker)` };
    return { runtime: 'docker', why: `${DOCKER_SOCKET} exists` };
  }
  const podman = uid === 0 ? [ROOTFUL_SOCKET] : [rootlessSocket(env, uid), ROOTFUL_SOCKET];
  const p = podman.find((s) => exists(s));
  if (p) return { runtime: 'podman', address: `unix://${p}`, why: `${p} exists` };
  if (env.CONTAINERD_ADDRESS) return { runtime: 'containerd', address: env.CONTAINERD_ADDRESS, why: 'CONTAINERD_ADDRESS is set' };
  const c = [CONTAINERD_SOCKET, K3S_ADDRESS].find((s) => exists(s));
  if (c) return { runtime: 'containerd', address: c, why: `${c} exists (and no Docker or Podman socket)` };
  return { runtime: 'docker', why: 'no runtime socket found: Docker is the default' };
}

/** What really answers on a Docker-compatible socket: Podman names itself in /version's Components. */
export async function engineKind(docker: Docker): Promise<'docker' | 'podman'> {
  const v = await docker.version();
  const components = (v as { Components?: { Name?: string }[] }).Components ?? [];
  return components.some((c) => c.Name === 'Podman Engine') ? 'podman' : 'docker';
}

/** Option parsers shared by commands: each turns bad input into a one-line UserError. */
import type { Command } from 'commander';
import { ARCHES, type Arch, type RtBase } from '../model/signals.js';
import { UserError } from '../util/errors.js';
import { safeJson } from '../util/sanitize.js';

export function parsePid(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) <= 0) throw new UserError(`not a PID: "${v}"`);
  return Number(v);
}

export function parseArch(v: string): Arch {
  if (!(ARCHES as readonly string[]).includes(v)) throw new UserError(`unknown --arch "${v}"; one of ${ARCHES.join(', ')}`);
  return v as Arch;
}

export function parseRt(v: string): RtBase {
  if (v !== 'kernel' && v !== 'glibc') throw new UserError(`unknown --rt "${v}"; one of kernel, glibc`);
  return v;
}

/** commander's accumulator for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Write JSON the same way everywhere: two-space indent, trailing newline; the data exact, but nothing in it
 * that a terminal or a CI log would act on (container logs and command lines: see safeJson).
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${safeJson(value)}\n`);
}

/** --runtime, --address, --namespace, --state-dir, as inspect, test and stop take them (docs/runtimes.md). */
export interface RuntimeFlags {
  runtime?: string;
  address?: string;
  namespace?: string;
  stateDir?: string;
}

export function addRuntimeOptions(cmd: Command, what = 'containers'): Command {
  return cmd
    .option('--runtime <name>', `docker, podman or containerd: where the ${what} run (default: DOCKER_HOST, CONTAINER_HOST, CONTAINERD_ADDRESS, then the sockets present; docs/runtimes.md)`)
    .option('--address <socket|url>', "the runtime's socket or URL (unix:///run/podman/podman.sock, /run/containerd/containerd.sock, tcp://127.0.0.1:2375)")
    .option('--namespace <ns>', 'containerd: one namespace (k8s.io for Kubernetes; default: CONTAINERD_NAMESPACE, else every namespace)')
    .option('--state-dir <dir>', "containerd: its state directory, where the task bundles are (default: the socket's directory, /run/containerd, /run/k3s/containerd)");
}

/** The runtime flags that were given, and only those. */
export function runtimeOptionsOf(o: RuntimeFlags): RuntimeFlags {
  return {
    ...(o.runtime !== undefined ? { runtime: o.runtime } : {}),
    ...(o.address !== undefined ? { address: o.address } : {}),
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    ...(o.stateDir !== undefined ? { stateDir: o.stateDir } : {}),
  };
}

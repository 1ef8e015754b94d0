/**
 * What `pid1 test --compose` / `--manifest` runs: a compose service or a Kubernetes container as the lint
 * readers (src/sources/compose.ts, kubernetes.ts) resolve it, so that the test runs exactly what lint
 * judged and what compose or the kubelet would start (override files, `extends`, `<<` merges, nested
 * `${X:-${Y:-z}}`, `$(VAR)`, env_file, the platform's grace rules). This file only picks the service or
 * container and turns the readers' findings into one-line `file:line: message` errors.
 *
 * Both formats end up in the Engine's create call, whose merge rule is the one they document: an
 * entrypoint given without a command drops the image's CMD (compose `entrypoint`, k8s `command`);
 * a command alone keeps the image's ENTRYPOINT (compose `command`, k8s `args`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FileError } from '../lint/types.js';
import { resolveComposeFile } from '../sources/compose.js';
import { resolveKubernetesFile } from '../sources/kubernetes.js';
import type { ResolvedLaunch, ResolvedPreStop } from '../sources/yaml-launch.js';
import { UserError, errnoOf, messageOf } from '../util/errors.js';

export type PreStop = ResolvedPreStop;

export interface BuildSpec {
  context: string;
  dockerfile?: string;
  target?: string;
  args?: Record<string, string>;
}

export interface LaunchSpec {
  /** Where it came from, for messages: `compose.yaml service web`. */
  origin: string;
  /** The runtime whose stop this is. */
  policy: 'compose' | 'kubelet';
  image?: string;
  build?: BuildSpec;
  /** Replaces the image's ENTRYPOINT (and then drops its CMD); undefined: the image's. */
  entrypoint?: string[];
  /** Replaces the image's CMD; undefined: the image's (unless entrypoint is set). */
  command?: string[];
  env: Record<string, string>;
  user?: string;
  workingDir?: string;
  /** Canonical name (SIGTERM); undefined: the image's STOPSIGNAL, else SIGTERM. */
  stopSignal?: string;
  /** Whole seconds; undefined: the policy's default (compose without stop_grace_period). */
  graceSeconds?: number;
  /** compose `init: true`: docker-init (tini) in front. */
  init?: boolean;
  preStop?: PreStop;
  /** What the reduction left out or changed, one line each. */
  notes: string[];
}

/** The file must be readable: say so plainly, as the readers only report that they could not read it. */
function checkReadable(file: string): void {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    if (!fs.statSync(file).isFile()) throw new UserError(`cannot read ${file}: not a file`);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${file}: ${errnoOf(err) === 'ENOENT' ? 'no such file' : messageOf(err)}`);
  }
}

/** One line: `file:line: message`, naming the file as the user wrote it when it is the one they gave. */
function failAt(e: FileError, given: string, prefix = ''): never {
  const same = path.resolve(e.file) === path.resolve(given);
  const file = same ? given : e.file;
  throw new UserError(`${file}${e.line !== undefined ? `:${e.line}` : ''}: ${prefix}${e.message.split('\n')[0] ?? ''}`);
}

function failOnSyntax(syntax: FileError[], given: string): void {
  const first = syntax[0];
  if (first) failAt({ ...first, message: first.message.replace(/^YAML syntax error(?: in document \d+)?: /, '') }, given, 'not valid YAML: ');
}

function specOf(r: ResolvedLaunch, file: string, policy: LaunchSpec['policy']): LaunchSpec {
  const first = r.errors[0];
  if (first) failAt(first, file);
  return {
    origin: `${file} ${r.label}`, policy, env: r.env, notes: r.notes,
    ...(r.image !== undefined ? { image: r.image } : {}),
    ...(r.build ? { build: r.build } : {}),
    ...(r.entrypoint ? { entrypoint: r.entrypoint } : {}),
    ...(r.command ? { command: r.command } : {}),
    ...(r.user !== undefined ? { user: r.user } : {}),
    ...(r.workingDir ? { workingDir: r.workingDir } : {}),
    ...(r.stopSignal ? { stopSignal: r.stopSignal } : {}),
    // compose's default comes from the policy (docker compose stop: 10 s); the kubelet's is the API server's 30.
    ...(r.graceExplicit || policy === 'kubelet' ? { graceSeconds: r.graceSeconds } : {}),
    ...(r.init ? { init: true } : {}),
    ...(r.preStop ? { preStop: r.preStop } : {}),
  };
}

/** `services.<name>` of a compose project, as `docker compose up` would create it. */
export function composeLaunch(file: string, service: string, hostEnv: Readonly<Record<string, string | undefined>> = process.env): LaunchSpec {
  checkReadable(file);
  const r = resolveComposeFile(file, { env: hostEnv });
  if (!r) throw new UserError(`cannot read ${file}`);
  failOnSyntax(r.syntax, file);
  if (!r.services.size) throw new UserError(`${file}: no services: section (not a compose file?)`);
  const svc = r.services.get(service);
  if (!svc) throw new UserError(`${file}: no service "${service}" (services: ${[...r.services.keys()].join(', ')})`);
  const spec = specOf(svc, file, 'compose');
  if (r.files.length > 1) spec.notes.unshift(`compose merges ${r.files.map((f) => path.basename(f)).join(' + ')}`);
  return spec;
}

/** One container of a Kubernetes manifest, as the kubelet would run it. */
export function manifestLaunch(file: string, container?: string): LaunchSpec {
  checkReadable(file);
  const r = resolveKubernetesFile(file);
  if (!r) throw new UserError(`cannot read ${file}`);
  failOnSyntax(r.syntax, file);
  const limit = r.errors[0];
  const candidates = r.containers;
  if (!candidates.length) {
    if (limit) failAt(limit, file);
    throw new UserError(`${file}: no containers found (expected a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob)`);
  }
  const pick = container === undefined ? candidates : candidates.filter((x) => x.name === container);
  if (!pick.length) throw new UserError(`${file}: no container "${container}" (containers: ${candidates.map((x) => x.name).join(', ')})`);
  if (pick.length > 1) throw new UserError(`${file}: ${container === undefined ? 'several containers' : `container "${container}" appears ${pick.length} times`}: ${pick.map((x) => x.label).join('; ')} (choose with --container${container === undefined ? '' : ' and one workload per file'})`);
  return specOf(pick[0] as ResolvedLaunch, file, 'kubelet');
}

export function describePreStop(p: PreStop): string {
  switch (p.kind) {
    case 'exec': return `exec ${JSON.stringify(p.command)}`;
    case 'sleep': return `sleep ${p.seconds} s`;
    case 'httpGet': return `httpGet ${p.scheme.toLowerCase()}://${p.host}:${p.port}${p.path}`;
  }
}

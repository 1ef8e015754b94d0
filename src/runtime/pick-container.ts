/**
 * What `pid1 test --compose` / `--manifest` runs: a compose service or a Kubernetes container as the lint
 * readers (src/sources/compose/, src/sources/kubernetes/) resolve it, so that the test runs exactly what
 * lint judged and what compose or the kubelet would start (override files, `extends`, `<<` merges, nested
 * `${X:-${Y:-z}}`, `$(VAR)`, env_file, the platform's grace rules). This file only picks the service or
 * container and turns the readers' errors into one-line `file:line: message` errors.
 *
 * Both formats end up in the Engine's create call, whose merge rule is the one they document: an
 * entrypoint given without a command drops the image's CMD (compose `entrypoint`, k8s `command`);
 * a command alone keeps the image's ENTRYPOINT (compose `command`, k8s `args`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FileError } from '../document/document.js';
import { resolveComposeFile } from '../sources/compose/source.js';
import { resolveKubernetesFile } from '../sources/kubernetes/source.js';
import type { ContainerSpec, RunnablePreStop } from '../sources/launch.js';
import { UserError, errnoOf, messageOf } from '../util/errors.js';

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

/** The spec, when it can be run as written; else its first error, as one line. */
function runnable(r: ContainerSpec, file: string): ContainerSpec {
  const first = r.errors[0];
  if (first) failAt(first, file);
  return r;
}

/** `services.<name>` of a compose project, as `docker compose up` would create it. */
export function composeService(file: string, service: string, hostEnv: Readonly<Record<string, string | undefined>> = process.env): ContainerSpec {
  checkReadable(file);
  const r = resolveComposeFile(file, { env: hostEnv });
  if (!r) throw new UserError(`cannot read ${file}`);
  failOnSyntax(r.syntax, file);
  if (!r.services.size) throw new UserError(`${file}: no services: section (not a compose file?)`);
  const svc = r.services.get(service);
  if (!svc) throw new UserError(`${file}: no service "${service}" (services: ${[...r.services.keys()].join(', ')})`);
  const spec = runnable(svc, file);
  return r.files.length > 1 ? { ...spec, notes: [`compose merges ${r.files.map((f) => path.basename(f)).join(' + ')}`, ...spec.notes] } : spec;
}

/** One container of a Kubernetes manifest, as the kubelet would run it. */
export function manifestContainer(file: string, container?: string): ContainerSpec {
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
  if (pick.length > 1)
    throw new UserError(
      `${file}: ${container === undefined ? 'several containers' : `container "${container}" appears ${pick.length} times`}: ${pick.map((x) => x.label).join('; ')} (choose with --container${container === undefined ? '' : ' and one workload per file'})`,
    );
  return runnable(pick[0] as ContainerSpec, file);
}

export function describePreStop(p: RunnablePreStop): string {
  switch (p.kind) {
    case 'exec':
      return `exec ${JSON.stringify(p.command)}`;
    case 'sleep':
      return `sleep ${p.seconds} s`;
    case 'httpGet':
      return `httpGet ${p.scheme.toLowerCase()}://${p.host}:${p.port}${p.path}`;
  }
}

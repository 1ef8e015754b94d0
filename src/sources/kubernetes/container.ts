/**
 * One container of a pod template, read once: image, `command`/`args` (with `$(VAR)` expanded from the
 * container's literal env, as the kubelet does), the pod's grace period, `lifecycle` (preStop,
 * stopSignal), shareProcessNamespace/hostPID, securityContext and workingDir. Lint builds the container's
 * launch from this reading (launchOfContainer); `pid1 test --manifest` builds what it runs from the same
 * reading (specOfContainer).
 *
 * Stop (kubelet killContainer, pkg/kubelet/kuberuntime/kuberuntime_container.go): run preStop, bounded by
 * the grace period; the time it took is subtracted from terminationGracePeriodSeconds (default 30), with a
 * floor of 2 s (minimumGracePeriodInSeconds); then the runtime's StopContainer sends the stop signal
 * (`lifecycle.stopSignal`, else the image's STOPSIGNAL, else SIGTERM) and SIGKILLs when that time is up.
 */
import { errorAt, type Document, type FileError, type Origin, type Span } from '../../document/document.js';
import { MappedText } from '../../document/text.js';
import { parseSignal, signalName } from '../../model/signals.js';
import { messageOf } from '../../util/errors.js';
import { imageConfigFromRef, withOwnFiles, type ImageConfig } from '../image-config.js';
import type { ContainerSpec, KubernetesLaunch, LaunchPart, PreStopHook, RunnablePreStop, SourceOptions, StopPlan, StopSignalFact } from '../launch.js';
import { orchestratedFields } from '../orchestrated.js';
import { deref, entries, get, isScalar, isSeq, items, joinPath, mapScalar, scalarNode, scalarString, spanOf, type Entry, type YamlDoc, type YNode } from '../yaml.js';
import { expandK8s, expandK8sString } from './expand.js';
import { configMapMounts, scriptRefOf, type ConfigMapIndex, type MountLookup } from './configmaps.js';
import type { PodSpecAt } from './pods.js';

/** Errors met while reading a container: `file` ones are the manifest's (lint reports them); all stop a run. */
export class ContainerErrors {
  /** Everything that keeps `pid1 test` from running the container as written. */
  readonly run: FileError[] = [];
  /** What is wrong with the file itself. */
  readonly file: FileError[] = [];
  constructor(readonly doc: Document) {}

  fileError(offset: number | undefined, message: string): void {
    const e = errorAt(this.doc, offset, message);
    this.file.push(e);
    this.run.push(e);
  }

  runError(offset: number | undefined, message: string): void {
    this.run.push(errorAt(this.doc, offset, message));
  }
}

/** `command:` / `args:` as a LaunchPart (null: an empty list), with `$(VAR)` expanded. */
interface ListField {
  part: LaunchPart | null;
  changed: boolean;
}

/** What the manifest says about one container, read once. */
export interface ContainerReading {
  doc: Document;
  yamlDoc: YamlDoc;
  pod: PodSpecAt;
  name: string;
  sidecar: boolean;
  /** `Deployment/web spec.template.spec.containers[0]`. */
  where: string;
  anchor: Span;
  image?: string;
  imageSpan: Span;
  command?: ListField;
  args?: ListField;
  origins: Map<string, Origin>;
  env: Map<string, string>;
  stopSignal?: StopSignalFact;
  stop: StopPlan;
  user?: string;
  workingDir?: string;
  /** `stdin: true` or `tty: true`: the container's stdin stays open. */
  stdinOpen: boolean;
  notes: string[];
  errors: ContainerErrors;
  /** An operator wraps or replaces this container's command (Argo, KubeRay): why nothing here predicts the stop. */
  replacedBy?: string;
  /** Files of the container's ConfigMap volumes, by path inside the container. */
  files?: (p: string) => MountLookup;
}

/** What a container reader needs beyond the YAML: the run's ConfigMaps, and the container's name when the format fixes it. */
export interface ReadContext {
  configMaps?: ConfigMapIndex;
  /** Argo's `container:`/`script:` template container is named `main`. */
  name?: string;
  /** The object's namespace (a ConfigMap volume is looked up in it). */
  namespace?: string;
}

/** KubeRay keeps the Ray container's command when the CR says so, or when it already runs `ray start` (ray-operator common/pod.go BuildPod). */
function kubeRayReplaces(y: YamlDoc, pod: PodSpecAt, fields: Map<string, Entry>): boolean {
  const overwrite = scalarString(y, get(y, pod.annotations, 'ray.io/overwrite-container-cmd')?.value);
  if (overwrite?.toLowerCase() === 'true') return false;
  const words = [...(items(y, fields.get('command')?.value) ?? []), ...(items(y, fields.get('args')?.value) ?? [])].map((w) => scalarString(y, w) ?? '');
  return !words.join(' ').includes('ray start');
}

function mappedChars(y: YamlDoc, doc: Document, node: YNode | null | undefined): { value: string; offsets: number[]; editable: boolean[]; end: number } | undefined {
  const s = scalarNode(y, node);
  if (!s || s.value === null || s.value === undefined) return undefined;
  const m = mapScalar(doc, s);
  const offsets = Array.from({ length: m.text.value.length }, (_, i) => m.text.at(i));
  return { value: m.text.value, offsets, editable: offsets.map(() => m.exact), end: s.range?.[1] ?? 0 };
}

function listField(
  errs: ContainerErrors,
  y: YamlDoc,
  field: 'command' | 'args',
  entry: Entry | undefined,
  env: ReadonlyMap<string, string>,
  origins: Map<string, Origin>,
  fieldPath: string,
): ListField | undefined {
  if (!entry) return undefined;
  const doc = errs.doc;
  const span = spanOf(doc, entry.pair);
  const value = deref(y, entry.value);
  const valueSpan = spanOf(doc, value ?? null, span);
  if (value === undefined || (isScalar(value) && value.value === null)) return { part: null, changed: false };
  if (!isSeq(value)) {
    errs.fileError(valueSpan.start, `${fieldPath}: must be a list of strings (Kubernetes does not split a string into words)`);
    return undefined;
  }
  const values: Origin[] = [];
  let changed = false;
  for (const it of items(y, value) ?? []) {
    const c = mappedChars(y, doc, it);
    if (!c) continue;
    const e = expandK8s(c, env);
    changed ||= e.changed;
    const o: Origin = { doc, text: MappedText.fromOffsets(e.value, e.offsets, c.end) };
    values.push(o);
    if (e.value.length && e.editable.every(Boolean) && !origins.has(e.value)) origins.set(e.value, o);
  }
  if (!values.length) return { part: null, changed };
  return { part: { what: field, form: 'exec', values, argv: values.map((v) => v.text.value), span, valueSpan }, changed };
}

/** `sleep 15`, `/bin/sleep 15`, `sh -c "sleep 15"` (first command): how long the hook takes at least. */
function sleepSeconds(argv: readonly string[]): number | undefined {
  let a = argv;
  if (/(^|\/)(sh|bash|ash|dash)$/.test(a[0] ?? '') && a[1] === '-c' && a[2] !== undefined) a = a[2].trim().split(/\s+/);
  if (/(^|\/)sleep$/.test(a[0] ?? '') && a[1] !== undefined && /^\d+(\.\d+)?s?$/.test(a[1])) return parseFloat(a[1]);
  return undefined;
}

/** What the kubelet runs for the hook; errors (for a run) for what it would not run. */
function runnablePreStop(errs: ContainerErrors, y: YamlDoc, e: Entry, ports: YNode | undefined): RunnablePreStop | undefined {
  const at = (x: Entry | undefined): number | undefined => (x ?? e).key.range?.[0];
  const h = entries(y, e.value);
  const exec = h.get('exec');
  if (exec) {
    const cmd = get(y, exec.value, 'command');
    const list = items(y, cmd?.value);
    const argv = list?.map((c) => scalarString(y, c));
    if (!argv || argv.some((a) => a === undefined)) {
      errs.runError(at(cmd ?? exec), 'preStop exec command must be a list of strings');
      return undefined;
    }
    if (!argv.length) {
      errs.runError(at(exec), 'preStop exec needs a command');
      return undefined;
    }
    return { kind: 'exec', command: argv as string[] };
  }
  const sleep = h.get('sleep');
  if (sleep) {
    const se = get(y, sleep.value, 'seconds');
    const n = scalarNode(y, se?.value);
    if (!n || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < 0) {
      errs.runError(at(se ?? sleep), 'preStop sleep seconds must be a whole number');
      return undefined;
    }
    return { kind: 'sleep', seconds: n.value };
  }
  const hg = h.get('httpGet');
  if (hg) {
    const g = entries(y, hg.value);
    const portNode = scalarNode(y, g.get('port')?.value);
    let port: number | undefined;
    if (portNode && typeof portNode.value === 'number') port = portNode.value;
    else if (portNode && typeof portNode.value === 'string') {
      // A named port: the container's ports[].name.
      const named = (items(y, ports) ?? []).find((pt) => scalarString(y, get(y, pt, 'name')?.value) === portNode.value);
      const cp = named ? scalarNode(y, get(y, named, 'containerPort')?.value) : undefined;
      port = cp && typeof cp.value === 'number' ? cp.value : /^\d+$/.test(portNode.value) ? Number(portNode.value) : undefined;
    }
    if (port === undefined) {
      errs.runError(at(g.get('port') ?? hg), `preStop httpGet port ${portNode ? (scalarString(y, portNode) ?? '') : '(none)'} is not a number or a named container port`);
      return undefined;
    }
    const scheme = (scalarString(y, g.get('scheme')?.value) ?? 'HTTP').toUpperCase();
    if (scheme !== 'HTTP' && scheme !== 'HTTPS') {
      errs.runError(at(g.get('scheme')), 'preStop httpGet scheme must be HTTP or HTTPS');
      return undefined;
    }
    const headers: Record<string, string> = {};
    for (const hd of items(y, g.get('httpHeaders')?.value) ?? []) {
      const name = scalarString(y, get(y, hd, 'name')?.value);
      if (name !== undefined) headers[name] = scalarString(y, get(y, hd, 'value')?.value) ?? '';
    }
    const host = scalarString(y, g.get('host')?.value);
    return { kind: 'httpGet', scheme, host: host || '127.0.0.1', port, path: scalarString(y, g.get('path')?.value) ?? '/', headers };
  }
  const tcp = h.get('tcpSocket');
  if (tcp) {
    errs.runError(at(tcp), 'preStop tcpSocket is accepted by the API for compatibility but the kubelet does not run it');
    return undefined;
  }
  errs.runError(at(undefined), 'preStop needs exec, sleep or httpGet');
  return undefined;
}

function preStopOf(errs: ContainerErrors, y: YamlDoc, lifecycle: YNode | undefined, ports: YNode | undefined): PreStopHook | undefined {
  const e = get(y, lifecycle, 'preStop');
  if (!e) return undefined;
  const span = spanOf(errs.doc, e.pair);
  const h = entries(y, e.value);
  const run = runnablePreStop(errs, y, e, ports);
  const withRun = run ? { run } : {};
  if (h.has('exec')) {
    const cmd = items(y, get(y, h.get('exec')?.value, 'command')?.value) ?? [];
    const argv = cmd.map((c) => scalarString(y, c) ?? '');
    const seconds = sleepSeconds(argv);
    return { kind: 'exec', span, argv, ...(seconds !== undefined ? { seconds } : {}), ...withRun };
  }
  if (h.has('sleep')) {
    const secs = Number(scalarString(y, get(y, h.get('sleep')?.value, 'seconds')?.value));
    return { kind: 'sleep', span, ...(Number.isFinite(secs) ? { seconds: secs } : {}), ...withRun };
  }
  if (h.has('httpGet')) return { kind: 'httpGet', span, ...withRun };
  if (h.has('tcpSocket')) return { kind: 'tcpSocket', span };
  return { kind: 'other', span };
}

/**
 * The container's literal `env` values, in order; a value may refer to an earlier one with `$(VAR)`, which
 * the kubelet expands. `valueFrom` (ConfigMaps, Secrets, the downward API) cannot be known from the file.
 */
function containerEnv(y: YamlDoc, fields: Map<string, Entry>, notes: string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const ev of items(y, fields.get('env')?.value) ?? []) {
    const n = scalarString(y, get(y, ev, 'name')?.value);
    const v = get(y, ev, 'value');
    if (n === undefined) continue;
    if (get(y, ev, 'valueFrom')) {
      notes.push(`env ${n} comes from valueFrom: not resolved, left unset`);
      continue;
    }
    env.set(n, expandK8sString(v ? (scalarString(y, v.value) ?? '') : '', env));
  }
  return env;
}

/** terminationGracePeriodSeconds: an integer of seconds (int64 in the API), default 30; anything else is an error. */
function podGrace(errs: ContainerErrors, y: YamlDoc, specFields: Map<string, Entry>): { seconds: number; explicit: boolean; entry?: Entry } {
  const entry = specFields.get('terminationGracePeriodSeconds');
  if (!entry) return { seconds: 30, explicit: false }; // the API server's default
  const s = scalarNode(y, entry.value);
  const source = s ? (scalarString(y, s) ?? '') : '';
  if (!s || typeof s.value !== 'number' || !/^[0-9]+$/.test(source)) {
    errs.fileError(entry.key.range?.[0], `terminationGracePeriodSeconds must be a whole number of seconds, not ${source || 'empty'}`);
    return { seconds: 30, explicit: false, entry };
  }
  return { seconds: s.value, explicit: true, entry };
}

/** Read one container (or sidecar init container) of a pod template. */
export function readContainer(doc: Document, y: YamlDoc, pod: PodSpecAt, node: YNode, list: 'containers' | 'initContainers', index: number, ctx: ReadContext = {}): ContainerReading {
  const errs = new ContainerErrors(doc);
  const fields = entries(y, node);
  const name = ctx.name ?? scalarString(y, fields.get('name')?.value) ?? `#${index}`;
  const cpath = pod.single ? [...pod.path, pod.single.key] : [...pod.path, list, index];
  const itemSpan = spanOf(doc, node);
  const anchor = fields.get('name') ? spanOf(doc, fields.get('name')?.pair) : itemSpan;
  const image = scalarString(y, fields.get('image')?.value);
  const imageSpan = fields.get('image') ? spanOf(doc, fields.get('image')?.pair) : anchor;
  const sidecar = list === 'initContainers';
  const notes: string[] = [];
  if (!image) errs.runError(itemSpan.start, `${pod.resource} ${sidecar ? 'sidecar' : 'container'} ${name} has no image`);
  const env = containerEnv(y, fields, notes);
  if (fields.get('envFrom')) notes.push('envFrom (ConfigMaps/Secrets) is not resolved');
  const origins = new Map<string, Origin>();
  const command = listField(errs, y, 'command', fields.get('command'), env, origins, `${joinPath(cpath)}.command`);
  const args = listField(errs, y, 'args', fields.get('args'), env, origins, `${joinPath(cpath)}.args`);
  const specFields = entries(y, pod.spec);
  const grace = podGrace(errs, y, specFields);
  const lifecycle = deref(y, fields.get('lifecycle')?.value);
  const sigEntry = get(y, lifecycle, 'stopSignal');
  let stopSignal: StopSignalFact | undefined;
  if (sigEntry) {
    const raw = scalarString(y, sigEntry.value) ?? '';
    const span = spanOf(doc, sigEntry.pair);
    try {
      stopSignal = { signal: signalName(parseSignal(raw)), source: 'explicit', span };
    } catch (err) {
      stopSignal = { signal: 'SIGTERM', source: 'explicit', span, invalid: raw };
      errs.runError(sigEntry.key.range?.[0], `stopSignal: ${messageOf(err)}`);
    }
  }
  // shareProcessNamespace: the pause process is PID 1; hostPID: the host's init is
  const shareEntry = specFields.get('shareProcessNamespace');
  const hostEntry = specFields.get('hostPID');
  const sharedWith =
    hostEntry && scalarString(y, hostEntry.value) === 'true' ? ('hostPID' as const) : shareEntry && scalarString(y, shareEntry.value) === 'true' ? ('shareProcessNamespace' as const) : undefined;
  const sharedEntry = sharedWith === 'hostPID' ? hostEntry : shareEntry;
  if (shareEntry && scalarString(y, shareEntry.value) === 'true')
    notes.push("shareProcessNamespace: in the pod the pause container is PID 1 and this container's command is not a namespace init; pid1 test runs it as its own PID 1");
  if (hostEntry && scalarString(y, hostEntry.value) === 'true') notes.push("hostPID: in the pod the host's init is PID 1; pid1 test runs the command as its own PID 1");
  const preStop = preStopOf(errs, y, lifecycle, fields.get('ports')?.value);
  const os = scalarString(y, get(y, specFields.get('os')?.value, 'name')?.value);
  const stop: StopPlan = {
    platform: 'kubernetes',
    graceSeconds: grace.seconds,
    graceSource: grace.explicit ? 'explicit' : 'default',
    ...(grace.entry ? { graceSpan: spanOf(doc, grace.entry.pair) } : {}),
    ...(preStop ? { preStop } : {}),
    ...(sharedWith && sharedEntry ? { sharedPidNamespace: spanOf(doc, sharedEntry.pair), sharedPidWith: sharedWith } : {}),
    ...(sigEntry ? { stopSignalSpan: spanOf(doc, sigEntry.pair) } : {}),
    ...(os ? { podOs: os } : {}),
  };
  const podSc = entries(y, specFields.get('securityContext')?.value);
  const cSc = entries(y, fields.get('securityContext')?.value);
  const uid = scalarString(y, (cSc.get('runAsUser') ?? podSc.get('runAsUser'))?.value);
  const gid = scalarString(y, (cSc.get('runAsGroup') ?? podSc.get('runAsGroup'))?.value);
  const user = uid !== undefined ? (gid !== undefined ? `${uid}:${gid}` : uid) : undefined;
  const workingDir = scalarString(y, fields.get('workingDir')?.value);
  const replacedBy = operatorOf(y, pod, fields, list, index, notes);
  const mounts = ctx.configMaps ? configMapMounts(y, doc, pod.spec, node, ctx.namespace, ctx.configMaps) : undefined;
  if (mounts) {
    // a ConfigMap script run by path needs an execute bit (the kernel's execve: EACCES otherwise)
    const argv0 = command?.part?.argv[0];
    const direct = argv0?.startsWith('/') ? mounts(argv0) : undefined;
    if (direct && 'file' in direct && (direct.file.mode & 0o111) === 0) {
      errs.fileError(
        command?.part?.span.start,
        `${argv0} comes from ${direct.file.how} with mode ${direct.file.mode.toString(8).padStart(4, '0')}: it is not executable, so the container cannot start (permission denied); run it through its interpreter or give the volume defaultMode: 0755`,
      );
    }
  }
  return {
    doc,
    yamlDoc: y,
    pod,
    name,
    sidecar,
    where: `${pod.resource} ${joinPath(cpath)}`,
    anchor,
    ...(image ? { image } : {}),
    imageSpan,
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    origins,
    env,
    ...(stopSignal ? { stopSignal } : {}),
    stop,
    ...(user !== undefined ? { user } : {}),
    ...(workingDir ? { workingDir } : {}),
    stdinOpen: ['stdin', 'tty'].some((k) => scalarString(y, fields.get(k)?.value) === 'true'),
    notes,
    errors: errs,
    ...(replacedBy ? { replacedBy } : {}),
    ...(mounts ? { files: mounts } : {}),
  };
}

/**
 * What an operator does to the container as written, when it decides the stop:
 * - Argo Workflows runs every template container as `argoexec emissary -- COMMAND` (workflow/controller/
 *   workflowpod.go). The emissary is PID 1, forwards signals to the command's process group and exits once
 *   its direct child has ended (it polls every second; osspecific Wait), so how the step stops depends on how
 *   fast the group's programs end, which nothing here shows;
 * - KubeRay replaces the Ray container's command (ray-operator common/pod.go BuildPod).
 */
function operatorOf(y: YamlDoc, pod: PodSpecAt, fields: Map<string, Entry>, list: 'containers' | 'initContainers', index: number, notes: string[]): string | undefined {
  if (pod.operator === 'argo' && list === 'containers') {
    notes.push('Argo Workflows runs the command under its emissary executor (argoexec emissary -- COMMAND); pid1 test runs the command as written');
    return "Argo Workflows runs this command under its emissary executor (`argoexec emissary -- ...` as PID 1), which forwards the stop signal to the command's process group and exits once the command's first process has ended: how the step stops depends on how fast those programs end";
  }
  if (pod.operator === 'kuberay' && list === 'containers' && index === 0 && kubeRayReplaces(y, pod, fields)) {
    notes.push('KubeRay replaces this container\'s command with `/bin/bash -lc "ulimit -n ...; ray start ... --block"`; pid1 test runs the command as written');
    return 'KubeRay replaces the Ray container\'s command with `/bin/bash -lc "ulimit -n ...; ray start ... --block"` (after the command written here, if any): how `ray start --block` stops decides';
  }
  return undefined;
}

/**
 * The image's config with the container's own files in front: a ConfigMap volume hides the image's files
 * under its mount path, and its scripts are read like a COPY'd entrypoint (mapped to the YAML block scalar).
 */
function withFiles(img: ImageConfig, r: ContainerReading): ImageConfig {
  const files = r.files;
  if (!files) return img;
  return withOwnFiles(img, (p) => {
    const found = files(p);
    if (found === undefined) return undefined;
    if ('file' in found) return scriptRefOf(p, found.file);
    if (!r.notes.includes(found.note)) r.notes.push(found.note);
    return null;
  });
}

/** The container's launch for lint. */
export function launchOfContainer(r: ContainerReading, imageConfig: (image: string, where: Span) => ImageConfig, opts: SourceOptions): KubernetesLaunch {
  const imageCfg: ImageConfig = withFiles(r.image ? imageConfig(r.image, r.imageSpan) : { ...imageConfigFromRef('', r.anchor, opts), describe: 'no image', source: 'none' }, r);
  const docNote = r.yamlDoc.helmSource ? ` (from ${r.yamlDoc.helmSource})` : '';
  const { command, args } = r;
  return {
    kind: 'kubernetes',
    ...orchestratedFields({
      ...(r.replacedBy ? { replaced: { code: 'operator' as const, message: r.replacedBy } } : {}),
      label: `${r.sidecar ? 'sidecar' : 'container'} ${r.name} of ${r.pod.resource}${docNote}`,
      doc: r.doc,
      where: r.where,
      image: imageCfg,
      ...(r.image ? { imageRef: r.image } : {}),
      // An empty `command` is no command (the runtime uses the image's ENTRYPOINT and, without args, its CMD);
      // an empty `args` under a `command` still drops the image's CMD.
      ...(command?.part ? { entrypoint: command.part } : {}),
      ...(args && (args.part || command?.part) ? { cmd: args.part } : {}),
      ...(r.stopSignal ? { stopSignal: r.stopSignal } : {}),
      stop: r.stop,
      anchor: r.anchor,
      origins: r.origins,
      ...(r.workingDir ? { workingDir: r.workingDir } : {}),
      stdinOpen: r.stdinOpen,
      substituted: (command?.changed ?? false) || (args?.changed ?? false),
    }),
    resource: r.pod.resource,
    container: r.name,
    document: r.yamlDoc.index,
    ...(r.yamlDoc.helmSource ? { helmSource: r.yamlDoc.helmSource } : {}),
    ...(r.sidecar ? { sidecar: true } : {}),
  };
}

/** What the kubelet runs for the container, for `pid1 test --manifest`. */
export function specOfContainer(r: ContainerReading): ContainerSpec {
  // command replaces ENTRYPOINT (and drops CMD even without args); args replaces CMD; empty lists are unset.
  const entrypoint = r.command?.part?.argv;
  const cmd = r.args?.part?.argv ?? (entrypoint ? [] : undefined);
  const run = r.stop.preStop?.run;
  return {
    name: r.name,
    resource: r.pod.resource,
    label: `${r.pod.resource} ${r.sidecar ? 'sidecar' : 'container'} ${r.name}`,
    platform: 'kubernetes',
    env: Object.fromEntries(r.env),
    init: false,
    notes: r.notes,
    errors: r.errors.run,
    graceSeconds: r.stop.graceSeconds,
    graceExplicit: r.stop.graceSource === 'explicit',
    ...(r.image ? { image: r.image } : {}),
    ...(entrypoint ? { entrypoint } : {}),
    ...(cmd ? { command: cmd } : {}),
    ...(r.user !== undefined ? { user: r.user } : {}),
    ...(r.workingDir ? { workingDir: r.workingDir } : {}),
    ...(r.stopSignal && !r.stopSignal.invalid ? { stopSignal: r.stopSignal.signal } : {}),
    ...(run ? { preStop: run } : {}),
  };
}

/**
 * The Kubernetes source: every container of every pod template in a YAML stream (multi-document,
 * `kind: List` and `*List`), with its launch and the kubelet's stop sequence.
 *
 * - Workloads: Pod (`spec`), CronJob (`spec.jobTemplate.spec.template.spec`), PodTemplate (`template.spec`),
 *   and anything else with a pod template at `spec.template.spec` (Deployment, StatefulSet, DaemonSet,
 *   ReplicaSet, Job, ReplicationController, and CRDs that follow the convention).
 * - Containers, and init containers with `restartPolicy: Always` (sidecars, stopped with the pod). Plain init
 *   containers have exited before the pod runs: nothing stops them, so they get no stop findings.
 * - `command` replaces the image's ENTRYPOINT and drops its CMD; `args` replaces CMD. `$(VAR)` is expanded
 *   from the container's literal `env` values (`$$` escapes), as the kubelet does; unresolved references stay.
 * - Stop (kubelet killContainer, pkg/kubelet/kuberuntime/kuberuntime_container.go): run preStop, bounded by
 *   the grace period; the time it took is subtracted from terminationGracePeriodSeconds (default 30), with a
 *   floor of 2 s (minimumGracePeriodInSeconds); then the runtime's StopContainer sends the stop signal
 *   (`lifecycle.stopSignal`, else the image's STOPSIGNAL, else SIGTERM) and SIGKILLs when that time is up.
 */
import path from 'node:path';
import { isScalar, isSeq } from 'yaml';
import { DocumentStore, displayPath } from '../lint/documents.js';
import { MappedText } from '../lint/text.js';
import type { Document, FileError, Launch, LaunchPart, Origin, SourceOptions, SourceResult, Span, StopSignalFact } from '../lint/types.js';
import { parseSignal, signalName } from '../model/signals.js';
import { lintDockerfileSource } from './dockerfile.js';
import type { Chars } from './compose-words.js';
import { ImageLinker, repoRoot } from './kubernetes-images.js';
import { deref, entries, get, items, joinPath, mapScalar, parseYamlStream, scalarNode, scalarString, spanOf, YamlLimitError, type Entry, type YamlDoc, type YNode } from './yaml.js';
import { imageConfigFromDockerfile, imageConfigFromRef, orchestratedLaunch, type ImageConfig, type OrchestratedLaunch, type PreStopHook, type ResolvedLaunch, type ResolvedPreStop, type StopPlan } from './yaml-launch.js';
import { messageOf } from '../util/errors.js';

export interface KubernetesOptions extends SourceOptions {
  /** `--image-map NAME=PATH`. */
  imageMap?: Readonly<Record<string, string>>;
  /** Dockerfiles the run found (absolute paths); otherwise the repository is searched when an image needs linking. */
  dockerfiles?: readonly string[];
  /** Shared across the files of a run. */
  linker?: ImageLinker;
  /** The file was named on the command line or read from stdin: report what is not Kubernetes. */
  explicit?: boolean;
}

export interface K8sLaunch extends OrchestratedLaunch {
  /** `Deployment/web`. */
  resource: string;
  container: string;
  /** 0-based document index in the stream. */
  document: number;
  helmSource?: string;
  /** A restartable init container (sidecar). */
  sidecar?: boolean;
}

export function isK8sLaunch(l: Launch): l is K8sLaunch {
  return typeof (l as Partial<K8sLaunch>).resource === 'string' && (l as Partial<K8sLaunch>).stop !== undefined;
}

/** A cheap test for a YAML file found by a walk: some document has top-level apiVersion and kind. */
export function looksLikeKubernetes(text: string): boolean {
  if (/^apiVersion:[ \t]*\S/m.test(text) && /^kind:[ \t]*\S/m.test(text)) return true;
  // `kubectl get -o json`: JSON is YAML too
  return /^\s*\{/.test(text) && /"apiVersion"\s*:/.test(text) && /"kind"\s*:/.test(text);
}

/** Go-template syntax: a Helm chart's templates are not manifests until rendered. */
export function isTemplate(text: string): boolean {
  return /\{\{-?\s*[.$a-zA-Z(/-]/.test(text);
}

interface PodSpecAt {
  spec: YNode;
  path: (string | number)[];
  resource: string;
  kind: string;
}

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  PodTemplate: ['template', 'spec'],
};

function walkTo(y: YamlDoc, node: YNode | null | undefined, keys: readonly string[]): YNode | undefined {
  let cur: YNode | undefined = deref(y, node);
  for (const k of keys) {
    cur = cur ? deref(y, get(y, cur, k)?.value) : undefined;
    if (!cur) return undefined;
  }
  return cur;
}

/** `needApiVersion`: a walk's test for a Kubernetes object; a manifest given to run is read by `kind` alone. */
function podSpecs(y: YamlDoc, node: YNode | null | undefined, at: (string | number)[], out: PodSpecAt[], depth = 0, needApiVersion = true): void {
  if (depth > 8) return;
  const kind = scalarString(y, get(y, node, 'kind')?.value);
  const apiVersion = scalarString(y, get(y, node, 'apiVersion')?.value);
  if (!kind || (!apiVersion && needApiVersion)) return;
  const list = items(y, get(y, node, 'items')?.value);
  if (list && kind.endsWith('List')) {
    list.forEach((it, i) => podSpecs(y, it, [...at, 'items', i], out, depth + 1, needApiVersion));
    return;
  }
  const meta = get(y, node, 'metadata')?.value;
  const name = scalarString(y, get(y, meta, 'name')?.value) ?? scalarString(y, get(y, meta, 'generateName')?.value) ?? '?';
  const resource = `${kind}/${name}`;
  const known = POD_SPEC_PATHS[kind];
  const candidates = known ? [known] : [['spec', 'template', 'spec'], ['spec', 'jobTemplate', 'spec', 'template', 'spec']];
  for (const keys of candidates) {
    const spec = walkTo(y, node, keys);
    if (spec && get(y, spec, 'containers')) { out.push({ spec, path: [...at, ...keys], resource, kind }); return; }
  }
}

/** `$(VAR)` expansion as the kubelet does it (third_party/forked/golang/expansion): `$$` is a literal `$`. */
export function expandK8s(input: Chars, env: ReadonlyMap<string, string>): Chars & { changed: boolean } {
  const s = input.value;
  const out: Chars & { changed: boolean } = { value: '', offsets: [], editable: [], changed: false };
  const lit = (i: number): void => { out.value += s[i]; out.offsets.push(input.offsets[i] ?? 0); out.editable.push(input.editable[i] ?? false); };
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$' || i + 1 >= s.length) { lit(i); continue; }
    const next = s[i + 1];
    if (next === '$') { out.value += '$'; out.offsets.push(input.offsets[i] ?? 0); out.editable.push(false); out.changed = true; i++; continue; }
    if (next === '(') {
      const close = s.indexOf(')', i + 2);
      const name = close > 0 ? s.slice(i + 2, close) : undefined;
      const v = name !== undefined ? env.get(name) : undefined;
      if (v !== undefined) {
        out.value += v;
        for (let k = 0; k < v.length; k++) { out.offsets.push(input.offsets[i] ?? 0); out.editable.push(false); }
        out.changed = true;
        i = close;
        continue;
      }
    }
    lit(i);
  }
  return out;
}

/** `$(VAR)` expansion of a plain string. */
export function expandK8sString(s: string, env: ReadonlyMap<string, string>): string {
  return expandK8s({ value: s, offsets: Array.from({ length: s.length }, () => 0), editable: Array.from({ length: s.length }, () => false) }, env).value;
}

/** Where a reader reports errors: the lint's per-file list, or a resolution's. */
interface ErrorSink {
  readonly doc: Document;
  error(offset: number | undefined, message: string): void;
}

class K8sFile implements ErrorSink {
  readonly errors: FileError[] = [];
  private readonly dockerfiles = new Map<string, ImageConfig>();
  constructor(readonly doc: Document, readonly store: DocumentStore, readonly opts: KubernetesOptions, readonly linker: ImageLinker) {}

  error(offset: number | undefined, message: string): void {
    const p = this.doc.lines.position(offset ?? 0);
    this.errors.push({ file: this.doc.file, line: p.line, column: p.column, message });
  }

  imageConfig(image: string, where: Span): ImageConfig {
    const have = this.dockerfiles.get(image);
    if (have) return have;
    const r = this.linker.link(image);
    let cfg: ImageConfig;
    if (r.link) {
      const d = this.store.read(r.link.dockerfile, 'dockerfile');
      if (!d) {
        cfg = imageConfigFromRef(image, where, this.opts);
        cfg.describe = `${cfg.describe}; ${r.link.how}, but ${r.link.dockerfile} cannot be read`;
      } else {
        const res = lintDockerfileSource(d, this.store, { ...this.opts, context: path.dirname(r.link.dockerfile), ...(r.link.target ? { target: r.link.target } : { target: undefined }) });
        const l = res.launches.find((x) => x.target);
        cfg = l ? imageConfigFromDockerfile(l, `image ${image} built from ${d.file} (${r.link.how})`) : imageConfigFromRef(image, where, this.opts);
      }
    } else {
      cfg = imageConfigFromRef(image, where, this.opts);
      if (r.ambiguous) cfg.describe += `; several Dockerfiles match its name (${r.ambiguous.map((f) => displayPath(f)).join(', ')}): pick one with --image-map`;
    }
    this.dockerfiles.set(image, cfg);
    return cfg;
  }
}

function mappedChars(y: YamlDoc, doc: Document, node: YNode | null | undefined): (Chars & { end: number }) | undefined {
  const s = scalarNode(y, node);
  if (!s || s.value === null || s.value === undefined) return undefined;
  const m = mapScalar(doc, s);
  const offsets = Array.from({ length: m.text.value.length }, (_, i) => m.text.at(i));
  return { value: m.text.value, offsets, editable: offsets.map(() => m.exact), end: s.range?.[1] ?? 0 };
}

/** `command:` / `args:` as a LaunchPart; null when set to an empty list. */
function listPart(f: ErrorSink, y: YamlDoc, field: 'command' | 'args', entry: { value: YNode | undefined; pair: unknown } | undefined, env: ReadonlyMap<string, string>, origins: Map<string, Origin>, fieldPath: string): { part: LaunchPart | null; changed: boolean } | undefined {
  if (!entry) return undefined;
  const doc = f.doc;
  const span = spanOf(doc, entry.pair as Parameters<typeof spanOf>[1]);
  const value = deref(y, entry.value);
  const valueSpan = spanOf(doc, value ?? null, span);
  if (value === undefined || isScalar(value) && value.value === null) return { part: null, changed: false };
  if (!isSeq(value)) { f.error(valueSpan.start, `${fieldPath}: must be a list of strings (Kubernetes does not split a string into words)`); return undefined; }
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

function preStopOf(f: K8sFile, y: YamlDoc, lifecycle: YNode | undefined): PreStopHook | undefined {
  const e = get(y, lifecycle, 'preStop');
  if (!e) return undefined;
  const span = spanOf(f.doc, e.pair);
  const h = entries(y, e.value);
  if (h.has('exec')) {
    const cmd = items(y, get(y, h.get('exec')?.value, 'command')?.value) ?? [];
    const argv = cmd.map((c) => scalarString(y, c) ?? '');
    return { kind: 'exec', span, argv, ...(sleepSeconds(argv) !== undefined ? { seconds: sleepSeconds(argv) as number } : {}) };
  }
  if (h.has('sleep')) {
    const secs = Number(scalarString(y, get(y, h.get('sleep')?.value, 'seconds')?.value));
    return { kind: 'sleep', span, ...(Number.isFinite(secs) ? { seconds: secs } : {}) };
  }
  if (h.has('httpGet')) return { kind: 'httpGet', span };
  if (h.has('tcpSocket')) return { kind: 'tcpSocket', span };
  return { kind: 'other', span };
}

/** `sleep 15`, `/bin/sleep 15`, `sh -c "sleep 15"` (first command): how long the hook takes at least. */
function sleepSeconds(argv: readonly string[]): number | undefined {
  let a = argv;
  if (/(^|\/)(sh|bash|ash|dash)$/.test(a[0] ?? '') && a[1] === '-c' && a[2] !== undefined) a = a[2].trim().split(/\s+/);
  if (/(^|\/)sleep$/.test(a[0] ?? '') && a[1] !== undefined && /^\d+(\.\d+)?s?$/.test(a[1])) return parseFloat(a[1]);
  return undefined;
}

/**
 * The container's literal `env` values, in order; a value may refer to an earlier one with `$(VAR)`, which
 * the kubelet expands. `valueFrom` (ConfigMaps, Secrets, the downward API) cannot be known from the file.
 */
function containerEnv(y: YamlDoc, fields: Map<string, Entry>, notes?: string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const ev of items(y, fields.get('env')?.value) ?? []) {
    const n = scalarString(y, get(y, ev, 'name')?.value);
    const v = get(y, ev, 'value');
    if (n === undefined) continue;
    if (get(y, ev, 'valueFrom')) { notes?.push(`env ${n} comes from valueFrom: not resolved, left unset`); continue; }
    env.set(n, expandK8sString(v ? scalarString(y, v.value) ?? '' : '', env));
  }
  return env;
}

/** terminationGracePeriodSeconds: an integer of seconds (int64 in the API), default 30; anything else is an error. */
function podGrace(f: ErrorSink, y: YamlDoc, specFields: Map<string, Entry>): { seconds: number; explicit: boolean; entry?: Entry } {
  const entry = specFields.get('terminationGracePeriodSeconds');
  if (!entry) return { seconds: 30, explicit: false }; // the API server's default
  const s = scalarNode(y, entry.value);
  const source = s ? scalarString(y, s) ?? '' : '';
  if (!s || typeof s.value !== 'number' || !/^[0-9]+$/.test(source)) {
    f.error(entry.key.range?.[0], `terminationGracePeriodSeconds must be a whole number of seconds, not ${source || 'empty'}`);
    return { seconds: 30, explicit: false, entry };
  }
  return { seconds: s.value, explicit: true, entry };
}

function containerLaunch(f: K8sFile, y: YamlDoc, pod: PodSpecAt, node: YNode, list: 'containers' | 'initContainers', index: number): K8sLaunch | undefined {
  const doc = f.doc;
  const fields = entries(y, node);
  const name = scalarString(y, fields.get('name')?.value) ?? `#${index}`;
  const cpath = [...pod.path, list, index];
  const where = `${pod.resource} ${joinPath(cpath)}`;
  const itemSpan = spanOf(doc, node);
  const anchor = fields.get('name') ? spanOf(doc, fields.get('name')?.pair) : itemSpan;
  const image = scalarString(y, fields.get('image')?.value);
  const imageSpan = fields.get('image') ? spanOf(doc, fields.get('image')?.pair) : anchor;
  const env = containerEnv(y, fields);
  const origins = new Map<string, Origin>();
  const command = listPart(f, y, 'command', fields.get('command'), env, origins, `${joinPath(cpath)}.command`);
  const args = listPart(f, y, 'args', fields.get('args'), env, origins, `${joinPath(cpath)}.args`);
  const imageCfg = image ? f.imageConfig(image, imageSpan) : imageConfigFromRef('', anchor, f.opts);
  if (!image) imageCfg.describe = 'no image';
  const specFields = entries(y, pod.spec);
  const grace = podGrace(f, y, specFields);
  const graceEntry = grace.entry;
  const lifecycle = deref(y, fields.get('lifecycle')?.value);
  const sigEntry = get(y, lifecycle, 'stopSignal');
  let stopSignal: StopSignalFact | undefined;
  if (sigEntry) {
    const raw = scalarString(y, sigEntry.value) ?? '';
    const span = spanOf(doc, sigEntry.pair);
    try { stopSignal = { signal: signalName(parseSignal(raw)), source: 'explicit', span }; }
    catch { stopSignal = { signal: 'SIGTERM', source: 'explicit', span, invalid: raw }; }
  }
  // shareProcessNamespace: the pause process is PID 1; hostPID: the host's init is
  const shareEntry = specFields.get('shareProcessNamespace');
  const hostEntry = specFields.get('hostPID');
  const sharedWith = hostEntry && scalarString(y, hostEntry.value) === 'true' ? 'hostPID' as const
    : shareEntry && scalarString(y, shareEntry.value) === 'true' ? 'shareProcessNamespace' as const : undefined;
  const sharedEntry = sharedWith === 'hostPID' ? hostEntry : shareEntry;
  const shared = sharedWith && sharedEntry ? spanOf(doc, sharedEntry.pair) : undefined;
  const preStop = preStopOf(f, y, lifecycle);
  const os = scalarString(y, get(y, specFields.get('os')?.value, 'name')?.value);
  const stop: StopPlan = {
    platform: 'kubernetes',
    graceSeconds: grace.seconds,
    graceSource: grace.explicit ? 'explicit' : 'default',
    ...(graceEntry ? { graceSpan: spanOf(doc, graceEntry.pair) } : {}),
    ...(preStop ? { preStop } : {}),
    ...(shared && sharedWith ? { sharedPidNamespace: shared, sharedPidWith: sharedWith } : {}),
    ...(sigEntry ? { stopSignalSpan: spanOf(doc, sigEntry.pair) } : {}),
    ...(os ? { podOs: os } : {}),
  };
  const sidecar = list === 'initContainers';
  const docNote = y.helmSource ? ` (from ${y.helmSource})` : '';
  const launch = orchestratedLaunch({
    label: `${sidecar ? 'sidecar' : 'container'} ${name} of ${pod.resource}${docNote}`,
    doc, where, image: imageCfg, ...(image ? { imageRef: image } : {}),
    // An empty `command` is no command (the runtime uses the image's ENTRYPOINT and, without args, its CMD);
    // an empty `args` under a `command` still drops the image's CMD.
    ...(command?.part ? { entrypoint: command.part } : {}), ...(args && (args.part || command?.part) ? { cmd: args.part } : {}),
    ...(stopSignal ? { stopSignal } : {}), stop, anchor, origins,
    substituted: (command?.changed ?? false) || (args?.changed ?? false),
  }) as K8sLaunch;
  launch.resource = pod.resource;
  launch.container = name;
  launch.document = y.index;
  if (y.helmSource) launch.helmSource = y.helmSource;
  if (sidecar) launch.sidecar = true;
  return launch;
}

// -------------------------------------------------------------------------------------------------
// The resolved launch of a container: what the kubelet runs, for `pid1 test --manifest`.

/** Errors of one container's resolution, at their file and line. */
class ResolutionSink implements ErrorSink {
  readonly errors: FileError[] = [];
  constructor(readonly doc: Document) {}
  error(offset: number | undefined, message: string): void {
    const p = this.doc.lines.position(offset ?? 0);
    this.errors.push({ file: this.doc.file, line: p.line, column: p.column, message });
  }
}

/** The preStop hook with what it takes to run it; errors for what the kubelet would not run. */
function resolvePreStop(f: ErrorSink, y: YamlDoc, lifecycle: YNode | undefined, ports: YNode | undefined): ResolvedPreStop | undefined {
  const e = get(y, lifecycle, 'preStop');
  if (!e) return undefined;
  const at = (x: Entry | undefined): number | undefined => (x ?? e).key.range?.[0];
  const h = entries(y, e.value);
  const exec = h.get('exec');
  if (exec) {
    const cmd = get(y, exec.value, 'command');
    const list = items(y, cmd?.value);
    const argv = list?.map((c) => scalarString(y, c));
    if (!argv || argv.some((a) => a === undefined)) { f.error(at(cmd ?? exec), 'preStop exec command must be a list of strings'); return undefined; }
    if (!argv.length) { f.error(at(exec), 'preStop exec needs a command'); return undefined; }
    return { kind: 'exec', command: argv as string[] };
  }
  const sleep = h.get('sleep');
  if (sleep) {
    const se = get(y, sleep.value, 'seconds');
    const n = scalarNode(y, se?.value);
    if (!n || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < 0) { f.error(at(se ?? sleep), 'preStop sleep seconds must be a whole number'); return undefined; }
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
    if (port === undefined) { f.error(at(g.get('port') ?? hg), `preStop httpGet port ${portNode ? scalarString(y, portNode) ?? '' : '(none)'} is not a number or a named container port`); return undefined; }
    const scheme = (scalarString(y, g.get('scheme')?.value) ?? 'HTTP').toUpperCase();
    if (scheme !== 'HTTP' && scheme !== 'HTTPS') { f.error(at(g.get('scheme')), 'preStop httpGet scheme must be HTTP or HTTPS'); return undefined; }
    const headers: Record<string, string> = {};
    for (const hd of items(y, g.get('httpHeaders')?.value) ?? []) {
      const name = scalarString(y, get(y, hd, 'name')?.value);
      if (name !== undefined) headers[name] = scalarString(y, get(y, hd, 'value')?.value) ?? '';
    }
    const host = scalarString(y, g.get('host')?.value);
    return { kind: 'httpGet', scheme, host: host || '127.0.0.1', port, path: scalarString(y, g.get('path')?.value) ?? '/', headers };
  }
  const tcp = h.get('tcpSocket');
  if (tcp) { f.error(at(tcp), 'preStop tcpSocket is accepted by the API for compatibility but the kubelet does not run it'); return undefined; }
  f.error(at(undefined), 'preStop needs exec, sleep or httpGet');
  return undefined;
}

function resolveContainer(doc: Document, y: YamlDoc, pod: PodSpecAt, node: YNode, list: 'containers' | 'initContainers', index: number): ResolvedLaunch {
  const f = new ResolutionSink(doc);
  const fields = entries(y, node);
  const name = scalarString(y, fields.get('name')?.value) ?? `#${index}`;
  const label = `${pod.resource} ${list === 'initContainers' ? 'sidecar' : 'container'} ${name}`;
  const notes: string[] = [];
  const image = scalarString(y, fields.get('image')?.value);
  if (!image) f.error(spanOf(doc, node).start, `${label} has no image`);
  const env = containerEnv(y, fields, notes);
  if (fields.get('envFrom')) notes.push('envFrom (ConfigMaps/Secrets) is not resolved');
  const cpath = joinPath([...pod.path, list, index]);
  const command = listPart(f, y, 'command', fields.get('command'), env, new Map(), `${cpath}.command`);
  const args = listPart(f, y, 'args', fields.get('args'), env, new Map(), `${cpath}.args`);
  // command replaces ENTRYPOINT (and drops CMD even without args); args replaces CMD; empty lists are unset.
  const entrypoint = command?.part?.argv;
  const cmd = args?.part?.argv ?? (entrypoint ? [] : undefined);
  const specFields = entries(y, pod.spec);
  const grace = podGrace(f, y, specFields);
  const securityOf = (n: YNode | undefined): Map<string, Entry> => entries(y, n);
  const podSc = securityOf(specFields.get('securityContext')?.value);
  const cSc = securityOf(fields.get('securityContext')?.value);
  const uid = scalarString(y, (cSc.get('runAsUser') ?? podSc.get('runAsUser'))?.value);
  const gid = scalarString(y, (cSc.get('runAsGroup') ?? podSc.get('runAsGroup'))?.value);
  const user = uid !== undefined ? (gid !== undefined ? `${uid}:${gid}` : uid) : undefined;
  const workingDir = scalarString(y, fields.get('workingDir')?.value);
  const lifecycle = deref(y, fields.get('lifecycle')?.value);
  let stopSignal: string | undefined;
  const sigEntry = get(y, lifecycle, 'stopSignal');
  if (sigEntry) {
    const raw = scalarString(y, sigEntry.value) ?? '';
    try { stopSignal = signalName(parseSignal(raw)); } catch (err) { f.error(sigEntry.key.range?.[0], `stopSignal: ${messageOf(err)}`); }
  }
  const preStop = resolvePreStop(f, y, lifecycle, fields.get('ports')?.value);
  if (scalarString(y, specFields.get('shareProcessNamespace')?.value) === 'true') notes.push('shareProcessNamespace: in the pod the pause container is PID 1 and this container\'s command is not a namespace init; pid1 test runs it as its own PID 1');
  if (scalarString(y, specFields.get('hostPID')?.value) === 'true') notes.push('hostPID: in the pod the host\'s init is PID 1; pid1 test runs the command as its own PID 1');
  return {
    name, resource: pod.resource, label, platform: 'kubernetes', env: Object.fromEntries(env), init: false, notes, errors: f.errors,
    graceSeconds: grace.seconds, graceExplicit: grace.explicit,
    ...(image ? { image } : {}), ...(entrypoint ? { entrypoint } : {}), ...(cmd ? { command: cmd } : {}),
    ...(user !== undefined ? { user } : {}), ...(workingDir ? { workingDir } : {}),
    ...(stopSignal ? { stopSignal } : {}), ...(preStop ? { preStop } : {}),
  };
}

/** Every container of a manifest file, resolved; YAML syntax errors apart. */
export interface KubernetesResolution {
  containers: ResolvedLaunch[];
  syntax: FileError[];
  /** Other errors of the file (limits). */
  errors: FileError[];
}

/**
 * Read a manifest file (a stream of documents, `kind: List`) and resolve every container the kubelet
 * stops with the pod (containers, and sidecar init containers) to its plain launch. Objects are recognised
 * by `kind`: the file is given to be run, not found by a walk.
 */
export function resolveKubernetesFile(file: string): KubernetesResolution | undefined {
  const store = new DocumentStore();
  const doc = store.read(path.resolve(file), 'kubernetes');
  if (!doc) return undefined;
  const stream = parseYamlStream(doc);
  const out: KubernetesResolution = { containers: [], syntax: [...stream.errors], errors: [] };
  for (const y of stream.docs) {
    try {
      const pods: PodSpecAt[] = [];
      podSpecs(y, y.root, [], pods, 0, false);
      for (const pod of pods) {
        for (const list of ['containers', 'initContainers'] as const) {
          (items(y, get(y, pod.spec, list)?.value) ?? []).forEach((c, i) => {
            if (list === 'initContainers' && scalarString(y, get(y, c, 'restartPolicy')?.value) !== 'Always') return;
            out.containers.push(resolveContainer(doc, y, pod, c, list, i));
          });
        }
      }
    } catch (err) {
      if (!(err instanceof YamlLimitError)) throw err;
      const p = doc.lines.position(y.start);
      out.errors.push({ file: doc.file, line: p.line, column: p.column, message: `document ${y.index + 1}: ${err.message}` });
    }
  }
  return out;
}

/** Lint one YAML stream of Kubernetes manifests. Files with no Kubernetes object give nothing. */
export function lintKubernetesSource(doc: Document, store: DocumentStore, opts: KubernetesOptions = {}): SourceResult {
  const result: SourceResult = { doc, launches: [], errors: [] };
  const linker = opts.linker ?? new ImageLinker(opts.imageMap ?? {}, opts.dockerfiles, repoRoot(doc.absPath ? path.dirname(doc.absPath) : process.cwd()));
  const f = new K8sFile(doc, store, opts, linker);
  const stream = parseYamlStream(doc);
  const isK8s = opts.explicit || looksLikeKubernetes(doc.text);
  if (stream.errors.length) {
    if (isK8s) result.errors.push(...stream.errors);
  }
  let objects = 0;
  for (const y of stream.docs) {
    try {
      const pods: PodSpecAt[] = [];
      const kind = scalarString(y, get(y, y.root, 'kind')?.value);
      if (kind) objects++;
      podSpecs(y, y.root, [], pods);
      for (const pod of pods) {
        for (const list of ['containers', 'initContainers'] as const) {
          (items(y, get(y, pod.spec, list)?.value) ?? []).forEach((c, i) => {
            // an init container is stopped with the pod only when it is a sidecar (restartPolicy: Always)
            if (list === 'initContainers' && scalarString(y, get(y, c, 'restartPolicy')?.value) !== 'Always') return;
            const l = containerLaunch(f, y, pod, c, list, i);
            if (l) result.launches.push(l);
          });
        }
      }
    } catch (err) {
      if (!(err instanceof YamlLimitError)) throw err;
      const p = doc.lines.position(y.start);
      result.errors.push({ file: doc.file, line: p.line, column: p.column, message: `document ${y.index + 1}: ${err.message}` });
    }
  }
  if (opts.explicit && objects === 0 && !stream.errors.length && stream.docs.length) {
    result.errors.push({ file: doc.file, line: 1, column: 1, message: 'no Kubernetes objects (apiVersion/kind) and not a compose file: nothing to lint' });
  }
  result.errors.push(...f.errors);
  return result;
}

const linkers = new WeakMap<object, ImageLinker>();

/** The engine's entry point for one Kubernetes YAML stream (one image linker per run). */
export function lintKubernetesDocument(doc: Document, store: DocumentStore, opts: KubernetesOptions = {}): SourceResult {
  let linker = opts.linker ?? linkers.get(opts);
  if (!linker) {
    linker = new ImageLinker(opts.imageMap ?? {}, opts.dockerfiles, repoRoot(doc.absPath ? path.dirname(doc.absPath) : process.cwd()));
    linkers.set(opts, linker);
  }
  return lintKubernetesSource(doc, store, { ...opts, linker, explicit: true });
}

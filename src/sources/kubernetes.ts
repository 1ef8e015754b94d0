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
import { displayPath, type DocumentStore } from '../lint/documents.js';
import { MappedText } from '../lint/text.js';
import type { Document, FileError, Launch, LaunchPart, Origin, SourceOptions, SourceResult, Span, StopSignalFact } from '../lint/types.js';
import { parseSignal, signalName } from '../model/signals.js';
import { lintDockerfileSource } from './dockerfile.js';
import type { Chars } from './compose-words.js';
import { ImageLinker, repoRoot } from './kubernetes-images.js';
import { deref, entries, get, items, joinPath, mapScalar, parseYamlStream, scalarNode, scalarString, spanOf, YamlLimitError, type YamlDoc, type YNode } from './yaml.js';
import { imageConfigFromDockerfile, imageConfigFromRef, orchestratedLaunch, type ImageConfig, type OrchestratedLaunch, type PreStopHook, type StopPlan } from './yaml-launch.js';

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

function podSpecs(y: YamlDoc, node: YNode | null | undefined, at: (string | number)[], out: PodSpecAt[], depth = 0): void {
  if (depth > 8) return;
  const kind = scalarString(y, get(y, node, 'kind')?.value);
  const apiVersion = scalarString(y, get(y, node, 'apiVersion')?.value);
  if (!kind || !apiVersion) return;
  const list = items(y, get(y, node, 'items')?.value);
  if (list && kind.endsWith('List')) {
    list.forEach((it, i) => podSpecs(y, it, [...at, 'items', i], out, depth + 1));
    return;
  }
  const meta = get(y, node, 'metadata')?.value;
  const name = scalarString(y, get(y, meta, 'name')?.value) ?? scalarString(y, get(y, meta, 'generateName')?.value) ?? '(unnamed)';
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

class K8sFile {
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
function listPart(f: K8sFile, y: YamlDoc, field: 'command' | 'args', entry: { value: YNode | undefined; pair: unknown } | undefined, env: ReadonlyMap<string, string>, origins: Map<string, Origin>, fieldPath: string): { part: LaunchPart | null; changed: boolean } | undefined {
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
  const env = new Map<string, string>();
  for (const ev of items(y, fields.get('env')?.value) ?? []) {
    const n = scalarString(y, get(y, ev, 'name')?.value);
    const v = get(y, ev, 'value');
    if (n !== undefined && v) env.set(n, scalarString(y, v.value) ?? '');
  }
  const origins = new Map<string, Origin>();
  const command = listPart(f, y, 'command', fields.get('command'), env, origins, `${joinPath(cpath)}.command`);
  const args = listPart(f, y, 'args', fields.get('args'), env, origins, `${joinPath(cpath)}.args`);
  const imageCfg = image ? f.imageConfig(image, imageSpan) : imageConfigFromRef('', anchor, f.opts);
  if (!image) imageCfg.describe = 'no image';
  const specFields = entries(y, pod.spec);
  const graceEntry = specFields.get('terminationGracePeriodSeconds');
  const graceRaw = graceEntry ? Number(scalarString(y, graceEntry.value)) : NaN;
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
    graceSeconds: Number.isFinite(graceRaw) && graceRaw >= 0 ? graceRaw : 30,
    graceSource: Number.isFinite(graceRaw) && graceRaw >= 0 ? 'explicit' : 'default',
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
    ...(command ? { entrypoint: command.part } : {}), ...(args ? { cmd: args.part } : {}),
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

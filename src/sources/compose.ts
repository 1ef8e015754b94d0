/**
 * The compose source: each service's effective launch and stop.
 *
 * - Files: `compose.y(a)ml` / `docker-compose.y(a)ml` (with their `.override` file merged, as compose does
 *   by default), other `docker-compose*.y(a)ml` on their own, or the `-f` files merged in order.
 * - A service's image: `build` (context, dockerfile, target, args) analysed as a Dockerfile, else `image`
 *   (the shell table, the config file, or --probe-images).
 * - `entrypoint` replaces the image's ENTRYPOINT and drops its CMD; `command` replaces CMD. A string is split
 *   into words by compose itself, never run through `sh -c` (see compose-words.ts for v1 vs v2).
 * - `init: true` runs docker-init (tini, without -g) as PID 1 in front of the command (moby:
 *   daemon/oci_linux.go prepends `docker-init --`). `stop_signal` replaces the image's STOPSIGNAL;
 *   `stop_grace_period` (default 10 s) is the time from the signal to SIGKILL.
 * - `extends` (same file or another) and `<<: *anchor` merges; `${VAR:-default}` from the environment and `.env`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { DocumentStore } from '../lint/documents.js';
import { MappedText } from '../lint/text.js';
import type { Document, FileError, LaunchPart, Origin, SourceOptions, SourceResult, Span, StopSignalFact } from '../lint/types.js';
import { parseSignal, signalName } from '../model/signals.js';
import { lintDockerfileSource } from './dockerfile.js';
import { isTemplate, looksLikeKubernetes } from './kubernetes.js';
import { interpolate, parseDotEnv, projectEnv, type Env, type Interpolated } from './compose-interpolate.js';
import { charsOf, operatorWords, splitShellwords, splitShlex, type Chars, type SplitResult, type SplitWord } from './compose-words.js';
import { deref, entries, get, isMapping, items, mapScalar, parseYamlStream, scalarNode, spanOf, YamlLimitError, type Entry, type YamlDoc, type YNode } from './yaml.js';
import { imageConfigFromDockerfile, imageConfigFromRef, orchestratedLaunch, type ImageConfig, type OrchestratedLaunch, type ResolvedLaunch, type StopPlan } from './yaml-launch.js';
import { tryDurationMs } from '../util/duration.js';
import { messageOf } from '../util/errors.js';

/** compose.yaml, docker-compose.yml, docker-compose.prod.yml, compose.override.yaml, docker-compose-dev.yml ... */
export function isComposeFileName(name: string): boolean {
  return /^(compose|docker-compose)([.-][^/\\]+)?\.ya?ml$/i.test(name);
}

const BASE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** The override file compose merges into a base file by default (same directory), if the name is one. */
function overrideFor(base: string): string[] {
  const b = path.basename(base);
  if (!BASE_NAMES.includes(b)) return [];
  const stem = b.replace(/\.ya?ml$/, '');
  return [`${stem}.override.yaml`, `${stem}.override.yml`].map((n) => path.join(path.dirname(base), n));
}

/**
 * Group found compose files into projects: a base file with its override file (compose's default), and
 * every other file on its own. An override whose base is present is not linted alone.
 */
export function groupComposeFiles<T extends { absPath?: string; file: string }>(docs: readonly T[]): T[][] {
  const byPath = new Map(docs.map((d) => [d.absPath ?? d.file, d]));
  const used = new Set<T>();
  const groups: T[][] = [];
  for (const d of docs) {
    const p = d.absPath ?? d.file;
    const ov = overrideFor(p).map((o) => byPath.get(o)).find((x) => x !== undefined);
    if (ov) { groups.push([d, ov]); used.add(d); used.add(ov); }
  }
  for (const d of docs) if (!used.has(d)) groups.push([d]);
  return groups;
}

export type ComposeVersion = 1 | 2;

export interface ComposeOptions extends SourceOptions {
  /** Interpolation environment (default: the process environment), over the project's `.env`. */
  env?: Env;
  /** Model compose v1 (docker-compose, shlex) or v2 (docker compose, go-shellwords) string splitting. Default 2. */
  composeVersion?: ComposeVersion;
}

/** A string `command:`/`entrypoint:` and what each compose version makes of it. */
export interface CommandString {
  field: 'command' | 'entrypoint';
  span: Span;
  text: string;
  v1: SplitResult;
  v2: SplitResult;
  /** Unquoted shell operators, with where they are. */
  operators: { value: string; span: Span }[];
  /** v2: where go-shellwords stopped reading. */
  stoppedAt?: Span;
}

export interface ComposeLaunch extends OrchestratedLaunch {
  service: string;
  /** The service's mapping in the file that defines it (for edits that belong to this service only). */
  serviceSpan: Span;
  /** The mapping is in block style (one field per line), so a field can be added as a line. */
  serviceBlock: boolean;
  commandStrings: CommandString[];
}

export function isComposeLaunch(l: unknown): l is ComposeLaunch {
  return typeof l === 'object' && l !== null && Array.isArray((l as Partial<ComposeLaunch>).commandStrings);
}

interface ComposeFile {
  doc: Document;
  dir: string;
  y?: YamlDoc;
  services: Map<string, Entry>;
}

interface Layer {
  file: ComposeFile;
  name: string;
  entry: Entry;
  fields: Map<string, Entry>;
}

class Project {
  readonly errors = new Map<Document, FileError[]>();
  /** YAML syntax errors of the project's files. */
  readonly syntax: FileError[] = [];
  /** Also collects the errors met while one service is read (for its resolved launch). */
  sink: FileError[] | undefined;
  private readonly files = new Map<string, ComposeFile>();
  readonly dockerfiles = new Map<string, ImageConfig>();

  constructor(readonly store: DocumentStore, readonly env: Env, readonly opts: ComposeOptions) {}

  error(doc: Document, offset: number | undefined, message: string): void {
    const e = errorAt(doc, offset, message);
    this.sink?.push(e);
    const list = this.errors.get(doc) ?? [];
    if (!list.some((x) => x.message === message && x.line === e.line)) list.push(e);
    this.errors.set(doc, list);
  }

  load(doc: Document): ComposeFile {
    const key = doc.absPath ?? doc.file;
    const have = this.files.get(key);
    if (have) return have;
    const f: ComposeFile = { doc, dir: doc.absPath ? path.dirname(doc.absPath) : process.cwd(), services: new Map() };
    this.files.set(key, f);
    const stream = parseYamlStream(doc);
    for (const e of stream.errors) { const list = this.errors.get(doc) ?? []; list.push(e); this.errors.set(doc, list); this.syntax.push(e); }
    const y = stream.docs[0];
    if (!y) return f;
    f.y = y;
    if (!isMapping(y, y.root)) { this.error(doc, 0, 'not a compose file: the top level is not a mapping'); return f; }
    const services = get(y, y.root, 'services');
    if (!services) {
      this.error(doc, 0, 'not a compose file: no "services" section');
      return f;
    }
    f.services = entries(y, services.value);
    return f;
  }

  /** A service's layers in merge order: the bases it extends, then itself. */
  layers(file: ComposeFile, name: string, seen: Set<string> = new Set()): Layer[] {
    const entry = file.services.get(name);
    if (!entry || !file.y) return [];
    const id = `${file.doc.absPath ?? file.doc.file}#${name}`;
    if (seen.has(id)) { this.error(file.doc, entry.key.range?.[0], `service "${name}" extends itself (a cycle)`); return []; }
    seen.add(id);
    const fields = entries(file.y, entry.value);
    const self: Layer = { file, name, entry, fields };
    const ext = fields.get('extends');
    if (!ext) return [self];
    let baseName = this.string(file, ext.value)?.value;
    let baseFile = file;
    if (baseName === undefined) {
      baseName = this.string(file, get(file.y, ext.value, 'service')?.value)?.value;
      const other = this.string(file, get(file.y, ext.value, 'file')?.value)?.value;
      if (other !== undefined) {
        const abs = path.resolve(file.dir, other);
        const d = this.store.read(abs, 'compose');
        if (!d) { this.error(file.doc, ext.key.range?.[0], `extends: cannot read ${other}`); return [self]; }
        baseFile = this.load(d);
      }
    }
    if (baseName === undefined) return [self];
    if (!baseFile.services.has(baseName)) { this.error(file.doc, ext.key.range?.[0], `extends: no service "${baseName}" in ${baseFile.doc.file}`); return [self]; }
    return [...this.layers(baseFile, baseName, seen), self];
  }

  /** A scalar field as interpolated characters mapped to the file. */
  string(file: ComposeFile, node: YNode | null | undefined): (Interpolated & { scalar: Scalar }) | undefined {
    if (!file.y) return undefined;
    const s = scalarNode(file.y, node);
    if (!s || s.value === null || s.value === undefined) return undefined;
    const m = mapScalar(file.doc, s);
    const offsets = Array.from({ length: m.text.value.length }, (_, i) => m.text.at(i));
    const chars = charsOf(m.text.value, offsets, offsets.map(() => m.exact));
    const out = interpolate(chars, this.env);
    if (out.error) this.error(file.doc, s.range?.[0], out.error);
    return { ...out, scalar: s };
  }
}

function errorAt(doc: Document, offset: number | undefined, message: string): FileError {
  const p = doc.lines.position(offset ?? 0);
  return { file: doc.file, line: p.line, column: p.column, message };
}

/** A string mapped to the file, as a MappedText. */
function mapped(c: Chars, end: number): MappedText {
  return MappedText.fromOffsets(c.value, c.offsets, end);
}

function lastField(layers: Layer[], key: string): { layer: Layer; entry: Entry } | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as Layer;
    const e = layer.fields.get(key);
    if (e) return { layer, entry: e };
  }
  return undefined;
}

interface BuildSpec {
  context?: string;
  dockerfile?: string;
  target?: string;
  args: Record<string, string>;
  span: Span;
  inline?: boolean;
}

function buildOf(p: Project, layers: Layer[]): BuildSpec | undefined {
  let spec: BuildSpec | undefined;
  for (const layer of layers) {
    const e = layer.fields.get('build');
    const y = layer.file.y;
    if (!e || !y) continue;
    const span = spanOf(layer.file.doc, e.pair);
    spec = spec ? { ...spec, span } : { args: {}, span };
    const asString = p.string(layer.file, e.value);
    if (asString !== undefined) { spec.context = path.resolve(layer.file.dir, asString.value); continue; }
    const f = entries(y, e.value);
    const ctx = p.string(layer.file, f.get('context')?.value)?.value;
    if (ctx !== undefined) spec.context = /^[a-z]+:\/\//i.test(ctx) || ctx.startsWith('git@') ? ctx : path.resolve(layer.file.dir, ctx);
    else if (!spec.context) spec.context = layer.file.dir;
    const df = p.string(layer.file, f.get('dockerfile')?.value)?.value;
    if (df !== undefined) spec.dockerfile = df;
    if (f.has('dockerfile_inline')) spec.inline = true;
    const target = p.string(layer.file, f.get('target')?.value)?.value;
    if (target !== undefined) spec.target = target;
    const args = f.get('args');
    if (args) {
      const list = items(y, args.value);
      if (list) {
        for (const it of list) {
          const kv = p.string(layer.file, it)?.value;
          if (kv === undefined) continue;
          const eq = kv.indexOf('=');
          if (eq > 0) spec.args[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
      } else {
        for (const [k, v] of entries(y, args.value)) {
          const val = p.string(layer.file, v.value)?.value;
          if (val !== undefined) spec.args[k] = val;
        }
      }
    }
  }
  return spec;
}

function imageFromBuild(p: Project, b: BuildSpec, fallbackImage: string | undefined): ImageConfig {
  const where = b.span;
  const unknown = (why: string): ImageConfig => {
    const base = fallbackImage ? imageConfigFromRef(fallbackImage, where, p.opts) : undefined;
    return {
      source: 'unknown', describe: why, configKnown: false,
      shell: base?.shell ?? { family: 'unknown', how: why },
      stopSignal: { signal: 'SIGTERM', source: 'unknown-base' }, env: {},
    };
  };
  if (b.inline) return unknown('the image is built from dockerfile_inline, which pid1 does not analyse');
  if (!b.context || /^[a-z]+:\/\//i.test(b.context) || b.context.startsWith('git@')) return unknown(`the build context ${b.context ?? ''} is remote`);
  const dfPath = path.resolve(b.context, b.dockerfile ?? 'Dockerfile');
  const key = JSON.stringify([dfPath, b.context, b.target, b.args]);
  const have = p.dockerfiles.get(key);
  if (have) return have;
  const doc = p.store.read(dfPath, 'dockerfile');
  let cfg: ImageConfig;
  if (!doc) cfg = unknown(`the Dockerfile ${path.relative(process.cwd(), dfPath) || dfPath} cannot be read`);
  else {
    const res = lintDockerfileSource(doc, p.store, { ...p.opts, context: b.context, buildArgs: { ...(p.opts.buildArgs ?? {}), ...b.args }, ...(b.target ? { target: b.target } : { target: undefined }) });
    const l = res.launches.find((x) => x.target);
    if (!l) cfg = unknown(`${doc.file} could not be analysed${res.errors[0] ? `: ${res.errors[0].message}` : ''}`);
    else cfg = imageConfigFromDockerfile(l, `built from ${doc.file}${b.target ? ` (target ${b.target})` : ''}`);
  }
  p.dockerfiles.set(key, cfg);
  return cfg;
}

/** command/entrypoint as a LaunchPart (null: set but empty), plus what compose makes of a string. */
function partOf(p: Project, layer: Layer, e: Entry, field: 'command' | 'entrypoint', version: ComposeVersion, origins: Map<string, Origin>, strings: CommandString[]): { part: LaunchPart | null; substituted: boolean } | undefined {
  const file = layer.file;
  const y = file.y;
  if (!y) return undefined;
  const doc = file.doc;
  const span = spanOf(doc, e.pair);
  const value = deref(y, e.value);
  const valueSpan = spanOf(doc, value ?? null, span);
  const what = field;
  // `command:` with no value is unset (compose-go decodes it to nil: the image's own is used)
  if (value === undefined || isScalar(value) && value.value === null) return undefined;
  if (isScalar(value) && value.value === '') return { part: null, substituted: false };
  let words: Chars[];
  let substituted = false;
  if (isSeq(value)) {
    words = [];
    for (const it of items(y, value) ?? []) {
      const s = p.string(file, it);
      if (!s) continue;
      substituted ||= s.changed;
      words.push(s);
    }
  } else {
    const s = p.string(file, value);
    if (!s) return undefined;
    substituted = s.changed;
    const v1 = splitShlex(s);
    const v2 = splitShellwords(s);
    const at = (i: number): number => s.offsets[i] ?? valueSpan.start;
    const ops = operatorWords(v1.words, s).map((w) => ({ value: w.value, span: { doc, start: at(w.start), end: at(w.end - 1) + 1 } }));
    strings.push({
      field, span: valueSpan, text: s.value, v1, v2, operators: ops,
      ...(v2.stoppedAt ? { stoppedAt: { doc, start: at(v2.stoppedAt.index), end: at(v2.stoppedAt.index) + 1 } } : {}),
    });
    const chosen = version === 1 ? v1 : v2;
    if (chosen.error) { p.error(doc, valueSpan.start, `${field}: compose cannot split this string (${chosen.error})`); return undefined; }
    words = chosen.words as SplitWord[];
  }
  const values: Origin[] = words.map((w) => ({ doc, text: mapped(w, valueSpan.end) }));
  values.forEach((o, i) => {
    const w = words[i] as Chars;
    // only words whose every character is written literally (and, in a split string, inside quotes) may be edited
    if (w.value.length && w.editable.every(Boolean) && !origins.has(o.text.value)) origins.set(o.text.value, o);
  });
  const part: LaunchPart = { what, form: 'exec', values, argv: words.map((w) => w.value), span, valueSpan };
  return { part, substituted };
}

function stopSignalOf(p: Project, layers: Layer[]): { fact?: StopSignalFact; span?: Span } {
  const f = lastField(layers, 'stop_signal');
  if (!f) return {};
  const s = p.string(f.layer.file, f.entry.value);
  const span = spanOf(f.layer.file.doc, f.entry.pair);
  if (!s) return {};
  try {
    return { fact: { signal: signalName(parseSignal(s.value.trim())), source: 'explicit', span }, span };
  } catch {
    return { fact: { signal: 'SIGTERM', source: 'explicit', span, invalid: s.value }, span };
  }
}

/** stop_grace_period as compose hands it to the engine. */
interface Grace {
  /** Whole seconds: compose passes int(duration.Seconds()) to the engine's stop (truncated). */
  seconds: number;
  explicit: boolean;
  span?: Span;
  /** As written, when truncation changed it. */
  truncatedFrom?: string;
}

const DEFAULT_COMPOSE_GRACE = 10;

function graceOf(p: Project, layers: Layer[]): Grace {
  const f = lastField(layers, 'stop_grace_period');
  if (!f) return { seconds: DEFAULT_COMPOSE_GRACE, explicit: false };
  const span = spanOf(f.layer.file.doc, f.entry.pair);
  const g = p.string(f.layer.file, f.entry.value);
  const ms = g ? tryDurationMs(g.value) : undefined;
  if (ms === undefined) {
    p.error(f.layer.file.doc, span.start, `stop_grace_period: not a duration: ${g?.value ?? ''}`);
    return { seconds: DEFAULT_COMPOSE_GRACE, explicit: false, span };
  }
  const seconds = Math.floor(ms / 1000);
  return { seconds, explicit: true, span, ...(seconds * 1000 !== ms && g ? { truncatedFrom: g.value } : {}) };
}

/** compose-go's boolean cast (loader/interpolate.go toBoolean): y, yes, true, on / n, no, false, off, any case. */
function composeBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['y', 'yes', 'true', 'on'].includes(t)) return true;
  if (['n', 'no', 'false', 'off'].includes(t)) return false;
  return undefined;
}

function initOf(p: Project, layers: Layer[]): boolean {
  const f = lastField(layers, 'init');
  if (!f) return false;
  const v = p.string(f.layer.file, f.entry.value)?.value;
  if (v === undefined) return false;
  const b = composeBool(v);
  if (b === undefined) p.error(f.layer.file.doc, f.entry.key.range?.[0], `init: invalid boolean: ${v}`);
  return b ?? false;
}

function launchOfService(p: Project, name: string, layers: Layer[]): ComposeLaunch | undefined {
  const top = layers[layers.length - 1] as Layer;
  const anchorLayer = layers.find((l) => l.name === name && l.file === top.file) ?? top;
  const doc = anchorLayer.file.doc;
  const anchor = spanOf(doc, anchorLayer.entry.key);
  const imageField = lastField(layers, 'image');
  const imageRef = imageField ? p.string(imageField.layer.file, imageField.entry.value)?.value : undefined;
  const build = buildOf(p, layers);
  if (!build && !imageRef) return undefined; // a partial service (an override file on its own)
  const imageSpan = imageField ? spanOf(imageField.layer.file.doc, imageField.entry.pair) : anchor;
  const image = build ? imageFromBuild(p, build, imageRef) : imageConfigFromRef(imageRef as string, imageSpan, p.opts);
  const version = p.opts.composeVersion ?? 2;
  const origins = new Map<string, Origin>();
  const strings: CommandString[] = [];
  let substituted = false;
  const overrides: { entrypoint?: LaunchPart | null; cmd?: LaunchPart | null } = {};
  for (const field of ['entrypoint', 'command'] as const) {
    const f = lastField(layers, field);
    if (!f) continue;
    const r = partOf(p, f.layer, f.entry, field, version, origins, strings);
    if (!r) continue;
    substituted ||= r.substituted;
    if (field === 'entrypoint') overrides.entrypoint = r.part;
    else overrides.cmd = r.part;
  }
  const sig = stopSignalOf(p, layers);
  const grace = graceOf(p, layers);
  const init = initOf(p, layers);
  const stop: StopPlan = {
    platform: 'compose', graceSeconds: grace.seconds, graceSource: grace.explicit ? 'explicit' : 'default',
    ...(grace.span ? { graceSpan: grace.span } : {}), ...(sig.span ? { stopSignalSpan: sig.span } : {}),
  };
  const launch = orchestratedLaunch({
    label: `service ${name}`, doc, where: `services.${name}`, image, ...(imageRef !== undefined ? { imageRef } : {}),
    ...overrides, ...(sig.fact ? { stopSignal: sig.fact } : {}), init, stop, anchor, origins, substituted,
  }) as ComposeLaunch;
  launch.service = name;
  launch.commandStrings = strings;
  const body = anchorLayer.file.y ? deref(anchorLayer.file.y, anchorLayer.entry.value) : undefined;
  launch.serviceSpan = spanOf(doc, body ?? null, anchor);
  launch.serviceBlock = isMap(body) && !(body as { flow?: boolean }).flow;
  return launch;
}

/** The files of one project, loaded, and its service names in file order. */
interface LoadedProject {
  p: Project;
  files: ComposeFile[];
  names: string[];
  first: Document;
  /** Errors of the files themselves (syntax, not a compose file, limits). */
  fileErrors: FileError[];
}

function loadProject(docs: readonly Document[], store: DocumentStore, opts: ComposeOptions): LoadedProject | undefined {
  const first = docs[0];
  if (!first) return undefined;
  const projectDir = first.absPath ? path.dirname(first.absPath) : process.cwd();
  const env = projectEnv(projectDir, opts.env ?? process.env);
  const p = new Project(store, env, opts);
  const fileErrors: FileError[] = [];
  p.sink = fileErrors;
  const files: ComposeFile[] = [];
  for (const d of docs) {
    try {
      files.push(p.load(d));
    } catch (err) {
      if (!(err instanceof YamlLimitError)) throw err;
      p.error(d, 0, err.message);
    }
  }
  p.sink = undefined;
  const names: string[] = [];
  for (const f of files) for (const n of f.services.keys()) if (!names.includes(n)) names.push(n);
  return { p, files, names, first, fileErrors };
}

/** A service's layers: in each file that has it (merge order), the bases it extends, then itself. */
function layersOf(lp: LoadedProject, name: string): Layer[] {
  const layers: Layer[] = [];
  for (const f of lp.files) if (f.services.has(name)) layers.push(...lp.p.layers(f, name));
  return layers;
}

/** Lint one compose project: its files merged in order (`-f a -f b`). One result per file. */
export function lintComposeProject(docs: readonly Document[], store: DocumentStore, opts: ComposeOptions = {}): SourceResult[] {
  const lp = loadProject(docs, store, opts);
  if (!lp) return [];
  const { p, files, names, first } = lp;
  const results = new Map<Document, SourceResult>();
  for (const d of docs) results.set(d, { doc: d, launches: [], errors: [] });
  for (const name of names) {
    try {
      const layers = layersOf(lp, name);
      if (!layers.length) continue;
      const l = launchOfService(p, name, layers);
      if (!l) continue;
      const res = results.get(l.doc) ?? results.get(first);
      res?.launches.push(l);
    } catch (err) {
      if (!(err instanceof YamlLimitError)) throw err;
      const f = files.find((x) => x.services.has(name));
      p.error(f?.doc ?? first, f?.services.get(name)?.key.range?.[0], err.message);
    }
  }
  for (const [doc, errs] of p.errors) {
    const res = results.get(doc);
    if (res) res.errors.push(...errs);
    else results.get(first)?.errors.push(...errs);
  }
  return [...results.values()];
}

function existing(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

/** The base file an override file belongs to, if it exists next to it. */
function baseOf(abs: string): string | undefined {
  const m = /^(compose|docker-compose)\.override\.ya?ml$/.exec(path.basename(abs));
  if (!m) return undefined;
  return BASE_NAMES.filter((b) => b.startsWith(`${m[1]}.`)).map((b) => path.join(path.dirname(abs), b)).find(existing);
}

/**
 * The files of the project `doc` belongs to: with `--compose-file`, the files given, in order (undefined
 * unless `doc` is the first, which stands for them); otherwise a base file and its override file, as
 * compose merges them by default (undefined for an override file whose base exists: it goes with it).
 */
function projectDocs(doc: Document, store: DocumentStore, opts: { composeFiles?: readonly string[] }): { docs: Document[]; errors: FileError[] } | undefined {
  const abs = doc.absPath;
  const errors: FileError[] = [];
  const files = opts.composeFiles?.map((f) => path.resolve(f));
  if (abs && files?.includes(abs)) {
    if (files[0] !== abs) return undefined;
    const docs: Document[] = [];
    for (const f of files) {
      const d = f === abs ? doc : store.read(f, 'compose');
      if (d) docs.push(d);
      else errors.push({ file: f, message: 'cannot read this compose file' });
    }
    return { docs, errors };
  }
  if (!abs) return { docs: [doc], errors };
  if (baseOf(abs)) return undefined;
  const ov = overrideFor(abs).find(existing);
  const d = ov ? store.read(ov, 'compose') : undefined;
  return { docs: d ? [doc, d] : [doc], errors };
}

/**
 * The engine's entry point for one compose file: with `--compose-file`, the files given are one project
 * (linted when the first one comes); otherwise a base file is merged with its override file, and an
 * override file whose base exists is linted with it.
 */
export function lintComposeDocument(doc: Document, store: DocumentStore, opts: ComposeOptions & { composeFiles?: readonly string[] } = {}): SourceResult {
  const project = projectDocs(doc, store, opts);
  if (!project) return { doc, launches: [], errors: [] };
  const results = lintComposeProject(project.docs, store, opts);
  return { doc, launches: results.flatMap((r) => r.launches), errors: [...project.errors, ...results.flatMap((r) => r.errors)] };
}

// -------------------------------------------------------------------------------------------------
// The resolved launch of a service: what `docker compose up` creates, for `pid1 test --compose`.

/** `environment` (a map, or a list of KEY=VALUE) and `env_file` across the layers: the file values, then `environment` over them. */
function environmentOf(p: Project, layers: Layer[]): Record<string, string> {
  const fromFiles: Record<string, string> = {};
  const own: Record<string, string> = {};
  const fromHost = (key: string): void => {
    // `KEY` alone (or `KEY:` with no value): compose passes the variable from its own environment, if set.
    const v = p.env[key];
    if (v !== undefined) own[key] = v;
    else delete own[key];
  };
  for (const layer of layers) {
    const y = layer.file.y;
    if (!y) continue;
    const ef = layer.fields.get('env_file');
    if (ef) {
      const list = items(y, ef.value) ?? [ef.value ?? null];
      for (const it of list) {
        let file = p.string(layer.file, it)?.value;
        let required = true;
        if (file === undefined) {
          file = p.string(layer.file, get(y, it, 'path')?.value)?.value;
          const req = p.string(layer.file, get(y, it, 'required')?.value)?.value;
          if (req !== undefined) required = composeBool(req) ?? true;
        }
        if (file === undefined) continue;
        const abs = path.resolve(layer.file.dir, file);
        let text: string | undefined;
        try { text = fs.readFileSync(abs, 'utf8'); } catch { text = undefined; }
        if (text === undefined) {
          if (required) p.error(layer.file.doc, (it ?? ef.value)?.range?.[0] ?? ef.key.range?.[0], `env_file: cannot read ${file}`);
          continue;
        }
        Object.assign(fromFiles, parseDotEnv(text));
      }
    }
    const envEntry = layer.fields.get('environment');
    if (!envEntry) continue;
    const list = items(y, envEntry.value);
    if (list) {
      for (const it of list) {
        const kv = p.string(layer.file, it)?.value;
        if (kv === undefined) continue;
        const eq = kv.indexOf('=');
        if (eq < 0) fromHost(kv);
        else own[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
    } else {
      for (const [k, e] of entries(y, envEntry.value)) {
        const v = p.string(layer.file, e.value)?.value;
        if (v === undefined) fromHost(k);
        else own[k] = v;
      }
    }
  }
  return { ...fromFiles, ...own };
}

/** The last layer's scalar field, interpolated. */
function lastString(p: Project, layers: Layer[], key: string): string | undefined {
  const f = lastField(layers, key);
  return f ? p.string(f.layer.file, f.entry.value)?.value : undefined;
}

function resolveService(p: Project, name: string, layers: Layer[]): ResolvedLaunch {
  const errors: FileError[] = [];
  p.sink = errors;
  try {
    const top = layers[layers.length - 1] as Layer;
    const anchorLayer = layers.find((l) => l.name === name && l.file === top.file) ?? top;
    const notes: string[] = [];
    const image = lastString(p, layers, 'image');
    const b = buildOf(p, layers);
    let build: ResolvedLaunch['build'];
    if (b) {
      if (b.inline) p.error(b.span.doc, b.span.start, 'build: dockerfile_inline is not supported by pid1 test: write the Dockerfile to a file');
      else if (!b.context || /^[a-z]+:\/\//i.test(b.context) || b.context.startsWith('git@')) p.error(b.span.doc, b.span.start, `build context ${b.context ?? ''} is remote: pid1 test builds local directories only`);
      else build = { context: b.context, args: b.args, ...(b.dockerfile !== undefined ? { dockerfile: b.dockerfile } : {}), ...(b.target !== undefined ? { target: b.target } : {}) };
    }
    if (image === undefined && !b) p.error(anchorLayer.file.doc, anchorLayer.entry.key.range?.[0], `service "${name}" has neither image: nor build:`);
    const parts: { entrypoint?: string[]; command?: string[] } = {};
    for (const field of ['entrypoint', 'command'] as const) {
      const f = lastField(layers, field);
      if (!f) continue;
      const strings: CommandString[] = [];
      const version = p.opts.composeVersion ?? 2;
      const r = partOf(p, f.layer, f.entry, field, version, new Map(), strings);
      if (!r) continue;
      parts[field] = r.part?.argv ?? []; // set but empty: the engine's "no entrypoint" / "no command"
      const stopped = version === 2 ? strings[0]?.v2.stoppedAt : undefined;
      if (stopped) notes.push(`compose reads the ${field} string only up to the unquoted \`${stopped.char}\` and runs ${JSON.stringify(parts[field])}, without a shell`);
    }
    let stopSignal: string | undefined;
    const sig = stopSignalOf(p, layers);
    if (sig.fact?.invalid !== undefined) {
      let why = 'not a signal';
      try { parseSignal(sig.fact.invalid.trim()); } catch (err) { why = messageOf(err); }
      p.error(sig.span?.doc ?? anchorLayer.file.doc, sig.span?.start, `stop_signal: ${why}`);
    } else if (sig.fact) stopSignal = sig.fact.signal;
    const grace = graceOf(p, layers);
    if (grace.truncatedFrom !== undefined) notes.push(`stop_grace_period ${grace.truncatedFrom} is passed to the engine as ${grace.seconds} s (compose truncates to whole seconds)`);
    const init = initOf(p, layers);
    const env = environmentOf(p, layers);
    const user = lastString(p, layers, 'user');
    const workingDir = lastString(p, layers, 'working_dir');
    const network = lastString(p, layers, 'network_mode');
    if (network !== undefined) notes.push(`network_mode ${network} is not used: pid1 test runs with --network none unless --network host is given`);
    return {
      name, label: `service ${name}`, platform: 'compose', env, init, notes, errors,
      graceSeconds: grace.seconds, graceExplicit: grace.explicit,
      ...(image !== undefined ? { image } : {}), ...(build ? { build } : {}), ...parts,
      ...(user !== undefined && user !== '' ? { user } : {}), ...(workingDir ? { workingDir } : {}),
      ...(stopSignal ? { stopSignal } : {}),
    };
  } finally {
    p.sink = undefined;
  }
}

/** Every service of a compose project, resolved; errors of the files themselves apart. */
export interface ComposeResolution {
  /** The project's files (the one given, its override file, or the -f files). */
  files: string[];
  services: Map<string, ResolvedLaunch>;
  /** YAML syntax errors. */
  syntax: FileError[];
  /** Other errors of the files (not a compose file, limits). */
  errors: FileError[];
}

/**
 * Read a compose file as `docker compose` does for `up` (with its override file, or with the -f files
 * given, `extends`, `<<` merges and interpolation from the environment and `.env`) and resolve every
 * service to its plain launch.
 */
export function resolveComposeFile(file: string, opts: ComposeOptions & { composeFiles?: readonly string[] } = {}): ComposeResolution | undefined {
  const store = new DocumentStore();
  const abs = path.resolve(file);
  const doc = store.read(abs, 'compose');
  if (!doc) return undefined;
  // An override file given alone goes with its base, as compose reads it.
  const base = baseOf(abs);
  const first = base ? store.read(base, 'compose') ?? doc : doc;
  const project = projectDocs(first, store, opts) ?? { docs: [first], errors: [] };
  const lp = loadProject(project.docs, store, opts);
  const out: ComposeResolution = { files: project.docs.map((d) => d.absPath ?? d.file), services: new Map(), syntax: [], errors: [...project.errors] };
  if (!lp) return out;
  out.syntax.push(...lp.p.syntax);
  out.errors.push(...lp.fileErrors.filter((e) => !lp.p.syntax.includes(e)));
  for (const name of lp.names) {
    try {
      out.services.set(name, resolveService(lp.p, name, layersOf(lp, name)));
    } catch (err) {
      if (!(err instanceof YamlLimitError)) throw err;
      const f = lp.files.find((x) => x.services.has(name));
      out.services.set(name, { name, label: `service ${name}`, platform: 'compose', env: {}, init: false, notes: [], graceSeconds: DEFAULT_COMPOSE_GRACE, graceExplicit: false, errors: [errorAt(f?.doc ?? lp.first, f?.services.get(name)?.key.range?.[0], err.message)] });
    }
  }
  return out;
}

/** Which YAML source reads a file: Kubernetes objects (apiVersion + kind), a compose file (by name, or top-level `services:`). */
export function yamlKindOf(name: string, text: string): 'compose' | 'kubernetes' {
  if (isComposeFileName(path.basename(name))) return 'compose';
  if (looksLikeKubernetes(text)) return 'kubernetes';
  if (/^services:[ \t]*(#.*)?$/m.test(text)) return 'compose';
  return 'kubernetes';
}

/** Does a text read from stdin look like YAML for these sources (not a Dockerfile or a script)? */
export function looksLikeYamlManifest(text: string): boolean {
  if (/^\s*FROM\s/im.test(text) && !/^(apiVersion|services):/m.test(text)) return false;
  return looksLikeKubernetes(text) || /^services:[ \t]*(#.*)?$/m.test(text) || /^---[ \t]*$/m.test(text);
}

/**
 * For a walk: which YAML source reads a file found in a directory, or undefined to skip it (YAML that holds
 * no Kubernetes object, and Helm templates, which are not manifests until `helm template` renders them).
 * Only the head of the file is read to decide.
 */
export function walkedYamlKind(abs: string): 'compose' | 'kubernetes' | undefined {
  if (isComposeFileName(path.basename(abs))) return 'compose';
  let head: string;
  try {
    const fd = fs.openSync(abs, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      head = buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  return looksLikeKubernetes(head) && !isTemplate(head) ? 'kubernetes' : undefined;
}

/** For a file named on the command line: which YAML source reads it (undefined: not YAML by name). */
export function explicitYamlKind(abs: string): 'compose' | 'kubernetes' | undefined {
  if (!/\.ya?ml$/i.test(abs)) return undefined;
  if (isComposeFileName(path.basename(abs))) return 'compose';
  let head = '';
  try { head = fs.readFileSync(abs, 'utf8').slice(0, 64 * 1024); } catch { /* reported when linted */ }
  return yamlKindOf(abs, head);
}

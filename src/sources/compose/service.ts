/**
 * One compose service, read once: its image or build, `entrypoint`/`command`, `stop_signal`,
 * `stop_grace_period` and `init` across its layers. Lint builds the service's launch from this reading
 * (launchOfService); `pid1 test --compose` builds what it runs from the same reading (specOfService).
 *
 * - `entrypoint` replaces the image's ENTRYPOINT and drops its CMD; `command` replaces CMD.
 * - `init: true` runs docker-init (tini, without -g) as PID 1 in front of the command (moby:
 *   daemon/oci_linux.go prepends `docker-init --`). `stop_signal` replaces the image's STOPSIGNAL;
 *   `stop_grace_period` (default 10 s) is the time from the signal to SIGKILL.
 */
import path from 'node:path';
import type { FileError, Origin, Span } from '../../document/document.js';
import { parseSignal, signalName } from '../../model/signals.js';
import { tryDurationMs } from '../../util/duration.js';
import { messageOf } from '../../util/errors.js';
import { defaultDockerfile } from '../../util/files.js';
import { problemNote } from '../../document/store.js';
import { MappedText } from '../../document/text.js';
import { lintDockerfileSource } from '../dockerfile/launch.js';
import { imageConfigFromDockerfile, unanalysedImage, withOwnFiles, type ImageConfig } from '../image-config.js';
import { linkerFor } from '../image-links.js';
import { linkedImageConfig } from '../linked-image.js';
import type { BuildSpec, ComposeLaunch, ContainerSpec, LaunchPart, StopPlan, StopSignalFact } from '../launch.js';
import { orchestratedFields } from '../orchestrated.js';
import { deref, entries, get, isMap, items, scalarString, spanOf, type YNode } from '../yaml.js';
import { commandPart, type CommandString } from './command-strings.js';
import { parseDotEnv } from './interpolate.js';
import { lastField, type ComposeVersion, type Layer, type Project } from './project.js';

export const DEFAULT_COMPOSE_GRACE = 10;

/** `build:` across the layers, with where it is written. */
interface BuildField {
  context?: string;
  dockerfile?: string;
  target?: string;
  args: Record<string, string>;
  span: Span;
  inline?: boolean;
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

/** What the file says about one service, read once. */
interface ServiceReading {
  p: Project;
  name: string;
  layers: Layer[];
  /** The layer that names the service in the top file: where findings about the service are anchored. */
  anchorLayer: Layer;
  anchor: Span;
  imageRef?: string;
  imageSpan: Span;
  build?: BuildField;
  entrypoint?: LaunchPart | null;
  command?: LaunchPart | null;
  commandStrings: CommandString[];
  origins: Map<string, Origin>;
  substituted: boolean;
  stopSignal: { fact?: StopSignalFact; span?: Span };
  grace: Grace;
  init: boolean;
  /** `stdin_open` or `tty`: the container's stdin stays open (a shell with no command waits at its prompt). */
  stdinOpen: boolean;
  /** The service's file is in the legacy v1 format. */
  legacyV1: boolean;
  /** The compose version whose splitting applies (v1 files: 1). */
  version: ComposeVersion;
}

const isRemote = (context: string | undefined): boolean => !context || /^[a-z]+:\/\//i.test(context) || context.startsWith('git@');

function buildOf(p: Project, layers: Layer[]): BuildField | undefined {
  let spec: BuildField | undefined;
  for (const layer of layers) {
    const e = layer.fields.get('build');
    const y = layer.file.y;
    if (!e || !y) continue;
    const span = spanOf(layer.file.doc, e.pair);
    spec = spec ? { ...spec, span } : { args: {}, span };
    const asString = p.string(layer.file, e.value);
    if (asString !== undefined) {
      spec.context = path.resolve(layer.file.dir, asString.value);
      // v1: `build` is only the context; the Dockerfile's name is the service's own `dockerfile` key
      const v1Dockerfile = layer.file.legacyV1 ? p.string(layer.file, layer.fields.get('dockerfile')?.value)?.value : undefined;
      if (v1Dockerfile !== undefined) spec.dockerfile = v1Dockerfile;
      continue;
    }
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

/** Fields the v1 format does not have (config_schema_v1.json): docker-compose 1 refuses them in a v1 file. */
const NOT_IN_V1 = new Set(['init', 'stop_grace_period']);

/** The last layer's field, among the fields its file's format has. */
function fieldOf(layers: Layer[], key: string): ReturnType<typeof lastField> {
  return lastField(NOT_IN_V1.has(key) ? layers.filter((l) => !l.file.legacyV1) : layers, key);
}

function graceOf(p: Project, layers: Layer[]): Grace {
  const f = fieldOf(layers, 'stop_grace_period');
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
  const f = fieldOf(layers, 'init');
  if (!f) return false;
  const v = p.string(f.layer.file, f.entry.value)?.value;
  if (v === undefined) return false;
  const b = composeBool(v);
  if (b === undefined) p.error(f.layer.file.doc, f.entry.key.range?.[0], `init: invalid boolean: ${v}`);
  return b ?? false;
}

/** The last layer's scalar field, interpolated. */
function lastString(p: Project, layers: Layer[], key: string): string | undefined {
  const f = lastField(layers, key);
  return f ? p.string(f.layer.file, f.entry.value)?.value : undefined;
}

/** Read a service's layers once: everything both lint and `pid1 test` need. */
export function readService(p: Project, name: string, layers: Layer[]): ServiceReading {
  const top = layers[layers.length - 1] as Layer;
  const anchorLayer = layers.find((l) => l.name === name && l.file === top.file) ?? top;
  const anchor = spanOf(anchorLayer.file.doc, anchorLayer.entry.key);
  const imageField = lastField(layers, 'image');
  const imageRef = imageField ? p.string(imageField.layer.file, imageField.entry.value)?.value : undefined;
  const imageSpan = imageField ? spanOf(imageField.layer.file.doc, imageField.entry.pair) : anchor;
  const build = buildOf(p, layers);
  // A v1 file is run by docker-compose 1.x only (Compose v2 refuses it): its strings are split with shlex.
  const legacyV1 = top.file.legacyV1 === true;
  const version = legacyV1 ? 1 : (p.opts.composeVersion ?? 2);
  const origins = new Map<string, Origin>();
  const commandStrings: CommandString[] = [];
  let substituted = false;
  const parts: { entrypoint?: LaunchPart | null; command?: LaunchPart | null } = {};
  for (const field of ['entrypoint', 'command'] as const) {
    const f = lastField(layers, field);
    if (!f) continue;
    const r = commandPart(p, f.layer, f.entry, field, version, origins, commandStrings);
    if (!r) continue;
    substituted ||= r.substituted;
    parts[field] = r.part;
  }
  return {
    p,
    name,
    layers,
    anchorLayer,
    anchor,
    ...(imageRef !== undefined ? { imageRef } : {}),
    imageSpan,
    ...(build ? { build } : {}),
    ...parts,
    commandStrings,
    origins,
    substituted,
    stopSignal: stopSignalOf(p, layers),
    grace: graceOf(p, layers),
    init: initOf(p, layers),
    legacyV1,
    version,
    stdinOpen: ['stdin_open', 'tty'].some((k) => composeBool(lastString(p, layers, k) ?? '') === true),
  };
}

/** The image a build makes, as far as pid1 can analyse the Dockerfile (once per project and build). */
function imageFromBuild(p: Project, b: BuildField, fallbackImage: string | undefined): ImageConfig {
  const unanalysed = (why: string): ImageConfig => unanalysedImage(why, fallbackImage, b.span, p.opts);
  if (b.inline) return unanalysed('the image is built from dockerfile_inline, which pid1 does not analyse');
  if (isRemote(b.context)) return unanalysed(`the build context ${b.context ?? ''} is remote`);
  const context = b.context as string;
  const dfPath = b.dockerfile !== undefined ? path.resolve(context, b.dockerfile) : defaultDockerfile(path.resolve(context));
  const key = JSON.stringify([dfPath, context, b.target, b.args]);
  const have = p.dockerfiles.get(key);
  if (have) return have;
  const doc = p.store.read(dfPath, 'dockerfile');
  let cfg: ImageConfig;
  if (!doc) cfg = unanalysed(`the Dockerfile ${path.relative(process.cwd(), dfPath) || dfPath} cannot be read`);
  else {
    const res = lintDockerfileSource(doc, p.store, { ...p.opts, context, buildArgs: { ...(p.opts.buildArgs ?? {}), ...b.args }, ...(b.target ? { target: b.target } : { target: undefined }) });
    const l = res.launches.find((x) => x.target);
    if (l?.kind !== 'dockerfile') cfg = unanalysed(`${doc.file} could not be analysed${res.errors[0] ? `: ${res.errors[0].message}` : ''}`);
    else cfg = imageConfigFromDockerfile(l, `built from ${doc.file}${b.target ? ` (target ${b.target})` : ''}`);
  }
  p.dockerfiles.set(key, cfg);
  return cfg;
}

/** An image the service pulls: the repository's own Dockerfile when the image links to one (once per project and image). */
function imageFromRef(p: Project, ref: string, where: Span, dir: string): ImageConfig {
  const key = `image\0${ref}`;
  const have = p.dockerfiles.get(key);
  if (have) return have;
  // by name, only a Dockerfile in the compose file's own folder (or below): a collection has many `server/`s
  const cfg = linkedImageConfig(ref, where, p.store, p.opts, linkerFor(p.store, dir, p.opts.imageMap), dir, dir);
  p.dockerfiles.set(key, cfg);
  return cfg;
}

/** The service's launch for lint; undefined for a partial service (an override file's, with neither image nor build). */
export function launchOfService(r: ServiceReading): ComposeLaunch | undefined {
  const { p, name, build, imageRef } = r;
  if (!build && imageRef === undefined) return undefined;
  const doc = r.anchorLayer.file.doc;
  const image = withBindMounts(build ? imageFromBuild(p, build, imageRef) : imageFromRef(p, imageRef as string, r.imageSpan, r.anchorLayer.file.dir), bindMountsOf(r.layers), p);
  const stop: StopPlan = {
    platform: 'compose',
    graceSeconds: r.grace.seconds,
    graceSource: r.grace.explicit ? 'explicit' : 'default',
    ...(r.grace.span ? { graceSpan: r.grace.span } : {}),
    ...(r.stopSignal.span ? { stopSignalSpan: r.stopSignal.span } : {}),
  };
  const body = r.anchorLayer.file.y ? deref(r.anchorLayer.file.y, r.anchorLayer.entry.value) : undefined;
  return {
    kind: 'compose',
    ...orchestratedFields({
      label: `service ${name}`,
      doc,
      where: r.legacyV1 ? name : `services.${name}`,
      image,
      ...(imageRef !== undefined ? { imageRef } : {}),
      ...(r.entrypoint !== undefined ? { entrypoint: r.entrypoint } : {}),
      ...(r.command !== undefined ? { cmd: r.command } : {}),
      ...(r.stopSignal.fact ? { stopSignal: r.stopSignal.fact } : {}),
      init: r.init,
      stdinOpen: r.stdinOpen,
      stop,
      environment: literalEnvironmentOf(p, r.layers),
      anchor: r.anchor,
      origins: r.origins,
      substituted: r.substituted,
    }),
    service: name,
    ...(r.legacyV1 ? { legacyV1: true } : {}),
    serviceSpan: spanOf(doc, body ?? null, r.anchor),
    serviceBlock: isMap(body) && !(body as { flow?: boolean }).flow,
    commandStrings: r.commandStrings,
  };
}

/** A bind mount of the service: a host path (absolute) in front of a container path. */
interface BindMount {
  source: string;
  target: string;
}

/**
 * The service's bind mounts (`./scripts:/scripts`, `type: bind` with `source`/`target`), host paths resolved
 * from the compose file's folder; a later file's mount of the same target replaces an earlier one (the
 * compose spec merges `volumes` by target). Named volumes and anonymous ones are not files pid1 can read.
 */
function bindMountsOf(layers: Layer[]): BindMount[] {
  const byTarget = new Map<string, BindMount>();
  for (const layer of layers) {
    const y = layer.file.y;
    const v = layer.fields.get('volumes');
    if (!y || !v) continue;
    // read as written: a path with a variable in it is not known (and its interpolation errors are compose's to report when it runs)
    const text = (n: YNode | null | undefined): string | undefined => {
      const t = scalarString(y, n);
      return t === undefined || t.includes('$') ? undefined : t;
    };
    for (const it of items(y, v.value) ?? []) {
      let source: string | undefined;
      let target: string | undefined;
      const short = text(it);
      if (short !== undefined) {
        // SOURCE:TARGET[:MODE]: a source that is a path (., .., /, ~) is a bind mount; a bare name is a named volume
        const parts = short.split(':');
        if (parts.length < 2 || !/^(\.{1,2}(\/|$)|\/|~)/.test(parts[0] as string)) continue;
        [source, target] = parts as [string, string];
      } else {
        if (text(get(y, it, 'type')?.value) !== 'bind') continue;
        source = text(get(y, it, 'source')?.value);
        target = text(get(y, it, 'target')?.value);
      }
      if (!source || !target?.startsWith('/') || source.startsWith('~')) continue;
      const t = path.posix.normalize(target).replace(/\/+$/, '') || '/';
      byTarget.set(t, { source: path.resolve(layer.file.dir, source), target: t });
    }
  }
  return [...byTarget.values()];
}

/**
 * The image's config with the service's bind mounts in front: a file under a mount's target is the host file
 * (read through the store, inside the linted tree), and the image's own files there are hidden; a script read
 * there is analysed like a COPY'd entrypoint, with findings on the host file.
 */
function withBindMounts(img: ImageConfig, mounts: readonly BindMount[], p: Project): ImageConfig {
  if (!mounts.length) return img;
  return withOwnFiles(img, (file) => {
    const inside = path.posix.normalize(file);
    const m = mounts.filter((x) => inside === x.target || inside.startsWith(x.target === '/' ? '/' : `${x.target}/`)).sort((a, b) => b.target.length - a.target.length)[0];
    if (!m) return undefined;
    const host = inside === m.target ? m.source : path.join(m.source, inside.slice(m.target.length));
    const doc = p.store.read(host, 'script');
    return doc ? { ref: { path: file, doc, offset: 0, text: doc.text }, origin: { doc, text: MappedText.contiguous(doc.text, 0) } } : null;
  });
}

/**
 * The service's `environment` with literal values, for the launch model; complete when no layer has an `env_file` and no
 * entry passes a variable from the host (`KEY` alone), so the image's ENV and these are the container's whole environment.
 */
function literalEnvironmentOf(p: Project, layers: Layer[]): { env: Record<string, string>; complete: boolean } {
  const env: Record<string, string> = {};
  let complete = true;
  for (const layer of layers) {
    if (layer.fields.get('env_file')) complete = false;
    for (const [k, v] of environmentEntries(p, layer)) {
      if (k === undefined || v === undefined) complete = false;
      else env[k] = v;
    }
  }
  return { env, complete };
}

/**
 * A layer's `environment` entries, a map or a list of KEY=VALUE: the value undefined for `KEY` alone (compose passes the
 * host's), the key undefined for a list item that is not a string.
 */
function environmentEntries(p: Project, layer: Layer): [string | undefined, string | undefined][] {
  const y = layer.file.y;
  const envEntry = layer.fields.get('environment');
  if (!y || !envEntry) return [];
  const list = items(y, envEntry.value);
  if (!list) return [...entries(y, envEntry.value)].map(([k, e]) => [k, p.string(layer.file, e.value)?.value]);
  return list.map((it) => {
    const kv = p.string(layer.file, it)?.value;
    if (kv === undefined) return [undefined, undefined];
    const eq = kv.indexOf('=');
    return eq < 0 ? [kv, undefined] : [kv.slice(0, eq), kv.slice(eq + 1)];
  });
}

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
        // through the store: a regular file, inside the linted tree
        const text = p.store.readText(abs);
        if (text === undefined) {
          if (required) p.error(layer.file.doc, (it ?? ef.value)?.range?.[0] ?? ef.key.range?.[0], `env_file: cannot read ${file}${problemNote(p.store.problemOf(abs))}`);
          continue;
        }
        Object.assign(fromFiles, parseDotEnv(text));
      }
    }
    for (const [k, v] of environmentEntries(p, layer)) {
      if (k === undefined) continue;
      if (v === undefined) fromHost(k);
      else own[k] = v;
    }
  }
  return { ...fromFiles, ...own };
}

/**
 * What `docker compose up` creates for the service, for `pid1 test --compose`: the reading plus what only
 * running it needs (environment and env_file, user, working_dir). Errors of the reading and of running it
 * are collected in `errors`, the project's sink, which the caller set before reading.
 */
export function specOfService(r: ServiceReading, errors: FileError[]): ContainerSpec {
  const { p, name, layers, anchorLayer } = r;
  const notes: string[] = [];
  if (r.legacyV1) notes.push('the file is in the legacy compose v1 format (services at the top level): docker-compose 1.x runs it, Compose v2 refuses it; read as v1 (shlex splitting)');
  const b = r.build;
  let build: BuildSpec | undefined;
  if (b) {
    if (b.inline) p.error(b.span.doc, b.span.start, 'build: dockerfile_inline is not supported by pid1 test: write the Dockerfile to a file');
    else if (isRemote(b.context)) p.error(b.span.doc, b.span.start, `build context ${b.context ?? ''} is remote: pid1 test builds local directories only`);
    else build = { context: b.context as string, args: b.args, ...(b.dockerfile !== undefined ? { dockerfile: b.dockerfile } : {}), ...(b.target !== undefined ? { target: b.target } : {}) };
  }
  if (r.imageRef === undefined && !b) p.error(anchorLayer.file.doc, anchorLayer.entry.key.range?.[0], `service "${name}" has neither image: nor build:`);
  const parts: { entrypoint?: string[]; command?: string[] } = {};
  for (const [field, part] of [
    ['entrypoint', r.entrypoint],
    ['command', r.command],
  ] as const) {
    if (part === undefined) continue;
    parts[field] = part?.argv ?? []; // set but empty: the engine's "no entrypoint" / "no command"
    const stopped = r.version === 2 ? r.commandStrings.find((s) => s.field === field)?.v2.stoppedAt : undefined;
    if (stopped) notes.push(`compose reads the ${field} string only up to the unquoted \`${stopped.char}\` and runs ${JSON.stringify(parts[field])}, without a shell`);
  }
  let stopSignal: string | undefined;
  const sig = r.stopSignal;
  if (sig.fact?.invalid !== undefined) {
    let why = 'not a signal';
    try {
      parseSignal(sig.fact.invalid.trim());
    } catch (err) {
      why = messageOf(err);
    }
    p.error(sig.span?.doc ?? anchorLayer.file.doc, sig.span?.start, `stop_signal: ${why}`);
  } else if (sig.fact) stopSignal = sig.fact.signal;
  if (r.grace.truncatedFrom !== undefined) notes.push(`stop_grace_period ${r.grace.truncatedFrom} is passed to the engine as ${r.grace.seconds} s (compose truncates to whole seconds)`);
  const env = environmentOf(p, layers);
  const user = lastString(p, layers, 'user');
  const workingDir = lastString(p, layers, 'working_dir');
  const network = lastString(p, layers, 'network_mode');
  if (network !== undefined) notes.push(`network_mode ${network} is not used: pid1 test runs with --network none unless --network host is given`);
  return {
    name,
    label: `service ${name}`,
    platform: 'compose',
    env,
    init: r.init,
    notes,
    errors,
    graceSeconds: r.grace.seconds,
    graceExplicit: r.grace.explicit,
    ...(r.imageRef !== undefined ? { image: r.imageRef } : {}),
    ...(build ? { build } : {}),
    ...parts,
    ...(user !== undefined && user !== '' ? { user } : {}),
    ...(workingDir ? { workingDir } : {}),
    ...(stopSignal ? { stopSignal } : {}),
  };
}

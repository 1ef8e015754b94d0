/**
 * A compose service or a Kubernetes container reduced to what its stop depends on: the image (or how
 * to build it), what runs as PID 1 (entrypoint + command, with each format's own override rules),
 * environment, user, the stop signal, the grace period, `init`, and the kubelet's preStop hook.
 *
 * Both formats end up in the Engine's create call, whose merge rule is the one they document: an
 * entrypoint given without a command drops the image's CMD (compose `entrypoint`, k8s `command`);
 * a command alone keeps the image's ENTRYPOINT (compose `command`, k8s `args`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import { parseSignal, signalName } from '../model/signals.js';
import { UserError, errnoOf, messageOf } from '../util/errors.js';
import { durationMs } from './durations.js';

export type PreStop =
  | { kind: 'exec'; command: string[] }
  | { kind: 'sleep'; seconds: number }
  | { kind: 'httpGet'; scheme: 'HTTP' | 'HTTPS'; host: string; port: number; path: string; headers: Record<string, string> };

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
  graceSeconds?: number;
  /** compose `init: true`: docker-init (tini) in front. */
  init?: boolean;
  preStop?: PreStop;
  /** What the reduction left out or changed, one line each. */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// YAML with line numbers for errors.

type Path = (string | number)[];

class YamlFile {
  readonly docs: Document.Parsed[];
  private readonly lines = new LineCounter();

  constructor(readonly file: string, text: string) {
    this.docs = parseAllDocuments(text, { lineCounter: this.lines, prettyErrors: false }) as Document.Parsed[];
    for (const d of this.docs) {
      const err = d.errors[0];
      if (err) {
        const line = err.linePos?.[0].line ?? this.lineAt(err.pos[0]);
        throw new UserError(`${file}:${line}: not valid YAML: ${err.message.split('\n')[0] ?? ''}`);
      }
    }
  }

  private lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  /** Line of the key (or list item) at `p` in document `doc`, or of its nearest existing parent. */
  line(doc: number, p: Path): number {
    const d = this.docs[doc];
    if (!d) return 1;
    let node: unknown = d.contents;
    let line = node && typeof node === 'object' && 'range' in node ? this.lineAt((node as { range: [number] }).range[0]) : 1;
    for (const key of p) {
      if (isMap(node)) {
        const pair = node.items.find((it) => (isScalar(it.key) ? it.key.value : it.key) === key);
        if (!pair) break;
        const k = pair.key as { range?: [number] } | null;
        if (k?.range) line = this.lineAt(k.range[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key] as { range?: [number] } | undefined;
        if (!item) break;
        if (item.range) line = this.lineAt(item.range[0]);
        node = item;
      } else break;
    }
    return line;
  }

  fail(doc: number, p: Path, message: string): never {
    throw new UserError(`${this.file}:${this.line(doc, p)}: ${message}`);
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${errnoOf(err) === 'ENOENT' ? 'no such file' : messageOf(err)}`);
  }
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Word splitting as compose does it for a string `command:`/`entrypoint:` (shell-like quoting, no
// expansion, no `sh -c`).

/** Split a command string into words: spaces separate, '...' is literal, "..." honours \" \\ \$ \`, \ escapes. */
export function splitCommand(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) { words.push(cur); cur = ''; inWord = false; }
      continue;
    }
    inWord = true;
    if (ch === '\\') {
      i++;
      if (i < s.length && s[i] !== '\n') cur += s[i];
      continue;
    }
    if (ch === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      cur += s.slice(i + 1, end);
      i = end;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`\n'.includes(s[j + 1] as string)) {
          j++;
          if (s[j] !== '\n') cur += s[j];
        } else cur += s[j];
      }
      if (j >= s.length) throw new Error('unterminated double quote');
      i = j;
      continue;
    }
    cur += ch;
  }
  if (inWord) words.push(cur);
  return words;
}

// ---------------------------------------------------------------------------------------------
// Compose.

/** compose's variable interpolation: $$, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+a}, ${VAR+a}, $VAR. */
export function interpolate(s: string, env: Readonly<Record<string, string | undefined>>): string {
  return s.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (all, dollar: string, name?: string, op?: string, arg?: string, bare?: string) => {
    if (dollar === '$') return '$';
    if (bare) return env[bare] ?? '';
    const v = env[name as string];
    const unsetOrEmpty = v === undefined || v === '';
    switch (op) {
      case ':-': return unsetOrEmpty ? arg ?? '' : v;
      case '-': return v === undefined ? arg ?? '' : v;
      case ':?': if (unsetOrEmpty) throw new Error(`${name}: ${arg || 'required variable is not set'}`); return v;
      case '?': if (v === undefined) throw new Error(`${name}: ${arg || 'required variable is not set'}`); return v;
      case ':+': return unsetOrEmpty ? '' : arg ?? '';
      case '+': return v === undefined ? '' : arg ?? '';
      default: return v ?? '';
    }
  });
}

function interpolateAll(v: Json, env: Readonly<Record<string, string | undefined>>): Json {
  if (typeof v === 'string') return interpolate(v, env);
  if (Array.isArray(v)) return v.map((x) => interpolateAll(x, env));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateAll(x, env)]));
  return v;
}

/** KEY=VALUE lines (compose .env / env_file): # comments, optional quotes, `export` prefix. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf('=');
    if (i <= 0) continue;
    let value = line.slice(i + 1).trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    out[line.slice(0, i).trim()] = value;
  }
  return out;
}

function wordsOf(y: YamlFile, p: Path, v: Json, what: string): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    try {
      return splitCommand(v);
    } catch (err) {
      return y.fail(0, p, `${what}: ${messageOf(err)}`);
    }
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  return y.fail(0, p, `${what} must be a string or a list of strings`);
}

function envOf(y: YamlFile, doc: number, p: Path, v: Json | undefined, host: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item !== 'string') y.fail(doc, p, 'environment entries must be strings (KEY=VALUE)');
      const i = item.indexOf('=');
      if (i < 0) { const hv = host[item]; if (hv !== undefined) out[item] = hv; } else out[item.slice(0, i)] = item.slice(i + 1);
    }
    return out;
  }
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) { const hv = host[k]; if (hv !== undefined) out[k] = hv; } else out[k] = String(x);
    }
    return out;
  }
  return y.fail(doc, p, 'environment must be a map or a list of KEY=VALUE');
}

function signalOf(y: YamlFile, doc: number, p: Path, v: Json | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  try {
    return signalName(parseSignal(typeof v === 'number' ? v : String(v)));
  } catch (err) {
    return y.fail(doc, p, `${p[p.length - 1]}: ${messageOf(err)}`);
  }
}

/** Reduce `services.<name>` of a compose file to its launch. */
export function composeLaunch(file: string, service: string, hostEnv: Readonly<Record<string, string | undefined>> = process.env): LaunchSpec {
  const y: YamlFile = new YamlFile(file, readText(file));
  const root = y.docs[0]?.toJS() as Json | undefined;
  if (!isObject(root) || !isObject(root.services)) throw new UserError(`${file}: no services: section (not a compose file?)`);
  const names = Object.keys(root.services);
  const raw = root.services[service];
  if (raw === undefined) throw new UserError(`${file}: no service "${service}" (services: ${names.join(', ') || 'none'})`);
  const base = ['services', service];
  if (!isObject(raw)) y.fail(0, base, `service "${service}" must be a map`);
  const dir = path.dirname(path.resolve(file));
  // compose reads .env from the project directory; the shell's environment wins over it.
  let dotEnv: Record<string, string> = {};
  try {
    dotEnv = parseEnvFile(fs.readFileSync(path.join(dir, '.env'), 'utf8'));
  } catch {
    /* no .env */
  }
  const env = { ...dotEnv, ...hostEnv };
  let svc: Record<string, Json>;
  try {
    svc = interpolateAll(raw, env) as Record<string, Json>;
  } catch (err) {
    return y.fail(0, base, `service "${service}": ${messageOf(err)}`);
  }
  const notes: string[] = [];
  const origin = `${file} service ${service}`;
  if (svc.extends !== undefined) notes.push('`extends` is not followed: only this service\'s own keys are used');
  let build: BuildSpec | undefined;
  if (typeof svc.build === 'string') build = { context: path.resolve(dir, svc.build) };
  else if (isObject(svc.build)) {
    const b = svc.build;
    const context = typeof b.context === 'string' ? b.context : '.';
    if (/^(https?|git)(:\/\/|@)|\.git(#|$)/.test(context)) y.fail(0, [...base, 'build', 'context'], `build context ${context} is remote: pid1 test builds local directories only`);
    build = { context: path.resolve(dir, context) };
    if (typeof b.dockerfile === 'string') build.dockerfile = b.dockerfile;
    if (typeof b.target === 'string') build.target = b.target;
    if (b.args !== undefined) build.args = envOf(y, 0, [...base, 'build', 'args'], b.args, env);
  } else if (svc.build !== undefined) y.fail(0, [...base, 'build'], 'build must be a path or a map');
  const image = typeof svc.image === 'string' ? svc.image : undefined;
  if (!image && !build) y.fail(0, base, `service "${service}" has neither image: nor build:`);
  const envFiles: string[] = [];
  const ef = svc.env_file;
  if (typeof ef === 'string') envFiles.push(ef);
  else if (Array.isArray(ef)) for (const e of ef) { if (typeof e === 'string') envFiles.push(e); else if (isObject(e) && typeof e.path === 'string') envFiles.push(e.path); }
  let fileEnv: Record<string, string> = {};
  for (const f of envFiles) fileEnv = { ...fileEnv, ...parseEnvFile(readText(path.resolve(dir, f))) };
  const spec: LaunchSpec = {
    origin, policy: 'compose', notes,
    env: { ...fileEnv, ...envOf(y, 0, [...base, 'environment'], svc.environment, env) },
    ...(image ? { image } : {}),
    ...(build ? { build } : {}),
  };
  const entrypoint = wordsOf(y, [...base, 'entrypoint'], svc.entrypoint as Json, 'entrypoint');
  if (entrypoint) spec.entrypoint = entrypoint;
  const command = wordsOf(y, [...base, 'command'], svc.command as Json, 'command');
  if (command) spec.command = command;
  if (svc.user !== undefined && svc.user !== null) spec.user = String(svc.user);
  if (typeof svc.working_dir === 'string') spec.workingDir = svc.working_dir;
  const sig = signalOf(y, 0, [...base, 'stop_signal'], svc.stop_signal);
  if (sig) spec.stopSignal = sig;
  if (svc.stop_grace_period !== undefined && svc.stop_grace_period !== null) {
    const ms = durationMs(svc.stop_grace_period as string | number);
    if (ms === undefined) y.fail(0, [...base, 'stop_grace_period'], `stop_grace_period: not a duration: ${String(svc.stop_grace_period)}`);
    // compose hands the engine whole seconds: int(duration.Seconds()), truncated.
    spec.graceSeconds = Math.floor(ms / 1000);
    if (ms % 1000) notes.push(`stop_grace_period ${String(svc.stop_grace_period)} is passed to the engine as ${spec.graceSeconds} s (compose truncates to whole seconds)`);
  }
  if (svc.init !== undefined && svc.init !== null) {
    if (typeof svc.init !== 'boolean') y.fail(0, [...base, 'init'], 'init must be true or false');
    spec.init = svc.init;
  }
  if (typeof svc.network_mode === 'string') notes.push(`network_mode ${svc.network_mode} is not used: pid1 test runs with --network none unless --network host is given`);
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes.

/** Pod specs of one manifest document, with their path (Deployment, StatefulSet, Job, CronJob, Pod, List...). */
function podSpecs(obj: Json, p: Path): { name: string; spec: Record<string, Json>; path: Path }[] {
  if (!isObject(obj)) return [];
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = `${kind || 'object'}/${typeof meta.name === 'string' ? meta.name : '?'}`;
  const dig = (...keys: string[]): { spec: Record<string, Json>; path: Path } | undefined => {
    let cur: Json = obj;
    for (const k of keys) {
      if (!isObject(cur)) return undefined;
      cur = cur[k] as Json;
    }
    return isObject(cur) ? { spec: cur, path: [...p, ...keys] } : undefined;
  };
  if (kind === 'List' && Array.isArray(obj.items)) return obj.items.flatMap((it, i) => podSpecs(it, [...p, 'items', i]));
  const found = kind === 'Pod' ? dig('spec')
    : kind === 'CronJob' ? dig('spec', 'jobTemplate', 'spec', 'template', 'spec')
      : dig('spec', 'template', 'spec');
  return found ? [{ name, ...found }] : [];
}

/** `$(VAR)` in command/args is the container's variable (when defined); `$$(VAR)` is a literal `$(VAR)`. */
export function expandKubeVars(s: string, env: Readonly<Record<string, string>>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name?: string) => (all === '$$' ? '$' : name !== undefined && env[name] !== undefined ? env[name] : all));
}

function stringList(y: YamlFile, doc: number, p: Path, v: Json | undefined, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' || typeof x === 'number')) return y.fail(doc, p, `${what} must be a list of strings`);
  return v.map(String);
}

/** Reduce one container of a Kubernetes manifest to its launch (the kubelet's stop). */
export function manifestLaunch(file: string, container?: string): LaunchSpec {
  const y: YamlFile = new YamlFile(file, readText(file));
  const candidates: { doc: number; workload: string; pod: Record<string, Json>; podPath: Path; c: Record<string, Json>; cPath: Path }[] = [];
  y.docs.forEach((d, doc) => {
    for (const ps of podSpecs(d.toJS() as Json, [])) {
      const list = ps.spec.containers;
      if (!Array.isArray(list)) continue;
      list.forEach((c, i) => {
        if (isObject(c)) candidates.push({ doc, workload: ps.name, pod: ps.spec, podPath: ps.path, c, cPath: [...ps.path, 'containers', i] });
      });
    }
  });
  if (!candidates.length) throw new UserError(`${file}: no containers found (expected a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob)`);
  const label = (x: (typeof candidates)[number]): string => `${x.workload} container ${String(x.c.name ?? '?')}`;
  let pick = candidates;
  if (container !== undefined) pick = candidates.filter((x) => x.c.name === container);
  if (!pick.length) throw new UserError(`${file}: no container "${container}" (containers: ${candidates.map((x) => String(x.c.name ?? '?')).join(', ')})`);
  if (pick.length > 1) throw new UserError(`${file}: ${container === undefined ? 'several containers' : `container "${container}" appears ${pick.length} times`}: ${pick.map(label).join('; ')} (choose with --container${container === undefined ? '' : ' and one workload per file'})`);
  const x = pick[0] as (typeof candidates)[number];
  const { doc, c, cPath, pod, podPath } = x;
  const notes: string[] = [];
  if (typeof c.image !== 'string' || !c.image) y.fail(doc, cPath, `${label(x)} has no image`);
  const env: Record<string, string> = {};
  if (c.env !== undefined && c.env !== null) {
    if (!Array.isArray(c.env)) y.fail(doc, [...cPath, 'env'], 'env must be a list of {name, value}');
    c.env.forEach((e, i) => {
      if (!isObject(e) || typeof e.name !== 'string') y.fail(doc, [...cPath, 'env', i], 'env entries need a name');
      if (e.valueFrom !== undefined) { notes.push(`env ${e.name} comes from valueFrom: not resolved, left unset`); return; }
      // Later entries may refer to earlier ones with $(VAR), as the kubelet expands them.
      env[e.name] = expandKubeVars(e.value === undefined || e.value === null ? '' : String(e.value), env);
    });
  }
  if (c.envFrom !== undefined) notes.push('envFrom (ConfigMaps/Secrets) is not resolved');
  const spec: LaunchSpec = { origin: `${file} ${label(x)}`, policy: 'kubelet', image: c.image as string, env, notes };
  const command = stringList(y, doc, [...cPath, 'command'], c.command, 'command');
  const args = stringList(y, doc, [...cPath, 'args'], c.args, 'args');
  // command replaces ENTRYPOINT (and drops CMD even without args); args replaces CMD.
  if (command) spec.entrypoint = command.map((s) => expandKubeVars(s, env));
  if (args) spec.command = args.map((s) => expandKubeVars(s, env));
  else if (command) spec.command = [];
  if (typeof c.workingDir === 'string') spec.workingDir = c.workingDir;
  const podSc = isObject(pod.securityContext) ? pod.securityContext : {};
  const cSc = isObject(c.securityContext) ? c.securityContext : {};
  const uid = cSc.runAsUser ?? podSc.runAsUser;
  const gid = cSc.runAsGroup ?? podSc.runAsGroup;
  if (uid !== undefined && uid !== null) spec.user = gid !== undefined && gid !== null ? `${String(uid)}:${String(gid)}` : String(uid);
  const grace = pod.terminationGracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0) y.fail(doc, [...podPath, 'terminationGracePeriodSeconds'], 'terminationGracePeriodSeconds must be a whole number of seconds');
    spec.graceSeconds = grace;
  } else spec.graceSeconds = 30; // the API server's default
  if (pod.shareProcessNamespace === true) notes.push('shareProcessNamespace: in the pod the pause container is PID 1 and this container\'s command is not a namespace init; pid1 test runs it as its own PID 1');
  const lc = isObject(c.lifecycle) ? c.lifecycle : undefined;
  const lcPath = [...cPath, 'lifecycle'];
  if (lc) {
    const sig = signalOf(y, doc, [...lcPath, 'stopSignal'], lc.stopSignal);
    if (sig) spec.stopSignal = sig;
    const ps = lc.preStop;
    const pp = [...lcPath, 'preStop'];
    if (ps !== undefined && ps !== null) {
      if (!isObject(ps)) y.fail(doc, pp, 'preStop must be a map');
      if (isObject(ps.exec)) {
        const cmd = stringList(y, doc, [...pp, 'exec', 'command'], ps.exec.command, 'preStop exec command');
        if (!cmd?.length) y.fail(doc, [...pp, 'exec'], 'preStop exec needs a command');
        spec.preStop = { kind: 'exec', command: cmd };
      } else if (isObject(ps.sleep)) {
        const s = ps.sleep.seconds;
        if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) y.fail(doc, [...pp, 'sleep', 'seconds'], 'preStop sleep seconds must be a whole number');
        spec.preStop = { kind: 'sleep', seconds: s };
      } else if (isObject(ps.httpGet)) {
        const h = ps.httpGet;
        let port: number | undefined;
        if (typeof h.port === 'number') port = h.port;
        else if (typeof h.port === 'string') {
          // A named port: the container's ports[].name.
          const ports = Array.isArray(c.ports) ? c.ports : [];
          const named = ports.find((pt) => isObject(pt) && pt.name === h.port);
          port = isObject(named) && typeof named.containerPort === 'number' ? named.containerPort : /^\d+$/.test(h.port) ? Number(h.port) : undefined;
        }
        if (port === undefined) y.fail(doc, [...pp, 'httpGet', 'port'], `preStop httpGet port ${String(h.port)} is not a number or a named container port`);
        const headers: Record<string, string> = {};
        if (Array.isArray(h.httpHeaders)) for (const hd of h.httpHeaders) if (isObject(hd) && typeof hd.name === 'string') headers[hd.name] = String(hd.value ?? '');
        const scheme = String(h.scheme ?? 'HTTP').toUpperCase();
        if (scheme !== 'HTTP' && scheme !== 'HTTPS') y.fail(doc, [...pp, 'httpGet', 'scheme'], `preStop httpGet scheme must be HTTP or HTTPS`);
        spec.preStop = { kind: 'httpGet', scheme, host: typeof h.host === 'string' && h.host ? h.host : '127.0.0.1', port, path: typeof h.path === 'string' ? h.path : '/', headers };
      } else if (ps.tcpSocket !== undefined) {
        y.fail(doc, [...pp, 'tcpSocket'], 'preStop tcpSocket is accepted by the API for compatibility but the kubelet does not run it');
      } else y.fail(doc, pp, 'preStop needs exec, sleep or httpGet');
    }
  }
  return spec;
}

export function describePreStop(p: PreStop): string {
  switch (p.kind) {
    case 'exec': return `exec ${JSON.stringify(p.command)}`;
    case 'sleep': return `sleep ${p.seconds} s`;
    case 'httpGet': return `httpGet ${p.scheme.toLowerCase()}://${p.host}:${p.port}${p.path}`;
  }
}


/**
 * A compose project read as compose reads it: its files, each service's layers (`extends` bases, then the
 * service itself, in every file that has it), and scalar fields interpolated (`${VAR:-default}` from the
 * environment and `.env`) with a map back to the file's offsets.
 */
import path from 'node:path';
import type { Scalar } from 'yaml';
import { errorAt, type Document, type FileError } from '../../document/document.js';
import { problemNote, type DocumentStore } from '../../document/store.js';

import type { ImageConfig } from '../image-config.js';
import type { SourceOptions } from '../launch.js';
import { entries, get, isMapping, mapScalar, parseYamlStream, scalarNode, YamlLimitError, type Entry, type YamlDoc, type YNode } from '../yaml.js';
import { definedVariables, interpolate, projectEnv, type Env, type Interpolated } from './interpolate.js';
import { charsOf, MappedText, type Chars } from '../../document/text.js';

export type ComposeVersion = 1 | 2;

export interface ComposeOptions extends SourceOptions {
  /** Interpolation environment (default: the process environment), over the project's `.env`. */
  env?: Env;
  /** Model compose v1 (docker-compose, shlex) or v2 (docker compose, go-shellwords) string splitting. Default 2. */
  composeVersion?: ComposeVersion;
  /** `--compose-file FILE` (repeatable): one compose project, merged in this order. */
  composeFiles?: readonly string[];
}

export interface ComposeFile {
  doc: Document;
  dir: string;
  y?: YamlDoc;
  services: Map<string, Entry>;
  /** The legacy v1 format: services at the top level (no `services:` key). */
  legacyV1?: boolean;
}

/** Top-level keys of the Compose specification (compose-spec schema); `x-*` are extensions. */
const SPEC_TOP_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'include', 'models']);

/**
 * The services of a legacy v1 file, or undefined when the top level is not that format. v1 (docker-compose
 * 1.x, config_schema_v1.json) has no `version` and no `services:`: every top-level key is a service, a
 * mapping that needs `image` or `build` (or takes them from `extends`). Anything else is not read as v1, so
 * that YAML that only looks like it (a config file named like a compose file) is never run as services.
 */
function legacyServices(y: YamlDoc, top: Map<string, Entry>): Map<string, Entry> | undefined {
  if (top.has('version') || top.size === 0) return undefined;
  let runnable = 0;
  const out = new Map<string, Entry>();
  for (const [k, e] of top) {
    if (!/^[a-zA-Z0-9._-]+$/.test(k) || !isMapping(y, e.value)) return undefined;
    const f = entries(y, e.value);
    if (f.has('image') || f.has('build') || f.has('extends')) runnable++;
    // an `x-` block of anchors is no service (docker-compose 1 refused it; later files use it for `<<` merges)
    else if (k.startsWith('x-')) continue;
    out.set(k, e);
  }
  return runnable > 0 ? out : undefined;
}

export interface Layer {
  file: ComposeFile;
  name: string;
  entry: Entry;
  fields: Map<string, Entry>;
}

export class Project {
  readonly errors = new Map<Document, FileError[]>();
  /** YAML syntax errors of the project's files. */
  readonly syntax: FileError[] = [];
  /** Also collects the errors met while one service is read (for its resolved launch). */
  sink: FileError[] | undefined;
  private readonly files = new Map<string, ComposeFile>();
  readonly dockerfiles = new Map<string, ImageConfig>();

  constructor(
    readonly store: DocumentStore,
    readonly env: Env,
    readonly opts: ComposeOptions,
  ) {}

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
    for (const e of stream.errors) {
      const list = this.errors.get(doc) ?? [];
      list.push(e);
      this.errors.set(doc, list);
      this.syntax.push(e);
    }
    const y = stream.docs[0];
    if (!y) return f;
    f.y = y;
    if (!isMapping(y, y.root)) {
      this.error(doc, 0, 'not a compose file: the top level is not a mapping');
      return f;
    }
    const services = get(y, y.root, 'services');
    if (!services) {
      const top = entries(y, y.root);
      const legacy = legacyServices(y, top);
      if (legacy) {
        f.services = legacy;
        f.legacyV1 = true;
        return f;
      }
      const keys = [...top.keys()];
      // A file of networks, volumes or `include:` only is a valid part of a project: nothing runs from it.
      if (keys.some((k) => k !== 'version') && keys.every((k) => SPEC_TOP_KEYS.has(k) || k.startsWith('x-'))) return f;
      const odd = keys.filter((k) => !SPEC_TOP_KEYS.has(k) && !k.startsWith('x-'));
      this.error(
        doc,
        0,
        odd.length
          ? `not a compose file: no "services" section, and ${odd
              .slice(0, 3)
              .map((k) => `"${k}"`)
              .join(', ')} ${odd.length > 1 ? 'are not services' : 'is not a service'} of the legacy v1 format (a mapping with image or build)`
          : 'not a compose file: no "services" section',
      );
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
    if (seen.has(id)) {
      this.error(file.doc, entry.key.range?.[0], `service "${name}" extends itself (a cycle)`);
      return [];
    }
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
        if (!d) {
          this.error(file.doc, ext.key.range?.[0], `extends: cannot read ${other}${problemNote(this.store.problemOf(abs))}`);
          return [self];
        }
        baseFile = this.load(d);
      }
    }
    if (baseName === undefined) return [self];
    if (!baseFile.services.has(baseName)) {
      this.error(file.doc, ext.key.range?.[0], `extends: no service "${baseName}" in ${baseFile.doc.file}`);
      return [self];
    }
    return [...this.layers(baseFile, baseName, seen), self];
  }

  /** A scalar field as interpolated characters mapped to the file. */
  string(file: ComposeFile, node: YNode | null | undefined): (Interpolated & { scalar: Scalar }) | undefined {
    if (!file.y) return undefined;
    const s = scalarNode(file.y, node);
    if (!s || s.value === null || s.value === undefined) return undefined;
    const m = mapScalar(file.doc, s);
    const offsets = Array.from({ length: m.text.value.length }, (_, i) => m.text.at(i));
    const chars = charsOf(
      m.text.value,
      offsets,
      offsets.map(() => m.exact),
    );
    const out = interpolate(chars, this.env);
    if (out.error) this.error(file.doc, s.range?.[0], out.error);
    return { ...out, scalar: s };
  }
}

/** A string mapped to the file, as a MappedText. */
export function mapped(c: Chars, end: number): MappedText {
  return MappedText.fromOffsets(c.value, c.offsets, end);
}

export function lastField(layers: Layer[], key: string): { layer: Layer; entry: Entry } | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as Layer;
    const e = layer.fields.get(key);
    if (e) return { layer, entry: e };
  }
  return undefined;
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

/** The process environment's set variables, once per run (its store) and environment. */
const definedEnvs = new WeakMap<DocumentStore, { of: Env; defined: Env }>();

function definedOf(store: DocumentStore, env: Env): Env {
  let d = definedEnvs.get(store);
  if (!d || d.of !== env) {
    d = { of: env, defined: definedVariables(env) };
    definedEnvs.set(store, d);
  }
  return d.defined;
}

export function loadProject(docs: readonly Document[], store: DocumentStore, opts: ComposeOptions): LoadedProject | undefined {
  const first = docs[0];
  if (!first) return undefined;
  const projectDir = first.absPath ? path.dirname(first.absPath) : process.cwd();
  const env = projectEnv(projectDir, definedOf(store, opts.env ?? process.env), (p) => store.readText(p));
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
export function layersOf(lp: LoadedProject, name: string): Layer[] {
  const layers: Layer[] = [];
  for (const f of lp.files) if (f.services.has(name)) layers.push(...lp.p.layers(f, name));
  return layers;
}

/**
 * The compose source: lint a project (its files merged in order) into one launch per service, and
 * resolve a compose file to what `docker compose up` would create (`pid1 test --compose`). Both read each
 * service once, with the same reader (service.ts).
 */
import path from 'node:path';
import { errorAt, type Document, type FileError } from '../../document/document.js';
import { DocumentStore } from '../../document/store.js';
import type { ContainerSpec, SourceResult } from '../launch.js';
import { spanOf, YamlLimitError } from '../yaml.js';
import { baseOf, projectDocs } from './files.js';
import { layersOf, loadProject, type ComposeOptions } from './project.js';
import { DEFAULT_COMPOSE_GRACE, launchOfService, readService, specOfService } from './service.js';

/** Lint one compose project: its files merged in order (`-f a -f b`). One result per file. */
export function lintComposeProject(docs: readonly Document[], store: DocumentStore, opts: ComposeOptions = {}): SourceResult[] {
  const lp = loadProject(docs, store, opts);
  if (!lp) return [];
  const { p, files, names, first } = lp;
  const results = new Map<Document, SourceResult>();
  for (const d of docs) results.set(d, { doc: d, launches: [], errors: [] });
  for (const f of files) {
    const firstService = [...f.services.values()][0];
    if (!f.legacyV1 || !firstService) continue;
    const res = results.get(f.doc);
    if (res) res.notices = [...(res.notices ?? []), { code: 'compose-v1', span: spanOf(f.doc, firstService.key), services: [...f.services.keys()] }];
  }
  for (const name of names) {
    try {
      const layers = layersOf(lp, name);
      if (!layers.length) continue;
      const l = launchOfService(readService(p, name, layers));
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

/**
 * The engine's entry point for one compose file: with `--compose-file`, the files given are one project
 * (linted when the first one comes); otherwise a base file is merged with its override file, and an
 * override file whose base exists is linted with it.
 */
export function lintComposeDocument(doc: Document, store: DocumentStore, opts: ComposeOptions = {}): SourceResult {
  const project = projectDocs(doc, store, opts);
  if (!project) return { doc, launches: [], errors: [] };
  const results = lintComposeProject(project.docs, store, opts);
  const notices = results.flatMap((r) => r.notices ?? []);
  return { doc, launches: results.flatMap((r) => r.launches), errors: [...project.errors, ...results.flatMap((r) => r.errors)], ...(notices.length ? { notices } : {}) };
}

/** Every service of a compose project, resolved; errors of the files themselves apart. */
interface ComposeResolution {
  /** The project's files (the one given, its override file, or the -f files). */
  files: string[];
  services: Map<string, ContainerSpec>;
  /** YAML syntax errors. */
  syntax: FileError[];
  /** Other errors of the files (not a compose file, limits). */
  errors: FileError[];
}

/**
 * Read a compose file as `docker compose` does for `up` (with its override file, or with the -f files
 * given, `extends`, `<<` merges and interpolation from the environment and `.env`) and resolve every
 * service to what it runs.
 */
export function resolveComposeFile(file: string, opts: ComposeOptions = {}): ComposeResolution | undefined {
  const store = new DocumentStore();
  const abs = path.resolve(file);
  const doc = store.read(abs, 'compose');
  if (!doc) return undefined;
  // An override file given alone goes with its base, as compose reads it.
  const base = baseOf(abs);
  const first = base ? (store.read(base, 'compose') ?? doc) : doc;
  const project = projectDocs(first, store, opts) ?? { docs: [first], errors: [] };
  const lp = loadProject(project.docs, store, opts);
  const out: ComposeResolution = { files: project.docs.map((d) => d.absPath ?? d.file), services: new Map(), syntax: [], errors: [...project.errors] };
  if (!lp) return out;
  out.syntax.push(...lp.p.syntax);
  out.errors.push(...lp.fileErrors.filter((e) => !lp.p.syntax.includes(e)));
  for (const name of lp.names) {
    const errors: FileError[] = [];
    lp.p.sink = errors;
    try {
      out.services.set(name, specOfService(readService(lp.p, name, layersOf(lp, name)), errors));
    } catch (err) {
      if (!(err instanceof YamlLimitError)) throw err;
      const f = lp.files.find((x) => x.services.has(name));
      out.services.set(name, {
        name,
        label: `service ${name}`,
        platform: 'compose',
        env: {},
        init: false,
        notes: [],
        graceSeconds: DEFAULT_COMPOSE_GRACE,
        graceExplicit: false,
        errors: [errorAt(f?.doc ?? lp.first, f?.services.get(name)?.key.range?.[0], err.message)],
      });
    } finally {
      lp.p.sink = undefined;
    }
  }
  return out;
}

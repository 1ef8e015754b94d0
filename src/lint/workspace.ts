/**
 * Linting a workspace as it is edited (the language server's model): documents open in an editor are
 * read from their unsaved text, everything else from disk. A file's findings come from the files that
 * launch it: an entrypoint script is linted through the Dockerfiles that COPY it, a Dockerfile also
 * through the compose files and manifests that build or run it. So the workspace keeps, for every root
 * (a Dockerfile, compose file or manifest), the files its last lint read; an edit re-lints only the roots
 * that read the edited file. The index of roots is built by a walk that pauses between directories and
 * files, so a caller can serve requests while a big workspace is indexed.
 */
import path from 'node:path';
import { displayPath, makeDocument, type Document, type DocumentKind, type FileError } from '../document/document.js';
import { DocumentStore } from '../document/store.js';
import type { Finding } from '../rules/contract.js';
import { isDockerfileName, isTemplate, looksLikeKubernetes } from '../sources/kinds.js';
import { isComposeFileName } from '../sources/compose/files.js';
import { isShellScript } from '../sources/script.js';
import { loadWantedGrammars } from '../sources/grammars.js';
import { discoverSteps } from '../sources/walk.js';
import { Linter, type EngineOptions } from './engine.js';

/** Kinds whose files launch something by themselves (a script is launched by one of these). */
const ROOT_KINDS: ReadonlySet<DocumentKind> = new Set(['dockerfile', 'compose', 'kubernetes']);

/** A document store that prefers unsaved text and records which files each lint reads. */
class OverlayStore extends DocumentStore {
  reads: Set<string> | undefined;
  constructor(private readonly overlays: ReadonlyMap<string, string>) {
    super();
  }

  override read(absPath: string, kind: DocumentKind): Document | undefined {
    this.reads?.add(absPath);
    const text = this.overlays.get(absPath);
    if (text === undefined) return super.read(absPath, kind);
    const have = this.byPath(displayPath(absPath));
    if (have && have.absPath === absPath) return have;
    const doc = makeDocument(displayPath(absPath), text, kind, absPath);
    this.add(doc);
    return doc;
  }
}

/** The findings and file errors of one file, with the document they were computed on. */
export interface FileLint {
  doc: Document;
  findings: Finding[];
  errors: FileError[];
}

export interface WorkspaceLint {
  /** By absolute path: every file a finding or file error landed in. */
  files: Map<string, FileLint>;
  /** Documents read, by display path (to place related locations and fix edits). */
  docs: Map<string, Document>;
  /** How many roots (and lone scripts) were linted. */
  roots: number;
}

/** Which reader an open document goes to, from its path and text; undefined: pid1 does not read it. */
export function kindOfText(absPath: string, text: string, languageId?: string): DocumentKind | undefined {
  const name = path.basename(absPath);
  if (isDockerfileName(name) || languageId === 'dockerfile') return 'dockerfile';
  if (/\.ya?ml$/i.test(name) || languageId === 'yaml' || languageId === 'dockercompose') {
    if (isComposeFileName(name) || languageId === 'dockercompose') return 'compose';
    if (looksLikeKubernetes(text) && !isTemplate(text)) return 'kubernetes';
    return /^services:[ \t]*(#.*)?$/m.test(text) ? 'compose' : undefined;
  }
  if (isShellScript(name, text) || languageId === 'shellscript') return 'script';
  return undefined;
}

interface WorkspaceOptions {
  /** The workspace folder (the walk starts here). */
  root: string;
  engine: EngineOptions;
  /** gitignore-style patterns (the config's `ignore`). */
  ignore?: readonly string[];
}

export class Workspace {
  /** Unsaved text of open documents, by absolute path. */
  private readonly overlays = new Map<string, string>();
  private readonly overlayKinds = new Map<string, DocumentKind>();
  /** Roots found on disk or opened, and their kind. */
  private readonly roots = new Map<string, DocumentKind>();
  /** Root -> the files its last lint read (itself included); and the reverse. */
  private readonly deps = new Map<string, Set<string>>();
  private readonly rdeps = new Map<string, Set<string>>();
  indexed = false;

  constructor(private opts: WorkspaceOptions) {}

  /** New engine options (the config changed): the graph stays, findings are recomputed by the caller. */
  configure(opts: WorkspaceOptions): void {
    this.opts = opts;
  }

  /**
   * An editor opened or changed a document: lint from this text from now on. `kind` undefined: a file pid1
   * does not lint by itself (a program's source, a config file) but reads when a launch runs it.
   */
  setOverlay(absPath: string, text: string, kind: DocumentKind | undefined): void {
    this.overlays.set(absPath, text);
    if (kind) this.overlayKinds.set(absPath, kind);
    else this.overlayKinds.delete(absPath);
    if (kind && ROOT_KINDS.has(kind)) this.roots.set(absPath, kind);
  }

  /** Whether pid1 has anything to say about this file: it lints it, or a launch reads it. */
  concerns(absPath: string): boolean {
    return this.overlayKinds.has(absPath) || this.rootsOf(absPath).length > 0;
  }

  /** The editor closed it: the file on disk counts again (a root it is when the walk found it, or it exists). */
  removeOverlay(absPath: string): void {
    this.overlays.delete(absPath);
    this.overlayKinds.delete(absPath);
  }

  /** A file changed, appeared or vanished on disk. */
  fileChanged(absPath: string, kind: DocumentKind | undefined, deleted: boolean): void {
    if (deleted) {
      if (!this.overlays.has(absPath)) this.forgetRoot(absPath);
    } else if (kind && ROOT_KINDS.has(kind)) {
      this.roots.set(absPath, kind);
    }
  }

  private forgetRoot(absPath: string): void {
    if (!this.roots.delete(absPath)) return;
    for (const f of this.deps.get(absPath) ?? []) this.rdeps.get(f)?.delete(absPath);
    this.deps.delete(absPath);
  }

  get rootCount(): number {
    return this.roots.size;
  }

  isOpen(absPath: string): boolean {
    return this.overlays.has(absPath);
  }

  openFiles(): string[] {
    return [...this.overlays.keys()];
  }

  /** The roots whose lint places findings in this file: itself, when it is one, and every root that read it. */
  rootsOf(absPath: string): string[] {
    const out = new Set<string>(this.rdeps.get(absPath) ?? []);
    if (this.roots.has(absPath)) out.add(absPath);
    return [...out];
  }

  /** Open documents whose findings may change when this file changes (itself included, when open). */
  affectedOpen(absPath: string): string[] {
    const roots = new Set(this.rootsOf(absPath));
    const out = new Set<string>();
    if (this.overlays.has(absPath)) out.add(absPath);
    for (const r of roots) for (const f of this.deps.get(r) ?? [r]) if (this.overlays.has(f)) out.add(f);
    return [...out];
  }

  private record(root: string, reads: Set<string>): void {
    for (const f of this.deps.get(root) ?? []) this.rdeps.get(f)?.delete(root);
    reads.add(root);
    this.deps.set(root, reads);
    for (const f of reads) {
      let s = this.rdeps.get(f);
      if (!s) this.rdeps.set(f, (s = new Set()));
      s.add(root);
    }
  }

  /**
   * Lint what decides the findings of these files, from unsaved text where there is some, and return the
   * findings of every file the lint reached. A script no root reads is linted on its own (as
   * `pid1 lint entrypoint.sh` would).
   */
  lintFor(files: readonly string[]): WorkspaceLint {
    const roots = new Set<string>();
    for (const f of files) for (const r of this.rootsOf(f)) roots.add(r);
    const { store, linter } = this.session();
    let linted = 0;
    for (const r of roots) if (this.lintRoot(r, store, linter)) linted++;
    // scripts that no root reads (also after this lint): on their own
    for (const f of files) {
      if (this.rootsOf(f).length || this.overlayKinds.get(f) !== 'script') continue;
      const doc = store.read(f, 'script');
      if (doc) {
        linter.lint(doc);
        linted++;
      }
    }
    const result = linter.result();
    const out: WorkspaceLint = { files: new Map(), docs: result.docs, roots: linted };
    const docOf = (file: string): Document | undefined => result.docs.get(file) ?? store.byPath(file);
    for (const fr of result.files) {
      for (const x of [...fr.findings]) {
        const doc = docOf(x.file);
        if (!doc?.absPath) continue;
        slot(out, doc).findings.push(x);
      }
      for (const e of fr.errors) {
        const doc = docOf(e.file);
        if (doc?.absPath) slot(out, doc).errors.push(e);
      }
    }
    for (const d of store.all()) if (!out.docs.has(d.file)) out.docs.set(d.file, d);
    return out;
  }

  /**
   * lintFor, with the program-source grammars (Python, JavaScript, Go) the lint asked for loaded: a
   * grammar loads on first use, then the lint runs again, as `pid1 lint` does.
   */
  async lintForLoaded(files: readonly string[]): Promise<WorkspaceLint> {
    const first = this.lintFor(files);
    return (await loadWantedGrammars()) ? this.lintFor(files) : first;
  }

  /**
   * Walk the workspace for roots and lint each once, to learn which files they read. Calls `pause` after
   * every `sliceMs` of work and waits for it (the server answers requests meanwhile); `progress` is told
   * how many roots are known and linted.
   */
  async index(pause: () => Promise<void>, progress?: (done: number, found: number) => void, sliceMs = 20): Promise<void> {
    let t = Date.now();
    const maybePause = async (): Promise<void> => {
      if (Date.now() - t < sliceMs) return;
      await pause();
      t = Date.now();
    };
    const found: string[] = [];
    for (const f of discoverSteps([this.opts.root], this.opts.ignore ?? [], process.cwd())) {
      if (f && ROOT_KINDS.has(f.kind)) {
        if (!this.roots.has(f.abs)) this.roots.set(f.abs, f.kind);
        found.push(f.abs);
      }
      await maybePause();
    }
    // lint in slices, one document store per slice (directory listings and shared scripts read once)
    let i = 0;
    while (i < found.length) {
      const sliceStart = Date.now();
      const { store, linter } = this.session();
      while (i < found.length && Date.now() - sliceStart < sliceMs) {
        const r = found[i++] as string;
        // a root linted since (opened and edited) already has a fresh graph
        if (!this.deps.has(r)) this.lintRoot(r, store, linter);
      }
      progress?.(i, found.length);
      await pause();
      t = Date.now();
    }
    this.indexed = true;
  }

  private session(): { store: OverlayStore; linter: Linter } {
    const store = new OverlayStore(this.overlays);
    return { store, linter: new Linter(this.opts.engine, store) };
  }

  /** Lint one root, recording what it reads; false when it cannot be read (and is not open). */
  private lintRoot(r: string, store: OverlayStore, linter: Linter): boolean {
    const kind = this.roots.get(r);
    if (!kind) return false;
    const reads = new Set<string>();
    store.reads = reads;
    const doc = store.read(r, kind);
    try {
      if (doc) linter.lint(doc);
    } finally {
      store.reads = undefined;
    }
    if (!doc && !this.overlays.has(r)) {
      this.forgetRoot(r);
      return false;
    }
    this.record(r, reads);
    return doc !== undefined;
  }
}

function slot(out: WorkspaceLint, doc: Document): FileLint {
  const abs = doc.absPath as string;
  let s = out.files.get(abs);
  if (!s) out.files.set(abs, (s = { doc, findings: [], errors: [] }));
  return s;
}

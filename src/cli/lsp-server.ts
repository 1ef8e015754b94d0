/**
 * `pid1 lsp --stdio`: the language server. Wiring between vscode-languageserver (the protocol, text
 * synchronisation) and the lint workspace (src/lint/workspace.ts: unsaved text over the files on disk,
 * and which files each Dockerfile, compose file or manifest reads). Edits are debounced; an edit re-lints
 * only the roots that read the edited file; the workspace is indexed in slices between requests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type Range as LspRange,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Document } from '../document/document.js';
import { planFixes } from '../lint/apply.js';
import { CONFIG_NAMES, emptyConfig, findConfig, loadConfig, type LintConfig } from '../lint/config.js';
import { Workspace, kindOfText, type WorkspaceLint } from '../lint/workspace.js';
import { loadShellParser } from '../model/shell.js';
import type { Finding } from '../rules/contract.js';
import { isDockerfileName, walkedYamlKind } from '../sources/kinds.js';
import { fileErrorDiagnostic, fileUri, fixEdit, hover, quickFix, toDiagnostic } from '../report/lint-lsp.js';
import { messageOf } from '../util/errors.js';
import { packageVersion } from './version.js';

/** Quiet time after the last keystroke before a document is linted again. */
const DEBOUNCE_MS = 200;

const FIX_ALL = `${CodeActionKind.SourceFixAll}.pid1`;

interface Published {
  version: number | undefined;
  /** The documents the findings were computed on (fix edits are offsets into them). */
  docs: ReadonlyMap<string, Document>;
  entries: { diagnostic: Diagnostic; finding?: Finding; edit?: WorkspaceEdit }[];
}

function pathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function overlapsRange(a: LspRange, b: LspRange): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export function startLanguageServer(): Connection {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  let workspace: Workspace | undefined;
  let root = process.cwd();
  let watchDynamic = false;
  let shuttingDown = false;
  const uriOf = new Map<string, string>();
  const published = new Map<string, Published>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let flushing = false;

  const log = (s: string): void => connection.console.log(`pid1: ${s}`);

  function readConfig(): { cfg: LintConfig; file?: string } {
    const file = findConfig(root);
    if (!file) return { cfg: emptyConfig() };
    try {
      return { cfg: loadConfig(file), file };
    } catch (err) {
      void connection.window.showErrorMessage(`pid1: ${messageOf(err)}; linting without it`);
      return { cfg: emptyConfig() };
    }
  }

  function configure(): void {
    const { cfg } = readConfig();
    const opts = { root, ignore: cfg.ignore, engine: { rules: cfg.rules, images: cfg.images, buildArgs: cfg.buildArgs, ...(cfg.target ? { target: cfg.target } : {}) } };
    if (workspace) workspace.configure(opts);
    else workspace = new Workspace(opts);
  }

  function publish(abs: string, lint: WorkspaceLint | undefined, version: number | undefined): void {
    const uri = uriOf.get(abs) ?? fileUri(abs);
    const fl = lint?.files.get(abs);
    const docOf = (file: string): Document | undefined => lint?.docs.get(file);
    const absOf = (file: string): string | undefined => docOf(file)?.absPath ?? (path.isAbsolute(file) ? file : path.resolve(file));
    const entries: Published['entries'] = [];
    for (const f of fl?.findings ?? []) {
      const diagnostic = toDiagnostic(f, absOf);
      const edit = f.fix ? fixEdit(f.fix, docOf) : undefined;
      entries.push({ diagnostic, finding: f, ...(edit ? { edit } : {}) });
    }
    for (const e of fl?.errors ?? []) entries.push({ diagnostic: fileErrorDiagnostic(e) });
    published.set(uri, { version, docs: lint?.docs ?? new Map(), entries });
    void connection.sendDiagnostics({ uri, ...(version !== undefined ? { version } : {}), diagnostics: entries.map((x) => x.diagnostic) });
  }

  const versionOf = (abs: string): number | undefined => documents.get(uriOf.get(abs) ?? fileUri(abs))?.version;

  /** Lint what the changed files affect, and publish for every open document whose findings may change. */
  async function flush(): Promise<void> {
    timer = undefined;
    if (!workspace || shuttingDown) return;
    // one lint at a time (a grammar may load in between): changes that come meanwhile wait for the next
    if (flushing) {
      timer ??= setTimeout(runFlush, DEBOUNCE_MS);
      return;
    }
    flushing = true;
    try {
      const ws = workspace;
      const changed = [...pending];
      pending.clear();
      const affected = (): Set<string> => new Set(changed.flatMap((c) => ws.affectedOpen(c)));
      const targets = affected();
      if (!targets.size) return;
      const started = Date.now();
      // the versions the lint reads (the overlays are the texts of these versions)
      const versions = new Map([...targets].map((f) => [f, versionOf(f)]));
      let lint = await ws.lintForLoaded([...targets]);
      // the lint may have changed what reads what (a COPY added): documents newly affected are linted too
      const after = affected();
      if ([...after].some((f) => !targets.has(f))) {
        for (const f of after)
          if (!targets.has(f)) {
            targets.add(f);
            versions.set(f, versionOf(f));
          }
        lint = await ws.lintForLoaded([...targets]);
      }
      for (const f of targets) if (ws.isOpen(f) && (ws.concerns(f) || published.has(uriOf.get(f) ?? fileUri(f)))) publish(f, lint, versions.get(f));
      log(`linted ${lint.roots} root(s) for ${[...targets].map((f) => path.relative(root, f)).join(', ')} in ${Date.now() - started} ms`);
    } finally {
      flushing = false;
    }
  }

  /** Resolves when no lint is running. */
  async function idle(): Promise<void> {
    while (flushing) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  function runFlush(): void {
    flush().catch((err: unknown) => log(`internal error: ${messageOf(err)}`));
  }

  function schedule(abs: string, delay: number): void {
    pending.add(abs);
    if (timer) clearTimeout(timer);
    timer = setTimeout(runFlush, delay);
  }

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const rootPath = folder ? pathOf(folder) : undefined;
    if (rootPath && fs.existsSync(rootPath)) {
      root = rootPath;
      // display paths, config lookup and relative COPY sources behave as `pid1 lint` run at the root
      process.chdir(root);
    }
    watchDynamic = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    await loadShellParser();
    configure();
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL] },
        hoverProvider: true,
      },
      serverInfo: { name: 'pid1', version: packageVersion() },
    };
  });

  connection.onInitialized(() => {
    if (watchDynamic) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*' }] });
    const ws = workspace;
    if (!ws) return;
    const started = Date.now();
    void ws
      .index(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => {
        // scripts opened before the index knew which Dockerfile runs them: lint them through it now
        for (const f of ws.openFiles()) pending.add(f);
        if (timer) clearTimeout(timer);
        return idle()
          .then(() => {
            // this flush covers every open document: a deferred one has nothing left to do
            if (timer) clearTimeout(timer);
            return flush();
          })
          .then(() => log(`indexed ${path.basename(root)} (${ws.rootCount} roots) in ${Date.now() - started} ms`));
      })
      .catch((err: unknown) => log(`indexing failed: ${messageOf(err)}`));
  });

  documents.onDidOpen((e) => {
    const abs = pathOf(e.document.uri);
    if (!abs || !workspace) return;
    uriOf.set(abs, e.document.uri);
  });

  documents.onDidChangeContent((e) => {
    const abs = pathOf(e.document.uri);
    if (!abs || !workspace) return;
    uriOf.set(abs, e.document.uri);
    const text = e.document.getText();
    // every open document counts with its unsaved text: also a program's source that a launch reads
    const kind = kindOfText(abs, text, e.document.languageId);
    const first = !workspace.isOpen(abs);
    workspace.setOverlay(abs, text, kind);
    // the first version is linted at once; edits wait for a pause in typing
    schedule(abs, first ? 0 : DEBOUNCE_MS);
  });

  documents.onDidClose((e) => {
    const abs = pathOf(e.document.uri);
    if (!abs || !workspace) return;
    workspace.removeOverlay(abs);
    published.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    uriOf.delete(abs);
    // the file on disk counts again for the documents still open
    schedule(abs, DEBOUNCE_MS);
  });

  connection.onDidChangeWatchedFiles((p) => {
    const ws = workspace;
    if (!ws) return;
    for (const c of p.changes) {
      const abs = pathOf(c.uri);
      if (!abs) continue;
      if (CONFIG_NAMES.includes(path.basename(abs))) {
        configure();
        for (const f of ws.openFiles()) pending.add(f);
        schedule(abs, DEBOUNCE_MS);
        continue;
      }
      const deleted = c.type === FileChangeType.Deleted;
      const kind = deleted ? undefined : isDockerfileName(path.basename(abs)) ? 'dockerfile' : /\.ya?ml$/i.test(abs) ? walkedYamlKind(abs) : undefined;
      ws.fileChanged(abs, kind, deleted);
      schedule(abs, DEBOUNCE_MS);
    }
  });

  connection.onCodeAction((p) => {
    const state = published.get(p.textDocument.uri);
    const doc = documents.get(p.textDocument.uri);
    // findings of an older version: their edits would land in the wrong place; new ones are on the way
    if (!state || (doc && state.version !== doc.version)) return [];
    const only = p.context.only;
    const wants = (kind: string): boolean => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      for (const x of state.entries) if (x.edit && x.finding?.fix && overlapsRange(x.diagnostic.range, p.range)) actions.push(quickFix(x.finding.fix, x.diagnostic, x.edit));
    }
    const fixable = state.entries.filter((x) => x.edit && x.finding?.fix);
    if (fixable.length && wants(FIX_ALL) && (only || fixable.length > 1)) {
      // every safe fix of the file that fits with the others (as `pid1 lint --fix` chooses them)
      const findings = fixable.map((x) => x.finding as Finding);
      const chosen = new Set(planFixes(findings, (file) => state.docs.get(file)?.text).flatMap((plan) => plan.fixes));
      const changes: Record<string, NonNullable<WorkspaceEdit['changes']>[string]> = {};
      for (const x of fixable) {
        if (!x.finding?.fix || !chosen.has(x.finding.fix)) continue;
        for (const [uri, edits] of Object.entries(x.edit?.changes ?? {})) (changes[uri] ??= []).push(...edits);
      }
      actions.push({ title: 'pid1: apply every safe fix in this file', kind: FIX_ALL, edit: { changes } });
    }
    return actions;
  });

  connection.onHover((p) => {
    const state = published.get(p.textDocument.uri);
    const at = { start: p.position, end: p.position };
    const x = state?.entries.find((e) => e.finding && overlapsRange(e.diagnostic.range, at));
    return x?.finding ? hover(x.finding, x.diagnostic.range) : null;
  });

  connection.onShutdown(() => {
    shuttingDown = true;
    if (timer) clearTimeout(timer);
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}

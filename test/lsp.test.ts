/**
 * `pid1 lsp --stdio` driven by a real LSP client over stdio (vscode-jsonrpc's message connection, the
 * transport VS Code's client uses): initialize, didOpen, didChange (diagnostics follow the unsaved text),
 * codeAction (the edit fixes the text), hover, cross-file launches (a script linted through the
 * Dockerfile that COPYs it), debouncing, linting only what an edit affects, a big workspace indexed
 * without holding up the documents being edited, shutdown/exit.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import type { CodeAction, Diagnostic, Hover, PublishDiagnosticsParams, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CLI } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/exec.js';

function tree(files: Record<string, string>): string {
  const dir = tempDir('pid1-lsp-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A client session: the server process, the connection, and what the server sent. */
class Client {
  readonly child: ChildProcess;
  readonly conn: MessageConnection;
  /** Every publishDiagnostics, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** window/logMessage texts and when they came (index in `published` at that time). */
  readonly logs: { text: string; published: number }[] = [];
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  exitCode: Promise<number | null>;

  constructor(readonly root: string) {
    this.child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exitCode = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.conn = createMessageConnection(new StreamMessageReader(this.child.stdout as NodeJS.ReadableStream), new StreamMessageWriter(this.child.stdin as NodeJS.WritableStream));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push({ text: p.message, published: this.published.length });
    });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/showMessageRequest', () => null);
    this.conn.listen();
  }

  uri(name: string): string {
    return pathToFileURL(path.join(this.root, name)).href;
  }

  async initialize(): Promise<{ capabilities: Record<string, unknown>; serverInfo?: { name: string } }> {
    const r = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(this.root).href,
      workspaceFolders: [{ uri: pathToFileURL(this.root).href, name: path.basename(this.root) }],
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true } } },
    });
    await this.conn.sendNotification('initialized', {});
    return r as { capabilities: Record<string, unknown>; serverInfo?: { name: string } };
  }

  async open(name: string, text: string, languageId = 'plaintext'): Promise<void> {
    this.versions.set(name, 1);
    this.texts.set(name, text);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: this.uri(name), languageId, version: 1, text } });
  }

  /** Replace the whole text (a full-content change event). */
  async change(name: string, text: string): Promise<number> {
    const version = (this.versions.get(name) ?? 0) + 1;
    this.versions.set(name, version);
    this.texts.set(name, text);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: this.uri(name), version }, contentChanges: [{ text }] });
    return version;
  }

  text(name: string): string {
    return this.texts.get(name) ?? '';
  }

  version(name: string): number {
    return this.versions.get(name) ?? 0;
  }

  /** The diagnostics published for this file's current version (waits for them). */
  diagnostics(name: string, version = this.version(name)): Promise<Diagnostic[]> {
    const uri = this.uri(name);
    return waitFor(
      `diagnostics for ${name} v${version}`,
      () => {
        for (let i = this.published.length - 1; i >= 0; i--) {
          const p = this.published[i] as PublishDiagnosticsParams;
          if (p.uri === uri) return p.version === version ? p.diagnostics : undefined;
        }
        return undefined;
      },
      15_000,
    );
  }

  async codeActions(name: string, d: Diagnostic): Promise<CodeAction[]> {
    return this.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: this.uri(name) }, range: d.range, context: { diagnostics: [d] } });
  }

  async close(): Promise<number | null> {
    await this.conn.sendRequest('shutdown');
    await this.conn.sendNotification('exit');
    const code = await this.exitCode;
    this.conn.dispose();
    return code;
  }
}

/** A diagnostic's message (LSP 3.18 allows markup). */
function text(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

/** Apply one file's edits of a WorkspaceEdit to a text. */
function applyEdit(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'x', 1, text), edits);
}

test('LSP: diagnostics follow unsaved edits; code, rule page, why chain and hover; the quick fix fixes the text; shutdown and exit', async () => {
  const root = tree({ Dockerfile: 'FROM python:3.12-slim\nENTRYPOINT ["gunicorn", "app:app"]\n' });
  const c = new Client(root);
  try {
    const init = await c.initialize();
    assert.equal(init.serverInfo?.name, 'pid1');
    assert.ok(init.capabilities.codeActionProvider && init.capabilities.hoverProvider);
    // the editor's text, not the file on disk (which is fine)
    await c.open('Dockerfile', 'FROM python:3.12-slim\nENTRYPOINT gunicorn app:app\n', 'dockerfile');
    const [d, ...rest] = await c.diagnostics('Dockerfile');
    assert.ok(d);
    assert.deepEqual(rest, []);
    assert.equal(d.code, 'shell-pid1');
    assert.equal(d.severity, 1);
    assert.equal(d.source, 'pid1');
    assert.deepEqual(d.range, { start: { line: 1, character: 11 }, end: { line: 1, character: 27 } });
    assert.match(text(d), /^PID 1 is `dash -c`.*\nwhy: \/bin\/sh: dash.*\n.*SIGTERM -> PID 1 dash/s);
    // codeDescription links the rule page, a file that exists
    const href = d.codeDescription?.href ?? '';
    assert.match(href, /^file:\/\/.*\/docs\/rules\/shell-pid1\.md$/);
    assert.match(fs.readFileSync(fileURLToPath(href), 'utf8'), /^# shell-pid1/m);
    const h = await c.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: c.uri('Dockerfile') }, position: { line: 1, character: 15 } });
    assert.match(JSON.stringify(h?.contents), /Why:.*SIGTERM -> PID 1 dash/);
    assert.equal(await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: c.uri('Dockerfile') }, position: { line: 0, character: 2 } }), null);

    // the quick fix: its edit turns the text into the exec form, and the diagnostics go away
    const actions = await c.codeActions('Dockerfile', d);
    const fix = actions.find((a) => a.kind === 'quickfix');
    assert.ok(fix?.edit?.changes, JSON.stringify(actions));
    assert.deepEqual(
      fix.diagnostics?.map((x) => x.code),
      ['shell-pid1'],
    );
    const fixed = applyEdit(c.text('Dockerfile'), fix.edit.changes[c.uri('Dockerfile')] ?? []);
    assert.equal(fixed, 'FROM python:3.12-slim\nENTRYPOINT ["gunicorn", "app:app"]\n');
    await c.change('Dockerfile', fixed);
    assert.deepEqual(await c.diagnostics('Dockerfile'), []);

    // an edit that breaks it again: the diagnostic comes back
    await c.change('Dockerfile', 'FROM debian\nCMD svc --port 80\n');
    const again = await c.diagnostics('Dockerfile');
    assert.deepEqual(
      again.map((x) => x.code),
      ['shell-pid1'],
    );
    assert.match(text(again[0] as Diagnostic), /the shell form of CMD/);
    // right after an edit, the old findings' fixes are not offered (their positions point into text that
    // changed); once the new version is linted, the fix is there at the new place
    await c.change('Dockerfile', '# svc\nFROM debian\nCMD svc --port 80\n');
    assert.deepEqual(await c.codeActions('Dockerfile', again[0] as Diagnostic), []);
    const moved = await c.diagnostics('Dockerfile');
    const later = (await c.codeActions('Dockerfile', moved[0] as Diagnostic)).find((a) => a.kind === 'quickfix');
    assert.equal(applyEdit(c.text('Dockerfile'), later?.edit?.changes?.[c.uri('Dockerfile')] ?? []), '# svc\nFROM debian\nCMD ["svc", "--port", "80"]\n');
    // source.fixAll (as an editor asks for it on save): every safe fix of the file at once
    await c.change('Dockerfile', 'FROM debian\nSTOPSIGNAL SIGTERM\nCMD svc\n');
    assert.equal((await c.diagnostics('Dockerfile')).length, 1);
    const all = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: c.uri('Dockerfile') },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.deepEqual(
      all.map((a) => a.kind),
      ['source.fixAll.pid1'],
    );
    assert.equal(applyEdit(c.text('Dockerfile'), all[0]?.edit?.changes?.[c.uri('Dockerfile')] ?? []), 'FROM debian\nSTOPSIGNAL SIGTERM\nCMD ["svc"]\n');
    assert.equal(await c.close(), 0);
  } finally {
    c.child.kill();
  }
});

test('LSP: an entrypoint script is linted through the Dockerfile that COPYs it, from the unsaved text; related information points at the launch', async () => {
  const root = tree({
    Dockerfile: 'FROM python:3.12-slim\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
    'entrypoint.sh': '#!/bin/sh\nset -e\nexec gunicorn app:app\n',
    'tools/helper.sh': '#!/bin/sh\nsleep 1\n',
  });
  const c = new Client(root);
  try {
    await c.initialize();
    // on disk the script execs; the editor's text does not
    await c.open('entrypoint.sh', '#!/bin/sh\nset -e\ngunicorn app:app\n', 'shellscript');
    const diags = await waitFor(
      'script-no-exec through the Dockerfile',
      async () => {
        const ds = await c.diagnostics('entrypoint.sh');
        // (opened before the index knew which Dockerfile runs it, it is first linted on its own)
        return ds.some((x) => x.code === 'script-no-exec' && x.relatedInformation?.some((r) => r.location.uri === c.uri('Dockerfile'))) ? ds : undefined;
      },
      15_000,
    );
    const d = diags.find((x) => x.code === 'script-no-exec') as Diagnostic;
    assert.match(text(d), /entrypoint\.sh runs `gunicorn` without exec: the script's shell \(dash\)/);
    assert.deepEqual(
      d.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]),
      [[c.uri('Dockerfile'), 2]],
    );
    const fix = (await c.codeActions('entrypoint.sh', d)).find((a) => a.kind === 'quickfix');
    const fixed = applyEdit(c.text('entrypoint.sh'), fix?.edit?.changes?.[c.uri('entrypoint.sh')] ?? []);
    assert.equal(fixed, '#!/bin/sh\nset -e\nexec gunicorn app:app\n');
    await c.change('entrypoint.sh', fixed);
    assert.deepEqual(await c.diagnostics('entrypoint.sh'), []);

    // the Dockerfile open too: switching it to another base image changes the script's verdict (busybox ash
    // does not exec a script's last command either; the message names the shell)
    await c.change('entrypoint.sh', '#!/bin/sh\nset -e\ngunicorn app:app\n');
    await c.diagnostics('entrypoint.sh');
    await c.open('Dockerfile', 'FROM alpine:3.20\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n', 'dockerfile');
    const viaAlpine = await waitFor(
      'the script re-linted after the Dockerfile changed',
      async () => {
        const p = [...c.published].reverse().find((x) => x.uri === c.uri('entrypoint.sh'));
        const found = p?.diagnostics.find((x) => x.code === 'script-no-exec');
        const msg = found ? text(found) : '';
        return /shell \(ash\)/.test(msg) ? msg : undefined;
      },
      15_000,
    );
    assert.match(viaAlpine, /why: \/bin\/sh: ash \(Alpine-based/);

    // a script no Dockerfile runs is linted on its own (as `pid1 lint tools/helper.sh`)
    await c.open('tools/helper.sh', '#!/bin/sh\nsleep 1\n', 'shellscript');
    await c.diagnostics('tools/helper.sh');
    assert.equal(await c.close(), 0);
  } finally {
    c.child.kill();
  }
});

test("LSP: a program source open in the editor decides the Dockerfile's verdict (its grammar loaded on first use)", async () => {
  const root = tree({
    Dockerfile: 'FROM python:3.12-slim\nCOPY app.py /app.py\nCMD ["python", "/app.py"]\n',
    'app.py': 'import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))\nwhile True:\n    time.sleep(1)\n',
  });
  const c = new Client(root);
  try {
    await c.initialize();
    await c.open('Dockerfile', 'FROM python:3.12-slim\nCOPY app.py /app.py\nCMD ["python", "/app.py"]\n', 'dockerfile');
    assert.deepEqual(await c.diagnostics('Dockerfile'), [], 'app.py on disk handles SIGTERM');
    // the handler deleted in the editor, not saved: the Dockerfile's launch loses the stop signal
    await c.open('app.py', 'import time\nwhile True:\n    time.sleep(1)\n', 'python');
    const lost = await waitFor(
      'service-no-handler on the Dockerfile',
      () => {
        const p = [...c.published].reverse().find((x) => x.uri === c.uri('Dockerfile'));
        return p?.diagnostics.some((d) => d.code === 'service-no-handler') ? p.diagnostics : undefined;
      },
      15_000,
    );
    assert.match(text(lost.find((d) => d.code === 'service-no-handler') as Diagnostic), /nothing in \/app\.py installs a SIGTERM handler/);
    await c.change('app.py', 'import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))\nwhile True:\n    time.sleep(1)\n');
    await waitFor(
      'the Dockerfile clean again',
      () => {
        const p = [...c.published].reverse().find((x) => x.uri === c.uri('Dockerfile'));
        return p && p.diagnostics.length === 0 ? true : undefined;
      },
      15_000,
    );
    assert.equal(await c.close(), 0);
  } finally {
    c.child.kill();
  }
});

test('LSP: compose files and Kubernetes manifests are linted as edited', async () => {
  const root = tree({ 'api/Dockerfile': 'FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n' });
  const c = new Client(root);
  try {
    await c.initialize();
    await c.open('compose.yaml', 'services:\n  web:\n    image: python:3.12-slim\n    command: sh -c "gunicorn app:app"\n', 'dockercompose');
    const compose = await c.diagnostics('compose.yaml');
    assert.ok(
      compose.some((d) => d.severity === 1 && d.range.start.line === 3),
      JSON.stringify(compose),
    );
    await c.open(
      'deploy.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: api\n    image: python:3.12-slim\n    command: ["sh", "-c", "gunicorn app:app"]\n',
      'yaml',
    );
    const k8s = await c.diagnostics('deploy.yaml');
    assert.ok(
      k8s.some((d) => d.severity === 1 && d.range.start.line === 8),
      JSON.stringify(k8s),
    );
    // a YAML file that is neither (a CI workflow) gets nothing
    await c.open('.github/workflows/ci.yml', 'on: push\njobs: {}\n', 'yaml');
    await c.change('compose.yaml', 'services:\n  web:\n    image: python:3.12-slim\n    command: ["gunicorn", "app:app"]\n');
    assert.deepEqual(await c.diagnostics('compose.yaml'), []);
    assert.ok(!c.published.some((p) => p.uri === c.uri('.github/workflows/ci.yml') && p.diagnostics.length));
    assert.equal(await c.close(), 0);
  } finally {
    c.child.kill();
  }
});

test('LSP: edits are debounced, and an edit lints only the roots that read the edited file', async () => {
  const root = tree({ 'a/Dockerfile': 'FROM debian\nCMD ["svc"]\n', 'b/Dockerfile': 'FROM debian\nCMD ["svc"]\n' });
  const c = new Client(root);
  try {
    await c.initialize();
    await c.open('a/Dockerfile', 'FROM debian\nCMD ["svc"]\n', 'dockerfile');
    await c.open('b/Dockerfile', 'FROM debian\nCMD ["svc"]\n', 'dockerfile');
    await c.diagnostics('a/Dockerfile');
    await c.diagnostics('b/Dockerfile');
    await waitFor('the index', () => (c.logs.some((l) => l.text.includes('indexed')) ? true : undefined));
    // and quiet: nothing published for half a second
    let seen = -1;
    await waitFor(
      'a quiet server',
      async () => {
        if (seen === c.published.length) return true;
        seen = c.published.length;
        await new Promise((r) => setTimeout(r, 500));
        return undefined;
      },
      15_000,
      0,
    );
    const before = c.published.length;
    const logsBefore = c.logs.length;
    // five keystrokes in a row: one lint, for the last version only
    for (const t of ['FROM debian\nCMD s', 'FROM debian\nCMD sv', 'FROM debian\nCMD svc', 'FROM debian\nCMD svc ', 'FROM debian\nCMD svc -x\n']) await c.change('a/Dockerfile', t);
    const last = await c.diagnostics('a/Dockerfile');
    assert.deepEqual(
      last.map((d) => d.code),
      ['shell-pid1'],
    );
    await new Promise((r) => setTimeout(r, 400));
    const after = c.published.slice(before);
    assert.deepEqual(
      after.map((p) => [path.relative(root, fileURLToPath(p.uri)), p.version]),
      [['a/Dockerfile', 6]],
      'one publish, for a/Dockerfile v6 only: b is not re-linted',
    );
    const lints = c.logs.slice(logsBefore).filter((l) => l.text.includes('linted'));
    assert.equal(lints.length, 1, JSON.stringify(lints));
    assert.match(lints[0]?.text ?? '', /linted 1 root\(s\) for a\/Dockerfile in/);
    assert.equal(await c.close(), 0);
  } finally {
    c.child.kill();
  }
});

test('LSP: a big workspace is indexed in slices: an opened document gets its diagnostics before the index is done', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 3000; i++) files[`svc${Math.floor(i / 50)}/s${i}/Dockerfile`] = `FROM debian\nCOPY run.sh /run.sh\nCMD ["/run.sh", "${i}"]\n`;
  files['svc0/s0/run.sh'] = '#!/bin/sh\nexec svc\n';
  const root = tree(files);
  const c = new Client(root);
  try {
    await c.initialize();
    const t0 = Date.now();
    await c.open('edit/Dockerfile', 'FROM python:3.12-slim\nENTRYPOINT gunicorn app:app\n', 'dockerfile');
    const d = await c.diagnostics('edit/Dockerfile');
    const firstMs = Date.now() - t0;
    assert.deepEqual(
      d.map((x) => x.code),
      ['shell-pid1'],
    );
    const indexed = await waitFor('the index', () => c.logs.find((l) => /indexed .* in \d+ ms/.test(l.text)), 60_000);
    const indexMs = Date.now() - t0;
    // the diagnostics were published before the index finished
    const firstPublish = c.published.findIndex((p) => p.uri === c.uri('edit/Dockerfile'));
    assert.ok(firstPublish >= 0 && firstPublish < indexed.published, `diagnostics at #${firstPublish}, index done at #${indexed.published}`);
    // while indexing, requests are still answered
    const h = await c.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: c.uri('edit/Dockerfile') }, position: { line: 1, character: 12 } });
    assert.ok(h);
    console.log(`# 3000 Dockerfiles: first diagnostics after ${firstMs} ms, index done after ${indexMs} ms`);
    assert.equal(await c.close(), 0);
  } finally {
    c.child.kill();
  }
});

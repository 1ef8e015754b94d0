/**
 * `pid1 lint` as a user runs it: discovery, exit codes, formats (JSON against docs/lint.schema.json,
 * SARIF 2.1.0 against the OASIS schema), suppression, config, --fix / --fix-dry-run, stdin, --target,
 * --probe-images against real local images.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { pid1 } from './helpers/cli.js';
import { requireDocker, testImage, cleanupDocker } from './helpers/docker.js';
import { tempDir } from './helpers/exec.js';

after(cleanupDocker);
const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const CLASSIC = 'FROM python:3.9-slim\nENTRYPOINT gunicorn -w 1 -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:80 app:app\n';

function tree(files: Record<string, string>): string {
  const dir = tempDir('pid1-lint-cli-');
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text, { mode: text.startsWith('#!') ? 0o755 : 0o644 });
  }
  return dir;
}

interface JsonOut {
  files: {
    file: string;
    kind: string;
    findings: { ruleId: string; severity: string; file: string; range: { start: { line: number } }; fix?: unknown }[];
    suppressed: { ruleId: string; suppressed?: { justification: string } }[];
    errors: { file: string; line?: number; message: string }[];
    launches: { outcome?: string }[];
  }[];
  summary: { errors: number; warnings: number; fileErrors: number; fixed: number; suppressed: number };
}

async function lintJson(args: string[], opts: { cwd?: string; input?: string } = {}): Promise<{ code: number; out: JsonOut; stderr: string }> {
  const r = await pid1(['lint', '--format', 'json', ...args], opts);
  let out: JsonOut;
  try {
    out = JSON.parse(r.stdout) as JsonOut;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, out, stderr: r.stderr };
}

test('walks a tree: Dockerfile names, .gitignore, node_modules; exit 1 on errors', async () => {
  const dir = tree({
    Dockerfile: CLASSIC,
    'svc/Dockerfile.prod': 'FROM alpine:3.20\nCMD svc --port 80\n',
    'web/app.Dockerfile': 'FROM debian:bookworm\nCMD ["sh", "-c", "svc"]\n',
    Containerfile: 'FROM fedora:40\nCMD svc\n',
    'node_modules/x/Dockerfile': CLASSIC,
    'ignored/Dockerfile': CLASSIC,
    '.gitignore': 'ignored/\n',
    'README.md': 'not a Dockerfile',
  });
  try {
    const { code, out } = await lintJson([], { cwd: dir });
    assert.equal(code, 1);
    assert.deepEqual(out.files.map((f) => f.file).sort(), ['Containerfile', 'Dockerfile', 'svc/Dockerfile.prod', 'web/app.Dockerfile']);
    assert.equal(out.summary.errors, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('exit 0 when clean, 1 for a file that cannot be linted, 2 on usage errors (one line)', async () => {
  const dir = tree({ Dockerfile: 'FROM debian:bookworm\nCMD ["svc"]\n' });
  try {
    const ok = await pid1(['lint', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /no problems in 1 file/);
    const none = await pid1(['lint', path.join(dir, 'nope')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^pid1: .*nope: no such file or directory\n$/);
    const empty = tree({ 'a.txt': 'x' });
    const r = await pid1(['lint', empty]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pid1: (nothing to lint|no Dockerfiles found) in /);
    fs.rmSync(empty, { recursive: true, force: true });
    const bad = await pid1(['lint', '--format', 'xml', dir]);
    assert.equal(bad.code, 2);
    // One line, not the whole help after it.
    assert.equal(bad.stderr, "pid1: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are pretty, json, sarif, github, gitlab, codeclimate. (pid1 lint --help)\n");
    assert.equal(bad.stdout, '');
    // A binary or too-large file is a file error in the report: exit 1, alone or with others (docs/lint.md).
    const bin = tree({ Dockerfile: 'FROM x\0\0\0', 'big/Dockerfile': `FROM x\nLABEL a=${'x'.repeat(8 * 1024 * 1024)}\n`, 'ok/Dockerfile': 'FROM debian:bookworm\nCMD ["svc"]\n' });
    for (const files of [['Dockerfile'], ['big/Dockerfile'], ['Dockerfile', 'ok/Dockerfile'], ['big/Dockerfile', 'ok/Dockerfile']]) {
      const b = await pid1(['lint', ...files.map((f) => path.join(bin, f))]);
      assert.equal(b.code, 1, `${files.join(' ')}: ${b.stdout}${b.stderr}`);
      assert.match(b.stdout, files[0] === 'Dockerfile' ? /binary file/ : /file is too large/);
    }
    const stdin = await pid1(['lint', '-'], { input: 'FROM x\0' });
    assert.equal(stdin.code, 1, stdin.stdout);
    fs.rmSync(bin, { recursive: true, force: true });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('escape sequences in a linted file are shown escaped, never sent raw to the terminal', async () => {
  // An ESC (and a C1 CSI, 0x9b) in the line a finding quotes, and in a file name.
  const dir = tree({ Dockerfile: 'FROM debian:bookworm\nCMD echo "\x1b[2J\x1b]0;owned\x07" \u009b31m && svc\n', 'x\x1b[31m/Dockerfile': 'FROM debian:bookworm\nCMD svc \x1b[5m\n' });
  try {
    const r = await pid1(['lint', dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(!/[\x1b\x07\u009b]/.test(r.stdout), `raw control characters in:\n${JSON.stringify(r.stdout)}`);
    assert.match(r.stdout, /CMD echo "\\e\[2J\\e\]0;owned\\x07" \\x9b31m && svc/);
    assert.match(r.stdout, /x\\e\[31m\/Dockerfile:2:5 /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed files: a per-file error with file and line, and the run goes on', async () => {
  const dir = tree({ Dockerfile: CLASSIC, 'bad/Dockerfile': 'FROM debian\nFROBNICATE x\nCMD svc\n', 'nofrom/Dockerfile': 'RUN true\n', 'heredoc/Dockerfile': 'FROM debian\nRUN <<EOF\necho hi\n' });
  try {
    const { code, out } = await lintJson([dir]);
    assert.equal(code, 1);
    const errs = out.files.flatMap((f) => f.errors);
    assert.equal(errs.length, 3);
    assert.ok(errs.some((e) => e.file.endsWith('bad/Dockerfile') && e.line === 2 && /unknown instruction: FROBNICATE/.test(e.message)));
    assert.ok(errs.some((e) => /RUN before the first FROM/.test(e.message)));
    assert.ok(errs.some((e) => /heredoc <<EOF is not terminated/.test(e.message)));
    assert.equal(out.summary.errors, 1, 'the good file is still linted');
    const pretty = await pid1(['lint', dir]);
    assert.match(pretty.stdout, /bad\/Dockerfile:2:1 {2}error {3}unknown instruction: FROBNICATE/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('json output matches docs/lint.schema.json', async () => {
  const dir = tree({
    Dockerfile: CLASSIC,
    'b/Dockerfile': 'FROM debian\nCOPY e.sh /e.sh\n# pid1-ignore stop-not-graceful -- reviewed\nENTRYPOINT ["/e.sh"]\n',
    'b/e.sh': '#!/bin/sh\nsvc\n',
    'c/Dockerfile': 'FROM\n',
  });
  try {
    const { out } = await lintJson([dir]);
    const Ajv2020 = (require('ajv/dist/2020') as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } }).default;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/lint.schema.json'), 'utf8')) as object);
    assert.ok(validate(out), JSON.stringify(validate.errors, null, 1));
    assert.ok(out.files.some((f) => f.findings.some((x) => x.ruleId === 'script-no-exec' && x.file.endsWith('e.sh'))));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('sarif output is valid SARIF 2.1.0 (OASIS schema), with fixes, suppressions and file errors', async () => {
  const dir = tree({
    Dockerfile: CLASSIC,
    'b/Dockerfile': 'FROM debian\n# pid1-ignore shell-pid1 -- the service ignores TERM anyway\nCMD svc\n',
    'c/Dockerfile': 'FROBNICATE\n',
    'd/Dockerfile': 'FROM node:20\nCMD ["npm", "start"]\n',
  });
  try {
    const r = await pid1(['lint', '--format', 'sarif', dir]);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; suppressions?: unknown[]; fixes?: unknown[] }[]; invocations: { toolExecutionNotifications?: unknown[] }[] }[] };
    const Ajv2020 = (require('ajv/dist/2020') as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } }).default;
    const addFormats = (require('ajv-formats') as { default: (a: unknown) => void }).default;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    // the official schema, as shipped in @microsoft/sarif-multitool-linux 5.7.0 (sarif-2.1.0.json)
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/lint/sarif-schema-2.1.0.json'), 'utf8')) as object);
    assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 1));
    const results = sarif.runs[0]?.results ?? [];
    assert.ok(results.some((x) => x.ruleId === 'shell-pid1' && x.fixes?.length === 1));
    assert.ok(results.some((x) => x.suppressions?.length === 1));
    assert.equal(sarif.runs[0]?.invocations[0]?.toolExecutionNotifications?.length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('github format: one annotation per finding, escaped', async () => {
  const dir = tree({ Dockerfile: CLASSIC, 'x,y/Dockerfile': 'FROM node:20\nCMD ["node", "s.js"]\n' });
  try {
    const r = await pid1(['lint', '--format', 'github', dir], { cwd: dir });
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^::error file=Dockerfile,line=2,col=12,endLine=2,endColumn=\d+,title=pid1 shell-pid1::PID 1 is `dash -c`.*%0A/);
    assert.ok(lines.some((l) => l.startsWith('::warning file=x%2Cy/Dockerfile,')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('suppression comments and the config file', async () => {
  const dir = tree({
    Dockerfile: 'FROM debian:bookworm\n# pid1-ignore shell-pid1 -- this image is only used for tests\nCMD svc\n',
    'b/Dockerfile': 'FROM registry.example.com/base:3\nCMD svc --port 80\n',
    'c/Dockerfile': 'FROM node:20\nCMD ["node", "server.js"]\n',
    'vendor/Dockerfile': CLASSIC,
    '.pid1.json': JSON.stringify({ rules: { 'node-pid1': 'off', 'unknown-shell': 'error' }, ignore: ['vendor/'] }),
  });
  try {
    const { code, out } = await lintJson([], { cwd: dir });
    assert.equal(code, 1);
    assert.deepEqual(
      out.files.flatMap((f) => f.findings.map((x) => `${x.ruleId}:${x.severity}`)),
      ['unknown-shell:error'],
    );
    assert.equal(out.summary.suppressed, 1);
    assert.equal(out.files.flatMap((f) => f.suppressed)[0]?.suppressed?.justification, 'this image is only used for tests');
    // images in the config decide the family
    fs.writeFileSync(path.join(dir, '.pid1.json'), JSON.stringify({ images: { 'registry.example.com/base:*': 'ash' }, ignore: ['vendor/'] }));
    const again = await lintJson(['b'], { cwd: dir });
    assert.equal(again.code, 0);
    const cli = await lintJson(['--no-config', '--image-shell', 'registry.example.com/base=dash', 'b'], { cwd: dir });
    assert.deepEqual(
      cli.out.files.flatMap((f) => f.findings.map((x) => x.ruleId)),
      ['shell-pid1'],
    );
    // a bad config is a one-line error naming the file and the key
    fs.writeFileSync(path.join(dir, '.pid1.json'), JSON.stringify({ rules: { 'no-such-rule': 'off' } }));
    const bad = await pid1(['lint'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^pid1: .*\.pid1\.json: rules: unknown rule "no-such-rule"\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--fix: atomic, keeps the mode, byte-for-byte elsewhere, idempotent; --fix-dry-run changes nothing', async () => {
  const df = '# syntax=docker/dockerfile:1\r\nFROM python:3.9-slim\r\n# keep   this   spacing\r\nCOPY entrypoint.sh /usr/local/bin/\r\nENTRYPOINT ["entrypoint.sh"]\r\n';
  const entry = '#!/bin/sh\nset -e\n\t./migrate   --all\ngunicorn app:app\n';
  const dir = tree({ Dockerfile: df, 'entrypoint.sh': entry, 'x/Dockerfile': CLASSIC });
  try {
    fs.chmodSync(path.join(dir, 'entrypoint.sh'), 0o751);
    const dry = await pid1(['lint', '--fix-dry-run', dir]);
    assert.equal(dry.code, 1);
    assert.match(dry.stdout, /^--- a\/.*entrypoint\.sh\n\+\+\+ b\/.*entrypoint\.sh\n@@ -1,4 \+1,4 @@\n #!\/bin\/sh\n set -e\n \t\.\/migrate {3}--all\n-gunicorn app:app\n\+exec gunicorn app:app\n/m);
    assert.match(dry.stdout, /\+ENTRYPOINT \["gunicorn", "-w", "1"/);
    assert.equal(fs.readFileSync(path.join(dir, 'entrypoint.sh'), 'utf8'), entry, 'dry run writes nothing');
    const fix = await lintJson(['--fix', dir]);
    assert.equal(fix.code, 0, JSON.stringify(fix.out.files.flatMap((f) => f.findings)));
    assert.equal(fix.out.summary.fixed, 2);
    assert.equal(fs.readFileSync(path.join(dir, 'entrypoint.sh'), 'utf8'), entry.replace('gunicorn app:app', 'exec gunicorn app:app'));
    assert.equal(fs.statSync(path.join(dir, 'entrypoint.sh')).mode & 0o777, 0o751);
    assert.equal(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), df, 'CRLF Dockerfile with no finding is untouched');
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.includes('.tmp')),
      [],
      'no temp files left',
    );
    const before = fs.readFileSync(path.join(dir, 'x/Dockerfile'), 'utf8');
    const second = await lintJson(['--fix', dir]);
    assert.equal(second.out.summary.fixed, 0, 'idempotent');
    assert.equal(fs.readFileSync(path.join(dir, 'x/Dockerfile'), 'utf8'), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--fix through a symlink fixes the file it points to and keeps the link', async () => {
  const dir = tree({ 'real/Dockerfile.src': CLASSIC });
  try {
    fs.symlinkSync('real/Dockerfile.src', path.join(dir, 'Dockerfile'));
    const r = await lintJson(['--fix', path.join(dir, 'Dockerfile')]);
    assert.equal(r.code, 0, JSON.stringify(r.out));
    assert.ok(fs.lstatSync(path.join(dir, 'Dockerfile')).isSymbolicLink(), 'the link stays a link');
    assert.match(fs.readFileSync(path.join(dir, 'real/Dockerfile.src'), 'utf8'), /^ENTRYPOINT \["gunicorn", "-w", "1"/m);
    assert.deepEqual(
      fs.readdirSync(path.join(dir, 'real')).filter((n) => n.includes('.tmp')),
      [],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('-o to a file that cannot be written: one line, exit 2', async () => {
  const dir = tree({ Dockerfile: CLASSIC });
  try {
    const r = await pid1(['lint', dir, '-o', path.join(dir, 'no/such/dir/report.txt')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pid1: cannot write -o .*report\.txt: ENOENT[^\n]*\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('stdin: - reads one Dockerfile; --fix refuses stdin; --fix-dry-run shows the diff', async () => {
  const r = await lintJson(['-'], { input: CLASSIC });
  assert.equal(r.code, 1);
  assert.equal(r.out.files[0]?.file, '<stdin>');
  assert.equal(r.out.files[0]?.findings[0]?.ruleId, 'shell-pid1');
  const fix = await pid1(['lint', '--fix', '-'], { input: CLASSIC });
  assert.equal(fix.code, 2);
  assert.match(fix.stderr, /--fix cannot write to stdin/);
  const dry = await pid1(['lint', '--fix-dry-run', '--stdin-filename', 'Dockerfile', '-'], { input: CLASSIC });
  assert.match(dry.stdout, /^--- a\/Dockerfile\n/);
});

test('--target picks the stage; other stages never produce errors', async () => {
  const dir = tree({ Dockerfile: 'FROM python:3.12-slim AS dev\nCMD python -m app --reload\nFROM python:3.12-slim AS prod\nCMD ["python", "-m", "app"]\n' });
  try {
    const last = await lintJson([dir]);
    assert.equal(last.code, 0);
    const dev = await lintJson(['--target', 'dev', dir]);
    assert.equal(dev.code, 1);
    assert.equal(dev.out.files[0]?.findings[0]?.range.start.line, 2);
    const all = await lintJson(['--all-stages', dir]);
    assert.equal(all.code, 0);
    // dev's shell form is an info (not the target); prod's `python -m app` is not in the build context: pid1 cannot tell.
    assert.deepEqual(
      all.out.files[0]?.findings.map((f) => f.severity),
      ['info', 'warning'],
    );
    const none = await lintJson(['--target', 'nope', dir]);
    assert.equal(none.code, 1, 'a per-file error');
    assert.match(none.out.files[0]?.errors[0]?.message ?? '', /no stage named "nope"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('pretty output: code frame, why, fix hint; rule docs are up to date', async () => {
  const dir = tree({ Dockerfile: CLASSIC });
  try {
    const r = await pid1(['lint', dir]);
    assert.match(r.stdout, /Dockerfile:2:12 {2}error {3}PID 1 is `dash -c`/);
    assert.match(r.stdout, /> 2 \| ENTRYPOINT gunicorn/);
    assert.match(r.stdout, /\| {12}\^{10}/);
    assert.match(r.stdout, /why: \/bin\/sh: dash/);
    assert.match(r.stdout, /fix: use the exec \(JSON\) form/);
    assert.match(r.stdout, /1 problem \(1 error, 0 warnings\), 1 fixable with --fix/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const { allRuleDocs } = await import('../src/report/rule-docs.js');
  for (const [name, text] of allRuleDocs()) {
    const p = path.join(ROOT, 'docs/rules', name);
    assert.ok(fs.existsSync(p), `docs/rules/${name} is missing: run npm run docs`);
    assert.equal(fs.readFileSync(p, 'utf8'), text, `docs/rules/${name} is stale: run npm run docs`);
  }
});

test('--probe-images looks inside local images for /bin/sh', async (t) => {
  if (!requireDocker(t)) return;
  const images = { dash: testImage({ shell: 'dash' }), ash: testImage({ shell: 'ash' }), none: testImage({ shell: 'none' }) };
  const dir = tree({
    'dash/Dockerfile': `FROM ${images.dash}\nCMD svc --port 80\n`,
    'ash/Dockerfile': `FROM ${images.ash}\nCMD svc --port 80\n`,
    'none/Dockerfile': `FROM ${images.none}\nCMD svc --port 80\n`,
  });
  try {
    const blind = await lintJson([dir]);
    assert.deepEqual(
      blind.out.files.map((f) => f.findings.map((x) => `${x.ruleId}:${x.severity}`).join()),
      ['unknown-shell:warning', 'unknown-shell:warning', 'unknown-shell:warning'],
    );
    const probed = await lintJson(['--probe-images', dir]);
    const byDir = Object.fromEntries(probed.out.files.map((f) => [path.basename(path.dirname(f.file)), f.findings.map((x) => x.ruleId).join()]));
    assert.deepEqual(byDir, { ash: '', dash: 'shell-pid1', none: 'no-shell' }, probed.stderr);
    assert.match(probed.stderr, /probe .*dash.*\/bin\/sh -> dash/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Windows containers are stopped with console control events (CTRL_SHUTDOWN_EVENT, moby/moby#25982), not signals.
test('Windows containers: no stop finding, reason `windows` (Dockerfile, pod with os.name, compose image)', async () => {
  const dir = tree({
    Dockerfile: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nCMD ["bash"]\n',
    'nano/Dockerfile': 'FROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022\nCMD pwsh -File run.ps1\n',
    'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: win\nspec:\n  os:\n    name: windows\n  containers:\n  - name: app\n    image: example.com/app:1\n    command: ["sleep", "infinity"]\n',
    'compose.yaml': 'services:\n  db:\n    image: mongo:8.0-windowsservercore-ltsc2022\n    command: ["sh", "-c", "mongod"]\n',
    'linux/Dockerfile': 'FROM debian:bookworm\nCMD ["sleep", "infinity"]\n',
  });
  try {
    const { out } = await lintJson([], { cwd: dir });
    const byFile = new Map(out.files.map((f) => [f.file, f]));
    for (const f of ['Dockerfile', 'nano/Dockerfile', 'pod.yaml', 'compose.yaml']) {
      const file = byFile.get(f);
      assert.ok(file, f);
      assert.deepEqual(
        file.findings.filter((x) => x.severity === 'error').map((x) => x.ruleId),
        [],
        f,
      );
      assert.ok(file.launches.length > 0 && file.launches.every((l) => (l as { reason?: string }).reason === 'windows'), `${f}: ${JSON.stringify(file.launches)}`);
    }
    // The same command on a Linux image is still a loss.
    assert.deepEqual(
      byFile.get('linux/Dockerfile')?.findings.map((x) => x.ruleId),
      ['service-no-handler'],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('build context above the Dockerfile: the files its COPY names are only there (docker build -f sub/Dockerfile .)', async () => {
  // app.js listens for nothing: node as PID 1 keeps SIGTERM's default action, which the kernel drops for init
  const app = "const http = require('http');\nhttp.createServer((q, r) => r.end('ok')).listen(3000);\n";
  const dir = tree({
    'app/package.json': '{"name":"a","version":"1.0.0"}\n',
    'app/app.js': app,
    'app/version2/Dockerfile': 'FROM node:20\nWORKDIR /usr/src/app\nCOPY package.json ./\nCOPY . .\nCMD ["node", "app.js"]\n',
    // one of its files beside it: its own directory is the context (app.js is then out of sight)
    'other/package.json': '{"name":"b","version":"1.0.0"}\n',
    'other/app.js': app,
    'other/sub/package.json': '{"name":"c","version":"1.0.0"}\n',
    'other/sub/Dockerfile': 'FROM node:20\nWORKDIR /usr/src/app\nCOPY package.json ./\nCOPY . .\nCMD ["node", "app.js"]\n',
  });
  const { out } = await lintJson(['--no-config', '.'], { cwd: dir });
  const outcome = (f: string): string | undefined => out.files.find((x) => x.file === f)?.launches[0]?.outcome;
  assert.equal(outcome('app/version2/Dockerfile'), 'killed', 'app.js read from app/');
  assert.notEqual(outcome('other/sub/Dockerfile'), 'killed', 'its own directory has package.json: app.js is not there');
});

test('build context above the Dockerfile though its own directory has some of the files (php/5/Dockerfile built from php/)', async () => {
  const dir = tree({
    'php/root/etc/motd': 'hi\n',
    'php/5/root/etc/php.ini': '\n',
    'php/5/entrypoint.sh': '#!/bin/sh\nset -e\nphp-fpm5\nnginx -g "daemon off;"\n',
    'php/5/Dockerfile': 'FROM alpine:3.8\nCOPY root /\nCOPY 5/root /\nCOPY 5/entrypoint.sh /\nENTRYPOINT ["/entrypoint.sh"]\n',
  });
  const { out } = await lintJson(['--no-config', '.'], { cwd: dir });
  const launch = out.files.find((x) => x.file === 'php/5/Dockerfile')?.launches[0];
  // php/5 has `root` but not `5/root` or `5/entrypoint.sh`: the context is php/, and the script is read (ash does not exec nginx)
  assert.equal(launch?.outcome, 'killed', JSON.stringify(launch));
});

test('a script whose last step sources a file pid1 cannot see does not end by itself: what that file runs decides', async () => {
  const dir = tree({
    Dockerfile: 'FROM debian:bookworm\nCOPY entrypoint.sh /etc/app/entrypoint.sh\nENTRYPOINT ["/etc/app/entrypoint.sh"]\nCMD ["run", "web"]\n',
    'entrypoint.sh': '#!/bin/bash\nset -e\nif [ -e /etc/app/requirements.txt ]; then\n  echo deprecated\nfi\nsource /docker-entrypoint.sh\n',
  });
  const { out } = await lintJson(['--no-config', '.'], { cwd: dir });
  const l = out.files.find((f) => f.file === 'Dockerfile')?.launches[0];
  assert.equal(l?.outcome, 'unknown', "the sourced file may exec the service (the upstream image's entrypoint)");
});

test('a sourced file that sources another: an exec or a trap two files down, or a file there pid1 cannot read, leaves the loss uncertain (a warning); plain functions and files named at run time do not', async () => {
  // bash runs a file sourced from a sourced file in the same shell, so its exec replaces PID 1 as well (continuouspipe's bootstrap.sh)
  const entry = '#!/bin/bash\nset -e\nsource /usr/local/lib/app/bootstrap.sh\nprepare\nserve --port 80\n';
  const dockerfile = 'FROM debian:bookworm\nCOPY lib/ /usr/local/lib/app/\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n';
  const cases: { name: string; files: Record<string, string>; certain: boolean; says?: RegExp }[] = [
    {
      name: 'exec two files down',
      files: { 'lib/bootstrap.sh': 'prepare() { echo ready; }\nsource /usr/local/lib/app/run.sh\n', 'lib/run.sh': 'serve() { exec /usr/bin/server "$@"; }\n' },
      certain: false,
      says: /sources \/usr\/local\/lib\/app\/bootstrap\.sh, which sources \/usr\/local\/lib\/app\/run\.sh, which sets a trap or runs exec/,
    },
    {
      name: 'a file two levels down that the image does not hold',
      files: { 'lib/bootstrap.sh': 'prepare() { echo ready; }\nsource /usr/local/lib/app/run.sh\n' },
      certain: false,
      says: /which sources \/usr\/local\/lib\/app\/run\.sh, which pid1 cannot see/,
    },
    {
      // libraries load the operator's configuration by a name built at run time (sameersbn/docker-gitlab): not counted
      name: 'files named at run time two levels down',
      files: { 'lib/bootstrap.sh': 'prepare() { echo ready; }\nfor file in /gitlab-configs /run/secrets/app; do\n  if [[ -e "$file" ]]; then source "$file"; fi\ndone\n' },
      certain: true,
    },
    {
      name: 'no exec and no trap anywhere down the chain',
      files: { 'lib/bootstrap.sh': 'prepare() { echo ready; }\nsource /usr/local/lib/app/run.sh\n', 'lib/run.sh': 'serve() { /usr/bin/server "$@"; }\n' },
      certain: true,
    },
  ];
  for (const c of cases) {
    const dir = tree({ Dockerfile: dockerfile, 'entrypoint.sh': entry, ...c.files });
    try {
      const { out } = await lintJson(['--no-config', '.'], { cwd: dir });
      const l = out.files.find((f) => f.file === 'Dockerfile')?.launches[0] as { outcome?: string; certain?: boolean; note?: string } | undefined;
      // bash stays PID 1 in front of `serve` unless the unseen exec runs: killed, certain only when nothing down the chain can exec
      assert.equal(l?.outcome, 'killed', `${c.name}: ${JSON.stringify(l)}`);
      assert.equal(l?.certain, c.certain, c.name);
      if (c.says) assert.match(l?.note ?? '', c.says, c.name);
      const severities = out.files.flatMap((f) => f.findings.map((x) => x.severity));
      assert.deepEqual(severities, [c.certain ? 'error' : 'warning'], c.name);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a script the shell grammar cannot parse is not taken to end by itself', async () => {
  // tree-sitter-bash #321: a glob with a quoted string holding a space makes the whole `if` an ERROR
  const dir = tree({
    Dockerfile: 'FROM debian:bookworm\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
    'entrypoint.sh': '#!/bin/bash\nif [[ "${tmp}" = *"A B"* ]]; then\n  echo ok\nfi\nsvc --port 80\n',
  });
  const { out } = await lintJson(['--no-config', '.'], { cwd: dir });
  assert.notEqual(out.files.find((f) => f.file === 'Dockerfile')?.launches[0]?.outcome, undefined, 'a launch with an outcome, not "nothing to stop"');
});

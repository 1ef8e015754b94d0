/**
 * pid1 lint over compose files: how compose splits a string command (v1 shlex, v2 go-shellwords),
 * interpolation from .env, build -> Dockerfile analysis, entrypoint/command overrides, init, stop_signal,
 * stop_grace_period, extends, -f merging and the override file, fixes in YAML. The splitting and the
 * verdicts are checked against the real docker-compose in test/lint-compose-real.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DocumentStore } from '../src/document/store.js';
import { loadShellParser } from '../src/model/shell.js';
import { lintComposeDocument, lintComposeProject } from '../src/sources/compose/source.js';
import type { ComposeOptions } from '../src/sources/compose/project.js';
import type { ComposeLaunch } from '../src/sources/launch.js';
import { interpolate, parseDotEnv } from '../src/sources/compose/interpolate.js';
import { charsOf } from '../src/document/text.js';
import { splitShellwords, splitShlex } from '../src/sources/compose/words.js';
import { pid1 } from './helpers/cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHOP = path.resolve(here, '../../test/fixtures/compose/shop');

before(async () => {
  await loadShellParser();
});

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const chars = (s: string) =>
  charsOf(
    s,
    Array.from({ length: s.length }, (_, i) => i),
  );

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-compose-'));
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function services(file: string, opts: ComposeOptions & { composeFiles?: string[] } = {}): Map<string, ComposeLaunch> {
  const store = new DocumentStore();
  const doc = store.read(file, 'compose');
  assert.ok(doc);
  const r = lintComposeDocument(doc, store, { env: {}, ...opts });
  assert.deepEqual(r.errors, []);
  return new Map(r.launches.map((l) => [(l as ComposeLaunch).service, l as ComposeLaunch]));
}

function svc(m: Map<string, ComposeLaunch>, name: string): ComposeLaunch {
  const l = m.get(name);
  assert.ok(l, `no service ${name} (${[...m.keys()].join(', ')})`);
  return l;
}

describe('a string command is split by compose, not by a shell', () => {
  const cases: [string, string[], string[], string?][] = [
    // input, v1 (shlex), v2 (go-shellwords), where v2 stopped
    ['gunicorn -w 1 app:app', ['gunicorn', '-w', '1', 'app:app'], ['gunicorn', '-w', '1', 'app:app']],
    ['./migrate.sh && exec svc', ['./migrate.sh', '&&', 'exec', 'svc'], ['./migrate.sh'], '&'],
    ['svc; echo done', ['svc;', 'echo', 'done'], ['svc'], ';'],
    ['svc | tee log', ['svc', '|', 'tee', 'log'], ['svc'], '|'],
    ['svc 2>/dev/null', ['svc', '2>/dev/null'], ['svc'], '>'],
    ['sh -c "svc --name \'a b\'"', ['sh', '-c', "svc --name 'a b'"], ['sh', '-c', "svc --name 'a b'"]],
    ['echo "a\\tb" \'c\\d\'', ['echo', 'a\\tb', 'c\\d'], ['echo', 'atb', 'c\\d']],
    ['echo $(date) `x`', ['echo', '$(date)', '`x`'], ['echo', '$(date)', '`x`']],
    ['say "" \'\'', ['say', '', ''], ['say', '', '']],
  ];
  for (const [input, v1, v2, stop] of cases) {
    it(JSON.stringify(input), () => {
      assert.deepEqual(
        splitShlex(chars(input)).words.map((w) => w.value),
        v1,
      );
      const r2 = splitShellwords(chars(input));
      assert.deepEqual(
        r2.words.map((w) => w.value),
        v2,
      );
      assert.equal(r2.stoppedAt?.char, stop);
    });
  }
  it('errors: unbalanced quotes (both), a bare ( (v2)', () => {
    assert.equal(splitShlex(chars('sh -c "svc')).error, 'No closing quotation');
    assert.equal(splitShellwords(chars('sh -c "svc')).error, 'invalid command line string');
    assert.equal(splitShellwords(chars('svc (x)')).error, 'invalid command line string');
    assert.equal(splitShlex(chars('svc (x)')).error, undefined);
  });
  it('only characters read inside quotes may be edited', () => {
    const w = splitShlex(chars('sh -c "svc --x" svc')).words;
    assert.equal(w[2]?.editable.every(Boolean), true);
    assert.equal(w[3]?.editable.some(Boolean), false);
  });
});

describe('interpolation', () => {
  const env = { A: 'a', EMPTY: '' };
  const t = (s: string) => interpolate(chars(s), env);
  it('defaults, alternatives, escapes, nesting', () => {
    assert.equal(t('${A}-${B:-dflt}-${EMPTY:-e}-${EMPTY-x}-${A:+alt}-${B+no}-$$A-$A').value, 'a-dflt-e--alt--$A-a');
    assert.equal(t('${B:-${A}x}').value, 'ax');
    assert.deepEqual(t('$B ${C}').missing, ['B', 'C']);
  });
  it('required variables and bad syntax are errors', () => {
    assert.match(t('${B:?set B}').error ?? '', /required variable B is missing a value: set B/);
    assert.match(t('${A').error ?? '', /no closing brace/);
    assert.match(t('cost $5').error ?? '', /invalid interpolation/);
  });
  it('substituted characters map to the $ and are not editable', () => {
    const r = t('x ${A} y');
    assert.deepEqual(r.offsets, [0, 1, 2, 6, 7]);
    assert.deepEqual(r.editable, [true, true, false, true, true]);
  });
  it('.env files', () => {
    assert.deepEqual(parseDotEnv('# c\nexport A=1\nB="two words"\nC=\'$x\'\nD=v # comment\n\nbad line\n'), { A: '1', B: 'two words', C: '$x', D: 'v' });
  });
});

describe('the shop project', () => {
  let m: Map<string, ComposeLaunch>;
  before(() => {
    m = services(path.join(SHOP, 'compose.yaml'));
  });

  it("build: the Dockerfile target and args; the override file's command; the anchor's grace", () => {
    const api = svc(m, 'api');
    assert.deepEqual(api.argv.slice(0, 2), ['sh', '-c']);
    assert.equal(api.entrypoint, undefined); // the prod stage sets no ENTRYPOINT
    assert.equal(api.cmd?.span.doc.file.endsWith('compose.override.yaml'), true);
    assert.equal(api.shell.family, 'dash'); // python:3.12-slim from ARG PY=3.12 given by build.args
    assert.equal(api.shell.image, 'python:3.12-slim');
    assert.equal(api.stopSignal.signal, 'SIGINT'); // STOPSIGNAL of the base stage
    assert.equal(api.stop.graceSeconds, 20); // <<: *python
    assert.equal(api.prediction?.outcome, 'killed');
  });

  it('extends another file; a string command split with .env values', () => {
    const w = svc(m, 'worker');
    assert.deepEqual(w.argv, ['./entrypoint.sh', 'celery', '-A', 'shop', 'worker', '--loglevel', 'warning']);
    assert.equal(w.stop.graceSeconds, 60);
    assert.equal(w.prediction?.outcome, 'killed'); // the entrypoint script does not exec "$@"
    assert.equal(w.substituted, true);
  });

  it('a string command with && runs only its first command under v2', () => {
    const mg = svc(m, 'migrate');
    assert.deepEqual(mg.argv, ['python', 'manage.py', 'migrate']);
    assert.equal(mg.image, 'python:3.12-slim');
    const v1 = services(path.join(SHOP, 'compose.yaml'), { composeVersion: 1 });
    assert.deepEqual(svc(v1, 'migrate').argv, ['python', 'manage.py', 'migrate', '&&', 'python', 'manage.py', 'runserver', '0.0.0.0:8001']);
  });

  it("image only: the official image's CMD; stop_signal replaces its STOPSIGNAL", () => {
    const web = svc(m, 'web');
    assert.deepEqual(web.argv, ['nginx', '-g', 'daemon off;']);
    assert.equal(web.stopSignal.signal, 'SIGTERM');
    assert.equal(web.prediction?.outcome, 'abrupt');
    assert.equal(svc(m, 'cache').prediction?.outcome, 'graceful'); // alpine: ash execs redis-server
  });

  it('init: true puts docker-init in front; a string entrypoint drops the image CMD', () => {
    const s = svc(m, 'scheduler');
    assert.equal(s.init, true);
    assert.deepEqual(s.argv, ['sh', '-c', 'python -m shop.scheduler']);
    assert.equal(s.chain?.processes[0]?.name, 'docker-init');
    assert.equal(s.prediction?.outcome, 'abrupt');
  });

  it('the CLI: every finding, each pointing at the file and field that decides it', async () => {
    const r = await pid1(['lint', SHOP, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout) as { files: { file: string; findings: { ruleId: string; file: string; range: { start: { line: number } }; related?: { message: string }[] }[] }[] };
    const got = json.files
      .flatMap((f) => f.findings)
      .map((f) => `${f.ruleId} ${path.basename(f.file)}:${f.range.start.line}`)
      .sort();
    assert.deepEqual(got, [
      'compose-shell-operators compose.yaml:27',
      // python manage.py, from an image: pid1 cannot read manage.py to see whether it handles SIGTERM.
      'program-decides compose.yaml:27',
      'script-no-exec entrypoint.sh:4',
      // gunicorn's SIGINT is its quick shutdown (workers killed), not its graceful one (TERM).
      'server-stop-signal Dockerfile:5',
      'server-stop-signal compose.yaml:31',
      'shell-pid1 compose.override.yaml:3',
      'shell-under-init compose.yaml:42',
    ]);
    const script = json.files.flatMap((f) => f.findings).find((f) => f.ruleId === 'script-no-exec');
    assert.ok(script?.related?.some((x) => /service worker/.test(x.message)));
  });
});

describe('merging and overriding', () => {
  it('-f files are merged in order; the last one that sets a field wins', async () => {
    const dir = project({
      'base.yml': 'services:\n  app:\n    image: debian:bookworm\n    command: ["sh", "-c", "svc --port 80"]\n    stop_grace_period: 3s\n',
      'prod.yml': 'services:\n  app:\n    command: ["svc", "--port", "80"]\n',
    });
    const a = path.join(dir, 'base.yml');
    const b = path.join(dir, 'prod.yml');
    const store = new DocumentStore();
    const docs = [store.read(a, 'compose'), store.read(b, 'compose')].filter((d) => d !== undefined);
    const res = lintComposeProject(docs, store, { env: {} });
    const l = res.flatMap((r) => r.launches)[0] as ComposeLaunch;
    assert.deepEqual(l.argv, ['svc', '--port', '80']);
    assert.equal(l.stop.graceSeconds, 3);
    assert.equal(l.prediction?.outcome, 'graceful');
    // the other order
    const rev = lintComposeProject([...docs].reverse(), store, { env: {} }).flatMap((r) => r.launches)[0];
    assert.equal(rev?.prediction?.outcome, 'killed');
    // the CLI, with --compose-file
    const cli = await pid1(['lint', '--compose-file', a, '--compose-file', b]);
    assert.equal(cli.code, 0, cli.stdout);
    const cli2 = await pid1(['lint', '--compose-file', b, '--compose-file', a]);
    assert.equal(cli2.code, 1, cli2.stdout);
    assert.match(cli2.stdout, /base\.yml:4:\d+ +error .*\[shell-pid1\]/);
  });

  it('an entrypoint override drops the image CMD; command alone keeps the ENTRYPOINT', () => {
    const dir = project({
      Dockerfile: 'FROM alpine:3.20\nENTRYPOINT ["tini", "--"]\nCMD ["app", "--x"]\n',
      'compose.yaml': 'services:\n  ep:\n    build: .\n    entrypoint: ["app"]\n  cmd:\n    build: .\n    command: app --y\n  neither:\n    build: .\n',
    });
    const m = services(path.join(dir, 'compose.yaml'));
    assert.deepEqual(svc(m, 'ep').argv, ['app']);
    assert.deepEqual(svc(m, 'cmd').argv, ['tini', '--', 'app', '--y']);
    assert.deepEqual(svc(m, 'neither').argv, ['tini', '--', 'app', '--x']);
  });

  it('a required variable that is missing is a per-file error with its line', () => {
    const dir = project({ 'compose.yaml': 'services:\n  app:\n    image: ${IMAGE:?set IMAGE}\n' });
    const store = new DocumentStore();
    const doc = store.read(path.join(dir, 'compose.yaml'), 'compose');
    assert.ok(doc);
    const r = lintComposeDocument(doc, store, { env: {} });
    assert.equal(r.errors[0]?.line, 3);
    assert.match(r.errors[0]?.message ?? '', /required variable IMAGE/);
  });

  it('an extends cycle and a missing base are errors, not hangs', () => {
    const dir = project({ 'compose.yaml': 'services:\n  a:\n    extends: b\n    image: debian:bookworm\n  b:\n    extends: a\n  c:\n    extends: {service: nope}\n    image: debian:bookworm\n' });
    const store = new DocumentStore();
    const doc = store.read(path.join(dir, 'compose.yaml'), 'compose');
    assert.ok(doc);
    const r = lintComposeDocument(doc, store, { env: {} });
    assert.ok(r.errors.some((e) => /cycle/.test(e.message)));
    assert.ok(r.errors.some((e) => /no service "nope"/.test(e.message)));
  });
});

describe('fixes in compose files', () => {
  it('exec inside a quoted -c string, stop_signal replaced or added, layout kept, idempotent', async () => {
    const text = [
      'services:',
      '  api:',
      '    image: python:3.12-slim',
      '    # the shell stays PID 1 on dash',
      '    command: sh -c "cd /srv && gunicorn app:app"',
      '  proxy:',
      '    image: nginx:1.27',
      '    stop_signal: SIGTERM   # fast',
      '  proxy2:',
      '    image: debian:bookworm',
      '    command: ["nginx", "-g", "daemon off;"]',
      '  unsafe:',
      '    image: debian:bookworm',
      '    command: sh -c svc',
      '',
    ].join('\n');
    const dir = project({ 'compose.yaml': text });
    const file = path.join(dir, 'compose.yaml');
    const r = await pid1(['lint', '--fix', file]);
    const after = fs.readFileSync(file, 'utf8');
    assert.equal(
      after,
      text
        .replace('cd /srv && gunicorn', 'cd /srv && exec gunicorn')
        .replace('stop_signal: SIGTERM   # fast', 'stop_signal: SIGQUIT   # fast')
        .replace('  proxy2:\n', '  proxy2:\n    stop_signal: SIGQUIT\n'),
    );
    // `sh -c svc`: inserting exec there would make compose split it into two words: no fix
    assert.equal(r.code, 1);
    assert.match(r.stdout, /compose\.yaml:15:14 .*\[shell-pid1\]/);
    assert.match(r.stdout, /3 fixed/);
    const again = await pid1(['lint', '--fix', file]);
    assert.equal(fs.readFileSync(file, 'utf8'), after, again.stdout);
  });

  it('compose from stdin', async () => {
    const r = await pid1(['lint', '-', '--stdin-filename', 'compose.yaml'], { input: 'services:\n  app:\n    image: debian:bookworm\n    command: ["sh", "-c", "svc"]\n' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /compose\.yaml:4:\d+ +error .*\[shell-pid1\]/);
    const r2 = await pid1(['lint', '-'], { input: 'services:\n  app:\n    image: debian:bookworm\n    command: svc && x\n' });
    assert.match(r2.stdout, /<stdin>:4:\d+ +warning .*\[compose-shell-operators\]/);
  });

  it('malformed compose: a per-file error', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  app:\n    image: [a\n', 'docker-compose.yml': 'version: "3"\n' });
    const r = await pid1(['lint', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /compose\.yaml:\d+:\d+ +error +YAML syntax error/);
    assert.match(r.stdout, /docker-compose\.yml:1:1 +error +not a compose file: no "services" section/);
  });
});

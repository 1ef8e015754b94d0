/**
 * What CI systems read: `--format gitlab` (GitLab Code Quality, checked against the documented format,
 * transcribed in test/fixtures/lint/gitlab-code-quality.schema.json) and `--fail-on`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pid1 } from './helpers/cli.js';
import { tempDir } from './helpers/exec.js';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function tree(files: Record<string, string>): string {
  const dir = tempDir('pid1-lint-ci-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

interface Issue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number; end?: number } };
}

function validator(): ((d: unknown) => boolean) & { errors?: unknown } {
  const Ajv2020 = (require('ajv/dist/2020') as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } }).default;
  return new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/lint/gitlab-code-quality.schema.json'), 'utf8')) as object);
}

const BAD = 'FROM python:3.12-slim\nENTRYPOINT gunicorn app:app\n';

test('--format gitlab: a valid Code Quality report (errors major, warnings minor, file errors too), fingerprints unique and stable when lines move', async () => {
  const dir = tree({
    Dockerfile: BAD,
    'svc/Dockerfile': 'FROM node:20\nCMD ["node", "s.js"]\n',
    'broken/Dockerfile': 'FROBNICATE\n',
    'two/Dockerfile': 'FROM debian AS a\nCMD svc\nFROM debian\nCMD svc\n',
  });
  const r = await pid1(['lint', '--format', 'gitlab', '--all-stages'], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  assert.ok(!r.stdout.startsWith('\uFEFF'), 'GitLab refuses a byte order mark');
  const issues = JSON.parse(r.stdout) as Issue[];
  const validate = validator();
  assert.ok(validate(issues), JSON.stringify(validate.errors, null, 1));
  // the fixture has teeth: SARIF's level names, a missing line or an absolute path are refused
  const first = issues[0] as Issue;
  for (const wrong of [
    { ...first, severity: 'error' },
    { ...first, location: { path: first.location.path } },
    { ...first, location: { ...first.location, path: '/abs/Dockerfile' } },
  ])
    assert.equal(validate([wrong]), false);
  const brief = issues.map((i) => `${i.location.path}:${i.location.lines.begin} ${i.check_name} ${i.severity}`).sort();
  assert.deepEqual(brief, [
    'Dockerfile:2 shell-pid1 major',
    'broken/Dockerfile:1 pid1/file-error major',
    'svc/Dockerfile:2 program-decides minor',
    'two/Dockerfile:2 shell-pid1 info',
    'two/Dockerfile:4 shell-pid1 major',
  ]);
  // the same `CMD svc` twice in one file: two findings, two fingerprints
  assert.equal(new Set(issues.map((i) => i.fingerprint)).size, issues.length);
  // a line added above the finding moves it, but GitLab must see the same issue (same fingerprint)
  const before = issues.find((i) => i.location.path === 'Dockerfile')?.fingerprint;
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `# a comment\n${BAD}`);
  const moved = (JSON.parse((await pid1(['lint', '--format', 'gitlab', 'Dockerfile'], { cwd: dir })).stdout) as Issue[])[0];
  assert.equal(moved?.location.lines.begin, 3);
  assert.equal(moved?.fingerprint, before);
  // `codeclimate` is the same report under the name other tools use
  const cc = await pid1(['lint', '--format', 'codeclimate', 'Dockerfile'], { cwd: dir });
  assert.deepEqual(JSON.parse(cc.stdout), [moved]);
  // nothing found: an empty array, still valid
  const clean = tree({ Dockerfile: 'FROM python:3.12-slim\nENTRYPOINT ["gunicorn", "app:app"]\n' });
  const none = await pid1(['lint', '--format', 'gitlab', '-o', 'gl-code-quality-report.json'], { cwd: clean });
  assert.equal(none.code, 0);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(clean, 'gl-code-quality-report.json'), 'utf8')), []);
});

test('--fail-on error|warning|info: exit 1 only for a finding at or above the level; file errors always fail', async () => {
  const dir = tree({
    'warn/Dockerfile': 'FROM node:20\nCMD ["node", "s.js"]\n',
    'info/Dockerfile': 'FROM debian AS build\nCMD make\nFROM python:3.12-slim\nENTRYPOINT ["gunicorn", "app:app"]\n',
    'err/Dockerfile': BAD,
    'broken/Dockerfile': 'FROBNICATE\n',
  });
  const code = async (target: string, failOn?: string): Promise<number> => (await pid1(['lint', '--all-stages', ...(failOn ? ['--fail-on', failOn] : []), target], { cwd: dir })).code;
  assert.equal(await code('warn'), 0, 'default: errors only');
  assert.equal(await code('warn', 'error'), 0);
  assert.equal(await code('warn', 'warning'), 1);
  assert.equal(await code('warn', 'info'), 1);
  assert.equal(await code('info', 'warning'), 0);
  assert.equal(await code('info', 'info'), 1);
  assert.equal(await code('err'), 1);
  assert.equal(await code('err', 'info'), 1);
  assert.equal(await code('broken', 'error'), 1);
  const bad = await pid1(['lint', '--fail-on', 'never', 'err'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--fail-on.*never.*Allowed choices are error, warning, info/);
});

/**
 * The pre-commit hook with the real `pre-commit` (Debian's package): a scratch repository whose
 * .pre-commit-config.yaml points at this repository (file://, `rev:` pinned to HEAD: the committed code is
 * what is installed, as for any user). pre-commit installs the node hook its own way (`npm install` of the
 * clone, `npm pack`, `npm install -g` of the tarball into its environment), then runs `pid1 lint`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run, runSync, tempDir } from './helpers/exec.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const BAD = 'FROM python:3.12-slim\nENTRYPOINT gunicorn app:app\n';
const GOOD = 'FROM python:3.12-slim\nENTRYPOINT ["gunicorn", "app:app"]\n';

test('pre-commit: the pid1-lint hook fails a shell-form Dockerfile with the finding and passes the exec form', { timeout: 600_000 }, async () => {
  const rev = runSync('git', ['-C', ROOT, 'rev-parse', 'HEAD']).trim();
  const home = tempDir('pid1-pre-commit-home-');
  const repo = tempDir('pid1-pre-commit-repo-');
  const env = {
    ...process.env,
    PRE_COMMIT_HOME: home,
    NO_COLOR: '1',
    PRE_COMMIT_COLOR: 'never',
    GIT_AUTHOR_NAME: 'pid1 test',
    GIT_AUTHOR_EMAIL: 'test@pid1.invalid',
    GIT_COMMITTER_NAME: 'pid1 test',
    GIT_COMMITTER_EMAIL: 'test@pid1.invalid',
  };
  const git = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => run('git', ['-C', repo, ...args], { env });
  const preCommit = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => run('pre-commit', args, { cwd: repo, env, timeout: 540_000 });
  await git('init', '-q');
  fs.writeFileSync(path.join(repo, '.pre-commit-config.yaml'), `repos:\n  - repo: ${pathToFileURL(ROOT).href}\n    rev: ${rev}\n    hooks:\n      - id: pid1-lint\n`);
  fs.writeFileSync(path.join(repo, 'Dockerfile'), BAD);
  await git('add', '-A');

  const bad = await preCommit('run', '--all-files');
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /pid1 lint \(lost stop signals\)\.+Failed/);
  assert.match(bad.stdout, /Dockerfile:2:12 +error +PID 1 is `dash -c` \(the shell form of ENTRYPOINT\).*\[shell-pid1\]/);

  fs.writeFileSync(path.join(repo, 'Dockerfile'), GOOD);
  await git('add', '-A');
  const good = await preCommit('run', '--all-files');
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /pid1 lint \(lost stop signals\)\.+Passed/);

  // as a git hook: the commit of a shell-form Dockerfile is refused, the exec form goes in
  assert.equal((await preCommit('install')).code, 0);
  fs.writeFileSync(path.join(repo, 'Dockerfile'), BAD);
  await git('add', '-A');
  const refused = await git('commit', '-q', '-m', 'shell form');
  assert.equal(refused.code, 1);
  assert.match(refused.stdout + refused.stderr, /\[shell-pid1\]/);
  assert.notEqual((await git('rev-parse', '--verify', '-q', 'HEAD')).code, 0, 'nothing was committed');
  fs.writeFileSync(path.join(repo, 'Dockerfile'), GOOD);
  await git('add', '-A');
  const accepted = await git('commit', '-q', '-m', 'exec form');
  assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
  // a commit without any file pid1 reads does not run it
  fs.writeFileSync(path.join(repo, 'README.md'), 'hello\n');
  await git('add', '-A');
  const other = await git('commit', '-m', 'docs');
  assert.equal(other.code, 0);
  assert.match(other.stdout + other.stderr, /pid1 lint \(lost stop signals\)\.+\(no files to check\)Skipped/);
  fs.rmSync(home, { recursive: true, force: true });
});

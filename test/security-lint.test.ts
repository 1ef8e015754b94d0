/**
 * `pid1 lint` on a hostile repository (test/helpers/hostile.ts): nothing outside the tree is read (strace
 * sees every open) or written (strace, and the outside files' content and mtime), nothing from outside
 * is echoed, symlinks out are reported with their target, files that are not files are never opened,
 * and no output format carries a raw control character or a forged workflow command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pid1, CLI } from './helpers/cli.js';
import { tempDir } from './helpers/exec.js';
import { INJECT, hostileRepo, touches, traceFiles, type Hostile } from './helpers/hostile.js';

// Raw characters no output may carry (tab and newline apart).
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The rules every output obeys, whatever the format. */
function assertSafe(out: string, what: string, h: Hostile, format: string): void {
  assert.ok(!out.includes(h.secret), `${what}: the secret from outside the tree is echoed`);
  const raw = RAW.exec(out);
  assert.equal(raw, null, `${what}: a raw control character U+${raw?.[0].charCodeAt(0).toString(16)} near ${JSON.stringify(out.slice(Math.max(0, (raw?.index ?? 0) - 40), (raw?.index ?? 0) + 20))}`);
  assert.ok(!out.includes('##['), `${what}: "##[" (a legacy workflow command) in the output`);
  for (const line of out.split('\n')) {
    if (!/^\s*::/.test(line)) continue;
    // Only pid1's own annotations start with "::", and only in the github format; their properties
    // hold no ":" (percent-encoded), so the first "::" after the command is pid1's separator.
    assert.equal(format, 'github', `${what}: a line starts with "::": ${JSON.stringify(line)}`);
    assert.match(line, /^::(error|warning|notice) [^:]*::/, `${what}: a forged annotation: ${JSON.stringify(line)}`);
  }
}

function assertUntouched(h: Hostile, before: Map<string, { text: string; mtimeMs: number }>, what: string): void {
  const after = h.snapshot();
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), `${what}: files appeared or vanished outside the tree`);
  for (const [p, b] of before) {
    const a = after.get(p);
    assert.equal(a?.text, b.text, `${what}: ${p} changed`);
    assert.equal(a?.mtimeMs, b.mtimeMs, `${what}: ${p} was written (mtime)`);
  }
}

test('hostile repository: every format, with and without --fix, reads and writes nothing outside, echoes nothing from outside', async () => {
  const h = hostileRepo();
  const before = h.snapshot();
  for (const format of ['pretty', 'json', 'sarif', 'github', 'gitlab']) {
    for (const mode of [[], ['--fix-dry-run']]) {
      const what = `--format ${format} ${mode.join(' ')}`;
      const r = await pid1(['lint', '--format', format, ...mode, h.repo], { timeout: 60_000 });
      assert.equal(r.code, 1, `${what}: exit ${r.code}\n${r.stderr}`);
      assertSafe(r.stdout, `${what} stdout`, h, format);
      assertSafe(r.stderr, `${what} stderr`, h, 'stderr');
      assert.ok(!r.stdout.includes(h.visible), `${what}: a file outside the tree was read`);
      if (format === 'json') {
        // lossless: the data parses back exactly, file names with escape sequences included
        const files = (JSON.parse(r.stdout) as { files: { file: string }[] }).files.map((f) => f.file);
        assert.ok(
          files.some((f) => f.endsWith(`/Dockerfile.x${INJECT}`)),
          `${what}: the file name is not in the data as it is`,
        );
      }
      if (format === 'gitlab') {
        const paths = (JSON.parse(r.stdout) as { location: { path: string } }[]).map((x) => x.location.path);
        assert.ok(
          paths.some((p) => p.endsWith(`/Dockerfile.x${INJECT}`)),
          `${what}: the file name is not in the data as it is`,
        );
      }
      if (format === 'sarif') {
        const uris =
          (JSON.parse(r.stdout) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] }).runs[0]?.results.map((x) =>
            decodeURIComponent(x.locations[0]?.physicalLocation.artifactLocation.uri ?? ''),
          ) ?? [];
        assert.ok(
          uris.some((u) => u.endsWith(`/Dockerfile.x${INJECT}`)),
          `${what}: the file name is not in the data as it is`,
        );
      }
    }
  }
  // the symlinks out are reported, with their targets; what is not a file is reported and not opened
  const json = JSON.parse((await pid1(['lint', '--format', 'json', h.repo])).stdout) as { files: { file: string; errors: { message: string }[] }[] };
  const errorOf = (name: string): string =>
    json.files
      .find((f) => f.file.endsWith(name))
      ?.errors.map((e) => e.message)
      .join('; ') ?? '(none)';
  const out = path.basename(h.outside);
  assert.match(errorOf('/Dockerfile.prod'), new RegExp(`a symlink to \\.\\./${out}/secret\\.env, outside the linted tree .*: not read \\(--follow-symlinks reads it\\)`));
  assert.match(errorOf('/Dockerfile.abs'), /a symlink to \/.*secret\.env, outside the linted tree/);
  assert.match(errorOf('/Containerfile'), /a symlink to .*\/Dockerfile, outside the linted tree/);
  assert.match(errorOf('/k8s/pod.yaml'), /a symlink to .*pod\.yaml, outside the linted tree/);
  assert.match(errorOf('/.env'), /a symlink to .*secret\.env, outside the linted tree/);
  assert.match(errorOf('/app/entrypoint.sh'), /a symlink to .*entry\.sh, outside the build context/);
  assert.match(errorOf('/ctx/scripts/run.sh'), /resolves to .*scripts\/run\.sh, outside the build context/);
  assert.match(errorOf('/compose.yaml'), /extends: cannot read .*base\.yml; it is outside the linted tree/);
  assert.match(errorOf('/compose.override.yaml'), /a symlink to .*base\.yml, outside the linted tree/);
  // ConfigMap scripts: the folder's ConfigMap and a configMapGenerator's file, both symlinks out
  assert.match(errorOf('/cm/configmap.yaml'), /a symlink to .*configmap\.yaml, outside the linted tree/);
  assert.match(errorOf('/gen/start.sh'), /a symlink to .*entry\.sh, outside the linted tree/);
  // -f files are read as named; what they lead to is not
  const merged = await pid1(['lint', '--format', 'json', '--compose-file', path.join(h.repo, 'compose.yaml')]);
  assertSafe(merged.stdout, '--compose-file', h, 'json');
  assert.match(merged.stdout, /extends: cannot read .*base\.yml; it is outside the linted tree/);
  assert.ok(!merged.stdout.includes(h.visible));
  assert.match(errorOf('/Dockerfile.fifo'), /a symlink to a FIFO, not a regular file: not read/);
  assert.match(errorOf('/Dockerfile.zero'), /a symlink to \/dev\/zero, outside the linted tree/);
  assert.match(errorOf('/inject/Dockerfile.notdocker'), /^not a Dockerfile: the first instruction is not one Docker knows$/);

  // strace: no open of anything outside (through a symlink or not), and --fix changes nothing there
  const traced = traceFiles([process.execPath, CLI, 'lint', '--fix', '--format', 'github', h.repo], path.dirname(h.repo));
  assert.equal(traced.code, 1, traced.stderr);
  const t = touches(traced.calls, path.dirname(h.repo), h.outside);
  assert.deepEqual(
    t.reads.map((c) => `${c.call} ${c.path}`),
    [],
    'files outside the tree were opened',
  );
  assert.deepEqual(
    t.writes.map((c) => `${c.call} ${c.path}`),
    [],
    'files outside the tree were changed',
  );
  assertSafe(traced.stdout, '--fix --format github', h, 'github');
  assert.ok(
    traced.calls.some((c) => c.call === 'renameat2' || c.call.startsWith('rename')),
    'the fixes inside the tree were written',
  );
  assertUntouched(h, before, '--fix');
  // the fixes inside the tree were made, the names with escape sequences included
  assert.match(fs.readFileSync(path.join(h.repo, `bad/Dockerfile.x${INJECT}`), 'utf8'), /^CMD \["python", "app\.py"\]$/m);
});

test('--follow-symlinks reads outside by request, but never writes there and never quotes a file that is not what its name says', async () => {
  const h = hostileRepo();
  const before = h.snapshot();
  const traced = traceFiles([process.execPath, CLI, 'lint', '--fix', '--follow-symlinks', '--format', 'json', h.repo], path.dirname(h.repo));
  const t = touches(traced.calls, path.dirname(h.repo), h.outside);
  assert.ok(t.reads.length > 0, 'with --follow-symlinks the files outside are read');
  assert.deepEqual(
    t.writes.map((c) => `${c.call} ${c.path}`),
    [],
    'files outside the tree were changed',
  );
  assertUntouched(h, before, '--fix --follow-symlinks');
  assertSafe(traced.stdout, '--follow-symlinks', h, 'json');
  const json = JSON.parse(traced.stdout) as { files: { file: string; errors: { message: string }[]; findings: { ruleId: string }[] }[] };
  const messages = json.files.flatMap((f) => f.errors.map((e) => `${f.file}: ${e.message}`));
  // the secrets file under a Dockerfile's name: read, not a Dockerfile, not quoted
  assert.ok(
    messages.some((m) => /Dockerfile\.prod: not a Dockerfile/.test(m)),
    messages.join('\n'),
  );
  // findings in files outside are reported, their fixes refused
  assert.ok(
    messages.some((m) => /k8s\/pod\.yaml: not fixed: a symlink to .*pod\.yaml, outside the linted tree .*: not written/.test(m)),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => /Containerfile: not fixed: a symlink to .*Dockerfile, outside the linted tree/.test(m)),
    messages.join('\n'),
  );
  // a ConfigMap's script outside: read by request, and its fix (exec in the block scalar) never written there
  assert.ok(
    messages.some((m) => /cm\/configmap\.yaml: not fixed: a symlink to .*configmap\.yaml, outside the linted tree/.test(m)),
    messages.join('\n'),
  );
  // a FIFO and a device are still never opened, symlinks or not, followed or not
  assert.ok(
    messages.some((m) => /Dockerfile\.zero: a symlink to a character device, not a regular file: not read/.test(m)),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => /Dockerfile\.outfifo: a symlink to a FIFO, not a regular file: not read/.test(m)),
    messages.join('\n'),
  );
  assert.ok(!traced.calls.some((c) => /^open/.test(c.call) && /\/(fifo|zero)$/.test(fs.existsSync(c.path) ? fs.realpathSync(c.path) : c.path)), 'a FIFO or /dev/zero was opened');
});

test('a config file that is a symlink out of the tree is refused; a config that is not JSON is never quoted', async () => {
  const h = hostileRepo();
  fs.symlinkSync(path.join(h.outside, 'secret.env'), path.join(h.repo, '.pid1.json'));
  const r = await pid1(['lint', '.'], { cwd: h.repo });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^pid1: .*\.pid1\.json: a symlink to .*secret\.env, outside the linted tree .*: not read/);
  assert.ok(!r.stderr.includes(h.secret));
  // named with --config: read as named, but V8's JSON error (which quotes the text) is not passed on
  const named = await pid1(['lint', '--config', path.join(h.outside, 'secret.env'), '.'], { cwd: h.repo });
  assert.equal(named.code, 2);
  assert.match(named.stderr, /^pid1: .*secret\.env: cannot read config: not valid JSON( at line \d+, column \d+)?\n$/);
  assert.ok(!named.stderr.includes(h.secret) && !named.stderr.includes('AWS'));
});

test('the walk takes only regular files: a FIFO, /dev/zero and a 10 GB sparse file neither hang nor fill memory', async () => {
  const dir = tempDir('pid1-walk-special-');
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  fs.symlinkSync('fifo', path.join(dir, 'Dockerfile'));
  fs.symlinkSync('/dev/zero', path.join(dir, 'Dockerfile.zero'));
  fs.symlinkSync('fifo', path.join(dir, 'compose.yaml'));
  fs.symlinkSync('fifo', path.join(dir, 'deploy.yaml'));
  const big = path.join(dir, 'Dockerfile.big');
  fs.writeFileSync(big, 'FROM debian:12\n');
  fs.truncateSync(big, 10 * 1024 ** 3);
  fs.writeFileSync(path.join(dir, 'Dockerfile.ok'), 'FROM debian:12\nCMD ["svc"]\n');
  // --follow-symlinks: /dev/zero is outside the tree; the type check must hold on its own
  const t0 = Date.now();
  const r = await pid1(['lint', '--follow-symlinks', '--format', 'json', dir], { timeout: 30_000 });
  assert.ok(Date.now() - t0 < 30_000, 'the walk hung');
  const json = JSON.parse(r.stdout) as { files: { file: string; errors: { message: string }[] }[] };
  const err = (n: string): string => json.files.find((f) => f.file.endsWith(n))?.errors[0]?.message ?? '(none)';
  assert.equal(err('/Dockerfile'), 'a symlink to a FIFO, not a regular file: not read');
  assert.equal(err('/compose.yaml'), 'a symlink to a FIFO, not a regular file: not read');
  assert.equal(err('/deploy.yaml'), 'a symlink to a FIFO, not a regular file: not read');
  assert.equal(err('/Dockerfile.zero'), 'a symlink to a character device, not a regular file: not read');
  assert.equal(err('/Dockerfile.big'), `file is too large (${10 * 1024 ** 3} bytes; the limit is 8388608)`);
  assert.ok(json.files.some((f) => f.file.endsWith('/Dockerfile.ok') && f.errors.length === 0));
  // a FIFO named on the command line is refused in one line, not opened
  const named = await pid1(['lint', path.join(dir, 'fifo')], { timeout: 30_000 });
  assert.equal(named.code, 2);
  assert.match(named.stderr, /fifo: not a file or directory/);
});

test('.gitignore does not hide files git tracks; untracked ignored files stay skipped', async (t) => {
  const dir = tempDir('pid1-git-');
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    git('init', '-q');
  } catch (err) {
    t.skip(`git cannot run here: ${String(err)}`);
    return;
  }
  const pod = (name: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers:\n  - name: c\n    image: debian:12\n    command: ["sh", "-c", "server"]\n`;
  fs.mkdirSync(path.join(dir, 'kustomize/base'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.gitignore'), 'kustomize\nbuild/\n');
  fs.writeFileSync(path.join(dir, 'kustomize/base/pod.yaml'), pod('tracked'));
  fs.writeFileSync(path.join(dir, 'kustomize/base/untracked.yaml'), pod('untracked'));
  fs.mkdirSync(path.join(dir, 'build'));
  fs.writeFileSync(path.join(dir, 'build/Dockerfile'), 'FROM debian:12\nCMD server\n');
  git('add', '.gitignore');
  git('add', '-f', 'kustomize/base/pod.yaml');
  git('commit', '-q', '-m', 'x');
  const r = await pid1(['lint', '--format', 'json', '.'], { cwd: dir });
  const files = (JSON.parse(r.stdout) as { files: { file: string }[] }).files.map((f) => f.file).sort();
  assert.deepEqual(files, ['kustomize/base/pod.yaml']);
  // outside a git work tree the same layout honours .gitignore as written
  fs.rmSync(path.join(dir, '.git'), { recursive: true, force: true });
  const plain = await pid1(['lint', '--format', 'json', '.'], { cwd: dir });
  assert.equal(plain.code, 2, 'nothing left to lint');
  assert.match(plain.stderr, /nothing to lint/);
});

/**
 * `pid1 init` on Node 18, the nodejs of Debian bookworm (what Debian-based images carry): Debian's
 * own build, unpacked by scripts/install-deps.sh into /opt/pid1-node18 (the machine's Node 20 is left
 * alone). Debian's node loads some builtins from /usr/share/nodejs, so it runs in a container (the
 * rootfs.ts image) with its binary, libraries and that tree mounted where Debian puts them, and this
 * checkout at /opt/pid1. The init runs as the container's PID 1 and is stopped by `docker stop`; the
 * rest of pid1 must refuse Node 18 in one line.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, waitFor } from './helpers/exec.js';
import { dockerStop, logsOf, removeContainer, requireDocker, startContainer, testImage, TEST_LABEL } from './helpers/docker.js';
import { REPO } from './helpers/node.js';
import { eventsOf, lastRun } from './helpers/init.js';

const NODE18 = '/opt/pid1-node18';
const NODE = '/usr/bin/node';
const BUNDLE = '/opt/pid1/dist/init/pid1-init.cjs';
const CLI = '/opt/pid1/dist/src/cli/main.js';
const LEAN = '/opt/pid1/dist/src/init/bin.js';
const LIB_DIR = '/usr/lib/x86_64-linux-gnu';

function haveNode18(t: TestContext): boolean {
  if (!requireDocker(t)) return false;
  if (fs.existsSync(path.join(NODE18, 'usr/bin/node'))) return true;
  t.skip(`Debian's Node 18 is not unpacked in ${NODE18} (scripts/install-deps.sh does it)`);
  return false;
}

/** Shared libraries of `file` as ldd resolves them (with `libPath` first). */
function sharedLibs(file: string, libPath?: string): string[] {
  const out = execFileSync('ldd', [file], { encoding: 'utf8', env: { ...process.env, ...(libPath ? { LD_LIBRARY_PATH: libPath } : {}) } });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)\s+\(0x/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

/** `docker run` mounts: Debian's node 18 where Debian installs it, its libraries, this checkout. */
function node18Mounts(): string[] {
  const debLibs = path.join(NODE18, 'usr/lib/x86_64-linux-gnu');
  const mounts = new Map<string, string>(); // target -> source
  mounts.set(NODE, path.join(NODE18, 'usr/bin/node'));
  mounts.set('/usr/share/nodejs', path.join(NODE18, 'usr/share/nodejs'));
  mounts.set('/opt/pid1', REPO);
  const koffi = path.join(REPO, 'dist/init/koffi.node');
  for (const lib of [...sharedLibs(path.join(NODE18, 'usr/bin/node'), debLibs), ...sharedLibs(koffi)]) {
    mounts.set(lib.startsWith(NODE18) ? path.join(LIB_DIR, path.basename(lib)) : lib, fs.realpathSync(lib));
  }
  return [...mounts].flatMap(([target, source]) => ['-v', `${source}:${target}:ro`]);
}

/** `docker run --rm` a command to its end: exit code and output. */
async function runOnce(cmd: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [entry, ...rest] = cmd;
  if (!entry) throw new Error('empty command');
  const r = await run('docker', ['run', '--rm', '--network', 'none', '--label', TEST_LABEL, '--entrypoint', entry, ...node18Mounts(), testImage({ shell: 'dash' }), ...rest]);
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("Node 18 (Debian bookworm): it really is Debian's node 18 in the container", async (t) => {
  if (!haveNode18(t)) return;
  const r = await runOnce([NODE, '-p', 'process.version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^v18\./);
});

test('Node 18: the bundled pid1 init as PID 1 stops a dash wrapper with a service and workers gracefully (docker stop)', async (t) => {
  if (!haveNode18(t)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-init-node18-'));
  fs.chmodSync(dir, 0o777);
  let name: string | undefined;
  try {
    name = await startContainer({
      image: testImage({ shell: 'dash' }),
      entrypoint: [NODE, BUNDLE, '--grace', '5s', '--report', '/report/r.jsonl', '--', 'sh', '-c', 'svc --workers 2 --drain-ms 300'],
      extra: [...node18Mounts(), '-v', `${dir}:/report`],
    });
    const c = name;
    await waitFor('service and workers ready', () => ((logsOf(c).match(/ready/g)?.length ?? 0) >= 3 ? true : undefined), 20_000, 100);
    const stop = await dockerStop(c, 10);
    assert.equal(stop.exitCode, 143, `dash died of the forwarded SIGTERM: ${stop.logs}`);
    assert.equal(stop.logs.match(/graceful exit/g)?.length, 3, stop.logs);
    const run = lastRun(path.join(dir, 'r.jsonl'));
    assert.equal(run?.start?.pid, 1);
    assert.equal(run?.start?.namespaceInit, true);
    assert.equal(eventsOf(run, 'wait')[0]?.reason, 'stop');
    assert.deepEqual(eventsOf(run, 'escalate'), []);
    assert.equal(run?.final?.status, 143);
    assert.match(run?.final?.summary ?? '', /^pid1 init: exit 143 = 128\+15 \(SIGTERM\): sh\[\d+\] was killed by SIGTERM/);
  } finally {
    if (name) removeContainer(name);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Node 18: `pid1 init` through the CLI and the unbundled entry run too (exit status, spawn failure, an orphan reaped)', async (t) => {
  if (!haveNode18(t)) return;
  for (const entry of [[CLI, 'init'], [LEAN], [BUNDLE]]) {
    const r = await runOnce([NODE, ...entry, '--', 'sh', '-c', '(sleep 0.1 &); sleep 0.5; exit 7']);
    assert.equal(r.code, 7, `${entry.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^pid1 init: exit 7: sh\[\d+\] exited 7; 1 other process reaped: sleep\[\d+\] exited 0$/m, entry.join(' '));
    const missing = await runOnce([NODE, ...entry, '--report', 'none', '--', 'no-such-command']);
    assert.equal(missing.code, 127);
    assert.equal(missing.stderr, 'pid1 init: exit 127: cannot run no-such-command: ENOENT: no such file or directory\n');
  }
});

test('Node 18: every other pid1 command refuses in one line naming the version it needs, exit 2', async (t) => {
  if (!haveNode18(t)) return;
  for (const args of [['lint', '/opt/pid1/examples'], ['--help'], ['signals', '--pid', '1'], []]) {
    const r = await runOnce([NODE, CLI, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^pid1: needs Node 20 or later; this is Node 18\.\d+\.\d+ \(only `pid1 init` runs on Node 18\)\n$/);
  }
});

/** Malformed or vanishing /proc data: one line naming the file, exit 2, never a stack trace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, pid1 } from './helpers/cli.js';
import { run, waitFor, type RunResult } from './helpers/exec.js';
import { startNamespace } from './helpers/ns.js';
import { childrenOf, commOf } from '../src/proc/stat.js';

function fakeProc(status: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-proc-'));
  const dir = path.join(root, '4242');
  fs.mkdirSync(path.join(dir, 'ns'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'status'), status);
  // A full line (52 fields, as Linux 3.5+ prints): starttime is field 22.
  fs.writeFileSync(
    path.join(dir, 'stat'),
    '4242 (x) S 0 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 777 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n',
  );
  fs.writeFileSync(path.join(dir, 'cmdline'), 'x\0');
  fs.symlinkSync('pid:[4026531836]', path.join(dir, 'ns', 'pid'));
  return root;
}

const GOOD =
  'Name:\tx\nPid:\t4242\nNSpid:\t4242\nUid:\t0\t0\t0\t0\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000004000\n';

test('a well-formed fake /proc entry is read', async () => {
  const root = fakeProc(GOOD);
  try {
    const r = await pid1(['signals', '--pid', '4242', '--json'], { env: { PID1_PROC_ROOT: root } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).masks.SigCgt.signals, [{ number: 15, name: 'SIGTERM' }]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a malformed mask in /proc/PID/status names the file', async () => {
  const root = fakeProc(GOOD.replace('0000000000004000', '00000000zz004000'));
  try {
    const r = await pid1(['signals', '--pid', '4242'], { env: { PID1_PROC_ROOT: root } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `pid1: ${root}/4242/status: malformed signal mask "00000000zz004000": expected hexadecimal digits\n`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a status file without the signal fields is refused', async () => {
  const root = fakeProc('Name:\tx\n');
  try {
    const r = await pid1(['inspect', '--pid', '4242'], { env: { PID1_PROC_ROOT: root } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `pid1: ${root}/4242/status is malformed: no Pid/SigCgt field\n`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a process that vanishes between files is reported as such', async () => {
  const root = fakeProc(GOOD);
  fs.rmSync(path.join(root, '4242', 'cmdline'));
  try {
    const r = await pid1(['signals', '--pid', '4242'], { env: { PID1_PROC_ROOT: root } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `pid1: process 4242 exited while being read (${root}/4242/cmdline)\n`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('no permission is named as such', async (t) => {
  if (process.getuid?.() === 0) {
    // root reads everything: make an unreadable file by dropping to nobody for the CLI run
    const root = fakeProc(GOOD);
    fs.chmodSync(path.join(root, '4242', 'status'), 0o000);
    fs.chmodSync(root, 0o755);
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        import('node:child_process').then(({ execFile }) => {
          const child = execFile(
            process.execPath,
            [path.resolve('dist/src/cli/main.js'), 'signals', '--pid', '4242'],
            { env: { ...process.env, PID1_PROC_ROOT: root }, uid: 65534, gid: 65534 },
            (err, _o, stderr) => {
              resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
            },
          );
          void child;
        });
      });
      if (r.stderr.includes('EACCES') && r.stderr.includes('main.js')) {
        t.skip('the built CLI is not readable by nobody here');
        return;
      }
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, `pid1: permission denied reading ${root}/4242/status (run as root or as the process's user)\n`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  } else {
    t.skip('needs root to create a file the CLI user cannot read');
  }
});

test('a stat line cut short is refused, naming the file', async () => {
  const root = fakeProc(GOOD);
  fs.writeFileSync(path.join(root, '4242', 'stat'), '4242 (x) S 0 4242 4242 0 -1 0');
  try {
    const r = await pid1(['signals', '--pid', '4242'], { env: { PID1_PROC_ROOT: root } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^pid1: ${root}/4242/stat is malformed: .*\n$`));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// ---- B3: an unreadable ns/pid link (another user's process) must not hide the masks -------------

/** The built CLI as user nobody (65534), for what only permissions can show. */
function pid1AsNobody(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, uid: 65534, gid: 65534 });
}

const nobodyCannotRunCli = (r: RunResult): boolean => r.stderr.includes('EACCES') && r.stderr.includes('main.js');

test('--pid N reads the masks when /proc/N/ns/pid is not readable (EACCES)', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to make a file the CLI user cannot read');
  const root = fakeProc(GOOD);
  fs.chmodSync(root, 0o755);
  fs.chmodSync(path.join(root, '4242', 'ns'), 0o000); // readlink(ns/pid) -> EACCES for nobody
  try {
    const r = await pid1AsNobody(['signals', '--pid', '4242', '--json'], { PID1_PROC_ROOT: root });
    if (nobodyCannotRunCli(r)) return t.skip('the built CLI is not readable by nobody here');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).masks.SigCgt.signals, [{ number: 15, name: 'SIGTERM' }]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a missing ns/pid link still means the process exited while being read', async () => {
  const root = fakeProc(GOOD);
  fs.rmSync(path.join(root, '4242', 'ns', 'pid'));
  try {
    const r = await pid1(['signals', '--pid', '4242'], { env: { PID1_PROC_ROOT: root } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `pid1: process 4242 exited while being read (${root}/4242/ns/pid)\n`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the real thing: nobody reads the masks of root's PID 1 (its ns link needs ptrace access)", async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to drop to nobody');
  const r = await pid1AsNobody(['signals', '--pid', '1', '--json']);
  if (nobodyCannotRunCli(r)) return t.skip('the built CLI is not readable by nobody here');
  assert.equal(r.code, 0, r.stderr);
  const cgt = /^SigCgt:\s*(\S+)$/m.exec(fs.readFileSync('/proc/1/status', 'utf8'))?.[1];
  assert.equal(JSON.parse(r.stdout).masks.SigCgt.mask, cgt);
});

test('inspect as nobody: a namespace whose ns link is unreadable is found by NSpid and its init by ancestry', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root for unshare and to drop to nobody');
  // dash as PID 1 of a new namespace, with a child: the tree must be the namespace's, PIDs as it sees them.
  const ns = await startNamespace(['sh', '-c', 'sleep 1000 & wait']);
  try {
    const kid = await waitFor(`sleep, child of ${ns.initPid}`, () => childrenOf(ns.initPid).find((c) => commOf(c) === 'sleep'));
    const r = await pid1AsNobody(['inspect', '--pid', String(kid), '--json']);
    if (nobodyCannotRunCli(r)) return t.skip('the built CLI is not readable by nobody here');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { pidNamespace: string; namespaceInit: boolean; processes: { pid: number; hostPid: number; ppid: number; comm: string }[] };
    assert.equal(report.pidNamespace, '');
    assert.equal(report.namespaceInit, true);
    assert.deepEqual(
      report.processes.map((p) => [p.pid, p.hostPid, p.ppid, p.comm]),
      [
        [1, ns.initPid, 0, 'sh'],
        [2, kid, 1, 'sleep'],
      ],
    );
  } finally {
    await ns.destroy();
  }
});

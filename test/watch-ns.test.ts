/**
 * `pid1 watch --pid` on real PID namespaces (unshare --pid --fork --mount-proc) and host processes,
 * signalled from here; the tracefs instance's life (normal exit, Ctrl-C, kill -9 + --cleanup); and
 * the one-line refusals (not root, no tracefs).
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pid1 } from './helpers/cli.js';
import { run, tempDir, waitFor } from './helpers/exec.js';
import { startNamespace } from './helpers/ns.js';
import { TRACEFS, instanceOf, requireTracefs, startWatch, stopWatchers } from './helpers/watch.js';
import { CLI } from './helpers/cli.js';
import type { EndEvent, ExitEvent, LostStopEvent, SignalEvent, WatchEvent } from '../src/runtime/trace/events.js';

afterEach(stopWatchers);

const isSignal =
  (sig: string) =>
  (e: WatchEvent): e is SignalEvent =>
    e.event === 'signal' && e.signal === sig;

test('--pid of a namespace init (dash -c): SIGTERM from the host ignored, SIGINT caught, SIGKILL then a lost stop', async (t) => {
  if (!requireTracefs(t)) return;
  // `; :` keeps dash from exec'ing sleep: dash stays PID 1, as in a shell-form container.
  const ns = await startNamespace(['dash', '-c', 'sleep 1000; :']);
  try {
    await waitFor('sleep under dash', () => (fs.readFileSync(`/proc/${ns.initPid}/task/${ns.initPid}/children`, 'utf8').trim() ? true : undefined));
    const w = await startWatch(['--pid', String(ns.initPid), '--json']);
    const start = w.events[0];
    assert.equal(start?.event === 'watch' && start.processes, 2);
    assert.deepEqual(start?.event === 'watch' && start.fields, ['sig', 'errno', 'code', 'comm', 'pid', 'group', 'result']);
    process.kill(ns.initPid, 'SIGTERM');
    const term = await w.next('SIGTERM', isSignal('SIGTERM'));
    assert.equal(term.result, 'ignored');
    assert.equal(term.reason, 'namespace-init-default');
    assert.deepEqual([term.target.pid, term.target.nsPid, term.target.command], [ns.initPid, 1, 'dash']);
    assert.equal(term.container, null);
    // Sent by this test process, from the host's namespace.
    assert.equal(term.sender.pid, process.pid);
    assert.equal(term.sender.role, 'host');
    assert.equal(term.code, 'SI_USER');
    assert.equal(term.group, true);
    process.kill(ns.initPid, 'SIGINT');
    const int = await w.next('SIGINT', isSignal('SIGINT'));
    assert.equal(int.result, 'delivered');
    assert.equal(int.why, 'delivered: a handler runs');
    process.kill(ns.initPid, 'SIGKILL');
    const end = await w.exited;
    const lost = await w.next('lost stop', (e): e is LostStopEvent => e.event === 'lost-stop');
    assert.equal(lost.container, null);
    assert.equal(lost.signal, 'SIGTERM');
    assert.equal(lost.processes, 2);
    assert.equal(lost.sender.pid, process.pid);
    const exits = w.events.filter((e): e is ExitEvent => e.event === 'exit');
    assert.deepEqual(exits.map((e) => e.process.command).sort(), ['dash', 'sleep']);
    assert.equal(end.code, 1, w.stderr());
    assert.ok(!fs.existsSync(instanceOf(w)));
  } finally {
    await ns.destroy();
  }
});

test('--pid of a host process: it and its children; a signal it set to SIG_IGN, then its exit ends the watch', async (t) => {
  if (!requireTracefs(t)) return;
  const child = spawn('dash', ['-c', 'trap "" USR1; sleep 1000 & wait'], { stdio: 'ignore' });
  const pid = child.pid as number;
  try {
    await waitFor('sleep under dash', () => (fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() ? true : undefined));
    const w = await startWatch(['--pid', String(pid), '--json']);
    process.kill(pid, 'SIGUSR1');
    const usr1 = await w.next('SIGUSR1', isSignal('SIGUSR1'));
    assert.equal(usr1.result, 'ignored');
    assert.equal(usr1.reason, 'sig-ign');
    assert.equal(usr1.target.nsPid, undefined); // a host process: no namespace of its own
    const sleepPid = Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim());
    process.kill(sleepPid, 'SIGTERM');
    const term = await w.next('SIGTERM to the child', isSignal('SIGTERM'));
    assert.equal(term.target.pid, sleepPid);
    assert.equal(term.result, 'delivered');
    await w.next("the child's exit", (e): e is ExitEvent => e.event === 'exit' && e.process.pid === sleepPid);
    // dash's `wait` returns when its child is gone, and dash exits: the watch ends by itself.
    const end = await w.exited;
    assert.equal(end.code, 0, w.stderr());
    const last = w.events.at(-1) as EndEvent;
    assert.equal(last.reason, `PID ${pid} exited`);
    assert.ok(!w.events.some((e) => e.event === 'lost-stop'));
  } finally {
    child.kill('SIGKILL');
  }
});

test("the instance is removed on Ctrl-C and SIGTERM, and after kill -9 by --cleanup (which keeps a live watcher's)", async (t) => {
  if (!requireTracefs(t)) return;
  const ns = await startNamespace(['sleep', '1000']);
  try {
    const pretty = await startWatch(['--pid', String(ns.initPid)]);
    const a = await startWatch(['--pid', String(ns.initPid), '--json']);
    const b = await startWatch(['--pid', String(ns.initPid), '--json']);
    for (const w of [pretty, a, b]) assert.ok(fs.existsSync(instanceOf(w)));
    assert.equal(path.basename(instanceOf(a)), `pid1-${a.pid}`);
    pretty.child.kill('SIGINT');
    assert.equal((await pretty.exited).code, 0);
    assert.match(pretty.lines.at(-1) ?? '', /^pid1 watch: ended \(interrupted\)/);
    assert.ok(!fs.existsSync(instanceOf(pretty)));
    a.child.kill('SIGKILL');
    await a.exited;
    assert.ok(fs.existsSync(instanceOf(a)), 'a SIGKILLed watcher leaves its instance');
    const r = await pid1(['watch', '--cleanup']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`instances/pid1-${a.pid}: removed`));
    assert.match(r.stdout, new RegExp(`instances/pid1-${b.pid}: kept: in use`));
    assert.ok(!fs.existsSync(instanceOf(a)));
    assert.ok(fs.existsSync(instanceOf(b)), "the live watcher's instance is kept");
    b.child.kill('SIGTERM');
    assert.equal((await b.exited).code, 0);
    assert.ok(!fs.existsSync(instanceOf(b)));
  } finally {
    await ns.destroy();
  }
});

/**
 * The built CLI where user nobody can read it (the clone may live under /root, mode 0700): dist/src,
 * the one dependency `pid1 watch` loads before it checks its privileges (commander), package.json.
 */
function cliForNobody(): string {
  const repo = path.resolve(path.dirname(CLI), '../../..');
  const root = tempDir('pid1-nobody-');
  fs.chmodSync(root, 0o755);
  fs.cpSync(path.join(repo, 'dist/src'), path.join(root, 'dist/src'), { recursive: true });
  fs.cpSync(path.join(repo, 'node_modules/commander'), path.join(root, 'node_modules/commander'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
  return path.join(root, 'dist/src/cli/main.js');
}

test('not root: one line, exit 2', async (t) => {
  if (!requireTracefs(t)) return;
  // setpriv drops to uid/gid 65534 (nobody) with no supplementary groups.
  const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliForNobody(), 'watch', '--pid', '1'], { env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^pid1: watch needs root: the kernel's tracing files \(\S+\) are readable by root only .*\n$/);
  assert.equal(r.stderr.split('\n').length, 2);
});

test('no tracefs: one line, exit 2 (a missing directory, or a directory that is not tracefs)', async (t) => {
  if (!requireTracefs(t)) return; // as root: otherwise "needs root" comes first
  for (const where of [
    '/nonexistent',
    (() => {
      const d = tempDir('pid1-notracefs-');
      fs.mkdirSync(path.join(d, 'instances'));
      return d;
    })(),
  ]) {
    const r = await pid1(['watch', '--pid', '1'], { env: { PID1_TRACEFS: where } });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `pid1: no tracefs at ${where}: mount it as root (mount -t tracefs nodev /sys/kernel/tracing), or point PID1_TRACEFS at it\n`);
  }
  assert.ok(!fs.existsSync(`${TRACEFS}/instances/pid1-${process.pid}`));
});

test('bad arguments: one line, exit 2', async () => {
  for (const [args, message] of [
    [['watch'], 'give exactly one of --container NAME|ID, --pid N, --all (or --cleanup)'],
    [['watch', '--pid', '1', '--all'], 'give exactly one of --container NAME|ID, --pid N, --all (or --cleanup)'],
    [['watch', '--pid', '1', '--signal', 'TREM'], '--signal: unknown signal "TREM" on generic'],
    [['watch', '--cleanup', '--all'], '--cleanup takes no --container, --pid or --all'],
  ] as const) {
    const r = await pid1([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `pid1: ${message}\n`);
  }
});

test('the kernel takes a filter of MAX_FILTER_BYTES and refuses a longer one, with its reason for a bad one', async (t) => {
  if (!requireTracefs(t)) return;
  const { TraceInstance } = await import('../src/runtime/trace/tracefs.js');
  const { MAX_FILTER_BYTES, pidFilter } = await import('../src/runtime/trace/filter.js');
  const inst = TraceInstance.create();
  try {
    const pids = Array.from({ length: 400 }, (_, i) => 100_000 + i);
    let filter = pidFilter('pid', pids);
    filter = `${filter.slice(0, filter.lastIndexOf(' || ', MAX_FILTER_BYTES - 1))})`;
    assert.ok(filter.length <= MAX_FILTER_BYTES && filter.length > MAX_FILTER_BYTES - 20, String(filter.length));
    inst.setFilter('signal/signal_generate', filter);
    assert.throws(() => inst.setFilter('signal/signal_generate', `${filter} || pid == 1`), /the kernel refused the filter for signal\/signal_generate \(EINVAL\)/);
    assert.throws(() => inst.setFilter('signal/signal_generate', 'nosuchfield == 1'), /the kernel refused the filter for signal\/signal_generate \(EINVAL\): Field not found/);
  } finally {
    inst.remove();
  }
  assert.ok(!fs.existsSync(inst.dir));
});

test('more processes than one kernel filter can name: signal numbers only in the kernel, the scope kept by pid1', async (t) => {
  if (!requireTracefs(t)) return;
  // 300 sleeps: `pid == N || ...` for them is longer than a page.
  const ns = await startNamespace(['dash', '-c', 'i=0; while [ $i -lt 300 ]; do sleep 1000 & i=$((i+1)); done; wait']);
  const outside = spawn('sleep', ['1000'], { stdio: 'ignore' });
  try {
    await waitFor('300 sleeps', () => (fs.readFileSync(`/proc/${ns.initPid}/task/${ns.initPid}/children`, 'utf8').trim().split(' ').length >= 300 ? true : undefined), 20_000);
    const w = await startWatch(['--pid', String(ns.initPid), '--json']);
    const start = w.events[0];
    assert.equal(start?.event === 'watch' && start.filters['signal/signal_generate'], 'sig != 14 && sig != 17 && sig != 23 && sig != 26 && sig != 27');
    assert.match(w.stderr(), /301 processes are too many for one kernel filter/);
    process.kill(outside.pid as number, 'SIGTERM');
    process.kill(ns.initPid, 'SIGTERM');
    const term = await w.next('SIGTERM to the init', isSignal('SIGTERM'));
    assert.equal(term.target.pid, ns.initPid);
    assert.equal(term.reason, 'namespace-init-default');
    process.kill(ns.initPid, 'SIGKILL');
    const end = await w.exited;
    assert.equal(end.code, 1, w.stderr());
    const lost = await w.next('lost stop', (e): e is LostStopEvent => e.event === 'lost-stop');
    assert.equal(lost.processes, 301);
    // The process outside the namespace passed the kernel's filter but is not reported.
    assert.ok(!w.events.some((e) => e.event === 'signal' && e.target.pid === outside.pid), 'a process outside the scope');
  } finally {
    outside.kill('SIGKILL');
    await ns.destroy();
  }
});

/**
 * `pid1 init` when it is not PID 1: an ordinary child of the test, so it makes itself a child
 * subreaper. Also the command line: exit statuses, spawn failures, PID1_* variables, bad input, and
 * what the child inherits (session, signal mask and dispositions, stdio).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawn } from 'node:child_process';
import { CLI, pid1 } from './helpers/cli.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';
import { childrenOf, cmdlineOf } from '../src/proc/stat.js';
import { parseReport } from '../src/init/report.js';
import { eventsOf, initHere, killTree, lastRun, reportPath, svc, treeOf, waitForEvent } from './helpers/init.js';

const LEAN_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/init/bin.js');

function statusField(pid: number, field: string): string | undefined {
  try {
    return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

test('not PID 1: becomes a child subreaper; an orphan is re-parented to it, signalled and reaped', async () => {
  // The inner sh backgrounds svc and exits at once: svc is orphaned inside our tree.
  const init = initHere([], ['sh', '-c', `sh -c '${svc()} --name orphan --drain-ms 50 &'; echo spawned; while :; do sleep 0.05; done`]);
  try {
    await waitFor('orphan ready', () => (/orphan\[\d+\]: ready/.test(init.output()) ? true : undefined));
    const orphan = Number(/orphan\[(\d+)\]: ready/.exec(init.output())?.[1]);
    const start = await waitForEvent(init.report, 'start');
    assert.equal(start.namespaceInit, false);
    assert.equal(start.subreaper, true);
    await waitFor('orphan re-parented to pid1 init', () => (statusField(orphan, 'PPid') === String(init.pid) ? true : undefined));
    process.kill(init.pid, 'SIGTERM');
    const exit = await init.exited;
    assert.equal(exit.code, 143);
    assert.ok(/orphan\[\d+\]: graceful exit/.test(init.output()), init.output());
    const reaped = eventsOf(init.run(), 'exit').find((e) => e.pid === orphan);
    assert.equal(reaped?.main, false);
    assert.equal(reaped?.code, 0);
  } finally {
    killTree(init.pid);
  }
});

test('not PID 1: what outlives the main child is reported as re-parented (no kernel SIGKILL outside a namespace init)', async () => {
  const init = initHere([], ['sh', '-c', `${svc()} --name straggler & sleep 0.3; exit 4`]);
  let straggler: number | undefined;
  try {
    assert.equal((await init.exited).code, 4);
    const left = eventsOf(init.run(), 'left')[0];
    assert.equal(left?.fate, 're-parented');
    straggler = left?.pids[0]?.pid;
    assert.ok(straggler && /--name straggler/.test(left?.pids[0]?.cmd ?? ''), JSON.stringify(left));
    assert.ok(statusField(straggler, 'State'), 'it is still running after pid1 init exited');
  } finally {
    killTree(init.pid);
    if (straggler) killTree(straggler);
  }
});

test('not PID 1: TTIN, TTOU, PIPE, XFSZ and real-time signals neither stop nor kill the supervisor', async () => {
  const init = initHere([], ['sh', '-c', 'echo ready; while :; do sleep 0.05; done']);
  try {
    await waitFor('ready', () => (init.output().includes('ready') ? true : undefined));
    for (const sig of ['SIGTTIN', 'SIGTTOU', 'SIGPIPE', 'SIGXFSZ'] as const) process.kill(init.pid, sig);
    for (const rt of [34, 40, 64]) process.kill(init.pid, rt);
    await sleep(300);
    const state = statusField(init.pid, 'State') ?? '';
    assert.ok(/^[RS]/.test(state), `supervisor state: ${state}`);
    assert.deepEqual(eventsOf(init.run(), 'forward'), []);
  } finally {
    killTree(init.pid);
  }
});

test('the child runs in its own session and group, with no signal blocked or ignored, and stdio 0-2 open', async () => {
  // The child execs sleep and forks nothing: a shell caught mid-fork shows glibc's fork-time SigBlk, not what pid1 set.
  const init = initHere(['--report', 'none'], ['sh', '-c', 'echo ready; exec sleep 600']);
  try {
    await waitFor('ready', () => (init.output().includes('ready') ? true : undefined));
    const child = treeOf(init.pid)[0];
    assert.ok(child);
    assert.equal(statusField(child, 'NSsid'), String(child));
    assert.equal(statusField(child, 'NSpgid'), String(child));
    assert.equal(statusField(child, 'SigBlk'), '0000000000000000');
    assert.equal(statusField(child, 'SigIgn'), '0000000000000000', 'Node ignores SIGPIPE; the child must not inherit that');
    const fds = fs.readdirSync(`/proc/${child}/fd`).map(Number);
    for (const fd of [0, 1, 2]) assert.ok(fds.includes(fd), `fd ${fd} open in the child (Node opens stdio close-on-exec)`);
  } finally {
    killTree(init.pid);
  }
});

test('exit statuses and spawn failures', async () => {
  const cases: [string[], number][] = [
    [['sh', '-c', 'exit 0'], 0],
    [['sh', '-c', 'exit 3'], 3],
    [['sh', '-c', 'exit 255'], 255],
    [['sh', '-c', 'kill -TERM $$'], 143],
    [['sh', '-c', 'kill -KILL $$'], 137],
    [['no-such-command-pid1-test'], 127],
    [[os.tmpdir()], 126],
  ];
  for (const [cmd, status] of cases) {
    const r = await pid1(['init', '--report', reportPath(), '--', ...cmd]);
    assert.equal(r.code, status, `${cmd.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^pid1 init: exit ${status}`, 'm'));
  }
  // A command that cannot start is said even under --report none: nothing else would tell.
  const r = await pid1(['init', '--report', 'none', '--', 'no-such-command-pid1-test']);
  assert.equal(r.code, 127);
  assert.equal(r.stderr, 'pid1 init: exit 127: cannot run no-such-command-pid1-test: ENOENT: no such file or directory\n');
});

test('options after the command belong to the command', async () => {
  const r = await pid1(['init', '--report', 'none', 'sh', '-c', 'echo "$@"', 'x', '--grace', '5s']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '--grace 5s');
});

test('PID1_* variables set every option; the command line wins', async () => {
  const report = reportPath();
  const env = {
    PID1_SINGLE_CHILD: '1',
    PID1_REWRITE: 'TERM:QUIT,USR1:USR2',
    PID1_STOP_SIGNAL: 'TERM,INT',
    PID1_DRAIN: '250ms',
    PID1_GRACE: '3s',
    PID1_WAIT_ALL: 'true',
    PID1_REPORT: report,
  };
  assert.equal((await pid1(['init', '--', 'true'], { env })).code, 0);
  const start = lastRun(report)?.start;
  assert.deepEqual(start?.options, {
    singleChild: true,
    waitAll: true,
    drainMs: 250,
    graceMs: 3000,
    stopSignals: ['SIGTERM', 'SIGINT'],
    rewrite: { SIGTERM: 'SIGQUIT', SIGUSR1: 'SIGUSR2' },
  });
  assert.equal((await pid1(['init', '--no-single-child', '--no-wait-all', '--drain', '0', '--grace', '1m', '--rewrite', 'HUP:USR1', '--', 'true'], { env })).code, 0);
  const again = lastRun(report)?.start;
  assert.equal(again?.options.singleChild, false);
  assert.equal(again?.options.waitAll, false);
  assert.equal(again?.options.drainMs, 0);
  assert.equal(again?.options.graceMs, 60_000);
  assert.deepEqual(again?.options.rewrite, { SIGHUP: 'SIGUSR1' });
  assert.equal(parseInt(String(fs.readFileSync(report, 'utf8').match(/"init":"start"/g)?.length), 10), 2, 'the report file is appended to');
});

test('compound durations, as Docker and compose write them: --drain 1m30s, PID1_GRACE=1h2m', async () => {
  const report = reportPath();
  const r = await pid1(['init', '--report', report, '--drain', '1m30s', '--', 'true'], { env: { PID1_GRACE: '1h2m' } });
  assert.equal(r.code, 0, r.stderr);
  const options = lastRun(report)?.start?.options;
  assert.deepEqual([options?.drainMs, options?.graceMs], [90_000, 3_720_000]);
  const bad = await pid1(['init', '--grace', '1000h', '--', 'true']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'pid1: --grace: "1000h" is too long (at most 596h, about 24 days)\n');
});

test('--help says that real-time signals are ignored, not forwarded', async () => {
  const r = await pid1(['init', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout.replace(/\s+/g, ' '), /real-time signals are ignored, not forwarded/);
  assert.match(r.stdout.replace(/\s+/g, ' '), /Real-time signals \(SIGRTMIN\.\.SIGRTMAX, 34-64\) are IGNORED, NOT FORWARDED/);
});

test('bad input: one line naming the option or variable, exit 2', async () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--drain', 'soon', '--', 'true'], {}, /^pid1: --drain: "soon" is not a duration/],
    [['--', 'true'], { PID1_GRACE: '10 parsecs' }, /^pid1: PID1_GRACE: "10 parsecs" is not a duration/],
    [['--rewrite', 'TERM', '--', 'true'], {}, /^pid1: --rewrite: "TERM" is not FROM:TO/],
    [['--rewrite', 'KILL:TERM', '--', 'true'], {}, /SIGKILL cannot be caught/],
    [['--stop-signal', 'BOGUS', '--', 'true'], {}, /^pid1: --stop-signal: unknown signal "BOGUS"/],
    [['--', 'true'], { PID1_WAIT_ALL: 'maybe' }, /^pid1: PID1_WAIT_ALL: "maybe" is not a boolean/],
    [['--stop-signal', 'RTMIN+1', '--', 'true'], {}, /real-time signal/],
  ];
  for (const [args, env, re] of cases) {
    const r = await pid1(['init', ...args], { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('the lean entry (dist/src/init/bin.js) behaves as pid1 init', async () => {
  const init = initHere([], ['sh', '-c', 'exit 9'], { entry: LEAN_ENTRY });
  assert.equal((await init.exited).code, 9);
  assert.equal((await waitForEvent(init.report, 'final')).status, 9);
});

/** Whether a process's fd is O_NONBLOCK (its open file description's flags, /proc/PID/fdinfo). */
function nonBlocking(pid: number, fd: number): boolean {
  const flags = /^flags:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
  return flags !== undefined && (parseInt(flags, 8) & fs.constants.O_NONBLOCK) !== 0;
}

/** Everything a non-blocking read end gives until EOF (every writer closed), polling on EAGAIN. */
async function readToEof(rfd: number): Promise<string> {
  let out = '';
  const buf = Buffer.alloc(1 << 16);
  await waitFor(
    'EOF on stderr',
    async () => {
      for (;;) {
        let n: number;
        try {
          n = fs.readSync(rfd, buf);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
          await sleep(5);
          return undefined;
        }
        if (n === 0) return true;
        out += buf.subarray(0, n).toString();
      }
    },
    20_000,
    0,
  );
  return out;
}

test('a slow reader on a non-blocking stderr pipe: pid1 init keeps forwarding and reaping, and the summary comes once the reader drains', async () => {
  // stderr is a FIFO the test does not read for a while. The child is Node: touching process.stderr
  // makes the shared pipe O_NONBLOCK (libuv), so pid1 init's own report writes get EAGAIN once it is full.
  const dir = tempDir('pid1-slow-reader-');
  const fifo = path.join(dir, 'stderr');
  execFileSync('mkfifo', [fifo]);
  const count = path.join(dir, 'usr1');
  const orphanFile = path.join(dir, 'orphan');
  const child = path.join(dir, 'child.cjs');
  fs.writeFileSync(
    child,
    `
    const fs = require('fs');
    const { spawn } = require('child_process');
    let n = 0;
    process.on('SIGUSR1', () => fs.writeFileSync(${JSON.stringify(count)}, String(++n)));
    // An orphan for pid1 init to reap: sh backgrounds sleep and exits at once.
    process.on('SIGUSR2', () => spawn('sh', ['-c', 'sleep 0.3 & echo $! > ${orphanFile}'], { stdio: 'ignore' }));
    process.on('SIGTERM', () => process.exit(0));
    process.stderr.write('child up\\n');
    setInterval(() => {}, 1000);
  `,
  );
  const rfd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const wfd = fs.openSync(fifo, fs.constants.O_WRONLY);
  const init = spawn(process.execPath, [CLI, 'init', '--', process.execPath, child], { stdio: ['ignore', 'ignore', wfd] });
  fs.closeSync(wfd);
  const initPid = init.pid as number;
  const exited = new Promise<number | null>((resolve) => init.once('exit', (code) => resolve(code)));
  const received = (): number => Number(fs.existsSync(count) ? fs.readFileSync(count, 'utf8') || 0 : 0);
  try {
    const main = await waitFor('the child', () => childrenOf(initPid).find((c) => cmdlineOf(c)[1] === child));
    await waitFor('the child to make stderr non-blocking', () => {
      return nonBlocking(initPid, 2) ? true : undefined;
    });
    // The storm: each forward is a report line of ~150 bytes; 1,000 are more than twice the pipe's 64 KiB.
    await waitFor(
      '1,000 SIGUSR1 forwarded to the child',
      async () => {
        for (let i = 0; i < 20; i++) process.kill(initPid, 'SIGUSR1');
        await sleep(2);
        return received() >= 1000 ? true : undefined;
      },
      60_000,
      0,
    );
    // Still forwarding with the pipe full (one at a time now, so none can coalesce)...
    const before = received();
    process.kill(initPid, 'SIGUSR1');
    // Waits here are generous: the child works through a backlog of 1,000 handlers, slowly on a loaded machine.
    await waitFor('one more SIGUSR1 forwarded', () => (received() > before ? true : undefined), 30_000);
    // ...and still reaping: the orphan is re-parented to pid1 init, exits, and must not stay a zombie.
    process.kill(initPid, 'SIGUSR2');
    const orphan = await waitFor('the orphan', () => Number(fs.existsSync(orphanFile) ? fs.readFileSync(orphanFile, 'utf8') : 0) || undefined);
    await waitFor('the orphan reaped', () => (fs.existsSync(`/proc/${orphan}`) ? undefined : true), 30_000);
    process.kill(initPid, 'SIGTERM');
    await waitFor('the main child reaped', () => (fs.existsSync(`/proc/${main}`) ? undefined : true), 30_000);
    await sleep(300); // the reader is slow: pid1 init must wait for it, not exit and lose the end
    const out = await readToEof(rfd);
    assert.equal(await exited, 0);
    const run = parseReport(out).at(-1);
    assert.equal(run?.final?.status, 0, out.slice(-2000));
    assert.equal(run?.final?.dropped, undefined, 'no line dropped: the queue held them');
    assert.ok(eventsOf(run, 'forward').filter((e) => e.received === 'SIGUSR1').length >= received(), 'every forward has its line');
    assert.equal(eventsOf(run, 'exit').find((e) => e.pid === orphan)?.main, false);
    assert.match(out, /\npid1 init: exit 0: node\[\d+\] exited 0; SIGTERM received at [^\n]*\n$/, 'the summary is the last line');
  } finally {
    killTree(initPid);
    fs.closeSync(rfd);
  }
});

test("a child that leaves stderr's pipe full and blocking again (as Node does when it exits) cannot stall pid1 init: it still reaps", async () => {
  // fd 2's O_NONBLOCK belongs to the open file description the child shares: the child can clear it. pid1 init
  // writes through its own description of the pipe, so its report lines queue (EAGAIN) instead of blocking PID 1.
  const dir = tempDir('pid1-blocking-pipe-');
  const fifo = path.join(dir, 'stderr');
  execFileSync('mkfifo', [fifo]);
  const filled = path.join(dir, 'filled');
  const fill = path.join(dir, 'fill.py');
  fs.writeFileSync(
    fill,
    [
      'import fcntl, os',
      'flags = fcntl.fcntl(2, fcntl.F_GETFL)',
      'fcntl.fcntl(2, fcntl.F_SETFL, flags | os.O_NONBLOCK)',
      'for size in (4096, 1):',
      '    try:',
      '        while True:',
      "            os.write(2, b'\\n' * size)",
      '    except BlockingIOError:',
      '        pass',
      '# what Node does at exit (ResetStdio): the flags it found at start-up come back, O_NONBLOCK cleared',
      'fcntl.fcntl(2, fcntl.F_SETFL, flags)',
      `open(${JSON.stringify(filled)}, 'w').close()`,
      '',
    ].join('\n'),
  );
  const rfd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const wfd = fs.openSync(fifo, fs.constants.O_WRONLY);
  const init = spawn(process.execPath, [CLI, 'init', '--', 'sh', '-c', `python3 ${fill} && exec sleep 1000`], { stdio: ['ignore', 'ignore', wfd] });
  fs.closeSync(wfd);
  const initPid = init.pid as number;
  const exited = new Promise<number | null>((resolve) => init.once('exit', (code) => resolve(code)));
  try {
    const main = await waitFor('the child', () => childrenOf(initPid)[0]);
    await waitFor('the pipe full and blocking again', () => fs.existsSync(filled) || undefined, 30_000);
    // python has exited and sh exec'd sleep: the group is sleep alone (a signal to python mid-exit would leave it behind)
    await waitFor('sleep as the main child', () => (fs.readFileSync(`/proc/${main}/comm`, 'utf8').trim() === 'sleep' ? true : undefined), 30_000);
    assert.equal(nonBlocking(initPid, 2), false);
    // Forwarded to the group: sleep has no handler and dies of it; the forward's report line meets the full pipe.
    process.kill(initPid, 'SIGUSR1');
    await waitFor('the main child reaped while nobody reads', () => (fs.existsSync(`/proc/${main}`) ? undefined : true), 10_000);
    const out = await readToEof(rfd);
    const code = await exited;
    const run = parseReport(out).at(-1);
    assert.equal(run?.final?.status, code, out.slice(-2000));
    assert.ok(
      eventsOf(run, 'forward').some((e) => e.received === 'SIGUSR1'),
      'the forward has its line, written once the reader came',
    );
    assert.match(out, /\npid1 init: exit \d+ [^\n]*\n$/, 'the summary is the last line');
  } finally {
    killTree(initPid);
    fs.closeSync(rfd);
  }
});

test('--report none: no report and no summary line, on a clean exit and after a stop', async () => {
  const r = await pid1(['init', '--report', 'none', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n', "only the child's own stderr");
  const quiet = spawn(process.execPath, [CLI, 'init', '--report', 'none', '--', 'sh', '-c', 'echo ready; while :; do sleep 0.05; done'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  quiet.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  quiet.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => quiet.once('exit', (code) => resolve(code)));
  try {
    await waitFor('ready', () => (out.includes('ready') ? true : undefined));
    process.kill(quiet.pid as number, 'SIGTERM');
    assert.equal(await exited, 143);
    assert.equal(err, '');
  } finally {
    killTree(quiet.pid as number);
  }
});

test('--report FIFO with no reader: the service starts at once; the report waits for a reader and then arrives whole', async () => {
  const dir = tempDir('pid1-report-fifo-');
  const fifo = path.join(dir, 'report');
  execFileSync('mkfifo', [fifo]);
  const started = path.join(dir, 'started');
  const init = spawn(process.execPath, [CLI, 'init', '--report', fifo, '--', 'sh', '-c', `echo ok > ${started}; exec sleep 1000`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const initPid = init.pid as number;
  let stderr = '';
  init.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => init.once('exit', (code) => resolve(code)));
  try {
    // Before this change open(2) blocked in pid1 init until a reader came: the service never started.
    await waitFor('the service to start with nobody reading the report', () => (fs.existsSync(started) ? true : undefined));
    process.kill(initPid, 'SIGWINCH'); // a forward line, queued while there is no reader (sleep ignores WINCH)
    await sleep(200);
    // A reader comes: it gets what was queued, in order, then the rest as it happens.
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let got = '';
    reader.stdout?.on('data', (d: Buffer) => (got += d.toString()));
    const readerDone = new Promise<void>((resolve) => reader.once('exit', () => resolve()));
    await waitFor('the queued lines at the reader', () => (got.includes('"init":"forward"') ? true : undefined));
    process.kill(initPid, 'SIGTERM');
    assert.equal(await exited, 143);
    await readerDone;
    const run = parseReport(got).at(-1);
    assert.deepEqual(
      run?.events.map((e) => e.init),
      ['start', 'forward', 'signal', 'forward', 'exit', 'final'],
    );
    assert.equal(run?.final?.status, 143);
    assert.match(stderr, /^pid1 init: exit 143/m, 'the summary still goes to stderr');
  } finally {
    killTree(initPid);
  }
});

test('--report FIFO that never gets a reader: the service runs and stops normally; the exit waits at most 2 s for a reader', async () => {
  const dir = tempDir('pid1-report-fifo-');
  const fifo = path.join(dir, 'report');
  execFileSync('mkfifo', [fifo]);
  const t0 = Date.now();
  const r = await pid1(['init', '--report', fifo, '--', 'sh', '-c', 'echo ran; exit 6']);
  assert.equal(r.code, 6);
  assert.equal(r.stdout, 'ran\n');
  assert.match(r.stderr, /^pid1 init: exit 6: sh\[\d+\] exited 6\n$/);
  // Structural, not a timing assertion on speed: it must not block for ever (the test's own timeout
  // would catch that); the bound itself is EXIT_FLUSH_MS.
  assert.ok(Date.now() - t0 < 30_000);
});

test('--grace 0 SIGKILLs at once what the stop signal did not end (as docker stop -t 0); without --grace nothing is ever SIGKILLed', async () => {
  const report = reportPath();
  const r = spawn(process.execPath, [CLI, 'init', '--report', report, '--grace', '0', '--', svc(), '--name', 'slow', '--drain-ms', '60000'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  r.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => r.once('exit', (code) => resolve(code)));
  try {
    await waitFor('ready', () => (/slow\[\d+\]: ready/.test(out) ? true : undefined));
    // The report is written by the init, the output by the service: wait for the start event too.
    await waitForEvent(report, 'start');
    assert.equal(lastRun(report)?.start?.options.graceMs, 0);
    process.kill(r.pid as number, 'SIGTERM');
    assert.equal(await exited, 137, 'the service was SIGKILLed, not waited for');
    const run = lastRun(report);
    const order = run?.events.map((e) => e.init);
    assert.deepEqual(order?.slice(1, 4), ['signal', 'forward', 'escalate'], 'the stop signal is forwarded first, then SIGKILL');
    // SIGTERM went to the service before the SIGKILL (the forward event names it); whether its handler got to
    // log before a 0 s grace ran out is the scheduler's business on a busy machine, so the log is not asserted.
    const servicePid = Number(/slow\[(\d+)\]: ready/.exec(out)?.[1]);
    assert.ok(
      eventsOf(run, 'forward').some((e) => e.pids.some((p) => p.pid === servicePid)),
      JSON.stringify(run?.events),
    );
    assert.equal(eventsOf(run, 'exit')[0]?.signal, 'SIGKILL');
  } finally {
    killTree(r.pid as number);
  }
  // No --grace: the start event says null (never), and a slow service is waited for.
  const never = initHere([], [svc(), '--name', 'slow', '--drain-ms', '700']);
  try {
    await waitForEvent(never.report, 'start');
    assert.equal(never.run()?.start?.options.graceMs, null);
    await waitFor('ready', () => (/slow\[\d+\]: ready/.test(never.output()) ? true : undefined));
    process.kill(never.pid, 'SIGTERM');
    assert.equal((await never.exited).code, 0, 'drained 700 ms and exited 0');
    assert.deepEqual(eventsOf(never.run(), 'escalate'), []);
  } finally {
    killTree(never.pid);
  }
});

test('bad option syntax: one line, exit 2', async () => {
  for (const [args, line] of [
    [['--bogus', '--', 'true'], "pid1: unknown option '--bogus' for pid1 init (pid1 init --help lists them)\n"],
    [['--grace'], 'pid1: --grace needs a value (one that starts with "-" is written --grace=-...)\n'],
    [['--wait-all=yes', '--', 'true'], 'pid1: --wait-all takes no value\n'],
    [['--grace', '5s'], 'pid1: pid1 init needs a command: pid1 init [OPTIONS] -- CMD [ARGS...]\n'],
  ] as const) {
    const r = await pid1(['init', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr, line);
  }
});

test('the init path loads only the init: no commander, YAML, tree-sitter or dockerode, nothing from the other commands', async () => {
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  // What the bundle is made of (esbuild's metafile, written by `npm run build`).
  const inputs = JSON.parse(fs.readFileSync(path.join(dist, 'init-bundle-inputs.json'), 'utf8')) as string[];
  assert.deepEqual(
    inputs.filter((f) => !/^(src\/(init|util|model|proc)\/[\w-]+\.ts|koffi-direct:koffi)$/.test(f)),
    [],
  );
  // What each entry loads at run time: every ESM resolve (a loader hook) and every require().
  const dir = tempDir('pid1-init-loads-');
  const log = path.join(dir, 'loads');
  const hook = path.join(dir, 'hook.mjs');
  fs.writeFileSync(
    hook,
    `
    import fs from 'node:fs';
    import Module, { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(\`
      import fs from 'node:fs';
      export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); fs.appendFileSync(${JSON.stringify(log)}, r.url + '\\\\n'); return r; }\`));
    const load = Module._load;
    Module._load = function (request, parent, isMain) { fs.appendFileSync(${JSON.stringify(log)}, 'require ' + request + '\\n'); return load.apply(this, arguments); };
  `,
  );
  const bin = path.join(dist, 'src/cli/pid1.cjs');
  const entries: [string, string[]][] = [
    ['pid1 init (the bin, package.json)', [bin, 'init']],
    ['pid1 init (the CLI)', [CLI, 'init']],
    ['the bundle', [path.join(dist, 'init/pid1-init.cjs')]],
    ['the unbundled entry', [LEAN_ENTRY]],
  ];
  for (const [what, entry] of entries) {
    fs.rmSync(log, { force: true });
    const r = execFileSync(process.execPath, ['--import', hook, ...entry, '--report', 'none', '--', 'sh', '-c', 'exit 0'], { encoding: 'utf8' });
    assert.equal(r, '');
    const loaded = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      loaded.some((l) => /koffi/.test(l)),
      `${what} loads koffi: ${loaded.join(' ')}`,
    );
    const foreign = loaded.filter((l) => /commander|yaml|tree-sitter|dockerode|node_modules\/ignore|dist\/src\/(cli\/(?!main\.js|pid1\.cjs)|lint|rules|runtime|report|sources|document)/.test(l));
    assert.deepEqual(foreign, [], what);
    // the bin requires the bundle itself: no ESM module (main.js) is loaded on the way, which is what it saves
    if (entry[0] === bin) {
      assert.ok(
        loaded.some((l) => /^require .*pid1-init\.cjs$/.test(l)),
        loaded.join(' '),
      );
      // (with a loader hook registered Node resolves the entry itself through the ESM resolver too)
      assert.deepEqual(
        loaded.filter((l) => /^file:.*\/dist\//.test(l) && !l.endsWith('/cli/pid1.cjs')),
        [],
        'no ESM module of pid1',
      );
    }
  }
});

test('the summary says plainly how each other reaped process ended (not "(1 not 0)")', async () => {
  // Two orphans for pid1 init to reap (each backgrounded from a subshell that exits at once): one exits 3.
  const r = await pid1(['init', '--report', reportPath(), '--', 'sh', '-c', '(sh -c "exit 3" &); (sleep 0.1 &); sleep 0.6; exit 0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^pid1 init: exit 0: sh\[\d+\] exited 0; 2 other processes reaped: sh\[\d+\] exited 3, sleep\[\d+\] exited 0\n$/m);
});

test('the bundle without koffi.node beside it (and no koffi package to fall back on): one line saying what is missing, exit 2', async () => {
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = tempDir('pid1-lone-bundle-');
  fs.copyFileSync(path.join(dist, 'init/pid1-init.cjs'), path.join(dir, 'pid1-init.cjs'));
  const r = spawn(process.execPath, [path.join(dir, 'pid1-init.cjs'), '--', 'true'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let err = '';
  r.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => r.once('exit', resolve));
  assert.equal(code, 2);
  assert.match(err, /^pid1: pid1 init needs koffi\.node beside pid1-init\.cjs, built for this machine \(Cannot find module '\.\/koffi\.node'[^\n]*\)\n$/);
});

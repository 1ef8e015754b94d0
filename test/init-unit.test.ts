/** `pid1 init`'s pure parts: option parsing and the report format (parse + summary). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseDuration, parseRewrite, resolveOptions } from '../src/init/options.js';
import { LineWriter, openReport, parseReport, Reporter, summarize, QUEUE_MAX_BYTES, type InitEvent } from '../src/init/report.js';
import { SIGNAL_POLICY } from '../src/init/init.js';
import { parseInitArgs } from '../src/init/main.js';
import { UserError } from '../src/util/errors.js';
import { sleep, tempDir } from './helpers/exec.js';

test('parseDuration', () => {
  const ok: [string, number][] = [
    ['0', 0],
    ['5', 5000],
    ['5s', 5000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [' 20s ', 20_000],
  ];
  for (const [text, ms] of ok) assert.equal(parseDuration(text, '--x'), ms, text);
  for (const bad of ['', 's', '-1s', '5x', '1e3', '5 s s'])
    assert.throws(
      () => parseDuration(bad, '--drain'),
      (e: unknown) => e instanceof UserError && e.message.startsWith('--drain: '),
    );
});

test('parseDuration takes compound durations (the shared parser) and refuses what a timer cannot hold', () => {
  const ok: [string, number][] = [
    ['1m30s', 90_000],
    ['1h2m3s', 3_723_000],
    ['1.5m', 90_000],
    ['.5s', 500],
    ['250ms', 250],
    ['1500us', 2],
    ['596h', 596 * 3_600_000],
  ];
  for (const [text, ms] of ok) assert.equal(parseDuration(text, '--x'), ms, text);
  for (const bad of ['1m30', '30s1', 'm30s', '1d'])
    assert.throws(
      () => parseDuration(bad, 'PID1_GRACE'),
      (e: unknown) => e instanceof UserError && e.message === `PID1_GRACE: "${bad}" is not a duration (e.g. 500ms, 5s, 1m30s)`,
      bad,
    );
  // Node fires a timer of more than 2^31-1 ms after 1 ms: such a grace would SIGKILL at once.
  assert.throws(
    () => parseDuration('597h', '--grace'),
    (e: unknown) => e instanceof UserError && e.message === '--grace: "597h" is too long (at most 596h, about 24 days)',
  );
});

test('parseRewrite: names, numbers, SIG prefixes, lists and repeats', () => {
  const m = parseRewrite(['TERM:QUIT,sigint:3', '10:SIGUSR2'], '--rewrite');
  assert.deepEqual(
    [...m],
    [
      [15, 3],
      [2, 3],
      [10, 12],
    ],
  );
  assert.throws(() => parseRewrite(['TERM'], '--rewrite'), /not FROM:TO/);
  assert.throws(() => parseRewrite(['CHLD:TERM'], '--rewrite'), /SIGCHLD is how pid1 learns/);
  assert.throws(() => parseRewrite(['TERM:NOPE'], '--rewrite'), /unknown signal "NOPE"/);
});

test('resolveOptions: defaults, environment, command line over environment', () => {
  const d = resolveOptions({}, {});
  assert.deepEqual(
    { ...d, stopSignals: [...d.stopSignals], rewrite: [...d.rewrite] },
    {
      singleChild: false,
      waitAll: false,
      drainMs: 0,
      graceMs: null,
      stopSignals: [15],
      rewrite: [],
      report: 'stderr',
    },
  );
  const env = { PID1_SINGLE_CHILD: 'yes', PID1_DRAIN: '2s', PID1_GRACE: '', PID1_REPORT: '/tmp/r' };
  const e = resolveOptions({}, env);
  assert.equal(e.singleChild, true);
  assert.equal(e.drainMs, 2000);
  assert.equal(e.graceMs, null, 'an empty variable is unset: never');
  assert.equal(resolveOptions({ grace: '0' }, {}).graceMs, 0, '--grace 0 is at once, not never');
  assert.equal(e.report, '/tmp/r');
  const c = resolveOptions({ singleChild: false, drain: '1s', report: 'none' }, env);
  assert.equal(c.singleChild, false);
  assert.equal(c.drainMs, 1000);
  assert.equal(c.report, 'none');
});

test('the signal policy names every catchable classic signal once and never forwards CHLD or a fault', () => {
  const names = SIGNAL_POLICY.map(([s]) => s);
  assert.equal(new Set(names).size, names.length);
  assert.equal(names.length, 29, '31 classic signals minus KILL and STOP');
  const decision = new Map(SIGNAL_POLICY);
  assert.equal(decision.get('SIGCHLD'), 'reap');
  for (const s of ['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT', 'SIGTRAP', 'SIGSYS'] as const) assert.equal(decision.get(s), 'self', s);
  for (const s of ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGTSTP', 'SIGCONT'] as const) assert.equal(decision.get(s), 'forward', s);
});

const RUN: InitEvent[] = [
  {
    init: 'start',
    t: 80,
    time: '2025-01-01T00:00:00.000Z',
    pid: 1,
    namespaceInit: true,
    subreaper: false,
    child: 7,
    argv: ['sh', '-c', 'svc'],
    options: { singleChild: false, waitAll: false, drainMs: 5000, graceMs: 20000, stopSignals: ['SIGTERM'], rewrite: {} },
  },
  { init: 'signal', t: 1000, signal: 'SIGTERM', stop: true },
  { init: 'drain', t: 1000, signal: 'SIGTERM', ms: 5000 },
  {
    init: 'forward',
    t: 6000,
    received: 'SIGTERM',
    signal: 'SIGTERM',
    to: 'group',
    pgid: 7,
    pids: [
      { pid: 7, name: 'sh' },
      { pid: 8, name: 'svc' },
    ],
    delivered: true,
  },
  { init: 'exit', t: 6001, pid: 7, name: 'sh', main: true, signal: 'SIGTERM', status: 143 },
  { init: 'wait', t: 6002, reason: 'stop', for: [{ pid: 8, name: 'svc' }], signalled: [], graceMs: 20000 },
  { init: 'escalate', t: 26000, signal: 'SIGKILL', afterMs: 20000, pids: [{ pid: 8, name: 'svc', cmd: 'svc --slow' }] },
  { init: 'exit', t: 26001, pid: 8, name: 'svc', main: false, signal: 'SIGKILL', status: 137 },
];

test('parseReport skips foreign lines and splits runs at start', () => {
  const text = [
    'svc[8]: ready',
    ...RUN.map((e) => JSON.stringify(e)),
    '{"level":"info","msg":"a service JSON log line"}',
    '{"init":"final","t":26002,"status":143,"summary":"x"}',
    'not json {',
    JSON.stringify({ ...RUN[0], t: 70 }),
    '{"init":"exit","t":90,"pid":7,"name":"sh","main":true,"code":0,"status":0}',
  ].join('\n');
  const runs = parseReport(text);
  assert.equal(runs.length, 2);
  assert.equal(runs[0]?.events.length, RUN.length + 1);
  assert.equal(runs[0]?.final?.status, 143);
  assert.equal(runs[1]?.start?.t, 70);
  assert.equal(runs[1]?.final, undefined);
});

test('summarize explains the status, the stop, the drain and the escalation in one line', () => {
  const line = summarize({ events: [...RUN, { init: 'final', t: 26002, status: 143, summary: '' }] });
  assert.equal(line.split('\n').length, 1);
  assert.match(line, /^pid1 init: exit 143 = 128\+15 \(SIGTERM\): sh\[7\] was killed by SIGTERM/);
  assert.match(line, /SIGTERM received at 1\.00s, forwarded to group 7 after a 5\.00s drain/);
  assert.match(line, /SIGKILLed after the 20\.0s grace: svc\[8\]/);
  assert.match(line, /1 other process reaped: svc\[8\] was killed by SIGKILL/);
  const failed = summarize({ events: [{ init: 'spawn-failed', t: 1, argv: ['x'], error: 'cannot run x: ENOENT: no such file or directory', status: 127 }] });
  assert.equal(failed, 'pid1 init: exit 127: cannot run x: ENOENT: no such file or directory');
});

test('LineWriter on a full non-blocking pipe: queues without spinning, drops past its bound with a count, flushes when the reader drains', async () => {
  // A real FIFO, both ends non-blocking, nobody reading: what stderr is when a Node child shares it.
  const fifo = path.join(tempDir('pid1-linewriter-'), 'pipe');
  execFileSync('mkfifo', [fifo]);
  const rfd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const wfd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  try {
    const w = new LineWriter(wfd, 4096);
    const line = `${'x'.repeat(99)}\n`;
    let written = 0;
    for (; w.pending === 0; written++) w.write(line); // until EAGAIN: the pipe is full, that line waits
    assert.ok(written > 100, `the pipe took ${written} lines`);
    for (let i = 0; i < 100; i++) w.write(line);
    const queuedOk = 100 - w.dropped;
    assert.ok(w.dropped > 0 && queuedOk > 0, `dropped ${w.dropped} of 100`);
    assert.ok(w.pending <= 4096 + line.length, `queue held to its bound: ${w.pending}`);
    w.write('final\n', true); // essential: queued past the bound
    const flushed = w.flushed(10_000);
    const before = w.retries;
    await sleep(300); // nobody reads yet: the writer must sit idle, retrying from a backing-off timer
    const retries = w.retries - before;
    assert.ok(retries >= 1 && retries <= 10, `${retries} retries in 300 ms (5, 10, 20, 40, 80, 100 ms apart)`);
    let got = '';
    const buf = Buffer.alloc(1 << 16);
    while (!got.endsWith('final\n')) {
      try {
        got += buf.subarray(0, fs.readSync(rfd, buf)).toString();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        await sleep(5);
      }
    }
    assert.equal(await flushed, true);
    assert.equal(w.pending, 0);
    const lines = got.split('\n').slice(0, -1);
    assert.equal(lines.length, written + queuedOk + 1, 'every line not dropped arrived, once');
    assert.ok(
      lines.slice(0, -1).every((l) => `${l}\n` === line),
      'whole lines, in order',
    );
  } finally {
    fs.closeSync(wfd);
    fs.closeSync(rfd);
  }
});

test('summarize says plainly how the other processes ended', () => {
  const exit = (pid: number, e: { code?: number; signal?: string }): InitEvent => ({ init: 'exit', t: pid, pid, name: `w${pid}`, main: false, ...e, status: e.signal ? 137 : (e.code ?? 0) });
  const main: InitEvent = { init: 'exit', t: 1, pid: 7, name: 'sh', main: true, code: 0, status: 0 };
  const line = (others: InitEvent[]): string => summarize({ events: [main, ...others] });
  assert.equal(line([exit(8, { code: 0 })]), 'pid1 init: exit 0: sh[7] exited 0; 1 other process reaped: w8[8] exited 0');
  assert.equal(line([exit(8, { code: 0 }), exit(9, { signal: 'SIGKILL' })]), 'pid1 init: exit 0: sh[7] exited 0; 2 other processes reaped: w8[8] exited 0, w9[9] was killed by SIGKILL');
  const many = Array.from({ length: 40 }, (_, i) => exit(100 + i, { code: i === 5 ? 3 : 0 }));
  assert.equal(line(many), 'pid1 init: exit 0: sh[7] exited 0; 40 other processes reaped: 39 exited 0, 1 did not: w105[105] exited 3');
  assert.equal(line(many.map((e) => ({ ...e, code: 0, status: 0 }))), 'pid1 init: exit 0: sh[7] exited 0; 40 other processes reaped: all exited 0');
  assert.doesNotMatch(line(many), /not 0\)/, 'no "(1 not 0)"');
});

test('parseInitArgs: options end at -- or at the command; the command keeps its own options', () => {
  assert.deepEqual(parseInitArgs(['--grace', '5s', '--', 'sh', '-c', 'x']).cmd, ['sh', '-c', 'x']);
  const p = parseInitArgs(['--report=r', '--wait-all', '--rewrite', 'TERM:QUIT', '--rewrite', 'INT:QUIT', 'node', '--inspect', 'app.js', '--grace', '1s']);
  assert.deepEqual(p.cmd, ['node', '--inspect', 'app.js', '--grace', '1s']);
  assert.deepEqual([p.raw.report, p.raw.waitAll, p.raw.rewrite, p.raw.grace], ['r', true, ['TERM:QUIT', 'INT:QUIT'], undefined]);
  assert.equal(parseInitArgs(['--no-single-child', '--', 'x']).raw.singleChild, false);
  assert.equal(parseInitArgs(['-h']).help, true);
  assert.deepEqual(parseInitArgs(['--', '--weird-name']).cmd, ['--weird-name']);
  for (const [args, re] of [
    [['--bogus', '--', 'x'], /^unknown option '--bogus' for pid1 init/],
    [['--grace'], /^--grace needs a value/],
    [['--report', '--', 'x'], /^--report needs a value/],
    [['--wait-all=1', 'x'], /^--wait-all takes no value/],
  ] as const) {
    assert.throws(
      () => parseInitArgs([...args]),
      (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n'),
      args.join(' '),
    );
  }
});

test('LineWriter on a FIFO report: opens without blocking, queues until a reader comes, and waits for the next reader when one leaves', async () => {
  const fifo = path.join(tempDir('pid1-report-fifo-'), 'report');
  execFileSync('mkfifo', [fifo]);
  assert.equal(openReport(fifo), undefined, 'no reader: ENXIO, not a blocked open');
  const w = new LineWriter(undefined, QUEUE_MAX_BYTES, () => openReport(fifo));
  w.write('one\n');
  await sleep(50);
  assert.equal(w.pending, 4, 'held while nobody reads');
  const readAll = async (fd: number, want: string): Promise<string> => {
    let got = '';
    const buf = Buffer.alloc(4096);
    for (let i = 0; i < 400 && !got.endsWith(want); i++) {
      try {
        const n = fs.readSync(fd, buf);
        got += buf.subarray(0, n).toString();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      }
      await sleep(5);
    }
    return got;
  };
  const first = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  assert.equal(await w.flushed(5000), true);
  assert.equal(await readAll(first, 'one\n'), 'one\n');
  fs.closeSync(first); // the reader leaves: the next write gets EPIPE (Node ignores SIGPIPE)
  w.write('two\n');
  w.write('three\n');
  await sleep(50);
  assert.equal(w.pending, 10, 'kept for the next reader, not dropped');
  const second = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    assert.equal(await w.flushed(5000), true);
    assert.equal(await readAll(second, 'three\n'), 'two\nthree\n');
    assert.equal(w.dropped, 0);
  } finally {
    fs.closeSync(second);
  }
});

test('the supervisor keeps a bounded digest for its summary: plain forwards and most other exits are written, not held', () => {
  const r = new Reporter('none');
  r.emit({ init: 'exit', pid: 7, name: 'sh', main: true, code: 0, status: 0 });
  for (let i = 0; i < 10_000; i++) {
    r.emit({ init: 'forward', received: 'SIGWINCH', signal: 'SIGWINCH', to: 'group', pgid: 7, pids: [], delivered: true }, undefined, false);
    const failed = i % 1000 === 999;
    r.emit({ init: 'exit', pid: 100 + i, name: 'job', main: false, ...(failed ? { code: 1 } : { code: 0 }), status: failed ? 1 : 0 });
  }
  assert.ok(r.events.length <= 1 + 3 + 5, `${r.events.length} events held`);
  assert.deepEqual(r.unlisted, { exited0: 9987, failed: 5 });
  assert.equal(
    summarize(r.run),
    'pid1 init: exit 0: sh[7] exited 0; 10000 other processes reaped: 9990 exited 0, 10 did not: job[1099] exited 1, job[2099] exited 1, job[3099] exited 1, job[4099] exited 1, job[5099] exited 1 and 5 more',
  );
});

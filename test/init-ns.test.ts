/**
 * `pid1 init` as PID 1 of real PID namespaces (unshare --pid --fork --mount-proc): signals are sent
 * from the host, an ancestor namespace, as a runtime would. Real shells (bash, dash), the real test
 * service (svc), real orphans. Assertions read the init's JSON-lines report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep, waitFor } from './helpers/exec.js';
import { startNamespace } from './helpers/ns.js';
import { childPids, eventsOf, initInNamespace, lastRun, svc, waitForEvent } from './helpers/init.js';
import { SIGNAL_POLICY } from '../src/init/init.js';
import { readStat } from '../src/proc/stat.js';

const forwarded = SIGNAL_POLICY.filter(([, d]) => d === 'forward').map(([s]) => s.slice(3));
const notForwarded = ['CHLD', 'PIPE', 'XFSZ', 'TTIN', 'TTOU'];

/** bash that traps `sigs`, says "<who> got SIG" for each, and never forks (read -t on a FIFO sleeps). */
function trapper(who: string, sigs: string[]): string {
  return `for s in ${sigs.join(' ')}; do trap "echo ${who} got $s" $s; done; echo ${who} ready; while :; do read -t 0.05 -u 9 _; done`;
}
/** A FIFO on fd 9 for `read -t` to wait on, made before any trap is set. */
const FIFO9 = 'f=$(mktemp -u); mkfifo "$f"; exec 9<>"$f"; rm "$f"';

function zombiesUnder(pid: number): number[] {
  return childPids(pid).filter((c) => readStat(c)?.state === 'Z');
}

test('forwards every forwardable signal to the group; never CHLD, PIPE, XFSZ, TTIN, TTOU', async () => {
  const script = `${FIFO9}; ${trapper('main', [...forwarded, ...notForwarded])}`;
  const { ns, report } = await initInNamespace([], ['bash', '-c', script], { readyLine: /main ready/ });
  try {
    for (const sig of forwarded) {
      process.kill(ns.initPid, `SIG${sig}` as NodeJS.Signals);
      await waitFor(`main got ${sig}`, () => (ns.output().includes(`main got ${sig}\n`) ? true : undefined));
    }
    for (const sig of notForwarded) process.kill(ns.initPid, `SIG${sig}` as NodeJS.Signals);
    // A sentinel after them: once it arrived, any of those forwarded would have arrived too.
    process.kill(ns.initPid, 'SIGUSR2');
    await waitFor('the sentinel', () => (ns.output().split('main got USR2').length > 2 ? true : undefined));
    await sleep(200);
    for (const sig of notForwarded) assert.ok(!ns.output().includes(`main got ${sig}\n`), `SIG${sig} must not be forwarded`);
    // Our SIGUSR1 listener replaces Node's "start the inspector on SIGUSR1".
    assert.ok(!/Debugger listening/.test(ns.output()));
    const fwd = eventsOf(lastRun(report), 'forward');
    assert.deepEqual(new Set(fwd.map((e) => e.received)), new Set(forwarded.map((s) => `SIG${s}`)));
    for (const e of fwd) {
      assert.equal(e.to, 'group');
      assert.equal(e.delivered, true);
    }
  } finally {
    await ns.destroy();
  }
});

test('real-time signals are ignored, not forwarded (Node cannot listen for them)', async () => {
  // bash names real-time signals from glibc's SIGRTMIN (34): RTMIN+3 is 37, systemd's halt signal.
  const script = `${FIFO9}; ${trapper('main', ['RTMIN', 'RTMIN+3', 'RTMAX', 'USR2'])}`;
  const { ns, report } = await initInNamespace([], ['bash', '-c', script], { readyLine: /main ready/ });
  try {
    for (const rt of [34, 37, 64]) process.kill(ns.initPid, rt);
    // The sentinel, sent after them: once it is forwarded, they would have been too.
    process.kill(ns.initPid, 'SIGUSR2');
    await waitFor('the sentinel', () => (/main got USR2/.test(ns.output()) ? true : undefined));
    assert.ok(!/main got RT/.test(ns.output()), ns.output());
    // the report line is written after the forward: the child may print first
    await waitFor('the forward in the report', () => (eventsOf(lastRun(report), 'forward').length ? true : undefined));
    assert.deepEqual(
      eventsOf(lastRun(report), 'forward').map((e) => e.received),
      ['SIGUSR2'],
    );
    assert.ok(fs.existsSync(`/proc/${ns.initPid}`), 'pid1 init is still running');
  } finally {
    await ns.destroy();
  }
});

test('a classic signal can be sent on as a real-time one: --rewrite TERM:RTMIN+3', async () => {
  const script = `${FIFO9}; ${trapper('main', ['RTMIN+3', 'TERM'])}`;
  const { ns, report } = await initInNamespace(['--rewrite', 'TERM:RTMIN+3'], ['bash', '-c', script], { readyLine: /main ready/ });
  try {
    process.kill(ns.initPid, 'SIGTERM');
    await waitFor('main got RTMIN+3', () => (/main got RTMIN\+3/.test(ns.output()) ? true : undefined));
    assert.ok(!/main got TERM/.test(ns.output()), ns.output());
    const fwd = await waitForEvent(report, 'forward');
    assert.deepEqual([fwd.received, fwd.signal], ['SIGTERM', 'SIGRTMIN+3']);
  } finally {
    await ns.destroy();
  }
});

const MEMBER = `bash -c '${trapper('member', ['USR1', 'HUP'])}' &`;

test('group mode: the signal reaches the main child and the other members of its group', async () => {
  const script = `${FIFO9}; ${MEMBER} ${trapper('main', ['USR1', 'HUP'])}`;
  const { ns, report } = await initInNamespace([], ['bash', '-c', script], { readyLine: /member ready[\s\S]*main ready|main ready[\s\S]*member ready/ });
  try {
    process.kill(ns.initPid, 'SIGUSR1');
    await waitFor('both got USR1', () => (/main got USR1/.test(ns.output()) && /member got USR1/.test(ns.output()) ? true : undefined));
    const fwd = await waitForEvent(report, 'forward');
    assert.equal(fwd.pids.length, 2, 'the group has two members: main bash and the member bash');
  } finally {
    await ns.destroy();
  }
});

test('--single-child: only the main child gets it', async () => {
  // The member also traps USR2: the sentinel the test sends it directly, after the forwards.
  const member = `bash -c '${trapper('member', ['USR1', 'HUP', 'USR2'])}' &`;
  const script = `${FIFO9}; ${member} ${trapper('main', ['USR1', 'HUP'])}`;
  const { ns, report } = await initInNamespace(['--single-child'], ['bash', '-c', script], { readyLine: /member ready[\s\S]*main ready|main ready[\s\S]*member ready/ });
  try {
    const [main] = childPids(ns.initPid);
    const [memberPid] = main === undefined ? [] : childPids(main);
    assert.ok(memberPid, 'the member bash runs under the main bash');
    process.kill(ns.initPid, 'SIGUSR1');
    await waitFor('main got USR1', () => (/main got USR1/.test(ns.output()) ? true : undefined));
    process.kill(ns.initPid, 'SIGHUP');
    await waitFor('main got HUP', () => (/main got HUP/.test(ns.output()) ? true : undefined));
    // Ordered, not timed: had pid1 init signalled the group, kill(2) would have made USR1 and HUP
    // pending at the member before it returned, i.e. before the main child could print. The kernel
    // delivers the lower-numbered pending signals first and bash runs pending traps in signal order,
    // so once the member says it got USR2 (12), it would already have said USR1 (10) and HUP (1).
    process.kill(memberPid, 'SIGUSR2');
    await waitFor('the sentinel at the member', () => (/member got USR2/.test(ns.output()) ? true : undefined));
    assert.ok(!/member got (USR1|HUP)/.test(ns.output()), ns.output());
    const fwd = await waitForEvent(report, 'forward');
    assert.equal(fwd.to, 'child');
    assert.equal(fwd.pids.length, 1);
  } finally {
    await ns.destroy();
  }
});

const WRAPPED_SVC = (bin: string): string[] => ['dash', '-c', `${bin} --workers 2 --drain-ms 300; echo wrapper-after`];

test('dash wrapper + service: SIGTERM reaches the service and its workers, which exit gracefully', async () => {
  // dash never execs the last command of -c: the service is a grandchild, in the wrapper's group.
  const { ns, report } = await initInNamespace([], WRAPPED_SVC(svc()), { readyLine: /(worker ready[\s\S]*){2}/ });
  try {
    process.kill(ns.initPid, 'SIGTERM');
    const exit = await ns.exited;
    assert.equal(exit.code, 143, 'dash itself dies of SIGTERM: 128+15');
    assert.equal(ns.output().match(/graceful exit/g)?.length, 3, ns.output());
    const final = await waitForEvent(report, 'final');
    assert.equal(final.status, 143);
    const wait = await waitForEvent(report, 'wait');
    assert.equal(wait.reason, 'stop');
    const svcMaster = eventsOf(lastRun(report), 'exit').find((e) => e.name === 'svc');
    assert.equal(svcMaster?.code, 0, 'the service exited 0 after draining');
  } finally {
    await ns.destroy();
  }
});

test('control: the same wrapper under tini -g loses the graceful exit (the kernel SIGKILLs the service)', async (t) => {
  if (!fs.existsSync('/usr/bin/tini')) return t.skip('tini is not installed');
  const ns = await startNamespace(['/usr/bin/tini', '-g', '--', ...WRAPPED_SVC(svc())], { readyLine: /(worker ready[\s\S]*){2}/ });
  try {
    process.kill(ns.initPid, 'SIGTERM');
    await ns.exited;
    assert.ok(!/graceful exit/.test(ns.output()), ns.output());
  } finally {
    await ns.destroy();
  }
});

test('exit statuses come through: code, 128+N for a signal', async () => {
  for (const [script, status] of [
    ['exit 0', 0],
    ['exit 42', 42],
    ['kill -KILL $$', 137],
    ['kill -SEGV $$', 139],
  ] as const) {
    const { ns, report } = await initInNamespace([], ['sh', '-c', script]);
    try {
      const exit = await ns.exited;
      assert.equal(exit.code, status, script);
      const final = await waitForEvent(report, 'final');
      assert.equal(final.status, status);
    } finally {
      await ns.destroy();
    }
  }
});

test('zombie storm: 1,000 orphans are all reaped', async () => {
  const script = 'i=0; while [ $i -lt 1000 ]; do (sleep 0.2 &); i=$((i+1)); done; echo spawned; while [ ! -e "$1" ]; do sleep 0.05; done';
  const done = path.join(os.tmpdir(), `pid1-storm-${process.pid}-${Date.now()}`);
  const { ns, report, run } = await initInNamespace([], ['dash', '-c', script, 'storm', done]);
  try {
    await waitFor('1,000 orphans reaped', () => (eventsOf(run(), 'exit').filter((e) => e.name === 'sleep' && !e.main).length >= 1000 ? true : undefined), 60_000, 100);
    assert.equal(eventsOf(run(), 'exit').filter((e) => e.name === 'sleep').length, 1000, 'each orphan reaped exactly once');
    assert.deepEqual(zombiesUnder(ns.initPid), [], 'no zombie left under the init');
    fs.writeFileSync(done, '');
    assert.equal((await ns.exited).code, 0);
    const final = await waitForEvent(report, 'final');
    assert.ok((final.stats?.reaped ?? 0) >= 1001);
  } finally {
    fs.rmSync(done, { force: true });
    await ns.destroy();
  }
});

test('SIGCHLD coalescing: 200 orphans exiting at once are all reaped, with fewer wake-ups than exits', async () => {
  // 200 orphaned cats block opening a FIFO; one open+close for writing releases them together.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-coalesce-'));
  const fifo = path.join(dir, 'fifo');
  const go = path.join(dir, 'go');
  const script = `mkfifo "$1"; i=0; while [ $i -lt 200 ]; do (cat "$1" >/dev/null &); i=$((i+1)); done; echo spawned; while [ ! -e "$2" ]; do sleep 0.05; done; exec 3>"$1"; exec 3>&-; sleep 1`;
  const { ns, report, run } = await initInNamespace([], ['dash', '-c', script, 'coalesce', fifo, go]);
  try {
    await waitFor('200 orphaned cats', () => (childPids(ns.initPid).length >= 201 ? true : undefined), 30_000, 50);
    await sleep(200); // the last ones re-parented may not be blocked in open() yet
    fs.writeFileSync(go, '');
    await waitFor('200 cats reaped', () => (eventsOf(run(), 'exit').filter((e) => e.name === 'cat').length === 200 ? true : undefined), 20_000);
    assert.deepEqual(zombiesUnder(ns.initPid), []);
    assert.equal((await ns.exited).code, 0);
    const final = await waitForEvent(report, 'final');
    const stats = final.stats;
    assert.ok(stats, 'final carries stats');
    assert.ok(stats.sigchld < stats.reaped, `SIGCHLD coalesced: ${stats.sigchld} wake-ups for ${stats.reaped} exits`);
  } finally {
    await ns.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a signal storm while the child exits: the init still exits with the child status and reports no error', async () => {
  const { ns, report } = await initInNamespace([], ['bash', '-c', "trap '' USR1 USR2 HUP WINCH; echo ready; sleep 0.3; exit 7"], { readyLine: /ready/ });
  try {
    const sigs: NodeJS.Signals[] = ['SIGUSR1', 'SIGUSR2', 'SIGHUP', 'SIGWINCH'];
    let sent = 0;
    let gone = false;
    void ns.exited.then(() => (gone = true));
    while (!gone) {
      for (let i = 0; i < 50 && !gone; i++) {
        try {
          process.kill(ns.initPid, sigs[sent % sigs.length]);
          sent++;
        } catch {
          gone = true;
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(sent > 100, `storm of ${sent} signals`);
    assert.equal((await ns.exited).code, 7);
    const final = await waitForEvent(report, 'final');
    assert.equal(final.status, 7);
    const run = lastRun(report);
    assert.deepEqual(eventsOf(run, 'error'), []);
    assert.ok(eventsOf(run, 'forward').length > 0);
  } finally {
    await ns.destroy();
  }
});

test('--drain: the stop signal is forwarded only after the drain (report order and lower bound)', async () => {
  const { ns, report } = await initInNamespace(['--drain', '1s'], [svc(), '--drain-ms', '50'], { readyLine: /ready/ });
  try {
    process.kill(ns.initPid, 'SIGTERM');
    assert.equal((await ns.exited).code, 0, 'svc drains and exits 0');
    const run = lastRun(report);
    const [sig] = eventsOf(run, 'signal');
    const [drain] = eventsOf(run, 'drain');
    const [fwd] = eventsOf(run, 'forward');
    const main = eventsOf(run, 'exit').find((e) => e.main);
    assert.ok(sig && drain && fwd && main, JSON.stringify(run?.events));
    assert.equal(drain.ms, 1000);
    assert.ok(sig.t <= drain.t && drain.t <= fwd.t && fwd.t <= main.t, 'signal, drain, forward, exit in order');
    assert.ok(fwd.t - sig.t >= 990, `forwarded ${fwd.t - sig.t} ms after the signal`);
    assert.ok(ns.output().indexOf('got Terminated') > 0);
  } finally {
    await ns.destroy();
  }
});

test('--drain: a second stop signal ends the drain early', async () => {
  const { ns, report } = await initInNamespace(['--drain', '60s'], [svc(), '--drain-ms', '50'], { readyLine: /ready/ });
  try {
    process.kill(ns.initPid, 'SIGTERM');
    await waitForEvent(report, 'drain');
    process.kill(ns.initPid, 'SIGTERM');
    assert.equal((await ns.exited).code, 0);
    const fwd = await waitForEvent(report, 'forward');
    assert.equal(fwd.drainCut, 'second SIGTERM');
  } finally {
    await ns.destroy();
  }
});

test('--grace: SIGKILLs exactly the processes still alive after the grace, naming each', async () => {
  const s = svc();
  const script = `${s} --name quick --drain-ms 100 & ${s} --name deaf --ignore TERM & ${s} --name slow --drain-ms 60000 & wait`;
  const { ns, report, run } = await initInNamespace(['--grace', '1s'], ['dash', '-c', script], { readyLine: /(ready[\s\S]*){3}/ });
  try {
    const pidOf = (name: string): number => Number(new RegExp(`${name}\\[(\\d+)\\]: ready`).exec(ns.output())?.[1]);
    process.kill(ns.initPid, 'SIGTERM');
    assert.equal((await ns.exited).code, 143, 'dash died of SIGTERM');
    const esc = eventsOf(run(), 'escalate');
    const killed = esc.flatMap((e) => e.pids);
    assert.deepEqual(new Set(killed.map((p) => p.pid)), new Set([pidOf('deaf'), pidOf('slow')]));
    assert.ok(
      killed.every((p) => p.name === 'svc' && /--name (deaf|slow)/.test(p.cmd ?? '')),
      JSON.stringify(killed),
    );
    assert.ok((esc[0]?.afterMs ?? 0) >= 990);
    const exits = new Map(eventsOf(run(), 'exit').map((e) => [e.pid, e]));
    assert.equal(exits.get(pidOf('quick'))?.code, 0);
    assert.equal(exits.get(pidOf('deaf'))?.signal, 'SIGKILL');
    assert.equal(exits.get(pidOf('slow'))?.signal, 'SIGKILL');
    assert.ok(/SIGKILLed after the 1\.00s grace/.test((await waitForEvent(report, 'final')).summary));
  } finally {
    await ns.destroy();
  }
});

test('main child exits on its own: without --wait-all the others are left to the kernel, with it they stop gracefully', async () => {
  const script = (s: string): string => `${s} --name bg --drain-ms 200 & sleep 0.5; exit 5`;
  {
    const { ns, run } = await initInNamespace([], ['dash', '-c', script(svc())], { readyLine: /ready/ });
    try {
      assert.equal((await ns.exited).code, 5);
      const left = eventsOf(run(), 'left')[0];
      assert.equal(left?.fate, 'killed by the kernel');
      assert.deepEqual(
        left?.pids.map((p) => p.name),
        ['svc'],
      );
      assert.ok(!/graceful exit/.test(ns.output()));
    } finally {
      await ns.destroy();
    }
  }
  {
    const { ns, run } = await initInNamespace(['--wait-all'], ['dash', '-c', script(svc())], { readyLine: /ready/ });
    try {
      assert.equal((await ns.exited).code, 5, "still the main child's status");
      const wait = eventsOf(run(), 'wait')[0];
      assert.equal(wait?.reason, 'wait-all');
      assert.deepEqual(
        wait?.signalled.map((p) => p.name),
        ['svc'],
      );
      assert.equal(wait?.signal, 'SIGTERM');
      assert.ok(/bg\[\d+\]: graceful exit/.test(ns.output()), ns.output());
      assert.deepEqual(eventsOf(run(), 'left'), []);
    } finally {
      await ns.destroy();
    }
  }
});

test('a stop reaches orphans outside the group (a daemon that called setsid)', async () => {
  // setsid(1) forks when it is a group leader; the daemon ends up orphaned, in its own session.
  const script = `setsid ${svc()} --name daemon --drain-ms 100 & sleep 0.3; echo started; while :; do sleep 0.05; done`;
  const { ns, run } = await initInNamespace([], ['dash', '-c', script], { readyLine: /daemon\[\d+\]: ready[\s\S]*started|started[\s\S]*daemon\[\d+\]: ready/ });
  try {
    process.kill(ns.initPid, 'SIGTERM');
    await ns.exited;
    assert.ok(/daemon\[\d+\]: graceful exit/.test(ns.output()), ns.output());
    const fwd = eventsOf(run(), 'forward')[0];
    assert.deepEqual(
      fwd?.also?.map((p) => p.name),
      ['svc'],
    );
  } finally {
    await ns.destroy();
  }
});

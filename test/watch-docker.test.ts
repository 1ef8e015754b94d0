/**
 * `pid1 watch` against real containers (images made with `docker import`), stopped with the real
 * `docker stop`/`docker kill`: what the kernel's signal_generate tracepoint reports for each.
 */
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { requireDocker, testImage, startContainer, removeContainer, cleanupDocker, hostPidOf } from './helpers/docker.js';
import { run, waitFor } from './helpers/exec.js';
import { TRACEFS, instanceOf, requireTracefs, startWatch, stopWatchers } from './helpers/watch.js';
import type { ExitEvent, LostStopEvent, SignalEvent, WatchEvent } from '../src/runtime/trace/events.js';

after(cleanupDocker);
afterEach(stopWatchers);

const isSignal =
  (sig: string, nsPid?: number) =>
  (e: WatchEvent): e is SignalEvent =>
    e.event === 'signal' && e.signal === sig && (nsPid === undefined || e.target.nsPid === nsPid);
const isLostStop = (e: WatchEvent): e is LostStopEvent => e.event === 'lost-stop';

/** Is PID 1 of the container up and its service started (the worker forked)? */
async function running(name: string, processes: number): Promise<void> {
  const pid = hostPidOf(name);
  await waitFor(`${processes} processes in ${name}`, () => {
    const r = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((p) => {
        try {
          return fs.readlinkSync(`/proc/${p}/ns/pid`) === fs.readlinkSync(`/proc/${pid}/ns/pid`);
        } catch {
          return false;
        }
      });
    return r.length >= processes ? true : undefined;
  });
}

async function docker(args: string[]): Promise<void> {
  const r = await run('docker', args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
}

test('shell form on a dash image: SIGTERM ignored at PID 1, the SIGKILL after the grace reported as a lost stop', async (t) => {
  if (!requireDocker(t) || !requireTracefs(t)) return;
  const image = testImage({ shell: 'dash' });
  const name = await startContainer({ image, entrypoint: ['/bin/sh', '-c', 'svc --workers 1'] });
  try {
    await running(name, 3);
    const initPid = hostPidOf(name);
    const w = await startWatch(['--container', name, '--json']);
    const instance = instanceOf(w);
    assert.ok(fs.existsSync(instance), `${instance} exists while watching`);
    await docker(['stop', '-t', '2', name]);
    const end = await w.exited;
    const term = await w.next('SIGTERM to PID 1', isSignal('SIGTERM', 1));
    assert.equal(term.result, 'ignored');
    assert.equal(term.reason, 'namespace-init-default');
    assert.equal(term.why, 'ignored: default action at a namespace init');
    assert.equal(term.target.pid, initPid);
    assert.equal(term.target.command, 'sh');
    assert.deepEqual(term.target.argv, ['/bin/sh', '-c', 'svc --workers 1']);
    assert.equal(term.sender.role, 'runtime', JSON.stringify(term.sender));
    assert.equal(term.code, 'SI_USER');
    assert.equal(term.container?.name, name);
    const kill = await w.next('SIGKILL to PID 1', isSignal('SIGKILL', 1));
    assert.equal(kill.result, 'delivered');
    assert.equal(kill.sender.role, 'runtime');
    // The kernel kills the rest of the namespace when its init dies (zap_pid_ns_processes): SI_KERNEL, from the dying init.
    const zapped = w.events.filter((e): e is SignalEvent => e.event === 'signal' && e.signal === 'SIGKILL' && e.target.nsPid !== 1);
    assert.equal(zapped.length, 2, JSON.stringify(zapped));
    for (const z of zapped) {
      assert.equal(z.sender.role, 'kernel');
      assert.equal(z.code, 'SI_KERNEL');
      assert.equal(z.target.command, 'svc');
    }
    const exits = w.events.filter((e): e is ExitEvent => e.event === 'exit');
    assert.equal(exits.length, 3);
    assert.ok(
      exits.every((e) => e.killedBy === 'SIGKILL'),
      JSON.stringify(exits),
    );
    const lost = await w.next('the lost stop', isLostStop);
    assert.equal(lost.container?.name, name);
    assert.equal(lost.signal, 'SIGTERM');
    assert.equal(lost.processes, 3);
    assert.equal(lost.target.nsPid, 1);
    assert.ok(lost.waitedMs >= 1000, `docker stop -t 2 waited ${lost.waitedMs} ms between the SIGTERM and the SIGKILL`);
    assert.match(lost.summary, new RegExp(`SIGTERM to PID 1 \\(sh\\) of container ${name} was ignored`));
    // It ended by itself when the container exited; status 1 for the lost stop; the instance is gone.
    assert.equal(end.code, 1, w.stderr());
    assert.equal(w.events.at(-1)?.event, 'end');
    assert.ok(!fs.existsSync(instance), `${instance} removed`);
  } finally {
    removeContainer(name);
  }
});

test("exec form: the service's SIGTERM is delivered to its handler, no lost stop", async (t) => {
  if (!requireDocker(t) || !requireTracefs(t)) return;
  const image = testImage({ shell: 'dash' });
  const name = await startContainer({ image, entrypoint: ['svc', '--workers', '1'] });
  try {
    await running(name, 2);
    const w = await startWatch(['--container', name, '--json']);
    await docker(['stop', '-t', '5', name]);
    const end = await w.exited;
    const term = await w.next('SIGTERM to PID 1', isSignal('SIGTERM', 1));
    assert.equal(term.result, 'delivered');
    assert.equal(term.why, 'delivered: a handler runs');
    assert.equal(term.target.command, 'svc');
    assert.equal(term.sender.role, 'runtime');
    // svc forwards it to its worker: a sender inside the container.
    const forwarded = await w.next('SIGTERM to the worker', (e): e is SignalEvent => e.event === 'signal' && e.signal === 'SIGTERM' && e.target.nsPid !== 1);
    assert.equal(forwarded.sender.role, 'container');
    assert.equal(forwarded.sender.nsPid, 1);
    assert.equal(forwarded.result, 'delivered');
    assert.ok(!w.events.some((e) => e.event === 'signal' && e.signal === 'SIGKILL'), 'no SIGKILL');
    assert.ok(!w.events.some(isLostStop));
    const exits = w.events.filter((e): e is ExitEvent => e.event === 'exit');
    assert.equal(exits.length, 2);
    assert.ok(exits.every((e) => e.killedBy === undefined));
    assert.equal(end.code, 0, w.stderr());
  } finally {
    removeContainer(name);
  }
});

test('SIGINT to a dash PID 1 is delivered: dash has a SIGINT handler (SigCgt)', async (t) => {
  if (!requireDocker(t) || !requireTracefs(t)) return;
  const image = testImage({ shell: 'dash' });
  const name = await startContainer({ image, entrypoint: ['/bin/sh', '-c', 'svc'] });
  try {
    await running(name, 2);
    const w = await startWatch(['--container', name, '--json']);
    await docker(['kill', '-s', 'INT', name]);
    const int = await w.next('SIGINT to PID 1', isSignal('SIGINT', 1));
    assert.equal(int.result, 'delivered');
    assert.equal(int.why, 'delivered: a handler runs');
    assert.equal(int.target.command, 'sh');
    removeContainer(name); // SIGKILL from the runtime; no stop signal was ignored before it
    const end = await w.exited;
    assert.ok(!w.events.some(isLostStop));
    assert.equal(end.code, 0, w.stderr());
  } finally {
    removeContainer(name);
  }
});

/** The top-level tracing settings a user's own tracing depends on. */
function topLevel(): Record<string, string> {
  const files = [
    'tracing_on',
    'current_tracer',
    'trace_clock',
    'set_event',
    'buffer_size_kb',
    'events/signal/signal_generate/enable',
    'events/signal/signal_generate/filter',
    'events/sched/sched_process_exit/enable',
    'events/sched/sched_process_exit/filter',
    'options/record-tgid',
  ];
  return Object.fromEntries(files.map((f) => [f, fs.readFileSync(`${TRACEFS}/${f}`, 'utf8')]));
}

test("two watchers at once, and a user's own tracing, do not disturb each other", async (t) => {
  if (!requireDocker(t) || !requireTracefs(t)) return;
  const image = testImage({ shell: 'dash' });
  const name = await startContainer({ image, entrypoint: ['/bin/sh', '-c', 'svc'] });
  // A user's own trace of the same event, in an instance of theirs (pid1 must never touch it).
  const user = `${TRACEFS}/instances/user-${process.pid}`;
  fs.mkdirSync(user);
  try {
    const before = topLevel();
    fs.writeFileSync(`${user}/events/signal/signal_generate/filter`, 'sig == 15');
    fs.writeFileSync(`${user}/events/signal/signal_generate/enable`, '1');
    await running(name, 2);
    const a = await startWatch(['--container', name, '--json']);
    const b = await startWatch(['--container', name, '--json', '--signal', 'TERM']);
    assert.notEqual(instanceOf(a), instanceOf(b));
    assert.ok(fs.existsSync(instanceOf(a)) && fs.existsSync(instanceOf(b)));
    await docker(['stop', '-t', '1', name]);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    for (const w of [a, b]) {
      const term = await w.next('SIGTERM to PID 1', isSignal('SIGTERM', 1));
      assert.equal(term.reason, 'namespace-init-default');
      assert.equal((await w.next('lost stop', isLostStop)).container?.name, name);
      assert.ok(!fs.existsSync(instanceOf(w)));
    }
    assert.equal(ea.code, 1);
    assert.equal(eb.code, 1);
    // b asked for SIGTERM only (SIGKILL is always watched): its kernel filter says so, and a's does not.
    const filterOf = (w: typeof a): string => {
      const s = w.events[0];
      return s?.event === 'watch' ? (s.filters['signal/signal_generate'] ?? '') : '';
    };
    assert.match(filterOf(b), /^\(sig == 9 \|\| sig == 15\) && \(pid == /);
    assert.match(filterOf(a), /^sig != 14 && sig != 17 /);
    // The user's trace is as they set it, and saw the same SIGTERM.
    assert.equal(fs.readFileSync(`${user}/events/signal/signal_generate/filter`, 'utf8').trim(), 'sig == 15');
    assert.equal(fs.readFileSync(`${user}/events/signal/signal_generate/enable`, 'utf8').trim(), '1');
    const pid = (await a.next('SIGTERM', isSignal('SIGTERM', 1))).target.pid;
    assert.match(fs.readFileSync(`${user}/trace`, 'utf8'), new RegExp(`signal_generate: sig=15 errno=0 code=0 comm=sh pid=${pid} grp=1 res=1`));
    assert.deepEqual(topLevel(), before);
  } finally {
    fs.rmdirSync(user);
    removeContainer(name);
  }
});

test('a process name with an escape sequence, a newline and ::error:: is shown escaped, never raw', async (t) => {
  if (!requireDocker(t) || !requireTracefs(t)) return;
  const image = testImage({ shell: 'dash' });
  // PID 1 renames itself (comm, 15 bytes): ESC [2J (clear screen), a newline, a GitHub workflow command.
  const name = await startContainer({ image, entrypoint: ['/bin/sh', '-c', 'printf "\\033[2J\\n::error::x" > /proc/$$/comm; svc'] });
  try {
    await running(name, 2);
    await waitFor('PID 1 renamed', () => (fs.readFileSync(`/proc/${hostPidOf(name)}/comm`, 'latin1').includes('::error') ? true : undefined));
    const pretty = await startWatch(['--container', name]);
    const json = await startWatch(['--container', name, '--json']);
    await docker(['kill', '-s', 'TERM', name]);
    const term = await json.next('SIGTERM', isSignal('SIGTERM', 1));
    assert.equal(term.target.command, '\\e[2J\\n::error::x');
    assert.equal(term.result, 'ignored');
    removeContainer(name);
    await pretty.exited;
    await json.exited;
    const text = pretty.lines.join('\n');
    assert.match(text, /SIGTERM +the runtime \(runc\) -> PID 1 \\e\[2J\\n::error::x \(host \d+\): ignored: default action at a namespace init/);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text), 'no control characters in the output');
    for (const line of pretty.lines) assert.ok(!line.trim().startsWith('::'), `a line that starts a workflow command: ${line}`);
    // The exit line names it the same way (from the kernel's comm, not /proc's escaped copy).
    assert.match(text, /exit +PID 1 \\e\[2J\\n::error::x \(host \d+\) killed by SIGKILL/);
  } finally {
    removeContainer(name);
  }
});

test("--all: every container, each event with its container's name; the shell-form one's lost stop", async (t) => {
  if (!requireDocker(t) || !requireTracefs(t)) return;
  const image = testImage({ shell: 'dash' });
  const shellForm = await startContainer({ image, entrypoint: ['/bin/sh', '-c', 'svc'] });
  try {
    await running(shellForm, 2);
    const w = await startWatch(['--all', '--json']);
    // Started after the watch: found through the engine's events.
    const execForm = await startContainer({ image, entrypoint: ['svc', '--ignore', 'USR2'] });
    try {
      await running(execForm, 1);
      // Probe only once svc has set SIGUSR2 to SIG_IGN (SigIgn bit 11); before that the kernel drops it as a namespace init's default.
      const execPid = hostPidOf(execForm);
      await waitFor('svc to ignore SIGUSR2', () => {
        const ign = /^SigIgn:\s*([0-9a-f]+)/m.exec(fs.readFileSync(`/proc/${execPid}/status`, 'utf8'))?.[1] ?? '0';
        return (BigInt(`0x${ign}`) >> 11n) & 1n ? true : undefined;
      });
      await waitFor(
        'the watcher to know the new container',
        async () => {
          await docker(['kill', '-s', 'USR2', execForm]); // set to SIG_IGN by svc: a harmless probe
          return w.events.find((e): e is SignalEvent => e.event === 'signal' && e.signal === 'SIGUSR2' && e.container?.name === execForm);
        },
        15_000,
        500,
      ).then((usr2) => {
        assert.equal(usr2.result, 'ignored');
        assert.equal(usr2.reason, 'sig-ign');
      });
      await Promise.all([docker(['stop', '-t', '1', shellForm]), docker(['stop', '-t', '5', execForm])]);
      // The engine is shared: other containers may come and go meanwhile; only ours are checked.
      const ours =
        (name: string) =>
        (e: WatchEvent): e is LostStopEvent =>
          isLostStop(e) && e.container?.name === name;
      const lost = await w.next("the shell-form container's lost stop", ours(shellForm));
      assert.equal(lost.signal, 'SIGTERM');
      const term = await w.next('SIGTERM to the exec-form service', (e): e is SignalEvent => e.event === 'signal' && e.signal === 'SIGTERM' && e.container?.name === execForm && e.target.nsPid === 1);
      assert.equal(term.result, 'delivered');
      await w.next('exec-form PID 1 exit', (e): e is ExitEvent => e.event === 'exit' && e.container?.name === execForm && e.process.nsPid === 1);
      assert.equal(w.events.filter(ours(shellForm)).length, 1);
      assert.equal(w.events.filter(ours(execForm)).length, 0);
    } finally {
      removeContainer(execForm);
    }
    w.child.kill('SIGINT');
    const end = await w.exited;
    assert.equal(end.code, 0, w.stderr());
    const last = w.events.at(-1);
    assert.equal(last?.event, 'end');
    assert.ok(!fs.existsSync(instanceOf(w)));
  } finally {
    removeContainer(shellForm);
  }
});

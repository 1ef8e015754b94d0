/**
 * `pid1 stop --container X`, the rescue for a running container whose PID 1 drops the stop signal:
 * signal the top-most handlers from the host, wait, then stop normally. Against the real engine.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireDocker, testImage, startContainer, removeContainer, cleanupDocker, logsOf } from './helpers/docker.js';
import { pid1 } from './helpers/cli.js';
import { run, waitFor } from './helpers/exec.js';
import type { RescueReport } from '../src/runtime/reports.js';

after(cleanupDocker);

async function started(entrypoint: string[], readyLines: number): Promise<string> {
  const name = await startContainer({ image: testImage({ shell: 'dash' }), entrypoint });
  await waitFor(`${readyLines} ready lines`, () => ((logsOf(name).match(/ready/g) ?? []).length >= readyLines ? true : undefined));
  return name;
}

async function state(name: string): Promise<{ running: boolean; exitCode: number }> {
  const r = await run('docker', ['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name]);
  const [running, code] = r.stdout.trim().split(' ');
  return { running: running === 'true', exitCode: Number(code) };
}

describe('pid1 stop: the rescue', { concurrency: 3 }, () => {
  test('a dash wrapper: the master gets SIGTERM (not its workers), drains, and the container ends 0', async (t) => {
    if (!requireDocker(t)) return;
    const name = await started(['/bin/sh', '-c', 'svc --workers 2'], 3);
    try {
      const r = await pid1(['stop', '--container', name, '--grace', '3', '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.mode, 'direct');
      assert.equal(rep.before.verdict.outcome, 'killed');
      // PID 1 sh -> svc master -> 2 workers: only the top-most handler, the master (PID 1's child).
      const master = rep.before.processes.find((p) => p.comm === 'svc' && p.ppid === 1);
      assert.ok(master);
      assert.deepEqual(
        rep.targets.map((x) => [x.name, x.pid]),
        [['svc', master.pid]],
        'only the top-most handler: the master',
      );
      assert.equal(rep.targets[0]?.ended, 'exit 0');
      assert.equal(rep.outcome, 'graceful');
      assert.equal(rep.exitCode, 0);
      // graceful: it ended by its own exit within the 3 s grace (pid1 stop compares with the deadline), no SIGKILL
      assert.ok(rep.targets[0]?.atMs !== undefined);
      assert.ok(rep.timeline.some((e) => e.kind === 'signal' && e.to.startsWith(`svc (PID ${master.pid}`) && e.by === 'pid1 stop (from the host)'));
      assert.ok(!rep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGKILL'), 'no SIGKILL was needed');
      const logs = logsOf(name);
      assert.equal((logs.match(/graceful exit/g) ?? []).length, 3, logs);
      assert.deepEqual(await state(name), { running: false, exitCode: 0 });
    } finally {
      removeContainer(name);
    }
  });

  test('tini in front of a shell: the service itself gets the signal, the stop is graceful', async (t) => {
    if (!requireDocker(t)) return;
    const name = await started(['tini', '--', '/bin/sh', '-c', 'svc'], 1);
    try {
      const r = await pid1(['stop', '--container', name, '--grace', '3']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /Plan: send SIGTERM from the host to svc \(PID \d+, host \d+\), wait up to 3 s for it, then stop the container normally/);
      assert.match(r.stdout, /Result: GRACEFUL: svc \(PID \d+\): exit 0 after \d+ ms; the container exited with status 0/);
    } finally {
      removeContainer(name);
    }
  });

  test('a container whose PID 1 already gets the signal: a plain docker stop', async (t) => {
    if (!requireDocker(t)) return;
    const name = await started(['svc'], 1);
    try {
      const r = await pid1(['stop', '--container', name, '--grace', '3', '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.mode, 'normal');
      assert.deepEqual(rep.targets, []);
      assert.equal(rep.outcome, 'graceful');
      assert.ok(rep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGTERM' && e.by === 'the Docker engine'));
    } finally {
      removeContainer(name);
    }
  });

  test('nothing handles the signal: refuses with the reason, exit 2, the container untouched', async (t) => {
    if (!requireDocker(t)) return;
    const name = await startContainer({ image: testImage({ shell: 'dash' }), entrypoint: ['/bin/sh', '-c', 'sleep 1000'] });
    try {
      await waitFor('sleep running', async () => ((await run('docker', ['top', name])).stdout.includes('sleep 1000') ? true : undefined));
      const r = await pid1(['stop', '--container', name]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^pid1: refusing to stop pid1-test-[^:]+: nothing in it handles SIGTERM \(PID 1 sh: .*the kernel drops it; no other process has a handler\)/);
      assert.equal((await state(name)).running, true);
    } finally {
      removeContainer(name);
    }
  });

  test('--dry-run shows the plan and changes nothing; --signal picks another signal', async (t) => {
    if (!requireDocker(t)) return;
    const name = await started(['/bin/sh', '-c', 'svc --graceful USR1'], 1);
    try {
      const term = await pid1(['stop', '--container', name, '--dry-run']);
      assert.equal(term.code, 2, 'svc does not handle SIGTERM: refused');
      const r = await pid1(['stop', '--container', name, '--signal', 'USR1', '--dry-run', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.dryRun, true);
      assert.equal(rep.signal, 'SIGUSR1');
      const svc = rep.before.processes.find((p) => p.comm === 'svc');
      assert.deepEqual(
        rep.targets.map((x) => x.pid),
        [svc?.pid],
      );
      assert.match(rep.summary, /^would send SIGUSR1 to svc \(PID \d+\), wait up to 10 s/);
      assert.equal((await state(name)).running, true);
      assert.doesNotMatch(logsOf(name), /got User defined signal 1/);
    } finally {
      removeContainer(name);
    }
  });

  test('a real-time stop signal: pid1 stop sends SIGRTMIN+3 to the service behind a dash PID 1', async (t) => {
    if (!requireDocker(t)) return;
    // 37 is SIGRTMIN+3 (glibc numbering); dash has no handler for it, svc does.
    const name = await started(['/bin/sh', '-c', 'svc --graceful 37'], 1);
    try {
      const r = await pid1(['stop', '--container', name, '--signal', 'RTMIN+3', '--grace', '3', '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.signal, 'SIGRTMIN+3');
      assert.equal(rep.mode, 'direct');
      assert.deepEqual(
        rep.targets.map((x) => [x.name, x.ended]),
        [['svc', 'exit 0']],
      );
      assert.ok(
        rep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGRTMIN+3' && e.to.startsWith('svc (PID') && e.by === 'pid1 stop (from the host)'),
        JSON.stringify(rep.timeline),
      );
      assert.equal(rep.outcome, 'graceful');
      assert.match(logsOf(name), /got Real-time signal 3, draining[\s\S]*graceful exit/);
    } finally {
      removeContainer(name);
    }
  });

  test('a paused container: pid1 unpauses it first and says so; the service exits 0 and the stop is graceful', async (t) => {
    if (!requireDocker(t)) return;
    const name = await started(['/bin/sh', '-c', 'svc --workers 1'], 2);
    try {
      assert.equal((await run('docker', ['pause', name])).code, 0);
      const dry = await pid1(['stop', '--container', name, '--dry-run', '--json']);
      assert.equal(dry.code, 0, dry.stderr);
      const plan = JSON.parse(dry.stdout) as RescueReport;
      assert.equal(plan.paused, true);
      assert.match(plan.summary, /^would unpause it \(it is paused: frozen processes cannot handle a signal\), then send SIGTERM to svc/);
      assert.equal((await run('docker', ['inspect', '--format', '{{.State.Paused}}', name])).stdout.trim(), 'true', '--dry-run changes nothing');
      const r = await pid1(['stop', '--container', name, '--grace', '3', '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.paused, true);
      assert.equal(rep.outcome, 'graceful', rep.summary);
      assert.deepEqual(
        rep.targets.map((x) => [x.name, x.ended]),
        [['svc', 'exit 0']],
      );
      assert.match(rep.summary, /^unpaused first; svc \(PID \d+\): exit 0 after \d+ ms; the container exited with status 0$/);
      const note = rep.timeline.findIndex((e) => e.kind === 'note' && /the container was paused: pid1 unpaused it first/.test(e.text));
      const signal = rep.timeline.findIndex((e) => e.kind === 'signal');
      assert.ok(note >= 0 && note < signal, JSON.stringify(rep.timeline));
      const text = await pid1(['stop', '--container', name, '--dry-run']);
      assert.match(text.stderr, /is not running/, 'it is stopped now');
    } finally {
      removeContainer(name);
    }
  });

  test("the timeline is in causal order: the engine's SIGTERM before the exits it caused", async (t) => {
    if (!requireDocker(t)) return;
    // tini -g forwards at once and the service exits without draining: its exit comes within a
    // millisecond of the signal, often before the engine logs its kill event.
    for (let i = 0; i < 3; i++) {
      const name = await started(['tini', '-g', '--', 'svc', '--drain-ms', '0', '--workers', '2'], 3);
      try {
        const r = await pid1(['stop', '--container', name, '--grace', '3', '--json']);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const rep = JSON.parse(r.stdout) as RescueReport;
        assert.equal(rep.mode, 'normal');
        const term = rep.timeline.find((e) => e.kind === 'signal' && e.signal === 'SIGTERM');
        assert.ok(term, JSON.stringify(rep.timeline));
        for (const e of rep.timeline) if (e.kind === 'exit' || e.kind === 'container-exit' || e.kind === 'log') assert.ok(e.t >= term.t, `${JSON.stringify(e)} before ${JSON.stringify(term)}`);
        assert.ok(rep.timeline.indexOf(term) < rep.timeline.findIndex((e) => e.kind === 'exit'), JSON.stringify(rep.timeline));
      } finally {
        removeContainer(name);
      }
    }
  });

  test('errors: a container that does not exist, or is not running', async (t) => {
    if (!requireDocker(t)) return;
    const a = await pid1(['stop', '--container', 'pid1-no-such-container']);
    assert.equal(a.code, 2);
    assert.equal(a.stderr, 'pid1: no such container: pid1-no-such-container\n');
  });
});

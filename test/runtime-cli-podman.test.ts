/**
 * `pid1 inspect`, `pid1 stop` and `pid1 test` with `--runtime podman`, against the real Podman service
 * (install-deps starts it on the rootful socket): the commands as a user runs them, their verdicts
 * checked against what the containers really do, and Podman's differences from Docker named.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { requirePodman, podman, podmanImage, startPodmanContainer, removePodmanContainer, cleanupPodman, podmanVersion, PODMAN_SOCKET } from './helpers/podman.js';
import { pid1 } from './helpers/cli.js';
import { run, waitFor } from './helpers/exec.js';
import { podmanQuirks } from '../src/runtime/podman.js';
import type { RescueReport, TestReport, InspectReport } from '../src/runtime/reports.js';
import type { ContainerRow } from '../src/runtime/inspect-runtime.js';

after(cleanupPodman);

const ADDRESS = `unix://${PODMAN_SOCKET}`;
const onPodman = ['--runtime', 'podman', '--address', ADDRESS];

async function logsOf(id: string): Promise<string> {
  const r = await run('podman', ['--remote', '--url', ADDRESS, 'logs', id]);
  return r.stdout + r.stderr;
}

async function readyLines(id: string, n: number): Promise<void> {
  await waitFor(`${n} ready lines`, async () => (((await logsOf(id)).match(/ready/g) ?? []).length >= n ? true : undefined));
}

async function stateOf(id: string): Promise<{ running: boolean; exitCode: number }> {
  const s = (await (await podman()).getContainer(id).inspect()).State;
  return { running: s.Running, exitCode: s.ExitCode };
}

/** Containers pid1 test left behind (it removes its own). */
async function leftovers(run: string): Promise<string[]> {
  return (await (await podman()).listContainers({ all: true, filters: { label: [`pid1.test.run=${run}`] } })).map((c) => c.Id);
}

describe('pid1 --runtime podman', { concurrency: 2 }, () => {
  test('inspect --container and --all: a dash wrapper is killed, exec form graceful', async (t) => {
    if (!(await requirePodman(t))) return;
    const image = await podmanImage({ shell: 'dash' });
    const wrapped = await startPodmanContainer({ image, cmd: ['/bin/sh', '-c', 'svc'], stopTimeout: 10 });
    const direct = await startPodmanContainer({ image, cmd: ['svc'] });
    try {
      await readyLines(wrapped.id, 1);
      await readyLines(direct.id, 1);
      const one = await pid1(['inspect', '--container', wrapped.name, ...onPodman, '--json']);
      assert.equal(one.code, 0, one.stderr);
      const rep = JSON.parse(one.stdout) as InspectReport;
      assert.equal(rep.container?.name, wrapped.name);
      assert.equal(rep.container?.stopSignal, 'SIGTERM', 'Podman reports "15": named');
      assert.equal(rep.verdict.outcome, 'killed');
      // Advice the user can run as it is: pid1 stop with the flags that reach this Podman.
      assert.ok(
        rep.verdict.advice.some((x) => x.startsWith(`to stop it gracefully now: pid1 stop ${onPodman.join(' ')} --container ${wrapped.name} (sends SIGTERM from the host to svc (PID `)),
        rep.verdict.advice.join('\n'),
      );

      const all = await pid1(['inspect', '--all', ...onPodman, '--json']);
      assert.equal(all.code, 0, all.stderr);
      const rows = JSON.parse(all.stdout) as { runtime: string; containers: ContainerRow[] };
      assert.equal(rows.runtime, 'podman');
      const w = rows.containers.find((r) => r.id === wrapped.id);
      const d = rows.containers.find((r) => r.id === direct.id);
      assert.deepEqual([w?.outcome, w?.grace, w?.graceSpent], ['killed', 10, true]);
      // Created through the compat API without a stop timeout: Podman before 4.7 records 0.
      const quirks = podmanQuirks((await podmanVersion()) as string);
      assert.deepEqual([d?.outcome, d?.grace, d?.graceSpent], ['graceful', quirks.compatCreateStopTimeout, false]);
      const text = await pid1(['inspect', '--all', ...onPodman]);
      assert.match(text.stdout, new RegExp(`${wrapped.name}\\s+KILLED\\s+SIGTERM, grace 10 s \\(spent in full, then SIGKILL\\)`));
    } finally {
      removePodmanContainer(wrapped.name);
      removePodmanContainer(direct.name);
    }
  });

  test('stop: a dash-wrapped service whose PID 1 drops SIGTERM is rescued: the master drains, the container ends 0', async (t) => {
    if (!(await requirePodman(t))) return;
    const image = await podmanImage({ shell: 'dash' });
    // No stop timeout: Podman before 4.7 gives 0, and pid1 stop must not take that as the grace period.
    const c = await startPodmanContainer({ image, cmd: ['/bin/sh', '-c', 'svc --workers 2 --drain-ms 300'] });
    try {
      await readyLines(c.id, 3);
      const r = await pid1(['stop', '--container', c.name, ...onPodman, '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.runtime, 'podman');
      assert.equal(rep.mode, 'direct');
      assert.equal(rep.before.verdict.outcome, 'killed');
      const quirks = podmanQuirks((await podmanVersion()) as string);
      if (quirks.compatCreateStopTimeout === 0) {
        assert.equal(rep.graceSeconds, 10);
        assert.match(rep.graceFrom, /StopTimeout is 0/);
      }
      const master = rep.before.processes.find((p) => p.comm === 'svc' && p.ppid === 1);
      assert.deepEqual(
        rep.targets.map((x) => [x.name, x.pid]),
        [['svc', master?.pid]],
      );
      assert.equal(rep.targets[0]?.ended, 'exit 0');
      assert.equal(rep.outcome, 'graceful');
      assert.ok(!rep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGKILL'));
      assert.equal(((await logsOf(c.id)).match(/graceful exit/g) ?? []).length, 3);
      assert.deepEqual(await stateOf(c.id), { running: false, exitCode: 0 });
      assert.match(rep.notes?.join(' ') ?? '', /no kill events/);
    } finally {
      removePodmanContainer(c.name);
    }
  });

  test("stop: a paused container is unpaused first (Podman's unpause through its compat API), then rescued", async (t) => {
    if (!(await requirePodman(t))) return;
    const image = await podmanImage({ shell: 'dash' });
    const c = await startPodmanContainer({ image, cmd: ['/bin/sh', '-c', 'svc --workers 1'] });
    try {
      await readyLines(c.id, 2);
      const paused = await run('podman', ['--remote', '--url', ADDRESS, 'pause', c.name]);
      if (paused.code !== 0 && /freezer|cgroup/i.test(paused.stderr)) {
        t.skip(`podman pause is not available here: ${paused.stderr.trim()}`);
        return;
      }
      assert.equal(paused.code, 0, paused.stderr);
      const r = await pid1(['stop', '--container', c.name, ...onPodman, '--grace', '5', '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.paused, true);
      assert.equal(rep.outcome, 'graceful', rep.summary);
      assert.match(rep.summary, /^unpaused first; /);
      const note = rep.timeline.findIndex((e) => e.kind === 'note' && /pid1 unpaused it first \(podman unpause\)/.test(e.text));
      const signal = rep.timeline.findIndex((e) => e.kind === 'signal');
      assert.ok(note >= 0 && note < signal, JSON.stringify(rep.timeline));
      assert.deepEqual(await stateOf(c.id), { running: false, exitCode: 0 });
    } finally {
      removePodmanContainer(c.name);
    }
  });

  test("stop: a graceful PID 1 gets Podman's stop, replayed with each signal recorded; a service that ignores it is SIGKILLed after the grace", async (t) => {
    if (!(await requirePodman(t))) return;
    const image = await podmanImage({ shell: 'dash' });
    const ok = await startPodmanContainer({ image, cmd: ['svc'] });
    // svc handles SIGTERM (a normal stop is graceful) but drains for 5 s: a 1 s grace ends in SIGKILL.
    const stubborn = await startPodmanContainer({ image, cmd: ['svc', '--drain-ms', '5000'] });
    try {
      await readyLines(ok.id, 1);
      await readyLines(stubborn.id, 1);
      const r = await pid1(['stop', '--container', ok.id, ...onPodman, '--grace', '5', '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.mode, 'normal');
      assert.equal(rep.normalStop, "podman stop -t 5 (replayed by pid1 through Podman's API)");
      assert.ok(rep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGTERM' && /replaying podman stop -t 5/.test(e.by)));
      assert.equal(rep.outcome, 'graceful');
      assert.equal(rep.exitCode, 0);

      const s = await pid1(['stop', '--container', stubborn.id, ...onPodman, '--grace', '1', '--json']);
      assert.equal(s.code, 1, s.stderr + s.stdout);
      const srep = JSON.parse(s.stdout) as RescueReport;
      assert.equal(srep.mode, 'normal');
      assert.equal(srep.outcome, 'killed');
      const kill = srep.timeline.find((e) => e.kind === 'signal' && e.signal === 'SIGKILL');
      assert.ok(kill && kill.t >= 1000, JSON.stringify(srep.timeline));
      assert.equal((await stateOf(stubborn.id)).exitCode, 137);
    } finally {
      removePodmanContainer(ok.name);
      removePodmanContainer(stubborn.name);
    }
  });

  test("test: exec form is graceful and a dash wrapper killed, the policy replayed by pid1, Podman's quirks named, nothing left behind", async (t) => {
    if (!(await requirePodman(t))) return;
    const image = await podmanImage({ shell: 'dash' });
    const quirks = podmanQuirks((await podmanVersion()) as string);
    const g = await pid1(['test', '--image', image, ...onPodman, '--grace', '5', '--ready-log', 'ready', '--json', '--', 'svc', '--drain-ms', '500']);
    assert.equal(g.code, 0, g.stderr + g.stdout);
    const grep = JSON.parse(g.stdout) as TestReport;
    assert.equal(grep.verdict, 'graceful');
    assert.equal(grep.comparison?.live?.status, 'agrees');
    // Not 0 (Podman's compat default before 4.7, which would have SIGKILLed the draining service at once).
    assert.equal(grep.policy.graceSeconds, 5);
    assert.ok(
      grep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGTERM' && /pid1/.test(e.by)),
      JSON.stringify(grep.timeline),
    );
    assert.ok(
      grep.timeline.some((e) => e.kind === 'log' && /graceful exit/.test(e.line)),
      'the log stream followed past its first line',
    );
    assert.ok(grep.observation.stopMs !== undefined && grep.observation.stopMs >= 450, 'the drain ran to its end');
    const notes = grep.target.notes.join('\n');
    assert.match(notes, /^Podman \d/m);
    assert.match(notes, /pid1 replays docker stop -t 5 itself through Podman's API/);
    if (quirks.compatCreateStopTimeout === 0) assert.match(notes, /stop timeout 0 before Podman 4\.7/);
    assert.match(notes, /no kill events/);
    assert.match(notes, /followed log stream/);
    assert.deepEqual(await leftovers(grep.run), []);

    const k = await pid1(['test', '--image', image, ...onPodman, '--grace', '1', '--json', '--', '/bin/sh', '-c', 'svc']);
    assert.equal(k.code, 1, k.stderr + k.stdout);
    const krep = JSON.parse(k.stdout) as TestReport;
    assert.equal(krep.verdict, 'killed');
    assert.equal(krep.prediction?.live?.outcome, 'killed');
    assert.equal(krep.comparison?.live?.status, 'agrees');
    assert.ok(
      krep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGKILL'),
      JSON.stringify(krep.timeline),
    );
    assert.deepEqual(await leftovers(krep.run), []);
  });

  test('test: a service that prints nothing is tested too (Podman holds a followed log stream until the first line), with --init as catatonit', async (t) => {
    if (!(await requirePodman(t))) return;
    const image = await podmanImage({ shell: 'dash' });
    const r = await pid1(['test', '--image', image, ...onPodman, '--init', '--grace', '3', '--ready-delay', '300ms', '--json', '--', '/bin/sh', '-c', 'exec svc >/dev/null 2>&1']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rep = JSON.parse(r.stdout) as TestReport;
    assert.deepEqual(rep.target.argv.slice(0, 2), ['/run/podman-init', '--']);
    assert.equal(rep.verdict, 'graceful', rep.observation.summary);
    assert.equal(rep.comparison?.live?.status, 'agrees', JSON.stringify(rep.comparison));
    assert.equal(rep.timeline.filter((e) => e.kind === 'log').length, 0);
    assert.ok((rep.durations.totalMs ?? 0) < 30_000);
  });

  test('errors: a socket nobody answers on, a Docker engine named as Podman, --namespace: one line, exit 2', async (t) => {
    if (!(await requirePodman(t))) return;
    let r = await pid1(['inspect', '--all', '--runtime', 'podman', '--address', 'unix:///nonexistent/podman.sock']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pid1: no Podman socket at unix:\/\/\/nonexistent\/podman\.sock: start the service \(podman system service --time=0 .*\), or give --address\n$/);
    r = await pid1(['stop', '--container', 'x', '--runtime', 'podman', '--namespace', 'k8s.io']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "pid1: --namespace is containerd's: Podman has no namespaces; add --runtime containerd, or drop --namespace\n");
    r = await pid1(['test', '--image', 'x', '--runtime', 'podman', '--address', ADDRESS, '--state-dir', '/run/containerd']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pid1: --state-dir is containerd's: Podman has no state directory to read; add --runtime containerd, or drop --state-dir\n$/);
    r = await pid1(['inspect', '--container', 'pid1-no-such', ...onPodman]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'pid1: no such container: pid1-no-such\n');
  });
});

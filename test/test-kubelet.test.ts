/**
 * `pid1 test --manifest` (the kubelet's stop: preStop inside the grace period, whole seconds
 * subtracted, at least 2 s left, then the stop signal, then SIGKILL) and `--compose` (stop_signal,
 * stop_grace_period, init), against the real engine.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { requireDocker, testImage, cleanupDocker } from './helpers/docker.js';
import { pid1 } from './helpers/cli.js';
import type { TestReport, TimelineEvent } from '../src/runtime/reports.js';

after(cleanupDocker);

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-k8s-'));
  dirs.push(dir);
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

async function pid1Test(args: string[]): Promise<{ code: number; report: TestReport; stderr: string; why: string }> {
  const r = await pid1(['test', '--json', ...args], { timeout: 60_000 });
  assert.ok(r.stdout.trim().startsWith('{'), `no JSON report (exit ${r.code}): ${r.stderr}`);
  const report = JSON.parse(r.stdout) as TestReport;
  const why = [`exit ${r.code}; ${report.verdict}: ${report.observation.summary}`, ...report.timeline.map((e) => JSON.stringify(e)), r.stderr].join('\n');
  return { code: r.code, report, stderr: r.stderr, why };
}

const signalAt = (tl: TimelineEvent[], sig: string): number | undefined => {
  const e = tl.find((x) => x.kind === 'signal' && x.signal === sig);
  return e?.t;
};

function pod(container: string, podExtra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: web}}
    spec:
${podExtra}      containers:
${container}`;
}

describe('pid1 test --manifest: the kubelet stop', { concurrency: 3 }, () => {
  test('a preStop hook that eats the grace period: the stop signal comes 2 s before SIGKILL, too late', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    // The service needs 2.5 s to drain: it would fit in the 3 s grace, but the hook takes all of it.
    const m = file(
      'deploy.yaml',
      pod(
        `      - name: app
        image: ${image}
        command: ["svc", "--drain-ms", "2500"]
        lifecycle:
          preStop:
            exec:
              command: ["sleep", "10"]
`,
        '      terminationGracePeriodSeconds: 3\n',
      ),
    );
    const o = await pid1Test(['--manifest', m, '--ready-log', 'ready']);
    const r = o.report;
    assert.equal(r.verdict, 'killed', o.why);
    assert.equal(o.code, 1);
    assert.equal(r.policy.name, 'kubelet');
    assert.equal(r.policy.graceSeconds, 3);
    assert.equal(r.policy.graceFrom, 'terminationGracePeriodSeconds');
    assert.equal(r.preStop?.outcome, 'timed out', o.why);
    assert.equal(r.preStop?.subtractedSeconds, 3);
    assert.equal(r.preStop?.remainingSeconds, 2);
    assert.equal(r.preStop?.raisedToMinimum, true);
    const term = signalAt(r.timeline, 'SIGTERM');
    const kill = signalAt(r.timeline, 'SIGKILL');
    assert.ok(term !== undefined && term >= 3000 - 20, `SIGTERM only after the hook's 3 s\n${o.why}`);
    assert.ok(kill !== undefined && term !== undefined && kill - term >= 2000 - 20, `SIGKILL 2 s after SIGTERM\n${o.why}`);
    assert.ok(r.timeline.some((e) => e.kind === 'prestop' && e.phase === 'start' && e.t < 50));
    // The signal did arrive (the service logged its drain): the model is right about the path, the grace is too short.
    assert.equal(r.comparison?.live?.status, 'explained', o.why);
    assert.match(r.comparison?.live?.message ?? '', /the 2 s left after the preStop hook took 3\.\d s of the 3 s grace period/);
    assert.match(r.observation.summary, /SIGTERM arrived but the shutdown did not finish/);
    assert.doesNotMatch(o.stderr, /DISAGREES/);
  });

  test('a short preStop hook: the kubelet subtracts its whole seconds, the stop is graceful', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const m = file(
      'pod.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  terminationGracePeriodSeconds: 4
  containers:
  - name: app
    image: ${image}
    args: ["svc", "--workers", "1"]
    lifecycle:
      preStop:
        exec:
          command: ["sleep", "1"]
`,
    );
    const o = await pid1Test(['--manifest', m, '--ready-log', 'worker ready']);
    const r = o.report;
    assert.equal(r.verdict, 'graceful', o.why);
    assert.equal(o.code, 0);
    assert.equal(r.preStop?.outcome, 'completed', o.why);
    // int64(elapsed.Seconds()) of a hook that ran `sleep 1`: at least 1 (more on a loaded machine), and the
    // SIGKILL comes after what is left of the 4 s, never less than the kubelet's 2 s floor.
    const subtracted = r.preStop?.subtractedSeconds ?? -1;
    assert.ok(subtracted >= 1, `subtracted ${subtracted}\n${o.why}`);
    assert.equal(r.preStop?.remainingSeconds, Math.max(4 - subtracted, 2), o.why);
    assert.equal(r.preStop?.raisedToMinimum, 4 - subtracted < 2);
    assert.equal(r.policy.graceSeconds, 4);
    const term = signalAt(r.timeline, 'SIGTERM');
    assert.ok(term !== undefined && term >= 1000, o.why);
    assert.equal(signalAt(r.timeline, 'SIGKILL'), undefined);
    assert.equal(r.comparison?.live?.status, 'agrees', o.why);
  });

  test('the kubelet sleep action and lifecycle.stopSignal', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const m = file(
      'deploy.yaml',
      pod(
        `      - name: sidecar
        image: ${image}
        command: ["sleep", "1000"]
      - name: app
        image: ${image}
        command: ["svc", "--graceful", "INT"]
        lifecycle:
          stopSignal: SIGINT
          preStop:
            sleep: {seconds: 1}
`,
        '      terminationGracePeriodSeconds: 2\n',
      ),
    );
    const o = await pid1Test(['--manifest', m, '--container', 'app']);
    const r = o.report;
    assert.equal(r.verdict, 'graceful', o.why);
    assert.equal(r.policy.signal, 'SIGINT');
    assert.equal(r.policy.signalFrom, 'lifecycle.stopSignal');
    assert.equal(r.preStop?.description, 'sleep 1 s');
    // 2 s - 1 s = 1 s, raised to the kubelet's 2 s minimum.
    assert.equal(r.preStop?.remainingSeconds, 2);
    assert.equal(r.preStop?.raisedToMinimum, true);
    assert.equal(r.comparison?.live?.status, 'agrees', o.why);
  });

  test('a preStop httpGet (host network, loopback): the request is made inside the grace period', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    let hits: string[] = [];
    // The hook's endpoint answers after 1.2 s, as a drain endpoint would.
    const server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url} ${req.headers['user-agent']}`);
      setTimeout(() => res.end('drained'), 1200);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const m = file(
        'pod.yaml',
        `kind: Pod
metadata: {name: p}
spec:
  terminationGracePeriodSeconds: 4
  containers:
  - name: app
    image: ${image}
    command: ["svc"]
    ports: [{name: admin, containerPort: ${port}}]
    lifecycle:
      preStop:
        httpGet: {path: /drain?now=1, port: admin}
`,
      );
      hits = [];
      const o = await pid1Test(['--manifest', m, '--network', 'host', '--ready-log', 'ready']);
      const r = o.report;
      assert.equal(r.verdict, 'graceful', o.why);
      assert.deepEqual(hits, ['GET /drain?now=1 kube-lifecycle/pid1']);
      assert.equal(r.preStop?.outcome, 'completed');
      assert.equal(r.preStop?.detail, 'HTTP 200');
      assert.equal(r.preStop?.subtractedSeconds, 1);
      assert.equal(r.preStop?.remainingSeconds, 3);
      assert.ok((signalAt(r.timeline, 'SIGTERM') ?? 0) >= 1200, o.why);
    } finally {
      server.close();
    }
  });

  test('a preStop httpGet needs the host network; anything but loopback is refused', async (t) => {
    if (!requireDocker(t)) return;
    const m = file('pod.yaml', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: x\n    lifecycle:\n      preStop:\n        httpGet: {port: 80, host: example.com}\n');
    const r = await pid1(['test', '--manifest', m, '--network', 'host']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pid1: preStop httpGet host example\.com: pid1 test sends hook requests to loopback only/);
  });

  test('--grace overrides terminationGracePeriodSeconds; without a preStop the kubelet stop is signal then SIGKILL', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const m = file(
      'pod.yaml',
      `kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: ${image}
    command: ["/bin/sh", "-c", "svc"]
`,
    );
    const o = await pid1Test(['--manifest', m, '--grace', '2']);
    const r = o.report;
    assert.equal(r.verdict, 'killed', o.why);
    assert.equal(r.policy.graceSeconds, 2);
    assert.equal(r.policy.graceFrom, '--grace');
    assert.equal(r.preStop, undefined);
    const term = signalAt(r.timeline, 'SIGTERM') ?? NaN;
    const kill = signalAt(r.timeline, 'SIGKILL') ?? NaN;
    assert.ok(kill - term >= 2000 && kill - term < 2500, o.why);
    assert.equal(r.comparison?.live?.status, 'agrees', o.why);
    assert.equal(r.comparison?.static?.status, 'agrees', o.why);
  });
});

describe('pid1 test --compose', { concurrency: 3 }, () => {
  test('stop_signal, stop_grace_period, init and a command string', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const c = file(
      'compose.yaml',
      `services:
  web:
    image: ${image}
    entrypoint: []
    command: svc --graceful INT --name "web svc"
    stop_signal: SIGINT
    stop_grace_period: 2s
    init: true
    environment:
      MODE: test
`,
    );
    const o = await pid1Test(['--compose', c, '--service', 'web', '--ready-log', 'ready']);
    const r = o.report;
    assert.equal(r.verdict, 'graceful', o.why);
    assert.equal(r.policy.name, 'compose');
    assert.equal(r.policy.signal, 'SIGINT');
    assert.equal(r.policy.signalFrom, 'compose stop_signal');
    assert.equal(r.policy.graceSeconds, 2);
    assert.deepEqual(r.target.argv, ['docker-init', '--', 'svc', '--graceful', 'INT', '--name', 'web svc']);
    assert.ok(
      r.timeline.some((e) => e.kind === 'log' && e.line.startsWith('web svc[')),
      o.why,
    );
    assert.equal(r.comparison?.live?.status, 'agrees', o.why);
  });

  test('the override file, a << merge, a nested default and extends: pid1 test runs what compose reads', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-compose-'));
    dirs.push(dir);
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      `x-base: &base
  image: \${PID1_TEST_UNSET_IMAGE:-\${PID1_TEST_UNSET_FALLBACK:-${image}}}
  stop_signal: SIGINT
  stop_grace_period: 2s
services:
  web:
    <<: *base
    command: ["svc", "--graceful", "TERM"]
  worker:
    extends: {file: common.yml, service: base}
    command: ["svc", "--graceful", "USR1", "--name", "worker"]
`,
    );
    fs.writeFileSync(path.join(dir, 'common.yml'), `services:\n  base:\n    image: ${image}\n    stop_signal: SIGUSR1\n    stop_grace_period: 2s\n    init: on\n`);
    fs.writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  web:\n    command: ["svc", "--graceful", "INT", "--name", "overridden"]\n    init: yes\n');
    const [web, worker] = await Promise.all([
      pid1Test(['--compose', path.join(dir, 'compose.yaml'), '--service', 'web', '--ready-log', 'ready']),
      pid1Test(['--compose', path.join(dir, 'compose.yaml'), '--service', 'worker', '--ready-log', 'ready']),
    ]);
    // web: the image from the nested default, SIGINT from the anchor, the command and init from the override file
    assert.equal(web.report.verdict, 'graceful', web.why);
    assert.equal(web.report.target.image, image);
    assert.equal(web.report.policy.signal, 'SIGINT');
    assert.equal(web.report.policy.graceSeconds, 2);
    assert.deepEqual(web.report.target.argv, ['docker-init', '--', 'svc', '--graceful', 'INT', '--name', 'overridden']);
    assert.ok(
      web.report.timeline.some((e) => e.kind === 'log' && e.line.startsWith('overridden[')),
      web.why,
    );
    assert.equal(web.report.comparison?.live?.status, 'agrees', web.why);
    // worker: everything but its command from the service it extends in common.yml
    assert.equal(worker.report.verdict, 'graceful', worker.why);
    assert.equal(worker.report.policy.signal, 'SIGUSR1');
    assert.deepEqual(worker.report.target.argv, ['docker-init', '--', 'svc', '--graceful', 'USR1', '--name', 'worker']);
    assert.equal(worker.report.comparison?.live?.status, 'agrees', worker.why);
  });

  test('a compose command string is not run through a shell: sh -c in it is a dash PID 1', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const c = file(
      'compose.yaml',
      `services:
  worker:
    image: ${image}
    command: sh -c "svc --workers 1"
    stop_grace_period: 1s
`,
    );
    const o = await pid1Test(['--compose', c, '--service', 'worker']);
    assert.equal(o.report.verdict, 'killed', o.why);
    assert.deepEqual(o.report.target.argv, ['sh', '-c', 'svc --workers 1']);
    assert.equal(o.report.comparison?.live?.status, 'agrees', o.why);
  });

  test('bad compose input is one line naming the file and line, exit 2', async (t) => {
    if (!requireDocker(t)) return;
    const c = file('compose.yaml', 'services:\n  web:\n    image: x\n    stop_grace_period: soon\n');
    const r = await pid1(['test', '--compose', c, '--service', 'web']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pid1: .*compose\.yaml:4: stop_grace_period: not a duration: soon\n$/);
  });
});

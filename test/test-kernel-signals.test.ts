/**
 * `pid1 test`'s timeline with the kernel's result for each signal (signal/signal_generate through a
 * tracefs instance of its own, as `pid1 watch` reads it), on real Docker containers and a real PID
 * namespace; and without root or tracefs: one plain line, the timeline as before.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requireDocker, testImage, cleanupDocker } from './helpers/docker.js';
import { requirePodman, podmanImage, cleanupPodman, PODMAN_SOCKET } from './helpers/podman.js';
import { pid1, CLI } from './helpers/cli.js';
import { run, tempDir } from './helpers/exec.js';
import { TRACEFS, requireTracefs } from './helpers/watch.js';
import type { TestReport, TimelineEvent } from '../src/runtime/reports.js';

after(() => {
  cleanupDocker();
  cleanupPodman();
});

type SignalLine = Extract<TimelineEvent, { kind: 'signal' }>;
type KernelLine = Extract<TimelineEvent, { kind: 'kernel-signal' }>;
const signalLines = (r: TestReport): SignalLine[] => r.timeline.filter((e): e is SignalLine => e.kind === 'signal');
const kernelLines = (r: TestReport): KernelLine[] => r.timeline.filter((e): e is KernelLine => e.kind === 'kernel-signal');

/** The tracefs instance the run used, which must be gone now. */
function instanceRemoved(r: TestReport): void {
  assert.equal(r.signalTrace?.source, 'tracefs', JSON.stringify(r.signalTrace));
  const dir = r.signalTrace.source === 'tracefs' ? r.signalTrace.instance : '';
  assert.match(dir, new RegExp(`^${TRACEFS}/instances/pid1-\\d+$`));
  assert.ok(!fs.existsSync(dir), `${dir} removed`);
}

test("shell form (dash): the SIGTERM line says the kernel ignored it at PID 1, the SIGKILL delivered, the kernel's SIGKILLs to the rest shown", async (t) => {
  if (!requireDocker(t) || !requireTracefs(t)) return;
  const image = testImage({ shell: 'dash' });
  const r = await pid1(['test', '--image', image, '--entrypoint', '["/bin/sh","-c","svc --workers 1"]', '--grace', '2', '--ready-log', 'ready', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as TestReport;
  assert.equal(report.verdict, 'killed');
  assert.equal(report.signalTrace?.source, 'tracefs', JSON.stringify(report.signalTrace));
  const lines = signalLines(report);
  const term = lines.find((e) => e.signal === 'SIGTERM');
  assert.ok(term?.kernel, JSON.stringify(lines));
  assert.equal(term.kernel.result, 'ignored');
  assert.equal(term.kernel.reason, 'namespace-init-default');
  assert.equal(term.kernel.why, 'ignored: default action at a namespace init');
  assert.equal(term.kernel.target.nsPid, 1);
  assert.equal(term.kernel.target.pid, report.before?.processes.find((p) => p.pid === 1)?.hostPid);
  assert.equal(term.kernel.target.command, 'sh');
  // docker stop: the engine asks containerd, whose shim runs `runc kill`.
  assert.equal(term.kernel.sender.role, 'runtime', JSON.stringify(term.kernel.sender));
  assert.equal(lines.filter((e) => e.signal === 'SIGKILL').length, 1, "the runtime's one SIGKILL; the kernel's are lines of their own");
  const kill = lines.find((e) => e.signal === 'SIGKILL');
  assert.equal(kill?.kernel?.result, 'delivered', JSON.stringify(lines));
  assert.equal(kill.kernel.target.nsPid, 1);
  // PID 1 died: the kernel kills the rest of its namespace (zap_pid_ns_processes), seen only in the trace.
  const zapped = kernelLines(report).filter((e) => e.signal === 'SIGKILL');
  assert.ok(zapped.length >= 1, JSON.stringify(report.timeline));
  for (const z of zapped) {
    assert.ok(z.t >= (kill.t ?? 0), "after PID 1's SIGKILL");
    assert.equal(z.kernel.sender.role, 'kernel');
    assert.equal(z.kernel.result, 'delivered');
    assert.match(z.to, /^PID \d+ \(svc\)$/);
  }
  instanceRemoved(report);
});

test("exec form: the SIGTERM line says a handler runs; svc's forwarding to its worker appears from the trace (pretty output)", async (t) => {
  if (!requireDocker(t) || !requireTracefs(t)) return;
  const image = testImage({ shell: 'dash' });
  const r = await pid1(['test', '--image', image, '--entrypoint', '["svc","--workers","1"]', '--grace', '5', '--ready-log', 'worker ready'], { env: { NO_COLOR: '1' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const timeline = r.stdout.slice(r.stdout.indexOf('Timeline'));
  assert.match(
    timeline,
    /\n\s+[\d.]+ {2}SIGTERM -> PID 1 \(svc\), sent by [^\n]+; the kernel: delivered: a handler runs \(host PID \d+, PID 1 inside; sent by (runc|crun|containerd-shim), host PID \d+\)\n/,
    timeline,
  );
  assert.match(timeline, /\n\s+[\d.]+ {2}kernel SIGTERM -> PID \d+ \(svc\), sent by svc \(PID 1 in the container\): delivered: a handler runs\n/, timeline);
  assert.doesNotMatch(timeline, /no kernel results/);
  assert.doesNotMatch(timeline, /SIGKILL/);
});

test("podman: the stop pid1 replays through Podman's API; the kernel says the OCI runtime's SIGTERM was ignored by dash as PID 1", async (t) => {
  if (!(await requirePodman(t)) || !requireTracefs(t)) return;
  const image = await podmanImage({ shell: 'dash' });
  const r = await pid1(['test', '--image', image, '--runtime', 'podman', '--address', `unix://${PODMAN_SOCKET}`, '--grace', '1', '--ready-log', 'ready', '--json', '--', '/bin/sh', '-c', 'svc']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as TestReport;
  const term = signalLines(report).find((e) => e.signal === 'SIGTERM');
  assert.equal(term?.kernel?.result, 'ignored', JSON.stringify(report.timeline));
  assert.equal(term.kernel.reason, 'namespace-init-default');
  assert.equal(term.kernel.target.nsPid, 1);
  // podman kill runs the OCI runtime's kill (crun or runc).
  assert.equal(term.kernel.sender.role, 'runtime', JSON.stringify(term.kernel.sender));
  assert.equal(signalLines(report).find((e) => e.signal === 'SIGKILL')?.kernel?.result, 'delivered');
  instanceRemoved(report);
});

test('a PID namespace (-- CMD): SIGTERM ignored by dash as PID 1, as the kernel says', async (t) => {
  if (!requireTracefs(t)) return;
  const r = await pid1(['test', '--grace', '1', '--json', '--', '/bin/sh', '-c', 'sleep 30']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as TestReport;
  const term = signalLines(report).find((e) => e.signal === 'SIGTERM');
  assert.equal(term?.kernel?.result, 'ignored', JSON.stringify(report.timeline));
  assert.equal(term.kernel.reason, 'namespace-init-default');
  assert.equal(term.kernel.sender.role, 'host');
  instanceRemoved(report);
});

test('no tracefs: one plain line says why, the timeline has no kernel results, the verdict is the same', async (t) => {
  if (!requireTracefs(t)) return; // as root: otherwise "needs root" comes first
  const notTracefs = tempDir('pid1-notracefs-');
  fs.mkdirSync(path.join(notTracefs, 'instances'));
  const r = await pid1(['test', '--grace', '1', '--', '/bin/sh', '-c', 'sleep 30'], { env: { PID1_TRACEFS: notTracefs, NO_COLOR: '1' } });
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
  const why = `no tracefs at ${notTracefs}: mount it as root (mount -t tracefs nodev /sys/kernel/tracing), or point PID1_TRACEFS at it`;
  assert.ok(r.stdout.includes(`Timeline (ms from the SIGTERM):\n  (no kernel results for the signals: ${why})\n`), r.stdout);
  assert.match(r.stdout, /\n\s+0\.0 {2}SIGTERM -> PID 1 \(sh\), sent by pid1 \(from the host\)\n/);
  assert.doesNotMatch(r.stdout, /the kernel: /);
  assert.match(r.stdout, /Verdict: KILLED/);
  const j = await pid1(['test', '--grace', '1', '--json', '--', '/bin/sh', '-c', 'sleep 30'], { env: { PID1_TRACEFS: notTracefs } });
  const report = JSON.parse(j.stdout) as TestReport;
  assert.deepEqual(report.signalTrace, { source: 'none', why });
  assert.ok(signalLines(report).every((e) => e.kernel === undefined));
  assert.equal(kernelLines(report).length, 0);
});

/** The built CLI's modules where user nobody can read them (the clone may live under /root, mode 0700). */
function modulesForNobody(): string {
  const repo = path.resolve(path.dirname(CLI), '../../..');
  const root = tempDir('pid1-nobody-');
  fs.chmodSync(root, 0o755);
  fs.cpSync(path.join(repo, 'dist/src'), path.join(root, 'dist/src'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
  return root;
}

test('not root: the trace says in one line that it needs root (what pid1 test prints above its timeline)', async (t) => {
  if (!requireTracefs(t)) return;
  const root = modulesForNobody();
  const script = path.join(root, 'probe.mjs');
  // pid1 test itself needs root for its namespaces and the engine's socket: the trace is started as pid1 test starts it.
  fs.writeFileSync(
    script,
    `import { TestSignalTrace } from './dist/src/runtime/trace/test-signals.js';\nconst t = TestSignalTrace.start(${process.pid});\nt.stop();\nprocess.stdout.write(JSON.stringify(t.view));\n`,
  );
  const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, script]);
  assert.equal(r.code, 0, r.stderr);
  const view = JSON.parse(r.stdout) as { source: string; why: string };
  assert.equal(view.source, 'none');
  assert.match(view.why, /^the kernel's trace needs root: the kernel's tracing files \(\S+\) are readable by root only \(run it with sudo, or in a privileged pod\)$/);
});

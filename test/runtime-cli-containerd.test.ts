/**
 * `pid1 inspect` and `pid1 stop` with `--runtime containerd`, against the real containerd (install-deps
 * starts it), with containers in the k8s.io namespace carrying what the CRI plugin gives a pod's
 * containers (images imported locally, no registry); and the node audit's command, taken from
 * deploy/node-audit.yaml, run the way the DaemonSet runs it (the task bundles alone, read-only, no
 * socket, uid 0 with CAP_SYS_PTRACE only, a read-only root).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { requireContainerd, containerdImage, runPodContainer, cleanupContainerd, removeTask, taskStatus, CONTAINERD_ADDRESS, K8S_NS } from './helpers/containerd.js';
import { pid1, CLI } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/exec.js';
import { namespaceTree } from '../src/proc/tree.js';
import { TASK_DIR } from '../src/runtime/containerd.js';
import type { ContainerRow } from '../src/runtime/inspect-runtime.js';
import type { InspectReport, RescueReport } from '../src/runtime/reports.js';

after(cleanupContainerd);

const STATE_DIR = path.dirname(CONTAINERD_ADDRESS);
const onContainerd = ['--runtime', 'containerd', '--address', CONTAINERD_ADDRESS, '--state-dir', STATE_DIR];
const here = path.dirname(fileURLToPath(import.meta.url));
const MANIFEST = path.resolve(here, '../../deploy/node-audit.yaml');

/** Wait until the namespace of `pid` has `n` processes (the wrapper forked its service and workers). */
async function settled(pid: number, n: number): Promise<void> {
  await waitFor(`${n} processes under PID ${pid}`, () => (namespaceTree(pid).processes.length >= n ? true : undefined));
}

async function stopped(id: string): Promise<void> {
  await waitFor(`task ${id} stopped`, () => (taskStatus(id) === 'STOPPED' ? true : undefined), 15_000);
}

describe('pid1 --runtime containerd', { concurrency: 1 }, () => {
  test('inspect --all --namespace k8s.io: pod, namespace and container names, the stop signal from the image config, the grace and whether it will be spent', async (t) => {
    if (!requireContainerd(t)) return;
    const plain = containerdImage({ shell: 'dash' });
    const quit = containerdImage({ shell: 'dash', stopSignal: 'SIGQUIT' });
    const sandbox = await runPodContainer({ image: plain, args: ['catatonit', '-P'], pod: 'shop-0', podNamespace: 'shop' });
    const web = await runPodContainer({ image: plain, args: ['/bin/sh', '-c', 'svc --workers 1'], pod: 'shop-0', podNamespace: 'shop', container: 'web', criStopSignal: '', grace: 45 });
    // CRI recorded no stop signal: it sends the image's STOPSIGNAL (QUIT), which svc takes as its graceful one.
    const worker = await runPodContainer({ image: quit, args: ['svc', '--graceful', 'QUIT'], pod: 'shop-0', podNamespace: 'shop', container: 'worker', criStopSignal: '', grace: 45 });
    try {
      await settled(web.pid, 3);
      const r = await pid1(['inspect', '--all', ...onContainerd, '--namespace', K8S_NS, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { runtime: string; containers: ContainerRow[]; notes: string[] };
      assert.equal(out.runtime, 'containerd');
      assert.ok(out.containers.every((c) => c.containerdNamespace === K8S_NS));
      const byId = (id: string): ContainerRow | undefined => out.containers.find((c) => c.id === id);
      const w = byId(web.id);
      assert.deepEqual(w && [w.name, w.pod, w.namespace, w.container, w.kind, w.hostPid], ['shop/shop-0/web', 'shop-0', 'shop', 'web', 'container', web.pid]);
      assert.deepEqual(w && [w.stopSignal, w.stopSignalFrom, w.grace, w.outcome, w.graceSpent], ['SIGTERM', 'default', 45, 'killed', true]);
      const k = byId(worker.id);
      assert.deepEqual(k && [k.stopSignal, k.stopSignalFrom, k.grace, k.outcome, k.graceSpent], ['SIGQUIT', 'image', 45, 'graceful', false]);
      const s = byId(sandbox.id);
      assert.deepEqual(s && [s.name, s.kind, s.container, s.outcome], ['shop/shop-0 (sandbox)', 'sandbox', undefined, 'graceful']);

      const text = await pid1(['inspect', '--all', ...onContainerd, '--namespace', K8S_NS]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^shop\/shop-0\/web\s+KILLED\s+SIGTERM, grace 45 s \(spent in full, then SIGKILL\): /m);
      assert.match(text.stdout, /^shop\/shop-0\/worker\s+GRACEFUL SIGQUIT, grace 45 s: /m);

      const lines = await pid1(['inspect', '--all', ...onContainerd, '--namespace', K8S_NS, '--json-lines'], { env: { NODE_NAME: 'node-a' } });
      assert.equal(lines.code, 0, lines.stderr);
      const records = lines.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const pass = records.at(-1);
      assert.equal(pass?.record, 'pass');
      assert.equal(pass?.node, 'node-a');
      assert.equal(pass?.containers, records.length - 1);
      assert.ok(Number(pass?.killed) >= 1);
      const wl = records.find((x) => x.id === web.id);
      assert.deepEqual(wl && [wl.record, wl.node, wl.namespace, wl.pod, wl.container, wl.outcome, wl.graceSpent], ['container', 'node-a', 'shop', 'shop-0', 'web', 'killed', true]);

      const one = await pid1(['inspect', '--container', 'shop/shop-0/web', ...onContainerd, '--json']);
      assert.equal(one.code, 0, one.stderr);
      const rep = JSON.parse(one.stdout) as InspectReport;
      assert.equal(rep.container?.id, web.id);
      assert.equal(rep.container?.name, 'shop/shop-0/web');
      assert.equal(rep.verdict.outcome, 'killed');
    } finally {
      for (const c of [sandbox, web, worker]) removeTask(`${K8S_NS}/${c.id}`);
    }
  });

  test("stop: a dash wrapper's service is signalled from the host and drains; the task ends 0 within the pod's grace", async (t) => {
    if (!requireContainerd(t)) return;
    const image = containerdImage({ shell: 'dash' });
    const c = await runPodContainer({ image, args: ['/bin/sh', '-c', 'svc --workers 2 --drain-ms 300'], pod: 'api-0', podNamespace: 'prod', container: 'api', grace: 20 });
    try {
      await settled(c.pid, 4);
      const r = await pid1(['stop', '--container', c.id.slice(0, -4), ...onContainerd, '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.runtime, 'containerd');
      assert.equal(rep.container.name, 'prod/api-0/api');
      assert.equal(rep.mode, 'direct');
      assert.deepEqual([rep.graceSeconds, rep.graceFrom], [20, "the pod's terminationGracePeriodSeconds"]);
      const master = rep.before.processes.find((p) => p.comm === 'svc' && p.ppid === 1);
      assert.deepEqual(
        rep.targets.map((x) => [x.name, x.pid]),
        [['svc', master?.pid]],
      );
      assert.equal(rep.targets[0]?.ended, 'exit 0');
      assert.ok((rep.targets[0]?.atMs ?? Infinity) < 5000);
      assert.equal(rep.outcome, 'graceful');
      assert.equal(rep.exitCode, 0);
      assert.ok(!rep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGKILL'));
      await stopped(c.id);
    } finally {
      removeTask(`${K8S_NS}/${c.id}`);
    }
  });

  test('stop: a paused task (ctr task pause: its cgroup is frozen) is refused in one line, and not signalled', async (t) => {
    if (!requireContainerd(t)) return;
    const image = containerdImage({ shell: 'dash' });
    const c = await runPodContainer({ image, args: ['/bin/sh', '-c', 'svc --workers 1'], pod: 'frozen-0', podNamespace: 'prod', container: 'api', grace: 20 });
    try {
      await settled(c.pid, 3);
      const pause = spawnSync('ctr', ['--address', CONTAINERD_ADDRESS, '-n', K8S_NS, 'task', 'pause', c.id], { encoding: 'utf8' });
      assert.equal(pause.status, 0, pause.stderr);
      const r = await pid1(['stop', '--container', c.id.slice(0, -4), ...onContainerd, '--json']);
      assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /is paused, and pid1 cannot unpause a containerd container: unpause it, then run pid1 stop again/);
      // nothing was signalled: resumed, the service is still running
      assert.equal(spawnSync('ctr', ['--address', CONTAINERD_ADDRESS, '-n', K8S_NS, 'task', 'resume', c.id]).status, 0);
      assert.equal(taskStatus(c.id), 'RUNNING');
    } finally {
      removeTask(`${K8S_NS}/${c.id}`);
    }
  });

  test("stop: a graceful PID 1 gets the CRI's stop replayed from the host; a drain longer than the grace ends in SIGKILL (137)", async (t) => {
    if (!requireContainerd(t)) return;
    const image = containerdImage({ shell: 'dash' });
    const ok = await runPodContainer({ image, args: ['svc'], pod: 'ok-0', podNamespace: 'prod', container: 'ok', grace: 20 });
    const slow = await runPodContainer({ image, args: ['svc', '--drain-ms', '5000'], pod: 'slow-0', podNamespace: 'prod', container: 'slow', grace: 20 });
    try {
      await settled(ok.pid, 1);
      const r = await pid1(['stop', '--container', 'prod/ok-0/ok', ...onContainerd, '--namespace', K8S_NS, '--json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const rep = JSON.parse(r.stdout) as RescueReport;
      assert.equal(rep.mode, 'normal');
      assert.match(rep.normalStop ?? '', /^the CRI's StopContainer replayed from the host \(SIGTERM to PID 1, SIGKILL 20 s later\)$/);
      assert.ok(rep.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGTERM'));
      assert.deepEqual([rep.outcome, rep.exitCode], ['graceful', 0]);
      await stopped(ok.id);

      const s = await pid1(['stop', '--container', slow.id, ...onContainerd, '--grace', '1']);
      assert.equal(s.code, 1, s.stderr + s.stdout);
      assert.match(s.stdout, /SIGKILL -> PID 1 \(svc\), sent by pid1, replaying the CRI's StopContainer from the host/);
      assert.match(s.stdout, /^Result: KILLED: .*exited with status 137 after SIGKILL$/m);
      await stopped(slow.id);
    } finally {
      removeTask(`${K8S_NS}/${ok.id}`);
      removeTask(`${K8S_NS}/${slow.id}`);
    }
  });

  test('errors: no containerd, a wrong --runtime, --namespace on Docker, pid1 test on containerd, an unknown container: one line, exit 2', async () => {
    const empty = tempDir('pid1-nocontainerd-');
    const cases: [string[], RegExp][] = [
      [
        ['inspect', '--all', '--runtime', 'containerd', '--address', path.join(empty, 'containerd.sock'), '--state-dir', path.join(empty, 'state')],
        /^pid1: no containerd task bundles under .*state \(--state-dir\) and no containerd socket at .*containerd\.sock\n$/,
      ],
      [['inspect', '--all', '--runtime', 'cri-o'], /^pid1: --runtime cri-o: expected one of docker, podman, containerd\n$/],
      [['inspect', '--all', '--runtime', 'docker', '--namespace', 'k8s.io'], /^pid1: --namespace is containerd's: Docker has no namespaces; add --runtime containerd, or drop --namespace\n$/],
      [['stop', '--container', 'x', '--namespace', 'k8s.io'], /^pid1: --namespace is containerd's: Docker \(chosen because .+\) has no namespaces; add --runtime containerd, or drop --namespace\n$/],
      [
        ['test', '--image', 'x', '--runtime', 'containerd'],
        /^pid1: pid1 test creates its containers through an Engine API: use --runtime docker or --runtime podman \(on a containerd node, pid1 inspect and pid1 stop take --runtime containerd\)\n$/,
      ],
      [
        ['inspect', '--all', '--runtime', 'docker', '--address', path.join(empty, 'docker.sock')],
        /^pid1: Docker engine at unix:\/\/.*docker\.sock does not answer: no such socket \(start dockerd, set DOCKER_HOST or --address, or choose --runtime podman\|containerd\)\n$/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = await pid1(args, { env: { DOCKER_HOST: '', CONTAINER_HOST: '', CONTAINERD_ADDRESS: '' } });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
    }
  });

  test('errors with containerd running: an unknown container is one line', async (t) => {
    if (!requireContainerd(t)) return;
    const r = await pid1(['stop', '--container', 'nosuch/pod/c', ...onContainerd]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'pid1: no running containerd container nosuch/pod/c\n');
  });
});

interface ManifestContainer {
  command: string[];
  env?: { name: string; value?: string }[];
  volumeMounts: { mountPath: string; readOnly?: boolean }[];
  securityContext: { capabilities: { add: string[] } };
}

/** The DaemonSet's container, as the manifest has it. */
function auditContainer(): ManifestContainer {
  const docs = parseAllDocuments(fs.readFileSync(MANIFEST, 'utf8')).map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: { containers: ManifestContainer[] } } } });
  const c = docs.find((d) => d.kind === 'DaemonSet')?.spec?.template?.spec?.containers[0];
  assert.ok(c);
  return c;
}

test("node audit: the DaemonSet's own command, with only what the manifest gives it, prints a JSON line per container with the right verdicts, every period, until SIGTERM", async (t) => {
  if (!requireContainerd(t)) return;
  if (process.getuid?.() !== 0) {
    t.skip('needs root (mount namespace, the root-only task bundles)');
    return;
  }
  const spec = auditContainer();
  assert.equal(spec.command[0], 'pid1');
  const [mount] = spec.volumeMounts;
  assert.ok(mount?.readOnly);
  assert.deepEqual(spec.securityContext.capabilities.add, ['SYS_PTRACE']);
  const image = containerdImage({ shell: 'dash' });
  const wrapper = await runPodContainer({ image, args: ['/bin/sh', '-c', 'svc'], pod: 'audit-0', podNamespace: 'team', container: 'web', grace: 30 });
  const exec = await runPodContainer({ image, args: ['catatonit', '--', 'svc'], pod: 'audit-1', podNamespace: 'team', container: 'web', grace: 30 });
  const stash = tempDir('pid1-audit-');
  let child: ReturnType<typeof spawn> | undefined;
  try {
    await settled(wrapper.pid, 2);
    await settled(exec.pid, 2);
    // In a mount namespace of its own (gone with it): the task bundles, read-only, at the manifest's mountPath; containerd's
    // directory otherwise empty (no socket); the root read-only; then uid 0 with no capability but CAP_SYS_PTRACE.
    const setup = [
      'set -e',
      `mount --bind "${path.join(STATE_DIR, TASK_DIR)}" "${stash}"`,
      `mount -t tmpfs -o mode=0700 tmpfs "${STATE_DIR}"`,
      `mkdir -p "${mount.mountPath}"`,
      `mount --bind -o ro "${stash}" "${mount.mountPath}"`,
      'mount -o remount,bind,ro /',
      'exec "$@"',
    ].join('\n');
    const argv = [process.execPath, CLI, ...spec.command.slice(1)];
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_NAME: 'node-7',
      ...Object.fromEntries((spec.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string])),
    };
    child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', setup, 'sh', 'setpriv', '--inh-caps=-all', '--bounding-set=-all,+sys_ptrace', '--', ...argv], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code, sig) => resolve(code ?? (sig ? -1 : null))));
    const records = await waitFor(
      'the first pass',
      () => {
        const lines = out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        return lines.some((l) => l.record === 'pass') ? lines : undefined;
      },
      20_000,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; stderr: ${err}; stdout: ${out}`);
    });
    t.diagnostic(
      records
        .filter((r) => r.record === 'pass')
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const w = records.find((r) => r.id === wrapper.id);
    const e = records.find((r) => r.id === exec.id);
    assert.deepEqual(w && [w.record, w.node, w.runtime, w.namespace, w.pod, w.container, w.outcome, w.graceSpent, w.stopSignal, w.stopSignalFrom, w.grace], [
      'container',
      'node-7',
      'containerd',
      'team',
      'audit-0',
      'web',
      'killed',
      true,
      'SIGTERM',
      'default',
      null,
    ]);
    // catatonit's signalfd is read with CAP_SYS_PTRACE: graceful (without it, killed: test/runtime-containerd.test.ts).
    assert.deepEqual(e && [e.outcome, e.graceSpent], ['graceful', false]);
    assert.match(String(w?.graceFrom), /not visible without containerd's socket/);
    const pass = records.find((r) => r.record === 'pass');
    assert.match(JSON.stringify(pass?.notes), /no containerd socket at/);
    assert.equal(err, '', 'nothing on stderr');
    // The period is long (1h): the process waits; the kubelet's SIGTERM ends it at once (not a namespace init there).
    assert.equal(child.exitCode, null, 'still running, waiting for the next pass');
    process.kill(child.pid as number, 'SIGTERM');
    assert.equal(await exited, -1, 'ended by SIGTERM');
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL');
    removeTask(`${K8S_NS}/${wrapper.id}`);
    removeTask(`${K8S_NS}/${exec.id}`);
  }
});

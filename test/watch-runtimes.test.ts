/**
 * `pid1 watch` on Podman (its service, through the Docker-compatible API) and on containerd (a pod's
 * containers in k8s.io as the CRI makes them, the task bundles and API): the container found through
 * the runtime, its PID namespace watched through the kernel's tracepoints, and stopped with the
 * runtime's own tools (`podman stop`, `ctr task kill`: the OCI runtime sends the signals).
 */
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requirePodman, podmanImage, startPodmanContainer, cleanupPodman, removePodmanContainer, PODMAN_SOCKET } from './helpers/podman.js';
import { requireContainerd, containerdImage, runPodContainer, cleanupContainerd, ctr, removeTask, CONTAINERD_ADDRESS, K8S_NS } from './helpers/containerd.js';
import { pid1 } from './helpers/cli.js';
import { sleep, waitFor } from './helpers/exec.js';
import { instanceOf, requireTracefs, startWatch, stopWatchers } from './helpers/watch.js';
import { namespaceTree } from '../src/proc/tree.js';
import type { EndEvent, LostStopEvent, SignalEvent, WatchEvent } from '../src/runtime/trace/events.js';

after(() => {
  cleanupPodman();
  cleanupContainerd();
});
afterEach(stopWatchers);

const onPodman = ['--runtime', 'podman', '--address', `unix://${PODMAN_SOCKET}`];
const onContainerd = ['--runtime', 'containerd', '--address', CONTAINERD_ADDRESS, '--state-dir', path.dirname(CONTAINERD_ADDRESS), '--namespace', K8S_NS];

const isSignal =
  (sig: string, nsPid?: number) =>
  (e: WatchEvent): e is SignalEvent =>
    e.event === 'signal' && e.signal === sig && (nsPid === undefined || e.target.nsPid === nsPid);
const isLostStop = (e: WatchEvent): e is LostStopEvent => e.event === 'lost-stop';
const isEnd = (e: WatchEvent): e is EndEvent => e.event === 'end';

/** Wait until the namespace of `pid` has `n` processes (the wrapper forked its service and worker). */
async function settled(pid: number, n: number): Promise<void> {
  await waitFor(`${n} processes under PID ${pid}`, () => (namespaceTree(pid).processes.length >= n ? true : undefined));
}

function podmanCli(args: string[]): void {
  execFileSync('podman', ['--remote', '--url', `unix://${PODMAN_SOCKET}`, ...args], { stdio: 'pipe', timeout: 60_000 });
}

function hostPidOfPodman(name: string): number {
  return Number(execFileSync('podman', ['--remote', '--url', `unix://${PODMAN_SOCKET}`, 'inspect', '-f', '{{.State.Pid}}', name], { encoding: 'utf8' }).trim());
}

test("podman: a shell-form container's SIGTERM from podman stop is ignored at PID 1, the SIGKILL after the grace is a lost stop", async (t) => {
  if (!(await requirePodman(t)) || !requireTracefs(t)) return;
  const image = await podmanImage({ shell: 'dash' });
  const { name } = await startPodmanContainer({ image, cmd: ['/bin/sh', '-c', 'svc --workers 1'], stopTimeout: 2 });
  try {
    const initPid = hostPidOfPodman(name);
    await settled(initPid, 3);
    const w = await startWatch(['--container', name, ...onPodman, '--json']);
    const start = w.events.find((e) => e.event === 'watch');
    assert.equal(start?.event === 'watch' && start.container?.name, name);
    assert.equal(start?.event === 'watch' && start.init, initPid);
    // podman stop -t 2: the OCI runtime (crun or runc, run by the service) sends SIGTERM, then SIGKILL 2 s later.
    podmanCli(['stop', '-t', '2', name]);
    const end = await w.exited;
    const term = await w.next('SIGTERM to PID 1', isSignal('SIGTERM', 1));
    assert.equal(term.result, 'ignored');
    assert.equal(term.reason, 'namespace-init-default');
    assert.equal(term.target.pid, initPid);
    assert.equal(term.sender.role, 'runtime', JSON.stringify(term.sender));
    assert.equal(term.container?.name, name);
    const kill = await w.next('SIGKILL to PID 1', isSignal('SIGKILL', 1));
    assert.equal(kill.result, 'delivered');
    const lost = await w.next('the lost stop', isLostStop);
    assert.equal(lost.signal, 'SIGTERM');
    assert.equal(lost.processes, 3);
    assert.ok(lost.waitedMs >= 1500, `podman stop -t 2 waited ${lost.waitedMs} ms`);
    assert.match(lost.summary, new RegExp(`SIGTERM to PID 1 \\(sh\\) of container ${name} was ignored`));
    assert.equal(end.code, 1, w.stderr());
    assert.ok(!fs.existsSync(instanceOf(w)), 'the instance is removed');
  } finally {
    removePodmanContainer(name);
  }
});

test("podman --all: an exec-form container started after the watch began; its SIGTERM delivered to svc's handler, no lost stop", async (t) => {
  if (!(await requirePodman(t)) || !requireTracefs(t)) return;
  const image = await podmanImage({ shell: 'dash' });
  const w = await startWatch(['--all', ...onPodman, '--json']);
  const { name } = await startPodmanContainer({ image, cmd: ['svc', '--workers', '1'], stopTimeout: 5 });
  try {
    const initPid = hostPidOfPodman(name);
    await settled(initPid, 2);
    // Podman's start event (or the refresh 10 s later) adds it: a harmless signal, resent until the watch shows it for this container.
    await waitFor(
      'the watch to take the new container',
      async () => {
        podmanCli(['kill', '-s', 'WINCH', name]); // SIGWINCH: ignored by default, harmless to svc
        await sleep(300);
        return w.events.some((e) => e.event === 'signal' && e.signal === 'SIGWINCH' && e.container?.name === name) ? true : undefined;
      },
      15_000,
      0,
    );
    podmanCli(['stop', '-t', '5', name]);
    const term = await w.next('SIGTERM to PID 1', (e): e is SignalEvent => isSignal('SIGTERM', 1)(e) && e.container?.name === name);
    assert.equal(term.result, 'delivered');
    assert.equal(term.why, 'delivered: a handler runs');
    assert.equal(term.sender.role, 'runtime');
    const forwarded = await w.next('SIGTERM to the worker', (e): e is SignalEvent => e.event === 'signal' && e.signal === 'SIGTERM' && e.target.nsPid !== 1 && e.container?.name === name);
    assert.equal(forwarded.sender.role, 'container');
    await waitFor('svc to exit', () => (fs.existsSync(`/proc/${initPid}`) ? undefined : true), 10_000);
    await sleep(1500); // the story settles (1 s) before it is told
    w.child.kill('SIGINT');
    const end = await w.exited;
    assert.equal(end.code, 0, w.stderr());
    assert.ok(!w.events.some((e) => isLostStop(e) && e.container?.name === name), JSON.stringify(w.events.filter(isLostStop)));
    assert.ok(w.events.some(isEnd));
  } finally {
    removePodmanContainer(name);
  }
});

test("containerd: a pod's shell-form container, killed with ctr as the CRI would (SIGTERM, then SIGKILL): ignored, then a lost stop named by pod and container", async (t) => {
  if (!requireContainerd(t) || !requireTracefs(t)) return;
  const image = containerdImage({ shell: 'dash' });
  const web = await runPodContainer({ image, args: ['/bin/sh', '-c', 'svc --workers 1'], pod: 'shop-0', podNamespace: 'shop', container: 'web', grace: 2 });
  try {
    await settled(web.pid, 3);
    const w = await startWatch(['--container', web.id, ...onContainerd, '--json']);
    const start = w.events.find((e) => e.event === 'watch');
    assert.deepEqual(start?.event === 'watch' && start.container, { id: web.id, name: 'web', image, pod: 'shop-0', namespace: 'shop' });
    // The shim runs `runc kill`: the runtime sends both.
    ctr(['-n', K8S_NS, 'tasks', 'kill', '-s', 'SIGTERM', web.id]);
    await sleep(1200);
    ctr(['-n', K8S_NS, 'tasks', 'kill', '-s', 'SIGKILL', web.id]);
    const end = await w.exited;
    const term = await w.next('SIGTERM to PID 1', isSignal('SIGTERM', 1));
    assert.equal(term.result, 'ignored');
    assert.equal(term.reason, 'namespace-init-default');
    assert.equal(term.target.pid, web.pid);
    assert.equal(term.sender.role, 'runtime', JSON.stringify(term.sender));
    const lost = await w.next('the lost stop', isLostStop);
    assert.equal(lost.container?.pod, 'shop-0');
    assert.equal(lost.container?.namespace, 'shop');
    assert.equal(lost.processes, 3);
    assert.match(lost.summary, /SIGTERM to PID 1 \(sh\) of container web \(pod shop\/shop-0\) was ignored/);
    assert.equal(end.code, 1, w.stderr());
    assert.ok(!fs.existsSync(instanceOf(w)));
    // A container containerd does not have: one line.
    const missing = await pid1(['watch', '--container', 'nope-not-there', ...onContainerd]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `pid1: no running containerd container nope-not-there in namespace ${K8S_NS}\n`);
  } finally {
    removeTask(`${K8S_NS}/${web.id}`);
  }
});

test("containerd --all: a pod's exec-form container started after the watch began is found (the task bundles, read every 2 s); its SIGTERM delivered", async (t) => {
  if (!requireContainerd(t) || !requireTracefs(t)) return;
  const image = containerdImage({ shell: 'dash' });
  const w = await startWatch(['--all', ...onContainerd]);
  const api = await runPodContainer({ image, args: ['svc', '--workers', '1'], pod: 'api-0', podNamespace: 'shop', container: 'api', grace: 5 });
  try {
    await settled(api.pid, 2);
    await sleep(2500); // one refresh of the listing
    ctr(['-n', K8S_NS, 'tasks', 'kill', '-s', 'SIGTERM', api.id]);
    await waitFor('the SIGTERM line', () => w.lines.find((l) => / shop\/api-0\/api {2}SIGTERM /.test(l) && /-> PID 1 svc/.test(l)), 5000);
    w.child.kill('SIGTERM');
    const end = await w.exited;
    assert.equal(end.code, 0, w.stderr());
    const line = w.lines.find((l) => / shop\/api-0\/api {2}SIGTERM /.test(l) && /-> PID 1 svc/.test(l)) ?? '';
    assert.match(line, /the runtime \((runc|containerd-shim)\) -> PID 1 svc \(host \d+\): delivered: a handler runs$/);
    assert.ok(!w.lines.some((l) => /LOST STOP/.test(l) && /api-0/.test(l)), w.lines.join('\n'));
    assert.match(w.lines.at(-1) ?? '', /^pid1 watch: ended \(SIGTERM received\)/);
  } finally {
    removeTask(`${K8S_NS}/${api.id}`);
  }
});

test('watch: --runtime with --pid, --namespace on Docker: one line, exit 2', async () => {
  let r = await pid1(['watch', '--pid', '1', '--runtime', 'podman']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'pid1: --runtime, --address, --namespace and --state-dir go with --container or --all (--pid names a host process: no runtime is asked)\n');
  r = await pid1(['watch', '--all', '--runtime', 'docker', '--namespace', 'k8s.io']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^pid1: --namespace is containerd's: Docker has no namespaces; add --runtime containerd, or drop --namespace\n$/);
});

/**
 * The containerd adapter against a real containerd (the Debian package, started by install-deps):
 * containers run in the k8s.io namespace carrying what the CRI plugin gives a pod's containers, read
 * back from the state directory and the API, their verdicts checked by signalling PID 1 for real.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireContainerd, containerdImage, runPodContainer, cleanupContainerd, removeTask, taskStatus, CONTAINERD_ADDRESS, K8S_NS, ctr } from './helpers/containerd.js';
import { tempDir, waitFor, sleep } from './helpers/exec.js';
import {
  listContainerd,
  findContainerd,
  signalInit,
  asContainerFacts,
  displayName,
  containerdAddress,
  containerdStateDir,
  TASK_DIR,
  type ContainerdContainer,
  type ContainerdOptions,
} from '../src/runtime/containerd.js';
import { namespaceTree } from '../src/proc/tree.js';
import { verdictFor } from '../src/proc/verdict.js';
import { loadShellParser } from '../src/model/shell.js';
import { UserError } from '../src/util/errors.js';
import { topHandlers } from '../src/runtime/rescue.js';

after(cleanupContainerd);

const STATE_DIR = path.dirname(CONTAINERD_ADDRESS);
const opts: ContainerdOptions = { address: CONTAINERD_ADDRESS, stateDir: STATE_DIR, env: {} };

async function listed(id: string, o: ContainerdOptions = opts): Promise<ContainerdContainer> {
  return waitFor(`container ${id} listed`, async () => (await listContainerd(o)).containers.find((c) => c.id === id));
}

/** Wait until the namespace of `pid` has `n` processes (the wrapper forked its service). */
async function settled(pid: number, n: number): Promise<void> {
  await waitFor(`${n} processes under PID ${pid}`, () => (namespaceTree(pid).processes.length >= n ? true : undefined));
}

test("containerd: a pod's containers in k8s.io are listed with the pod, namespace and container names, PID 1, argv, stop signal and grace", async (t) => {
  if (!requireContainerd(t)) return;
  const image = containerdImage({ shell: 'dash' });
  const sandbox = await runPodContainer({ image, args: ['catatonit', '-P'], pod: 'shop-0', podNamespace: 'shop' });
  const web = await runPodContainer({ image, args: ['/bin/sh', '-c', 'svc --workers 1'], pod: 'shop-0', podNamespace: 'shop', container: 'web', criStopSignal: '', grace: 45 });
  const worker = await runPodContainer({ image, args: ['app', '--graceful', 'QUIT'], pod: 'shop-0', podNamespace: 'shop', container: 'worker', criStopSignal: 'SIGQUIT', grace: 45 });
  try {
    const w = await listed(web.id);
    assert.equal(w.namespace, K8S_NS);
    assert.equal(w.hostPid, web.pid); // as `ctr task ls` shows it
    assert.deepEqual(w.argv, ['/bin/sh', '-c', 'svc --workers 1']);
    assert.deepEqual(w.kube && { kind: w.kube.kind, pod: w.kube.pod, namespace: w.kube.namespace, container: w.kube.container, grace: w.kube.grace }, {
      kind: 'container',
      pod: 'shop-0',
      namespace: 'shop',
      container: 'web',
      grace: 45,
    });
    assert.equal(w.image, image);
    assert.deepEqual(w.from, ['state', 'api']);
    assert.equal(w.bundle, path.join(STATE_DIR, TASK_DIR, K8S_NS, web.id));
    // CRI recorded no STOPSIGNAL and the image has none: containerd's CRI default.
    assert.equal(w.stopSignal, 'SIGTERM');
    assert.equal(w.stopSignalFrom, 'default');
    assert.equal(displayName(w), 'shop/shop-0/web');

    const k = await listed(worker.id);
    assert.equal(k.stopSignal, 'SIGQUIT');
    assert.equal(k.stopSignalFrom, 'cri');
    assert.equal(k.kube?.container, 'worker');

    const s = await listed(sandbox.id);
    assert.equal(s.kube?.kind, 'sandbox');
    assert.equal(s.kube?.container, undefined);
    assert.equal(displayName(s), 'shop/shop-0 (sandbox)');

    const facts = asContainerFacts(w);
    assert.equal(facts.name, 'shop/shop-0/web');
    assert.equal(facts.stopTimeout, 45);
    assert.equal(facts.hostPid, web.pid);

    assert.equal((await findContainerd('shop/shop-0/worker', opts)).id, worker.id);
    assert.equal((await findContainerd(worker.id.slice(0, worker.id.length - 3), opts)).id, worker.id);
  } finally {
    for (const c of [sandbox, web, worker]) removeTask(`${K8S_NS}/${c.id}`);
  }
});

test('containerd: verdicts from the listed PID 1 hold when the stop signal is sent to it from the host (dash wrapper: killed; exec form: graceful)', async (t) => {
  if (!requireContainerd(t)) return;
  await loadShellParser();
  const image = containerdImage({ shell: 'dash' });
  const wrapper = await runPodContainer({ image, args: ['/bin/sh', '-c', 'svc'], pod: 'api-0', podNamespace: 'prod', container: 'api', grace: 30 });
  const exec = await runPodContainer({ image, args: ['svc'], pod: 'api-1', podNamespace: 'prod', container: 'api', grace: 30 });
  try {
    const w = await listed(wrapper.id);
    const e = await listed(exec.id);
    await settled(w.hostPid, 2);
    assert.equal(verdictFor(namespaceTree(w.hostPid), w.stopSignal).outcome, 'killed');
    assert.equal(verdictFor(namespaceTree(e.hostPid), e.stopSignal).outcome, 'graceful');

    // What CRI's StopContainer does first: the stop signal to PID 1. dash drops it; svc exits.
    signalInit(w, w.stopSignal);
    signalInit(e, e.stopSignal);
    await waitFor('the exec-form task to exit', () => (taskStatus(exec.id) === 'STOPPED' ? true : undefined), 10_000);
    await sleep(1000);
    assert.equal(taskStatus(wrapper.id), 'RUNNING', 'dash as PID 1 ignored SIGTERM: only SIGKILL after the grace period ends it');
    // The rescue (pid1 stop) on a node: the top-most handler, signalled from the host by its PID, shuts down; dash follows.
    const tree = namespaceTree(w.hostPid);
    const [handler] = topHandlers(tree.processes, tree.init, 15);
    assert.equal(handler?.comm, 'svc');
    process.kill(handler.hostPid, 'SIGTERM');
    await waitFor('the wrapper task to exit', () => (taskStatus(wrapper.id) === 'STOPPED' ? true : undefined), 10_000);
    assert.match(ctr(['-n', K8S_NS, 'tasks', 'ls']), new RegExp(`${wrapper.id}\\s+\\d+\\s+STOPPED`));

    // An exited task keeps its bundle (and init.pid) until it is deleted: it is not listed.
    assert.ok(fs.existsSync(path.join(STATE_DIR, TASK_DIR, K8S_NS, exec.id, 'init.pid')));
    assert.equal(
      (await listContainerd(opts)).containers.some((c) => c.id === exec.id),
      false,
    );
    // Nor signalled again: its PID is not its init any more.
    assert.throws(
      () => signalInit(e, 'SIGTERM'),
      (err: unknown) => err instanceof UserError && /not its init any more/.test(err.message),
    );
  } finally {
    removeTask(`${K8S_NS}/${wrapper.id}`);
    removeTask(`${K8S_NS}/${exec.id}`);
  }
});

test("containerd: the stop signal comes from CRI's metadata, else ctr's label, else the image config in the content store, else SIGTERM", async (t) => {
  if (!requireContainerd(t)) return;
  const quit = containerdImage({ shell: 'dash', stopSignal: 'SIGQUIT' });
  const plain = containerdImage({ shell: 'dash' });
  // CRI records the image's STOPSIGNAL at creation; that is what it sends, even if the image changed since.
  const cri = await runPodContainer({ image: quit, args: ['svc'], pod: 'a', podNamespace: 'n', container: 'c', criStopSignal: 'SIGINT' });
  // CRI metadata without one: CRI falls back to the image's config (container_stop.go).
  const image = await runPodContainer({ image: quit, args: ['svc'], pod: 'b', podNamespace: 'n', container: 'c', criStopSignal: '' });
  // Created the way `ctr run` does: its io.containerd.image.config.stop-signal label.
  const label = await runPodContainer({ image: quit, args: ['svc'], pod: 'c', podNamespace: 'n', container: 'c', cri: false });
  const none = await runPodContainer({ image: plain, args: ['svc'], pod: 'd', podNamespace: 'n', container: 'c', criStopSignal: '' });
  try {
    const got = async (id: string): Promise<[string, string]> => {
      const c = await listed(id);
      return [c.stopSignal, c.stopSignalFrom];
    };
    assert.deepEqual(await got(cri.id), ['SIGINT', 'cri']);
    assert.deepEqual(await got(image.id), ['SIGQUIT', 'image']);
    assert.deepEqual(await got(label.id), ['SIGQUIT', 'label']);
    assert.deepEqual(await got(none.id), ['SIGTERM', 'default']);
    // ctr's container has the CRI annotations in its spec but no CRI metadata: no grace period recorded.
    const l = await listed(label.id);
    assert.equal(l.kube?.pod, 'c');
    assert.equal(l.kube?.grace, undefined);
  } finally {
    for (const c of [cri, image, label, none]) removeTask(`${K8S_NS}/${c.id}`);
  }
});

test('containerd: the state directory alone (no API) gives PIDs, argv and names; the API alone gives the same from Tasks.List', async (t) => {
  if (!requireContainerd(t)) return;
  const image = containerdImage({ shell: 'dash' });
  const c = await runPodContainer({ image, args: ['svc'], pod: 'db-0', podNamespace: 'data', container: 'db', criStopSignal: 'SIGINT', grace: 60 });
  try {
    const both = await listed(c.id);
    const stateOnly = await listed(c.id, { ...opts, api: 'never' });
    assert.deepEqual(stateOnly.from, ['state']);
    assert.equal(stateOnly.hostPid, both.hostPid);
    assert.deepEqual(stateOnly.argv, both.argv);
    assert.deepEqual(
      { ...stateOnly.kube, grace: undefined },
      { kind: 'container', pod: 'db-0', namespace: 'data', container: 'db', podUid: both.kube?.podUid, sandboxId: both.kube?.sandboxId, grace: undefined },
    );
    // Without the API, the stop signal and grace that only CRI's metadata holds are not visible.
    assert.equal(stateOnly.stopSignalFrom, 'default');
    assert.equal(stateOnly.kube?.grace, undefined);

    const empty = tempDir('pid1-nostate-');
    const apiOnly = await listed(c.id, { ...opts, stateDir: empty });
    assert.deepEqual(apiOnly.from, ['api']);
    assert.equal(apiOnly.hostPid, both.hostPid);
    assert.equal(apiOnly.starttime, both.starttime);
    assert.deepEqual(apiOnly.argv, both.argv);
    assert.deepEqual(apiOnly.kube, both.kube);
    assert.equal(apiOnly.stopSignal, 'SIGINT');
  } finally {
    removeTask(`${K8S_NS}/${c.id}`);
  }
});

test('containerd: --namespace and CONTAINERD_NAMESPACE restrict the listing; CONTAINERD_ADDRESS is read as ctr reads it', async (t) => {
  if (!requireContainerd(t)) return;
  const ns = `pid1-test-${process.pid}`;
  const image = containerdImage({ shell: 'dash' }, ns);
  const other = await runPodContainer({ image, args: ['svc'], pod: 'p', podNamespace: 'q', container: 'c', ns });
  try {
    assert.ok((await listContainerd(opts)).containers.some((c) => c.id === other.id && c.namespace === ns));
    assert.equal(
      (await listContainerd({ ...opts, namespace: K8S_NS })).containers.some((c) => c.id === other.id),
      false,
    );
    assert.deepEqual(
      (await listContainerd({ ...opts, namespace: ns })).containers.map((c) => c.id),
      [other.id],
    );
    assert.deepEqual(
      (await listContainerd({ ...opts, env: { CONTAINERD_NAMESPACE: ns } })).containers.map((c) => c.id),
      [other.id],
    );
    assert.equal(containerdAddress({ env: { CONTAINERD_ADDRESS: 'unix:///x/y.sock' } }), '/x/y.sock');
    assert.equal(containerdAddress({ address: '/a.sock', env: { CONTAINERD_ADDRESS: '/b.sock' } }), '/a.sock');
    assert.equal(containerdStateDir({}, CONTAINERD_ADDRESS), STATE_DIR);
  } finally {
    removeTask(`${ns}/${other.id}`);
  }
});

test('containerd: no socket, or no state directory, is one clear line', async () => {
  const empty = tempDir('pid1-nocontainerd-');
  const sock = path.join(empty, 'containerd.sock');
  const oneLine =
    (re: RegExp) =>
    (err: unknown): boolean =>
      err instanceof UserError && re.test(err.message) && !err.message.includes('\n');
  await assert.rejects(listContainerd({ address: sock, api: 'required', env: {} }), oneLine(/^no containerd socket at .*containerd\.sock$/));
  await assert.rejects(
    listContainerd({ address: sock, stateDir: path.join(empty, 'state'), env: {} }),
    oneLine(/^no containerd task bundles under .*state \(--state-dir\) and no containerd socket at /),
  );
});

/**
 * Run the state-directory reader and the verdict in a child with only the capabilities given, with the
 * task directory bind-mounted the way the DaemonSet mounts it (in a mount namespace of its own, gone with it).
 */
function underCaps(caps: string, pid: number, taskDir: string): Promise<{ code: number | null; out: string }> {
  const stateDir = tempDir('pid1-statedir-');
  fs.mkdirSync(path.join(stateDir, TASK_DIR));
  const here = path.dirname(fileURLToPath(import.meta.url));
  const script = `
    const { listContainerd } = await import(${JSON.stringify(path.resolve(here, '../src/runtime/containerd.js'))});
    const { namespaceTree } = await import(${JSON.stringify(path.resolve(here, '../src/proc/tree.js'))});
    const { verdictFor } = await import(${JSON.stringify(path.resolve(here, '../src/proc/verdict.js'))});
    const { readProcess } = await import(${JSON.stringify(path.resolve(here, '../src/proc/read.js'))});
    const out = {};
    try { const l = await listContainerd({ stateDir: ${JSON.stringify(stateDir)}, api: 'never', env: {} }); out.listed = l.containers.map((c) => c.hostPid).includes(${pid}); } catch (e) { out.listError = e.message; }
    try { const p = readProcess(${pid}); out.takes = p.takes.length; out.pidNs = p.pidNs; } catch (e) { out.readError = e.message; }
    try { out.outcome = verdictFor(namespaceTree(${pid})).outcome; } catch (e) { out.verdictError = e.message; }
    console.log(JSON.stringify(out));`;
  return new Promise((resolve) => {
    const setpriv = ['setpriv', '--inh-caps=-all', `--bounding-set=-all${caps ? `,${caps}` : ''}`, '--', process.execPath, '--input-type=module', '-e', script];
    execFile('unshare', ['--mount', '--', 'sh', '-c', 'mount --bind -o ro "$1" "$2" && shift 2 && exec "$@"', 'sh', taskDir, path.join(stateDir, TASK_DIR), ...setpriv], (err, stdout, stderr) => {
      if (err && !stdout) stdout = JSON.stringify({ spawnError: stderr.trim() });
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout.trim() });
    });
  });
}

test("containerd: least privilege for the node audit: uid 0 with CAP_SYS_PTRACE only reads what full root reads; without it the kernel hides PID 1's signal state", async (t) => {
  if (!requireContainerd(t)) return;
  if (process.getuid?.() !== 0) {
    t.skip('needs root');
    return;
  }
  // catatonit takes its signals through a signalfd: reading that (fdinfo) needs ptrace access to PID 1.
  const image = containerdImage({ shell: 'dash' });
  const c = await runPodContainer({ image, args: ['catatonit', '--', 'svc'], pod: 'x-0', podNamespace: 'x', container: 'x' });
  try {
    await settled(c.pid, 2);
    // The DaemonSet mounts the task directory itself, read-only (its parent may be root-only without search rights).
    const taskDir = path.join(STATE_DIR, TASK_DIR);
    const full = JSON.parse((await underCaps('+all', c.pid, taskDir)).out) as Record<string, unknown>;
    const ptrace = JSON.parse((await underCaps('+sys_ptrace', c.pid, taskDir)).out) as Record<string, unknown>;
    const none = JSON.parse((await underCaps('', c.pid, taskDir)).out) as Record<string, unknown>;
    t.diagnostic(`all capabilities: ${JSON.stringify(full)}; CAP_SYS_PTRACE only: ${JSON.stringify(ptrace)}; none: ${JSON.stringify(none)}`);
    assert.equal(full.listed, true, JSON.stringify(full));
    assert.equal(full.outcome, 'graceful');
    assert.ok(Number(full.takes) > 0, "catatonit's signalfd is seen");
    assert.deepEqual(ptrace, full, 'CAP_SYS_PTRACE alone reads the same as full root');
    // Without it: the task directory still lists (uid 0 owns it), but the signalfd of PID 1 (fdinfo) and its ns link are hidden.
    assert.equal(none.listed, true, JSON.stringify(none));
    assert.equal(none.pidNs, '');
    assert.equal(none.takes, 0);
    assert.notDeepEqual(none, full);
  } finally {
    removeTask(`${K8S_NS}/${c.id}`);
  }
});

test('containerd: images, containers and snapshots made by the helpers are gone after cleanup', async (t) => {
  if (!requireContainerd(t)) return;
  const image = containerdImage({ shell: 'ash' });
  const c = await runPodContainer({ image, args: ['svc'], pod: 'z', podNamespace: 'z', container: 'z' });
  cleanupContainerd();
  assert.equal(ctr(['-n', K8S_NS, 'containers', 'ls', '-q']).split('\n').includes(c.id), false);
  assert.equal(ctr(['-n', K8S_NS, 'images', 'ls', '-q']).split('\n').includes(image), false);
  assert.equal(ctr(['-n', K8S_NS, 'snapshots', 'ls']).includes(c.id), false);
});

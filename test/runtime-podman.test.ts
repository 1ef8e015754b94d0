/**
 * The Podman adapter against a real `podman system service` (Debian's podman, started by
 * install-deps): containers created through its Docker-compatible API, and every difference from
 * Docker that changes a stop, measured (catatonit as --init and as a pod's infra, conmon as the
 * parent of PID 1, the stop timeout of compat-created containers, StopSignal as a number, events).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { requirePodman, podman, podmanImage, startPodmanContainer, removePodmanContainer, cleanupPodman, podmanVersion, podmanEp, PODMAN_SOCKET } from './helpers/podman.js';
import { run, waitFor } from './helpers/exec.js';
import { inspectPodmanContainer, runningPodmanContainer, runningPodmanIds, ensurePodman, podmanQuirks, PODMAN_INIT_PATH } from '../src/runtime/podman.js';
import { engineKind } from '../src/runtime/runtime-select.js';
import { cmdlineOf, nsPidsOf, readStat } from '../src/proc/stat.js';
import { readProcess } from '../src/proc/read.js';
import { namespaceTree } from '../src/proc/tree.js';
import { verdictFor } from '../src/proc/verdict.js';
import { loadShellParser } from '../src/model/shell.js';
import { UserError } from '../src/util/errors.js';
import { dockerAvailable } from './helpers/docker.js';

after(cleanupPodman);

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function processes(pid: number, n: number): Promise<void> {
  await waitFor(`${n} processes under PID ${pid}`, () => (namespaceTree(pid).processes.length >= n ? true : undefined));
}

test('podman: a container created through the compat API: PID 1 on the host, conmon its parent, the stop signal named', async (t) => {
  if (!(await requirePodman(t))) return;
  const docker = await podman();
  const image = await podmanImage({ shell: 'dash' });
  const c = await startPodmanContainer({ image, cmd: ['svc'] });
  try {
    const f = await runningPodmanContainer(docker, c.name);
    assert.equal(f.runtime, 'podman');
    assert.equal(f.id, c.id);
    assert.deepEqual(nsPidsOf(f.hostPid).at(-1), 1, 'PID 1 of its own namespace');
    assert.deepEqual(cmdlineOf(f.hostPid), ['svc']);
    // conmon monitors the container and is PID 1's parent on the host (Docker: containerd-shim).
    assert.equal(readStat(f.hostPid)?.ppid, f.conmonPid);
    assert.match(cmdlineOf(f.conmonPid)[0] ?? '', /(^|\/)conmon$/);
    // conmon double-forks away from the service: its parent is the host's init.
    assert.equal(readStat(f.conmonPid)?.ppid, 1);
    // The compat API reports StopSignal as a number; the adapter names it.
    const raw = (await docker.getContainer(c.id).inspect()).Config as { StopSignal?: string };
    assert.equal(raw.StopSignal, '15');
    assert.equal(f.stopSignal, 'SIGTERM');
    assert.ok((await runningPodmanIds(docker)).includes(c.id));
    assert.equal(await engineKind(docker), 'podman');
    await loadShellParser();
    assert.equal(verdictFor(namespaceTree(f.hostPid), f.stopSignal).outcome, 'graceful');
  } finally {
    removePodmanContainer(c.name);
  }
});

test('podman: --init is catatonit, mounted as /run/podman-init; with the service as its child the stop is graceful, with a dash wrapper abrupt', async (t) => {
  if (!(await requirePodman(t))) return;
  const docker = await podman();
  await loadShellParser();
  const image = await podmanImage({ shell: 'dash' });
  const direct = await startPodmanContainer({ image, cmd: ['svc'], init: true, stopTimeout: 10 });
  const wrapped = await startPodmanContainer({ image, cmd: ['/bin/sh', '-c', 'svc'], init: true, stopTimeout: 10 });
  try {
    const f = await runningPodmanContainer(docker, direct.name);
    assert.equal(f.podmanInit, true);
    assert.equal(f.init, true);
    assert.deepEqual(cmdlineOf(f.hostPid), [PODMAN_INIT_PATH, '--', 'svc']);
    // The very binary of Debian's catatonit package, bind-mounted.
    assert.equal(sha(`/proc/${f.hostPid}/exe`), sha('/usr/libexec/podman/catatonit'));
    // catatonit takes every signal through a signalfd: SigCgt is empty, the kernel queues them for it.
    const p1 = readProcess(f.hostPid);
    assert.deepEqual(p1.masks.caught, []);
    assert.ok(p1.takes.includes(15) && p1.takesVia.includes('signalfd'));
    await processes(f.hostPid, 2);
    const v = verdictFor(namespaceTree(f.hostPid), f.stopSignal);
    assert.equal(v.pid1.kind, 'init');
    assert.match(v.pid1.detail, /catatonit/);
    assert.equal(v.outcome, 'graceful');

    const w = await runningPodmanContainer(docker, wrapped.name);
    await processes(w.hostPid, 3);
    assert.equal(verdictFor(namespaceTree(w.hostPid), w.stopSignal).outcome, 'abrupt');

    // Proof, with the engine's own stop: catatonit forwards SIGTERM to svc, which exits 0, and so does catatonit.
    const t0 = Date.now();
    await docker.getContainer(direct.id).stop({ t: 10 });
    const info = await docker.getContainer(direct.id).inspect();
    assert.equal(info.State.ExitCode, 0);
    assert.ok(Date.now() - t0 < 5000, 'well before the 10 s grace');
  } finally {
    removePodmanContainer(direct.name);
    removePodmanContainer(wrapped.name);
  }
});

test('podman: a container created through the compat API without a stop timeout gets 0 before Podman 4.7: a stop SIGKILLs at once', async (t) => {
  if (!(await requirePodman(t))) return;
  const docker = await podman();
  const version = (await podmanVersion()) as string;
  const quirks = podmanQuirks(version);
  const image = await podmanImage({ shell: 'dash' });
  // svc drains for 1.5 s after SIGTERM, then exits 0: with a stop timeout of 0 it never gets to.
  const bare = await startPodmanContainer({ image, cmd: ['svc', '--drain-ms', '1500'] });
  const timed = await startPodmanContainer({ image, cmd: ['svc', '--drain-ms', '1500'], stopTimeout: 10 });
  try {
    const b = await inspectPodmanContainer(docker, bare.id);
    assert.equal(b.stopTimeout, quirks.compatCreateStopTimeout, `Podman ${version}`);
    assert.equal((await inspectPodmanContainer(docker, timed.id)).stopTimeout, 10);
    for (const id of [bare.id, timed.id]) await processes((await inspectPodmanContainer(docker, id)).hostPid, 1);
    // `docker stop` without -t, as the Docker CLI sends it: the container's own stop timeout applies.
    await docker.getContainer(bare.id).stop();
    await docker.getContainer(timed.id).stop();
    const exit = async (id: string): Promise<number> => (await docker.getContainer(id).inspect()).State.ExitCode;
    assert.equal(await exit(bare.id), quirks.compatCreateStopTimeout === 0 ? 137 : 0);
    assert.equal(await exit(timed.id), 0);
  } finally {
    removePodmanContainer(bare.name);
    removePodmanContainer(timed.name);
  }
});

test("podman: a stop emits no kill events, and kill events do not name the signal (Docker's do both)", async (t) => {
  if (!(await requirePodman(t))) return;
  const docker = await podman();
  const quirks = podmanQuirks((await podmanVersion()) as string);
  const image = await podmanImage({ shell: 'dash' });
  const c = await startPodmanContainer({ image, cmd: ['svc', '--graceful', 'USR1,TERM'], stopTimeout: 10 });
  const events: { Action?: string; Actor?: { Attributes?: Record<string, string> } }[] = [];
  const stream = await docker.getEvents({ filters: { container: [c.id], type: ['container'] } });
  let rest = '';
  stream.on('data', (d: Buffer) => {
    rest += d.toString();
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, i).trim();
      rest = rest.slice(i + 1);
      if (line) events.push(JSON.parse(line) as (typeof events)[number]);
    }
  });
  try {
    await processes((await inspectPodmanContainer(docker, c.id)).hostPid, 1);
    await docker.getContainer(c.id).kill({ signal: 'SIGUSR1' }); // svc shuts down on it and exits 0
    await waitFor('the die event', () => (events.some((e) => e.Action === 'die') ? true : undefined), 30_000); // podman's event stream lags under load
    const kills = events.filter((e) => e.Action === 'kill');
    assert.equal(kills.length, 1, JSON.stringify(events.map((e) => e.Action)));
    assert.equal(kills[0]?.Actor?.Attributes?.signal !== undefined, quirks.killEventNamesSignal);

    const d = await startPodmanContainer({ image, cmd: ['svc'], stopTimeout: 10 });
    const devents: string[] = [];
    const s2 = await docker.getEvents({ filters: { container: [d.id], type: ['container'] } });
    s2.on('data', (b: Buffer) => {
      for (const l of b.toString().split('\n')) if (l.trim()) devents.push(String((JSON.parse(l) as { Action?: string }).Action));
    });
    try {
      await processes((await inspectPodmanContainer(docker, d.id)).hostPid, 1);
      await docker.getContainer(d.id).stop({ t: 10 });
      await waitFor('the die event', () => (devents.includes('die') ? true : undefined), 10_000);
      assert.equal(devents.includes('kill'), quirks.stopEmitsKillEvents, devents.join(','));
    } finally {
      (s2 as unknown as { destroy(): void }).destroy();
      removePodmanContainer(d.name);
    }
  } finally {
    (stream as unknown as { destroy(): void }).destroy();
    removePodmanContainer(c.name);
  }
});

test("podman: a pod's infra container runs catatonit -P, which exits 0 on SIGTERM", async (t) => {
  if (!(await requirePodman(t))) return;
  const docker = await podman();
  await loadShellParser();
  const remote = ['--remote', '--url', `unix://${PODMAN_SOCKET}`];
  const pause = `localhost/podman-pause:${(await podmanVersion()) as string}-0`;
  const hadPause = (await run('podman', [...remote, 'image', 'exists', pause])).code === 0;
  const name = `pid1-test-pod-${process.pid}`;
  try {
    const created = await run('podman', [...remote, 'pod', 'create', '--network', 'none', '--label', 'pid1.test=1', '--name', name]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await run('podman', [...remote, 'pod', 'start', name])).code, 0);
    const infraId = (await run('podman', [...remote, 'pod', 'inspect', name, '--format', '{{.InfraContainerID}}'])).stdout.trim();
    const f = await runningPodmanContainer(docker, infraId);
    assert.equal(f.pod?.name, name);
    assert.equal(f.pod?.infra, true);
    assert.deepEqual(cmdlineOf(f.hostPid), ['/catatonit', '-P']);
    const v = verdictFor(namespaceTree(f.hostPid), f.stopSignal);
    assert.equal(v.outcome, 'graceful');
    const t0 = Date.now();
    assert.equal((await run('podman', [...remote, 'pod', 'stop', '-t', '10', name])).code, 0);
    assert.equal((await docker.getContainer(infraId).inspect()).State.ExitCode, 0);
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    await run('podman', [...remote, 'pod', 'rm', '-f', name]);
    if (!hadPause) await run('podman', [...remote, 'rmi', '-f', pause]);
  }
});

test('podman: a Docker engine on the socket is named as such, and a socket nobody answers on is one line', async (t) => {
  if (!(await requirePodman(t))) return;
  const { podmanEngine } = await import('../src/runtime/podman.js');
  const gone = { socketPath: '/nonexistent/podman.sock', where: 'unix:///nonexistent/podman.sock' };
  await assert.rejects(
    ensurePodman(await podmanEngine(gone), gone),
    (err: unknown) => err instanceof UserError && /^Podman at unix:\/\/\/nonexistent\/podman\.sock does not answer: .*podman system service --time=0/.test(err.message),
  );
  assert.equal((await ensurePodman(await podman(), podmanEp)).version, await podmanVersion());
  if (dockerAvailable()) {
    const dockerEp = { socketPath: '/var/run/docker.sock', where: 'unix:///var/run/docker.sock' };
    await assert.rejects(ensurePodman(await podmanEngine(dockerEp), dockerEp), (err: unknown) => err instanceof UserError && /it is not Podman .*use --runtime docker/.test(err.message));
  }
});

test('podman: a followed log stream gets no answer, not even headers, until the container writes a line or exits', async (t) => {
  if (!(await requirePodman(t))) return;
  const docker = await podman();
  const quirks = podmanQuirks((await podmanVersion()) as string);
  const image = await podmanImage({ shell: 'dash' });
  const c = await startPodmanContainer({ image, cmd: ['sleep', '600'], stopTimeout: 1 });
  let answered = false;
  const req = http.get({ socketPath: PODMAN_SOCKET, path: `/v1.41/containers/${c.id}/logs?follow=1&stdout=1&stderr=1` }, (res) => {
    answered = true;
    res.resume();
  });
  req.on('error', () => undefined);
  try {
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(answered, !quirks.logsFollowWaitsForFirstLine, 'headers before any line');
    await docker.getContainer(c.id).kill({ signal: 'SIGKILL' });
    await waitFor('the log stream to answer once the container exited', () => (answered ? true : undefined), 10_000);
  } finally {
    req.destroy();
    removePodmanContainer(c.name);
  }
});

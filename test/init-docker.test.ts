/**
 * `pid1 init` as the PID 1 of real Docker containers, stopped with `docker stop` as in production.
 * The image is rootfs.ts's small one; node, its libraries and this checkout are bind-mounted read-only
 * (test/helpers/node.ts), the report goes to a bind-mounted directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './helpers/exec.js';
import { dockerStop, logsOf, removeContainer, requireDocker, startContainer, testImage } from './helpers/docker.js';
import { CLI_IN_CONTAINER, NODE_IN_CONTAINER, REPO, REPO_IN_CONTAINER, nodeMounts } from './helpers/node.js';
import { eventsOf, lastRun } from './helpers/init.js';

function reportDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-init-docker-'));
  fs.chmodSync(dir, 0o777);
  return dir;
}

const INIT = [NODE_IN_CONTAINER, CLI_IN_CONTAINER, 'init'];

test('docker stop: a dash wrapper with a service and workers under pid1 init stops gracefully', async (t) => {
  if (!requireDocker(t)) return;
  const dir = reportDir();
  let name: string | undefined;
  try {
    name = await startContainer({
      image: testImage({ shell: 'dash' }),
      entrypoint: [...INIT, '--report', '/report/r.jsonl', '--', 'sh', '-c', 'svc --workers 2 --drain-ms 300'],
      extra: [...nodeMounts(), '-v', `${dir}:/report`],
    });
    const c = name;
    await waitFor('service and workers ready', () => ((logsOf(c).match(/ready/g)?.length ?? 0) >= 3 ? true : undefined), 20_000, 100);
    const stop = await dockerStop(c, 10);
    assert.equal(stop.exitCode, 143, 'dash died of the forwarded SIGTERM: 128+15, not 137');
    assert.equal(stop.logs.match(/graceful exit/g)?.length, 3, stop.logs);
    assert.ok(stop.ms < 8000, `stopped by the service, not by the runtime's SIGKILL (${stop.ms} ms)`);
    const run = lastRun(path.join(dir, 'r.jsonl'));
    assert.equal(run?.start?.pid, 1);
    assert.equal(run?.start?.namespaceInit, true);
    assert.equal(eventsOf(run, 'wait')[0]?.reason, 'stop');
    assert.equal(eventsOf(run, 'exit').find((e) => e.name === 'svc')?.code, 0);
    assert.equal(run?.final?.status, 143);
  } finally {
    if (name) removeContainer(name);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('docker stop with PID1_* variables: nginx-style rewrite TERM:QUIT after a drain', async (t) => {
  if (!requireDocker(t)) return;
  const dir = reportDir();
  let name: string | undefined;
  try {
    name = await startContainer({
      image: testImage({ shell: 'dash' }),
      entrypoint: [...INIT, '--', 'svc', '--graceful', 'QUIT', '--drain-ms', '100'],
      env: { PID1_REWRITE: 'TERM:QUIT', PID1_DRAIN: '1s', PID1_GRACE: '5s', PID1_REPORT: '/report/r.jsonl' },
      extra: [...nodeMounts(), '-v', `${dir}:/report`],
    });
    const c = name;
    await waitFor('service ready', () => (/ready/.test(logsOf(c)) ? true : undefined), 20_000, 100);
    const stop = await dockerStop(c, 10);
    assert.equal(stop.exitCode, 0, 'the service is the main child and exits 0');
    assert.match(stop.logs, /got Quit, draining[\s\S]*graceful exit/);
    const run = lastRun(path.join(dir, 'r.jsonl'));
    const sig = eventsOf(run, 'signal')[0];
    const fwd = eventsOf(run, 'forward')[0];
    assert.equal(fwd?.received, 'SIGTERM');
    assert.equal(fwd?.signal, 'SIGQUIT');
    assert.ok(sig && fwd && fwd.t - sig.t >= 990, 'forwarded after the 1 s drain');
    assert.deepEqual(eventsOf(run, 'escalate'), []);
  } finally {
    if (name) removeContainer(name);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundled single file is all an image needs: dist/init alone (pid1-init.cjs + koffi.node), no node_modules', async (t) => {
  if (!requireDocker(t)) return;
  const dir = reportDir();
  let name: string | undefined;
  try {
    // node and its libraries as in the other tests, but not the checkout: only dist/init, as a
    // multi-stage Dockerfile copies it (docs/init.md).
    const mounts = nodeMounts();
    const repoAt = mounts.findIndex((m) => m.endsWith(`:${REPO_IN_CONTAINER}:ro`));
    assert.ok(repoAt > 0);
    mounts.splice(repoAt - 1, 2, '-v', `${path.join(REPO, 'dist/init')}:/opt/pid1-init:ro`);
    name = await startContainer({
      image: testImage({ shell: 'dash' }),
      entrypoint: [NODE_IN_CONTAINER, '/opt/pid1-init/pid1-init.cjs', '--grace', '5s', '--report', '/report/r.jsonl', '--', 'sh', '-c', 'svc --drain-ms 200'],
      extra: [...mounts, '-v', `${dir}:/report`],
    });
    const c = name;
    await waitFor('service ready', () => (/ready/.test(logsOf(c)) ? true : undefined), 20_000, 100);
    const stop = await dockerStop(c, 10);
    assert.equal(stop.exitCode, 143, stop.logs);
    assert.match(stop.logs, /graceful exit/);
    const run = lastRun(path.join(dir, 'r.jsonl'));
    assert.equal(run?.start?.pid, 1);
    assert.equal(run?.final?.status, 143);
  } finally {
    if (name) removeContainer(name);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

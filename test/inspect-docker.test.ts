/**
 * `pid1 inspect --container` and `--all` against a real Docker engine, with images made by
 * `docker import`; each verdict is checked with a real `docker stop`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireDocker, testImage, startContainer, dockerStop, removeContainer, cleanupDocker, hostPidOf } from './helpers/docker.js';
import { pid1 } from './helpers/cli.js';
import { run, waitFor } from './helpers/exec.js';
import type { InspectReport } from '../src/runtime/reports.js';

after(cleanupDocker);

async function inspect(name: string): Promise<InspectReport> {
  const r = await pid1(['inspect', '--container', name, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as InspectReport;
}

async function ready(name: string, processes: number): Promise<InspectReport> {
  return waitFor(`${processes} processes in ${name}`, async () => {
    const r = await inspect(name);
    return r.processes.length >= processes ? r : undefined;
  });
}

interface Case {
  name: string;
  shell: 'dash' | 'bash' | 'ash';
  entrypoint: string[];
  init?: boolean;
  stopSignal?: string;
  processes: number;
  outcome: 'graceful' | 'killed' | 'abrupt';
}

const GRACE = 2;
const cases: Case[] = [
  // What `ENTRYPOINT svc --workers 1` (shell form) becomes on a Debian-like image.
  { name: 'shell form on a dash image', shell: 'dash', entrypoint: ['/bin/sh', '-c', 'svc --workers 1'], processes: 3, outcome: 'killed' },
  { name: 'shell form on an ash image (busybox execs the command)', shell: 'ash', entrypoint: ['/bin/sh', '-c', 'app --workers 1'], processes: 2, outcome: 'graceful' },
  { name: 'exec form', shell: 'dash', entrypoint: ['svc', '--workers', '1'], processes: 2, outcome: 'graceful' },
  { name: 'docker run --init in front of a shell wrapper', shell: 'dash', entrypoint: ['/bin/sh', '-c', 'svc'], init: true, processes: 3, outcome: 'abrupt' },
  { name: 'STOPSIGNAL SIGINT for a service that handles only SIGINT', shell: 'dash', entrypoint: ['svc', '--graceful', 'INT'], stopSignal: 'SIGINT', processes: 1, outcome: 'graceful' },
];

for (const c of cases) {
  test(`inspect --container matches docker stop: ${c.name}`, async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: c.shell });
    const name = await startContainer({ image, entrypoint: c.entrypoint, ...(c.init ? { init: true } : {}), ...(c.stopSignal ? { stopSignal: c.stopSignal } : {}) });
    try {
      const r = await ready(name, c.processes);
      assert.equal(r.container?.name, name);
      assert.equal(r.container?.stopSignal, c.stopSignal ?? 'SIGTERM');
      assert.equal(r.namespaceInit, true);
      assert.equal(r.processes[0]?.pid, 1);
      assert.equal(r.processes[0]?.hostPid, hostPidOf(name));
      assert.equal(r.processes[0]?.pgid, 1); // runc makes PID 1 a session and group leader
      assert.equal(r.processes[0]?.sid, 1);
      assert.equal(r.verdict.stopSignal, c.stopSignal ?? 'SIGTERM');
      assert.equal(r.verdict.outcome, c.outcome, r.verdict.path.join('\n'));
      const stop = await dockerStop(name, GRACE);
      const observed =
        stop.ms >= GRACE * 1000 - 100 && stop.exitCode === 137 ? 'killed' : /svc\[1\]: graceful exit|svc\[\d+\]: graceful exit\s*$/.test(stop.logs) && stop.exitCode === 0 ? 'graceful' : 'abrupt';
      assert.equal(observed, c.outcome, `docker stop took ${stop.ms} ms, exit ${stop.exitCode}, logs:\n${stop.logs}`);
    } finally {
      removeContainer(name);
    }
  });
}

test('inspect --all lists every running container with its verdict', async (t) => {
  if (!requireDocker(t)) return;
  const image = testImage({ shell: 'dash' });
  const a = await startContainer({ image, entrypoint: ['/bin/sh', '-c', 'svc'] });
  const b = await startContainer({ image, entrypoint: ['svc'] });
  try {
    await ready(a, 2);
    await ready(b, 1);
    const r = await pid1(['inspect', '--all', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = (JSON.parse(r.stdout) as { containers: { name: string; outcome: string }[] }).containers;
    assert.equal(rows.find((x) => x.name === a)?.outcome, 'killed');
    assert.equal(rows.find((x) => x.name === b)?.outcome, 'graceful');
    const text = await pid1(['inspect', '--all']);
    assert.match(text.stdout, new RegExp(`${a}\\s+KILLED`));
  } finally {
    removeContainer(a);
    removeContainer(b);
  }
});

test('a container that is not running, a missing container, an engine that does not answer: exit 2, one line', async (t) => {
  if (!requireDocker(t)) return;
  const image = testImage({ shell: 'dash' });
  const name = await startContainer({ image, entrypoint: ['true'] });
  try {
    await waitFor('container exit', async () => ((await run('docker', ['inspect', '-f', '{{.State.Running}}', name])).stdout.trim() === 'false' ? true : undefined));
    let r = await pid1(['inspect', '--container', name]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^pid1: container ${name} is not running \\(status: exited\\)\\n$`));
    r = await pid1(['inspect', '--container', 'pid1-no-such-container']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'pid1: no such container: pid1-no-such-container\n');
    r = await pid1(['inspect', '--container', name], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pid1: Docker engine at unix:\/\/\/nonexistent\/docker.sock does not answer: .+\n$/);
  } finally {
    removeContainer(name);
  }
});

/**
 * `pid1 test` when it cannot run (engine down, missing image, failing build, bad options: one line,
 * exit 2), and its hygiene: Ctrl-C, the engine dying mid-test, and `--cleanup` by label.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requireDocker, testImage, cleanupDocker, removeContainer } from './helpers/docker.js';
import { pid1, CLI } from './helpers/cli.js';
import { run, sleep, waitFor } from './helpers/exec.js';
import { startNamespace } from './helpers/ns.js';

after(cleanupDocker);

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-cli-'));
  tmpDirs.push(d);
  return d;
}

/** One line on stderr, starting with `pid1: `, and nothing on stdout. */
function oneLine(r: { code: number; stdout: string; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^pid1: [^\n]+\n$/, r.stderr);
  assert.match(r.stderr, re);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

async function containersOfOwner(pid: number): Promise<string[]> {
  const r = await run('docker', ['ps', '-aq', '--filter', `label=pid1.test.owner=${os.hostname()}:${pid}`]);
  return r.stdout.split('\n').filter(Boolean);
}

describe('pid1 test: could not run, exit 2', { concurrency: 3 }, () => {
  test('an engine that does not answer: one line, and an error case in the JUnit file', async () => {
    const junit = path.join(tmpDir(), 'r.xml');
    const r = await pid1(['test', '--image', 'alpine', '--junit', junit], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    oneLine(r, /Docker engine at unix:\/\/\/nonexistent\/docker\.sock does not answer/);
    const xml = fs.readFileSync(junit, 'utf8');
    assert.match(xml, /tests="1" failures="0" errors="1"/);
    assert.match(xml, /<error type="error" message="Docker engine at unix:\/\/\/nonexistent/);
  });

  test('an image that does not exist (pid1 never pulls)', async (t) => {
    if (!requireDocker(t)) return;
    oneLine(await pid1(['test', '--image', 'pid1-no-such-image:404']), /no such image: pid1-no-such-image:404 \(pid1 test uses local images/);
  });

  test('a build that fails names the step', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${image}\nRUN echo building && false\nENTRYPOINT ["svc"]\n`);
    const r = await pid1(['test', '--build', dir]);
    oneLine(r, /build of .* failed at RUN echo building && false: The command .* returned a non-zero code: 1/);
    const left = await run('docker', ['images', '-q', '--filter', 'label=pid1.test.run', '--filter', 'dangling=false']);
    const tags = await run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=pid1-test-build']);
    assert.equal(tags.stdout.trim(), '', `no pid1-test-build image is left: ${left.stdout}`);
  });

  test('a build that fails after committing a step: the step image is removed too', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const dir = tmpDir();
    const marker = `pid1-step-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${image}\nRUN echo ${marker} > /step\nRUN false\n`);
    const r = await pid1(['test', '--build', dir]);
    oneLine(r, /build of .* failed at RUN false/);
    // The classic builder committed `RUN echo ...` as an image of its own (its ContainerConfig.Cmd names the step).
    const ids = (await run('docker', ['images', '-a', '-q', '--no-trunc'])).stdout.split('\n').filter(Boolean);
    const steps = ids.length ? (await run('docker', ['image', 'inspect', '--format', '{{.Id}} {{json .ContainerConfig.Cmd}}', ...ids])).stdout.split('\n').filter((l) => l.includes(marker)) : [];
    assert.deepEqual(steps, [], 'no image of the failed build is left');
  });

  test('--build of a directory without a Dockerfile, and a --file outside the context', async (t) => {
    if (!requireDocker(t)) return;
    const dir = tmpDir();
    oneLine(await pid1(['test', '--build', dir]), /no Dockerfile in the build context/);
    oneLine(await pid1(['test', '--build', dir, '--file', '/etc/passwd']), /--file \/etc\/passwd is outside the build context/);
  });

  test('bad options', async () => {
    oneLine(await pid1(['test']), /nothing to test: give --image IMG/);
    oneLine(await pid1(['test', '--image', 'a', '--build', '.']), /give one of --image, --build, --compose, --manifest/);
    // One parser and one message for --grace in pid1 test and pid1 stop.
    for (const bad of ['1.5', '2500ms', 'abc', '-1', '']) {
      const msg = `pid1: --grace: "${bad}" is not a grace period in whole seconds: 10, 10s, 1m (docker stop -t and terminationGracePeriodSeconds take seconds)\n`;
      const a = await pid1(['test', '--image', 'a', '--grace', bad]);
      const b = await pid1(['stop', '--container', 'a', '--grace', bad]);
      assert.deepEqual([a.code, a.stderr, b.code, b.stderr], [2, msg, 2, msg]);
    }
    oneLine(await pid1(['test', '--image', 'a', '--policy', 'systemd']), /--policy systemd: one of docker, kubelet, compose/);
    oneLine(await pid1(['test', '--image', 'a', '--ready-log', '(']), /--ready-log: Invalid regular expression/);
    oneLine(await pid1(['test', '--image', 'a', '--ready-port', '99999']), /--ready-port 99999: not a TCP port/);
    oneLine(await pid1(['test', '--compose', 'c.yaml']), /--compose needs --service NAME/);
    oneLine(await pid1(['test', '--image', 'a', '--entrypoint', '[1]']), /--entrypoint \[1\]: not a JSON array of strings/);
    oneLine(await pid1(['test', '--manifest', '/nonexistent.yaml']), /cannot read \/nonexistent\.yaml: no such file/);
    oneLine(await pid1(['stop']), /pid1 stop needs --container/);
    oneLine(await pid1(['test', '--cleanup', 'xyz']), /^pid1: --cleanup xyz: not a run id \(8 hex digits, the "run" of a report\)\n$/);
  });
});

// One at a time: the engine-dying test's `pid1 test --cleanup` would remove the dead run's leftovers
// that the --cleanup test plants for its own cleanup to find (a dead owner is dead for every cleanup).
describe('pid1 test: hygiene', { concurrency: 1 }, () => {
  test('Ctrl-C in the middle of the stop removes the container', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const child = spawn(process.execPath, [CLI, 'test', '--image', image, '--entrypoint', '["/bin/sh","-c","svc"]', '--grace', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const pid = child.pid as number;
      await waitFor('the test container', async () => ((await containersOfOwner(pid)).length ? true : undefined), 20_000, 100);
      await sleep(1500); // ready and stopping: the engine is waiting out the grace period
      child.kill('SIGINT');
      assert.equal(await exited, 130, stderr);
      assert.match(stderr, /pid1: SIGINT: removing what this test created/);
      assert.deepEqual(await containersOfOwner(pid), []);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('the engine dying mid-test: one line naming it, then --cleanup removes the leftover', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    // A proxy in front of the engine's socket stands for the engine: closing it is the engine dying.
    const sock = path.join(tmpDir(), 'engine.sock');
    const conns = new Set<net.Socket>();
    let sawStop: () => void = () => undefined;
    const stopSeen = new Promise<void>((resolve) => (sawStop = resolve));
    const proxy = net.createServer((client) => {
      const up = net.connect('/var/run/docker.sock');
      conns.add(client).add(up);
      client.on('data', (d: Buffer) => {
        if (/^POST (\/v[\d.]+)?\/containers\/[^/]+\/stop/m.test(d.toString('latin1'))) sawStop();
      });
      client.pipe(up).pipe(client);
      const drop = (): void => {
        client.destroy();
        up.destroy();
      };
      client.on('error', drop);
      up.on('error', drop);
    });
    await new Promise<void>((resolve) => proxy.listen(sock, resolve));
    const child = spawn(process.execPath, [CLI, 'test', '--image', image, '--entrypoint', '["/bin/sh","-c","svc"]', '--grace', '30'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_HOST: `unix://${sock}` },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const pid = child.pid as number;
    try {
      await Promise.race([
        stopSeen,
        exited.then(() => {
          throw new Error(`pid1 test ended before the stop: ${stderr}`);
        }),
      ]);
      await sleep(300);
      proxy.close();
      for (const c of conns) c.destroy();
      assert.equal(await exited, 2, stderr);
      assert.match(
        stderr,
        /^pid1: the Docker engine stopped answering during the test \(.*\); could not remove container pid1-test-[0-9a-f]+ .*: run pid1 test --cleanup when the engine is back\n$/,
        stderr,
      );
      const left = await containersOfOwner(pid);
      assert.equal(left.length, 1, 'the container is still there, labelled with its dead owner');
      // Only this run's leftovers: a global --cleanup would also take another test's deliberate ones.
      const runId = /could not remove container pid1-test-([0-9a-f]{8})/.exec(stderr)?.[1];
      assert.ok(runId, stderr);
      const r = await pid1(['test', '--cleanup', runId]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `removed container pid1-test-${runId}\n`);
      assert.deepEqual(await containersOfOwner(pid), []);
    } finally {
      child.kill('SIGKILL');
      proxy.close();
      for (const id of await containersOfOwner(pid)) removeContainer(id);
    }
  });

  test('--cleanup removes only what a dead run left: containers by label, namespaces by environment', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const deadOwner = `${os.hostname()}:999999999`;
    const liveOwner = `${os.hostname()}:${process.pid}`;
    const mk = async (owner: string): Promise<string> => {
      const r = await run('docker', ['run', '-d', '--network', 'none', '--label', 'pid1.test=1', '--label', 'pid1.test.run=cafe', '--label', `pid1.test.owner=${owner}`, '--entrypoint', 'svc', image]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const dead = await mk(deadOwner);
    const live = await mk(liveOwner);
    const ns = await startNamespace(['sleep', '1000'], { env: { PID1_TEST_RUN: 'cafe', PID1_TEST_OWNER: deadOwner } });
    try {
      const r = await pid1(['test', '--cleanup', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { removed: string[]; inUse: string[]; failed: string[] };
      const gone = await run('docker', ['ps', '-aq', '--no-trunc', '--filter', `id=${dead}`]);
      assert.equal(gone.stdout.trim(), '', "the dead run's container is removed");
      const kept = await run('docker', ['ps', '-q', '--no-trunc', '--filter', `id=${live}`]);
      assert.equal(kept.stdout.trim(), live, "a live run's container is left alone");
      assert.ok(out.inUse.some((x) => x.startsWith('container ')));
      assert.ok(out.removed.includes(`namespace init ${ns.initPid} (run cafe)`), r.stdout);
      const end = await Promise.race([ns.exited.then(() => 'gone'), sleep(5000).then(() => 'alive')]);
      assert.equal(end, 'gone');
    } finally {
      removeContainer(dead);
      removeContainer(live);
      await ns.destroy();
    }
  });
});

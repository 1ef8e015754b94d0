/**
 * Which runtime a command talks to: --runtime, the environment (DOCKER_HOST, CONTAINER_HOST,
 * CONTAINERD_ADDRESS) and the sockets present, in that order; and where Podman's socket is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { selectRuntime, parseRuntime, looksLikePodman } from '../src/runtime/runtime-select.js';
import { podmanEndpoint, parseEndpoint, rootlessSocket } from '../src/runtime/podman.js';
import { UserError } from '../src/util/errors.js';
import { tempDir } from './helpers/exec.js';

const has =
  (...paths: string[]) =>
  (p: string): boolean =>
    paths.includes(p);

test('runtime selection: --runtime wins; then DOCKER_HOST, CONTAINER_HOST, the Docker socket, a Podman socket, a containerd socket; else Docker', () => {
  const rows: [string, Parameters<typeof selectRuntime>[0], string, string | undefined][] = [
    ['--runtime', { runtime: 'containerd', env: { DOCKER_HOST: 'tcp://h:2375' }, exists: has('/var/run/docker.sock') }, 'containerd', undefined],
    ['--runtime with --address', { runtime: 'Podman', address: 'unix:///tmp/p.sock', env: {} }, 'podman', 'unix:///tmp/p.sock'],
    ['DOCKER_HOST', { env: { DOCKER_HOST: 'tcp://h:2375', CONTAINER_HOST: 'unix:///run/podman/podman.sock' }, exists: has() }, 'docker', undefined],
    ['DOCKER_HOST at Podman', { env: { DOCKER_HOST: 'unix:///run/user/1000/podman/podman.sock' }, exists: has() }, 'podman', 'unix:///run/user/1000/podman/podman.sock'],
    ['CONTAINER_HOST', { env: { CONTAINER_HOST: 'unix:///run/podman/podman.sock' }, exists: has('/run/containerd/containerd.sock') }, 'podman', 'unix:///run/podman/podman.sock'],
    ['docker.sock', { env: {}, exists: has('/var/run/docker.sock', '/run/podman/podman.sock', '/run/containerd/containerd.sock') }, 'docker', undefined],
    [
      "podman-docker's link",
      { env: {}, exists: has('/var/run/docker.sock'), realpath: (p) => (p === '/var/run/docker.sock' ? '/run/podman/podman.sock' : p) },
      'podman',
      'unix:///run/podman/podman.sock',
    ],
    ['rootful Podman', { env: {}, uid: 0, exists: has('/run/podman/podman.sock', '/run/containerd/containerd.sock') }, 'podman', 'unix:///run/podman/podman.sock'],
    ['rootless Podman', { env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000, exists: has('/run/user/1000/podman/podman.sock') }, 'podman', 'unix:///run/user/1000/podman/podman.sock'],
    ['CONTAINERD_ADDRESS', { env: { CONTAINERD_ADDRESS: '/run/x/containerd.sock' }, exists: has() }, 'containerd', '/run/x/containerd.sock'],
    ['containerd', { env: {}, exists: has('/run/containerd/containerd.sock') }, 'containerd', '/run/containerd/containerd.sock'],
    ['k3s', { env: {}, exists: has('/run/k3s/containerd/containerd.sock') }, 'containerd', '/run/k3s/containerd/containerd.sock'],
    ['nothing', { env: {}, exists: has() }, 'docker', undefined],
    ['--address of a containerd socket', { address: '/run/k3s/containerd/containerd.sock', env: {} }, 'containerd', '/run/k3s/containerd/containerd.sock'],
  ];
  for (const [what, o, runtime, address] of rows) {
    const got = selectRuntime(o);
    assert.equal(got.runtime, runtime, what);
    assert.equal(got.address, address, what);
    assert.ok(got.why.length > 0);
  }
  assert.throws(
    () => parseRuntime('cri-o'),
    (err: unknown) => err instanceof UserError && err.message === '--runtime cri-o: expected one of docker, podman, containerd',
  );
});

test("runtime selection on this machine: the real Docker socket, and a real link to Podman's socket in DOCKER_HOST", (t) => {
  if (!fs.existsSync('/var/run/docker.sock')) {
    t.skip('no Docker socket here');
    return;
  }
  assert.equal(selectRuntime({ env: {} }).runtime, 'docker');
  if (!fs.existsSync('/run/podman/podman.sock')) return;
  const dir = tempDir('pid1-select-');
  const link = path.join(dir, 'docker.sock');
  fs.symlinkSync('/run/podman/podman.sock', link);
  assert.deepEqual(selectRuntime({ env: { DOCKER_HOST: `unix://${link}` } }), { runtime: 'podman', address: `unix://${link}`, why: 'DOCKER_HOST points at a Podman socket' });
});

test("Podman's socket: --address, CONTAINER_HOST, rootful for root, $XDG_RUNTIME_DIR/podman/podman.sock for a user", () => {
  assert.equal(podmanEndpoint({ env: {}, uid: 0 }).socketPath, '/run/podman/podman.sock');
  assert.equal(podmanEndpoint({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000, exists: has() }).socketPath, '/run/user/1000/podman/podman.sock');
  assert.equal(podmanEndpoint({ env: {}, uid: 1000, exists: has('/run/podman/podman.sock') }).socketPath, '/run/podman/podman.sock');
  assert.equal(podmanEndpoint({ env: { CONTAINER_HOST: 'unix:///tmp/p.sock' }, uid: 0 }).socketPath, '/tmp/p.sock');
  assert.equal(podmanEndpoint({ address: '/tmp/q.sock', env: { CONTAINER_HOST: 'unix:///tmp/p.sock' } }).socketPath, '/tmp/q.sock');
  assert.deepEqual(parseEndpoint('tcp://127.0.0.1:8888'), { host: '127.0.0.1', port: 8888, where: 'tcp://127.0.0.1:8888' });
  assert.equal(rootlessSocket({}, 1234), '/run/user/1234/podman/podman.sock');
  assert.throws(
    () => parseEndpoint('ssh://core@host/run/podman/podman.sock'),
    (err: unknown) => err instanceof UserError && /ssh -L/.test(err.message),
  );
  assert.throws(
    () => parseEndpoint('http://x'),
    (err: unknown) => err instanceof UserError && /expected unix:/.test(err.message),
  );
  assert.equal(looksLikePodman('/run/podman/podman.sock'), true);
  assert.equal(looksLikePodman('unix:///var/run/docker.sock'), false);
});

/**
 * Real Docker for tests: images assembled from host files with `docker import` (no registry is
 * reachable), containers with `--network none`, everything labelled `pid1.test=1` and removed when the
 * test process ends, also when a test fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { buildRootfs, type RootfsOptions } from './rootfs.js';
import { run, runSync } from './exec.js';

export const TEST_LABEL = 'pid1.test=1';
const images = new Set<string>();
const containers = new Set<string>();
let available: boolean | undefined;

export function dockerAvailable(): boolean {
  if (available === undefined) {
    try {
      execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe', timeout: 10_000 });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * Skip the test when no engine answers, unless PID1_REQUIRE_DOCKER=1 (CI), where that is a failure.
 * Returns false when the test was skipped.
 */
export function requireDocker(t: TestContext): boolean {
  if (dockerAvailable()) return true;
  if (process.env.PID1_REQUIRE_DOCKER === '1') throw new Error('PID1_REQUIRE_DOCKER=1 but no Docker engine answers');
  t.skip('no Docker engine answers (set PID1_REQUIRE_DOCKER=1 to fail instead)');
  return false;
}

function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

const built = new Map<string, string>();

/**
 * A test image whose /bin/sh is the given shell family, with busybox applets, dash, bash, tini,
 * dumb-init, catatonit and the `svc` test service. Memoized per process; removed at exit.
 */
export function testImage(opts: RootfsOptions): string {
  const key = JSON.stringify(opts);
  const have = built.get(key);
  if (have) return have;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-rootfs-'));
  try {
    buildRootfs(dir, opts);
    const tag = `pid1-test-${opts.shell}:${unique('t')}`;
    const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 512 * 1024 * 1024 });
    const changes = ['--change', 'LABEL pid1.test=1', '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'];
    execFileSync('docker', ['import', ...changes, '-', tag], { input: tar, stdio: ['pipe', 'pipe', 'pipe'] });
    images.add(tag);
    built.set(key, tag);
    return tag;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Track an image made by a test (e.g. `docker build`) so that it is removed at exit. */
export function trackImage(tag: string): void {
  images.add(tag);
}

export interface RunOptions {
  image: string;
  /** Replace the image's entrypoint (exec form). */
  entrypoint?: string[];
  cmd?: string[];
  init?: boolean;
  stopSignal?: string;
  env?: Record<string, string>;
  extra?: string[];
}

/** `docker run -d` a labelled container with no network; returns its name. */
export async function startContainer(o: RunOptions): Promise<string> {
  const name = unique('pid1-test');
  const args = ['run', '-d', '--network', 'none', '--label', TEST_LABEL, '--name', name];
  if (o.init) args.push('--init');
  if (o.stopSignal) args.push('--stop-signal', o.stopSignal);
  for (const [k, v] of Object.entries(o.env ?? {})) args.push('-e', `${k}=${v}`);
  if (o.entrypoint) {
    const [first, ...rest] = o.entrypoint;
    if (first === undefined) throw new Error('empty entrypoint');
    args.push('--entrypoint', first, ...(o.extra ?? []), o.image, ...rest, ...(o.cmd ?? []));
  } else {
    args.push(...(o.extra ?? []), o.image, ...(o.cmd ?? []));
  }
  containers.add(name);
  const r = await run('docker', args);
  if (r.code !== 0) throw new Error(`docker run failed: ${r.stderr.trim()}`);
  return name;
}

/** The container's init PID on the host. */
export function hostPidOf(name: string): number {
  return Number(runSync('docker', ['inspect', '--format', '{{.State.Pid}}', name]).trim());
}

export function logsOf(name: string): string {
  const r = execFileSync('docker', ['logs', name], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return r;
}

/** `docker stop -t grace`; resolves with the elapsed ms and the container's exit code. */
export async function dockerStop(name: string, graceSeconds: number): Promise<{ ms: number; exitCode: number; logs: string }> {
  const t0 = Date.now();
  const r = await run('docker', ['stop', '-t', String(graceSeconds), name]);
  if (r.code !== 0) throw new Error(`docker stop failed: ${r.stderr.trim()}`);
  const ms = Date.now() - t0;
  const exitCode = Number(runSync('docker', ['inspect', '--format', '{{.State.ExitCode}}', name]).trim());
  return { ms, exitCode, logs: logsOf(name) };
}

export function removeContainer(name: string): void {
  try {
    execFileSync('docker', ['rm', '-f', '-v', name], { stdio: 'pipe' });
  } catch {
    /* already gone */
  }
  containers.delete(name);
}

/** Remove every container and image this process created. Safe to call more than once. */
export function cleanupDocker(): void {
  for (const c of [...containers]) removeContainer(c);
  if (images.size) {
    try {
      execFileSync('docker', ['rmi', '-f', ...images], { stdio: 'pipe' });
    } catch {
      /* already gone */
    }
    images.clear();
    built.clear();
  }
}

process.on('exit', cleanupDocker);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanupDocker();
    process.kill(process.pid, sig);
  });
}

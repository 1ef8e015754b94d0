/**
 * A test image with the host's CPython: the interpreter, the shared libraries it and its extension
 * modules need (found with ldd), and its standard library, minus the parts no test program imports
 * (tests, IDLE, Tk, lib2to3, ensurepip, bytecode caches). Built with `docker import` (no registry is
 * reachable) on top of the busybox/dash rootfs of rootfs.ts, labelled and removed at exit (docker.ts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRootfs } from './rootfs.js';
import { trackImage } from './docker.js';

const SKIP = new Set(['test', 'idlelib', 'tkinter', 'turtledemo', 'lib2to3', 'ensurepip', 'pydoc_data', '__pycache__', 'site-packages', 'dist-packages']);

/** The host's python3 and its standard library directory; undefined when there is none. */
export function hostPython(): { bin: string; lib: string; version: string } | undefined {
  for (const bin of ['/usr/bin/python3', '/usr/local/bin/python3']) {
    if (!fs.existsSync(bin)) continue;
    const real = fs.realpathSync(bin);
    const version = /python(\d+\.\d+)$/.exec(real)?.[1];
    const lib = version ? path.join(path.dirname(path.dirname(real)), 'lib', `python${version}`) : undefined;
    if (version && lib && fs.existsSync(path.join(lib, 'os.py'))) return { bin: real, lib, version };
  }
  return undefined;
}

function libsOf(file: string): string[] {
  try {
    const out = execFileSync('ldd', [file], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return [...out.matchAll(/(\/\S+)\s+\(0x/g)].map((m) => m[1] as string);
  } catch {
    return [];
  }
}

function copy(root: string, from: string, to = from): void {
  const dest = path.join(root, to);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(fs.realpathSync(from), dest);
  fs.chmodSync(dest, fs.statSync(from).mode & 0o7777);
}

function copyTree(root: string, dir: string, libs: Set<string>): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith('config-')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) copyTree(root, p, libs);
    else if (e.isFile()) {
      copy(root, p);
      if (e.name.endsWith('.so')) for (const l of libsOf(p)) libs.add(l);
    }
  }
}

/** `docker import` an image whose CMD is `python3 <cmd...>`, with `files` (path -> content) added. */
export function pythonImage(files: Record<string, string>, cmd: string[]): string {
  const py = hostPython();
  if (!py) throw new Error('no python3 with its standard library on this host (Debian: python3)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-pyroot-'));
  try {
    buildRootfs(dir, { shell: 'dash', files });
    copy(dir, py.bin, `/usr/bin/python${py.version}`);
    fs.symlinkSync(`python${py.version}`, path.join(dir, 'usr/bin/python3'));
    const libs = new Set(libsOf(py.bin));
    copyTree(dir, py.lib, libs);
    for (const l of libs) copy(dir, l);
    const tag = `pid1-test-python:${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 1024 * 1024 * 1024 });
    const changes = ['--change', 'LABEL pid1.test=1', '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', '--change', `CMD ${JSON.stringify(['python3', ...cmd])}`];
    execFileSync('docker', ['import', ...changes, '-', tag], { input: tar, stdio: ['pipe', 'pipe', 'pipe'] });
    trackImage(tag);
    return tag;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

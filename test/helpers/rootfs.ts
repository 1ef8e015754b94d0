/**
 * A container root filesystem assembled from host files: busybox-static and its applets, dash, bash
 * (and the shared libraries they need, found with ldd), tini, dumb-init, catatonit, and `svc`,
 * the test service compiled statically from test/fixtures/svc.c.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ShellFamily = 'dash' | 'bash' | 'ash' | 'none';

export interface RootfsOptions {
  /** What /bin/sh is: dash (Debian), bash (Fedora/UBI), busybox ash (Alpine), or none (distroless/scratch). */
  shell: ShellFamily;
  /** Extra files: path in the image -> content (made executable when it starts with #!). */
  files?: Record<string, string>;
  /** Host files and directories copied in (directories recursively, symlinks followed): path in the image -> host path. */
  hostFiles?: Record<string, string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../../../test/fixtures');

const APPLETS = [
  'sleep',
  'cat',
  'echo',
  'ps',
  'kill',
  'ls',
  'true',
  'false',
  'env',
  'timeout',
  'nice',
  'chroot',
  'grep',
  'tail',
  'head',
  'sed',
  'wc',
  'date',
  'printf',
  'test',
  '[',
  'mkdir',
  'rm',
  'id',
  'touch',
  'pidof',
  'yes',
  'awk',
];

/** Compile svc.c once per content hash into the temp dir. */
export function svcBinary(): string {
  const src = path.join(FIXTURES, 'svc.c');
  const hash = crypto.createHash('sha256').update(fs.readFileSync(src)).digest('hex').slice(0, 12);
  const out = path.join(os.tmpdir(), `pid1-svc-${hash}`);
  if (!fs.existsSync(out)) {
    const tmp = `${out}.${process.pid}`;
    execFileSync('cc', ['-static', '-O2', '-o', tmp, src], { stdio: 'pipe' });
    fs.renameSync(tmp, out);
  }
  return out;
}

function which(name: string): string {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return fs.realpathSync(p);
  }
  throw new Error(`${name} is not installed on this host (see .ci/run)`);
}

function libsOf(bin: string): string[] {
  let out = '';
  try {
    out = execFileSync('ldd', [bin], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch {
    return []; // static
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

function copyInto(root: string, hostPath: string, imagePath = hostPath): void {
  const dest = path.join(root, imagePath);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(fs.realpathSync(hostPath), dest);
  fs.chmodSync(dest, fs.statSync(hostPath).mode & 0o7777);
}

export function buildRootfs(root: string, opts: RootfsOptions): void {
  for (const d of ['bin', 'usr/bin', 'usr/local/bin', 'usr/sbin', 'sbin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'app']) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  const withShells = opts.shell !== 'none';
  if (withShells) {
    copyInto(root, which('busybox'), '/bin/busybox');
    for (const a of APPLETS) fs.symlinkSync('busybox', path.join(root, 'bin', a));
    for (const sh of ['dash', 'bash']) {
      const bin = which(sh);
      copyInto(root, bin, `/bin/${sh}`);
      for (const lib of libsOf(bin)) copyInto(root, lib);
    }
    fs.symlinkSync('busybox', path.join(root, 'bin', 'ash'));
    const sh = opts.shell === 'ash' ? 'busybox' : opts.shell;
    fs.symlinkSync(sh, path.join(root, 'bin', 'sh'));
    for (const init of ['tini', 'dumb-init']) {
      const bin = which(init);
      copyInto(root, bin, `/usr/bin/${init}`);
      for (const lib of libsOf(bin)) copyInto(root, lib);
    }
    copyInto(root, which('catatonit'), '/usr/bin/catatonit');
  }
  copyInto(root, svcBinary(), '/usr/local/bin/svc');
  // Debian's busybox-static prefers its own applets, and it has a `svc` applet (runit): busybox sh runs
  // that instead of ours. The same service under a name no applet has:
  copyInto(root, svcBinary(), '/usr/local/bin/app');
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  for (const [p, host] of Object.entries(opts.hostFiles ?? {})) {
    const dest = path.join(root, p);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.cpSync(host, dest, { recursive: true, dereference: true });
  }
  for (const [p, content] of Object.entries(opts.files ?? {})) {
    const dest = path.join(root, p);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, content, { mode: content.startsWith('#!') ? 0o755 : 0o644 });
  }
}

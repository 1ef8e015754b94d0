/**
 * Running this checkout's built CLI inside a test container: the host's node binary, the shared
 * libraries it and koffi's addon need (found with ldd), and the repository (dist + node_modules), all
 * bind-mounted read-only. The image itself stays the small one from rootfs.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (holds dist/ and node_modules/). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where the repository appears inside the container. */
export const REPO_IN_CONTAINER = '/opt/pid1';
export const NODE_IN_CONTAINER = '/opt/node/bin/node';
/** The built CLI entry inside the container. */
export const CLI_IN_CONTAINER = `${REPO_IN_CONTAINER}/dist/src/cli/main.js`;

export function sharedLibs(file: string): string[] {
  let out = '';
  try {
    out = execFileSync('ldd', [file], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch {
    return [];
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)\s+\(0x/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

export function koffiAddons(): string[] {
  const dir = path.join(REPO, 'node_modules/@koromix');
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.node') && !p.includes('musl')) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** `docker run` arguments that make node and the repository available in a rootfs.ts image. */
export function nodeMounts(): string[] {
  const node = fs.realpathSync(process.execPath);
  const libs = new Set<string>([...sharedLibs(node), ...koffiAddons().flatMap(sharedLibs)]);
  const args = ['-v', `${node}:${NODE_IN_CONTAINER}:ro`, '-v', `${REPO}:${REPO_IN_CONTAINER}:ro`];
  for (const lib of libs) args.push('-v', `${fs.realpathSync(lib)}:${lib}:ro`);
  return args;
}

/** Where pid1 is installed in an image made with pid1InImage(). */
export const PID1_IN_IMAGE = '/opt/pid1/dist/src/cli/main.js';

/**
 * Files for a rootfs.ts image that runs this checkout's `pid1 init` without bind mounts (pid1 test
 * creates its containers itself): node and the libraries it and koffi's addon need, the built
 * dist/src, package.json (ESM) and the modules the init loads (commander, koffi).
 */
export function pid1InImage(): Record<string, string> {
  const node = fs.realpathSync(process.execPath);
  const files: Record<string, string> = { '/usr/local/bin/node': node };
  for (const lib of new Set([...sharedLibs(node), ...koffiAddons().flatMap(sharedLibs)])) files[lib] = lib;
  files['/opt/pid1/package.json'] = path.join(REPO, 'package.json');
  files['/opt/pid1/dist/src'] = path.join(REPO, 'dist/src');
  for (const m of ['commander', 'koffi', '@koromix']) files[`/opt/pid1/node_modules/${m}`] = path.join(REPO, 'node_modules', m);
  return files;
}

/**
 * Looking into a running container's filesystem from the host, through /proc/PID/root: which shell
 * /bin/sh is (what decides whether a shell form execs the service), and the scripts its entrypoint runs
 * (for the model's prediction from the launch command).
 */
import fs from 'node:fs';
import path from 'node:path';
import { shellFamilyOfBinary, type ShellFamily } from '../model/programs.js';

/** Resolve `p` inside `root`, following symlinks as the container would (absolute targets are inside it). */
export function resolveInRoot(root: string, p: string): string | undefined {
  let cur = '/';
  const parts = p.split('/').filter(Boolean);
  for (let hops = 0, i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '.') continue;
    if (part === '..') { cur = path.posix.dirname(cur); continue; }
    const next = path.posix.join(cur, part);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path.join(root, next));
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      if (++hops > 40) return undefined;
      const target = fs.readlinkSync(path.join(root, next));
      const rest = parts.slice(i + 1);
      const restart = target.startsWith('/') ? target : path.posix.join(cur, target);
      parts.splice(0, parts.length, ...restart.split('/').filter(Boolean), ...rest);
      cur = '/';
      i = -1;
      continue;
    }
    cur = next;
  }
  return cur;
}

/** The family of /bin/sh inside `root` (`/` for the host). */
export function shellFamilyIn(root: string): ShellFamily {
  const real = resolveInRoot(root, '/bin/sh');
  if (!real) return 'none';
  return shellFamilyOfBinary(real) ?? 'unknown';
}

/** Read a script (a text file) inside `root`, finding bare names on PATH; undefined for binaries. */
export function scriptReader(root: string, env: Readonly<Record<string, string>>, workingDir = '/'): (p: string) => string | undefined {
  const dirs = (env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter(Boolean);
  return (p: string) => {
    const candidates = p.includes('/') ? [p.startsWith('/') ? p : path.posix.join(workingDir, p)] : dirs.map((d) => path.posix.join(d, p));
    for (const c of candidates) {
      const real = resolveInRoot(root, c);
      if (!real) continue;
      try {
        const file = path.join(root, real);
        const st = fs.statSync(file);
        if (!st.isFile() || st.size > 1024 * 1024) return undefined;
        const buf = fs.readFileSync(file);
        // A binary is not a script: no NUL bytes in a text file.
        return buf.subarray(0, 4096).includes(0) ? undefined : buf.toString('utf8');
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
}

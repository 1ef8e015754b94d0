/**
 * Looking into a running container's filesystem from the host, through /proc/PID/root: which shell
 * /bin/sh is (what decides whether a shell form execs the service), and the scripts its entrypoint runs
 * (for the model's prediction from the launch command).
 */
import path from 'node:path';
import { shellFamilyOfBinary, type ShellFamily } from '../model/programs.js';
import { readTextInRoot, resolveInRoot } from '../util/root-path.js';

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
      if (!resolveInRoot(root, c)) continue;
      return readTextInRoot(root, c);
    }
    return undefined;
  };
}

/**
 * Real PID namespaces: `unshare --pid --fork --mount-proc` makes its child PID 1 of a new namespace,
 * which then execs the given command (so the command itself is the namespace init).
 */
import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { childrenOf, cmdlineOf } from '../../src/proc/stat.js';
import { sleep, waitFor } from './exec.js';

export interface Namespace {
  /** The unshare process (parent of the namespace init, in the host namespace). */
  unshare: ChildProcess;
  /** Host PID of the namespace init (PID 1 inside). */
  initPid: number;
  output(): string;
  /** Resolves when the namespace init exits, with unshare's exit code / signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL the init (from the host, an ancestor namespace, so it is delivered) and wait. */
  destroy(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Start argv as PID 1 of a fresh PID namespace and wait until it has exec'd (its cmdline is argv). */
export async function startNamespace(argv: string[], opts: { env?: NodeJS.ProcessEnv; readyLine?: RegExp; stdin?: 'ignore' | 'pipe' } = {}): Promise<Namespace> {
  const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', ...argv], {
    // 'pipe': stdin stays open (as with `docker run -i`) until the namespace ends
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  live.add(unshare);
  let out = '';
  unshare.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  unshare.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    unshare.once('exit', (code, signal) => {
      live.delete(unshare);
      resolve({ code, signal });
    }),
  );
  const uPid = unshare.pid;
  if (uPid === undefined) throw new Error('unshare did not start');
  const initPid = await waitFor(`namespace init running ${argv[0]}`, () => {
    const [c] = childrenOf(uPid, false); // unshare is single-threaded
    if (c === undefined) return undefined;
    // Wait until the forked unshare has exec'd the command (which may exec again at once).
    const cl = cmdlineOf(c);
    return cl.length && cl[0] !== 'unshare' ? c : undefined;
  });
  if (opts.readyLine) {
    const re = opts.readyLine;
    await waitFor(`output matching ${re}`, () => (re.test(out) ? true : undefined));
  }
  return {
    unshare,
    initPid,
    exited,
    output: () => out,
    destroy: async () => {
      try {
        process.kill(initPid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await Promise.race([exited, sleep(5000)]);
    },
  };
}

/** Kill every namespace this process started (by the PIDs it started). */
export function cleanupNamespaces(): void {
  for (const u of live) {
    try {
      if (u.pid) process.kill(u.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
process.on('exit', cleanupNamespaces);

/** Where a process sleeps in the kernel (/proc/PID/wchan): `do_wait` while a shell waits for a child. */
export function wchanOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/wchan`, 'utf8');
  } catch {
    return undefined;
  }
}

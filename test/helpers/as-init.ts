/**
 * Run a real program as PID 1 of a fresh PID namespace (`unshare --pid --fork --mount-proc`) and watch
 * what a signal from outside does to it. Unlike ns.ts this keeps stdin open (cat needs it), can discard
 * stdout (yes floods it), and waits for a given comm, so that programs that exec several times
 * (erl -> erlexec -> beam.smp, setpriv -> postgres) are caught as their final image.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { childrenOf, commOf, readStat } from '../../src/proc/stat.js';
import { decodeMask, type MaskField } from '../../src/model/signals.js';
import { sleep, waitFor } from './exec.js';

export interface InitRun {
  unshare: ChildProcess;
  /** Host PID of the namespace init. */
  pid: number;
  /** stdout + stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the namespace init is still the process we started (same PID and start time, not a zombie). */
  alive(): boolean;
  /** Signal numbers in one of the masks of /proc/PID/status. */
  mask(field: MaskField): number[];
  /** SIGKILL the init from the host (an ancestor namespace, so it is delivered) and wait for unshare. */
  destroy(): Promise<void>;
}

const live = new Set<ChildProcess>();

export interface InitOptions {
  /** /proc/PID/comm of the final program image (default: the basename of argv[0], 15 bytes). */
  comm?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** 'pipe' keeps stdin open (default); 'ignore' gives /dev/null. */
  stdin?: 'pipe' | 'ignore';
  /** Discard stdout (programs that flood it). */
  quiet?: boolean;
  /** How long to wait for the program to reach `comm` (default 15 s). */
  startMs?: number;
}

export async function startAsInit(argv: string[], opts: InitOptions = {}): Promise<InitRun> {
  const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', ...argv], {
    stdio: [opts.stdin ?? 'pipe', opts.quiet ? 'ignore' : 'pipe', 'pipe'],
    cwd: opts.cwd,
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
  let gone = false;
  void exited.then(() => (gone = true));
  const uPid = unshare.pid;
  if (uPid === undefined) throw new Error('unshare did not start');
  const want = opts.comm ?? (argv[0] ?? '').split('/').pop()?.slice(0, 15);
  const pid = await waitFor(
    `namespace init with comm ${want} (output: ${out.slice(-300)})`,
    () => {
      if (gone) throw new Error(`${argv.join(' ')} exited before it was ready; output:\n${out.slice(-1500)}`);
      const [c] = childrenOf(uPid, false);
      return c !== undefined && commOf(c) === want ? c : undefined;
    },
    opts.startMs ?? 15_000,
  );
  const start = readStat(pid)?.starttime;
  const status = (): string => fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    unshare,
    pid,
    exited,
    output: () => out,
    alive: () => {
      const st = readStat(pid);
      return !gone && st !== undefined && st.starttime === start && st.state !== 'Z';
    },
    mask: (field) => {
      const m = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(status());
      if (!m?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
      return decodeMask(m[1]);
    },
    destroy: async () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await Promise.race([exited, sleep(5000)]);
    },
  };
}

/** Kill every namespace this process started (by the PIDs it started). */
export function cleanupInits(): void {
  for (const u of live) {
    try {
      if (u.pid) process.kill(u.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
process.on('exit', cleanupInits);

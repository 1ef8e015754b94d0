/**
 * The few libc calls `pid1 init` needs and Node does not offer, through koffi: posix_spawnp (so that
 * libuv never owns the child and never reaps it), waitid (reap any descendant, adopted orphans
 * included), kill, prctl and signal. Linux/glibc only, x86-64 and arm64 layouts.
 */
import koffi from 'koffi';
import util from 'node:util';
import { UserError } from '../util/errors.js';

// <spawn.h> (glibc >= 2.26 for SETSID).
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
// <sys/wait.h>
const P_ALL = 0;
const P_PID = 1;
const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
// siginfo_t: si_code at 8; the union starts at 16 on 64-bit (si_pid 16, si_status 24).
const SI_CODE = 8;
const SI_PID = 16;
const SI_STATUS = 24;
const CLD_EXITED = 1;
const CLD_KILLED = 2;
const CLD_DUMPED = 3;
// <sys/prctl.h>
const PR_SET_CHILD_SUBREAPER = 36;
const SIG_IGN = 1;
const EPERM = 1;
const ESRCH = 3;
const EINTR = 4;
const ECHILD = 10;

// Generous sizes: glibc's posix_spawnattr_t is 336 bytes, file actions 80, sigset_t 128.
const ATTR_BYTES = 1024;
const ACTIONS_BYTES = 512;
const SIGSET_BYTES = 128;

const libc = loadLibc();

function loadLibc(): ReturnType<typeof koffi.load> {
  try {
    return koffi.load('libc.so.6');
  } catch (err) {
    // The struct layouts and flags below are glibc's; musl (Alpine) is not supported.
    throw new UserError(`pid1 init needs glibc (libc.so.6): ${err instanceof Error ? err.message : String(err)}`);
  }
}
type Fn<A extends unknown[], R = number> = (...args: A) => R;
const posixSpawnp = libc.func('int posix_spawnp(_Out_ int *pid, const char *file, void *actions, void *attr, const char **argv, const char **envp)') as Fn<
  [number[], string, Buffer, Buffer, (string | null)[], (string | null)[]]
>;
const spawnattrInit = libc.func('int posix_spawnattr_init(void *attr)') as Fn<[Buffer]>;
const spawnattrDestroy = libc.func('int posix_spawnattr_destroy(void *attr)') as Fn<[Buffer]>;
const spawnattrSetflags = libc.func('int posix_spawnattr_setflags(void *attr, short flags)') as Fn<[Buffer, number]>;
const spawnattrSetsigmask = libc.func('int posix_spawnattr_setsigmask(void *attr, void *set)') as Fn<[Buffer, Buffer]>;
const spawnattrSetsigdefault = libc.func('int posix_spawnattr_setsigdefault(void *attr, void *set)') as Fn<[Buffer, Buffer]>;
const actionsInit = libc.func('int posix_spawn_file_actions_init(void *actions)') as Fn<[Buffer]>;
const actionsDestroy = libc.func('int posix_spawn_file_actions_destroy(void *actions)') as Fn<[Buffer]>;
const actionsAdddup2 = libc.func('int posix_spawn_file_actions_adddup2(void *actions, int fd, int newfd)') as Fn<[Buffer, number, number]>;
const waitidRaw = libc.func('int waitid(int idtype, uint32_t id, void *info, int options)') as Fn<[number, number, Buffer, number]>;
const killRaw = libc.func('int kill(int pid, int sig)') as Fn<[number, number]>;
const prctlRaw = libc.func('int prctl(int option, ...)') as Fn<[number, ...(string | number)[]]>;
const signalRaw = libc.func('intptr_t signal(int sig, intptr_t handler)') as Fn<[number, number]>;

const errnoNow = (): number => koffi.errno();

/** "ENOENT: no such file or directory" for an errno value. */
function errnoText(errno: number): string {
  const entry = util.getSystemErrorMap().get(-errno);
  return entry ? `${entry[0]}: ${entry[1]}` : `errno ${errno}`;
}

export class SpawnError extends Error {
  override name = 'SpawnError';
  constructor(
    readonly errno: number,
    file: string,
  ) {
    super(`cannot run ${file}: ${errnoText(errno)}`);
  }
}

/**
 * Start argv in a new session (so also a new process group) with every signal at its default
 * disposition and none blocked, whatever the supervisor set for itself. glibc reports exec
 * failures as posix_spawnp's return value (since 2.24), so ENOENT/EACCES arrive here.
 */
export function spawnInNewSession(argv: string[], env: NodeJS.ProcessEnv): number {
  const [file] = argv;
  if (file === undefined) throw new Error('empty argv');
  const attr = Buffer.alloc(ATTR_BYTES);
  const actions = Buffer.alloc(ACTIONS_BYTES);
  const noSignals = Buffer.alloc(SIGSET_BYTES);
  // Every signal 1..64 back to SIG_DFL. Set the bits by hand: glibc's sigfillset leaves out 32 and 33,
  // which its posix_spawn then sets to SIG_IGN in the child, and SIG_IGN survives exec.
  const allSignals = Buffer.alloc(SIGSET_BYTES);
  allSignals.fill(0xff, 0, 8);
  spawnattrInit(attr);
  actionsInit(actions);
  try {
    check(spawnattrSetflags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF), 'posix_spawnattr_setflags');
    check(spawnattrSetsigmask(attr, noSignals), 'posix_spawnattr_setsigmask');
    check(spawnattrSetsigdefault(attr, allSignals), 'posix_spawnattr_setsigdefault');
    // Node opens fds 0-2 close-on-exec (measured: fdinfo flags 02000001); dup2(fd, fd) in the
    // file actions clears FD_CLOEXEC in the child only (POSIX 2018, glibc >= 2.29).
    for (const fd of [0, 1, 2]) check(actionsAdddup2(actions, fd, fd), 'posix_spawn_file_actions_adddup2');
    const envp: (string | null)[] = [];
    for (const [k, v] of Object.entries(env)) if (v !== undefined) envp.push(`${k}=${v}`);
    envp.push(null);
    const pid = [0];
    const rc = posixSpawnp(pid, file, actions, attr, [...argv, null], envp);
    if (rc !== 0) throw new SpawnError(rc, file);
    return pid[0] ?? 0;
  } finally {
    actionsDestroy(actions);
    spawnattrDestroy(attr);
  }
}

function check(rc: number, what: string): void {
  if (rc !== 0) throw new Error(`${what} failed: ${errnoText(rc)}`);
}

/** How a reaped process ended. */
export interface ExitStatus {
  pid: number;
  /** Exit code when it exited. */
  code?: number;
  /** Signal number when a signal ended it. */
  signal?: number;
  core?: boolean;
}

const info = Buffer.alloc(128);

/**
 * Reap one zombie among all our children (adopted orphans included), without blocking.
 * `beforeReap(pid)` runs while the zombie still exists, so /proc/PID/comm can still be read.
 * Returns undefined when no child is waiting to be reaped (or none is left: ECHILD).
 */
export function reapOne(beforeReap: (pid: number) => void): ExitStatus | undefined {
  // Peek first (WNOWAIT) to learn the PID while the zombie still holds its name.
  const pid = waitidLoop(P_ALL, 0, WEXITED | WNOHANG | WNOWAIT);
  if (pid === undefined) return undefined;
  beforeReap(pid);
  const reaped = waitidLoop(P_PID, pid, WEXITED | WNOHANG);
  if (reaped === undefined) return undefined;
  const code = info.readInt32LE(SI_CODE);
  const status = info.readInt32LE(SI_STATUS);
  if (code === CLD_EXITED) return { pid, code: status };
  if (code === CLD_KILLED || code === CLD_DUMPED) return { pid, signal: status, core: code === CLD_DUMPED };
  return { pid, code: status };
}

function waitidLoop(idtype: number, id: number, options: number): number | undefined {
  for (;;) {
    info.fill(0); // with WNOHANG and nothing to report, si_pid stays 0 (waitid(2))
    if (waitidRaw(idtype, id, info, options) === 0) {
      const pid = info.readInt32LE(SI_PID);
      return pid === 0 ? undefined : pid;
    }
    const e = errnoNow();
    if (e === EINTR) continue;
    if (e === ECHILD) return undefined;
    throw new Error(`waitid failed: ${errnoText(e)}`);
  }
}

/**
 * kill(2); false when nobody received it: the target is gone (ESRCH) or not ours to signal (EPERM:
 * a descendant that changed its user while the supervisor is not root). Negative pid = process group.
 */
export function sendSignal(pid: number, signal: number): boolean {
  if (killRaw(pid, signal) === 0) return true;
  const e = errnoNow();
  if (e === ESRCH || e === EPERM) return false;
  throw new Error(`kill(${pid}, ${signal}) failed: ${errnoText(e)}`);
}

/** Become a child subreaper: orphaned descendants are re-parented to us instead of the namespace init. */
export function becomeSubreaper(): boolean {
  return prctlRaw(PR_SET_CHILD_SUBREAPER, 'unsigned long', 1, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0) === 0;
}

/** signal(sig, SIG_IGN). Only for signals Node has no listener on (it would silently replace libuv's handler). */
export function ignoreSignal(signal: number): void {
  signalRaw(signal, SIG_IGN);
}

/**
 * Reading one process from /proc the way the kernel shows it: ids in every PID namespace (NSpid,
 * NSpgid, NSsid), state, user, command line, and what it does with signals, including signals it
 * takes without a handler (sigwait/signalfd, as tini and catatonit do).
 */
import fs from 'node:fs';
import { UserError, errnoOf } from '../util/errors.js';
import { decodeMask, hostArch, type SignalMasks } from '../model/signals.js';
import { parseCmdline, parseStat } from './stat.js';

export interface ProcessInfo {
  /** PID in the reader's (host) namespace. */
  hostPid: number;
  /** PID in each namespace, outermost first (NSpid); the last is the process's own namespace. */
  nsPids: number[];
  /**
   * Process group and session in each namespace, outermost first (NSpgid, NSsid: one entry per NSpid
   * level; 0 where the group's or session's leader is not visible from that level). Empty on kernels
   * before 4.1.
   */
  nsPgids: number[];
  nsSids: number[];
  /** PID, parent, group and session as seen inside the process's own namespace. */
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Parent in the host namespace (0 for the host's init). */
  hostPpid: number;
  /**
   * Field 22 of /proc/PID/stat: clock ticks after boot when the process started. A PID and its
   * starttime identify a process: a reused PID comes back with a later starttime.
   */
  starttime: number;
  /** Single-letter state (R, S, D, Z, T, ...) and its word. */
  state: string;
  stateName: string;
  zombie: boolean;
  uid: number;
  user: string;
  comm: string;
  argv: string[];
  /** Target of /proc/PID/exe (empty for zombies and kernel threads). */
  exe: string;
  /**
   * Target of /proc/PID/ns/pid (e.g. pid:[4026532301]), identifying its PID namespace; '' when the
   * link cannot be read (another user's process without ptrace access: EACCES/EPERM), although
   * status and stat, which are world-readable, were.
   */
  pidNs: string;
  /** Raw masks as the kernel printed them. */
  rawMasks: Record<'SigPnd' | 'ShdPnd' | 'SigBlk' | 'SigIgn' | 'SigCgt', string>;
  masks: SignalMasks;
  /** Signals it takes synchronously without a handler: signalfd masks, or the set it waits on in rt_sigtimedwait. */
  takes: number[];
  /** How `takes` was learned. */
  takesVia: ('signalfd' | 'sigtimedwait')[];
  /** Threads in the process. */
  threads: number;
}

/** /proc root; overridable for tests of malformed input. */
export const PROC = process.env.PID1_PROC_ROOT ?? '/proc';

function readProcFile(pid: number, file: string): string {
  try {
    return fs.readFileSync(`${PROC}/${pid}/${file}`, 'utf8');
  } catch (err) {
    throw procError(pid, file, err);
  }
}

function procError(pid: number, file: string, err: unknown): UserError {
  const code = errnoOf(err);
  if (code === 'ENOENT' || code === 'ESRCH') {
    return fs.existsSync(`${PROC}/${pid}`) ? new UserError(`process ${pid} exited while being read (${PROC}/${pid}/${file})`) : new UserError(`no process with PID ${pid}`);
  }
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`permission denied reading ${PROC}/${pid}/${file} (run as root or as the process's user)`);
  return new UserError(`cannot read ${PROC}/${pid}/${file}: ${code ?? String(err)}`);
}

const STATES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk sleep',
  Z: 'zombie',
  T: 'stopped',
  t: 'tracing stop',
  X: 'dead',
  I: 'idle',
  P: 'parked',
  W: 'paging',
};

function parseStatus(text: string, pid: number): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  if (!m.has('Pid') || !m.has('SigCgt')) throw new UserError(`${PROC}/${pid}/status is malformed: no Pid/SigCgt field`);
  return m;
}

function numbers(s: string | undefined): number[] {
  return (s ?? '').split(/\s+/).filter(Boolean).map(Number);
}

/** Users of the process's own root (/proc/PID/root/etc/passwd), falling back to the number. */
function userName(pid: number, uid: number): string {
  for (const file of [`${PROC}/${pid}/root/etc/passwd`]) {
    try {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const f = line.split(':');
        if (f[2] === String(uid) && f[0]) return f[0];
      }
    } catch {
      /* no passwd in the image (distroless) or no access */
    }
  }
  return String(uid);
}

/**
 * rt_sigtimedwait's syscall number, per architecture: while a process is blocked in it, the kernel
 * treats the waited set as blocked (real_blocked), so those signals are queued for it even at their
 * default action, although SigBlk shows them unblocked.
 */
const SIGTIMEDWAIT: Partial<Record<string, number>> = { x64: 128, arm64: 137, riscv64: 137, loong64: 137 };

/** For a synchronous 1 ms pause between two reads of /proc/PID/syscall. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function sigtimedwaitSet(pid: number): number[] | undefined {
  const nr = SIGTIMEDWAIT[process.arch];
  if (nr === undefined) return undefined;
  let fields: string[];
  try {
    fields = fs.readFileSync(`${PROC}/${pid}/syscall`, 'utf8').trim().split(/\s+/);
  } catch {
    return undefined;
  }
  if (Number(fields[0]) !== nr || !fields[1] || !fields[4]) return undefined;
  const addr = BigInt(fields[1]);
  const size = Number(BigInt(fields[4]));
  if (size <= 0 || size > 16) return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(`${PROC}/${pid}/mem`, 'r');
    const buf = Buffer.alloc(size);
    fs.readSync(fd, buf, 0, size, addr);
    let hex = '';
    for (let i = size - 1; i >= 0; i--) hex += (buf[i] ?? 0).toString(16).padStart(2, '0');
    return decodeMask(hex, hostArch(), true);
  } catch {
    return undefined; // no ptrace access to its memory
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Signals taken through a signalfd: the fd's sigmask (fdinfo) while they are blocked. */
function signalfdSet(pid: number): number[] | undefined {
  let fds: string[];
  try {
    fds = fs.readdirSync(`${PROC}/${pid}/fdinfo`);
  } catch {
    return undefined;
  }
  const out = new Set<number>();
  let found = false;
  for (const fd of fds) {
    let info: string;
    try {
      info = fs.readFileSync(`${PROC}/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    const m = /^sigmask:\s*([0-9a-f]+)/m.exec(info);
    if (!m?.[1]) continue;
    found = true;
    for (const s of decodeMask(m[1], hostArch(), true)) out.add(s);
  }
  return found ? [...out].sort((a, b) => a - b) : undefined;
}

/** Read one process. Throws a UserError naming what failed. */
export function readProcess(pid: number): ProcessInfo {
  if (!Number.isInteger(pid) || pid <= 0) throw new UserError(`not a PID: ${pid}`);
  const st = parseStatus(readProcFile(pid, 'status'), pid);
  const stat = parseStat(readProcFile(pid, 'stat'));
  if (!stat) throw new UserError(`${PROC}/${pid}/stat is malformed: expected "PID (comm) STATE PPID PGRP SESSION ..." with 22 fields or more`);
  const nsPids = numbers(st.get('NSpid'));
  const nsPgids = numbers(st.get('NSpgid'));
  const nsSids = numbers(st.get('NSsid'));
  const argv = parseCmdline(readProcFile(pid, 'cmdline'));
  let exe = '';
  let pidNs = '';
  try {
    exe = fs.readlinkSync(`${PROC}/${pid}/exe`);
  } catch {
    /* zombie or kernel thread */
  }
  try {
    pidNs = fs.readlinkSync(`${PROC}/${pid}/ns/pid`);
  } catch (err) {
    const code = errnoOf(err);
    // Reading another user's ns links needs ptrace access (EACCES/EPERM), the masks do not: carry on without it.
    if (code !== 'EACCES' && code !== 'EPERM') throw procError(pid, 'ns/pid', err);
  }
  const arch = hostArch();
  const rawMasks = {
    SigPnd: st.get('SigPnd') ?? '',
    ShdPnd: st.get('ShdPnd') ?? '',
    SigBlk: st.get('SigBlk') ?? '',
    SigIgn: st.get('SigIgn') ?? '',
    SigCgt: st.get('SigCgt') ?? '',
  };
  let masks: SignalMasks;
  try {
    masks = {
      pending: decodeMask(rawMasks.SigPnd, arch),
      shared_pending: decodeMask(rawMasks.ShdPnd, arch),
      blocked: decodeMask(rawMasks.SigBlk, arch),
      ignored: decodeMask(rawMasks.SigIgn, arch),
      caught: decodeMask(rawMasks.SigCgt, arch),
    };
  } catch (err) {
    throw new UserError(`${PROC}/${pid}/status: ${(err as Error).message}`);
  }
  const uid = numbers(st.get('Uid'))[0] ?? -1;
  const { state } = stat;
  const zombie = state === 'Z';
  const takes = new Set<number>();
  const takesVia: ProcessInfo['takesVia'] = [];
  if (!zombie) {
    const sfd = signalfdSet(pid);
    if (sfd) {
      takesVia.push('signalfd');
      for (const s of sfd) if (masks.blocked.includes(s)) takes.add(s);
    }
    // An init that blocks signals and takes them with sigtimedwait (tini) leaves the call for a moment
    // each time it wakes (a timeout, a SIGCHLD: then it reaps with waitpid): look again for a few ms
    // (not when a signalfd already says how it takes them, catatonit: no pause for it).
    let stw = sigtimedwaitSet(pid);
    if (!stw && !sfd && masks.blocked.length && nsPids[nsPids.length - 1] === 1) {
      for (let i = 0; i < 20 && !stw; i++) {
        Atomics.wait(PAUSE, 0, 0, 1);
        stw = sigtimedwaitSet(pid);
      }
    }
    if (stw) {
      takesVia.push('sigtimedwait');
      // The kernel never lets SIGKILL/SIGSTOP be waited for (they are removed from the set).
      for (const s of stw) if (s !== 9 && s !== 19) takes.add(s);
    }
  }
  const inner = (list: number[], fallback: number): number => (list.length ? (list[list.length - 1] as number) : fallback);
  return {
    hostPid: pid,
    nsPids: nsPids.length ? nsPids : [pid],
    nsPgids,
    nsSids,
    pid: inner(nsPids, pid),
    ppid: 0, // filled by the tree, which knows the namespace's PIDs
    pgid: inner(nsPgids, stat.pgrp),
    sid: inner(nsSids, stat.session),
    hostPpid: stat.ppid,
    starttime: stat.starttime,
    state,
    stateName: STATES[state] ?? state,
    zombie,
    uid,
    user: uid >= 0 ? userName(pid, uid) : '?',
    comm: st.get('Name') ?? '',
    argv,
    exe,
    pidNs,
    rawMasks,
    masks,
    takes: [...takes].sort((a, b) => a - b),
    takesVia,
    threads: Number(st.get('Threads') ?? '1'),
  };
}

/** Every PID in /proc (host view). */
export function allPids(): number[] {
  return fs
    .readdirSync(PROC)
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

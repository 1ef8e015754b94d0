/**
 * The small /proc readers everyone needs (the init, the tree, the runtime, tests, benchmarks), in one
 * place. Only node:fs: `pid1 init` loads this on its fast start, so nothing heavy may be imported here.
 *
 * Every reader takes an optional /proc root (default /proc; src/proc/read.ts passes PID1_PROC_ROOT for
 * tests of malformed input) and returns undefined or an empty list when the process is gone or
 * unreadable: callers that must say why read the file themselves and use parseStat().
 */
import fs from 'node:fs';

/** USER_HZ: the unit of /proc/PID/stat's starttime; 100 on every Linux architecture pid1 runs on (proc(5), sysconf(_SC_CLK_TCK)). */
export const CLK_TCK = 100;

interface Stat {
  pid: number;
  /** comm as /proc/PID/stat shows it (15 bytes at most; may hold spaces and parentheses). */
  comm: string;
  /** One-letter state (R, S, D, Z, T, t, X, I, ...). */
  state: string;
  /** Parent, process group and session, in the namespace of the /proc mount that was read. */
  ppid: number;
  pgrp: number;
  session: number;
  /** Field 22: clock ticks after boot when the process started. With the PID, identifies a process (PID reuse changes it). */
  starttime: number;
  /** Field 52 (Linux 3.5+): the exit status as waitpid() would report it, meaningful for zombies; undefined when absent. */
  exitCode: number | undefined;
}

/**
 * Parse the text of /proc/PID/stat; undefined when it is not one. comm may contain spaces and ')':
 * the fields after the last ')' are fixed (proc(5)), so they are counted from there.
 */
export function parseStat(text: string): Stat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text
    .slice(close + 2)
    .trimEnd()
    .split(' ');
  // f[0] is field 3 (state): field n is f[n - 3].
  const num = (n: number): number => Number(f[n - 3]);
  const stat: Stat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0] || '?',
    ppid: num(4),
    pgrp: num(5),
    session: num(6),
    starttime: num(22),
    exitCode: f.length >= 50 ? num(52) : undefined,
  };
  if (!Number.isInteger(stat.pid) || !Number.isInteger(stat.ppid) || !Number.isInteger(stat.pgrp) || !Number.isInteger(stat.session) || !Number.isInteger(stat.starttime)) return undefined;
  return stat;
}

/** /proc/PID/stat parsed; undefined when the process is gone (or the file is not readable or malformed). */
export function readStat(pid: number, root = '/proc'): Stat | undefined {
  try {
    return parseStat(fs.readFileSync(`${root}/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The kernel's name for a process (readable until it is reaped, zombies included); undefined when gone. */
export function commOf(pid: number, root = '/proc'): string | undefined {
  try {
    return fs.readFileSync(`${root}/${pid}/comm`, 'utf8').replace(/\n$/, '');
  } catch {
    return undefined;
  }
}

/**
 * Split the text of /proc/PID/cmdline into argv. Trailing NULs are dropped: a process that rewrote its
 * title (node's process.title) pads with them. Empty for zombies and kernel threads.
 */
export function parseCmdline(raw: string): string[] {
  const trimmed = raw.replace(/\0+$/, '');
  return trimmed ? trimmed.split('\0') : [];
}

/** A process's argv from /proc/PID/cmdline; empty when it has none (zombie, kernel thread) or is gone. */
export function cmdlineOf(pid: number, root = '/proc'): string[] {
  try {
    return parseCmdline(fs.readFileSync(`${root}/${pid}/cmdline`, 'utf8'));
  } catch {
    return [];
  }
}

/**
 * Children of a process from /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN). The file lists the
 * children of one thread: adopted orphans and children forked by other threads (a multi-threaded
 * subreaper such as Node) belong to whichever thread, so by default every task is read. `allTasks`
 * false reads the main thread's only (enough for single-threaded parents, cheaper). Empty when gone.
 */
export function childrenOf(pid: number, allTasks = true, root = '/proc'): number[] {
  let tids: string[];
  if (allTasks) {
    try {
      tids = fs.readdirSync(`${root}/${pid}/task`);
    } catch {
      return [];
    }
  } else {
    tids = [String(pid)];
  }
  const out: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = fs.readFileSync(`${root}/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      continue; // thread or process gone
    }
    for (const s of text.split(' ')) if (s.trim()) out.push(Number(s));
  }
  return out;
}

let childrenFiles: boolean | undefined;

/** Whether the kernel has the children files (CONFIG_PROC_CHILDREN); without them, scan /proc for parents. */
export function haveChildrenFiles(): boolean {
  if (childrenFiles === undefined) {
    try {
      const [tid] = fs.readdirSync('/proc/self/task');
      childrenFiles = tid !== undefined && fs.existsSync(`/proc/self/task/${tid}/children`);
    } catch {
      childrenFiles = false;
    }
  }
  return childrenFiles;
}

/**
 * The process's PID in each PID namespace it belongs to, outermost first (the NSpid line of
 * /proc/PID/status; the last is its PID inside its own namespace). Empty when gone; [pid] on kernels
 * before 4.1, which have no NSpid line.
 */
export function nsPidsOf(pid: number, root = '/proc'): number[] {
  let status: string;
  try {
    status = fs.readFileSync(`${root}/${pid}/status`, 'utf8');
  } catch {
    return [];
  }
  const m = /^NSpid:\s*(.*)$/m.exec(status);
  if (!m?.[1]) return [pid];
  return m[1].trim().split(/\s+/).map(Number);
}

/** The process's PID inside its own PID namespace (the last NSpid entry); undefined when gone. */
export function nsPidOf(pid: number, root = '/proc'): number | undefined {
  return nsPidsOf(pid, root).at(-1);
}

/** The PID namespace a process is in (the target of /proc/PID/ns/pid, e.g. `pid:[4026531836]`); undefined when unreadable. */
export function pidNsOf(pid: number | 'self', root = '/proc'): string | undefined {
  try {
    return fs.readlinkSync(`${root}/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/**
 * Whether the process's cgroup is frozen (`docker pause`, `podman pause`, `ctr task pause` all use the
 * cgroup freezer): cgroup v1's freezer.state is FROZEN (kernel Documentation/admin-guide/cgroup-v1/
 * freezer-subsystem.rst), cgroup v2's cgroup.events says `frozen 1` (cgroup-v2.rst, "cgroup.freeze").
 * undefined where neither can be read.
 */
export function cgroupFrozen(pid: number, root = '/proc'): boolean | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(`${root}/${pid}/cgroup`, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const v1 = lines.find((l) => /^\d+:([^:]*,)?freezer(,[^:]*)?:/.test(l));
  if (v1 !== undefined) {
    try {
      return fs.readFileSync(`/sys/fs/cgroup/freezer${v1.slice(v1.indexOf(':', v1.indexOf(':') + 1) + 1)}/freezer.state`, 'utf8').trim() !== 'THAWED';
    } catch {
      /* not mounted there: try v2 */
    }
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2 === undefined) return undefined;
  try {
    const m = /^frozen (\d)$/m.exec(fs.readFileSync(`/sys/fs/cgroup${v2.slice(3)}/cgroup.events`, 'utf8'));
    return m ? m[1] === '1' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The supervisor's view of its descendants, from /proc: who is alive, in which process group,
 * under which name. Small on purpose: called at events (forward, wait, escalation), never per reap.
 */
import fs from 'node:fs';

export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state from /proc/PID/stat (R, S, D, T, Z, ...). */
  state: string;
  /** comm: the kernel's 15-character name. */
  name: string;
}

/** A process as the report names it. */
export interface Named {
  pid: number;
  name: string;
  /** Its command line, when it still has one (zombies do not). */
  cmd?: string;
}

/** Parse /proc/PID/stat; undefined when the process is gone. comm may hold spaces and parentheses. */
export function readProc(pid: number): Proc | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = stat.slice(close + 2).split(' ');
  return { pid, name: stat.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]) };
}

/** The kernel's name for a process (readable until it is reaped, zombies included). */
export function commOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'latin1').replace(/\n$/, '');
  } catch {
    return '?';
  }
}

const CMD_MAX = 200;

export function cmdlineOf(pid: number): string | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!raw) return undefined;
    const cmd = raw.replace(/\0$/, '').split('\0').join(' ');
    return cmd.length > CMD_MAX ? `${cmd.slice(0, CMD_MAX)}...` : cmd;
  } catch {
    return undefined;
  }
}

export function named(p: { pid: number; name: string }, withCmd = false): Named {
  const cmd = withCmd ? cmdlineOf(p.pid) : undefined;
  return cmd === undefined ? { pid: p.pid, name: p.name } : { pid: p.pid, name: p.name, cmd };
}

function childrenFromTasks(pid: number): number[] | undefined {
  // /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN) lists children per thread: adopted orphans may
  // belong to any thread of a multi-threaded reaper, so read every task.
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync(`/proc/${pid}/task/${tid}`)) return undefined;
      continue;
    }
    for (const s of text.split(' ')) if (s.trim()) out.push(Number(s));
  }
  return out;
}

let haveChildrenFiles: boolean | undefined;

/**
 * Every live descendant of `root` (zombies only if asked: they are dead and only wait to be reaped),
 * parents before children. Uses the per-task children files, or a full /proc scan without them.
 */
export function descendantsOf(root: number, withZombies = false): Proc[] {
  if (haveChildrenFiles !== false) {
    const out: Proc[] = [];
    const queue = [root];
    for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
      const kids = childrenFromTasks(pid);
      if (kids === undefined) {
        haveChildrenFiles = false;
        return descendantsOf(root, withZombies);
      }
      haveChildrenFiles = true;
      for (const k of kids) {
        const p = readProc(k);
        if (!p) continue;
        queue.push(k);
        if (withZombies || p.state !== 'Z') out.push(p);
      }
    }
    return out;
  }
  const all: Proc[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const p = readProc(Number(e));
    if (p) all.push(p);
  }
  const byParent = new Map<number, Proc[]>();
  for (const p of all) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p);
    byParent.set(p.ppid, list);
  }
  const out: Proc[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const p of byParent.get(pid) ?? []) {
      queue.push(p.pid);
      if (withZombies || p.state !== 'Z') out.push(p);
    }
  }
  return out;
}

/**
 * The processes of one PID namespace, as a tree: every process whose /proc/PID/ns/pid is that
 * namespace (including ones entered with `docker exec`, whose parent is outside), plus processes of
 * nested namespaces below them. PIDs are shown as the namespace sees them (its NSpid level).
 */
import fs from 'node:fs';
import { UserError, errnoOf } from '../util/errors.js';
import { PROC, allPids, readProcess, type ProcessInfo } from './read.js';
import { pidNsOf, readStat } from './stat.js';

export interface TreeNode extends ProcessInfo {
  children: TreeNode[];
  /** Depth from the root, for printing. */
  depth: number;
}

export interface NamespaceTree {
  /** Inode of the PID namespace, e.g. pid:[4026532301]; '' when its ns/pid link is not readable (EACCES/EPERM). */
  pidNs: string;
  /**
   * False when the PID given is in the reader's own namespace: then the tree is that process's subtree.
   * Decided by comparing ns/pid links; when the target's link is unreadable, by its NSpid line instead
   * (one entry per level from the /proc mount's namespace down: more than one means a namespace below).
   */
  isolated: boolean;
  /** The namespace init (PID 1 inside), or the given process when not isolated. */
  init: TreeNode;
  /** Every process, in tree order. */
  processes: TreeNode[];
  zombies: TreeNode[];
}

function selfNs(): string {
  try {
    return fs.readlinkSync(`${PROC}/self/ns/pid`);
  } catch (err) {
    throw new UserError(`cannot read ${PROC}/self/ns/pid: ${errnoOf(err) ?? String(err)}`);
  }
}

/** Read every process, skipping any that exits during the scan. */
function readAll(pids: number[]): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const p of pids) {
    try {
      out.push(readProcess(p));
    } catch {
      /* exited while we scanned: not part of the tree any more */
    }
  }
  return out;
}

function readOrUndefined(pid: number): ProcessInfo | undefined {
  try {
    return readProcess(pid);
  } catch {
    return undefined;
  }
}

/**
 * The members of target's namespace when its ns/pid link cannot be read (so neither can the others'):
 * its init, found by walking up the parents while they stay at target's NSpid level. Its descendants
 * are added by the caller; a process entered from outside (docker exec) has no such ancestor.
 */
function membersByAncestry(target: ProcessInfo): ProcessInfo[] {
  const level = target.nsPids.length;
  for (let cur: ProcessInfo | undefined = target; cur && cur.nsPids.length === level; cur = cur.hostPpid > 0 ? readOrUndefined(cur.hostPpid) : undefined) {
    if (cur.nsPids[level - 1] === 1) return [cur];
  }
  throw new UserError(
    `permission denied reading ${PROC}/${target.hostPid}/ns/pid, and process ${target.hostPid} has no ancestor that is PID 1 of its namespace: cannot tell which processes share it (run as root or as the process's user)`,
  );
}

/** Build the namespace tree around host PID `pid`. */
export function namespaceTree(pid: number): NamespaceTree {
  const target = readProcess(pid); // throws a clear error for a missing/unreadable PID
  const mine = selfNs();
  // pidNs is '' when the link is unreadable (another user's process): NSpid then tells whether it is below us.
  const isolated = target.pidNs ? target.pidNs !== mine : target.nsPids.length > 1;
  const pids = allPids();
  let members: ProcessInfo[];
  if (!isolated) members = [];
  else if (target.pidNs) members = readAll(pids.filter((p) => pidNsOf(p, PROC) === target.pidNs));
  else members = membersByAncestry(target);
  // Add descendants (nested namespaces, or the subtree in the non-isolated case).
  const all = new Map<number, ProcessInfo>();
  for (const m of members) all.set(m.hostPid, m);
  if (!isolated) all.set(target.hostPid, target);
  const byParent = new Map<number, number[]>();
  for (const p of pids) {
    const ppid = readStat(p, PROC)?.ppid;
    if (ppid === undefined) continue; // exited
    const list = byParent.get(ppid) ?? [];
    list.push(p);
    byParent.set(ppid, list);
  }
  const queue = [...all.keys()];
  while (queue.length) {
    const p = queue.shift() as number;
    for (const c of byParent.get(p) ?? []) {
      if (all.has(c)) continue;
      try {
        all.set(c, readProcess(c));
        queue.push(c);
      } catch {
        /* exited */
      }
    }
  }
  // The tree's level: NSpid, NSpgid and NSsid have one entry per namespace from the /proc mount's down,
  // so entry level-1 is the view from the target's namespace (isolated) or from ours (level 1, host PIDs).
  const level = target.nsPids.length;
  const at = (list: number[], fallback: number): number => list[level - 1] ?? fallback;
  // The init: the process whose PID in this namespace is 1.
  const initInfo = isolated ? [...all.values()].find((p) => at(p.nsPids, p.hostPid) === 1) : target;
  if (!initInfo) throw new UserError(`${target.pidNs ? `PID namespace ${target.pidNs} of process ${pid}` : `the PID namespace of process ${pid}`} has no init (PID 1 exited)`);
  const nodes = new Map<number, TreeNode>();
  for (const p of all.values()) {
    // PID, PGID and SID as this namespace sees them (PGID/SID 0: the leader is outside it). Without
    // NSpgid/NSsid (kernels before 4.1) read.ts's value stands: the host's.
    const node: TreeNode = { ...p, pid: at(p.nsPids, p.hostPid), pgid: at(p.nsPgids, p.pgid), sid: at(p.nsSids, p.sid), children: [], depth: 0 };
    nodes.set(p.hostPid, node);
  }
  for (const n of nodes.values()) {
    const parent = nodes.get(n.hostPpid);
    n.ppid = parent && n.hostPid !== initInfo.hostPid ? parent.pid : 0;
    if (parent && n.hostPid !== initInfo.hostPid) parent.children.push(n);
  }
  const root = nodes.get(initInfo.hostPid) as TreeNode;
  const ordered: TreeNode[] = [];
  const walk = (n: TreeNode, depth: number): void => {
    n.depth = depth;
    n.children.sort((a, b) => a.pid - b.pid);
    ordered.push(n);
    for (const c of n.children) walk(c, depth + 1);
  };
  walk(root, 0);
  // Processes in the namespace whose parent is outside it (docker exec): list them at top level.
  for (const n of [...nodes.values()].sort((a, b) => a.pid - b.pid)) {
    if (!ordered.includes(n) && !nodes.has(n.hostPpid)) walk(n, 0);
  }
  return {
    pidNs: target.pidNs,
    isolated,
    init: root,
    processes: ordered,
    zombies: ordered.filter((p) => p.zombie),
  };
}

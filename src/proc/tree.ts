/**
 * The processes of one PID namespace, as a tree: every process whose /proc/PID/ns/pid is that
 * namespace (including ones entered with `docker exec`, whose parent is outside), plus processes of
 * nested namespaces below them. PIDs are shown as the namespace sees them (its NSpid level).
 */
import fs from 'node:fs';
import { UserError, errnoOf } from '../util/errors.js';
import { PROC, allPids, readProcess, type ProcessInfo } from './read.js';

export interface TreeNode extends ProcessInfo {
  children: TreeNode[];
  /** Depth from the root, for printing. */
  depth: number;
}

export interface NamespaceTree {
  /** Inode of the PID namespace, e.g. pid:[4026532301]. */
  pidNs: string;
  /** False when the PID given is in the reader's own namespace: then the tree is that process's subtree. */
  isolated: boolean;
  /** The namespace init (PID 1 inside), or the given process when not isolated. */
  init: TreeNode;
  /** Every process, in tree order. */
  processes: TreeNode[];
  zombies: TreeNode[];
}

function nsOf(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`${PROC}/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
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

/** Build the namespace tree around host PID `pid`. */
export function namespaceTree(pid: number): NamespaceTree {
  const target = readProcess(pid); // throws a clear error for a missing/unreadable PID
  const mine = selfNs();
  const isolated = target.pidNs !== mine;
  const pids = allPids();
  let members: ProcessInfo[];
  if (isolated) {
    const inNs = pids.filter((p) => nsOf(p) === target.pidNs);
    members = readAll(inNs);
  } else {
    members = [];
  }
  // Add descendants (nested namespaces, or the subtree in the non-isolated case).
  const all = new Map<number, ProcessInfo>();
  for (const m of members) all.set(m.hostPid, m);
  if (!isolated) all.set(target.hostPid, target);
  const byParent = new Map<number, number[]>();
  for (const p of pids) {
    let ppid: number;
    try {
      const stat = fs.readFileSync(`${PROC}/${p}/stat`, 'utf8');
      ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      continue;
    }
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
  // The init: the process whose PID in this namespace is 1.
  const level = isolated ? target.nsPids.length : target.nsPids.length;
  const pidIn = (p: ProcessInfo): number => (isolated ? p.nsPids[level - 1] ?? p.hostPid : p.hostPid);
  const initInfo = isolated ? [...all.values()].find((p) => pidIn(p) === 1) : target;
  if (!initInfo) throw new UserError(`PID namespace ${target.pidNs} of process ${pid} has no init (PID 1 exited)`);
  const nodes = new Map<number, TreeNode>();
  for (const p of all.values()) {
    const node: TreeNode = { ...p, pid: pidIn(p), children: [], depth: 0 };
    // PGID/SID as seen at this level: NSpgid/NSsid give the innermost view; for the outer level use the host's.
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

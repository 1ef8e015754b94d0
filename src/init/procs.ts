/**
 * The supervisor's view of its descendants, from /proc: who is alive, in which process group,
 * under which name. Small on purpose: called at events (forward, wait, escalation), never per reap.
 */
import fs from 'node:fs';
import { childrenOf, cmdlineOf as argvOf, commOf as kernelName, haveChildrenFiles, readStat } from '../proc/stat.js';

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

/** A process from /proc/PID/stat; undefined when it is gone. */
function readProc(pid: number): Proc | undefined {
  const st = readStat(pid);
  return st && { pid, name: st.comm, state: st.state, ppid: st.ppid, pgid: st.pgrp };
}

/** The kernel's name for a process (readable until it is reaped, zombies included); '?' when gone. */
export function commOf(pid: number): string {
  return kernelName(pid) ?? '?';
}

const CMD_MAX = 200;

/** The command line for the report, cut at CMD_MAX characters; undefined when it has none (zombies). */
function cmdlineOf(pid: number): string | undefined {
  const argv = argvOf(pid);
  if (!argv.length) return undefined;
  const cmd = argv.join(' ');
  return cmd.length > CMD_MAX ? `${cmd.slice(0, CMD_MAX)}...` : cmd;
}

export function named(p: { pid: number; name: string }, withCmd = false): Named {
  const cmd = withCmd ? cmdlineOf(p.pid) : undefined;
  return cmd === undefined ? { pid: p.pid, name: p.name } : { pid: p.pid, name: p.name, cmd };
}

/** Lists a process's children as they are now. */
type ChildLister = (pid: number) => Proc[];

/** From the per-task children files, read at the moment of asking. */
function liveChildren(pid: number): Proc[] {
  return childrenOf(pid).flatMap((k) => readProc(k) ?? []);
}

/** Without children files: one full /proc scan, indexed by parent. */
function scannedChildren(): ChildLister {
  const byParent = new Map<number, Proc[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const p = readProc(Number(e));
    if (!p) continue;
    const list = byParent.get(p.ppid) ?? [];
    list.push(p);
    byParent.set(p.ppid, list);
  }
  return (pid) => byParent.get(pid) ?? [];
}

/** Bounds the re-reads of the root's children under a storm of double forks. */
const MAX_ROUNDS = 8;

/**
 * Every live descendant of `root` (zombies only if asked: they are dead and only wait to be reaped),
 * parents before children. `root` must be the reaper of its tree (PID 1 of the namespace or a child
 * subreaper), as the init is. Uses the per-task children files (every thread's: orphans are adopted by
 * whichever thread of a multi-threaded reaper), or a full /proc scan without them.
 */
export function descendantsOf(root: number, withZombies = false): Proc[] {
  const out: Proc[] = [];
  const seen = new Set<number>();
  // Race: a member dying mid-walk (just signalled) hands its children to the reaper (kernel/exit.c
  // forget_original_parent) after we read root's list and before its own: re-read root's until no one new.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const children = haveChildrenFiles() ? liveChildren : scannedChildren();
    const queue = children(root).filter((p) => !seen.has(p.pid));
    if (!queue.length) break;
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
      if (seen.has(p.pid)) continue;
      seen.add(p.pid);
      if (withZombies || p.state !== 'Z') out.push(p);
      queue.push(...children(p.pid));
    }
  }
  return out;
}

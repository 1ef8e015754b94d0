/**
 * What pid1 watch knows about the processes it sees in events: read from /proc when first seen and
 * kept after they are gone, because the most telling events (a SIGKILL, an exit) come when the
 * process no longer has a /proc entry by the time the event is read.
 */
import fs from 'node:fs';
import { decodeMask, hostArch, type SignalMasks } from '../../model/signals.js';
import { parseCmdline, parseStat } from '../../proc/stat.js';
import { kernelBytesToText } from '../../util/sanitize.js';

export interface ProcessFacts {
  /** The thread ID the fact was read for. */
  tid: number;
  /** Its process (Tgid). */
  tgid: number;
  /** PIDs in each namespace, outermost first (NSpid); the last is its own. */
  nsPids: number[];
  comm: string;
  argv: string[];
  /** /proc/PID/ns/pid, e.g. pid:[4026532301]; '' when unreadable. */
  pidNs: string;
  starttime: number;
  kernelThread: boolean;
  zombie: boolean;
  masks: Pick<SignalMasks, 'ignored' | 'caught' | 'blocked'>;
  /** Monotonic ms of the read. */
  readAt: number;
  /** Its exit was seen (or it vanished): the facts are its last known ones. */
  gone: boolean;
  /** Monotonic ms when it was found gone. */
  goneAt?: number;
}

/** PF_KTHREAD in the flags field (9) of /proc/PID/stat (include/linux/sched.h). */
const PF_KTHREAD = 0x00200000;

/** Read one task (a process or any of its threads: /proc/TID works for threads too). */
function readFacts(tid: number, now: number): ProcessFacts | undefined {
  let status: string;
  let statText: string;
  try {
    status = fs.readFileSync(`/proc/${tid}/status`, 'utf8');
    statText = fs.readFileSync(`/proc/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const stat = parseStat(statText);
  if (!stat) return undefined;
  const field = (name: string): string | undefined => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
    return m?.[1]?.trim();
  };
  const arch = hostArch();
  const mask = (name: string): number[] => {
    const v = field(name);
    try {
      return v ? decodeMask(v, arch, true) : [];
    } catch {
      return [];
    }
  };
  const flags = Number(statText.slice(statText.lastIndexOf(')') + 2).split(' ')[6] ?? 0);
  let argv: string[] = [];
  try {
    argv = parseCmdline(fs.readFileSync(`/proc/${tid}/cmdline`, 'utf8'));
  } catch {
    /* exited meanwhile */
  }
  // /proc/PID/comm has the raw bytes (status's Name: escapes newlines and backslashes).
  let comm = stat.comm;
  try {
    comm = kernelBytesToText(fs.readFileSync(`/proc/${tid}/comm`, 'latin1').replace(/\n$/, ''));
  } catch {
    /* exited meanwhile: stat's copy */
  }
  let pidNs = '';
  try {
    pidNs = fs.readlinkSync(`/proc/${tid}/ns/pid`);
  } catch {
    /* exited meanwhile */
  }
  const nsPids = (field('NSpid') ?? String(tid)).split(/\s+/).filter(Boolean).map(Number);
  return {
    tid,
    tgid: Number(field('Tgid') ?? tid),
    nsPids,
    comm,
    argv,
    pidNs,
    starttime: stat.starttime,
    kernelThread: (flags & PF_KTHREAD) !== 0,
    zombie: stat.state === 'Z' || stat.state === 'X',
    masks: { ignored: mask('SigIgn'), caught: mask('SigCgt'), blocked: mask('SigBlk') },
    readAt: now,
    gone: false,
  };
}

/** How long facts are trusted before they are read again (handlers change; PIDs are reused). */
const FRESH_MS = 500;
/** How long a gone process's facts answer for its PID (its late events); after that the PID may be someone else's. */
const GONE_MS = 5000;
/** Gone processes remembered, at most. */
const MAX_ENTRIES = 50_000;

export class ProcessCache {
  private readonly byTid = new Map<number, ProcessFacts>();

  constructor(private readonly clock: () => number) {}

  /** Facts for `tid`, refreshed when stale; the last known ones when it is gone. */
  get(tid: number): ProcessFacts | undefined {
    const now = this.clock();
    const have = this.byTid.get(tid);
    if (have && (have.gone ? now - (have.goneAt ?? now) < GONE_MS : now - have.readAt < FRESH_MS)) return have;
    const fresh = readFacts(tid, now);
    if (fresh) {
      // A zombie has no command line any more: keep the one it had.
      if (have && have.starttime === fresh.starttime && !fresh.argv.length) fresh.argv = have.argv;
      this.set(fresh);
      return fresh;
    }
    if (have && !have.gone) {
      have.gone = true;
      have.goneAt = now;
    }
    return have;
  }

  /** Facts for `tid` read now, however fresh the cached ones are; the cached ones when it is gone. */
  reread(tid: number): ProcessFacts | undefined {
    const fresh = readFacts(tid, this.clock());
    if (!fresh) return this.get(tid);
    const have = this.byTid.get(tid);
    if (have && have.starttime === fresh.starttime && !fresh.argv.length) fresh.argv = have.argv;
    this.set(fresh);
    return fresh;
  }

  /** Remember facts read elsewhere (a scan). */
  set(f: ProcessFacts): void {
    if (this.byTid.size >= MAX_ENTRIES) {
      for (const [k, v] of this.byTid) {
        if (v.gone) this.byTid.delete(k);
        if (this.byTid.size < MAX_ENTRIES * 0.75) break;
      }
    }
    this.byTid.set(f.tid, f);
  }

  /** The task exited: keep its last facts, never read its (soon reused) PID again for it. */
  markGone(tid: number): ProcessFacts | undefined {
    const f = this.byTid.get(tid);
    if (f && !f.gone) {
      f.gone = true;
      f.goneAt = this.clock();
    }
    return f;
  }

  /** A new task got this PID (a fork event): forget what an older owner of the number left. */
  forget(tid: number): void {
    this.byTid.delete(tid);
  }

  peek(tid: number): ProcessFacts | undefined {
    return this.byTid.get(tid);
  }
}

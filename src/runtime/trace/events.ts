/**
 * What `pid1 watch` reports: the shapes of its `--json` lines (one object per line, documented in
 * docs/watch.md). Every string that comes from inside a container (command, argv, names, labels) is
 * passed through safeName() before it gets here.
 */
import type { IgnoredReason, SignalResult } from './result.js';

export interface ContainerInfo {
  id: string;
  name: string;
  image?: string;
  /** Kubernetes pod and namespace, from the labels the kubelet puts on its containers. */
  pod?: string;
  namespace?: string;
}

export interface ProcessRef {
  /** Host PID (the process; for a signal sent to one thread, that thread's ID when its process is unknown). */
  pid: number;
  /** PID inside its own PID namespace, when it was seen alive. */
  nsPid?: number;
  /** The kernel's name for it (comm, 15 bytes at most). */
  command: string;
  /** Its command line, when it was seen alive. */
  argv?: string[];
}

export type SenderRole = 'runtime' | 'kernel' | 'container' | 'host';

export interface SenderRef {
  /** Host PID of the sending process when it could still be read; else the sending thread's ID. */
  pid: number;
  /** The sending thread's ID, when it differs from pid. */
  tid?: number;
  /** PID inside the target's namespace, when the sender is in it. */
  nsPid?: number;
  command: string;
  role: SenderRole;
  /** "the runtime", "the kernel (PID 1 of the namespace exited)", ... */
  description: string;
}

export interface WatchStart {
  event: 'watch';
  time: string;
  /** The tracefs instance, e.g. /sys/kernel/tracing/instances/pid1-4242. */
  instance: string;
  scope: 'container' | 'pid' | 'all';
  container?: ContainerInfo;
  /** Host PID of the watched namespace's PID 1 (for --pid of a host process: that process, whose subtree is watched). */
  init?: number;
  /** Processes being watched at the start (not for --all). */
  processes?: number;
  /** The filters written to the kernel, per event. */
  filters: Record<string, string>;
  /** Fields of signal_generate on this kernel, from its `format` file. */
  fields: string[];
}

export interface SignalEvent {
  event: 'signal';
  time: string;
  /** Seconds on CLOCK_MONOTONIC (the trace clock). */
  monotonic: number;
  signal: string;
  number: number;
  result: SignalResult | 'unknown';
  /** For result=ignored: why, as far as pid1 can tell. */
  reason?: IgnoredReason;
  /** The result in words. */
  why: string;
  /** si_code as the kernel recorded it (SI_USER for kill(2), SI_KERNEL, SI_TKILL, ...). */
  code: string;
  /** Sent to the whole process (kill) rather than one thread (tgkill). */
  group: boolean;
  target: ProcessRef;
  sender: SenderRef;
  container: ContainerInfo | null;
  /**
   * Identical signals in a row (same sending thread, target, signal, si_code and result), folded into
   * this event: how many, and when the last came. Absent for a single signal.
   */
  count?: number;
  lastTime?: string;
  lastMonotonic?: number;
}

export interface ExitEvent {
  event: 'exit';
  time: string;
  monotonic: number;
  process: ProcessRef;
  /** A SIGKILL was delivered to it before it exited (SIGKILL cannot be caught: it is what ended it). */
  killedBy?: 'SIGKILL';
  container: ContainerInfo | null;
}

export interface LostStopEvent {
  event: 'lost-stop';
  time: string;
  container: ContainerInfo | null;
  /** The stop signal PID 1 ignored, and when. */
  signal: string;
  ignoredAt: string;
  /** Who sent it. */
  sender: SenderRef;
  /** The SIGKILL that followed, and how long after the ignored signal. */
  killedAt: string;
  waitedMs: number;
  target: ProcessRef;
  /** Processes that SIGKILL ended (PID 1 included). */
  processes: number;
  summary: string;
}

export interface LostEventsEvent {
  event: 'lost-events';
  time: string;
  cpu: number;
  /** Events the kernel dropped because the per-CPU buffer was full before pid1 read it. */
  count: number;
}

export interface EndEvent {
  event: 'end';
  time: string;
  /** "the container exited", "interrupted", ... */
  reason: string;
  signals: number;
  exits: number;
  lostStops: number;
  lostEvents: number;
}

export type WatchEvent = WatchStart | SignalEvent | ExitEvent | LostStopEvent | LostEventsEvent | EndEvent;

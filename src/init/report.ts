/**
 * The shutdown report of `pid1 init`: one JSON object per line, each with `"init": <event>` and `t`
 * (milliseconds since the supervisor's Node process started), written synchronously while the reader
 * keeps up, queued when it does not (LineWriter), and flushed before the supervisor exits. The human
 * summary is derived from the same events, so `pid1 test` (or anyone) can rebuild it from a saved
 * report with parseReport + summarize.
 */
import fs from 'node:fs';
import type { Named } from './procs.js';

export type { Named };

export interface StartEvent {
  init: 'start';
  t: number;
  /** Wall clock, ISO 8601. */
  time: string;
  /** The supervisor's PID (1 when it is the namespace init). */
  pid: number;
  namespaceInit: boolean;
  subreaper: boolean;
  /** The main child's PID, also its session and process group ID. */
  child: number;
  argv: string[];
  options: {
    singleChild: boolean;
    waitAll: boolean;
    drainMs: number;
    /** null: never (no --grace); 0: at once. */
    graceMs: number | null;
    stopSignals: string[];
    rewrite: Record<string, string>;
  };
}
export interface SpawnFailedEvent {
  init: 'spawn-failed';
  t: number;
  argv: string[];
  error: string;
  status: number;
}
/** A stop signal reached the supervisor (other signals show up as their forward line). */
export interface SignalEvent {
  init: 'signal';
  t: number;
  signal: string;
  stop: boolean;
}
/** The first stop signal: waiting `ms` before forwarding it. */
export interface DrainEvent {
  init: 'drain';
  t: number;
  signal: string;
  ms: number;
}
export interface ForwardEvent {
  init: 'forward';
  t: number;
  /** What the supervisor received. */
  received: string;
  /** What it sent (differs under --rewrite). */
  signal: string;
  /** group: kill(-pgid); child: the main child only; descendants: each remaining descendant by PID. */
  to: 'group' | 'child' | 'descendants';
  pgid?: number;
  /** Who it reached: the group's members (or the child) just after the kill; for signals that are not stop signals, as seen up to 100 ms before. */
  pids: Named[];
  /** For a stop signal in group mode: descendants outside the group, signalled one by one. */
  also?: Named[];
  /** false when there was nobody left to receive it. */
  delivered: boolean;
  /** The drain that preceded it, when it ended early because of a second stop signal or the main child's exit. */
  drainCut?: string;
}
export interface ExitEvent {
  init: 'exit';
  t: number;
  pid: number;
  name: string;
  /** The main child (the command pid1 started); every other process was adopted. */
  main: boolean;
  code?: number;
  signal?: string;
  core?: boolean;
  /** Shell-style status: code, or 128+N. */
  status: number;
}
/** The main child is gone; the supervisor waits for these before exiting. */
export interface WaitEvent {
  init: 'wait';
  t: number;
  reason: 'stop' | 'wait-all';
  for: Named[];
  /** Those that had not received the stop signal yet and were sent it now. */
  signalled: Named[];
  signal?: string;
  /** null: no --grace, wait for ever. */
  graceMs: number | null;
  /** The drain in progress when the main child exited, cut short. */
  drainCut?: string;
}
export interface EscalateEvent {
  init: 'escalate';
  t: number;
  signal: 'SIGKILL';
  /** The --grace it enforces (ms), and when the SIGKILL went out (ms after the stop signal; a busy machine fires late). */
  graceMs?: number;
  afterMs: number;
  pids: Named[];
}
/** Still alive when the supervisor exited, and what happens to them. */
export interface LeftEvent {
  init: 'left';
  t: number;
  pids: Named[];
  fate: 'killed by the kernel' | 're-parented';
}
export interface ErrorEvent {
  init: 'error';
  t: number;
  message: string;
}
export interface FinalEvent {
  init: 'final';
  t: number;
  status: number;
  summary: string;
  /** reaped: processes reaped; sigchld: SIGCHLD wake-ups (fewer than reaped when signals coalesced); heartbeat: reaped by the 1 s safety net. */
  stats?: { reaped: number; sigchld: number; heartbeat: number };
  /** Report lines dropped because stderr's reader did not keep up (absent when none were). */
  dropped?: number;
}

export type InitEvent = StartEvent | SpawnFailedEvent | SignalEvent | DrainEvent | ForwardEvent | ExitEvent | WaitEvent | EscalateEvent | LeftEvent | ErrorEvent | FinalEvent;

/** Distributes Omit over the union, so `{ init: 'exit', ... }` type-checks against its own member. */
type EventBody = InitEvent extends infer E ? (E extends InitEvent ? Omit<E, 't'> : never) : never;

const EVENT_NAMES = new Set(['start', 'spawn-failed', 'signal', 'drain', 'forward', 'exit', 'wait', 'escalate', 'left', 'error', 'final']);

/**
 * Milliseconds since the Node process started, 0.01 ms resolution. process.uptime() reads the same
 * monotonic clock as performance.now() (uv_hrtime since Node's start) without loading perf_hooks
 * (a dozen internal modules, measurable in the init's start-up).
 */
export function now(): number {
  return Math.round(process.uptime() * 100_000) / 100;
}

/** Bytes of lines kept while a reader is slow (or not there yet); past this, lines are dropped and counted. */
export const QUEUE_MAX_BYTES = 1 << 20;
/** The first retry after EAGAIN, and the longest wait between retries (doubling in between). */
const RETRY_FIRST_MS = 5;
const RETRY_MAX_MS = 100;

/**
 * Opens the sink again: an fd, or undefined while it cannot take lines yet (a FIFO without a reader).
 * Throws when it never will.
 */
type Reopen = () => number | undefined;

/**
 * Lines to one fd, synchronously when it takes them, never spinning when it does not. The fd is
 * non-blocking (a pipe on stderr opened again with our own O_NONBLOCK, see ownPipeDescription, or a
 * report FIFO): a slow reader means EAGAIN, and a retry loop would hold PID 1 at 100% CPU, forwarding
 * and reaping nothing; a blocking write would hold it just the same. Instead the rest waits in a
 * queue flushed from a timer; new lines go behind it (order is kept); past `maxBytes` they are dropped
 * and counted, except essential ones (the final event and summary). Lines under PIPE_BUF (4 KiB) are
 * written whole or not at all (pipe(7)), so the child's output never lands inside one of them.
 * With `reopen` (a --report FIFO), the fd may be missing: lines queue until a reader opens the FIFO,
 * and a reader that goes away (EPIPE) puts the writer back to waiting for the next one.
 */
export class LineWriter {
  /** Lines dropped because the queue was full. */
  dropped = 0;
  /** Writes tried again after EAGAIN, or opens tried again (from the timer, backing off): ten a second at most. */
  retries = 0;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_FIRST_MS;
  /** The reader is gone for good (EPIPE without reopen, EBADF...): the supervisor goes on regardless, writing nothing. */
  private broken = false;
  private readonly idle: (() => void)[] = [];

  constructor(
    private fd: number | undefined,
    private readonly maxBytes = QUEUE_MAX_BYTES,
    private readonly reopen?: Reopen,
  ) {
    if (fd === undefined && !reopen) throw new Error('LineWriter: no fd and no way to open one');
  }

  /** Bytes waiting for the reader. */
  get pending(): number {
    return this.queued;
  }

  write(text: string, essential = false): void {
    if (this.broken) return;
    const buf = Buffer.from(text);
    if (!this.queue.length && this.fd !== undefined) {
      const rest = this.tryWrite(buf);
      if (rest) this.enqueue(rest);
      return;
    }
    if (!essential && this.queued + buf.length > this.maxBytes) {
      this.dropped++;
      return;
    }
    this.enqueue(buf);
  }

  /** Resolves true once everything queued is written (or the reader is gone), false after `ms` without that. */
  flushed(ms: number): Promise<boolean> {
    if (!this.queue.length || this.broken) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timeout = setTimeout(() => resolve(false), ms);
      this.idle.push(() => {
        clearTimeout(timeout);
        resolve(true);
      });
    });
  }

  /** Write what the fd takes now; the rest (after EAGAIN, or a reader gone with reopen) is returned. */
  private tryWrite(buf: Buffer): Buffer | undefined {
    let off = 0;
    while (off < buf.length) {
      if (this.fd === undefined) return buf.subarray(off);
      try {
        off += fs.writeSync(this.fd, buf, off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return buf.subarray(off);
        if (code === 'EPIPE' && this.reopen) {
          // The FIFO's reader left (Node ignores SIGPIPE, so the write fails instead): wait for the next.
          fs.closeSync(this.fd);
          this.fd = undefined;
          return buf.subarray(off);
        }
        this.broken = true;
        return undefined;
      }
    }
    return undefined;
  }

  private enqueue(buf: Buffer): void {
    this.queue.push(buf);
    this.queued += buf.length;
    this.timer ??= setTimeout(() => this.flush(), this.retryMs);
  }

  private flush(): void {
    this.timer = undefined;
    this.retries++;
    if (this.fd === undefined && this.reopen) {
      try {
        this.fd = this.reopen();
      } catch {
        this.broken = true;
      }
    }
    for (let head = this.queue[0]; head && !this.broken; head = this.queue[0]) {
      const rest = this.tryWrite(head);
      this.queued -= head.length - (rest?.length ?? 0);
      if (rest) {
        // Still full (or still no reader): try again later, backing off (one syscall per try, never a loop).
        this.queue[0] = rest;
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
        this.timer = setTimeout(() => this.flush(), this.retryMs);
        return;
      }
      this.queue.shift();
    }
    this.queue.length = 0;
    this.queued = 0;
    this.retryMs = RETRY_FIRST_MS;
    for (const done of this.idle.splice(0)) done();
  }
}

/** One writer per fd: the report on stderr and the summary line share a queue, so their order holds. */
const writers = new Map<number, LineWriter>();
function writerFor(fd: number): LineWriter {
  let w = writers.get(fd);
  if (!w) writers.set(fd, (w = new LineWriter(ownPipeDescription(fd))));
  return w;
}

/**
 * `fd`, or, when it is a pipe, the same pipe opened again through /proc/self/fd: a new open file
 * description (proc(5)) whose O_NONBLOCK is ours alone. The child shares fd 2's description and may
 * change its flags: Node sets O_NONBLOCK on its stdio pipes and clears it again when it exits (its
 * ResetStdio, nodejs/node#24260), after which a write to a full pipe would block PID 1, forwarding and reaping nothing.
 * Only pipes: a file opened again would get its own offset. Without /proc (or permission), `fd` itself.
 */
function ownPipeDescription(fd: number): number {
  try {
    if (!fs.fstatSync(fd).isFIFO()) return fd;
    return fs.openSync(`/proc/self/fd/${fd}`, O_WRONLY | O_NONBLOCK);
  } catch {
    return fd;
  }
}

/** Event kinds that are written even past the queue's bound: the ones that say how it ended. */
const ESSENTIAL = new Set<string>(['final', 'spawn-failed']);

const { O_WRONLY, O_APPEND, O_CREAT, O_NONBLOCK } = fs.constants;

/**
 * Open the report file without ever blocking: open(2) of a FIFO for writing blocks until a reader
 * opens it, and with O_NONBLOCK fails with ENXIO instead (fifo(7)). undefined: a FIFO with no reader
 * yet. O_NONBLOCK also keeps later writes from blocking on a slow reader (EAGAIN: queued). A regular
 * file ignores it. Node opens with O_CLOEXEC: the child never inherits the fd.
 */
export function openReport(file: string): number | undefined {
  try {
    return fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK, 0o666);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
    throw err;
  }
}

/** Exits of other processes a summary keeps by name: the first few, and the first few failures. */
const KEEP_OTHER_EXITS = 3;
const KEEP_FAILED_EXITS = 5;

export class Reporter {
  /**
   * What the summary is made from. Bounded, so that a supervisor running for weeks holds no growing
   * list: plain forwards are not kept (only their report line is written), nor exits of other
   * processes past the first few and the first few failures (those are counted in `unlisted`).
   */
  readonly events: InitEvent[] = [];
  readonly unlisted = { exited0: 0, failed: 0 };
  private keptOthers = 0;
  private keptFailed = 0;
  private readonly out: LineWriter | undefined;
  /** --report none: neither the report nor the summary line. */
  private readonly quiet: boolean;

  /**
   * `dest`: a file path (appended; a FIFO is written once a reader opens it), 'stderr' or 'none'. A
   * file that cannot be opened falls back to stderr with a warning: an init that refuses to start over
   * its report would take the service down.
   */
  constructor(dest: string) {
    this.quiet = dest === 'none';
    if (dest === 'none') this.out = undefined;
    else if (dest === 'stderr' || dest === '-') this.out = writerFor(2);
    else {
      try {
        const fd = openReport(dest);
        this.out = fd === undefined ? new LineWriter(undefined, QUEUE_MAX_BYTES, () => openReport(dest)) : new LineWriter(fd);
      } catch (err) {
        this.warn(`pid1 init: cannot open the report file ${dest} (${(err as NodeJS.ErrnoException).code ?? String(err)}); reporting on stderr`);
        this.out = writerFor(2);
      }
    }
  }

  /**
   * Write an event stamped now, or at `at` (a time taken earlier, e.g. when a signal arrived).
   * `forSummary` false: written, not kept (a forward of a signal that is not a stop signal).
   */
  emit<E extends EventBody>(body: E, at = now(), forSummary = true): E & { t: number } {
    // `init` first, then `t`, then the rest: easy to read with grep.
    const event: E & { t: number } = Object.assign({ init: body.init, t: at }, body);
    if (forSummary) this.keep(event as InitEvent);
    this.out?.write(`${JSON.stringify(event)}\n`, ESSENTIAL.has(body.init));
    return event;
  }

  private keep(e: InitEvent): void {
    if (e.init === 'exit' && !e.main) {
      const failed = e.status !== 0;
      if (this.keptOthers >= KEEP_OTHER_EXITS && !(failed && this.keptFailed < KEEP_FAILED_EXITS)) {
        if (failed) this.unlisted.failed++;
        else this.unlisted.exited0++;
        return;
      }
      this.keptOthers++;
      if (failed) this.keptFailed++;
    }
    this.events.push(e);
  }

  /** The run so far, for summarize. */
  get run(): InitRun {
    return { events: this.events, unlisted: this.unlisted };
  }

  /** The human summary line on stderr (never dropped); nothing under --report none. */
  say(line: string): void {
    if (!this.quiet) this.warn(line);
  }

  /** A line that is said whatever --report is (the command could not start, the report cannot be written). */
  warn(line: string): void {
    writerFor(2).write(`${line}\n`, true);
  }

  /** Lines dropped so far because a slow reader left the queue full (report and summary). */
  get dropped(): number {
    const stderr = writers.get(2);
    return (this.out?.dropped ?? 0) + (stderr && stderr !== this.out ? stderr.dropped : 0);
  }

  /** Resolves once every queued line is written, or after `ms` (true: all written). */
  async flushed(ms: number): Promise<boolean> {
    const all = await Promise.all([...new Set([this.out, writers.get(2)])].map((w) => w?.flushed(ms) ?? true));
    return all.every(Boolean);
  }
}

/** One run of the supervisor in a report (a file may hold several: it is appended to). */
export interface InitRun {
  events: InitEvent[];
  /** Exits of other processes that `events` leaves out (the supervisor keeps only a few by name). */
  unlisted?: { exited0: number; failed: number };
  start?: StartEvent;
  final?: FinalEvent;
}

/**
 * Read a report: JSON lines with an `init` event; anything else (a service's own log lines when the
 * report went to stderr) is skipped. Runs are split at each `start`.
 */
export function parseReport(text: string): InitRun[] {
  const runs: InitRun[] = [];
  let cur: InitRun | undefined;
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s.startsWith('{') || !s.includes('"init"')) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(s);
    } catch {
      continue;
    }
    if (!obj || typeof obj !== 'object' || !EVENT_NAMES.has(String((obj as { init?: unknown }).init))) continue;
    const ev = obj as InitEvent;
    if (ev.init === 'start' || !cur) {
      cur = { events: [] };
      runs.push(cur);
    }
    cur.events.push(ev);
    if (ev.init === 'start') cur.start = ev;
    if (ev.init === 'final') cur.final = ev;
  }
  return runs;
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
const who = (p: Named): string => `${p.name}[${p.pid}]`;
function list(ps: Named[], max = 5): string {
  const shown = ps.slice(0, max).map(who).join(', ');
  return ps.length > max ? `${shown} and ${ps.length - max} more` : shown;
}

/** How one process ended, in words: "exited 0", "was killed by SIGKILL". */
function ended(e: ExitEvent): string {
  return e.signal ? `was killed by ${e.signal}${e.core ? ' (core dumped)' : ''}` : `exited ${e.code ?? e.status}`;
}

/**
 * The processes reaped besides the main child, in words: each one when they are few ("2 other
 * processes reaped: svc[13] exited 0, svc[14] was killed by SIGKILL"), else the count and those that
 * did not exit 0 ("40 other processes reaped: 39 exited 0, 1 did not: worker[20] exited 3").
 */
function othersLine(others: ExitEvent[], unlisted = { exited0: 0, failed: 0 }): string {
  const total = others.length + unlisted.exited0 + unlisted.failed;
  const head = `${total} other process${total === 1 ? '' : 'es'} reaped`;
  const each = (es: ExitEvent[], count: number, max = 5): string => {
    const shown = es
      .slice(0, max)
      .map((e) => `${who(e)} ${ended(e)}`)
      .join(', ');
    return count > Math.min(es.length, max) ? `${shown} and ${count - Math.min(es.length, max)} more` : shown;
  };
  if (total <= 3) return `${head}: ${each(others, total)}`;
  const failed = others.filter((e) => e.status !== 0);
  const failedTotal = failed.length + unlisted.failed;
  if (!failedTotal) return `${head}: all exited 0`;
  const ok = total - failedTotal;
  return `${head}: ${ok ? `${ok} exited 0, ` : ''}${failedTotal} did not: ${each(failed, failedTotal)}`;
}

/** Why a status: "exit 143 = 128+15 (SIGTERM)". */
function explainStatus(status: number, signal?: string): string {
  return signal ? `exit ${status} = 128+${status - 128} (${signal})` : `exit ${status}`;
}

/** The one-line human summary of a run. */
export function summarize(run: InitRun): string {
  const ev = run.events;
  const final = ev.find((e): e is FinalEvent => e.init === 'final');
  const failed = ev.find((e): e is SpawnFailedEvent => e.init === 'spawn-failed');
  if (failed) return `pid1 init: exit ${failed.status}: ${failed.error}`;
  const main = ev.find((e): e is ExitEvent => e.init === 'exit' && e.main);
  const parts: string[] = [];
  const status = final?.status ?? main?.status;
  const head = status === undefined ? 'pid1 init: still running' : `pid1 init: ${explainStatus(status, main?.signal)}`;
  if (main) {
    parts.push(`${who(main)} ${ended(main)}`);
  }
  const stopSignal = ev.find((e): e is SignalEvent => e.init === 'signal' && e.stop);
  const stopForward = stopSignal ? ev.find((e): e is ForwardEvent => e.init === 'forward' && e.received === stopSignal.signal && e.t >= stopSignal.t) : undefined;
  if (stopSignal) {
    const drain = ev.find((e): e is DrainEvent => e.init === 'drain');
    let s = `${stopSignal.signal} received at ${sec(stopSignal.t)}`;
    if (stopForward) {
      const as = stopForward.signal !== stopForward.received ? ` as ${stopForward.signal}` : '';
      const to = stopForward.to === 'group' ? `group ${stopForward.pgid ?? '?'}` : stopForward.to === 'child' ? 'the child' : 'the remaining processes';
      s += `, forwarded${as} to ${to}`;
      if (drain) s += ` after ${stopForward.drainCut ? `${sec(stopForward.t - drain.t)} of a ${sec(drain.ms)} drain (${stopForward.drainCut})` : `a ${sec(drain.ms)} drain`}`;
    }
    if (main) s += `; the main child ended ${sec(main.t - stopSignal.t)} later`;
    parts.push(s);
  }
  const others = ev.filter((e): e is ExitEvent => e.init === 'exit' && !e.main);
  if (others.length) parts.push(othersLine(others, run.unlisted));
  const waited = ev.find((e): e is WaitEvent => e.init === 'wait');
  if (waited) parts.push(`waited for ${list(waited.for)}`);
  for (const e of ev) {
    if (e.init === 'escalate') parts.push(`SIGKILLed after the ${sec(e.graceMs ?? e.afterMs)} grace${e.graceMs !== undefined ? ` (at ${sec(e.afterMs)})` : ''}: ${list(e.pids)}`);
    if (e.init === 'left') parts.push(`left ${e.pids.length} running (${e.fate}): ${list(e.pids)}`);
  }
  if (final?.dropped) parts.push(`${final.dropped} report line${final.dropped === 1 ? '' : 's'} dropped (stderr's reader did not keep up)`);
  return parts.length ? `${head}: ${parts.join('; ')}` : head;
}

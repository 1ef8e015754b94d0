/**
 * The text of a tracefs `trace_pipe`, line by line, into records.
 *
 * Each event is printed as `<task>-<tid> [<cpu>] <flags> <seconds>: <event>: <fields>` (the kernel's
 * trace_print_context: the task's comm right-aligned in 16 columns, then its thread ID), the fields
 * by the event's `print fmt` (see the `format` file of each event):
 *   signal_generate:    "sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d"
 *   sched_process_exit: "comm=%s pid=%d prio=%d group_dead=%s"            (group_dead: 6.16+)
 *   sched_process_fork: "comm=%s pid=%d child_comm=%s child_pid=%d"
 * A full per-CPU buffer shows up as `CPU:<n> [LOST <count> EVENTS]`.
 *
 * A comm is any bytes but NUL, up to 15 (TASK_COMM_LEN 16): it may hold spaces, `=`, or a newline,
 * which splits a record over lines. Three facts make the parse unambiguous: the task column is 16
 * characters wide, the fields after a comm are fixed and are matched up to the end of the record, and
 * no comm is long enough (15 bytes) to spell out the fields that close a record (` pid=N grp=N res=N`
 * is 18). Lines that do not form a
 * record are kept (a bounded number) and joined with the next ones until they do.
 */
import { kernelBytesToText } from '../../util/sanitize.js';

interface Header {
  /** Comm of the task that was running when the event fired (the sender, for signal_generate). */
  task: string;
  /** Its thread ID. */
  tid: number;
  cpu: number;
  /** Seconds on the instance's trace clock. */
  seconds: number;
}

export interface SignalRecord extends Header {
  kind: 'signal';
  sig: number;
  errno: number;
  /** si_code: 0 SI_USER (kill), 128 SI_KERNEL, -6 SI_TKILL (tgkill), -1 SI_QUEUE, ... */
  code: number;
  /** Target comm and thread ID (the thread-group leader for a signal sent to a process). */
  comm: string;
  pid: number;
  /** The signal went to the whole thread group (kill), not one thread (tgkill). */
  group: boolean;
  /** The kernel's result: 0 delivered, 1 ignored, 2 already pending, 3 queue overflow, 4 info lost. */
  result: number;
}

export interface ExitRecord extends Header {
  kind: 'exit';
  comm: string;
  /** Thread ID of the exiting task. */
  pid: number;
  /** The last thread of its process: the process has exited. Undefined on kernels without the field. */
  groupDead: boolean | undefined;
}

export interface ForkRecord extends Header {
  kind: 'fork';
  parentComm: string;
  parentPid: number;
  childComm: string;
  childPid: number;
}

export interface LostRecord {
  kind: 'lost';
  cpu: number;
  count: number;
}

export type TraceRecord = SignalRecord | ExitRecord | ForkRecord | LostRecord;

// `s` (dotAll): a comm may contain a newline once split lines are joined. The task column is exactly
// 16 characters ("%16s": a comm is at most 15) and a comm field at most 15, so that a stray line can
// never be taken for part of a name; what follows each comm must match up to the end of the record.
const HEADER = /^(.{16})-(\d+)\s+(?:\(\s*(?:\d+|-+)\)\s+)?\[(\d+)\]\s+(?:[^\s:]{1,8}\s+)?(\d+(?:\.\d+)?):\s+(\w+):\s(.*)$/s;
const SIGNAL = /^sig=(\d+) errno=(-?\d+) code=(-?\d+) comm=(.{0,15}) pid=(-?\d+) grp=(\d+) res=(\d+)$/s;
const EXIT = /^comm=(.{0,15}) pid=(\d+) prio=(-?\d+)(?: group_dead=(true|false))?$/s;
const FORK = /^comm=(.{0,15}) pid=(\d+) child_comm=(.{0,15}) child_pid=(\d+)$/s;
const LOST = /^CPU:(\d+) \[LOST (\d+) EVENTS\]$/;

/** Parse one complete record (possibly joined from several lines); undefined when it is not one we know. */
export function parseRecord(text: string): TraceRecord | undefined {
  const lost = LOST.exec(text);
  if (lost) return { kind: 'lost', cpu: Number(lost[1]), count: Number(lost[2]) };
  const h = HEADER.exec(text);
  if (!h) return undefined;
  // Plain object literals, no spread: spreading a shared header costs ~6 us per record in V8, and a
  // storm is hundreds of thousands of records a second.
  const task = kernelBytesToText((h[1] ?? '').replace(/^ +/, ''));
  const tid = Number(h[2]);
  const cpu = Number(h[3]);
  const seconds = Number(h[4]);
  const event = h[5];
  const body = h[6] ?? '';
  if (event === 'signal_generate') {
    const m = SIGNAL.exec(body);
    if (!m) return undefined;
    return {
      task,
      tid,
      cpu,
      seconds,
      kind: 'signal',
      sig: Number(m[1]),
      errno: Number(m[2]),
      code: Number(m[3]),
      comm: kernelBytesToText(m[4] ?? ''),
      pid: Number(m[5]),
      group: m[6] !== '0',
      result: Number(m[7]),
    };
  }
  if (event === 'sched_process_exit') {
    const m = EXIT.exec(body);
    if (!m) return undefined;
    return { task, tid, cpu, seconds, kind: 'exit', comm: kernelBytesToText(m[1] ?? ''), pid: Number(m[2]), groupDead: m[4] === undefined ? undefined : m[4] === 'true' };
  }
  if (event === 'sched_process_fork') {
    const m = FORK.exec(body);
    if (!m) return undefined;
    return { task, tid, cpu, seconds, kind: 'fork', parentComm: kernelBytesToText(m[1] ?? ''), parentPid: Number(m[2]), childComm: kernelBytesToText(m[3] ?? ''), childPid: Number(m[4]) };
  }
  return undefined;
}

/** Lines kept while waiting for the rest of a split record: a comm has at most 15 newlines. */
const MAX_CARRY_LINES = 16;
const MAX_CARRY_CHARS = 2048;

/**
 * Turns chunks of trace_pipe text (decoded as latin1, so that every byte survives) into records.
 * `unparsed` counts lines that never became part of a record.
 */
export class TraceParser {
  private partial = '';
  private carry: string[] = [];
  /** The last one-line signal record, split around its timestamp: a storm repeats it but for the time. */
  private last: { head: string; tail: string; length: number; r: SignalRecord } | undefined;
  unparsed = 0;

  push(chunk: string): TraceRecord[] {
    const out: TraceRecord[] = [];
    const text = this.partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl), out);
      start = nl + 1;
    }
    this.partial = text.slice(start);
    return out;
  }

  /** The same signal record as the last but for its timestamp (a storm), without the regexes. */
  private repeat(line: string): SignalRecord | undefined {
    const l = this.last;
    if (!l || line.length !== l.length || !line.startsWith(l.head) || !line.endsWith(l.tail)) return undefined;
    const seconds = Number(line.slice(l.head.length, line.length - l.tail.length));
    if (!Number.isFinite(seconds)) return undefined;
    const r = l.r;
    return { task: r.task, tid: r.tid, cpu: r.cpu, seconds, kind: 'signal', sig: r.sig, errno: r.errno, code: r.code, comm: r.comm, pid: r.pid, group: r.group, result: r.result };
  }

  private remember(line: string, r: TraceRecord): void {
    this.last = undefined;
    if (r.kind !== 'signal') return;
    const end = line.indexOf(': signal_generate: ');
    const start = line.lastIndexOf(' ', end) + 1;
    if (end > 0 && start > 16) this.last = { head: line.slice(0, start), tail: line.slice(end), length: line.length, r };
  }

  private line(line: string, out: TraceRecord[]): void {
    if (!this.carry.length) {
      if (line === '' || line.startsWith('#')) return;
      const again = this.repeat(line);
      if (again) {
        out.push(again);
        return;
      }
    }
    // Longest join first: a comm split by a newline belongs with the lines before it.
    for (let k = this.carry.length; k >= 0; k--) {
      const joined = k ? `${this.carry.slice(this.carry.length - k).join('\n')}\n${line}` : line;
      const r = parseRecord(joined);
      if (r) {
        this.unparsed += this.carry.length - k;
        if (this.carry.length) this.carry = [];
        if (k === 0) this.remember(line, r);
        else this.last = undefined;
        out.push(r);
        return;
      }
    }
    this.carry.push(line);
    while (this.carry.length > MAX_CARRY_LINES || this.carry.join('\n').length > MAX_CARRY_CHARS) {
      this.carry.shift();
      this.unparsed++;
    }
  }
}

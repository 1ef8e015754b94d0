/**
 * A private tracefs instance (Documentation/trace/ftrace.rst, "Instances"): `mkdir
 * instances/pid1-<pid>` gives a ring buffer, event switches, filters and a trace_pipe of our own, so
 * that several watchers, and a user's own tracing at the top level, never see or change each other's
 * settings. pid1 touches nothing outside its instance. `rmdir` removes it; the kernel refuses (EBUSY)
 * while any of its files is open, which is also what protects a live watcher's instance from
 * `pid1 watch --cleanup`.
 *
 * Not used on purpose: options/record-tgid. Setting it in an instance walks every enabled event of
 * every instance (trace_event_enable_tgid_record), so turning it off would also stop another
 * watcher's (or the user's) TGID recording. Thread IDs are mapped to processes from /proc instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError, errnoOf, messageOf } from '../../util/errors.js';

/** The events a watcher uses, as `system/event` under events/. */
export type TraceEvent = 'signal/signal_generate' | 'sched/sched_process_exit' | 'sched/sched_process_fork';

/** Instance names: `pid1-<owner pid>`, or `pid1-<owner pid>-<n>` when that name was taken. */
const INSTANCE_PREFIX = 'pid1-';
const INSTANCE_NAME = /^pid1-(\d+)(?:-\d+)?$/;

/** statfs(2) f_type of tracefs (include/uapi/linux/magic.h TRACEFS_MAGIC, "trac"). */
const TRACEFS_MAGIC = 0x74726163;

/** Where tracefs is: $PID1_TRACEFS, else its own mount point (4.1+), else the old place under debugfs. */
function tracefsCandidates(): string[] {
  const forced = process.env.PID1_TRACEFS;
  if (forced) return [forced];
  return ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
}

/**
 * The tracefs root to use, or a one-line UserError saying why there is none: not root (tracefs is
 * mode 0700, root only), or not mounted, or a kernel without the signal tracepoint.
 */
export function findTracefs(): string {
  const candidates = tracefsCandidates();
  let denied: string | undefined;
  for (const root of candidates) {
    try {
      fs.accessSync(path.join(root, 'instances'), fs.constants.W_OK);
      if (fs.statfsSync(root).type !== TRACEFS_MAGIC) continue; // a directory, not the kernel's tracefs
      if (!fs.existsSync(path.join(root, 'events/signal/signal_generate/format'))) {
        throw new UserError(`tracefs at ${root} has no signal/signal_generate event (a kernel built without CONFIG_TRACING's signal tracepoints?)`);
      }
      return root;
    } catch (err) {
      if (err instanceof UserError) throw err;
      const code = errnoOf(err);
      if (code === 'EACCES' || code === 'EPERM') denied ??= root;
    }
  }
  const euid = process.geteuid?.() ?? 0;
  if (denied || euid !== 0) {
    throw new UserError(`watch needs root: the kernel's tracing files (${denied ?? candidates[0]}) are readable by root only (run it with sudo, or in a privileged pod)`);
  }
  const where = candidates.join(' or ');
  throw new UserError(`no tracefs at ${where}: mount it as root (mount -t tracefs nodev /sys/kernel/tracing), or point PID1_TRACEFS at it`);
}

function sysError(what: string, file: string, err: unknown): UserError {
  return new UserError(`${what} (${file}): ${errnoOf(err) ?? messageOf(err)}`);
}

/**
 * The kernel's own words for the last rejected filter: the instance's error_log (5.5+) ends with
 * "[time] event filter parse error: error: <reason>" and the command; the event's filter file too
 * says `parse_error: <reason>`.
 */
function lastFilterError(dir: string): string | undefined {
  try {
    const lines = fs
      .readFileSync(path.join(dir, 'error_log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('error: '));
    const last = lines.at(-1);
    return last === undefined ? undefined : last.slice(last.lastIndexOf('error: ') + 'error: '.length).trim();
  } catch {
    return undefined;
  }
}

export class TraceInstance {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(256 * 1024);
  private removed = false;

  private constructor(
    readonly root: string,
    readonly name: string,
    readonly dir: string,
  ) {}

  /**
   * Make the instance and open its trace_pipe at once (so that it is never ownerless while we live).
   * The name carries our PID; a leftover of a watcher that is gone is removed first.
   */
  static create(root = findTracefs(), owner = process.pid): TraceInstance {
    const instances = path.join(root, 'instances');
    for (let n = 0; n < 100; n++) {
      const name = `${INSTANCE_PREFIX}${owner}${n ? `-${n}` : ''}`;
      const dir = path.join(instances, name);
      try {
        fs.mkdirSync(dir);
      } catch (err) {
        const code = errnoOf(err);
        if (code === 'EEXIST') {
          if (n === 0 && removeIfOrphaned(root, name) === 'removed') n--; // our PID's stale instance: take its name
          continue;
        }
        if (code === 'EACCES' || code === 'EPERM') throw new UserError(`watch needs root: cannot create a tracefs instance in ${instances} (${code})`);
        throw sysError('cannot create a tracefs instance', dir, err);
      }
      const inst = new TraceInstance(root, name, dir);
      try {
        inst.fd = fs.openSync(path.join(dir, 'trace_pipe'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      } catch (err) {
        inst.remove();
        throw sysError("cannot open the instance's trace_pipe", path.join(dir, 'trace_pipe'), err);
      }
      return inst;
    }
    throw new UserError(`cannot create a tracefs instance in ${instances}: 100 names for PID ${owner} are taken`);
  }

  private write(rel: string, value: string): void {
    const file = path.join(this.dir, rel);
    try {
      fs.writeFileSync(file, value);
    } catch (err) {
      throw sysError(`cannot write "${value.length > 60 ? `${value.slice(0, 60)}...` : value}"`, file, err);
    }
  }

  /**
   * Set up the buffer before any event is on: the monotonic clock (CLOCK_MONOTONIC, the clock of
   * pid1's timelines), a per-CPU buffer of `bufferKb`, and no "##### CPU n buffer started" lines.
   */
  configure(bufferKb: number): void {
    this.write('trace_clock', 'mono');
    this.write('buffer_size_kb', String(bufferKb));
    try {
      this.write('options/annotate', '0');
    } catch {
      /* older kernels: the parser skips '#' lines anyway */
    }
  }

  /** Whether the kernel has `event` (and so whether it can be enabled). */
  has(event: TraceEvent): boolean {
    return fs.existsSync(path.join(this.dir, 'events', event, 'enable'));
  }

  /** Field names of an event, from its `format` file. */
  fields(event: TraceEvent): string[] {
    const text = fs.readFileSync(path.join(this.dir, 'events', event, 'format'), 'utf8');
    return [...text.matchAll(/field:[^;]*?\s\**(\w+)(?:\[\d*\])?;/g)].map((m) => m[1] as string).filter((f) => !f.startsWith('common_'));
  }

  /**
   * Replace an event's filter (the kernel compiles it and swaps it in atomically; events keep
   * flowing). '' clears it. A filter the kernel rejects is an error with the kernel's reason.
   */
  setFilter(event: TraceEvent, filter: string): void {
    const file = path.join(this.dir, 'events', event, 'filter');
    try {
      fs.writeFileSync(file, filter || '0');
    } catch (err) {
      const why = lastFilterError(this.dir);
      throw new UserError(`the kernel refused the filter for ${event} (${errnoOf(err) ?? messageOf(err)})${why ? `: ${why}` : ''}`);
    }
  }

  enable(event: TraceEvent, on = true): void {
    this.write(`events/${event}/enable`, on ? '1' : '0');
  }

  /**
   * What trace_pipe has now, as latin1 text (every byte kept), without waiting; '' when nothing is
   * there. Reading consumes. `maxBytes` bounds one call so that a storm cannot stall the event loop.
   */
  read(maxBytes = 4 * 1024 * 1024): string {
    if (this.fd === undefined) return '';
    const parts: string[] = [];
    let total = 0;
    while (total < maxBytes) {
      let n: number;
      try {
        n = fs.readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (err) {
        if (errnoOf(err) === 'EAGAIN') break; // O_NONBLOCK: nothing more for now
        throw sysError("cannot read the instance's trace_pipe", path.join(this.dir, 'trace_pipe'), err);
      }
      if (n <= 0) break;
      parts.push(this.buf.toString('latin1', 0, n));
      total += n;
    }
    return parts.join('');
  }

  /**
   * Close the pipe and remove the instance (the kernel disables its events and frees its buffer).
   * Synchronous, so that it can run in an exit handler. Safe to call more than once.
   */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
    }
    try {
      fs.rmdirSync(this.dir);
    } catch (err) {
      // ENODEV: the kernel no longer has the instance (kernel/trace/trace.c instance_rmdir: another remover won the race)
      if (errnoOf(err) !== 'ENOENT' && errnoOf(err) !== 'ENODEV') throw sysError('cannot remove the tracefs instance', this.dir, err);
    }
  }
}

/** The owner PID in an instance's name; undefined for names that are not pid1's. */
export function ownerOf(name: string): number | undefined {
  const m = INSTANCE_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Whether process `pid` has a file of instance `dir` open (a live watcher holds its trace_pipe). */
function holdsInstance(pid: number, dir: string): boolean {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone (or not ours to see: then rmdir's EBUSY still protects it)
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`${dir}/`)) return true;
    } catch {
      /* closed meanwhile */
    }
  }
  return false;
}

export type CleanupOutcome = 'removed' | 'in use' | 'gone';

/**
 * Remove instance `name` unless its owner is alive and holds it. The kernel's EBUSY (a file of it is
 * open) also counts as in use: a watcher in another PID namespace may have the same PID number.
 */
function removeIfOrphaned(root: string, name: string): CleanupOutcome {
  const dir = path.join(root, 'instances', name);
  const owner = ownerOf(name);
  if (owner !== undefined && holdsInstance(owner, dir)) return 'in use';
  try {
    fs.rmdirSync(dir);
    return 'removed';
  } catch (err) {
    const code = errnoOf(err);
    // ENODEV: removed meanwhile (kernel/trace/trace.c instance_rmdir finds no such trace array)
    if (code === 'ENOENT' || code === 'ENODEV') return 'gone';
    if (code === 'EBUSY') return 'in use';
    throw sysError('cannot remove the tracefs instance', dir, err);
  }
}

export interface CleanupReport {
  root: string;
  instances: { name: string; owner: number | undefined; outcome: CleanupOutcome }[];
}

/** `pid1 watch --cleanup`: remove every pid1 instance whose watcher is gone (killed with SIGKILL, a crash). */
export function cleanupInstances(root = findTracefs()): CleanupReport {
  const dir = path.join(root, 'instances');
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      .filter((n) => ownerOf(n) !== undefined)
      .sort();
  } catch (err) {
    throw sysError('cannot list tracefs instances', dir, err);
  }
  return { root, instances: names.map((name) => ({ name, owner: ownerOf(name), outcome: removeIfOrphaned(root, name) })) };
}

/**
 * `pid1 watch`: the kernel's own account of the signals generated for a container's processes
 * (tracepoint signal/signal_generate: sender, target and result) and of their exits
 * (sched/sched_process_exit), read from a tracefs instance of our own, turned into events, and
 * told as a story: SIGTERM to PID 1 ignored, SIGKILL some seconds later, every process gone: a lost stop.
 *
 * What is filtered where: the kernel drops routine signals (or keeps only the ones asked for) and,
 * for a container or a PID, every target that is not one of its processes; the set of PIDs follows
 * forks (sched_process_fork, filtered on the parent the same way) and a rescan of /proc every 2 s
 * (`docker exec` enters from outside). A set too large for one filter write falls back to signal
 * numbers only, and Node keeps what belongs to the scope.
 */
import fs from 'node:fs';
import { defaultAction, signalName } from '../../model/signals.js';
import { readStat } from '../../proc/stat.js';
import { messageOf } from '../../util/errors.js';
import { safeName } from '../../util/sanitize.js';
import { mono } from '../clock.js';
import type { EndEvent, ExitEvent, LostStopEvent, ProcessRef, SenderRef, SignalEvent, WatchEvent } from './events.js';
import { ROUTINE_SIGNALS, and, fits, pidFilter, signalFilter } from './filter.js';
import { TraceParser, type ExitRecord, type ForkRecord, type SignalRecord, type TraceRecord } from './parse.js';
import { ProcessCache, type ProcessFacts } from './processes.js';
import { explainResult, siCodeName } from './result.js';
import type { Scope, Unit } from './scope.js';
import { describeSender } from './sender.js';
import { TraceInstance, type TraceEvent } from './tracefs.js';

interface WatchOptions {
  scope: Scope;
  /** Signal numbers to watch ([]: every signal); undefined: every signal but the routine ones (SIGCHLD, SIGURG, timers). */
  signals?: number[];
  /** tracefs root (default: found, or $PID1_TRACEFS). */
  tracefs?: string;
  /** How often trace_pipe is read, ms. */
  pollMs?: number;
  /** Per-CPU ring buffer of the instance, KiB. */
  bufferKb?: number;
  onEvent(e: WatchEvent): void;
  /** Something the user should know that is not an event (a fallback, a failing engine stream). */
  onWarning?(message: string): void;
}

const SIGNAL_EVENT: TraceEvent = 'signal/signal_generate';
const EXIT_EVENT: TraceEvent = 'sched/sched_process_exit';
const FORK_EVENT: TraceEvent = 'sched/sched_process_fork';
const SIGKILL = 9;
const SIGSTOP = 19;
const POLL_MS = 100;
/**
 * A read of a page or more means the buffer is filling: read again at once. (trace_pipe hands out at
 * most a page per read(2), and says EAGAIN whenever the reader has caught up with the page being
 * written, so a storm shows up as reads of a few pages, not as one large one.)
 */
const BUSY_BYTES = 4096;
const RESCAN_MS = 2000;
const REFRESH_MS = 10_000;
/** After PID 1 exits, how long the other processes' exits are waited for before the story is told. */
const SETTLE_MS = 1000;

interface Member {
  tgid: number;
  unit: Unit;
}

/** The stop of one unit as it unfolds. */
interface Story {
  ignored?: { signal: string; at: number; sender: SenderRef; target: ProcessRef };
  killAt?: number;
  initExitAt?: number;
  /** Trace seconds of the last exit seen: when the story ended. */
  lastExitAt?: number;
  /** Processing time (mono ms) by which the story is told even if some exits were not seen. */
  settleBy?: number;
  exitsAfterKill: number;
}

function processRef(pid: number, comm: string, f: ProcessFacts | undefined): ProcessRef {
  const nsPid = f?.nsPids.at(-1);
  return {
    pid,
    ...(nsPid !== undefined && f && f.nsPids.length > 1 ? { nsPid } : {}),
    command: safeName(comm || f?.comm || '?'),
    ...(f?.argv.length ? { argv: f.argv.map(safeName) } : {}),
  };
}

function tasksOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .filter((t) => Number.isInteger(t));
  } catch {
    return [pid];
  }
}

export class Watcher {
  readonly instance: TraceInstance;
  readonly done: Promise<EndEvent>;
  private resolveDone!: (e: EndEvent) => void;
  private readonly parser = new TraceParser();
  private readonly cache = new ProcessCache(mono);
  private readonly members = new Map<number, Member>();
  private readonly stories = new Map<Unit, Story>();
  /**
   * Processes whose exit was seen (trace seconds, and their unit: signals can still come for them), and
   * those a SIGKILL reached: both are "exiting" for any later signal.
   */
  private readonly exited = new Map<number, { at: number; unit: Unit }>();
  private readonly killedAt = new Map<number, number>();
  private readonly wallMinusMono = Date.now() - mono();
  private readonly signalFilterBase: string;
  private readonly hasExit: boolean;
  private readonly hasFork: boolean;
  private readonly groupDeadField: boolean;
  private pidFiltering: boolean;
  private filtersDirty = false;
  private readonly written = new Map<TraceEvent, string>();
  private readonly enabled = new Set<TraceEvent>();
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private counts = { signals: 0, exits: 0, lostStops: 0, lostEvents: 0 };

  private constructor(
    private readonly o: WatchOptions,
    instance: TraceInstance,
  ) {
    this.instance = instance;
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
    // [] is every signal; a chosen set always has SIGKILL, which ends every story.
    this.signalFilterBase = o.signals === undefined ? signalFilter(undefined) : o.signals.length ? signalFilter([...o.signals, SIGKILL]) : '';
    this.hasExit = instance.has(EXIT_EVENT);
    this.hasFork = instance.has(FORK_EVENT);
    this.groupDeadField = this.hasExit && instance.fields(EXIT_EVENT).includes('group_dead');
    this.pidFiltering = o.scope.kind !== 'all';
  }

  /** Create the instance, find the processes, set the filters, switch the events on. */
  static start(o: WatchOptions): Watcher {
    const instance = TraceInstance.create(o.tracefs);
    let w: Watcher;
    try {
      instance.configure(o.bufferKb ?? 1024);
      w = new Watcher(o, instance);
      w.rescan();
      w.writeFilters();
      w.enable(SIGNAL_EVENT);
      if (w.hasExit) w.enable(EXIT_EVENT);
      else o.onWarning?.('this kernel has no sched/sched_process_exit event: exits are not shown');
      if (w.hasFork && w.pidFiltering) w.enable(FORK_EVENT);
      // Processes started between the first scan and the events going on.
      w.rescan();
      w.writeFilters();
    } catch (err) {
      instance.remove();
      throw err;
    }
    o.onEvent({
      event: 'watch',
      time: w.wall(mono()),
      instance: instance.dir,
      scope: o.scope.kind,
      ...(o.scope.kind !== 'all' && o.scope.units()[0]?.container ? { container: o.scope.units()[0]?.container ?? undefined } : {}),
      ...(o.scope.kind !== 'all' ? { init: o.scope.units()[0]?.initPid } : {}),
      ...(o.scope.kind !== 'all' ? { processes: new Set([...w.members.values()].map((m) => m.tgid)).size } : {}),
      filters: Object.fromEntries([...w.written].filter(([e]) => w.enabled.has(e))),
      fields: instance.fields(SIGNAL_EVENT),
    });
    o.scope.onChange = () =>
      w.guard(() => {
        w.rescan();
        w.writeFilters();
      });
    w.schedule(o.pollMs ?? POLL_MS);
    w.timers.push(
      setInterval(
        () =>
          w.guard(() => {
            w.rescan();
            w.writeFilters();
            w.checkInits();
          }),
        RESCAN_MS,
      ),
    );
    if (o.scope.kind === 'all') w.timers.push(setInterval(() => void o.scope.refresh().catch((err: unknown) => o.onWarning?.(messageOf(err))), o.scope.refreshMs ?? REFRESH_MS));
    return w;
  }

  private wall(monoMs: number): string {
    return new Date(monoMs + this.wallMinusMono).toISOString();
  }

  private enable(e: TraceEvent, on = true): void {
    this.instance.enable(e, on);
    if (on) this.enabled.add(e);
    else this.enabled.delete(e);
  }

  private guard(fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (err) {
      this.stop(`failed: ${messageOf(err)}`);
    }
  }

  // --- membership ------------------------------------------------------------------------------

  /** A process (thread-group leader) and its threads join `unit`; a PID seen alive again is a new process. */
  private addProcess(pid: number, unit: Unit): void {
    const f = this.cache.get(pid);
    if (f && f.tgid !== pid) return; // a thread: added with its process
    if (!this.members.has(pid)) {
      this.exited.delete(pid);
      this.killedAt.delete(pid);
    }
    for (const t of tasksOf(pid)) {
      const m = this.members.get(t);
      if (m?.tgid === pid && m.unit === unit) continue;
      this.members.set(t, { tgid: pid, unit });
      this.filtersDirty = true;
    }
    if (!this.stories.has(unit)) this.stories.set(unit, { exitsAfterKill: 0 });
  }

  private removeProcess(tgid: number): void {
    for (const [t, m] of this.members) {
      if (m.tgid === tgid) {
        this.members.delete(t);
        this.filtersDirty = true;
      }
    }
  }

  private rescan(): void {
    for (const [pid, unit] of this.o.scope.scan()) {
      if (this.members.get(pid)?.unit === unit) continue;
      this.addProcess(pid, unit);
    }
    for (const u of this.o.scope.units()) if (!this.stories.has(u)) this.stories.set(u, { exitsAfterKill: 0 });
    // Forget exits and kills of a minute ago: late events for them have long been read.
    const old = mono() / 1000 - 60;
    for (const [p, e] of this.exited) if (e.at < old) this.exited.delete(p);
    for (const [p, at] of this.killedAt) if (at < old) this.killedAt.delete(p);
  }

  /** A unit's init that vanished without its exit event (events lost): its story ends now. */
  private checkInits(): void {
    for (const [unit, story] of this.stories) {
      if (story.initExitAt !== undefined) continue;
      const st = readStat(unit.initPid);
      if (!st || st.state === 'Z' || st.state === 'X') {
        story.initExitAt = mono() / 1000;
        story.settleBy = mono() + SETTLE_MS;
      }
    }
  }

  // --- kernel filters --------------------------------------------------------------------------

  private setFilter(e: TraceEvent, filter: string): void {
    if (this.written.get(e) === filter) return;
    this.instance.setFilter(e, filter);
    this.written.set(e, filter);
  }

  private writeFilters(): void {
    this.filtersDirty = false;
    const exitBase = this.groupDeadField ? 'group_dead == 1' : '';
    if (this.pidFiltering) {
      const tids = [...this.members.keys()];
      if (!tids.length && this.written.has(SIGNAL_EVENT)) return; // all gone: the watch is ending, keep the filters
      const tgids = [...new Set([...this.members.values()].map((m) => m.tgid))];
      const all = { signal: and(this.signalFilterBase, pidFilter('pid', tids)), fork: pidFilter('parent_pid', tids), exit: and(exitBase, pidFilter('pid', tids)) };
      const leaders = { signal: and(this.signalFilterBase, pidFilter('pid', tgids)), fork: pidFilter('parent_pid', tgids), exit: exitBase };
      const chosen = [all, leaders].find((f) => fits(f.signal) && fits(f.fork) && fits(f.exit));
      if (chosen && tids.length) {
        this.setFilter(SIGNAL_EVENT, chosen.signal);
        if (this.hasFork) this.setFilter(FORK_EVENT, chosen.fork);
        if (this.hasExit) this.setFilter(EXIT_EVENT, chosen.exit);
        return;
      }
      if (tids.length) {
        this.pidFiltering = false;
        this.o.onWarning?.(`${tgids.length} processes are too many for one kernel filter: the kernel now filters by signal number only, and pid1 keeps the watched processes`);
        if (this.enabled.has(FORK_EVENT)) this.enable(FORK_EVENT, false);
      }
    }
    this.setFilter(SIGNAL_EVENT, this.signalFilterBase);
    if (this.hasExit) this.setFilter(EXIT_EVENT, exitBase);
  }

  // --- reading -----------------------------------------------------------------------------------

  /**
   * Read again after `ms`: 100 ms when idle; at once (2 ms) when the buffer is busy, since at 100 ms a
   * storm of 200k signals/s would fill the 1 MiB per CPU (about 18,000 events) before the next read.
   */
  private schedule(ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      const bytes = this.tick();
      this.schedule(bytes >= BUSY_BYTES ? 2 : bytes > 0 ? 10 : (this.o.pollMs ?? POLL_MS));
    }, ms);
    this.timers.push(t);
  }

  /** Read and handle what the kernel has; returns the bytes read. */
  private tick(): number {
    let bytes = 0;
    this.guard(() => {
      // One bounded read per tick (4 MiB at most), so that a storm cannot hold the event loop.
      const text = this.instance.read();
      bytes = text.length;
      for (const r of this.parser.push(text)) this.handle(r);
      this.flushRun();
      if (this.stopped) return;
      if (this.filtersDirty) this.writeFilters();
      this.settle();
    });
    return bytes;
  }

  /**
   * Identical signals in a row (same sending thread, target, signal, si_code, scope and result: a
   * storm, or a loop resending) are one event with a count; anything else in between ends the run.
   */
  private run: { key: string; e: SignalEvent | undefined } | undefined;

  private flushRun(): void {
    const e = this.run?.e;
    this.run = undefined;
    if (!e) return;
    if (e.count !== undefined && e.lastMonotonic !== undefined) e.lastTime = this.wall(e.lastMonotonic * 1000);
    this.o.onEvent(e);
  }

  private handle(r: TraceRecord): void {
    if (r.kind === 'signal') {
      const key = `${r.tid} ${r.pid} ${r.sig} ${r.code} ${r.result} ${r.group ? 1 : 0}`;
      if (this.run?.key === key) {
        const e = this.run.e;
        if (e) {
          this.counts.signals++;
          e.count = (e.count ?? 1) + 1;
          e.lastMonotonic = r.seconds;
        }
        return;
      }
      this.flushRun();
      this.run = { key, e: this.onSignal(r) };
      return;
    }
    this.flushRun();
    switch (r.kind) {
      case 'lost':
        this.counts.lostEvents += r.count;
        this.o.onEvent({ event: 'lost-events', time: this.wall(mono()), cpu: r.cpu, count: r.count });
        return;
      case 'fork':
        this.onFork(r);
        return;
      case 'exit':
        this.onExit(r);
        return;
    }
  }

  private onFork(r: ForkRecord): void {
    const parent = this.members.get(r.parentPid);
    if (!parent) return;
    this.cache.forget(r.childPid);
    this.exited.delete(r.childPid);
    this.killedAt.delete(r.childPid);
    const f = this.cache.get(r.childPid);
    if (f && f.tgid !== r.childPid) {
      // A new thread of a watched process.
      this.members.set(r.childPid, { tgid: f.tgid, unit: parent.unit });
      this.filtersDirty = true;
      return;
    }
    // A new process (or one already gone: its exit still counts, with the name the kernel gave).
    this.members.set(r.childPid, { tgid: r.childPid, unit: parent.unit });
    this.filtersDirty = true;
  }

  private onExit(r: ExitRecord): void {
    const m = this.members.get(r.pid);
    const tgid = m?.tgid ?? this.cache.peek(r.pid)?.tgid ?? r.pid;
    const unit = m?.unit ?? this.members.get(tgid)?.unit;
    const processExit = r.groupDead ?? r.pid === tgid;
    if (!unit) return;
    if (!processExit) {
      this.members.delete(r.pid);
      this.filtersDirty = true;
      return;
    }
    const facts = this.cache.markGone(tgid) ?? this.cache.peek(r.pid);
    this.exited.set(tgid, { at: r.seconds, unit });
    this.removeProcess(tgid);
    this.counts.exits++;
    const killed = this.killedAt.has(tgid);
    const e: ExitEvent = {
      event: 'exit',
      time: this.wall(r.seconds * 1000),
      monotonic: r.seconds,
      // The kernel's comm at the exit, unless the last thread to go was not the main one (threads have names of their own).
      process: processRef(tgid, r.pid === tgid ? r.comm : (facts?.comm ?? r.comm), facts),
      ...(killed ? { killedBy: 'SIGKILL' as const } : {}),
      container: unit.container,
    };
    this.o.onEvent(e);
    const story = this.stories.get(unit);
    if (!story) return;
    if (story.killAt !== undefined && r.seconds >= story.killAt) story.exitsAfterKill++;
    story.lastExitAt = r.seconds;
    if (tgid === unit.initPid && story.initExitAt === undefined) {
      story.initExitAt = r.seconds;
      story.settleBy = mono() + SETTLE_MS;
    }
  }

  /** The event for a signal record (undefined when its target is not watched); the story moves on. */
  private onSignal(r: SignalRecord): SignalEvent | undefined {
    const gone = this.exited.get(r.pid);
    let m = this.members.get(r.pid) ?? (gone ? { tgid: r.pid, unit: gone.unit } : undefined);
    const facts = this.cache.get(r.pid);
    if (m && facts && !facts.gone && facts.tgid !== m.tgid) {
      m = undefined; // the thread ID was reused by another process
      this.members.delete(r.pid);
    }
    let unit = m?.unit;
    if (!unit && facts && !facts.gone) {
      unit = this.o.scope.unitOf(facts.tgid, facts.pidNs);
      if (unit) this.addProcess(facts.tgid, unit);
    }
    if (!unit) return undefined;
    const tgid = m?.tgid ?? facts?.tgid ?? r.pid;
    const pf = tgid === r.pid ? facts : (this.cache.get(tgid) ?? facts);
    const nsPids = pf?.nsPids ?? [];
    const isInit = unit.isolated && tgid === unit.initPid;
    const exiting = (this.exited.get(tgid)?.at ?? Infinity) <= r.seconds || (this.killedAt.get(tgid) ?? Infinity) <= r.seconds || Boolean(pf?.zombie);
    const explain = (f: typeof pf) =>
      explainResult(r.result, r.sig, {
        namespaceInit: isInit || (nsPids.length > 1 && nsPids.at(-1) === 1),
        hostInit: nsPids.length === 1 && tgid === 1,
        kernelThread: f?.kernelThread ?? false,
        exiting,
        ...(f ? { masks: f.masks } : {}),
      });
    let ex = explain(pf);
    // The kernel ignored it and the cached masks (up to FRESH_MS old) do not say why: the handler may have changed
    // since they were read (a program setting SIG_IGN at start), so read them again
    if (ex.result === 'ignored' && ex.reason === 'unknown' && !exiting) ex = explain(this.cache.reread(tgid) ?? pf);
    if (r.sig === SIGKILL && ex.result === 'delivered' && !this.killedAt.has(tgid)) this.killedAt.set(tgid, r.seconds);
    const sf = this.cache.get(r.tid);
    const senderPid = sf?.tgid ?? r.tid;
    const senderMember = this.members.get(r.tid) ?? this.members.get(senderPid);
    const inTarget = senderMember?.unit === unit && sf?.nsPids.length ? sf.nsPids.at(-1) : undefined;
    const sender = describeSender({
      pid: senderPid,
      tid: r.tid,
      command: r.task === '<...>' ? (sf?.comm ?? '?') : r.task,
      code: r.code,
      sig: r.sig,
      isInitOfTarget: senderPid === unit.initPid,
      nsPidInTarget: inTarget,
      inContainer: unit.container !== null,
    });
    let name: string;
    try {
      name = signalName(r.sig);
    } catch {
      name = `signal ${r.sig}`;
    }
    const target = processRef(tgid, r.comm, pf);
    const e: SignalEvent = {
      event: 'signal',
      time: this.wall(r.seconds * 1000),
      monotonic: r.seconds,
      signal: name,
      number: r.sig,
      result: ex.result,
      ...(ex.reason ? { reason: ex.reason } : {}),
      why: ex.words,
      code: siCodeName(r.code),
      group: r.group,
      target,
      sender,
      container: unit.container,
    };
    this.counts.signals++;
    if (!isInit) return e;
    const story = this.stories.get(unit);
    if (!story) return e;
    const action = r.sig === SIGKILL ? 'terminate' : defaultAction(r.sig);
    // A stop: a signal that would end PID 1 (not SIGKILL/SIGSTOP, not a routine one), sent from outside
    // the namespace as a runtime's stop is, and dropped because PID 1 has no handler. The first one counts.
    const stopLike = (action === 'terminate' || action === 'core') && r.sig !== SIGKILL && r.sig !== SIGSTOP && !ROUTINE_SIGNALS.includes(r.sig);
    if (!story.ignored && ex.reason === 'namespace-init-default' && stopLike && sender.role !== 'container') {
      story.ignored = { signal: name, at: r.seconds, sender, target };
    } else if (story.ignored && r.sig === SIGKILL && ex.result === 'delivered' && story.killAt === undefined) {
      story.killAt = r.seconds;
    }
    return e;
  }

  /** Tell the stories whose PID 1 has exited, once the rest of the processes are gone (or SETTLE_MS passed). */
  private settle(): void {
    for (const [unit, story] of [...this.stories]) {
      if (story.settleBy === undefined) continue;
      const left = [...this.members.values()].some((m) => m.unit === unit);
      if (left && mono() < story.settleBy) continue;
      this.stories.delete(unit);
      this.o.scope.retire(unit);
      for (const [t, m] of [...this.members]) if (m.unit === unit) this.members.delete(t);
      if (story.ignored && story.killAt !== undefined) {
        const waitedMs = Math.round((story.killAt - story.ignored.at) * 1000);
        const n = story.exitsAfterKill;
        const e: LostStopEvent = {
          event: 'lost-stop',
          time: this.wall((story.lastExitAt ?? story.killAt) * 1000),
          container: unit.container,
          signal: story.ignored.signal,
          ignoredAt: this.wall(story.ignored.at * 1000),
          sender: story.ignored.sender,
          killedAt: this.wall(story.killAt * 1000),
          waitedMs,
          target: story.ignored.target,
          processes: n,
          summary: `${story.ignored.signal} to PID 1 (${story.ignored.target.command}) of ${unit.label} was ignored (default action at a namespace init); ${(waitedMs / 1000).toFixed(1)} s later SIGKILL ended ${n === 1 ? 'its only process' : `all ${n} processes`}`,
        };
        this.counts.lostStops++;
        this.o.onEvent(e);
      }
      if (this.o.scope.kind !== 'all') {
        this.stop(unit.container ? 'the container exited' : unit.isolated ? "the namespace's init exited" : `PID ${unit.initPid} exited`);
        return;
      }
    }
  }

  /** End the watch: report, remove the instance (synchronously), release everything. Safe to call twice. */
  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t); // clears intervals too
    this.timers = [];
    // What the kernel recorded before the stop is still told.
    try {
      for (const r of this.parser.push(this.instance.read())) this.handle(r);
      this.flushRun();
    } catch {
      /* the instance is going anyway */
    }
    let removeError: string | undefined;
    try {
      this.instance.remove();
    } catch (err) {
      removeError = messageOf(err);
    }
    this.o.scope.close();
    const end: EndEvent = { event: 'end', time: this.wall(mono()), reason: removeError ? `${reason}; ${removeError}` : reason, ...this.counts };
    this.o.onEvent(end);
    this.resolveDone(end);
  }

  get lostStops(): number {
    return this.counts.lostStops;
  }
}

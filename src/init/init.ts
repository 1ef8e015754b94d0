/**
 * pid1 init: a PID 1 that forwards, drains, escalates and tells you what happened.
 *
 * Read top to bottom, like tini:
 *   1. what each signal does (one line per signal),
 *   2. start: become a subreaper if we are not PID 1, install the handlers, spawn the command in its
 *      own session and process group (posix_spawn through koffi: libuv never owns the child, so it
 *      never reaps it and never steals an exit status),
 *   3. on a signal: forward it (rewritten if asked), to the group or the child; the first stop signal
 *      waits --drain first, reaches every descendant, and starts --grace,
 *   4. on SIGCHLD: reap every zombie with waitid(P_ALL, WNOHANG) until none is left (signals
 *      coalesce: one SIGCHLD may stand for a thousand exits),
 *   5. when the main child is gone: exit with its status, or first wait for the others (during a
 *      stop, or always with --wait-all), SIGKILLing what the grace leaves alive, naming each,
 *   6. report every step as JSON lines, end with a one-line summary.
 */
import os from 'node:os';
import { signalName } from '../model/signals.js';
import { becomeSubreaper, ignoreSignal, reapOne, sendSignal, spawnInNewSession, SpawnError, type ExitStatus } from './libc.js';
import type { InitOptions } from './options.js';
import { commOf, descendantsOf, named, type Proc } from './procs.js';
import { now, Reporter, summarize, type ExitEvent } from './report.js';

interface SignalArrival {
  signal: number;
  /** When the handler ran (ms since start). */
  at: number;
  stop: boolean;
}

// ---- 1. What each signal does ----------------------------------------------------------------
/** forward: to the child's group (or the child); self: left as Node set it, it is about the supervisor; ignore: SIG_IGN. */
type Decision = 'forward' | 'self' | 'ignore' | 'reap';

export const SIGNAL_POLICY: ReadonlyArray<readonly [NodeJS.Signals, Decision]> = [
  ['SIGHUP', 'forward'], // hangup / "reload your config": the service's business
  ['SIGINT', 'forward'], // Ctrl-C under `docker run -it`; replaces Node's exit-on-SIGINT
  ['SIGQUIT', 'forward'], // nginx's graceful stop, the JVM's thread dump
  ['SIGILL', 'self'], // a fault of the supervisor itself: forwarding it would blame the child
  ['SIGTRAP', 'self'], // debugger trap in the supervisor
  ['SIGABRT', 'self'], // abort() in the supervisor
  ['SIGBUS', 'self'], // fault; Node's docs: JS listeners on faults are unsafe
  ['SIGFPE', 'self'], // fault
  ['SIGUSR1', 'forward'], // the service's; our listener also stops Node opening its inspector on SIGUSR1
  ['SIGSEGV', 'self'], // fault; Node (V8's WebAssembly trap handler) owns it
  ['SIGUSR2', 'forward'], // the service's (log reopen, graceful reload)
  ['SIGPIPE', 'ignore'], // raised by the supervisor's own writes to a closed pipe; Node ignores it, writes get EPIPE
  ['SIGALRM', 'forward'], // the supervisor sets no alarm, so someone sent it: forward
  ['SIGTERM', 'forward'], // the stop signal of `docker stop` and the kubelet (a stop signal by default)
  ['SIGSTKFLT', 'forward'], // unused by the kernel; someone sent it
  ['SIGCHLD', 'reap'], // never forwarded: it is how the kernel tells us descendants exited
  ['SIGCONT', 'forward'], // resumes the group after SIGTSTP
  ['SIGTSTP', 'forward'], // job control: the group stops; the supervisor keeps running to keep reaping
  ['SIGTTIN', 'ignore'], // sent to the supervisor for its own background terminal reads; the child is in another session
  ['SIGTTOU', 'ignore'], // likewise for its own terminal writes
  ['SIGURG', 'forward'], // the supervisor owns no socket, so someone sent it
  ['SIGXCPU', 'self'], // the supervisor passed its own RLIMIT_CPU; the child has its own
  ['SIGXFSZ', 'ignore'], // raised by the supervisor's own writes past RLIMIT_FSIZE; Node ignores it, writes get EFBIG
  ['SIGVTALRM', 'forward'], // the supervisor sets no timer: forward
  ['SIGPROF', 'forward'], // the supervisor sets no timer: forward
  ['SIGWINCH', 'forward'], // terminal resize, for an interactive child
  ['SIGIO', 'forward'], // the supervisor uses no O_ASYNC: forward
  ['SIGPWR', 'forward'], // power failure notice, for the service
  ['SIGSYS', 'self'], // bad system call (seccomp) by the supervisor
];
// SIGKILL, SIGSTOP: cannot be caught. From inside the namespace the kernel refuses them to PID 1.
// SIGRTMIN..SIGRTMAX (34..64): ignored, NOT forwarded. Node has no listener for real-time signals, so
// none can be; SIG_IGN keeps a stray one from killing a supervisor that is not PID 1. 32 and 33 are glibc's.
const FIRST_RT_SIGNAL = 34;
const LAST_RT_SIGNAL = 64;
const SIGKILL = 9;
/** How stale the list of receivers named in a plain forward's report line may be. */
const NAMING_TTL_MS = 100;
/**
 * How long the exit waits for a slow stderr reader to take the last report lines (the summary among
 * them). Bounded: a reader that never drains must not keep a stopping container from its exit status.
 */
const EXIT_FLUSH_MS = 2000;

const osSignals: Partial<Record<string, number>> = os.constants.signals;
function sigNum(name: string): number {
  const n = osSignals[name];
  if (n === undefined) throw new Error(`unknown signal ${name}`);
  return n;
}

/** Shell-style status of an exit: the code, or 128+N for a signal. */
function statusOf(e: ExitStatus): number {
  return e.signal !== undefined ? 128 + e.signal : (e.code ?? 0);
}

// ---- 2. Start ----------------------------------------------------------------------------------
export function runInit(opts: InitOptions, argv: string[]): void {
  new Supervisor(opts, argv).start();
}

class Supervisor {
  private readonly report: Reporter;
  private readonly self = process.pid;
  /** PID 1 of a PID namespace: when we exit, the kernel SIGKILLs everything left in it. */
  private readonly namespaceInit = process.pid === 1;
  private child = 0;
  private mainExit: ExitEvent | undefined;
  /** The first stop signal received (undefined: no stop yet). */
  private stopSignal: number | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private graceStarted = 0;
  private keepAlive: NodeJS.Timeout | undefined;
  /** PIDs that were sent the stop signal (so that waiting does not send it twice). */
  private readonly signalled = new Set<number>();
  /** PIDs SIGKILLed after the grace. */
  private readonly killed = new Set<number>();
  private waiting = false;
  private escalated = false;
  private finished = false;
  private readonly stats = { reaped: 0, sigchld: 0, heartbeat: 0 };
  private lastScan: { at: number; procs: Proc[] } | undefined;

  constructor(
    private readonly opts: InitOptions,
    private readonly argv: string[],
  ) {
    this.report = new Reporter(opts.report);
  }

  start(): void {
    // Not PID 1: become a child subreaper so orphans still come to us, not to the host's init.
    const subreaper = !this.namespaceInit && becomeSubreaper();
    for (const [name, decision] of SIGNAL_POLICY) {
      if (decision === 'forward') process.on(name, () => this.guard(() => this.onSignal(sigNum(name))));
      if (decision === 'ignore') ignoreSignal(sigNum(name));
      if (decision === 'reap') process.on(name, () => this.guard(() => this.reap('sigchld')));
    }
    for (let n = FIRST_RT_SIGNAL; n <= LAST_RT_SIGNAL; n++) ignoreSignal(n);
    // Handlers are in place before the child exists: nothing it does can be missed. Their callbacks
    // run from the event loop, so none can run before spawnInNewSession returns.
    try {
      this.child = spawnInNewSession(this.argv, process.env);
    } catch (err) {
      if (!(err instanceof SpawnError)) throw err;
      // Shell conventions: 127 not found, 126 found but not runnable.
      const status = err.errno === 2 ? 127 : 126;
      this.report.emit({ init: 'spawn-failed', argv: this.argv, error: err.message, status });
      this.report.warn(summarize(this.report.run)); // said even under --report none: nothing ran
      this.finished = true; // there is no child: signals from now on have nowhere to go
      this.exit(status);
      return;
    }
    const { opts } = this;
    this.report.emit({
      init: 'start',
      time: new Date().toISOString(),
      pid: this.self,
      namespaceInit: this.namespaceInit,
      subreaper,
      child: this.child,
      argv: this.argv,
      options: {
        singleChild: opts.singleChild,
        waitAll: opts.waitAll,
        drainMs: opts.drainMs,
        graceMs: opts.graceMs,
        stopSignals: [...opts.stopSignals].map((n) => signalName(n)),
        rewrite: Object.fromEntries([...opts.rewrite].map(([a, b]) => [signalName(a), signalName(b)])),
      },
    });
    // Keeps the event loop alive (Node's signal handles do not) and reaps once a second in case a
    // SIGCHLD was missed: the same 1 s heartbeat as tini's sigtimedwait.
    this.keepAlive = setInterval(() => this.guard(() => this.reap('heartbeat')), 1000);
    this.reap('other'); // it may have exited already
  }

  /** A supervisor must not die of its own bug: report it and carry on. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.report.emit({ init: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  // ---- 3. Signals ------------------------------------------------------------------------------
  private onSignal(sig: number): void {
    // Exiting (only waiting for stderr's reader to take the last lines): the children are gone.
    if (this.finished) return;
    const received: SignalArrival = { signal: sig, at: now(), stop: this.opts.stopSignals.has(sig) };
    if (received.stop && this.stopSignal === undefined) {
      this.noteSignal(received);
      this.beginStop(sig);
    } else if (received.stop && this.drainTimer) {
      // A second stop signal during the drain: someone is impatient (Ctrl-C twice); forward now.
      this.noteSignal(received);
      this.endDrain(`second ${signalName(sig)}`);
    } else {
      this.forward(sig, false); // its report line says what was received
    }
    // Reap after every signal, as tini does: under a signal storm libuv's signal pipe fills up and can
    // drop the SIGCHLD notification, and its read loop starves our heartbeat timer. One syscall.
    this.reap('other');
  }

  /** A stop signal arrived (plain forwards are reported by their forward line only). */
  private noteSignal(s: SignalArrival): void {
    this.report.emit({ init: 'signal', signal: signalName(s.signal), stop: s.stop }, s.at);
  }

  private beginStop(sig: number): void {
    this.stopSignal = sig;
    // Drain: keep serving while the load balancer takes us out of rotation, then forward.
    if (this.opts.drainMs > 0 && !this.mainExit) {
      this.report.emit({ init: 'drain', signal: signalName(sig), ms: this.opts.drainMs });
      this.drainTimer = setTimeout(() => this.guard(() => this.endDrain()), this.opts.drainMs);
      return;
    }
    this.forwardStop();
  }

  private endDrain(cut?: string): void {
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.forwardStop(cut);
  }

  private forwardStop(drainCut?: string): void {
    if (this.stopSignal === undefined) return;
    this.forward(this.stopSignal, true, drainCut);
    this.startGrace();
  }

  /** Send `sig` (rewritten) on: kill(-pgid) or kill(child). Stop signals also reach descendants outside the group. */
  private forward(sig: number, stop: boolean, drainCut?: string): void {
    const out = this.opts.rewrite.get(sig) ?? sig;
    const single = this.opts.singleChild;
    // The group outlives the main child as long as one member is alive (its ID cannot be reused).
    const delivered = single ? !this.mainExit && sendSignal(this.child, out) : sendSignal(-this.child, out);
    // Name the receivers only after the kill, so that naming them does not delay the signal. Members
    // that are already zombies count: they most likely died of this very signal.
    const all = this.descendants(stop);
    const alive = all.filter((p) => p.state !== 'Z');
    const reached = delivered ? all.filter((p) => (single ? p.pid === this.child : p.pgid === this.child)) : [];
    let also: Proc[] | undefined;
    if (stop && !single) {
      // Adopted orphans and daemons that left the group would otherwise meet only the kernel's SIGKILL.
      also = alive.filter((p) => p.pgid !== this.child && sendSignal(p.pid, out));
    }
    if (stop) for (const p of [...reached, ...(also ?? [])]) this.signalled.add(p.pid);
    this.report.emit(
      {
        init: 'forward',
        received: signalName(sig),
        signal: signalName(out),
        to: single ? 'child' : 'group',
        ...(single ? {} : { pgid: this.child }),
        pids: reached.map((p) => named(p)),
        ...(also?.length ? { also: also.map((p) => named(p)) } : {}),
        delivered: delivered || !!also?.length,
        ...(drainCut ? { drainCut } : {}),
      },
      undefined,
      stop,
    ); // a plain forward is written, not kept: a storm of SIGWINCH must not grow memory
  }

  /**
   * Descendants, zombies included. Plain forwards may reuse a scan up to NAMING_TTL_MS old (a storm
   * of SIGWINCH must not cost a /proc walk each); everything that decides something scans afresh.
   */
  private descendants(fresh: boolean): Proc[] {
    const t = Date.now();
    if (fresh || !this.lastScan || t - this.lastScan.at > NAMING_TTL_MS) this.lastScan = { at: t, procs: descendantsOf(this.self, true) };
    return this.lastScan.procs;
  }

  private startGrace(): void {
    // No --grace: never SIGKILL. --grace 0: at once, as `docker stop -t 0` does (the next turn of the loop).
    if (this.opts.graceMs === null || this.graceTimer) return;
    this.graceStarted = Date.now();
    this.graceTimer = setTimeout(() => this.guard(() => this.escalate()), this.opts.graceMs);
  }

  // ---- 4. Reaping ------------------------------------------------------------------------------
  /** Reap until nothing is left to reap (one SIGCHLD may stand for many exits), then decide. */
  private reap(why: 'sigchld' | 'heartbeat' | 'other'): void {
    if (why === 'sigchld') this.stats.sigchld++;
    const mainEnded = this.harvest(why === 'heartbeat');
    if (this.finished) return;
    if (mainEnded) this.onMainExit();
    else if (this.waiting) this.checkDone();
  }

  /** Reap every zombie there is now and report each exit; true when the main child was among them. */
  private harvest(byHeartbeat = false): boolean {
    let mainEnded = false;
    for (;;) {
      let name = '?';
      const e = reapOne((pid) => (name = commOf(pid)));
      if (!e) return mainEnded;
      this.stats.reaped++;
      if (byHeartbeat) this.stats.heartbeat++;
      this.lastScan = undefined;
      const main = e.pid === this.child;
      const ev = this.report.emit({
        init: 'exit',
        pid: e.pid,
        name,
        main,
        ...(e.signal !== undefined ? { signal: signalName(e.signal), ...(e.core ? { core: true } : {}) } : { code: e.code ?? 0 }),
        status: statusOf(e),
      });
      if (main) {
        this.mainExit = ev;
        mainEnded = true;
      }
    }
  }

  // ---- 5. The main child is gone ---------------------------------------------------------------
  private onMainExit(): void {
    // A drain in progress has nothing left to protect once the main child is gone.
    const cut = this.drainTimer ? 'main child exited' : undefined;
    if (this.drainTimer) {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
    }
    const alive = descendantsOf(this.self);
    if (!alive.length) {
      this.finish();
      return;
    }
    // The grace is over: everything was SIGKILLed; only their exits remain to be reaped.
    if (this.escalated) {
      this.waiting = true;
      this.checkDone();
      return;
    }
    // During a stop in group mode the others got (or are owed) the stop signal: let them finish.
    // Otherwise only --wait-all keeps them from the kernel's SIGKILL (or re-parenting) when we exit.
    const reason = this.stopSignal !== undefined && !this.opts.singleChild ? 'stop' : this.opts.waitAll ? 'wait-all' : undefined;
    if (!reason) {
      this.finish();
      return;
    }
    const stopWith = this.stopSignal ?? [...this.opts.stopSignals][0] ?? 15;
    const out = this.opts.rewrite.get(stopWith) ?? stopWith;
    const fresh = alive.filter((p) => !this.signalled.has(p.pid) && sendSignal(p.pid, out));
    for (const p of fresh) this.signalled.add(p.pid);
    this.report.emit({
      init: 'wait',
      reason,
      for: alive.map((p) => named(p, true)),
      signalled: fresh.map((p) => named(p)),
      ...(fresh.length ? { signal: signalName(out) } : {}),
      graceMs: this.opts.graceMs,
      ...(cut ? { drainCut: cut } : {}),
    });
    this.waiting = true;
    this.startGrace();
  }

  private checkDone(): void {
    const all = descendantsOf(this.self, true);
    const alive = all.filter((p) => p.state !== 'Z');
    // Our own zombies are about to be reaped (their SIGCHLD is on its way): wait to report their exit.
    const unreaped = all.some((p) => p.state === 'Z' && p.ppid === this.self);
    if (!alive.length && !unreaped) {
      this.finish();
      return;
    }
    // After the grace nothing may survive, not even a child forked while we were killing its parent.
    if (this.escalated && alive.length) this.killAll(alive);
  }

  private escalate(): void {
    this.graceTimer = undefined;
    if (this.finished) return;
    this.escalated = true;
    const alive = descendantsOf(this.self);
    if (alive.length) this.killAll(alive);
    if (this.mainExit) this.checkDone();
  }

  private killAll(victims: Proc[]): void {
    // Each is killed (and named) once; a later sweep only catches what was forked in between.
    const fresh = victims.filter((p) => !this.killed.has(p.pid));
    const names = fresh.map((p) => named(p, true)); // name them before they die
    const hit = names.filter((n) => sendSignal(n.pid, SIGKILL));
    for (const n of hit) this.killed.add(n.pid);
    if (hit.length)
      this.report.emit({ init: 'escalate', signal: 'SIGKILL', ...(this.opts.graceMs !== null ? { graceMs: this.opts.graceMs } : {}), afterMs: Date.now() - this.graceStarted, pids: hit });
  }

  // ---- 6. Exit -----------------------------------------------------------------------------------
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.drainTimer);
    clearTimeout(this.graceTimer);
    clearInterval(this.keepAlive);
    this.harvest(); // report the exits that happened since the last reap
    const left = descendantsOf(this.self);
    if (left.length) {
      // As a namespace init our exit makes the kernel SIGKILL them; otherwise they go to the next reaper.
      this.report.emit({ init: 'left', pids: left.map((p) => named(p, true)), fate: this.namespaceInit ? 'killed by the kernel' : 're-parented' });
    }
    const status = this.mainExit?.status ?? 0;
    const dropped = this.report.dropped;
    const final = { init: 'final', status, summary: '', ...(dropped ? { dropped } : {}) } as const;
    const summary = summarize({ ...this.report.run, events: [...this.report.events, { ...final, t: 0 }] });
    this.report.emit({ ...final, summary, stats: this.stats });
    this.report.say(summary);
    this.exit(status);
  }

  /** Exit once stderr's reader has taken the last lines (never spinning for it), or EXIT_FLUSH_MS later. */
  private exit(status: number): void {
    void this.report.flushed(EXIT_FLUSH_MS).then(() => process.exit(status));
  }
}

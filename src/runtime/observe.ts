/**
 * From what was seen to a verdict. The rules, and the evidence each rests on:
 * - killed: the runtime had to send SIGKILL (the engine's own `kill` event with signal 9, or pid1's
 *   SIGKILL in the kubelet/namespace sequence) because the container was still running when the grace
 *   expired. Certain. "The signal was lost" vs "the shutdown was too slow" is told apart by whether
 *   anything happened between the stop signal and SIGKILL (a process exited, a line was logged).
 * - graceful / abrupt, when it ended within the grace: the service's own wait status decides. Exited
 *   with a code = it ran its own shutdown (graceful). Killed by a signal = not its own shutdown
 *   (abrupt): SIGKILL when its namespace's init exited (the kernel's zap_pid_ns_processes kills
 *   everything left), or the stop signal's default action when it has no handler. The status comes
 *   from the kernel's proc connector (exact), a zombie seen in /proc, or pid1 init's report.
 * - Without a status: a service that is PID 1 exited by itself (the kernel drops default-action
 *   signals for a namespace init, so only its own exit or SIGKILL ends it); otherwise the container's
 *   exit status is the hint (128+N: a signal), and the verdict says it was inferred.
 */
import type { InitRun, ExitEvent, InitEvent, Named } from '../init/report.js';
import type { NamespaceTree } from '../proc/tree.js';
import type { Verdict as LiveVerdict } from '../proc/verdict.js';
import { wallToMono } from './clock.js';
import type { ComparisonView, KernelResultView, ObservationView, PredictionView, TimelineEvent, Verdict } from './reports.js';
import type { SignalEvent } from './trace/events.js';
import { describeStatus, type ExitStatus, type ProcessExit } from './exits.js';
import type { StopPolicy, StopRun } from './policy.js';
import type { LogLine, RuntimeSignal } from './target.js';

interface ObserveInput {
  of: 'container' | 'namespace';
  tree: NamespaceTree;
  live: LiveVerdict;
  run: StopRun;
  exits: ProcessExit[];
  logs: LogLine[];
  policy: StopPolicy;
  initRun?: InitRun;
}

const r0 = (n: number): number => Math.round(n);

/** A line of pid1 init's JSON-lines report, if it is one. */
function initEventOf(line: string): InitEvent | undefined {
  const s = line.trim();
  if (!s.startsWith('{"init":')) return undefined;
  try {
    const ev = JSON.parse(s) as InitEvent;
    return typeof ev.init === 'string' ? ev : undefined;
  } catch {
    return undefined;
  }
}

const who = (ps: Named[]): string => ps.map((p) => `${p.name}[${p.pid}]`).join(', ');

function describeInitEvent(e: InitEvent): string {
  switch (e.init) {
    case 'start':
      return `started ${JSON.stringify(e.argv)} as PID ${e.child}`;
    case 'signal':
      return `received ${e.signal}${e.stop ? ' (a stop signal)' : ''}`;
    case 'drain':
      return `drains ${e.ms} ms before forwarding ${e.signal}`;
    case 'forward':
      return `forwarded ${e.signal}${e.signal !== e.received ? ` (for ${e.received})` : ''} to ${e.to === 'group' ? `group ${e.pgid ?? '?'}` : e.to}: ${who(e.pids) || 'nobody'}`;
    case 'exit':
      return `reaped ${e.name}[${e.pid}]${e.main ? ' (main child)' : ''}: ${e.signal ? `killed by ${e.signal}` : `exit ${e.code ?? e.status}`}`;
    case 'wait':
      return `waits for ${who(e.for)}`;
    case 'escalate':
      return `SIGKILL after ${e.afterMs} ms: ${who(e.pids)}`;
    case 'left':
      return `left ${who(e.pids)} (${e.fate})`;
    case 'final':
      return `exits with status ${e.status}`;
    default:
      return JSON.stringify(e);
  }
}

function initReportStatus(run: InitRun | undefined, pid: number): ExitStatus | undefined {
  const ev = run?.events.find((e): e is ExitEvent => e.init === 'exit' && e.pid === pid);
  if (!ev) return undefined;
  return ev.signal ? { signal: ev.signal, raw: ev.status } : { code: ev.code ?? ev.status, raw: ev.status << 8 };
}

export function observe(i: ObserveInput): ObservationView & { signalArrived?: boolean } {
  const { tree, live, run, exits, logs, policy } = i;
  const sig = policy.signal;
  const since = (at: number): number => r0(at - run.signalAt);
  const exitOf = (hostPid: number): ProcessExit | undefined => exits.find((e) => e.hostPid === hostPid);
  const init = tree.init;
  // The service is the one the model names (the top-most process that is not a shell, an init, a wrapper
  // or a package manager), as lint and inspect do: under `pid1 init -- sh -c 'svc'` it is svc, not the
  // init's child sh. Only when the tree has none is it the child pid1 init's report names, else PID 1.
  const initChild = i.initRun?.start ? tree.processes.find((p) => p.pid === i.initRun?.start?.child && p !== init) : undefined;
  const svcNode = (live.service ? tree.processes.find((p) => p.hostPid === live.service?.hostPid) : undefined) ?? initChild ?? init;
  const svcIsInit = svcNode === init;
  const exitCode = run.exit?.exitCode;
  const stopMs = run.exit ? Math.round(Math.max(0, run.exit.at - run.signalAt)) : undefined;
  const base = { ...(exitCode !== undefined ? { exitCode } : {}), ...(stopMs !== undefined ? { stopMs } : {}) };
  const svcLogs = logs.filter((l) => l.at >= run.signalAt && l.at <= (run.sigkillAt ?? run.deadline) && !initEventOf(l.line) && !/^pid1 init: /.test(l.line)).map((l) => l.line);
  const service = (extra: Partial<NonNullable<ObservationView['service']>> = {}): NonNullable<ObservationView['service']> => ({
    pid: svcNode.pid,
    hostPid: svcNode.hostPid,
    name: svcNode.comm,
    ...extra,
  });

  if (run.fast) {
    return {
      ...base,
      verdict: 'killed',
      sigkill: true,
      summary: `${sig} is lost: the kernel discarded it at PID 1 (${init.comm}); the runtime would SIGKILL every process when the ${run.graceSeconds} s grace period expires (exit 137). Concluded after ${since(run.fast.at)} ms (--fast)`,
      evidence: [...run.fast.evidence, `pid1 then sent SIGKILL instead of waiting out the remaining grace period`],
      service: service(),
    };
  }

  if (!run.exit) {
    return { verdict: 'killed', sigkill: run.sigkillAt !== undefined, summary: 'the target did not exit, even after SIGKILL', evidence: [], service: service() };
  }

  // SIGKILL came from the runtime: the container outlived the grace period.
  const killedByRuntime = run.sigkillAt !== undefined && run.exit.at >= run.sigkillAt - 5;
  const inferredKill = !killedByRuntime && run.sigkillAt === undefined && exitCode === 137 && (stopMs ?? 0) >= run.graceSeconds * 1000 - 100;
  if (killedByRuntime || inferredKill) {
    const killAt = run.sigkillAt ?? run.deadline;
    const before = exits.filter((e) => e.at >= run.signalAt && e.at < killAt - 1);
    const arrivedLogs = logs.filter((l) => l.at >= run.signalAt && l.at < killAt);
    const arrived = before.length > 0 || arrivedLogs.length > 0;
    const killed = exits.filter((e) => e.at >= killAt - 1);
    const evidence: string[] = [];
    if (killedByRuntime) evidence.push(`SIGKILL sent by ${run.sigkillBy ?? 'the runtime'} at ${since(killAt)} ms, when the ${run.graceSeconds} s grace period expired`);
    else evidence.push(`exit status 137 after the whole ${run.graceSeconds} s grace period (the engine's events were not seen: inferred)`);
    if (arrived) {
      if (arrivedLogs[0]) evidence.push(`after ${sig}, before SIGKILL: logged "${arrivedLogs[0].line}" at ${since(arrivedLogs[0].at)} ms`);
      for (const e of before.slice(0, 3)) evidence.push(`after ${sig}, before SIGKILL: ${e.name} (PID ${e.pid ?? '?'}) ${describeStatus(e.status)} at ${since(e.at)} ms`);
    } else evidence.push(`between ${sig} and SIGKILL no process exited and nothing was logged`);
    for (const e of killed.slice(0, 5)) evidence.push(`${e.name} (PID ${e.pid ?? '?'}) ${describeStatus(e.status)} at ${since(e.at)} ms`);
    if (exitCode !== undefined) evidence.push(`${i.of === 'namespace' ? 'the namespace init' : 'the container'} exited with status ${exitCode}${exitCode === 137 ? ' (128 + 9, SIGKILL)' : ''}`);
    const names = [...new Set(killed.map((e) => e.name))].join(', ') || 'every process';
    const svcEnd = exitOf(svcNode.hostPid);
    return {
      ...base,
      verdict: 'killed',
      sigkill: true,
      signalArrived: arrived,
      evidence,
      summary: arrived
        ? `${sig} arrived but the shutdown did not finish within the ${run.graceSeconds} s grace period: SIGKILL ended ${names}`
        : `${sig} was lost: nothing happened for the whole ${run.graceSeconds} s grace period, then SIGKILL ended ${names}`,
      service: service(svcEnd ? { ended: describeStatus(svcEnd.status), atMs: since(svcEnd.at) } : {}),
    };
  }

  // It ended within the grace period: was it the service's own shutdown?
  const se = exitOf(svcNode.hostPid);
  const ie = exitOf(init.hostPid);
  let status = se?.status;
  let statusFrom = se?.source === 'kernel' ? 'the kernel (proc connector)' : se?.source === 'zombie' ? '/proc (exit code of the zombie)' : undefined;
  if (!status) {
    const fromInit = initReportStatus(i.initRun, svcNode.pid);
    if (fromInit) {
      status = fromInit;
      statusFrom = "pid1 init's report";
    }
  }
  const evidence: string[] = [];
  const svcLabel = `${svcNode.comm} (PID ${svcNode.pid})`;
  const when = se ? ` at ${since(se.at)} ms` : '';
  if (svcLogs.length)
    evidence.push(
      `logged after ${sig}: ${svcLogs
        .slice(0, 3)
        .map((l) => `"${l}"`)
        .join(', ')}`,
    );
  let verdict: Verdict;
  let summary: string;
  if (status) {
    evidence.unshift(`${svcLabel} ${describeStatus(status)}${when} (status from ${statusFrom})`);
    if (status.signal === undefined) {
      verdict = 'graceful';
      summary = `${svcLabel} exited on its own (status ${status.code ?? 0}) ${se ? `${since(se.at)} ms` : 'within the grace period'} after ${sig}`;
    } else {
      verdict = 'abrupt';
      if (status.signal === 'SIGKILL' && !svcIsInit) {
        const initFirst = ie && se && ie.at <= se.at + 50;
        if (ie) evidence.push(`PID 1 (${init.comm}) ${describeStatus(ie.status)} at ${since(ie.at)} ms`);
        summary =
          initFirst || !ie
            ? `${svcLabel} was killed by SIGKILL from the kernel when PID 1 (${init.comm}) exited: a namespace's processes die with its init, so its shutdown never ran (or was cut short)`
            : `${svcLabel} was killed by SIGKILL before the grace period ended`;
      } else if (status.signal === sig) {
        summary = `${svcLabel} was ended by ${sig} itself, not by its own shutdown: it has no handler for ${sig} (or its handler re-raised it)`;
      } else {
        summary = `${svcLabel} was killed by ${status.signal}`;
      }
    }
  } else if (svcIsInit) {
    verdict = 'graceful';
    summary = `${svcLabel} exited on its own within the grace period`;
    evidence.unshift(
      `PID 1 cannot be ended by a catchable signal at its default action from the runtime (the kernel drops it), and no SIGKILL was sent: it exited by itself (inferred; its exit status was not seen)`,
    );
  } else {
    verdict = exitCode !== undefined && exitCode >= 128 ? 'abrupt' : 'graceful';
    summary =
      verdict === 'graceful'
        ? `${svcLabel} ended within the grace period and the container exited with status ${exitCode ?? '?'} (inferred: the service's own status was not seen)`
        : `the container exited with status ${exitCode} (128 + ${(exitCode ?? 128) - 128}: a signal) within the grace period (inferred: the service's own status was not seen)`;
    evidence.unshift(`${svcLabel} ended${when}; its exit status was not seen (${se ? `the process ${se.source}` : 'not watched'})`);
  }
  if (exitCode !== undefined)
    evidence.push(`${i.of === 'namespace' ? 'the namespace init' : 'the container'} exited with status ${exitCode} at ${since(run.exit.at)} ms, within the ${run.graceSeconds} s grace period`);
  return {
    ...base,
    verdict,
    summary,
    evidence,
    sigkill: false,
    service: service({ ...(status ? { ended: describeStatus(status) } : {}), ...(se ? { atMs: since(se.at) } : {}), ...(statusFrom ? { statusFrom } : {}) }),
  };
}

/** Compare a prediction with what happened. */
export function compare(pred: PredictionView | undefined, obs: ObservationView & { signalArrived?: boolean }, run: StopRun | undefined, policy: StopPolicy): ComparisonView | undefined {
  if (!pred || pred.error || obs.verdict === 'nostart') return undefined;
  const base = { predicted: pred.outcome, observed: obs.verdict };
  if (pred.outcome === obs.verdict) return { ...base, status: 'agrees', message: '' };
  if (pred.outcome === 'unknown') return { ...base, status: 'undecided', message: `the model could not tell; observed ${obs.verdict}` };
  if (pred.outcome === 'graceful' && obs.verdict === 'killed' && obs.signalArrived) {
    const h = run?.preStop;
    const window = h
      ? `the ${h.remainingSeconds} s left after the preStop hook took ${(h.ms / 1000).toFixed(1)} s of the ${policy.graceSeconds} s grace period`
      : `the ${policy.graceSeconds} s grace period`;
    return { ...base, status: 'explained', message: `${policy.signal} reached the service as predicted, but its shutdown took longer than ${window}` };
  }
  return { ...base, status: 'disagrees', message: `the model predicted ${pred.outcome}${pred.path.length ? ` (${pred.path.join('; ')})` : ''}, but the real stop was ${obs.verdict}: ${obs.summary}` };
}

interface TimelineInput {
  t0: number;
  of: 'container' | 'namespace';
  tree: NamespaceTree;
  run: StopRun;
  signals: RuntimeSignal[];
  exits: ProcessExit[];
  logs: LogLine[];
  /** pid1 init's report (from its stderr or its --report file): its events at the times the init stamped them. */
  initRun?: InitRun;
  maxLogs?: number;
  /** The kernel's signal_generate records during the stop (pid1 test with tracefs), for the kernel's result of each signal. */
  traced?: SignalEvent[];
  /** At most this many signals that only the trace saw (default 100). */
  maxTraced?: number;
}

/**
 * pid1 init's events on this timeline's clock, in causal order. Each carries `t`, ms since the init's
 * Node process started, and its start event the wall-clock time of that `t`: mapped through it, an event
 * is placed when the init did it, not when its line reached pid1 (a few ms later, after the exits a
 * forwarded signal caused). The mapping is good to about 1 ms (the start time has ms resolution), so
 * the facts it must respect are applied on top: the init received the stop signal after it was sent;
 * a forwarded signal went out before the exits it caused (the kernel's stamps); a child was reaped after
 * it exited; and the init did its steps in the order it reported them.
 */
function initEventTimes(run: InitRun, signalAt: number, exits: ProcessExit[]): { at: number; ev: InitEvent }[] {
  const start = run.start;
  const wall = start ? Date.parse(start.time) : NaN;
  if (!start || Number.isNaN(wall)) return [];
  const base = wallToMono(wall) - start.t;
  const exitOfPid = (pid: number): ProcessExit | undefined => exits.find((e) => e.pid === pid);
  const out: { at: number; ev: InitEvent }[] = [];
  let floor = -Infinity;
  for (const ev of run.events) {
    if (ev.init === 'start') continue;
    let at = base + ev.t;
    if (ev.init === 'signal' && ev.stop) at = Math.max(at, signalAt);
    if (ev.init === 'exit') {
      const e = exitOfPid(ev.pid);
      if (e) at = Math.max(at, e.at + 0.1);
    }
    at = Math.max(at, floor);
    if (ev.init === 'forward') {
      // Bounded by the first process it ended: killed by this very signal, after the init received it.
      const caused = ev.pids.map((p) => exitOfPid(p.pid)).filter((e): e is ProcessExit => e !== undefined && e.status?.signal === ev.signal && e.at >= floor);
      const first = Math.min(...caused.map((e) => e.at));
      if (first - 0.1 < at) at = Math.max(floor, first - 0.1);
    }
    floor = at;
    out.push({ at, ev });
  }
  return out;
}

/** The kernel's record of a signal, as the timeline shows it. */
function kernelView(e: SignalEvent): KernelResultView {
  return {
    result: e.result,
    ...(e.reason ? { reason: e.reason } : {}),
    why: e.why,
    target: { pid: e.target.pid, ...(e.target.nsPid !== undefined ? { nsPid: e.target.nsPid } : {}), command: e.target.command },
    sender: { pid: e.sender.pid, command: e.sender.command, role: e.sender.role },
    ...(e.count ? { count: e.count } : {}),
  };
}

/** How far apart (ms) a runtime's record of a signal and the kernel's may be: the engine's event arrives after the kill(2). */
const MATCH_MS = 2000;

const ORDER: Record<TimelineEvent['kind'], number> = { prestop: 0, signal: 1, 'kernel-signal': 1, init: 2, log: 2, exit: 3, 'container-exit': 4, note: 5 };

export function buildTimeline(i: TimelineInput): TimelineEvent[] {
  let t0 = i.t0;
  const t = (at: number): number => Math.round((at - t0) * 10) / 10;
  const byHost = new Map(i.tree.processes.map((p) => [p.hostPid, p]));
  const pid1 = `PID 1 (${i.tree.init.comm})`;
  const out: TimelineEvent[] = [];
  const h = i.run.preStop;
  if (h) {
    out.push({ t: t(h.startedAt), kind: 'prestop', phase: 'start', text: h.description });
    out.push({ t: t(h.endedAt), kind: 'prestop', phase: 'end', text: `${h.outcome}: ${h.detail}` });
  }
  // The stop signal and SIGKILL at the times the run settled on (the engine logs its kill event just
  // after delivering the signal, so an exit it caused can carry an earlier kernel timestamp).
  const stopEvent = i.signals.find((s) => s.at >= i.t0 - 50 && s.signal !== 'SIGKILL');
  const killEvent = i.signals.find((s) => s.signal === 'SIGKILL' && s.at >= i.t0 - 50);
  // The kernel's record of each: the nearest generation of that signal for PID 1 (pid1 watch's events).
  const traced = [...(i.traced ?? [])];
  const initHost = i.tree.init.hostPid;
  const take = (signal: string, at: number): SignalEvent | undefined => {
    let best: { e: SignalEvent; d: number } | undefined;
    for (const e of traced) {
      if (e.signal !== signal || e.target.pid !== initHost) continue;
      const d = Math.abs(e.monotonic * 1000 - at);
      if (d <= MATCH_MS && (!best || d < best.d)) best = { e, d };
    }
    if (best) traced.splice(traced.indexOf(best.e), 1);
    return best?.e;
  };
  const matched = new Map<RuntimeSignal, SignalEvent>();
  for (const s of i.signals) {
    const k = s.at >= i.t0 - 50 ? take(s.signal, s.at) : undefined;
    if (k) matched.set(s, k);
  }
  // When the kernel generated the stop signal before the time the run settled on (the engine's record
  // comes after its kill), the timeline counts from the kernel's time, so that what PID 1 did at once
  // is never shown before the signal. (Later, it is the runtime's record that counts: unchanged.)
  const stopByKernel = stopEvent ? matched.get(stopEvent) : undefined;
  if (stopByKernel && !h && i.t0 === i.run.signalAt) t0 = Math.min(i.t0, stopByKernel.monotonic * 1000);
  for (const s of i.signals) {
    if (s.at < i.t0 - 50) continue;
    const k = matched.get(s);
    const recorded = s === stopEvent ? i.run.signalAt : s === killEvent && i.run.sigkillAt !== undefined ? i.run.sigkillAt : s.at;
    // The kernel's time when it is earlier: what the signal caused is never shown before it.
    const at = k ? Math.min(recorded, k.monotonic * 1000) : recorded;
    out.push({ t: t(at), kind: 'signal', signal: s.signal, to: pid1, by: s.by, ...(k ? { kernel: kernelView(k) } : {}) });
  }
  // Signals only the kernel saw: forwarded inside the container, or its SIGKILLs when PID 1 exited.
  const extra = traced.filter((e) => e.monotonic * 1000 >= i.t0 - 50);
  const maxTraced = i.maxTraced ?? 100;
  for (const e of extra.slice(0, maxTraced)) {
    const node = byHost.get(e.target.pid);
    const nsPid = e.target.nsPid ?? node?.pid;
    out.push({
      t: t(e.monotonic * 1000),
      kind: 'kernel-signal',
      signal: e.signal,
      kernel: kernelView(e),
      to: `${nsPid !== undefined ? `PID ${nsPid}` : `host PID ${e.target.pid}`} (${e.target.command})`,
      by: e.sender.description,
    });
  }
  if (extra.length > maxTraced) out.push({ t: t((extra[maxTraced] as SignalEvent).monotonic * 1000), kind: 'note', text: `${extra.length - maxTraced} more signals in the kernel's trace not shown` });
  if (i.run.fast) out.push({ t: t(i.run.fast.at), kind: 'note', text: 'verdict: killed (--fast: the kernel discarded the stop signal at PID 1; not waiting out the grace period)' });
  for (const e of i.exits) {
    const node = byHost.get(e.hostPid);
    const pid = e.pid ?? node?.pid;
    out.push({
      t: t(e.at),
      kind: 'exit',
      hostPid: e.hostPid,
      ...(pid !== undefined ? { pid } : {}),
      name: node?.comm ?? e.name,
      status: describeStatus(e.status),
      ...(e.status?.code !== undefined ? { code: e.status.code } : {}),
      ...(e.status?.signal ? { signal: e.status.signal } : {}),
      source: e.source,
    });
  }
  if (i.run.exit) out.push({ t: t(i.run.exit.at), kind: 'container-exit', of: i.of, exitCode: i.run.exit.exitCode });
  const initTimes = i.initRun ? initEventTimes(i.initRun, i.run.signalAt, i.exits) : [];
  for (const { at, ev } of initTimes) if (at >= i.t0 - 1) out.push({ t: t(at), kind: 'init', event: ev.init, text: describeInitEvent(ev) });
  // Without the init's own times, its report lines are shown when they were read.
  const logs = i.logs.filter((l) => l.at >= i.t0 && !(initTimes.length && initEventOf(l.line)));
  const max = i.maxLogs ?? 200;
  for (const l of logs.slice(0, max)) {
    const ev = initEventOf(l.line);
    out.push(ev ? { t: t(l.at), kind: 'init', event: ev.init, text: describeInitEvent(ev) } : { t: t(l.at), kind: 'log', stream: l.stream, line: l.line });
  }
  if (logs.length > max) out.push({ t: t((logs[max] as LogLine).at), kind: 'note', text: `${logs.length - max} more log lines not shown` });
  return out.sort((a, b) => a.t - b.t || ORDER[a.kind] - ORDER[b.kind]);
}

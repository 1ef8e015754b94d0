/**
 * `pid1 stop --container X`: stop a running container whose PID 1 loses the stop signal the way an
 * engineer does by hand (`kill 7` on the gunicorn master instead of PID 1): signal, from the host, the
 * top-most processes that handle the stop signal (a handler whose ancestor also handles it is left to
 * that ancestor, as a master signals its workers), wait the grace period for them, then stop the
 * container normally. Signals sent from the host (an ancestor namespace) to a process that is not its
 * namespace's init are delivered like any other signal.
 */
import { parseSignal, signalName } from '../model/signals.js';
import { readStat } from '../proc/stat.js';
import { namespaceTree, type TreeNode } from '../proc/tree.js';
import { liveVerdict } from './live-verdict.js';
import { topHandlers } from '../proc/verdict.js';
import { loadShellParser } from '../model/shell.js';
import { inspectReport, type RescueReport, type RescueTarget, type TimelineEvent } from './reports.js';
import { UserError, messageOf } from '../util/errors.js';
import { mono, sleep } from './clock.js';
import { connectRuntime, type RuntimeOptions } from './connect.js';
import { asContainerFacts, findContainerd } from './containerd.js';
import { ContainerdTaskTarget } from './containerd-target.js';
import { engineMessage, runningContainer, type ContainerFacts } from './docker.js';
import { describeStatus, ExitWatcher } from './exits.js';
import { runningPodmanContainer } from './podman.js';
import type { RuntimeName } from './runtime-select.js';
import { ContainerTarget, settleSignals, type LogLine, type RuntimeSignal, type TargetExit } from './target.js';

/** pid1 stop's choice of targets, kept importable from here (it lives with the verdict it advises). */
export { topHandlers } from '../proc/verdict.js';

interface RescueOptions {
  container: string;
  signal?: string;
  grace?: number;
  dryRun: boolean;
  /** --runtime, --address, --namespace, --state-dir */
  runtime?: RuntimeOptions;
}

/** What the rescue needs of a running container once it acts: its signals, exit and logs, and its runtime's normal stop. */
interface StopTarget {
  readonly signals: RuntimeSignal[];
  readonly logs: LogLine[];
  exit: TargetExit | undefined;
  stopCommand(graceSeconds: number): string;
  engineStop(graceSeconds: number): Promise<void>;
  exited(timeoutMs: number): Promise<TargetExit | undefined>;
  logsDone(timeoutMs: number): Promise<void>;
  detach(): Promise<void>;
}

/** The container as its runtime knows it, its default grace period, and how to act on it. */
interface Located {
  runtime: RuntimeName;
  facts: ContainerFacts;
  grace: { seconds: number; from: string };
  notes: string[];
  /** The runtime's normal stop as the user would type it (before anything is attached). */
  stopCommand(graceSeconds: number): string;
  attach(watcher: ExitWatcher): Promise<StopTarget>;
  /** Thaw a paused container (Docker, Podman: the Engine API's unpause), as `docker unpause` would. */
  unpause?: { command: string; run(): Promise<void> };
}

/** Kubernetes' default terminationGracePeriodSeconds (the API server's default for a pod). */
const KUBERNETES_DEFAULT_GRACE = 30;

async function locate(o: RescueOptions): Promise<Located> {
  const conn = await connectRuntime(o.runtime ?? {});
  if (conn.runtime === 'containerd') {
    const c = await findContainerd(o.container, conn.options);
    const facts = asContainerFacts(c);
    const grace =
      c.kube?.grace !== undefined
        ? { seconds: c.kube.grace, from: "the pod's terminationGracePeriodSeconds" }
        : c.kube
          ? { seconds: KUBERNETES_DEFAULT_GRACE, from: "Kubernetes' default (the pod's own is visible only through containerd's socket)" }
          : { seconds: 10, from: "Docker's default (containerd has none of its own)" };
    const notes = c.kube ? ['the kubelet restarts a container that exits while its pod lives (restartPolicy); delete the pod to have it gone'] : [];
    const describe = new ContainerdTaskTarget(c, () => undefined);
    return {
      runtime: 'containerd',
      facts,
      grace,
      notes,
      stopCommand: (t) => describe.stopCommand(t),
      attach: async (watcher) => new ContainerdTaskTarget(c, () => watcher.exitOf(c.hostPid)),
    };
  }
  const { engine } = conn;
  if (conn.runtime === 'podman') {
    const facts = await runningPodmanContainer(engine, o.container, conn.where);
    const notes = ["Podman's stop emits no kill events: pid1 sends each signal through its API (podman kill) and records it"];
    let grace = { seconds: facts.stopTimeout, from: "the container's StopTimeout" };
    if (facts.stopTimeout === 0) {
      // Podman before 4.7 gives containers created through its Docker API a stop timeout of 0 (podman.ts, podmanQuirks).
      grace = { seconds: 10, from: "Docker's default: the container's StopTimeout is 0 (what Podman before 4.7 gives containers created through its Docker API), which would SIGKILL at once" };
    }
    return {
      runtime: 'podman',
      facts,
      grace,
      notes,
      stopCommand: (t) => `podman stop -t ${t} (replayed by pid1 through Podman's API)`,
      attach: () => ContainerTarget.attach(engine, facts.id, 'podman'),
      unpause: { command: 'podman unpause', run: () => engine.getContainer(facts.id).unpause() },
    };
  }
  const facts = await runningContainer(engine, o.container);
  return {
    runtime: 'docker',
    facts,
    notes: [],
    grace: facts.stopTimeout !== undefined ? { seconds: facts.stopTimeout, from: "the container's StopTimeout" } : { seconds: 10, from: "Docker's default" },
    stopCommand: (t) => `docker stop -t ${t}`,
    attach: () => ContainerTarget.attach(engine, facts.id, 'docker'),
    unpause: { command: 'docker unpause', run: () => engine.getContainer(facts.id).unpause() },
  };
}

/**
 * Is `hostPid` still the process that started at `starttime` (field 22 of /proc/PID/stat, read with the
 * tree)? With the PID, the start time names one process: a PID reused by another process since is told apart.
 */
export function sameProcess(hostPid: number, starttime: number | undefined): boolean {
  return starttime !== undefined && readStat(hostPid)?.starttime === starttime;
}

export async function rescue(o: RescueOptions): Promise<RescueReport> {
  const located = await locate(o);
  const { facts } = located;
  let signal: string;
  try {
    signal = signalName(parseSignal(o.signal ?? facts.stopSignal));
  } catch (err) {
    throw new UserError(`--signal: ${messageOf(err)}`);
  }
  const sig = parseSignal(signal);
  const graceSeconds = o.grace ?? located.grace.seconds;
  const graceFrom = o.grace !== undefined ? '--grace' : located.grace.from;
  await loadShellParser(); // live shells are read with the shell model (traps, waits)
  // A paused container's processes are frozen (cgroup freezer): a signal stays pending and no handler
  // runs until it is thawed, so signalling it and waiting out the grace would prove nothing. Unpause it
  // first, and say so.
  let unpausedAt: number | undefined;
  if (facts.paused === true && !o.dryRun) {
    if (!located.unpause) throw new UserError(`container ${facts.name} is paused, and pid1 cannot unpause a ${located.runtime} container: unpause it, then run pid1 stop again`);
    try {
      await located.unpause.run();
    } catch (err) {
      throw new UserError(`container ${facts.name} is paused and could not be unpaused: ${engineMessage(err)}`);
    }
    unpausedAt = mono();
  }
  const tree = namespaceTree(facts.hostPid);
  // Who each process is, as the tree read it: everything later (engine round-trips, the watcher) takes time.
  const startedAt = new Map(tree.processes.map((p) => [p.hostPid, p.starttime]));
  // pid1 stop is the stop: its report advises no other way to stop it now.
  const verdict = await liveVerdict(tree, signal, { container: facts.name, stopping: true });
  const before = inspectReport(tree, verdict, facts);
  const normalStop = located.stopCommand(graceSeconds);
  const base = {
    container: { id: facts.id, name: facts.name, image: facts.image },
    runtime: located.runtime,
    normalStop,
    ...(located.notes.length ? { notes: located.notes } : {}),
    signal,
    graceSeconds,
    graceFrom,
    before,
    dryRun: o.dryRun,
    paused: facts.paused === true,
  };

  let mode: RescueReport['mode'];
  let why: string;
  let chosen: TreeNode[] = [];
  if (verdict.outcome === 'graceful') {
    mode = 'normal';
    why = `PID 1 (${tree.init.comm}) receives ${signal} and the service shuts down: a normal stop (${normalStop}) is graceful`;
  } else {
    chosen = topHandlers(tree.processes, tree.init, sig);
    if (!chosen.length) {
      const kill = located.runtime === 'containerd' ? 'SIGKILL to its PID 1 does it now' : `${located.runtime} kill does it now`;
      throw new UserError(
        `refusing to stop ${facts.name}: nothing in it handles ${signal} (PID 1 ${tree.init.comm}: ${verdict.deliveryWhy}; no other process has a handler), so signalling it directly would change nothing; a normal stop will SIGKILL it after the grace period (${kill})`,
      );
    }
    mode = 'direct';
    why = `${verdict.summary} pid1 signals the top-most processes that handle ${signal} directly from the host`;
  }
  const targets: RescueTarget[] = chosen.map((p) => ({ pid: p.pid, hostPid: p.hostPid, name: p.comm, argv: p.argv }));
  if (o.dryRun) {
    const first = facts.paused === true ? 'would unpause it (it is paused: frozen processes cannot handle a signal), then ' : 'would ';
    return {
      ...base,
      mode,
      why,
      targets,
      timeline: [],
      summary:
        mode === 'direct'
          ? `${first}send ${signal} to ${targets.map((t) => `${t.name} (PID ${t.pid})`).join(', ')}, wait up to ${graceSeconds} s, then stop the container`
          : `${first}run ${normalStop}`,
      exitStatus: 0,
    };
  }

  const watcher = await ExitWatcher.open();
  let target: StopTarget | undefined;
  const timeline: TimelineEvent[] = [];
  try {
    target = await located.attach(watcher);
    for (const p of tree.processes) watcher.watch(p.hostPid, p.comm, p.pid);
    const t0 = mono();
    const rel = (at: number): number => Math.round((at - t0) * 10) / 10;
    const deadline = t0 + graceSeconds * 1000;
    if (unpausedAt !== undefined)
      timeline.push({
        t: rel(unpausedAt),
        kind: 'note',
        text: `the container was paused: pid1 unpaused it first (${located.unpause?.command ?? 'unpause'}), as frozen processes cannot handle a signal`,
      });
    if (mode === 'direct') {
      for (const p of chosen) {
        // Only the process that was read: a PID reused since then is someone else (checked last thing before the kill).
        if (!sameProcess(p.hostPid, startedAt.get(p.hostPid))) {
          timeline.push({
            t: rel(mono()),
            kind: 'note',
            text: `${p.comm} (PID ${p.pid}, host ${p.hostPid}) is not the process that was read any more (it exited, or its PID was reused): not signalled`,
          });
          continue;
        }
        try {
          const at = mono();
          process.kill(p.hostPid, sig); // by number: Node knows no names for real-time signals
          timeline.push({ t: rel(at), kind: 'signal', signal, to: `${p.comm} (PID ${p.pid}, host ${p.hostPid})`, by: 'pid1 stop (from the host)' });
        } catch (err) {
          timeline.push({ t: rel(mono()), kind: 'note', text: `could not signal ${p.comm} (PID ${p.pid}): ${messageOf(err)}` });
        }
      }
      // Wait for the signalled processes (and so, usually, the container) within the grace period.
      while (mono() < deadline && !target.exit && chosen.some((p) => !watcher.exitOf(p.hostPid))) await sleep(5);
    }
    if (!target.exit) {
      // Then the normal stop: what is left gets the stop signal, and SIGKILL after the rest of the grace.
      const left = Math.max(1, Math.ceil((deadline - mono()) / 1000));
      const t = mode === 'normal' ? graceSeconds : left;
      timeline.push({ t: rel(mono()), kind: 'note', text: located.stopCommand(t) });
      await target.engineStop(t);
    }
    const exit = await target.exited(10_000);
    await watcher.allEnded(1000);
    await target.logsDone(500);
    // The engine's signals at the times they were sent, never after the exits they caused.
    settleSignals(target.signals, [...watcher.exits.map((e) => e.at), ...target.logs.map((l) => l.at)]);
    for (const s of target.signals) if (s.at >= t0 - 5) timeline.push({ t: rel(s.at), kind: 'signal', signal: s.signal, to: `PID 1 (${tree.init.comm})`, by: s.by });
    for (const e of watcher.exits)
      timeline.push({
        t: rel(e.at),
        kind: 'exit',
        hostPid: e.hostPid,
        ...(e.pid !== undefined ? { pid: e.pid } : {}),
        name: e.name,
        status: describeStatus(e.status),
        ...(e.status?.code !== undefined ? { code: e.status.code } : {}),
        ...(e.status?.signal ? { signal: e.status.signal } : {}),
        source: e.source,
      });
    for (const l of target.logs) if (l.at >= t0) timeline.push({ t: rel(l.at), kind: 'log', stream: l.stream, line: l.line });
    if (exit) timeline.push({ t: rel(exit.at), kind: 'container-exit', of: 'container', exitCode: exit.exitCode });
    timeline.sort((a, b) => a.t - b.t);
    const killed = target.signals.some((s) => s.signal === 'SIGKILL' && s.at >= t0);
    let outcome: RescueReport['outcome'];
    let summary: string;
    if (mode === 'direct') {
      for (const t of targets) {
        const e = watcher.exitOf(t.hostPid);
        t.ended = e ? describeStatus(e.status) : 'still running';
        if (e) t.atMs = Math.round(e.at - t0);
      }
      const ends = targets.map((t) => watcher.exitOf(t.hostPid));
      // Its own exit (a status, not a signal) is its own shutdown, also when it came during the final
      // docker stop; killed means SIGKILL ended it; abrupt, that another signal's default action did.
      const own = ends.every((e) => e?.status && e.status.signal === undefined);
      const sigkilled = ends.some((e) => !e || e.status?.signal === 'SIGKILL');
      outcome = own ? 'graceful' : sigkilled ? (killed ? 'killed' : 'abrupt') : 'abrupt';
      summary = `${targets.map((t) => `${t.name} (PID ${t.pid}): ${t.ended}${t.atMs !== undefined ? ` after ${t.atMs} ms` : ''}`).join('; ')}; the container exited with status ${exit?.exitCode ?? '?'}`;
    } else {
      outcome = killed ? 'killed' : 'graceful';
      summary = `${normalStop}: the container exited with status ${exit?.exitCode ?? '?'}${killed ? ' after SIGKILL' : ''}`;
    }
    if (unpausedAt !== undefined) summary = `unpaused first; ${summary}`;
    return { ...base, mode, why, targets, timeline, outcome, summary, ...(exit ? { exitCode: exit.exitCode } : {}), exitStatus: outcome === 'graceful' ? 0 : 1 };
  } finally {
    watcher.close();
    await target?.detach();
  }
}

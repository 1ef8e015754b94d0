/**
 * The stop sequences, each as its runtime performs it:
 * - docker: `docker stop -t G` = the engine's ContainerStop: the configured StopSignal to PID 1, wait
 *   G seconds, SIGKILL. pid1 calls that same Engine API endpoint, so the engine does the sequence.
 * - compose: `docker compose stop` calls the same endpoint with stop_grace_period (whole seconds,
 *   truncated) and the container created with stop_signal.
 * - kubelet (kuberuntime killContainer): run preStop and wait for it at most the grace period;
 *   subtract the seconds it took (truncated: int64(elapsed.Seconds())); never leave less than 2 s
 *   (minimumGracePeriodInSeconds); then the CRI's StopContainer: the image's STOPSIGNAL (or
 *   lifecycle.stopSignal) to PID 1, SIGKILL after the remaining seconds. pid1 does these steps itself.
 */
import http from 'node:http';
import https from 'node:https';
import { readProcess } from '../proc/read.js';
import { parseSignal, signalName } from '../model/signals.js';
import { UserError, messageOf } from '../util/errors.js';
import { mono, sleep, sleepAtLeast, within } from './clock.js';
import type { ExitWatcher } from './exits.js';
import type { RunnablePreStop as PreStop } from '../sources/launch.js';
import { describePreStop } from './pick-container.js';
import { settleSignals, type RuntimeSignal, type Target, type TargetExit } from './target.js';

export type PolicyName = 'docker' | 'kubelet' | 'compose';

export interface StopPolicy {
  name: PolicyName;
  signal: string;
  /** Where the signal came from: default, --stop-signal, image STOPSIGNAL, compose stop_signal, lifecycle.stopSignal. */
  signalFrom: string;
  graceSeconds: number;
  graceFrom: string;
  preStop?: PreStop;
  /** kubelet: the least it leaves between the stop signal and SIGKILL. */
  minimumGraceSeconds?: number;
  /** The sequence in words, one step a line. */
  steps: string[];
}

const DEFAULT_GRACE: Record<PolicyName, number> = { docker: 10, compose: 10, kubelet: 30 };
/** kuberuntime's minimumGracePeriodInSeconds. */
const KUBELET_MINIMUM_GRACE = 2;

interface PolicyInputs {
  name: PolicyName;
  /** --stop-signal */
  signalOverride?: string;
  /** From the compose file or manifest, with where. */
  specSignal?: { signal: string; from: string };
  /** The image's STOPSIGNAL. */
  imageSignal?: string;
  /** --grace */
  graceOverride?: number;
  specGrace?: { seconds: number; from: string };
  preStop?: PreStop;
  /**
   * Who carries out a docker/compose sequence: the engine (a container: pid1 calls its stop endpoint), or
   * pid1 itself (`-- CMD`: no engine; pid1 signals the namespace's init from the host, as the engine would).
   */
  sender?: 'engine' | 'pid1';
}

function canonical(sig: string, what: string): string {
  try {
    return signalName(parseSignal(sig));
  } catch (err) {
    throw new UserError(`${what}: ${messageOf(err)}`);
  }
}

export function resolvePolicy(i: PolicyInputs): StopPolicy {
  let signal = 'SIGTERM';
  let signalFrom = 'default';
  if (i.signalOverride) {
    signal = canonical(i.signalOverride, '--stop-signal');
    signalFrom = '--stop-signal';
  } else if (i.specSignal) {
    signal = canonical(i.specSignal.signal, i.specSignal.from);
    signalFrom = i.specSignal.from;
  } else if (i.imageSignal) {
    signal = canonical(i.imageSignal, "the image's STOPSIGNAL");
    signalFrom = 'image STOPSIGNAL';
  }
  let grace = DEFAULT_GRACE[i.name];
  let graceFrom = `${i.name} default`;
  if (i.graceOverride !== undefined) {
    grace = i.graceOverride;
    graceFrom = '--grace';
  } else if (i.specGrace) {
    grace = i.specGrace.seconds;
    graceFrom = i.specGrace.from;
  }
  if (i.preStop && i.name !== 'kubelet') throw new UserError(`a preStop hook is a kubelet feature: use --policy kubelet`);
  const steps: string[] = [];
  if (i.name === 'kubelet') {
    if (i.preStop)
      steps.push(
        `run the preStop hook (${describePreStop(i.preStop)}), waiting for it at most the ${grace} s grace period; subtract the whole seconds it took, leaving at least ${KUBELET_MINIMUM_GRACE} s`,
      );
    steps.push(`send ${signal} to PID 1 (the CRI's StopContainer)`);
    steps.push(i.preStop ? 'SIGKILL every process when the remaining grace expires' : `SIGKILL every process ${grace} s later`);
  } else if (i.sender === 'pid1') {
    const as = i.name === 'compose' ? 'docker compose stop' : `docker stop -t ${grace}`;
    steps.push(`pid1 sends ${signal} to PID 1 from the host, as ${as} would (no engine runs a command given with --)`);
    steps.push(`pid1 SIGKILLs PID 1 ${grace} s later if it is still running (the kernel then ends every process of the namespace)`);
  } else {
    steps.push(`${i.name === 'compose' ? 'docker compose stop' : `docker stop -t ${grace}`}: the engine sends ${signal} to PID 1`);
    steps.push(`the engine SIGKILLs every process ${grace} s later if it is still running`);
  }
  return {
    name: i.name,
    signal,
    signalFrom,
    graceSeconds: grace,
    graceFrom,
    steps,
    ...(i.preStop ? { preStop: i.preStop } : {}),
    ...(i.name === 'kubelet' ? { minimumGraceSeconds: KUBELET_MINIMUM_GRACE } : {}),
  };
}

export interface PreStopRun {
  description: string;
  startedAt: number;
  endedAt: number;
  ms: number;
  outcome: 'completed' | 'failed' | 'timed out';
  detail: string;
  /** What the kubelet subtracts: whole seconds. */
  subtractedSeconds: number;
  remainingSeconds: number;
  /** The remainder was below the minimum and raised to it. */
  raisedToMinimum: boolean;
}

export interface FastEvidence {
  /** When pid1 concluded (monotonic ms). */
  at: number;
  evidence: string[];
}

export interface StopRun {
  /** The first stop action: the preStop hook or the stop signal. */
  t0: number;
  /** When the stop signal was sent. */
  signalAt: number;
  /** When SIGKILL was due. */
  deadline: number;
  /** Seconds between the stop signal and SIGKILL. */
  graceSeconds: number;
  /** When SIGKILL was sent, if it came. */
  sigkillAt?: number;
  sigkillBy?: string;
  exit?: TargetExit;
  preStop?: PreStopRun;
  fast?: FastEvidence;
  /** When pid1 called the engine's stop (docker/compose): its signals' times are settled from the engine's events. */
  engineStopAt?: number;
}

function httpGet(p: Extract<PreStop, { kind: 'httpGet' }>, timeoutMs: number): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const mod = p.scheme === 'HTTPS' ? https : http;
    // The kubelet does not verify certificates of HTTPS hooks.
    const req = mod.get(
      { host: p.host, port: p.port, path: p.path, headers: { 'User-Agent': 'kube-lifecycle/pid1', ...p.headers }, timeout: timeoutMs, ...(p.scheme === 'HTTPS' ? { rejectUnauthorized: false } : {}) },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function checkPreStopReachable(p: PreStop | undefined, network: string): void {
  if (p?.kind !== 'httpGet') return;
  if (!LOOPBACK.has(p.host)) throw new UserError(`preStop httpGet host ${p.host}: pid1 test sends hook requests to loopback only (127.0.0.1)`);
  if (network !== 'host') throw new UserError('preStop httpGet needs the service reachable on 127.0.0.1: run with --network host');
}

type HookResult = { outcome: PreStopRun['outcome']; detail: string };

/** Run the hook as the kubelet does, waiting for it at most `limitMs`. */
async function runHook(target: Target, p: PreStop, limitMs: number, graceSeconds: number): Promise<HookResult> {
  const timedOut: HookResult = { outcome: 'timed out', detail: `still running when the ${graceSeconds} s grace period ran out; the kubelet stops waiting for it` };
  switch (p.kind) {
    case 'exec': {
      const r = await target.exec(p.command, limitMs);
      const out = r.output.trim();
      const said = out ? `; output: ${out.split('\n').slice(-3).join(' | ')}` : '';
      if (r.timedOut) return { ...timedOut, detail: timedOut.detail + said };
      if (r.error || r.code !== 0) return { outcome: 'failed', detail: (r.error ?? `exit ${r.code}`) + said };
      return { outcome: 'completed', detail: `exit 0${said}` };
    }
    case 'sleep':
      if (p.seconds * 1000 > limitMs) {
        await sleepAtLeast(limitMs);
        return timedOut;
      }
      await sleepAtLeast(p.seconds * 1000);
      return { outcome: 'completed', detail: `slept ${p.seconds} s` };
    case 'httpGet':
      try {
        const r = await within(httpGet(p, limitMs), limitMs, undefined);
        if (!r) return timedOut;
        return { outcome: r.status >= 200 && r.status < 400 ? 'completed' : 'failed', detail: `HTTP ${r.status}` };
      } catch (err) {
        return { outcome: 'failed', detail: messageOf(err) };
      }
  }
}

async function runPreStop(target: Target, p: PreStop, graceSeconds: number): Promise<PreStopRun> {
  const startedAt = mono();
  const limitMs = graceSeconds * 1000;
  const { outcome, detail } = await runHook(target, p, limitMs, graceSeconds);
  // The kubelet's time.After(grace) fires no earlier than the grace; a Node timer may, by a fraction of a ms.
  if (outcome === 'timed out') await sleepAtLeast(startedAt + limitMs - mono());
  const endedAt = mono();
  const ms = endedAt - startedAt;
  // kubelet: gracePeriod - int64(time.Since(start).Seconds()), then at least minimumGracePeriodInSeconds.
  const subtracted = Math.min(graceSeconds, Math.floor(ms / 1000));
  let remaining = graceSeconds - subtracted;
  const raised = remaining < KUBELET_MINIMUM_GRACE;
  if (raised) remaining = KUBELET_MINIMUM_GRACE;
  return { description: describePreStop(p), startedAt, endedAt, ms, outcome, detail, subtractedSeconds: subtracted, remainingSeconds: remaining, raisedToMinimum: raised };
}

/**
 * --fast: PID 1 has the stop signal at its default action (or ignored), so the kernel discards it
 * (a namespace init only receives signals it handles; SIGKILL/SIGSTOP from an ancestor are the
 * exceptions). Confirm it on the live process right after sending it: still running, nothing
 * exited, the signal not pending, no handler installed since. Then nothing can happen before the
 * runtime's SIGKILL.
 */
async function confirmDropped(target: Target, watcher: ExitWatcher, signal: string, signalAt: number, settleMs = 100): Promise<FastEvidence | undefined> {
  const sig = parseSignal(signal);
  const look = (): ReturnType<typeof readProcess> | undefined => {
    try {
      return readProcess(target.hostPid);
    } catch {
      return undefined;
    }
  };
  const first = look();
  if (!first || first.zombie) return undefined;
  await sleep(settleMs);
  const p = look();
  if (!p || p.zombie || target.exit) return undefined;
  const pending = [...p.masks.pending, ...p.masks.shared_pending].includes(sig);
  const handles = p.masks.caught.includes(sig) || p.takes.includes(sig);
  if (pending || handles) return undefined;
  const exitedSince = watcher.exits.filter((e) => e.at >= signalAt);
  if (exitedSince.length) return undefined;
  const ignored = p.masks.ignored.includes(sig);
  const at = mono();
  return {
    at,
    evidence: [
      `PID 1 (${p.comm}, host PID ${p.hostPid}) is the init of its PID namespace (NSpid ${p.nsPids.join(' ')})`,
      ignored
        ? `it ignores ${signal} (SigIgn ${p.rawMasks.SigIgn})`
        : `it has no handler for ${signal} (SigCgt ${p.rawMasks.SigCgt}, SigIgn ${p.rawMasks.SigIgn}): the kernel discards default-action signals sent to a namespace init`,
      `${Math.round(at - signalAt)} ms after ${signal} was sent, PID 1 is still ${p.stateName}, no process has exited, and ${signal} is not pending (SigPnd ${p.rawMasks.SigPnd}, ShdPnd ${p.rawMasks.ShdPnd})`,
    ],
  };
}

/** Times of what a signal can have caused: process exits and log lines. */
function reactionTimes(watcher: ExitWatcher, target: Target): number[] {
  return [...watcher.exits.map((e) => e.at), ...target.logs.map((l) => l.at)];
}

/**
 * The engine's stop at the times its signals were sent (settleSignals: never after what they caused).
 * Called when the stop returns, and again once every exit and log line is in (they arrive a little
 * after the container's exit), so that the verdict and the timeline use the final times.
 */
export function settleEngineStop(run: StopRun, target: Target, watcher: ExitWatcher, policy: StopPolicy): void {
  settleSignals(target.signals, reactionTimes(watcher, target));
  const requestedAt = run.engineStopAt;
  if (requestedAt === undefined) return;
  const since = (s: RuntimeSignal): boolean => (s.eventAt ?? s.at) >= requestedAt - 5;
  const sent = target.signals.find((s) => s.signal === policy.signal && since(s));
  run.signalAt = sent?.at ?? requestedAt;
  run.deadline = run.signalAt + run.graceSeconds * 1000;
  const kill = target.signals.find((s) => s.signal === 'SIGKILL' && since(s));
  if (kill) {
    run.sigkillAt = kill.at;
    run.sigkillBy = kill.by;
  }
}

interface SequenceOptions {
  /** Conclude at once when the kernel drops the stop signal at PID 1 (--fast). */
  fast: boolean;
}

/** Stop `target` as `policy` says, watching it; returns what was done and when. */
export async function runStop(target: Target, policy: StopPolicy, watcher: ExitWatcher, opts: SequenceOptions): Promise<StopRun> {
  const t0 = mono();
  let graceSeconds = policy.graceSeconds;
  let preStop: PreStopRun | undefined;
  if (policy.name === 'kubelet' && policy.preStop && graceSeconds > 0) {
    preStop = await runPreStop(target, policy.preStop, graceSeconds);
    graceSeconds = preStop.remainingSeconds;
  } else if (policy.name === 'kubelet' && graceSeconds < KUBELET_MINIMUM_GRACE) {
    graceSeconds = KUBELET_MINIMUM_GRACE;
  }
  const base = { t0, graceSeconds, ...(preStop ? { preStop } : {}) };
  if (target.exit) return { ...base, signalAt: mono(), deadline: mono(), exit: target.exit }; // the preStop hook ended it

  // The engine's own stop, unless pid1 must watch between the signal and the SIGKILL (--fast).
  if (policy.name !== 'kubelet' && target.engineStop && !opts.fast) {
    const requested = mono();
    await target.engineStop(graceSeconds);
    const exit = await target.exited(10_000);
    const run: StopRun = { ...base, signalAt: requested, deadline: requested + graceSeconds * 1000, engineStopAt: requested, ...(exit ? { exit } : {}) };
    settleEngineStop(run, target, watcher, policy);
    return run;
  }

  const signalAt = await target.kill(policy.signal);
  // SIGKILL is due `grace` after pid1 sent the stop signal (as the CRI counts it).
  const deadline = signalAt + graceSeconds * 1000;
  if (opts.fast) {
    const fast = await confirmDropped(target, watcher, policy.signal, signalAt);
    if (fast) return { ...base, signalAt, deadline, fast };
  }
  let exit = await target.exited(Math.max(0, deadline - mono()));
  if (!exit) {
    const sigkillAt = await target.kill('SIGKILL');
    exit = await target.exited(10_000);
    return { ...base, signalAt, deadline, sigkillAt, sigkillBy: policy.name === 'kubelet' ? 'the kubelet (pid1)' : 'pid1', ...(exit ? { exit } : {}) };
  }
  return { ...base, signalAt, deadline, exit };
}

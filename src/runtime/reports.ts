/**
 * The JSON shapes of `pid1 inspect`, `pid1 test` and `pid1 stop` (documented in docs/json.md and
 * docs/test.md), built by the runtime; the writers in src/report only format them. Times in a test's
 * timeline are milliseconds from the stop signal (from the start of the preStop hook when there is one).
 */
import type { InitEvent } from '../init/report.js';
import type { Outcome } from '../model/launch.js';
import { hostArch, signalName } from '../model/signals.js';
import type { NamespaceTree, TreeNode } from '../proc/tree.js';
import type { Verdict as LiveVerdict } from '../proc/verdict.js';
import type { ContainerFacts } from './docker.js';
import type { SignalEvent } from './trace/events.js';
import type { SignalTraceView } from './trace/test-signals.js';

export interface ProcessView {
  pid: number;
  hostPid: number;
  ppid: number;
  pgid: number;
  sid: number;
  state: string;
  user: string;
  comm: string;
  argv: string[];
  depth: number;
  zombie: boolean;
  caught: string[];
  ignored: string[];
  blocked: string[];
  pending: string[];
  takes: string[];
}

export interface InspectReport {
  container?: { id: string; name: string; image: string; stopSignal: string; init: boolean };
  pidNamespace: string;
  namespaceInit: boolean;
  processes: ProcessView[];
  zombies: { pid: number; hostPid: number; comm: string }[];
  verdict: LiveVerdict;
}

const names = (list: number[]): string[] => list.map((n) => signalName(n, hostArch()));

function processView(p: TreeNode): ProcessView {
  return {
    pid: p.pid,
    hostPid: p.hostPid,
    ppid: p.ppid,
    pgid: p.pgid,
    sid: p.sid,
    state: p.state,
    user: p.user,
    comm: p.comm,
    argv: p.argv,
    depth: p.depth,
    zombie: p.zombie,
    caught: names(p.masks.caught),
    ignored: names(p.masks.ignored),
    blocked: names(p.masks.blocked),
    pending: names([...new Set([...p.masks.pending, ...p.masks.shared_pending])]),
    takes: names(p.takes),
  };
}

export function inspectReport(tree: NamespaceTree, verdict: LiveVerdict, container?: ContainerFacts): InspectReport {
  return {
    ...(container ? { container: { id: container.id, name: container.name, image: container.image, stopSignal: container.stopSignal, init: container.init } } : {}),
    pidNamespace: tree.pidNs,
    namespaceInit: tree.isolated,
    processes: tree.processes.map(processView),
    zombies: tree.zombies.map((z) => ({ pid: z.pid, hostPid: z.hostPid, comm: z.comm })),
    verdict,
  };
}

export type Verdict = 'graceful' | 'killed' | 'abrupt' | 'nostart';

/**
 * What the kernel did with a signal, from its signal/signal_generate tracepoint (pid1 watch's
 * events, docs/watch.md): the result, why it was ignored, and the process it was generated for.
 */
export interface KernelResultView {
  result: SignalEvent['result'];
  reason?: SignalEvent['reason'];
  /** The result in words ("ignored: default action at a namespace init"). */
  why: string;
  target: { pid: number; nsPid?: number; command: string };
  sender: { pid: number; command: string; role: SignalEvent['sender']['role'] };
  /** The same signal generated this many times in a row (a storm), when more than once. */
  count?: number;
}

export type TimelineEvent =
  | { t: number; kind: 'prestop'; phase: 'start' | 'end'; text: string }
  /** A signal the runtime (or pid1 replaying it) sent to PID 1, with the kernel's result when tracefs was available. */
  | { t: number; kind: 'signal'; signal: string; to: string; by: string; kernel?: KernelResultView }
  /**
   * A signal only the kernel's trace saw (tracefs): forwarded by a process of the container (an init,
   * a wrapper), or the kernel's SIGKILLs to every process when PID 1 exits.
   */
  | { t: number; kind: 'kernel-signal'; signal: string; to: string; by: string; kernel: KernelResultView }
  | { t: number; kind: 'exit'; pid?: number; hostPid: number; name: string; status: string; code?: number; signal?: string; source: 'kernel' | 'zombie' | 'vanished' }
  | { t: number; kind: 'container-exit'; of: 'container' | 'namespace'; exitCode: number }
  | { t: number; kind: 'log'; stream: 'stdout' | 'stderr'; line: string }
  /** A line of pid1 init's JSON report (when PID 1 is pid1 init), shown as what it says. */
  | { t: number; kind: 'init'; event: string; text: string }
  | { t: number; kind: 'note'; text: string };

export interface PolicyView {
  name: 'docker' | 'kubelet' | 'compose';
  signal: string;
  signalFrom: string;
  graceSeconds: number;
  graceFrom: string;
  preStop?: string;
  minimumGraceSeconds?: number;
  steps: string[];
}

export interface PredictionView {
  outcome: Outcome;
  certain: boolean;
  summary?: string;
  path: string[];
  error?: string;
}

export interface ComparisonView {
  /** agrees; disagrees (a bug in pid1's model); explained (differs for a reason the model does not cover: timing); undecided (the model could not tell). */
  status: 'agrees' | 'disagrees' | 'explained' | 'undecided';
  predicted: Outcome;
  observed: Verdict;
  message: string;
}

export interface ObservationView {
  verdict: Verdict;
  /** One sentence. */
  summary: string;
  evidence: string[];
  /** ms from the stop signal to the container's exit. */
  stopMs?: number;
  exitCode?: number;
  sigkill: boolean;
  service?: { pid: number; hostPid: number; name: string; ended?: string; atMs?: number; statusFrom?: string };
}

export interface TestReport {
  /** The run's id: the value of the pid1.test.run label on what it created (PID1_TEST_RUN for a namespace). */
  run: string;
  target: {
    kind: 'image' | 'build' | 'compose' | 'manifest' | 'command';
    /** What was tested, as given: the image, the directory, `file service`, or the command. */
    label: string;
    image?: string;
    container?: { id: string; name: string };
    /** What ran as PID 1. */
    argv: string[];
    shell?: string;
    network?: string;
    notes: string[];
  };
  policy: PolicyView;
  readiness?: { ms: number; how: string[] };
  /** The process tree, masks and live verdict just before the stop (as `pid1 inspect --json`). */
  before?: InspectReport;
  prediction?: { live?: PredictionView; static?: PredictionView };
  preStop?: { description: string; ms: number; outcome: string; detail: string; subtractedSeconds: number; remainingSeconds: number; raisedToMinimum: boolean };
  timeline: TimelineEvent[];
  observation: ObservationView;
  verdict: Verdict;
  comparison?: { live?: ComparisonView; static?: ComparisonView };
  fast: boolean;
  /** `pid1 init`'s own shutdown report, when PID 1 was pid1 init and wrote one. */
  initReport?: { summary: string; events: InitEvent[] };
  /** Where exit statuses came from: the kernel's proc connector or /proc polling. */
  watcher: string;
  /** Where the signals' kernel results came from (a tracefs instance), or why there are none (not root, no tracefs). */
  signalTrace?: SignalTraceView;
  /** ms: ready = start to ready; verdict = stop signal to verdict. */
  durations: { readyMs?: number; stopMs?: number; verdictMs?: number; totalMs: number };
  /** 0 graceful, 1 otherwise. */
  exitStatus: 0 | 1;
}

/** `pid1 stop`: what it did to a running container, and how it ended. */
export interface RescueTarget {
  pid: number;
  hostPid: number;
  name: string;
  argv: string[];
  /** How it ended: "exit 0", "killed by SIGKILL", or "still running" when the grace expired. */
  ended?: string;
  atMs?: number;
}

export interface RescueReport {
  container: { id: string; name: string; image: string };
  /** The runtime the container runs on. */
  runtime?: 'docker' | 'podman' | 'containerd';
  /** The runtime's normal stop, as pid1 does it (docker stop -t 10; Podman's and the CRI's replayed). */
  normalStop?: string;
  /** Where the runtime makes pid1 act differently from Docker. */
  notes?: string[];
  signal: string;
  graceSeconds: number;
  graceFrom: string;
  before: InspectReport;
  /** direct: pid1 signalled the handlers itself; normal: PID 1 gets the signal, a plain stop does it. */
  mode: 'direct' | 'normal';
  why: string;
  targets: RescueTarget[];
  dryRun: boolean;
  /** It was paused (docker pause); unless --dry-run, pid1 unpaused it before signalling. */
  paused: boolean;
  timeline: TimelineEvent[];
  outcome?: 'graceful' | 'killed' | 'abrupt';
  summary: string;
  exitCode?: number;
  exitStatus: 0 | 1;
}

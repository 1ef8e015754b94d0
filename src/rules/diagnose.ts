/**
 * From a launch's chain and predicted stop to the one cause a rule reports. Each non-graceful launch
 * gets exactly one diagnosis, so rules never report the same problem twice.
 */
import { type ChainProcess, type StopPrediction, stopTrap } from '../model/launch.js';
import { usesShell } from '../sources/dockerfile/launch.js';
import { isOrchestrated, type Launch, type UnresolvedCode } from '../sources/launch.js';
import type { Severity } from './contract.js';

type Diagnosis =
  | { kind: 'graceful' }
  | { kind: 'none'; code: UnresolvedCode | 'no-chain' }
  | { kind: 'no-shell' }
  | { kind: 'malformed-json' }
  | { kind: 'command-line-word'; word: string }
  | { kind: 'no-shebang'; script: string }
  | { kind: 'invalid-stop-signal' }
  | { kind: 'shell-pid1'; proc: ChainProcess; index: number }
  | { kind: 'shell-under-init'; proc: ChainProcess; index: number; init: ChainProcess }
  | { kind: 'unknown-shell'; proc: ChainProcess; index: number }
  | { kind: 'script-no-exec'; proc: ChainProcess; index: number }
  | { kind: 'trap'; proc: ChainProcess; index: number; problem: 'deferred' | 'no-wait' | 'no-forward' }
  | { kind: 'package-manager'; proc: ChainProcess; index: number }
  | { kind: 'program-decides'; proc: ChainProcess; index: number }
  | { kind: 'no-handler'; proc: ChainProcess; index: number; reaction: 'dropped' | 'ignored' | 'reraised' | 'continues' | 'exits' }
  | { kind: 'server-signal'; proc: ChainProcess; graceful: string[] }
  | { kind: 'other'; prediction: StopPrediction }
  /** Kubernetes shareProcessNamespace: the container's process is not PID 1 (rule k8s-shared-pid-namespace). */
  | { kind: 'shared-pid'; prediction: StopPrediction };

const cache = new WeakMap<Launch, Diagnosis>();

export function diagnose(l: Launch): Diagnosis {
  const have = cache.get(l);
  if (have) return have;
  const d = compute(l);
  cache.set(l, d);
  return d;
}

function compute(l: Launch): Diagnosis {
  // SIGKILL/SIGSTOP as the stop signal: no process gets to shut down, whatever the image runs.
  if (l.unresolved && l.prediction && l.prediction.outcome !== 'graceful' && (l.stopSignal.signal === 'SIGKILL' || l.stopSignal.signal === 'SIGSTOP'))
    return { kind: 'other', prediction: l.prediction };
  if (l.unresolved) return { kind: 'none', code: l.unresolved.code };
  const lead = l.entrypoint ?? l.cmd;
  // malformed-json-form reports it: a broken exec form that fell back to the shell form
  if (lead?.form === 'shell' && lead.values[0]?.text.value.startsWith('[')) return { kind: 'malformed-json' };
  if (l.shell.family === 'none' && usesShell(l)) return { kind: 'no-shell' };
  // exec-form-command-line reports it: the runtime finds no program of that name and the container does not start
  if (l.commandLineWord !== undefined) return { kind: 'command-line-word', word: l.commandLineWord };
  if (l.stopSignal.invalid) return { kind: 'invalid-stop-signal' };
  // exec-form-no-shebang reports it: the runtime cannot exec the script, and the container does not start
  if (l.noShebang !== undefined) return { kind: 'no-shebang', script: l.noShebang };
  const pred = l.prediction;
  const chain = l.chain;
  if (pred && pred.outcome !== 'graceful' && isOrchestrated(l) && l.stop.sharedPidNamespace) return { kind: 'shared-pid', prediction: pred };
  if (!pred || !chain) return { kind: 'none', code: 'no-chain' };
  if (pred.outcome === 'graceful') return { kind: 'graceful' };
  const procs = chain.processes;
  const first = procs[0] as ChainProcess;
  // su as PID 1 SIGKILLs the service 2 s after the signal, whatever the shell between them does (launch.ts)
  if (first.killsChildAfter !== undefined && pred.outcome === 'abrupt') return { kind: 'other', prediction: pred };
  for (let i = 0; i < procs.length; i++) {
    const p = procs[i] as ChainProcess;
    // the last process is the service, unless it is a shell whose command pid1 could not follow
    if (i === procs.length - 1 && p.role !== 'shell') break;
    // npm & co. forward the signal to their `sh -c` child: lost when that child is a shell that stays.
    if (p.role === 'package-manager') {
      const child = procs[i + 1];
      if (!child || child.role === 'shell' || p.waitsForChild === false) return { kind: 'package-manager', proc: p, index: i };
      continue;
    }
    // a shell script of the image's that pid1 knows without reading (apachectl): it keeps the service as its child
    if (p.role === 'shell' && p.shell === undefined && i < procs.length - 1) return { kind: 'other', prediction: pred };
    const isShell = p.programs.some((x) => x.role === 'shell') && p.shell !== undefined;
    if (!isShell || !p.shell) continue;
    if (p.deferred) return { kind: 'trap', proc: p, index: i, problem: 'deferred' };
    if (p.shell.wait && p.handles === 'yes' && p.forwards === 'none') return { kind: 'trap', proc: p, index: i, problem: 'no-forward' };
    if (p.shell.wait && p.waitsForChild === false) return { kind: 'trap', proc: p, index: i, problem: 'no-wait' };
    if (p.role !== 'shell') continue; // a trap that forwards and waits: fine
    // a keep-alive loop under an init that signals the group: its trap runs at once and decides (launch.ts), not an exec
    if (i > 0 && i === procs.length - 1 && p.shell.end?.kind === 'loop' && procs[i - 1]?.forwards === 'group' && stopTrap(p.shell, l.stopSignal.signal)) return { kind: 'other', prediction: pred };
    if (p.shell.mode === 'script') return { kind: 'script-no-exec', proc: p, index: i };
    // An unknown /bin/sh decides only where bash or busybox ash would exec the command (not a loop or a pipeline).
    if (p.shell.family === 'unknown' && p.shell.mode === 'command' && l.chain?.opaque?.code === 'unknown-shell') return { kind: 'unknown-shell', proc: p, index: i };
    if (i === 0) return { kind: 'shell-pid1', proc: p, index: i };
    return { kind: 'shell-under-init', proc: p, index: i, init: first };
  }
  const service = procs[procs.length - 1] as ChainProcess;
  if (service.role === 'package-manager') return { kind: 'package-manager', proc: service, index: procs.length - 1 };
  const index = procs.length - 1;
  // A supervisor: one of the services it runs loses the stop (stop-not-graceful names it and its signal).
  if (service.supervised) return { kind: 'other', prediction: pred };
  if (service.role === 'service' && service.reaction === 'program-decides' && pred.outcome === 'unknown') return { kind: 'program-decides', proc: service, index };
  // The service itself does nothing graceful with the signal (the catalogue, or its program's source).
  const r = service.reaction;
  // Below PID 1 the default action applies: with no handler (or a re-raise with SIG_DFL) the program ends at once
  // when the signal reaches it (kernel/signal.c sig_task_ignored drops default-action signals only for a namespace init).
  if (service.role === 'service' && index > 0 && (r === 'dropped' || r === 'reraised')) return { kind: 'other', prediction: pred };
  if (
    service.role === 'service' &&
    (r === 'dropped' || r === 'ignored' || r === 'reraised' || r === 'continues' || (r === 'exits' && service.gracefulOnSignal === 'no' && !service.programs.at(-1)?.graceful?.length))
  ) {
    return { kind: 'no-handler', proc: service, index, reaction: r };
  }
  if (service.gracefulOnSignal === 'no' && service.role === 'service') {
    return { kind: 'server-signal', proc: service, graceful: service.programs[service.programs.length - 1]?.graceful ?? [] };
  }
  return { kind: 'other', prediction: pred };
}

/** Error when the prediction is certain; warning when it depends on what pid1 cannot see. */
export function severityOf(l: Launch, certain = l.prediction?.certain ?? false): Severity {
  return certain ? 'error' : 'warning';
}

/** The signal's path as "why" lines. */
export function whyOf(l: Launch): string[] {
  const p = l.prediction;
  const out: string[] = [];
  if (l.shell.family !== 'unknown' || l.shell.how) out.push(`/bin/sh: ${l.shell.family === 'none' ? 'none' : l.shell.family} (${l.shell.how})`);
  if (p) out.push(...p.path);
  if (l.chain?.opaque) out.push(`not visible to pid1: ${l.chain.opaque.message}`);
  if (l.chain?.everyShellLoses) out.push("the image's /bin/sh is unknown: read as dash, bash and busybox ash in turn, the stop is lost under each");
  return out;
}

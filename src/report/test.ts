/** `pid1 test`'s text view of a test report (src/runtime/reports.ts). */
import type { Outcome } from '../model/launch.js';
import type { KernelResultView, TestReport, TimelineEvent, Verdict } from '../runtime/reports.js';
import { colour, formatInspect } from './inspect.js';
import { safeDeep } from '../util/sanitize.js';

const ms = (t: number): string => `${t.toFixed(1).padStart(9)}`;

export function verdictTag(v: Verdict | Outcome, c: (code: string, s: string) => string = (_, s) => s): string {
  return ({ graceful: c('32', 'GRACEFUL'), killed: c('31', 'KILLED'), abrupt: c('33', 'ABRUPT'), nostart: c('31', 'NOSTART'), unknown: c('33', 'UNKNOWN') } as const)[v];
}

/** The kernel's result, and for a runtime's signal which process it was generated for and by whom. */
function kernelWords(k: KernelResultView): string {
  const times = k.count ? ` (${k.count} times)` : '';
  return `${k.why} (host PID ${k.target.pid}${k.target.nsPid !== undefined ? `, PID ${k.target.nsPid} inside` : ''}; sent by ${k.sender.command}, host PID ${k.sender.pid})${times}`;
}

export function formatEvent(e: TimelineEvent): string {
  switch (e.kind) {
    case 'prestop':
      return `preStop ${e.phase === 'start' ? 'starts' : 'ends'}: ${e.text}`;
    case 'signal':
      return `${e.signal} -> ${e.to}, sent by ${e.by}${e.kernel ? `; the kernel: ${kernelWords(e.kernel)}` : ''}`;
    case 'kernel-signal':
      return `kernel ${e.signal} -> ${e.to}, sent by ${e.by}: ${e.kernel.why}${e.kernel.count ? ` (${e.kernel.count} times)` : ''}`;
    case 'exit':
      return `exit   ${e.name}${e.pid !== undefined ? ` (PID ${e.pid}, host ${e.hostPid})` : ` (host PID ${e.hostPid})`}: ${e.status}${e.source === 'kernel' ? '' : e.source === 'zombie' ? ' (seen as a zombie)' : ' (status not seen)'}`;
    case 'container-exit':
      return e.of === 'namespace' ? `the namespace's init is gone (status ${e.exitCode})` : `container exited with status ${e.exitCode}`;
    case 'log':
      return `log    ${e.stream === 'stderr' ? '[stderr] ' : ''}${e.line}`;
    case 'init':
      return `init   ${e.text}`;
    case 'note':
      return e.text;
  }
}

/** The loud lines for a disagreement (also written to stderr by the CLI). */
export function disagreementLines(report: TestReport): string[] {
  const r = safeDeep(report);
  const out: string[] = [];
  for (const [which, cmp] of [
    ['live', r.comparison?.live],
    ['static', r.comparison?.static],
  ] as const) {
    if (cmp?.status !== 'disagrees') continue;
    out.push(
      `!!! PREDICTION DISAGREES WITH OBSERVATION (${which === 'live' ? 'model on the live process tree' : 'model on the launch command'}): predicted ${cmp.predicted}, observed ${cmp.observed}.`,
    );
    out.push(`!!! ${cmp.message}`);
    out.push("!!! This is a bug in pid1's model: please report it with the --json output.");
  }
  return out;
}

export function formatTest(report: TestReport, useColour = false): string {
  // log lines, command lines and process names come from inside the container: a container cannot write
  // escape sequences to the terminal or forge a workflow command (`::error::` in a log line)
  const r = safeDeep(report);
  const c = colour(useColour);
  const out: string[] = [];
  const p = r.policy;
  out.push(c('1', `pid1 test: ${r.target.label}`) + (r.target.container ? ` (container ${r.target.container.name})` : ''));
  if (r.target.argv.length) out.push(`  PID 1 runs: ${JSON.stringify(r.target.argv)}${r.target.shell ? `; /bin/sh is ${r.target.shell}` : ''}`);
  out.push(`  Stop policy: ${p.name}: ${p.signal} (${p.signalFrom}), grace ${p.graceSeconds} s (${p.graceFrom})${p.preStop ? `, preStop ${p.preStop}` : ''}`);
  for (const s of p.steps) out.push(`    - ${s}`);
  for (const n of r.target.notes) out.push(`  Note: ${n}`);
  if (r.readiness) out.push(`  Ready after ${Math.round(r.readiness.ms)} ms: ${r.readiness.how.join('; ')}`);
  if (r.before) {
    out.push('');
    out.push(c('1', 'Before the stop:'));
    for (const line of formatInspect(r.before, useColour).trimEnd().split('\n')) out.push(line ? `  ${line}` : '');
  }
  if (r.prediction?.static) {
    const s = r.prediction.static;
    out.push(`  From the launch command alone: ${s.error ? `no prediction (${s.error})` : `${verdictTag(s.outcome, c)}${s.certain ? '' : ' (not certain)'}`}`);
  }
  if (r.preStop) {
    const h = r.preStop;
    out.push('');
    out.push(
      `preStop ${h.description}: ${h.outcome} after ${Math.round(h.ms)} ms (${h.detail}); the kubelet subtracts ${h.subtractedSeconds} s: ${h.remainingSeconds} s left${h.raisedToMinimum ? " (raised to the kubelet's 2 s minimum)" : ''}`,
    );
  }
  if (r.timeline.length) {
    out.push('');
    out.push(c('1', `Timeline (ms from ${r.preStop ? 'the start of the preStop hook' : `the ${r.policy.signal}`}):`));
    const st = r.signalTrace;
    if (st?.source === 'none') out.push(`  (no kernel results for the signals: ${st.why})`);
    for (const w of st?.source === 'tracefs' ? (st.warnings ?? []) : []) out.push(`  (kernel trace: ${w})`);
    for (const e of r.timeline) out.push(`  ${ms(e.t)}  ${formatEvent(e)}`);
  }
  out.push('');
  const o = r.observation;
  out.push(`Verdict: ${verdictTag(r.verdict, c)}${o.stopMs !== undefined ? ` in ${(o.stopMs / 1000).toFixed(2)} s` : ''}: ${o.summary}`);
  for (const e of o.evidence) out.push(`  - ${e}`);
  if (r.initReport) out.push(`  ${r.initReport.summary}`);
  for (const [which, cmp] of [
    ['live', r.comparison?.live],
    ['static', r.comparison?.static],
  ] as const) {
    if (!cmp || cmp.status === 'disagrees') continue;
    const head = which === 'live' ? 'Prediction (live process tree)' : 'Prediction (launch command)';
    out.push(`${head}: ${cmp.predicted}: ${cmp.status === 'agrees' ? c('32', 'agrees') : cmp.status}${cmp.message ? ` (${cmp.message})` : ''}`);
  }
  const loud = disagreementLines(r);
  if (loud.length) {
    out.push('');
    for (const l of loud) out.push(c('1;31', l));
  }
  return `${out.join('\n')}\n`;
}

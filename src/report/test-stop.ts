/** `pid1 stop` (the rescue) report: the text view; the JSON shape is RescueReport (docs/test.md). */
import type { RescueReport } from '../runtime/reports.js';
import { formatInspect } from './inspect.js';
import { formatEvent, verdictTag } from './test.js';
import { safeDeep } from '../util/sanitize.js';

export function formatRescue(report: RescueReport, useColour = false): string {
  // strings from inside the container, shown but never played (see formatTest)
  const r = safeDeep(report);
  const c = (code: string, s: string): string => (useColour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(c('1', `pid1 stop: ${r.container.name} (${r.container.id.slice(0, 12)}), ${r.signal}, grace ${r.graceSeconds} s (${r.graceFrom})`));
  for (const line of formatInspect(r.before, useColour).trimEnd().split('\n')) out.push(line ? `  ${line}` : '');
  out.push('');
  out.push(
    `Plan: ${r.paused ? 'unpause it (it is paused: frozen processes cannot handle a signal), then ' : ''}${r.mode === 'direct' ? `send ${r.signal} from the host to ${r.targets.map((t) => `${t.name} (PID ${t.pid}, host ${t.hostPid})`).join(', ')}, wait up to ${r.graceSeconds} s for ${r.targets.length > 1 ? 'them' : 'it'}, then stop the container normally` : (r.normalStop ?? `docker stop -t ${r.graceSeconds}`)}`,
  );
  out.push(`  Why: ${r.why}`);
  for (const n of r.notes ?? []) out.push(`  Note: ${n}`);
  if (r.dryRun) {
    out.push(`Dry run: ${r.summary}`);
    return `${out.join('\n')}\n`;
  }
  if (r.timeline.length) {
    out.push('');
    out.push(c('1', 'Timeline (ms from the first signal):'));
    for (const e of r.timeline) out.push(`  ${e.t.toFixed(1).padStart(9)}  ${formatEvent(e)}`);
  }
  out.push('');
  out.push(`Result: ${r.outcome ? verdictTag(r.outcome, c) : '?'}: ${r.summary}`);
  return `${out.join('\n')}\n`;
}

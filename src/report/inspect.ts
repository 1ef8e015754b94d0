/** `pid1 inspect`'s text view of an inspect report (src/runtime/reports.ts). */
import type { InspectReport } from '../runtime/reports.js';
import type { Listing } from '../runtime/inspect-runtime.js';
import { signalName } from '../model/signals.js';
import { safeDeep, safeJson, safeText } from '../util/sanitize.js';

/** The standard (non-real-time) signals a process can catch, without SIG: every one but KILL and STOP. */
const CLASSIC = Array.from({ length: 31 }, (_, i) => signalName(i + 1).replace(/^SIG/, '')).filter((n) => n !== 'KILL' && n !== 'STOP');
const isRealtime = (n: string): boolean => n.startsWith('RT') || /^\d+$/.test(n);

/**
 * Signal names without SIG, in the shorter of two spellings: the list itself, or `ALL-X,Y` (every
 * standard signal but X and Y); real-time signals are counted (`+31 RT`). The table's legend says so.
 */
function short(list: string[]): string {
  if (!list.length) return '-';
  const bare = list.map((s) => s.replace(/^SIG/, ''));
  const rt = bare.filter(isRealtime).length;
  const std = bare.filter((n) => !isRealtime(n));
  const listed = std.join(',');
  const missing = CLASSIC.filter((n) => !std.includes(n));
  const complement = missing.length ? `ALL-${missing.join(',')}` : 'ALL';
  const main = std.length && std.every((n) => CLASSIC.includes(n)) && complement.length < listed.length ? complement : listed;
  if (!rt) return main;
  return main ? `${main}+${rt} RT` : `${rt} RT`;
}

/**
 * A command line or name from inside the container, on one row: a process picks its own argv and comm,
 * so a newline would break the table and an ESC would drive the terminal; both are shown escaped
 * (\n, \e: util/sanitize.ts; idempotent, so a report already made safe reads the same).
 */
function oneLine(s: string): string {
  return safeText(s);
}

/** The legend of the signal columns, when the table uses the short spellings. */
function signalLegend(cells: string[]): string | undefined {
  const all = cells.some((c) => c.startsWith('ALL'));
  const rt = cells.some((c) => / RT$/.test(c));
  if (!all && !rt) return undefined;
  return `Signals without SIG${all ? '; ALL-X,Y = every standard signal but X and Y' : ''}${rt ? '; +N RT = and N real-time signals' : ''}`;
}

/** ANSI colouring, or identity when colour is off. */
export function colour(enabled: boolean): (code: string, s: string) => string {
  return (code, s) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
}

export function formatInspect(report: InspectReport, useColour = false): string {
  // command lines, process names and users come from inside the container: shown, never played
  const r = safeDeep(report);
  const c = colour(useColour);
  const out: string[] = [];
  if (r.container) out.push(`Container ${r.container.name} (${r.container.id.slice(0, 12)}), image ${r.container.image}, stop signal ${r.container.stopSignal}${r.container.init ? ', --init' : ''}`);
  out.push(`PID namespace ${r.pidNamespace}${r.namespaceInit ? '' : " (the host's: showing the subtree of the process)"}`);
  const header = ['PID', 'HOST', 'PPID', 'PGID', 'SID', 'S', 'USER', 'CAUGHT', 'IGNORED', 'BLOCKED', 'COMMAND'];
  const rows = r.processes.map((p) => [
    String(p.pid),
    String(p.hostPid),
    String(p.ppid),
    String(p.pgid),
    String(p.sid),
    p.state,
    p.user,
    short([...new Set([...p.caught, ...p.takes])]),
    short(p.ignored),
    short(p.blocked),
    `${'  '.repeat(p.depth)}${p.depth ? '└ ' : ''}${oneLine(p.zombie ? `[${p.comm}] <defunct>` : p.argv.join(' ') || `[${p.comm}]`)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cols: string[]): string => cols.map((col, i) => (i === cols.length - 1 ? col : col.padEnd(widths[i] ?? 0))).join('  ');
  out.push(c('1', line(header)));
  for (const row of rows) out.push(line(row));
  const legend = signalLegend(rows.flatMap((row) => row.slice(7, 10)));
  if (legend) out.push(legend);
  out.push(`Zombies: ${r.zombies.length ? oneLine(r.zombies.map((z) => `${z.pid} (${z.comm})`).join(', ')) : 'none'}`);
  const v = r.verdict;
  const tag = { graceful: c('32', 'GRACEFUL'), killed: c('31', 'KILLED'), abrupt: c('33', 'ABRUPT'), unknown: c('33', 'UNKNOWN'), nostart: c('31', 'NOSTART') }[v.outcome];
  out.push('');
  // The verdict names processes by their comm and argv: shown escaped too.
  out.push(`Verdict: ${tag}${v.certain ? '' : ' (not certain)'}: ${oneLine(v.summary)}`);
  for (const p of v.path) out.push(`  ${oneLine(p)}`);
  if (v.unreached.length) out.push(`  Handle ${v.stopSignal} but will never receive it: ${oneLine(v.unreached.map((u) => `${u.name} (PID ${u.pid})`).join(', '))}`);
  for (const cav of v.caveats) out.push(`  Note: ${oneLine(cav)}`);
  for (const a of v.advice) out.push(`  Fix: ${oneLine(a)}`);
  return `${out.join('\n')}\n`;
}

/** The rows of `pid1 inspect --all` as text: name, outcome, stop signal and grace, the verdict's summary. */
export function formatInspectAll(listing: Listing, useColour = false): string {
  // names, images and summaries (which quote command lines) come from the runtime and the containers
  const l = safeDeep(listing);
  const c = colour(useColour);
  const out: string[] = [];
  if (!l.containers.length) out.push('no running containers');
  for (const r of l.containers) {
    if (r.error !== undefined) {
      out.push(`${r.name.padEnd(24)} ${'ERROR'.padEnd(8)} ${r.error}`);
      continue;
    }
    const outcome = (r.outcome ?? 'unknown').toUpperCase().padEnd(8);
    const tag = r.outcome === 'graceful' ? c('32', outcome) : r.outcome === 'killed' ? c('31', outcome) : c('33', outcome);
    const grace = r.grace === null || r.grace === undefined ? 'grace ?' : `grace ${r.grace} s`;
    const stop = r.stopSignal ? `${r.stopSignal}, ${grace}${r.graceSpent ? ' (spent in full, then SIGKILL)' : ''}: ` : '';
    out.push(`${oneLine(r.name).padEnd(24)} ${tag} ${stop}${oneLine(r.summary ?? '')}`);
  }
  for (const n of l.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}

/**
 * The node audit's JSON lines: one per container (`record: "container"`), then one for the pass
 * (`record: "pass"`: how many containers, how many will be SIGKILLed, what could not be read).
 */
export function auditLines(l: Listing, at: { time: string; node: string }): string[] {
  // safeJson: exact strings, but nothing a terminal or a CI log acts on (one line each: no indent)
  const lines = l.containers.map((r) => safeJson({ record: 'container', time: at.time, node: at.node, ...r }, 0));
  const killed = l.containers.filter((r) => r.outcome === 'killed').length;
  lines.push(
    safeJson(
      { record: 'pass', time: at.time, node: at.node, runtime: l.runtime, containers: l.containers.length, killed, errors: l.containers.filter((r) => r.error !== undefined).length, notes: l.notes },
      0,
    ),
  );
  return lines;
}

/** `pid1 inspect`'s text view of an inspect report (src/runtime/reports.ts). */
import type { InspectReport } from '../runtime/reports.js';
import type { Listing } from '../runtime/inspect-runtime.js';

/** Signal names without SIG; a long list is shown as what it lacks ("ALL-TTIN,TTOU"). */
export function short(list: string[]): string {
  if (!list.length) return '-';
  const bare = list.map((s) => s.replace(/^SIG/, ''));
  if (bare.length <= 8) return bare.join(',');
  const classic = ['HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS'];
  const missing = classic.filter((n) => !bare.includes(n));
  const rt = bare.filter((n) => n.startsWith('RT') || /^\d+$/.test(n)).length;
  return `ALL${missing.length ? `-${missing.join(',')}` : ''}${rt ? `+${rt}RT` : ''}`;
}

/** ANSI colouring, or identity when colour is off. */
export function colour(enabled: boolean): (code: string, s: string) => string {
  return (code, s) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
}

export function formatInspect(r: InspectReport, useColour = false): string {
  const c = colour(useColour);
  const out: string[] = [];
  if (r.container) out.push(`Container ${r.container.name} (${r.container.id.slice(0, 12)}), image ${r.container.image}, stop signal ${r.container.stopSignal}${r.container.init ? ', --init' : ''}`);
  out.push(`PID namespace ${r.pidNamespace}${r.namespaceInit ? '' : ' (the host\'s: showing the subtree of the process)'}`);
  const header = ['PID', 'HOST', 'PPID', 'PGID', 'SID', 'S', 'USER', 'CAUGHT', 'IGNORED', 'BLOCKED', 'COMMAND'];
  const rows = r.processes.map((p) => [
    String(p.pid), String(p.hostPid), String(p.ppid), String(p.pgid), String(p.sid), p.state, p.user,
    short([...new Set([...p.caught, ...p.takes])]), short(p.ignored), short(p.blocked),
    `${'  '.repeat(p.depth)}${p.depth ? '└ ' : ''}${p.zombie ? `[${p.comm}] <defunct>` : (p.argv.join(' ') || `[${p.comm}]`)}`,
  ]);
  const widths = header.map((h, i) => Math.min(i === 7 ? 40 : 200, Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length))));
  const line = (cols: string[]): string => cols.map((col, i) => (i === cols.length - 1 ? col : col.padEnd(widths[i] ?? 0))).join('  ');
  out.push(c('1', line(header)));
  for (const row of rows) out.push(line(row));
  out.push(`Zombies: ${r.zombies.length ? r.zombies.map((z) => `${z.pid} (${z.comm})`).join(', ') : 'none'}`);
  const v = r.verdict;
  const tag = { graceful: c('32', 'GRACEFUL'), killed: c('31', 'KILLED'), abrupt: c('33', 'ABRUPT'), unknown: c('33', 'UNKNOWN'), nostart: c('31', 'NOSTART') }[v.outcome];
  out.push('');
  out.push(`Verdict: ${tag}${v.certain ? '' : ' (not certain)'}: ${v.summary}`);
  for (const p of v.path) out.push(`  ${p}`);
  if (v.unreached.length) out.push(`  Handle ${v.stopSignal} but will never receive it: ${v.unreached.map((u) => `${u.name} (PID ${u.pid})`).join(', ')}`);
  for (const cav of v.caveats) out.push(`  Note: ${cav}`);
  for (const a of v.advice) out.push(`  Fix: ${a}`);
  return `${out.join('\n')}\n`;
}

/** The rows of `pid1 inspect --all` as text: name, outcome, stop signal and grace, the verdict's summary. */
export function formatInspectAll(l: Listing, useColour = false): string {
  const c = colour(useColour);
  const out: string[] = [];
  if (!l.containers.length) out.push('no running containers');
  for (const r of l.containers) {
    if (r.error !== undefined) { out.push(`${r.name.padEnd(24)} ${'ERROR'.padEnd(8)} ${r.error}`); continue; }
    const outcome = (r.outcome ?? 'unknown').toUpperCase().padEnd(8);
    const tag = r.outcome === 'graceful' ? c('32', outcome) : r.outcome === 'killed' ? c('31', outcome) : c('33', outcome);
    const grace = r.grace === null || r.grace === undefined ? 'grace ?' : `grace ${r.grace} s`;
    const stop = r.stopSignal ? `${r.stopSignal}, ${grace}${r.graceSpent ? ' (spent in full, then SIGKILL)' : ''}: ` : '';
    out.push(`${r.name.padEnd(24)} ${tag} ${stop}${r.summary ?? ''}`);
  }
  for (const n of l.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}

/**
 * The node audit's JSON lines: one per container (`record: "container"`), then one for the pass
 * (`record: "pass"`: how many containers, how many will be SIGKILLed, what could not be read).
 */
export function auditLines(l: Listing, at: { time: string; node: string }): string[] {
  const lines = l.containers.map((r) => JSON.stringify({ record: 'container', time: at.time, node: at.node, ...r }));
  const killed = l.containers.filter((r) => r.outcome === 'killed').length;
  lines.push(JSON.stringify({ record: 'pass', time: at.time, node: at.node, runtime: l.runtime, containers: l.containers.length, killed, errors: l.containers.filter((r) => r.error !== undefined).length, notes: l.notes }));
  return lines;
}

/**
 * `pid1 watch` output: one line per event, for people (pretty) or machines (--json, one object per
 * line). Strings from inside containers were made safe (safeName, util/sanitize.ts) when the events were
 * built; every pretty line starts with pid1's own text (a time or `pid1 watch:`), so no process name can
 * start a line, and so none can be read as a CI workflow command such as `::error`.
 */
import type { ContainerInfo, ProcessRef, WatchEvent } from '../runtime/trace/events.js';
import type { CleanupReport } from '../runtime/trace/tracefs.js';
import { colour } from './inspect.js';

function clock(iso: string): string {
  const d = new Date(iso);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function where(c: ContainerInfo | null): string {
  if (!c) return '';
  return `${c.pod ? `${c.namespace ? `${c.namespace}/` : ''}${c.pod}/` : ''}${c.name}  `;
}

function proc(p: ProcessRef): string {
  if (p.nsPid !== undefined) return `PID ${p.nsPid} ${p.command}${p.nsPid !== p.pid ? ` (host ${p.pid})` : ''}`;
  return `host PID ${p.pid} ${p.command}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One event as a line of text (with its newline), or '' for nothing. */
export function formatWatchEvent(e: WatchEvent, useColour = false): string {
  const c = colour(useColour);
  switch (e.event) {
    case 'watch': {
      const what = e.container ? `container ${e.container.name} (${e.container.id.slice(0, 12)})` : e.scope === 'all' ? 'every container on the engine' : `the processes of host PID ${e.init ?? '?'}`;
      const count = e.processes !== undefined ? `, ${plural(e.processes, 'process', 'processes')}` : '';
      const filter = e.filters['signal/signal_generate'] ?? '';
      return `pid1 watch: ${what}${count}; tracefs instance ${e.instance}\npid1 watch: kernel filter on signal_generate: ${filter.length > 160 ? `${filter.slice(0, 160)}...` : filter || '(none)'}\n`;
    }
    case 'signal': {
      const result = e.result === 'ignored' ? c('1;31', e.why) : e.result === 'delivered' ? c('32', e.why) : c('33', e.why);
      const times = e.count ? ` (${e.count} times, until ${e.lastTime ? clock(e.lastTime) : '?'})` : '';
      return `${clock(e.time)}  ${where(e.container)}${c('1', e.signal.padEnd(8))} ${e.sender.description} -> ${proc(e.target)}: ${result}${times}\n`;
    }
    case 'exit':
      return `${clock(e.time)}  ${where(e.container)}${'exit'.padEnd(8)} ${proc(e.process)}${e.killedBy ? ` killed by ${e.killedBy}` : ' exited'}\n`;
    case 'lost-stop':
      return `${clock(e.time)}  ${where(e.container)}${c('1;31', 'LOST STOP')}: ${e.summary}\n`;
    case 'lost-events':
      return `${clock(e.time)}  ${c('33', `the kernel dropped ${plural(e.count, 'event')} on CPU ${e.cpu}: its buffer filled before pid1 read it`)}\n`;
    case 'end':
      return `pid1 watch: ended (${e.reason}): ${plural(e.signals, 'signal')}, ${plural(e.exits, 'exit')}, ${plural(e.lostStops, 'lost stop')}${e.lostEvents ? `, ${plural(e.lostEvents, 'event')} dropped by the kernel` : ''}\n`;
  }
}

/** --json: one object per line. */
export function jsonWatchEvent(e: WatchEvent): string {
  return `${JSON.stringify(e)}\n`;
}

export function formatCleanup(r: CleanupReport): string {
  if (!r.instances.length) return `pid1 watch --cleanup: no pid1 instances in ${r.root}/instances\n`;
  return r.instances
    .map((i) => {
      const what =
        i.outcome === 'removed' ? `removed (its watcher, PID ${i.owner ?? '?'}, is gone)` : i.outcome === 'in use' ? `kept: in use by a running watcher (PID ${i.owner ?? '?'})` : 'already gone';
      return `pid1 watch --cleanup: ${r.root}/instances/${i.name}: ${what}\n`;
    })
    .join('');
}

/**
 * The one duration parser: Go's time.ParseDuration format (what compose's `stop_grace_period` and the
 * Docker CLI take: `1m30s`, `1.5s`, `.5s`, `250ms`, `2h`, `10us`), plus a bare number meaning seconds
 * (`docker stop -t 3`, `terminationGracePeriodSeconds: 30`, PID1_GRACE=5). Callers apply their own
 * rounding (compose truncates to whole seconds for the engine, the kubelet takes integer seconds).
 *
 * Imports nothing but errors.ts: pid1 init loads it at start-up.
 */
import { UserError } from './errors.js';

/** Milliseconds per unit; both micro signs Go accepts (U+00B5 and U+03BC). */
const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `12`, `1.5`, `.5`, `5.` followed by a unit (Go allows a missing side of the point, not both). */
const TERM = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
const BARE_SECONDS = /^(\d+\.?\d*|\.\d+)$/;

/** Milliseconds of `text`, or undefined when it is not a duration (negative durations are not). */
export function tryDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (BARE_SECONDS.test(s)) return Number(s) * 1000;
  TERM.lastIndex = 0;
  let total = 0;
  let pos = 0;
  for (let m = TERM.exec(s); m; m = TERM.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = TERM.lastIndex;
  }
  return pos === s.length ? total : undefined;
}

/**
 * Milliseconds of `text`; a one-line UserError naming `what` (an option, a variable, or `file:line: field`)
 * when it is not a duration.
 */
export function durationMs(text: string, what: string): number {
  const ms = tryDurationMs(text);
  if (ms === undefined || !Number.isFinite(ms)) throw new UserError(`${what}: "${text}" is not a duration (e.g. 500ms, 5s, 1m30s)`);
  return ms;
}

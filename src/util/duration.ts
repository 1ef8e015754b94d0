/**
 * The one duration parser: Go's time.ParseDuration format (what compose's `stop_grace_period` and the
 * Docker CLI take: `1m30s`, `1.5s`, `.5s`, `250ms`, `2h`, `10us`), plus a bare number meaning seconds
 * (`docker stop -t 3`, `terminationGracePeriodSeconds: 30`, PID1_GRACE=5). Callers apply their own
 * rounding (compose truncates to whole seconds for the engine, the kubelet takes integer seconds).
 *
 * Imports nothing but errors.ts: pid1 init loads it at start-up.
 */
import { UserError } from './errors.js';

/** Nanoseconds per unit, as Go counts (both micro signs it accepts: U+00B5 and U+03BC). */
const UNIT_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** `12`, `1.5`, `.5`, `5.` followed by a unit (Go allows a missing side of the point, not both). */
const TERM = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
const BARE_SECONDS = /^(\d+\.?\d*|\.\d+)$/;

/** Milliseconds of `text`, or undefined when it is not a duration (negative durations are not). */
export function tryDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  // Whole nanoseconds, as Go keeps a Duration: `1.1s` is 1100 ms, not 1100.0000000000002.
  if (BARE_SECONDS.test(s)) return Math.round(Number(s) * 1e9) / 1e6;
  TERM.lastIndex = 0;
  let ns = 0;
  let pos = 0;
  for (let m = TERM.exec(s); m; m = TERM.exec(s)) {
    ns += Math.round(Number(m[1]) * (UNIT_NS[m[2] as string] as number));
    pos = TERM.lastIndex;
  }
  return pos === s.length ? ns / 1e6 : undefined;
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

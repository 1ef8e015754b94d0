/**
 * Durations as the runtimes write them: Go's time.ParseDuration format (compose `stop_grace_period:
 * 1m30s`, `500ms`), and a bare number meaning seconds (`--grace 3`, terminationGracePeriodSeconds).
 */
import { UserError } from '../util/errors.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of `5s`, `1m30s`, `1.5s`, `250ms` or a bare number of seconds; undefined when malformed. */
export function durationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    matched = re.lastIndex;
  }
  return matched === s.length && matched > 0 ? total : undefined;
}

/** A duration option: milliseconds, or a one-line error naming the option. */
export function parseDurationOption(name: string, text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UserError(`${name}: not a duration: "${text}" (e.g. 500ms, 3s, 1m30s)`);
  return ms;
}

/** `--grace`: whole seconds, because that is what the runtimes take (docker stop -t, terminationGracePeriodSeconds). */
export function parseGraceOption(text: string): number {
  const ms = parseDurationOption('--grace', text);
  if (ms % 1000 !== 0) throw new UserError(`--grace: ${text} is not a whole number of seconds (docker stop -t and terminationGracePeriodSeconds take seconds)`);
  return ms / 1000;
}

export function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

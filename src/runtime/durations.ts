/**
 * Duration options of `pid1 test` / `pid1 stop`, parsed with the one duration parser (src/util/duration.ts:
 * Go's time.ParseDuration format and a bare number of seconds).
 */
import { UserError } from '../util/errors.js';
import { durationMs } from '../util/duration.js';

/** A duration option: milliseconds, or a one-line error naming the option. */
export function parseDurationOption(name: string, text: string): number {
  return durationMs(text, name);
}

/** `--grace`: whole seconds, because that is what the runtimes take (docker stop -t, terminationGracePeriodSeconds). */
export function parseGraceOption(text: string): number {
  const ms = durationMs(text, '--grace');
  if (ms % 1000 !== 0) throw new UserError(`--grace: ${text} is not a whole number of seconds (docker stop -t and terminationGracePeriodSeconds take seconds)`);
  return ms / 1000;
}

export function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

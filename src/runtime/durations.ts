/**
 * Duration options of `pid1 test` / `pid1 stop`, parsed with the one duration parser (src/util/duration.ts:
 * Go's time.ParseDuration format and a bare number of seconds).
 */
import { UserError } from '../util/errors.js';
import { durationMs, tryDurationMs } from '../util/duration.js';

/** A duration option: milliseconds, or a one-line error naming the option. */
export function parseDurationOption(name: string, text: string): number {
  return durationMs(text, name);
}

/** What `--grace` takes, for both pid1 test and pid1 stop (their help and their one error message). */
export const GRACE_UNITS = 'whole seconds: 10, 10s, 1m';
const GRACE_HELP = `${GRACE_UNITS} (docker stop -t and terminationGracePeriodSeconds take seconds)`;

/**
 * `--grace` of pid1 test and pid1 stop alike: whole seconds, because that is what the runtimes take
 * (docker stop -t, terminationGracePeriodSeconds). One parser, one message for every bad value.
 */
export function parseGraceOption(text: string): number {
  const ms = tryDurationMs(text);
  if (ms === undefined || !Number.isFinite(ms) || ms % 1000 !== 0) throw new UserError(`--grace: "${text}" is not a grace period in ${GRACE_HELP}`);
  return ms / 1000;
}

export function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

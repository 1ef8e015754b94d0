/**
 * `--image-map NAME=PATH` as the command line gives it. Kept apart from image-links.ts so that loading the
 * CLI loads no YAML parser (`pid1 watch` checks its privileges with commander alone loaded).
 */
import { UserError } from '../util/errors.js';

/** Parse `--image-map NAME=PATH` values. */
export function parseImageMap(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new UserError(`--image-map expects NAME=PATH, got "${v}"`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** Option parsers shared by commands: each turns bad input into a one-line UserError. */
import { ARCHES, type Arch, type RtBase } from '../model/signals.js';
import { UserError } from '../util/errors.js';

export function parsePid(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) <= 0) throw new UserError(`not a PID: "${v}"`);
  return Number(v);
}

export function parseArch(v: string): Arch {
  if (!(ARCHES as readonly string[]).includes(v)) throw new UserError(`unknown --arch "${v}"; one of ${ARCHES.join(', ')}`);
  return v as Arch;
}

export function parseRt(v: string): RtBase {
  if (v !== 'kernel' && v !== 'glibc') throw new UserError(`unknown --rt "${v}"; one of kernel, glibc`);
  return v;
}

/** commander's accumulator for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Write JSON the same way everywhere: two-space indent, trailing newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

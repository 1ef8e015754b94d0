/**
 * Compose variable interpolation, applied to string values before they are used (compose-spec
 * "Interpolation"; compose-go template/template.go; docker-compose 1.29 config/interpolation.py):
 * `$VAR`, `${VAR}`, `${VAR:-default}` / `${VAR-default}` (unset-or-empty / unset), `${VAR:?err}` /
 * `${VAR?err}` (required), `${VAR:+alt}` / `${VAR+alt}`, `$$` for a literal `$`. Defaults may nest.
 * Values come from the environment, over the project directory's `.env` file.
 *
 * Substituted characters map to the `$` that produced them and are never editable.
 */
import path from 'node:path';
import type { Chars } from '../../document/text.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Interpolated extends Chars {
  /** Variables that were not set and had no default (compose warns and uses ""). */
  missing: string[];
  /** A required variable (`${VAR:?msg}`) was missing: compose refuses to run. */
  error?: string;
  /** Something was substituted. */
  changed: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(input: Chars, env: Env): Interpolated {
  const out: Interpolated = { value: '', offsets: [], editable: [], missing: [], changed: false };
  interpolateInto(input, 0, input.value.length, env, out, 0);
  return out;
}

function emitLiteral(input: Chars, i: number, out: Interpolated): void {
  out.value += input.value[i];
  out.offsets.push(input.offsets[i] ?? 0);
  out.editable.push(input.editable[i] ?? false);
}

function emitValue(v: string, at: number, out: Interpolated): void {
  out.value += v;
  for (let k = 0; k < v.length; k++) {
    out.offsets.push(at);
    out.editable.push(false);
  }
  out.changed = true;
}

/** Index of the `}` closing a `${` whose body starts at `from`, honouring nested `${...}`. */
function closingBrace(s: string, from: number, to: number): number {
  let depth = 1;
  for (let i = from; i < to; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
      continue;
    }
    if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function interpolateInto(input: Chars, from: number, to: number, env: Env, out: Interpolated, depth: number): void {
  const s = input.value;
  for (let i = from; i < to; i++) {
    const c = s[i];
    if (c !== '$') {
      emitLiteral(input, i, out);
      continue;
    }
    const at = input.offsets[i] ?? 0;
    const next = s[i + 1];
    if (next === '$') {
      emitValue('$', at, out);
      i++;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(s, i + 2, to);
      if (close < 0) {
        out.error = `invalid interpolation format: "${s.slice(i, Math.min(to, i + 40))}" has no closing brace`;
        return;
      }
      const body = s.slice(i + 2, close);
      const name = NAME.exec(body)?.[0];
      if (!name) {
        out.error = `invalid interpolation format: "\${${body}}"`;
        return;
      }
      const op = /^(:-|-|:\?|\?|:\+|\+)?/.exec(body.slice(name.length))?.[0] ?? '';
      const argStart = i + 2 + name.length + op.length;
      if (!op && argStart !== close) {
        out.error = `invalid interpolation format: "\${${body}}"`;
        return;
      }
      const value = env[name];
      const unsetOrEmpty = value === undefined || value === '';
      const useArg = (op === ':-' && unsetOrEmpty) || (op === '-' && value === undefined) || (op === ':+' && !unsetOrEmpty) || (op === '+' && value !== undefined);
      if ((op === ':?' && unsetOrEmpty) || (op === '?' && value === undefined)) {
        out.error = `required variable ${name} is missing a value${argStart < close ? `: ${s.slice(argStart, close)}` : ''}`;
        return;
      }
      if (useArg) {
        // the default/alternative is interpolated too, and keeps its own offsets
        if (depth < 16) {
          const sub: Interpolated = { value: '', offsets: [], editable: [], missing: [], changed: false };
          interpolateInto(input, argStart, close, env, sub, depth + 1);
          if (sub.error) {
            out.error = sub.error;
            return;
          }
          out.value += sub.value;
          out.offsets.push(...sub.offsets);
          out.editable.push(...sub.editable.map(() => false));
          out.missing.push(...sub.missing);
        }
        out.changed = true;
      } else if (op === ':+' || op === '+') {
        out.changed = true;
      } else {
        if (value === undefined && !op) out.missing.push(name);
        emitValue(value ?? '', at, out);
      }
      i = close;
      continue;
    }
    const name = NAME.exec(s.slice(i + 1, to))?.[0];
    if (name) {
      const value = env[name];
      if (value === undefined) out.missing.push(name);
      emitValue(value ?? '', at, out);
      i += name.length;
      continue;
    }
    // compose-go: a lone `$` followed by anything else is an invalid template
    out.error = `invalid interpolation format: "${s.slice(i, Math.min(to, i + 20))}" (write $$ for a literal $)`;
    return;
  }
}

/** Interpolate a plain string; throws the message compose gives (a required variable missing, bad syntax). */
export function interpolateString(text: string, env: Env): string {
  const out = interpolate({ value: text, offsets: Array.from({ length: text.length }, (_, i) => i), editable: Array.from({ length: text.length }, () => true) }, env);
  if (out.error) throw new Error(out.error);
  return out.value;
}

/** Parse a `.env` file: KEY=VALUE lines, `#` comments, optional `export`, single/double quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2] ?? '';
    if (v.startsWith('"')) {
      const end = v.indexOf('"', 1);
      v = (end > 0 ? v.slice(1, end) : v.slice(1)).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else if (v.startsWith("'")) {
      const end = v.indexOf("'", 1);
      v = end > 0 ? v.slice(1, end) : v.slice(1);
    } else {
      v = v.replace(/\s+#.*$/, '').trim();
    }
    env[m[1] as string] = v;
  }
  return env;
}

/** The variables of an environment that are set. */
export function definedVariables(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/**
 * The interpolation environment of a project: `.env` in the project directory, overridden by the process
 * environment (`processEnv`, its set variables only: definedVariables, which a caller with many projects
 * computes once, as reading process.env goes to the C++ side for every variable).
 */
export function projectEnv(projectDir: string, processEnv: Env, readText: (abs: string) => string | undefined): Env {
  // read by the caller's document store: a regular file under 1 MiB, inside the linted tree
  const text = readText(path.join(projectDir, '.env'));
  const fileEnv = text === undefined ? {} : parseDotEnv(text);
  return { ...fileEnv, ...processEnv };
}

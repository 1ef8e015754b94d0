/**
 * The config file: `.pid1.json` (or the file given with --config), looked up from the working directory
 * upwards. Documented in docs/lint.md.
 *
 *   {
 *     "rules": { "node-pid1": "off", "unknown-shell": "error" },
 *     "images": { "registry.example.com/base:*": "dash" },
 *     "ignore": ["vendor/**", "**\/testdata/**"],
 *     "target": "prod",
 *     "buildArgs": { "BASE": "python:3.12-slim" }
 *   }
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError, messageOf } from '../util/errors.js';
import { Confinement, readRegularFile } from '../util/files.js';
import { SHELL_FAMILIES } from '../sources/images.js';
import { RULES, canonicalRuleId } from '../rules/index.js';
import type { Severity } from '../rules/contract.js';

export interface LintConfig {
  rules: Record<string, Severity | 'off'>;
  images: Record<string, string>;
  ignore: string[];
  target?: string;
  buildArgs: Record<string, string>;
  /** Where it was read from. */
  file?: string;
}

export const CONFIG_NAMES = ['.pid1.json', 'pid1.json'];

export function emptyConfig(): LintConfig {
  return { rules: {}, images: {}, ignore: [], buildArgs: {} };
}

export function findConfig(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    for (const n of CONFIG_NAMES) {
      const p = path.join(dir, n);
      if (fs.existsSync(p)) return p;
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Read and check a config file; every mistake is a one-line UserError naming the file and the key. A
 * config found by looking upwards (not named with --config) is the repository's: one that is a symlink
 * leading out of its directory is refused, and a file that is not JSON is never quoted (V8's message
 * quotes the start of the text).
 */
export function loadConfig(file: string, o: { found?: boolean; followSymlinks?: boolean } = {}): LintConfig {
  if (o.found && !o.followSymlinks) {
    const refusal = new Confinement([path.dirname(path.resolve(file))]).refusal(file);
    if (refusal) throw new UserError(`${file}: ${refusal}`);
  }
  const read = readRegularFile(file, 1024 * 1024);
  if (!read.ok) throw new UserError(`${file}: cannot read config: ${read.message}`);
  const text = read.snap.bytes.toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = /at position (\d+)/.exec(messageOf(err));
    const where = at
      ? (() => {
          const before = text.slice(0, Number(at[1])).split('\n');
          return ` at line ${before.length}, column ${(before[before.length - 1] ?? '').length + 1}`;
        })()
      : '';
    throw new UserError(`${file}: cannot read config: not valid JSON${where}`);
  }
  if (!isRecord(raw)) throw new UserError(`${file}: the config must be a JSON object`);
  const cfg = emptyConfig();
  cfg.file = file;
  const known = new Set(['rules', 'images', 'ignore', 'target', 'buildArgs', '$schema']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new UserError(`${file}: unknown key "${k}" (known: ${[...known].filter((x) => x !== '$schema').join(', ')})`);
  if (raw.rules !== undefined) {
    if (!isRecord(raw.rules)) throw new UserError(`${file}: "rules" must be an object of rule id -> "error" | "warning" | "info" | "off"`);
    const ids = new Set(RULES.map((r) => r.meta.id));
    for (const [id, v] of Object.entries(raw.rules)) {
      if (!ids.has(canonicalRuleId(id))) throw new UserError(`${file}: rules: unknown rule "${id}"`);
      if (v !== 'error' && v !== 'warning' && v !== 'info' && v !== 'off') throw new UserError(`${file}: rules.${id}: expected "error", "warning", "info" or "off"`);
      cfg.rules[canonicalRuleId(id)] = v;
    }
  }
  if (raw.images !== undefined) {
    if (!isRecord(raw.images)) throw new UserError(`${file}: "images" must be an object of image pattern -> shell family`);
    for (const [img, fam] of Object.entries(raw.images)) {
      if (typeof fam !== 'string' || !SHELL_FAMILIES.includes(fam as never)) throw new UserError(`${file}: images["${img}"]: expected one of ${SHELL_FAMILIES.join(', ')}`);
      cfg.images[img] = fam;
    }
  }
  if (raw.ignore !== undefined) {
    if (!Array.isArray(raw.ignore) || !raw.ignore.every((x) => typeof x === 'string')) throw new UserError(`${file}: "ignore" must be an array of gitignore-style patterns`);
    cfg.ignore = raw.ignore as string[];
  }
  if (raw.target !== undefined) {
    if (typeof raw.target !== 'string') throw new UserError(`${file}: "target" must be a stage name`);
    cfg.target = raw.target;
  }
  if (raw.buildArgs !== undefined) {
    if (!isRecord(raw.buildArgs) || !Object.values(raw.buildArgs).every((x) => typeof x === 'string')) throw new UserError(`${file}: "buildArgs" must be an object of name -> string`);
    cfg.buildArgs = raw.buildArgs as Record<string, string>;
  }
  return cfg;
}

/**
 * RuleTester: ESLint-style valid/invalid tables for a rule. Each case is a Dockerfile (plus build-context
 * files such as entrypoint scripts) or a standalone script, written to a temporary directory and linted
 * with only that rule. Invalid cases list the expected findings and, for fixable rules, the fixed text,
 * which must also be a fixed point (linting it again changes nothing).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, before } from 'node:test';
import { loadShellParser } from '../model/shell.js';
import { planFixes } from '../lint/apply.js';
import { makeDocument } from '../lint/documents.js';
import { Linter, type EngineOptions } from '../lint/engine.js';
import type { Rule } from '../lint/rule.js';
import type { Finding, Severity } from '../lint/types.js';

export interface RuleCase {
  name?: string;
  /** The Dockerfile. */
  dockerfile?: string;
  /** A standalone script to lint instead (entrypoint.sh). */
  script?: string;
  /** Other files of the build context: name -> content. */
  files?: Record<string, string>;
  options?: EngineOptions;
}

export interface ExpectedFinding {
  message?: RegExp | string;
  severity?: Severity;
  line?: number;
  column?: number;
  /** Base name of the file it is in (default: the linted file). */
  file?: string;
}

export interface InvalidCase extends RuleCase {
  errors: ExpectedFinding[];
  /** The linted file after --fix (omit: no fix expected; null: must have no fix). */
  output?: string | null;
  /** Other files after --fix, by name. */
  outputFiles?: Record<string, string>;
}

export interface LintedCase {
  findings: Finding[];
  /** Fixed text by base name. */
  fixed: Map<string, string>;
}

/** Lint a case with the given rules and return its findings and fixed texts. */
export function lintCase(rules: readonly Rule[], c: RuleCase): LintedCase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-rule-'));
  try {
    for (const [name, text] of Object.entries(c.files ?? {})) {
      const p = path.join(dir, name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text, { mode: text.startsWith('#!') ? 0o755 : 0o644 });
    }
    const main = c.script !== undefined ? 'entrypoint.sh' : 'Dockerfile';
    const text = c.script ?? c.dockerfile ?? '';
    const abs = path.join(dir, main);
    fs.writeFileSync(abs, text);
    const linter = new Linter({ ...c.options, only: rules });
    const doc = makeDocument(abs, text, c.script !== undefined ? 'script' : 'dockerfile', abs);
    linter.store.add(doc);
    linter.lint(doc);
    const result = linter.result();
    const errors = result.files.flatMap((f) => f.errors);
    assert.deepEqual(errors, [], `file errors: ${JSON.stringify(errors)}`);
    const findings = result.files.flatMap((f) => f.findings);
    const fixed = new Map<string, string>();
    for (const p of planFixes(findings, (f) => result.docs.get(f)?.text)) fixed.set(path.basename(p.file), p.after);
    return { findings, fixed };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function matches(f: Finding, e: ExpectedFinding, main: string): boolean {
  if (e.message !== undefined && !(typeof e.message === 'string' ? f.message.includes(e.message) : e.message.test(f.message))) return false;
  if (e.severity !== undefined && f.severity !== e.severity) return false;
  if (e.line !== undefined && f.range.start.line !== e.line) return false;
  if (e.column !== undefined && f.range.start.column !== e.column) return false;
  if (path.basename(f.file) !== (e.file ?? main)) return false;
  return true;
}

function claim<T>(list: T[], pred: (x: T) => boolean): boolean {
  const i = list.findIndex(pred);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

export function ruleTester(rule: Rule, cases: { valid: RuleCase[]; invalid: InvalidCase[] }): void {
  describe(`rule ${rule.meta.id}`, () => {
    before(async () => { await loadShellParser(); });
    cases.valid.forEach((c, i) => {
      it(`valid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
        const { findings } = lintCase([rule], c);
        assert.deepEqual(findings.map((f) => `${f.ruleId} ${f.range.start.line}: ${f.message}`), []);
      });
    });
    cases.invalid.forEach((c, i) => {
      it(`invalid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
        const main = c.script !== undefined ? 'entrypoint.sh' : 'Dockerfile';
        const { findings, fixed } = lintCase([rule], c);
        assert.equal(findings.length, c.errors.length, `findings: ${JSON.stringify(findings.map((f) => `${path.basename(f.file)}:${f.range.start.line}:${f.range.start.column} ${f.severity} ${f.message}`), null, 1)}`);
        // each expected error claims its own finding: two expectations cannot both match one finding
        const unclaimed = [...findings];
        for (const e of c.errors) assert.ok(claim(unclaimed, (f) => matches(f, e, main)), `no unclaimed finding matches ${JSON.stringify({ ...e, message: String(e.message) })} in ${JSON.stringify(findings.map((f) => `${path.basename(f.file)}:${f.range.start.line}:${f.range.start.column} ${f.severity} ${f.message}`), null, 1)}`);
        for (const f of findings) assert.ok(f.why.length > 0 || f.ruleId === 'cmd-ignored', 'every finding explains why');
        if (c.output === null) assert.equal(fixed.size, 0, 'expected no fix');
        if (typeof c.output === 'string') {
          assert.equal(fixed.get(main), c.output);
          // a fixed point: linting the output fixes nothing more
          const again = lintCase([rule], { ...c, ...(c.script !== undefined ? { script: c.output } : { dockerfile: c.output }), files: { ...c.files, ...c.outputFiles } });
          assert.equal(again.fixed.size, 0, `fix is not idempotent: ${[...again.fixed.values()].join('\n---\n')}`);
        }
        for (const [name, text] of Object.entries(c.outputFiles ?? {})) assert.equal(fixed.get(name), text);
      });
    });
  });
}

/**
 * RuleTester: ESLint-style valid/invalid tables for a rule. Each case is a Dockerfile, a standalone script,
 * a compose file or a Kubernetes manifest (plus build-context files such as entrypoint scripts), written to
 * a temporary directory and linted with only that rule. Strict, like ESLint's:
 * - a valid case must produce no finding of the rule;
 * - an invalid case must list at least one expected finding, and each finding is claimed by exactly one;
 * - a fix the case does not expect (no `output`) fails, `output: null` demands no fix, and an expected
 *   output must also be a fixed point (linting it again fixes nothing);
 * - any file error fails the case, which includes the engine refusing a report the rule's metadata does
 *   not allow (a fix from a rule that is not fixable, a launch kind it does not declare, an unknown message).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { makeDocument, type DocumentKind } from '../../src/document/document.js';
import { planFixes } from '../../src/lint/apply.js';
import { Linter, type EngineOptions } from '../../src/lint/engine.js';
import { loadShellParser } from '../../src/model/shell.js';
import type { Finding, Rule, Severity } from '../../src/rules/contract.js';
import { grammarParser } from '../../src/sources/grammars.js';

export interface RuleCase {
  name?: string;
  /** The main file, one of: a Dockerfile, a standalone script, a compose file, a Kubernetes manifest. */
  dockerfile?: string;
  script?: string;
  compose?: string;
  manifest?: string;
  /** Name of the main file (default: Dockerfile, entrypoint.sh, compose.yaml, deployment.yaml). */
  filename?: string;
  /** Other files of the build context: name -> content. */
  files?: Record<string, string>;
  options?: EngineOptions;
}

export interface ExpectedFinding {
  messageId?: string;
  message?: RegExp | string;
  severity?: Severity;
  line?: number;
  column?: number;
  /** Base name of the file it is in (default: the main file). */
  file?: string;
  /** The finding's suggestion (the hint people read). */
  suggestion?: RegExp;
}

export interface InvalidCase extends RuleCase {
  errors: ExpectedFinding[];
  /** The main file after --fix; null: must have no fix. Required when the rule fixes anything. */
  output?: string | null;
  /** Other files after --fix, by name. */
  outputFiles?: Record<string, string>;
}

export interface LintedCase {
  findings: Finding[];
  /** Fixed text by base name. */
  fixed: Map<string, string>;
  main: string;
}

function mainOf(c: RuleCase): { kind: DocumentKind; name: string; text: string } {
  const given = [c.dockerfile, c.script, c.compose, c.manifest].filter((x) => x !== undefined).length;
  assert.equal(given, 1, 'a case has exactly one of dockerfile, script, compose, manifest');
  if (c.script !== undefined) return { kind: 'script', name: c.filename ?? 'entrypoint.sh', text: c.script };
  if (c.compose !== undefined) return { kind: 'compose', name: c.filename ?? 'compose.yaml', text: c.compose };
  if (c.manifest !== undefined) return { kind: 'kubernetes', name: c.filename ?? 'deployment.yaml', text: c.manifest };
  return { kind: 'dockerfile', name: c.filename ?? 'Dockerfile', text: c.dockerfile ?? '' };
}

/** Lint a case with the given rules and return its findings and fixed texts. */
export function lintCase(rules: readonly Rule[], c: RuleCase): LintedCase {
  const main = mainOf(c);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-rule-'));
  try {
    for (const [name, text] of Object.entries(c.files ?? {})) {
      const p = path.join(dir, name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text, { mode: text.startsWith('#!') ? 0o755 : 0o644 });
    }
    const abs = path.join(dir, main.name);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, main.text);
    // compose interpolates from the environment: a case sees only what it says
    const linter = new Linter({ ...(main.kind === 'compose' ? { env: {} } : {}), ...c.options, only: rules });
    const doc = makeDocument(abs, main.text, main.kind, abs);
    linter.store.add(doc);
    linter.lint(doc);
    const result = linter.result();
    const errors = result.files.flatMap((f) => f.errors);
    assert.deepEqual(errors, [], `file errors: ${JSON.stringify(errors)}`);
    const findings = result.files.flatMap((f) => f.findings);
    const fixed = new Map<string, string>();
    for (const p of planFixes(findings, (f) => result.docs.get(f)?.text)) fixed.set(path.basename(p.file), p.after);
    return { findings, fixed, main: main.name };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function matches(f: Finding, e: ExpectedFinding, main: string): boolean {
  if (e.messageId !== undefined && f.messageId !== e.messageId) return false;
  if (e.message !== undefined && !(typeof e.message === 'string' ? f.message.includes(e.message) : e.message.test(f.message))) return false;
  if (e.severity !== undefined && f.severity !== e.severity) return false;
  if (e.suggestion !== undefined && !e.suggestion.test(f.suggestion ?? '')) return false;
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

const shown = (findings: readonly Finding[]): string =>
  JSON.stringify(
    findings.map((f) => `${path.basename(f.file)}:${f.range.start.line}:${f.range.start.column} ${f.severity} [${f.messageId}] ${f.message}`),
    null,
    1,
  );

/** Replace the main file's text in a case (for the fixed-point check). */
function withMain(c: RuleCase, text: string): RuleCase {
  if (c.script !== undefined) return { ...c, script: text };
  if (c.compose !== undefined) return { ...c, compose: text };
  if (c.manifest !== undefined) return { ...c, manifest: text };
  return { ...c, dockerfile: text };
}

export function ruleTester(rule: Rule, cases: { valid: RuleCase[]; invalid: InvalidCase[] }): void {
  describe(`rule ${rule.meta.id}`, () => {
    before(async () => {
      await loadShellParser();
      await Promise.all((['python', 'javascript', 'go'] as const).map((l) => grammarParser(l)));
    });
    cases.valid.forEach((c, i) => {
      it(`valid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
        const { findings } = lintCase([rule], c);
        assert.deepEqual(
          findings.map((f) => `${f.ruleId} ${f.range.start.line}: ${f.message}`),
          [],
        );
      });
    });
    cases.invalid.forEach((c, i) => {
      it(`invalid #${i + 1}${c.name ? `: ${c.name}` : ''}`, () => {
        assert.ok(c.errors.length > 0, 'an invalid case must list the findings it expects');
        const { findings, fixed, main } = lintCase([rule], c);
        assert.equal(findings.length, c.errors.length, `findings: ${shown(findings)}`);
        // each expected error claims its own finding: two expectations cannot both match one finding
        const unclaimed = [...findings];
        for (const e of c.errors)
          assert.ok(
            claim(unclaimed, (f) => matches(f, e, main)),
            `no unclaimed finding matches ${JSON.stringify({ ...e, message: String(e.message), suggestion: e.suggestion && String(e.suggestion) })} in ${shown(findings)}`,
          );
        for (const f of findings) assert.ok(f.why.length > 0 || f.ruleId === 'cmd-ignored', 'every finding explains why');
        if (c.output === undefined && c.outputFiles === undefined) {
          assert.equal(fixed.size, 0, `the rule fixed ${[...fixed.keys()].join(', ')}, but the case has no expected output:\n${[...fixed.values()].join('\n---\n')}`);
        }
        if (c.output === null) assert.equal(fixed.get(main), undefined, 'expected no fix');
        if (typeof c.output === 'string') {
          assert.equal(fixed.get(main), c.output);
          // a fixed point: linting the output fixes nothing more
          const again = lintCase([rule], { ...withMain(c, c.output), files: { ...c.files, ...c.outputFiles } });
          assert.equal(again.fixed.size, 0, `fix is not idempotent: ${[...again.fixed.values()].join('\n---\n')}`);
        }
        for (const [name, text] of Object.entries(c.outputFiles ?? {})) assert.equal(fixed.get(name), text);
      });
    });
  });
}

/** The kind of file an example's name stands for. */
export function caseOfExample(file: string | undefined, text: string, files?: Record<string, string>): RuleCase {
  const name = file ?? 'Dockerfile';
  const extra = { filename: name, ...(files ? { files } : {}) };
  if (/\.(sh|bash)$/.test(name)) return { script: text, ...extra };
  if (/^(docker-)?compose[.-]?.*\.ya?ml$/.test(name)) return { compose: text, ...extra };
  if (/\.ya?ml$/.test(name)) return { manifest: text, ...extra };
  return { dockerfile: text, ...extra };
}

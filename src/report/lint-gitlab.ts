/**
 * `--format gitlab` (alias `codeclimate`): GitLab's Code Quality report, a JSON array of issues with
 * description, check_name, fingerprint, severity (info/minor/major/critical/blocker), location.path and
 * location.lines.begin (GitLab docs, doc/ci/testing/code_quality.md, "Code Quality report format"; schema
 * transcribed in test/fixtures/lint/gitlab-code-quality.schema.json). `type` and `categories` are added so
 * that each issue is also a Code Climate issue (the spec GitLab's format is a subset of).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { LintResult } from '../lint/engine.js';
import type { Severity } from '../rules/contract.js';
import { safeJson } from '../util/sanitize.js';

/** As ESLint's GitLab formatter and most others map them: an error is major, a warning minor. */
const SEVERITY: Record<Severity, 'info' | 'minor' | 'major'> = { error: 'major', warning: 'minor', info: 'info' };

interface CodeQualityIssue {
  type: 'issue';
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  categories: string[];
  location: { path: string; lines: { begin: number; end?: number } };
}

/** "a relative path in the repository": forward slashes (the display path is relative to the working directory). */
function repoPath(file: string): string {
  return file.split(path.sep).join('/');
}

function toGitlab(r: LintResult): CodeQualityIssue[] {
  const out: CodeQualityIssue[] = [];
  const seen = new Map<string, number>();
  // GitLab shows issues with one fingerprint as one: hash what the finding is about (file, rule, message
  // id, the source text it points at), not its line, so that it survives edits above it; repeats are numbered.
  const fingerprint = (parts: string[]): string => {
    const base = crypto.createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : crypto.createHash('sha256').update(`${base}\0${n}`).digest('hex').slice(0, 32);
  };
  for (const f of r.files) {
    const doc = r.docs.get(f.file);
    for (const e of f.errors) {
      out.push({
        type: 'issue',
        description: `file could not be linted: ${e.message}`,
        check_name: 'pid1/file-error',
        fingerprint: fingerprint([repoPath(e.file), 'file-error', e.message]),
        severity: 'major',
        categories: ['Bug Risk'],
        location: { path: repoPath(e.file), lines: { begin: e.line ?? 1 } },
      });
    }
    for (const x of f.findings) {
      const text = (r.docs.get(x.file) ?? (x.file === f.file ? doc : undefined))?.text.slice(x.range.start.offset, x.range.end.offset) ?? '';
      out.push({
        type: 'issue',
        description: x.message,
        check_name: x.ruleId,
        fingerprint: fingerprint([repoPath(x.file), x.ruleId, x.messageId, text]),
        severity: SEVERITY[x.severity],
        categories: ['Bug Risk'],
        location: { path: repoPath(x.file), lines: { begin: x.range.start.line, ...(x.range.end.line > x.range.start.line ? { end: x.range.end.line } : {}) } },
      });
    }
  }
  return out;
}

export function formatGitlab(r: LintResult): string {
  // exact data, but nothing a terminal or a CI log would act on (see safeJson)
  return `${safeJson(toGitlab(r))}\n`;
}

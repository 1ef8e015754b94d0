/** `--format json`: the schema is docs/lint.schema.json (described in docs/lint.md). */
import { countOf, type LintResult } from '../lint/engine.js';
import { safeJson } from '../util/sanitize.js';

const JSON_FORMAT_VERSION = 1;

function toJson(r: LintResult, extra: { fixed?: number; version: string }): unknown {
  const c = countOf(r);
  return {
    version: JSON_FORMAT_VERSION,
    tool: { name: 'pid1', version: extra.version },
    files: r.files.map((f) => ({
      file: f.file,
      kind: f.kind,
      launches: f.launches,
      findings: f.findings,
      suppressed: f.suppressed,
      errors: f.errors,
    })),
    summary: {
      files: r.files.length,
      errors: c.errors,
      warnings: c.warnings,
      infos: c.infos,
      fileErrors: c.fileErrors,
      fixable: c.fixable,
      suppressed: c.suppressed,
      fixed: extra.fixed ?? 0,
    },
  };
}

export function formatJson(r: LintResult, extra: { fixed?: number; version: string }): string {
  // exact data, but nothing a terminal or a CI log would act on (see safeJson)
  return `${safeJson(toJson(r, extra))}\n`;
}

/** `--format github`: GitHub Actions workflow commands, one annotation per finding. */
import { countOf, type LintResult } from '../lint/engine.js';
import { safeText } from '../util/sanitize.js';

/**
 * Escaping of workflow command data and properties (actions/toolkit: command.ts; the runner undoes exactly
 * these). Other control characters cannot be percent-encoded there: safeText shows them as escapes first.
 */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(r: LintResult): string {
  const out: string[] = [];
  for (const f of r.files) {
    for (const e of f.errors) {
      out.push(
        `::error file=${escapeProperty(safeText(e.file))}${e.line ? `,line=${e.line}` : ''}${e.column ? `,col=${e.column}` : ''},title=${escapeProperty('pid1: file error')}::${escapeData(safeText(e.message))}`,
      );
    }
    for (const x of f.findings) {
      const cmd = x.severity === 'error' ? 'error' : x.severity === 'warning' ? 'warning' : 'notice';
      const r0 = x.range;
      const props = [`file=${escapeProperty(safeText(x.file))}`, `line=${r0.start.line}`, `col=${r0.start.column}`, `endLine=${r0.end.line}`];
      if (r0.end.line === r0.start.line) props.push(`endColumn=${r0.end.column}`);
      props.push(`title=${escapeProperty(`pid1 ${x.ruleId}`)}`);
      // each line made safe first; the line breaks between them are then encoded (%0A)
      const body = [x.message, ...x.why, ...(x.fix ? [`fix: ${x.fix.description} (pid1 lint --fix)`] : x.suggestion ? [`hint: ${x.suggestion}`] : [])].map((l) => safeText(l)).join('\n');
      out.push(`::${cmd} ${props.join(',')}::${escapeData(body)}`);
    }
  }
  const c = countOf(r);
  out.push(`pid1 lint: ${c.errors} error(s), ${c.warnings} warning(s), ${c.infos} info, ${c.fileErrors} file error(s)`);
  return `${out.join('\n')}\n`;
}

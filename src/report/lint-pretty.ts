/**
 * `--format pretty`: file:line:col, severity, message and rule; a code frame; why; the fix. Colour on a TTY.
 * What comes from the linted files (names, lines, messages quoting them) is shown with its control
 * characters escaped (util/sanitize.ts): an ESC in a Dockerfile must not reach the terminal raw.
 */
import { countOf, type LintResult } from '../lint/engine.js';
import type { Document, FileError } from '../document/document.js';
import type { Finding } from '../rules/contract.js';
import { safeLineStart, safeText } from '../util/sanitize.js';

interface PrettyOptions {
  color: boolean;
  /** Fixes were applied (say so instead of "run with --fix"). */
  fixed?: number;
}

const C = { red: 31, yellow: 33, blue: 34, gray: 90, bold: 1, cyan: 36, green: 32 } as const;

export function formatPretty(r: LintResult, o: PrettyOptions): string {
  const paint = (code: number, s: string): string => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sev = (s: string): string => paint(s === 'error' ? C.red : s === 'warning' ? C.yellow : C.blue, s.padEnd(7));
  const out: string[] = [];
  for (const f of r.files) {
    const doc = r.docs.get(f.file);
    for (const e of f.errors) out.push(fileErrorLine(e, paint));
    for (const x of f.findings) out.push(findingBlock(x, doc, sev, paint, o));
  }
  const c = countOf(r);
  const problems = c.errors + c.warnings + c.infos;
  const parts = [`${c.errors} error${c.errors === 1 ? '' : 's'}`, `${c.warnings} warning${c.warnings === 1 ? '' : 's'}`];
  if (c.infos) parts.push(`${c.infos} info`);
  let summary =
    problems === 0 && c.fileErrors === 0
      ? paint(C.green, `no problems in ${r.files.length} file${r.files.length === 1 ? '' : 's'}`)
      : `${paint(c.errors || c.fileErrors ? C.red : C.yellow, `${problems} problem${problems === 1 ? '' : 's'}`)} (${parts.join(', ')})`;
  if (c.fileErrors) summary += `, ${c.fileErrors} file${c.fileErrors === 1 ? '' : 's'} could not be linted`;
  if (o.fixed) summary += `, ${o.fixed} fixed`;
  else if (c.fixable) summary += `, ${c.fixable} fixable with --fix`;
  if (c.suppressed) summary += `, ${c.suppressed} suppressed`;
  out.push(summary);
  return `${out.join('\n')}\n`;
}

// Everything from a linted repository (file names, quoted commands, file lines) goes through safeText or
// safeLineStart: a file cannot play escape sequences on the terminal or start a workflow command line.

function fileErrorLine(e: FileError, paint: (c: number, s: string) => string): string {
  const where = `${safeLineStart(e.file)}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}`;
  return `${paint(C.bold, where)}  ${paint(C.red, 'error  ')} ${safeText(e.message)}  ${paint(C.gray, '[file]')}\n`;
}

function findingBlock(x: Finding, doc: Document | undefined, sev: (s: string) => string, paint: (c: number, s: string) => string, o: PrettyOptions): string {
  const lines = [`${paint(C.bold, `${safeLineStart(x.file)}:${x.range.start.line}:${x.range.start.column}`)}  ${sev(x.severity)} ${safeText(x.message)}  ${paint(C.gray, `[${x.ruleId}]`)}`];
  if (doc) lines.push(...codeFrame(doc, x, paint));
  x.why.forEach((w, i) => {
    lines.push(`  ${paint(C.gray, i === 0 ? 'why:' : '    ')} ${safeText(w)}`);
  });
  for (const rel of x.related ?? []) lines.push(`  ${paint(C.gray, 'see:')} ${safeText(rel.file)}:${rel.range.start.line}:${rel.range.start.column} ${safeText(rel.message)}`);
  if (x.fix) lines.push(`  ${paint(C.green, 'fix:')} ${safeText(x.fix.description)}${o.fixed ? '' : ' (--fix)'}`);
  else if (x.suggestion) lines.push(`  ${paint(C.cyan, 'hint:')} ${safeText(x.suggestion)}`);
  return `${lines.join('\n')}\n`;
}

/** Up to 3 lines of the finding (one before it), with the range underlined. */
function codeFrame(doc: Document, x: Finding, paint: (c: number, s: string) => string): string[] {
  const first = x.range.start.line;
  const last = Math.min(x.range.end.line, first + 2);
  const from = Math.max(1, first - 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = from; n <= last; n++) {
    const raw = doc.lines.lineText(n).replace(/\t/g, ' ');
    // shown, never played: control characters as visible escapes; columns follow the escaped text
    const text = safeText(raw);
    const col = (i: number): number => (text === raw ? i : safeText(raw.slice(0, i)).length);
    const shown = text.length > 160 ? `${text.slice(0, 157)}...` : text;
    const mark = n >= first && n <= x.range.end.line;
    out.push(`  ${mark ? paint(C.red, '>') : ' '} ${paint(C.gray, `${String(n).padStart(width)} |`)} ${shown}`);
    if (mark) {
      const a = col(n === first ? x.range.start.column - 1 : raw.length - raw.trimStart().length);
      const b = col(n === x.range.end.line ? x.range.end.column - 1 : raw.length);
      const len = Math.max(1, Math.min(b, 160) - Math.min(a, 160));
      out.push(`    ${' '.repeat(width)} ${paint(C.gray, '|')} ${' '.repeat(Math.min(a, 160))}${paint(C.red, '^'.repeat(len))}`);
    }
  }
  return out;
}

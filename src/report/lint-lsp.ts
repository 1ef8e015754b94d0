/**
 * Findings in the Language Server Protocol's terms: a Diagnostic per finding (code = rule id,
 * codeDescription = the rule's page, the "why" chain in the message, `related` as relatedInformation), a
 * quick-fix CodeAction per safe fix (its TextEdits as a WorkspaceEdit), and a hover. Positions are 0-based
 * lines and UTF-16 columns, as pid1's own columns are (LSP's default position encoding).
 */
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, DiagnosticRelatedInformation, Hover, Range as LspRange, TextEdit as LspTextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { Document, FileError } from '../document/document.js';
import type { Fix } from '../document/edit.js';
import type { Range } from '../document/text.js';
import type { Finding, Severity } from '../rules/contract.js';

/**
 * Where rule pages live: the package's own docs/rules/ (shipped in the npm package, and in a clone), as
 * a file: URL. pid1 has no published home page yet; when it has one, this is the one line to change.
 */
const RULE_DOCS_BASE = new URL('../../../docs/rules/', import.meta.url).href;

function ruleUrl(ruleId: string): string {
  return `${RULE_DOCS_BASE}${encodeURIComponent(ruleId)}.md`;
}

/** LSP DiagnosticSeverity: Error 1, Warning 2, Information 3. */
const SEVERITY: Record<Severity, 1 | 2 | 3> = { error: 1, warning: 2, info: 3 };

function lspRange(r: Range): LspRange {
  return { start: { line: r.start.line - 1, character: r.start.column - 1 }, end: { line: r.end.line - 1, character: r.end.column - 1 } };
}

function offsetsRange(doc: Document, start: number, end: number): LspRange {
  return lspRange(doc.lines.range(start, end));
}

export function fileUri(absPath: string): string {
  return pathToFileURL(absPath).href;
}

/** The message an editor shows: the finding, then why (one line each), then the fix or hint. */
function diagnosticMessage(f: Finding): string {
  return [f.message, ...f.why.map((w, i) => `${i === 0 ? 'why: ' : '     '}${w}`), ...(f.fix ? [`fix: ${f.fix.description}`] : f.suggestion ? [`hint: ${f.suggestion}`] : [])].join('\n');
}

export function toDiagnostic(f: Finding, absOf: (file: string) => string | undefined): Diagnostic {
  const related: DiagnosticRelatedInformation[] = [];
  for (const r of f.related ?? []) {
    const abs = absOf(r.file);
    if (abs) related.push({ location: { uri: fileUri(abs), range: lspRange(r.range) }, message: r.message });
  }
  return {
    range: lspRange(f.range),
    severity: SEVERITY[f.severity],
    code: f.ruleId,
    codeDescription: { href: ruleUrl(f.ruleId) },
    source: 'pid1',
    message: diagnosticMessage(f),
    ...(related.length ? { relatedInformation: related } : {}),
  };
}

export function fileErrorDiagnostic(e: FileError): Diagnostic {
  const line = Math.max(0, (e.line ?? 1) - 1);
  const character = Math.max(0, (e.column ?? 1) - 1);
  return { range: { start: { line, character }, end: { line, character: character + 1 } }, severity: 1, code: 'file-error', source: 'pid1', message: e.message };
}

/** A fix's edits as a WorkspaceEdit, by file URI, with positions in the text the fix was computed on. */
export function fixEdit(fix: Fix, docOf: (file: string) => Document | undefined): WorkspaceEdit | undefined {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of fix.edits) {
    const doc = docOf(e.file);
    if (!doc?.absPath) return undefined;
    (changes[fileUri(doc.absPath)] ??= []).push({ range: offsetsRange(doc, e.start, e.end), newText: e.text });
  }
  return { changes };
}

export function quickFix(fix: Fix, diagnostic: Diagnostic, edit: WorkspaceEdit): CodeAction {
  return { title: `pid1: ${fix.description}`, kind: 'quickfix', diagnostics: [diagnostic], isPreferred: true, edit };
}

export function hover(f: Finding, range: LspRange): Hover {
  const lines = [`**${f.message.replace(/\n/g, ' ')}** ([${f.ruleId}](${ruleUrl(f.ruleId)}))`, ''];
  if (f.why.length) lines.push('Why:', '', ...f.why.map((w) => `- ${w}`), '');
  if (f.fix) lines.push(`Fix: ${f.fix.description} (quick fix, or \`pid1 lint --fix\`)`);
  else if (f.suggestion) lines.push(`Hint: ${f.suggestion}`);
  return { contents: { kind: 'markdown', value: lines.join('\n') }, range };
}

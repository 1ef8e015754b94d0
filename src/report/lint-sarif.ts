/** `--format sarif`: SARIF 2.1.0 (validated against the OASIS schema in test/lint-formats.test.ts). */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LintResult } from '../lint/engine.js';
import type { Range } from '../document/text.js';
import type { Finding, Severity } from '../rules/contract.js';
import { RULES } from '../rules/index.js';
import { safeJson } from '../util/sanitize.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function uriOf(file: string): { uri: string; uriBaseId?: string } {
  if (file === '<stdin>') return { uri: 'stdin' };
  if (path.isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
}

function region(r: Range): Record<string, number> {
  return {
    startLine: r.start.line,
    startColumn: r.start.column,
    endLine: r.end.line,
    endColumn: Math.max(r.end.column, r.end.line === r.start.line ? r.start.column : 1),
    charOffset: r.start.offset,
    charLength: Math.max(0, r.end.offset - r.start.offset),
  };
}

function result(f: Finding, ruleIndex: number): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: [f.message, ...f.why.map((w) => `  ${w}`), ...(f.suggestion ? [`hint: ${f.suggestion}`] : [])].join('\n') },
    locations: [{ physicalLocation: { artifactLocation: uriOf(f.file), region: region(f.range) } }],
    ...(f.related?.length
      ? { relatedLocations: f.related.map((r, i) => ({ id: i, message: { text: r.message }, physicalLocation: { artifactLocation: uriOf(r.file), region: region(r.range) } })) }
      : {}),
    ...(f.fix
      ? {
          fixes: [
            {
              description: { text: f.fix.description },
              artifactChanges: [...new Set(f.fix.edits.map((e) => e.file))].map((file) => ({
                artifactLocation: uriOf(file),
                replacements: f.fix?.edits.filter((e) => e.file === file).map((e) => ({ deletedRegion: { charOffset: e.start, charLength: e.end - e.start }, insertedContent: { text: e.text } })),
              })),
            },
          ],
        }
      : {}),
    ...(f.suppressed ? { suppressions: [{ kind: f.suppressed.kind, ...(f.suppressed.justification ? { justification: f.suppressed.justification } : {}) }] } : {}),
  };
}

export function toSarif(r: LintResult, version: string, cwd = process.cwd()): unknown {
  const index = new Map(RULES.map((x, i) => [x.meta.id, i]));
  const results: unknown[] = [];
  const notifications: unknown[] = [];
  for (const f of r.files) {
    for (const x of [...f.findings, ...f.suppressed]) results.push(result(x, index.get(x.ruleId) ?? -1));
    for (const e of f.errors) {
      notifications.push({
        level: 'error',
        message: { text: e.message },
        locations: [{ physicalLocation: { artifactLocation: uriOf(e.file), ...(e.line ? { region: { startLine: e.line, ...(e.column ? { startColumn: e.column } : {}) } } : {}) } }],
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pid1',
            version,
            rules: RULES.map((x) => ({
              id: x.meta.id,
              name: x.meta.id.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase()),
              shortDescription: { text: x.meta.title },
              fullDescription: { text: x.meta.description.replace(/`/g, '') },
              help: { text: `${x.meta.description}\n\nSee docs/rules/${x.meta.id}.md`, markdown: `${x.meta.description}\n\nSee [docs/rules/${x.meta.id}.md](docs/rules/${x.meta.id}.md).` },
              defaultConfiguration: { level: LEVEL[x.meta.severity] },
              properties: { fixable: x.meta.fixable, tags: ['signals', 'containers'] },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : `${cwd}${path.sep}`).href } },
        invocations: [{ executionSuccessful: true, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }],
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

export function formatSarif(r: LintResult, version: string): string {
  return `${safeJson(toSarif(r, version))}\n`;
}

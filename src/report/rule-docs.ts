/**
 * Rule documentation, generated from each rule's metadata into docs/rules/<id>.md and docs/rules/README.md
 * (`npm run docs`). test/rules/docs.test.ts fails when the committed pages are stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rule } from '../rules/contract.js';
import { RULES } from '../rules/index.js';

const SEVERITY_WORDS = {
  error: 'error: the stop signal will not reach the service gracefully on that image',
  warning: 'warning: the outcome depends on something pid1 cannot see',
  info: 'info: advice',
} as const;

function languageOf(file: string | undefined): string {
  if (file === undefined) return 'dockerfile';
  if (/\.(sh|bash)$/.test(file)) return 'sh';
  if (/\.ya?ml$/.test(file)) return 'yaml';
  if (/\.py$/.test(file)) return 'python';
  if (/\.[cm]?js$/.test(file)) return 'js';
  if (/\.go$/.test(file)) return 'go';
  return /Dockerfile|Containerfile/.test(file) ? 'dockerfile' : 'text';
}

export function renderRuleDoc(rule: Rule): string {
  const m = rule.meta;
  const out = [
    `# ${m.id}`,
    '',
    `> ${m.title}`,
    '',
    `- Default severity: **${SEVERITY_WORDS[m.severity]}**`,
    `- Fixable: ${m.fixable ? 'yes, with `pid1 lint --fix`' : 'no'}`,
    `- Reads: ${m.sources.join(', ')}`,
    '',
    '## What happens',
    '',
    m.description,
    '',
  ];
  if (m.fix) out.push('## Fix', '', m.fix, '');
  out.push('## Messages', '', 'Each finding carries one of these `messageId`s (stable across rewording; `{{...}}` is filled in):', '');
  for (const [id, text] of Object.entries(m.messages)) out.push(`- \`${id}\`: ${text}`);
  out.push('', '## Examples', '', 'Each example is a test (test/rules/examples.test.ts): the first is reported by this rule, the second is not.', '');
  for (const ex of m.examples) {
    const lang = languageOf(ex.file);
    out.push(`### ${ex.title}`, '', `Reported${ex.file ? ` (${ex.file})` : ''}:`, '', `\`\`\`${lang}`, ex.bad, '```', '');
    if (ex.good) out.push('Not reported:', '', `\`\`\`${lang}`, ex.good, '```', '');
    for (const [name, text] of Object.entries(ex.files ?? {})) out.push(`With \`${name}\` in the build context:`, '', `\`\`\`${languageOf(name)}`, text.trimEnd(), '```', '');
  }
  out.push(
    '## Suppressing',
    '',
    'On the line before the instruction (or the script line):',
    '',
    '```dockerfile',
    `# pid1-ignore ${m.id} -- why this is fine here`,
    '```',
    '',
    `or in \`.pid1.json\`: \`{"rules": {"${m.id}": "off"}}\`.`,
    '',
  );
  return out.join('\n');
}

export function renderIndex(): string {
  const out = [
    '# pid1 lint rules',
    '',
    "Generated from the rules' metadata (`npm run docs`). See [../lint.md](../lint.md) for usage.",
    '',
    '| Rule | Severity | Fixable | What |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of RULES) out.push(`| [${r.meta.id}](${r.meta.id}.md) | ${r.meta.severity} | ${r.meta.fixable ? 'yes' : 'no'} | ${r.meta.title} |`);
  return `${out.join('\n')}\n`;
}

/** Every generated page: path relative to docs/rules -> content. */
export function allRuleDocs(): Map<string, string> {
  const m = new Map<string, string>([['README.md', renderIndex()]]);
  for (const r of RULES) m.set(`${r.meta.id}.md`, renderRuleDoc(r));
  return m;
}

export function writeRuleDocs(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of allRuleDocs()) {
    const p = path.join(dir, name);
    if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== text) {
      fs.writeFileSync(p, text);
      written.push(p);
    }
  }
  return written;
}

/** The repository root, from dist/src/report/rule-docs.js. */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = writeRuleDocs(path.join(repoRoot(), 'docs', 'rules'));
  process.stdout.write(`${written.length ? written.join('\n') : 'docs/rules is up to date'}\n`);
}

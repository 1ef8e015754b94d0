/**
 * Inline suppression: `# pid1-ignore RULE[,RULE...] -- reason` on its own line suppresses those rules on
 * the next line that is not a comment; `# pid1-ignore-file RULE -- reason` anywhere suppresses them in the
 * whole file. `all` matches every rule. Comments are found line by line (a whole-line comment in a
 * Dockerfile or a shell script), not by parsing the shell.
 */
import type { Document } from '../document/document.js';
import type { Finding } from '../rules/contract.js';
import { canonicalRuleId } from '../rules/index.js';

interface Suppression {
  rules: Set<string>;
  reason: string;
  /** 1-based line it applies to; 0 for the whole file. */
  line: number;
}

const cache = new WeakMap<Document, Suppression[]>();

function suppressionsOf(doc: Document): Suppression[] {
  const have = cache.get(doc);
  if (have) return have;
  const out: Suppression[] = [];
  if (doc.text.includes('pid1-ignore')) {
    const lines = doc.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const t = (lines[i] as string).trim();
      const m = /^#\s*pid1-ignore(-file)?\s+([A-Za-z0-9_,\s-]+?)(?:\s+--\s*(.*))?$/.exec(t);
      if (!m) continue;
      const rules = new Set(
        (m[2] as string)
          .split(/[\s,]+/)
          .filter(Boolean)
          .map(canonicalRuleId),
      );
      const reason = (m[3] ?? '').trim();
      if (m[1]) {
        out.push({ rules, reason, line: 0 });
        continue;
      }
      // the next line that is not a comment or blank
      let j = i + 1;
      while (j < lines.length && (/^\s*#/.test(lines[j] as string) || (lines[j] as string).trim() === '')) j++;
      out.push({ rules, reason, line: j + 1 });
    }
  }
  cache.set(doc, out);
  return out;
}

/** The suppression that applies to a finding, if any. A finding spanning lines is matched by its first line. */
export function suppressionFor(doc: Document, f: Finding): Suppression | undefined {
  for (const s of suppressionsOf(doc)) {
    if (!s.rules.has(f.ruleId) && !s.rules.has('all')) continue;
    if (s.line === 0 || s.line === f.range.start.line) return s;
    // a finding inside a multi-line instruction: match the instruction's first line
    if (f.range.start.line <= s.line && f.range.end.line >= s.line) return s;
  }
  return undefined;
}

import { rangeOf } from '../document/document.js';
import { parseJsonArray } from '../sources/dockerfile/words.js';
import { defineRule } from './contract.js';

export default defineRule({
  meta: {
    id: 'malformed-json-form',
    // A warning: the container cannot start its service, so no stop is lost (errors are lost stops).
    severity: 'warning',
    title: 'An exec form that is not valid JSON runs as a shell command',
    description: [
      'Docker treats `ENTRYPOINT`/`CMD` arguments as the exec form only when they parse as a JSON array of strings.',
      'Single quotes, a missing bracket or a trailing comma silently turn them into the shell form:',
      "`/bin/sh -c '['\"'\"'gunicorn'\"'\"', ...'`, which fails to start (`[gunicorn,: not found`). `SHELL` requires JSON and",
      'fails the build.',
      '',
      'A warning, not an error: the container exits at once instead of starting its service, so there is no stop to lose',
      '(an error in pid1 means a stop signal that does not reach a running service gracefully).',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile'],
    messages: {
      shell: 'SHELL must be a JSON array of strings: the build fails',
      fallsBack: "{{keyword}} looks like the exec form but is not valid JSON: Docker runs it as `/bin/sh -c '{{text}}'`, which cannot start the service",
    },
    examples: [{ title: 'Single quotes', bad: "FROM python:3.12-slim\nCMD ['gunicorn', 'app:app']", good: 'FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]' }],
  },
  checkSource(result, ctx) {
    const model = result.dockerfile;
    if (!model) return;
    const inTarget = new Set<number>();
    for (let s = model.target; s; s = s.parent) inTarget.add(s.index);
    for (const stage of model.stages) {
      for (const ins of stage.instructions) {
        if (ins.keyword !== 'ENTRYPOINT' && ins.keyword !== 'CMD' && ins.keyword !== 'SHELL') continue;
        const v = ins.args.value;
        if (!v.startsWith('[')) continue;
        if (parseJsonArray(ins.args)) continue;
        const target = inTarget.has(stage.index);
        const span = { doc: result.doc, start: ins.args.at(0), end: ins.args.endAt(v.length) };
        ctx.report({
          file: result.doc.file,
          range: rangeOf(span),
          outsideTarget: !target,
          messageId: ins.keyword === 'SHELL' ? 'shell' : 'fallsBack',
          data: { keyword: ins.keyword, text: `${v.slice(0, 40)}${v.length > 40 ? '...' : ''}` },
          why: ['Docker parses ENTRYPOINT/CMD/SHELL as JSON first and falls back to the shell form when that fails (JSON needs double quotes)'],
          suggestion: 'use double quotes and commas: ["program", "arg"]',
        });
      }
    }
  },
});

import { rangeOf } from '../document/document.js';
import { defineRule } from './contract.js';

export default defineRule({
  meta: {
    id: 'template-file',
    severity: 'warning',
    title: 'A template, not the file that runs: render it first',
    description: [
      "A `Dockerfile.template` (docker-library's `apply-templates.sh`, balena's `%%BALENA_MACHINE_NAME%%`) or a Helm",
      "chart's template is not built or applied as written: a tool renders it first, and what runs is the output.",
      'Template syntax (`{{ ... }}`, `{% ... %}`, `%%VAR%%`) is neither Dockerfile nor YAML, so pid1 does not guess what',
      'it renders to. Render it and lint the result: `helm template CHART | pid1 lint -`, or lint the generated Dockerfiles.',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'kubernetes', 'compose'],
    messages: {
      template: '{{file}} is a template ({{syntax}}), not a file that runs as written: {{render}}, then lint the result',
    },
    examples: [
      {
        title: 'A Dockerfile template',
        file: 'Dockerfile.template',
        bad: 'FROM debian:{{ .debian.version }}-slim\n{{ if .arch then ( -}}\nRUN echo {{ .arch }}\n{{ ) else "" end -}}\nCMD ["redis-server"]',
        good: 'FROM debian:bookworm-slim\nCMD ["redis-server"]',
      },
    ],
  },
  checkSource(result, ctx) {
    for (const n of result.notices ?? []) {
      if (n.code !== 'template') continue;
      ctx.report({
        messageId: 'template',
        data: { file: n.span.doc.file.split('/').pop() ?? n.span.doc.file, syntax: n.syntax, render: n.render },
        file: n.span.doc.file,
        range: rangeOf(n.span),
        why: ['template syntax is not Dockerfile or YAML: what runs is the rendered output, which pid1 cannot see here'],
        suggestion: n.render,
      });
    }
  },
});

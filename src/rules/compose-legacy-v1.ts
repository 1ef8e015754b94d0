import { rangeOf } from '../document/document.js';
import { defineRule } from './contract.js';

export default defineRule({
  meta: {
    id: 'compose-legacy-v1',
    severity: 'warning',
    title: 'A compose file in the legacy v1 format, which Compose v2 refuses',
    description: [
      'The first compose file format had no `services:` key: every top-level key is a service. Only `docker-compose`',
      '1.x (Python, end of life since 2023) runs it; Compose v2 (`docker compose`) validates the file against the Compose',
      'specification and refuses it with `(root) Additional property <service> is not allowed`.',
      '',
      'pid1 reads such a file as docker-compose 1.x did: a string `command:`/`entrypoint:` is split with shlex, `build:`',
      "is the context and the service's own `dockerfile:` names the Dockerfile, and there is no `init` or",
      '`stop_grace_period` (the stop waits 10 s). Move the services under a top-level `services:` key to run it with',
      'Compose v2.',
    ].join('\n'),
    fixable: false,
    sources: ['compose'],
    messages: {
      legacy:
        'this compose file is in the legacy v1 format (services at the top level, no `services:` key): only docker-compose 1.x runs it, Compose v2 refuses it (`(root) Additional property {{service}} is not allowed`)',
    },
    examples: [
      {
        title: 'Services at the top level',
        file: 'docker-compose.yml',
        bad: 'web:\n  image: python:3.12-slim\n  command: gunicorn app:app',
        good: 'services:\n  web:\n    image: python:3.12-slim\n    command: gunicorn app:app',
      },
    ],
  },
  checkSource(result, ctx) {
    for (const n of result.notices ?? []) {
      if (n.code !== 'compose-v1') continue;
      ctx.report({
        messageId: 'legacy',
        data: { service: n.services[0] ?? '' },
        file: n.span.doc.file,
        range: rangeOf(n.span),
        why: [
          `read as the v1 format: ${n.services.length} service${n.services.length === 1 ? '' : 's'} at the top level (${n.services.slice(0, 5).join(', ')}${n.services.length > 5 ? ', ...' : ''})`,
          'Compose v2 validates against the Compose specification, whose top level allows only version, name, services, networks, volumes, secrets, configs, include and x-* keys',
        ],
        suggestion: 'indent the services under a top-level `services:` key',
      });
    }
  },
});

import { rangeOf } from '../document/document.js';
import { defineRule } from './contract.js';

export default defineRule({
  meta: {
    id: 'compose-shell-operators',
    severity: 'warning',
    title: 'A compose command string uses shell operators, but compose runs no shell',
    description: [
      'Compose splits a string `command:` or `entrypoint:` into words itself and execs them; it never wraps it in',
      '`sh -c`. So `command: ./migrate.sh && gunicorn app:app` does not run two commands:',
      '',
      '- Compose v2 (`docker compose`, compose-go) splits with go-shellwords, which stops at the first unquoted `;`, `&`,',
      '  `|`, `<` or `>` and silently drops the rest: only `./migrate.sh` runs, and the service never starts.',
      "- Compose v1 (`docker-compose` 1.x) splits with Python's shlex: `&&` becomes an argument of `./migrate.sh`.",
      '',
      'Write the list form with an explicit shell and `exec` the service, so that it is PID 1 and gets the stop signal:',
      '`command: ["sh", "-c", "./migrate.sh && exec gunicorn app:app"]`.',
    ].join('\n'),
    fixable: false,
    sources: ['compose'],
    messages: {
      notAnOperator: 'compose runs no shell for {{field}}: `{{operator}}` is not an operator here; compose v2 runs only {{v2}} and drops the rest, compose v1 passes it as an argument',
      notAnOperatorV1: 'docker-compose 1.x runs no shell for {{field}} (a v1 file, which only it runs): `{{operator}}` is passed as an argument, argv {{v1}}',
    },
    examples: [
      {
        title: 'Two commands in one string',
        file: 'compose.yaml',
        bad: 'services:\n  web:\n    image: python:3.12-slim\n    command: ./migrate.sh && gunicorn app:app',
        good: 'services:\n  web:\n    image: python:3.12-slim\n    command: ["sh", "-c", "./migrate.sh && exec gunicorn app:app"]',
      },
    ],
  },
  checkLaunch(l, ctx) {
    if (l.kind !== 'compose') return;
    for (const s of l.commandStrings) {
      const op = s.operators[0];
      const stop = s.stoppedAt;
      if (!op && !stop) continue;
      // a v1 file is split by docker-compose 1.x only: shlex keeps every word, the operator included
      if (l.legacyV1 && !op) continue;
      const where = op?.span ?? stop ?? s.span;
      const v2 = s.v2.words.map((w) => w.value);
      const v1 = s.v1.words.map((w) => w.value);
      const shown = (a: string[]): string => JSON.stringify(a.length > 8 ? [...a.slice(0, 8), '...'] : a);
      ctx.report({
        messageId: l.legacyV1 ? 'notAnOperatorV1' : 'notAnOperator',
        data: { field: s.field, operator: op?.value ?? s.text.slice(s.v2.stoppedAt?.index ?? 0, (s.v2.stoppedAt?.index ?? 0) + 1), v2: shown(v2), v1: shown(v1) },
        file: where.doc.file,
        range: rangeOf(where),
        why: [
          `compose v2 (compose-go) splits the string with go-shellwords, which stops at the first unquoted ; & | < >: argv ${shown(v2)}`,
          `compose v1 (docker-py) splits it with shlex.split: argv ${shown(v1)}`,
        ],
        suggestion: `use the list form with a shell and exec the service: ${s.field}: ["sh", "-c", "... && exec <service>"]`,
      });
    }
  },
});

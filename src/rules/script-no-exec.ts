import { rangeOf } from '../document/document.js';
import { defineRule } from './contract.js';
import { diagnose, whyOf } from './diagnose.js';
import { execPrefixFix } from './fixes.js';
import { at, serviceName, shellSpan, stopSignalOf } from './util.js';

export default defineRule({
  meta: {
    id: 'script-no-exec',
    severity: 'error',
    title: 'The entrypoint script runs the service without exec',
    description: [
      'A shell running a script file forks every command and waits for it: no shell family (dash, bash, busybox ash)',
      'execs the last command of a script. The script\'s shell stays PID 1 and drops the stop signal (the kernel ignores',
      'default-action signals sent to a namespace init), so the container is SIGKILLed at the end of the grace period.',
      'Under tini or dumb-init, the shell dies at once instead and the service is SIGKILLed when the init exits.',
      'End the script with `exec the-service "$@"` (or `exec "$@"` to run CMD).',
    ].join('\n'),
    fix: 'Puts `exec` in front of the script\'s final command when it is a simple command, not a builtin, with no trap set.',
    fixable: true,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: {
      shellStays: '{{script}} runs `{{service}}` without exec: the script\'s shell ({{shell}}) stays PID 1 and drops {{signal}}',
      shellDies: '{{script}} runs `{{service}}` without exec: the script\'s shell dies of {{signal}} and the service is SIGKILLed when PID 1 exits',
    },
    examples: [
      { title: 'An entrypoint script', file: 'entrypoint.sh', bad: '#!/bin/sh\nset -e\n./migrate\ngunicorn app:app', good: '#!/bin/sh\nset -e\n./migrate\nexec gunicorn app:app' },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'script-no-exec') return;
    const fix = execPrefixFix(l, d.proc, 'prefix the script\'s final command with `exec`');
    const where = shellSpan(l, d.proc);
    const related = where.doc !== l.anchor.doc || where.start !== l.anchor.start ? [{ file: l.anchor.doc.file, range: rangeOf(l.anchor), message: 'the launch that runs this script' }] : [];
    ctx.report({
      ...at(where),
      messageId: d.index === 0 ? 'shellStays' : 'shellDies',
      data: { script: d.proc.script ?? 'the script', service: serviceName(l), shell: d.proc.name, signal: stopSignalOf(l) },
      why: whyOf(l),
      ...(related.length ? { related } : {}),
      ...(fix ? { fix } : { suggestion: 'end the script with `exec <service>` (or `exec "$@"`)' }),
    });
  },
});

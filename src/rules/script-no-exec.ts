import { rangeOf } from '../document/document.js';
import { defineRule } from './contract.js';
import { diagnose, severityOf, whyOf } from './diagnose.js';
import { execPrefixFix } from './fixes.js';
import { at, serviceName, shellShape, shellSpan, stopSignalOf } from './util.js';

export default defineRule({
  meta: {
    id: 'script-no-exec',
    severity: 'error',
    title: 'The entrypoint script runs the service without exec',
    description: [
      'A shell running a script file forks every command and waits for it: no shell family (dash, bash, busybox ash)',
      "execs the last command of a script. The script's shell stays PID 1 and drops the stop signal (the kernel ignores",
      'default-action signals sent to a namespace init), so the container is SIGKILLed at the end of the grace period.',
      'Under tini or dumb-init, the shell dies at once instead and the service is SIGKILLed when the init exits.',
      'End the script with `exec the-service "$@"` (or `exec "$@"` to run CMD).',
    ].join('\n'),
    fix: "Puts `exec` in front of the script's final command when it is a simple command, not a builtin, with no trap set.",
    fixable: true,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: {
      shellStays: "{{script}} runs `{{service}}` without exec: the script's shell ({{shell}}) stays PID 1 and drops {{signal}}",
      notLast: '{{script}} runs `{{service}}` and then `{{after}}`: the service is not the last command, so its shell ({{shell}}) stays PID 1 and drops {{signal}}',
      loop: '{{script}} ends in an endless loop: its shell ({{shell}}) stays PID 1 and, without a trap that ends the loop, drops {{signal}}',
      loopGoesOn: '{{script}} ends in an endless loop: its trap passes {{signal}} on to the service, but nothing ends the loop, so the container is SIGKILLed when the grace period ends',
      shellDies: "{{script}} runs `{{service}}` without exec: the script's shell dies of {{signal}} and the service is SIGKILLed when PID 1 exits",
    },
    examples: [{ title: 'An entrypoint script', file: 'entrypoint.sh', bad: '#!/bin/sh\nset -e\n./migrate\ngunicorn app:app', good: '#!/bin/sh\nset -e\n./migrate\nexec gunicorn app:app' }],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'script-no-exec') return;
    const fix = execPrefixFix(l, d.proc, "prefix the script's final command with `exec`");
    const where = shellSpan(l, d.proc);
    const shape = shellShape(l, d.proc);
    const related =
      where.doc !== l.anchor.doc || where.start !== l.anchor.start
        ? [
            {
              file: l.anchor.doc.file,
              range: rangeOf(l.anchor),
              // a compose service or container says which (a ConfigMap's script may run in several)
              message: l.kind === 'compose' || l.kind === 'kubernetes' ? `${l.label}: the launch that runs this script` : 'the launch that runs this script',
            },
          ]
        : [];
    ctx.report({
      severity: severityOf(l),
      ...at(where),
      messageId: d.index > 0 ? 'shellDies' : shape.kind === 'plain' ? 'shellStays' : shape.kind === 'loop' && d.proc.loop?.trapForwards ? 'loopGoesOn' : shape.kind,
      data: { script: d.proc.script ?? 'the script', service: serviceName(l), shell: d.proc.name, signal: stopSignalOf(l), after: shape.after },
      why: whyOf(l),
      ...(related.length ? { related } : {}),
      ...(fix
        ? { fix }
        : {
            suggestion:
              shape.kind === 'notLast'
                ? 'run what follows the service before it (or drop it), then end the script with `exec <service>`'
                : shape.kind === 'loop' && d.proc.loop?.trapForwards
                  ? 'end the trap with `exit` once the service is gone, or leave the loop then (`kill -0 "$pid" || break`)'
                  : shape.kind === 'loop'
                    ? "end the loop from a trap (`trap 'exit 0' TERM`, with short `sleep`s in the loop), or run its work under an init"
                    : 'end the script with `exec <service>` (or `exec "$@"`)',
          }),
    });
  },
});

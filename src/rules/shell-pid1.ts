import { defineRule } from './contract.js';
import { diagnose, severityOf, whyOf } from './diagnose.js';
import { partOf, shellStringFix } from './fixes.js';
import { at, serviceName, shellShape, shellSpan, stopSignalOf, valueSpanOrAnchor } from './util.js';

const SUGGESTION = {
  plain: 'make the service PID 1: `exec` it at the end of the string, or use the exec (JSON) form',
  notLast: 'run what follows the service before it (or drop it), then `exec` the service as the last command',
  anyShell: '`exec` alone does not help here (the service drops the signal as PID 1 too): run it under an init that forwards the signal and waits (pid1 init, tini), or give the service a handler',
  loop: "end the loop from a trap (`trap 'exit 0' TERM`, with short `sleep`s in the loop), or run its work under an init (pid1 init, tini)",
} as const;

export default defineRule({
  meta: {
    id: 'shell-pid1',
    severity: 'error',
    title: 'PID 1 is a shell that does not exec the service',
    description: [
      'A shell-form `ENTRYPOINT`/`CMD` runs as `/bin/sh -c "<string>"`, and so does an explicit `["sh", "-c", "..."]`.',
      'When that shell does not replace itself with the service (dash never does; bash and busybox ash only for a final',
      'simple command without traps), the shell stays PID 1. It has no handler for the stop signal, and the kernel drops',
      "default-action signals sent to a PID namespace's init: `docker stop` waits the whole grace period, then SIGKILLs",
      'everything (exit 137). The service never runs its graceful shutdown.',
      '',
      "Unlike hadolint DL3025, this rule knows the image's `/bin/sh`: a shell form on Alpine (busybox ash) or",
      "Fedora/UBI (bash) that ends in a simple command is exec'd and is not reported.",
    ].join('\n'),
    fix: 'Rewrites a plain command (no shell features) to the exec (JSON) form when no CMD is in effect; otherwise puts `exec` in front of the final command inside the shell string.',
    fixable: true,
    sources: ['dockerfile', 'compose', 'kubernetes'],
    messages: {
      noExec: 'PID 1 is `{{shell}} -c` ({{how}}), which does not exec `{{service}}`: {{signal}} is dropped and the container is SIGKILLed when the grace period ends',
      notLast:
        'PID 1 is `{{shell}} -c` ({{how}}): `{{service}}` is not the last command (`{{after}}` runs after it), so no shell execs it; {{signal}} is dropped and the container is SIGKILLed when the grace period ends',
      anyShell:
        "PID 1 is `{{shell}} -c` ({{how}}) and the image's /bin/sh is unknown: dash would not exec `{{service}}`, bash or busybox ash would, and {{signal}} is lost either way; the container is SIGKILLed when the grace period ends",
      loop: 'PID 1 is `{{shell}} -c` ({{how}}) running an endless loop: no shell execs a loop, and without a trap that ends it {{signal}} is dropped; the container is SIGKILLed when the grace period ends',
    },
    examples: [
      {
        title: 'The classic: gunicorn on a Debian-based image',
        bad: 'FROM python:3.9-slim\nENTRYPOINT gunicorn -w 1 -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:80 app:app',
        good: 'FROM python:3.9-slim\nENTRYPOINT ["gunicorn", "-w", "1", "-k", "uvicorn.workers.UvicornWorker", "--bind", "0.0.0.0:80", "app:app"]',
      },
      { title: 'An explicit sh -c', bad: 'FROM node:20\nCMD ["sh", "-c", "cd /app && node server.js"]', good: 'FROM node:20\nCMD ["sh", "-c", "cd /app && exec node server.js"]' },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'shell-pid1') return;
    const part = partOf(l, d.proc);
    const where = part ? (part.form === 'shell' ? part.valueSpan : shellSpan(l, d.proc)) : valueSpanOrAnchor(l);
    const fix = shellStringFix(l, d.proc);
    const how = part?.form === 'shell' ? `the shell form of ${part.what}` : '`sh -c`';
    const shape = shellShape(l, d.proc);
    // (an unknown /bin/sh: reported only when dash, bash and ash each lose the stop, model/launch.ts chainFromArgv)
    const kind = shape.kind === 'plain' && l.chain?.everyShellLoses ? 'anyShell' : shape.kind;
    ctx.report({
      severity: severityOf(l),
      ...at(where),
      messageId: kind === 'plain' ? 'noExec' : kind,
      data: { shell: d.proc.name, how, service: serviceName(l), signal: stopSignalOf(l), after: shape.after },
      why: whyOf(l),
      ...(fix ? { fix } : { suggestion: SUGGESTION[kind] }),
    });
  },
});

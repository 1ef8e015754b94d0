import { defineRule } from './contract.js';
import { diagnose, severityOf, whyOf } from './diagnose.js';
import { execPrefixFix } from './fixes.js';
import { at, serviceName, shellSpan, stopSignalOf } from './util.js';

export default defineRule({
  meta: {
    id: 'shell-under-init',
    severity: 'error',
    title: 'An init forwards the stop signal to a shell wrapper, not to the service',
    description: [
      '`tini`, `dumb-init`, `catatonit` and `docker run --init` forward the stop signal to their child. When that child is',
      'a `sh -c` wrapper that does not exec the service, the shell dies of the signal at once (even `tini -g` and dumb-init,',
      'which signal the whole group: the shell still dies first), the init exits with its child, and when PID 1 exits the',
      'kernel SIGKILLs every process left in the namespace, the service included, before its shutdown handler finishes.',
      'The stop is fast but not graceful.',
    ].join('\n'),
    fix: "Puts `exec` in front of the final command of the `-c` string, so that the service is the init's direct child.",
    fixable: true,
    sources: ['dockerfile', 'compose', 'kubernetes'],
    messages: {
      shellDies: '{{init}} forwards {{signal}} to `{{shell}} -c`, which does not exec `{{service}}`: the shell dies at once, {{init}} exits, and the kernel SIGKILLs the service mid-shutdown',
    },
    examples: [
      {
        title: 'tini in front of a shell wrapper',
        bad: 'FROM debian:bookworm\nENTRYPOINT ["tini", "--", "sh", "-c", "svc --port 80"]',
        good: 'FROM debian:bookworm\nENTRYPOINT ["tini", "--", "sh", "-c", "exec svc --port 80"]',
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'shell-under-init') return;
    const fix = execPrefixFix(l, d.proc, 'prefix the command with `exec` inside the -c string');
    ctx.report({
      severity: severityOf(l),
      ...at(shellSpan(l, d.proc)),
      messageId: 'shellDies',
      data: { init: d.init.name, signal: stopSignalOf(l), shell: d.proc.name, service: serviceName(l) },
      why: whyOf(l),
      ...(fix ? { fix } : { suggestion: "exec the service from the shell so that it is the init's direct child" }),
    });
  },
});

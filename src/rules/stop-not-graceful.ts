import { defineRule } from './contract.js';
import { diagnose, severityOf, whyOf } from './diagnose.js';
import { anchorRange, at, outcomeWords } from './util.js';

export default defineRule({
  meta: {
    id: 'stop-not-graceful',
    severity: 'error',
    title: 'The stop signal does not end the service gracefully',
    description: [
      'The launch chain loses the stop signal in a way no more specific rule describes: a stop signal no process can',
      'handle (SIGKILL, SIGSTOP), a real-time signal an init ignores, a service that ignores the signal, an init whose',
      'child is not the service, a wrapper that SIGKILLs the service 2 s after passing the signal on (su as PID 1),',
      'a service that its supervisor (s6, supervisord) stops with a signal that is not its',
      "graceful stop (the hint says which service, which signal, and what to set). The message gives the signal's path",
      'step by step. Error when pid1 sees the whole chain; warning when part of it is hidden (a script not in the build',
      'context, a command built at run time).',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: { notGraceful: '{{qualifier}}{{outcome}} (PID 1: {{pid1}}, service: {{service}})' },
    examples: [
      { title: 'STOPSIGNAL SIGKILL: no process gets to shut down', bad: 'FROM debian:bookworm\nSTOPSIGNAL SIGKILL\nCMD ["svc"]', good: 'FROM debian:bookworm\nSTOPSIGNAL SIGTERM\nCMD ["svc"]' },
      {
        title: 'su as PID 1 SIGKILLs the service 2 s after passing SIGTERM on',
        bad: 'FROM debian:bookworm\nCMD ["su", "app", "-c", "exec svc"]',
        good: 'FROM debian:bookworm\nCMD ["setpriv", "--reuid=app", "--regid=app", "--init-groups", "svc"]',
      },
      {
        title: 'pid1 init ignores real-time signals',
        bad: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["pid1", "init", "--", "svc"]',
        good: 'FROM debian:bookworm\nENTRYPOINT ["pid1", "init", "--", "svc"]',
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'other') return;
    const p = d.prediction;
    if (p.outcome === 'unknown' && !l.target) return;
    // SIGKILL set by the file itself (compose stop_signal, k8s lifecycle.stopSignal): no program can handle it, the setting is the cause
    const killSet = l.stopSignal.signal === 'SIGKILL' && l.stopSignal.source === 'explicit' && l.stopSignal.span;
    ctx.report({
      ...(killSet ? at(killSet) : anchorRange(l)),
      severity: p.outcome === 'unknown' ? 'warning' : severityOf(l),
      messageId: 'notGraceful',
      data: { qualifier: p.outcome === 'unknown' || p.certain ? '' : 'probably ', outcome: outcomeWords(l), pid1: p.pid1.name, service: p.service.name },
      why: whyOf(l),
      ...(p.fix ? { suggestion: p.fix } : {}),
    });
  },
});

import { diagnose, severityOf, whyOf } from '../lint/diagnose.js';
import { defineRule } from '../lint/rule.js';
import { anchorRange, outcomeWords } from './util.js';

export default defineRule({
  meta: {
    id: 'stop-not-graceful',
    severity: 'error',
    title: 'The stop signal does not end the service gracefully',
    description: [
      'The launch chain loses the stop signal in a way no more specific rule describes: a `su -c` or `timeout` wrapper,',
      'a service that ignores the signal, an init whose child is not the service. The message gives the signal\'s path',
      'step by step. Error when pid1 sees the whole chain; warning when part of it is hidden (a script not in the build',
      'context, a command built at run time).',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'script'],
    examples: [{ title: 'su -c keeps a shell between su and the service', bad: 'FROM debian:bookworm\nCMD ["su", "app", "-c", "svc"]', good: 'FROM debian:bookworm\nCMD ["setpriv", "--reuid=app", "--regid=app", "--init-groups", "svc"]' }],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'other') return;
    const p = d.prediction;
    if (p.outcome === 'unknown' && !l.target) return;
    ctx.report({
      ...anchorRange(l),
      severity: p.outcome === 'unknown' ? (l.target ? 'warning' : 'info') : severityOf(l),
      message: `${p.outcome === 'unknown' ? '' : p.certain ? '' : 'probably '}${outcomeWords(l)} (PID 1: ${p.pid1.name}, service: ${p.service.name})`,
      why: whyOf(l),
      ...(p.fix ? { suggestion: p.fix } : {}),
    });
  },
});

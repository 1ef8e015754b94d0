import { defineRule } from './contract.js';
import { diagnose } from './diagnose.js';
import { anchorRange, at } from './util.js';

export default defineRule({
  meta: {
    id: 'invalid-stop-signal',
    severity: 'error',
    title: 'STOPSIGNAL is not a signal',
    description: 'Docker checks `STOPSIGNAL` when the container is created: a name or number that is not a signal makes `docker run` fail (`invalid signal`).',
    fixable: false,
    sources: ['dockerfile', 'compose', 'kubernetes'],
    messages: { invalid: 'STOPSIGNAL "{{value}}" is not a signal: the container cannot be created' },
    examples: [{ title: 'A typo', bad: 'FROM alpine\nSTOPSIGNAL SIGTREM\nCMD ["svc"]', good: 'FROM alpine\nSTOPSIGNAL SIGTERM\nCMD ["svc"]' }],
  },
  checkLaunch(l, ctx) {
    if (diagnose(l).kind !== 'invalid-stop-signal') return;
    ctx.report({
      messageId: 'invalid',
      data: { value: l.stopSignal.invalid ?? '' },
      ...(l.stopSignal.span ? at(l.stopSignal.span) : anchorRange(l)),
      why: ['Docker parses the stop signal when it creates the container and refuses unknown names'],
      suggestion: 'use a signal name such as SIGTERM, SIGQUIT or SIGINT',
    });
  },
});

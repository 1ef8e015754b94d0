import { defineRule } from './contract.js';
import { diagnose, whyOf } from './diagnose.js';
import { anchorRange, stopSignalOf } from './util.js';

export default defineRule({
  meta: {
    id: 'node-pid1',
    severity: 'warning',
    title: 'Node.js (or Bun/Deno) receives the stop signal: graceful only if the program listens for it',
    description: [
      'Node installs its own SIGTERM handler, so the kernel does not drop the signal even for PID 1; but unless the program',
      'calls `process.on(\'SIGTERM\', ...)`, that handler re-raises the default action, which a namespace init ignores:',
      'the stop then waits for the whole grace period and ends in SIGKILL. pid1 cannot see the program\'s code, so this is a',
      'warning: make sure the program handles SIGTERM, or run it under `tini`/`pid1 init`.',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: {
      asPid1: '{{program}} gets {{signal}} as PID 1: graceful only if the program listens for it (process.on(\'{{signal}}\')); otherwise the signal is ignored and the container is SIGKILLed after the grace period',
      asChild: '{{program}} gets {{signal}}: graceful only if the program listens for it (process.on(\'{{signal}}\')); otherwise it exits at once',
    },
    examples: [{ title: 'node as PID 1', bad: 'FROM node:20\nCMD ["node", "server.js"]' }],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'node') return;
    ctx.report({
      ...anchorRange(l),
      messageId: d.index === 0 ? 'asPid1' : 'asChild',
      data: { program: d.proc.name, signal: stopSignalOf(l) },
      why: whyOf(l),
      suggestion: `handle ${l.prediction?.signal ?? 'SIGTERM'} in the program, or run it under an init (tini, pid1 init)`,
    });
  },
});

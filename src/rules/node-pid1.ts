import { diagnose, whyOf } from '../lint/diagnose.js';
import { defineRule } from '../lint/rule.js';
import { anchorRange } from './util.js';

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
    sources: ['dockerfile', 'script'],
    examples: [{ title: 'node as PID 1', bad: 'FROM node:20\nCMD ["node", "server.js"]', good: 'FROM node:20\n# server.js: process.on(\'SIGTERM\', () => server.close(() => process.exit(0)))\nCMD ["node", "server.js"]' }],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'node') return;
    ctx.report({
      ...anchorRange(l),
      severity: l.target ? 'warning' : 'info',
      message: `${d.proc.name} gets ${l.prediction?.signal ?? 'SIGTERM'}${d.index === 0 ? ' as PID 1' : ''}: graceful only if the program listens for it (process.on('${l.prediction?.signal ?? 'SIGTERM'}')); otherwise ${d.index === 0 ? 'the signal is ignored and the container is SIGKILLed after the grace period' : 'it exits at once'}`,
      why: whyOf(l),
      suggestion: `handle ${l.prediction?.signal ?? 'SIGTERM'} in the program, or run it under an init (tini, pid1 init)`,
    });
  },
});

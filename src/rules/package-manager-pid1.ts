import { defineRule } from './contract.js';
import { diagnose, whyOf } from './diagnose.js';
import { anchorRange, stopSignalOf } from './util.js';

export default defineRule({
  meta: {
    id: 'package-manager-pid1',
    severity: 'error',
    title: 'npm/yarn/pnpm runs the service',
    description: [
      '`npm start` (and `yarn`/`pnpm` scripts) run the script through `sh -c` as a child and pass the stop signal only to',
      'that shell. On Debian-based images the shell is dash, which forks the service and dies of the signal at once;',
      'npm exits, and when PID 1 exits the kernel SIGKILLs the service. As PID 1, npm\'s own exit on SIGTERM also ends the',
      'container abruptly. Run the program itself: `CMD ["node", "server.js"]`.',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: { runsScript: '{{manager}} runs the "{{script}}" script through sh -c and forwards {{signal}} only to that shell: the service\'s graceful shutdown is lost' },
    examples: [{ title: 'npm start', bad: 'FROM node:20-slim\nCMD ["npm", "start"]', good: 'FROM node:20-slim\nCMD ["node", "server.js"]' }],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'package-manager') return;
    const script = d.proc.programs.find((p) => p.role === 'package-manager')?.command ?? 'start';
    ctx.report({
      ...anchorRange(l),
      messageId: 'runsScript',
      data: { manager: d.proc.name, script, signal: stopSignalOf(l) },
      why: whyOf(l),
      suggestion: `run the program directly (e.g. CMD ["node", "server.js"]) instead of ${d.proc.name} ${script}`,
    });
  },
});

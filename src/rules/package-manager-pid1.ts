import { defineRule } from './contract.js';
import { diagnose, severityOf, whyOf } from './diagnose.js';
import { anchorRange, stopSignalOf } from './util.js';

export default defineRule({
  meta: {
    id: 'package-manager-pid1',
    severity: 'error',
    title: 'npm/yarn/pnpm runs the service',
    description: [
      '`npm start` (and `yarn`/`pnpm` scripts) run the package.json script through `sh -c` as a child and pass the stop',
      'signal only to that child. npm waits for it; yarn (1 and 2+) exits at once after forwarding (yarnpkg/yarn#4667).',
      '',
      '- On Debian-based images `sh` is dash, which forks the service and dies of the signal at once: npm exits, and when',
      '  PID 1 exits the kernel SIGKILLs the service before its shutdown.',
      "- On Alpine (busybox ash) and Red Hat-family images (bash), a script that is one simple command is exec'd, so the",
      "  service is npm's direct child and gets the signal: graceful with npm when the service handles it, lost with yarn.",
      '',
      'pid1 reads the script from package.json in the build context. Run the program itself: `CMD ["node", "server.js"]`.',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: {
      runsScript: '{{manager}} runs the "{{script}}" script through sh -c and forwards {{signal}} only to that shell: the service\'s graceful shutdown is lost',
      exitsAtOnce: '{{manager}} forwards {{signal}} to the "{{script}}" script and exits at once, without waiting for it: the kernel SIGKILLs the service mid-shutdown',
    },
    examples: [
      {
        title: 'npm start',
        file: 'Dockerfile',
        bad: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]',
        good: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]',
        files: {
          'package.json': '{ "name": "app", "scripts": { "start": "node server.js" } }\n',
          'server.js': "const server = require('http').createServer((q, r) => r.end('ok')).listen(8080);\nprocess.on('SIGTERM', () => server.close(() => process.exit(0)));\n",
        },
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'package-manager') return;
    const script = d.proc.programs.find((p) => p.role === 'package-manager')?.command ?? 'start';
    ctx.report({
      severity: severityOf(l),
      ...anchorRange(l),
      messageId: d.proc.waitsForChild === false ? 'exitsAtOnce' : 'runsScript',
      data: { manager: d.proc.name, script, signal: stopSignalOf(l) },
      why: whyOf(l),
      suggestion: `run the program directly (e.g. CMD ["node", "server.js"]) instead of ${d.proc.name} ${script}`,
    });
  },
});

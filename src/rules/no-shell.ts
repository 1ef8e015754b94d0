import { defineRule } from './contract.js';
import { diagnose } from './diagnose.js';
import { jsonFormFix } from './fixes.js';
import { anchorRange } from './util.js';

export default defineRule({
  meta: {
    id: 'no-shell',
    severity: 'error',
    title: 'A shell form on an image with no shell',
    description: [
      '`scratch`, distroless and most Chainguard images have no `/bin/sh`. A shell-form `ENTRYPOINT`/`CMD` (or `sh -c`)',
      'there makes the runtime exec `/bin/sh`, which does not exist: the container cannot start',
      '(`exec: "/bin/sh": stat /bin/sh: no such file or directory`).',
    ].join('\n'),
    fix: 'Rewrites a plain command to the exec (JSON) form.',
    fixable: true,
    sources: ['dockerfile', 'compose', 'kubernetes'],
    messages: { noShell: '{{image}} has no /bin/sh ({{how}}), but the launch needs one: the container cannot start' },
    examples: [
      {
        title: 'distroless',
        bad: 'FROM gcr.io/distroless/static-debian12\nCOPY app /app\nENTRYPOINT /app --serve',
        good: 'FROM gcr.io/distroless/static-debian12\nCOPY app /app\nENTRYPOINT ["/app", "--serve"]',
      },
    ],
  },
  checkLaunch(l, ctx) {
    if (diagnose(l).kind !== 'no-shell') return;
    const part = l.entrypoint?.form === 'shell' ? l.entrypoint : l.cmd?.form === 'shell' && !l.entrypoint ? l.cmd : undefined;
    const fix = jsonFormFix(l, part);
    ctx.report({
      ...anchorRange(l),
      messageId: 'noShell',
      data: { image: l.shell.image ?? 'the base image', how: l.shell.how },
      why: [`the runtime execs ${JSON.stringify(l.argv.slice(0, 3))}; /bin/sh does not exist in the image`],
      ...(fix ? { fix } : { suggestion: "use the exec (JSON) form with the program's path" }),
    });
  },
});

import { diagnose } from '../lint/diagnose.js';
import { jsonFormFix } from '../lint/fixes.js';
import { defineRule } from '../lint/rule.js';
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
    sources: ['dockerfile'],
    examples: [{ title: 'distroless', bad: 'FROM gcr.io/distroless/static-debian12\nCOPY app /app\nENTRYPOINT /app --serve', good: 'FROM gcr.io/distroless/static-debian12\nCOPY app /app\nENTRYPOINT ["/app", "--serve"]' }],
  },
  checkLaunch(l, ctx) {
    if (diagnose(l).kind !== 'no-shell') return;
    const part = l.entrypoint?.form === 'shell' ? l.entrypoint : l.cmd?.form === 'shell' && !l.entrypoint ? l.cmd : undefined;
    const fix = jsonFormFix(l, part);
    ctx.report({
      ...anchorRange(l),
      severity: l.target ? 'error' : 'info',
      message: `${l.shell.image ?? 'the base image'} has no /bin/sh (${l.shell.how}), but the launch needs one: the container cannot start`,
      why: [`the runtime execs ${JSON.stringify(l.argv.slice(0, 3))}; /bin/sh does not exist in the image`],
      ...(fix ? { fix } : { suggestion: 'use the exec (JSON) form with the program\'s path' }),
    });
  },
});

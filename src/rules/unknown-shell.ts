import { defineRule } from './contract.js';
import { diagnose, whyOf } from './diagnose.js';
import { shellStringFix } from './fixes.js';
import { at, serviceName, stopSignalOf, valueSpanOrAnchor } from './util.js';

export default defineRule({
  meta: {
    id: 'unknown-shell',
    severity: 'warning',
    title: 'The outcome depends on which /bin/sh the base image has',
    description: [
      "A shell form (or `sh -c`) whose last command could be exec'd by bash or busybox ash, but not by dash. pid1 does",
      "not know the base image's `/bin/sh`, so it cannot tell whether the service will be PID 1. Tell it with the",
      '`images` config (`{"images": {"myorg/base:*": "dash"}}`), `--image-shell myorg/base=dash`, or let it look inside',
      'a local image with `--probe-images`. Writing `exec` (or the exec form) makes the question moot on every shell.',
    ].join('\n'),
    fix: 'Same as shell-pid1: the exec (JSON) form for a plain command, else `exec` in front of the final command.',
    fixable: true,
    sources: ['dockerfile', 'compose', 'kubernetes'],
    messages: {
      dependsOnShell: 'whether `{{service}}` gets {{signal}} depends on the /bin/sh of {{image}} (dash would stay PID 1 and drop it); pid1 does not know that image',
      dependsOnLoginShell:
        "whether `{{service}}` gets {{signal}} depends on the login shell of su's target user, which runs the command (its /etc/passwd entry: dash would not exec it, bash would); pid1 cannot see it",
    },
    examples: [{ title: 'An in-house base image', bad: 'FROM registry.example.com/base:3\nCMD gunicorn app:app', good: 'FROM registry.example.com/base:3\nCMD ["gunicorn", "app:app"]' }],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'unknown-shell') return;
    const fix = shellStringFix(l, d.proc);
    ctx.report({
      ...at(valueSpanOrAnchor(l)),
      // su(1) runs `-c CMD` with the target user's login shell, not the image's /bin/sh
      messageId: l.chain?.processes[d.index - 1]?.name === 'su' ? 'dependsOnLoginShell' : 'dependsOnShell',
      data: { service: serviceName(l), signal: stopSignalOf(l), image: l.shell.image ?? 'the base image' },
      why: whyOf(l),
      ...(fix ? { fix } : { suggestion: '`exec` the service, or tell pid1 the shell family (config "images", --image-shell, --probe-images)' }),
    });
  },
});

import { diagnose, whyOf } from '../lint/diagnose.js';
import { shellStringFix } from '../lint/fixes.js';
import { defineRule } from '../lint/rule.js';
import { at, serviceName, valueSpanOrAnchor } from './util.js';

export default defineRule({
  meta: {
    id: 'unknown-shell',
    severity: 'warning',
    title: 'The outcome depends on which /bin/sh the base image has',
    description: [
      'A shell form (or `sh -c`) whose last command could be exec\'d by bash or busybox ash, but not by dash. pid1 does',
      'not know the base image\'s `/bin/sh`, so it cannot tell whether the service will be PID 1. Tell it with the',
      '`images` config (`{"images": {"myorg/base:*": "dash"}}`), `--image-shell myorg/base=dash`, or let it look inside',
      'a local image with `--probe-images`. Writing `exec` (or the exec form) makes the question moot on every shell.',
    ].join('\n'),
    fix: 'Same as shell-pid1: the exec (JSON) form for a plain command, else `exec` in front of the final command.',
    fixable: true,
    sources: ['dockerfile'],
    examples: [
      { title: 'An in-house base image', bad: 'FROM registry.example.com/base:3\nCMD gunicorn app:app', good: 'FROM registry.example.com/base:3\nCMD ["gunicorn", "app:app"]' },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'unknown-shell') return;
    const fix = shellStringFix(l, d.proc);
    ctx.report({
      ...at(valueSpanOrAnchor(l)),
      severity: l.target ? 'warning' : 'info',
      message: `whether \`${serviceName(l)}\` gets ${l.prediction?.signal ?? 'SIGTERM'} depends on the /bin/sh of ${l.shell.image ?? 'the base image'} (dash would stay PID 1 and drop it); pid1 does not know that image`,
      why: whyOf(l),
      ...(fix ? { fix } : { suggestion: '`exec` the service, or tell pid1 the shell family (config "images", --image-shell, --probe-images)' }),
    });
  },
});

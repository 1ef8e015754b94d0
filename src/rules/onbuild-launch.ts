import { rangeOf } from '../document/document.js';
import { parseJsonArray } from '../sources/dockerfile/words.js';
import { defineRule } from './contract.js';

export default defineRule({
  meta: {
    id: 'onbuild-launch',
    severity: 'info',
    title: 'ONBUILD sets a shell-form ENTRYPOINT/CMD for images built on this one',
    description:
      'An `ONBUILD ENTRYPOINT`/`ONBUILD CMD` in the shell form runs in every child image as `/bin/sh -c`: on a Debian-based child the shell stays PID 1 and drops SIGTERM. Prefer the exec form in triggers.',
    fixable: false,
    sources: ['dockerfile'],
    messages: { shellForm: 'ONBUILD {{keyword}} in the shell form: images built FROM this one run it as /bin/sh -c, and on dash the shell stays PID 1' },
    examples: [{ title: 'ONBUILD CMD', bad: 'FROM python:3.12-slim\nONBUILD CMD gunicorn app:app', good: 'FROM python:3.12-slim\nONBUILD CMD ["gunicorn", "app:app"]' }],
  },
  checkSource(result, ctx) {
    const model = result.dockerfile;
    if (!model) return;
    for (const stage of model.stages) {
      for (const ins of stage.onbuild) {
        const words = ins.args.value.split(/[ \t]+/);
        const kw = (words[0] ?? '').toUpperCase();
        if (kw !== 'CMD' && kw !== 'ENTRYPOINT') continue;
        const restAt = ins.args.value.indexOf(words[1] ?? '', kw.length);
        const rest = ins.args.slice(restAt < 0 ? ins.args.value.length : restAt);
        if (rest.value.startsWith('[') && parseJsonArray(rest)) continue;
        ctx.report({
          file: result.doc.file,
          range: rangeOf({ doc: result.doc, start: ins.start, end: ins.end }),
          messageId: 'shellForm',
          data: { keyword: kw },
          why: ["the trigger runs in the child image's build, with that image's /bin/sh"],
          suggestion: `use the exec form: ONBUILD ${kw} ["program", "arg"]`,
        });
      }
    }
  },
});

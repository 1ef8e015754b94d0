import { rangeOf } from '../document/document.js';
import { defineRule } from './contract.js';

export default defineRule({
  meta: {
    id: 'cmd-ignored',
    severity: 'info',
    title: 'CMD is ignored by a shell-form ENTRYPOINT',
    description:
      'The shell form runs `/bin/sh -c "<string>" <CMD...>`: CMD becomes `$0`, `$1`... of a string that does not use them, so it has no effect. Use the exec form for ENTRYPOINT if CMD should be its arguments.',
    fixable: false,
    sources: ['dockerfile'],
    messages: { ignored: 'CMD has no effect: the shell-form ENTRYPOINT does not pass arguments on' },
    examples: [{ title: 'CMD after a shell-form ENTRYPOINT', bad: 'FROM alpine\nENTRYPOINT svc\nCMD ["--port", "80"]', good: 'FROM alpine\nENTRYPOINT ["svc"]\nCMD ["--port", "80"]' }],
  },
  checkLaunch(l, ctx) {
    if (l.kind !== 'dockerfile' || !l.target || l.entrypoint?.form !== 'shell' || !l.cmd || !l.cmd.values.length) return;
    if (/\$[@*0-9{]/.test(l.entrypoint.values[0]?.text.value ?? '')) return;
    ctx.report({
      messageId: 'ignored',
      file: l.cmd.span.doc.file,
      range: rangeOf(l.cmd.span),
      why: ['Docker runs a shell-form ENTRYPOINT as /bin/sh -c "<string>", and CMD only becomes $0, $1, ... of that shell'],
    });
  },
});

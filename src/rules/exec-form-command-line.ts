import { diagnose } from './diagnose.js';
import { defineRule } from './contract.js';
import { anchorRange } from './util.js';

/** Shell syntax in the word: then only a shell runs it as meant. */
const SHELL_SYNTAX = /&&|\|\||[;|&<>`$()]/;

export default defineRule({
  meta: {
    id: 'exec-form-command-line',
    // A warning, as malformed-json-form: the container does not start its service, so there is no stop to lose.
    severity: 'warning',
    title: 'The exec form names a whole command line as its program',
    description: [
      'The exec form (`CMD ["..."]`, a compose or Kubernetes command list) is run without a shell: its first word is',
      'the program, looked up as a file of exactly that name. `CMD ["/run.sh && /usr/sbin/nginx"]` or',
      '`command: ["node server.js"]` names a file with spaces in it, which does not exist: the runtime cannot start',
      'the container (`exec: "/run.sh && /usr/sbin/nginx": stat ...: no such file or directory`, exit 127).',
      '',
      'Write one word per element; for shell syntax (`&&`, `;`, `$VAR`) run a shell and `exec` the service, so that it',
      'is PID 1 and gets the stop signal: `CMD ["sh", "-c", "/run.sh && exec /usr/sbin/nginx"]`.',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'compose', 'kubernetes'],
    messages: {
      commandLine: 'the program of the exec form is a whole command line, `{{word}}`: no program has that name, so the container does not start',
    },
    examples: [
      {
        title: 'Two commands in one word',
        bad: 'FROM nginx:1.27\nCOPY run.sh /\nCMD ["/run.sh && /usr/sbin/nginx"]',
        good: 'FROM nginx:1.27\nCOPY run.sh /\nCMD ["sh", "-c", "/run.sh && exec /usr/sbin/nginx"]',
      },
      {
        title: 'A program and its argument in one word',
        file: 'compose.yaml',
        bad: 'services:\n  web:\n    image: node:22\n    command: ["node server.js"]',
        good: 'services:\n  web:\n    image: node:22\n    command: ["node", "server.js"]',
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'command-line-word') return;
    const words = d.word.trim().split(/\s+/);
    const shown = d.word.length > 60 ? `${d.word.slice(0, 57)}...` : d.word;
    ctx.report({
      ...anchorRange(l),
      messageId: 'commandLine',
      data: { word: shown },
      why: [`the runtime execs ${JSON.stringify(d.word)} as one file name (the exec form runs no shell to split it)`],
      suggestion: SHELL_SYNTAX.test(d.word)
        ? `run it with a shell and exec the service: ["sh", "-c", ${JSON.stringify(d.word.replace(/((?:&&|;|\|\|)\s*)(?!.*(?:&&|;|\|\|))/, '$1exec '))}]`
        : `one word per element: ${JSON.stringify(words)}`,
    });
  },
});

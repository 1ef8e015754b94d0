import { catalogueById } from '../model/catalogue.js';
import { defineRule } from './contract.js';
import { diagnose, whyOf } from './diagnose.js';
import { anchorRange, stopSignalOf } from './util.js';

/** How a program of each runtime takes the signal, for the message. */
const HOW: Readonly<Record<string, string>> = {
  python: 'signal.signal(signal.SIGTERM, ...), or a server that installs it',
  node: "process.on('SIGTERM', ...)",
  go: 'signal.Notify / signal.NotifyContext',
  deno: "Deno.addSignalListener('SIGTERM', ...)",
  bun: "process.on('SIGTERM', ...)",
};

export default defineRule({
  meta: {
    id: 'program-decides',
    severity: 'warning',
    title: "The program's own code decides whether the stop is graceful, and pid1 cannot see it",
    description: [
      'A language runtime runs the service (CPython, Node.js, Go, Rust, Deno, Bun): whether it stops gracefully depends on the',
      "program's own code. CPython handles SIGINT only, so without `signal.signal(signal.SIGTERM, ...)` (or a server",
      'that installs one) SIGTERM is dropped at PID 1. Node and Go install a handler of their own that re-raises the',
      "default action (or exits at once) unless the program takes the signal (`process.on('SIGTERM')`, `signal.Notify`).",
      '',
      'pid1 reads the program when its entry file is in the build context (`python app.py`, `node server.js`, `node .`,',
      'or the main package of a Go binary built by `go build` in the Dockerfile), following the imports of its own modules',
      '(up to 400 files): a handler found is no finding, none found is an error (service-no-handler). A third-party library',
      'pid1 has not verified is presumed to leave the signal alone, unless it is a server, framework or shutdown helper that',
      'may take it (src/sources/signal-owners.ts: uvicorn, celery, kopf, fx, kratos, next, @loopback/core, ...) or its name',
      'says it deals with signals or shutdowns. This warning means the code was out of sight (a module of its own outside',
      'the build context, `go install` of a remote module), such a library, or code too indirect to decide, or that the',
      'Go build cannot be pinned to one main package (its output path or package from a build argument, several builds',
      'that could have written the binary, a package pattern such as `./cmd/...`). The same for a Rust binary built by',
      '`cargo` whose crate is out of sight, has no Cargo.lock, or whose lock holds a crate that takes signals, and for a',
      'program that `pip install` put in the image whose code pid1 has not read (or not at the version installed): prove',
      'it with `pid1 test --build .`.',
      '',
      'This rule was called `node-pid1`; that id still works in config and `# pid1-ignore` comments.',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: {
      asPid1: '{{program}} gets {{signal}} as PID 1: graceful only if the program handles it ({{how}}); pid1 cannot see that it does{{why}}',
      asChild: '{{program}} gets {{signal}}: graceful only if the program handles it ({{how}}); pid1 cannot see that it does{{why}}',
    },
    examples: [
      {
        title: 'node as PID 1, its code out of sight',
        bad: 'FROM node:20\nCMD ["node", "server.js"]',
        good: 'FROM node:20\nWORKDIR /app\nCOPY server.js .\nCMD ["node", "server.js"]',
        files: {
          'server.js':
            'const http = require("http");\nconst server = http.createServer((req, res) => res.end("ok")).listen(8080);\nprocess.on("SIGTERM", () => server.close(() => process.exit(0)));\n',
        },
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'program-decides') return;
    const runtime = d.proc.programs.at(-1)?.catalogue ?? '';
    const entry = runtime ? catalogueById(runtime) : undefined;
    ctx.report({
      ...anchorRange(l),
      messageId: d.index === 0 ? 'asPid1' : 'asChild',
      data: { program: d.proc.name, signal: stopSignalOf(l), how: HOW[runtime] ?? entry?.code?.how ?? 'a handler', why: d.proc.source ? `: ${d.proc.source.reason}` : '' },
      why: whyOf(l),
      suggestion: `put the entry file in the build context so pid1 can read it, or prove the stop with \`pid1 test\`; or run it under an init that forwards ${stopSignalOf(l)} (pid1 init, tini)`,
    });
  },
});

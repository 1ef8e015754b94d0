import { rangeOf, type Document, type Span } from '../document/document.js';
import { catalogueById } from '../model/catalogue.js';
import { WITH_VALUE } from '../sources/program-reader.js';
import { defineRule } from './contract.js';
import { diagnose, severityOf, whyOf } from './diagnose.js';
import { anchorRange, stopSignalOf } from './util.js';

/** The program and what it runs, for the message: `python app.py`, `python -m http.server`, `sleep infinity`. */
function commandShown(argv: readonly string[]): string {
  // (an option's value is not the program: `node --require ./telemetry.cjs main.js` runs main.js)
  const end = argv.findIndex((a, i) => i > 0 && !a.startsWith('-') && argv[i - 1] !== '-m' && !WITH_VALUE.has(argv[i - 1] ?? ''));
  return argv.slice(0, end < 0 ? Math.min(argv.length, 3) : Math.max(end + 1, 2)).join(' ');
}

/** The evidence line (1-based in the program file, which starts at `offset` of its document), without its indent. */
function evidenceSpan(doc: Document, offset: number, line: number | undefined): Span {
  if (line === undefined) return { doc, start: offset, end: offset };
  const docLine = doc.lines.position(offset).line + line - 1;
  const text = doc.lines.lineText(docLine);
  const start = doc.lines.lineStart(docLine) + (text.length - text.trimStart().length);
  return { doc, start, end: start + text.trim().length };
}

/** A handler to write, per runtime. */
const SNIPPET: Readonly<Record<string, string>> = {
  python: 'install a handler: `signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))` (or stop your server there)',
  'flask-dev-server-reloader': 'serve the app with a WSGI server that stops gracefully (gunicorn), or run without the reloader (debug=False, use_reloader=False) and handle SIGTERM',
  'django-runserver': 'serve the app with a WSGI/ASGI server that stops gracefully (gunicorn, uvicorn); runserver --noreload at least gets the signal to the server',
  node: "listen for it: `process.on('SIGTERM', () => server.close(() => process.exit(0)))`",
  go: 'take it: `ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)` and shut down when ctx is done',
};

/** Development servers whose reloader's parent catches SIGTERM, exits, and leaves the server child to the kernel's SIGKILL. */
const RELOADERS = new Set(['flask-dev-server-reloader', 'django-runserver']);

export default defineRule({
  meta: {
    id: 'service-no-handler',
    severity: 'error',
    title: 'The service itself has no graceful stop for the stop signal',
    description: [
      'The launch delivers the stop signal to the service, but the service does nothing useful with it. As PID 1 of the',
      'container, a program with no handler never sees it (the kernel drops default-action signals sent to a namespace',
      'init), one that ignores it or re-raises it keeps running, and `docker stop` / the kubelet SIGKILL it when the grace',
      'period ends (exit 137): `sleep infinity`, `tail -f /dev/null`, `cat`, a CPython program that installs no SIGTERM',
      "handler, Node without `process.on('SIGTERM')`, a PHP script without `pcntl_signal()`, busybox `crond`. A Go program without",
      '`signal.Notify` exits at once instead: fast, but without a graceful stop.',
      '',
      'pid1 knows each program from its catalogue (src/model/catalogue.ts, each entry with its source and a test that runs',
      'it as PID 1), and reads Python and Node programs in the build context for a handler. A binary that a `go build` or',
      '`go install` in the Dockerfile made (in any stage, copied with `COPY --from`) is followed back to its main package',
      'in the build context and read the same way: the files a linux build compiles (`-tags`, file-name suffixes,',
      "`//go:build`), and the module's own packages they import. Third-party libraries pid1 has not verified are presumed",
      'to leave the signal alone unless they are servers or frameworks that may take it (program-decides). A Go program',
      'whose runtime exits at once on the signal loses something only when it serves (a listener, a child process, or a',
      'deferred shutdown step): a one-shot or a work loop with nothing to shut down is not reported. A Go binary made',
      'any other way (copied prebuilt from the build context or an image, built by `make` or a script) is not known to be',
      'Go, and pid1 says',
      'nothing about it; a build it cannot pin to one package is a warning (program-decides). A binary that `cargo build`',
      'or `cargo install --path` made is followed the same way to its crate (Cargo.toml, the .rs files, Cargo.lock): Rust',
      "installs no SIGTERM handler of its own, so with none in the crate's code (tokio::signal, signal-hook, ctrlc, libc,",
      "actix-web's HttpServer) and no crate in Cargo.lock that takes signals, SIGTERM is dropped at PID 1. A program that",
      'a `pip install` in the Dockerfile or on the same command line put there (a console script) is CPython; for the CLIs',
      'whose code pid1 has read (src/model/python-clis.ts, at a pinned version) it has no handler. `exec` does not help such a',
      'program: handle the signal in it, or run it under an init that forwards the signal and waits (pid1 init, tini).',
      '',
      "A one-shot `sleep N` no longer than the grace period (`sleep 20` in a Job, with the kubelet's 30 s; `sleep 5` under",
      "`docker stop`'s 10 s) is not reported: whatever happens to the signal, it exits by itself before the SIGKILL.",
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: {
      dropped: '`{{service}}` has no handler for {{signal}}{{where}}: {{fate}}, and the container is SIGKILLed when the grace period ends',
      ignored: '`{{service}}` ignores {{signal}}{{where}}: it keeps running, and the container is SIGKILLed when the grace period ends',
      reraised: '`{{service}}` re-raises {{signal}} with the default action (no handler in the program){{where}}: {{fate}}, and the container is SIGKILLed when the grace period ends',
      continues: '`{{service}}` handles {{signal}} but keeps running{{where}}: the container is SIGKILLed when the grace period ends',
      exits: '`{{service}}` exits at once on {{signal}}{{where}}: no graceful stop',
    },
    examples: [
      { title: 'A keep-alive command', bad: 'FROM debian:bookworm\nCMD ["sleep", "infinity"]' },
      {
        title: 'A Python script with no SIGTERM handler',
        file: 'Dockerfile',
        bad: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]',
        good: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py handled.py ./\nCMD ["python", "handled.py"]',
        files: {
          'app.py': 'import time\nwhile True:\n    time.sleep(1)\n',
          'handled.py': 'import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\nwhile True:\n    time.sleep(1)\n',
        },
      },
      {
        title: 'A Go binary built in an earlier stage from a main package with no signal.Notify',
        file: 'Dockerfile',
        bad: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/server ./cmd/server\nFROM scratch\nCOPY --from=build /out/server /server\nENTRYPOINT ["/server"]',
        good: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/server ./cmd/graceful\nFROM scratch\nCOPY --from=build /out/server /server\nENTRYPOINT ["/server"]',
        files: {
          'go.mod': 'module example.com/app\n\ngo 1.22\n',
          'cmd/server/main.go': 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil)\n}\n',
          'cmd/graceful/main.go':
            'package main\n\nimport (\n\t"context"\n\t"net/http"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)\n\tdefer stop()\n\tsrv := &http.Server{Addr: ":8080"}\n\tgo srv.ListenAndServe()\n\t<-ctx.Done()\n\tsrv.Shutdown(context.Background())\n}\n',
        },
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'no-handler') return;
    const p = d.proc;
    // a framework the program's code runs decides (the Flask or Django reloader), not the runtime
    const via = p.source?.verdict === 'handles' && p.source.via && RELOADERS.has(p.source.via) ? p.source.via : undefined;
    const runtime = via ?? p.programs.at(-1)?.catalogue ?? '';
    const entry = runtime ? catalogueById(runtime) : undefined;
    const asPid1 = d.index === 0;
    // Point at the program file when its source decided, else at the launch.
    const file = p.source?.evidence?.file;
    const script = file ? l.scripts.get(file) : undefined;
    const line = p.source?.evidence?.line;
    const where = script ? { file: script.doc.file, range: rangeOf(evidenceSpan(script.doc, script.offset, line)) } : anchorRange(l);
    const fromSource = p.source?.verdict === 'no-handler' ? ` (${p.source.reason})` : '';
    ctx.report({
      severity: severityOf(l),
      ...where,
      messageId: d.reaction,
      data: {
        service: commandShown(p.finalArgv ?? p.argv) || p.name,
        signal: stopSignalOf(l),
        where: fromSource,
        fate: asPid1 ? 'as PID 1 the kernel drops it' : 'the process keeps running',
      },
      why: [...whyOf(l), ...(entry ? [`${entry.title}: ${entry.graceful.note}`] : [])],
      suggestion:
        SNIPPET[runtime] ??
        (entry?.graceful.signals.length
          ? `stop it with ${entry.graceful.signals[0]} (STOPSIGNAL)`
          : // A forwarded signal that the program ignores (or takes as a reload) does the same again: an init does not help.
            d.reaction === 'ignored' || d.reaction === 'continues'
            ? (entry?.graceful.note ?? `run a program that stops on ${stopSignalOf(l)} instead`)
            : 'run it under an init that forwards the signal and waits (pid1 init), or from a script with a trap that ends it'),
      // In the program file: name the launch that runs it.
      ...(script ? { related: [{ file: l.anchor.doc.file, range: rangeOf(l.anchor), message: 'the launch that runs this program' }] } : {}),
    });
  },
});

import rule from '../../src/rules/service-no-handler.js';
import { ruleTester } from '../helpers/rule-tester.js';

const PY = (app: string): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n',
  files: { 'app.py': app },
});

/** A Go program built in an earlier stage and copied into a distroless image (the Go link). */
const GO = (main: string): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile:
    'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/server ./cmd/server\nFROM gcr.io/distroless/static\nCOPY --from=build /out/server /server\nENTRYPOINT ["/server"]\n',
  files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'cmd/server/main.go': main },
});
/** The jaeger hotrod layout: a binary built outside the Dockerfile (Makefile, CI) and copied from the build context. */
const GO_COPIED = (files: Record<string, string>, copy = 'COPY app-linux-$TARGETARCH /go/bin/app-linux\nENTRYPOINT ["/go/bin/app-linux"]'): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile: `FROM scratch\nARG TARGETARCH\n${copy}\n`,
  files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n', ...files },
});
/** A loop that argparse guards: a required positional (test/program-source-ns.test.ts runs it as PID 1). */
const NEEDS_ARGS = 'import argparse, time\nparser = argparse.ArgumentParser()\nparser.add_argument("queue", help="the queue (name)")\nargs = parser.parse_args()\nwhile True:\n    time.sleep(1)\n';
const PY_ARGS = (cmd: string): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile: `FROM python:3.12-slim\nWORKDIR /app\nCOPY worker.py .\nENTRYPOINT ["python", "worker.py"]\n${cmd}`,
  files: { 'worker.py': NEEDS_ARGS },
});
/** A loop behind a usage guard on the argument count (pegi3s' pipenn predict.py). */
const GUARDED =
  'import sys, time\n\nstrict = False\n\ndef main():\n    if len(sys.argv) < 2:\n        print("Usage: predict FILE")\n        sys.exit(1)\n    while True:\n        time.sleep(1)\n\nif __name__ == "__main__":\n    main()\n';
const GO_HTTP = 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil)\n}\n';
const GO_NOTIFY =
  'package main\n\nimport (\n\t"context"\n\t"net/http"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)\n\tdefer stop()\n\tsrv := &http.Server{Addr: ":8080"}\n\tgo srv.ListenAndServe()\n\t<-ctx.Done()\n\tsrv.Shutdown(context.Background())\n}\n';

/** A gorilla/mux server with no signal.Notify: every import is in the verified Go table (known-libraries.ts). */
const GO_MUX =
  'package main\n\nimport (\n\t"net/http"\n\t"os"\n\n\t_ "github.com/go-sql-driver/mysql"\n\t"github.com/gorilla/handlers"\n\t"github.com/gorilla/mux"\n)\n\nfunc main() {\n\tr := mux.NewRouter()\n\thttp.ListenAndServe(":8000", handlers.LoggingHandler(os.Stdout, r))\n}\n';
/** A CloudEvents receiver (cloudevents/sdk-go/v2, verified) with no signal.Notify: knative's helloworld-go. */
const GO_CLOUDEVENTS =
  'package main\n\nimport (\n\t"context"\n\t"log"\n\n\tcloudevents "github.com/cloudevents/sdk-go/v2"\n)\n\nfunc receive(e cloudevents.Event) {}\n\nfunc main() {\n\tc, err := cloudevents.NewDefaultClient()\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tlog.Fatal(c.StartReceiver(context.Background(), receive))\n}\n';
/** knative.dev/pkg/signals.NewContext takes SIGINT/SIGTERM (a verified 'calls' entry). */
const GO_KNATIVE =
  'package main\n\nimport (\n\t"context"\n\t"net/http"\n\n\t"github.com/gorilla/mux"\n\t"knative.dev/pkg/signals"\n)\n\nfunc main() {\n\tctx := signals.NewContext()\n\tsrv := &http.Server{Addr: ":8080", Handler: mux.NewRouter()}\n\tgo srv.ListenAndServe()\n\t<-ctx.Done()\n\tsrv.Shutdown(context.Background())\n}\n';

/** A Rust crate built with cargo in an earlier stage and copied into a slim image (the Rust link). */
const RUST_TOML =
  '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nhyper = { version = "0.14", features = ["full"] }\ntokio = { version = "1", features = ["macros", "rt-multi-thread"] }\n';
/** A Cargo.lock: the crate itself (local: no source), and crates from crates.io. */
const RUST_LOCK = (...extra: string[]): string =>
  `version = 3\n\n[[package]]\nname = "hello"\nversion = "0.1.0"\n${['hyper', 'tokio', 'libc', 'mio', ...extra].map((n) => `\n[[package]]\nname = "${n}"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`).join('')}`;
const RUST = (main: string, lock = RUST_LOCK()): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile:
    'FROM rust:1.80 AS builder\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\nFROM debian:bookworm-slim\nCOPY --from=builder /src/target/release/hello /usr/local/bin/hello\nCMD ["hello"]\n',
  files: { 'Cargo.toml': RUST_TOML, 'Cargo.lock': lock, 'src/main.rs': main },
});
const RUST_HYPER = '#[tokio::main]\nasync fn main() {\n    let addr = ([0, 0, 0, 0], 8080).into();\n    let server = Server::bind(&addr).serve(make_svc);\n    server.await.unwrap();\n}\n';
const RUST_TERM =
  'use tokio::signal::unix::{signal, SignalKind};\n\n#[tokio::main]\nasync fn main() {\n    let mut term = signal(SignalKind::terminate()).unwrap();\n    let server = Server::bind(&addr).serve(make_svc);\n    server.with_graceful_shutdown(async move { term.recv().await; }).await.unwrap();\n}\n';
/** python:3.11-alpine: busybox ash execs the last command of the && list. */
const HF_JOB = (req: string): string =>
  `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: fetch\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: copy\n        image: python:3.11-alpine\n        command: ["sh", "-c", "pip install '${req}' && huggingface-cli download org/model --local-dir=/data"]\n`;

ruleTester(rule, {
  valid: [
    { name: 'argparse requires an argument and the launch gives none: usage and exit 2 at once', ...PY_ARGS('') },
    // argparse's --help prints the help and exits 0 while parsing (test/program-source-ns.test.ts runs it as PID 1)
    { name: 'argparse program run with CMD ["--help"]: a usage one-shot', ...PY_ARGS('CMD ["--help"]\n') },
    {
      name: 'a sys.argv guard that exits when run with no arguments (pipenn): usage and exit 1 at once',
      dockerfile: 'FROM python:3.12-slim\nCOPY predict.py /usr/local/bin/predict_ppi\nENTRYPOINT ["python3", "/usr/local/bin/predict_ppi"]\n',
      files: { 'predict.py': GUARDED },
    },
    // bare Rscript prints its usage and exits (no file, no -e); with a script it is R as PID 1 (invalid below)
    { name: 'bare Rscript prints its usage and exits', dockerfile: 'FROM r-base:4.4.1\nENTRYPOINT ["Rscript"]\n' },
    // Not PID 1, busybox crond ends by the default action (it installs no handlers) and has nothing to save.
    { name: 'busybox crond under tini', dockerfile: 'FROM alpine:3.20\nENTRYPOINT ["tini", "--", "crond", "-f", "-d8"]\n' },
    { name: 'busybox crond with compose init: true', compose: 'services:\n  curator:\n    build: .\n    init: true\n', files: { Dockerfile: 'FROM alpine:3.20\nENTRYPOINT ["crond", "-f", "-d8"]\n' } },
    { name: 'a Rust server that takes SIGTERM with tokio::signal (the Rust link reads the crate)', ...RUST(RUST_TERM, RUST_LOCK('signal-hook-registry')) },
    {
      name: 'an actix-web server: HttpServer installs INT/TERM/QUIT handlers by default',
      ...RUST(
        '#[actix_web::main]\nasync fn main() -> std::io::Result<()> {\n    HttpServer::new(|| App::new()).bind(("0.0.0.0", 8080))?.run().await\n}\n',
        RUST_LOCK('actix-web', 'actix-server', 'signal-hook-registry'),
      ),
    },
    { name: 'a Rust crate whose Cargo.lock holds signal-hook-registry: program-decides, not this rule', ...RUST(RUST_HYPER, RUST_LOCK('signal-hook-registry')) },
    {
      name: 'a path dependency of the crate (code of the build context) takes SIGTERM: its code is read too',
      dockerfile: RUST(RUST_HYPER).dockerfile,
      files: {
        'Cargo.toml': `${RUST_TOML}common = { path = "common" }\n`,
        'Cargo.lock': `${RUST_LOCK()}\n[[package]]\nname = "common"\nversion = "0.1.0"\n`,
        'src/main.rs': RUST_HYPER,
        'common/Cargo.toml': '[package]\nname = "common"\nversion = "0.1.0"\n',
        'common/src/lib.rs': 'pub fn on_stop(h: extern "C" fn(i32)) {\n    unsafe { libc::signal(libc::SIGTERM, h as usize); }\n}\n',
      },
    },
    { name: 'huggingface-cli from an unpinned install: the version is not known (program-decides)', manifest: HF_JOB('huggingface_hub') },
    // A bare runtime is its REPL: with no stdin (compose without stdin_open/tty) it reads end of input and exits at once.
    { name: 'the python image with no command and no stdin: the REPL exits at once', compose: 'services:\n  py:\n    image: python:3.12-slim\n' },
    {
      name: 'python with no program, no stdin (kubernetes)',
      manifest: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: python:3.12-slim\n      command: ["python3"]\n',
    },
    { name: 'a Go server that calls knative signals.NewContext (verified to take SIGTERM)', ...GO(GO_KNATIVE) },
    { name: 'a server that stops gracefully on SIGTERM', dockerfile: 'FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n' },
    { name: 'sleep under pid1 init: the init is PID 1 and waits', dockerfile: 'FROM debian:bookworm\nCMD ["pid1", "init", "--", "sleep", "infinity"]\n' },
    { name: 'a Python handler seen in the source', ...PY('import signal, sys\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\nsignal.pause()\n') },
    // At its prompt php -a ends on SIGTERM (readline returns end of input): measured in test/catalogue-ns.test.ts.
    { name: 'the interactive php shell', dockerfile: 'FROM php:8.2-cli\nCMD ["php", "-a"]\n' },
    { name: 'uvicorn.run installs the handler', ...PY('import uvicorn\napp = object()\nuvicorn.run(app, host="0.0.0.0")\n') },
    // `python app.py` on a module that only defines exits at once (measured: test/program-source-ns.test.ts).
    {
      name: 'a WSGI module that only defines (meant for gunicorn), run with python: it exits at once',
      ...PY('"""The app."""\nfrom flask import Flask, jsonify\n\napp = Flask(__name__)\n\n@app.route("/")\ndef hello():\n    return jsonify(ok=True)\n'),
    },
    { name: 'a Go binary whose package takes SIGTERM with signal.NotifyContext', ...GO(GO_NOTIFY) },
    { name: 'a Go binary copied from the build context (built outside the Dockerfile): its package takes SIGTERM with signal.NotifyContext', ...GO_COPIED({ 'main.go': GO_NOTIFY }) },
    { name: 'a binary committed in the build context: nothing says it is Go', ...GO_COPIED({ 'main.go': GO_HTTP, 'app-linux-amd64': '\u007fELF\u0000\u0000' }) },

    {
      name: 'a binary of unknown origin is not taken for Go',
      dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN make\nFROM scratch\nCOPY --from=build /src/server /server\nCMD ["/server"]\n',
      files: { 'main.go': 'package main\n\nfunc main() {}\n' },
    },
    // Below PID 1 the re-raise with the default action ends node: nothing keeps running (stop-not-graceful's call).
    {
      name: 'node with no listener under npm start: not PID 1, so the re-raised signal ends it',
      dockerfile: 'FROM node:20-alpine\nWORKDIR /app\nCOPY package.json server.js ./\nCMD ["npm", "start"]\n',
      files: { 'package.json': '{"scripts":{"start":"node server.js"}}', 'server.js': "const express = require('express');\nexpress().listen(3000);\n" },
    },
    {
      name: 'python with no handler under tini: not PID 1, so the default action ends it',
      dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nENTRYPOINT ["tini", "--"]\nCMD ["python", "app.py"]\n',
      files: { 'app.py': 'import time\nwhile True:\n    time.sleep(1)\n' },
    },
    // A one-shot `sleep N` shorter than the grace period exits before the SIGKILL (measured: test/test-ns.test.ts).
    { name: 'exec-form sleep 5 under docker stop (10 s grace)', dockerfile: 'FROM debian:bookworm\nCMD ["sleep", "5"]\n' },
    {
      name: 'a Job step `sh -c "echo … && sleep 20"` on busybox (ash execs sleep; the kubelet grace is 30 s)',
      manifest:
        'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: step\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: step\n        image: busybox:1.36\n        command: ["/bin/sh", "-c", "echo starting && sleep 20"]\n',
    },
    { name: 'compose: sleep 9s against the 10 s stop_grace_period', compose: 'services:\n  wait:\n    image: busybox:1.36\n    command: ["sleep", "9s"]\n' },
    // The stop comes after the sleep began, so a sleep as long as the grace still ends before the SIGKILL.
    { name: 'compose: sleep 10 against the 10 s stop_grace_period', compose: 'services:\n  wait:\n    image: busybox:1.36\n    command: ["sleep", "10"]\n' },
    // runit's runsvdir as built in the image from a cloned fork (couchbase's): the catalogue describes the released runit.
    {
      name: 'runsvdir built from a cloned runit fork: its stop is left open',
      dockerfile:
        'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y git gcc make && git clone https://github.com/couchbasedeps/runit && cd runit && make\nCOPY service /etc/service\nCMD ["runsvdir", "-P", "/etc/service"]\n',
      files: { 'service/app/run': '#!/bin/sh\nexec app\n' },
    },
    { name: 'R with no stdin (compose): non-interactive R reads end of input and exits at once', compose: 'services:\n  r:\n    image: r-base:4.4.1\n    command: ["R", "--vanilla"]\n' },
    // A version or help query and `cat FILE` print and exit at once: nothing runs when a stop could come.
    { name: 'CMD node --version', dockerfile: 'FROM node:20-alpine\nCMD ["node", "--version"]\n' },
    { name: 'CMD python -V', dockerfile: 'FROM python:3.12-slim\nCMD ["python", "-V"]\n' },
    // R -e with a query evaluates it and exits 0 (R as PID 1 in test/catalogue-ns.test.ts)
    {
      name: 'a script whose last command is R -e with a query (pegi3s list_r_packages.sh)',
      dockerfile: 'FROM r-base:4.4.1\nCOPY list_r_packages.sh /\nCMD ["/list_r_packages.sh"]\n',
      files: { 'list_r_packages.sh': '#!/bin/bash\n\necho "Installed R packages and their versions:"\nR -e "installed.packages()[, c(\'Package\', \'Version\')]"\n' },
    },
    {
      name: 'a pod that cats a file (busybox)',
      manifest: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n      command: ["cat", "/etc/hosts"]\n',
    },
    // Inline code is read as the program when it visibly keeps running; a one-liner that only calls something is left open.
    { name: 'python -c that prints and returns', dockerfile: 'FROM python:3.12-slim\nCMD ["python", "-c", "print(42)"]\n' },
    {
      name: 'python -c that installs a SIGTERM handler',
      dockerfile: 'FROM python:3.12-slim\nCMD ["python", "-c", "import signal, sys, time\\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\\ntime.sleep(3600)"]\n',
    },
  ],
  invalid: [
    {
      name: 'the same argparse program given its argument: it loops, and CPython as PID 1 drops SIGTERM',
      ...PY_ARGS('CMD ["jobs"]\n'),
      errors: [{ severity: 'error', message: /no handler for SIGTERM/ }],
    },
    {
      name: 'R -e that serves a shiny app: R as PID 1 drops SIGTERM',
      dockerfile: 'FROM r-base:4.4.1\nCMD ["R", "-e", "shiny::runApp(\'/app\', host = \'0.0.0.0\', port = 3838)"]\n',
      errors: [{ severity: 'error' }],
    },
    {
      name: 'the sys.argv guard given its argument: it loops, and CPython as PID 1 drops SIGTERM',
      dockerfile: 'FROM python:3.12-slim\nCOPY predict.py /usr/local/bin/predict_ppi\nENTRYPOINT ["python3", "/usr/local/bin/predict_ppi"]\nCMD ["/data/in.pdb"]\n',
      files: { 'predict.py': GUARDED },
      errors: [{ severity: 'error', message: /no handler for SIGTERM/ }],
    },
    {
      name: 'a guard whose exit is inside a nested if does not always exit: it may loop',
      dockerfile: 'FROM python:3.12-slim\nCOPY predict.py /usr/local/bin/predict_ppi\nENTRYPOINT ["python3", "/usr/local/bin/predict_ppi"]\n',
      files: { 'predict.py': GUARDED.replace('        sys.exit(1)', '        if strict:\n            sys.exit(1)') },
      errors: [{ severity: 'error', message: /no handler for SIGTERM/ }],
    },
    {
      name: 'an optional positional (nargs="?") does not stop it: it loops without its argument',
      dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY worker.py .\nENTRYPOINT ["python", "worker.py"]\n',
      files: { 'worker.py': NEEDS_ARGS.replace('help="the queue (name)"', 'nargs="?", default="jobs"') },
      errors: [{ severity: 'error', message: /no handler for SIGTERM/ }],
    },
    {
      name: 'a python -c keep-alive (time.sleep in a pod)',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: python:3.12-slim\n      command: ["python3", "-c", "import time\\ntime.sleep(3600)"]\n',
      errors: [{ messageId: 'dropped', severity: 'error', message: /nothing in the code given with python3 -c installs a SIGTERM handler/ }],
    },
    {
      name: 'a node -e server with no listener for SIGTERM',
      dockerfile: 'FROM node:20\nCMD ["node", "-e", "require(\\"http\\").createServer().listen(8080)"]\n',
      errors: [{ messageId: 'reraised', severity: 'error' }],
    },
    // ...but cat with no operand, or reading a device, reads on.
    { name: 'CMD cat /dev/stdin (reads on)', dockerfile: 'FROM debian:bookworm\nCMD ["cat", "/dev/stdin"]\n', errors: [{ severity: 'error' }] },
    // opentelemetry-instrument, ddtrace-run and newrelic-admin run-program exec the command: python is PID 1.
    ...['opentelemetry-instrument --traces_exporter otlp --service_name=app python app.py', 'ddtrace-run -d python app.py', 'newrelic-admin run-program python app.py'].map((cmd) => ({
      name: `${cmd.split(' ')[0]} in front of a Python worker: it execs python`,
      dockerfile: `FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD ${JSON.stringify(cmd.split(' '))}\n`,
      files: { 'app.py': 'import time\nwhile True:\n    time.sleep(1)\n' },
      errors: [{ messageId: 'dropped', severity: 'error' as const, message: /`python app\.py` has no handler for SIGTERM/ }],
    })),
    // runsvdir(8): "If runsvdir receives a TERM signal, it exits with 0 immediately" (measured: test/supervisors-ns.test.ts).
    {
      name: "runit's runsvdir from the distribution's package as PID 1",
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y runit nginx\nCOPY service /etc/service\nCMD ["runsvdir", "-P", "/etc/service"]\n',
      files: { 'service/nginx/run': '#!/bin/sh\nexec nginx -g "daemon off;"\n' },
      errors: [{ messageId: 'exits', severity: 'error', message: /`runsvdir -P \/etc\/service` exits at once on SIGTERM/ }],
    },
    {
      name: "Ubuntu's runsvdir-start (it execs runsvdir) from an entrypoint script, for the service's CMD",
      dockerfile: 'FROM ubuntu:16.04\nRUN apt-get update && apt-get install -y runit\nCOPY entrypoint.sh /\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["couchbase-server"]\n',
      files: { 'entrypoint.sh': '#!/bin/bash\nset -e\n[[ "$1" == "couchbase-server" ]] && {\n    echo starting\n    exec /usr/sbin/runsvdir-start\n}\nexec "$@"\n' },
      errors: [{ messageId: 'exits', severity: 'error', message: /`\/usr\/sbin\/runsvdir-start` exits at once on SIGTERM/ }],
    },
    // R installs no SIGTERM handler (measured: test/catalogue-ns.test.ts); docker run -it keeps R at its prompt.
    {
      name: "the R prompt (rocker's r-base CMD)",
      dockerfile: 'FROM debian:testing\nRUN apt-get update && apt-get install -y r-base\nCMD ["R"]\n',
      errors: [{ messageId: 'dropped', severity: 'error', message: /`R` has no handler for SIGTERM/ }],
    },
    {
      name: 'a plumber API run by Rscript',
      dockerfile: 'FROM r-base:4.4.1\nWORKDIR /app\nCOPY server.R .\nCMD ["Rscript", "server.R"]\n',
      files: { 'server.R': 'library(plumber)\nr <- plumb("api.R")\nr$run(port = 8080, host = "0.0.0.0")\n' },
      errors: [{ messageId: 'dropped', severity: 'error', message: /`Rscript server.R` has no handler for SIGTERM/ }],
    },
    {
      name: 'a Python worker whose only third-party import pid1 has not verified (presumed to leave the signal alone)',
      dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY main.py .\nCMD ["python", "main.py"]\n',
      files: { 'main.py': 'import time\nimport acme_queue\nwhile True:\n    acme_queue.poll()\n    time.sleep(5)\n' },
      errors: [{ messageId: 'dropped', severity: 'error', message: /its other imports \(acme_queue\) are libraries not known to take signals/ }],
    },
    {
      name: 'a Rust hyper server with no signal code, built by cargo in an earlier stage (knative helloworld-rust)',
      ...RUST(RUST_HYPER),
      errors: [
        {
          messageId: 'dropped',
          severity: 'error',
          message: /`hello` has no handler for SIGTERM \(\/usr\/local\/bin\/hello \(\/src\/target\/release\/hello in stage builder\) is the Rust binary hello built by `cargo build --release`/,
        },
      ],
    },
    {
      name: 'cargo install --path . in the rust image: the binary is on $CARGO_HOME/bin',
      dockerfile: 'FROM rust:1.73.0\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo install --path .\nCMD ["hello"]\n',
      files: RUST(RUST_HYPER).files,
      errors: [{ messageId: 'dropped', message: /\/usr\/local\/cargo\/bin\/hello is the Rust binary hello built by `cargo install --path \.`/ }],
    },
    {
      name: 'tokio::signal::ctrl_c takes SIGINT only: SIGTERM is still dropped, and the finding points at it',
      ...RUST('#[tokio::main]\nasync fn main() {\n    tokio::signal::ctrl_c().await.unwrap();\n}\n'),
      errors: [{ messageId: 'dropped', file: 'main.rs', line: 3, message: /ctrl_c\(\) takes only SIGINT/ }],
    },
    {
      name: 'a pinned huggingface-cli installed on the same command line (python:3.11-alpine): CPython with no handler as PID 1',
      manifest: HF_JOB('huggingface_hub==0.24.6'),
      errors: [{ messageId: 'dropped', severity: 'error', message: /huggingface-cli is the console script of huggingface-hub 0\.24\.6/ }],
    },
    {
      name: 'a verified CLI that a RUN pip install put in the image',
      dockerfile: 'FROM python:3.12-alpine\nRUN pip install --no-cache-dir jinjanator==25.3.1\nENTRYPOINT ["jinjanate"]\nCMD ["/templates/config.j2"]\n',
      errors: [{ messageId: 'dropped', message: /jinjanate is the console script of jinjanator 25\.3\.1/ }],
    },
    {
      name: 'the python REPL with stdin open: at its prompt it has no SIGTERM handler',
      compose: 'services:\n  py:\n    image: python:3.12-slim\n    stdin_open: true\n    tty: true\n',
      errors: [{ severity: 'error' }],
    },
    // Measured as PID 1 in test/catalogue-ns.test.ts: the master reloads on TERM and keeps running.
    {
      name: 'uWSGI with a config file (master mode) reloads on SIGTERM',
      dockerfile: 'FROM python:3.12-slim\nRUN pip install uwsgi\nCMD ["uwsgi", "--ini", "/app/uwsgi.ini"]\n',
      errors: [{ messageId: 'continues', message: /`uwsgi --ini \/app\/uwsgi.ini` handles SIGTERM but keeps running/, suggestion: /preStop hook/ }],
    },
    {
      name: "mysqld_safe as PID 1 ignores SIGTERM (`trap '' 1 2 3 15`): the hint is not an init",
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y mariadb-server\nCMD ["mysqld_safe"]\n',
      errors: [{ messageId: 'ignored', severity: 'error', message: /`mysqld_safe` ignores SIGTERM/, suggestion: /run mysqld \(mariadbd\) itself as PID 1/ }],
    },
    {
      name: 'no CMD on python: the image runs python3, an interactive REPL that catches only SIGINT',
      dockerfile: 'FROM python:3.12-slim\nRUN pip install httpie\n',
      errors: [{ messageId: 'dropped', line: 1, message: /`python3` has no handler/ }],
    },
    // busybox coreutils/dd.c catches SIGUSR1 only (measured as PID 1 in test/catalogue-ns.test.ts)
    {
      name: 'busybox dd as PID 1 catches only SIGUSR1: SIGTERM is dropped',
      manifest: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: load\nspec:\n  containers:\n  - name: main\n    image: busybox\n    command: ["dd", "if=/dev/zero", "of=/dev/null"]\n',
      errors: [{ messageId: 'dropped', severity: 'error', message: /`dd if=\/dev\/zero` has no handler for SIGTERM/ }],
    },
    {
      name: 'coreutils dd on Debian: no SIGTERM handler either',
      dockerfile: 'FROM debian:bookworm\nCMD ["dd", "if=/dev/zero", "of=/dev/null"]\n',
      errors: [{ messageId: 'dropped', severity: 'error' }],
    },
    {
      name: "sleep 40 outlasts the kubelet's 30 s grace period",
      manifest: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: wait\nspec:\n  containers:\n  - name: wait\n    image: busybox:1.36\n    command: ["sleep", "40"]\n',
      errors: [{ messageId: 'dropped', message: /`sleep 40` has no handler for SIGTERM/ }],
    },
    {
      name: 'sleep 20 outlasts a 15 s terminationGracePeriodSeconds',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: wait\nspec:\n  terminationGracePeriodSeconds: 15\n  containers:\n  - name: wait\n    image: busybox:1.36\n    command: ["sleep", "20"]\n',
      errors: [{ messageId: 'dropped' }],
    },
    { name: "sleep 1m outlasts docker stop's 10 s", dockerfile: 'FROM debian:bookworm\nCMD ["sleep", "1m"]\n', errors: [{ messageId: 'dropped' }] },
    {
      name: 'sleep infinity',
      dockerfile: 'FROM debian:bookworm\nCMD ["sleep", "infinity"]\n',
      errors: [{ messageId: 'dropped', severity: 'error', message: /`sleep infinity` has no handler for SIGTERM: as PID 1 the kernel drops it/ }],
    },
    { name: 'exec tail -f /dev/null at the end of a script', script: '#!/bin/sh\necho started\nexec tail -f /dev/null\n', errors: [{ messageId: 'dropped', line: 1 }] },
    { name: 'a keep-alive compose service', compose: 'services:\n  debug:\n    image: busybox:1.36\n    command: ["tail", "-f", "/dev/null"]\n', errors: [{ messageId: 'dropped' }] },
    // the official bash image (Alpine): its docker-entrypoint.sh execs the command, and bash execs a lone simple command
    {
      name: 'the bash image running bash -c "tail -f ..."',
      compose: "services:\n  logs:\n    image: bash\n    command: bash -c 'tail -f /log/*.log'\n",
      errors: [{ messageId: 'dropped', severity: 'error', message: /`tail -f \/log\/\*\.log` has no handler for SIGTERM/ }],
    },
    {
      name: 'a Python loop with no handler (seen in app.py)',
      ...PY('import time\nwhile True:\n    time.sleep(1)\n'),
      errors: [{ messageId: 'dropped', line: 4, message: /python app\.py` has no handler for SIGTERM \(nothing in \/app\/app\.py installs a SIGTERM handler/ }],
    },
    {
      name: 'a Python worker importing only libraries verified to install no handler (known-libraries.ts)',
      ...PY('import time\nimport redis\nimport requests\n\nr = redis.Redis()\nwhile True:\n    requests.get("http://localhost:8080")\n    time.sleep(5)\n'),
      errors: [{ messageId: 'dropped', message: /python app\.py` has no handler for SIGTERM/ }],
    },
    {
      name: 'a Node server importing only packages verified to install no listener',
      dockerfile: 'FROM node:20-slim\nWORKDIR /app\nCOPY server.js .\nCMD ["node", "server.js"]\n',
      files: { 'server.js': "const express = require('express');\nconst cors = require('cors');\nconst app = express();\napp.use(cors());\napp.listen(3000);\n" },
      errors: [{ messageId: 'reraised', message: /node server\.js` re-raises SIGTERM with the default action \(no handler in the program\)/ }],
    },
    {
      name: 'Flask app.run(): no handler',
      ...PY('from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(host="0.0.0.0")\n'),
      errors: [{ messageId: 'dropped', file: 'app.py' }],
    },
    { name: 'busybox crond in the foreground (Alpine)', dockerfile: 'FROM alpine:3.20\nCMD ["crond", "-f"]\n', errors: [{ messageId: 'dropped', message: /`crond -f` has no handler for SIGTERM/ }] },
    {
      name: 'a Go binary built from a package with no signal.Notify: the finding is on the line that decides',
      ...GO(GO_HTTP),
      errors: [{ messageId: 'exits', severity: 'error', file: 'main.go', line: 6, message: /`\/server` exits at once on SIGTERM \(net\/http.ListenAndServe: net\/http installs no handler/ }],
    },
    {
      name: 'a Go server importing only verified modules (mux, handlers, mysql) and no signal.Notify',
      ...GO(GO_MUX),
      errors: [{ messageId: 'exits', severity: 'error', file: 'main.go', line: 14, message: /`\/server` exits at once on SIGTERM/ }],
    },
    {
      name: 'a CPython worker using the OpenTelemetry API and SDK (verified, no handler) as PID 1',
      ...PY(
        'import time\nfrom opentelemetry import trace\nfrom opentelemetry.sdk.trace import TracerProvider\n\ntrace.set_tracer_provider(TracerProvider())\nwhile True:\n    with trace.get_tracer(__name__).start_as_current_span("tick"):\n        time.sleep(5)\n',
      ),
      errors: [{ messageId: 'dropped', severity: 'error', line: 4, message: /nothing in \/app\/app\.py installs a SIGTERM handler/ }],
    },
    {
      name: 'a CloudEvents receiver (cloudevents/sdk-go/v2) with no signal.Notify',
      ...GO(GO_CLOUDEVENTS),
      errors: [{ messageId: 'exits', severity: 'error', line: 7, message: /`\/server` exits at once on SIGTERM \(nothing in \/src\/cmd\/server\/main\.go installs a SIGTERM handler/ }],
    },
    {
      name: 'the Go link through COPY --from=0, a renamed binary on the PATH',
      dockerfile: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server ./cmd/server\nFROM alpine:3.20\nCOPY --from=0 /out/server /usr/local/bin/api\nCMD ["api"]\n',
      files: GO(GO_HTTP).files,
      errors: [{ messageId: 'exits', file: 'main.go', line: 6 }],
    },
    {
      name: 'a Go server built outside the Dockerfile and copied from the build context, no signal.Notify (jaeger hotrod)',
      ...GO_COPIED({ 'main.go': GO_HTTP }),
      errors: [
        {
          messageId: 'exits',
          severity: 'error',
          file: 'main.go',
          line: 6,
          message:
            /`\/go\/bin\/app-linux` exits at once on SIGTERM \(net\/http.*copied from the build context \(app-linux-\$TARGETARCH, .*Dockerfile:3\), where no such file is committed: taken to be `go build` of \.\/ /,
        },
      ],
    },
    {
      name: "several main packages under cmd/: the copied file's name picks cmd/api, which has no signal.Notify",
      ...GO_COPIED({ 'cmd/api/main.go': GO_HTTP, 'cmd/worker/main.go': GO_NOTIFY }, 'COPY api-linux-amd64 /usr/local/bin/api\nCMD ["api"]'),
      errors: [{ messageId: 'exits', file: 'main.go', line: 6, message: /of \.\/cmd\/api / }],
    },
    {
      name: 'a compose service built from the Dockerfile',
      compose: 'services:\n  api:\n    build: .\n',
      files: { ...GO(GO_HTTP).files, Dockerfile: GO(GO_HTTP).dockerfile },
      errors: [{ messageId: 'exits', file: 'main.go', line: 6 }],
    },
  ],
});

import rule from '../../src/rules/program-decides.js';
import { ruleTester } from '../helpers/rule-tester.js';

const NODE = (server: string): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
  files: { 'server.js': server },
});
const PY = (app: string): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n',
  files: { 'app.py': app },
});

const GO_FILES = { 'go.mod': 'module example.com/app\n', 'main.go': 'package main\n\nimport server "github.com/acme/graceful"\n\nfunc main() {\n\tserver.Run()\n}\n' };
const GO_BUILD = (run: string): string =>
  `FROM golang:1.22 AS build\nARG APP\nWORKDIR /src\nCOPY . .\nRUN ${run}\nFROM gcr.io/distroless/static\nCOPY --from=build /out/server /server\nENTRYPOINT ["/server"]\n`;

const CRATE = (lock: string | undefined, main = 'fn main() {\n    loop { std::thread::sleep(std::time::Duration::from_secs(5)); }\n}\n'): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile: 'FROM rust:1.80 AS build\nWORKDIR /w\nCOPY . .\nRUN cargo build --release --bin worker\nFROM debian:bookworm-slim\nCOPY --from=build /w/target/release/worker /worker\nCMD ["/worker"]\n',
  files: {
    'Cargo.toml': '[package]\nname = "worker"\nversion = "0.1.0"\n',
    'src/main.rs': main,
    ...(lock !== undefined ? { 'Cargo.lock': `version = 3\n\n[[package]]\nname = "worker"\nversion = "0.1.0"\n${lock}` } : {}),
  },
});

ruleTester(rule, {
  valid: [
    // A library pid1 has not verified is presumed to leave the signal alone: certain (service-no-handler), not this warning.
    { name: 'python importing a library pid1 does not know', ...PY('import requests\nimport acme_sdk\nacme_sdk.serve()\n') },
    { name: 'a Rust worker with no signal code and a lock pid1 can read: certain (service-no-handler)', ...CRATE('') },
    {
      name: 'a file copied from a stage that ran `cargo install cargo-chef` is not taken for what cargo built',
      dockerfile: 'FROM rust:1.80 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo install cargo-chef\nFROM debian:bookworm-slim\nCOPY --from=build /app/server /server\nCMD ["/server"]\n',
      files: { server: 'prebuilt\n' },
    },
    { name: 'a program that apt installed is not taken for Python', dockerfile: 'FROM debian:bookworm\nRUN apt-get install -y gixy\nCMD ["gixy"]\n' },
    { name: 'a known server runs under python: it handles TERM', dockerfile: 'FROM python:3.12-slim\nCMD ["python", "-m", "gunicorn", "app:app"]\n' },
    { name: 'node that listens for SIGTERM (seen in server.js)', ...NODE('const s = require("http").createServer().listen(8080);\nprocess.on("SIGTERM", () => s.close());\n') },
    { name: 'python that installs a SIGTERM handler (seen in app.py)', ...PY('import signal, sys\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\n') },
    { name: 'python with no handler: certain, so service-no-handler reports it, not this rule', ...PY('import time\nwhile True:\n    time.sleep(1)\n') },
    { name: 'a binary pid1 cannot link to a go build is not taken for Go', dockerfile: GO_BUILD('./build.sh'), files: GO_FILES },
    { name: 'python importing only verified libraries: certain too (service-no-handler)', ...PY('import time, requests, redis\nwhile True:\n    time.sleep(1)\n') },
    {
      name: 'Go importing only verified modules: certain (service-no-handler says exits)',
      dockerfile: GO_BUILD('go build -o /out/server .'),
      files: {
        'go.mod': 'module example.com/app\n',
        'main.go': 'package main\n\nimport (\n\t"net/http"\n\n\t"github.com/go-chi/chi/v5"\n)\n\nfunc main() {\n\thttp.ListenAndServe(":80", chi.NewRouter())\n}\n',
      },
    },
    {
      name: 'Go calling knative signals.NewContext (a verified calls entry): graceful',
      dockerfile: GO_BUILD('go build -o /out/server .'),
      files: {
        'go.mod': 'module example.com/app\n',
        'main.go': 'package main\n\nimport "knative.dev/pkg/signals"\n\nfunc main() {\n\t<-signals.NewContext().Done()\n}\n',
      },
    },
    {
      name: 'Go importing only verified modules (prometheus client_golang, gRPC): certain',
      dockerfile: GO_BUILD('go build -o /out/server .'),
      files: {
        'go.mod': 'module example.com/app\n',
        'main.go':
          'package main\n\nimport (\n\t"net/http"\n\n\t"github.com/prometheus/client_golang/prometheus/promhttp"\n\t"google.golang.org/grpc"\n\t"google.golang.org/grpc/credentials/insecure"\n)\n\nfunc main() {\n\t_, _ = grpc.NewClient("localhost:1", grpc.WithTransportCredentials(insecure.NewCredentials()))\n\thttp.ListenAndServe(":9090", promhttp.Handler())\n}\n',
      },
    },
    { name: 'node importing only verified packages: certain too (service-no-handler)', ...NODE("const express = require('express');\nconst pino = require('pino');\nexpress().listen(3000);\n") },
  ],
  invalid: [
    {
      name: 'a Rust crate without Cargo.lock: the crates it depends on are not known',
      ...CRATE(undefined),
      errors: [{ messageId: 'asPid1', message: /\/worker \(\/w\/target\/release\/worker in stage build\) is the Rust binary worker built by `cargo build --release --bin worker`.*no Cargo\.lock/ }],
    },
    {
      name: 'a Rust crate whose lock holds a crate that takes signals (signal-hook)',
      ...CRATE('\n[[package]]\nname = "signal-hook"\nversion = "0.3.17"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'),
      errors: [{ messageId: 'asPid1', message: /holds signal-hook, through which a dependency could take it/ }],
    },
    {
      name: 'a crate built with a local crate (no source in Cargo.lock) that pid1 cannot find',
      ...CRATE('\n[[package]]\nname = "shared"\nversion = "0.1.0"\n'),
      errors: [{ messageId: 'asPid1', message: /built with shared, crates of the build context pid1 could not find/ }],
    },
    {
      name: 'a program that pip installed (unread): CPython, whose code decides',
      dockerfile: 'FROM python:3.12-alpine\nRUN pip install gixy\nENTRYPOINT ["gixy"]\n',
      errors: [{ messageId: 'asPid1', message: /gixy is a console script of gixy \(`pip install gixy`\): CPython, whose code pid1 has not read/ }],
    },
    {
      name: 'a verified CLI with a plugin beside it (jinjanator-plugin-*): plugin code pid1 did not read',
      dockerfile: 'FROM python:3.12-alpine\nRUN pip install jinjanator==25.3.1 jinjanator-plugin-ansible\nENTRYPOINT ["jinjanate"]\n',
      errors: [{ messageId: 'asPid1', message: /the plugin jinjanator-plugin-ansible installed with it/ }],
    },
    {
      name: 'node as PID 1, server.js out of sight',
      dockerfile: 'FROM node:20-slim\nCMD ["node", "server.js"]\n',
      errors: [{ messageId: 'asPid1', severity: 'warning', message: /process\.on\('SIGTERM'/ }],
    },
    { name: 'python as PID 1, app.py out of sight', dockerfile: 'FROM python:3.12-slim\nCMD ["python3", "app.py"]\n', errors: [{ messageId: 'asPid1', message: /signal\.signal/ }] },
    {
      name: 'a Go binary whose package imports a module pid1 cannot read',
      dockerfile: GO_BUILD('go build -o /out/server .'),
      files: GO_FILES,
      errors: [{ messageId: 'asPid1', severity: 'warning', message: /signal\.Notify \/ signal\.NotifyContext.*github\.com\/acme\/graceful \(libraries that may take signals\)/ }],
    },
    {
      name: 'a Go binary importing a part of gRPC left to the program (stats/opentelemetry)',
      dockerfile: GO_BUILD('go build -o /out/server .'),
      files: {
        'go.mod': 'module example.com/app\n',
        'main.go':
          'package main\n\nimport (\n\t"google.golang.org/grpc"\n\t"google.golang.org/grpc/stats/opentelemetry"\n)\n\nfunc main() {\n\t_ = opentelemetry.ServerOption(opentelemetry.Options{})\n\t_ = grpc.NewServer()\n}\n',
      },
      errors: [{ messageId: 'asPid1', severity: 'warning', message: /google\.golang\.org\/grpc\/stats\/opentelemetry \(libraries that may take signals\)/ }],
    },
    {
      name: 'a Go binary importing a part of a verified module that the entry leaves to the program',
      dockerfile: GO_BUILD('go build -o /out/server .'),
      files: {
        'go.mod': 'module example.com/app\n',
        'main.go': 'package main\n\nimport (\n\t"github.com/gorilla/mux"\n\t_ "github.com/lib/pq/auth/kerberos"\n)\n\nfunc main() {\n\tmux.NewRouter()\n}\n',
      },
      errors: [{ messageId: 'asPid1', severity: 'warning', message: /github\.com\/lib\/pq\/auth\/kerberos \(libraries that may take signals\)/ }],
    },
    {
      name: 'a Go binary whose output path comes from a build argument: linked to Go, not to a package',
      dockerfile: GO_BUILD('go build -o /out/$APP .'),
      files: GO_FILES,
      errors: [{ messageId: 'asPid1', message: /\/server \(\/out\/server in stage build\) is built by `go build -o \/out\/\$APP \.` \(.*Dockerfile:5\), but its output path is built at run time/ }],
    },
    {
      name: 'python importing a worker framework pid1 has not verified (signal-owners.ts)',
      ...PY('import requests\nimport dramatiq\ndramatiq.get_broker().join("q")\n'),
      errors: [{ messageId: 'asPid1', message: /dramatiq \(libraries that may take signals\)/ }],
    },
    { name: 'under tini: the program still decides', dockerfile: 'FROM node:20-slim\nENTRYPOINT ["tini", "--"]\nCMD ["node", "server.js"]\n', errors: [{ messageId: 'asChild' }] },
  ],
});

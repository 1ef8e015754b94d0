/**
 * The Go link, table-driven: a Dockerfile and its build context; the program the launch runs is followed
 * back through COPY --from to the go command that built it and to its main package, whose source decides.
 * Each case says what the service turns out to be (the catalogue's `go`, or still unknown), the verdict,
 * and the deciding file and line; where a step is ambiguous the program is Go but undecided.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDocument } from '../src/document/document.js';
import { DocumentStore } from '../src/document/store.js';
import { loadShellParser } from '../src/model/shell.js';
import { lintDockerfileSource } from '../src/sources/dockerfile/launch.js';
import { programNameOf } from '../src/sources/dockerfile/go-link.js';
import { buildsFile, defaultExecName, moduleOf, parseGoArgs } from '../src/sources/go-build.js';
import { grammarParser } from '../src/sources/grammars.js';
import { tempRepo } from './helpers/exec.js';

const MOD = 'module example.com/app\n\ngo 1.22\n';
const PLAIN = 'package main\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc main() {\n\tfmt.Println("ready")\n\ttime.Sleep(time.Hour)\n}\n';
/** The same worker with a shutdown step the runtime's exit skips (as in go-link-docker.test.ts). */
const WORKER =
  'package main\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc main() {\n\tdefer fmt.Println("graceful stop")\n\tfmt.Println("ready")\n\tfor {\n\t\ttime.Sleep(100 * time.Millisecond)\n\t}\n}\n';
const NOTIFY =
  'package main\n\nimport (\n\t"context"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)\n\tdefer stop()\n\t<-ctx.Done()\n}\n';
const SETUP =
  'package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc setup() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGTERM)\n\tgo func() { <-c; os.Exit(0) }()\n}\n';
const CALLS_SETUP = 'package main\n\nimport "time"\n\nfunc main() {\n\tsetup()\n\ttime.Sleep(time.Hour)\n}\n';

const BRIEF =
  'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/server ./cmd/server\nFROM gcr.io/distroless/static\nCOPY --from=build /out/server /server\nENTRYPOINT ["/server"]\n';

interface Case {
  name: string;
  dockerfile: string;
  files: Record<string, string>;
  /** What the service is: 'go' when linked, undefined when pid1 still does not know it. */
  runtime?: 'go';
  verdict?: 'handles' | 'no-handler' | 'unknown';
  /** The deciding file (image path) and line. */
  file?: string;
  line?: number;
  reason?: RegExp;
  outcome?: string;
  /** The build context, a directory of the files (the Dockerfile is written there); default the top. */
  context?: string;
}

/** A Go HTTP server with no signal.Notify. */
const HTTP = 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil)\n}\n';
/** The jaeger hotrod layout: the binary is built outside (`GOOS=linux go build -o hotrod-linux-$GOARCH`) and copied in. */
const COPIED = 'FROM scratch\nARG TARGETARCH\nCOPY app-linux-$TARGETARCH /go/bin/app-linux\nENTRYPOINT ["/go/bin/app-linux"]\nCMD ["all"]\n';

const CASES: Case[] = [
  {
    name: 'the common multi-stage shape, no signal.Notify',
    dockerfile: BRIEF,
    files: { 'go.mod': MOD, 'cmd/server/main.go': WORKER },
    runtime: 'go',
    verdict: 'no-handler',
    reason: /nothing in \/src\/cmd\/server\/main.go installs a SIGTERM handler; without signal.Notify the Go runtime exits at once/,
    outcome: 'abrupt',
  },
  {
    name: 'a Go program with nothing to shut down (no listener, child or deferred step): the exit at once loses nothing',
    dockerfile: BRIEF,
    files: { 'go.mod': MOD, 'cmd/server/main.go': PLAIN },
    runtime: 'go',
    verdict: 'no-handler',
    reason: /nothing in the program listens or serves, so nothing in flight is cut/,
    outcome: 'graceful',
  },
  {
    name: 'the same with signal.NotifyContext',
    dockerfile: BRIEF,
    files: { 'go.mod': MOD, 'cmd/server/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    file: '/src/cmd/server/main.go',
    line: 10,
    outcome: 'graceful',
  },
  { name: 'COPY --from by index', dockerfile: BRIEF.replace('--from=build', '--from=0'), files: { 'go.mod': MOD, 'cmd/server/main.go': NOTIFY }, runtime: 'go', verdict: 'handles' },
  {
    name: 'a renamed destination found on the PATH',
    files: { 'go.mod': MOD, 'cmd/server/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile:
      'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server ./cmd/server\nFROM debian:bookworm-slim\nCOPY --from=build /out/server /usr/local/bin/app\nCMD ["app", "--port", "8080"]\n',
  },
  {
    name: 'a directory copied whole, and -o into a directory (the name from the package path)',
    files: { 'go.mod': MOD, 'cmd/server/main.go': PLAIN },
    runtime: 'go',
    verdict: 'no-handler',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/ ./cmd/server\nFROM scratch\nCOPY --from=build /out/ /bin/\nENTRYPOINT ["/bin/server"]\n',
  },
  {
    name: '-o naming a directory an earlier RUN made',
    files: { 'go.mod': MOD, 'cmd/server/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile: 'FROM golang:1.22 AS build\nRUN mkdir -p /out\nWORKDIR /src\nCOPY . .\nRUN go build -o /out ./cmd/server\nFROM scratch\nCOPY --from=build /out/server /server\nCMD ["/server"]\n',
  },
  {
    name: "no -o: the name is the module path's last element (before a major version)",
    files: { 'go.mod': 'module github.com/acme/hello/v2\n', 'main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build\nFROM scratch\nCOPY --from=build /src/hello /hello\nCMD ["/hello"]\n',
  },
  {
    name: "go install into the golang image's GOPATH/bin",
    files: { 'go.mod': MOD, 'cmd/api/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go install ./cmd/api\nFROM scratch\nCOPY --from=build /go/bin/api /api\nCMD ["/api"]\n',
  },
  {
    name: 'go install with GOBIN set',
    files: { 'go.mod': MOD, 'cmd/api/main.go': PLAIN },
    runtime: 'go',
    verdict: 'no-handler',
    dockerfile: 'FROM golang:1.22 AS build\nENV GOBIN=/opt/bin\nWORKDIR /src\nCOPY . .\nRUN go install ./cmd/api\nFROM scratch\nCOPY --from=build /opt/bin/api /api\nCMD ["/api"]\n',
  },
  {
    name: 'RUN cd x && go build',
    files: { 'go.mod': MOD, 'cmd/server/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN cd cmd/server && go build -o /server .\nFROM scratch\nCOPY --from=build /server /server\nCMD ["/server"]\n',
  },
  {
    name: "a cd in a subshell does not change the next command's directory",
    files: { 'go.mod': MOD, 'cmd/a/main.go': PLAIN, 'cmd/b/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    file: '/src/cmd/b/main.go',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN (cd cmd/a && go build -o /a .) && go build -o /b ./cmd/b\nFROM scratch\nCOPY --from=build /b /b\nCMD ["/b"]\n',
  },
  {
    name: 'WORKDIR changes between the COPY and the build',
    files: { 'go.mod': MOD, 'cmd/server/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nWORKDIR /src/cmd/server\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    name: 'COPY ./x ./y: the package directory is renamed in the image',
    files: { 'backend/go.mod': MOD, 'backend/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    file: '/work/app/main.go',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /work\nCOPY ./backend ./app\nRUN go build -o /srv ./app\nFROM scratch\nCOPY --from=build /srv /srv\nCMD ["/srv"]\n',
  },
  {
    name: 'build flags: -ldflags with a build argument, -trimpath, -tags',
    files: { 'go.mod': MOD, 'main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile:
      'FROM golang:1.22 AS build\nARG VERSION\nWORKDIR /src\nCOPY . .\nRUN go build -ldflags "-s -w -X main.version=$VERSION" -trimpath -tags netgo,osusergo -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    // cloud-code-samples' skaffold layout: a flag whose value is a build argument with no default
    name: 'build flags: -gcflags="${ARG}" is one flag, not the first package',
    files: { 'go.mod': MOD, 'main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile:
      'FROM golang:1.21 AS build\nWORKDIR /app\nCOPY . ./\nARG SKAFFOLD_GO_GCFLAGS\nRUN go build -gcflags="${SKAFFOLD_GO_GCFLAGS}" -mod=readonly -v -o /app/frontend .\nFROM gcr.io/distroless/static-debian11\nCOPY --from=build /app/frontend /app/frontend\nENTRYPOINT ["/app/frontend"]\n',
  },
  {
    name: 'a file the -tags exclude does not count',
    runtime: 'go',
    verdict: 'no-handler',
    files: {
      'go.mod': MOD,
      'main.go': CALLS_SETUP,
      'setup_prod.go': SETUP.replace('package main', '//go:build !netgo\n\npackage main'),
      'setup_netgo.go': SETUP.replace('package main', '//go:build netgo\n\npackage main').replace('signal.Notify(c, syscall.SIGTERM)', 'signal.Notify(c, os.Interrupt)'),
    },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -tags netgo -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    name: 'a _windows.go file is not in a linux build',
    runtime: 'go',
    verdict: 'no-handler',
    files: { 'go.mod': MOD, 'main.go': PLAIN, 'signals_windows.go': SETUP.replace('func setup()', 'func init()') },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    name: 'go build main.go compiles that file only',
    runtime: 'go',
    verdict: 'no-handler',
    reason: /nothing in \/src\/main.go installs/,
    files: { 'go.mod': MOD, 'main.go': PLAIN, 'other.go': SETUP.replace('func setup()', 'func init()') },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o bin/app main.go\nFROM scratch\nCOPY --from=build /src/bin/app /usr/local/bin/app\nCMD ["/usr/local/bin/app"]\n',
  },
  {
    name: 'go build *.go: the shell expands the pattern in the image (a _test.go file is not built)',
    runtime: 'go',
    verdict: 'handles',
    file: '/go/src/app/setup.go',
    files: { 'main.go': CALLS_SETUP, 'setup.go': SETUP, 'setup_test.go': 'package main\n' },
    dockerfile:
      'FROM golang:1.12-alpine AS builder\nENV GOPATH /go\nWORKDIR /go/src/app\nCOPY *.go /go/src/app/\nRUN set -x && go get -d . && CGO_ENABLED=0 go build -a -tags netgo -ldflags \'-w -extldflags "-static"\' -o /usr/bin/app *.go && echo done\nFROM scratch\nCOPY --from=builder /usr/bin/app /usr/bin/app\nENTRYPOINT ["app"]\n',
  },
  {
    name: 'the handler in another file of package main',
    runtime: 'go',
    verdict: 'handles',
    file: '/src/setup.go',
    line: 11,
    files: { 'go.mod': MOD, 'main.go': CALLS_SETUP, 'setup.go': SETUP, 'main_test.go': 'package main\n' },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    name: 'the handler in an internal package of the module, one level',
    runtime: 'go',
    verdict: 'handles',
    file: '/src/internal/shutdown/shutdown.go',
    line: 11,
    files: {
      'go.mod': MOD,
      'main.go': 'package main\n\nimport "example.com/app/internal/shutdown"\n\nfunc main() {\n\tshutdown.Wait()\n}\n',
      'internal/shutdown/shutdown.go':
        'package shutdown\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc Wait() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGTERM)\n\t<-c\n}\n',
    },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod ./\nCOPY main.go ./\nCOPY internal/ internal/\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    name: 'go mod init in the RUN, *.go copied (GKE hello-app)',
    runtime: 'go',
    verdict: 'no-handler',
    file: '/app/main.go',
    files: { 'main.go': 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil)\n}\n' },
    dockerfile:
      'FROM golang:1.22 AS builder\nWORKDIR /app\nRUN go mod init hello-app\nCOPY *.go ./\nRUN CGO_ENABLED=0 GOOS=linux go build -o /hello-app\nFROM gcr.io/distroless/static-debian12\nCOPY --from=builder /hello-app /hello-app\nCMD ["/hello-app"]\n',
  },
  {
    name: 'one stage: build and run in the golang image',
    files: { 'go.mod': MOD, 'main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n',
  },
  {
    name: 'go build -C dir',
    files: { 'svc/go.mod': MOD, 'svc/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -C svc -o /out/svc .\nFROM scratch\nCOPY --from=build /out/svc /svc\nCMD ["/svc"]\n',
  },
  {
    name: 'a heredoc RUN',
    files: { 'go.mod': MOD, 'main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    dockerfile:
      'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo mod download\nCGO_ENABLED=0 go build -o /app .\nEOF\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    name: 'an exec-form RUN',
    files: { 'go.mod': MOD, 'main.go': PLAIN },
    runtime: 'go',
    verdict: 'no-handler',
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN ["go", "build", "-o", "/app", "."]\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    name: 'an imported module outside the build context is presumed to leave the signal alone (signal-owners.ts)',
    files: { 'go.mod': MOD, 'main.go': 'package main\n\nimport "github.com/acme/server"\n\nfunc main() {\n\tserver.Run()\n}\n' },
    runtime: 'go',
    verdict: 'no-handler',
    reason: /its other imports \(github.com\/acme\/server\) are libraries not known to take signals/,
    outcome: 'abrupt',
    dockerfile: BRIEF.replace('./cmd/server', '.'),
  },
  {
    name: 'an imported framework that may take signals: Go, undecided',
    files: { 'go.mod': MOD, 'main.go': 'package main\n\nimport "go.temporal.io/sdk/worker"\n\nfunc main() {\n\tw := worker.New(nil, "q", worker.Options{})\n\t_ = w.Run(worker.InterruptCh())\n}\n' },
    runtime: 'go',
    verdict: 'unknown',
    reason: /go.temporal.io\/sdk\/worker \(libraries that may take signals\)/,
    outcome: 'unknown',
    dockerfile: BRIEF.replace('./cmd/server', '.'),
  },
  // Ambiguous links: the program is Go, but pid1 does not guess which code it runs.
  {
    name: 'the output path from a build argument without a value',
    files: { 'go.mod': MOD, 'main.go': NOTIFY },
    runtime: 'go',
    verdict: 'unknown',
    reason: /output path is built at run time/,
    outcome: 'unknown',
    dockerfile: 'FROM golang:1.22 AS build\nARG APP\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/$APP .\nFROM scratch\nCOPY --from=build /out/ /\nCMD ["/server"]\n',
  },
  {
    name: 'two builds of different packages to the same path',
    files: { 'go.mod': MOD, 'cmd/a/main.go': NOTIFY, 'cmd/b/main.go': PLAIN },
    runtime: 'go',
    verdict: 'unknown',
    reason: /more than one go command/,
    dockerfile:
      'FROM golang:1.22 AS build\nARG FLAVOUR=a\nWORKDIR /src\nCOPY . .\nRUN if [ "$FLAVOUR" = a ]; then go build -o /app ./cmd/a; else go build -o /app ./cmd/b; fi\nFROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n',
  },
  {
    name: 'go install of a remote module',
    files: {},
    runtime: 'go',
    verdict: 'unknown',
    reason: /outside the build context/,
    dockerfile: 'FROM golang:1.22 AS build\nRUN go install github.com/acme/tool/cmd/tool@v1.2.3\nFROM scratch\nCOPY --from=build /go/bin/tool /tool\nCMD ["/tool"]\n',
  },
  {
    name: 'a package pattern',
    files: { 'go.mod': MOD, 'cmd/a/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'unknown',
    reason: /pattern/,
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/ ./cmd/...\nFROM scratch\nCOPY --from=build /out/a /a\nCMD ["/a"]\n',
  },
  // A binary built outside the Dockerfile, copied from the build context where it is not committed.
  {
    name: 'copied from the build context, not committed, beside a main package (go.mod above the context): go build of ./',
    context: 'examples/hotrod',
    dockerfile: COPIED,
    files: { 'go.mod': MOD, 'examples/hotrod/main.go': HTTP },
    runtime: 'go',
    verdict: 'no-handler',
    line: 6,
    reason:
      /net\/http.*; \/go\/bin\/app-linux is copied from the build context \(app-linux-\$TARGETARCH, .*Dockerfile:3\), where no such file is committed: taken to be `go build` of \.\/ \(package main in main\.go\)$/,
    outcome: 'abrupt',
  },
  {
    name: 'copied from the build context: the package takes SIGTERM with signal.NotifyContext',
    dockerfile: COPIED,
    files: { 'go.mod': MOD, 'main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    reason: /taken to be `go build` of \.\//,
  },
  {
    name: 'copied from the build context: several main packages under cmd/, the name (less -linux-amd64) picks cmd/api',
    dockerfile: 'FROM alpine:3.20\nCOPY api-linux-amd64 /usr/local/bin/api\nCMD ["api"]\n',
    files: { 'go.mod': MOD, 'cmd/api/main.go': HTTP, 'cmd/worker/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'no-handler',
    reason: /taken to be `go build` of \.\/cmd\/api \(package main in main\.go\)$/,
  },
  {
    name: 'copied from the build context: the same name picks cmd/worker',
    dockerfile: 'FROM alpine:3.20\nCOPY worker.bin /usr/local/bin/worker\nCMD ["worker"]\n',
    files: { 'go.mod': MOD, 'cmd/api/main.go': HTTP, 'cmd/worker/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'handles',
    reason: /of \.\/cmd\/worker/,
  },
  {
    name: 'copied from the build context: several main packages and a name that picks none is Go, undecided',
    dockerfile: 'FROM alpine:3.20\nCOPY server /usr/local/bin/server\nCMD ["server"]\n',
    files: { 'go.mod': MOD, 'cmd/api/main.go': HTTP, 'cmd/worker/main.go': NOTIFY },
    runtime: 'go',
    verdict: 'unknown',
    reason: /its name \(server\) does not pick one of the main packages \.\/cmd\/api, \.\/cmd\/worker/,
  },
  // Not linked: nothing says the binary is Go.
  {
    name: 'stages that copy from each other do not loop',
    files: { 'go.mod': MOD, 'main.go': PLAIN },
    dockerfile: 'FROM golang:1.22 AS a\nCOPY --from=b /x /x\nRUN go build -o /y .\nFROM golang:1.22 AS b\nCOPY --from=a /x /x\nRUN go build -o /z .\nFROM scratch\nCOPY --from=a /x /x\nCMD ["/x"]\n',
  },
  {
    name: 'a binary committed in the build context is copied as it is: nothing says it is Go',
    dockerfile: 'FROM alpine:3.20\nCOPY app-linux-amd64 /usr/local/bin/app\nCMD ["app"]\n',
    files: { 'go.mod': MOD, 'main.go': HTTP, 'app-linux-amd64': '\u007fELF\u0000\u0000' },
  },
  {
    name: 'a committed file the build argument may name (app-linux-$TARGETARCH, app-linux-amd64 committed)',
    dockerfile: COPIED,
    files: { 'go.mod': MOD, 'main.go': HTTP, 'app-linux-amd64': '\u007fELF\u0000\u0000' },
  },
  {
    name: 'a copied file not committed, beside no main package',
    dockerfile: COPIED,
    files: { 'go.mod': MOD, 'lib.go': 'package app\n\nfunc Serve() {}\n' },
  },
  {
    name: 'a copied file not committed, beside a main package in no module',
    dockerfile: COPIED,
    files: { 'main.go': HTTP },
  },
  {
    name: 'a directory copied whole need not hold the program: not taken for a build output',
    dockerfile: 'FROM alpine:3.20\nCOPY . /app\nCMD ["/app/server"]\n',
    files: { 'go.mod': MOD, 'main.go': HTTP },
  },
  {
    name: 'a binary built by make',
    files: { 'go.mod': MOD, 'main.go': PLAIN, Makefile: 'all:\n\tgo build -o app .\n' },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN make\nFROM scratch\nCOPY --from=build /src/app /app\nCMD ["/app"]\n',
  },
  {
    name: 'go build ./... without -o only checks that everything compiles',
    files: { 'go.mod': MOD, 'main.go': PLAIN },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go vet ./... && go build ./...\nRUN make\nFROM scratch\nCOPY --from=build /src/app /app\nCMD ["/app"]\n',
  },
  {
    name: 'a go build that writes another file',
    files: { 'go.mod': MOD, 'main.go': PLAIN },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /tool .\nFROM alpine:3.20\nCOPY --from=build /tool /usr/bin/tool\nCMD ["/usr/local/bin/server"]\n',
  },
  {
    name: 'a COPY after the build replaces the binary',
    files: { 'go.mod': MOD, 'main.go': PLAIN, 'prebuilt/app': '\u007fELF\u0000\u0000' },
    dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /src/app .\nCOPY prebuilt/app /src/app\nFROM alpine:3.20\nCOPY --from=build /src/app /app\nCMD ["/app"]\n',
  },
];

async function run(c: Case): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-golink-'));
  try {
    for (const [name, text] of Object.entries(c.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const context = path.join(dir, c.context ?? '.');
    const abs = path.join(context, 'Dockerfile');
    fs.mkdirSync(context, { recursive: true });
    fs.writeFileSync(abs, c.dockerfile);
    const store = new DocumentStore();
    const res = lintDockerfileSource(makeDocument(abs, c.dockerfile, 'dockerfile', abs), store, { context });
    assert.deepEqual(res.errors, []);
    const l = res.launches.find((x) => x.target);
    const service = l?.chain?.processes.at(-1);
    assert.ok(service, 'a chain');
    const got = JSON.stringify({ program: service.programs.at(-1), source: service.source, outcome: l?.prediction?.outcome });
    assert.equal(service.programs.at(-1)?.catalogue, c.runtime, got);
    if (c.runtime === undefined) {
      assert.equal(service.source, undefined, got);
      return;
    }
    assert.equal(service.source?.verdict, c.verdict, got);
    assert.equal(service.source?.runtime, 'go', got);
    if (c.file !== undefined) assert.equal(service.source?.evidence?.file, c.file, got);
    if (c.line !== undefined) assert.equal(service.source?.evidence?.line, c.line, got);
    if (c.reason) assert.match(service.source?.reason ?? '', c.reason, got);
    if (c.outcome) assert.equal(l?.prediction?.outcome, c.outcome, got);
    // The deciding file is the launch's document, where a finding can point.
    if (c.verdict !== 'unknown' && service.source?.evidence?.file) assert.ok(l?.scripts.get(service.source.evidence.file), got);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Go link', () => {
  before(async () => {
    await loadShellParser();
    await grammarParser('go');
  });
  for (const c of CASES) test(c.name, () => run(c));
});

describe('go build arguments and names', () => {
  const w = (...xs: string[]) => xs.map((literal) => ({ literal, splits: false }));
  test('flags with values, booleans, the packages', () => {
    const a = parseGoArgs(w('build', '-ldflags', '-s -w', '-trimpath', '-tags=netgo', '-o', 'bin/app', './cmd/app'));
    assert.deepEqual(a, { verb: 'build', packages: ['./cmd/app'], globs: [], unclear: false, tags: ['netgo'], race: false, output: 'bin/app' });
    assert.deepEqual(parseGoArgs([...w('build', '-o', '/x'), { splits: true, glob: '*.go' }]), { verb: 'build', packages: ['*.go'], globs: [0], unclear: false, tags: [], race: false, output: '/x' });
    assert.deepEqual(parseGoArgs(w('install'))?.packages, ['.']);
    assert.equal(parseGoArgs(w('mod', 'download')), undefined);
    assert.deepEqual(parseGoArgs(w('build', '--o=/x', '-C', 'svc', '-race'))?.chdir, 'svc');
    // An unquoted expansion may be several words: the arguments cannot be told apart.
    assert.equal(parseGoArgs([...w('build'), { splits: true }, ...w('.')])?.unclear, true);
  });
  test('the default executable name (cmd/go DefaultExecName)', () => {
    assert.equal(defaultExecName('example.com/app/cmd/server'), 'server');
    assert.equal(defaultExecName('github.com/acme/hello/v2'), 'hello');
    assert.equal(defaultExecName('hello-app'), 'hello-app');
    assert.equal(defaultExecName('v2'), 'v2');
  });
  test('the program name a release file carries (a binary copied from the build context)', () => {
    assert.equal(programNameOf('hotrod-linux-$TARGETARCH'), 'hotrod');
    assert.equal(programNameOf('bin/api_linux_${TARGETARCH}'), 'api');
    assert.equal(programNameOf('api-linux-amd64'), 'api');
    assert.equal(programNameOf('worker.bin'), 'worker');
    assert.equal(programNameOf('server'), 'server');
    assert.equal(programNameOf('es-rollover'), 'es-rollover');
  });

  test('go.mod module directive', () => {
    assert.equal(moduleOf('// comment\nmodule "example.com/x" // trailing\n\ngo 1.22\n'), 'example.com/x');
    assert.equal(moduleOf('go 1.22\n'), undefined);
  });
  test('build constraints for a linux build', () => {
    const t = { tags: new Set(['netgo']) };
    assert.equal(buildsFile('a_linux.go', 'package main\n', t), true);
    assert.equal(buildsFile('a_darwin_arm64.go', 'package main\n', t), false);
    assert.equal(buildsFile('a_arm64.go', 'package main\n', t), undefined);
    assert.equal(buildsFile('a_test.go', 'package main\n', t), false);
    assert.equal(buildsFile('a.go', '//go:build !windows && (linux || darwin)\n\npackage main\n', t), true);
    assert.equal(buildsFile('a.go', '//go:build ignore\n\npackage main\n', t), false);
    assert.equal(buildsFile('a.go', '//go:build netgo\npackage main\n', t), true);
    assert.equal(buildsFile('a.go', '// +build linux,!cgo\n\npackage main\n', { tags: new Set(), cgo: false }), true);
    assert.equal(buildsFile('a.go', '/* doc */\n//go:build cgo\npackage main\n', { tags: new Set() }), undefined);
    // a constraint after the package clause is not one
    assert.equal(buildsFile('a.go', 'package main\n//go:build ignore\n', t), true);
  });
});

/** The Go program of an image another Dockerfile of the repository builds: the derived image runs it as is. */
describe('the Go link across Dockerfiles: a base image or a COPY --from image the repository builds', () => {
  const BASE = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /server .\nFROM scratch\nCOPY --from=build /server /server\nENTRYPOINT ["/server"]\n';
  const files = (main: string): Record<string, string> => ({
    'server/Makefile': 'IMAGE := acme/server\nbuild:\n\tdocker build -t $(IMAGE) .\n',
    'server/Dockerfile': BASE,
    'server/go.mod': MOD,
    'server/main.go': main,
  });
  const service = (dir: string, rel: string, dockerfile: string) => {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, dockerfile);
    const store = new DocumentStore();
    const res = lintDockerfileSource(makeDocument(abs, dockerfile, 'dockerfile', abs), store, { context: path.dirname(abs) });
    assert.deepEqual(res.errors, []);
    const l = res.launches.find((x) => x.target);
    return { l, p: l?.chain?.processes.at(-1) };
  };
  const cases: { name: string; dockerfile: string; main: string; verdict?: 'no-handler' | 'handles' }[] = [
    { name: 'FROM the base, adding a package: the base ENTRYPOINT runs its Go server', dockerfile: 'FROM acme/server:1.0\nCOPY conf.txt /etc/conf.txt\n', main: HTTP, verdict: 'no-handler' },
    { name: 'FROM the base whose server takes SIGTERM', dockerfile: 'FROM acme/server\nCOPY conf.txt /etc/conf.txt\n', main: NOTIFY, verdict: 'handles' },
    {
      name: 'COPY --from=the image onto another base, run under another name',
      dockerfile: 'FROM debian:bookworm\nCOPY --from=acme/server:1.0 /server /usr/local/bin/api\nCMD ["api"]\n',
      main: HTTP,
      verdict: 'no-handler',
    },
    { name: 'FROM the base, with its binary replaced by a file of the context: no verdict', dockerfile: 'FROM acme/server\nCOPY server /server\n', main: HTTP },
    { name: 'COPY --from=an image the repository does not build: no verdict', dockerfile: 'FROM debian:bookworm\nCOPY --from=other/proxy /server /server\nCMD ["/server"]\n', main: HTTP },
  ];
  before(async () => {
    await loadShellParser();
    await grammarParser('go');
  });
  for (const c of cases)
    test(c.name, () => {
      const dir = tempRepo('pid1-golink-across-', { ...files(c.main), 'app/conf.txt': 'x\n', 'app/server': '\u007fELF\u0000\u0000' });
      const { l, p } = service(dir, 'app/Dockerfile', c.dockerfile);
      const got = JSON.stringify({ argv: l?.argv, source: p?.source });
      assert.ok(p, got);
      if (!c.verdict) {
        assert.equal(p.source?.runtime, undefined, got);
        return;
      }
      assert.equal(p.source?.runtime, 'go', got);
      assert.equal(p.source?.verdict, c.verdict, got);
      // the deciding file, the base build's main.go, is a document of the launch: a finding points at it
      const file = p.source?.evidence?.file;
      if (c.verdict === 'no-handler') {
        assert.ok(file && l?.scripts.get(file)?.doc.absPath === path.join(dir, 'server/main.go'), got);
      }
    });
});

/**
 * The Go link against a real `docker stop`: two versions of the same Go worker in a build context
 * (one without signal.Notify, one with signal.NotifyContext), each with the multi-stage Dockerfile that
 * builds it in a golang stage and copies the binary into a distroless image. pid1 lint follows the
 * binary back to the package and says what it does; the host's Go builds the same package with the
 * same command, the binary alone becomes an image (`docker import`: no registry is reachable, and a
 * static Go binary needs nothing else, as in distroless/static), and `docker stop -t 3` stops it:
 * - without signal.Notify the Go runtime's own handler exits with status 2 at once (Go
 *   src/runtime/signal_unix.go dieFromSignal: the re-raised SIGTERM is dropped at PID 1, then exit(2)),
 *   and the program's shutdown (`defer`) never runs: lint's `abrupt`, service-no-handler;
 * - with it the program shuts down and exits 0: lint's `graceful`, no finding.
 * Skipped, saying so, where Go is not installed (Debian: golang-go).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanupDocker, dockerStop, logsOf, removeContainer, requireDocker, startContainer, trackImage } from './helpers/docker.js';
import { tempDir, waitFor } from './helpers/exec.js';
import { pid1 } from './helpers/cli.js';

after(cleanupDocker);
const DIR = tempDir('pid1-golink-docker-');
const GRACE = 3;

const DOCKERFILE =
  'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -trimpath -o /out/server ./cmd/server\nFROM gcr.io/distroless/static\nCOPY --from=build /out/server /server\nENTRYPOINT ["/server"]\n';
// The same long-running worker; `defer` is its shutdown, which only a handled stop runs. (The standard
// library's net/http would show the same, but compiling it from a cold cache takes a minute here.)
const PLAIN = `package main

import (
	"fmt"
	"time"
)

func main() {
	defer fmt.Println("graceful stop")
	fmt.Println("ready")
	for {
		time.Sleep(100 * time.Millisecond)
	}
}
`;
const HANDLED = `package main

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	defer fmt.Println("graceful stop")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	fmt.Println("ready")
	for ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
}
`;

interface Case {
  name: string;
  main: string;
  outcome: 'abrupt' | 'graceful';
  finding?: { line: number };
  exit: number;
  shutdown: boolean;
}
const CASES: Case[] = [
  // No finding line decides: pid1 points at the launch; the reason names the file it read.
  { name: 'plain', main: PLAIN, outcome: 'abrupt', exit: 2, shutdown: false },
  { name: 'handled', main: HANDLED, outcome: 'graceful', exit: 0, shutdown: true },
];

function goTool(): string | undefined {
  return ['/usr/bin/go', '/usr/local/go/bin/go'].find((g) => fs.existsSync(g));
}

/** The build context: go.mod, cmd/server/main.go and the Dockerfile. */
function context(c: Case): string {
  const dir = path.join(DIR, c.name);
  fs.mkdirSync(path.join(dir, 'cmd/server'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/server\n\ngo 1.19\n');
  fs.writeFileSync(path.join(dir, 'cmd/server/main.go'), c.main);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  return dir;
}

/** What the Dockerfile's golang stage does, with the host's Go: the same command in the same context. */
function buildImage(go: string, dir: string, name: string): string {
  const root = path.join(DIR, `${name}-root`);
  fs.mkdirSync(root, { recursive: true });
  execFileSync(go, ['build', '-trimpath', '-o', path.join(root, 'server'), './cmd/server'], {
    cwd: dir,
    stdio: 'pipe',
    env: { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOFLAGS: '-mod=mod', GOCACHE: path.join(DIR, 'gocache'), GOPATH: path.join(DIR, 'gopath') },
  });
  const tag = `pid1-test-go-${name}:${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 256 * 1024 * 1024 });
  execFileSync('docker', ['import', '--change', 'LABEL pid1.test=1', '--change', 'ENTRYPOINT ["/server"]', '-', tag], { input: tar, stdio: ['pipe', 'pipe', 'pipe'] });
  trackImage(tag);
  return tag;
}

interface LintJson {
  files: {
    file: string;
    findings: { ruleId: string; messageId: string; severity: string; message: string; range: { start: { line: number } } }[];
    launches: { outcome?: string; certain?: boolean }[];
  }[];
}

for (const c of CASES) {
  test(`a Go program built in an earlier stage (${c.name}): lint says ${c.outcome}, and docker stop agrees`, async (t) => {
    const dir = context(c);
    // lint: the Dockerfile's /server followed back to ./cmd/server in the build context.
    const lint = await pid1(['lint', '--format', 'json', '--no-config', path.join(dir, 'Dockerfile')]);
    const report = JSON.parse(lint.stdout) as LintJson;
    const launch = report.files.find((f) => f.file.endsWith('Dockerfile'))?.launches[0];
    assert.equal(launch?.outcome, c.outcome, lint.stdout);
    assert.equal(launch?.certain, true, lint.stdout);
    const findings = report.files.flatMap((f) => f.findings);
    if (c.outcome === 'abrupt') {
      assert.deepEqual(
        findings.map((f) => [f.ruleId, f.messageId, f.severity]),
        [['service-no-handler', 'exits', 'error']],
        lint.stdout,
      );
      assert.match(findings[0]?.message ?? '', /`\/server` exits at once on SIGTERM \(nothing in \/src\/cmd\/server\/main\.go installs a SIGTERM handler/);
    } else assert.deepEqual(findings, [], lint.stdout);

    if (!requireDocker(t)) return;
    const go = goTool();
    if (!go) {
      t.skip('go is not installed here (Debian: golang-go)');
      return;
    }
    const image = buildImage(go, dir, c.name);
    const name = await startContainer({ image });
    try {
      await waitFor(`${c.name} to start`, () => (/ready/.test(logsOf(name)) ? true : undefined), 20_000, 50);
      const stop = await dockerStop(name, GRACE);
      assert.equal(stop.exitCode, c.exit, `exit status after docker stop (logs: ${stop.logs})`);
      // Both stop within the grace: the difference is whether the program's shutdown ran.
      assert.ok(stop.ms < GRACE * 1000, `took ${stop.ms} ms: SIGTERM did not end it`);
      assert.equal(/graceful stop/.test(stop.logs), c.shutdown, `logs: ${stop.logs}`);
    } finally {
      removeContainer(name);
    }
  });
}

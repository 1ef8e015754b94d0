/**
 * The source verdict against a real `docker stop`: an image built (docker import) with the host's
 * CPython and two versions of the same http.server program, one with a SIGTERM handler and one
 * without. pid1 reads each file; the container built from the same file is stopped with a 3 s grace:
 * the one pid1 says has no handler is SIGKILLed after the grace (exit 137), the one it says handles
 * SIGTERM stops at once with its handler's status. The same verdict three ways: `pid1 lint` on a
 * Dockerfile that copies the file (read from the build context), `pid1 inspect` on the running container
 * (its masks and the file read through /proc/PID/root), and the stop itself.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeProgramSource } from '../src/sources/program-source.js';
import { cleanupDocker, dockerStop, logsOf, removeContainer, requireDocker, startContainer } from './helpers/docker.js';
import { waitFor } from './helpers/exec.js';
import { pid1 } from './helpers/cli.js';
import type { InspectReport } from '../src/runtime/reports.js';
import { hostPython, pythonImage } from './helpers/python-image.js';

after(cleanupDocker);

const SERVER = 'HTTPServer(("127.0.0.1", 8000), BaseHTTPRequestHandler).serve_forever()\n';
const FILES: Record<string, string> = {
  '/app/plain.py': `from http.server import HTTPServer, BaseHTTPRequestHandler\nprint("ready", flush=True)\n${SERVER}`,
  '/app/handled.py': `import signal, sys
from http.server import HTTPServer, BaseHTTPRequestHandler

def stop(signum, frame):
    print("graceful stop", flush=True)
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
${SERVER}`,
  // A handler, but for SIGINT only: docker stop's SIGTERM is still dropped.
  '/app/sigint.py': `import signal, sys
from http.server import HTTPServer, BaseHTTPRequestHandler
signal.signal(signal.SIGINT, lambda *a: sys.exit(0))
print("ready", flush=True)
${SERVER}`,
};
const GRACE = 3;

interface Case {
  file: string;
  verdict: 'handles' | 'no-handler';
  line?: number;
  exit: number;
  killed: boolean;
}
const CASES: Case[] = [
  { file: '/app/plain.py', verdict: 'no-handler', line: 3, exit: 137, killed: true },
  { file: '/app/handled.py', verdict: 'handles', line: 8, exit: 0, killed: false },
  { file: '/app/sigint.py', verdict: 'no-handler', line: 3, exit: 137, killed: true },
];

test('pid1 reads the Python file; docker stop -t 3 does what it said', async (t) => {
  if (!requireDocker(t)) return;
  if (!hostPython()) {
    t.skip('no python3 on this host (Debian: python3)');
    return;
  }
  const image = pythonImage(FILES, ['/app/plain.py']);
  for (const c of CASES) {
    const verdict = await analyzeProgramSource(FILES[c.file] as string, { path: c.file });
    assert.equal(verdict.verdict, c.verdict, `${c.file}: ${verdict.reason}`);
    if (c.line !== undefined) assert.equal(verdict.evidence?.line, c.line, `${c.file}: ${verdict.reason}`);
    // lint: a Dockerfile whose CMD runs the same file, read from the build context.
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-pysrc-'));
    fs.writeFileSync(path.join(ctx, path.basename(c.file)), FILES[c.file] as string);
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), `FROM python:3.12-slim\nWORKDIR /app\nCOPY ${path.basename(c.file)} .\nCMD ["python3", "${path.basename(c.file)}"]\n`);
    const lint = await pid1(['lint', '--format', 'json', path.join(ctx, 'Dockerfile')]);
    const report = JSON.parse(lint.stdout) as { files: { file: string; findings: { ruleId: string; range: { start: { line: number } } }[]; launches: { outcome?: string }[] }[] };
    // The finding points at the line of the program that decides; the launch is the Dockerfile's.
    const lost = report.files.flatMap((f) => f.findings.filter((x) => x.ruleId === 'service-no-handler').map((x) => ({ file: f.file, line: x.range.start.line })));
    assert.deepEqual(lost, c.killed ? [{ file: path.join(ctx, path.basename(c.file)), line: c.line }] : [], `${c.file}: lint says ${lint.stdout}`);
    const dockerfile = report.files.find((f) => f.file.endsWith('Dockerfile'));
    assert.equal(dockerfile?.launches[0]?.outcome, c.killed ? 'killed' : 'graceful', `${c.file}: lint's launch`);

    const name = await startContainer({ image, cmd: ['python3', c.file] });
    try {
      await waitFor(`${c.file} to start`, () => (/ready/.test(logsOf(name)) ? true : undefined), 20_000, 100);
      // inspect: the live container's masks say the same.
      const live = await pid1(['inspect', '--container', name, '--json']);
      assert.equal(live.code, 0, live.stderr);
      const verdict = (JSON.parse(live.stdout) as InspectReport).verdict;
      assert.equal(verdict.outcome, c.killed ? 'killed' : 'graceful', `${c.file}: inspect says ${verdict.summary}`);
      assert.equal(verdict.certain, true, `${c.file}: ${verdict.path.join(' | ')}`);
      const stop = await dockerStop(name, GRACE);
      assert.equal(stop.exitCode, c.exit, `${c.file}: exit status after docker stop (logs: ${stop.logs})`);
      if (c.killed) {
        // SIGTERM was dropped at PID 1: the runtime waited the whole grace, then SIGKILLed.
        assert.ok(stop.ms >= GRACE * 1000 - 200, `${c.file}: stopped after ${stop.ms} ms, before the grace ended`);
      } else {
        assert.ok(stop.ms < GRACE * 1000, `${c.file}: took ${stop.ms} ms: the handler did not stop it`);
        assert.match(stop.logs, /graceful stop/);
      }
    } finally {
      removeContainer(name);
      fs.rmSync(ctx, { recursive: true, force: true });
    }
  }
});

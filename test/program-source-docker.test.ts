/**
 * The source verdict against a real `docker stop`: an image built (docker import) with the host's
 * CPython and two versions of the same http.server program, one with a SIGTERM handler and one
 * without. pid1 reads each file; the container built from the same file is stopped with a 3 s grace:
 * the one pid1 says has no handler is SIGKILLed after the grace (exit 137), the one it says handles
 * SIGTERM stops at once with its handler's status.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeProgramSource } from '../src/sources/program-source.js';
import { cleanupDocker, dockerStop, logsOf, removeContainer, requireDocker, startContainer } from './helpers/docker.js';
import { waitFor } from './helpers/exec.js';
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

interface Case { file: string; verdict: 'handles' | 'no-handler'; line?: number; exit: number; killed: boolean }
const CASES: Case[] = [
  { file: '/app/plain.py', verdict: 'no-handler', line: 3, exit: 137, killed: true },
  { file: '/app/handled.py', verdict: 'handles', line: 8, exit: 0, killed: false },
  { file: '/app/sigint.py', verdict: 'no-handler', line: 3, exit: 137, killed: true },
];

test('pid1 reads the Python file; docker stop -t 3 does what it said', async (t) => {
  if (!requireDocker(t)) return;
  if (!hostPython()) { t.skip('no python3 on this host (Debian: python3)'); return; }
  const image = pythonImage(FILES, ['/app/plain.py']);
  for (const c of CASES) {
    const verdict = await analyzeProgramSource(FILES[c.file] as string, { path: c.file });
    assert.equal(verdict.verdict, c.verdict, `${c.file}: ${verdict.reason}`);
    if (c.line !== undefined) assert.equal(verdict.evidence?.line, c.line, `${c.file}: ${verdict.reason}`);
    const name = await startContainer({ image, cmd: ['python3', c.file] });
    try {
      await waitFor(`${c.file} to start`, () => (/ready/.test(logsOf(name)) ? true : undefined), 20_000, 100);
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
    }
  }
});

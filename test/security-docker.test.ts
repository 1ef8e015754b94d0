/**
 * A hostile container against `pid1 test`, `pid1 inspect` and `pid1 stop`: its command line and its logs
 * hold terminal escape sequences, bidi overrides, C1 controls and GitHub workflow commands (`::error` at
 * the start of a line, `##[error]` inside one). None reaches the output raw, in text, JSON or JUnit;
 * JSON keeps the data exact.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requireDocker, testImage, startContainer, removeContainer, cleanupDocker } from './helpers/docker.js';
import { pid1 } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/exec.js';
import type { TestReport } from '../src/runtime/reports.js';

after(cleanupDocker);

const ESC_LINE = '\x1b[2J\x1b]0;pwned\x07\x9b31m\u202eevil';
const FORGED = '::error file=forged.txt::forged by a container log';
const LEGACY = 'ok ##[error]forged by a container log';
// PID 1 is the shell: its command line (seen by inspect and test) carries the same strings; on the stop
// signal it logs them and exits 0 (so the verdict is graceful and the logs are in the timeline).
const SCRIPT = `: "${ESC_LINE} ${LEGACY}"; trap 'printf "%s\\n" "$A" "$B" "$C"; exit 0' TERM; while :; do sleep 1 & wait $!; done`;
const ENV = { A: ESC_LINE, B: FORGED, C: LEGACY };
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function assertSafe(out: string, what: string): void {
  const raw = RAW.exec(out);
  assert.equal(raw, null, `${what}: a raw control character U+${raw?.[0].charCodeAt(0).toString(16)} near ${JSON.stringify(out.slice(Math.max(0, (raw?.index ?? 0) - 40), (raw?.index ?? 0) + 20))}`);
  assert.ok(!out.includes('##['), `${what}: "##[" in the output`);
  for (const line of out.split('\n')) assert.ok(!/^\s*::/.test(line), `${what}: a line starts with "::": ${JSON.stringify(line)}`);
}

test("pid1 test: a container's logs and command line cannot write escape sequences or forge annotations (text, JSON, JUnit)", async (t) => {
  if (!requireDocker(t)) return;
  const image = testImage({ shell: 'dash' });
  const env = Object.entries(ENV).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const junit = path.join(tempDir('pid1-sec-junit-'), 'stop.xml');
  const text = await pid1(['test', '--image', image, '--entrypoint', JSON.stringify(['/bin/sh', '-c', SCRIPT]), ...env, '--grace', '5', '--ready-delay', '1s', '--junit', junit], { timeout: 90_000 });
  // the verdict is not what this test is about (graceful or abrupt, as the trap and the sleep race)
  assert.ok(text.code <= 1 && /^Verdict: /m.test(text.stdout), `${text.stdout}\n${text.stderr}`);
  assertSafe(text.stdout, 'pid1 test stdout');
  assertSafe(text.stderr, 'pid1 test stderr');
  // the log lines are shown, escaped
  assert.ok(text.stdout.includes('log    \\e[2J\\e]0;pwned\\x07\\x9b31m\\u202eevil'), text.stdout);
  assert.ok(text.stdout.includes(`log    ${FORGED}`), "the forged line is shown, after pid1's own text");
  assert.ok(text.stdout.includes('log    ok ##\\[error]forged by a container log'), text.stdout);
  const xml = fs.readFileSync(junit, 'utf8');
  assert.equal(RAW.exec(xml), null, 'a raw control character in the JUnit XML');
  assert.match(xml, /\\e\[2J/);

  const json = await pid1(['test', '--json', '--image', image, '--entrypoint', JSON.stringify(['/bin/sh', '-c', SCRIPT]), ...env, '--grace', '5', '--ready-delay', '1s'], { timeout: 90_000 });
  assertSafe(json.stdout, 'pid1 test --json');
  const report = JSON.parse(json.stdout) as TestReport;
  const logs = report.timeline.flatMap((e) => (e.kind === 'log' ? [e.line] : []));
  // JSON keeps the data exact
  assert.ok(logs.includes(ESC_LINE) && logs.includes(FORGED) && logs.includes(LEGACY), JSON.stringify(logs));
});

test('pid1 inspect and pid1 stop --dry-run: a command line with escape sequences and workflow commands is shown escaped', async (t) => {
  if (!requireDocker(t)) return;
  const image = testImage({ shell: 'dash' });
  // PID 1, a shell that forwards nothing, runs a service that handles SIGTERM: pid1 stop plans to signal it directly
  const name = await startContainer({ image, entrypoint: ['/bin/sh', '-c', `: "${ESC_LINE} ${LEGACY}"; svc --graceful TERM; true`] });
  try {
    await waitFor('the container runs', async () => ((await pid1(['inspect', '--container', name, '--json'])).code === 0 ? true : undefined), 20_000, 200);
    for (const args of [
      ['inspect', '--container', name],
      ['inspect', '--all'],
      ['inspect', '--all', '--json-lines'],
      ['stop', '--container', name, '--dry-run'],
    ]) {
      const r = await pid1(args, { timeout: 30_000 });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assertSafe(r.stdout, args.join(' '));
      assertSafe(r.stderr, `${args.join(' ')} stderr`);
      if (args[0] !== 'inspect' || args[1] !== '--all') assert.ok(r.stdout.includes('\\e[2J\\e]0;pwned\\x07\\x9b31m\\u202eevil ok ##\\[error]'), r.stdout);
    }
    const json = await pid1(['inspect', '--container', name, '--json']);
    assertSafe(json.stdout, 'inspect --json');
    const report = JSON.parse(json.stdout) as { processes: { argv: string[] }[] };
    assert.ok(
      report.processes.some((p) => p.argv.some((a) => a.includes(`${ESC_LINE} ${LEGACY}`))),
      'the JSON keeps the command line exact',
    );
  } finally {
    removeContainer(name);
  }
});

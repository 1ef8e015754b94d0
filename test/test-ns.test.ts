/**
 * `pid1 test -- CMD ARGS`: the command as PID 1 of a fresh PID namespace (unshare --pid --fork
 * --mount-proc), stopped from the host as a runtime would, with no image. Also pid1 init as PID 1,
 * whose JSON-lines shutdown report pid1 test reads.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pid1, CLI } from './helpers/cli.js';
import { svcBinary } from './helpers/rootfs.js';
import type { TestReport } from '../src/runtime/reports.js';

const svc = svcBinary();

async function pid1Test(args: string[]): Promise<{ code: number; report: TestReport; stderr: string; why: string }> {
  const r = await pid1(['test', '--json', ...args], { timeout: 60_000 });
  assert.ok(r.stdout.trim().startsWith('{'), `no JSON report (exit ${r.code}): ${r.stderr}`);
  const report = JSON.parse(r.stdout) as TestReport;
  const why = [`exit ${r.code}; ${report.verdict}: ${report.observation.summary}`, ...report.observation.evidence, ...report.timeline.map((e) => JSON.stringify(e)), r.stderr].join('\n');
  return { code: r.code, report, stderr: r.stderr, why };
}

/** Processes still carrying a pid1 test run's label in their environment. */
function labelledProcesses(run: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`PID1_TEST_RUN=${run}`)) out.push(Number(p));
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}

function canUnshare(): boolean {
  return process.getuid?.() === 0;
}

interface Case {
  name: string;
  argv: string[];
  args?: string[];
  verdict: 'graceful' | 'killed' | 'abrupt';
}

const cases: Case[] = [
  { name: 'dash -c: dash is PID 1 and drops SIGTERM', argv: ['dash', '-c', `${svc} --workers 1`], verdict: 'killed' },
  { name: 'dash -c with exec', argv: ['dash', '-c', `exec ${svc} --workers 1`], verdict: 'graceful' },
  { name: 'bash -c execs its last command', argv: ['bash', '-c', `${svc}`], verdict: 'graceful' },
  { name: 'tini in front of dash', argv: ['tini', '--', 'dash', '-c', svc], verdict: 'abrupt' },
  { name: 'a service that handles only SIGINT, stopped with SIGINT', argv: [svc, '--graceful', 'INT'], args: ['--stop-signal', 'SIGINT'], verdict: 'graceful' },
];

describe('pid1 test -- CMD: a fresh PID namespace', { concurrency: 3 }, () => {
  for (const c of cases) {
    test(c.name, async (t) => {
      if (!canUnshare()) {
        t.skip('needs root for unshare --pid');
        return;
      }
      const o = await pid1Test(['--grace', '1', '--ready-log', 'ready', ...(c.args ?? []), '--', ...c.argv]);
      const r = o.report;
      assert.equal(r.verdict, c.verdict, o.why);
      assert.equal(o.code, c.verdict === 'graceful' ? 0 : 1);
      assert.equal(r.target.kind, 'command');
      assert.equal(r.before?.namespaceInit, true);
      assert.equal(r.before?.processes[0]?.pid, 1);
      assert.equal(r.comparison?.live?.status, 'agrees', `${r.comparison?.live?.message}\n${o.why}`);
      assert.notEqual(r.comparison?.static?.status, 'disagrees', `${r.comparison?.static?.message}\n${o.why}`);
      const by = r.timeline.find((e) => e.kind === 'signal');
      assert.ok(by?.kind === 'signal' && by.by === 'pid1 (from the host)');
      if (c.verdict === 'killed') assert.equal(r.observation.exitCode, 137, "the init's own status, not unshare's");
      assert.deepEqual(labelledProcesses(r.run), [], 'the namespace is gone');
    });
  }

  test('--fast on a namespace whose init drops SIGTERM', async (t) => {
    if (!canUnshare()) {
      t.skip('needs root for unshare --pid');
      return;
    }
    const o = await pid1Test(['--grace', '30', '--fast', '--', 'dash', '-c', svc]);
    assert.equal(o.report.verdict, 'killed', o.why);
    assert.equal(o.report.fast, true);
    // The verdict came from the live process, not from waiting: nothing was SIGKILLed and nothing exited
    // before it, and the only SIGKILL is the one pid1 sent after concluding (instead of the 30 s deadline).
    const verdictMs = o.report.durations.verdictMs ?? Infinity;
    const kills = o.report.timeline.filter((e) => e.kind === 'signal' && e.signal === 'SIGKILL');
    assert.equal(kills.length, 1, o.why);
    assert.ok(
      kills.every((e) => e.t >= verdictMs - 1),
      o.why,
    );
    assert.ok(
      o.report.timeline.filter((e) => e.kind === 'exit').every((e) => e.t >= verdictMs - 1),
      o.why,
    );
    assert.ok(
      o.report.observation.evidence.some((e) => /pid1 then sent SIGKILL instead of waiting out the remaining grace period/.test(e)),
      o.why,
    );
    assert.ok(
      o.report.observation.evidence.some((e) => /is not pending/.test(e)),
      o.why,
    );
  });

  test('a real-time stop signal (SIGRTMIN+3) is sent from the host by its number', async (t) => {
    if (!canUnshare()) {
      t.skip('needs root for unshare --pid');
      return;
    }
    // svc takes signals by number: 37 is SIGRTMIN+3 with glibc's numbering (SIGRTMIN 34).
    const o = await pid1Test(['--grace', '3', '--stop-signal', 'RTMIN+3', '--ready-log', 'ready', '--', svc, '--graceful', '37']);
    const r = o.report;
    assert.equal(r.policy.signal, 'SIGRTMIN+3', o.why);
    assert.equal(r.verdict, 'graceful', o.why);
    assert.equal(o.code, 0, o.why);
    assert.ok(
      r.timeline.some((e) => e.kind === 'signal' && e.signal === 'SIGRTMIN+3' && e.by === 'pid1 (from the host)'),
      o.why,
    );
    assert.ok(
      r.timeline.some((e) => e.kind === 'log' && /got Real-time signal 3, draining/.test(e.line)),
      o.why,
    );
    assert.equal(r.comparison?.live?.status, 'agrees', o.why);
  });

  test('pid1 init as PID 1: its report is read, its child is the service', async (t) => {
    if (!canUnshare()) {
      t.skip('needs root for unshare --pid');
      return;
    }
    const o = await pid1Test(['--grace', '3', '--ready-log', 'ready', '--', process.execPath, CLI, 'init', '--', 'dash', '-c', `exec ${svc} --workers 1`]);
    const r = o.report;
    assert.equal(r.verdict, 'graceful', o.why);
    assert.match(r.initReport?.summary ?? '', /^pid1 init: exit 0: /, o.why);
    assert.ok(
      r.initReport?.events.some((e) => e.init === 'forward'),
      o.why,
    );
    // The service is pid1 init's main child, not the init itself.
    assert.notEqual(r.observation.service?.pid, 1, o.why);
    assert.equal(r.observation.service?.ended, 'exit 0');
    assert.ok(
      r.timeline.some((e) => e.kind === 'init' && /^forwarded SIGTERM to group/.test(e.text)),
      o.why,
    );
    assert.ok(!r.timeline.some((e) => e.kind === 'log' && e.line.startsWith('{"init"')), 'report lines are shown as init events');
    assert.doesNotMatch(o.stderr, /DISAGREES/);
  });

  test('pid1 init --report FILE: the report is read from the file', async (t) => {
    if (!canUnshare()) {
      t.skip('needs root for unshare --pid');
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-ns-'));
    try {
      const report = path.join(dir, 'init.jsonl');
      const o = await pid1Test(['--grace', '3', '--ready-log', 'ready', '--', process.execPath, CLI, 'init', '--report', report, '--', svc]);
      assert.equal(o.report.verdict, 'graceful', o.why);
      assert.match(o.report.initReport?.summary ?? '', /^pid1 init: exit 0: /, o.why);
      assert.equal(o.report.observation.service?.statusFrom, 'the kernel (proc connector)');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--ready-port: ready when 127.0.0.1:PORT accepts (the namespace shares the host network)', async (t) => {
    if (!canUnshare()) {
      t.skip('needs root for unshare --pid');
      return;
    }
    const port = 20000 + (process.pid % 20000);
    const prog = `const s = require('net').createServer().listen(${port}, '127.0.0.1'); process.on('SIGTERM', () => s.close(() => process.exit(0)));`;
    const o = await pid1Test(['--grace', '3', '--ready-port', String(port), '--', process.execPath, '-e', prog]);
    assert.equal(o.report.verdict, 'graceful', o.why);
    assert.match(o.report.readiness?.how[0] ?? '', new RegExp(`^127\\.0\\.0\\.1:${port} accepted a connection after \\d+ ms$`));
    // the program is the code given with -e: the model reads its process.on('SIGTERM') and agrees with the stop
    assert.equal(o.report.comparison?.live?.status, 'agrees', o.why);
  });

  // The one-shot rule lint uses (`sleep N` shorter than the grace period): measured, not assumed.
  test('sleep 3 as PID 1 drops SIGTERM but ends by itself within a 6 s grace: graceful, and both predictions say so', async (t) => {
    if (!canUnshare()) {
      t.skip('needs root for unshare --pid');
      return;
    }
    const o = await pid1Test(['--grace', '6', '--', 'sleep', '3']);
    const r = o.report;
    assert.equal(r.verdict, 'graceful', o.why);
    assert.equal(r.observation.exitCode, 0, o.why);
    assert.equal(r.timeline.filter((e) => e.kind === 'signal' && e.signal === 'SIGKILL').length, 0, o.why);
    assert.equal(r.comparison?.live?.status, 'agrees', `${r.comparison?.live?.message}\n${o.why}`);
    assert.equal(r.comparison?.static?.status, 'agrees', `${r.comparison?.static?.message}\n${o.why}`);
  });

  test('sleep 30 as PID 1 with a 2 s grace: killed, and both predictions say so', async (t) => {
    if (!canUnshare()) {
      t.skip('needs root for unshare --pid');
      return;
    }
    const o = await pid1Test(['--grace', '2', '--', 'sleep', '30']);
    assert.equal(o.report.verdict, 'killed', o.why);
    assert.equal(o.report.comparison?.live?.status, 'agrees', o.why);
    assert.equal(o.report.comparison?.static?.status, 'agrees', o.why);
  });

  test('a command that cannot run: nostart', async (t) => {
    if (!canUnshare()) {
      t.skip('needs root for unshare --pid');
      return;
    }
    const o = await pid1Test(['--', '/nonexistent/cmd']);
    assert.equal(o.report.verdict, 'nostart', o.why);
    assert.equal(o.code, 1);
    assert.match(o.report.observation.summary, /nonexistent/);
  });
});

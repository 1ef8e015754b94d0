/**
 * Messages a person can act on, checked on real processes: advice that is a command one can run and says
 * exactly what it signals, a summary that never says a signal is both delivered and lost, no
 * "container" for a host process, an inspect table that explains its signal notation and survives
 * an argument with a newline, `-- CMD` runs that say pid1 (not an engine) sends the signal, and a
 * --junit path that cannot be written failing before the test runs.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pid1, CLI } from './helpers/cli.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';
import { cleanupNamespaces, startNamespace } from './helpers/ns.js';
import { killTree, svc } from './helpers/init.js';
import { cleanupDocker, logsOf, removeContainer, requireDocker, startContainer, testImage } from './helpers/docker.js';
import type { InspectReport, TestReport } from '../src/runtime/reports.js';

after(cleanupNamespaces);
after(cleanupDocker);
const SVC = svc();

async function inspect(args: string[]): Promise<{ json: InspectReport; text: string }> {
  const j = await pid1(['inspect', ...args, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const t = await pid1(['inspect', ...args]);
  assert.equal(t.code, 0, t.stderr);
  return { json: JSON.parse(j.stdout) as InspectReport, text: t.stdout };
}

const root = (t: { skip(m: string): void }): boolean => {
  if (process.getuid?.() === 0) return true;
  t.skip('needs root for unshare --pid');
  return false;
};

describe('advice and summaries', { concurrency: 3 }, () => {
  test('a namespace: kill from the host with host PIDs, the master only; never "container"', async (t) => {
    if (!root(t)) return;
    const ns = await startNamespace(['dash', '-c', `${SVC} --workers 2`], { readyLine: /worker ready[\s\S]*worker ready/ });
    try {
      const { json, text } = await inspect(['--pid', String(ns.initPid)]);
      const master = json.processes.find((p) => p.comm === 'svc' && p.ppid === 1);
      const workers = json.processes.filter((p) => p.comm === 'svc' && p.ppid === master?.pid);
      assert.ok(master && workers.length === 2, text);
      const advice = json.verdict.advice.find((a) => a.includes('stop it gracefully now'));
      assert.equal(
        advice,
        `to stop it gracefully now, from the host: kill -s TERM ${master.hostPid} (svc, PID ${master.pid} in its namespace; not to ${workers.map((w) => `svc (PID ${w.pid})`).join(', ')}, which also handle SIGTERM but are left to the process above them, as a master signals its workers)`,
      );
      assert.doesNotMatch(text, /container/i, 'a namespace from --pid is not a container');
      // The kernel drops it at PID 1, and that is all the summary says about PID 1.
      assert.match(json.verdict.summary, /; the kernel drops SIGTERM at PID 1 \(it has no handler\); the runtime waits the whole grace period/);
    } finally {
      await ns.destroy();
    }
  });

  test('a signal PID 1 handles but does not pass on: "receives ... but does not reach", never "delivered" and "lost"', async (t) => {
    if (!root(t)) return;
    // dash as PID 1 catches SIGINT with its own handler and passes it to nobody.
    const ns = await startNamespace(['dash', '-c', `${SVC} --graceful INT; :`], { readyLine: /ready/ });
    try {
      const { json } = await inspect(['--pid', String(ns.initPid), '--signal', 'SIGINT']);
      const s = json.verdict.summary;
      assert.equal(json.verdict.outcome, 'killed');
      const svcPid = json.processes.find((p) => p.comm === 'svc')?.pid;
      assert.match(s, new RegExp(`PID 1 receives SIGINT but it does not reach svc \\(PID ${svcPid}\\): the runtime waits the whole grace period, then SIGKILLs everything`));
      assert.doesNotMatch(s, /delivered/);
      assert.doesNotMatch(s, /will be lost/);
    } finally {
      await ns.destroy();
    }
  });

  test('a host process (--pid of a process in the host namespace): kill advice, "the process tree", never "container"', async () => {
    const child = spawn('dash', ['-c', `${SVC} --workers 1; :`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor('svc and its worker', () => (/worker ready/.test(out) && /svc\[\d+\]: ready/.test(out) ? true : undefined));
      const { json, text } = await inspect(['--pid', String(child.pid)]);
      assert.equal(json.namespaceInit, false);
      const master = json.processes.find((p) => p.comm === 'svc' && p.ppid === child.pid);
      assert.ok(master, text);
      assert.ok(
        json.verdict.advice.some((a) => a.startsWith(`to stop it gracefully now, from the host: kill -s TERM ${master.hostPid} (svc; not to svc (PID `)),
        json.verdict.advice.join('\n'),
      );
      assert.doesNotMatch(text, /this container|the container/);
    } finally {
      if (child.pid) killTree(child.pid);
    }
  });

  test('a container: `pid1 stop --container NAME`, saying it signals the master only', async (t) => {
    if (!requireDocker(t)) return;
    const name = await startContainer({ image: testImage({ shell: 'dash' }), entrypoint: ['/bin/sh', '-c', 'svc --workers 2'] });
    try {
      await waitFor('3 ready lines', () => ((logsOf(name).match(/ready/g) ?? []).length >= 3 ? true : undefined));
      const { json } = await inspect(['--container', name]);
      const master = json.processes.find((p) => p.comm === 'svc' && p.ppid === 1);
      const workers = json.processes.filter((p) => p.comm === 'svc' && p.ppid === master?.pid);
      assert.ok(master && workers.length === 2);
      assert.ok(
        json.verdict.advice.includes(
          `to stop it gracefully now: pid1 stop --container ${name} (sends SIGTERM from the host to svc (PID ${master.pid}) only; not to ${workers.map((w) => `svc (PID ${w.pid})`).join(', ')}, which also handle SIGTERM but are left to the process above them, as a master signals its workers; then stops the container normally)`,
        ),
        json.verdict.advice.join('\n'),
      );
      // And that is what pid1 stop then does.
      const r = await pid1(['stop', '--container', name, '--grace', '3', '--dry-run', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        (JSON.parse(r.stdout) as { targets: { pid: number }[] }).targets.map((x) => x.pid),
        [master.pid],
      );
    } finally {
      removeContainer(name);
    }
  });
});

describe('the inspect table', { concurrency: 2 }, () => {
  test('the short signal notation has a legend; an argument with a newline or an ESC is shown escaped, one row per process', async (t) => {
    if (!root(t)) return;
    // pid1 init catches almost every signal (ALL-...) and ignores the real-time ones (+N RT).
    const ns = await startNamespace([process.execPath, CLI, 'init', '--report', 'none', '--', 'dash', '-c', `echo 'line one\nline two' '\x1b[2J' >/dev/null; ${SVC}`], { readyLine: /ready/ });
    try {
      const { json, text } = await inspect(['--pid', String(ns.initPid)]);
      const lines = text.split('\n');
      const header = lines.findIndex((l) => /^PID\s+HOST\s+PPID/.test(l));
      const rows = lines.slice(header + 1, header + 1 + json.processes.length);
      assert.equal(rows.length, 3, text);
      assert.ok(
        rows.every((r) => /^\d+\s+\d+\s+\d+/.test(r)),
        `each process is one row:\n${text}`,
      );
      assert.match(rows[1] ?? '', /dash -c echo 'line one\\nline two' '\\e\[2J' >\/dev\/null; /, text);
      assert.ok(!text.includes('\x1b'), 'no raw ESC reaches the terminal');
      assert.match(rows[0] ?? '', /ALL-[A-Z,]+\+\d+ RT/, text);
      assert.equal(lines[header + 1 + json.processes.length], 'Signals without SIG; ALL-X,Y = every standard signal but X and Y; +N RT = and N real-time signals', text);
    } finally {
      await ns.destroy();
    }
  });
});

describe('pid1 test messages', { concurrency: 2 }, () => {
  test('-- CMD: the stop sequence says pid1 sends the signal, not an engine', async (t) => {
    if (!root(t)) return;
    const r = await pid1(['test', '--grace', '1', '--ready-log', 'ready', '--', SVC]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /- pid1 sends SIGTERM to PID 1 from the host, as docker stop -t 1 would/);
    assert.match(r.stdout, /- pid1 SIGKILLs PID 1 1 s later if it is still running/);
    assert.doesNotMatch(r.stdout, /the engine/);
    const j = await pid1(['test', '--json', '--grace', '1', '--ready-log', 'ready', '--', SVC]);
    const rep = JSON.parse(j.stdout) as TestReport;
    assert.ok(
      rep.policy.steps.every((s) => !/engine sends|engine SIGKILLs/.test(s)),
      rep.policy.steps.join('\n'),
    );
  });

  test('--junit with a path that cannot be written fails at once, in one line, before anything runs', async (t) => {
    if (!root(t)) return;
    const dir = tempDir('pid1-junit-');
    const cases: [string, RegExp][] = [
      [path.join(dir, 'no/such/dir/r.xml'), /^pid1: cannot write --junit .*no\/such\/dir\/r\.xml: ENOENT/],
      [dir, /^pid1: cannot write --junit .*: it is a directory\n$/],
    ];
    for (const [file, re] of cases) {
      const started = Date.now();
      // A command that would take 30 s to stop: the error must come before it runs.
      const r = await pid1(['test', '--grace', '30', '--junit', file, '--', 'dash', '-c', 'sleep 1000']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.ok(Date.now() - started < 10_000, 'it did not run the test first');
    }
    assert.deepEqual(fs.readdirSync(dir), [], 'no temporary file left behind');
    await sleep(0);
  });
});

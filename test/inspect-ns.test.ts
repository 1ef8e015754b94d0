/**
 * `pid1 inspect --pid` and `pid1 signals --pid` against real PID namespaces: each verdict is checked
 * by sending the stop for real and watching what happens.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNamespace, cleanupNamespaces } from './helpers/ns.js';
import { stopNamespace } from './helpers/observe.js';
import { svcBinary } from './helpers/rootfs.js';
import { pid1, CLI } from './helpers/cli.js';
import { waitFor } from './helpers/exec.js';
import type { InspectReport } from '../src/runtime/reports.js';
import type { ProcessSignalReport } from '../src/report/signals.js';

after(cleanupNamespaces);
const SVC = svcBinary();
const busybox = fs.existsSync('/bin/busybox') ? '/bin/busybox' : '/usr/bin/busybox';

async function inspect(pid: number, extra: string[] = []): Promise<InspectReport> {
  const r = await pid1(['inspect', '--pid', String(pid), '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as InspectReport;
}

interface Case {
  name: string;
  argv: string[];
  /** Processes expected in the namespace before the stop (svc workers included). */
  processes: number;
  outcome: 'graceful' | 'killed' | 'abrupt';
  kind: string;
  signal?: NodeJS.Signals;
  unreached?: number;
}

const cases: Case[] = [
  // dash forks and waits: PID 1 stays dash, which has no TERM handler -> dropped.
  { name: 'dash -c "svc" (shell form on Debian)', argv: ['dash', '-c', `${SVC} --workers 1`], processes: 3, outcome: 'killed', kind: 'shell', unreached: 2 },
  { name: 'dash -c "exec svc"', argv: ['dash', '-c', `exec ${SVC}`], processes: 1, outcome: 'graceful', kind: 'service' },
  // bash execs the last simple command of -c, even after &&.
  { name: 'bash -c "cd / && svc"', argv: ['bash', '-c', `cd / && ${SVC}`], processes: 1, outcome: 'graceful', kind: 'service' },
  { name: 'bash -c "svc | cat" (a pipeline is not exec\'d)', argv: ['bash', '-c', `${SVC} | cat`], processes: 3, outcome: 'killed', kind: 'shell' },
  { name: 'busybox sh -c "svc"', argv: [busybox, 'sh', '-c', SVC], processes: 1, outcome: 'graceful', kind: 'service' },
  { name: 'busybox sh -c "svc & wait"', argv: [busybox, 'sh', '-c', `${SVC} & wait`], processes: 2, outcome: 'killed', kind: 'shell' },
  { name: 'svc exec form', argv: [SVC], processes: 1, outcome: 'graceful', kind: 'service' },
  { name: 'svc handling only SIGINT, stopped with SIGTERM', argv: [SVC, '--graceful', 'INT'], processes: 1, outcome: 'killed', kind: 'service' },
  { name: 'svc handling only SIGINT, stopped with SIGINT', argv: [SVC, '--graceful', 'INT'], processes: 1, outcome: 'graceful', kind: 'service', signal: 'SIGINT' },
  // tini signals only its child: the shell dies, tini exits, the kernel kills svc.
  { name: 'tini -- dash -c "svc; :"', argv: ['tini', '--', 'dash', '-c', `${SVC}; :`], processes: 3, outcome: 'abrupt', kind: 'init' },
  // tini -g reaches svc too, but tini exits as soon as dash dies: svc's drain is cut short.
  { name: 'tini -g -- dash -c "svc --drain-ms 300; :"', argv: ['tini', '-g', '--', 'dash', '-c', `${SVC} --drain-ms 300; :`], processes: 3, outcome: 'abrupt', kind: 'init' },
  { name: 'tini -- svc', argv: ['tini', '--', SVC], processes: 2, outcome: 'graceful', kind: 'init' },
  { name: 'dumb-init svc --workers 2', argv: ['dumb-init', SVC, '--workers', '2'], processes: 4, outcome: 'graceful', kind: 'init' },
  { name: 'dumb-init dash -c "svc --drain-ms 300; :"', argv: ['dumb-init', 'dash', '-c', `${SVC} --drain-ms 300; :`], processes: 3, outcome: 'abrupt', kind: 'init' },
  // catatonit takes signals through a signalfd: SigCgt is empty, fdinfo shows the mask.
  { name: 'catatonit -- svc', argv: ['catatonit', '--', SVC], processes: 2, outcome: 'graceful', kind: 'init' },
  // dash as PID 1 catches SIGINT with its own handler (SigCgt has it) but passes it to nobody.
  { name: 'dash -c "svc --graceful INT; :" stopped with SIGINT', argv: ['dash', '-c', `${SVC} --graceful INT; :`], processes: 2, outcome: 'killed', kind: 'shell', signal: 'SIGINT' },
  // A trap that forwards to a background job and waits again: the live shell is read with the shell model.
  {
    name: 'dash -c with a forwarding trap and a second wait',
    argv: ['dash', '-c', `trap 'kill -TERM $pid' TERM; ${SVC} --drain-ms 200 & pid=$!; wait $pid; wait $pid`],
    processes: 2,
    outcome: 'graceful',
    kind: 'shell',
  },
  // The same trap with one wait: the interrupted wait returns, the script ends, PID 1 exits mid-drain.
  {
    name: 'dash -c with a forwarding trap and one wait',
    argv: ['dash', '-c', `trap 'kill -TERM $pid' TERM; ${SVC} --drain-ms 300 & pid=$!; wait $pid`],
    processes: 2,
    outcome: 'abrupt',
    kind: 'shell',
  },
  // pid1 init in front of a dash wrapper: the group gets SIGTERM and pid1 init waits for the service.
  {
    name: 'pid1 init -- dash -c "svc --drain-ms 300; :"',
    argv: [process.execPath, CLI, 'init', '--report', 'none', '--', 'dash', '-c', `${SVC} --drain-ms 300; :`],
    processes: 3,
    outcome: 'graceful',
    kind: 'init',
  },
];

for (const c of cases) {
  test(`inspect verdict matches a real stop: ${c.name}`, async () => {
    const ns = await startNamespace(c.argv, { readyLine: /svc\[\d+\]: ready/ });
    try {
      await waitFor(`${c.processes} processes`, async () => {
        const r = await inspect(ns.initPid);
        return r.processes.filter((p) => !p.zombie).length >= c.processes ? r : undefined;
      });
      const r = await inspect(ns.initPid, c.signal ? ['--signal', c.signal] : []);
      assert.equal(r.namespaceInit, true);
      assert.equal(r.processes[0]?.pid, 1);
      assert.equal(r.processes[0]?.hostPid, ns.initPid);
      assert.equal(r.verdict.pid1.kind, c.kind, r.verdict.summary);
      assert.equal(r.verdict.outcome, c.outcome, r.verdict.path.join('\n'));
      assert.equal(r.verdict.certain, true);
      if (c.unreached !== undefined) assert.equal(r.verdict.unreached.length, c.unreached);
      const seen = await stopNamespace(ns, c.signal ?? 'SIGTERM', 1500);
      assert.equal(seen.observed, c.outcome, `real stop: ${ns.output()}`);
    } finally {
      await ns.destroy();
    }
  });
}

test('inspect shows PID/PGID/SID as the namespace sees them, and the masks', async () => {
  const ns = await startNamespace(['bash', '-c', `${SVC} --workers 2 | cat`], { readyLine: /worker ready[\s\S]*worker ready/ });
  try {
    const r = await inspect(ns.initPid);
    const init = r.processes[0];
    assert.ok(init);
    assert.equal(init.pid, 1);
    assert.equal(init.ppid, 0);
    assert.equal(init.comm, 'bash');
    const svcs = r.processes.filter((p) => p.comm === 'svc' || p.argv[0] === SVC);
    assert.equal(svcs.length, 3);
    for (const s of svcs) {
      assert.ok(s.caught.includes('SIGTERM'));
      assert.ok(s.hostPid !== s.pid);
      assert.ok(s.pid > 1);
    }
    const master = svcs.find((s) => s.ppid === 1);
    assert.ok(master);
    assert.equal(svcs.filter((s) => s.ppid === master.pid).length, 2);
    assert.equal(r.verdict.unreached.length, 3);
    const text = await pid1(['inspect', '--pid', String(ns.initPid)]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /Verdict: KILLED/);
    assert.match(text.stdout, /Handle SIGTERM but will never receive it/);
  } finally {
    await ns.destroy();
  }
});

test('zombies are counted and named', async () => {
  // The subshell forks `sleep` and exits; sleep is re-parented to PID 1 (svc after exec), which never reaps it.
  const ns = await startNamespace(['dash', '-c', `(sleep 0.05 &) ; exec ${SVC}`], { readyLine: /ready/ });
  try {
    const r = await waitFor('a zombie', async () => {
      const x = await inspect(ns.initPid);
      return x.zombies.length ? x : undefined;
    });
    assert.equal(r.zombies.length, 1);
    assert.equal(r.zombies[0]?.comm, 'sleep');
    assert.ok(r.verdict.caveats.some((c) => /1 zombie process \(\d+ sleep\)/.test(c)));
  } finally {
    await ns.destroy();
  }
});

test('signals --pid shows all five masks and the fate of each runtime signal', async () => {
  const ns = await startNamespace(['dash', '-c', `${SVC}; :`], { readyLine: /ready/ });
  try {
    const r = await pid1(['signals', '--pid', String(ns.initPid), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as ProcessSignalReport;
    assert.equal(rep.namespaceInit, true);
    assert.deepEqual(Object.keys(rep.masks), ['SigPnd', 'ShdPnd', 'SigBlk', 'SigIgn', 'SigCgt']);
    assert.ok(rep.masks.SigCgt.signals.some((s) => s.name === 'SIGCHLD'));
    const fate = Object.fromEntries(rep.asNamespaceInit.map((f) => [f.name, f.fate]));
    assert.equal(fate.SIGTERM, 'dropped');
    assert.equal(fate.SIGQUIT, 'dropped');
    assert.equal(fate.SIGKILL, 'default');
    // And the kernel agrees: SIGTERM and SIGQUIT from the host leave dash running.
    process.kill(ns.initPid, 'SIGTERM');
    process.kill(ns.initPid, 'SIGQUIT');
    await new Promise((res) => setTimeout(res, 300));
    assert.doesNotThrow(() => process.kill(ns.initPid, 0));
    const text = await pid1(['signals', '--pid', String(ns.initPid)]);
    assert.match(text.stdout, /SigCgt\s+[0-9a-f]{16}\s+.*SIGCHLD/);
    assert.match(text.stdout, /SIGTERM\s+dropped/);
  } finally {
    await ns.destroy();
  }
});

test('SIGKILL from inside the namespace is refused by its init; from the host it kills', async () => {
  const ns = await startNamespace(['dash', '-c', `(sleep 0.2; kill -KILL 1; echo inside-kill-sent) & exec ${SVC}`], { readyLine: /ready/ });
  try {
    await waitFor('inside kill', () => (ns.output().includes('inside-kill-sent') ? true : undefined));
    await new Promise((res) => setTimeout(res, 100));
    assert.doesNotThrow(() => process.kill(ns.initPid, 0), 'PID 1 survived SIGKILL sent from inside');
    process.kill(ns.initPid, 'SIGKILL');
    const end = await ns.exited;
    assert.ok(end.code !== 0 || end.signal !== null);
  } finally {
    await ns.destroy();
  }
});

/**
 * A runtime as PID 1: CPython's masks tell (it catches INT only, so TERM in SigCgt is the program's own
 * handler); Node's do not (its built-in TERM handler shows in SigCgt and re-raises, which PID 1 ignores),
 * so inspect reads the program file through /proc/PID/root, as lint reads it from the build context.
 */
interface RuntimeCase {
  name: string;
  file: string;
  text: string;
  runtime: 'node' | 'python';
  outcome: 'graceful' | 'killed';
  termCaught: boolean;
}
const READY = 'console.log("svc[0]: ready (node)");';
const runtimeCases: RuntimeCase[] = [
  { name: 'node without a SIGTERM listener (its own handler re-raises)', runtime: 'node', file: 'idle.js', termCaught: true, outcome: 'killed', text: `${READY} setInterval(() => {}, 1000);\n` },
  {
    name: "node with process.on('SIGTERM')",
    runtime: 'node',
    file: 'server.js',
    termCaught: true,
    outcome: 'graceful',
    text: `${READY}\nconst t = setInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => { clearInterval(t); console.log('svc[0]: graceful exit'); process.exit(0); });\n`,
  },
  {
    name: 'python without a SIGTERM handler',
    runtime: 'python',
    file: 'plain.py',
    termCaught: false,
    outcome: 'killed',
    text: 'import time\nprint("svc[0]: ready (python)", flush=True)\nwhile True: time.sleep(1)\n',
  },
  {
    name: 'python with signal.signal(SIGTERM)',
    runtime: 'python',
    file: 'handled.py',
    termCaught: true,
    outcome: 'graceful',
    text: 'import signal, sys, time\ndef stop(*a):\n    print("svc[0]: graceful exit", flush=True)\n    sys.exit(0)\nsignal.signal(signal.SIGTERM, stop)\nprint("svc[0]: ready (python)", flush=True)\nwhile True: time.sleep(1)\n',
  },
];

for (const c of runtimeCases) {
  test(`a runtime as PID 1, verdict matches a real stop: ${c.name}`, async (t) => {
    const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p));
    if (c.runtime === 'python' && !python) {
      t.skip('no python3 on this host (Debian: python3)');
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-runtime-'));
    const file = path.join(dir, c.file);
    fs.writeFileSync(file, c.text);
    const ns = await startNamespace([c.runtime === 'node' ? process.execPath : (python as string), file], { readyLine: /ready/ });
    try {
      const r = await inspect(ns.initPid);
      assert.equal(r.processes[0]?.caught.includes('SIGTERM'), c.termCaught, 'SigCgt as the catalogue says');
      assert.equal(r.verdict.outcome, c.outcome, r.verdict.path.join(' | '));
      assert.equal(r.verdict.certain, true, r.verdict.path.join(' | '));
      // No "the program decides" caveat once its source (or its masks) have decided.
      assert.ok(!r.verdict.caveats.some((x) => x.includes("process.on('SIGTERM')")), r.verdict.caveats.join(' | '));
      const seen = await stopNamespace(ns, 'SIGTERM', 1500);
      assert.equal(seen.observed, c.outcome);
    } finally {
      await ns.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('node as PID 1 whose program pid1 cannot read: SIGTERM in SigCgt is a known false positive', async () => {
  // the program's file is gone once it runs: pid1 sees node's own handler and cannot read the program
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-gone-'));
  const file = path.join(dir, 'app.js');
  fs.writeFileSync(file, `${READY} setInterval(() => {}, 1000);`);
  const ns = await startNamespace([process.execPath, file], { readyLine: /ready/ });
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    const r = await inspect(ns.initPid);
    assert.ok(r.processes[0]?.caught.includes('SIGTERM'), 'node installs a SIGTERM handler');
    assert.equal(r.verdict.outcome, 'unknown');
    assert.equal(r.verdict.certain, false);
    assert.ok(r.verdict.caveats.some((c) => c.includes("process.on('SIGTERM')")));
    // The real stop: node's handler re-raises the default action, which PID 1 ignores.
    const seen = await stopNamespace(ns, 'SIGTERM', 1000);
    assert.equal(seen.observed, 'killed');
  } finally {
    await ns.destroy();
  }
});

test('node -e as PID 1: the code given is the program, read for a listener (there is none: killed, certain)', async () => {
  const ns = await startNamespace([process.execPath, '-e', `${READY} setInterval(() => {}, 1000);`], { readyLine: /ready/ });
  try {
    const r = await inspect(ns.initPid);
    assert.equal(r.verdict.outcome, 'killed', r.verdict.path.join('\n'));
    assert.equal(r.verdict.certain, true);
    const seen = await stopNamespace(ns, 'SIGTERM', 1000);
    assert.equal(seen.observed, 'killed');
  } finally {
    await ns.destroy();
  }
});

test("npm start as PID 1 loses the service's graceful shutdown", async (t) => {
  const npmCli = ['/usr/local/lib/node_modules/npm/bin/npm-cli.js', '/usr/lib/node_modules/npm/bin/npm-cli.js'].find((p) => fs.existsSync(p));
  if (!npmCli) {
    t.skip('npm is not installed where node can run it');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-npm-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: `${SVC} --drain-ms 200` } }));
  const ns = await startNamespace([process.execPath, npmCli, 'start', '--prefix', dir], {
    readyLine: /svc\[\d+\]: ready/,
    env: { npm_config_update_notifier: 'false', npm_config_loglevel: 'silent' },
  });
  try {
    const r = await inspect(ns.initPid);
    assert.equal(r.verdict.pid1.kind, 'package-manager', r.verdict.summary);
    assert.equal(r.verdict.outcome, 'abrupt', r.verdict.path.join('\n'));
    const seen = await stopNamespace(ns, 'SIGTERM', 2000);
    assert.equal(seen.observed, 'abrupt', ns.output());
  } finally {
    await ns.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: missing PID, vanished PID, malformed arguments exit 2 with one line', async () => {
  for (const args of [
    ['inspect', '--pid', '999999999'],
    ['signals', '--pid', '999999999'],
    ['inspect', '--pid', 'abc'],
    ['inspect'],
    ['signals', 'xyz'],
    ['signals', '--pid', '1', '0000000000000002'],
  ]) {
    const r = await pid1(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^pid1: |^error: /);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  }
  const r = await pid1(['inspect', '--pid', '999999999']);
  assert.equal(r.stderr.trim(), 'pid1: no process with PID 999999999');
});

/**
 * src/proc/stat.ts (the shared /proc readers) against real processes, and the namespace tree's
 * per-level PGID/SID (NSpgid/NSsid) with a real nested PID namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { childrenOf, cmdlineOf, commOf, nsPidOf, nsPidsOf, parseCmdline, parseStat, pidNsOf, readStat } from '../src/proc/stat.js';
import { readProcess } from '../src/proc/read.js';
import { pid1 } from './helpers/cli.js';
import { waitFor } from './helpers/exec.js';
import { startNamespace } from './helpers/ns.js';

test('parseStat counts fields after the last ")": a comm with spaces and parentheses', () => {
  const line = '4242 (a) b (c)) S 7 4242 4240 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 777 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 9\n';
  assert.deepEqual(parseStat(line), { pid: 4242, comm: 'a) b (c)', state: 'S', ppid: 7, pgrp: 4242, session: 4240, starttime: 777, exitCode: 9 });
  assert.equal(parseStat('4242 (x) S 0 4242 4242 0 -1 0'), undefined, 'no starttime: not a stat line');
  assert.equal(parseStat('garbage'), undefined);
});

test('parseCmdline drops the NULs a retitled process pads with, and keeps inner empty arguments', () => {
  assert.deepEqual(parseCmdline('sh\0-c\0echo hi\0'), ['sh', '-c', 'echo hi']);
  assert.deepEqual(parseCmdline('node-title\0\0\0\0'), ['node-title']);
  assert.deepEqual(parseCmdline('a\0\0b\0'), ['a', '', 'b']);
  assert.deepEqual(parseCmdline(''), []);
});

test('the readers agree with the kernel about a real child, and say "gone" once it is reaped', async () => {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const pid = child.pid as number;
  try {
    await waitFor('sleep to exec', () => (commOf(pid) === 'sleep' ? true : undefined));
    const st = readStat(pid);
    assert.ok(st);
    assert.equal(st.ppid, process.pid);
    assert.equal(st.comm, 'sleep');
    assert.ok(st.starttime >= (readStat(process.pid)?.starttime ?? Infinity), 'started after us');
    assert.equal(readProcess(pid).starttime, st.starttime, 'ProcessInfo carries the same starttime');
    assert.deepEqual(cmdlineOf(pid), ['sleep', '1000']);
    assert.ok(childrenOf(process.pid).includes(pid), "Node forks from some thread: every task's children file is read");
    assert.deepEqual(nsPidsOf(pid), [pid]);
    assert.equal(nsPidOf(pid), pid);
    assert.equal(pidNsOf(pid), fs.readlinkSync('/proc/self/ns/pid'));
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(readStat(pid), undefined);
  assert.equal(commOf(pid), undefined);
  assert.deepEqual(cmdlineOf(pid), []);
  assert.deepEqual(childrenOf(pid), []);
});

test("inspect shows PGID and SID at the namespace's level, also for a process of a nested namespace", async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root for unshare');
  // Namespace A: dash as PID 1 starts unshare in a new session; its child is PID 1 of namespace B and
  // runs setsid: a session of its own, led by itself. Seen from A its SID is its A-level PID, not 1.
  const ns = await startNamespace(['sh', '-c', 'setsid unshare --pid --fork setsid sleep 1000 & wait']);
  try {
    const sleeper = await waitFor('sleep in the nested namespace', () => {
      const u = childrenOf(ns.initPid).find((c) => commOf(c) === 'unshare');
      return u === undefined ? undefined : childrenOf(u, false).find((c) => commOf(c) === 'sleep' && readStat(c)?.session === c);
    });
    assert.equal(nsPidsOf(sleeper).length, 3, 'host, A and B');
    assert.equal(nsPidOf(sleeper), 1);
    const r = await pid1(['inspect', '--pid', String(ns.initPid), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const procs = (JSON.parse(r.stdout) as { processes: { pid: number; hostPid: number; pgid: number; sid: number; comm: string }[] }).processes;
    const s = procs.find((p) => p.hostPid === sleeper);
    assert.ok(s, r.stdout);
    const inA = nsPidsOf(sleeper)[1];
    assert.deepEqual({ pid: s.pid, pgid: s.pgid, sid: s.sid }, { pid: inA, pgid: inA, sid: inA });
    const u = procs.find((p) => p.comm === 'unshare');
    assert.ok(u);
    assert.deepEqual({ pgid: u.pgid, sid: u.sid }, { pgid: u.pid, sid: u.pid }, 'setsid made unshare a session leader in A');
    // PID 1 of A was started in the test's session, outside A: the kernel shows 0 for a leader it cannot see.
    const init = procs.find((p) => p.hostPid === ns.initPid);
    assert.deepEqual({ pid: init?.pid, sid: init?.sid }, { pid: 1, sid: 0 });
  } finally {
    await ns.destroy();
  }
});

/**
 * Progress on long work, for people at a terminal: `pid1 lint` over a big tree and `pid1 test` waiting
 * out a grace period. On a real pseudo-terminal (util-linux `script`, which runs the command on a pty and
 * copies what it writes) the line is drawn and cleared; through pipes nothing extra is written.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, pid1 } from './helpers/cli.js';
import { run, tempDir } from './helpers/exec.js';

const CLEAR = '\r\x1b[K';

/** Run pid1 on a pty: everything it writes to stdout and stderr, as the terminal got it. */
async function onPty(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number; out: string }> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, CLI, ...args].map(quote).join(' ');
  // -q quiet, -f flush as written, -e the command's exit status, -c the command; the typescript to /dev/null
  const r = await run('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', ...env }, ...(cwd ? { cwd } : {}), timeout: 60_000 });
  return { code: r.code, out: r.stdout };
}

function bigTree(n: number): string {
  const dir = tempDir('pid1-progress-');
  for (let i = 0; i < n; i++) {
    fs.mkdirSync(path.join(dir, `d${i}`));
    fs.writeFileSync(path.join(dir, `d${i}`, 'Dockerfile'), 'FROM debian\nCMD ["svc"]\n');
  }
  return dir;
}

test('pid1 lint: progress on a terminal once the delay has passed, cleared before the report; nothing through pipes', async () => {
  const dir = bigTree(300);
  // the delay is 1 s by default; 0 here, so that the test does not depend on how fast the machine is
  const tty = await onPty(['lint', '.'], { PID1_PROGRESS_DELAY_MS: '0' }, dir);
  assert.equal(tty.code, 0, tty.out);
  // (redrawn at most every 100 ms: which phase shows depends on the machine's speed)
  assert.match(tty.out, /^\r\x1b\[Kpid1 lint: (finding files \(\d+ so far\)|\d+\/300 files)/);
  const last = tty.out.lastIndexOf(CLEAR);
  assert.ok(last >= 0, 'the progress line is erased');
  assert.equal(tty.out.slice(last + CLEAR.length).replace(/\r\n/g, '\n'), 'no problems in 300 files\n', 'only the report follows the erased line');
  // before the delay, nothing: a run that ends sooner shows no progress at all
  const quick = await onPty(['lint', '.'], { PID1_PROGRESS_DELAY_MS: '600000' }, dir);
  assert.equal(quick.out.replace(/\r\n/g, '\n'), 'no problems in 300 files\n');
  // pipes: stdout is the report, stderr is empty
  const piped = await pid1(['lint', '.'], { cwd: dir, env: { PID1_PROGRESS_DELAY_MS: '0' } });
  assert.equal(piped.code, 0);
  assert.equal(piped.stdout, 'no problems in 300 files\n');
  assert.equal(piped.stderr, '');
});

test('pid1 test: a live countdown to SIGKILL while the grace period runs, on a terminal only', async () => {
  // dash drops SIGTERM as PID 1: the stop waits out the whole grace period
  const tty = await onPty(['test', '--grace', '2', '--', '/bin/sh', '-c', 'sleep 30']);
  assert.equal(tty.code, 1, tty.out);
  assert.match(tty.out, /pid1 test: SIGTERM sent; waiting for the service to stop: SIGKILL in 2 s/);
  assert.match(tty.out, /SIGKILL in 1 s/);
  // each second drawn once, then erased before the report
  assert.equal(tty.out.split('SIGKILL in 2 s').length, 2);
  const cleared = tty.out.lastIndexOf(CLEAR);
  assert.ok(cleared > tty.out.lastIndexOf('SIGKILL in'), 'the countdown is erased');
  assert.match(tty.out.slice(cleared), /Verdict|killed/);
  const piped = await pid1(['test', '--grace', '1', '--', '/bin/sh', '-c', 'sleep 30']);
  assert.equal(piped.code, 1);
  assert.doesNotMatch(piped.stderr + piped.stdout, /SIGKILL in \d/);
  assert.ok(!piped.stderr.includes('\x1b['), JSON.stringify(piped.stderr));
});

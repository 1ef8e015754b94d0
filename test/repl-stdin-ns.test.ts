/**
 * A bare runtime is its REPL, and with no stdin (compose without stdin_open/tty, a pod container without
 * stdin/tty) it reads end of input and exits at once: the model then has no stop to lose
 * (src/model/programs.ts REPL_RUNTIMES, src/model/launch.ts). Each runs as PID 1 of a fresh PID namespace
 * with stdin at EOF and no controlling terminal (setsid), as the container gives it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { chainFromArgv } from '../src/model/launch.js';
import type { ShellFamily } from '../src/model/programs.js';
import { loadShellParser } from '../src/model/shell.js';
import { programPath } from './helpers/exec.js';

const REPLS: { argv: string[]; required: boolean }[] = [
  { argv: ['python3'], required: true },
  { argv: ['node'], required: true },
  { argv: ['perl', '-de0'], required: true },
  // R without a terminal is not interactive: it runs what stdin gives and ends (bare `R` first insists on --save/--no-save/--vanilla)
  { argv: ['R', '--vanilla'], required: true },
  // installed by the larger catalogue runs only (scripts/install-deps.sh says which)
  { argv: ['erl'], required: false },
  { argv: ['php', '-a'], required: false },
];

describe('a REPL as PID 1 with no stdin exits at once', () => {
  for (const r of REPLS) {
    const present = programPath(r.argv[0] as string) !== undefined;
    it(r.argv.join(' '), { skip: !present && !r.required ? `${r.argv[0]} is not installed` : false }, () => {
      assert.ok(present, `${r.argv[0]} must be installed (scripts/install-deps.sh)`);
      // the timeout only stops a hang: a REPL that waits for input would be killed and fail the status check
      const run = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', 'setsid', ...r.argv], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
      assert.equal(run.signal, null, `${r.argv.join(' ')} did not exit by itself: ${run.stderr}`);
      assert.equal(run.status, 0);
      // and the model agrees: with stdin closed nothing is left to stop; with stdin open the REPL is PID 1
      assert.deepEqual(chainFromArgv(r.argv, { sh: 'dash', stdin: 'closed' }).processes, []);
      assert.equal(chainFromArgv(r.argv, { sh: 'dash', stdin: 'open' }).processes.length, 1);
    });
  }
});

/**
 * compose-anything's `entrypoint: [/bin/sh, -ec]` with a `command: |` that starts `cat >/app/ov.conf <<EOF`: compose
 * v2 keeps only the words before the `>` (go-shellwords), so the shell runs `cat`, which copies stdin to the end of
 * input: with /dev/null as stdin it ends at once, and so does the container, whichever shell is /bin/sh.
 */
describe('a shell whose command is a bare `cat`, with no stdin, ends at once', () => {
  before(loadShellParser);
  const SHELLS: { family: ShellFamily; argv: string[] }[] = [
    { family: 'dash', argv: ['dash'] },
    { family: 'bash', argv: ['bash'] },
    { family: 'ash', argv: ['busybox', 'sh'] },
  ];
  for (const sh of SHELLS) {
    it(`${sh.family} -ec cat`, () => {
      const run = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', 'setsid', ...sh.argv, '-ec', 'cat'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
      assert.equal(run.signal, null, `${sh.family} -ec cat did not exit by itself: ${run.stderr}`);
      assert.equal(run.status, 0);
      // the model: nothing left to stop with stdin closed; with stdin open cat (or the shell in front of it) runs on
      assert.deepEqual(chainFromArgv(['sh', '-ec', 'cat'], { sh: sh.family, stdin: 'closed' }).processes, []);
      assert.notDeepEqual(chainFromArgv(['sh', '-ec', 'cat'], { sh: sh.family, stdin: 'open' }).processes, []);
    });
  }
});

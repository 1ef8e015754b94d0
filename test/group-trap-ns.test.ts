/**
 * An init that signals its child's process group (dumb-init; tini -g does the same) in front of a shell script
 * whose trap waits behind a foreground keep-alive: the `sleep` dies of the signal (it is not PID 1), so the trap
 * runs at once (bash(1) SIGNALS: a trap runs when the foreground command returns). Run for real as PID 1 of a fresh
 * PID namespace with SIGTERM from the host, and checked against the model (src/model/launch.ts predictStop).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import { loadShellParser } from '../src/model/shell.js';
import { cleanupInits, startAsInit } from './helpers/as-init.js';
import { programPath, tempDir, waitFor } from './helpers/exec.js';
import { within } from './helpers/within.js';

after(cleanupInits);

const DIR = tempDir('pid1-group-trap-');

describe('dumb-init in front of a script whose trap waits behind `sleep infinity`', { skip: programPath('dumb-init') ? false : 'install dumb-init (scripts/install-deps.sh)' }, () => {
  before(loadShellParser);
  it('the group gets SIGTERM: sleep dies, the trap runs and ends the script, dumb-init exits 0', async () => {
    const log = path.join(DIR, 'log');
    const script = path.join(DIR, 'start.sh');
    fs.writeFileSync(script, `#!/bin/bash\ntrap 'echo trapped >> ${log}; exit 0' TERM\necho ready >> ${log}\nsleep infinity\necho never >> ${log}\n`, { mode: 0o755 });
    const argv = ['dumb-init', script];
    const chain = chainFromArgv(argv, { sh: 'dash', signal: 'SIGTERM', readScript: (p) => (p === script ? fs.readFileSync(script, 'utf8') : undefined) });
    const p = predictStop(chain, 'SIGTERM');
    assert.deepEqual([p.outcome, p.certain], ['graceful', true], p.path.join('\n'));
    const run = await startAsInit(argv, { stdin: 'ignore' });
    await waitFor('the script ready', () => (fs.existsSync(log) && /ready/.test(fs.readFileSync(log, 'utf8')) ? true : undefined), 15_000);
    process.kill(run.pid, 'SIGTERM');
    const end = await within(run.exited, 10_000);
    assert.deepEqual(end, { code: 0, signal: null }, 'dumb-init exits 0 with its child, before any SIGKILL');
    assert.match(fs.readFileSync(log, 'utf8'), /ready\ntrapped\n$/);
  });
});

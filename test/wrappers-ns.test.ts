/**
 * Wrappers that stand between PID 1 and the service, run for real as PID 1 of a fresh PID namespace with the test
 * service svc behind them, and SIGTERM from the host (like `docker stop`). What the model relies on (launch.ts):
 * - util-linux su forks the command's shell and stays its parent; on SIGTERM it sends the child SIGTERM, sleeps 2 s and
 *   SIGKILLs it (su-common.c supervise_child): a service whose stop takes longer is cut, whatever it does with TERM;
 * - busybox su execs the shell in its place (loginutils/su.c run_shell), so the command's own process is PID 1;
 * - Debian's apache2ctl is a /bin/sh script that runs `$HTTPD ${APACHE_ARGUMENTS} "$@"` and then `ERROR=$?` for any
 *   argument that is not one of its verbs (`-D FOREGROUND`): the shell stays PID 1 with httpd as its child.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import { loadShellParser } from '../src/model/shell.js';
import { cleanupInits, startAsInit, type InitRun } from './helpers/as-init.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';
import { svcBinary } from './helpers/rootfs.js';
import { within } from './helpers/within.js';

after(cleanupInits);

const DIR = tempDir('pid1-wrappers-');
fs.chmodSync(DIR, 0o755);
const APACHE2CTL = '/opt/pid1-apache2/usr/sbin/apache2ctl';
const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

/** SIGTERM the namespace init from the host; how long it took to end and how. */
async function stop(run: InitRun, boundMs = 30_000): Promise<{ ms: number; end: { code: number | null; signal: NodeJS.Signals | null } | undefined }> {
  const t0 = Date.now();
  process.kill(run.pid, 'SIGTERM');
  const end = await within(run.exited, boundMs);
  return { ms: Date.now() - t0, end };
}

describe('util-linux su as PID 1', () => {
  test('passes SIGTERM on, then SIGKILLs the service 2 s later: a 5 s drain is cut; the model says abrupt, certain', async () => {
    await loadShellParser();
    const svc = svcBinary();
    const log = path.join(DIR, 'su.log');
    const command = `exec ${svc} --graceful TERM --drain-ms 5000 --name su-svc >>${log} 2>&1`;
    const run = await startAsInit(['su', 'root', '-c', command], { stdin: 'ignore', comm: 'su' });
    await waitFor('the service ready', () => (/ready/.test(read(log)) ? true : undefined), 15_000);
    const { ms, end } = await stop(run);
    assert.ok(end, 'su ended after the stop');
    assert.match(read(log), /got Terminated, draining/, 'the service got SIGTERM from su');
    assert.doesNotMatch(read(log), /graceful exit/, 'its 5 s drain never finished');
    assert.ok(ms >= 1800 && ms < 4500, `su ended about 2 s after SIGTERM (took ${ms} ms)`);
    const p = predictStop(chainFromArgv(['su', 'root', '-c', command], { sh: 'dash' }));
    assert.equal(p.outcome, 'abrupt');
    assert.equal(p.certain, true);
    assert.match(p.path.join('\n'), /SIGKILLs its child 2 s later/);
  });
});

describe('busybox su as PID 1', () => {
  test('execs the shell, which execs the command: the service itself is PID 1 and stops gracefully; so says the model', async () => {
    await loadShellParser();
    const svc = svcBinary();
    const log = path.join(DIR, 'busybox-su.log');
    // busybox su, with bash as the shell (bash -c execs a single command); the comm is the service's own
    const command = `${svc} --graceful TERM --drain-ms 300 --name bb-svc`;
    const run = await startAsInit(['busybox', 'su', '-s', '/bin/bash', '-c', command, 'root'], { stdin: 'ignore', comm: path.basename(svc).slice(0, 15) });
    await waitFor('the service ready', () => (/ready/.test(run.output()) ? true : undefined), 15_000);
    const { end } = await stop(run);
    fs.writeFileSync(log, run.output());
    assert.ok(end, 'the service ended after the stop');
    assert.match(run.output(), /got Terminated, draining[\s\S]*graceful exit/);
    // on an image whose /bin/sh is busybox ash, su is busybox's: the model follows the exec
    const p = predictStop(chainFromArgv(['su', '-s', '/bin/sh', '-c', `${svc} --graceful TERM`, 'root'], { sh: 'ash' }));
    assert.equal(p.pid1.name, path.basename(svc));
  });
});

describe("Debian's apache2ctl as PID 1", { skip: fs.existsSync(APACHE2CTL) ? false : `run scripts/install-deps.sh (it unpacks Debian's apache2ctl into ${path.dirname(APACHE2CTL)})` }, () => {
  test('stays PID 1 with httpd as its child and drops SIGTERM: httpd never gets it; the model says killed', async () => {
    await loadShellParser();
    const svc = svcBinary();
    const log = path.join(DIR, 'apache2ctl.log');
    // a stand-in for apache2: svc, which does not take httpd's -D FOREGROUND
    const httpd = path.join(DIR, 'httpd-standin');
    fs.writeFileSync(httpd, `#!/bin/sh\nexec ${svc} --graceful TERM --drain-ms 300 --name httpd >>${log} 2>&1\n`, { mode: 0o755 });
    const run = await startAsInit([APACHE2CTL, '-D', 'FOREGROUND'], {
      stdin: 'ignore',
      comm: 'apache2ctl',
      env: { APACHE_HTTPD: httpd, APACHE_CONFDIR: DIR, APACHE_ULIMIT_MAX_FILES: 'true' },
    });
    try {
      await waitFor('the stand-in ready', () => (/ready/.test(read(log)) ? true : undefined), 15_000);
      assert.ok(!run.mask('SigCgt').includes(15), 'the shell as PID 1 has no SIGTERM handler');
      process.kill(run.pid, 'SIGTERM');
      await sleep(1500);
      assert.ok(run.alive(), 'PID 1 is still running 1.5 s after SIGTERM: the kernel dropped it');
      assert.doesNotMatch(read(log), /got Term/, 'httpd never got SIGTERM');
    } finally {
      await run.destroy();
    }
    const p = predictStop(chainFromArgv(['apache2ctl', '-D', 'FOREGROUND'], { sh: 'dash' }));
    assert.equal(p.outcome, 'killed');
    assert.equal(p.pid1.name, 'apache2ctl');
    assert.equal(p.service.name, 'apache2');
  });
});

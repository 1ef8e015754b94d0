/**
 * Wrappers that stand between PID 1 and the service, run for real as PID 1 of a fresh PID namespace with the test
 * service svc behind them, and SIGTERM from the host (like `docker stop`). What the model relies on (launch.ts):
 * - util-linux su forks the command's shell and stays its parent; on SIGTERM it sends the child SIGTERM, sleeps 2 s and
 *   SIGKILLs it (su-common.c supervise_child): a service whose stop takes longer is cut, whatever it does with TERM;
 * - busybox su execs the shell in its place (loginutils/su.c run_shell), so the command's own process is PID 1;
 * - Flask's app.run(debug=True) runs werkzeug's reloader: its parent (PID 1) exits on SIGTERM and the server, its child,
 *   is SIGKILLed (werkzeug/_reloader.py, subprocess.call's cleanup): a request in flight is cut;
 * - node exits once its event loop is empty: a script that only prints and returns ends by itself, PID 1 or not;
 * - Debian's apache2ctl is a /bin/sh script that runs `$HTTPD ${APACHE_ARGUMENTS} "$@"` and then `ERROR=$?` for any
 *   argument that is not one of its verbs (`-D FOREGROUND`): the shell stays PID 1 with httpd as its child.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import { loadShellParser } from '../src/model/shell.js';
import { cleanupInits, startAsInit, type InitRun } from './helpers/as-init.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';
import { svcBinary } from './helpers/rootfs.js';
import { within } from './helpers/within.js';
import { lintLaunches } from './helpers/cli.js';
import { analyzeProgramSource } from '../src/sources/program-source.js';

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

describe('util-linux runuser as PID 1', () => {
  // devome's and factorio-docker's entrypoints: `exec runuser -u factorio -- /opt/factorio/bin/x64/factorio ...`
  test('`runuser -u USER -- CMD` passes SIGTERM on, then SIGKILLs the command 2 s later, as su does; the model says abrupt, certain', async () => {
    await loadShellParser();
    const svc = svcBinary();
    const log = path.join(DIR, 'runuser.log');
    const argv = ['runuser', '-u', 'root', '--', svc, '--graceful', 'TERM', '--drain-ms', '5000', '--name', 'runuser-svc'];
    const run = await startAsInit(argv, { stdin: 'ignore', comm: 'runuser' });
    await waitFor('the service ready', () => (/ready/.test(run.output()) ? true : undefined), 15_000);
    const { ms, end } = await stop(run);
    fs.writeFileSync(log, run.output());
    assert.ok(end, 'runuser ended after the stop');
    assert.match(run.output(), /got Terminated, draining/, 'the service got SIGTERM from runuser');
    assert.doesNotMatch(run.output(), /graceful exit/, 'its 5 s drain never finished');
    assert.ok(ms >= 1800 && ms < 4500, `runuser ended about 2 s after SIGTERM (took ${ms} ms)`);
    const chain = chainFromArgv(argv, { sh: 'dash' });
    assert.deepEqual(
      chain.processes.map((x) => x.name),
      ['runuser', path.basename(svc)],
    );
    const p = predictStop(chain);
    assert.deepEqual([p.outcome, p.certain], ['abrupt', true], p.path.join('\n'));
  });
});

describe('sudo as PID 1 (Debian sudo)', { skip: fs.existsSync('/usr/bin/sudo') ? false : 'sudo is not installed here (scripts/install-deps.sh installs it)' }, () => {
  test('runs the command as its child and relays SIGTERM to it: a 300 ms drain completes; the model says graceful', async () => {
    await loadShellParser();
    const svc = svcBinary();
    const log = path.join(DIR, 'sudo.log');
    const argv = ['sudo', '--user', 'root', svc, '--graceful', 'TERM', '--drain-ms', '300', '--name', 'sudo-svc'];
    const run = await startAsInit(argv, { stdin: 'ignore', comm: 'sudo' });
    await waitFor('the service ready', () => (/ready/.test(run.output()) ? true : undefined), 15_000);
    const { end } = await stop(run);
    fs.writeFileSync(log, run.output());
    assert.ok(end, 'sudo ended after the stop');
    assert.match(run.output(), /got Terminated, draining[\s\S]*graceful exit/, 'the service got SIGTERM from sudo and drained');
    const chain = chainFromArgv(argv, { sh: 'dash' });
    assert.deepEqual(
      chain.processes.map((x) => x.name),
      ['sudo', path.basename(svc)],
    );
  });

  test("a bash entrypoint's `sudo --user dev tool --help` (no exec) prints and exits: the container ends by itself", async () => {
    await loadShellParser();
    const script = '#!/bin/bash\necho "UID matched"\nsudo --user "$USER" /bin/terraform "$@"\n';
    const file = path.join(DIR, 'sudo-entry.sh');
    fs.writeFileSync(file, script, { mode: 0o755 });
    const chain = chainFromArgv([file, '--help'], { sh: 'dash', readScript: (p) => (p === file ? script : undefined) });
    assert.deepEqual(chain.processes, []);
    const real = spawnSync('sudo', ['--user', 'root', 'true', '--help'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(real.status, 0, 'sudo returns when its command has printed and exited');
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

describe("Flask's app.run(debug=True) as PID 1 (Debian python3-flask)", () => {
  test("the reloader's parent exits on SIGTERM and its server child is SIGKILLed mid-request; lint says so, certain", async () => {
    const dir = path.join(DIR, 'flask');
    fs.mkdirSync(dir, { recursive: true });
    const port = 20000 + (process.pid % 20000);
    // a request that takes 3 s: a graceful stop would finish it; the reloader's stop cuts it
    const app = `import time\nfrom flask import Flask\napp = Flask(__name__)\n\n@app.route("/slow")\ndef slow():\n    time.sleep(3)\n    return "done"\n\nif __name__ == "__main__":\n    app.run(host="127.0.0.1", port=${port}, debug=True)\n`;
    fs.writeFileSync(path.join(dir, 'app.py'), app);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:3.12-slim\nRUN pip install flask\nCOPY app.py /app/app.py\nCMD ["python", "/app/app.py"]\n');
    const run = await startAsInit(['python3', path.join(dir, 'app.py')], { stdin: 'ignore', comm: 'python3' });
    try {
      await waitFor('the server listening', () => (/Debugger PIN/.test(run.output()) ? true : undefined), 20_000);
      const response = fetch(`http://127.0.0.1:${port}/slow`).then(
        (r) => r.text(),
        (e: Error) => `failed: ${e.message}`,
      );
      await sleep(500);
      const { ms, end } = await stop(run, 10_000);
      assert.ok(end && ms < 2500, `PID 1 ended at once on SIGTERM (took ${ms} ms)`);
      assert.match(await response, /^failed/, 'the request in flight was cut');
    } finally {
      await run.destroy();
    }
    const launch = (await lintLaunches([path.join(dir, 'Dockerfile')]))[0];
    assert.equal(launch?.outcome, 'abrupt');
    assert.equal(launch?.certain, true);
  });
});

describe('a node script that nothing keeps running, as PID 1', () => {
  test('node exits by itself once the script returns (its event loop is empty); the source reader says it finishes', async () => {
    const dir = path.join(DIR, 'node-once');
    fs.mkdirSync(dir, { recursive: true });
    const text = "const time = Number(process.argv[2]) || 10\nconsole.log('Time:', time)\n";
    fs.writeFileSync(path.join(dir, 'index.js'), text);
    // PID 1 of a fresh namespace; a program that did not end by itself would hit the timeout (status null)
    const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', process.execPath, path.join(dir, 'index.js')], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, `node ended by itself, status 0 (${r.signal ?? ''} ${r.stderr})`);
    assert.match(r.stdout, /Time: 10/);
    const v = await analyzeProgramSource(text, { language: 'javascript', path: path.join(dir, 'index.js'), readFile: () => undefined });
    assert.equal(v.verdict, 'finishes', v.reason);
  });
});

/**
 * The supervisors whose services pid1 reads (src/sources/supervised.ts), run for real as PID 1 of a fresh PID
 * namespace: SIGTERM from the host (like `docker stop`), and each service (the test service svc, and real nginx
 * where installed) logs which signal it got. What the model relies on:
 * - s6-svscan (Debian s6) on SIGTERM has every s6-supervise bring its service down with the service's
 *   down-signal, SIGTERM when there is none (s6 doc/s6-svscan.html, doc/servicedir.html), then exits;
 * - supervisord sends each program its stopsignal (default TERM) and SIGKILLs it after stopwaitsecs;
 * - runit's runsvdir (Debian runit) exits 0 at once on SIGTERM and signals nothing: its services die with the
 *   namespace, their stop never runs (runsvdir(8));
 * - runit's `sv stop` returns once the service is down (it waits, up to 7 s), `sv down` at once (sv(8)): a trap that
 *   runs `sv stop` waits for the services it stops.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import { cleanupInits, startAsInit, type InitRun } from './helpers/as-init.js';
import { tempDir, waitFor } from './helpers/exec.js';
import { svcBinary } from './helpers/rootfs.js';
import { within } from './helpers/within.js';

after(cleanupInits);

const DIR = tempDir('pid1-supervisors-');
fs.chmodSync(DIR, 0o755);
const have = (bin: string): boolean => ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].some((d) => fs.existsSync(path.join(d, bin)));

function write(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode });
}
const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

/** SIGTERM the namespace init from the host and wait for it to end; its exit tells whether it was SIGKILLed. */
async function stop(run: InitRun): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  process.kill(run.pid, 'SIGTERM');
  const end = await within(run.exited, 30_000);
  if (!end) throw new Error('the supervisor did not end within 30 s of SIGTERM');
  return end;
}

describe('s6-svscan as PID 1 (Debian s6)', { skip: have('s6-svscan') ? false : 'install the s6 package (scripts/install-deps.sh)' }, () => {
  test('each service gets its down-signal, SIGTERM without one; s6-svscan waits for them and exits', async () => {
    const svc = svcBinary();
    const dir = path.join(DIR, 's6');
    const scan = path.join(dir, 'scan');
    // `fast` has SIGQUIT as its graceful stop, like nginx, and gets s6's default SIGTERM; `slow` gets SIGQUIT from its down-signal.
    for (const name of ['fast', 'slow']) write(path.join(scan, name, 'run'), `#!/bin/sh\nexec ${svc} --graceful QUIT --drain-ms 300 --name ${name} >>${dir}/${name}.log 2>&1\n`, 0o755);
    write(path.join(scan, 'slow', 'down-signal'), 'SIGQUIT\n');
    const run = await startAsInit(['s6-svscan', scan], { stdin: 'ignore' });
    await waitFor('both services ready', () => (/ready/.test(read(`${dir}/fast.log`)) && /ready/.test(read(`${dir}/slow.log`)) ? true : undefined), 15_000);
    const end = await stop(run);
    assert.equal(end.signal, null, 's6-svscan exits by itself, not by SIGKILL');
    // svc has no SIGTERM handler: the default action ends it at once, with no drain (nginx's fast stop is the same for its clients).
    assert.doesNotMatch(read(`${dir}/fast.log`), /got|graceful exit/);
    assert.match(read(`${dir}/slow.log`), /got Quit, draining[\s\S]*graceful exit/);
  });
});

describe('supervisord as PID 1', { skip: have('supervisord') ? false : 'install the supervisor package (scripts/install-deps.sh)' }, () => {
  test('each program gets its stopsignal (default TERM); one that ignores it is SIGKILLed after stopwaitsecs', async () => {
    const svc = svcBinary();
    const dir = path.join(DIR, 'supervisord');
    const conf = path.join(dir, 'supervisord.conf');
    const program = (name: string, args: string, extra = ''): string => `[program:${name}]\ncommand=${svc} ${args} --name ${name}\nstdout_logfile=${dir}/${name}.log\nstartsecs=0\n${extra}`;
    write(
      conf,
      `[supervisord]\nnodaemon=true\nlogfile=${dir}/supervisord.log\npidfile=${dir}/supervisord.pid\n\n` +
        `${program('fast', '--graceful QUIT --drain-ms 300')}\n${program('slow', '--graceful QUIT --drain-ms 300', 'stopsignal=QUIT\n')}\n` +
        `${program('stubborn', '--graceful HUP --ignore TERM', 'stopwaitsecs=1\n')}`,
    );
    const run = await startAsInit(['supervisord', '-c', conf], { stdin: 'ignore' });
    await waitFor('every program ready', () => (['fast', 'slow', 'stubborn'].every((n) => /ready/.test(read(`${dir}/${n}.log`))) ? true : undefined), 15_000);
    const end = await stop(run);
    assert.equal(end.signal, null, 'supervisord exits by itself, not by SIGKILL');
    const log = read(`${dir}/supervisord.log`);
    assert.match(log, /stopped: fast \(terminated by SIGTERM\)/);
    assert.match(read(`${dir}/slow.log`), /got Quit, draining[\s\S]*graceful exit/);
    assert.match(log, /stopped: slow \(exit status 0\)/);
    assert.match(log, /killing 'stubborn' \(\d+\) with SIGKILL/);
  });

  test("stopasgroup=true: the service gets the signal too, but the shell's death ends the program and a long stop is cut", async () => {
    const svc = svcBinary();
    const dir = path.join(DIR, 'supervisord-group');
    const conf = path.join(dir, 'supervisord.conf');
    // dash -c with two commands forks svc (dash never execs the last command): without stopasgroup only dash gets TERM
    const program = (name: string, extra: string): string =>
      `[program:${name}]\ncommand=dash -c "echo start; ${svc} --graceful TERM --drain-ms 5000 --name ${name}"\nstdout_logfile=${dir}/${name}.log\nstartsecs=0\nstopwaitsecs=10\n${extra}`;
    write(conf, `[supervisord]\nnodaemon=true\nlogfile=${dir}/supervisord.log\npidfile=${dir}/supervisord.pid\n\n${program('grouped', 'stopasgroup=true\n')}\n${program('alone', '')}`);
    const run = await startAsInit(['supervisord', '-c', conf], { stdin: 'ignore' });
    await waitFor('both programs ready', () => (['grouped', 'alone'].every((n) => /ready/.test(read(`${dir}/${n}.log`))) ? true : undefined), 15_000);
    const end = await stop(run);
    assert.equal(end.signal, null);
    // the group got TERM: svc began its 5 s drain, but dash died at once, supervisord exited (within about a second), and
    // svc died with the namespace (a drain shorter than supervisord's exit can finish: the model leaves it open)
    assert.match(read(`${dir}/grouped.log`), /got Terminated, draining/, 'the group got TERM');
    assert.doesNotMatch(read(`${dir}/grouped.log`), /graceful exit/, 'the drain was cut');
    assert.doesNotMatch(read(`${dir}/alone.log`), /got|graceful exit/, 'only dash got TERM: svc never did');
  });

  test('real nginx: its fast stop on the default stopsignal, its graceful stop with stopsignal=QUIT', { skip: have('nginx') ? false : 'install nginx-light' }, async () => {
    for (const [name, extra, expected] of [
      ['default', '', /signal 15 \(SIGTERM\) received from \d+, exiting/],
      ['quit', 'stopsignal=QUIT\n', /signal 3 \(SIGQUIT\) received from \d+, shutting down[\s\S]*gracefully shutting down/],
    ] as const) {
      const dir = path.join(DIR, `nginx-${name}`);
      const port = 20000 + (process.pid % 20000) + (name === 'quit' ? 1 : 0);
      write(
        path.join(dir, 'nginx.conf'),
        `daemon off;\nmaster_process on;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log notice;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;\n  server { listen 127.0.0.1:${port}; location / { return 200 "ok\\n"; } }\n}\n`,
      );
      write(
        path.join(dir, 'supervisord.conf'),
        `[supervisord]\nnodaemon=true\nlogfile=${dir}/supervisord.log\npidfile=${dir}/supervisord.pid\n\n[program:nginx]\ncommand=nginx -c ${dir}/nginx.conf\nstartsecs=0\n${extra}`,
      );
      const run = await startAsInit(['supervisord', '-c', path.join(dir, 'supervisord.conf')], { stdin: 'ignore' });
      await waitFor('nginx started', () => (/start worker process/.test(read(`${dir}/error.log`)) ? true : undefined), 15_000);
      const end = await stop(run);
      assert.equal(end.signal, null);
      assert.match(read(`${dir}/error.log`), expected, `${name}: ${read(`${dir}/error.log`).slice(-600)}`);
    }
  });
});

describe("runit's runsvdir as PID 1 (Debian runit)", { skip: have('runsvdir') ? false : 'install the runit package (scripts/install-deps.sh)' }, () => {
  test('SIGTERM: runsvdir exits 0 at once; the service never gets a signal and dies with the namespace', async () => {
    const svc = svcBinary();
    const dir = path.join(DIR, 'runit');
    const services = path.join(dir, 'service');
    // the service would drain for 300 ms on TERM and say so
    write(path.join(services, 'app', 'run'), `#!/bin/sh\nexec ${svc} --graceful TERM --drain-ms 300 --name app >>${dir}/app.log 2>&1\n`, 0o755);
    const run = await startAsInit(['runsvdir', '-P', services], { stdin: 'ignore' });
    await waitFor('the service ready', () => (/ready/.test(read(`${dir}/app.log`)) ? true : undefined), 15_000);
    const end = await stop(run);
    assert.deepEqual(end, { code: 0, signal: null }, 'runsvdir exits 0 by itself');
    assert.doesNotMatch(read(`${dir}/app.log`), /got|graceful exit/, 'the service was never signalled: the kernel killed it with the namespace');
    // and the model: runsvdir's TERM is its abrupt end, whatever it supervises
    const p = predictStop(chainFromArgv(['runsvdir', '-P', services], { sh: 'dash', signal: 'SIGTERM' }), 'SIGTERM');
    assert.equal(p.outcome, 'abrupt');
    assert.equal(p.certain, true);
  });
});

describe("runit's sv: `stop` waits for the service to be down, `down` does not (the trap model's premise, sv(8))", {
  skip: have('runsvdir') && have('sv') ? false : 'install the runit package (scripts/install-deps.sh)',
}, () => {
  test('sv stop returns after the service drained and exited; sv down returns while it still drains', async () => {
    const svc = svcBinary();
    const dir = path.join(DIR, 'runit-sv');
    const services = path.join(dir, 'service');
    const log = `${dir}/app.log`;
    write(path.join(services, 'app', 'run'), `#!/bin/sh\nexec ${svc} --graceful TERM --drain-ms 1500 --name app >>${log} 2>&1\n`, 0o755);
    const run = await startAsInit(['runsvdir', '-P', services], { stdin: 'ignore' });
    // what sv prints (`ok: down: ...`, `timeout: ...`) goes into a failure's message
    const sv = async (...args: string[]): Promise<string> =>
      new Promise<string>((resolve, reject) => {
        const p = spawn('sv', args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        p.on('error', reject);
        p.on('close', () => resolve(out.trim()));
      });
    const exits = (): number => (read(log).match(/graceful exit/g) ?? []).length;
    try {
      await waitFor('the service ready', () => (/ready/.test(read(log)) ? true : undefined), 15_000);
      await sv('down', path.join(services, 'app'));
      assert.equal(exits(), 0, 'sv down returned while the service was still draining');
      await waitFor('the drain to end', () => (exits() === 1 ? true : undefined), 15_000);
      await sv('up', path.join(services, 'app'));
      await waitFor('the service ready again', () => ((read(log).match(/ready/g) ?? []).length === 2 ? true : undefined), 15_000);
      // sv stop waits (sv -w, 7 s by default) for runsv to report the service down: it returns after the 1.5 s drain
      const t0 = Date.now();
      const said = await sv('stop', path.join(services, 'app'));
      const took = Date.now() - t0;
      assert.ok(took >= 1200, `sv stop returned only once the service had drained and exited (took ${took} ms; sv said "${said}")`);
      await waitFor('the second graceful exit', () => (exits() === 2 ? true : undefined), 5000);
    } finally {
      await stop(run);
    }
  });
});

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
import { loadAllGrammars } from '../src/sources/grammars.js';
import { programSourceReader } from '../src/sources/program-reader.js';
import { cleanupInits, startAsInit } from './helpers/as-init.js';
import { programPath, tempDir, waitFor } from './helpers/exec.js';
import { within } from './helpers/within.js';

after(cleanupInits);

const DIR = tempDir('pid1-group-trap-');

/**
 * A Python service that logs `ready`, and on `signal` takes a second to drain, logs `drained` and exits 0; with the
 * reader the model uses for `script` and the service.
 */
function drainingService(name: string, signal: 'SIGTERM' | 'SIGQUIT', script: string): { log: string; svc: string; read: (p: string) => string | undefined } {
  const log = path.join(DIR, `${name}.log`);
  const svc = path.join(DIR, `${name}_svc.py`);
  const svcText = `import signal, sys, time\ndef stop(*_):\n    time.sleep(1)\n    open(${JSON.stringify(log)}, "a").write("drained\\n")\n    sys.exit(0)\nsignal.signal(signal.${signal}, stop)\nopen(${JSON.stringify(log)}, "a").write("ready\\n")\nwhile True:\n    time.sleep(1)\n`;
  fs.writeFileSync(svc, svcText);
  return { log, svc, read: (p) => (p === script ? fs.readFileSync(script, 'utf8') : p === svc ? svcText : undefined) };
}

/** Start `argv` as PID 1 of a fresh PID namespace, send `signal` once the service is ready: it must exit 0 in time, the trap after the drain. */
async function drainsThenTraps(argv: string[], signal: 'SIGTERM' | 'SIGQUIT', log: string, because: string): Promise<void> {
  const run = await startAsInit(argv, { stdin: 'ignore' });
  await waitFor('the service ready', () => (fs.existsSync(log) && /ready/.test(fs.readFileSync(log, 'utf8')) ? true : undefined), 15_000);
  process.kill(run.pid, signal);
  const end = await within(run.exited, 10_000);
  assert.deepEqual(end, { code: 0, signal: null }, because);
  assert.match(fs.readFileSync(log, 'utf8'), /ready\ndrained\ntrapped\n$/);
}

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

describe('dumb-init in front of a keep-alive loop whose trap runs at once', { skip: programPath('dumb-init') ? false : 'install dumb-init (scripts/install-deps.sh)' }, () => {
  before(loadShellParser);
  const run = async (name: string, trap: string): Promise<{ log: string; end: { code: number | null; signal: NodeJS.Signals | null } | undefined; outcome: string }> => {
    const log = path.join(DIR, `${name}.log`);
    const script = path.join(DIR, `${name}.sh`);
    fs.writeFileSync(script, `#!/bin/bash\ntrap '${trap.replaceAll('LOG', log)}' TERM\necho ready >> ${log}\nwhile true; do sleep 9999; done\n`, { mode: 0o755 });
    const argv = ['dumb-init', script];
    const chain = chainFromArgv(argv, { sh: 'dash', signal: 'SIGTERM', readScript: (p) => (p === script ? fs.readFileSync(script, 'utf8') : undefined) });
    const p = predictStop(chain, 'SIGTERM');
    const init = await startAsInit(argv, { stdin: 'ignore' });
    await waitFor('the script ready', () => (fs.existsSync(log) && /ready/.test(fs.readFileSync(log, 'utf8')) ? true : undefined), 15_000);
    process.kill(init.pid, 'SIGTERM');
    const end = await within(init.exited, 3_000).catch(() => undefined);
    if (!end) {
      process.kill(init.pid, 'SIGKILL');
      await init.exited;
    }
    return { log: fs.readFileSync(log, 'utf8'), end, outcome: p.outcome };
  };
  it('a trap that exits: the loop sleep dies of the group signal, the trap ends the script, dumb-init exits 0 (graceful)', async () => {
    const r = await run('loop-exit', 'echo trapped >> LOG; exit 0');
    assert.equal(r.outcome, 'graceful');
    assert.deepEqual(r.end, { code: 0, signal: null });
    assert.match(r.log, /ready\ntrapped\n$/);
  });
  it('a trap that does not end the loop: it runs, the loop sleeps again, and only a SIGKILL ends it (killed)', async () => {
    const r = await run('loop-stays', 'echo trapped >> LOG');
    assert.equal(r.outcome, 'killed');
    assert.equal(r.end, undefined, 'still running 3 s after SIGTERM');
    assert.match(r.log, /ready\ntrapped\n$/);
  });
});

describe('bash job control as PID 1: `set -m; svc & ...; fg 1` (real bash, a fresh PID namespace)', () => {
  before(loadShellParser);
  it('the job is back in the foreground: bash waits for it, drops SIGTERM, and only a SIGKILL ends it (killed)', async () => {
    const log = path.join(DIR, 'fg.log');
    const script = path.join(DIR, 'fg.sh');
    fs.writeFileSync(script, `#!/bin/bash\nset -m\nsleep 300 &\necho ready >> ${log}\nfg 1\necho after >> ${log}\n`, { mode: 0o755 });
    const chain = chainFromArgv([script], { sh: 'dash', signal: 'SIGTERM', readScript: (p) => (p === script ? fs.readFileSync(script, 'utf8') : undefined) });
    const p = predictStop(chain, 'SIGTERM');
    assert.deepEqual([p.outcome, p.certain, chain.processes.map((x) => x.name)], ['killed', true, ['bash', 'sleep']], p.path.join('\n'));
    const init = await startAsInit([script], { stdin: 'ignore' });
    await waitFor('the script ready', () => (fs.existsSync(log) && /ready/.test(fs.readFileSync(log, 'utf8')) ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(init.pid, 'SIGTERM');
    const end = await within(init.exited, 3_000).catch(() => undefined);
    assert.equal(end, undefined, 'bash is still in `fg` 3 s after SIGTERM');
    process.kill(init.pid, 'SIGKILL');
    await init.exited;
    assert.equal(fs.readFileSync(log, 'utf8'), 'ready\n');
  });
});

describe('dumb-init in front of a script whose QUIT trap waits behind its foreground service', { skip: programPath('dumb-init') ? false : 'install dumb-init (scripts/install-deps.sh)' }, () => {
  before(loadShellParser);
  before(loadAllGrammars);
  // avenga's gitlab-runner wrapper: `trap '_unregister' SIGQUIT` then `gitlab-runner "$@"` in the foreground, under dumb-init,
  // with the base image's STOPSIGNAL SIGQUIT: the group's QUIT reaches the runner, whose stop finishes before bash's trap
  it('the group gets SIGQUIT: the service drains, then the trap runs and bash exits, dumb-init exits 0 (graceful)', async () => {
    const script = path.join(DIR, 'quit.sh');
    const { log, svc, read } = drainingService('quit', 'SIGQUIT', script);
    fs.writeFileSync(script, `#!/bin/bash\ntrap 'echo trapped >> ${log}' SIGQUIT\npython3 ${svc}\n`, { mode: 0o755 });
    const argv = ['dumb-init', script];
    const chain = chainFromArgv(argv, { sh: 'dash', signal: 'SIGQUIT', readScript: read, programSource: programSourceReader(read, DIR, 'SIGQUIT') });
    const p = predictStop(chain, 'SIGQUIT');
    assert.deepEqual([p.outcome, p.certain], ['graceful', true], p.path.join('\n'));
    await drainsThenTraps(argv, 'SIGQUIT', log, 'dumb-init exits 0 with its child, before any SIGKILL');
  });
});

describe('tini in front of a bash loop with no trap (netbox-docker housekeeping.sh)', { skip: programPath('tini') ? false : 'install tini (scripts/install-deps.sh)' }, () => {
  before(loadShellParser);
  const chainOf = (script: string): ReturnType<typeof predictStop> => {
    const chain = chainFromArgv(['tini', '--', script], { sh: 'dash', signal: 'SIGTERM', readScript: (p) => (p === script ? fs.readFileSync(script, 'utf8') : undefined) });
    return predictStop(chain, 'SIGTERM');
  };
  it('a periodic job (work, then `sleep "${INTERVAL}s"`): tini passes SIGTERM to bash, which is not PID 1 and dies of it at once; tini exits (graceful)', async () => {
    const log = path.join(DIR, 'periodic.log');
    const script = path.join(DIR, 'periodic.sh');
    fs.writeFileSync(script, `#!/bin/bash\nINTERVAL=\${INTERVAL:=86400}\nwhile true; do\n  date >> ${log}\n  sleep "\${INTERVAL}s"\ndone\n`, { mode: 0o755 });
    const p = chainOf(script);
    assert.deepEqual([p.outcome, p.certain], ['graceful', true], p.path.join('\n'));
    const init = await startAsInit(['tini', '--', script], { stdin: 'ignore', comm: 'tini' });
    await waitFor('the first pass', () => (fs.existsSync(log) && fs.readFileSync(log, 'utf8').length > 0 ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(init.pid, 'SIGTERM');
    // tini exits with 128 + the signal that ended its child (tini.c: reap_zombies)
    assert.deepEqual(await within(init.exited, 5_000), { code: 143, signal: null }, 'tini exits with bash at once, long before any grace period ends');
  });
  it('a config watcher (`inotifywait -e modify` then a reload signal): one event per pass, then tini passes SIGTERM and bash ends at once (graceful)', {
    skip: programPath('inotifywait') ? false : 'install inotify-tools (scripts/install-deps.sh)',
  }, async () => {
    const log = path.join(DIR, 'watch.log');
    const conf = path.join(DIR, 'watched.conf');
    fs.writeFileSync(conf, 'a\n');
    const script = path.join(DIR, 'watch.sh');
    fs.writeFileSync(script, `#!/bin/bash\necho ready >> ${log}\nwhile true; do\n  inotifywait -q -e modify ${conf}\n  echo reload >> ${log}\ndone\n`, { mode: 0o755 });
    const p = chainOf(script);
    assert.deepEqual([p.outcome, p.certain], ['graceful', true], p.path.join('\n'));
    const init = await startAsInit(['tini', '--', script], { stdin: 'ignore', comm: 'tini' });
    const lines = (): string[] => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
    await waitFor('the watcher ready', () => (lines().length > 0 ? true : undefined), 15_000);
    // inotifywait(1) without -m exits after one event: each change is one pass of the loop
    for (let i = 1; i <= 2; i++) {
      await new Promise((r) => setTimeout(r, 300));
      fs.appendFileSync(conf, `${i}\n`);
      await waitFor(`reload ${i}`, () => (lines().length > i ? true : undefined), 5_000);
    }
    process.kill(init.pid, 'SIGTERM');
    assert.deepEqual(await within(init.exited, 5_000), { code: 143, signal: null }, 'tini exits with bash at once');
  });
  it('a restart loop (`svc; sleep 5`) is not a periodic job: the service in it is SIGKILLed when tini exits (abrupt)', () => {
    const script = path.join(DIR, 'restart.sh');
    fs.writeFileSync(script, '#!/bin/bash\nwhile true; do\n  python3 /app/server.py\n  sleep 5\ndone\n', { mode: 0o755 });
    assert.equal(chainOf(script).outcome, 'abrupt');
  });
});

describe('a trap that stops the service and polls /proc until it is gone (gbolo powerdns shape)', { skip: programPath('dumb-init') ? false : 'install dumb-init (scripts/install-deps.sh)' }, () => {
  before(loadShellParser);
  before(loadAllGrammars);
  it('dumb-init --single-child -- busybox sh: the trap signals the service, waits in its /proc loop while it drains, exits 0 (graceful)', async () => {
    const script = path.join(DIR, 'poll.sh');
    const { log, svc, read } = drainingService('poll', 'SIGTERM', script);
    fs.writeFileSync(
      script,
      `#!/bin/sh\npython3 ${svc} &\npid=$!\ngone() {\n  while [ -d /proc/\${1} ]; do\n    sleep 0.2\n  done\n}\nshutdown() {\n  kill -TERM $pid\n  gone $pid\n  echo trapped >> ${log}\n  exit 0\n}\ntrap shutdown SIGINT SIGTERM\nwait\n`,
      { mode: 0o755 },
    );
    const argv = ['dumb-init', '--single-child', '--', 'busybox', 'sh', script];
    const chain = chainFromArgv(argv, { sh: 'ash', signal: 'SIGTERM', readScript: read, programSource: programSourceReader(read, DIR, 'SIGTERM') });
    const p = predictStop(chain, 'SIGTERM');
    assert.deepEqual([p.outcome, p.certain], ['graceful', true], p.path.join('\n'));
    await drainsThenTraps(argv, 'SIGTERM', log, 'dumb-init exits 0 with the script, before any SIGKILL');
  });
});

describe('tini given an option it does not know', { skip: programPath('tini') ? false : 'install tini (scripts/install-deps.sh)' }, () => {
  // chatwork's ubuntu-cron: CMD ["tini", "---", "/bin/bash"]: `---` is the option letter `-` to tini's getopt
  for (const argv of [
    ['tini', '---', 'sleep', '30'],
    ['tini', '-x', 'sleep', '30'],
    ['tini', '-h', 'sleep', '30'],
  ]) {
    it(`${argv.join(' ')}: prints its usage or help and exits at once as PID 1, sleep never starts; the model has nothing to stop`, async () => {
      assert.deepEqual(chainFromArgv(argv, { sh: 'dash', signal: 'SIGTERM' }).processes, []);
      const run = await startAsInit(argv, { stdin: 'ignore', comm: 'tini' }).catch((e: Error) => e);
      const out = run instanceof Error ? run.message : (await within(run.exited, 5000)) ? run.output() : 'still running';
      assert.match(out, /usage/i);
    });
  }
  it('tini -sg -p SIGKILL -- sleep 30: known options, sleep runs under tini', () => {
    assert.deepEqual(
      chainFromArgv(['tini', '-sg', '-p', 'SIGKILL', '--', 'sleep', '30'], { sh: 'dash', signal: 'SIGTERM' }).processes.map((p) => p.name),
      ['tini', 'sleep'],
    );
  });
});

describe('an init given no program', () => {
  // devome's images: `ENTRYPOINT ["dumb-init", "--"]` and no CMD; the model says nothing runs
  for (const argv of [['dumb-init', '--'], ['tini', '--'], ['catatonit']]) {
    it(`${argv.join(' ')}: prints its usage and exits 1 at once as PID 1; the model has nothing to stop`, {
      skip: programPath(argv[0] as string) ? false : `install ${argv[0]} (scripts/install-deps.sh)`,
    }, async () => {
      assert.deepEqual(chainFromArgv(argv, { sh: 'dash', signal: 'SIGTERM' }).processes, []);
      const run = await startAsInit(argv, { stdin: 'ignore', comm: argv[0] as string }).catch((e: Error) => e);
      // (it may be gone before its start is seen: then the error carries its output)
      const out = run instanceof Error ? run.message : (await within(run.exited, 5000)) ? run.output() : 'still running';
      assert.match(out, /usage/i);
    });
  }
});

/**
 * Three launch shapes the model judges by what the shell does, each run with the real dash, bash and busybox
 * ash as PID 1 of a fresh PID namespace, the stop sent from outside, and the model asked the same question:
 * - a listing (`find DIR -maxdepth N | xargs -n1 basename | sort`) ends by itself with stdin open: no stop to
 *   lose; nor does an encoder's pipeline (`echo $RANDOM | base64 | head -c 20`); `tail -f | grep` does not end;
 * - `${exec_cmd} "$@"` with exec_cmd="exec ...": the service replaces the shell and gets SIGTERM itself;
 * - a TERM trap that runs the daemon's own stop while the shell waits behind `tail -f &`: the daemon drains
 *   and the namespace ends by itself; a trap that only prints leaves it to the kernel's SIGKILL;
 * - an init phase's temporary server that the script ends itself (`kill -s TERM "$pid"; wait "$pid"`) before it execs the
 *   service: the exec'd service is PID 1 and gets SIGTERM;
 * - a config step every server path goes past before its exec: the `help` path that ends after it exits at once.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import type { ShellFamily } from '../src/model/programs.js';
import { loadShellParser } from '../src/model/shell.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';
import { cleanupNamespaces, startNamespace } from './helpers/ns.js';

const SHELLS: { family: ShellFamily; argv: string[] }[] = [
  { family: 'dash', argv: ['dash'] },
  { family: 'bash', argv: ['bash'] },
  { family: 'ash', argv: ['busybox', 'sh'] },
];

/** Whether the namespace's init ended by itself within `ms`. */
async function endsWithin(exited: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
}

before(async () => {
  await loadShellParser();
});
after(cleanupNamespaces);

describe('a listing as PID 1 ends by itself (stdin open)', () => {
  const dir = tempDir('pid1-listing-');
  for (const f of ['b-tool.sh', 'a-tool.py', 'README']) fs.writeFileSync(path.join(dir, f), '');
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.writeFileSync(path.join(dir, 'lib', 'c-tool.sh'), '');
  const listing = `find ${dir} -maxdepth 2 -type f -name '*.sh' -o -name '*.py' | grep -v README | xargs -n1 basename | sort`;
  for (const sh of SHELLS) {
    it(`${sh.family} -c "${listing.replace(dir, 'DIR')}"`, async () => {
      // It may end before startNamespace() could see it run: spawn unshare and wait for its end.
      const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', ...sh.argv, '-c', listing], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      unshare.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => unshare.once('exit', (code) => r(code)));
      try {
        assert.ok(await endsWithin(exited, 10_000), 'the listing did not end by itself');
        assert.equal(await exited, 0);
        assert.equal(out, 'a-tool.py\nb-tool.sh\nc-tool.sh\n');
      } finally {
        unshare.kill('SIGKILL'); // --kill-child: its namespace goes with it
        await exited;
      }
      assert.deepEqual(chainFromArgv([...sh.argv, '-c', listing], { sh: sh.family }).processes, [], 'the model: nothing left to stop');
    });
    // A Job's `sh -c "echo $RANDOM | base64 | head -c 20"`: an encoder reads the pipe and ends with it.
    it(`${sh.family} -c "echo $RANDOM | base64 | head -c 20" ends by itself`, async () => {
      const pipeline = 'echo $RANDOM | base64 | sha256sum | head -c 20';
      const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', ...sh.argv, '-c', pipeline], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      unshare.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => unshare.once('exit', (code) => r(code)));
      try {
        assert.ok(await endsWithin(exited, 10_000), 'the pipeline did not end by itself');
        assert.equal(out.length, 20);
      } finally {
        unshare.kill('SIGKILL');
        await exited;
      }
      assert.deepEqual(chainFromArgv([...sh.argv, '-c', pipeline], { sh: sh.family }).processes, [], 'the model: nothing left to stop');
      // With no operand and no pipe, an encoder reads the container's input, which may stay open: kept.
      assert.notDeepEqual(chainFromArgv([...sh.argv, '-c', 'base64 | head -c 20'], { sh: sh.family }).processes, []);
    });
    it(`${sh.family} -c "tail -f FILE | grep x" does not end: the model keeps it`, async () => {
      const follow = `tail -f ${path.join(dir, 'README')} | grep x`;
      const ns = await startNamespace([...sh.argv, '-c', follow], { stdin: 'pipe' });
      try {
        assert.equal(await endsWithin(ns.exited, 1500), false, 'tail -f ended');
      } finally {
        await ns.destroy();
      }
      assert.equal(predictStop(chainFromArgv([...sh.argv, '-c', follow], { sh: sh.family })).outcome, 'killed');
    });
  }
});

const SERVICE = `import signal, sys, time
def stop(*_):
    print("term", flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
time.sleep(60)
`;

describe('exec kept in a variable: the service is PID 1', () => {
  const dir = tempDir('pid1-execvar-');
  fs.writeFileSync(path.join(dir, 'svc.py'), SERVICE);
  // the neo4j entrypoint's shape (exec gosu as root; env stands in for gosu here)
  const script = '#!/bin/sh\nif [ "$(id -u)" = 0 ]; then\n  exec_cmd="exec env"\nelse\n  exec_cmd="exec"\nfi\n${exec_cmd} "$@"\n';
  fs.writeFileSync(path.join(dir, 'entrypoint.sh'), script);
  for (const sh of SHELLS) {
    it(`${sh.family}: \${exec_cmd} "$@" execs python3, which gets SIGTERM`, async () => {
      const argv = [...sh.argv, path.join(dir, 'entrypoint.sh'), 'python3', path.join(dir, 'svc.py')];
      const ns = await startNamespace(argv, { readyLine: /ready/ });
      try {
        assert.equal(fs.readFileSync(`/proc/${ns.initPid}/comm`, 'utf8').trim(), 'python3', 'PID 1 is the service');
        process.kill(ns.initPid, 'SIGTERM');
        assert.ok(await endsWithin(ns.exited, 5000), 'SIGTERM did not end the service');
        assert.match(ns.output(), /term/);
        assert.equal((await ns.exited).code, 0);
      } finally {
        await ns.destroy();
      }
      const chain = chainFromArgv(argv, { sh: sh.family, readScript: (p) => (p === path.join(dir, 'entrypoint.sh') ? script : undefined) });
      assert.deepEqual(
        chain.processes.map((p) => p.name),
        ['python3'],
        'the model: the shell replaced itself',
      );
    });
  }
});

describe("a trap set in a sourced file does not outlive `exec`: the exec'd service gets SIGTERM itself", () => {
  const dir = tempDir('pid1-sourced-trap-');
  // the sourced file sets a TERM trap (kartoza/docker-postgis' setup-database.sh does), then the script execs the service
  fs.writeFileSync(path.join(dir, 'setup.sh'), 'trap "echo trapped" TERM\n');
  fs.writeFileSync(
    path.join(dir, 'svc.py'),
    'import signal, sys\ndef term(*_):\n    print("term", flush=True)\n    sys.exit(0)\nsignal.signal(signal.SIGTERM, term)\nprint("ready", flush=True)\nsignal.pause()\n',
  );
  const script = `#!/bin/sh\n. ${dir}/setup.sh\necho starting\nexec python3 ${dir}/svc.py\n`;
  fs.writeFileSync(path.join(dir, 'entrypoint.sh'), script, { mode: 0o755 });
  for (const sh of SHELLS) {
    it(`${sh.family}: execve resets the trap; the model is certain`, async () => {
      const argv = [...sh.argv, path.join(dir, 'entrypoint.sh')];
      const ns = await startNamespace(argv, { readyLine: /ready/ });
      try {
        process.kill(ns.initPid, 'SIGTERM');
        assert.ok(await endsWithin(ns.exited, 5000), 'SIGTERM did not end the service');
        assert.match(ns.output(), /term/);
        assert.doesNotMatch(ns.output(), /trapped/);
      } finally {
        await ns.destroy();
      }
      const files: Record<string, string> = { [path.join(dir, 'entrypoint.sh')]: script, [path.join(dir, 'setup.sh')]: 'trap "echo trapped" TERM\n' };
      const chain = chainFromArgv(argv, { sh: sh.family, readScript: (p) => files[p] });
      assert.deepEqual(
        chain.processes.map((x) => x.name),
        ['python3'],
      );
      assert.equal(chain.opaque, undefined, 'a trap in a sourced file cannot matter when every path execs');
    });
  }
});

describe('a default a sourced file gives (`[ -z "$X" ]` then X=true) decides bash\'s `[[ $X =~ ERE ]]`', () => {
  const dir = tempDir('pid1-sourced-default-');
  const env = `if [ -z "\${RUN_AS_ROOT}" ]; then\n  RUN_AS_ROOT=true\nfi\n`;
  fs.writeFileSync(path.join(dir, 'env-data.sh'), env);
  const script = `#!/bin/bash\nsource ${dir}/env-data.sh\nif [[ \${RUN_AS_ROOT} =~ [Tt][Rr][Uu][Ee] ]]; then\n  exec sleep 300\nelse\n  exec tail -f /dev/null\nfi\n`;
  fs.writeFileSync(path.join(dir, 'entrypoint.sh'), script, { mode: 0o755 });
  for (const [what, value, comm] of [
    ['unset: the default (true) takes the then branch', undefined, 'sleep'],
    ['set to false: the else branch', 'false', 'tail'],
  ] as const) {
    it(`bash: ${what}; the model takes the same branch`, async () => {
      const argv = ['bash', path.join(dir, 'entrypoint.sh')];
      const ns = await startNamespace(argv, { env: value === undefined ? {} : { RUN_AS_ROOT: value } });
      try {
        await waitFor('PID 1 to exec', () => (fs.readFileSync(`/proc/${ns.initPid}/comm`, 'utf8').trim() === comm ? true : undefined), 5000);
      } finally {
        await ns.destroy();
      }
      const files: Record<string, string> = { [path.join(dir, 'entrypoint.sh')]: script, [path.join(dir, 'env-data.sh')]: env };
      const chain = chainFromArgv(argv, { sh: 'dash', envComplete: true, env: value === undefined ? {} : { RUN_AS_ROOT: value }, readScript: (p) => files[p] });
      assert.equal(chain.opaque, undefined, JSON.stringify(chain.opaque));
      assert.deepEqual(
        chain.processes.map((x) => x.name),
        [comm],
      );
    });
  }
});

describe("a TERM trap that runs the daemon's own stop while the shell waits behind tail -f", () => {
  const dir = tempDir('pid1-trapstop-');
  const log = path.join(dir, 'appd.log');
  // A daemon that drains for a second on SIGTERM, and a control script whose stop waits for the drain.
  fs.writeFileSync(
    path.join(dir, 'appd.py'),
    `import signal, sys, time\ndef stop(*_):\n    time.sleep(1)\n    print("drained", flush=True)\n    sys.exit(0)\nsignal.signal(signal.SIGTERM, stop)\nprint("ready", flush=True)\nwhile True:\n    time.sleep(1)\n`,
  );
  const ctl = path.join(dir, 'appd.sh');
  fs.writeFileSync(
    ctl,
    `#!/bin/sh\ncase "$1" in\n  start) python3 ${dir}/appd.py >>${log} 2>&1 </dev/null &\n    echo $! >${dir}/appd.pid ;;\n  stop) kill "$(cat ${dir}/appd.pid)"\n    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do grep -q drained ${log} && exit 0; sleep 0.25; done\n    exit 1 ;;\nesac\n`,
  );
  fs.chmodSync(ctl, 0o755);
  const entry = (trap: string): string => `#!/bin/sh\n${trap}\n${ctl} start\ntail -f /dev/null &\nwait || :\n`;
  const cases = [
    { what: "runs the daemon's stop", trap: `shutdown() {\n  ${ctl} stop || :\n  sleep 1\n}\ntrap shutdown TERM`, drained: true, outcome: 'graceful' },
    { what: 'only prints "stop"', trap: 'trap "echo stop" TERM', drained: false, outcome: 'abrupt' },
  ];
  for (const sh of SHELLS) {
    for (const c of cases) {
      it(`${sh.family}: a trap that ${c.what}`, async () => {
        fs.writeFileSync(log, '');
        const script = entry(c.trap);
        const file = path.join(dir, 'entrypoint.sh');
        fs.writeFileSync(file, script);
        const ns = await startNamespace([...sh.argv, file]);
        try {
          await waitFor('the daemon to start', () => (fs.readFileSync(log, 'utf8').includes('ready') ? true : undefined));
          process.kill(ns.initPid, 'SIGTERM');
          assert.ok(await endsWithin(ns.exited, 8000), 'PID 1 did not end within the grace period');
          assert.equal(fs.readFileSync(log, 'utf8').includes('drained'), c.drained, 'the daemon drained');
        } finally {
          await ns.destroy();
        }
        const chain = chainFromArgv([...sh.argv, file], { sh: sh.family, readScript: (p) => (p === file ? script : undefined) });
        assert.equal(predictStop(chain).outcome, c.outcome);
      });
    }
  }
});

describe('a script without a shebang, run by a shell (execve fails with ENOEXEC: the shell interprets it)', () => {
  const dir = tempDir('pid1-noshebang-');
  fs.writeFileSync(path.join(dir, 'svc.py'), SERVICE);
  const cases = [
    { what: 'runs the service without exec', body: `echo start\npython3 ${dir}/svc.py\n` },
    { what: 'execs the service', body: `echo start\nexec python3 ${dir}/svc.py\n` },
  ];
  for (const sh of SHELLS) {
    for (const c of cases) {
      it(`${sh.family} -c ./run.sh, a script that ${c.what}`, async () => {
        const file = path.join(dir, `run-${sh.family}.sh`);
        fs.writeFileSync(file, c.body);
        fs.chmodSync(file, 0o755);
        const argv = [...sh.argv, '-c', file];
        const ns = await startNamespace(argv, { readyLine: /ready/ });
        let graceful: boolean;
        try {
          // bash reads the script itself (PID 1 stays bash), busybox runs `ash FILE`, dash forks and its child execs /bin/sh FILE
          const cmdline = fs.readFileSync(`/proc/${ns.initPid}/cmdline`, 'utf8').split('\0');
          const execd = c.body.includes('exec ') && sh.family !== 'dash';
          if (!execd) assert.ok(cmdline[0]?.endsWith(sh.family === 'ash' ? 'ash' : sh.family === 'bash' ? 'bash' : 'dash'), `PID 1: ${cmdline.join(' ')}`);
          process.kill(ns.initPid, 'SIGTERM');
          graceful = await endsWithin(ns.exited, 1500);
          assert.equal(graceful, execd, 'SIGTERM ended the service');
        } finally {
          await ns.destroy();
        }
        const chain = chainFromArgv(argv, { sh: sh.family, readScript: (p) => (p === file ? c.body : undefined) });
        // the model: the service replaced the shell (what CPython does then is svc.py's, which it is not given), or the shell drops the stop
        if (graceful)
          assert.deepEqual(
            chain.processes.map((p) => p.name),
            ['python3'],
          );
        else assert.equal(predictStop(chain).outcome, 'killed', 'the model agrees');
      });
    }
  }
});

describe('a trap that forwards, then a poll loop (kill -0) before the wait: the wait after the loop waits for the service', () => {
  const dir = tempDir('pid1-pollwait-');
  // A service that drains for a second on SIGTERM.
  fs.writeFileSync(
    path.join(dir, 'svc.py'),
    'import signal, sys, time\ndef stop(*_):\n    time.sleep(1)\n    print("drained", flush=True)\n    sys.exit(0)\nsignal.signal(signal.SIGTERM, stop)\nprint("ready", flush=True)\nwhile True:\n    time.sleep(1)\n',
  );
  const head = `#!/bin/sh\nrunning=1\nchild=""\non_term() {\n  running=0\n  [ -n "$child" ] && kill -TERM "$child"\n}\ntrap on_term TERM\npython3 ${dir}/svc.py &\nchild=$!\n`;
  const cases = [
    // opentelemetry-demo's load generator: the shell sleeps in the poll loop while the job runs
    { what: 'a poll loop, then wait', script: `${head}while [ "$running" -eq 1 ] && kill -0 "$child" 2>/dev/null; do\n  sleep 1\ndone\nwait "$child"\n`, drained: true, outcome: 'graceful' },
    { what: 'only the wait', script: `${head}wait "$child"\n`, drained: false, outcome: 'abrupt' },
  ];
  for (const sh of SHELLS) {
    for (const c of cases) {
      it(`${sh.family}: ${c.what}`, async () => {
        const file = path.join(dir, `entry-${sh.family}.sh`);
        fs.writeFileSync(file, c.script);
        const ns = await startNamespace([...sh.argv, file], { readyLine: /ready/ });
        try {
          await sleep(300); // into the loop's sleep (or the wait)
          process.kill(ns.initPid, 'SIGTERM');
          assert.ok(await endsWithin(ns.exited, 8000), 'PID 1 did not end within the grace period');
          assert.equal(/drained/.test(ns.output()), c.drained, 'the service drained');
        } finally {
          await ns.destroy();
        }
        // svc.py installs a SIGTERM handler: what the program reader would say of it
        const chain = chainFromArgv([...sh.argv, file], {
          sh: sh.family,
          readScript: (p) => (p === file ? c.script : undefined),
          programSource: () => ({ verdict: 'handles', reason: 'svc.py: signal.signal(signal.SIGTERM, stop)' }),
        });
        assert.equal(predictStop(chain).outcome, c.outcome);
      });
    }
  }
});

/**
 * A Python service named by its argument: once its SIGTERM handler is in place it creates NAME.ready beside itself
 * and prints `ready NAME`; it prints `term NAME` when SIGTERM ends it (status 0).
 */
const NAMED_SERVICE =
  'import os, signal, sys\nname = sys.argv[1]\ndef term(*_):\n    print("term " + name, flush=True)\n    sys.exit(0)\nsignal.signal(signal.SIGTERM, term)\nopen(os.path.join(os.path.dirname(__file__), name + ".ready"), "w").close()\nprint("ready " + name, flush=True)\nwhile True:\n    signal.pause()\n';

/** A fresh directory holding NAMED_SERVICE as svc.py. */
function withNamedService(prefix: string): { dir: string; svc: string } {
  const dir = tempDir(prefix);
  const svc = path.join(dir, 'svc.py');
  fs.writeFileSync(svc, NAMED_SERVICE);
  return { dir, svc };
}

describe('an init phase\'s temporary server: started in the background, stopped with `kill -s TERM "$pid"; wait "$pid"`, then the service exec\'d', () => {
  const { dir, svc } = withNamedService('pid1-temp-server-');
  // arangodb-docker's docker-entrypoint.sh: the temporary server serves the init step, the script ends it itself,
  // and a failed kill or wait gives up (`exit 1`): no path keeps the shell waiting for its job. The script waits for
  // the server's ready file (arangodb polls its port): a fixed sleep lost the race to Python's start-up on a loaded
  // machine, so the default action ended the server, `wait` said 143 and the script exited 1.
  const scriptFor = (family: string): string =>
    [
      '#!/bin/sh',
      `python3 ${svc} temp-${family} &`,
      'pid="$!"',
      `until [ -e ${dir}/temp-${family}.ready ]; do sleep 0.1; done`,
      'if ! kill -s TERM "$pid" || ! wait "$pid"; then',
      "    echo >&2 'init failed'",
      '    exit 1',
      'fi',
      `exec python3 ${svc} main`,
      '',
    ].join('\n');
  for (const sh of SHELLS) {
    it(`${sh.family}: the temporary server is ended by the script, the exec'd service gets SIGTERM; the model says so`, async () => {
      const script = scriptFor(sh.family);
      const entrypoint = path.join(dir, `entrypoint-${sh.family}.sh`);
      fs.writeFileSync(entrypoint, script, { mode: 0o755 });
      const argv = [...sh.argv, entrypoint];
      const ns = await startNamespace(argv, { readyLine: /ready main/ });
      try {
        assert.match(ns.output(), /term temp/, 'the script ends its temporary server before the exec');
        process.kill(ns.initPid, 'SIGTERM');
        assert.ok(await endsWithin(ns.exited, 5000), 'SIGTERM did not end the service');
        assert.match(ns.output(), /term main/);
      } finally {
        await ns.destroy();
      }
      const chain = chainFromArgv(argv, { sh: sh.family, readScript: (p) => (p === entrypoint ? script : undefined) });
      assert.deepEqual(
        chain.processes.map((x) => x.name),
        ['python3'],
      );
      assert.equal(chain.opaque, undefined, 'no path leaves the shell waiting for its job');
    });
  }
});

describe('a set-up step every server path passes before its exec: the `help` path that ends after it ends by itself', () => {
  const { dir, svc } = withNamedService('pid1-passed-setup-');
  // apache/flink-docker's entrypoint: a config step named by a variable runs on every path, the server paths exec
  // their server after it, and `help` (the image's CMD) prints its usage and exits 0
  const script = [
    '#!/bin/sh',
    'configure() { tool=python3; "$tool" -c \'print("configured")\'; }',
    'configure',
    'if [ "$1" = help ]; then',
    '    echo "usage: entrypoint (server|help)"',
    '    exit 0',
    'elif [ "$1" = server ]; then',
    `    exec python3 ${svc} main`,
    'fi',
    'exec "$@"',
    '',
  ].join('\n');
  const file = path.join(dir, 'entrypoint.sh');
  fs.writeFileSync(file, script, { mode: 0o755 });
  const read = (p: string): string | undefined => (p === file ? script : undefined);
  for (const sh of SHELLS) {
    it(`${sh.family}: \`help\` ends at once with status 0, \`server\` execs the service; the model agrees on both`, async () => {
      const help = await startNamespace([...sh.argv, file, 'help']);
      try {
        assert.ok(await endsWithin(help.exited, 5000), 'the help path did not end by itself');
        assert.equal((await help.exited).code, 0);
        assert.match(help.output(), /configured[\s\S]*usage/);
      } finally {
        await help.destroy();
      }
      assert.deepEqual(chainFromArgv([...sh.argv, file, 'help'], { sh: sh.family, readScript: read }).processes, []);
      const server = await startNamespace([...sh.argv, file, 'server'], { readyLine: /ready/ });
      try {
        process.kill(server.initPid, 'SIGTERM');
        assert.ok(await endsWithin(server.exited, 5000), 'SIGTERM did not end the service');
        assert.match(server.output(), /term/);
      } finally {
        await server.destroy();
      }
      assert.deepEqual(
        chainFromArgv([...sh.argv, file, 'server'], { sh: sh.family, readScript: read }).processes.map((x) => x.name),
        ['python3'],
      );
    });
  }
});

describe('a parameter copied into a variable at the top (`COMMAND_ARG1="$1"`) decides its tests as the parameter does', () => {
  const { dir, svc } = withNamedService('pid1-arg-alias-');
  // wallabag/docker's entrypoint: the first argument kept in a variable, each command's branch execs its program,
  // anything else is exec'd as given; the image's CMD is `wallabag`
  const script = [
    '#!/bin/sh',
    'set -e',
    'COMMAND_ARG1="$1"',
    'MODE=${2:-main}',
    'if [ "$COMMAND_ARG1" = import ]; then',
    '    exec sleep 3600',
    'fi',
    'if [ "$COMMAND_ARG1" = wallabag ]; then',
    `    exec python3 ${svc} "$MODE"`,
    'fi',
    'exec "$@"',
    '',
  ].join('\n');
  const file = path.join(dir, 'entrypoint.sh');
  fs.writeFileSync(file, script, { mode: 0o755 });
  const read = (p: string): string | undefined => (p === file ? script : undefined);
  for (const sh of SHELLS) {
    it(`${sh.family}: \`wallabag\` execs the service, which gets SIGTERM; the model takes that branch, and \`import\` the other`, async () => {
      const ns = await startNamespace([...sh.argv, file, 'wallabag'], { readyLine: /ready main/ });
      try {
        process.kill(ns.initPid, 'SIGTERM');
        assert.ok(await endsWithin(ns.exited, 5000), 'SIGTERM did not end the service');
        assert.match(ns.output(), /term main/);
      } finally {
        await ns.destroy();
      }
      // (undecided, the first branch's `exec sleep` would be taken for the launch)
      const names = (arg: string): string[] => chainFromArgv([...sh.argv, file, arg], { sh: sh.family, readScript: read }).processes.map((x) => x.name);
      assert.deepEqual(names('wallabag'), ['python3']);
      assert.deepEqual(names('import'), ['sleep']);
    });
  }
});

describe('exec of a PATH lookup (`exec $(which python3) ...`): the program looked up is PID 1', () => {
  const { dir, svc } = withNamedService('pid1-which-');
  // mtdcy/Dockerfiles' nginx entrypoint: `exec $(which nginx) -g "daemon off;"`
  for (const form of ['$(which python3)', '$(command -v python3)', '`which python3`']) {
    const script = `#!/bin/sh\nset -e\nexec ${form} ${svc} main\n`;
    const file = path.join(dir, `run-${form.replace(/\W+/g, '')}.sh`);
    fs.writeFileSync(file, script, { mode: 0o755 });
    for (const sh of SHELLS) {
      it(`${sh.family}: ${form}: python3 gets SIGTERM as PID 1; the model names it`, async () => {
        const ns = await startNamespace([...sh.argv, file], { readyLine: /ready main/ });
        try {
          process.kill(ns.initPid, 'SIGTERM');
          assert.ok(await endsWithin(ns.exited, 5000), 'SIGTERM did not end the service');
          assert.match(ns.output(), /term main/);
        } finally {
          await ns.destroy();
        }
        const chain = chainFromArgv([...sh.argv, file], { sh: sh.family, readScript: (p) => (p === file ? script : undefined) });
        assert.deepEqual(
          chain.processes.map((x) => x.name),
          ['python3'],
        );
      });
    }
  }
});

describe('escaped parentheses in `[[ ... ]]`: busybox ash groups with them, bash rejects them', () => {
  const { dir, svc } = withNamedService('pid1-test-parens-');
  // openemr's flex entrypoint (#!/bin/sh on Alpine): `[[ ! -d X || \( -d X && -z "$(ls -A X)" \) ]]`, then the server
  const script = `#!/bin/sh\nif [[ ! -d ${dir}/none || \\( -d ${dir} && -z "$(ls -A ${dir}/none 2>/dev/null)" \\) ]]; then\n  echo grouped\nfi\nexec python3 ${svc} main\n`;
  const file = path.join(dir, 'run.sh');
  fs.writeFileSync(file, script, { mode: 0o755 });
  const read = (p: string): string | undefined => (p === file ? script : undefined);
  it("ash: the test runs, the service is exec'd and gets SIGTERM; the model parses the script and names it, certain", async () => {
    const ns = await startNamespace(['busybox', 'ash', file], { readyLine: /ready main/ });
    try {
      assert.match(ns.output(), /grouped/);
      process.kill(ns.initPid, 'SIGTERM');
      assert.ok(await endsWithin(ns.exited, 5000), 'SIGTERM did not end the service');
    } finally {
      await ns.destroy();
    }
    const chain = chainFromArgv(['busybox', 'ash', file], { sh: 'ash', readScript: read });
    assert.deepEqual(
      chain.processes.map((x) => x.name),
      ['python3'],
    );
    assert.equal(chain.opaque, undefined, 'no part of the script left unparsed');
  });
  it('bash: a syntax error (the script never reaches its exec); the model leaves the script unparsed', () => {
    const r = spawnSync('bash', [file], { encoding: 'utf8', timeout: 10_000 });
    assert.match(r.stderr, /conditional binary operator expected/);
    assert.doesNotMatch(r.stdout, /ready/);
  });
});

describe("openssl's key, certificate and cipher commands, ssh-keygen -f and rm of named files end by themselves (the model reads them as instant)", () => {
  const dir = tempDir('pid1-openssl-');
  // cp-all-in-one's init_certificates.sh: a key pair, its public half, permissions
  // then Magnitus-'s ssh-encrypt: ssh-keygen -e, openssl rand, a cipher named as the command, rsautl, rm of named files
  const script = `#!/bin/sh\nset -e\nopenssl genrsa -out ${dir}/key.pem 2048\nopenssl rsa -in ${dir}/key.pem -pubout -out ${dir}/pub.pem\nopenssl req -x509 -new -key ${dir}/key.pem -subj /CN=t -days 1 -out ${dir}/cert.pem\nchmod 644 ${dir}/key.pem ${dir}/pub.pem\nssh-keygen -q -t rsa -b 2048 -N "" -f ${dir}/id\nssh-keygen -f ${dir}/id.pub -e -m PKCS8 > ${dir}/id.pem.pub\nopenssl rand -out ${dir}/sym 32\necho secret > ${dir}/f.txt\nopenssl aes-256-cbc -md sha512 -pbkdf2 -iter 1000 -salt -in ${dir}/f.txt -out ${dir}/f.enc -pass file:${dir}/sym\nopenssl rsautl -encrypt -pubin -inkey ${dir}/id.pem.pub -in ${dir}/sym -out ${dir}/sym.enc\nrm ${dir}/f.txt\nrm ${dir}/sym\n`;
  const file = path.join(dir, 'init.sh');
  fs.writeFileSync(file, script, { mode: 0o755 });
  it('dash: the script ends with status 0 as PID 1 of a fresh namespace, and the model has nothing to stop', async () => {
    const ns = await startNamespace(['dash', file]);
    try {
      assert.ok(await endsWithin(ns.exited, 30_000), 'the set-up did not end by itself');
      assert.equal((await ns.exited).code, 0, ns.output());
    } finally {
      await ns.destroy();
    }
    assert.ok(fs.existsSync(path.join(dir, 'cert.pem')));
    assert.ok(fs.existsSync(path.join(dir, 'sym.enc')) && !fs.existsSync(path.join(dir, 'sym')));
    assert.deepEqual(chainFromArgv(['dash', file], { sh: 'dash', readScript: (p) => (p === file ? script : undefined) }).processes, []);
  });
});

describe('cp and mv of named files end by themselves (the model reads them as instant; a tree copy, -r or -a, stays work)', () => {
  const dir = tempDir('pid1-cp-');
  // helm's mongodb-replicaset install step: mkdir, then one cp of a binary into the work directory, and the script ends
  const script = `#!/bin/sh\nset -e\nmkdir -p ${dir}/work\ncp /bin/dash "${dir}/work"/\nmv ${dir}/work/dash ${dir}/work/peer-finder\n`;
  const file = path.join(dir, 'install.sh');
  fs.writeFileSync(file, script, { mode: 0o755 });
  it('dash: the script ends with status 0 as PID 1 of a fresh namespace, and the model has nothing to stop', async () => {
    const ns = await startNamespace(['dash', file]);
    try {
      assert.ok(await endsWithin(ns.exited, 30_000), 'the install step did not end by itself');
      assert.equal((await ns.exited).code, 0, ns.output());
    } finally {
      await ns.destroy();
    }
    assert.ok(fs.existsSync(path.join(dir, 'work', 'peer-finder')));
    assert.deepEqual(chainFromArgv(['dash', file], { sh: 'dash', readScript: (p) => (p === file ? script : undefined) }).processes, []);
    const tree = `#!/bin/sh\ncp -a /srv/data /backup/\n`;
    assert.notDeepEqual(chainFromArgv(['dash', file], { sh: 'dash', readScript: (p) => (p === file ? tree : undefined) }).processes, []);
  });
});

describe('`hook || exit $?` exits only when the hook failed: a hook that succeeds lets the script reach its keep-alive and TERM trap', () => {
  const dir = tempDir('pid1-hook-');
  // pexcn's dev images: an operator's init hook, its failure passed on, then `sleep infinity & wait` under a trap that exits 0
  const script =
    '#!/bin/sh\nrun_init_hook() {\n  [ -n "$DEV_INIT" ] || return 0\n  "$DEV_INIT"\n}\nstopped() {\n  echo stopped\n  exit 0\n}\nrun_init_hook || exit $?\ntrap stopped TERM\necho ready\nsleep 1000 &\nwait\n';
  const file = path.join(dir, 'entrypoint.sh');
  for (const sh of SHELLS) {
    it(`${sh.family}: with a hook that succeeds the trap ends the script at once on SIGTERM; with one that fails the script exits with its status`, async () => {
      const text = script;
      fs.writeFileSync(file, text, { mode: 0o755 });
      const ok = await startNamespace([...sh.argv, file], { env: { DEV_INIT: 'true' } });
      try {
        await waitFor('the script to reach its keep-alive', () => (ok.output().includes('ready') ? true : undefined));
        process.kill(ok.initPid, 'SIGTERM');
        assert.ok(await endsWithin(ok.exited, 5000), 'the trap did not end the script');
        assert.match(ok.output(), /stopped/);
      } finally {
        await ok.destroy();
      }
      const failing = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', ...sh.argv, file], {
        env: { ...process.env, DEV_INIT: 'false' },
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.equal(failing.status, 1, `${failing.stdout}${failing.stderr}`);
      assert.doesNotMatch(failing.stdout, /ready/);
      const chain = chainFromArgv([...sh.argv, file], { sh: sh.family, readScript: (p) => (p === file ? text : undefined) });
      assert.equal(predictStop(chain).outcome, 'graceful');
    });
  }
});

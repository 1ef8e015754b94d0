/**
 * A script's branch decided by what the launch gives it, measured with the real shells (dash, bash, busybox
 * ash) as PID 1 of a fresh PID namespace: with no parameters (`ENTRYPOINT ["/e.sh"]` alone) `[ $# -gt 0 ]`,
 * `[ -z "$1" ]` and `[ "$#" -eq 0 ]` take the branch that runs the service as the shell's child; with the
 * CMD's words they take the one that execs them; an ENV value decides `[ "$MODE" = "**None**" ]`; and
 * `exec "$@"` with no parameters is no command (POSIX exec: only its redirections apply), so the script goes
 * on. Each run is checked against the model (chainFromArgv: which process is PID 1, and the stop's outcome),
 * and SIGTERM sent from the host to a shell that stayed PID 1 is dropped (it keeps running).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import type { ShellFamily } from '../src/model/programs.js';
import { loadShellParser } from '../src/model/shell.js';
import { childrenOf, commOf } from '../src/proc/stat.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';
import { cleanupNamespaces, startNamespace } from './helpers/ns.js';

after(cleanupNamespaces);

const SHELLS: { family: ShellFamily; argv: string[]; comm: string }[] = [
  { family: 'dash', argv: ['dash'], comm: 'dash' },
  { family: 'bash', argv: ['bash'], comm: 'bash' },
  { family: 'ash', argv: ['busybox', 'sh'], comm: 'busybox' },
];

const DIR = tempDir('pid1-params-');

interface Case {
  name: string;
  script: string;
  /** The parameters the launch gives the script. */
  args: string[];
  env?: Record<string, string>;
  /** The shell execs the service (sleep becomes PID 1), or stays PID 1 with sleep as its child. */
  execs: boolean;
}

const SERVICE = ['sleep', '100'];
const CASES: Case[] = [
  { name: '[ $# -gt 0 ] with no parameters', script: 'if [ $# -gt 0 ]; then exec "$@"; else sleep 100; fi', args: [], execs: false },
  { name: '[ $# -gt 0 ] with the CMD', script: 'if [ $# -gt 0 ]; then exec "$@"; else sleep 100; fi', args: SERVICE, execs: true },
  { name: '[ -z "$1" ] with no parameters', script: 'if [ -z "$1" ]; then sleep 100; else exec "$@"; fi', args: [], execs: false },
  { name: '[ "$#" -eq 0 ] with the CMD', script: 'if [ "$#" -eq 0 ]; then sleep 100; else exec "$@"; fi', args: SERVICE, execs: true },
  { name: '[ "$MODE" = "**None**" ] with ENV MODE=**None**', script: 'if [ "$MODE" = "**None**" ]; then sleep 100; else exec "$@"; fi', args: SERVICE, env: { MODE: '**None**' }, execs: false },
  { name: '[ "$MODE" = "**None**" ] with ENV MODE=daily', script: 'if [ "$MODE" = "**None**" ]; then sleep 100; else exec "$@"; fi', args: SERVICE, env: { MODE: 'daily' }, execs: true },
  { name: '[ "${1:-}" = "" ] with no parameters', script: 'if [ "${1:-}" = "" ]; then sleep 100; else exec "$@"; fi', args: [], execs: false },
  { name: '[ "${MODE:-none}" = none ] with ENV MODE=daily', script: 'if [ "${MODE:-none}" = none ]; then sleep 100; else exec "$@"; fi', args: SERVICE, env: { MODE: 'daily' }, execs: true },
  { name: 'exec "$@" with no parameters goes on', script: 'exec "$@"\nsleep 100', args: [], execs: false },
  // a test in front of && or || is decided the same way (couchbase's `[[ "$1" == couchbase-server ]] && { ...; exec ...; }`)
  { name: '[ "$1" = sleep ] && { exec "$@"; } with the CMD', script: '[ "$1" = sleep ] && {\n  echo starting\n  exec "$@"\n}\nsleep 100', args: SERVICE, execs: true },
  { name: '[ "$1" = sleep ] && { exec "$@"; } with other parameters', script: '[ "$1" = sleep ] && {\n  echo starting\n  exec "$@"\n}\nsleep 100', args: ['true'], execs: false },
  { name: '[ -z "$1" ] || exec "$@" with the CMD', script: '[ -z "$1" ] || exec "$@"\nsleep 100', args: SERVICE, execs: true },
  { name: '[ -z "$1" ] || exec "$@" with no parameters', script: '[ -z "$1" ] || exec "$@"\nsleep 100', args: [], execs: false },
  // rancher's etcd run.sh: `eval $1` with CMD ["node"] calls the script's function node() in this shell (POSIX eval)
  { name: 'eval $1 naming a function that runs the service', script: 'node() {\n  echo starting\n  sleep 100\n}\neval $1', args: ['node'], execs: false },
  { name: 'eval "$@" naming a function that execs the service', script: 'serve() {\n  exec sleep "$1"\n}\neval "$@"', args: ['serve', '100'], execs: true },
  // `exec "$@"` runs the positional parameters in effect where it runs: after `set --`, or a function's own (the
  // distribution registry's docker-entrypoint.sh: `case "$1" in *.yml) set -- registry serve "$@" ;; esac; exec "$@"`)
  { name: 'set -- sleep "$@" then exec "$@"', script: 'set -- sleep "$@"\nexec "$@"', args: ['100'], execs: true },
  {
    name: 'case "$1" in *.yml) set -- ...: the glob on the CMD decides',
    script: 'case "$1" in\n  *.yaml|*.yml) set -- sleep 100 ;;\n  serve|-*) set -- true "$@" ;;\nesac\nexec "$@"',
    args: ['/etc/config.yml'],
    execs: true,
  },
  // sclorg's container-entrypoint: `test -z "$*" && set -- bash` then `exec "$@"`
  { name: 'test -z "$*" && set -- ... with no parameters', script: 'test -z "$*" && set -- sleep 100\nexec "$@"', args: [], execs: true },
  { name: 'test -z "$*" && set -- ... with the CMD', script: 'test -z "$*" && set -- true\nexec "$@"', args: SERVICE, execs: true },
  { name: 'exec "$@" in a function: the function\'s own arguments', script: 'run() {\n  exec "$@"\n}\nrun sleep 100', args: [], execs: true },
];

describe("tests on the launch's parameters and ENV decide the branch (real shells as PID 1)", () => {
  before(loadShellParser);
  for (const sh of SHELLS) {
    for (const c of CASES) {
      it(`${sh.family}: ${c.name}`, async () => {
        const file = path.join(DIR, `${sh.family}-${CASES.indexOf(c)}.sh`);
        fs.writeFileSync(file, `${c.script}\n`);
        const argv = [...sh.argv, file, ...c.args];
        // the model, with the launch's argv and ENV known (a Dockerfile's ENTRYPOINT/CMD and ENV)
        const chain = chainFromArgv(argv, { sh: sh.family, signal: 'SIGTERM', readScript: (p) => (p === file ? fs.readFileSync(file, 'utf8') : undefined), env: c.env ?? {}, envComplete: true });
        const modelPid1 = chain.processes[0]?.name;
        const prediction = predictStop(chain, 'SIGTERM');
        assert.equal(prediction.certain, true, `${c.name}: the model is certain (${chain.opaque?.message ?? ''})`);
        assert.equal(modelPid1 === 'sleep', c.execs, `the model's PID 1 is ${modelPid1}`);
        assert.equal(prediction.outcome, 'killed', 'sleep or a shell as PID 1: SIGTERM is dropped either way');
        const ns = await startNamespace(argv, { env: { ...process.env, ...(c.env ?? {}) } });
        try {
          // PID 1 is sleep (exec'd) or the shell with sleep as its child
          const seen = await waitFor(`${c.name}: sleep running`, () => {
            if (commOf(ns.initPid) === 'sleep') return 'exec';
            const kid = childrenOf(ns.initPid)[0];
            return kid !== undefined && commOf(kid) === 'sleep' ? 'child' : undefined;
          });
          assert.equal(seen === 'exec', c.execs, `${sh.family} ${seen === 'exec' ? 'execs' : 'forks'} sleep`);
          if (!c.execs) assert.equal(commOf(ns.initPid), sh.comm);
          // SIGTERM from the host (an ancestor namespace, like the runtime): dropped, PID 1 keeps running
          process.kill(ns.initPid, 'SIGTERM');
          await sleep(500);
          assert.ok(fs.existsSync(`/proc/${ns.initPid}`), 'PID 1 is still running after SIGTERM');
        } finally {
          await ns.destroy();
        }
      });
    }
  }
});

/** `sh run.sh`: each shell opens a script operand without a slash in its working directory (not only through PATH). */
describe('a script operand without a slash is read from the working directory (real shells)', () => {
  before(loadShellParser);
  for (const sh of SHELLS) {
    it(`${sh.family} run.sh`, () => {
      const dir = fs.mkdtempSync(path.join(DIR, 'cwd-'));
      fs.writeFileSync(path.join(dir, 'run.sh'), 'echo "ran from cwd"\n');
      const r = spawnSync(sh.argv[0] as string, [...sh.argv.slice(1), 'run.sh'], { cwd: dir, env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
      assert.equal(r.stdout.trim(), 'ran from cwd', `${sh.family}: ${r.stderr}`);
      // the model reads it as the working directory's file, and sees the service it runs in the foreground
      const text = 'svc --port 80\nwait\n';
      const chain = chainFromArgv([...sh.argv, 'run.sh'], { sh: sh.family, signal: 'SIGTERM', readScript: (p) => (p === './run.sh' ? text : undefined) });
      assert.equal(chain.opaque, undefined, chain.opaque?.message);
      assert.deepEqual(
        chain.processes.map((p) => p.name),
        [sh.comm === 'busybox' ? 'ash' : sh.family, 'svc'],
      );
    });
  }
});

/**
 * `. "$(dirname "$0")/lib.sh"` and `exec "$(dirname "$0")/next.sh"` (itzg's start scripts): each shell sets $0 to the
 * path it was started with (the kernel passes a shebang script's path the same way), so the model reads those words as
 * the script's own directory and follows the chain to the service. Run as PID 1: sleep only gets its argument when
 * lib.sh was really sourced from there, and it is PID 1 when every step exec'd.
 */
describe('a script\'s own directory ($(dirname "$0"), ${0%/*}) names the files it sources and runs (real shells as PID 1)', () => {
  before(loadShellParser);
  const SELF_CASES: { name: string; script: string; only?: ShellFamily }[] = [
    { name: '$(dirname "$0")', script: '. "$(dirname "$0")/lib.sh"\nexec "$(dirname "$0")/next.sh" "$SECS"' },
    { name: 'DIR=$(cd "$(dirname "$0")" && pwd)', script: 'DIR=$(cd "$(dirname "$0")" && pwd)\n. "$DIR/lib.sh"\nexec "$DIR/next.sh" "$SECS"' },
    { name: '${0%/*}', script: '. "${0%/*}/lib.sh"\nexec "${0%/*}/next.sh" "$SECS"' },
    {
      name: '$( cd "$( dirname "${BASH_SOURCE[0]}" )" && pwd )',
      script: 'source "$( cd "$( dirname "${BASH_SOURCE[0]}" )" && pwd )/lib.sh"\nexec "$(dirname "${BASH_SOURCE[0]}")/next.sh" "$SECS"',
      only: 'bash',
    },
  ];
  for (const sh of SHELLS) {
    for (const c of SELF_CASES) {
      if (c.only && c.only !== sh.family) continue;
      it(`${sh.family}: ${c.name}`, async () => {
        const dir = fs.mkdtempSync(path.join(DIR, 'self-'));
        const files: Record<string, string> = {
          [path.join(dir, 'start')]: `${c.script}\n`,
          [path.join(dir, 'lib.sh')]: 'SECS=100\n',
          [path.join(dir, 'next.sh')]: '#!/bin/sh\nexec sleep "$1"\n',
        };
        for (const [f, text] of Object.entries(files)) fs.writeFileSync(f, text, { mode: 0o755 });
        const argv = [...sh.argv, path.join(dir, 'start')];
        const chain = chainFromArgv(argv, { sh: sh.family, signal: 'SIGTERM', readScript: (p) => files[p], env: {}, envComplete: true });
        assert.equal(chain.opaque, undefined, chain.opaque?.message);
        assert.equal(chain.processes[0]?.name, 'sleep', `the model's chain: ${chain.processes.map((p) => p.name).join(' -> ')}`);
        assert.equal(predictStop(chain, 'SIGTERM').certain, true);
        // (the test's working directory is not the scripts' one: the files are found through $0)
        const ns = await startNamespace(argv);
        try {
          await waitFor(`${c.name}: sleep is PID 1`, () => (commOf(ns.initPid) === 'sleep' ? true : undefined));
          assert.equal(fs.readFileSync(`/proc/${ns.initPid}/cmdline`, 'utf8').split('\0')[1], '100', "sleep got lib.sh's SECS");
        } finally {
          await ns.destroy();
        }
      });
    }
  }
});

/**
 * `cd DIR && exec ./next.sh` and a script's `cd DIR` then `exec ./next.sh` (pulumi's startServer.sh: `cd /server/` then
 * `exec node index.js`): the shell opens the relative path in the directory the cd moved it to, whatever the
 * directory the container started in. The model reads the file there and follows it to the service; run as PID 1 of a
 * namespace started elsewhere, sleep is PID 1 only when next.sh was really found there.
 */
describe('a cd before the command moves where its relative paths are opened (real shells as PID 1)', () => {
  before(loadShellParser);
  const CD_CASES: { name: string; script: (dir: string) => string; mode: 'command' | 'script' }[] = [
    { name: 'sh -c "cd DIR && exec ./next.sh"', script: (d) => `cd ${d} && exec ./next.sh`, mode: 'command' },
    { name: 'script: cd DIR, cd sub, exec ./next.sh', script: (d) => `cd ${path.dirname(d)}\ncd ${path.basename(d)}\nexec ./next.sh`, mode: 'script' },
    { name: 'script: cd DIR || exit 1, exec sub/../next.sh', script: (d) => `cd ${d} || exit 1\nexec sub/../next.sh`, mode: 'script' },
  ];
  for (const sh of SHELLS) {
    for (const c of CD_CASES) {
      it(`${sh.family}: ${c.name}`, async () => {
        const dir = fs.mkdtempSync(path.join(DIR, 'cd-'));
        fs.mkdirSync(path.join(dir, 'sub'));
        const files: Record<string, string> = { [path.join(dir, 'next.sh')]: '#!/bin/sh\nexec sleep 100\n', [path.join(dir, 'start')]: `${c.script(dir)}\n` };
        for (const [f, text] of Object.entries(files)) fs.writeFileSync(f, text, { mode: 0o755 });
        const argv = c.mode === 'command' ? [...sh.argv, '-c', c.script(dir)] : [...sh.argv, path.join(dir, 'start')];
        // a relative path is asked for as the launch model resolves it; the image's working directory holds no next.sh
        const chain = chainFromArgv(argv, { sh: sh.family, signal: 'SIGTERM', readScript: (p) => files[p] });
        assert.equal(chain.opaque, undefined, chain.opaque?.message);
        assert.equal(chain.processes[0]?.name, 'sleep', `the model's chain: ${chain.processes.map((p) => p.name).join(' -> ')}`);
        const ns = await startNamespace(argv);
        try {
          await waitFor(`${c.name}: sleep is PID 1`, () => (commOf(ns.initPid) === 'sleep' ? true : undefined));
        } finally {
          await ns.destroy();
        }
      });
    }
    it(`${sh.family}: a cd to a directory pid1 cannot read leaves the relative script unseen`, () => {
      const chain = chainFromArgv([...sh.argv, '-c', 'cd "$APP_HOME" && exec ./next.sh'], {
        sh: sh.family,
        signal: 'SIGTERM',
        // the image's working directory has a next.sh, but the shell is not there when it runs it
        readScript: (p) => (p === './next.sh' ? '#!/bin/sh\nexec sleep 100\n' : undefined),
      });
      assert.equal(chain.opaque?.code, 'script-unseen');
    });
  }
});

/**
 * `check || echo missing && exit 1` parses as `(check || echo missing) && exit 1`: echo cannot fail, so the exit runs
 * whether the check passed or not (ITISFoundation's pip-kit entrypoint), and the service after it never starts.
 */
describe('a left side that cannot fail always runs the right side of && (real shells as PID 1)', () => {
  before(loadShellParser);
  const cases: { name: string; script: string; exits: boolean }[] = [
    { name: 'a failing check || echo && exit 1', script: 'stat /nonexistent >/dev/null 2>&1 || echo missing && exit 1\nexec sleep 100', exits: true },
    { name: 'a passing check || echo && exit 1', script: 'stat / >/dev/null 2>&1 || echo missing && exit 1\nexec sleep 100', exits: true },
    { name: 'true && exit 1', script: 'true && exit 1\nexec sleep 100', exits: true },
    { name: 'a failing check || false && exit 1 (the exit is skipped)', script: 'stat /nonexistent >/dev/null 2>&1 || false && exit 1\nexec sleep 100', exits: false },
  ];
  for (const sh of SHELLS) {
    for (const c of cases) {
      it(`${sh.family}: ${c.name}`, () => {
        const file = path.join(DIR, `${sh.family}-succeeds-${cases.indexOf(c)}.sh`);
        fs.writeFileSync(file, `${c.script}\n`);
        const argv = [...sh.argv, file];
        const chain = chainFromArgv(argv, { sh: sh.family, signal: 'SIGTERM', readScript: (p) => (p === file ? fs.readFileSync(file, 'utf8') : undefined), env: {}, envComplete: true });
        // the model: an empty chain is a container that ends by itself before any stop
        assert.equal(chain.processes.length === 0, c.exits, `model: ${chain.processes.map((p) => p.name).join(' > ')}`);
        // PID 1 of a fresh namespace; --kill-child ends it with unshare when the service runs on past the timeout
        const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...argv], { timeout: 2000, killSignal: 'SIGKILL' });
        if (c.exits) assert.equal(r.status, 1, `${sh.family} exits 1 at once (${r.signal ?? ''} ${r.stderr})`);
        else assert.equal(r.signal, 'SIGKILL', `${sh.family} goes on to the service (status ${r.status})`);
      });
    }
  }
});

/**
 * A function a sourced library defines that only prints (pexcn's function.sh: `info` -> `_log` -> `printf`) returns at
 * once: a call to it after the service's job is started is not the service. Run as PID 1: the shell waits for its sleep
 * job, and no other process runs.
 */
describe('a call to a print-only function of a sourced library is not the service (real shells as PID 1)', () => {
  before(loadShellParser);
  const LIB = '_log() {\n  local level=$1\n  shift\n  printf "[%s] %s\\n" "$level" "$*" >&2\n}\ninfo() {\n  _log INFO "$@"\n}\n';
  for (const sh of SHELLS) {
    it(`${sh.family}: sleep 100 & info "started"; wait`, async () => {
      const dir = fs.mkdtempSync(path.join(DIR, 'lib-'));
      const files: Record<string, string> = {
        [path.join(dir, 'start')]: `. "$(dirname "$0")/lib.sh"\nsleep 100 &\ninfo "started"\nwait\n`,
        [path.join(dir, 'lib.sh')]: LIB,
      };
      for (const [f, text] of Object.entries(files)) fs.writeFileSync(f, text, { mode: 0o755 });
      const argv = [...sh.argv, path.join(dir, 'start')];
      const chain = chainFromArgv(argv, { sh: sh.family, signal: 'SIGTERM', readScript: (p) => files[p], env: {}, envComplete: true });
      assert.deepEqual(
        chain.processes.map((p) => p.name),
        [sh.comm === 'busybox' ? 'ash' : sh.family, 'sleep'],
      );
      const ns = await startNamespace(argv);
      try {
        // (the `$(dirname "$0")` before it is a child for a moment too)
        await waitFor('the sleep job, and info has printed', () => (childrenOf(ns.initPid).some((k) => commOf(k) === 'sleep') && /\[INFO\] started/.test(ns.output()) ? true : undefined));
        await sleep(300);
        // the shell waits for its one job: info ran and returned
        assert.deepEqual(
          childrenOf(ns.initPid).map((k) => commOf(k)),
          ['sleep'],
        );
      } finally {
        await ns.destroy();
      }
    });
  }
});

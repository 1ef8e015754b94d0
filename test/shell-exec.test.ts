/**
 * The facts the shell model relies on, measured with the real shells of this machine (Debian's dash,
 * bash and busybox ash): which `-c` strings make the shell replace itself with the last command (the
 * shell's PID becomes the command's), and that the model says the same for each.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { before, describe, it } from 'node:test';
import { analyzeShell, loadShellParser } from '../src/model/shell.js';
import type { ShellFamily } from '../src/model/programs.js';
import { sleep } from './helpers/exec.js';

const SHELLS: { family: ShellFamily; argv: string[] }[] = [
  { family: 'dash', argv: ['dash'] },
  { family: 'bash', argv: ['bash'] },
  { family: 'ash', argv: ['busybox', 'sh'] },
];

/** Each string runs `sleep 100` as its service; the column says which shells exec it (measured here). */
const CASES: { script: string; execBy: ShellFamily[] }[] = [
  { script: 'sleep 100', execBy: ['bash', 'ash'] },
  { script: 'true && sleep 100', execBy: ['bash', 'ash'] },
  { script: 'true; sleep 100', execBy: ['bash', 'ash'] },
  { script: 'false || sleep 100', execBy: ['bash', 'ash'] },
  { script: 'sleep 100 $X', execBy: ['bash', 'ash'] },
  { script: 'sleep "${X:-100}"', execBy: ['bash', 'ash'] },
  { script: 'sleep $(echo 100)', execBy: ['bash', 'ash'] },
  { script: 'FOO=1 sleep 100', execBy: ['bash', 'ash'] },
  { script: 'sleep 100 2>&1', execBy: ['ash'] },
  { script: 'if true; then sleep 100; fi', execBy: ['ash'] },
  { script: 'if false; then :; else sleep 100; fi', execBy: ['ash'] },
  { script: 'case x in x) sleep 100;; esac', execBy: ['ash'] },
  { script: '{ sleep 100; }', execBy: ['ash'] },
  { script: '(sleep 100)', execBy: ['ash'] },
  { script: 'f() { sleep 100; }; f', execBy: [] },
  { script: '! sleep 100', execBy: [] },
  { script: 'trap "echo x" TERM; sleep 100', execBy: [] },
  { script: 'while true; do sleep 100; done', execBy: [] },
  { script: 'sleep 100 | cat', execBy: [] },
  { script: 'sleep 100 && true', execBy: [] },
  // bash parses a -c string a line at a time and execs the line's command only when it is simple, or the last of an
  // `&&`/`||` chain, or (5.1 on) the simple command after `;`: not a chain after `;` (builtins/evalstring.c optimize_fork)
  { script: 'true; true && sleep 100', execBy: ['ash'] },
  { script: 'true && true; sleep 100', execBy: ['bash', 'ash'] },
  { script: 'true\ntrue && sleep 100', execBy: ['bash', 'ash'] },
  { script: 'true & sleep 100', execBy: ['ash'] },
  // what follows the command in the string: busybox ash execs only at its very end (no newline after the command); bash
  // when no line follows the command's (one final newline, a YAML `|` block's, is fine; an empty line is not)
  { script: 'sleep 100\n', execBy: ['bash'] },
  { script: 'true\nsleep 100\n', execBy: ['bash'] },
  { script: 'sleep 100 ', execBy: ['bash', 'ash'] },
  { script: 'sleep 100;', execBy: ['bash', 'ash'] },
  { script: 'sleep 100 # done', execBy: ['bash', 'ash'] },
  { script: 'sleep 100; # done\n', execBy: ['bash'] },
  { script: 'sleep 100\n\n', execBy: [] },
  { script: 'sleep 100\n  ', execBy: [] },
  { script: 'sleep 100\n# done', execBy: [] },
  { script: 'if true; then sleep 100; fi\n', execBy: [] },
  { script: 'exec sleep 100', execBy: ['dash', 'bash', 'ash'] },
  // exec kept in a variable: the first field after expansion is the exec builtin (POSIX 2.9.1), also with a trap set
  { script: 'e="exec"; $e sleep 100', execBy: ['dash', 'bash', 'ash'] },
  { script: 'e="exec env"; ${e} sleep 100', execBy: ['dash', 'bash', 'ash'] },
  { script: 'trap "echo x" TERM; e="exec"; $e sleep 100; echo after', execBy: ['dash', 'bash', 'ash'] },
];

/** Run SHELL -c SCRIPT and tell whether the shell's own process became `sleep`. */
async function execs(shell: string[], script: string): Promise<boolean> {
  const child = spawn(shell[0] as string, [...shell.slice(1), '-c', script], { stdio: 'ignore', env: { ...process.env, X: '100' } });
  try {
    const pid = child.pid as number;
    for (let i = 0; i < 100; i++) {
      await sleep(20);
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm === 'sleep') return true;
      // the shell forked: its child is sleep
      const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      if (kids) {
        const kidComm = fs.readFileSync(`/proc/${kids.split(' ')[0]}/comm`, 'utf8').trim();
        if (kidComm === 'sleep' || kidComm === 'cat') return false;
      }
    }
    throw new Error(`neither exec nor fork seen for ${script}`);
  } finally {
    // End what this test started, by PID: the shell's children first, then the shell.
    const pid = child.pid as number;
    let kids: string[] = [];
    try {
      kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean);
    } catch {
      /* gone */
    }
    for (const k of kids) {
      try {
        process.kill(Number(k), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
}

describe('which -c strings each shell execs (real dash, bash, busybox ash)', () => {
  before(async () => {
    await loadShellParser();
  });
  for (const c of CASES) {
    it(JSON.stringify(c.script), async () => {
      for (const sh of SHELLS) {
        const real = await execs(sh.argv, c.script);
        assert.equal(real, c.execBy.includes(sh.family), `${sh.family} ${real ? 'execs' : 'forks'} ${c.script}`);
        const a = analyzeShell(c.script, sh.family);
        const modelExecs = a.end?.kind === 'exec';
        assert.equal(modelExecs, real, `the model says ${sh.family} ${modelExecs ? 'execs' : 'does not exec'} ${c.script}`);
      }
    });
  }
});

/**
 * bash before 5.1, where the image has it (CentOS 7's 4.2, Debian buster's 5.0): 4.3 and older exec only a lone simple
 * command of the last line, 4.4 and 5.0 also the last of an `&&`/`||` chain, never the command after `;` on its line
 * (5.1's NEWS: "Bash attempts to optimize the number of times it forks when executing commands ... from `bash -c'").
 * This machine's bash is 5.2: builds of GNU bash's bash-4.2 and bash-5.0 release tags, named in PID1_OLD_BASH
 * (colon-separated paths), replay it; without them the model's rule is checked on its own.
 */
describe('which -c strings bash 4.2 and 5.0 exec', () => {
  before(async () => {
    await loadShellParser();
  });
  const OLD: { script: string; execBy: ('4.2' | '4.4')[] }[] = [
    { script: 'sleep 100', execBy: ['4.2', '4.4'] },
    { script: 'true && sleep 100', execBy: ['4.4'] },
    { script: 'false || true && sleep 100', execBy: ['4.4'] },
    { script: 'true; sleep 100', execBy: [] },
    { script: 'true; true && sleep 100', execBy: [] },
    { script: 'true\nsleep 100', execBy: ['4.2', '4.4'] },
    { script: 'true\ntrue && sleep 100', execBy: ['4.4'] },
  ];
  const builds = (process.env.PID1_OLD_BASH ?? '').split(':').filter(Boolean);
  for (const c of OLD) {
    it(JSON.stringify(c.script), async () => {
      for (const level of ['4.2', '4.4'] as const) {
        const a = analyzeShell(c.script, 'bash', { bashLevel: level });
        assert.equal(a.end?.kind === 'exec', c.execBy.includes(level), `the model for bash ${level}: ${c.script}`);
      }
      for (const b of builds) {
        const version = spawnSync(b, ['-c', 'echo $BASH_VERSION'], { encoding: 'utf8' }).stdout.trim();
        const level = /^4\.[0-3]\./.test(version) ? '4.2' : /^(4\.4|5\.0)\./.test(version) ? '4.4' : undefined;
        if (!level) continue;
        assert.equal(await execs([b], c.script), c.execBy.includes(level), `bash ${version}: ${c.script}`);
      }
    });
  }
});

/**
 * A shell with no command reading stdin: at its prompt (interactive, here forced with -i and a pipe that
 * stays open) it ignores TERM and QUIT and catches INT without ending; with stdin at end of input it exits
 * at once. The model says the same (makeProcess: atPrompt; chainFromArgv: stdin 'closed').
 */
describe('a shell at its prompt (real dash, bash, busybox ash)', () => {
  for (const sh of SHELLS) {
    it(`${sh.family} -i: TERM, QUIT and INT leave it running (not PID 1: no kernel protection)`, async () => {
      for (const sig of ['SIGTERM', 'SIGQUIT', 'SIGINT'] as const) {
        const child = spawn(sh.argv[0] as string, [...sh.argv.slice(1), '-i'], { stdio: ['pipe', 'ignore', 'ignore'] });
        try {
          await sleep(300);
          child.kill(sig);
          const ended = await Promise.race([new Promise((r) => child.once('exit', () => r(true))), sleep(700).then(() => false)]);
          assert.equal(ended, false, `${sh.family} -i ended on ${sig}`);
        } finally {
          child.kill('SIGKILL');
          await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
        }
      }
    });
    it(`${sh.family} with stdin at end of input exits by itself`, async () => {
      const child = spawn(sh.argv[0] as string, sh.argv.slice(1), { stdio: ['ignore', 'ignore', 'ignore'] });
      const code = await new Promise((r) => child.once('exit', (c) => r(c)));
      assert.equal(code, 0);
    });
  }
  it('the model: ignored at the prompt (docker run -it), nothing to stop with stdin closed', async () => {
    const { chainFromArgv, predictStop } = await import('../src/model/launch.js');
    for (const sh of SHELLS) {
      const open = chainFromArgv(sh.argv, { sh: sh.family, signal: 'SIGTERM' });
      assert.equal(predictStop(open, 'SIGTERM').outcome, 'killed', `${sh.family} at its prompt as PID 1`);
      const underTini = chainFromArgv(['tini', '--', ...sh.argv], { sh: sh.family, signal: 'SIGTERM' });
      assert.equal(predictStop(underTini, 'SIGTERM').outcome, 'killed', `${sh.family} at its prompt under tini`);
      assert.deepEqual(chainFromArgv(sh.argv, { sh: sh.family, signal: 'SIGTERM', stdin: 'closed' }).processes, []);
    }
  });
});

describe("a trap that stops runit services with sv's LSB commands waits for them (sv(8): stop, shutdown, force-stop, force-shutdown wait up to 7 s)", () => {
  before(loadShellParser);
  const trapOfScript = (action: string): { forwards: boolean; waits: boolean; exits: boolean } | undefined => {
    const t = analyzeShell(`#!/bin/bash\nstop_all() { /usr/bin/sv ${action} /etc/service/*; }\ntrap 'stop_all; exit 0' TERM\nwhile true; do sleep 9999; done\n`, 'bash', { mode: 'script' }).traps[0];
    return t ? { forwards: t.forwards, waits: t.waits, exits: t.exits } : undefined;
  };
  it('sv stop (through a function): stops, waits, exits', () => assert.deepEqual(trapOfScript('stop'), { forwards: true, waits: true, exits: true }));
  it('sv down does not wait', () => assert.deepEqual(trapOfScript('down'), { forwards: true, waits: false, exits: true }));
});

describe('`"${@:-word}"` expands to the arguments, or to word when there are none (real dash, bash, busybox ash)', () => {
  for (const sh of [['dash'], ['bash'], ['busybox', 'sh']] as const) {
    it(sh.join(' '), async () => {
      const out = await new Promise<string>((resolve, reject) => {
        const p = spawn(sh[0], [...sh.slice(1), '-c', 'set --; printf "[%s]" "${@:-bash}"; set -- a "b c"; printf "[%s]" "${@:-bash}"']);
        let text = '';
        p.stdout.on('data', (d: Buffer) => {
          text += d.toString();
        });
        p.on('error', reject);
        p.on('close', () => resolve(text));
      });
      assert.equal(out, '[bash][a][b c]');
    });
  }
});

/**
 * Where a shell runs its final command, after the `cd`s before it (src/model/shell-cwd.ts): a table of the forms,
 * then the launch model reading a program's source from that directory. The shells' own cd behaviour is run for
 * real in test/shell-params-ns.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import { analyzeShell, loadShellParser } from '../src/model/shell.js';
import { grammarParser } from '../src/sources/grammars.js';
import { programSourceReader } from '../src/sources/program-reader.js';

before(async () => {
  await loadShellParser();
  await grammarParser('javascript');
});

const CASES: { name: string; script: string; cwd: string | false | undefined; env?: Record<string, string> }[] = [
  { name: 'no cd', script: 'exec node index.js', cwd: undefined },
  { name: 'cd && command', script: 'cd /src && node ./app.js', cwd: '/src' },
  { name: 'cd; exec', script: 'cd /server/\nexec node index.js', cwd: '/server' },
  { name: 'absolute then relative', script: 'cd /srv\ncd app\nexec node index.js', cwd: '/srv/app' },
  { name: 'relative only', script: 'cd app\nexec node index.js', cwd: 'app' },
  { name: 'cd || exit 1', script: 'cd /app || exit 1\nexec node index.js', cwd: '/app' },
  { name: 'cd -P --', script: 'cd -P -- /app\nexec node index.js', cwd: '/app' },
  { name: 'a variable the image sets', script: 'cd "$APP_HOME"\nexec node index.js', cwd: '/opt/app', env: { APP_HOME: '/opt/app' } },
  { name: 'a variable nobody sets', script: 'cd "$APP_HOME"\nexec node index.js', cwd: false },
  { name: 'cd alone (HOME)', script: 'cd\nexec node index.js', cwd: false },
  { name: 'cd -', script: 'cd /a\ncd -\nexec node index.js', cwd: false },
  { name: 'cd ~', script: 'cd ~\nexec node index.js', cwd: false },
  { name: 'a subshell keeps its cd', script: '(cd /build && make)\nexec node index.js', cwd: undefined },
  { name: 'a pipeline keeps its cd', script: 'cd /x | true\nexec node index.js', cwd: undefined },
  { name: 'a command substitution keeps its cd', script: 'D=$(cd /x && pwd)\nexec node index.js', cwd: undefined },
  { name: 'a cd on one branch', script: 'if [ -d /app ]; then cd /app; fi\nexec node index.js', cwd: false },
  { name: 'a cd inside a case', script: 'case "$1" in a) cd /a;; esac\nexec node index.js', cwd: false },
  { name: 'a function that cds', script: 'go() { cd /a; }\ngo\nexec node index.js', cwd: false },
  { name: 'a function that does not cd', script: 'setup() { mkdir -p /a; }\ncd /app\nsetup\nexec node index.js', cwd: '/app' },
  { name: 'cd in the then branch, command in it', script: 'if [ -d /app ]; then\n  cd /app\n  exec node index.js\nfi\nexec node other.js', cwd: '/app' },
  { name: 'cd in then, command in else', script: 'if [ -n "$X" ]; then cd /a; exec node a.js; else exec node index.js; fi', cwd: false },
  { name: 'inside a function, cd at its start', script: 'main() {\n  cd /app\n  exec node index.js\n}\ncd /elsewhere\nmain', cwd: '/app' },
  { name: 'inside a function, cd before the call', script: 'main() {\n  exec node index.js\n}\ncd /srv\nmain', cwd: false },
  { name: 'inside a function, no cd anywhere', script: 'main() {\n  exec node index.js\n}\nmain', cwd: undefined },
  { name: 'a later cd does not count', script: 'node index.js\ncd /x', cwd: undefined },
];

describe('the directory a command runs in, after the cds before it', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const a = analyzeShell(c.script, 'bash', { mode: 'script', ...(c.env ? { env: c.env } : {}) });
      // the path that runs `node index.js` (or `node ./app.js`)
      const cmd = a.ends.map((e) => e.command).find((f) => f.argv?.[0] === 'node' && /^(index|\.\/app)\.js$/.test(f.argv[1] ?? ''));
      assert.ok(cmd, `a path ends in node: ${a.ends.map((e) => e.command.argv?.join(' ')).join(', ')}`);
      assert.equal(cmd.cwd, c.cwd);
    });
  }
});

describe("a program's source is read where the cd left the shell", () => {
  const files: Record<string, string> = {
    '/src/app.js': "const express = require('express');\nconst app = express();\napp.listen(8080);\n",
    // the image's working directory holds another app.js, which the shell does not run
    '/app.js': "process.on('SIGTERM', () => process.exit(0));\nsetInterval(() => {}, 1000);\n",
  };
  const read = (p: string): string | undefined => files[p.replace(/^\.\//, '/')];
  const chainOf = (cmd: string) => chainFromArgv(['/bin/sh', '-c', cmd], { sh: 'ash', signal: 'SIGTERM', readScript: read, programSource: programSourceReader(read, '/', 'SIGTERM') });

  it('cd /src && node ./app.js: /src/app.js, no listener, certain loss', () => {
    const chain = chainOf('cd /src && node ./app.js');
    assert.equal(chain.processes[0]?.name, 'node');
    const p = predictStop(chain, 'SIGTERM');
    assert.equal(p.certain, true);
    assert.equal(p.outcome, 'killed');
  });
  it("node ./app.js without the cd: the working directory's app.js, which listens", () => {
    const p = predictStop(chainOf('node ./app.js'), 'SIGTERM');
    assert.equal(p.outcome, 'graceful');
  });
  it("a cd pid1 cannot follow: the program decides, not the working directory's file", () => {
    const p = predictStop(chainOf('cd "$APP" && node ./app.js'), 'SIGTERM');
    assert.equal(p.certain, false);
  });
});

/**
 * The source verdicts against the real runtimes: each program is read by pid1, then run as PID 1 of a
 * fresh PID namespace and sent SIGTERM from outside. What pid1 said must be what happens, through the
 * catalogue's entry for the runtime: `handles` -> it ends (the handler's status), `no-handler` -> the
 * runtime's default (CPython and Node keep running: the signal is dropped; Go exits 2 at once).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KEEPS_RUNNING, behaviourOn, catalogueById } from '../src/model/catalogue.js';
import { analyzeProgramSource } from '../src/sources/program-source.js';
import { programSourceReader } from '../src/sources/program-reader.js';
import { identify } from '../src/model/programs.js';
import { cleanupInits, startAsInit } from './helpers/as-init.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';
import { within } from './helpers/within.js';

after(cleanupInits);
const DIR = tempDir('pid1-srcns-');

interface Case {
  name: string;
  file: string;
  text: string;
  /** The catalogue entry of the runtime (its default when the program has no handler). */
  runtime: 'python' | 'node' | 'go';
  verdict: 'handles' | 'no-handler';
  /** Exit status when the program's handler ends it. */
  status?: number;
}

const CASES: Case[] = [
  { name: 'Python without a handler', runtime: 'python', verdict: 'no-handler', file: 'plain.py', text: 'import time\nprint("ready", flush=True)\nwhile True:\n    time.sleep(1)\n' },
  {
    name: 'Python with signal.signal(SIGTERM)',
    runtime: 'python',
    verdict: 'handles',
    status: 0,
    file: 'handled.py',
    text: 'import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\nprint("ready", flush=True)\nwhile True:\n    time.sleep(1)\n',
  },
  {
    name: 'Python with loop.add_signal_handler(SIGTERM)',
    runtime: 'python',
    verdict: 'handles',
    status: 3,
    file: 'aio.py',
    text: 'import asyncio, signal, sys\n\nasync def main():\n    stop = asyncio.Event()\n    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)\n    print("ready", flush=True)\n    await stop.wait()\n    sys.exit(3)\n\nasyncio.run(main())\n',
  },
  { name: 'Node without a listener', runtime: 'node', verdict: 'no-handler', file: 'plain.js', text: "setInterval(() => {}, 1000);\nconsole.log('ready');\n" },
  {
    name: 'Node with process.on("SIGTERM")',
    runtime: 'node',
    verdict: 'handles',
    status: 0,
    file: 'handled.js',
    text: "['SIGINT', 'SIGTERM'].forEach((s) => process.on(s, () => process.exit(0)));\nsetInterval(() => {}, 1000);\nconsole.log('ready');\n",
  },
  {
    name: 'Go without signal.Notify',
    runtime: 'go',
    verdict: 'no-handler',
    file: 'plain/main.go',
    text: 'package main\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc main() {\n\tfmt.Println("ready")\n\ttime.Sleep(time.Hour)\n}\n',
  },
  {
    name: 'Go with signal.NotifyContext',
    runtime: 'go',
    verdict: 'handles',
    status: 0,
    file: 'handled/main.go',
    text: 'package main\n\nimport (\n\t"context"\n\t"fmt"\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)\n\tdefer stop()\n\tfmt.Println("ready")\n\t<-ctx.Done()\n}\n',
  },
];

function argvFor(c: Case): string[] | string {
  const file = path.join(DIR, c.file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, c.text);
  if (c.runtime === 'python') return fs.existsSync('/usr/bin/python3') ? ['/usr/bin/python3', file] : 'no /usr/bin/python3 here (Debian: python3)';
  if (c.runtime === 'node') return [process.execPath, file];
  const go = ['/usr/bin/go', '/usr/local/go/bin/go'].find((g) => fs.existsSync(g));
  if (!go) return 'go is not installed here (Debian: golang-go)';
  const dir = path.dirname(file);
  fs.writeFileSync(path.join(dir, 'go.mod'), `module ${path.basename(dir)}\n\ngo 1.19\n`);
  const bin = path.join(dir, 'prog');
  execFileSync(go, ['build', '-o', bin, '.'], { cwd: dir, stdio: 'pipe', env: { ...process.env, GOCACHE: path.join(DIR, 'gocache'), GOPATH: path.join(DIR, 'gopath') } });
  return [bin];
}

for (const c of CASES) {
  test(`${c.name}: pid1 says ${c.verdict}, and SIGTERM at PID 1 agrees`, async (t) => {
    const verdict = await analyzeProgramSource(c.text, { path: c.file });
    assert.equal(verdict.verdict, c.verdict, verdict.reason);
    const argv = argvFor(c);
    if (typeof argv === 'string') {
      t.skip(argv);
      return;
    }
    const run = await startAsInit(argv, { comm: path.basename(argv[0] as string).slice(0, 15) });
    try {
      await waitFor(`${c.file} to start`, () => (/ready/.test(run.output()) ? true : undefined), 20_000, 50);
      process.kill(run.pid, 'SIGTERM');
      // What the runtime does when the program does not decide: the catalogue's entry.
      const expected =
        c.verdict === 'handles'
          ? { keeps: false, status: c.status }
          : (() => {
              const b = behaviourOn(catalogueById(c.runtime), 'SIGTERM');
              return { keeps: KEEPS_RUNNING.has(b.reaction), status: b.status };
            })();
      if (expected.keeps) {
        await sleep(1500);
        assert.ok(run.alive(), `${c.file}: pid1 said ${verdict.verdict} (${verdict.reason}), but SIGTERM ended it`);
      } else {
        const end = await within(run.exited, 10_000);
        assert.ok(end, `${c.file}: still running 10 s after SIGTERM`);
        assert.equal(end.code, expected.status, `${c.file}: exit status`);
      }
    } finally {
      await run.destroy();
    }
  });
}

test('a Python module that only defines: pid1 says finishes, and python3 as PID 1 exits by itself at once', async (t) => {
  const text = '"""A WSGI app, meant for gunicorn."""\nfrom flask import Flask\n\napp = Flask(__name__)\n\n@app.route("/")\ndef hello():\n    return "hi"\n';
  const verdict = await analyzeProgramSource(text, { path: 'app.py' });
  assert.equal(verdict.verdict, 'finishes', verdict.reason);
  const probe = await startAsInit(['python3', '-c', 'import flask'], { quiet: true });
  const probed = await within(probe.exited, 20_000);
  if (probed?.code !== 0) {
    t.skip('python3 with flask is not installed here (scripts/install-deps.sh installs python3-flask)');
    return;
  }
  const file = path.join(DIR, 'defines_only.py');
  fs.writeFileSync(file, text);
  const run = await startAsInit(['python3', file], { comm: 'python3' });
  try {
    const end = await within(run.exited, 10_000);
    assert.ok(end, 'still running 10 s after it started: it does run something');
    assert.equal(end.code, 0, run.output());
  } finally {
    await run.destroy();
  }
});

test('a Python program whose argparse requires an argument, run with none: pid1 says finishes, and python3 as PID 1 exits with status 2 at once', async () => {
  // aisbergg's arch-aur-makepkg run.py and kubernetes/examples' cluster-dns client.py: a required positional, CMD gives none
  const text =
    'import argparse, time\n\ndef main():\n    parser = argparse.ArgumentParser(description="build (packages)")\n    parser.add_argument(\n        "packages",\n        nargs="+",\n        help="names (one or more)",\n    )\n    parser.add_argument("--verbose", action="store_true")\n    args = parser.parse_args()\n    print("ready", flush=True)\n    while True:\n        time.sleep(1)\n\nif __name__ == "__main__":\n    main()\n';
  const file = path.join(DIR, 'needs_args.py');
  fs.writeFileSync(file, text);
  const read = programSourceReader((p) => (p === file ? text : undefined), DIR, 'SIGTERM');
  const python = identify(['python3', file]);
  assert.equal(python.catalogue, 'python');
  const none = read(['python3', file], python);
  assert.equal(none?.verdict, 'finishes', none?.reason);
  assert.match(none?.reason ?? '', /packages/);
  // given its argument it runs its loop, and CPython's default keeps SIGTERM from it as PID 1
  const given = read(['python3', file, 'pkg'], python);
  assert.equal(given?.verdict, 'no-handler', given?.reason);
  const run = await startAsInit(['python3', file], { comm: 'python3' });
  try {
    const end = await within(run.exited, 10_000);
    assert.ok(end, 'still running 10 s after it started without its argument');
    assert.equal(end.code, 2, run.output());
    assert.match(run.output(), /the following arguments are required: packages/);
  } finally {
    await run.destroy();
  }
  const serving = await startAsInit(['python3', file, 'pkg'], { comm: 'python3' });
  try {
    await waitFor('needs_args.py to start', () => (/ready/.test(serving.output()) ? true : undefined), 20_000, 50);
    process.kill(serving.pid, 'SIGTERM');
    await sleep(1000);
    assert.equal(await within(serving.exited, 10), undefined, 'SIGTERM ended it: CPython as PID 1 should drop it');
  } finally {
    await serving.destroy();
  }
});

test('a Python program given --help, or fewer arguments than its sys.argv guard wants: pid1 says finishes, and python3 as PID 1 prints and exits at once', async () => {
  // pegi3s' sppider-seq (ENTRYPOINT python3 run_sppider_seq.py, CMD ["--help"]) and pipenn (`if len(sys.argv) < 2:` usage, sys.exit(1))
  const parser =
    'import argparse, time\nparser = argparse.ArgumentParser()\nparser.add_argument("--data", default="/data")\nargs = parser.parse_args()\nprint("ready", flush=True)\nwhile True:\n    time.sleep(1)\n';
  const guard =
    'import sys, time\n\ndef main():\n    if len(sys.argv) < 2:\n        print("Usage: predict FILE [OUT]")\n        # nothing to do without an input\n        sys.exit(1)\n\n    print("ready", flush=True)\n    while True:\n        time.sleep(1)\n\nif __name__ == "__main__":\n    main()\n';
  // (loads the Python grammar, which the synchronous reader needs for the program's handlers)
  assert.equal((await analyzeProgramSource(guard, { path: 'guard.py' })).verdict, 'no-handler');
  const cases = [
    { name: 'help.py', text: parser, args: ['--help'], status: 0, output: /usage: help\.py/, loops: [] as string[] },
    { name: 'guard.py', text: guard, args: [] as string[], status: 1, output: /Usage: predict/, loops: ['in.pdb'] },
  ];
  for (const c of cases) {
    const file = path.join(DIR, c.name);
    fs.writeFileSync(file, c.text);
    const read = programSourceReader((p) => (p === file ? c.text : undefined), DIR, 'SIGTERM');
    const python = identify(['python3', file]);
    const verdict = read(['python3', file, ...c.args], python);
    assert.equal(verdict?.verdict, 'finishes', `${c.name}: ${verdict?.reason}`);
    const run = await startAsInit(['python3', file, ...c.args], { comm: 'python3' });
    try {
      const end = await within(run.exited, 10_000);
      assert.ok(end, `${c.name}: still running 10 s after it started`);
      assert.equal(end.code, c.status, run.output());
      assert.match(run.output(), c.output);
    } finally {
      await run.destroy();
    }
    // given what it wants it runs its loop: the verdict is the program's handlers again, not an exit
    if (c.loops.length) assert.equal(read(['python3', file, ...c.loops], python)?.verdict, 'no-handler');
  }
  // --help only as the parser's: add_help=False leaves it an unknown option (exit 2, still at once) — not claimed
  const noHelp = parser.replace('ArgumentParser()', 'ArgumentParser(add_help=False)');
  const file = path.join(DIR, 'nohelp.py');
  fs.writeFileSync(file, noHelp);
  const read = programSourceReader((p) => (p === file ? noHelp : undefined), DIR, 'SIGTERM');
  assert.notEqual(read(['python3', file, '--help'], identify(['python3', file]))?.verdict, 'finishes');
});

test('a Python script of its own code and quiet standard modules: pid1 says finishes, and python3 as PID 1 returns and exits 0 by itself', () => {
  // marcel-dempers' python/introduction/part-3.json: rewrite a JSON file, print the names, return
  const text =
    'import os.path\nimport json\n\nrows = {"a": "James Baker", "b": "Ivo Galic"}\nwith open("customers.json", "w") as f:\n    f.write(json.dumps(rows))\nif os.path.isfile("customers.json"):\n    for k, v in json.loads(open("customers.json").read()).items():\n        print(k, v)\n';
  const dir = fs.mkdtempSync(path.join(DIR, 'returns-'));
  const file = path.join(dir, 'app.py');
  fs.writeFileSync(file, text);
  const read = programSourceReader((p) => (p === file ? text : undefined), dir, 'SIGTERM');
  const python = identify(['python3', file]);
  const verdict = read(['python3', file], python);
  assert.equal(verdict?.verdict, 'finishes', verdict?.reason);
  // PID 1 of a fresh namespace, run to its end (killed with the namespace after 10 s if it did not end by itself)
  const out = execFileSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', 'python3', 'app.py'], { cwd: dir, encoding: 'utf8', timeout: 10_000 });
  assert.match(out, /b Ivo Galic/);
});

test("node loads an entry file with no extension as the program (`node ./bin/www`, Node's LOAD_AS_FILE)", async () => {
  const dir = path.join(DIR, 'www-app');
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'bin', 'www'), "#!/usr/bin/env node\nconsole.log('www loaded');\n");
  fs.writeFileSync(path.join(dir, 'bin', 'www.js'), "console.log('www.js loaded');\n");
  const out = execFileSync(process.execPath, ['./bin/www'], { cwd: dir, encoding: 'utf8' });
  assert.match(out, /^www loaded/, 'node ran the file itself, before www.js');
});

test('node with no program behind tini: SIGTERM ends its REPL at once (no handler, not PID 1), and tini exits with it', {
  skip: fs.existsSync('/usr/bin/tini') ? false : 'install tini (scripts/install-deps.sh)',
}, async () => {
  // avenga's nodejs-runner: `ENTRYPOINT ["tini", "--", "node"]` with no script, the REPL as used
  const run = await startAsInit(['tini', '--', process.execPath], { comm: 'tini' });
  try {
    await sleep(1000);
    assert.equal(await within(run.exited, 10), undefined, 'node read its program from the open stdin, and kept waiting');
    process.kill(run.pid, 'SIGTERM');
    const end = await within(run.exited, 5000);
    assert.ok(end, 'tini and node still running 5 s after SIGTERM');
  } finally {
    await run.destroy();
  }
});

/**
 * The package as users get it: `npm pack`, installed into an empty prefix with install scripts blocked
 * (npm 11's default; passed explicitly so that an older npm behaves the same), then run as `npx pid1`
 * and as a global install. Needs the npm registry for the dependencies (as `npm ci` does).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run, tempDir, type RunResult } from './helpers/exec.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The installed size budget (issue 14), in bytes of file content, as npm's "unpacked size" counts them. */
const BUDGET = 25_000_000;

const NPM_QUIET = ['--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];

/** Bytes of file content under dir, not descending into nested node_modules (counted as their own packages). */
function contentBytes(dir: string, skipNested = false): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (skipNested && e.name === 'node_modules') continue;
      n += contentBytes(p, skipNested);
    } else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;

async function npm(args: string[], cwd: string): Promise<string> {
  const r = await run('npm', args, { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
  assert.equal(r.code, 0, `npm ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** Packed once for every test (dist/ is already built by `npm test`: no prepare script here). */
let tarball: Promise<string> | undefined;
function pack(): Promise<string> {
  tarball ??= (async () => {
    const dest = tempDir('pid1-pack-');
    const out = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], repo);
    const [info] = JSON.parse(out) as { filename: string; files: { path: string }[]; size: number; unpackedSize: number }[];
    assert.ok(info);
    return path.join(dest, info.filename);
  })();
  return tarball;
}

/** A program of each language a grammar reads, with and without a SIGTERM handler, and the Dockerfile that runs it. */
const GRAMMAR_PROJECTS: Record<string, { common: Record<string, string>; handled: Record<string, string>; unhandled: Record<string, string> }> = {
  python: {
    common: { Dockerfile: 'FROM python:3.12-slim\nCOPY app.py /app/app.py\nCMD ["python", "/app/app.py"]\n' },
    handled: { 'app.py': 'import signal\nsignal.signal(signal.SIGTERM, lambda s, f: exit(0))\nwhile True: pass\n' },
    unhandled: { 'app.py': 'while True: pass\n' },
  },
  javascript: {
    common: { Dockerfile: 'FROM node:20-slim\nCOPY app.js /app/app.js\nCMD ["node", "/app/app.js"]\n' },
    handled: { 'app.js': 'process.on("SIGTERM", () => process.exit(0));\nsetInterval(() => {}, 1000);\n' },
    unhandled: { 'app.js': 'setInterval(() => {}, 1000);\n' },
  },
  go: {
    common: {
      Dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nFROM debian:12-slim\nCOPY --from=build /out/app /app\nCMD ["/app"]\n',
      'go.mod': 'module example.com/app\n\ngo 1.22\n',
    },
    handled: { 'main.go': 'package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGTERM)\n\t<-c\n}\n' },
    // a server (a Go program that serves nothing loses nothing when its runtime exits at once)
    unhandled: { 'main.go': 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil)\n}\n' },
  },
};

const BAD_DOCKERFILE = 'FROM python:3.12-slim\nENTRYPOINT gunicorn app:app\n';
const GOOD_DOCKERFILE = 'FROM python:3.12-slim\nENTRYPOINT ["gunicorn", "app:app"]\n';

test('npm pack: the grammar .wasm and the built CLI, without source maps, tests or the tree-sitter packages', async (t) => {
  const dest = tempDir('pid1-packlist-');
  const [info] = JSON.parse(await npm(['pack', '--ignore-scripts', '--dry-run', '--json', '--pack-destination', dest], repo)) as { files: { path: string }[]; size: number; unpackedSize: number }[];
  assert.ok(info);
  const files = info.files.map((f) => f.path);
  for (const f of [
    'dist/src/model/tree-sitter-bash.wasm',
    'dist/src/sources/tree-sitter-python.wasm',
    'dist/src/sources/tree-sitter-javascript.wasm',
    'dist/src/sources/tree-sitter-go.wasm',
    'dist/vendor/web-tree-sitter/tree-sitter.js',
    'dist/vendor/web-tree-sitter/tree-sitter.wasm',
  ])
    assert.ok(files.includes(f), `${f} is shipped`);
  assert.ok(files.includes('dist/src/cli/main.js'));
  // the bin: a CommonJS entry that starts `pid1 init` without the ESM loader (src/cli/pid1.cts)
  assert.ok(files.includes('dist/src/cli/pid1.cjs'));
  const bin = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
  assert.deepEqual(bin, { pid1: 'dist/src/cli/pid1.cjs' });
  // the commands as the build bundled them (scripts/bundle-cli.mjs), not their modules a second time
  assert.ok(files.includes('dist/src/cli-bundle/program.js'));
  assert.deepEqual(
    files.filter((f) => f.startsWith('dist/src/') && f.endsWith('.js') && f !== 'dist/src/cli/main.js' && !f.startsWith('dist/src/cli-bundle/')),
    [],
  );
  assert.ok(files.includes('docs/rules/shell-pid1.md'), 'rule pages (the LSP links them)');
  assert.deepEqual(
    files.filter((f) => f.endsWith('.map') || f.startsWith('dist/test/') || f.startsWith('src/')),
    [],
  );
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.deepEqual(
    Object.keys(pkg.dependencies).filter((d) => d.includes('tree-sitter')),
    [],
    'web-tree-sitter and the grammars are devDependencies: only their .js/.wasm ship',
  );
  t.diagnostic(`tarball ${mb(info.size)}, unpacked ${mb(info.unpackedSize)}, ${files.length} files`);
});

test('installed with scripts blocked into an empty prefix: `npx pid1 lint .` finds the error, passes a good file, and the install fits the budget', async (t) => {
  const tgz = await pack();
  const app = tempDir('pid1-install-');
  fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n');
  const t0 = Date.now();
  await npm(['install', ...NPM_QUIET, tgz], app);
  const seconds = (Date.now() - t0) / 1000;
  const nm = path.join(app, 'node_modules');
  assert.deepEqual(
    fs.readdirSync(nm).filter((d) => d.includes('tree-sitter')),
    [],
    'no tree-sitter package is installed',
  );
  const total = contentBytes(nm);
  // what the runtime adapters' clients bring (dockerode: the Engine API; @grpc: containerd), measured with
  // npm query: the packages only they need. A later runtime task replaces them; reported here.
  const paths = async (selector: string): Promise<Set<string>> => new Set((JSON.parse(await npm(['query', selector], app)) as { path: string }[]).map((x) => x.path));
  const own = async (names: string[]): Promise<number> => {
    const sel = names.map((n) => `#${n}`).join(', ');
    const theirs = await paths(names.map((n) => `#pid1 > #${n}, #pid1 > #${n} *`).join(', '));
    const others = await paths(`#pid1 > :not(${sel}), #pid1 > :not(${sel}) *`);
    let n = 0;
    for (const p of theirs) if (!others.has(p)) n += contentBytes(p, true);
    return n;
  };
  const dockerode = await own(['dockerode']);
  const clients = await own(['dockerode', '@grpc/grpc-js', '@grpc/proto-loader']);
  t.diagnostic(`installed ${mb(total)} in ${seconds.toFixed(1)} s; only dockerode's: ${mb(dockerode)}; only the runtime clients' (dockerode, @grpc/*): ${mb(clients)}`);
  assert.ok(dockerode > 0 && clients > dockerode, 'measured');
  assert.ok(total <= BUDGET, `installed size ${mb(total)}, over ${mb(BUDGET)}`);

  // The app is the project: `npx pid1 lint .` in it runs node_modules/.bin/pid1 (the walk skips node_modules).
  const npx = (): Promise<RunResult> => run('npx', ['--no-install', 'pid1', 'lint', '.'], { cwd: app, env: { ...process.env, NO_COLOR: '1' } });
  fs.writeFileSync(path.join(app, 'Dockerfile'), BAD_DOCKERFILE);
  const bad = await npx();
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stdout, /^Dockerfile:2:12 +error +PID 1 is `dash -c`.*\[shell-pid1\]/);
  fs.writeFileSync(path.join(app, 'Dockerfile'), GOOD_DOCKERFILE);
  const good = await npx();
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /no problems in 1 file/);

  // The package carries no copy of koffi.node (the budget): the bundled init loads koffi's platform package's.
  const initBundle = path.join(nm, 'pid1', 'dist', 'init');
  assert.deepEqual(fs.readdirSync(initBundle), ['pid1-init.cjs']);
  const init = await run(process.execPath, [path.join(initBundle, 'pid1-init.cjs'), '--', 'true'], { cwd: app });
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stderr, /pid1 init: exit 0: true\[\d+\] exited 0/);
  // and `pid1 init` through the installed bin (pid1.cjs requires that bundle) passes the child's status on
  const viaBin = await run('npx', ['--no-install', 'pid1', 'init', '--', 'sh', '-c', 'exit 3'], { cwd: app });
  assert.equal(viaBin.code, 3, viaBin.stderr);
  assert.match(viaBin.stderr, /pid1 init: exit 3: sh\[\d+\] exited 3/);
});

test('global install (npm install -g): `pid1` on PATH lints the working directory', async () => {
  const tgz = await pack();
  const prefix = tempDir('pid1-global-');
  await npm(['install', '-g', '--prefix', prefix, ...NPM_QUIET, tgz], prefix);
  const proj = tempDir('pid1-gproj-');
  fs.writeFileSync(path.join(proj, 'Dockerfile'), BAD_DOCKERFILE);
  const r = await run(path.join(prefix, 'bin', 'pid1'), ['lint', '--format', 'json'], { cwd: proj });
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { files: { findings: { ruleId: string }[] }[] };
  assert.deepEqual(
    out.files.flatMap((f) => f.findings.map((x) => x.ruleId)),
    ['shell-pid1'],
  );
  // the program-source grammars (Python, JavaScript, Go) load from the installed package too: the program a
  // Dockerfile runs decides, by its handler (the package ships the CLI bundle, not the modules: scripts/bundle-cli.mjs)
  for (const [lang, files] of Object.entries(GRAMMAR_PROJECTS)) {
    for (const [handler, source] of [
      [true, files.handled],
      [false, files.unhandled],
    ] as const) {
      const dir = tempDir(`pid1-g${lang}-`);
      for (const [name, text] of Object.entries({ ...files.common, ...source })) fs.writeFileSync(path.join(dir, name), text);
      const g = await run(path.join(prefix, 'bin', 'pid1'), ['lint', '--format', 'json'], { cwd: dir });
      const rules = (JSON.parse(g.stdout) as { files: { findings: { ruleId: string }[] }[] }).files.flatMap((f) => f.findings.map((x) => x.ruleId));
      assert.deepEqual(rules, handler ? [] : ['service-no-handler'], `${lang}, ${handler ? 'with' : 'without'} a SIGTERM handler: ${g.stderr}`);
    }
  }
  const v = await run(path.join(prefix, 'bin', 'pid1'), ['--version'], { cwd: proj });
  assert.equal(v.stdout.trim(), (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version);
});

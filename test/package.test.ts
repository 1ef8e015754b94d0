/**
 * The package as users get it: `npm pack`, installed into an empty prefix with install scripts blocked
 * (npm 11's default; passed explicitly so that an older npm behaves the same), then run as `npx pid1`
 * and as a global install. Needs the npm registry for the dependencies (as `npm ci` does).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  // the program-source grammars (Python, JavaScript, Go) load from the installed package too (the CLI does
  // not call them yet: through the module)
  const mod = pathToFileURL(path.join(prefix, 'lib/node_modules/pid1/dist/src/sources/program-source.js')).href;
  const script = `const { analyzeProgramSource } = await import(${JSON.stringify(mod)});
for (const [file, text] of [['app.py', 'import signal\\nsignal.signal(signal.SIGTERM, lambda s, f: exit(0))\\n'], ['app.js', 'process.on("SIGTERM", () => process.exit(0));\\n'], ['main.go', 'package main\\nimport "os/signal"\\nfunc main() { signal.Notify(nil) }\\n']]) {
  const v = await analyzeProgramSource(text, { path: file });
  console.log(file, typeof v);
}`;
  const grammars = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: prefix });
  assert.equal(grammars.code, 0, grammars.stderr);
  assert.equal(grammars.stdout, 'app.py object\napp.js object\nmain.go object\n');
  const v = await run(path.join(prefix, 'bin', 'pid1'), ['--version'], { cwd: proj });
  assert.equal(v.stdout.trim(), (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version);
});

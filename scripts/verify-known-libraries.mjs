#!/usr/bin/env node
/**
 * Re-verifies src/sources/known-libraries.ts: every library entry against the package's real source.
 *
 *   npm run verify-libs                       # build, then check every entry (downloads; minutes)
 *   node scripts/verify-known-libraries.mjs verify [--only NAME,...] [--latest] [--cache DIR]
 *   node scripts/verify-known-libraries.mjs scan debian:python3-tornado npm:pino@9.6.0 ...
 *
 * Not run in CI: it downloads a few hundred Debian packages (`apt-get download`, then `dpkg-deb -x`, never
 * installed) and npm packages (`npm install --ignore-scripts` into a temporary prefix, so no package code
 * runs), and needs `npm run build` first (it uses pid1's own readers from dist/). Run it as root on a
 * Debian bookworm machine after `apt-get update`, from the repository root. Downloads are cached in
 * $PID1_LIBS_CACHE (default /tmp/pid1-known-libraries).
 *
 * What it checks, per entry:
 * - The package holds the module the entry is keyed by (Python: dist-packages/NAME(.py); Node: the name).
 * - Sites: every place in the package's code that may take a stop signal, found with the tree-sitter
 *   grammars pid1 lints with (comments and strings are never calls): Python signal.signal /
 *   loop.add_signal_handler / signal.sigwait(info) / sigtimedwait / pthread_sigmask as pid1 resolves them,
 *   plus any call of a function or method named `signal` with two arguments, `add_signal_handler`,
 *   `sigwait*` or `pthread_sigmask` however it is spelt; Node process.on/once/addListener/prepend*
 *   as pid1 resolves them, plus any such listener call whose event is a 'SIG...' string, or whose object is
 *   `process` (or ends in `.process`) and whose event is not a literal. Native code (.so, .node): the
 *   dynamic symbols it imports from libc/libuv/CPython that install or wait for signals (sigaction,
 *   signal, bsd_signal, __sysv_signal, sigset, signalfd, sigwait*, PyOS_setsig, uv_signal_start), and in
 *   a Python extension (.so) the names of Python's signal API a Cython module looks up (add_signal_handler,
 *   set_wakeup_fd, default_int_handler), found with `strings`.
 *   The sites found must be exactly the entry's `sites` (by file, enclosing function and signals; lines
 *   may move between versions and are reported, not compared). An entry with verdict 'none' may only
 *   have sites whose signals are none of the stop signals and are resolved.
 * - Dependencies (Debian: the python3-* packages it depends on, recursively; npm: everything
 *   `npm install` brings): each one with a site must have an entry of its own, and none of them may have
 *   verdict 'import' or 'unknown' while the entry says 'none'.
 * - The version: the one recorded must be the one verified (with --latest: Debian's candidate / npm's
 *   latest; a newer version is checked and reported as drift, a failure only when its sites differ).
 * Entries sourced from a GitHub snapshot are checked when /work/.mirror/OWNER+NAME exists (the search
 * tool's fetch); otherwise they are listed as not re-checkable here.
 * - Go (GO_LIBRARIES, always a GitHub snapshot): the snapshot's go.mod (at SUBDIR) must declare the key;
 *   every .go file the go tool builds into an importer is read (not _test.go, not package main, not
 *   testdata/, vendor/, _ or . directories, not nested modules of another path, not `unknownUnder`), with
 *   pid1's Go reader plus os/signal reached by function value or dot import, raw signal system calls
 *   (syscall, x/sys/unix), cgo C code and go:linkname into the runtime's signal hooks; the count must be
 *   the entry's `files`; every module imported from those files needs a 'none' entry of its own.
 * Exit status 0 when every checkable entry holds, 1 otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(path.join(ROOT, 'dist', 'src', 'sources', p)).href;
const { grammarParser } = await import(dist('grammars.js'));
const { pythonFindings } = await import(dist('python-source.js'));
const { javascriptFindings } = await import(dist('javascript-source.js'));
const { goFindings } = await import(dist('go-source.js'));
const { PYTHON_LIBRARIES, NODE_LIBRARIES, GO_LIBRARIES, STOP_SIGNALS, goLibrary, goUnderUnknown, pythonLibrary, underUnknown } = await import(dist('known-libraries.js'));

const CACHE = process.env.PID1_LIBS_CACHE ?? path.join(os.tmpdir(), 'pid1-known-libraries');
fs.mkdirSync(CACHE, { recursive: true });

const SIGNAL_SYMBOLS = new Set([
  'sigaction',
  'signal',
  'bsd_signal',
  '__sysv_signal',
  'sigset',
  'sigvec',
  'signalfd',
  'sigwait',
  'sigwaitinfo',
  'sigtimedwait',
  'PyOS_setsig',
  'uv_signal_start',
  'uv_signal_start_oneshot',
]);
const PY_SIGNAL_NAMES = new Set(['add_signal_handler', 'set_wakeup_fd', 'default_int_handler']);
const PY_NAMES = new Set(['signal', 'add_signal_handler', 'sigwait', 'sigwaitinfo', 'sigtimedwait', 'pthread_sigmask']);
const LISTEN = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28, ...opts });

// ---------- fetching ----------

/** The python3-* packages a Debian package depends on, recursively (real packages only). */
function debianClosure(pkg) {
  const out = run('apt-cache', ['depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', pkg]);
  const names = new Set([pkg]);
  for (const line of out.split('\n')) {
    const m = /^(python3-[a-z0-9.+-]+)$/.exec(line.trim().replace(/^\|?(Pre)?Depends:\s*/, ''));
    if (m) names.add(m[1]);
  }
  return [...names].filter((n) => !/^python3-(minimal|distutils|lib2to3|venv|dev|all|pip|setuptools|pkg-resources)$/.test(n));
}

function debianCandidate(pkg) {
  const out = run('apt-cache', ['policy', pkg]);
  return /Candidate: (\S+)/.exec(out)?.[1];
}

/** Download and extract one Debian package; its files under a directory. */
function debianFetch(pkg) {
  const dir = path.join(CACHE, 'deb');
  fs.mkdirSync(dir, { recursive: true });
  let deb = fs.readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) {
    const r = spawnSync('apt-get', ['download', '-q', pkg], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) return undefined;
    deb = fs.readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) return undefined;
  }
  const version = run('dpkg-deb', ['-f', path.join(dir, deb), 'Version']).trim();
  const root = path.join(CACHE, 'x', `${pkg}_${version}`);
  if (!fs.existsSync(path.join(root, '.done'))) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    run('dpkg-deb', ['-x', path.join(dir, deb), root]);
    fs.writeFileSync(path.join(root, '.done'), '');
  }
  return { name: pkg, version, root };
}

/** npm install PKG@VERSION into a fresh prefix, scripts off; every package of the tree. */
function npmFetch(name, version) {
  const root = path.join(CACHE, 'npm', `${name.replace('/', '+')}@${version}`);
  if (!fs.existsSync(path.join(root, '.done'))) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), '{"private":true}');
    run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', '--omit=peer', '--no-package-lock', '--loglevel=error', `${name}@${version}`], { cwd: root });
    fs.writeFileSync(path.join(root, '.done'), '');
  }
  return root;
}

function npmLatest(name) {
  return run('npm', ['view', name, 'version']).trim();
}

// ---------- scanning ----------

let pyParser;
let jsParser;

function walk(dir, out = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Enclosing definitions of a node, innermost last: `Class.method`, '<module>' at top level. */
function scopeOf(node, kinds, nameOf) {
  const names = [];
  for (let p = node.parent; p; p = p.parent) if (kinds.includes(p.type)) names.unshift(nameOf(p) ?? '<anonymous>');
  return names.length ? names.join('.') : '<module>';
}

function nodeAt(root, line, column) {
  return root.descendantForPosition({ row: line - 1, column: column - 1 });
}

const PY_SCOPES = ['function_definition', 'class_definition', 'lambda'];
const pyScopeName = (n) => (n.type === 'lambda' ? '<lambda>' : n.childForFieldName('name')?.text);

function scanPython(file, rel) {
  const text = fs.readFileSync(file, 'utf8');
  const tree = pyParser.parse(text);
  const sites = [];
  try {
    const f = pythonFindings(tree.rootNode, text, { asEntry: false });
    const seen = new Set();
    for (const r of f.registrations) {
      seen.add(`${r.evidence.line}:${r.evidence.column}`);
      // Setting the default action back installs nothing (and the default is what PID 1 drops).
      if (r.action === 'default') continue;
      const call = nodeAt(tree.rootNode, r.evidence.line, r.evidence.column);
      sites.push({
        file: rel,
        line: r.evidence.line,
        scope: scopeOf(call, PY_SCOPES, pyScopeName),
        api: r.api,
        action: r.action,
        signals: r.signals === undefined ? 'dynamic' : r.signals,
        text: r.evidence.text,
      });
    }
    // Anything else named like a signal API, however it is reached (self._signal.signal(...), sig(...)).
    for (const call of tree.rootNode.descendantsOfType('call')) {
      const fn = call.childForFieldName('function');
      const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.type === 'identifier' ? fn.text : undefined;
      if (!name || !PY_NAMES.has(name)) continue;
      const args = call.childForFieldName('arguments');
      const n = args ? args.namedChildren.filter((a) => a && a.type !== 'comment').length : 0;
      if (name === 'signal' && n !== 2) continue;
      if (name === 'signal' && /(^|\.)SIG_DFL\s*\)?$/.test(args?.namedChildren.filter((a) => a && a.type !== 'comment')[1]?.text ?? '')) continue;
      if (name === 'pthread_sigmask' && /SIG_UNBLOCK|SIG_SETMASK/.test(args?.text ?? '') && !/SIG_BLOCK\b/.test(args?.text ?? '')) continue;
      const key = `${call.startPosition.row + 1}:${call.startPosition.column + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const line = text.split('\n')[call.startPosition.row]?.trim() ?? '';
      const named = [...new Set((args?.text.match(/SIG[A-Z0-9]+/g) ?? []).filter((s) => !/^SIG_/.test(s)))];
      sites.push({
        file: rel,
        line: call.startPosition.row + 1,
        scope: scopeOf(call, PY_SCOPES, pyScopeName),
        api: `${name} (unresolved: ${fn.text})`,
        action: name === 'pthread_sigmask' ? 'block' : 'handler',
        signals: named.length && name !== 'pthread_sigmask' ? named : 'dynamic',
        text: line.slice(0, 160),
      });
    }
  } finally {
    tree.delete();
  }
  return sites;
}

const JS_SCOPES = ['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'class_declaration', 'class'];
function jsScopeName(n) {
  if (
    n.type === 'class_declaration' ||
    n.type === 'class' ||
    n.type === 'function_declaration' ||
    n.type === 'generator_function_declaration' ||
    n.type === 'method_definition' ||
    n.type === 'function_expression'
  ) {
    const nm = n.childForFieldName('name')?.text;
    if (nm) return nm;
  }
  if (n.parent?.type === 'variable_declarator') return n.parent.childForFieldName('name')?.text;
  if (n.parent?.type === 'pair') return n.parent.childForFieldName('key')?.text;
  if (n.parent?.type === 'assignment_expression') return n.parent.childForFieldName('left')?.text;
  return undefined;
}

function jsString(n) {
  if (!n) return undefined;
  if (n.type === 'string')
    return n.namedChildren
      .filter((c) => c && c.type === 'string_fragment')
      .map((c) => c.text)
      .join('');
  if (n.type === 'template_string' && !n.namedChildren.some((c) => c?.type === 'template_substitution')) return n.namedChildren.map((c) => c?.text ?? '').join('');
  return undefined;
}

function scanJavascript(file, rel) {
  const text = fs.readFileSync(file, 'utf8');
  const tree = jsParser.parse(text);
  const sites = [];
  try {
    const f = javascriptFindings(tree.rootNode, text);
    const seen = new Set();
    for (const r of f.registrations) {
      const call = nodeAt(tree.rootNode, r.evidence.line, r.evidence.column);
      seen.add(`${r.evidence.line}:${r.evidence.column}`);
      sites.push({
        file: rel,
        line: r.evidence.line,
        scope: scopeOf(call, JS_SCOPES, jsScopeName),
        api: r.api,
        action: 'handler',
        signals: r.signals === undefined ? 'dynamic' : r.signals,
        text: r.evidence.text,
      });
    }
    for (const call of tree.rootNode.descendantsOfType('call_expression')) {
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'member_expression') continue;
      const prop = fn.childForFieldName('property')?.text ?? '';
      if (!LISTEN.has(prop)) continue;
      const args = call.childForFieldName('arguments');
      const first = args?.namedChildren.find((a) => a && a.type !== 'comment');
      const lit = jsString(first);
      const obj = fn.childForFieldName('object')?.text ?? '';
      const isSig = lit !== undefined && /^SIG[A-Z0-9]+$/.test(lit);
      const dynamicOnProcess = lit === undefined && /(^|\.)process$/.test(obj);
      if (!isSig && !dynamicOnProcess) continue;
      const key = `${call.startPosition.row + 1}:${call.startPosition.column + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const line = (text.split('\n')[call.startPosition.row] ?? '').trim();
      sites.push({
        file: rel,
        line: call.startPosition.row + 1,
        scope: scopeOf(call, JS_SCOPES, jsScopeName),
        api: `${obj.slice(0, 40)}.${prop} (unresolved)`,
        action: 'handler',
        signals: isSig ? [lit] : 'dynamic',
        text: line.length > 160 ? `${line.slice(0, 157)}...` : line,
      });
    }
  } finally {
    tree.delete();
  }
  return sites;
}

function scanNative(file, rel) {
  const r = spawnSync('nm', ['-D', '--undefined-only', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) return [];
  const syms = new Set();
  for (const line of r.stdout.split('\n')) {
    const name = line.trim().split(/\s+/).pop()?.replace(/@.*$/, '');
    if (name && SIGNAL_SYMBOLS.has(name)) syms.add(name);
  }
  // A Cython extension calls Python's signal module by name, not through libc: its string table holds the
  // attribute names it looks up (uvloop's loop.so: add_signal_handler, set_wakeup_fd, default_int_handler).
  if (/\.so$/.test(file)) {
    const strings = spawnSync('strings', ['-a', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const line of strings.stdout?.split('\n') ?? []) if (PY_SIGNAL_NAMES.has(line)) syms.add(line);
  }
  return syms.size ? [{ file: rel, symbols: [...syms].sort() }] : [];
}

/** Every site in the files under `root` (paths reported relative to `base`). */
function scanTree(root, base, language) {
  const files = walk(root);
  const sites = [];
  const native = [];
  let count = 0;
  let failed = 0;
  for (const f of files) {
    const rel = path.relative(base, f);
    try {
      if (/\.(so(\.\d+)*|node)$/.test(f)) {
        native.push(...scanNative(f, rel));
        continue;
      }
      if (language === 'python' && f.endsWith('.py')) {
        count++;
        sites.push(...scanPython(f, rel));
      } else if (language === 'javascript' && /\.(js|cjs|mjs)$/.test(f) && fs.statSync(f).size < 20_000_000) {
        count++;
        sites.push(...scanJavascript(f, rel));
      }
    } catch (e) {
      failed++;
      sites.push({ file: rel, line: 0, scope: '<file>', api: 'unreadable', action: 'handler', signals: 'dynamic', text: String(e.message ?? e).slice(0, 120) });
    }
  }
  return { files: count, failed, sites, native };
}

// ---------- per package ----------

const PY_DIR = 'usr/lib/python3/dist-packages';

/** Scan a Debian package and its python3-* closure. */
function scanDebian(pkg) {
  const closure = debianClosure(pkg);
  // One apt-get for every package not downloaded yet (apt's start-up dominates one-by-one downloads);
  // debianFetch falls back to one at a time for any the batch did not bring.
  const dir = path.join(CACHE, 'deb');
  fs.mkdirSync(dir, { recursive: true });
  const have = fs.readdirSync(dir);
  const want = closure.filter((n) => !have.some((f) => f.startsWith(`${n}_`)));
  if (want.length > 1) {
    // Only real packages (a virtual one has no candidate and would fail the whole batch).
    const policy = run('apt-cache', ['policy', ...want]);
    const real = [...policy.matchAll(/^(\S+):\n\s+Installed: .*\n\s+Candidate: (\S+)/gm)].filter((m) => m[2] !== '(none)').map((m) => m[1]);
    if (real.length) spawnSync('apt-get', ['download', '-q', ...real], { cwd: dir, encoding: 'utf8' });
  }
  const packages = [];
  for (const name of closure) {
    const got = debianFetch(name);
    if (!got) {
      packages.push({ name, missing: true });
      continue;
    }
    const base = path.join(got.root, PY_DIR);
    // A package's scan depends only on its version (and this script): cached beside its files.
    const memo = path.join(got.root, '.scan.json');
    const s = fs.existsSync(memo) && fs.statSync(memo).mtimeMs > fs.statSync(fileURLToPath(import.meta.url)).mtimeMs ? JSON.parse(fs.readFileSync(memo, 'utf8')) : scanTree(base, base, 'python');
    fs.writeFileSync(memo, JSON.stringify(s));
    const modules = fs.existsSync(base) ? fs.readdirSync(base).filter((m) => (!/\.(dist|egg)-info$/.test(m) && !m.startsWith('_')) || m === '_cffi_backend.cpython-311-x86_64-linux-gnu.so') : [];
    packages.push({ name, version: got.version, modules, ...s });
  }
  return packages;
}

function scanNpm(name, version) {
  const root = npmFetch(name, version);
  const nm = path.join(root, 'node_modules');
  // Group by package directory (node_modules/@scope/name or node_modules/name, nested ones too).
  const byPkg = new Map();
  const s = scanTree(nm, nm, 'javascript');
  const pkgOf = (rel) => {
    const parts = rel.split(path.sep);
    let last = 0;
    for (let i = 0; i < parts.length; i++) if (parts[i] === 'node_modules' || i === 0) last = i === 0 ? 0 : i + 1;
    const p = parts.slice(last, parts[last]?.startsWith('@') ? last + 2 : last + 1).join('/');
    return p;
  };
  for (const site of s.sites) {
    const p = pkgOf(site.file);
    if (!byPkg.has(p)) byPkg.set(p, { sites: [], native: [] });
    byPkg.get(p).sites.push(site);
  }
  for (const n of s.native) {
    const p = pkgOf(n.file);
    if (!byPkg.has(p)) byPkg.set(p, { sites: [], native: [] });
    byPkg.get(p).native.push(n);
  }
  const pkgJson = JSON.parse(fs.readFileSync(path.join(nm, name, 'package.json'), 'utf8'));
  const tree = walk(nm).filter((f) => f.endsWith(`${path.sep}package.json`) && path.basename(path.dirname(f)) !== 'node_modules').length;
  return { name, version: pkgJson.version, files: s.files, failed: s.failed, treePackages: tree, byPkg: Object.fromEntries(byPkg) };
}

// ---------- verification ----------

const sig = (s) => `${s.file.replace(/^[^/]*\/(?=node_modules)/, '')}#${s.scope}:${s.action}:${Array.isArray(s.signals) ? [...s.signals].sort().join('|') : s.signals}`;
const stopRelevant = (s) => s.action !== 'native' && (s.signals === 'dynamic' || s.signals.some((x) => STOP_SIGNALS.includes(x)));

function parseSource(source) {
  const m = /^(debian|npm|github):(.+?)@([^@]+)$/.exec(source);
  if (!m) throw new Error(`bad source ${source}`);
  return { kind: m[1], name: m[2], version: m[3] };
}

function compare(entryName, entry, found, problems) {
  const want = new Map((entry.sites ?? []).map((s) => [s.key, s]));
  const got = new Map(found.map((s) => [sig(s), s]));
  for (const [k, s] of got) if (!want.has(k)) problems.push(`${entryName}: site not in the table: ${k} (${s.file}:${s.line} ${s.text})`);
  for (const k of want.keys()) if (!got.has(k)) problems.push(`${entryName}: site in the table not found: ${k}`);
  // A site the parser cannot resolve counts as its hand-read signals (the table's `resolved`).
  const taken = found.filter((s) => stopRelevant({ ...s, signals: want.get(sig(s))?.resolved ?? s.signals }));
  if (entry.verdict === 'none' && taken.length) problems.push(`${entryName}: verdict 'none' but a stop signal may be taken: ${taken.map(sig).join(', ')}`);
}

function compareNative(entryName, entry, found, problems) {
  const want = new Set((entry.native ?? []).map((n) => n));
  const got = new Set(found.map((n) => `${n.file.replace(/\.cpython-\d+[^.]*\.so$/, '.so').replace(/^.*node_modules\//, '')}:${n.symbols.join(',')}`));
  for (const g of got) if (!want.has(g)) problems.push(`${entryName}: native code imports signal functions, not in the table: ${g}`);
  for (const w of want) if (!got.has(w)) problems.push(`${entryName}: native site in the table not found: ${w}`);
}

const pyEntryOfPackage = (pkg) => Object.entries(PYTHON_LIBRARIES).filter(([, e]) => parseSource(e.source).name === pkg);
const nodeEntryOfPackage = (pkg) => Object.entries(NODE_LIBRARIES).filter(([k]) => k === pkg);

function verifyPython(key, entry, latest, problems, notes) {
  const src = parseSource(entry.source);
  if (src.kind !== 'debian') return verifyGithub(key, entry, 'python', problems, notes);
  const cand = debianCandidate(src.name);
  if (!cand) {
    problems.push(`${key}: ${src.name} is not a Debian package here`);
    return;
  }
  if (cand !== src.version) (latest ? notes : problems).push(`${key}: the table says ${src.name} ${src.version}, Debian has ${cand}`);
  const packages = scanDebian(src.name);
  const own = packages[0];
  if (own.missing) {
    problems.push(`${key}: ${src.name} could not be downloaded`);
    return;
  }
  const top = key.split('.')[0];
  const modPath = key.split('.').join('/');
  const base = path.join(CACHE, 'x', `${own.name}_${own.version}`, PY_DIR);
  if (!fs.existsSync(path.join(base, modPath)) && !fs.existsSync(path.join(base, `${modPath}.py`)) && !fs.readdirSync(base).some((f) => f.startsWith(`${top}.`) && f.endsWith('.so')))
    problems.push(`${key}: ${src.name} has no module ${key}`);
  compare(key, entry, own.sites, problems);
  compareNative(key, entry, own.native, problems);
  for (const dep of packages.slice(1)) {
    if (entry.verdict === 'unknown' || dep.missing || (!dep.sites.length && !dep.native.length)) continue;
    const entries = pyEntryOfPackage(dep.name);
    if (!entries.length)
      problems.push(
        `${key}: depends on ${dep.name}, which has sites (${dep.sites
          .map(sig)
          .concat(dep.native.map((n) => `${n.file}:${n.symbols}`))
          .join(', ')
          .slice(0, 300)}) and no entry`,
      );
    for (const [k, e] of entries) if (entry.verdict === 'none' && (e.verdict === 'import' || e.verdict === 'unknown')) problems.push(`${key}: 'none', but it depends on ${k} (${e.verdict})`);
  }
  notes.push(`${key}: ${src.name} ${own.version}: ${own.files} files, ${own.sites.length} sites, ${own.native.length} native; closure ${packages.length} packages`);
}

function verifyNode(key, entry, latest, problems, notes) {
  const src = parseSource(entry.source);
  if (src.kind !== 'npm') return verifyGithub(key, entry, 'javascript', problems, notes);
  let version = src.version;
  if (latest) {
    const l = npmLatest(src.name);
    if (l !== version) notes.push(`${key}: the table has ${version}, npm's latest is ${l}: checking ${l}`);
    version = l;
  }
  const r = scanNpm(src.name, version);
  const own = r.byPkg[src.name] ?? { sites: [], native: [] };
  compare(key, entry, own.sites, problems);
  compareNative(key, entry, own.native, problems);
  for (const [p, s] of Object.entries(r.byPkg)) {
    if (p === src.name || entry.verdict === 'unknown') continue;
    const entries = nodeEntryOfPackage(p);
    if (!entries.length)
      problems.push(
        `${key}: its tree holds ${p}, which has sites (${s.sites
          .map(sig)
          .concat(s.native.map((n) => `${n.file}:${n.symbols}`))
          .join(', ')
          .slice(0, 300)}) and no entry`,
      );
    for (const [k, e] of entries) if (entry.verdict === 'none' && (e.verdict === 'import' || e.verdict === 'unknown')) problems.push(`${key}: 'none', but its tree holds ${k} (${e.verdict})`);
  }
  notes.push(`${key}: ${src.name}@${r.version}: ${r.files} files in a tree of ${r.treePackages} packages, ${own.sites.length} own sites`);
}

/** The snapshot's source files, extracted once: the directory of SUBDIR, or undefined (a note or a problem says why). */
function githubTree(key, entry, problems, notes) {
  const src = parseSource(entry.source);
  const [repo, sub = ''] = src.name.split(':');
  const gitDir = ['/work/.mirror', process.env.PID1_MIRROR]
    .filter(Boolean)
    .map((d) => path.join(d, repo.replace('/', '+')))
    .find((d) => fs.existsSync(d));
  if (!gitDir) {
    notes.push(`${key}: from a GitHub snapshot (${src.name}@${src.version}), not re-checkable here (no mirror)`);
    return undefined;
  }
  const gd = fs.existsSync(path.join(gitDir, 'repo')) ? path.join(gitDir, 'repo') : gitDir;
  const out = path.join(CACHE, 'gh2', `${repo.replace('/', '+')}@${src.version}`);
  if (!fs.existsSync(path.join(out, '.done'))) {
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    // Source files only, blob by blob: a snapshot may lack its largest blobs, which `git archive` stops at.
    const ls = spawnSync('git', ['--git-dir', gd, 'ls-tree', '-r', '-z', src.version], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (ls.status !== 0) {
      problems.push(`${key}: commit ${src.version} is not in ${gd}`);
      return undefined;
    }
    for (const rec of ls.stdout.split('\0')) {
      const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(rec);
      if (!m || !/(\.(py|js|cjs|mjs|go|c|h|cc|cpp|s|S)|(^|\/)go\.mod)$/.test(m[2])) continue;
      const blob = spawnSync('git', ['--git-dir', gd, 'cat-file', 'blob', m[1]], { maxBuffer: 1 << 28 });
      if (blob.status !== 0) continue;
      fs.mkdirSync(path.dirname(path.join(out, m[2])), { recursive: true });
      fs.writeFileSync(path.join(out, m[2]), blob.stdout);
    }
    fs.writeFileSync(path.join(out, '.done'), '');
  }
  return { root: out, base: path.join(out, sub), src };
}

function verifyGithub(key, entry, language, problems, notes) {
  const tree = githubTree(key, entry, problems, notes);
  if (!tree) return;
  // Python: only the key's top-level package is installed (not setup.py, noxfile.py or tests beside it).
  const s = scanTree(language === 'python' ? path.join(tree.base, key.split('.')[0]) : tree.base, tree.base, language);
  compare(key, entry, s.sites, problems);
  if (language !== 'python') {
    notes.push(`${key}: ${tree.src.name}@${tree.src.version.slice(0, 12)}: ${s.files} files, ${s.sites.length} sites`);
    return;
  }
  // Python from a snapshot (a distribution Debian does not package): the SUBDIR is the distribution's
  // import root (src/ or the repository root); it must hold the module, and what its code imports from
  // outside it must be verified too, as Debian's dependency closure is for the packages from Debian.
  const modPath = path.join(tree.base, ...key.split('.'));
  if (!fs.existsSync(modPath) && !fs.existsSync(`${modPath}.py`)) problems.push(`${key}: ${tree.src.name} has no module ${key}`);
  if (s.files !== entry.files) problems.push(`${key}: ${s.files} files read, the table says ${entry.files}`);
  const { required, optional } = pythonImportsOutside(tree.base, key.split('.')[0]);
  // `from a.b import x, y`: a.b.x and a.b.y are looked up (x may be a module of a namespace package), one line per a.b.
  const missing = new Map();
  for (const [mod, { rel, scope }] of required) {
    // An import inside a part the entry leaves to the program (unknownUnder) runs only when the program uses that part.
    if (underUnknown(entry, scope)) continue;
    const lib = pythonLibrary(mod);
    const parent = mod.includes('.') ? mod.slice(0, mod.lastIndexOf('.')) : mod;
    if (!lib) missing.set(parent, [...(missing.get(parent) ?? [rel]), mod.slice(parent.length + 1)]);
    else if (entry.verdict !== 'unknown' && (lib.library.verdict === 'import' || lib.library.verdict === 'unknown' || underUnknown(lib.library, mod)))
      problems.push(`${key}: ${rel} imports ${mod} (${lib.name}: ${lib.library.verdict}${underUnknown(lib.library, mod) ? ', unknownUnder' : ''})`);
  }
  for (const [parent, [rel, ...names]] of missing)
    problems.push(`${key}: ${rel} imports ${parent}${names.filter(Boolean).length ? ` (${names.filter(Boolean).slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''})` : ''}, which has no entry`);
  const unverified = [...optional].filter(([mod, { scope }]) => !pythonLibrary(mod) && !underUnknown(entry, scope)).map(([mod, { rel }]) => `${mod} (${rel})`);
  notes.push(
    `${key}: ${tree.src.name}@${tree.src.version.slice(0, 12)}: ${s.files} files, ${s.sites.length} sites, ${required.size} imports from outside${unverified.length ? `; optional imports (try/except ImportError) of modules with no entry, not verified: ${unverified.join(', ')}` : ''}`,
  );
}

let stdlibNames;
/** sys.stdlib_module_names of the python3 here (Debian bookworm: CPython 3.11). */
function stdlib() {
  stdlibNames ??= new Set(run('python3', ['-c', 'import sys; print("\\n".join(sys.stdlib_module_names))']).split('\n').filter(Boolean));
  return stdlibNames;
}

/**
 * The modules that the Python files of the package `top` under `base` import from outside `base` (not the standard library):
 * module -> first file. Imports under `if TYPE_CHECKING:` never run and are skipped; those inside a
 * `try:` that catches ImportError are optional (the code runs without them) and are listed apart. Each
 * import says where it runs (its scope: `pkg.mod.Class.method`), so that the parts an entry leaves to the
 * program (unknownUnder) may import what is not verified.
 */
function pythonImportsOutside(base, top) {
  const required = new Map();
  const optional = new Map();
  const isDir = (p) => fs.existsSync(p) && fs.statSync(p).isDirectory();
  const at = (dotted) => path.join(base, ...dotted.split('.'));
  // A module file or a package (regular or namespace) of that name in the tree.
  const inTree = (dotted) => fs.existsSync(`${at(dotted)}.py`) || isDir(at(dotted));
  // A regular module or package (its names come from its own code, not from other distributions).
  const regular = (dotted) => fs.existsSync(`${at(dotted)}.py`) || fs.existsSync(path.join(at(dotted), '__init__.py'));
  for (const f of walk(path.join(base, top))) {
    if (!f.endsWith('.py')) continue;
    const rel = path.relative(base, f);
    const text = fs.readFileSync(f, 'utf8');
    const t = pyParser.parse(text);
    try {
      for (const st of t.rootNode.descendantsOfType(['import_statement', 'import_from_statement'])) {
        let typeOnly = false;
        let guarded = false;
        for (let p = st.parent; p; p = p.parent) {
          if (p.type === 'if_statement' && /TYPE_CHECKING/.test(p.childForFieldName('condition')?.text ?? '')) typeOnly = true;
          if (p.type === 'try_statement' && p.namedChildren.some((c) => c?.type === 'except_clause' && /ImportError|ModuleNotFoundError|Exception\b|^except\s*:/.test(c.text.split('\n')[0] ?? '')))
            guarded = true;
        }
        if (typeOnly) continue;
        const wanted = [];
        if (st.type === 'import_statement') {
          for (const n of st.childrenForFieldName('name')) {
            const d = n?.type === 'aliased_import' ? n.childForFieldName('name')?.text : n?.text;
            if (d) wanted.push(d.split('.').some((_, i, all) => regular(all.slice(0, i + 1).join('.'))) || inTree(d) ? undefined : d);
          }
        } else {
          const mod = st.childForFieldName('module_name');
          if (!mod || mod.type === 'relative_import') continue;
          for (const n of st.childrenForFieldName('name')) {
            const name = n?.type === 'aliased_import' ? n.childForFieldName('name')?.text : n?.text;
            if (!name) continue;
            const d = `${mod.text}.${name}`;
            wanted.push(inTree(d) || mod.text.split('.').some((_, i, all) => regular(all.slice(0, i + 1).join('.'))) ? undefined : d);
          }
          if (!st.childrenForFieldName('name').length) wanted.push(regular(mod.text) ? undefined : mod.text);
        }
        // Where the import runs: the module's dotted name and the definitions around it (pkg.mod.Class.method).
        const module = rel
          .replace(/(\/__init__)?\.py$/, '')
          .split(path.sep)
          .join('.');
        const around = scopeOf(st, PY_SCOPES, pyScopeName);
        const scope = around === '<module>' ? module : `${module}.${around}`;
        for (const d of wanted) {
          if (!d || stdlib().has(d.split('.')[0] ?? d) || d.startsWith('__future__')) continue;
          const into = guarded ? optional : required;
          if (!into.has(d)) into.set(d, { rel, scope });
        }
      }
    } finally {
      t.delete();
    }
  }
  for (const d of required.keys()) optional.delete(d);
  return { required, optional };
}

// ---------- Go ----------

/** The module path a go.mod declares. */
const moduleOf = (gomod) => /^module\s+"?([^"\s]+)"?/m.exec(fs.readFileSync(gomod, 'utf8'))?.[1];

/**
 * The import path of a directory: the nearest go.mod at or above it (inside the snapshot) plus the rest.
 * A tree without go.mod (a GOPATH-era version) is imported by the path it is fetched under: the key.
 */
function importPathOf(dir, root, base, key) {
  for (let d = dir; d.startsWith(root); d = path.dirname(d)) {
    const gomod = path.join(d, 'go.mod');
    if (fs.existsSync(gomod)) {
      const mod = moduleOf(gomod);
      const rest = path.relative(d, dir).split(path.sep).join('/');
      return mod && (rest ? `${mod}/${rest}` : mod);
    }
    if (d === root) break;
  }
  const rest = path.relative(base, dir).split(path.sep).join('/');
  return rest ? `${key}/${rest}` : key;
}

// `go help packages`: directory and file names that begin with "." or "_" are ignored by the go tool, as
// are directories named "testdata"; in module mode only the main module's vendor directory is used
// (go.dev/ref/mod#vendoring), so a dependency's vendor/ never builds into the program.
const goIgnored = (rel) => rel.split(path.sep).some((part, i, all) => /^[._]/.test(part) || (i < all.length - 1 && (part === 'testdata' || part === 'vendor')));

const GO_SCOPES = ['function_declaration', 'method_declaration', 'func_literal'];
function goScopeName(n) {
  if (n.type === 'func_literal') return '<func>';
  const name = n.childForFieldName('name')?.text;
  if (n.type !== 'method_declaration') return name;
  // (s *Server) Serve -> Server.Serve
  const recv = n.childForFieldName('receiver')?.text.replace(/[()*]/g, ' ').trim().split(/\s+/).pop()?.replace(/\[.*$/, '');
  return recv ? `${recv}.${name}` : name;
}

// Raw signal system calls and their wrappers (syscall, golang.org/x/sys/unix): a handler or mask set
// outside os/signal. The Go runtime owns sigaction, so these are rare, but a library could use them.
const GO_RAW = /^(SYS_(RT_)?SIG(ACTION|NALFD4?|PROCMASK|TIMEDWAIT|WAITINFO|SUSPEND)|Signalfd|PthreadSigmask|RtSigprocmask|Sigaction|Sigprocmask)$/;
const C_SIGNAL = /\b(sigaction|signal|bsd_signal|sigset|sigwait\w*|sigtimedwait|signalfd|sigprocmask|pthread_sigmask)\s*\(/;

function scanGoFile(file, rel, goParser) {
  const text = fs.readFileSync(file, 'utf8');
  const tree = goParser.parse(text);
  const sites = [];
  const imports = [];
  let main = false;
  try {
    const root = tree.rootNode;
    main = root.descendantsOfType('package_clause')[0]?.namedChildren.find((c) => c?.type === 'package_identifier')?.text === 'main';
    const f = goFindings(root, text, {});
    const seen = new Set();
    for (const r of f.registrations) {
      seen.add(`${r.evidence.line}:${r.evidence.column}`);
      // signal.Reset sets the default action back: it installs nothing.
      if (r.action === 'default') continue;
      const call = nodeAt(root, r.evidence.line, r.evidence.column);
      sites.push({
        file: rel,
        line: r.evidence.line,
        scope: scopeOf(call, GO_SCOPES, goScopeName),
        api: r.api,
        action: r.action,
        signals: r.signals === undefined || r.signals === 'all' ? 'dynamic' : r.signals,
        text: r.evidence.text,
      });
    }
    const local = new Map();
    for (const spec of root.descendantsOfType('import_spec')) {
      const ipath = spec.childForFieldName('path')?.text.replace(/^["`]|["`]$/g, '') ?? '';
      imports.push(ipath);
      const alias = spec.childForFieldName('name')?.text;
      local.set(alias ?? ipath.split('/').pop(), ipath);
    }
    const at = (n) => `${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
    const push = (n, api, action) => {
      if (seen.has(at(n))) return;
      seen.add(at(n));
      sites.push({
        file: rel,
        line: n.startPosition.row + 1,
        scope: scopeOf(n, GO_SCOPES, goScopeName),
        api,
        action,
        signals: 'dynamic',
        text: (text.split('\n')[n.startPosition.row] ?? '').trim().slice(0, 160),
      });
    };
    const SIGNAL_FUNCS = ['Notify', 'NotifyContext', 'Ignore'];
    // os/signal however it is reached: a function value (f := signal.Notify), a dot import (Notify(c)).
    for (const sel of root.descendantsOfType('selector_expression')) {
      const op = sel.childForFieldName('operand');
      const field = sel.childForFieldName('field')?.text ?? '';
      const pkg = op?.type === 'identifier' ? local.get(op.text) : undefined;
      if (pkg === 'os/signal' && SIGNAL_FUNCS.includes(field))
        push(sel.parent?.type === 'call_expression' ? sel.parent : sel, `signal.${field} (unresolved)`, field === 'Ignore' ? 'ignore' : 'handler');
      if ((pkg === 'syscall' || pkg === 'golang.org/x/sys/unix') && GO_RAW.test(field)) push(sel, `${op.text}.${field}`, /mask/i.test(field) ? 'block' : 'handler');
    }
    if (local.get('.') === 'os/signal')
      for (const call of root.descendantsOfType('call_expression')) {
        const fn = call.childForFieldName('function');
        if (fn?.type === 'identifier' && SIGNAL_FUNCS.includes(fn.text)) push(call, `${fn.text} (dot import)`, fn.text === 'Ignore' ? 'ignore' : 'handler');
      }
    // cgo: C code in the preamble (the comment before import "C"); the runtime's own hooks by linkname.
    for (const c of root.descendantsOfType('comment')) {
      if (/^\/\/go:linkname\s+\S+\s+(os\/signal\.|runtime\.(sig|signal_))/.test(c.text)) push(c, 'go:linkname', 'handler');
      else if (imports.includes('C') && C_SIGNAL.test(c.text)) push(c, 'cgo preamble', 'handler');
    }
  } finally {
    tree.delete();
  }
  return { sites, imports, main };
}

/** The first path element of a standard-library import has no dot (`net/http`, `os/signal`, `C`). */
const isStd = (ipath) => !(ipath.split('/')[0] ?? '').includes('.');
const under = (ipath, prefix) => ipath === prefix || ipath.startsWith(`${prefix}/`);

async function verifyGo(key, entry, problems, notes) {
  const tree = githubTree(key, entry, problems, notes);
  if (!tree) return;
  const goParser = await grammarParser('go');
  const rootImport = importPathOf(tree.base, tree.root, tree.base, key);
  if (rootImport !== key) problems.push(`${key}: the snapshot's ${parseSource(entry.source).name} is the package ${rootImport}, not ${key}`);
  const sites = [];
  const deps = new Map();
  let files = 0;
  let commands = 0;
  const skipped = new Set();
  const nested = new Set();
  for (const f of walk(tree.base)) {
    const rel = path.relative(tree.base, f);
    if (goIgnored(rel)) continue;
    const pkgPath = importPathOf(path.dirname(f), tree.root, tree.base, key);
    // A nested go.mod whose path is not under the key is another module (go-redis's extra/*): not this entry.
    if (!under(pkgPath, key)) {
      nested.add(pkgPath.split('/').slice(0, 4).join('/'));
      continue;
    }
    if (goUnderUnknown(entry, pkgPath)) {
      skipped.add(pkgPath);
      continue;
    }
    if (/\.(c|h|cc|cpp|s|S)$/.test(f)) {
      const text = fs.readFileSync(f, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (C_SIGNAL.test(line) && !/^\s*(\/\/|\/?\*)/.test(line))
          sites.push({ file: rel, line: i + 1, scope: '<c>', api: 'C', action: 'handler', signals: 'dynamic', text: line.trim().slice(0, 160) });
      });
      continue;
    }
    if (!f.endsWith('.go') || f.endsWith('_test.go')) continue;
    const s = scanGoFile(f, rel, goParser);
    // A command (package main) cannot be imported (`go build`: "import ... is a program, not an
    // importable package"): its handlers never run in the program that uses the library.
    if (s.main) {
      commands++;
      continue;
    }
    files++;
    sites.push(...s.sites);
    for (const ip of s.imports) {
      if (isStd(ip)) continue;
      if (under(ip, key)) {
        if (goUnderUnknown(entry, ip)) problems.push(`${key}: ${rel} imports ${ip}, which the entry leaves unknown (unknownUnder)`);
        continue;
      }
      if (!deps.has(ip)) deps.set(ip, rel);
    }
  }
  compare(key, entry, sites, problems);
  if (files !== entry.files) problems.push(`${key}: ${files} files read, the table says ${entry.files}`);
  // What the library imports from other modules must be verified too, and take no stop signal.
  for (const [ip, rel] of deps) {
    const dep = goLibrary(ip);
    if (!dep) problems.push(`${key}: ${rel} imports ${ip}, which has no entry`);
    else if (goUnderUnknown(dep.library, ip) || (dep.library.verdict !== 'none' && entry.verdict !== 'unknown'))
      problems.push(`${key}: ${rel} imports ${ip} (${dep.name}: ${dep.library.verdict}${goUnderUnknown(dep.library, ip) ? ', unknownUnder' : ''})`);
  }
  notes.push(
    `${key}: ${tree.src.name}@${tree.src.version.slice(0, 12)}: ${files} files (${commands} of package main not counted), ${sites.length} sites, ${deps.size} imports of other modules${skipped.size ? `, ${skipped.size} packages left unknown` : ''}${nested.size ? `, other modules inside not read: ${[...nested].join(' ')}` : ''}`,
  );
}

// ---------- main ----------

async function main() {
  const [cmd = 'verify', ...args] = process.argv.slice(2);
  pyParser = await grammarParser('python');
  jsParser = await grammarParser('javascript');
  if (cmd === 'scan') {
    for (const spec of args) {
      const [kind, rest] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];
      if (kind === 'debian') {
        const packages = scanDebian(rest);
        console.log(JSON.stringify({ spec, packages: packages.map((p) => ({ ...p, sites: p.sites?.map((s) => ({ ...s, key: sig(s) })) })) }));
      } else if (kind === 'npm') {
        const at = rest.lastIndexOf('@');
        const name = at > 0 ? rest.slice(0, at) : rest;
        const version = at > 0 ? rest.slice(at + 1) : npmLatest(name);
        const r = scanNpm(name, version);
        for (const v of Object.values(r.byPkg)) for (const s of v.sites) s.key = sig(s);
        console.log(JSON.stringify({ spec, ...r }));
      } else if (kind === 'github') {
        const [repoAt, sub = ''] = rest.split(':');
        const [repo, commit] = repoAt.split('@');
        const problems = [];
        const notes = [];
        const language = process.env.LANGUAGE_OF_SCAN ?? 'python';
        if (language === 'go') {
          await verifyGo(process.env.GO_KEY ?? repo, { source: `github:${repo}${sub ? `:${sub}` : ''}@${commit}`, verdict: 'unknown', files: -1, sites: [] }, problems, notes);
          console.log(JSON.stringify({ spec, problems, notes }, null, 1));
          continue;
        }
        verifyGithub(repo, { source: `github:${repo}${sub ? `:${sub}` : ''}@${commit}`, verdict: 'unknown', sites: [] }, language, problems, notes);
        console.log(JSON.stringify({ spec, problems, notes }));
      }
    }
    return 0;
  }
  if (cmd !== 'verify') throw new Error(`unknown command ${cmd} (verify | scan)`);
  const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',')) : undefined;
  const latest = args.includes('--latest');
  const problems = [];
  const notes = [];
  for (const [key, entry] of Object.entries(PYTHON_LIBRARIES)) {
    if (only && !only.has(key)) continue;
    try {
      verifyPython(key, entry, latest, problems, notes);
    } catch (e) {
      problems.push(`${key}: ${e.message.split('\n')[0]}`);
    }
  }
  for (const [key, entry] of Object.entries(NODE_LIBRARIES)) {
    if (only && !only.has(key)) continue;
    try {
      verifyNode(key, entry, latest, problems, notes);
    } catch (e) {
      problems.push(`${key}: ${e.message.split('\n')[0]}`);
    }
  }
  for (const [key, entry] of Object.entries(GO_LIBRARIES)) {
    if (only && !only.has(key)) continue;
    try {
      await verifyGo(key, entry, problems, notes);
    } catch (e) {
      problems.push(`${key}: ${e.message.split('\n')[0]}`);
    }
  }
  for (const n of notes) console.log(`ok    ${n}`);
  for (const p of problems) console.log(`FAIL  ${p}`);
  console.log(
    `${only ? only.size : Object.keys(PYTHON_LIBRARIES).length + Object.keys(NODE_LIBRARIES).length + Object.keys(GO_LIBRARIES).length} entries checked: ${problems.length ? `${problems.length} problems` : 'all hold'}`,
  );
  return problems.length ? 1 : 0;
}

process.exitCode = await main();

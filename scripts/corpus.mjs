#!/usr/bin/env node
// pid1's real-world regression corpus: public repositories at fixed commits (corpus/repos.json), the
// hand-judged truth for their launches (corpus/expectations.json), and the tooling around them.
//
//   node scripts/corpus.mjs materialize [--dir D] [--only owner/name,...] [--set dev|heldout|fresh|fresh2|fresh3|fresh4|fresh5|fresh6|fresh7|fresh8|fresh9|fresh10|fresh11|fresh12|fresh13|fresh14|fresh15|fresh16|fresh17|fresh18|fresh19|fresh20|fresh21|fresh22|fresh23|fresh24|fresh25|fresh26|fresh27|fresh28|fresh29|fresh31|fresh30|fresh32|fresh33|fresh34|fresh35|fresh36|fresh37]
//   node scripts/corpus.mjs run [--pid1 dist/src/cli/main.js] [--dir D] [--out F] [--set dev|heldout|fresh|fresh2|fresh3|fresh4|fresh5|fresh6|fresh7|fresh8|fresh9|fresh10|fresh11|fresh12|fresh13|fresh14|fresh15|fresh16|fresh17|fresh18|fresh19|fresh20|fresh21|fresh22|fresh23|fresh24|fresh25|fresh26|fresh27|fresh28|fresh29|fresh31|fresh30|fresh32|fresh33|fresh34|fresh35|fresh36|fresh37] [--only ...]
//   node scripts/corpus.mjs score --expect corpus/expectations.json RUN.json [--set dev|heldout|fresh|fresh2|fresh3|fresh4|fresh5|fresh6|fresh7|fresh8|fresh9|fresh10|fresh11|fresh12|fresh13|fresh14|fresh15|fresh16|fresh17|fresh18|fresh19|fresh20|fresh21|fresh22|fresh23|fresh24|fresh25|fresh26|fresh27|fresh28|fresh29|fresh31|fresh30|fresh32|fresh33|fresh34|fresh35|fresh36|fresh37]
//   node scripts/corpus.mjs diff [--verdicts] [--json] A.json B.json
//   node scripts/corpus.mjs launches RUN.json [--errors | --unseen | --sample dev=N,heldout=M,fresh=K,fresh2=L,fresh3=P,fresh4=Q,fresh5=R,fresh6=T,fresh7=U,fresh8=V,fresh9=W,fresh10=X,fresh11=Y,fresh12=Z,fresh13=N,fresh14=N,fresh15=N,fresh16=N,fresh17=N,fresh18=N,fresh19=N,fresh20=N,fresh21=N,fresh22=N,fresh23=N,fresh24=N,fresh25=N,fresh26=N,fresh27=N,fresh28=N,fresh29=N,fresh31=N,fresh30=N,fresh32=N,fresh33=N,fresh34=N,fresh35=N,fresh36=N,fresh37=N --seed S]   (judging aid)
// See corpus/README.md for what a judgment means and how the scores are computed.
//
// Plain Node ESM on purpose: no build step, so it runs against any pid1 build (--pid1), also an older one.
// The corpus files live outside the repository (default /work/corpus, or $PID1_CORPUS) and are never committed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPOS_FILE = path.join(ROOT, 'corpus', 'repos.json');
const DEFAULT_EXPECT = path.join(ROOT, 'corpus', 'expectations.json');
const DEFAULT_DIR = process.env.PID1_CORPUS || '/work/corpus';
const MIRROR = process.env.PID1_CORPUS_MIRROR || '/work/.mirror';
// Where a repository is cloned from when no local mirror has it ({repo} = owner/name).
const GIT_URL = process.env.PID1_CORPUS_GIT_URL || 'https://github.com/{repo}';
// The sets a repository belongs to: dev (tuning), heldout (a final check), fresh (drawn and judged after
// both had been looked at, so that pid1 is measured on files nobody tuned it on), fresh2 (a second such
// draw, once fresh had been looked at), fresh3 (a third, once fresh2 had been looked at), fresh4 (a fourth,
// once fresh3 had been looked at), fresh5 (a fifth, once fresh4 had been looked at), fresh6 (a sixth, once
// fresh5 had been looked at), fresh7 (a seventh, once fresh6 had been looked at), fresh8 (an eighth, once
// fresh7 had been looked at), fresh9 (a ninth, once fresh8 had been looked at), fresh10 (a tenth, once
// fresh9 had been looked at), fresh11 (an eleventh, once fresh10 had been looked at), fresh12 (a twelfth,
// once fresh11 had been looked at), fresh13 (a thirteenth, once fresh12 had been looked at) fresh14 and fresh15
// (a fourteenth and a fifteenth, drawn at the same time once fresh13 had been looked at, from owners A-L and
// M-Z), fresh16 and fresh17 (a sixteenth and a seventeenth, once fresh14 and fresh15 had been looked at, from owners A-L and M-Z),
// fresh18 (an eighteenth, once fresh16 and fresh17 had been looked at, from owners A-L), fresh19 (drawn beside it, from owners M-Z), fresh20 (a later draw, owners A-L), fresh21 (a later draw, owners M-Z), fresh22 (a later draw, owners A-L), fresh23 (a later draw, owners M-Z), fresh24 (a later draw, owners A-L), fresh25 (a later draw, owners M-Z), fresh26 (a later draw, owners A-L), fresh27 (a later draw, owners M-Z), fresh28 (a later draw, owners A-L), fresh29 (a later draw, owners M-Z), fresh31 (a later draw, owners M-Z), fresh30 (a later draw, owners A-L), fresh32 (a later draw, owners A-L), fresh33 (a later draw, owners M-Z), fresh34 (a later draw, owners A-L), fresh35 (a later draw, owners M-Z), fresh36 (a later draw, owners A-L), fresh37 (a later draw, owners M-Z), fresh38 to fresh49 (later draws, owners A-L for even numbers, M-Z for odd). corpus/README.md has more.
const SETS = [
  'dev',
  'heldout',
  'fresh',
  'fresh2',
  'fresh3',
  'fresh4',
  'fresh5',
  'fresh6',
  'fresh7',
  'fresh8',
  'fresh9',
  'fresh10',
  'fresh11',
  'fresh12',
  'fresh13',
  'fresh14',
  'fresh15',
  'fresh16',
  'fresh17',
  'fresh18',
  'fresh19',
  'fresh20',
  'fresh21',
  'fresh22',
  'fresh23',
  'fresh24',
  'fresh25',
  'fresh26',
  'fresh27',
  'fresh28',
  'fresh29',
  'fresh31',
  'fresh30',
  'fresh32',
  'fresh33',
  'fresh34',
  'fresh35',
  'fresh36',
  'fresh37',
  'fresh38',
  'fresh39',
  'fresh40',
  'fresh41',
  'fresh42',
  'fresh43',
  'fresh44',
  'fresh45',
  'fresh46',
  'fresh47',
  'fresh48',
  'fresh49',
];
const MAX_FILE = 1024 * 1024; // files over 1 MiB are skipped: pid1 refuses them anyway and none is a launch
// Content pid1 never reads and no judgment needs (images, archives, fonts, media, compiled code).
const SKIP_EXT =
  /\.(png|jpe?g|gif|ico|icns|bmp|webp|svg|psd|ai|eps|pdf|woff2?|ttf|otf|eot|mp[34]|m4a|wav|ogg|flac|webm|mov|avi|zip|t?gz|tar|bz2|xz|zst|7z|rar|jar|war|ear|class|so|dylib|dll|exe|bin|o|a|pyc|whl|deb|rpm|apk|iso|img|qcow2|parquet|onnx|pt|pb|h5|ckpt|safetensors|npy|npz|db|sqlite3?)$/i;

/** Names pid1 lints as Dockerfiles, whatever follows (`Dockerfile.db`, `Containerfile.bin`). */
const DOCKERFILE_NAME = /(?:^|\/)(?:Dockerfile|Containerfile)(?:\.[^/]*)?$/i;

// ---------------------------------------------------------------------------------------------- helpers

/** A problem with the corpus or the arguments: one line for a person, never a stack trace. */
export class CorpusError extends Error {}

function die(msg) {
  throw new CorpusError(msg);
}

function parseArgs(argv, spec) {
  const opts = {};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const name = a.slice(2);
    if (!(name in spec)) die(`unknown option ${a}`);
    if (spec[name] === 'flag') opts[name] = true;
    else {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      opts[name] = argv[++i];
    }
  }
  return { opts, rest };
}

function readJson(file, what) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    die(`${file}: cannot read ${what} (${e.code ?? e.message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    die(`${file}: not JSON (${e.message})`);
  }
}

export function loadRepos(file = REPOS_FILE) {
  const data = readJson(file, 'the repository list');
  if (!Array.isArray(data.repos)) die(`${file}: no "repos" list`);
  for (const r of data.repos) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(r.repo ?? '')) die(`${file}: bad repo name ${JSON.stringify(r.repo)}`);
    if (!/^[0-9a-f]{40}$/.test(r.commit ?? '')) die(`${file}: ${r.repo}: commit must be 40 hex digits`);
    if (!SETS.includes(r.set)) die(`${file}: ${r.repo}: set must be ${SETS.join(', ')}`);
  }
  return data.repos;
}

/**
 * The directory a repository is materialized into: D/owner/name, so that its top directory has the name a clone
 * of it has (pid1 reads an image's name from a top-level Dockerfile's directory, as in a user's checkout).
 */
export function repoDir(dir, repo) {
  return path.join(dir, ...repo.split('/'));
}

function selectRepos(repos, opts) {
  let out = repos;
  if (opts.set !== undefined && !SETS.includes(opts.set)) die(`--set ${opts.set}: expected ${SETS.join(', ')}`);
  if (opts.set) out = out.filter((r) => r.set === opts.set);
  if (opts.only) {
    const want = new Set(opts.only.split(','));
    out = out.filter((r) => want.has(r.repo));
    for (const w of want) if (!repos.some((r) => r.repo === w)) die(`--only: ${w} is not in corpus/repos.json`);
  }
  return out;
}

function git(gitDir, args, input) {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------- materialize

/** A git directory holding the commit: the local mirror (/work/.mirror/owner+name/repo, bare or not), else a partial clone. */
function gitDirFor(r, cacheDir) {
  const name = r.repo.replace('/', '+');
  const mirrors = [path.join(MIRROR, name, 'repo'), path.join(MIRROR, name, 'repo', '.git'), path.join(MIRROR, name, '.git'), path.join(MIRROR, name)];
  for (const cand of mirrors) {
    if (fs.existsSync(path.join(cand, 'objects')) && hasCommit(cand, r.commit)) return cand;
  }
  // Elsewhere: a partial clone that leaves out blobs over 1 MiB at the server (the same limit as below), so
  // reading the tree never triggers lazy one-blob-at-a-time fetches. GitHub serves any reachable commit.
  const dest = path.join(cacheDir, `${name}.git`);
  if (!fs.existsSync(dest)) {
    const url = GIT_URL.replace('{repo}', r.repo);
    const c = spawnSync('git', ['clone', '--bare', '--filter=blob:limit=1m', '--no-tags', url, dest], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (c.status !== 0) die(`git clone ${url} failed`);
  }
  if (!hasCommit(dest, r.commit)) {
    const f = spawnSync('git', ['--git-dir', dest, 'fetch', '--filter=blob:limit=1m', 'origin', r.commit], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (f.status !== 0) die(`${r.repo}: cannot fetch commit ${r.commit}`);
  }
  return dest;
}

function hasCommit(gitDir, commit) {
  return spawnSync('git', ['--git-dir', gitDir, 'cat-file', '-e', `${commit}^{commit}`]).status === 0;
}

function wanted(file, filters) {
  if (!filters || filters.length === 0) return true;
  return filters.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p || file.startsWith(`${p}/`)));
}

/** Every blob of the commit's tree that pid1 may read: regular files <= 1 MiB, not media or binaries; symlinks. */
function listTree(gitDir, r) {
  const out = git(gitDir, ['ls-tree', '-r', '-l', '-z', r.commit]).toString('utf8').split('\0').filter(Boolean);
  const entries = [];
  for (const line of out) {
    const tab = line.indexOf('\t');
    const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/);
    const file = line.slice(tab + 1);
    if (type !== 'blob' || !wanted(file, r.paths)) continue; // submodules (commit) are left out
    // (a Dockerfile is kept whatever its suffix: `Dockerfile.db` is a Dockerfile, not a database)
    if (mode !== '120000' && (Number(size) > MAX_FILE || (SKIP_EXT.test(file) && !DOCKERFILE_NAME.test(file)))) continue;
    entries.push({ mode, sha, file });
  }
  return entries;
}

/** Reads many blobs at once through `git cat-file --batch`. */
function readBlobs(gitDir, shas) {
  const buf = git(gitDir, ['cat-file', '--batch'], `${shas.join('\n')}\n`);
  const blobs = new Map();
  let at = 0;
  for (const sha of shas) {
    const nl = buf.indexOf(10, at);
    const header = buf.subarray(at, nl).toString();
    const [got, kind, size] = header.split(' ');
    if (got !== sha) throw new Error(`cat-file: expected ${sha}, got "${header}"`);
    if (kind === 'missing') {
      at = nl + 1;
      continue;
    } // a snapshot may lack a blob (e.g. Git LFS): left out
    const n = Number(size);
    blobs.set(sha, buf.subarray(nl + 1, nl + 1 + n));
    at = nl + 1 + n + 1;
  }
  return blobs;
}

function materialize(argv) {
  const { opts } = parseArgs(argv, { dir: 'value', only: 'value', set: 'value' });
  const dir = path.resolve(opts.dir ?? DEFAULT_DIR);
  if (dir.startsWith(ROOT + path.sep) || dir === ROOT) die(`--dir ${dir}: the corpus must live outside the repository`);
  const repos = selectRepos(loadRepos(), opts);
  const cacheDir = path.join(dir, '.git-cache');
  fs.mkdirSync(dir, { recursive: true });
  let total = 0;
  for (const r of repos) {
    const dest = repoDir(dir, r.repo);
    if (materializeProblems(dir, [r]).length === 0) {
      process.stderr.write(`${r.repo}: up to date\n`);
      continue;
    }
    const gitDir = gitDirFor(r, cacheDir);
    const entries = listTree(gitDir, r);
    const blobs = readBlobs(gitDir, [...new Set(entries.map((e) => e.sha))]);
    fs.rmSync(dest, { recursive: true, force: true });
    let written = 0;
    for (const e of entries) {
      const data = blobs.get(e.sha);
      if (!data) continue;
      const to = path.join(dest, e.file);
      if (!to.startsWith(dest + path.sep)) continue; // never outside the repository's directory
      if (e.mode !== '120000' && data.subarray(0, 8000).includes(0)) continue; // binary: git's own test
      fs.mkdirSync(path.dirname(to), { recursive: true });
      if (e.mode === '120000') {
        fs.symlinkSync(data.toString('utf8'), to); // a symlink as the repository has it (pid1 must cope)
      } else {
        fs.writeFileSync(to, data, { mode: e.mode === '100755' ? 0o755 : 0o644 });
      }
      written++;
    }
    fs.writeFileSync(path.join(dest, '.corpus-commit'), `${stampOf(r)}\n`);
    total += written;
    process.stderr.write(`${r.repo}: ${written} files at ${r.commit.slice(0, 12)}\n`);
  }
  process.stderr.write(`materialized into ${dir} (${total} files written)\n`);
}

// ---------------------------------------------------------------------------------------------- run

function runOne(pid1, cwd) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    // --no-config: a config file above the corpus directory must not change the verdicts.
    const child = spawn(process.execPath, [pid1, 'lint', '--format', 'json', '--no-config', '.'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ code, signal, ms, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The marker materialize leaves in each repository directory: the commit and path filters it holds. */
function stampOf(r) {
  return `${r.commit} ${JSON.stringify(r.paths ?? [])}`;
}

/** What keeps these repositories from being linted from dir: missing or stale (another commit) directories. */
export function materializeProblems(dir, repos) {
  const problems = [];
  for (const r of repos) {
    const stamp = path.join(repoDir(dir, r.repo), '.corpus-commit');
    let got = null;
    try {
      got = fs.readFileSync(stamp, 'utf8').trim();
    } catch {
      /* not there */
    }
    if (got === null) problems.push(`${r.repo}: not materialized`);
    else if (got !== stampOf(r)) problems.push(`${r.repo}: materialized at another commit or with other paths`);
  }
  return problems;
}

/** Lints every selected repository with `pid1 lint --format json` (cwd = the repository) and combines the results. */
export async function runCorpus({ pid1, dir = DEFAULT_DIR, set, only, log = () => {} }) {
  if (!fs.existsSync(pid1)) die(`${pid1}: no pid1 build (run npm run build, or pass --pid1)`);
  const repos = selectRepos(loadRepos(), { set, only });
  const problems = materializeProblems(dir, repos);
  if (problems.length) die(`${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''} in ${dir}: run node scripts/corpus.mjs materialize --dir ${dir}`);
  const result = { version: 1, pid1, pid1Commit: gitHead(path.dirname(pid1)), startedAt: new Date().toISOString(), dir, repos: {} };
  const t0 = Date.now();
  for (const r of repos) {
    const cwd = repoDir(dir, r.repo);
    const res = await runOne(pid1, cwd);
    const entry = { set: r.set, kind: r.kind, commit: r.commit, exit: res.code, ms: Math.round(res.ms) };
    if (res.stderr.trim()) entry.stderr = res.stderr.trim().slice(0, 4000);
    try {
      entry.lint = JSON.parse(res.stdout);
    } catch {
      entry.lint = null;
      entry.stdout = res.stdout.slice(0, 2000);
    }
    if (entry.lint) entry.targetFrom = targetFromLines(cwd, entry.lint);
    result.repos[r.repo] = entry;
    const s = entry.lint?.summary;
    log(`${r.repo}: exit ${res.code}, ${s ? `${s.files} files, ${s.errors} errors, ${s.warnings} warnings` : 'no JSON'}, ${(res.ms / 1000).toFixed(1)} s`);
  }
  result.ms = Date.now() - t0;
  return result;
}

async function run(argv) {
  const { opts } = parseArgs(argv, { pid1: 'value', dir: 'value', out: 'value', set: 'value', only: 'value' });
  const pid1 = path.resolve(opts.pid1 ?? path.join(ROOT, 'dist', 'src', 'cli', 'main.js'));
  const dir = path.resolve(opts.dir ?? DEFAULT_DIR);
  const result = await runCorpus({ pid1, dir, set: opts.set, only: opts.only, log: (line) => process.stderr.write(`${line}\n`) });
  const text = `${JSON.stringify(result, null, 1)}\n`;
  if (opts.out) fs.writeFileSync(opts.out, text);
  else process.stdout.write(text);
  process.stderr.write(`run: ${Object.keys(result.repos).length} repositories in ${(result.ms / 1000).toFixed(1)} s${opts.out ? ` -> ${opts.out}` : ''}\n`);
}

/**
 * The line of each Dockerfile's last FROM: findings at or after it belong to the target (last) stage, those
 * before it to a stage that a compose service or manifest builds with a `target:`. Kept in the run file so
 * that score and diff need only the run.
 */
function targetFromLines(cwd, lint) {
  const out = {};
  for (const f of lint.files) {
    if (f.kind !== 'dockerfile') continue;
    let text;
    try {
      text = fs.readFileSync(path.resolve(cwd, f.file), 'utf8');
    } catch {
      continue;
    }
    const lines = text.split(/\r?\n/);
    let last = 0;
    for (let i = 0; i < lines.length; i++) if (/^\s*FROM\s+\S/i.test(lines[i])) last = i + 1;
    if (last > 0) out[f.file] = last;
  }
  return out;
}

function gitHead(dir) {
  const r = spawnSync('git', ['-C', dir, 'rev-parse', 'HEAD']);
  return r.status === 0 ? r.stdout.toString().trim() : null;
}

// ---------------------------------------------------------------------------------------------- launches
//
// A launch's identity must survive refactors and model changes, so it is built from what the files say, not
// from pid1's internals: repo + file + launch id, where the launch id is
//   ""                               a Dockerfile: its target launch (the last stage)
//   "service NAME"                   a compose service
//   "KIND/NAME container CNAME"      a Kubernetes container (CNAME "#i" when unnamed)
// pid1's JSON labels ("stage 0", "service web", "container web of Deployment/web, document 2 of 3") and the
// labels inside finding messages and `related` entries are mapped onto it below.

// a legacy v1 file names the service's path without `services.`: `service web (web) runs this image`
const COMPOSE_LABEL = /^service (\S+?)(?: \([^)]*\))?(?:: | runs this image|$)/;
// a related location may name the container's path too: `container c of Deployment/d (Deployment/d spec.template.spec.containers[0]) runs this image`
const K8S_LABEL = /^container (\S+) of (\S+?)(?:, document \d+ of \d+)?(?: \([^)]*\))?(?:: | runs this image|$)/;

export function launchIdOf(kind, label) {
  if (kind === 'dockerfile') return '';
  let m = COMPOSE_LABEL.exec(label);
  if (m) return `service ${m[1]}`;
  m = K8S_LABEL.exec(label);
  if (m) return `${m[2]} container ${m[1]}`;
  return label;
}

export function keyOf(repo, file, launch) {
  return `${repo}\t${file}\t${launch}`;
}

export function splitKey(key) {
  const [repo, file, launch] = key.split('\t');
  return { repo, file, launch };
}

/** Every launch of a run with pid1's verdict on it: the error and warning findings that point at it. */
export function launchTable(runData) {
  const launches = new Map();
  const unattributed = [];
  for (const [repo, entry] of Object.entries(runData.repos)) {
    if (!entry.lint) continue;
    const kindOf = new Map(entry.lint.files.map((f) => [f.file, f.kind]));
    const targetFrom = entry.targetFrom ?? (runData.dir ? targetFromLines(repoDir(runData.dir, repo), entry.lint) : {});
    const byFile = new Map();
    for (const f of entry.lint.files) {
      for (const l of f.launches) {
        if (l.target === false) continue;
        const launch = launchIdOf(f.kind, l.label);
        let key = keyOf(repo, l.file ?? f.file, launch);
        for (let i = 2; launches.has(key); i++) key = keyOf(repo, l.file ?? f.file, `${launch} (${i})`); // same id twice in a file
        const rec = {
          key,
          repo,
          set: entry.set,
          file: l.file ?? f.file,
          kind: f.kind,
          launch,
          label: l.label,
          outcome: l.outcome ?? null,
          certain: l.certain ?? null,
          pid1: l.pid1 ?? null,
          service: l.service ?? null,
          argv: l.argv,
          chain: l.chain ?? null,
          shell: l.shell?.family ?? null,
          image: l.shell?.image ?? null,
          stopSignal: l.stopSignal?.signal ?? null,
          note: l.note ?? null,
          errors: [],
          warnings: [],
        };
        launches.set(key, rec);
        const list = byFile.get(rec.file) ?? [];
        list.push(rec);
        byFile.set(rec.file, list);
      }
    }
    for (const f of entry.lint.files) {
      for (const fi of f.findings) {
        if (fi.severity !== 'error' && fi.severity !== 'warning') continue;
        const targets = new Set();
        const line = (r) => r?.start?.line ?? 0;
        const sources = [{ file: fi.file ?? f.file, message: fi.message, line: line(fi.range) }, ...(fi.related ?? []).map((q) => ({ file: q.file, message: q.message, line: line(q.range) }))];
        for (const src of sources) {
          const list = byFile.get(src.file) ?? [];
          if (kindOf.get(src.file) === 'dockerfile') {
            // Only a line in the last stage is about the Dockerfile's own (target) launch.
            if (src.line >= (targetFrom[src.file] ?? 0)) for (const rec of list) if (rec.launch === '') targets.add(rec.key);
            continue;
          }
          const id = launchIdOf('other', src.message);
          for (const rec of list) if (id !== src.message && rec.launch === id) targets.add(rec.key);
        }
        if (targets.size === 0) {
          const list = byFile.get(fi.file ?? f.file) ?? [];
          if (list.length === 1) targets.add(list[0].key);
        }
        const brief = { ruleId: fi.ruleId, severity: fi.severity, file: fi.file ?? f.file, line: fi.range?.start?.line ?? null, message: fi.message };
        if (targets.size === 0) {
          if (fi.severity === 'error') unattributed.push({ repo, set: entry.set, ...brief });
          continue;
        }
        for (const key of targets) launches.get(key)[fi.severity === 'error' ? 'errors' : 'warnings'].push(brief);
      }
    }
  }
  return { launches, unattributed };
}

/** pid1's verdict on a launch: "error" when any error finding points at it, else "no-error". */
export function verdictOf(rec) {
  return rec && rec.errors.length > 0 ? 'error' : 'no-error';
}

// Launches pid1 does not list today, found by shape from the files themselves, so that recall also counts
// what pid1 cannot see: services of legacy (v1) compose files, and pod specs inside any object (custom
// resources such as RayCluster, JobSet, LeaderWorkerSet, Argo Workflows, Knative Services).

async function loadYaml() {
  try {
    return await import('yaml');
  } catch {
    die('the yaml package is missing: run npm ci in the repository');
  }
}

function* podContainers(node, trail) {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* podContainers(node[i], `${trail}[${i}]`);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const list = node.containers;
  if (Array.isArray(list) && list.some((c) => c && typeof c === 'object' && typeof c.image === 'string')) {
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (c && typeof c === 'object' && typeof c.image === 'string') yield { name: typeof c.name === 'string' ? c.name : `#${i}`, where: `${trail}.containers[${i}]` };
    }
  }
  // Argo Workflows: a template's `container`/`script` runs as the pod's container "main".
  for (const k of ['container', 'script']) {
    const c = node[k];
    if (c && typeof c === 'object' && !Array.isArray(c) && typeof c.image === 'string' && (node.name !== undefined || trail.includes('templates'))) {
      yield { name: 'main', where: `${trail}.${k}`, owner: typeof node.name === 'string' ? node.name : null };
    }
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'containers' || k === 'initContainers' || k === 'ephemeralContainers') continue;
    yield* podContainers(v, `${trail}.${k}`);
  }
}

export async function unseenLaunches(dir, runData, seen) {
  const YAML = await loadYaml();
  const out = [];
  for (const [repo, entry] of Object.entries(runData.repos)) {
    const root = repoDir(dir, repo);
    const legacyCompose = new Set((entry.lint?.files ?? []).filter((f) => f.errors.some((e) => /not a compose file/.test(e.message))).map((f) => f.file));
    for (const file of walkYaml(root)) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      let text;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      if (text.includes('{{')) continue; // a template (Helm, Go): nothing runs until it is rendered
      let docs;
      try {
        docs = YAML.parseAllDocuments(text, { logLevel: 'silent' }).map((d) => d.toJS({ maxAliasCount: 1000 }));
      } catch {
        continue;
      }
      const add = (launch, how) => {
        let key = keyOf(repo, rel, launch);
        for (let i = 2; seen.has(key) || out.some((o) => o.key === key); i++) {
          if (seen.has(key)) return;
          key = keyOf(repo, rel, `${launch} (${i})`);
        }
        out.push({ key, repo, set: entry.set, file: rel, kind: how, launch, unseen: true, errors: [], warnings: [] });
      };
      if (legacyCompose.has(rel)) {
        const top = docs[0];
        if (top && typeof top === 'object') {
          for (const [name, svc] of Object.entries(top)) {
            if (svc && typeof svc === 'object' && ('image' in svc || 'build' in svc)) add(`service ${name}`, 'compose-v1');
          }
        }
        continue;
      }
      for (const doc of docs) {
        if (!doc || typeof doc !== 'object' || typeof doc.kind !== 'string' || typeof doc.apiVersion !== 'string') continue;
        const objName = doc.metadata?.name ?? doc.metadata?.generateName ?? '?';
        const names = new Map();
        for (const c of podContainers(doc.spec ?? {}, 'spec')) {
          // Several pod templates (Ray head and worker groups, Argo templates) may repeat a container name.
          const n = (names.get(c.name) ?? 0) + 1;
          names.set(c.name, n);
          const base = `${doc.kind}/${objName} container ${c.name}`;
          add(n === 1 ? base : `${base} (${n})`, 'kubernetes-unseen');
        }
      }
    }
  }
  return out;
}

function* walkYaml(root) {
  const stack = [root];
  while (stack.length) {
    const d = stack.pop();
    let ents;
    try {
      ents = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of ents) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) yield p;
    }
  }
}

// ---------------------------------------------------------------------------------------------- score

const TRUTHS = new Set(['lost', 'graceful', 'depends']);

export function loadExpectations(file = DEFAULT_EXPECT) {
  const data = readJson(file, 'the expectations');
  if (!Array.isArray(data.launches)) die(`${file}: no "launches" list`);
  const map = new Map();
  for (const [i, e] of data.launches.entries()) {
    if (!TRUTHS.has(e.truth)) die(`${file}: launch ${i} (${e.repo} ${e.file} ${e.launch}): truth must be lost, graceful or depends`);
    const key = keyOf(e.repo, e.file, e.launch ?? '');
    if (map.has(key)) die(`${file}: launch ${i}: judged twice: ${e.repo} ${e.file} ${e.launch}`);
    map.set(key, e);
  }
  return { meta: data, map };
}

/**
 * Precision and recall of `error` against the hand-judged truth. Positive = truth `lost`; `depends` is not a
 * loss, so an error on it counts against precision (error promises a certain loss). Judged launches that the
 * run does not list (pid1 cannot see them) count as no error.
 */
export function scoreRun(runData, expect, { set } = {}) {
  const { launches } = launchTable(runData);
  const rows = { ...Object.fromEntries(SETS.map((s) => [s, newTally()])), all: newTally() };
  const disagreements = [];
  const unjudged = [];
  const repoSet = new Map(Object.entries(runData.repos).map(([r, e]) => [r, e.set]));
  for (const [key, e] of expect.map) {
    const s = repoSet.get(e.repo);
    if (!s || (set && s !== set)) continue;
    const rec = launches.get(key);
    const v = verdictOf(rec);
    for (const t of [rows[s], rows.all]) tally(t, e, v, e.basis);
    const lost = e.truth === 'lost';
    if (v === 'error' && !lost) disagreements.push({ type: 'false error', key, truth: e.truth, why: e.why, pid1: rec.errors.map((x) => `${x.ruleId}: ${x.message}`) });
    if (v !== 'error' && lost) disagreements.push({ type: 'missed loss', key, truth: e.truth, why: e.why, pid1: rec ? describe(rec) : 'launch not listed by pid1' });
  }
  for (const rec of launches.values()) {
    if (set && rec.set !== set) continue;
    if (verdictOf(rec) === 'error' && !expect.map.has(rec.key)) unjudged.push({ type: 'unjudged error', key: rec.key, pid1: rec.errors.map((x) => `${x.ruleId}: ${x.message}`) });
  }
  return { rows, disagreements, unjudged };
}

function describe(rec) {
  const w = rec.warnings.map((x) => `${x.ruleId} (warning)`).join(', ');
  return `outcome ${rec.outcome ?? 'none'}${rec.certain === false ? ' (uncertain)' : ''}${w ? `; ${w}` : ''}`;
}

function newTally() {
  return { judged: 0, tp: 0, fp: 0, fn: 0, tn: 0, lost: 0, graceful: 0, depends: 0, sampleJudged: 0, sampleFn: 0 };
}

function tally(t, e, v, basis) {
  t.judged++;
  t[e.truth]++;
  const lost = e.truth === 'lost';
  if (v === 'error') lost ? t.tp++ : t.fp++;
  else lost ? t.fn++ : t.tn++;
  // A silent launch judged on purpose (outsideSample) was not drawn: it must not weigh on the scaled-up estimate.
  if (basis === 'sample' && !e.outsideSample && v !== 'error') {
    t.sampleJudged++;
    if (lost) t.sampleFn++;
  }
}

/** Missed losses in a set's whole silent frame, scaled up from its sample. */
function estimateMissed(t, frameSize) {
  return frameSize && t.sampleJudged ? (t.sampleFn / t.sampleJudged) * frameSize : null;
}

function sumEstimates(rows, frame) {
  let sum = 0;
  for (const set of SETS) {
    if (rows[set].judged === 0) continue;
    const e = estimateMissed(rows[set], frame[set]);
    if (e === null) return null;
    sum += e;
  }
  return sum;
}

function pct(a, b) {
  return b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`;
}

function score(argv) {
  const { opts, rest } = parseArgs(argv, { expect: 'value', set: 'value', json: 'flag' });
  if (rest.length !== 1) die('score: give one run file (node scripts/corpus.mjs score --expect corpus/expectations.json RUN.json)');
  const runData = readJson(rest[0], 'the run');
  const expect = loadExpectations(opts.expect ?? DEFAULT_EXPECT);
  if (opts.set !== undefined && !SETS.includes(opts.set)) die(`--set ${opts.set}: expected ${SETS.join(', ')}`);
  const res = scoreRun(runData, expect, { set: opts.set });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(res, null, 1)}\n`);
    return;
  }
  const frame = expect.meta.sample?.frame ?? {};
  const lines = [];
  lines.push('set       judged  lost  graceful  depends   TP  FP  FN   precision  recall(judged)  recall(est.)');
  for (const [name, t] of Object.entries(res.rows)) {
    if (t.judged === 0) continue;
    // Errors are all judged; silent launches only as a seeded sample: scale the sample's misses to the frame.
    const fnEst = name === 'all' ? sumEstimates(res.rows, frame) : estimateMissed(t, frame[name]);
    const est = fnEst === null ? 'n/a' : pct(t.tp, t.tp + fnEst);
    lines.push(
      `${name.padEnd(9)} ${String(t.judged).padStart(6)} ${String(t.lost).padStart(5)} ${String(t.graceful).padStart(9)} ${String(t.depends).padStart(8)} ${String(t.tp).padStart(4)} ${String(t.fp).padStart(3)} ${String(t.fn).padStart(3)}   ${pct(t.tp, t.tp + t.fp).padStart(9)}  ${pct(t.tp, t.tp + t.fn).padStart(14)}  ${est.padStart(12)}`,
    );
  }
  lines.push('');
  const byType = (type) => res.disagreements.filter((d) => d.type === type);
  for (const type of ['false error', 'missed loss']) {
    const list = byType(type);
    lines.push(`${type === 'false error' ? 'false errors' : 'missed losses'}: ${list.length}`);
    for (const d of list) {
      const { repo, file, launch } = splitKey(d.key);
      lines.push(`  ${repo} ${file}${launch ? ` [${launch}]` : ''}: truth ${d.truth} (${d.why})`);
      lines.push(`      pid1: ${Array.isArray(d.pid1) ? d.pid1.join(' | ') : d.pid1}`);
    }
  }
  lines.push(`unjudged errors: ${res.unjudged.length}`);
  for (const d of res.unjudged) {
    const { repo, file, launch } = splitKey(d.key);
    lines.push(`  ${repo} ${file}${launch ? ` [${launch}]` : ''}: ${d.pid1.join(' | ')}`);
  }
  const { unattributed } = launchTable(runData);
  if (unattributed.length) {
    lines.push(`errors not attributed to any launch: ${unattributed.length}`);
    for (const u of unattributed) lines.push(`  ${u.repo} ${u.file}:${u.line} ${u.ruleId}: ${u.message}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (res.disagreements.length || res.unjudged.length) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------- diff

function findingKey(repo, f, fi) {
  return `${repo}\t${fi.file ?? f.file}:${fi.range?.start?.line ?? 0}:${fi.range?.start?.column ?? 0}\t${fi.ruleId}`;
}

/** Every launch outcome and every finding that differs between two runs. */
export function diffRuns(a, b) {
  const out = [];
  const ta = launchTable(a).launches;
  const tb = launchTable(b).launches;
  const fields = ['outcome', 'certain', 'pid1', 'service', 'stopSignal', 'shell', 'argv', 'chain'];
  for (const key of new Set([...ta.keys(), ...tb.keys()])) {
    const x = ta.get(key);
    const y = tb.get(key);
    if (!x || !y) {
      out.push({ what: 'launch', key, change: x ? 'gone' : 'new', a: x ? summary(x) : null, b: y ? summary(y) : null });
      continue;
    }
    const changed = fields.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
    if (verdictOf(x) !== verdictOf(y)) changed.push('verdict');
    if (changed.length) out.push({ what: 'launch', key, change: changed.join(','), a: summary(x), b: summary(y) });
  }
  const fa = findingMap(a);
  const fb = findingMap(b);
  for (const key of new Set([...fa.keys(), ...fb.keys()])) {
    const x = fa.get(key);
    const y = fb.get(key);
    if (!x || !y) out.push({ what: 'finding', key, change: x ? 'gone' : 'new', a: x ?? null, b: y ?? null });
    else if (x.severity !== y.severity || x.message !== y.message) out.push({ what: 'finding', key, change: x.severity !== y.severity ? 'severity' : 'message', a: x, b: y });
  }
  const ea = fileErrorMap(a);
  const eb = fileErrorMap(b);
  for (const key of new Set([...ea.keys(), ...eb.keys()])) {
    if (ea.get(key) !== eb.get(key)) out.push({ what: 'file error', key, change: !ea.has(key) ? 'new' : !eb.has(key) ? 'gone' : 'message', a: ea.get(key) ?? null, b: eb.get(key) ?? null });
  }
  return out;
}

function summary(r) {
  return { outcome: r.outcome, certain: r.certain, pid1: r.pid1, service: r.service, stopSignal: r.stopSignal, shell: r.shell, chain: r.chain, verdict: verdictOf(r) };
}

/** Whether a difference changes what pid1 concludes (not only how it says it). */
function changesVerdict(x) {
  if (x.what === 'launch') return x.change === 'new' || x.change === 'gone' || /\b(outcome|certain|verdict)\b/.test(x.change);
  return x.change !== 'message';
}

function findingMap(runData) {
  const m = new Map();
  for (const [repo, entry] of Object.entries(runData.repos)) {
    for (const f of entry.lint?.files ?? []) {
      for (const fi of f.findings) {
        let key = findingKey(repo, f, fi);
        for (let i = 2; m.has(key); i++) key = `${findingKey(repo, f, fi)}#${i}`;
        m.set(key, { severity: fi.severity, message: fi.message });
      }
    }
  }
  return m;
}

function fileErrorMap(runData) {
  const m = new Map();
  for (const [repo, entry] of Object.entries(runData.repos)) {
    if (!entry.lint) {
      m.set(`${repo}\t(run)`, `exit ${entry.exit}: ${entry.stderr ?? ''}`);
      continue;
    }
    for (const f of entry.lint.files) for (const e of f.errors) m.set(`${repo}\t${e.file ?? f.file}:${e.line ?? 0}`, e.message);
  }
  return m;
}

function diff(argv) {
  const { opts, rest } = parseArgs(argv, { json: 'flag', verdicts: 'flag' });
  if (rest.length !== 2) die('diff: give two run files (node scripts/corpus.mjs diff A.json B.json)');
  const a = readJson(rest[0], 'run A');
  const b = readJson(rest[1], 'run B');
  let d = diffRuns(a, b);
  // --verdicts: only what changes a conclusion (launches appearing or going, their outcome, certainty or
  // error verdict; findings appearing, going or changing severity), not a reworded message or chain.
  if (opts.verdicts) d = d.filter(changesVerdict);
  if (opts.json) process.stdout.write(`${JSON.stringify(d, null, 1)}\n`);
  else {
    for (const x of d) {
      const k = x.key.split('\t').join(' ');
      process.stdout.write(`${x.what} ${x.change}: ${k}\n    A: ${JSON.stringify(x.a)}\n    B: ${JSON.stringify(x.b)}\n`);
    }
    const counts = {};
    for (const x of d) counts[`${x.what} ${x.change}`] = (counts[`${x.what} ${x.change}`] ?? 0) + 1;
    process.stdout.write(`${d.length} difference(s)${d.length ? `: ${JSON.stringify(counts)}` : ''}\n`);
  }
  if (d.length) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------- judging aid

/** A seeded PRNG (mulberry32), so a sample can be drawn again from the same run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seeded sample of silent launches (no error; also those pid1 does not list), drawn per set (a stratified
 * sample: the held-out set is small and would get few draws otherwise), in a stable order.
 */
export async function sampleSilent(dir, runData, sizes, seed) {
  const { launches } = launchTable(runData);
  const unseen = await unseenLaunches(dir, runData, launches);
  const silent = [...launches.values(), ...unseen].filter((r) => verdictOf(r) !== 'error').sort((x, y) => (x.key < y.key ? -1 : 1));
  const sample = [];
  const frame = {};
  for (const [set, n] of Object.entries(sizes)) {
    const list = silent.filter((r) => r.set === set);
    frame[set] = list.length;
    const next = rng(seed);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    sample.push(...list.slice(0, n));
  }
  return { sample, frame, unseen: unseen.length };
}

function parseSizes(text) {
  const sizes = {};
  for (const part of text.split(',')) {
    const m = /^(\w+)=(\d+)$/.exec(part);
    if (!m || !SETS.includes(m[1])) die(`--sample: expected SET=N,... with SET one of ${SETS.join(', ')} (dev=150,heldout=75,fresh=100), got ${text}`);
    sizes[m[1]] = Number(m[2]);
  }
  return sizes;
}

async function launchesCmd(argv) {
  const { opts, rest } = parseArgs(argv, { errors: 'flag', sample: 'value', seed: 'value', dir: 'value', unseen: 'flag' });
  if (rest.length !== 1) die('launches: give one run file');
  const runData = readJson(rest[0], 'the run');
  const dir = path.resolve(opts.dir ?? DEFAULT_DIR);
  const { launches, unattributed } = launchTable(runData);
  let list;
  if (opts.errors) list = [...launches.values()].filter((r) => verdictOf(r) === 'error');
  else if (opts.sample) {
    const s = await sampleSilent(dir, runData, parseSizes(opts.sample), Number(opts.seed ?? 1));
    process.stderr.write(`frame (silent launches): ${JSON.stringify(s.frame)}, of which unseen by pid1: ${s.unseen}\n`);
    list = s.sample;
  } else if (opts.unseen) list = await unseenLaunches(dir, runData, launches);
  else list = [...launches.values()];
  for (const r of list) process.stdout.write(`${JSON.stringify(r)}\n`);
  if (opts.errors && unattributed.length) process.stderr.write(`${unattributed.length} error(s) not attributed to a launch\n`);
}

// ---------------------------------------------------------------------------------------------- main

const commands = { materialize, run, score, diff, launches: launchesCmd };
const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const [cmd, ...argv] = process.argv.slice(2);
  try {
    if (!cmd || !(cmd in commands)) die(`usage: corpus.mjs ${Object.keys(commands).join('|')} [options] (see the top of scripts/corpus.mjs)`);
    await commands[cmd](argv);
  } catch (e) {
    if (!(e instanceof CorpusError)) throw e;
    process.stderr.write(`corpus: ${e.message}\n`);
    process.exitCode = 2;
  }
}

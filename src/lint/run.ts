/**
 * One `pid1 lint` run, independent of the command line: discover files, lint them (looking inside base
 * images when a probe is given), apply or preview fixes. The CLI (src/cli/lint.ts) and the benchmark call
 * this; the probe (a Docker adapter, src/runtime/image-probe.ts) is handed in by the CLI, so that lint
 * never depends on the runtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import { displayPath, makeDocument, notText, type FileError } from '../document/document.js';
import { DocumentStore, type ReadCache } from '../document/store.js';
import { loadShellParser } from '../model/shell.js';
import { looksLikeYamlManifest, yamlKindOf } from '../sources/kinds.js';
import type { ProbedImage } from '../sources/launch.js';
import { loadAllGrammars, loadWantedGrammars } from '../sources/grammars.js';
import { isShellScript } from '../sources/script.js';
import { confinementFor, discoverSteps, type Found, type Listings } from '../sources/walk.js';
import { UserError, messageOf } from '../util/errors.js';
import { defaultDockerfile, type Confinement } from '../util/files.js';
import { NotWritten, planByteFixes, unifiedDiff, writeChecked, type BytePlan } from './apply.js';
import { Linter, type EngineOptions, type LintResult } from './engine.js';

/** Looks inside local images: their /bin/sh and ENTRYPOINT/CMD/STOPSIGNAL, by reference. */
type ImageProbe = (refs: readonly string[]) => Promise<ReadonlyMap<string, ProbedImage>>;

interface RunOptions extends EngineOptions {
  paths: string[];
  /** Text for `-` (stdin), already read. */
  stdinText?: string;
  stdinName?: string;
  ignore?: string[];
  fix?: boolean;
  fixDryRun?: boolean;
  /** --follow-symlinks: read files that symlinks lead to outside the linted tree (--fix still never writes there). */
  followSymlinks?: boolean;
  /** --probe-images: the probe to use for base images the table or config does not settle. */
  probe?: ImageProbe;
  /** Told as files are found and linted (a terminal's progress line). */
  progress?: (p: LintProgress) => void;
}

export interface LintProgress {
  phase: 'finding' | 'linting';
  done: number;
  /** Files to lint (when linting). */
  total?: number;
}

interface RunOutcome {
  result: LintResult;
  /** Files changed by --fix (or that would be, with --fix-dry-run). */
  plans: BytePlan[];
  diff?: string;
  /** What --probe-images found (or why it could not). */
  probeNotes: string[];
}

/** Planning rounds for --fix: a fix can make another one possible (the JSON form, then `exec` in its -c string). */
const MAX_FIX_ROUNDS = 5;

/** What one run reads, shared by its passes: the files' bytes (read once), the walk's listings, the confinement. */
interface RunInputs {
  found: readonly Found[];
  stdin: { name: string; text: string } | undefined;
  listings: Listings;
  confinement: Confinement;
  /** Only for --fix and --fix-dry-run: every pass sees the same bytes, and documents keep them. */
  cache?: ReadCache;
  /** Read from disk afresh: not the bytes the walk read (the pass after --fix wrote). */
  afresh?: boolean;
}

function lintOnce(inp: RunInputs, opts: RunOptions, probed?: ReadonlyMap<string, ProbedImage>, overlay?: ReadonlyMap<string, Buffer>, stdinText?: string): LintResult {
  const store = new DocumentStore({ confinement: inp.confinement, ...(inp.cache ? { cache: inp.cache } : {}), keepBytes: inp.cache !== undefined, ...(overlay ? { overlay } : {}) });
  store.seedListings(inp.listings.names, inp.listings.entries);
  const linter = new Linter({ ...opts, ...(probed ? { probed } : {}) }, store);
  const { stdin } = inp;
  if (stdin) {
    const text = stdinText ?? stdin.text;
    const bad = notText(Buffer.from(text, 'utf8'));
    if (bad) linter.fileError({ file: stdin.name, message: bad });
    else {
      // `helm template ... | pid1 lint -`, `kubectl kustomize | pid1 lint -`, or a compose file
      const kind = looksLikeYamlManifest(text) ? yamlKindOf(stdin.name, text) : isShellScript(stdin.name, text) && !text.match(/^\s*FROM\s/im) ? 'script' : 'dockerfile';
      linter.lint(makeDocument(stdin.name, text, kind));
    }
  }
  let done = 0;
  for (const f of inp.found) {
    opts.progress?.({ phase: 'linting', done: done++, total: inp.found.length });
    if (f.problem) {
      linter.fileError({ file: displayPath(f.abs), message: f.problem }, f.kind);
      continue;
    }
    if (f.read && !inp.afresh) store.seedRead(f.abs, f.read);
    const doc = store.readInput(f.abs, f.kind);
    if (!('text' in doc)) {
      linter.fileError(doc, f.kind);
      continue;
    }
    linter.lint(doc);
  }
  return linter.result();
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Plan --fix to its fixed point, in memory: apply a round of fixes, lint the fixed text again, and go on
 * while a round still changes something (bounded), so that one run does what would otherwise take several
 * (`CMD sh -c "x"`: the JSON form first, then `exec` inside the -c string, which only the new form shows).
 */
function planToFixedPoint(inp: RunInputs, opts: RunOptions, first: LintResult, probed?: ReadonlyMap<string, ProbedImage>): { plans: BytePlan[]; notFixed: FileError[] } {
  const overlay = new Map<string, Buffer>();
  let stdinText: string | undefined;
  const firstPlan = new Map<string, BytePlan>();
  const fixes = new Map<string, BytePlan['fixes']>();
  const notFixed: FileError[] = [];
  let result = first;
  for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
    const { plans, refused } = planByteFixes(
      result.files.flatMap((f) => f.findings),
      (file) => result.docs.get(file),
    );
    for (const r of refused) if (!notFixed.some((e) => e.file === r.file)) notFixed.push({ file: r.file, message: `not fixed: ${r.reason}` });
    if (!plans.length) break;
    for (const p of plans) {
      if (!firstPlan.has(p.file)) firstPlan.set(p.file, p);
      fixes.set(p.file, [...(fixes.get(p.file) ?? []), ...p.fixes]);
      if (p.absPath) overlay.set(p.absPath, p.afterBytes);
      else stdinText = p.after;
    }
    result = lintOnce(inp, opts, probed, overlay, stdinText);
  }
  const plans: BytePlan[] = [];
  for (const [file, p] of firstPlan) {
    const afterBytes = p.absPath ? (overlay.get(p.absPath) as Buffer) : Buffer.from(stdinText ?? p.after, 'utf8');
    plans.push({
      file,
      before: p.before,
      after: afterBytes.toString('utf8'),
      afterBytes,
      fixes: fixes.get(file) ?? [],
      ...(p.absPath ? { absPath: p.absPath } : {}),
      ...(p.snapshot ? { snapshot: p.snapshot } : {}),
    });
  }
  return { plans, notFixed };
}

export async function runLint(opts: RunOptions): Promise<RunOutcome> {
  await loadShellParser();
  // every grammar before the lint (about 3 ms each): one pass over the files instead of two when a program needs one
  const grammars = loadAllGrammars();
  const usesStdin = opts.paths.includes('-');
  if (usesStdin && opts.fix) throw new UserError('--fix cannot write to stdin; use --fix-dry-run to see the diff');
  const listings: Listings = { names: new Map(), entries: new Map() };
  const cwd = process.cwd();
  const named = [...opts.paths.filter((p) => p !== '-'), ...(opts.composeFiles ?? [])];
  // --context names a directory on the command line: COPY sources may be read there.
  // --context and --image-map name directories and files on the command line: they are read as named.
  const mapped = Object.values(opts.imageMap ?? {}).map((p) => path.resolve(cwd, p.split('#')[0] as string));
  const mappedDirs = mapped.map((p) => (isDirectory(p) ? p : path.dirname(p)));
  const confinement = confinementFor([...named, ...(usesStdin ? ['-'] : [])], cwd, opts.followSymlinks ?? false, [...(opts.context ? [opts.context] : []), ...mappedDirs]);
  for (const p of mapped) confinement.allow(isDirectory(p) ? defaultDockerfile(p) : p);
  const found: Found[] = [];
  for (const f of discoverSteps(named, opts.ignore ?? [], cwd, listings, confinement)) {
    if (f) found.push(f);
    else opts.progress?.({ phase: 'finding', done: found.length });
  }
  confinement.addWalked(listings.entries);
  const stdin = usesStdin ? { name: opts.stdinName ?? '<stdin>', text: opts.stdinText ?? '' } : undefined;
  if (!stdin && found.length === 0)
    throw new UserError(`nothing to lint in ${opts.paths.join(', ')} (looked for Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile*, compose files and Kubernetes YAML)`);
  const fixing = Boolean(opts.fix || opts.fixDryRun);
  const inp: RunInputs = { found, stdin, listings, confinement, ...(fixing ? { cache: new Map() } : {}) };
  await grammars;
  let result = lintOnce(inp, opts);
  // A program's source (python app.py, node server.js) needs its grammar: one that did not load above is
  // tried again now, and the tree linted again with it.
  if (await loadWantedGrammars()) result = lintOnce(inp, opts);
  const probeNotes: string[] = [];
  let probedImages: ReadonlyMap<string, ProbedImage> | undefined;
  if (opts.probe) {
    const refs = new Set<string>();
    for (const f of result.files) for (const l of f.launches) if (l.shell.image && !opts.images?.[l.shell.image]) refs.add(l.shell.image);
    if (refs.size) {
      try {
        const probed = await opts.probe([...refs]);
        for (const [ref, p] of probed) probeNotes.push(`${ref}: ${p.family} (${p.how})`);
        probedImages = probed;
        result = lintOnce(inp, opts, probed);
      } catch (err) {
        probeNotes.push(`--probe-images: ${messageOf(err)}; using the image table`);
      }
    }
  }
  const outcome: RunOutcome = { result, plans: [], probeNotes };
  if (opts.fix || opts.fixDryRun) {
    const { plans, notFixed } = planToFixedPoint(inp, opts, result, probedImages);
    outcome.plans = plans;
    if (opts.fixDryRun) outcome.diff = plans.map((p) => unifiedDiff(p.file, p.before, p.after)).join('');
    if (opts.fix && plans.length) {
      const written: BytePlan[] = [];
      for (const p of plans) {
        if (!p.absPath || !p.snapshot) continue;
        try {
          writeChecked(p.absPath, p.afterBytes, p.snapshot, confinement);
          written.push(p);
        } catch (err) {
          // One file that cannot be written does not stop the others: each is replaced atomically or not at all.
          if (!(err instanceof NotWritten)) throw err;
          notFixed.push({ file: p.file, message: `not fixed: ${err.message}` });
        }
      }
      outcome.plans = written;
      // report what is left after the fixes, read from disk afresh
      if (written.length) outcome.result = lintOnce({ ...inp, cache: new Map(), afresh: true }, opts, probedImages);
    }
    addFileErrors(outcome.result, notFixed);
  }
  return outcome;
}

/** File errors found after the lint (a fix that could not be written) go with the file's result. */
function addFileErrors(result: LintResult, errors: readonly FileError[]): void {
  for (const e of errors) {
    const f = result.files.find((x) => x.file === e.file);
    if (f) f.errors.push(e);
    else result.files.push({ file: e.file, kind: 'unknown', launches: [], findings: [], suppressed: [], errors: [e] });
  }
}

/**
 * One `pid1 lint` run, independent of the command line: discover files, lint them (looking inside base
 * images when a probe is given), apply or preview fixes. The CLI (src/cli/lint.ts) and the benchmark call
 * this; the probe (a Docker adapter, src/runtime/image-probe.ts) is handed in by the CLI, so that lint
 * never depends on the runtime.
 */
import fs from 'node:fs';
import { displayPath, makeDocument, notText } from '../document/document.js';
import { loadShellParser } from '../model/shell.js';
import { looksLikeYamlManifest, yamlKindOf } from '../sources/kinds.js';
import type { ProbedImage } from '../sources/launch.js';
import { loadWantedGrammars } from '../sources/grammars.js';
import { isShellScript } from '../sources/script.js';
import { discoverSteps, type Found } from '../sources/walk.js';
import { UserError, messageOf } from '../util/errors.js';
import { planFixes, unifiedDiff, writeAtomic, type FilePlan } from './apply.js';
import { Linter, type EngineOptions, type LintResult } from './engine.js';

/** Looks inside local images: their /bin/sh and ENTRYPOINT/CMD/STOPSIGNAL, by reference. */
export type ImageProbe = (refs: readonly string[]) => Promise<ReadonlyMap<string, ProbedImage>>;

export interface RunOptions extends EngineOptions {
  paths: string[];
  /** Text for `-` (stdin), already read. */
  stdinText?: string;
  stdinName?: string;
  ignore?: string[];
  fix?: boolean;
  fixDryRun?: boolean;
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

export interface RunOutcome {
  result: LintResult;
  /** Files changed by --fix (or that would be, with --fix-dry-run). */
  plans: FilePlan[];
  diff?: string;
  /** What --probe-images found (or why it could not). */
  probeNotes: string[];
}

function lintOnce(found: readonly Found[], stdin: { name: string; text: string } | undefined, opts: RunOptions, probed?: ReadonlyMap<string, ProbedImage>, listings?: ReadonlyMap<string, Set<string>>): LintResult {
  const linter = new Linter({ ...opts, ...(probed ? { probed } : {}) });
  if (listings) linter.store.seedListings(listings);
  if (stdin) {
    const bad = notText(Buffer.from(stdin.text, 'utf8'));
    if (bad) linter.fileError({ file: stdin.name, message: bad });
    else {
      // `helm template ... | pid1 lint -`, `kubectl kustomize | pid1 lint -`, or a compose file
      const kind = looksLikeYamlManifest(stdin.text) ? yamlKindOf(stdin.name, stdin.text) : isShellScript(stdin.name, stdin.text) && !stdin.text.match(/^\s*FROM\s/im) ? 'script' : 'dockerfile';
      linter.lint(makeDocument(stdin.name, stdin.text, kind));
    }
  }
  let done = 0;
  for (const f of found) {
    opts.progress?.({ phase: 'linting', done: done++, total: found.length });
    let buf: Buffer;
    try {
      buf = fs.readFileSync(f.abs);
    } catch (err) {
      linter.fileError({ file: displayPath(f.abs), message: `cannot read: ${messageOf(err)}` }, f.kind);
      continue;
    }
    const bad = notText(buf);
    if (bad) { linter.fileError({ file: displayPath(f.abs), message: bad }, f.kind); continue; }
    const doc = makeDocument(displayPath(f.abs), buf.toString('utf8'), f.kind, f.abs);
    linter.store.add(doc);
    linter.lint(doc);
  }
  return linter.result();
}

export async function runLint(opts: RunOptions): Promise<RunOutcome> {
  await loadShellParser();
  const usesStdin = opts.paths.includes('-');
  if (usesStdin && opts.fix) throw new UserError('--fix cannot write to stdin; use --fix-dry-run to see the diff');
  const listings = new Map<string, Set<string>>();
  const found: Found[] = [];
  for (const f of discoverSteps([...opts.paths.filter((p) => p !== '-'), ...(opts.composeFiles ?? [])], opts.ignore ?? [], process.cwd(), listings)) {
    if (f) found.push(f);
    else opts.progress?.({ phase: 'finding', done: found.length });
  }
  const stdin = usesStdin ? { name: opts.stdinName ?? '<stdin>', text: opts.stdinText ?? '' } : undefined;
  if (!stdin && found.length === 0) throw new UserError(`nothing to lint in ${opts.paths.join(', ')} (looked for Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile*, compose files and Kubernetes YAML)`);
  let result = lintOnce(found, stdin, opts, undefined, listings);
  // A program's source (python app.py, node server.js) needs its grammar; grammars load on demand, so a
  // run that met such programs loads them and lints again (most trees need none, or one).
  if (await loadWantedGrammars()) result = lintOnce(found, stdin, opts, undefined, listings);
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
        result = lintOnce(found, stdin, opts, probed, listings);
      } catch (err) {
        probeNotes.push(`--probe-images: ${messageOf(err)}; using the image table`);
      }
    }
  }
  const outcome: RunOutcome = { result, plans: [], probeNotes };
  if (opts.fix || opts.fixDryRun) {
    const all = result.files.flatMap((f) => f.findings);
    const plans = planFixes(all, (file) => result.docs.get(file)?.text);
    outcome.plans = plans;
    if (opts.fixDryRun) outcome.diff = plans.map((p) => unifiedDiff(p.file, p.before, p.after)).join('');
    if (opts.fix && plans.length) {
      const written: string[] = [];
      for (const p of plans) {
        const abs = result.docs.get(p.file)?.absPath;
        if (!abs) continue;
        try {
          writeAtomic(abs, p.after);
        } catch (err) {
          // Each file is replaced atomically; say which ones already were.
          throw written.length ? new UserError(`${messageOf(err)} (already fixed: ${written.join(', ')})`) : err;
        }
        written.push(p.file);
      }
      // report what is left after the fixes
      outcome.result = lintOnce(found, stdin, opts, probedImages, listings);
    }
  }
  return outcome;
}

/**
 * A Dockerfile stage's launch: ENTRYPOINT + CMD as the runtime execs them, the scripts they run (found
 * through COPY/ADD in the build context, other stages or heredocs), and the predicted stop.
 */
import path from 'node:path';
import { displayPath, type Document, type Origin } from '../../document/document.js';
import type { DocumentStore } from '../../document/store.js';
import { MappedText } from '../../document/text.js';
import { catalogueById } from '../../model/catalogue.js';
import { chainFromArgv, commandLineWord, predictStop, uncatchableChain, type ChainOptions, type SourceVerdict, type StopPrediction } from '../../model/launch.js';
import { identify } from '../../model/programs.js';
import { parseSignal, signalName } from '../../model/signals.js';
import { globToRe } from '../../util/files.js';
import type { DockerfileLaunch, Launch, LaunchPart, ProbedImage, ScriptRef, SourceOptions, SourceResult, StopSignalFact } from '../launch.js';
import { type ImageLink, linkedBuildOptions, linkerFor } from '../image-links.js';
import { baseImageDefaultCmd, baseImageStopSignal, isOfficialNodeImage } from '../image-config.js';
import { copiedFrom, filesOfRuns, type RunFiles, type TriggeredRun } from './run-written.js';
import { isWindowsImage, knownImage, ownRegistry, parseImageRef, WINDOWS_NOTE } from '../images.js';
import { imageRepo } from '../declared-builds.js';
import { programSourceReader } from '../program-reader.js';
import { supervisedServices } from '../supervised.js';
import { dockerfileTemplate } from '../templates.js';
import { copiedImage, fromStage, sourceFor, takenForDirectory } from './copies.js';
import { goBinaryVerdict, StageFiles, type ContextFiles } from './go-link.js';
import { cargoBinPaths, rustBinaryVerdict } from './rust-link.js';
import { pipInstallsIn, pipInstallsOfArgv, type PipInstall } from '../../model/python-clis.js';
import { DEFAULT_PATH, parseDockerfile, span, type CopyOp, type DockerfileModel, type Stage } from './parse.js';

/** `docker stop` waits this long before SIGKILL unless told otherwise (docker stop --time, default 10). */
const DOCKER_STOP_GRACE_SECONDS = 10;

function stopSignalOf(stage: Stage): StopSignalFact {
  if (stage.stopSignal) {
    const source = stage.stopSignal.span === stage.rootSpan ? 'base-image' : 'explicit';
    try {
      return { signal: signalName(parseSignal(stage.stopSignal.value)), source, span: stage.stopSignal.span };
    } catch {
      return { signal: 'SIGTERM', source, span: stage.stopSignal.span, invalid: stage.stopSignal.value };
    }
  }
  // Docker's default is SIGTERM, unless the base image sets STOPSIGNAL (the official nginx image: SIGQUIT).
  if (!stage.rootUnseen) return { signal: 'SIGTERM', source: 'default' };
  const base = baseImageStopSignal(stage.rootImage);
  if (base.signal) return { signal: base.signal, source: 'base-image', span: stage.rootSpan };
  return { signal: 'SIGTERM', source: base.known ? 'default' : 'unknown-base' };
}

interface ContextReader extends ContextFiles {
  dir: string;
  store: DocumentStore;
}

function contextReader(dir: string, store: DocumentStore): ContextReader {
  const root = path.resolve(dir);
  /** Inside the build context only: `COPY ../x` cannot reach outside it. */
  const inside = (rel: string): string | undefined => {
    const abs = path.resolve(root, rel);
    return abs === root || abs.startsWith(`${root}${path.sep}`) ? abs : undefined;
  };
  const kind = (rel: string): 'dir' | 'file' | 'none' => {
    const abs = inside(rel);
    return abs === undefined ? 'none' : store.typeOf(abs);
  };
  return {
    dir,
    store,
    isDir: (rel) => kind(rel) === 'dir',
    isFile: (rel) => kind(rel) === 'file',
    read: (rel) => {
      const abs = inside(rel);
      return abs === undefined ? undefined : store.read(abs, 'script');
    },
    list: (rel) => {
      const abs = inside(rel);
      return abs === undefined ? undefined : store.listing(abs);
    },
    // The store keeps these reads inside the tree pid1 was given (its Confinement).
    host: { dir: root, read: (abs) => store.read(abs, 'script'), list: (abs) => store.listing(abs) },
  };
}

/**
 * Find what a path inside the stage's filesystem was copied from (the build context, a heredoc, a stage), or, for a
 * JavaScript file a TypeScript build wrote there, the TypeScript it was compiled from.
 */
function resolveFile(stage: Stage, p: string, ctx: ContextReader, stages: Stage[], depth = 0): ScriptRef | undefined {
  return resolveCopied(stage, p, ctx, stages, depth) ?? (COMPILED_JS.test(p) ? compiledFrom(stage, p, ctx, stages, depth) : undefined);
}

const COMPILED_JS = /\.[cm]?js$/;
/** A RUN that compiles TypeScript: tsc itself, or a package script named build or compile (nest build too). */
const TS_BUILD = /\btsc\b|\b(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?(?:build|compile)\b|\bnest\s+build\b/;

/** tsconfig.json's compilerOptions (JSON with comments and trailing commas, as tsc reads it); undefined when unreadable. */
function tsOutput(text: string): { outDir?: string; rootDir?: string } | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      // a string, kept whole (a `//` in it is no comment), its escapes skipped
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return undefined;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i) - 1;
    else if (c === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) < 0 ? text.length : text.indexOf('*/', i + 2) + 1;
    else out += c;
  }
  try {
    const json = JSON.parse(out.replace(/,(\s*[}\]])/g, '$1')) as { compilerOptions?: { outDir?: unknown; rootDir?: unknown } };
    const o = json.compilerOptions ?? {};
    return { ...(typeof o.outDir === 'string' ? { outDir: o.outDir } : {}), ...(typeof o.rootDir === 'string' ? { rootDir: o.rootDir } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The TypeScript source of `p`, a .js file that a TypeScript build in this stage wrote (`RUN npm run build`, `tsc`) and
 * the context does not hold: the nearest tsconfig.json above it whose outDir holds it maps it back (tsc keeps the
 * directory structure below rootDir, which defaults to the common directory of the inputs: the project or its src/).
 * pid1 reads the TypeScript as JavaScript (program-source.ts): what tsc emits is that code without its types.
 */
function compiledFrom(stage: Stage, p: string, ctx: ContextReader, stages: Stage[], depth: number): ScriptRef | undefined {
  let builds = false;
  for (let st: Stage | undefined = stage; st && !builds; st = st.parent) builds = st.runs.some((r) => TS_BUILD.test(r.script ?? r.argv?.join(' ') ?? ''));
  if (!builds) return undefined;
  for (let dir = path.posix.dirname(p); ; dir = path.posix.dirname(dir)) {
    const conf = resolveCopied(stage, path.posix.join(dir, 'tsconfig.json'), ctx, stages, depth + 1);
    const options = conf ? tsOutput(conf.text) : undefined;
    if (options?.outDir !== undefined) {
      const out = path.posix.resolve(dir, options.outDir);
      if (!p.startsWith(`${out}/`)) return undefined;
      const rel = path.posix.relative(out, p).replace(/\.([cm]?)js$/, '.$1ts');
      const roots = options.rootDir !== undefined ? [path.posix.resolve(dir, options.rootDir)] : [dir, path.posix.join(dir, 'src')];
      for (const root of roots) {
        for (const file of [path.posix.join(root, rel), path.posix.join(root, rel.replace(/\.ts$/, '.tsx'))]) {
          const ref = resolveCopied(stage, file, ctx, stages, depth + 1);
          if (ref) return ref;
        }
      }
      return undefined;
    }
    // a tsconfig that extends another (its outDir may be there) or names none: pid1 cannot tell where it wrote
    if (conf || dir === '/') return undefined;
  }
}

function resolveCopied(stage: Stage, p: string, ctx: ContextReader, stages: Stage[], depth = 0): ScriptRef | undefined {
  if (depth > 16) return undefined;
  for (let ci = stage.copies.length - 1; ci >= 0; ci--) {
    const c = stage.copies[ci] as CopyOp;
    for (let si = c.sources.length - 1; si >= 0; si--) {
      const src = c.sources[si] as string;
      if (src.startsWith('<<')) {
        const h = c.heredocs.find((x) => src.includes(x.name));
        const target = c.destDir ? path.posix.join(c.dest, h?.name ?? '') : c.dest;
        if (h && target === p) return { path: p, doc: c.span.doc, offset: h.contentStart, text: h.content, copiedBy: c.span };
        continue;
      }
      const cand = sourceFor(c, src, p, ctx, true);
      if (cand === undefined) continue;
      if (c.from !== undefined) {
        const from = fromStage(c, stage, stages);
        const ref = from ? resolveFile(from, path.posix.resolve('/', cand), ctx, stages, depth + 1) : undefined;
        // (a source taken for a directory that does not hold the file: an earlier copy may have put it there)
        if (ref || !takenForDirectory(c, src, p)) return ref;
        continue;
      }
      const abs = path.resolve(ctx.dir, cand);
      // only inside the build context, symlinks resolved: the builder cannot copy from elsewhere either
      const d = ctx.store.read(abs, 'script', { within: ctx.dir });
      if (d) return { path: p, doc: d, offset: 0, text: d.text, copiedBy: c.span };
      return undefined;
    }
  }
  return stage.parent ? resolveFile(stage.parent, p, ctx, stages, depth + 1) : undefined;
}

/**
 * A root-filesystem overlay staged by the build: `COPY build /tmp/build/baseimage` and a RUN that installs the staged
 * tree's files at the same paths under `/` (minimum2scp's `install -D ${f} ${f#/tmp/build/baseimage}`, a `cp -a
 * /tmp/rootfs/. /`). The image file `p` is then the staged directory's `.${p}`, when the context has it and a RUN of the
 * stage names the staging directory. Only staging under /tmp (a place nothing runs from) and only files the tree holds.
 */
function stagedFile(stage: Stage, p: string, ctx: ContextReader): ScriptRef | undefined {
  for (let st: Stage | undefined = stage; st; st = st.parent) {
    for (const c of st.copies) {
      if (c.from !== undefined || c.sources.length !== 1 || !c.dest.startsWith('/tmp/')) continue;
      const src = c.sources[0] as string;
      if (src.startsWith('<<') || /[*?[$]/.test(src) || !ctx.isDir(src)) continue;
      const staged = path.posix.join(src, p);
      if (!ctx.isFile(staged)) continue;
      const dest = c.dest.replace(/\/+$/, '');
      if (!runsMention(stage, dest)) continue;
      const d = ctx.store.read(path.resolve(ctx.dir, staged), 'script', { within: ctx.dir });
      if (d) return { path: p, doc: d, offset: 0, text: d.text, copiedBy: c.span };
    }
  }
  return undefined;
}

/** Whether a RUN of the stage (or the stages it is built on) names `dir` (`run-parts /tmp/build/baseimage/scripts`). */
function runsMention(stage: Stage, dir: string): boolean {
  for (let st: Stage | undefined = stage; st; st = st.parent) for (const r of st.runs) if ((r.script ?? r.argv?.join(' ') ?? '').includes(dir)) return true;
  return false;
}

function originsOf(part: LaunchPart | undefined, into: Map<string, Origin>): void {
  if (!part) return;
  for (const v of part.values) if (!into.has(v.text.value)) into.set(v.text.value, v);
}

/** The paths execvp tries for a program name: as given (with a slash), else each PATH directory. */
function execPaths(p: string, workdir: string, pathDirs: readonly string[]): string[] {
  return p.startsWith('/') ? [path.posix.normalize(p)] : p.includes('/') ? [path.posix.resolve(workdir, p)] : pathDirs.map((d) => path.posix.join(d, p));
}

/** Say that the base image's own CMD runs, and what to change: give the image a command of its own. */
function inheritedNote(p: StopPrediction, inherited: string[] | undefined, image: string): StopPrediction {
  if (!inherited) return p;
  const path = [
    `no ENTRYPOINT or CMD in the Dockerfile: the CMD of ${image} runs, \`${inherited.join(' ')}\`${/sh$|^(python3|node|irb|perl|erl|iex)$/.test(inherited[0] ?? '') ? ', an interactive shell or REPL' : ''}`,
    ...p.path,
  ];
  return Object.assign({}, p, { path }, p.outcome !== 'graceful' ? { fix: 'give the image a CMD (exec form) that runs its service; a shell or REPL as PID 1 does not stop on the stop signal' } : {});
}

/** Object.fromEntries(map), without its generic iteration (measured: a fifth of launchOf's own time). */
function recordOf(map: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of map) {
    // defined, not assigned: `ENV __proto__=x` is a key like any other, as fromEntries makes it
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** The repository's own Dockerfile that builds the stage's root image, when one does (linkedBases). */
function builtHereBase(stage: Stage, opts: SourceOptions): NonNullable<ProbedImage['builtHere']> | undefined {
  return opts.probed?.get(stage.rootImage)?.builtHere;
}

/** A RUN that may write a package.json: it names one, or runs a command that fetches, generates or copies files. */
const MAY_WRITE_FILES =
  /package\.json|\b(npm|yarn|pnpm|bun)\s+(init|create|add|i|install)\s+[^-\s&|;]|\b(npx|git|curl|wget|tar|unzip|cp|mv|rsync|ln|tee|degit|svn|echo|printf|cat|sed|dd)\b|(^|[;&|(]\s*)install\s|>/;

/** An ADD that fetches or unpacks: what it puts in the image is not in the build context. */
const FETCHED = /^(https?|git)[:@]|\.(tar|tgz|gz|bz2|xz|zst|zip)$/;

/**
 * The image surely holds no file at the absolute path `p`: the stage builds on an official node image (no files of its
 * own there), no RUN could write it, and no COPY that reaches its directory can give it: none does, or each copies
 * from a build context that holds no file of that name anywhere, and that is the build context for sure (some other
 * file the Dockerfile names is there: a directory that holds only the Dockerfile is built from elsewhere).
 */
function surelyAbsent(stage: Stage, p: string, ctx: ContextReader, contextKnown: boolean): boolean {
  if (!contextKnown || !stage.imageComplete || !isOfficialNodeImage(stage.rootImage)) return false;
  const dir = path.posix.dirname(p);
  let copiesThere = false;
  let credible = false;
  for (let s: Stage | undefined = stage; s; s = s.parent) {
    if (s.runs.some((r) => MAY_WRITE_FILES.test(r.script ?? r.argv?.join(' ') ?? ''))) return false;
    for (const c of s.copies) {
      if (!credible && c.from === undefined && c.sources.some((x) => x !== '.' && !x.startsWith('<<') && inContext(ctx, x))) credible = true;
      // a COPY writes into its destination: p only when that is p, its directory or above it
      if (!(c.dest === p || c.dest === dir || dir.startsWith(c.dest === '/' ? '/' : `${c.dest}/`))) continue;
      if (c.from !== undefined || c.heredocs.length || c.sources.some((x) => FETCHED.test(x))) return false;
      copiesThere = true;
    }
  }
  return !copiesThere || (credible && !holdsFileNamed(ctx, '.', path.posix.basename(p), 8));
}

/** A COPY source the build context holds (a glob: some name in its directory matches). */
function inContext(ctx: ContextReader, source: string): boolean {
  if (!/[*?[]/.test(source)) return ctx.isFile(source) || ctx.isDir(source);
  const parent = path.posix.dirname(source);
  if (/[*?[]/.test(parent)) return false;
  const matches = globToRe(path.posix.basename(source));
  return (ctx.list(parent) ?? []).some((n) => matches.test(n));
}

/** Some file of the context directory `rel`, down to `depth` levels (not node_modules or .git), is called `name`. */
function holdsFileNamed(ctx: ContextReader, rel: string, name: string, depth: number): boolean {
  const names = ctx.list(rel);
  if (!names) return false;
  for (const n of names) {
    const sub = rel === '.' ? n : `${rel}/${n}`;
    if (n === name && ctx.isFile(sub)) return true;
    if (depth > 0 && n !== 'node_modules' && n !== '.git' && ctx.isDir(sub) && holdsFileNamed(ctx, sub, name, depth - 1)) return true;
  }
  return false;
}

/**
 * Bases whose tags are manifest lists with Windows variants too (mcr.microsoft.com's .NET and PowerShell images; the
 * official golang, python, openjdk, eclipse-temurin and mongo images): on a Windows host the same name pulls Windows.
 */
const WINDOWS_TOO = /^mcr\.microsoft\.com\/|^(?:golang|python|openjdk|eclipse-temurin|mongo)$/;

/** A drive path (`C:\data`, `c:/app`) in an instruction's arguments: a path only Windows has. */
const DRIVE_PATH = /(?:^|[\s"'=[,])[A-Za-z]:[\\/]/;

/**
 * A stage that builds a Windows image though its base's name does not say so: written for Windows (a SHELL of
 * powershell, pwsh or cmd; a drive path in WORKDIR, ENV, COPY, ADD, ENTRYPOINT or CMD), or, on a base whose tags carry
 * Windows variants too, named for Windows (`Dockerfile.windows-amd64`, a `windows/` directory near it).
 */
function windowsStage(stage: Stage, file: string): boolean {
  for (let st: Stage | undefined = stage; st; st = st.parent) {
    if (/^(?:powershell|pwsh|cmd)(?:\.exe)?$/i.test(path.win32.basename(st.shell[0] ?? ''))) return true;
    for (const ins of st.instructions) if (/^(?:WORKDIR|ENV|COPY|ADD|ENTRYPOINT|CMD)$/.test(ins.keyword) && DRIVE_PATH.test(ins.args.value)) return true;
  }
  const r = parseImageRef(stage.rootImage);
  if (!WINDOWS_TOO.test(r.registry ? `${r.registry}/${r.repository}` : r.repository)) return false;
  const near = file.split(/[\\/]/).slice(-4);
  return near.some((part) => /(?:^|[-_.])(?:windows|win|nanoserver|servercore|ltsc\d*)(?:$|[-_.])/i.test(part));
}

/** The launch a stage's image runs. */
function launchOf(stage: Stage, doc: Document, target: boolean, ctx: ContextReader, stages: Stage[], files: StageFiles, opts: SourceOptions): DockerfileLaunch {
  const env = recordOf(stage.env);
  const stopSignal = stopSignalOf(stage);
  const ep = stage.entrypoint;
  // No ENTRYPOINT or CMD in the file: the official base image's own CMD runs (debian: `bash`, python: `python3`).
  const inherited = !ep && !stage.cmd && stage.baseConfigUnknown && stage.imageComplete ? baseImageDefaultCmd(stage.rootImage) : undefined;
  const cmd: LaunchPart | undefined =
    stage.cmd ??
    (inherited ? { what: `CMD of ${stage.rootImage}`, form: 'exec', values: [], argv: inherited, span: stage.rootSpan, valueSpan: stage.rootSpan, inheritedFrom: stage.rootImage } : undefined);
  const anchor = ep?.span ?? cmd?.span ?? span(doc, stage.from.start, stage.from.end);
  const argv = [...(ep?.argv ?? []), ...(cmd?.argv ?? [])];
  const scripts = new Map<string, ScriptRef>();
  const origins = new Map<string, Origin>();
  originsOf(ep, origins);
  originsOf(cmd, origins);
  const pathDirs = (env.PATH ?? DEFAULT_PATH).split(':').filter(Boolean);
  // Paths looked up and not found (each one a lookup per PATH directory through every COPY): the model, the
  // program reader and the fixes' re-runs ask for the same ones again.
  const notFound = new Set<string>();
  // What the stage's RUNs write and copy inside the image (run-written.ts), read once when a launch first needs it: for a
  // path the files do not give, or a supervisor's programs. The reads it makes do not follow copies (readingRuns).
  let runFiles: RunFiles | undefined;
  let readingRuns = false;
  const runFilesOnce = (): RunFiles => {
    if (!runFiles) {
      const was = readingRuns;
      readingRuns = true;
      try {
        // (a base image built here runs its ONBUILD RUNs first, at this build's FROM)
        runFiles = filesOfRuns(stage, readScript, env, builtHereBase(stage, opts)?.onbuildRuns);
      } finally {
        readingRuns = was;
      }
    }
    return runFiles;
  };
  /** The image paths a RUN copied or linked (`cp`, `mv`, `ln -s`) to where `p` resolves (its PATH lookups), in order. */
  const copySources = (p: string, workdir: string): string[] => {
    const { copies } = runFilesOnce();
    return execPaths(p, workdir, pathDirs)
      .map((c) => copiedFrom(copies, path.posix.normalize(c)))
      .filter((from): from is string => from !== undefined);
  };
  const readScript = (p: string): string | undefined => {
    const have = scripts.get(p);
    if (have) return have.text;
    if (notFound.has(p)) return undefined;
    // a file the build's RUNs wrote (`echo "#!/bin/sh" > $HOME/run.sh`, lines appended in derived images): what they wrote
    if (!readingRuns) {
      const { written, unknown } = runFilesOnce();
      if (written.size || unknown.size)
        for (const c of execPaths(p, stage.workdir, pathDirs)) {
          const abs = path.posix.normalize(c);
          const text = written.get(abs);
          if (text !== undefined) return text;
          if (unknown.has(abs)) return undefined;
        }
    }
    for (const c of execPaths(p, stage.workdir, pathDirs)) {
      const ref = resolveFile(stage, path.posix.normalize(c), ctx, stages);
      if (ref) {
        scripts.set(p, ref);
        if (!origins.has(ref.text)) origins.set(ref.text, { doc: ref.doc, text: MappedText.contiguous(ref.text, ref.offset) });
        return ref.text;
      }
    }
    // a file of a root-filesystem overlay the build staged in /tmp and installed with a RUN
    for (const c of execPaths(p, stage.workdir, pathDirs)) {
      const ref = stagedFile(stage, path.posix.normalize(c), ctx);
      if (ref) {
        scripts.set(p, ref);
        if (!origins.has(ref.text)) origins.set(ref.text, { doc: ref.doc, text: MappedText.contiguous(ref.text, ref.offset) });
        return ref.text;
      }
    }
    // a file a RUN copied inside the image (`cp -a /bd_build/bin/docker-init.sh /usr/local/sbin/`) from one it can read
    if (!readingRuns) {
      const sources = copySources(p, stage.workdir);
      // a copy's source is read without following copies again (`cp /a /b` and `cp /b /a` end here)
      readingRuns = true;
      try {
        for (const from of sources) {
          const text = from !== p ? readScript(from) : undefined;
          if (text !== undefined) return text;
        }
      } finally {
        readingRuns = false;
      }
    }
    // a file the repository's own base image put there (FROM an image another Dockerfile here builds)
    const base = builtHereBase(stage, opts);
    if (base) {
      for (const c of execPaths(p, stage.workdir, pathDirs)) {
        const text = base.readFile(path.posix.normalize(c));
        if (text !== undefined) return text;
      }
    }
    notFound.add(p);
    return undefined;
  };
  const unresolved =
    isWindowsImage(stage.rootImage) || windowsStage(stage, doc.file)
      ? { code: 'windows' as const, message: WINDOWS_NOTE }
      : argv.length > 0
        ? undefined
        : stage.baseConfigUnknown
          ? { code: 'base-image-unseen' as const, message: `the image runs the ENTRYPOINT/CMD of ${stage.rootImage}, which pid1 cannot see (try --probe-images)` }
          : { code: 'no-command' as const, message: 'no ENTRYPOINT or CMD: the container cannot start without a command' };
  // No chain when the container cannot start (no shell for a shell form: no-shell reports it; a bad STOPSIGNAL).
  // the exec form's program word, when it holds a command line (the shell form's is /bin/sh)
  const lineWord = unresolved ? undefined : commandLineWord(argv);
  const startable = !unresolved && !(stage.family.family === 'none' && startsWithShell(argv, ep ?? cmd)) && !stopSignal.invalid && lineWord === undefined;
  // What the build puts in an image directory, and what the repository's own base image put there before it.
  const listDir = (dir: string): string[] => {
    const own = files.list(stage, dir);
    const inBase = builtHereBase(stage, opts)?.listDir?.(dir) ?? [];
    return inBase.length ? [...new Set([...own, ...inBase])] : [...own];
  };
  // A name the build made a link or copy of a program pid1 knows (`ln -s /usr/sbin/php-fpm8.1 /usr/sbin/php8-fpm`): that
  // program, with what the catalogue says of it
  const linkedName = (exe: string, workdir: string): SourceVerdict | undefined => {
    if (readingRuns) return undefined;
    for (const from of copySources(exe, workdir)) {
      const program = identify([from], stage.family.family);
      if (program.catalogue !== undefined && program.role === 'service') return { verdict: 'unknown', reason: `${exe} is ${from}, which the build links or copies there`, runtime: program.catalogue };
    }
    return undefined;
  };
  // A binary that a go or cargo command built (here or in another stage): its main package or crate in the build context decides.
  const linkProgram = (exe: string, workdir: string, signal: string): SourceVerdict | undefined => {
    // The deciding file is a document of the launch, where a finding can point.
    const kept = (v: SourceVerdict | undefined, refOf: (file: string) => ScriptRef | undefined): SourceVerdict | undefined => {
      const file = v?.evidence?.file;
      const ref = file !== undefined ? refOf(file) : undefined;
      if (ref && !scripts.has(ref.path)) scripts.set(ref.path, ref);
      return v;
    };
    // A binary the repository's own image built (the base's, or one `COPY --from=IMAGE` takes): that build's verdict.
    const fromBuilt = (built: NonNullable<ProbedImage['builtHere']> | undefined, p: string, wd: string): SourceVerdict | undefined =>
      kept(built?.linkProgram?.(p, wd, signal), (f) => built?.fileRef?.(f));
    const here = builtHereBase(stage, opts);
    const base = here?.linkProgram ? here : undefined;
    // only a go or cargo build gives a verdict here (goBinaryVerdict, rustBinaryVerdict), in a RUN or outside the Dockerfile
    const mayLink = files.mayBuild || files.mayCopyBuilt || files.mayCopyImage;
    if (!base && !mayLink) return undefined;
    // one walk of what wrote the program; the cargo bin directory of the rust image only for a cargo build
    const built = files.firstWriter(stage, execPaths(exe, workdir, pathDirs));
    // (nothing here wrote over the base's program)
    if (base && !built) return fromBuilt(base, exe, workdir);
    if (!mayLink) return undefined;
    if (built?.writer.kind === 'image') return fromBuilt(opts.probed?.get(built.writer.image)?.builtHere, built.writer.path, '/');
    const o = { files, stage, signal };
    const cargoBuilt = built ? undefined : files.firstWriter(stage, cargoBinPaths(exe, stage));
    return kept(built ? (goBinaryVerdict(built, o) ?? rustBinaryVerdict(built, o)) : cargoBuilt ? rustBinaryVerdict(cargoBuilt, o) : undefined, (f) => files.refs.get(f));
  };
  const options: ChainOptions = {
    listDir,
    sh: stage.family.family,
    ...(stage.family.bashLevel ? { bashLevel: stage.family.bashLevel } : {}),
    signal: stopSignal.signal,
    readScript,
    ...(cmd ? { args: cmd.argv } : {}),
    env,
    // the container starts with the image's ENV and nothing else the files say: it decides a script's tests
    envComplete: true,
    pipInstalls: stagePipInstalls(stage),
    // `docker stop`'s default (the kubelet's 30 s is longer): what ends sooner ends before either SIGKILL.
    graceSeconds: DOCKER_STOP_GRACE_SECONDS,
    programSource: programSourceReader(readScript, stage.workdir, stopSignal.signal, (exe, wd, sig) => linkProgram(exe, wd, sig) ?? linkedName(exe, wd)),
    // A supervisor PID 1 (s6, supervisord): its services' files, as COPY/ADD give them to the image.
    supervised: (kind, args) => {
      // a supervisor's programs may be written by the build itself (`cat > /etc/supervisor/conf.d/nginx.conf <<EOF`)
      const { written } = runFilesOnce();
      const read = written.size ? (p: string): string | undefined => readScript(p) ?? written.get(p) : readScript;
      const list = written.size
        ? (dir: string): string[] => {
            const names = [...written.keys()].filter((f) => path.posix.dirname(f) === dir).map((f) => path.posix.basename(f));
            return [...new Set([...listDir(dir), ...names])];
          }
        : listDir;
      return supervisedServices(kind, args, { read, list, workdir: stage.workdir, env });
    },
    detaches: daemonDetaches(stage, doc, scripts),
    builtFromSource: clonedSource(stage),
    absent: (p) => surelyAbsent(stage, path.posix.resolve(stage.workdir, p), ctx, opts.context !== undefined || doc.absPath !== undefined),
  };
  const chain = startable ? chainFromArgv(argv, options) : unresolved && unresolved.code !== 'windows' && !stopSignal.invalid ? uncatchableChain(stopSignal.signal) : undefined;
  const predicted = chain && chain.processes.length > 0 ? chain : undefined;
  return {
    kind: 'dockerfile',
    workdir: stage.workdir,
    label: `stage ${stage.name ?? stage.index}${target ? '' : ' (not the target)'}`,
    doc,
    target,
    ...(ep ? { entrypoint: ep } : {}),
    ...(cmd ? { cmd } : {}),
    argv,
    shell: stage.family,
    stopSignal,
    env,
    scripts,
    origins,
    readScript,
    anchor,
    linkProgram,
    listDir,
    rootImage: stage.rootImage,
    ...(unresolved ? { unresolved } : {}),
    ...(lineWord !== undefined ? { commandLineWord: lineWord } : {}),
    ...(chain?.noShebang !== undefined ? { noShebang: chain.noShebang } : {}),
    model: { argv, options },
    ...(predicted ? { chain: predicted, prediction: inheritedNote(predictStop(predicted, stopSignal.signal), inherited, stage.rootImage) } : {}),
  };
}

/** Distribution images whose php-fpm package keeps php-fpm's compiled-in default, daemonize = yes. */
const DISTRIBUTIONS = new Set(['alpine', 'debian', 'ubuntu', 'centos', 'fedora', 'rockylinux', 'almalinux', 'amazonlinux', 'oraclelinux']);

/**
 * php-fpm installed from a distribution's package forks into the background unless told not to: daemonize
 * defaults to yes (php-src sapi/fpm/fpm/fpm_conf.c), the packages' php-fpm.conf leaves it commented out, and
 * only -F/--nodaemonize overrides it (php-fpm(8)); the official php image sets daemonize = no in
 * php-fpm.d/zz-docker.conf. As PID 1 its first process exits once the pool is up, and the container with it.
 * Only when nothing the build or the scripts do could configure it: no `daemonize` in the Dockerfile or a
 * script, no fpm configuration copied in, no -y/--fpm-config.
 */
function daemonDetaches(stage: Stage, doc: Document, scripts: ReadonlyMap<string, ScriptRef>): (argv: readonly string[], program: { catalogue?: string }) => boolean {
  return (argv, program) => {
    if (program.catalogue === 'nginx') return nginxDetaches(stage, doc, scripts, argv);
    if (program.catalogue !== 'php-fpm') return false;
    if (argv.some((a) => /^(-F|--nodaemonize|-y|--fpm-config)(=|$)/.test(a))) return false;
    const base = parseImageRef(stage.rootImage);
    if (base.registry || !DISTRIBUTIONS.has(base.repository)) return false;
    if (/daemonize/i.test(doc.text) || [...scripts.values()].some((r) => /daemonize/i.test(r.text))) return false;
    for (let st: Stage | undefined = stage; st; st = st.parent) if (st.copies.some((c) => /fpm/i.test(c.dest) || c.sources.some((x) => /fpm/i.test(x)))) return false;
    return true;
  };
}

/**
 * nginx runs as a daemon unless told not to: `daemon` defaults to on (nginx's core module docs), and neither the official
 * image's nor the distributions' nginx.conf sets it (the official CMD passes `-g 'daemon off;'`). Run without `-g`, `-c`
 * or `-p`, its first process forks the master into the background and exits: PID 1 is gone at start, and the container
 * with it. Only where nothing could have configured it: a distribution's or the official image as the root, no COPY or
 * ADD anywhere in the chain (a configuration directory or a root file system copied in may set `daemon off;`), no RUN
 * that runs a script or names `daemon`, and no `daemon` in the launch's scripts.
 */
function nginxDetaches(stage: Stage, doc: Document, scripts: ReadonlyMap<string, ScriptRef>, argv: readonly string[]): boolean {
  if (argv.slice(1).some((a) => /^-[gcp]/.test(a))) return false;
  const base = parseImageRef(stage.rootImage);
  if (base.registry || !(DISTRIBUTIONS.has(base.repository) || base.repository === 'nginx')) return false;
  if (/\bdaemon\b/i.test(doc.text) || [...scripts.values()].some((r) => /\bdaemon\b/i.test(r.text))) return false;
  for (let st: Stage | undefined = stage; st; st = st.parent) {
    if (st.copies.length > 0) return false;
    if (st.runs.some((r) => /\.(sh|bash)\b|\bdaemon\b|nginx\.conf|\bsed\b/.test(r.script ?? r.argv?.join(' ') ?? ''))) return false;
  }
  return true;
}

/**
 * The repository a RUN of the stage (or a stage it is built on) clones for a program the catalogue knows: `git clone
 * URL` whose last path part (without .git) is the program's name or its Debian package's.
 */
function clonedSource(stage: Stage): (program: { name: string; catalogue?: string }) => string | undefined {
  // the RUNs are read when a catalogued program asks (most launches never do)
  let clones: string[] | undefined;
  return (program) => {
    const entry = program.catalogue ? catalogueById(program.catalogue) : undefined;
    if (!entry) return undefined;
    if (!clones) {
      clones = [];
      for (let st: Stage | undefined = stage; st; st = st.parent)
        for (const r of st.runs) for (const m of (r.script ?? r.argv?.join(' ') ?? '').matchAll(/\bgit\s+clone\b[^\n;&|]*?\s((?:https?|git|ssh):\/\/\S+|git@\S+)/g)) clones.push(m[1] as string);
    }
    if (clones.length === 0) return undefined;
    const names = new Set([...entry.names, program.name, ...(entry.debian ? [entry.debian] : [])].map((n) => n.toLowerCase()));
    return clones.find((url) => names.has((url.replace(/\/+$/, '').split(/[/:]/).pop() ?? '').replace(/\.git$/, '').toLowerCase()));
  };
}

/** What the RUNs of a stage and the stages it is built on install with pip (python-clis.ts). */
function stagePipInstalls(stage: Stage): PipInstall[] {
  const own = stage.runs.flatMap((r) => (r.argv ? pipInstallsOfArgv(r.argv) : pipInstallsIn(r.script ?? '')));
  return stage.parent ? [...stagePipInstalls(stage.parent), ...own] : own;
}

/** The argv starts with the image's /bin/sh (a shell form, or an explicit `sh -c`). */
function startsWithShell(argv: readonly string[], lead: LaunchPart | undefined): boolean {
  const first = argv[0] ?? '';
  return first === '/bin/sh' || first === 'sh' || lead?.form === 'shell';
}

/** The launch starts with the image's /bin/sh (a shell form, or an explicit `sh -c`). */
export function usesShell(l: Launch): boolean {
  return startsWithShell(l.argv, l.entrypoint ?? l.cmd);
}

/** How far above its Dockerfile a build context is looked for (`docker build -f deploy/docker/Dockerfile .`; Katib builds its trial images 4 levels down). */
const CONTEXT_LEVELS = 6;

/** Whether `dir/rel`, its links resolved, is still inside `dir` (also resolved). */
function insideReal(dir: string, rel: string, store: DocumentStore): boolean {
  if (store.linkFreeBelow(dir, rel)) return true;
  const root = store.realPath(dir);
  const real = store.realPath(path.join(dir, rel));
  return root !== null && real !== null && (real === root || real.startsWith(`${root}${path.sep}`));
}

/**
 * The build context when none is given and the Dockerfile's own directory cannot be it: not every file its COPY/ADD
 * instructions name (literally) is there, and every one of them is in a directory above it, inside the tree pid1 was
 * given (the `docker build -f sub/Dockerfile .` layout of monorepos). The nearest such directory.
 */
function contextAbove(dockerfile: string, stages: readonly Stage[], store: DocumentStore): string | undefined {
  const named = new Set<string>();
  for (const st of stages)
    for (const c of st.copies) {
      if (c.from !== undefined) continue;
      for (const src of c.sources) {
        if (src.startsWith('<<') || /[$*?[\]]|^[a-z]+:\/\/|^git@/i.test(src)) continue;
        const rel = path.posix.normalize(src).replace(/\/+$/, '');
        if (rel !== '.' && rel !== '' && !rel.startsWith('../')) named.add(rel);
      }
    }
  if (named.size === 0) return undefined;
  const own = path.dirname(dockerfile);
  // present inside `dir`: a symlink that leads out of it (passbolt's debian/conf -> ../conf) is not what a build of `dir`
  // copies (the builder resolves links within the context), so the files are the parent's and the context is above
  const has = (dir: string, rel: string): boolean => store.typeOf(path.join(dir, rel)) !== 'none' && insideReal(dir, rel, store);
  // the Dockerfile's own directory when it has every file named (php/5/ has `root` but not `5/root` or `5/entrypoint.sh`:
  // wenerme's php/5/Dockerfile is built from php/)
  if ([...named].every((rel) => has(own, rel))) return undefined;
  // only directories of the tree pid1 was given (the run's confinement says which)
  const top = store.confinement ? store.confinement.searchRoot(path.parse(own).root, own) : own;
  let dir = own;
  for (let i = 0; i < CONTEXT_LEVELS; i++) {
    const up = path.dirname(dir);
    if (up === dir || !(up === top || up.startsWith(`${top}${path.sep}`))) return undefined;
    dir = up;
    if ([...named].every((rel) => has(dir, rel))) return dir;
  }
  return undefined;
}

/** Dockerfiles being read as the base of another right now (a FROM cycle ends there). */
const readingAsBase = new Set<string>();

/** The most Dockerfiles of one name that are each read to see whether they agree (linkedBases). */
const MAX_AGREEING_BASES = 6;

/**
 * `FROM acme/base` where acme/base is no image pid1 knows and the repository builds it from a Dockerfile of its
 * own (image-links.ts): that Dockerfile's target stage is the base, as `--probe-images` would have seen it
 * (ENTRYPOINT, CMD, STOPSIGNAL, SHELL, ENV, WORKDIR, /bin/sh), and the files it copies are the image's.
 */
function linkedBases(model: DockerfileModel, doc: Document, store: DocumentStore, opts: SourceOptions): Map<string, ProbedImage> | undefined {
  if (!doc.absPath) return undefined;
  const roots = new Set(
    model.stages
      // (a shell family guessed from the tag, `core:jammy`, still leaves the base's ENTRYPOINT/CMD unseen; a name
      // pid1's table knows, `debian`, is published elsewhere unless a registry of the repository's own names it: the
      // linker, which lists the whole repository, is not asked then)
      .filter((s) => !s.parent && s.imageComplete && s.rootUnseen && !opts.probed?.has(s.image))
      .map((s) => s.image)
      // and the images `COPY --from=IMAGE` copies a program from
      .concat(model.stages.flatMap((s) => s.copies.flatMap((c) => copiedImage(c, model.stages) ?? [])).filter((i) => !i.includes('$') && !opts.probed?.has(i)))
      .filter((i) => !knownImage(imageRepo(i)) || ownRegistry(parseImageRef(i).registry)),
  );
  if (roots.size === 0) return undefined;
  const linker = linkerFor(store, path.dirname(doc.absPath), opts.imageMap);
  const self = path.resolve(doc.absPath);
  const out = new Map<string, ProbedImage>();
  /** The launch of the repository's Dockerfile `link` names, as a base image (undefined when it has none, or is read now). */
  const asBase = (link: ImageLink): ProbedImage | undefined => {
    const dockerfile = link.dockerfile;
    if (dockerfile === doc.absPath || readingAsBase.has(dockerfile)) return undefined;
    const base = store.read(dockerfile, 'dockerfile');
    if (!base) return undefined;
    readingAsBase.add(dockerfile);
    try {
      const res = lintDockerfileSource(base, store, linkedBuildOptions(opts, link));
      const l = res.launches.find((x) => x.target && x.kind === 'dockerfile') as DockerfileLaunch | undefined;
      if (!l) return undefined;
      const readFile = l.readScript;
      // its ONBUILD RUNs, which run at the FROM of an image built on it (the target stage's, with its last WORKDIR)
      const onbuildRuns = onbuildRunsOf(res.dockerfile?.target, l.workdir ?? '/');
      return {
        family: l.shell.family,
        ...(l.shell.bashLevel ? { bashLevel: l.shell.bashLevel } : {}),
        // (a base on a base: the nearest one is named, the how of the first says where the shell comes from)
        how: `${l.shell.how.replace(/, in the base image the repository builds from .*$/, '')}, in the base image the repository builds from ${displayPath(dockerfile)}`,
        ...(l.entrypoint ? { entrypoint: l.entrypoint.argv } : {}),
        // (a base with no command of its own runs its official base's: `ubuntu`'s /bin/bash, two links down)
        ...(l.cmd ? { cmd: l.cmd.argv } : !l.entrypoint && l.argv.length ? { cmd: l.argv } : {}),
        // (its STOPSIGNAL, set there or by its own base: php:8.3-fpm's SIGQUIT; a base of the base that pid1 cannot see
        // counts as setting none, as the build's own launch does not: the judged corpus loses 18 true errors to 4 false
        // ones when that doubt is passed on)
        ...(l.stopSignal.source === 'explicit' || l.stopSignal.source === 'base-image' ? { stopSignal: l.stopSignal.signal } : {}),
        env: { ...l.env },
        builtHere: {
          dockerfile,
          workdir: l.workdir ?? '/',
          readFile: (p) => readFile?.(p),
          ...(l.listDir ? { listDir: l.listDir } : {}),
          ...(l.linkProgram ? { linkProgram: l.linkProgram, fileRef: (f) => l.scripts.get(f) } : {}),
          ...(onbuildRuns.length ? { onbuildRuns } : {}),
        },
      };
    } finally {
      readingAsBase.delete(dockerfile);
    }
  };
  for (const image of roots) {
    // a named context the repository's build gives this Dockerfile (bake's `contexts = { base = "target:base" }`) is what
    // FROM base builds on, before any image of that name
    const named = linker.namedContext(self, image);
    if (named) {
      const probed = asBase(named);
      if (probed) out.set(image, probed);
      continue;
    }
    // (a Dockerfile is not its own base: heroku-cli/docker/Dockerfile FROM wener/heroku-cli is built on heroku-cli/heroku-cli/)
    const r = linker.link(image, undefined, undefined, path.dirname(doc.absPath), self);
    if (r.link) {
      const probed = asBase(r.link);
      if (probed) out.set(image, probed);
      continue;
    }
    // Several of the repository's Dockerfiles answer to the name (pegi3s/docker: docker/18.04, 20.04, 24.04, the tag a
    // version of something else): when each of them runs the same, with no ENTRYPOINT, the image runs that, whichever it is
    const candidates = r.ambiguous?.filter((f) => path.resolve(f) !== self) ?? [];
    if (candidates.length < 2 || candidates.length > MAX_AGREEING_BASES) continue;
    const probes = candidates.map((f) => asBase({ dockerfile: f, how: '' }));
    const first = probes[0];
    const same = (p: ProbedImage | undefined): boolean =>
      p !== undefined && !p.entrypoint && p.family === first?.family && p.stopSignal === first.stopSignal && JSON.stringify(p.cmd) === JSON.stringify(first.cmd);
    if (first?.cmd && probes.every(same)) out.set(image, { ...first, how: `${first.how} (each of the ${candidates.length} Dockerfiles named ${imageRepo(image)} here has the same command)` });
  }
  return out.size ? out : undefined;
}

/** A stage's `ONBUILD RUN` triggers as the scripts they run (the shell form; an exec form is left out). */
function onbuildRunsOf(stage: Stage | undefined, workdir: string): TriggeredRun[] {
  const out: TriggeredRun[] = [];
  for (const ins of stage?.onbuild ?? []) {
    const m = /^RUN\s+(?![[\s]|--)([\s\S]+)$/i.exec(ins.args.value);
    if (m) out.push({ script: m[1] as string, workdir });
  }
  return out;
}

export function lintDockerfileSource(doc: Document, store: DocumentStore, optsIn: SourceOptions = {}): SourceResult {
  let opts = optsIn;
  let { model, errors } = parseDockerfile(doc, opts);
  // `FROM $BASE` that no argument fills: the build args the repository's own build of this file passes (skaffold's
  // `requires` alias), as that build makes the image
  if (model && doc.absPath && model.stages.some((st) => !st.imageComplete)) {
    const args = linkerFor(store, path.dirname(doc.absPath), opts.imageMap).declaredBuildArgs(doc.absPath);
    if (args && Object.keys(args).some((k) => opts.buildArgs?.[k] === undefined)) {
      opts = { ...opts, buildArgs: { ...args, ...opts.buildArgs } };
      ({ model, errors } = parseDockerfile(doc, opts));
    }
  }
  const bases = model ? linkedBases(model, doc, store, opts) : undefined;
  if (bases) {
    opts = { ...opts, probed: new Map([...(opts.probed ?? []), ...bases]) };
    ({ model, errors } = parseDockerfile(doc, opts));
  }
  // A template (Dockerfile.template, or one that fails where `{{ }}` is): what builds is its rendered output.
  const failed = errors[0]?.line !== undefined ? doc.lines.lineStart(errors[0].line) + (errors[0].column ?? 1) - 1 : undefined;
  const template = dockerfileTemplate(doc, failed);
  if (template) return { doc, launches: [], errors: [], notices: [template] };
  if (!model) return { doc, launches: [], errors };
  const ctxDir = opts.context ?? (doc.absPath ? (contextAbove(doc.absPath, model.stages, store) ?? path.dirname(doc.absPath)) : process.cwd());
  const ctx = contextReader(ctxDir, store);
  const launches: DockerfileLaunch[] = [];
  const files = new StageFiles(ctx, model.stages);
  for (const s of model.stages) {
    const isTarget = s === model.target;
    if (!isTarget && !opts.allStages) continue;
    if (!isTarget && !s.instructions.some((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD')) continue;
    launches.push(launchOf(s, doc, isTarget, ctx, model.stages, files, opts));
  }
  return { doc, launches, dockerfile: model, errors };
}

/**
 * The Go link: the program a Dockerfile launches is a binary, built by `go build` or `go install` in a
 * RUN of some stage (usually an earlier one, reached through `COPY --from`). Followed back to that
 * command, then to its main package in the build context, the program's own source says whether it
 * takes the stop signal (program-source.ts), and the link says what the binary is: a Go program, which
 * nothing in its name tells.
 *
 * Each step follows Docker's rules (copies.ts; WORKDIR and `cd` for the command's directory; ARG and
 * ENV in its environment) and the go command's (go-build.ts: -o, -C, the default name, GOBIN/GOPATH,
 * build constraints). Where a step depends on what the files do not say (an output path from a build
 * argument without a value, several builds that could have made the file, a package pattern), the link
 * stops there and says so: the program is Go, and its code is out of sight.
 */
import path from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { Document } from '../../document/document.js';
import type { SourceVerdict } from '../../model/launch.js';
import { shellParser, shellParserReady } from '../../model/shell.js';
import { literalOf } from '../../model/shell-words.js';
import { globToRe } from '../../util/files.js';
import { cargoBins, mentionsCargoCommand, parseCargoArgs, parseCargoManifest, type CargoArgs, type CargoBin, type CargoManifest } from '../cargo-build.js';
import { buildsFile, defaultExecName, goFileHeader, mentionsGoCommand, moduleOf, parseGoArgs, type ArgWord, type BuildTarget, type GoArgs } from '../go-build.js';
import { parseImageRef } from '../images.js';
import type { ScriptRef } from '../launch.js';
import { analyzeProgramSourceNow } from '../program-source.js';
import { copiedImage, dirSourceFor, fromStage, sourceFor, type ContextDirs } from './copies.js';
import type { CopyOp, RunOp, Stage } from './parse.js';

/** What the link reads of the build context. */
export interface ContextFiles extends ContextDirs {
  /** A regular file of the build context (relative path) exists. */
  isFile(rel: string): boolean;
  /** A text file of the build context, as a document; undefined when missing or not text. */
  read(rel: string): Document | undefined;
  /** The names in a directory of the build context; undefined when it is not one. */
  list(rel: string): string[] | undefined;
  /**
   * The tree around the build context on the host (absolute paths, inside what pid1 was given): where a binary
   * built outside the Dockerfile was built from (its go.mod is often above the context).
   */
  host?: HostFiles;
}

/** Files of the host tree, by absolute path. */
export interface HostFiles {
  /** The build context's directory. */
  dir: string;
  read(abs: string): Document | undefined;
  list(abs: string): string[] | undefined;
}

/** One `go build` / `go install` in a RUN. */
interface GoCommand {
  args: GoArgs;
  /** Its working directory; undefined when a `cd` pid1 cannot follow came first. */
  cwd: string | undefined;
  /** Its environment: the RUN's ARG/ENV, what the script exported, and its own `VAR=value` prefixes. */
  env: ReadonlyMap<string, string | undefined>;
  /** The command as written (one line), for messages. */
  text: string;
}

/** One `cargo build` / `cargo install` in a RUN. */
interface CargoCommand {
  args: CargoArgs;
  cwd: string | undefined;
  env: ReadonlyMap<string, string | undefined>;
  text: string;
}

interface RunFacts {
  go: GoCommand[];
  cargo: CargoCommand[];
  /** `go mod init MODULE` in a directory: the go.mod it writes. */
  modInits: { dir: string; module: string }[];
  /** Directories the script makes (`mkdir`): an -o naming one writes inside it. */
  dirs: Set<string>;
}

/** A main package, as a build names it. */
type Package = { kind: 'dir'; dir: string } | { kind: 'files'; dir: string; files: string[] } | { kind: 'remote'; path: string } | { kind: 'unknown'; why: string };

/** An executable a go command writes: an exact file, or a directory and a name (either unknown when the files do not say). */
interface Output {
  stage: Stage;
  run: RunOp;
  cmd: GoCommand;
  pkg: Package;
  file?: string;
  dir?: string;
  name?: string;
  /** -o is built at run time: it could be any path. */
  anywhere?: boolean;
}

/** An image path the launch's program resolves to, and what wrote it. */
export interface BuiltBinary {
  path: string;
  writer: Writer;
}

type Writer =
  | { kind: 'context'; rel: string; doc: Document; copy: CopyOp }
  | { kind: 'go'; stage: Stage; path: string; exact: Output[]; maybe: Output[] }
  | { kind: 'mod-init'; module: string }
  /** Written by something pid1 does not read into (a heredoc, an image's file, a binary of the build context). */
  | { kind: 'other' }
  /**
   * A COPY/ADD of a build-context file that is not committed: the build cannot succeed without it (BuildKit fails
   * on a missing COPY source), so something outside the Dockerfile made it (a Makefile or CI `go build`).
   */
  | { kind: 'uncommitted'; rel: string; copy: CopyOp }
  /** A cargo command wrote it: the binary `bin` of the package in `dir` (absent with `why`: what pid1 cannot follow). */
  | { kind: 'cargo'; stage: Stage; path: string; run: RunOp; cmd: CargoCommand; crate?: CargoCrate; why?: string }
  /** `COPY --from=IMAGE`: the file `path` of an image outside the Dockerfile (one the repository may build elsewhere). */
  | { kind: 'image'; image: string; path: string }
  /** Nothing pid1 sees wrote it: the base image, or a RUN that is not a go command. */
  | { kind: 'none' };

interface Step {
  at: number;
  copy: CopyOp | undefined;
  run: RunOp | undefined;
}

/** A binary of a package in the image, as a cargo command builds it. */
export interface CargoCrate {
  /** The package directory (its Cargo.toml). */
  dir: string;
  manifest: CargoManifest;
  bin: CargoBin;
  /** The workspace root, where Cargo.lock and target/ are. */
  root: string;
}

/** What a cargo command writes: exact files, or, with `why`, files pid1 cannot place. */
interface CargoOutput {
  file?: string;
  crate?: CargoCrate;
  /** The binary's name, when known though its package is not. */
  name?: string;
  /** The directory it writes to, when known though its package is not. */
  dir?: string;
  why?: string;
}

const MAX_DEPTH = 64;

/** The RUN mentions a go or cargo command that the link follows. */
function mentionsBuild(run: RunOp): boolean {
  const written = run.argv?.join(' ') ?? run.script ?? '';
  return mentionsGoCommand(written) || mentionsCargoCommand(written);
}

/** The stage's COPY/ADD and RUN instructions in order (by their offset in the Dockerfile). */
function stepsOf(stage: Stage): Step[] {
  // each step has both fields (one undefined): one object shape for V8
  const steps: Step[] = [];
  for (const copy of stage.copies) steps.push({ at: copy.span.start, copy, run: undefined });
  for (const run of stage.runs) steps.push({ at: run.span.start, copy: undefined, run });
  return steps.sort((a, b) => a.at - b.at);
}

/** The official rust image sets CARGO_HOME=/usr/local/cargo (docker-library/rust Dockerfile: `ENV CARGO_HOME=/usr/local/cargo`). */
export function defaultCargoHome(stage: Stage): string | undefined {
  const r = parseImageRef(stage.rootImage);
  return !r.registry && r.repository === 'rust' ? '/usr/local/cargo' : undefined;
}

/** The official golang image sets GOPATH=/go (docker-library/golang Dockerfile: `ENV GOPATH /go`). */
function defaultGopath(stage: Stage): string | undefined {
  const r = parseImageRef(stage.rootImage);
  return !r.registry && r.repository === 'golang' ? '/go' : undefined;
}

/** The files of one Dockerfile's stages, as they are when a given instruction runs. */
export class StageFiles {
  /** Image paths read from the build context, with the context file each came from (for evidence). */
  readonly refs = new Map<string, ScriptRef>();
  private readonly steps = new Map<Stage, Step[]>();
  private readonly facts = new Map<RunOp, RunFacts>();
  private readonly outputs = new Map<GoCommand, Output[]>();
  /** How deep the lookups are nested (COPY --from, go.mod reads): a Dockerfile whose stages copy from each other cannot loop. */
  private depth = 0;

  constructor(
    private readonly ctx: ContextFiles,
    readonly stages: readonly Stage[],
  ) {}

  private builds: boolean | undefined;

  /** Some COPY --from names an image, not a stage: a program it copies may be one the repository builds elsewhere. */
  get mayCopyImage(): boolean {
    this.copiesImage ??= this.stages.some((s) => s.copies.some((c) => copiedImage(c, this.stages)));
    return this.copiesImage;
  }

  private copiesImage: boolean | undefined;

  /**
   * Some RUN of the Dockerfile runs a go or cargo command: without one, no program of it is a Go or Rust
   * build pid1 can follow, and the launch need not walk what wrote its program (the model's own lookup of
   * the program, readScript, has read the build context for it already).
   */
  get mayBuild(): boolean {
    this.builds ??= this.stages.some((s) => s.runs.some(mentionsBuild));
    return this.builds;
  }

  private stepsIn(stage: Stage, before: number): Step[] {
    let s = this.steps.get(stage);
    if (!s) {
      s = stepsOf(stage);
      this.steps.set(stage, s);
    }
    return s.filter((x) => x.at < before);
  }

  private nested<T>(tooDeep: T, f: () => T): T {
    if (this.depth >= MAX_DEPTH) return tooDeep;
    this.depth++;
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /**
   * The first of `paths` (a program resolved like execvp) that something pid1 sees wrote, and what wrote it;
   * undefined when the base image holds every one.
   */
  firstWriter(stage: Stage, paths: readonly string[]): BuiltBinary | undefined {
    for (const p of paths) {
      const writer = this.writer(stage, p);
      if (writer.kind !== 'none') return { path: p, writer };
    }
    return undefined;
  }

  /** What last wrote the image path `p` in `stage`, looking at the instructions before offset `before`. */
  writer(stage: Stage, p: string, before = Number.POSITIVE_INFINITY): Writer {
    return this.nested<Writer>({ kind: 'other' }, () => this.writerIn(stage, p, before));
  }

  private writerIn(stage: Stage, p: string, before: number): Writer {
    const steps = this.stepsIn(stage, before);
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i] as Step;
      if (step.run) {
        const w = this.runWriter(stage, step.run, p);
        if (w) return w;
        continue;
      }
      const c = step.copy as CopyOp;
      for (let si = c.sources.length - 1; si >= 0; si--) {
        const src = c.sources[si] as string;
        if (src.startsWith('<<')) {
          const h = c.heredocs.find((x) => src.includes(x.name));
          if (h && (c.destDir ? path.posix.join(c.dest, h.name) : c.dest) === p) return { kind: 'other' };
          continue;
        }
        const cand = sourceFor(c, src, p, this.ctx);
        if (cand === undefined) continue;
        if (c.from !== undefined) {
          const from = fromStage(c, stage, this.stages);
          if (!from) return copiedImage(c, this.stages) ? { kind: 'image', image: c.from, path: path.posix.resolve('/', cand) } : { kind: 'other' };
          const w = this.writer(from, path.posix.resolve('/', cand));
          if (w.kind !== 'none') return w;
          // A directory copied whole need not hold this file: an earlier instruction may have written it.
          continue;
        }
        const rel = path.posix.normalize(cand);
        if (rel.startsWith('../')) continue;
        if (!this.ctx.isFile(rel)) {
          // The source names this very file (not a directory copied whole, which need not hold it) and it is not there.
          if (cand === src && this.uncommitted(rel)) return { kind: 'uncommitted', rel, copy: c };
          continue;
        }
        const doc = this.ctx.read(rel);
        return doc ? { kind: 'context', rel, doc, copy: c } : { kind: 'other' };
      }
    }
    return stage.parent ? this.writer(stage.parent, p) : { kind: 'none' };
  }

  /**
   * A file COPY names that the build context does not hold, in a directory it does: a build output. A name with a
   * build argument in it (`app-linux-$TARGETARCH`) only when no file of the directory matches it for any value.
   */
  private uncommitted(rel: string): boolean {
    if (this.ctx.isDir(rel) || rel.endsWith('/') || /[*?[]/.test(rel)) return false;
    const dir = path.posix.dirname(rel);
    if (dir.includes('$')) return false;
    const names = this.ctx.list(dir);
    if (!names) return false;
    const name = path.posix.basename(rel);
    if (!name.includes('$')) return !names.includes(name);
    const anyValue = globToRe(name.replace(/\$\{[^}]*\}|\$\w+/g, '*'));
    return !names.some((n) => anyValue.test(n));
  }

  /** Some COPY/ADD reads the build context: a program it copies may be a binary built outside the Dockerfile. */
  get mayCopyBuilt(): boolean {
    this.copiesContext ??= this.ctx.host !== undefined && this.stages.some((s) => s.copies.some((c) => c.from === undefined && c.sources.some((x) => !x.startsWith('<<'))));
    return this.copiesContext;
  }

  private copiesContext: boolean | undefined;

  /** The host tree around the build context, when pid1 may read it. */
  get host(): HostFiles | undefined {
    return this.ctx.host;
  }

  /** The text of an image file (from the build context, or a go.mod that `go mod init` wrote). */
  read(stage: Stage, p: string, before = Number.POSITIVE_INFINITY): string | undefined {
    const w = this.writer(stage, p, before);
    if (w.kind === 'mod-init') return `module ${w.module}\n`;
    if (w.kind !== 'context') return undefined;
    if (!this.refs.has(p)) this.refs.set(p, { path: p, doc: w.doc, offset: 0, text: w.doc.text, copiedBy: w.copy.span });
    return w.doc.text;
  }

  /** The names in an image directory that the instructions before `before` put there (from the build context). */
  list(stage: Stage, dir: string, before = Number.POSITIVE_INFINITY): Set<string> {
    return this.nested(new Set<string>(), () => this.listIn(stage, dir, before));
  }

  private listIn(stage: Stage, dir: string, before: number): Set<string> {
    const names = new Set<string>();
    for (const step of this.stepsIn(stage, before)) {
      if (step.run) {
        for (const m of this.factsOf(step.run)?.modInits ?? []) if (m.dir === dir) names.add('go.mod');
        continue;
      }
      const c = step.copy as CopyOp;
      for (const src of c.sources) {
        if (src.startsWith('<<')) continue;
        const ds = dirSourceFor(c, src, dir, this.ctx);
        if (!ds) continue;
        if ('dir' in ds) {
          if (c.from !== undefined) {
            const from = fromStage(c, stage, this.stages);
            if (from) for (const n of this.list(from, path.posix.resolve('/', ds.dir))) names.add(n);
          } else for (const n of this.ctx.list(path.posix.normalize(ds.dir)) ?? []) names.add(n);
        } else if (ds.glob) {
          for (const n of this.ctx.list(path.posix.normalize(ds.glob.dir)) ?? []) if (ds.glob.pattern.test(n)) names.add(n);
        } else for (const n of ds.files) names.add(n);
      }
    }
    if (stage.parent) for (const n of this.list(stage.parent, dir)) names.add(n);
    return names;
  }

  /** The go commands of a RUN, and the directories and go.mod files its script makes; undefined before the shell grammar is loaded. */
  factsOf(run: RunOp): RunFacts | undefined {
    const have = this.facts.get(run);
    if (have) return have;
    const facts: RunFacts = { go: [], cargo: [], modInits: [], dirs: new Set() };
    // Most RUNs build nothing in Go or Rust: parse only those that mention a go or cargo command the link follows.
    const mentionsGo = mentionsBuild(run);
    const vars = run.vars ?? new Map<string, string | undefined>();
    if (mentionsGo && run.argv)
      command(
        run.argv.map((a) => ({ literal: a, splits: false })),
        { cwd: run.workdir, env: new Map(vars) },
        new Map(vars),
        run.argv.join(' '),
        facts,
      );
    else if (mentionsGo && run.script !== undefined) {
      if (!shellParserReady()) return undefined;
      const tree = shellParser().parse(run.script);
      if (!tree) return undefined;
      try {
        walk(tree.rootNode, { cwd: run.workdir, env: new Map(vars) }, facts);
      } finally {
        tree.delete();
      }
    }
    this.facts.set(run, facts);
    return facts;
  }

  /** A RUN that writes `p` with a go command (or `go mod init`), if any. */
  private runWriter(stage: Stage, run: RunOp, p: string): Writer | undefined {
    const facts = this.factsOf(run);
    if (!facts) return undefined;
    const init = facts.modInits.find((m) => path.posix.join(m.dir, 'go.mod') === p);
    if (init) return { kind: 'mod-init', module: init.module };
    const exact: Output[] = [];
    const maybe: Output[] = [];
    for (const cmd of facts.go) {
      for (const o of this.outputsOf(stage, run, cmd, facts)) {
        if (o.file !== undefined) {
          if (o.file === p) exact.push(o);
          continue;
        }
        if (o.anywhere) {
          maybe.push(o);
          continue;
        }
        const dirOk = o.dir === undefined ? undefined : o.dir === path.posix.dirname(p);
        const nameOk = o.name === undefined ? undefined : o.name === path.posix.basename(p);
        if (dirOk === false || nameOk === false) continue;
        if (dirOk && nameOk) exact.push(o);
        else maybe.push(o);
      }
    }
    if (exact.length || maybe.length) return { kind: 'go', stage, path: p, exact, maybe };
    for (let i = facts.cargo.length - 1; i >= 0; i--) {
      const cmd = facts.cargo[i] as CargoCommand;
      for (const o of this.cargoOutputs(stage, run, cmd)) {
        if (o.file === p) return { kind: 'cargo', stage, path: p, run, cmd, ...(o.crate ? { crate: o.crate } : {}), ...(o.why ? { why: o.why } : {}) };
        if (o.file === undefined && o.why && (o.name === undefined || o.name === path.posix.basename(p)) && (o.dir === undefined || o.dir === path.posix.dirname(p)))
          return { kind: 'cargo', stage, path: p, run, cmd, why: o.why };
      }
    }
    return undefined;
  }

  /** The Cargo.toml of an image directory, parsed; undefined when pid1 cannot read one there. */
  private manifestAt(stage: Stage, dir: string, before: number): CargoManifest | undefined {
    const text = this.read(stage, path.posix.join(dir, 'Cargo.toml'), before);
    return text !== undefined ? parseCargoManifest(text) : undefined;
  }

  /** What a cargo command writes (cargo help build: target/[TRIPLE/]PROFILE/NAME; cargo help install: ROOT/bin/NAME). */
  private cargoOutputs(stage: Stage, run: RunOp, cmd: CargoCommand): CargoOutput[] {
    const a = cmd.args;
    const before = run.span.start;
    const env = cmd.env;
    // What pid1 cannot follow still names the binary (`--bin`, the crate of `cargo install NAME`) or the directory it
    // goes to: a path that matches neither is not taken for this command's.
    const remoteName = a.remote !== undefined && /^[\w-]+$/.test(a.remote) ? a.remote : a.remote?.match(/\/([\w-]+?)(\.git)?\/?$/)?.[1];
    const named = a.bins.length === 1 ? (a.bins[0] as string) : a.verb === 'install' ? remoteName : undefined;
    const rel = a.verb === 'install' ? a.path : a.manifestPath !== undefined ? (a.manifestPath === null ? null : path.posix.dirname(a.manifestPath)) : '.';
    const dir = rel === null || rel === undefined || (cmd.cwd === undefined && !rel.startsWith('/')) ? undefined : path.posix.resolve(cmd.cwd ?? '/', rel);
    const manifest = dir !== undefined ? this.manifestAt(stage, dir, before) : undefined;
    // The workspace root: the nearest Cargo.toml above (or at) the package with a [workspace] table; target/ and Cargo.lock are there.
    let root = dir;
    if (dir !== undefined && manifest)
      for (let d = dir; ; d = path.posix.dirname(d)) {
        const m = d === dir ? manifest : this.manifestAt(stage, d, before);
        if (m?.workspace) {
          root = d;
          break;
        }
        if (d === '/') break;
      }
    let outDir: string | undefined;
    if (a.verb === 'install') {
      const installRoot =
        a.root !== undefined
          ? a.root
          : env.has('CARGO_INSTALL_ROOT')
            ? env.get('CARGO_INSTALL_ROOT')
            : env.has('CARGO_HOME')
              ? env.get('CARGO_HOME')
              : (defaultCargoHome(stage) ?? (env.has('HOME') ? (env.get('HOME') === undefined ? undefined : `${env.get('HOME')}/.cargo`) : undefined));
      if (installRoot !== null && installRoot !== undefined && (cmd.cwd !== undefined || installRoot.startsWith('/'))) outDir = path.posix.join(path.posix.resolve(cmd.cwd ?? '/', installRoot), 'bin');
    } else {
      const targetDir = a.targetDir !== undefined ? a.targetDir : env.has('CARGO_TARGET_DIR') ? env.get('CARGO_TARGET_DIR') : root !== undefined ? path.posix.join(root, 'target') : undefined;
      if (targetDir !== null && targetDir !== undefined && a.target !== null && a.profile !== '?' && (cmd.cwd !== undefined || targetDir.startsWith('/')))
        outDir = path.posix.join(path.posix.resolve(cmd.cwd ?? '/', targetDir), ...(a.target ? [a.target] : []), a.profile);
    }
    const open = (why: string): CargoOutput[] =>
      named !== undefined || outDir !== undefined ? [{ ...(named !== undefined ? { name: named } : {}), ...(outDir !== undefined ? { dir: outDir } : {}), why }] : [];
    if (a.unclear) return open('its arguments are built at run time');
    if (a.verb === 'install' && (a.remote !== undefined || a.path === undefined)) return open(`it installs ${a.remote ?? 'a crate'} from outside the build context`);
    if (dir === undefined) return open('its package directory is not known');
    if (!manifest) return open(`${path.posix.join(dir, 'Cargo.toml')} is not in the build context`);
    if (outDir === undefined || root === undefined) return open('where it writes depends on what the files do not say');
    const packages: { dir: string; manifest: CargoManifest }[] = [];
    if (manifest.name !== undefined) packages.push({ dir, manifest });
    else {
      // A virtual manifest builds its members; a glob among them is not followed.
      if (manifest.members.some((m) => /[*?[]/.test(m)) || a.selects) return open('the workspace members it builds are not listed one by one');
      for (const m of manifest.members) {
        const md = path.posix.resolve(dir, m);
        const mm = this.manifestAt(stage, md, before);
        if (!mm) return open(`${path.posix.join(md, 'Cargo.toml')} is not in the build context`);
        packages.push({ dir: md, manifest: mm });
      }
    }
    const out: CargoOutput[] = [];
    for (const pkg of packages) {
      const has = (r: string): boolean => this.read(stage, path.posix.join(pkg.dir, r), before) !== undefined;
      const bins = cargoBins(pkg.manifest, has, () => [...this.list(stage, path.posix.join(pkg.dir, 'src/bin'), before)].sort());
      for (const bin of bins) if (!a.bins.length || a.bins.includes(bin.name)) out.push({ file: path.posix.join(outDir, bin.name), crate: { dir: pkg.dir, manifest: pkg.manifest, bin, root } });
    }
    return out;
  }

  /** The go.mod that governs an image directory: its module path and directory. */
  moduleAt(stage: Stage, dir: string, before: number): { module: string; dir: string } | undefined {
    for (let d = dir; ; d = path.posix.dirname(d)) {
      const text = this.read(stage, path.posix.join(d, 'go.mod'), before);
      if (text !== undefined) {
        const module = moduleOf(text);
        return module ? { module, dir: d } : undefined;
      }
      if (d === '/') return undefined;
    }
  }

  /** What a go command writes (go help build: -o; go help install: GOBIN, else GOPATH/bin). */
  private outputsOf(stage: Stage, run: RunOp, cmd: GoCommand, facts: RunFacts): Output[] {
    const have = this.outputs.get(cmd);
    if (have) return have;
    const a = cmd.args;
    const cwd = a.chdir === undefined ? cmd.cwd : a.chdir === null || (cmd.cwd === undefined && !a.chdir.startsWith('/')) ? undefined : path.posix.resolve(cmd.cwd ?? '/', a.chdir);
    const pkgs = this.packagesOf(stage, run, a, cwd);
    const out: Output[] = [];
    const base = { stage, run, cmd };
    if (a.verb === 'build') {
      if (a.output === null) out.push(...pkgs.map((pkg) => ({ ...base, pkg, anywhere: true })));
      else if (a.output !== undefined) {
        const o = a.output.startsWith('/') ? path.posix.resolve(a.output) : cwd !== undefined ? path.posix.resolve(cwd, a.output) : undefined;
        // -o DIR writes each executable inside DIR: when it ends in a slash, names a directory, or several packages are built.
        const intoDir = a.output.endsWith('/') || a.output === '.' || pkgs.length > 1 || (o !== undefined && (facts.dirs.has(o) || o === cwd));
        for (const pkg of pkgs) {
          if (o === undefined) out.push({ ...base, pkg, anywhere: true });
          else if (intoDir) out.push({ ...base, pkg, dir: o, ...this.nameOf(stage, run, pkg) });
          else {
            out.push({ ...base, pkg, file: o });
            // -o DIR for a directory made elsewhere (an earlier RUN, the base image): the only way DIR/NAME comes from this build.
            const name = this.nameOf(stage, run, pkg);
            if (name.name !== undefined) out.push({ ...base, pkg, dir: o, ...name });
          }
        }
      } else if (pkgs.length === 1 && !(a.packages[0] ?? '').includes('...')) {
        // Without -o, a single main package is written to the current directory; several (a pattern) are built and discarded.
        const pkg = pkgs[0] as Package;
        out.push({ ...base, pkg, ...(cwd !== undefined ? { dir: cwd } : {}), ...this.nameOf(stage, run, pkg) });
      }
    } else {
      const gobin = cmd.env.has('GOBIN') ? cmd.env.get('GOBIN') : '';
      const gopath = cmd.env.has('GOPATH') ? cmd.env.get('GOPATH') : defaultGopath(stage);
      const bin = gobin === undefined ? undefined : gobin !== '' ? gobin : gopath ? path.posix.join(gopath.split(':')[0] as string, 'bin') : undefined;
      for (const pkg of pkgs) out.push({ ...base, pkg, ...(bin !== undefined ? { dir: bin } : {}), ...this.nameOf(stage, run, pkg) });
    }
    this.outputs.set(cmd, out);
    return out;
  }

  /** The main packages a go command's arguments name. */
  private packagesOf(stage: Stage, run: RunOp, a: GoArgs, cwd: string | undefined): Package[] {
    if (a.unclear) return [{ kind: 'unknown', why: 'its arguments are built at run time' }];
    const args = a.packages;
    if (args.length > 0 && args.every((p) => p?.endsWith('.go'))) {
      // go build a.go b.go: one package made of exactly these files, in their directory.
      if (cwd === undefined && !(args[0] as string).startsWith('/')) return [{ kind: 'unknown', why: 'its directory is not known' }];
      const files: string[] = [];
      for (const [i, f] of (args as string[]).entries()) {
        const abs = path.posix.resolve(cwd ?? '/', f);
        if (!a.globs.includes(i)) {
          files.push(abs);
          continue;
        }
        // The shell expands `*.go` to the matching names, sorted; with no match the go command gets the pattern and fails.
        const dir = path.posix.dirname(abs);
        const re = globToRe(path.posix.basename(abs));
        const matched = [...this.list(stage, dir, run.span.start)].filter((n) => re.test(n)).sort();
        if (!matched.length) return [{ kind: 'unknown', why: `${f} matches no file pid1 can see` }];
        files.push(...matched.map((n) => path.posix.join(dir, n)));
      }
      return [{ kind: 'files', dir: path.posix.dirname(files[0] as string), files }];
    }
    if (a.globs.length) return [{ kind: 'unknown', why: 'a package argument is a shell pattern' }];
    return args.map((arg): Package => {
      if (arg === null) return { kind: 'unknown', why: 'a package argument is built at run time' };
      if (arg.includes('...')) return { kind: 'unknown', why: `the pattern ${arg} can name several packages` };
      const version = arg.indexOf('@');
      if (version >= 0) return { kind: 'remote', path: arg.slice(0, version) };
      const local = arg === '.' || arg === '..' || arg.startsWith('./') || arg.startsWith('../') || arg.startsWith('/');
      if (local) {
        if (cwd === undefined && !arg.startsWith('/')) return { kind: 'unknown', why: 'its directory is not known' };
        return { kind: 'dir', dir: path.posix.resolve(cwd ?? '/', arg) };
      }
      // An import path: a package of the module in the build context, else one the go command downloads.
      const mod = cwd !== undefined ? this.moduleAt(stage, cwd, run.span.start) : undefined;
      if (mod && (arg === mod.module || arg.startsWith(`${mod.module}/`))) return { kind: 'dir', dir: path.posix.join(mod.dir, arg.slice(mod.module.length)) };
      return { kind: 'remote', path: arg };
    });
  }

  /** The executable name of a main package (cmd/go: DefaultExecName, or the first file's name). */
  private nameOf(stage: Stage, run: RunOp, pkg: Package): { name?: string } {
    if (pkg.kind === 'files') return { name: path.posix.basename(pkg.files[0] as string, '.go') };
    if (pkg.kind === 'remote') return { name: defaultExecName(pkg.path) };
    if (pkg.kind === 'unknown') return {};
    const mod = this.moduleAt(stage, pkg.dir, run.span.start);
    if (mod) {
      const rel = path.posix.relative(mod.dir, pkg.dir);
      return { name: defaultExecName(rel ? `${mod.module}/${rel}` : mod.module) };
    }
    // GOPATH mode: the import path ends with the directory's name.
    const name = path.posix.basename(pkg.dir);
    return name ? { name } : {};
  }
}

// ---- the RUN script: go commands, their directory and environment -------------------------------

interface WalkState {
  cwd: string | undefined;
  env: Map<string, string | undefined>;
}

function known(env: ReadonlyMap<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of env) if (v !== undefined) out[k] = v;
  return out;
}

/** An unquoted expansion or glob can become any number of words. */
function mayExpand(n: Node): boolean {
  if (n.type === 'simple_expansion' || n.type === 'expansion' || n.type === 'command_substitution') return true;
  if (n.type === 'word') return /[*?[]/.test(n.text);
  if (n.type === 'concatenation') return n.namedChildren.some((c) => c !== null && mayExpand(c));
  return false;
}

function argWord(n: Node, env: Record<string, string>): ArgWord {
  const literal = literalOf(n, env);
  if (literal !== undefined) return { literal, splits: false };
  // A plain unquoted glob (`*.go`, `cmd/*.go`): pathname expansion, which pid1 does against the image's files.
  if (n.type === 'word' && /^[\w./-]*[*?[][\w./*?[\]-]*$/.test(n.text)) return { splits: true, glob: n.text };
  // `-gcflags="${SKAFFOLD_GO_GCFLAGS}"`: the flag's name is written out before the `=`
  const flag = /^--?([A-Za-z][\w-]*)=/.exec(n.text)?.[1];
  return { splits: mayExpand(n), ...(flag !== undefined ? { flag } : {}) };
}

function assignment(n: Node, env: Record<string, string>): [string, string | undefined] | undefined {
  const name = n.childForFieldName('name')?.text;
  if (!name) return undefined;
  const value = n.childForFieldName('value');
  return [name, value ? literalOf(value, env) : ''];
}

const COPY_STATE = (s: WalkState): WalkState => ({ cwd: s.cwd, env: new Map(s.env) });

/** After a branch that may or may not run: what differs is no longer known. */
function merge(into: WalkState, branches: readonly WalkState[]): void {
  for (const b of branches) {
    if (b.cwd !== into.cwd) into.cwd = undefined;
    for (const [k, v] of b.env) if (into.env.get(k) !== v) into.env.set(k, undefined);
  }
}

function walk(n: Node, st: WalkState, facts: RunFacts): void {
  switch (n.type) {
    case 'comment':
    case 'function_definition':
      return;
    case 'command': {
      simpleCommand(n, st, facts);
      return;
    }
    case 'variable_assignment': {
      const a = assignment(n, known(st.env));
      if (a) st.env.set(a[0], a[1]);
      return;
    }
    case 'declaration_command': {
      // export/readonly/declare NAME=VALUE
      for (const c of n.namedChildren) if (c?.type === 'variable_assignment') walk(c, st, facts);
      return;
    }
    case 'redirected_statement': {
      const body = n.childForFieldName('body');
      if (body) walk(body, st, facts);
      return;
    }
    case 'subshell':
    case 'pipeline': {
      // A subshell's (or pipeline element's) `cd` and variables end with it.
      for (const c of n.namedChildren) if (c) walk(c, COPY_STATE(st), facts);
      return;
    }
    case 'if_statement':
    case 'case_statement':
    case 'for_statement':
    case 'c_style_for_statement':
    case 'while_statement': {
      const branches: WalkState[] = [];
      for (const c of n.namedChildren) {
        if (!c) continue;
        const b = COPY_STATE(st);
        walk(c, b, facts);
        branches.push(b);
      }
      merge(st, branches);
      return;
    }
    default:
      for (const c of n.namedChildren) if (c) walk(c, st, facts);
  }
}

function simpleCommand(n: Node, st: WalkState, facts: RunFacts): void {
  const env = known(st.env);
  const own = new Map(st.env);
  const words: ArgWord[] = [];
  let name: string | undefined;
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'variable_assignment') {
      // `VAR=value cmd`: in cmd's environment only (expanded before the assignment takes effect).
      const a = assignment(c, env);
      if (a) own.set(a[0], a[1]);
    } else if (c.type === 'command_name') name = literalOf(c.namedChild(0) ?? c, env);
    else if (!['file_redirect', 'heredoc_redirect', 'herestring_redirect', 'comment'].includes(c.type)) words.push(argWord(c, env));
  }
  if (name === undefined) return;
  const text = n.text.split('\n')[0]?.slice(0, 120) ?? '';
  command([{ literal: name, splits: false }, ...words], st, own, text, facts);
}

/** One command (argv words), from a script or an exec-form RUN. */
function command(words: readonly ArgWord[], st: WalkState, env: ReadonlyMap<string, string | undefined>, text: string, facts: RunFacts): void {
  const prog = path.posix.basename(words[0]?.literal ?? '');
  const args = words.slice(1);
  if (prog === 'cd') {
    const to = args[0];
    // `cd` alone goes to $HOME, `cd -` back: neither is followed.
    if (!to || to.literal === undefined || to.literal === '-') st.cwd = undefined;
    else st.cwd = to.literal.startsWith('/') ? path.posix.normalize(to.literal) : st.cwd !== undefined ? path.posix.resolve(st.cwd, to.literal) : undefined;
    return;
  }
  if (prog === 'mkdir') {
    for (const a of args)
      if (a.literal !== undefined && !a.literal.startsWith('-') && (a.literal.startsWith('/') || st.cwd !== undefined)) facts.dirs.add(path.posix.resolve(st.cwd ?? '/', a.literal));
    return;
  }
  if (prog === 'cargo') {
    const parsed = parseCargoArgs(args);
    if (parsed) facts.cargo.push({ args: parsed, cwd: st.cwd, env, text });
    return;
  }
  if (prog !== 'go') return;
  if (args[0]?.literal === 'mod' && args[1]?.literal === 'init') {
    const module = args[2]?.literal;
    if (module !== undefined && st.cwd !== undefined) facts.modInits.push({ dir: st.cwd, module });
    return;
  }
  const parsed = parseGoArgs(args);
  if (parsed) facts.go.push({ args: parsed, cwd: st.cwd, env, text });
}

// ---- the link --------------------------------------------------------------------------------------

interface GoLinkOptions {
  files: StageFiles;
  /** The stage the launch runs in. */
  stage: Stage;
  signal: string;
}

const packageKey = (p: Package): string => JSON.stringify(p);

function describe(o: Output): string {
  return `\`${o.cmd.text}\` (${o.run.span.doc.file}:${o.run.span.doc.lines.position(o.run.span.start).line})`;
}

/**
 * What the launch's program is (`StageFiles.firstWriter`), when a go command built it: its package's verdict,
 * with `runtime: 'go'`; undefined when something else wrote it.
 */
export function goBinaryVerdict(built: BuiltBinary, o: GoLinkOptions): SourceVerdict | undefined {
  if (built.writer.kind === 'uncommitted') return copiedBuildVerdict(built.path, built.writer, o);
  return built.writer.kind === 'go' ? verdictFor(built.path, built.writer, o) : undefined;
}

function undecided(reason: string): SourceVerdict {
  return { verdict: 'unknown', runtime: 'go', reason };
}

function verdictFor(exe: string, w: Extract<Writer, { kind: 'go' }>, o: GoLinkOptions): SourceVerdict | undefined {
  // `/server (/out/server in stage build)`: where the launch runs it, and where it was built.
  const p = w.path === exe && w.stage === o.stage ? exe : `${exe} (${w.path} in stage ${w.stage.name ?? w.stage.index})`;
  const all = [...w.exact, ...w.maybe];
  const pkgs = new Map(w.exact.map((x) => [packageKey(x.pkg), x]));
  if (w.maybe.length || pkgs.size !== 1) {
    const which = [...new Set(all.map(describe))].slice(0, 2).join(' and ');
    const unknownPkg = all.map((x) => x.pkg).find((x): x is Extract<Package, { kind: 'unknown' }> => x.kind === 'unknown');
    const why = w.maybe.some((x) => x.anywhere)
      ? 'its output path is built at run time'
      : unknownPkg
        ? unknownPkg.why
        : all.length > 1
          ? 'more than one go command could have written it'
          : 'where it writes depends on what the files do not say';
    return undecided(`${p} is built by ${which}, but ${why}`);
  }
  const out = w.exact[0] as Output;
  const pkg = out.pkg;
  if (pkg.kind === 'unknown') return undecided(`${p} is built by ${describe(out)}, but ${pkg.why}`);
  if (pkg.kind === 'remote') return undecided(`${p} is built by ${describe(out)} from ${pkg.path}, a module outside the build context`);
  return analyzePackage(p, out, pkg, o);
}

function analyzePackage(p: string, out: Output, pkg: Extract<Package, { kind: 'dir' | 'files' }>, o: GoLinkOptions): SourceVerdict | undefined {
  const { stage, run, cmd } = out;
  const files = o.files;
  const before = run.span.start;
  const tags = cmd.args.tags;
  if (tags === null) return undecided(`${p} is built by ${describe(out)}, but its -tags are built at run time`);
  const goarch = cmd.env.get('GOARCH');
  const cgo = cmd.env.get('CGO_ENABLED');
  const target: BuildTarget = { tags: new Set(tags), ...(goarch ? { goarch } : {}), ...(cgo === '0' ? { cgo: false } : cgo === '1' ? { cgo: true } : {}), race: cmd.args.race };
  const source: PackageFiles = {
    read: (f) => files.read(stage, f, before),
    goFiles: (dir) => [...files.list(stage, dir, before)].filter((n) => n.endsWith('.go')).sort(),
    moduleAt: (dir) => files.moduleAt(stage, dir, before),
  };
  const v = analyzeMain(p, `is built by ${describe(out)}`, pkg.dir, pkg.kind === 'files' ? pkg.files : undefined, target, source, o.signal);
  return v?.verdict;
}

/** The files a package analysis reads: the image's (a build in a RUN) or the host's (a build outside the Dockerfile). */
interface PackageFiles {
  read(file: string): string | undefined;
  /** The .go files of a directory, sorted. */
  goFiles(dir: string): string[];
  moduleAt(dir: string): { module: string; dir: string } | undefined;
}

/** The files of a package directory that a build compiles (build constraints for linux and the target); undefined when none. */
function compiledFiles(dir: string, names: readonly string[], target: BuildTarget, source: PackageFiles): string[] | undefined {
  const kept = names.filter((n) => {
    const text = source.read(path.posix.join(dir, n));
    return text !== undefined && buildsFile(n, text, target) !== false;
  });
  return kept.length ? kept : undefined;
}

/**
 * The verdict of a main package's source (program-source.ts), with the file it came from; `builtBy` says how the
 * binary `p` was made, for the messages.
 */
function analyzeMain(
  p: string,
  builtBy: string,
  dir: string,
  only: readonly string[] | undefined,
  target: BuildTarget,
  source: PackageFiles,
  signal: string,
): { verdict: SourceVerdict; entry: string } | undefined {
  const compiled = (d: string, names?: readonly string[]): string[] | undefined => compiledFiles(d, names ? names.map((f) => path.posix.basename(f)) : source.goFiles(d), target, source);
  const main = compiled(dir, only);
  if (!main) return { verdict: undecided(`${p} ${builtBy} from ${dir}, whose Go files are not in the build context`), entry: dir };
  const texts = main.map((n) => ({ file: path.posix.join(dir, n), text: source.read(path.posix.join(dir, n)) as string }));
  if (!texts.some((t) => goFileHeader(t.text).pkg === 'main')) return { verdict: undecided(`${p} ${builtBy} from ${dir}, which is not a main package`), entry: dir };
  // The file with main() first: the other files of the package are read beside it.
  const entry = texts.find((t) => MAIN_FUNC.test(t.text)) ?? (texts[0] as { file: string; text: string });
  const mod = source.moduleAt(dir);
  const v = analyzeProgramSourceNow(entry.text, {
    language: 'go',
    path: entry.file,
    signal,
    readFile: (f) => source.read(f),
    // The main package is exactly what the build compiles; an imported package of the module, its linux files.
    listDir: (d) => (d === dir ? main : compiled(d)),
    ...(mod ? { goMod: mod } : {}),
  });
  if (!v) return undefined; // the Go grammar is not loaded yet: lint loads it and runs again
  return {
    entry: entry.file,
    verdict: {
      verdict: v.verdict,
      runtime: 'go',
      reason: v.reason,
      ...(v.evidence ? { evidence: { file: v.evidence.file ?? entry.file, line: v.evidence.line, text: v.evidence.text } } : {}),
      ...(v.via ? { via: v.via } : {}),
      ...(v.nothingToDrain ? { nothingToDrain: true } : {}),
    },
  };
}

const MAIN_FUNC = /^func\s+main\s*\(/m;

// ---- a binary built outside the Dockerfile ---------------------------------------------------------

/** Release names add the platform to the program's: `hotrod-linux-amd64`, `app_linux_arm64`, `server.bin`. */
const PLATFORM_SUFFIX = /(?:[-_.](?:linux|amd64|arm64|arm|386|x86_64|aarch64|ppc64le|s390x|riscv64|bin)|[-_.]?\$\{[^}]*\}|[-_.]?\$\w+|[-_.])$/;

/** The program name a release file carries (`hotrod-linux-$TARGETARCH` -> `hotrod`). */
export function programNameOf(file: string): string {
  let name = path.posix.basename(file);
  for (let prev = ''; prev !== name; ) {
    prev = name;
    name = name.replace(PLATFORM_SUFFIX, '');
  }
  return name;
}

/**
 * A program copied from the build context where no such file is committed (`COPY hotrod-linux-$TARGETARCH
 * /go/bin/hotrod-linux`, the binary a Makefile or CI built with `GOOS=linux go build`): when the copied file's
 * directory holds a Go main package (or, under cmd/, several, and the file's name picks one), in a module, the
 * binary is taken to be `go build` of it. Undefined when the directory holds none: nothing says what the file is.
 */
function copiedBuildVerdict(exe: string, w: Extract<Writer, { kind: 'uncommitted' }>, o: GoLinkOptions): SourceVerdict | undefined {
  const host = o.files.host;
  if (!host) return undefined;
  const source: PackageFiles = {
    read: (f) => {
      const doc = host.read(f);
      // The deciding file is a document of the launch (launch.ts reads refs), where a finding can point.
      if (doc && !o.files.refs.has(f)) o.files.refs.set(f, { path: f, doc, offset: 0, text: doc.text, copiedBy: w.copy.span });
      return doc?.text;
    },
    goFiles: (d) => (host.list(d) ?? []).filter((n) => n.endsWith('.go') && !n.endsWith('_test.go')).sort(),
    moduleAt: (d) => {
      for (let at = d; ; at = path.posix.dirname(at)) {
        const text = host.read(path.posix.join(at, 'go.mod'))?.text;
        if (text !== undefined) {
          const module = moduleOf(text);
          return module ? { module, dir: at } : undefined;
        }
        if (at === path.posix.dirname(at)) return undefined;
      }
    },
  };
  // `go build` with no flags: no tags, cgo as the go command's default, the host's architecture (none assumed).
  const target: BuildTarget = { tags: new Set() };
  const dir = path.posix.join(host.dir, path.posix.dirname(w.rel));
  /** The directory holds a main package: `package main` and a func main among the files this build compiles. */
  const isMain = (d: string): boolean => {
    const names = compiledFiles(d, source.goFiles(d), target, source);
    const texts = (names ?? []).map((n) => source.read(path.posix.join(d, n)) ?? '');
    return texts.some((t) => goFileHeader(t).pkg === 'main') && texts.some((t) => MAIN_FUNC.test(t));
  };
  const cmdDir = path.posix.join(dir, 'cmd');
  const candidates = [
    ...(isMain(dir) ? [dir] : []),
    ...(host.list(cmdDir) ?? [])
      .sort()
      .map((n) => path.posix.join(cmdDir, n))
      .filter((d) => host.list(d) !== undefined && isMain(d)),
  ];
  if (candidates.length === 0) return undefined;
  const mod = candidates.map((d) => source.moduleAt(d)).find((m) => m !== undefined);
  if (!mod) return undefined; // no go.mod above it: not a package `go build` builds as written
  const copied = `${exe} is copied from the build context (${w.rel}, ${w.copy.span.doc.file}:${w.copy.span.doc.lines.position(w.copy.span.start).line}), where no such file is committed`;
  const name = programNameOf(w.rel);
  const named = (d: string): boolean =>
    d === dir ? name === path.posix.basename(dir) || name === defaultExecName(`${mod.module}/${path.posix.relative(mod.dir, d)}`.replace(/\/$/, '')) : name === path.posix.basename(d);
  const chosen = candidates.length === 1 && candidates[0] === dir ? dir : candidates.filter(named).length === 1 ? candidates.find(named) : undefined;
  const rel = (d: string): string => `./${path.posix.relative(dir, d)}`;
  if (chosen === undefined) return undecided(`${copied}; it looks like a Go binary, but its name (${name}) does not pick one of the main packages ${candidates.map(rel).join(', ')}`);
  const a = analyzeMain(exe, `(taken to be \`go build\` of ${rel(chosen)})`, chosen, undefined, target, source, o.signal);
  if (!a) return undefined;
  const taken = `${copied}: taken to be \`go build\` of ${rel(chosen)} (package main in ${path.posix.basename(a.entry)})`;
  return { ...a.verdict, reason: `${a.verdict.reason}; ${taken}` };
}

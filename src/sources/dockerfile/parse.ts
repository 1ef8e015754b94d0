/**
 * The Dockerfile source: stages, what each stage inherits, and the effective launch of the target
 * image, by Docker's rules:
 * - ENTRYPOINT and CMD are combined (ENTRYPOINT + CMD); the shell form becomes [SHELL..., "<string>"]
 *   (default /bin/sh -c), so a shell-form ENTRYPOINT ignores CMD;
 * - setting ENTRYPOINT resets the CMD inherited from the base (not one set earlier in the same stage);
 * - `FROM <stage>` inherits ENTRYPOINT, CMD, SHELL, STOPSIGNAL, ENV, WORKDIR and files from that stage;
 * - ARG/ENV expand in FROM (global ARGs only), ENV, WORKDIR, COPY/ADD and STOPSIGNAL, not in
 *   ENTRYPOINT/CMD (the shell expands those at run time, with the image's ENV).
 */
import path from 'node:path';
import type { Document, FileError, Span } from '../../document/document.js';
import { mentionsCargoCommand } from '../cargo-build.js';
import { mentionsGoCommand } from '../go-build.js';
import { bashLevelOfImage, overrideFor, shellOfImage } from '../images.js';
import type { LaunchPart, ShellFact, SourceOptions } from '../launch.js';
import { lexDockerfile, type Heredoc, type LexResult, type RawInstruction } from './lexer.js';
import { afterFlags, expandWord, keyValues, parseJsonArray, splitWords, type Vars } from './words.js';
import { excerpt } from '../../util/sanitize.js';

const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Directories every Linux base image has (FHS): `COPY run.sh /usr/local/bin` puts run.sh inside them. `FROM scratch` has none but `/`. */
export const STANDARD_DIRS = new Set([
  '/',
  '/bin',
  '/sbin',
  '/usr',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/etc',
  '/opt',
  '/tmp',
  '/root',
  '/srv',
  '/var',
  '/home',
  '/usr/share',
  '/usr/lib',
  '/lib',
]);

/**
 * The PATH of a stage whose base image does not set one: BuildKit adds it to every image config that
 * lacks PATH (dockerfile2llb: `system.DefaultPathEnv`; the classic builder too: test/lint-dockerfile-env.test.ts builds
 * FROM scratch and reads it back), and every official base image sets this same value,
 * so `ENV PATH $PATH:/opt/app/bin` keeps the usual directories.
 */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface CopyOp {
  sources: string[];
  dest: string;
  destDir: boolean;
  /** COPY --from's stage or image; undefined (always present: one object shape for V8) when it copies from the context. */
  from: string | undefined;
  heredocs: Heredoc[];
  span: Span;
}

/** A RUN instruction, for what it builds (the Go link: src/sources/dockerfile/go-link.ts). */
export interface RunOp {
  /** The shell script it runs (the shell form, or a heredoc that is the whole command). */
  script?: string;
  /** The exec form's argv. */
  argv?: string[];
  /** The stage's WORKDIR when it runs. */
  workdir: string;
  /**
   * The ARG and ENV values it sees (BuildKit passes both to RUN's environment); undefined: an ARG with no value.
   * Copied only for a RUN that runs a go or cargo command (the readers): a copy per RUN would make long Dockerfiles quadratic.
   */
  vars?: Map<string, string | undefined>;
  span: Span;
}

export interface Stage {
  index: number;
  name?: string;
  from: RawInstruction;
  /** The base as written, expanded with global ARGs. */
  image: string;
  imageComplete: boolean;
  parent?: Stage;
  /** The external image at the root of the FROM chain (undefined for `scratch`-rooted? no: 'scratch'). */
  rootImage: string;
  rootSpan: Span;
  family: ShellFact;
  /** Effective config after the stage's last instruction. */
  entrypoint?: LaunchPart;
  cmd?: LaunchPart;
  shell: string[];
  shellSpan?: Span;
  stopSignal?: { raw: string; value: string; span: Span };
  env: Map<string, string>;
  args: Map<string, string | undefined>;
  workdir: string;
  /** Directories the stage is known to have made (WORKDIR, a COPY into a directory), for `COPY x /that/dir`. */
  dirs: Set<string>;
  copies: CopyOp[];
  runs: RunOp[];
  onbuild: RawInstruction[];
  instructions: RawInstruction[];
  /** ENTRYPOINT/CMD come from an external image pid1 cannot see (not probed). */
  baseConfigUnknown: boolean;
  /** The root image is external, not scratch, and was not probed: its STOPSIGNAL and ENTRYPOINT are unseen. */
  rootUnseen: boolean;
}

export interface DockerfileModel {
  lex: LexResult;
  stages: Stage[];
  target?: Stage;
}

export function span(doc: Document, start: number, end: number): Span {
  return { doc, start, end };
}

/** Parse a Dockerfile into stages; errors that stop `docker build` are per-file errors. */
export function parseDockerfile(doc: Document, opts: SourceOptions = {}): { model?: DockerfileModel; errors: FileError[] } {
  const errors: FileError[] = [];
  const err = (offset: number, message: string): { model?: DockerfileModel; errors: FileError[] } => {
    const p = doc.lines.position(offset);
    errors.push({ file: doc.file, line: p.line, column: p.column, message });
    return { errors };
  };
  if (doc.text.includes('\0')) return err(doc.text.indexOf('\0'), 'binary file (contains NUL bytes), not a Dockerfile');
  const lex = lexDockerfile(doc.text);
  const esc = lex.escape;
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(opts.buildArgs ?? {})) globalArgs.set(k, v);
  let cur: Stage | undefined;
  const byName = new Map<string, Stage>();
  for (const ins of lex.instructions) {
    const kw = ins.keyword;
    // A file that is not a Dockerfile at all (a secrets file named explicitly) is not quoted: its first line
    // could be a password. A first word that could be a typo of a keyword is; after a real instruction, a
    // short excerpt names the typo.
    if (!KEYWORDS.has(kw)) {
      const first = ins === lex.instructions[0];
      if (first && !/^[A-Za-z]{1,12}$/.test(ins.keyword)) return err(ins.keywordStart, 'not a Dockerfile: the first instruction is not one Docker knows');
      return err(ins.keywordStart, `unknown instruction: ${excerpt(ins.keyword, 20)}`);
    }
    for (const h of ins.heredocs) if (!h.terminated) return err(ins.keywordStart, `heredoc <<${h.name} is not terminated`);
    const a = ins.args.value;
    if (kw === 'FROM') {
      const words = splitWords(a, esc).filter((w) => !w.raw.startsWith('--'));
      const imageWord = words[0];
      if (!imageWord) return err(ins.keywordStart, 'FROM requires an image');
      if (words.length === 2 || words.length > 3 || (words.length === 3 && (words[1]?.raw ?? '').toLowerCase() !== 'as'))
        return err(ins.keywordStart, `FROM: expected "FROM image [AS name]", got "${excerpt(a, 40)}"`);
      const expanded = tagOfAnyValue(imageWord.raw, expandWord(imageWord.raw, registryPrefixUnset(imageWord.raw, globalArgs), esc));
      const name = words[2]?.raw.toLowerCase();
      const parent = byName.get(expanded.value.toLowerCase());
      const imageSpan = span(doc, ins.args.at(imageWord.start), ins.args.endAt(imageWord.end));
      // built without conditional spreads: a property after a spread copy takes V8's slow path (about a
      // microsecond each on Node 20), and every FROM of every file builds one
      const external = expanded.value.toLowerCase() !== 'scratch';
      const stage: Stage = {
        index: stages.length,
        from: ins,
        image: expanded.value,
        imageComplete: expanded.complete,
        rootImage: parent ? parent.rootImage : expanded.value,
        rootSpan: parent ? parent.rootSpan : imageSpan,
        family: parent ? parent.family : familyOf(expanded.value, expanded.complete, imageSpan, opts),
        shell: parent ? parent.shell : DEFAULT_SHELL,
        env: new Map(parent ? parent.env : [['PATH', DEFAULT_PATH]]),
        args: new Map(),
        workdir: parent ? parent.workdir : '/',
        dirs: new Set(parent ? parent.dirs : []),
        copies: [],
        runs: [],
        onbuild: [],
        instructions: [],
        baseConfigUnknown: parent ? parent.baseConfigUnknown : external,
        rootUnseen: parent ? parent.rootUnseen : external,
      };
      if (name) stage.name = name;
      if (parent) {
        stage.parent = parent;
        if (parent.shellSpan) stage.shellSpan = parent.shellSpan;
        const inheritedFrom = parent.name ?? String(parent.index);
        if (parent.entrypoint) stage.entrypoint = Object.assign({}, parent.entrypoint, { inheritedFrom });
        if (parent.cmd) stage.cmd = Object.assign({}, parent.cmd, { inheritedFrom });
        if (parent.stopSignal) stage.stopSignal = parent.stopSignal;
      }
      if (!parent) applyProbed(stage, opts);
      stages.push(stage);
      if (name) byName.set(name, stage);
      cur = stage;
      continue;
    }
    if (!cur) {
      if (kw === 'ARG') {
        for (const kv of keyValues(a, esc, false)) {
          const v = opts.buildArgs?.[kv.key] ?? (kv.raw !== undefined ? expandWord(kv.raw, globalArgs, esc).value : undefined);
          globalArgs.set(kv.key, v);
        }
        continue;
      }
      return err(ins.keywordStart, `${kw} before the first FROM (only ARG may come first)`);
    }
    cur.instructions.push(ins);
    applyInstruction(cur, ins, doc, esc, globalArgs, opts, byName, stages);
  }
  if (stages.length === 0) return err(0, 'no FROM instruction: not a Dockerfile');
  let target: Stage | undefined = stages[stages.length - 1];
  if (opts.target) {
    target = byName.get(opts.target.toLowerCase()) ?? (/^\d+$/.test(opts.target) ? stages[Number(opts.target)] : undefined);
    if (!target) return err(0, `no stage named "${opts.target}" (stages: ${stages.map((s) => s.name ?? String(s.index)).join(', ')})`);
  }
  return { model: { lex, stages, ...(target ? { target } : {}) }, errors };
}

/**
 * `FROM ${PREFIX}${PREFIX:+/}owner/base` with `ARG PREFIX` and no default: a registry prefix the build may pass. Unset,
 * the ARG expands to nothing (what `docker build` does without `--build-arg`), leaving the image's own name; only in
 * that leading place, so `FROM ${BASE}` with no default stays unknown.
 */
function registryPrefixUnset(raw: string, args: Map<string, string | undefined>): Map<string, string | undefined> {
  const lead = /^(?:\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}?)+/.exec(raw);
  if (!lead) return args;
  const rest = raw.slice(lead[0].length);
  if (!/^[a-z0-9]/.test(rest)) return args;
  const unset = Array.from(lead[0].matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g), (m) => m[1] as string).filter((k) => args.has(k) && args.get(k) === undefined);
  if (!unset.length) return args;
  const out = new Map(args);
  for (const k of unset) out.set(k, '');
  return out;
}

/**
 * `FROM alpine:${VERSION}` with `ARG VERSION` and no default: the tag is unknown, but every tag of alpine, busybox,
 * debian and ubuntu has the same /bin/sh and CMD (docker-library's Dockerfiles), so the image's own name stands
 * for it (as docker would build it with whichever version is passed).
 */
function tagOfAnyValue(raw: string, expanded: { value: string; complete: boolean }): { value: string; complete: boolean } {
  if (expanded.complete) return expanded;
  // `alpine:${VERSION}`, or the tag only when one is given: `alpine${VERSION:+":${VERSION}"}` (JinnLynn/dockerfiles)
  const m = /^([a-z0-9][a-z0-9._/-]*)(?::\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)|\$\{[A-Za-z_][A-Za-z0-9_]*:\+"?:[^}"]*"?\})$/.exec(raw);
  if (!m || !TAG_INDEPENDENT.has((m[1] as string).replace(/^(docker\.io\/)?(library\/)?/, ''))) return expanded;
  return { value: m[1] as string, complete: true };
}

/** Official images whose every tag has the same /bin/sh family and CMD. */
const TAG_INDEPENDENT = new Set(['alpine', 'busybox', 'debian', 'ubuntu']);

function familyOf(image: string, complete: boolean, where: Span, opts: SourceOptions): ShellFact {
  if (!complete) return { family: 'unknown', how: `the base image "${image}" depends on a build argument with no default`, image, span: where };
  const forced = overrideFor(image, opts.images);
  if (forced) return { family: forced, how: `configured for ${image}`, image, span: where };
  const probed = opts.probed?.get(image);
  if (probed && probed.family !== 'unknown')
    return { family: probed.family, how: probed.builtHere ? probed.how : `probed: ${probed.how}`, image, span: where, ...(probed.bashLevel ? { bashLevel: probed.bashLevel } : {}) };
  const g = shellOfImage(image);
  const bash = bashLevelOfImage(image);
  return { family: g.family, how: g.why, image, span: where, ...(bash ? { bashLevel: bash } : {}) };
}

/** A probed base image's own ENTRYPOINT/CMD/STOPSIGNAL/SHELL/ENV become the stage's starting config. */
function applyProbed(stage: Stage, opts: SourceOptions): void {
  const p = opts.probed?.get(stage.image);
  if (!p || (!p.builtHere && p.family === 'unknown' && !p.entrypoint && !p.cmd)) return;
  stage.baseConfigUnknown = false;
  stage.rootUnseen = false;
  const where = stage.rootSpan;
  const part = (what: string, argv: string[]): LaunchPart => ({ what: `${what} of ${stage.image}`, form: 'exec', values: [], argv, span: where, valueSpan: where, inheritedFrom: stage.image });
  if (p.entrypoint?.length) stage.entrypoint = part('ENTRYPOINT', p.entrypoint);
  if (p.cmd?.length) stage.cmd = part('CMD', p.cmd);
  if (p.shell?.length) stage.shell = p.shell;
  if (p.stopSignal) stage.stopSignal = { raw: p.stopSignal, value: p.stopSignal, span: where };
  for (const [k, v] of Object.entries(p.env ?? {})) stage.env.set(k, v);
  if (p.builtHere) stage.workdir = p.builtHere.workdir;
}

/**
 * The variables an instruction of the stage expands: ENV over ARG of the same name (BuildKit: "ENV
 * always overrides an ARG of the same name"). A view, not a copy: a file of 100,000 ENV lines stays linear.
 */
function varsOf(stage: Stage): Vars {
  return {
    has: (k) => stage.env.has(k) || stage.args.has(k),
    get: (k) => (stage.env.has(k) ? stage.env.get(k) : stage.args.get(k)),
  };
}

/** The stage's variables as they are now (ENV over ARG), for an instruction read later. */
function snapshotVars(stage: Stage): Map<string, string | undefined> {
  const m = new Map<string, string | undefined>(stage.args);
  for (const [k, v] of stage.env) m.set(k, v);
  return m;
}

/** ENTRYPOINT/CMD arguments: the exec form when they parse as a JSON array of strings, else the shell form. */
function launchPart(what: string, ins: RawInstruction, doc: Document, shell: string[]): LaunchPart {
  const whole = span(doc, ins.start, ins.end);
  const valueSpan = span(doc, ins.args.at(0), ins.args.endAt(ins.args.value.length));
  const json = parseJsonArray(ins.args);
  if (json) {
    // shellPrefix present (undefined) in both forms: one object shape for V8's sites that read parts
    return { what, form: 'exec', values: json.map((text) => ({ doc, text })), argv: json.map((t) => t.value), shellPrefix: undefined, span: whole, valueSpan };
  }
  const text = ins.args;
  return { what, form: 'shell', values: [{ doc, text }], argv: text.value === '' ? [] : [...shell, text.value], shellPrefix: shell, span: whole, valueSpan };
}

function applyInstruction(
  stage: Stage,
  ins: RawInstruction,
  doc: Document,
  esc: string,
  globalArgs: Map<string, string | undefined>,
  opts: SourceOptions,
  byName: Map<string, Stage>,
  stages: Stage[],
): void {
  const a = ins.args.value;
  switch (ins.keyword) {
    case 'ARG':
      for (const kv of keyValues(a, esc, false)) {
        const given = opts.buildArgs?.[kv.key];
        const v = given ?? (kv.raw !== undefined ? expandWord(kv.raw, varsOf(stage), esc).value : globalArgs.get(kv.key));
        stage.args.set(kv.key, v);
      }
      break;
    case 'ENV': {
      // Every value is expanded with the variables as they were before the instruction (the Dockerfile reference,
      // "Environment replacement": `ENV abc=bye def=$abc` gives def the old abc), then all are set.
      const before = varsOf(stage);
      const values = keyValues(a, esc, true).map((kv) => [kv.key, expandWord(kv.raw ?? '', before, esc).value] as const);
      for (const [k, v] of values) stage.env.set(k, v);
      break;
    }
    case 'WORKDIR': {
      const w = expandWord(a, varsOf(stage), esc).value;
      stage.workdir = path.posix.resolve(stage.workdir, w);
      stage.dirs.add(stage.workdir); // WORKDIR creates the directory
      break;
    }
    case 'SHELL': {
      const json = parseJsonArray(ins.args);
      if (json?.length) {
        stage.shell = json.map((t) => t.value);
        stage.shellSpan = span(doc, ins.start, ins.end);
      }
      break;
    }
    case 'ENTRYPOINT': {
      stage.entrypoint = launchPart('ENTRYPOINT', ins, doc, stage.shell);
      // Docker: ENTRYPOINT resets the CMD inherited from the base, unless CMD was set in this stage.
      if (stage.cmd && !stage.instructions.some((i) => i.keyword === 'CMD' && i !== ins)) delete stage.cmd;
      stage.baseConfigUnknown = false;
      break;
    }
    case 'CMD':
      stage.cmd = launchPart('CMD', ins, doc, stage.shell);
      break;
    case 'STOPSIGNAL': {
      const e = expandWord(a, varsOf(stage), esc);
      stage.stopSignal = { raw: a, value: e.value, span: span(doc, ins.start, ins.end) };
      break;
    }
    case 'ONBUILD':
      stage.onbuild.push(ins);
      break;
    case 'RUN': {
      // RUN [--mount=... --network=... --security=...] COMMAND: the flags come first.
      const start = afterFlags(a, esc);
      if (start < 0) break;
      const rest = a.slice(start);
      const json = rest.startsWith('[') ? parseJsonArray(ins.args.slice(start)) : undefined;
      // `RUN <<EOF` runs the heredoc as a script with the default shell.
      const whole = ins.heredocs[0] && /^<<-?["']?[A-Za-z0-9_.-]+["']?\s*$/.test(rest) ? ins.heredocs[0].content : undefined;
      const argv = json?.map((t) => t.value);
      const script = whole ?? rest;
      const written = argv?.join(' ') ?? script;
      const vars = mentionsGoCommand(written) || mentionsCargoCommand(written) ? snapshotVars(stage) : undefined;
      // no `{ ...command, workdir }`: on Node 20 a property after a spread copy costs about a microsecond (V8 slow path)
      const where = span(doc, ins.start, ins.end);
      stage.runs.push(argv ? { argv, workdir: stage.workdir, ...(vars ? { vars } : {}), span: where } : { script, workdir: stage.workdir, ...(vars ? { vars } : {}), span: where });
      break;
    }
    case 'COPY':
    case 'ADD': {
      const words = splitWords(a, esc);
      let from: string | undefined;
      let i = 0;
      for (; i < words.length; i++) {
        const w = (words[i] as { raw: string }).raw;
        if (!w.startsWith('--')) break;
        const m = /^--from=(.*)$/.exec(w);
        if (m) from = expandWord(m[1] as string, varsOf(stage), esc).value;
      }
      const rest = words.slice(i);
      let items: string[];
      const json = a
        .slice(words[i]?.start ?? a.length)
        .trimStart()
        .startsWith('[')
        ? parseJsonArray(ins.args.slice(words[i]?.start ?? 0))
        : undefined;
      if (json) items = json.map((t) => t.value);
      else items = rest.map((w) => expandWord(w.raw, varsOf(stage), esc).value);
      if (items.length < 2) break;
      const destRaw = items[items.length - 1] as string;
      // a source from the build context is relative to it, a leading `/` included (`COPY /docker-cmd.sh /`: the
      // context's docker-cmd.sh); from a stage or an image (`--from`) it is that filesystem's path
      const sources = items.slice(0, -1).map((x) => (from === undefined && x.startsWith('/') ? x.replace(/^\/+/, '') || '.' : x));
      const dest = path.posix.resolve(stage.workdir, destRaw);
      // `COPY app.py .` copies into the working directory: `.` (and the WORKDIR itself) is a directory that exists;
      // so is any destination that already is a directory, slash or not (BuildKit copy).
      const destDir =
        destRaw.endsWith('/') ||
        destRaw === '.' ||
        destRaw.endsWith('/.') ||
        dest === stage.workdir ||
        sources.length > 1 ||
        sources.some((s) => /[*?[]/.test(s)) ||
        (STANDARD_DIRS.has(dest) && (dest === '/' || stage.rootImage.toLowerCase() !== 'scratch')) ||
        stage.dirs.has(dest);
      if (destDir) stage.dirs.add(dest);
      // `FROM scratch` + `COPY --from=rootfs /fs/ /`: a whole root filesystem from another stage or image, /bin/sh and all;
      // its shell is that tree's (a stage copied whole: the stage's), not scratch's none
      if (dest === '/' && from !== undefined && stage.family.family === 'none' && stage.rootImage.toLowerCase() === 'scratch') {
        const whole = sources.length === 1 && path.posix.normalize(sources[0] as string) === '/';
        const fromStage = byName.get(from.toLowerCase()) ?? (/^\d+$/.test(from) ? stages[Number(from)] : undefined);
        stage.family =
          whole && fromStage && fromStage.family.family !== 'unknown'
            ? { ...fromStage.family, how: `${fromStage.family.how} (copied whole from stage ${from})` }
            : { family: 'unknown', how: `the image is a file tree copied into / from ${fromStage ? `stage ${from}` : from}, which pid1 does not list`, image: stage.rootImage };
      }
      // `FROM scratch` + `ADD alpine-minirootfs-3.19.1-x86_64.tar.gz /`: ADD unpacks a local tar archive (Dockerfile
      // reference), so the image is that root filesystem: Alpine's mini root filesystem has busybox as /bin/sh
      if (ins.keyword === 'ADD' && dest === '/' && from === undefined && stage.family.family === 'none' && stage.rootImage.toLowerCase() === 'scratch' && sources.length === 1) {
        const archive = path.posix.basename(sources[0] as string);
        if (/\.(tar(\.(gz|bz2|xz|zst))?|tgz|txz)$/i.test(archive))
          stage.family = /^alpine-minirootfs-/i.test(archive)
            ? { family: 'ash', how: `an Alpine mini root filesystem (${archive}) unpacked into / by ADD: /bin/sh is busybox ash`, image: stage.rootImage }
            : { family: 'unknown', how: `a root filesystem archive (${archive}) unpacked into / by ADD, which pid1 does not list`, image: stage.rootImage };
      }
      const heredocs = ins.heredocs.filter((h) => sources.some((s) => s.startsWith('<<') && s.replace(/^<<-?["']?/, '').replace(/["']$/, '') === h.name));
      stage.copies.push({ sources, dest, destDir, from, heredocs, span: span(doc, ins.start, ins.end) });
      void byName;
      void stages;
      break;
    }
    default:
      break;
  }
}

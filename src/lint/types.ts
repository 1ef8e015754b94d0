/**
 * The lint engine's vocabulary. A *source* (Dockerfile, script; later compose and Kubernetes files)
 * reads a document and yields *launches*: what a container will run as PID 1, with the positions it
 * came from. *Rules* run over documents and launches and report *findings*; a finding's fix is a set
 * of text edits (offset ranges) applied atomically per file.
 */
import type { ShellFamily } from '../model/programs.js';
import type { LaunchChain, StopPrediction } from '../model/launch.js';
import type { LineIndex, MappedText } from './text.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** A position: 1-based line and column (UTF-16 code units, as editors count), and 0-based offset. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Replace [start, end) of `file` with `text`. Offsets are UTF-16 indices into the file's text. */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  /** What the fix does, one line: "use the exec (JSON) form". */
  description: string;
  edits: TextEdit[];
}

export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Why, in kernel/runtime terms: the signal's path, one line each. */
  why: string[];
  file: string;
  range: Range;
  fix?: Fix;
  /** Advice when no safe automatic fix exists. */
  suggestion?: string;
  related?: RelatedLocation[];
  /** Set when an inline comment or the config suppressed it. */
  suppressed?: { kind: 'inSource' | 'external'; justification: string };
}

/** A file read by a source: its text and a lazily built line index. */
export interface Document {
  /** Path as given or found (relative to the working directory when under it), or `<stdin>`. */
  file: string;
  /** Absolute path on disk; undefined for stdin. */
  absPath?: string;
  text: string;
  kind: 'dockerfile' | 'script' | (string & {});
  lines: LineIndex;
}

/** A place in a document where an instruction or value came from. */
export interface Span {
  doc: Document;
  start: number;
  end: number;
}

/** A logical string from a document, with the map back to the document's offsets. */
export interface Origin {
  doc: Document;
  text: MappedText;
}

/** One part of a launch as written: ENTRYPOINT or CMD (or a compose/k8s field later). */
export interface LaunchPart {
  /** What wrote it: 'ENTRYPOINT', 'CMD', 'ONBUILD CMD', later 'command', 'args'. */
  what: string;
  /** exec (JSON array) or shell (a string run through SHELL). */
  form: 'exec' | 'shell';
  /** exec form: the array elements; shell form: [the command string]. */
  values: Origin[];
  /** exec form: the argv; shell form: [...SHELL, string] as the runtime runs it. */
  argv: string[];
  /** For the shell form: the SHELL prefix in effect at that instruction. */
  shellPrefix?: string[];
  /** The whole instruction or field. */
  span: Span;
  /** The value's span (arguments of the instruction). */
  valueSpan: Span;
  /** Set when it was inherited from another stage (its span points there). */
  inheritedFrom?: string;
}

/** Where the image's /bin/sh family was decided. */
export interface ShellFact {
  family: ShellFamily;
  /** How it is known: table, config, probe, or why unknown. */
  how: string;
  /** The image the family is for (the root of the FROM chain). */
  image?: string;
  span?: Span;
}

export interface StopSignalFact {
  signal: string;
  /** Written in the file (STOPSIGNAL), inherited from a visible stage, or the runtime default. */
  source: 'explicit' | 'default' | 'base-image' | 'unknown-base';
  span?: Span;
  /** The value as written, when it could not be parsed. */
  invalid?: string;
}

/** A script the launch runs, found through COPY/ADD in the build context (or given on the command line). */
export interface ScriptRef {
  /** Path inside the image. */
  path: string;
  /** The document holding its text (the script file, or the Dockerfile for a heredoc). */
  doc: Document;
  /** Offset of the script's first character in doc (non-zero for heredocs). */
  offset: number;
  text: string;
  /** The COPY/ADD that put it there. */
  copiedBy?: Span;
}

export interface Launch {
  /** Human label: "stage app", "image (last stage)", "script". */
  label: string;
  /** The source's own document. */
  doc: Document;
  /** Whether it ends up in the target image: only target launches may produce errors. */
  target: boolean;
  entrypoint?: LaunchPart;
  cmd?: LaunchPart;
  /** The argv the runtime execs as PID 1 (ENTRYPOINT + CMD). */
  argv: string[];
  shell: ShellFact;
  stopSignal: StopSignalFact;
  env: Record<string, string>;
  /** Scripts resolved while building the chain, by path in the image. */
  scripts: Map<string, ScriptRef>;
  /** Where each shell string or script text the chain analysed came from (by its text). */
  origins: Map<string, Origin>;
  /** Resolve a path inside the image to a script in the build context (records it in `scripts`). */
  readScript?: (path: string) => string | undefined;
  /** Where the launch is anchored when nothing more precise applies (the ENTRYPOINT/CMD, else FROM). */
  anchor: Span;
  /** `docker run --init` / compose `init: true`: docker-init runs in front of argv. */
  init?: boolean;
  chain?: LaunchChain;
  prediction?: StopPrediction;
  /** A reason no prediction could be made (no command at all, inherited from an unseen image). */
  noLaunch?: string;
}

/** An error that stops one file from being linted; the run goes on. */
export interface FileError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** What a source produces for one document. */
export interface SourceResult {
  doc: Document;
  launches: Launch[];
  /** Source-specific facts rules may want (e.g. the Dockerfile model). */
  model?: unknown;
  errors: FileError[];
}

/** What a probe learnt about a local image (src/sources/images-probe.ts). */
export interface ProbedImage {
  family: ShellFamily;
  /** How: "/bin/sh -> dash", or why it failed. */
  how: string;
  entrypoint?: string[];
  cmd?: string[];
  stopSignal?: string;
  shell?: string[];
  env?: Record<string, string>;
}

/** Options every source understands. */
export interface SourceOptions {
  /** Build target stage (default: the last stage). */
  target?: string;
  /** Build context directory (default: the Dockerfile's directory; stdin: the working directory). */
  context?: string;
  /** Image pattern -> shell family, overriding the table (config `images`, `--image-shell`). */
  images?: Readonly<Record<string, string>>;
  /** Images looked at with --probe-images, by reference. */
  probed?: ReadonlyMap<string, ProbedImage>;
  /** --build-arg values. */
  buildArgs?: Readonly<Record<string, string>>;
  /** Also analyse stages that are not the target (findings there are at most info). */
  allStages?: boolean;
}

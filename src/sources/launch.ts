/**
 * The launch: what a container will run as PID 1, where each part of it is written, and the stop the
 * launch model predicts for it. Every source builds one variant whole (Dockerfile stage, standalone
 * script, compose service, Kubernetes container); rules and `pid1 test` read the same shape.
 *
 * Outcomes pid1 cannot predict carry a reason *code* (rules test codes, never prose) and a message for
 * people.
 */
import type { ChainOptions, LaunchChain, StopPrediction } from '../model/launch.js';
import type { ShellFamily } from '../model/programs.js';
import type { Document, FileError, Origin, Span } from '../document/document.js';
import type { CommandString } from './compose/command-strings.js';
import type { DockerfileModel } from './dockerfile/parse.js';
import type { TriggeredRun } from './dockerfile/run-written.js';
import type { CompiledProgramSource } from './program-reader.js';

/** One part of a launch as written: ENTRYPOINT or CMD, compose `entrypoint`/`command`, k8s `command`/`args`. */
export interface LaunchPart {
  /** What wrote it: 'ENTRYPOINT', 'CMD', 'command', 'args', 'CMD of nginx:1.27'. */
  what: string;
  /** exec (JSON array, YAML list, split string) or shell (a string run through SHELL). */
  form: 'exec' | 'shell';
  /** exec form: the elements; shell form: [the command string]. Empty for an image's config (no text). */
  values: Origin[];
  /** exec form: the argv; shell form: [...SHELL, string] as the runtime runs it. */
  argv: string[];
  /** For the shell form: the SHELL prefix in effect at that instruction. */
  shellPrefix?: string[];
  /** The whole instruction or field. */
  span: Span;
  /** The value's span (arguments of the instruction). */
  valueSpan: Span;
  /** Set when it was inherited from another stage or image (its span points there). */
  inheritedFrom?: string;
}

/** Where the image's /bin/sh family was decided. */
export interface ShellFact {
  family: ShellFamily;
  /** The image's bash is older than 5.1 (images.ts bashLevelOfImage): fewer `-c` commands are exec'd. */
  bashLevel?: '4.2' | '4.4';
  /** How it is known: table, config, probe, or why unknown. */
  how: string;
  /** The image the family is for (the root of the FROM chain). */
  image?: string;
  span?: Span;
}

export interface StopSignalFact {
  signal: string;
  /** Written in the file, inherited from a visible stage or image, the runtime default, or possibly set by an unseen base. */
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

/**
 * Why a launch has no chain to predict from:
 * - `no-command`: no entrypoint or command anywhere: the container cannot start;
 * - `base-image-unseen`: a Dockerfile stage runs the ENTRYPOINT/CMD of a base image pid1 cannot see;
 * - `image-unseen`: a service/container runs its image's ENTRYPOINT/CMD, and pid1 cannot see that image;
 * - `image-default`: the image decides, from what pid1 knows of it (an official image given only options,
 *   an image from the table with no command, a build pid1 cannot analyse);
 * - `operator`: an operator wraps or replaces the command the manifest writes (Argo Workflows' emissary
 *   executor as PID 1; KubeRay's `ray start` for the Ray container of a head or worker group);
 * - `windows`: a Windows container, stopped with console control events rather than Linux signals.
 */
export type UnresolvedCode = 'no-command' | 'base-image-unseen' | 'image-unseen' | 'image-default' | 'operator' | 'windows';

export interface Unresolved {
  code: UnresolvedCode;
  message: string;
}

/** How an orchestrator stops the container, beyond the signal. */
export interface StopPlan {
  platform: 'compose' | 'kubernetes';
  /** Whole seconds from the stop signal to SIGKILL (compose: stop_grace_period, default 10; k8s: terminationGracePeriodSeconds, default 30). */
  graceSeconds: number;
  graceSource: 'explicit' | 'default';
  graceSpan?: Span;
  preStop?: PreStopHook;
  /**
   * Kubernetes `shareProcessNamespace: true` (the pod's pause process is PID 1) or `hostPID: true` (the
   * host's init is): the container's process is not an init. The span of the field.
   */
  sharedPidNamespace?: Span;
  sharedPidWith?: 'shareProcessNamespace' | 'hostPID';
  /** `lifecycle.stopSignal` (Kubernetes) or `stop_signal` (compose), when written. */
  stopSignalSpan?: Span;
  /** Kubernetes: `spec.os.name`, which `lifecycle.stopSignal` requires. */
  podOs?: string;
}

/** A preStop hook with everything needed to run it as the kubelet does. */
export type RunnablePreStop =
  | { kind: 'exec'; command: string[] }
  | { kind: 'sleep'; seconds: number }
  | { kind: 'httpGet'; scheme: 'HTTP' | 'HTTPS'; host: string; port: number; path: string; headers: Record<string, string> };

/** The preStop hook of a Kubernetes container, as written and as the kubelet would run it. */
export interface PreStopHook {
  kind: 'exec' | 'sleep' | 'httpGet' | 'tcpSocket' | 'other';
  span: Span;
  /** exec: the command. */
  argv?: string[];
  /** sleep: seconds; exec: seconds when the command is a plain `sleep N` (or `sh -c "sleep N"`). */
  seconds?: number;
  /** What the kubelet runs; undefined when it would not run it (the reason is a run error of the container). */
  run?: RunnablePreStop;
}

/** How to build an image: the one shape for compose `build:`, `pid1 test --build` and the engine call. */
export interface BuildSpec {
  /** Absolute directory of the build context. */
  context: string;
  /** Relative to the context (default: Dockerfile). */
  dockerfile?: string;
  target?: string;
  args: Record<string, string>;
}

/** What every variant has. */
interface LaunchBase {
  /** Human label: "stage app", "script", "service web", "container api of Deployment/web". */
  label: string;
  /** The source's own document. */
  doc: Document;
  /** Whether it ends up in the target image: launches outside it produce at most info findings. */
  target: boolean;
  entrypoint?: LaunchPart;
  cmd?: LaunchPart;
  /** The argv the runtime execs as PID 1 (entrypoint + command), before any init in front. */
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
  /** What the chain was built from: a fix is checked by building it again from the fixed text. */
  model?: ChainInputs;
  /** Why no chain could be built, when none was. */
  unresolved?: Unresolved;
  /** The program word the runtime execs holds a whole command line: the container does not start (model/launch.ts commandLineWord). */
  commandLineWord?: string;
  /** The script the runtime execs as PID 1 has no `#!` line: execve fails with ENOEXEC and the container does not start. */
  noShebang?: string;
}

/** The inputs of the launch model for a launch (chainFromArgv's, and which stop prediction applies). */
export interface ChainInputs {
  argv: string[];
  options: ChainOptions;
  /** Kubernetes shareProcessNamespace/hostPID: the container's process is not PID 1. */
  sharedPid?: 'shareProcessNamespace' | 'hostPID';
}

export interface DockerfileLaunch extends LaunchBase {
  kind: 'dockerfile';
  /** The stage's WORKDIR, where relative paths of the command resolve. */
  workdir: string;
  /** What a binary of the image is, from the build that made it (a Go program: its package's verdict). */
  linkProgram?: CompiledProgramSource;
  /** The names the build puts in an image directory (from the build context), for an image built on this one. */
  listDir?: (dir: string) => string[];
  /** The image at the root of its FROM chain (`mysql:5.7.30`): its ENTRYPOINT runs when no stage sets one. */
  rootImage?: string;
}

export interface ScriptLaunch extends LaunchBase {
  kind: 'script';
}

/** Where an orchestrated container's image config came from. */
export type ImageSource = 'dockerfile' | 'probe' | 'table' | 'unseen' | 'unanalysed' | 'none';

/** What compose services and Kubernetes containers add. */
interface OrchestratedBase extends LaunchBase {
  stop: StopPlan;
  /** The image reference as written (after interpolation). */
  image?: string;
  /** Where the image's own ENTRYPOINT/CMD/STOPSIGNAL came from, one line. */
  imageConfig: string;
  imageSource: ImageSource;
  /** The resource and field path: `Deployment/web spec.template.spec.containers[0]`, `services.api`. */
  where: string;
  /** `$(VAR)` references (Kubernetes) or `${VAR}` substitutions (compose) changed the command. */
  substituted?: boolean;
}

export interface ComposeLaunch extends OrchestratedBase {
  kind: 'compose';
  service: string;
  /** The file is in the legacy v1 format: docker-compose 1.x runs it (shlex splitting), Compose v2 refuses it. */
  legacyV1?: boolean;
  /** The service's mapping in the file that defines it (for edits that belong to this service only). */
  serviceSpan: Span;
  /** The mapping is in block style (one field per line), so a field can be added as a line. */
  serviceBlock: boolean;
  commandStrings: CommandString[];
}

export interface KubernetesLaunch extends OrchestratedBase {
  kind: 'kubernetes';
  /** `Deployment/web`. */
  resource: string;
  container: string;
  /** 0-based document index in the stream. */
  document: number;
  helmSource?: string;
  /** A restartable init container (sidecar). */
  sidecar?: boolean;
}

export type OrchestratedLaunch = ComposeLaunch | KubernetesLaunch;
export type Launch = DockerfileLaunch | ScriptLaunch | OrchestratedLaunch;
export type LaunchKind = Launch['kind'];

export function isOrchestrated(l: Launch): l is OrchestratedLaunch {
  return l.kind === 'compose' || l.kind === 'kubernetes';
}

/**
 * A compose service or a Kubernetes container reduced to what running and stopping it takes, after
 * everything the format does to it (compose: override files, `extends`, `<<` merges, interpolation,
 * env_file; Kubernetes: `$(VAR)`, securityContext, the pod's grace period). Built from the same reading
 * of the file as the lint launch (one reader per format), so that `pid1 test` runs what `pid1 lint` judged.
 */
export interface ContainerSpec {
  platform: 'compose' | 'kubernetes';
  /** The service or container name. */
  name: string;
  /** Kubernetes: `Deployment/web`. */
  resource?: string;
  /** For messages: `service web`, `Deployment/web container app`. */
  label: string;
  image?: string;
  build?: BuildSpec;
  /** Replaces the image's ENTRYPOINT (and drops its CMD unless `command` is set); undefined: the image's. */
  entrypoint?: string[];
  /** Replaces the image's CMD; undefined: the image's (unless `entrypoint` is set). */
  command?: string[];
  /** The container's environment, where the format says it (compose: `environment` and `env_file`). */
  env: Record<string, string>;
  user?: string;
  workingDir?: string;
  /** Canonical name (SIGTERM) when the file sets one; undefined: the image's STOPSIGNAL, else SIGTERM. */
  stopSignal?: string;
  /** Whole seconds from the stop signal to SIGKILL, as the runtime gets them. */
  graceSeconds: number;
  /** Written in the file (else the platform's default). */
  graceExplicit: boolean;
  /** compose `init`: docker-init in front. */
  init: boolean;
  preStop?: RunnablePreStop;
  /** What running it leaves out or changes, one line each. */
  notes: string[];
  /** Why it cannot be run as written (each with its file and line). */
  errors: FileError[];
}

/** What a probe learnt about a local image (src/runtime/image-probe.ts). */
export interface ProbedImage {
  family: ShellFamily;
  /** Its bash is older than 5.1 (ShellFact.bashLevel). */
  bashLevel?: '4.2' | '4.4';
  /** How: "/bin/sh -> dash", or why it failed. */
  how: string;
  /** Not probed: the repository's own Dockerfile builds this base image (its target stage's config). */
  builtHere?: {
    /** The Dockerfile, for messages. */
    dockerfile: string;
    workdir: string;
    /** An image file, as that build puts it there. */
    readFile: (path: string) => string | undefined;
    /** The names that build puts in an image directory (s6 service directories, supervisord's conf.d). */
    listDir?: (dir: string) => string[];
    /** What a binary that build made is (its Go or Rust source's verdict), for a program the derived image runs as is. */
    linkProgram?: CompiledProgramSource;
    /** The file of that build a verdict's evidence names, as a document of the launch (where a finding can point). */
    fileRef?: (file: string) => ScriptRef | undefined;
    /** Its `ONBUILD RUN` scripts: they run at the FROM of an image built on it (files they write are that image's). */
    onbuildRuns?: TriggeredRun[];
  };
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
  /** `--image-map NAME=PATH`: the Dockerfile that builds an image a manifest or compose service names. */
  imageMap?: Readonly<Record<string, string>>;
}

/**
 * What a file is when it is not what its name or place says, for rules to report (warnings, not errors):
 * - `template`: a template to render first (Go/Jinja `{{ }}`, balena `%%VAR%%`): what runs is its output;
 * - `compose-v1`: a compose file in the legacy v1 format (services at the top level), which only
 *   docker-compose 1.x runs; Compose v2 refuses it.
 */
export type SourceNotice = { code: 'template'; span: Span; syntax: string; render: string } | { code: 'compose-v1'; span: Span; services: string[] };

/** What a source produces for one document. */
export interface SourceResult {
  doc: Document;
  launches: Launch[];
  /** The Dockerfile model, for rules that read instructions (malformed-json-form, onbuild-launch). */
  dockerfile?: DockerfileModel;
  errors: FileError[];
  notices?: SourceNotice[];
}

/**
 * What compose and Kubernetes launches share: the image's own config (from a Dockerfile in the repository,
 * a probe, or nothing), the overrides an orchestrator applies to it, and the stop path it drives.
 *
 * Overrides follow the engine's merge (moby daemon/create.go `merge`): a container that sets an entrypoint
 * does not inherit the image's CMD; one that sets only a command keeps the image's ENTRYPOINT in front of it.
 * Kubernetes documents the same for `command`/`args` (tasks/inject-data-application/define-command-argument-container).
 */
import { chainFromArgv, predictStop, type LaunchChain, type StopPrediction } from '../model/launch.js';
import { parseSignal, signalName } from '../model/signals.js';
import type { Document, FileError, Launch, LaunchPart, Origin, RelatedLocation, ScriptRef, ShellFact, SourceOptions, Span, StopSignalFact } from '../lint/types.js';
import { locateInYaml } from './yaml.js';
import { overrideFor, parseImageRef, shellOfImage } from './images.js';

/** The preStop hook of a Kubernetes container. */
export interface PreStopHook {
  kind: 'exec' | 'sleep' | 'httpGet' | 'tcpSocket' | 'other';
  span: Span;
  /** exec: the command. */
  argv?: string[];
  /** sleep: seconds; exec: seconds when the command is a plain `sleep N` (or `sh -c "sleep N"`). */
  seconds?: number;
}

/** How an orchestrator stops the container, beyond the signal. */
export interface StopPlan {
  platform: 'compose' | 'kubernetes';
  /** Seconds from the stop signal to SIGKILL (compose: stop_grace_period, default 10 s; k8s: terminationGracePeriodSeconds, default 30 s). */
  graceSeconds: number;
  graceSource: 'explicit' | 'default';
  graceSpan?: Span;
  preStop?: PreStopHook;
  /**
   * Kubernetes `shareProcessNamespace: true` (the pod's pause process is PID 1) or `hostPID: true` (the
   * host's init is): the container's process is not an init. The span of the field.
   */
  sharedPidNamespace?: Span;
  /** Which of the two. */
  sharedPidWith?: 'shareProcessNamespace' | 'hostPID';
  /** `lifecycle.stopSignal` (Kubernetes) or `stop_signal` (compose), when written. */
  stopSignalSpan?: Span;
  /** Kubernetes: `spec.os.name`, which `lifecycle.stopSignal` requires. */
  podOs?: string;
}

/** A launch of a compose service or a Kubernetes container. */
export interface OrchestratedLaunch extends Launch {
  stop: StopPlan;
  /** The image reference as written (after interpolation). */
  image?: string;
  /** Where the image's own ENTRYPOINT/CMD/STOPSIGNAL came from, one line. */
  imageConfig: string;
  /** The resource and field path: `Deployment/web spec.template.spec.containers[0]`, `service api`. */
  where: string;
  /** Kubernetes: `$(VAR)` references or compose `${VAR}` substitutions changed the command. */
  substituted?: boolean;
}

export function isOrchestrated(l: Launch): l is OrchestratedLaunch {
  return (l as Partial<OrchestratedLaunch>).stop !== undefined && typeof (l as Partial<OrchestratedLaunch>).where === 'string';
}

/** What is known about the image a container runs. */
export interface ImageConfig {
  /** dockerfile: built from (or linked to) a Dockerfile pid1 analysed; probe: looked at locally; unknown. */
  source: 'dockerfile' | 'probe' | 'table' | 'unknown';
  describe: string;
  entrypoint?: LaunchPart;
  cmd?: LaunchPart;
  /** The image's ENTRYPOINT and CMD are known (possibly empty). */
  configKnown: boolean;
  /** Not known, but its ENTRYPOINT is known to run the command it is given (none, or `exec "$@"`). */
  entrypointTransparent?: string;
  shell: ShellFact;
  stopSignal: StopSignalFact;
  env: Record<string, string>;
  readScript?: (path: string) => string | undefined;
  scripts?: Map<string, ScriptRef>;
  origins?: Map<string, Origin>;
  /** The Dockerfile launch it came from. */
  dockerfile?: Launch;
}

/**
 * Official images whose ENTRYPOINT is absent or a docker-entrypoint script that ends in `exec "$@"`: a
 * command given to them runs as PID 1 (after the script execs). Source: each image's Dockerfile and
 * entrypoint script in the docker-library repositories (checked 2025).
 */
const TRANSPARENT_ENTRYPOINT: Record<string, string> = {
  python: 'no ENTRYPOINT', golang: 'no ENTRYPOINT', ruby: 'no ENTRYPOINT', perl: 'no ENTRYPOINT', rust: 'no ENTRYPOINT',
  openjdk: 'no ENTRYPOINT', 'eclipse-temurin': 'an entrypoint that execs "$@"', amazoncorretto: 'no ENTRYPOINT', gcc: 'no ENTRYPOINT',
  debian: 'no ENTRYPOINT', ubuntu: 'no ENTRYPOINT', alpine: 'no ENTRYPOINT', busybox: 'no ENTRYPOINT', fedora: 'no ENTRYPOINT',
  centos: 'no ENTRYPOINT', rockylinux: 'no ENTRYPOINT', almalinux: 'no ENTRYPOINT', amazonlinux: 'no ENTRYPOINT', oraclelinux: 'no ENTRYPOINT',
  'redhat/ubi8': 'no ENTRYPOINT', 'redhat/ubi9': 'no ENTRYPOINT', 'redhat/ubi9-minimal': 'no ENTRYPOINT', 'redhat/ubi8-minimal': 'no ENTRYPOINT',
  node: 'docker-entrypoint.sh, which execs "$@"', nginx: '/docker-entrypoint.sh, which execs "$@"', redis: 'docker-entrypoint.sh, which execs "$@"',
  postgres: 'docker-entrypoint.sh, which execs "$@"', mysql: 'docker-entrypoint.sh, which execs "$@"', mariadb: 'docker-entrypoint.sh, which execs "$@"',
  mongo: 'docker-entrypoint.sh, which execs "$@"', php: 'docker-php-entrypoint, which execs "$@"', httpd: 'no ENTRYPOINT',
  memcached: 'docker-entrypoint.sh, which execs "$@"', rabbitmq: 'docker-entrypoint.sh, which execs "$@"', elixir: 'no ENTRYPOINT', erlang: 'no ENTRYPOINT',
  'gcr.io/distroless/static': 'no ENTRYPOINT', 'gcr.io/distroless/base': 'no ENTRYPOINT', 'gcr.io/distroless/cc': 'no ENTRYPOINT',
};

/** Official images that set STOPSIGNAL (their Dockerfiles): the rest of the table keeps SIGTERM. */
const IMAGE_STOPSIGNAL: Record<string, string> = { nginx: 'SIGQUIT', httpd: 'SIGWINCH', postgres: 'SIGINT' };

function repoOf(image: string): { full: string; official?: string } {
  const r = parseImageRef(image);
  const full = r.registry ? `${r.registry}/${r.repository}` : r.repository;
  return { full, ...(r.registry ? {} : { official: r.repository }) };
}

function transparentEntrypoint(image: string): string | undefined {
  const { full, official } = repoOf(image);
  return TRANSPARENT_ENTRYPOINT[full] ?? (official !== undefined ? TRANSPARENT_ENTRYPOINT[official] : undefined);
}

/** The CMD of official server images whose stop signal matters (their Dockerfiles). */
function knownCmd(image: string): string[] | undefined {
  const { official } = repoOf(image);
  if (official === 'php' && /fpm/.test(parseImageRef(image).tag)) return ['php-fpm'];
  return official !== undefined ? IMAGE_CMD[official] : undefined;
}

const IMAGE_CMD: Record<string, string[]> = { nginx: ['nginx', '-g', 'daemon off;'], postgres: ['postgres'], redis: ['redis-server'] };

function knownStopSignal(image: string): string | undefined {
  const { official } = repoOf(image);
  if (official === 'php' && /fpm/.test(parseImageRef(image).tag)) return 'SIGQUIT';
  return official !== undefined ? IMAGE_STOPSIGNAL[official] : undefined;
}

/** The config of an image pid1 has no Dockerfile for: the shell table, the config file, or a probe. */
export function imageConfigFromRef(image: string, where: Span, opts: SourceOptions): ImageConfig {
  const probed = opts.probed?.get(image);
  const forced = overrideFor(image, opts.images);
  let shell: ShellFact;
  if (forced) shell = { family: forced, how: `configured for ${image}`, image, span: where };
  else if (probed && probed.family !== 'unknown') shell = { family: probed.family, how: `probed: ${probed.how}`, image, span: where };
  else { const g = shellOfImage(image); shell = { family: g.family, how: g.why, image, span: where }; }
  if (probed && (probed.family !== 'unknown' || probed.entrypoint || probed.cmd)) {
    const part = (what: string, argv: string[]): LaunchPart => ({ what: `${what} of ${image}`, form: 'exec', values: [], argv, span: where, valueSpan: where, inheritedFrom: image });
    let stopSignal: StopSignalFact = { signal: 'SIGTERM', source: 'default' };
    if (probed.stopSignal) {
      try { stopSignal = { signal: signalName(parseSignal(probed.stopSignal)), source: 'base-image', span: where }; }
      catch { stopSignal = { signal: 'SIGTERM', source: 'base-image', span: where, invalid: probed.stopSignal }; }
    }
    return {
      source: 'probe', describe: `image ${image} (probed: ${probed.how})`, configKnown: true, shell, stopSignal, env: { ...(probed.env ?? {}) },
      ...(probed.entrypoint?.length ? { entrypoint: part('ENTRYPOINT', probed.entrypoint) } : {}),
      ...(probed.cmd?.length ? { cmd: part('CMD', probed.cmd) } : {}),
    };
  }
  const transparent = transparentEntrypoint(image);
  const none = shell.family === 'none' && /distroless|chainguard|scratch/.test(image);
  const cmd = transparent ? knownCmd(image) : undefined;
  return {
    ...(cmd ? { cmd: { what: `CMD of ${image}`, form: 'exec' as const, values: [], argv: cmd, span: where, valueSpan: where, inheritedFrom: image } } : {}),
    source: transparent ? 'table' : 'unknown',
    describe: transparent ? `image ${image} (${transparent})` : `image ${image}, whose ENTRYPOINT/CMD pid1 cannot see`,
    configKnown: false,
    ...(transparent ? { entrypointTransparent: transparent } : {}),
    shell,
    // an unseen image may set STOPSIGNAL (nginx: SIGQUIT); the table knows the official ones that do
    stopSignal: knownStopSignal(image) ? { signal: knownStopSignal(image) as string, source: 'base-image', span: where }
      : { signal: 'SIGTERM', source: transparent || none ? 'default' : 'unknown-base' },
    env: {},
  };
}

/** The config of an image built from a Dockerfile pid1 analysed (its target stage's launch). */
export function imageConfigFromDockerfile(l: Launch, describe: string): ImageConfig {
  const known = l.noLaunch === undefined || l.entrypoint !== undefined || l.cmd !== undefined || !/cannot see/.test(l.noLaunch);
  return {
    source: 'dockerfile', describe, configKnown: known,
    ...(l.entrypoint ? { entrypoint: l.entrypoint } : {}),
    ...(l.cmd ? { cmd: l.cmd } : {}),
    shell: l.shell, stopSignal: l.stopSignal, env: { ...l.env },
    ...(l.readScript ? { readScript: l.readScript } : {}),
    scripts: l.scripts, origins: l.origins, dockerfile: l,
  };
}

export interface LaunchSpec {
  label: string;
  doc: Document;
  where: string;
  image: ImageConfig;
  imageRef?: string;
  /** Replaces the image's ENTRYPOINT (compose `entrypoint`, k8s `command`); null: set but empty. */
  entrypoint?: LaunchPart | null;
  /** Replaces the image's CMD (compose `command`, k8s `args`); null: set but empty. */
  cmd?: LaunchPart | null;
  stopSignal?: StopSignalFact;
  init?: boolean;
  stop: StopPlan;
  anchor: Span;
  /** Origins of the override parts that may be edited by a fix (by their text). */
  origins: Map<string, Origin>;
  substituted?: boolean;
}

/** Combine the image's config and the orchestrator's overrides into a launch with a predicted stop. */
export function orchestratedLaunch(s: LaunchSpec): OrchestratedLaunch {
  const img = s.image;
  const epSet = s.entrypoint !== undefined;
  const cmdSet = s.cmd !== undefined;
  const entrypoint = epSet ? s.entrypoint ?? undefined : img.entrypoint;
  // An entrypoint override drops the image's CMD (moby daemon/create.go merge; Kubernetes: "command" without "args").
  const cmd = cmdSet ? s.cmd ?? undefined : epSet ? undefined : img.cmd;
  const argv = [...(entrypoint?.argv ?? []), ...(cmd?.argv ?? [])];
  const stopSignal = s.stopSignal ?? img.stopSignal;
  const origins = new Map<string, Origin>(img.origins ?? []);
  for (const [k, v] of s.origins) origins.set(k, v);
  const launch: OrchestratedLaunch = {
    label: s.label, doc: s.doc, target: true,
    ...(entrypoint ? { entrypoint } : {}), ...(cmd ? { cmd } : {}),
    argv, shell: img.shell, stopSignal, env: img.env,
    scripts: img.scripts ?? new Map(), origins,
    ...(img.readScript ? { readScript: img.readScript } : {}),
    anchor: s.anchor,
    ...(s.init ? { init: true } : {}),
    stop: s.stop, imageConfig: img.describe, where: s.where,
    ...(s.imageRef !== undefined ? { image: s.imageRef } : {}),
    ...(s.substituted ? { substituted: true } : {}),
  };
  // The image's ENTRYPOINT still runs in front of a command when the orchestrator does not replace it.
  const unseenEntrypoint = !epSet && !img.configKnown && !img.entrypointTransparent;
  // An official image's entrypoint script given only options runs its own server with them (`set -- postgres "$@"`).
  const optionsOnly = !epSet && !img.configKnown && cmd !== undefined && (cmd.argv[0] ?? '').startsWith('-');
  if (argv.length === 0 || optionsOnly) {
    launch.noLaunch = optionsOnly ? `the image decides what runs: ${img.describe}, given options only (${cmd?.argv.slice(0, 3).join(' ')}), runs its default program with them`
      : img.configKnown
      ? 'no entrypoint or command anywhere: the container cannot start'
      : `the image decides what runs: ${img.describe}${img.source === 'unknown' ? ' (link it to a Dockerfile with --image-map NAME=PATH, or use --probe-images)' : ''}`;
    return launch;
  }
  if (stopSignal.invalid) return launch;
  if (img.shell.family === 'none' && startsWithShell(argv)) return launch; // no-shell reports it
  const chainArgv = s.init ? ['docker-init', '--', ...argv] : argv;
  const chain = chainFromArgv(chainArgv, {
    sh: img.shell.family, signal: stopSignal.signal,
    ...(img.readScript ? { readScript: img.readScript } : {}),
    ...(cmd ? { args: cmd.argv } : {}), env: img.env,
  });
  if (chain.processes.length === 0) return launch;
  if (unseenEntrypoint && !chain.opaque) chain.opaque = `the image's ENTRYPOINT, which pid1 cannot see, runs in front of the command (${img.describe})`;
  launch.chain = chain;
  launch.prediction = s.stop.sharedPidNamespace ? predictStopSharedPid(chain, stopSignal.signal, s.stop.sharedPidWith) : predictStop(chain, stopSignal.signal);
  return launch;
}

export function startsWithShell(argv: readonly string[]): boolean {
  const first = argv[0] ?? '';
  return /(^|\/)(sh|bash|ash|dash)$/.test(first);
}

/**
 * The stop when the container shares the pod's PID namespace (`shareProcessNamespace: true`): the pause
 * process is PID 1, so the container's main process is an ordinary process and default actions apply to it
 * (the kernel's init protection covers only a namespace's PID 1). The runtime signals the container's main
 * process; when that process exits, containerd's runc shim kills every other process of the container
 * (shouldKillAllOnExit: the container has no PID namespace of its own), so children die with SIGKILL.
 * `hostPID: true` is the same case with the host's init as PID 1.
 */
export function predictStopSharedPid(chain: LaunchChain, signalIn: string, with_: 'shareProcessNamespace' | 'hostPID' = 'shareProcessNamespace'): StopPrediction {
  const signal = signalName(parseSignal(signalIn));
  const who = with_ === 'hostPID' ? 'not PID 1: with hostPID the host\'s init is' : 'not PID 1: the pod\'s pause process is, with shareProcessNamespace';
  const procs = chain.processes;
  const main = procs[0];
  if (!main) throw new Error('empty launch chain');
  if (main.handles === 'yes') {
    // It handles the signal: the same as in its own namespace from here on.
    const p = predictStop(chain, signal);
    p.path[0] = `${signal} -> ${main.name}, the container's main process (${who}): handled`;
    return p;
  }
  const service = procs[procs.length - 1] ?? main;
  const path: string[] = [];
  if (main.handles === 'unknown') {
    path.push(`${signal} -> ${main.name}, the container's main process (${who}): if it has no handler, the default action ends it at once`);
    return { outcome: 'unknown', certain: false, signal, path, unreached: [], pid1: main, service };
  }
  path.push(`${signal} -> ${main.name}, the container's main process (${who}): no handler, so the default action ends it at once (the kernel protects only a namespace's PID 1)`);
  if (procs.length === 1) {
    path.push(`${main.name} ends without a graceful shutdown`);
    return { outcome: 'abrupt', certain: chain.opaque === undefined, signal, path, unreached: [], pid1: main, service, fix: `handle ${signal} in the service` };
  }
  path.push(`the container's main process exited -> the runtime SIGKILLs the container's other processes (${procs.slice(1).map((p) => p.name).join(', ')}) before ${service.name} can shut down`);
  return {
    outcome: 'abrupt', certain: chain.opaque === undefined, signal, path,
    unreached: procs.slice(1).filter((p) => p.handles === 'yes'), pid1: main, service,
    fix: `make the service the container's main process: \`exec\` it from ${main.name}, or use the exec form`,
  };
}

/** A preStop hook with everything needed to run it as the kubelet does. */
export type ResolvedPreStop =
  | { kind: 'exec'; command: string[] }
  | { kind: 'sleep'; seconds: number }
  | { kind: 'httpGet'; scheme: 'HTTP' | 'HTTPS'; host: string; port: number; path: string; headers: Record<string, string> };

/** How compose builds a service's image: a local context and what to build from it. */
export interface ResolvedBuild {
  /** Absolute directory (a remote context is an error of the resolution). */
  context: string;
  /** Relative to the context, as compose's `dockerfile`. */
  dockerfile?: string;
  target?: string;
  args: Record<string, string>;
}

/**
 * A compose service or a Kubernetes container reduced to what running and stopping it takes, after
 * everything the format does to it (compose: override files, `extends`, `<<` merges, interpolation,
 * env_file; Kubernetes: `$(VAR)`, securityContext, the pod's grace period). The same reading the lint
 * launches come from, so that `pid1 test` runs what `pid1 lint` judged.
 */
export interface ResolvedLaunch {
  /** The service or container name. */
  name: string;
  /** Kubernetes: `Deployment/web`. */
  resource?: string;
  /** For messages: `service web`, `Deployment/web container app`. */
  label: string;
  platform: 'compose' | 'kubernetes';
  image?: string;
  build?: ResolvedBuild;
  /** Replaces the image's ENTRYPOINT (and drops its CMD unless `command` is set); undefined: the image's. */
  entrypoint?: string[];
  /** Replaces the image's CMD; undefined: the image's (unless `entrypoint` is set). */
  command?: string[];
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
  preStop?: ResolvedPreStop;
  /** What running it leaves out or changes, one line each. */
  notes: string[];
  /** Why it cannot be run as written (each with its file and line). */
  errors: FileError[];
}

/** Options of the compose and Kubernetes sources that the command line sets. */
export interface YamlSourceOptions {
  /** `--image-map NAME=PATH`: the Dockerfile that builds an image a manifest names. */
  imageMap?: Readonly<Record<string, string>>;
  /** `--compose-file FILE` (repeatable): one compose project, merged in this order. */
  composeFiles?: readonly string[];
  /** Interpolation environment for compose (default: the process environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Model compose v1 (shlex) or v2 (go-shellwords) string splitting; default 2. */
  composeVersion?: 1 | 2;
}

/**
 * Tell where a finding is in orchestrator terms: the service or container, the YAML document (for a
 * stream such as `helm template` output) and the field path, as a related location every format shows.
 */
export function relatedFor(l: Launch, finding: { file: string; range: { start: { offset: number } } }, docOf: (file: string) => Document | undefined): RelatedLocation | undefined {
  if (!isOrchestrated(l)) return undefined;
  const doc = docOf(finding.file);
  const at = doc ? locateInYaml(doc, finding.range.start.offset) : undefined;
  const anchor = l.doc.lines.range(l.anchor.start, l.anchor.end);
  if (at && doc) {
    const docNote = at.documents > 1 ? `, document ${at.document + 1} of ${at.documents}` : '';
    const src = at.helmSource ? ` (${at.helmSource})` : '';
    return { file: doc.file, range: doc.lines.range(finding.range.start.offset, finding.range.start.offset), message: `${l.label}${docNote}${src}: ${at.path || l.where}` };
  }
  // a finding in the Dockerfile that builds the image: point back at the service or container
  return { file: l.doc.file, range: anchor, message: `${l.label} (${l.where}) runs this image` };
}

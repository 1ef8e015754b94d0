/**
 * The launch model: what the runtime execs as PID 1, the chain of processes down to the service,
 * and where the stop signal goes. Lint builds the chain from files (chainFromArgv), inspect from
 * /proc (src/proc/verdict.ts); both hand it to predictStop(), and `pid1 test` checks the prediction
 * against a real stop.
 */
import path from 'node:path';
import { globToRe } from '../util/files.js';
import { behaviourOn, catalogueById, catalogueEntryById, type Reaction } from './catalogue.js';
import { basename, identify, programOfEntry, type Forwarding, type Program, type Role, type ShellFamily } from './programs.js';
import type { ShellCwd } from './shell-cwd.js';
import { type AnalyzeOptions, analyzeShell, isAllArgs, quietFunctionsIn, steadyEnds, trapOrExecIn, type FinalCommand, type ShellAnalysis, type ShellEnd, type Trap } from './shell.js';
import { boundedSeconds } from './shell-words.js';
import { KERNEL_SIGRTMIN, parseSignal, signalFate, signalName, type SignalMasks } from './signals.js';
import { consoleScriptVerdict, pipInstallsIn, type PipInstall } from './python-clis.js';

/** One process on the chain, after every exec it performs (its final program image). */
export interface ChainProcess {
  /** The programs this process ran, in exec order (e.g. env -> gosu -> gunicorn). */
  programs: Program[];
  argv: string[];
  /** The final program's role. */
  role: Role;
  name: string;
  /** How a stop signal it receives is passed on, if it forwards. */
  forwards: Forwarding;
  /**
   * Does it have a handler for the stop signal: from SigCgt when live, from knowledge when static
   * ('unknown' when the program decides, e.g. node or a script we cannot see).
   */
  handles: 'yes' | 'no' | 'unknown';
  /** For a service that handles the signal: is that handler its graceful shutdown? */
  gracefulOnSignal: 'yes' | 'no' | 'unknown';
  /** A shell step's analysis, when it ran a command string or script. */
  shell?: ShellAnalysis;
  /** Statically known to set the stop signal to SIG_IGN. */
  ignores?: boolean;
  /** What the service does with the stop signal as PID 1 (the catalogue, or its program's source). */
  reaction?: Reaction;
  /** It handles the signal but goes on running: as PID 1 the stop ends in SIGKILL. */
  keepsRunning?: boolean;
  /** A utility with nothing to shut down (sleep, tail -f): ended by the signal's default action, it has stopped cleanly. */
  nothingToDrain?: boolean;
  /** What its own source says (a Python, Node or Go program in the build context). */
  source?: SourceVerdict;
  /** An init that waits for every process it signalled (pid1 init), rather than exiting with its child. */
  waitsForGroup?: boolean;
  /** The argv of the last program the process runs (after its execs): `python app.py` behind `env` or a shell's exec. */
  finalArgv?: string[];
  /** Live masks, when read from /proc. */
  masks?: SignalMasks;
  /** Live PIDs, when read from /proc. */
  pid?: number;
  hostPid?: number;
  note?: string;
  /** For a shell running a script: the script's path in the image. */
  script?: string;
  /**
   * False when the process passes the signal on and then exits at once instead of waiting for its child
   * (a script whose TERM trap kills the child, then ends because its only `wait` returned): the kernel
   * SIGKILLs the child when PID 1 exits. Undefined means it waits (inits do).
   */
  waitsForChild?: boolean;
  /** A fork-wrapper that SIGKILLs its child this many seconds after passing the stop signal on (su). */
  killsChildAfter?: number;
  /** Its handler runs only after its foreground child exits (a shell trap while a command runs in the foreground). */
  deferred?: boolean;
  /**
   * A shell running an endless loop: the longest `sleep` its body waits in (seconds; undefined when it runs
   * anything else in the foreground), and whether its trap for the stop signal ends the script.
   */
  loop?: { pause?: number; stuck?: boolean; trapExits?: boolean; trapForwards?: boolean; trapWaits?: boolean; endsWhenGone?: boolean; periodic?: boolean };
  /** A supervisor (s6, supervisord): the services it runs, each with the signal it sends them on the stop. */
  supervised?: SupervisedStop[];
}

/** Which supervisor runs the services: s6-overlay's /init, s6-svscan on a scan directory, supervisord. */
export type SupervisorKind = 's6-overlay' | 's6-svscan' | 'supervisord';

/** One service a supervisor runs, as its files define it (read by src/sources/supervised.ts). */
export interface SupervisedService {
  /** The s6 service directory's or the supervisord program's name. */
  name: string;
  /** Where it is defined in the image: the run script, or the supervisord config file. */
  file: string;
  /** What the supervisor execs; undefined when pid1 cannot see it (see `unseen`). */
  argv?: string[];
  /** The signal the supervisor sends it on the stop (s6 down-signal, supervisord stopsignal). */
  signal: string;
  /** Where that signal is set ('default' when nothing sets it). */
  signalFrom: string;
  /** How to change the signal: `{SIGNAL}` stands for the signal's full name (SIGQUIT), `{NAME}` for it without SIG (QUIT). */
  setSignal: string;
  /** Why pid1 cannot see what it runs. */
  unseen?: string;
  /** The signal goes to the service's whole process group (supervisord stopasgroup=true), not only to what it execs. */
  group?: string;
}

/** A supervised service and what the stop does to it. */
export interface SupervisedStop {
  service: SupervisedService;
  /** Undefined when pid1 cannot see what the service runs. */
  prediction?: StopPrediction;
}

/**
 * Why part of a chain is hidden from pid1:
 * - `script-unseen`: a script it runs is not in the build context;
 * - `unknown-shell`: the image's /bin/sh is unknown, and whether it execs the last command decides;
 * - `runtime-command`: the command is built at run time (`exec $CMD`, a background job from variables);
 * - `package-script`: npm/yarn/pnpm run a package.json script pid1 does not read;
 * - `image-entrypoint-unseen`: the image's own ENTRYPOINT, which pid1 cannot see, runs in front;
 * - `path-dependent`: the script's paths end differently (one execs the service, another does not).
 */
type OpaqueCode = 'script-unseen' | 'unknown-shell' | 'runtime-command' | 'package-script' | 'image-entrypoint-unseen' | 'path-dependent';

export interface Opaque {
  code: OpaqueCode;
  message: string;
  /** The first process (index in the chain) whose behaviour it hides: a stop decided before it is certain. */
  at: number;
}

export interface LaunchChain {
  processes: ChainProcess[];
  /** The chain ends in something pid1 cannot see. */
  opaque?: Opaque;
  /** The image's /bin/sh is unknown, and the stop is lost whichever it is (dash, bash or busybox ash). */
  everyShellLoses?: true;
  /** The runtime cannot exec PID 1: the script it names has no `#!` line (execve fails with ENOEXEC). No processes then. */
  noShebang?: string;
}

export type Outcome = 'graceful' | 'killed' | 'abrupt' | 'nostart' | 'unknown';

export interface StopPrediction {
  outcome: Outcome;
  /** False when the outcome depends on something pid1 cannot see. */
  certain: boolean;
  signal: string;
  /** The step-by-step path of the signal, one line each, in kernel/runtime terms. */
  path: string[];
  /** Processes that handle the stop signal but will never receive it. */
  unreached: ChainProcess[];
  /** What PID 1 is. */
  pid1: ChainProcess;
  service: ChainProcess;
  /** What to change, when the outcome is not graceful. */
  fix?: string;
}

/**
 * A stop signal no process can handle (SIGKILL, SIGSTOP: signal(7)) decides the stop whatever runs: the
 * chain of an unknown command, for launches pid1 cannot otherwise follow.
 */
export function uncatchableChain(signalIn: string): LaunchChain | undefined {
  const sig = parseSignal(signalIn);
  if (sig !== parseSignal('KILL') && sig !== parseSignal('STOP')) return undefined;
  return { processes: [makeProcess([{ name: "the container's command", role: 'service' }], [], signalName(sig))] };
}

/** A loop that sleeps at most this long between checks runs its trap well within any grace period (Docker's is 10 s). */
const LOOP_PAUSE_LIMIT = 10;

/** What the program's own source says about the stop signal (src/sources/program-source.ts reads it). */
export interface SourceVerdict {
  /** finishes: the program exits as soon as it starts (nothing to stop). */
  verdict: 'handles' | 'no-handler' | 'unknown' | 'finishes';
  /** One sentence: why. */
  reason: string;
  /** The line that decides. */
  evidence?: { file?: string; line: number; text: string };
  /** A server or framework (catalogue id) that installs the handler. */
  via?: string;
  /** no-handler: the runtime's default ends it at once and it has nothing to shut down (a Go program that serves nothing). */
  nothingToDrain?: boolean;
  /**
   * The catalogue entry of the runtime the program turned out to be, for a program pid1 does not know by
   * name (a binary linked to the `go build` that made it: 'go').
   */
  runtime?: string;
}

/** What a service does with the stop signal, from the catalogue and, for a runtime, its program's source. */
interface ServiceBehaviour {
  nothingToDrain?: boolean;
  handles: 'yes' | 'no' | 'unknown';
  graceful: 'yes' | 'no' | 'unknown';
  reaction?: Reaction;
  /** It handles the signal but goes on running (a re-raise dropped at PID 1, a thread dump). */
  keepsRunning?: boolean;
  ignores?: boolean;
  /** The framework the program's code runs decides (the Flask reloader): its graceful signals, and what its handler does. */
  framework?: { graceful: string[]; note: string };
}

function serviceBehaviour(p: Program, signal: string, source: SourceVerdict | undefined): ServiceBehaviour {
  const entry = p.catalogue ? catalogueById(p.catalogue) : undefined;
  if (!entry) {
    // A program pid1 does not know is assumed to handle the signal; systemd and friends carry their own facts.
    if (p.graceful) return { handles: 'yes', graceful: p.graceful.includes(signal) ? 'yes' : 'no', ...(p.keepsRunning && !p.graceful.includes(signal) ? { keepsRunning: true } : {}) };
    return { handles: 'yes', graceful: 'yes' };
  }
  let reaction = behaviourOn(entry, signal).reaction;
  if (p.programDecides) {
    // The runtime's default applies when the program installs no handler; its code decides otherwise.
    if (source?.verdict === 'handles') {
      // a framework whose handler is not a graceful stop (the Flask and Django reloaders' parent exits and its server
      // child is SIGKILLed): the catalogue's entry for it says what the handler does
      const framework = source.via !== undefined && source.via !== entry.id ? catalogueEntryById(source.via) : undefined;
      const by = framework?.signals[signalName(parseSignal(signal)) as keyof typeof framework.signals];
      if (framework && by) {
        reaction = by.reaction;
        if (reaction !== 'graceful' && !framework.graceful.signals.includes(signal))
          return { handles: 'yes', graceful: 'no', reaction, framework: { graceful: [...framework.graceful.signals], note: by.note } };
      } else reaction = 'graceful';
    } else if (source?.verdict !== 'no-handler' && reaction !== 'graceful') reaction = 'program-decides';
  }
  // The signals the catalogue lists as the program's graceful stop are graceful, fast or not (PostgreSQL's SIGINT).
  if (entry.graceful.signals.includes(signal) && reaction !== 'program-decides') return { handles: 'yes', graceful: 'yes', reaction };
  switch (reaction) {
    case 'graceful':
      return { handles: 'yes', graceful: 'yes', reaction };
    case 'fast':
      return { handles: 'yes', graceful: 'no', reaction };
    case 'exits':
      // The runtime's exit at once loses nothing when the program serves nothing (a Go one-shot or work loop).
      if (source?.verdict === 'no-handler' && source.nothingToDrain) return { handles: 'yes', graceful: 'yes', reaction, nothingToDrain: true };
      return { handles: 'yes', graceful: entry.graceful.signals.includes(signal) ? 'yes' : 'no', reaction };
    case 'continues':
    case 'reraised':
      // (below PID 1 a re-raise takes the default action and ends it: nothing lost when the program serves nothing)
      return { handles: 'yes', graceful: 'no', reaction, keepsRunning: true, ...(reaction === 'reraised' && source?.nothingToDrain ? { nothingToDrain: true } : {}) };
    case 'dropped':
      // A utility, or a cron daemon (it saves nothing on a stop; a job it started is cut either way): the default action loses nothing.
      return { handles: 'no', graceful: 'no', reaction, ...(entry.kind === 'utility' || entry.kind === 'cron' ? { nothingToDrain: true } : {}) };
    case 'ignored':
      return { handles: 'no', graceful: 'no', reaction, ignores: true };
    default:
      return { handles: 'unknown', graceful: 'unknown', reaction };
  }
}

/** Static knowledge of whether a program catches the stop signal. */
function staticHandles(p: Program, signal: string, shell?: ShellAnalysis): 'yes' | 'no' | 'unknown' {
  switch (p.role) {
    case 'init':
    case 'package-manager':
    case 'fork-wrapper':
      return 'yes';
    case 'shell':
      if (shell && stopTrap(shell, signal)) return 'yes';
      return 'no'; // a non-interactive shell has no handler for TERM/QUIT/USR*; INT is caught by dash as init but not forwarded
    case 'service':
      return 'yes'; // refined by serviceBehaviour(): the catalogue and the program's source
    default:
      return 'unknown';
  }
}

/**
 * The shell's trap for the stop signal while its service runs, if any: the last one set before the
 * service (`trap - TERM` before it resets it). With the service in the background, a trap set after it
 * counts too (`svc & pid=$!; trap 'kill $pid' TERM; wait`), and a reset after it does not: the stop comes
 * during the first `wait` (`wait $pid; trap - TERM; wait $pid`).
 */
export function stopTrap(shell: ShellAnalysis, signal: string): Trap | undefined {
  const bare = signal.replace(/^SIG/, '');
  const num = String(parseSignal(bare));
  const at = shell.end?.command.line ?? Number.POSITIVE_INFINITY;
  const background = shell.end?.kind === 'wait' || shell.end?.kind === 'loop';
  let found: Trap | undefined;
  for (const t of shell.traps) {
    if (!t.signals.includes(bare) && !t.signals.includes(num)) continue;
    if (background ? t.resets && t.line > at : t.line > at) continue;
    found = t;
  }
  return found && !found.resets ? found : undefined;
}

export function makeProcess(programsIn: Program[], argv: string[], signal: string, shell?: ShellAnalysis, script?: string, source?: SourceVerdict): ChainProcess {
  let programs = programsIn;
  let last = programs[programs.length - 1] as Program;
  const service = last.role === 'service' ? serviceBehaviour(last, signal, source) : undefined;
  // the program is the framework its code runs: its graceful signals, not the runtime's (CPython's SIGINT)
  if (service?.framework) {
    last = { ...last, graceful: service.framework.graceful, note: service.framework.note };
    programs = [...programs.slice(0, -1), last];
  }
  let handles = service?.handles ?? staticHandles(last, signal, shell);
  let role: Role = last.role;
  let forwards: Forwarding = last.forwards ?? 'none';
  let waitsForChild: boolean | undefined;
  let deferred: boolean | undefined;
  // pid1 init ignores real-time signals: such a stop signal never gets past it.
  const ignored = last.ignoresRealtime === true && parseSignal(signal) >= KERNEL_SIGRTMIN;
  if (ignored) handles = 'no';
  // An interactive shell ignores TERM and QUIT and catches INT without ending (bash(1) SIGNALS; dash and busybox
  // ash set the same at start-up when interactive: measured as PID 1 and not, test/shell-exec.test.ts).
  const atPrompt = last.role === 'shell' && last.interactive === true && ['SIGTERM', 'SIGQUIT', 'SIGINT'].includes(signalName(parseSignal(signal)));
  if (atPrompt) handles = 'no';
  const trap = last.role === 'shell' && shell ? stopTrap(shell, signal) : undefined;
  if (trap && shell) {
    if (trap.ignores) handles = 'no';
    else if (shell.end?.kind === 'loop') {
      // An endless loop: the trap runs between its commands (after the current `sleep`).
      forwards = 'none';
    } else if (shell.wait) {
      // A trap interrupts `wait` at once (the service runs in the background).
      if (trap.forwards) {
        role = 'init';
        forwards = 'child';
        // After the trap, the interrupted `wait` returns > 128: the script goes on to its next statement
        // (unless the trap exits first: then PID 1 is gone and the kernel SIGKILLs the service).
        // A poll loop before the wait (`while kill -0 $pid; do sleep 10; done; wait $pid`) is where the stop comes: the wait after it waits.
        waitsForChild = trap.waits || (!trap.exits && (shell.wait.polled === true || (shell.wait.waits >= 2 && (!shell.errexit || shell.wait.guarded))));
      } else {
        forwards = 'none';
      }
    } else {
      // A trap waits for the foreground command to end before it runs.
      forwards = 'none';
      deferred = true;
    }
  }
  return {
    programs,
    argv,
    role,
    name: last.name,
    forwards,
    handles,
    // s6-overlay's /init supervises the services itself and takes them down on SIGTERM.
    gracefulOnSignal: service ? service.graceful : last.name === 's6' ? 'yes' : 'no',
    ...(service?.reaction ? { reaction: service.reaction } : {}),
    ...(service?.keepsRunning ? { keepsRunning: true } : {}),
    // a runtime at its REPL (`node`, `python3` with no program) holds nothing in flight: the default action loses nothing
    ...(service?.nothingToDrain || (last.interactive === true && last.role === 'service') ? { nothingToDrain: true } : {}),
    ...(service?.ignores ? { ignores: true } : {}),
    ...(source ? { source } : {}),
    ...(shell ? { shell } : {}),
    ...(script !== undefined ? { script } : {}),
    ...(waitsForChild !== undefined ? { waitsForChild } : {}),
    ...(deferred ? { deferred } : {}),
    ...(last.waitsForGroup ? { waitsForGroup: true } : {}),
    ...(last.exitsAfterForwarding ? { waitsForChild: false } : {}),
    ...(last.killsChildAfter !== undefined ? { killsChildAfter: last.killsChildAfter } : {}),
    ...(ignored || atPrompt ? { ignores: true } : {}),
    ...(atPrompt ? { note: `an interactive ${last.name} at its prompt ignores ${signalName(parseSignal(signal))}` } : {}),
    ...(last.note ? { note: last.note } : {}),
    ...(shell?.end?.kind === 'loop'
      ? {
          loop: {
            ...(shell.end.pause !== undefined ? { pause: shell.end.pause } : {}),
            ...(shell.end.stuck ? { stuck: true } : {}),
            ...(trap?.exits ? { trapExits: true } : {}),
            ...(trap?.forwards ? { trapForwards: true } : {}),
            ...(trap?.waits ? { trapWaits: true } : {}),
            ...(shell.end.endsWhenGone ? { endsWhenGone: true } : {}),
            ...(shell.end.periodic ? { periodic: true } : {}),
          },
        }
      : {}),
  };
}

export interface ChainOptions {
  /** The image's /bin/sh family. */
  sh: ShellFamily;
  /** The image's bash, when older than 5.1: which `-c` strings it execs the last command of (AnalyzeOptions.bashLevel). */
  bashLevel?: '4.2' | '4.4';
  /** The stop signal, e.g. SIGTERM. */
  signal?: string;
  /** Resolve a script path to its contents (lint: from the build context). */
  readScript?: (path: string) => string | undefined;
  /** The names the image holds in a directory, as far as its build shows them (a glob a script sources from). */
  listDir?: (dir: string) => string[];
  /** The container's CMD, substituted for `exec "$@"` in an entrypoint script. */
  args?: string[];
  /** `args` stands for whatever CMD will be (a script linted on its own): it decides no `if [ "$1" = ... ]`. */
  argsUnknown?: boolean;
  /**
   * Read the source of a runtime's program (`python app.py`, `node server.js`) for a handler, when pid1 can;
   * also asked about a service it does not know by name, which the answer's `runtime` may identify.
   */
  programSource?: (argv: readonly string[], program: Program, cwd?: ShellCwd) => SourceVerdict | undefined;
  /** The image surely holds no file at this path (relative to the working directory): a Dockerfile that copies none there. */
  absent?: (path: string) => boolean;
  /** The image's environment (ENV): `$VAR` in a command string with a known value counts as literal. */
  env?: Readonly<Record<string, string>>;
  /** `env` is the container's whole environment (a Dockerfile's launch: nothing overrides its ENV): it decides a script's tests. */
  envComplete?: boolean;
  /** What `pip install` put in the image (the Dockerfile's RUNs): a program it installed is CPython (python-clis.ts). */
  pipInstalls?: readonly PipInstall[];
  /**
   * The container's stdin: 'closed' when nothing keeps it open (compose without stdin_open/tty, a pod
   * container without stdin/tty), so a shell that reads its commands there gets end of input and exits.
   * Undefined: as `docker run -it` would run it (a Dockerfile's own CMD).
   */
  stdin?: 'open' | 'closed';
  /**
   * Seconds from the stop signal to SIGKILL (Docker 10, the kubelet 30 unless set): a service that ends by
   * itself sooner (`sleep 10`) has exited before the SIGKILL, whatever happens to the signal.
   */
  graceSeconds?: number;
  /**
   * The services a supervisor PID 1 runs, from the files the image gets (s6 service directories, supervisord
   * config); undefined when pid1 sees none of them (then the supervisor is taken to stop them gracefully).
   */
  supervised?: (kind: SupervisorKind, argv: readonly string[]) => SupervisedService[] | undefined;
  /**
   * Whether the final program forks into the background by the image's configuration (php-fpm from a
   * distribution's package): its first process, PID 1, exits at start, and the container with it.
   */
  detaches?: (argv: readonly string[], program: Program) => boolean;
  /**
   * Where the image builds a program the catalogue knows from a cloned source tree (`git clone .../runit`): the
   * catalogue describes the released program, and a fork may differ (couchbase's runit), so its stop is unknown.
   */
  builtFromSource?: (program: Program) => string | undefined;
}

/** `#!/usr/bin/env bash -e` -> ['bash', '-e']; `#!/bin/sh` -> ['/bin/sh']. */
export function shebangOf(text: string): string[] | undefined {
  if (!text.startsWith('#!')) return undefined;
  const nl = text.indexOf('\n');
  const line = text.slice(2, nl === -1 ? undefined : nl).trim();
  const parts = line.split(/[ \t]+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  if (basename(parts[0] as string) === 'env') {
    const rest = parts.slice(1).filter((p) => p !== '-S');
    return rest.length ? rest : undefined;
  }
  return parts;
}

/**
 * Who interprets a script without a shebang that a shell runs (execve fails with ENOEXEC; measured as PID 1 in
 * test/shell-shapes-ns.test.ts): bash reads it itself, busybox ash runs it as `ash FILE`, and dash execs
 * /bin/sh with it (dash src/exec.c tryexec). The runtime itself cannot run one (runc: exec format error).
 */
function noShebangInterpreter(shell: ShellFamily): string[] {
  return shell === 'bash' || shell === 'ash' || shell === 'zsh' ? [shell] : ['/bin/sh'];
}

/**
 * Sourced files that set up an environment and nothing else: a virtualenv's activate, profiles, os-release, Debian's
 * apache2 envvars, Apache Spark's sbin/spark-config.sh and bin/load-spark-env.sh (exports, and the operator's
 * conf/spark-env.sh under `set -a`), which Spark's own start scripts and images built on them source.
 */
const QUIET_SOURCES = /(^|\/)(activate|os-release|profile|\.profile|\.bashrc|\.bash_profile|environment|envvars|nvm\.sh|spark-config\.sh|load-spark-env\.sh)$|^\/etc\/profile\.d\//;

/** A file name that says it is an operator's customisation point: `entrypoint.custom.sh`, `local.sh`, `user-init.sh`, `hooks.sh`. */
const HOOK_NAME = /(^|[-_.])(custom|local|override|user|extra|hooks?)([-_.]|$)/i;

/**
 * An operator's hook the image does not hold: sourced only when it exists (`if [ -f "$DATA/entrypoint.custom.sh" ]; then
 * . ...; fi`), named as a customisation point, and not among the image's files. The image as built runs without it.
 */
function operatorHook(f: { path?: string; optional?: string }, readScript: ChainOptions['readScript']): boolean {
  if (
    f.optional === undefined ||
    !HOOK_NAME.test(
      f.optional
        .replace(/["'{}]/g, '')
        .split('/')
        .pop() ?? '',
    )
  )
    return false;
  return f.path === undefined || readScript?.(f.path) === undefined;
}

/**
 * Whether a sourced file can change the stop: an `exec` in it, or a `trap` while the shell stays in front of the service;
 * or in a file it names (a literal path) and sources in turn (bash runs those in the same shell too), or one of those
 * pid1 cannot read. The answer is the path of files that leads to the change (the sourced file itself first), or undefined.
 * A trap cannot matter when every path execs the service (`exec su ...`, `exec "$@"`): exec'd programs start with
 * caught signals reset to their default (execve(2)), so the shell's traps are gone by the time the stop comes.
 */
function sourcedChanges(path: string, read: ChainOptions['readScript'], sourcesOf: SourcesOf, everyPathExecs: boolean, seen: Set<string> = new Set()): string[] | undefined {
  const text = read?.(path);
  if (text === undefined) return [path];
  seen.add(path);
  const found = trapOrExecIn(text) ?? (/(^|[\s;&|(])exec\s/m.test(text) ? 'exec' : /(^|[\s;&|(])trap\s/m.test(text) ? 'trap' : 'none');
  if (found === 'exec' || (found === 'trap' && !everyPathExecs)) return [path];
  for (const inner of sourcesOf(text)) {
    // A file named at run time one level down is not counted: libraries load the operator's configuration that way
    // (`for file in /gitlab-configs /run/secrets/gitlab-secrets; do source "$file"`); counting it cost 7 judged losses (corpus).
    if (operatorHook(inner, read) || inner.path === undefined) continue;
    if (seen.has(inner.path) || QUIET_SOURCES.test(inner.path)) continue;
    const deeper = sourcedChanges(inner.path, read, sourcesOf, everyPathExecs, seen);
    if (deeper) return [path, ...deeper];
  }
  return undefined;
}

/**
 * What a sourced file sources in turn when it is read: its own top level, walked as a script with the image's environment
 * (a library's `source ${LIB_DIR}/env-defaults` resolves); sources inside functions it only defines are not counted.
 */
type SourcesOf = (text: string) => ShellAnalysis['sourced'];

/** A program path that names a script (not found: pid1 cannot see what it runs). */
function looksLikeScript(p: string): boolean {
  return /\.(sh|bash|ash)$/.test(p) || (/(^|[-_.])(entrypoint|start|run|launch|boot)([-_.]|$)/i.test(basename(p)) && p.includes('/'));
}

/** `PROG --version`, `PROG --help`; for a runtime also `-v`, `-V`, `-h` (node -v, python -V): a query, not a service. */
function versionQuery(argv: readonly string[], p: Program): boolean {
  if (argv.length !== 2) return false;
  const flag = argv[1] as string;
  if (['--version', '-version', '--help', '-help'].includes(flag)) return true;
  return ['-v', '-V', '-h'].includes(flag) && p.catalogue !== undefined && catalogueById(p.catalogue).kind === 'runtime';
}

/** A word that names a file as written: not stdin (`-`), not a device or FIFO-like path, no expansion. */
function plainPath(a: string): boolean {
  return a !== '-' && !/^\/(dev|proc|sys)\//.test(a) && !a.includes('$');
}

/** `cat` with file operands only, none of them stdin or a device or FIFO-like path (coreutils and busybox cat). */
function catOfFiles(argv: readonly string[]): boolean {
  const operands = argv.slice(1).filter((a) => !/^-./.test(a));
  return operands.length > 0 && operands.every(plainPath);
}

/**
 * What the files a script sources (`. /scripts/env-data.sh`) do to its variables: the defaults they give
 * (`if [ -z "${X}" ]; then X=v; fi`, `[ -z "$X" ] && X=v`, `X=${X:-v}`, `: ${X:=v}`, literal values only) and every
 * other variable they assign (those stay undecided); and the functions they define that only print or test
 * (quietFunctionsIn: a call to `info "..."` is not the service). Undefined when a sourced file is named at run time or
 * cannot be read.
 */
function sourcedDefaults(
  sourced: readonly { path?: string }[],
  read: (p: string) => string | undefined,
  family: ShellFamily,
): { defaults: Record<string, string>; assigns: Set<string>; paths: Set<string>; quiet: Set<string> } | undefined {
  const paths = new Set<string>();
  for (const f of sourced) {
    if (f.path === undefined) return undefined;
    paths.add(f.path);
  }
  const defaults: Record<string, string> = {};
  const assigns = new Set<string>();
  const quiet = new Set<string>();
  for (const p of paths) {
    const text = read(p);
    if (text === undefined) return undefined;
    for (const f of quietFunctionsIn(text, family)) quiet.add(f);
    const found = new Map<string, string | undefined>();
    const note = (name: string, value: string | undefined): void => {
      // a name given two different values, or one a default form does not explain, is not a default
      found.set(name, found.has(name) && found.get(name) !== value ? undefined : value);
    };
    const lit = (v: string): string | undefined => (/[$`\\]/.test(v) ? undefined : v);
    const blocks = new Set<number>();
    for (const m of text.matchAll(
      /^[ \t]*if[ \t]+\[\[?[ \t]+-z[ \t]+"?\$\{?([A-Za-z_]\w*)\}?"?[ \t]+\]\]?[ \t]*;?[ \t]*(?:then)?[ \t]*\n[ \t]*(?:then[ \t]*\n[ \t]*)?(?:export[ \t]+)?\1=["']?([^"'\n]*?)["']?[ \t]*\n[ \t]*fi\b/gm,
    )) {
      note(m[1] as string, lit(m[2] as string));
      blocks.add((m.index ?? 0) + (m[0] as string).indexOf(`${m[1]}=`, (m[0] as string).indexOf('\n')));
    }
    for (const m of text.matchAll(/\[\[?[ \t]+-z[ \t]+"?\$\{?([A-Za-z_]\w*)\}?"?[ \t]+\]\]?[ \t]*&&[ \t]*(?:export[ \t]+)?\1=["']?([^"'\s;]*)["']?/g)) {
      note(m[1] as string, lit(m[2] as string));
      blocks.add((m.index ?? 0) + (m[0] as string).lastIndexOf(`${m[1]}=`));
    }
    for (const m of text.matchAll(/(?:^|[;&|]\s*)(?:export[ \t]+)?([A-Za-z_]\w*)=["']?\$\{\1:?-([^}$`]*)\}["']?[ \t]*$/gm)) {
      note(m[1] as string, lit(m[2] as string));
      blocks.add((m.index ?? 0) + (m[0] as string).indexOf(`${m[1]}=`));
    }
    for (const m of text.matchAll(/^[ \t]*:[ \t]+["']?\$\{([A-Za-z_]\w*):?=([^}$`]*)\}["']?/gm)) note(m[1] as string, lit(m[2] as string));
    // every other assignment (`X=v`, `export X=v`, `read X`, `local X`): that variable is not a default
    for (const m of text.matchAll(/(?:^|[;&|(]\s*|\b(?:then|do|else|export|local|readonly|declare(?:[ \t]+-\w+)*)[ \t]+)([A-Za-z_]\w*)\+?=/gm)) {
      const at = (m.index ?? 0) + (m[0] as string).lastIndexOf(m[1] as string);
      if (!blocks.has(at)) assigns.add(m[1] as string);
    }
    for (const m of text.matchAll(/\bread[ \t]+(?:-\w+[ \t]+)*([A-Za-z_]\w*)/g)) assigns.add(m[1] as string);
    for (const [name, value] of found) {
      if (value === undefined || assigns.has(name)) assigns.add(name);
      else if (!(name in defaults)) defaults[name] = value;
    }
  }
  for (const name of assigns) delete defaults[name];
  return { defaults, assigns, paths, quiet };
}

/** apachectl's own verbs (it runs `httpd -k VERB`, or reports); anything else goes to httpd as it is. */
const APACHECTL = /^apache2?ctl$/;
const APACHECTL_VERBS = new Set(['start', 'stop', 'restart', 'graceful', 'graceful-stop', 'configtest', 'status', 'fullstatus', 'startssl', 'sslstart', 'start-SSL', '-k', '-t', '-v', '-V', '-h']);

/** coreutils (and busybox) file steps that end once their operands are done: nothing runs long enough to be stopped. */
const FILE_STEPS = new Set(['cp', 'mv', 'ln', 'mkdir', 'rm', 'rmdir', 'chmod', 'chown', 'chgrp', 'touch', 'true', 'false', 'echo', 'printf']);

/** Every operand a literal path or word, none a device, FIFO-like path or stdin (`cp /dev/stdin`, `cp -` would wait). */
function fileOperandsOnly(argv: readonly string[]): boolean {
  return argv.slice(1).every((a) => plainPath(a) && !a.includes('`'));
}

/**
 * R code that may keep running or works for long: a server (shiny, plumber, httpuv), a loop or a sleep, a file it runs
 * (source), input it waits for, packages it installs, a program it starts. Anything else is a query of seconds.
 */
const R_KEEPS =
  /\b(source|sys\.source|run\w*|serve\w*|start\w*|Sys\.sleep|while|repeat|for|readline|readLines|scan|install(\.packages|_\w+)?|update\.packages|download\w*|shiny|plumb\w*|httpuv|callr|system2?|processx|later|daemon\w*|listen|wait\w*|mclapply|parallel)\b/;

/**
 * `R -e EXPR` / `Rscript -e EXPR` (R --no-echo style: no file, only expressions) whose code is a query of seconds
 * (`installed.packages()`, `sessionInfo()`): R evaluates it and exits 0 (R 4.2.2 run as PID 1 in test/catalogue-ns.test.ts).
 */
function rQueryOnly(argv: readonly string[]): boolean {
  const exprs: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-e') {
      const e = argv[++i];
      if (e === undefined) return false;
      exprs.push(e);
    } else if (a === '-f' || a.startsWith('--file=') || !a.startsWith('-')) return false;
  }
  return exprs.length > 0 && exprs.every((e) => !e.includes('$') && !R_KEEPS.test(e));
}

/** nodemon's options that take a value (nodemon --help options). */
const NODEMON_VALUED = new Set(['-w', '--watch', '-e', '--ext', '-i', '--ignore', '-d', '--delay', '--signal', '-s', '--config', '--cwd']);
/** nodemon's flags (no value). */
const NODEMON_FLAGS = new Set(['-C', '-I', '--on-change-only', '-V', '--verbose', '-q', '--quiet', '-L', '--legacy-watch', '--spawn', '--no-colors', '--dump', '--no-update-notifier']);

/**
 * What nodemon runs as its child: `node SCRIPT ARGS` for a .js/.mjs/.cjs script (its default execMap); undefined
 * when it runs something else (`--exec`, a .ts or .py script) or finds its script itself (package.json's main).
 */
function nodemonChild(argv: readonly string[]): string[] | undefined {
  const nodeOptions: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return nodemonScript(argv[i + 1], argv.slice(i + 2), nodeOptions);
    if (a === '-x' || a === '--exec' || a.startsWith('--exec=')) return undefined;
    // node's own options (--inspect, --require) go to node in front of the script
    if (/^--(inspect|require|import|max-old-space-size|experimental)/.test(a)) {
      nodeOptions.push(a);
      continue;
    }
    if (NODEMON_FLAGS.has(a) || a.includes('=')) continue;
    if (NODEMON_VALUED.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) return undefined;
    return nodemonScript(a, argv.slice(i + 1), nodeOptions);
  }
  return undefined;
}

function nodemonScript(script: string | undefined, args: readonly string[], nodeOptions: readonly string[]): string[] | undefined {
  if (script === undefined || !/\.(js|mjs|cjs)$/.test(script) || script.includes('$')) return undefined;
  return ['node', ...nodeOptions, script, ...args];
}

/**
 * The files a sourced glob names (`/etc/entrypoint.d/*.sh`), sorted as the shell expands it, from what the build puts
 * in that directory; undefined when pid1 cannot list it or the build puts nothing matching there (the glob would then
 * name files of the base image, or none).
 */
function globbed(glob: string, listDir: ChainOptions['listDir']): string[] | undefined {
  const dir = path.posix.dirname(glob);
  const re = globToRe(path.posix.basename(glob));
  const names = listDir?.(dir).filter((n) => !n.startsWith('.') && re.test(n));
  return names?.length ? names.sort().map((n) => path.posix.join(dir, n)) : undefined;
}

/** Inits that print their usage and exit when given no program. */
const INIT_USAGE = new Set(['dumb-init', 'tini', 'docker-init', 'catatonit']);

/**
 * The program word of an exec form that holds a whole command line (`["/run.sh && nginx"]`, `["node server.js"]`):
 * the runtime execs no shell, so it looks for a file of that name, spaces included, and the container does not
 * start (runc: `exec: "/run.sh && nginx": stat ...: no such file or directory`; test/exec-form-command-line.test.ts).
 */
export function commandLineWord(argv: readonly string[]): string | undefined {
  const first = argv[0] ?? '';
  return /\S\s+\S/.test(first.trim()) ? first : undefined;
}

/** Walk an exec-form argv through wrappers, inits and shells into a chain of processes. */
export function chainFromArgv(argv: string[], opts: ChainOptions): LaunchChain {
  const chain = buildChain(argv, opts);
  if (chain.opaque?.code !== 'unknown-shell' || opts.sh !== 'unknown') return chain;
  // The image's /bin/sh is unknown. dash stays PID 1 over the last command; bash and busybox ash exec it (measured:
  // test/shell-exec.test.ts). When the stop is lost under each of the three, it is lost whichever the image has.
  const signal = opts.signal ?? 'SIGTERM';
  const lost = (c: LaunchChain): boolean => {
    const p = predictStop(c, signal);
    return p.certain && (p.outcome === 'killed' || p.outcome === 'abrupt');
  };
  const stays: LaunchChain = { processes: chain.processes };
  if (!lost(stays) || !lost(buildChain(argv, { ...opts, sh: 'bash' })) || !lost(buildChain(argv, { ...opts, sh: 'ash' }))) return chain;
  return { ...stays, everyShellLoses: true };
}

function buildChain(argv: string[], opts: ChainOptions): LaunchChain {
  const signal = opts.signal ?? 'SIGTERM';
  const processes: ChainProcess[] = [];
  let current: Program[] = [];
  let currentArgv = argv;
  let rest = argv;
  let opaque: Opaque | undefined;
  let scriptPath: string | undefined;
  // Where the shells before this step left the working directory (a `cd` before the command): relative to the image's.
  let cwd: ShellCwd | undefined;
  // A relative path with a slash as the process opens it there; undefined when pid1 cannot tell where that is.
  const here = (p: string): string | undefined =>
    cwd === undefined || p.startsWith('/') ? p : cwd === false ? undefined : cwd.startsWith('/') ? path.posix.join(cwd, p) : `./${path.posix.join(cwd, p)}`;
  const readHere = (p: string): string | undefined => {
    const at = p.includes('/') ? here(p) : p;
    return at === undefined ? undefined : opts.readScript?.(at);
  };
  const moveTo = (dir: ShellCwd | undefined): void => {
    if (dir !== undefined) cwd = dir === false || dir.startsWith('/') ? dir : cwd === false ? false : path.posix.join(cwd ?? '', dir);
  };
  let hidden = false;
  // `exec "$@"` with the parameters unknown drops them: a script run after that has unknown parameters, not none.
  let argsDropped = false;
  // The shell that runs what comes next (`bash -c ./run.sh`): it interprets a script without a shebang.
  let callerShell: ShellFamily | undefined;
  // pip installs before the service, in the image or earlier on the same command line.
  const installs: PipInstall[] = [...(opts.pipInstalls ?? [])];
  // The /bin/sh of the next step, when it is not the image's: `su USER -c CMD` runs USER's login shell.
  let stepSh: ShellFamily | undefined;
  for (let guard = 0; guard < 32 && rest.length > 0; guard++) {
    const sh = stepSh ?? opts.sh;
    stepSh = undefined;
    // A script run by path: the kernel runs its shebang's interpreter with the script as argument.
    const head = rest[0] ?? '';
    // Without a build context (an image pid1 cannot see) a script path is just as hidden.
    const asWritten = hidden ? undefined : identify(rest, sh, opts.env);
    const written = rest;
    if (asWritten?.role === 'service') {
      const text = readHere(head);
      const interp = text !== undefined ? (shebangOf(text) ?? (callerShell ? noShebangInterpreter(callerShell) : undefined)) : undefined;
      // the program the runtime itself execs (PID 1's first program)
      const runtimeExecs = currentArgv === argv && processes.length === 0 && current.length === 0;
      // The runtime execs PID 1 with execve(2), which fails with ENOEXEC for a text file without `#!`; runc does not fall back
      // to a shell ("exec format error"), so the container does not start and no stop can be lost (fresh49, measured with execv).
      if (text !== undefined && !interp && runtimeExecs && !text.startsWith('\x7fELF')) return { processes: [], noShebang: head };
      if (interp) {
        rest = [...interp, head, ...rest.slice(1)];
        if (runtimeExecs) currentArgv = rest;
      } else if (text === undefined && looksLikeScript(head) && asWritten.catalogue === undefined) {
        // (a name the catalogue knows, such as runsvdir-start, is that program, not an unknown script)
        // The first thing pid1 cannot see decides what it can say (an unknown /bin/sh in front of it, say).
        if (!opaque)
          opaque = {
            code: 'script-unseen',
            message: `script ${head} is not visible to pid1 (${opts.readScript ? 'not found in the build context' : 'it is in the image, which pid1 cannot see'})`,
            at: processes.length,
          };
        hidden = true;
      }
    }
    callerShell = undefined;
    // identified once per step: again only when a shebang put its interpreter in front
    const prog = asWritten !== undefined && rest === written ? asWritten : identify(rest, sh, opts.env);
    current.push(prog);
    if (prog.role === 'exec-wrapper' && prog.next !== undefined) {
      rest = rest.slice(prog.next);
      continue;
    }
    if (prog.role === 'shell') {
      const family = prog.shell ?? 'unknown';
      let source = prog.command;
      let scriptArgs: string[] = [];
      const mode = source === undefined && prog.script !== undefined ? 'script' : 'command';
      scriptPath = mode === 'script' ? prog.script : undefined;
      if (source === undefined && prog.script !== undefined) {
        // `sh run.sh`: a script operand without a slash is opened in the working directory (dash, ash; bash, then PATH)
        source = (prog.script.includes('/') ? undefined : readHere(`./${prog.script}`)) ?? readHere(prog.script);
        scriptArgs = rest.slice((prog.next ?? rest.length) + 1);
        if (source === undefined) {
          opaque = { code: 'script-unseen', message: `script ${prog.script} is not visible to pid1`, at: processes.length };
          break;
        }
      } else if (source !== undefined) {
        // sh -c STRING NAME ARGS...: "$@" is ARGS
        const ci = rest.indexOf(source);
        scriptArgs = ci >= 0 ? rest.slice(ci + 2) : [];
      }
      if (source === undefined) break;
      // -e on the command line or in the shebang
      const shellOpts = rest.slice(1, prog.next ?? rest.length).filter((a) => /^-[a-zA-Z]+$/.test(a));
      // `sh -c STRING NAME ARGS`: "$@" is ARGS (Docker appends CMD there, the first word becoming $0); a script
      // run by path gets the rest of argv, which holds CMD behind an entrypoint: nothing after it, no parameters
      // (`ENTRYPOINT ["/entrypoint.sh"]` alone: Docker resets the base image's CMD), unless argv was cut short.
      const args = mode === 'command' || scriptArgs.length ? scriptArgs : opts.argsUnknown ? opts.args : argsDropped ? undefined : [];
      const known = opts.argsUnknown && !scriptArgs.length ? undefined : args;
      // the defaults the files it sources give (`[ -z "$X" ] && X=v`), when the image's environment is the whole of it
      const analyzeOpts: AnalyzeOptions = {
        mode,
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.envComplete ? { envDecides: true } : {}),
        errexit: shellOpts.some((o) => o.includes('e')),
        ...(known ? { args: known } : {}),
        ...(opts.stdin === 'closed' ? { stdinClosed: true } : {}),
        ...(opts.bashLevel && family === 'bash' ? { bashLevel: opts.bashLevel } : {}),
        // $0 is the path the script was started by (bash and dash set it from the operand or the kernel's shebang argument)
        ...(scriptPath?.includes('/') ? { self: scriptPath } : {}),
      };
      let analysis = analyzeShell(source, family, analyzeOpts);
      // the defaults the files it sources give (`[ -z "$X" ] && X=v`), when the image's environment is the whole of it:
      // with them the script's tests are decided, so it is analysed again
      const sourced = opts.envComplete && opts.readScript && analysis.sourced.length ? sourcedDefaults(analysis.sourced, opts.readScript, family) : undefined;
      if (sourced)
        analysis = analyzeShell(source, family, {
          ...analyzeOpts,
          env: { ...sourced.defaults, ...(opts.env ?? {}) },
          sourcedRead: { paths: sourced.paths, assigns: sourced.assigns, quiet: sourced.quiet },
        });
      // Text the shell grammar cannot parse: what pid1 makes of the script around it is not certain.
      const unparsed = analysis.errors[0];
      if (unparsed && !opaque)
        opaque = {
          code: 'script-unseen',
          message: `pid1 cannot parse ${scriptPath ?? 'the command string'} at line ${unparsed.line} (${unparsed.message}): what the shell runs is not certain`,
          at: processes.length,
        };
      // A sourced file pid1 cannot read runs inside this shell: a trap or an exec there would change the stop.
      const everyPathExecs = analysis.ends.length > 0 && analysis.ends.every((e) => e.kind === 'exec' && e.command.explicitExec);
      const sourceEnv = sourced ? { ...sourced.defaults, ...(opts.env ?? {}) } : opts.env;
      const sourcesOf: SourcesOf = (text) => analyzeShell(text, family, { mode: 'script', ...(sourceEnv ? { env: sourceEnv } : {}) }).sourced;
      let through: string[] | undefined;
      const hiddenSource = analysis.sourced.find((f) => {
        if (operatorHook(f, opts.readScript)) return false;
        // the file as written, or every file a glob names as the build puts them there
        const files = f.glob !== undefined ? globbed(f.glob, opts.listDir) : f.path !== undefined ? [f.path] : undefined;
        if (!files) return true;
        for (const p of files) {
          if (QUIET_SOURCES.test(p)) continue;
          through = sourcedChanges(p, opts.readScript, sourcesOf, everyPathExecs);
          if (through !== undefined) return true;
        }
        return false;
      });
      if (hiddenSource && !opaque) {
        // the file at the end of the chain: read (a trap or an exec in it), or not visible
        const last = through?.[through.length - 1];
        const seen = last !== undefined && opts.readScript?.(last) !== undefined;
        const via = (through ?? [])
          .slice(1)
          .map((p) => `, which sources ${p}`)
          .join('');
        opaque = {
          code: 'script-unseen',
          message: seen
            ? `line ${hiddenSource.line} sources ${hiddenSource.path}${via}, which sets a trap or runs exec: pid1 does not follow the stop into it`
            : `line ${hiddenSource.line} sources ${hiddenSource.path ?? hiddenSource.glob ?? 'a file named at run time'}${via}, which pid1 cannot see: a trap or an exec in it would change the stop`,
          at: processes.length,
        };
      }
      if (!analysis.end) {
        // Every path ends by itself before anything runs for long: the container exits; no stop to lose ...
        if (!hiddenSource && !unparsed) return { processes: [] };
        // ... unless a sourced file runs the service (`source /docker-entrypoint.sh` last: an exec there), or text
        // pid1 cannot parse hides what runs.
        current.push({ name: hiddenSource ? `what ${hiddenSource.path ?? 'the sourced file'} runs` : 'what the unparsed text runs', role: 'service' });
        hidden = true;
        break;
      }
      // Some paths exec the service, others keep the shell in front of it: which one runs decides.
      const split = pathSplit(analysis, args, Object.assign({}, opts, { signal }), processes.length);
      if (split && !opaque) opaque = split.opaque;
      // The chain follows the path that loses the signal, when paths differ.
      const end = split?.worst ?? analysis.end;
      const fin = end.command;
      installs.push(...pipInstallsIn(source, fin.start));
      // (`"$@"` is what the positional parameters are where it runs: `set -- registry serve "$@"` before, or a function's own)
      const here = positionalAt(end, analysis, args);
      const next = argvOfEnd(fin, here);
      if (!here && fin.words.some((w) => isAllArgs(w.text))) argsDropped = true;
      const shown = source.slice(fin.start, fin.end);
      if (end.kind === 'wait') {
        // `svc & pid=$!; wait`: the service is the background job, a child of this shell.
        processes.push(makeProcess(current, currentArgv, signal, analysis, scriptPath));
        current = [];
        if (!next) {
          opaque = { code: 'runtime-command', message: `the background command \`${shown}\` is built at run time`, at: processes.length };
          break;
        }
        moveTo(fin.cwd);
        rest = next;
        currentArgv = next;
        callerShell = family;
        continue;
      }
      if (end.kind === 'loop') {
        // The shell itself keeps running: it is the last process of the chain.
        processes.push(makeProcess(current, currentArgv, signal, analysis, scriptPath));
        current = [];
        break;
      }
      if (end.kind === 'exec') {
        if (!next || next.length === 0) {
          // `exec $CMD`: the shell becomes a program pid1 cannot name
          opaque = { code: 'runtime-command', message: `the final command \`${shown}\` is built at run time`, at: processes.length };
          current.push({ name: fin.words[0]?.text ?? 'the command', role: 'service' });
          hidden = true;
          break;
        }
        // the shell replaces itself: same process, next program
        moveTo(fin.cwd);
        rest = next;
        callerShell = family;
        continue;
      }
      // foreground: the shell stays, the service is its child. Only an unknown /bin/sh leaves it open.
      if (family === 'unknown' && mode === 'command' && (end.execBy.bash || end.execBy.ash) && !opaque) {
        const who = current.length === 0 && processes.at(-1)?.name === 'su' ? "su's target user's login shell is unknown" : "the image's /bin/sh is unknown";
        opaque = { code: 'unknown-shell', message: `${who}: whether it execs the last command decides the outcome`, at: processes.length };
      }
      processes.push(makeProcess(current, currentArgv, signal, analysis, scriptPath));
      current = [];
      if (!next || next.length === 0) {
        // A program chosen at run time, behind a shell that stays PID 1 whatever it is.
        current.push({ name: fin.words[0]?.text ?? 'the command', role: 'service' });
        hidden = true;
        break;
      }
      moveTo(fin.cwd);
      rest = next;
      currentArgv = next;
      callerShell = family;
      continue;
    }
    // An init given no program (`ENTRYPOINT ["dumb-init", "--"]` and no CMD) prints its usage and exits 1 at once
    // (measured: dumb-init 1.2.5, tini 0.19, catatonit 0.1.7)
    if (prog.role === 'init' && prog.next !== undefined && rest.length <= prog.next && INIT_USAGE.has(prog.name) && !hidden && processes.length === 0) return { processes: [] };
    // An init whose options end it at once (`tini --- bash`: an option tini does not know) starts nothing
    if (prog.exitsAtOnce && !hidden && processes.length === 0) return { processes: [] };
    if ((prog.role === 'init' || prog.role === 'fork-wrapper') && prog.next !== undefined) {
      processes.push(makeProcess(current, currentArgv, signal));
      current = [];
      rest = rest.slice(prog.next);
      currentArgv = rest;
      continue;
    }
    if ((prog.role === 'fork-wrapper' || prog.role === 'exec-wrapper') && prog.command !== undefined) {
      // a fork-wrapper stays as a process of its own; an exec-wrapper (busybox su) becomes the shell
      if (prog.role === 'fork-wrapper') {
        processes.push(makeProcess(current, currentArgv, signal));
        current = [];
      }
      rest = ['sh', '-c', prog.command];
      if (prog.role === 'fork-wrapper') currentArgv = rest;
      // su(1) runs the command with `-s SHELL`, else the target user's login shell (its /etc/passwd entry), not
      // /bin/sh: a package's system user has bash (postgres) or nologin, which pid1 cannot see
      if (prog.name === 'su') stepSh = prog.loginShell === undefined ? 'unknown' : basename(prog.loginShell) === 'sh' ? sh : (identify([prog.loginShell], sh).shell ?? 'unknown');
      continue;
    }
    if (prog.role === 'package-manager') {
      // npm, yarn and pnpm run a package.json script with `sh -c` as their child and forward signals to it
      // (@npmcli/run-script: script-shell defaults to /bin/sh).
      processes.push(makeProcess(current, currentArgv, signal));
      current = [];
      const name = prog.command ?? 'start';
      // npm with no package.json in its directory exits 254 at once ("enoent Could not read package.json", measured:
      // npm 11): the image has no application to stop (not where a script chose it: the script may go on)
      if (prog.name === 'npm' && !hidden && !scriptPath && cwd === undefined && opts.absent?.('package.json')) return { processes: [] };
      const script = packageScript(readHere, name);
      if (script !== undefined) {
        rest = ['sh', '-c', script];
        currentArgv = rest;
        continue;
      }
      if (opts.sh === 'dash') {
        // Whatever the script is, dash forks it: the shell stands between the package manager and the service.
        current.push(identify(['sh', '-c', ''], opts.sh));
        processes.push(makeProcess(current, ['sh', '-c', `<the "${name}" script>`], signal));
        current = [];
        break;
      }
      // ash and bash exec a script that is one command: then the package manager's child is the service.
      opaque = { code: 'package-script', message: `${prog.name} runs the "${name}" script from package.json through sh -c`, at: processes.length };
      current.push({ name: `the "${name}" script`, role: 'service' });
      hidden = true;
      break;
    }
    // apachectl (apache2ctl) passes any argument that is not one of its verbs to httpd from a /bin/sh script, without
    // exec (httpd support/apachectl.in, Debian's apache2ctl: `$HTTPD ... "$@"` then `ERROR=$?`): it stays httpd's parent
    if (prog.role === 'service' && APACHECTL.test(prog.name) && !APACHECTL_VERBS.has(rest[1] ?? '')) {
      current[current.length - 1] = { name: prog.name, role: 'shell', shell: sh, note: `${prog.name} is a /bin/sh script that runs httpd as its child (no exec)` };
      processes.push(makeProcess(current, currentArgv, signal));
      current = [];
      rest = [prog.name === 'apache2ctl' ? 'apache2' : 'httpd', ...rest.slice(1)];
      currentArgv = rest;
      continue;
    }
    // nodemon forks its script (`node server.js`) and on SIGTERM passes SIGTERM, then SIGINT to it and waits up to 10 s
    // for it (nodemon 3.1 lib/monitor/run.js, run in test/nodemon-ns.test.ts): the script's own handling decides. (A
    // script that handles SIGTERM only is then ended by the SIGINT mid-shutdown, which the chain does not show.)
    const watched = prog.role === 'service' && prog.name === 'nodemon' ? nodemonChild(rest) : undefined;
    if (watched) {
      current[current.length - 1] = { name: 'nodemon', role: 'fork-wrapper', forwards: 'child', note: 'nodemon runs the script as its child and passes SIGTERM on to it' };
      processes.push(makeProcess(current, currentArgv, signal));
      current = [];
      rest = watched;
      currentArgv = rest;
      continue;
    }
    break;
  }
  if (current.length) {
    let last = current[current.length - 1] as Program;
    // A shell or REPL reading from a closed stdin gets end of input and exits at once: no stop to lose.
    if (last.interactive && opts.stdin === 'closed') return { processes: [] };
    // A service pid1 does not know by its name may be known by what built it (a Go binary and its `go build`).
    const unnamed = last.role === 'service' && last.catalogue === undefined && last.graceful === undefined;
    let source = (last.programDecides || unnamed) && !hidden ? opts.programSource?.(rest, last, cwd) : undefined;
    if (unnamed) {
      const known = source?.runtime !== undefined ? programOfEntry(last.name, source.runtime) : undefined;
      if (known) current[current.length - 1] = last = known;
      else {
        // A console script that a `pip install` put there: CPython running the distribution's code.
        const script = consoleScriptVerdict(last.name, installs, signal);
        const python = script ? programOfEntry(last.name, 'python') : undefined;
        if (script && python) {
          current[current.length - 1] = last = python;
          source = { verdict: script.verdict, reason: script.reason, runtime: 'python' };
        } else source = undefined;
      }
    }
    // The program ends by itself as soon as it starts, and the container with it: no stop to lose.
    if (source?.verdict === 'finishes') return { processes: [] };
    // A daemon that forks into the background: PID 1 exits at start (the container ends; no stop to lose).
    if (!hidden && opts.detaches?.(rest, last)) return { processes: [] };
    // A one-shot `sleep N` no longer than the grace period: the container exits before the SIGKILL (no stop to lose;
    // the stop comes after the sleep started, so a sleep as long as the grace still ends first).
    if (last.catalogue === 'sleep' && opts.graceSeconds !== undefined && (boundedSeconds(rest.slice(1)) ?? Infinity) <= opts.graceSeconds) return { processes: [] };
    // A version or help query prints and exits at once (`node --version`, `python -V`, `java -version`): no stop to lose.
    if (!hidden && last.role === 'service' && versionQuery(rest, last)) return { processes: [] };
    // `cat FILE...` prints its files and exits (with no operand, `-` or a device it reads on).
    if (!hidden && last.catalogue === 'cat' && catOfFiles(rest)) return { processes: [] };
    // A file utility on literal paths (`cp /pki/ca.pem /out/`, `mkdir -p /data`) does its one step and exits; bare
    // `Rscript` prints its usage and exits (R's Rscript.c: no file and no -e)
    // (not where a script file chose it: what its analysis takes as the service's place may not be all the script runs)
    if (!hidden && ((FILE_STEPS.has(last.name) && fileOperandsOnly(rest) && !scriptPath) || (last.name === 'Rscript' && rest.length === 1))) return { processes: [] };
    // R code given with -e that only queries (`R -e "installed.packages()"`) runs for seconds and exits
    if (!hidden && last.catalogue === 'r' && rQueryOnly(rest)) return { processes: [] };
    const p: ChainProcess = makeProcess(current, currentArgv, signal, undefined, undefined, source);
    p.finalArgv = rest;
    const clone = !hidden && last.catalogue !== undefined ? opts.builtFromSource?.(last) : undefined;
    if (clone !== undefined) {
      p.handles = 'unknown';
      p.gracefulOnSignal = 'unknown';
      p.note = `${last.name} is built in the image from ${clone}: what that build does with the signal may not be what the released program does`;
    }
    // A supervisor PID 1: what decides the stop is the signal it sends each of its services, and what they do with it.
    const kind = hidden ? undefined : supervisorKind(last, rest);
    const services = kind ? opts.supervised?.(kind, rest) : undefined;
    if (services?.length) {
      const stops = services.map((s) => superviseOne(s, opts, kind as SupervisorKind)).filter((x): x is SupervisedStop => x !== undefined);
      if (stops.length) {
        p.supervised = stops;
        const v = supervisedVerdict(stops);
        p.gracefulOnSignal = v.outcome === 'graceful' ? 'yes' : v.certain ? 'no' : 'unknown';
      }
    }
    // a script pid1 cannot read: whether it handles or passes on the signal is unknown
    if (hidden && p.role === 'service') {
      p.handles = 'unknown';
      p.gracefulOnSignal = 'unknown';
    }
    processes.push(p);
  }
  return { processes, ...(opaque ? { opaque } : {}) };
}

/** The supervisor a program is, by what identify() made of it: s6-overlay's /init, s6-svscan, supervisord. */
function supervisorKind(p: Program, argv: readonly string[]): SupervisorKind | undefined {
  if (p.name === 's6') return basename(argv[0] ?? '') === 's6-svscan' ? 's6-svscan' : 's6-overlay';
  return p.catalogue === 'supervisord' ? 'supervisord' : undefined;
}

/** One service's chain and stop, with the signal its supervisor sends it; undefined when it ends by itself at once. */
function superviseOne(service: SupervisedService, opts: ChainOptions, kind: SupervisorKind): SupervisedStop | undefined {
  if (!service.argv) return { service };
  // The supervisor execs the run script or command with no arguments of the container's; a supervisor below it is not followed.
  const { supervised: _ignored, args: _cmd, argsUnknown: _unknown, ...rest } = opts;
  const chain = chainFromArgv(service.argv, { ...rest, signal: service.signal, args: [] });
  if (!chain.processes.length) return undefined;
  const last = chain.processes[chain.processes.length - 1] as ChainProcess;
  if (service.group && chain.processes.length > 1 && !chain.opaque && !last.nothingToDrain) {
    // The whole group gets it (stopasgroup), but the run script's shell dies of it at once: supervisord counts the
    // program stopped when its process exits and ends once all are (within about a second), and the service is killed
    // with the container if its stop takes longer (measured: test/supervisors-ns.test.ts). How long it takes, pid1 cannot tell.
    const p = predictSupervisedService(chain, service.signal);
    const sig = signalName(parseSignal(service.signal));
    const shell = chain.processes[0] as ChainProcess;
    return {
      service,
      prediction: {
        ...p,
        outcome: 'unknown',
        certain: false,
        path: [
          `${sig} -> the process group of ${label(shell)} (${service.group}): ${last.name} gets it too, but ${shell.name} dies of it at once and the supervisor takes the program as stopped: ${last.name}'s stop is cut if it outlasts the supervisor`,
        ],
      },
    };
  }
  return { service, prediction: predictSupervisedService(chain, service.signal, kind === 's6-overlay' ? s6KillGrace(opts.env) : undefined) };
}

/**
 * s6-overlay's last stage sends every process still running SIGTERM (v1's s6-nuke -th: SIGHUP too) and SIGKILL
 * S6_KILL_GRACETIME ms later, default 3000 (s6-overlay README, "Customizing s6-overlay behaviour"): seconds.
 */
function s6KillGrace(env: Readonly<Record<string, string>> | undefined): number {
  const ms = Number(env?.S6_KILL_GRACETIME ?? '3000');
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : 3;
}

/**
 * The stop of a service its supervisor signals. The service is not a namespace init, so a signal it has no
 * handler for takes its default action (kernel/signal.c sig_task_ignored spares only the namespace's init).
 */
function predictSupervisedService(chain: LaunchChain, signalIn: string, lastTermWithin?: number): StopPrediction {
  const signal = signalName(parseSignal(signalIn));
  const procs = chain.processes;
  const first = procs[0] as ChainProcess;
  const service = procs[procs.length - 1] as ChainProcess;
  // A handler that re-raises with the default action ends the program below PID 1 (Node, PHP without a listener).
  const byDefault = first.handles === 'no' || (procs.length === 1 && first.reaction === 'reraised');
  if (!byDefault || first.ignores) {
    // The same as PID 1 from here on: the service handles the signal (or ignores it).
    const p = predictStop(chain, signal);
    return { ...p, path: p.path.map((l, i) => (i === 0 ? l.replace(`${signal} -> PID 1 `, `${signal} -> `) : l)) };
  }
  const base = { signal, unreached: [], pid1: first, service, certain: chain.opaque === undefined };
  if (procs.length === 1 && first.role === 'shell') {
    // A shell loop ended by the signal's default action: whether that cuts work short depends on what the loop does.
    return { ...base, outcome: 'unknown', certain: false, path: [`${signal} -> ${label(first)}: no trap, the default action ends the loop; what it was doing decides whether anything is lost`] };
  }
  if (procs.length === 1) {
    if (first.nothingToDrain) return { ...base, outcome: 'graceful', path: [`${signal} -> ${label(first)}: no handler, the default action ends it (it has nothing to shut down)`] };
    return { ...base, outcome: 'abrupt', path: [`${signal} -> ${label(first)}: no handler, the default action ends it at once`], fix: `handle ${signal} in ${first.name}` };
  }
  // A run script that did not exec its service: the shell dies of the signal, and the service never gets it (so what
  // pid1 cannot see of the service itself changes nothing: only a script it cannot read at the shell's own place would) ...
  // ... unless the supervisor's last stage sends SIGTERM to every process left (s6-overlay): then the orphaned service
  // gets it there, with the stage's few seconds before SIGKILL
  if (lastTermWithin !== undefined) {
    const rest = predictSupervisedService({ processes: procs.slice(1), ...(chain.opaque ? { opaque: Object.assign({}, chain.opaque, { at: chain.opaque.at - 1 }) } : {}) }, 'SIGTERM');
    return {
      ...rest,
      pid1: first,
      certain: rest.certain && (chain.opaque === undefined || chain.opaque.at >= 1),
      path: [
        `${signal} -> ${label(first)}: no handler, the default action ends it; ${label(service)}, its child, gets SIGTERM from s6-overlay's last stage, which sends SIGKILL ${lastTermWithin} s later (S6_KILL_GRACETIME)`,
        ...rest.path,
      ],
      ...(rest.outcome === 'graceful' ? {} : { fix: `\`exec\` ${service.name} from the run script, so that it receives ${signal} itself` }),
    };
  }
  return {
    ...base,
    certain: chain.opaque === undefined || chain.opaque.at >= 1,
    outcome: 'abrupt',
    path: [`${signal} -> ${label(first)}: no handler, the default action ends it; ${label(service)}, its child, never gets ${signal} and is killed when the container ends`],
    unreached: procs.slice(1).filter((p) => p.handles === 'yes'),
    fix: `\`exec\` ${service.name} from the run script, so that it receives ${signal} itself`,
  };
}

/** The stop over every service: the worst outcome; certain when a service surely loses it, or when every one is seen and stops gracefully. */
function supervisedVerdict(stops: readonly SupervisedStop[]): { outcome: Outcome; certain: boolean; worst?: SupervisedStop } {
  const lost = (s: SupervisedStop): boolean => s.prediction !== undefined && s.prediction.outcome !== 'graceful' && s.prediction.outcome !== 'unknown';
  const rank = (s: SupervisedStop): number => (s.prediction ? RANK[s.prediction.outcome] : RANK.unknown);
  const sorted = [...stops].sort((a, b) => Number(b.prediction?.certain === true && lost(b)) - Number(a.prediction?.certain === true && lost(a)) || rank(b) - rank(a));
  const worst = sorted[0];
  if (!worst) return { outcome: 'graceful', certain: true };
  if (!worst.prediction) return { outcome: 'unknown', certain: false, worst };
  if (worst.prediction.outcome === 'graceful') return { outcome: 'graceful', certain: stops.every((s) => s.prediction?.certain), worst };
  return { outcome: worst.prediction.outcome, certain: worst.prediction.certain, worst };
}

/** A package.json script, read from the build context (the image's working directory); npm's default `start` is `node server.js`. */
function packageScript(readScript: ChainOptions['readScript'], name: string): string | undefined {
  const text = readScript?.('./package.json');
  if (text === undefined || /^\$|\$\{?\w/.test(name)) return undefined;
  try {
    const pkg = JSON.parse(text) as { scripts?: Record<string, unknown> };
    const script = pkg.scripts?.[name];
    if (typeof script === 'string') return script;
    // npm run-script: "start" defaults to `node server.js` when package.json has none (docs: npm-start).
    if (name === 'start' && readScript?.('./server.js') !== undefined) return 'node server.js';
  } catch {
    return undefined;
  }
  return undefined;
}

/** The argv an end runs: `"$@"` stands for the script's arguments; undefined when the program is chosen at run time. */
function argvOfEnd(c: FinalCommand, args: readonly string[] | undefined): string[] | undefined {
  const out: string[] = [];
  for (const [i, w] of c.words.entries()) {
    // `"${@:-bash}"`: the arguments, or the default word when there are none (POSIX 2.6.2 ${parameter:-word})
    const withDefault = /^("?)\$\{[@*]:-([^}]*)\}\1$/.exec(w.text);
    if (withDefault) {
      if (!args) return i === 0 ? undefined : out;
      const fallback = withDefault[1] ? [withDefault[2] as string] : (withDefault[2] as string).split(/[ \t\n]+/).filter(Boolean);
      out.push(...(args.length ? args : fallback));
      continue;
    }
    if (isAllArgs(w.text)) {
      if (!args) return i === 0 ? undefined : out;
      out.push(...args);
    } else if (i === 0 && w.literal === undefined) return undefined;
    // a double-quoted word with an expansion is one argument: its text inside the quotes (`su -c "postgres -D $D"`)
    else out.push(w.literal ?? (/^"[^"]*"$/.test(w.text) ? w.text.slice(1, -1) : w.text));
  }
  return out;
}

/**
 * The script starts nothing that runs on beside what the chain shows: no daemon's `start` (`appd start`, `service x
 * start`, /etc/init.d/), no nohup/setsid/--daemon, and one background job at most (its keep-alive).
 */
function startsNoDaemon(source: string): boolean {
  const daemon = /(^|[\s;&|(])(start|restart|startup|--daemon\w*|-daemon|nohup|setsid|daemonize|rc-service|start-stop-daemon)(?=$|[\s;&|)])|\bservice\s+\S+\s+(start|restart)\b|\/etc\/init\.d\//m;
  const jobs = source.split('\n').filter((l) => /(^|[^&])&\s*(#.*)?$/.test(l.replace(/^\s*#.*$/, ''))).length;
  return !daemon.test(source) && jobs <= 1;
}

/**
 * What `"$@"` is at an exec end: the positional parameters where it runs. When a test pid1 cannot decide rewrote them on
 * one path only (docker-node's `if [ -z "$(command -v "$1")" ] ...; then set -- node "$@"; fi; exec "$@"`), the path that
 * keeps the launch's own parameters stands for them: such rewrites adapt what is not a program (an option, a script
 * file), and the image's own command is the program its authors run.
 */
function positionalAt(e: ShellEnd, a: ShellAnalysis, args: readonly string[] | undefined): readonly string[] | undefined {
  if (!e.positional) return args;
  const same = (x: readonly string[] | undefined): boolean => x !== undefined && args !== undefined && x.length === args.length && x.every((w, i) => w === args[i]);
  if (same(e.positional.args)) return args;
  const alike = a.ends.filter((x) => x.kind === 'exec' && x.command.start === e.command.start && x.positional);
  return alike.length > 1 && alike.some((x) => same(x.positional?.args)) ? args : e.positional.args;
}

const RANK: Record<Outcome, number> = { killed: 4, abrupt: 3, nostart: 2, unknown: 1, graceful: 0 };

/**
 * When the script's paths end differently (one execs the service, another keeps the shell in front of it,
 * or they exec different programs), the outcome depends on which path runs: say which, as an opaque part.
 */
function pathSplit(a: ShellAnalysis, args: readonly string[] | undefined, opts: ChainOptions & { signal: string }, at: number): { opaque: Opaque; worst?: ShellEnd } | undefined {
  const ends = steadyEnds(a.ends);
  if (ends.length < 2) return undefined;
  const where = (e: ShellEnd): string => `line ${e.command.line}${e.via.length ? ` (${e.via[e.via.length - 1]})` : ''}`;
  const stays = ends.filter((e) => e.kind !== 'exec');
  const execs = ends.filter((e) => e.kind === 'exec');
  const text = (e: ShellEnd): string => a.source.slice(e.command.start, e.command.end).split('\n')[0]?.slice(0, 60) ?? '';
  if (stays.length && execs.length) {
    // `cd /d && wget URL && unzip f && rm f`: the service (wget) runs with the shell in front of it on every path; the
    // paths differ only after it (ash and bash exec the last `rm`), which cannot bring the service its signal
    const service = a.end;
    if (service && service.kind !== 'exec' && execs.every((x) => service.after.some((c) => c.start === x.command.start))) return undefined;
    const s = stays[0] as ShellEnd;
    const x = execs[0] as ShellEnd;
    return {
      opaque: {
        code: 'path-dependent',
        message: `which path the script takes decides: at ${where(s)} \`${text(s)}\` keeps the shell in front of the service; at ${where(x)} \`${text(x)}\` replaces it`,
        at,
      },
    };
  }
  if (execs.length < 2) return undefined;
  // Every path execs: do the programs they exec stop alike?
  const outcomes = new Map<string, { end: ShellEnd; outcome: Outcome }>();
  for (const e of execs.slice(0, 4)) {
    const here = positionalAt(e, a, args);
    const next = argvOfEnd(e.command, here);
    if (!next?.length) continue;
    const key = next.join('\0');
    if (outcomes.has(key)) continue;
    // parameters pid1 does not know, dropped from the argv: a script it runs has unknown ones, not none
    const chain = chainFromArgv(next, !here && e.command.words.some((w) => isAllArgs(w.text)) ? { ...opts, argsUnknown: true } : opts);
    if (!chain.processes.length) continue;
    outcomes.set(key, { end: e, outcome: predictStop(chain, opts.signal).outcome });
  }
  const seen = [...outcomes.values()].sort((p, q) => RANK[q.outcome] - RANK[p.outcome]);
  const worst = seen[0];
  const best = seen[seen.length - 1];
  if (!worst || !best || worst.outcome === best.outcome) return undefined;
  return {
    opaque: {
      code: 'path-dependent',
      message: `which path the script takes decides: ${where(worst.end)} execs \`${text(worst.end)}\` (${worst.outcome}); ${where(best.end)} execs \`${text(best.end)}\` (${best.outcome})`,
      at,
    },
    worst: worst.end,
  };
}

function label(p: ChainProcess): string {
  return p.pid !== undefined ? `${p.name} (PID ${p.pid})` : p.name;
}

/**
 * Predict what the stop does: the signal goes to PID 1 (processes[0]); the kernel drops it there if
 * the action is default; forwarders pass it on; a process whose parent init exits is SIGKILLed by the
 * kernel (zap_pid_ns_processes), cutting its shutdown short.
 */
/** The signals su catches and answers with TERM, then KILL (util-linux su-common.c: TERM; INT and QUIT outside --session-command). */
const STOPS_SU = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT']);

export function predictStop(chain: LaunchChain, signalIn = 'SIGTERM'): StopPrediction {
  const signal = signalName(parseSignal(signalIn));
  const procs = chain.processes;
  const pid1 = procs[0];
  if (!pid1) throw new Error('empty launch chain');
  const service = procs[procs.length - 1] as ChainProcess;
  const path: string[] = [];
  const unreached: ChainProcess[] = [];
  // The outcome is certain unless it depends on a process pid1 cannot see: `reached` is the deepest
  // process the stop's path went through.
  let certain = true;
  let reached = 0;
  const sig = parseSignal(signal);
  const finish = (outcome: Outcome, fix?: string): StopPrediction => {
    for (const p of procs.slice(1)) if (p.handles === 'yes' && outcome !== 'graceful' && !path.some((l) => l.includes(`-> ${label(p)}`))) unreached.push(p);
    const sure = certain && !(chain.opaque && chain.opaque.at <= reached);
    return { outcome, certain: sure, signal, path, unreached, pid1, service, ...(fix ? { fix } : {}) };
  };

  // SIGKILL and SIGSTOP cannot be caught: no process gets to shut down (signal(7)).
  if (sig === parseSignal('KILL') || sig === parseSignal('STOP')) reached = -1;
  if (sig === parseSignal('KILL')) {
    path.push(`${signal} -> PID 1 ${label(pid1)}: cannot be caught; the kernel kills every process in the namespace at once`);
    return finish('abrupt', 'use a stop signal the service handles (SIGTERM, or its graceful signal)');
  }
  if (sig === parseSignal('STOP')) {
    path.push(`${signal} -> PID 1 ${label(pid1)}: stops (freezes) it; grace period expires -> SIGKILL`);
    return finish('killed', 'use a stop signal the service handles (SIGTERM, or its graceful signal)');
  }
  // What PID 1 does with it.
  const fateAt1 = pid1.masks
    ? signalFate(sig, pid1.masks, { namespaceInit: true, fromAncestor: true })
    : ({ fate: pid1.handles === 'yes' ? 'handled' : pid1.ignores ? 'ignored' : pid1.handles === 'no' ? 'dropped' : 'unknown', why: '' } as const);
  if (fateAt1.fate === 'dropped' || fateAt1.fate === 'ignored') {
    path.push(`${signal} -> PID 1 ${label(pid1)}: ${fateAt1.fate === 'ignored' ? 'ignored (SIG_IGN)' : 'no handler, and the kernel drops default-action signals sent to a namespace init'}`);
    path.push(`grace period expires -> SIGKILL from the runtime: every process dies at once`);
    const fix =
      pid1.role === 'shell'
        ? `make the service PID 1: \`exec\` it from the shell, or use the exec (JSON) form`
        : pid1.role === 'service'
          ? `handle ${signal} in the service, or run it under an init that forwards it (tini, dumb-init, pid1 init)`
          : `run the service as PID 1 or under an init that forwards ${signal}`;
    return finish('killed', fix);
  }
  if (fateAt1.fate === 'unknown') {
    certain = false;
    path.push(`${signal} -> PID 1 ${label(pid1)}: whether it handles ${signal} depends on the program${pid1.note ? ` (${pid1.note})` : ''}`);
    return finish('unknown');
  }
  // (a Go program's runtime "handles" the signal by exiting at once: say so)
  path.push(`${signal} -> PID 1 ${label(pid1)}: ${pid1.reaction === 'exits' && pid1.nothingToDrain ? 'no handler in its code: its runtime exits at once' : 'handled'}`);
  if (pid1.loop) {
    // A trap runs between the loop's commands: soon, when the loop only sleeps briefly (POSIX: after the foreground command).
    const soon = pid1.loop.pause !== undefined && pid1.loop.pause < LOOP_PAUSE_LIMIT;
    // The trap passes the signal on to what the script started in the background; the shell stays PID 1 while
    // it shuts down (it waits, or the loop goes on), so its shutdown is not cut (an exit without waiting would cut it).
    if (soon && pid1.loop.trapForwards && (pid1.loop.trapWaits || !pid1.loop.trapExits)) {
      path.push(
        `${label(pid1)}'s trap runs ${pid1.loop.pause === 0 ? 'at once' : `after the loop's current \`sleep ${pid1.loop.pause}\``} and passes ${signal} on to the service it started in the background${pid1.loop.trapWaits ? ', then waits for it' : ''}: PID 1 stays while the service shuts down`,
      );
      if (pid1.loop.trapExits || pid1.loop.endsWhenGone) {
        if (!pid1.loop.trapExits) path.push('the loop ends once the service is gone, and the script with it');
        return finish('graceful');
      }
      // The service has shut down, but the loop goes on: the container ends only with the SIGKILL.
      path.push('the loop goes on after the trap and nothing ends it: grace period expires -> SIGKILL (the service had shut down)');
      return finish('killed', '`exit` at the end of the trap, or leave the loop once the service is gone (`kill -0 "$pid" || break`)');
    }
    if (soon && pid1.loop.trapExits) {
      path.push(
        pid1.loop.pause === 0
          ? `${label(pid1)}'s trap runs at once (the loop only waits, and \`wait\` returns on a trapped signal) and ends the script`
          : `${label(pid1)}'s trap runs after the loop's current \`sleep ${pid1.loop.pause}\` and ends the script`,
      );
      return finish('graceful');
    }
    if (!soon && pid1.loop.pause === undefined && !pid1.loop.stuck) {
      // The loop's foreground commands are ones pid1 cannot time (`curl`, a function, `sleep $X`): the trap runs after the current one, soon or not.
      certain = false;
      path.push(`${label(pid1)} runs its trap after the loop's current foreground command, and pid1 cannot tell how long that takes`);
      return finish('unknown');
    }
    path.push(
      soon
        ? `${label(pid1)}'s trap runs, but the loop goes on; grace period expires -> SIGKILL`
        : `${label(pid1)} runs its trap only after the loop's foreground command exits, which does not happen: grace period expires -> SIGKILL`,
    );
    return finish('killed', "end the script in the trap (`exit`), and keep the loop's foreground commands short");
  }
  if (procs.length > 1 && pid1.deferred) {
    // POSIX shells run a trap only once the foreground command has finished.
    path.push(`${label(pid1)} runs its trap only after its foreground command exits, which does not happen: grace period expires -> SIGKILL`);
    return finish('killed', 'start the service in the background and wait for it, with a trap that forwards the signal, or `exec` the service');
  }
  if (procs.length > 1 && pid1.role === 'shell' && pid1.forwards === 'none' && !(pid1.shell && stopTrap(pid1.shell, signal))) {
    // e.g. dash as PID 1 catches SIGINT for itself: the handler notes it and the shell goes on waiting.
    path.push(`${label(pid1)} catches ${signal} with the shell's own handler (no trap): nothing passes it on; grace period expires -> SIGKILL`);
    return finish('killed', `make the service PID 1: \`exec\` it from the shell, or use the exec (JSON) form`);
  }
  if (procs.length > 1 && pid1.shell && pid1.forwards === 'none' && procs.slice(1).every((p) => p.nothingToDrain) && startsNoDaemon(pid1.shell.source)) {
    // the trap is the shutdown (it flushes rules, restores settings), and what the script leaves is a keep-alive (`sleep
    // infinity & wait`): the kernel's SIGKILL ends nothing that had work to finish (pexcn's transproxy.sh)
    path.push(`${label(pid1)}'s trap runs and the script ends; ${procs.slice(1).map(label).join(', ')} ${procs.length > 2 ? 'have' : 'has'} nothing to shut down`);
    return finish('graceful');
  }
  if (procs.length > 1 && pid1.shell && pid1.forwards === 'none') {
    path.push(`${label(pid1)}'s trap does not pass ${signal} on; the script ends -> the kernel SIGKILLs every process left in the namespace`);
    return finish('abrupt', 'forward the signal to the service in the trap (`kill -TERM "$pid"`) and wait for it');
  }
  if (pid1.supervised && (procs.length === 1 || pid1.role === 'service')) return supervisedEnd(pid1, path, finish);
  if (procs.length === 1 || pid1.role === 'service') {
    const g = pid1.gracefulOnSignal;
    if (g === 'yes' && pid1.reaction === 'exits' && pid1.nothingToDrain) path.push(`${pid1.name} serves nothing (no listener, no child process): nothing in flight is cut`);
    if (g === 'yes') return finish('graceful');
    if (g === 'unknown') {
      certain = false;
      return finish('unknown');
    }
    if (pid1.keepsRunning) {
      const why =
        pid1.reaction === 'reraised'
          ? `its handler re-raises ${signal} with the default action, which the kernel drops for a namespace init`
          : `it handles ${signal} but keeps running${pid1.note ? ` (${pid1.note})` : ''}`;
      path.push(`${pid1.name}: ${why}; grace period expires -> SIGKILL`);
      const graceful = pid1.programs.at(-1)?.graceful?.[0];
      return finish('killed', graceful ? `set STOPSIGNAL to ${graceful}` : `handle ${signal} in the program`);
    }
    path.push(`${pid1.name} treats ${signal} as an immediate stop, not its graceful shutdown${pid1.note ? ` (${pid1.note})` : ''}`);
    return finish('abrupt', `set STOPSIGNAL to ${pid1.programs.at(-1)?.graceful?.[0] ?? 'its graceful signal'}`);
  }
  // PID 1 forwards it.
  reached = 1;
  const mode = pid1.forwards === 'none' ? 'child' : pid1.forwards;
  const child = procs[1] as ChainProcess;
  const targets = mode === 'group' ? procs.slice(1) : [child];
  path.push(`${label(pid1)} forwards ${signal} to ${mode === 'group' ? "its child's process group" : 'its child'}: ${targets.map(label).join(', ')}`);
  if (pid1.killsChildAfter !== undefined && STOPS_SU.has(signal) && !service.nothingToDrain) {
    // su SIGKILLs its child 2 s after passing the signal on, whatever the shell between them does with it: the
    // service's shutdown gets 2 s, not the grace period (or none, when that shell dies of it and su exits with it);
    // only what decides PID 1 itself can make that uncertain
    reached = 0;
    path.push(`${label(pid1)} SIGKILLs its child ${pid1.killsChildAfter} s later: ${label(service)} gets ${pid1.killsChildAfter} s for its shutdown, not the grace period`);
    return finish('abrupt', `run the service with an exec wrapper instead of ${pid1.name} (\`exec gosu USER CMD\`, \`exec setpriv --reuid USER --regid GROUP --init-groups CMD\`, su-exec)`);
  }
  if (child === service) {
    const f = child.masks
      ? signalFate(sig, child.masks, { namespaceInit: false, fromAncestor: false })
      : { fate: child.handles === 'yes' ? 'handled' : child.handles === 'no' ? (child.ignores ? 'ignored' : 'default') : 'unknown' };
    // PID 1 exits right after forwarding: whatever the service does with the signal, its shutdown gets no time.
    const cutShort = pid1.waitsForChild === false && !child.nothingToDrain && (f.fate === 'unknown' || (f.fate === 'handled' && child.gracefulOnSignal !== 'no'));
    if (cutShort) {
      path.push(
        `-> ${label(child)}: ${f.fate === 'handled' && child.gracefulOnSignal === 'yes' ? 'handled' : 'whatever it does with it'}, ${label(pid1)} does not wait for it: ${pid1.role === 'package-manager' ? `${pid1.name} exits right after forwarding` : 'its `wait` returns when the trap runs and the script ends'}`,
      );
      path.push(`PID 1 exits -> the kernel SIGKILLs ${label(child)} in the middle of its shutdown`);
      // What the unread package.json script runs cannot change that: the package manager does not wait for it.
      if (pid1.role === 'package-manager' && chain.opaque?.code === 'package-script') reached = 0;
      return finish(
        'abrupt',
        pid1.role === 'package-manager'
          ? `run the service without ${pid1.name} (the exec form of its command), or under an init that waits for it`
          : 'wait for the service again after the first `wait` returns (or `wait` inside the trap), and do not let `set -e` end the script there',
      );
    }
    if (f.fate === 'handled' && child.supervised) {
      reached = 1;
      return supervisedEnd(child, path, finish);
    }
    // A shell in its keep-alive loop under an init that signals the group (dumb-init, tini -g): the loop's foreground
    // command dies of the signal too, so the trap runs at once (replayed with Debian dumb-init 1.2.5; bash(1) SIGNALS).
    const loopTrap = mode === 'group' && child.role === 'shell' && child.shell?.end?.kind === 'loop' ? stopTrap(child.shell, signal) : undefined;
    if (loopTrap && !loopTrap.ignores) {
      if (!loopTrap.exits) {
        path.push(`-> ${label(child)}: its trap runs, but nothing ends the loop; grace period expires -> SIGKILL`);
        return finish('killed', 'end the loop from the trap (`exit` once what it stops is down)');
      }
      if (!loopTrap.forwards || loopTrap.waits) {
        path.push(`-> ${label(child)}: its trap ${loopTrap.forwards ? 'stops what the script started, waits for it' : 'runs'} and ends the script; ${label(pid1)} exits with it`);
        if (!loopTrap.forwards) return finish('graceful');
        // what the trap stopped (services the script started) decides whether their stop was graceful
        certain = false;
        return finish('unknown');
      }
      certain = false;
      path.push(`-> ${label(child)}: its trap stops what the script started without waiting for it, then ends the script: whether that stop completes before ${label(pid1)} exits depends on it`);
      return finish('unknown');
    }
    if (f.fate === 'handled') {
      // Node's handler re-raises with the default action, which ends it below PID 1 (kernel/signal.c spares only the init)
      if (child.reaction === 'reraised' && child.nothingToDrain) {
        path.push(`-> ${label(child)}: its handler re-raises ${signal} with the default action, which ends it (it has nothing to shut down)`);
        return finish('graceful');
      }
      if (child.gracefulOnSignal === 'yes') {
        path.push(`-> ${label(child)}: handled; ${pid1.name} waits for it`);
        return finish('graceful');
      }
      if (child.gracefulOnSignal === 'unknown') {
        certain = false;
        path.push(`-> ${label(child)}: handled, graceful if the program listens for ${signal}`);
        return finish('unknown');
      }
      path.push(`-> ${label(child)}: handled, but not as a graceful shutdown`);
      return finish('abrupt');
    }
    if (f.fate === 'unknown') {
      certain = false;
      return finish('unknown');
    }
    if (f.fate === 'ignored') {
      path.push(`-> ${label(child)}: ignored; grace expires -> SIGKILL`);
      return finish('killed');
    }
    if (child.nothingToDrain) {
      path.push(`-> ${label(child)}: no handler, the default action ends it (it has nothing to shut down)`);
      return finish('graceful');
    }
    // A periodic job's loop below PID 1 dies of the signal at once (bash(1): a non-interactive shell takes the default
    // action), and its init exits with it: the job stops between passes of its work, with nothing of its own to shut down.
    if (child.role === 'shell' && child.loop?.periodic) {
      path.push(`-> ${label(child)}: no handler, the default action ends its periodic loop (work, then a long sleep) at once; ${label(pid1)} exits with it`);
      return finish('graceful');
    }
    path.push(`-> ${label(child)}: no handler, the default action ends it`);
    return finish('abrupt', `handle ${signal} in the service`);
  }
  // A wrapper between PID 1 and the service.
  // An init that signals the group (dumb-init, tini -g) reaches the shell's foreground keep-alive too (`sleep infinity`
  // dies of it), so a trap deferred behind it runs at once (replayed with Debian dumb-init 1.2.5; bash(1) SIGNALS).
  const groupTrap =
    mode === 'group' && child.deferred && procs.length === 3 && service.handles === 'no' && !service.ignores && service.nothingToDrain && child.shell ? stopTrap(child.shell, signal) : undefined;
  if (groupTrap) {
    path.push(`-> ${label(service)}: no handler, the default action ends it; ${label(child)} runs its trap at once`);
    if ((groupTrap.exits && !groupTrap.forwards) || (groupTrap.forwards && groupTrap.waits)) {
      path.push(`${label(child)}'s trap ${groupTrap.forwards ? 'stops what the script started and waits for it' : 'ends the script'}; ${label(pid1)} exits with it`);
      return finish('graceful');
    }
    certain = false;
    path.push(
      groupTrap.forwards
        ? `${label(child)}'s trap stops what the script started without waiting for it: whether that stop completes before ${label(pid1)} exits with the shell depends on it`
        : `${label(child)}'s trap neither ends the script nor stops anything: what the script does after its keep-alive decides`,
    );
    return finish('unknown');
  }
  // What the service the group signal reached does with it, once something keeps PID 1 waiting for it.
  const groupServiceStop = (waiting: string): StopPrediction => {
    reached = procs.length - 1;
    const f = service.masks
      ? signalFate(sig, service.masks, { namespaceInit: false, fromAncestor: false }).fate
      : service.handles === 'yes'
        ? 'handled'
        : service.handles === 'no'
          ? service.ignores
            ? 'ignored'
            : 'default'
          : 'unknown';
    if (f === 'handled' && service.gracefulOnSignal === 'yes') {
      path.push(`-> ${label(service)}: handled; ${waiting}`);
      return finish('graceful');
    }
    if (f === 'unknown' || service.gracefulOnSignal === 'unknown') {
      certain = false;
      return finish('unknown');
    }
    if (f === 'default' && service.nothingToDrain) {
      path.push(`-> ${label(service)}: no handler, the default action ends it (it has nothing to shut down)`);
      return finish('graceful');
    }
    path.push(`-> ${label(service)}: ${f === 'handled' ? 'handled, but not as a graceful shutdown' : 'no handler, the default action ends it'}`);
    return finish('abrupt', `handle ${signal} in the service`);
  };
  // A shell whose trap for the signal waits for its foreground command (bash(1) SIGNALS: a trap runs when the command
  // completes) outlives that command's stop: the group's signal reached the command too, and PID 1 waits for the shell
  // (gitlab-runner under dumb-init, its wrapper's QUIT trap behind `gitlab-runner run`).
  if (mode === 'group' && child.deferred && procs.length === 3 && child.handles === 'yes') {
    path.push(`-> ${label(child)}: its trap waits for the foreground ${label(service)}, which the group's ${signal} reached too`);
    return groupServiceStop(`${label(child)} runs its trap and exits after it, and ${label(pid1)} with it`);
  }
  if (child.handles === 'yes' && child.forwards !== 'none') {
    path.push(`-> ${label(child)} handles it and forwards it on`);
    const rest = predictStop({ processes: procs.slice(1), ...(chain.opaque ? { opaque: Object.assign({}, chain.opaque, { at: chain.opaque.at - 1 }) } : {}) }, signal);
    path.push(...rest.path.slice(1));
    certain = certain && rest.certain;
    reached = chain.opaque && chain.opaque.at <= 0 ? 0 : -1; // the rest of the chain answered for itself
    return finish(rest.outcome, rest.fix);
  }
  path.push(`-> ${label(child)}: no handler, the default action ends it at once`);
  // pid1 init: the whole group got the signal, and it waits for every process it signalled.
  if (mode === 'group' && pid1.waitsForGroup) return groupServiceStop(`${label(pid1)} waits for it after its child exits`);
  path.push(`${label(pid1)} exits with its child -> the kernel SIGKILLs every process left in the namespace`);
  if (mode === 'group') {
    path.push(`${label(service)} received ${signal} too, but its shutdown is cut short when PID 1 exits`);
    return finish('abrupt', `exec the service from the wrapper so that it is ${pid1.name}'s direct child, or use pid1 init --wait-all`);
  }
  return finish(
    'abrupt',
    `exec the service from the wrapper (then ${pid1.name} signals it directly), or use ${pid1.name === 'dumb-init' ? 'dumb-init without --single-child' : 'tini -g'} / pid1 init`,
  );
}

/**
 * A supervisor got the stop signal: it brings its services down, each with its own signal (s6-supervise: the
 * service's down-signal, default SIGTERM, then SIGCONT; supervisord: the program's stopsignal, default TERM,
 * then SIGKILL after stopwaitsecs). The worst service decides.
 */
function supervisedEnd(sup: ChainProcess, path: string[], finish: (o: Outcome, fix?: string) => StopPrediction): StopPrediction {
  const stops = sup.supervised ?? [];
  const v = supervisedVerdict(stops);
  path.push(`${sup.name} brings down its ${stops.length === 1 ? 'service' : `${stops.length} services`}, each with the signal it is set to send it`);
  for (const s of stops) {
    const svc = s.service;
    const sig = signalName(parseSignal(svc.signal));
    const head = `${sup.name} sends ${svc.name} ${sig} (${svc.signalFrom}; ${svc.file})`;
    if (!s.prediction) path.push(`${head}: ${svc.unseen ?? 'what it runs is not visible to pid1'}`);
    else path.push(`${head} -> ${s.prediction.path.join('; ').replace(`${sig} -> `, '')}`);
  }
  const p = finish(v.outcome, v.worst && v.outcome !== 'graceful' ? supervisedFix(sup, v.worst) : undefined);
  const worstService = v.worst?.prediction?.service;
  return { ...p, certain: p.certain && v.certain, ...(worstService && v.outcome !== 'graceful' ? { service: worstService } : {}) };
}

/** What to change for the service that loses the stop: its signal, when it has a graceful one it does not get. */
function supervisedFix(sup: ChainProcess, s: SupervisedStop): string | undefined {
  const p = s.prediction;
  if (!p) return undefined;
  const svc = s.service;
  const sent = signalName(parseSignal(svc.signal));
  const program = p.service.programs.at(-1);
  const graceful = program?.graceful?.find((g) => g !== sent);
  const single = p.pid1 === p.service;
  if (single && graceful && p.service.gracefulOnSignal !== 'yes') {
    const what = p.service.reaction === 'fast' ? 'its fast stop' : p.service.keepsRunning || p.service.handles === 'no' ? 'which does not stop it gracefully' : 'not its graceful stop';
    return `${sup.name} sends ${svc.name} ${sent}, ${what}: ${svc.setSignal.replace('{SIGNAL}', graceful).replace('{NAME}', graceful.replace(/^SIG/, ''))}`;
  }
  return p.fix ? `${svc.name} (${svc.file}): ${p.fix}` : undefined;
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
  const who = with_ === 'hostPID' ? "not PID 1: with hostPID the host's init is" : "not PID 1: the pod's pause process is, with shareProcessNamespace";
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
    if (main.role === 'shell' && main.loop?.periodic) {
      // the runtime SIGKILLs the pass's command when the main process is gone: a periodic loop is mostly waiting
      path.push(`${main.name} runs a periodic loop (work, then a long wait): ending it at once loses nothing`);
      return { outcome: 'graceful', certain: chain.opaque === undefined, signal, path, unreached: [], pid1: main, service };
    }
    if (main.nothingToDrain) {
      path.push(`${main.name} has nothing to shut down: ending at once loses nothing`);
      return { outcome: 'graceful', certain: chain.opaque === undefined, signal, path, unreached: [], pid1: main, service };
    }
    path.push(`${main.name} ends without a graceful shutdown`);
    return { outcome: 'abrupt', certain: chain.opaque === undefined, signal, path, unreached: [], pid1: main, service, fix: `handle ${signal} in the service` };
  }
  if (service.nothingToDrain) {
    path.push(
      `the container's main process exited -> the runtime SIGKILLs the container's other processes (${procs
        .slice(1)
        .map((p) => p.name)
        .join(', ')}); ${service.name} has nothing to shut down: ending at once loses nothing`,
    );
    return { outcome: 'graceful', certain: chain.opaque === undefined, signal, path, unreached: [], pid1: main, service };
  }
  path.push(
    `the container's main process exited -> the runtime SIGKILLs the container's other processes (${procs
      .slice(1)
      .map((p) => p.name)
      .join(', ')}) before ${service.name} can shut down`,
  );
  return {
    outcome: 'abrupt',
    certain: chain.opaque === undefined,
    signal,
    path,
    unreached: procs.slice(1).filter((p) => p.handles === 'yes'),
    pid1: main,
    service,
    fix: `make the service the container's main process: \`exec\` it from ${main.name}, or use the exec form`,
  };
}

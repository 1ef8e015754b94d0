/**
 * What pid1 knows about the programs that appear on a launch chain: shells, inits, package managers,
 * wrappers, and (through the catalogue) services. Used both statically (lint: from an argv) and live
 * (inspect: from /proc).
 */
import { CATALOGUE, catalogueEntryForArgv, type CatalogueEntry } from './catalogue.js';

/** Which shell /bin/sh is in an image. `none`: the image has no shell (scratch, distroless). */
export type ShellFamily = 'dash' | 'bash' | 'ash' | 'zsh' | 'none' | 'unknown';

/**
 * - shell: runs a command string or script; whether it execs the last command depends on the family.
 * - init: a signal-forwarding PID 1 (tini, dumb-init, catatonit, docker-init, s6).
 * - package-manager: npm/yarn/pnpm running a script through `sh -c`.
 * - exec-wrapper: replaces itself with the next command (env, gosu, su-exec, setpriv, chroot, nice).
 * - fork-wrapper: stays as the parent of the next command (su -c, timeout).
 * - service: anything else; the program meant to receive the stop signal.
 */
export type Role = 'shell' | 'init' | 'package-manager' | 'exec-wrapper' | 'fork-wrapper' | 'service';

/** Where a forwarding process sends a signal it receives. */
export type Forwarding = 'child' | 'group' | 'none';

export interface Program {
  /** Canonical name: dash, bash, ash, tini, dumb-init, npm, gosu, node, nginx, ... */
  name: string;
  role: Role;
  /** For shells: the family. */
  shell?: ShellFamily;
  /** For inits, package managers and fork-wrappers: how the stop signal is passed on. */
  forwards?: Forwarding;
  /** Index in argv where the wrapped command starts (wrappers, inits, package managers); undefined when none. */
  next?: number;
  /** For a shell: its -c string; for a package manager: the script name. */
  command?: string;
  /** For a shell without -c: the script it runs. */
  script?: string;
  /** For inits: after forwarding a stop signal it waits for every process it signalled (pid1 init), instead of exiting with its child. */
  waitsForGroup?: boolean;
  /** For a service: a handled signal that is not one of `graceful` leaves it running (systemd re-executes on SIGTERM). */
  keepsRunning?: boolean;
  /** For a package manager: it forwards a stop signal to its child, then exits at once instead of waiting for it. */
  exitsAfterForwarding?: boolean;
  /** su's `-s SHELL`: the shell that runs its command in place of the user's login shell. */
  loginShell?: string;
  /** For a fork-wrapper: after passing a stop signal on it SIGKILLs its child this many seconds later (su: 2). */
  killsChildAfter?: number;
  /** It sets real-time signals (SIGRTMIN..SIGRTMAX) to SIG_IGN: a real-time stop signal is ignored, not forwarded. */
  ignoresRealtime?: boolean;
  /** For known servers: the signals that start a graceful shutdown (empty: none by default). */
  graceful?: string[];
  /**
   * A language runtime whose program's own code decides whether it handles the stop signal (CPython, Node,
   * Go, ...): pid1 reads that code when it is in the build context.
   */
  programDecides?: boolean;
  /** The catalogue entry (catalogue.ts) of what the program does with each stop signal as PID 1. */
  catalogue?: string;
  /** One line of why, where the behaviour is not obvious. */
  note?: string;
  /** A shell with neither -c nor a script, or a bare runtime (its REPL): it reads from stdin (a prompt, with `docker run -it`). */
  interactive?: boolean;
  /** For an init: its options make it print (usage, help, license) and exit at once, without starting its program. */
  exitsAtOnce?: boolean;
}

/**
 * Whether tini's options end it before it starts its program: its getopt string is "+hsp:vwgle:" (tini.c parse_args), so
 * any other letter (`---` is the letter `-`, `--version` too when a program follows) prints the usage and exits 1, and
 * -h or -l print the help or the license and exit 0 (tini 0.19, run in test/group-trap-ns.test.ts).
 */
function tiniExitsAtOnce(argv: readonly string[], next: number): boolean {
  for (let i = 1; i < next; i++) {
    const o = argv[i] ?? '';
    if (o === '--') return false;
    const m = /^-([hsvwgl]*)(?:([pe])(.*))?$/.exec(o);
    if (!m) return true;
    if (/[hl]/.test(m[1] ?? '')) return true;
    // an option with its value in the next word
    if (m[2] && !m[3]) i++;
  }
  return false;
}

export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** JavaScript runtimes: a process whose argv starts with one of them may be running npm, yarn or pid1 itself. */
const NODE_LIKE = new Set(['node', 'nodejs', 'bun', 'deno']);

/** Is this program name (or path) Node.js or a runtime that behaves like it? */
function isNodeLike(file: string): boolean {
  return NODE_LIKE.has(basename(file));
}

const SHELLS: Record<string, ShellFamily> = { dash: 'dash', bash: 'bash', ash: 'ash', zsh: 'zsh', busybox: 'ash', mksh: 'unknown', ksh: 'unknown' };

/** The shell family of a shell binary, by its path or name (/usr/bin/dash, busybox); undefined when not a known one. */
export function shellFamilyOfBinary(file: string): ShellFamily | undefined {
  const name = basename(file);
  const family = name === 'busybox.static' ? 'ash' : SHELLS[name];
  return family === 'unknown' ? undefined : family;
}

/** Does a runtime's argv run a program (a file, `-m MODULE`, `-c CODE`), rather than the runtime on its own? */
/** Runtimes that, run with no program, read code from stdin (a REPL at a terminal). */
const REPL_RUNTIMES = new Set(['python', 'node', 'ruby', 'perl', 'erlang', 'r']);

function runsProgram(argv: readonly string[]): boolean {
  // R: `-f FILE` is covered by FILE, `--file=FILE` is one word
  return argv.slice(1).some((x) => !x.startsWith('-') || ['-m', '-c', '-e', '--eval', '-r', '-p', '--print'].includes(x) || x.startsWith('--file='));
}

/** Options (with how many values they take) of wrappers, so that the wrapped command can be found. */
function skipOptions(argv: string[], from: number, withValue: Set<string>, stopAtDoubleDash = true): number {
  let i = from;
  while (i < argv.length) {
    const a = argv[i] ?? '';
    if (stopAtDoubleDash && a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    i += withValue.has(flag) && !a.includes('=') ? 2 : 1;
  }
  return i;
}

/**
 * A tool run by a JavaScript runtime, as the tool: `node …/npm-cli.js start` is npm; `node …/pid1 init …`,
 * `node …/dist/src/cli/pid1.cjs init …`, `node …/dist/src/cli/main.js init …` and `node …/init/bin.js …` are pid1 init. `drop`: how many argv words
 * the rewrite removed (1: the runtime and the script became one word; 0: a word was added for bin.js).
 */
export function toolRunByNode(argv: readonly string[]): { argv: string[]; drop: number } | undefined {
  if (!isNodeLike(argv[0] ?? '') || !argv[1]) return undefined;
  const script = argv[1];
  if (/(^|\/)(npm|npm-cli\.js|yarn|yarn\.js|pnpm|pnpm\.cjs)$/.test(script)) return { argv: [basename(script).replace(/(-cli)?\.c?js$/, ''), ...argv.slice(2)], drop: 1 };
  if (/(^|\/)(pid1|cli\/main\.js|cli\/pid1\.cjs)$/.test(script) && argv[2] === 'init') return { argv: ['pid1', ...argv.slice(2)], drop: 1 };
  if (/(^|\/)(init\/bin\.js|pid1-init\.cjs)$/.test(script)) return { argv: ['pid1', 'init', ...argv.slice(2)], drop: 0 };
  return undefined;
}

/**
 * Identify argv[0] (resolving `sh` to the image's shell family) and, for wrappers, where the
 * wrapped command starts.
 */
export function identify(argv: readonly string[], sh: ShellFamily = 'unknown', env?: Readonly<Record<string, string>>): Program {
  const tool = toolRunByNode(argv);
  if (tool) {
    const p = identify(tool.argv, sh, env);
    return p.next !== undefined ? { ...p, next: p.next + tool.drop } : p;
  }
  const a = [...argv];
  const name = basename(a[0] ?? '');
  if (name === 'sh') return shellProgram(a, sh === 'none' ? 'unknown' : sh, 'sh');
  if (name === 'busybox' && a.length > 1 && (a[1] === 'sh' || a[1] === 'ash')) return shellProgram(a.slice(1), 'ash', 'ash', 1);
  const family = SHELLS[name];
  if (family && name !== 'busybox') return shellProgram(a, family, name);
  switch (name) {
    case 'tini':
    case 'docker-init': {
      // tini [-s] [-g] [-w] [-v] [-l] [-p SIG] [-e CODE] [--] CMD
      const next = skipOptions(a, 1, new Set(['-p', '-e']));
      const group = a.slice(1, next).some((o) => /^-[a-z]*g/.test(o) && o !== '--');
      return {
        name,
        role: 'init',
        forwards: group ? 'group' : 'child',
        next,
        ...(tiniExitsAtOnce(a, next) ? { exitsAtOnce: true } : {}),
        note: group ? "tini -g forwards to the child's process group" : 'tini forwards to its child only',
      };
    }
    case 'dumb-init': {
      // dumb-init [-c|--single-child] [-r s:r] [-v] [--] CMD; default: setsid and signal the whole group.
      const next = skipOptions(a, 1, new Set(['-r', '--rewrite']));
      const single = a.slice(1, next).some((o) => o === '-c' || o === '--single-child');
      return {
        name,
        role: 'init',
        forwards: single ? 'child' : 'group',
        next,
        note: single ? 'dumb-init --single-child forwards to its child only' : "dumb-init forwards to its child's process group",
      };
    }
    case 'catatonit':
    case 'podman-init': {
      // `podman run --init` bind-mounts catatonit as /run/podman-init (libpod define.ContainerInitPath).
      const next = skipOptions(a, 1, new Set([]));
      // -P, pause mode (a Podman pod's infra container): no child; exits 0 on SIGTERM or SIGINT (catatonit.c).
      if (a.slice(1, next).includes('-P')) return { name: 'catatonit', role: 'service', graceful: ['SIGTERM', 'SIGINT'], note: 'catatonit -P (pause mode) exits on SIGTERM and SIGINT' };
      const group = a.slice(1, next).includes('-g');
      return { name: 'catatonit', role: 'init', forwards: group ? 'group' : 'child', next };
    }
    case 'pid1': {
      // pid1 init [OPTIONS] [--] CMD: forwards to the child's group and waits for every process it signalled.
      if (a[1] !== 'init') return { name, role: 'service' };
      const next = skipOptions(a, 2, new Set(['--rewrite', '--stop-signal', '--drain', '--grace', '--report']));
      const single = a.slice(2, next).includes('--single-child');
      // Node cannot listen for real-time signals, so pid1 init ignores them (src/init/init.ts).
      return {
        name: 'pid1 init',
        role: 'init',
        forwards: single ? 'child' : 'group',
        next,
        waitsForGroup: !single,
        ignoresRealtime: true,
        note: single ? 'pid1 init --single-child forwards to its child only' : "pid1 init forwards to the child's process group and waits for every process it signalled",
      };
    }
    case 'init':
    case 's6-svscan':
    case 'systemd':
      // s6-overlay's entry point is exactly /init; it runs s6-svscan as PID 1, which brings supervised services down on SIGTERM.
      if (a[0] === '/init' || name === 's6-svscan') return { name: 's6', role: 'init', forwards: 'group', note: 's6-overlay stops supervised services on SIGTERM' };
      // On a busybox image (busybox, Alpine) `init` is busybox init: TERM means reboot, which sends TERM to every
      // process, KILL one second later, and exits (busybox init/init.c halt_reboot_pwoff(), run_shutdown_and_kill_processes()).
      if (name === 'init' && sh === 'ash') {
        return {
          name: 'busybox init',
          role: 'service',
          graceful: ['SIGTERM', 'SIGUSR1', 'SIGUSR2'],
          note: 'busybox init on SIGTERM sends SIGTERM to every process, SIGKILL one second later, and exits: its services get one second to stop',
        };
      }
      // systemd (/sbin/init, /lib/systemd/systemd) halts on SIGRTMIN+3; on SIGTERM it re-executes itself and keeps running (systemd(1)).
      return {
        name: 'systemd',
        role: 'service',
        graceful: ['SIGRTMIN+3'],
        keepsRunning: true,
        note: 'systemd as PID 1 halts on SIGRTMIN+3 (STOPSIGNAL SIGRTMIN+3); on SIGTERM it re-executes itself and keeps running',
      };
    case 'npm':
    case 'yarn':
    case 'pnpm': {
      const sub = a[1];
      const script = sub === 'start' || sub === 'test' || sub === 'stop' || sub === 'restart' ? sub : sub === 'run' || sub === 'run-script' ? a[2] : name === 'yarn' ? sub : undefined;
      // npm (@npmcli/run-script) forwards SIGTERM to its child and waits for it (measured: test/package-managers.test.ts);
      // yarn 1 forwards it and exits at once without waiting (yarnpkg/yarn#4667), and so does yarn 2+ (yarnpkg/berry#5158).
      const exits = name === 'yarn';
      return {
        name,
        role: 'package-manager',
        forwards: 'child',
        ...(script ? { command: script } : {}),
        ...(exits ? { exitsAfterForwarding: true } : {}),
        note: exits
          ? 'yarn forwards the signal to the script it runs and exits at once, without waiting for it'
          : `${name} runs the script through \`sh -c\` as its child, forwards the signal to it and waits for it`,
      };
    }
    case 'env': {
      const next = skipOptions(a, 1, new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']));
      let i = next;
      while (i < a.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a[i] ?? '')) i++;
      return { name, role: 'exec-wrapper', next: i };
    }
    case 'opentelemetry-instrument': {
      // Sets up auto-instrumentation in the environment, then execs the command (opentelemetry-python-contrib
      // opentelemetry-instrumentation auto_instrumentation/__init__.py run(): `execl(executable, executable, *args.command_args)`).
      // Its options all take a value (`--traces_exporter otlp`, `--service_name=x`).
      let i = 1;
      while (i < a.length && (a[i] ?? '').startsWith('--')) i += (a[i] ?? '').includes('=') ? 1 : 2;
      return { name, role: 'exec-wrapper', next: i };
    }
    case 'ddtrace-run':
      // Datadog's ddtrace-run execs the command (ddtrace/commands/ddtrace_run.py: `os.execl(executable, executable, *args.command_args)`);
      // its own options (-d, -i, -p, -v) take no value.
      return { name, role: 'exec-wrapper', next: skipOptions(a, 1, new Set()) };
    case 'newrelic-admin':
      // `newrelic-admin run-program CMD...` execs CMD (newrelic/admin/run_program.py: os.execl).
      return a[1] === 'run-program' ? { name, role: 'exec-wrapper', next: 2 } : { name, role: 'service' };
    case 'with-contenv':
      // s6-overlay's with-contenv loads the container's environment and execs the rest (s6-overlay README, "Container environment").
      return { name, role: 'exec-wrapper', next: 1 };
    case 'gosu':
    case 'su-exec':
      return { name, role: 'exec-wrapper', next: 2 };
    case 'setpriv':
    case 'nice':
    case 'chroot':
    case 'ionice':
    case 'taskset':
    case 'numactl':
    case 'chpst':
    case 's6-setuidgid': {
      const withValue: Record<string, string[]> = {
        nice: ['-n', '--adjustment'],
        ionice: ['-c', '-n', '-t'],
        setpriv: ['--reuid', '--regid', '--groups', '--inh-caps', '--bounding-set', '--securebits', '--pdeathsig', '--selinux-label', '--apparmor-profile', '--ambient-caps'],
        chpst: ['-u', '-U', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c', '-r', '-t'],
      };
      let next = skipOptions(a, 1, new Set(withValue[name] ?? []));
      if (name === 'chroot' || name === 's6-setuidgid' || name === 'taskset') next += 1; // NEWROOT / USER / MASK
      return { name, role: 'exec-wrapper', next };
    }
    case 'su': {
      // su [-s SHELL] USER -c CMD runs CMD with SHELL, else the user's login shell (its /etc/passwd entry).
      const ci = a.indexOf('-c');
      const si = a.findIndex((x) => x === '-s' || x === '--shell' || x.startsWith('--shell='));
      const loginShell = si < 0 ? undefined : (a[si] as string).startsWith('--shell=') ? (a[si] as string).slice(8) : a[si + 1];
      const command = ci >= 0 && a[ci + 1] !== undefined ? { command: a[ci + 1] } : {};
      // busybox su (Alpine) execs the shell in its place (busybox loginutils/su.c: run_shell -> execv)
      if (sh === 'ash') return { name, role: 'exec-wrapper', ...command, ...(loginShell ? { loginShell } : {}), note: 'busybox su execs the shell in its place' };
      // util-linux su forks the shell and stays its parent. On SIGTERM (and INT/QUIT) it sends the child SIGTERM, sleeps
      // 2 s and sends SIGKILL (su-common.c supervise_child; replayed with util-linux 2.38.1 as PID 1, test/su-ns.test.ts).
      return {
        name,
        role: 'fork-wrapper',
        forwards: 'child',
        killsChildAfter: 2,
        ...command,
        ...(loginShell ? { loginShell } : {}),
        note: 'su forks a shell for the command and stays as its parent',
      };
    }
    case 'runuser': {
      // util-linux runuser is su's code (su-common.c): it forks the command and stays its parent, and on SIGTERM sends it
      // SIGTERM and SIGKILL 2 s later. `-u USER [--] CMD...` runs CMD itself; `USER -c CMD` runs it with a shell, as su.
      const ui = a.findIndex((x) => x === '-u' || x === '--user' || x.startsWith('--user='));
      const cut = { name, role: 'fork-wrapper' as const, forwards: 'child' as const, killsChildAfter: 2, note: 'runuser forks the command and stays as its parent' };
      if (ui >= 0) {
        const next = skipOptions(a, 1, new Set(['-u', '--user', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment', '-s', '--shell']));
        return next < a.length ? { ...cut, next } : { name, role: 'service' };
      }
      const ci = a.indexOf('-c');
      return ci >= 0 && a[ci + 1] !== undefined ? { ...cut, command: a[ci + 1] as string } : { name, role: 'service' };
    }
    case 'sudo': {
      // sudo runs the command as its child and relays the signals it gets to it, SIGTERM included (sudo(8), "Signal
      // handling"); with -s or -i it runs a shell instead, which pid1 does not follow.
      const next = skipOptions(
        a,
        1,
        new Set([
          '-u',
          '--user',
          '-g',
          '--group',
          '-C',
          '--close-from',
          '-D',
          '--chdir',
          '-h',
          '--host',
          '-p',
          '--prompt',
          '-r',
          '--role',
          '-t',
          '--type',
          '-T',
          '--command-timeout',
          '-U',
          '--other-user',
        ]),
      );
      const shell = a.slice(1, next).some((x) => /^(-[a-zA-Z]*[si][a-zA-Z]*|--shell|--login)$/.test(x));
      return next < a.length && !shell ? { name, role: 'fork-wrapper', forwards: 'child', next, note: 'sudo runs the command as its child and relays TERM to it' } : { name, role: 'service' };
    }
    case 'timeout': {
      // timeout [opts] DURATION CMD: forks CMD and forwards the signals it receives to it.
      const next = skipOptions(a, 1, new Set(['-s', '--signal', '-k', '--kill-after'])) + 1;
      return { name, role: 'fork-wrapper', forwards: 'child', next, note: 'timeout forks the command and relays TERM/INT/HUP to it' };
    }
    default: {
      // What the program does with the stop signal as PID 1: the catalogue (catalogue.ts), each entry with its source.
      // On an image whose /bin/sh is busybox ash (Alpine), `crond` and `watch` are busybox's applets.
      const match = catalogueEntryForArgv(a, { busybox: sh === 'ash', ...(env ? { env } : {}) });
      const entry = match?.entry;
      if (!entry || entry.kind === 'shell') return { name, role: 'service' };
      // A runtime running a program (a file, a module, code): the program decides. Alone (a bare
      // `python` REPL) it is the runtime's own default.
      const decides = entry.code !== undefined && entry.kind === 'runtime' && (runsProgram(a) || entry.names.length === 0);
      const prog = entryProgram(entry.kind === 'runtime' || entry.names.includes(name) ? name : entry.id, entry, decides);
      // A bare runtime is its REPL (and `php -a` its shell): it reads from stdin, so with stdin closed it reads end
      // of input and exits 0 at once (measured with stdin at EOF and no tty: python3, node, perl -de0, erl, php -a).
      // (Rscript with no program prints its usage and exits: not a REPL.)
      if ((REPL_RUNTIMES.has(entry.id) && name !== 'Rscript' && !runsProgram(a)) || entry.id === 'php-interactive') prog.interactive = true;
      return prog;
    }
  }
}

function shellProgram(argv: string[], family: ShellFamily, name: string, offset = 0): Program {
  // sh [options] -c STRING [NAME [ARGS]] | sh [options] SCRIPT [ARGS]
  let i = 1;
  let command: string | undefined;
  let script: string | undefined;
  while (i < argv.length) {
    const a = argv[i] ?? '';
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') && !a.startsWith('+')) break;
    // -c may be grouped with other single-letter options (e.g. -ec, -xc).
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a)) command = argv[i + 1] ?? '';
    if (a === '-o' || a === '+o') i++;
    i++;
  }
  if (command === undefined && i < argv.length) script = argv[i];
  const prog: Program = { name: family === 'unknown' ? name : family, role: 'shell', shell: family };
  if (command !== undefined) prog.command = command;
  if (script !== undefined) {
    prog.script = script;
    prog.next = i + offset;
  }
  if (command === undefined && script === undefined) prog.interactive = true;
  return prog;
}

function entryProgram(name: string, entry: CatalogueEntry, decides: boolean): Program {
  return {
    name,
    role: 'service',
    catalogue: entry.id,
    graceful: [...entry.graceful.signals],
    ...(decides ? { programDecides: true } : {}),
    note: `${entry.title}: ${entry.graceful.note}`,
  };
}

/**
 * A service known by what made it rather than by its name (a binary that a `go build` in the Dockerfile
 * built: the catalogue's `go`); its code decides. Undefined for an id the catalogue does not have.
 */
export function programOfEntry(name: string, id: string): Program | undefined {
  const entry = CATALOGUE.find((e) => e.id === id);
  return entry ? entryProgram(name, entry, entry.code !== undefined) : undefined;
}

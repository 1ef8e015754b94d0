/**
 * What programs do with the stop signals when they are PID 1 of a PID namespace (a container's
 * init). Pure data plus two small lookups; the shells, inits and wrappers that *start* a service are
 * modelled in programs.ts and shell.ts, this is what the service itself does once the signal reaches it.
 *
 * The rule everything here rests on (kernel/signal.c sig_task_ignored): a namespace init whose
 * handler for a signal is SIG_DFL never receives it from its own or an ancestor namespace (except
 * SIGKILL/SIGSTOP from an ancestor). So "no handler" means the signal is dropped, and a handler that
 * resets to SIG_DFL and re-raises (Node, PHP, Go without signal.Notify) re-raises into nothing.
 *
 * Every claim carries a `source`. Entries whose program Debian ships are run for real as PID 1 of a
 * fresh namespace by test/catalogue-ns.test.ts, which asserts each SignalBehaviour below (the masks,
 * whether it keeps running, the exit status and, where the program logs it, which stop it began).
 */
/** The last part of a path (programs.ts has the same; this file must not import it: programs.ts imports this). */
function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** The signals a container runtime or a kubelet commonly stops with. */
export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGQUIT';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];

/**
 * What the signal does to the program as PID 1:
 * - graceful: starts its graceful stop (finishes in-flight work, then exits);
 * - fast: an orderly but immediate stop (in-flight work is cut: nginx TERM, php-fpm TERM);
 * - exits: ends at once without a stop of its own (Go's runtime, `watch`); cleanup the program
 *   registered (JVM shutdown hooks, Python finally blocks, Ruby ensure) still runs;
 * - continues: handled, but the program keeps running (JVM thread dump on QUIT, bash waiting on a child);
 * - reraised: a handler resets the default and re-raises; the kernel drops the re-raise for an init,
 *   so it keeps running (Node, PHP CLI). SigCgt shows a handler that does not stop anything;
 * - dropped: no handler; the kernel drops it; it keeps running until SIGKILL;
 * - ignored: set to SIG_IGN, or blocked and never taken; it keeps running;
 * - program-decides: the runtime leaves it to the program's code and pid1 knows no default.
 */
export type Reaction = 'graceful' | 'fast' | 'exits' | 'continues' | 'reraised' | 'dropped' | 'ignored' | 'program-decides';

/** Reactions after which the program is still running (a `docker stop` ends in SIGKILL, exit 137). */
export const KEEPS_RUNNING: ReadonlySet<Reaction> = new Set(['continues', 'reraised', 'dropped', 'ignored']);

/**
 * Where /proc/PID/status shows how the program takes the signal: SigCgt (a handler), SigBlk (blocked
 * on every thread and taken by sigwait()/signalfd, so SigCgt does not show it), SigIgn, or none.
 */
export type MaskEvidence = 'SigCgt' | 'SigBlk' | 'SigIgn' | 'none';

export interface SignalBehaviour {
  reaction: Reaction;
  /** Exit status when it ends as PID 1 (measured here where the test runs it); undefined when it keeps running. */
  status?: number;
  /** What the live masks show for this signal. */
  mask: MaskEvidence;
  note: string;
  source: string;
}

export type Kind = 'utility' | 'shell' | 'runtime' | 'server' | 'framework' | 'worker' | 'supervisor' | 'cron';

/** Languages whose source pid1 can read for a handler (src/sources/program-source.ts). */
export type SourceLanguage = 'python' | 'javascript' | 'go';

export interface CatalogueEntry {
  id: string;
  title: string;
  kind: Kind;
  /** Executable basenames. A busybox applet is matched only when the caller says the binary is busybox. */
  names: readonly string[];
  /** Also match a name with a version suffix: python3.12, php-fpm8.2, ruby3.1. */
  versioned?: boolean;
  /** `python -m MODULE` names that run this program. */
  modules?: readonly string[];
  /**
   * Busybox: 'also' when the busybox applet of the same name behaves the same; 'only' when this entry
   * is the busybox applet and another entry has the same name (watch, crond).
   */
  busybox?: 'also' | 'only';
  /** What it does with each stop signal, when not the default of `program-decides`. */
  signals: Partial<Record<StopSignal, SignalBehaviour>>;
  /** The signals that start its graceful stop ([] when it has none). */
  graceful: { signals: readonly string[]; note: string; source: string };
  /** The program's own code decides whether there is a handler, and how that shows in its source. */
  code?: { language?: SourceLanguage; how: string; seenAs: readonly string[]; source: string };
  /** Other facts that decide a stop (forks, stdin, reloader). */
  notes?: readonly { text: string; source: string }[];
  /** The Debian package that ships it: test/catalogue-ns.test.ts runs it where installed. */
  debian?: string;
}

const KERNEL = 'kernel/signal.c sig_task_ignored(): SIG_DFL at a namespace init is ignored';

/** A program with no handler for any stop signal: all three are dropped at PID 1. */
function noHandler(what: string, source: string): Partial<Record<StopSignal, SignalBehaviour>> {
  const dropped = (s: StopSignal): SignalBehaviour => ({ reaction: 'dropped', mask: 'none', note: `${what} installs no ${s} handler`, source: `${source}; ${KERNEL}` });
  return { SIGTERM: dropped('SIGTERM'), SIGINT: dropped('SIGINT'), SIGQUIT: dropped('SIGQUIT') };
}

const NOTHING_TO_DRAIN = (what: string, source: string): CatalogueEntry['graceful'] => ({
  signals: [],
  note: `${what} has no stop of its own; give it an init (pid1 init, tini) or run it from a script with a trap`,
  source,
});

export const CATALOGUE: readonly CatalogueEntry[] = [
  // ---- utilities with no handler ------------------------------------------------------------------
  {
    id: 'sleep',
    title: 'sleep (coreutils, busybox)',
    kind: 'utility',
    names: ['sleep'],
    busybox: 'also',
    debian: 'coreutils',
    signals: noHandler('sleep', 'coreutils src/sleep.c and busybox coreutils/sleep.c install no handlers'),
    graceful: NOTHING_TO_DRAIN('sleep', 'sleep(1)'),
    notes: [{ text: '`exec sleep infinity` does not help: exec only makes sleep PID 1, which still has no handler', source: KERNEL }],
  },
  {
    id: 'tail',
    title: 'tail -f (coreutils, busybox)',
    kind: 'utility',
    names: ['tail'],
    busybox: 'also',
    debian: 'coreutils',
    signals: noHandler('tail', 'coreutils src/tail.c and busybox coreutils/tail.c install no TERM/INT/QUIT handlers'),
    graceful: NOTHING_TO_DRAIN('tail -f', 'tail(1)'),
  },
  {
    id: 'cat',
    title: 'cat (coreutils, busybox)',
    kind: 'utility',
    names: ['cat'],
    busybox: 'also',
    debian: 'coreutils',
    signals: noHandler('cat', 'coreutils src/cat.c and busybox coreutils/cat.c install no handlers'),
    graceful: NOTHING_TO_DRAIN('cat', 'cat(1)'),
    notes: [
      {
        text: 'cat keeps a container alive only with an open stdin (`docker run -i`, compose `stdin_open: true`); with /dev/null it exits at once',
        source: 'cat(1): copies standard input until end of file',
      },
    ],
  },
  {
    id: 'yes',
    title: 'yes (coreutils, busybox)',
    kind: 'utility',
    names: ['yes'],
    busybox: 'also',
    debian: 'coreutils',
    signals: noHandler('yes', 'coreutils src/yes.c and busybox coreutils/yes.c install no handlers'),
    graceful: NOTHING_TO_DRAIN('yes', 'yes(1)'),
  },
  {
    id: 'busybox-dd',
    title: 'dd (busybox)',
    kind: 'utility',
    names: ['dd'],
    busybox: 'only',
    debian: 'busybox-static',
    // SigCgt shows SIGUSR1 only (measured in test/catalogue-ns.test.ts)
    signals: noHandler('busybox dd', 'busybox coreutils/dd.c dd_main() installs one handler, signal_SA_RESTART_empty_mask(SIGUSR1, dd_output_status)'),
    graceful: NOTHING_TO_DRAIN('busybox dd', 'busybox coreutils/dd.c'),
  },
  {
    id: 'dd',
    title: 'dd (coreutils)',
    kind: 'utility',
    names: ['dd'],
    debian: 'coreutils',
    signals: {
      ...noHandler('dd', 'coreutils src/dd.c install_signal_handlers() catches SIGINFO (SIGUSR1 on Linux) and SIGINT only'),
      SIGINT: {
        reaction: 'exits',
        status: 1,
        mask: 'SigCgt',
        note: 'dd prints its statistics and re-raises INT, which the kernel drops at PID 1; it then fails on the input it closed and exits 1 (measured)',
        source: 'coreutils src/dd.c interrupt_handler() and process_signals(): cleanup(), print_stats(), raise(interrupt_signal)',
      },
    },
    graceful: NOTHING_TO_DRAIN('dd', 'coreutils src/dd.c'),
  },
  {
    id: 'watch',
    title: 'watch (procps)',
    kind: 'utility',
    names: ['watch'],
    debian: 'procps',
    signals: {
      SIGTERM: {
        reaction: 'exits',
        status: 0,
        mask: 'SigCgt',
        note: 'procps watch installs die() for TERM, INT and HUP: it restores the terminal and exits 0',
        source: 'procps src/watch.c main(): signal(SIGTERM, die)',
      },
      SIGINT: { reaction: 'exits', status: 0, mask: 'SigCgt', note: 'procps watch exits 0 on INT', source: 'procps src/watch.c main(): signal(SIGINT, die)' },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'procps watch has no QUIT handler', source: `procps src/watch.c; ${KERNEL}` },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: 'procps watch exits on TERM or INT (nothing to drain)', source: 'procps src/watch.c' },
  },
  {
    id: 'busybox-watch',
    title: 'watch (busybox)',
    kind: 'utility',
    names: ['watch'],
    busybox: 'only',
    debian: 'busybox-static',
    signals: noHandler('busybox watch', 'busybox procps/watch.c installs no handlers (unlike procps watch)'),
    graceful: NOTHING_TO_DRAIN('busybox watch', 'busybox procps/watch.c'),
  },

  // ---- shells running a loop (shell launch behaviour itself is in shell.ts) -------------------------
  {
    id: 'dash',
    title: 'dash running a loop',
    kind: 'shell',
    names: ['dash'],
    debian: 'dash',
    signals: {
      SIGTERM: { reaction: 'dropped', mask: 'none', note: 'a non-interactive dash without a trap has no TERM handler; a loop never execs, so dash stays PID 1', source: `dash(1) (traps); ${KERNEL}` },
      SIGINT: {
        reaction: 'exits',
        status: 130,
        mask: 'SigCgt',
        note: 'dash as PID 1 catches INT (onint) and ends the loop once the foreground command returns',
        source: 'dash src/trap.c setsignal()/onint(); measured',
      },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'dash has no QUIT handler', source: `dash src/trap.c; ${KERNEL}` },
    },
    graceful: { signals: [], note: "a shell loop stops only through a trap: `trap 'exit 0' TERM` (the trap runs after the foreground command ends)", source: 'dash(1) trap' },
    notes: [
      {
        text: '`while true; do ...; done` is a compound command: no shell execs it, so the shell stays PID 1 and the loop body never sees the signal',
        source: 'shell.ts (measured with dash, bash and busybox ash)',
      },
    ],
  },
  {
    id: 'bash',
    title: 'bash running a loop',
    kind: 'shell',
    names: ['bash'],
    debian: 'bash',
    signals: {
      SIGTERM: { reaction: 'dropped', mask: 'none', note: 'non-interactive bash without a trap has no TERM handler', source: `bash(1) SIGNALS; ${KERNEL}` },
      SIGINT: {
        reaction: 'continues',
        mask: 'SigCgt',
        note: 'bash waits for the foreground child; since the child did not die of INT, bash carries on with the loop (wait-and-cooperative-exit)',
        source: 'bash jobs.c wait_for() (cooperative SIGINT exit); measured',
      },
      SIGQUIT: { reaction: 'ignored', mask: 'SigIgn', note: 'bash ignores QUIT', source: 'bash(1) SIGNALS: bash ignores SIGQUIT' },
    },
    graceful: { signals: [], note: 'a bash loop stops only through a trap', source: 'bash(1) trap' },
  },
  {
    id: 'ash',
    title: 'busybox ash running a loop',
    kind: 'shell',
    names: ['ash'],
    busybox: 'only',
    debian: 'busybox-static',
    signals: {
      SIGTERM: { reaction: 'dropped', mask: 'none', note: 'busybox ash without a trap has no TERM handler', source: `busybox shell/ash.c setsignal(); ${KERNEL}` },
      SIGINT: {
        reaction: 'exits',
        status: 130,
        mask: 'SigCgt',
        note: 'ash as PID 1 ends the loop on INT once the foreground command returns',
        source: 'busybox shell/ash.c setsignal()/onint(); measured',
      },
      SIGQUIT: { reaction: 'ignored', mask: 'SigIgn', note: 'busybox ash ignores QUIT', source: 'busybox shell/ash.c setsignal(): S_IGN for SIGQUIT' },
    },
    graceful: { signals: [], note: 'an ash loop stops only through a trap', source: 'busybox shell/ash.c trapcmd' },
  },

  // ---- language runtimes --------------------------------------------------------------------------
  {
    id: 'python',
    title: 'CPython',
    kind: 'runtime',
    names: ['python', 'python3', 'python2', 'pypy', 'pypy3'],
    versioned: true,
    debian: 'python3',
    signals: {
      SIGTERM: {
        reaction: 'dropped',
        mask: 'none',
        note: 'CPython installs a handler for SIGINT only (and ignores SIGPIPE); without signal.signal(SIGTERM, ...) in the program or its server, TERM is dropped',
        source: 'https://docs.python.org/3/library/signal.html (General rules)',
      },
      SIGINT: {
        reaction: 'exits',
        status: 130,
        mask: 'SigCgt',
        note: 'KeyboardInterrupt unwinds (finally blocks run); unhandled, CPython re-raises INT with SIG_DFL, which is dropped at PID 1, and exits 130',
        source: 'CPython Modules/main.c exit_sigint()',
      },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'CPython has no QUIT handler', source: `https://docs.python.org/3/library/signal.html; ${KERNEL}` },
    },
    graceful: { signals: ['SIGINT'], note: 'only SIGINT, as KeyboardInterrupt, unless the program installs a SIGTERM handler', source: 'https://docs.python.org/3/library/signal.html' },
    code: {
      language: 'python',
      how: 'the program (or the server it starts) installs a SIGTERM handler',
      seenAs: ['signal.signal(signal.SIGTERM, handler)', 'loop.add_signal_handler(signal.SIGTERM, ...)', 'uvicorn.run(...)', 'web.run_app(...)'],
      source: 'https://docs.python.org/3/library/signal.html#signal.signal; https://docs.python.org/3/library/asyncio-eventloop.html#unix-signals',
    },
  },
  {
    id: 'node',
    title: 'Node.js',
    kind: 'runtime',
    names: ['node', 'nodejs'],
    versioned: true,
    debian: 'nodejs',
    signals: {
      SIGTERM: {
        reaction: 'reraised',
        mask: 'SigCgt',
        note: "Node's default TERM handler resets the terminal and re-raises with SIG_DFL (reset on first use): dropped at PID 1. SigCgt shows TERM all the same",
        source: 'node src/node.cc SignalExit() (RegisterSignalHandler(SIGTERM, SignalExit, true)); https://nodejs.org/api/process.html#signal-events',
      },
      SIGINT: {
        reaction: 'reraised',
        mask: 'SigCgt',
        note: 'same default handler as TERM: re-raised and dropped at PID 1',
        source: 'node src/node.cc SignalExit(); https://nodejs.org/api/process.html#signal-events',
      },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'Node has no QUIT handler', source: `https://nodejs.org/api/process.html#signal-events; ${KERNEL}` },
    },
    graceful: { signals: [], note: "only what the program listens for with process.on('SIGTERM'|'SIGINT', ...)", source: 'https://nodejs.org/api/process.html#signal-events' },
    code: {
      language: 'javascript',
      how: 'the program listens for the signal',
      seenAs: ["process.on('SIGTERM', ...)", "process.once('SIGTERM', ...)", "process.addListener('SIGINT', ...)"],
      source: 'https://nodejs.org/api/process.html#signal-events',
    },
  },
  {
    id: 'deno',
    title: 'Deno',
    kind: 'runtime',
    names: ['deno'],
    signals: {
      SIGTERM: {
        reaction: 'program-decides',
        mask: 'none',
        note: 'the program listens with Deno.addSignalListener; the default at PID 1 is not verified here (Deno is not in Debian)',
        source: 'https://docs.deno.com/api/deno/~/Deno.addSignalListener',
      },
    },
    graceful: { signals: [], note: 'only what the program listens for', source: 'https://docs.deno.com/api/deno/~/Deno.addSignalListener' },
    code: {
      language: 'javascript',
      how: 'Deno.addSignalListener("SIGTERM", ...)',
      seenAs: ["Deno.addSignalListener('SIGTERM', ...)"],
      source: 'https://docs.deno.com/api/deno/~/Deno.addSignalListener',
    },
  },
  {
    id: 'bun',
    title: 'Bun',
    kind: 'runtime',
    names: ['bun'],
    signals: {
      SIGTERM: {
        reaction: 'program-decides',
        mask: 'none',
        note: "Bun implements Node's process.on signal events; the default at PID 1 is not verified here (Bun is not in Debian)",
        source: 'https://bun.sh/guides/process/os-signals',
      },
    },
    graceful: { signals: [], note: 'only what the program listens for', source: 'https://bun.sh/guides/process/os-signals' },
    code: { language: 'javascript', how: "process.on('SIGTERM', ...)", seenAs: ["process.on('SIGTERM', ...)"], source: 'https://bun.sh/guides/process/os-signals' },
  },
  {
    id: 'java',
    title: 'the JVM (OpenJDK)',
    kind: 'runtime',
    names: ['java'],
    debian: 'default-jre-headless',
    signals: {
      SIGTERM: {
        reaction: 'exits',
        status: 143,
        mask: 'SigCgt',
        note: 'the JVM runs its shutdown hooks and exits 128+15; a graceful stop is whatever the hooks do (Spring Boot: server.shutdown=graceful)',
        source: 'OpenJDK java.base/share/classes/java/lang/Terminator.java (Signal.handle TERM -> Shutdown.exit(0200 + sig)); Runtime.addShutdownHook javadoc',
      },
      SIGINT: { reaction: 'exits', status: 130, mask: 'SigCgt', note: 'shutdown hooks run, exit 128+2', source: 'OpenJDK java/lang/Terminator.java' },
      SIGQUIT: {
        reaction: 'continues',
        mask: 'SigCgt',
        note: 'the JVM prints a thread dump and keeps running',
        source: 'https://docs.oracle.com/en/java/javase/17/troubleshoot/handle-signals-and-exceptions.html',
      },
    },
    graceful: {
      signals: ['SIGTERM', 'SIGINT'],
      note: 'shutdown hooks run on TERM and INT (unless -Xrs)',
      source: 'https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/lang/Runtime.html#addShutdownHook(java.lang.Thread)',
    },
  },
  {
    id: 'go',
    title: 'a Go program',
    kind: 'runtime',
    names: [],
    signals: {
      SIGTERM: {
        reaction: 'exits',
        status: 2,
        mask: 'SigCgt',
        note: 'the Go runtime catches every signal (so PID 1 does receive TERM); without signal.Notify it re-raises with SIG_DFL (dropped at PID 1) and then exit(2): fast, but no graceful stop',
        source: 'https://pkg.go.dev/os/signal (Default behavior); Go src/runtime/signal_unix.go dieFromSignal()',
      },
      SIGINT: { reaction: 'exits', status: 2, mask: 'SigCgt', note: 'as TERM: exit(2) after the dropped re-raise', source: 'Go src/runtime/signal_unix.go dieFromSignal()' },
      SIGQUIT: { reaction: 'exits', status: 2, mask: 'SigCgt', note: "the runtime dumps every goroutine's stack and exits 2", source: 'https://pkg.go.dev/os/signal (Default behavior)' },
    },
    graceful: { signals: [], note: 'only what the program takes with signal.Notify / signal.NotifyContext', source: 'https://pkg.go.dev/os/signal#Notify' },
    code: {
      language: 'go',
      how: 'the program takes the signal with signal.Notify or signal.NotifyContext',
      seenAs: ['signal.Notify(ch, syscall.SIGTERM)', 'signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)'],
      source: 'https://pkg.go.dev/os/signal#Notify',
    },
    notes: [
      {
        text: 'a Go binary has no fixed name: identify it from the build (a Go main package in an earlier stage) or from its SigCgt (every signal caught)',
        source: 'Go src/runtime/signal_unix.go initsig()',
      },
    ],
  },
  {
    id: 'rust',
    title: 'a Rust program',
    kind: 'runtime',
    names: [],
    signals: noHandler(
      "Rust's standard library",
      'the std runtime ignores SIGPIPE and catches only SIGSEGV/SIGBUS (its stack-overflow guard): measured with rustc 1.95 as PID 1, SigCgt 0x440 (test/rust-ns.test.ts)',
    ),
    graceful: {
      signals: [],
      note: 'only what the program (or a server it runs, such as actix-web) takes with tokio::signal, signal-hook, ctrlc or sigaction',
      source: 'https://docs.rs/tokio/latest/tokio/signal/index.html',
    },
    code: {
      how: 'the program (or its server) takes the signal',
      seenAs: ['tokio::signal::unix::signal(SignalKind::terminate())', 'signal_hook::flag::register(SIGTERM, ...)', 'ctrlc::set_handler(...) (termination feature)', 'actix_web::HttpServer::run()'],
      source: 'https://docs.rs/tokio/latest/tokio/signal/unix/fn.signal.html',
    },
    notes: [
      {
        text: 'a Rust binary has no fixed name: identify it from the build (a `cargo build`/`cargo install` of a crate in the build context)',
        source: 'https://doc.rust-lang.org/cargo/commands/cargo-build.html',
      },
    ],
  },
  {
    id: 'ruby',
    title: 'Ruby (MRI)',
    kind: 'runtime',
    names: ['ruby'],
    versioned: true,
    debian: 'ruby',
    signals: {
      SIGTERM: {
        reaction: 'exits',
        status: 1,
        mask: 'SigCgt',
        note: 'Ruby raises SignalException in the main thread (ensure and at_exit run); at exit it re-raises TERM with SIG_DFL, which is dropped at PID 1, and exits 1',
        source: 'ruby signal.c Init_signal() install_sighandler(SIGTERM); eval.c rb_ec_cleanup() -> ruby_default_signal()',
      },
      SIGINT: { reaction: 'exits', status: 1, mask: 'SigCgt', note: 'Interrupt exception, then as TERM: exit 1 at PID 1', source: 'ruby signal.c Init_signal(); eval.c rb_ec_cleanup()' },
      SIGQUIT: { reaction: 'exits', status: 1, mask: 'SigCgt', note: 'SignalException, exit 1 at PID 1', source: 'ruby signal.c Init_signal() install_sighandler(SIGQUIT)' },
    },
    graceful: { signals: [], note: 'a plain script just unwinds; servers (puma, unicorn) have their own', source: 'https://docs.ruby-lang.org/en/3.1/Signal.html' },
    code: { how: 'Signal.trap("TERM") { ... }', seenAs: ["Signal.trap('TERM') { ... }", "trap('TERM') { ... }"], source: 'https://docs.ruby-lang.org/en/3.1/Signal.html#method-c-trap' },
  },
  {
    id: 'perl',
    title: 'Perl',
    kind: 'runtime',
    names: ['perl'],
    versioned: true,
    debian: 'perl',
    signals: noHandler('perl', 'perlipc(1) Signals: %SIG entries are unset (default) until the program sets them'),
    graceful: { signals: [], note: 'only what the program sets in %SIG', source: 'perlipc(1)' },
    code: { how: '$SIG{TERM} = sub { ... }', seenAs: ['$SIG{TERM} = sub { ... }'], source: 'perlipc(1)' },
  },
  {
    id: 'php',
    title: 'PHP CLI',
    kind: 'runtime',
    names: ['php'],
    versioned: true,
    debian: 'php-cli',
    signals: {
      SIGTERM: {
        reaction: 'reraised',
        mask: 'SigCgt',
        note: 'Zend signal handling defers TERM and, with no pcntl_signal() handler, re-raises it with SIG_DFL: dropped at PID 1 (a running sleep() returns early; the script carries on)',
        source: 'php-src Zend/zend_signal.c zend_signal_handler() (SIG_DFL -> kill(getpid(), signo))',
      },
      SIGINT: { reaction: 'reraised', mask: 'SigCgt', note: 'as TERM', source: 'php-src Zend/zend_signal.c zend_signal_handler()' },
      SIGQUIT: { reaction: 'reraised', mask: 'SigCgt', note: 'as TERM', source: 'php-src Zend/zend_signal.c zend_signal_handler()' },
    },
    graceful: { signals: [], note: 'only pcntl_signal() handlers (with pcntl_async_signals(true) or pcntl_signal_dispatch())', source: 'https://www.php.net/manual/en/function.pcntl-signal.php' },
    code: { how: 'pcntl_signal(SIGTERM, ...)', seenAs: ['pcntl_signal(SIGTERM, $handler)'], source: 'https://www.php.net/manual/en/function.pcntl-signal.php' },
  },
  {
    id: 'php-interactive',
    title: 'PHP interactive shell (php -a)',
    kind: 'utility',
    names: [],
    debian: 'php-cli',
    signals: {
      // Zend's handler re-raises with SIG_DFL, but at the prompt readline()/libedit returns NULL on the signal and the loop ends.
      SIGTERM: {
        reaction: 'exits',
        status: 0,
        mask: 'SigCgt',
        note: "at its prompt, readline returns end of input when the signal arrives, and php -a exits 0 (measured with Debian's php 8.2 and libedit, and with GNU readline as the official images use)",
        source: 'php-src ext/readline/readline_cli.c readline_shell() (while ((line = readline(prompt)) != NULL) ...)',
      },
      SIGINT: { reaction: 'exits', status: 0, mask: 'SigCgt', note: 'as TERM', source: 'php-src ext/readline/readline_cli.c readline_shell()' },
      SIGQUIT: { reaction: 'exits', status: 0, mask: 'SigCgt', note: 'as TERM', source: 'php-src ext/readline/readline_cli.c readline_shell()' },
    },
    graceful: {
      signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'],
      note: "an interactive prompt has nothing to drain: it ends at once (a statement that is running when the signal comes is PHP CLI's case instead)",
      source: 'php-src ext/readline/readline_cli.c',
    },
  },
  {
    id: 'php-server',
    title: "PHP's built-in web server (php -S)",
    kind: 'server',
    names: [],
    debian: 'php-cli',
    signals: {
      // measured with Debian's php 8.2 as PID 1: SigCgt is SIGINT alone (the Zend handlers of `php -r` are not installed)
      SIGTERM: {
        reaction: 'dropped',
        mask: 'none',
        note: 'the CLI server takes only SIGINT: TERM keeps its default action',
        source: `php-src sapi/cli/php_cli_server.c do_cli_server() (signal(SIGINT, php_cli_server_sigint_handler)); ${KERNEL}`,
      },
      SIGINT: {
        reaction: 'exits',
        status: 0,
        mask: 'SigCgt',
        note: 'the handler ends the server loop: the listener closes and php exits 0',
        source: 'php-src sapi/cli/php_cli_server.c php_cli_server_sigint_handler()',
      },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'as TERM', source: `php-src sapi/cli/php_cli_server.c do_cli_server(); ${KERNEL}` },
    },
    graceful: {
      signals: [],
      note: 'a development server with no graceful stop: STOPSIGNAL SIGINT at least ends it at once',
      source: 'https://www.php.net/manual/en/features.commandline.webserver.php',
    },
  },
  {
    id: 'dotnet',
    title: '.NET',
    kind: 'runtime',
    names: ['dotnet'],
    signals: {
      SIGTERM: {
        reaction: 'program-decides',
        mask: 'SigCgt',
        note: 'the Generic Host (ConsoleLifetime) handles TERM, INT and QUIT and stops gracefully; without the Host it depends on the runtime version (current runtime: killed by TERM, so dropped at PID 1)',
        source: 'dotnet/runtime src/libraries/Microsoft.Extensions.Hosting/docs/HostShutdown.md; src/libraries/System.Runtime/tests/.../ExitCodeTests.Unix.cs',
      },
    },
    graceful: {
      signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'],
      note: 'with the Generic Host: StopApplication(), then HostOptions.ShutdownTimeout',
      source: 'https://learn.microsoft.com/dotnet/api/microsoft.extensions.hosting.hostinghostbuilderextensions.useconsolelifetime',
    },
    code: {
      how: 'Host.CreateDefaultBuilder(...).Build().Run(), or PosixSignalRegistration.Create(PosixSignal.SIGTERM, ...)',
      seenAs: ['builder.Build().Run()', 'PosixSignalRegistration.Create(PosixSignal.SIGTERM, ...)'],
      source: 'dotnet/runtime HostShutdown.md',
    },
  },
  {
    id: 'erlang',
    title: 'the Erlang VM (beam.smp)',
    kind: 'runtime',
    names: ['beam.smp', 'erl'],
    debian: 'erlang-base',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'erts turns TERM into init:stop(): applications stop in order, exit 0',
        source: 'OTP lib/kernel/src/erl_signal_handler.erl (sigterm -> init:stop()); https://www.erlang.org/doc/apps/kernel/kernel_app.html#os-signal-event-handler',
      },
      SIGINT: { reaction: 'continues', mask: 'SigCgt', note: 'INT opens the BREAK menu and waits on stdin (+Bi/+Bd change this)', source: 'erl(1) +B flag' },
      SIGQUIT: { reaction: 'exits', status: 0, mask: 'SigCgt', note: 'QUIT halts the VM at once', source: 'OTP lib/kernel/src/erl_signal_handler.erl (sigquit -> erlang:halt())' },
    },
    graceful: { signals: ['SIGTERM'], note: 'init:stop()', source: 'https://www.erlang.org/doc/apps/kernel/kernel_app.html#os-signal-event-handler' },
  },
  {
    id: 'r',
    title: 'R (R, Rscript)',
    kind: 'runtime',
    names: ['R', 'Rscript'],
    debian: 'r-base-core',
    signals: {
      SIGTERM: {
        reaction: 'dropped',
        mask: 'none',
        note: 'R installs handlers for INT, USR1, USR2 and PIPE (and WINCH at its prompt), none for TERM, and R code has no way to add one: TERM keeps its default action, which PID 1 of a namespace drops',
        source: `R src/main/main.c init_signal_handlers(); measured with Debian's R 4.2.2 (SigCgt 0x1e4a); ${KERNEL}`,
      },
    },
    graceful: {
      signals: [],
      note: 'R has no stop of its own: run it under an init that turns the stop into its end (pid1 init, tini), or serve the app with a server that stops on SIGTERM',
      source: 'R src/main/main.c init_signal_handlers()',
    },
  },

  // ---- Python servers, frameworks and workers ----------------------------------------------------
  {
    id: 'gunicorn',
    title: 'gunicorn',
    kind: 'server',
    names: ['gunicorn', 'gunicorn3'],
    modules: ['gunicorn'],
    debian: 'gunicorn',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'graceful shutdown: workers finish their requests within graceful_timeout',
        source: 'https://docs.gunicorn.org/en/stable/signals.html',
      },
      SIGINT: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'quick shutdown', source: 'https://docs.gunicorn.org/en/stable/signals.html' },
      SIGQUIT: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'quick shutdown', source: 'https://docs.gunicorn.org/en/stable/signals.html' },
    },
    graceful: { signals: ['SIGTERM'], note: 'TERM waits up to graceful_timeout (30 s) for workers', source: 'https://docs.gunicorn.org/en/stable/settings.html#graceful-timeout' },
  },
  {
    id: 'uvicorn',
    title: 'uvicorn',
    kind: 'server',
    names: ['uvicorn'],
    modules: ['uvicorn'],
    debian: 'python3-uvicorn',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'uvicorn handles INT and TERM: stops accepting, waits for connections, runs the lifespan shutdown',
        source: 'uvicorn/server.py HANDLED_SIGNALS = (SIGINT, SIGTERM); https://www.uvicorn.org/deployment/',
      },
      SIGINT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'as TERM', source: 'uvicorn/server.py HANDLED_SIGNALS' },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'uvicorn has no QUIT handler', source: `uvicorn/server.py HANDLED_SIGNALS; ${KERNEL}` },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: '--timeout-graceful-shutdown bounds the wait', source: 'https://www.uvicorn.org/settings/#timeouts' },
  },
  {
    id: 'hypercorn',
    title: 'hypercorn',
    kind: 'server',
    names: ['hypercorn'],
    modules: ['hypercorn'],
    debian: 'python3-hypercorn',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'hypercorn handles INT and TERM with a graceful shutdown (graceful_timeout)',
        source: 'hypercorn/asyncio/run.py worker_serve() (SIGINT, SIGTERM, SIGBREAK); https://hypercorn.readthedocs.io/en/latest/how_to_guides/configuring.html',
      },
      SIGINT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'as TERM', source: 'hypercorn/asyncio/run.py' },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'hypercorn has no QUIT handler', source: `hypercorn/asyncio/run.py; ${KERNEL}` },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: 'graceful_timeout bounds the wait', source: 'https://hypercorn.readthedocs.io/en/latest/how_to_guides/configuring.html' },
  },
  {
    id: 'celery',
    title: 'celery worker',
    kind: 'worker',
    names: ['celery'],
    modules: ['celery'],
    debian: 'python3-celery',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'warm shutdown: running tasks finish, no new ones start',
        source: 'https://docs.celeryq.dev/en/stable/userguide/workers.html#stopping-the-worker',
      },
      SIGINT: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'warm shutdown (a second INT is cold)',
        source: 'https://docs.celeryq.dev/en/stable/userguide/workers.html#stopping-the-worker',
      },
      SIGQUIT: {
        reaction: 'fast',
        status: 0,
        mask: 'SigCgt',
        note: 'cold shutdown: running tasks are terminated',
        source: 'https://docs.celeryq.dev/en/stable/userguide/workers.html#stopping-the-worker',
      },
    },
    graceful: { signals: ['SIGTERM'], note: 'warm shutdown', source: 'https://docs.celeryq.dev/en/stable/userguide/workers.html#stopping-the-worker' },
  },
  {
    id: 'django-runserver',
    title: 'Django runserver (with the autoreloader, the default)',
    kind: 'framework',
    names: [],
    debian: 'python3-django',
    signals: {
      SIGTERM: {
        reaction: 'exits',
        status: 0,
        mask: 'SigCgt',
        note: 'the autoreloader parent has `SIGTERM -> sys.exit(0)`; the server runs in its child, which the kernel SIGKILLs when PID 1 exits: requests in flight are cut',
        source: 'django/utils/autoreload.py run_with_reloader() (signal.signal(SIGTERM, lambda *args: sys.exit(0)))',
      },
      SIGINT: { reaction: 'exits', mask: 'SigCgt', note: 'KeyboardInterrupt in the parent', source: 'django/utils/autoreload.py run_with_reloader()' },
    },
    graceful: {
      signals: [],
      note: 'the development server has no graceful stop; use gunicorn or uvicorn',
      source: 'https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver (not for production)',
    },
  },
  {
    id: 'django-runserver-noreload',
    title: 'Django runserver --noreload',
    kind: 'framework',
    names: [],
    debian: 'python3-django',
    signals: {
      SIGTERM: {
        reaction: 'dropped',
        mask: 'none',
        note: "one process, CPython's handlers only: TERM dropped",
        source: `django/core/management/commands/runserver.py; https://docs.python.org/3/library/signal.html; ${KERNEL}`,
      },
      SIGINT: { reaction: 'exits', mask: 'SigCgt', note: 'KeyboardInterrupt', source: 'https://docs.python.org/3/library/signal.html' },
    },
    graceful: { signals: [], note: 'no graceful stop', source: 'https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver' },
  },
  {
    id: 'flask-dev-server',
    title: 'Flask development server (app.run(), flask run)',
    kind: 'framework',
    names: ['flask'],
    modules: ['flask'],
    debian: 'python3-flask',
    signals: {
      SIGTERM: { reaction: 'dropped', mask: 'none', note: "werkzeug's run_simple() installs no TERM handler: dropped", source: `werkzeug/serving.py run_simple(); ${KERNEL}` },
      SIGINT: { reaction: 'exits', mask: 'SigCgt', note: 'KeyboardInterrupt', source: 'https://docs.python.org/3/library/signal.html' },
    },
    graceful: { signals: [], note: 'no graceful stop; use gunicorn or another WSGI server', source: 'https://flask.palletsprojects.com/en/stable/deploying/' },
  },
  {
    id: 'flask-dev-server-reloader',
    title: 'Flask development server with the reloader (debug=True, flask run --debug/--reload)',
    kind: 'framework',
    names: [],
    debian: 'python3-flask',
    signals: {
      SIGTERM: {
        reaction: 'exits',
        status: 0,
        mask: 'SigCgt',
        note: 'the reloader parent has `SIGTERM -> sys.exit(0)`; the server is its child, SIGKILLed by the kernel when PID 1 exits',
        source: 'werkzeug/_reloader.py run_with_reloader() (signal.signal(SIGTERM, lambda *args: sys.exit(0)))',
      },
    },
    graceful: { signals: [], note: 'no graceful stop', source: 'https://flask.palletsprojects.com/en/stable/deploying/' },
  },

  // ---- Ruby servers -------------------------------------------------------------------------------
  {
    id: 'puma',
    title: 'puma',
    kind: 'server',
    names: ['puma'],
    debian: 'puma',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 1,
        mask: 'SigCgt',
        note: 'graceful stop, then puma raises SignalException("SIGTERM") (raise_exception_on_sigterm, on by default): Ruby\'s re-raise is dropped at PID 1, so the status is 1, not 143',
        source: 'https://github.com/puma/puma/blob/master/docs/signals.md; puma lib/puma/launcher.rb setup_signals',
      },
      SIGINT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'graceful stop, exit 0', source: 'https://github.com/puma/puma/blob/master/docs/signals.md' },
      SIGQUIT: {
        reaction: 'exits',
        status: 1,
        mask: 'SigCgt',
        note: "puma does not trap QUIT: Ruby's SignalException ends it without a graceful stop",
        source: 'ruby signal.c Init_signal(); puma docs/signals.md (QUIT not listed)',
      },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: 'waits for requests to finish', source: 'https://github.com/puma/puma/blob/master/docs/signals.md' },
  },
  {
    id: 'unicorn',
    title: 'unicorn',
    kind: 'server',
    names: ['unicorn', 'unicorn_rails'],
    debian: 'unicorn',
    signals: {
      SIGTERM: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'quick shutdown: workers are killed immediately', source: 'https://yhbt.net/unicorn/SIGNALS.html' },
      SIGINT: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'quick shutdown', source: 'https://yhbt.net/unicorn/SIGNALS.html' },
      SIGQUIT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'graceful shutdown: workers finish their current request', source: 'https://yhbt.net/unicorn/SIGNALS.html' },
    },
    graceful: { signals: ['SIGQUIT'], note: 'STOPSIGNAL SIGQUIT', source: 'https://yhbt.net/unicorn/SIGNALS.html' },
  },

  // ---- web servers and proxies --------------------------------------------------------------------
  {
    id: 'uwsgi',
    title: 'uWSGI with its master process (--master, or master in a config file)',
    kind: 'server',
    names: ['uwsgi', 'uwsgi_python3', 'uwsgi-core'],
    debian: 'uwsgi-core',
    signals: {
      SIGTERM: {
        reaction: 'continues',
        mask: 'SigCgt',
        note: 'the master brutally reloads every worker on TERM (reap_them_all) and keeps running',
        source: 'uWSGI core/master.c: uwsgi_unix_signal(SIGTERM, reap_them_all) unless die-on-term; https://uwsgi-docs.readthedocs.io/en/latest/Management.html',
      },
      SIGINT: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'kill_them_all: the workers are ended at once', source: 'uWSGI core/master.c: uwsgi_unix_signal(SIGINT, kill_them_all)' },
      SIGQUIT: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'kill_them_all, as INT', source: 'uWSGI core/master.c: uwsgi_unix_signal(SIGQUIT, kill_them_all)' },
    },
    graceful: {
      signals: [],
      note: "uWSGI 2.0 has no graceful-shutdown signal (HUP reloads, TERM reloads brutally, INT and QUIT kill at once): drain it in a preStop hook, or stop it through the master FIFO's graceful 'q'",
      source: 'https://uwsgi-docs.readthedocs.io/en/latest/Management.html; https://uwsgi-docs.readthedocs.io/en/latest/MasterFIFO.html',
    },
  },
  {
    id: 'uwsgi-exits',
    title: 'uWSGI with --die-on-term, or without a master process',
    kind: 'server',
    names: ['uwsgi', 'uwsgi_python3', 'uwsgi-core'],
    debian: 'uwsgi-core',
    signals: {
      SIGTERM: {
        reaction: 'fast',
        mask: 'SigCgt',
        note: 'with --die-on-term the master kills every worker at once (kill_them_all); without a master the worker exits at once (status 30)',
        source: 'uWSGI core/master.c: uwsgi_unix_signal(SIGTERM, kill_them_all) with die-on-term; measured as PID 1 in test/catalogue-ns.test.ts',
      },
      SIGINT: { reaction: 'fast', mask: 'SigCgt', note: 'kill_them_all', source: 'uWSGI core/master.c: uwsgi_unix_signal(SIGINT, kill_them_all)' },
    },
    graceful: {
      signals: [],
      note: "uWSGI 2.0 has no graceful-shutdown signal: drain it in a preStop hook, or stop it through the master FIFO's graceful 'q'",
      source: 'https://uwsgi-docs.readthedocs.io/en/latest/Management.html',
    },
  },
  {
    id: 'nginx',
    title: 'nginx',
    kind: 'server',
    names: ['nginx'],
    debian: 'nginx-light',
    signals: {
      SIGTERM: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'fast shutdown: open connections are closed', source: 'https://nginx.org/en/docs/control.html' },
      SIGINT: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'fast shutdown', source: 'https://nginx.org/en/docs/control.html' },
      SIGQUIT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'graceful shutdown: workers finish serving open requests', source: 'https://nginx.org/en/docs/control.html' },
    },
    graceful: {
      signals: ['SIGQUIT'],
      note: 'the official image sets STOPSIGNAL SIGQUIT since 1.19.5 and 1.18.0 (2020); from mid-2017 to then it set SIGTERM',
      source: 'https://nginx.org/en/docs/control.html',
    },
  },
  {
    id: 'httpd',
    title: 'Apache httpd',
    kind: 'server',
    // httpd-foreground (the official httpd image) and apache2-foreground (php:*-apache) end in `exec httpd/apache2 -DFOREGROUND "$@"`.
    names: ['httpd', 'apache2', 'httpd-foreground', 'apache2-foreground'],
    debian: 'apache2',
    signals: {
      SIGTERM: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'stop now: children are killed, requests in progress are cut', source: 'https://httpd.apache.org/docs/2.4/stopping.html' },
      SIGINT: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'treated as TERM (stop now)', source: 'httpd server/mpm/event/event.c set_signals() (SIGINT and SIGTERM -> sig_term)' },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'httpd has no QUIT handler', source: `https://httpd.apache.org/docs/2.4/stopping.html; ${KERNEL}` },
    },
    graceful: {
      signals: ['SIGWINCH'],
      note: 'graceful-stop: children finish their requests (GracefulShutdownTimeout); the official image sets STOPSIGNAL SIGWINCH',
      source: 'https://httpd.apache.org/docs/2.4/stopping.html#gracefulstop',
    },
  },
  {
    id: 'php-fpm',
    title: 'php-fpm',
    kind: 'server',
    names: ['php-fpm'],
    versioned: true,
    debian: 'php-fpm',
    signals: {
      SIGTERM: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'immediate termination ("Terminating ...")', source: 'php-fpm(8) SIGNALS' },
      SIGINT: { reaction: 'fast', status: 0, mask: 'SigCgt', note: 'immediate termination', source: 'php-fpm(8) SIGNALS' },
      SIGQUIT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'graceful stop ("Finishing ...")', source: 'php-fpm(8) SIGNALS' },
    },
    graceful: { signals: ['SIGQUIT'], note: 'process_control_timeout bounds the wait; the official image sets STOPSIGNAL SIGQUIT', source: 'php-fpm(8)' },
  },
  {
    id: 'haproxy',
    title: 'HAProxy (without master-worker mode)',
    kind: 'server',
    names: ['haproxy'],
    debian: 'haproxy',
    signals: {
      SIGTERM: {
        reaction: 'dropped',
        mask: 'none',
        note: "plain haproxy relies on TERM's default action for its hard stop and installs no handler: dropped at PID 1. Run it with -W (master-worker), as the official image does",
        source: `https://docs.haproxy.org/2.6/management.html#4 (SIGTERM: hard stop); ${KERNEL}`,
      },
      SIGINT: { reaction: 'dropped', mask: 'none', note: 'as TERM', source: `https://docs.haproxy.org/2.6/management.html#4; ${KERNEL}` },
      SIGQUIT: { reaction: 'continues', mask: 'SigCgt', note: 'QUIT dumps memory pool usage and keeps running', source: 'https://docs.haproxy.org/2.6/management.html#4' },
    },
    graceful: {
      signals: ['SIGUSR1'],
      note: 'soft-stop: listeners close, sessions finish (hard-stop-after bounds it); the official image sets STOPSIGNAL SIGUSR1',
      source: 'https://docs.haproxy.org/2.6/management.html#4',
    },
  },
  {
    id: 'haproxy-master-worker',
    title: 'HAProxy in master-worker mode (-W, -Ws)',
    kind: 'server',
    names: [],
    debian: 'haproxy',
    signals: {
      SIGTERM: {
        reaction: 'fast',
        status: 0,
        mask: 'SigCgt',
        note: 'the master passes TERM to the workers (hard stop) and exits 0',
        source: 'https://docs.haproxy.org/2.6/management.html#4 (master-worker)',
      },
      SIGINT: { reaction: 'fast', status: 130, mask: 'SigCgt', note: "hard stop; the master exits with the worker's status 130", source: 'https://docs.haproxy.org/2.6/management.html#4' },
      SIGQUIT: {
        reaction: 'ignored',
        mask: 'SigIgn',
        note: 'the master sets QUIT to SIG_IGN (measured: SigIgn has it)',
        source: 'https://docs.haproxy.org/2.6/management.html#4 (master-worker: the master handles TERM, INT, USR1, USR2, HUP, CHLD only)',
      },
    },
    graceful: { signals: ['SIGUSR1'], note: 'soft-stop', source: 'https://docs.haproxy.org/2.6/management.html#4' },
  },
  {
    id: 'caddy',
    title: 'Caddy',
    kind: 'server',
    names: ['caddy'],
    debian: 'caddy',
    signals: {
      SIGTERM: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'graceful exit (grace_period bounds it)', source: 'https://caddyserver.com/docs/command-line#signals' },
      SIGINT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'graceful exit; a second INT forces it', source: 'https://caddyserver.com/docs/command-line#signals' },
      SIGQUIT: { reaction: 'exits', status: 2, mask: 'SigCgt', note: 'quits immediately (cleans up locks), exit 2', source: 'https://caddyserver.com/docs/command-line#signals' },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: 'global option grace_period', source: 'https://caddyserver.com/docs/caddyfile/options#grace-period' },
  },
  {
    id: 'traefik',
    title: 'Traefik',
    kind: 'server',
    names: ['traefik'],
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        mask: 'SigCgt',
        note: 'Traefik cancels its context on INT/TERM and lets requests finish for lifeCycle.graceTimeOut (10 s)',
        source: 'traefik cmd/context.go ContextWithSignal (signal.Notify SIGINT, SIGTERM); https://doc.traefik.io/traefik/routing/entrypoints/#lifecycle',
      },
      SIGINT: { reaction: 'graceful', mask: 'SigCgt', note: 'as TERM', source: 'traefik cmd/context.go ContextWithSignal' },
      SIGQUIT: { reaction: 'exits', status: 2, mask: 'SigCgt', note: 'Go runtime default: stack dump, exit 2', source: 'https://pkg.go.dev/os/signal (Default behavior)' },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: 'entryPoints.<name>.transport.lifeCycle.graceTimeOut', source: 'https://doc.traefik.io/traefik/routing/entrypoints/#lifecycle' },
  },
  {
    id: 'envoy',
    title: 'Envoy',
    kind: 'server',
    names: ['envoy'],
    signals: {
      SIGTERM: {
        reaction: 'fast',
        mask: 'SigCgt',
        note: 'Envoy shuts down on TERM without draining listeners; drain first (POST /drain_listeners?graceful, or /healthcheck/fail) in a preStop hook',
        source: 'envoy source/server/server.cc RunHelper (listenForSignal(SIGTERM, ... instance.shutdown())); https://www.envoyproxy.io/docs/envoy/latest/operations/admin#post--drain_listeners',
      },
      SIGINT: { reaction: 'fast', mask: 'SigCgt', note: 'as TERM', source: 'envoy source/server/server.cc RunHelper' },
    },
    graceful: { signals: [], note: 'no signal drains Envoy: use the admin API before the stop signal', source: 'https://www.envoyproxy.io/docs/envoy/latest/operations/admin#post--drain_listeners' },
  },

  // ---- databases and brokers ----------------------------------------------------------------------
  {
    id: 'postgres',
    title: 'PostgreSQL',
    kind: 'server',
    names: ['postgres', 'postmaster'],
    debian: 'postgresql',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'smart shutdown: waits for every client to disconnect (may outlast the grace period)',
        source: 'https://www.postgresql.org/docs/current/server-shutdown.html',
      },
      SIGINT: {
        reaction: 'fast',
        status: 0,
        mask: 'SigCgt',
        note: 'fast shutdown: clients are disconnected, a clean checkpoint is written',
        source: 'https://www.postgresql.org/docs/current/server-shutdown.html',
      },
      SIGQUIT: {
        reaction: 'exits',
        status: 0,
        mask: 'SigCgt',
        note: 'immediate shutdown: no checkpoint, crash recovery at next start',
        source: 'https://www.postgresql.org/docs/current/server-shutdown.html',
      },
    },
    graceful: {
      signals: ['SIGINT', 'SIGTERM'],
      note: 'INT is the clean stop that fits a grace period (the official image sets STOPSIGNAL SIGINT); TERM waits for all clients',
      source: 'https://www.postgresql.org/docs/current/server-shutdown.html',
    },
  },
  {
    id: 'mysqld',
    title: 'MySQL / MariaDB',
    kind: 'server',
    names: ['mysqld', 'mariadbd'],
    debian: 'mariadb-server',
    signals: {
      SIGTERM: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'normal shutdown (like SHUTDOWN)', source: 'https://dev.mysql.com/doc/refman/8.0/en/unix-signal-response.html' },
      SIGINT: {
        reaction: 'ignored',
        mask: 'SigBlk',
        note: 'INT is blocked and not acted on (unless --gdb): the server keeps running',
        source: 'https://dev.mysql.com/doc/refman/8.0/en/unix-signal-response.html',
      },
      SIGQUIT: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigBlk',
        note: "MariaDB's signal thread takes QUIT with sigwait() and shuts down normally (SigCgt does not show it)",
        source: 'MariaDB sql/mysqld.cc signal_hand() (sigwait on QUIT, TERM, HUP)',
      },
    },
    graceful: { signals: ['SIGTERM'], note: 'normal shutdown', source: 'https://dev.mysql.com/doc/refman/8.0/en/unix-signal-response.html' },
  },
  {
    id: 'redis',
    title: 'Redis',
    kind: 'server',
    names: ['redis-server'],
    debian: 'redis-server',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'schedules a shutdown: saves the RDB if configured, exits 0',
        source: 'https://redis.io/docs/latest/operate/oss_and_stack/reference/signals/',
      },
      SIGINT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'as TERM', source: 'https://redis.io/docs/latest/operate/oss_and_stack/reference/signals/' },
      SIGQUIT: { reaction: 'dropped', mask: 'none', note: 'Redis has no QUIT handler', source: `https://redis.io/docs/latest/operate/oss_and_stack/reference/signals/; ${KERNEL}` },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: 'shutdown-timeout bounds replica catch-up', source: 'https://redis.io/docs/latest/operate/oss_and_stack/reference/signals/' },
  },
  {
    id: 'mongod',
    title: 'MongoDB',
    kind: 'server',
    names: ['mongod', 'mongos'],
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigBlk',
        note: 'clean shutdown (a signal-processing thread takes TERM)',
        source: 'https://www.mongodb.com/docs/manual/tutorial/manage-mongodb-processes/#use-kill',
      },
      SIGINT: { reaction: 'graceful', status: 0, mask: 'SigBlk', note: 'clean shutdown', source: 'https://www.mongodb.com/docs/manual/tutorial/manage-mongodb-processes/#use-kill' },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: 'clean shutdown', source: 'https://www.mongodb.com/docs/manual/tutorial/manage-mongodb-processes/' },
  },
  {
    id: 'rabbitmq',
    title: 'RabbitMQ',
    kind: 'server',
    names: ['rabbitmq-server'],
    debian: 'rabbitmq-server',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'the rabbitmq-server script traps TERM, stops the node and exits 0',
        source: 'rabbitmq-server script (trap "stop_rabbitmq_server; exit 0" TERM); deps/rabbitmq_prelaunch/src/rabbit_prelaunch_sighandler.erl',
      },
      SIGINT: { reaction: 'graceful', status: 130, mask: 'SigCgt', note: 'trapped: stops the node, exits 130', source: 'rabbitmq-server script (trap "stop_rabbitmq_server; exit 130" INT)' },
    },
    graceful: { signals: ['SIGTERM'], note: 'the node stops its applications in order', source: 'https://www.rabbitmq.com/docs/man/rabbitmq-server.8' },
  },

  // ---- supervisors and cron -----------------------------------------------------------------------
  {
    id: 'supervisord',
    title: 'supervisord',
    kind: 'supervisor',
    names: ['supervisord'],
    debian: 'supervisor',
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        status: 0,
        mask: 'SigCgt',
        note: 'stops every program with its stopsignal, waits stopwaitsecs, then exits',
        source: 'http://supervisord.org/running.html#signals',
      },
      SIGINT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'as TERM', source: 'http://supervisord.org/running.html#signals' },
      SIGQUIT: { reaction: 'graceful', status: 0, mask: 'SigCgt', note: 'as TERM', source: 'http://supervisord.org/running.html#signals' },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'], note: 'each program gets its own stopsignal', source: 'http://supervisord.org/configuration.html#program-x-section-settings' },
  },
  {
    id: 'runsvdir',
    title: 'runsvdir (runit)',
    kind: 'supervisor',
    // runsvdir-start: Debian's and Ubuntu's older runit packages installed runit's etc/debian/2 under this name, which execs runsvdir -P /etc/service.
    names: ['runsvdir', 'runsvdir-start'],
    debian: 'runit',
    signals: {
      SIGTERM: {
        reaction: 'exits',
        status: 0,
        mask: 'SigCgt',
        note: 'runsvdir exits 0 at once without signalling its runsv processes: the services die with the namespace, their stop never runs',
        source: 'runsvdir(8) ("If runsvdir receives a TERM signal, it exits with 0 immediately"); runit src/runsvdir.c; measured with Debian runit 2.1.2',
      },
    },
    graceful: {
      signals: [],
      note: "runsvdir has no stop that waits for its services (on HUP it sends TERM to each runsv and exits at once, 111): run the service itself as PID 1, or use an init that takes the services down first (runit's stage 3, phusion's my_init)",
      source: 'runsvdir(8); runsv(8)',
    },
  },
  {
    id: 'mysqld_safe',
    title: 'mysqld_safe / mariadbd-safe (MySQL, MariaDB)',
    kind: 'supervisor',
    names: ['mysqld_safe', 'mariadbd-safe', 'safe_mysqld'],
    signals: {
      SIGTERM: {
        reaction: 'ignored',
        mask: 'SigIgn',
        note: "`trap '' 1 2 3 15` (\"we shouldn't let anyone kill us\"): HUP, INT, QUIT and TERM are set to SIG_IGN",
        source: 'MySQL and MariaDB scripts/mysqld_safe.sh',
      },
      SIGINT: { reaction: 'ignored', mask: 'SigIgn', note: 'as TERM', source: 'MySQL and MariaDB scripts/mysqld_safe.sh' },
      SIGQUIT: { reaction: 'ignored', mask: 'SigIgn', note: 'as TERM', source: 'MySQL and MariaDB scripts/mysqld_safe.sh' },
    },
    graceful: {
      signals: [],
      note: 'it restarts mysqld and ignores the stop signals: run mysqld (mariadbd) itself as PID 1, which shuts down on SIGTERM',
      source: 'MySQL and MariaDB scripts/mysqld_safe.sh',
    },
  },
  {
    id: 'cron',
    title: 'cron (Debian vixie cron)',
    kind: 'cron',
    names: ['cron'],
    debian: 'cron',
    signals: noHandler('Debian cron -f', 'cron(8); Debian cron cron.c installs handlers for HUP and CHLD only'),
    graceful: NOTHING_TO_DRAIN('cron', 'cron(8)'),
  },
  {
    id: 'busybox-crond',
    title: 'crond (busybox, Alpine)',
    kind: 'cron',
    names: ['crond'],
    busybox: 'only',
    debian: 'busybox-static',
    signals: noHandler('busybox crond -f', 'busybox miscutils/crond.c installs no handlers'),
    graceful: NOTHING_TO_DRAIN('busybox crond', 'busybox miscutils/crond.c'),
  },
  {
    id: 'cronie',
    title: 'crond (cronie: Fedora, RHEL)',
    kind: 'cron',
    names: ['crond'],
    signals: {
      SIGTERM: { reaction: 'exits', mask: 'SigCgt', note: 'cronie sets got_sigintterm and exits its main loop (running jobs are not waited for)', source: 'cronie src/cron.c sigintterm_handler()' },
      SIGINT: { reaction: 'exits', mask: 'SigCgt', note: 'as TERM', source: 'cronie src/cron.c sigintterm_handler()' },
    },
    graceful: { signals: [], note: 'exits without waiting for jobs', source: 'cronie src/cron.c' },
  },
  {
    id: 'supercronic',
    title: 'supercronic',
    kind: 'cron',
    names: ['supercronic'],
    signals: {
      SIGTERM: {
        reaction: 'graceful',
        mask: 'SigCgt',
        note: 'waits for running jobs to finish, then exits',
        source: 'aptible/supercronic main.go (signal.Notify SIGINT, SIGTERM, SIGUSR2; wg.Wait())',
      },
      SIGINT: { reaction: 'graceful', mask: 'SigCgt', note: 'as TERM', source: 'aptible/supercronic main.go' },
      SIGQUIT: { reaction: 'exits', status: 2, mask: 'SigCgt', note: 'Go runtime default: stack dump, exit 2', source: 'https://pkg.go.dev/os/signal (Default behavior)' },
    },
    graceful: { signals: ['SIGTERM', 'SIGINT'], note: 'waits for jobs', source: 'aptible/supercronic main.go' },
  },
];

const BY_ID = new Map(CATALOGUE.map((e) => [e.id, e]));

/** Entries by each of their names, in catalogue order (a lookup per program on every launch chain). */
const BY_NAME = new Map<string, CatalogueEntry[]>();
for (const e of CATALOGUE) for (const n of new Set(e.names)) BY_NAME.set(n, [...(BY_NAME.get(n) ?? []), e]);

/** An entry by its id (throws on a typo in pid1's own code). */
/** The entry with this id, if there is one. */
export function catalogueEntryById(id: string): CatalogueEntry | undefined {
  return BY_ID.get(id);
}

export function catalogueById(id: string): CatalogueEntry {
  const e = BY_ID.get(id);
  if (!e) throw new Error(`no catalogue entry "${id}"`);
  return e;
}

/** `python3.12` -> `python3`, `php-fpm8.2` -> `php-fpm`, `ruby3.1` -> `ruby`. */
function withoutVersion(name: string): string {
  return name.replace(/[-_]?\d+(\.\d+)*$/, '');
}

interface LookupOptions {
  /** The executable is busybox (an applet symlink or `busybox APPLET`): prefer busybox's behaviour. */
  busybox?: boolean;
  /** The image's environment: FLASK_DEBUG / FLASK_ENV turn on the Flask reloader. */
  env?: Readonly<Record<string, string>>;
}

/** The entry for an executable, by path or basename; undefined when pid1 does not know it. */
export function catalogueEntry(executable: string, opts: LookupOptions = {}): CatalogueEntry | undefined {
  const name = basename(executable);
  const candidates = (n: string, versioned: boolean): CatalogueEntry[] => (BY_NAME.get(n) ?? []).filter((e) => !versioned || e.versioned);
  let found = candidates(name, false);
  if (found.length === 0) {
    const bare = withoutVersion(name);
    if (bare !== name) found = candidates(bare, true).concat(candidates(withoutVersion(bare), true));
  }
  if (found.length === 0) return undefined;
  // The same name can be a busybox applet and another implementation (watch, crond): pick by the hint.
  if (opts.busybox) return found.find((e) => e.busybox !== undefined) ?? found[0];
  return found.find((e) => e.busybox !== 'only') ?? found[0];
}

interface ArgvMatch {
  entry: CatalogueEntry;
  /** Index in argv of the word that decided (the executable, the module, the subcommand). */
  index: number;
}

const RELOAD_FLAGS = new Set(['--reload', '--debug']);

/**
 * The entry for a whole command line: understands `busybox APPLET`, `python -m MODULE`,
 * `python manage.py runserver [--noreload]`, `django-admin runserver`, `flask run [--debug|--reload]`,
 * `haproxy -W`. Undefined when neither the command nor its program is known.
 */
export function catalogueEntryForArgv(argv: readonly string[], opts: LookupOptions = {}): ArgvMatch | undefined {
  const exe = argv[0];
  if (exe === undefined) return undefined;
  const name = basename(exe);
  if ((name === 'busybox' || name === 'busybox.static') && argv[1] !== undefined) {
    const applet = argv[1] === 'sh' ? 'ash' : argv[1];
    const entry = catalogueEntry(applet, { busybox: true });
    return entry ? { entry, index: 1 } : undefined;
  }
  const runtime = catalogueEntry(exe, opts);
  if (runtime?.id === 'python') {
    // python [-u -O -X opt ...] -m MODULE ... | python [opts] SCRIPT ...
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i] ?? '';
      if (a === '-m') return moduleMatch(argv, i + 1, opts.env) ?? { entry: runtime, index: 0 };
      if (a === '-X' || a === '-W' || a === '-c') {
        if (a === '-c') break;
        i++;
        continue;
      }
      if (a.startsWith('-')) continue;
      if (basename(a) === 'manage.py' && argv.slice(i + 1).includes('runserver')) return djangoMatch(argv, i);
      break;
    }
    return { entry: runtime, index: 0 };
  }
  // `php -a`: the interactive shell (the official php images' CMD), not a script.
  if (runtime?.id === 'php' && argv.slice(1).includes('-a')) return { entry: catalogueById('php-interactive'), index: 0 };
  // `php -S ADDR [ROUTER]`: the built-in web server (a router script runs per request, after the handlers are set)
  if (runtime?.id === 'php' && argv.slice(1).some((x) => x === '-S' || /^-S./.test(x))) return { entry: catalogueById('php-server'), index: 0 };
  if (name === 'django-admin' && argv.includes('runserver')) return djangoMatch(argv, 0);
  if (name === 'flask') return flaskMatch(argv, 0, opts.env);
  if (runtime?.id === 'haproxy' && argv.some((a) => a === '-W' || a === '-Ws')) return { entry: catalogueById('haproxy-master-worker'), index: 0 };
  if (runtime?.id === 'uwsgi') return { entry: catalogueById(uwsgiMaster(argv) ? 'uwsgi' : 'uwsgi-exits'), index: 0 };
  return runtime ? { entry: runtime, index: 0 } : undefined;
}

/**
 * Does uWSGI run its master process, without --die-on-term (then TERM reloads it)? A config file pid1 does not
 * read (--ini, --yaml, --json, --xml, a positional .ini) is taken to set `master`, as nearly every one does;
 * either way TERM is no graceful stop.
 */
function uwsgiMaster(argv: readonly string[]): boolean {
  const a = argv.slice(1);
  if (a.some((x) => /^--die-on-term(=(true|1))?$/.test(x))) return false;
  if (a.some((x) => /^(-M|--master)(=(true|1))?$/.test(x))) return true;
  return a.some((x) => /^--(ini|yaml|yml|json|xml)(=|$)|\.(ini|ya?ml|json|xml)$/.test(x));
}

function moduleMatch(argv: readonly string[], i: number, env?: Readonly<Record<string, string>>): ArgvMatch | undefined {
  const mod = argv[i];
  if (mod === undefined) return undefined;
  if (mod === 'flask') return flaskMatch(argv, i, env);
  if (mod === 'django' && argv.includes('runserver')) return djangoMatch(argv, i);
  const entry = CATALOGUE.find((e) => e.modules?.includes(mod));
  return entry ? { entry, index: i } : undefined;
}

function djangoMatch(argv: readonly string[], i: number): ArgvMatch {
  // runserver uses the autoreloader unless --noreload (django/core/management/commands/runserver.py).
  return { entry: catalogueById(argv.includes('--noreload') ? 'django-runserver-noreload' : 'django-runserver'), index: i };
}

function flaskMatch(argv: readonly string[], i: number, env: Readonly<Record<string, string>> = {}): ArgvMatch | undefined {
  if (!argv.slice(i + 1).includes('run')) return undefined;
  // `flask run` reloads with --debug or --reload unless --no-reload (flask/cli.py run_command); debug mode
  // also comes from FLASK_DEBUG, and before Flask 2.3 from FLASK_ENV=development (flask/helpers.py get_debug_flag()).
  const debugEnv = /^(1|true|yes|on)$/i.test(env.FLASK_DEBUG ?? '') || (env.FLASK_DEBUG === undefined && env.FLASK_ENV === 'development');
  const reload = (argv.some((a) => RELOAD_FLAGS.has(a)) || debugEnv) && !argv.includes('--no-reload');
  return { entry: catalogueById(reload ? 'flask-dev-server-reloader' : 'flask-dev-server'), index: i };
}

/** What the entry says about one signal; `program-decides` when it says nothing. */
export function behaviourOn(entry: CatalogueEntry, signal: string): SignalBehaviour {
  const s = (signal.startsWith('SIG') ? signal : `SIG${signal}`).toUpperCase();
  const known = (STOP_SIGNALS as readonly string[]).includes(s) ? entry.signals[s as StopSignal] : undefined;
  if (known) return known;
  if (entry.graceful.signals.includes(s)) {
    return { reaction: 'graceful', mask: 'SigCgt', note: entry.graceful.note, source: entry.graceful.source };
  }
  return { reaction: 'program-decides', mask: 'none', note: `the catalogue has nothing on ${s} for ${entry.title}`, source: entry.graceful.source };
}

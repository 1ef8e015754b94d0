import { Command, CommanderError, Option } from 'commander';
import { UserError, messageOf } from '../util/errors.js';
import { collect } from './options.js';
import { ENV_VARS, resolveOptions, type RawInitOptions } from '../init/options.js';

const HELP_AFTER = `
Examples:
  ENTRYPOINT ["pid1", "init", "--grace", "25s", "--", "/bin/sh", "-c", "./migrate && gunicorn app:app"]
  pid1 init --drain 5s --grace 20s -- ./start.sh
  pid1 init --rewrite TERM:QUIT -- nginx -g 'daemon off;'

Signals: every catchable classic signal is forwarded, except CHLD (reaped), TTIN, TTOU, PIPE and XFSZ
(ignored) and the supervisor's own faults. Real-time signals (SIGRTMIN..SIGRTMAX, 34-64) are IGNORED,
NOT FORWARDED: Node cannot listen for them. A service whose stop signal is a real-time one
(systemd's SIGRTMIN+3) needs another init.

Durations: 500ms, 5s, 1m30s, 1.5h; a bare number is seconds.
Every option can also come from the environment: ${Object.values(ENV_VARS).join(', ')}
(booleans: 1/0, true/false). The command line wins. See docs/init.md.`;

/** `pid1 init [OPTIONS] -- CMD [ARGS...]`: a PID 1 that forwards, drains, escalates and reports. */
export function registerInit(program: Command): void {
  // Options after CMD belong to CMD (`pid1 init node --inspect app.js`): commander only allows that
  // (passThroughOptions) when the parent parses its own options positionally. The parent has none
  // besides --help/--version, so this changes nothing for the other commands.
  program.enablePositionalOptions();
  program
    .command('init')
    .summary('run a command as a PID 1 that forwards signals, reaps zombies, drains, escalates and reports')
    .description('Run CMD in its own session and process group as a container\'s PID 1 (or as a child subreaper elsewhere): forward every catchable classic signal to its group (real-time signals are ignored, not forwarded), reap every zombie, and exit with its status (128+N for signal N).')
    .usage('[options] -- CMD [ARGS...]')
    .argument('<cmd...>', 'the command to run and supervise')
    .passThroughOptions()
    .option('--single-child', 'forward signals to the main child only, not to its process group')
    .addOption(new Option('--no-single-child').hideHelp())
    .option('--rewrite <FROM:TO>', 'forward FROM as TO, e.g. TERM:QUIT for nginx (repeatable, comma-separated)', collect, [] as string[])
    .option('--stop-signal <SIG[,SIG...]>', 'signals that mean "stop": drained, start the grace, reach every descendant (default: TERM)')
    .option('--drain <DURATION>', 'on the first stop signal, wait this long before forwarding it (e.g. 5s; default 0)')
    .option('--grace <DURATION>', 'after forwarding the stop signal, SIGKILL whatever is still alive this long later, naming each (default: never)')
    .option('--wait-all', 'when the main child exits on its own, stop and wait for the remaining descendants instead of leaving them to the kernel')
    .addOption(new Option('--no-wait-all').hideHelp())
    .option('--report <FILE>', 'write the JSON-lines report to FILE (appended) instead of stderr; "none" to drop it')
    .addHelpText('after', HELP_AFTER)
    .action(async (cmd: string[], raw: RawInitOptions) => {
      if (!cmd.length) throw new UserError('pid1 init needs a command: pid1 init [OPTIONS] -- CMD [ARGS...]');
      const opts = resolveOptions(raw);
      // Loaded only now: koffi and libc are needed by this command alone.
      const { runInit } = await import('../init/init.js');
      runInit(opts, cmd);
      // The supervisor ends the process itself (process.exit with the child's status).
      await new Promise<never>(() => {});
    });
}

/**
 * `pid1 init` without the rest of the CLI: the other commands' imports cost about 115 ms of start-up
 * (measured), which a container pays on every start. Same behaviour and errors as main() in program.ts.
 */
export async function initMain(args: string[]): Promise<number> {
  const program = new Command('pid1').exitOverride();
  registerInit(program);
  try {
    await program.parseAsync(['init', ...args], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UserError) {
      process.stderr.write(`pid1: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`pid1: internal error: ${messageOf(err)}\n`);
    return 2;
  }
}

/**
 * `pid1 init [OPTIONS] -- CMD [ARGS...]`: the command line of the supervisor, on its own. It reads its
 * options with Node's util.parseArgs (built in: the init loads no command-line library, so that its
 * start-up costs what node costs) and hands them to runInit. src/cli registers the same text as the
 * `init` command of `pid1 --help`; the dependency goes cli -> init, never the other way.
 */
import { parseArgs } from 'node:util';
import { UserError, messageOf } from '../util/errors.js';
import { ENV_VARS, resolveOptions, type RawInitOptions } from './options.js';

export const INIT_SUMMARY = 'run a command as a PID 1 that forwards signals, reaps zombies, drains, escalates and reports';

export const INIT_HELP = `Usage: pid1 init [options] -- CMD [ARGS...]

Run CMD in its own session and process group as a container's PID 1 (or as a child subreaper
elsewhere): forward every catchable classic signal to its group (real-time signals are ignored, not
forwarded), reap every zombie, and exit with its status (128+N for signal N).

Options:
  --single-child               forward signals to the main child only, not to its process group
  --rewrite <FROM:TO>          forward FROM as TO, e.g. TERM:QUIT for nginx (repeatable, comma-separated)
  --stop-signal <SIG[,SIG...]> signals that mean "stop": drained, start the grace, reach every
                               descendant (default: TERM)
  --drain <DURATION>           on the first stop signal, wait this long before forwarding it (default 0)
  --grace <DURATION>           after forwarding the stop signal, SIGKILL whatever is still alive this long
                               later, naming each; 0 = at once, as \`docker stop -t 0\` (default: never)
  --wait-all                   when the main child exits on its own, stop and wait for the remaining
                               descendants instead of leaving them to the kernel
  --report <FILE>              write the JSON-lines report to FILE (appended; a FIFO is written once it has
                               a reader) instead of stderr; "none" drops the report and the summary line
  -h, --help                   display this help

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
(booleans: 1/0, true/false). The command line wins. Options after CMD are CMD's own.
Runs on Node 18 or later (the rest of pid1 needs Node 20). See docs/init.md.
`;

const OPTIONS = {
  'single-child': { type: 'boolean' },
  'no-single-child': { type: 'boolean' },
  rewrite: { type: 'string', multiple: true },
  'stop-signal': { type: 'string' },
  drain: { type: 'string' },
  grace: { type: 'string' },
  'wait-all': { type: 'boolean' },
  'no-wait-all': { type: 'boolean' },
  report: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface InitArgs {
  help: boolean;
  raw: RawInitOptions;
  cmd: string[];
}

/**
 * Split `[OPTIONS] [--] CMD [ARGS...]`: the options end at `--` or at the first argument that is not
 * one (options after CMD are CMD's: `pid1 init node --inspect app.js`). One-line UserError otherwise.
 */
export function parseInitArgs(args: string[]): InitArgs {
  // A lenient pass finds where the command starts (it knows which options take a value)...
  const { tokens } = parseArgs({ args, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const end = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  const own = end ? args.slice(0, end.index) : args;
  const cmd = end ? args.slice(end.kind === 'option-terminator' ? end.index + 1 : end.index) : [];
  // ...each option before it is checked, in words of our own (parseArgs' messages differ between Node
  // versions and suggest things that do not apply here)...
  for (const t of tokens) {
    if (t === end) break;
    if (t.kind !== 'option') continue;
    const type = (OPTIONS as Record<string, { type: string } | undefined>)[t.name]?.type;
    if (!type) throw new UserError(`unknown option '${t.rawName}' for pid1 init (pid1 init --help lists them)`);
    const missing = t.value === undefined || (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-'));
    if (type === 'string' && missing) throw new UserError(`${t.rawName} needs a value (one that starts with "-" is written ${t.rawName}=-...)`);
    if (type === 'boolean' && t.value !== undefined) throw new UserError(`${t.rawName} takes no value`);
  }
  // ...and read strictly, which now cannot fail.
  const { values } = parseArgs({ args: own, options: OPTIONS, strict: true, allowPositionals: false });
  const flag = (yes: boolean | undefined, no: boolean | undefined): boolean | undefined => (no ? false : yes ? true : undefined);
  return {
    help: values.help === true,
    cmd,
    raw: {
      singleChild: flag(values['single-child'], values['no-single-child']),
      waitAll: flag(values['wait-all'], values['no-wait-all']),
      rewrite: values.rewrite ?? [],
      stopSignal: values['stop-signal'],
      drain: values.drain,
      grace: values.grace,
      report: values.report,
    },
  };
}

/**
 * Run `pid1 init` with `args` (what follows `init`). Resolves with an exit status only when the
 * supervisor did not start (help, bad input); once it runs, it ends the process itself with the
 * child's status.
 */
export async function initMain(args: string[]): Promise<number> {
  try {
    const parsed = parseInitArgs(args);
    if (parsed.help) {
      process.stdout.write(INIT_HELP);
      return 0;
    }
    if (!parsed.cmd.length) throw new UserError('pid1 init needs a command: pid1 init [OPTIONS] -- CMD [ARGS...]');
    const opts = resolveOptions(parsed.raw);
    // Loaded only now: koffi and libc are needed once there is something to run.
    // What can fail here is the machine, not pid1 (koffi's native module missing or for another
    // architecture, no glibc): one line saying so.
    const { runInit } = await import('./init.js').catch((err: unknown) => {
      throw err instanceof UserError ? err : new UserError(messageOf(err).split('\n')[0] ?? '');
    });
    runInit(opts, parsed.cmd);
    return await new Promise<never>(() => {});
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`pid1: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`pid1: internal error: ${messageOf(err)}\n`);
    return 2;
  }
}

/**
 * The pid1 command line: thin wiring only. Each command lives in its own file and registers itself;
 * the work is done in src/model, src/sources, src/rules, src/proc, src/runtime, src/init and src/report.
 */
import { Command, CommanderError } from 'commander';
import { UserError, messageOf } from '../util/errors.js';
import { safeText } from '../util/sanitize.js';
import { registerSignals } from './signals.js';
import { registerInspect } from './inspect.js';
import { registerLint } from './lint.js';
import { registerTest } from './test.js';
import { registerStop } from './stop.js';
import { registerInit } from './init.js';
import { registerWatch } from './watch.js';
import { registerLsp } from './lsp.js';
import { packageVersion } from './version.js';

function buildProgram(): Command {
  const program = new Command('pid1').description('Find, explain, fix and prove lost stop signals in containers.').version(packageVersion()).exitOverride();
  registerSignals(program);
  registerInspect(program);
  registerLint(program);
  registerTest(program);
  registerStop(program);
  registerInit(program);
  registerWatch(program);
  registerLsp(program);
  // A usage error is one line, like every other error: what is wrong and where the usage is (no help dump).
  const oneLine =
    (help: string) =>
    (str: string, write: (s: string) => void): void =>
      write(`pid1: ${str.replace(/^error: /, '').trimEnd()} (${help})\n`);
  program.configureOutput({ outputError: oneLine('pid1 --help') });
  for (const cmd of program.commands) cmd.configureOutput({ outputError: oneLine(`pid1 ${cmd.name()} --help`) });
  return program;
}

/** Run the CLI; returns the exit status. Errors become one line on stderr, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      // messages name files and quote arguments: no control character from them reaches the terminal
      process.stderr.write(`pid1: ${safeText(err.message)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`pid1: internal error: ${safeText(messageOf(err))}${process.env.PID1_DEBUG ? `\n${(err as Error).stack ?? ''}` : ' (PID1_DEBUG=1 shows the stack)'}\n`);
    return 2;
  }
}

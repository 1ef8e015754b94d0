import type { Command } from 'commander';
import { INIT_HELP, INIT_SUMMARY, initMain } from '../init/main.js';

/**
 * `pid1 init` in `pid1 --help` and `pid1 help init`. The command itself never goes through commander:
 * main.ts hands `pid1 init ...` to the init's own entry (src/init), which loads only what the
 * supervisor uses. This registration is the way back for anything that reaches it through the
 * program anyway: it passes every argument on untouched.
 */
export function registerInit(program: Command): void {
  const init = program
    .command('init')
    .summary(INIT_SUMMARY)
    .usage('[options] -- CMD [ARGS...]')
    .argument('<cmd...>')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (args: string[]) => {
      process.exitCode = await initMain(args);
    });
  init.helpInformation = () => INIT_HELP;
}

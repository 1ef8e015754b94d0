import type { Command } from 'commander';
import { UserError } from '../util/errors.js';

// Placeholder while the command is being built; replaced by its owner.
export function registerTest(program: Command): void {
  program.command('test').description('(being built)').allowUnknownOption().action(() => {
    throw new UserError('pid1 test is not built yet');
  });
}

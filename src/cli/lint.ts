import type { Command } from 'commander';
import { UserError } from '../util/errors.js';

// Placeholder while the command is being built; replaced by its owner.
export function registerLint(program: Command): void {
  program.command('lint').description('(being built)').allowUnknownOption().action(() => {
    throw new UserError('pid1 lint is not built yet');
  });
}

import type { Command } from 'commander';
import { UserError } from '../util/errors.js';

// Placeholder while the command is being built; replaced by its owner.
export function registerStop(program: Command): void {
  program.command('stop').description('(being built)').allowUnknownOption().action(() => {
    throw new UserError('pid1 stop is not built yet');
  });
}

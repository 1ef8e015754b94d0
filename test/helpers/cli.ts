import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { run, type RunResult } from './exec.js';

/** The built CLI entry (dist/src/cli/main.js), run as a user would. */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

export function pid1(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { ...opts, env: { ...process.env, NO_COLOR: '1', ...opts.env } });
}

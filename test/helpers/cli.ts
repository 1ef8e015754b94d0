import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { run, type RunResult } from './exec.js';

/** The built CLI entry (dist/src/cli/main.js), run as a user would. */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

export function pid1(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { ...opts, env: { ...process.env, NO_COLOR: '1', ...opts.env } });
}

/** A launch as `pid1 lint --format json` lists it (the fields tests look at). */
export interface LintedLaunch {
  file: string;
  label: string;
  outcome?: string;
  certain?: boolean;
  note?: string;
  chain?: string[];
}

/** `pid1 lint --no-config --format json ARGS`: every launch of every file linted. */
export async function lintLaunches(args: string[], opts: { cwd?: string } = {}): Promise<LintedLaunch[]> {
  const r = await pid1(['lint', '--no-config', '--format', 'json', ...args], opts);
  return (JSON.parse(r.stdout) as { files: { launches?: LintedLaunch[] }[] }).files.flatMap((f) => f.launches ?? []);
}

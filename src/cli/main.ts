#!/usr/bin/env node
// Only node:module here: an ESM import of node:fs builds its namespace, which loads every stream
// module (fs.ReadStream's getter), ~3 MB and a few ms that `pid1 init` would pay for nothing.
import { createRequire } from 'node:module';

// Which Node: `pid1 init` runs on Node 18 (what Debian bookworm's images carry); every other command
// needs 20 (engines in package.json). Checked before anything is loaded, so no command can fail on an
// old Node in some other way first.
const args = process.argv.slice(2);
const major = Number(process.versions.node.split('.')[0]);
if (args[0] !== 'init' && major < 20) {
  process.stderr.write(`pid1: needs Node 20 or later; this is Node ${process.versions.node} (only \`pid1 init\` runs on Node 18)\n`);
  process.exit(2);
}

// `pid1 init` is a PID 1: it starts without loading the other commands, from the bundled single file
// when the build made one (dist/init/pid1-init.cjs: the fastest to load, see docs/init.md), else
// from src/init/bin.js. Both read their arguments from process.argv, after `init`.
function startInit(): Promise<number | undefined> {
  process.argv.splice(2, 1);
  const bundle = '../../init/pid1-init.cjs';
  try {
    createRequire(import.meta.url)(bundle);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(bundle);
    if (!missing) throw err;
    return import('../init/bin.js').then(() => undefined);
  }
  return Promise.resolve(undefined);
}

function startCommand(): Promise<number> {
  // A closed stdout (`pid1 lint | head`) ends the command quietly instead of with an EPIPE stack trace.
  // (Not for the init: creating process.stdout alone costs it start-up, and it prints only --help.)
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`pid1: cannot write output: ${err.message}\n`);
    process.exit(2);
  });
  return loadProgram().then(({ main }) => main(process.argv));
}

// The commands from the bundle the build made (dist/src/cli-bundle, scripts/bundle-cli.mjs: a few chunks
// instead of ~130 modules to resolve and link, the fastest to load), else from their modules.
function loadProgram(): Promise<typeof import('./program.js')> {
  const bundle = '../cli-bundle/program.js';
  return (import(bundle) as Promise<typeof import('./program.js')>).catch((err: unknown) => {
    const missing = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('cli-bundle/program.js');
    if (!missing) throw err;
    return import('./program.js');
  });
}

const run = args[0] === 'init' ? startInit() : startCommand();
run.then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    // Only a failure to load pid1 itself gets here (commands report their own errors in one line).
    process.stderr.write(`pid1: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);

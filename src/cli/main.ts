#!/usr/bin/env node
// `pid1 init` is a PID 1: it starts without loading the other commands (see src/cli/init.ts initMain).
// A closed stdout (`pid1 lint | head`) ends the command quietly instead of with an EPIPE stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const args = process.argv.slice(2);
const run = args[0] === 'init'
  ? import('./init.js').then(({ initMain }) => initMain(args.slice(1)))
  : import('./program.js').then(({ main }) => main(process.argv));
run.then((code) => {
  process.exitCode = code;
});

#!/usr/bin/env node
// `pid1 init` is a PID 1: it starts without loading the other commands (see src/cli/init.ts initMain).
// A closed stdout (`pid1 lint | head`) ends the command quietly instead of with an EPIPE stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`pid1: cannot write output: ${err.message}\n`);
  process.exit(2);
});

const args = process.argv.slice(2);
const run = args[0] === 'init'
  ? import('./init.js').then(({ initMain }) => initMain(args.slice(1)))
  : import('./program.js').then(({ main }) => main(process.argv));
run.then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Only a failure to load pid1 itself gets here (commands report their own errors in one line).
    process.stderr.write(`pid1: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);

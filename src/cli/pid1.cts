#!/usr/bin/env node
/**
 * pid1's command-line entry (package.json "bin"). CommonJS on purpose: an ESM entry makes Node 20 start its
 * ESM loader, about 12 ms and 2 MB resident that `pid1 init`, a PID 1, would pay for nothing (measured with
 * `npm run bench -- init`: start-up 1.30x node's through main.js, 1.18x through this file). The init's bundle
 * (dist/init/pid1-init.cjs) is required from here directly; every other command, and the init when the build
 * made no bundle, goes through main.js, which checks the Node version and loads the rest.
 */
const INIT_BUNDLE = '../../init/pid1-init.cjs';

/** The bundle's path when the build made it; undefined sends the init through main.js (src/init/bin.js). */
function bundledInit(): string | undefined {
  try {
    return require.resolve(INIT_BUNDLE);
  } catch {
    return undefined;
  }
}

const init = process.argv[2] === 'init' ? bundledInit() : undefined;
if (init !== undefined) {
  process.argv.splice(2, 1); // the init reads its arguments after `init`, as main.js gives them
  require(init);
} else {
  import('./main.js').catch((err: unknown) => {
    process.stderr.write(`pid1: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}

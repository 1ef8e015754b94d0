#!/usr/bin/env node
/**
 * The entry of `pid1 init` on its own: `node dist/init/pid1-init.cjs [OPTIONS] -- CMD` (the bundled
 * single file that `npm run build` makes, for images) or `node dist/src/init/bin.js ...` (the same,
 * unbundled). The init runs on Node 18 (Debian bookworm's nodejs), older Node is refused here, before
 * anything that could fail on it is loaded.
 */
export {};

const MIN_NODE = 18;
const major = Number(process.versions.node.split('.')[0]);
if (major < MIN_NODE) {
  process.stderr.write(`pid1: pid1 init needs Node ${MIN_NODE} or later; this is Node ${process.versions.node}\n`);
  process.exitCode = 2;
} else {
  import('./main.js')
    .then(({ initMain }) => initMain(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        process.stderr.write(`pid1: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 2;
      },
    );
}

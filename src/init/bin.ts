#!/usr/bin/env node
/**
 * Lean entry: `node dist/src/init/bin.js [OPTIONS] -- CMD [ARGS...]` is `pid1 init [OPTIONS] -- CMD
 * [ARGS...]` without loading the other commands (see initMain). For images that care about start-up.
 */
import { initMain } from '../cli/init.js';

initMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

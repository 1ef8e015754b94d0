/**
 * The peer for the whole-CLI benchmark: dockerfile-utils' validate over a tree, in one process (its own
 * CLI lints one file per process start, which would flatter pid1). Walks the same names pid1 does,
 * reads each file, validates it and prints the diagnostics as JSON, like `dockerfile-utils lint --json`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { validate } from 'dockerfile-utils';
import { isDockerfileName } from '../src/sources/kinds.js';

const out: { file: string; diagnostics: unknown[] }[] = [];
const walk = (dir: string): void => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') walk(p);
    } else if (isDockerfileName(e.name)) out.push({ file: p, diagnostics: validate(fs.readFileSync(p, 'utf8')) });
  }
};
for (const root of process.argv.slice(2)) walk(root);
process.stdout.write(`${JSON.stringify(out)}\n`);

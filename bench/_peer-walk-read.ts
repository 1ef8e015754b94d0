/**
 * The peer for the corpus benchmark: the cost of reading a repository, no more. Walks the tree with one
 * readdir per directory (skipping .git and node_modules, as pid1 does) and reads every file whose name pid1
 * looks at (Dockerfiles, YAML, shell scripts, entrypoints), then prints how many and their total size.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDockerfileName } from '../src/sources/kinds.js';

const LOOKED_AT = /\.(ya?ml|sh|bash)$|^(docker-)?entrypoint/i;
let files = 0;
let bytes = 0;
const walk = (dir: string): void => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') walk(p);
    } else if (e.isFile() && (isDockerfileName(e.name) || LOOKED_AT.test(e.name))) {
      bytes += fs.readFileSync(p, 'utf8').length;
      files++;
    }
  }
};
for (const root of process.argv.slice(2)) walk(root);
process.stdout.write(`${JSON.stringify({ files, bytes })}\n`);

/**
 * The peer for the corpus benchmark: the cost of reading a repository, no more. Walks the tree
 * (_looked-at.ts) and reads every file whose name pid1 looks at, then prints how many and their total size.
 */
import fs from 'node:fs';
import { eachLookedAt } from './_looked-at.js';

let files = 0;
let bytes = 0;
for (const root of process.argv.slice(2))
  eachLookedAt(root, (file) => {
    bytes += fs.readFileSync(file, 'utf8').length;
    files++;
  });
process.stdout.write(`${JSON.stringify({ files, bytes })}\n`);

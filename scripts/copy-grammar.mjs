#!/usr/bin/env node
// Build step: copy the tree-sitter grammars' .wasm files beside the modules that load them
// (dist/src/model/shell.js: bash; dist/src/sources/grammars.js: Python, JavaScript, Go). The package
// ships these files alone instead of depending on the grammar packages, whose tens of MB are C sources
// and native prebuilds pid1 never uses (web-tree-sitter runs the .wasm); they are devDependencies.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const GRAMMARS = [
  ['tree-sitter-bash', 'dist/src/model'],
  ['tree-sitter-python', 'dist/src/sources'],
  ['tree-sitter-javascript', 'dist/src/sources'],
  ['tree-sitter-go', 'dist/src/sources'],
];
for (const [pkg, dir] of GRAMMARS) {
  let from;
  try {
    from = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), `${pkg}.wasm`);
  } catch {
    process.stderr.write(`copy-grammar: ${pkg} is not installed (a devDependency: run npm ci)\n`);
    process.exit(1);
  }
  const to = path.join(root, dir, `${pkg}.wasm`);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

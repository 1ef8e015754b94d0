#!/usr/bin/env node
// Build step: the WebAssembly pid1 runs, copied into dist/ so that the package ships these files alone.
// - web-tree-sitter's runtime (tree-sitter.js, which loads tree-sitter.wasm beside it) into
//   dist/vendor/web-tree-sitter/; the source imports it as `#web-tree-sitter` (package.json "imports").
//   The npm package also carries a debug build and its C sources (5.8 MB installed; these two files: 0.35 MB).
// - the grammars' .wasm beside the modules that load them (dist/src/model/shell.js: bash;
//   dist/src/sources/grammars.js: Python, JavaScript, Go); the grammar packages' tens of MB are C
//   sources and native prebuilds pid1 never uses.
// All of them are devDependencies, pinned by the lockfile.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const COPIES = [
  ['web-tree-sitter', 'tree-sitter.js', 'dist/vendor/web-tree-sitter'],
  ['web-tree-sitter', 'tree-sitter.wasm', 'dist/vendor/web-tree-sitter'],
  ['tree-sitter-bash', 'tree-sitter-bash.wasm', 'dist/src/model'],
  ['tree-sitter-python', 'tree-sitter-python.wasm', 'dist/src/sources'],
  ['tree-sitter-javascript', 'tree-sitter-javascript.wasm', 'dist/src/sources'],
  ['tree-sitter-go', 'tree-sitter-go.wasm', 'dist/src/sources'],
];
/** A package's directory (web-tree-sitter's "exports" do not include its package.json: its main file is at the top). */
function packageDir(pkg) {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return path.dirname(require.resolve(pkg));
  }
}

for (const [pkg, file, dir] of COPIES) {
  let from;
  try {
    from = path.join(packageDir(pkg), file);
  } catch {
    process.stderr.write(`copy-wasm: ${pkg} is not installed (a devDependency: run npm ci)\n`);
    process.exit(1);
  }
  const to = path.join(root, dir, file);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

// `npm run build`, third step: the commands (src/cli/program.ts and what each command loads) bundled into
// dist/src/cli-bundle/, ESM, split into one chunk per dynamic import (a command's stack loads only when it
// runs), packages left as they are in node_modules. src/cli/main.js loads program.js from here when the
// build made it: Node resolves, reads and links a few chunks instead of ~130 modules (measured: `pid1 lint`
// on an empty directory, ~50 ms less CPU of about 235). Beside the other modules of dist/src, so that the
// paths the code finds from import.meta.url (package.json, docs/, the grammars' .wasm) are the same.
// The modules stay too: tests import them, and main.js falls back on them when there is no bundle.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/src/cli-bundle');

fs.rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'src/cli/program.ts')],
  outdir: out,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // dependencies load from node_modules as before; #web-tree-sitter is package.json's alias for dist/vendor/
  packages: 'external',
  external: ['#web-tree-sitter'],
  legalComments: 'none',
  logLevel: 'warning',
});

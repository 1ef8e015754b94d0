// `npm run build`, second step: `pid1 init` as one file, dist/init/pid1-init.cjs, plus koffi's
// prebuilt native module beside it (dist/init/koffi.node: a native module cannot live inside a
// JS file). CommonJS on purpose: an ESM entry costs Node 20 about 1.7 MB more resident memory and a
// few ms (measured with `node empty.mjs` vs `node empty.cjs`). What each step buys: docs/init.md.
import { build } from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/init');
const require = createRequire(path.join(root, 'package.json'));

// koffi's own entry finds this same file through an ELF and libc probe and wraps it with deprecation
// shims (measured: ~1 MB resident and ~7 ms of start-up); the bundle loads the file directly, and
// falls back to the koffi package where the file is missing or does not load (another architecture).
const arch = process.arch;
const nativeDir = path.dirname(require.resolve(`@koromix/koffi-${process.platform}-${arch}/package.json`, { paths: [path.dirname(require.resolve('koffi'))] }));
const native = path.join(nativeDir, `${process.platform}_${arch}`, 'koffi.node');

const koffiDirect = {
  name: 'koffi-direct',
  setup(b) {
    // pid1's own `import koffi from 'koffi'` (the shim's own require('koffi') stays external, below).
    b.onResolve({ filter: /^koffi$/, namespace: 'file' }, () => ({ path: 'koffi', namespace: 'koffi-direct' }));
    b.onLoad({ filter: /.*/, namespace: 'koffi-direct' }, () => ({
      loader: 'js',
      contents: `
        let native;
        try { native = require('./koffi.node'); } catch (first) {
          // installed from npm: the package carries no copy (the install budget, issue 14); the prebuilt
          // module of koffi's own platform package is the same file, found through node_modules
          try { native = require('@koromix/koffi-' + process.platform + '-' + process.arch + '/' + process.platform + '_' + process.arch + '/koffi.node'); } catch {
          try { native = require('koffi'); } catch {
            const why = String(first && first.message).split('\\n')[0];
            throw new Error('pid1 init needs koffi.node beside pid1-init.cjs, built for this machine (' + why + ')');
          }
          }
        }
        module.exports = native;`,
    }));
    b.onResolve({ filter: /\.node$|^koffi$/, namespace: 'koffi-direct' }, (a) => ({ path: a.path, external: true }));
  },
};

fs.mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [path.join(root, 'src/init/bin.ts')],
  outfile: path.join(out, 'pid1-init.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  plugins: [koffiDirect],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
// What went into the bundle, for the test that keeps commander, YAML, tree-sitter and dockerode out.
fs.writeFileSync(path.join(root, 'dist/init-bundle-inputs.json'), `${JSON.stringify(Object.keys(result.metafile.inputs).sort(), null, 1)}\n`);
fs.copyFileSync(native, path.join(out, 'koffi.node'));

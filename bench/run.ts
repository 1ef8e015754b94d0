/**
 * `npm run bench`: runs every benchmark module in this folder (each exports `run()`), or those named
 * on the command line (`npm run bench -- lint`). Results are ratios against a peer measured in the
 * same run, never absolute timings to assert on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const modules = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
  .filter((f) => !wanted.length || wanted.includes(f.replace(/\.js$/, '')));
for (const f of modules.sort()) {
  const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') continue;
  process.stdout.write(`\n## bench: ${f.replace(/\.js$/, '')}\n`);
  await mod.run();
}

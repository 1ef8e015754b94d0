/**
 * The architecture, checked: src/ is layered bottom-up
 *   util < model < document < sources, proc < rules < lint, init < runtime < report < cli
 * and no import, static or dynamic, runs the other way (or sideways between folders of one layer).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

const LAYER: Readonly<Record<string, number>> = {
  util: 0,
  model: 1,
  document: 2,
  sources: 3,
  proc: 3,
  rules: 4,
  lint: 5,
  init: 5,
  runtime: 6,
  report: 7,
  cli: 8,
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative module a file imports: `from '...'`, `import('...')`, `export ... from '...'`. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g)) out.push(m[1] as string);
  return out;
}

const folderOf = (abs: string): string => path.relative(root, abs).split(path.sep)[0] as string;

test('every folder of src/ has a layer', () => {
  const folders = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  assert.deepEqual(
    folders.filter((f) => LAYER[f] === undefined),
    [],
  );
});

test('no import runs against the layering', () => {
  const wrong: string[] = [];
  for (const file of sources(root)) {
    const from = folderOf(file);
    for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
      const to = folderOf(path.resolve(path.dirname(file), spec));
      if (to === from) continue;
      const a = LAYER[from] ?? -1;
      const b = LAYER[to] ?? 99;
      if (b >= a) wrong.push(`${path.relative(root, file)} imports ${spec} (${from} may not depend on ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});

/**
 * A floor for the corpus benchmark: walk and read like _peer-walk-read.ts, and run the `yaml` library's own
 * lexer and parser (the concrete syntax tree, no composing into nodes) over every YAML document pid1 parses
 * (the files its walk takes as compose files or manifests, by pid1's own test; CustomResourceDefinition
 * documents are skipped, as pid1 skips them). pid1 must at least do this to
 * find workloads and compose services with source ranges, so its ratio to walk + read cannot go below this one's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Parser } from 'yaml';
import { isDockerfileName, walkedYamlKind } from '../src/sources/kinds.js';

const LOOKED_AT = /\.(ya?ml|sh|bash)$|^(docker-)?entrypoint/i;
const YAML = /\.ya?ml$/i;
const CRD = /^kind:\s*CustomResourceDefinition\s*$/m;
let files = 0;
let tokens = 0;
const walk = (dir: string): void => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') walk(p);
    } else if (e.isFile() && (isDockerfileName(e.name) || LOOKED_AT.test(e.name))) {
      const text = fs.readFileSync(p, 'utf8');
      files++;
      if (!YAML.test(e.name) || !walkedYamlKind(p)) continue;
      const docs = CRD.test(text) ? text.split(/^---/m).filter((d) => !CRD.test(d)) : [text];
      for (const d of docs) for (const _ of new Parser().parse(d)) tokens++;
    }
  }
};
for (const root of process.argv.slice(2)) walk(root);
process.stdout.write(`${JSON.stringify({ files, tokens })}\n`);

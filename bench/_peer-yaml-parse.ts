/**
 * A floor for the corpus benchmark: walk and read like _peer-walk-read.ts, and run the `yaml` library's own
 * lexer and parser (the concrete syntax tree, no composing into nodes) over every YAML document pid1 parses
 * (the files its walk takes as compose files or manifests, by pid1's own test, whose read of a small file is
 * the file's bytes, as in pid1; CustomResourceDefinition documents are skipped, as pid1 skips them). pid1 must
 * at least do this to find workloads and compose services with source ranges, so its ratio to walk + read
 * cannot go below this one's.
 */
import fs from 'node:fs';
import { Parser } from 'yaml';
import { walkedYaml } from '../src/sources/kinds.js';
import { eachLookedAt } from './_looked-at.js';

const YAML = /\.ya?ml$/i;
const CRD = /^kind:\s*CustomResourceDefinition\s*$/m;
let files = 0;
let tokens = 0;
for (const root of process.argv.slice(2))
  eachLookedAt(root, (file, name) => {
    files++;
    const yaml = YAML.test(name) ? walkedYaml(file) : undefined;
    const text = yaml?.read?.ok ? yaml.read.snap.bytes.toString('utf8') : fs.readFileSync(file, 'utf8');
    if (!yaml?.kind) return;
    const docs = CRD.test(text) ? text.split(/^---/m).filter((d) => !CRD.test(d)) : [text];
    for (const d of docs) for (const _ of new Parser().parse(d)) tokens++;
  });
process.stdout.write(`${JSON.stringify({ files, tokens })}\n`);

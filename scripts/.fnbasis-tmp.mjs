import fs from 'node:fs';
import { scoreRun, loadExpectations } from '/work/main/scripts/corpus.mjs';
const run = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ex = loadExpectations('/work/main/corpus/expectations.json');
const { disagreements } = scoreRun(run, ex, {});
for (const d of disagreements) { const e = ex.map.get(d.key); console.log(e.set.padEnd(8), e.basis.padEnd(7), d.type.padEnd(12), d.key.slice(0,150), '|', typeof d.pid1==='string'?d.pid1:JSON.stringify(d.pid1).slice(0,120)); }

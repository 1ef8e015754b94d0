/**
 * nodemon in front of a Node server (`CMD npm start` with `"start": "nodemon server.js"`): nodemon 3 forks the script and
 * on SIGTERM passes the stop on to it, then waits for it. Run for real as PID 1 of a fresh PID namespace, against what the
 * launch model says: a server with no listener is ended at once by the signal (abrupt), one that listens drains.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import { analyzeProgramSource } from '../src/sources/program-source.js';
import { programSourceReader } from '../src/sources/program-reader.js';
import { cleanupInits, startAsInit } from './helpers/as-init.js';
import { tempDir, waitFor } from './helpers/exec.js';
import { within } from './helpers/within.js';

after(cleanupInits);
const DIR = tempDir('pid1-nodemon-');
// nodemon is a devDependency: its bin in the package's node_modules
const NODEMON = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/nodemon/bin/nodemon.js');

const SERVER = "const http = require('http');\nhttp.createServer((q, r) => r.end('x')).listen(0, '127.0.0.1', () => console.log('ready'));\n";
const DRAINS = (signals: string[]): string =>
  `${SERVER}${signals.map((s) => `process.on('${s}', () => { console.log('draining'); setTimeout(() => { console.log('drained'); process.exit(0); }, 1500); });\n`).join('')}`;

const CASES = [
  { name: 'no listener', file: 'plain.js', text: SERVER, outcome: 'abrupt', drained: false },
  { name: 'SIGTERM and SIGINT listeners that drain', file: 'drains.js', text: DRAINS(['SIGTERM', 'SIGINT']), outcome: 'graceful', drained: true },
];

for (const c of CASES) {
  test(`nodemon ${c.file} (${c.name}) as PID 1: pid1 says ${c.outcome}, and the server ${c.drained ? 'drains' : 'is ended at once'}`, async (t) => {
    if (!fs.existsSync(NODEMON)) {
      t.skip('nodemon is not installed (npm ci installs the devDependencies)');
      return;
    }
    const file = path.join(DIR, c.file);
    fs.writeFileSync(file, c.text);
    // (loads the JavaScript grammar, which the synchronous reader needs)
    await analyzeProgramSource(c.text, { path: file });
    const chain = chainFromArgv(['nodemon', '-w', file, file], { sh: 'dash', signal: 'SIGTERM', programSource: programSourceReader((p) => (p === file ? c.text : undefined), DIR, 'SIGTERM') });
    assert.deepEqual(
      chain.processes.map((p) => p.name),
      ['nodemon', 'node'],
    );
    assert.equal(predictStop(chain, 'SIGTERM').outcome, c.outcome);
    // -w: watch only the script (the namespace's output goes elsewhere: a write there would restart it)
    const run = await startAsInit(['node', NODEMON, '-w', file, file], { comm: 'node', cwd: DIR });
    try {
      await waitFor(`${c.file} to start`, () => (/ready/.test(run.output()) ? true : undefined), 20_000, 50);
      process.kill(run.pid, 'SIGTERM');
      const end = await within(run.exited, 15_000);
      assert.ok(end, 'nodemon still running 15 s after SIGTERM');
      if (c.drained) assert.match(run.output(), /drained/);
      else assert.doesNotMatch(run.output(), /draining|drained/);
    } finally {
      await run.destroy();
    }
  });
}

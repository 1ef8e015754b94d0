/**
 * Every init × wrapper × service combination the README talks about, stopped for real by `pid1 test --
 * CMD` in a fresh PID namespace: the verdict, the service pid1 observed (the model's service, never a
 * wrapper shell or the init), and both predictions against what happened. The same table runs in Docker
 * (a representative subset, test/matrix-docker.test.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pid1, CLI } from './helpers/cli.js';
import { svc } from './helpers/init.js';
import { argvOf, checkCombination, combinations, nameOf } from './helpers/matrix.js';
import type { TestReport } from '../src/runtime/reports.js';

const SVC = svc();

describe('pid1 test -- CMD: init × wrapper × service in a PID namespace', { concurrency: 4 }, () => {
  for (const c of combinations(['none', 'pid1 init', 'tini', 'tini -g', 'dumb-init', 'catatonit'])) {
    test(nameOf(c), async (t) => {
      if (process.getuid?.() !== 0) {
        t.skip('needs root for unshare --pid');
        return;
      }
      const argv = argvOf(c, SVC, [process.execPath, CLI]);
      const o = await pid1(['test', '--json', '--grace', '1', '--ready-log', 'svc\\[\\d+\\]: ready', '--', ...argv], { timeout: 60_000 });
      assert.ok(o.stdout.trim().startsWith('{'), `no JSON report (exit ${o.code}): ${o.stderr}`);
      const r = JSON.parse(o.stdout) as TestReport;
      t.diagnostic(`${nameOf(c)}: ${r.verdict} (live ${r.comparison?.live?.status}, static ${r.comparison?.static?.status})`);
      checkCombination(c, o.code, r, o.stderr);
    });
  }
});

/**
 * The init × wrapper × service table (test/helpers/matrix.ts) in real containers: a representative
 * subset, stopped by `pid1 test --image` through the engine's own stop, with pid1 init, tini, dumb-init
 * and catatonit inside the image, and `docker run --init` (docker-init) from the engine. Every
 * combination runs in a PID namespace in test/matrix-ns.test.ts.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pid1 } from './helpers/cli.js';
import { cleanupDocker, requireDocker, testImage } from './helpers/docker.js';
import { argvOf, checkCombination, expected, nameOf, type Init, type Service, type Wrapper } from './helpers/matrix.js';
import { pid1InImage } from './helpers/node.js';
import type { TestReport } from '../src/runtime/reports.js';

after(cleanupDocker);

const SUBSET: [Init, Wrapper, Service][] = [
  // The README's own recommendation, the case that used to be judged ABRUPT: pid1 init in front of a dash wrapper.
  ['pid1 init', 'dash -c', 'graceful'],
  ['pid1 init', 'dash -c', 'no handler'],
  ['pid1 init', 'exec form', 'graceful'],
  ['pid1 init', 'bash -c', 'graceful'],
  ['docker --init', 'dash -c', 'graceful'],
  ['docker --init', 'exec form', 'graceful'],
  ['docker --init', 'bash -c', 'no handler'],
  ['tini -g', 'dash -c', 'graceful'],
  ['dumb-init', 'bash -c', 'graceful'],
  ['catatonit', 'dash -c exec', 'graceful'],
  ['none', 'dash -c', 'graceful'],
  ['none', 'bash -c', 'no handler'],
];

describe('pid1 test --image: init × wrapper × service in containers', { concurrency: 3 }, () => {
  for (const [init, wrapper, service] of SUBSET) {
    const c = { init, wrapper, service, ...expected(init, wrapper, service) };
    test(nameOf(c), async (t) => {
      if (!requireDocker(t)) return;
      const image = testImage({ shell: 'dash', ...(init === 'pid1 init' ? { hostFiles: pid1InImage() } : {}) });
      const argv = argvOf(c, 'svc', ['node', '/opt/pid1/dist/src/cli/main.js']);
      const o = await pid1(
        ['test', '--json', '--image', image, '--entrypoint', JSON.stringify(argv), '--grace', '2', '--ready-log', 'svc\\[\\d+\\]: ready', ...(init === 'docker --init' ? ['--init'] : [])],
        { timeout: 90_000 },
      );
      assert.ok(o.stdout.trim().startsWith('{'), `no JSON report (exit ${o.code}): ${o.stderr}`);
      const r = JSON.parse(o.stdout) as TestReport;
      t.diagnostic(`${nameOf(c)}: ${r.verdict} (live ${r.comparison?.live?.status}, static ${r.comparison?.static?.status})`);
      checkCombination(c, o.code, r, o.stderr);
      if (init === 'pid1 init') assert.match(r.initReport?.summary ?? '', /^pid1 init: exit /, 'its report is read from its stderr');
    });
  }
});

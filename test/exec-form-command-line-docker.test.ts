/**
 * An exec form whose program word is a whole command line (`["/run.sh && /bin/sleep 60"]`): the engine runs no
 * shell, looks for a file of that name and cannot start the container; the same script named alone runs. pid1 lint
 * says so (exec-form-command-line) and predicts no stop for it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { pid1 } from './helpers/cli.js';
import { cleanupDocker, requireDocker, startContainer, testImage } from './helpers/docker.js';
import { runSync } from './helpers/exec.js';
import { tempDir } from './helpers/exec.js';

after(cleanupDocker);

const WORD = '/run.sh && /bin/sleep 60';

test('the engine cannot start an exec form whose program is a command line; pid1 lint warns and predicts nothing', async (t) => {
  if (!requireDocker(t)) return;
  const image = testImage({ shell: 'dash', files: { '/run.sh': '#!/bin/sh\necho set-up done\n' } });
  // the script itself runs: only the word with spaces is the problem
  const ok = await startContainer({ image, entrypoint: ['/run.sh'] });
  assert.equal(runSync('docker', ['wait', ok]).trim(), '0');
  await assert.rejects(startContainer({ image, entrypoint: [WORD] }), /no such file or directory/);

  const dir = tempDir('pid1-cmdline-');
  fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho set-up done\n');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM debian:bookworm\nCOPY run.sh /\nCMD ${JSON.stringify([WORD])}\n`);
  const o = await pid1(['lint', '--format', 'json', path.join(dir, 'Dockerfile')]);
  assert.equal(o.code, 0, o.stderr);
  const report = JSON.parse(o.stdout) as { files: { findings: { ruleId: string; severity: string }[]; launches: { outcome?: string }[] }[] };
  const file = report.files[0];
  assert.deepEqual(
    file?.findings.map((f) => [f.ruleId, f.severity]),
    [['exec-form-command-line', 'warning']],
  );
  assert.equal(file?.launches[0]?.outcome, undefined, 'no stop predicted for a container that does not start');
});

/**
 * A pip console script as PID 1, for real: the wrapper pip writes (`from PKG import main; sys.exit(main())`,
 * the template of pip's vendored distlib ScriptMaker) runs under /usr/bin/python3 in a fresh PID namespace
 * and gets SIGTERM from outside. pid1 says such a program (its package installing no handler) drops it:
 * CPython's default (catalogue.ts `python`), which the real run must show.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KEEPS_RUNNING, behaviourOn, catalogueById } from '../src/model/catalogue.js';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import { pipInstallsOfArgv } from '../src/model/python-clis.js';
import { cleanupInits, startAsInit } from './helpers/as-init.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';

after(cleanupInits);
const DIR = tempDir('pid1-clins-');

/** The console-script wrapper pip generates for an entry point `clitool = clipkg:main`. */
const WRAPPER =
  "#!/usr/bin/python3\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom clipkg import main\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n";
const PACKAGE = 'import time\n\n\ndef main():\n    print("ready", flush=True)\n    while True:\n        time.sleep(1)\n';

test('a console script (pip wrapper) as PID 1: no SIGTERM handler (SigCgt), the signal is dropped, as pid1 predicts', async (t) => {
  if (!fs.existsSync('/usr/bin/python3')) {
    t.skip('no /usr/bin/python3 here (Debian: python3)');
    return;
  }
  // What pid1 says of `clitool` when a pip install put it there: CPython, whose default is to drop SIGTERM at PID 1.
  const predicted = predictStop(chainFromArgv(['clitool'], { sh: 'dash', signal: 'SIGTERM', pipInstalls: pipInstallsOfArgv(['pip', 'install', 'clitool']) }), 'SIGTERM');
  assert.equal(predicted.service.name, 'clitool');
  assert.equal(predicted.certain, false, 'an unread package: its code decides');
  assert.ok(KEEPS_RUNNING.has(behaviourOn(catalogueById('python'), 'SIGTERM').reaction));
  fs.mkdirSync(path.join(DIR, 'clipkg'), { recursive: true });
  fs.writeFileSync(path.join(DIR, 'clipkg', '__init__.py'), PACKAGE);
  const script = path.join(DIR, 'clitool');
  fs.writeFileSync(script, WRAPPER, { mode: 0o755 });
  const run = await startAsInit([script], { comm: 'clitool', env: { PYTHONPATH: DIR } });
  try {
    await waitFor('clitool to start', () => (/ready/.test(run.output()) ? true : undefined), 20_000, 50);
    assert.ok(!run.mask('SigCgt').includes(15), 'CPython installs no SIGTERM handler for the console script');
    assert.ok(run.mask('SigCgt').includes(2), "CPython's own SIGINT handler (KeyboardInterrupt)");
    process.kill(run.pid, 'SIGTERM');
    await sleep(1500);
    assert.ok(run.alive(), 'SIGTERM ended the console script: it was not dropped');
  } finally {
    await run.destroy();
  }
});

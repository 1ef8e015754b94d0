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
import { analyzeProgramSource } from '../src/sources/program-source.js';
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

// Mailu's core/rspamd/start.py ends in `os.execv("/usr/bin/rspamd", ...)`: the program it names becomes PID 1.
test('a Python script that ends in os.execv as PID 1: the program it names replaces it (same PID), so Python does not decide the stop', async (t) => {
  if (!fs.existsSync('/usr/bin/python3')) {
    t.skip('no /usr/bin/python3 here (Debian: python3)');
    return;
  }
  const script = path.join(DIR, 'start.py');
  const text = 'import os\nprint("configuring", flush=True)\nos.execv("/bin/sleep", ["sleep", "100"])\n';
  fs.writeFileSync(script, text);
  // pid1 reads the script: not "no handler" (which would call the stop lost) but the exec'd program's own
  const verdict = await analyzeProgramSource(text, { path: '/app/start.py', readFile: () => undefined, listDir: () => undefined });
  assert.equal(verdict?.verdict, 'unknown', JSON.stringify(verdict));
  const run = await startAsInit(['/usr/bin/python3', script], { comm: 'sleep' });
  try {
    assert.match(run.output(), /configuring/);
    assert.equal(fs.readFileSync(`/proc/${run.pid}/cmdline`, 'utf8').split('\0')[0], 'sleep', 'PID 1 is sleep now, not python3');
  } finally {
    await run.destroy();
  }
});

/**
 * Programs that pip installs (python-clis.ts): which requirements a command installs, and what the launch
 * model makes of a console script it put there (CPython: its code decides; a verified CLI: no handler).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chainFromArgv, predictStop } from '../src/model/launch.js';
import { PYTHON_CLIS, consoleScriptVerdict, normalizeDistribution, pipInstallsIn, pipInstallsOfArgv } from '../src/model/python-clis.js';
import { pythonLibrary, underUnknown } from '../src/sources/known-libraries.js';
import { loadShellParser } from '../src/model/shell.js';

before(async () => {
  await loadShellParser();
});

test('requirements of pip, python -m pip, uv pip, pipx: names normalized (PEP 503), == pins kept, options skipped', () => {
  const dists = (argv: string[]): string[] => pipInstallsOfArgv(argv).map((x) => (x.version ? `${x.distribution}==${x.version}` : x.distribution));
  assert.deepEqual(dists(['pip', 'install', '--no-cache-dir', 'huggingface_hub==0.24.6', 'Jinja2>=3']), ['huggingface-hub==0.24.6', 'jinja2']);
  assert.deepEqual(dists(['python3', '-m', 'pip', 'install', '-r', 'requirements.txt', '-i', 'https://x/simple', 'requests[socks]']), ['requests']);
  assert.deepEqual(dists(['uv', 'pip', 'install', '--system', 'httpie']), ['httpie']);
  assert.deepEqual(dists(['pipx', 'install', 'Black']), ['black']);
  assert.deepEqual(dists(['pip3', 'install', 'https://github.com/ORB-HD/deface/archive/refs/heads/master.zip']), ['deface']);
  assert.deepEqual(dists(['pip', 'install', '-e', '.', './wheelhouse/x.whl']), []);
  assert.deepEqual(dists(['pip', 'download', 'x']), []);
  assert.equal(normalizeDistribution('Zope.Interface__x'), 'zope-interface-x');
});

test('pip installs in a script: every command, also inside && lists; nothing after the offset', () => {
  const s = 'set -e\napk add py3-pip && pip3 install jinjanator \\\n  jinjanator-plugin-ansible\nexec jinjanate\n';
  const found = pipInstallsIn(s);
  assert.deepEqual(
    found.map((x) => x.distribution),
    ['jinjanator', 'jinjanator-plugin-ansible'],
  );
  assert.equal(found[0]?.text, 'pip3 install jinjanator jinjanator-plugin-ansible');
  assert.deepEqual(pipInstallsIn(s, s.indexOf('pip3')), []);
  assert.deepEqual(pipInstallsIn('echo no installs here'), []);
});

test('console scripts: a verified, pinned CLI has no handler; unpinned, a plugin beside it, or an unread one leave it open', () => {
  const hf = pipInstallsOfArgv(['pip', 'install', 'huggingface_hub==0.24.6']);
  assert.equal(consoleScriptVerdict('huggingface-cli', hf, 'SIGTERM')?.verdict, 'no-handler');
  // v0.32.0 added the first signal code (the tiny-agents CLI): past the verified range.
  assert.equal(consoleScriptVerdict('huggingface-cli', pipInstallsOfArgv(['pip', 'install', 'huggingface_hub==0.35.0']), 'SIGTERM')?.verdict, 'unknown');
  assert.match(consoleScriptVerdict('huggingface-cli', pipInstallsOfArgv(['pip', 'install', 'huggingface_hub']), 'SIGTERM')?.reason ?? '', /not pinned/);
  assert.equal(consoleScriptVerdict('jinjanate', pipInstallsOfArgv(['pip', 'install', 'jinjanator==25.3.1']), 'SIGTERM')?.verdict, 'no-handler');
  assert.match(
    consoleScriptVerdict('jinjanate', pipInstallsOfArgv(['pip', 'install', 'jinjanator==25.3.1', 'jinjanator-plugin-ansible']), 'SIGTERM')?.reason ?? '',
    /plugin jinjanator-plugin-ansible/,
  );
  assert.equal(consoleScriptVerdict('gixy', pipInstallsOfArgv(['pip', 'install', 'gixy']), 'SIGTERM')?.verdict, 'unknown');
  // A name no install explains is not taken for Python.
  assert.equal(consoleScriptVerdict('hellorust', hf, 'SIGTERM'), undefined);
  assert.equal(consoleScriptVerdict('huggingface-cli', [], 'SIGTERM'), undefined);
});

test('the launch model: a console script installed on the same command line is CPython as PID 1', () => {
  const run = (cmd: string): ReturnType<typeof predictStop> => predictStop(chainFromArgv(['sh', '-c', cmd], { sh: 'ash', signal: 'SIGTERM' }), 'SIGTERM');
  // busybox ash execs the last command of an && list: huggingface-cli becomes PID 1, with CPython's default.
  const pinned = run("pip install 'huggingface_hub==0.24.6' && huggingface-cli download org/model --local-dir=/data");
  assert.deepEqual([pinned.outcome, pinned.certain, pinned.service.name], ['killed', true, 'huggingface-cli']);
  const open = run('pip install gixy && gixy /etc/nginx/nginx.conf');
  assert.equal(open.certain, false);
  // Without the install the name is a program pid1 does not know: taken to handle the signal, as before.
  assert.equal(run('gixy /etc/nginx/nginx.conf').outcome, 'graceful');
  // The image's own installs (a Dockerfile's RUN) count the same.
  const image = predictStop(
    chainFromArgv(['huggingface-cli', 'download', 'x'], { sh: 'dash', signal: 'SIGTERM', pipInstalls: pipInstallsOfArgv(['pip', 'install', 'huggingface-hub==0.20.3']) }),
    'SIGTERM',
  );
  assert.deepEqual([image.outcome, image.certain], ['killed', true]);
});

test('every CLI of the table runs a module that known-libraries.ts verifies (same source) to install no handler', () => {
  for (const cli of PYTHON_CLIS)
    for (const [script, entry] of Object.entries(cli.scripts)) {
      const module = entry.split(':')[0] as string;
      const lib = pythonLibrary(module);
      assert.ok(lib, `${script}: no known-libraries.ts entry for ${module}`);
      assert.equal(lib.library.source, cli.source, `${script}: the CLI table and the library entry read different sources`);
      assert.equal(lib.library.verdict, 'none', `${script}: ${module} is '${lib.library.verdict}'`);
      assert.ok(!underUnknown(lib.library, module), `${script}: ${module} is under the entry's unknownUnder`);
    }
});

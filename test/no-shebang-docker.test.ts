/**
 * An exec form that names a script without a `#!` line: the engine execs it with execve(2), which fails with ENOEXEC,
 * and runc does not fall back to a shell ("exec format error"), so the container ends at once with nothing run; the same script
 * run by a shell (`sh /run.sh`, or the shell form) runs. pid1 lint says so for the first (exec-form-no-shebang, a warning)
 * and predicts no stop for it, and keeps the lost stop of the second (fresh49's kafka-manager and transfer4j images).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { pid1 } from './helpers/cli.js';
import { cleanupDocker, requireDocker, startContainer, testImage } from './helpers/docker.js';
import { runSync, tempDir } from './helpers/exec.js';

after(cleanupDocker);

const SCRIPT = 'echo started\nsleep 60\n';

test('the engine cannot exec a script without #!; pid1 lint predicts no stop for it, and a lost stop when a shell runs it', async (t) => {
  if (!requireDocker(t)) return;
  const host = tempDir('pid1-noshebang-');
  const file = path.join(host, 'run.sh');
  fs.writeFileSync(file, SCRIPT, { mode: 0o755 });
  const image = testImage({ shell: 'dash', hostFiles: { '/run.sh': file } });
  // (Docker 20.10 starts the container and its init fails at once: exit status 1, the error in its log)
  const direct = await startContainer({ image, entrypoint: ['/run.sh'] });
  assert.equal(runSync('docker', ['wait', direct]).trim(), '1');
  const logs = spawnSync('docker', ['logs', direct], { encoding: 'utf8' });
  assert.match(logs.stdout + logs.stderr, /exec format error/);
  assert.doesNotMatch(logs.stdout + logs.stderr, /started/);
  // run by a shell, the script runs: dash reads it as a shell script and stays PID 1 in front of sleep
  const byShell = await startContainer({ image, entrypoint: ['/bin/sh', '/run.sh'] });
  assert.equal(runSync('docker', ['inspect', '--format', '{{.State.Running}}', byShell]).trim(), 'true');

  const dir = tempDir('pid1-noshebang-lint-');
  fs.writeFileSync(path.join(dir, 'run.sh'), SCRIPT, { mode: 0o755 });
  fs.mkdirSync(path.join(dir, 'shell'));
  fs.writeFileSync(path.join(dir, 'shell', 'run.sh'), SCRIPT, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM debian:bookworm\nCOPY run.sh /\nENTRYPOINT ["/run.sh"]\n');
  fs.writeFileSync(path.join(dir, 'shell', 'Dockerfile'), 'FROM debian:bookworm\nCOPY run.sh /\nENTRYPOINT ["sh", "/run.sh"]\n');
  const o = await pid1(['lint', '--no-config', '--format', 'json', dir]);
  const report = JSON.parse(o.stdout) as { files: { file: string; findings: { ruleId: string; severity: string }[]; launches: { outcome?: string; chain?: string[] }[] }[] };
  const exec = report.files.find((f) => f.file.endsWith(`${path.sep}Dockerfile`) && !f.file.includes(`${path.sep}shell${path.sep}`));
  assert.equal(exec?.launches[0]?.outcome, undefined, `no stop predicted for a container that does not start: ${JSON.stringify(exec)}`);
  assert.deepEqual(
    exec?.findings.map((f) => [f.ruleId, f.severity]),
    [['exec-form-no-shebang', 'warning']],
  );
  const shell = report.files.find((f) => f.file.includes(`${path.sep}shell${path.sep}Dockerfile`));
  assert.deepEqual(shell?.launches[0]?.chain, ['dash', 'sleep']);
  // (the finding is in the script, where the `exec` goes)
  const findings = report.files.flatMap((f) => f.findings.map((x) => ({ ...x, file: f.file })));
  assert.ok(
    findings.some((f) => f.ruleId === 'script-no-exec' && f.severity === 'error' && f.file.includes(`shell${path.sep}run.sh`)),
    JSON.stringify(findings),
  );
  assert.ok(!findings.some((f) => f.severity === 'error' && !f.file.includes(`shell${path.sep}`)), JSON.stringify(findings));
});

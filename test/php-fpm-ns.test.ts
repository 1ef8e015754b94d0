/**
 * php-fpm as a distribution packages it: daemonize is left at its compiled-in default (yes), so as PID 1 of a
 * fresh PID namespace the master forks, its first process exits, and the namespace (the container) ends by
 * itself at start; with -F it stays in the foreground. The model says the same of a Dockerfile that installs
 * php-fpm from a distribution and runs it without -F: no stop to lose (not php-fpm's fast stop on SIGTERM).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pid1 } from './helpers/cli.js';
import { sleep, tempDir } from './helpers/exec.js';
import { cleanupNamespaces, startNamespace } from './helpers/ns.js';

after(cleanupNamespaces);

const fpm = ['/usr/sbin', '/usr/local/sbin'].flatMap((d) =>
  fs.existsSync(d)
    ? fs
        .readdirSync(d)
        .filter((n) => /^php-fpm[\d.]*$/.test(n))
        .map((n) => path.join(d, n))
    : [],
)[0];
const SKIP = fpm ? false : 'php-fpm is not installed (Debian: php-fpm; scripts/install-deps.sh installs it)';

describe('php-fpm with daemonize at its default, as PID 1', { skip: SKIP }, () => {
  const dir = tempDir('pid1-fpm-');
  // No daemonize line: the default applies (php-src sapi/fpm/fpm/fpm_conf.c: daemonize = 1).
  const conf = path.join(dir, 'fpm.conf');
  fs.writeFileSync(conf, `[global]\npid = ${dir}/fpm.pid\nerror_log = ${dir}/error.log\n[www]\nuser = nobody\ngroup = nogroup\nlisten = ${dir}/fpm.sock\npm = static\npm.max_children = 1\n`);

  it('without -F: PID 1 exits at start and the namespace ends by itself', async () => {
    const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', fpm as string, '-R', '-y', conf], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => unshare.once('exit', (code) => r(code)));
    try {
      const ended = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      assert.ok(ended, 'php-fpm stayed PID 1');
      assert.equal(await exited, 0);
    } finally {
      unshare.kill('SIGKILL');
      await exited;
    }
  });

  it('with -F: it stays in the foreground', async () => {
    const ns = await startNamespace([fpm as string, '-F', '-R', '-y', conf]);
    try {
      const ended = await Promise.race([ns.exited.then(() => true), sleep(1500).then(() => false)]);
      assert.equal(ended, false, 'php-fpm -F ended by itself');
    } finally {
      await ns.destroy();
    }
  });
});

describe('the model: php-fpm from a distribution package', () => {
  const lint = async (dockerfile: string): Promise<{ outcome?: string; errors: number }> => {
    const dir = tempDir('pid1-fpm-lint-');
    fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    const r = await pid1(['lint', '--no-config', '--format', 'json', 'Dockerfile'], { cwd: dir });
    const out = JSON.parse(r.stdout) as { files: { launches: { outcome?: string }[] }[]; summary: { errors: number } };
    return { ...(out.files[0]?.launches[0]?.outcome ? { outcome: out.files[0].launches[0].outcome } : {}), errors: out.summary.errors };
  };
  const APT = 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y php-fpm\n';

  it('without -F it detaches: nothing is left for a stop to reach', async () => {
    const r = await lint(`${APT}CMD ["php-fpm8.2"]\n`);
    assert.equal(r.errors, 0);
    assert.notEqual(r.outcome, 'abrupt');
  });
  it('with -F it is PID 1, and SIGTERM is its fast stop', async () => {
    assert.equal((await lint(`${APT}CMD ["php-fpm8.2", "-F"]\n`)).errors, 1);
  });
  it('a build that sets daemonize is not second-guessed', async () => {
    assert.equal((await lint(`${APT}RUN sed -i 's/;daemonize = yes/daemonize = no/' /etc/php/8.2/fpm/php-fpm.conf\nCMD ["php-fpm8.2"]\n`)).errors, 1);
  });
  it('the official php image sets daemonize = no: its STOPSIGNAL SIGQUIT decides (no error)', async () => {
    assert.equal((await lint('FROM php:8.3-fpm\nCMD ["php-fpm"]\n')).errors, 0);
  });
});

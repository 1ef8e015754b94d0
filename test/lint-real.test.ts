/**
 * pid1 lint's verdicts against real stops. Each case is linted, then run for real and stopped:
 * - Docker: the Dockerfile is built (`docker build`, FROM a local test image whose /bin/sh is dash, bash
 *   or busybox ash; lint is told that family through --image-shell), run, and `docker stop`ped with a
 *   short grace period;
 * - PID namespaces: an entrypoint script runs as PID 1 of a fresh namespace under dash, bash and busybox
 *   sh, and gets SIGTERM from the host.
 * The verdict (graceful / killed / abrupt) must match what happened.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadShellParser } from '../src/model/shell.js';
import { Linter } from '../src/lint/engine.js';
import { makeDocument } from '../src/document/document.js';
import type { Outcome } from '../src/model/launch.js';
import { requireDocker, testImage, trackImage, startContainer, dockerStop, removeContainer, cleanupDocker, logsOf } from './helpers/docker.js';
import { run, waitFor } from './helpers/exec.js';
import { startNamespace, cleanupNamespaces, wchanOf } from './helpers/ns.js';
import { stopNamespace, svcExitedGracefully } from './helpers/observe.js';
import { svcBinary } from './helpers/rootfs.js';
import { lintLaunches, pid1 } from './helpers/cli.js';

after(() => {
  cleanupNamespaces();
  cleanupDocker();
});
before(async () => {
  await loadShellParser();
});

type Family = 'dash' | 'bash' | 'ash';

/** Lint a Dockerfile (and context files) in a temp dir; returns the target launch's predicted outcome. */
function lintVerdict(dir: string, image: string, family: Family): { outcome: Outcome | undefined; certain: boolean | undefined; rules: string[] } {
  const linter = new Linter({ images: { [image]: family } });
  const abs = path.join(dir, 'Dockerfile');
  const doc = makeDocument(abs, fs.readFileSync(abs, 'utf8'), 'dockerfile', abs);
  linter.store.add(doc);
  linter.lint(doc);
  const r = linter.result();
  const launch = r.files.flatMap((f) => f.launches).find((l) => l.target);
  return { outcome: launch?.outcome, certain: launch?.certain, rules: r.files.flatMap((f) => f.findings.filter((x) => x.severity === 'error').map((x) => x.ruleId)) };
}

function observedOf(stop: { ms: number; exitCode: number; logs: string }, graceMs: number): 'graceful' | 'killed' | 'abrupt' {
  if (svcExitedGracefully(stop.logs)) return 'graceful';
  if (stop.ms >= graceMs * 0.9) return 'killed';
  return 'abrupt';
}

interface DockerCase {
  name: string;
  shell: Family;
  /** Dockerfile after the FROM line. */
  body: string;
  files?: Record<string, string>;
  expect: 'graceful' | 'killed' | 'abrupt';
  /** Error findings expected (rule ids); default: none when graceful. */
  rules?: string[];
}

// svc by its path: busybox sh runs its own `svc` applet (runit's) for a bare `svc`.
const SLOW = '--drain-ms 1500'; // a shutdown long enough to be cut short when it is not waited for

const dockerCases: DockerCase[] = [
  // The classic `ENTRYPOINT gunicorn -w 1 ...` on a Debian-based image, with /usr/local/bin/svc standing in for gunicorn.
  { name: 'shell form on dash (the python:*-slim gunicorn case)', shell: 'dash', body: 'ENTRYPOINT /usr/local/bin/svc --workers 1', expect: 'killed', rules: ['shell-pid1'] },
  { name: 'shell form on bash', shell: 'bash', body: 'ENTRYPOINT /usr/local/bin/svc --workers 1', expect: 'graceful' },
  { name: 'shell form on busybox ash', shell: 'ash', body: 'CMD /usr/local/bin/svc --workers 1', expect: 'graceful' },
  { name: 'exec form on dash', shell: 'dash', body: 'ENTRYPOINT ["/usr/local/bin/svc", "--workers", "1"]', expect: 'graceful' },
  { name: 'cd && /usr/local/bin/svc on dash', shell: 'dash', body: 'CMD cd / && /usr/local/bin/svc', expect: 'killed', rules: ['shell-pid1'] },
  { name: 'cd && /usr/local/bin/svc on bash', shell: 'bash', body: 'CMD cd / && /usr/local/bin/svc', expect: 'graceful' },
  { name: 'cd && /usr/local/bin/svc on ash', shell: 'ash', body: 'CMD cd / && /usr/local/bin/svc', expect: 'graceful' },
  { name: 'exec in the shell form on dash', shell: 'dash', body: 'CMD exec /usr/local/bin/svc', expect: 'graceful' },
  { name: 'pipeline on bash', shell: 'bash', body: 'CMD /usr/local/bin/svc | cat', expect: 'killed', rules: ['shell-pid1'] },
  { name: 'SHELL bash on a dash image', shell: 'dash', body: 'SHELL ["/bin/bash", "-c"]\nCMD /usr/local/bin/svc', expect: 'graceful' },
  { name: 'sh -c in exec form on dash', shell: 'dash', body: 'CMD ["sh", "-c", "/usr/local/bin/svc"]', expect: 'killed', rules: ['shell-pid1'] },
  { name: 'tini -> dash -c', shell: 'dash', body: `ENTRYPOINT ["tini", "--", "sh", "-c", "/usr/local/bin/svc ${SLOW}"]`, expect: 'abrupt', rules: ['shell-under-init'] },
  { name: 'tini -g -> dash -c', shell: 'dash', body: `ENTRYPOINT ["tini", "-g", "--", "sh", "-c", "/usr/local/bin/svc ${SLOW}"]`, expect: 'abrupt', rules: ['shell-under-init'] },
  { name: 'dumb-init -> dash -c', shell: 'dash', body: `ENTRYPOINT ["dumb-init", "sh", "-c", "/usr/local/bin/svc ${SLOW}"]`, expect: 'abrupt', rules: ['shell-under-init'] },
  { name: 'catatonit -> dash -c', shell: 'dash', body: `ENTRYPOINT ["catatonit", "--", "sh", "-c", "/usr/local/bin/svc ${SLOW}"]`, expect: 'abrupt', rules: ['shell-under-init'] },
  { name: 'tini -> /usr/local/bin/svc', shell: 'dash', body: 'ENTRYPOINT ["tini", "--"]\nCMD ["/usr/local/bin/svc", "--workers", "1"]', expect: 'graceful' },
  { name: 'dumb-init -> /usr/local/bin/svc', shell: 'dash', body: 'ENTRYPOINT ["dumb-init", "--"]\nCMD ["/usr/local/bin/svc"]', expect: 'graceful' },
  { name: 'dumb-init -> ash -c (ash execs)', shell: 'ash', body: 'ENTRYPOINT ["dumb-init", "--"]\nCMD /usr/local/bin/svc', expect: 'graceful' },
  {
    name: 'entrypoint script without exec (dash)',
    shell: 'dash',
    body: 'COPY entrypoint.sh /usr/local/bin/\nENTRYPOINT ["entrypoint.sh"]',
    files: { 'entrypoint.sh': '#!/bin/sh\nset -e\necho starting\n/usr/local/bin/svc\n' },
    expect: 'killed',
    rules: ['script-no-exec'],
  },
  {
    name: 'entrypoint script without exec (bash)',
    shell: 'bash',
    body: 'COPY start.sh /start.sh\nCMD ["/start.sh"]',
    files: { 'start.sh': '#!/bin/bash\necho starting\n/usr/local/bin/svc\n' },
    expect: 'killed',
    rules: ['script-no-exec'],
  },
  {
    name: 'entrypoint script without exec (busybox ash)',
    shell: 'ash',
    body: 'COPY start.sh /start.sh\nCMD ["/start.sh"]',
    files: { 'start.sh': '#!/bin/sh\necho starting\n/usr/local/bin/svc\n' },
    expect: 'killed',
    rules: ['script-no-exec'],
  },
  {
    name: 'entrypoint script with exec',
    shell: 'dash',
    body: 'COPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]',
    files: { 'entrypoint.sh': '#!/bin/sh\nset -e\necho starting\nexec /usr/local/bin/svc\n' },
    expect: 'graceful',
  },
  {
    name: 'exec "$@" with an exec-form CMD',
    shell: 'dash',
    body: 'COPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["/usr/local/bin/svc"]',
    files: { 'entrypoint.sh': '#!/bin/sh\nexec "$@"\n' },
    expect: 'graceful',
  },
  {
    name: 'trap forwards, one wait (dash)',
    shell: 'dash',
    body: 'COPY e.sh /e.sh\nENTRYPOINT ["/e.sh"]',
    files: { 'e.sh': `#!/bin/sh\ntrap 'kill -TERM $pid' TERM\n/usr/local/bin/svc ${SLOW} & pid=$!\nwait $pid\n` },
    expect: 'abrupt',
    rules: ['signal-trap'],
  },
  {
    name: 'trap forwards and waits (dash)',
    shell: 'dash',
    body: 'COPY e.sh /e.sh\nENTRYPOINT ["/e.sh"]',
    files: { 'e.sh': `#!/bin/sh\ntrap 'kill -TERM $pid; wait $pid' TERM\n/usr/local/bin/svc --drain-ms 300 & pid=$!\nwait $pid\n` },
    expect: 'graceful',
  },
];

test('lint verdicts match real docker stops', { timeout: 600_000 }, async (t) => {
  if (!requireDocker(t)) return;
  const grace = 3;
  const mismatches: string[] = [];
  for (const c of dockerCases) {
    await t.test(c.name, async () => {
      const image = testImage({ shell: c.shell });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-lint-real-'));
      try {
        fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${image}\n${c.body}\n`);
        for (const [n, text] of Object.entries(c.files ?? {})) fs.writeFileSync(path.join(dir, n), text, { mode: 0o755 });
        const verdict = lintVerdict(dir, image, c.shell);
        const tag = `pid1-lint-real-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
        trackImage(tag);
        const b = await run('docker', ['build', '-q', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
        assert.equal(b.code, 0, `docker build: ${b.stderr}`);
        const name = await startContainer({ image: tag });
        try {
          await waitFor('svc ready', () => (/svc\[\d+\]: ready/.test(logsOf(name)) ? true : undefined), 15_000, 50);
          const stop = await dockerStop(name, grace);
          const observed = observedOf(stop, grace * 1000);
          if (observed !== verdict.outcome) mismatches.push(`${c.name}: lint ${verdict.outcome}, real ${observed}`);
          assert.equal(observed, c.expect, `real stop: ${observed} in ${stop.ms} ms, exit ${stop.exitCode}\n${stop.logs}`);
          assert.equal(verdict.outcome, observed, `lint said ${verdict.outcome}, the real stop was ${observed}`);
          assert.equal(verdict.certain, true);
          assert.deepEqual(verdict.rules, c.rules ?? []);
        } finally {
          removeContainer(name);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  assert.deepEqual(mismatches, []);
});

test('the classic python:3.9-slim + shell-form gunicorn, statically', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-lint-classic-'));
  try {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:3.9-slim\nENTRYPOINT gunicorn -w 1 -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:80 app:app\n');
    const r = await pid1(['lint', '--format', 'json', dir]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { files: { launches: { outcome: string; certain: boolean; shell: { family: string } }[]; findings: { ruleId: string; severity: string; fix?: unknown }[] }[] };
    const f = out.files[0];
    assert.equal(f?.launches[0]?.outcome, 'killed');
    assert.equal(f?.launches[0]?.certain, true);
    assert.equal(f?.launches[0]?.shell.family, 'dash');
    assert.deepEqual(
      f?.findings.map((x) => [x.ruleId, x.severity, Boolean(x.fix)]),
      [['shell-pid1', 'error', true]],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Scripts as PID 1 of a real PID namespace, under each shell, linted on their own (`pid1 lint script.sh`).
const SVC = svcBinary();
const BUSYBOX = fs.existsSync('/bin/busybox') ? '/bin/busybox' : '/usr/bin/busybox';
const SHELLS: { name: string; shebang: string; argv: string[] }[] = [
  { name: 'dash', shebang: '#!/usr/bin/dash', argv: ['/usr/bin/dash'] },
  { name: 'bash', shebang: '#!/usr/bin/bash', argv: ['/usr/bin/bash'] },
  { name: 'busybox sh', shebang: `#!${BUSYBOX} sh`, argv: [BUSYBOX, 'sh'] },
];
const SCRIPTS: { name: string; body: string; expect: 'graceful' | 'killed' | 'abrupt' }[] = [
  { name: 'no exec', body: `echo starting\n${SVC}\n`, expect: 'killed' },
  { name: 'exec', body: `echo starting\nexec ${SVC}\n`, expect: 'graceful' },
  { name: 'trap + foreground service', body: `trap 'exit 0' TERM\n${SVC}\n`, expect: 'killed' },
  { name: 'trap forwards, one wait', body: `trap 'kill -TERM $pid' TERM\n${SVC} --drain-ms 800 & pid=$!\nwait $pid\n`, expect: 'abrupt' },
  { name: 'trap forwards, two waits', body: `trap 'kill -TERM $pid' TERM\n${SVC} --drain-ms 300 & pid=$!\nwait $pid\nwait $pid\n`, expect: 'graceful' },
  { name: 'set -e, trap forwards, two waits', body: `set -e\ntrap 'kill -TERM $pid' TERM\n${SVC} --drain-ms 800 & pid=$!\nwait $pid\nwait $pid\n`, expect: 'abrupt' },
  { name: 'trap kills and waits', body: `trap 'kill -TERM $pid; wait $pid' TERM\n${SVC} --drain-ms 300 & pid=$!\nwait $pid\n`, expect: 'graceful' },
  { name: 'trap that does not forward', body: `trap 'exit 0' TERM\n${SVC} --drain-ms 800 & pid=$!\nwait $pid\n`, expect: 'abrupt' },
  // A keep-alive loop: `wait` for a background sleep returns at once on a trapped signal (the nfs-server pattern).
  {
    name: 'keep-alive loop with `sleep & wait`, trap stops the service',
    body: `stop() { kill -TERM $pid; wait $pid; exit 0; }\ntrap stop TERM\n${SVC} --drain-ms 300 & pid=$!\nwhile :; do sleep 1000 & wait; done\n`,
    expect: 'graceful',
  },
  // A trap that forwards and waits, in a loop of short sleeps: it runs after the current sleep; the service drains.
  {
    name: 'keep-alive loop that leaves once the service is gone, trap forwards and waits',
    body: `trap 'kill -TERM $pid; wait $pid' TERM\n${SVC} --drain-ms 300 & pid=$!\nwhile :; do kill -0 $pid 2>/dev/null || break; sleep 1; done\n`,
    expect: 'graceful',
  },
  // The same without the way out: the service has drained, but the loop goes on until the SIGKILL.
  {
    name: 'keep-alive loop that goes on after a trap that forwards and waits',
    body: `trap 'kill -TERM $pid; wait $pid' TERM\n${SVC} --drain-ms 300 & pid=$!\nwhile :; do sleep 1; done\n`,
    expect: 'killed',
  },
  // The same loop with the sleep in the foreground: the trap waits for a sleep that does not end.
  {
    name: 'keep-alive loop with a foreground sleep',
    body: `stop() { kill -TERM $pid; wait $pid; exit 0; }\ntrap stop TERM\n${SVC} --drain-ms 300 & pid=$!\nwhile :; do sleep 1000; done\n`,
    expect: 'killed',
  },
];

test('lint verdicts on scripts match real stops in PID namespaces', { timeout: 300_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-lint-ns-'));
  try {
    for (const sh of SHELLS) {
      for (const s of SCRIPTS) {
        await t.test(`${sh.name}: ${s.name}`, async () => {
          const file = path.join(dir, `${sh.name.replace(/\W/g, '_')}-${s.name.replace(/\W/g, '_')}.sh`);
          fs.writeFileSync(file, `${sh.shebang}\n${s.body}`, { mode: 0o755 });
          const linter = new Linter();
          const doc = makeDocument(file, fs.readFileSync(file, 'utf8'), 'script', file);
          linter.lint(doc);
          const launch = linter.result().files[0]?.launches[0];
          const ns = await startNamespace([...sh.argv, file], { readyLine: /svc\[\d+\]: ready/ });
          // svc says ready before the shell has run `pid=$!`: a stop in that instant finds $pid empty. A real stop
          // comes later, when the shell waits (wchan do_wait); give it up to a second to get there.
          await waitFor('the shell to wait', () => (wchanOf(ns.initPid) === 'do_wait' ? true : undefined), 1000, 20).catch(() => undefined);
          const { observed } = await stopNamespace(ns, 'SIGTERM', 2000);
          assert.equal(observed, s.expect, `real stop under ${sh.name}: ${observed}\n${ns.output()}`);
          assert.equal(launch?.outcome, observed, `lint said ${launch?.outcome}: ${launch?.path.join(' | ')}`);
        });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The builder resolves symlinks within the build context (moby's FollowSymlinkInScope): a build of debian/ cannot
// copy scripts/ through debian/scripts -> ../scripts, a build of the directory above can. lint reads the latter
// (dockerfile/launch.ts contextAbove); passbolt_docker's layout.
test('docker build: COPY through a symlink out of the context fails; from the directory above it copies', async (t) => {
  if (!requireDocker(t)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-ctx-link-'));
  try {
    fs.mkdirSync(path.join(dir, 'debian'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.writeFileSync(path.join(dir, 'debian', 'Dockerfile'), 'FROM scratch\nCOPY scripts/entrypoint.sh /entrypoint.sh\n');
    fs.writeFileSync(path.join(dir, 'scripts', 'entrypoint.sh'), '#!/bin/sh\nexec svc\n');
    fs.symlinkSync('../scripts', path.join(dir, 'debian', 'scripts'));
    const env = { ...process.env, DOCKER_BUILDKIT: '0' };
    const tag = `pid1-ctx-link-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    trackImage(`${tag}:own`);
    trackImage(`${tag}:above`);
    const own = await run('docker', ['build', '-q', '-t', `${tag}:own`, path.join(dir, 'debian')], { env });
    assert.notEqual(own.code, 0, 'a build of debian/ copied through the link out of it');
    const above = await run('docker', ['build', '-q', '-t', `${tag}:above`, '-f', path.join(dir, 'debian', 'Dockerfile'), dir], { env });
    assert.equal(above.code, 0, `docker build from the directory above: ${above.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// With no -f, a build reads CONTEXT/Dockerfile, else CONTEXT/dockerfile (moby/moby#10858; BuildKit: moby/buildkit#1816):
// marcel-dempers' course builds python/dockerfile from its compose file. lint reads the same file for the compose service.
test('docker build of a context with only a lowercase dockerfile uses it, and lint reads it for a compose build', async (t) => {
  if (!requireDocker(t)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-lc-dockerfile-'));
  try {
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', 'dockerfile'), 'FROM scratch\nCMD ["/bin/sleep", "3600"]\n');
    fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  app:\n    image: acme/app:1\n    build:\n      context: ./app\n');
    const tag = `pid1-lc-dockerfile-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    trackImage(tag);
    const built = await run('docker', ['build', '-q', '-t', tag, path.join(dir, 'app')], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    assert.equal(built.code, 0, `docker build: ${built.stderr}`);
    const cmd = await run('docker', ['image', 'inspect', '--format', '{{json .Config.Cmd}}', tag]);
    assert.equal(cmd.stdout.trim(), '["/bin/sleep","3600"]');
    const app = (await lintLaunches(['compose.yaml'], { cwd: dir })).find((l) => l.label === 'service app');
    assert.equal(app?.outcome, 'killed', JSON.stringify(app));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

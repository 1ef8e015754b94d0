/**
 * ENV and ARG as the builder expands them, so that pid1 finds the entrypoint script where the image has it:
 * `ENV PATH $PATH:/opt/app/bin` (the legacy space form) on a base that sets no PATH takes the builder's
 * default PATH; `COPY x /usr/local/bin` (no slash) puts x inside the directory. The real builder's result is
 * the reference (docker build, then docker inspect and docker stop). And a file of 100,000 ENV lines is read
 * in time linear in its length.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DocumentStore } from '../src/document/store.js';
import { loadShellParser } from '../src/model/shell.js';
import { lintDockerfileSource } from '../src/sources/dockerfile/launch.js';
import { DEFAULT_PATH } from '../src/sources/dockerfile/parse.js';
import type { Launch } from '../src/sources/launch.js';
import { dockerStop, removeContainer, requireDocker, startContainer, testImage, trackImage } from './helpers/docker.js';
import { run, runSync, waitFor } from './helpers/exec.js';

before(async () => {
  await loadShellParser();
});

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-env-'));
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text, { mode: text.startsWith('#!') ? 0o755 : 0o644 });
  }
  return dir;
}

function launchOf(dir: string, images: Record<string, string> = {}): Launch {
  const store = new DocumentStore();
  const doc = store.read(path.join(dir, 'Dockerfile'), 'dockerfile');
  assert.ok(doc);
  const r = lintDockerfileSource(doc, store, { images });
  assert.deepEqual(r.errors, []);
  const l = r.launches.find((x) => x.target);
  assert.ok(l);
  return l;
}

describe('where the builder puts things, as pid1 reads it', () => {
  it('ENV PATH $PATH:/opt/app/bin keeps the default PATH and finds the script there', () => {
    for (const env of ['ENV PATH $PATH:/opt/app/bin', 'ENV PATH=${PATH}:/opt/app/bin', 'ARG APP=/opt/app\nENV PATH "$PATH:${APP}/bin"']) {
      const dir = context({ Dockerfile: `FROM debian:bookworm-slim\n${env}\nCOPY run.sh /opt/app/bin/\nENTRYPOINT ["run.sh"]\n`, 'run.sh': '#!/bin/sh\nexec svc\n' });
      const l = launchOf(dir);
      assert.equal(l.env.PATH, `${DEFAULT_PATH}:/opt/app/bin`, env);
      assert.deepEqual([...l.scripts.keys()], ['run.sh'], env);
      assert.equal(l.prediction?.outcome, 'graceful', env);
    }
  });

  it('the Debian postgres pattern: ENV PATH $PATH:/usr/lib/postgresql/$PG_MAJOR/bin, the entrypoint in /usr/local/bin', () => {
    const dir = context({
      Dockerfile:
        'FROM debian:bookworm-slim\nENV PG_MAJOR 17\nENV PATH $PATH:/usr/lib/postgresql/$PG_MAJOR/bin\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["postgres"]\n',
      'docker-entrypoint.sh': '#!/bin/sh\nexec "$@"\n',
    });
    const l = launchOf(dir);
    assert.equal(l.env.PATH, `${DEFAULT_PATH}:/usr/lib/postgresql/17/bin`);
    assert.ok(l.scripts.has('docker-entrypoint.sh'));
  });

  it('COPY into a directory without a trailing slash: a standard directory, one WORKDIR made, one a COPY made', () => {
    for (const [lines, entry] of [
      ['COPY ./entrypoint.sh /usr/local/bin', '/usr/local/bin/entrypoint.sh'],
      ['WORKDIR /srv/app\nCOPY entrypoint.sh /srv/app', '/srv/app/entrypoint.sh'],
      ['COPY a.txt entrypoint.sh /opt/x/\nCOPY entrypoint.sh /opt/x', '/opt/x/entrypoint.sh'],
    ] as const) {
      const dir = context({ Dockerfile: `FROM debian:bookworm-slim\n${lines}\nENTRYPOINT ["${entry}"]\n`, 'entrypoint.sh': '#!/bin/sh\nexec svc\n', 'a.txt': 'a\n' });
      assert.ok(launchOf(dir).scripts.has(entry), lines);
    }
    // a file copied onto a name that is no directory keeps that name
    const dir = context({ Dockerfile: 'FROM debian:bookworm-slim\nCOPY entrypoint.sh /start\nENTRYPOINT ["/start"]\n', 'entrypoint.sh': '#!/bin/sh\nexec svc\n' });
    assert.ok(launchOf(dir).scripts.has('/start'));
  });

  it('FROM scratch has no standard directories: COPY x /srv makes the file /srv', () => {
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY entrypoint.sh /srv\nENTRYPOINT ["/srv"]\n', 'entrypoint.sh': '#!/bin/sh\nexec svc\n' });
    assert.ok(launchOf(dir).scripts.has('/srv'));
  });
});

describe('the real builder', () => {
  it("docker build: the PATH the image gets is the PATH pid1 computes (FROM scratch: the builder's default)", async (t) => {
    if (!requireDocker(t)) return;
    const cases = ['ENV PATH $PATH:/opt/app/bin', 'ENV PATH=/opt/first:$PATH', 'ARG D=/opt/d\nENV PATH $PATH:${D}/bin:${UNSET:-/opt/dflt}'];
    for (const env of cases) {
      const dir = context({ Dockerfile: `FROM scratch\n${env}\n` });
      const tag = `pid1-test-env-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      trackImage(tag);
      const b = await run('docker', ['build', '-q', '--label', 'pid1.test=1', '-t', tag, dir], { timeout: 120_000 });
      assert.equal(b.code, 0, b.stderr);
      const realEnv = JSON.parse(runSync('docker', ['inspect', '-f', '{{json .Config.Env}}', tag])) as string[];
      const store = new DocumentStore();
      const doc = store.read(path.join(dir, 'Dockerfile'), 'dockerfile');
      assert.ok(doc);
      const stage = lintDockerfileSource(doc, store, { allStages: true }).dockerfile?.target;
      assert.deepEqual(
        realEnv.filter((e) => e.startsWith('PATH=')),
        [`PATH=${stage?.env.get('PATH') ?? ''}`],
        env,
      );
    }
  });

  // luszczynski's centos7-base: `ENV TERM=xterm HOME=/home/jboss SUPPORT=$HOME/support` puts SUPPORT at /support
  it('docker build: one ENV instruction expands its values with the variables from before it; the next one sees them', async (t) => {
    if (!requireDocker(t)) return;
    const dir = context({ Dockerfile: 'FROM scratch\nENV ABC=hello\nENV ABC=bye DEF=$ABC HOME=/home/jboss SUPPORT=$HOME/support\nENV GHI=$ABC JKL=${HOME}/x\n' });
    const tag = `pid1-test-env-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    trackImage(tag);
    const b = await run('docker', ['build', '-q', '--label', 'pid1.test=1', '-t', tag, dir], { timeout: 120_000 });
    assert.equal(b.code, 0, b.stderr);
    const realEnv = (JSON.parse(runSync('docker', ['inspect', '-f', '{{json .Config.Env}}', tag])) as string[]).filter((e) => !e.startsWith('PATH='));
    const store = new DocumentStore();
    const doc = store.read(path.join(dir, 'Dockerfile'), 'dockerfile');
    assert.ok(doc);
    const stage = lintDockerfileSource(doc, store, { allStages: true }).dockerfile?.target;
    const ours = [...(stage?.env ?? [])].filter(([k]) => k !== 'PATH').map(([k, v]) => `${k}=${v}`);
    assert.deepEqual(ours.sort(), [...realEnv].sort());
    assert.ok(realEnv.includes('DEF=hello') && realEnv.includes('SUPPORT=/support') && realEnv.includes('GHI=bye'), realEnv.join(' '));
  });

  it('docker build FROM scratch: COPY x /srv and /opt make files (scratch has no directories), COPY x /usr/local/bin/ a directory', async (t) => {
    if (!requireDocker(t)) return;
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY f /srv\nCOPY f /opt\nCOPY f /usr/local/bin/\n', f: 'x\n' });
    const tag = `pid1-test-scratch-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    trackImage(tag);
    const b = await run('docker', ['build', '-q', '--label', 'pid1.test=1', '-t', tag, dir], { timeout: 120_000 });
    assert.equal(b.code, 0, b.stderr);
    const c = runSync('docker', ['create', '--label', 'pid1.test=1', tag, '/srv']).trim();
    try {
      const listed = await run('sh', ['-c', `docker export ${c} | tar -t`], { timeout: 60_000 });
      assert.equal(listed.code, 0, listed.stderr);
      const names = new Set(listed.stdout.split('\n'));
      for (const f of ['srv', 'opt', 'usr/local/bin/f']) assert.ok(names.has(f), `${f} in ${[...names].join(' ')}`);
    } finally {
      removeContainer(c);
    }
    const store = new DocumentStore();
    const doc = store.read(path.join(dir, 'Dockerfile'), 'dockerfile');
    assert.ok(doc);
    const copies = lintDockerfileSource(doc, store, { allStages: true }).dockerfile?.target?.copies ?? [];
    assert.deepEqual(
      copies.map((x) => [x.dest, x.destDir]),
      [
        ['/srv', false],
        ['/opt', false],
        ['/usr/local/bin', true],
      ],
    );
  });

  it('an entrypoint script on a PATH set with the legacy form runs, and stops as lint predicts', async (t) => {
    if (!requireDocker(t)) return;
    const base = testImage({ shell: 'dash' });
    for (const [name, script, outcome] of [
      ['execs', 'exec app --drain-ms 200', 'graceful'],
      ['keeps', 'app --drain-ms 200', 'killed'],
    ] as const) {
      const dir = context({ Dockerfile: `FROM ${base}\nENV PATH $PATH:/opt/app/bin\nCOPY run.sh /opt/app/bin/\nENTRYPOINT ["run.sh"]\n`, 'run.sh': `#!/bin/sh\n${script}\n` });
      const l = launchOf(dir, { [base]: 'dash' });
      assert.equal(l.prediction?.outcome, outcome, name);
      const tag = `pid1-test-envrun-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      trackImage(tag);
      const b = await run('docker', ['build', '-q', '--label', 'pid1.test=1', '-t', tag, dir], { timeout: 120_000 });
      assert.equal(b.code, 0, b.stderr);
      const c = await startContainer({ image: tag });
      try {
        await waitFor(`${c} ready`, () => (/ready/.test(runSync('docker', ['logs', c])) ? true : undefined), 10_000);
        const r = await dockerStop(c, 2);
        if (outcome === 'graceful') {
          assert.match(r.logs, /graceful exit/, name);
          assert.equal(r.exitCode, 0, name);
        } else assert.equal(r.exitCode, 137, name);
      } finally {
        removeContainer(c);
      }
    }
  });
});

describe('a long Dockerfile is read in linear time', () => {
  it('100,000 ENV lines take at most ~12x the time of 20,000 (linear is 5x, the old copy per key 25x; bench/dockerfile-env.ts has 10k vs 100k)', async () => {
    // In a child with --expose-gc: a collection before each run keeps the garbage of one size out of the
    // other's time (under a loaded test run, that noise alone moved the ratio by half). A ratio, never a time.
    const launchJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/sources/dockerfile/launch.js');
    const documentJs = path.resolve(path.dirname(launchJs), '../../document/document.js');
    const storeJs = path.resolve(path.dirname(launchJs), '../../document/store.js');
    const script = `
      const { lintDockerfileSource } = await import(${JSON.stringify(launchJs)});
      const { makeDocument } = await import(${JSON.stringify(documentJs)});
      const { DocumentStore } = await import(${JSON.stringify(storeJs)});
      const text = (n) => { const l = ['FROM debian:bookworm-slim']; for (let i = 0; i < n; i++) l.push(i % 2 ? 'ENV V' + i + '=$V' + (i - 1) + ':x' : 'ENV V' + i + ' value ' + i); l.push('CMD ["svc"]'); return l.join('\\n') + '\\n'; };
      const time = (n) => { const doc = makeDocument('Dockerfile', text(n), 'dockerfile'); globalThis.gc(); const t0 = process.hrtime.bigint(); lintDockerfileSource(doc, new DocumentStore(), { context: process.cwd() }); return Number(process.hrtime.bigint() - t0) / 1e6; };
      for (let i = 0; i < 2; i++) time(20000);
      const small = [], large = [];
      for (let i = 0; i < 3; i++) { small.push(time(20000)); large.push(time(100000)); }
      process.stdout.write(JSON.stringify({ small: Math.min(...small), large: Math.min(...large) }));
    `;
    const r = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { timeout: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const { small, large } = JSON.parse(r.stdout) as { small: number; large: number };
    const ratio = large / small;
    assert.ok(ratio < 12, `100k/20k ENV lines: ${ratio.toFixed(1)}x (${small.toFixed(0)} ms, ${large.toFixed(0)} ms)`);
  });
});

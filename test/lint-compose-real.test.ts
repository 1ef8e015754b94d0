/**
 * Compose verdicts against the real thing: docker-compose 1.29 (Debian's package) creates the containers
 * and stops them with stop_grace_period, on the real Docker engine. Checked here:
 * - how compose v1 splits a string command/entrypoint (docker inspect shows the argv it created);
 * - that an entrypoint override drops the image's CMD;
 * - that lint's predicted outcome for each service (graceful / killed / abrupt) is what `docker-compose stop` does.
 * Every service runs with network_mode: none; the project is taken down (containers, images) even on failure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { DocumentStore } from '../src/document/store.js';
import { loadShellParser } from '../src/model/shell.js';
import { lintComposeProject } from '../src/sources/compose/source.js';
import type { ComposeLaunch } from '../src/sources/launch.js';
import { splitShlex } from '../src/sources/compose/words.js';
import { charsOf } from '../src/document/text.js';
import { interpolate } from '../src/sources/compose/interpolate.js';
import { composeService } from '../src/runtime/pick-container.js';
import { requireDocker, testImage, trackImage } from './helpers/docker.js';
import { run, runSync, sleep } from './helpers/exec.js';

function composeAvailable(): boolean {
  try {
    execFileSync('docker-compose', ['version', '--short'], { stdio: 'pipe', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

function requireCompose(t: TestContext): boolean {
  if (!requireDocker(t)) return false;
  if (composeAvailable()) return true;
  if (process.env.PID1_REQUIRE_DOCKER === '1') throw new Error('PID1_REQUIRE_DOCKER=1 but docker-compose is not installed (scripts/install-deps.sh installs it)');
  t.skip('docker-compose (v1, Debian package) is not installed');
  return false;
}

const projects: { dir: string; name: string }[] = [];

function compose(p: { dir: string; name: string }, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('docker-compose', ['-p', p.name, '-f', path.join(p.dir, 'docker-compose.yml'), ...args], { cwd: p.dir, timeout: 120_000 });
}

function newProject(files: Record<string, string>): { dir: string; name: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-dc-'));
  for (const [n, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
    fs.writeFileSync(path.join(dir, n), text);
  }
  const p = { dir, name: `pid1t${process.pid}${Math.random().toString(36).slice(2, 7)}` };
  projects.push(p);
  return p;
}

function launches(p: { dir: string }, images: Record<string, string>, composeVersion: 1 | 2 = 1): Map<string, ComposeLaunch> {
  const store = new DocumentStore();
  const doc = store.read(path.join(p.dir, 'docker-compose.yml'), 'compose');
  assert.ok(doc);
  const res = lintComposeProject([doc], store, { env: {}, images, composeVersion });
  assert.deepEqual(
    res.flatMap((r) => r.errors),
    [],
  );
  return new Map(res.flatMap((r) => r.launches).map((l) => [(l as ComposeLaunch).service, l as ComposeLaunch]));
}

function inspect(container: string): { Entrypoint: string[] | null; Cmd: string[] | null; StopSignal?: string; ExitCode: number; Init: boolean | null } {
  const j = JSON.parse(runSync('docker', ['inspect', container])) as {
    Config: { Entrypoint: string[] | null; Cmd: string[] | null; StopSignal?: string };
    State: { ExitCode: number };
    HostConfig: { Init: boolean | null };
  }[];
  const c = j[0];
  assert.ok(c);
  return { Entrypoint: c.Config.Entrypoint, Cmd: c.Config.Cmd, ...(c.Config.StopSignal ? { StopSignal: c.Config.StopSignal } : {}), ExitCode: c.State.ExitCode, Init: c.HostConfig.Init };
}

before(async () => {
  await loadShellParser();
});

after(async () => {
  for (const p of projects) {
    await compose(p, ['down', '--rmi', 'local', '-v', '--remove-orphans']);
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});

describe('docker-compose v1 splits a string command with shlex, and never runs a shell', () => {
  it('the argv compose creates is the argv lint models', async (t) => {
    if (!requireCompose(t)) return;
    const img = testImage({ shell: 'dash' });
    const strings = {
      plain: 'app --name "a b" --drain-ms 100',
      operators: 'app --drain-ms 100 && echo x; echo y | tee z 2>/dev/null',
      quoted: 'sh -c "app --name \'q r\'"',
      escapes: 'echo a\\ b "c\\"d" \'e\\f\' $$(date)',
    };
    const yml = ['version: "2.4"', 'services:'];
    for (const [name, cmd] of Object.entries(strings)) yml.push(`  ${name}:`, `    image: ${img}`, '    network_mode: none', `    command: ${JSON.stringify(cmd)}`);
    yml.push('  ep:', `    image: ${img}`, '    network_mode: none', '    entrypoint: sh -c', '    command: ["app --drain-ms 100", "name0"]');
    const p = newProject({ 'docker-compose.yml': `${yml.join('\n')}\n` });
    const up = await compose(p, ['up', '--no-start']);
    assert.equal(up.code, 0, up.stderr);
    const ls = launches(p, { [img]: 'dash' });
    for (const [name, cmd] of Object.entries(strings)) {
      const real = inspect(`${p.name}_${name}_1`);
      // compose interpolates first ($$ -> $), then shlex-splits
      assert.deepEqual(
        real.Cmd,
        splitShlex(
          interpolate(
            charsOf(
              cmd,
              [...cmd].map((_, i) => i),
            ),
            {},
          ),
        ).words.map((w) => w.value),
        name,
      );
      assert.deepEqual(real.Cmd, ls.get(name)?.argv, name);
    }
    assert.deepEqual(inspect(`${p.name}_operators_1`).Cmd?.slice(0, 4), ['app', '--drain-ms', '100', '&&']);
    assert.deepEqual(inspect(`${p.name}_escapes_1`).Cmd?.at(-1), '$(date)');
    // a lone `$(` is an interpolation error for compose, and for lint
    const bad = newProject({ 'docker-compose.yml': `version: "2.4"\nservices:\n  x:\n    image: ${img}\n    command: echo $(date)\n` });
    const cfg = await compose(bad, ['config']);
    assert.notEqual(cfg.code, 0);
    assert.match(cfg.stderr, /Invalid interpolation format/);
    const store = new DocumentStore();
    const doc = store.read(path.join(bad.dir, 'docker-compose.yml'), 'compose');
    assert.ok(doc);
    assert.match(lintComposeProject([doc], store, { env: {} }).flatMap((r) => r.errors)[0]?.message ?? '', /invalid interpolation format/);
    const ep = inspect(`${p.name}_ep_1`);
    assert.deepEqual([...(ep.Entrypoint ?? []), ...(ep.Cmd ?? [])], ls.get('ep')?.argv);
  });

  it('an entrypoint override drops the image CMD; a command alone keeps the ENTRYPOINT', async (t) => {
    if (!requireCompose(t)) return;
    const img = testImage({ shell: 'dash' });
    const p = newProject({
      Dockerfile: `FROM ${img}\nENTRYPOINT ["tini", "--"]\nCMD ["app", "--name", "from-cmd"]\n`,
      'docker-compose.yml': [
        'version: "2.4"',
        'services:',
        '  ep:',
        '    build: .',
        '    network_mode: none',
        '    entrypoint: ["app", "--drain-ms", "100"]',
        '  cmd:',
        '    build: .',
        '    network_mode: none',
        '    command: app --name from-compose',
        '  neither:',
        '    build: .',
        '    network_mode: none',
        '',
      ].join('\n'),
    });
    // FROM a local image: the classic builder does not pull
    const built = await compose(p, ['build']);
    assert.equal(built.code, 0, built.stderr);
    const up = await compose(p, ['up', '--no-start']);
    assert.equal(up.code, 0, up.stderr);
    for (const s of ['ep', 'cmd', 'neither']) trackImage(`${p.name}_${s}`);
    const ls = launches(p, { [img]: 'dash' });
    for (const s of ['ep', 'cmd', 'neither']) {
      const real = inspect(`${p.name}_${s}_1`);
      assert.deepEqual([...(real.Entrypoint ?? []), ...(real.Cmd ?? [])], ls.get(s)?.argv, s);
    }
    assert.equal(inspect(`${p.name}_ep_1`).Cmd, null);
  });
});

describe('what pid1 test --compose runs is what docker-compose creates', () => {
  it('the override file, extends from another file and a << merge', async (t) => {
    if (!requireCompose(t)) return;
    const img = testImage({ shell: 'dash' });
    const p = newProject({
      'docker-compose.yml': [
        'version: "2.4"',
        'x-base: &base',
        `  image: ${img}`,
        '  network_mode: none',
        '  stop_signal: SIGINT',
        '  environment:',
        '    FROM_ANCHOR: a',
        'services:',
        '  web:',
        '    <<: *base',
        '    command: ["app", "--name", "base"]',
        '    init: true',
        '  worker:',
        '    extends: {file: common.yml, service: base}',
        '    network_mode: none',
        '    command: ["app", "--name", "worker"]',
        '    environment:',
        '      - OWN=1',
        '',
      ].join('\n'),
      'common.yml': [
        'version: "2.4"',
        'services:',
        '  base:',
        `    image: ${img}`,
        '    user: "1000"',
        '    working_dir: /tmp',
        '    env_file: common.env',
        '    environment:',
        '      COMMON: "1"',
        '      OWN: base',
        '    stop_signal: SIGUSR1',
        '',
      ].join('\n'),
      'common.env': 'FROM_FILE=f\n',
      'docker-compose.override.yml': ['version: "2.4"', 'services:', '  web:', '    command: ["app", "--name", "overridden"]', '    environment:', '      FROM_OVERRIDE: o', ''].join('\n'),
    });
    // No -f: compose reads docker-compose.yml and its override file, as it does by default.
    const up = await run('docker-compose', ['-p', p.name, 'up', '--no-start'], { cwd: p.dir, timeout: 120_000 });
    assert.equal(up.code, 0, up.stderr);
    for (const service of ['web', 'worker']) {
      const spec = composeService(path.join(p.dir, 'docker-compose.yml'), service, {});
      const j = JSON.parse(runSync('docker', ['inspect', `${p.name}_${service}_1`])) as {
        Config: { Entrypoint: string[] | null; Cmd: string[] | null; Env: string[]; User: string; WorkingDir: string; StopSignal?: string };
        HostConfig: { Init: boolean | null };
      }[];
      const real = j[0];
      assert.ok(real, service);
      assert.deepEqual(real.Config.Cmd, spec.command ?? null, service);
      assert.deepEqual(real.Config.Entrypoint, spec.entrypoint ?? null, service);
      for (const [k, v] of Object.entries(spec.env)) assert.ok(real.Config.Env.includes(`${k}=${v}`), `${service}: ${k}=${v} in ${real.Config.Env.join(' ')}`);
      assert.deepEqual(
        real.Config.Env.filter((e) => /^(FROM_|COMMON|OWN)/.test(e)).sort(),
        Object.entries(spec.env)
          .map(([k, v]) => `${k}=${v}`)
          .sort(),
        service,
      );
      assert.equal(real.Config.User, spec.user ?? '', service);
      assert.equal(real.Config.WorkingDir, spec.workingDir ?? '', service);
      assert.equal(real.Config.StopSignal, spec.stopSignal, service);
      assert.equal(Boolean(real.HostConfig.Init), Boolean(spec.init), service);
    }
    assert.deepEqual(composeService(path.join(p.dir, 'docker-compose.yml'), 'web', {}).command, ['app', '--name', 'overridden']);
    assert.equal(composeService(path.join(p.dir, 'docker-compose.yml'), 'worker', {}).stopSignal, 'SIGUSR1');
  });
});

describe("lint's verdicts match `docker-compose stop`", () => {
  it('wrapper, exec, string command, ash, init: true, stop_signal', async (t) => {
    if (!requireCompose(t)) return;
    const dash = testImage({ shell: 'dash' });
    const ash = testImage({ shell: 'ash' });
    const grace = 3;
    const svc = (name: string, lines: string[]): string[] => [`  ${name}:`, '    network_mode: none', `    stop_grace_period: ${grace}s`, ...lines.map((l) => `    ${l}`)];
    const yml = [
      'version: "2.4"',
      'services:',
      ...svc('wrapper', [`image: ${dash}`, 'command: ["sh", "-c", "app --drain-ms 300"]']),
      ...svc('execd', [`image: ${dash}`, 'command: ["sh", "-c", "exec app --drain-ms 300"]']),
      ...svc('string', [`image: ${dash}`, 'command: app --drain-ms 300']),
      ...svc('ash', [`image: ${ash}`, 'command: ["sh", "-c", "app --drain-ms 300"]']),
      ...svc('init', [`image: ${dash}`, 'init: true', 'command: ["sh", "-c", "app --drain-ms 300"]']),
      ...svc('initexec', [`image: ${dash}`, 'init: true', 'command: ["sh", "-c", "exec app --drain-ms 300"]']),
      ...svc('sigint', [`image: ${dash}`, 'stop_signal: SIGINT', 'command: ["app", "--graceful", "INT", "--drain-ms", "300"]']),
      '',
    ];
    const p = newProject({ 'docker-compose.yml': yml.join('\n') });
    const ls = launches(p, { [dash]: 'dash', [ash]: 'ash' });
    const expected: Record<string, string> = { wrapper: 'killed', execd: 'graceful', string: 'graceful', ash: 'graceful', init: 'abrupt', initexec: 'graceful', sigint: 'graceful' };
    for (const [s, outcome] of Object.entries(expected)) assert.equal(ls.get(s)?.prediction?.outcome, outcome, s);
    const up = await compose(p, ['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    await sleep(1500);
    // compose stops the services in parallel, each with its stop_grace_period and stop_signal
    const t0 = Date.now();
    const stop = await compose(p, ['stop']);
    assert.equal(stop.code, 0, stop.stderr);
    const total = Date.now() - t0;
    const results = Object.keys(expected).map((s) => {
      const c = `${p.name}_${s}_1`;
      return { s, exit: inspect(c).ExitCode, init: inspect(c).Init, logs: runSync('docker', ['logs', c]) };
    });
    assert.ok(total >= grace * 1000 - 300, `the killed service holds the stop for the grace period (${total} ms)`);
    for (const r of results) {
      const outcome = expected[r.s];
      const graceful = /graceful exit/.test(r.logs);
      if (outcome === 'graceful') {
        // it got the signal, drained and exited by itself
        assert.ok(graceful, `${r.s}: ${r.logs}`);
        assert.equal(r.exit, 0, r.s);
      } else if (outcome === 'killed') {
        // the signal never reached it; SIGKILL at the end of the grace period
        assert.equal(r.exit, 137, r.s);
        assert.doesNotMatch(r.logs, /got /, r.s);
      } else {
        // abrupt: ended before the grace period (not 137) without its graceful exit
        assert.ok(!graceful, `${r.s}: ${r.logs}`);
        assert.notEqual(r.exit, 137, r.s);
      }
    }
    assert.equal(results.find((r) => r.s === 'init')?.init, true);
    assert.equal(inspect(`${p.name}_sigint_1`).StopSignal, 'SIGINT');
  });
});

describe("a bind-mounted script is the one that runs (it hides the image's files under the target)", () => {
  it('./scripts:/scripts: lint reads the host script, and `docker-compose stop` agrees', async (t) => {
    if (!requireCompose(t)) return;
    const dash = testImage({ shell: 'dash' });
    const grace = 3;
    const svc = (name: string, lines: string[]): string[] => [`  ${name}:`, '    network_mode: none', `    stop_grace_period: ${grace}s`, `    image: ${dash}`, ...lines.map((l) => `    ${l}`)];
    const yml = [
      'version: "2.4"',
      'services:',
      ...svc('mounted', ['volumes:', '      - ./scripts:/scripts:ro', 'entrypoint: ["/scripts/run.sh"]']),
      ...svc('longform', ['volumes:', '      - type: bind', '        source: ./scripts', '        target: /opt/bin', 'entrypoint: ["/opt/bin/exec.sh"]']),
      '',
    ];
    const p = newProject({
      'docker-compose.yml': yml.join('\n'),
      'scripts/run.sh': '#!/bin/sh\necho starting\napp --drain-ms 300\n',
      'scripts/exec.sh': '#!/bin/sh\necho starting\nexec app --drain-ms 300\n',
    });
    for (const f of ['run.sh', 'exec.sh']) fs.chmodSync(path.join(p.dir, 'scripts', f), 0o755);
    const ls = launches(p, { [dash]: 'dash' });
    const expected: Record<string, string> = { mounted: 'killed', longform: 'graceful' };
    for (const [s, outcome] of Object.entries(expected)) assert.equal(ls.get(s)?.prediction?.outcome, outcome, s);
    const up = await compose(p, ['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    await sleep(1500);
    const stop = await compose(p, ['stop']);
    assert.equal(stop.code, 0, stop.stderr);
    const mounted = inspect(`${p.name}_mounted_1`);
    assert.equal(mounted.ExitCode, 137, 'the shell stayed PID 1 and the SIGKILL came at the end of the grace period');
    const longform = inspect(`${p.name}_longform_1`);
    assert.equal(longform.ExitCode, 0);
    assert.match(runSync('docker', ['logs', `${p.name}_longform_1`]), /graceful exit/);
  });
});

describe('the legacy v1 format (services at the top level) as docker-compose 1.x runs it', () => {
  it("docker-compose 1.29 runs a v1 file: shlex splitting, `build` + the service's `dockerfile`, and what lint reads matches", async (t) => {
    if (!requireCompose(t)) return;
    const img = testImage({ shell: 'dash' });
    const p = newProject({
      'Dockerfile.alt': `FROM ${img}\nCMD ["app", "--name", "from-alt"]\n`,
      Dockerfile: `FROM ${img}\nCMD ["app", "--name", "from-default"]\n`,
      'docker-compose.yml': ['web:', '  build: .', '  dockerfile: Dockerfile.alt', '  net: none', 'worker:', `  image: ${img}`, '  net: none', '  command: app --drain-ms 100 && echo "a b"', ''].join(
        '\n',
      ),
    });
    const built = await compose(p, ['build']);
    assert.equal(built.code, 0, built.stderr);
    trackImage(`${p.name}_web`);
    const up = await compose(p, ['up', '--no-start']);
    assert.equal(up.code, 0, up.stderr);
    const store = new DocumentStore();
    const doc = store.read(path.join(p.dir, 'docker-compose.yml'), 'compose');
    assert.ok(doc);
    // v2 is asked for, but a v1 file is only ever run by docker-compose 1.x: its strings are split with shlex
    const res = lintComposeProject([doc], store, { env: {}, images: { [img]: 'dash' }, composeVersion: 2 });
    assert.deepEqual(
      res.flatMap((r) => r.errors),
      [],
    );
    assert.deepEqual(
      res.flatMap((r) => r.notices ?? []).map((n) => n.code),
      ['compose-v1'],
    );
    const ls = new Map(res.flatMap((r) => r.launches).map((l) => [(l as ComposeLaunch).service, l as ComposeLaunch]));
    for (const s of ['web', 'worker']) {
      const real = inspect(`${p.name}_${s}_1`);
      assert.deepEqual([...(real.Entrypoint ?? []), ...(real.Cmd ?? [])], ls.get(s)?.argv, s);
      assert.equal(ls.get(s)?.legacyV1, true, s);
    }
    assert.deepEqual(ls.get('web')?.argv, ['app', '--name', 'from-alt']);
    assert.deepEqual(ls.get('worker')?.argv, ['app', '--drain-ms', '100', '&&', 'echo', 'a b']);
  });
});

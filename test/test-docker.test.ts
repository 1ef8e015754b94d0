/**
 * `pid1 test` against the real Docker engine: each verdict through the launch shapes people ship
 * (shell form, exec form, sh -c with and without exec, entrypoint scripts, tini with and without -g,
 * dumb-init, a service that handles only SIGINT with and without STOPSIGNAL, a container that never
 * starts). Every case also checks that the model's predictions (live tree and launch command) agree
 * with what happened: a disagreement is a bug in pid1.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { requireDocker, testImage, cleanupDocker, startContainer, removeContainer, logsOf, trackImage, TEST_LABEL } from './helpers/docker.js';
import { pid1, CLI } from './helpers/cli.js';
import { run, waitFor } from './helpers/exec.js';
import { engine } from '../src/runtime/docker.js';
import { ContainerTarget } from '../src/runtime/target.js';
import { probeImages } from '../src/runtime/image-probe.js';
import { buildImage, removeBuilt } from '../src/runtime/build.js';

function readable(s: NodeJS.ReadableStream): Readable {
  assert.ok(s instanceof Readable);
  return s;
}
import type { TestReport, Verdict } from '../src/runtime/reports.js';

after(cleanupDocker);

const GRACE = 2;

interface Outcome {
  code: number;
  report: TestReport;
  stderr: string;
}

async function pid1Test(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const r = await pid1(['test', '--json', ...args], { timeout: 60_000, env });
  assert.ok(r.stdout.trim().startsWith('{'), `no JSON report (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as TestReport, stderr: r.stderr };
}

function describeRun(o: Outcome): string {
  const r = o.report;
  return [`exit ${o.code}; ${r.verdict}: ${r.observation.summary}`, ...r.observation.evidence, ...r.timeline.map((e) => `${e.t} ${JSON.stringify(e)}`), o.stderr].join('\n');
}

/** The checks every run gets, whatever the case. */
function checkRun(o: Outcome, verdict: Verdict): void {
  const r = o.report;
  const why = describeRun(o);
  assert.equal(r.verdict, verdict, why);
  assert.equal(o.code, verdict === 'graceful' ? 0 : 1, why);
  assert.equal(r.exitStatus, o.code);
  if (verdict === 'nostart') return;
  // The model must agree with the real stop, from the live tree and from the launch command alone.
  assert.equal(r.comparison?.live?.status, 'agrees', `live prediction ${r.prediction?.live?.outcome}: ${r.comparison?.live?.message}\n${why}`);
  // From the launch command alone, what an unknown program does with the signal is an assumption;
  // when the live masks prove it wrong the difference is "explained", never a disagreement.
  assert.ok(
    r.comparison?.static?.status === 'agrees' || (r.comparison?.static?.status === 'explained' && /assumes svc handles/.test(r.comparison.static.message)),
    `static prediction ${r.prediction?.static?.outcome}: ${r.comparison?.static?.status} ${r.comparison?.static?.message}\n${why}`,
  );
  assert.doesNotMatch(o.stderr, /DISAGREES/);
  assert.equal(r.before?.processes[0]?.pid, 1);
  assert.equal(r.before?.namespaceInit, true);
  assert.ok(r.target.container?.name.startsWith('pid1-test-'));
  const signals = r.timeline.filter((e) => e.kind === 'signal');
  assert.equal(signals[0]?.kind === 'signal' && signals[0].signal, r.policy.signal, why);
  const kill = signals.find((e) => e.kind === 'signal' && e.signal === 'SIGKILL');
  assert.ok(
    r.timeline.some((e) => e.kind === 'container-exit'),
    why,
  );
  if (verdict === 'killed') {
    assert.ok(kill, `a killed stop shows the SIGKILL\n${why}`);
    assert.equal(r.observation.sigkill, true);
    assert.equal(r.observation.exitCode, 137, why);
    // The engine waited the whole grace period before its SIGKILL.
    assert.ok(kill.t >= GRACE * 1000 - 50, why);
  } else {
    assert.equal(kill, undefined, why);
    assert.ok((r.observation.stopMs ?? Infinity) < GRACE * 1000, why);
  }
  if (verdict === 'graceful') assert.equal(r.observation.service?.ended, 'exit 0', why);
  if (verdict === 'abrupt') assert.match(r.observation.service?.ended ?? '', /killed by SIG/, why);
}

interface Case {
  name: string;
  shell: 'dash' | 'bash' | 'ash';
  files?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  /** Build from a Dockerfile whose FROM is the test image (written as `FROM {{image}}`). */
  dockerfile?: string;
  args?: string[];
  verdict: Verdict;
}

const cases: Case[] = [
  // ENTRYPOINT svc --workers 1 in a Dockerfile: /bin/sh -c on a dash image; dash forks it and drops SIGTERM.
  { name: 'shell form on a dash image', shell: 'dash', dockerfile: 'FROM {{image}}\nENTRYPOINT svc --workers 1\n', verdict: 'killed' },
  { name: 'exec form', shell: 'dash', entrypoint: ['svc', '--workers', '1'], verdict: 'graceful' },
  { name: 'sh -c with exec', shell: 'dash', entrypoint: ['/bin/sh', '-c', 'exec svc'], verdict: 'graceful' },
  { name: 'sh -c without exec (dash)', shell: 'dash', entrypoint: ['/bin/sh', '-c', 'svc'], verdict: 'killed' },
  // busybox ash execs the last simple command itself (app: busybox has an applet named svc).
  { name: 'sh -c without exec (busybox ash execs it)', shell: 'ash', entrypoint: ['/bin/sh', '-c', 'app'], verdict: 'graceful' },
  { name: 'entrypoint script without exec', shell: 'dash', files: { '/entrypoint.sh': '#!/bin/sh\necho starting\nsvc "$@"\n' }, entrypoint: ['/entrypoint.sh'], verdict: 'killed' },
  // The docker-entrypoint pattern: ENTRYPOINT ["/entrypoint.sh"] CMD ["svc"], the script ends in exec "$@".
  {
    name: 'entrypoint script with exec',
    shell: 'dash',
    files: { '/entrypoint.sh': '#!/bin/sh\necho starting\nexec "$@"\n' },
    entrypoint: ['/entrypoint.sh'],
    cmd: ['svc', '--workers', '1'],
    verdict: 'graceful',
  },
  { name: 'tini in front of a shell', shell: 'dash', entrypoint: ['tini', '--', '/bin/sh', '-c', 'svc'], verdict: 'abrupt' },
  { name: 'tini -g in front of a shell', shell: 'dash', entrypoint: ['tini', '-g', '--', '/bin/sh', '-c', 'svc'], verdict: 'abrupt' },
  { name: 'docker run --init in front of a shell', shell: 'dash', entrypoint: ['/bin/sh', '-c', 'svc'], args: ['--init'], verdict: 'abrupt' },
  { name: 'tini in front of the service', shell: 'dash', entrypoint: ['tini', '--', 'svc', '--workers', '1'], verdict: 'graceful' },
  { name: 'dumb-init in front of the service', shell: 'dash', entrypoint: ['dumb-init', 'svc'], verdict: 'graceful' },
  { name: 'dumb-init in front of a shell', shell: 'dash', entrypoint: ['dumb-init', '/bin/sh', '-c', 'svc'], verdict: 'abrupt' },
  // svc --graceful INT has no SIGTERM handler: as PID 1 the kernel drops SIGTERM.
  { name: 'a service that handles only SIGINT, without STOPSIGNAL', shell: 'dash', entrypoint: ['svc', '--graceful', 'INT'], verdict: 'killed' },
  {
    name: 'a service that handles only SIGINT, with STOPSIGNAL SIGINT',
    shell: 'dash',
    dockerfile: 'FROM {{image}}\nSTOPSIGNAL SIGINT\nENTRYPOINT ["svc", "--graceful", "INT"]\n',
    verdict: 'graceful',
  },
  // Under tini, SIGTERM reaches it but its default action ends it: not its own shutdown.
  { name: 'a service that handles only SIGINT, under tini', shell: 'dash', entrypoint: ['tini', '--', 'svc', '--graceful', 'INT'], verdict: 'abrupt' },
];

function buildDir(dockerfile: string, image: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-build-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile.replace('{{image}}', image));
  return dir;
}

describe('pid1 test: verdicts against the real engine', { concurrency: 3 }, () => {
  for (const c of cases) {
    test(c.name, async (t) => {
      if (!requireDocker(t)) return;
      const image = testImage({ shell: c.shell, ...(c.files ? { files: c.files } : {}) });
      const args = ['--grace', String(GRACE), ...(c.args ?? [])];
      let dir: string | undefined;
      if (c.dockerfile) {
        dir = buildDir(c.dockerfile, image);
        args.push('--build', dir);
      } else {
        args.push('--image', image, '--entrypoint', JSON.stringify(c.entrypoint));
        if (c.cmd) args.push('--', ...c.cmd);
      }
      try {
        const o = await pid1Test(args);
        checkRun(o, c.verdict);
        if (c.dockerfile) {
          assert.equal(o.report.target.kind, 'build');
          // The built image is removed with the container.
          const left = await run('docker', ['images', '-q', '--filter', `label=pid1.test.run`]);
          assert.ok(!left.stdout.includes(o.report.target.image?.replace(/^.*:/, '') ?? '@'), 'the built image is removed');
        }
        if (c.name.includes('STOPSIGNAL SIGINT')) {
          assert.equal(o.report.policy.signal, 'SIGINT');
          assert.equal(o.report.policy.signalFrom, 'image STOPSIGNAL');
        }
        if (c.verdict === 'abrupt' && c.entrypoint?.includes('-c')) {
          // The service was SIGKILLed by the kernel when PID 1 exited, not by the runtime.
          assert.match(o.report.observation.summary, /SIGKILL from the kernel when PID 1 .* exited/);
        }
      } finally {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// Without the kernel's process connector (not root in the host PID namespace), statuses come from
// zombies seen in /proc or are inferred from the container's exit status: the verdicts must hold.
describe('pid1 test: verdicts from /proc polling alone', { concurrency: 3 }, () => {
  const polled: { name: string; entrypoint: string[]; verdict: Verdict }[] = [
    { name: 'tini in front of a shell', entrypoint: ['tini', '--', '/bin/sh', '-c', 'svc --workers 1'], verdict: 'abrupt' },
    { name: 'dumb-init in front of the service', entrypoint: ['dumb-init', 'svc'], verdict: 'graceful' },
    { name: 'sh -c without exec', entrypoint: ['/bin/sh', '-c', 'svc'], verdict: 'killed' },
    { name: 'exec form', entrypoint: ['svc'], verdict: 'graceful' },
  ];
  for (const c of polled) {
    test(c.name, async (t) => {
      if (!requireDocker(t)) return;
      const image = testImage({ shell: 'dash' });
      const o = await pid1Test(['--image', image, '--entrypoint', JSON.stringify(c.entrypoint), '--grace', String(GRACE)], { PID1_PROC_CONNECTOR: '0' });
      assert.match(o.report.watcher, /^\/proc polling/);
      assert.equal(o.report.verdict, c.verdict, describeRun(o));
      assert.equal(o.code, c.verdict === 'graceful' ? 0 : 1);
      assert.notEqual(o.report.comparison?.live?.status, 'disagrees');
    });
  }
});

// Found by pid1 test: dash as PID 1 catches SIGINT (SigCgt 0x10002) for itself but never passes it to
// its child; both models must say killed.
test('model: SIGINT to a dash PID 1 is not forwarded', async (t) => {
  if (!requireDocker(t)) return;
  const image = testImage({ shell: 'dash' });
  const o = await pid1Test(['--image', image, '--entrypoint', '["/bin/sh","-c","svc --graceful INT"]', '--stop-signal', 'SIGINT', '--grace', String(GRACE)]);
  checkRun(o, 'killed');
  assert.equal(o.report.comparison?.live?.status, 'agrees', describeRun(o));
});

describe('pid1 test: --fast, never starting, readiness, outputs', { concurrency: 3 }, () => {
  test('--fast reports a lost SIGTERM at once, with the kernel evidence', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const o = await pid1Test(['--image', image, '--entrypoint', '["/bin/sh","-c","svc --workers 1"]', '--grace', '30', '--fast', '--ready-log', 'worker ready']);
    assert.equal(o.report.verdict, 'killed', describeRun(o));
    assert.equal(o.code, 1);
    assert.equal(o.report.fast, true);
    assert.equal(o.report.policy.graceSeconds, 30);
    // The verdict came from the live process, not from the engine's deadline: no SIGKILL and no exit
    // before it; the one SIGKILL is pid1's, sent after concluding instead of waiting out the 30 s.
    const verdictMs = o.report.durations.verdictMs ?? Infinity;
    const kills = o.report.timeline.filter((e) => e.kind === 'signal' && e.signal === 'SIGKILL');
    assert.equal(kills.length, 1, describeRun(o));
    assert.ok(
      kills.every((e) => e.t >= verdictMs - 1),
      describeRun(o),
    );
    assert.ok(
      o.report.timeline.filter((e) => e.kind === 'exit' || e.kind === 'container-exit').every((e) => e.t >= verdictMs - 1),
      describeRun(o),
    );
    assert.ok(
      o.report.observation.evidence.some((e) => /pid1 then sent SIGKILL instead of waiting out the remaining grace period/.test(e)),
      describeRun(o),
    );
    assert.ok(
      o.report.observation.evidence.some((e) => /no handler for SIGTERM \(SigCgt 0000000000010002/.test(e)),
      describeRun(o),
    );
    assert.ok(
      o.report.observation.evidence.some((e) => /is not pending/.test(e)),
      describeRun(o),
    );
    assert.equal(o.report.comparison?.live?.status, 'agrees');
  });

  test('--fast changes nothing when PID 1 handles the signal', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const o = await pid1Test(['--image', image, '--entrypoint', '["svc"]', '--grace', String(GRACE), '--fast']);
    checkRun(o, 'graceful');
    assert.equal(o.report.fast, false);
  });

  test('a container that never starts: nostart, exit 1', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const o = await pid1Test(['--image', image, '--entrypoint', '["/nonexistent"]', '--grace', String(GRACE)]);
    checkRun(o, 'nostart');
    assert.match(o.report.observation.summary, /did not start: .*\/nonexistent/);
    const gone = await run('docker', ['ps', '-aq', '--filter', `name=${o.report.target.container?.name ?? 'x'}`]);
    assert.equal(gone.stdout.trim(), '', 'the container is removed');
  });

  test('a container that exits before it is ready: nostart with its status and output', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const o = await pid1Test(['--image', image, '--entrypoint', '["/bin/sh","-c","echo cannot bind; exit 3"]', '--ready-log', 'ready']);
    checkRun(o, 'nostart');
    assert.equal(o.report.observation.exitCode, 3);
    assert.match(o.report.observation.summary, /exited with status 3 before it was ready/);
    assert.ok(o.report.observation.evidence.some((e) => e.includes('cannot bind')));
  });

  test('readiness: a command inside, then a delay; the text report and JUnit file', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-junit-'));
    const junit = path.join(dir, 'stop.xml');
    try {
      const r = await pid1(['test', '--image', image, '--entrypoint', '["/bin/sh","-c","svc"]', '--grace', '1', '--ready-cmd', 'pidof svc', '--ready-delay', '100ms', '--junit', junit]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /Ready after \d+ ms: \["pidof","svc"\] succeeded after \d+ ms; waited 100 ms/);
      assert.match(r.stdout, /Verdict: KILLED in [\d.]+ s: SIGTERM was lost/);
      assert.match(r.stdout, /Timeline \(ms from the SIGTERM\):/);
      assert.match(r.stdout, /SIGKILL -> PID 1 \(sh\), sent by the Docker engine/);
      assert.match(r.stdout, /Prediction \(live process tree\): killed: agrees/);
      const xml = fs.readFileSync(junit, 'utf8');
      assert.match(xml, /<testsuites name="pid1 test" tests="1" failures="1" errors="0"/);
      assert.match(xml, /<failure type="killed" message="killed: SIGTERM was lost/);
      assert.match(xml, /<system-out><!\[CDATA\[pid1 test: /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--build with --file and --target; a compose service with build:', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-build-'));
    try {
      fs.writeFileSync(path.join(dir, 'Dockerfile.multi'), `FROM ${image} AS exec\nENTRYPOINT ["svc"]\nFROM ${image} AS shell\nENTRYPOINT svc\n`);
      const o = await pid1Test(['--build', dir, '--file', 'Dockerfile.multi', '--target', 'exec', '--grace', String(GRACE)]);
      checkRun(o, 'graceful');
      assert.deepEqual(o.report.target.argv, ['svc']);
      fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  app:\n    build:\n      context: .\n      dockerfile: Dockerfile.multi\n      target: shell\n    stop_grace_period: 2s\n');
      const c = await pid1Test(['--compose', path.join(dir, 'compose.yaml'), '--service', 'app']);
      checkRun(c, 'killed');
      assert.deepEqual(c.report.target.argv, ['/bin/sh', '-c', 'svc']);
      assert.equal(c.report.policy.name, 'compose');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a graceful run writes a passing JUnit case', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-junit-'));
    const junit = path.join(dir, 'stop.xml');
    try {
      const r = await pid1(['test', '--image', image, '--entrypoint', '["svc"]', '--grace', '2', '--junit', junit]);
      assert.equal(r.code, 0, r.stderr);
      const xml = fs.readFileSync(junit, 'utf8');
      assert.match(xml, /tests="1" failures="0" errors="0"/);
      assert.doesNotMatch(xml, /<failure/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `pid1 test ...` as a child we can interrupt (Ctrl-C = SIGINT to it, by its PID). */
function startPid1Test(args: string[]): { child: ChildProcess; owner: string; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'test', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  // The run's owner label: this host and the pid1 process (src/runtime/cleanup.ts).
  return { child, owner: `${os.hostname()}:${child.pid}`, done };
}

async function dockerLines(args: string[]): Promise<string[]> {
  const r = await run('docker', args);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

test('--build sends the context the docker CLI sends: .dockerignore exclusions, and exceptions inside excluded directories', async (t) => {
  if (!requireDocker(t)) return;
  const image = testImage({ shell: 'dash' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-build-'));
  const files: Record<string, string> = {
    Dockerfile: `FROM ${image}\nCOPY . /ctx\n`,
    '.dockerignore': 'node_modules\nlogs\n!logs/keep.txt\n**/*.tmp\n!src/important.tmp\ncache/\n',
    'app.txt': 'a',
    'node_modules/dep/index.js': 'x',
    'logs/keep.txt': 'k',
    'logs/drop.txt': 'd',
    'logs/deep/drop.txt': 'd',
    'src/main.txt': 'm',
    'src/scratch.tmp': 't',
    'src/important.tmp': 'i',
    'cache/blob': 'b',
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const runId = Math.random().toString(16).slice(2, 10).padEnd(8, '0');
  const ours = `pid1-test-ctx:${runId}`;
  const theirs = `pid1-test-ctx-cli:${runId}`;
  trackImage(theirs);
  const docker = engine();
  try {
    await buildImage(docker, { context: dir, args: {}, tag: ours, labels: { 'pid1.test': '1', 'pid1.test.run': runId } });
    // The docker CLI's classic build of the same directory: what `docker build` puts in the context.
    const cli = await run('docker', ['build', '-q', '--label', TEST_LABEL, '-t', theirs, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    assert.equal(cli.code, 0, cli.stderr);
    // What /ctx holds in an image: copied out of a container that is created, never started.
    const listing = async (tag: string): Promise<string[]> => {
      const c = await run('docker', ['create', '--network', 'none', '--label', TEST_LABEL, tag, 'svc']);
      assert.equal(c.code, 0, c.stderr);
      const id = c.stdout.trim();
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-ctx-'));
      try {
        const cp = await run('docker', ['cp', `${id}:/ctx`, out]);
        assert.equal(cp.code, 0, cp.stderr);
        return fs.readdirSync(path.join(out, 'ctx'), { recursive: true }).map(String).sort();
      } finally {
        await run('docker', ['rm', '-f', id]);
        fs.rmSync(out, { recursive: true, force: true });
      }
    };
    const expected = await listing(theirs);
    assert.ok(expected.includes('logs/keep.txt') && !expected.includes('logs/drop.txt'), expected.join('\n'));
    assert.deepEqual(await listing(ours), expected, "the same files as the docker CLI sends, and no copy of pid1's labelled Dockerfile");
  } finally {
    await removeBuilt(docker, undefined, ours, runId);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('pid1 test: Ctrl-C and leftovers', { concurrency: 3 }, () => {
  test('Ctrl-C during a build cancels it and removes what it made', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-build-'));
    const marker = `pid1-cancel-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      // A first step the classic builder commits as an image of its own, then one that runs until interrupted.
      fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${image}\nRUN echo ${marker}-committed > /step\nRUN echo ${marker}-sleeping && sleep 300\nENTRYPOINT ["svc"]\n`);
      const p = startPid1Test(['--build', dir, '--grace', '1']);
      // The RUN step's container is running: the build is under way.
      const running = async (): Promise<boolean> => (await dockerLines(['ps', '--no-trunc', '--format', '{{.ID}} {{.Command}}'])).some((l) => l.includes(`${marker}-sleeping`));
      await waitFor("the build's RUN step", async () => ((await running()) ? true : undefined), 30_000);
      p.child.kill('SIGINT');
      const r = await p.done;
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, /SIGINT: removing what this test created/);
      // The engine stops the build when its client goes away: the step's container goes with it.
      await waitFor('the RUN step ended', async () => ((await running()) ? undefined : true), 30_000);
      assert.deepEqual(await dockerLines(['images', '-q', '--filter', `label=pid1.test.owner=${p.owner}`]), []);
      assert.deepEqual(await dockerLines(['ps', '-aq', '--filter', `label=pid1.test.owner=${p.owner}`]), []);
      assert.deepEqual(
        (await dockerLines(['ps', '-a', '--no-trunc', '--format', '{{.Command}}'])).filter((l) => l.includes(marker)),
        [],
      );
      // The committed step's image (its ContainerConfig.Cmd names the step) is removed too.
      const ids = await dockerLines(['images', '-a', '-q', '--no-trunc']);
      const steps = ids.length ? (await dockerLines(['image', 'inspect', '--format', '{{.Id}} {{json .ContainerConfig.Cmd}}', ...ids])).filter((l) => l.includes(`${marker}-committed`)) : [];
      assert.deepEqual(steps, [], 'no image of the cancelled build is left');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // Everything a build makes carries the run's labels from the moment it exists (src/runtime/build.ts),
  // so `--cleanup` finds it even when pid1 itself was killed mid-build and could not clean up.
  for (const sig of ['SIGKILL', 'SIGINT'] as const) {
    test(`${sig} in the middle of a multi-step build, then --cleanup: no image or container of the run is left`, async (t) => {
      if (!requireDocker(t)) return;
      // A base of its own: what descends from it is this test's build and nothing else's.
      const base = testImage({ shell: 'dash', files: { '/leftovers-test': sig } });
      const baseId = (await dockerLines(['image', 'inspect', '--format', '{{.Id}}', base]))[0] ?? '';
      const descendants = async (): Promise<string[]> => {
        const ids = await dockerLines(['images', '-a', '-q', '--no-trunc']);
        const parent = new Map((ids.length ? await dockerLines(['image', 'inspect', '--format', '{{.Id}} {{.Parent}}', ...ids]) : []).map((l) => l.split(' ') as [string, string]));
        return [...parent.keys()].filter((id) => {
          for (let p = parent.get(id); p; p = parent.get(p)) if (p === baseId) return true;
          return false;
        });
      };
      const containers = (): Promise<string[]> => dockerLines(['ps', '-a', '-q', '--filter', `ancestor=${baseId}`]);
      assert.deepEqual(await descendants(), []);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-build-'));
      const marker = `pid1-leftover-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      try {
        fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${base}\nRUN echo one > /one\nRUN echo two > /two\nRUN echo ${marker} && sleep 300\nRUN echo never\nENTRYPOINT ["svc"]\n`);
        const p = startPid1Test(['--build', dir, '--grace', '1']);
        const running = async (): Promise<boolean> => (await dockerLines(['ps', '--no-trunc', '--format', '{{.Command}}'])).some((l) => l.includes(marker));
        await waitFor("the build's long RUN step", async () => ((await running()) ? true : undefined), 60_000);
        // The step's container carries the run's labels too: its run id scopes the cleanup below to this
        // run (a global --cleanup would also take other tests' deliberate leftovers from under them).
        const [runId] = await dockerLines(['ps', '--filter', `label=pid1.test.owner=${p.owner}`, '--format', '{{.Label "pid1.test.run"}}']);
        assert.match(runId ?? '', /^[0-9a-f]{8}$/, 'the running step container is labelled with the run');
        p.child.kill(sig);
        await p.done;
        // The engine ends the step when its client goes away.
        await waitFor('the RUN step ended', async () => ((await running()) ? undefined : true), 30_000);
        if (sig === 'SIGKILL') {
          // pid1 could not clean up: the step images are there, each labelled with the run and its dead owner.
          const left = await descendants();
          assert.ok(left.length >= 2, `the committed steps are left: ${left.join(' ')}`);
          const owners = await dockerLines(['image', 'inspect', '--format', '{{index .Config.Labels "pid1.test.owner"}}', ...left]);
          assert.deepEqual([...new Set(owners)], [p.owner], 'every image is labelled from the step that made it');
        }
        const c = await pid1(['test', '--cleanup', runId ?? '']);
        assert.equal(c.code, 0, c.stderr + c.stdout);
        assert.deepEqual(await descendants(), [], `after --cleanup: ${c.stdout}`);
        assert.deepEqual(await containers(), []);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('Ctrl-C once the container exists removes it', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    // Never ready: the test is interrupted while it waits.
    const p = startPid1Test(['--image', image, '--entrypoint', '["svc"]', '--ready-log', 'never printed', '--ready-timeout', '60s']);
    const ours = (): Promise<string[]> => dockerLines(['ps', '-aq', '--filter', `label=pid1.test.owner=${p.owner}`]);
    await waitFor('the container', async () => ((await ours()).length ? true : undefined), 30_000);
    p.child.kill('SIGINT');
    const r = await p.done;
    assert.equal(r.code, 130, r.stderr);
    assert.deepEqual(await ours(), [], 'removed by its name, registered before it was created');
  });

  test('--probe-images containers carry the run labels, so pid1 test --cleanup can find them', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const docker = engine();
    const owner = `${os.hostname()}:${process.pid}`;
    const events = readable(await docker.getEvents({ filters: { type: ['container'], event: ['create'], label: [`pid1.test.owner=${owner}`] } }));
    let seen = '';
    events.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      const probed = await probeImages(docker, [image]);
      assert.equal(probed.get(image)?.family, 'dash');
      await waitFor("the probe container's create event", () => (/"pid1\.probe":"1"/.test(seen) ? true : undefined), 10_000);
      const created = JSON.parse(seen.split('\n').find((l) => l.includes('pid1.probe')) ?? '{}') as { Actor?: { Attributes?: Record<string, string> } };
      const labels = created.Actor?.Attributes ?? {};
      assert.equal(labels['pid1.test.owner'], owner);
      assert.match(labels['pid1.test.run'] ?? '', /^[0-9a-f]{8}$/);
      assert.equal(labels['pid1.test'], '1');
    } finally {
      events.destroy();
    }
  });

  test('a file read from a container through the archive API: long names, missing files', async (t) => {
    if (!requireDocker(t)) return;
    const image = testImage({ shell: 'dash' });
    const long = `/tmp/${'r'.repeat(120)}.jsonl`; // over ustar's 100 bytes: the archive carries a PAX header first
    const body = `${'{"init":"x"}\n'.repeat(100)}end\n`; // more than one 512-byte block
    const name = await startContainer({ image, entrypoint: ['/bin/sh', '-c', `printf '%s' '${body}' > ${long}; printf short > /tmp/s; exec svc`] });
    const target = await ContainerTarget.attach(engine(), name);
    try {
      await waitFor('svc ready', () => (/ready/.test(logsOf(name)) ? true : undefined));
      assert.equal(await target.readFile(long), body);
      assert.equal(await target.readFile('/tmp/s'), 'short');
      assert.equal(await target.readFile('/tmp/none'), undefined);
      assert.equal(await target.readFile('/tmp'), undefined, 'a directory is not a file');
    } finally {
      await target.detach();
      removeContainer(name);
    }
  });
});

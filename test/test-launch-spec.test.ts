/**
 * The pieces of `pid1 test` that need no engine: compose/k8s reduction to a launch, durations, the
 * stop policies' numbers, and the JUnit writer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { composeService, manifestContainer } from '../src/runtime/pick-container.js';
import { parseGraceOption } from '../src/runtime/durations.js';
import { durationMs } from '../src/util/duration.js';
import { splitWords } from '../src/sources/compose/words.js';
import { interpolateString, parseDotEnv } from '../src/sources/compose/interpolate.js';
import { expandK8sString } from '../src/sources/kubernetes/expand.js';
import { lintKubernetesSource } from '../src/sources/kubernetes/source.js';
import { lintComposeDocument } from '../src/sources/compose/source.js';
import type { ComposeLaunch } from '../src/sources/launch.js';
import { DocumentStore } from '../src/document/store.js';
import { loadShellParser } from '../src/model/shell.js';
import { resolvePolicy, checkPreStopReachable } from '../src/runtime/policy.js';
import { junitXml, xmlEscape } from '../src/report/test-junit.js';
import { sameProcess } from '../src/runtime/rescue.js';
import { topHandlers } from '../src/proc/verdict.js';
import { readStat } from '../src/proc/stat.js';
import { spawn } from 'node:child_process';
import { decodeWaitStatus, describeStatus } from '../src/runtime/exits.js';
import { shellFamilyIn } from '../src/runtime/rootfs.js';
import { resolveInRoot } from '../src/util/root-path.js';
import { UserError } from '../src/util/errors.js';
import type { TreeNode } from '../src/proc/tree.js';
import { tempDir } from './helpers/exec.js';

function tmpFile(name: string, text: string): string {
  const dir = tempDir('pid1-spec-');
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function throwsUser(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof UserError && re.test(err.message) && !err.message.includes('\n'), `expected a one-line UserError matching ${re}`);
}

test('--ready-cmd splits like a shell: quotes, escapes, no expansion', () => {
  assert.deepEqual(splitWords('gunicorn -b 0.0.0.0:8000 app:app'), ['gunicorn', '-b', '0.0.0.0:8000', 'app:app']);
  assert.deepEqual(splitWords(`sh -c 'exec svc "$@"' --`), ['sh', '-c', 'exec svc "$@"', '--']);
  assert.deepEqual(splitWords('echo "a \\"b\\" $HOME" c\\ d'), ['echo', 'a "b" $HOME', 'c d']);
  assert.deepEqual(splitWords('  '), []);
  assert.deepEqual(splitWords(`a ''`), ['a', '']);
  assert.throws(() => splitWords(`echo 'open`), /unterminated single quote/);
});

test('compose interpolation: defaults, required, $$', () => {
  const env = { A: 'x', E: '' };
  assert.equal(interpolateString('${A}-$A-${B:-d}-${E:-e}-${E-f}-${B+g}-${A:+h}-$$A', env), 'x-x-d-e--' + '-h-$A');
  // compose-go's own words (template.MissingRequiredError)
  assert.throws(() => interpolateString('${B:?need B}', env), /required variable B is missing a value: need B/);
  assert.deepEqual(parseDotEnv('# c\nexport A=1\nB="two words"\n\nbad\n'), { A: '1', B: 'two words' });
});

test('durations: Go format, bare seconds, whole-second --grace', () => {
  assert.equal(durationMs('1m30s', 'x'), 90_000);
  assert.equal(durationMs('1.5s', 'x'), 1500);
  assert.equal(durationMs('250ms', 'x'), 250);
  assert.equal(durationMs('3', 'x'), 3000);
  throwsUser(() => durationMs('3x', 'x'), /^x: "3x" is not a duration/);
  // Go's forms (time.ParseDuration): a missing side of the point, both micro signs, whole nanoseconds
  assert.equal(durationMs('.5s', 'x'), 500);
  assert.equal(durationMs('5.s', 'x'), 5000);
  assert.equal(durationMs('2h', 'x'), 7_200_000);
  assert.equal(durationMs('1.1s', 'x'), 1100);
  assert.equal(durationMs('10us', 'x'), 0.01);
  assert.equal(durationMs('10µs', 'x'), durationMs('10μs', 'x'));
  for (const bad of ['', '-1s', '1m30', '1.2.3s', 's', '1 s']) throwsUser(() => durationMs(bad, 'x'), /is not a duration/);
  assert.equal(parseGraceOption('2s'), 2);
  assert.equal(parseGraceOption('1m'), 60);
  throwsUser(() => parseGraceOption('1.5'), /^--grace: "1.5" is not a grace period in whole seconds: 10, 10s, 1m/);
  throwsUser(() => parseGraceOption('soon'), /^--grace: "soon" is not a grace period in whole seconds/);
});

test('compose service -> launch: command string, entrypoint, signal, grace, init, env, user, build', () => {
  const file = tmpFile(
    'compose.yaml',
    `
services:
  web:
    image: app:\${TAG:-1.0}
    command: gunicorn -b ":8000" app:app
    stop_signal: INT
    stop_grace_period: 1m30s
    init: true
    user: "1000"
    environment:
      - A=1
      - FROM_HOST
  worker:
    build:
      context: ./w
      dockerfile: Dockerfile.worker
      target: prod
    entrypoint: ["/entrypoint.sh"]
    environment:
      B: 2
    stop_grace_period: 2500ms
`,
  );
  const web = composeService(file, 'web', { FROM_HOST: 'h' });
  assert.equal(web.image, 'app:1.0');
  assert.deepEqual(web.command, ['gunicorn', '-b', ':8000', 'app:app']);
  assert.equal(web.entrypoint, undefined);
  assert.equal(web.stopSignal, 'SIGINT');
  assert.equal(web.graceSeconds, 90);
  assert.equal(web.init, true);
  assert.equal(web.user, '1000');
  assert.deepEqual(web.env, { A: '1', FROM_HOST: 'h' });
  assert.equal(web.platform, 'compose');
  const worker = composeService(file, 'worker', {});
  assert.equal(worker.image, undefined);
  assert.equal(worker.build?.context, path.join(path.dirname(file), 'w'));
  assert.equal(worker.build?.dockerfile, 'Dockerfile.worker');
  assert.equal(worker.build?.target, 'prod');
  assert.deepEqual(worker.entrypoint, ['/entrypoint.sh']);
  assert.equal(worker.command, undefined);
  assert.equal(worker.graceSeconds, 2, 'compose truncates to whole seconds');
  assert.ok(worker.notes.some((n) => /truncates/.test(n)));
});

test('compose errors are one line naming the file and line', () => {
  const file = tmpFile('compose.yaml', 'services:\n  web:\n    image: x\n    stop_signal: SIGNOPE\n  bad:\n    command: echo\n');
  throwsUser(() => composeService(file, 'nope', {}), /compose\.yaml: no service "nope" \(services: web, bad\)/);
  throwsUser(() => composeService(file, 'web', {}), /compose\.yaml:4: stop_signal: /);
  throwsUser(() => composeService(file, 'bad', {}), /compose\.yaml:5: service "bad" has neither image: nor build:/);
  throwsUser(() => composeService(tmpFile('compose.yaml', 'services: [\n'), 'x', {}), /compose\.yaml:\d+: not valid YAML/);
  throwsUser(() => composeService(tmpFile('compose.yaml', 'version: "3"\n'), 'x', {}), /no services: section/);
  throwsUser(() => composeService('/nonexistent/compose.yaml', 'x', {}), /cannot read \/nonexistent\/compose\.yaml: no such file/);
});

test('k8s container -> launch: command/args, $(VAR), runAsUser, grace, preStop, stopSignal', () => {
  const file = tmpFile(
    'deploy.yaml',
    `
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 5
      securityContext: {runAsUser: 1000}
      containers:
      - name: app
        image: app:1
        command: ["/bin/sh", "-c"]
        args: ["exec gunicorn --workers $(WORKERS) $$(NOT)"]
        env:
        - {name: WORKERS, value: "4"}
        - {name: SECRET, valueFrom: {secretKeyRef: {name: s, key: k}}}
        ports: [{name: http, containerPort: 8000}]
        lifecycle:
          stopSignal: SIGQUIT
          preStop:
            httpGet: {path: /drain, port: http}
      - name: sidecar
        image: side:1
        command: ["envoy"]
        securityContext: {runAsUser: 101, runAsGroup: 101}
        lifecycle:
          preStop:
            sleep: {seconds: 3}
`,
  );
  const app = manifestContainer(file, 'app');
  assert.equal(app.platform, 'kubernetes');
  assert.equal(app.image, 'app:1');
  assert.deepEqual(app.entrypoint, ['/bin/sh', '-c']);
  assert.deepEqual(app.command, ['exec gunicorn --workers 4 $(NOT)']);
  assert.equal(app.user, '1000');
  assert.equal(app.graceSeconds, 5);
  assert.equal(app.stopSignal, 'SIGQUIT');
  assert.deepEqual(app.preStop, { kind: 'httpGet', scheme: 'HTTP', host: '127.0.0.1', port: 8000, path: '/drain', headers: {} });
  assert.ok(app.notes.some((n) => /SECRET comes from valueFrom/.test(n)));
  const side = manifestContainer(file, 'sidecar');
  assert.deepEqual(side.entrypoint, ['envoy']);
  assert.deepEqual(side.command, [], 'k8s command without args drops the image CMD');
  assert.equal(side.user, '101:101');
  assert.deepEqual(side.preStop, { kind: 'sleep', seconds: 3 });
  throwsUser(() => manifestContainer(file), /several containers: Deployment\/web container app; Deployment\/web container sidecar/);
  throwsUser(() => manifestContainer(file, 'x'), /no container "x" \(containers: app, sidecar\)/);
  assert.equal(expandK8sString('$(A)-$$(A)-$(B)', new Map([['A', '1']])), '1-$(A)-$(B)');
});

test('k8s defaults and errors', () => {
  const pod = manifestContainer(tmpFile('pod.yaml', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    args: [a, b]\n'));
  assert.equal(pod.graceSeconds, 30, 'the API server default');
  assert.equal(pod.entrypoint, undefined);
  assert.deepEqual(pod.command, ['a', 'b']);
  const cron = manifestContainer(
    tmpFile('cron.yaml', 'kind: CronJob\nmetadata: {name: j}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: i}]\n'),
  );
  assert.equal(cron.image, 'i');
  throwsUser(
    () => manifestContainer(tmpFile('x.yaml', 'kind: Pod\nspec:\n  containers:\n  - name: c\n    image: i\n    lifecycle:\n      preStop:\n        tcpSocket: {port: 1}\n')),
    /x\.yaml:8: preStop tcpSocket .* the kubelet does not run it/,
  );
  throwsUser(
    () => manifestContainer(tmpFile('x.yaml', 'kind: Pod\nspec:\n  terminationGracePeriodSeconds: 1.5\n  containers: [{name: c, image: i}]\n')),
    /x\.yaml:3: terminationGracePeriodSeconds must be a whole number/,
  );
  throwsUser(() => manifestContainer(tmpFile('x.yaml', 'kind: Pod\nspec:\n  containers:\n  - name: c\n')), /x\.yaml:4: Pod\/\? container c has no image/);
  throwsUser(() => manifestContainer(tmpFile('x.yaml', 'kind: Service\nmetadata: {name: s}\n')), /no containers found/);
});

test('stop policies: precedence of signal and grace, kubelet minimum, preStop only for the kubelet', () => {
  const d = resolvePolicy({ name: 'docker', imageSignal: 'SIGQUIT' });
  assert.equal(d.signal, 'SIGQUIT');
  assert.equal(d.signalFrom, 'image STOPSIGNAL');
  assert.equal(d.graceSeconds, 10);
  const k = resolvePolicy({
    name: 'kubelet',
    imageSignal: 'SIGQUIT',
    specSignal: { signal: 'INT', from: 'lifecycle.stopSignal' },
    specGrace: { seconds: 5, from: 'terminationGracePeriodSeconds' },
    graceOverride: 3,
    preStop: { kind: 'sleep', seconds: 1 },
  });
  assert.equal(k.signal, 'SIGINT');
  assert.equal(k.graceSeconds, 3);
  assert.equal(k.graceFrom, '--grace');
  assert.equal(k.minimumGraceSeconds, 2);
  assert.equal(resolvePolicy({ name: 'kubelet' }).graceSeconds, 30);
  assert.equal(resolvePolicy({ name: 'compose', signalOverride: '15' }).signal, 'SIGTERM');
  throwsUser(() => resolvePolicy({ name: 'docker', preStop: { kind: 'sleep', seconds: 1 } }), /preStop hook is a kubelet feature/);
  throwsUser(() => resolvePolicy({ name: 'docker', signalOverride: 'SIGNOPE' }), /--stop-signal/);
  throwsUser(() => checkPreStopReachable({ kind: 'httpGet', scheme: 'HTTP', host: '10.0.0.1', port: 80, path: '/', headers: {} }, 'host'), /loopback only/);
  throwsUser(() => checkPreStopReachable({ kind: 'httpGet', scheme: 'HTTP', host: '127.0.0.1', port: 80, path: '/', headers: {} }, 'none'), /--network host/);
});

test('wait statuses decode as the kernel keeps them', () => {
  assert.deepEqual(decodeWaitStatus(0), { code: 0, raw: 0 });
  assert.deepEqual(decodeWaitStatus(3 << 8), { code: 3, raw: 768 });
  assert.equal(describeStatus(decodeWaitStatus(9)), 'killed by SIGKILL');
  assert.equal(describeStatus(decodeWaitStatus(0x80 | 11)), 'killed by SIGSEGV (core dumped)');
  assert.equal(describeStatus(undefined), 'ended (status not seen)');
});

test('rescue targets are the top-most handlers, not PID 1, not their handling descendants', () => {
  const node = (pid: number, ppid: number, caught: number[], depth: number): TreeNode => ({
    hostPid: 100 + pid,
    hostPpid: ppid ? 100 + ppid : 1,
    starttime: 1000 + pid,
    pid,
    ppid,
    pgid: 1,
    sid: 1,
    nsPids: [100 + pid, pid],
    nsPgids: [101, 1],
    nsSids: [101, 1],
    state: 'S',
    stateName: 'sleeping',
    zombie: false,
    uid: 0,
    user: 'root',
    comm: `p${pid}`,
    argv: [],
    exe: '',
    pidNs: 'pid:[1]',
    threads: 1,
    takes: [],
    takesVia: [],
    depth,
    children: [],
    rawMasks: { SigPnd: '0', ShdPnd: '0', SigBlk: '0', SigIgn: '0', SigCgt: '0' },
    masks: { pending: [], shared_pending: [], blocked: [], ignored: [], caught },
  });
  const init = node(1, 0, [2, 17], 0);
  const wrapper = node(6, 1, [], 1);
  const master = node(7, 6, [15], 2);
  const worker = node(8, 7, [15], 3);
  const other = node(9, 1, [15], 1);
  assert.deepEqual(
    topHandlers([init, wrapper, master, worker, other], init, 15).map((p) => p.pid),
    [9, 7],
  );
  assert.deepEqual(topHandlers([init, wrapper], init, 15), []);
});

test('rootfs: /bin/sh resolved inside the root, absolute links included', () => {
  const root = tempDir('pid1-root-');
  fs.mkdirSync(path.join(root, 'bin'));
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/bin/dash'), '');
  fs.symlinkSync('/usr/bin/dash', path.join(root, 'bin/sh'));
  assert.equal(resolveInRoot(root, '/bin/sh'), '/usr/bin/dash');
  assert.equal(shellFamilyIn(root), 'dash');
  fs.rmSync(path.join(root, 'bin/sh'));
  fs.symlinkSync('busybox', path.join(root, 'bin/sh'));
  fs.writeFileSync(path.join(root, 'bin/busybox'), '');
  assert.equal(shellFamilyIn(root), 'ash');
  fs.rmSync(path.join(root, 'bin/sh'));
  assert.equal(shellFamilyIn(root), 'none');
});

test('JUnit: counts, escaping, CDATA', () => {
  const xml = junitXml([
    { name: 'a <b> stops', classname: 'pid1.test.docker', seconds: 1.5, failure: { type: 'killed', message: 'killed: "x" & y', body: 'line ]]> end\x01' } },
    { name: 'c', classname: 'pid1.test.docker', seconds: 0, error: { message: 'engine down' } },
    { name: 'd', classname: 'pid1.test.docker', seconds: 0.5 },
  ]);
  assert.match(xml, /<testsuites name="pid1 test" tests="3" failures="1" errors="1" time="2.000">/);
  assert.match(xml, /<testcase name="a &lt;b&gt; stops"/);
  assert.match(xml, /message="killed: &quot;x&quot; &amp; y"/);
  assert.match(xml, /line ]]]]><!\[CDATA\[> end/);
  assert.ok(!xml.includes('\x01'));
  assert.equal(xmlEscape('<&>"'), '&lt;&amp;&gt;&quot;');
});

function tmpProject(files: Record<string, string>): string {
  const dir = tempDir('pid1-spec-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

// The project docker compose reads: compose.yaml + compose.override.yaml, a `<<: *anchor` merge, a
// nested default, and `extends` from another file (the same reading `pid1 lint` does).
const MERGED_PROJECT = {
  'compose.yaml': `x-base: &base
  image: app:\${TAG:-\${FALLBACK:-1.0}}
  stop_signal: INT
  environment:
    FROM_ANCHOR: a
services:
  web:
    <<: *base
    command: ["svc", "--graceful", "INT"]
    stop_grace_period: 2500ms
    init: yes
  worker:
    extends:
      file: common.yml
      service: base
    command: ["svc", "--name", "worker"]
    environment:
      - OWN=1
`,
  'common.yml': `services:
  base:
    image: common:1
    user: "1000"
    working_dir: /srv
    env_file: common.env
    environment:
      COMMON: "1"
      OWN: base
    stop_grace_period: 3s
`,
  'common.env': 'FROM_FILE=f\nCOMMON=from-file\n',
  'compose.override.yaml': `services:
  web:
    command: ["svc", "--graceful", "INT", "--name", "overridden"]
    environment:
      FROM_OVERRIDE: o
`,
};

test('compose: the override file, << merges, nested defaults and extends are followed, as lint reads them', async () => {
  const dir = tmpProject(MERGED_PROJECT);
  const file = path.join(dir, 'compose.yaml');
  const web = composeService(file, 'web', {});
  assert.equal(web.image, 'app:1.0', 'nested default: ${TAG:-${FALLBACK:-1.0}}');
  assert.equal(composeService(file, 'web', { FALLBACK: '2' }).image, 'app:2');
  assert.equal(composeService(file, 'web', { TAG: '3', FALLBACK: '2' }).image, 'app:3');
  assert.deepEqual(web.command, ['svc', '--graceful', 'INT', '--name', 'overridden'], 'compose.override.yaml wins');
  assert.equal(web.stopSignal, 'SIGINT', 'from the << merge');
  assert.deepEqual(web.env, { FROM_ANCHOR: 'a', FROM_OVERRIDE: 'o' }, 'environment maps merge across files');
  assert.equal(web.init, true, 'init: yes is true for compose (compose-go toBoolean)');
  assert.equal(web.graceSeconds, 2, 'compose truncates 2500ms to whole seconds');
  assert.ok(
    web.notes.some((n) => /compose merges compose\.yaml \+ compose\.override\.yaml/.test(n)),
    web.notes.join('\n'),
  );
  const worker = composeService(file, 'worker', {});
  assert.equal(worker.image, 'common:1', "extends: the base service's image");
  assert.equal(worker.user, '1000');
  assert.equal(worker.workingDir, '/srv');
  assert.equal(worker.graceSeconds, 3);
  assert.deepEqual(worker.command, ['svc', '--name', 'worker']);
  assert.deepEqual(worker.env, { FROM_FILE: 'f', COMMON: '1', OWN: '1' }, 'env_file under environment; the service over its base');
  assert.ok(!worker.notes.some((n) => /extends/.test(n)), 'extends is followed, not noted as ignored');
  // The lint reads the same project the same way: the same argv, signal and grace.
  await loadShellParser();
  const store = new DocumentStore();
  const doc = store.read(file, 'compose');
  assert.ok(doc);
  const lint = lintComposeDocument(doc, store, { env: {} });
  assert.deepEqual(lint.errors, []);
  const lw = lint.launches.find((l) => (l as ComposeLaunch).service === 'web') as ComposeLaunch | undefined;
  assert.deepEqual(lw?.cmd?.argv, web.command);
  assert.equal(lw?.stopSignal.signal, web.stopSignal);
  assert.equal(lw?.stop.graceSeconds, web.graceSeconds);
  assert.equal(lw?.init, true);
  assert.equal(lw?.image, web.image);
});

test('compose: an override file given alone is read with its base; init must be a boolean compose knows', () => {
  const dir = tmpProject({ ...MERGED_PROJECT, 'compose.yaml': MERGED_PROJECT['compose.yaml'].replace('init: yes', 'init: maybe') });
  throwsUser(() => composeService(path.join(dir, 'compose.yaml'), 'web', {}), /compose\.yaml:11: init: invalid boolean: maybe/);
  const dir2 = tmpProject(MERGED_PROJECT);
  const web = composeService(path.join(dir2, 'compose.override.yaml'), 'web', {});
  assert.equal(web.image, 'app:1.0');
  assert.deepEqual(web.command, ['svc', '--graceful', 'INT', '--name', 'overridden']);
  throwsUser(() => composeService(tmpFile('compose.yaml', 'services:\n  web:\n    image: x\n    env_file: missing.env\n'), 'web', {}), /compose\.yaml:4: env_file: cannot read missing\.env/);
  // compose v2 (go-shellwords) stops at an unquoted operator: what it runs, not what a shell would
  const cut = composeService(tmpFile('compose.yaml', 'services:\n  web:\n    image: x\n    command: ./migrate && exec svc\n'), 'web', {});
  assert.deepEqual(cut.command, ['./migrate']);
  assert.ok(
    cut.notes.some((n) => /only up to the unquoted `&`/.test(n)),
    cut.notes.join('\n'),
  );
  throwsUser(() => composeService(tmpFile('compose.yaml', 'services:\n  web:\n    image: ${NOPE:?set NOPE}\n'), 'web', {}), /compose\.yaml:3: required variable NOPE is missing a value: set NOPE/);
});

test('k8s: lint and test read a fractional grace period the same way (the API server rejects it)', () => {
  const file = tmpFile('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  terminationGracePeriodSeconds: 1.5\n  containers: [{name: c, image: i, command: [svc]}]\n');
  throwsUser(() => manifestContainer(file), /pod\.yaml:5: terminationGracePeriodSeconds must be a whole number/);
  const store = new DocumentStore();
  const doc = store.read(file, 'kubernetes');
  assert.ok(doc);
  const r = lintKubernetesSource(doc, store, {});
  assert.ok(
    r.errors.some((e) => e.line === 5 && /terminationGracePeriodSeconds must be a whole number/.test(e.message)),
    JSON.stringify(r.errors),
  );
  // An empty command is no command (the image's ENTRYPOINT and CMD run), as the runtime reads it.
  const empty = manifestContainer(tmpFile('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i, command: []}]\n'));
  assert.equal(empty.entrypoint, undefined);
  assert.equal(empty.command, undefined);
});

test('pid1 stop names a process by PID and start time: one that exited, or another PID, is not it', async () => {
  const a = spawn('sleep', ['30'], { stdio: 'ignore' });
  const b = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const pa = a.pid as number;
    const pb = b.pid as number;
    const startA = readStat(pa)?.starttime;
    assert.ok(startA !== undefined);
    assert.equal(sameProcess(pa, startA), true);
    assert.equal(sameProcess(pa, undefined), false, 'not recorded: never signalled');
    assert.equal(sameProcess(pb, (readStat(pb)?.starttime ?? 0) + 1), false, 'the same PID with another start time is another process');
    const gone = new Promise((r) => a.once('exit', r));
    a.kill('SIGKILL');
    await gone;
    assert.equal(sameProcess(pa, startA), false, 'exited (and reaped)');
  } finally {
    a.kill('SIGKILL');
    b.kill('SIGKILL');
  }
});

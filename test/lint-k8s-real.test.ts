/**
 * Kubernetes verdicts against real runs. Each container of a manifest is reduced to its launch (image,
 * command -> entrypoint, args -> cmd, stop signal, grace period, preStop) and run in Docker; the kubelet's
 * stop sequence is replayed (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer):
 *   1. run the preStop hook (exec inside the container, or sleep), bounded by the grace period;
 *   2. grace -= whole seconds the hook took, with a floor of 2 s (minimumGracePeriodInSeconds);
 *   3. the runtime's StopContainer: the stop signal, wait the remaining grace, SIGKILL (= docker stop -t).
 * shareProcessNamespace is replayed with a pause container whose PID namespace the containers join.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { DocumentStore } from '../src/document/store.js';
import { Linter } from '../src/lint/engine.js';
import { makeDocument } from '../src/document/document.js';
import { loadShellParser } from '../src/model/shell.js';
import { lintKubernetesSource } from '../src/sources/kubernetes/source.js';
import type { KubernetesLaunch as K8sLaunch } from '../src/sources/launch.js';
import { ImageLinker } from '../src/sources/image-links.js';
import { dockerStop, removeContainer, requireDocker, startContainer, testImage } from './helpers/docker.js';
import { run, runSync, sleep, waitFor } from './helpers/exec.js';

before(async () => {
  await loadShellParser();
});

interface Replayed {
  ms: number;
  exitCode: number;
  logs: string;
  hookExit?: number;
  /** What `docker exec` of the hook printed (the runtime's error when it cannot run it). */
  hookOutput?: string;
  hookMs?: number;
  remaining: number;
}

/** Start a container as the kubelet would from this launch. */
async function startPod(l: K8sLaunch, pidOf?: string): Promise<string> {
  const name = await startContainer({
    image: l.image ?? '',
    ...(l.entrypoint ? { entrypoint: l.entrypoint.argv } : {}),
    ...(l.cmd ? { cmd: l.cmd.argv } : {}),
    stopSignal: l.stopSignal.signal,
    ...(pidOf ? { extra: ['--pid', `container:${pidOf}`] } : {}),
  });
  await waitFor(`${name} ready`, () => (/ready/.test(runSync('docker', ['logs', name])) ? true : undefined), 10_000);
  return name;
}

/** The kubelet's killContainer, replayed against a Docker container. */
async function kubeletStop(name: string, l: K8sLaunch): Promise<Replayed> {
  const grace = l.stop.graceSeconds;
  const hook = l.stop.preStop;
  const t0 = Date.now();
  let hookExit: number | undefined;
  let hookOutput: string | undefined;
  if (hook?.kind === 'exec' && hook.argv) {
    const r = await run('docker', ['exec', name, ...hook.argv], { timeout: grace * 1000 });
    hookExit = r.code;
    hookOutput = r.stdout + r.stderr;
  } else if (hook?.kind === 'sleep' && hook.seconds !== undefined) {
    await sleep(Math.min(hook.seconds, grace) * 1000);
  }
  const hookMs = Date.now() - t0;
  // kubelet: gracePeriod - int64(seconds the hook took), at least minimumGracePeriodInSeconds (2)
  const remaining = hook ? Math.max(grace - Math.floor(hookMs / 1000), 2) : grace;
  const st = await dockerStop(name, remaining);
  return {
    ms: Date.now() - t0,
    exitCode: st.exitCode,
    logs: st.logs,
    remaining,
    ...(hook ? { hookMs } : {}),
    ...(hookExit !== undefined ? { hookExit } : {}),
    ...(hookOutput !== undefined ? { hookOutput } : {}),
  };
}

function lintManifest(text: string, images: Record<string, string>): { launches: Map<string, K8sLaunch>; rules: Map<string, string[]> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-k8s-real-'));
  fs.mkdirSync(path.join(dir, '.git'));
  const file = path.join(dir, 'pods.yaml');
  fs.writeFileSync(file, text);
  try {
    const store = new DocumentStore();
    const doc = store.read(file, 'kubernetes');
    assert.ok(doc);
    const r = lintKubernetesSource(doc, store, { images, linker: new ImageLinker({}, [], dir) });
    assert.deepEqual(r.errors, []);
    const launches = new Map(r.launches.map((l) => [(l as K8sLaunch).container, l as K8sLaunch]));
    const linter = new Linter({ images });
    const d2 = makeDocument(file, text, 'kubernetes', file);
    linter.store.add(d2);
    linter.lint(d2);
    const rules = new Map<string, string[]>();
    for (const f of linter.result().files.flatMap((x) => x.findings)) {
      const c = f.related?.find((x) => /container /.test(x.message))?.message.match(/container (\S+) of/)?.[1] ?? '?';
      rules.set(c, [...(rules.get(c) ?? []), f.ruleId]);
    }
    return { launches, rules };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function pod(name: string, spec: string[]): string {
  return ['---', 'apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}}`, 'spec:', ...spec.map((l) => `  ${l}`)].join('\n');
}

describe("the kubelet's stop sequence, replayed", () => {
  it('containers: shell wrappers, exec, bash, a pipeline on ash, lifecycle.stopSignal', async (t) => {
    if (!requireDocker(t)) return;
    const dash = testImage({ shell: 'dash' });
    const bash = testImage({ shell: 'bash' });
    const ash = testImage({ shell: 'ash' });
    const images = { [dash]: 'dash', [bash]: 'bash', [ash]: 'ash' };
    const c = (name: string, image: string, lines: string[]): string[] => [`  - name: ${name}`, `    image: ${image}`, ...lines.map((l) => `    ${l}`)];
    const text = pod('p', [
      'terminationGracePeriodSeconds: 3',
      'os: {name: linux}',
      'containers:',
      ...c('wrapper', dash, ['command: ["sh", "-c", "app --drain-ms 300"]']),
      ...c('execd', dash, ['command: ["sh", "-c", "exec app --drain-ms 300"]']),
      ...c('bashlist', bash, ['command: ["bash", "-c", "cd / && app --drain-ms 300"]']),
      ...c('ashpipe', ash, ['command: ["sh", "-c", "app --drain-ms 300 | cat"]']),
      ...c('sigint', dash, ['command: ["app"]', 'args: ["--graceful", "INT", "--drain-ms", "300"]', 'lifecycle:', '  stopSignal: SIGINT']),
    ]);
    const { launches } = lintManifest(text, images);
    const expected: Record<string, string> = { wrapper: 'killed', execd: 'graceful', bashlist: 'graceful', ashpipe: 'killed', sigint: 'graceful' };
    for (const [n, o] of Object.entries(expected)) assert.equal(launches.get(n)?.prediction?.outcome, o, n);
    const names = new Map<string, string>();
    try {
      for (const n of Object.keys(expected)) names.set(n, await startPod(launches.get(n) as K8sLaunch));
      const results = await Promise.all([...names].map(async ([n, c]) => ({ n, r: await kubeletStop(c, launches.get(n) as K8sLaunch) })));
      for (const { n, r } of results) {
        if (expected[n] === 'graceful') {
          assert.match(r.logs, /graceful exit/, n);
          // exit 0: it ended by its own shutdown before docker stop's SIGKILL at the end of the 3 s (137)
          assert.equal(r.exitCode, 0, n);
        } else {
          assert.equal(r.exitCode, 137, n);
          assert.ok(r.ms >= 2900, `${n}: ${r.ms} ms`);
          assert.doesNotMatch(r.logs, /graceful exit/, n);
        }
      }
    } finally {
      for (const c of names.values()) removeContainer(c);
    }
  });

  it('preStop: its time counts against the grace period (2 s floor); a missing binary fails the hook at once', async (t) => {
    if (!requireDocker(t)) return;
    const dash = testImage({ shell: 'dash' });
    const none = testImage({ shell: 'none' });
    const images = { [dash]: 'dash', [none]: 'none' };
    const text = [
      pod('long-hook', [
        'terminationGracePeriodSeconds: 3',
        'containers:',
        '  - name: slow-drain',
        `    image: ${dash}`,
        '    command: ["app", "--drain-ms", "3500"]',
        '    lifecycle:',
        '      preStop:',
        '        sleep: {seconds: 4}',
      ]),
      pod('distroless', [
        'terminationGracePeriodSeconds: 4',
        'containers:',
        '  - name: nosleep',
        `    image: ${none}`,
        '    command: ["/usr/local/bin/app", "--drain-ms", "300"]',
        '    lifecycle:',
        '      preStop:',
        '        exec:',
        '          command: ["sleep", "3"]',
      ]),
      '',
    ].join('\n');
    const { launches, rules } = lintManifest(text, images);
    assert.deepEqual(rules.get('slow-drain'), ['k8s-prestop-exceeds-grace']);
    assert.deepEqual(rules.get('nosleep'), ['k8s-prestop-missing-binary']);
    const slow = launches.get('slow-drain') as K8sLaunch;
    const nosleep = launches.get('nosleep') as K8sLaunch;
    const a = await startPod(slow);
    const b = await startPod(nosleep);
    try {
      const [ra, rb] = await Promise.all([kubeletStop(a, slow), kubeletStop(b, nosleep)]);
      // the hook used the whole 3 s: the service got the 2 s floor, less than its 3.5 s drain -> SIGKILL mid-drain
      assert.equal(ra.remaining, 2);
      assert.match(ra.logs, /got Terminated, draining/);
      assert.doesNotMatch(ra.logs, /graceful exit/);
      assert.equal(ra.exitCode, 137);
      // no sleep in the image: the runtime cannot exec the hook, so the intended 3 s delay never happens
      assert.notEqual(rb.hookExit, 0);
      assert.match(rb.hookOutput ?? '', /executable file not found|no such file or directory/i, rb.hookOutput);
      // the kubelet subtracts the whole seconds the failed hook took (2 s floor) and sends the stop signal
      assert.equal(rb.remaining, Math.max(4 - Math.floor((rb.hookMs ?? 0) / 1000), 2));
      assert.match(rb.logs, /graceful exit/);
      assert.equal(rb.exitCode, 0, 'its own shutdown, within what was left of the grace period: no SIGKILL');
    } finally {
      removeContainer(a);
      removeContainer(b);
    }
  });

  it('shareProcessNamespace: the wrapper dies at once and the service is SIGKILLed, not after the grace period', async (t) => {
    if (!requireDocker(t)) return;
    const dash = testImage({ shell: 'dash' });
    const text = pod('shared', [
      'shareProcessNamespace: true',
      'terminationGracePeriodSeconds: 5',
      'containers:',
      '  - name: wrapper',
      `    image: ${dash}`,
      '    command: ["sh", "-c", "app --drain-ms 301"]',
      '  - name: execd',
      `    image: ${dash}`,
      '    command: ["sh", "-c", "exec app --drain-ms 300"]',
      '  - name: periodic',
      `    image: ${dash}`,
      '    command: ["sh", "-c", "echo ready; while true; do date; sleep 3600; done"]',
      '',
    ]);
    const { launches, rules } = lintManifest(text, { [dash]: 'dash' });
    const w = launches.get('wrapper') as K8sLaunch;
    const e = launches.get('execd') as K8sLaunch;
    const j = launches.get('periodic') as K8sLaunch;
    assert.equal(w.prediction?.outcome, 'abrupt');
    assert.equal(e.prediction?.outcome, 'graceful');
    // a periodic loop (work, then a long sleep) is mostly waiting: ending it at once loses nothing
    assert.equal(j.prediction?.outcome, 'graceful');
    assert.deepEqual(rules.get('wrapper'), ['k8s-shared-pid-namespace']);
    assert.equal(rules.get('periodic'), undefined);
    // the pod's pause container holds the PID namespace
    const pause = await startContainer({ image: dash, entrypoint: ['/bin/sleep', '100000'] });
    const names: string[] = [];
    try {
      const cw = await startPod(w, pause);
      names.push(cw);
      const ce = await startPod(e, pause);
      names.push(ce);
      const rw = await kubeletStop(cw, w);
      // 143, not 137: dash died of SIGTERM's default action at once, not of the SIGKILL at the end of the 5 s grace period
      assert.equal(rw.exitCode, 143);
      assert.doesNotMatch(rw.logs, /got |graceful exit/); // the service never ran its handler
      // and it is gone: the runtime SIGKILLed the container's other processes
      await waitFor('app gone', () => (/app --drain-ms 301$/m.test(runSync('docker', ['exec', pause, 'ps', '-o', 'args'])) ? undefined : true), 5000);
      const re = await kubeletStop(ce, e);
      assert.match(re.logs, /graceful exit/);
      assert.equal(re.exitCode, 0);
      const cj = await startPod(j, pause);
      names.push(cj);
      const rj = await kubeletStop(cj, j);
      // dash, not PID 1, dies of SIGTERM's default action at once; its sleep goes with the container
      assert.equal(rj.exitCode, 143);
      assert.ok(rj.ms < 4000, `stopped in ${rj.ms} ms, not at the end of the 5 s grace period`);
    } finally {
      for (const n of names) removeContainer(n);
      removeContainer(pause);
    }
  });
});

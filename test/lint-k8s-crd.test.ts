/**
 * Kubernetes as it is written: pod templates inside custom resources found by shape (LeaderWorkerSet, JobSet,
 * MPIJob, KServe, KubeRay, Argo Workflows), operators that wrap or replace the command (Argo's emissary,
 * KubeRay's `ray start`), scripts from ConfigMap volumes analysed like entrypoint scripts (same stream, other
 * files of the folder, kustomize generators; findings and fixes in the block scalar), and the image linker's
 * build declarations. The ConfigMap scripts' stops are replayed in Docker (the volume as a bind mount with the
 * kubelet's file mode).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeDocument } from '../src/document/document.js';
import { DocumentStore } from '../src/document/store.js';
import { planFixes } from '../src/lint/apply.js';
import { Linter } from '../src/lint/engine.js';
import { loadShellParser } from '../src/model/shell.js';
import { ImageLinker, repoRoot } from '../src/sources/image-links.js';
import { lintKubernetesSource } from '../src/sources/kubernetes/source.js';
import type { KubernetesLaunch as K8sLaunch, SourceResult } from '../src/sources/launch.js';
import { lintLaunches, pid1 } from './helpers/cli.js';
import { dockerStop, removeContainer, requireDocker, startContainer, testImage } from './helpers/docker.js';
import { runSync, tempRepo, waitFor } from './helpers/exec.js';

before(async () => {
  await loadShellParser();
});

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary repository (with .git, so the image linker stays inside it). */
const repo = (files: Record<string, string>): string => tempRepo('pid1-k8s-crd-', files);

function source(file: string, images: Record<string, string> = {}): SourceResult {
  const store = new DocumentStore();
  const doc = store.read(file, 'kubernetes');
  assert.ok(doc, `cannot read ${file}`);
  return lintKubernetesSource(doc, store, { images, linker: new ImageLinker({}, undefined, repoRoot(path.dirname(file))) });
}

function launches(file: string, images: Record<string, string> = {}): K8sLaunch[] {
  const r = source(file, images);
  assert.deepEqual(r.errors, []);
  return r.launches as K8sLaunch[];
}

const ids = (ls: K8sLaunch[]): string[] => ls.map((l) => `${l.resource} ${l.container} ${l.where.slice(l.where.indexOf(' ') + 1)}`);

describe('pod templates inside custom resources, by shape', () => {
  it('LeaderWorkerSet, JobSet, MPIJob, KServe: every pod template, wherever it is under spec', () => {
    const dir = repo({
      'crs.yaml': [
        'apiVersion: leaderworkerset.x-k8s.io/v1',
        'kind: LeaderWorkerSet',
        'metadata: {name: vllm}',
        'spec:',
        '  leaderWorkerTemplate:',
        '    leaderTemplate:',
        '      spec:',
        '        containers:',
        '        - name: leader',
        '          image: vllm/vllm-openai:v0.6',
        '          command: ["sh", "-c", "ray start --head && python3 -m vllm.entrypoints.openai.api_server"]',
        '    workerTemplate:',
        '      spec:',
        '        containers:',
        '        - name: worker',
        '          image: vllm/vllm-openai:v0.6',
        '---',
        'apiVersion: jobset.x-k8s.io/v1alpha2',
        'kind: JobSet',
        'metadata: {name: js}',
        'spec:',
        '  replicatedJobs:',
        '  - name: workers',
        '    template:',
        '      spec:',
        '        template:',
        '          spec:',
        '            containers:',
        '            - name: trainer',
        '              image: python:3.12-slim',
        '              command: ["python", "train.py"]',
        '---',
        'apiVersion: kubeflow.org/v2beta1',
        'kind: MPIJob',
        'metadata: {name: pi}',
        'spec:',
        '  mpiReplicaSpecs:',
        '    Launcher:',
        '      template:',
        '        spec:',
        '          containers:',
        '          - image: mpioperator/mpi-pi',
        '            name: mpi-launcher',
        '---',
        'apiVersion: serving.kserve.io/v1beta1',
        'kind: InferenceService',
        'metadata: {name: custom}',
        'spec:',
        '  predictor:',
        '    containers:',
        '    - name: kserve-container',
        '      image: ghcr.io/acme/model:1',
        '---',
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'metadata: {name: things.acme.io}',
        'spec:',
        '  versions:',
        '  - name: v1',
        '    schema:',
        '      openAPIV3Schema:',
        '        properties:',
        '          containers:',
        '            type: array',
        '            items: {type: object}',
        '',
      ].join('\n'),
    });
    assert.deepEqual(ids(launches(path.join(dir, 'crs.yaml'))), [
      'LeaderWorkerSet/vllm leader spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0]',
      'LeaderWorkerSet/vllm worker spec.leaderWorkerTemplate.workerTemplate.spec.containers[0]',
      'JobSet/js trainer spec.replicatedJobs[0].template.spec.template.spec.containers[0]',
      'MPIJob/pi mpi-launcher spec.mpiReplicaSpecs.Launcher.template.spec.containers[0]',
      'InferenceService/custom kserve-container spec.predictor.containers[0]',
    ]);
  });

  it("a custom resource's pod template is linted like a Deployment's", () => {
    const dir = repo({
      'lws.yaml':
        'apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {name: x}\nspec:\n  leaderWorkerTemplate:\n    workerTemplate:\n      spec:\n        containers:\n        - name: w\n          image: debian:bookworm\n          command: ["sh", "-c", "svc --port 80"]\n',
    });
    const [w] = launches(path.join(dir, 'lws.yaml'));
    assert.equal(w?.prediction?.outcome, 'killed');
    assert.equal(w?.prediction?.pid1.name, 'dash');
  });

  it("a built-in kind's name in another API group is a custom resource: volcano's Job keeps its pods in spec.tasks[]", () => {
    const dir = repo({
      'vcjob.yaml':
        'apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {name: mpi}\nspec:\n  tasks:\n  - name: master\n    template:\n      spec:\n        containers:\n        - name: m\n          image: debian:bookworm\n          command: ["sh", "-c", "sshd; mpiexec -np 2 train"]\n  - name: worker\n    template:\n      spec:\n        containers:\n        - name: w\n          image: debian:bookworm\n          command: ["bash", "-c", "sleep 3600"]\n' +
        '---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: plain}\nspec:\n  template:\n    spec:\n      containers:\n      - name: p\n        image: debian:bookworm\n        command: ["sh", "-c", "train | tee log"]\n',
    });
    const ls = launches(path.join(dir, 'vcjob.yaml'));
    assert.deepEqual(ids(ls), ['Job/mpi m spec.tasks[0].template.spec.containers[0]', 'Job/mpi w spec.tasks[1].template.spec.containers[0]', 'Job/plain p spec.template.spec.containers[0]']);
    assert.equal(ls[0]?.prediction?.outcome, 'killed');
    assert.equal(ls[1]?.prediction?.pid1.name, 'sleep');
  });
  it('Argo Workflows: container, script and containerSet run under the emissary executor; steps run nothing', () => {
    const dir = repo({
      'wf.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Workflow',
        'metadata: {generateName: hello-}',
        'spec:',
        '  entrypoint: main',
        '  templates:',
        '  - name: main',
        '    steps:',
        '    - - name: a',
        '        template: say',
        '  - name: say',
        '    container:',
        '      image: alpine:3.20',
        '      command: [sh, -c]',
        '      args: ["echo {{inputs.parameters.m}}; sleep 10"]',
        '  - name: gen',
        '    script:',
        '      image: python:3.12-alpine',
        '      command: [python]',
        '      source: |',
        '        print(1)',
        '  - name: set',
        '    containerSet:',
        '      containers:',
        '      - name: a',
        '        image: alpine:3.20',
        '        command: [sh, -c, "sleep 5"]',
        '',
      ].join('\n'),
    });
    const ls = launches(path.join(dir, 'wf.yaml'));
    assert.deepEqual(ids(ls), ['Workflow/hello- main spec.templates[1].container', 'Workflow/hello- main spec.templates[2].script', 'Workflow/hello- a spec.templates[3].containerSet.containers[0]']);
    for (const l of ls) {
      assert.equal(l.unresolved?.code, 'operator');
      assert.match(l.unresolved?.message ?? '', /argoexec emissary/);
      assert.equal(l.chain, undefined);
    }
  });

  it("KubeRay: the Ray container's command is KubeRay's; a sidecar is read as written; the overwrite annotation keeps it", () => {
    const dir = repo({
      'ray.yaml': [
        'apiVersion: ray.io/v1',
        'kind: RayCluster',
        'metadata: {name: rc}',
        'spec:',
        '  headGroupSpec:',
        '    rayStartParams: {}',
        '    template:',
        '      spec:',
        '        containers:',
        '        - name: ray-head',
        '          image: rayproject/ray:2.52.0',
        '        - name: redis',
        '          image: redis:7.4.0',
        '          command: ["sh", "-c", "redis-server /etc/redis.conf"]',
        '  workerGroupSpecs:',
        '  - groupName: small',
        '    template:',
        '      spec:',
        '        containers:',
        '        - name: ray-worker',
        '          image: rayproject/ray:2.52.0',
        '---',
        'apiVersion: ray.io/v1',
        'kind: RayCluster',
        'metadata:',
        '  name: own',
        '  annotations: {ray.io/overwrite-container-cmd: "true"}',
        'spec:',
        '  headGroupSpec:',
        '    template:',
        '      spec:',
        '        containers:',
        '        - name: ray-head',
        '          image: rayproject/ray:2.52.0',
        '          command: ["/bin/bash", "-c", "ray start --head --block"]',
        '',
      ].join('\n'),
    });
    const ls = launches(path.join(dir, 'ray.yaml'));
    const by = new Map(ls.map((l) => [`${l.resource} ${l.container}`, l]));
    assert.equal(by.get('RayCluster/rc ray-head')?.unresolved?.code, 'operator');
    assert.match(by.get('RayCluster/rc ray-head')?.unresolved?.message ?? '', /KubeRay replaces/);
    assert.equal(by.get('RayCluster/rc ray-worker')?.unresolved?.code, 'operator');
    // redis:7.4.0 is Debian: dash -c forks redis-server and drops SIGTERM as PID 1
    assert.equal(by.get('RayCluster/rc redis')?.prediction?.outcome, 'killed');
    assert.equal(by.get('RayCluster/own ray-head')?.unresolved, undefined);
    assert.ok(by.get('RayCluster/own ray-head')?.prediction);
  });

  it('the search is bounded: a pod spec nested deeper than the limit is not read, and nothing throws', () => {
    let yaml = 'apiVersion: acme.io/v1\nkind: Deep\nmetadata: {name: d}\nspec:\n';
    let indent = '  ';
    for (let i = 0; i < 40; i++) {
      yaml += `${indent}l${i}:\n`;
      indent += '  ';
    }
    yaml += `${indent}containers:\n${indent}- name: c\n${indent}  image: debian:bookworm\n`;
    const dir = repo({ 'deep.yaml': yaml });
    assert.deepEqual(launches(path.join(dir, 'deep.yaml')), []);
  });
});

const POD = (volumes: string[], command: string, extra: string[] = []): string =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: p}',
    'spec:',
    '  containers:',
    '  - name: c',
    '    image: debian:bookworm',
    `    command: ${command}`,
    '    volumeMounts:',
    '    - {name: scripts, mountPath: /scripts}',
    ...extra,
    '  volumes:',
    '  - name: scripts',
    ...volumes.map((v) => `    ${v}`),
    '',
  ].join('\n');

const CM = (name: string, key: string, body: string[]): string =>
  ['apiVersion: v1', 'kind: ConfigMap', `metadata: {name: ${name}}`, 'data:', `  ${key}: |`, ...body.map((l) => `    ${l}`), ''].join('\n');

describe('scripts from ConfigMap volumes', () => {
  it('a ConfigMap in the same stream: the script is analysed, and the finding is on its line in the block scalar', () => {
    const text = `${CM('run', 'run.sh', ['#!/bin/bash', 'set -e', 'prepare', 'svc --port 80'])}---\n${POD(['configMap: {name: run}'], '["bash", "/scripts/run.sh"]')}`;
    const dir = repo({ 'pod.yaml': text });
    const file = path.join(dir, 'pod.yaml');
    const [l] = launches(file);
    assert.equal(l?.prediction?.outcome, 'killed');
    assert.equal(l?.prediction?.pid1.name, 'bash');
    const linter = new Linter({});
    const doc = makeDocument(file, text, 'kubernetes', file);
    linter.store.add(doc);
    linter.lint(doc);
    const f = linter
      .result()
      .files.flatMap((x) => x.findings)
      .find((x) => x.ruleId === 'script-no-exec');
    assert.ok(f);
    assert.equal(f.range.start.line, 9);
    assert.equal(f.range.start.column, 5);
    assert.equal(text.split('\n')[8]?.slice(4), 'svc --port 80');
    // the container that runs the script is named where the finding points back at it
    assert.match(f.related?.[0]?.message ?? '', /^container \S+ of Pod\/\S+: the launch that runs this script$/, JSON.stringify(f.related));
    // --fix edits the YAML: `exec ` where the command starts, the block scalar's indentation kept
    const plans = planFixes([f], (x) => (x === doc.file ? text : undefined));
    assert.equal(plans[0]?.after.split('\n')[8], '    exec svc --port 80');
  });

  it('items map a key to a path; subPath mounts one file; a projected volume combines ConfigMaps', () => {
    const script = ['#!/bin/sh', 'exec svc'];
    for (const [vol, mount, cmd] of [
      [['configMap:', '  name: run', '  items: [{key: start, path: bin/start.sh}]'], '/scripts', '["sh", "/scripts/bin/start.sh"]'],
      [['configMap: {name: run}'], '/opt/start.sh', '["sh", "/opt/start.sh"]'],
      [['projected:', '  sources:', '  - configMap: {name: other}', '  - configMap: {name: run, items: [{key: start, path: go.sh}]}'], '/scripts', '["sh", "/scripts/go.sh"]'],
    ] as const) {
      const pod = POD([...vol], cmd).replace('mountPath: /scripts}', mount === '/opt/start.sh' ? 'mountPath: /opt/start.sh, subPath: start}' : `mountPath: ${mount}}`);
      const dir = repo({ 'pod.yaml': `${CM('run', 'start', script)}---\n${pod}` });
      const [l] = launches(path.join(dir, 'pod.yaml'));
      assert.equal(l?.prediction?.outcome, 'graceful', cmd);
      assert.equal(l?.prediction?.service.name, 'svc', cmd);
      assert.equal(l?.scripts.size, 1, cmd);
    }
  });

  it('a ConfigMap from another manifest file of the folder; two different ones of that name are not picked', () => {
    const pod = POD(['configMap: {name: run}'], '["bash", "/scripts/run.sh"]');
    const dir = repo({ 'pod.yaml': pod, 'configmap.yaml': CM('run', 'run.sh', ['svc']) });
    const [l] = launches(path.join(dir, 'pod.yaml'));
    assert.equal(l?.prediction?.pid1.name, 'bash');
    const [ref] = [...(l?.scripts.values() ?? [])];
    assert.equal(path.basename(ref?.doc.file ?? ''), 'configmap.yaml');
    const two = repo({ 'pod.yaml': pod, 'a.yaml': CM('run', 'run.sh', ['svc']), 'b.yaml': CM('run', 'run.sh', ['exec svc']) });
    const [u] = launches(path.join(two, 'pod.yaml'));
    assert.equal(u?.chain?.opaque?.code, 'script-unseen');
    // identical copies are one ConfigMap
    const same = repo({ 'pod.yaml': pod, 'a.yaml': CM('run', 'run.sh', ['exec svc']), 'b.yaml': CM('run', 'run.sh', ['exec svc']) });
    assert.equal(launches(path.join(same, 'pod.yaml'))[0]?.prediction?.outcome, 'graceful');
  });

  it('a kustomize configMapGenerator: the file it names is the script', () => {
    const dir = repo({
      'kustomization.yaml': 'resources: [pod.yaml]\nconfigMapGenerator:\n- name: run\n  files: [run.sh=scripts/start.sh]\n',
      'scripts/start.sh': '#!/bin/sh\nprepare\nexec svc --port 80\n',
      'pod.yaml': POD(['configMap: {name: run}'], '["sh", "/scripts/run.sh"]'),
    });
    const [l] = launches(path.join(dir, 'pod.yaml'));
    assert.equal(l?.prediction?.outcome, 'graceful');
    assert.equal(path.basename([...(l?.scripts.values() ?? [])][0]?.doc.file ?? ''), 'start.sh');
  });

  it("a path under the mount that no key provides is unseen (the volume hides the image's files there)", () => {
    const dir = repo({ 'pod.yaml': `${CM('run', 'other.sh', ['svc'])}---\n${POD(['configMap: {name: run}'], '["bash", "/scripts/run.sh"]')}` });
    const [l] = launches(path.join(dir, 'pod.yaml'));
    assert.equal(l?.chain?.opaque?.code, 'script-unseen');
  });

  it('a script run by path needs an execute bit: defaultMode 0644 cannot start', () => {
    const text = `${CM('run', 'run.sh', ['#!/bin/sh', 'exec svc'])}---\n${POD(['configMap: {name: run}'], '["/scripts/run.sh"]')}`;
    const dir = repo({ 'pod.yaml': text });
    const r = source(path.join(dir, 'pod.yaml'));
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]?.message ?? '', /mode 0644: it is not executable, so the container cannot start/);
    const ok = repo({ 'pod.yaml': text.replace('configMap: {name: run}', 'configMap: {name: run, defaultMode: 0755}') });
    assert.deepEqual(source(path.join(ok, 'pod.yaml')).errors, []);
  });
});

describe('scripts from ConfigMap volumes, replayed', () => {
  it("the kubelet's volume as a bind mount: the stop lint predicts is the stop Docker gives", async (t) => {
    if (!requireDocker(t)) return;
    const img = testImage({ shell: 'dash' });
    const scripts: Record<string, string[]> = {
      keeps: ['#!/bin/sh', 'app --drain-ms 300'],
      execs: ['#!/bin/sh', 'exec app --drain-ms 300'],
    };
    const names: string[] = [];
    try {
      for (const [name, body] of Object.entries(scripts)) {
        const text = `${CM('run', 'run.sh', body)}---\n${POD(['configMap: {name: run, defaultMode: 0755}'], '["/scripts/run.sh"]').replace('debian:bookworm', img)}`;
        const dir = repo({ 'pod.yaml': text });
        const [l] = launches(path.join(dir, 'pod.yaml'), { [img]: 'dash' });
        // the kubelet writes each key as a file of the volume, with the volume's mode (atomic_writer.go)
        const vol = path.join(dir, 'volume');
        fs.mkdirSync(vol);
        fs.writeFileSync(path.join(vol, 'run.sh'), `${body.join('\n')}\n`, { mode: 0o755 });
        const c = await startContainer({ image: img, entrypoint: ['/scripts/run.sh'], extra: ['-v', `${vol}:/scripts:ro`] });
        names.push(c);
        await waitFor(`${c} ready`, () => (/ready/.test(runSync('docker', ['logs', c])) ? true : undefined), 10_000);
        const r = await dockerStop(c, 2);
        if (l?.prediction?.outcome === 'graceful') {
          assert.equal(name, 'execs');
          assert.match(r.logs, /graceful exit/);
          assert.equal(r.exitCode, 0);
        } else {
          assert.equal(name, 'keeps');
          assert.equal(l?.prediction?.outcome, 'killed');
          assert.equal(r.exitCode, 137);
        }
      }
    } finally {
      for (const c of names) removeContainer(c);
    }
  });

  it('a ConfigMap file without an execute bit cannot be run by path (execve: EACCES)', async (t) => {
    if (!requireDocker(t)) return;
    const img = testImage({ shell: 'dash' });
    const dir = repo({});
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\nexec app\n', { mode: 0o644 });
    await assert.rejects(startContainer({ image: img, entrypoint: ['/scripts/run.sh'], extra: ['-v', `${dir}:/scripts:ro`] }), /permission denied/);
  });
});

describe('the image linker: builds the repository declares', () => {
  it('skaffold artifacts, cloudbuild docker builds and compose image+build name the Dockerfile', () => {
    const dir = repo({
      'src/frontend/skaffold.yaml': 'apiVersion: skaffold/v4beta1\nkind: Config\nbuild:\n  artifacts:\n  - image: frontend\n    context: .\n',
      'src/frontend/Dockerfile': 'FROM python:3.12-slim\nCMD ["python", "app.py"]\n',
      'guestbook/follower/cloudbuild.yaml': "steps:\n- name: 'gcr.io/cloud-builders/docker'\n  args: ['build', '-t', 'us-docker.pkg.dev/samples/gke/gb-follower:v2', '.']\n  dir: guestbook/follower\n",
      'guestbook/follower/Dockerfile': 'FROM redis:7\nCMD /run.sh\n',
      'ops/cloudbuild.yaml': "steps:\n- name: gcr.io/cloud-builders/docker\n  args: [build, -t, '${_REGISTRY}/worker:${_TAG}', -f, Dockerfile.worker, ../svc]\n",
      'svc/Dockerfile.worker': 'FROM debian:bookworm\nCMD ["worker"]\n',
      'compose.yaml': 'services:\n  api:\n    image: acme/api-server\n    build: {context: ./backend, dockerfile: api.Dockerfile}\n',
      'backend/api.Dockerfile': 'FROM debian:bookworm\nCMD ["api"]\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.match(linker.link('frontend').link?.dockerfile ?? '', /src\/frontend\/Dockerfile$/);
    assert.match(linker.link('us-docker.pkg.dev/samples/gke/gb-follower:v2').link?.dockerfile ?? '', /guestbook\/follower\/Dockerfile$/);
    assert.match(linker.link('us-docker.pkg.dev/samples/gke/gb-follower:v2').link?.how ?? '', /cloudbuild\.yaml builds/);
    assert.match(linker.link('europe-docker.pkg.dev/p/repo/worker:1').link?.dockerfile ?? '', /svc\/Dockerfile\.worker$/);
    assert.match(linker.link('worker').link?.dockerfile ?? '', /svc\/Dockerfile\.worker$/);
    assert.match(linker.link('acme/api-server:2').link?.dockerfile ?? '', /backend\/api\.Dockerfile$/);
  });

  it("by name: a variant directory and a tag directory; never an image pid1's table knows (pulled, not built here)", () => {
    const dir = repo({
      'phpvirtualbox/arm/Dockerfile': 'FROM alpine:3\nCMD ["php-fpm"]\n',
      'scrapyd/Dockerfile': 'FROM debian:bookworm\nCMD ["scrapyd"]\n',
      'scrapyd/py3/Dockerfile': 'FROM debian:bookworm\nCMD ["scrapyd", "--py3"]\n',
      'grafana/Dockerfile': 'FROM debian:bookworm\nCMD ["grafana-server"]\n',
      'redis/Dockerfile': 'FROM debian:bookworm\nCMD ["redis-server"]\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.match(linker.link('easypi/phpvirtualbox-arm').link?.dockerfile ?? '', /phpvirtualbox\/arm\/Dockerfile$/);
    assert.match(linker.link('vimagick/scrapyd:py3').link?.dockerfile ?? '', /scrapyd\/py3\/Dockerfile$/);
    assert.match(linker.link('vimagick/scrapyd').link?.dockerfile ?? '', /scrapyd\/Dockerfile$/);
    assert.deepEqual(linker.link('grafana/grafana'), {});
    assert.deepEqual(linker.link('redis:7'), {});
  });

  it("by name: a version directory is a build of its parent's image, picked by the tag", () => {
    const dir = repo({
      'nginx-php/7.1/Dockerfile': 'FROM alpine:3.6\nCMD ["run.sh"]\n',
      'cuda-theano/cuda_v7.5/Dockerfile': 'FROM nvidia/cuda:7.5-devel-ubuntu14.04\n',
      'cuda-theano/cuda_v8.0/Dockerfile': 'FROM nvidia/cuda:8.0-devel-ubuntu14.04\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.match(linker.link('wonderfall/nginx-php').link?.dockerfile ?? '', /nginx-php\/7\.1\/Dockerfile$/);
    assert.match(linker.link('kaixhin/cuda-theano:7.5').link?.dockerfile ?? '', /cuda-theano\/cuda_v7\.5\/Dockerfile$/);
    assert.match(linker.link('kaixhin/cuda-theano:8.0').link?.dockerfile ?? '', /cuda-theano\/cuda_v8\.0\/Dockerfile$/);
    // two versions and a tag that names neither: not picked
    assert.ok(linker.link('kaixhin/cuda-theano').ambiguous);
  });

  it('by name: a release directory holding each image is picked by the tag (containers/0.1.0/kopf for kopf:v0.1.0)', () => {
    const dir = repo({
      'elasticsearch/containers/0.1.0/kopf/Dockerfile': 'FROM nginx:1.9.4\nCMD ["nginx"]\n',
      'elasticsearch/containers/0.4.0/kopf/Dockerfile': 'FROM nginx:1.9.4\nCMD ["nginx", "-g", "daemon off;"]\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.match(linker.link('rancher/kopf:v0.1.0').link?.dockerfile ?? '', /containers\/0\.1\.0\/kopf\/Dockerfile$/);
    assert.match(linker.link('rancher/kopf:v0.4.0').link?.dockerfile ?? '', /containers\/0\.4\.0\/kopf\/Dockerfile$/);
    // a release no directory holds: not picked
    assert.ok(linker.link('rancher/kopf:v0.2.0').ambiguous);
  });

  it("by name: a directory kept for the container files (app/docker/, app/deploy/) is its application's; the repository's own docker/ is not", () => {
    const dir = repo({
      'app-auth-proxy/docker/Dockerfile': 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n',
      'saas-provisioning/deploy/Dockerfile': 'FROM scratch\nENTRYPOINT ["/saas"]\n',
      'docker/Dockerfile': 'FROM debian:bookworm\nCMD ["top"]\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.match(linker.link('jcawley5/app-auth-proxy:latest').link?.dockerfile ?? '', /app-auth-proxy\/docker\/Dockerfile$/);
    assert.match(linker.link('jcawley5/saas-provisioning').link?.dockerfile ?? '', /saas-provisioning\/deploy\/Dockerfile$/);
    // the checkout's own name is not an image name the repository's docker/Dockerfile answers to
    assert.deepEqual(linker.link(`acme/${path.basename(dir).toLowerCase()}`), {});
  });

  it('by name: the Dockerfile at the top of a checkout named docker-NAME or NAME-docker builds NAME', () => {
    for (const [checkout, image] of [
      ['docker-rtorrent-rutorrent', 'crazymax/rtorrent-rutorrent:latest'],
      ['netbox-docker', 'netboxcommunity/netbox:v4.1'],
      ['metabase_docker', 'acme/metabase'],
    ] as const) {
      const dir = path.join(repo({}), checkout);
      fs.mkdirSync(path.join(dir, 'examples'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM alpine:3.20\nCMD ["svc"]\n');
      const linker = new ImageLinker({}, undefined, dir, dir);
      assert.equal(linker.link(image, undefined, undefined, path.join(dir, 'examples')).link?.dockerfile, path.join(dir, 'Dockerfile'), checkout);
    }
    // only the checkout's top: a sub-directory docker-web/ is named docker-web, not web
    const dir = repo({ 'docker-web/Dockerfile': 'FROM alpine:3.20\nCMD ["web"]\n' });
    assert.deepEqual(new ImageLinker({}, undefined, dir, dir).link('acme/web'), {});
  });

  it('by name: of one app in several copies of a project, the copy the naming file is in', () => {
    const dir = repo({
      'migration/aws/src/ledger/balancereader/Dockerfile': 'FROM eclipse-temurin:17\nCMD ["java", "-jar", "/app.jar"]\n',
      'migration/gcp/src/ledger/balancereader/Dockerfile': 'FROM eclipse-temurin:21\nCMD ["java", "-jar", "/app.jar"]\n',
      'migration/gcp/kubernetes/balance-reader.yaml': '',
      'other/manifest.yaml': '',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    const from = (rel: string): string => path.join(dir, rel);
    assert.match(linker.link('gcr.io/bank/balancereader:v1', undefined, undefined, from('migration/gcp/kubernetes')).link?.dockerfile ?? '', /gcp\/src\/ledger\/balancereader\/Dockerfile$/);
    assert.match(
      linker.link('gcr.io/bank/balancereader:v1', undefined, undefined, from('migration/aws/src/ledger/balancereader/k8s')).link?.dockerfile ?? '',
      /aws\/src\/ledger\/balancereader\/Dockerfile$/,
    );
    // a file as near to both: not picked
    assert.ok(linker.link('gcr.io/bank/balancereader:v1', undefined, undefined, from('other')).ambiguous);
    // one past build, pinned by digest: not picked by nearness
    const pinned = `gcr.io/bank/balancereader:v1@sha256:${'7'.repeat(64)}`;
    assert.ok(linker.link(pinned, undefined, undefined, from('migration/gcp/kubernetes')).ambiguous);
  });

  it("beside: a placeholder or a name ending in the folder's, next to the folder's only Dockerfile", () => {
    const dir = repo({
      'deploy/Dockerfile': 'FROM busybox\nCMD /bin/sh /deploy.sh\n',
      'mpi/Dockerfile': 'FROM ubuntu:22.04\nCMD ["sshd", "-D"]\n',
      'two/Dockerfile': 'FROM debian:bookworm\nCMD ["a"]\n',
      'two/Dockerfile.dev': 'FROM debian:bookworm\nCMD ["b"]\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    const at = (sub: string): string => path.join(dir, sub);
    assert.match(linker.link('<image_url>', undefined, at('deploy')).link?.how ?? '', /placeholder "<image_url>" sits beside deploy\/Dockerfile/);
    assert.match(linker.link('volcanosh/example-mpi:0.0.3', undefined, at('mpi')).link?.dockerfile ?? '', /mpi\/Dockerfile$/);
    // not: a name with the folder's word elsewhere (kafka-manager-arm in arm/ builds kafka), the same name in another
    // folder, a compose folder (its names were matched under it already), or a folder with two Dockerfiles
    assert.deepEqual(linker.link('acme/mpi-operator', undefined, at('mpi')), {});
    assert.deepEqual(linker.link('volcanosh/example-mpi', undefined, at('deploy')), {});
    assert.deepEqual(linker.link('volcanosh/example-mpi', at('mpi'), at('mpi')), {});
    assert.deepEqual(linker.link('<image>', undefined, at('two')), {});
    // without the folder, nothing changes
    assert.deepEqual(linker.link('<image_url>'), {});
  });

  it('by name: not a directory whose Makefile tags another image (kubernetes/examples: redis-slave/ builds gb-redisslave)', () => {
    const dir = repo({
      'guestbook/redis-slave/Dockerfile': 'FROM redis\nCMD /run.sh\n',
      'guestbook/redis-slave/Makefile': 'TAG = v3\nREGISTRY = gcr.io/google-samples\nIMAGE = $(REGISTRY)/gb-redisslave\n\ncontainer:\n\tdocker build -t $(IMAGE):$(TAG) .\n',
      'api/Dockerfile': 'FROM debian:bookworm\nCMD ["api"]\n',
      'api/Makefile': 'IMAGE ?= ghcr.io/acme/api\n',
      'web/Dockerfile': 'FROM debian:bookworm\nCMD ["web"]\n',
      'web/Makefile': 'IMG = $(REGISTRY)/$(NAME)\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.deepEqual(linker.link('registry.k8s.io/redis-slave:v2'), {});
    assert.match(linker.link('ghcr.io/acme/api:1').link?.dockerfile ?? '', /api\/Dockerfile$/);
    // a name built from variables says nothing: the directory still decides
    assert.match(linker.link('acme/web').link?.dockerfile ?? '', /web\/Dockerfile$/);
  });

  it('without a .git, the repository is the working directory the file is under', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-nogit-'));
    tmpDirs.push(dir);
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    assert.equal(repoRoot(path.join(dir, 'a', 'b'), dir), dir);
    assert.equal(repoRoot(path.join(dir, 'a', 'b'), path.join(dir, 'elsewhere')), path.join(dir, 'a', 'b'));
  });
});

interface DeclaredCase {
  name: string;
  files: Record<string, string>;
  image: string;
  /** The Dockerfile linked (a path suffix), or undefined for no link. */
  dockerfile?: string;
  target?: string;
  /** What the link (or the ambiguity) says. */
  how?: RegExp;
  /** Several builds declared for the image: the Dockerfiles named. */
  ambiguous?: string[];
}

const DEBIAN = 'FROM debian:bookworm\nCMD ["app"]\n';
const STAGED = 'FROM debian:bookworm AS build\nRUN true\nFROM debian:bookworm AS runtime\nCMD ["app"]\n';

const declaredCases: DeclaredCase[] = [
  {
    name: "a README's shell code block builds the image (a tutorial declares it nowhere else), run from the README's directory",
    files: {
      'exercises/07/README.md': '# Init containers\n\nBuild the image:\n\n```bash\n$ docker build -t bmuschko/nodejs-hello-world:1.0.0 app\n```\n',
      'exercises/07/app/Dockerfile': DEBIAN,
    },
    image: 'bmuschko/nodejs-hello-world:1.0.0',
    dockerfile: 'exercises/07/app/Dockerfile',
    how: /^exercises\/07\/README\.md:6 builds bmuschko\/nodejs-hello-world from exercises\/07\/app\/Dockerfile$/,
  },
  {
    name: "an AsciiDoc tutorial's listing blocks are one session: a `cd` in one block is where a later block's build runs",
    files: {
      '2_building.adoc':
        '== Get it\n\n----\n$ git clone https://github.com/acme/steps\n$ cd steps\n----\n\n== Code\n\n----\n$ cd hello/boot\n$ mvn package\n----\n\nThen:\n\n----\n$ docker build -t steps/myboot:v1 .\n----\n',
      'hello/boot/Dockerfile': DEBIAN,
    },
    image: 'steps/myboot:v1',
    dockerfile: 'hello/boot/Dockerfile',
    how: /^2_building\.adoc:18 builds steps\/myboot from hello\/boot\/Dockerfile$/,
  },
  {
    name: 'an AsciiDoc block in another language declares nothing',
    files: { 'guide.adoc': '[source,yaml]\n----\nrun: docker build -t acme/web .\n----\n', Dockerfile: DEBIAN },
    image: 'acme/web:1',
  },
  {
    name: 'a build in a README code block of another language, or in prose, declares nothing',
    files: {
      'README.md': 'Run `docker build -t acme/web .` yourself.\n\n```yaml\nrun: docker build -t acme/web .\n```\n',
      Dockerfile: DEBIAN,
    },
    image: 'acme/web:1',
  },
  {
    name: "an image named a makefile's prefix + an app directory (dapr: DOCKER_IMAGE_PREFIX ?=hello-k8s-, APPS node python)",
    files: {
      'tutorials/hello/makefile': 'DOCKER_IMAGE_PREFIX ?=hello-k8s-\nAPPS ?=node python\ninclude ../docker.mk\n',
      'tutorials/docker.mk': 'build-%:\n\tdocker build -f $*/Dockerfile $*/. -t $(SAMPLE_REGISTRY)/$(DOCKER_IMAGE_PREFIX)$*:latest\n',
      'tutorials/hello/node/Dockerfile': DEBIAN,
      'tutorials/hello/python/Dockerfile': DEBIAN,
    },
    image: 'ghcr.io/dapr/samples/hello-k8s-node:latest',
    dockerfile: 'tutorials/hello/node/Dockerfile',
    how: /^the image name "hello-k8s-node" is tutorials\/hello\/makefile's prefix "hello-k8s-" and the directory of tutorials\/hello\/node\/Dockerfile$/,
  },
  {
    name: "an image named a prefix + a directory, as three images of the repository's manifests are (MuShop: mushop-api, mushop-carts, mushop-user for src/*)",
    files: {
      'src/api/Dockerfile': DEBIAN,
      'src/carts/Dockerfile': DEBIAN,
      'src/user/Dockerfile': DEBIAN,
      'deploy/k8s.yaml':
        'containers:\n- name: api\n  image: iad.ocir.io/oracle/ateam/mushop-api:2.2.1\n- name: carts\n  image: iad.ocir.io/oracle/ateam/mushop-carts:1.5.0\n- name: user\n  image: iad.ocir.io/oracle/ateam/mushop-user:1.1.0\n',
    },
    image: 'iad.ocir.io/oracle/ateam/mushop-carts:1.5.0',
    dockerfile: 'src/carts/Dockerfile',
    how: /^the image name "mushop-carts" is the prefix "mushop-" of 3 images the repository names after directories beside it and the directory of src\/carts\/Dockerfile$/,
  },
  {
    name: 'two images named a prefix + a directory are no naming rule yet',
    files: {
      'src/api/Dockerfile': DEBIAN,
      'src/carts/Dockerfile': DEBIAN,
      'deploy/k8s.yaml': 'containers:\n- image: acme/shop-api:1\n- image: acme/shop-carts:1\n',
    },
    image: 'acme/shop-carts:1',
  },
  {
    name: 'a prefix no makefile writes links nothing (acme-node is not node/Dockerfile)',
    files: { 'node/Dockerfile': DEBIAN, Makefile: 'IMAGE ?= acme/api\n' },
    image: 'ghcr.io/acme/acme-node:1',
  },
  {
    name: 'a Makefile image variable names the Dockerfile beside it (HariSekhon: REPO := harisekhon/zookeeper)',
    files: { 'zookeeper/Makefile': 'REPO := harisekhon/zookeeper\nTAG ?= 3.4\n\ninclude ../Makefile\n', 'zookeeper/Dockerfile': DEBIAN },
    image: 'harisekhon/zookeeper:3.4',
    dockerfile: 'zookeeper/Dockerfile',
    how: /^zookeeper\/Makefile:1 names REPO = harisekhon\/zookeeper, built from zookeeper\/Dockerfile beside it$/,
  },
  {
    name: 'IMAGE ?=, IMG =, DOCKER_IMAGE = and IMAGE_NAME := with make variables expanded',
    files: { 'svc/Makefile': 'REGISTRY = ghcr.io/acme\nDOCKER_IMAGE = $(REGISTRY)/billing  # the image\n', 'svc/Dockerfile': DEBIAN },
    image: 'ghcr.io/acme/billing:v2',
    dockerfile: 'svc/Dockerfile',
  },
  {
    name: 'a Makefile image variable with no Dockerfile beside it declares nothing',
    files: { 'svc/Makefile': 'IMAGE ?= ghcr.io/acme/billing\n', 'other/Dockerfile': DEBIAN },
    image: 'ghcr.io/acme/billing',
  },
  {
    name: 'a Makefile recipe: docker build -t $(IMAGE):$(TAG) -f FILE --target STAGE CONTEXT, run in its directory',
    files: {
      'deploy/Makefile': 'IMAGE = gcr.io/acme/api\nTAG = v1\n\nbuild:\n\t@docker build \\\n\t  -t $(IMAGE):$(TAG) \\\n\t  -f ../src/Dockerfile.api --target runtime ../src\n',
      'src/Dockerfile.api': STAGED,
    },
    image: 'gcr.io/acme/api:v1',
    dockerfile: 'src/Dockerfile.api',
    target: 'runtime',
    how: /^deploy\/Makefile:5 builds gcr\.io\/acme\/api from src\/Dockerfile\.api$/,
  },
  {
    name: "an included makefile (jaeger: include scripts/makefiles/Docker.mk): its recipes run in the including Makefile's directory",
    files: {
      Makefile: 'DOCKER_TAG ?= latest\ninclude scripts/makefiles/Tools.mk\ninclude scripts/makefiles/Docker.mk\n',
      'scripts/makefiles/Docker.mk':
        'DOCKER_NAMESPACE ?= jaegertracing\n\ndocker-hotrod:\n\tdocker build -t $(DOCKER_NAMESPACE)/example-hotrod:${DOCKER_TAG} ./examples/hotrod --build-arg TARGETARCH=$(GOARCH)\n',
      'examples/hotrod/Dockerfile': DEBIAN,
    },
    image: 'jaegertracing/example-hotrod',
    dockerfile: 'examples/hotrod/Dockerfile',
    how: /^scripts\/makefiles\/Docker\.mk:4 builds jaegertracing\/example-hotrod from examples\/hotrod\/Dockerfile$/,
  },
  {
    name: 'a makefile no Makefile includes runs from its own directory (`make -f`): a context relative to another is not there',
    files: {
      'scripts/makefiles/Docker.mk': 'docker-hotrod:\n\tdocker build -t jaegertracing/example-hotrod ./examples/hotrod\n',
      'examples/hotrod/Dockerfile': DEBIAN,
    },
    image: 'jaegertracing/example-hotrod',
  },
  {
    name: 'a recipe builds the image variable from another Dockerfile: the recipe says which (no second declaration)',
    files: { 'web/Makefile': 'IMG ?= acme/web\nimage:\n\tdocker buildx build --push -t ${IMG} -f Dockerfile.prod .\n', 'web/Dockerfile': DEBIAN, 'web/Dockerfile.prod': DEBIAN },
    image: 'acme/web',
    dockerfile: 'web/Dockerfile.prod',
  },
  {
    name: 'a make variable the Makefile does not settle stands for any registry, never for the last name part',
    files: {
      'ops/Makefile': 'worker:\n\tpodman build -t $(REGISTRY)/worker:$(shell git describe) ../worker\nall:\n\tdocker build -t $(REGISTRY)/$(NAME) ../app\n',
      'worker/Dockerfile': DEBIAN,
      'app/Dockerfile': DEBIAN,
    },
    image: 'europe-docker.pkg.dev/p/r/worker:1.2',
    dockerfile: 'worker/Dockerfile',
  },
  {
    name: 'a Makefile whose image variable names another image beside a Dockerfile: neither the declaration nor the folder name links',
    files: { 'redis-slave/Makefile': 'REGISTRY = gcr.io/google-samples\nIMAGE = $(REGISTRY)/gb-redisslave\n', 'redis-slave/Dockerfile': DEBIAN },
    image: 'registry.k8s.io/redis-slave:v2',
  },
  {
    name: "the same Makefile's own image links by its declaration",
    files: { 'redis-slave/Makefile': 'REGISTRY = gcr.io/google-samples\nIMAGE = $(REGISTRY)/gb-redisslave\n', 'redis-slave/Dockerfile': DEBIAN },
    image: 'gcr.io/google-samples/gb-redisslave:v3',
    dockerfile: 'redis-slave/Dockerfile',
  },
  {
    name: 'a build script: docker build -t ${REPO}/rs-load:${TAG} . from its own directory (instana robot-shop load-gen/build.sh)',
    files: { 'load-gen/build.sh': '#!/bin/sh\nif [ -z "$REPO" ]; then echo "set REPO"; exit 1; fi\ndocker build -t ${REPO}/rs-load:${TAG} .\n', 'load-gen/Dockerfile': DEBIAN },
    image: 'robotshop/rs-load:2.1.0',
    dockerfile: 'load-gen/Dockerfile',
    how: /^load-gen\/build\.sh:3 builds \$\{REPO\}\/rs-load from load-gen\/Dockerfile$/,
  },
  {
    name: 'a build script that cds first: `cd "$(dirname "$0")/.."`, then a literal cd, and the variables it assigns',
    files: {
      'scripts/build-images.sh':
        '#!/bin/bash\nset -e\nREGISTRY=quay.io/acme\ncd "$(dirname "$0")/.."\n(cd tools && docker build -t "$REGISTRY/tools" .)\ncd services/cart\nsudo docker build --tag="$REGISTRY/cart:latest" --file=docker/Dockerfile --target=runtime .\n',
      'services/cart/docker/Dockerfile': STAGED,
      'tools/Dockerfile': DEBIAN,
    },
    image: 'quay.io/acme/cart:1',
    dockerfile: 'services/cart/docker/Dockerfile',
    target: 'runtime',
  },
  {
    name: 'a build script that keeps its root in a variable (Katib scripts/v1beta1/build.sh: ROOT=$(dirname "$0")/../..; cd "${ROOT}")',
    files: {
      'scripts/v1/build.sh':
        '#!/bin/bash\nREGISTRY=$1\nVERSION="v1"\nSCRIPT_ROOT=$(dirname "$0")/../..\ncd "${SCRIPT_ROOT}"\ndocker buildx build --platform "${ARCH}" -t "${REGISTRY}/mnist-cpu:${TAG}" -f examples/${VERSION}/trial-images/mnist/Dockerfile.cpu .\n',
      'examples/v1/trial-images/mnist/Dockerfile.cpu': DEBIAN,
    },
    image: 'ghcr.io/acme/katib/mnist-cpu:latest',
    dockerfile: 'examples/v1/trial-images/mnist/Dockerfile.cpu',
    how: /^scripts\/v1\/build\.sh:6 builds \$\{REGISTRY\}\/mnist-cpu from examples\/v1\/trial-images\/mnist\/Dockerfile\.cpu$/,
  },
  {
    name: 'a build script that cds to its own directory with spaces inside the substitutions (PLOS: `cd $( cd "$( dirname "${BASH_SOURCE[0]}" )" && pwd )`)',
    files: {
      'projects/tomcat8/build-image.sh': '#!/usr/bin/env bash\n\ncd $( cd "$( dirname "${BASH_SOURCE[0]}" )" && pwd )\n\nset -e\n\ndocker build . -t plos/tomcat:8\n',
      'projects/tomcat8/Dockerfile': DEBIAN,
    },
    image: 'plos/tomcat:8',
    dockerfile: 'projects/tomcat8/Dockerfile',
  },
  {
    name: "a subshell's cd ends with it",
    files: {
      'scripts/build-images.sh': '#!/bin/bash\nREGISTRY=quay.io/acme\ncd "$(dirname "$0")/.."\n(cd tools && docker build -t "$REGISTRY/tools" .)\n',
      'tools/Dockerfile': DEBIAN,
    },
    image: 'quay.io/acme/tools',
    dockerfile: 'tools/Dockerfile',
  },
  {
    name: 'a script that cds where the text does not say declares nothing after it',
    files: { 'build.sh': '#!/bin/sh\ncd "$SRC"\ndocker build -t acme/api .\n', Dockerfile: DEBIAN },
    image: 'acme/api',
  },
  {
    name: 'two declarations of one image from two Dockerfiles: not linked, and the message names both',
    files: {
      'a/build.sh': 'docker build -t acme/api .\n',
      'a/Dockerfile': DEBIAN,
      'b/Makefile': 'build:\n\tdocker build -t acme/api .\n',
      'b/Dockerfile': DEBIAN,
    },
    image: 'acme/api:1',
    ambiguous: ['a/Dockerfile', 'b/Dockerfile'],
    how: /^a\/build\.sh:1 builds acme\/api from a\/Dockerfile$|^b\/Makefile:2 builds acme\/api from b\/Dockerfile$/,
  },
  {
    name: 'one image, a Dockerfile per tag: the tag the manifest names decides (a tag no build writes stays ambiguous)',
    files: {
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  job:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: |\n          cd t5/client-app\n          docker build --tag t5-model-serving:client-app .\n          cd ../model\n          docker build --tag t5-model-serving:serving .\n',
      't5/client-app/Dockerfile': DEBIAN,
      't5/model/Dockerfile': DEBIAN,
    },
    image: 't5-model-serving:serving',
    dockerfile: 't5/model/Dockerfile',
    how: /^\.github\/workflows\/ci\.yml:10 builds t5-model-serving from t5\/model\/Dockerfile$/,
  },
  {
    name: 'a bare name a script tags links only the same bare name, not the last part of a longer one',
    files: { 'jax/build.sh': 'docker build -t gcr.io/${PROJECT}/jax/hello .\n', 'jax/Dockerfile': DEBIAN },
    image: 'hello',
  },
  {
    name: 'a docker-bake.hcl target: variables with defaults in the tags, the Dockerfile relative to the context, the stage',
    files: {
      'docker-bake.hcl':
        'variable "REGISTRY" {\n  default = "ghcr.io/acme"\n}\nvariable TAG { default = "dev" }\n\ngroup "default" {\n  targets = ["api"]\n}\n\ntarget "api" {\n  context    = "services/api"\n  dockerfile = "Dockerfile.prod"\n  target     = "runtime"\n  args = { GO_VERSION = "1.22" }\n  tags = ["${REGISTRY}/api:${TAG}", "${REGISTRY}/api:latest"]\n}\n',
      'services/api/Dockerfile.prod': STAGED,
    },
    image: 'ghcr.io/acme/api:1.2',
    dockerfile: 'services/api/Dockerfile.prod',
    target: 'runtime',
    how: /^docker-bake\.hcl:10 \(bake target "api"\) builds ghcr\.io\/acme\/api from services\/api\/Dockerfile\.prod$/,
  },
  {
    name: "a bake file given with -f (Mailu's tests/build.hcl): its own function and a conditional make the tags, paths are from the repository's top",
    files: {
      'tests/build.hcl':
        'variable "DOCKER_ORG" {\n  default = "mailu"\n}\nvariable "DOCKER_PREFIX" {\n  default = ""\n}\nvariable "MAILU_VERSION" {\n  default = "local"\n}\nfunction "tag" {\n  params = [image_name]\n  result = [ notequal("master",MAILU_VERSION) ? "${DOCKER_ORG}/${DOCKER_PREFIX}${image_name}:${MAILU_VERSION}": "",\n             "${DOCKER_ORG}/${DOCKER_PREFIX}${image_name}:latest"\n  ]\n}\ntarget "defaults" {\n  dockerfile = "Dockerfile"\n}\ntarget "front" {\n  inherits = ["defaults"]\n  context = "core/nginx/"\n  contexts = {\n    base = "target:base"\n  }\n  tags = tag("nginx")\n}\n',
      'core/nginx/Dockerfile': DEBIAN,
    },
    image: 'mailu/nginx:master',
    dockerfile: 'core/nginx/Dockerfile',
    how: /^tests\/build\.hcl:19 \(bake target "front"\) builds mailu\/nginx from core\/nginx\/Dockerfile$/,
  },
  {
    name: "a bake target's matrix (jenkinsci/docker): each combination tags its own image from the Dockerfile its variant names",
    files: {
      'docker-bake.hcl':
        'target "os" {\n  matrix = {\n    variant = ["alpine", "debian"]\n  }\n  name = "${variant}_jdk21"\n  dockerfile = "${variant}/Dockerfile"\n  tags = ["docker.io/jenkins/jenkins:jdk21-${variant}"]\n}\n',
      'alpine/Dockerfile': DEBIAN,
      'debian/Dockerfile': DEBIAN,
    },
    image: 'jenkins/jenkins:jdk21-debian',
    dockerfile: 'debian/Dockerfile',
  },
  {
    name: 'a docker-bake.json target: its strings are templates of its variables',
    files: {
      'docker-bake.json': '{\n  "variable": { "IMAGE": { "default": "acme/worker" } },\n  "target": {\n    "worker": {\n      "context": "worker",\n      "tags": ["${IMAGE}:edge"]\n    }\n  }\n}\n',
      'worker/Dockerfile': DEBIAN,
    },
    image: 'acme/worker:1',
    dockerfile: 'worker/Dockerfile',
    how: /^docker-bake\.json:4 \(bake target "worker"\) builds acme\/worker from worker\/Dockerfile$/,
  },
  {
    name: 'a bake variable with no default stands for any text (set at build time), but never for the last name part',
    files: {
      'docker-bake.hcl': 'variable "REGISTRY" {}\nvariable "NAME" {}\ntarget "api" {\n  context = "api"\n  tags = ["${REGISTRY}/api:1", "${REGISTRY}/${NAME}:1"]\n}\n',
      'api/Dockerfile': DEBIAN,
    },
    image: 'registry.example.com/team/api:1',
    dockerfile: 'api/Dockerfile',
  },
  {
    name: 'a bake target whose Dockerfile is written inline (dockerfile-inline) builds no file of the repository',
    files: {
      'docker-bake.hcl': 'target "tool" {\n  dockerfile-inline = "FROM alpine\\nCMD [\\"tool\\"]\\n"\n  tags = ["acme/tool:1"]\n}\n',
      Dockerfile: DEBIAN,
    },
    image: 'acme/tool:1',
  },
  {
    name: 'a workflow: docker/build-push-action with context, file, tags and target',
    files: {
      '.github/workflows/release.yml':
        'on: push\nenv:\n  IMAGE: ghcr.io/acme/worker\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: build\n        uses: docker/build-push-action@v6\n        with:\n          context: svc\n          file: svc/Dockerfile.prod\n          target: runtime\n          tags: |\n            ${{ env.IMAGE }}:latest\n            ${{ env.IMAGE }}:${{ github.sha }}\n',
      'svc/Dockerfile.prod': STAGED,
    },
    image: 'ghcr.io/acme/worker:1.0',
    dockerfile: 'svc/Dockerfile.prod',
    target: 'runtime',
    how: /^\.github\/workflows\/release\.yml:9 builds ghcr\.io\/acme\/worker from svc\/Dockerfile\.prod$/,
  },
  {
    name: "a workflow: build-push-action's tags from a docker/metadata-action step's images",
    files: {
      '.github/workflows/publish.yaml':
        'on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    env:\n      IMAGE_NAME: mpioperator/mpi-operator\n    steps:\n      - id: meta\n        uses: docker/metadata-action@v5\n        with:\n          images: |\n            ${{ env.IMAGE_NAME }}\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          tags: ${{ steps.meta.outputs.tags }}\n',
      Dockerfile: DEBIAN,
    },
    image: 'mpioperator/mpi-operator:0.6.0',
    dockerfile: 'Dockerfile',
  },
  {
    name: 'a workflow: a run step that cds and builds (from the repository root), and one with working-directory',
    files: {
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  job:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: |\n          cd quickstarts/hello-app\n          docker build --tag us-docker.pkg.dev/google-samples/containers/gke/hello-app .\n      - working-directory: apps/echo\n        run: docker build -t acme/echo -f build/Dockerfile .\n',
      'quickstarts/hello-app/Dockerfile': DEBIAN,
      'apps/echo/build/Dockerfile': DEBIAN,
    },
    image: 'us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0',
    dockerfile: 'quickstarts/hello-app/Dockerfile',
    how: /^\.github\/workflows\/ci\.yml:8 builds /,
  },
  {
    name: "a workflow run step's working-directory and -f relative to it",
    files: {
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  job:\n    runs-on: ubuntu-22.04\n    steps:\n      - working-directory: apps/echo\n        run: docker build -t acme/echo -f build/Dockerfile .\n',
      'apps/echo/build/Dockerfile': DEBIAN,
    },
    image: 'acme/echo',
    dockerfile: 'apps/echo/build/Dockerfile',
  },
  {
    name: "a workflow's build-push step whose tags an earlier run step computes (::set-output) declares the build",
    files: {
      '.github/workflows/app2.yml':
        'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Prepare\n        id: prep\n        run: |\n          DOCKER_IMAGE=jakousa/dwk-app2\n          TAGS="${DOCKER_IMAGE}:${{ github.sha }}"\n          echo ::set-output name=tags::${TAGS}\n      - uses: docker/build-push-action@v2\n        with:\n          context: app2\n          tags: ${{ steps.prep.outputs.tags }}\n',
      'app2/Dockerfile': DEBIAN,
    },
    image: 'jakousa/dwk-app2:b7fc18de',
    dockerfile: 'app2/Dockerfile',
  },
  {
    name: 'the same with $GITHUB_OUTPUT',
    files: {
      '.github/workflows/api.yml':
        'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - id: meta\n        run: |\n          IMAGE=acme/api\n          echo "tags=$IMAGE:latest" >> "$GITHUB_OUTPUT"\n      - uses: docker/build-push-action@v5\n        with:\n          context: ./api\n          tags: ${{ steps.meta.outputs.tags }}\n',
      'api/Dockerfile': DEBIAN,
    },
    image: 'acme/api:latest',
    dockerfile: 'api/Dockerfile',
  },
  // librenms/docker: Docker's reusable bake workflow publishes librenms/librenms from target image-all (inherits image: ./Dockerfile)
  {
    name: "a workflow job that calls docker/github-builder's bake workflow: its meta-images are built from the bake target",
    files: {
      '.github/workflows/build.yml':
        'on: push\njobs:\n  build:\n    uses: docker/github-builder/.github/workflows/bake.yml@v1\n    with:\n      target: image-all\n      meta-images: |\n        librenms/librenms\n',
      'docker-bake.hcl':
        'variable "DEFAULT_TAG" {\n  default = "librenms:local"\n}\ntarget "docker-metadata-action" {\n  tags = ["${DEFAULT_TAG}"]\n}\ntarget "image" {\n  inherits = ["docker-metadata-action"]\n}\ntarget "image-all" {\n  inherits = ["image"]\n  platforms = ["linux/amd64", "linux/arm64"]\n}\n',
      Dockerfile: DEBIAN,
      'examples/Dockerfile': DEBIAN,
    },
    image: 'librenms/librenms:latest',
    dockerfile: 'Dockerfile',
    how: /^\.github\/workflows\/build\.yml:\d+ builds librenms\/librenms from bake target "image-all" \(docker-bake\.hcl:\d+\), Dockerfile$/,
  },
  // crazy-max's images: docker/bake-action reads the metadata step's bake file and builds the named target
  {
    name: "a workflow's docker/bake-action step: the metadata step's images built from its bake target",
    files: {
      '.github/workflows/build.yml':
        'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - id: meta\n        uses: docker/metadata-action@v5\n        with:\n          images: |\n            crazymax/rtorrent-rutorrent\n            ghcr.io/crazy-max/rtorrent-rutorrent\n      - uses: docker/bake-action@v5\n        with:\n          files: |\n            ./docker-bake.hcl\n            cwd://${{ steps.meta.outputs.bake-file }}\n          targets: image-all\n',
      'docker-bake.hcl': 'target "docker-metadata-action" {}\ntarget "image" {\n  inherits = ["docker-metadata-action"]\n  context = "app"\n}\ntarget "image-all" {\n  inherits = ["image"]\n}\n',
      'app/Dockerfile': DEBIAN,
    },
    image: 'ghcr.io/crazy-max/rtorrent-rutorrent:latest',
    dockerfile: 'app/Dockerfile',
  },
];

describe('the image linker: builds that Makefiles, build scripts and workflows declare', () => {
  for (const c of declaredCases) {
    it(c.name, () => {
      const dir = repo(c.files);
      const r = new ImageLinker({}, undefined, dir, dir).link(c.image);
      if (c.ambiguous) {
        assert.equal(r.link, undefined);
        assert.deepEqual(r.ambiguous?.map((f) => path.relative(dir, f)).sort(), c.ambiguous);
        assert.equal(r.declared?.length, c.ambiguous.length);
        for (const how of r.declared ?? []) assert.match(how, c.how ?? /./);
        return;
      }
      if (!c.dockerfile) {
        assert.equal(r.link, undefined, `linked to ${r.link?.dockerfile} (${r.link?.how})`);
        return;
      }
      assert.equal(r.link && path.relative(dir, r.link.dockerfile), c.dockerfile, JSON.stringify(r));
      assert.equal(r.link?.target, c.target);
      if (c.how) assert.match(r.link?.how ?? '', c.how);
    });
  }
});

describe('the image linker: names a collection builds under its owner, and official names it builds under a tag of its own', () => {
  it("a script's bare `docker build -t NAME` (after `here=$(pwd)`, a cd away and `cd $here`) links OWNER/NAME at that tag (greshem's base)", () => {
    const dir = repo({
      'swcloud_base_common/build.sh': '#!/bin/sh\npwd=$(pwd)\ncd /root/bin/yum_repo_tools && make\ncd $pwd/\ndocker build -t greshem_scm_base_common ./\n',
      'swcloud_base_common/dockerfile': 'FROM centos:7.5.1804\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.equal(path.relative(dir, linker.link('greshem/greshem_scm_base_common').link?.dockerfile ?? ''), 'swcloud_base_common/dockerfile');
    // another tag is not that build, nor a name with a registry of its own
    assert.equal(linker.link('greshem/greshem_scm_base_common:centos6').link, undefined);
    assert.equal(linker.link('quay.io/greshem/greshem_scm_base_common').link, undefined);
  });

  it('an official name built here under its own tag (`docker build -t mariadb:centos7`) links only that tag; mariadb:10.1.21 is the official release', () => {
    const dir = repo({ 'mariadb/build.sh': 'docker build -t mariadb:centos7 ./\n', 'mariadb/Dockerfile': DEBIAN });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.equal(path.relative(dir, linker.link('mariadb:centos7').link?.dockerfile ?? ''), 'mariadb/Dockerfile');
    assert.equal(linker.link('mariadb:10.1.21').link, undefined);
    assert.equal(linker.link('mariadb').link, undefined);
  });

  it("a vendor's image under its own name (`phpmyadmin/phpmyadmin`) is the official build, not the collection's top-level phpmyadmin/", () => {
    const dir = repo({ 'phpmyadmin/Dockerfile': DEBIAN, 'stack/docker-compose.yml': 'services:\n  pma:\n    image: phpmyadmin/phpmyadmin\n' });
    const linker = new ImageLinker({}, undefined, dir, dir);
    const sub = path.join(dir, 'stack');
    assert.equal(linker.link('phpmyadmin/phpmyadmin', sub, sub).link, undefined);
    assert.equal(path.relative(dir, linker.link('acme/phpmyadmin', sub, sub).link?.dockerfile ?? ''), 'phpmyadmin/Dockerfile');
  });

  it("every image under the repository's own name, one tag each (`pexcn/docker-images:buster` in a docker-images checkout): the directory named for the tag", () => {
    const top = repo({ 'docker-images/_deprecated/buster/Dockerfile': 'FROM debian:buster-slim\n', 'docker-images/utils/cron/Dockerfile': DEBIAN });
    const dir = path.join(top, 'docker-images');
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.equal(path.relative(dir, linker.link('pexcn/docker-images:buster').link?.dockerfile ?? ''), '_deprecated/buster/Dockerfile');
    assert.equal(path.relative(dir, linker.link('pexcn/docker-images:cron').link?.dockerfile ?? ''), 'utils/cron/Dockerfile');
    // under another repository's name, the tag directory is not this build
    assert.equal(linker.link('pexcn/other-images:buster').link, undefined);
  });
});

describe('the image linker follows a version directory linked inside the tree', () => {
  it("webdevops' docker/php/8.1 -> ../php-official/8.1 builds php:8.1 from that Dockerfile; a link out of the tree is not followed", () => {
    const dir = repo({ 'docker/php-official/8.1/Dockerfile': DEBIAN, 'docker/php/README.md': 'versions\n', 'docker/ext/README.md': 'versions\n' });
    fs.symlinkSync('../php-official/8.1', path.join(dir, 'docker/php/8.1'));
    const outside = repo({ Dockerfile: DEBIAN });
    fs.symlinkSync(outside, path.join(dir, 'docker/ext/9.0'));
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.equal(path.relative(dir, linker.link('webdevops/php:8.1').link?.dockerfile ?? ''), 'docker/php/8.1/Dockerfile');
    assert.equal(linker.link('webdevops/ext:9.0').link, undefined);
  });
});

describe('a Dockerfile in a subdirectory whose COPY sources reach the top only through symlinks (passbolt: debian/conf -> ../conf)', () => {
  it('is built from the repository root: the entrypoint the COPY names is read there', async () => {
    const dir = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'debian/Dockerfile': 'FROM debian:bookworm\nCOPY scripts/entrypoint.sh /entrypoint.sh\nCMD ["/entrypoint.sh"]\n',
      'scripts/entrypoint.sh': '#!/bin/bash\nsvc --port 80\n',
    });
    fs.symlinkSync('../scripts', path.join(dir, 'debian/scripts'));
    const launches = await lintLaunches(['.'], { cwd: dir });
    const l = launches.find((x) => x.file === 'debian/Dockerfile');
    assert.equal(l?.outcome, 'killed', JSON.stringify(l));
    assert.deepEqual(l?.chain, ['bash', 'svc']);
  });
});

describe("a compose file names a collection's image by its path", () => {
  it('svlentink/ipfilter from docker-compose/app/ links to svlentink/ipfilter/Dockerfile at the top; another owner does not', async () => {
    const dir = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'svlentink/ipfilter/Dockerfile': 'FROM alpine:3.20\nCOPY run.sh /run.sh\nENTRYPOINT ["/run.sh"]\n',
      'svlentink/ipfilter/run.sh': '#!/bin/sh\nnginx -g "daemon off;"\n',
      'docker-compose/app/docker-compose.yml': 'services:\n  firewall:\n    image: svlentink/ipfilter\n  other:\n    image: someone/ipfilter\n',
    });
    const launches = await lintLaunches(['.'], { cwd: dir });
    const firewall = launches.find((l) => l.label === 'service firewall');
    assert.equal(firewall?.outcome, 'killed', JSON.stringify(firewall));
    const other = launches.find((l) => l.label === 'service other');
    assert.equal(other?.outcome, undefined, JSON.stringify(other));
  });
});

describe('a bake target builds its FROM from a named context that is another target (thecodingmachine/docker-images-php)', () => {
  it('FROM $FROM_IMAGE, with FROM_IMAGE=slim (the one build arg all builds of the file pass alike) and slim = "target:php8x-slim": the base is that target\'s Dockerfile, whatever its name', async () => {
    const dir = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker-bake.hcl': [
        'target "php83-slim" {\n  dockerfile = "base/Containerfile"\n  args = { PHP_VERSION = "8.3" }\n  tags = ["acme/php:8.3-slim-apache"]\n}',
        'target "php82-slim" {\n  dockerfile = "base/Containerfile"\n  args = { PHP_VERSION = "8.2" }\n  tags = ["acme/php:8.2-slim-apache"]\n}',
        'target "php83" {\n  dockerfile = "Dockerfile.apache"\n  args = { PHP_VERSION = "8.3", FROM_IMAGE = "slim" }\n  contexts = { slim = "target:php83-slim" }\n  tags = ["acme/php:8.3-apache"]\n}',
        'target "php82" {\n  dockerfile = "Dockerfile.apache"\n  args = { PHP_VERSION = "8.2", FROM_IMAGE = "slim" }\n  contexts = { slim = "target:php82-slim" }\n  tags = ["acme/php:8.2-apache"]\n}',
        '',
      ].join('\n'),
      'base/Containerfile': 'ARG PHP_VERSION\nFROM debian:bookworm\nCOPY entry.sh /entry.sh\nENTRYPOINT ["/entry.sh"]\n',
      'entry.sh': '#!/bin/bash\nsvc --port 80\n',
      'Dockerfile.apache': 'ARG FROM_IMAGE\nFROM $FROM_IMAGE\nRUN true\n',
    });
    const launches = await lintLaunches(['.'], { cwd: dir });
    const l = launches.find((x) => x.file === 'Dockerfile.apache');
    assert.equal(l?.outcome, 'killed', JSON.stringify(l));
    assert.deepEqual(l?.chain, ['bash', 'svc']);
  });
});

describe("a compose file names a collection's top-level directory under the owner's name", () => {
  // stilleshan/dockerfiles: sub/docker-compose.yml runs stilleshan/myurls, built from myurls/ at the repository's top
  it('acme/myurls (latest) from sub/ links to myurls/Dockerfile; a tag that directory does not build (:travel) is from elsewhere', async () => {
    const dir = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'myurls/Dockerfile': 'FROM alpine:3.20\nCOPY start.sh /app/start.sh\nCMD sh -c /app/start.sh\n',
      'myurls/start.sh': '#!/bin/sh\n/app/myurls -domain "$MYURLS_DOMAIN"\n',
      'sub/docker-compose.yml': 'services:\n  myurls:\n    image: acme/myurls:latest\n  travel:\n    image: acme/myurls:travel\n',
    });
    const launches = await lintLaunches(['.'], { cwd: dir });
    const myurls = launches.find((l) => l.label === 'service myurls');
    assert.equal(myurls?.outcome, 'killed', JSON.stringify(myurls));
    const travel = launches.find((l) => l.label === 'service travel');
    assert.equal(travel?.outcome, undefined, JSON.stringify(travel));
  });
});

const DEPLOY = (image: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ${image}\n`;
const GO_SERVER = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nCMD ["/app"]\n';
const GO_MAIN = 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil)\n}\n';

describe('builds that cloud CLIs and skaffold declare', () => {
  it("a README's `gcloud builds submit --tag=IMAGE` (source: the working directory; an expansion in the flag's value) and `ibmcloud cr build --tag IMAGE DIR` link their images", async () => {
    const dir = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'hello/README.md': '```sh\ngcloud builds submit --region us-central1 --tag=gcr.io/${PROJECT}/hello-run\n```\n',
      'hello/Dockerfile': GO_SERVER,
      'hello/main.go': GO_MAIN,
      'hello/go.mod': 'module example.com/hello\n\ngo 1.22\n',
      'hello/k8s.yaml': DEPLOY('gcr.io/my-project/hello-run:v1'),
      'lab/README.md': '```sh\nibmcloud cr build --tag us.icr.io/ns/hello-world ./app\n```\n',
      'lab/app/Dockerfile': 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n',
      'lab/app/package.json': '{"scripts":{"start":"node app.js"}}',
      'lab/app/app.js': "require('http').createServer((q, r) => r.end('ok')).listen(8080);\n",
      'lab/deploy.yaml': DEPLOY('us.icr.io/ns/hello-world:1'),
    });
    const launches = await lintLaunches(['.'], { cwd: dir });
    const hello = launches.find((l) => l.file === 'hello/k8s.yaml');
    assert.equal(hello?.outcome, 'abrupt', JSON.stringify(hello));
    const lab = launches.find((l) => l.file === 'lab/deploy.yaml');
    assert.equal(lab?.outcome, 'abrupt', JSON.stringify(lab));
  });

  it("skaffold's `requires` alias fills FROM $BASE, and of two copies of the project the manifest's own skaffold.yaml decides", async () => {
    const project = (p: string): Record<string, string> => ({
      [`${p}/skaffold.yaml`]:
        'apiVersion: skaffold/v4beta14\nkind: Config\nbuild:\n  artifacts:\n    - image: leeroy-app\n      context: leeroy-app\n      requires:\n        - image: base\n          alias: BASE\n    - image: base\n      context: base\n',
      [`${p}/base/Dockerfile`]: 'FROM gcr.io/distroless/base\nCMD ["./app"]\n',
      [`${p}/leeroy-app/Dockerfile`]: 'ARG BASE\nFROM golang:1.22 as builder\nWORKDIR /code\nCOPY app.go go.mod ./\nRUN go build -o /app .\nFROM $BASE\nCOPY --from=builder /app .\n',
      [`${p}/leeroy-app/app.go`]: GO_MAIN,
      [`${p}/leeroy-app/go.mod`]: 'module example.com/leeroy\n\ngo 1.22\n',
      [`${p}/leeroy-app/kubernetes/deployment.yaml`]: DEPLOY('leeroy-app'),
    });
    const dir = repo({ '.git/HEAD': 'ref: refs/heads/main\n', ...project('examples/microservices'), ...project('integration/examples/microservices') });
    const launches = await lintLaunches(['.'], { cwd: dir });
    for (const p of ['examples/microservices', 'integration/examples/microservices']) {
      const app = launches.find((l) => l.file === `${p}/leeroy-app/kubernetes/deployment.yaml`);
      assert.equal(app?.outcome, 'abrupt', JSON.stringify(app));
      // the Dockerfile linted on its own is built as skaffold builds it: BASE is the base artifact
      const own = launches.find((l) => l.file === `${p}/leeroy-app/Dockerfile`);
      assert.equal(own?.outcome, 'abrupt', JSON.stringify(own));
    }
  });
});

describe("a skaffold.yaml's profiles", () => {
  // skaffold's examples/nodejs: the dev profile builds the same artifact with ENV=development (nodemon); a deploy
  // builds the top-level artifact, ENV=production: `npm run production` runs an express server with no listener
  it('the top-level build stands for the image, not a profile that builds it with other args', async () => {
    const project = (p: string): Record<string, string> => ({
      [`${p}/skaffold.yaml`]:
        'apiVersion: skaffold/v4beta14\nkind: Config\nbuild:\n  artifacts:\n  - image: node-example\n    context: backend\nprofiles:\n  - name: dev\n    activation:\n      - command: dev\n    build:\n      artifacts:\n      - image: node-example\n        context: backend\n        docker:\n          buildArgs:\n            ENV: development\n',
      [`${p}/backend/Dockerfile`]: 'FROM node:14.9-alpine\nWORKDIR /home/node/app\nARG ENV=production\nENV NODE_ENV $ENV\nCMD npm run $NODE_ENV\nCOPY . .\n',
      [`${p}/backend/package.json`]: '{"main":"src/index.js","scripts":{"production":"node src/index.js","development":"nodemon src/index.js"}}',
      [`${p}/backend/src/index.js`]: "const app = require('express')();\napp.listen(3000);\n",
      [`${p}/k8s/deployment.yaml`]: DEPLOY('node-example'),
    });
    const dir = repo({ '.git/HEAD': 'ref: refs/heads/main\n', ...project('examples/nodejs'), ...project('integration/examples/nodejs') });
    const launches = await lintLaunches(['.'], { cwd: dir });
    for (const p of ['examples/nodejs', 'integration/examples/nodejs']) {
      const node = launches.find((l) => l.file === `${p}/k8s/deployment.yaml`);
      assert.equal(node?.outcome, 'abrupt', JSON.stringify(node));
      assert.deepEqual(node?.chain, ['npm', 'node']);
    }
  });
});

describe("kustomize's images: transformer", () => {
  it('a kustomization that lists the manifest renames its placeholder image, which then links to its build', async () => {
    const dir = repo({
      'app8/kustomization.yaml': 'resources:\n  - manifests/deployment.yaml\nimages:\n  - name: IMAGE_FROM_KUSTOMIZATION\n    newName: acme/app8\n    newTag: v1\n',
      'app8/manifests/deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app8\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: IMAGE_FROM_KUSTOMIZATION\n',
      'app8/Dockerfile': 'FROM node:20-alpine\nCMD ["sh", "-c", "node index.js"]\n',
      'other/deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: other\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: IMAGE_FROM_KUSTOMIZATION\n',
    });
    const launches = await lintLaunches([dir], { cwd: dir });
    const renamed = launches.find((l) => l.file.endsWith('app8/manifests/deployment.yaml'));
    assert.ok(renamed?.outcome, JSON.stringify(renamed));
    // a manifest no kustomization lists keeps its placeholder: nothing to link
    const other = launches.find((l) => l.file.endsWith('other/deployment.yaml'));
    assert.equal(other?.outcome, undefined, JSON.stringify(other));
  });
});

describe('pid1 lint reads a linked image with the build context its build declares', () => {
  it("a trial template's CPython script, COPYed from the repository root by a Dockerfile 4 levels down, is read: no handler, an error", async () => {
    const dir = repo({
      'examples/v1/hp/tpe.yaml':
        'apiVersion: batch/v1\nkind: Job\nmetadata: {name: tpe}\nspec:\n  template:\n    spec:\n      containers:\n      - name: training-container\n        image: ghcr.io/acme/katib/mnist-cpu:latest\n        command: ["python3", "/opt/mnist/mnist.py", "--epochs=1"]\n',
      'scripts/v1/build.sh': '#!/bin/bash\nROOT=$(dirname "$0")/../..\ncd "${ROOT}"\ndocker build -t "${REGISTRY}/mnist-cpu:${TAG}" -f examples/v1/trial-images/mnist/Dockerfile.cpu .\n',
      'examples/v1/trial-images/mnist/Dockerfile.cpu': 'FROM python:3.11-slim\nADD examples/v1/trial-images/mnist /opt/mnist\nWORKDIR /opt/mnist\nENTRYPOINT ["python3", "/opt/mnist/mnist.py"]\n',
      'examples/v1/trial-images/mnist/mnist.py': 'import time\nimport hypertune\nfor epoch in range(100):\n    time.sleep(60)\n    hypertune.report(epoch)\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', '.'], { cwd: dir });
    const out = JSON.parse(r.stdout) as {
      files: { file: string; launches: { label: string; outcome?: string; certain?: boolean }[]; findings: { ruleId: string; severity: string; message: string }[] }[];
    };
    const manifest = out.files.find((f) => f.file === 'examples/v1/hp/tpe.yaml');
    assert.equal(manifest?.launches[0]?.outcome, 'killed', JSON.stringify(manifest));
    assert.ok(
      manifest?.findings.some((f) => f.ruleId === 'service-no-handler' && f.severity === 'error' && /nothing in \/opt\/mnist\/mnist\.py installs a SIGTERM handler/.test(f.message)),
      JSON.stringify(manifest?.findings),
    );
  });
});

/** The first launch pid1 lists for a Dockerfile linted on its own in `dir`. */
async function firstLaunch(dir: string, file: string): Promise<{ argv: string[]; shell: { how: string } } | undefined> {
  const r = await pid1(['lint', '--no-config', '--format', 'json', file], { cwd: dir });
  const out = JSON.parse(r.stdout) as { files: { file: string; launches: { argv: string[]; shell: { how: string } }[] }[] };
  return out.files.find((f) => f.file === file)?.launches[0];
}

describe('a Dockerfile FROM an image the repository builds inherits that build (its CMD, files and /bin/sh)', () => {
  it("the base build's STOPSIGNAL passes on, also one its own base sets (php:8.3-fpm: SIGQUIT)", async () => {
    const dir = repo({
      'fpm/Makefile': 'IMAGE := acme/fpm\nbuild:\n\tdocker build -t $(IMAGE) .\n',
      'fpm/Dockerfile': 'FROM php:8.3-fpm-alpine\nCMD ["php-fpm"]\n',
      'anyphp/Makefile': 'IMAGE := acme/anyphp\nbuild:\n\tdocker build -t $(IMAGE) .\n',
      'anyphp/Dockerfile': 'ARG VERSION\nFROM php:${VERSION}\nCMD ["php-fpm"]\n',
      'app/Dockerfile': 'FROM acme/fpm:1\nCOPY index.php /var/www/html/\n',
      'app/index.php': '<?php echo 1;\n',
      'site/Dockerfile': 'FROM acme/anyphp:1\nCOPY index.php /var/www/html/\n',
      'site/index.php': '<?php echo 1;\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', 'app/Dockerfile', 'site/Dockerfile'], { cwd: dir });
    const out = JSON.parse(r.stdout) as { files: { file: string; launches: { stopSignal: { signal: string; source: string } }[]; findings: { ruleId: string; severity: string }[] }[] };
    const file = (f: string) => out.files.find((x) => x.file === f);
    assert.equal(file('app/Dockerfile')?.launches[0]?.stopSignal.signal, 'SIGQUIT', JSON.stringify(file('app/Dockerfile')));
    // php:${VERSION} with no value: php's variant decides, which pid1 cannot tell (no signal of the base's, nor SIGQUIT)
    assert.equal(file('site/Dockerfile')?.launches[0]?.stopSignal.signal, 'SIGTERM', JSON.stringify(file('site/Dockerfile')));
  });

  it('a Dockerfile is not its own base: of two that match the name, the other is (heroku-cli/docker/ FROM wener/heroku-cli)', async () => {
    const dir = repo({
      'heroku-cli/heroku-cli/Dockerfile': 'FROM alpine:3.19\nRUN apk add --no-cache bash\nCMD ["bash"]\n',
      'heroku-cli/docker/Dockerfile': 'FROM wener/heroku-cli\nRUN apk add --no-cache docker\n',
    });
    const launch = await firstLaunch(dir, 'heroku-cli/docker/Dockerfile');
    assert.deepEqual(launch?.argv, ['bash'], JSON.stringify(launch));
    assert.match(launch?.shell.how ?? '', /in the base image the repository builds from heroku-cli\/heroku-cli\/Dockerfile/);
  });

  it('a Dockerfile in a directory named for its base image wraps an image from elsewhere: curl/Dockerfile FROM curlimages/curl is not built on clash/curl/', async () => {
    const dir = repo({
      'clash/curl/Dockerfile': 'FROM alpine:3.19\nCOPY loop.sh /loop.sh\nENTRYPOINT ["/loop.sh"]\n',
      'clash/curl/loop.sh': '#!/bin/sh\nwhile true; do curl -s http://127.0.0.1/; sleep 60; done\n',
      'curl/Dockerfile': 'FROM curlimages/curl\nUSER root\n',
    });
    const launch = await firstLaunch(dir, 'curl/Dockerfile');
    assert.doesNotMatch(launch?.shell.how ?? '', /in the base image the repository builds/, JSON.stringify(launch));
    assert.notDeepEqual(launch?.argv, ['/loop.sh']);
  });

  it('FROM a name several Dockerfiles of the repository answer to: their command when they all agree, nothing when they differ', async () => {
    // pegi3s/dockerfiles: FROM pegi3s/docker:29.0.1, with docker/18.04, docker/20.04 and docker/24.04 each ubuntu and no CMD
    const agree = repo({
      'docker/20.04/Dockerfile': 'FROM ubuntu:20.04\nRUN apt-get update\n',
      'docker/24.04/Dockerfile': 'FROM ubuntu:24.04\nRUN apt-get update\n',
      'tool/Dockerfile': 'FROM pegi3s/docker:29.0.1\nCOPY run.sh /opt/run.sh\n',
      'tool/run.sh': '#!/bin/sh\necho hi\n',
    });
    const launch = await firstLaunch(agree, 'tool/Dockerfile');
    assert.deepEqual(launch?.argv, ['/bin/bash'], JSON.stringify(launch));
    assert.match(launch?.shell.how ?? '', /each of the 2 Dockerfiles named pegi3s\/docker here has the same command/);
    const differ = repo({
      'docker/20.04/Dockerfile': 'FROM ubuntu:20.04\nCMD ["/srv/run"]\n',
      'docker/24.04/Dockerfile': 'FROM ubuntu:24.04\nRUN apt-get update\n',
      'tool/Dockerfile': 'FROM pegi3s/docker:29.0.1\nCOPY run.sh /opt/run.sh\n',
      'tool/run.sh': '#!/bin/sh\necho hi\n',
    });
    const other = await firstLaunch(differ, 'tool/Dockerfile');
    assert.deepEqual(other?.argv, [], JSON.stringify(other));
  });

  it("FROM acme/base (built from base/Dockerfile by the Makefile beside it): the base's CMD and script decide", async () => {
    const dir = repo({
      'base/Makefile': 'IMAGE := acme/base\nbuild:\n\tdocker build -t $(IMAGE) .\n',
      'base/Dockerfile': 'FROM debian:bookworm\nCOPY run.sh /run.sh\nWORKDIR /srv\nCMD ["/run.sh"]\n',
      'base/run.sh': '#!/bin/bash\necho starting\npython3 /srv/app.py\n',
      'app/Dockerfile': 'FROM acme/base:1.0\nCOPY app.py /srv/app.py\n',
      'app/app.py': 'import time\nwhile True:\n    time.sleep(1)\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', 'app/Dockerfile'], { cwd: dir });
    const out = JSON.parse(r.stdout) as {
      files: {
        file: string;
        launches: { argv: string[]; outcome?: string; certain?: boolean; shell: { family: string; how: string } }[];
        findings: { ruleId: string; severity: string; file?: string }[];
      }[];
    };
    const launch = out.files.find((f) => f.file === 'app/Dockerfile')?.launches[0];
    assert.deepEqual(launch?.argv, ['/run.sh'], JSON.stringify(launch));
    assert.equal(launch?.shell.family, 'dash');
    assert.match(launch?.shell.how ?? '', /in the base image the repository builds from base\/Dockerfile/);
    assert.equal(launch?.outcome, 'killed', JSON.stringify(launch));
    assert.equal(launch?.certain, true);
    const findings = out.files.flatMap((f) => f.findings);
    assert.ok(
      findings.some((f) => f.ruleId === 'script-no-exec' && f.severity === 'error'),
      JSON.stringify(findings),
    );
  });

  it('an entrypoint a RUN installs from a staged overlay, copies with cp, moves with mv or links with ln -s is read (minimum2scp, phusion-style baseimages, izuolan)', async () => {
    const entry = '#!/bin/sh\nset -e\nrun-parts /opt/init/pre.d\nexec "$@"\n';
    const dir = repo({
      // COPY build /tmp/build/base; a RUN script installs ${f#/tmp/build/base} for each staged file
      'overlay/Dockerfile':
        'FROM debian:bookworm\nCOPY build /tmp/build/base\nRUN run-parts --exit-on-error /tmp/build/base/scripts && rm -rf /tmp/build\nSTOPSIGNAL SIGTERM\nENTRYPOINT ["/opt/init/sbin/entrypoint.sh"]\nCMD ["sleep", "infinity"]\n',
      'overlay/build/scripts/01-install': '#!/bin/sh\nfind /tmp/build/base/opt -type f | while read f; do install -m 755 -D ${f} ${f#/tmp/build/base}; done\n',
      'overlay/build/opt/init/sbin/entrypoint.sh': entry,
      // COPY . /bd_build; RUN /bd_build/services.sh, which runs `cp -a /bd_build/bin/start.sh /usr/local/sbin/`
      'copied/Dockerfile': 'FROM debian:bookworm\nCOPY . /bd_build\nRUN /bd_build/services.sh\nENTRYPOINT ["/usr/local/sbin/start.sh"]\nCMD ["sleep", "infinity"]\n',
      'copied/services.sh': '#!/bin/bash\nset -e\nmkdir -p /etc/my_init.d\ncp -a /bd_build/bin/start.sh /usr/local/sbin/\n',
      'copied/bin/start.sh': entry,
      // izuolan's ptunnel: COPY . /build, then `mv /build/client.sh /run.sh && rm -rf /build` in the RUN
      'moved/Dockerfile':
        'FROM debian:bookworm\nCOPY . /build\nWORKDIR /build\nRUN make && mv /build/client.sh /run.sh && rm -rf /build && chmod a+x /run.sh\nENTRYPOINT ["/run.sh"]\nCMD ["sleep", "infinity"]\n',
      'moved/client.sh': entry,
      // a symlink with a relative target, read from the link's directory: /usr/local/bin/entrypoint -> ../lib/app/entrypoint.sh
      'linked/Dockerfile':
        'FROM debian:bookworm\nCOPY entrypoint.sh /usr/local/lib/app/entrypoint.sh\nWORKDIR /srv\nRUN ln -sf ../lib/app/entrypoint.sh /usr/local/bin/entrypoint\nENTRYPOINT ["/usr/local/bin/entrypoint"]\nCMD ["sleep", "infinity"]\n',
      'linked/entrypoint.sh': entry,
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', '.'], { cwd: dir });
    const out = JSON.parse(r.stdout) as { files: { file: string; launches: { chain?: string[]; outcome?: string; certain?: boolean }[] }[] };
    for (const file of ['overlay/Dockerfile', 'copied/Dockerfile', 'moved/Dockerfile', 'linked/Dockerfile']) {
      const l = out.files.find((f) => f.file === file)?.launches[0];
      // the script execs its arguments: `sleep infinity` is PID 1 (keep-alive: SIGTERM dropped), seen through the script
      assert.deepEqual(l?.chain, ['sleep'], `${file}: ${JSON.stringify(l)}`);
      assert.equal(l?.outcome, 'killed');
      assert.equal(l?.certain, true);
    }
  });

  it('a script the build writes with echo and printf is read: a base ONBUILD RUN writes its head, derived images append lines (luszczynski)', async () => {
    const dir = repo({
      // base/: its ONBUILD RUN writes run.sh in the image built on it (java/); agent/ and app/ append lines to it
      'base/Dockerfile':
        'FROM centos:7\nENV TERM=xterm HOME=/home/jboss\nONBUILD RUN echo "#!/bin/sh" > $HOME/run.sh && \\\n\techo \'while [ "x$MYIP" == "x" ]; do MYIP=$(hostname -i); done\' >> $HOME/run.sh && \\\n\techo "" >> $HOME/run.sh && \\\n\tchmod +x $HOME/run.sh\n',
      'java/Dockerfile': 'FROM corp/base\nRUN yum install -y java\n',
      'agent/Dockerfile': 'FROM corp/java\nENV AGENT_HOME=/opt/agent\nRUN echo "$AGENT_HOME/bin/agent-wrapper.sh start" >> $HOME/run.sh\n',
      'app/Dockerfile': 'FROM corp/agent\nRUN yum install -y httpd\nRUN echo "apachectl -D FOREGROUND" >> $HOME/run.sh\nCMD ["/home/jboss/run.sh"]\n',
      'build.sh': '#!/bin/sh\nfor d in base java agent app; do docker build -t corp/$d $d; done\n',
      // one RUN: printf with %s, then an exec line: the script execs its service
      'printed/Dockerfile': 'FROM debian:bookworm\nRUN printf \'#!/bin/sh\\nset -e\\n%s\\n\' "exec redis-server --save \'\'" > /start.sh && chmod +x /start.sh\nCMD ["/start.sh"]\n',
      // a line built from a variable only the RUN sets: the text is not known, and the script is not read
      'unknown/Dockerfile': 'FROM debian:bookworm\nRUN V=$(date +%s) && echo "#!/bin/sh" > /start.sh && echo "exec app --build $V" >> /start.sh\nCMD ["/start.sh"]\n',
      // busybox ash's echo takes -e; dash's prints it as a word (`-e exec<TAB>redis-server`: a command -e that is not found)
      'ashecho/Dockerfile': 'FROM alpine:3.20\nRUN echo -e "exec\\tredis-server" > /start.sh\nCMD ["sh", "/start.sh"]\n',
      'dashecho/Dockerfile': 'FROM debian:bookworm\nRUN echo -e "exec\\tredis-server" > /start.sh\nCMD ["sh", "/start.sh"]\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', '.'], { cwd: dir });
    const out = JSON.parse(r.stdout) as {
      files: { file: string; launches: { chain?: string[]; outcome?: string; certain?: boolean; path: string[] }[]; findings: { ruleId: string; severity: string; message: string }[] }[];
    };
    const file = (f: string) => out.files.find((x) => x.file === f);
    // bash (CentOS 7's /bin/sh) runs the script and keeps httpd's apachectl as its child: SIGTERM dropped
    const app = file('app/Dockerfile');
    assert.deepEqual(app?.launches[0]?.chain, ['bash', 'apachectl', 'httpd'], JSON.stringify(app));
    assert.ok(
      app?.findings.some((x) => x.ruleId === 'script-no-exec' && x.severity === 'error' && /runs `httpd` without exec/.test(x.message)),
      JSON.stringify(app?.findings),
    );
    assert.deepEqual(file('printed/Dockerfile')?.launches[0]?.chain, ['redis-server']);
    assert.equal(file('printed/Dockerfile')?.findings.filter((x) => x.severity === 'error').length, 0);
    const unknown = file('unknown/Dockerfile');
    assert.ok(!unknown?.findings.some((x) => x.severity === 'error'), JSON.stringify(unknown?.findings));
    assert.match(unknown?.launches[0]?.path.join('\n') ?? '', /depends on the program/);
    assert.deepEqual(file('ashecho/Dockerfile')?.launches[0]?.chain, ['redis-server']);
    assert.notDeepEqual(file('dashecho/Dockerfile')?.launches[0]?.chain, ['redis-server']);
  });

  it("supervisord's programs written by the build's install script with a heredoc (sameersbn's images) are read", async () => {
    const dir = repo({
      Dockerfile:
        'FROM debian:bookworm\nENV BUILD_DIR=/var/cache/build\nCOPY assets/build/ ${BUILD_DIR}/\nRUN bash ${BUILD_DIR}/install.sh\nCOPY entrypoint.sh /sbin/entrypoint.sh\nENTRYPOINT ["/sbin/entrypoint.sh"]\n',
      'entrypoint.sh': '#!/bin/bash\nset -e\nexec /usr/bin/supervisord -nc /etc/supervisor/supervisord.conf\n',
      'assets/build/install.sh':
        '#!/bin/bash\nset -e\napt-get install -y supervisor nginx\ncat > /etc/supervisor/conf.d/nginx.conf <<EOF\n[program:nginx]\ncommand=/usr/sbin/nginx -g "daemon off;"\nstdout_logfile=${LOG_DIR}/%(program_name)s.log\nEOF\ncat <<\'EOF\' > /etc/supervisor/conf.d/app.conf\n[program:app]\ncommand=/usr/local/bin/app\nstopsignal=QUIT\nEOF\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', 'Dockerfile'], { cwd: dir });
    const out = JSON.parse(r.stdout) as { files: { file: string; launches: { path: string[] }[]; findings: { ruleId: string; severity: string; message: string }[] }[] };
    const f = out.files.find((x) => x.file === 'Dockerfile');
    const why = f?.launches[0]?.path.join('\n') ?? '';
    assert.match(why, /supervisord sends nginx SIGTERM \(no stopsignal: TERM; \/etc\/supervisor\/conf\.d\/nginx\.conf\)/, why);
    assert.match(why, /supervisord sends app SIGQUIT \(stopsignal=QUIT in \[program:app\]/, why);
    // nginx's SIGTERM is its fast stop (supervisors-ns.test.ts runs real supervisord and nginx's stop)
    assert.ok(
      f?.findings.some((x) => x.ruleId === 'stop-not-graceful' && x.severity === 'error' && /service: nginx/.test(x.message)),
      JSON.stringify(f?.findings),
    );
  });

  it("an operator's hook sourced only when it exists (entrypoint.custom.sh on the data directory) does not hide the stop; an installed file does", async () => {
    const script = (hook: string): string => `#!/bin/bash\nset -e\nif [[ -f ${hook} ]]; then\n  . ${hook}\nfi\n/usr/sbin/nginx -g "daemon off;"\n`;
    const dir = repo({
      'hook/Dockerfile': 'FROM debian:bookworm\nENV DATA_DIR=/home/app/data\nCOPY entrypoint.sh /sbin/entrypoint.sh\nENTRYPOINT ["/sbin/entrypoint.sh"]\n',
      'hook/entrypoint.sh': script('${DATA_DIR}/entrypoint.custom.sh'),
      'vars/Dockerfile': 'FROM debian:bookworm\nCOPY entrypoint.sh /sbin/entrypoint.sh\nENTRYPOINT ["/sbin/entrypoint.sh"]\n',
      'vars/entrypoint.sh': script('/opt/intel/oneapi/setvars.sh'),
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', '.'], { cwd: dir });
    const out = JSON.parse(r.stdout) as { files: { file: string; findings: { ruleId: string; severity: string }[] }[] };
    const sev = (file: string): string[] => out.files.filter((f) => f.file.startsWith(file)).flatMap((f) => f.findings.filter((x) => x.ruleId === 'script-no-exec').map((x) => x.severity));
    // bash stays PID 1 in front of nginx whatever a hook the image does not hold would do: certain
    assert.deepEqual(sev('hook/'), ['error'], JSON.stringify(out.files));
    // a package's file (setvars.sh) may be in the image: it could set a trap or exec, so the stop stays uncertain
    assert.deepEqual(sev('vars/'), ['warning'], JSON.stringify(out.files));
  });

  it('FROM reg.example.dev/alpine@sha256 (a registry of its own) beside alpine/Containerfile: that build, a root filesystem copied into scratch', async () => {
    const dir = repo({
      'alpine/Containerfile': 'FROM debian:bookworm AS verify\nRUN mkdir /fs && tar -C /fs -xzf /tmp/alpine-minirootfs.tar.gz\nFROM scratch\nCOPY --from=verify /fs/ /\nCMD ["/bin/sh"]\n',
      'rust/Containerfile': 'FROM reg.example.dev/alpine@sha256:15aa8bf3c1b95bb86b563c5b42f17198a5f792d659de8760791a0b2e3b8aacd4\nRUN apk add rust\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', '.'], { cwd: dir });
    const out = JSON.parse(r.stdout) as {
      files: { file: string; launches: { argv: string[]; outcome?: string; shell: { family: string; how: string } }[]; findings: { ruleId: string; severity: string }[] }[];
    };
    for (const file of ['alpine/Containerfile', 'rust/Containerfile']) {
      const f = out.files.find((x) => x.file === file);
      // the tree copied into / has a /bin/sh (not scratch's none): an interactive shell at its prompt ignores SIGTERM
      assert.deepEqual(f?.launches[0]?.argv, ['/bin/sh'], JSON.stringify(f));
      assert.ok(!f?.findings.some((x) => x.ruleId === 'no-shell'), JSON.stringify(f?.findings));
      assert.ok(
        f?.findings.some((x) => x.ruleId === 'stop-not-graceful' && x.severity === 'error'),
        JSON.stringify(f?.findings),
      );
    }
    // rust's CMD is alpine/Containerfile's: without the link its launch is the unseen base image's (no argv, no verdict)
  });

  it("FROM a version directory's build (nginx-php/7.1/): the s6 service directories its build copies are read", async () => {
    const dir = repo({
      'nginx-php/7.1/Dockerfile': 'FROM alpine:3.6\nRUN apk add s6 nginx php7-fpm su-exec\nCOPY rootfs /\nCMD ["run.sh"]\n',
      'nginx-php/7.1/rootfs/etc/s6.d/nginx/run': '#!/bin/sh\nexec nginx\n',
      'nginx-php/7.1/rootfs/etc/s6.d/php/run': '#!/bin/sh\nexec php-fpm7\n',
      'nginx-php/7.1/rootfs/usr/local/bin/run.sh': '#!/bin/sh\nexec su-exec 991:991 /bin/s6-svscan /etc/s6.d\n',
      'app/Dockerfile': 'FROM acme/nginx-php:7.1\nCOPY site /nginx/www\n',
      'app/site/index.php': '<?php echo 1;\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', 'app/Dockerfile'], { cwd: dir });
    const out = JSON.parse(r.stdout) as {
      files: { file: string; launches: { outcome?: string; certain?: boolean; path?: string[] }[]; findings: { ruleId: string; severity: string; message: string }[] }[];
    };
    const app = out.files.find((f) => f.file === 'app/Dockerfile');
    const launch = app?.launches[0];
    // s6-svscan brings nginx down with SIGTERM (no down-signal file): nginx's fast stop
    assert.equal(launch?.outcome, 'abrupt', JSON.stringify(launch));
    assert.ok(
      launch?.path?.some((l) => /s6 sends nginx SIGTERM \(no down-signal file/.test(l)),
      JSON.stringify(launch?.path),
    );
    assert.ok(
      app?.findings.some((f) => f.ruleId === 'stop-not-graceful' && f.severity === 'error'),
      JSON.stringify(app?.findings),
    );
  });

  it("a FROM cycle between two Dockerfiles of the repository ends (each read once as the other one's base)", async () => {
    const dir = repo({
      'a/Dockerfile': 'FROM acme/b\nCMD ["sleep", "infinity"]\n',
      'b/Dockerfile': 'FROM acme/a\nCMD ["sleep", "infinity"]\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', '.'], { cwd: dir });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { files: unknown[] }).files.length, 2);
  });
});

describe('pid1 lint links a manifest to the Dockerfile a Makefile builds', () => {
  it('the container gets the verdict of the Dockerfile (and the finding names the manifest), where the image decided before', async () => {
    const dir = repo({
      'k8s/zookeeper.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: zk}\nspec:\n  template:\n    spec:\n      containers:\n      - name: zk\n        image: harisekhon/zookeeper:3.4\n',
      'zookeeper/Makefile': 'REPO := harisekhon/zookeeper\n',
      'zookeeper/Dockerfile': 'FROM debian:bookworm\nCMD zkServer.sh start-foreground\n',
    });
    const r = await pid1(['lint', '--no-config', '--format', 'json', '.'], { cwd: dir });
    const out = JSON.parse(r.stdout) as {
      files: { file: string; launches: { label: string; outcome?: string; note?: string }[]; findings: { ruleId: string; severity: string; related?: { file: string }[] }[] }[];
    };
    const manifest = out.files.find((f) => f.file === 'k8s/zookeeper.yaml');
    const launch = manifest?.launches.find((l) => l.label === 'container zk of Deployment/zk');
    assert.equal(launch?.outcome, 'killed', JSON.stringify(launch));
    assert.doesNotMatch(launch?.note ?? '', /the image decides what runs/);
    const dockerfile = out.files.find((f) => f.file === 'zookeeper/Dockerfile');
    assert.ok(
      dockerfile?.findings.some((f) => f.severity === 'error' && f.ruleId === 'shell-pid1' && (f.related ?? []).some((x) => x.file === 'k8s/zookeeper.yaml')),
      JSON.stringify(dockerfile?.findings),
    );
    const text = await pid1(['lint', '--no-config', '.'], { cwd: dir });
    assert.match(text.stdout, /see: k8s\/zookeeper\.yaml:8:9 container zk of Deployment\/zk/);
  });
});

describe("the image linker for compose: by name, only the compose file's own folder", () => {
  it('`image: vimagick/pptpd` in pptpd/ links pptpd/Dockerfile; `gotify/server` does not link some other server/Dockerfile', () => {
    const dir = repo({
      'pptpd/docker-compose.yml': 'pptpd:\n  image: vimagick/pptpd\n',
      'pptpd/Dockerfile': 'FROM alpine:3\nCMD ["pptpd", "--fg"]\n',
      'gotify/docker-compose.yml': 'services:\n  gotify:\n    image: gotify/server:2.9\n',
      'other/server/Dockerfile': 'FROM alpine:3\nCMD nginx\n',
    });
    const linker = new ImageLinker({}, undefined, dir, dir);
    assert.match(linker.link('vimagick/pptpd', path.join(dir, 'pptpd')).link?.dockerfile ?? '', /pptpd\/Dockerfile$/);
    assert.deepEqual(linker.link('gotify/server:2.9', path.join(dir, 'gotify')), {});
    // a manifest's link (no folder given) still searches the repository
    assert.match(linker.link('gotify/server:2.9').link?.dockerfile ?? '', /other\/server\/Dockerfile$/);
  });
});

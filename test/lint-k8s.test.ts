/**
 * pid1 lint over Kubernetes manifests: workloads, containers and sidecars, command/args against the image,
 * image -> Dockerfile links, the kubelet's stop path (grace, preStop, stopSignal, shareProcessNamespace),
 * positions in every format, --fix that keeps comments and layout, and hostile YAML.
 * The verdicts are checked against real runs in test/lint-k8s-real.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { visit } from 'yaml';
import { planFixes } from '../src/lint/apply.js';
import { makeDocument } from '../src/document/document.js';
import { DocumentStore } from '../src/document/store.js';
import { Linter, type EngineOptions, type LintResult } from '../src/lint/engine.js';
import type { Finding } from '../src/rules/contract.js';
import { loadShellParser } from '../src/model/shell.js';
import { toSarif } from '../src/report/lint-sarif.js';
import { expandK8s } from '../src/sources/kubernetes/expand.js';
import { lintKubernetesSource } from '../src/sources/kubernetes/source.js';
import type { KubernetesLaunch as K8sLaunch } from '../src/sources/launch.js';
import { ImageLinker, repoRoot } from '../src/sources/image-links.js';
import { charsOf } from '../src/document/text.js';
import { mapScalar, MAX_ALIAS_RESOLUTIONS, parseYamlStream } from '../src/sources/yaml.js';
import type { SourceRunOptions as YamlSourceOptions } from '../src/lint/engine.js';
import { pid1 } from './helpers/cli.js';
import { tempRepo } from './helpers/exec.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.resolve(here, '../../test/fixtures/k8s');

before(async () => {
  await loadShellParser();
});

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary repository (with .git, so the image linker stays inside it). */
const repo = (files: Record<string, string>): string => tempRepo('pid1-k8s-', files);

function launchesOf(file: string, opts: YamlSourceOptions & EngineOptions = {}): K8sLaunch[] {
  const store = new DocumentStore();
  const doc = store.read(file, 'kubernetes');
  assert.ok(doc, `cannot read ${file}`);
  const r = lintKubernetesSource(doc, store, { ...opts, linker: new ImageLinker(opts.imageMap ?? {}, undefined, repoRoot(path.dirname(file))) });
  assert.deepEqual(r.errors, []);
  return r.launches as K8sLaunch[];
}

function lintFile(file: string, opts: EngineOptions & YamlSourceOptions = {}): LintResult {
  const linter = new Linter(opts);
  const text = fs.readFileSync(file, 'utf8');
  const doc = makeDocument(path.relative(process.cwd(), file) || file, text, 'kubernetes', file);
  linter.store.add(doc);
  linter.lint(doc);
  return linter.result();
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

function findings(r: LintResult): Finding[] {
  return r.files.flatMap((f) => f.findings);
}

function byLabel(ls: K8sLaunch[], container: string): K8sLaunch {
  const l = ls.find((x) => x.container === container);
  assert.ok(l, `no launch for container ${container}: ${ls.map((x) => x.container).join(', ')}`);
  return l;
}

describe('YAML scalars map back to their characters', () => {
  const src = [
    'plain: sh -c svc',
    'double: "cd /srv && \\"svc\\" --x\\tq"',
    "single: 'it''s svc'",
    'folded_plain: one',
    '  two',
    'literal: |',
    '  set -e',
    '  exec svc',
    'folded: >-',
    '  svc',
    '  --port 80',
    'flow: [sh, -c, "svc --x"]',
  ].join('\n');
  const doc = makeDocument('m.yaml', src, 'kubernetes');
  const s = parseYamlStream(doc);
  const y = s.docs[0];
  assert.ok(y);
  const values: { value: string; exact: boolean; chars: string }[] = [];
  visit(y.ydoc, {
    Scalar(key, node) {
      if (key === 'key') return;
      const m = mapScalar(doc, node);
      values.push({ value: m.text.value, exact: m.exact, chars: [...m.text.value].map((_, i) => src[m.text.at(i)]).join('') });
    },
  });
  it('every style decodes exactly, as the parser reads it', () => {
    assert.equal(values.length, 9);
    for (const v of values) assert.equal(v.exact, true, JSON.stringify(v));
  });
  it('letters map to themselves; escapes map to their backslash', () => {
    const dq = values.find((v) => v.value.startsWith('cd /srv'));
    assert.ok(dq);
    assert.equal(dq.value, 'cd /srv && "svc" --x\tq');
    assert.equal(dq.chars, 'cd /srv && \\svc\\ --x\\q');
    const lit = values.find((v) => v.value.startsWith('set -e'));
    assert.equal(lit?.value, 'set -e\nexec svc\n');
    assert.equal(lit?.chars.replace(/\n/g, '|'), 'set -e|exec svc|');
    assert.equal(values.find((v) => v.value.startsWith('one'))?.value, 'one two');
    assert.equal(values.find((v) => v.value.startsWith('svc --port'))?.value, 'svc --port 80');
  });
});

describe('workloads and containers', () => {
  it('a helm template stream: every workload kind, with document and path', () => {
    const ls = launchesOf(path.join(FIX, 'helm-template.yaml'));
    assert.deepEqual(
      ls.map((l) => `${l.resource}/${l.container}`),
      ['Deployment/shop-web/web', 'Deployment/shop-web/metrics', 'StatefulSet/shop-db/postgres', 'CronJob/shop-cleanup/cleanup'],
    );
    const web = byLabel(ls, 'web');
    assert.equal(web.document, 2);
    assert.equal(web.helmSource, 'shop/templates/web.yaml');
    assert.equal(web.where, 'Deployment/shop-web spec.template.spec.containers[0]');
    assert.equal(web.prediction?.outcome, 'killed'); // dash keeps the shell as PID 1
    assert.equal(web.stop.graceSeconds, 30);
    assert.equal(web.stop.graceSource, 'default');
    // python:3.12-alpine: busybox ash execs the last simple command; `python -m exporter` (from the image) decides itself
    const metrics = byLabel(ls, 'metrics');
    assert.deepEqual(
      metrics.chain?.processes.map((p) => p.name),
      ['python'],
    );
    assert.equal(metrics.prediction?.outcome, 'unknown');
    const pg = byLabel(ls, 'postgres');
    assert.equal(pg.stop.graceSeconds, 60);
    assert.equal(pg.stopSignal.signal, 'SIGINT'); // the official image's STOPSIGNAL
    assert.match(pg.unresolved?.message ?? '', /image decides/); // args only: the image's entrypoint runs them
    const job = byLabel(ls, 'cleanup');
    assert.equal(job.where, 'CronJob/shop-cleanup spec.jobTemplate.spec.template.spec.containers[0]');
    assert.equal(job.prediction?.outcome, 'killed');
  });

  it('plain init containers are not stopped; restartable ones (sidecars) are', () => {
    const ls = launchesOf(path.join(FIX, 'sidecars.yaml'));
    assert.deepEqual(ls.map((l) => l.container).sort(), ['agent', 'log-shipper']);
    const side = byLabel(ls, 'log-shipper');
    assert.equal(side.sidecar, true);
    assert.match(side.where, /initContainers\[1\]$/);
    // a pipeline is never exec'd, not even by busybox ash
    assert.equal(side.prediction?.outcome, 'killed');
    const agent = byLabel(ls, 'agent');
    assert.deepEqual(agent.argv, ['/usr/local/bin/agent', '--config', '/shared/agent.conf']);
    assert.equal(agent.prediction?.outcome, 'graceful');
  });

  it('kind: List with a Pod and a ReplicaSet', () => {
    const ls = launchesOf(path.join(FIX, 'list.yaml'));
    assert.deepEqual(
      ls.map((l) => l.where),
      ['Pod/one items[0].spec.containers[0]', 'ReplicaSet/two items[1].spec.template.spec.containers[0]'],
    );
    assert.equal(ls[0]?.chain?.processes[0]?.role, 'package-manager');
    assert.equal(ls[1]?.prediction?.outcome, 'graceful');
  });

  it('a custom resource with a pod template at spec.template.spec', () => {
    const dir = repo({
      'rollout.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: debian:bookworm\n          command: [sh, -c, "svc --port 80"]\n',
    });
    const ls = launchesOf(path.join(dir, 'rollout.yaml'));
    assert.equal(ls[0]?.resource, 'Rollout/r');
    assert.equal(ls[0]?.prediction?.outcome, 'killed');
  });
});

describe('command and args against the image', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-k8s-repo-'));
  tmpDirs.push(dir);
  fs.cpSync(path.join(FIX, 'repo'), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, '.git'));
  const file = path.join(dir, 'deploy/api.yaml');

  it('args replace CMD and keep the ENTRYPOINT of the Dockerfile the image name links to', () => {
    const ls = launchesOf(file);
    const api = byLabel(ls, 'api');
    assert.deepEqual(api.argv, ['./entrypoint.sh', 'gunicorn', 'api.wsgi', '--workers', '4']);
    assert.match(api.imageConfig, /services\/api\/Dockerfile/);
    // the entrypoint script ends in exec "$@": gunicorn replaces it and is PID 1
    assert.equal(api.prediction?.outcome, 'graceful');
    assert.equal(api.prediction?.service.name, 'gunicorn');
  });

  it('command without args drops the image CMD', () => {
    const l = byLabel(launchesOf(file), 'api-migrate-only');
    assert.deepEqual(l.argv, ['python', 'manage.py', 'runserver']);
    assert.equal(l.cmd, undefined);
  });

  it('no command: the linked Dockerfile decides; an unknown image is said to decide', () => {
    const ls = launchesOf(file);
    assert.equal(byLabel(ls, 'worker').prediction?.outcome, 'killed');
    assert.equal(byLabel(ls, 'worker').cmd?.span.doc.file.endsWith('services/worker/Dockerfile'), true);
    assert.match(byLabel(ls, 'vendor').unresolved?.message ?? '', /image decides.*--image-map/);
    assert.equal(byLabel(ls, 'vendor').unresolved?.code, 'image-unseen');
  });

  it('--image-map links an image to a Dockerfile (and a target stage)', () => {
    fs.writeFileSync(path.join(dir, 'vendor.Dockerfile'), 'FROM alpine:3.20 AS base\nCMD ["thing"]\nFROM base AS debug\nCMD sh -c "thing --debug | tee /tmp/log"\n');
    const ls = launchesOf(file, { imageMap: { 'registry.example.com/vendor/thing': `${path.join(dir, 'vendor.Dockerfile')}#debug` } });
    const v = byLabel(ls, 'vendor');
    assert.match(v.imageConfig, /--image-map/);
    assert.equal(v.prediction?.outcome, 'killed'); // a pipeline: ash does not exec it
  });

  it("several Dockerfiles with the image's name: none is picked, and the message says so", () => {
    const d2 = repo({
      'a/api/Dockerfile': 'FROM debian:bookworm\nCMD ["x"]\n',
      'b/api/Dockerfile': 'FROM debian:bookworm\nCMD ["y"]\n',
      'k.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: acme/api\n',
    });
    const l = launchesOf(path.join(d2, 'k.yaml'))[0];
    assert.match(l?.unresolved?.message ?? '', /several Dockerfiles match/);
  });

  it("an older release pinned by digest is not linked to today's Dockerfile when the repository names a newer one", () => {
    const pod = (image: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`;
    const sha = (c: string): string => `@sha256:${c.repeat(64)}`;
    const d2 = repo({
      'src/frontend/Dockerfile': 'FROM python:3.12-slim\nCMD gunicorn -b :8080 app:app\n',
      'kubernetes-manifests/frontend.yaml': pod(`us-docker.pkg.dev/acme/shop/frontend:v0.6.10${sha('a')}`),
      'extras/old/frontend.yaml': pod(`gcr.io/acme-ci/frontend:v0.5.11${sha('b')}`),
      'extras/tag-only/frontend.yaml': pod('gcr.io/acme-ci/frontend:v0.5.11'),
    });
    // the newest release is today's Dockerfile: dash does not exec gunicorn
    const newest = launchesOf(path.join(d2, 'kubernetes-manifests/frontend.yaml'))[0];
    assert.match(newest?.imageConfig ?? '', /src\/frontend\/Dockerfile/);
    assert.equal(newest?.prediction?.outcome, 'killed');
    // the digest pins a build of an older release: its Dockerfile may not be today's
    const old = launchesOf(path.join(d2, 'extras/old/frontend.yaml'))[0];
    assert.equal(old?.prediction, undefined);
    assert.equal(old?.unresolved?.code, 'image-unseen');
    assert.match(old?.imageConfig ?? '', /newer v0\.6\.10/);
    // a tag alone may be rebuilt from today's source (sample repositories republish `hello-app:1.0`): linked
    const tagOnly = launchesOf(path.join(d2, 'extras/tag-only/frontend.yaml'))[0];
    assert.match(tagOnly?.imageConfig ?? '', /src\/frontend\/Dockerfile/);
  });

  it('$(VAR) from literal env values is expanded like the kubelet does, $$ escapes', () => {
    const e = expandK8s(
      charsOf(
        'exec $(BIN) --x $$(HOME) $(UNSET)',
        Array.from({ length: 33 }, (_, i) => i),
      ),
      new Map([['BIN', 'svc']]),
    );
    assert.equal(e.value, 'exec svc --x $(HOME) $(UNSET)');
    const d2 = repo({
      'p.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: debian:bookworm\n      env: [{name: SVC, value: svc}]\n      command: [sh, -c, "$(SVC) --port 80"]\n',
    });
    const l = launchesOf(path.join(d2, 'p.yaml'))[0];
    assert.deepEqual(l?.argv, ['sh', '-c', 'svc --port 80']);
    assert.equal(l?.substituted, true);
  });

  it('a command written as a string is an error (Kubernetes does not split it)', () => {
    const d2 = repo({ 'p.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: debian:bookworm\n      command: svc --port 80\n' });
    const r = lintFile(path.join(d2, 'p.yaml'));
    assert.match(r.files[0]?.errors[0]?.message ?? '', /command: must be a list/);
    assert.equal(r.files[0]?.errors[0]?.line, 8);
  });
});

describe('the stop path', () => {
  it('preStop: a distroless image has no sleep; a hook as long as the grace leaves 2 s', () => {
    const r = lintFile(path.join(FIX, 'distroless.yaml'));
    const f = findings(r);
    const missing = f.filter((x) => x.ruleId === 'k8s-prestop-missing-binary');
    assert.equal(missing.length, 1);
    assert.match(missing[0]?.message ?? '', /`sleep`.*distroless/);
    assert.match(missing[0]?.suggestion ?? '', /sleep: \{seconds: 25\}/);
    const grace = f.filter((x) => x.ruleId === 'k8s-prestop-exceeds-grace');
    assert.equal(grace.length, 1);
    assert.match(grace[0]?.message ?? '', /25 s of the 20 s grace period.*only 2 s/);
    assert.equal(grace[0]?.range.start.line, 19);
    // the sleep action needs nothing in the image, and 5 s < 20 s
    assert.equal(f.filter((x) => x.message.includes('api-sleep-action')).length, 0);
  });

  it('lifecycle.stopSignal is used, and needs spec.os.name', () => {
    const d = repo({
      'p.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: web\n      image: debian:bookworm\n      command: [nginx, -g, "daemon off;"]\n      lifecycle:\n        stopSignal: SIGQUIT\n',
    });
    const ls = launchesOf(path.join(d, 'p.yaml'));
    assert.equal(ls[0]?.stopSignal.signal, 'SIGQUIT');
    assert.equal(ls[0]?.prediction?.outcome, 'graceful');
    const f = findings(lintFile(path.join(d, 'p.yaml')));
    assert.deepEqual(
      f.map((x) => x.ruleId),
      ['k8s-stop-signal-needs-os'],
    );
    fs.writeFileSync(path.join(d, 'p.yaml'), fs.readFileSync(path.join(d, 'p.yaml'), 'utf8').replace('spec:\n', 'spec:\n  os: {name: linux}\n'));
    assert.deepEqual(findings(lintFile(path.join(d, 'p.yaml'))), []);
  });

  it('nginx without a stop signal of its own gets SIGQUIT from its image: no finding; SIGTERM from the pod spec is one', () => {
    const d = repo({
      'p.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  os: {name: linux}\n  containers:\n    - name: web\n      image: nginx:1.27\n      command: [nginx, -g, "daemon off;"]\n      lifecycle: {stopSignal: SIGTERM}\n',
    });
    const f = findings(lintFile(path.join(d, 'p.yaml')));
    assert.deepEqual(
      f.map((x) => x.ruleId),
      ['server-stop-signal'],
    );
    assert.equal(f[0]?.fix, undefined, 'no YAML edit for Kubernetes stop signals');
  });

  it('shareProcessNamespace: the main process is not PID 1, a different failure mode', () => {
    const ls = launchesOf(path.join(FIX, 'shared-pid.yaml'));
    const app = byLabel(ls, 'app');
    assert.equal(app.prediction?.outcome, 'abrupt'); // not "killed": no 30 s wait
    assert.match(app.prediction?.path.join('\n') ?? '', /not PID 1.*default action/s);
    // uvicorn installs its handlers: exec'd, the same as in its own namespace.
    assert.equal(byLabel(ls, 'app-execd').prediction?.outcome, 'graceful');
    // exec'd, but `python -m http.server` has no TERM handler: not PID 1, the default action ends it at once.
    assert.equal(byLabel(ls, 'http-server').prediction?.outcome, 'abrupt');
    // sleep has nothing to shut down: ending at once loses nothing.
    assert.equal(byLabel(ls, 'debug').prediction?.outcome, 'graceful');
    const f = findings(lintFile(path.join(FIX, 'shared-pid.yaml')));
    assert.deepEqual(
      f.map((x) => x.ruleId),
      ['k8s-shared-pid-namespace', 'k8s-shared-pid-namespace'],
    );
    assert.match(f[0]?.message ?? '', /not PID 1.*SIGKILLs `python`/);
    assert.ok(f[0]?.fix, 'exec fix');
  });

  it("hostPID is the same case: the host's init is PID 1", () => {
    const d = repo({
      'p.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers:\n    - name: c\n      image: debian:bookworm\n      command: [sh, -c, "svc --port 80"]\n',
    });
    const l = launchesOf(path.join(d, 'p.yaml'))[0];
    assert.equal(l?.prediction?.outcome, 'abrupt');
    const f = findings(lintFile(path.join(d, 'p.yaml')));
    assert.match(f[0]?.message ?? '', /with hostPID, `dash` is not PID 1/);
  });
});

describe('findings, formats and fixes', () => {
  it('helm template | pid1 lint -: findings point at the document and the field path', async () => {
    const text = fs.readFileSync(path.join(FIX, 'helm-template.yaml'), 'utf8');
    const at = lineCol(text, text.indexOf('gunicorn -w 2'));
    const r = await pid1(['lint', '-', '--format', 'json'], { input: text });
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout) as { files: { file: string; findings: Finding[] }[] };
    const all = json.files.flatMap((f) => f.findings);
    const web = all.find((x) => x.ruleId === 'shell-pid1' && x.range.start.line === at.line);
    assert.ok(web, JSON.stringify(all.map((x) => [x.ruleId, x.range.start.line])));
    assert.equal(web.file, '<stdin>');
    assert.equal(web.range.start.column, at.column); // the final command inside the -c string
    assert.match(web.related?.[0]?.message ?? '', /container web of Deployment\/shop-web \(from shop\/templates\/web.yaml\), document 3 of 5.*spec\.template\.spec\.containers\[0\]\.command\[2\]/);
    const cron = all.find((x) => x.related?.[0]?.message.includes('CronJob/shop-cleanup'));
    assert.ok(cron);
    assert.equal(cron.range.start.line, lineCol(text, text.indexOf('python manage.py cleanup')).line);
  });

  it('SARIF is valid against the 2.1.0 schema and carries the YAML positions', () => {
    const text = fs.readFileSync(path.join(FIX, 'helm-template.yaml'), 'utf8');
    const at = lineCol(text, text.indexOf('gunicorn -w 2'));
    const r = lintFile(path.join(FIX, 'helm-template.yaml'));
    const sarif = toSarif(r, '0.0.0') as { runs: { results: { locations: { physicalLocation: { region: { startLine: number; startColumn: number } } }[]; relatedLocations?: unknown[] }[] }[] };
    const schema = JSON.parse(fs.readFileSync(path.resolve(here, '../../test/fixtures/lint/sarif-schema-2.1.0.json'), 'utf8')) as object;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const ok = ajv.validate(schema, sarif);
    assert.ok(ok, JSON.stringify(ajv.errors?.slice(0, 3)));
    const regions = sarif.runs[0]?.results.map((x) => x.locations[0]?.physicalLocation.region);
    assert.ok(
      regions?.some((g) => g?.startLine === at.line && g.startColumn === at.column),
      JSON.stringify(regions),
    );
    assert.ok(sarif.runs[0]?.results.every((x) => (x.relatedLocations?.length ?? 0) >= 1));
  });

  it('--fix puts exec inside the -c string, keeps comments and layout, and is idempotent', async () => {
    const d = repo({ 'web.yaml': fs.readFileSync(path.join(FIX, 'helm-template.yaml'), 'utf8') });
    const file = path.join(d, 'web.yaml');
    const before = fs.readFileSync(file, 'utf8');
    const r = await pid1(['lint', '--fix', file]);
    assert.equal(r.code, 0, r.stdout + r.stderr); // everything left is graceful
    const after = fs.readFileSync(file, 'utf8');
    assert.equal(after, before.replace('cd /srv && gunicorn -w 2', 'cd /srv && exec gunicorn -w 2').replace('  python manage.py cleanup', '  exec python manage.py cleanup'));
    assert.match(after, /# gunicorn behind a shell: dash stays PID 1/);
    const again = await pid1(['lint', '--fix', file]);
    assert.equal(fs.readFileSync(file, 'utf8'), after, again.stdout);
  });

  it('fixes in block scalars and flow sequences land on the command', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: p}',
      'spec:',
      '  containers:',
      '    - name: a',
      '      image: debian:bookworm',
      '      command:',
      '        - sh',
      '        - -c',
      '        - |',
      '          ./migrate',
      '          svc --port 80 # start',
      '    - name: b',
      '      image: debian:bookworm',
      '      command: [sh, -c, svc --port 81]',
      '    - name: c',
      '      image: debian:bookworm',
      "      command: [sh, -c, 'cd /srv && svc --port ''82''']",
      '',
    ].join('\n');
    const d = repo({ 'p.yaml': text });
    const r = lintFile(path.join(d, 'p.yaml'));
    const fixed = planFixes(findings(r), (f) => r.docs.get(f)?.text)[0]?.after;
    assert.equal(
      fixed,
      text
        .replace('          svc --port 80', '          exec svc --port 80')
        .replace('[sh, -c, svc --port 81]', '[sh, -c, exec svc --port 81]')
        .replace("cd /srv && svc --port ''82''", "cd /srv && exec svc --port ''82''"),
    );
    // and the fixed manifest is clean
    const d2 = repo({ 'p.yaml': fixed ?? '' });
    assert.deepEqual(findings(lintFile(path.join(d2, 'p.yaml'))), []);
  });

  it('no fix where the text was substituted ($(VAR))', () => {
    const d = repo({
      'p.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: debian:bookworm\n      env: [{name: CMD, value: "svc --port 80"}]\n      command: [sh, -c, "$(CMD)"]\n',
    });
    const f = findings(lintFile(path.join(d, 'p.yaml')));
    assert.equal(f[0]?.ruleId, 'shell-pid1');
    assert.equal(f[0]?.fix, undefined);
  });

  it('inline suppression works in YAML comments', () => {
    const d = repo({
      'p.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: debian:bookworm\n      # pid1-ignore shell-pid1 -- a test pod\n      command: [sh, -c, "svc --port 80"]\n',
    });
    const r = lintFile(path.join(d, 'p.yaml'));
    assert.deepEqual(findings(r), []);
    assert.equal(r.files[0]?.suppressed.length, 1);
  });
});

describe('hostile and irrelevant YAML', () => {
  it('malformed YAML: a one-line error with file and line, the run goes on', async () => {
    const d = repo({
      'bad.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\nspec: {}\n',
      'good.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: debian:bookworm\n      command: [sh, -c, "svc"]\n',
    });
    const r = await pid1(['lint', d]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /bad\.yaml:\d+:\d+ +error +YAML syntax error/);
    assert.match(r.stdout, /good\.yaml:8:\d+ +error .*\[shell-pid1\]/);
    assert.doesNotMatch(r.stdout + r.stderr, /at .*\.js:\d+/); // no stack
  });

  it('an alias bomb is refused quickly, not expanded', async () => {
    const lines = ['apiVersion: v1', 'kind: Pod', 'metadata: {name: bomb}', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 20; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    lines.push('spec:', '  containers: &c', `    - {name: c, image: debian:bookworm, command: *a19}`);
    for (let i = 0; i < 30; i++) lines.push(`x${i}: *c`);
    const d = repo({ 'bomb.yaml': `${lines.join('\n')}\n` });
    // Not expanded: the reader resolves at most its budget of aliases, though the command alone would expand to 10^20 words.
    const store = new DocumentStore();
    const doc = store.read(path.join(d, 'bomb.yaml'), 'kubernetes');
    assert.ok(doc);
    lintKubernetesSource(doc, store, {});
    for (const y of parseYamlStream(doc).docs) assert.ok(MAX_ALIAS_RESOLUTIONS - y.budget.aliases <= MAX_ALIAS_RESOLUTIONS + 1, `${MAX_ALIAS_RESOLUTIONS - y.budget.aliases} alias resolutions`);
    const r = await pid1(['lint', path.join(d, 'bomb.yaml')], { timeout: 30_000 });
    assert.ok(r.code === 1 || r.code === 0, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|heap/i);
    // a billion-laughs list as the command: its words are aliases to lists, not strings; nothing is expanded
    assert.doesNotMatch(r.stdout, /internal error/);
  });

  it('aliases resolved over and over hit the budget and give a per-file error', () => {
    const lines = ['apiVersion: v1', 'kind: List', 'base: &p {apiVersion: v1, kind: ConfigMap, metadata: {name: p}, data: {a: b}}', 'items:'];
    for (let i = 0; i < 12000; i++) lines.push('  - *p');
    const d = repo({ 'many.yaml': `${lines.join('\n')}\n` });
    const store = new DocumentStore();
    const doc = store.read(path.join(d, 'many.yaml'), 'kubernetes');
    assert.ok(doc);
    const r = lintKubernetesSource(doc, store, {});
    assert.match(r.errors[0]?.message ?? '', /alias resolutions/);
  });

  it('deep nesting and huge files do not crash', async () => {
    const deep = `apiVersion: v1\nkind: Pod\nmetadata: {name: d}\nspec: ${'['.repeat(20000)}${']'.repeat(20000)}\n`;
    const huge = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: h}\ndata:\n  blob: "${'x'.repeat(9 * 1024 * 1024)}"\n`;
    const d = repo({ 'deep.yaml': deep, 'huge.yaml': huge });
    const r = await pid1(['lint', d], { timeout: 60_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /huge\.yaml +error +file is too large/);
    assert.doesNotMatch(r.stdout + r.stderr, /internal error/);
  });

  it('a walk lints Kubernetes YAML and compose files, and skips other YAML and Helm templates', async () => {
    const d = repo({
      '.github/workflows/ci.yml': 'name: ci\non: [push]\njobs: {build: {runs-on: ubuntu-latest, steps: [{run: "sh -c make"}]}}\n',
      'chart/templates/deploy.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: x\n          image: "{{ .Values.image }}"\n',
      'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: debian:bookworm\n      command: [sh, -c, "svc"]\n',
      'config.yaml': 'log_level: debug\nservices_enabled: true\n',
    });
    const r = await pid1(['lint', d, '--format', 'json']);
    const json = JSON.parse(r.stdout) as { files: { file: string }[] };
    assert.deepEqual(
      json.files.map((f) => path.basename(f.file)),
      ['pod.yaml'],
    );
  });

  it('a YAML file named on the command line with no Kubernetes objects says so', async () => {
    const d = repo({ 'config.yaml': 'log_level: debug\n' });
    const r = await pid1(['lint', path.join(d, 'config.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /no Kubernetes objects/);
  });
});

// IBM's cloud-native-starter: scripts/deploy-*.sh find the repository as `$(cd $(dirname $0); cd ..; pwd)`, cd into the
// service and build the image the manifest names (`docker build -f Dockerfile -t authors:1 .`)
it('links a manifest image to the build of a deploy script that finds its root as $(cd $(dirname $0); cd ..; pwd)', () => {
  const dir = repo({
    'scripts/deploy-authors.sh': '#!/bin/bash\nroot_folder=$(cd $(dirname $0); cd ..; pwd)\ncd ${root_folder}/authors-nodejs\ndocker build -f Dockerfile -t authors:1 .\n',
    'authors-nodejs/Dockerfile': 'FROM node:20-alpine\nWORKDIR /app\nCOPY server.js .\nCMD ["node", "server.js"]\n',
    'authors-nodejs/server.js': "require('http').createServer((q, r) => r.end('x')).listen(3000);\n",
    'authors-nodejs/deployment/kubernetes.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: authors}\nspec:\n  selector: {matchLabels: {app: authors}}\n  template:\n    metadata: {labels: {app: authors}}\n    spec:\n      containers:\n      - name: authors\n        image: authors:1\n',
  });
  tmpDirs.push(dir);
  const [l] = launchesOf(path.join(dir, 'authors-nodejs/deployment/kubernetes.yaml'));
  assert.equal(l?.imageSource, 'dockerfile', l?.imageConfig);
  assert.match(l?.imageConfig ?? '', /deploy-authors\.sh|authors-nodejs/);
  assert.equal(l?.prediction?.pid1.name, 'node');
});

/**
 * A CustomResourceDefinition (a schema, often a megabyte, never a pod) is not parsed (issue 13): the findings
 * of the other documents, their lines and columns stay exactly what a full parse gives; a file of CRDs alone is
 * still a Kubernetes file; a syntax error inside a CRD is not reported (its syntax is never read), one in a
 * Service or a workload still is.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeDocument } from '../src/document/document.js';
import { Linter } from '../src/lint/engine.js';
import { loadShellParser } from '../src/model/shell.js';
import { unparsedKind } from '../src/sources/kubernetes/pods.js';
import { parseYamlStream } from '../src/sources/yaml.js';

before(async () => {
  await loadShellParser();
});

const crd = (name: string): string =>
  [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    `metadata: {name: ${name}.example.com}`,
    'spec:',
    '  versions:',
    '  - name: v1',
    '    schema:',
    '      openAPIV3Schema:',
    '        properties:',
    '          containers:',
    '            items:',
    '              properties:',
    '                command: {type: array}',
    '',
  ].join('\n');

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: web}',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '      - name: web',
  '        image: python:3.12-slim',
  '        command: ["sh", "-c", "gunicorn app:app"]',
  '',
].join('\n');

const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n';

function lint(text: string, unreadOff = false): { id: string; line?: number; column?: number; message: string }[] {
  // unreadOff: every document parsed, the reference
  const linter = new Linter(unreadOff ? { parseEveryDocument: true } : {});
  const doc = makeDocument('k.yaml', text, 'kubernetes', '/nonexistent/k.yaml');
  linter.store.add(doc);
  linter.lint(doc);
  const r = linter.result();
  return r.files.flatMap((f) => [
    ...f.findings.map((x) => ({ id: x.ruleId, line: x.range.start.line, column: x.range.start.column, message: [x.message, ...(x.related ?? []).map((r) => r.message)].join(' | ') })),
    ...f.errors.map((e) => ({ id: 'error', line: e.line, column: e.column, message: e.message })),
  ]);
}

describe('CRDs are not parsed', () => {
  it('the kind at column 0: a CRD is not parsed; Services, ConfigMaps, workloads, custom resources, lists and JSON are', () => {
    assert.equal(unparsedKind(crd('a')), 'CustomResourceDefinition');
    assert.equal(unparsedKind('---\napiVersion: apiextensions.k8s.io/v1\nkind: "CustomResourceDefinition" # why\nspec: {}\n'), 'CustomResourceDefinition');
    assert.equal(unparsedKind(service), undefined);
    assert.equal(unparsedKind(deployment), undefined);
    assert.equal(unparsedKind('apiVersion: v1\nkind: ConfigMap\ndata: {run.sh: "exec x"}\n'), undefined);
    assert.equal(unparsedKind('apiVersion: ray.io/v1\nkind: RayCluster\nspec: {}\n'), undefined);
    // a nested kind is not the object's
    assert.equal(unparsedKind('apiVersion: v1\nkind: List\nitems:\n- kind: CustomResourceDefinition\n'), undefined);
    assert.equal(unparsedKind('{"apiVersion": "v1", "kind": "CustomResourceDefinition"}'), undefined);
  });

  it('a stream of CRD, Deployment, Service, CRD: only the Deployment is parsed; offsets of every document are kept', () => {
    const text = `---\n${crd('a')}---\n${deployment}---\n${service}---\n${crd('b')}`;
    const doc = makeDocument('k.yaml', text, 'kubernetes');
    const s = parseYamlStream(doc, unparsedKind);
    assert.deepEqual(s.errors, []);
    assert.deepEqual(
      s.docs.map((d) => d.unread ?? 'read'),
      ['CustomResourceDefinition', 'read', 'read', 'CustomResourceDefinition'],
    );
    const full = parseYamlStream(makeDocument('k.yaml', text, 'kubernetes'));
    assert.deepEqual(
      s.docs.map((d) => d.start),
      full.docs.map((d) => d.start),
    );
    assert.equal(s.docs[1]?.root?.range?.[0], full.docs[1]?.root?.range?.[0]);
  });

  it('a first document without `---` that is not read still counts: "document 2 of 2" in a finding', () => {
    const text = `# licence\n${crd('a')}---\n${deployment}`;
    const s = parseYamlStream(makeDocument('k.yaml', text, 'kubernetes'), unparsedKind);
    assert.deepEqual(
      s.docs.map((d) => d.unread ?? 'read'),
      ['CustomResourceDefinition', 'read'],
    );
    assert.deepEqual(lint(text), lint(text, true));
    assert.match(JSON.stringify(lint(text)), /document 2 of 2/);
  });

  it('findings, lines and columns are those of a full parse', () => {
    const text = `# CRDs first, as kustomize writes them\n${crd('a')}---\n${deployment}---\n${service}---\n${crd('b')}---\n${deployment.replace('name: web', 'name: web2')}`;
    const fast = lint(text);
    const whole = lint(text, true);
    assert.ok(
      fast.some((f) => f.id === 'stop-not-graceful' || f.id === 'shell-form-no-exec' || /gunicorn/.test(f.message)),
      JSON.stringify(fast),
    );
    assert.deepEqual(fast, whole);
  });

  it('a file of CRDs alone is a Kubernetes file with nothing to report (not "no Kubernetes objects")', () => {
    assert.deepEqual(lint(`${crd('a')}---\n${crd('b')}`), []);
  });

  it('a syntax error inside a CRD is not reported; one in a Service or a workload is, at its line', () => {
    const broken = crd('a').replace('        properties:', '        properties: [unclosed');
    assert.deepEqual(lint(`${broken}---\n${service}`), []);
    // the reference parses it: the error is there to be found
    assert.equal(lint(`${broken}---\n${service}`, true).filter((f) => f.id === 'error').length, 1);
    const serviceErr = lint(`${crd('a')}---\n${service.replace('{port: 80}', '{port: 80')}`).filter((f) => f.id === 'error');
    assert.equal(serviceErr.length, 1, JSON.stringify(serviceErr));
    const text = `${crd('a')}---\n${deployment.replace('command: ["sh"', 'command: ["sh" {')}`;
    const errs = lint(text).filter((f) => f.id === 'error');
    assert.equal(errs.length, 1, JSON.stringify(errs));
    assert.equal(errs[0]?.line, crd('a').split('\n').length + 10);
  });
});

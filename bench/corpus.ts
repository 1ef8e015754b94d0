/**
 * `pid1 lint` over a whole repository tree against the cost of reading it (issue 13): the whole CLI
 * (`pid1 lint --format json TREE`, node start-up included) against a node process that walks the same tree
 * and reads every file whose name pid1 looks at (_peer-walk-read.ts). Printed as pid1 / peer (lower is
 * better; the target is <= 4x), best of interleaved rounds.
 *
 * The tree: PID1_BENCH_CORPUS when set (the public corpus of corpus/README.md, fetched where it is allowed:
 * `PID1_BENCH_CORPUS=/work/corpus npm run bench -- corpus`), else a generated tree shaped like it:
 * Dockerfiles with entrypoint scripts, compose files, multi-document manifests with ConfigMap scripts,
 * CustomResourceDefinitions (a megabyte of schema each, as operators ship them) and CI YAML that is neither.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCorpus } from '../test/fixtures/lint/corpus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../src/cli/main.js');
const PEER = path.resolve(here, '_peer-walk-read.js');
const FLOOR = path.resolve(here, '_peer-yaml-parse.js');

function timeMs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** A CRD with `properties` deep enough to weigh about `kb` kilobytes, like the operators' generated ones. */
function crd(name: string, kb: number): string {
  const lines = [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    `metadata:\n  name: ${name}s.example.com`,
    'spec:',
    '  group: example.com',
    '  names:',
    `    kind: ${name}`,
    '  versions:',
    '  - name: v1',
    '    schema:',
    '      openAPIV3Schema:',
    '        properties:',
  ];
  let size = 0;
  for (let i = 0; size < kb * 1024; i++) {
    const block = [
      `          field${i}:`,
      '            description: a field of the pod template, as controller-gen writes it for every property',
      '            properties:',
      '              containers:',
      '                items:',
      '                  properties:',
      '                    command: {items: {type: string}, type: array}',
      '                    image: {type: string}',
      '                  type: object',
      '                type: array',
      '            type: object',
    ];
    size += block.join('\n').length;
    lines.push(...block);
  }
  return `${lines.join('\n')}\n`;
}

function writeMixedTree(root: string): void {
  writeCorpus(root, 800, 4321, false);
  for (let i = 0; i < 200; i++) {
    const dir = path.join(root, 'apps', `app${i}`);
    fs.mkdirSync(path.join(dir, 'k8s'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      [
        'services:',
        '  web:',
        '    build: .',
        `    command: gunicorn --workers ${1 + (i % 4)} app:app`,
        '    ports: ["127.0.0.1:8000:8000"]',
        '  worker:',
        '    image: python:3.12-slim',
        `    command: sh -c "python worker.py --queue q${i}"`,
        '  redis:',
        '    image: redis:7',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'k8s', 'deploy.yaml'),
      [
        'apiVersion: v1',
        'kind: Service',
        `metadata: {name: app${i}}`,
        'spec: {ports: [{port: 80}]}',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        `metadata: {name: app${i}-run}`,
        'data:',
        '  run.sh: |',
        '    #!/bin/sh',
        '    set -e',
        '    python migrate.py',
        '    exec gunicorn app:app',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        `metadata: {name: app${i}}`,
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `      - name: app${i}`,
        '        image: python:3.12-slim',
        '        command: ["/bin/sh", "/scripts/run.sh"]',
        '        volumeMounts: [{name: run, mountPath: /scripts}]',
        '      volumes:',
        `      - name: run`,
        `        configMap: {name: app${i}-run}`,
        '',
      ].join('\n'),
    );
    fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, '.github', 'workflows', 'ci.yaml'),
      'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v4\n    - run: make test\n',
    );
  }
  const crds = path.join(root, 'operator', 'config', 'crd');
  fs.mkdirSync(crds, { recursive: true });
  for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(crds, `example.com_kind${i}.yaml`), `---\n${crd(`Kind${i}`, 1000)}`);
}

export interface CorpusBench {
  tree: string;
  pid1Ms: number;
  peerMs: number;
  ratio: number;
  /** walk + read + the `yaml` parser alone over the same YAML, against walk + read: the lowest ratio pid1 can reach. */
  floorMs: number;
  floorRatio: number;
}

export function measure(rounds = 3): CorpusBench {
  const given = process.env.PID1_BENCH_CORPUS;
  const root = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-bench-corpus-'));
  try {
    if (!given) writeMixedTree(root);
    const ours = (): void => {
      try {
        execFileSync(process.execPath, [CLI, 'lint', '--format', 'json', root], { stdio: 'pipe', maxBuffer: 1 << 30 });
      } catch (e) {
        if ((e as { status?: number }).status !== 1) throw e;
      }
    };
    const peer = (): void => {
      execFileSync(process.execPath, [PEER, root], { stdio: 'pipe', maxBuffer: 1 << 30 });
    };
    const floor = (): void => {
      execFileSync(process.execPath, [FLOOR, root], { stdio: 'pipe', maxBuffer: 1 << 30 });
    };
    ours();
    peer(); // page cache and compile cache warm for both
    floor();
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < rounds; i++) {
      a.push(timeMs(ours));
      b.push(timeMs(peer));
      c.push(timeMs(floor));
    }
    const pid1Ms = Math.min(...a);
    const peerMs = Math.min(...b);
    const floorMs = Math.min(...c);
    return {
      tree: given ?? 'a generated tree (800 Dockerfiles and their scripts, 200 apps with compose and manifests, 8 CRDs of 1 MB, CI YAML)',
      pid1Ms,
      peerMs,
      ratio: pid1Ms / peerMs,
      floorMs,
      floorRatio: floorMs / peerMs,
    };
  } finally {
    if (!given) fs.rmSync(root, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const r = measure();
  console.log(`pid1 lint over ${r.tree}, against a node process that walks it and reads the same files (target <= 4x):`);
  console.log(`  pid1 lint ${r.pid1Ms.toFixed(0)} ms, walk + read ${r.peerMs.toFixed(0)} ms: ratio ${r.ratio.toFixed(2)}x`);
  console.log(`  floor: walk + read + the yaml library's parser alone (no composing) ${r.floorMs.toFixed(0)} ms: ${r.floorRatio.toFixed(2)}x of walk + read`);
}

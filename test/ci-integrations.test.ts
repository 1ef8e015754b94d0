/**
 * The CI integrations as written in the repository: action.yml's shell steps run as the GitHub runner
 * runs a composite action's `run:` steps (bash -eo pipefail, inputs through `${{ }}` expressions into
 * the step's env, outputs through $GITHUB_OUTPUT); the steps that use other actions (setup-node,
 * upload-sarif) are checked for what they are given. The GitLab snippet in docs/ci.md runs as a job's
 * script lines (one shell), with `npx pid1` resolving to this build.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CLI } from './helpers/cli.js';
import { run, tempDir } from './helpers/exec.js';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Action;

function validator(schemaFile: string): ((d: unknown) => boolean) & { errors?: unknown } {
  const Ajv2020 = (require('ajv/dist/2020') as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } }).default;
  const addFormats = (require('ajv-formats') as { default: (a: unknown) => void }).default;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, schemaFile), 'utf8')) as object);
}

interface ActionRun {
  log: string;
  failed: boolean;
  outputs: Record<string, string>;
  uses: { uses: string; with: Record<string, string>; if?: string }[];
}

/** Run the composite action in `workspace` with these inputs, as a runner would. */
async function runAction(workspace: string, given: Record<string, string>): Promise<ActionRun> {
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) inputs[k] = given[k] ?? v.default ?? '';
  const outputs: Record<string, Record<string, string>> = {};
  const evaluate = (e: string): string => {
    const x = e.trim();
    if (x === 'github.action_path') return ROOT;
    let m = /^inputs\.([\w-]+)$/.exec(x);
    if (m) return inputs[m[1] as string] ?? '';
    m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(x);
    if (m) return outputs[m[1] as string]?.[m[2] as string] ?? '';
    throw new Error(`the harness does not evaluate \${{ ${x} }}`);
  };
  const subst = (s: string): string => s.replace(/\$\{\{(.+?)\}\}/g, (_m, e: string) => evaluate(e));
  const out: ActionRun = { log: '', failed: false, outputs: {}, uses: [] };
  for (const step of action.runs.steps) {
    if (step.uses) {
      out.uses.push({ uses: step.uses, with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, subst(String(v))])), ...(step.if ? { if: step.if } : {}) });
      continue;
    }
    // a step without `if` runs only while nothing failed (success()); `always()` runs anyway
    if (step.if && step.if.trim() !== 'always()') throw new Error(`the harness does not evaluate if: ${step.if}`);
    if (out.failed && !step.if) continue;
    assert.equal(step.shell, 'bash');
    const outFile = path.join(tempDir('pid1-gh-out-'), 'output');
    fs.writeFileSync(outFile, '');
    const script = path.join(path.dirname(outFile), 'step.sh');
    fs.writeFileSync(script, step.run ?? '');
    const env = {
      ...process.env,
      NO_COLOR: '1',
      GITHUB_OUTPUT: outFile,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_WORKSPACE: workspace,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, subst(String(v))])),
    };
    // the runner's command for `shell: bash`
    const r = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: step['working-directory'] ? subst(step['working-directory']) : workspace, env });
    out.log += r.stdout + r.stderr;
    if (step.id)
      outputs[step.id] = Object.fromEntries(
        fs
          .readFileSync(outFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    if (r.code !== 0) out.failed = true;
  }
  for (const [k, v] of Object.entries(action.outputs)) out.outputs[k] = subst(v.value);
  return out;
}

function workspace(files: Record<string, string>): string {
  const dir = tempDir('pid1-gh-ws-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const BAD = 'FROM python:3.12-slim\nENTRYPOINT gunicorn app:app\n';
const GOOD = 'FROM python:3.12-slim\nENTRYPOINT ["gunicorn", "app:app"]\n';
const WARN = 'FROM node:20\nCMD ["node", "server.js"]\n';

test('GitHub Action: SARIF for code scanning (valid SARIF 2.1.0), findings in the log, the step fails after the upload', async () => {
  assert.equal(action.runs.using, 'composite');
  const ws = workspace({ Dockerfile: BAD, 'svc/Dockerfile': GOOD });
  const r = await runAction(ws, {});
  assert.equal(r.failed, true, r.log);
  assert.equal(r.outputs['exit-code'], '1');
  assert.match(r.log, /Dockerfile:2:12 +error +PID 1 is `dash -c`/);
  assert.match(r.log, /pid1 lint exited with status 1/);
  const sarif = JSON.parse(fs.readFileSync(path.join(ws, 'pid1.sarif'), 'utf8')) as {
    runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
  };
  const validate = validator('test/fixtures/lint/sarif-schema-2.1.0.json');
  assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 1));
  assert.deepEqual(
    sarif.runs[0]?.results.map((x) => [x.ruleId, x.locations[0]?.physicalLocation.artifactLocation.uri]),
    [['shell-pid1', 'Dockerfile']],
  );
  // the other actions it uses, and what it hands them
  const upload = r.uses.find((u) => u.uses.startsWith('github/codeql-action/upload-sarif@'));
  assert.ok(upload, JSON.stringify(r.uses));
  assert.equal(upload.with.sarif_file, 'pid1.sarif');
  assert.equal(upload.with.category, 'pid1');
  assert.match(upload.if ?? '', /always\(\)/, 'uploaded also when the lint step found errors');
  assert.equal(r.uses.find((u) => u.uses.startsWith('actions/setup-node@'))?.with['node-version'], '20');
});

test('GitHub Action: fail-on, paths, args and annotations', async () => {
  const ws = workspace({ 'web/Dockerfile': GOOD, 'api/Dockerfile': WARN, 'old/Dockerfile': BAD, 'multi/Dockerfile': `FROM debian AS dev\nCMD svc\n${GOOD}` });
  const clean = await runAction(ws, { paths: 'web api' });
  assert.equal(clean.failed, false, clean.log);
  assert.equal(clean.outputs['exit-code'], '0');
  const warn = await runAction(ws, { paths: 'web api', 'fail-on': 'warning', annotations: 'true', 'sarif-file': 'out/x.sarif' });
  assert.equal(warn.failed, true);
  assert.match(warn.log, /^::warning file=api\/Dockerfile,line=2,/m);
  assert.ok(fs.existsSync(path.join(ws, 'out/x.sarif')), warn.log);
  // args reach pid1 lint: the dev stage as the target makes its shell form an error
  const dev = await runAction(ws, { paths: 'multi', args: '--target dev' });
  assert.equal(dev.outputs['exit-code'], '1', dev.log);
  // pid1 could not run (no such path): exit 2, and the step fails
  const broken = await runAction(ws, { paths: 'nowhere' });
  assert.equal(broken.outputs['exit-code'], '2');
  assert.equal(broken.failed, true);
});

test('GitLab CI: the documented job writes a valid Code Quality report, shows the findings and fails on them', async () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/ci.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## GitLab CI'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block);
  const job = (parse(block) as Record<string, { script: string[]; artifacts: { when: string; reports: { codequality: string } } }>).pid1;
  assert.ok(job);
  assert.equal(job.artifacts.when, 'always');
  // `npx pid1` finds this build as the project's own bin (npx looks there before the registry)
  const project = (files: Record<string, string>): string => {
    const dir = workspace({ ...files, 'package.json': '{"name":"app","private":true}\n' });
    fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules/.bin/pid1'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`, { mode: 0o755 });
    return dir;
  };
  // a job's script lines run in one shell, which stops at the first failing line
  const runJob = (dir: string): Promise<{ code: number; stdout: string; stderr: string }> => run('bash', ['-e', '-c', job.script.join('\n')], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const validate = validator('test/fixtures/lint/gitlab-code-quality.schema.json');

  const bad = project({ Dockerfile: BAD, 'svc/Dockerfile': WARN });
  const r = await runJob(bad);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /Dockerfile:2:12 +error +PID 1 is `dash -c`/);
  const report = JSON.parse(fs.readFileSync(path.join(bad, job.artifacts.reports.codequality), 'utf8')) as { check_name: string; severity: string }[];
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 1));
  assert.deepEqual(report.map((x) => `${x.check_name}:${x.severity}`).sort(), ['program-decides:minor', 'shell-pid1:major']);

  const good = project({ Dockerfile: GOOD });
  const ok = await runJob(good);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(good, job.artifacts.reports.codequality), 'utf8')), []);
});

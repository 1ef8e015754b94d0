/**
 * deploy/node-audit.yaml: lint-clean by pid1's own rules, least privilege, and mounting the task
 * bundles where the containerd adapter looks by default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { pid1 } from './helpers/cli.js';
import { DEFAULT_STATE_DIRS, TASK_DIR } from '../src/runtime/containerd.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MANIFEST = path.resolve(here, '../../deploy/node-audit.yaml');

interface Container {
  command?: string[];
  securityContext?: { capabilities?: { drop?: string[]; add?: string[] }; readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; privileged?: boolean; runAsUser?: number };
  resources?: { limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  hostPID?: boolean;
  automountServiceAccountToken?: boolean;
  containers: Container[];
  volumes?: { name: string; hostPath?: { path: string } }[];
}

test('node audit DaemonSet: pid1 lint finds nothing', async () => {
  const r = await pid1(['lint', MANIFEST]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^no problems in 1 file$/m);
});

test('node audit DaemonSet: hostPID, exec form, only CAP_SYS_PTRACE, read-only everything, limits, and the task bundles where the adapter looks', () => {
  const docs = parseAllDocuments(fs.readFileSync(MANIFEST, 'utf8')).map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: PodSpec } } });
  const ds = docs.find((d) => d.kind === 'DaemonSet');
  const spec = ds?.spec?.template?.spec;
  assert.ok(spec);
  assert.equal(spec.hostPID, true);
  assert.equal(spec.automountServiceAccountToken, false);
  const [c] = spec.containers;
  assert.ok(c);
  assert.deepEqual(c.command?.slice(0, 6), ['pid1', 'inspect', '--all', '--runtime', 'containerd', '--json-lines']);
  assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'], add: ['SYS_PTRACE'] });
  assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext?.privileged, false);
  assert.ok(c.resources?.limits?.cpu && c.resources.limits.memory);
  assert.ok(c.volumeMounts?.length);
  for (const m of c.volumeMounts ?? []) assert.equal(m.readOnly, true, m.name);
  const taskDir = path.join(DEFAULT_STATE_DIRS[0] as string, TASK_DIR);
  assert.deepEqual(
    c.volumeMounts?.map((m) => m.mountPath),
    [taskDir],
  );
  assert.deepEqual(
    spec.volumes?.map((v) => v.hostPath?.path),
    [taskDir],
  );
  assert.equal(JSON.stringify(spec).includes('containerd.sock'), false, 'no socket: the audit cannot drive containerd');
});

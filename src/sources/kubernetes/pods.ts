/**
 * Where the pod specs are in a Kubernetes object: Pod (`spec`), CronJob (`spec.jobTemplate.spec.template.spec`),
 * PodTemplate (`template.spec`), and anything else with a pod template at `spec.template.spec` (Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController, and CRDs that follow the convention);
 * `kind: List` and `*List` items.
 */
import { deref, get, items, scalarString, type YamlDoc, type YNode } from '../yaml.js';

export interface PodSpecAt {
  spec: YNode;
  path: (string | number)[];
  resource: string;
  kind: string;
}

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  PodTemplate: ['template', 'spec'],
};

function walkTo(y: YamlDoc, node: YNode | null | undefined, keys: readonly string[]): YNode | undefined {
  let cur: YNode | undefined = deref(y, node);
  for (const k of keys) {
    cur = cur ? deref(y, get(y, cur, k)?.value) : undefined;
    if (!cur) return undefined;
  }
  return cur;
}

/** `needApiVersion`: a walk's test for a Kubernetes object; a manifest given to run is read by `kind` alone. */
export function podSpecs(y: YamlDoc, node: YNode | null | undefined, at: (string | number)[], out: PodSpecAt[], depth = 0, needApiVersion = true): void {
  if (depth > 8) return;
  const kind = scalarString(y, get(y, node, 'kind')?.value);
  const apiVersion = scalarString(y, get(y, node, 'apiVersion')?.value);
  if (!kind || (!apiVersion && needApiVersion)) return;
  const list = items(y, get(y, node, 'items')?.value);
  if (list && kind.endsWith('List')) {
    list.forEach((it, i) => podSpecs(y, it, [...at, 'items', i], out, depth + 1, needApiVersion));
    return;
  }
  const meta = get(y, node, 'metadata')?.value;
  const name = scalarString(y, get(y, meta, 'name')?.value) ?? scalarString(y, get(y, meta, 'generateName')?.value) ?? '?';
  const resource = `${kind}/${name}`;
  const known = POD_SPEC_PATHS[kind];
  const candidates = known ? [known] : [['spec', 'template', 'spec'], ['spec', 'jobTemplate', 'spec', 'template', 'spec']];
  for (const keys of candidates) {
    const spec = walkTo(y, node, keys);
    if (spec && get(y, spec, 'containers')) { out.push({ spec, path: [...at, ...keys], resource, kind }); return; }
  }
}


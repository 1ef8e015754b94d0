/**
 * Where the pod specs are in a Kubernetes object. The workload kinds of the API by their path: Pod (`spec`),
 * CronJob (`spec.jobTemplate.spec.template.spec`), PodTemplate (`template.spec`), Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, Job, ReplicationController (`spec.template.spec`); `kind: List` and `*List` items.
 *
 * Any other kind (custom resources: LeaderWorkerSet, JobSet, MPIJob, PyTorchJob, RayCluster/RayJob/RayService,
 * Knative Services, KServe, Argo Workflows...) is searched by shape under `spec`: a mapping whose `containers`
 * is a list of mappings with an `image` is a pod spec, wherever it is. Argo Workflows also runs a template's
 * `container:` or `script:` (one container, named `main`) and `containerSet.containers`; `steps`/`dag` only
 * call other templates. The search is bounded in depth, nodes and pod specs per document.
 */
import type { YAMLSeq } from 'yaml';
import { deref, entries, get, isMap, isSeq, items, scalarString, type YamlDoc, type YNode } from '../yaml.js';

/** Who puts something in front of, or in place of, the command the manifest writes. */
export type Operator =
  /** Argo Workflows: `argoexec emissary -- COMMAND` is PID 1 of every template container. */
  | 'argo'
  /** KubeRay: the Ray container (the first) of a head or worker group gets a generated `ray start` command. */
  | 'kuberay';

export interface PodSpecAt {
  /** The pod spec mapping (for an Argo `container:`/`script:` template: the template). */
  spec: YNode;
  path: (string | number)[];
  resource: string;
  kind: string;
  /** Argo's `container:` or `script:`: the one container of the template's pod, named `main`. */
  single?: { key: 'container' | 'script'; node: YNode };
  operator?: Operator;
  /** The object's `metadata.annotations` (KubeRay reads `ray.io/overwrite-container-cmd` there). */
  annotations?: YNode;
}

const BY_PATH: Record<string, string[]> = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
};

/** Kinds that hold no pod: their `spec` is not searched (a CRD's schema has `containers:` properties). */
const NO_PODS = new Set([
  'CustomResourceDefinition',
  'ConfigMap',
  'Secret',
  'Service',
  'Ingress',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ServiceAccount',
  'Namespace',
  'NetworkPolicy',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'StorageClass',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'PriorityClass',
  'LimitRange',
  'ResourceQuota',
]);

/**
 * For the parse: a CustomResourceDefinition is a schema (often a megabyte of it, with `containers:` properties)
 * and never a pod, so its document is not parsed at all; read from its text: the first `kind:` at column 0 is
 * the object's own (nested keys are indented; a JSON or flow document has none there and is parsed). The other
 * pod-free kinds are small and parsed, so their syntax errors are still reported.
 */
export function unparsedKind(raw: string): string | undefined {
  const kind = /^kind:[ \t]*["']?([A-Za-z][\w.-]*)["']?[ \t]*(?:#.*)?$/m.exec(raw)?.[1];
  return kind === 'CustomResourceDefinition' ? kind : undefined;
}

/** Bounds of the shape search in one object: nesting below `spec`, nodes visited, pod specs found. */
const MAX_SEARCH_DEPTH = 24;
const MAX_SEARCH_NODES = 20_000;
const MAX_PODS = 512;

function walkTo(y: YamlDoc, node: YNode | null | undefined, keys: readonly string[]): YNode | undefined {
  let cur: YNode | undefined = deref(y, node);
  for (const k of keys) {
    cur = cur ? deref(y, get(y, cur, k)?.value) : undefined;
    if (!cur) return undefined;
  }
  return cur;
}

/** A container mapping: it names an image. */
function hasImage(y: YamlDoc, node: YNode | undefined): boolean {
  return isMap(node) && scalarString(y, get(y, node, 'image')?.value) !== undefined;
}

/** `containers:` is a list of mappings, one with an image (or, at a `template.spec`, any list: a partial manifest). */
function isPodSpec(y: YamlDoc, node: YNode, path: readonly (string | number)[]): boolean {
  const list = items(y, get(y, node, 'containers')?.value);
  if (!list || list.length === 0 || !list.every((c) => isMap(c))) return false;
  return list.some((c) => hasImage(y, c)) || (path[path.length - 1] === 'spec' && path[path.length - 2] === 'template');
}

interface Search {
  y: YamlDoc;
  out: PodSpecAt[];
  base: Omit<PodSpecAt, 'spec' | 'path'>;
  argo: boolean;
  nodes: number;
}

/** Depth-first, keys in file order: the order launches get their `(2)` suffixes in. */
function search(s: Search, raw: YNode | null | undefined, path: (string | number)[], depth: number): void {
  if (depth > MAX_SEARCH_DEPTH || ++s.nodes > MAX_SEARCH_NODES || s.out.length >= MAX_PODS) return;
  const node = deref(s.y, raw);
  if (isSeq(node)) {
    (node as YAMLSeq).items.forEach((it, i) => {
      search(s, it as YNode, [...path, i], depth + 1);
    });
    return;
  }
  if (!isMap(node)) return;
  if (isPodSpec(s.y, node, path)) s.out.push({ ...s.base, spec: node, path, ...(s.argo && path.includes('templates') ? { operator: 'argo' as const } : {}) });
  if (s.argo) {
    for (const key of ['container', 'script'] as const) {
      const c = deref(s.y, get(s.y, node, key)?.value);
      if (c && hasImage(s.y, c) && (get(s.y, node, 'name') || path.includes('templates'))) {
        s.out.push({ ...s.base, spec: node, path, single: { key, node: c }, operator: 'argo' });
      }
    }
  }
  // entries() applies `<<` merges, so a pod spec brought in by a merge is found where it is used
  for (const [k, e] of entries(s.y, node)) {
    if (k === 'containers' || k === 'initContainers' || k === 'ephemeralContainers') continue;
    search(s, e.value, [...path, k], depth + 1);
  }
}

/** `needApiVersion`: a walk's test for a Kubernetes object; a manifest given to run is read by `kind` alone. */
/** The API groups of the built-in workload kinds (`v1` is the core group: no slash). */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'extensions']);

export function podSpecs(y: YamlDoc, node: YNode | null | undefined, at: (string | number)[], out: PodSpecAt[], depth = 0, needApiVersion = true): void {
  if (depth > 8) return;
  const kind = scalarString(y, get(y, node, 'kind')?.value);
  const apiVersion = scalarString(y, get(y, node, 'apiVersion')?.value);
  if (!kind || (!apiVersion && needApiVersion)) return;
  const list = items(y, get(y, node, 'items')?.value);
  if (list && kind.endsWith('List')) {
    list.forEach((it, i) => {
      podSpecs(y, it, [...at, 'items', i], out, depth + 1, needApiVersion);
    });
    return;
  }
  const meta = get(y, node, 'metadata')?.value;
  const name = scalarString(y, get(y, meta, 'name')?.value) ?? scalarString(y, get(y, meta, 'generateName')?.value) ?? '?';
  const resource = `${kind}/${name}`;
  const group = (apiVersion ?? '').includes('/') ? ((apiVersion ?? '').split('/')[0] ?? '') : '';
  // a built-in kind only in its own API group: volcano's batch.volcano.sh Job keeps its pods in spec.tasks[]
  const known = BUILT_IN_GROUPS.has(group) ? BY_PATH[kind] : undefined;
  if (known) {
    const spec = walkTo(y, node, known);
    if (spec && get(y, spec, 'containers')) out.push({ spec, path: [...at, ...known], resource, kind });
    return;
  }
  if (NO_PODS.has(kind)) return;
  const annotations = get(y, meta, 'annotations')?.value;
  const found: PodSpecAt[] = [];
  search({ y, out: found, base: { resource, kind, ...(annotations ? { annotations } : {}) }, argo: group === 'argoproj.io', nodes: 0 }, get(y, node, 'spec')?.value, [...at, 'spec'], 0);
  for (const p of found) {
    // KubeRay's head and worker groups (ray.io): the first container is the Ray container whose command it writes.
    if (group === 'ray.io' && p.path.some((k) => k === 'headGroupSpec' || k === 'workerGroupSpecs')) p.operator = 'kuberay';
    out.push(p);
  }
}

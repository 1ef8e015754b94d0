/**
 * The Kubernetes source: every container of every pod template in a YAML stream (multi-document,
 * `kind: List` and `*List`), with its launch and the kubelet's stop sequence; and the resolution of a
 * manifest to what the kubelet runs (`pid1 test --manifest`). Both read each container once (container.ts).
 *
 * Containers, and init containers with `restartPolicy: Always` (sidecars, stopped with the pod). Plain init
 * containers have exited before the pod runs: nothing stops them, so they get no stop findings.
 */
import path from 'node:path';
import type { Document, FileError, Span } from '../../document/document.js';
import { DocumentStore } from '../../document/store.js';
import type { ImageConfig } from '../image-config.js';
import { looksLikeKubernetes } from '../kinds.js';
import { yamlTemplate } from '../templates.js';
import type { ContainerSpec, SourceOptions, SourceResult } from '../launch.js';
import { get, items, parseYamlStream, scalarString, YamlLimitError, type YamlDoc, type YNode } from '../yaml.js';
import { ConfigMapIndex } from './configmaps.js';
import { launchOfContainer, readContainer, specOfContainer, type ContainerReading, type ReadContext } from './container.js';
import { ImageLinker, linkerFor, repoRoot } from '../image-links.js';
import { kustomizedImage } from './kustomize-images.js';
import { linkedImageConfig } from '../linked-image.js';
import { unparsedKind, podSpecs, type PodSpecAt } from './pods.js';

export interface KubernetesOptions extends SourceOptions {
  /** Dockerfiles the run found (absolute paths); otherwise the repository is searched when an image needs linking. */
  dockerfiles?: readonly string[];
  /** Shared across the files of a run. */
  linker?: ImageLinker;
  /** The file was named on the command line or read from stdin: report what is not Kubernetes. */
  explicit?: boolean;
  /** Parse every document, also those no reader looks into (a CRD): the reference the tests hold the fast path to. */
  parseEveryDocument?: boolean;
}

/** Every container the kubelet stops with the pod: containers, and sidecar init containers. */
function eachContainer(doc: Document, y: YamlDoc, pods: PodSpecAt[], configMaps: ConfigMapIndex | undefined, visit: (r: ContainerReading) => void): void {
  const namespace = scalarString(y, get(y, get(y, y.root, 'metadata')?.value, 'namespace')?.value);
  const ctx: ReadContext = { ...(configMaps ? { configMaps } : {}), ...(namespace ? { namespace } : {}) };
  for (const pod of pods) {
    // Argo's `container:`/`script:`: the pod's one user container, named main
    if (pod.single) {
      visit(readContainer(doc, y, pod, pod.single.node, 'containers', 0, { ...ctx, name: 'main' }));
      continue;
    }
    for (const list of ['containers', 'initContainers'] as const) {
      (items(y, get(y, pod.spec, list)?.value) ?? []).forEach((c: YNode, i: number) => {
        // an init container is stopped with the pod only when it is a sidecar (restartPolicy: Always)
        if (list === 'initContainers' && scalarString(y, get(y, c, 'restartPolicy')?.value) !== 'Always') return;
        visit(readContainer(doc, y, pod, c, list, i, ctx));
      });
    }
  }
}

/** One ConfigMap index per run (its store): a folder's manifests are read once. */
const configMapIndexes = new WeakMap<DocumentStore, ConfigMapIndex>();

function configMapsOf(store: DocumentStore): ConfigMapIndex {
  let ix = configMapIndexes.get(store);
  if (!ix) {
    ix = new ConfigMapIndex(store);
    configMapIndexes.set(store, ix);
  }
  return ix;
}

/** Image configs of one manifest file: linked Dockerfiles analysed once per image. */
class ImageConfigs {
  private readonly byImage = new Map<string, ImageConfig>();
  constructor(
    readonly store: DocumentStore,
    readonly opts: KubernetesOptions,
    readonly linker: ImageLinker,
    /** The manifest's folder: a placeholder image there may be its own Dockerfile's build (image-links.ts linkBeside). */
    readonly beside?: string,
    /** The manifest file: a kustomization that builds it may rename its images. */
    readonly manifest?: string,
  ) {}

  get(image: string, where: Span): ImageConfig {
    const have = this.byImage.get(image);
    if (have) return have;
    const renamed = this.manifest ? kustomizedImage(this.store, this.manifest, image) : undefined;
    const cfg = linkedImageConfig(renamed?.image ?? image, where, this.store, this.opts, this.linker, undefined, this.beside);
    if (renamed) cfg.describe = `${renamed.how}; ${cfg.describe}`;
    this.byImage.set(image, cfg);
    return cfg;
  }
}

/** Lint one YAML stream of Kubernetes manifests. Files with no Kubernetes object give nothing. */
export function lintKubernetesSource(doc: Document, store: DocumentStore, opts: KubernetesOptions = {}): SourceResult {
  // A Helm chart's template is not a manifest until `helm template` renders it.
  const template = yamlTemplate(doc);
  if (template) return { doc, launches: [], errors: [], notices: [template] };
  const result: SourceResult = { doc, launches: [], errors: [] };
  const linker = opts.linker ?? new ImageLinker(opts.imageMap ?? {}, opts.dockerfiles, repoRoot(doc.absPath ? path.dirname(doc.absPath) : process.cwd()));
  const images = new ImageConfigs(store, opts, linker, doc.absPath ? path.dirname(doc.absPath) : undefined, doc.absPath);
  // a CRD's schema holds no pod and is not parsed (about two thirds of a repository's YAML by size where it
  // ships CRDs)
  const stream = parseYamlStream(doc, opts.parseEveryDocument ? undefined : unparsedKind);
  const isK8s = opts.explicit || looksLikeKubernetes(doc.text);
  if (stream.errors.length && isK8s) result.errors.push(...stream.errors);
  const fileErrors: FileError[] = [];
  let objects = 0;
  for (const y of stream.docs) {
    if (y.unread !== undefined) {
      objects++;
      continue;
    }
    try {
      const pods: PodSpecAt[] = [];
      if (scalarString(y, get(y, y.root, 'kind')?.value)) objects++;
      podSpecs(y, y.root, [], pods);
      eachContainer(doc, y, pods, configMapsOf(store), (r) => {
        fileErrors.push(...r.errors.file);
        result.launches.push(launchOfContainer(r, (image, where) => images.get(image, where), opts));
      });
    } catch (err) {
      if (!(err instanceof YamlLimitError)) throw err;
      const p = doc.lines.position(y.start);
      result.errors.push({ file: doc.file, line: p.line, column: p.column, message: `document ${y.index + 1}: ${err.message}` });
    }
  }
  if (opts.explicit && objects === 0 && !stream.errors.length && stream.docs.length) {
    result.errors.push({ file: doc.file, line: 1, column: 1, message: 'no Kubernetes objects (apiVersion/kind) and not a compose file: nothing to lint' });
  }
  result.errors.push(...fileErrors);
  return result;
}

/** The engine's entry point for one Kubernetes YAML stream (one image linker per run and repository). */
export function lintKubernetesDocument(doc: Document, store: DocumentStore, opts: KubernetesOptions = {}): SourceResult {
  const linker = opts.linker ?? linkerFor(store, doc.absPath ? path.dirname(doc.absPath) : process.cwd(), opts.imageMap, opts.dockerfiles);
  return lintKubernetesSource(doc, store, { ...opts, linker, explicit: true });
}

/** Every container of a manifest file, resolved; YAML syntax errors apart. */
interface KubernetesResolution {
  containers: ContainerSpec[];
  syntax: FileError[];
  /** Other errors of the file (limits). */
  errors: FileError[];
}

/**
 * Read a manifest file (a stream of documents, `kind: List`) and resolve every container the kubelet
 * stops with the pod (containers, and sidecar init containers) to what it runs. Objects are recognised
 * by `kind`: the file is given to be run, not found by a walk.
 */
export function resolveKubernetesFile(file: string): KubernetesResolution | undefined {
  const store = new DocumentStore();
  const doc = store.read(path.resolve(file), 'kubernetes');
  if (!doc) return undefined;
  const stream = parseYamlStream(doc, unparsedKind);
  const out: KubernetesResolution = { containers: [], syntax: [...stream.errors], errors: [] };
  for (const y of stream.docs) {
    try {
      const pods: PodSpecAt[] = [];
      podSpecs(y, y.root, [], pods, 0, false);
      eachContainer(doc, y, pods, configMapsOf(store), (r) => out.containers.push(specOfContainer(r)));
    } catch (err) {
      if (!(err instanceof YamlLimitError)) throw err;
      const p = doc.lines.position(y.start);
      out.errors.push({ file: doc.file, line: p.line, column: p.column, message: `document ${y.index + 1}: ${err.message}` });
    }
  }
  return out;
}

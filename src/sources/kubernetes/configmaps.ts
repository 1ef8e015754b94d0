/**
 * Scripts a container gets from a ConfigMap volume (`command: ["bash", "/scripts/run.sh"]` with `/scripts`
 * mounted from a ConfigMap whose `data` holds `run.sh: |`): where a path inside the container comes from, and
 * the text, mapped back to the YAML block scalar so findings land on the script's own line and column.
 *
 * The kubelet's ConfigMap volume (pkg/volume/configmap, pkg/volume/util/atomic_writer.go): without `items`
 * every data key is a file named after it; with `items` only those keys, at their `path`; the file mode is the
 * item's `mode`, else the volume's `defaultMode`, else 0644. A `subPath` mount puts one path of the volume at
 * `mountPath`. `projected` volumes combine several ConfigMaps the same way.
 *
 * The ConfigMap is looked up in the same YAML stream (the last one of that name and namespace wins, as
 * `kubectl apply -f` applies them in order), else in the other manifest files of the same folder and the
 * folder's kustomization (`configMapGenerator` files). Several different ConfigMaps of that name in the
 * folder: none is picked.
 *
 * Every stream is parsed as the Kubernetes source parses it (a CRD's schema blanked, unparsedKind), so that a
 * file the lint reads and this index reads is parsed once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Scalar } from 'yaml';
import type { Document, Origin } from '../../document/document.js';
import type { DocumentStore } from '../../document/store.js';
import { MappedText } from '../../document/text.js';
import { looksLikeKubernetes } from '../kinds.js';
import type { ScriptRef } from '../launch.js';
import { entries, get, items, mapScalar, parseYamlStream, scalarNode, scalarString, type YamlDoc, type YNode } from '../yaml.js';
import { KUSTOMIZATION_NAMES } from './kustomize-images.js';
import { unparsedKind } from './pods.js';

/** One data key of a ConfigMap: its text and where it is written. */
interface ConfigMapFile {
  text: string;
  doc: Document;
  /** The text mapped to the document (a block scalar's lines, or a generator's file as it is). */
  mapped: MappedText;
  /** Where, for messages: `ConfigMap/scripts data.run.sh`. */
  where: string;
}

interface ConfigMapObject {
  name: string;
  namespace?: string;
  files: Map<string, () => ConfigMapFile | undefined>;
  /** What defines it, for messages. */
  source: string;
  /** To tell identical copies from different ones. */
  fingerprint: string;
}

/** The manifest files of a folder pid1 looks at for ConfigMaps (bounded: a folder of generated YAML can be big). */
const MAX_FOLDER_FILES = 200;

function configMapOf(doc: Document, y: YamlDoc, node: YNode | null | undefined): ConfigMapObject | undefined {
  if (scalarString(y, get(y, node, 'kind')?.value) !== 'ConfigMap') return undefined;
  const meta = get(y, node, 'metadata')?.value;
  const name = scalarString(y, get(y, meta, 'name')?.value);
  if (!name) return undefined;
  const namespace = scalarString(y, get(y, meta, 'namespace')?.value);
  const files = new Map<string, () => ConfigMapFile | undefined>();
  let fingerprint = '';
  for (const [key, e] of entries(y, get(y, node, 'data')?.value)) {
    const s = scalarNode(y, e.value);
    if (!s || typeof s.value !== 'string') continue;
    fingerprint += `${key}\0${s.value}\0`;
    files.set(key, () => {
      const m = mapScalar(doc, s as Scalar);
      return { text: m.text.value, doc, mapped: m.text, where: `ConfigMap/${name} data.${key}` };
    });
  }
  return { name, ...(namespace ? { namespace } : {}), files, source: doc.file, fingerprint };
}

/** kustomization.yaml `configMapGenerator`: `files: [run.sh, key=path/to/file]` next to it. */
function generatedConfigMaps(store: DocumentStore, dir: string): ConfigMapObject[] {
  const out: ConfigMapObject[] = [];
  for (const n of KUSTOMIZATION_NAMES) {
    const doc = store.read(path.join(dir, n), 'kubernetes');
    if (!doc) continue;
    for (const y of parseYamlStream(doc, unparsedKind).docs) {
      const namespace = scalarString(y, get(y, y.root, 'namespace')?.value);
      for (const g of items(y, get(y, y.root, 'configMapGenerator')?.value) ?? []) {
        const name = scalarString(y, get(y, g, 'name')?.value);
        if (!name) continue;
        const files = new Map<string, () => ConfigMapFile | undefined>();
        let fingerprint = '';
        for (const f of items(y, get(y, g, 'files')?.value) ?? []) {
          const spec = scalarString(y, f);
          if (!spec) continue;
          const eq = spec.indexOf('=');
          const key = eq > 0 ? spec.slice(0, eq) : path.basename(spec);
          const rel = eq > 0 ? spec.slice(eq + 1) : spec;
          const abs = path.resolve(dir, rel);
          if (!abs.startsWith(`${path.resolve(dir)}${path.sep}`)) continue;
          fingerprint += `${key}\0${abs}\0`;
          files.set(key, () => {
            const d = store.read(abs, 'script');
            return d ? { text: d.text, doc: d, mapped: MappedText.contiguous(d.text, 0), where: `configMapGenerator ${name} (${doc.file}) file ${rel}` } : undefined;
          });
        }
        out.push({ name, ...(namespace ? { namespace } : {}), files, source: doc.file, fingerprint });
      }
    }
  }
  return out;
}

/** The ConfigMaps a run has seen, by folder (one instance per run). */
export class ConfigMapIndex {
  private readonly folders = new Map<string, ConfigMapObject[]>();
  constructor(private readonly store: DocumentStore) {}

  /** The ConfigMaps of the other manifest files in a folder, and of its kustomization's generators. */
  private folder(dir: string, except: Document): ConfigMapObject[] {
    const have = this.folders.get(dir);
    if (have) return have.filter((c) => c.source !== except.file);
    const out: ConfigMapObject[] = [];
    let names: string[] = [];
    try {
      names = fs
        .readdirSync(dir)
        .filter((n) => /\.ya?ml$/i.test(n) && !/^kustomization\.ya?ml$/i.test(n))
        .sort()
        .slice(0, MAX_FOLDER_FILES);
    } catch {
      /* an unreadable folder has none */
    }
    for (const n of names) {
      const doc = this.store.read(path.join(dir, n), 'kubernetes');
      if (!doc || !/^kind:[ \t]*ConfigMap\b/m.test(doc.text) || !looksLikeKubernetes(doc.text)) continue;
      for (const y of parseYamlStream(doc, unparsedKind).docs) {
        const cm = configMapOf(doc, y, y.root);
        if (cm) out.push(cm);
        for (const it of items(y, get(y, y.root, 'items')?.value) ?? []) {
          const inner = configMapOf(doc, y, it);
          if (inner) out.push(inner);
        }
      }
    }
    out.push(...generatedConfigMaps(this.store, dir));
    this.folders.set(dir, out);
    return out.filter((c) => c.source !== except.file);
  }

  /**
   * The ConfigMap `name` as the pod in `doc` sees it: from its own stream first, else its folder. `ambiguous`
   * lists the files when the folder has different ConfigMaps of that name.
   */
  find(name: string, namespace: string | undefined, doc: Document): { cm?: ConfigMapObject; ambiguous?: string[] } {
    const sameNs = (c: ConfigMapObject): boolean => c.name === name && (c.namespace === undefined || namespace === undefined || c.namespace === namespace);
    const own: ConfigMapObject[] = [];
    for (const y of parseYamlStream(doc, unparsedKind).docs) {
      const cm = configMapOf(doc, y, y.root);
      if (cm && sameNs(cm)) own.push(cm);
      for (const it of items(y, get(y, y.root, 'items')?.value) ?? []) {
        const inner = configMapOf(doc, y, it);
        if (inner && sameNs(inner)) own.push(inner);
      }
    }
    if (own.length) return { cm: own[own.length - 1] as ConfigMapObject };
    if (!doc.absPath) return {};
    const others = this.folder(path.dirname(doc.absPath), doc).filter(sameNs);
    const distinct = new Map(others.map((c) => [c.fingerprint, c]));
    if (distinct.size === 1) return { cm: others[0] as ConfigMapObject };
    if (distinct.size > 1) return { ambiguous: [...new Set(others.map((c) => c.source))] };
    return {};
  }
}

/** A file of a ConfigMap volume, seen from inside the container. */
export interface MountedFile {
  file: ConfigMapFile;
  /** The file's mode (item mode, else defaultMode, else 0644). */
  mode: number;
  /** `ConfigMap/scripts data.run.sh mounted at /scripts (volume scripts)`. */
  how: string;
}

/** A volume mode as Kubernetes' YAML decoder reads it: `0755` is octal (YAML 1.1), `493` decimal. */
function fileMode(y: YamlDoc, node: YNode | null | undefined): number | undefined {
  const s = scalarString(y, node);
  if (s === undefined) return undefined;
  if (/^0[0-7]+$/.test(s)) return parseInt(s, 8);
  if (/^0o[0-7]+$/i.test(s)) return parseInt(s.slice(2), 8);
  if (/^\d+$/.test(s)) return Number(s);
  return undefined;
}

interface VolumeSource {
  configMap: string;
  items?: { key: string; path: string; mode?: number }[];
  defaultMode?: number;
}

/** The ConfigMap sources of a pod volume (`configMap:`, or `projected.sources[].configMap`). */
function sourcesOf(y: YamlDoc, volume: YNode): VolumeSource[] {
  const one = (cm: YNode | undefined, defaultMode: number | undefined): VolumeSource | undefined => {
    const name = scalarString(y, get(y, cm, 'name')?.value);
    if (!cm || !name) return undefined;
    const list = items(y, get(y, cm, 'items')?.value);
    const own = fileMode(y, get(y, cm, 'defaultMode')?.value) ?? defaultMode;
    return {
      configMap: name,
      ...(own !== undefined ? { defaultMode: own } : {}),
      ...(list
        ? {
            items: list.flatMap((it) => {
              const key = scalarString(y, get(y, it, 'key')?.value);
              const p = scalarString(y, get(y, it, 'path')?.value);
              const mode = fileMode(y, get(y, it, 'mode')?.value);
              return key && p ? [{ key, path: p, ...(mode !== undefined ? { mode } : {}) }] : [];
            }),
          }
        : {}),
    };
  };
  const direct = one(get(y, volume, 'configMap')?.value ?? undefined, undefined);
  if (direct) return [direct];
  const projected = get(y, volume, 'projected')?.value;
  if (!projected) return [];
  const dm = fileMode(y, get(y, projected, 'defaultMode')?.value);
  return (items(y, get(y, projected, 'sources')?.value) ?? []).flatMap((src) => {
    const s = one(get(y, src, 'configMap')?.value ?? undefined, dm);
    return s ? [s] : [];
  });
}

/** What resolving a path found: a file, or why not (a ConfigMap pid1 cannot pick). */
export type MountLookup = { file: MountedFile } | { note: string } | undefined;

/**
 * The files a container sees through its ConfigMap volume mounts, by path inside the container. Only
 * ConfigMaps: a Secret, emptyDir or persistent volume holds nothing the manifests show.
 */
export function configMapMounts(y: YamlDoc, doc: Document, podSpec: YNode, container: YNode, namespace: string | undefined, index: ConfigMapIndex): ((p: string) => MountLookup) | undefined {
  const volumes = new Map<string, YNode>();
  for (const v of items(y, get(y, podSpec, 'volumes')?.value) ?? []) {
    const n = scalarString(y, get(y, v, 'name')?.value);
    if (n) volumes.set(n, v);
  }
  const mounts = (items(y, get(y, container, 'volumeMounts')?.value) ?? []).flatMap((m) => {
    const name = scalarString(y, get(y, m, 'name')?.value);
    const mountPath = scalarString(y, get(y, m, 'mountPath')?.value);
    const vol = name ? volumes.get(name) : undefined;
    const sources = vol ? sourcesOf(y, vol) : [];
    if (!name || !mountPath || !sources.length) return [];
    const subPath = scalarString(y, get(y, m, 'subPath')?.value);
    return [{ name, mountPath: path.posix.normalize(mountPath).replace(/(.)\/$/, '$1'), ...(subPath ? { subPath } : {}), sources }];
  });
  if (!mounts.length) return undefined;
  // the deepest mount wins: a mount at /etc/app/scripts hides that part of one at /etc/app
  mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
  return (p: string): MountLookup => {
    const want = path.posix.normalize(p);
    for (const m of mounts) {
      let rel: string | undefined;
      if (m.subPath !== undefined) rel = want === m.mountPath ? m.subPath : want.startsWith(`${m.mountPath}/`) ? path.posix.join(m.subPath, want.slice(m.mountPath.length + 1)) : undefined;
      else rel = m.mountPath === '/' ? want.slice(1) : want.startsWith(`${m.mountPath}/`) ? want.slice(m.mountPath.length + 1) : undefined;
      if (rel === undefined) continue;
      // the path is inside this mount, which hides the image's own files there: a file of the volume, or unseen
      let note: string | undefined;
      for (const src of m.sources) {
        const item = src.items ? src.items.find((it) => path.posix.normalize(it.path) === rel) : { key: rel, path: rel };
        if (!item) continue;
        const found = index.find(src.configMap, namespace, doc);
        if (found.ambiguous) {
          note ??= `ConfigMap ${src.configMap} is defined differently in ${found.ambiguous.join(', ')}: pid1 does not pick one`;
          continue;
        }
        if (!found.cm) {
          note ??= `ConfigMap ${src.configMap} (mounted at ${m.mountPath}) is not in this file or its folder`;
          continue;
        }
        const file = found.cm.files.get(item.key)?.();
        if (!file) continue;
        const mode = ('mode' in item ? item.mode : undefined) ?? src.defaultMode ?? 0o644;
        return { file: { file, mode, how: `${file.where} mounted at ${m.mountPath}${m.subPath !== undefined ? ` (subPath ${m.subPath})` : ''}` } };
      }
      return { note: note ?? `${want} is inside the ConfigMap volume mounted at ${m.mountPath}, which has no such key` };
    }
    return undefined;
  };
}

/** A mounted file as a script the chain reads (recorded in the launch's scripts and origins). */
export function scriptRefOf(p: string, f: MountedFile): { ref: ScriptRef; origin: Origin } {
  return {
    ref: { path: p, doc: f.file.doc, offset: f.file.mapped.at(0), text: f.file.text },
    origin: { doc: f.file.doc, text: f.file.mapped },
  };
}

/**
 * kustomize's `images:` transformer: a kustomization that lists a manifest among its `resources` renames the images
 * it names (`name: IMAGE_FROM_KUSTOMIZATION`, `newName: acme/app`, `newTag: v1`; kustomize docs, "images"), so the
 * manifest's placeholder is the image the kustomization gives. The manifest's own folder and the two above it are
 * looked at, as kustomize layouts put the kustomization beside or above its resources.
 */
import path from 'node:path';
import type { DocumentStore } from '../../document/store.js';
import { parseImageRef } from '../images.js';
import { get, items, parseYamlStream, scalarString } from '../yaml.js';
import { unparsedKind } from './pods.js';

/** The names kustomize reads a folder's kustomization from. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The image the manifest's kustomization makes of `image`, and where it says so; undefined when none renames it. */
export function kustomizedImage(store: DocumentStore, manifest: string, image: string): { image: string; how: string } | undefined {
  const { tag, digest } = parseImageRef(image);
  // the name as written (kustomize matches it exactly; a placeholder may be upper case)
  const name = image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
  let dir = path.dirname(manifest);
  for (let up = 0; up < 3; up++, dir = path.dirname(dir)) {
    for (const n of KUSTOMIZATION_NAMES) {
      const file = path.join(dir, n);
      const doc = store.read(file, 'kubernetes');
      if (!doc) continue;
      for (const y of parseYamlStream(doc, unparsedKind).docs) {
        // only a kustomization that builds this manifest (`resources: [manifests/deployment.yaml]`, or its folder)
        const resources = (items(y, get(y, y.root, 'resources')?.value) ?? []).map((r) => scalarString(y, r)).filter((r): r is string => r !== undefined);
        const rel = path.relative(dir, manifest);
        if (!resources.some((r) => path.normalize(r) === rel || rel.startsWith(`${path.normalize(r).replace(/\/$/, '')}/`))) continue;
        for (const i of items(y, get(y, y.root, 'images')?.value) ?? []) {
          if (scalarString(y, get(y, i, 'name')?.value) !== name) continue;
          const newName = scalarString(y, get(y, i, 'newName')?.value) ?? name;
          const newTag = scalarString(y, get(y, i, 'newTag')?.value);
          const newDigest = scalarString(y, get(y, i, 'digest')?.value);
          const suffix = newDigest ? `@${newDigest}` : newTag ? `:${newTag}` : digest ? `@${digest}` : tag !== 'latest' || image.includes(':') ? `:${tag}` : '';
          return { image: `${newName}${suffix}`, how: `${doc.file} renames ${name} to ${newName}${suffix}` };
        }
      }
    }
  }
  return undefined;
}

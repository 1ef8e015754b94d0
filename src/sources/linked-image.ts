/**
 * The config of an image a manifest or compose service names but does not build: from the repository's own
 * Dockerfile when the image links to one (image-links.ts), else what pid1 knows of the reference.
 */
import { displayPath, type Span } from '../document/document.js';
import { problemNote, type DocumentStore } from '../document/store.js';
import { lintDockerfileSource } from './dockerfile/launch.js';
import { imageConfigFromDockerfile, imageConfigFromRef, type ImageConfig } from './image-config.js';
import { type ImageLinker, linkedBuildOptions } from './image-links.js';
import type { SourceOptions } from './launch.js';

/**
 * Link `image` (by name only to Dockerfiles under `near`, when given; `beside`: the folder of the file that names it),
 * analyse the Dockerfile it links to (its target stage), or fall back to the reference.
 */
export function linkedImageConfig(image: string, where: Span, store: DocumentStore, opts: SourceOptions, linker: ImageLinker, near?: string, beside?: string): ImageConfig {
  const r = linker.link(image, near, beside);
  if (r.link) {
    const d = store.read(r.link.dockerfile, 'dockerfile');
    if (!d) {
      const cfg = imageConfigFromRef(image, where, opts);
      cfg.describe = `${cfg.describe}; ${r.link.how}, but ${r.link.dockerfile} cannot be read${problemNote(store.problemOf(r.link.dockerfile))}`;
      return cfg;
    }
    // the context the build declares (`docker build -f sub/Dockerfile .` in a script), else the one the Dockerfile's own lint finds
    const res = lintDockerfileSource(d, store, linkedBuildOptions(opts, r.link));
    const l = res.launches.find((x) => x.target);
    return l && l.kind === 'dockerfile' ? imageConfigFromDockerfile(l, `image ${image} built from ${d.file} (${r.link.how})`) : imageConfigFromRef(image, where, opts);
  }
  const cfg = imageConfigFromRef(image, where, opts);
  if (r.older) cfg.describe += `; not linked to the repository's Dockerfile: the repository also names the newer ${r.older.newer}, which is what today's Dockerfile builds`;
  if (r.declared) cfg.describe += `; the repository builds it from several Dockerfiles (${r.declared.join('; ')}): pick one with --image-map`;
  else if (r.ambiguous) cfg.describe += `; several Dockerfiles match its name (${r.ambiguous.map((f) => displayPath(f)).join(', ')}): pick one with --image-map`;
  return cfg;
}

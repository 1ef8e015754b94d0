/**
 * Which files make a compose project: `compose.y(a)ml` / `docker-compose.y(a)ml` with their `.override`
 * file merged, as compose does by default; other `docker-compose*.y(a)ml` on their own; or the `-f` files
 * given, merged in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Document, FileError } from '../../document/document.js';
import { problemNote, type DocumentStore } from '../../document/store.js';

/** compose.yaml, docker-compose.yml, docker-compose.prod.yml, compose.override.yaml, docker-compose-dev.yml ... */
export function isComposeFileName(name: string): boolean {
  return /^(compose|docker-compose)([.-][^/\\]+)?\.ya?ml$/i.test(name);
}

const BASE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** The override file compose merges into a base file by default (same directory), if the name is one. */
function overrideFor(base: string): string[] {
  const b = path.basename(base);
  if (!BASE_NAMES.includes(b)) return [];
  const stem = b.replace(/\.ya?ml$/, '');
  return [`${stem}.override.yaml`, `${stem}.override.yml`].map((n) => path.join(path.dirname(base), n));
}

function existing(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The base file an override file belongs to, if it exists next to it. */
export function baseOf(abs: string): string | undefined {
  const m = /^(compose|docker-compose)\.override\.ya?ml$/.exec(path.basename(abs));
  if (!m) return undefined;
  return BASE_NAMES.filter((b) => b.startsWith(`${m[1]}.`))
    .map((b) => path.join(path.dirname(abs), b))
    .find(existing);
}

/**
 * The files of the project `doc` belongs to: with `--compose-file`, the files given, in order (undefined
 * unless `doc` is the first, which stands for them); otherwise a base file and its override file, as
 * compose merges them by default (undefined for an override file whose base exists: it goes with it).
 */
export function projectDocs(doc: Document, store: DocumentStore, opts: { composeFiles?: readonly string[] }): { docs: Document[]; errors: FileError[] } | undefined {
  const abs = doc.absPath;
  const errors: FileError[] = [];
  const files = opts.composeFiles?.map((f) => path.resolve(f));
  if (abs && files?.includes(abs)) {
    if (files[0] !== abs) return undefined;
    const docs: Document[] = [];
    for (const f of files) {
      const d = f === abs ? doc : store.read(f, 'compose');
      if (d) docs.push(d);
      else errors.push({ file: f, message: `cannot read this compose file${problemNote(store.problemOf(f))}` });
    }
    return { docs, errors };
  }
  if (!abs) return { docs: [doc], errors };
  if (baseOf(abs)) return undefined;
  const ov = overrideFor(abs).find(existing);
  const d = ov ? store.read(ov, 'compose') : undefined;
  return { docs: d ? [doc, d] : [doc], errors };
}

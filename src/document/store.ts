/** Reading files into documents once per run (a script shared by several Dockerfiles is one document). */
import fs from 'node:fs';
import path from 'node:path';
import { displayPath, makeDocument, notText, type Document, type DocumentKind } from './document.js';

export class DocumentStore {
  private readonly docs = new Map<string, Document | null>();
  private readonly byFile = new Map<string, Document>();

  /** Read a file as a document; undefined when missing, unreadable, binary or too large. */
  read(absPath: string, kind: DocumentKind): Document | undefined {
    const have = this.docs.get(absPath);
    if (have !== undefined) return have ?? undefined;
    let doc: Document | null = null;
    if (!this.mayExist(absPath)) { this.docs.set(absPath, null); return undefined; }
    try {
      // one read, no stat: a directory or a missing file throws, and size is checked on the buffer
      const buf = fs.readFileSync(absPath);
      if (!notText(buf)) doc = makeDocument(displayPath(absPath), buf.toString('utf8'), kind, absPath);
    } catch {
      doc = null;
    }
    this.docs.set(absPath, doc);
    if (doc) this.byFile.set(doc.file, doc);
    return doc ?? undefined;
  }

  private readonly listings = new Map<string, Set<string> | null>();

  /** Directory listings already read (by the walk), so that existence tests need no second readdir. */
  seedListings(listings: ReadonlyMap<string, Set<string>>): void {
    for (const [dir, names] of listings) if (!this.listings.has(dir)) this.listings.set(dir, names);
  }

  /** Cheap existence test from a cached directory listing (a failed read costs an exception). */
  private mayExist(absPath: string): boolean {
    const dir = path.dirname(absPath);
    let names = this.listings.get(dir);
    if (names === undefined) {
      try { names = new Set(fs.readdirSync(dir)); } catch { names = null; }
      this.listings.set(dir, names);
    }
    return names !== null && names.has(path.basename(absPath));
  }

  add(doc: Document): void {
    if (doc.absPath) this.docs.set(doc.absPath, doc);
    this.byFile.set(doc.file, doc);
  }

  /** A document read or added, by its display path. */
  byPath(file: string): Document | undefined {
    return this.byFile.get(file);
  }

  all(): Document[] {
    return [...this.docs.values()].filter((d): d is Document => d !== null);
  }
}

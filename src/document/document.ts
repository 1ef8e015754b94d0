/**
 * A document: a file pid1 read (or stdin), its text and a lazily built line index; spans and mapped
 * strings point into it. Every source, rule, report and fix speaks of files in these terms.
 */
import path from 'node:path';
import type { FileSnapshot } from '../util/files.js';
import { LineIndex, type MappedText, type Range } from './text.js';

/** Which reader a file goes to. */
export type DocumentKind = 'dockerfile' | 'script' | 'compose' | 'kubernetes';

export interface Document {
  /** Path as given or found (relative to the working directory when under it), or `<stdin>`. */
  file: string;
  /** Absolute path on disk; undefined for stdin. */
  absPath?: string;
  text: string;
  kind: DocumentKind;
  lines: LineIndex;
  /** The bytes read from disk and what they were (for --fix: edits by bytes, and a re-check before writing). */
  source?: FileSnapshot;
}

/** A place in a document where an instruction or value came from. */
export interface Span {
  doc: Document;
  start: number;
  end: number;
}

/** A logical string from a document, with the map back to the document's offsets. */
export interface Origin {
  doc: Document;
  text: MappedText;
}

/** An error that stops one file from being read or linted; the run goes on. */
export interface FileError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** Files larger than this are not linted (a Dockerfile or entrypoint script is a few KiB). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export function makeDocument(file: string, text: string, kind: DocumentKind, absPath?: string, source?: FileSnapshot): Document {
  return { file, text, kind, lines: new LineIndex(text), ...(absPath !== undefined ? { absPath } : {}), ...(source ? { source } : {}) };
}

/** A path for messages: relative to the working directory when under it. */
export function displayPath(abs: string, cwd = process.cwd()): string {
  // a plain absolute path below a plain working directory (the common case, once per file read): the rest of
  // it, which is what path.relative gives, without resolving both
  if (path.sep === '/' && isPlain(abs) && isPlain(cwd) && abs.length > cwd.length + 1 && abs.startsWith(cwd) && (cwd === '/' || abs.charCodeAt(cwd.length) === 47))
    return abs.slice(cwd === '/' ? 1 : cwd.length + 1);
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** An absolute POSIX path that path.resolve leaves as it is: no `//`, no `.` or `..` segment, no trailing slash. */
function isPlain(p: string): boolean {
  return p.charCodeAt(0) === 47 && !p.includes('//') && !p.includes('/.') && (p.length === 1 || p.charCodeAt(p.length - 1) !== 47);
}

/** Why a buffer is not text we can lint, if it is not. */
export function notText(buf: Buffer): string | undefined {
  if (buf.length > MAX_FILE_BYTES) return `file is too large (${buf.length} bytes; the limit is ${MAX_FILE_BYTES})`;
  const probe = buf.subarray(0, 8192);
  if (probe.includes(0)) return 'binary file (contains NUL bytes)';
  return undefined;
}

export function rangeOf(s: Span): Range {
  return s.doc.lines.range(s.start, s.end);
}

/** A file error at an offset of a document. */
export function errorAt(doc: Document, offset: number | undefined, message: string): FileError {
  const p = doc.lines.position(offset ?? 0);
  return { file: doc.file, line: p.line, column: p.column, message };
}

/**
 * Which reader a file goes to: Dockerfiles by name, compose files by name (or a top-level `services:`),
 * Kubernetes manifests by content (`apiVersion` + `kind`), scripts by name or shebang. A walk reads only the
 * head of a YAML file to decide; Helm templates are skipped (not manifests until `helm template` renders them).
 */
import path from 'node:path';
import type { DocumentKind } from '../document/document.js';
import { readHead, readRegularFile, type ReadResult } from '../util/files.js';
import { isComposeFileName } from './compose/files.js';
import { isGoTemplate } from './templates.js';

export function isDockerfileName(name: string): boolean {
  return (
    name === 'Dockerfile' ||
    name.startsWith('Dockerfile.') ||
    name === 'Containerfile' ||
    name.startsWith('Containerfile.') ||
    /\.(dockerfile|Dockerfile|containerfile|Containerfile)$/.test(name) ||
    name === 'dockerfile'
  );
}

/** The kind of an explicitly named file: a Dockerfile by name, a script by name or shebang, else a Dockerfile. */
export function kindOfFile(abs: string): DocumentKind {
  const name = path.basename(abs);
  if (isDockerfileName(name)) return 'dockerfile';
  const yamlKind = explicitYamlKind(abs);
  if (yamlKind) return yamlKind;
  if (/\.(sh|bash|ash|dash)$/.test(name)) return 'script';
  // read errors surface when the file is linted
  if (readHead(abs, 64)?.toString('utf8').startsWith('#!')) return 'script';
  return 'dockerfile';
}

/** A cheap test for a YAML file found by a walk: some document has top-level apiVersion and kind. */
export function looksLikeKubernetes(text: string): boolean {
  if (/^apiVersion:[ \t]*\S/m.test(text) && /^kind:[ \t]*\S/m.test(text)) return true;
  // `kubectl get -o json`: JSON is YAML too
  return /^\s*\{/.test(text) && /"apiVersion"\s*:/.test(text) && /"kind"\s*:/.test(text);
}

/** Go-template syntax: a Helm chart's templates are not manifests until rendered (Argo's `{{inputs.x}}` is not). */
export function isTemplate(text: string): boolean {
  return isGoTemplate(text);
}

/** Which YAML source reads a file: Kubernetes objects (apiVersion + kind), a compose file (by name, or top-level `services:`). */
export function yamlKindOf(name: string, text: string): 'compose' | 'kubernetes' {
  if (isComposeFileName(path.basename(name))) return 'compose';
  if (looksLikeKubernetes(text)) return 'kubernetes';
  if (/^services:[ \t]*(#.*)?$/m.test(text)) return 'compose';
  return 'kubernetes';
}

/** Does a text read from stdin look like YAML for these sources (not a Dockerfile or a script)? */
export function looksLikeYamlManifest(text: string): boolean {
  if (/^\s*FROM\s/im.test(text) && !/^(apiVersion|services):/m.test(text)) return false;
  return looksLikeKubernetes(text) || /^services:[ \t]*(#.*)?$/m.test(text) || /^---[ \t]*$/m.test(text);
}

/** One buffer for every head a walk reads (a fresh zeroed 64 KiB per YAML file was a third of the walk). */
const headBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * For a walk: which YAML source reads a file found in a directory, or undefined to skip it (YAML that holds
 * no Kubernetes object, and Helm templates, which are not manifests until `helm template` renders them).
 * Only the head of the file is read to decide.
 */
export function walkedYamlKind(abs: string): 'compose' | 'kubernetes' | undefined {
  return walkedYaml(abs).kind;
}

/**
 * The same, and the file as read when its head was all of it (most manifests are a few KiB): the run's store
 * takes those bytes, so the file is not opened twice.
 */
export function walkedYaml(abs: string): { kind?: 'compose' | 'kubernetes'; read?: ReadResult } {
  if (isComposeFileName(path.basename(abs))) return { kind: 'compose' };
  // only a regular file (readRegularFile checks the type before opening): the walk saw one, but a FIFO may
  // have been swapped in since; a larger one is tested by its head
  const r = readRegularFile(abs, headBuffer.length);
  const head = r.ok ? r.snap.bytes.toString('utf8') : r.code === 'too-large' ? readHead(abs, headBuffer.length, headBuffer)?.toString('utf8') : undefined;
  if (head === undefined || !looksLikeKubernetes(head) || isTemplate(head)) return {};
  return { kind: 'kubernetes', ...(r.ok ? { read: r } : {}) };
}

/** For a file named on the command line: which YAML source reads it (undefined: not YAML by name). */
function explicitYamlKind(abs: string): 'compose' | 'kubernetes' | undefined {
  if (!/\.ya?ml$/i.test(abs)) return undefined;
  if (isComposeFileName(path.basename(abs))) return 'compose';
  const head = readHead(abs, 64 * 1024)?.toString('utf8') ?? ''; // read errors are reported when linted
  return yamlKindOf(abs, head);
}

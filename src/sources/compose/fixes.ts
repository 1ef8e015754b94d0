/**
 * Fixes inside compose files, as text edits (never re-serializing the YAML, so comments and layout stay):
 * set a service's `stop_signal`, replacing the value where the service writes it or adding the field as a
 * line of the service's block mapping.
 */
import type { Fix } from '../../document/edit.js';
import type { ComposeLaunch } from '../launch.js';

export function composeStopSignalFix(l: ComposeLaunch, signal: string): Fix | undefined {
  const doc = l.doc;
  const own = l.serviceSpan;
  const s = l.stop.stopSignalSpan;
  if (s) {
    // only where this service writes it: not in an `extends` base or a shared `<<: *anchor`
    if (s.doc !== doc || s.start < own.start || s.end > own.end) return undefined;
    const text = doc.text.slice(s.start, s.end);
    const m = /^(stop_signal[ \t]*:[ \t]*)(\S.*)$/.exec(text);
    if (!m || m[2]?.includes('#')) return undefined;
    return { description: `set stop_signal: ${signal}`, edits: [{ file: doc.file, start: s.start + (m[1] as string).length, end: s.end, text: signal }] };
  }
  if (!l.serviceBlock) return undefined;
  // add `stop_signal:` as the service's first field, with that field's indentation
  const first = doc.lines.position(own.start);
  const lineStart = doc.lines.lineStart(first.line);
  const indent = doc.text.slice(lineStart, own.start);
  if (!/^[ ]+$/.test(indent)) return undefined;
  const eol = doc.text.includes('\r\n') ? '\r\n' : '\n';
  return { description: `add stop_signal: ${signal} to service ${l.service}`, edits: [{ file: doc.file, start: lineStart, end: lineStart, text: `${indent}stop_signal: ${signal}${eol}` }] };
}

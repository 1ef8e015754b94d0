/** Shared helpers for rules: where to put a finding, and how to word the outcome. */
import { rangeOf, type Span } from '../document/document.js';
import type { ChainProcess } from '../model/launch.js';
import { isOrchestrated, type Launch } from '../sources/launch.js';
import { finalSpan } from './fixes.js';

export function anchorRange(l: Launch): { file: string; range: ReturnType<typeof rangeOf> } {
  return at(valueSpanOrAnchor(l));
}

/**
 * The ENTRYPOINT (or CMD) value, else the launch's anchor. A compose service or Kubernetes container points
 * at what its own file writes (a `command:` over the image's ENTRYPOINT), so that the finding is about it and
 * not about the Dockerfile, which may be fine for every other launch of that image.
 */
export function valueSpanOrAnchor(l: Launch): Span {
  const own = isOrchestrated(l) ? [l.entrypoint, l.cmd].find((p) => p !== undefined && p.values.length > 0 && p.valueSpan.doc === l.doc) : undefined;
  const part = own ?? l.entrypoint ?? l.cmd;
  return part?.values.length ? part.valueSpan : l.anchor;
}

/** Where a shell process's final command is written, falling back to the launch. */
export function shellSpan(l: Launch, p: ChainProcess): Span {
  return finalSpan(l, p) ?? valueSpanOrAnchor(l);
}

export function at(s: Span): { file: string; range: ReturnType<typeof rangeOf> } {
  return { file: s.doc.file, range: rangeOf(s) };
}

export function serviceName(l: Launch): string {
  const s = l.prediction?.service;
  return s ? (s.finalArgv?.[0] ?? s.argv[0] ?? s.name) : (l.argv[0] ?? 'the service');
}

/** The stop signal the launch's prediction is about (SIGTERM by default). */
export function stopSignalOf(l: Launch): string {
  return l.prediction?.signal ?? 'SIGTERM';
}

/**
 * Why a shell process stays in front of its service, when it is not simply a missing `exec`: the script
 * ends in an endless loop, or the service is followed by other commands (so no shell can exec it).
 */
export function shellShape(l: Launch, p: ChainProcess): { kind: 'loop' | 'notLast' | 'plain'; after: string; line: number } {
  const end = p.shell?.end;
  const src = p.shell?.source ?? '';
  if (!end) return { kind: 'plain', after: '', line: 0 };
  if (end.kind === 'loop') return { kind: 'loop', after: '', line: end.command.line };
  if (end.kind === 'foreground' && end.after.length) {
    const first = end.after[0];
    const text = first ? (src.slice(first.start, first.end).split('\n')[0]?.slice(0, 40) ?? '') : '';
    return { kind: 'notLast', after: text, line: end.command.line };
  }
  void l;
  return { kind: 'plain', after: '', line: end.command.line };
}

export function outcomeWords(l: Launch): string {
  const p = l.prediction;
  if (!p) return '';
  switch (p.outcome) {
    case 'killed':
      return `${p.signal} never reaches the service: the container is SIGKILLed when the grace period ends`;
    case 'abrupt':
      return 'the service is killed before its graceful shutdown completes';
    case 'unknown':
      return `whether ${p.signal} stops the service gracefully depends on the program`;
    case 'nostart':
      return 'the container cannot start';
    default:
      return '';
  }
}

/**
 * A service's `entrypoint:`/`command:` as compose runs it. A list is the argv; a string is split into
 * words by compose itself and never run through `sh -c`: compose v2 (compose-go) splits with
 * go-shellwords, which stops at the first unquoted `;`, `&`, `|`, `<` or `>` and drops the rest; compose v1
 * (docker-py) splits with shlex (see words.ts).
 */
import type { Origin, Span } from '../../document/document.js';
import type { LaunchPart } from '../launch.js';
import { deref, isScalar, isSeq, items, spanOf, type Entry } from '../yaml.js';
import { mapped, type ComposeVersion, type Layer, type Project } from './project.js';
import type { Chars } from '../../document/text.js';
import { operatorWords, splitShellwords, splitShlex, type SplitResult, type SplitWord } from './words.js';

/** A string `command:`/`entrypoint:` and what each compose version makes of it. */
export interface CommandString {
  field: 'command' | 'entrypoint';
  span: Span;
  text: string;
  v1: SplitResult;
  v2: SplitResult;
  /** Unquoted shell operators, with where they are. */
  operators: { value: string; span: Span }[];
  /** v2: where go-shellwords stopped reading. */
  stoppedAt?: Span;
}

/** command/entrypoint as a LaunchPart (null: set but empty), plus what compose makes of a string. */
export function commandPart(
  p: Project,
  layer: Layer,
  e: Entry,
  field: 'command' | 'entrypoint',
  version: ComposeVersion,
  origins: Map<string, Origin>,
  strings: CommandString[],
): { part: LaunchPart | null; substituted: boolean } | undefined {
  const file = layer.file;
  const y = file.y;
  if (!y) return undefined;
  const doc = file.doc;
  const span = spanOf(doc, e.pair);
  const value = deref(y, e.value);
  const valueSpan = spanOf(doc, value ?? null, span);
  const what = field;
  // `command:` with no value is unset (compose-go decodes it to nil: the image's own is used)
  if (value === undefined || (isScalar(value) && value.value === null)) return undefined;
  if (isScalar(value) && value.value === '') return { part: null, substituted: false };
  let words: Chars[];
  let substituted = false;
  if (isSeq(value)) {
    words = [];
    for (const it of items(y, value) ?? []) {
      const s = p.string(file, it);
      if (!s) continue;
      substituted ||= s.changed;
      words.push(s);
    }
  } else {
    const s = p.string(file, value);
    if (!s) return undefined;
    substituted = s.changed;
    const v1 = splitShlex(s);
    const v2 = splitShellwords(s);
    const at = (i: number): number => s.offsets[i] ?? valueSpan.start;
    const ops = operatorWords(v1.words, s).map((w) => ({ value: w.value, span: { doc, start: at(w.start), end: at(w.end - 1) + 1 } }));
    strings.push({
      field,
      span: valueSpan,
      text: s.value,
      v1,
      v2,
      operators: ops,
      ...(v2.stoppedAt ? { stoppedAt: { doc, start: at(v2.stoppedAt.index), end: at(v2.stoppedAt.index) + 1 } } : {}),
    });
    const chosen = version === 1 ? v1 : v2;
    if (chosen.error) {
      p.error(doc, valueSpan.start, `${field}: compose cannot split this string (${chosen.error})`);
      return undefined;
    }
    words = chosen.words as SplitWord[];
  }
  const values: Origin[] = words.map((w) => ({ doc, text: mapped(w, valueSpan.end) }));
  values.forEach((o, i) => {
    const w = words[i] as Chars;
    // only words whose every character is written literally (and, in a split string, inside quotes) may be edited
    if (w.value.length && w.editable.every(Boolean) && !origins.has(o.text.value)) origins.set(o.text.value, o);
  });
  const part: LaunchPart = { what, form: 'exec', values, argv: words.map((w) => w.value), span, valueSpan };
  return { part, substituted };
}

/** Fixes pid1 can prove safe: the exec (JSON) form for a plain command, or `exec` before the final command. */
import type { Origin, Span } from '../document/document.js';
import type { Fix } from '../document/edit.js';
import type { ChainProcess } from '../model/launch.js';
import { BUILTINS, plainArgv } from '../model/shell.js';
import type { Launch, LaunchPart } from '../sources/launch.js';

/** Where a shell process's command string or script text is in the files. */
export function originOf(l: Launch, p: ChainProcess): Origin | undefined {
  return p.shell ? l.origins.get(p.shell.source) : undefined;
}

/** The span of the final command of a shell process (falls back to the whole string). */
export function finalSpan(l: Launch, p: ChainProcess): Span | undefined {
  const o = originOf(l, p);
  if (!o) return undefined;
  const fin = p.shell?.final;
  if (!fin) return { doc: o.doc, start: o.text.at(0), end: o.text.endAt(o.text.value.length) };
  return { doc: o.doc, start: o.text.at(fin.start), end: o.text.endAt(fin.end) };
}

/** The LaunchPart (ENTRYPOINT/CMD) a shell string came from, if any. */
export function partOf(l: Launch, p: ChainProcess): LaunchPart | undefined {
  const o = originOf(l, p);
  if (!o) return undefined;
  for (const part of [l.entrypoint, l.cmd]) if (part?.values.some((v) => v.text === o.text)) return part;
  return undefined;
}

/** `exec ` before the final command: only for a simple command that is not a builtin, with no traps. */
export function execPrefixFix(l: Launch, p: ChainProcess, description = 'prefix the final command with `exec`'): Fix | undefined {
  const a = p.shell;
  const o = originOf(l, p);
  const fin = a?.final;
  if (!a || !o || !fin) return undefined;
  if (fin.shape !== 'simple' || fin.explicitExec || fin.assignments || a.traps.length || a.wait || a.errors.length) return undefined;
  const name = fin.words[0]?.literal;
  // `"$@"` alone runs the script's arguments: `exec "$@"` runs the same thing (and nothing, like before, when there are none)
  const args = fin.words.length === 1 && /^"\$(\{@\}|@)"$/.test(fin.words[0]?.text ?? '');
  if (!args && (name === undefined || BUILTINS.has(name))) return undefined;
  const at = o.text.at(fin.nameStart ?? fin.start);
  // the mapped character must be the command's first character as written
  if (o.doc.text.slice(at, at + (fin.words[0]?.text.length ?? 0)) !== fin.words[0]?.text) return undefined;
  return { description, edits: [{ file: o.doc.file, start: at, end: at, text: 'exec ' }] };
}

/**
 * Shell form -> exec (JSON) form, when the string is one plain command, the instruction is on one line,
 * and the change does not alter what runs: an ENTRYPOINT with a CMD in effect would then get the CMD
 * appended, and a CMD under an ENTRYPOINT is not PID 1.
 */
export function jsonFormFix(l: Launch, part: LaunchPart | undefined, known?: ChainProcess): Fix | undefined {
  if (!part || part.form !== 'shell' || part.values.length !== 1) return undefined;
  if (part.what === 'ENTRYPOINT' && l.cmd) return undefined;
  if (part.what === 'CMD' && l.entrypoint) return undefined;
  const v = part.values[0] as Origin;
  const s = part.valueSpan;
  if (s.doc.text.slice(s.start, s.end).includes('\n')) return undefined;
  // the chain's analysis of this very string already knows (saves a second parse)
  const argv = known?.shell && known.shell.source === v.text.value ? known.shell.plain : plainArgv(v.text.value);
  if (!argv) return undefined;
  const json = `[${argv.map((x) => JSON.stringify(x)).join(', ')}]`;
  return { description: `use the exec (JSON) form: ${part.what} ${json}`, edits: [{ file: s.doc.file, start: s.start, end: s.end, text: json }] };
}

/** Best safe fix for a non-exec'ing `sh -c` string. */
export function shellStringFix(l: Launch, p: ChainProcess): Fix | undefined {
  const part = partOf(l, p);
  if (part?.form === 'shell') {
    const j = jsonFormFix(l, part, p);
    if (j) return j;
  }
  return execPrefixFix(l, p, part?.form === 'shell' ? 'prefix the command with `exec` in the shell form' : 'prefix the command with `exec` inside the -c string');
}

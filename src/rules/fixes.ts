/**
 * Fixes pid1 can prove safe: the exec (JSON) form for a plain command, or `exec` before the final command.
 * A fix is offered only when the launch model, run again on the fixed text, no longer loses the stop
 * signal: `exec tail -f log` would change nothing, and a fix that changes nothing is not offered.
 */
import type { Origin, Span } from '../document/document.js';
import type { Fix, TextEdit } from '../document/edit.js';
import { chainFromArgv, predictStop, predictStopSharedPid, type ChainProcess } from '../model/launch.js';
import { BUILTINS, plainArgv } from '../model/shell.js';
import type { Launch, LaunchPart } from '../sources/launch.js';

/** Outcomes that are still a loss after a fix. */
const LOST = new Set(['killed', 'abrupt', 'nostart']);

/**
 * Would the launch still lose the stop signal with `to` in place of the shell text `from` (a `-c` string
 * or a script's text), or with `argv` as the launch's argv? Unknown (no model to run again): assume it would.
 */
function stillLost(l: Launch, change: { from?: string; to?: string; argv?: string[] }): boolean {
  const m = l.model;
  if (!m) return true;
  const read = m.options.readScript;
  const { from, to } = change;
  const argv = change.argv ?? m.argv.map((a) => (a === from ? (to as string) : a));
  // a script's text changed (not an argument): what the script reads as gets the new text
  const readScript =
    from === undefined || to === undefined || !read || change.argv?.includes(to)
      ? read
      : (p: string): string | undefined => {
          const t = read(p);
          return t === from ? to : t;
        };
  const chain = chainFromArgv(argv, Object.assign({}, m.options, readScript ? { readScript } : {}));
  if (!chain.processes.length) return false;
  const signal = m.options.signal ?? 'SIGTERM';
  const p = m.sharedPid ? predictStopSharedPid(chain, signal, m.sharedPid) : predictStop(chain, signal);
  return LOST.has(p.outcome);
}

/** Where a shell process's command string or script text is in the files. */
function originOf(l: Launch, p: ChainProcess): Origin | undefined {
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

/**
 * `exec ` before the final command: only for a simple command that is the last thing its path runs, not a
 * builtin or a function of the script, with no traps; and only when it makes the stop graceful.
 */
export function execPrefixFix(l: Launch, p: ChainProcess, description = 'prefix the final command with `exec`'): Fix | undefined {
  const a = p.shell;
  const o = originOf(l, p);
  const fin = a?.final;
  const inText = execPoint(p);
  if (!a || !o || !fin || inText === undefined) return undefined;
  const at = o.text.at(inText);
  // the mapped character must be the command's first character as written
  if (o.doc.text.slice(at, at + (fin.words[0]?.text.length ?? 0)) !== fin.words[0]?.text) return undefined;
  if (stillLost(l, { from: a.source, to: `${a.source.slice(0, inText)}exec ${a.source.slice(inText)}` })) return undefined;
  return { description, edits: [{ file: o.doc.file, start: at, end: at, text: 'exec ' }] };
}

/**
 * Where `exec ` goes in a shell process's text (an offset in its source), if it may: a simple command
 * that is the last thing its path runs, not a builtin or a function of the script, with no traps.
 */
function execPoint(p: ChainProcess): number | undefined {
  const a = p.shell;
  const fin = a?.final;
  if (!a || !fin) return undefined;
  if (fin.shape !== 'simple' || fin.explicitExec || fin.assignments || fin.isFunction || a.traps.length || a.wait || a.errors.length) return undefined;
  // the service must be the last thing on its path: `server && echo done` has nothing to exec.
  if (a.end?.kind !== 'foreground' || a.end.after.length > 0) return undefined;
  const name = fin.words[0]?.literal;
  // `"$@"` alone runs the script's arguments: `exec "$@"` runs the same thing (and nothing, like before, when there are none)
  const args = fin.words.length === 1 && /^"\$(\{@\}|@)"$/.test(fin.words[0]?.text ?? '');
  if (!args && (name === undefined || BUILTINS.has(name))) return undefined;
  return fin.nameStart ?? fin.start;
}

/**
 * The JSON form alone can still lose the signal: `sh -c "x"` still runs a shell that does not exec x, and
 * `/entrypoint.sh` still runs a script that does not exec its service. With `exec` before that final
 * command as well it does not: both changes in one fix (one edit, or one more in the script's file), so
 * that one --fix reaches the fixed point. Undefined unless that makes the stop graceful.
 */
function withExecInside(l: Launch, argv: string[]): { argv: string[]; edit?: TextEdit; script?: string } | undefined {
  const m = l.model;
  if (!m) return undefined;
  const first = chainFromArgv(argv, m.options).processes[0];
  const source = first?.shell?.source;
  const at = first ? execPoint(first) : undefined;
  if (!first || source === undefined || at === undefined) return undefined;
  const to = `${source.slice(0, at)}exec ${source.slice(at)}`;
  const i = argv.lastIndexOf(source);
  if (i >= 0) {
    // the -c string is an argument: the new argv carries the change
    const fixed = [...argv];
    fixed[i] = to;
    return stillLost(l, { argv: fixed }) ? undefined : { argv: fixed };
  }
  // a script the launch runs, from a file: a second edit there
  const o = l.origins.get(source);
  const word = first.shell?.final?.words[0]?.text ?? '';
  if (!o || o.text.value !== source) return undefined;
  const offset = o.text.at(at);
  if (o.doc.text.slice(offset, offset + word.length) !== word) return undefined;
  if (stillLost(l, { argv, from: source, to })) return undefined;
  return { argv, edit: { file: o.doc.file, start: offset, end: offset, text: 'exec ' }, script: o.doc.file };
}

/**
 * Shell form -> exec (JSON) form, when the string is one plain command, the instruction is on one line,
 * and the change does not alter what runs: an ENTRYPOINT with a CMD in effect would then get the CMD
 * appended, and a CMD under an ENTRYPOINT is not PID 1.
 */
export function jsonFormFix(l: Launch, part: LaunchPart | undefined, known?: ChainProcess): Fix | undefined {
  if (part?.form !== 'shell' || part.values.length !== 1) return undefined;
  if (part.what === 'ENTRYPOINT' && l.cmd) return undefined;
  if (part.what === 'CMD' && l.entrypoint) return undefined;
  const v = part.values[0] as Origin;
  const s = part.valueSpan;
  if (s.doc.text.slice(s.start, s.end).includes('\n')) return undefined;
  // the chain's analysis of this very string already knows (saves a second parse)
  const plain = known?.shell && known.shell.source === v.text.value ? known.shell.plain : plainArgv(v.text.value);
  if (!plain) return undefined;
  const both = stillLost(l, { argv: plain }) ? withExecInside(l, plain) : { argv: plain };
  if (!both) return undefined;
  const json = `[${both.argv.map((x) => JSON.stringify(x)).join(', ')}]`;
  const edits: TextEdit[] = [{ file: s.doc.file, start: s.start, end: s.end, text: json }];
  if (both.edit) edits.push(both.edit);
  const also = both.script ? `, and \`exec\` before the final command of ${both.script}` : both.argv === plain ? '' : ' with `exec` inside the -c string';
  return { description: `use the exec (JSON) form${both.script ? '' : also}: ${part.what} ${json}${both.script ? also : ''}`, edits };
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

/**
 * Dockerfile-level words (not shell): how BuildKit splits and expands the arguments of FROM, ARG, ENV,
 * COPY/ADD, WORKDIR and STOPSIGNAL (frontend/dockerfile/shell/lex.go): whitespace separates words,
 * '...' is literal, "..." expands variables, the escape character escapes the next character, and
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}` expand.
 */
import { MappedText } from '../../document/text.js';

interface RawWord {
  raw: string;
  /** Logical offsets in the instruction's arguments. */
  start: number;
  end: number;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** The end of the word starting at `start` (unquoted whitespace ends it); `esc`: the escape character's code. */
function wordEnd(s: string, start: number, esc: number): number {
  let i = start;
  let quote = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (quote) {
      if (c === esc && quote === 34 /* " */ && i + 1 < s.length) {
        i += 2;
        continue;
      }
      if (c === quote) quote = 0;
      i++;
      continue;
    }
    if (isBlank(c)) break;
    if (c === esc && i + 1 < s.length) {
      i += 2;
      continue;
    }
    if (c === 34 || c === 39) quote = c;
    i++;
  }
  return i;
}

/** Split on unquoted whitespace. */
export function splitWords(s: string, escape: string): RawWord[] {
  const out: RawWord[] = [];
  const esc = escape.charCodeAt(0);
  let i = 0;
  while (i < s.length) {
    while (i < s.length && isBlank(s.charCodeAt(i))) i++;
    if (i >= s.length) break;
    const start = i;
    i = wordEnd(s, start, esc);
    out.push({ raw: s.slice(start, i), start, end: i });
  }
  return out;
}

/**
 * Where the first word that is not a `--flag` starts (RUN's command after `--mount=...`), as splitWords
 * would find it, without splitting the rest of a long command; -1 when every word is a flag.
 */
export function afterFlags(s: string, escape: string): number {
  const esc = escape.charCodeAt(0);
  let i = 0;
  while (i < s.length) {
    while (i < s.length && isBlank(s.charCodeAt(i))) i++;
    if (i >= s.length) break;
    if (s.charCodeAt(i) !== 45 || s.charCodeAt(i + 1) !== 45) return i;
    i = wordEnd(s, i, esc);
  }
  return -1;
}

/** The `}` that closes a `${` whose body starts at `from`, past nested ones (`${V:+":${V}"}`); -1 when none does. */
function closingBrace(raw: string, from: number): number {
  let depth = 1;
  for (let k = from; k < raw.length; k++) {
    if (raw[k] === '$' && raw[k + 1] === '{') {
      depth++;
      k++;
    } else if (raw[k] === '}' && --depth === 0) return k;
  }
  return -1;
}

/** The variables a word may expand: a name declared with no value (an ARG without default) maps to undefined. */
export interface Vars {
  has(name: string): boolean;
  get(name: string): string | undefined;
}

/**
 * Unquote and expand one word. `complete` is false when a variable it uses has no known value (an ARG
 * without default, or a name never declared): the result then holds the unexpanded text.
 */
export function expandWord(raw: string, vars: Vars, escape: string): { value: string; complete: boolean } {
  let out = '';
  let complete = true;
  let i = 0;
  let quote = '';
  const varAt = (j: number): number => {
    // returns the index after the expansion, appending its value
    if (raw[j + 1] === '{') {
      const close = closingBrace(raw, j + 2);
      if (close === -1) {
        out += raw.slice(j);
        return raw.length;
      }
      const body = raw.slice(j + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body);
      if (!m) {
        complete = false;
        out += raw.slice(j, close + 1);
        return close + 1;
      }
      const name = m[1] as string;
      const op = m[2];
      const word = m[3] ?? '';
      const has = vars.has(name);
      const val = vars.get(name);
      const set = has && val !== undefined;
      const nonEmpty = set && val !== '';
      if (op === ':-' || op === '-') {
        const useDefault = op === ':-' ? !nonEmpty : !set;
        if (useDefault) {
          if (!has && op === '-') {
            /* unset: default */
          }
          const d = expandWord(word, vars, escape);
          if (!d.complete) complete = false;
          out += d.value;
        } else out += val as string;
      } else if (op === ':+' || op === '+') {
        const useAlt = op === ':+' ? nonEmpty : set;
        if (useAlt) {
          const d = expandWord(word, vars, escape);
          if (!d.complete) complete = false;
          out += d.value;
        }
      } else if (set) out += val as string;
      else if (!has)
        out += ''; // BuildKit expands an undeclared variable to the empty string
      else {
        complete = false;
        out += raw.slice(j, close + 1);
      }
      return close + 1;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(j + 1));
    if (!m) {
      out += '$';
      return j + 1;
    }
    const name = m[0];
    const has = vars.has(name);
    const val = vars.get(name);
    if (has && val !== undefined) out += val;
    else if (has) {
      complete = false;
      out += `$${name}`;
    }
    return j + 1 + name.length;
  };
  while (i < raw.length) {
    const c = raw[i] as string;
    if (quote === "'") {
      if (c === "'") {
        quote = '';
        i++;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === escape && i + 1 < raw.length) {
      const n = raw[i + 1] as string;
      if (quote === '"' && !['"', '$', escape].includes(n)) out += c;
      out += n;
      i += 2;
      continue;
    }
    if (c === '$') {
      i = varAt(i);
      continue;
    }
    if (quote === '"') {
      if (c === '"') {
        quote = '';
        i++;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return { value: out, complete };
}

/** `KEY=value KEY2="v 2"` (or the legacy `KEY value with spaces`) pairs of ENV/ARG/LABEL. */
export function keyValues(s: string, escape: string, legacyAllowed: boolean): { key: string; raw: string | undefined; start: number; end: number }[] {
  // every pair has the same four fields in the same order (raw undefined without `=`): one object shape, so V8
  // need not deoptimise and recompile the parser's loops over them when a second shape turns up
  const words = splitWords(s, escape);
  const first = words[0];
  if (!first) return [];
  if (legacyAllowed && !first.raw.includes('=')) {
    // ENV KEY value...: the rest of the line is the value
    const restStart = words[1]?.start;
    return [{ key: first.raw, raw: restStart !== undefined ? s.slice(restStart) : '', start: first.start, end: s.length }];
  }
  return words.map((w) => {
    const eq = w.raw.indexOf('=');
    return eq === -1 ? { key: w.raw, raw: undefined, start: w.start, end: w.end } : { key: w.raw.slice(0, eq), raw: w.raw.slice(eq + 1), start: w.start, end: w.end };
  });
}

/** JSON's one-character escapes (after the backslash) and what they stand for. */
const JSON_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);

/** The exec forms parsed, by their arguments: the model, the launch and a rule each ask about the same instruction. */
const parsedJson = new WeakMap<MappedText, readonly MappedText[] | null>();

/**
 * The exec (JSON) form: a JSON array of strings, as Docker's parser accepts it. Returns each string with
 * a map from its decoded characters to document offsets (escapes like \" are two source characters).
 * Parsed once per arguments object (the result is shared: read-only).
 */
export function parseJsonArray(args: MappedText): readonly MappedText[] | undefined {
  let parsed = parsedJson.get(args);
  if (parsed === undefined) {
    parsed = parseJsonArrayOnce(args) ?? null;
    parsedJson.set(args, parsed);
  }
  return parsed ?? undefined;
}

function parseJsonArrayOnce(args: MappedText): MappedText[] | undefined {
  const s = args.value;
  let i = 0;
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  ws();
  if (s[i] !== '[') return undefined;
  i++;
  ws();
  const out: MappedText[] = [];
  if (s[i] === ']') {
    i++;
    ws();
    return i === s.length ? out : undefined;
  }
  for (;;) {
    ws();
    if (s[i] !== '"') return undefined;
    i++;
    let value = '';
    // the document offset of each character of the value, as MappedText.fromOffsets would merge them: runs
    // of consecutive offsets as one segment (built here, not from an array of every character's offset)
    const segs: [number, number, number][] = [];
    const mapped = (logical: number, o: number): void => {
      const last = segs[segs.length - 1];
      if (last && last[1] + last[2] === o && last[0] + last[2] === logical) last[2]++;
      else segs.push([logical, o, 1]);
    };
    for (;;) {
      if (i >= s.length) return undefined;
      const c = s.charCodeAt(i);
      if (c === 34 /* " */) {
        i++;
        break;
      }
      if (c < 0x20) return undefined;
      if (c === 92 /* \ */) {
        const at = args.at(i);
        const n = s[i + 1];
        const simple = n !== undefined ? JSON_ESCAPES.get(n) : undefined;
        if (simple !== undefined) {
          mapped(value.length, at);
          value += simple;
          i += 2;
          continue;
        }
        if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
          mapped(value.length, at);
          value += String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        return undefined;
      }
      // a run of plain characters: appended as one slice
      let j = i + 1;
      for (; j < s.length; j++) {
        const d = s.charCodeAt(j);
        if (d === 34 || d === 92 || d < 0x20) break;
      }
      for (let k = i; k < j; k++) mapped(value.length + (k - i), args.at(k));
      value += s.slice(i, j);
      i = j;
    }
    segs.push([value.length, args.at(i - 1), 0]);
    out.push(new MappedText(value, segs));
    ws();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === ']') {
      i++;
      break;
    }
    return undefined;
  }
  ws();
  return i === s.length ? out : undefined;
}

/**
 * How compose turns a string `command:` / `entrypoint:` into argv. Neither version runs it through a
 * shell (no `sh -c`); each splits it into words itself, differently:
 *
 * - Compose v1 (docker-compose, Python): docker-py's `split_command` is `shlex.split(command)`
 *   (docker/utils/utils.py), POSIX mode: quotes and backslashes are honoured, and `&&`, `;`, `|`, `>` are
 *   ordinary characters, so `a && b` becomes the three words `a`, `&&`, `b` (verified against docker-compose
 *   1.29.2 in test/lint-compose-real.test.ts).
 * - Compose v2 (docker compose, Go): compose-go's `types.ShellCommand` decodes a string with
 *   `shellwords.Parse` (types/command.go, github.com/mattn/go-shellwords), which STOPS at the first
 *   unquoted `;`, `&`, `|`, `<` or `>` and returns the words before it: `a && b` becomes just `a`, and the
 *   rest is silently dropped. An unquoted `(` that does not follow `$` is an error; `$(...)` and backquotes
 *   are kept literally; a backslash escapes the next character outside single quotes (also inside double quotes).
 *
 * Every character keeps the offset it came from and whether it was read inside quotes, so that an edit
 * inside a word is only proposed where it cannot change the splitting.
 */

import { charsOf, type Chars } from '../../document/text.js';

export interface SplitWord extends Chars {
  /** Index in the input where the word starts (its first character, quote included). */
  start: number;
  end: number;
}

export interface SplitResult {
  words: SplitWord[];
  /** v2: the unquoted operator where parsing stopped, and its index in the input. */
  stoppedAt?: { char: string; index: number };
  error?: string;
  /** shlex: the quote left open at the end. */
  openQuote?: "'" | '"';
}

class WordBuilder {
  value = '';
  offsets: number[] = [];
  editable: boolean[] = [];
  start = -1;
  got = false;
  add(input: Chars, i: number, quoted: boolean, ch = input.value[i] as string): void {
    if (this.start < 0) this.start = i;
    this.value += ch;
    this.offsets.push(input.offsets[i] ?? 0);
    this.editable.push(quoted && (input.editable[i] ?? false));
    this.got = true;
  }
  begin(i: number): void {
    if (this.start < 0) this.start = i;
    this.got = true;
  }
  take(end: number): SplitWord {
    const w: SplitWord = { value: this.value, offsets: this.offsets, editable: this.editable, start: this.start, end };
    this.value = '';
    this.offsets = [];
    this.editable = [];
    this.start = -1;
    this.got = false;
    return w;
  }
}

const SPACE = new Set([' ', '\t', '\r', '\n']);

/** Python's shlex.split(s) (posix=True, whitespace_split=True, no comments), as docker-py uses it. */
export function splitShlex(input: Chars): SplitResult {
  const s = input.value;
  const words: SplitWord[] = [];
  const w = new WordBuilder();
  let state: 'space' | 'word' | "'" | '"' = 'space';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (state === 'space' || state === 'word') {
      if (SPACE.has(c)) {
        if (state === 'word') {
          words.push(w.take(i));
          state = 'space';
        }
        continue;
      }
      if (c === '\\') {
        // outside quotes a backslash escapes any character; a trailing one is "No escaped character"
        if (i + 1 >= s.length) return { words, error: 'No escaped character' };
        w.begin(i);
        w.add(input, i + 1, false);
        i++;
        state = 'word';
        continue;
      }
      if (c === "'" || c === '"') {
        w.begin(i);
        state = c;
        continue;
      }
      w.add(input, i, false);
      state = 'word';
      continue;
    }
    if (c === state) {
      state = 'word';
      continue;
    }
    if (state === '"' && c === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\')) {
      // inside double quotes a backslash escapes only `"` and `\`
      w.add(input, i + 1, true);
      i++;
      continue;
    }
    w.add(input, i, true);
  }
  if (state === "'" || state === '"') return { words, error: 'No closing quotation', openQuote: state };
  if (state === 'word') words.push(w.take(s.length));
  return { words };
}

/**
 * Split a plain string into words as a POSIX shell would quote them, without running anything (no
 * expansion, no operators): shlex's rules. For command lines pid1 itself takes (`--ready-cmd`).
 */
export function splitWords(text: string): string[] {
  const r = splitShlex(
    charsOf(
      text,
      Array.from({ length: text.length }, (_, i) => i),
    ),
  );
  if (r.openQuote) throw new Error(`unterminated ${r.openQuote === '"' ? 'double' : 'single'} quote`);
  if (r.error) throw new Error(r.error === 'No escaped character' ? 'a backslash at the end escapes nothing' : r.error);
  return r.words.map((w) => w.value);
}

/** github.com/mattn/go-shellwords Parse (v1.0.12, ParseEnv and ParseBacktick off), as compose-go calls it. */
export function splitShellwords(input: Chars): SplitResult {
  const s = input.value;
  const words: SplitWord[] = [];
  const w = new WordBuilder();
  let escaped = false;
  let dq = false;
  let sq = false;
  let bq = false;
  let dollar = false;
  let stoppedAt: SplitResult['stoppedAt'];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (escaped) {
      w.add(input, i, dq || sq);
      escaped = false;
      continue;
    }
    if (c === '\\') {
      if (sq) w.add(input, i, true);
      else escaped = true;
      continue;
    }
    if (SPACE.has(c)) {
      if (sq || dq || bq || dollar) w.add(input, i, sq || dq);
      else if (w.got) words.push(w.take(i));
      continue;
    }
    let literal = true;
    switch (c) {
      case '`':
        if (!sq && !dq && !dollar) bq = !bq;
        break;
      case ')':
        if (!sq && !dq && !bq) dollar = !dollar;
        break;
      case '(':
        if (!sq && !dq && !bq) {
          if (!dollar && w.value.endsWith('$')) {
            dollar = true;
            w.add(input, i, false);
            continue;
          }
          return { words, error: 'invalid command line string' };
        }
        break;
      case '"':
        if (!sq && !dollar) {
          w.begin(i);
          dq = !dq;
          literal = false;
        }
        break;
      case "'":
        if (!dq && !dollar) {
          w.begin(i);
          sq = !sq;
          literal = false;
        }
        break;
      case ';':
      case '&':
      case '|':
      case '<':
      case '>':
        if (!(sq || dq || bq || dollar)) {
          stoppedAt = { char: c, index: i };
          // `2>file`: a word of digits before `>` is the redirection's fd, not an argument
          if (c === '>' && w.got && /^[0-9]/.test(w.value)) w.take(i);
          i = s.length;
          literal = false;
        }
        break;
      default:
        break;
    }
    if (!literal) continue;
    w.add(input, i, sq || dq);
  }
  if (w.got) words.push(w.take(stoppedAt ? stoppedAt.index : s.length));
  if (escaped || sq || dq || bq || dollar) return { words, error: 'invalid command line string' };
  return { words, ...(stoppedAt ? { stoppedAt } : {}) };
}

/** Unquoted shell operators in a string, as compose v1 would pass them on: `&&`, `||`, `;`, `|`, `>`, `<`, `&`. */
export function operatorWords(words: readonly SplitWord[], input: Chars): SplitWord[] {
  return words.filter((w) => /^(&&|\|\||;|\||>>?|<|&|2>&1|[0-9]?>.*)$/.test(w.value) && w.value === input.value.slice(w.start, w.end));
}

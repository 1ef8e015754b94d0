/**
 * A Dockerfile lexer with positions, following BuildKit's parser (frontend/dockerfile/parser): parser
 * directives at the top (`# syntax=`, `# escape=`, `# check=`), line continuations with the escape
 * character (whitespace after it allowed), comment and empty lines skipped inside continuations,
 * heredocs for RUN/COPY/ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`), CRLF line ends and a UTF-8 BOM.
 *
 * Why not dockerfile-ast here: it builds every instruction's argument list eagerly (~90 us for a
 * 16-line file, half of dockerfile-utils' whole validate), which alone would use up the 2x speed target
 * of `pid1 lint`; this single pass costs a few microseconds. test/lint-parse.test.ts checks that both
 * agree on instructions, keywords, lines and arguments over the generated corpus.
 */
import { MappedText } from '../../document/text.js';

export interface Directive {
  name: string;
  value: string;
  start: number;
  end: number;
}

export interface Heredoc {
  name: string;
  /** `<<-`: leading tabs are stripped from the content and the terminator. */
  strip: boolean;
  /** Quoted name (`<<"EOF"`): no expansion in the content. */
  quoted: boolean;
  content: string;
  contentStart: number;
  contentEnd: number;
  /** False when the file ended before the terminator. */
  terminated: boolean;
}

export interface RawInstruction {
  /** Upper-cased keyword. */
  keyword: string;
  keywordStart: number;
  keywordEnd: number;
  /** Whole instruction: from the keyword to the end of its last line (heredocs included). */
  start: number;
  end: number;
  /** The arguments as one logical line (continuations joined, comment lines dropped), trimmed. */
  args: MappedText;
  heredocs: Heredoc[];
}

export interface LexResult {
  directives: Directive[];
  escape: string;
  instructions: RawInstruction[];
  /** Comment lines (outside continuations too): offset of '#', and the text after it. */
  comments: { start: number; end: number; text: string }[];
}

const DIRECTIVE_NAMES = new Set(['syntax', 'escape', 'check']);
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** End of the physical line starting at pos (index of '\n' or text length), and the content end (before '\r'). */
function lineBounds(text: string, pos: number): { next: number; contentEnd: number } {
  let nl = text.indexOf('\n', pos);
  if (nl === -1) nl = text.length;
  const contentEnd = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
  return { next: nl + 1, contentEnd };
}

/** Heredoc markers in the arguments, in order (BuildKit reads them from the shell words). */
function heredocMarkers(args: string): { name: string; strip: boolean; quoted: boolean }[] {
  const out: { name: string; strip: boolean; quoted: boolean }[] = [];
  let i = args.indexOf('<<');
  while (i !== -1) {
    const prev = i > 0 ? args.charCodeAt(i - 1) : 32;
    let j = i + 2;
    if (isSpace(prev) || prev === 62 /* > */ || i === 0 || /[0-9]/.test(args[i - 1] ?? '')) {
      let strip = false;
      if (args[j] === '-') {
        strip = true;
        j++;
      }
      let quote = '';
      if (args[j] === '"' || args[j] === "'") {
        quote = args[j] as string;
        j++;
      }
      let k = j;
      while (k < args.length && /[A-Za-z0-9_.-]/.test(args[k] as string)) k++;
      const name = args.slice(j, k);
      const closed = !quote || args[k] === quote;
      if (name && closed) out.push({ name, strip, quoted: quote !== '' });
      j = k;
    }
    i = args.indexOf('<<', Math.max(j, i + 2));
  }
  return out;
}

export function lexDockerfile(text: string): LexResult {
  const directives: Directive[] = [];
  const comments: LexResult['comments'] = [];
  const instructions: RawInstruction[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let escape = '\\';

  // Parser directives: only at the very top, before any other line.
  while (pos < text.length) {
    const { next, contentEnd } = lineBounds(text, pos);
    const line = text.slice(pos, contentEnd);
    const m = /^#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) break;
    const name = (m[1] as string).toLowerCase();
    if (!DIRECTIVE_NAMES.has(name) || directives.some((d) => d.name === name)) break;
    directives.push({ name, value: m[2] as string, start: pos, end: contentEnd });
    if (name === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2];
    pos = next;
  }
  const esc = escape.charCodeAt(0);

  while (pos < text.length) {
    const { next, contentEnd } = lineBounds(text, pos);
    let i = pos;
    while (i < contentEnd && isSpace(text.charCodeAt(i))) i++;
    if (i === contentEnd) {
      pos = next;
      continue;
    }
    if (text.charCodeAt(i) === 35 /* # */) {
      comments.push({ start: i, end: contentEnd, text: text.slice(i + 1, contentEnd) });
      pos = next;
      continue;
    }
    // Keyword: up to whitespace (or an escape at the end of the line).
    const keywordStart = i;
    while (i < contentEnd && !isSpace(text.charCodeAt(i)) && !(text.charCodeAt(i) === esc && restIsBlank(text, i + 1, contentEnd))) i++;
    const keywordEnd = i;
    const keyword = text.slice(keywordStart, keywordEnd).toUpperCase();
    // Arguments, across continuations.
    const segs: [number, number, number][] = [];
    let value = '';
    // the blanks after the keyword are not part of the arguments (saves a slice per instruction below)
    let lineStart = i;
    while (lineStart < contentEnd && isSpace(text.charCodeAt(lineStart))) lineStart++;
    let lineEnd = contentEnd;
    let nextPos = next;
    let end = contentEnd;
    for (;;) {
      // trailing escape + optional blanks = continuation
      let k = lineEnd;
      while (k > lineStart && isSpace(text.charCodeAt(k - 1))) k--;
      const continued = k > lineStart && text.charCodeAt(k - 1) === esc;
      const pieceEnd = continued ? k - 1 : lineEnd;
      if (pieceEnd > lineStart) {
        segs.push([value.length, lineStart, pieceEnd - lineStart]);
        value += text.slice(lineStart, pieceEnd);
      }
      end = lineEnd;
      if (!continued) break;
      // next non-empty, non-comment line
      let p = nextPos;
      let found = false;
      while (p < text.length) {
        const b = lineBounds(text, p);
        let q = p;
        while (q < b.contentEnd && isSpace(text.charCodeAt(q))) q++;
        if (q === b.contentEnd) {
          p = b.next;
          continue;
        }
        if (text.charCodeAt(q) === 35) {
          comments.push({ start: q, end: b.contentEnd, text: text.slice(q + 1, b.contentEnd) });
          p = b.next;
          continue;
        }
        lineStart = p;
        lineEnd = b.contentEnd;
        nextPos = b.next;
        found = true;
        break;
      }
      if (!found) {
        nextPos = text.length + 1;
        break;
      }
    }
    // trim the logical value, keeping the map aligned
    let a = 0;
    while (a < value.length && isSpace(value.charCodeAt(a))) a++;
    let b = value.length;
    while (b > a && isSpace(value.charCodeAt(b - 1))) b--;
    const full = new MappedText(value, segs.length ? segs : [[0, keywordEnd, 0]]);
    const args = a === 0 && b === value.length && segs.length ? full : full.slice(a, b);
    const heredocs: Heredoc[] = [];
    pos = Math.min(nextPos, text.length);
    const hk = keyword === 'ONBUILD' ? (args.value.split(/[ \t]/, 1)[0]?.toUpperCase() ?? '') : keyword;
    if (HEREDOC_KEYWORDS.has(hk) && args.value.includes('<<')) {
      for (const mk of heredocMarkers(args.value)) {
        const contentStart = pos;
        let terminated = false;
        let p = pos;
        let contentEnd2 = pos;
        while (p < text.length) {
          const lb = lineBounds(text, p);
          let line = text.slice(p, lb.contentEnd);
          if (mk.strip) line = line.replace(/^\t+/, '');
          if (line === mk.name) {
            contentEnd2 = p;
            terminated = true;
            end = lb.contentEnd;
            p = lb.next;
            break;
          }
          p = lb.next;
          contentEnd2 = Math.min(p, text.length);
          end = lb.contentEnd;
        }
        pos = Math.min(p, text.length);
        let content = text.slice(contentStart, contentEnd2);
        if (mk.strip) content = content.replace(/^\t+/gm, '');
        heredocs.push({ name: mk.name, strip: mk.strip, quoted: mk.quoted, content, contentStart, contentEnd: contentEnd2, terminated });
      }
    }
    instructions.push({ keyword, keywordStart, keywordEnd, start: keywordStart, end, args, heredocs });
  }
  return { directives, escape, instructions, comments };
}

function restIsBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

/**
 * Text that pid1 did not write (file content, file names, container command lines and logs) on its way
 * to a terminal or a CI log. Two dangers: control characters (an escape sequence rewrites the terminal,
 * a newline starts a line pid1 did not write) and workflow commands (GitHub Actions' runner acts on any
 * stdout line that starts, after leading whitespace, with `::`, and on `##[` anywhere in a line:
 * actions/runner src/Runner.Common/ActionCommand.cs TryParseV2 / TryParse).
 *
 * - safeText: for text views (pretty, inspect, test, stop, watch): control characters as visible escapes,
 *   `##[` broken up. Lossy on purpose: it is for reading, not for parsing back. safeName: the same for
 *   names a process chose, backslashes doubled (pid1 watch).
 * - safeJson: for JSON views (lint --format json/sarif, --json): lossless, JSON.parse gives every string back
 *   as it was; only the serialisation changes (`\u` escapes for what JSON.stringify leaves raw).
 * - excerpt: a short, sanitised quote of a file, for messages about files that are not what their name says.
 */

/**
 * C0 controls, DEL, C1 controls (0x9b is CSI on terminals that honour 8-bit controls), and the Unicode
 * format characters that reorder, hide or break text: LRM/RLM and ALM, the bidirectional embeddings,
 * overrides and isolates ("Trojan Source", CVE-2021-42574), the line and paragraph separators (JSON and
 * some terminals treat them as newlines), and the BOM / zero-width no-break space.
 */
const FORMAT = '\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff';
const UNSAFE = new RegExp(`[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f${FORMAT}]`, 'g');
const UNSAFE_OR_TAB = new RegExp(`[\\x00-\\x1f\\x7f-\\x9f${FORMAT}]`, 'g');
const UNSAFE_OR_BACKSLASH = new RegExp(`[\\\\\\x00-\\x1f\\x7f-\\x9f${FORMAT}]`, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e', '\\': '\\\\' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

interface SafeTextOptions {
  /** Keep tabs (a diff or a code frame shows a file's layout); escaped otherwise. */
  keepTabs?: boolean;
  /**
   * Double backslashes, so that every escape is unambiguous (`\\n` is a backslash and an n). For names a
   * process chose (pid1 watch); not for file content, where backslashes are common and meant
   * (line continuations, JSON strings in a suggested fix).
   */
  backslashes?: boolean;
}

/** One line of display text: no control characters, no workflow command. */
export function safeText(s: string, o: SafeTextOptions = {}): string {
  let out = s.replace(o.backslashes ? UNSAFE_OR_BACKSLASH : o.keepTabs ? UNSAFE : UNSAFE_OR_TAB, escapeChar);
  // `##[` anywhere in a line is a legacy workflow command (ActionCommand.TryParse searches the whole line).
  if (out.includes('##[')) out = out.replace(/##\[/g, '##\\[');
  return out;
}

/**
 * Text that starts a line (a file path in front of a message): safeText, and a leading `::` (after
 * whitespace, as the runner trims) gets a `./` in front, which names the same relative path.
 */
export function safeLineStart(s: string): string {
  const t = safeText(s);
  return /^\s*::/.test(t) ? `./${t.trimStart()}` : t;
}

/**
 * A name a process or a runtime chose (a comm, an argv word, a container name or label; prctl(PR_SET_NAME)
 * takes any bytes but NUL): safeText with backslashes doubled, so that a `\n` in the output is always an
 * escape pid1 wrote (pid1 watch's events).
 */
export function safeName(s: string): string {
  return safeText(s, { backslashes: true });
}

/** The bytes of a kernel string (read as latin1) as UTF-8 text; invalid sequences become U+FFFD. Not yet safe: see safeName. */
export function kernelBytesToText(latin1: string): string {
  // ASCII is the same in both: no conversion (the common case, and a hot path of pid1 watch).
  return NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Multi-line display text: every line made safe, line breaks kept. */
export function safeLines(s: string, o: SafeTextOptions = {}): string {
  return s
    .split('\n')
    .map((l) => safeText(l.endsWith('\r') ? l.slice(0, -1) : l, o))
    .join('\n');
}

/** A short quote of untrusted text: sanitised, at most `max` characters of the original, marked when cut. */
export function excerpt(s: string, max = 24): string {
  const cut = [...s];
  return cut.length > max ? `${safeText(cut.slice(0, max).join(''))}…` : safeText(s);
}

/** Every character is ASCII: its UTF-8 form has a byte per character (a native count, no copy). */
function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/**
 * The bytes of a report to write, encoded once. Node 20's UTF-8 encoder copies a one-byte string in one pass (a 12 MB
 * ASCII report: about 4 ms, where testing it for ASCII and converting it as Latin-1 took about 40 ms).
 */
export function reportBytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

// Raw in JSON.stringify's output: everything it does not escape that a terminal or the runner acts on.
const JSON_UNSAFE = new RegExp(`[\\x7f-\\x9f${FORMAT}]`, 'g');

/**
 * JSON.stringify, then: DEL, C1 controls, line separators and bidi controls as `\uXXXX`, and `##[` as
 * `#\u0023[`. All of them can only occur inside JSON strings (JSON's own syntax is plain ASCII), so the
 * value parses back unchanged; and no line of the output starts with `::` (strings are quoted).
 */
export function safeJson(value: unknown, indent = 2): string {
  let text = JSON.stringify(value, null, indent) ?? 'null';
  // reports run to megabytes: copied only when there is something to replace, and scanned with the regex only
  // when some character could be (all of them are DEL or beyond ASCII; the ASCII test is native, the regex not)
  JSON_UNSAFE.lastIndex = 0;
  if ((!isAscii(text) || text.includes('\x7f')) && JSON_UNSAFE.test(text)) text = text.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (text.includes('##[')) text = text.replace(/##\[/g, '#\\u0023[');
  return text;
}

/**
 * A copy of a report (plain JSON data) with every string made safe for a text view: what a container
 * or a process wrote (command lines, process names, log lines) cannot play escape sequences or forge a
 * workflow command. For text views only; JSON views use safeJson and keep the data exact.
 */
export function safeDeep<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => safeDeep(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = safeDeep(v);
    return out as T;
  }
  return value;
}

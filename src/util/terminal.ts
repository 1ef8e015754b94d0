/**
 * Text that comes from inside a container (a process's comm or argv, a label) made safe to print.
 * A process chooses its own name (prctl(PR_SET_NAME), /proc/self/comm: any bytes but NUL), so it
 * can hold a newline (a forged line, e.g. a GitHub `::error` workflow command, which the runner only
 * recognises at the start of a line), an ESC (terminal escape sequences), C1 controls (0x9B is CSI
 * on many terminals) or bidirectional overrides (text shown in another order than it is). Each of
 * these is replaced by a visible escape; a backslash is doubled so that the escapes stay unambiguous.
 */

// C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide text:
// LRM/RLM, ALM, the embeddings/overrides U+202A..U+202E, the isolates U+2066..U+2069, line and
// paragraph separators (JSON and some terminals treat them as newlines), and the BOM/zero-width no-break.
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

function escapeOne(ch: string): string {
  if (ch === '\\') return '\\\\';
  const code = ch.charCodeAt(0);
  if (code === 0x0a) return '\\n';
  if (code === 0x09) return '\\t';
  if (code === 0x0d) return '\\r';
  if (code === 0x1b) return '\\e';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control, escape and reordering character shown as a backslash escape. */
export function safeText(s: string): string {
  return s.replace(UNSAFE, escapeOne);
}

const UNSAFE_BUT_BACKSLASH = new RegExp(UNSAFE.source.replace('\\\\', ''), 'g');

/**
 * For text a person reads in a report (a linted file's lines, names and the messages quoting them):
 * the same characters shown as escapes, but a backslash left as it is, so that a Dockerfile's line
 * continuation reads as written. A file is anyone's input: its ESC must not drive the terminal.
 */
export function printableText(s: string): string {
  return s.replace(UNSAFE_BUT_BACKSLASH, escapeOne);
}

/** The bytes of a kernel string (read as latin1) as UTF-8 text; invalid sequences become U+FFFD. */
export function kernelBytesToText(latin1: string): string {
  // ASCII is the same in both: no conversion (the common case, and a hot path of pid1 watch).
  return NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

const NON_ASCII = /[^\x00-\x7f]/;

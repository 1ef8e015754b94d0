/**
 * Reading a Rust crate for a stop-signal handler. Rust runs no code before main() that a library could
 * use to install one (no static constructors in the language), and its standard library installs none for
 * TERM/INT/QUIT (catalogue.ts `rust`), so a handler exists only where code calls a signal API: the crate's
 * own (read here), or a dependency's. Dependencies are judged from Cargo.lock: the crates through which Rust
 * programs take signals (tokio::signal sits on signal-hook-registry: tokio/Cargo.toml feature `signal`,
 * tokio/src/signal/unix.rs:290 `signal_hook_registry::register`) make the verdict the program's; without
 * Cargo.lock the dependencies are not known and neither is the verdict.
 *
 * Comments and literals are blanked first (code()), so that only code is matched, with line numbers kept. By hand,
 * not with tree-sitter-rust: its .wasm (1.1 MB) puts the installed package over issue 14's 25 MB budget
 * (test/package.test.ts), and Rust's comments, strings and chars are a small lexical grammar (tested in
 * test/rust-source.test.ts).
 */
import type { CargoManifest } from './cargo-build.js';

interface RustVerdict {
  verdict: 'handles' | 'no-handler' | 'unknown';
  reason: string;
  evidence?: { file: string; line: number; text: string };
  /** A server (catalogue id) that installs the handler. */
  via?: string;
}

/**
 * Crates that take signals for a program, or wrap the system calls that do: one in Cargo.lock leaves the
 * verdict to what calls it. actix-server listens for INT/TERM/QUIT by default (actix-net
 * actix-server/src/builder.rs:73 `listen_os_signals: true`, signals.rs:84-86).
 */
const SIGNAL_CRATES = new Set([
  'signal-hook-registry',
  'signal-hook',
  'ctrlc',
  'async-signal',
  'async-ctrlc',
  'nix',
  'actix-server',
  'rocket',
  'tokio-graceful-shutdown',
  'simple-signal',
  'daemonize',
]);

/** Blank comments, string and char literals (same length, newlines kept): what is left is code. */
export function code(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const n = text[i + 1];
    if (c === '/' && n === '/') {
      const e = text.indexOf('\n', i);
      const end = e < 0 ? text.length : e;
      blank(i, end);
      i = end;
    } else if (c === '/' && n === '*') {
      // Block comments nest in Rust.
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      blank(i, j);
      i = j;
    } else if ((c === 'r' || (c === 'b' && n === 'r')) && /^b?r#*"/.test(text.slice(i, i + 260)) && !/\w/.test(text[i - 1] ?? '')) {
      // Raw strings: r"..", r#".."#, br"..": no escapes, closed by a quote and as many #.
      const m = /^b?r(#*)"/.exec(text.slice(i)) as RegExpExecArray;
      const close = `"${m[1]}`;
      const e = text.indexOf(close, i + m[0].length);
      const end = e < 0 ? text.length : e + close.length;
      blank(i, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      blank(i, j + 1);
      i = j + 1;
    } else if (c === "'") {
      // A char literal ('x', '\n', '\u{1F600}'); otherwise a lifetime ('a, 'static).
      const m = /^'(\\(u\{[0-9a-fA-F]{1,6}\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'/u.exec(text.slice(i, i + 16));
      if (m) {
        blank(i, i + m[0].length);
        i += m[0].length;
      } else i++;
    } else i++;
  }
  return out.join('');
}

interface Site {
  api: string;
  /** The stop signals it takes; undefined when pid1 cannot tell. */
  signals?: string[];
  via?: string;
  file: string;
  line: number;
  text: string;
}

const TOKIO_KINDS: Record<string, string> = { terminate: 'SIGTERM', interrupt: 'SIGINT', quit: 'SIGQUIT', hangup: 'SIGHUP', user_defined1: 'SIGUSR1', user_defined2: 'SIGUSR2' };

/** The signal constants named in a statement (SIGTERM, libc::SIGINT, Signal::SIGQUIT, TERM_SIGNALS). */
function namedSignals(stmt: string): string[] | undefined {
  const found = new Set<string>();
  for (const m of stmt.matchAll(/\bSIG(TERM|INT|QUIT|HUP|USR1|USR2|CHLD|PIPE|WINCH|ALRM)\b/g)) found.add(`SIG${m[1]}`);
  // signal_hook::consts::TERM_SIGNALS = SIGTERM, SIGQUIT, SIGINT (signal-hook src/lib.rs).
  if (/\bTERM_SIGNALS\b/.test(stmt)) for (const s of ['SIGTERM', 'SIGQUIT', 'SIGINT']) found.add(s);
  return found.size ? [...found] : undefined;
}

/** The statement around an offset: from the previous `;`/`{`/`}` to the next `;`. */
function statementAt(src: string, at: number): string {
  let s = at;
  while (s > 0 && !';{}'.includes(src[s - 1] as string)) s--;
  let e = src.indexOf(';', at);
  if (e < 0 || e - at > 400) e = Math.min(src.length, at + 400);
  return src.slice(s, e);
}

function sitesIn(file: string, text: string, deps: CargoManifest['dependencies']): Site[] {
  const src = code(text);
  const lines = text.split('\n');
  const sites: Site[] = [];
  const at = (index: number, api: string, signals: string[] | undefined, via?: string): void => {
    const line = src.slice(0, index).split('\n').length;
    sites.push({ api, ...(signals ? { signals } : {}), ...(via ? { via } : {}), file, line, text: (lines[line - 1] ?? '').trim() });
  };
  for (const m of src.matchAll(/\bSignalKind\s*::\s*(\w+)\s*\(/g)) {
    const kind = TOKIO_KINDS[m[1] as string];
    at(m.index, `tokio::signal::unix::signal(SignalKind::${m[1]}())`, kind ? [kind] : undefined);
  }
  // tokio::signal::ctrl_c() and actix_rt::signal::ctrl_c(): SIGINT only (tokio/src/signal/ctrl_c.rs).
  for (const m of src.matchAll(/\bctrl_c\s*\(/g)) at(m.index, 'tokio::signal::ctrl_c()', ['SIGINT']);
  // ctrlc::set_handler: SIGINT, plus SIGTERM and SIGHUP with the crate's `termination` feature (ctrlc README).
  for (const m of src.matchAll(/\bctrlc\s*::\s*(try_)?set_handler\b/g)) at(m.index, 'ctrlc::set_handler', deps.get('ctrlc')?.includes('termination') ? ['SIGINT', 'SIGTERM', 'SIGHUP'] : ['SIGINT']);
  for (const m of src.matchAll(/\b(signal_hook\w*|async_signal)\s*::/g)) at(m.index, `${m[1]}`, namedSignals(statementAt(src, m.index)));
  // sigaction/signal/signalfd/sigwait through libc or nix (nix::sys::signal::{signal, sigaction}).
  for (const m of src.matchAll(/\b(sigaction|signal|sigset|signalfd|sigwait|sigwaitinfo|sigtimedwait)\s*\(/g)) {
    const before = src.slice(Math.max(0, m.index - 40), m.index);
    // A method call (`.signal(`) or a definition is none; any other call counts, however it is imported (libc, nix, an extern block).
    if (/\.\s*$/.test(before) || /\bfn\s+$/.test(before)) continue;
    const stmt = statementAt(src, m.index);
    if (/\bSignalKind\s*::/.test(stmt)) continue; // tokio's signal(SignalKind::...), read above
    at(m.index, `${m[1]}()`, namedSignals(stmt));
  }
  // actix-web's HttpServer (and actix-server's Server) listen for INT/TERM/QUIT unless told not to
  // (actix-web/src/server.rs:388 disable_signals(); actix-net actix-server/src/builder.rs:73 listen_os_signals: true).
  if (!/\.\s*(disable_signals|shutdown_signal)\s*\(/.test(src))
    for (const m of src.matchAll(/\b(HttpServer\s*::\s*new|Server\s*::\s*build)\s*\(/g))
      if (deps.has('actix-web') || deps.has('actix-server')) at(m.index, `actix ${m[1]?.replace(/\s/g, '')}`, ['SIGINT', 'SIGTERM', 'SIGQUIT'], 'actix-web');
  for (const m of src.matchAll(/\brocket\s*::\s*(build|custom|ignite)\s*\(|#\[\s*(rocket\s*::\s*)?launch\s*\]/g)) at(m.index, 'rocket', undefined);
  return sites;
}

interface RustCrateInput {
  /** The crate's .rs files that the build compiles (or may). */
  files: { file: string; text: string }[];
  manifest: CargoManifest;
  /** Cargo.lock's packages and where it was read; undefined when the build context has none. */
  lock?: { file: string; packages: { name: string }[] };
  /** The stop signal (SIGTERM). */
  signal: string;
  /** Crates of the build context it is built with (local in Cargo.lock) whose code pid1 could not find. */
  unread?: string[];
}

/** Does the crate take the stop signal? */
export function analyzeRustCrate(c: RustCrateInput): RustVerdict {
  const sites = c.files.flatMap((f) => sitesIn(f.file, f.text, c.manifest.dependencies));
  const ev = (s: Site): RustVerdict['evidence'] => ({ file: s.file, line: s.line, text: s.text });
  const where = (s: Site): string => `${s.file}:${s.line}`;
  const takes = sites.find((s) => s.signals?.includes(c.signal));
  if (takes) return { verdict: 'handles', reason: `${takes.api} takes ${c.signal} (${where(takes)})`, evidence: ev(takes), ...(takes.via ? { via: takes.via } : {}) };
  const open = sites.find((s) => s.signals === undefined);
  if (open) return { verdict: 'unknown', reason: `${open.api} (${where(open)}) may take ${c.signal}; prove it with \`pid1 test\``, evidence: ev(open) };
  if (!c.lock)
    return {
      verdict: 'unknown',
      reason: `no ${c.signal} handler in the crate's ${c.files.length} source files, but the build context has no Cargo.lock, so the crates it depends on are not known`,
    };
  if (c.unread?.length)
    return {
      verdict: 'unknown',
      reason: `no ${c.signal} handler in the code pid1 read, but it is built with ${c.unread.slice(0, 3).join(', ')}, crates of the build context pid1 could not find`,
    };
  const signalCrates = [...new Set(c.lock.packages.map((p) => p.name).filter((n) => SIGNAL_CRATES.has(n)))];
  if (signalCrates.length)
    return {
      verdict: 'unknown',
      reason: `no ${c.signal} handler in the crate's own code, but ${c.lock.file} holds ${signalCrates.slice(0, 3).join(', ')}, through which a dependency could take it; prove it with \`pid1 test\``,
    };
  const other = sites[0];
  const detail = other ? `${other.api} takes only ${(other.signals ?? []).join(', ')} (${where(other)})` : `nothing in the crate's ${c.files.length} source files takes ${c.signal}`;
  return {
    verdict: 'no-handler',
    reason: `${detail}, and none of the ${c.lock.packages.length} crates in ${c.lock.file} is one that takes signals; Rust's standard library installs no ${c.signal} handler, so as PID 1 the signal is dropped`,
    ...(other ? { evidence: ev(other) } : {}),
  };
}

/**
 * Does a program whose source is in the build context take the stop signal? Reads a Python,
 * JavaScript (or TypeScript as JavaScript) or Go entry file with a real parser (tree-sitter, see
 * grammars.ts), follows its imports of modules in the build context (and theirs, up to FOLLOW_LIMIT
 * files), and says which line decides:
 * - handles: a handler for the signal is installed where the program starts (signal.signal,
 *   loop.add_signal_handler, process.on, signal.Notify, ...), or by a known server it starts
 *   (uvicorn.run, web.run_app, fx.App.Run, ...);
 * - no-handler: pid1 saw everything the program runs at start and nothing takes the signal, so the
 *   runtime's default applies (src/model/catalogue.ts: CPython and Node drop it at PID 1, Go exits 2);
 * - unknown: a handler may be installed where pid1 cannot see (a module of its own it could not read, a
 *   server or framework that may take signals (signal-owners.ts), a call inside a function nothing calls,
 *   a signal built at run time). Any other third-party library is presumed to leave the signal alone;
 * - finishes: a Python module whose top level only defines exits as soon as it starts.
 */
import path from 'node:path';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { SourceLanguage } from '../model/catalogue.js';
import { grammarParser, loadedParser } from './grammars.js';
import { GO_LIBRARIES, goLibrary, leavesSignalAlone, NODE_LIBRARIES, nodeLibrary, PYTHON_LIBRARIES, pythonLibrary } from './known-libraries.js';
import { mayTakeStopSignal } from './signal-owners.js';
import { goFindings } from './go-source.js';
import { javascriptFindings } from './javascript-source.js';
import { pythonFindings } from './python-source.js';
import type { Evidence, FileFindings, ImportRef, KnownCall, Registration } from './source-findings.js';

export type { Evidence } from './source-findings.js';

export interface ProgramSourceVerdict {
  /** finishes: the program exits as soon as it starts (a Python module that only defines): nothing to stop. */
  verdict: 'handles' | 'no-handler' | 'unknown' | 'finishes';
  /** Every signal the program installs a handler for ('*': all, Go's signal.Notify(c)), seen at start. */
  signals: string[];
  /** The line that decides; undefined when nothing in the source does (the runtime's default applies). */
  evidence: Evidence | undefined;
  /** One sentence: why. */
  reason: string;
  /** The catalogue entry (src/model/catalogue.ts) of a server or framework that decides, when one does. */
  via?: string;
  /** The files read: the entry first, then the modules followed. */
  files: string[];
  /** no-handler: the runtime's default ends it with nothing to shut down (a Go program that serves nothing). */
  nothingToDrain?: boolean;
}

interface ProgramSourceOptions {
  /** Default: from the file name (sourceLanguageOf). */
  language?: SourceLanguage;
  /** The entry's path in the build context (imports are resolved beside it). */
  path?: string;
  /** The stop signal (default SIGTERM). */
  signal?: string;
  /** Read a file of the build context; undefined when it does not exist. Without it, imports are not followed. */
  readFile?: (file: string) => string | undefined;
  /** List a directory of the build context (Go: the other files of a package). */
  listDir?: (dir: string) => string[] | undefined;
  /** Go: the module path in go.mod and the directory go.mod is in. */
  goMod?: { module: string; dir: string };
}

const EXTENSIONS: Record<string, SourceLanguage> = {
  '.py': 'python',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.ts': 'javascript',
  '.mts': 'javascript',
  '.cts': 'javascript',
  '.go': 'go',
};

/** The language of a source file by its extension; undefined for others. */
export function sourceLanguageOf(file: string): SourceLanguage | undefined {
  return EXTENSIONS[path.posix.extname(file)];
}

interface Read {
  file: string;
  findings: FileFindings;
  entry: boolean;
}

/** How many files of a program's own code are read at most (a big monorepo's import closure is not). */
const FOLLOW_LIMIT = 400;

const RUNTIME_DEFAULT: Record<SourceLanguage, string> = {
  python: 'CPython installs a handler for SIGINT only, so SIGTERM keeps its default action, which PID 1 of a namespace drops',
  javascript: 'Node re-raises SIGTERM/SIGINT with the default action unless the program listens, and PID 1 of a namespace drops that',
  go: 'without signal.Notify the Go runtime exits at once with status 2: no graceful stop',
};

export async function analyzeProgramSource(text: string, opts: ProgramSourceOptions = {}): Promise<ProgramSourceVerdict> {
  const language = opts.language ?? sourceLanguageOf(opts.path ?? '<source>');
  if (!language) throw new Error(`${opts.path ?? '<source>'}: not a Python, JavaScript or Go file`);
  return analyzeWith(await grammarParser(language), text, { ...opts, language });
}

/**
 * The same, synchronously, when the language's grammar is loaded; undefined when it is not (it is then
 * noted as wanted: loadWantedGrammars() loads it for a second run).
 */
export function analyzeProgramSourceNow(text: string, opts: ProgramSourceOptions = {}): ProgramSourceVerdict | undefined {
  const language = opts.language ?? sourceLanguageOf(opts.path ?? '<source>');
  if (!language) return undefined;
  const parser = loadedParser(language);
  return parser ? analyzeWith(parser, text, { ...opts, language }) : undefined;
}

function analyzeWith(parser: Parser, text: string, opts: ProgramSourceOptions & { language: SourceLanguage }): ProgramSourceVerdict {
  const file = opts.path ?? '<source>';
  const language = opts.language;
  const stop = normalize(opts.signal ?? 'SIGTERM');
  const dir = opts.path ? path.posix.dirname(opts.path) : '.';
  const trees: Tree[] = [];
  const parse = (src: string): Tree => {
    const t = parser.parse(src);
    if (!t) throw new Error(`${file}: the ${language} parser returned no tree`);
    trees.push(t);
    return t;
  };
  try {
    const reads: Read[] = [];
    /** Go: whether any file read serves (listens, or blocks forever): something is in flight when the stop comes. */
    let serves = false;
    /** Go: the roots that may call a function of a followed package (the main package's files). */
    const callers: Node[] = [];
    const pending: { ref: ImportRef; from: string }[] = [];
    if (language === 'go') {
      // A Go main package is every non-test .go file in the entry's directory.
      const siblings = opts.path && opts.listDir ? (opts.listDir(dir) ?? []).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && path.posix.join(dir, f) !== opts.path) : [];
      const sources = [{ file, text }, ...siblings.map((f) => ({ file: path.posix.join(dir, f), text: opts.readFile?.(path.posix.join(dir, f)) ?? '' }))];
      const roots = sources.map((s) => parse(s.text).rootNode);
      serves ||= sources.some((s) => servesGo(s.text, true));
      callers.push(...roots);
      sources.forEach((s, i) => {
        const others = roots.filter((_, j) => j !== i);
        const findings = goFindings(roots[i] as Node, s.text, { ...(opts.goMod ? { module: opts.goMod.module } : {}), packageRoots: others });
        // The entry's evidence has no file (it is the entry); the other files of the package name theirs.
        if (i > 0) for (const x of [...findings.registrations, ...findings.calls]) x.evidence.file = s.file;
        reads.push({ file: s.file, entry: true, findings });
      });
    } else {
      const root = parse(text).rootNode;
      reads.push({ file, entry: true, findings: language === 'python' ? pythonFindings(root, text, { asEntry: true }) : javascriptFindings(root, text) });
    }
    for (const r of reads) for (const ref of r.findings.imports) pending.push({ ref, from: r.file });
    // JavaScript: whether the program keeps running (a timer, a listener, a pending promise) and whether it serves
    // JavaScript and Python: whether something in the program keeps it running (see KEEPS_RUNNING)
    const keeps = KEEPS_RUNNING[language];
    let keepsRunning = keeps ? keeps.test(text) : true;
    if (language === 'javascript') serves ||= JS_SERVES.test(text);

    // Follow imports: modules in the build context are read, and the modules they import in turn, up to
    // FOLLOW_LIMIT files (a program's own code decides; a third-party import is weighed in decide()).
    const unseen: ImportRef[] = [];
    const followed = new Set(reads.map((r) => r.file));
    for (let i = 0; i < pending.length; i++) {
      const { ref, from } = pending[i] as { ref: ImportRef; from: string };
      const entryImport = reads.some((r) => r.entry && r.file === from);
      // A known library: a module of its name in the build context shadows it (its candidates), else it
      // is known unless its entry says it may take this stop signal.
      const found = ref.kind !== 'known' || ref.candidates ? locate(ref, from, language, opts) : undefined;
      if (ref.kind === 'known' && !found) {
        // (a known library imported by a followed module: its calls are among that module's findings)
        if (entryImport && ref.library && !libraryLeaves(language, ref.library, stop)) unseen.push(ref);
        continue;
      }
      if (!found) {
        // A relative import not found, or a package pid1 does not know.
        unseen.push(ref);
        continue;
      }
      const fresh = found.files.filter((f) => !followed.has(f.file));
      if (language === 'go') serves ||= fresh.some((f) => servesGo(f.text, false));
      if (language === 'javascript') {
        serves ||= fresh.some((f) => JS_SERVES.test(f.text));
      }
      if (keeps) keepsRunning ||= fresh.some((f) => keeps.test(f.text));
      if (fresh.length === 0) continue; // a module already read (demo_pb2_grpc.py imports demo_pb2, which the entry imports too)
      if (followed.size + fresh.length > FOLLOW_LIMIT) {
        unseen.push({ ...ref, kind: 'local' });
        continue;
      }
      const roots = fresh.map((f) => parse(f.text).rootNode);
      fresh.forEach((f, j) => {
        followed.add(f.file);
        const root = roots[j] as Node;
        const findings =
          language === 'python'
            ? pythonFindings(root, f.text, { asEntry: false })
            : language === 'javascript'
              ? javascriptFindings(root, f.text)
              : goFindings(root, f.text, { ...(opts.goMod ? { module: opts.goMod.module } : {}), packageRoots: [...callers, ...roots.filter((_, k) => k !== j)] });
        for (const x of [...findings.registrations, ...findings.calls]) x.evidence.file = f.file;
        reads.push({ file: f.file, entry: false, findings });
        for (const sub of findings.imports) pending.push({ ref: { ...sub, evidence: { ...sub.evidence, file: f.file } }, from: f.file });
      });
    }
    return decide(reads, unseen, language, stop, serves, keepsRunning);
  } finally {
    for (const t of trees) t.delete();
  }
}

function libraryLeaves(language: SourceLanguage, name: string, stop: string): boolean {
  const table = language === 'python' ? PYTHON_LIBRARIES : language === 'go' ? GO_LIBRARIES : NODE_LIBRARIES;
  const lib = Object.hasOwn(table, name) ? table[name] : undefined;
  return lib ? leavesSignalAlone(lib, stop) : false;
}

function normalize(signal: string): string {
  const s = signal.trim().toUpperCase();
  return s.startsWith('SIG') ? s : `SIG${s}`;
}

/** The file(s) an import names in the build context, if any. */
function locate(ref: ImportRef, from: string, language: SourceLanguage, opts: ProgramSourceOptions): { files: { file: string; text: string }[] } | undefined {
  if (!opts.readFile) return undefined;
  const base = path.posix.dirname(from);
  if (language === 'go') {
    if (ref.kind !== 'local' || !opts.goMod || !opts.listDir) return undefined;
    const pkgDir = path.posix.normalize(path.posix.join(opts.goMod.dir, ref.candidates?.[0] ?? '.'));
    const files = (opts.listDir(pkgDir) ?? []).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
    const read = files.map((f) => ({ file: path.posix.join(pkgDir, f), text: opts.readFile?.(path.posix.join(pkgDir, f)) })).filter((x): x is { file: string; text: string } => x.text !== undefined);
    return read.length ? { files: read } : undefined;
  }
  // Python: an absolute import is looked for beside the importing file, then in the directories above it
  // (a package root on PYTHONPATH or the working directory: `from app.db import x` run as /srv/app/main.py).
  const bases = [base];
  if (language === 'python' && ref.kind !== 'known' && !ref.module.startsWith('.')) for (let d = base; d !== path.posix.dirname(d); ) bases.push((d = path.posix.dirname(d)));
  for (const b of bases)
    for (const c of ref.candidates ?? []) {
      const p = path.posix.normalize(path.posix.join(b, c));
      const t = opts.readFile(p);
      if (t !== undefined) return { files: [{ file: p, text: t }] };
    }
  return undefined;
}

const covers = (signals: string[] | 'all' | undefined, stop: string): boolean => signals === 'all' || (signals?.includes(stop) ?? false);

/**
 * Whether Go code serves: it listens (net.Listen, ListenAndServe, a framework's Run(":8080") or Start(addr),
 * grpc's Serve, a CloudEvents receiver), parks main forever (`select {}`) while handlers run, or runs a child
 * process (exec.Command: the kernel SIGKILLs the child when PID 1 exits), or defers a shutdown step (anything
 * but releasing a resource: `defer fmt.Println(...)`, `defer w.Flush()`). A Go program that does none is a
 * one-shot or a loop of its own work, which the runtime's exit on SIGTERM ends with nothing in flight to cut
 * (corpus/README.md: "a Go one-shot that sends one metric" is graceful; a server ended at once is lost).
 */
const GO_SERVES = [
  /\b(?:ListenAndServe(?:TLS)?|Serve(?:TLS|Conn)?|ListenPacket|Listen|ListenTCP|ListenUnix|Spin|RunTLS|RunListener|RunUnix|StartReceiver)\s*\(/,
  /\.(?:Run|Start)\([^)\n]*"[^"\n]*:\d*"/,
  /\bexec\.Command(?:Context)?\s*\(/,
  /\.(?:Run|Start)\(\s*(?:"[^"]*:\d*"|[\w.]*(?:[Aa]ddr(?:ess)?|[Pp]ort|[Ll]isten)\w*\s*[),]|fmt\.Sprintf|net\.JoinHostPort|":"\s*\+)/,
  /\b(?:router|engine|r|app|server|srv|e|g|s|svc|api|mux)\.(?:Run|Start)\(\s*\)/,
  /\bselect\s*\{\s*\}/,
];
/** A deferred call that only releases a resource the kernel releases anyway at exit (not a shutdown to run). */
const GO_RELEASE = /^\s*defer\s+(?:[\w.[\]()]+\.)?(?:Close|Disconnect|Stop|Unlock|RUnlock|Done|Release|cancel|stop)\(\)\s*(?:\/\/.*)?$/;
/**
 * A function or method declaration's head (`func (s *Server) Serve(`): a server defined is not a server run. (A
 * call of ServeHTTP is not one either: it hands one request to a handler, as middleware does.)
 */
const GO_FUNC_HEAD = /^func\s*(?:\([^)]*\)\s*)?\w+\s*(?:\[[^\]]*\]\s*)?\(/gm;
function servesGo(text: string, main: boolean): boolean {
  const calls = text.replace(GO_FUNC_HEAD, '');
  if (GO_SERVES.some((re) => re.test(calls))) return true;
  // A deferred call that does something (prints, flushes, waits) is a shutdown the runtime's exit skips: in the
  // main package, whose functions run for the program's life. A library's defers end its own calls (a latency
  // recorded when a request returns: jaeger's esclient), and most of a package read is never called at all.
  return main && text.split('\n').some((l) => /^\s*defer\s/.test(l) && !GO_RELEASE.test(l));
}

/**
 * JavaScript that serves or holds work a stop would cut: it listens (`.listen(`, createServer), writes files, runs child
 * processes. And what keeps Node running at all: a timer, a listener, a promise, stdin, a loop of its own.
 * (Node exits once its event loop is empty, node(1); corpus/README.md: a node program that holds no work in flight
 * loses nothing when the default action ends it.)
 */
const JS_SERVES =
  /\.listen\s*\(|\bcreateServer\s*\(|\bfs\.(?:write|append|createWriteStream|rename|unlink|rm)|\bwriteFile(?:Sync)?\s*\(|child_process|\b(?:spawn|fork|execFile|execSync|spawnSync)\s*\(/;
/**
 * What keeps a program running, by language, as text (a match in a comment or string only keeps the verdict open).
 * JavaScript: a timer, listener, promise, server or loop. Python: a `while` loop, input(), a read of stdin, and the os
 * functions that run, wait for or signal a process (`from os import` hides which: counted too).
 */
const KEEPS_RUNNING: Partial<Record<SourceLanguage, RegExp>> = {
  javascript: /\b(?:setTimeout|setInterval|setImmediate)\s*\(|\.listen\s*\(|\.on(?:ce)?\s*\(|\bawait\b|\.then\s*\(|\bnew\s+Promise\b|process\.stdin|\bcreateServer\b|\bwhile\s*\(|\bfor\s*\(\s*;\s*;/,
  python: /\bwhile\b|\binput\s*\(|\bsys\.stdin\b|\bos\.(?:system|popen|fork\w*|wait\w*|exec\w*|spawn\w*|posix_spawn\w*|pause|kill\w*)\b|\bfrom\s+os\s+import\b/,
};
/**
 * CPython's standard modules that neither serve, wait, sleep, nor run or signal another process (not time, socket,
 * select, subprocess, threading, asyncio, signal, http, urllib, itertools' endless iterators): importing only these
 * leaves the program's own code to decide. `os` is here; its process functions are in KEEPS_RUNNING.
 */
const PY_QUIET = new Set(
  'os sys json csv re math cmath string datetime calendar collections functools operator random uuid hashlib hmac base64 binascii pathlib typing dataclasses enum decimal fractions statistics textwrap pprint copy shutil glob fnmatch tempfile io struct array bisect heapq abc numbers locale unicodedata difflib html xml configparser zlib gzip bz2 lzma zipfile tarfile pickle argparse getopt platform traceback warnings contextlib secrets logging __future__'.split(
    ' ',
  ),
);
const pyQuiet = (m: string): boolean => PY_QUIET.has(m.split('.')[0] as string);
/** Node's built-in modules that neither serve nor hold work: importing only these leaves the program's own code to decide. */
const JS_QUIET_BUILTINS = new Set(['os', 'path', 'util', 'crypto', 'url', 'querystring', 'string_decoder', 'assert', 'events', 'timers']);
const jsQuiet = (m: string): boolean => JS_QUIET_BUILTINS.has(m.replace(/^node:/, ''));

/** Signals a program handles to reload, reopen or report while it keeps running, not to stop. */
const RELOAD_SIGNALS = new Set(['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGINFO']);

function decide(reads: Read[], unseen: ImportRef[], language: SourceLanguage, stop: string, serves: boolean, keepsRunning = true): ProgramSourceVerdict {
  const files = reads.map((r) => r.file);
  const regs: Registration[] = reads.flatMap((r) => r.findings.registrations);
  const calls: KnownCall[] = reads.flatMap((r) => r.findings.calls);
  const live = regs.filter((r) => r.reach === 'yes');
  const signals = [
    ...new Set([
      ...live.filter((r) => r.action === 'handler').flatMap((r) => (r.signals === 'all' ? ['*'] : (r.signals ?? []))),
      ...calls.filter((c) => c.reach === 'yes' && c.effect === 'installs').flatMap((c) => c.signals),
    ]),
  ];
  // every verdict starts with { signals, files }: written out, not spread from a shared object (slow on Node 20: see moved() in model/shell.ts)
  const handler = live.find((r) => r.action === 'handler' && covers(r.signals, stop));
  if (handler) return { signals, files, verdict: 'handles', evidence: handler.evidence, reason: `${handler.api} installs a handler for ${stop}${where(handler.evidence)}` };
  const installer = calls.find((c) => c.reach === 'yes' && c.effect === 'installs' && c.signals.includes(stop));
  if (installer) return { signals, files, verdict: 'handles', evidence: installer.evidence, reason: `${installer.api}: ${installer.note}`, ...(installer.via ? { via: installer.via } : {}) };
  const ignored = live.find((r) => r.action === 'ignore' && covers(r.signals, stop));
  if (ignored) return { signals, files, verdict: 'no-handler', evidence: ignored.evidence, reason: `${ignored.api} sets ${stop} to be ignored: the program never stops on it` };

  // What pid1 cannot see through.
  const hidden = regs.find((r) => r.action === 'handler' && r.reach === 'unknown' && (r.signals === undefined || covers(r.signals, stop)));
  if (hidden)
    return {
      signals,
      files,
      verdict: 'unknown',
      evidence: hidden.evidence,
      reason: `${hidden.api} would take ${stop}, but ${hidden.why ?? 'pid1 cannot tell whether it runs'}; prove it with \`pid1 test\``,
    };
  const dynamic = live.find((r) => r.action === 'handler' && r.signals === undefined);
  if (dynamic) return { signals, files, verdict: 'unknown', evidence: dynamic.evidence, reason: `${dynamic.api} installs a handler for a signal chosen at run time; prove it with \`pid1 test\`` };
  const undecided = calls.find((c) => c.reach !== 'no' && c.effect === 'unknown');
  if (undecided) return { signals, files, verdict: 'unknown', evidence: undecided.evidence, reason: `${undecided.api}: ${undecided.note}`, ...(undecided.via ? { via: undecided.via } : {}) };
  // An import pid1 could not read decides nothing when it is a library not known to take signals
  // (signal-owners.ts); the program's own modules, verified libraries that may take it, and servers or
  // frameworks keep the verdict open.
  const own = (u: ImportRef): boolean => u.kind === 'local' || u.module.startsWith('.');
  const open = unseen.filter((u) => own(u) || u.library !== undefined || mayTakeStopSignal(language, u.module) || libraryMayTake(language, u.module));
  if (open.length) {
    const names = [...new Set(open.map((u) => u.module))];
    const first = open[0] as ImportRef;
    const owned = open.filter(own).length;
    const what = owned === open.length ? 'modules of its own that pid1 could not read' : owned ? 'modules pid1 could not read or does not know' : 'libraries that may take signals';
    return {
      signals,
      files,
      verdict: 'unknown',
      evidence: first.evidence,
      reason: `no ${stop} handler in ${shown(files)}, but it imports ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''} (${what}), which could install one; prove it with \`pid1 test\``,
    };
  }
  const presumed = [...new Set(unseen.map((u) => u.module))];
  const libraries = presumed.length ? `; its other imports (${presumed.slice(0, 3).join(', ')}${presumed.length > 3 ? ', ...' : ''}) are libraries not known to take signals` : '';

  // Nothing takes the stop signal, and nothing runs: the program ends before any stop comes.
  const entry = reads[0];
  // Only its own code and quiet modules, and nothing that keeps it running: the runtime exits when the program returns.
  // JavaScript: quiet built-ins, no timer, listener, promise or server (node exits once its event loop is empty).
  // Python: quiet standard modules, no loop, input or child process (the tutorial scripts that print a table or rewrite
  // a JSON file); with nothing unseen, every import that is not a standard or known module was found and read.
  const quietImports = (quiet: (i: ImportRef) => boolean): boolean => !unseen.length && reads.every((r) => r.findings.imports.every(quiet));
  const jsOwnOnly = language === 'javascript' && quietImports((i) => i.kind === 'local' || jsQuiet(i.module));
  const pyOwnOnly = language === 'python' && quietImports((i) => i.kind !== 'known' || pyQuiet(i.module));
  if ((jsOwnOnly || pyOwnOnly) && !keepsRunning && !serves && !calls.length && !regs.length) {
    return {
      signals,
      files,
      verdict: 'finishes',
      evidence: undefined,
      reason: jsOwnOnly
        ? `${shown(files)} runs and returns (no timer, listener, promise or server keeps node running): node exits at once, so no stop reaches it`
        : `${shown(files)} runs and returns (no loop, input, wait or child process; only its own code and quiet standard modules): python exits at once, so no stop reaches it`,
    };
  }
  if (reads.length === 1 && entry?.findings.runsNothing && !calls.length && !regs.length) {
    return {
      signals,
      files,
      verdict: 'finishes',
      evidence: undefined,
      reason: `${entry.file} only defines (imports, functions, classes, instances): run as a program it exits at once, so no stop reaches it`,
    };
  }
  // Nothing takes the stop signal: the runtime's default applies.
  const server = calls.find((c) => c.reach === 'yes' && c.effect === 'none');
  const other = live.find((r) => r.action === 'handler');
  const partial = calls.find((c) => c.reach === 'yes' && c.effect === 'installs');
  // A handler for other signals says most about what to change; then the server that runs without one.
  const evidence = other?.evidence ?? server?.evidence ?? partial?.evidence;
  const detail = other
    ? `${other.api} handles only ${other.signals === 'all' ? 'other signals' : (other.signals ?? []).join(', ')}${where(other.evidence)}`
    : server
      ? `${server.api}: ${server.note}`
      : partial
        ? `${partial.api}: ${partial.note}`
        : `nothing in ${shown(files)} installs a ${stop} handler${libraries}`;
  // Go ends at once on the signal (status 2), and Node where the default action applies (below PID 1): a loss for a
  // server, nothing lost for a program that serves nothing. A handler for another stop signal is a shutdown the program
  // wants, which SIGTERM skips (a loss); one only for signals that ask it to reload or report (SIGHUP, SIGUSR1, SIGUSR2)
  // is not: a loop that reloads its file on SIGHUP still has nothing in flight (skaffold's lifecycle-hooks example)
  // (a Go handler that only prints and exits is the default action written out: no shutdown of its own either)
  const shutdown = live.some((r) => r.action === 'handler' && !r.exitsOnly && (r.signals === 'all' || (r.signals ?? []).some((x) => !RELOAD_SIGNALS.has(x))));
  if ((language === 'go' || jsOwnOnly) && !serves && !server && !shutdown && !partial)
    return {
      signals,
      files,
      verdict: 'no-handler',
      nothingToDrain: true,
      evidence,
      reason:
        language === 'go'
          ? `${detail}; the Go runtime exits at once on it, and nothing in the program listens or serves, so nothing in flight is cut`
          : `${detail}; ${RUNTIME_DEFAULT[language]}; nothing in the program listens, writes or runs a child process, so nothing in flight is cut where the default action ends it`,
    };
  return { signals, files, verdict: 'no-handler', evidence, reason: `${detail}; ${RUNTIME_DEFAULT[language]}`, ...(server?.via ? { via: server.via } : {}) };
}

/** The files read, for a message: the first few and how many more. */
function shown(files: readonly string[]): string {
  return files.length > 4 ? `${files.slice(0, 3).join(', ')} and ${files.length - 3} more files` : files.join(', ');
}

/** A library in the verified tables whose entry says it may take a stop signal (verdict 'unknown'). */
function libraryMayTake(language: SourceLanguage, module: string): boolean {
  const match = language === 'python' ? pythonLibrary(module) : language === 'go' ? goLibrary(module) : nodeLibrary(module);
  return match !== undefined;
}

function where(e: Evidence): string {
  return ` (${e.file ? `${e.file}:` : 'line '}${e.line})`;
}

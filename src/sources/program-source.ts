/**
 * Does a program whose source is in the build context take the stop signal? Reads a Python,
 * JavaScript (or TypeScript as JavaScript) or Go entry file with a real parser (tree-sitter, see
 * grammars.ts), follows its imports of modules in the build context one level, and says which line
 * decides:
 * - handles: a handler for the signal is installed where the program starts (signal.signal,
 *   loop.add_signal_handler, process.on, signal.Notify, ...), or by a known server it starts
 *   (uvicorn.run, web.run_app, fx.App.Run, ...);
 * - no-handler: pid1 saw everything the program runs at start and nothing takes the signal, so the
 *   runtime's default applies (src/model/catalogue.ts: CPython and Node drop it at PID 1, Go exits 2);
 * - unknown: a handler may be installed where pid1 cannot see (a third-party import it does not know,
 *   a module it did not follow, a call inside a function nothing calls, a signal built at run time);
 * - finishes: a Python module whose top level only defines exits as soon as it starts.
 */
import path from 'node:path';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { SourceLanguage } from '../model/catalogue.js';
import { grammarParser, loadedParser } from './grammars.js';
import { GO_LIBRARIES, leavesSignalAlone, NODE_LIBRARIES, PYTHON_LIBRARIES } from './known-libraries.js';
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
    /** Go: the roots that may call a function of a followed package (the main package's files). */
    const callers: Node[] = [];
    const pending: { ref: ImportRef; from: string }[] = [];
    if (language === 'go') {
      // A Go main package is every non-test .go file in the entry's directory.
      const siblings = opts.path && opts.listDir ? (opts.listDir(dir) ?? []).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && path.posix.join(dir, f) !== opts.path) : [];
      const sources = [{ file, text }, ...siblings.map((f) => ({ file: path.posix.join(dir, f), text: opts.readFile?.(path.posix.join(dir, f)) ?? '' }))];
      const roots = sources.map((s) => parse(s.text).rootNode);
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

    // Follow imports one level: modules in the build context are read; their own imports are not.
    const unseen: ImportRef[] = [];
    const deeper: { ref: ImportRef; from: string }[] = [];
    const followed = new Set(reads.map((r) => r.file));
    for (const { ref, from } of pending) {
      // A known library: a module of its name in the build context shadows it (its candidates), else it
      // is known unless its entry says it may take this stop signal.
      const found = ref.kind !== 'known' || ref.candidates ? locate(ref, from, language, opts) : undefined;
      if (ref.kind === 'known' && !found) {
        if (ref.library && !libraryLeaves(language, ref.library, stop)) unseen.push(ref);
        continue;
      }
      if (!found) {
        // A relative import not found, or a package pid1 does not know.
        unseen.push(ref);
        continue;
      }
      const fresh = found.files.filter((f) => !followed.has(f.file));
      const roots = fresh.map((f) => parse(f.text).rootNode);
      fresh.forEach((f, i) => {
        followed.add(f.file);
        const root = roots[i] as Node;
        const findings =
          language === 'python'
            ? pythonFindings(root, f.text, { asEntry: false })
            : language === 'javascript'
              ? javascriptFindings(root, f.text)
              : goFindings(root, f.text, { ...(opts.goMod ? { module: opts.goMod.module } : {}), packageRoots: [...callers, ...roots.filter((_, j) => j !== i)] });
        for (const x of [...findings.registrations, ...findings.calls]) x.evidence.file = f.file;
        reads.push({ file: f.file, entry: false, findings });
        // Their imports of further modules were not followed: they could install a handler.
        for (const sub of findings.imports) if (sub.kind !== 'known') deeper.push({ ref: { ...sub, evidence: { ...sub.evidence, file: f.file } }, from: f.file });
      });
    }
    // ...unless the module is one already read (demo_pb2_grpc.py imports demo_pb2, which the entry imports too).
    for (const { ref, from } of deeper) {
      const found = locate(ref, from, language, opts);
      if (!found?.files.every((f) => followed.has(f.file))) unseen.push(ref);
    }
    return decide(reads, unseen, language, stop);
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
  for (const c of ref.candidates ?? []) {
    const p = path.posix.normalize(path.posix.join(base, c));
    const t = opts.readFile(p);
    if (t !== undefined) return { files: [{ file: p, text: t }] };
  }
  return undefined;
}

const covers = (signals: string[] | 'all' | undefined, stop: string): boolean => signals === 'all' || (signals?.includes(stop) ?? false);

function decide(reads: Read[], unseen: ImportRef[], language: SourceLanguage, stop: string): ProgramSourceVerdict {
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
  if (unseen.length) {
    const names = [...new Set(unseen.map((u) => u.module))];
    const first = unseen[0] as ImportRef;
    const local = unseen.filter((u) => u.kind === 'local' || u.evidence.file !== undefined);
    const what = local.length === unseen.length ? 'modules pid1 did not follow' : 'modules pid1 does not know';
    return {
      signals,
      files,
      verdict: 'unknown',
      evidence: first.evidence,
      reason: `no ${stop} handler in ${files.join(', ')}, but it imports ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''} (${what}), which could install one; prove it with \`pid1 test\``,
    };
  }

  // Nothing takes the stop signal, and nothing runs: the program ends before any stop comes.
  const entry = reads[0];
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
        : `nothing in ${files.join(', ')} installs a ${stop} handler`;
  return { signals, files, verdict: 'no-handler', evidence, reason: `${detail}; ${RUNTIME_DEFAULT[language]}`, ...(server?.via ? { via: server.via } : {}) };
}

function where(e: Evidence): string {
  return ` (${e.file ? `${e.file}:` : 'line '}${e.line})`;
}

/**
 * Signal handling in a Python file, read from its tree-sitter-python syntax tree: signal.signal /
 * loop.add_signal_handler / signal.sigwait calls, the signals they name, whether they run when the
 * program starts, calls into servers that install (or lack) a handler, and the imports to follow.
 * Comments and strings are never calls in the tree, so `# signal.signal(...)` and "signal.signal(" do
 * not count.
 */
import type { Node } from 'web-tree-sitter';
import { signalName } from '../model/signals.js';
import { pythonLibrary, underUnknown } from './known-libraries.js';
import { ancestor, evidenceOf, usedOutside, fields, named, signalNameOf, type FileFindings, type ImportRef, type KnownCall, type Reach, type Registration } from './source-findings.js';

/** sys.stdlib_module_names of CPython 3.11 (public names): importing these installs no signal handler. */
const STDLIB = new Set(
  `abc aifc argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb binascii bisect
builtins bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys compileall
concurrent configparser contextlib contextvars copy copyreg crypt csv ctypes curses dataclasses datetime dbm
decimal difflib dis distutils doctest email encodings ensurepip enum errno faulthandler fcntl filecmp
fileinput fnmatch fractions ftplib functools gc genericpath getopt getpass gettext glob graphlib grp gzip
hashlib heapq hmac html http imaplib imghdr imp importlib inspect io ipaddress itertools json keyword
lib2to3 linecache locale logging lzma mailbox mailcap marshal math mimetypes mmap modulefinder
multiprocessing netrc nis nntplib ntpath numbers opcode operator optparse os ossaudiodev
pathlib pdb pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats
pty pwd py_compile pyclbr pydoc pyexpat queue quopri random re readline reprlib resource
rlcompleter runpy sched secrets select selectors shelve shlex shutil signal site smtpd smtplib sndhdr socket
socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics string stringprep struct
subprocess sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib tempfile termios textwrap this
threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty types
typing unicodedata unittest urllib uu uuid venv warnings wave weakref webbrowser wsgiref
xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo __future__`.split(/\s+/),
);

const BOTH = ['SIGINT', 'SIGTERM'];
const UVICORN = {
  effect: 'installs',
  signals: BOTH,
  via: 'uvicorn',
  note: 'uvicorn installs handlers for SIGINT and SIGTERM and shuts down gracefully',
  source: 'uvicorn/server.py HANDLED_SIGNALS = (SIGINT, SIGTERM)',
} as const;
const SERVE_FOREVER = {
  effect: 'none',
  signals: [],
  via: 'python',
  note: "socketserver's serve_forever() installs no signal handler: CPython's SIGINT handler is all there is",
  source: 'CPython Lib/socketserver.py BaseServer.serve_forever()',
} as const;

type Known = Omit<KnownCall, 'api' | 'reach' | 'evidence'>;

/** Calls pid1 knows, by qualified name (instances as their class: flask.Flask.run). */
const KNOWN_CALLS: Record<string, (call: Node, q: Q) => Known> = {
  'uvicorn.run': () => ({ ...UVICORN, signals: [...UVICORN.signals] }),
  'uvicorn.Server.run': () => ({ ...UVICORN, signals: [...UVICORN.signals] }),
  'uvicorn.Server.serve': () => ({ ...UVICORN, signals: [...UVICORN.signals] }),
  'aiohttp.web.run_app': (call, q) =>
    flag(
      q,
      call,
      'handle_signals',
      undefined,
      true,
      {
        effect: 'installs',
        signals: BOTH,
        note: 'web.run_app(handle_signals=True) turns SIGINT and SIGTERM into a graceful exit',
        source: 'aiohttp web.py run_app() -> loop.add_signal_handler(SIGINT/SIGTERM, _raise_graceful_exit)',
      },
      { effect: 'none', signals: [], note: 'web.run_app(handle_signals=False) installs no handler', source: 'aiohttp web.py run_app()' },
    ),
  'flask.Flask.run': (call, q) => reloader(call, q, 'use_reloader', undefined),
  'werkzeug.serving.run_simple': (call, q) => reloader(call, q, 'use_reloader', 3),
  'http.server.HTTPServer.serve_forever': () => ({ ...SERVE_FOREVER, signals: [] }),
  'http.server.ThreadingHTTPServer.serve_forever': () => ({ ...SERVE_FOREVER, signals: [] }),
  'socketserver.TCPServer.serve_forever': () => ({ ...SERVE_FOREVER, signals: [] }),
  'socketserver.ThreadingTCPServer.serve_forever': () => ({ ...SERVE_FOREVER, signals: [] }),
  'socketserver.UDPServer.serve_forever': () => ({ ...SERVE_FOREVER, signals: [] }),
  'wsgiref.simple_server.make_server.serve_forever': () => ({ ...SERVE_FOREVER, signals: [] }),
  'http.server.test': () => ({ ...SERVE_FOREVER, signals: [] }),
  'asyncio.run': () => ({
    effect: 'installs',
    signals: ['SIGINT'],
    via: 'python',
    note: 'asyncio.run() installs a handler for SIGINT only (3.11+): SIGTERM stays dropped',
    source: 'CPython Lib/asyncio/runners.py Runner.run() (signal.signal(SIGINT, ...) on the main thread)',
  }),
  'celery.Celery.worker_main': () => ({
    effect: 'installs',
    signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'],
    via: 'celery',
    note: 'the celery worker shuts down warm on TERM',
    source: 'https://docs.celeryq.dev/en/stable/userguide/workers.html#stopping-the-worker',
  }),
  'celery.Celery.start': () => ({
    effect: 'installs',
    signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'],
    via: 'celery',
    note: 'app.start() runs the celery command line (a worker handles TERM)',
    source: 'https://docs.celeryq.dev/en/stable/userguide/workers.html#stopping-the-worker',
  }),
  'gunicorn.app.wsgiapp.run': () => ({
    effect: 'installs',
    signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'],
    via: 'gunicorn',
    note: "gunicorn's arbiter handles TERM gracefully",
    source: 'https://docs.gunicorn.org/en/stable/signals.html',
  }),
  'twisted.internet.reactor.run': (call, q) =>
    flag(
      q,
      call,
      'installSignalHandlers',
      0,
      true,
      {
        effect: 'installs',
        signals: BOTH,
        note: 'reactor.run() installs SIGINT and SIGTERM handlers that stop the reactor',
        source: 'twisted/internet/base.py _SignalReactorMixin.run(installSignalHandlers=True)',
      },
      { effect: 'none', signals: [], note: 'reactor.run(installSignalHandlers=False) installs none', source: 'twisted/internet/base.py' },
    ),
  'django.core.management.execute_from_command_line': () => ({
    effect: 'unknown',
    signals: [],
    via: 'django-runserver',
    note: "manage.py's subcommand decides: runserver's autoreloader exits on TERM and its server is SIGKILLed; a WSGI server should run the app instead",
    source: 'django/utils/autoreload.py run_with_reloader()',
  }),
  // os.exec*: the process image is replaced (execve(2)), so the program it names is PID 1 from then on and takes the
  // stop signal its own way (Mailu's start.py ends in `os.execv("/usr/bin/rspamd", ...)`)
  ...Object.fromEntries(
    ['execv', 'execve', 'execvp', 'execvpe', 'execl', 'execle', 'execlp', 'execlpe'].map((f) => [
      `os.${f}`,
      (): Known => ({ effect: 'unknown', signals: [], note: 'replaces the Python process with the program it names, which then takes the signal its own way', source: `Python os.${f} (execve(2))` }),
    ]),
  ),
};

/** A call that a verified library lists as installing a handler (known-libraries.ts verdict 'calls'). */
function libraryCall(qualified: string): Known | undefined {
  const m = pythonLibrary(qualified);
  if (m?.library.verdict !== 'calls') return undefined;
  if ((m.library.calls ?? []).includes(qualified))
    return { effect: 'installs', signals: [...(m.library.signals ?? [])], note: m.library.note ?? `${qualified} installs a handler`, source: m.library.source };
  if (underUnknown(m.library, qualified))
    return {
      effect: 'unknown',
      signals: [],
      note: `${qualified} is in a part of ${m.name} that can install a handler for ${(m.library.signals ?? []).join(', ')} (${m.library.note ?? 'see known-libraries.ts'})`,
      source: m.library.source,
    };
  return undefined;
}

/**
 * `python -m MODULE` for a module that is not the program's own file: what the module's __main__ does
 * with the stop signal, where pid1 knows it (the standard library and the servers in KNOWN_CALLS).
 */
const KNOWN_MODULES: Readonly<Record<string, Known>> = {
  'http.server': {
    ...SERVE_FOREVER,
    signals: [],
    note: 'python -m http.server runs http.server.test(): serve_forever(), which installs no signal handler',
    source: 'CPython Lib/http/server.py test() and Lib/socketserver.py BaseServer.serve_forever()',
  },
  SimpleHTTPServer: { ...SERVE_FOREVER, signals: [], note: 'python2 -m SimpleHTTPServer: serve_forever(), which installs no signal handler', source: 'CPython 2.7 Lib/SimpleHTTPServer.py test()' },
  uvicorn: { ...UVICORN, signals: [...UVICORN.signals] },
  gunicorn: {
    effect: 'installs',
    signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'],
    via: 'gunicorn',
    note: "python -m gunicorn runs gunicorn's arbiter, which handles TERM gracefully",
    source: 'https://docs.gunicorn.org/en/stable/signals.html',
  },
};

/** What `python -m MODULE` does with the signal, when it is a module pid1 knows (not one in the build context). */
export function knownModule(module: string, signal: string): { verdict: 'handles' | 'no-handler'; reason: string; via?: string } | undefined {
  const k = KNOWN_MODULES[module];
  if (!k || k.effect === 'unknown') return undefined;
  const handles = k.effect === 'installs' && k.signals.includes(signal);
  return { verdict: handles ? 'handles' : 'no-handler', reason: `${k.note} (${k.source})`, ...(k.via ? { via: k.via } : {}) };
}

/** The Flask/werkzeug development server: the reloader's parent catches TERM (and exits), otherwise nothing does. */
function reloader(call: Node, q: Q, kw: string, position: number | undefined): Known {
  const reload = literalArg(call, kw, position);
  const debug = literalArg(call, 'debug', undefined);
  const on = reload === true || (reload === undefined && debug === true);
  if (reload === 'dynamic' || (reload === undefined && debug === 'dynamic')) {
    return {
      effect: 'unknown',
      signals: [],
      via: 'flask-dev-server-reloader',
      note: `whether the reloader runs depends on ${q.text(call)}'s ${reload === 'dynamic' ? kw : 'debug'} argument at run time`,
      source: 'werkzeug/serving.py run_simple(use_reloader=...)',
    };
  }
  if (on)
    return {
      effect: 'installs',
      signals: ['SIGTERM'],
      via: 'flask-dev-server-reloader',
      note: 'the reloader parent catches TERM and exits 0; the server is its child and is SIGKILLed when PID 1 exits (no graceful stop)',
      source: 'werkzeug/_reloader.py run_with_reloader() (signal.signal(SIGTERM, lambda *args: sys.exit(0)))',
    };
  return {
    effect: 'none',
    signals: [],
    via: 'flask-dev-server',
    note: 'the development server installs no TERM handler (unless FLASK_DEBUG=1 turns the reloader on at run time)',
    source: 'werkzeug/serving.py run_simple()',
  };
}

function flag(q: Q, call: Node, kw: string, position: number | undefined, dflt: boolean, whenTrue: Known, whenFalse: Known): Known {
  const v = literalArg(call, kw, position);
  if (v === 'dynamic') return { effect: 'unknown', signals: [], note: `${q.text(call)}: ${kw} is decided at run time`, source: whenTrue.source };
  return (v ?? dflt) ? whenTrue : whenFalse;
}

/** A keyword (or positional) argument's literal truth value; 'dynamic' when it is an expression. */
function literalArg(call: Node, kw: string, position: number | undefined): boolean | 'dynamic' | undefined {
  const args = call.childForFieldName('arguments');
  if (!args) return undefined;
  const list = named(args);
  for (const a of list) {
    if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === kw) return truth(a.childForFieldName('value'));
  }
  if (position !== undefined) {
    const positional = list.filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
    const p = positional[position];
    if (p) return truth(p);
  }
  return undefined;
}

function truth(v: Node | null): boolean | 'dynamic' {
  if (!v) return 'dynamic';
  if (v.type === 'true') return true;
  if (v.type === 'false' || v.type === 'none') return false;
  if (v.type === 'integer') return Number(v.text) !== 0;
  return 'dynamic';
}

/** Name resolution over one file: imports, module-level instances. */
class Q {
  /** local name -> qualified name (module, or module.attr). */
  readonly names = new Map<string, string>();
  /** `from signal import *` */
  starSignal = false;
  /** variable -> the call that made it (app = Flask(__name__)). */
  readonly made = new Map<string, Node>();
  /** variable -> any value assigned to it (STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)). */
  readonly values = new Map<string, Node>();
  constructor(private readonly source: string) {}
  text(n: Node): string {
    return this.source.slice(n.startIndex, n.endIndex).split('\n')[0] ?? '';
  }
  /** A dotted qualified name for an expression; instances as `Class()`. */
  qualify(n: Node | null, depth = 0): string | undefined {
    if (!n || depth > 8) return undefined;
    switch (n.type) {
      case 'identifier': {
        const name = n.text;
        const m = this.names.get(name);
        if (m) return m;
        if (this.starSignal && /^(SIG[A-Z0-9_]+|signal|Signals|sigwait|sigwaitinfo|pthread_sigmask)$/.test(name)) return `signal.${name}`;
        const made = this.made.get(name);
        if (made) {
          const cls = this.qualify(made.childForFieldName('function'), depth + 1);
          return cls ? `${cls}()` : undefined;
        }
        return undefined;
      }
      case 'attribute': {
        const base = this.qualify(n.childForFieldName('object'), depth + 1);
        const attr = n.childForFieldName('attribute')?.text;
        return base && attr ? `${base}.${attr}` : undefined;
      }
      case 'call': {
        const f = this.qualify(n.childForFieldName('function'), depth + 1);
        return f ? `${f}()` : undefined;
      }
      default:
        return undefined;
    }
  }
}

/** `flask.Flask().run` -> `flask.Flask.run` */
const plain = (q: string): string => q.replace(/\(\)/g, '');

/** A `while` loop that sleeps between tries and breaks out of itself (a wait for a sibling service), not one that serves. */
function waitsThenBreaks(loop: Node, q: Q): boolean {
  const body = loop.childForFieldName('body');
  if (!body) return false;
  // a break of this loop: not one inside a nested loop
  const ownBreak = body.descendantsOfType('break_statement').some((b) => {
    for (let p = b?.parent; p && p.id !== loop.id; p = p.parent) if (p.type === 'while_statement' || p.type === 'for_statement') return false;
    return b !== null;
  });
  const sleeps = body.descendantsOfType('call').some((c) => /(^|\.)sleep$/.test(plain(q.qualify(c?.childForFieldName('function') ?? null) ?? '')));
  return ownBreak && sleeps;
}

interface PythonOptions {
  /** The file is the program's entry (its `if __name__ == '__main__':` block runs). */
  asEntry: boolean;
}

export function pythonFindings(root: Node, source: string, opts: PythonOptions): FileFindings {
  const lines = source.split('\n');
  const q = new Q(source);
  const imports: ImportRef[] = [];
  // Imports anywhere in the file (a function-level import still names the module).
  for (const st of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!st) continue;
    const ev = evidenceOf(st, lines);
    if (st.type === 'import_statement') {
      for (const n of fields(st, 'name')) {
        const dotted = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
        if (!dotted) continue;
        const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : undefined;
        // `import a.b` binds `a`; `import a.b as x` binds x to a.b.
        q.names.set(alias ?? (dotted.split('.')[0] as string), alias ? dotted : (dotted.split('.')[0] as string));
        imports.push(importRef(dotted, ev));
      }
      continue;
    }
    const modNode = st.childForFieldName('module_name');
    const mod = modNode?.text ?? '';
    const relative = modNode?.type === 'relative_import';
    if (named(st).some((c) => c.type === 'wildcard_import')) {
      if (mod === 'signal') q.starSignal = true;
      imports.push(importRef(mod, ev));
      continue;
    }
    const names = fields(st, 'name');
    for (const n of names) {
      const orig = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
      if (!orig) continue;
      const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : undefined;
      q.names.set(alias ?? orig, relative ? `.local.${orig}` : `${mod}.${orig}`);
    }
    if (!relative && !pythonLibrary(mod)) {
      // `from google.cloud import storage`: the package is google.cloud.storage (a namespace package's part).
      const parts = names.map((n) => (n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text) ?? '');
      if (parts.length && parts.every((x) => pythonLibrary(`${mod}.${x}`))) {
        for (const x of parts) imports.push(importRef(`${mod}.${x}`, ev));
        continue;
      }
    }
    if (relative) {
      const base = mod.replace(/^\.+/, '');
      // `from . import app` may name a module app.py; `from .mod import x` names mod.py.
      const mods = base ? [base] : names.map((n) => (n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text) ?? '');
      for (const m of mods.filter(Boolean)) imports.push({ module: `.${m}`, kind: 'local', candidates: candidatesOf(m, mod.match(/^\.+/)?.[0].length ?? 1), evidence: ev });
    } else {
      imports.push(importRef(mod, ev));
    }
  }
  // Module-level instances: `app = Flask(__name__)`, `server = HTTPServer(...)`.
  for (const a of root.descendantsOfType('assignment')) {
    const left = a?.childForFieldName('left');
    const right = a?.childForFieldName('right');
    if (!a || left?.type !== 'identifier' || !right) continue;
    if (right.type === 'call') q.made.set(left.text, right);
    q.values.set(left.text, right);
  }

  const registrations: Registration[] = [];
  const calls: KnownCall[] = [];
  for (const call of root.descendantsOfType('call')) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    const qn = q.qualify(fn);
    const args = call.childForFieldName('arguments');
    const argList = args ? named(args).filter((a) => a.type !== 'comment') : [];
    const reach = (): { reach: Reach; why?: string } => reachOf(call, root, opts);
    if (qn === 'signal.signal') {
      const handler = argList[1];
      const hq = q.qualify(handler ?? null);
      const action = hq === 'signal.SIG_IGN' ? 'ignore' : hq === 'signal.SIG_DFL' || hq === 'signal.Handlers.SIG_DFL' ? 'default' : 'handler';
      registrations.push({ api: 'signal.signal', signals: signalsOf(argList[0], q), action, ...reach(), evidence: evidenceOf(call, lines) });
      continue;
    }
    if (qn === 'signal.sigwait' || qn === 'signal.sigwaitinfo' || qn === 'signal.sigtimedwait') {
      // Blocking the signal and waiting for it takes it without a handler (SigBlk, not SigCgt).
      registrations.push({ api: qn, signals: signalsOf(argList[0], q), action: 'handler', ...reach(), evidence: evidenceOf(call, lines) });
      continue;
    }
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'add_signal_handler') {
      registrations.push({ api: 'loop.add_signal_handler', signals: signalsOf(argList[0], q), action: 'handler', ...reach(), evidence: evidenceOf(call, lines) });
      continue;
    }
    // an os.exec* after a loop that serves (waiting for work: `while not dispatched: httpd.handle_request()`) comes after
    // the stop may have: CPython is PID 1 while it serves, as if it never exec'd. A loop that waits for a sibling and
    // breaks out (`while True: sleep(1); if requests.get(...).ok: break`, Mailu's rspamd start.py) is start-up: the
    // program exec'd after it is what runs
    if (qn && /^os\.exec/.test(plain(qn)) && root.descendantsOfType('while_statement').some((w) => w !== null && w.endIndex <= call.startIndex && !waitsThenBreaks(w, q))) continue;
    const known = qn && Object.hasOwn(KNOWN_CALLS, plain(qn)) ? KNOWN_CALLS[plain(qn)] : undefined;
    if (known && qn) calls.push({ ...known(call, q), api: plain(qn), ...reach(), evidence: evidenceOf(call, lines) });
    else if (qn) {
      const lib = libraryCall(plain(qn));
      if (lib) calls.push({ ...lib, api: plain(qn), ...reach(), evidence: evidenceOf(call, lines) });
    }
  }
  // A library that installs a handler when it is imported (known-libraries.ts verdict 'import').
  for (const st of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!st) continue;
    for (const ref of imports.filter((i) => i.evidence.line === st.startPosition.row + 1)) {
      const m = ref.kind === 'known' ? pythonLibrary(ref.module) : undefined;
      if (m?.library.verdict !== 'import') continue;
      calls.push({
        effect: 'installs',
        signals: [...(m.library.signals ?? [])],
        note: m.library.note ?? `importing ${m.name} installs a handler`,
        source: m.library.source,
        api: `import ${m.name}`,
        ...reachOf(st, root, opts),
        evidence: ref.evidence,
      });
    }
  }
  return { registrations, calls, imports, syntaxErrors: root.hasError, ...(onlyDefines(root) ? { runsNothing: true } : {}) };
}

/**
 * The module's top level only defines: imports, functions, classes (decorated too: `@app.route` registers),
 * docstrings, and assignments whose calls construct (`app = Flask(__name__)`: a capitalised callee). No
 * call statement, no `if __name__ == "__main__":`, no loop, `with` or `try`: run as a program it exits as
 * soon as it starts (a WSGI module meant for gunicorn, run with `python app.py`).
 */
function onlyDefines(root: Node): boolean {
  const constructs = (n: Node): boolean =>
    n.descendantsOfType('call').every((c) => {
      const fn = c?.childForFieldName('function');
      const last = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
      return last !== undefined && /^[A-Z]/.test(last);
    });
  return named(root).every((st) => {
    switch (st.type) {
      case 'comment':
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition':
      case 'pass_statement':
        return true;
      case 'expression_statement': {
        const e = named(st);
        return e.every((x) => x.type === 'string' || ((x.type === 'assignment' || x.type === 'augmented_assignment') && constructs(x)));
      }
      default:
        return false;
    }
  });
}

function candidatesOf(dotted: string, dots = 0): string[] {
  const rel = dotted.split('.').join('/');
  const up = dots > 1 ? '../'.repeat(dots - 1) : '';
  return [`${up}${rel}.py`, `${up}${rel}/__init__.py`];
}

function importRef(dotted: string, evidence: ImportRef['evidence']): ImportRef {
  const top = dotted.split('.')[0] ?? dotted;
  if (STDLIB.has(top)) return { module: dotted, kind: 'known', evidence };
  // A verified library (known-libraries.ts); a module of that name beside the file would shadow it
  // (the script's directory comes first on sys.path), so its candidates are still looked for.
  const lib = pythonLibrary(dotted);
  if (lib && lib.library.verdict !== 'unknown' && !underUnknown(lib.library, dotted)) return { module: dotted, kind: 'known', library: lib.name, candidates: candidatesOf(dotted), evidence };
  // Not known: a module beside the file (import app -> app.py), or a third-party package.
  return { module: dotted, kind: 'unknown', candidates: candidatesOf(dotted), evidence };
}

/** The signals an expression names: signal.SIGTERM, SIGTERM, signal.Signals.SIGTERM, 15, a loop variable, a tuple/set. */
function signalsOf(n: Node | undefined, q: Q, depth = 0): string[] | undefined {
  if (!n || depth > 6) return undefined;
  switch (n.type) {
    case 'integer': {
      const num = Number(n.text);
      try {
        return [signalName(num)];
      } catch {
        return undefined;
      }
    }
    case 'tuple':
    case 'list':
    case 'set':
    case 'parenthesized_expression': {
      const out: string[] = [];
      // A comment inside the tuple is a named child too, and names no signal.
      for (const c of named(n).filter((x) => x.type !== 'comment')) {
        const s = signalsOf(c, q, depth + 1);
        if (!s) return undefined;
        out.push(...s);
      }
      return out;
    }
    case 'identifier':
    case 'attribute': {
      const qn = q.qualify(n);
      const m = qn ? /^signal\.(?:Signals\.)?(SIG[A-Z0-9_]+)$/.exec(qn) : null;
      if (m?.[1]) return [m[1]];
      if (n.type === 'identifier') {
        // for sig in (signal.SIGTERM, signal.SIGINT): signal.signal(sig, h)
        for (let p = n.parent; p; p = p.parent) {
          if (p.type === 'for_statement' && p.childForFieldName('left')?.text === n.text) return signalsOf(p.childForFieldName('right') ?? undefined, q, depth + 1);
        }
        const v = q.values.get(n.text);
        if (v && depth < 4) return signalsOf(v, q, depth + 1);
      }
      // `sig.SIGTERM` where sig is an alias of signal resolves above; anything else is dynamic.
      const tail = n.type === 'attribute' ? n.childForFieldName('attribute')?.text : undefined;
      return tail && /^SIG[A-Z0-9]+$/.test(tail) && qn === undefined ? [signalNameOf(tail) as string] : undefined;
    }
    default:
      return undefined;
  }
}

/** Does the call run when the program starts? Module level: yes (the main guard only in the entry). In a function: if something calls it. */
function reachOf(call: Node, root: Node, opts: PythonOptions): { reach: Reach; why?: string } {
  const fn = ancestor(call, ['function_definition', 'lambda']);
  if (!fn) {
    const guard = mainGuard(call);
    if (guard && !opts.asEntry) return { reach: 'no', why: "it is inside `if __name__ == '__main__':` of an imported module" };
    return { reach: 'yes' };
  }
  if (fn.type === 'lambda') return { reach: 'unknown', why: 'it is inside a lambda' };
  if (fn.parent?.type === 'decorated_definition') return { reach: 'yes' };
  const name = fn.childForFieldName('name')?.text ?? '';
  const used = usedOutside(root, ['identifier'], name, fn, fn.childForFieldName('body'));
  return used ? { reach: 'yes' } : { reach: 'unknown', why: `it is inside ${name}(), which nothing in this file calls` };
}

/** The enclosing `if __name__ == '__main__':`, if any. */
function mainGuard(n: Node): Node | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type !== 'if_statement') continue;
    const c = p.childForFieldName('condition');
    if (c?.type !== 'comparison_operator') continue;
    const parts = named(c);
    const hasName = parts.some((x) => x.type === 'identifier' && x.text === '__name__');
    const hasMain = parts.some((x) => x.type === 'string' && named(x).some((s) => s.type === 'string_content' && s.text === '__main__'));
    if (hasName && hasMain) return p;
  }
  return undefined;
}

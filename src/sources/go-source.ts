/**
 * Signal handling in a Go file, from its tree-sitter-go syntax tree: signal.Notify / NotifyContext /
 * Ignore / Reset from os/signal (under any import name), the signals passed (syscall.SIGTERM,
 * unix.SIGTERM, os.Interrupt, a []os.Signal variable), whether the call runs at start, known libraries
 * that take the signals for the program (fx, controller-runtime, apiserver, and the 'calls' entries of
 * known-libraries.ts GO_LIBRARIES), and the imports to follow (a verified library is known).
 */
import type { Node } from 'web-tree-sitter';
import { goLibrary, goUnderUnknown } from './known-libraries.js';
import { ancestor, evidenceOf, usedOutside, named, type FileFindings, type ImportRef, type KnownCall, type Reach, type Registration } from './source-findings.js';

/**
 * Library calls that take SIGINT/SIGTERM for the program, by import path + function, for packages the verified
 * table (known-libraries.ts GO_LIBRARIES 'calls' entries, read by libraryCall) does not hold.
 */
const KNOWN_CALLS: Record<string, Omit<KnownCall, 'api' | 'reach' | 'evidence'>> = {
  'sigs.k8s.io/controller-runtime.SetupSignalHandler': {
    effect: 'installs',
    signals: ['SIGINT', 'SIGTERM'],
    note: 'controller-runtime cancels the returned context on SIGINT/SIGTERM (a second signal exits 1)',
    source: 'https://pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/manager/signals#SetupSignalHandler',
  },
  'k8s.io/apiserver/pkg/server.SetupSignalHandler': {
    effect: 'installs',
    signals: ['SIGINT', 'SIGTERM'],
    note: 'closes the returned channel on SIGINT/SIGTERM',
    source: 'https://pkg.go.dev/k8s.io/apiserver/pkg/server#SetupSignalHandler',
  },
  'k8s.io/apiserver/pkg/server.SetupSignalContext': {
    effect: 'installs',
    signals: ['SIGINT', 'SIGTERM'],
    note: 'cancels the returned context on SIGINT/SIGTERM',
    source: 'https://pkg.go.dev/k8s.io/apiserver/pkg/server#SetupSignalContext',
  },
  'go.uber.org/fx.New.Run': {
    effect: 'installs',
    signals: ['SIGINT', 'SIGTERM'],
    note: 'fx.App.Run starts the app, waits for SIGINT/SIGTERM and runs the OnStop hooks',
    source: 'https://pkg.go.dev/go.uber.org/fx#App.Run',
  },
  'net/http.ListenAndServe': { effect: 'none', signals: [], via: 'go', note: 'net/http installs no handler, so requests in flight are cut', source: 'https://pkg.go.dev/os/signal (Default behavior)' },
  'net/http.ListenAndServeTLS': {
    effect: 'none',
    signals: [],
    via: 'go',
    note: 'net/http installs no handler, so requests in flight are cut',
    source: 'https://pkg.go.dev/os/signal (Default behavior)',
  },
};
const KNOWN_MODULES = ['go.uber.org/fx', 'sigs.k8s.io/controller-runtime', 'k8s.io/apiserver'];

interface GoOptions {
  /** The module path from go.mod: imports under it are packages in the build context. */
  module?: string;
  /** The other files of the same package: a function defined here may be called there. */
  packageRoots?: readonly Node[];
}

export function goFindings(root: Node, source: string, opts: GoOptions = {}): FileFindings {
  const lines = source.split('\n');
  const imports: ImportRef[] = [];
  /** import name in this file -> import path */
  const pkgs = new Map<string, string>();
  for (const spec of root.descendantsOfType('import_spec')) {
    if (!spec) continue;
    const p = spec.childForFieldName('path');
    const ipath = p
      ? named(p)
          .map((c) => c.text)
          .join('')
      : '';
    const alias = spec.childForFieldName('name')?.text;
    const local = alias && alias !== '_' && alias !== '.' ? alias : (ipath.split('/').pop() ?? ipath).replace(/^go-|\.v\d+$/, '');
    // A major-version suffix is not the package name: github.com/labstack/echo/v4 is `echo`.
    pkgs.set(/^v\d+$/.test(local) ? (ipath.split('/').slice(-2)[0] ?? local) : local, ipath);
    imports.push(importRef(ipath, opts.module, evidenceOf(spec, lines)));
  }
  const signalPkg = [...pkgs].find(([, p]) => p === 'os/signal')?.[0];
  const qualify = (n: Node | null): string | undefined => {
    if (n?.type !== 'selector_expression') return undefined;
    const op = n.childForFieldName('operand');
    const field = n.childForFieldName('field')?.text;
    if (op?.type === 'identifier' && pkgs.has(op.text) && field) return `${pkgs.get(op.text)}.${field}`;
    return undefined;
  };

  const registrations: Registration[] = [];
  const calls: KnownCall[] = [];
  for (const call of root.descendantsOfType('call_expression')) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    const args = call.childForFieldName('arguments');
    const argList = args ? named(args).filter((a) => a.type !== 'comment') : [];
    const q = qualify(fn);
    if (signalPkg && q?.startsWith('os/signal.')) {
      const what = q.slice('os/signal.'.length);
      const rest = what === 'Notify' || what === 'NotifyContext' ? argList.slice(1) : argList;
      if (!['Notify', 'NotifyContext', 'Ignore', 'Reset'].includes(what)) continue;
      const signals = rest.length === 0 ? 'all' : signalsOf(rest, call, pkgs);
      const channel = what === 'Notify' && argList[0]?.type === 'identifier' ? argList[0].text : undefined;
      registrations.push({
        api: `signal.${what}`,
        signals,
        action: what === 'Ignore' ? 'ignore' : what === 'Reset' ? 'default' : 'handler',
        ...(channel !== undefined && exitsOnReceive(channel, call, qualify) ? { exitsOnly: true } : {}),
        ...reachOf(call, root, opts.packageRoots),
        evidence: evidenceOf(call, lines),
      });
      continue;
    }
    let known = q ? (KNOWN_CALLS[q] ?? libraryCall(q)) : undefined;
    let api = q;
    // app := fx.New(...); app.Run()  or  fx.New(...).Run()
    if (!known && fn?.type === 'selector_expression' && fn.childForFieldName('field')?.text === 'Run') {
      const origin = originOf(fn.childForFieldName('operand'), root, qualify);
      if (origin) {
        known = KNOWN_CALLS[`${origin}.Run`];
        api = `${origin}.Run`;
      }
    }
    if (known && api) calls.push({ ...known, signals: [...known.signals], api, ...reachOf(call, root, opts.packageRoots), evidence: evidenceOf(call, lines) });
  }
  return { registrations, calls, imports, syntaxErrors: root.hasError };
}

/** A call that a verified library lists as installing a handler (known-libraries.ts verdict 'calls'), or one into a part it leaves to the program. */
function libraryCall(qualified: string): Omit<KnownCall, 'api' | 'reach' | 'evidence'> | undefined {
  const pkg = qualified.slice(0, qualified.lastIndexOf('.'));
  const m = goLibrary(pkg);
  if (m?.library.verdict !== 'calls') return undefined;
  if ((m.library.calls ?? []).includes(qualified))
    return { effect: 'installs', signals: [...(m.library.signals ?? [])], note: m.library.note ?? `${qualified} installs a handler`, source: m.library.source };
  if (goUnderUnknown(m.library, qualified))
    return { effect: 'unknown', signals: [], note: `${qualified} is in a part of ${m.name} that can install a handler (${m.library.note ?? 'see known-libraries.ts'})`, source: m.library.source };
  return undefined;
}

function importRef(ipath: string, module: string | undefined, evidence: ImportRef['evidence']): ImportRef {
  if (module && (ipath === module || ipath.startsWith(`${module}/`))) {
    return { module: ipath, kind: 'local', candidates: [ipath.slice(module.length).replace(/^\//, '') || '.'], evidence };
  }
  // The standard library has no dot in its first path element.
  const first = ipath.split('/')[0] ?? '';
  if (!first.includes('.')) return { module: ipath, kind: 'known', evidence };
  // A verified library (known-libraries.ts), unless the import is in a part it leaves to the program.
  const lib = goLibrary(ipath);
  if (lib && lib.library.verdict !== 'unknown' && !goUnderUnknown(lib.library, ipath)) return { module: ipath, kind: 'known', library: lib.name, evidence };
  if (KNOWN_MODULES.some((m) => ipath === m || ipath.startsWith(`${m}/`))) return { module: ipath, kind: 'known', evidence };
  return { module: ipath, kind: 'unknown', evidence };
}

const OS_SIGNALS: Record<string, string> = { Interrupt: 'SIGINT', Kill: 'SIGKILL' };

/** Calls that only print: what may come between a signal's receive and the exit. */
const PRINTS = /^(?:fmt\.(?:Print|Println|Printf|Fprint|Fprintln|Fprintf)|log\.(?:Print|Println|Printf))$/;
/** Calls that end the process at once: os.Exit runs no deferred calls (pkg.go.dev/os#Exit); log.Fatal* calls os.Exit(1). */
const EXITS = /^(?:os\.Exit|log\.(?:Fatal|Fatalln|Fatalf))$/;

/**
 * Whether every receive from the Notify channel, in the function that calls Notify, only prints and exits (`<-c`
 * then `fmt.Println(...)` and `os.Exit(1)`, also as a `case sig := <-c:` of a select): a handler that ends the program as
 * the default action would, with nothing of its own to drain (a Go client of fresh49 with an os.Interrupt handler).
 */
function exitsOnReceive(channel: string, call: Node, qualify: (n: Node | null) => string | undefined): boolean {
  const scope = ancestor(call, ['function_declaration', 'method_declaration', 'func_literal', 'source_file']) ?? call;
  let receives = 0;
  for (const u of scope.descendantsOfType('unary_expression')) {
    if (!u?.text.startsWith('<-') || u.childForFieldName('operand')?.text !== channel) continue;
    receives++;
    const parent = u.parent;
    let after: Node[];
    if (parent?.type === 'expression_statement') {
      after = [];
      for (let n = parent.nextNamedSibling; n; n = n.nextNamedSibling) after.push(n);
    } else if (parent?.type === 'receive_statement' && parent.parent?.type === 'communication_case') {
      const list = named(parent.parent).find((c) => c.type === 'statement_list');
      after = list ? named(list) : [];
    } else return false;
    const calls = after.map((st) => (st.type === 'expression_statement' ? named(st)[0] : undefined));
    if (calls.some((c) => c?.type !== 'call_expression')) return false;
    const names = calls.map((c) => qualify(c?.childForFieldName('function') ?? null) ?? '');
    const last = names.length - 1;
    if (last < 0 || !EXITS.test(names[last] as string) || !names.slice(0, last).every((n) => PRINTS.test(n))) return false;
  }
  return receives > 0;
}

/** Signals in Notify's arguments; undefined when one of them cannot be resolved. */
function signalsOf(args: Node[], call: Node, pkgs: Map<string, string>): string[] | undefined {
  const out: string[] = [];
  for (const a of args) {
    const s = signalOf(a, call, pkgs, 0);
    if (!s) return undefined;
    out.push(...s);
  }
  return out;
}

function signalOf(a: Node, call: Node, pkgs: Map<string, string>, depth: number): string[] | undefined {
  if (depth > 4) return undefined;
  if (a.type === 'selector_expression') {
    const op = a.childForFieldName('operand')?.text ?? '';
    const field = a.childForFieldName('field')?.text ?? '';
    const path = pkgs.get(op);
    if ((path === 'syscall' || path === 'golang.org/x/sys/unix') && /^SIG[A-Z0-9]+$/.test(field)) return [field];
    if (path === 'os' && OS_SIGNALS[field]) return [OS_SIGNALS[field] as string];
    return undefined;
  }
  // signal.Notify(c, sigs...) with sigs := []os.Signal{...} in the same function
  const id = a.type === 'variadic_argument' ? named(a)[0] : a.type === 'identifier' ? a : undefined;
  if (id?.type !== 'identifier') return undefined;
  const scope = ancestor(call, ['function_declaration', 'method_declaration', 'func_literal', 'source_file']) ?? call;
  for (const decl of scope.descendantsOfType(['short_var_declaration', 'var_spec', 'const_spec'])) {
    if (!decl) continue;
    const names = decl.type === 'short_var_declaration' ? named(decl.childForFieldName('left') ?? decl) : decl.childrenForFieldName('name').filter((x): x is Node => x !== null);
    const idx = names.findIndex((n) => n.text === id.text);
    if (idx < 0) continue;
    const valueList = decl.childForFieldName(decl.type === 'short_var_declaration' ? 'right' : 'value');
    const value = valueList ? named(valueList)[idx] : undefined;
    if (value?.type === 'composite_literal') {
      const body = value.childForFieldName('body');
      const out: string[] = [];
      for (const el of body ? named(body) : []) {
        const inner = named(el)[0] ?? el;
        const s = signalOf(inner, call, pkgs, depth + 1);
        if (!s) return undefined;
        out.push(...s);
      }
      return out;
    }
    if (value) return signalOf(value, call, pkgs, depth + 1);
  }
  return undefined;
}

/** `x` in `x.Run()`: the package function that made it (x := fx.New(...)), or the call itself (fx.New(...).Run()). */
function originOf(n: Node | null, root: Node, qualify: (n: Node | null) => string | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'call_expression') return qualify(n.childForFieldName('function'));
  if (n.type !== 'identifier') return undefined;
  for (const decl of root.descendantsOfType('short_var_declaration')) {
    const left = decl?.childForFieldName('left');
    const right = decl?.childForFieldName('right');
    if (!left || !right) continue;
    const idx = named(left).findIndex((x) => x.text === n.text);
    const v = idx >= 0 ? named(right)[idx] : undefined;
    if (v?.type === 'call_expression') return qualify(v.childForFieldName('function'));
  }
  return undefined;
}

/** main() and init() run; another function runs if something calls it; a func literal is assumed to (a goroutine or callback). */
function reachOf(call: Node, root: Node, others: readonly Node[] = []): { reach: Reach; why?: string } {
  const fn = ancestor(call, ['function_declaration', 'method_declaration', 'func_literal']);
  if (!fn) return { reach: 'yes' };
  if (fn.type === 'func_literal') return { reach: 'yes' };
  const name = fn.childForFieldName('name')?.text ?? '';
  if (fn.type === 'function_declaration' && (name === 'main' || name === 'init')) return { reach: 'yes' };
  const types = ['identifier', 'field_identifier'];
  const used = usedOutside(root, types, name, fn, fn.childForFieldName('body')) || others.some((r) => usedOutside(r, types, name, undefined, undefined));
  return used ? { reach: 'yes' } : { reach: 'unknown', why: `it is inside ${name}(), which nothing in this package calls` };
}

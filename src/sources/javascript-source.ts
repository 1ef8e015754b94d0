/**
 * Signal listeners in a JavaScript file (TypeScript parses well enough as JavaScript for this: type
 * annotations become error nodes the parser recovers from), from its tree-sitter-javascript syntax
 * tree: process.on/once/addListener('SIGTERM', ...), the signals named (literals, `for...of` and
 * `forEach` over arrays, constants), whether the call runs at start, known libraries that install
 * listeners, and the imports to follow.
 */
import { builtinModules } from 'node:module';
import type { Node } from 'web-tree-sitter';
import { nodeLibrary } from './known-libraries.js';
import { ancestor, evidenceOf, usedOutside, named, signalNameOf, type FileFindings, type ImportRef, type KnownCall, type Reach, type Registration } from './source-findings.js';

const LISTEN = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
const BUILTIN = new Set(builtinModules);

interface KnownJs {
  module: string;
  effect: KnownCall['effect'];
  signals: string[];
  note: string;
  source: string;
}
/** Calls by imported name (module + export, or a method name that only that module has). */
const KNOWN_CALLS: Record<string, KnownJs> = {
  createTerminus: {
    module: '@godaddy/terminus',
    effect: 'installs',
    signals: ['SIGTERM'],
    note: 'terminus listens for SIGTERM by default (its `signal`/`signals` options change that) and runs onSignal before closing the server',
    source: 'https://github.com/godaddy/terminus#options',
  },
  enableShutdownHooks: {
    module: '@nestjs/core',
    effect: 'installs',
    signals: ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'],
    note: 'NestJS listens for the shutdown signals and runs the lifecycle hooks',
    source: 'https://docs.nestjs.com/fundamentals/lifecycle-events#application-shutdown',
  },
  closeWithGrace: {
    module: 'close-with-grace',
    effect: 'installs',
    signals: ['SIGTERM', 'SIGINT'],
    note: 'close-with-grace listens for SIGTERM and SIGINT and runs the given close function',
    source: 'https://github.com/mcollina/close-with-grace#readme',
  },
};

export function javascriptFindings(root: Node, source: string): FileFindings {
  const lines = source.split('\n');
  const imports: ImportRef[] = [];
  /** Local names of the process object, and imported names -> module. */
  const processNames = new Set(['process']);
  const importedFrom = new Map<string, string>();
  const record = (spec: string, n: Node, locals: string[]): void => {
    const mod = spec.replace(/^node:/, '');
    if (mod === 'process') for (const l of locals) processNames.add(l);
    for (const l of locals) importedFrom.set(l, spec);
    imports.push(importRef(spec, evidenceOf(n, lines)));
  };
  for (const st of root.descendantsOfType('import_statement')) {
    const src = st?.childForFieldName('source');
    if (!st || !src) continue;
    record(stringValue(src) ?? '', st, importedLocals(st));
  }
  for (const call of root.descendantsOfType('call_expression')) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'identifier' || fn.text !== 'require') continue;
    const arg = call.childForFieldName('arguments');
    const first = arg ? named(arg)[0] : undefined;
    const spec = first ? stringValue(first) : undefined;
    if (spec === undefined) continue;
    // const p = require('process') / const { createTerminus } = require('@godaddy/terminus')
    const decl = call.parent?.type === 'variable_declarator' ? call.parent : undefined;
    const target = decl?.childForFieldName('name');
    const locals = !target
      ? []
      : target.type === 'identifier'
        ? [target.text]
        : target
            .descendantsOfType(['shorthand_property_identifier_pattern', 'identifier'])
            .filter((x): x is Node => x !== null)
            .map((x) => x.text);
    record(spec, call, locals);
  }

  const registrations: Registration[] = [];
  const calls: KnownCall[] = [];
  for (const call of root.descendantsOfType('call_expression')) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    const args = call.childForFieldName('arguments');
    const argList = args ? named(args).filter((a) => a.type !== 'comment') : [];
    if (fn?.type === 'member_expression') {
      const obj = fn.childForFieldName('object');
      const prop = fn.childForFieldName('property')?.text ?? '';
      if (obj && isProcess(obj, processNames) && LISTEN.has(prop)) {
        const sig = signalsOf(argList[0], root);
        // process.on('exit' | 'uncaughtException' | ...) is not a signal listener.
        if (sig === 'not-a-signal') continue;
        registrations.push({ api: `process.${prop}`, signals: sig, action: 'handler', ...reachOf(call, root), evidence: evidenceOf(call, lines) });
        continue;
      }
      const known = Object.hasOwn(KNOWN_CALLS, prop) ? KNOWN_CALLS[prop] : undefined;
      if (known && [...importedFrom.values()].includes(known.module)) {
        calls.push({
          effect: known.effect,
          signals: [...known.signals],
          note: known.note,
          source: known.source,
          api: `${known.module} ${prop}()`,
          ...reachOf(call, root),
          evidence: evidenceOf(call, lines),
        });
      }
    } else if (fn?.type === 'identifier') {
      // Own keys only: a call to `constructor()` or `toString()` is no known call.
      const known = Object.hasOwn(KNOWN_CALLS, fn.text) ? KNOWN_CALLS[fn.text] : undefined;
      const from = importedFrom.get(fn.text);
      if (known && from === known.module) {
        calls.push({
          effect: known.effect,
          signals: [...known.signals],
          note: known.note,
          source: known.source,
          api: `${known.module} ${fn.text}()`,
          ...reachOf(call, root),
          evidence: evidenceOf(call, lines),
        });
        continue;
      }
      // A call a verified library lists as installing a handler (known-libraries.ts verdict 'calls').
      const lib = from !== undefined ? nodeLibrary(from) : undefined;
      if (lib?.library.verdict === 'calls' && (lib.library.calls ?? []).includes(fn.text)) {
        calls.push({
          effect: 'installs',
          signals: [...(lib.library.signals ?? [])],
          note: lib.library.note ?? `${fn.text}() installs a listener`,
          source: lib.library.source,
          api: `${lib.name} ${fn.text}()`,
          ...reachOf(call, root),
          evidence: evidenceOf(call, lines),
        });
      }
    }
  }
  // A library that listens as soon as it is loaded (known-libraries.ts verdict 'import').
  for (const ref of imports) {
    const lib = ref.kind === 'known' ? nodeLibrary(ref.module) : undefined;
    if (lib?.library.verdict !== 'import') continue;
    const at = root.descendantForPosition({ row: ref.evidence.line - 1, column: ref.evidence.column - 1 }) ?? root;
    calls.push({
      effect: 'installs',
      signals: [...(lib.library.signals ?? [])],
      note: lib.library.note ?? `loading ${lib.name} installs a listener`,
      source: lib.library.source,
      api: `require('${lib.name}')`,
      ...reachOf(at, root),
      evidence: ref.evidence,
    });
  }
  return { registrations, calls, imports, syntaxErrors: root.hasError };
}

/** The local names an import binds: default, `* as x`, `{ a, b as c }`. */
function importedLocals(st: Node): string[] {
  const out: string[] = [];
  for (const clause of named(st).filter((c) => c.type === 'import_clause')) {
    for (const c of named(clause)) {
      if (c.type === 'identifier') out.push(c.text);
      else if (c.type === 'namespace_import')
        out.push(
          ...named(c)
            .filter((x) => x.type === 'identifier')
            .map((x) => x.text),
        );
      else if (c.type === 'named_imports') {
        for (const spec of named(c).filter((x) => x.type === 'import_specifier')) {
          const local = spec.childForFieldName('alias') ?? spec.childForFieldName('name');
          if (local) out.push(local.text);
        }
      }
    }
  }
  return out;
}

function importRef(spec: string, evidence: ImportRef['evidence']): ImportRef {
  if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/')) {
    const exts = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '/index.js', '/index.mjs', '/index.cjs', '/index.ts'];
    return { module: spec, kind: 'local', candidates: exts.map((e) => `${spec}${e}`), evidence };
  }
  const bare = spec.replace(/^node:/, '');
  if (spec.startsWith('node:') || BUILTIN.has(bare)) return { module: spec, kind: 'known', evidence };
  // A verified library (known-libraries.ts).
  const lib = nodeLibrary(spec);
  if (lib && lib.library.verdict !== 'unknown') return { module: spec, kind: 'known', library: lib.name, evidence };
  return { module: spec, kind: 'unknown', evidence };
}

function stringValue(n: Node): string | undefined {
  if (n.type === 'string')
    return named(n)
      .filter((c) => c.type === 'string_fragment')
      .map((c) => c.text)
      .join('');
  if (n.type === 'template_string' && !named(n).some((c) => c.type === 'template_substitution'))
    return named(n)
      .map((c) => c.text)
      .join('');
  return undefined;
}

/** Signal names in an event-name argument; 'not-a-signal' for other events ('exit'); undefined when dynamic. */
function signalsOf(n: Node | undefined, root: Node, depth = 0): string[] | 'not-a-signal' | undefined {
  if (!n || depth > 6) return undefined;
  const lit = stringValue(n);
  if (lit !== undefined) return /^SIG[A-Z0-9]+$/.test(lit) ? [signalNameOf(lit) as string] : 'not-a-signal';
  if (n.type === 'array') {
    const out: string[] = [];
    for (const c of named(n)) {
      const s = signalsOf(c, root, depth + 1);
      if (s === undefined) return undefined;
      if (s !== 'not-a-signal') out.push(...s);
    }
    return out.length ? out : 'not-a-signal';
  }
  if (n.type !== 'identifier') return undefined;
  const name = n.text;
  for (let p = n.parent; p; p = p.parent) {
    // for (const s of ['SIGINT', 'SIGTERM']) process.on(s, ...)
    if (p.type === 'for_in_statement' && identOf(p.childForFieldName('left')) === name) return signalsOf(p.childForFieldName('right') ?? undefined, root, depth + 1);
    // ['SIGINT', 'SIGTERM'].forEach((s) => process.on(s, ...))
    if ((p.type === 'arrow_function' || p.type === 'function_expression') && paramNames(p).includes(name)) {
      const call = p.parent?.type === 'arguments' ? p.parent.parent : undefined;
      const callee = call?.childForFieldName('function');
      if (callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'forEach') return signalsOf(callee.childForFieldName('object') ?? undefined, root, depth + 1);
      return undefined;
    }
  }
  // const SIGNALS = ['SIGTERM'] / const STOP = 'SIGTERM'
  for (const d of root.descendantsOfType('variable_declarator')) {
    if (d?.childForFieldName('name')?.text === name) return signalsOf(d.childForFieldName('value') ?? undefined, root, depth + 1);
  }
  return undefined;
}

/** EventEmitter methods that return the emitter itself, so that calls chain: `process.removeAllListeners(s).addListener(s, f)`. */
const CHAINS = new Set([...LISTEN, 'removeListener', 'removeAllListeners', 'off', 'setMaxListeners']);

/** `process` (or a name it was given), or a chain of its EventEmitter calls, which each return it (node's events docs: "Returns a reference to the EventEmitter, so that calls can be chained"). */
function isProcess(n: Node, processNames: ReadonlySet<string>): boolean {
  if (n.type === 'identifier') return processNames.has(n.text);
  if (n.type !== 'call_expression') return false;
  const fn = n.childForFieldName('function');
  const obj = fn?.type === 'member_expression' ? fn.childForFieldName('object') : null;
  return obj !== null && CHAINS.has(fn?.childForFieldName('property')?.text ?? '') && isProcess(obj, processNames);
}

function identOf(n: Node | null): string | undefined {
  if (!n) return undefined;
  if (n.type === 'identifier') return n.text;
  return n.descendantsOfType('identifier')[0]?.text;
}

function paramNames(fn: Node): string[] {
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!params) return [];
  if (params.type === 'identifier') return [params.text];
  return params
    .descendantsOfType('identifier')
    .filter((x): x is Node => x !== null)
    .map((x) => x.text);
}

const FUNCTIONS = ['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration'];

/** Top level: runs. A callback passed to a call: assumed to run (server.listen(port, () => ...)). A named function: if referenced. */
function reachOf(call: Node, root: Node): { reach: Reach; why?: string } {
  const fn = ancestor(call, FUNCTIONS);
  if (!fn) return { reach: 'yes' };
  if (fn.parent?.type === 'arguments') return { reach: 'yes' };
  let name: string | undefined;
  if (fn.type === 'function_declaration' || fn.type === 'generator_function_declaration' || fn.type === 'method_definition') name = fn.childForFieldName('name')?.text;
  else if (fn.parent?.type === 'variable_declarator') name = fn.parent.childForFieldName('name')?.text;
  else if (fn.parent?.type === 'pair') name = fn.parent.childForFieldName('key')?.text;
  if (!name) return { reach: 'unknown', why: 'it is inside a function pid1 cannot follow' };
  const used = usedOutside(root, ['identifier', 'property_identifier'], name, fn, fn.childForFieldName('body'));
  return used ? { reach: 'yes' } : { reach: 'unknown', why: `it is inside ${name}(), which nothing in this file calls` };
}

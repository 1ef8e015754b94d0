/**
 * What the per-language readers (python-source.ts, javascript-source.ts, go-source.ts) find in one
 * file, and small helpers over tree-sitter nodes they share. program-source.ts turns the findings of
 * an entry file and the local modules it imports into one verdict.
 */
import type { Node } from 'web-tree-sitter';

/** Where a decision is made: 1-based line and column, and the source line (trimmed). */
export interface Evidence {
  /** The file, when it is not the entry file itself (an imported module). */
  file?: string;
  line: number;
  column: number;
  text: string;
}

/** Whether the code at a place runs when the program starts. */
export type Reach = 'yes' | 'no' | 'unknown';

/** A call that sets what a signal does: signal.signal, loop.add_signal_handler, process.on, signal.Notify, ... */
export interface Registration {
  /** The API, as written in the language: `signal.signal`, `process.on`, `signal.Notify`. */
  api: string;
  /** Signal names (SIGTERM); 'all' for signal.Notify(c) with none listed; undefined when pid1 cannot tell which. */
  signals: string[] | 'all' | undefined;
  /** A handler, or setting the signal back to its default action or to ignored. */
  action: 'handler' | 'default' | 'ignore';
  reach: Reach;
  /** Why reach is not 'yes'. */
  why?: string;
  /** Go: every receive of the signal only prints and exits (`<-c; fmt.Println("bye"); os.Exit(1)`): no shutdown of its own. */
  exitsOnly?: boolean;
  evidence: Evidence;
}

/** A call into a known server or framework that decides signal handling for the program. */
export interface KnownCall {
  /** It installs a handler; it runs the program without one; or a non-literal argument decides. */
  effect: 'installs' | 'none' | 'unknown';
  /** The signals it takes (for 'installs'). */
  signals: string[];
  /** The catalogue entry (src/model/catalogue.ts) for what it does as PID 1. */
  via?: string;
  /** The call as pid1 names it: uvicorn.run, aiohttp.web.run_app, flask.Flask.run. */
  api: string;
  note: string;
  source: string;
  reach: Reach;
  evidence: Evidence;
}

/** An import: a module in the build context (followed one level), a known one, or an unknown third-party one. */
export interface ImportRef {
  module: string;
  kind: 'local' | 'known' | 'unknown';
  /** A known third-party library: its key in known-libraries.ts. */
  library?: string;
  /** For local imports: candidate paths of the module, relative to the importing file's directory. */
  candidates?: string[];
  evidence: Evidence;
}

export interface FileFindings {
  registrations: Registration[];
  calls: KnownCall[];
  imports: ImportRef[];
  /** The parser recovered from syntax errors (still analysed; worth saying). */
  syntaxErrors: boolean;
  /** Python: the module's top level only defines, so run as a program it exits at once. */
  runsNothing?: boolean;
}

export function fields(n: Node, name: string): Node[] {
  return n.childrenForFieldName(name).filter((c): c is Node => c !== null);
}

export function named(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null);
}

export function evidenceOf(n: Node, lines: readonly string[]): Evidence {
  const row = n.startPosition.row;
  const text = (lines[row] ?? '').trim();
  return { line: row + 1, column: n.startPosition.column + 1, text: text.length > 160 ? `${text.slice(0, 157)}...` : text };
}

/** Canonical signal name from a bare or SIG-prefixed name; undefined when it is not a signal name. */
export function signalNameOf(raw: string): string | undefined {
  const s = raw.trim().toUpperCase();
  if (!/^(SIG)?[A-Z0-9]+$/.test(s)) return undefined;
  return s.startsWith('SIG') ? s : `SIG${s}`;
}

/** The nearest ancestor of one of the types (or undefined). */
export function ancestor(n: Node, types: readonly string[]): Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (types.includes(p.type)) return p;
  return undefined;
}

interface Use {
  start: number;
  end: number;
  parent: number | undefined;
}
const USES = new WeakMap<object, Map<string, Use[]>>();

/**
 * Whether `name` is used in `root` outside `fn`'s body and not as `fn`'s own name (or its declarator's):
 * does anything call or pass the function? The identifiers of a tree are indexed once per tree.
 */
export function usedOutside(root: Node, types: readonly string[], name: string, fn: Node | undefined, body: Node | null | undefined): boolean {
  let index = USES.get(root.tree);
  if (!index) {
    index = new Map();
    for (const id of root.descendantsOfType([...types])) {
      if (!id) continue;
      const list = index.get(id.text) ?? [];
      list.push({ start: id.startIndex, end: id.endIndex, parent: id.parent?.id });
      index.set(id.text, list);
    }
    USES.set(root.tree, index);
  }
  const own = new Set([fn?.id, fn?.parent?.type === 'variable_declarator' ? fn.parent.id : undefined].filter((x) => x !== undefined));
  return (index.get(name) ?? []).some((u) => !(u.parent !== undefined && own.has(u.parent)) && !(body && u.start >= body.startIndex && u.end <= body.endIndex));
}

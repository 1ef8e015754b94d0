/**
 * The directory a shell runs a command in, as far as the `cd`s before it tell. `cd /src && node ./app.js` and a
 * script's `cd /server/` then `exec node index.js` run the program from that directory, not from the image's
 * WORKDIR: relative program and script paths are read there (POSIX cd changes the shell's working directory,
 * which every command it runs after it inherits).
 *
 * Only `cd`s every path to the command passes: earlier statements of each enclosing list, the left side of an
 * `&&` list. A subshell's or a pipeline's own `cd` changes nothing after it; a `cd` on a branch that may or may not
 * run, a `cd` to a word pid1 cannot read (`cd "$APP_HOME"` unset, `cd` alone, `cd -`, `popd`), or one inside a
 * function the script calls, leaves the directory unknown.
 */
import path from 'node:path';
import type { Node } from '#web-tree-sitter';
import { firstWord, unwrap, wordsOf } from './shell-words.js';

/** A directory (absolute, or relative to where the shell started), or false: changed to somewhere pid1 cannot tell. */
export type ShellCwd = string | false;

const CHANGES_DIR = new Set(['cd', 'pushd', 'popd']);
const NAMES_CHANGE_DIR = /\b(?:cd|pushd|popd)\b/;

/** Can the text change directory at all (a cheap test before the tree is searched)? */
export function mayChangeDir(source: string): boolean {
  return NAMES_CHANGE_DIR.test(source);
}
/** Subtrees whose `cd` does not reach the commands after them (their own process, or code run only when called). */
const OWN_PROCESS = new Set(['subshell', 'command_substitution', 'process_substitution', 'pipeline', 'function_definition']);

/** `cd DIR` (or pushd): DIR, literal; false when pid1 cannot read it. */
function cdTarget(cmd: Node, env: Readonly<Record<string, string>> | undefined): ShellCwd {
  if (firstWord(cmd) === 'popd') return false;
  const args = wordsOf(cmd, env)
    .slice(1)
    .filter((w, i, all) => !(/^-[LPe@]+$/.test(w.text) || (w.text === '--' && i < all.length - 1)));
  const dir = args.length === 1 ? args[0]?.literal : undefined;
  return dir === undefined || dir === '' || dir === '-' || dir.startsWith('~') ? false : dir;
}

/**
 * Where the script changes directory, found once per tree: every `cd` (pushd, popd) and every call of a function
 * whose body does, each with the nearest enclosing subtree whose own process (or later call) keeps it there.
 */
/** The nearest enclosing subtree that keeps a cd to itself. */
function scopeOf(n: Node): { start: number; end: number } | undefined {
  for (let a = n.parent; a; a = a.parent) if (OWN_PROCESS.has(a.type)) return { start: a.startIndex, end: a.endIndex };
  return undefined;
}

class DirChanges {
  private readonly at: { start: number; scope: { start: number; end: number } | undefined }[] = [];

  constructor(root: Node, functions: ReadonlyMap<string, Node>) {
    // only commands that change directory or call one of the script's functions matter
    const calls = root
      .descendantsOfType('command')
      .map((c) => (c ? { node: c, name: firstWord(c) ?? '' } : undefined))
      .filter((c): c is { node: Node; name: string } => c !== undefined && (CHANGES_DIR.has(c.name) || functions.has(c.name)))
      .map((c) => ({ ...c, start: c.node.startIndex, scope: scopeOf(c.node) }));
    // functions whose body changes directory where their caller sees it, directly or through another such function
    const cdFunctions = new Set<string>();
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, body] of functions) {
        if (cdFunctions.has(name)) continue;
        const inBody = (c: (typeof calls)[number]): boolean => c.start >= body.startIndex && c.start < body.endIndex && !(c.scope && c.scope.start > body.startIndex && c.scope.end <= body.endIndex);
        if (calls.some((c) => inBody(c) && (CHANGES_DIR.has(c.name) || cdFunctions.has(c.name)))) {
          cdFunctions.add(name);
          grew = true;
        }
      }
    }
    for (const c of calls) if (CHANGES_DIR.has(c.name) || cdFunctions.has(c.name)) this.at.push({ start: c.start, scope: c.scope });
  }

  /** Is there a change of directory inside `n` that the shell running `n` keeps after it? */
  within(n: Node): boolean {
    if (OWN_PROCESS.has(n.type)) return false;
    return this.at.some((c) => c.start >= n.startIndex && c.start < n.endIndex && !(c.scope && c.scope.start >= n.startIndex && c.scope.end <= n.endIndex));
  }

  /** Outside `def`: a change of directory at the script's level (or in a function called there). */
  outside(def: Node): boolean {
    return this.at.some((c) => (c.start < def.startIndex || c.start >= def.endIndex) && c.scope === undefined);
  }
}

/** Does running this statement change the shell's directory: where to, or false when that depends or cannot be read? */
function effectOf(s: Node, env: Readonly<Record<string, string>> | undefined, changes: DirChanges): ShellCwd | undefined {
  const c = unwrap(s);
  if (c.type === 'command' && CHANGES_DIR.has(firstWord(c) ?? '')) return cdTarget(c, env);
  // `cd /app || exit 1`, `cd /app && ...`: the path that goes on went through the cd
  if (c.type === 'list') {
    const left = c.namedChildren[0] ? unwrap(c.namedChildren[0]) : undefined;
    if (left?.type === 'command' && CHANGES_DIR.has(firstWord(left) ?? '') && !c.namedChildren.slice(1).some((r) => r !== null && changes.within(r))) return cdTarget(left, env);
  }
  return changes.within(s) ? false : undefined;
}

/** The node of the tree that spans exactly [start, end). */
function nodeAt(root: Node, start: number, end: number): Node | undefined {
  let n = root;
  descend: while (n.startIndex !== start || n.endIndex !== end) {
    for (const c of n.namedChildren) {
      if (c && c.startIndex <= start && c.endIndex >= end) {
        n = c;
        continue descend;
      }
    }
    return undefined;
  }
  return n;
}

/**
 * Where the command at [start, end) runs: undefined when no `cd` comes before it (the shell's own starting
 * directory), a directory (absolute, or relative to the starting one), or false when it cannot be told.
 */
export function cwdAt(root: Node, start: number, end: number, env: Readonly<Record<string, string>> | undefined, functions: ReadonlyMap<string, Node>): ShellCwd | undefined {
  const node = nodeAt(root, start, end);
  if (!node) return undefined;
  const changes = changesOf(root, functions);
  // the cds met on the way back, nearest first
  const found: string[] = [];
  const result = (): ShellCwd | undefined => (found.length ? path.posix.join(...found.reverse()).replace(/(.)\/+$/, '$1') : undefined);
  for (let n: Node = node; n.parent; n = n.parent) {
    const parent = n.parent;
    if (parent.type === 'pipeline' || parent.type === 'command_substitution' || parent.type === 'process_substitution') return false;
    if (parent.type === 'function_definition') {
      // called from wherever: a cd before the call decides, unless this function's own cd was absolute
      return changes.outside(parent) ? false : result();
    }
    // the other branches of an if or a case did not run on this path
    const skipSiblings = parent.type === 'case_statement' || n.type === 'elif_clause' || n.type === 'else_clause';
    for (let s = n.previousNamedSibling; s; s = s.previousNamedSibling) {
      if (s.type === 'comment' || s.type === 'heredoc_body') continue;
      if (skipSiblings) {
        if (changes.within(s)) return false;
        continue;
      }
      const effect = effectOf(s, env, changes);
      if (effect === undefined) continue;
      if (effect === false) return false;
      found.push(effect);
      if (effect.startsWith('/')) return result();
    }
  }
  return result();
}

/** One index per tree (a script's several ends ask about the same tree). */
let lastChanges: { root: Node; changes: DirChanges } | undefined;
function changesOf(root: Node, functions: ReadonlyMap<string, Node>): DirChanges {
  if (lastChanges?.root.id !== root.id || lastChanges.root.tree !== root.tree) lastChanges = { root, changes: new DirChanges(root, functions) };
  return lastChanges.changes;
}

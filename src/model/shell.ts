/**
 * The shell model: given a command string (`sh -c STRING`) or a script, and the shell family that
 * runs it, which command ends up running for long, and is it exec'd (same PID) or a child?
 *
 * Parsing uses web-tree-sitter + tree-sitter-bash: a real shell grammar with positions (~25 us to parse
 * a one-line command here), loaded from the package's bundled .wasm, so no native build is needed.
 *
 * Facts it relies on (measured with the real shells in test/shell.test.ts and test/lint-real.test.ts):
 * - dash never execs the last command of `sh -c` (it forks and waits);
 * - bash and busybox ash exec the last simple command of `-c` (also after `&&` or `;`), but not a
 *   pipeline, a background job, a subshell or compound command, nor when a trap is set;
 * - no family execs the last command of a script file (`sh script.sh`, or a script run by its shebang);
 * - a trap runs only after the foreground command ends; `wait` returns at once (status > 128) when a
 *   trapped signal arrives, so a script whose trap forwards TERM must wait again (or wait in the trap),
 *   and under `set -e` that first failing `wait` ends the script.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import { Language, Parser, type Node } from 'web-tree-sitter';
import type { ShellFamily } from './programs.js';

let parser: Parser | undefined;

/** Load the grammar once; every analysis after that is synchronous. */
export async function loadShellParser(): Promise<void> {
  if (parser) return;
  // Keep wasm on V8's baseline compiler: tiering tree-sitter-bash's 160 KB lexer function up to TurboFan
  // costs ~400 ms of CPU (--trace-wasm-compilation-times) that a CLI run never earns back; Liftoff code
  // parses a one-line command in ~40 us. Only wasm compilation is affected, and tree-sitter is our only wasm.
  v8.setFlagsFromString('--liftoff-only');
  await Parser.init();
  const require = createRequire(import.meta.url);
  const wasm = path.join(path.dirname(require.resolve('tree-sitter-bash/package.json')), 'tree-sitter-bash.wasm');
  const lang = await Language.load(wasm);
  const p = new Parser();
  p.setLanguage(lang);
  parser = p;
}

/** Whether loadShellParser() has completed (sync callers use the shell model only then). */
export function shellParserReady(): boolean {
  return parser !== undefined;
}

export function shellParser(): Parser {
  if (!parser) throw new Error('shell parser not loaded: await loadShellParser() first');
  return parser;
}

/** A word of a command: its literal value when it has no expansion, else undefined; plus its source text. */
export interface Word {
  text: string;
  literal?: string;
  start: number;
  end: number;
}

export type CommandShape = 'simple' | 'pipeline' | 'background' | 'subshell' | 'compound' | 'function' | 'none';

export interface FinalCommand {
  /** The words of the command (after `exec` and its options, when exec'd explicitly). */
  words: Word[];
  /** Literal argv when every word is literal (or a variable whose value is known). */
  argv?: string[];
  shape: CommandShape;
  /** Written as `exec CMD`. */
  explicitExec: boolean;
  /** The shell replaces itself with this command (explicitly, or by its family's last-command exec). */
  execd: boolean;
  /** Offsets of the whole command (including `exec`) in the source. */
  start: number;
  end: number;
  /** 1-based line and column of the command in the source. */
  line: number;
  column: number;
  /** Offset where the command's name starts (after assignments like `FOO=1`), for inserting `exec `. */
  nameStart?: number;
  /** The command has `VAR=value` prefixes. */
  assignments?: boolean;
  /** The command sits at top level (not inside a list like `a && b`). */
  topLevel?: boolean;
}

export interface Trap {
  action: string;
  signals: string[];
  line: number;
  /** The action runs `kill` (passing a signal on to a child it started). */
  forwards: boolean;
  /** The action runs `wait` (waits for the child to finish its shutdown). */
  waits: boolean;
  /** The action is empty (`trap '' TERM`): the signal is ignored, not handled. */
  ignores: boolean;
}

/** How a script ends when it runs its service in the background and waits for it. */
export interface WaitPattern {
  /** The background job (`svc & pid=$!`). */
  job: FinalCommand;
  /** Consecutive `wait` statements at the end of the script. */
  waits: number;
  /** The first of them cannot end the script under `set -e` (`wait $pid || true`, or inside `if`). */
  guarded: boolean;
}

export interface ShellAnalysis {
  family: ShellFamily;
  /** What was analysed, and whether it is a `-c` string or a script file. */
  source: string;
  mode: 'command' | 'script';
  /** The last top-level command: the one still running when the stop signal comes. */
  final?: FinalCommand;
  /** `exec "$@"` (or `exec "${@}"`) runs the container's CMD in place of the script. */
  execArgs: boolean;
  traps: Trap[];
  /** `set -e` (or -e in the shebang) is in effect at top level. */
  errexit: boolean;
  /** The script ends with `wait` for a background job. */
  wait?: WaitPattern;
  /** Syntax errors as 1-based line:column, if any. */
  errors: { line: number; column: number; message: string }[];
  /** For a `-c` string that is one plain command (see plainArgv): its argv. */
  plain?: string[];
}

export interface AnalyzeOptions {
  /** `command` (default): a `-c` string; `script`: a script file (no family execs its last command). */
  mode?: 'command' | 'script';
  /** Known environment (the image's ENV): `$VAR` words with a known value count as literal. */
  env?: Readonly<Record<string, string>>;
  /** -e was given on the shell's command line or shebang. */
  errexit?: boolean;
}

const EXPANSIONS = new Set(['simple_expansion', 'expansion', 'command_substitution', 'arithmetic_expansion', 'process_substitution']);

function variableOf(n: Node): string | undefined {
  // $VAR or ${VAR} with no operator
  if (n.type === 'simple_expansion' || n.type === 'expansion') {
    if (n.namedChildCount !== 1) return undefined;
    const v = n.namedChild(0);
    if (v?.type !== 'variable_name') return undefined;
    if (n.type === 'expansion' && n.text !== `\${${v.text}}`) return undefined;
    return v.text;
  }
  return undefined;
}

function literalOf(n: Node, env?: Readonly<Record<string, string>>): string | undefined {
  switch (n.type) {
    case 'word': case 'number': {
      const t = n.text;
      if (/[*?[]/.test(t) || t.startsWith('~')) return undefined; // a glob or a tilde: the shell expands it
      return t.includes('\\') ? t.replace(/\\(.)/g, '$1') : t;
    }
    case 'raw_string':
      return n.text.slice(1, -1);
    case 'string': {
      let out = '';
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (!c) continue;
        if (c.type === 'string_content') out += c.text.replace(/\\([$`"\\\n])/g, '$1');
        else if (env && variableOf(c) !== undefined && env[variableOf(c) as string] !== undefined) out += env[variableOf(c) as string];
        else return undefined;
      }
      return out;
    }
    case 'simple_expansion': case 'expansion': {
      // unquoted: only when the value needs no field splitting or globbing
      const v = env ? variableOf(n) : undefined;
      const val = v !== undefined ? env?.[v] : undefined;
      return val !== undefined && val !== '' && !/[\s*?[]/.test(val) ? val : undefined;
    }
    case 'concatenation': {
      let out = '';
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (!c) continue;
        const l = literalOf(c, env);
        if (l === undefined) return undefined;
        out += l;
      }
      return out;
    }
    default:
      return undefined;
  }
}

const SKIP_IN_WORDS = new Set(['variable_assignment', 'file_redirect', 'heredoc_redirect', 'herestring_redirect', 'comment']);

function wordsOf(cmd: Node, env?: Readonly<Record<string, string>>): Word[] {
  const words: Word[] = [];
  for (let i = 0; i < cmd.namedChildCount; i++) {
    const c = cmd.namedChild(i);
    if (!c || SKIP_IN_WORDS.has(c.type)) continue;
    const node = c.type === 'command_name' ? c.namedChild(0) ?? c : c;
    const lit = literalOf(node, env);
    words.push({ text: node.text, ...(lit !== undefined ? { literal: lit } : {}), start: node.startIndex, end: node.endIndex });
  }
  return words;
}

function hasAssignments(cmd: Node): boolean {
  return cmd.namedChild(0)?.type === 'variable_assignment';
}

/** Unwrap `cmd >log` (redirected_statement) to the command itself. */
function unwrap(n: Node): Node {
  let cur = n;
  while (cur.type === 'redirected_statement') {
    const body = cur.childForFieldName('body');
    if (!body) break;
    cur = body;
  }
  return cur;
}

/** 1-based line and column of an offset. */
export function positionOf(source: string, index: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  let i = source.indexOf('\n');
  while (i !== -1 && i < index) {
    line++;
    last = i;
    i = source.indexOf('\n', i + 1);
  }
  return { line, column: index - last };
}

function firstWord(cmd: Node): string | undefined {
  const name = cmd.childForFieldName('name');
  return name ? literalOf(name.namedChild(0) ?? name) : undefined;
}

/** Commands inside a trap action (parsed as shell too). */
function trapOf(words: Word[], line: number): Trap {
  const action = words[1]?.literal ?? words[1]?.text ?? '';
  const signals = words.slice(2).map((x) => (x.literal ?? x.text).toUpperCase().replace(/^SIG/, ''));
  let forwards = false;
  let waits = false;
  if (action.trim() !== '' && action !== '-') {
    const t = shellParser().parse(action);
    if (t) {
      const visit = (n: Node): void => {
        if (n.type === 'command') {
          const w = firstWord(n);
          if (w === 'kill') forwards = true;
          if (w === 'wait') waits = true;
        }
        for (let i = 0; i < n.namedChildCount; i++) {
          const c = n.namedChild(i);
          if (c) visit(c);
        }
      };
      visit(t.rootNode);
      t.delete();
    }
  }
  return { action, signals, line, forwards, waits, ignores: action === '' };
}

function collectTraps(root: Node, source: string, traps: Trap[]): void {
  const visit = (n: Node): void => {
    if (n.type === 'command') {
      if (firstWord(n) === 'trap') {
        const w = wordsOf(n);
        if (w.length >= 3) traps.push(trapOf(w, positionOf(source, n.startIndex).line));
      }
      return;
    }
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (c && c.type !== 'function_definition' && c.type !== 'comment' && c.type !== 'heredoc_body') visit(c);
    }
  };
  visit(root);
}

function errorsOf(root: Node, source: string): ShellAnalysis['errors'] {
  const errs: ShellAnalysis['errors'] = [];
  const visit = (n: Node): void => {
    if (errs.length > 5) return;
    if (n.type === 'ERROR' || n.isMissing) {
      const p = positionOf(source, n.startIndex);
      errs.push({ ...p, message: n.isMissing ? `missing ${n.type}` : `cannot parse "${n.text.slice(0, 30)}"` });
      return;
    }
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (c && (c.hasError || c.isMissing)) visit(c);
    }
  };
  if (root.hasError) visit(root);
  return errs;
}

/** Does this family exec the final simple command of `-c` by itself? */
export function implicitlyExecs(family: ShellFamily): boolean | undefined {
  switch (family) {
    case 'dash': return false; // dash forks and waits for every command of -c
    case 'bash': case 'ash': return true; // both exec the last simple command (no traps, no pipeline)
    default: return undefined;
  }
}

interface Statement { node: Node; background: boolean }

function statementsOf(root: Node): Statement[] {
  const out: Statement[] = [];
  const n = root.childCount;
  for (let i = 0; i < n; i++) {
    const k = root.child(i);
    if (!k || !k.isNamed || k.type === 'comment' || k.type === 'heredoc_body') continue;
    out.push({ node: k, background: root.child(i + 1)?.type === '&' });
  }
  return out;
}

/** The last element of a `a && b || c` list, and whether the statement was a list. */
function listTail(n: Node): { node: Node; inList: boolean } {
  let cur = n;
  let inList = false;
  while (cur.type === 'list') {
    const tail = cur.namedChild(cur.namedChildCount - 1);
    if (!tail || tail.type === 'comment') break;
    cur = tail;
    inList = true;
  }
  return { node: cur, inList };
}

function commandRecord(node: Node, source: string, shape: CommandShape, env: AnalyzeOptions['env'], implicit: boolean, topLevel: boolean): FinalCommand & { execArgs?: boolean } {
  const base = { start: node.startIndex, end: node.endIndex, ...positionOf(source, node.startIndex), topLevel };
  const cmd = unwrap(node);
  if (cmd.type !== 'command') {
    const inner = cmd.type === 'pipeline' ? (() => { for (let i = 0; i < cmd.namedChildCount; i++) { const c = cmd.namedChild(i); if (c?.type === 'command') return c; } return undefined; })() : undefined;
    const words = inner ? wordsOf(inner, env) : [];
    const argv = words.length && words.every((w) => w.literal !== undefined) ? words.map((w) => w.literal as string) : undefined;
    const s: CommandShape = shape !== 'simple' ? shape : cmd.type === 'pipeline' ? 'pipeline' : cmd.type === 'subshell' ? 'subshell' : cmd.type === 'function_definition' ? 'function' : 'compound';
    return { words, ...(argv ? { argv } : {}), shape: s, explicitExec: false, execd: false, ...base };
  }
  let words = wordsOf(cmd, env);
  const nameStart = words[0]?.start;
  let explicitExec = false;
  let execArgs = false;
  if (words[0]?.literal === 'exec') {
    explicitExec = true;
    let i = 1;
    while (i < words.length && (words[i]?.literal ?? '').startsWith('-')) i += words[i]?.literal === '-a' ? 2 : 1;
    words = words.slice(i);
    if (words.length === 1 && /^"?\$(\{@\}|@)"?$/.test(words[0]?.text ?? '')) execArgs = true;
  }
  const argv = words.length && words.every((w) => w.literal !== undefined) ? words.map((w) => w.literal as string) : undefined;
  const background = shape === 'background';
  return {
    words, ...(argv ? { argv } : {}), shape, explicitExec,
    execd: !background && (explicitExec || implicit),
    ...base, ...(nameStart !== undefined ? { nameStart } : {}), assignments: hasAssignments(cmd), execArgs,
  };
}

function isWait(n: Node): { wait: boolean; guarded: boolean } {
  const { node, inList } = listTail(n);
  const cmd = unwrap(node);
  if (cmd.type === 'command' && firstWord(cmd) === 'wait') return { wait: true, guarded: inList };
  if (n.type === 'list') {
    // `wait $pid || true`: the wait is the list's first element
    const head = n.namedChild(0);
    if (head && unwrap(head).type === 'command' && firstWord(unwrap(head)) === 'wait') return { wait: true, guarded: true };
  }
  return { wait: false, guarded: false };
}

/** Analyse a shell command string or script as `family` would run it. */
export function analyzeShell(source: string, family: ShellFamily, opts: AnalyzeOptions = {}): ShellAnalysis {
  const mode = opts.mode ?? 'command';
  const tree = shellParser().parse(source);
  if (!tree) throw new Error('shell parser returned no tree');
  try {
    const root = tree.rootNode;
    const traps: Trap[] = [];
    if (source.includes('trap')) collectTraps(root, source, traps); // a walk of every node costs more than the parse
    const analysis: ShellAnalysis = { family, source, mode, execArgs: false, traps, errexit: opts.errexit ?? false, errors: errorsOf(root, source) };
    const statements = statementsOf(root);
    let lastBackground: Statement | undefined;
    for (const s of statements) {
      const c = unwrap(s.node);
      if (c.type === 'command' && firstWord(c) === 'set') {
        const w = wordsOf(c);
        if (w.slice(1).some((x) => /^-[a-zA-Z]*e/.test(x.literal ?? ''))) analysis.errexit = true;
        if (w.slice(1).some((x, i) => x.literal === '-o' && w[i + 2]?.literal === 'errexit')) analysis.errexit = true;
      }
      if (s.background) lastBackground = s;
    }
    const last = statements[statements.length - 1];
    if (!last) return analysis;
    if (mode === 'command' && statements.length === 1) {
      const plain = plainOf(root, statements);
      if (plain) analysis.plain = plain;
    }
    const implicit = mode === 'command' && implicitlyExecs(family) === true && traps.length === 0;
    // A script that ends in `wait` after starting its service in the background.
    if (!last.background && isWait(last.node).wait && lastBackground) {
      let waits = 0;
      let guarded = false;
      for (let i = statements.length - 1; i >= 0; i--) {
        const s = statements[i] as Statement;
        const w = isWait(s.node);
        if (!w.wait || s.background) break;
        waits++;
        guarded = w.guarded;
      }
      const job = commandRecord(lastBackground.node, source, 'background', opts.env, false, true);
      analysis.wait = { job, waits, guarded };
    }
    const { node, inList } = listTail(last.node);
    const shape: CommandShape = last.background ? 'background' : 'simple';
    const rec = commandRecord(node, source, shape, opts.env, implicit, !inList);
    if (rec.execArgs) analysis.execArgs = true;
    delete rec.execArgs;
    if (rec.explicitExec && rec.words.length === 0) return analysis; // `exec >log`: only redirections
    analysis.final = rec;
    return analysis;
  } finally {
    tree.delete();
  }
}

/** Shell builtins and keywords: `exec` cannot run them, and the exec form cannot either. */
export const BUILTINS = new Set(['cd', 'export', 'set', 'unset', 'source', '.', 'eval', 'exit', 'return', 'trap', 'wait', ':',
  'shift', 'ulimit', 'umask', 'alias', 'local', 'readonly', 'declare', 'typeset', 'read', 'break', 'continue', 'exec', 'times',
  'hash', 'type', 'command', 'builtin', 'jobs', 'fg', 'bg', 'let', 'if', 'then', 'else', 'fi', 'for', 'while', 'until', 'do',
  'done', 'case', 'esac', 'function', '{', '}', '!', '[[', 'select', 'coproc', 'time']);

/**
 * The argv of a string that is one plain command: a single simple command whose words are all literal
 * (quotes allowed), with no expansion, glob, tilde, redirection, assignment, list or builtin. Only then
 * does the exec (JSON) form run exactly what `sh -c STRING` would.
 */
export function plainArgv(source: string): string[] | undefined {
  const tree = shellParser().parse(source);
  if (!tree) return undefined;
  try {
    return plainOf(tree.rootNode);
  } finally {
    tree.delete();
  }
}

function plainOf(root: Node, stmtsIn?: Statement[]): string[] | undefined {
  {
    if (root.hasError) return undefined;
    const stmts = stmtsIn ?? statementsOf(root);
    if (stmts.length !== 1 || stmts[0]?.background) return undefined;
    const cmd = stmts[0]?.node;
    if (!cmd || cmd.type !== 'command') return undefined;
    const argv: string[] = [];
    for (let i = 0; i < cmd.namedChildCount; i++) {
      const c = cmd.namedChild(i);
      if (!c) continue;
      if (c.type !== 'command_name' && !['word', 'string', 'raw_string', 'number', 'concatenation'].includes(c.type)) return undefined;
      const node = c.type === 'command_name' ? c.namedChild(0) ?? c : c;
      if (node.type === 'word' && /[{}]/.test(node.text)) return undefined; // brace expansion in bash
      const lit = literalOf(node);
      if (lit === undefined) return undefined;
      argv.push(lit);
    }
    if (argv.length === 0 || BUILTINS.has(argv[0] as string)) return undefined;
    // tree-sitter's `word` keeps characters a shell would treat specially in some positions
    if (argv.some((a, i) => i === 0 && /[=]/.test(a))) return undefined;
    return argv;
  }
}

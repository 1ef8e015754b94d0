/**
 * The shell model: given a command string (`sh -c STRING`) or a script, and the shell family that
 * runs it, what is running when the stop signal comes, on every path through the script, and does the
 * shell replace itself with it (same PID) or wait for it as its child?
 *
 * Parsing uses web-tree-sitter + tree-sitter-bash: a real shell grammar with positions (~25 us to parse
 * a one-line command here), loaded from the package's bundled .wasm, so no native build is needed.
 *
 * Facts it relies on (measured with the real shells of Debian bookworm in test/shell-exec.test.ts):
 * - dash never execs any command of `sh -c` by itself;
 * - bash execs the last simple command of `-c` when it ends the top-level list (also after `&&`, `||`,
 *   `;`), with expansions and assignments in it, but not with a redirection, not inside if/case/braces/
 *   a subshell/a function, not `! cmd`, a pipeline, a loop or a background job, and not when a trap is set;
 * - busybox ash also execs it inside if/case/braces/a subshell at the end, and with redirections; not in a
 *   function, not `! cmd`, a pipeline, a loop or a background job, and not when a trap is set;
 * - ... and only at the very end of the string: busybox ash forks a command a newline follows (`sh -c $'a\nb\n'`, a
 *   YAML block scalar's final line break), bash one the string has another line after (`$'b\n\n'`, `$'b\n  '`);
 * - no family execs the last command of a script file (`sh script.sh`, or a script run by its shebang);
 * - a trap runs only after the foreground command ends; `wait` returns at once (status > 128) when a
 *   trapped signal arrives, so a script whose trap forwards TERM must wait again (or wait in the trap),
 *   and under `set -e` that first failing `wait` ends the script.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Language, Parser, type Node, type Tree } from '#web-tree-sitter';
import { holdingLoop } from '../util/loop-hold.js';
import type { ShellFamily } from './programs.js';
import { cwdAt, mayChangeDir, type ShellCwd } from './shell-cwd.js';
import {
  boundedSeconds,
  commandWeight,
  firstWord,
  hasAssignments,
  isAllArgs,
  isQuick,
  isSelf,
  listsInPipeline,
  literalOf,
  plainOf,
  positionOf,
  readsInput,
  SELF_DIR,
  unwrap,
  wordsOf,
  type Word,
} from './shell-words.js';

export { BUILTINS, type Word } from './shell-words.js';

let parser: Parser | undefined;

/** Load the grammar once; every analysis after that is synchronous. */
export async function loadShellParser(): Promise<void> {
  if (parser) return;
  // Keep wasm on V8's baseline compiler: tiering tree-sitter-bash's 160 KB lexer function up to TurboFan
  // costs ~400 ms of CPU (--trace-wasm-compilation-times) that a CLI run never earns back; Liftoff code
  // parses a one-line command in ~40 us. Only wasm compilation is affected, and tree-sitter is our only wasm.
  v8.setFlagsFromString('--liftoff-only');
  // Both compile wasm on V8's threads: the loop is held meanwhile (util/loop-hold.ts says why).
  await holdingLoop(() => Parser.init());
  // The grammar's .wasm is copied beside this module at build time (scripts/copy-wasm.mjs): the package
  // ships only it, not tree-sitter-bash's 20 MB of C sources and native prebuilds (a devDependency).
  // Named through ../model/: the same file from dist/src/model/ and from the CLI bundle's chunks beside it.
  const wasm = fileURLToPath(new URL('../model/tree-sitter-bash.wasm', import.meta.url));
  const lang = await holdingLoop(() => Language.load(wasm));
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

export type CommandShape = 'simple' | 'pipeline' | 'background' | 'subshell' | 'compound' | 'function' | 'loop' | 'none';

export interface FinalCommand {
  /** The words of the command (after `exec` and its options, when exec'd explicitly). */
  words: Word[];
  /** The argv, when the program is known: literal words as they are, expansions as written (`$PORT`). */
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
  /** The command is the last thing of the script on its path: `exec` in front of it changes nothing else. */
  topLevel?: boolean;
  /** It calls a function of the script (`exec` cannot run a function). */
  isFunction?: boolean;
  /**
   * The directory it runs in when a `cd` before it changed it (shell-cwd.ts): absolute, or relative to where the
   * shell started; false when pid1 cannot tell where.
   */
  cwd?: ShellCwd;
}

export interface Trap {
  action: string;
  signals: string[];
  line: number;
  /**
   * The action stops the service, also through a function: `kill` (passing a signal on to a child it started),
   * `pkill`/`xargs kill`, or the service's own stop command (`hbase-daemon.sh stop master`).
   */
  forwards: boolean;
  /** The signal its `kill` sends (`kill -HUP $pid`: SIGHUP; plain `kill`: SIGTERM). */
  forwardsAs?: string;
  /** The action runs `wait` (waits for the child to finish its shutdown), also through a function. */
  waits: boolean;
  /** The action is empty (`trap '' TERM`): the signal is ignored, not handled. */
  ignores: boolean;
  /** `trap - TERM`: the default action is restored. */
  resets: boolean;
  /** The action ends the script (`exit`). */
  exits: boolean;
}

/**
 * How a path through the script stands when the stop signal comes:
 * - exec: the shell has replaced itself with the command;
 * - foreground: the shell runs the command as its child and waits for it;
 * - wait: the command runs in the background and the shell waits for it (`svc & wait $!`);
 * - loop: the shell itself keeps running an endless loop.
 */
export type EndKind = 'exec' | 'foreground' | 'wait' | 'loop';

export interface ShellEnd {
  kind: EndKind;
  /** The service on this path (for a loop: the loop). */
  command: FinalCommand;
  /** Commands that run after the service on this path: the shell waits for the service, then runs them. */
  after: FinalCommand[];
  /** How the path gets there, for messages: `the else branch (line 9)`, `function _main (line 12)`. */
  via: string[];
  /** Families that would exec the command by themselves (an unknown /bin/sh: does the outcome depend on it?). */
  execBy: { bash: boolean; ash: boolean };
  /**
   * exec: the positional parameters in effect where it runs, what its `"$@"` expands to (after `set -- registry serve "$@"`,
   * or a function's own arguments); `args` undefined when they are not known.
   */
  positional?: { args: readonly string[] | undefined };
  /** wait: how many `wait`s follow the job, and whether the first cannot end the script under `set -e`. */
  waits?: number;
  guarded?: boolean;
  /** loop: the longest `sleep N` its body runs in the foreground (seconds), when that is all it runs. */
  pause?: number;
  /** loop: its body runs in the foreground something that never ends by itself (`sleep infinity`, `tail -f`). */
  stuck?: boolean;
  /** loop: it breaks (or exits) once a process it checks is gone (`kill -0 "$pid" || break`). */
  endsWhenGone?: boolean;
  /**
   * loop: a periodic job: each pass runs its work in the foreground and sleeps an interval (a minute or more, or one
   * set at run time), and nothing runs in the background beside it (`while true; do housekeeping; sleep 86400; done`).
   */
  periodic?: boolean;
  /** wait: the last `wait` for the job (where a finding about the waiting points). */
  lastWait?: FinalCommand;
  /**
   * foreground: the path ends in a failure exit (`setup || exit 1`, `log "error"; exit 1`) or an `exit N` some
   * commands after its service (a cleanup function's `exit 0`): a path through which the script gives up, not
   * where it runs.
   */
  aborts?: boolean;
}

/** `. FILE` inside `if [ -f FILE ]` (or `-e`, `-r`, `-s`; `[[ ]]` or `test`) or after `[ -f FILE ] &&`: runs only when FILE exists. */
function existenceGuarded(node: Node, fileText: string): boolean {
  const escaped = fileText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const test = new RegExp(`(^|[\\s[(])-[efrs]\\s+["']?${escaped}["']?(\\s|\\]|$)`);
  for (let p: Node | null = node.parent; p; p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      const cond = p.childForFieldName('condition') ?? p.namedChildren[0];
      if (cond && cond.startIndex < node.startIndex && test.test(cond.text)) return true;
    }
    if (p.type === 'list') {
      const left = p.namedChildren[0];
      if (left && left.endIndex <= node.startIndex && /&&/.test(p.text.slice(left.endIndex - p.startIndex, node.startIndex - p.startIndex)) && test.test(left.text)) return true;
    }
  }
  return false;
}

/** How a script ends when it runs its service in the background and waits for it. */
export interface WaitPattern {
  /** The background job (`svc & pid=$!`). */
  job: FinalCommand;
  /** `wait` statements after the job. */
  waits: number;
  /** The first of them cannot end the script under `set -e` (`wait $pid || true`, or inside `if`). */
  guarded: boolean;
  /** A loop polls the job (`kill -0`) before the first wait: the stop arrives in that loop, and the wait after it waits for the job. */
  polled?: boolean;
}

export interface ShellAnalysis {
  family: ShellFamily;
  /** What was analysed, and whether it is a `-c` string or a script file. */
  source: string;
  mode: 'command' | 'script';
  /** Every way the script stands when the stop comes (paths that exit before are left out). */
  ends: ShellEnd[];
  /** The end that decides: the first that keeps the shell in front of the service, else the first exec. */
  end?: ShellEnd;
  /** The deciding end's command: the one still running when the stop signal comes. */
  final?: FinalCommand;
  /** `exec "$@"` (or `exec "${@}"`) runs the container's CMD in place of the script. */
  execArgs: boolean;
  traps: Trap[];
  /** `set -e` (or -e in the shebang) is in effect at top level. */
  errexit: boolean;
  /** The deciding end waits for a background job. */
  wait?: WaitPattern;
  /** Syntax errors as 1-based line:column, if any. */
  errors: { line: number; column: number; message: string }[];
  /** For a `-c` string that is one plain command (see plainArgv): its argv. */
  plain?: string[];
  /** Files run inside this shell with `.`/`source` (path as written; undefined when built at run time). */
  /** Files run with `.`/`source`; optional: the file as written, when it runs only if it exists (`if [ -f "$F" ]; then . "$F"; fi`). */
  /** Files run with `.`/`source`: a literal path, or a glob a `for` loop takes them from (`/etc/entrypoint.d/*.sh`). */
  sourced: { path?: string; glob?: string; line: number; optional?: string }[];
}

export interface AnalyzeOptions {
  /** `command` (default): a `-c` string; `script`: a script file (no family execs its last command). */
  mode?: 'command' | 'script';
  /** The positional parameters the script is run with, when known (the container's CMD behind an entrypoint). */
  args?: readonly string[];
  /** Known environment (the image's ENV): `$VAR` words with a known value count as literal. */
  env?: Readonly<Record<string, string>>;
  /**
   * `env` is the whole environment the script starts with (a Dockerfile's ENV, nothing overriding it): a test
   * on a variable it sets and the script never assigns (`[ "$SCHEDULE" = "**None**" ]`) is decided.
   */
  envDecides?: boolean;
  /**
   * The files the script sources that the launch model read, and the variables they assign: a test on a variable none
   * of them assigns stays decidable (their defaults, `X=${X:-v}`, are already folded into `env`).
   */
  sourcedRead?: { paths: ReadonlySet<string>; assigns: ReadonlySet<string>; quiet?: ReadonlySet<string> };
  /** -e was given on the shell's command line or shebang. */
  errexit?: boolean;
  /**
   * The path a script file runs as (`$0`), when the launch model knows it and it holds a slash: `$(dirname "$0")` is its
   * directory (itzg's `. "$(dirname "$0")/start-utils"` and `exec "$(dirname "$0")/start-configuration"`).
   */
  self?: string;
  /**
   * Nothing keeps the container's stdin open (compose without stdin_open or tty, a pod container without stdin): a
   * command that reads it (`cat`, `tee` with no file) gets end of input at once and ends.
   */
  stdinClosed?: boolean;
  /**
   * Which of bash's `-c` fork optimisations the image's bash has (src/sources/images.ts bashOfImage): '4.2' (bash 4.3 and
   * older: only a lone simple command is exec'd), '4.4' (4.4 and 5.0: also the last of an `&&`/`||` chain); undefined:
   * 5.1 and later (also after `;` on the same line). Replayed with bash 4.2, 5.0 and 5.2 as PID 1 of a fresh namespace.
   */
  bashLevel?: '4.2' | '4.4';
}

// ---------------------------------------------------------------------------------------------------
// Traps

/**
 * The right-hand side of `=~` in `[[ ... ]]`, blanked to a word of the same length: tree-sitter-bash cannot parse
 * some regexes there (`[[ "$a" =~ "$b"=(.*) ]]`: tree-sitter-bash issues #224, #321) and then makes the whole
 * file an ERROR. A blanked regex decides nothing (evalTest), and the offsets stay the same.
 */
function blankTestRegexes(text: string): string {
  let out = text;
  for (const m of text.matchAll(/\[\[[^\n]*?=~[ \t]+([^\n]*?)[ \t]+(?:\]\]|&&|\|\|)/dg)) {
    const [from, to] = m.indices?.[1] ?? [0, 0];
    out = `${out.slice(0, from)}${'_'.repeat(to - from)}${out.slice(to)}`;
  }
  return out;
}

/**
 * Escaped grouping parentheses in `[[ ... ]]` (`[[ ! -d x || \( -d x && -z "$y" \) ]]`, openemr's entrypoint on Alpine):
 * busybox ash's `[[` is test(1), where `\(` `\)` group; tree-sitter-bash cannot parse them and makes the rest of the file
 * an ERROR. Written as ` (` and ` )`: the same grouping, at the same offsets. Only for ash: bash rejects them ("conditional
 * binary operator expected", measured), so a bash script with them stays unparsed (a syntax error ends it).
 */
function plainTestParens(text: string): string {
  return text.replace(/\[\[[^\n]*?\]\]/g, (m) => m.replace(/\\([()])/g, ' $1'));
}

/**
 * Parse shell text; when the grammar fails on a `=~` regex or escaped parentheses in `[[ ... ]]`, again with the
 * regexes blanked (blankTestRegexes) and the parentheses plain (plainTestParens).
 */
function parseShell(text: string, family?: ShellFamily): Tree | null {
  const t = shellParser().parse(text);
  if (!t?.rootNode.hasError || !text.includes('[[')) return t;
  const regexes = text.includes('=~') ? blankTestRegexes(text) : text;
  const blanked = family === 'ash' ? plainTestParens(regexes) : regexes;
  if (blanked === text) return t;
  const again = shellParser().parse(blanked);
  if (!again || again.rootNode.hasError) {
    again?.delete();
    return t;
  }
  t.delete();
  return again;
}

/**
 * Parsed trees by text, kept for the next analysis of the same text. A launch analyses one script several times (with
 * its parameters, with its environment, with the defaults its sourced files give, for each /bin/sh an unknown image
 * may have), and a repository's compose services run the same entrypoint scripts with their own environments
 * (itzg/docker-minecraft-server: 121 compose files through the same 2,000 lines of start scripts, where parsing was
 * most of the time). Trees live in wasm memory: a few are kept, and one is freed once evicted and no longer in use
 * (an analysis can start another, of a file it sources, while it walks its own tree).
 */
interface KeptTree {
  tree: Tree;
  uses: number;
  evicted: boolean;
}
const trees = new Map<string, KeptTree>();
const MAX_TREES = 24;

function leaseTree(text: string, family?: ShellFamily): { tree: Tree; release: () => void } | undefined {
  // (parseShell depends on the family only for busybox ash)
  const key = `${family === 'ash' ? 'ash' : ''}\0${text}`;
  let kept = trees.get(key);
  if (kept) trees.delete(key);
  else {
    const tree = parseShell(text, family);
    if (!tree) return undefined;
    kept = { tree, uses: 0, evicted: false };
    const oldest = trees.size >= MAX_TREES ? trees.keys().next().value : undefined;
    const old = oldest !== undefined ? trees.get(oldest) : undefined;
    if (oldest !== undefined && old) {
      trees.delete(oldest);
      old.evicted = true;
      if (old.uses === 0) old.tree.delete();
    }
  }
  trees.set(key, kept); // the most recently used last
  kept.uses++;
  const lease = kept;
  return {
    tree: lease.tree,
    release: () => {
      if (--lease.uses === 0 && lease.evicted) lease.tree.delete();
    },
  };
}

function parsed<T>(text: string, read: (root: Node) => T): T | undefined {
  const lease = leaseTree(text);
  if (!lease) return undefined;
  try {
    return read(lease.tree.rootNode);
  } finally {
    lease.release();
  }
}

/** Which commands a piece of shell runs, following calls to the script's functions. */
function commandsIn(root: Node, functions: ReadonlyMap<string, Node>, seen: Set<string> = new Set()): Set<string> {
  const out = new Set<string>();
  const visit = (n: Node): void => {
    if (n.type === 'command') {
      const w = firstWord(n);
      if (w !== undefined) {
        out.add(w);
        const body = functions.get(w);
        if (body && !seen.has(w)) {
          seen.add(w);
          for (const c of commandsIn(body, functions, seen)) out.add(c);
        }
      }
    }
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (c && c.type !== 'function_definition') visit(c);
    }
  };
  visit(root);
  return out;
}

/**
 * What `kill`'s arguments (after the command name) send, and where its operands start: the leading options `-HUP`,
 * `-s HUP`, `-n 1`, `--signal HUP`, `-1` name the signal (SIGTERM when none does); `--` ends them.
 */
function killArgs(args: readonly string[]): { signal: string; operandsFrom: number } {
  let raw = 'TERM';
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    if (a === '-s' || a === '-n' || a === '--signal') raw = args[++i] ?? 'TERM';
    else raw = a.slice(1);
  }
  const name = raw.toUpperCase().replace(/^SIG/, '');
  const signal = /^\d+$/.test(name)
    ? (({ 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 9: 'SIGKILL', 10: 'SIGUSR1', 12: 'SIGUSR2', 15: 'SIGTERM' } as Record<string, string>)[name] ?? `signal ${name}`)
    : `SIG${name}`;
  return { signal, operandsFrom: i };
}

/** The signal the first `kill` in a piece of shell sends (following the script's functions): `-HUP`, `-s HUP`, `-1`. */
function killSignalIn(root: Node, functions: ReadonlyMap<string, Node>, seen: Set<string> = new Set()): string | undefined {
  let found: string | undefined;
  const visit = (n: Node): void => {
    if (found) return;
    if (n.type === 'command') {
      const w = firstWord(n);
      if (w === 'kill') {
        found = killArgs(
          wordsOf(n)
            .slice(1)
            .map((x) => x.literal ?? x.text),
        ).signal;
        return;
      }
      const body = w !== undefined ? functions.get(w) : undefined;
      if (body && w !== undefined && !seen.has(w)) {
        seen.add(w);
        found = killSignalIn(body, functions, seen);
        return;
      }
    }
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (c && c.type !== 'function_definition') visit(c);
    }
  };
  visit(root);
  return found;
}

/** Constructs where what runs second depends on how the first ended, or runs again: `S || exec F`, `if ! S; then exec F; fi`. */
const CONDITIONAL = new Set(['list', 'if_statement', 'elif_clause', 'while_statement', 'until_statement', 'for_statement', 'c_style_for_statement', 'negated_command', 'pipeline', 'case_statement']);

/** Signals whose default action ends a process: the ones a script sends its job to end it. */
const ENDING_SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGKILL']);

/**
 * `kill [-s SIG | -SIG] "$pid"` ends the script's background job: a signal that ends a process by default, sent to a
 * PID held in a variable the script sets from `$!` (`pid="$!"`), or to the last job (`$!`, `%%`, `%1`); not `kill -0` (a
 * probe), not a PID read from a file.
 */
function killEndsJob(args: readonly Word[], jobPids: ReadonlySet<string>): boolean {
  const { signal, operandsFrom } = killArgs(args.map((w) => w.literal ?? w.text));
  const operands = args.slice(operandsFrom);
  if (!ENDING_SIGNALS.has(signal) || operands.length === 0) return false;
  return operands.every((w) => {
    const v = /^"?\$(?:(!)|\{?([A-Za-z_][A-Za-z0-9_]*)\}?)"?$/.exec(w.text);
    return v ? v[1] !== undefined || jobPids.has(v[2] as string) : /^%(?:%|\+|1)$/.test(w.text);
  });
}

/** Programs that send a signal to processes given by PID or by name. */
const KILLERS = new Set(['kill', 'pkill', 'killall']);

/**
 * Does a node of a piece of shell, or of a script function it calls (each followed once), pass `test`? A command that
 * calls a function stands for the function's body; any other command comes with its program name without its
 * directory and its words.
 */
function someNodeIn(root: Node, functions: ReadonlyMap<string, Node>, test: (n: Node, command?: { base: string; words: Word[] }) => boolean, seen: Set<string> = new Set()): boolean {
  const visit = (n: Node): boolean => {
    if (n.type === 'command') {
      const words = wordsOf(n);
      const program = (words[0]?.literal ?? words[0]?.text ?? '').replace(/["']/g, '');
      const base = program.slice(program.lastIndexOf('/') + 1);
      // A function of the script (`stop() { echo bye; }`) does what its body does.
      const body = functions.get(base);
      if (body) {
        if (!seen.has(base)) {
          seen.add(base);
          if (someNodeIn(body, functions, test, seen)) return true;
        }
      } else if (test(n, { base, words })) return true;
    } else if (test(n)) return true;
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (c && c.type !== 'function_definition' && visit(c)) return true;
    }
    return false;
  };
  return visit(root);
}

/** Does a command of a piece of shell, or of a script function it calls, match? (someNodeIn) */
function someCommandIn(root: Node, functions: ReadonlyMap<string, Node>, matches: (base: string, words: Word[]) => boolean): boolean {
  return someNodeIn(root, functions, (_, c) => c !== undefined && matches(c.base, c.words));
}

/**
 * A command that stops the service: signal it (`kill`, `pkill -f app`, `... | xargs kill`) or run its own stop
 * (`hbase-daemon.sh stop master`, `apachectl stop`, `stop-hbase.sh`, `wg-quick down`).
 */
function stops(base: string, words: Word[]): boolean {
  if (KILLERS.has(base)) return true;
  if (base === 'xargs' && words.some((w) => KILLERS.has(w.literal ?? ''))) return true;
  const prints = base === 'echo' || base === 'printf' || base === 'logger';
  // a server's control program told to quit (`pdns_control quit`, `rndc stop`, `unbound-control stop`), `nginx -s quit`
  const control = /(ctl|[-_]control|^rndc)$/.test(base) && words.slice(1).some((w) => /^(quit|shutdown|halt)$/.test(w.literal ?? ''));
  const nginxQuit = base === 'nginx' && words.some((w, i) => w.literal === '-s' && /^(quit|stop)$/.test(words[i + 1]?.literal ?? ''));
  // (`wg-quick down wg0`, `docker compose down`: the service's own teardown)
  return !prints && (control || nginxQuit || /(^|[-_])stop([-_.]|$)/.test(base) || words.slice(1).some((w) => w.literal === 'stop' || w.literal === 'down'));
}

/**
 * A loop in the trap (or a function it calls) that runs while a process is still there: `while [ -d /proc/$pid ]; do
 * sleep 1; done`, `while kill -0 "$pid"; do ...`: the trap waits for the service it stopped to exit, as `wait` does
 * (gbolo's powerdns entrypoint after `pdns_control quit`; fresh40's replay with busybox ash as PID 1).
 */
function pollsUntilGone(root: Node, functions: ReadonlyMap<string, Node>): boolean {
  return someNodeIn(
    root,
    functions,
    (n) => (n.type === 'while_statement' || n.type === 'until_statement') && /\bkill\s+-0\b|\/proc\/\$|\bpidof\b|\bpgrep\b/.test(n.childForFieldName('condition')?.text ?? ''),
  );
}

/**
 * A command that stops runit services and waits for them: `sv`'s LSB commands `stop`, `shutdown`, `force-stop`,
 * `force-shutdown` wait up to 7 seconds (-w) for each service to be down (sv(8); test/supervisors-ns.test.ts runs it), as a `wait` in a trap waits for a child.
 */
function svWaits(base: string, words: Word[]): boolean {
  // gitlab-ctl (omnibus-ctl) runs each service's init link to sv with the same command: `gitlab-ctl stop` is `sv stop`
  // per service, which waits (the GitLab omnibus wrapper's TERM trap)
  if (base === 'gitlab-ctl') return /^(stop|graceful-kill)$/.test(words[1]?.literal ?? '');
  if (base !== 'sv') return false;
  const command = words.slice(1).find((w) => !(w.literal ?? w.text).startsWith('-'));
  return /^(stop|shutdown|force-stop|force-shutdown)$/.test(command?.literal ?? '');
}

/** The action of `trap ACTION SIG...`, as the shell will run it. A double-quoted action is expanded when
 * the trap is set (`trap "kill -TERM $child" TERM`): its commands are the same, so its text is read as is. */
function actionText(w: Word): string {
  if (w.literal !== undefined) return w.literal;
  const t = w.text;
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

function trapOf(words: Word[], line: number, functions: ReadonlyMap<string, Node>): Trap | undefined {
  const first = words[1];
  if (!first) return undefined;
  // `trap - TERM` and `trap TERM` (POSIX: a lone signal resets it) restore the default action.
  const resets = actionText(first) === '-' || (words.length === 2 && /^(SIG)?[A-Z]+$|^\d+$/.test(first.literal ?? ''));
  const action = resets ? '-' : actionText(first);
  const signals = (resets && words.length === 2 ? [first] : words.slice(2)).map((x) => (x.literal ?? x.text).toUpperCase().replace(/^SIG/, ''));
  const active = action.trim() !== '' && action !== '-';
  // The action read once: what it runs, the signal its `kill` sends, whether it stops the service and waits for it.
  const read = active
    ? parsed(action, (root) => {
        const runs = commandsIn(root, functions);
        return {
          runs,
          sent: runs.has('kill') ? killSignalIn(root, functions) : undefined,
          // Passing the signal on, or running the service's own stop: either way the service gets its shutdown.
          stops: runs.has('kill') || someCommandIn(root, functions, stops),
          waits: runs.has('wait') || someCommandIn(root, functions, svWaits) || pollsUntilGone(root, functions),
        };
      })
    : undefined;
  const sent = read?.sent;
  return {
    action,
    signals,
    line,
    forwards: read?.stops ?? false,
    ...(sent ? { forwardsAs: sent } : {}),
    waits: read?.waits ?? false,
    ignores: action === '',
    resets,
    exits: read?.runs.has('exit') ?? false,
  };
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

// ---------------------------------------------------------------------------------------------------
// Paths through the script

/**
 * A list that paths grow at its end and share: a path that enters a branch or runs one more command adds
 * one link instead of copying the list (an official image's entrypoint takes tens of thousands of path
 * steps); an array is made only for an end, once per link.
 */
interface Chain<T> {
  readonly last: T;
  readonly init: Chain<T> | undefined;
  readonly length: number;
  items?: T[];
}

function push<T>(chain: Chain<T> | undefined, item: T): Chain<T> {
  return { last: item, init: chain, length: (chain?.length ?? 0) + 1 };
}

function itemsOf<T>(chain: Chain<T> | undefined): T[] {
  if (!chain) return [];
  if (!chain.items) {
    const out: T[] = [];
    for (let c: Chain<T> | undefined = chain; c; c = c.init) out.push(c.last);
    chain.items = out.reverse();
  }
  return chain.items;
}

/** A command that may serve, with the families that would exec it in place (dropped when the path ends). */
type Service = FinalCommand & { execBy?: { bash: boolean; ash: boolean } };

/** A path through the script so far, while it is still running commands. Never changed: a step makes a new one. */
class Path {
  constructor(
    /** The last command that may serve, run in the foreground. */
    readonly service: Service | undefined,
    /** Commands run after it. */
    readonly after: Chain<FinalCommand> | undefined,
    /** The last background job, and the `wait`s for it since. */
    readonly job: FinalCommand | undefined,
    readonly waits: number,
    readonly guarded: boolean,
    /** The last `wait` for the job. */
    readonly lastWait: FinalCommand | undefined,
    readonly via: Chain<string> | undefined,
    /** The positional parameters ($1, $2, ...), when known: they decide `if [ "$1" = x ]` and `case "$1"`. */
    readonly args: readonly string[] | undefined,
    /** The callers' parameters, while in a function (restored when it returns). */
    readonly frames: Chain<readonly string[] | undefined> | undefined,
  ) {}

  private key: string | undefined = undefined;
  /** The path this one was before it entered its branch (while unchanged since). */
  private outer: Path | undefined = undefined;

  /** What cap() tells paths apart by (a path goes through many caps unchanged). */
  capKey(): string {
    // (paths whose positional parameters differ, `set -- docker "$@"` on one of them, exec different programs)
    this.key ??= `${this.service?.start ?? -1}/${this.job?.start ?? -1}/${this.waits}/${this.after?.length ?? 0}/${this.args ? this.args.join('\0') : '?'}`;
    return this.key;
  }

  /** A command run after the service (or after the `wait` for the job). */
  runs(rec: FinalCommand): Path {
    return new Path(this.service, push(this.after, rec), this.job, this.waits, this.guarded, this.lastWait, this.via, this.args, this.frames);
  }

  /** The path enters a branch. */
  enter(where: string): Path {
    const p = new Path(this.service, this.after, this.job, this.waits, this.guarded, this.lastWait, push(this.via, where), this.args, this.frames);
    p.outer = this;
    return p;
  }

  /** The path leaves the branch it had entered (a path the branch did not change is the one that entered). */
  leave(): Path {
    return this.outer ?? new Path(this.service, this.after, this.job, this.waits, this.guarded, this.lastWait, this.via?.init, this.args, this.frames);
  }

  /** `exec "$@"` with no parameters: what ran in the foreground before it was set-up, the service was to be "$@". */
  setUpOnly(): Path {
    return new Path(undefined, undefined, this.job, this.waits, this.guarded, this.lastWait, this.via, this.args, this.frames);
  }

  withArgs(args: readonly string[] | undefined): Path {
    return new Path(this.service, this.after, this.job, this.waits, this.guarded, this.lastWait, this.via, args, this.frames);
  }

  /** `svc &`: the new job, not yet waited for. */
  startJob(job: FinalCommand): Path {
    return new Path(this.service, this.after, job, 0, false, this.lastWait, this.via, this.args, this.frames);
  }

  /** The script signalled its job to stop (killEndsJob): no job left to wait for. */
  jobEnded(): Path {
    return new Path(this.service, this.after, undefined, 0, false, undefined, this.via, this.args, this.frames);
  }

  /** `wait` for the job; the first one is guarded when `set -e` cannot end the script there. */
  waited(rec: FinalCommand, guardedHere: boolean): Path {
    return new Path(this.service, this.after, this.job, this.waits + 1, this.waits === 0 ? guardedHere : this.guarded, rec, this.via, this.args, this.frames);
  }

  /** The path enters a function: its $1... are the call's arguments. */
  call(where: string, args: readonly string[] | undefined): Path {
    return new Path(this.service, this.after, this.job, this.waits, this.guarded, this.lastWait, push(this.via, where), args, push(this.frames, this.args));
  }

  /** The path returns from a function: the caller's parameters again. */
  back(): Path {
    return new Path(this.service, this.after, this.job, this.waits, this.guarded, this.lastWait, this.via?.init, this.frames?.last, this.frames?.init);
  }
}

/** An end while the walk goes on: `after` and `via` are still chains (arrays once the walk is done). */
type End = Omit<ShellEnd, 'after' | 'via'> & { after: Chain<FinalCommand> | undefined; via: Chain<string> | undefined };

function shellEnd(e: End): ShellEnd {
  return Object.assign({}, e, { after: itemsOf(e.after), via: itemsOf(e.via) });
}

/** Where a statement stands: may its family exec it in place, is a `wait` there guarded against `set -e`. */
interface Place {
  /** It is the last thing the top-level list runs on its path (bash's rule). */
  top: boolean;
  /** It is the last thing on its path, also inside if/case/braces/a subshell (busybox ash's rule). */
  tail: boolean;
  /** Inside a function call or a loop body: no family execs there. */
  nested: boolean;
  guarded: boolean;
  /** Inside a subshell: `exec` replaces the subshell, not the shell. */
  subshell: boolean;
  /** The right side of `||` (or inside it): it runs only when the left side failed. */
  onFailure: boolean;
}

/** What walking a statement gives: paths still open, paths that ended in exec, paths that returned from a function. */
interface Flow {
  open: readonly Path[];
  ends: readonly End[];
  returned: readonly Path[];
}

/**
 * The place with some of its facts changed. Not `{ ...place, top: false }`, nor `{ ...x, more }` anywhere on
 * this path: on Node 20 (V8 11) a property after a spread copy takes V8's slow path, about a microsecond,
 * and gives every copy a hidden class of its own, which makes each later read of it a megamorphic lookup.
 */
function moved(place: Place, change: Partial<Place>): Place {
  return Object.assign({}, place, change);
}

// Most statements end no path and return none: one frozen empty list for all of them.
const NO_ENDS: readonly End[] = Object.freeze([]);
const NO_PATHS: readonly Path[] = Object.freeze([]);

const MAX_PATHS = 64;
const MAX_CALL_DEPTH = 8;

/** Endless loop conditions: `while true`, `while :`, `while [ 1 ]`, `while sleep 5`, `until false`. */
function endless(loop: Node): boolean {
  const cond = loop.childForFieldName('condition');
  if (!cond) return false;
  const text = cond.text.trim().replace(/;$/, '').trim();
  const isUntil = loop.child(0)?.type === 'until';
  if (isUntil) return /^false$/.test(text);
  return /^(true|:|\[\s*1\s*\]|\[\s*1\s*-eq\s*1\s*\]|\[\[\s*1\s*\]\]|sleep\s+\S+|\(\(\s*1\s*\)\))$/.test(text);
}

/**
 * The longest `sleep N` a loop body runs in the foreground, if that (and quick commands) is all it runs.
 * A background job does not hold the loop, and `wait` returns at once when a trapped signal arrives
 * (POSIX wait: "the reception of a signal for which a trap has been set shall cause the wait utility to
 * return immediately"): `while :; do sleep 1000 & wait; done` runs its trap at once.
 */
function pauseOf(body: Node, functions: ReadonlyMap<string, Node>): number | undefined {
  let longest = 0;
  for (const n of foreground(body, (x) => x.type === 'pipeline')) {
    if (n.type === 'pipeline') return undefined;
    const w = wordsOf(n);
    const name = firstWord(n);
    if (name === 'wait') continue;
    if (name === 'sleep') {
      const secs = Number.parseFloat(w[1]?.literal ?? 'NaN');
      if (!Number.isFinite(secs)) return undefined; // `sleep infinity`, `sleep $X`
      longest = Math.max(longest, secs);
      continue;
    }
    if (name === undefined || functions.has(name) || !isQuick(name, w.slice(1))) return undefined;
  }
  return longest;
}

/**
 * Whether a loop body runs in the foreground a command that never ends by itself: `sleep infinity` (or a
 * sleep longer than any grace period) or `tail -f`. A trap then waits behind it for good (POSIX: the trap
 * runs after the foreground command). Anything else pid1 cannot time (`curl`, a function, `sleep $X`) is not.
 */
function stuckIn(body: Node): boolean {
  for (const n of foreground(body, (x) => x.type === 'function_definition' || x.type === 'command_substitution' || x.type === 'subshell')) {
    if (n.type !== 'command') continue;
    const name = firstWord(n);
    const args = wordsOf(n)
      .slice(1)
      .map((x) => x.literal);
    if (name === 'sleep' && args.length > 0 && args.every((a) => a !== undefined && (/^inf(inity)?$/i.test(a) || Number.parseFloat(a) >= 3600))) return true;
    if (name === 'tail' && args.some((a) => a !== undefined && /^-[a-zA-Z]*[fF]/.test(a))) return true;
  }
  return false;
}

/**
 * The commands a loop body runs in the foreground, in order, and the nodes `opaque` says not to look into; a
 * background job (`cmd &`) is skipped: the loop goes on to its next command.
 */
function* foreground(n: Node, opaque: (n: Node) => boolean): Generator<Node> {
  if (n.type === 'command' || opaque(n)) {
    yield n;
    return;
  }
  for (let i = 0; i < n.childCount; i++) {
    const c = n.child(i);
    if (!c?.isNamed || n.child(i + 1)?.type === '&') continue;
    yield* foreground(c, opaque);
  }
}

/** What a command statement says, read once. */
interface CommandFacts {
  /** Its name, when literal. */
  name: string | undefined;
  words: Word[];
  /** Its words after the name. */
  args: Word[];
  /** Whether it returns at once, does a finite task, or may serve (see commandWeight). */
  weight: 'instant' | 'work' | false;
}

interface Clause {
  cond: Statement[];
  body: Statement[];
  /** `the then branch (line 3)` */
  where: string;
  /** The condition as a test on the positional parameters, when it is one statement. */
  test: Test | undefined;
}

interface CaseItem {
  patterns: string[];
  body: Statement[];
  where: string;
}

interface LoopFacts {
  inner: Statement[];
  breaks: boolean;
  endless: boolean;
  pause: number | undefined;
  /** Its body runs in the foreground something that never ends by itself. */
  stuck: boolean;
  /** It leaves once a process it checks is gone (`kill -0 "$pid" || break`). */
  gone: boolean;
  /** Its body sleeps an interval between passes of its work (see ShellEnd.periodic). */
  periodic: boolean;
}

class Walker {
  readonly functions = new Map<string, Node>();
  /** Functions a sourced file defines whose bodies only print or test (see quietFunctionsIn): calls to them return at once. */
  quietFunctions: ReadonlySet<string> = new Set();
  /** Variables that hold `exec ...` (see execVariablesOf). */
  readonly execVariables = new Map<string, string[]>();
  readonly sourced: { path?: string; glob?: string; line: number; optional?: string }[] = [];

  /**
   * The glob a `for` loop around `node` gives the variable a word names (`$f`, `"${f}"`), when the loop's list is that
   * one literal glob (`for f in /etc/entrypoint.d/*.sh`); a directory part with a wildcard is not taken.
   */
  private loopGlobOf(node: Node, word: string): string | undefined {
    const name = /^"?\$\{?(\w+)\}?"?$/.exec(word)?.[1];
    if (name === undefined) return undefined;
    for (let n = node.parent; n; n = n.parent) {
      if (n.type !== 'for_statement') continue;
      if (n.childForFieldName('variable')?.text !== name) continue;
      const values = n.childrenForFieldName('value').filter((v): v is Node => v !== null);
      if (values.length !== 1) return undefined;
      const g = (values[0] as Node).text;
      return /^\/[^*?[\s$`'"]*\/[^/\s$`'"]*[*?][^/\s$`'"]*$/.test(g) ? g : undefined;
    }
    return undefined;
  }
  /** Background jobs (by offset) that a loop polls with `kill -0` before anything waits for them. */
  readonly polled = new Set<number>();
  /**
   * Foreground commands (by offset) that some path runs and then goes on to exec a program: the script expects them to
   * return (an init phase's config step before `exec server`), so where another path ends on them, it ends by itself.
   */
  readonly passed = new Set<number>();
  private depth = 0;
  // What the walk reads from a node, by the node's id (unique within its tree): a function's body is walked
  // again at every call, and each read of a tree-sitter node crosses into wasm and makes a new object.
  private readonly types = new Map<number, string>();
  private readonly bodies = new Map<number, Statement[]>();
  private readonly commands = new Map<number, CommandFacts>();
  private readonly records = new Map<number, FinalCommand>();
  private readonly children = new Map<number, { first: Node | null; last: Node | null; op: string | undefined; body: Node | null; command: boolean }>();
  private readonly ifs = new Map<number, { clauses: Clause[]; hasElse: boolean }>();
  private readonly leftTests = new Map<number, Test | undefined>();
  private readonly cases = new Map<number, { subject: string; items: CaseItem[]; catchAll: boolean }>();
  private readonly loops = new Map<number, LoopFacts>();
  private readonly calls = new Map<number, string>();
  private jobPids: Set<string> | undefined;

  /** Variables the script sets to its last job's PID (`pid="$!"`, `local pid=$!`), read from its text once. */
  jobPidNames(): ReadonlySet<string> {
    this.jobPids ??= new Set(Array.from(this.source.matchAll(/(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=["']?\$\{?!\}?/g), (m) => m[1] as string));
    return this.jobPids;
  }

  constructor(
    readonly source: string,
    readonly family: ShellFamily,
    readonly mode: 'command' | 'script',
    readonly env: AnalyzeOptions['env'],
    readonly trapped: boolean,
    /** Variables whose value decides a test (see testEnvOf); undefined: none. */
    readonly testEnv?: Readonly<Record<string, string>>,
    /** The container's stdin is /dev/null (AnalyzeOptions.stdinClosed). */
    readonly stdinClosed = false,
    readonly bashLevel: AnalyzeOptions['bashLevel'] = undefined,
  ) {}

  private typeOf(n: Node): string {
    let t = this.types.get(n.id);
    if (t === undefined) {
      t = n.type;
      this.types.set(n.id, t);
    }
    return t;
  }

  private statementsIn(n: Node): Statement[] {
    let s = this.bodies.get(n.id);
    if (!s) {
      s = statementsOf(n);
      this.bodies.set(n.id, s);
    }
    return s;
  }

  /** A statement's first and last named child, its second child's type, its body field, and whether it unwraps to a command. */
  private partsOf(n: Node): { first: Node | null; last: Node | null; op: string | undefined; body: Node | null; command: boolean } {
    let p = this.children.get(n.id);
    if (!p) {
      const count = n.namedChildCount;
      p = { first: n.namedChild(0), last: n.namedChild(count - 1), op: n.child(1)?.type, body: n.childForFieldName('body'), command: unwrap(n).type === 'command' };
      this.children.set(n.id, p);
    }
    return p;
  }

  private commandOf(node: Node): CommandFacts {
    let f = this.commands.get(node.id);
    if (!f) {
      const cmd = unwrap(node);
      let name = firstWord(cmd);
      let words = wordsOf(cmd, this.env);
      // `$exec_cmd "$@"` with exec_cmd="exec gosu app": the shell runs `exec gosu app "$@"`.
      const held = name === undefined && words[0] ? this.execVariables.get(/^\$\{?(\w+)\}?$/.exec(words[0].text)?.[1] ?? '') : undefined;
      if (held && words[0]) {
        const { start, end } = words[0];
        words = [...held.map((t) => ({ text: t, literal: t, start, end })), ...words.slice(1)];
        name = 'exec';
      }
      const args = words.slice(1);
      // a command of the script's own (not a pipeline's part) reads the container's stdin: /dev/null when nothing holds it open
      const input = readsInput(node) || (this.stdinClosed && node.parent?.type !== 'pipeline');
      f = { name, words, args, weight: name === undefined ? false : commandWeight(name, args, input) };
      this.commands.set(node.id, f);
    }
    return f;
  }

  /**
   * What a statement runs, as a finding names it: one object per statement, except a background job, which is
   * new each time it starts (loop() tells the jobs a loop started from those it was given by identity).
   */
  record(node: Node, shape: CommandShape): FinalCommand {
    const had = this.records.get(node.id);
    if (had?.shape === shape && shape !== 'background') return had;
    // `shape` keeps its place among the keys
    const made = Object.assign({}, had ?? this.recordOnce(node), { shape });
    this.records.set(node.id, made);
    return made;
  }

  private recordOnce(node: Node): FinalCommand {
    const shape: CommandShape = 'none';
    const cmd = unwrap(node);
    const base = { start: node.startIndex, end: node.endIndex, ...positionOf(this.source, node.startIndex) };
    if (cmd.type !== 'command') {
      const inner = firstCommand(cmd);
      const words = inner ? wordsOf(inner, this.env) : [];
      const argv = argvOf(words);
      return { words, ...(argv ? { argv } : {}), shape, explicitExec: false, execd: false, ...base };
    }
    let words = this.commandOf(node).words;
    const nameStart = words[0]?.start;
    let explicitExec = false;
    if (words[0]?.literal === 'exec') {
      explicitExec = true;
      let i = 1;
      while (i < words.length && (words[i]?.literal ?? '').startsWith('-')) i += words[i]?.literal === '-a' ? 2 : 1;
      words = words.slice(i);
    }
    const argv = argvOf(words);
    const isFunction = words[0]?.literal !== undefined && this.functions.has(words[0].literal);
    return {
      words,
      ...(argv ? { argv } : {}),
      shape,
      explicitExec,
      execd: explicitExec,
      ...base,
      ...(nameStart !== undefined ? { nameStart } : {}),
      assignments: hasAssignments(cmd),
      ...(isFunction ? { isFunction } : {}),
    };
  }

  /** Would this family exec this command by itself, here? */
  private implicitExec(place: Place, node: Node, negated: boolean): { bash: boolean; ash: boolean } {
    if (this.mode === 'script' || this.trapped || place.nested || negated) return { bash: false, ash: false };
    const redirected = this.typeOf(node) === 'redirected_statement';
    const rest = this.source.slice(node.endIndex);
    const lineEnd = rest.indexOf('\n');
    return {
      // bash reads `-c` a line at a time: a line after the command's, even an empty one, means it was not the last
      bash: place.top && !redirected && !place.subshell && (lineEnd < 0 || lineEnd === rest.length - 1) && this.bashForkSpared(node),
      // busybox ash execs only a command that ends the string: a newline after it (a YAML `|` block's last) keeps the fork
      ash: place.tail && lineEnd < 0,
    };
  }

  /**
   * Whether bash's `-c` fork optimisation reaches this command at the tail of the string. bash parses the string a line
   * at a time and execs the last line's command only when it is a simple command, or (4.4 and later) the last of an
   * `&&`/`||` chain, or (5.1 and later) the simple command after a `;` on that line; never after `&`, and not the chain
   * after a `;` (`a; b && c` forks c under every version). builtins/evalstring.c should_suppress_fork and optimize_fork;
   * replayed with bash 4.2, 5.0 and 5.2 (test/shell-exec.test.ts runs the installed bash).
   */
  private bashForkSpared(node: Node): boolean {
    let top: Node = node;
    while (top.parent && top.parent.type !== 'program') top = top.parent;
    if (top.parent?.type !== 'program') return true;
    let prev = top.previousSibling;
    const separator = prev && !prev.isNamed ? prev.type : undefined;
    while (prev && (!prev.isNamed || prev.type === 'comment')) prev = prev.previousSibling;
    const sameLine = prev !== null && prev.endPosition.row === top.startPosition.row;
    if (sameLine && separator === '&') return false;
    if (top.id === node.id) return !sameLine || this.bashLevel === undefined;
    // the last of a chain: `;` before it on the line makes the line's command the `;`, whose second is not simple
    return !sameLine && this.bashLevel !== '4.2';
  }

  private execHere(by: { bash: boolean; ash: boolean }): boolean {
    return this.family === 'bash' ? by.bash : this.family === 'ash' ? by.ash : false;
  }

  /** Walk a list of statements (a script, a branch, a body). */
  list(nodes: readonly Statement[], paths: readonly Path[], place: Place): Flow {
    let open = paths;
    const ends: End[] = [];
    const returned: Path[] = [];
    // The last statement that is not a function definition is at the list's tail.
    let last = nodes.length - 1;
    while (last >= 0 && this.typeOf((nodes[last] as Statement).node) === 'function_definition') last--;
    const inside = place.top || place.tail ? moved(place, { top: false, tail: false }) : place;
    for (let i = 0; i < nodes.length && open.length; i++) {
      const s = nodes[i] as Statement;
      const f = s.background ? this.background(s.node, open) : this.statement(s.node, open, i === last ? place : inside);
      open = f.open;
      for (const e of f.ends) ends.push(e);
      for (const p of f.returned) returned.push(p);
    }
    return { open: cap(open), ends, returned };
  }

  private background(node: Node, paths: readonly Path[]): Flow {
    const job = this.record(node, 'background');
    return { open: paths.map((p) => p.startJob(job)), ends: NO_ENDS, returned: NO_PATHS };
  }

  statement(node: Node, paths: readonly Path[], place: Place): Flow {
    const none: Flow = { open: paths, ends: NO_ENDS, returned: NO_PATHS };
    const type = this.typeOf(node);
    switch (type) {
      case 'comment':
      case 'heredoc_body':
      case 'function_definition':
      case 'variable_assignment':
      case 'variable_assignments':
      case 'declaration_command':
      case 'unset_command':
      case 'test_command':
        return none;
      case 'redirected_statement': {
        const { body, command } = this.partsOf(node);
        if (!body) return none;
        if (command) return this.command(node, paths, place, false);
        return this.statement(body, paths, moved(place, { top: false }));
      }
      case 'command':
        return this.command(node, paths, place, false);
      case 'negated_command': {
        const inner = this.partsOf(node).first;
        return inner ? this.statement(inner, paths, moved(place, { top: false, tail: false })) : none;
      }
      case 'list':
        return this.andOr(node, paths, place);
      case 'pipeline':
        // `find /opt/tools -maxdepth 1 | xargs -n1 basename | sort`: a listing ends within seconds, like `ls`.
        if (this.listing(node)) return this.quick(node, paths);
        return this.service(this.record(node, 'pipeline'), paths, { bash: false, ash: false });
      case 'subshell':
      case 'compound_statement': {
        const inner = this.statementsIn(node);
        const sub = type === 'subshell';
        const f = this.list(inner, paths, moved(place, { top: false, subshell: place.subshell || sub }));
        if (!sub) return f;
        // `exec` in a subshell replaces the subshell: the shell waits for it (unless ash ran it in place).
        const keep = (e: End): boolean => e.kind === 'exec' && !e.command.explicitExec;
        const demoted = f.ends
          .filter((e) => !keep(e))
          .map((e) => new Path(Object.assign({}, e.command, { execd: false, explicitExec: false }), undefined, undefined, 0, false, undefined, e.via, undefined, undefined));
        return { open: [...f.open, ...demoted], ends: f.ends.filter(keep), returned: f.returned };
      }
      case 'if_statement':
        return this.ifStatement(node, paths, place);
      case 'case_statement':
        return this.caseStatement(node, paths, place);
      case 'while_statement':
      case 'until_statement':
      case 'for_statement':
      case 'c_style_for_statement':
        return this.loop(node, paths, place);
      default:
        return none;
    }
  }

  private andOr(node: Node, paths: readonly Path[], place: Place): Flow {
    const { first: left, last: right, op } = this.partsOf(node);
    if (!left || !right || left === right) return { open: paths, ends: NO_ENDS, returned: NO_PATHS };
    const l = this.statement(left, paths, moved(place, { top: false, tail: false, guarded: place.guarded || op === '||' }));
    // A test on known positional parameters or environment (`[[ "$1" == server ]] && { ...; exec ...; }`) is
    // decided per path, as an `if` condition is: only the side it takes is walked.
    const test = this.testOfLeft(left);
    let runs: readonly Path[] = l.open;
    let skips: readonly Path[] = l.open;
    if (test && (this.testEnv || l.open.some((p) => p.args))) {
      const go: Path[] = [];
      const stay: Path[] = [];
      for (const p of l.open) {
        const v = conditionOf(test, p.args, this.testEnv);
        // && runs the right side when the test holds; || when it fails
        const right = op === '||' ? v !== true : v !== false;
        const skip = op === '||' ? v !== false : v !== true;
        if (right) go.push(p);
        if (skip) stay.push(p);
      }
      runs = go;
      skips = stay;
    }
    // A left side that cannot fail (`check || echo missing && exit 1`: the echo succeeds when the check fails) always runs
    // the right side of && and never that of ||.
    if (alwaysSucceeds(left)) {
      if (op === '&&') skips = [];
      else runs = [];
    }
    const r = this.statement(right, runs, op === '||' && !place.onFailure ? moved(place, { onFailure: true }) : place);
    // `a && b`: when a fails, b is skipped and the path has ended its work (the container exits, or the
    // script goes on): a check that failed is not a service. `a || b`: when a succeeds, b is skipped.
    const leftStart = left.startIndex;
    const skipped = op === '||' ? skips : skips.filter((p) => p.service === undefined || p.service.start < leftStart);
    return { open: cap([...r.open, ...skipped]), ends: [...l.ends, ...r.ends], returned: [...l.returned, ...r.returned] };
  }

  /** The left side of `a && b` / `a || b` as a test (read from the tree once per node). */
  private testOfLeft(node: Node): Test | undefined {
    if (this.leftTests.has(node.id)) return this.leftTests.get(node.id);
    const t = testOf(node);
    this.leftTests.set(node.id, t);
    return t;
  }

  private ifFacts(node: Node): { clauses: Clause[]; hasElse: boolean } {
    let facts = this.ifs.get(node.id);
    if (facts) return facts;
    // if COND; then BODY [elif COND; then BODY]... [else BODY] fi
    const split = (n: Node, what: string, condition: boolean): Clause => {
      const all = statementsOf(n).filter((st) => st.node.type !== 'elif_clause' && st.node.type !== 'else_clause');
      const thenAt = condition ? childIndexOf(n, 'then') : -1;
      const cond = all.filter((st) => st.node.startIndex < thenAt);
      return {
        cond,
        body: all.filter((st) => st.node.startIndex > thenAt),
        where: `${what} (line ${positionOf(this.source, n.startIndex).line})`,
        test: cond.length === 1 ? testOf((cond[0] as Statement).node) : undefined,
      };
    };
    const clauses = [split(node, 'the then branch', true)];
    let hasElse = false;
    for (const c of namedOf(node)) {
      if (c.type === 'elif_clause') clauses.push(split(c, 'the elif branch', true));
      if (c.type === 'else_clause') {
        hasElse = true;
        clauses.push(split(c, 'the else branch', false));
      }
    }
    facts = { clauses, hasElse };
    this.ifs.set(node.id, facts);
    return facts;
  }

  private ifStatement(node: Node, paths: readonly Path[], place: Place): Flow {
    const ends: End[] = [];
    const returned: Path[] = [];
    const open: Path[] = [];
    let rest = paths;
    const branch = moved(place, { top: false });
    const { clauses, hasElse } = this.ifFacts(node);
    for (const cl of clauses) {
      // The condition runs (it is a check, not a service); then the body, or the next clause. A condition
      // on known positional parameters (`[ "$1" = postgres ]`) is decided: only the branch it takes is walked.
      const cond = this.list(cl.cond, rest, moved(branch, { tail: false, guarded: true }));
      ends.push(...cond.ends);
      returned.push(...cond.returned);
      const entered: Path[] = [];
      const skipping: Path[] = [];
      // paths mostly share one parameter list: decide once per list
      let seenArgs: readonly string[] | undefined | null = null;
      let decided: boolean | undefined;
      for (const p of cond.open) {
        if (p.args !== seenArgs) {
          seenArgs = p.args;
          decided = cl.cond.length ? conditionOf(cl.test, p.args, this.testEnv) : true;
        }
        const v = decided;
        if (v !== false) entered.push(p.enter(cl.where));
        if (v !== true) skipping.push(p);
      }
      rest = skipping;
      const body = this.list(cl.body, entered, branch);
      // Paths that leave the branch go on after the `if`: it is no longer where they are.
      for (const p of body.open) open.push(p.leave());
      ends.push(...body.ends);
      returned.push(...body.returned);
    }
    if (!hasElse) open.push(...rest);
    return { open: cap(open), ends, returned };
  }

  private caseFacts(node: Node): { subject: string; items: CaseItem[]; catchAll: boolean } {
    let facts = this.cases.get(node.id);
    if (facts) return facts;
    let catchAll = false;
    const items: CaseItem[] = [];
    for (const item of namedOf(node).filter((n) => n.type === 'case_item')) {
      const line = positionOf(this.source, item.startIndex).line;
      const values = item.childrenForFieldName('value').filter((v): v is Node => v !== null);
      const patterns = values.map((v) => v.text);
      if (patterns.some((p) => p === '*' || p === '"*"')) catchAll = true;
      const afterPatterns = values[values.length - 1]?.endIndex ?? item.startIndex;
      const body = statementsOf(item).filter((st) => st.node.startIndex > afterPatterns && st.node.type !== 'extglob_pattern');
      items.push({ patterns, body, where: `the case ${patterns.join('|').slice(0, 30)}) (line ${line})` });
    }
    facts = { subject: node.childForFieldName('value')?.text ?? '', items, catchAll };
    this.cases.set(node.id, facts);
    return facts;
  }

  private caseStatement(node: Node, paths: readonly Path[], place: Place): Flow {
    const ends: End[] = [];
    const returned: Path[] = [];
    const open: Path[] = [];
    const { subject, items, catchAll } = this.caseFacts(node);
    let remaining = paths;
    for (const item of items) {
      // `case "$1" in` with known parameters: the first matching item takes the path.
      const entered: Path[] = [];
      const rest: Path[] = [];
      let seenArgs: readonly string[] | undefined | null = null;
      let decided: boolean | undefined;
      for (const p of remaining) {
        if (p.args !== seenArgs) {
          seenArgs = p.args;
          decided = caseMatches(subject, item.patterns, p.args, this.testEnv);
        }
        const v = decided;
        if (v !== false) entered.push(p.enter(item.where));
        if (v !== true) rest.push(p);
      }
      remaining = rest;
      const f = this.list(item.body, entered, moved(place, { top: false }));
      for (const p of f.open) open.push(p.leave());
      ends.push(...f.ends);
      returned.push(...f.returned);
    }
    if (!catchAll) open.push(...remaining);
    return { open: cap(open), ends, returned };
  }

  private loopFacts(node: Node): LoopFacts {
    let facts = this.loops.get(node.id);
    if (!facts) {
      const body = node.childForFieldName('body');
      const forever = endless(node);
      facts = {
        inner: body ? statementsOf(body) : [],
        breaks: body ? containsBreak(body) : false,
        endless: forever,
        pause: forever && body ? pauseOf(body, this.functions) : undefined,
        stuck: forever && body ? stuckIn(body) : false,
        gone: forever && body ? endsWhenGone(body) : false,
        periodic: forever && body ? periodicIn(body) : false,
      };
      this.loops.set(node.id, facts);
    }
    return facts;
  }

  private loop(node: Node, paths: readonly Path[], place: Place): Flow {
    const { inner, breaks, endless, pause, stuck, gone, periodic } = this.loopFacts(node);
    const f = this.list(inner, paths, moved(place, { top: false, tail: false, nested: true }));
    if (!endless) {
      // `while kill -0 "$pid"; do sleep 10; done; wait "$pid"`: the shell spends the job's life in this loop, so a
      // stop arrives here; the trap runs after the current command, the loop ends with the job, and the wait after it waits.
      if (/\bkill\s+-0\b/.test(node.text)) for (const p of paths) if (p.job && p.waits === 0) this.polled.add(p.job.start);
      // A loop that ends by itself (a retry loop, a loop over files): set-up; what it ran is not the service.
      return { open: cap([...paths, ...f.open.filter((p) => p.job !== undefined && paths.every((q) => q.job !== p.job))]), ends: f.ends, returned: f.returned };
    }
    const loopCmd = this.record(node, 'loop');
    const ends: End[] = [...f.ends];
    // An endless loop: the shell keeps running it (`while true; do sleep 5; done`), in front of whatever it started.
    for (const p of f.open.length ? f.open : paths) {
      ends.push({
        kind: 'loop',
        command: loopCmd,
        after: undefined,
        via: p.via,
        execBy: { bash: false, ash: false },
        ...(pause !== undefined ? { pause } : {}),
        ...(stuck ? { stuck: true } : {}),
        ...(gone ? { endsWhenGone: true } : {}),
        // (a job started before the loop is a service beside it, which the loop's end leaves behind)
        ...(periodic && p.job === undefined ? { periodic: true } : {}),
      });
    }
    return { open: breaks ? paths : NO_PATHS, ends: dedupe(ends), returned: f.returned };
  }

  private command(node: Node, paths: readonly Path[], place: Place, negated: boolean): Flow {
    const { name, words, args, weight } = this.commandOf(node);
    const none: Flow = { open: paths, ends: NO_ENDS, returned: NO_PATHS };
    if (name === undefined) {
      // `$CMD args`: a program chosen at run time; the shell still runs (or execs) it.
      if (words.length === 0) return none;
      return this.service(this.record(node, 'simple'), paths, this.implicitExec(place, node, negated));
    }
    switch (name) {
      case 'exec': {
        const rec = this.record(node, 'simple');
        if (rec.words.length === 0) return none; // `exec >log 2>&1`: redirections only
        if (rec.words.length === 1 && isSelf(rec.words[0]?.text ?? '')) return { open: NO_PATHS, ends: NO_ENDS, returned: NO_PATHS };
        // Official images re-exec themselves under another user (`exec gosu postgres "$BASH_SOURCE" "$@"`): the
        // script runs again, and its other paths decide.
        if (rec.words.some((w) => isSelf(w.text))) return { open: NO_PATHS, ends: NO_ENDS, returned: NO_PATHS };
        const topLevel = place.top || place.tail;
        // `exec "$@"` with no parameters has no command: exec then only applies its redirections (POSIX exec), and the script goes on.
        const noCommand = rec.words.every((w) => isAllArgs(w.text)) ? paths.filter((p) => p.args?.length === 0) : NO_PATHS;
        const execs = noCommand.length ? paths.filter((p) => p.args?.length !== 0) : paths;
        this.markPassed(execs, node, rec);
        return {
          // the wrapper idiom with nothing to wrap (an ENTRYPOINT with no CMD): its set-up steps are not the service
          open: noCommand.map((p) => p.setUpOnly()),
          ends: execs.map((p) => ({ kind: 'exec', command: Object.assign({}, rec, { topLevel }), after: undefined, via: p.via, execBy: { bash: true, ash: true }, positional: { args: p.args } })),
          returned: NO_PATHS,
        };
      }
      case 'exit': {
        // `server; exit $?`: the shell waited for the service, then exits with its status.
        const rec = this.record(node, 'simple');
        const status = words[1]?.text.replace(/^"(.*)"$/, '$1');
        const handsBack = status === undefined || status === '$?';
        // `exit 1`: a failure exit (`setup || exit 1`, `log "error"; exit 1`): the path gives up. So does `exit $?` (or a bare
        // `exit`) on the right of `||`: it passes on the failure status of what failed (`run_hook || exit $?`).
        const fails = (status !== undefined && /^[1-9][0-9]*$/.test(status)) || (handsBack && place.onFailure);
        return {
          open: NO_PATHS,
          returned: NO_PATHS,
          ends: paths.flatMap((p) =>
            endOf(p.service || p.waits > 0 ? p.runs(rec) : p).map((e) =>
              e.kind === 'foreground' && (fails || (!handsBack && (e.after?.length ?? 0) > 1)) ? Object.assign({}, e, { aborts: true }) : e,
            ),
          ),
        };
      }
      case 'return':
        return this.depth > 0 ? { open: NO_PATHS, ends: NO_ENDS, returned: paths } : { open: NO_PATHS, ends: paths.flatMap(endOf), returned: NO_PATHS };
      case 'wait': {
        const rec = this.record(node, 'simple');
        return { open: paths.map((p) => (p.job ? p.waited(rec, place.guarded) : p)), ends: NO_ENDS, returned: NO_PATHS };
      }
      case 'kill': {
        // `tmp-server & pid=$!; ...; kill -s TERM "$pid"; wait "$pid"`: the script ends its own job (an init phase's
        // temporary server), so a wait after it returns as soon as the job has stopped: the job is not the service.
        const q = this.quick(node, paths);
        if (!killEndsJob(words.slice(1), this.jobPidNames())) return q;
        return { open: q.open.map((p) => (p.job && p.waits === 0 ? p.jobEnded() : p)), ends: NO_ENDS, returned: NO_PATHS };
      }
      case 'fg': {
        // `set -m; svc & ...; fg 1`: the job comes back to the foreground and the shell waits for it as for any
        // foreground command (a trap is deferred until it returns; bash(1) JOB CONTROL, SIGNALS): it is the service
        const rec = this.record(node, 'simple');
        return {
          open: paths.map((p) =>
            p.job && p.waits === 0
              ? new Path(Object.assign({}, p.job, { shape: 'simple' as const, execBy: { bash: false, ash: false } }), undefined, undefined, 0, false, undefined, p.via, p.args, p.frames)
              : p.service || p.waits > 0
                ? p.runs(rec)
                : p,
          ),
          ends: NO_ENDS,
          returned: NO_PATHS,
        };
      }
      case 'set':
        // `set -- a b "$@"` replaces the positional parameters.
        if (words[1]?.literal === '--') {
          const expand = sameFor((args: readonly string[] | undefined) => expandArgs(words.slice(2), args));
          return { open: paths.map((p) => p.withArgs(expand(p.args))), ends: NO_ENDS, returned: NO_PATHS };
        }
        return this.quick(node, paths);
      case 'shift': {
        const n = Number(words[1]?.literal ?? '1');
        const shifted = sameFor((args: readonly string[] | undefined) => (args && Number.isInteger(n) ? args.slice(n) : undefined));
        return { open: paths.map((p) => p.withArgs(shifted(p.args))), ends: NO_ENDS, returned: NO_PATHS };
      }
      case 'eval': {
        // `eval "exec $CMD"`: an exec of a command built at run time.
        const arg = words[1] ? actionText(words[1]) : '';
        if (/^exec\s/.test(arg)) {
          const rec: FinalCommand = Object.assign({}, this.record(node, 'simple'), { words: [], explicitExec: true, execd: true });
          delete rec.argv;
          return { open: NO_PATHS, ends: paths.map((p) => ({ kind: 'exec', command: rec, after: undefined, via: p.via, execBy: { bash: true, ash: true } })), returned: NO_PATHS };
        }
        return this.evalCall(node, words.slice(1), paths, place) ?? this.quick(node, paths);
      }
      case '.':
      case 'source': {
        // The file runs in this shell: a trap or an exec in it changes the stop. The launch model reads it if it can.
        const file = words[1];
        const literal = file?.literal !== undefined && !/[*?[]/.test(file.literal) ? file.literal : undefined;
        // `for f in /etc/entrypoint.d/*.sh; do . "$f"; done`: the files the glob names in the image
        const glob = literal === undefined && file ? this.loopGlobOf(node, file.text) : undefined;
        this.sourced.push({
          ...(literal !== undefined ? { path: literal } : {}),
          ...(glob !== undefined ? { glob } : {}),
          line: positionOf(this.source, node.startIndex).line,
          ...(file && existenceGuarded(node, file.text) ? { optional: file.text } : {}),
        });
        return this.quick(node, paths);
      }
      default:
        break;
    }
    const body = this.functions.get(name);
    if (body) return this.call(name, body, node, paths, place, args);
    if (weight === 'instant' || this.quietFunctions.has(name)) return this.quick(node, paths);
    if (weight === 'work') {
      // A finite task: the tidy-up after a service, or itself the point of a path that runs nothing else.
      const tidy = paths.filter((p) => p.service || p.waits > 0);
      const alone = paths.filter((p) => !(p.service || p.waits > 0));
      const t = this.quick(node, tidy);
      const a = alone.length ? this.service(this.record(node, 'simple'), alone, this.implicitExec(place, node, negated)) : { open: NO_PATHS, ends: NO_ENDS, returned: NO_PATHS };
      return { open: [...t.open, ...a.open], ends: a.ends, returned: NO_PATHS };
    }
    return this.service(this.record(node, 'simple'), paths, this.implicitExec(place, node, negated));
  }

  /**
   * A pipeline that only lists (see listsInPipeline), with no loop but `for` and only quick commands in its
   * substitutions: it prints and ends by itself.
   */
  private listing(pipeline: Node): boolean {
    const parts = namedOf(pipeline);
    for (const [i, part] of parts.entries()) {
      const cmd = unwrap(part);
      if (cmd.type !== 'command') return false;
      const { name, args } = this.commandOf(part);
      if (name === undefined || !listsInPipeline(name, args, i === 0, readsInput(part))) return false;
    }
    let quick = true;
    const visit = (n: Node, inside: boolean): void => {
      if (!quick) return;
      if (n.type === 'while_statement' || n.type === 'until_statement') quick = false;
      else if (inside && n.type === 'command') {
        const name = firstWord(n);
        quick = name !== undefined && !this.functions.has(name) && isQuick(name, wordsOf(n, this.env).slice(1), readsInput(n));
      }
      for (let i = 0; quick && i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (c) visit(c, inside || n.type === 'command_substitution' || n.type === 'process_substitution');
      }
    };
    visit(pipeline, false);
    return quick;
  }

  private quick(node: Node, paths: readonly Path[]): Flow {
    const rec = this.record(node, 'simple');
    return { open: paths.map((p) => (p.service || p.waits > 0 ? p.runs(rec) : p)), ends: NO_ENDS, returned: NO_PATHS };
  }

  /** The paths' foreground services return before `exec` runs `rec` (see passed): not across `||`, a condition or a loop. */
  private markPassed(paths: readonly Path[], node: Node, rec: FinalCommand): void {
    const name = rec.words[0]?.literal;
    // `S; exec sleep infinity` or `S; exec echo done` says nothing of S: only the exec of a program that runs
    if (name !== undefined && (isQuick(name, rec.words.slice(1), false) || /^(sleep|tail|cat|echo|printf|true|false)$/.test(name))) return;
    for (const p of paths) {
      const s = p.service?.start;
      if (s === undefined || p.waits > 0) continue;
      let inside = false;
      for (let a = node.parent; a && !inside; a = a.parent) if (CONDITIONAL.has(a.type) && a.startIndex <= s && s < a.endIndex) inside = true;
      if (!inside) this.passed.add(s);
    }
  }

  private service(rec: FinalCommand, paths: readonly Path[], by: { bash: boolean; ash: boolean }): Flow {
    if (this.execHere(by)) {
      return {
        open: NO_PATHS,
        ends: paths.map((p) => ({ kind: 'exec', command: Object.assign({}, rec, { execd: true, topLevel: true }), after: undefined, via: p.via, execBy: by })),
        returned: NO_PATHS,
      };
    }
    // After `wait`, later commands are the script's tidy-up: the job stays the service.
    const service: Service = Object.assign({}, rec, { execBy: by });
    return {
      open: paths.map((p) => (p.waits > 0 ? p.runs(rec) : new Path(service, undefined, p.job, 0, false, undefined, p.via, p.args, p.frames))),
      ends: NO_ENDS,
      returned: NO_PATHS,
    };
  }

  /**
   * `eval $1` with the parameters known (`ENTRYPOINT ["/run.sh"]`, `CMD ["node"]`): eval joins its words and runs the
   * result as a command in this shell (POSIX eval), so a word naming one of the script's functions calls it (rancher's
   * etcd run.sh: `eval $1` runs node(), which runs etcd in the foreground). Anything else eval'd stays as before.
   */
  private evalCall(node: Node, operands: readonly Word[], paths: readonly Path[], place: Place): Flow | undefined {
    if (!operands.length) return undefined;
    const byCommand = new Map<string, Path[]>();
    const rest: Path[] = [];
    const textOf = sameFor((args: readonly string[] | undefined) => {
      const parts: string[] = [];
      for (const w of operands) {
        if (isAllArgs(w.text)) {
          if (!args) return undefined;
          parts.push(...args);
          continue;
        }
        const v = operand(w.text, args);
        if (v === undefined) return undefined;
        parts.push(v);
      }
      return parts.join(' ');
    });
    for (const p of paths) {
      const text = textOf(p.args)?.trim();
      // only plain words: what quoting, expansions or operators in the text would do is another parse
      const fields = text && !/[^\w\s./:=@%+,-]/.test(text) ? text.split(/\s+/) : undefined;
      const name = fields?.[0];
      if (name !== undefined && fields && this.functions.has(name)) byCommand.set(fields.join(' '), [...(byCommand.get(fields.join(' ')) ?? []), p]);
      else rest.push(p);
    }
    if (!byCommand.size) return undefined;
    const flows: Flow[] = [this.quick(node, rest)];
    for (const [command, ps] of byCommand) {
      const [name, ...fields] = command.split(' ') as [string, ...string[]];
      const callArgs: Word[] = fields.map((f) => ({ text: f, literal: f, start: node.startIndex, end: node.endIndex }));
      flows.push(this.call(name, this.functions.get(name) as Node, node, ps, place, callArgs));
    }
    return { open: cap(flows.flatMap((f) => f.open)), ends: flows.flatMap((f) => f.ends), returned: flows.flatMap((f) => f.returned) };
  }

  private call(name: string, body: Node, node: Node, paths: readonly Path[], place: Place, callArgs: Word[]): Flow {
    if (this.depth >= MAX_CALL_DEPTH) return this.quick(node, paths);
    this.depth++;
    try {
      let where = this.calls.get(node.id);
      if (where === undefined) {
        where = `function ${name} (called at line ${positionOf(this.source, node.startIndex).line})`;
        this.calls.set(node.id, where);
      }
      // Inside the function, $1... are its own arguments; they are the caller's again when it returns.
      const expand = sameFor((args: readonly string[] | undefined) => expandArgs(callArgs, args));
      const entered = paths.map((p) => p.call(where, expand(p.args)));
      const inner = this.typeOf(body) === 'compound_statement' || this.typeOf(body) === 'subshell' ? this.statementsIn(body) : [{ node: body, background: false }];
      // No family execs a command inside a function.
      const f = this.list(inner, entered, moved(place, { top: false, tail: false, nested: true }));
      const out: Path[] = [];
      for (const p of f.open) out.push(p.back());
      for (const p of f.returned) out.push(p.back());
      return { open: cap(out), ends: f.ends, returned: NO_PATHS };
    } finally {
      this.depth--;
    }
  }
}

/**
 * One result for each parameter list, made once: paths that share their parameters go on sharing them, so a
 * condition on them is decided once for all of those paths (ifStatement, caseStatement).
 */
function sameFor<R>(make: (args: readonly string[] | undefined) => R): (args: readonly string[] | undefined) => R {
  let seen: readonly string[] | undefined | null = null;
  let made: R;
  return (args) => {
    if (args !== seen) {
      seen = args;
      made = make(args);
    }
    return made;
  };
}

/** Words as positional parameters: literal words, `"$@"` for the current ones; undefined when any is unknown. */
function expandArgs(words: readonly Word[], current: readonly string[] | undefined): string[] | undefined {
  const out: string[] = [];
  for (const w of words) {
    if (isAllArgs(w.text)) {
      if (!current) return undefined;
      out.push(...current);
    } else if (w.literal !== undefined) out.push(w.literal);
    else return undefined;
  }
  return out;
}

/**
 * The value of a test operand with known positional parameters or environment: `"$1"`, `${1}`, `"${1:0:1}"`,
 * `"${1#-}"`, `$#`, `"$VAR"`, or a literal; undefined when it is not known.
 */
function operand(tok: string, args: readonly string[] | undefined, env?: Readonly<Record<string, string>>): string | undefined {
  const quoted = tok.length >= 2 && (tok[0] === '"' || tok[0] === "'") && tok[tok.length - 1] === tok[0];
  const t = quoted ? tok.slice(1, -1) : tok;
  if (!t.includes('$') && !t.includes('`')) return t;
  // `$#`: the number of positional parameters (a count: no splitting or globbing changes it)
  if (t === '$#' || t === '${#}') return args ? String(args.length) : undefined;
  const named = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(t);
  if (named) {
    const v = env?.[(named[1] ?? named[2]) as string];
    // unquoted, an empty value or one with blanks or glob characters changes the test's words: not decided
    return v !== undefined && (quoted || (v !== '' && !/[\s*?[]/.test(v))) ? v : undefined;
  }
  // `"${1:-}"`, `"${MODE:-none}"`: the value, or the literal word when it is empty
  const fallback = /^\$\{(\d|[A-Za-z_][A-Za-z0-9_]*):-([^$`"'\\]*)\}$/.exec(t);
  if (fallback) {
    const name = fallback[1] as string;
    const v = /^\d$/.test(name) ? (args ? (args[Number(name) - 1] ?? '') : undefined) : env?.[name];
    const r = v === undefined ? undefined : v === '' ? (fallback[2] as string) : v;
    return r !== undefined && (quoted || (r !== '' && !/[\s*?[]/.test(r))) ? r : undefined;
  }
  if (!args) return undefined;
  // `"$*"` (and `"$@"` where one word is expected): the parameters joined by spaces; `test -z "$*"` is true with none
  if (quoted && /^\$(?:[*@]|\{[*@]\})$/.test(t) && (args.length <= 1 || t.includes('*'))) return args.join(' ');
  const m = /^\$(?:(\d)|\{(\d)(?::0:1|#-)?\})$/.exec(t);
  if (!m) return undefined;
  const v = args[Number(m[1] ?? m[2]) - 1] ?? '';
  if (t.endsWith(':0:1}')) return v.slice(0, 1);
  if (t.endsWith('#-}')) return v.startsWith('-') ? v.slice(1) : v;
  return v;
}

/**
 * The functions a sourced library defines whose bodies run only commands that return at once (print, log, test, assign,
 * call another such function of the library): pexcn's function.sh `info`/`warn`, which `printf` a coloured line. A call
 * to one in the script is not its service. Undefined names, a loop, a background job or any other program keep a function out.
 */
export function quietFunctionsIn(text: string, family: ShellFamily): ReadonlySet<string> {
  const key = `${family}\0${text}`;
  const have = quietCache.get(key);
  if (have) return have;
  const out = new Set<string>();
  if (text.includes('(') || text.includes('function')) {
    const lease = leaseTree(text, family);
    if (lease) {
      try {
        const bodies = new Map<string, Node>();
        functionsOf(lease.tree.rootNode, bodies);
        // each body read once: whether its own commands return at once, and the other commands it calls
        const read = new Map<string, { calls: Set<string> } | undefined>();
        for (const [name, body] of bodies) read.set(name, quietShape(body));
        // quiet when every call is to a quiet function of the library (to a fixed point)
        for (let changed = true; changed; ) {
          changed = false;
          for (const [name, r] of read)
            if (r && !out.has(name) && [...r.calls].every((c) => out.has(c))) {
              out.add(name);
              changed = true;
            }
        }
      } finally {
        lease.release();
      }
    }
  }
  if (quietCache.size >= 256) quietCache.clear();
  quietCache.set(key, out);
  return out;
}

const quietCache = new Map<string, ReadonlySet<string>>();

/** A function body with no loop, job, exec, kill, wait or exit, whose commands are instant: the names it calls that are not (undefined: not quiet). */
function quietShape(body: Node): { calls: Set<string> } | undefined {
  if (body.descendantsOfType(['while_statement', 'for_statement', 'c_style_for_statement', 'until_statement']).some((n) => n !== null)) return undefined;
  if (/(^|[^&])&(?!&)/.test(body.text.replace(/[<>]&|&>>?/g, ''))) return undefined;
  const calls = new Set<string>();
  for (const c of body.descendantsOfType('command')) {
    if (!c) continue;
    const words = wordsOf(c);
    const name = words[0]?.literal;
    if (name === undefined || /^(exec|kill|wait|exit|eval|trap)$/.test(name)) return undefined;
    if (BUILTINS_QUIET.has(name) || commandWeight(name, words.slice(1)) === 'instant') continue;
    calls.add(name);
  }
  return { calls };
}

/**
 * Builtins a quiet function may run that commandWeight does not answer for: `return` (the rest, `local`, `export`,
 * `echo`, `printf`, `test`, `read`..., are among its instant commands).
 */
const BUILTINS_QUIET = new Set(['return', '[[']);

/** `A -eq B` and the other integer comparisons of test(1), on decimal integers. */
const NUMERIC: Record<string, (a: number, b: number) => boolean> = {
  '-eq': (a, b) => a === b,
  '-ne': (a, b) => a !== b,
  '-gt': (a, b) => a > b,
  '-ge': (a, b) => a >= b,
  '-lt': (a, b) => a < b,
  '-le': (a, b) => a <= b,
};

/** Split a test's text into words, keeping quotes (enough for `[ "$1" = 'x' ]`). */
function testWords(text: string): string[] {
  return text.match(/"[^"]*"|'[^']*'|[^\s]+/g) ?? [];
}

/** Glob match for `[[ x == pat ]]` and `case` patterns (`*`, `?`, `[...]`). */
function globMatches(pattern: string, value: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 1);
      if (j > i) {
        re += pattern.slice(i, j + 1).replace(/^\[!/, '[^');
        i = j;
      } else re += '\\[';
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(value);
}

/** `[ A = B ]`, `[ A != B ]`, `[ -z A ]`, `[ -n A ]`, `[ A ]`, `[ $# -gt 0 ]`, `[[ A == pattern ]]`, `test ...`: true, false, or unknown. */
function evalTest(text: string, args: readonly string[] | undefined, env: Readonly<Record<string, string>> | undefined): boolean | undefined {
  let w = testWords(text.trim());
  const double = w[0] === '[[';
  if (w[0] === '[' || w[0] === '[[' || w[0] === 'test') w = w.slice(1);
  if (w[w.length - 1] === ']' || w[w.length - 1] === ']]') w = w.slice(0, -1);
  let negate = false;
  if (w[0] === '!') {
    negate = true;
    w = w.slice(1);
  }
  let v: boolean | undefined;
  if (w.length === 1 && /^["']/.test(w[0] as string)) {
    // `[ "$1" ]`: true when the (quoted) string is not empty
    const a = operand(w[0] as string, args, env);
    v = a === undefined ? undefined : a !== '';
  } else if (w.length === 2 && (w[0] === '-z' || w[0] === '-n')) {
    const a = operand(w[1] as string, args, env);
    v = a === undefined ? undefined : w[0] === '-z' ? a === '' : a !== '';
  } else if (w.length === 3 && (w[1] === '=' || w[1] === '==' || w[1] === '!=')) {
    const a = operand(w[0] as string, args, env);
    const rawB = w[2] as string;
    const b = operand(rawB, args, env);
    if (a === undefined || b === undefined) v = undefined;
    else {
      const equal = double && !/^["']/.test(rawB) ? globMatches(b, a) : a === b;
      v = w[1] === '!=' ? !equal : equal;
    }
  } else if (double && w.length === 3 && w[1] === '=~') {
    // bash's `[[ A =~ ERE ]]`: an unanchored POSIX extended regex (a quoted right side matches as a string); only
    // patterns whose meaning JavaScript's RegExp shares (no POSIX classes, no back references)
    const a = operand(w[0] as string, args, env);
    const rawB = w[2] as string;
    // (a regex the grammar could not parse was blanked to underscores: blankTestRegexes)
    if (a !== undefined && !/^["']/.test(rawB) && !/\[\[:|\\\d|\$|^_+$/.test(rawB)) {
      try {
        v = new RegExp(rawB).test(a);
      } catch {
        v = undefined;
      }
    }
  } else if (w.length === 3 && NUMERIC[w[1] as string]) {
    // both operands must be known decimal integers (test(1) fails on anything else)
    const a = operand(w[0] as string, args, env);
    const b = operand(w[2] as string, args, env);
    const int = /^-?\d+$/;
    v = a !== undefined && b !== undefined && int.test(a) && int.test(b) ? (NUMERIC[w[1] as string] as (x: number, y: number) => boolean)(Number(a), Number(b)) : undefined;
  }
  return v === undefined ? undefined : negate ? !v : v;
}

/**
 * A condition (the statement between `if` and `then`) as a test on the positional parameters: `[ "$1" = x ]`,
 * `! COND`, `A && B`, `A || B`; undefined when it is none of these. Read from the tree once, decided per path.
 */
type Test = { test: string } | { not: Test | undefined } | { op: '&&' | '||'; left: Test | undefined; right: Test | undefined };

/**
 * A command that cannot fail: `true`, `:`, and `echo`/`printf` with no redirection (writing to the container's
 * stdout), or a list `a || b` whose last part is one. (POSIX echo returns >0 only on a write error.)
 */
function alwaysSucceeds(n: Node): boolean {
  if (n.hasError) return false;
  if (n.type === 'command') return SUCCEEDS.has(firstWord(n) ?? '');
  if (n.type === 'list' && n.child(1)?.type === '||') {
    const r = n.namedChild(n.namedChildCount - 1);
    return r !== null && alwaysSucceeds(r);
  }
  return false;
}

const SUCCEEDS: ReadonlySet<string> = new Set(['true', ':', 'echo', 'printf']);

function testOf(n: Node): Test | undefined {
  if (n.hasError) return undefined;
  if (n.type === 'test_command') return { test: n.text };
  if (n.type === 'command' && (firstWord(n) === '[' || firstWord(n) === 'test')) return { test: n.text };
  if (n.type === 'negated_command') {
    const inner = n.namedChild(0);
    return { not: inner ? testOf(inner) : undefined };
  }
  if (n.type === 'list') {
    const op = n.child(1)?.type;
    if (op !== '&&' && op !== '||') return undefined;
    const l = n.namedChild(0);
    const r = n.namedChild(n.namedChildCount - 1);
    return { op, left: l ? testOf(l) : undefined, right: r ? testOf(r) : undefined };
  }
  return undefined;
}

/** A condition on known parameters (and environment): true, false, or unknown. */
function conditionOf(t: Test | undefined, args: readonly string[] | undefined, env?: Readonly<Record<string, string>>): boolean | undefined {
  if (!t || (!args && !env)) return undefined;
  if ('test' in t) return evalTest(t.test, args, env);
  if ('not' in t) {
    const v = conditionOf(t.not, args, env);
    return v === undefined ? undefined : !v;
  }
  const a = conditionOf(t.left, args, env);
  const b = conditionOf(t.right, args, env);
  if (t.op === '&&') return a === false || b === false ? false : a === true && b === true ? true : undefined;
  return a === true || b === true ? true : a === false && b === false ? false : undefined;
}

/** Does `case SUBJECT in` take an item with these patterns, for known parameters? */
function caseMatches(subject: string, patterns: readonly string[], args: readonly string[] | undefined, env?: Readonly<Record<string, string>>): boolean | undefined {
  const v = operand(subject, args, env);
  if (v === undefined) return undefined;
  let unknown = false;
  for (const raw of patterns) {
    const quoted = /^["'].*["']$/.test(raw);
    const p = quoted ? raw.slice(1, -1) : raw;
    if (p.includes('$')) {
      unknown = true;
      continue;
    }
    if (quoted ? p === v : globMatches(p, v)) return true;
  }
  return unknown ? undefined : false;
}

/** How a path that ends here (the script's end, `exit`) stood: waiting for its service or job; nothing if it ran none. */
function endOf(p: Path): End[] {
  if (p.job && p.waits > 0) {
    return [{ kind: 'wait', command: p.job, after: p.after, via: p.via, execBy: { bash: false, ash: false }, waits: p.waits, guarded: p.guarded, ...(p.lastWait ? { lastWait: p.lastWait } : {}) }];
  }
  if (!p.service) return [];
  const { execBy, ...command } = p.service;
  return [
    {
      kind: 'foreground',
      command: Object.assign({}, command, { topLevel: (p.after?.length ?? 0) === 0 && command.topLevel !== false }),
      after: p.after,
      via: p.via,
      execBy: execBy ?? { bash: false, ash: false },
    },
  ];
}

function namedOf(n: Node): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (c) out.push(c);
  }
  return out;
}

function childIndexOf(n: Node, type: string): number {
  for (let i = 0; i < n.childCount; i++) if (n.child(i)?.type === type) return n.child(i)?.startIndex ?? -1;
  return -1;
}

function containsBreak(n: Node): boolean {
  if (n.type === 'command' && (firstWord(n) === 'break' || firstWord(n) === 'exit' || firstWord(n) === 'return')) return true;
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (c && !['while_statement', 'until_statement', 'for_statement', 'c_style_for_statement', 'function_definition'].includes(c.type) && containsBreak(c)) return true;
  }
  return false;
}

/** A pause this long between passes makes a loop a periodic job, not a restart loop (`server; sleep 5`). */
const PERIOD_SECONDS = 60;

/**
 * Whether a loop body sleeps in the foreground an interval between passes of its work: a `sleep` of a minute or more,
 * or of a time set at run time (`sleep "${INTERVAL}s"`, `sleep $((60 * 60))`), or waits for one file event
 * (`inotifywait -e modify nginx.conf` then `pkill -HUP nginx`: inotifywait(1) without -m exits after one event), and no
 * pipeline (what a pipeline feeds runs as long as its source).
 */
function periodicIn(body: Node): boolean {
  let sleeps = false;
  for (const n of foreground(body, (x) => x.type === 'function_definition' || x.type === 'command_substitution' || x.type === 'subshell' || x.type === 'pipeline')) {
    if (n.type === 'pipeline') return false;
    if (n.type === 'command' && firstWord(n) === 'inotifywait') {
      if (!wordsOf(n).some((w) => w.literal === '--monitor' || /^-[a-zA-Z]*m/.test(w.literal ?? ''))) sleeps = true;
      continue;
    }
    if (n.type !== 'command' || firstWord(n) !== 'sleep') continue;
    const args = wordsOf(n).slice(1);
    if (args.length === 0) continue;
    const literal = args.every((a) => a.literal !== undefined);
    const secs = literal ? boundedSeconds(args.map((a) => a.literal as string)) : undefined;
    if (!literal || (secs !== undefined && secs >= PERIOD_SECONDS)) sleeps = true;
  }
  return sleeps;
}

/** A statement of the loop that leaves it once a process is gone: `kill -0 "$pid" || break`, `if ! kill -0 $child; then exit; fi`, `[ -e /proc/$pid ] || break`. */
function endsWhenGone(body: Node): boolean {
  for (let i = 0; i < body.namedChildCount; i++) {
    const c = body.namedChild(i);
    if (!c || !['if_statement', 'list'].includes(c.type)) continue;
    if (/\bkill\s+-0\b|\/proc\/\$|\bpgrep\b|\bpidof\b/.test(c.text) && containsBreak(c)) return true;
  }
  return false;
}

function firstCommand(n: Node): Node | undefined {
  if (n.type === 'command') return n;
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    const found = c ? firstCommand(c) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The argv of a command whose program is known: literal words as they are, other words as written. */
function argvOf(words: readonly Word[]): string[] | undefined {
  if (!words.length || words[0]?.literal === undefined) return undefined;
  return words.map((w) => w.literal ?? w.text);
}

function cap(paths: readonly Path[]): readonly Path[] {
  if (paths.length <= MAX_PATHS) return paths;
  // Keep one path per distinct service and job: the rest only repeat them (the first MAX_PATHS of those).
  const seen = new Set<string>();
  const out: Path[] = [];
  for (const p of paths) {
    const k = p.capKey();
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
    if (out.length === MAX_PATHS) break;
  }
  return out;
}

function dedupe(ends: End[]): End[] {
  const seen = new Set<string>();
  return ends.filter((e) => {
    // (an exec of `"$@"` with other positional parameters is another end: `set -- node "$@"` on one path only)
    const k = `${e.kind}/${e.command.start}/${itemsOf(e.after)
      .map((a) => a.start)
      .join(',')}/${e.waits ?? ''}/${e.positional ? JSON.stringify(e.positional.args ?? null) : ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

interface Statement {
  node: Node;
  background: boolean;
}

function statementsOf(root: Node): Statement[] {
  const out: Statement[] = [];
  // one read of all children: child(i) walks the children from the first each time
  const kids = root.children;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if (!k?.isNamed || k.type === 'comment' || k.type === 'heredoc_body') continue;
    out.push({ node: k, background: kids[i + 1]?.type === '&' });
  }
  return out;
}

/**
 * Is a node read where the script runs code: not inside a heredoc's text or a comment? The tree's own search
 * (descendantsOfType, one call into wasm) finds candidates faster than a walk of every node from JS.
 */
function inCode(n: Node): boolean {
  for (let a = n.parent; a; a = a.parent) if (!a.isNamed || a.type === 'heredoc_body' || a.type === 'comment') return false;
  return true;
}

/** Function definitions anywhere (the last definition of a name wins, as when the script runs top to bottom). */
function functionsOf(root: Node, into: Map<string, Node>): void {
  for (const n of root.descendantsOfType('function_definition')) {
    if (!n || !inCode(n)) continue;
    const name = n.childForFieldName('name')?.text;
    const body = n.childForFieldName('body');
    if (name && body) into.set(name, body);
  }
}

/**
 * Variables every assignment of which is a literal `exec ...` (`exec_cmd="exec gosu neo4j"`, or `"exec"` on
 * another branch): at command position, `$exec_cmd "$@"` expands to the exec builtin and its words, which the
 * shell then runs (POSIX 2.9.1: the first field after expansion is the command name; measured with dash,
 * bash and busybox ash in test/shell-exec.test.ts). The first assignment gives the words.
 */
function execVariablesOf(root: Node): Map<string, string[]> {
  const values = new Map<string, (string[] | undefined)[]>();
  for (const n of root.descendantsOfType('variable_assignment')) {
    if (!n || !inCode(n)) continue;
    const name = n.childForFieldName('name')?.text;
    if (!name) continue;
    const value = n.childForFieldName('value');
    const text = value ? literalOf(value) : '';
    const fields = text !== undefined && !/[*?[]/.test(text) ? text.split(/[ \t\n]+/).filter(Boolean) : undefined;
    values.set(name, [...(values.get(name) ?? []), fields]);
  }
  const out = new Map<string, string[]>();
  for (const [name, all] of values) {
    if (all.every((f) => f?.[0] === 'exec')) out.set(name, all[0] as string[]);
  }
  return out;
}

/** `trap` commands, not inside another command (`$(trap -p)`). */
function collectTraps(root: Node, source: string, functions: ReadonlyMap<string, Node>): Trap[] {
  // A name whose value is `trap` has those letters in a row once quotes and backslashes are gone: look at the
  // command around each such place (a read of every command of a big script costs more than its parse).
  const found = new Map<number, Node>();
  for (const m of source.matchAll(/(?=t["'\\]*r["'\\]*a["'\\]*p)/g)) {
    for (let n = root.descendantForIndex(m.index, m.index + 1); n; n = n.parent) {
      if (n.type !== 'command') continue;
      found.set(n.id, n);
      break;
    }
  }
  const traps: Trap[] = [];
  for (const n of [...found.values()].sort((x, y) => x.startIndex - y.startIndex)) {
    if (firstWord(n) !== 'trap') continue;
    let nested = false;
    for (let a = n.parent; a && !nested; a = a.parent) nested = !a.isNamed || a.type === 'command' || a.type === 'heredoc_body' || a.type === 'comment';
    if (nested) continue;
    const t = trapOf(wordsOf(n), positionOf(source, n.startIndex).line, functions);
    if (t) traps.push(t);
  }
  return traps;
}

/**
 * The variables of `env` a test may be decided on: those the script only expands (`$X`, `${X}`, `${X:-d}`), never
 * assigns (`X=`, `read X`, `export X=`, `unset X`, `${X:=d}`, `for X in`); none when it runs `eval` or assigns
 * names it builds at run time.
 */
function testEnvOf(source: string, env: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  // `eval`, or an assignment to a name built at run time (`export "$var=$val"`, `printf -v "$name"`), may set any of them
  // (an eval in a command substitution, `$(eval echo "~$USER")`, sets nothing in this shell)
  if (!env || /(?<!\$\(\s*|`\s*)\beval\b|\b(export|declare|typeset|readonly|local)\s+(-\w+\s+)*["']?\$|\bprintf\s+-v\s*["']?\$/.test(source)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    // a value that still holds an expansion was not resolved (a Dockerfile ARG with no default keeps its text)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || !source.includes(k) || /[$`]/.test(v)) continue;
    if (onlyExpanded(source, k)) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Every mention of `name` in the script (but the one at `except`) expands it (`$X`, `${X}`, `${X:-d}`): none assigns it
 * (`X=`, `read X`, `for X in`, `unset X`, `${X:=d}`).
 */
function onlyExpanded(source: string, name: string, except?: number): boolean {
  for (const m of source.matchAll(new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`, 'g'))) {
    if (m.index === except) continue;
    const before = source.slice(Math.max(0, m.index - 2), m.index);
    const after = source.slice(m.index + name.length, m.index + name.length + 2);
    if (!(before.endsWith('$') || (before === '${' && !/^:?=/.test(after)))) return false;
  }
  return true;
}

/**
 * Variables the script sets once from its own parameters, at the top level, before any `shift` or `set --`
 * (`COMMAND_ARG1="$1"`, `MODE=${1:-serve}`) and otherwise only expands: with the parameters known, their values,
 * so that `[ "$COMMAND_ARG1" = wallabag ]` is decided as `[ "$1" = wallabag ]` is.
 */
function positionalAliases(source: string, args: readonly string[] | undefined): Record<string, string> | undefined {
  if (!args || /\beval\b/.test(source)) return undefined;
  const out: Record<string, string> = {};
  for (const m of source.matchAll(/^((?:export\s+|readonly\s+)?)([A-Za-z_][A-Za-z0-9_]*)=(["']?)\$(?:(\d)|\{(\d)(?::-([^}$`"'\\]*))?\})\3[ \t]*(?:#.*)?$/gm)) {
    const name = m[2] as string;
    const at = m.index + (m[1] as string).length;
    if (/\b(shift|set\s+--)\b/.test(source.slice(0, m.index))) continue;
    // every other mention of the name expands it: no second assignment, read, for, local, unset or ${X:=}
    if (!onlyExpanded(source, name, at)) continue;
    const v = args[Number(m[4] ?? m[5]) - 1] ?? '';
    out[name] = v === '' && m[6] !== undefined ? m[6] : v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The end that decides: one that keeps the shell in front of the service, else the first exec. */
function decidingEnd(ends: readonly ShellEnd[]): ShellEnd | undefined {
  const pool = steadyEnds(ends);
  return pool.find((e) => e.kind !== 'exec') ?? pool[0];
}

/**
 * The ends a stop meets: where the script runs its service (exec, the end of the script, a loop, a wait).
 * Paths that give up (`log "error"; exit 1`) end the container by themselves, and count only when there is
 * nothing else.
 */
export function steadyEnds(ends: readonly ShellEnd[]): readonly ShellEnd[] {
  const steady = ends.filter((e) => !e.aborts);
  return steady.length ? steady : ends;
}

/**
 * Analyses already made, by everything they depend on. A repository repeats itself: docker-library's images
 * COPY the same entrypoint script into every variant's Dockerfile, and compose files and manifests run the
 * same command strings; the analysis is a pure function of its inputs, so each is made once. Results are
 * frozen (shared by every caller). Bounded: the oldest half goes when it is full.
 */
const analyses = new Map<string, ShellAnalysis>();
const MAX_ANALYSES = 4096;

function deepFreeze<T>(o: T, seen = new Set<object>()): T {
  if (o && typeof o === 'object' && !seen.has(o)) {
    seen.add(o);
    for (const v of Object.values(o)) deepFreeze(v, seen);
    Object.freeze(o);
  }
  return o;
}

/**
 * `env` with the script's own directory (SELF_DIR), and the variables the script sets to it once
 * (`DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"`, `ROOT=$(dirname "$0")/..`): their words are then literal.
 */
function withSelfDir(root: Node, source: string, self: string, env: AnalyzeOptions['env']): Readonly<Record<string, string>> {
  const out: Record<string, string> = { ...env, [SELF_DIR]: path.posix.dirname(self) };
  if (!/dirname|\$\{0%/.test(source)) return out;
  for (const a of root.descendantsOfType('variable_assignment')) {
    const name = a?.childForFieldName('name');
    const value = a?.childForFieldName('value');
    if (!name || !value || name.text in out || !/dirname|\$\{0%/.test(value.text)) continue;
    const v = literalOf(value, out);
    // (only where every other mention of the name expands it: assigned twice, or by `read`/`for`, it stays unknown)
    if (v !== undefined && onlyExpanded(source, name.text, name.startIndex)) out[name.text] = path.posix.normalize(v);
  }
  return out;
}

/** Analyse a shell command string or script as `family` would run it (the result is shared: never mutate it). */
export function analyzeShell(source: string, family: ShellFamily, opts: AnalyzeOptions = {}): ShellAnalysis {
  // only the variables the text names can change its analysis (an image's ENV differs between variants)
  const env = opts.env ? Object.entries(opts.env).filter(([k]) => source.includes(k)) : [];
  const sourced = opts.sourcedRead ? `${[...opts.sourcedRead.paths].join('|')}:${[...opts.sourcedRead.assigns].join('|')}:${[...(opts.sourcedRead.quiet ?? [])].join('|')}` : '';
  // the script's own path matters only where the text names it ($0, ${0%/*}, BASH_SOURCE)
  const self = opts.self !== undefined && /\$\{?0|BASH_SOURCE/.test(source) ? opts.self : undefined;
  const key = `${self ?? ''}\0${family}\0${opts.mode ?? 'command'}\0${opts.errexit ? 1 : 0}${opts.envDecides ? 1 : 0}${opts.stdinClosed ? 1 : 0}${opts.bashLevel ?? ''}\0${opts.args ? JSON.stringify(opts.args) : ''}\0${JSON.stringify(env)}\0${sourced}\0${source}`;
  const have = analyses.get(key);
  if (have) return have;
  const made = deepFreeze(analyzeShellOnce(source, family, { ...opts, self }));
  if (analyses.size >= MAX_ANALYSES) for (const k of [...analyses.keys()].slice(0, MAX_ANALYSES / 2)) analyses.delete(k);
  analyses.set(key, made);
  return made;
}

function analyzeShellOnce(source: string, family: ShellFamily, opts: AnalyzeOptions): ShellAnalysis {
  const mode = opts.mode ?? 'command';
  const lease = leaseTree(source, family);
  if (!lease) throw new Error('shell parser returned no tree');
  const tree = lease.tree;
  try {
    const root = tree.rootNode;
    const functions = new Map<string, Node>();
    if (source.includes('(') || source.includes('function')) functionsOf(root, functions);
    // A walk of every node costs more than the parse: look for traps only where the word is.
    const traps = source.includes('trap') ? collectTraps(root, source, functions) : [];
    const statements = statementsOf(root);
    const analysis: ShellAnalysis = { family, source, mode, ends: [], execArgs: false, traps, errexit: opts.errexit ?? false, errors: errorsOf(root, source), sourced: [] };
    for (const s of statements) {
      const c = unwrap(s.node);
      if (c.type === 'command' && firstWord(c) === 'set') {
        const w = wordsOf(c);
        if (w.slice(1).some((x) => /^-[a-zA-Z]*e/.test(x.literal ?? ''))) analysis.errexit = true;
        if (w.slice(1).some((x, i) => x.literal === '-o' && w[i + 2]?.literal === 'errexit')) analysis.errexit = true;
      }
    }
    if (mode === 'command') {
      const plain = plainOf(
        root,
        statements.filter((s) => !s.background).map((s) => s.node),
      );
      if (plain && statements.length === 1) analysis.plain = plain;
    }
    const wordEnv = opts.self ? withSelfDir(root, source, opts.self, opts.env) : opts.env;
    const walk = (
      testEnv: Readonly<Record<string, string>> | undefined,
      args: readonly string[] | undefined,
    ): { sourced: Walker['sourced']; polled: Walker['polled']; passed: Walker['passed']; testEnv: typeof testEnv; ends: ShellEnd[] } => {
      const walker = new Walker(
        source,
        family,
        mode,
        wordEnv,
        traps.some((t) => !t.resets),
        testEnv,
        opts.stdinClosed === true,
        opts.bashLevel,
      );
      for (const [k, v] of functions) walker.functions.set(k, v);
      if (opts.sourcedRead?.quiet) walker.quietFunctions = opts.sourcedRead.quiet;
      if (/\bexec\b/.test(source)) for (const [k, v] of execVariablesOf(root)) walker.execVariables.set(k, v);
      const flow = walker.list(statements, [new Path(undefined, undefined, undefined, 0, false, undefined, undefined, args, undefined)], {
        top: true,
        tail: true,
        nested: false,
        guarded: false,
        subshell: false,
        onFailure: false,
      });
      // Paths that run off the end of the script: the shell waited for their service (or job), then exits.
      return {
        sourced: walker.sourced,
        polled: walker.polled,
        passed: walker.passed,
        testEnv,
        ends: dedupe([...flow.ends, ...[...flow.open, ...flow.returned].flatMap(endOf)]).map(shellEnd),
      };
    };
    const read = opts.sourcedRead;
    const testEnvAll = opts.envDecides ? testEnvOf(source, opts.env) : undefined;
    const testEnv = testEnvAll && read ? Object.fromEntries(Object.entries(testEnvAll).filter(([k]) => !read.assigns.has(k))) : testEnvAll;
    // (parameters the script copies into variables decide their tests as the parameters do)
    const aliases = positionalAliases(source, opts.args);
    const withAliases = (env: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined => (aliases ? { ...env, ...aliases } : env);
    let walked = walk(withAliases(testEnv && Object.keys(testEnv).length ? testEnv : undefined), opts.args);
    // The environment decides nothing when every path it leaves gives up: such a value is a placeholder to
    // replace (`ENV S3_BUCKET **None**`, then `[ "$S3_BUCKET" = "**None**" ] && exit 1`); nor when a sourced
    // file, which may assign the variable, runs.
    // (a sourced file the launch model read, and whose assignments it weighed, does not count)
    const unread = walked.sourced.some((f) => f.path === undefined || !read?.paths.has(f.path));
    if (testEnv && (unread || !walked.ends.some((e) => !e.aborts))) walked = walk(aliases, opts.args);
    analysis.sourced = walked.sourced;
    // the walk so far took every path when neither parameters nor the environment pruned any
    const walkedAll = opts.args === undefined && walked.testEnv === undefined;
    analysis.ends = withoutPassed(walked, () => (walkedAll ? walked.passed : walk(undefined, undefined).passed));
    // where each path's command runs, when a cd comes first (relative programs and scripts are read from there)
    if (mayChangeDir(source))
      for (const e of analysis.ends) {
        const cwd = cwdAt(root, e.command.start, e.command.end, wordEnv, functions);
        if (cwd !== undefined) e.command.cwd = cwd;
      }
    const end = decidingEnd(analysis.ends);
    if (end) {
      analysis.end = end;
      // For a background job the shell waits for, findings point at the `wait`.
      analysis.final = end.kind === 'wait' ? (end.lastWait ?? end.command) : end.command;
      if (end.kind === 'exec' && end.command.words.length === 1 && isAllArgs(end.command.words[0]?.text ?? '')) analysis.execArgs = true;
      if (end.kind === 'wait') analysis.wait = { job: end.command, waits: end.waits ?? 1, guarded: end.guarded ?? false, ...(walked.polled.has(end.command.start) ? { polled: true } : {}) };
    }
    return analysis;
  } finally {
    lease.release();
  }
}

/**
 * A path that ends on a command another path runs and then goes past to `exec` its service (Walker.passed) ends by
 * itself: the script's own design has that command return (flink's `CMD ["help"]` runs the config step every
 * server path runs, prints its usage and exits 0). Commands passed on paths the known parameters ruled out count too:
 * `allPassed` walks every path, only when needed.
 */
function withoutPassed(walked: { passed: ReadonlySet<number>; ends: ShellEnd[] }, allPassed: () => ReadonlySet<number>): ShellEnd[] {
  const foreground = walked.ends.filter((e) => e.kind === 'foreground');
  if (!foreground.length) return walked.ends;
  let passed = walked.passed;
  if (foreground.some((e) => !passed.has(e.command.start))) passed = new Set([...passed, ...allPassed()]);
  if (!foreground.some((e) => passed.has(e.command.start))) return walked.ends;
  return walked.ends.filter((e) => e.kind !== 'foreground' || !passed.has(e.command.start));
}

/**
 * The argv of a string that is one plain command: a single simple command whose words are all literal
 * (quotes allowed), with no expansion, glob, tilde, redirection, assignment, list or builtin. Only then
 * does the exec (JSON) form run exactly what `sh -c STRING` would.
 */
export function plainArgv(source: string): string[] | undefined {
  return parsed(source, (root) =>
    plainOf(
      root,
      statementsOf(root)
        .filter((s) => !s.background)
        .map((s) => s.node),
    ),
  );
}

/**
 * What a sourced file does that changes a stop: `exec` (it may end the script there) before `trap` (it may catch the
 * signal while the shell stays PID 1); 'none' when neither; undefined without the parser.
 */
export function trapOrExecIn(text: string): 'exec' | 'trap' | 'none' | undefined {
  if (!shellParserReady()) return undefined;
  // (a launch asks about the same library for every path and service: once per text)
  const have = trapsOrExecs.get(text);
  if (have) return have;
  const found = /\b(?:exec|trap)\b/.test(text)
    ? parsed(text, (root) => {
        let trap = false;
        // one search in the tree (descendantsOfType) rather than a walk of every node from JS
        for (const n of root.descendantsOfType('command')) {
          const w = n ? firstWord(n) : undefined;
          if (w === 'exec') return 'exec';
          if (w === 'trap') trap = true;
        }
        return trap ? 'trap' : 'none';
      })
    : 'none';
  if (found === undefined) return undefined;
  if (trapsOrExecs.size >= 1024) trapsOrExecs.clear();
  trapsOrExecs.set(text, found);
  return found;
}
const trapsOrExecs = new Map<string, 'exec' | 'trap' | 'none'>();

/** Does an argv word stand for the script's arguments (`"$@"`)? */
export { isAllArgs };

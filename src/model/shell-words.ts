/**
 * Reading shell syntax trees (tree-sitter-bash): the words of a command, which of them are literal
 * (known before the shell runs), and where things are. Pure functions over parsed nodes; the parser and
 * the analysis live in shell.ts.
 */
import type { Node } from 'web-tree-sitter';
import { cliWeight } from './cli-weights.js';

/** A word of a command: its literal value when it has no expansion, else undefined; plus its source text. */
export interface Word {
  text: string;
  literal?: string;
  start: number;
  end: number;
}

/** Shell builtins and keywords: `exec` cannot run them, and the exec form cannot either. */
export const BUILTINS = new Set([
  'cd',
  'export',
  'set',
  'unset',
  'source',
  '.',
  'eval',
  'exit',
  'return',
  'trap',
  'wait',
  ':',
  'shift',
  'ulimit',
  'umask',
  'alias',
  'local',
  'readonly',
  'declare',
  'typeset',
  'read',
  'break',
  'continue',
  'exec',
  'times',
  'hash',
  'type',
  'command',
  'builtin',
  'jobs',
  'fg',
  'bg',
  'let',
  'if',
  'then',
  'else',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'function',
  '{',
  '}',
  '!',
  '[[',
  'select',
  'coproc',
  'time',
]);

/**
 * Commands that finish at once and never serve: after the service they only keep the shell waiting
 * (`server; echo done`), before it they are set-up. Builtins, and programs that print, test or look.
 */
/** Encoders and digests: like cat, they read their files or, with none, their input until it ends. */
const DIGESTS = ['base64', 'base32', 'md5sum', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'b2sum', 'cksum'];

const INSTANT = new Set([
  'echo',
  'printf',
  'true',
  'false',
  ':',
  'test',
  '[',
  'cd',
  'export',
  'set',
  'unset',
  'shift',
  'umask',
  'ulimit',
  'trap',
  'local',
  'readonly',
  'declare',
  'typeset',
  'alias',
  'hash',
  'type',
  'command',
  'let',
  'kill',
  'read',
  'getopts',
  'pwd',
  'mkdir',
  'ln',
  'touch',
  'logger',
  'date',
  'id',
  'whoami',
  'basename',
  'dirname',
  'readlink',
  'realpath',
  'stat',
  'env',
  'ls',
  'wc',
  'cat',
  'head',
  'tail',
  'sed',
  'awk',
  'grep',
  'envsubst',
  'tr',
  'cut',
  'sort',
  'uniq',
  'tee',
  // encoders and digests of their input or named files (coreutils base64(1), md5sum(1), sha256sum(1)): they end with it
  ...DIGESTS,
  'setcap',
  // mount(8) returns once the filesystem is mounted (a FUSE helper daemonizes); sysctl(8) writes and returns
  'mount',
  'umount',
  'sysctl',
  // Network set-up: each writes the kernel's tables or an interface and returns (iptables(8), ip(8), wg(8),
  // wg-quick(8) `up`/`down`); `ip monitor` and `ip -batch -` are the exceptions (commandWeight).
  'iptables',
  'ip6tables',
  'iptables-restore',
  'ip6tables-restore',
  'iptables-save',
  'ip6tables-save',
  'iptables-legacy',
  'iptables-nft',
  'nft',
  'ip',
  'ifconfig',
  'route',
  'tc',
  'ethtool',
  'modprobe',
  'wg',
  'wg-quick',
  'update-ca-certificates',
  'usermod',
  'groupmod',
  'useradd',
  'groupadd',
  'addgroup',
  'adduser',
  // terminal and environment queries: tput(1) prints a terminfo capability (`tput setaf 1` in a usage message), clear(1)
  // its clear sequence, printenv(1) the environment; each ends at once
  'tput',
  'clear',
  'printenv',
  'hostname',
  'uname',
  'nproc',
  'which',
  // bash builtins
  'shopt',
  'help',
  'mapfile',
  'readarray',
  'compgen',
  'complete',
  'dirs',
  'pushd',
  'popd',
  'caller',
  'enable',
  'disown',
  'history',
  'source',
  '.',
  'unalias',
  'break',
  'continue',
  'times',
  'bind',
  'eval',
]);

/**
 * Commands that do a finite piece of work (copy, tidy, fix permissions): after the service they are its
 * tidy-up; but when a path runs nothing else, the work is what the container runs for (a one-shot step).
 */
const WORK = new Set(['cp', 'mv', 'rm', 'chown', 'chmod', 'chgrp', 'find', 'xargs', 'install', 'sync', 'rsync', 'tar', 'gzip', 'gunzip', 'unzip']);

/** A `sleep` this short is a pause in a script, not what the container runs for (Docker's grace is 10 s). */
const SHORT_SLEEP_SECONDS = 10;

/**
 * What a command is to the script around it: `instant` (returns at once, or pauses briefly), `work` (a
 * finite task), or false (it may run for as long as the container: a service). `input`: the command reads
 * a heredoc or a file given with `<` (then `cat` and `tee` return).
 */
export function commandWeight(name: string, args: readonly Word[], input = false): 'instant' | 'work' | false {
  if (name === 'sleep') {
    const secs = Number.parseFloat(args[0]?.literal ?? 'NaN');
    return args.length === 1 && /^\d+(\.\d+)?s?$/.test(args[0]?.literal ?? '') && secs < SHORT_SLEEP_SECONDS ? 'instant' : false;
  }
  if (name === 'find' && listingFind(args)) return 'instant';
  if (/(^|\/)ab$/.test(name)) return benchRunWeight(args);
  const client = clientWeight(name.slice(name.lastIndexOf('/') + 1), args);
  if (client) return client;
  const cli = cliWeight(name, args);
  if (cli) return cli;
  // sshd detaches into the background and its first process returns at once unless -D, -d or -i (sshd(8)).
  if (/(^|\/)sshd$/.test(name)) return args.every((a) => a.literal !== undefined && !/^-[a-zA-Z]*[Ddi]/.test(a.literal)) ? 'instant' : false;
  // ssh-keygen with its file named (-f) or host keys (-A) makes, converts (-e, -i) or prints a key and ends; without
  // -f it asks for a file name on its input (ssh-keygen(1))
  if (name === 'ssh-keygen') return args.some((a) => a.literal === '-f' || a.literal === '-A' || /^-[a-zA-Z]*f./.test(a.literal ?? '')) ? 'instant' : false;
  // chmod/chown/chgrp of named files, not a tree (-R): a metadata change per file, done at once; so is rm of named
  // files (-r, -R removes a tree): an unlink each
  if (/^(chmod|chown|chgrp)$/.test(name) && !args.some((a) => /^-[a-zA-Z]*R|^--recursive$/.test(a.literal ?? a.text))) return 'instant';
  if (name === 'rm' && !args.some((a) => /^-[a-zA-Z]*[rR]|^--recursive$/.test(a.literal ?? a.text))) return 'instant';
  // cp/mv of named files, not a tree (-r, -R, -a): a copy or a rename each, seconds at most (helm's mongodb-replicaset
  // install step: `mkdir -p "$DIR"; cp /peer-finder "$DIR"/`); one from standard input or a device waits (`cp /dev/stdin f`)
  if ((name === 'cp' || name === 'mv') && !args.some((a) => /^-[a-zA-Z]*[rRa]|^--(recursive|archive)$|^-$|^\/dev\//.test(a.literal ?? a.text))) return 'instant';
  if (WORK.has(name)) return 'work';
  if (!INSTANT.has(name)) return false;
  // `tail -f`, `cat`/`tee` on their input, `env CMD`: they do not return (or run another program).
  if (name === 'tail' && args.some((a) => /^-[a-zA-Z]*[fF]/.test(a.literal ?? '') || (a.literal ?? '').startsWith('--follow'))) return false;
  if ((name === 'cat' || name === 'tee' || DIGESTS.includes(name)) && args.filter((a) => !(a.literal ?? '').startsWith('-')).length === 0 && !input) return false;
  if (name === 'env' && args.some((a) => !(a.literal ?? '').includes('=') && !(a.literal ?? '').startsWith('-'))) return false;
  if (name === 'ip' && args.some((a) => a.literal === 'monitor' || a.literal === '-batch' || a.literal === '-b')) return false;
  return 'instant';
}

/** redis-cli commands that stream until stopped (MONITOR, the SUBSCRIBE family, a replica's SYNC). */
const REDIS_STREAMS = /^(monitor|subscribe|psubscribe|ssubscribe|sync|psync)$/i;

/**
 * Database and web-server clients in set-up steps, each one request and done: `mongosh --eval EXPR` evaluates it and
 * exits (unless `--shell`); `redis-cli`/`valkey-cli CMD ...` sends one command and prints the reply (`--cluster create`
 * too), except the commands that stream and the options that repeat or watch (-r, -i, --stat, --latency*, --pipe);
 * `htpasswd` writes or prints one entry. Without their command they read stdin (a prompt): not decided here.
 */
function clientWeight(name: string, args: readonly Word[]): 'instant' | 'work' | undefined {
  const lits = args.map((a) => a.literal ?? a.text);
  // words the shell splits at run time (`curl "$@"`, `curl $OPTS URL`) may be any options: not decided here (a URL
  // built around a variable, `$1/roles/x`, stays one request)
  if ((name === 'curl' || name === 'wget') && !args.some((a) => a.literal === undefined && (/\$\{?[@*]|\[[@*]\]/.test(a.text) || /^\$\{?\w+\}?$/.test(a.text)))) return transferWeight(name, lits);
  if (name === 'mongosh' || name === 'mongo') return lits.includes('--eval') && !lits.includes('--shell') ? 'instant' : undefined;
  if (name === 'htpasswd') return 'instant';
  if (name === 'redis-cli' || name === 'valkey-cli' || name === 'keydb-cli') {
    if (lits.some((a) => /^(-r|-i|--stat|--pipe|--latency.*|--bigkeys|--memkeys|--hotkeys|--scan|--rdb|--replica|--slave)$/.test(a) || REDIS_STREAMS.test(a))) return undefined;
    if (lits.includes('--cluster')) return 'instant';
    // the command is the first word that is neither an option nor an option's value (`-h host -p 6379 PING`)
    for (let i = 0; i < lits.length; i++) {
      const a = lits[i] as string;
      if (/^-[hpanu]$|^--(user|pass|tls-[a-z-]+|cacert|cert|key)$/.test(a)) i++;
      else if (!a.startsWith('-')) return 'instant';
    }
  }
  return undefined;
}

/**
 * One HTTP request (`curl -f http://site:8080/api/method/ping`, a readiness probe or an API call in a set-up step):
 * it prints the reply and ends. Writing a file is a download, a finite task of unknown length; retries
 * (`--retry`, wget's default 20 tries), streaming (`-N`), a recursive fetch or a request read from a file may run for
 * long: left to the script around them.
 */
function transferWeight(name: 'curl' | 'wget', lits: readonly string[]): 'instant' | 'work' | undefined {
  if (name === 'curl') {
    if (lits.some((a) => /^--retry|^-N$|^--no-buffer$|^-K$|^--config$|^--keepalive|^-T$|^--upload-file$/.test(a))) return undefined;
    return lits.some((a) => /^-[a-zA-Z]*[oO]|^--output$|^--remote-name/.test(a)) ? 'work' : 'instant';
  }
  if (lits.some((a) => /^-[a-zA-Z]*[rm]$|^--recursive$|^--mirror$|^-i$|^--input-file|^--tries/.test(a))) return undefined;
  // wget writes a file unless told to print (`-O -`, `-qO-`) or only to look (`--spider`)
  const prints = lits.some((a, i) => /^-[a-zA-Z]*O-$|^--output-document=-$|^--spider$/.test(a) || (/^-[a-zA-Z]*O$|^--output-document$/.test(a) && lits[i + 1] === '-'));
  return prints ? 'instant' : 'work';
}

/** An ApacheBench run of this many requests or fewer, against a service nearby, ends within seconds. */
const SHORT_BENCH_REQUESTS = 10_000;

/**
 * `ab -n 100 -c 10 URL`: ApacheBench performs its -n requests (one when not given) and ends; -t caps the run at
 * that many seconds (ab(1)). A short run is a one-shot of seconds; `-n 1000000000` or `-t 600` may outlast the grace.
 */
function benchRunWeight(args: readonly Word[]): 'instant' | false {
  let requests = 1;
  let seconds: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]?.literal;
    if (a === undefined) continue;
    const m = /^-([nt])(\d*)$/.exec(a);
    if (!m) continue;
    const raw = m[2] || args[++i]?.literal;
    // a count or time built at run time (`-n "$N"`): how long it runs is not known
    if (raw === undefined || !/^\d+$/.test(raw)) return false;
    if (m[1] === 'n') requests = Number(raw);
    else seconds = Number(raw);
  }
  if (seconds !== undefined) return seconds < SHORT_SLEEP_SECONDS ? 'instant' : false;
  return requests <= SHORT_BENCH_REQUESTS ? 'instant' : false;
}

/** `find` actions that do more than print (run a program, delete, write files). */
const FIND_ACTIONS = /^-(exec|execdir|ok|okdir|delete|fprint|fprint0|fprintf|fls)$/;

/**
 * `find DIR -maxdepth N ...` that only prints: a depth-bounded listing of a few directories ends within
 * seconds (findutils find(1): -maxdepth limits the descent; without an action it only prints).
 */
function listingFind(args: readonly Word[]): boolean {
  return args.some((a) => a.literal === '-maxdepth') && !args.some((a) => FIND_ACTIONS.test(a.literal ?? a.text));
}

/** Programs that print what they are given or something of the image's, and end without reading their input. */
const LISTERS = new Set(['ls', 'echo', 'printf', 'basename', 'dirname', 'date', 'id', 'whoami', 'uname', 'hostname', 'pwd', 'stat', 'readlink', 'realpath', 'nproc', 'which', 'true']);

/** Text filters: they read the pipe (or the files named), print, and end when their input ends. */
const FILTERS = new Set([
  'grep',
  'egrep',
  'fgrep',
  'sed',
  'awk',
  'gawk',
  'mawk',
  'sort',
  'uniq',
  'wc',
  'tr',
  'cut',
  'head',
  'tail',
  'column',
  'cat',
  'tee',
  'paste',
  'nl',
  'rev',
  'tac',
  'fold',
  'fmt',
  ...DIGESTS,
]);

/** xargs options that take the next word as their value (findutils xargs(1)). */
const XARGS_VALUED = new Set([
  '-n',
  '-I',
  '-i',
  '-d',
  '-P',
  '-L',
  '-l',
  '-s',
  '-a',
  '-E',
  '-e',
  '--delimiter',
  '--max-args',
  '--max-procs',
  '--max-lines',
  '--max-chars',
  '--arg-file',
  '--eof',
  '--replace',
]);

/** `xargs [OPTIONS] CMD ...` whose CMD only prints (`xargs -n1 basename`; plain `xargs` runs echo). */
function xargsPrints(args: readonly Word[]): boolean {
  let i = 0;
  while (i < args.length) {
    const w = args[i]?.literal;
    if (w === undefined) return false;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-')) break;
    i += XARGS_VALUED.has(w) ? 2 : 1;
  }
  const cmd = args[i];
  if (!cmd) return true;
  const name = cmd.literal;
  return name !== undefined && (LISTERS.has(name) || (FILTERS.has(name) && name !== 'tee'));
}

/**
 * One command of a pipeline that only lists: the first prints without reading its input (ls, echo, a
 * bounded `find`, `cat FILE`, or a filter fed from a file or heredoc); the others are text filters or an
 * `xargs` that only prints. Never `tail -f`, `cat` of its input, or anything that may serve.
 */
export function listsInPipeline(name: string, args: readonly Word[], first: boolean, input: boolean): boolean {
  if (commandWeight(name, args, input || !first) === false) return false;
  if (name === 'find') return first && listingFind(args);
  if (name === 'xargs') return !first && xargsPrints(args);
  if (LISTERS.has(name)) return true;
  if (!FILTERS.has(name)) return false;
  if (!first || input) return true;
  // The first command reads no pipe: `cat FILE` (commandWeight checked its operands); a filter with no input would read stdin.
  // Not a device or /proc/kmsg, which may never end (`cat /dev/zero | grep x`); /dev/null ends at once.
  return name === 'cat' && !args.some((a) => /^\/dev\/(?!null$)|^\/proc\/kmsg$/.test(a.literal ?? ''));
}

/** A command that returns at once or does a finite piece of work. */
export function isQuick(name: string, args: readonly Word[], input = false): boolean {
  return commandWeight(name, args, input) !== false;
}

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

/** `$0`, `${BASH_SOURCE[0]}` and their kin: the path the script was started as. */
const SELF_PATH = String.raw`"?\$(?:0|\{0\}|BASH_SOURCE|\{BASH_SOURCE(?:\[0\])?\})"?`;
/** The same through `readlink -f` or `realpath`: the script's path with its symlinks resolved. */
const SELF_RESOLVED = String.raw`"?\$\((?:readlink\s+-f|realpath)\s+${SELF_PATH}\)"?`;
/** `$(dirname SELF)`, as a pattern. */
const dirnameOf = (self: string): string => String.raw`\$\(\s*dirname\s+(?:${self})\s*\)`;
const selfDirPattern = (self: string): RegExp => {
  const dirname = dirnameOf(self);
  return new RegExp(String.raw`^(?:${dirname}|\$\(\s*cd\s+(?:--\s+)?"?${dirname}"?\s*(?:&?>\s*/dev/null\s*)?(?:&&|;)\s*pwd(?:\s+-P)?\s*\))$`);
};
/** `$(dirname "$0")`, `$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)` and their kin, symlinks resolved or not: the script's directory. */
export const DIRNAME_OF_SELF = selfDirPattern(`${SELF_PATH}|${SELF_RESOLVED}`);
/**
 * `$(cd $(dirname $0); cd ..; pwd)` (IBM's cloud-native-starter scripts): a directory above the script's; group 1 is the
 * `..` steps.
 */
export const DIRNAME_OF_SELF_UP = new RegExp(String.raw`^\$\(\s*cd\s+"?${dirnameOf(`${SELF_PATH}|${SELF_RESOLVED}`)}"?\s*(?:;|&&)\s*cd\s+"?((?:\.\.)(?:/\.\.)*)/?"?\s*(?:;|&&)\s*pwd(?:\s+-P)?\s*\)$`);
/**
 * Only the forms that keep the path as it was started: pid1 knows that path, not whether it is a symlink (webdevops'
 * `/entrypoint` links to `/opt/docker/bin/entrypoint.sh`), so `readlink -f "$0"` stays unknown.
 */
const DIRNAME_OF_SELF_AS_STARTED = selfDirPattern(SELF_PATH);
/**
 * The key of an `env` entry that holds the script's own directory, when the launch model knows the path it runs as
 * (`ENTRYPOINT ["/image/scripts/start"]`): `$(dirname "$0")` and `${0%/*}` are that directory. Not a variable name,
 * so no test or message takes it for one.
 */
export const SELF_DIR = '\0selfdir';

/** A word that names the script's own directory (`"$(dirname "$0")"`, `${0%/*}`), when `env` knows it. */
function selfDirOf(n: Node, env: Readonly<Record<string, string>> | undefined): string | undefined {
  const dir = env?.[SELF_DIR];
  if (dir === undefined) return undefined;
  if (n.type === 'command_substitution') return DIRNAME_OF_SELF_AS_STARTED.test(n.text) ? dir : undefined;
  // ${0%/*}: $0 without its last slash and what follows (POSIX 2.6.2 smallest suffix pattern); $0 holds a slash here
  if (n.type === 'expansion') return n.text === '${0%/*}' ? dir : undefined;
  return undefined;
}

export function literalOf(n: Node, env?: Readonly<Record<string, string>>): string | undefined {
  switch (n.type) {
    case 'word':
    case 'number': {
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
        else if (selfDirOf(c, env) !== undefined) out += selfDirOf(c, env);
        else if (env && variableOf(c) !== undefined && env[variableOf(c) as string] !== undefined) out += env[variableOf(c) as string];
        else return undefined;
      }
      return out;
    }
    case 'command_substitution':
      // (a directory path: one field, whether quoted or not)
      return selfDirOf(n, env);
    case 'simple_expansion':
    case 'expansion': {
      const self = selfDirOf(n, env);
      if (self !== undefined) return self;
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

/**
 * A word that is only a PATH lookup of a program, `$(which nginx)` or `` `command -v nginx` ``: that program (the path
 * the lookup prints names it; mtdcy's `exec $(which nginx) -g "daemon off;"`).
 */
function lookedUp(n: Node): string | undefined {
  if (n.type !== 'command_substitution') return undefined;
  return /^(?:\$\(|`)\s*(?:which|command\s+-v|type\s+-P)\s+([A-Za-z0-9_.+-]+)\s*(?:\)|`)$/.exec(n.text)?.[1];
}

export function wordsOf(cmd: Node, env?: Readonly<Record<string, string>>): Word[] {
  const words: Word[] = [];
  for (let i = 0; i < cmd.namedChildCount; i++) {
    const c = cmd.namedChild(i);
    if (!c || SKIP_IN_WORDS.has(c.type)) continue;
    const node = c.type === 'command_name' ? (c.namedChild(0) ?? c) : c;
    const lit = literalOf(node, env) ?? lookedUp(node);
    words.push({ text: node.text, ...(lit !== undefined ? { literal: lit } : {}), start: node.startIndex, end: node.endIndex });
  }
  return words;
}

export function hasAssignments(cmd: Node): boolean {
  return cmd.namedChild(0)?.type === 'variable_assignment';
}

/** The statement reads its input from a heredoc, a here-string or a file (`cat > f << EOF`, `tee x < in`). */
export function readsInput(n: Node): boolean {
  if (n.type !== 'redirected_statement') return false;
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (!c) continue;
    if (c.type === 'heredoc_redirect' || c.type === 'herestring_redirect') return true;
    if (c.type === 'file_redirect' && /^\d*</.test(c.text) && !/^\d*<>/.test(c.text)) return true;
  }
  return false;
}

/** Unwrap `cmd >log` (redirected_statement) to the command itself. */
export function unwrap(n: Node): Node {
  let cur = n;
  while (cur.type === 'redirected_statement') {
    const body = cur.childForFieldName('body');
    if (!body) break;
    cur = body;
  }
  return cur;
}

/** Offsets of the newlines of the last source asked about: a walk asks for many positions in one script. */
let lineBreaks: { source: string; at: number[] } | undefined;

/** 1-based line and column of an offset. */
export function positionOf(source: string, index: number): { line: number; column: number } {
  if (lineBreaks?.source !== source) {
    const at: number[] = [];
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) at.push(i);
    lineBreaks = { source, at };
  }
  // the number of newlines before the offset (binary search)
  const at = lineBreaks.at;
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((at[mid] as number) < index) lo = mid + 1;
    else hi = mid;
  }
  return { line: lo + 1, column: index - (lo > 0 ? (at[lo - 1] as number) : -1) };
}

export function firstWord(cmd: Node): string | undefined {
  const name = cmd.childForFieldName('name');
  return name ? literalOf(name.namedChild(0) ?? name) : undefined;
}

/** `"$@"`, `$@`, `"${@}"`: the script's (or `-c` string's) arguments. */
export function isAllArgs(text: string): boolean {
  return /^"?\$(\{@\}|@)"?$/.test(text);
}

/** `"$0"`, `$BASH_SOURCE`, `"${BASH_SOURCE[0]}"`: the script itself (official images re-exec themselves under another user). */
export function isSelf(text: string): boolean {
  return /^"?\$(0|\{0\}|BASH_SOURCE|\{BASH_SOURCE(\[0\])?\})"?$/.test(text);
}

/**
 * The argv of a string that is one plain command: a single simple command whose words are all literal
 * (quotes allowed), with no expansion, glob, tilde, redirection, assignment, list or builtin. Only then
 * does the exec (JSON) form run exactly what `sh -c STRING` would.
 */
export function plainOf(root: Node, statements: readonly Node[]): string[] | undefined {
  if (root.hasError) return undefined;
  if (statements.length !== 1) return undefined;
  const cmd = statements[0];
  if (cmd?.type !== 'command') return undefined;
  const argv: string[] = [];
  for (let i = 0; i < cmd.namedChildCount; i++) {
    const c = cmd.namedChild(i);
    if (!c) continue;
    if (c.type !== 'command_name' && !['word', 'string', 'raw_string', 'number', 'concatenation'].includes(c.type)) return undefined;
    const node = c.type === 'command_name' ? (c.namedChild(0) ?? c) : c;
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

/**
 * How long `sleep ARGS` takes: coreutils and busybox sleep add up their operands, each a number with an
 * optional s/m/h/d suffix (coreutils sleep(1)). Undefined for `infinity`, `$X` or anything else.
 */
export function boundedSeconds(args: readonly string[]): number | undefined {
  const unit: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  for (const a of args) {
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(a);
    if (!m) return undefined;
    total += Number.parseFloat(m[1] as string) * (unit[m[2] as string] as number);
  }
  return args.length ? total : undefined;
}

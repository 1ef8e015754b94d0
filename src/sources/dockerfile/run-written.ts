/**
 * Files a build writes with a shell heredoc, `cat > /etc/supervisor/conf.d/nginx.conf <<EOF ... EOF`, or with `echo` and
 * `printf` redirected into them a line at a time (`echo "#!/bin/sh" > $HOME/run.sh`, then `echo "apachectl -D FOREGROUND"
 * >> $HOME/run.sh` in a derived image, also from a base's ONBUILD RUN), or copies inside
 * the image, `cp -a /bd_build/bin/docker-init.sh /usr/local/sbin/` (phusion-style baseimages), in its RUN
 * instructions or in the build context's scripts they run (sameersbn's gitlab and redmine images write every
 * supervisord program from assets/build/install.sh). Read with the shell grammar (tree-sitter-bash: a heredoc's
 * body, its redirect target and quoting are the grammar's, not a pattern's). Only literal targets count: a path
 * built from variables is resolved with the stage's ENV (the shell model's literalOf), else skipped.
 */
import path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { shellParser, shellParserReady } from '../../model/shell.js';
import { literalOf, type Word, wordsOf } from '../../model/shell-words.js';
import { type RunOp, type Stage, STANDARD_DIRS } from './parse.js';

/** Scripts followed from the RUNs (each run once), and the bytes read from them: a bound for hostile trees. */
const MAX_SCRIPTS = 20;
const MAX_TEXT = 512 * 1024;

/** A shell or `source` that runs a script operand (`bash -e x.sh`, `. ./env.sh`). */
const RUNS_A_SCRIPT = /^(ba|da)?sh$|^ash$|^source$|^\.$/;

/**
 * A text that may write or copy a file: a heredoc, or `cp`, `mv`, `ln`, `install`, a path or a shell in command position (at the start
 * of a line or after `;`, `&&`, `|`, `(`, `then`, `do`, ..., past `VAR=value` prefixes). Texts without one are not parsed:
 * `apt-get update && apt-get install -y x` and `mkdir -p /opt/x` hold nothing this reader takes.
 */
const MAY_WRITE_OR_COPY =
  /<<|\b(?:echo|printf)\b[^\n]*>|(?:^|[;&|(`{!]|\b(?:then|do|else|sudo|exec|env))[ \t]*(?:\w+=\S*[ \t]+)*(?:cp|mv|ln|install|(?:ba|da)?sh|ash|source|\.|[^\s;&|()]*[/$][^\s;&|()]*)(?=[\s;&|)]|$)/m;

/** Commands that put a copy of a file at another path of the image (a move and a link read the same as a copy). */
const COPIERS = new Set(['cp', 'install', 'mv', 'ln']);

/** The script a command runs: its name when that is a path (`/build/setup.sh`), or a shell's script operand (`bash -e x.sh`). */
function scriptRun(command: Node, env: Readonly<Record<string, string>>): string | undefined {
  const words = wordsOf(command, env);
  const name = words[0]?.literal;
  if (name === undefined) return undefined;
  if (name.includes('/')) return name;
  if (!RUNS_A_SCRIPT.test(name)) return undefined;
  return words.slice(1).find((w) => !(w.literal ?? w.text).startsWith('-'))?.literal;
}

/**
 * A copy a RUN makes inside the image: `cp [-a|-r|-p] SRC DEST`, `install [-m MODE] SRC DEST`; also a move, `mv SRC DEST`,
 * and a link, `ln -sf SRC DEST`: reading DEST then reads what SRC held (izuolan's `mv /build/client.sh /run.sh`).
 */
export interface InImageCopy {
  from: string;
  to: string;
  /** DEST is a directory the source goes into (`/usr/local/sbin/`, several sources, a standard directory). */
  into: boolean;
}

/** Where an image file came from, when a RUN copied it there from another image path (undefined when none did). */
export function copiedFrom(copies: readonly InImageCopy[], p: string): string | undefined {
  for (let i = copies.length - 1; i >= 0; i--) {
    const c = copies[i] as InImageCopy;
    // `cp -a /x/. /y` copies the contents of /x into /y
    const contents = c.from.endsWith('/.');
    const from = contents ? c.from.slice(0, -2) : c.from;
    const target = c.into && !contents ? path.posix.join(c.to, path.posix.basename(from)) : c.to;
    if (p === target) return from;
    if (p.startsWith(`${target}/`)) return from + p.slice(target.length);
  }
  return undefined;
}

/** What the build makes in the image with its RUNs: files written with heredocs (image path -> text), and copies. */
export interface RunFiles {
  written: Map<string, string>;
  copies: InImageCopy[];
  /** Files a RUN wrote with text pid1 cannot know (an expansion of a variable the build sets at run time, `echo -e` under dash). */
  unknown: Set<string>;
}

/** A RUN that runs before the stage's own (a base image's ONBUILD RUN: it runs at the FROM of the image built on it). */
export interface TriggeredRun {
  script: string;
  workdir: string;
}

/** Backslash escapes `echo` (dash; bash and busybox with -e) and printf's format take: the ones a script line uses. */
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'", a: '\x07', r: '\r' };

/** `s` with its backslash escapes replaced; undefined when one is not in ESCAPES (`\c`, an octal byte). */
function unescaped(s: string): string | undefined {
  let bad = false;
  const out = s.replace(/\\(.)/gs, (_m, c: string) => {
    const v = ESCAPES[c];
    if (v === undefined) bad = true;
    return v ?? '';
  });
  return bad ? undefined : out;
}

/**
 * What `echo ARGS` prints with the RUN's /bin/sh (`sh`): the arguments joined by spaces and a newline. dash's echo takes
 * only -n and always reads backslash escapes (XSI); bash's and busybox's take -n, -e and -E and read escapes only after -e
 * (bash builtins/echo.def, busybox coreutils/echo.c). Undefined when the shell is not known and an escape or option decides.
 */
function echoed(args: readonly string[], sh: string): string | undefined {
  const known = sh === 'dash' || sh === 'bash' || sh === 'ash';
  let i = 0;
  let newline = true;
  let escapes = sh === 'dash';
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (!/^-[neE]+$/.test(a)) break;
    if (sh === 'dash' && a !== '-n') break; // dash prints `-e` as a word
    if (!known) return undefined;
    if (a.includes('n')) newline = false;
    if (a.includes('e')) escapes = true;
    if (a.includes('E')) escapes = false;
  }
  const text = args.slice(i).join(' ');
  if (text.includes('\\')) {
    if (!known) return undefined;
    if (escapes) {
      const u = unescaped(text);
      return u === undefined ? undefined : u + (newline ? '\n' : '');
    }
  }
  return text + (newline ? '\n' : '');
}

/** What `printf FORMAT [ARGS]` prints when its format uses only `%s` and `%%` (the format reused while arguments remain). */
function printed(args: readonly string[]): string | undefined {
  const [format, ...rest] = args;
  if (format === undefined) return undefined;
  const f = unescaped(format);
  if (f === undefined || /%(?![s%])/.test(f)) return undefined;
  const slots = (f.match(/%s/g) ?? []).length;
  let out = '';
  let k = 0;
  do {
    out += f.replace(/%([s%])/g, (_m, c: string) => (c === '%' ? '%' : (rest[k++] ?? '')));
  } while (slots > 0 && k < rest.length);
  return out;
}

/**
 * The files the stage's RUNs (and the stages it is built on, and the build context's scripts they run) write with
 * heredocs and copy inside the image. `read` reads an image file the build context gives (a script a RUN runs); `env`
 * is the stage's.
 */
export function filesOfRuns(stage: Stage, read: (imagePath: string) => string | undefined, env: Readonly<Record<string, string>>, triggered: readonly TriggeredRun[] = []): RunFiles {
  const written = new Map<string, string>();
  const unknown = new Set<string>();
  const copies: InImageCopy[] = [];
  if (!shellParserReady()) return { written, copies, unknown };
  const runs: (RunOp | TriggeredRun)[] = [];
  for (let st: Stage | undefined = stage; st; st = st.parent) runs.unshift(...st.runs);
  runs.unshift(...triggered);
  const sh = stage.family.family;
  const seen = new Set<string>();
  let budget = MAX_TEXT;
  const visit = (text: string, workdir: string, depth: number): void => {
    if (text.length > budget || !MAY_WRITE_OR_COPY.test(text)) return;
    budget -= text.length;
    const tree = shellParser().parse(text);
    if (!tree) return;
    try {
      // one call into wasm finds the candidates in document order (a copy made later wins); a JS walk of every node
      // cost a whole lint of generated Dockerfiles 40% more
      // writes apply in the order of their redirects: tree-sitter-bash hangs the redirect of the last command of
      // `a > f && b >> f` on a statement around the whole list, which comes first in document order
      const writes: Node[] = [];
      for (const node of tree.rootNode.descendantsOfType(['redirected_statement', 'command'])) {
        if (!node) continue;
        if (node.type === 'redirected_statement') {
          writes.push(node);
          continue;
        }
        // the command's name decides before its words are expanded: most commands are neither a copy nor a script
        const name = node.childForFieldName('name')?.text ?? '';
        const dynamic = /[$"'\\]/.test(name);
        if (dynamic || COPIERS.has(name)) inImageCopy(node, workdir);
        if (depth < 2 && (dynamic || name.includes('/') || RUNS_A_SCRIPT.test(name))) {
          // a script of the build context the RUN runs: `bash ${ASSETS}/install.sh`, `/build/setup.sh` (only the word a
          // shell runs: any other path, `cp -r /x /etc/y`, is never read)
          const p = scriptRun(node, env);
          if (p !== undefined && !seen.has(p) && seen.size < MAX_SCRIPTS) {
            seen.add(p);
            const script = read(path.posix.resolve(workdir, p));
            if (script !== undefined && /^#!.*\b(sh|bash|ash|dash)\b|^(?!#!)/.test(script)) visit(script, workdir, depth + 1);
          }
        }
      }
      const at = (n: Node): number => n.childForFieldName('redirect')?.startIndex ?? n.endIndex;
      for (const node of writes.sort((a, b) => at(a) - at(b))) redirectWrite(node, workdir);
    } finally {
      tree.delete();
    }
  };
  const redirectWrite = (node: Node, workdir: string): void => {
    const doc = node.namedChildren.find((c) => c?.type === 'heredoc_redirect');
    const heredoc = doc?.namedChildren.find((c) => c?.type === 'heredoc_body');
    // `cat > FILE <<EOF` puts the redirect beside the heredoc; `cat <<EOF > FILE` inside it
    const target = [...node.namedChildren, ...(doc?.namedChildren ?? [])].find((c) => c?.type === 'file_redirect' && /^\s*>(?![&])/.test(c.text));
    // the command the redirect belongs to: the statement's body, or the last command of a list it hangs on
    const body = node.childForFieldName('body');
    const cmd = body?.type === 'command' ? body : body?.type === 'list' && body.lastNamedChild?.type === 'command' ? body.lastNamedChild : undefined;
    const name = cmd?.namedChildren.find((c) => c?.type === 'command_name')?.text;
    if (!target || !cmd) return;
    // (stdout only: `2> FILE` and `>&2` write no text of the command's)
    const op = target.text.trimStart();
    const file = target.namedChildren.find((c) => c !== null && c.type !== 'file_descriptor');
    const p = file ? literalOf(file, env) : undefined;
    if (p === undefined || p === '') return;
    const abs = path.posix.resolve(workdir, p);
    let text: string | undefined;
    if (name === 'cat' && heredoc) text = heredoc.text;
    else if ((name === 'echo' || name === 'printf') && !doc) {
      const words = wordsOf(cmd, env).slice(1);
      const args = words.every((w) => w.literal !== undefined) ? words.map((w) => w.literal as string) : undefined;
      text = args === undefined ? undefined : name === 'echo' ? echoed(args, sh) : printed(args);
    } else return;
    // `>>` appends to what the file held: written before, or given by the build context or the base image
    const before = op.startsWith('>>') ? (unknown.has(abs) ? undefined : (written.get(abs) ?? read(abs) ?? '')) : '';
    if (text === undefined || before === undefined) {
      written.delete(abs);
      unknown.add(abs);
      return;
    }
    unknown.delete(abs);
    written.set(abs, before + text);
  };
  const inImageCopy = (node: Node, workdir: string): void => {
    const words = wordsOf(node, env);
    const name = words[0]?.literal;
    if (name === undefined || !COPIERS.has(name)) return;
    // (`ln -sr` names the target from the working directory, as cp does)
    const symbolic = name === 'ln' && words.some((w) => /^-[a-zA-Z]*s[a-zA-Z]*$|^--symbolic$/.test(w.literal ?? '')) && !words.some((w) => /^-[a-zA-Z]*r[a-zA-Z]*$|^--relative$/.test(w.literal ?? ''));
    const operands: string[] = [];
    let targetDir: string | undefined;
    for (let i = 1; i < words.length; i++) {
      const w = words[i] as Word;
      const t = w.literal ?? w.text;
      if (t === '-t' || t === '--target-directory') {
        targetDir = words[++i]?.literal ?? '';
        continue;
      }
      // install's options with a value (-m MODE, -o OWNER, -g GROUP)
      if (name === 'install' && /^-[mog]$/.test(t)) {
        i++;
        continue;
      }
      if (t.startsWith('-')) {
        // `install -d` makes directories; it copies nothing
        if (name === 'install' && /^-[a-zA-Z]*d/.test(t)) return;
        continue;
      }
      const v = w.literal;
      if (v === undefined || /[*?[]/.test(v)) return;
      // `/x/.` (the contents of /x) survives resolving
      operands.push(symbolic ? v : path.posix.resolve(workdir, v) + (v.endsWith('/.') ? '/.' : ''));
    }
    const dest = targetDir !== undefined ? path.posix.resolve(workdir, targetDir) : operands.pop();
    if (dest === undefined || operands.length === 0) return;
    const to = symbolic ? path.posix.resolve(workdir, dest) : dest;
    const raw = targetDir ?? words[words.length - 1]?.literal ?? '';
    const into = targetDir !== undefined || raw.endsWith('/') || operands.length > 1 || STANDARD_DIRS.has(to) || /^\/usr\/local\/s?bin$/.test(to);
    for (const from of operands) {
      // a symlink's relative target is read from the link's own directory (symlink(7)), not the working directory
      const linkDir = into ? to : path.posix.dirname(to);
      copies.push({ from: symbolic ? path.posix.resolve(linkDir, from) : from, to, into });
    }
  };
  for (const r of runs) {
    const argv = 'argv' in r ? r.argv : undefined;
    const text = r.script ?? (argv && /^(\/bin\/)?(ba|da)?sh$/.test(argv[0] ?? '') && argv[1] === '-c' ? argv[2] : undefined);
    if (text !== undefined) visit(text, r.workdir, 0);
  }
  return { written, copies, unknown };
}

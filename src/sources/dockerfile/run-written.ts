/**
 * Files a build writes with a shell heredoc, `cat > /etc/supervisor/conf.d/nginx.conf <<EOF ... EOF`, or copies inside
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
const MAY_WRITE_OR_COPY = /<<|(?:^|[;&|(`{!]|\b(?:then|do|else|sudo|exec|env))[ \t]*(?:\w+=\S*[ \t]+)*(?:cp|mv|ln|install|(?:ba|da)?sh|ash|source|\.|[^\s;&|()]*[/$][^\s;&|()]*)(?=[\s;&|)]|$)/m;

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
}

/**
 * The files the stage's RUNs (and the stages it is built on, and the build context's scripts they run) write with
 * heredocs and copy inside the image. `read` reads an image file the build context gives (a script a RUN runs); `env`
 * is the stage's.
 */
export function filesOfRuns(stage: Stage, read: (imagePath: string) => string | undefined, env: Readonly<Record<string, string>>): RunFiles {
  const written = new Map<string, string>();
  const copies: InImageCopy[] = [];
  if (!shellParserReady()) return { written, copies };
  const runs: RunOp[] = [];
  for (let st: Stage | undefined = stage; st; st = st.parent) runs.unshift(...st.runs);
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
      for (const node of tree.rootNode.descendantsOfType(['redirected_statement', 'command'])) {
        if (!node) continue;
        if (node.type === 'redirected_statement') {
          heredocWrite(node, workdir);
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
    } finally {
      tree.delete();
    }
  };
  const heredocWrite = (node: Node, workdir: string): void => {
    const doc = node.namedChildren.find((c) => c?.type === 'heredoc_redirect');
    const body = doc?.namedChildren.find((c) => c?.type === 'heredoc_body');
    // `cat > FILE <<EOF` puts the redirect beside the heredoc; `cat <<EOF > FILE` inside it
    const target = [...node.namedChildren, ...(doc?.namedChildren ?? [])].find((c) => c?.type === 'file_redirect');
    const cmd = node.namedChildren.find((c) => c?.type === 'command');
    const name = cmd?.namedChildren.find((c) => c?.type === 'command_name')?.text;
    if (!body || !target || name !== 'cat') return;
    const op = target.text.trimStart();
    if (!op.startsWith('>') || op.startsWith('>&')) return;
    const file = target.namedChildren.find((c) => c !== null && c.type !== 'file_descriptor');
    const p = file ? literalOf(file, env) : undefined;
    if (p === undefined || p === '') return;
    const abs = path.posix.resolve(workdir, p);
    written.set(abs, op.startsWith('>>') ? (written.get(abs) ?? '') + body.text : body.text);
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
    const text = r.script ?? (r.argv && /^(\/bin\/)?(ba|da)?sh$/.test(r.argv[0] ?? '') && r.argv[1] === '-c' ? r.argv[2] : undefined);
    if (text !== undefined) visit(text, r.workdir, 0);
  }
  return { written, copies };
}

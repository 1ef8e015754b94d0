/**
 * Finding a runtime's program in the build context and reading it for a stop-signal handler: the file
 * `python app.py`, `python -m app` or `node server.js` (or `node .`) runs, resolved against the image's
 * working directory, analysed with program-source.ts. Given to the launch model as its programSource.
 */
import path from 'node:path';
import type { SourceVerdict } from '../model/launch.js';
import type { Program } from '../model/programs.js';
import type { ShellCwd } from '../model/shell-cwd.js';
import { analyzeProgramSourceNow, sourceLanguageOf } from './program-source.js';
import { knownModule } from './python-source.js';
import { mayTakeStopSignal } from './signal-owners.js';

/** Interpreter options that take a value (python: -W -X; node: -r --require --import --loader ...). */
export const WITH_VALUE: ReadonlySet<string> = new Set(['-W', '-X', '-r', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '-C', '--conditions', '--inspect-port']);

/** node's modules loaded before the program (`-r ./telemetry.cjs`, `--import=./otel.mjs`): they may listen for signals too. */
function preloadsOf(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = /^(?:--require|--import)=(.+)$/.exec(a);
    if (eq) out.push(eq[1] as string);
    else if ((a === '-r' || a === '--require' || a === '--import') && argv[i + 1] !== undefined) out.push(argv[++i] as string);
    else if (!a.startsWith('-')) break;
  }
  return out;
}

/** The program file an interpreter's argv runs, as written (relative to the working directory). */
function programArg(argv: readonly string[]): { file?: string; module?: string; code?: string; rest?: readonly string[] } {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-m') return argv[i + 1] !== undefined ? { module: argv[i + 1] as string } : {};
    // the program is the argument itself (`python -c "import time; time.sleep(3600)"`, `node -e ...`)
    if (a === '-c' || a === '-e' || a === '--eval') return argv[i + 1] !== undefined ? { code: argv[i + 1] as string } : {};
    if (a === '-p' || a === '--print') return {};
    if (WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return { file: a, rest: argv.slice(i + 1) };
  }
  return {};
}

/** `parser.add_argument("name", ...)`: a positional argument, required unless its nargs is `?`, `*` or REMAINDER. */
const ARGPARSE_POSITIONAL = /\.add_argument\(\s*(?:r?["'])([A-Za-z_][\w-]*)["']/g;
/** `add_argument("--name", ..., required=True)`: an option the parser requires. */
const ARGPARSE_REQUIRED_OPTION = /\.add_argument\(\s*r?["']-[^)]*\brequired\s*=\s*True\b/;

/** The rest of a call's arguments from `from` to its closing parenthesis (nested ones and quoted text skipped over). */
function callArguments(text: string, from: number): string {
  let depth = 1;
  let quote: string | undefined;
  for (let i = from; i < text.length && i < from + 2000; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return text.slice(from, i);
  }
  return text.slice(from, from + 2000);
}

/**
 * A Python program that prints its usage or help and exits before anything else runs, so no stop reaches it: a guard on
 * its argument count that exits; or, with a parser that reads sys.argv (`parse_args()` with no list), argparse's `-h`
 * or `--help` given, or no argument given at all where the parser requires one (argparse: "the following arguments
 * are required", status 2). Only the program's own file.
 */
function usageExits(text: string, rest: readonly string[] | undefined): string | undefined {
  // an argument built at run time (`"$@"`) may be more words or none
  if (!rest || rest.some((a) => a.includes('$'))) return undefined;
  const usage = argvLengthExits(text, rest.length + 1);
  if (usage) return usage;
  if (!/\bimport\s+argparse\b|\bfrom\s+argparse\s+import\b/.test(text) || !/\.parse_args\(\s*\)/.test(text)) return undefined;
  // argparse adds -h/--help unless add_help=False; the help action prints the help and exits 0 while parsing
  if ((rest[0] === '-h' || rest[0] === '--help') && !/\badd_help\s*=\s*False\b/.test(text))
    return `argparse's ${rest[0]} prints the help and exits with status 0 at once (the launch's only use), so no stop reaches it`;
  if (rest.length > 0) return undefined;
  for (const m of text.matchAll(ARGPARSE_POSITIONAL)) {
    const opts = callArguments(text, m.index + m[0].length);
    if (/\bnargs\s*=\s*(?:["'][?*]["']|argparse\.REMAINDER|REMAINDER)/.test(opts)) continue;
    return `argparse requires the positional argument \`${m[1]}\` and the launch gives none: parse_args() prints the usage and exits with status 2 at once, so no stop reaches it`;
  }
  if (ARGPARSE_REQUIRED_OPTION.test(text))
    return 'argparse requires an option (required=True) and the launch gives no arguments: parse_args() prints the usage and exits with status 2 at once, so no stop reaches it';
  return undefined;
}

/** `if len(sys.argv) < 2:` (also <=, ==, !=), the guard a script puts before its work when it needs arguments. */
const ARGV_GUARD = /^([ \t]*)if\s+\(?\s*len\(\s*sys\.argv\s*\)\s*(<=|<|==|!=)\s*(\d+)\s*\)?\s*:[ \t]*(?:#.*)?$/gm;
/** A statement that ends the program: sys.exit(...), exit(...), quit(...), raise SystemExit. */
const EXITS = /^\s*(?:sys\.exit|exit|quit)\s*\(|^\s*raise\s+SystemExit\b/;

/** A line's indentation, in characters. */
const level = (line: string): number => /^[ \t]*/.exec(line)?.[0].length ?? 0;

/**
 * A Python program that checks its argument count (`if len(sys.argv) < 2: print(usage); sys.exit(1)`) and is run
 * with too few: the guard's block, which ends in an exit, runs first, so the program prints and ends at once.
 * `count` is len(sys.argv): the program's name and its arguments.
 */
function argvLengthExits(text: string, count: number): string | undefined {
  for (const m of text.matchAll(ARGV_GUARD)) {
    const n = Number(m[3]);
    const op = m[2] as string;
    const holds = op === '<' ? count < n : op === '<=' ? count <= n : op === '==' ? count === n : count !== n;
    if (!holds) continue;
    // the guard's block: the lines indented deeper than the `if`, up to the first one that is not
    const indent = (m[1] as string).length;
    const block: string[] = [];
    for (const line of text.slice((m.index as number) + m[0].length + 1).split('\n')) {
      if (!line.trim() || /^\s*#/.test(line)) continue;
      if (level(line) <= indent) break;
      block.push(line);
    }
    const last = block.at(-1);
    // an exit at the block's own level (not inside a nested if)
    if (last !== undefined && level(last) === level(block[0] as string) && EXITS.test(last))
      return `\`len(sys.argv) ${op} ${n}\` holds when run with ${count - 1} argument${count === 2 ? '' : 's'}, and its block ends with \`${last.trim()}\`: the program prints and exits at once, so no stop reaches it`;
  }
  return undefined;
}

/** Inline code that can keep a process running: a loop, a sleep, a server, a wait, reading input. */
const BLOCKS = /\b(while|for|sleep|serve\w*|listen|run|wait|join|forever|loop|input|pause|accept|setInterval|createServer|subscribe|consume|poll)\b/;

/**
 * What a compiled program pid1 does not know by name is, from how the image built it (the Go link:
 * dockerfile/go-link.ts): `exe` as the launch runs it, resolved in `workdir` or on the PATH.
 */
export type CompiledProgramSource = (exe: string, workdir: string, signal: string) => SourceVerdict | undefined;

/**
 * The model's programSource for a launch: `read` reads a path inside the image (from the build context),
 * `workdir` is the image's working directory; `compiled` answers for a program the catalogue does not name.
 */
export function programSourceReader(
  read: (imagePath: string) => string | undefined,
  workdir: string,
  signal: string,
  compiled?: CompiledProgramSource,
): (argv: readonly string[], program: Program, cwd?: ShellCwd) => SourceVerdict | undefined {
  return (argv, program, cwd) => {
    // a `cd` before the command moved it (launch model); where to unknown: only absolute paths can be read
    if (cwd === false) return undefined;
    const dir = path.posix.resolve(workdir, cwd ?? '.');
    const runtime = program.catalogue;
    if (runtime === undefined) return compiled && argv[0] !== undefined ? compiled(argv[0], dir, signal) : undefined;
    if (runtime !== 'python' && runtime !== 'node') return undefined;
    const { file, module, code, rest } = programArg(argv);
    const abs = (p: string): string => path.posix.resolve(dir, p);
    if (code !== undefined) {
      // inline code is read like a file in the working directory: its imports of the image's own modules are followed
      const where = abs(runtime === 'python' ? '<string>.py' : '<eval>.js');
      const v = analyzeProgramSourceNow(code, { language: runtime === 'python' ? 'python' : 'javascript', path: where, signal, readFile: (p) => read(p) });
      if (!v) return undefined;
      // only code that visibly keeps running (a loop, a sleep, a server, a wait) is judged by its handlers: a one-liner
      // that calls something (`snapshot_download(...)`, `print(1)`) may end at once or work for an hour
      if (v.verdict === 'no-handler' && !BLOCKS.test(code)) return undefined;
      return { verdict: v.verdict, reason: v.reason.replaceAll(where, `the code given with ${argv[0]} ${runtime === 'python' ? '-c' : '-e'}`), ...(v.via ? { via: v.via } : {}) };
    }
    const candidates: string[] = [];
    if (module !== undefined) candidates.push(`${module.replace(/\./g, '/')}.py`, `${module.replace(/\./g, '/')}/__main__.py`);
    else if (file !== undefined) {
      if (runtime === 'node' && (file === '.' || !path.posix.extname(file))) {
        // Node's module resolution: the file itself (`node ./bin/www`, express-generator's entry point), then with .js
        // (LOAD_AS_FILE); `node .` / `node dir`: package.json's "main", else index.js (LOAD_AS_DIRECTORY).
        if (file !== '.') candidates.push(file, `${file}.js`);
        const pkg = read(abs(path.posix.join(file, 'package.json')));
        let main: string | undefined;
        try {
          main = pkg ? ((JSON.parse(pkg) as { main?: unknown }).main as string | undefined) : undefined;
        } catch {
          main = undefined;
        }
        if (typeof main === 'string') candidates.push(path.posix.join(file, main));
        candidates.push(path.posix.join(file, 'index.js'));
      } else candidates.push(file);
    }
    // The program's own module comes first (Python's sys.path starts with the working directory).
    const known = runtime === 'python' && module !== undefined ? knownModule(module, signal) : undefined;
    for (const c of candidates) {
      const text = read(abs(c));
      if (text === undefined) continue;
      const language = sourceLanguageOf(c) ?? (runtime === 'python' ? 'python' : 'javascript');
      const exits = language === 'python' ? usageExits(text, rest) : undefined;
      if (exits) return { verdict: 'finishes', reason: `${abs(c)}: ${exits}` };
      let v = analyzeProgramSourceNow(text, { language, path: abs(c), signal, readFile: (p) => read(p) });
      if (!v) return undefined; // the grammar is not loaded yet: lint loads it and runs again
      // A module node loads first runs before the program: its listener counts; one pid1 cannot read leaves it open.
      if (runtime === 'node' && v.verdict === 'no-handler') {
        for (const pre of preloadsOf(argv)) {
          const local = pre.startsWith('.') || pre.startsWith('/');
          // a package, as an import: presumed to leave the signal alone unless it is one that may take it (signal-owners.ts)
          if (!local && !mayTakeStopSignal('javascript', pre)) continue;
          const preText = local ? read(abs(pre)) : undefined;
          const pv = preText !== undefined ? analyzeProgramSourceNow(preText, { language: sourceLanguageOf(pre) ?? 'javascript', path: abs(pre), signal, readFile: (p) => read(p) }) : undefined;
          // (a module that only sets things up and returns installs nothing either)
          if (pv?.verdict === 'no-handler' || pv?.verdict === 'finishes') continue;
          v = pv?.verdict === 'handles' ? pv : { ...v, verdict: 'unknown', reason: `${v.reason}; but node loads ${pre} first, which pid1 cannot tell about` };
          break;
        }
      }
      return {
        verdict: v.verdict,
        reason: v.reason,
        ...(v.evidence ? { evidence: { file: v.evidence.file ?? abs(c), line: v.evidence.line, text: v.evidence.text } } : {}),
        ...(v.via ? { via: v.via } : {}),
      };
    }
    return known;
  };
}

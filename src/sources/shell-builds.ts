/**
 * The image builds a piece of shell runs (`docker build -t NAME [-f FILE] [--target T] CONTEXT`, `docker buildx
 * build`, `podman build`, `buildah bud`): in a build script, a Makefile recipe or a workflow's `run:` step. Read
 * with the shell grammar (tree-sitter-bash), not regexes: quotes, `\` continuations, `cd` before the build and
 * variables the script assigns are the shell's own.
 */
import path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { shellParser, shellParserReady } from '../model/shell.js';
import { DIRNAME_OF_SELF, DIRNAME_OF_SELF_UP, literalOf, positionOf } from '../model/shell-words.js';

/** A cheap test before parsing: most scripts build no image. */
export const BUILD_COMMAND = /\b(?:docker|podman)\s+(?:image\s+|buildx\s+)?build\b|\bbuildah\s+(?:bud|build)\b|\bibmcloud\s+cr\s+build\b|\bgcloud\s+(?:(?:alpha|beta)\s+)?builds\s+submit\b/;

export interface ShellBuild {
  /** The image names tagged, as written: an expansion the script does not settle stays `${VAR}` (`${_}` for `$(...)`). */
  tags: string[];
  /** Absolute build context. */
  context: string;
  /** Absolute Dockerfile path, when `-f` names one (else the context's Dockerfile). */
  file?: string;
  target?: string;
  /** 1-based line of the build command in the text. */
  line: number;
}

/** Build options that take a value (docker build, buildx build, podman build, buildah bud). */
export const BUILD_VALUE_FLAGS: ReadonlySet<string> = new Set([
  '--add-host',
  '--allow',
  '--annotation',
  '--arch',
  '--attest',
  '--authfile',
  '--build-arg',
  '--build-arg-file',
  '--build-context',
  '--builder',
  '--cache-from',
  '--cache-to',
  '--cgroup-parent',
  '--cpu-period',
  '--cpu-quota',
  '--cpu-shares',
  '--cpuset-cpus',
  '--cpuset-mems',
  '--creds',
  '--env',
  '--format',
  '--iidfile',
  '--isolation',
  '--jobs',
  '--label',
  '--memory',
  '--memory-swap',
  '--metadata-file',
  '--network',
  '--os',
  '--output',
  '--platform',
  '--progress',
  '--provenance',
  '--sbom',
  '--secret',
  '--security-opt',
  '--shm-size',
  '--ssh',
  '--ulimit',
  '--userns',
  '--variant',
  '--volume',
  '-c',
  '-m',
  '-o',
  '-v',
]);

/**
 * `gcloud builds submit --tag IMAGE [SOURCE]` builds SOURCE's Dockerfile (default: the working directory) and tags it
 * (cloud.google.com/sdk/gcloud/reference/builds/submit); these of its flags take a value. `--pack` builds with
 * buildpacks instead, and without `--tag` the build follows a cloudbuild.yaml (read as such).
 */
const GCLOUD_SUBMIT_VALUE_FLAGS = new Set([
  '--config',
  '--region',
  '--project',
  '--substitutions',
  '--machine-type',
  '--timeout',
  '--gcs-source-staging-dir',
  '--gcs-log-dir',
  '--worker-pool',
  '--service-account',
  '--disk-size',
  '--ignore-file',
  '--default-buckets-behavior',
  '--account',
  '--billing-project',
  '--configuration',
  '--impersonate-service-account',
  '--verbosity',
  '--format',
]);

/** The words of `gcloud [alpha|beta] builds submit` that a docker build would have: `--tag IMAGE` and the source, else undefined. */
function gcloudSubmit(words: readonly Node[], env: Readonly<Record<string, string>>): { words: Node[]; defaultContext: boolean } | undefined {
  const kept: Node[] = [];
  let tagged = false;
  let source = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as Node;
    // a flag with an expansion in its value (`--tag=${REGION}-docker.pkg.dev/...`) is still that flag
    const flag = literalOf(w, env) ?? (w.text.startsWith('-') ? w.text : '');
    if (flag === '--pack' || flag.startsWith('--pack=')) return undefined;
    if (flag === '--tag' || flag === '-t') {
      const v = words[++i];
      if (v) kept.push(w, v);
      tagged = true;
      continue;
    }
    if (flag.startsWith('--tag=')) {
      kept.push(w);
      tagged = true;
      continue;
    }
    if (flag.startsWith('-')) {
      if (!flag.includes('=') && GCLOUD_SUBMIT_VALUE_FLAGS.has(flag)) i++;
      continue;
    }
    kept.push(w);
    source = true;
  }
  return tagged ? { words: kept, defaultContext: !source } : undefined;
}

/**
 * `docker build` and its kin: the words after it (`defaultContext`: the build's source is the working directory when
 * none is given), or undefined when the command is no image build.
 */
function buildArgs(words: readonly Node[], env: Readonly<Record<string, string>>): { words: Node[]; defaultContext?: boolean } | undefined {
  let i = 0;
  // wrappers that run the build themselves
  while (i < words.length && /^(sudo|time|exec|command|nice)$/.test(literalOf(words[i] as Node, env) ?? '')) i++;
  // `exec` or `time` alone: a wrapper word with nothing after it
  if (i >= words.length) return undefined;
  const name = path.basename(literalOf(words[i] as Node, env) ?? '');
  const sub = (k: number): string | undefined => (words[i + k] ? literalOf(words[i + k] as Node, env) : undefined);
  if (name === 'buildah') return sub(1) === 'bud' || sub(1) === 'build' ? { words: words.slice(i + 2) } : undefined;
  // IBM Cloud Container Registry: `ibmcloud cr build [--file F] --tag IMAGE DIRECTORY` (docker build's options)
  if (name === 'ibmcloud') return sub(1) === 'cr' && sub(2) === 'build' ? { words: words.slice(i + 3) } : undefined;
  if (name === 'gcloud') {
    const g = sub(1) === 'alpha' || sub(1) === 'beta' ? 1 : 0;
    return sub(1 + g) === 'builds' && sub(2 + g) === 'submit' ? gcloudSubmit(words.slice(i + 3 + g), env) : undefined;
  }
  if (name !== 'docker' && name !== 'podman') return undefined;
  if (sub(1) === 'build') return { words: words.slice(i + 2) };
  if ((sub(1) === 'buildx' || sub(1) === 'image') && sub(2) === 'build') return { words: words.slice(i + 3) };
  return undefined;
}

/** A word's text with what the script does not settle as `${VAR}` (`${_}` for a command substitution). */
function pattern(n: Node, env: Readonly<Record<string, string>>, scriptDir: (n: Node) => boolean): string | undefined {
  const lit = literalOf(n, env);
  if (lit !== undefined) return lit;
  if (scriptDir(n)) return SCRIPT_DIR;
  switch (n.type) {
    case 'simple_expansion':
    case 'expansion': {
      const v = n.namedChildren.find((c) => c?.type === 'variable_name')?.text;
      return `\${${v ?? '_'}}`;
    }
    case 'command_substitution':
    case 'arithmetic_expansion':
      return '${_}';
    case 'word':
      return n.text;
    case 'string':
    case 'concatenation': {
      let out = '';
      for (const c of n.namedChildren) {
        if (!c) continue;
        const p = c.type === 'string_content' ? c.text : pattern(c, env, scriptDir);
        if (p === undefined) return undefined;
        out += p;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Stands for the script's own directory (`$(dirname "$0")`) in a pattern. */
const SCRIPT_DIR = '\0scriptdir\0';

/** A path word resolved against the current directory: undefined when the script does not settle it. */
function pathOf(n: Node, cwd: string, env: Readonly<Record<string, string>>, scriptDir: (n: Node) => boolean, selfDir: string | undefined): string | undefined {
  const p = pattern(n, env, scriptDir);
  if (p === undefined) return undefined;
  if (p.startsWith(SCRIPT_DIR)) {
    const rest = p.slice(SCRIPT_DIR.length);
    if (!selfDir || rest.includes('$') || rest.includes('\0') || (rest && !rest.startsWith('/'))) return undefined;
    return path.resolve(selfDir, `.${rest}`);
  }
  if (p.includes('$') || p.includes('\0') || /^[a-z]+:\/\//i.test(p) || p.startsWith('git@') || p.startsWith('~')) return undefined;
  return path.resolve(cwd, p);
}

/** Variables the script assigns one literal value (a name assigned several values, or a computed one, is not settled). */
function literalAssignments(root: Node, base: Readonly<Record<string, string>>, selfDirVars: Set<string>): Record<string, string> {
  const out: Record<string, string> = { ...base };
  const unsettled = new Set<string>();
  for (const a of root.descendantsOfType('variable_assignment')) {
    const name = a?.childForFieldName('name')?.text;
    const value = a?.childForFieldName('value');
    if (!name) continue;
    let v = value ? literalOf(value, out) : '';
    const unquoted = value?.text.replace(/^"|"$/g, '') ?? '';
    if (value && DIRNAME_OF_SELF.test(unquoted)) selfDirVars.add(name);
    // `ROOT=$(dirname "$0")/../..`: a directory relative to the script's own, which pathOf() resolves
    const below = /^(.*\))(\/[\w./-]*)$/.exec(unquoted);
    if (v === undefined && below && DIRNAME_OF_SELF.test(below[1] as string)) v = `${SCRIPT_DIR}${below[2]}`;
    const up = DIRNAME_OF_SELF_UP.exec(unquoted);
    if (v === undefined && up) v = `${SCRIPT_DIR}/${up[1]}`;
    if (v === undefined || (name in out && out[name] !== v && !(name in base))) unsettled.add(name);
    else out[name] = v;
  }
  for (const n of unsettled) delete out[n];
  return out;
}

/**
 * The image builds in `text`, run with `dir` as its working directory.
 * @param selfDir the script's own directory, what `$(dirname "$0")` stands for (a script file's).
 * @param env variables the caller settles (a workflow's `env:`).
 */
export function shellBuilds(text: string, dir: string, selfDir?: string, env: Readonly<Record<string, string>> = {}, session?: { cwd: string | undefined }): ShellBuild[] {
  // (a text with no build and no `cd` changes nothing; a session's next text starts where this one's `cd`s left it)
  if (!(BUILD_COMMAND.test(text) || (session && /(^|[;&|(]\s*)(cd|pushd|popd)\b/m.test(text))) || !shellParserReady()) return [];
  const tree = shellParser().parse(text);
  if (!tree) return [];
  const out: ShellBuild[] = [];
  try {
    const selfDirVars = new Set<string>();
    const vars = literalAssignments(tree.rootNode, env, selfDirVars);
    const isSelfDir = (n: Node): boolean => {
      if (n.type === 'command_substitution') return DIRNAME_OF_SELF.test(n.text);
      if (n.type === 'simple_expansion' || n.type === 'expansion') {
        const v = n.namedChildren.find((c) => c?.type === 'variable_name')?.text;
        return v !== undefined && selfDirVars.has(v) && n.namedChildCount === 1;
      }
      if (n.type === 'string' && n.namedChildCount === 1) return isSelfDir(n.namedChild(0) as Node);
      return false;
    };
    // the working directory as the script runs, in source order; undefined once a `cd` goes where the text does not say
    let cwd: string | undefined = dir;
    const stack: (string | undefined)[] = [];
    // variables that hold the working directory as it was when they were set (`pwd=$(pwd)`, `HERE=$PWD`), for a later `cd $pwd`
    const cwdVars = new Map<string, string | undefined>();
    const visit = (n: Node): void => {
      if (n.type === 'variable_assignment') {
        const name = n.childForFieldName('name')?.text;
        const value = n.childForFieldName('value')?.text.replace(/^"(.*)"$/s, '$1');
        if (name && value !== undefined && /^(\$\(\s*pwd\s*\)|`\s*pwd\s*`|\$\{?PWD\}?)$/.test(value)) cwdVars.set(name, cwd);
        else if (name) cwdVars.delete(name);
      }
      if (n.type === 'subshell' || n.type === 'function_definition' || n.type === 'command_substitution') {
        // a subshell's `cd` ends with it; a function body is read once, where it is written
        const saved = cwd;
        for (const c of n.namedChildren) if (c) visit(c);
        cwd = saved;
        return;
      }
      if (n.type !== 'command') {
        for (const c of n.namedChildren) if (c) visit(c);
        return;
      }
      const words = n.namedChildren
        .filter((c): c is Node => c !== null && c.type !== 'variable_assignment' && !c.type.endsWith('redirect') && c.type !== 'comment')
        .map((c) => (c.type === 'command_name' ? (c.namedChild(0) ?? c) : c));
      const name = words[0] ? literalOf(words[0], vars) : undefined;
      if (name === 'cd' || name === 'pushd') {
        const arg = words.slice(1).find((w) => !/^-[LPe@]$/.test(w.text));
        if (name === 'pushd') stack.push(cwd);
        const saved = arg && /^"?\$\{?(\w+)\}?\/?"?$/.exec(arg.text)?.[1];
        if (saved && cwdVars.has(saved)) cwd = cwdVars.get(saved);
        else cwd = arg && cwd !== undefined ? pathOf(arg, cwd, vars, isSelfDir, selfDir) : undefined;
        return;
      }
      if (name === 'popd') {
        cwd = stack.length ? stack.pop() : undefined;
        return;
      }
      const args = buildArgs(words, vars);
      if (!args || cwd === undefined) return;
      const b = parseBuild(args.words, cwd, vars, isSelfDir, selfDir, args.defaultContext);
      if (b) out.push({ ...b, line: positionOf(text, n.startIndex).line });
    };
    visit(tree.rootNode);
    if (session) session.cwd = cwd;
  } finally {
    tree.delete();
  }
  return out;
}

function parseBuild(
  args: readonly Node[],
  cwd: string,
  env: Readonly<Record<string, string>>,
  isSelfDir: (n: Node) => boolean,
  selfDir: string | undefined,
  defaultContext = false,
): Omit<ShellBuild, 'line'> | undefined {
  const tags: string[] = [];
  let fileWord: Node | string | undefined;
  let target: string | undefined;
  let contextWord: Node | undefined;
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Node;
    // a flag whose value has an expansion (`--tag=${REGISTRY}/app`) is read as written, the expansion kept as `${VAR}`
    const written = pattern(w, env, isSelfDir) ?? '';
    const flag = literalOf(w, env) ?? (written.startsWith('-') ? written : '');
    // `-t NAME`, `--tag NAME`, `--tag=NAME`, `-tNAME`: the value is the next word, or the rest of this one
    const optionValue = (long: string, short?: string): Node | string | undefined => {
      if (flag === long || (short && flag === short)) return args[++i];
      if (flag.startsWith(`${long}=`)) return flag.slice(long.length + 1);
      if (short && flag.startsWith(short) && !flag.startsWith('--') && flag.length > 2) return flag.slice(2).replace(/^=/, '');
      return undefined;
    };
    const t = optionValue('--tag', '-t');
    if (t !== undefined) {
      const p = typeof t === 'string' ? t : pattern(t, env, isSelfDir);
      if (p !== undefined && !p.includes('\0')) tags.push(p);
      continue;
    }
    const f = optionValue('--file', '-f');
    if (f !== undefined) {
      fileWord = f;
      continue;
    }
    const tg = optionValue('--target');
    if (tg !== undefined) {
      target = typeof tg === 'string' ? (tg.includes('$') ? undefined : tg) : literalOf(tg, env);
      if (target === undefined) return undefined; // a stage the script computes: which one is not known
      continue;
    }
    if (flag.startsWith('-') && flag !== '-') {
      if (BUILD_VALUE_FLAGS.has(flag)) i++;
      continue;
    }
    contextWord = w;
  }
  if (!tags.length || (!contextWord && !defaultContext)) return undefined;
  const context = contextWord ? pathOf(contextWord, cwd, env, isSelfDir, selfDir) : cwd;
  if (!context) return undefined;
  let file: string | undefined;
  if (fileWord !== undefined) {
    // docker CLI: a relative `-f` is relative to the working directory, not to the context (cli/command/image/build/context.go)
    file = typeof fileWord === 'string' ? (/[$\0]/.test(fileWord) || fileWord === '-' ? undefined : path.resolve(cwd, fileWord)) : pathOf(fileWord, cwd, env, isSelfDir, selfDir);
    if (!file) return undefined;
  }
  return { tags, context, ...(file ? { file } : {}), ...(target ? { target } : {}) };
}

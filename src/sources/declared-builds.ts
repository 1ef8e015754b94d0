/**
 * Builds a repository declares outside its build configs (image-links.ts reads skaffold, cloudbuild and
 * compose): Makefiles, shell build scripts and GitHub Actions workflows. Each names an image and the
 * Dockerfile that builds it; a name the files do not settle stays a variable (`${REGISTRY}/api`), which
 * matches any text but never stands for the image's last name part.
 */
import path from 'node:path';
import { displayPath } from '../document/document.js';
import { positionOf } from '../model/shell-words.js';
import { type BakeTarget, HOLE, looksLikeBake, readBake } from './bake.js';
import { parseImageRef } from './images.js';
import { BUILD_COMMAND, shellBuilds, type ShellBuild } from './shell-builds.js';
import { defaultDockerfile } from '../util/files.js';
import { entries, get, items, scalarString, type YamlDoc, type YNode } from './yaml.js';

/** A build a file of the repository declares: the image it tags and the Dockerfile it builds. */
export interface Declared {
  /** The image repository as written (no tag), variables included. */
  repo: string;
  dockerfile: string;
  target?: string;
  how: string;
  /**
   * Only a bare name matches a bare name (a script's `docker build -t hello .`): skaffold and cloudbuild images
   * are rewritten to a manifest's bare name by the tool that deploys them, a script's or Makefile's are not.
   */
  exact?: true;
  /** The tag written out (`t5-model-serving:serving`), when the build tags one. */
  tag?: string;
  /** The build context the declaration gives (absolute), when it gives one. */
  context?: string;
  /** Build arguments the declaration passes (skaffold's `requires` aliases, `docker.buildArgs`). */
  buildArgs?: Record<string, string>;
  /**
   * Named contexts that are another build of the file's (a bake target's `contexts = { base = "target:base" }`):
   * what `FROM base` in this Dockerfile builds on.
   */
  namedContexts?: Record<string, NamedContext>;
}

/** The build a named context stands for: its Dockerfile, stage, context and args, and where the file says so. */
export interface NamedContext {
  dockerfile: string;
  target?: string;
  context: string;
  buildArgs?: Record<string, string>;
  how: string;
}

/** An image reference's repository with its registry (`ghcr.io/acme/api:1` -> `ghcr.io/acme/api`). */
export function imageRepo(image: string): string {
  const r = parseImageRef(image);
  return r.registry ? `${r.registry}/${r.repository}` : r.repository;
}

const untagged = (tag: string): string => tag.replace(/:[^:/]*$/, '');
/** The tag of `name:tag` when written out (no variable in it). */
const tagOf = (ref: string): string | undefined => /:([\w][\w.-]*)$/.exec(ref)?.[1];

/** The builds of a piece of shell as declarations, for the Dockerfiles that exist. */
function declaredOf(builds: readonly ShellBuild[], file: string, lineBase: number, cwd: string, exists: (f: string) => boolean): Declared[] {
  const out: Declared[] = [];
  for (const b of builds) {
    const dockerfile = b.file ?? defaultDockerfile(b.context, exists);
    if (!exists(dockerfile)) continue;
    for (const tag of b.tags)
      out.push({
        repo: imageRepo(tag),
        dockerfile,
        ...(b.target ? { target: b.target } : {}),
        exact: true,
        context: b.context,
        ...(tagOf(tag) ? { tag: tagOf(tag) } : {}),
        how: `${displayPath(file, cwd)}:${lineBase + b.line - 1} builds ${untagged(tag)} from ${displayPath(dockerfile, cwd)}`,
      });
  }
  return out;
}

/** A shell build script (`build.sh`, `docker-build.sh`): run from its own directory, as such scripts are. */
export function scriptBuilds(file: string, text: string, cwd: string, exists: (f: string) => boolean): Declared[] {
  const dir = path.dirname(file);
  return declaredOf(shellBuilds(text, dir, dir), file, 1, cwd, exists);
}

/** Fenced code blocks a README shows as shell (```bash, ```sh, ```shell, ```console, or no language). */
const FENCE = /^[ \t]*(```+|~~~+)[ \t]*([\w+-]*)[^\n]*$/;
const SHELL_FENCE = /^(|bash|sh|shell|console|zsh|terminal|text)$/i;
/** AsciiDoc's listing (`----`) and literal (`....`) blocks, and the `[source,LANG]` line that may name a block's language. */
const ADOC_DELIMITER = /^(-{4,}|\.{4,})[ \t]*$/;
const ADOC_SOURCE = /^\[(?:source)?,\s*([\w+-]*)[^\]]*\]\s*$/;

/**
 * A README's build commands: `docker build -t IMAGE [-f FILE] CONTEXT` in its shell code blocks (a `$ ` prompt
 * dropped), run from the README's own directory as a reader would. Tutorials and book repositories often declare their
 * images nowhere else. Markdown fences and AsciiDoc listing blocks; the blocks are one session, as the reader types
 * them: a `cd hello/springboot` in one block is where the next block's `docker build -t myboot .` runs.
 */
export function markdownBuilds(file: string, text: string, cwd: string, exists: (f: string) => boolean): Declared[] {
  if (!BUILD_COMMAND.test(text)) return [];
  const dir = path.dirname(file);
  const adoc = /\.(adoc|asciidoc)$/i.test(file);
  const out: Declared[] = [];
  // each block is parsed on its own (console output in one cannot run into the next), its `cd`s carried to the next
  const session: { cwd: string | undefined } = { cwd: dir };
  const run = (body: string[], start: number): void => {
    if (session.cwd === undefined) return;
    // a `cd sub/dir` that leads to a build from the document's own directory, not from where an earlier `cd` went (a
    // `cd checkout` into the clone the reader made, which is where the document already is)
    const lines = body.map((l) => {
      const cd = /^(\s*cd\s+)([\w.-][\w./-]*)\s*$/.exec(l);
      const to = cd?.[2] as string;
      return cd && !exists(path.join(session.cwd as string, to, 'Dockerfile')) && exists(path.join(dir, to, 'Dockerfile')) ? `${cd[1]}'${path.join(dir, to).replace(/'/g, "'\\''")}'` : l;
    });
    out.push(...declaredOf(shellBuilds(lines.join('\n'), session.cwd, dir, {}, session), file, start + 1, cwd, exists));
  };
  const lines = text.split('\n');
  let open: { fence: string; shell: boolean; start: number; body: string[] } | undefined;
  let lang: string | undefined;
  for (const [i, line] of lines.entries()) {
    const m = adoc ? ADOC_DELIMITER.exec(line) : FENCE.exec(line);
    if (open) {
      if (m && (m[1] as string).startsWith(open.fence)) {
        if (open.shell) run(open.body, open.start);
        open = undefined;
      } else open.body.push(line.replace(/^[ \t]*[$#][ \t]+/, ''));
      continue;
    }
    if (m) {
      open = { fence: m[1] as string, shell: SHELL_FENCE.test(adoc ? (lang ?? '') : (m[2] ?? '')), start: i + 1, body: [] };
      lang = undefined;
      continue;
    }
    if (adoc) lang = ADOC_SOURCE.exec(line)?.[1] ?? (line.trim() === '' ? lang : undefined);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Makefiles

/** Variables that name the image a Makefile builds (`IMAGE ?= acme/api`, `REPO := harisekhon/zookeeper`). */
const IMAGE_VAR = /^(?:DOCKER_|CONTAINER_)?(?:IMAGE|IMG|REPO)(?:_NAME|_REPO|_REPOSITORY)?$/;
const ASSIGNMENT = /^(?:(?:export|override)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(::?=|:::=|\?=|\+=|!=|=)\s*(.*)$/;

interface Makefile {
  /** Variables with one literal value as written (several assignments of different values: not settled). */
  vars: Map<string, string>;
  /** Image variables as written, with their lines. */
  imageVars: { name: string; raw: string; line: number }[];
  /** Recipe lines (one logical line each), with their first line. */
  recipes: { text: string; line: number }[];
}

function readMakefile(text: string): Makefile {
  const vars = new Map<string, string>();
  const unsettled = new Set<string>();
  const imageVars: Makefile['imageVars'] = [];
  const recipes: Makefile['recipes'] = [];
  const lines = text.split('\n');
  let inDefine = false;
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let line = (lines[i] as string).replace(/\r$/, '');
    // a `\` at the end continues the logical line (make joins variable lines with one space; a recipe keeps the
    // backslash-newline for the shell, less the next line's leading tab)
    const recipe = line.startsWith('\t');
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      const next = (lines[++i] as string).replace(/\r$/, '');
      line = recipe ? `${line}\n${next.replace(/^\t/, '')}` : `${line.slice(0, -1).trimEnd()} ${next.trimStart()}`;
    }
    if (inDefine) {
      if (/^\s*endef\b/.test(line)) inDefine = false;
      continue;
    }
    if (recipe) {
      recipes.push({ text: line.replace(/^\s*[@+-]*/, ''), line: first });
      continue;
    }
    if (/^\s*define\s/.test(line)) {
      inDefine = true;
      continue;
    }
    const m = ASSIGNMENT.exec(line.trim());
    if (!m) continue;
    const [, name, op, rawValue] = m as unknown as [string, string, string, string];
    const value = rawValue.replace(/(^|[^\\])#.*$/, '$1').trim();
    if (op === '+=' || op === '!=' || (vars.has(name) && vars.get(name) !== value)) unsettled.add(name);
    else vars.set(name, value);
    if (IMAGE_VAR.test(name)) imageVars.push({ name, raw: value, line: first });
  }
  for (const n of unsettled) vars.delete(n);
  return { vars, imageVars, recipes };
}

/**
 * Make's expansion of `$(VAR)` and `${VAR}` with the Makefile's settled variables; anything else (a variable set
 * elsewhere, `$(shell ...)`, `$@`) becomes a shell variable `${VAR}` (`${_}`), which stands for any text. `$$` is `$`.
 */
function expandMake(text: string, vars: ReadonlyMap<string, string>, depth = 0): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '$') {
      out += c;
      continue;
    }
    const n = text[i + 1];
    if (n === '$') {
      out += '$';
      i++;
    } else if (n === '(' || n === '{') {
      const close = n === '(' ? ')' : '}';
      let level = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === n) level++;
        else if (text[j] === close && --level === 0) break;
      }
      const inner = text.slice(i + 2, j);
      const value = /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) ? vars.get(inner) : undefined;
      out += value !== undefined && depth < 10 ? expandMake(value, vars, depth + 1) : /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) ? `\${${inner}}` : '${_}';
      i = j;
    } else if (n !== undefined) {
      out += '${_}';
      i++;
    }
  }
  return out;
}

/**
 * What a Makefile declares it builds: its recipes' builds, and image variables for the Dockerfile beside it.
 * @param dir where its recipes run: the Makefile's directory, or for an included `*.mk` the includer's.
 */
export function makefileBuilds(file: string, text: string, cwd: string, exists: (f: string) => boolean, dir = path.dirname(file)): Declared[] {
  const mk = readMakefile(text);
  const out: Declared[] = [];
  for (const r of mk.recipes) {
    const shell = expandMake(r.text, mk.vars);
    // recipes run in the Makefile's directory (make -C or the directory make is run in)
    if (BUILD_COMMAND.test(shell)) out.push(...declaredOf(shellBuilds(shell, dir, dir), file, r.line, cwd, exists));
  }
  const beside = path.join(dir, 'Dockerfile');
  // an included file's variables name no Dockerfile of their own
  if (dir !== path.dirname(file) || !exists(beside)) return out;
  for (const v of imageNamesOf(mk)) {
    // a recipe that builds the same image says which Dockerfile (and target) it uses
    if (out.some((d) => d.repo === v.repo)) continue;
    out.push({ repo: v.repo, dockerfile: beside, exact: true, how: `${displayPath(file, cwd)}:${v.line} names ${v.name} = ${v.repo}, built from ${displayPath(beside, cwd)} beside it` });
  }
  return out;
}

/**
 * The files a Makefile includes (`include`, `-include`, `sinclude`), resolved against its directory: the names
 * written out or made of its settled variables, not a pattern or a variable set elsewhere.
 */
export function makefileIncludes(file: string, text: string): string[] {
  const mk = readMakefile(text);
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*(?:-include|sinclude|include)[ \t]+([^#\n]*)/gm))
    for (const word of expandMake((m[1] as string).trim(), mk.vars).split(/\s+/)) if (word && !/[$*?[]/.test(word)) out.push(path.resolve(path.dirname(file), word));
  return out;
}

/** The Makefile's image variables, expanded: not one that only prefixes another (`REPO = gcr.io/acme`, `IMAGE = $(REPO)/api`). */
function imageNamesOf(mk: Makefile): { name: string; repo: string; line: number }[] {
  const out: { name: string; repo: string; line: number }[] = [];
  for (const v of mk.imageVars) {
    if (mk.imageVars.some((o) => o !== v && (o.raw.includes(`$(${v.name})`) || o.raw.includes(`\${${v.name}}`)))) continue;
    const value = expandMake(v.raw, mk.vars);
    // an image reference, not a URL or a list
    if (!value || /\s|:\/\/|^[^$\w]/.test(value)) continue;
    out.push({ name: v.name, repo: imageRepo(value), line: v.line });
  }
  return out;
}

/** The last name parts a Makefile gives the Dockerfile beside it, written out (for image-links' name match). */
export function makefileNames(file: string, text: string, exists: (f: string) => boolean): string[] {
  const beside = path.join(path.dirname(file), 'Dockerfile');
  const repos = [
    ...imageNamesOf(readMakefile(text)).map((v) => v.repo),
    ...makefileBuilds(file, text, '/', exists)
      .filter((d) => d.dockerfile === beside)
      .map((d) => d.repo),
  ];
  return repos.map((r) => r.slice(r.lastIndexOf('/') + 1).toLowerCase()).filter((n) => n && !n.includes('$'));
}

// ---------------------------------------------------------------------------------------------------
// Docker Bake files

/**
 * A bake file's targets that tag an image (bake.ts). Paths in it are relative to the directory `docker buildx bake`
 * runs in (docker/buildx#1028), the Dockerfile relative to the context: that is the file's own directory for the
 * names bake looks for there (`docker-bake.hcl`, `docker-bake.override.json`), and for another name (`-f
 * tests/build.hcl`) the file's directory or, where its paths do not exist from there, the repository's top.
 */
/** Where a bake target builds, trying each directory its paths may be relative to; undefined for an inline Dockerfile, a path bake fills at build time or a remote context. */
function bakeTargetWhere(t: BakeTarget, dirs: readonly string[], exists: (f: string) => boolean): { context: string; dockerfile: string } | undefined {
  if (t.inline || `${t.context}${t.dockerfile}`.includes(HOLE) || /^[\w+-]+:\/\//.test(t.context)) return undefined;
  for (const dir of dirs) {
    const context = path.resolve(dir, t.context);
    const dockerfile = path.resolve(context, t.dockerfile);
    if (exists(dockerfile)) return { context, dockerfile };
  }
  return undefined;
}

export function bakeBuilds(file: string, text: string, root: string, cwd: string, exists: (f: string) => boolean): Declared[] {
  if (!looksLikeBake(text)) return [];
  const read = readBake(text);
  if (!read.ok) return [];
  const dirs = [...new Set(/^docker-bake\b/i.test(path.basename(file)) ? [path.dirname(file)] : [path.dirname(file), root])];
  const out: Declared[] = [];
  const byName = new Map(read.targets.map((t) => [t.name, t]));
  for (const t of read.targets) {
    const where = t.tags.length ? bakeTargetWhere(t, dirs, exists) : undefined;
    if (!where) continue;
    // `base = "target:base"`: the build of that target is what FROM base names
    const namedContexts: Record<string, NamedContext> = {};
    for (const [name, value] of Object.entries(t.contexts)) {
      const other = value.startsWith('target:') ? byName.get(value.slice('target:'.length)) : undefined;
      const at = other && bakeTargetWhere(other, dirs, exists);
      if (!other || !at) continue;
      namedContexts[name] = {
        dockerfile: at.dockerfile,
        ...(other.target ? { target: other.target } : {}),
        context: at.context,
        ...(Object.keys(other.args).length ? { buildArgs: other.args } : {}),
        how: `${displayPath(file, cwd)}:${t.line} (bake target "${t.name}") builds ${name} from target "${other.name}", ${displayPath(at.dockerfile, cwd)}`,
      };
    }
    for (const tag of t.tags)
      out.push({
        repo: imageRepo(tag),
        dockerfile: where.dockerfile,
        ...(t.target ? { target: t.target } : {}),
        exact: true,
        context: where.context,
        ...(Object.keys(t.args).length ? { buildArgs: t.args } : {}),
        ...(Object.keys(namedContexts).length ? { namedContexts } : {}),
        ...(tagOf(tag) ? { tag: tagOf(tag) } : {}),
        how: `${displayPath(file, cwd)}:${t.line} (bake target "${t.name}") builds ${untagged(tag)} from ${displayPath(where.dockerfile, cwd)}`,
      });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// GitHub Actions workflows

const s = (y: YamlDoc, n: YNode | null | undefined): string | undefined => scalarString(y, n);

/** A mapping of literal strings (`env:`), later ones over earlier ones. */
function envOf(y: YamlDoc, n: YNode | null | undefined, base: Readonly<Record<string, string>>): Record<string, string> {
  const out = { ...base };
  for (const [k, e] of entries(y, n)) {
    const v = s(y, e.value);
    if (v !== undefined && !v.includes('${{')) out[k] = v;
    else delete out[k];
  }
  return out;
}

/** `${{ env.NAME }}` from the workflow's env; any other expression stands for any text. */
/**
 * The outputs a `run:` step writes (`echo ::set-output name=tags::${TAGS}`, `echo "tags=$TAGS" >> $GITHUB_OUTPUT`), with
 * the script's literal assignments (`DOCKER_IMAGE=acme/api`, `TAGS="${DOCKER_IMAGE}:..."`) substituted, line by line.
 */
function outputsOfRun(run: string): Map<string, string> {
  const vars: Record<string, string> = {};
  const out = new Map<string, string>();
  const sub = (v: string): string => v.replace(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g, (m, a?: string, b?: string) => vars[(a ?? b) as string] ?? m);
  for (const line of run.split('\n')) {
    const t = line.trim();
    const assign = /^(?:export\s+)?([A-Za-z_]\w*)=(?:"([^"]*)"|'([^']*)'|([^\s;&|]*))\s*$/.exec(t);
    if (assign) {
      vars[assign[1] as string] = assign[3] ?? sub(assign[2] ?? assign[4] ?? '');
      continue;
    }
    const set = /::set-output name=([\w-]+)::([^"'\s]*)/.exec(t) ?? /^echo\s+["']?([\w-]+)=([^"'\s]*)["']?\s*>>\s*["']?\$\{?GITHUB_OUTPUT\}?["']?$/.exec(t);
    if (set) out.set(set[1] as string, sub(set[2] as string));
  }
  return out;
}

function expressions(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const m = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    return m && env[m[1] as string] !== undefined ? (env[m[1] as string] as string) : '${_}';
  });
}

const listOf = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/[\n,]/)
    .map((t) => t.trim())
    .filter(Boolean);

function lineOf(y: YamlDoc, n: YNode | null | undefined): number {
  const at = (n as { range?: [number, number, number] } | null | undefined)?.range?.[0];
  return at === undefined ? 1 : positionOf(y.file.text, at).line;
}

/** Bake's default files, read in the repository's root when a workflow names none (`docker buildx bake --help`). */
const BAKE_FILES = ['docker-bake.json', 'docker-bake.hcl', 'docker-bake.override.json', 'docker-bake.override.hcl'];

/**
 * Where a bake target of the repository's bake files builds (`image-all` inheriting `image`, which builds ./Dockerfile):
 * the files a workflow names (paths in the repository; `cwd://` metadata files add only tags), else bake's defaults.
 */
function bakeTargetBuild(
  root: string,
  target: string,
  files: readonly string[],
  readText: ((f: string) => string | undefined) | undefined,
  exists: (f: string) => boolean,
): (Omit<Declared, 'repo' | 'how' | 'exact'> & { line: number; file: string }) | undefined {
  if (!readText || target.includes('$')) return undefined;
  const named = files.filter((f) => !f.includes('://') && !f.includes('$')).map((f) => path.resolve(root, f));
  for (const f of named.length ? named : BAKE_FILES.map((b) => path.resolve(root, b))) {
    const text = exists(f) ? readText(f) : undefined;
    if (text === undefined || !looksLikeBake(text)) continue;
    const read = readBake(text);
    const t = read.ok ? read.targets.find((x) => x.name === target) : undefined;
    const where = t && bakeTargetWhere(t, [path.dirname(f)], exists);
    if (!t || !where) continue;
    return { ...where, ...(t.target ? { target: t.target } : {}), ...(Object.keys(t.args).length ? { buildArgs: t.args } : {}), line: t.line, file: f };
  }
  return undefined;
}

/**
 * `.github/workflows/*.yml`: `docker/build-push-action` steps (context, file, tags, target; tags from a
 * `docker/metadata-action` step's images), `docker/bake-action` steps and Docker's reusable `github-builder` workflows
 * (a bake target named with the metadata's images: librenms/docker publishes librenms/librenms so), and `run:` steps that
 * build (working directory: the repository, or the step's `working-directory`).
 */
export function workflowBuilds(file: string, docs: readonly YamlDoc[], root: string, cwd: string, exists: (f: string) => boolean, readText?: (f: string) => string | undefined): Declared[] {
  const out: Declared[] = [];
  const where = (y: YamlDoc, n: YNode | null | undefined): string => `${displayPath(file, cwd)}:${lineOf(y, n)}`;
  /** Images built from a bake target: one declared build per image name. */
  const bakeImages = (y: YamlDoc, at: YNode | null | undefined, target: string, bakeFiles: readonly string[], images: readonly string[], env: Readonly<Record<string, string>>): void => {
    const b = bakeTargetBuild(root, target, bakeFiles, readText, exists);
    if (!b) return;
    const { line, file: bakeFile, ...build } = b;
    for (const image of images.map((i) => expressions(i, env)).filter((i) => i && !i.includes('$')))
      out.push({
        repo: imageRepo(image),
        ...build,
        exact: true,
        ...(tagOf(image) ? { tag: tagOf(image) } : {}),
        how: `${where(y, at)} builds ${untagged(image)} from bake target "${target}" (${displayPath(bakeFile, cwd)}:${line}), ${displayPath(build.dockerfile, cwd)}`,
      });
  };
  for (const y of docs) {
    const wfEnv = envOf(y, get(y, y.root, 'env')?.value, {});
    const wfDir = s(y, get(y, get(y, get(y, y.root, 'defaults')?.value, 'run')?.value, 'working-directory')?.value);
    for (const [, job] of entries(y, get(y, y.root, 'jobs')?.value)) {
      // a job that calls Docker's reusable bake workflow: `with: target, meta-images` (docker/github-builder)
      const jobUses = s(y, get(y, job.value, 'uses')?.value) ?? '';
      if (/^docker\/github-builder\/\.github\/workflows\/bake\.ya?ml@/.test(jobUses)) {
        const w = get(y, job.value, 'with')?.value;
        const target = s(y, get(y, w, 'target')?.value) ?? 'default';
        bakeImages(y, job.value, target, listOf(s(y, get(y, w, 'files')?.value)), listOf(s(y, get(y, w, 'meta-images')?.value)), wfEnv);
        continue;
      }
      const jobEnv = envOf(y, get(y, job.value, 'env')?.value, wfEnv);
      const jobDir = s(y, get(y, get(y, get(y, job.value, 'defaults')?.value, 'run')?.value, 'working-directory')?.value) ?? wfDir;
      const steps = items(y, get(y, job.value, 'steps')?.value) ?? [];
      const metaImages = new Map<string, string[]>();
      // what earlier `run:` steps give as outputs (a `prep` step that computes the tags)
      const runOutputs = new Map<string, Map<string, string>>();
      for (const step of steps) {
        const id = s(y, get(y, step, 'id')?.value);
        const run = s(y, get(y, step, 'run')?.value);
        if (id && run) runOutputs.set(id, outputsOfRun(expressions(run, envOf(y, get(y, step, 'env')?.value, jobEnv))));
      }
      for (const step of steps) {
        if (!/^docker\/metadata-action@/.test(s(y, get(y, step, 'uses')?.value) ?? '')) continue;
        const id = s(y, get(y, step, 'id')?.value);
        // each line `IMAGE` or `name=IMAGE,enable=...`
        const images = (s(y, get(y, get(y, step, 'with')?.value, 'images')?.value) ?? '').split('\n').map((l) => /(?:^|,)\s*name=([^,\s]+)/.exec(l)?.[1] ?? l.split(',')[0]?.trim() ?? '');
        if (id) metaImages.set(id, images.filter(Boolean));
      }
      for (const step of steps) {
        const env = envOf(y, get(y, step, 'env')?.value, jobEnv);
        const uses = s(y, get(y, step, 'uses')?.value) ?? '';
        // `docker/bake-action` with the metadata step's bake file (`cwd://${{ steps.meta.outputs.bake-file }}`): its images
        if (/^docker\/bake-action@/.test(uses)) {
          const w = get(y, step, 'with')?.value;
          const files = listOf(s(y, get(y, w, 'files')?.value));
          const metaId = files.map((f) => /steps\.([\w-]+)\.outputs\.bake-file/.exec(f)?.[1]).find((x) => x !== undefined);
          const images = metaId !== undefined ? metaImages.get(metaId) : metaImages.size === 1 ? [...metaImages.values()][0] : undefined;
          if (images?.length) for (const target of listOf(s(y, get(y, w, 'targets')?.value) ?? 'default')) bakeImages(y, step, target, files, images, env);
          continue;
        }
        if (/^docker\/build-push-action@/.test(uses)) {
          const w = get(y, step, 'with')?.value;
          const field = (k: string): string | undefined => {
            const v = s(y, get(y, w, k)?.value);
            return v === undefined ? undefined : expressions(v, env);
          };
          const ctxText = field('context');
          const fileText = field('file');
          if ((ctxText ?? '').includes('$') || (fileText ?? '').includes('$')) continue;
          // the default context is the repository at the workflow's commit; `file` is relative to the workspace
          const context = path.resolve(root, ctxText ?? '.');
          const dockerfile = fileText ? path.resolve(root, fileText) : defaultDockerfile(context, exists);
          const target = field('target');
          if (!exists(dockerfile) || (target ?? '').includes('$')) continue;
          const rawTags = s(y, get(y, w, 'tags')?.value);
          const fromStep = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/.exec((rawTags ?? '').trim());
          const meta = fromStep && fromStep[2] === 'tags' ? metaImages.get(fromStep[1] as string) : undefined;
          const output = fromStep ? runOutputs.get(fromStep[1] as string)?.get(fromStep[2] as string) : undefined;
          const tags = meta ? meta.map((i) => expressions(i, env)) : output !== undefined ? listOf(output).filter((t) => !t.startsWith('$')) : listOf(rawTags).map((t) => expressions(t, env));
          for (const tag of tags)
            out.push({
              repo: imageRepo(tag),
              dockerfile,
              ...(target ? { target } : {}),
              exact: true,
              ...(tagOf(tag) ? { tag: tagOf(tag) } : {}),
              how: `${where(y, step)} builds ${untagged(tag)} from ${displayPath(dockerfile, cwd)}`,
            });
          continue;
        }
        const runNode = get(y, step, 'run')?.value;
        const run = s(y, runNode);
        if (!run || !BUILD_COMMAND.test(run)) continue;
        const dir = path.resolve(root, expressions(s(y, get(y, step, 'working-directory')?.value) ?? jobDir ?? '.', env));
        if (dir.includes('$')) continue;
        // a block scalar's text starts on the line after `run: |`
        const base = lineOf(y, runNode) + (/^[|>]/.test(y.file.text.slice((runNode as { range?: number[] }).range?.[0] ?? 0)) ? 1 : 0);
        out.push(...declaredOf(shellBuilds(expressions(run, env), dir, undefined, env), file, base, cwd, exists));
      }
    }
  }
  return out;
}

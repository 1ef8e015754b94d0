/**
 * Which Dockerfile in the repository builds the image a manifest (or a compose service without `build:`)
 * names, in this order, the first that settles it:
 * 1. `--image-map NAME=PATH`;
 * 2. a build the repository declares for that image: skaffold.yaml `build.artifacts` (image, context,
 *    docker.dockerfile, docker.target), cloudbuild.yaml `docker build -t IMAGE ... CONTEXT` steps, compose
 *    services with both `image:` and `build:`, and (declared-builds.ts) Makefiles (recipes' `docker build -t`, an
 *    image variable beside a Dockerfile), shell build scripts and GitHub Actions workflows;
 * 3. a Dockerfile whose directory or suffix is the image's last name part (`ghcr.io/acme/api:1.2` ->
 *    `api/Dockerfile`, `services/api/Dockerfile`, `Dockerfile.api`, `api.Dockerfile`; a variant directory
 *    `phpvirtualbox/arm/Dockerfile` for `phpvirtualbox-arm`; `vimagick/scrapyd:py3` -> `scrapyd/py3/Dockerfile`).
 *    Not for images pid1's table knows (`redis`, `grafana/grafana`): a repository's `redis/Dockerfile` does not
 *    build the `redis` image a manifest pulls.
 * Several different Dockerfiles for one image: none is picked (the message says which).
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeDocument, type Document } from '../document/document.js';
import { DocumentStore } from '../document/store.js';
import { defaultDockerfile, direntsOnce, isFile, readRegularFile } from '../util/files.js';
import { bakeBuilds, type Declared, imageRepo, makefileBuilds, makefileIncludes, makefileNames, markdownBuilds, scriptBuilds, workflowBuilds } from './declared-builds.js';
import { knownImage, ownRegistry, parseImageRef } from './images.js';
import { BUILD_VALUE_FLAGS } from './shell-builds.js';
import { displayPath } from '../document/document.js';
import { unparsedKind } from './kubernetes/pods.js';
import { entries, get, items, parseYamlStream, scalarString, type YamlDoc, type YNode } from './yaml.js';
import type { SourceOptions } from './launch.js';

/**
 * The options a linked Dockerfile is read with: the context, target and build args its declared build gives (build args
 * given to pid1 itself win), over the options of the file that named the image.
 */
export function linkedBuildOptions(opts: SourceOptions, link: ImageLink): SourceOptions {
  return {
    ...opts,
    context: link.context,
    ...(link.target ? { target: link.target } : { target: undefined }),
    ...(link.buildArgs ? { buildArgs: { ...link.buildArgs, ...opts.buildArgs } } : {}),
  };
}

export interface ImageLink {
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /** Build target stage, from `--image-map NAME=PATH:STAGE`... (`#STAGE`). */
  target?: string;
  /** The build context the repository's build declares (absolute), when it gives one. */
  context?: string;
  /** Build arguments the repository's build passes. */
  buildArgs?: Record<string, string>;
  how: string;
}

/** The link a declared build (or a named context one declares) makes: its Dockerfile, stage, context and args. */
function linkOf(d: Pick<Declared, 'dockerfile' | 'target' | 'context' | 'buildArgs' | 'how'>, how = d.how): ImageLink {
  return { dockerfile: d.dockerfile, ...(d.target ? { target: d.target } : {}), ...(d.context ? { context: d.context } : {}), ...(d.buildArgs ? { buildArgs: d.buildArgs } : {}), how };
}

interface ImageLinkResult {
  link?: ImageLink;
  /** Several Dockerfiles matched by name, or several builds the repository declares (`declared`: what each says). */
  ambiguous?: string[];
  declared?: string[];
  /** Not linked: the image's version tag is older than another the repository names for the same image. */
  older?: { tag: string; newer: string };
}

const DOCKERFILE = /^(Dockerfile|Containerfile)([.-].+)?$|\.(Dockerfile|Containerfile)$/i;
const SKAFFOLD = /^skaffold(\.[\w-]+)?\.ya?ml$/i;
const CLOUDBUILD = /^cloudbuild(\.[\w-]+)?\.ya?ml$/i;
const COMPOSE = /^(compose|docker-compose)([.-][^/\\]+)?\.ya?ml$/i;
const MAKEFILE = /^(GNUmakefile|[Mm]akefile)$/;
/** Docker Bake files: the names bake looks for (`docker-bake.hcl`, `docker-bake.override.json`) and others given with -f (`tests/build.hcl`). */
const BAKE = /^([\w.-]*bake[\w.-]*\.(hcl|json)|build[\w.-]*\.hcl)$/i;
/** A makefile another includes (`include scripts/makefiles/Docker.mk`): its recipes run where the includer's do. */
const INCLUDED_MAKEFILE = /^[\w.-]+\.mk$/;
/** Shell build scripts: `*.sh`, and the usual names of extensionless ones. */
const SCRIPT = /\.(sh|bash)$|^(build|docker-build|build-docker|build-images?)$/i;
const WORKFLOW = /\.ya?ml$/i;
const MARKDOWN = /\.(md|markdown|adoc|asciidoc)$/i;
/** READMEs read for build commands (a documentation tree has hundreds; the first are the ones near the top). */
const MAX_DOCS = 200;
const SKIP_DIRS = new Set(['node_modules', '.git', 'vendor', '.venv', 'venv', '__pycache__', 'dist', 'build', 'target', '.terraform']);
/**
 * Of those, the ones a Dockerfile collection also uses for its images (phalcon/dockerfiles' build/ubuntu-focal/):
 * looked into two levels deep only, so that a build tool's output tree costs a listing or two, not the entry budget.
 */
const SHALLOW_DIRS = new Set(['build']);
const MAX_ENTRIES = 20_000;
/** Build files read for declarations (each is small; a monorepo has a few hundred at most). */
const MAX_BUILD_FILES = 500;
/** Shell scripts read for a build command (most have none: a text test first, then the shell parser). */
const MAX_BUILD_SCRIPTS = 500;
/** Makefiles and scripts larger than this are not read for builds. */
const MAX_SCRIPT_BYTES = 256 * 1024;

interface RepoFiles {
  dockerfiles: string[];
  /** skaffold, cloudbuild and compose files, Makefiles (and the `*.mk` files they include) and the root's GitHub Actions workflows. */
  buildFiles: string[];
  /** Shell scripts that may build an image. */
  scripts: string[];
  /** Every YAML file (manifests, compose, values): where the repository names its images' tags. */
  yamls: string[];
  /** Markdown files (READMEs): their shell code blocks may be the only place an image is built. */
  docs: string[];
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * What the linkers of one run share: a directory listed, a build file read, a repository root found once for
 * all of them (a tree without .git makes each manifest folder a root of its own, and their searches overlap).
 */
class RunShare {
  private readonly listings = new Map<string, fs.Dirent[] | null>();
  readonly declared = new Map<string, Declared[]>();
  readonly roots = new Map<string, string>();
  private readonly gits = new Map<string, boolean>();
  constructor(
    /** Reads a build file as a document, under the run's rules (the document store). */
    readonly read?: (file: string, kind: 'compose' | 'kubernetes') => Document | undefined,
    /** Lists a directory (the store, which has the walk's listings). */
    private readonly entries?: (dir: string) => fs.Dirent[] | null,
    /** Reads a small text file (a Makefile, a script) under the run's rules. */
    private readonly readText?: (file: string, limit: number) => string | undefined,
  ) {}

  text(file: string): string | undefined {
    if (this.readText) return this.readText(file, MAX_SCRIPT_BYTES);
    const r = readRegularFile(file, MAX_SCRIPT_BYTES);
    return r.ok ? r.snap.bytes.toString('utf8') : undefined;
  }

  /** Whether a directory has .git (the folders of one tree share their parents). */
  readonly hasGit = (dir: string): boolean => {
    let has = this.gits.get(dir);
    if (has === undefined) {
      has = fs.existsSync(path.join(dir, '.git'));
      this.gits.set(dir, has);
    }
    return has;
  };

  list(dir: string): fs.Dirent[] | null {
    return this.entries ? this.entries(dir) : direntsOnce(this.listings, dir);
  }
}

/** A bounded search for Dockerfiles and build files under root (used when the run did not walk the repository itself). */
function findRepoFiles(root: string, share: RunShare, maxDepth = 8): RepoFiles {
  const out: RepoFiles = { dockerfiles: [], buildFiles: [], scripts: [], yamls: [], docs: [] };
  let seen = 0;
  let realRoot = root;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    /* the root as given */
  }
  const visit = (dir: string, depth: number, limit = maxDepth): void => {
    if (depth > limit || seen > MAX_ENTRIES) return;
    const ents = share.list(dir);
    if (!ents) return;
    for (const e of ents) {
      if (++seen > MAX_ENTRIES) return;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) visit(path.join(dir, e.name), depth + 1, limit);
        else if (SHALLOW_DIRS.has(e.name)) visit(path.join(dir, e.name), depth + 1, Math.min(limit, depth + 2));
        // GitHub reads workflows from the repository's top only
        else if (depth === 0 && e.name === '.github') workflows(path.join(dir, e.name, 'workflows'));
      } else if (e.isSymbolicLink() && depth < maxDepth && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) {
        // a version directory linked to another of the tree (webdevops' docker/php/8.1 -> ../php-official/8.1) builds
        // that directory's Dockerfile under the link's name; a link out of the tree is not followed
        const alias = path.join(dir, e.name);
        let real: string | undefined;
        try {
          // (stat, not open: a link to a FIFO or a device is never opened)
          real = fs.realpathSync(alias);
          if (!fs.statSync(real).isDirectory()) real = undefined;
        } catch {
          real = undefined;
        }
        if (real?.startsWith(`${realRoot}${path.sep}`)) {
          const inside = share.list(real)?.find((x) => x.isFile() && /^(dockerfile|containerfile)$/i.test(x.name));
          if (inside) out.dockerfiles.push(path.join(alias, inside.name));
        }
      } else if (!e.isFile()) continue;
      else if (DOCKERFILE.test(e.name)) out.dockerfiles.push(path.join(dir, e.name));
      else if (SCRIPT.test(e.name)) out.scripts.push(path.join(dir, e.name));
      else {
        if (SKAFFOLD.test(e.name) || CLOUDBUILD.test(e.name) || COMPOSE.test(e.name) || MAKEFILE.test(e.name) || INCLUDED_MAKEFILE.test(e.name) || BAKE.test(e.name))
          out.buildFiles.push(path.join(dir, e.name));
        if (YAML_FILE.test(e.name)) out.yamls.push(path.join(dir, e.name));
        if (MARKDOWN.test(e.name)) out.docs.push(path.join(dir, e.name));
      }
    }
  };
  const workflows = (dir: string): void => {
    for (const e of share.list(dir) ?? []) if (e.isFile() && WORKFLOW.test(e.name)) out.buildFiles.push(path.join(dir, e.name));
  };
  visit(root, 0);
  out.dockerfiles.sort();
  out.buildFiles.sort();
  out.scripts.sort();
  out.yamls.sort();
  out.docs.sort();
  return out;
}

/**
 * The build args every one of several builds of one Dockerfile passes with the same value (bake's php83-apache and
 * php82-apache targets both pass FROM_IMAGE=slim, each its own PHP_VERSION): those are the image's whichever build made
 * it. Undefined when none agree.
 */
function agreedArgs(sets: readonly Readonly<Record<string, string>>[]): Record<string, string> | undefined {
  const [first, ...rest] = sets;
  if (!first) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((s) => s[k] === v)) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** A release version tag (`v0.6.10`, `1.2`, `2.0.1-alpine`): its numbers, or undefined for `latest`, `main`, `3`. */
function versionOf(tag: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+){1,3})(?:[-+_][\w.-]*)?$/i.exec(tag);
  return m ? (m[1] as string).split('.').map(Number) : undefined;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** YAML files larger than this are not scanned for image tags (custom resource definitions, vendored charts). */
const MAX_TAG_SCAN = 256 * 1024;
const IMAGE_LINE = /^[ \t]*(?:-[ \t]+)?["']?image["']?[ \t]*:[ \t]*["']?([^\s"'#{}]+)/gm;

/** Every image the repository's YAML names (with no expansion in it): its last name part and its tag, read once. */
function imageRefsIn(yamls: readonly string[]): { last: string; tag: string }[] {
  const out: { last: string; tag: string }[] = [];
  for (const f of yamls) {
    const r = readRegularFile(f, MAX_TAG_SCAN);
    if (!r.ok) continue;
    for (const m of r.snap.bytes.toString('utf8').matchAll(IMAGE_LINE)) {
      const ref = m[1] as string;
      if (ref.includes('$')) continue;
      const { repository, tag } = parseImageRef(ref);
      out.push({ last: repository.slice(repository.lastIndexOf('/') + 1), tag });
    }
  }
  return out;
}

/** The version tags the repository's YAML names for each image (by its last name part). */
function tagsByName(refs: readonly { last: string; tag: string }[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { last, tag } of refs) {
    if (!versionOf(tag)) continue;
    let tags = out.get(last);
    if (!tags) out.set(last, (tags = new Set()));
    tags.add(tag);
  }
  return out;
}

/**
 * The repository root: the nearest directory with .git above `from`; without one (an exported tree), the
 * working directory when `from` is under it, else `from`.
 */
export function repoRoot(from: string, cwd = process.cwd(), hasGit = (dir: string): boolean => fs.existsSync(path.join(dir, '.git'))): string {
  let dir = path.resolve(from);
  for (let i = 0; i < 64; i++) {
    if (hasGit(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const abs = path.resolve(from);
  const base = path.resolve(cwd);
  return abs === base || abs.startsWith(`${base}${path.sep}`) ? base : abs;
}

function imageNames(image: string): { full: string; repo: string; last: string } {
  const r = parseImageRef(image);
  return { full: image.trim(), repo: imageRepo(image), last: r.repository.slice(r.repository.lastIndexOf('/') + 1) };
}

const VAR = /\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/;

/**
 * Whether a declared build's image (`${_REGISTRY}/api`, `gcr.io/$PROJECT_ID/api`, `frontend`) is the image a
 * manifest names. A variable stands for any text (a registry variable may hold several path parts); the last
 * path part must be written out. A manifest's bare name (`api`, which skaffold or kustomize rewrites) matches
 * the declared image's last path part; for a build a script, Makefile or workflow declares (`exact`), only the
 * same bare name.
 */
function declaredMatches(d: Declared, repo: string): boolean {
  const declared = d.repo;
  const last = declared.slice(declared.lastIndexOf('/') + 1);
  if (!last || VAR.test(last)) return false;
  if (!repo.includes('/')) return (d.exact ? declared : last).toLowerCase() === repo;
  let re = declaredPatterns.get(declared);
  if (!re) {
    const body = declared
      .split(new RegExp(VAR.source, 'g'))
      .map((part) => part.replace(/[.+^${}()|[\]\\*?]/g, '\\$&'))
      .join('.+');
    re = new RegExp(`^${body}$`, 'i');
    declaredPatterns.set(declared, re);
  }
  return re.test(repo);
}

/** A declared image's pattern, made once (a collection's Makefiles declare hundreds; every link asks). */
const declaredPatterns = new Map<string, RegExp>();

/**
 * The last path part a declared build can match by (lowercase): the part after the last slash is always written
 * out (declaredMatches), and a manifest's image matches only a declaration with that same last part.
 */
function lastPart(repo: string): string {
  return repo.slice(repo.lastIndexOf('/') + 1).toLowerCase();
}

/**
 * The names a Dockerfile can be linked by (its suffix, or its directory and variant directory), lowercase:
 * `api.Dockerfile` and `Dockerfile.api` -> api; `api/Dockerfile` -> api; `phpvirtualbox/arm/Dockerfile` -> arm
 * and phpvirtualbox-arm.
 */
function namesOf(f: string, root: string): { names: string[]; bySuffix: boolean } {
  const base = path.basename(f).toLowerCase();
  const suffix = /^(?:dockerfile|containerfile)[.-](.+)$/.exec(base)?.[1] ?? /^(.+)\.(?:dockerfile|containerfile)$/.exec(base)?.[1];
  if (suffix !== undefined) return { names: [suffix], bySuffix: true };
  if (!/^(dockerfile|containerfile)$/.test(base)) return { names: [], bySuffix: false };
  const dir = path.basename(path.dirname(f)).toLowerCase();
  const parent = path.basename(path.dirname(path.dirname(f))).toLowerCase();
  // a version directory (`nginx-php/7.1/`, `cuda-theano/cuda_v7.5/`) is a build of its parent's image, at that version;
  // a directory kept for the container files (`app-auth-proxy/docker/`) is its parent's (not the repository's own top)
  const top = path.resolve(root);
  const parentsOwn = VERSION_DIR.test(dir) || (CONTAINER_DIR.test(dir) && path.dirname(path.dirname(path.resolve(f))) !== top);
  // a name that joins a directory further up to the build's own (`diamol/ch04-access-log` for
  // ch04/exercises/access-log/Dockerfile): each directory above the parent, up to the repository's top
  const above: string[] = [];
  for (let d = path.dirname(path.dirname(path.dirname(path.resolve(f)))), i = 0; i < ABOVE_LEVELS && d.startsWith(`${top}${path.sep}`); d = path.dirname(d), i++) {
    above.push(`${path.basename(d).toLowerCase()}-${dir}`);
  }
  // the repository's own Dockerfile at its top, in a checkout named for the image with a docker- prefix or a -docker
  // suffix (crazy-max/docker-rtorrent-rutorrent builds crazymax/rtorrent-rutorrent, netbox-docker netbox)
  const project = path.dirname(path.resolve(f)) === top ? dir.replace(/^docker[-_](?=.)|(?<=.)[-_]docker$/, '') : dir;
  return { names: [dir, `${parent}-${dir}`, ...above, ...(parentsOwn ? [parent] : []), ...(project !== dir ? [project] : [])], bySuffix: false };
}

/** How many directories above a Dockerfile's parent may name its image with the Dockerfile's own directory. */
const ABOVE_LEVELS = 3;

/** Directories that hold an application's container build and say nothing of its name: `app/docker/Dockerfile`. */
const CONTAINER_DIR = /^(?:\.?docker|container|deploy)$/;

/** A directory named for a version: `7.1`, `v2`, `cuda_v7.5` (a version at its end, after `_`, `-` or `v`). */
const VERSION_DIR = /(^|[_-])v?\d+(\.\d+)*$/;

/** Does a version directory hold the build of this tag (`7.1` in `7.1/` or `cuda_v7.5/`)? */
function dirHoldsTag(file: string, tag: string): boolean {
  const dir = path.basename(path.dirname(file)).toLowerCase();
  const t = tag.toLowerCase().replace(/^v/, '');
  return VERSION_DIR.test(dir) && (dir === t || dir.replace(/^.*?(?:^|[_-])v?(?=\d)/, '') === t);
}

/**
 * The directory's Makefile tags the image it builds with another name (`IMAGE = $(REGISTRY)/gb-redisslave` in
 * `redis-slave/`): the directory's name says nothing then (kubernetes/examples' guestbook builds gb-redisslave
 * there, while the manifests of guestbook-go pull registry.k8s.io/redis-slave, built elsewhere).
 */
function makefileNamesOther(dir: string, name: string, share: RunShare): boolean {
  const file = path.join(dir, 'Makefile');
  // a regular file only, as findRepoFiles lists them (a symlink is not followed on pid1's own initiative)
  if (!share.list(dir)?.some((e) => e.name === 'Makefile' && e.isFile())) return false;
  const text = share.text(file);
  // the same reading as the Makefile's declarations (declared-builds.ts): image variables and recipe tags
  const literal = text === undefined ? [] : makefileNames(file, text, isFile);
  return literal.length > 0 && !literal.includes(name);
}

/** Images named PREFIX + a directory's name that make PREFIX the repository's naming rule (linkPrefixed). */
const PREFIX_FAMILY = 3;

/** Build files larger than this are not read (each is small). */
const MAX_BUILD_FILE = 1024 * 1024;

function yamlDocs(file: string, share: RunShare, kind: 'compose' | 'kubernetes'): YamlDoc[] {
  // a build file of the repository under lint: a regular file of at most 1 MiB (util/files.ts says why)
  if (share.read) {
    // through the run's store: a compose file or skaffold.yaml the run lints too is read and parsed once
    const doc = share.read(file, kind);
    if (!doc || Buffer.byteLength(doc.text, 'utf8') > MAX_BUILD_FILE) return [];
    return (kind === 'kubernetes' ? parseYamlStream(doc, unparsedKind) : parseYamlStream(doc)).docs;
  }
  const r = readRegularFile(file, MAX_BUILD_FILE);
  return r.ok ? parseYamlStream(makeDocument(file, r.snap.bytes.toString('utf8'), 'kubernetes', file)).docs : [];
}

const s = (y: YamlDoc, n: YNode | null | undefined): string | undefined => scalarString(y, n);

/** skaffold.yaml: `build.artifacts[]` and each profile's (context relative to the file). */
function skaffoldBuilds(file: string, cwd: string, share: RunShare): Declared[] {
  const out: Declared[] = [];
  const dir = path.dirname(file);
  for (const y of yamlDocs(file, share, 'kubernetes')) {
    const builds = [get(y, y.root, 'build')?.value, ...(items(y, get(y, y.root, 'profiles')?.value) ?? []).map((p) => get(y, p, 'build')?.value)];
    for (const b of builds) {
      for (const a of items(y, get(y, b, 'artifacts')?.value) ?? []) {
        const image = s(y, get(y, a, 'image')?.value);
        if (!image) continue;
        const docker = get(y, a, 'docker')?.value;
        const context = path.resolve(dir, s(y, get(y, a, 'context')?.value) ?? '.');
        const named = s(y, get(y, docker, 'dockerfile')?.value);
        const dockerfile = named !== undefined ? path.resolve(context, named) : defaultDockerfile(context);
        const target = s(y, get(y, docker, 'target')?.value);
        // `requires: [{image: base, alias: BASE}]` passes the required artifact's image as build arg BASE (skaffold.dev
        // docs, artifact dependencies); `docker.buildArgs` passes literal ones
        const buildArgs: Record<string, string> = {};
        for (const [k, v] of entries(y, get(y, docker, 'buildArgs')?.value)) {
          const value = s(y, v.value);
          if (value !== undefined && !value.includes('{{')) buildArgs[k] = value;
        }
        for (const r of items(y, get(y, a, 'requires')?.value) ?? []) {
          const alias = s(y, get(y, r, 'alias')?.value);
          const required = s(y, get(y, r, 'image')?.value);
          if (alias && required) buildArgs[alias] = required;
        }
        const args = Object.keys(buildArgs).length ? { buildArgs } : {};
        if (isFile(dockerfile))
          out.push({ repo: imageNames(image).repo, dockerfile, ...(target ? { target } : {}), ...args, how: `${displayPath(file, cwd)} builds ${image} from ${displayPath(dockerfile, cwd)}` });
      }
    }
  }
  return out;
}

/** cloudbuild.yaml: `docker build -t IMAGE [-f FILE] [--target T] CONTEXT` steps (dir relative to the build's source root). */
function cloudBuilds(file: string, root: string, cwd: string, share: RunShare): Declared[] {
  const out: Declared[] = [];
  for (const y of yamlDocs(file, share, 'kubernetes')) {
    for (const step of items(y, get(y, y.root, 'steps')?.value) ?? []) {
      const name = s(y, get(y, step, 'name')?.value) ?? '';
      if (!/(^|\/)(docker|cloud-builders\/docker)(:[\w.-]+)?$/.test(name)) continue;
      const args = (items(y, get(y, step, 'args')?.value) ?? []).map((a) => s(y, a) ?? '');
      if (args[0] !== 'build') continue;
      const tags: string[] = [];
      const positional: string[] = [];
      let dockerfileArg: string | undefined;
      let target: string | undefined;
      for (let i = 1; i < args.length; i++) {
        const a = args[i] as string;
        const value = (flag: string): string | undefined => (a === flag ? args[++i] : a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined);
        const t = value('-t') ?? value('--tag');
        if (t !== undefined) {
          tags.push(t);
          continue;
        }
        const f = value('-f') ?? value('--file');
        if (f !== undefined) {
          dockerfileArg = f;
          continue;
        }
        const tg = value('--target');
        if (tg !== undefined) {
          target = tg;
          continue;
        }
        if (a.startsWith('-')) {
          if (!a.includes('=') && BUILD_VALUE_FLAGS.has(a)) i++;
          continue;
        }
        positional.push(a);
      }
      const context = positional[positional.length - 1];
      if (!context || !tags.length) continue;
      const stepDir = s(y, get(y, step, 'dir')?.value) ?? '.';
      // the build's source root is usually the repository; a config submitted from its own folder is relative to it
      const bases = [root, path.dirname(file)].map((b) => path.resolve(b, stepDir, context));
      for (const ctx of bases) {
        const dockerfile = dockerfileArg !== undefined ? path.resolve(ctx, dockerfileArg) : defaultDockerfile(ctx);
        if (!isFile(dockerfile)) continue;
        for (const tag of tags)
          out.push({
            repo: imageNames(tag).repo,
            dockerfile,
            ...(target ? { target } : {}),
            how: `${displayPath(file, cwd)} builds ${tag.replace(/:[^:/]*$/, '')} from ${displayPath(dockerfile, cwd)}`,
          });
        break;
      }
    }
  }
  return out;
}

/** Compose services with both `image:` and `build:`: the build makes that image. */
function composeBuilds(file: string, cwd: string, share: RunShare): Declared[] {
  const out: Declared[] = [];
  const dir = path.dirname(file);
  const y = yamlDocs(file, share, 'compose')[0];
  if (!y) return out;
  for (const [, svc] of entries(y, get(y, y.root, 'services')?.value)) {
    const image = s(y, get(y, svc.value, 'image')?.value);
    const build = get(y, svc.value, 'build')?.value;
    if (!image || !build || /\$\{?[A-Za-z_]/.test(image)) continue;
    const asString = s(y, build);
    const context = asString ?? s(y, get(y, build, 'context')?.value) ?? '.';
    if (/^[a-z]+:\/\//i.test(context) || context.includes('$')) continue;
    const ctx = path.resolve(dir, context);
    const named = asString === undefined ? s(y, get(y, build, 'dockerfile')?.value) : undefined;
    const dockerfile = named !== undefined ? path.resolve(ctx, named) : defaultDockerfile(ctx);
    const target = asString === undefined ? s(y, get(y, build, 'target')?.value) : undefined;
    if (isFile(dockerfile))
      out.push({ repo: imageNames(image).repo, dockerfile, ...(target ? { target } : {}), how: `${displayPath(file, cwd)} builds ${image} from ${displayPath(dockerfile, cwd)}` });
  }
  return out;
}

export class ImageLinker {
  private files: RepoFiles | undefined;
  private declared: Declared[] | undefined;
  private byLast: Map<string, Declared[]> | undefined;
  private byName: Map<string, { file: string; bySuffix: boolean }[]> | undefined;
  private tags: Map<string, Set<string>> | undefined;
  private yamlRefs: { last: string; tag: string }[] | undefined;
  private yamlImages: Set<string> | undefined;
  /** Links by image and folder: a manifest folder names the same images again and again. */
  private readonly links = new Map<string, ImageLinkResult>();

  /**
   * @param map `--image-map` entries: NAME (full ref, repository, or last path part) -> Dockerfile path (`#STAGE` for a target).
   * @param dockerfiles Dockerfiles found by the run's walk (then no build files are read), or undefined to search `root` when first needed.
   * @param share what the run's linkers share (linkerFor); a linker made on its own has its own.
   */
  constructor(
    private readonly map: Readonly<Record<string, string>>,
    dockerfiles: readonly string[] | undefined,
    private readonly root: string,
    private readonly cwd = process.cwd(),
    private readonly share = new RunShare(),
  ) {
    if (dockerfiles) this.files = { dockerfiles: [...dockerfiles], buildFiles: [], scripts: [], yamls: [], docs: [] };
  }

  private repoFiles(): RepoFiles {
    this.files ??= findRepoFiles(this.root, this.share);
    return this.files;
  }

  /**
   * A newer version tag the repository names for the same image (`frontend:v0.5.11@sha256:...` in an old
   * example, while the main manifests pull `frontend:v0.6.10@sha256:...`): today's Dockerfile built the newest
   * release, not the build the older digest pins, so that reference is not linked to it.
   */
  private newerTag(last: string, tag: string): string | undefined {
    const mine = versionOf(tag);
    if (!mine) return undefined;
    this.tags ??= tagsByName(this.imageRefs());
    let newest: { tag: string; v: number[] } | undefined;
    for (const t of this.tags.get(last) ?? []) {
      const v = versionOf(t) as number[];
      if (compareVersions(v, mine) > 0 && (!newest || compareVersions(v, newest.v) > 0)) newest = { tag: t, v };
    }
    return newest?.tag;
  }

  /** The declarations by the last part of their image (lastPart), in declaration order. */
  private declaredByLast(): Map<string, Declared[]> {
    if (this.byLast) return this.byLast;
    this.byLast = new Map();
    for (const d of this.declarations()) {
      const key = lastPart(d.repo);
      const list = this.byLast.get(key);
      if (list) list.push(d);
      else this.byLast.set(key, [d]);
    }
    return this.byLast;
  }

  /** The repository's Dockerfiles by the names they can be linked by (namesOf), in the sorted order of the search. */
  private dockerfilesByName(): Map<string, { file: string; bySuffix: boolean }[]> {
    if (this.byName) return this.byName;
    this.byName = new Map();
    for (const file of this.repoFiles().dockerfiles) {
      const { names, bySuffix } = namesOf(file, this.root);
      for (const n of new Set(names)) {
        const list = this.byName.get(n);
        if (list) list.push({ file, bySuffix });
        else this.byName.set(n, [{ file, bySuffix }]);
      }
    }
    return this.byName;
  }

  /**
   * The build args the repository's declared builds of `dockerfile` pass (skaffold's `requires` aliases), when they all
   * pass the same: a Dockerfile linted on its own is built that way (`FROM $BASE`).
   */
  declaredBuildArgs(dockerfile: string): Record<string, string> | undefined {
    const abs = path.resolve(dockerfile);
    const mine = this.declarations().filter((d) => path.resolve(d.dockerfile) === abs);
    return agreedArgs(mine.map((d) => d.buildArgs ?? {}));
  }

  /**
   * `FROM NAME` in a Dockerfile whose declared builds give NAME as a named context that is another of the repository's
   * builds (bake's `contexts = { NAME = "target:OTHER" }`): that build, when every declaration of the Dockerfile that names
   * NAME agrees on its Dockerfile and stage (thecodingmachine's php83-apache and php82-apache both build `slim` from
   * Dockerfile.slim.apache), with the build args they all pass alike.
   */
  namedContext(dockerfile: string, name: string): ImageLink | undefined {
    const abs = path.resolve(dockerfile);
    const named = this.declarations().flatMap((d) => (path.resolve(d.dockerfile) === abs && d.namedContexts?.[name] ? [d.namedContexts[name]] : []));
    const first = named[0];
    if (!first || new Set(named.map((n) => `${n.dockerfile}#${n.target ?? ''}#${n.context}`)).size !== 1) return undefined;
    const buildArgs = agreedArgs(named.map((n) => n.buildArgs ?? {}));
    return linkOf({ ...first, buildArgs });
  }

  private declarations(): Declared[] {
    if (this.declared) return this.declared;
    const out: Declared[] = [];
    const files = this.repoFiles();
    for (const f of [...files.buildFiles.slice(0, MAX_BUILD_FILES), ...files.scripts.slice(0, MAX_BUILD_SCRIPTS)]) {
      const name = path.basename(f);
      const cloud = CLOUDBUILD.test(name) && !SKAFFOLD.test(name);
      // a cloudbuild step's folder is relative to the root as well
      const key = `${f}\0${this.cwd}${cloud ? `\0${this.root}` : ''}`;
      let builds = this.share.declared.get(key);
      if (!builds) {
        builds = this.declaredIn(f, name, cloud);
        this.share.declared.set(key, builds);
      }
      out.push(...builds);
    }
    // READMEs: only for images no build file declares (a Makefile or script says it better)
    const declaredNames = new Set(out.map((d) => lastPart(d.repo)));
    for (const f of files.docs.slice(0, MAX_DOCS)) {
      const text = this.share.text(f);
      if (text === undefined || text.length > MAX_SCRIPT_BYTES) continue;
      for (const d of markdownBuilds(f, text, this.cwd, isFile)) if (!declaredNames.has(lastPart(d.repo))) out.push(d);
    }
    this.declared = out;
    return out;
  }

  private declaredIn(f: string, name: string, cloud: boolean): Declared[] {
    if (SKAFFOLD.test(name)) return skaffoldBuilds(f, this.cwd, this.share);
    if (cloud) return cloudBuilds(f, this.root, this.cwd, this.share);
    if (COMPOSE.test(name)) return composeBuilds(f, this.cwd, this.share);
    if (path.basename(path.dirname(f)) === 'workflows' && path.basename(path.dirname(path.dirname(f))) === '.github')
      return workflowBuilds(f, yamlDocs(f, this.share, 'kubernetes'), path.dirname(path.dirname(path.dirname(f))), this.cwd, isFile, (t) => this.share.text(t));
    const text = this.share.text(f);
    if (text === undefined) return [];
    if (INCLUDED_MAKEFILE.test(name)) return this.includers(f).flatMap((dir) => makefileBuilds(f, text, this.cwd, isFile, dir));
    if (BAKE.test(name)) return bakeBuilds(f, text, this.root, this.cwd, isFile);
    return MAKEFILE.test(name) ? makefileBuilds(f, text, this.cwd, isFile) : scriptBuilds(f, text, this.cwd, isFile);
  }

  /**
   * The directories an included makefile's recipes run in: those of the repository's Makefiles that include it
   * (make reads an included file in place, and runs every recipe in the directory make runs in); its own
   * directory when none does (`make -f x.mk`).
   */
  private includers(mk: string): string[] {
    const dirs = new Set<string>();
    for (const f of this.repoFiles().buildFiles) {
      if (!MAKEFILE.test(path.basename(f))) continue;
      const text = this.share.text(f);
      if (text !== undefined && makefileIncludes(f, text).includes(mk)) dirs.add(path.dirname(f));
    }
    return dirs.size ? [...dirs] : [path.dirname(mk)];
  }

  /**
   * @param near only Dockerfiles under this directory count for the name match (a compose file's own folder:
   *   `gotify/server` must not link to some other project's `server/Dockerfile` elsewhere in a collection).
   * @param from the folder of the file that names the image: of several builds the repository declares for it, the one
   *   in that folder's subtree (default: beside, else near).
   */
  link(image: string, near?: string, beside?: string, from?: string, exclude?: string): ImageLinkResult {
    const key = `${image}\0${near ?? ''}\0${beside ?? ''}\0${from ?? ''}\0${exclude ?? ''}`;
    let r = this.links.get(key);
    if (!r) {
      r = this.linkNow(image, near, beside, from, exclude);
      this.links.set(key, r);
    }
    return r;
  }

  private linkNow(image: string, near?: string, beside?: string, from?: string, exclude?: string): ImageLinkResult {
    const r = this.linkByRepository(image, near, beside, from, exclude);
    if (!r.link || r.link.how.startsWith('--image-map')) return r;
    // only a digest pins a past build for sure: a tag (`hello-app:1.0`) may be rebuilt from today's source
    const { tag, digest } = parseImageRef(image);
    if (!digest) return r;
    const newer = this.newerTag(imageNames(image).last.toLowerCase(), tag);
    return newer ? { older: { tag, newer } } : r;
  }

  // (`exclude`: a Dockerfile that is not a candidate, the one asking for its own base)
  private linkByRepository(image: string, near?: string, beside?: string, from = beside ?? near, exclude?: string): ImageLinkResult {
    const candidate = (f: string): boolean => exclude === undefined || path.resolve(f) !== exclude;
    const n = imageNames(image);
    for (const key of [n.full, n.repo, n.last]) {
      const to = this.map[key];
      if (to === undefined) continue;
      const [p, target] = to.split('#') as [string, string | undefined];
      let abs = path.resolve(this.cwd, p);
      try {
        if (fs.statSync(abs).isDirectory()) abs = defaultDockerfile(abs);
      } catch {
        /* reported when read */
      }
      return { link: { dockerfile: abs, ...(target ? { target } : {}), how: `--image-map ${key}=${to}` } };
    }
    if (!n.last || image.includes('$')) return {};
    // a build the repository declares for exactly this image
    let declared = (this.declaredByLast().get(n.last.toLowerCase()) ?? []).filter((d) => declaredMatches(d, n.repo) && candidate(d.dockerfile));
    const { tag, registry, repository } = parseImageRef(image);
    // an image pid1's table knows (`redis`, `grafana/grafana`, distroless) is published elsewhere, not built here
    // ... unless a registry of the repository's own names it: `reg.g5d.dev/alpine` beside alpine/Containerfile is that build
    const knownName = knownImage(n.repo);
    const elsewhere = knownName && !ownRegistry(registry);
    // a name pid1's table knows, built here under a tag of the repository's own (greshem's mariadb/build.sh: `docker build
    // -t mariadb:centos7`): only that tag is this build; `mariadb:10.1.21` in a compose file is the official release
    if (elsewhere) declared = declared.filter((d) => (d.tag ?? 'latest') === tag);
    const name = n.last.toLowerCase();
    const under = near ? `${path.resolve(near)}${path.sep}` : undefined;
    // one image, a directory per tag under the image's own (`instructure/core:jammy` -> core/jammy/Dockerfile,
    // `phalconphp/build:ubuntu-focal` -> build/ubuntu-focal/Dockerfile): the name and the tag both say which, before any
    // match by name alone (build/ubuntu-focal-8.0/ is a version directory of `build` too) and before a declared build
    // that does not name this tag (bootstrap/centos-7/Makefile's `-t $(NAME):$(VERSION)`)
    if (!elsewhere && tag !== 'latest' && /^[a-z][\w.-]*$/i.test(tag) && !declared.some((d) => d.tag === tag)) {
      const byTagDir = (this.dockerfilesByName().get(tag.toLowerCase()) ?? []).filter(
        (d) => !d.bySuffix && path.basename(path.dirname(path.dirname(d.file))).toLowerCase() === name && (!under || d.file.startsWith(under)) && candidate(d.file),
      );
      if (byTagDir.length === 1) return this.tagLink(n.last, tag, (byTagDir[0] as { file: string }).file);
      // a collection that pushes every image under the repository's own name, one tag each (`pexcn/docker-images:buster`
      // -> _deprecated/buster/Dockerfile in the docker-images checkout): the one directory named for the tag
      if (name === path.basename(path.resolve(this.root)).toLowerCase()) {
        const byTag = (this.dockerfilesByName().get(tag.toLowerCase()) ?? []).filter((d) => !d.bySuffix && (!under || d.file.startsWith(under)) && candidate(d.file));
        if (byTag.length === 1) return this.tagLink(n.last, tag, (byTag[0] as { file: string }).file);
      }
    }
    // the builds told apart by Dockerfile and target (one build declared in several files is one build)
    // (the first declaration of each stands for it: a skaffold.yaml's top-level build before its profiles' variants)
    const distinctOf = (ds: readonly Declared[]): Map<string, Declared> => {
      const m = new Map<string, Declared>();
      for (const d of ds) {
        const key = `${d.dockerfile}#${d.target ?? ''}`;
        if (!m.has(key)) m.set(key, d);
      }
      return m;
    };
    let distinct = distinctOf(declared);
    if (distinct.size > 1) {
      // one image, a Dockerfile per tag (`t5-model-serving:client-app`, `t5-model-serving:serving`): the tag decides
      const byTag = declared.filter((d) => d.tag === tag);
      if (new Set(byTag.map((d) => `${d.dockerfile}#${d.target ?? ''}`)).size === 1) {
        declared = byTag;
        distinct = distinctOf(declared);
      }
    }
    if (distinct.size > 1 && from !== undefined) {
      // the same image declared in several copies of a project (skaffold's examples/ and integration/examples/)
      const near = this.nearest(
        [...distinct.values()].map((d) => d.dockerfile),
        from,
      );
      const d = near === undefined ? undefined : [...distinct.values()].find((x) => x.dockerfile === near);
      if (d) {
        declared = [d];
        distinct = distinctOf(declared);
      }
    }
    if (distinct.size === 1) return { link: linkOf(declared[0] as Declared) };
    if (distinct.size > 1) return { ambiguous: [...new Set(declared.map((d) => d.dockerfile))], declared: [...new Set(declared.map((d) => d.how))] };
    if (elsewhere) return {};
    // `OWNER/NAME` (what a push to Docker Hub must call it) where a script builds only the bare `NAME` at that tag (greshem's
    // swcloud_base_common/build.sh: `docker build -t greshem_scm_base_common ./`, the base its other Dockerfiles name as
    // greshem/greshem_scm_base_common): that build, when it is the one build of the name
    const parts = repository.split('/');
    if (!registry && parts.length === 2) {
      const bare = distinctOf(
        (this.declaredByLast().get(name) ?? []).filter((d) => d.exact && !d.repo.includes('/') && d.repo.toLowerCase() === name && (d.tag ?? 'latest') === tag && candidate(d.dockerfile)),
      );
      const only = bare.size === 1 ? ([...bare.values()][0] as Declared) : undefined;
      if (only) return { link: linkOf(only, `${only.how} (pushed as ${repository})`) };
    }
    const root = path.resolve(this.root);
    // a Dockerfile asking for its base in a directory named for that image (curl/Dockerfile FROM curlimages/curl) wraps
    // an image from elsewhere: another directory of that name (clash/curl/) is not its base
    const named = this.dockerfilesByName().get(name) ?? [];
    if (exclude !== undefined && named.some((d) => !candidate(d.file) && path.basename(path.dirname(d.file)).toLowerCase() === name)) return {};
    // a version directory beside the asking Dockerfile (mitmproxy/7.0.4/ beside mitmproxy/latest/, each FROM
    // mitmproxy/mitmproxy:<its tag>) wraps another tag of the same image from elsewhere: not this one's base
    const besideAsker = (f: string): boolean =>
      exclude !== undefined && VERSION_DIR.test(path.basename(path.dirname(f)).toLowerCase()) && path.dirname(path.dirname(path.resolve(f))) === path.dirname(path.dirname(exclude));
    const hits = named
      .filter((d) => (!under || d.file.startsWith(under)) && candidate(d.file) && !besideAsker(d.file))
      // a known name under a registry of its own: only a top-level directory of the repository (a collection's alpine/),
      // not a sample app's python/ deep in it
      .filter((d) => !knownName || path.dirname(path.dirname(path.resolve(d.file))) === root)
      // a Dockerfile named by its suffix is that image; one named by its directory, unless the directory's Makefile names another
      .filter((d) => d.bySuffix || !makefileNamesOther(path.dirname(d.file), name, this.share))
      .map((d) => d.file);
    if (hits.length === 0 && under && n.repo.includes('/')) {
      // outside the folder the name search is kept to, a directory whose path is the image's whole repository name
      // (`svlentink/ipfilter` -> svlentink/ipfilter/Dockerfile at the repository's top): a collection's own image
      const byPath = (this.dockerfilesByName().get(name) ?? []).filter((d) => !d.bySuffix && path.dirname(path.resolve(d.file)) === path.join(root, ...repository.split('/')));
      if (byPath.length === 1) {
        const file = (byPath[0] as { file: string }).file;
        return { link: { dockerfile: file, how: `the image name "${repository}" is the path of ${displayPath(file, this.cwd)}` } };
      }
      // a collection's image under its owner's name (`stilleshan/myurls` -> myurls/Dockerfile at the repository's top,
      // named from a compose file in another folder): the one top-level directory of that name, for the tag that
      // directory builds (latest, or none given); another tag (`arungupta/couchbase:travel`) may be a build from elsewhere
      // (not a vendor's image under its own name, `phpmyadmin/phpmyadmin`, `portainer/portainer`: the official build)
      const vendor = parts.length === 2 && parts[0]?.toLowerCase() === name;
      const top = (tag === 'latest' || tag === '') && !vendor ? (this.dockerfilesByName().get(name) ?? []).filter((d) => !d.bySuffix && path.dirname(path.dirname(path.resolve(d.file))) === root) : [];
      if (top.length === 1) {
        const file = (top[0] as { file: string }).file;
        return { link: { dockerfile: file, how: `the image name "${n.last}" is the collection's top-level directory ${displayPath(path.dirname(file), this.cwd)}` } };
      }
    }
    if (hits.length === 1) {
      const hit = hits[0] as string;
      // `vimagick/scrapyd:py3` is built from scrapyd/py3/Dockerfile (or scrapyd/Dockerfile.py3) when there is one
      const byTag =
        tag !== 'latest' && /^[a-z][\w.-]*$/i.test(tag) && path.basename(hit).toLowerCase() === 'dockerfile'
          ? [path.join(path.dirname(hit), tag, 'Dockerfile'), path.join(path.dirname(hit), `Dockerfile.${tag}`)].find(isFile)
          : undefined;
      if (byTag) return this.tagLink(n.last, tag, byTag);
      return { link: { dockerfile: hit, how: `the image name "${n.last}" matches ${displayPath(hit, this.cwd)}` } };
    }
    if (hits.length > 1) {
      // one image, a version directory per tag (`kaixhin/cuda-theano:7.5` -> cuda-theano/cuda_v7.5/Dockerfile), or a
      // directory per release holding each image (`rancher/kopf:v0.1.0` -> containers/0.1.0/kopf/Dockerfile)
      const byTag = hits.filter((h) => dirHoldsTag(h, tag) || dirHoldsTag(path.dirname(h), tag));
      if (byTag.length === 1) return this.tagLink(n.last, tag, byTag[0] as string);
      // one app in several copies of a project (aws/src/ledger/ and gcp/src/ledger/): the copy the naming file is in
      // (not for an image pinned by digest: one past build, which a copy of today's tree need not have made)
      const near = from === undefined || parseImageRef(image).digest ? undefined : this.nearest(hits, from);
      if (near) return { link: { dockerfile: near, how: `the image name "${n.last}" matches ${displayPath(near, this.cwd)}, the nearest of ${hits.length} Dockerfiles of that name` } };
      return { ambiguous: hits };
    }
    const prefixed = this.linkPrefixed(name, under);
    if (prefixed) return prefixed;
    return beside ? this.linkBeside(image, name, beside, near === undefined) : {};
  }

  /**
   * Of several Dockerfiles, the one in the subtree of the file `from` that names the image: exactly one shares more of
   * its path than the others do, below the repository's top.
   */
  private nearest(files: readonly string[], from: string): string | undefined {
    const at = path.resolve(from).split(path.sep);
    const shared = (f: string): number => {
      const parts = path.dirname(path.resolve(f)).split(path.sep);
      let i = 0;
      while (i < parts.length && i < at.length && parts[i] === at[i]) i++;
      return i;
    };
    const scored = files.map((f) => ({ f, n: shared(f) }));
    const best = Math.max(...scored.map((x) => x.n));
    const top = scored.filter((x) => x.n === best);
    return top.length === 1 && best > path.resolve(this.root).split(path.sep).length ? (top[0] as { f: string }).f : undefined;
  }

  /**
   * An image named PREFIX + a directory's name, where a makefile above that directory writes PREFIX: dapr's samples
   * build `hello-k8s-node` from node/Dockerfile with `DOCKER_IMAGE_PREFIX ?= hello-k8s-` and `-t ...$(DOCKER_IMAGE_PREFIX)$(1)`
   * for each app directory; or where the repository's YAML names at least PREFIX_FAMILY images PREFIX + the name of a
   * directory beside it (MuShop's `mushop-api`, `mushop-carts`, `mushop-user` ... for src/api/, src/carts/, src/user/: its
   * CI tags `${PROJECT}-${CONTAINER}`). Only a prefix that ends in `-` or `_`, and only when one Dockerfile fits.
   */
  private linkPrefixed(name: string, under: string | undefined): ImageLinkResult | undefined {
    const found: { file: string; prefix: string; makefile?: string; family?: number }[] = [];
    // the directory names the image name ends in after a `-` or `_` (prefix of 2 characters or more), looked up by
    // name: a scan of every directory name per image cost a few percent of a whole-repository lint
    for (let i = 1; i < name.length - 1; i++) {
      const c = name.charCodeAt(i);
      if (c !== 45 && c !== 95) continue;
      const prefix = name.slice(0, i + 1);
      const list = this.dockerfilesByName().get(name.slice(i + 1));
      if (!list) continue;
      for (const d of list) {
        if (d.bySuffix || (under && !d.file.startsWith(under))) continue;
        const makefile = this.makefileWriting(path.dirname(path.dirname(d.file)), prefix);
        if (makefile) {
          found.push({ file: d.file, prefix, makefile });
          continue;
        }
        const family = this.prefixFamily(prefix, path.dirname(path.dirname(d.file)));
        if (family >= PREFIX_FAMILY) found.push({ file: d.file, prefix, family });
      }
    }
    if (new Set(found.map((f) => f.file)).size !== 1) return undefined;
    const f = found[0] as { file: string; prefix: string; makefile?: string; family?: number };
    const by = f.makefile ? `${displayPath(f.makefile, this.cwd)}'s prefix "${f.prefix}"` : `the prefix "${f.prefix}" of ${f.family} images the repository names after directories beside it`;
    return { link: { dockerfile: f.file, how: `the image name "${name}" is ${by} and the directory of ${displayPath(f.file, this.cwd)}` } };
  }

  /** The images the repository's YAML names, scanned once for both their tags (newerTag) and their names (prefixFamily). */
  private imageRefs(): { last: string; tag: string }[] {
    this.yamlRefs ??= imageRefsIn(this.repoFiles().yamls);
    return this.yamlRefs;
  }

  /** How many images the repository's YAML names `prefix` + the name of a Dockerfile's directory in `parent`. */
  private prefixFamily(prefix: string, parent: string): number {
    this.yamlImages ??= new Set(this.imageRefs().map((r) => r.last.toLowerCase()));
    let n = 0;
    for (const image of this.yamlImages) {
      if (!image.startsWith(prefix)) continue;
      const list = this.dockerfilesByName().get(image.slice(prefix.length));
      if (list?.some((d) => !d.bySuffix && path.dirname(path.dirname(d.file)) === parent)) n++;
    }
    return n;
  }

  /** A makefile in `dir` or above it (inside the repository) whose text has `prefix` as a word of its own: `?= hello-k8s-`. */
  private makefileWriting(dir: string, prefix: string): string | undefined {
    const word = new RegExp(`(^|[\\s=:/"'])${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[\\s"'$])`, 'm');
    const root = path.resolve(this.root);
    for (let d = path.resolve(dir); d === root || d.startsWith(`${root}${path.sep}`); d = path.dirname(d)) {
      for (const f of this.repoFiles().buildFiles) {
        if (path.dirname(path.resolve(f)) !== d || !(MAKEFILE.test(path.basename(f)) || INCLUDED_MAKEFILE.test(path.basename(f)))) continue;
        const text = this.share.text(f);
        if (text !== undefined && word.test(text)) return f;
      }
      if (d === root) break;
    }
    return undefined;
  }

  /** A link that the image's name and tag both decided. */
  private tagLink(name: string, tag: string, dockerfile: string): ImageLinkResult {
    return { link: { dockerfile, how: `the image name "${name}" and tag "${tag}" match ${displayPath(dockerfile, this.cwd)}` } };
  }

  /**
   * A manifest or compose file beside the one Dockerfile of its own folder, naming a placeholder (`<image> # image built
   * from dockerfile`), or a manifest (`byName`; a compose folder's names were matched under it already) naming an image
   * whose last name part ends in the folder's name (`volcanosh/example-mpi` in `mpi/`): the sample's own build.
   */
  private linkBeside(image: string, name: string, beside: string, byName: boolean): ImageLinkResult {
    const dir = path.resolve(beside);
    const own = this.repoFiles().dockerfiles.filter((f) => path.dirname(path.resolve(f)) === dir);
    if (own.length !== 1) return {};
    const folder = path.basename(dir).toLowerCase();
    const placeholder = /^<[^<>]+>$/.test(image.trim());
    // only a name that ends in the folder's (`example-mpi`): `kafka-manager-arm` in kafka/arm, or grafana's
    // `grafana-image-renderer` beside a grafana Dockerfile, are other images
    const named = byName && folder.length >= 3 && (name.endsWith(`-${folder}`) || name.endsWith(`_${folder}`));
    if (!placeholder && !named) return {};
    const file = own[0] as string;
    const why = placeholder
      ? `the placeholder "${image}" sits beside ${displayPath(file, this.cwd)}, its folder's only Dockerfile`
      : `the image name "${name}" ends in "${folder}", the folder of ${displayPath(file, this.cwd)}, its only Dockerfile`;
    return { link: { dockerfile: file, how: why } };
  }
}

/** One linker per run (its document store) and repository root, and what they share. */
const runLinkers = new WeakMap<object, { byRoot: Map<string, ImageLinker>; share: RunShare }>();

/** The run's linker for the repository `fromDir` is in. */
export function linkerFor(run: object, fromDir: string, map: Readonly<Record<string, string>> = {}, dockerfiles?: readonly string[]): ImageLinker {
  let linkers = runLinkers.get(run);
  if (!linkers) {
    const store = run instanceof DocumentStore ? run : undefined;
    linkers = {
      byRoot: new Map(),
      share: store
        ? new RunShare(
            (file, kind) => store.read(file, kind),
            (dir) => store.entriesOf(dir),
            (file, limit) => store.readText(file, limit),
          )
        : new RunShare(),
    };
    runLinkers.set(run, linkers);
  }
  const { byRoot, share } = linkers;
  let root = share.roots.get(fromDir);
  if (root === undefined) {
    // the search (build files are read, directories listed) stays inside the tree the run may read: a
    // repository top above the directory given on the command line is not searched (SECURITY.md)
    const confinement = run instanceof DocumentStore ? run.confinement : undefined;
    const top = repoRoot(fromDir, process.cwd(), share.hasGit);
    root = confinement ? confinement.searchRoot(top, fromDir) : top;
    share.roots.set(fromDir, root);
  }
  let l = byRoot.get(root);
  if (!l) {
    l = new ImageLinker(map, dockerfiles, root, process.cwd(), share);
    byRoot.set(root, l);
  }
  return l;
}

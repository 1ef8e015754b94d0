/**
 * What a `cargo build` or `cargo install` in a RUN writes, by cargo's own rules: the arguments (cargo
 * help build / install), the manifest (Cargo.toml: the package name, [[bin]] targets, src/main.rs and
 * src/bin/ by auto-discovery) and where the executables go (target/PROFILE/NAME, <root>/bin/NAME).
 * Cargo.toml is read with smol-toml (a small, maintained TOML 1.0 parser) rather than by hand.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as SmolToml from 'smol-toml';
import type { ArgWord } from './go-build.js';

/** Does a command line run a cargo build or install that the Rust link follows? */
export function mentionsCargoCommand(text: string): boolean {
  return /\bcargo\s+(\+\S+\s+)?(-\S+\s+)*(build|b|install)\b/.test(text);
}

export interface CargoArgs {
  verb: 'build' | 'install';
  /** build: the directory under target/ (debug, release or a custom profile's name). */
  profile: string;
  /** --target TRIPLE: one more directory level; null when built at run time. */
  target?: string | null;
  /** --target-dir; null when built at run time. */
  targetDir?: string | null;
  /** --manifest-path; null when built at run time. */
  manifestPath?: string | null;
  /** install --path DIR; null when built at run time. Undefined for install: a crate from a registry or git. */
  path?: string | null;
  /** install --root; null when built at run time. */
  root?: string | null;
  /** --bin NAME (only these binaries). */
  bins: string[];
  /** -p/--package, --workspace, --example: a selection the link does not follow. */
  selects: boolean;
  /** install CRATE (from a registry) or --git URL. */
  remote?: string;
  /** A word pid1 cannot read decides (an expansion that may split). */
  unclear: boolean;
}

const GLOBAL_FLAGS = new Set(['--locked', '--offline', '--frozen', '-q', '--quiet', '-v', '-vv', '--verbose']);
const WITH_VALUE = new Set([
  '--bin',
  '-p',
  '--package',
  '--target',
  '--target-dir',
  '--profile',
  '--manifest-path',
  '-F',
  '--features',
  '-j',
  '--jobs',
  '--config',
  '--color',
  '--message-format',
  '--example',
  '--test',
  '--bench',
  '--exclude',
  '--lockfile-path',
  '-Z',
  '--path',
  '--root',
  '--version',
  '--vers',
  '--git',
  '--branch',
  '--tag',
  '--rev',
  '--registry',
  '--index',
  '--timings',
]);

/** The arguments of `cargo build`/`cargo install` after `cargo`; undefined for any other subcommand. */
export function parseCargoArgs(args: readonly ArgWord[]): CargoArgs | undefined {
  let i = 0;
  // cargo [+toolchain] [global options] SUBCOMMAND
  while (i < args.length && (args[i]?.literal?.startsWith('+') || GLOBAL_FLAGS.has(args[i]?.literal ?? ''))) i++;
  const sub = args[i]?.literal;
  if (sub !== 'build' && sub !== 'b' && sub !== 'install') return undefined;
  const out: CargoArgs = { verb: sub === 'install' ? 'install' : 'build', profile: 'debug', bins: [], selects: false, unclear: false };
  const value = (w: ArgWord | undefined): string | null => (w?.literal !== undefined ? w.literal : null);
  for (i++; i < args.length; i++) {
    const w = args[i] as ArgWord;
    if (w.literal === undefined) {
      if (w.splits) out.unclear = true;
      else if (out.verb === 'install') out.remote = '(built at run time)';
      continue;
    }
    let a = w.literal;
    let v: string | null | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    } else if (WITH_VALUE.has(a)) v = value(args[++i]);
    switch (a) {
      case '--release':
      case '-r':
        out.profile = 'release';
        break;
      case '--profile':
        // The dev profile builds into target/debug, test into debug too; any other profile into target/NAME.
        out.profile = v === null || v === undefined ? '?' : v === 'dev' || v === 'test' ? 'debug' : v === 'bench' ? 'release' : v;
        break;
      case '--target':
        out.target = v ?? null;
        break;
      case '--target-dir':
        out.targetDir = v ?? null;
        break;
      case '--manifest-path':
        out.manifestPath = v ?? null;
        break;
      case '--path':
        out.path = v ?? null;
        break;
      case '--root':
        out.root = v ?? null;
        break;
      case '--bin':
        if (v === null || v === undefined) out.unclear = true;
        else out.bins.push(v);
        break;
      case '-p':
      case '--package':
      case '--workspace':
      case '--all':
      case '--example':
      case '--examples':
        out.selects = true;
        break;
      case '--git':
        out.remote = v ?? '(built at run time)';
        break;
      default:
        if (!a.startsWith('-') && out.verb === 'install') out.remote = a;
    }
  }
  return out;
}

/** A binary target of a package. */
export interface CargoBin {
  name: string;
  /** Its main source file, relative to the package directory. */
  main: string;
}

/** What the link needs of a Cargo.toml. */
export interface CargoManifest {
  /** [package] name; undefined for a virtual manifest (a workspace root alone). */
  name?: string;
  /** [workspace] is present. */
  workspace: boolean;
  /** [workspace] members as written (globs allowed). */
  members: string[];
  /** [[bin]] targets as written. */
  bins: { name?: string; path?: string }[];
  /** package.autobins is not false. */
  autobins: boolean;
  /** Dependency names ([dependencies], [target.*.dependencies]) with the features asked of each. */
  dependencies: Map<string, string[]>;
  /** Dependencies on crates in other directories (`path = "..."`, as written, relative to the package). */
  pathDependencies: string[];
}

type Table = Record<string, unknown>;

let toml: typeof SmolToml | undefined;

/** smol-toml, loaded on first use: only a cargo build in a RUN reads a Cargo.toml (its load costs start-up). */
function parseToml(text: string): unknown {
  toml ??= createRequire(import.meta.url)('smol-toml') as typeof SmolToml;
  return toml.parse(text);
}
const isTable = (x: unknown): x is Table => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A Cargo.toml; undefined when it is not TOML. */
export function parseCargoManifest(text: string): CargoManifest | undefined {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch {
    return undefined;
  }
  const pkg = isTable(doc.package) ? doc.package : undefined;
  const ws = isTable(doc.workspace) ? doc.workspace : undefined;
  const deps = new Map<string, string[]>();
  const paths: string[] = [];
  const addDeps = (t: unknown): void => {
    if (!isTable(t)) return;
    for (const [k, v] of Object.entries(t)) {
      // `name = { package = "real-name", features = [...] }` renames a dependency: the lock knows it by its real name.
      const real = isTable(v) && typeof v.package === 'string' ? v.package : k;
      const features = isTable(v) && Array.isArray(v.features) ? v.features.filter((f): f is string => typeof f === 'string') : [];
      deps.set(real, [...(deps.get(real) ?? []), ...features]);
      if (isTable(v) && typeof v.path === 'string') paths.push(v.path);
    }
  };
  addDeps(doc.dependencies);
  if (isTable(doc.target)) for (const t of Object.values(doc.target)) if (isTable(t)) addDeps(t.dependencies);
  const bins = Array.isArray(doc.bin) ? doc.bin.filter(isTable).map((b) => ({ ...(typeof b.name === 'string' ? { name: b.name } : {}), ...(typeof b.path === 'string' ? { path: b.path } : {}) })) : [];
  return {
    ...(typeof pkg?.name === 'string' ? { name: pkg.name } : {}),
    workspace: ws !== undefined,
    members: Array.isArray(ws?.members) ? ws.members.filter((m): m is string => typeof m === 'string') : [],
    bins,
    autobins: pkg?.autobins !== false,
    dependencies: deps,
    pathDependencies: paths,
  };
}

/**
 * The binaries of a package (cargo target auto-discovery: src/main.rs is a binary named after the package,
 * each src/bin/NAME.rs and src/bin/NAME/main.rs one named NAME; [[bin]] entries add to them or set their path).
 * `has` says whether a file exists in the package directory.
 */
export function cargoBins(m: CargoManifest, has: (rel: string) => boolean, binDir: () => string[]): CargoBin[] {
  const out = new Map<string, CargoBin>();
  if (m.name === undefined) return [];
  if (m.autobins) {
    if (has('src/main.rs')) out.set(m.name, { name: m.name, main: 'src/main.rs' });
    for (const n of binDir()) {
      if (n.endsWith('.rs')) out.set(n.slice(0, -3), { name: n.slice(0, -3), main: `src/bin/${n}` });
      else if (has(`src/bin/${n}/main.rs`)) out.set(n, { name: n, main: `src/bin/${n}/main.rs` });
    }
  }
  for (const b of m.bins) {
    const name = b.name ?? m.name;
    const main = b.path ?? out.get(name)?.main ?? (name === m.name ? 'src/main.rs' : `src/bin/${name}.rs`);
    out.set(name, { name, main: path.posix.normalize(main) });
  }
  return [...out.values()];
}

/** The packages of a Cargo.lock ([[package]] name = ...); undefined when it is not TOML. */
export function cargoLockPackages(text: string): { name: string; version?: string; local: boolean; dependencies: string[] }[] | undefined {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch {
    return undefined;
  }
  if (!Array.isArray(doc.package)) return [];
  return doc.package.filter(isTable).flatMap((p) =>
    typeof p.name === 'string'
      ? [
          {
            name: p.name,
            ...(typeof p.version === 'string' ? { version: p.version } : {}),
            // A package with no `source` is the workspace's own or a path dependency: code in the build context.
            local: typeof p.source !== 'string',
            // `dependencies = ["libc", "mio 0.8.11"]`: a name, with a version when the lock holds several.
            dependencies: Array.isArray(p.dependencies) ? p.dependencies.filter((d): d is string => typeof d === 'string').map((d) => d.split(' ')[0] as string) : [],
          },
        ]
      : [],
  );
}

/**
 * The Rust link: the program a Dockerfile launches is a binary that `cargo build` or `cargo install
 * --path` wrote in a RUN (of this stage, or of another reached through `COPY --from`). Followed back to
 * that command (go-link.ts StageFiles: Docker's rules for what wrote a file, cargo-build.ts for where cargo
 * writes), then to its package in the build context, the crate's sources and Cargo.lock say whether it
 * takes the stop signal (rust-source.ts), and the link says what the binary is: a Rust program.
 */
import path from 'node:path';
import type { SourceVerdict } from '../../model/launch.js';
import { cargoLockPackages, parseCargoManifest, type CargoManifest } from '../cargo-build.js';
import { analyzeRustCrate } from '../rust-source.js';
import { defaultCargoHome, type BuiltBinary, type CargoCrate, type StageFiles } from './go-link.js';
import { DEFAULT_PATH, type Stage } from './parse.js';

interface RustLinkOptions {
  files: StageFiles;
  stage: Stage;
  signal: string;
}

type CargoWriter = Extract<ReturnType<StageFiles['writer']>, { kind: 'cargo' }>;

/** At most this many .rs files are read from one crate (a generated tree is not a program's source). */
const MAX_FILES = 400;

/**
 * The image paths a bare program name may be at, beyond the Dockerfile's PATH: the official rust image puts
 * $CARGO_HOME/bin first on its PATH (docker-library/rust: `PATH=/usr/local/cargo/bin:$PATH`).
 */
export function cargoBinPaths(exe: string, stage: Stage): string[] {
  const home = defaultCargoHome(stage);
  // Unless the Dockerfile sets a PATH without it ($PATH expanded by pid1 is the default one, not the image's).
  const set = stage.env.get('PATH');
  return home && !exe.includes('/') && (set === undefined || set.startsWith(DEFAULT_PATH) || set.includes(`${home}/bin`)) ? [path.posix.join(home, 'bin', exe)] : [];
}

/** What the launch's program is (`StageFiles.firstWriter`), when a cargo command built it; undefined when something else wrote it. */
export function rustBinaryVerdict(built: BuiltBinary, o: RustLinkOptions): SourceVerdict | undefined {
  return built.writer.kind === 'cargo' ? verdictFor(built.path, built.writer, o) : undefined;
}

function describe(w: CargoWriter): string {
  return `\`${w.cmd.text}\` (${w.run.span.doc.file}:${w.run.span.doc.lines.position(w.run.span.start).line})`;
}

function verdictFor(exe: string, w: CargoWriter, o: RustLinkOptions): SourceVerdict {
  const p = w.path === exe && w.stage === o.stage ? exe : `${exe} (${w.path} in stage ${w.stage.name ?? w.stage.index})`;
  if (!w.crate) return { verdict: 'unknown', runtime: 'rust', reason: `${p} is built by ${describe(w)}, but ${w.why ?? 'pid1 cannot follow it'}` };
  const { files } = o;
  const crate: CargoCrate = w.crate;
  const before = w.run.span.start;
  const sources = rustFiles(files, w.stage, crate.dir, crate.bin.main, before);
  if (!sources.length) return { verdict: 'unknown', runtime: 'rust', reason: `${p} is built by ${describe(w)} from ${crate.dir}, whose Rust sources are not in the build context` };
  const lockFile = path.posix.join(crate.root, 'Cargo.lock');
  const lockText = files.read(w.stage, lockFile, before);
  const packages = lockText !== undefined ? cargoLockPackages(lockText) : undefined;
  // The crates of the build context it is built with (path dependencies, workspace members): their code is read too.
  const local = localCrates(files, w.stage, crate, before);
  for (const dir of local.values()) sources.push(...rustFiles(files, w.stage, dir, undefined, before));
  const unread = (packages ?? []).filter((x) => x.local && x.name !== crate.manifest.name && !local.has(x.name)).map((x) => x.name);
  const v = analyzeRustCrate({ files: sources, manifest: crate.manifest, signal: o.signal, ...(packages ? { lock: { file: lockFile, packages } } : {}), unread });
  return {
    verdict: v.verdict,
    runtime: 'rust',
    reason: `${p} is the Rust binary ${crate.bin.name} built by ${describe(w)}: ${v.reason}`,
    ...(v.evidence ? { evidence: v.evidence } : {}),
    ...(v.via ? { via: v.via } : {}),
  };
}

/** The local crates (name -> directory) reachable from the package by path dependencies, and the workspace's members. */
function localCrates(files: StageFiles, stage: Stage, crate: CargoCrate, before: number): Map<string, string> {
  const found = new Map<string, string>();
  const manifestOf = (dir: string): CargoManifest | undefined => {
    const text = files.read(stage, path.posix.join(dir, 'Cargo.toml'), before);
    return text !== undefined ? parseCargoManifest(text) : undefined;
  };
  const queue: { dir: string; manifest: CargoManifest }[] = [{ dir: crate.dir, manifest: crate.manifest }];
  const root = crate.root !== crate.dir ? manifestOf(crate.root) : crate.manifest;
  // Members listed one by one (a glob is left out: its crates stay unread, and the lock says so).
  for (const m of root?.members ?? []) if (!/[*?[]/.test(m)) queue.push({ dir: path.posix.resolve(crate.root, m), manifest: manifestOf(path.posix.resolve(crate.root, m)) as CargoManifest });
  for (let i = 0; i < queue.length && i < 64; i++) {
    const { dir, manifest } = queue[i] as { dir: string; manifest: CargoManifest | undefined };
    if (!manifest) continue;
    if (i > 0 && manifest.name !== undefined && !found.has(manifest.name)) found.set(manifest.name, dir);
    for (const p of manifest.pathDependencies) {
      const d = path.posix.resolve(dir, p);
      if (![...found.values()].includes(d) && d !== crate.dir) queue.push({ dir: d, manifest: manifestOf(d) as CargoManifest });
    }
  }
  return found;
}

/** A crate's .rs files: everything under src/, and a binary's main file wherever [[bin]] puts it. */
function rustFiles(files: StageFiles, stage: Stage, dir: string, main: string | undefined, before: number): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const seen = new Set<string>();
  const add = (f: string): void => {
    if (seen.has(f) || out.length >= MAX_FILES) return;
    seen.add(f);
    const text = files.read(stage, f, before);
    if (text !== undefined) out.push({ file: f, text });
  };
  if (main !== undefined) add(path.posix.join(dir, main));
  const walk = (dir: string, depth: number): void => {
    if (depth > 8) return;
    for (const n of [...files.list(stage, dir, before)].sort()) {
      const f = path.posix.join(dir, n);
      if (n.endsWith('.rs')) add(f);
      else if (!n.includes('.')) walk(f, depth + 1);
    }
  };
  walk(path.posix.join(dir, 'src'), 0);
  // The main file's own directory, when [[bin]] puts it outside src/.
  const mainDir = main !== undefined ? path.posix.dirname(path.posix.join(dir, main)) : undefined;
  if (mainDir !== undefined && !mainDir.startsWith(path.posix.join(dir, 'src'))) walk(mainDir, 0);
  return out;
}

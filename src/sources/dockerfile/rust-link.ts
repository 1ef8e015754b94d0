/**
 * The Rust link: the program a Dockerfile launches is a binary that `cargo build` or `cargo install
 * --path` wrote in a RUN (of this stage, or of another reached through `COPY --from`). Followed back to
 * that command (go-link.ts StageFiles: Docker's rules for what wrote a file, cargo-build.ts for where cargo
 * writes), then to its package in the build context, the crate's sources and Cargo.lock say whether it
 * takes the stop signal (rust-source.ts), and the link says what the binary is: a Rust program.
 */
import path from 'node:path';
import type { SourceVerdict } from '../../model/launch.js';
import { cargoLockPackages } from '../cargo-build.js';
import { analyzeRustCrate } from '../rust-source.js';
import { defaultCargoHome, type CargoCrate, type StageFiles } from './go-link.js';
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

/** What the binary at one of `paths` is, when a cargo command built it; undefined when none pid1 can see did. */
export function linkRustBinary(paths: readonly string[], o: RustLinkOptions): SourceVerdict | undefined {
  for (const p of paths) {
    const w = o.files.writer(o.stage, p);
    if (w.kind === 'none') continue;
    if (w.kind !== 'cargo') return undefined;
    return verdictFor(p, w, o);
  }
  return undefined;
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
  const sources = rustFiles(files, w.stage, crate, before);
  if (!sources.length) return { verdict: 'unknown', runtime: 'rust', reason: `${p} is built by ${describe(w)} from ${crate.dir}, whose Rust sources are not in the build context` };
  const lockFile = path.posix.join(crate.root, 'Cargo.lock');
  const lockText = files.read(w.stage, lockFile, before);
  const packages = lockText !== undefined ? cargoLockPackages(lockText) : undefined;
  const v = analyzeRustCrate({ files: sources, manifest: crate.manifest, signal: o.signal, ...(packages ? { lock: { file: lockFile, packages } } : {}) });
  return {
    verdict: v.verdict,
    runtime: 'rust',
    reason: `${p} is the Rust binary ${crate.bin.name} built by ${describe(w)}: ${v.reason}`,
    ...(v.evidence ? { evidence: v.evidence } : {}),
    ...(v.via ? { via: v.via } : {}),
  };
}

/** The crate's .rs files: everything under src/, and the binary's main file wherever [[bin]] puts it. */
function rustFiles(files: StageFiles, stage: Stage, crate: CargoCrate, before: number): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const seen = new Set<string>();
  const add = (f: string): void => {
    if (seen.has(f) || out.length >= MAX_FILES) return;
    seen.add(f);
    const text = files.read(stage, f, before);
    if (text !== undefined) out.push({ file: f, text });
  };
  add(path.posix.join(crate.dir, crate.bin.main));
  const walk = (dir: string, depth: number): void => {
    if (depth > 8) return;
    for (const n of [...files.list(stage, dir, before)].sort()) {
      const f = path.posix.join(dir, n);
      if (n.endsWith('.rs')) add(f);
      else if (!n.includes('.')) walk(f, depth + 1);
    }
  };
  walk(path.posix.join(crate.dir, 'src'), 0);
  // The main file's own directory, when [[bin]] puts it outside src/.
  const mainDir = path.posix.dirname(path.posix.join(crate.dir, crate.bin.main));
  if (!mainDir.startsWith(path.posix.join(crate.dir, 'src'))) walk(mainDir, 0);
  return out;
}

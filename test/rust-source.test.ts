/**
 * The Rust reader (rust-source.ts) and cargo's rules (cargo-build.ts): what a crate's code and Cargo.lock say
 * about the stop signal, and where `cargo build` / `cargo install` put a binary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cargoBins, cargoLockPackages, mentionsCargoCommand, parseCargoArgs, parseCargoManifest } from '../src/sources/cargo-build.js';
import { analyzeRustCrate, code } from '../src/sources/rust-source.js';

const words = (s: string): { literal: string; splits: boolean }[] => s.split(' ').map((literal) => ({ literal, splits: false }));
const MANIFEST = parseCargoManifest(
  '[package]\nname = "hello"\nversion = "0.1.0"\n\n[dependencies]\nhyper = { version = "0.14", features = ["full"] }\ntokio = { version = "1", features = ["macros", "rt-multi-thread"] }\n',
);
const LOCK = (...names: string[]): { file: string; packages: { name: string }[] } => ({ file: '/app/Cargo.lock', packages: ['hello', 'hyper', 'tokio', 'libc', ...names].map((name) => ({ name })) });
const crate = (main: string, lock = LOCK(), extra: Record<string, string> = {}): ReturnType<typeof analyzeRustCrate> => {
  assert.ok(MANIFEST);
  return analyzeRustCrate({ files: [{ file: '/app/src/main.rs', text: main }, ...Object.entries(extra).map(([file, text]) => ({ file, text }))], manifest: MANIFEST, lock, signal: 'SIGTERM' });
};

const HYPER = '#[tokio::main]\nasync fn main() {\n    let server = Server::bind(&addr).serve(make_svc);\n    server.await.unwrap();\n}\n';

test('code(): comments, strings, raw strings and chars are blanked; lifetimes and lines are kept', () => {
  const src = 'fn a<\'a>(x: &\'a str) { // tokio::signal::ctrl_c()\n  let s = "signal(SIGTERM)"; let r = r#"sigaction("x")"#; /* outer /* nested */ still */ let c = \'"\'; f(c) }\n';
  const out = code(src);
  assert.equal(out.length, src.length);
  assert.equal(out.split('\n').length, src.split('\n').length);
  assert.doesNotMatch(out, /signal|sigaction|nested|still/);
  assert.match(out, /fn a<'a>\(x: &'a str\)/);
  assert.match(out, /f\(c\) \}/);
});

test('a hyper server with no signal code and a lock without signal crates: no handler, certain', () => {
  const v = crate(HYPER);
  assert.equal(v.verdict, 'no-handler');
  assert.match(v.reason, /nothing in the crate's 1 source files takes SIGTERM, and none of the 4 crates in \/app\/Cargo\.lock/);
});

test('signal APIs in the crate decide: tokio terminate, signal-hook, libc, actix-web', () => {
  assert.equal(crate('use tokio::signal::unix::{signal, SignalKind};\nasync fn main() {\n    let mut t = signal(SignalKind::terminate()).unwrap();\n    t.recv().await;\n}\n').verdict, 'handles');
  const hook = crate('fn main() {\n    let term = Arc::new(AtomicBool::new(false));\n    signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&term)).unwrap();\n}\n');
  assert.equal(hook.verdict, 'handles');
  assert.equal(hook.evidence?.line, 3);
  assert.equal(crate('extern "C" { fn signal(n: i32, h: usize) -> usize; }\nfn main() { unsafe { signal(libc::SIGTERM, on_term as usize); } }\n').verdict, 'handles');
  const actix = analyzeRustCrate({
    files: [{ file: '/app/src/main.rs', text: '#[actix_web::main]\nasync fn main() -> std::io::Result<()> {\n    HttpServer::new(|| App::new()).bind(("0.0.0.0", 8080))?.run().await\n}\n' }],
    manifest: parseCargoManifest('[package]\nname = "api"\n[dependencies]\nactix-web = "4"\n') as NonNullable<ReturnType<typeof parseCargoManifest>>,
    lock: LOCK('actix-server', 'signal-hook-registry'),
    signal: 'SIGTERM',
  });
  assert.equal(actix.verdict, 'handles');
  assert.equal(actix.via, 'actix-web');
  // .disable_signals() turns actix's handlers off: then the lock (actix-server) leaves it open.
  const off = analyzeRustCrate({
    files: [{ file: '/app/src/main.rs', text: 'async fn main() {\n    HttpServer::new(|| App::new()).disable_signals().run().await\n}\n' }],
    manifest: parseCargoManifest('[package]\nname = "api"\n[dependencies]\nactix-web = "4"\n') as NonNullable<ReturnType<typeof parseCargoManifest>>,
    lock: LOCK('actix-server'),
    signal: 'SIGTERM',
  });
  assert.equal(off.verdict, 'unknown');
});

test('ctrl_c only takes SIGINT: SIGTERM is still dropped when nothing else can take it', () => {
  const v = crate('async fn main() {\n    tokio::signal::ctrl_c().await.unwrap();\n}\n');
  assert.equal(v.verdict, 'no-handler');
  assert.match(v.reason, /tokio::signal::ctrl_c\(\) takes only SIGINT/);
  assert.equal(v.evidence?.line, 2);
});

test('what pid1 cannot see leaves it to the program: no lock, a signal crate in the lock, a signal chosen at run time', () => {
  assert.equal(analyzeRustCrate({ files: [{ file: '/app/src/main.rs', text: HYPER }], manifest: MANIFEST as NonNullable<typeof MANIFEST>, signal: 'SIGTERM' }).verdict, 'unknown');
  const hooked = crate(HYPER, LOCK('signal-hook-registry'));
  assert.equal(hooked.verdict, 'unknown');
  assert.match(hooked.reason, /holds signal-hook-registry/);
  assert.equal(crate('fn main() { unsafe { libc::signal(n, h); } }\n').verdict, 'unknown');
  // Only code counts: a signal API in a comment or a string is none.
  assert.equal(crate(`// tokio::signal::ctrl_c()\nfn main() { println!("signal(SIGTERM)"); }\n`).verdict, 'no-handler');
});

test('cargo arguments: profile, target, bins, install --path/--root, remote installs', () => {
  assert.ok(mentionsCargoCommand('cargo build --release'));
  assert.ok(mentionsCargoCommand('set -e && cargo +nightly --locked install --path .'));
  assert.ok(!mentionsCargoCommand('cargo chef cook --release'));
  assert.deepEqual(parseCargoArgs(words('build --release --bin api')), { verb: 'build', profile: 'release', bins: ['api'], selects: false, unclear: false });
  assert.equal(parseCargoArgs(words('build -r --target x86_64-unknown-linux-musl'))?.target, 'x86_64-unknown-linux-musl');
  assert.equal(parseCargoArgs(words('build --profile dev'))?.profile, 'debug');
  assert.equal(parseCargoArgs(words('build --profile=dist'))?.profile, 'dist');
  assert.deepEqual(parseCargoArgs(words('install --path . --root /usr/local')), { verb: 'install', profile: 'debug', path: '.', root: '/usr/local', bins: [], selects: false, unclear: false });
  assert.equal(parseCargoArgs(words('install ripgrep'))?.remote, 'ripgrep');
  assert.equal(parseCargoArgs(words('chef cook')), undefined);
  assert.equal(parseCargoArgs([{ literal: 'build', splits: false }, { splits: true }])?.unclear, true);
});

test('a manifest: package, [[bin]], auto-discovered binaries, renamed dependencies; Cargo.lock packages', () => {
  const m = parseCargoManifest('[package]\nname = "svc"\n\n[[bin]]\nname = "worker"\npath = "cmd/worker.rs"\n\n[dependencies]\nrt = { package = "tokio", version = "1", features = ["signal"] }\n');
  assert.ok(m);
  assert.deepEqual(m.dependencies.get('tokio'), ['signal']);
  const bins = cargoBins(
    m,
    (r) => r === 'src/main.rs',
    () => ['tool.rs'],
  );
  assert.deepEqual(
    bins.map((b) => `${b.name}=${b.main}`),
    ['svc=src/main.rs', 'tool=src/bin/tool.rs', 'worker=cmd/worker.rs'],
  );
  assert.equal(parseCargoManifest('not = [toml'), undefined);
  const ws = parseCargoManifest('[workspace]\nmembers = ["api", "worker"]\n');
  assert.deepEqual([ws?.name, ws?.workspace, ws?.members], [undefined, true, ['api', 'worker']]);
  assert.deepEqual(
    cargoLockPackages(
      'version = 3\n\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["libc", "mio 0.8.11"]\n\n[[package]]\nname = "libc"\nversion = "0.2.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
    ),
    [
      { name: 'a', version: '1.0.0', local: true, dependencies: ['libc', 'mio'] },
      { name: 'libc', version: '0.2.0', local: false, dependencies: [] },
    ],
  );
});

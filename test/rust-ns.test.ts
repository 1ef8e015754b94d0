/**
 * The Rust reader against real Rust programs: each crate is read by pid1 (rust-source.ts), compiled with
 * rustc, run as PID 1 of a fresh PID namespace and sent SIGTERM from outside. `no-handler` must mean the
 * signal is dropped (Rust's standard library installs no TERM handler: catalogue.ts `rust`), `handles` that
 * it ends the program. scripts/install-deps.sh installs rustc (Debian); without it these skip, saying so.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KEEPS_RUNNING, behaviourOn, catalogueById } from '../src/model/catalogue.js';
import { parseCargoManifest } from '../src/sources/cargo-build.js';
import { analyzeRustCrate } from '../src/sources/rust-source.js';
import { cleanupInits, startAsInit } from './helpers/as-init.js';
import { sleep, tempDir, waitFor } from './helpers/exec.js';
import { within } from './helpers/within.js';

after(cleanupInits);
const DIR = tempDir('pid1-rustns-');
const RUSTC = ['/usr/bin/rustc', '/usr/local/cargo/bin/rustc'].find((r) => fs.existsSync(r));

const CASES = [
  {
    name: 'std only, no signal code',
    verdict: 'no-handler',
    main: 'use std::io::Write;\n\nfn main() {\n    println!("ready");\n    std::io::stdout().flush().unwrap();\n    loop {\n        std::thread::sleep(std::time::Duration::from_secs(1));\n    }\n}\n',
  },
  {
    name: 'a SIGTERM handler through libc signal() (an extern block)',
    verdict: 'handles',
    main: 'use std::io::Write;\n\nextern "C" {\n    fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;\n    fn _exit(status: i32) -> !;\n}\n\nconst SIGTERM: i32 = 15;\n\nextern "C" fn on_term(_: i32) {\n    unsafe { _exit(0) }\n}\n\nfn main() {\n    unsafe { signal(SIGTERM, on_term); }\n    println!("ready");\n    std::io::stdout().flush().unwrap();\n    loop {\n        std::thread::sleep(std::time::Duration::from_secs(1));\n    }\n}\n',
  },
] as const;

for (const c of CASES) {
  test(`Rust, ${c.name}: pid1 says ${c.verdict}, and SIGTERM at PID 1 agrees`, async (t) => {
    const manifest = parseCargoManifest('[package]\nname = "prog"\nversion = "0.1.0"\n');
    assert.ok(manifest);
    const v = analyzeRustCrate({ files: [{ file: 'src/main.rs', text: c.main }], manifest, lock: { file: 'Cargo.lock', packages: [{ name: 'prog' }] }, signal: 'SIGTERM' });
    assert.equal(v.verdict, c.verdict, v.reason);
    if (!RUSTC) {
      t.skip('rustc is not installed here (Debian: rustc)');
      return;
    }
    const dir = path.join(DIR, c.verdict);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'main.rs'), c.main);
    execFileSync(RUSTC, ['-O', '-o', path.join(dir, 'prog'), path.join(dir, 'main.rs')], { stdio: 'pipe' });
    const run = await startAsInit([path.join(dir, 'prog')], { comm: 'prog' });
    try {
      await waitFor('prog to start', () => (/ready/.test(run.output()) ? true : undefined), 20_000, 50);
      // Rust's std catches SIGSEGV and SIGBUS (stack overflow guard) and nothing else; TERM only when the program asks.
      assert.equal(run.mask('SigCgt').includes(15), c.verdict === 'handles');
      process.kill(run.pid, 'SIGTERM');
      if (c.verdict === 'no-handler') {
        assert.ok(KEEPS_RUNNING.has(behaviourOn(catalogueById('rust'), 'SIGTERM').reaction));
        await sleep(1500);
        assert.ok(run.alive(), 'SIGTERM ended a Rust program with no handler: it was not dropped');
      } else {
        const end = await within(run.exited, 10_000);
        assert.equal(end?.code, 0);
      }
    } finally {
      await run.destroy();
    }
  });
}

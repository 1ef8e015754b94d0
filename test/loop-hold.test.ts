/**
 * holdingLoop: while a WebAssembly compilation (settled by V8, not libuv) is awaited, a referenced timer
 * keeps the event loop alive, so the code after it runs from uv_run and not inside NodePlatform::DrainTasks
 * (where it deadlocked against a TurboFan job waiting for a GC: src/util/loop-hold.ts). The deadlock itself
 * is a race (1 run in 4 of the bundled CLI over docker-library/php); this checks what prevents it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { holdingLoop } from '../src/util/loop-hold.js';

const wasm = fs.readFileSync(fileURLToPath(new URL('../src/model/tree-sitter-bash.wasm', import.meta.url)));
/** Referenced timers: unreferenced ones are not listed (they keep no loop alive). */
const referencedTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('holdingLoop', () => {
  it('keeps a referenced timer while the compilation settles, and none after', async () => {
    const before = referencedTimers();
    const during = await holdingLoop(async () => {
      await WebAssembly.compile(wasm);
      return referencedTimers();
    });
    assert.equal(during, before + 1);
    assert.equal(referencedTimers(), before);
  });

  it('passes a rejection on and still lets the loop go', async () => {
    const before = referencedTimers();
    await assert.rejects(
      holdingLoop(() => WebAssembly.compile(new Uint8Array([0, 1, 2, 3]))),
      WebAssembly.CompileError,
    );
    assert.equal(referencedTimers(), before);
  });
});

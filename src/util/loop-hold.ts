/**
 * Awaiting what only V8 settles (WebAssembly compilation: web-tree-sitter's Parser.init and Language.load)
 * with the event loop held open.
 *
 * V8 compiles wasm on its worker threads, outside libuv: with nothing else pending the loop empties, Node's
 * SpinEventLoopInternal calls NodePlatform::DrainTasks, and the code after the await runs inside it (pid1
 * lint's whole walk did). When that code yields, DrainTasks blocks until every V8 worker task has finished
 * (BlockingDrain); a concurrent TurboFan job that needs a GC asks the main thread for it with a foreground
 * task (V8's CollectionBarrier::AwaitCollectionBackground) and waits, so both wait forever
 * (nodejs/node#54918): `pid1 lint` hung in about 1 run of 4 with the bundled CLI. With a timer referenced,
 * uv_run keeps polling, and V8's foreground tasks (the compiled module, the GC) reach it through Node's
 * uv_async: DrainTasks runs only when the command is done.
 */
export async function holdingLoop<T>(settle: () => Promise<T>): Promise<T> {
  // Never fires (the longest delay Node takes, ~24.8 days): only its reference keeps the loop alive.
  const hold = setInterval(() => undefined, 0x7fffffff);
  try {
    return await settle();
  } finally {
    clearInterval(hold);
  }
}

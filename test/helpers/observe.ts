/**
 * Observing a real stop, for checking verdicts: send the stop signal from the host (an ancestor
 * namespace, as the runtime does), wait the grace period, SIGKILL if still alive, and classify.
 */
import { sleep } from './exec.js';
import type { Namespace } from './ns.js';

export type Observed = 'graceful' | 'killed' | 'abrupt';

/** The svc master's "graceful exit" line (not a worker's). */
export function svcExitedGracefully(output: string): boolean {
  const master = /svc\[(\d+)\]: ready /.exec(output)?.[1];
  return master !== undefined && output.includes(`svc[${master}]: graceful exit`);
}

export async function stopNamespace(ns: Namespace, signal: NodeJS.Signals = 'SIGTERM', graceMs = 1500): Promise<{ observed: Observed; ms: number }> {
  const t0 = Date.now();
  process.kill(ns.initPid, signal);
  const ended = await Promise.race([ns.exited.then(() => true), sleep(graceMs).then(() => false)]);
  const ms = Date.now() - t0;
  if (!ended) {
    await ns.destroy();
    return { observed: 'killed', ms };
  }
  return { observed: svcExitedGracefully(ns.output()) ? 'graceful' : 'abrupt', ms };
}

/**
 * One clock for the whole timeline: CLOCK_MONOTONIC in milliseconds, the clock the kernel stamps proc
 * connector events with (ktime_get_ns) and the one process.hrtime reads. The engine's event and log
 * times are wall-clock; they are mapped onto it with the offset measured once at start-up.
 */
export function mono(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

const wallMinusMono = Date.now() - mono();

export function wallToMono(wallMs: number): number {
  return wallMs - wallMinusMono;
}

/** RFC 3339 with nanoseconds, as the engine writes log timestamps (`2026-01-02T03:04:05.123456789Z`), in wall ms. */
export function parseEngineTime(s: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return undefined;
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return undefined;
  return base + (m[2] ? Number(`0${m[2]}`) * 1000 : 0);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** At least `ms` by the monotonic clock (a timer may fire a little early against it), as Go's time.Sleep. */
export async function sleepAtLeast(ms: number): Promise<void> {
  const end = mono() + ms;
  for (let left = ms; left > 0; left = end - mono()) await sleep(Math.ceil(left));
}

/**
 * `p`, or `fallback` after `ms`, whichever comes first; the timer is cleared either way, so that a
 * pending timeout never keeps the process alive after the work is done.
 */
export function within<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<F>((resolve) => {
      timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
    }),
  ]).finally(() => clearTimeout(timer));
}

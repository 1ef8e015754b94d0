/**
 * Event filters in the kernel's syntax (Documentation/trace/events.rst, "Event filtering"): C-like
 * comparisons of an event's fields (as named in its `format` file) joined with && and ||. The kernel
 * tests them before an event reaches the ring buffer, so what is filtered out costs no copy, no wake-up
 * and no work in Node. The syntax has no set membership: a set of PIDs is a chain of `pid == N`.
 */

/** What programs get as part of their normal work, not to stop: left out unless asked for. */
export const ROUTINE_SIGNALS: readonly number[] = [
  14, // SIGALRM: timers
  17, // SIGCHLD: every child's exit
  23, // SIGURG: the Go runtime preempts goroutines with it, many times a second
  26, // SIGVTALRM: profilers
  27, // SIGPROF: profilers
];

/** A write to a filter file must be shorter than a page (event_filter_write: cnt >= PAGE_SIZE is EINVAL). */
export const MAX_FILTER_BYTES = 4095;

/** `(sig == 15 || sig == 9)` for a chosen set, or `sig != 14 && ...` for everything but the routine ones. */
export function signalFilter(only: readonly number[] | undefined): string {
  if (only === undefined) return ROUTINE_SIGNALS.map((s) => `sig != ${s}`).join(' && ');
  if (!only.length) return '';
  return `(${[...new Set(only)]
    .sort((a, b) => a - b)
    .map((s) => `sig == ${s}`)
    .join(' || ')})`;
}

/** `(field == a || field == b ...)`; '' for no PIDs. */
export function pidFilter(field: string, pids: Iterable<number>): string {
  const list = [...new Set(pids)].sort((a, b) => a - b);
  return list.length ? `(${list.map((p) => `${field} == ${p}`).join(' || ')})` : '';
}

export function and(...parts: string[]): string {
  return parts.filter(Boolean).join(' && ');
}

/** Whether the kernel will take it in one write. */
export function fits(filter: string): boolean {
  return Buffer.byteLength(filter) <= MAX_FILTER_BYTES;
}

/**
 * Options of `pid1 init`, from the command line or PID1_* environment variables (the command line
 * wins). Every bad value is a one-line UserError naming the flag or variable.
 */
import { UserError } from '../util/errors.js';
import { durationMs } from '../util/duration.js';
import { parseSignal, signalName, SignalError } from '../model/signals.js';

export interface InitOptions {
  /** Forward to the main child only, not to its process group. */
  singleChild: boolean;
  /** Received signal -> signal forwarded instead (e.g. TERM -> QUIT for nginx). */
  rewrite: Map<number, number>;
  /** Signals that mean "stop": they are drained, start the grace, and reach every descendant. */
  stopSignals: Set<number>;
  /** Wait this long after the first stop signal before forwarding it. */
  drainMs: number;
  /** SIGKILL what is still alive this long after the stop was forwarded; 0 = at once (as `docker stop -t 0`); null = never. */
  graceMs: number | null;
  /** When the main child exits on its own, stop and wait for the other descendants too. */
  waitAll: boolean;
  /** JSON-lines report: a file (appended), 'stderr', or 'none'. */
  report: string;
}

/** Raw values as commander hands them over (undefined = not given). */
export interface RawInitOptions {
  singleChild?: boolean;
  rewrite?: string[];
  stopSignal?: string;
  drain?: string;
  grace?: string;
  waitAll?: boolean;
  report?: string;
}

/** Each option's environment variable. */
export const ENV_VARS = {
  singleChild: 'PID1_SINGLE_CHILD',
  rewrite: 'PID1_REWRITE',
  stopSignal: 'PID1_STOP_SIGNAL',
  drain: 'PID1_DRAIN',
  grace: 'PID1_GRACE',
  waitAll: 'PID1_WAIT_ALL',
  report: 'PID1_REPORT',
} as const;

/**
 * "500ms", "5s", "1.5m", "1m30s", "2h" (Go's format, as Docker and compose take it); a bare number is
 * seconds (as in `docker stop -t`). Whole milliseconds: the timers have no finer resolution.
 */
export function parseDuration(text: string, where: string): number {
  const ms = Math.round(durationMs(text, where));
  // Node's timers take at most 2^31-1 ms and fire after 1 ms beyond it: a long --grace would SIGKILL at once.
  if (ms > MAX_TIMER_MS) throw new UserError(`${where}: "${text}" is too long (at most 596h, about 24 days)`);
  return ms;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function signalOf(text: string, where: string): number {
  try {
    return parseSignal(text);
  } catch (err) {
    if (err instanceof SignalError) throw new UserError(`${where}: ${err.message}`);
    throw err;
  }
}

/** Signals that cannot be caught, or that the supervisor keeps for itself, make no sense as input. */
function catchable(n: number, text: string, where: string): number {
  const name = signalName(n);
  if (name === 'SIGKILL' || name === 'SIGSTOP') throw new UserError(`${where}: ${name} cannot be caught, so pid1 never receives it to act on`);
  if (name === 'SIGCHLD') throw new UserError(`${where}: SIGCHLD is how pid1 learns that processes exited; it is never forwarded`);
  if (n >= 32) throw new UserError(`${where}: ${text} is a real-time signal; Node cannot listen for those, so pid1 never receives it`);
  return n;
}

/** "TERM:QUIT,INT:QUIT" (also repeated flags). */
export function parseRewrite(items: string[], where: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const item of items.flatMap((s) => s.split(','))) {
    if (!item.trim()) continue;
    const m = /^\s*([^:\s]+)\s*:\s*([^:\s]+)\s*$/.exec(item);
    if (!m?.[1] || !m[2]) throw new UserError(`${where}: "${item}" is not FROM:TO (e.g. TERM:QUIT)`);
    const from = catchable(signalOf(m[1], where), m[1], where);
    const to = signalOf(m[2], where);
    out.set(from, to);
  }
  return out;
}

function parseSignalList(text: string, where: string): Set<number> {
  const out = new Set<number>();
  for (const s of text.split(',')) if (s.trim()) out.add(catchable(signalOf(s.trim(), where), s.trim(), where));
  if (!out.size) throw new UserError(`${where}: no signal given`);
  return out;
}

function envFlag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new UserError(`${name}: "${v}" is not a boolean (1/0, true/false, yes/no, on/off)`);
}

/** Merge the command line over the environment over the defaults. */
export function resolveOptions(raw: RawInitOptions, env: NodeJS.ProcessEnv = process.env): InitOptions {
  const pick = (key: keyof typeof ENV_VARS, flag: string): { value: string; where: string } | undefined => {
    const cli = raw[key];
    if (typeof cli === 'string') return { value: cli, where: flag };
    const v = env[ENV_VARS[key]];
    return v === undefined || v === '' ? undefined : { value: v, where: ENV_VARS[key] };
  };
  const drain = pick('drain', '--drain');
  const grace = pick('grace', '--grace');
  const stop = pick('stopSignal', '--stop-signal');
  const report = pick('report', '--report');
  const rewriteCli = raw.rewrite?.length ? { items: raw.rewrite, where: '--rewrite' } : undefined;
  const rewriteEnv = env[ENV_VARS.rewrite] ? { items: [env[ENV_VARS.rewrite] ?? ''], where: ENV_VARS.rewrite } : undefined;
  const rewrite = rewriteCli ?? rewriteEnv;
  return {
    singleChild: raw.singleChild ?? envFlag(env, ENV_VARS.singleChild) ?? false,
    waitAll: raw.waitAll ?? envFlag(env, ENV_VARS.waitAll) ?? false,
    drainMs: drain ? parseDuration(drain.value, drain.where) : 0,
    graceMs: grace ? parseDuration(grace.value, grace.where) : null,
    stopSignals: stop ? parseSignalList(stop.value, stop.where) : new Set([parseSignal('TERM')]),
    rewrite: rewrite ? parseRewrite(rewrite.items, rewrite.where) : new Map(),
    report: report?.value ?? 'stderr',
  };
}

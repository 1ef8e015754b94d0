/**
 * The init × wrapper × service combinations the README talks about, as one table: what runs as PID 1
 * (for a fresh PID namespace and for a container), and the verdict a real stop must give. Each row is
 * run by `pid1 test`, which must observe that verdict and whose two predictions (the live tree, the
 * launch command) must agree with it.
 */
import assert from 'node:assert/strict';
import type { TestReport, Verdict } from '../../src/runtime/reports.js';

/** In front of the command: nothing, pid1 init, tini (child only), tini -g (group), dumb-init (group by default), catatonit (child only), `docker run --init` (docker-init, which is tini). */
export type Init = 'none' | 'pid1 init' | 'tini' | 'tini -g' | 'dumb-init' | 'catatonit' | 'docker --init';
/** How the service is started: exec form; dash -c with exec; dash -c without it (dash forks and waits); bash -c (bash execs the last simple command, also after &&). */
export type Wrapper = 'exec form' | 'dash -c exec' | 'dash -c' | 'bash -c';
/** svc: handles SIGTERM, drains 100 ms, exits 0. no handler: svc --graceful USR1, so SIGTERM's default action applies. */
export type Service = 'graceful' | 'no handler';

export interface Combination {
  init: Init;
  wrapper: Wrapper;
  service: Service;
  verdict: Verdict;
  /** Why, in one line. */
  why: string;
}

export const INITS: Init[] = ['none', 'pid1 init', 'tini', 'tini -g', 'dumb-init', 'catatonit', 'docker --init'];
export const WRAPPERS: Wrapper[] = ['exec form', 'dash -c exec', 'dash -c', 'bash -c'];
export const SERVICES: Service[] = ['graceful', 'no handler'];

/** The verdict of a real stop, from what each program is documented (and measured) to do. */
export function expected(init: Init, wrapper: Wrapper, service: Service): { verdict: Verdict; why: string } {
  // dash forks the service and waits; every other wrapper here leaves the service itself in its place.
  const shellBetween = wrapper === 'dash -c';
  if (init === 'none') {
    if (shellBetween) return { verdict: 'killed', why: 'dash is PID 1 without a SIGTERM handler: the kernel drops it' };
    return service === 'graceful'
      ? { verdict: 'graceful', why: 'the service is PID 1 and handles SIGTERM' }
      : { verdict: 'killed', why: 'the service is PID 1 without a handler: the kernel drops SIGTERM' };
  }
  if (service === 'no handler') return { verdict: 'abrupt', why: 'SIGTERM reaches the service (not PID 1): its default action ends it' };
  if (init === 'pid1 init') return { verdict: 'graceful', why: 'pid1 init signals the whole group and waits for the service' };
  if (shellBetween) {
    return init === 'tini -g' || init === 'dumb-init'
      ? { verdict: 'abrupt', why: 'the group gets SIGTERM, dash dies at once, the init exits with it and the kernel SIGKILLs the draining service' }
      : { verdict: 'abrupt', why: 'the init signals dash only; dash dies, the init exits, the kernel SIGKILLs the service' };
  }
  return { verdict: 'graceful', why: "the service is the init's direct child and gets SIGTERM" };
}

export function combinations(inits: Init[] = INITS): Combination[] {
  const out: Combination[] = [];
  for (const init of inits) for (const wrapper of WRAPPERS) for (const service of SERVICES) out.push({ init, wrapper, service, ...expected(init, wrapper, service) });
  return out;
}

export const nameOf = (c: Pick<Combination, 'init' | 'wrapper' | 'service'>): string => `${c.init} × ${c.wrapper} × ${c.service}`;

/**
 * The command line: `svc` is the service binary's path, `pid1Init` how pid1 init is started
 * (node and the CLI). `docker --init` has no prefix: the engine adds docker-init (pid1 test --init).
 */
export function argvOf(c: Pick<Combination, 'init' | 'wrapper' | 'service'>, svc: string, pid1Init: string[]): string[] {
  const service = c.service === 'graceful' ? svc : `${svc} --graceful USR1`;
  const serviceArgv = c.service === 'graceful' ? [svc] : [svc, '--graceful', 'USR1'];
  const command = {
    'exec form': serviceArgv,
    'dash -c exec': ['dash', '-c', `exec ${service}`],
    'dash -c': ['dash', '-c', `echo start && ${service}`],
    'bash -c': ['bash', '-c', `echo start && ${service}`],
  }[c.wrapper];
  const prefix = {
    none: [],
    'docker --init': [],
    'pid1 init': [...pid1Init, 'init', '--'],
    tini: ['tini', '--'],
    'tini -g': ['tini', '-g', '--'],
    'dumb-init': ['dumb-init'],
    catatonit: ['catatonit', '--'],
  }[c.init];
  return [...prefix, ...command];
}

/** The checks every combination gets, in a namespace or a container. */
export function checkCombination(c: Combination, code: number, r: TestReport, stderr: string): void {
  const why = [
    `${nameOf(c)}: expected ${c.verdict} (${c.why})`,
    `exit ${code}; ${r.verdict}: ${r.observation.summary}`,
    ...r.observation.evidence,
    ...r.timeline.map((e) => JSON.stringify(e)),
    `live: ${r.comparison?.live?.status} ${r.comparison?.live?.message}`,
    `static: ${r.comparison?.static?.status} ${r.comparison?.static?.message}`,
    stderr,
  ].join('\n');
  assert.equal(r.verdict, c.verdict, why);
  assert.equal(code, c.verdict === 'graceful' ? 0 : 1, why);
  // The service is the program, whatever runs in front of it.
  assert.equal(r.observation.service?.name, 'svc', why);
  assert.equal(r.comparison?.live?.status, 'agrees', why);
  // From the launch command alone svc is a program pid1 does not know: it is assumed to handle SIGTERM,
  // and when the live process shows it does not, the difference is explained (never a disagreement).
  const st = r.comparison?.static;
  if (c.service === 'graceful') assert.equal(st?.status, 'agrees', why);
  else assert.ok(st?.status === 'agrees' || (st?.status === 'explained' && /assumes svc handles SIGTERM/.test(st.message)), why);
  assert.doesNotMatch(stderr, /DISAGREES/, why);
  // Causal order: the stop signal comes first, before anything it caused.
  const first = r.timeline.find((e) => e.kind === 'signal' || e.kind === 'exit');
  assert.equal(first?.kind, 'signal', why);
  if (c.verdict === 'graceful') assert.equal(r.observation.service?.ended, 'exit 0', why);
}

/**
 * The verdict for a live namespace: what the runtime's stop signal will do, from the process tree
 * and the kernel's own signal state. It builds the launch chain from /proc and asks the same
 * predictor lint uses (src/model/launch.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { behaviourOn, catalogueById } from '../model/catalogue.js';
import { identify, basename, shellFamilyOfBinary, toolRunByNode, type Program, type ShellFamily } from '../model/programs.js';
import { boundedSeconds } from '../model/shell-words.js';
import { makeProcess, predictStop, type ChainProcess, type Outcome, type SourceVerdict } from '../model/launch.js';
import { analyzeShell, shellParserReady } from '../model/shell.js';
import { parseSignal, signalFate, signalName, type Fate } from '../model/signals.js';
import { readTextInRoot } from '../util/root-path.js';
import { PROC } from './read.js';
import { CLK_TCK } from './stat.js';
import type { NamespaceTree, TreeNode } from './tree.js';

export type Pid1Kind = 'shell' | 'package-manager' | 'init' | 'service' | 'wrapper';

export interface Verdict {
  stopSignal: string;
  /** Whether PID 1 is a namespace init (false: `--pid` of a host process, evaluated as if it were). */
  namespaceInit: boolean;
  pid1: { pid: number; hostPid: number; name: string; kind: Pid1Kind; detail: string };
  /** What PID 1 does with the stop signal sent by the runtime (from an ancestor namespace). */
  delivery: Fate | 'taken';
  deliveryWhy: string;
  /** The predicted outcome of a stop, and whether it is certain. */
  outcome: Outcome;
  certain: boolean;
  /** The service the stop is meant for, as pid1 identified it. */
  service: { pid: number; hostPid: number; name: string } | null;
  /** Processes that handle the stop signal but will never receive it. */
  unreached: { pid: number; hostPid: number; name: string }[];
  /** Step by step, what happens to the signal. */
  path: string[];
  /** Known false positives and caveats. */
  caveats: string[];
  /** What to change. */
  advice: string[];
  /** One plain sentence. */
  summary: string;
}

function familyOf(p: TreeNode): ShellFamily {
  return shellFamilyOfBinary(p.exe.replace(/ \(deleted\)$/, '')) ?? 'unknown';
}

/** argv as identify() wants it: node rewrites its cmdline to one string (process.title), e.g. "npm start". */
function argvOf(p: TreeNode): string[] {
  let argv = p.argv.length ? p.argv : [p.comm];
  if (argv.length === 1 && (argv[0] ?? '').includes(' ')) argv = (argv[0] as string).split(/\s+/).filter(Boolean);
  // `node …/npm-cli.js start` is npm, `node …/pid1 init …` is pid1 init (identify() knows them too)
  const tool = toolRunByNode(argv);
  if (tool) return tool.argv;
  // A script run through its shebang: the kernel shows the interpreter first; keep it, identify() knows shells.
  return argv;
}

function environOf(hostPid: number): Map<string, string> {
  const env = new Map<string, string>();
  try {
    for (const kv of fs.readFileSync(`${PROC}/${hostPid}/environ`, 'utf8').split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) env.set(kv.slice(0, i), kv.slice(i + 1));
    }
  } catch {
    /* no access */
  }
  return env;
}

function programOf(p: TreeNode): Program {
  const env = environOf(p.hostPid);
  // The process's own environment: FLASK_DEBUG turns on Flask's reloader, TINI_KILL_PROCESS_GROUP tini's group mode.
  const prog = identify(argvOf(p), familyOf(p), Object.fromEntries(env));
  // tini also turns on process-group forwarding from its environment (TINI_KILL_PROCESS_GROUP).
  if ((prog.name === 'tini' || prog.name === 'docker-init') && prog.forwards === 'child' && env.has('TINI_KILL_PROCESS_GROUP')) {
    return { ...prog, forwards: 'group', note: "TINI_KILL_PROCESS_GROUP makes tini forward to the child's process group" };
  }
  return prog;
}

/** A live shell's program text: its -c string, or its script read through the process's own root and cwd. */
function liveShellSource(p: TreeNode, prog: Program): { source: string; mode: 'command' | 'script' } | undefined {
  if (prog.command !== undefined) return { source: prog.command, mode: 'command' };
  if (prog.script === undefined) return undefined;
  try {
    const cwd = fs.readlinkSync(`${PROC}/${p.hostPid}/cwd`);
    const source = readTextInRoot(`${PROC}/${p.hostPid}/root`, path.posix.resolve(cwd, prog.script));
    return source === undefined ? undefined : { source, mode: 'script' };
  } catch {
    return undefined; // gone, or no access to its root
  }
}

/** Reads a live process's program (`node server.js`) for a handler: given by the caller, which can read sources. */
export type LiveProgramSource = (process: { hostPid: number }, argv: readonly string[], program: Program) => SourceVerdict | undefined;

export interface VerdictOptions {
  programSource?: LiveProgramSource;
  /** Where the tree comes from, for advice the user can run: the container's name, when it is a container's. */
  container?: string;
  /** The flags `pid1 stop` needs to reach that container's runtime (`--runtime podman`); none for Docker. */
  runtimeFlags?: string[];
  /** The stop is under way (pid1 test): no advice on how to stop it now. */
  stopping?: boolean;
  /** Seconds from the stop signal to SIGKILL, when known (pid1 test): a PID 1 that ends sooner by itself loses nothing. */
  graceSeconds?: number;
}

/**
 * Seconds until a `sleep N` PID 1 ends by itself: N less the time it has run (starttime, in clock ticks
 * since boot, against /proc/uptime). Undefined for anything else, or `sleep infinity`.
 */
function secondsLeft(p: TreeNode): number | undefined {
  if (programOf(p).catalogue !== 'sleep') return undefined;
  const total = boundedSeconds(argvOf(p).slice(1));
  if (total === undefined) return undefined;
  try {
    const uptime = Number.parseFloat(fs.readFileSync(`${PROC}/uptime`, 'utf8'));
    return Math.max(0, total - (uptime - p.starttime / CLK_TCK));
  } catch {
    return undefined;
  }
}

/**
 * What a runtime's program does with the signal, from its masks first. Not caught (nor waited for):
 * there is no handler, whatever the code says. Caught by a runtime whose default shows no handler
 * (CPython: INT only): the program installed one. Caught by a runtime whose own default handler shows
 * in SigCgt (Node re-raises): only the program's source can tell.
 */
function liveSource(p: TreeNode, prog: Program, argv: readonly string[], sig: number, signal: string, opts: VerdictOptions): SourceVerdict | undefined {
  if (!prog.programDecides || !prog.catalogue) return undefined;
  const entry = catalogueById(prog.catalogue);
  if (!entry) return undefined;
  if (!p.masks.caught.includes(sig) && !p.takes.includes(sig)) {
    return { verdict: 'no-handler', reason: `${signal} is not in its SigCgt: the program installed no handler` };
  }
  if (behaviourOn(entry, signal).mask === 'none') {
    return { verdict: 'handles', reason: `${signal} is in its SigCgt, which ${entry.title} alone does not show: the program installed a handler` };
  }
  return opts.programSource?.(p, argv, prog);
}

function toChain(p: TreeNode, signal: number, opts: VerdictOptions): ChainProcess {
  const prog = programOf(p);
  // The same shell model lint uses: does a trap forward the signal, and does the shell wait afterwards?
  const src = prog.role === 'shell' && shellParserReady() ? liveShellSource(p, prog) : undefined;
  const analysis = src ? analyzeShell(src.source, familyOf(p), { mode: src.mode }) : undefined;
  // Role, forwarding and gracefulness from the same knowledge as the static chain; what the process
  // really does with the signal from its masks. Signals taken with sigwait/signalfd count as handled:
  // the kernel queues them for the process.
  const argv = argvOf(p);
  const source = prog.role === 'service' ? liveSource(p, prog, argv, signal, signalName(signal), opts) : undefined;
  const c = makeProcess([prog], p.argv, signalName(signal), analysis, prog.script, source);
  const caught = [...new Set([...p.masks.caught, ...p.takes])];
  const name = prog.role === 'service' && prog.name !== basename(p.comm) && /^(python|python3|ruby|perl|java|php)/.test(prog.name) ? `${prog.name} (${p.comm})` : prog.name;
  return { ...c, name, handles: caught.includes(signal) ? 'yes' : 'no', masks: { ...p.masks, caught }, pid: p.pid, hostPid: p.hostPid };
}

const KIND: Record<Program['role'], Pid1Kind> = {
  shell: 'shell',
  init: 'init',
  'package-manager': 'package-manager',
  'exec-wrapper': 'wrapper',
  'fork-wrapper': 'wrapper',
  service: 'service',
};

/** The service: the top-most live process, in tree order, that is not a shell, init, wrapper or package manager. */
function findService(tree: NamespaceTree): TreeNode | undefined {
  const queue: TreeNode[] = [tree.init];
  while (queue.length) {
    const n = queue.shift() as TreeNode;
    if (!n.zombie && programOf(n).role === 'service') return n;
    queue.push(...n.children);
  }
  return undefined;
}

function pathTo(target: TreeNode, tree: NamespaceTree): TreeNode[] {
  const byHost = new Map(tree.processes.map((p) => [p.hostPid, p]));
  const out: TreeNode[] = [target];
  let cur = target;
  while (cur !== tree.init) {
    const parent = byHost.get(cur.hostPpid);
    if (!parent) break;
    out.unshift(parent);
    cur = parent;
  }
  return out;
}

function describe(prog: Program, p: TreeNode): string {
  switch (prog.role) {
    case 'shell':
      return `a shell wrapper (${prog.name}${prog.command !== undefined ? ' -c' : prog.script ? ` ${prog.script}` : ''})`;
    case 'init':
      return `${prog.name}, an init that forwards signals to its child${prog.forwards === 'group' ? "'s process group" : ' only'}`;
    case 'package-manager':
      return `${prog.name}, a package manager running a script`;
    case 'exec-wrapper':
    case 'fork-wrapper':
      return `${prog.name}, a wrapper`;
    default:
      return `the service itself (${p.comm})`;
  }
}

/**
 * What `pid1 stop` signals from the host: the processes other than PID 1 that handle `sig`, keeping only
 * those with no handling ancestor below PID 1 (a master signals its workers itself), top-most first.
 */
export function topHandlers(processes: TreeNode[], init: TreeNode, sig: number): TreeNode[] {
  const byHost = new Map(processes.map((p) => [p.hostPid, p]));
  const handles = (p: TreeNode): boolean => !p.zombie && (p.masks.caught.includes(sig) || p.takes.includes(sig));
  const handlers = processes.filter((p) => p !== init && handles(p));
  const set = new Set(handlers.map((h) => h.hostPid));
  const hasHandlingAncestor = (p: TreeNode): boolean => {
    for (let cur = byHost.get(p.hostPpid); cur && cur !== init; cur = byHost.get(cur.hostPpid)) if (set.has(cur.hostPid)) return true;
    return false;
  };
  return handlers.filter((h) => !hasHandlingAncestor(h)).sort((a, b) => a.depth - b.depth || a.pid - b.pid);
}

const named = (p: { name: string; pid: number }): string => `${p.name} (PID ${p.pid})`;
const nodeName = (p: TreeNode): string => `${p.comm} (PID ${p.pid})`;

/**
 * A command that stops it gracefully now, saying exactly what it signals: `pid1 stop` for a container;
 * for a namespace or a host process (which `pid1 stop` does not take), `kill` from the host with host PIDs.
 */
function stopNowAdvice(tree: NamespaceTree, sig: number, signal: string, ctx: VerdictOptions): string | undefined {
  const targets = topHandlers(tree.processes, tree.init, sig);
  if (!targets.length) return undefined;
  const chosen = new Set(targets.map((t) => t.hostPid));
  const below = tree.processes.filter((p) => !p.zombie && p !== tree.init && !chosen.has(p.hostPid) && (p.masks.caught.includes(sig) || p.takes.includes(sig)));
  const left = below.length ? `; not to ${below.map(nodeName).join(', ')}, which also handle ${signal} but are left to the process above them, as a master signals its workers` : '';
  if (ctx.container !== undefined) {
    return `to stop it gracefully now: pid1 stop ${[...(ctx.runtimeFlags ?? []), '--container', ctx.container].join(' ')} (sends ${signal} from the host to ${targets.map(nodeName).join(', ')} only${left}; then stops the container normally)`;
  }
  const where = (p: TreeNode): string => (tree.isolated ? `${p.comm}, PID ${p.pid} in its namespace` : p.comm);
  return `to stop it gracefully now, from the host: kill -s ${signal.replace(/^SIG/, '')} ${targets.map((t) => t.hostPid).join(' ')} (${targets.map(where).join('; ')}${left})`;
}

/**
 * The verdict for a namespace and its stop signal (default SIGTERM). Shell processes are analysed with
 * the shell model (traps, waits) when the parser is loaded (await loadShellParser() first); otherwise
 * only their signal masks speak for them.
 */
export function verdictFor(tree: NamespaceTree, stopSignal = 'SIGTERM', opts: VerdictOptions = {}): Verdict {
  const sig = parseSignal(stopSignal);
  const signal = signalName(sig);
  const init = tree.init;
  const initProg = programOf(init);
  const fate = signalFate(sig, { ...init.masks, caught: [...new Set([...init.masks.caught, ...init.takes])] }, { namespaceInit: true, fromAncestor: true });
  const taken = !init.masks.caught.includes(sig) && init.takes.includes(sig);
  const serviceNode = findService(tree);
  const chainNodes = serviceNode ? pathTo(serviceNode, tree) : [init];
  const chain = chainNodes.map((n) => toChain(n, sig, opts));
  const prediction = predictStop({ processes: chain }, signal);
  // `sleep 3` as PID 1 with a 10 s grace: whatever the kernel does with the signal, it exits by itself first.
  const left = opts.graceSeconds !== undefined && prediction.outcome !== 'graceful' && chainNodes.length === 1 ? secondsLeft(init) : undefined;
  if (left !== undefined && left < (opts.graceSeconds as number)) {
    prediction.path.push(`${init.comm} ends by itself in about ${left.toFixed(1)} s, within the ${opts.graceSeconds} s grace period: nothing is SIGKILLed`);
    prediction.outcome = 'graceful';
    prediction.certain = true;
    prediction.path.splice(
      prediction.path.findIndex((l) => l.startsWith('grace period expires')),
      1,
    );
    delete prediction.fix;
  }
  // Reached: the chain up to where the signal stops; group forwarding reaches the whole group.
  const reached = new Set<number>();
  if (fate.fate === 'handled') {
    reached.add(init.hostPid);
    if (initProg.role !== 'service' && initProg.forwards === 'group') {
      const child = chainNodes[1];
      if (child) for (const p of tree.processes) if (p.pgid === child.pgid) reached.add(p.hostPid);
    } else if (initProg.role !== 'service' && chainNodes[1]) reached.add(chainNodes[1].hostPid);
  }
  const unreached = tree.processes
    .filter((p) => !p.zombie && !reached.has(p.hostPid) && (p.masks.caught.includes(sig) || p.takes.includes(sig)))
    .filter((p) => p !== init)
    .map((p) => ({ pid: p.pid, hostPid: p.hostPid, name: p.comm }));
  const caveats: string[] = [];
  const nodeLike = chain.find((c) => c.programs.at(-1)?.programDecides && c.reaction === 'program-decides');
  if (nodeLike && nodeLike.handles === 'yes' && nodeLike.programs.at(-1)?.catalogue === 'node') {
    caveats.push(
      `${nodeLike.name} shows ${signal} in SigCgt because Node installs its own handler, but unless the program calls process.on('${signal}') that handler re-raises the default action${nodeLike === chain[0] ? ', which the kernel ignores for PID 1: the stop will wait for the grace period' : ''}. Make the program listen for ${signal} and shut down.`,
    );
  }
  for (const c of chain) if (c.note && c.role === 'service' && c.programs[0]?.graceful) caveats.push(c.note);
  if (!tree.isolated) caveats.push(`process ${init.hostPid} is not a PID namespace init; it was evaluated as if it were one (as it would be as a container's PID 1)`);
  if (tree.zombies.length)
    caveats.push(
      `${tree.zombies.length} zombie process${tree.zombies.length > 1 ? 'es' : ''} (${tree.zombies.map((z) => `${z.pid} ${z.comm}`).join(', ')}): PID 1 does not reap ${tree.zombies.length > 1 ? 'them' : 'it'}`,
    );
  const advice: string[] = [];
  if (prediction.fix) advice.push(prediction.fix);
  const stopNow = prediction.outcome !== 'graceful' && !opts.stopping ? stopNowAdvice(tree, sig, signal, opts) : undefined;
  if (stopNow) advice.push(stopNow);
  const serviceInfo = serviceNode ? { pid: serviceNode.pid, hostPid: serviceNode.hostPid, name: serviceNode.comm } : null;
  // A host process is not a container: say what stops.
  const whole = opts.container !== undefined ? 'the container' : tree.isolated ? 'the namespace' : 'the process tree';
  const deliveryWord = taken ? 'taken' : fate.fate;
  const reachesPid1 = deliveryWord === 'handled' || deliveryWord === 'taken';
  // At PID 1, then beyond it: "delivered at PID 1" and "will be lost" must not be said of one stop.
  const atPid1 = {
    handled: `PID 1 receives ${signal}`,
    taken: `PID 1 receives ${signal}`,
    dropped: `the kernel drops ${signal} at PID 1 (it has no handler)`,
    ignored: `PID 1 ignores ${signal}`,
    default: `${signal}'s default action applies at PID 1`,
  }[deliveryWord];
  const what = {
    graceful:
      left !== undefined
        ? `but it ends by itself within the grace period: nothing is SIGKILLed`
        : `the stop will be graceful: ${serviceInfo ? named(serviceInfo) : 'PID 1'} receives ${signal} and shuts down`,
    killed: reachesPid1
      ? `but it does not reach ${serviceInfo && serviceInfo.hostPid !== init.hostPid ? named(serviceInfo) : 'a graceful shutdown'}: the runtime waits the whole grace period, then SIGKILLs everything (exit 137)`
      : `the runtime waits the whole grace period, then SIGKILLs everything (exit 137)`,
    abrupt: `${whole} stops fast but not gracefully: ${serviceInfo ? serviceInfo.name : 'the service'} is ended without its shutdown`,
    unknown: `the outcome depends on the program: ${prediction.path[prediction.path.length - 1] ?? ''}`,
    nostart: `${whole} does not start`,
  }[prediction.outcome];
  return {
    stopSignal: signal,
    namespaceInit: tree.isolated,
    pid1: { pid: init.pid, hostPid: init.hostPid, name: init.comm, kind: KIND[initProg.role], detail: describe(initProg, init) },
    delivery: deliveryWord,
    deliveryWhy: taken ? `${signal} is waited for with ${init.takesVia.join('/')}: the kernel queues it for PID 1` : fate.why,
    outcome: prediction.outcome,
    certain: prediction.certain,
    service: serviceInfo,
    unreached,
    path: prediction.path,
    caveats,
    advice,
    summary: `PID 1 is ${describe(initProg, init)}; ${atPid1}${prediction.outcome === 'killed' && reachesPid1 ? ' ' : '; '}${what}.`,
  };
}

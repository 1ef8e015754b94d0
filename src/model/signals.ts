/**
 * Linux signals: names and numbers per architecture, /proc/PID/status masks, and the
 * delivery rule the kernel applies to a PID namespace's init.
 *
 * Numbers come from the kernel's uapi headers (arch/<arch>/include/uapi/asm/signal.h).
 * Masks are printed by the kernel's render_sigset_t(): _NSIG/4 hex digits, most significant
 * first, bit n-1 = signal n.
 */

/** Architectures whose signal numbering differs. `generic` covers x86, arm, arm64, riscv, powerpc, s390, loongarch. */
export type Arch = 'generic' | 'alpha' | 'sparc' | 'mips' | 'parisc';
export const ARCHES: readonly Arch[] = ['generic', 'alpha', 'sparc', 'mips', 'parisc'];

/** Which SIGRTMIN a real-time name is counted from: the kernel's (32) or glibc's (34; 32 and 33 are NPTL's). */
export type RtBase = 'kernel' | 'glibc';

interface ArchTable {
  /** _NSIG: number of signals, i.e. bits in a mask. */
  nsig: number;
  /** Classic signals 1..31, index = number. */
  names: readonly string[];
  /** Extra names accepted on input (alias -> canonical). */
  aliases: Readonly<Record<string, string>>;
  /** Highest signal glibc lets programs use (MIPS: 127, since 128 cannot be an exit status). */
  glibcRtMax: number;
}

const COMMON_ALIASES = { IOT: 'ABRT', POLL: 'IO', CLD: 'CHLD' } as const;

// arch/x86/include/uapi/asm/signal.h (same in asm-generic, arm, arm64, riscv, powerpc, s390).
const GENERIC: ArchTable = {
  nsig: 64,
  names: [
    '',
    'HUP',
    'INT',
    'QUIT',
    'ILL',
    'TRAP',
    'ABRT',
    'BUS',
    'FPE',
    'KILL',
    'USR1',
    'SEGV',
    'USR2',
    'PIPE',
    'ALRM',
    'TERM',
    'STKFLT',
    'CHLD',
    'CONT',
    'STOP',
    'TSTP',
    'TTIN',
    'TTOU',
    'URG',
    'XCPU',
    'XFSZ',
    'VTALRM',
    'PROF',
    'WINCH',
    'IO',
    'PWR',
    'SYS',
  ],
  aliases: { ...COMMON_ALIASES, UNUSED: 'SYS' },
  glibcRtMax: 64,
};
// arch/alpha/include/uapi/asm/signal.h
const ALPHA: ArchTable = {
  nsig: 64,
  names: [
    '',
    'HUP',
    'INT',
    'QUIT',
    'ILL',
    'TRAP',
    'ABRT',
    'EMT',
    'FPE',
    'KILL',
    'BUS',
    'SEGV',
    'SYS',
    'PIPE',
    'ALRM',
    'TERM',
    'URG',
    'STOP',
    'TSTP',
    'CONT',
    'CHLD',
    'TTIN',
    'TTOU',
    'IO',
    'XCPU',
    'XFSZ',
    'VTALRM',
    'PROF',
    'WINCH',
    'PWR',
    'USR1',
    'USR2',
  ],
  aliases: { ...COMMON_ALIASES, INFO: 'PWR' },
  glibcRtMax: 64,
};
// arch/sparc/include/uapi/asm/signal.h: numbered as on Alpha; 29 is SIGLOST/SIGPWR.
const SPARC: ArchTable = { ...ALPHA, aliases: { ...COMMON_ALIASES, LOST: 'PWR' } };
// arch/mips/include/uapi/asm/signal.h: _NSIG 128, so /proc masks have 32 hex digits.
const MIPS: ArchTable = {
  nsig: 128,
  names: [
    '',
    'HUP',
    'INT',
    'QUIT',
    'ILL',
    'TRAP',
    'ABRT',
    'EMT',
    'FPE',
    'KILL',
    'BUS',
    'SEGV',
    'SYS',
    'PIPE',
    'ALRM',
    'TERM',
    'USR1',
    'USR2',
    'CHLD',
    'PWR',
    'WINCH',
    'URG',
    'IO',
    'STOP',
    'TSTP',
    'CONT',
    'TTIN',
    'TTOU',
    'VTALRM',
    'PROF',
    'XCPU',
    'XFSZ',
  ],
  aliases: { ...COMMON_ALIASES },
  glibcRtMax: 127,
};
// arch/parisc/include/uapi/asm/signal.h
const PARISC: ArchTable = {
  nsig: 64,
  names: [
    '',
    'HUP',
    'INT',
    'QUIT',
    'ILL',
    'TRAP',
    'ABRT',
    'STKFLT',
    'FPE',
    'KILL',
    'BUS',
    'SEGV',
    'XCPU',
    'PIPE',
    'ALRM',
    'TERM',
    'USR1',
    'USR2',
    'CHLD',
    'PWR',
    'VTALRM',
    'PROF',
    'IO',
    'WINCH',
    'STOP',
    'TSTP',
    'CONT',
    'TTIN',
    'TTOU',
    'URG',
    'XFSZ',
    'SYS',
  ],
  aliases: { ...COMMON_ALIASES, UNUSED: 'SYS' },
  glibcRtMax: 64,
};

const TABLES: Record<Arch, ArchTable> = { generic: GENERIC, alpha: ALPHA, sparc: SPARC, mips: MIPS, parisc: PARISC };

/** The kernel's SIGRTMIN on every architecture. */
export const KERNEL_SIGRTMIN = 32;
/** glibc's SIGRTMIN: NPTL reserves 32 (SIGCANCEL) and 33 (SIGSETXID). musl reserves 32-34 and reports 35. */
const GLIBC_SIGRTMIN = 34;

/** The host's architecture in our terms. */
export function hostArch(): Arch {
  const a: string = process.arch;
  return a.startsWith('mips') ? 'mips' : 'generic';
}

function nsig(arch: Arch = 'generic'): number {
  return TABLES[arch].nsig;
}

/** Number of hex digits the kernel prints for a mask on this architecture. */
export function maskDigits(arch: Arch = 'generic'): number {
  return TABLES[arch].nsig / 4;
}

export class SignalError extends Error {
  override name = 'SignalError';
}

/**
 * Name of signal n: SIGTERM, or for real-time signals SIGRTMIN+k / SIGRTMAX-k counted from the chosen
 * SIGRTMIN (`kill -l` style: the lower half from SIGRTMIN, the upper half from SIGRTMAX). Under glibc's
 * base, 32 and 33 have no portable name and are shown as `SIG32`/`SIG33`.
 */
export function signalName(n: number, arch: Arch = 'generic', rt: RtBase = 'glibc'): string {
  const t = TABLES[arch];
  if (!Number.isInteger(n) || n < 1 || n > t.nsig) throw new SignalError(`signal number ${n} is out of range 1..${t.nsig} on ${arch}`);
  if (n < KERNEL_SIGRTMIN) return `SIG${t.names[n]}`;
  const min = rt === 'glibc' ? GLIBC_SIGRTMIN : KERNEL_SIGRTMIN;
  const max = rt === 'glibc' ? t.glibcRtMax : t.nsig;
  if (n < min || n > max) return `SIG${n}`;
  const half = Math.floor((max - min) / 2);
  const k = n - min;
  if (k <= half) return k === 0 ? 'SIGRTMIN' : `SIGRTMIN+${k}`;
  const j = max - n;
  return j === 0 ? 'SIGRTMAX' : `SIGRTMAX-${j}`;
}

/**
 * Parse a signal given as a number ("15"), a name with or without SIG ("TERM", "sigterm"),
 * an alias ("IOT", "POLL") or a real-time form ("RTMIN+3", "SIGRTMAX-1").
 */
export function parseSignal(input: string | number, arch: Arch = 'generic', rt: RtBase = 'glibc'): number {
  // every launch of a lint run parses its STOPSIGNAL and the signals its chain names, mostly the same few words
  if (typeof input !== 'string' || arch !== 'generic' || rt !== 'glibc') return parseSignalOnce(input, arch, rt);
  let n = PARSED.get(input);
  if (n === undefined) {
    n = parseSignalOnce(input, arch, rt);
    if (PARSED.size < MAX_PARSED) PARSED.set(input, n);
  }
  return n;
}

/** Signal words parsed already (generic tables, glibc's SIGRTMIN), bounded: the words come from files. */
const PARSED = new Map<string, number>();
const MAX_PARSED = 1024;

function parseSignalOnce(input: string | number, arch: Arch, rt: RtBase): number {
  const t = TABLES[arch];
  if (typeof input === 'number' || /^\s*\d+\s*$/.test(String(input))) {
    const n = Number(input);
    if (!Number.isInteger(n) || n < 1 || n > t.nsig) throw new SignalError(`signal number ${String(input).trim()} is out of range 1..${t.nsig} on ${arch}`);
    return n;
  }
  const raw = String(input).trim().toUpperCase();
  const name = raw.startsWith('SIG') ? raw.slice(3) : raw;
  const rtm = /^RT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (rtm) {
    const min = rt === 'glibc' ? GLIBC_SIGRTMIN : KERNEL_SIGRTMIN;
    const max = rt === 'glibc' ? t.glibcRtMax : t.nsig;
    const base = rtm[1] === 'MIN' ? min : max;
    const off = rtm[3] ? Number(rtm[3]) * (rtm[2] === '-' ? -1 : 1) : 0;
    const n = base + off;
    if (n < min || n > max) throw new SignalError(`${String(input).trim()} is outside SIGRTMIN..SIGRTMAX (${min}..${max})`);
    return n;
  }
  const canonical = t.aliases[name] ?? name;
  const idx = t.names.indexOf(canonical);
  if (idx > 0) return idx;
  const plain = /^(\d+)$/.exec(name);
  if (plain) return parseSignalOnce(Number(plain[1]), arch, rt);
  throw new SignalError(`unknown signal "${String(input).trim()}" on ${arch}`);
}

/** The five masks in /proc/PID/status. */
export const MASK_FIELDS = ['SigPnd', 'ShdPnd', 'SigBlk', 'SigIgn', 'SigCgt'] as const;
export type MaskField = (typeof MASK_FIELDS)[number];

/**
 * Decode a /proc mask into the signal numbers it contains. Accepts an optional 0x prefix; requires
 * exactly the architecture's digit count unless `lenient` (shorter masks are then zero-extended).
 */
export function decodeMask(hex: string, arch: Arch = 'generic', lenient = false): number[] {
  const digits = maskDigits(arch);
  const s = hex.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]+$/.test(s)) throw new SignalError(`malformed signal mask "${hex}": expected hexadecimal digits`);
  if (s.length > digits) throw new SignalError(`malformed signal mask "${hex}": ${s.length} digits, ${arch} masks have ${digits}`);
  if (!lenient && s.length !== digits) throw new SignalError(`malformed signal mask "${hex}": ${s.length} digits, ${arch} masks have ${digits}`);
  const bits = BigInt(`0x${s}`);
  const out: number[] = [];
  for (let n = 1; n <= nsig(arch); n++) if ((bits >> BigInt(n - 1)) & 1n) out.push(n);
  return out;
}

/** Encode signal numbers as the kernel prints them. */
export function encodeMask(signals: Iterable<number>, arch: Arch = 'generic'): string {
  let bits = 0n;
  for (const n of signals) {
    if (!Number.isInteger(n) || n < 1 || n > nsig(arch)) throw new SignalError(`signal number ${n} is out of range 1..${nsig(arch)} on ${arch}`);
    bits |= 1n << BigInt(n - 1);
  }
  return bits.toString(16).padStart(maskDigits(arch), '0');
}

/** Default action of a signal when no handler is installed (signal(7)). */
export type DefaultAction = 'terminate' | 'core' | 'ignore' | 'stop' | 'continue';

export function defaultAction(n: number, arch: Arch = 'generic'): DefaultAction {
  if (n >= KERNEL_SIGRTMIN) return 'terminate';
  const name = TABLES[arch].names[n];
  switch (name) {
    case 'CHLD':
    case 'URG':
    case 'WINCH':
      return 'ignore';
    case 'CONT':
      return 'continue';
    case 'STOP':
    case 'TSTP':
    case 'TTIN':
    case 'TTOU':
      return 'stop';
    case 'QUIT':
    case 'ILL':
    case 'TRAP':
    case 'ABRT':
    case 'BUS':
    case 'FPE':
    case 'SEGV':
    case 'XCPU':
    case 'XFSZ':
    case 'SYS':
    case 'EMT':
      return 'core';
    // SIGPWR on Linux terminates; SIGSTKFLT terminates.
    default:
      return 'terminate';
  }
}

/** The signal masks of one process, as read from /proc/PID/status (decoded). */
export interface SignalMasks {
  pending: number[];
  shared_pending: number[];
  blocked: number[];
  ignored: number[];
  caught: number[];
}

/**
 * What a signal does to a process:
 * - handled: a handler is installed; it runs.
 * - ignored: SIG_IGN, or default action "ignore" (SIGCHLD, SIGURG, SIGWINCH).
 * - dropped: the process is a namespace init and the action is default: the kernel discards it.
 * - default: the default action applies (terminate, core, stop, continue).
 * - held: blocked; it stays pending and the outcome above applies when it is unblocked.
 */
export type Fate = 'handled' | 'ignored' | 'dropped' | 'default';

interface FateContext {
  /** The process is PID 1 of its PID namespace (SIGNAL_UNKILLABLE). */
  namespaceInit: boolean;
  /** The sender is in an ancestor PID namespace (the runtime, `docker kill`, the kubelet), not in the container. */
  fromAncestor: boolean;
  /** The process is the host's init (PID 1 of the initial namespace): even SIGKILL/SIGSTOP are refused. */
  globalInit?: boolean;
}

export interface SignalFate {
  signal: number;
  name: string;
  fate: Fate;
  /** For fate=default: what the default action does. */
  action?: DefaultAction;
  /** The signal is blocked now: it will wait pending, and the fate applies once unblocked. */
  blocked: boolean;
  /** One line in kernel terms. */
  why: string;
}

/**
 * What happens to `signal` sent to a process with these masks, as the kernel decides it:
 * kernel/signal.c sig_task_ignored(): an init (SIGNAL_UNKILLABLE) with the handler at SIG_DFL ignores the
 * signal unless it is SIGKILL/SIGSTOP forced from an ancestor namespace; get_signal() drops a queued
 * default-action signal for an unkillable init except sig_kernel_only() ones; sig_handler_ignored()
 * ignores SIG_IGN and default-ignore signals.
 */
export function signalFate(signal: number, masks: Pick<SignalMasks, 'ignored' | 'caught' | 'blocked'>, ctx: FateContext, arch: Arch = 'generic'): SignalFate {
  const name = signalName(signal, arch);
  const kill = parseSignal('KILL', arch);
  const stop = parseSignal('STOP', arch);
  const kernelOnly = signal === kill || signal === stop;
  // SIGKILL and SIGSTOP cannot be blocked, caught or ignored.
  const blocked = !kernelOnly && masks.blocked.includes(signal);
  // one literal per outcome, not a spread of shared keys: on Node 20 that is slow (see moved() in model/shell.ts)
  if (ctx.globalInit && kernelOnly) return { signal, name, blocked, fate: 'dropped', why: `${name} is never delivered to the host's init` };
  if (!kernelOnly && masks.caught.includes(signal)) return { signal, name, blocked, fate: 'handled', why: `${name} has a handler installed (SigCgt)` };
  if (!kernelOnly && masks.ignored.includes(signal)) return { signal, name, blocked, fate: 'ignored', why: `${name} is set to SIG_IGN (SigIgn)` };
  const action = defaultAction(signal, arch);
  if (ctx.namespaceInit && !(kernelOnly && ctx.fromAncestor)) {
    return {
      signal,
      name,
      blocked,
      fate: 'dropped',
      why: kernelOnly ? `${name} sent from inside the namespace is refused by its init` : `${name} is at its default action and the process is a PID namespace init: the kernel drops it`,
    };
  }
  if (kernelOnly)
    return {
      signal,
      name,
      blocked,
      fate: 'default',
      action,
      why: `${name} cannot be caught, blocked or ignored${ctx.namespaceInit ? '; from an ancestor namespace it reaches even a namespace init' : ''}`,
    };
  if (action === 'ignore') return { signal, name, blocked, fate: 'ignored', action, why: `${name} is ignored by default` };
  return { signal, name, blocked, fate: 'default', action, why: `${name} is at its default action: ${action}` };
}

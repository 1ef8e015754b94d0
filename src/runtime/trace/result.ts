/**
 * The kernel's result for a generated signal (include/trace/events/signal.h, enum
 * TRACE_SIGNAL_*), in words. `res` says what happened; why a signal was ignored is not in the
 * event, so it is worked out from the checks __send_signal_locked() makes (kernel/signal.c), in
 * its order, against the target as /proc shows it right after the event:
 *   prepare_signal(): a process already exiting (SIGNAL_GROUP_EXIT) drops every signal;
 *   sig_ignored(): a blocked signal is never ignored (it waits pending);
 *   sig_task_ignored(): the host's init never gets SIGKILL/SIGSTOP; an unkillable task (a PID
 *     namespace init) drops a signal at SIG_DFL unless it is SIGKILL/SIGSTOP forced from an ancestor
 *     namespace; a kernel thread drops what the kernel did not send;
 *   sig_handler_ignored(): SIG_IGN, or SIG_DFL for a signal whose default action is to ignore.
 */
import { defaultAction, type SignalMasks } from '../../model/signals.js';

export type SignalResult = 'delivered' | 'ignored' | 'pending' | 'overflow' | 'info-lost';

/** TRACE_SIGNAL_DELIVERED, _IGNORED, _ALREADY_PENDING, _OVERFLOW_FAIL, _LOSE_INFO. */
const RESULT_OF_CODE: readonly SignalResult[] = ['delivered', 'ignored', 'pending', 'overflow', 'info-lost'];

function resultOf(code: number): SignalResult | undefined {
  return RESULT_OF_CODE[code];
}

/** Why a signal was ignored, as far as pid1 can tell. */
export type IgnoredReason = 'exiting' | 'host-init' | 'namespace-init-default' | 'kernel-thread' | 'sig-ign' | 'default-ignore' | 'unknown';

export interface TargetState {
  /** PID 1 of a PID namespace below the host's. */
  namespaceInit: boolean;
  /** PID 1 of the host. */
  hostInit: boolean;
  kernelThread: boolean;
  /** Already exiting: gone from /proc, a zombie, or an earlier SIGKILL reached it. */
  exiting: boolean;
  masks?: Pick<SignalMasks, 'ignored' | 'caught' | 'blocked'>;
}

const SIGKILL = 9;
const SIGSTOP = 19;

export function ignoredReason(sig: number, t: TargetState): IgnoredReason {
  if (t.exiting) return 'exiting';
  const kernelOnly = sig === SIGKILL || sig === SIGSTOP;
  if (t.hostInit && kernelOnly) return 'host-init';
  const m = t.masks;
  const caught = m?.caught.includes(sig) ?? false;
  const ign = m?.ignored.includes(sig) ?? false;
  // SigIgn/SigCgt are the handler; neither set means SIG_DFL (kernelOnly signals are always SIG_DFL).
  const atDefault = m !== undefined && (kernelOnly || (!caught && !ign));
  if ((t.namespaceInit || t.hostInit) && atDefault) return 'namespace-init-default';
  if (t.kernelThread) return 'kernel-thread';
  if (ign) return 'sig-ign';
  if (atDefault && defaultAction(sig) === 'ignore') return 'default-ignore';
  return 'unknown';
}

const IGNORED_WORDS: Record<IgnoredReason, string> = {
  exiting: 'ignored: the process was already exiting',
  'host-init': "ignored: SIGKILL and SIGSTOP never reach the host's init",
  'namespace-init-default': 'ignored: default action at a namespace init',
  'kernel-thread': 'ignored: a kernel thread takes only signals the kernel sends',
  'sig-ign': 'ignored: the process set it to SIG_IGN',
  'default-ignore': 'ignored: its default action is to ignore it',
  unknown: 'ignored (the reason was gone by the time pid1 looked)',
};

interface Explained {
  result: SignalResult | 'unknown';
  reason?: IgnoredReason;
  /** One line for people. */
  words: string;
}

export function explainResult(code: number, sig: number, target: TargetState): Explained {
  const result = resultOf(code);
  switch (result) {
    case 'delivered': {
      const m = target.masks;
      const kernelOnly = sig === SIGKILL || sig === SIGSTOP;
      if (!kernelOnly && m?.blocked.includes(sig)) return { result, words: 'delivered: blocked, it waits pending until unblocked or taken (sigwait/signalfd)' };
      if (!kernelOnly && m?.caught.includes(sig)) return { result, words: 'delivered: a handler runs' };
      return { result, words: 'delivered' };
    }
    case 'ignored': {
      const reason = ignoredReason(sig, target);
      return { result, reason, words: IGNORED_WORDS[reason] };
    }
    case 'pending':
      return { result, words: 'already pending: the same signal was still pending, and a standard signal is queued only once' };
    case 'overflow':
      return { result, words: 'queue overflow: the real-time signal was not queued (RLIMIT_SIGPENDING) and the sender got EAGAIN' };
    case 'info-lost':
      return { result, words: 'delivered without its siginfo: the signal queue was full' };
    default:
      return { result: 'unknown', words: `result ${code} (unknown to pid1)` };
  }
}

/** si_code in words (include/uapi/asm-generic/siginfo.h). */
export function siCodeName(code: number): string {
  switch (code) {
    case 0:
      return 'SI_USER';
    case 0x80:
      return 'SI_KERNEL';
    case -1:
      return 'SI_QUEUE';
    case -2:
      return 'SI_TIMER';
    case -3:
      return 'SI_MESGQ';
    case -4:
      return 'SI_ASYNCIO';
    case -5:
      return 'SI_SIGIO';
    case -6:
      return 'SI_TKILL';
    default:
      return String(code);
  }
}

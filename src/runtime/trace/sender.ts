/** Who sent a signal, in the terms of a container's stop. */
import { safeName } from '../../util/sanitize.js';
import type { SenderRef, SenderRole } from './events.js';

/**
 * Runtime processes that send a container's stop signals, by comm (15 bytes: containerd-shim-runc-v2
 * shows as `containerd-shim`): the OCI runtimes (runc, crun, youki, runsc), the shims and monitors
 * that call them (containerd-shim*, conmon), and the engines.
 */
const RUNTIME_COMMS = [/^runc$/, /^crun$/, /^youki$/, /^runsc/, /^containerd-shim/, /^conmon$/, /^containerd$/, /^dockerd$/, /^crio$/];

export function isRuntimeComm(comm: string): boolean {
  return RUNTIME_COMMS.some((re) => re.test(comm));
}

/** si_code SI_KERNEL: the kernel sent it on its own account (SEND_SIG_PRIV), e.g. when a namespace's init exits. */
const SI_KERNEL = 0x80;

interface SenderFacts {
  pid: number;
  tid: number;
  command: string;
  code: number;
  sig: number;
  /** The sender is the watched namespace's init, and its nsPid there, when it is in the namespace. */
  isInitOfTarget: boolean;
  nsPidInTarget: number | undefined;
  /** What the target's namespace is, for the words: a container's, or a bare PID namespace. */
  inContainer: boolean;
}

export function describeSender(s: SenderFacts): SenderRef {
  const command = safeName(s.command);
  const base = { pid: s.pid, ...(s.tid !== s.pid ? { tid: s.tid } : {}), ...(s.nsPidInTarget !== undefined ? { nsPid: s.nsPidInTarget } : {}), command };
  let role: SenderRole;
  let description: string;
  if (s.code === SI_KERNEL) {
    role = 'kernel';
    // zap_pid_ns_processes(): when a namespace's init exits, the kernel SIGKILLs every other process in it.
    description = s.sig === 9 && s.isInitOfTarget ? 'the kernel (PID 1 of the namespace exited: every process in it is killed)' : `the kernel (while ${command} ran)`;
  } else if (isRuntimeComm(s.command)) {
    role = 'runtime';
    description = `the runtime (${command})`;
  } else if (s.nsPidInTarget !== undefined) {
    role = 'container';
    description = `${command} (PID ${s.nsPidInTarget} in the ${s.inContainer ? 'container' : 'namespace'})`;
  } else {
    role = 'host';
    description = `${command} (PID ${s.pid} on the host)`;
  }
  return { ...base, role, description };
}

/** Reports (JSON shapes and text) for `pid1 signals`. The JSON shapes are documented in docs/json.md. */
import { decodeMask, hostArch, parseSignal, signalFate, signalName, encodeMask, MASK_FIELDS, type Arch, type MaskField, type RtBase, type SignalFate } from '../model/signals.js';
import { readProcess } from '../proc/read.js';
import { UserError, messageOf } from '../util/errors.js';
import { safeDeep } from '../util/sanitize.js';
import fs from 'node:fs';
import { PROC } from '../proc/read.js';

export interface NamedSignal {
  number: number;
  name: string;
}

interface MaskReport {
  arch: Arch;
  masks: { mask: string; signals: NamedSignal[] }[];
}

const named = (list: number[], arch: Arch = hostArch(), rt: RtBase = 'glibc'): NamedSignal[] => list.map((n) => ({ number: n, name: signalName(n, arch, rt) }));

export function decodeMaskReport(masks: string[], arch: Arch, rt: RtBase): MaskReport {
  return {
    arch,
    masks: masks.map((m) => {
      try {
        return { mask: m, signals: named(decodeMask(m, arch), arch, rt) };
      } catch (err) {
        throw new UserError(messageOf(err));
      }
    }),
  };
}

export function encodeReport(list: string, arch: Arch, rt: RtBase): { arch: Arch; mask: string; signals: NamedSignal[] } {
  try {
    const nums = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => parseSignal(s, arch, rt));
    return {
      arch,
      mask: encodeMask(nums, arch),
      signals: named(
        [...new Set(nums)].sort((a, b) => a - b),
        arch,
        rt,
      ),
    };
  } catch (err) {
    throw new UserError(messageOf(err));
  }
}

export interface ProcessSignalReport {
  pid: number;
  comm: string;
  argv: string[];
  /** PID 1 of its PID namespace right now. */
  namespaceInit: boolean;
  masks: Record<MaskField, { mask: string; signals: NamedSignal[] }>;
  /** Signals taken without a handler (sigwait/signalfd). */
  takes: NamedSignal[];
  /** What each runtime stop signal would do to it if it were a namespace init, sent from outside. */
  asNamespaceInit: SignalFate[];
}

const RUNTIME_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGKILL'];

export function processSignalReport(pid: number): ProcessSignalReport {
  const p = readProcess(pid);
  let namespaceInit = p.pid === 1;
  try {
    namespaceInit = p.nsPids[p.nsPids.length - 1] === 1 && fs.readlinkSync(`${PROC}/self/ns/pid`) !== p.pidNs;
  } catch {
    /* keep the NSpid answer */
  }
  const masks = {} as ProcessSignalReport['masks'];
  for (const f of MASK_FIELDS) masks[f] = { mask: p.rawMasks[f], signals: named(decodeMask(p.rawMasks[f], hostArch())) };
  const effective = { ...p.masks, caught: [...new Set([...p.masks.caught, ...p.takes])] };
  return {
    pid,
    comm: p.comm,
    argv: p.argv,
    namespaceInit,
    masks,
    takes: named(p.takes),
    asNamespaceInit: RUNTIME_SIGNALS.map((s) => signalFate(parseSignal(s), effective, { namespaceInit: true, fromAncestor: true })),
  };
}

export function formatProcessSignals(report: ProcessSignalReport): string {
  // the process's name and command line are its own: shown, never played
  const r = safeDeep(report);
  const lines: string[] = [];
  lines.push(`PID ${r.pid} (${r.comm})${r.namespaceInit ? ', PID 1 of its namespace' : ''}: ${r.argv.join(' ')}`);
  for (const f of MASK_FIELDS) {
    const m = r.masks[f];
    lines.push(`  ${f}  ${m.mask}  ${m.signals.map((s) => s.name).join(' ') || '-'}`);
  }
  if (r.takes.length) lines.push(`  takes without a handler (sigwait/signalfd): ${r.takes.map((s) => s.name).join(' ')}`);
  lines.push(r.namespaceInit ? 'Sent by the runtime to this namespace init:' : "If it were a namespace init (a container's PID 1), sent by the runtime:");
  for (const f of r.asNamespaceInit) {
    const word = f.fate === 'handled' ? 'delivered' : f.fate === 'default' ? `default action (${f.action ?? ''})` : f.fate;
    lines.push(`  ${f.name.padEnd(8)} ${word}${f.blocked ? ' (blocked now: queued until unblocked)' : ''}: ${f.why}`);
  }
  return `${lines.join('\n')}\n`;
}

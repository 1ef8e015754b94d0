import type { Command } from 'commander';
import { parseArch, parsePid, parseRt, printJson } from './options.js';
import type { Arch, RtBase } from '../model/signals.js';
import { UserError } from '../util/errors.js';

interface SignalsOptions {
  arch: Arch;
  rt: RtBase;
  pid?: number;
  encode?: string;
  json?: boolean;
}

export function registerSignals(program: Command): void {
  program
    .command('signals')
    .description('decode /proc signal masks, or show what a process does with each signal')
    .argument('[masks...]', 'masks as printed in /proc/PID/status (SigCgt, SigIgn, ...)')
    .option('--pid <pid>', "show all five masks of a process and what the runtime's stop signals would do to it", parsePid)
    .option('--encode <signals>', 'encode a comma-separated list of signals (names or numbers) as a mask')
    .option('--arch <arch>', 'signal numbering: generic (x86, arm, ...), alpha, sparc, mips, parisc', parseArch, 'generic' as Arch)
    .option('--rt <base>', "name real-time signals from the kernel's SIGRTMIN (32) or glibc's (34)", parseRt, 'glibc' as RtBase)
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  pid1 signals 0000000000010002      # SIGINT SIGCHLD\n  pid1 signals --pid 1\n  pid1 signals --encode TERM,INT')
    .action(async (masks: string[], o: SignalsOptions) => {
      const { decodeMaskReport, encodeReport, processSignalReport, formatProcessSignals } = await import('../report/signals.js');
      const modes = [masks.length > 0, o.pid !== undefined, o.encode !== undefined].filter(Boolean).length;
      if (modes !== 1) throw new UserError('give masks, --pid N, or --encode LIST (exactly one of them)');
      if (o.encode !== undefined) {
        const r = encodeReport(o.encode, o.arch, o.rt);
        if (o.json) printJson(r);
        else process.stdout.write(`${r.mask}\n`);
        return;
      }
      if (o.pid !== undefined) {
        const r = processSignalReport(o.pid);
        if (o.json) printJson(r);
        else process.stdout.write(formatProcessSignals(r));
        return;
      }
      const r = decodeMaskReport(masks, o.arch, o.rt);
      if (o.json) printJson(r);
      else if (r.masks.length === 1) process.stdout.write(`${r.masks[0]?.signals.map((s) => s.name).join(' ') ?? ''}\n`);
      else for (const m of r.masks) process.stdout.write(`${m.mask}  ${m.signals.map((s) => s.name).join(' ') || '(none)'}\n`);
    });
}

/**
 * The live verdict with the program's own source: `node server.js` running in a container is read
 * through /proc/PID/root (symlinks resolved inside it) with the same analysis lint uses on the build
 * context, so inspect, stop and lint agree about a runtime whose masks cannot tell (Node's own
 * TERM handler shows in SigCgt whether or not the program listens).
 */
import fs from 'node:fs';
import { programSourceReader } from '../sources/program-reader.js';
import { loadWantedGrammars } from '../sources/grammars.js';
import { verdictFor, type LiveProgramSource, type Verdict, type VerdictOptions } from '../proc/verdict.js';
import type { NamespaceTree } from '../proc/tree.js';
import { PROC } from '../proc/read.js';
import { readTextInRoot } from '../util/root-path.js';
import { parseSignal, signalName } from '../model/signals.js';

/** Reads a live process's program file inside its own root, from its own working directory. */
function liveProgramSource(signal: string): LiveProgramSource {
  return (proc, argv, program) => {
    let cwd: string;
    try {
      cwd = fs.readlinkSync(`${PROC}/${proc.hostPid}/cwd`);
    } catch {
      return undefined; // gone, or no access
    }
    const root = `${PROC}/${proc.hostPid}/root`;
    return programSourceReader((p) => readTextInRoot(root, p), cwd, signal)(argv, program);
  };
}

/** verdictFor with program sources read; a grammar the first pass wanted is loaded and the verdict taken again. */
export async function liveVerdict(tree: NamespaceTree, stopSignal: string, context: Omit<VerdictOptions, 'programSource'> = {}): Promise<Verdict> {
  const signal = signalName(parseSignal(stopSignal));
  const opts = { ...context, programSource: liveProgramSource(signal) };
  const first = verdictFor(tree, signal, opts);
  return (await loadWantedGrammars()) ? verdictFor(tree, signal, opts) : first;
}

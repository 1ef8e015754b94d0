import type { Command } from 'commander';
import { parsePid, printJson } from './options.js';
import { parseSignal, signalName } from '../model/signals.js';
import { UserError, messageOf } from '../util/errors.js';

interface InspectOptions {
  pid?: number;
  container?: string;
  all?: boolean;
  signal?: string;
  json?: boolean;
}

function stopSignalOption(v: string | undefined, fallback: string): string {
  try {
    return signalName(parseSignal(v ?? fallback));
  } catch (err) {
    throw new UserError(messageOf(err));
  }
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show the process tree of a PID namespace or container and what a stop will do')
    .option('--pid <pid>', 'a host PID: its PID namespace (or, for a host process, its subtree)', parsePid)
    .option('--container <name|id>', 'a running container, through the Docker Engine API (DOCKER_HOST or the local socket)')
    .option('--all', 'one line per running container with its verdict')
    .option('--signal <sig>', 'the stop signal to evaluate (default: the container\'s StopSignal, else SIGTERM)')
    .option('--json', 'machine-readable output')
    .action(async (o: InspectOptions) => {
      const modes = [o.pid !== undefined, o.container !== undefined, Boolean(o.all)].filter(Boolean).length;
      if (modes !== 1) throw new UserError('give exactly one of --pid N, --container NAME|ID, --all');
      const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
      // Loaded here, not at start-up (dockerode alone costs ~100 ms to import).
      const [{ namespaceTree }, { liveVerdict }, { formatInspect }, { inspectReport }, { loadShellParser }] = await Promise.all([
        import('../proc/tree.js'), import('../runtime/live-verdict.js'), import('../report/inspect.js'), import('../runtime/reports.js'), import('../model/shell.js'),
      ]);
      await loadShellParser(); // live shells are read with the same shell model as lint's
      if (o.pid !== undefined) {
        const tree = namespaceTree(o.pid);
        const verdict = await liveVerdict(tree, stopSignalOption(o.signal, 'SIGTERM'));
        const report = inspectReport(tree, verdict);
        if (o.json) printJson(report);
        else process.stdout.write(formatInspect(report, tty));
        return;
      }
      const { engine, ensureEngine, inspectContainer, runningContainer, runningContainerIds } = await import('../runtime/docker.js');
      const docker = engine();
      await ensureEngine(docker);
      if (o.container !== undefined) {
        const c = await runningContainer(docker, o.container);
        const tree = namespaceTree(c.hostPid);
        const verdict = await liveVerdict(tree, stopSignalOption(o.signal, c.stopSignal));
        const report = inspectReport(tree, verdict, c);
        if (o.json) printJson(report);
        else process.stdout.write(formatInspect(report, tty));
        return;
      }
      const rows: { id: string; name: string; image: string; outcome?: string; certain?: boolean; summary?: string; error?: string }[] = [];
      for (const id of await runningContainerIds(docker)) {
        try {
          const c = await inspectContainer(docker, id);
          if (!c.running) continue;
          const v = await liveVerdict(namespaceTree(c.hostPid), stopSignalOption(o.signal, c.stopSignal));
          rows.push({ id: c.id, name: c.name, image: c.image, outcome: v.outcome, certain: v.certain, summary: v.summary });
        } catch (err) {
          rows.push({ id, name: id.slice(0, 12), image: '', error: messageOf(err) });
        }
      }
      if (o.json) printJson({ containers: rows });
      else if (!rows.length) process.stdout.write('no running containers\n');
      else for (const r of rows) process.stdout.write(`${r.name.padEnd(24)} ${(r.outcome ?? 'error').toUpperCase().padEnd(8)} ${r.error ?? r.summary ?? ''}\n`);
    });
}

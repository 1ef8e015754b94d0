/**
 * The script source: `pid1 lint entrypoint.sh` on its own. The script is run as the container's PID 1
 * (by its shebang, or by /bin/sh when it has none) with `exec "$@"` standing for whatever CMD is.
 */
import type { Document } from '../document/document.js';
import { MappedText } from '../document/text.js';
import { chainFromArgv, predictStop, shebangOf } from '../model/launch.js';
import type { ScriptLaunch, SourceResult } from './launch.js';

/** Does a file look like a shell script (by name or shebang)? */
export function isShellScript(file: string, text: string): boolean {
  if (/\.(sh|bash|ash|dash)$/.test(file)) return true;
  const sb = shebangOf(text);
  return sb !== undefined && /(^|\/)(sh|bash|ash|dash|busybox)$/.test(sb[0] ?? '');
}

export function lintScriptSource(doc: Document): SourceResult {
  const p = `/${doc.file.replace(/^\/+/, '')}`;
  const whole = { doc, start: 0, end: Math.min(doc.text.length, Math.max(0, doc.text.indexOf('\n'))) };
  const argv = shebangOf(doc.text) ? [p] : ['/bin/sh', p];
  const readScript = (q: string): string | undefined => (q === p ? doc.text : undefined);
  // "$@" is the container's CMD: whatever it is becomes PID 1 when the script execs it.
  const options = { sh: 'unknown' as const, signal: 'SIGTERM', readScript, args: ['<CMD>'], argsUnknown: true };
  const chain = chainFromArgv(argv, options);
  const launch: ScriptLaunch = {
    kind: 'script',
    label: 'script',
    doc,
    target: true,
    argv,
    shell: { family: 'unknown', how: 'a script file: no shell execs its last command, whatever /bin/sh is' },
    stopSignal: { signal: 'SIGTERM', source: 'default' },
    env: {},
    scripts: new Map([[p, { path: p, doc, offset: 0, text: doc.text }]]),
    origins: new Map([[doc.text, { doc, text: MappedText.contiguous(doc.text, 0) }]]),
    anchor: whole,
    readScript,
    model: { argv, options },
    ...(chain.processes.length ? { chain, prediction: predictStop(chain, 'SIGTERM') } : {}),
  };
  return { doc, launches: [launch], errors: [] };
}

/**
 * The services a supervisor PID 1 runs, read from the files the image gets (src/model/launch.ts follows each
 * one with the signal the supervisor sends it on the stop):
 *
 * - s6-overlay's /init (v3; s6-overlay is not a Debian package, so this follows its README and layout): the
 *   longruns of /etc/s6-overlay/s6-rc.d reachable from the `user` and `user2` bundles (every longrun when the
 *   bundles are not in the files), and the legacy service directories of /etc/services.d (v2's way, still run
 *   by v3). Its stage 3 brings them down with s6-supervise's down command.
 * - s6-svscan SCANDIR: every SCANDIR/NAME/run (names starting with a dot are not services: s6-svscan(8)).
 * - supervisord: each [program:x] of its config (-c FILE, else the first of its search paths that the files
 *   hold), with its [include] files; without one, the packages' include directories (Debian
 *   /etc/supervisor/conf.d/*.conf, Alpine /etc/supervisor.d/*.ini), whose own main config has no programs.
 *
 * The signal: s6-supervise sends a service its `down-signal` file's signal, SIGTERM by default, then SIGCONT
 * (s6 doc/servicedir.html; down-signal since s6 2.7.2.0); supervisord sends each program its `stopsignal`
 * (default TERM), then SIGKILL after `stopwaitsecs` (default 10) (supervisor/options.py, process.py).
 */
import path from 'node:path';
import type { SupervisedService, SupervisorKind } from '../model/launch.js';
import { parseSignal, signalName } from '../model/signals.js';
import { splitWords } from './compose/words.js';

interface ImageFiles {
  /** The text of an image file the build context gives it; undefined when pid1 cannot see it. */
  read(p: string): string | undefined;
  /** The names in an image directory that the build context fills (empty when none). */
  list(dir: string): readonly string[];
  /** The image's working directory (relative paths), and its environment (supervisord's %(ENV_X)s). */
  workdir: string;
  env: Readonly<Record<string, string>>;
}

/** The services a supervisor runs, or undefined when the files show none (the image brings them, or has none). */
export function supervisedServices(kind: SupervisorKind, argv: readonly string[], files: ImageFiles): SupervisedService[] | undefined {
  const found = kind === 'supervisord' ? supervisordPrograms(argv, files) : s6Services(kind, argv, files);
  return found.length ? found : undefined;
}

// ---- s6 ---------------------------------------------------------------------------------------------

const S6_RC = '/etc/s6-overlay/s6-rc.d';
const S6_LEGACY = '/etc/services.d';

function s6Services(kind: SupervisorKind, argv: readonly string[], files: ImageFiles): SupervisedService[] {
  if (kind === 's6-svscan') {
    const dir = scanDirOf(argv, files.workdir);
    return serviceDirs(dir, files).map((name) => s6Service(name, path.posix.join(dir, name), files));
  }
  const out: SupervisedService[] = [];
  for (const name of s6rcLongruns(files)) out.push(s6Service(name, path.posix.join(S6_RC, name), files));
  for (const name of serviceDirs(S6_LEGACY, files)) out.push(s6Service(name, path.posix.join(S6_LEGACY, name), files));
  return out;
}

/** s6-svscan [ -d notif ] [ -X consoleholder ] [ -c max ] [ -C services_max ] [ -L name_max ] [ -t rescan ] [ scandir ]: the scan directory (default: the current one). */
function scanDirOf(argv: readonly string[], workdir: string): string {
  let i = 1;
  while (i < argv.length && (argv[i] ?? '').startsWith('-')) i += /^-[dXcCLt]$/.test(argv[i] ?? '') ? 2 : 1;
  return path.posix.resolve(workdir, argv[i] ?? '.');
}

/** Service directories in a scan directory: every entry but dot-names (s6-svscan ignores them). */
function serviceDirs(dir: string, files: ImageFiles): string[] {
  return [...files.list(dir)].filter((n) => !n.startsWith('.') && (files.read(path.posix.join(dir, n, 'run')) !== undefined || files.list(path.posix.join(dir, n)).length > 0)).sort();
}

/** The s6-rc longruns the `user` and `user2` bundles bring up, following bundles and dependencies (s6-rc-compile's source format). */
function s6rcLongruns(files: ImageFiles): string[] {
  const type = (n: string): string | undefined => files.read(path.posix.join(S6_RC, n, 'type'))?.trim();
  const roots = ['user', 'user2'].flatMap((b) => [...files.list(path.posix.join(S6_RC, b, 'contents.d'))]);
  // Without the bundles in the files (the image's own), every longrun the files define is taken.
  const start = roots.length ? roots : [...files.list(S6_RC)].filter((n) => type(n) === 'longrun');
  const seen = new Set<string>();
  const longruns: string[] = [];
  const visit = (n: string): void => {
    if (seen.has(n) || seen.size > 256) return;
    seen.add(n);
    const t = type(n);
    if (t === 'longrun' || (t === undefined && files.read(path.posix.join(S6_RC, n, 'run')) !== undefined)) longruns.push(n);
    for (const sub of ['contents.d', 'dependencies.d']) for (const d of files.list(path.posix.join(S6_RC, n, sub))) visit(d);
  };
  for (const n of start) visit(n);
  return longruns.sort();
}

function s6Service(name: string, dir: string, files: ImageFiles): SupervisedService {
  const run = path.posix.join(dir, 'run');
  const down = files.read(path.posix.join(dir, 'down-signal'))?.trim();
  const signal = down ? normalSignal(down) : 'SIGTERM';
  const base = {
    name,
    file: run,
    signal: signal ?? 'SIGTERM',
    signalFrom: down ? `${path.posix.join(dir, 'down-signal')}` : 'no down-signal file: SIGTERM',
    setSignal: `put {SIGNAL} in ${path.posix.join(dir, 'down-signal')}`,
  };
  if (down && !signal) return { ...base, unseen: `its down-signal \`${down}\` is not a signal pid1 knows` };
  const text = files.read(run);
  if (text === undefined) return { ...base, unseen: `${run} is not in the files pid1 sees` };
  const argv = execlineArgv(text);
  if (argv === null) return { ...base, unseen: `${run} is an execline script with blocks, which pid1 does not follow` };
  return { ...base, argv: argv ?? [run] };
}

/**
 * An execline run script (`#!/command/execlineb -P`) that is one command line: execlineb execs it, so it is the
 * argv (execlineb(1)). null for one with blocks ({ }), which pid1 does not follow; undefined for other scripts.
 */
function execlineArgv(text: string): string[] | null | undefined {
  const first = text.split('\n', 1)[0] ?? '';
  if (!/^#!\s*\S*execlineb\b/.test(first)) return undefined;
  const body = text
    .slice(first.length)
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join(' ');
  if (/[{}]/.test(body)) return null;
  try {
    const words = splitWords(body);
    return words.length ? words : null;
  } catch {
    return null;
  }
}

function normalSignal(s: string): string | undefined {
  try {
    return signalName(parseSignal(s.toUpperCase()));
  } catch {
    return undefined;
  }
}

// ---- supervisord --------------------------------------------------------------------------------------

interface IniSection {
  name: string;
  values: Map<string, string>;
}

/**
 * Python's RawConfigParser as supervisord sets it up (UnhosedConfigParser: `;` and `#` start a comment at the
 * start of a line or after whitespace, `=` or `:` separate, an indented line continues the value before it).
 */
function parseIni(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[;#]/.test(raw) || raw.trim() === '') {
      lastKey = undefined;
      continue;
    }
    const line = raw.replace(/\s[;#].*$/, '');
    if (/^\s/.test(line) && current && lastKey) {
      current.values.set(lastKey, `${current.values.get(lastKey) ?? ''}\n${line.trim()}`);
      continue;
    }
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) {
      current = { name: (sec[1] as string).trim(), values: new Map() };
      sections.push(current);
      lastKey = undefined;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv && current) {
      lastKey = (kv[1] as string).trim().toLowerCase();
      current.values.set(lastKey, (kv[2] as string).trim());
    }
  }
  return sections;
}

/** supervisord's config file: -c FILE, else its search paths (supervisor/options.py: searchpaths), the first the files hold. */
function supervisordConfig(argv: readonly string[], files: ImageFiles): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const v = a === '-c' || a === '--configuration' ? argv[i + 1] : a.startsWith('--configuration=') ? a.slice(16) : a.startsWith('-c') && a.length > 2 ? a.slice(2) : undefined;
    if (v !== undefined) return path.posix.resolve(files.workdir, v);
  }
  // `here` is the directory above the script's: /usr for /usr/bin/supervisord (pip: /usr/local).
  const heres = (argv[0] ?? '').startsWith('/') ? [path.posix.dirname(path.posix.dirname(argv[0] as string))] : ['/usr', '/usr/local'];
  const candidates = [
    ...heres.flatMap((h) => [path.posix.join(h, 'etc', 'supervisord.conf'), path.posix.join(h, 'supervisord.conf')]),
    path.posix.resolve(files.workdir, 'supervisord.conf'),
    path.posix.resolve(files.workdir, 'etc/supervisord.conf'),
    '/etc/supervisord.conf',
    '/etc/supervisor/supervisord.conf',
  ];
  return candidates.find((c) => files.read(c) !== undefined);
}

/** The files an [include] `files =` names (globs, relative to the including file's directory). */
function includes(patterns: string, from: string, files: ImageFiles): string[] {
  const out: string[] = [];
  for (const pat of patterns.split(/\s+/).filter(Boolean)) {
    const abs = path.posix.resolve(path.posix.dirname(from), pat);
    const dir = path.posix.dirname(abs);
    const base = path.posix.basename(abs);
    if (!/[*?[]/.test(base)) {
      out.push(abs);
      continue;
    }
    const re = new RegExp(
      `^${base
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    for (const n of [...files.list(dir)].sort()) if (re.test(n)) out.push(path.posix.join(dir, n));
  }
  return out;
}

function supervisordPrograms(argv: readonly string[], files: ImageFiles): SupervisedService[] {
  const main = supervisordConfig(argv, files);
  // No main config in the files: the package's own (no programs) includes these directories.
  const queue = main ? [main] : [...includes('/etc/supervisor/conf.d/*.conf', '/', files), ...includes('/etc/supervisor.d/*.ini', '/', files)];
  const out: SupervisedService[] = [];
  const read = new Set<string>();
  while (queue.length && read.size < 64) {
    const file = queue.shift() as string;
    if (read.has(file)) continue;
    read.add(file);
    const text = files.read(file);
    if (text === undefined) continue;
    for (const sec of parseIni(text)) {
      const inc = sec.name === 'include' ? sec.values.get('files') : undefined;
      if (inc) queue.push(...includes(inc, file, files));
      const m = /^(program|fcgi-program):(.+)$/.exec(sec.name);
      if (m) {
        const p = programService(m[2] as string, sec, file, files);
        if (p) out.push(p);
      }
    }
  }
  return out;
}

/** %(ENV_X)s, %(program_name)s, %(here)s and friends (supervisord expands them with Python's % operator). */
function expand(value: string, vars: Readonly<Record<string, string>>): string | undefined {
  let unknown = false;
  const v = value.replace(/%\(([^)]+)\)[sd]/g, (_, k: string) => {
    const got = vars[k];
    if (got === undefined) unknown = true;
    return got ?? '';
  });
  return unknown ? undefined : v.replace(/%%/g, '%');
}

function programService(name: string, sec: IniSection, file: string, files: ImageFiles): SupervisedService | undefined {
  // autostart=false: supervisord does not start it, so no stop reaches it (options.py: autostart, default true).
  if (/^(false|no|off|0)$/i.test(sec.values.get('autostart') ?? 'true')) return undefined;
  const stop = sec.values.get('stopsignal');
  const signal = stop ? normalSignal(stop) : 'SIGTERM';
  const base = {
    name,
    file,
    signal: signal ?? 'SIGTERM',
    signalFrom: stop ? `stopsignal=${stop} in [program:${name}]` : 'no stopsignal: TERM',
    setSignal: `set stopsignal={NAME} in [program:${name}] of ${file}`,
    // stopasgroup: the stop signal goes to the program's process group (supervisord puts each program in its own:
    // process.py _spawn_as_child setpgrp; killasgroup only widens the SIGKILL)
    ...(/^(true|yes|on|1)$/i.test(sec.values.get('stopasgroup') ?? '') ? { group: `stopasgroup=true in [program:${name}]` } : {}),
  };
  if (stop && !signal) return { ...base, unseen: `its stopsignal \`${stop}\` is not a signal pid1 knows` };
  const command = sec.values.get('command');
  if (command === undefined) return { ...base, unseen: `[program:${name}] has no command` };
  const vars: Record<string, string> = { program_name: name, process_num: '0', group_name: name, here: path.posix.dirname(file), host_node_name: 'localhost' };
  for (const [k, v] of Object.entries(files.env)) vars[`ENV_${k}`] = v;
  const expanded = expand(command, vars);
  if (expanded === undefined) return { ...base, unseen: `its command \`${command}\` uses a value set at run time` };
  try {
    // supervisord splits the command with shlex and execs it, no shell (supervisor/process.py get_execv_args).
    const argv = splitWords(expanded);
    return argv.length ? { ...base, argv } : { ...base, unseen: `[program:${name}] has an empty command` };
  } catch {
    return { ...base, unseen: `its command \`${command}\` does not split into words` };
  }
}

/**
 * Programs that pip installs: a console script (`jinjanate`, `huggingface-cli`) is a small file that runs
 * CPython on the distribution's entry point (`from pkg.cli import main; sys.exit(main())`, the wrapper pip
 * writes: https://packaging.python.org/en/latest/specifications/entry-points/#use-for-scripts). So what it
 * does with the stop signal is CPython's default (catalogue.ts `python`: SIGTERM dropped at PID 1) unless the
 * package's code installs a handler. A program that a `pip install` in the Dockerfile or the same command line
 * put there is therefore CPython, and its code decides; for the CLIs below pid1 has read that code.
 *
 * Each entry names the source read (a tag of the project's repository) and what was checked: the package's
 * own files for any signal API (scripts/verify-known-libraries.mjs scan, pid1's Python reader), the history
 * for when one first appeared (`git log -S`), and its dependencies (known-libraries.ts entries, or a scan of
 * the Debian package).
 */
import type { Node } from 'web-tree-sitter';
import { shellParser, shellParserReady } from './shell.js';
import { wordsOf } from './shell-words.js';

/** One `pip install` requirement: the distribution (PEP 503 normalized) and its exact version when pinned with `==`. */
export interface PipInstall {
  distribution: string;
  version?: string;
  /** The command, as written (for messages). */
  text: string;
}

interface PythonCli {
  /** The distribution on PyPI, normalized (PEP 503). */
  distribution: string;
  /** The console scripts this verdict is about, and the entry point each runs. */
  scripts: Record<string, string>;
  /** The versions read have no handler: every release below `below` (history checked) or exactly `exact`. */
  below?: string;
  exact?: string;
  /** Other distributions that plug code into it (entry points it loads): installed with it, they are code pid1 did not read. */
  plugins?: RegExp;
  /**
   * The source read, as the package's entry in known-libraries.ts names it (github:OWNER/NAME:SUBDIR@COMMIT):
   * that entry, re-checked by `npm run verify-libs`, says its code installs no handler (test/python-clis.test.ts ties the two).
   */
  source: string;
  /** The release that source is. */
  version: string;
  /** What was checked, in one line. */
  evidence: string;
}

/** Python CLIs whose code installs no handler for any stop signal (SIGTERM, SIGINT beyond CPython's own, SIGQUIT). */
export const PYTHON_CLIS: readonly PythonCli[] = [
  {
    distribution: 'huggingface-hub',
    scripts: { 'huggingface-cli': 'huggingface_hub.commands.huggingface_cli:main' },
    // v1.0.0 dropped the old CLI; from v1.11.0 `huggingface-cli` only prints that it is deprecated and exits 1.
    below: '0.32.0',
    source: 'github:huggingface/huggingface_hub:src@23bab6a3fdb11bcdf3424f79fbe245ed4b9256ef',
    version: 'v0.24.6',
    evidence:
      'no signal API in its 107 files, and what they import (filelock, fsspec, tqdm, requests, pyyaml, packaging) installs none (known-libraries.ts); `git log -S"import signal" -- src` finds the first in aee73c48a (v0.32.0, the tiny-agents CLI, SIGINT only)',
  },
  {
    distribution: 'jinjanator',
    scripts: { jinjanate: 'jinjanator.cli:main', j2: 'jinjanator.cli:main' },
    exact: '25.3.1',
    plugins: /^jinjanator-plugin-/,
    source: 'github:kpfleming/jinjanator:src@44a1b83ba42d2c9c74317e0315b97e98f869da1e',
    version: '25.3.1',
    evidence: 'no signal API in its 6 files, and what they import (jinja2, attrs, pluggy, jinjanator-plugins 25.1.0) installs none (known-libraries.ts)',
  },
];

/** PEP 503: lowercase, runs of `-`, `_`, `.` become one `-`. */
export function normalizeDistribution(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Numeric version compare (1.2.3 vs 1.10); undefined when either is not plain numbers (a pre-release). */
function compareVersions(a: string, b: string): number | undefined {
  if (!/^\d+(\.\d+)*$/.test(a) || !/^\d+(\.\d+)*$/.test(b)) return undefined;
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/** pip install options that take a value (pip help install; uv pip install). */
const PIP_WITH_VALUE = new Set([
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-e',
  '--editable',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--src',
  '--upgrade-strategy',
  '--progress-bar',
  '--log',
  '--proxy',
  '--retries',
  '--timeout',
  '--exists-action',
  '--trusted-host',
  '--cert',
  '--client-cert',
  '--cache-dir',
  '--no-binary',
  '--only-binary',
  '--python',
  '-p',
  '--config-settings',
  '-C',
  '--global-option',
  '--index',
]);

/** A requirement word: `name[extra]==1.2`, `name>=1`, a URL of a GitHub archive or git repository. */
function requirement(word: string): { distribution: string; version?: string } | undefined {
  const gh = /github\.com\/[^/]+\/([^/@#.]+)/.exec(word);
  if (/^(https?|git\+\w+|file):/.test(word)) {
    const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(word);
    const name = egg?.[1] ?? gh?.[1];
    return name ? { distribution: normalizeDistribution(name) } : undefined;
  }
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/.exec(word);
  if (!m || word.startsWith('.') || word.includes('/')) return undefined;
  const pin = /^==\s*([0-9][0-9A-Za-z.+-]*)$/.exec((m[3] ?? '').split(';')[0]?.trim() ?? '');
  return { distribution: normalizeDistribution(m[1] as string), ...(pin ? { version: pin[1] as string } : {}) };
}

/** The requirements one command installs with pip, pipx or uv; [] for any other command. */
export function pipInstallsOfArgv(argv: readonly (string | undefined)[], text = argv.join(' ')): PipInstall[] {
  const name = (argv[0] ?? '').replace(/^.*\//, '');
  let i: number;
  if (/^pip(3(\.\d+)?)?$/.test(name) && argv[1] === 'install') i = 2;
  else if (/^python(3(\.\d+)?)?$/.test(name) && argv[1] === '-m' && argv[2] === 'pip' && argv[3] === 'install') i = 4;
  else if (name === 'uv' && argv[1] === 'pip' && argv[2] === 'install') i = 3;
  else if ((name === 'pipx' && argv[1] === 'install') || (name === 'uv' && argv[1] === 'tool' && argv[2] === 'install')) i = name === 'uv' ? 3 : 2;
  else return [];
  const out: PipInstall[] = [];
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === undefined) continue;
    if (a.startsWith('-')) {
      if (PIP_WITH_VALUE.has(a)) i++;
      continue;
    }
    const r = requirement(a);
    if (r) out.push({ ...r, text });
  }
  return out;
}

/** Every pip install in a shell script or command string (before `until`, an offset in it, when given). */
export function pipInstallsIn(script: string, until = Number.POSITIVE_INFINITY): PipInstall[] {
  // Most scripts install nothing with pip: parse only those that mention it.
  if (!/\b(pip3?(\.\d+)?|pipx|uv)\b/.test(script) || !shellParserReady()) return [];
  const tree = shellParser().parse(script);
  if (!tree) return [];
  const out: PipInstall[] = [];
  const visit = (n: Node): void => {
    if (n.startIndex >= until) return;
    if (n.type === 'command') {
      const words = wordsOf(n);
      // One line for messages: continuation lines joined, runs of blanks as one.
      out.push(
        ...pipInstallsOfArgv(
          words.map((w) => w.literal),
          n.text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').slice(0, 120),
        ),
      );
      return;
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  try {
    visit(tree.rootNode);
  } finally {
    tree.delete();
  }
  return out;
}

/** What pid1 can say of a program pip installed: a source verdict for the launch model (runtime: python). */
interface ConsoleScriptVerdict {
  verdict: 'no-handler' | 'unknown';
  reason: string;
}

/**
 * A program named `name` that one of `installs` may have put on the PATH: a verified CLI of the table (its
 * version read) has no handler; another console script of an installed distribution is CPython whose code
 * pid1 has not read. Undefined when nothing installed says the name is a Python program.
 */
export function consoleScriptVerdict(name: string, installs: readonly PipInstall[], signal: string): ConsoleScriptVerdict | undefined {
  for (const cli of PYTHON_CLIS) {
    const entry = cli.scripts[name];
    if (entry === undefined) continue;
    const inst = installs.find((x) => x.distribution === cli.distribution);
    if (!inst) continue;
    const v = inst.version;
    const read = v !== undefined && (cli.exact !== undefined ? v === cli.exact : cli.below !== undefined && compareVersions(v, cli.below) === -1);
    const plugin = cli.plugins ? installs.find((x) => cli.plugins?.test(x.distribution)) : undefined;
    const what = `${name} is the console script of ${cli.distribution}${v ? ` ${v}` : ''} (\`${inst.text}\`), CPython running ${entry}`;
    if (!read)
      return {
        verdict: 'unknown',
        reason: `${what}; pid1 read ${cli.distribution} ${cli.version} and found no ${signal} handler, but ${v === undefined ? 'the version pip installs is not pinned' : `not version ${v}`}`,
      };
    if (plugin) return { verdict: 'unknown', reason: `${what}; its own code installs no ${signal} handler, but the plugin ${plugin.distribution} installed with it is code pid1 did not read` };
    return { verdict: 'no-handler', reason: `${what}; read at ${cli.version}: ${cli.evidence}` };
  }
  const own = installs.find((x) => x.distribution === normalizeDistribution(name));
  if (own) return { verdict: 'unknown', reason: `${name} is a console script of ${own.distribution} (\`${own.text}\`): CPython, whose code pid1 has not read` };
  return undefined;
}

import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { SHELL_FAMILIES } from '../sources/images.js';
import type { Severity } from '../rules/contract.js';
import type { LintProgress } from '../lint/run.js';
import type { ProbedImage } from '../sources/launch.js';
import { parseImageMap } from '../sources/image-map.js';
import { UserError, messageOf } from '../util/errors.js';
import { reportBytes, safeText } from '../util/sanitize.js';
import { collect } from './options.js';
import { ProgressLine } from './progress.js';
import { packageVersion } from './version.js';

interface LintCliOptions {
  format: 'pretty' | 'json' | 'sarif' | 'github' | 'gitlab' | 'codeclimate';
  failOn: Severity;
  output?: string;
  fix?: boolean;
  fixDryRun?: boolean;
  target?: string;
  context?: string;
  config?: string | false;
  imageShell: string[];
  buildArg: string[];
  imageMap: string[];
  composeFile: string[];
  probeImages?: boolean;
  allStages?: boolean;
  stdinFilename?: string;
  color?: boolean;
  followSymlinks?: boolean;
}

function pairs(list: string[], what: string, check?: (v: string, k: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.lastIndexOf('=');
    if (i <= 0) throw new UserError(`${what}: expected NAME=VALUE, got "${item}"`);
    const k = item.slice(0, i);
    const v = item.slice(i + 1);
    check?.(v, k);
    out[k] = v;
  }
  return out;
}

/** --probe-images: the Docker adapter, loaded only when asked for (dockerode and its stack cost ~100 ms at start-up). */
async function probeLocalImages(refs: readonly string[]): Promise<ReadonlyMap<string, ProbedImage>> {
  const [{ engine, ensureEngine }, { probeImages }] = await Promise.all([import('../runtime/docker.js'), import('../runtime/image-probe.js')]);
  const docker = engine();
  await ensureEngine(docker, 5000);
  return probeImages(docker, refs);
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('find lost stop signals in Dockerfiles, entrypoint scripts, compose files and Kubernetes manifests (exit 1 on errors, 2 if it could not run)')
    .argument('[paths...]', 'files or directories (default: .); - reads one Dockerfile, compose file or Kubernetes YAML stream from stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['pretty', 'json', 'sarif', 'github', 'gitlab', 'codeclimate']).default('pretty'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity remains (file errors always fail)').choices(['error', 'warning', 'info']).default('error'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--fix', 'apply the safe fixes in place (atomic, idempotent)')
    .option('--fix-dry-run', 'print the fixes as a unified diff; change nothing')
    .option('--target <stage>', 'the build stage that becomes the image (default: the last stage)')
    .option('--context <dir>', "build context for COPY/ADD sources (default: the Dockerfile's directory)")
    .option('--config <file>', 'config file (default: .pid1.json found from the working directory upwards)')
    .option('--no-config', 'ignore config files')
    .option('--image-shell <image=family>', `the /bin/sh family of an image or pattern (${SHELL_FAMILIES.join(', ')}); repeatable`, collect, [] as string[])
    .option('--build-arg <name=value>', 'value of a build argument, as docker build --build-arg; repeatable', collect, [] as string[])
    .option('--image-map <name=path>', 'the Dockerfile that builds an image named in a manifest (PATH#STAGE for a target); repeatable', collect, [] as string[])
    .option('--compose-file <file>', 'a compose file of one project, merged in order like docker compose -f (-f is --format here); repeatable', collect, [] as string[])
    .option('--probe-images', 'look inside local base images (Docker engine) for /bin/sh and their ENTRYPOINT/CMD/STOPSIGNAL')
    .option('--all-stages', 'also analyse stages that are not the target (reported as info)')
    .option('--follow-symlinks', 'read files that symlinks lead to outside the linted tree (--fix still never writes there; see SECURITY.md)')
    .option('--stdin-filename <name>', 'name to show for stdin')
    .option('--no-color', 'no colours in pretty output')
    .addHelpText(
      'after',
      '\nExamples:\n  pid1 lint                       # every Dockerfile under .\n  pid1 lint Dockerfile entrypoint.sh\n  pid1 lint --fix-dry-run .\n  docker build -f - . < Dockerfile; pid1 lint - < Dockerfile\n  pid1 lint --format sarif -o pid1.sarif\n  pid1 lint --format gitlab -o gl-code-quality-report.json\n  pid1 lint --fail-on warning       # CI gate: warnings fail too\n\nDocs: docs/lint.md, rules: docs/rules/',
    )
    .action(async (paths: string[], o: LintCliOptions) => {
      if (o.fix && o.fixDryRun) throw new UserError('--fix and --fix-dry-run exclude each other');
      // Loaded here, not at start-up: every other command stays fast to start.
      const [{ countOf }, { emptyConfig, findConfig, loadConfig }, { runLint }, { formatGithub }, { formatGitlab }, { formatJson }, { formatPretty }, { formatSarif }] = await Promise.all([
        import('../lint/engine.js'),
        import('../lint/config.js'),
        import('../lint/run.js'),
        import('../report/lint-github.js'),
        import('../report/lint-gitlab.js'),
        import('../report/lint-json.js'),
        import('../report/lint-pretty.js'),
        import('../report/lint-sarif.js'),
      ]);
      const cfgFile = o.config === false ? undefined : typeof o.config === 'string' ? o.config : findConfig(process.cwd());
      if (typeof o.config === 'string' && !fs.existsSync(o.config)) throw new UserError(`${o.config}: no such config file`);
      const cfg = cfgFile ? loadConfig(cfgFile, { found: typeof o.config !== 'string', followSymlinks: Boolean(o.followSymlinks) }) : emptyConfig();
      const images = {
        ...cfg.images,
        ...pairs(o.imageShell, '--image-shell', (v) => {
          if (!SHELL_FAMILIES.includes(v as never)) throw new UserError(`--image-shell: unknown family "${v}" (${SHELL_FAMILIES.join(', ')})`);
        }),
      };
      const buildArgs = { ...cfg.buildArgs, ...pairs(o.buildArg, '--build-arg') };
      // --compose-file alone lints that project, not the whole directory
      const list = paths.length ? paths : o.composeFile.length ? [] : ['.'];
      let stdinText: string | undefined;
      if (list.includes('-')) {
        try {
          stdinText = fs.readFileSync(0, 'utf8');
        } catch (err) {
          throw new UserError(`cannot read stdin: ${messageOf(err)}`);
        }
      }
      const target = o.target ?? cfg.target;
      const bar = new ProgressLine();
      const out = await runLint({
        ...(bar.active ? { progress: (p: LintProgress) => bar.update(p.phase === 'finding' ? `pid1 lint: finding files (${p.done} so far)` : `pid1 lint: ${p.done}/${p.total ?? '?'} files`) } : {}),
        paths: list,
        ...(stdinText !== undefined ? { stdinText } : {}),
        ...(o.stdinFilename ? { stdinName: o.stdinFilename } : {}),
        ignore: cfg.ignore,
        fix: Boolean(o.fix),
        fixDryRun: Boolean(o.fixDryRun),
        ...(o.probeImages ? { probe: probeLocalImages } : {}),
        rules: cfg.rules,
        images,
        buildArgs,
        ...(target ? { target } : {}),
        ...(o.context ? { context: o.context } : {}),
        ...(o.allStages ? { allStages: true } : {}),
        ...(o.followSymlinks ? { followSymlinks: true } : {}),
        ...(o.imageMap.length ? { imageMap: parseImageMap(o.imageMap) } : {}),
        ...(o.composeFile.length ? { composeFiles: o.composeFile } : {}),
      }).finally(() => bar.clear());
      for (const n of out.probeNotes) process.stderr.write(`pid1: probe ${safeText(n)}\n`);
      const fixed = o.fix ? out.plans.reduce((n, p) => n + p.fixes.length, 0) : 0;
      const v = packageVersion();
      let text: string;
      if (o.fixDryRun && o.format === 'pretty') text = out.diff || 'no fixes to apply\n';
      else if (o.format === 'json') text = formatJson(out.result, { fixed, version: v });
      else if (o.format === 'sarif') text = formatSarif(out.result, v);
      else if (o.format === 'github') text = formatGithub(out.result);
      else if (o.format === 'gitlab' || o.format === 'codeclimate') text = formatGitlab(out.result);
      else {
        const color = o.color !== false && !o.output && !process.env.NO_COLOR && (Boolean(process.stdout.isTTY) || Boolean(process.env.FORCE_COLOR));
        text = formatPretty(out.result, { color, ...(fixed ? { fixed } : {}) });
      }
      if (o.fixDryRun && o.format !== 'pretty' && out.diff) process.stderr.write(out.diff);
      if (o.output) {
        try {
          fs.writeFileSync(o.output, text);
        } catch (err) {
          throw new UserError(`cannot write -o ${o.output}: ${messageOf(err)}`);
        }
      } else process.stdout.write(reportBytes(text));
      const c = countOf(out.result);
      // --fail-on: the lowest severity that fails the run (CI gates choose). A file that cannot be linted
      // (binary, too large, unreadable) always fails it, exit 1, whatever else was linted with it (as ESLint
      // and hadolint treat an unparsable file); 2 is for runs that produce no report: bad usage, a bad
      // config file, no file found (docs/lint.md).
      const failing = c.errors + (o.failOn !== 'error' ? c.warnings : 0) + (o.failOn === 'info' ? c.infos : 0);
      process.exitCode = failing > 0 || c.fileErrors > 0 ? 1 : 0;
    });
}

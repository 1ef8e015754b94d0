import type { Command } from 'commander';
import { addRuntimeOptions, collect, printJson, runtimeOptionsOf, type RuntimeFlags } from './options.js';
import { graceCountdown } from './progress.js';
import { UserError, messageOf } from '../util/errors.js';
import { GRACE_UNITS } from '../runtime/durations.js';

interface RawTestOptions extends RuntimeFlags {
  image?: string;
  build?: string;
  file?: string;
  target?: string;
  compose?: string;
  service?: string;
  manifest?: string;
  container?: string;
  entrypoint?: string;
  init?: boolean;
  user?: string;
  env: string[];
  network: string;
  policy?: string;
  stopSignal?: string;
  grace?: string;
  readyLog?: string;
  readyDelay?: string;
  readyCmd?: string;
  readyPort?: string;
  readyTimeout: string;
  fast?: boolean;
  json?: boolean;
  junit?: string;
  cleanup?: boolean | string;
}

const HELP_AFTER = `
Targets (one):
  --image IMG [--entrypoint E] [-- CMD...]   a local image, like docker run IMG CMD...
  --build DIR [--file F] [--target T]        build it first (labelled, removed afterwards)
  --compose FILE --service S                  a compose service (policy compose)
  --manifest FILE [--container C]             a Kubernetes container (policy kubelet, preStop included)
  -- CMD ARGS...                              CMD as PID 1 of a new PID namespace, no image

Exit status: 0 graceful; 1 killed, abrupt or nostart; 2 the test could not run.

Examples:
  pid1 test --image myapp:latest --grace 3
  pid1 test --build . --ready-log 'listening on' --junit stop.xml
  pid1 test --manifest k8s/deploy.yaml --container web --grace 5
  pid1 test --fast --image legacy:1.0
  pid1 test --runtime podman --image localhost/app:1   Podman's quirks named in the output
  pid1 test -- /bin/sh -c 'gunicorn app:app'
  pid1 test --cleanup                         remove leftovers of interrupted runs
  pid1 test --cleanup 62f68dbc                only those of one run (the "run" of its report)
See docs/test.md.`;

function parseEntrypoint(v: string): string[] {
  const s = v.trim();
  if (s.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      throw new UserError(`--entrypoint ${v}: not a JSON array of strings`);
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new UserError(`--entrypoint ${v}: not a JSON array of strings`);
    return parsed as string[];
  }
  return [v];
}

function parseEnv(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) {
      const host = process.env[kv];
      if (host === undefined) throw new UserError(`--env ${kv}: expected KEY=VALUE (or the name of a variable that is set)`);
      out[kv] = host;
    } else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function registerTest(program: Command): void {
  const cmd = program
    .command('test')
    .summary('prove how a container stops: run it, stop it as Docker/the kubelet/compose would, report the timeline')
    .description(
      "Start the real thing, wait until it is ready, stop it exactly as the chosen runtime does (docker, kubelet, compose), watch every process, and report graceful / killed / abrupt / nostart against the model's prediction.",
    )
    .usage('[options] [-- CMD ARGS...]')
    .argument('[cmd...]', 'with --image/--build: the command (CMD); alone: the command to run as PID 1 of a new PID namespace')
    .option('--image <image>', 'a local image')
    .option('--build <dir>', 'build the image from DIR first')
    .option('--file <dockerfile>', 'with --build: the Dockerfile (default DIR/Dockerfile)')
    .option('--target <stage>', 'with --build: the stage to build')
    .option('--compose <file>', 'a compose file (with --service)')
    .option('--service <name>', 'the compose service')
    .option('--manifest <file>', 'a Kubernetes manifest (Pod, Deployment, StatefulSet, Job, ...)')
    .option('--container <name>', 'with --manifest: the container (when the pod has several)')
    .option('--entrypoint <json|word>', 'override the image\'s ENTRYPOINT: a word, or a JSON array (["/bin/sh","-c","app"])')
    .option('--init', 'as docker run --init: docker-init (tini) as PID 1')
    .option('--user <user>', 'as docker run --user')
    .option('-e, --env <KEY=VALUE>', 'an environment variable (repeatable)', collect, [] as string[])
    .option('--network <mode>', 'none (default) or host (for --ready-port and preStop httpGet)', 'none')
    .option('--policy <name>', 'docker, kubelet or compose (default: compose for --compose, kubelet for --manifest, else docker)')
    .option('--stop-signal <sig>', "the stop signal (default: the file's, else the image's STOPSIGNAL, else SIGTERM)")
    .option('--grace <seconds>', `the grace period before SIGKILL, in ${GRACE_UNITS} (default: the file's, else docker/compose 10 s, kubelet 30 s)`)
    .option('--ready-log <regex>', 'ready when a log line matches')
    .option('--ready-delay <duration>', 'ready after this long (e.g. 2s)')
    .option('--ready-cmd <command>', 'ready when this command succeeds inside (split like a shell, no shell)')
    .option('--ready-port <port>', 'ready when 127.0.0.1:PORT accepts a connection (host network)')
    .option('--ready-timeout <duration>', 'give up (nostart) after this long', '60s')
    .option('--fast', 'when PID 1 drops the stop signal (kernel rule), report killed at once instead of waiting out the grace')
    .option('--json', 'the report as JSON (docs/test.md)')
    .option('--junit <file>', 'also write a JUnit XML report to FILE')
    .option('--cleanup [run]', 'remove the containers, images and namespaces that interrupted runs left (by label; RUN: one run only), then exit');
  addRuntimeOptions(cmd, 'test containers')
    .addHelpText('after', HELP_AFTER)
    .action(async (cmd: string[], raw: RawTestOptions) => {
      // Loaded only for this command: dockerode, koffi and the model.
      const { runTest, kindOf, labelOf } = await import('../runtime/run-test.js');
      const { Resources, cleanupLeftovers } = await import('../runtime/cleanup.js');
      const { parseDurationOption, parseGraceOption } = await import('../runtime/durations.js');
      const { formatTest, disagreementLines } = await import('../report/test.js');
      const { checkJunitWritable, junitFromReport, junitForError, writeJunit } = await import('../report/test-junit.js');
      const { splitWords } = await import('../sources/compose/words.js');
      const { connectEngine } = await import('../runtime/connect.js');

      if (raw.cleanup) {
        if (typeof raw.cleanup === 'string' && !/^[0-9a-f]{8}$/.test(raw.cleanup)) throw new UserError(`--cleanup ${raw.cleanup}: not a run id (8 hex digits, the "run" of a report)`);
        let docker: Awaited<ReturnType<typeof connectEngine>>['engine'] | undefined;
        try {
          docker = (await connectEngine(runtimeOptionsOf(raw), 3000)).engine;
        } catch (err) {
          process.stderr.write(`pid1: ${messageOf(err)}; cleaning up namespaces only\n`);
          docker = undefined;
        }
        const r = await cleanupLeftovers(docker, typeof raw.cleanup === 'string' ? raw.cleanup : undefined);
        if (raw.json) printJson(r);
        else {
          for (const x of r.removed) process.stdout.write(`removed ${x}\n`);
          for (const x of r.inUse) process.stdout.write(`left ${x}: its pid1 run is still going\n`);
          for (const x of r.failed) process.stdout.write(`could not remove ${x}\n`);
          if (!r.removed.length && !r.failed.length) process.stdout.write('nothing to clean up\n');
        }
        process.exitCode = r.failed.length || !docker ? 2 : 0;
        return;
      }

      const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
      let label = 'pid1 test';
      let policyName = raw.policy ?? 'docker';
      const resources = new Resources();
      try {
        if (raw.policy !== undefined && !['docker', 'kubelet', 'compose'].includes(raw.policy)) throw new UserError(`--policy ${raw.policy}: one of docker, kubelet, compose`);
        if ((raw.file || raw.target) && !raw.build) throw new UserError('--file and --target go with --build DIR');
        if (raw.compose !== undefined && raw.service === undefined) throw new UserError('--compose needs --service NAME');
        if (raw.service !== undefined && raw.compose === undefined) throw new UserError('--service goes with --compose FILE');
        if (raw.container !== undefined && raw.manifest === undefined) throw new UserError('--container goes with --manifest FILE (pid1 stop --container rescues a running container)');
        if (raw.network !== 'none' && raw.network !== 'host') throw new UserError(`--network ${raw.network}: none or host`);
        const readyPort = raw.readyPort === undefined ? undefined : Number(raw.readyPort);
        if (readyPort !== undefined && (!Number.isInteger(readyPort) || readyPort <= 0 || readyPort > 65535)) throw new UserError(`--ready-port ${raw.readyPort}: not a TCP port`);
        let readyLog: RegExp | undefined;
        if (raw.readyLog !== undefined) {
          try {
            readyLog = new RegExp(raw.readyLog);
          } catch (err) {
            throw new UserError(`--ready-log: ${messageOf(err)}`);
          }
        }
        let readyCmd: string[] | undefined;
        if (raw.readyCmd !== undefined) {
          try {
            readyCmd = splitWords(raw.readyCmd);
          } catch (err) {
            throw new UserError(`--ready-cmd: ${messageOf(err)}`);
          }
          if (!readyCmd.length) throw new UserError('--ready-cmd is empty');
        }
        const opts = {
          ...(raw.image !== undefined ? { image: raw.image } : {}),
          ...(raw.build !== undefined ? { build: { context: raw.build, args: {}, ...(raw.file ? { dockerfile: raw.file } : {}), ...(raw.target ? { target: raw.target } : {}) } } : {}),
          ...(raw.compose !== undefined ? { compose: { file: raw.compose, service: raw.service as string } } : {}),
          ...(raw.manifest !== undefined ? { manifest: { file: raw.manifest, ...(raw.container ? { container: raw.container } : {}) } } : {}),
          ...(cmd.length ? { command: cmd } : {}),
          ...(raw.entrypoint !== undefined ? { entrypoint: parseEntrypoint(raw.entrypoint) } : {}),
          ...(raw.init ? { init: true } : {}),
          ...(raw.user !== undefined ? { user: raw.user } : {}),
          env: parseEnv(raw.env),
          network: raw.network,
          ...(raw.policy ? { policy: raw.policy as 'docker' | 'kubelet' | 'compose' } : {}),
          ...(raw.stopSignal ? { stopSignal: raw.stopSignal } : {}),
          ...(raw.grace !== undefined ? { grace: parseGraceOption(raw.grace) } : {}),
          readiness: {
            ...(readyLog ? { log: readyLog } : {}),
            ...(readyPort !== undefined ? { port: readyPort } : {}),
            ...(readyCmd ? { command: readyCmd } : {}),
            ...(raw.readyDelay !== undefined ? { delayMs: parseDurationOption('--ready-delay', raw.readyDelay) } : {}),
            timeoutMs: parseDurationOption('--ready-timeout', raw.readyTimeout),
          },
          fast: Boolean(raw.fast),
          runtime: runtimeOptionsOf(raw),
        };
        const kind = kindOf(opts);
        label = labelOf(opts);
        // Before the test runs, not after it: a report that cannot be written fails in one line now.
        if (raw.junit !== undefined) checkJunitWritable(raw.junit);
        policyName = raw.policy ?? (kind === 'compose' ? 'compose' : kind === 'manifest' ? 'kubelet' : 'docker');
        resources.trapSignals((sig) => process.stderr.write(`pid1: ${sig}: removing what this test created...\n`));
        const report = await runTest(opts, {
          resources,
          progress: (line) => {
            if (!raw.json && process.stderr.isTTY) process.stderr.write(`${line}\n`);
          },
          ...(raw.json ? {} : { stopping: graceCountdown() }),
        });
        if (raw.json) printJson(report);
        else process.stdout.write(formatTest(report, tty));
        // A disagreement is a bug in pid1's model: say so on stderr too, whatever the output format.
        for (const line of disagreementLines(report)) process.stderr.write(`${line}\n`);
        if (resources.leftovers.length) process.stderr.write(`pid1: could not remove ${resources.leftovers.join(', ')}: run pid1 test --cleanup\n`);
        if (raw.junit) writeJunit(raw.junit, junitFromReport(report));
        process.exitCode = report.exitStatus;
      } catch (err) {
        await resources.release();
        const msg = messageOf(err);
        if (raw.junit) {
          try {
            writeJunit(raw.junit, junitForError(label, policyName, msg));
          } catch {
            /* the original error matters more */
          }
        }
        if (resources.leftovers.length) throw new UserError(`${msg}; could not remove ${resources.leftovers.join(', ')}: run pid1 test --cleanup when the engine is back`);
        throw err;
      } finally {
        resources.untrapSignals();
      }
    });
}

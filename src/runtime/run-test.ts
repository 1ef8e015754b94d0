/**
 * `pid1 test`: start the real thing, wait until it is ready, record the process tree and the model's
 * prediction, stop it exactly as the chosen runtime would while watching every process, and report
 * what happened against what was predicted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { BuildSpec, ContainerSpec } from '../sources/launch.js';
import { chainFromArgv, predictStop } from '../model/launch.js';
import type { ShellFamily } from '../model/programs.js';
import { parseSignal } from '../model/signals.js';
import { loadShellParser } from '../model/shell.js';
import { parseReport, summarize, type InitRun } from '../init/report.js';
import { namespaceTree, type NamespaceTree } from '../proc/tree.js';
import type { Verdict as LiveVerdict } from '../proc/verdict.js';
import { liveVerdict } from './live-verdict.js';
import { programSourceReader } from '../sources/program-reader.js';
import { loadWantedGrammars } from '../sources/grammars.js';
import { readTextInRoot } from '../util/root-path.js';
import { inspectReport, type ComparisonView, type PredictionView, type TestReport } from './reports.js';
import { UserError, messageOf } from '../util/errors.js';
import { buildImage, removeBuilt, type Built } from './build.js';
import { newRun, type Resources, type Run } from './cleanup.js';
import { mono } from './clock.js';
import { ensureEngine, imageFacts, inspectContainer, type ContainerFacts, type ImageFacts } from './docker.js';
import { chooseRuntime, connectEngine, type EngineConnection, type RuntimeOptions } from './connect.js';
import { inspectPodmanContainer } from './podman.js';
import { ExitWatcher } from './exits.js';
import { TestSignalTrace } from './trace/test-signals.js';
import { composeService, describePreStop, manifestContainer } from './pick-container.js';
import { buildTimeline, compare, observe } from './observe.js';
import { checkPreStopReachable, resolvePolicy, runStop, settleEngineStop, type PolicyName, type StopPolicy, type StopRun } from './policy.js';
import { waitReady, type Readiness } from './readiness.js';
import { scriptReader, shellFamilyIn } from './rootfs.js';
import { ContainerTarget, NamespaceTarget, NoStart, containerNameOf, removeContainer, type Target } from './target.js';

export interface TestOptions {
  image?: string;
  build?: BuildSpec;
  compose?: { file: string; service: string };
  manifest?: { file: string; container?: string };
  /** With an image: the CMD (docker run IMAGE CMD...). Alone: the command to run as PID 1 of a new namespace. */
  command?: string[];
  entrypoint?: string[];
  init?: boolean;
  user?: string;
  env: Record<string, string>;
  network: string;
  policy?: PolicyName;
  stopSignal?: string;
  grace?: number;
  readiness: Readiness;
  fast: boolean;
  /** --runtime, --address (Docker or Podman). */
  runtime?: RuntimeOptions;
}

export interface TestHooks {
  resources: Resources;
  /** Progress lines for a human (stderr), e.g. "building ...". */
  progress?: (line: string) => void;
  /** The stop sequence starts (the grace period runs); the function it returns is called when it ends. */
  stopping?: (s: { policy: string; signal: string; graceSeconds: number }) => () => void;
}

type Kind = TestReport['target']['kind'];

export function kindOf(o: TestOptions): Kind {
  const given = [o.image !== undefined, o.build !== undefined, o.compose !== undefined, o.manifest !== undefined].filter(Boolean).length;
  if (given > 1) throw new UserError('give one of --image, --build, --compose, --manifest (or -- CMD alone)');
  if (o.image !== undefined) return 'image';
  if (o.build !== undefined) return 'build';
  if (o.compose !== undefined) return 'compose';
  if (o.manifest !== undefined) return 'manifest';
  if (o.command?.length) return 'command';
  throw new UserError('nothing to test: give --image IMG, --build DIR, --compose FILE --service S, --manifest FILE, or -- CMD ARGS');
}

export function labelOf(o: TestOptions): string {
  if (o.image !== undefined) return o.image;
  if (o.build) return `build ${o.build.context}${o.build.dockerfile ? ` -f ${o.build.dockerfile}` : ''}${o.build.target ? ` --target ${o.build.target}` : ''}`;
  if (o.compose) return `${o.compose.file} service ${o.compose.service}`;
  if (o.manifest) return `${o.manifest.file}${o.manifest.container ? ` container ${o.manifest.container}` : ''}`;
  return (o.command ?? []).join(' ');
}

interface Prepared {
  kind: Kind;
  label: string;
  policy: StopPolicy;
  target: Target;
  image?: ImageFacts;
  notes: string[];
  network?: string;
  env: Record<string, string>;
  workingDir?: string;
  /** The container's CMD, for `exec "$@"` in an entrypoint script. */
  cmd?: string[];
}

/** The compose service or k8s container, read before anything touches the engine. */
function containerSpecOf(o: TestOptions): ContainerSpec | undefined {
  let spec: ContainerSpec | undefined;
  if (o.compose) spec = composeService(o.compose.file, o.compose.service);
  if (o.manifest) spec = manifestContainer(o.manifest.file, o.manifest.container);
  if ((o.compose || o.manifest) && (o.entrypoint || o.command?.length))
    throw new UserError(`--entrypoint and a command come from ${o.compose ? 'the compose file' : 'the manifest'} here; edit it instead`);
  checkPreStopReachable(spec?.preStop, o.network);
  return spec;
}

/** What pid1 test does differently on Podman, in words for the report (podman.ts measured each). */
function podmanNotes(conn: EngineConnection, policy: StopPolicy): string[] {
  if (!conn.podman) return [];
  const { version, quirks } = conn.podman;
  const notes = [`Podman ${version} (${conn.where}), through its Docker-compatible API`];
  if (policy.name !== 'kubelet') {
    const why = [
      ...(quirks.compatCreateStopTimeout === 0 ? ["containers created through its Docker API get stop timeout 0 before Podman 4.7 (the engine's stop would SIGKILL at once)"] : []),
      ...(!quirks.stopEmitsKillEvents ? ['its stop emits no kill events'] : []),
    ];
    notes.push(
      `pid1 replays ${policy.name === 'compose' ? 'docker compose stop' : `docker stop -t ${policy.graceSeconds}`} itself through Podman's API (podman kill ${policy.signal}, then SIGKILL after ${policy.graceSeconds} s)${why.length ? `: ${why.join('; ')}` : ''}`,
    );
  }
  if (!quirks.killEventNamesSignal) notes.push("Podman's kill events name no signal: the signals in the timeline are the ones pid1 sent");
  if (quirks.logsFollowWaitsForFirstLine) notes.push('Podman answers a followed log stream only from the first line on, with whole-second timestamps: log lines are timed when they arrive');
  return notes;
}

async function prepareContainer(o: TestOptions, spec: ContainerSpec | undefined, kind: Kind, run: Run, hooks: TestHooks, conn: EngineConnection): Promise<Prepared> {
  const docker = conn.engine;
  const notes = [...(spec?.notes ?? [])];
  let imageRef = o.image ?? spec?.image;
  const build = o.build ?? spec?.build;
  if (build) {
    const tag = `pid1-test-build:${run.id}`;
    hooks.progress?.(`pid1 test: building ${build.context}...`);
    let built: Built | undefined;
    let building: Promise<unknown> = Promise.resolve();
    const cancel = new AbortController();
    // Registered before the build starts: Ctrl-C during it cancels it, waits for it to end, then removes what it made.
    hooks.resources.add(`image ${tag}`, async () => {
      cancel.abort();
      await building.catch(() => undefined);
      await removeBuilt(docker, built, tag, run.id);
    });
    building = buildImage(docker, { ...build, tag, labels: run.labels, signal: cancel.signal }, (b) => {
      built = b;
    });
    await building;
    imageRef = tag;
  }
  if (!imageRef) throw new UserError('no image to run');
  const image = await imageFacts(docker, imageRef);
  const policy = resolvePolicy({
    name: o.policy ?? (o.compose ? 'compose' : o.manifest ? 'kubelet' : 'docker'),
    ...(o.stopSignal ? { signalOverride: o.stopSignal } : {}),
    ...(spec?.stopSignal ? { specSignal: { signal: spec.stopSignal, from: o.compose ? 'compose stop_signal' : 'lifecycle.stopSignal' } } : {}),
    ...(image.stopSignal ? { imageSignal: image.stopSignal } : {}),
    ...(o.grace !== undefined ? { graceOverride: o.grace } : {}),
    // compose's default comes from the policy (docker compose stop: 10 s); the kubelet's is the API server's 30.
    ...(spec && (spec.graceExplicit || spec.platform === 'kubernetes')
      ? { specGrace: { seconds: spec.graceSeconds, from: o.compose ? 'compose stop_grace_period' : 'terminationGracePeriodSeconds' } }
      : {}),
    ...(spec?.preStop ? { preStop: spec.preStop } : {}),
  });
  notes.push(...podmanNotes(conn, policy));
  const env = { ...(spec?.env ?? {}), ...o.env };
  const entrypoint = o.entrypoint ?? spec?.entrypoint;
  const cmd = o.command?.length ? o.command : spec?.command;
  // Named by pid1 and registered by that name before the engine creates it: a failure right after the
  // create, or Ctrl-C while it runs, still removes it (the release waits for the create to settle).
  const name = containerNameOf(run);
  let created: ContainerTarget | undefined;
  let creating: Promise<unknown> = Promise.resolve();
  hooks.resources.add(`container ${name}`, async () => {
    await creating.catch(() => undefined);
    await (created ? created.remove() : removeContainer(docker, name));
  });
  const user = o.user ?? spec?.user;
  const pending = ContainerTarget.create(
    docker,
    {
      image: image.ref,
      env,
      init: Boolean(o.init || spec?.init),
      network: o.network,
      ...(entrypoint ? { entrypoint } : {}),
      ...(cmd ? { cmd } : {}),
      ...(user !== undefined ? { user } : {}),
      ...(spec?.workingDir ? { workingDir: spec.workingDir } : {}),
      // The engine's stop sends Config.StopSignal: set it as `docker run --stop-signal` / compose stop_signal do.
      ...(policy.name !== 'kubelet' ? { stopSignal: policy.signal } : {}),
      // Podman before 4.7 gives a compat-created container stop timeout 0: its own stop then SIGKILLs at once.
      ...(conn.runtime === 'podman' ? { stopTimeout: policy.graceSeconds } : {}),
    },
    run,
    name,
    conn.runtime,
  );
  creating = pending;
  const target = await pending;
  created = target;
  const effectiveCmd = entrypoint ? (cmd ?? []) : (cmd ?? image.cmd);
  return {
    kind,
    label: labelOf(o),
    policy,
    target,
    image,
    notes,
    network: o.network,
    env: { ...image.env, ...env },
    workingDir: spec?.workingDir ?? image.workingDir,
    cmd: effectiveCmd,
  };
}

function prepareNamespace(o: TestOptions, run: Run, hooks: TestHooks): Prepared {
  if (o.entrypoint || o.init || o.user) throw new UserError('--entrypoint, --init and --user apply to images; with -- CMD, put them in the command');
  const policy = resolvePolicy({ name: o.policy ?? 'docker', sender: 'pid1', ...(o.stopSignal ? { signalOverride: o.stopSignal } : {}), ...(o.grace !== undefined ? { graceOverride: o.grace } : {}) });
  const target = new NamespaceTarget(o.command ?? [], run);
  hooks.resources.add('namespace', () => target.remove());
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { kind: 'command', label: labelOf(o), policy, target, notes: [], env: { ...env, ...o.env }, workingDir: process.cwd() };
}

interface StaticPrediction {
  view: PredictionView;
  /** The service at the end of the chain when pid1 does not know the program: its handling was assumed. */
  assumed?: string;
}

function staticPrediction(argv: string[], shell: ShellFamily, signal: string, graceSeconds: number, root: string, p: Prepared): StaticPrediction {
  try {
    const chain = chainFromArgv(argv, {
      sh: shell,
      signal,
      env: p.env,
      readScript: scriptReader(root, p.env, p.workingDir || '/'),
      // The same reading of the program's source as lint's, from the running image's files.
      programSource: programSourceReader((f) => readTextInRoot(root, f), p.workingDir || '/', signal),
      ...(p.cmd?.length ? { args: p.cmd } : {}),
      graceSeconds,
    });
    // lint's empty chain: the command ends by itself before the grace period is over (`sleep 3` with 10 s, a module that only defines).
    if (chain.processes.length === 0) return { view: { outcome: 'graceful', certain: true, path: [`the command ends by itself within the ${graceSeconds} s grace period: there is no stop to lose`] } };
    const pred = predictStop(chain, signal);
    const svc = chain.processes[chain.processes.length - 1];
    const prog = svc?.programs[svc.programs.length - 1];
    // A service pid1 has no knowledge of (no known stop signals) is assumed to handle the stop signal.
    const assumed = svc && prog && svc.role === 'service' && !svc.masks && !prog.graceful && svc.handles === 'yes' ? svc.name : undefined;
    return { view: { outcome: pred.outcome, certain: pred.certain, path: pred.path }, ...(assumed ? { assumed } : {}) };
  } catch (err) {
    return { view: { outcome: 'unknown', certain: false, path: [], error: messageOf(err) } };
  }
}

/**
 * The launch command alone cannot show what an unknown program does with the stop signal; the live
 * process can. When that assumption is the whole difference (the live model, which reads the masks,
 * agrees with the stop), the static disagreement is explained, not a bug.
 */
function explainAssumption(cmp: ComparisonView | undefined, live: ComparisonView | undefined, st: StaticPrediction, tree: NamespaceTree, verdict: LiveVerdict): ComparisonView | undefined {
  if (cmp?.status !== 'disagrees' || live?.status !== 'agrees' || !st.assumed) return cmp;
  const sig = parseSignal(verdict.stopSignal);
  const node = tree.processes.find((x) => x.hostPid === verdict.service?.hostPid) ?? tree.init;
  if (node.masks.caught.includes(sig) || node.takes.includes(sig)) return cmp;
  return {
    ...cmp,
    status: 'explained',
    message: `from the launch command alone pid1 assumes ${st.assumed} handles ${verdict.stopSignal} (it is not a program pid1 knows); the live process has no handler for it (SigCgt ${node.rawMasks.SigCgt})`,
  };
}

/** pid1 init's JSON-lines report: on stderr (its default), or in the file given with --report / PID1_REPORT. */
async function initReportOf(target: Target, env: Record<string, string>): Promise<InitRun | undefined> {
  const fromLogs = parseReport(
    target.logs
      .filter((l) => l.stream === 'stderr')
      .map((l) => l.line)
      .join('\n'),
  );
  if (fromLogs.length) return fromLogs[fromLogs.length - 1];
  // `pid1 init [--report FILE] -- CMD` (pid1 may be `node /path/to/main.js`): its options end at `--`.
  const argv = target.argv;
  const at = argv.indexOf('init');
  if (at < 0) return undefined;
  let file = env.PID1_REPORT;
  for (let i = at + 1; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i] as string;
    if (a === '--report') file = argv[i + 1];
    else if (a.startsWith('--report=')) file = a.slice('--report='.length);
  }
  if (!file || file === 'stderr' || file === 'none' || file === '-') return undefined;
  let text: string | undefined;
  if (target instanceof NamespaceTarget) {
    try {
      text = fs.readFileSync(path.resolve(file), 'utf8');
    } catch {
      /* not written */
    }
  } else if (target instanceof ContainerTarget) {
    text = await target.readFile(file);
  }
  const runs = text ? parseReport(text) : [];
  return runs[runs.length - 1];
}

function policyView(p: StopPolicy): TestReport['policy'] {
  return {
    name: p.name,
    signal: p.signal,
    signalFrom: p.signalFrom,
    graceSeconds: p.graceSeconds,
    graceFrom: p.graceFrom,
    steps: p.steps,
    ...(p.preStop ? { preStop: describePreStop(p.preStop) } : {}),
    ...(p.minimumGraceSeconds !== undefined ? { minimumGraceSeconds: p.minimumGraceSeconds } : {}),
  };
}

export async function runTest(o: TestOptions, hooks: TestHooks): Promise<TestReport> {
  const startedAt = mono();
  const kind = kindOf(o);
  const run = newRun();
  let docker: Docker | undefined;
  let engineLabel = 'the Docker engine';
  let watcher: ExitWatcher | undefined;
  try {
    let p: Prepared;
    if (kind === 'command') {
      if (o.runtime && Object.keys(o.runtime).length) throw new UserError("--runtime, --address, --namespace and --state-dir apply to images: -- CMD alone runs in a PID namespace of pid1's own");
      p = prepareNamespace(o, run, hooks);
    } else {
      if (chooseRuntime(o.runtime ?? {}).runtime === 'containerd')
        throw new UserError(
          'pid1 test creates its containers through an Engine API: use --runtime docker or --runtime podman (on a containerd node, pid1 inspect and pid1 stop take --runtime containerd)',
        );
      const spec = containerSpecOf(o);
      const conn = await connectEngine(o.runtime ?? {});
      docker = conn.engine; // from here on, a failing call may mean the engine went away
      engineLabel = conn.runtime === 'podman' ? `Podman at ${conn.where}` : 'the Docker engine';
      p = await prepareContainer(o, spec, kind, run, hooks, conn);
    }
    const { target, policy } = p;
    const targetView = (): TestReport['target'] => ({
      kind,
      label: p.label,
      argv: target.argv,
      notes: p.notes,
      ...(p.image ? { image: p.image.ref } : {}),
      ...(target.kind === 'container' ? { container: { id: target.id, name: target.name } } : {}),
      ...(p.network ? { network: p.network } : {}),
    });
    const nostart = async (err: NoStart): Promise<TestReport> => {
      // What it printed before it died is the best clue: let the log stream deliver it.
      await target.logsDone(1000);
      const logs = target.logs.slice(-5).map((l) => l.line);
      return {
        run: run.id,
        target: targetView(),
        policy: policyView(policy),
        timeline: [],
        fast: o.fast,
        watcher: 'none',
        verdict: 'nostart',
        exitStatus: 1,
        observation: {
          verdict: 'nostart',
          summary: err.message,
          sigkill: false,
          evidence: [...(err.exitCode !== undefined ? [`exit status ${err.exitCode}`] : []), ...logs.map((l) => `output: ${l}`)],
          ...(err.exitCode !== undefined ? { exitCode: err.exitCode } : {}),
        },
        durations: { totalMs: Math.round(mono() - startedAt) },
      };
    };
    let ready: Awaited<ReturnType<typeof waitReady>>;
    try {
      await target.start();
      ready = await waitReady(target, o.readiness);
    } catch (err) {
      if (err instanceof NoStart) return await nostart(err);
      throw err;
    }

    // Before the stop: the tree, its masks, and both predictions.
    let tree: NamespaceTree;
    try {
      tree = namespaceTree(target.hostPid);
    } catch (err) {
      if (target.exit) return await nostart(new NoStart(`it exited with status ${target.exit.exitCode} before the stop`, target.exit.exitCode));
      throw err;
    }
    await loadShellParser(); // the live verdict reads shells with the shell model too
    const live: LiveVerdict = await liveVerdict(tree, policy.signal, { stopping: true, graceSeconds: policy.graceSeconds, ...(target.kind === 'container' ? { container: target.name } : {}) });
    let facts: ContainerFacts | undefined;
    if (docker && target instanceof ContainerTarget) facts = target.flavour === 'podman' ? await inspectPodmanContainer(docker, target.id) : await inspectContainer(docker, target.id);
    const before = inspectReport(tree, live, facts);
    watcher = await ExitWatcher.open();
    for (const proc of tree.processes) watcher.watch(proc.hostPid, proc.comm, proc.pid);
    // Processes started between the tree and the watch are found through their parents.
    for (const proc of namespaceTree(target.hostPid).processes) watcher.watch(proc.hostPid, proc.comm, proc.pid);
    const root = `/proc/${target.hostPid}/root`;
    const shell = shellFamilyIn(root);
    let staticPred = staticPrediction(target.argv, shell, policy.signal, policy.graceSeconds, root, p);
    // A program's source needed a grammar not loaded yet: load it and predict again (as lint does).
    if (await loadWantedGrammars()) staticPred = staticPrediction(target.argv, shell, policy.signal, policy.graceSeconds, root, p);

    // The kernel's result for every signal of the stop (tracefs, as pid1 watch --pid reads it); its
    // instance goes with the test's other resources, also on Ctrl-C.
    const trace = TestSignalTrace.start(target.hostPid, target.kind === 'container' ? { id: target.id, name: target.name, ...(p.image ? { image: p.image.ref } : {}) } : undefined);
    hooks.resources.add('tracefs instance', async () => trace.stop());
    hooks.progress?.(
      `pid1 test: stopping with the ${policy.name} policy (${policy.signal}, grace ${policy.graceSeconds} s)${o.fast && (live.delivery === 'dropped' || live.delivery === 'ignored') ? ', --fast' : ''}...`,
    );
    const fastEligible = o.fast && (live.delivery === 'dropped' || live.delivery === 'ignored');
    const stopped = hooks.stopping?.({ policy: policy.name, signal: policy.signal, graceSeconds: policy.graceSeconds });
    let stop: StopRun;
    try {
      stop = await runStop(target, policy, watcher, { fast: fastEligible });
    } finally {
      stopped?.();
    }
    let verdictAt: number | undefined;
    if (stop.fast) {
      verdictAt = stop.fast.at;
      // Do now what the runtime would do at the deadline.
      stop.sigkillAt = await target.kill('SIGKILL');
      stop.sigkillBy = 'pid1 --fast (instead of waiting out the grace period)';
      const exit = await target.exited(10_000);
      if (exit) stop.exit = exit;
    }
    await watcher.allEnded(1000);
    await target.logsDone(1000);
    watcher.tick(); // the last exits the connector has for us
    watcher.close();
    // Every exit and line is in now: the engine's signals at the times they were sent, not after what they caused.
    settleEngineStop(stop, target, watcher, policy);
    trace.stop(); // reads what the kernel still has, then removes the instance
    // A namespace's end is its init's own: unshare reports a signal death as a status of its own.
    const initEnd = watcher.exitOf(target.hostPid);
    if (target.kind === 'namespace' && initEnd?.status && stop.exit) {
      stop.exit = { at: initEnd.at, exitCode: initEnd.status.signal ? 128 + parseSignal(initEnd.status.signal) : (initEnd.status.code ?? 0) };
    }
    const initRun = await initReportOf(target, p.env);
    const obs = observe({ of: target.kind, tree, live, run: stop, exits: watcher.exits, logs: target.logs, policy, ...(initRun ? { initRun } : {}) });
    verdictAt ??= mono();
    const livePred: PredictionView = { outcome: live.outcome, certain: live.certain, summary: live.summary, path: live.path };
    const cmpLive = compare(livePred, obs, stop, policy);
    const cmpStatic = explainAssumption(compare(staticPred.view, obs, stop, policy), cmpLive, staticPred, tree, live);
    const { signalArrived: _arrived, ...observation } = obs;
    const report: TestReport = {
      run: run.id,
      target: { ...targetView(), shell },
      policy: policyView(policy),
      readiness: { ms: Math.round(ready.ms), how: ready.how },
      before,
      prediction: { live: livePred, static: staticPred.view },
      ...(stop.preStop
        ? {
            preStop: {
              description: stop.preStop.description,
              ms: Math.round(stop.preStop.ms),
              outcome: stop.preStop.outcome,
              detail: stop.preStop.detail,
              subtractedSeconds: stop.preStop.subtractedSeconds,
              remainingSeconds: stop.preStop.remainingSeconds,
              raisedToMinimum: stop.preStop.raisedToMinimum,
            },
          }
        : {}),
      timeline: buildTimeline({
        t0: stop.preStop ? stop.t0 : stop.signalAt,
        of: target.kind,
        tree,
        run: stop,
        signals: target.signals,
        exits: watcher.exits,
        logs: target.logs,
        ...(initRun ? { initRun } : {}),
        traced: trace.signals,
      }),
      observation,
      verdict: obs.verdict,
      comparison: { ...(cmpLive ? { live: cmpLive } : {}), ...(cmpStatic ? { static: cmpStatic } : {}) },
      fast: Boolean(stop.fast),
      ...(initRun ? { initReport: { summary: summarize(initRun), events: initRun.events } } : {}),
      signalTrace: trace.view,
      watcher: watcher.source + (watcher.why && watcher.source !== 'proc connector' ? ` (proc connector: ${watcher.why})` : '') + (watcher.eventsLost ? ' (some connector events were lost)' : ''),
      durations: {
        readyMs: Math.round(ready.ms),
        ...(obs.stopMs !== undefined ? { stopMs: Math.round(obs.stopMs) } : {}),
        verdictMs: Math.round(verdictAt - stop.signalAt),
        totalMs: Math.round(mono() - startedAt),
      },
      exitStatus: obs.verdict === 'graceful' ? 0 : 1,
    };
    if (target.kind === 'container' && target.engineLost && !target.exit) throw new UserError(target.engineLost);
    return report;
  } catch (err) {
    // A failing call may be the engine going away: say so, it is what the user must fix.
    if (docker && !(err instanceof NoStart)) {
      try {
        await ensureEngine(docker, 2000);
      } catch {
        throw new UserError(`${engineLabel} stopped answering during the test (${messageOf(err)})`);
      }
    }
    throw err;
  } finally {
    watcher?.close();
    await hooks.resources.release();
  }
}

/**
 * What compose services and Kubernetes containers share: the image's own config combined with the
 * orchestrator's overrides, the chain that results, and the stop the orchestrator drives.
 *
 * Overrides follow the engine's merge (moby daemon/create.go `merge`): a container that sets an entrypoint
 * does not inherit the image's CMD; one that sets only a command keeps the image's ENTRYPOINT in front of it.
 * Kubernetes documents the same for `command`/`args` (tasks/inject-data-application/define-command-argument-container).
 */
import type { Document, Origin, Span } from '../document/document.js';
import { type ChainOptions, chainFromArgv, commandLineWord, predictStop, predictStopSharedPid, uncatchableChain } from '../model/launch.js';
import type { ImageConfig } from './image-config.js';
import { isWindowsImage, WINDOWS_NOTE } from './images.js';
import type { ChainInputs, LaunchPart, OrchestratedLaunch, StopPlan, StopSignalFact, Unresolved } from './launch.js';
import { programSourceReader } from './program-reader.js';
import { locateInYaml } from './yaml.js';

/** What the orchestrator's file says about one container. */
interface Overrides {
  label: string;
  doc: Document;
  where: string;
  image: ImageConfig;
  imageRef?: string;
  /** Replaces the image's ENTRYPOINT (compose `entrypoint`, k8s `command`); null: set but empty. */
  entrypoint?: LaunchPart | null;
  /** Replaces the image's CMD (compose `command`, k8s `args`); null: set but empty. */
  cmd?: LaunchPart | null;
  stopSignal?: StopSignalFact;
  init?: boolean;
  /** compose `stdin_open`/`tty`, k8s `stdin`/`tty`: something keeps the container's stdin open. */
  stdinOpen?: boolean;
  stop: StopPlan;
  /** The container's working directory, when the file sets it (k8s `workingDir`, compose `working_dir`). */
  workingDir?: string;
  anchor: Span;
  /** Origins of the override parts that may be edited by a fix (by their text). */
  origins: Map<string, Origin>;
  substituted?: boolean;
  /** An operator wraps or replaces the command: nothing written here predicts the stop. */
  replaced?: Unresolved;
  /**
   * The variables the file sets for the container (compose `environment` with literal values), and whether they and the
   * image's ENV are the container's whole environment (no env_file, no value passed from the host, an image whose
   * Dockerfile pid1 read): then a script's tests on them are decided, as for the Dockerfile's own launch.
   */
  environment?: { env: Record<string, string>; complete: boolean };
}

/** The fields every orchestrated launch has; the compose and Kubernetes readers add their own. */
type OrchestratedFields = Omit<OrchestratedLaunch, 'kind' | 'service' | 'serviceSpan' | 'serviceBlock' | 'commandStrings' | 'resource' | 'container' | 'document' | 'helmSource' | 'sidecar'>;

function startsWithShell(argv: readonly string[]): boolean {
  return /(^|\/)(sh|bash|ash|dash)$/.test(argv[0] ?? '');
}

/** Combine the image's config and the orchestrator's overrides into launch fields with a predicted stop. */
export function orchestratedFields(s: Overrides): OrchestratedFields {
  const img = s.image;
  const epSet = s.entrypoint !== undefined;
  const cmdSet = s.cmd !== undefined;
  const entrypoint = epSet ? (s.entrypoint ?? undefined) : img.entrypoint;
  // An entrypoint override drops the image's CMD (moby daemon/create.go merge; Kubernetes: "command" without "args").
  const cmd = cmdSet ? (s.cmd ?? undefined) : epSet ? undefined : img.cmd;
  const argv = [...(entrypoint?.argv ?? []), ...(cmd?.argv ?? [])];
  const stopSignal = s.stopSignal ?? img.stopSignal;
  // The image's ENTRYPOINT still runs in front of a command when the orchestrator does not replace it.
  const unseenEntrypoint = !epSet && !img.configKnown && !img.entrypointTransparent;
  // An official image's entrypoint script given only options runs its own server with them (`set -- postgres "$@"`).
  const optionsOnly = !epSet && !img.configKnown && cmd !== undefined && (cmd.argv[0] ?? '').startsWith('-');
  let unresolved: Unresolved | undefined;
  if (s.stop.podOs === 'windows' || (s.imageRef !== undefined && isWindowsImage(s.imageRef))) unresolved = { code: 'windows', message: WINDOWS_NOTE };
  else if (s.replaced) unresolved = s.replaced;
  else if (optionsOnly) {
    unresolved = {
      code: img.source === 'unseen' ? 'image-unseen' : 'image-default',
      message: `the image decides what runs: ${img.describe}, given options only (${cmd?.argv.slice(0, 3).join(' ')}), runs its default program with them`,
    };
  } else if (argv.length === 0) {
    unresolved = img.configKnown
      ? { code: 'no-command', message: 'no entrypoint or command anywhere: the container cannot start' }
      : {
          code: img.source === 'unseen' ? 'image-unseen' : 'image-default',
          message: `the image decides what runs: ${img.describe}${img.source === 'unseen' || img.source === 'unanalysed' || img.source === 'none' ? ' (link it to a Dockerfile with --image-map NAME=PATH, or use --probe-images)' : ''}`,
        };
  }
  // The program word holds a command line: only where it is the program, or goes to an ENTRYPOINT known to run `exec "$@"`
  // (not to an image's unseen ENTRYPOINT, which may split it: redpanda's `command: ["redpanda start", ...]` goes to `rpk $@`)
  const lineWord = unresolved || unseenEntrypoint ? undefined : commandLineWord(argv);
  // No chain when nothing is known to run, or the container cannot start (a bad stop signal; no shell: no-shell reports it).
  const startable = !unresolved && !stopSignal.invalid && !(img.shell.family === 'none' && startsWithShell(argv)) && lineWord === undefined;
  const model: ChainInputs = {
    argv: s.init ? ['docker-init', '--', ...argv] : argv,
    options: {
      sh: img.shell.family,
      ...(img.shell.bashLevel ? { bashLevel: img.shell.bashLevel } : {}),
      signal: stopSignal.signal,
      ...(cmd ? { args: cmd.argv } : {}),
      env: s.environment ? { ...img.env, ...s.environment.env } : img.env,
      ...(s.environment?.complete && img.source === 'dockerfile' && img.configKnown ? { envComplete: true } : {}),
      stdin: s.stdinOpen ? 'open' : 'closed',
      graceSeconds: s.stop.graceSeconds,
      ...(img.readScript ? { readScript: img.readScript } : {}),
      // Without a build context pid1 still knows what some modules do (`python -m http.server`).
      programSource: programSourceReader(img.readScript ?? (() => undefined), s.workingDir ?? img.workdir ?? '/', stopSignal.signal, img.linkProgram),
      // what the image's own build says, as for its Dockerfile's launch: a supervisor's services, a daemonizing php-fpm,
      // what pip installed, a program built from a cloned repository
      ...buildFacts(img),
    },
    ...(s.stop.sharedPidNamespace && s.stop.sharedPidWith ? { sharedPid: s.stop.sharedPidWith } : {}),
  };
  const built = startable ? chainFromArgv(model.argv, model.options) : undefined;
  // after the chain: reading a script (a COPY'd file, a ConfigMap's key) records where its text is written
  const origins = new Map<string, Origin>(img.origins ?? []);
  for (const [k, v] of s.origins) origins.set(k, v);
  const chain =
    !built && unresolved && unresolved.code !== 'windows' && !stopSignal.invalid
      ? uncatchableChain(stopSignal.signal)
      : built && built.processes.length > 0
        ? unseenEntrypoint && !built.opaque
          ? { ...built, opaque: { code: 'image-entrypoint-unseen' as const, message: `the image's ENTRYPOINT, which pid1 cannot see, runs in front of the command (${img.describe})`, at: 0 } }
          : built
        : undefined;
  return {
    label: s.label,
    doc: s.doc,
    target: true,
    ...(entrypoint ? { entrypoint } : {}),
    ...(cmd ? { cmd } : {}),
    argv,
    shell: img.shell,
    stopSignal,
    env: img.env,
    scripts: img.scripts ?? new Map(),
    origins,
    ...(img.readScript ? { readScript: img.readScript } : {}),
    anchor: s.anchor,
    ...(s.init ? { init: true } : {}),
    stop: s.stop,
    imageConfig: img.describe,
    imageSource: img.source,
    where: s.where,
    ...(s.imageRef !== undefined ? { image: s.imageRef } : {}),
    ...(s.substituted ? { substituted: true } : {}),
    ...(unresolved ? { unresolved } : {}),
    ...(lineWord !== undefined ? { commandLineWord: lineWord } : {}),
    ...(built?.noShebang !== undefined ? { noShebang: built.noShebang } : {}),
    model,
    ...(chain
      ? {
          chain,
          prediction: s.stop.sharedPidNamespace ? predictStopSharedPid(chain, stopSignal.signal, s.stop.sharedPidWith) : predictStop(chain, stopSignal.signal),
        }
      : {}),
  };
}

/**
 * Tell where a finding is in orchestrator terms: the service or container, the YAML document (for a
 * stream such as `helm template` output) and the field path, as a related location every format shows.
 */
export function relatedFor(
  l: OrchestratedLaunch,
  finding: { file: string; range: { start: { offset: number } } },
  docOf: (file: string) => Document | undefined,
): { file: string; range: ReturnType<Document['lines']['range']>; message: string } {
  const doc = docOf(finding.file);
  const at = doc ? locateInYaml(doc, finding.range.start.offset) : undefined;
  if (at && doc) {
    const docNote = at.documents > 1 ? `, document ${at.document + 1} of ${at.documents}` : '';
    const src = at.helmSource ? ` (${at.helmSource})` : '';
    return { file: doc.file, range: doc.lines.range(finding.range.start.offset, finding.range.start.offset), message: `${l.label}${docNote}${src}: ${at.path || l.where}` };
  }
  // a finding in the Dockerfile that builds the image: point back at the service or container
  return { file: l.doc.file, range: l.doc.lines.range(l.anchor.start, l.anchor.end), message: `${l.label} (${l.where}) runs this image` };
}

/** The facts of the image's build (its Dockerfile's launch model) that hold whatever command the container runs. */
function buildFacts(img: ImageConfig): Pick<ChainOptions, 'supervised' | 'detaches' | 'pipInstalls' | 'builtFromSource' | 'listDir'> {
  const o = img.dockerfile?.model?.options;
  if (!o) return {};
  return {
    ...(o.listDir ? { listDir: o.listDir } : {}),
    ...(o.supervised ? { supervised: o.supervised } : {}),
    ...(o.detaches ? { detaches: o.detaches } : {}),
    ...(o.pipInstalls ? { pipInstalls: o.pipInstalls } : {}),
    ...(o.builtFromSource ? { builtFromSource: o.builtFromSource } : {}),
  };
}

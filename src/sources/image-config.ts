/**
 * What a compose service or Kubernetes container knows about the image it runs: its ENTRYPOINT, CMD,
 * STOPSIGNAL, environment and /bin/sh, from a Dockerfile pid1 analysed, a local probe, pid1's table of
 * official images, or nothing.
 */
import type { Origin, Span } from '../document/document.js';
import { parseSignal, signalName } from '../model/signals.js';
import { bashLevelOfImage, overrideFor, parseImageRef, shellOfImage } from './images.js';
import type { DockerfileLaunch, ImageSource, LaunchPart, ScriptRef, ShellFact, SourceOptions, StopSignalFact } from './launch.js';
import type { CompiledProgramSource } from './program-reader.js';

/** What is known about the image a container runs. */
export interface ImageConfig {
  /**
   * dockerfile: built from (or linked to) a Dockerfile pid1 analysed; probe: looked at locally; table:
   * pid1's table of official images; unseen: an image pid1 cannot see; unanalysed: a build pid1 does not
   * analyse (remote context, dockerfile_inline, an unreadable Dockerfile); none: the container names no
   * image (a partial manifest, such as a kustomize patch).
   */
  source: ImageSource;
  describe: string;
  entrypoint?: LaunchPart;
  cmd?: LaunchPart;
  /** The image's ENTRYPOINT and CMD are known (possibly empty). */
  configKnown: boolean;
  /** Not known, but its ENTRYPOINT is known to run the command it is given (none, or `exec "$@"`). */
  entrypointTransparent?: string;
  shell: ShellFact;
  stopSignal: StopSignalFact;
  env: Record<string, string>;
  readScript?: (path: string) => string | undefined;
  scripts?: Map<string, ScriptRef>;
  origins?: Map<string, Origin>;
  /** The Dockerfile launch it came from. */
  dockerfile?: DockerfileLaunch;
  /** What a binary of the image is, from the build that made it (DockerfileLaunch.linkProgram). */
  linkProgram?: CompiledProgramSource;
  /** The image's working directory, when known. */
  workdir?: string;
}

/**
 * Official images whose ENTRYPOINT is absent or a docker-entrypoint script that ends in `exec "$@"`: a
 * command given to them runs as PID 1 (after the script execs). Source: each image's Dockerfile and
 * entrypoint script in the docker-library repositories (checked 2025).
 */
const TRANSPARENT_ENTRYPOINT: Record<string, string> = {
  python: 'no ENTRYPOINT',
  golang: 'no ENTRYPOINT',
  ruby: 'no ENTRYPOINT',
  perl: 'no ENTRYPOINT',
  rust: 'no ENTRYPOINT',
  openjdk: 'no ENTRYPOINT',
  'eclipse-temurin': 'an entrypoint that execs "$@"',
  amazoncorretto: 'no ENTRYPOINT',
  gcc: 'no ENTRYPOINT',
  debian: 'no ENTRYPOINT',
  ubuntu: 'no ENTRYPOINT',
  alpine: 'no ENTRYPOINT',
  busybox: 'no ENTRYPOINT',
  fedora: 'no ENTRYPOINT',
  centos: 'no ENTRYPOINT',
  rockylinux: 'no ENTRYPOINT',
  almalinux: 'no ENTRYPOINT',
  amazonlinux: 'no ENTRYPOINT',
  oraclelinux: 'no ENTRYPOINT',
  'redhat/ubi8': 'no ENTRYPOINT',
  'redhat/ubi9': 'no ENTRYPOINT',
  'redhat/ubi9-minimal': 'no ENTRYPOINT',
  'redhat/ubi8-minimal': 'no ENTRYPOINT',
  node: 'docker-entrypoint.sh, which execs "$@"',
  docker: 'docker-entrypoint.sh, which execs "$@" when it is no docker subcommand',
  'adoptopenjdk/openjdk8': 'no ENTRYPOINT',
  nginx: '/docker-entrypoint.sh, which execs "$@"',
  redis: 'docker-entrypoint.sh, which execs "$@"',
  postgres: 'docker-entrypoint.sh, which execs "$@"',
  mysql: 'docker-entrypoint.sh, which execs "$@"',
  mariadb: 'docker-entrypoint.sh, which execs "$@"',
  mongo: 'docker-entrypoint.sh, which execs "$@"',
  php: 'docker-php-entrypoint, which execs "$@"',
  httpd: 'no ENTRYPOINT',
  memcached: 'docker-entrypoint.sh, which execs "$@"',
  // tianon/docker-bash (the official `bash`, on Alpine): `exec bash "$@"` when given options or nothing, else `exec "$@"`
  bash: 'docker-entrypoint.sh, which execs "$@"',
  'buildpack-deps': 'no ENTRYPOINT',
  rabbitmq: 'docker-entrypoint.sh, which execs "$@"',
  elixir: 'no ENTRYPOINT',
  erlang: 'no ENTRYPOINT',
  // ci/docker-entrypoint.sh: `exec su-exec envoy "$@"` (or `exec "$@"` as root with ENVOY_UID=0).
  'envoyproxy/envoy': 'docker-entrypoint.sh, which execs "$@"',
  // gitlab.com/nvidia/container-images/cuda: none up to CUDA 11.7; later /opt/nvidia/nvidia_entrypoint.sh, which ends
  // `if [[ $# -eq 0 ]]; then exec "/bin/bash"; else exec "$@"; fi`.
  'nvidia/cuda': 'none, or /opt/nvidia/nvidia_entrypoint.sh, which execs "$@" (bash when given nothing)',
  // ContinuumIO/docker-images (miniconda3/debian, anaconda3/debian): none, CMD ["/bin/bash"]; the 2019 miniconda3 images
  // put `tini --` in front of the same bash, which changes nothing for a stop (an interactive bash ignores SIGTERM)
  'continuumio/miniconda3': 'none (tini -- in 2019 images)',
  'continuumio/anaconda3': 'no ENTRYPOINT',
  // archlinux/archlinux-docker: CMD ["/usr/bin/bash"] and no ENTRYPOINT
  archlinux: 'no ENTRYPOINT',
  // influxdata-docker influxdb/{1.x,2.x}/entrypoint.sh: `influxd` prepended to options only, then `exec "$@"` (2.x sets
  // up the database first when the command is influxd)
  influxdb: 'entrypoint.sh, which execs "$@"',
  'gcr.io/distroless/static': 'no ENTRYPOINT',
  'gcr.io/distroless/base': 'no ENTRYPOINT',
  'gcr.io/distroless/cc': 'no ENTRYPOINT',
};

/** Official images that set STOPSIGNAL (their Dockerfiles): the rest of the table keeps SIGTERM. */
const IMAGE_STOPSIGNAL: Record<string, string> = { nginx: 'SIGQUIT', httpd: 'SIGWINCH', postgres: 'SIGINT' };

function repoOf(image: string): { full: string; official?: string } {
  const r = parseImageRef(image);
  const full = r.registry ? `${r.registry}/${r.repository}` : r.repository;
  return { full, ...(r.registry ? {} : { official: r.repository }) };
}

/**
 * An official node image: it holds no package.json of its own where a WORKDIR can point (docker-library/node's
 * Dockerfiles only install node, npm and yarn under /usr/local), and no ONBUILD since the onbuild variants went (2017).
 */
export function isOfficialNodeImage(image: string): boolean {
  return repoOf(image).official === 'node' && !/onbuild/.test(parseImageRef(image).tag);
}

/**
 * Microsoft's .NET images (dotnet/dotnet-docker: src/{runtime-deps,runtime,aspnet,sdk}/<version>/<os>/<arch>/Dockerfile,
 * also the older `dotnet/core/` names) set no ENTRYPOINT, CMD or STOPSIGNAL: their OS base's CMD runs, Debian's `bash`
 * or Ubuntu's `/bin/bash` (the tags without an OS name), Alpine's `/bin/sh`. Chiseled and distroless tags have no
 * shell and no CMD; Azure Linux's and Windows' bases are not in pid1's table.
 */
const DOTNET_IMAGE = /^mcr\.microsoft\.com\/dotnet\/(?:core\/|nightly\/)?(?:runtime-deps|runtime|aspnet|sdk)$/;

function dotnetCmd(tag: string): string[] | undefined {
  if (/chiseled|distroless|nanoserver|windowsservercore|ltsc|cbl-mariner|azurelinux|\$/.test(tag)) return undefined;
  return /alpine/.test(tag) ? ['/bin/sh'] : ['bash'];
}

function transparentEntrypoint(image: string): string | undefined {
  const { full, official } = repoOf(image);
  if (DOTNET_IMAGE.test(full)) return 'no ENTRYPOINT';
  // docker:dind runs dockerd-entrypoint.sh (the daemon); the other docker tags docker-entrypoint.sh, which execs a
  // command that is no docker subcommand
  if (official === 'docker' && /dind/.test(parseImageRef(image).tag)) return undefined;
  return TRANSPARENT_ENTRYPOINT[full] ?? (official !== undefined ? TRANSPARENT_ENTRYPOINT[official] : undefined);
}

/** The CMD of official images (their Dockerfiles in the docker-library repositories), for a command that does not set one. */
function knownCmd(image: string): string[] | undefined {
  const { full, official } = repoOf(image);
  const tag = parseImageRef(image).tag;
  if (official === 'php') return /fpm/.test(tag) ? ['php-fpm'] : /apache/.test(tag) ? ['apache2-foreground'] : ['php', '-a'];
  // golang, rust and gcc set no CMD: their Debian base's `bash`, or Alpine's `/bin/sh`.
  if (official === 'golang' || official === 'rust' || official === 'gcc') return /alpine/.test(tag) ? ['/bin/sh'] : ['bash'];
  // docker-library/openjdk: CMD ["jshell"], the REPL that came with Java 9 (JEP 222), in the JDK images only; the
  // Java 8 and the JRE images (no jshell: `openjdk:11-jre-slim` has Default Command ["bash"]) set none, so their
  // base's runs: Debian's `bash`, Alpine's `/bin/sh`.
  // AdoptOpenJDK's JDK 8 images (adoptopenjdk/openjdk8) set no CMD either: Alpine's `/bin/sh` or Ubuntu's `/bin/bash`
  if (full === 'adoptopenjdk/openjdk8') return /alpine/.test(tag) ? ['/bin/sh'] : ['/bin/bash'];
  if (DOTNET_IMAGE.test(full)) return dotnetCmd(tag);
  if (full === 'continuumio/miniconda3' || full === 'continuumio/anaconda3') return /alpine/.test(tag) ? undefined : ['/bin/bash'];
  if (official === 'openjdk') return /^8(u\d*)?([-.]|$)|(^|[-.])jre([-.]|$)/.test(tag) ? (/alpine/.test(tag) ? ['/bin/sh'] : ['bash']) : ['jshell'];
  return IMAGE_CMD[full] ?? (official !== undefined ? IMAGE_CMD[official] : undefined);
}

const IMAGE_CMD: Record<string, string[]> = {
  nginx: ['nginx', '-g', 'daemon off;'],
  postgres: ['postgres'],
  redis: ['redis-server'],
  httpd: ['httpd-foreground'],
  'envoyproxy/envoy': ['envoy', '-c', '/etc/envoy/envoy.yaml'],
  // Base images and language runtimes: an interactive shell or REPL, meant for `docker run -it`.
  debian: ['bash'],
  ubuntu: ['/bin/bash'],
  alpine: ['/bin/sh'],
  busybox: ['sh'],
  docker: ['sh'],
  fedora: ['/bin/bash'],
  centos: ['/bin/bash'],
  rockylinux: ['/bin/bash'],
  almalinux: ['/bin/bash'],
  amazonlinux: ['/bin/bash'],
  oraclelinux: ['/bin/bash'],
  'redhat/ubi8': ['/bin/bash'],
  'redhat/ubi9': ['/bin/bash'],
  'redhat/ubi8-minimal': ['/bin/bash'],
  'redhat/ubi9-minimal': ['/bin/bash'],
  archlinux: ['/usr/bin/bash'],
  // no CMD: its base's (ubuntu, rockylinux, ubi: bash), or nvidia_entrypoint.sh's `exec "/bin/bash"` with none
  'nvidia/cuda': ['/bin/bash'],
  bash: ['bash'],
  // no CMD: its Debian or Ubuntu base's bash
  'buildpack-deps': ['bash'],
  python: ['python3'],
  node: ['node'],
  ruby: ['irb'],
  perl: ['perl', '-de0'],
  erlang: ['erl'],
  elixir: ['iex'],
};

/**
 * Red Hat's Universal Base Images from Red Hat's registries (`registry.access.redhat.com/ubi9/ubi-minimal`, and the
 * older top-level names such as `registry.access.redhat.com/ubi8-minimal`): no
 * ENTRYPOINT and CMD ["/bin/bash"], as Docker Hub's redhat/ubi9 mirror (the image config of each).
 */
const UBI_IMAGES = ['registry.access.redhat.com/', 'registry.redhat.io/'].flatMap((registry) =>
  ['ubi8', 'ubi9', 'ubi10'].flatMap((v) => [v, `${v}/ubi`, `${v}/ubi-minimal`, `${v}-minimal`].map((r) => `${registry}${r}`)),
);
for (const image of UBI_IMAGES) {
  TRANSPARENT_ENTRYPOINT[image] = 'no ENTRYPOINT';
  IMAGE_CMD[image] = ['/bin/bash'];
}

/**
 * What a Dockerfile stage with no ENTRYPOINT or CMD of its own runs: the CMD of its official base image,
 * when pid1's table knows that image's ENTRYPOINT (none, or a script that execs "$@") and its CMD.
 */
export function baseImageDefaultCmd(image: string): string[] | undefined {
  return transparentEntrypoint(image) !== undefined ? knownCmd(image) : undefined;
}

/**
 * The official nginx image's STOPSIGNAL by version, from nginxinc/docker-nginx's history: none before 2017-04-13;
 * SIGQUIT from then (4d1f7f8, ec7ff8c: stable 1.12.0, mainline 1.11.13, then 1.13.0); `STOPSIGNAL SIGTERM` from
 * 2017-05-30 (16ec71e "Use TERM as STOPSIGNAL", which rebuilt 1.12.0 and 1.13.0; 1.11.13 had been replaced); SIGQUIT
 * again from 2020-11-24 (3fb70dd, which rebuilt stable 1.18.0; mainline from 1.19.5). SIGTERM, set or not, is nginx's
 * fast stop. A tag without a patch level is its line's last release (`1.11` is 1.11.13). Undefined: SIGTERM.
 */
function nginxStopSignal(tag: string): 'SIGQUIT' | undefined | 'unknown' {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:$|[-_])/.exec(tag);
  if (!m) return 'unknown';
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const patch = m[3] === undefined ? Number.POSITIVE_INFINITY : Number(m[3]);
  if (major !== 1) return major > 1 ? 'SIGQUIT' : undefined;
  if (minor < 11 || (minor === 11 && patch < 13)) return undefined;
  if (minor === 11 || minor === 18) return 'SIGQUIT';
  if (minor <= 17 || (minor === 19 && patch < 5)) return undefined;
  return 'SIGQUIT';
}

function knownStopSignal(image: string): string | undefined {
  const { full, official } = repoOf(image);
  // gitlab-org/gitlab-runner's images (dockerfiles/runner/*/Dockerfile): STOPSIGNAL SIGQUIT, the runner's graceful stop
  if (full === 'gitlab/gitlab-runner') return 'SIGQUIT';
  if (official === 'nginx') {
    const sig = nginxStopSignal(parseImageRef(image).tag);
    if (sig !== 'unknown') return sig;
  }
  // docker-library/php: the fpm variant sets STOPSIGNAL SIGQUIT, the apache variant SIGWINCH (apache's graceful-stop).
  if (official === 'php' && /fpm/.test(parseImageRef(image).tag)) return 'SIGQUIT';
  if (official === 'php' && /apache/.test(parseImageRef(image).tag)) return 'SIGWINCH';
  return official !== undefined ? IMAGE_STOPSIGNAL[official] : undefined;
}

/**
 * The STOPSIGNAL of a base image from pid1's table of official images: the signal when it sets one
 * (nginx: SIGQUIT), `known` when the table knows the image (so no signal means it sets none).
 */
export function baseImageStopSignal(image: string): { signal?: string; known: boolean } {
  // php's variants differ (fpm SIGQUIT, apache SIGWINCH, cli none), and nginx's by version: a tag built from a build
  // argument pid1 cannot read leaves the signal unknown
  const official = repoOf(image).official;
  if ((official === 'php' || official === 'nginx') && parseImageRef(image).tag.includes('$')) return { known: false };
  const signal = knownStopSignal(image);
  return { ...(signal ? { signal } : {}), known: signal !== undefined || transparentEntrypoint(image) !== undefined };
}

/** The config of an image pid1 has no Dockerfile for: the shell table, the config file, or a probe. */
export function imageConfigFromRef(image: string, where: Span, opts: SourceOptions): ImageConfig {
  const probed = opts.probed?.get(image);
  const forced = overrideFor(image, opts.images);
  let shell: ShellFact;
  if (forced) shell = { family: forced, how: `configured for ${image}`, image, span: where };
  else if (probed && probed.family !== 'unknown') shell = { family: probed.family, how: `probed: ${probed.how}`, image, span: where };
  else {
    const g = shellOfImage(image);
    const bash = bashLevelOfImage(image);
    shell = { family: g.family, how: g.why, image, span: where, ...(bash ? { bashLevel: bash } : {}) };
  }
  if (probed && (probed.family !== 'unknown' || probed.entrypoint || probed.cmd)) {
    const part = (what: string, argv: string[]): LaunchPart => ({ what: `${what} of ${image}`, form: 'exec', values: [], argv, span: where, valueSpan: where, inheritedFrom: image });
    let stopSignal: StopSignalFact = { signal: 'SIGTERM', source: 'default' };
    if (probed.stopSignal) {
      try {
        stopSignal = { signal: signalName(parseSignal(probed.stopSignal)), source: 'base-image', span: where };
      } catch {
        stopSignal = { signal: 'SIGTERM', source: 'base-image', span: where, invalid: probed.stopSignal };
      }
    }
    return {
      source: 'probe',
      describe: `image ${image} (probed: ${probed.how})`,
      configKnown: true,
      shell,
      stopSignal,
      env: { ...(probed.env ?? {}) },
      ...(probed.entrypoint?.length ? { entrypoint: part('ENTRYPOINT', probed.entrypoint) } : {}),
      ...(probed.cmd?.length ? { cmd: part('CMD', probed.cmd) } : {}),
    };
  }
  const transparent = transparentEntrypoint(image);
  const none = shell.family === 'none' && /distroless|chainguard|scratch/.test(image);
  const cmd = transparent ? knownCmd(image) : undefined;
  return {
    ...(cmd ? { cmd: { what: `CMD of ${image}`, form: 'exec' as const, values: [], argv: cmd, span: where, valueSpan: where, inheritedFrom: image } } : {}),
    source: transparent ? 'table' : 'unseen',
    describe: transparent ? `image ${image} (${transparent})` : `image ${image}, whose ENTRYPOINT/CMD pid1 cannot see`,
    configKnown: false,
    ...(transparent ? { entrypointTransparent: transparent } : {}),
    shell,
    // an unseen image may set STOPSIGNAL (nginx: SIGQUIT); the table knows the official ones that do
    stopSignal: knownStopSignal(image)
      ? { signal: knownStopSignal(image) as string, source: 'base-image', span: where }
      : { signal: 'SIGTERM', source: transparent || none ? 'default' : 'unknown-base' },
    env: {},
  };
}

/** The config of an image built from a Dockerfile pid1 analysed (its target stage's launch). */
export function imageConfigFromDockerfile(l: DockerfileLaunch, describe: string): ImageConfig {
  // Known unless the stage runs an unseen base image's own ENTRYPOINT/CMD.
  const known = l.unresolved?.code !== 'base-image-unseen' || l.entrypoint !== undefined || l.cmd !== undefined;
  // ... and then an official image whose ENTRYPOINT runs the command it is given still does (FROM mysql:5.7.30)
  const transparent = !known && l.rootImage !== undefined ? transparentEntrypoint(l.rootImage) : undefined;
  return {
    source: 'dockerfile',
    describe,
    configKnown: known,
    ...(transparent ? { entrypointTransparent: `its base ${l.rootImage}: ${transparent}` } : {}),
    ...(l.entrypoint ? { entrypoint: l.entrypoint } : {}),
    ...(l.cmd ? { cmd: l.cmd } : {}),
    shell: l.shell,
    stopSignal: l.stopSignal,
    env: { ...l.env },
    ...(l.readScript ? { readScript: l.readScript } : {}),
    ...(l.linkProgram ? { linkProgram: l.linkProgram } : {}),
    scripts: l.scripts,
    origins: l.origins,
    dockerfile: l,
    workdir: l.workdir,
  };
}

/** An image config for a build pid1 does not analyse; the fallback image, if any, gives the shell. */
export function unanalysedImage(why: string, fallbackImage: string | undefined, where: Span, opts: SourceOptions): ImageConfig {
  const base = fallbackImage ? imageConfigFromRef(fallbackImage, where, opts) : undefined;
  return {
    source: 'unanalysed',
    describe: why,
    configKnown: false,
    shell: base?.shell ?? { family: 'unknown', how: why },
    stopSignal: { signal: 'SIGTERM', source: 'unknown-base' },
    env: {},
  };
}

/**
 * The image's config with the container's own files in front of part of its file system (a compose bind
 * mount, a Kubernetes ConfigMap volume): `own(path)` is a file there (read like a COPY'd script), null when the
 * path is under them but nothing readable is there (the image's own file is hidden), undefined when the path is
 * not under them. A script read from the image is recorded here too, so that findings in it point at it.
 */
export function withOwnFiles(img: ImageConfig, own: (path: string) => { ref: ScriptRef; origin: Origin } | null | undefined): ImageConfig {
  const scripts = new Map(img.scripts ?? []);
  const origins = new Map(img.origins ?? []);
  const record = (p: string, ref: ScriptRef, origin: Origin | undefined): void => {
    scripts.set(p, ref);
    if (origin && !origins.has(ref.text)) origins.set(ref.text, origin);
  };
  const readScript = (p: string): string | undefined => {
    const have = scripts.get(p);
    if (have) return have.text;
    const found = own(p);
    if (found === null) return undefined;
    if (found === undefined) {
      const text = img.readScript?.(p);
      const ref = img.scripts?.get(p);
      if (ref) record(p, ref, img.origins?.get(ref.text));
      return text;
    }
    record(p, found.ref, found.origin);
    return found.ref.text;
  };
  return { ...img, readScript, scripts, origins };
}

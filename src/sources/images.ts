/**
 * Which /bin/sh a base image has, from its name and tag: a maintained table. The family decides what a
 * shell-form ENTRYPOINT/CMD does on `docker stop`: dash (Debian, Ubuntu) forks the command and drops
 * SIGTERM as PID 1; bash (Fedora/RHEL family) and busybox ash (Alpine) exec the last simple command.
 *
 * Sources: each image's Dockerfile on Docker Hub / its registry (FROM lines), checked 2025. Official
 * images without a distro in the tag are built on Debian (or Ubuntu for eclipse-temurin and friends).
 */
import type { ShellFamily } from '../model/programs.js';

interface ImageRef {
  /** Registry host, when not Docker Hub. */
  registry?: string;
  /** Repository path without Docker Hub's `library/`: `python`, `bitnami/redis`, `distroless/static`. */
  repository: string;
  tag: string;
  digest?: string;
}

interface ShellGuess {
  family: ShellFamily;
  /** One line: why this family. */
  why: string;
  /** Guessed from how the image is named (`someone/alpine-s6`), not from pid1's tables: no sign it is published elsewhere. */
  byName?: true;
}

/** An image pid1's tables know (`redis`, `grafana/grafana`, distroless): published elsewhere, not built by the repository. */
export function knownImage(repo: string): boolean {
  const g = shellOfImage(repo);
  return g.family !== 'unknown' && !g.byName;
}

/** Docker Hub namespaces that hold the official images built for one architecture. */
const ARCH_NAMESPACES = new Set(['amd64', 'arm32v5', 'arm32v6', 'arm32v7', 'arm64v8', 'i386', 'mips64le', 'ppc64le', 'riscv64', 's390x', 'winamd64']);

/**
 * Answers by reference, for the few functions below that every stage asks about its base image (a tree of
 * Dockerfiles names a handful of images thousands of times). Bounded: a language server runs for days.
 */
function memo<T>(f: (ref: string) => T): (ref: string) => T {
  const known = new Map<string, T>();
  return (ref) => {
    let v = known.get(ref);
    if (v === undefined) {
      if (known.size >= 4096) known.clear();
      v = f(ref);
      known.set(ref, v);
    }
    return v;
  };
}

/** Split `reg.io:5000/a/b:tag@sha256:...` into parts, as the Docker CLI does (the same object for the same text: do not change it). */
export const parseImageRef: (ref: string) => Readonly<ImageRef> = memo(splitImageRef);

function splitImageRef(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = 'latest';
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const first = rest.split('/')[0] ?? '';
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    rest = rest.slice(first.length + 1);
  }
  if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = undefined;
  // Docker Hub's images under another registry's name, byte for byte the same: mirror.gcr.io is Google's cache of Docker Hub
  // ("kept in sync with Docker Hub", cloud.google.com/artifact-registry/docs/pull-cached-dockerhub-images), and ECR Public
  // serves the Docker Official Images as public.ecr.aws/docker/library/NAME (gallery.ecr.aws/docker)
  if (registry === 'mirror.gcr.io') registry = undefined;
  else if (registry === 'public.ecr.aws' && rest.startsWith('docker/library/')) {
    registry = undefined;
    rest = rest.slice('docker/'.length);
  }
  if (!registry && rest.startsWith('library/')) rest = rest.slice('library/'.length);
  // `arm32v7/alpine` is the official alpine built for one architecture (docker-library/official-images README,
  // "Architectures other than amd64?"): the same Dockerfile, so the same shell, CMD and STOPSIGNAL.
  const arch = rest.indexOf('/');
  if (!registry && arch > 0 && ARCH_NAMESPACES.has(rest.slice(0, arch).toLowerCase()) && !rest.includes('/', arch + 1)) rest = rest.slice(arch + 1);
  return { ...(registry ? { registry } : {}), repository: rest.toLowerCase(), tag: tag.toLowerCase(), ...(digest ? { digest } : {}) };
}

/** Registries that publish (or mirror) the images pid1's table knows; Docker Hub's is no registry at all after parseImageRef. */
const PUBLIC_REGISTRY =
  /^(gcr\.io|[a-z0-9-]+\.gcr\.io|ghcr\.io|quay\.io|registry\.k8s\.io|k8s\.gcr\.io|mcr\.microsoft\.com|public\.ecr\.aws|docker\.elastic\.co|nvcr\.io|registry\.access\.redhat\.com|registry\.redhat\.io|cgr\.dev|registry\.gitlab\.com|[a-z0-9-]+-docker\.pkg\.dev|docker\.io)$/;

/** A registry that is neither Docker Hub nor a public one: a repository's own (`reg.g5d.dev`, `registry.example.com:5000`). */
export function ownRegistry(registry: string | undefined): boolean {
  return registry !== undefined && !PUBLIC_REGISTRY.test(registry.toLowerCase());
}

const DEBIAN_TAGS =
  /(^|[-.])(bookworm|bullseye|buster|stretch|jessie|trixie|forky|sid|slim|jammy|focal|noble|bionic|xenial|plucky|oracular|mantic|lunar|kinetic|impish|hirsute|groovy|debian|ubuntu)(\d*|$|[-.])/;
const ALPINE_TAG = /(^|[-.])alpine/;
const BASH_TAGS = /(^|[-.])(ubi\d*|fedora|centos|rockylinux|rocky|almalinux|oraclelinux\d*|ol\d+|amazonlinux\d*|al20\d\d|al2|azurelinux\d*|cbl-mariner\d*|mariner|rhel\d*|photon)(\d*|$|[-.])/;

/** Repositories (last path part, or full path) whose default image is Debian/Ubuntu-based: /bin/sh is dash. */
const DASH_REPOS = new Set([
  'debian',
  'ubuntu',
  'python',
  'node',
  'golang',
  'ruby',
  'php',
  'perl',
  'rust',
  'openjdk',
  'eclipse-temurin',
  'ibm-semeru-runtimes',
  'sapmachine',
  'maven',
  'gradle',
  'tomcat',
  'jetty',
  'nginx',
  'httpd',
  'postgres',
  'redis',
  'mariadb',
  'mongo',
  'rabbitmq',
  'memcached',
  'elixir',
  'erlang',
  'haskell',
  'gcc',
  'buildpack-deps',
  'wordpress',
  'ghost',
  'nextcloud',
  'drupal',
  'joomla',
  'julia',
  'r-base',
  'swift',
  'clojure',
  'groovy',
  'kibana',
  'logstash',
  'elasticsearch',
  'cassandra',
  'couchdb',
  'neo4j',
  'solr',
  'zookeeper',
  'influxdb',
  'chronograf',
  'telegraf',
  'matomo',
  'odoo',
  'mediawiki',
  'composer',
  'jenkins',
  'jenkins/jenkins',
  'sonarqube',
  'pypy',
  'dart',
  'nats',
  'haproxy',
  'varnish',
  'kong',
  'unit',
  'dotnet/sdk',
  'dotnet/aspnet',
  'dotnet/runtime',
  'dotnet/runtime-deps',
  'devcontainers/base',
  'devcontainers/python',
  'devcontainers/javascript-node',
  'devcontainers/typescript-node',
  'devcontainers/go',
  'devcontainers/universal',
  'bitnami/minideb',
  'continuumio/miniconda3',
  'continuumio/anaconda3',
  'jupyter/base-notebook',
  'tensorflow/tensorflow',
  'pytorch/pytorch',
  'nvidia/cuda',
  'selenium/standalone-chrome',
  'mcr.microsoft.com/playwright',
  'playwright',
  'gitlab/gitlab-ce',
  'gitlab/gitlab-runner',
  'hashicorp/terraform',
  'apache/airflow',
  'apache/superset',
  'nodered/node-red',
  'python-slim',
  'bitnami/node',
  'bitnami/python',
  'bitnami/redis',
  'bitnami/postgresql',
  'bitnami/nginx',
  'bitnami/mongodb',
]);

/**
 * GPU and model-serving images, all built on Ubuntu (or Debian) through nvidia/cuda or ubuntu: NGC containers
 * (NVIDIA's release notes: "based on Ubuntu"), vLLM, Hugging Face TGI, SGLang (FROM nvidia/cuda:*-ubuntu22.04),
 * Ray and TensorFlow Serving / TorchServe (FROM ubuntu), Google's Deep Learning Containers (Debian/Ubuntu).
 */
const DASH_PREFIXES = [
  'nvcr.io/nvidia/',
  'vllm/vllm-openai',
  'ghcr.io/huggingface/text-generation-inference',
  'lmsysorg/sglang',
  'rayproject/ray',
  'tensorflow/serving',
  'pytorch/torchserve',
  'us-docker.pkg.dev/deeplearning-platform-release/',
  // Envoy's default image (ci/Dockerfile-envoy: FROM ubuntu); its distroless variant is caught by the tag first.
  'envoyproxy/envoy',
];

/** Official images on Oracle Linux / Amazon Linux / RHEL: /bin/sh is bash. */
const BASH_REPOS = new Set([
  // ALT Linux (Docker Hub's `alt`: p8, p9, p10, sisyphus): /bin/sh is bash
  'alt',
  'fedora',
  'centos',
  'rockylinux',
  'rockylinux/rockylinux',
  'almalinux',
  'amazonlinux',
  'oraclelinux',
  'archlinux',
  'photon',
  'clearlinux',
  'mysql',
  'amazoncorretto',
  'opensuse/leap',
  'opensuse/tumbleweed',
  'redhat/ubi8',
  'redhat/ubi9',
  'redhat/ubi8-minimal',
  'redhat/ubi9-minimal',
  'redhat/ubi8-micro',
  'redhat/ubi9-micro',
  'ubi8',
  'ubi9',
  'ubi8/ubi',
  'ubi9/ubi',
  'ubi8/ubi-minimal',
  'ubi9/ubi-minimal',
  'ubi8/ubi-micro',
  'ubi9/ubi-micro',
  'ubi8/ubi-init',
  'ubi9/ubi-init',
  'ubi8/python-39',
  'ubi8/python-311',
  'ubi9/python-311',
  'ubi8/nodejs-18',
  'ubi9/nodejs-20',
  'ubi8/openjdk-17',
  'ubi9/openjdk-17',
  'centos/centos',
  'lambda/python',
  'lambda/nodejs',
  'lambda/java',
  'lambda/provided',
  'amazonlinux/amazonlinux',
  'azurelinux/base/core',
  'cbl-mariner/base/core',
  'oraclelinux/oraclelinux',
  'sles',
  'suse/sle15',
  'bci/bci-base',
]);

/** Images with busybox ash as /bin/sh. */
const ASH_REPOS = new Set([
  'alpine',
  // the official bash image is Alpine with bash added: /bin/sh stays busybox's
  'bash',
  'busybox',
  'traefik',
  'caddy',
  'grafana/grafana',
  'prom/prometheus',
  'prom/alertmanager',
  'minio/minio-alpine',
  'chainguard/wolfi-base',
  'wolfi-base',
  'chainguard/busybox',
  'docker',
  'vault',
  'consul',
  'hashicorp/vault',
  'hashicorp/consul',
  'nats-streaming',
  'registry',
]);

function lastPart(repo: string): string {
  const i = repo.lastIndexOf('/');
  return i >= 0 ? repo.slice(i + 1) : repo;
}

/** Why pid1 says nothing about a Windows container's stop. */
export const WINDOWS_NOTE = 'a Windows container: docker stop and the kubelet stop it with console control events (CTRL_SHUTDOWN_EVENT), not Linux signals; pid1 models Linux containers';

/**
 * A Windows image (mcr.microsoft.com/windows/servercore, nanoserver, an ltsc20xx or windowsservercore tag): its
 * containers are stopped with console control events (CTRL_SHUTDOWN_EVENT, moby/moby#25982), not Linux signals.
 */
export const isWindowsImage: (ref: string) => boolean = memo(windowsImage);

function windowsImage(ref: string): boolean {
  const r = parseImageRef(ref);
  const full = `${r.registry ? `${r.registry}/` : ''}${r.repository}`.toLowerCase();
  return /(^|\/)windows(\/|$)|(^|\/)(servercore|nanoserver)$/.test(full) || /windowsservercore|nanoserver|(^|-)ltsc20\d\d($|-)/i.test(r.tag);
}

/** The shell family of an external base image, from the table (the same object for the same text: do not change it). */
export const shellOfImage: (ref: string) => Readonly<ShellGuess> = memo(guessShellOfImage);

function guessShellOfImage(ref: string): ShellGuess {
  const r = parseImageRef(ref);
  const repo = r.repository;
  const full = r.registry ? `${r.registry}/${repo}` : repo;
  const tag = r.tag;
  if (repo === 'scratch' && !r.registry) return { family: 'none', why: 'scratch is empty: no /bin/sh' };
  if (repo.startsWith('distroless/') || repo.includes('/distroless/') || full.startsWith('gcr.io/distroless')) {
    if (/(^|-)debug/.test(tag)) return { family: 'ash', why: 'distroless :debug images add busybox sh' };
    return { family: 'none', why: 'distroless images ship no shell' };
  }
  const elastic = elasticBase(repo, full, tag);
  if (elastic) return elastic;
  if (full.startsWith('cgr.dev/chainguard/') || repo.startsWith('chainguard/')) {
    // chainguard-images/images, images/minio/locked_config.json: minio's image and its -dev variant install bash and
    // bash-binsh (`sh -c 'mkdir -p /data/x && minio server /data'` runs, as compose files do)
    if (/(^|\/)minio$/.test(repo)) return { family: 'bash', why: "Chainguard's minio image installs bash-binsh: /bin/sh is bash" };
    if (/wolfi-base|busybox/.test(repo) || /(^|-)dev($|-)/.test(tag)) return { family: 'ash', why: 'Chainguard -dev images and wolfi-base have busybox sh' };
    return { family: 'none', why: 'Chainguard images (other than -dev variants) ship no shell' };
  }
  // fluent/fluent-bit's dockerfiles/Dockerfile: the release image is the `production` stage on distroless cc (no shell), the
  // `-debug` tags its `debug` stage on debian-slim (dash)
  if (repo === 'fluent/fluent-bit' && (!r.registry || r.registry === 'cr.fluentbit.io')) {
    if (/(^|-)debug$/.test(tag)) return { family: 'dash', why: 'fluent-bit -debug images are built on debian-slim: /bin/sh is dash' };
    return { family: 'none', why: 'fluent-bit release images are built on distroless: no shell' };
  }
  if (/(^|-)(chiseled|distroless)($|-)/.test(tag)) return { family: 'none', why: `the ${tag} variant ships no shell` };
  if (isWindowsImage(ref)) return { family: 'unknown', why: 'a Windows image: no POSIX /bin/sh' };
  if (ALPINE_TAG.test(tag) || repo === 'alpine' || lastPart(repo) === 'alpine') return { family: 'ash', why: 'Alpine-based: /bin/sh is busybox ash' };
  // an image named for its Alpine base (`nevinee/alpine-s6`, `frolvlad/alpine-glibc`, `someone/node-alpine`)
  if (/(^|[-_])alpine([-_]|$)/.test(lastPart(repo))) return { family: 'ash', why: `${repo} is named for its Alpine base: /bin/sh is busybox ash`, byName: true };
  if (ASH_REPOS.has(repo) || (ASH_REPOS.has(lastPart(repo)) && !repo.includes('/'))) {
    if (repo === 'busybox') return { family: 'ash', why: 'busybox: /bin/sh is busybox ash' };
    if (DEBIAN_TAGS.test(tag)) return { family: 'dash', why: `the ${tag} variant is Debian/Ubuntu-based: /bin/sh is dash` };
    return { family: 'ash', why: `${repo} is Alpine-based: /bin/sh is busybox ash` };
  }
  if (BASH_TAGS.test(tag)) return { family: 'bash', why: `the ${tag} variant is on a Red Hat-family / Amazon / Oracle Linux base: /bin/sh is bash` };
  if (DEBIAN_TAGS.test(tag)) return { family: 'dash', why: `the ${tag} variant is Debian/Ubuntu-based: /bin/sh is dash` };
  const fullNoReg = repo;
  if (
    BASH_REPOS.has(fullNoReg) ||
    BASH_REPOS.has(full) ||
    full.startsWith('registry.access.redhat.com/') ||
    full.startsWith('registry.redhat.io/') ||
    full.startsWith('quay.io/centos/') ||
    full.startsWith('public.ecr.aws/amazonlinux/') ||
    full.startsWith('public.ecr.aws/lambda/')
  ) {
    return { family: 'bash', why: `${repo} is on a Red Hat-family / Amazon / Oracle Linux base: /bin/sh is bash` };
  }
  if (full.startsWith('mcr.microsoft.com/')) {
    if (/cbl-mariner|azurelinux/.test(tag)) return { family: 'bash', why: 'Azure Linux based: /bin/sh is bash' };
    if (/dotnet|devcontainers|playwright|vscode/.test(repo)) return { family: 'dash', why: `${repo} defaults to a Debian/Ubuntu base: /bin/sh is dash` };
  }
  if (DASH_PREFIXES.some((p) => full.startsWith(p))) return { family: 'dash', why: `${repo} is built on Ubuntu/Debian: /bin/sh is dash` };
  if (DASH_REPOS.has(fullNoReg) || DASH_REPOS.has(full) || (!r.registry && !repo.includes('/') && DASH_REPOS.has(lastPart(repo)))) {
    return { family: 'dash', why: `${repo} is built on Debian/Ubuntu: /bin/sh is dash` };
  }
  return { family: 'unknown', why: `pid1 does not know which /bin/sh ${ref} has` };
}

/** Elastic's Elasticsearch, Kibana and Logstash images, on Docker Hub or docker.elastic.co. */
const ELASTIC = /^(?:docker\.elastic\.co\/(?:elasticsearch|kibana|logstash)\/)?(elasticsearch|kibana|logstash)(?:-oss)?$/;
const isElastic = (repo: string, full: string): boolean => ELASTIC.test(full) || ELASTIC.test(repo);

/**
 * The base of Elastic's images by version: CentOS 7 from 6.0 (elastic/elasticsearch-docker#54, 2017), Ubuntu 20.04 from
 * 7.16 (elastic/elasticsearch#80820 and its backports, 2021; logstash#13438), so bash is /bin/sh from 6.0 to 7.15 and
 * dash before and after (Docker Hub's 5.x and older were Debian-based; `-alpine` tags busybox). Undefined: not these.
 */
function elasticBase(repo: string, full: string, tag: string): ShellGuess | undefined {
  if (!isElastic(repo, full)) return undefined;
  if (/alpine/.test(tag)) return { family: 'ash', why: `the ${tag} variant is Alpine-based: /bin/sh is busybox ash` };
  const m = /^(\d+)\.(\d+)/.exec(tag);
  if (!m) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major >= 6 && (major < 7 || (major === 7 && minor < 16))) return { family: 'bash', why: `${repo} ${tag} is built on CentOS (6.0 to 7.15): /bin/sh is bash` };
  return { family: 'dash', why: `${repo} ${tag} is built on ${major < 6 ? 'Debian (5.x and older)' : 'Ubuntu (7.16 and later)'}: /bin/sh is dash` };
}

/**
 * Distributions whose bash is older than 5.1, by image name and tag: bash 4.3 and older exec only a lone simple `-c`
 * command, 4.4 and 5.0 also the last of an `&&`/`||` chain, 5.1 and later also the command after `;` (AnalyzeOptions
 * .bashLevel; replayed with bash 4.2, 5.0 and 5.2 built from GNU bash's release tags). CentOS 6/7, RHEL/UBI 7, Oracle
 * Linux 7, Amazon Linux 1 and 2: bash 4.1-4.2; Debian jessie and Ubuntu 14.04/16.04: 4.3; Debian stretch and buster,
 * Ubuntu 18.04 and 20.04, CentOS/Rocky/Alma/Oracle/UBI 8: 4.4-5.0. Anything else: 5.1 or later, or not known.
 */
export function bashLevelOfImage(ref: string): '4.2' | '4.4' | undefined {
  const r = parseImageRef(ref);
  const repo = r.repository.toLowerCase();
  const name = lastPart(repo);
  const tag = r.tag.toLowerCase();
  const full = `${r.registry ? `${r.registry}/` : ''}${repo}`;
  if (/centos[67]|(^|[-_.])(el|rhel|ubi)7([-_.]|$)|(^|[-_:])(jessie|trusty|xenial)([-_]|$)/.test(`${name}:${tag}`)) return '4.2';
  if (/(^|[-_:])(stretch|buster|bionic|focal)([-_]|$)|centos8|(^|[-_.])(el|rhel|ubi)8([-_.]|$)/.test(`${name}:${tag}`) || /(^|\/)ubi8(\/|$|-)/.test(full)) return '4.4';
  if (/(^|\/)ubi7(\/|$|-)|(^|\/)rhel7(\/|$)/.test(full)) return '4.2';
  const major = /^(\d+)(?:[.-]|$)/.exec(tag)?.[1];
  // Elastic's 6.x images are on CentOS 7 (bash 4.2); later CentOS-based ones are left to the default
  if (isElastic(repo, full) && major === '6') return '4.2';
  switch (name) {
    case 'centos':
      return major === '6' || major === '7' ? '4.2' : major === '8' || tag === 'latest' ? '4.4' : undefined;
    case 'oraclelinux':
      return major === '6' || major === '7' ? '4.2' : major === '8' ? '4.4' : undefined;
    case 'rockylinux':
    case 'almalinux':
      return major === '8' ? '4.4' : undefined;
    case 'amazonlinux':
      return major === '1' || major === '2' || /^20(17|18)\./.test(tag) ? '4.2' : undefined;
    case 'debian':
      return major === '8' ? '4.2' : major === '9' || major === '10' ? '4.4' : undefined;
    case 'ubuntu':
      return /^1[46]\.04/.test(tag) ? '4.2' : /^(18|20)\.04/.test(tag) ? '4.4' : undefined;
    default:
      return undefined;
  }
}

/** Shell family overrides from config: image glob (`*` matches anything) -> family. */
export function overrideFor(ref: string, overrides: Readonly<Record<string, string>> | undefined): ShellFamily | undefined {
  if (!overrides) return undefined;
  for (const [pattern, fam] of Object.entries(overrides)) {
    if (globMatch(pattern, ref) || globMatch(pattern, ref.replace(/:[^:/]*$/, ''))) return fam as ShellFamily;
  }
  return undefined;
}

function globMatch(pattern: string, s: string): boolean {
  let re = '^';
  for (const ch of pattern) re += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${re}$`).test(s);
}

export const SHELL_FAMILIES: readonly ShellFamily[] = ['dash', 'bash', 'ash', 'zsh', 'none', 'unknown'];

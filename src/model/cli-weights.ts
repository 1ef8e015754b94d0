/**
 * Cloud storage and cluster CLIs (and openssl) in scripts: what a command is to the script around it depends on its
 * subcommand, not on the program. A listing (`gcloud storage ls`, `aws s3 ls`, `kubectl get`) prints and
 * ends; a transfer (`gsutil -m cp`, `aws s3 sync`, `azcopy copy`, `rclone sync`) is a finite task of
 * unbounded length, like `cp` or `rsync`. So in a Job's `bash -c 'gcloud storage cp ...; gcloud storage ls'`
 * the upload is what the container runs for, not the listing after it.
 *
 * Only the subcommands listed here are known; any other (`kubectl port-forward`, `gcloud beta emulators
 * ...`, `mc mirror --watch`) may run as long as the container, as any unknown program may.
 */
import type { Word } from './shell-words.js';

type Weight = 'instant' | 'work';

interface Cli {
  /** Global options that take the next word as their value (so the subcommand is found after them). */
  valued: ReadonlySet<string>;
  /** The weight by the leading non-option words (`storage cp`), undefined when they name no known subcommand. */
  groups: (words: readonly string[]) => Weight | undefined;
  /** Options that make a listing follow changes (it then never ends). */
  follows?: RegExp;
}

const LISTING = new Set(['ls', 'list', 'describe', 'stat', 'version']);
const TRANSFER = new Set(['cp', 'mv', 'rsync', 'sync', 'copy', 'move', 'copyto', 'moveto', 'upload', 'download', 'upload-batch', 'download-batch', 'cat', 'du']);

const OPENSSL_QUICK = new Set([
  'genrsa',
  'genpkey',
  'rsa',
  'pkey',
  'req',
  'x509',
  'ec',
  'ecparam',
  'rand',
  'dgst',
  'base64',
  'enc',
  'pkcs12',
  'pkcs8',
  'verify',
  'crl',
  'ca',
  'version',
  'passwd',
  'rehash',
  'pkeyutl',
  'rsautl',
]);

/** A cipher named as the command (`openssl aes-256-cbc -in F -out G`): `enc` with that cipher (openssl-enc(1)). */
const OPENSSL_CIPHER = /^(aes|aria|bf|blowfish|camellia|cast5?|chacha20|des|des3|desx|idea|rc2|rc4|rc5|seed|sm4)(-|$)/;

// (`mc config host add` is the older spelling of `mc alias set`)
const MC_INSTANT = new Set(['alias', 'config', 'mb', 'policy', 'anonymous', 'version']);

const verb = (w: string | undefined): Weight | undefined => (w === undefined ? undefined : LISTING.has(w) ? 'instant' : TRANSFER.has(w) ? 'work' : undefined);

const CLIS: Readonly<Record<string, Cli>> = {
  // gcloud [alpha|beta] storage cp|rsync|mv|ls|cat|du (cloud.google.com/sdk/gcloud/reference/storage)
  gcloud: {
    valued: new Set(['--project', '--account', '--configuration', '--verbosity', '--format', '--impersonate-service-account', '--billing-project']),
    groups: (w) => {
      const i = w[0] === 'alpha' || w[0] === 'beta' ? 1 : 0;
      if (w[i] === 'storage') return w[i + 1] === 'objects' || w[i + 1] === 'buckets' ? (w[i + 2] === 'list' || w[i + 2] === 'describe' ? 'instant' : undefined) : verb(w[i + 1]);
      return w[i] === 'version' ? 'instant' : undefined;
    },
  },
  // gsutil [-m] [-o SECTION:OPT=VAL] [-h HEADER] cp|rsync|mv|ls|cat|du|stat (cloud.google.com/storage/docs/gsutil)
  gsutil: { valued: new Set(['-o', '-h', '-u', '-i']), groups: (w) => verb(w[0]) },
  // aws [--region R] s3 cp|sync|mv|ls (docs.aws.amazon.com/cli/latest/reference/s3)
  aws: {
    valued: new Set(['--region', '--profile', '--endpoint-url', '--output', '--ca-bundle', '--cli-read-timeout', '--cli-connect-timeout', '--color', '--query']),
    groups: (w) => (w[0] === 's3' ? verb(w[1]) : undefined),
  },
  // az storage blob upload|download|upload-batch|download-batch|list|show, az storage copy (learn.microsoft.com/cli/azure/storage)
  az: {
    valued: new Set(['--subscription', '--output', '-o', '--query']),
    groups: (w) => (w[0] !== 'storage' ? undefined : w[1] === 'copy' ? 'work' : w[1] === 'blob' || w[1] === 'file' || w[1] === 'fs' ? (w[2] === 'show' ? 'instant' : verb(w[2])) : undefined),
  },
  // azcopy copy|sync|list (learn.microsoft.com/azure/storage/common/storage-ref-azcopy)
  azcopy: { valued: new Set(), groups: (w) => verb(w[0]) },
  // rclone copy|sync|move|copyto|ls|lsd|lsl|lsf (rclone.org/commands)
  rclone: { valued: new Set(['--config']), groups: (w) => (/^ls[dlf]?$|^lsjson$/.test(w[0] ?? '') ? 'instant' : verb(w[0])) },
  // mc cp|mv|ls|stat; `mc mirror` without --watch; `mc alias set` writes its config, `mc mb` makes one bucket, `mc
  // policy set` (now `mc anonymous set`) and `mc version enable` set one bucket setting: one request each, at once
  // (min.io/docs/minio/linux/reference/minio-mc)
  mc: { valued: new Set(['--config-dir']), groups: (w) => (w[0] === 'mirror' ? 'work' : MC_INSTANT.has(w[0] ?? '') ? 'instant' : verb(w[0])), follows: /^--watch$|^-w$/ },
  // openssl's key, certificate and conversion commands compute and write, and end within a second or two (a 2048-bit
  // genrsa, a self-signed req -x509); s_server, s_client, ocsp -port and speed run until stopped, and dhparam can take
  // minutes: those stay unknown (docs.openssl.org/master/man1/openssl)
  openssl: {
    valued: new Set(),
    groups: (w) => (OPENSSL_QUICK.has(w[0] ?? '') || OPENSSL_CIPHER.test(w[0] ?? '') ? 'instant' : undefined),
  },
  // kubectl get|describe|version|cluster-info|api-resources print and end; with -w/--watch a get follows changes
  kubectl: {
    valued: new Set(['-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server', '--token', '-l', '--selector', '-o', '--output']),
    groups: (w) => (['get', 'describe', 'version', 'cluster-info', 'api-resources', 'api-versions', 'explain'].includes(w[0] ?? '') ? 'instant' : undefined),
    follows: /^-w$|^--watch(-only)?(=true)?$/,
  },
};

/** The weight of a cloud or cluster CLI command by its subcommand; undefined for another program or a subcommand not known. */
export function cliWeight(name: string, args: readonly Word[]): Weight | undefined {
  const cli = CLIS[name.slice(name.lastIndexOf('/') + 1)];
  if (!cli) return undefined;
  if (cli.follows && args.some((a) => cli.follows?.test(a.literal ?? ''))) return undefined;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]?.literal;
    // a word built at run time ends what is known (`gsutil $OPTS cp`: the subcommand is not known)
    if (a === undefined) break;
    if (a.startsWith('-')) {
      if (!a.includes('=') && cli.valued.has(a)) i++;
      continue;
    }
    words.push(a);
  }
  return cli.groups(words);
}

/**
 * A hostile repository, as a pull request could make it: symlinks out of the tree in every place pid1
 * follows paths (the walk, COPY sources, compose extends/override/env_file/.env, ConfigMap scripts), files that are not files, control characters and workflow commands in file names and
 * contents. Beside it, outside the tree, files with canary tokens that must never be read, written or
 * echoed. And strace, to see every file pid1 opens.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './exec.js';

export interface Hostile {
  /** The tree given to pid1. */
  repo: string;
  /** Outside the tree: nothing in it may be read (without --follow-symlinks) or written (ever). */
  outside: string;
  /** In a file that is not what its name claims (a secrets file): never echoed, even with --follow-symlinks. */
  secret: string;
  /** In valid files outside the tree: echoed only with --follow-symlinks (then they are linted, by request). */
  visible: string;
  /** Outside files and their content and mtime, to check that nothing changed. */
  snapshot(): Map<string, { text: string; mtimeMs: number }>;
}

/** Characters a terminal or a CI runner would act on, in one string. */
export const INJECT = '\x1b[2J\x1b]0;pwned\x07\x9b31m\u202e##[error]legacy';

export function hostileRepo(): Hostile {
  const base = tempDir('pid1-hostile-');
  const tag = crypto.randomBytes(6).toString('hex');
  const secret = `SECRET-${tag}`;
  const visible = `VISIBLE-${tag}`;
  const repo = path.join(base, 'repo');
  const outside = path.join(base, `outside-${tag}`);
  const write = (p: string, text: string | Buffer, mode = 0o644): void => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text, { mode });
  };
  const link = (target: string, at: string): void => {
    fs.mkdirSync(path.dirname(path.join(repo, at)), { recursive: true });
    fs.symlinkSync(target, path.join(repo, at));
  };
  // Outside the tree: a secrets file, and valid files whose fixes must never be written.
  write(path.join(outside, 'secret.env'), `AWS_SECRET_ACCESS_KEY=${secret}\nroot:*:20228:0:99999:7:::\n`);
  write(path.join(outside, 'entry.sh'), `#!/bin/sh\n# ${visible}\ngunicorn app:app\n`, 0o755);
  write(path.join(outside, 'scripts/run.sh'), `#!/bin/sh\n# ${visible}\ngunicorn app:app\n`, 0o755);
  write(path.join(outside, 'base.yml'), `services:\n  base:\n    image: debian:12\n    command: sh -c "echo ${visible}; server"\n`);
  write(
    path.join(outside, 'pod.yaml'),
    `apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: c\n    image: debian:12\n    command: ["sh", "-c", "echo ${visible}; server"]\n`,
  );
  write(path.join(outside, 'Dockerfile'), `FROM debian:12\n# ${visible}\nCMD python app.py\n`);
  execFileSync('mkfifo', [path.join(outside, 'fifo')]);

  // In the tree: symlinks out, by every road pid1 takes.
  link(`../outside-${tag}/secret.env`, 'Dockerfile.prod');
  link(path.join(outside, 'secret.env'), 'Dockerfile.abs');
  link(`../outside-${tag}/Dockerfile`, 'Containerfile');
  link(`../../outside-${tag}/pod.yaml`, 'k8s/pod.yaml');
  link(`../outside-${tag}/secret.env`, '.env');
  link(`../outside-${tag}/secret.env`, 'linked.env');
  // compose merges an override file by default: a symlink out is refused like the rest
  link(`../outside-${tag}/base.yml`, 'compose.override.yaml');
  write(
    path.join(repo, 'compose.yaml'),
    [
      'services:',
      '  web:',
      '    extends:',
      `      file: ../outside-${tag}/base.yml`,
      '      service: base',
      '  api:',
      '    image: debian:12',
      `    env_file: [../outside-${tag}/secret.env, linked.env]`,
      '    command: sh -c "echo $${AWS_SECRET_ACCESS_KEY}; server"',
      '',
    ].join('\n'),
  );
  link(`../../outside-${tag}/entry.sh`, 'app/entrypoint.sh');
  link(`../../outside-${tag}/scripts`, 'app/scripts');
  write(path.join(repo, 'app/Dockerfile'), 'FROM debian:12\nCOPY entrypoint.sh /entrypoint.sh\nCOPY scripts/run.sh /run.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["/run.sh"]\n');
  // COPY from a context that is a symlink to a directory outside (the Dockerfile is inside, the script is not)
  write(path.join(repo, 'ctx/Dockerfile'), 'FROM debian:12\nCOPY scripts/run.sh /run.sh\nENTRYPOINT ["/run.sh"]\n');
  link(`../../outside-${tag}/scripts`, 'ctx/scripts');
  // ConfigMap scripts (a pod runs a script its ConfigMap volume supplies): the ConfigMap of the folder is a
  // symlink out; a kustomize configMapGenerator names a file that is a symlink out.
  const pod = (command: string): string =>
    [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: p}',
      'spec:',
      '  containers:',
      '  - name: c',
      '    image: debian:bookworm',
      `    command: ${command}`,
      '    volumeMounts:',
      '    - {name: scripts, mountPath: /scripts}',
      '  volumes:',
      '  - name: scripts',
      '    configMap: {name: run}',
      '',
    ].join('\n');
  write(
    path.join(outside, 'configmap.yaml'),
    ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: run}', 'data:', '  run.sh: |', '    #!/bin/bash', `    # ${visible}`, '    svc --port 80', ''].join('\n'),
  );
  write(path.join(repo, 'cm/pod.yaml'), pod('["bash", "/scripts/run.sh"]'));
  link(`../../outside-${tag}/configmap.yaml`, 'cm/configmap.yaml');
  write(path.join(repo, 'gen/pod.yaml'), pod('["sh", "/scripts/run.sh"]'));
  write(path.join(repo, 'gen/kustomization.yaml'), 'resources: [pod.yaml]\nconfigMapGenerator:\n- name: run\n  files: [run.sh=start.sh]\n');
  link(`../../outside-${tag}/entry.sh`, 'gen/start.sh');
  // Not files: a FIFO and a device under Dockerfile names (inside and outside the tree).
  execFileSync('mkfifo', [path.join(repo, 'fifo')]);
  link('fifo', 'Dockerfile.fifo');
  link('/dev/zero', 'Dockerfile.zero');
  link(`../outside-${tag}/fifo`, 'Dockerfile.outfifo');
  // Control characters and workflow commands: in a file name, a directory name and file contents.
  write(path.join(repo, `bad/Dockerfile.x${INJECT}`), 'FROM debian:12\nCMD python app.py\n');
  write(path.join(repo, 'bad/Dockerfile.nl\n::error file=forged.txt::forged by a file name'), 'FROM debian:12\nCMD python app.py\n');
  write(path.join(repo, '::error file=forged.txt::forged by a directory/Dockerfile'), 'FROM debian:12\nCMD python app.py\n');
  write(path.join(repo, 'inject/Dockerfile'), ['FROM debian:12', `# ${INJECT}`, `CMD server --banner "${INJECT}"`, ''].join('\n'));
  write(
    path.join(repo, 'inject/Dockerfile.json'),
    [
      'FROM debian:12',
      // JSON escapes decode to a newline, ESC and a forged command inside the -c string
      'CMD ["sh", "-c", "echo x\\n::error file=forged.txt::forged by JSON\\u001b[2J; server"]',
      '',
    ].join('\n'),
  );
  write(path.join(repo, 'inject/Dockerfile.notdocker'), `${INJECT} this is not a Dockerfile\n`);
  return {
    repo,
    outside,
    secret,
    visible,
    snapshot(): Map<string, { text: string; mtimeMs: number }> {
      const m = new Map<string, { text: string; mtimeMs: number }>();
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) m.set(p, { text: fs.readFileSync(p, 'utf8'), mtimeMs: fs.statSync(p).mtimeMs });
          else m.set(p, { text: `<${e.isFIFO() ? 'fifo' : 'special'}>`, mtimeMs: fs.lstatSync(p).mtimeMs });
        }
        m.set(d, { text: fs.readdirSync(d).sort().join('\n'), mtimeMs: fs.statSync(d).mtimeMs });
      };
      walk(outside);
      return m;
    },
  };
}

/** One system call that names a file, from strace. */
export interface FileCall {
  call: string;
  path: string;
  result: number;
  flags: string;
}

/** strace's quoting of a string argument, undone (\n, \t, \", \\, \ooo octal, \xhh). */
function unquote(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = s[++i] as string;
    if (n === 'n') bytes.push(10);
    else if (n === 't') bytes.push(9);
    else if (n === 'r') bytes.push(13);
    else if (n === 'v') bytes.push(11);
    else if (n === 'f') bytes.push(12);
    else if (n === 'x') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(n)) {
      let j = i;
      while (j < i + 3 && /[0-7]/.test(s[j] ?? '')) j++;
      bytes.push(parseInt(s.slice(i, j), 8));
      i = j - 1;
    } else bytes.push(...Buffer.from(n, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

const WRITES = /^(creat|truncate|rename|renameat2?|unlink|unlinkat|link|linkat|symlink|symlinkat|chmod|fchmodat|chown|fchownat|lchown|mkdir|mkdirat|utimensat)$/;

/** Run a program under strace -f; every call that names a file. Fails (throws) when strace cannot run. */
export function traceFiles(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { calls: FileCall[]; stdout: string; stderr: string; code: number } {
  const out = path.join(tempDir('pid1-strace-'), 'trace');
  const calls = 'open,openat,openat2,creat,truncate,rename,renameat,renameat2,unlink,unlinkat,link,linkat,symlink,symlinkat,chmod,fchmodat,chown,fchownat,lchown,mkdir,mkdirat,utimensat';
  let stdout = '';
  let stderr = '';
  let code = 0;
  try {
    stdout = execFileSync('strace', ['-f', '-qq', '-s', '4096', '-e', `trace=${calls}`, '-o', out, ...argv], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
      timeout: 120_000,
    });
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string; code?: string };
    if (e.code === 'ENOENT') throw new Error('strace is not installed (scripts/install-deps.sh installs it)');
    code = e.status ?? 1;
    stdout = e.stdout ?? '';
    stderr = e.stderr ?? '';
  }
  const text = fs.readFileSync(out, 'utf8');
  const list: FileCall[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+\s+(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(line);
    if (!m) continue;
    const [, call, args, rc] = m as unknown as [string, string, string, string];
    for (const q of args.matchAll(/"((?:[^"\\]|\\.)*)"/g)) list.push({ call, path: unquote(q[1] as string), result: Number(rc), flags: args });
  }
  return { calls: list, stdout, stderr, code };
}

/** Where a traced path lands, symlinks resolved as far as they still exist. */
export function landsIn(p: string, cwd: string, dir: string): boolean {
  const abs = path.resolve(cwd, p);
  let real = abs;
  try {
    real = fs.realpathSync(abs);
  } catch {
    try {
      real = path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      /* gone */
    }
  }
  const d = fs.realpathSync(dir);
  return real === d || real.startsWith(`${d}${path.sep}`) || abs.startsWith(`${dir}${path.sep}`);
}

/** Calls that read outside `dir` (an open that succeeded) or change anything there (any attempt). */
export function touches(calls: readonly FileCall[], cwd: string, dir: string): { reads: FileCall[]; writes: FileCall[] } {
  const reads: FileCall[] = [];
  const writes: FileCall[] = [];
  for (const c of calls) {
    if (!landsIn(c.path, cwd, dir)) continue;
    const writeOpen = /^open/.test(c.call) && /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(c.flags);
    if (WRITES.test(c.call) || writeOpen) writes.push(c);
    else if (/^open/.test(c.call) && c.result >= 0) reads.push(c);
  }
  return { reads, writes };
}

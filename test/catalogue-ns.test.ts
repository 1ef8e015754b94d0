/**
 * Every catalogue entry whose program is installed here, run for real as PID 1 of a fresh PID
 * namespace: for each stop signal the entry describes (and each signal that starts its graceful stop)
 * a new instance is started, its masks are read from /proc/PID/status, the signal is sent from the
 * host (an ancestor namespace, like `docker stop`), and what happens is checked against the entry:
 * still running after HOLD_MS (then SIGKILLed), or ended with the entry's exit status, and where the
 * program logs it, the kind of stop it began (postgres "smart"/"fast"/"immediate", nginx, php-fpm).
 *
 * Programs that are not installed are skipped with the package to install; scripts/install-deps.sh
 * installs the smaller ones for CI (see the report in the branch for which).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CATALOGUE, KEEPS_RUNNING, STOP_SIGNALS, behaviourOn, catalogueById, catalogueEntryForArgv, type SignalBehaviour } from '../src/model/catalogue.js';
import { chainFromArgv } from '../src/model/launch.js';
import { decodeMask, parseSignal, signalName } from '../src/model/signals.js';
import { childrenOf } from '../src/proc/stat.js';
import { cleanupInits, startAsInit, type InitRun } from './helpers/as-init.js';
import { programPath, sleep, tempDir, waitFor } from './helpers/exec.js';
import { within } from './helpers/within.js';

after(cleanupInits);

/**
 * How long a signal must leave the program running to count as "keeps running": a dropped signal (no
 * handler: the kernel discards it at once) needs little; a handler that re-raises or carries on gets longer.
 */
const HOLD_MS = { none: 1000, handler: 2000 };
const DIR = tempDir('pid1-catalogue-');
// postgres and mysql run as their own users: they must reach their directories under DIR.
fs.chmodSync(DIR, 0o755);

interface Recipe {
  /** Catalogue entry id. */
  id: string;
  label?: string;
  argv: string[];
  /** Exec wrappers before argv (setpriv): they exec, so argv's program is PID 1. */
  wrap?: string[];
  comm?: string;
  cwd?: string;
  env?: Record<string, string>;
  stdin?: 'pipe' | 'ignore';
  quiet?: boolean;
  /** Prepare files; may throw to skip with its message. */
  setup?: () => void;
  /** Output (or logFile) that says the program is up. */
  ready?: RegExp;
  /** Extra wait after ready (handlers installed late). */
  settleMs?: number;
  /** Ready once SigCgt has these (a program that logs nothing when it is up). */
  readyCaught?: string[];
  /** Ready once a child of PID 1 has these in SigCgt (a master that passes the signal on to its worker). */
  readyChildCaught?: string[];
  logFile?: string;
  /** What the output says after a signal: which stop the program began. */
  logs?: Partial<Record<string, RegExp>>;
  /** How long it may take to end (default 30 s: the machine may be busy). */
  endMs?: number;
  startMs?: number;
  /** The argv does not name the program (a Go binary): skip the lookup check. */
  unnamed?: boolean;
}

/** The first path matching a glob-like prefix/suffix in a directory (php-fpm8.2, postgresql/15). */
const findIn = (dir: string, re: RegExp): string | undefined => {
  try {
    const hit = fs
      .readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .pop();
    return hit ? path.join(dir, hit) : undefined;
  } catch {
    return undefined;
  }
};

const PY = '/usr/bin/python3';
const app = (name: string, files: Record<string, string>): string => {
  const d = path.join(DIR, name);
  fs.mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(d, f), text);
  return d;
};
const loop = 'while true; do sleep 1; done';
const PYLOOP = 'import time\nprint("ready", flush=True)\nwhile True:\n    time.sleep(1)\n';
const WSGI = 'def app(environ, start_response):\n    start_response("200 OK", [("Content-Type", "text/plain")])\n    return [b"ok\\n"]\n';
const ASGI = `async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            m = await receive()
            if m["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif m["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
`;
const FLASK = 'from flask import Flask\napp = Flask(__name__)\n@app.route("/")\ndef index():\n    return "ok"\n';
const RACK = 'run lambda { |env| [200, {"content-type" => "text/plain"}, ["ok"]] }\n';

/** Build a tiny Go program once (when Debian's golang is installed). */
function goBinary(): string {
  const go = programPath('go');
  if (!go) throw new Error('go is not installed (Debian: golang-go)');
  const d = app('goloop', {
    'main.go': 'package main\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc main() {\n\tfmt.Println("ready")\n\ttime.Sleep(time.Hour)\n}\n',
    'go.mod': 'module goloop\n\ngo 1.19\n',
  });
  const bin = path.join(d, 'goloop');
  if (!fs.existsSync(bin))
    execFileSync(go, ['build', '-o', bin, '.'], { cwd: d, stdio: 'pipe', env: { ...process.env, GOFLAGS: '-mod=mod', GOCACHE: path.join(DIR, 'gocache'), GOPATH: path.join(DIR, 'gopath') } });
  return bin;
}

let port = 41000 + (process.pid % 2000) * 10;
const nextPort = (): string => String(port++);

const RECIPES: Recipe[] = [];
const add = (r: Recipe): void => void RECIPES.push(r);

for (const bb of [false, true]) {
  const pre = bb ? ['busybox'] : [];
  const comm = bb ? 'busybox' : undefined;
  const label = (s: string): string => (bb ? `busybox ${s}` : s);
  add({ id: 'sleep', label: label('sleep'), argv: [...pre, 'sleep', '1000'], ...(comm ? { comm } : {}) });
  add({ id: 'tail', label: label('tail -f'), argv: [...pre, 'tail', '-f', '/dev/null'], ...(comm ? { comm } : {}) });
  add({ id: 'cat', label: label('cat (stdin open)'), argv: [...pre, 'cat'], ...(comm ? { comm } : {}) });
  add({ id: 'yes', label: label('yes'), argv: [...pre, 'yes'], quiet: true, ...(comm ? { comm } : {}) });
  add({ id: bb ? 'busybox-dd' : 'dd', label: label('dd if=/dev/zero of=/dev/null'), argv: [...pre, 'dd', 'if=/dev/zero', 'of=/dev/null'], readyCaught: ['SIGUSR1'], ...(comm ? { comm } : {}) });
}
add({ id: 'watch', label: 'watch (procps)', argv: ['watch', '-n', '1', 'true'], env: { TERM: 'dumb' } });
add({ id: 'busybox-watch', label: 'busybox watch', argv: ['busybox', 'watch', '-n', '1', 'true'], comm: 'busybox', env: { TERM: 'dumb' } });
add({ id: 'dash', label: 'dash -c "while true; ..."', argv: ['dash', '-c', loop] });
add({ id: 'bash', label: 'bash -c "while true; ..."', argv: ['bash', '-c', loop] });
add({ id: 'ash', label: 'busybox sh -c "while true; ..."', argv: ['busybox', 'sh', '-c', loop], comm: 'busybox' });
add({ id: 'python', label: 'python3 loop.py', argv: [PY, 'loop.py'], cwd: app('py', { 'loop.py': PYLOOP }), ready: /ready/, logs: { SIGINT: /KeyboardInterrupt/ } });
add({ id: 'node', label: 'node loop.js', argv: [process.execPath, '-e', 'setInterval(() => {}, 1000); console.log("ready")'], comm: 'node', ready: /ready/ });
add({
  id: 'java',
  label: 'java Loop.java (a shutdown hook)',
  argv: ['java', 'Loop.java'],
  ready: /ready/,
  startMs: 30_000,
  cwd: app('java', {
    'Loop.java':
      'public class Loop { public static void main(String[] a) throws Exception { Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook ran"))); System.out.println("ready"); Thread.sleep(1000000); } }\n',
  }),
  logs: { SIGTERM: /hook ran/, SIGINT: /hook ran/, SIGQUIT: /Full thread dump/ },
});
add({ id: 'go', label: 'a Go program without signal.Notify', argv: ['<go>'], unnamed: true, ready: /ready/, comm: 'goloop', logs: { SIGQUIT: /SIGQUIT: quit/ } });
add({
  id: 'ruby',
  label: 'ruby loop.rb',
  argv: ['ruby', 'loop.rb'],
  ready: /ready/,
  cwd: app('rb', { 'loop.rb': 'at_exit { puts "at_exit ran"; $stdout.flush }\nputs "ready"; $stdout.flush\nsleep\n' }),
  logs: { SIGTERM: /at_exit ran/ },
});
add({ id: 'perl', label: 'perl -e (sleep)', argv: ['perl', '-e', '$| = 1; print "ready\\n"; sleep 1000;'], ready: /ready/ });
// php -a reads its prompt from stdin: a pipe that stays open keeps it at the prompt.
add({ id: 'php-interactive', label: 'php -a (at its prompt)', argv: ['php', '-a'], ready: /Interactive shell/ });
add({ id: 'php', label: 'php -r (sleep loop)', argv: ['php', '-r', 'echo "ready\\n"; while (true) { sleep(1); }'], ready: /ready/ });
// the built-in web server (on loopback): no program of the image's runs before a request, so nothing can pcntl_signal()
add({ id: 'php-server', label: 'php -S (the built-in web server)', argv: ['php', '-S', `127.0.0.1:${20000 + (process.pid % 20000)}`], ready: /Development Server .* started/ });
add({
  id: 'erlang',
  label: 'erl -noshell',
  argv: ['erl', '-noshell', '-noinput', '-eval', 'io:format("ready~n"), timer:sleep(infinity)'],
  comm: 'beam.smp',
  ready: /ready/,
  env: { HOME: DIR },
  logs: { SIGTERM: /SIGTERM received - shutting down/ },
});

const py = app('pyserv', {
  'wsgi.py': WSGI,
  'asgi.py': ASGI,
  'flaskapp.py': FLASK,
  'celeryapp.py': 'from celery import Celery\napp = Celery("t", broker="memory://")\n@app.task\ndef add(x, y):\n    return x + y\n',
});
add({
  id: 'gunicorn',
  argv: ['gunicorn', '-b', `127.0.0.1:${nextPort()}`, '-w', '1', 'wsgi:app'],
  cwd: py,
  ready: /Booting worker/,
  logs: { SIGTERM: /Handling signal: term/, SIGINT: /Handling signal: int/, SIGQUIT: /Handling signal: quit/ },
});
add({
  id: 'uvicorn',
  label: 'python3 -m uvicorn',
  argv: [PY, '-m', 'uvicorn', '--host', '127.0.0.1', '--port', nextPort(), 'asgi:app'],
  comm: 'python3',
  cwd: py,
  ready: /Uvicorn running/,
  logs: { SIGTERM: /Application shutdown complete/, SIGINT: /Application shutdown complete/ },
});
add({ id: 'hypercorn', argv: ['hypercorn', '-b', `127.0.0.1:${nextPort()}`, 'asgi:app'], cwd: py, ready: /Running on/ });
add({
  id: 'celery',
  label: 'python3 -m celery worker',
  argv: [PY, '-m', 'celery', '-A', 'celeryapp', 'worker', '-c', '1', '--loglevel=INFO'],
  comm: 'python3',
  cwd: py,
  ready: /ready\./,
  endMs: 60_000,
  startMs: 30_000,
  logs: { SIGTERM: /Warm shutdown/, SIGINT: /Warm shutdown/, SIGQUIT: /Cold shutdown/ },
});
const django = path.join(DIR, 'dj');
const djangoSetup = (): void => {
  if (!fs.existsSync(path.join(django, 'manage.py'))) {
    fs.mkdirSync(django, { recursive: true });
    execFileSync(PY, ['-m', 'django', 'startproject', 'dj', django], { stdio: 'pipe' });
  }
};
add({
  id: 'django-runserver',
  label: 'python3 manage.py runserver',
  argv: [PY, 'manage.py', 'runserver', `127.0.0.1:${nextPort()}`],
  comm: 'python3',
  cwd: django,
  setup: djangoSetup,
  ready: /Quit the server/,
});
add({
  id: 'django-runserver-noreload',
  label: 'python3 manage.py runserver --noreload',
  argv: [PY, 'manage.py', 'runserver', '--noreload', `127.0.0.1:${nextPort()}`],
  comm: 'python3',
  cwd: django,
  setup: djangoSetup,
  ready: /Quit the server/,
});
add({ id: 'flask-dev-server', label: 'python3 -m flask run', argv: [PY, '-m', 'flask', '--app', 'flaskapp', 'run', '-p', nextPort()], comm: 'python3', cwd: py, ready: /Running on/ });
add({
  id: 'flask-dev-server-reloader',
  label: 'python3 -m flask --debug run',
  argv: [PY, '-m', 'flask', '--app', 'flaskapp', '--debug', 'run', '-p', nextPort()],
  comm: 'python3',
  cwd: py,
  ready: /Debugger PIN/,
});

const rb = app('rack', { 'config.ru': RACK });
add({ id: 'puma', argv: ['puma', '-b', `tcp://127.0.0.1:${nextPort()}`, 'config.ru'], cwd: rb, ready: /Use Ctrl-C to stop/, logs: { SIGTERM: /Gracefully stopping/, SIGINT: /Gracefully stopping/ } });
add({ id: 'unicorn', argv: ['unicorn', '-l', `127.0.0.1:${nextPort()}`, 'config.ru'], cwd: rb, ready: /worker=0 ready/ });

const nginxDir = path.join(DIR, 'nginx');
add({
  id: 'nginx',
  argv: ['nginx', '-c', path.join(nginxDir, 'nginx.conf')],
  ready: /start worker process/,
  setup: () =>
    void app('nginx', {
      'nginx.conf': `daemon off;\nmaster_process on;\nworker_processes 1;\npid ${nginxDir}/nginx.pid;\nerror_log stderr notice;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n  client_body_temp_path ${nginxDir}/body; proxy_temp_path ${nginxDir}/proxy; fastcgi_temp_path ${nginxDir}/fcgi; uwsgi_temp_path ${nginxDir}/uwsgi; scgi_temp_path ${nginxDir}/scgi;\n  server { listen 127.0.0.1:${nextPort()}; location / { return 200 "ok\\n"; } }\n}\n`,
    }),
  logs: { SIGTERM: /exiting/, SIGINT: /exiting/, SIGQUIT: /gracefully shutting down/ },
});
const httpdDir = path.join(DIR, 'httpd');
add({
  id: 'httpd',
  label: 'apache2 -DFOREGROUND',
  argv: ['apache2', '-DFOREGROUND', '-f', path.join(httpdDir, 'httpd.conf')],
  logFile: path.join(httpdDir, 'error.log'),
  setup: () =>
    void app('httpd', {
      'httpd.conf': `ServerRoot /usr/lib/apache2\nLoadModule mpm_event_module modules/mod_mpm_event.so\nLoadModule authz_core_module modules/mod_authz_core.so\nListen 127.0.0.1:${nextPort()}\nServerName localhost\nUser nobody\nGroup nogroup\nPidFile ${httpdDir}/httpd.pid\nDefaultRuntimeDir ${httpdDir}\nMutex file:${httpdDir} default\nErrorLog ${httpdDir}/error.log\nLogLevel notice\nDocumentRoot ${httpdDir}\n`,
    }),
  ready: /resuming normal operations/,
  logs: { SIGTERM: /caught SIGTERM, shutting down/, SIGWINCH: /caught SIGWINCH, shutting down gracefully/ },
});
const fpmDir = path.join(DIR, 'fpm');
const fpm = findIn('/usr/sbin', /^php-fpm[\d.]*$/);
add({
  id: 'php-fpm',
  argv: [fpm ?? 'php-fpm', '-F', '-y', path.join(fpmDir, 'fpm.conf')],
  logFile: path.join(fpmDir, 'error.log'),
  setup: () =>
    void app('fpm', {
      'fpm.conf': `[global]\npid = ${fpmDir}/fpm.pid\nerror_log = ${fpmDir}/error.log\ndaemonize = no\n[www]\nuser = nobody\ngroup = nogroup\nlisten = 127.0.0.1:${nextPort()}\npm = static\npm.max_children = 1\n`,
    }),
  ready: /ready to handle connections/,
  logs: { SIGTERM: /Terminating/, SIGINT: /Terminating/, SIGQUIT: /Finishing/ },
});
const haproxyCfg = (): void =>
  void app('haproxy', {
    'h.cfg': `global\n  log stderr format raw local0 notice\ndefaults\n  mode http\n  log global\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend f\n  bind 127.0.0.1:${nextPort()}\n  http-request return status 200 content-type text/plain string ok\n`,
  });
add({
  id: 'haproxy',
  argv: ['haproxy', '-f', path.join(DIR, 'haproxy', 'h.cfg')],
  setup: haproxyCfg,
  readyCaught: ['SIGHUP', 'SIGQUIT', 'SIGUSR1'],
  logs: { SIGUSR1: /Proxy f stopped/, SIGQUIT: /Total: \d+ pools/ },
});
add({
  id: 'haproxy-master-worker',
  label: 'haproxy -W',
  argv: ['haproxy', '-W', '-f', path.join(DIR, 'haproxy', 'h.cfg')],
  setup: haproxyCfg,
  ready: /Loading success/,
  // the master passes SIGUSR1 on to its worker: a worker still starting on a busy machine misses it
  readyChildCaught: ['SIGUSR1'],
  settleMs: 300,
  logs: { SIGUSR1: /Proxy f stopped/ },
});
// uWSGI's python3 plugin binary (Debian uwsgi-plugin-python3) serving a WSGI app that only answers.
const uwsgiApp = (): void => {
  fs.mkdirSync(path.join(DIR, 'uwsgi'), { recursive: true });
  fs.writeFileSync(path.join(DIR, 'uwsgi', 'app.py'), 'def application(env, start):\n    start("200 OK", [])\n    return [b"ok"]\n');
};
const UWSGI = ['uwsgi_python3', '--http-socket', '127.0.0.1:0', '--wsgi-file', path.join(DIR, 'uwsgi', 'app.py'), '--processes', '2'];
add({ id: 'uwsgi', label: 'uwsgi --master', argv: [...UWSGI, '--master'], setup: uwsgiApp, ready: /spawned uWSGI worker 2/, settleMs: 500 });
add({ id: 'uwsgi-exits', label: 'uwsgi --master --die-on-term', argv: [...UWSGI, '--master', '--die-on-term'], setup: uwsgiApp, ready: /spawned uWSGI worker 2/, settleMs: 500 });
add({ id: 'uwsgi-exits', label: 'uwsgi without a master', argv: UWSGI, setup: uwsgiApp, ready: /spawned uWSGI worker 2/, settleMs: 500 });
const caddyDir = path.join(DIR, 'caddy');
add({
  id: 'caddy',
  argv: ['caddy', 'run', '--config', path.join(caddyDir, 'Caddyfile'), '--adapter', 'caddyfile'],
  env: { HOME: caddyDir, XDG_DATA_HOME: caddyDir, XDG_CONFIG_HOME: caddyDir },
  setup: () => void app('caddy', { Caddyfile: `{\n  admin off\n}\n:${nextPort()} {\n  bind 127.0.0.1\n  respond "ok"\n}\n` }),
  ready: /serving initial configuration/,
  logs: { SIGTERM: /shutdown complete/, SIGINT: /shutdown complete/, SIGQUIT: /quitting process immediately/ },
});

const pgDir = path.join(DIR, 'pg');
const postgres = findIn('/usr/lib/postgresql', /^\d+$/);
const asPostgres = ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups'];
add({
  id: 'postgres',
  wrap: asPostgres,
  argv: [postgres ? path.join(postgres, 'bin/postgres') : 'postgres', '-D', path.join(pgDir, 'data'), '-k', pgDir, '-c', 'listen_addresses='],
  setup: () => {
    if (!postgres) throw new Error('PostgreSQL is not installed (Debian: postgresql)');
    if (fs.existsSync(path.join(pgDir, 'data', 'PG_VERSION'))) return;
    fs.mkdirSync(pgDir, { recursive: true });
    execFileSync('chown', ['postgres', pgDir]);
    execFileSync('setpriv', [...asPostgres.slice(1), path.join(postgres, 'bin/initdb'), '-D', path.join(pgDir, 'data'), '-A', 'trust', '-U', 'postgres'], { stdio: 'pipe' });
  },
  ready: /ready to accept connections/,
  logs: { SIGTERM: /received smart shutdown request/, SIGINT: /received fast shutdown request/, SIGQUIT: /received immediate shutdown request/ },
});
const myDir = path.join(DIR, 'mysql');
add({
  id: 'mysqld',
  label: 'mariadbd',
  argv: ['mariadbd', '--no-defaults', `--datadir=${myDir}/data`, `--socket=${myDir}/sock`, '--skip-networking', '--user=mysql', `--pid-file=${myDir}/pid`],
  setup: () => {
    if (fs.existsSync(path.join(myDir, 'data', 'mysql'))) return;
    fs.mkdirSync(myDir, { recursive: true });
    execFileSync('chown', ['mysql', myDir]);
    execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${myDir}/data`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'pipe' });
  },
  ready: /ready for connections/,
  endMs: 60_000,
  logs: { SIGTERM: /Normal shutdown/, SIGQUIT: /Normal shutdown/ },
});
add({
  id: 'redis',
  label: 'redis-server',
  argv: ['redis-server', '--port', nextPort(), '--bind', '127.0.0.1', '--save', '', '--dir', DIR],
  ready: /Ready to accept connections/,
  logs: { SIGTERM: /Received SIGTERM scheduling shutdown/, SIGINT: /Received SIGINT scheduling shutdown/ },
});
const rmq = path.join(DIR, 'rabbitmq');
add({
  id: 'rabbitmq',
  label: 'rabbitmq-server',
  argv: ['/usr/lib/rabbitmq/bin/rabbitmq-server'],
  startMs: 90_000,
  endMs: 60_000,
  env: {
    HOME: rmq,
    RABBITMQ_MNESIA_BASE: `${rmq}/mnesia`,
    RABBITMQ_LOG_BASE: `${rmq}/log`,
    RABBITMQ_NODENAME: 'rabbit@localhost',
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: nextPort(),
    RABBITMQ_DIST_PORT: nextPort(),
    RABBITMQ_PID_FILE: `${rmq}/pid`,
    RABBITMQ_ENABLED_PLUGINS_FILE: `${rmq}/plugins`,
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_EPMD_PORT: nextPort(),
  },
  setup: () => void fs.mkdirSync(rmq, { recursive: true }),
  ready: /Starting broker\.\.\. completed/,
});
const supDir = path.join(DIR, 'supervisor');
add({
  id: 'supervisord',
  argv: ['supervisord', '-c', path.join(supDir, 's.conf')],
  setup: () => void app('supervisor', { 's.conf': `[supervisord]\nnodaemon=true\nlogfile=${supDir}/s.log\npidfile=${supDir}/s.pid\n[program:sleeper]\ncommand=sleep 1000\nstartsecs=0\n` }),
  ready: /entered RUNNING state/,
  logs: { SIGTERM: /received SIGTERM indicating exit request/, SIGINT: /received SIGINT indicating exit request/, SIGQUIT: /received SIGQUIT indicating exit request/ },
});
add({ id: 'cron', label: 'cron -f', argv: ['cron', '-f'] });
// ready once R has run its start-up (which sets its own signal dispositions) and reached the sleep: read before that, on a
// loaded machine, the masks were still changing
add({ id: 'r', label: "Rscript -e 'Sys.sleep(1000)'", argv: ['Rscript', '-e', 'cat("ready\\n"); Sys.sleep(1000)'], comm: 'R', ready: /ready/ });
add({
  id: 'runsvdir',
  label: 'runsvdir -P (an empty service directory)',
  argv: ['runsvdir', '-P', path.join(DIR, 'runit-service')],
  setup: () => void fs.mkdirSync(path.join(DIR, 'runit-service'), { recursive: true }),
  readyCaught: ['SIGTERM'],
});
add({
  id: 'busybox-crond',
  label: 'busybox crond -f',
  argv: ['busybox', 'crond', '-f', '-c', path.join(DIR, 'crontabs')],
  comm: 'busybox',
  setup: () => void fs.mkdirSync(path.join(DIR, 'crontabs'), { recursive: true }),
});

/** The signals to try: every stop signal the entry describes, and each signal that starts its graceful stop. */
function signalsFor(id: string): string[] {
  const e = catalogueById(id);
  const described = STOP_SIGNALS.filter((s) => e.signals[s] && e.signals[s]?.reaction !== 'program-decides');
  return [...new Set<string>([...described, ...e.graceful.signals])];
}

function assertMask(run: InitRun, sig: number, b: SignalBehaviour, what: string): void {
  const [cgt, ign, blk] = [run.mask('SigCgt'), run.mask('SigIgn'), run.mask('SigBlk')];
  const name = signalName(sig);
  switch (b.mask) {
    case 'SigCgt':
      assert.ok(cgt.includes(sig), `${what}: SigCgt should have ${name}`);
      break;
    case 'SigIgn':
      assert.ok(ign.includes(sig), `${what}: SigIgn should have ${name}`);
      break;
    case 'SigBlk':
      assert.ok(blk.includes(sig) && !cgt.includes(sig), `${what}: ${name} should be blocked (taken by sigwait), not caught`);
      break;
    case 'none':
      assert.ok(!cgt.includes(sig) && !ign.includes(sig) && !blk.includes(sig), `${what}: ${name} should have no handler, not be ignored or blocked`);
      break;
  }
}

async function readyOf(run: InitRun, r: Recipe): Promise<void> {
  if (r.ready) {
    const re = r.ready;
    const text = (): string => run.output() + (r.logFile && fs.existsSync(r.logFile) ? fs.readFileSync(r.logFile, 'utf8') : '');
    await waitFor(
      `${r.label ?? r.id} to say ${re}`,
      () => {
        if (!run.alive()) throw new Error(`${r.label ?? r.id} ended before it was ready:\n${text().slice(-1500)}`);
        return re.test(text()) ? true : undefined;
      },
      r.startMs ?? 15_000,
      50,
    );
  }
  if (r.readyCaught) {
    const want = r.readyCaught.map((s) => parseSignal(s));
    await waitFor(`${r.label ?? r.id} to catch ${r.readyCaught.join(', ')}`, () => (want.every((n) => run.mask('SigCgt').includes(n)) ? true : undefined), r.startMs ?? 15_000, 50);
  }
  if (r.readyChildCaught) {
    const want = r.readyChildCaught.map((s) => parseSignal(s));
    const caught = (pid: number): number[] => {
      const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(fs.existsSync(`/proc/${pid}/status`) ? fs.readFileSync(`/proc/${pid}/status`, 'utf8') : '');
      return m?.[1] ? decodeMask(m[1]) : [];
    };
    await waitFor(
      `a child of ${r.label ?? r.id} to catch ${r.readyChildCaught.join(', ')}`,
      () => (childrenOf(run.pid).some((c) => want.every((n) => caught(c).includes(n))) ? true : undefined),
      r.startMs ?? 15_000,
      50,
    );
  }
  await sleep(r.settleMs ?? 200);
}

describe('the catalogue, checked against real programs as PID 1', { concurrency: 4 }, () => {
  for (const r of RECIPES) {
    test(`${r.label ?? r.id}`, async (t) => {
      const entry = catalogueById(r.id);
      const argv = [...r.argv];
      if (argv[0] === '<go>') {
        try {
          argv[0] = goBinary();
        } catch (e) {
          t.skip(String((e as Error).message));
          return;
        }
      }
      const exe = programPath(argv[0] as string);
      if (!exe) {
        t.skip(`${argv[0]} is not installed here (Debian: ${entry.debian ?? 'not packaged'})`);
        return;
      }
      if (!r.unnamed) {
        // The lookup the launch model uses finds this entry from the same command line.
        assert.equal(catalogueEntryForArgv(argv)?.entry.id, r.id, `catalogueEntryForArgv(${JSON.stringify(argv)})`);
      }
      try {
        r.setup?.();
      } catch (e) {
        t.skip(String((e as Error).message));
        return;
      }
      for (const s of signalsFor(r.id)) {
        const sig = parseSignal(s);
        const b = behaviourOn(entry, s);
        const what = `${r.label ?? r.id} as PID 1, ${s}`;
        if (r.logFile) fs.rmSync(r.logFile, { force: true });
        const t0 = Date.now();
        const run = await startAsInit([...(r.wrap ?? []), exe, ...argv.slice(1)], {
          comm: r.comm ?? path.basename(exe).slice(0, 15),
          ...(r.cwd ? { cwd: r.cwd } : {}),
          ...(r.env ? { env: r.env } : {}),
          ...(r.quiet ? { quiet: true } : {}),
          ...(r.startMs ? { startMs: r.startMs } : {}),
        });
        try {
          await readyOf(run, r);
          // Graceful-only signals (WINCH, USR1) are not in the three described: check the handler exists.
          if ((STOP_SIGNALS as readonly string[]).includes(s)) assertMask(run, sig, b, what);
          else assert.ok(run.mask('SigCgt').includes(sig) || run.mask('SigBlk').includes(sig), `${what}: a graceful signal must be caught`);
          process.kill(run.pid, sig);
          const logs = (): string => run.output() + (r.logFile && fs.existsSync(r.logFile) ? fs.readFileSync(r.logFile, 'utf8') : '');
          if (KEEPS_RUNNING.has(b.reaction)) {
            await sleep(b.mask === 'none' ? HOLD_MS.none : HOLD_MS.handler);
            assert.ok(run.alive(), `${what}: the catalogue says ${b.reaction}, but it ended:\n${logs().slice(-800)}`);
          } else {
            const end = await within(run.exited, r.endMs ?? 30_000);
            assert.ok(end, `${what}: the catalogue says ${b.reaction}, but it still runs after ${r.endMs ?? 30_000} ms`);
            // unshare --fork exits with its child's status.
            if (b.status !== undefined) assert.equal(end.code, b.status, `${what}: exit status\n${logs().slice(-800)}`);
          }
          const logRe = r.logs?.[s];
          // The last lines may still be in the pipe when the exit is seen (a busy machine): give them a moment.
          if (logRe) await waitFor(`${what}: its log`, () => (logRe.test(logs()) ? true : undefined), 2000, 50).catch(() => undefined);
          if (logRe) assert.match(logs(), logRe, `${what}: the program's own log shows which stop it began`);
          t.diagnostic(`${s}: ${b.reaction}${b.status !== undefined ? ` (exit ${b.status})` : ''}, checked in ${Date.now() - t0} ms`);
        } finally {
          await run.destroy();
        }
      }
    });
  }
});

test('every catalogue entry cites a source for each claim', () => {
  for (const e of CATALOGUE) {
    assert.ok(e.graceful.source.length > 0, `${e.id}: graceful`);
    for (const s of STOP_SIGNALS) {
      const b = e.signals[s];
      if (b) assert.ok(b.source.length > 0 && b.note.length > 0, `${e.id} ${s}`);
      if (b && KEEPS_RUNNING.has(b.reaction)) assert.equal(b.status, undefined, `${e.id} ${s}: a program that keeps running has no exit status`);
    }
    if (e.code) assert.ok(e.code.source.length > 0, `${e.id}: code`);
  }
});

test('every installable entry has a recipe here (or says why not)', () => {
  const recipes = new Set(RECIPES.map((r) => r.id));
  const missing = CATALOGUE.filter((e) => e.debian !== undefined && !recipes.has(e.id)).map((e) => e.id);
  // .NET, Deno, Bun, Traefik, Envoy, MongoDB, cronie and supercronic are not in Debian: they have no debian field.
  assert.deepEqual(missing, [], 'entries with a Debian package but no real-program recipe');
});

test('R -e with a query as PID 1 prints and exits 0 by itself, and the launch model says nothing is left to stop; a sleep is not a query', (t) => {
  if (!programPath('R')) {
    t.skip('R is not installed here (scripts/install-deps.sh installs r-base-core)');
    return;
  }
  // pegi3s' list_r_packages.sh: `R -e "installed.packages()[, c('Package', 'Version')]"`
  const expr = "installed.packages()[1:2, c('Package', 'Version')]";
  const out = execFileSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', 'R', '-e', expr], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, /Package\s+Version/);
  const chain = (argv: string[]): number => chainFromArgv(argv, { sh: 'dash', signal: 'SIGTERM' }).processes.length;
  assert.equal(chain(['R', '-e', expr]), 0);
  assert.equal(chain(['Rscript', '-e', 'sessionInfo()']), 0);
  // code that keeps running, or a file R runs, is a process the stop reaches (and R drops SIGTERM as PID 1)
  assert.equal(chain(['Rscript', '-e', 'Sys.sleep(1000)']), 1);
  assert.equal(chain(['R', '-e', 'shiny::runApp("/app", port = 3838)']), 1);
  assert.equal(chain(['Rscript', 'app.R']), 1);
});

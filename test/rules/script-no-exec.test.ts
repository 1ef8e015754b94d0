import rule from '../../src/rules/script-no-exec.js';
import { ruleTester } from '../helpers/rule-tester.js';

const OFFICIAL =
  '#!/bin/bash\nset -e\n_is_sourced() {\n  [ "${#FUNCNAME[@]}" -ge 2 ] && [ "${FUNCNAME[0]}" = _is_sourced ] && [ "${FUNCNAME[1]}" = source ]\n}\n_main() {\n  if [ "$1" = postgres ]; then\n    echo "setting up"\n    exec gosu postgres "$BASH_SOURCE" "$@"\n  fi\n  exec "$@"\n}\nif ! _is_sourced; then\n  _main "$@"\nfi\n';
const WITH = (script: string, cmd = '["svc"]'): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile: `FROM debian:bookworm\nCOPY e.sh /e.sh\nENTRYPOINT ["/e.sh"]\nCMD ${cmd}\n`,
  files: { 'e.sh': script },
});
const ENTRY = '#!/bin/sh\nset -e\n./migrate\ngunicorn app:app\n';
/** ENTRYPOINT alone: Docker resets the base image's CMD, so the script gets no parameters ($# is 0). */
const ALONE = (script: string, env = ''): { dockerfile: string; files: Record<string, string> } => ({
  dockerfile: `FROM debian:bookworm\n${env}COPY e.sh /e.sh\nENTRYPOINT ["/e.sh"]\n`,
  files: { 'e.sh': script },
});
const ARGS_OR_START = '#!/bin/bash\nif [ $# -gt 0 ]; then\n    exec "$@"\nelse\n    start-all.sh\n    tail -f /dev/null /logs/*\nfi\n';
const SCHEDULED = '#!/bin/sh\nset -e\nif [ "${SCHEDULE}" = "**None**" ]; then\n  backup "$@"\nelse\n  exec go-cron "$SCHEDULE" backup "$@"\nfi\n';

const TEMP_SERVER = (stop: string): string =>
  `#!/bin/sh\nset -e\nsvc --listen 127.0.0.1:8999 &\npid="$!"\n./load-schema\nif ! ${stop} || ! wait "$pid"; then\n  echo 'init failed' >&2\n  exit 1\nfi\nexec "$@"\n`;
const HELP_OR_SERVE =
  '#!/bin/sh\nconfigure() { tool=/opt/app/bin/config-tool; "$tool" --write /etc/app.conf; }\nconfigure\nif [ "$1" = help ]; then\n  echo "usage: (serve|help)"\n  exit 0\nelif [ "$1" = serve ]; then\n  exec svc\nfi\nexec "$@"\n';

/** pegi3s's tool wrappers: an argument count check that prints a coloured usage (tput) and exits before the work. */
const USAGE_CHECK =
  '#!/bin/bash\nset -o errexit\nusage() { echo -e "Usage: tool <in> <genome> <out>"; }\nif [[ $1 == "--help" ]]; then\n  usage\n  exit 0\nfi\nif [ ! $# -eq 3 ] && [ ! $# -eq 4 ]; then\n  tput setaf 1\n  echo -e "Error. This script requires three or four arguments."\n  tput sgr0\n  usage\n  exit 1\nfi\npython3 /opt/tool.py "$1" "$2" "$3"\n';

/** pexcn's dev images: an operator's init hook, its failure passed on (`|| exit $?`), then a keep-alive under a trap that exits. */
const HOOK_THEN_KEEP_ALIVE =
  '#!/bin/bash\nrun_init_hook() {\n  [ -n "$DEV_INIT" ] || return 0\n  "$DEV_INIT"\n}\ngraceful_stop() {\n  echo stopping\n  exit 0\n}\nrun_init_hook || exit $?\ntrap graceful_stop TERM INT\nsleep infinity &\nwait\n';

ruleTester(rule, {
  valid: [
    // `X || exit $?` runs the exit only when X failed: a path that gives up, not where the script runs (shell-params-ns.test.ts runs it)
    { name: 'an init hook whose failure is passed on with `|| exit $?`, then a keep-alive under a trap that exits', ...ALONE(HOOK_THEN_KEEP_ALIVE) },
    // run as built (no CMD: no arguments) the count check fails and the script exits at once: nothing runs
    { name: 'an argument check with a tput-coloured usage, run with no arguments', ...ALONE(USAGE_CHECK) },
    // netbox-docker's housekeeping.sh under tini: bash below PID 1 dies of SIGTERM between passes (group-trap-ns.test.ts runs it)
    {
      name: 'a periodic job under tini: housekeeping, then a day-long sleep of a configured interval',
      dockerfile: 'FROM debian:bookworm\nCOPY housekeeping.sh /opt/housekeeping.sh\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["/opt/housekeeping.sh"]\n',
      files: {
        'housekeeping.sh':
          '#!/bin/bash\nSLEEP_SECONDS=${HOUSEKEEPING_INTERVAL:=86400}\nwhile true; do\n  date\n  /opt/venv/bin/python /opt/manage.py housekeeping\n  sleep "${SLEEP_SECONDS}s"\ndone\n',
      },
    },
    {
      name: 'a periodic job under tini with a literal day-long sleep',
      dockerfile: 'FROM debian:bookworm\nCOPY acme.sh /srv/acme.sh\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["/srv/acme.sh"]\n',
      files: { 'acme.sh': '#!/bin/bash\nwhile true; do\n  /usr/local/bin/renew-certs\n  sleep 1d\ndone\n' },
    },
    // test/shell-shapes-ns.test.ts runs this shape with real dash, bash and busybox ash: the exec'd service is PID 1
    {
      name: 'an init phase\'s temporary server, ended by the script itself (`kill -s TERM "$pid"; wait "$pid"`), then exec',
      ...WITH(TEMP_SERVER('kill -s TERM "$pid"')),
    },
    {
      name: "the image's CMD is `help`: the config step every server path goes past, then usage and exit 0",
      ...WITH(HELP_OR_SERVE, '["help"]'),
    },
    // cp-all-in-one's init_certificates.sh: a key pair for the broker, then permissions; the container ends by itself
    {
      name: 'openssl genrsa, rsa -pubout and chmod: a set-up that ends within seconds',
      dockerfile: 'FROM debian:bookworm\nCOPY init.sh /init.sh\nCMD ["/init.sh"]\n',
      files: {
        'init.sh':
          '#!/bin/sh\nset -e\nopenssl genrsa -out /data/keypair.pem 2048\nopenssl rsa -in /data/keypair.pem -outform PEM -pubout -out /data/public.pem\nchmod 644 /data/keypair.pem /data/public.pem\n',
      },
    },
    // Magnitus-'s ssh-encrypt: a key converted with ssh-keygen -e, a symmetric key, a file encrypted with a cipher named as
    // the command, the key wrapped with rsautl, then rm of the named files (no -r): every step ends at once
    {
      name: 'ssh-keygen -e -f, openssl rand, aes-256-cbc and rsautl, then rm of named files: a one-shot that ends within seconds',
      dockerfile: 'FROM ubuntu:20.04\nCOPY ssh-encrypt /usr/local/bin/\nCMD ["ssh-encrypt"]\n',
      files: {
        'ssh-encrypt':
          '#!/bin/bash\nssh-keygen -f $PUBLIC_KEY -e -m PKCS8 > id_rsa.pem.pub;\nopenssl rand -out symmetric_key 32;\nopenssl aes-256-cbc -md sha512 -pbkdf2 -salt -in $FILE -out ${FILE}.encrypted -pass file:symmetric_key;\nopenssl rsautl -encrypt -pubin -inkey id_rsa.pem.pub -in symmetric_key -out symmetric_key.encrypted;\nrm $FILE;\nrm symmetric_key;\n',
      },
    },
    {
      name: 'the same entrypoint serving: the config step, then exec svc',
      ...WITH(HELP_OR_SERVE, '["serve"]'),
    },
    // a compose service's literal environment, over the image's ENV, is the container's whole environment: it decides the script's test
    {
      name: 'compose environment decides the entrypoint: MODE=exec takes the exec',
      compose: 'services:\n  app:\n    build: .\n    environment:\n      MODE: exec\n',
      files: {
        Dockerfile: 'FROM debian:bookworm\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
        'entrypoint.sh': '#!/bin/sh\nif [ "$MODE" = "exec" ]; then\n  exec svc\nfi\nsvc\n',
      },
    },
    // ENTRYPOINT with no CMD (Docker resets the base image's CMD): `exec "$@"` has nothing to run, so the set-up steps run
    // and the script exits; the service was to be the command given at run time (POSIX exec with no command)
    {
      name: 'set-up steps, then `exec "$@"` with no CMD: a set-up that ends, not a service behind a shell',
      ...ALONE('#!/bin/sh\nset -e\npython manage.py flush --no-input\npython manage.py migrate\nexec "$@"\n'),
    },
    {
      name: 'a one-shot that loads firewall rules and lists them (iptables-restore, iptables -L return at once)',
      dockerfile: 'FROM debian:bookworm\nCOPY run.sh /run.sh\nCMD ["/run.sh"]\n',
      files: { 'run.sh': '#!/bin/bash\nset -e\niptables-restore < /etc/iptables/rules\niptables -L -n\n' },
    },
    // Measured in test/lint-real.test.ts: the trap forwards and waits after the current `sleep 1`; the loop then ends.
    {
      name: 'a keep-alive loop that leaves once the service is gone, with a trap that forwards and waits',
      script: '#!/bin/bash\n_term() { kill -TERM "$child"; wait "$child"; }\ntrap _term TERM\nsvc &\nchild=$!\nwhile true; do\n  if ! kill -0 $child 2>/dev/null; then break; fi\n  sleep 1\ndone\n',
    },
    { name: 'the official-image pattern: _main "$@" ends in exec "$@" (and re-execs itself under gosu)', ...WITH(OFFICIAL, '["postgres"]') },
    // Measured in test/shell-exec.test.ts: dash, bash and busybox ash run the exec builtin from the expanded word.
    {
      name: 'exec kept in a variable: ${exec_cmd} "$@" (neo4j)',
      ...WITH('#!/bin/bash\nset -e\nif [ "$(id -u)" = 0 ]; then\n  exec_cmd="exec gosu neo4j:neo4j"\nelse\n  exec_cmd="exec"\nfi\n${exec_cmd} "${@}"\n', '["neo4j-admin"]'),
    },
    {
      name: "a script that lists the image's plugins and ends",
      ...WITH(
        '#!/usr/bin/env bash\nset -euo pipefail\nplugins=/github/plugins\nsubmodules="$(cd "$plugins"; git submodule status | awk \'{print $2}\')"\nfind "$plugins" -maxdepth 2 -type f -iname \'*.sh\' |\ngrep -iv -e lib_ $(for s in $submodules; do echo -n "-e $s "; done) |\nxargs -n1 basename |\nsort\n',
        '[]',
      ),
    },
    // A command that may serve and returns (`chown`, `helper`) leaves $1 as it was: the CMD still decides the branch.
    {
      name: 'the parameters still decide after a command that is not the last: start execs the service',
      ...WITH('#!/bin/bash\nchown -R app /data\nconfigure_app\ncase "$1" in\n  start) exec svc ;;\n  init) migrate ;;\nesac\n', '["start"]'),
    },
    { name: 'mount returns at once: with no parameters the script ends by itself', ...ALONE('#!/bin/bash\nset -e\nmount -t debugfs none /sys/kernel/debug/\nexec "$@"\n') },
    // tree-sitter-bash cannot parse this regex (issues #224, #321) and made the whole file an ERROR; the regex is blanked and parsed again.
    {
      name: 'a =~ regex the grammar cannot parse (percona mongodb entrypoints) does not hide the final exec',
      ...WITH(
        '#!/bin/bash\nset -Eeuo pipefail\nrename_arg() {\n  local oldArg="$1"; shift\n  local val=""\n  while [ "$#" -gt 0 ]; do\n    local arg="$1"; shift\n    if [[ "$arg" =~ "$oldArg"=(.*) ]]; then\n      val=${BASH_REMATCH[1]}\n      continue\n    fi\n  done\n}\nnuma=\'numactl --interleave=all\'\nif $numa true &> /dev/null; then\n  set -- $numa "$@"\nfi\nexec "$@"\n',
        '["mongod"]',
      ),
    },
    { name: 'if/else: both branches exec', ...WITH('#!/bin/sh\nif [ -n "$DEBUG" ]; then\n  exec svc --debug\nelse\n  exec svc\nfi\n') },
    { name: 'case: every item execs or exits', ...WITH('#!/bin/sh\ncase "$1" in\n  -*) exec svc "$@" ;;\n  help) echo usage; exit 0 ;;\n  *) exec "$@" ;;\nesac\n') },
    { name: 'a condition on the CMD decides: the branch it takes execs', ...WITH('#!/bin/sh\nif [ "$1" = svc ]; then\n  exec svc --port 80\nfi\nsu app -c "$*"\n') },
    { name: 'an endless loop whose trap ends the script', script: "#!/bin/sh\ntrap 'exit 0' TERM\nwhile true; do sleep 5; done\n" },
    // A path that gives up (`|| exit 1`, an error function's `exit 1`) ends the container by itself; the exec decides.
    {
      name: 'failure exits are not where the script runs',
      ...WITH('#!/bin/sh\nfail() { echo "error: $1"; echo "see the docs"; exit 1; }\n./migrate || exit 1\n[ -n "$DB" ] || fail "no DB"\nexec svc\n'),
    },
    // `wait` for a background sleep returns at once on a trapped signal (POSIX wait): the trap ends the loop.
    {
      name: 'a keep-alive loop of `sleep & wait` with a trap that exits',
      script: '#!/bin/bash\nstop() { kill -TERM $pid; wait $pid; exit 0; }\ntrap stop TERM\nsvc & pid=$!\nwhile :; do sleep 1000 & wait; done\n',
    },
    {
      name: 'exec "$@" with a shell-form CMD: the script execs; the CMD shell is shell-pid1\'s finding',
      dockerfile: 'FROM debian:bookworm\nCOPY e.sh /e.sh\nENTRYPOINT ["/e.sh"]\nCMD ["sh", "-c", "svc"]\n',
      files: { 'e.sh': '#!/bin/sh\nexec "$@"\n' },
    },
    {
      name: 'exec at the end',
      dockerfile: 'FROM debian:bookworm\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
      files: { 'entrypoint.sh': '#!/bin/sh\nset -e\nexec gunicorn app:app\n' },
    },
    {
      name: 'exec "$@" with an exec-form CMD',
      dockerfile: 'FROM debian:bookworm\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["svc"]\n',
      files: { 'docker-entrypoint.sh': '#!/bin/sh\nset -e\nif [ "$1" = svc ]; then echo starting; fi\nexec "$@"\n' },
    },
    { name: 'standalone script that execs', script: '#!/bin/bash\nexec svc --port 80\n' },
    { name: 'if [ $# -gt 0 ] with a CMD: the branch that execs the CMD runs', ...WITH(ARGS_OR_START) },
    { name: 'the ENV decides a test: the branch it takes execs', ...ALONE(SCHEDULED, 'ENV SCHEDULE="@daily"\n') },
    // Docker resets CMD when the Dockerfile sets ENTRYPOINT: `exec "$@"` with no parameters runs nothing and the script goes on.
    { name: 'exec "$@" with no parameters is no command: the script goes on to its exec', ...ALONE('#!/bin/sh\n[ -n "$DEBUG" ] && set -x\nexec "$@"\nexec svc\n') },
    { name: 'standalone script ending in exec "$@"', script: '#!/bin/sh\nexport A=1\nexec "$@"\n' },
  ],
  invalid: [
    {
      name: 'the service checked with `|| exit $?` as the last line: its shell still waits for it as PID 1',
      ...ALONE('#!/bin/bash\n./migrate || exit $?\ngunicorn app:app || exit $?\n'),
      errors: [{ file: 'e.sh', line: 3, messageId: 'shellStays' }],
      outputFiles: { 'e.sh': '#!/bin/bash\n./migrate || exit $?\nexec gunicorn app:app || exit $?\n' },
    },
    // mantid's development images: `for rule in /etc/entrypoint.d/*.sh; do source $rule; done`, the directory the
    // Dockerfile ADDs, then `runuser -u abc -- ${CMD}` without exec
    {
      name: 'files sourced through a glob of a directory the build fills: read, and they set variables only',
      dockerfile: 'FROM almalinux:9\nADD entrypoint.sh /entrypoint.sh\nADD entrypoint.d/ /etc/entrypoint.d/\nENTRYPOINT ["/entrypoint.sh"]\n',
      files: {
        'entrypoint.sh': '#!/bin/bash\nfor rule in /etc/entrypoint.d/*.sh;\ndo\n  source $rule\ndone\nCMD=${@:-"bash"}\nrunuser -u abc -- ${CMD}\n',
        'entrypoint.d/10-user.sh': 'useradd abc || true\nexport HOME=/home/abc\n',
        'entrypoint.d/20-env.sh': 'export LANG=C.UTF-8\n',
      },
      errors: [{ file: 'entrypoint.sh', severity: 'error', message: /without exec/ }],
      output: null,
    },
    {
      name: 'one of the globbed files runs exec: what the shell ends up running is not certain (a warning)',
      dockerfile: 'FROM almalinux:9\nADD entrypoint.sh /entrypoint.sh\nADD entrypoint.d/ /etc/entrypoint.d/\nENTRYPOINT ["/entrypoint.sh"]\n',
      files: {
        'entrypoint.sh': '#!/bin/bash\nfor rule in /etc/entrypoint.d/*.sh; do\n  source "$rule"\ndone\nrunuser -u abc -- server\n',
        'entrypoint.d/10-user.sh': 'export HOME=/home/abc\n',
        'entrypoint.d/90-takeover.sh': '[ -n "$TAKEOVER" ] && exec other-server\n',
      },
      errors: [{ file: 'entrypoint.sh', severity: 'warning' }],
      output: null,
    },
    // HELK's spark-master-entrypoint.sh: Spark's own env scripts are sourced (exports only), then spark-class without exec
    {
      name: "Spark's spark-config.sh and load-spark-env.sh sourced first: they set variables only, so bash stays PID 1 for certain",
      dockerfile: 'FROM debian:bookworm\nENV SPARK_HOME=/opt/spark\nCOPY master.sh /opt/spark/sbin/\nENTRYPOINT ["/opt/spark/sbin/master.sh"]\n',
      files: {
        'master.sh':
          '#!/bin/bash\n. "${SPARK_HOME}/sbin/spark-config.sh"\n. "${SPARK_HOME}/bin/load-spark-env.sh"\nCLASS="org.apache.spark.deploy.master.Master"\n"${SPARK_HOME}"/bin/spark-class $CLASS --host 0.0.0.0\n',
      },
      errors: [{ file: 'master.sh', severity: 'error', message: /runs `\$\{SPARK_HOME\}\/bin\/spark-class` without exec|without exec/ }],
      output: null,
    },
    {
      // given its three arguments the check passes: python3 runs as bash's child
      name: 'the same tool given its arguments: python3 under bash',
      ...WITH(USAGE_CHECK, '["in.fa", "genome.fa", "out.gff3"]'),
      errors: [{ file: 'e.sh', severity: 'error', message: /runs `python3` without exec/ }],
      outputFiles: { 'e.sh': USAGE_CHECK.replace('\npython3 ', '\nexec python3 ') },
    },
    // rancher/catalog-dockerfiles etcd: `eval $1` with CMD ["node"] calls node(), whose branches run etcd without exec
    {
      name: 'eval $1 calls the function the CMD names, which runs the service without exec',
      dockerfile: 'FROM alpine:3.19\nCOPY run.sh /run.sh\nENTRYPOINT ["/run.sh"]\nCMD ["node"]\n',
      files: {
        'run.sh':
          '#!/bin/bash\nstandalone() {\n  etcd --name "$NAME" --data-dir /data\n}\nnode() {\n  if [ -d /data/member ]; then\n    standalone\n  else\n    standalone\n  fi\n}\nif [ $# -eq 0 ]; then\n  standalone\nelse\n  eval $1\nfi\n',
      },
      errors: [{ file: 'run.sh', line: 3, severity: 'error', messageId: 'shellStays' }],
      outputFiles: {
        'run.sh':
          '#!/bin/bash\nstandalone() {\n  exec etcd --name "$NAME" --data-dir /data\n}\nnode() {\n  if [ -d /data/member ]; then\n    standalone\n  else\n    standalone\n  fi\n}\nif [ $# -eq 0 ]; then\n  standalone\nelse\n  eval $1\nfi\n',
      },
    },
    {
      name: 'a restart loop under tini (the service, then a short sleep): bash dies at once and the service is SIGKILLed with tini',
      dockerfile: 'FROM debian:bookworm\nCOPY run.sh /run.sh\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["/run.sh"]\n',
      files: { 'run.sh': '#!/bin/bash\nwhile true; do\n  /opt/venv/bin/python /opt/server.py\n  sleep 5\ndone\n' },
      errors: [{ file: 'run.sh', severity: 'error', messageId: 'shellDies' }],
      output: null,
    },
    {
      name: 'the same periodic loop as PID 1 (no init): bash drops SIGTERM and the container waits for the SIGKILL',
      dockerfile: 'FROM debian:bookworm\nCOPY housekeeping.sh /opt/housekeeping.sh\nCMD ["/opt/housekeeping.sh"]\n',
      files: { 'housekeeping.sh': '#!/bin/bash\nwhile true; do\n  /opt/venv/bin/python /opt/manage.py housekeeping\n  sleep "${INTERVAL}s"\ndone\n' },
      errors: [{ file: 'housekeeping.sh', severity: 'error', messageId: 'loop' }],
      output: null,
    },
    // a context source with a leading `/` is the context's file (Flexberry's `COPY /docker-cmd.sh /`); ALT Linux's sh is bash
    {
      name: 'COPY /run.sh / on alt:p10: the context run.sh, whose bash keeps redis-server as its child',
      dockerfile: 'FROM alt:p10\nCOPY /run.sh /\nCMD /run.sh\n',
      files: { 'run.sh': '#!/bin/sh\nredis-server --protected-mode no\necho stopped\n' },
      errors: [{ file: 'run.sh', line: 2, messageId: 'notLast' }],
      output: null,
    },
    // a signal that does not end the job (a reload), or a PID read from a file, leaves the shell waiting for it
    {
      name: 'a temporary server sent SIGHUP (a reload), not ended: the shell waits for it',
      ...WITH(TEMP_SERVER('kill -HUP "$pid"')),
      errors: [{ file: 'e.sh', line: 6, messageId: 'shellStays' }],
      output: null,
    },
    {
      name: 'a kill of a PID read from a file says nothing of the job',
      ...WITH(TEMP_SERVER('kill "$(cat /run/other.pid)"')),
      errors: [{ file: 'e.sh', line: 6, messageId: 'shellStays' }],
      output: null,
    },
    {
      name: 'openssl s_server runs until stopped: the script waits behind it',
      dockerfile: 'FROM debian:bookworm\nCOPY init.sh /init.sh\nCMD ["/init.sh"]\n',
      files: { 'init.sh': '#!/bin/sh\nopenssl req -x509 -newkey rsa:2048 -nodes -subj /CN=t -keyout k.pem -out c.pem\nopenssl s_server -accept 127.0.0.1:4433 -key k.pem -cert c.pem -www\n' },
      errors: [{ file: 'init.sh', line: 3, messageId: 'shellStays' }],
      outputFiles: {
        'init.sh': '#!/bin/sh\nopenssl req -x509 -newkey rsa:2048 -nodes -subj /CN=t -keyout k.pem -out c.pem\nexec openssl s_server -accept 127.0.0.1:4433 -key k.pem -cert c.pem -www\n',
      },
    },
    {
      name: 'a config step that no path goes past is the service (the help path alone)',
      ...WITH('#!/bin/sh\nconfigure() { tool=/opt/app/bin/config-tool; "$tool" --write /etc/app.conf; }\nconfigure\necho "usage: (help)"\nexit 0\n', '["help"]'),
      errors: [{ file: 'e.sh', line: 2, messageId: 'notLast' }],
      output: null,
    },
    {
      name: 'compose environment decides the entrypoint: MODE=other runs svc without exec (certain)',
      compose: 'services:\n  app:\n    build: .\n    environment:\n      MODE: other\n',
      files: {
        Dockerfile: 'FROM debian:bookworm\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
        'entrypoint.sh': '#!/bin/sh\nif [ "$MODE" = "exec" ]; then\n  exec svc\nfi\nsvc\n',
      },
      outputFiles: { 'entrypoint.sh': '#!/bin/sh\nif [ "$MODE" = "exec" ]; then\n  exec svc\nfi\nexec svc\n' },
      errors: [{ severity: 'error', file: 'entrypoint.sh' }],
    },
    {
      name: 'an env_file may set MODE: the path is open (warning)',
      compose: 'services:\n  app:\n    build: .\n    env_file: app.env\n    environment:\n      LOG: info\n',
      files: {
        Dockerfile: 'FROM debian:bookworm\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
        'entrypoint.sh': '#!/bin/sh\nif [ "$MODE" = "exec" ]; then\n  exec svc\nfi\nsvc\n',
        'app.env': 'MODE=exec\n',
      },
      outputFiles: { 'entrypoint.sh': '#!/bin/sh\nif [ "$MODE" = "exec" ]; then\n  exec svc\nfi\nexec svc\n' },
      errors: [{ severity: 'warning', file: 'entrypoint.sh' }],
    },
    // the base image's /opt/couchbase is a directory: `COPY f.sh /opt/couchbase` puts f.sh in it, as the CMD's path says
    {
      name: 'COPY into a base image directory without a slash; `set -m; svc & ...; fg 1` keeps bash in front (group-trap-ns.test.ts runs it)',
      dockerfile: 'FROM couchbase:7.6.0\nCOPY configure-node.sh /opt/couchbase\nCMD ["/opt/couchbase/configure-node.sh"]\n',
      files: { 'configure-node.sh': '#!/bin/bash\nset -m\n/entrypoint.sh couchbase-server &\nsleep 15\ncurl -s http://127.0.0.1:8091/pools\nfg 1\n' },
      errors: [{ file: 'configure-node.sh', severity: 'error', message: /runs `\/entrypoint.sh` without exec: the script's shell \(bash\) stays PID 1/ }],
      output: null,
    },
    {
      name: 'a trap that exits, in front of a loop whose commands pid1 cannot time (curl, sleep $INTERVAL): a warning, the trap may run soon',
      dockerfile: 'FROM debian:bookworm\nCOPY run.sh /run.sh\nCMD ["/run.sh"]\n',
      files: { 'run.sh': '#!/bin/bash\ntrap "exit 0" TERM\nwhile true; do\n  curl -s http://127.0.0.1:8080/ >/dev/null\n  sleep "$INTERVAL"\ndone\n' },
      errors: [{ file: 'run.sh', severity: 'warning', line: 3 }],
    },
    {
      name: 'the same loop with `sleep infinity` in the foreground: the trap never runs, an error',
      dockerfile: 'FROM debian:bookworm\nCOPY run.sh /run.sh\nCMD ["/run.sh"]\n',
      files: { 'run.sh': '#!/bin/bash\ntrap "exit 0" TERM\nwhile true; do\n  curl -s http://127.0.0.1:8080/ >/dev/null\n  sleep infinity\ndone\n' },
      errors: [{ file: 'run.sh', severity: 'error', line: 3 }],
    },
    // tree-sitter-bash cannot parse a backquoted comment inside a continued pipeline: the loss is likely, not certain.
    {
      name: 'text the shell grammar cannot parse makes it a warning',
      ...WITH('#!/bin/bash\nx=$(\n  a \\\n  `# c` \\\n  | b)\nsvc --port 80\n'),
      errors: [{ file: 'e.sh', line: 6, severity: 'warning', messageId: 'shellStays' }],
      // no fix either: pid1 does not rewrite a script it cannot parse
      output: null,
    },
    // `bundle exec` and a function named exec_as_git are words, not the exec builtin: the sourced file changes nothing, so the loss is certain.
    {
      name: 'a sourced file that only defines functions (one runs `bundle exec`): certain, not a warning',
      dockerfile: 'FROM debian:bookworm\nCOPY functions /etc/app/functions\nCOPY e.sh /e.sh\nENTRYPOINT ["/e.sh"]\nCMD ["start"]\n',
      files: {
        functions: '#!/bin/bash\nexec_as_git() { sudo -HEu git "$@"; }\nmigrate_database() {\n  exec_as_git bundle exec rake db:migrate >/dev/null\n}\n',
        'e.sh': '#!/bin/bash\nset -e\nsource /etc/app/functions\nmigrate_database\nsvc --port 80\n',
      },
      errors: [{ file: 'e.sh', line: 5, severity: 'error', messageId: 'shellStays' }],
      outputFiles: { 'e.sh': '#!/bin/bash\nset -e\nsource /etc/app/functions\nmigrate_database\nexec svc --port 80\n' },
    },
    {
      name: 'a variable that holds a program without exec: the shell runs it as its child',
      ...WITH('#!/bin/bash\nrun_cmd="gosu app"\n${run_cmd} "$@"\n'),
      errors: [{ file: 'e.sh', line: 3, severity: 'error', messageId: 'shellStays' }],
    },
    {
      name: 'a variable that is exec on one branch only is not an exec',
      ...WITH('#!/bin/bash\nif [ -n "$AS_ROOT" ]; then\n  run="exec"\nelse\n  run="runuser -u app --"\nfi\n${run} "$@"\n'),
      errors: [{ file: 'e.sh', line: 7, severity: 'error', messageId: 'shellStays' }],
    },
    {
      name: 'a trap that forwards and waits, but the loop goes on until the SIGKILL',
      script: "#!/bin/sh\ntrap 'kill -TERM $pid; wait $pid' TERM\nsvc &\npid=$!\nwhile true; do sleep 1; done\n",
      errors: [{ messageId: 'loopGoesOn', line: 5, message: /its trap passes SIGTERM on to the service, but nothing ends the loop/, suggestion: /kill -0/ }],
      output: null,
    },
    // A sourced file pid1 cannot read runs in the shell (a trap there would change the stop): not certain.
    {
      name: 'a sourced file pid1 cannot see makes it a warning',
      ...WITH('#!/bin/sh\n. /opt/app/env.sh\nsvc\n'),
      errors: [{ messageId: 'shellStays', severity: 'warning', file: 'e.sh' }],
      outputFiles: { 'e.sh': '#!/bin/sh\n. /opt/app/env.sh\nexec svc\n' },
    },
    {
      name: 'a sourced environment file that only sets variables keeps it certain',
      ...WITH('#!/bin/sh\n. /etc/apache2/envvars\napache2 -D FOREGROUND\n'),
      errors: [{ messageId: 'shellStays', severity: 'error', file: 'e.sh' }],
    },
    // (no fix: exec'd, apache2 still takes SIGTERM as its immediate stop; its graceful one is SIGWINCH)
    {
      name: 'one branch execs, the other runs su -c: which one runs decides (warning at the su line)',
      ...WITH('#!/bin/bash\nif [ -z "$NEWUSER" ]; then\n  exec svc -w\nelse\n  useradd "$NEWUSER"\n  su "$NEWUSER" -c "svc -w"\nfi\n'),
      errors: [{ file: 'e.sh', line: 6, severity: 'warning', messageId: 'shellStays' }],
    },
    {
      name: 'the CMD takes the su -c branch: certain',
      ...WITH('#!/bin/sh\nif [ "$1" = "svc" ] || [ "$1" = "svc-web" ]; then\n  chown -R app /data\n  su app -c "$@"\nelse\n  exec "$@"\nfi\n'),
      errors: [{ file: 'e.sh', line: 4, severity: 'error', messageId: 'shellStays' }],
    },
    // The launch's argv is known, so the positional parameters are: `$#`, `$1` decide the branch (certain).
    {
      name: 'ENTRYPOINT alone: $# is 0, the else branch runs tail in the foreground',
      ...ALONE(ARGS_OR_START),
      errors: [{ file: 'e.sh', line: 6, severity: 'error', messageId: 'shellStays', message: /runs `tail` without exec/ }],
    },
    {
      name: 'CMD runs the script itself with no parameters: [ -z "$1" ] is true',
      dockerfile: 'FROM debian:bookworm\nCOPY e.sh /e.sh\nCMD ["/e.sh"]\n',
      files: { 'e.sh': '#!/bin/sh\nif [ -z "$1" ]; then\n  svc --port 80\nelse\n  exec "$@"\nfi\n' },
      errors: [{ file: 'e.sh', line: 3, severity: 'error', messageId: 'shellStays' }],
      outputFiles: { 'e.sh': '#!/bin/sh\nif [ -z "$1" ]; then\n  exec svc --port 80\nelse\n  exec "$@"\nfi\n' },
    },
    {
      name: '[ "$#" -eq 0 ] with ENTRYPOINT alone',
      ...ALONE('#!/bin/sh\nif [ "$#" -eq 0 ]; then\n  svc --port 80\nelse\n  exec "$@"\nfi\n'),
      errors: [{ file: 'e.sh', line: 3, severity: 'error', messageId: 'shellStays' }],
      outputFiles: { 'e.sh': '#!/bin/sh\nif [ "$#" -eq 0 ]; then\n  exec svc --port 80\nelse\n  exec "$@"\nfi\n' },
    },
    {
      name: 'ENV SCHEDULE **None** (the default the Dockerfile sets) takes the branch without exec: certain',
      ...ALONE(SCHEDULED, 'ENV SCHEDULE **None**\n'),
      errors: [{ file: 'e.sh', line: 4, severity: 'error', messageId: 'shellStays', message: /runs `backup` without exec/ }],
      outputFiles: { 'e.sh': SCHEDULED.replace('  backup', '  exec backup') },
    },
    // Sound only: a test on what pid1 does not know stays open, and the paths' split is a warning.
    {
      name: 'no ENV for the variable: both branches stay possible (warning)',
      ...ALONE(SCHEDULED),
      errors: [{ file: 'e.sh', line: 4, severity: 'warning', messageId: 'shellStays' }],
      outputFiles: { 'e.sh': SCHEDULED.replace('  backup', '  exec backup') },
    },
    {
      name: 'an ENV from an ARG with no default is not known: not decided',
      ...ALONE(SCHEDULED, 'ARG SCHEDULE\nENV SCHEDULE=$SCHEDULE\n'),
      errors: [{ file: 'e.sh', line: 4, severity: 'warning', messageId: 'shellStays' }],
      outputFiles: { 'e.sh': SCHEDULED.replace('  backup', '  exec backup') },
    },
    {
      name: 'a script that exports names built at run time may set the variable: not decided',
      ...ALONE(`#!/bin/sh\nwhile IFS= read -r kv; do export "$kv"; done < /etc/app.env\n${SCHEDULED.slice(10)}`, 'ENV SCHEDULE **None**\n'),
      errors: [{ file: 'e.sh', line: 5, severity: 'warning', messageId: 'shellStays' }],
      outputFiles: { 'e.sh': `#!/bin/sh\nwhile IFS= read -r kv; do export "$kv"; done < /etc/app.env\n${SCHEDULED.slice(10).replace('  backup', '  exec backup')}` },
    },
    {
      name: 'a variable the script assigns is not decided by the ENV',
      ...ALONE(`#!/bin/sh\nSCHEDULE=$(cat /etc/schedule)\n${SCHEDULED.slice(10)}`, 'ENV SCHEDULE **None**\n'),
      errors: [{ file: 'e.sh', line: 5, severity: 'warning', messageId: 'shellStays' }],
      outputFiles: { 'e.sh': `#!/bin/sh\nSCHEDULE=$(cat /etc/schedule)\n${SCHEDULED.slice(10).replace('  backup', '  exec backup')}` },
    },
    {
      name: 'an ENV placeholder after which every path gives up decides nothing (it is meant to be replaced)',
      ...ALONE('#!/bin/sh\nif [ "$BUCKET" = "**None**" ]; then\n  echo "set BUCKET"\n  exit 1\nfi\nif [ -n "$CRON" ]; then\n  exec go-cron "$CRON" backup\nfi\nbackup\n', 'ENV BUCKET **None**\n'),
      errors: [{ file: 'e.sh', line: 9, severity: 'warning', messageId: 'shellStays' }],
      outputFiles: { 'e.sh': '#!/bin/sh\nif [ "$BUCKET" = "**None**" ]; then\n  echo "set BUCKET"\n  exit 1\nfi\nif [ -n "$CRON" ]; then\n  exec go-cron "$CRON" backup\nfi\nexec backup\n' },
    },
    {
      name: 'the service is not the last command: no exec to add',
      script: '#!/bin/sh\nsvc --port 80\necho "svc stopped"\n',
      errors: [{ line: 2, messageId: 'notLast', message: /runs `svc` and then `echo "svc stopped"`/ }],
      output: null,
    },
    {
      name: 'an endless loop without a trap',
      script: '#!/bin/sh\nwhile true; do\n  date\n  sleep 5\ndone\n',
      errors: [{ line: 2, messageId: 'loop' }],
      output: null,
    },
    {
      name: 'the service inside a function: exec goes in front of it, in the function',
      script: '#!/bin/sh\nstart() {\n  echo starting\n  svc --port 80\n}\nstart\n',
      errors: [{ line: 4, messageId: 'shellStays' }],
      output: '#!/bin/sh\nstart() {\n  echo starting\n  exec svc --port 80\n}\nstart\n',
    },
    {
      name: 'server; exit $?: the shell waits for the service, then exits',
      script: '#!/bin/sh\nsvc --port 80\nexit $?\n',
      errors: [{ line: 2, messageId: 'notLast' }],
      output: null,
    },
    {
      name: 'COPY into a directory, run by name through PATH',
      dockerfile: 'FROM python:3.9-slim\nCOPY entrypoint.sh /usr/local/bin/\nENTRYPOINT ["entrypoint.sh"]\n',
      files: { 'entrypoint.sh': ENTRY },
      errors: [{ file: 'entrypoint.sh', line: 4, message: /without exec/ }],
      outputFiles: { 'entrypoint.sh': '#!/bin/sh\nset -e\n./migrate\nexec gunicorn app:app\n' },
    },
    {
      name: 'bash script: bash does not exec the last command of a script either',
      dockerfile: 'FROM fedora:40\nCOPY start.sh /app/start.sh\nWORKDIR /app\nCMD ["./start.sh"]\n',
      files: { 'start.sh': '#!/bin/bash\nsvc --port 80\n' },
      errors: [{ file: 'start.sh', line: 2 }],
      outputFiles: { 'start.sh': '#!/bin/bash\nexec svc --port 80\n' },
    },
    {
      name: 'COPY . with WORKDIR and sh script.sh',
      dockerfile: 'FROM ubuntu:24.04\nWORKDIR /srv\nCOPY . .\nCMD ["sh", "bin/run.sh"]\n',
      files: { 'bin/run.sh': 'echo hi\nsvc\n' },
      errors: [{ file: 'run.sh', line: 2 }],
      outputFiles: { 'run.sh': 'echo hi\nexec svc\n' },
    },
    {
      name: 'COPY --from a build stage',
      dockerfile:
        'FROM debian:bookworm AS build\nCOPY entrypoint.sh /out/entrypoint.sh\nFROM debian:bookworm\nCOPY --from=build --chmod=755 /out/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
      files: { 'entrypoint.sh': ENTRY },
      errors: [{ file: 'entrypoint.sh', line: 4 }],
      outputFiles: { 'entrypoint.sh': ENTRY.replace('\ngunicorn', '\nexec gunicorn') },
    },
    {
      name: 'heredoc COPY: the finding and the fix land in the Dockerfile',
      dockerfile: 'FROM debian:bookworm\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\necho starting\nsvc --port 80\nEOF\nENTRYPOINT ["/entrypoint.sh"]\n',
      errors: [{ line: 5 }],
      output: 'FROM debian:bookworm\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/sh\necho starting\nexec svc --port 80\nEOF\nENTRYPOINT ["/entrypoint.sh"]\n',
    },
    {
      name: 'a plain "$@" runs the CMD as a child of the script\'s shell',
      dockerfile: 'FROM node:20-bookworm-slim\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node", "server.js"]\n',
      files: { 'docker-entrypoint.sh': '#!/bin/sh\nset -e\necho "starting $*"\n"$@"\n' },
      errors: [{ file: 'docker-entrypoint.sh', line: 4, message: /runs `node` without exec: the script's shell \(dash\) stays PID 1/ }],
      outputFiles: { 'docker-entrypoint.sh': '#!/bin/sh\nset -e\necho "starting $*"\nexec "$@"\n' },
    },
    {
      name: 'standalone script',
      script: '#!/bin/sh\nset -e\nchown app /data\nsu-exec app svc\n',
      errors: [{ line: 4 }],
      output: '#!/bin/sh\nset -e\nchown app /data\nexec su-exec app svc\n',
    },
    {
      name: 'no fix with assignments in front',
      script: '#!/bin/sh\nFOO=1 svc\n',
      errors: [{ line: 2 }],
      output: null,
    },
  ],
});

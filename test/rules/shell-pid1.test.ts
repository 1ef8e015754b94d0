import rule from '../../src/rules/shell-pid1.js';
import { ruleTester } from '../helpers/rule-tester.js';

const GUNICORN = 'gunicorn -w 1 -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:80 app:app';

/** huly's compose service: a plugin check, then Elasticsearch's own entrypoint alone on the string's last line. */
const ES_PLUGIN = (image: string): string =>
  `services:\n  elastic:\n    image: "${image}"\n    command: |\n      /bin/sh -c "./bin/elasticsearch-plugin list | grep -q ingest-attachment || yes | ./bin/elasticsearch-plugin install --silent ingest-attachment;\n      /usr/local/bin/docker-entrypoint.sh eswrapper"\n`;

ruleTester(rule, {
  valid: [
    // Elastic's 6.0 to 7.15 images are CentOS-based: bash is /bin/sh and execs the last line's lone command
    { name: 'elasticsearch:7.14.2 (CentOS): bash execs the entrypoint on the last line', compose: ES_PLUGIN('elasticsearch:7.14.2') },
    // a file step on literal paths ends at once: dash stays PID 1 for the blink it takes, then the container exits
    { name: 'a one-shot copy under dash -c', dockerfile: 'FROM debian:bookworm\nENTRYPOINT cp /pki/ca.pem /pki-out/ca.pem\n' },
    {
      name: 'an unknown /bin/sh in front of a service that handles SIGTERM: bash and ash would exec it, so the image decides (unknown-shell warns)',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: registry.example.com/acme/web:1\n    command: ["sh", "-c", "cd /app && gunicorn app:app"]\n',
    },
    { name: 'alpine: ash execs the last simple command even with ${...} and $(...)', dockerfile: 'FROM python:3.12-alpine\nCMD server --key "${KEY:-$(hostname)}"\n' },
    { name: 'alpine: ash execs even with a redirection', dockerfile: 'FROM python:3.12-alpine\nCMD locust -f /app/locustfile.py 2>&1\n' },
    { name: 'bash execs after set -e && ...', dockerfile: 'FROM fedora:40\nCMD set -e && ./migrate && svc --port "$PORT"\n' },
    { name: 'a one-shot step that ends by itself', dockerfile: 'FROM debian:bookworm\nCMD echo hello && sleep 2 && echo bye\n' },
    // y-nosuke's minio-setup: `mc alias set` writes mc's config, `mc mb` makes one bucket; both end at once
    {
      name: 'a MinIO set-up: mc alias set and mc mb after a short sleep, each || true',
      dockerfile: 'FROM debian:bookworm\nENTRYPOINT sleep 5 && mc alias set local http://minio:9000 u p && mc mb local/blocks || true && mc mb local/ruler || true\n',
    },
    // karailker/awesome-docker-compose's createbuckets: `mc policy set` sets one bucket's policy and ends
    {
      name: 'a MinIO set-up that also sets a bucket policy, then echoes',
      dockerfile: 'FROM debian:bookworm\nENTRYPOINT sleep 5 && mc alias set s3 http://minio:9000 u p && mc mb s3/mlflow && mc policy set public s3/mlflow && echo done\n',
    },
    // yurake/k8s-3tier-webapp's ab Jobs: ab(1) performs its -n requests and ends; then two prints
    {
      name: 'a short ApacheBench run in a Job, then its data printed',
      manifest:
        'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ab\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: ab\n        image: alpine:3.18\n        command: ["sh", "-c"]\n        args: ["ab -n 100 -c 10 http://svc:8080/ > out.data; echo; cat out.data"]\n',
    },
    { name: 'an ApacheBench run capped at 5 seconds', dockerfile: 'FROM debian:bookworm\nCMD ab -t 5 -c 4 http://svc/ && echo done\n' },
    // compose-anything's set-up services: one request each against a sibling service, then the container ends
    {
      name: 'a replica set initiated by one mongosh --eval after a short sleep',
      compose: 'services:\n  mongo-init:\n    image: mongo:8\n    command: ["bash", "-c", "sleep 5; mongosh --host mongo1 --eval \'rs.initiate()\'; echo done"]\n',
    },
    {
      name: 'a cluster made by one redis-cli --cluster create, and a PING',
      compose: 'services:\n  init:\n    image: redis:7\n    command: ["sh", "-c", "redis-cli -h r1 PING && redis-cli --cluster create r1:6379 r2:6379 r3:6379 --cluster-yes; echo ok"]\n',
    },
    // Dokploy's frappe migration services: `a || b && exit 0` exits 0 either way, after one request to a sibling
    {
      name: 'one curl to a sibling, then `|| echo ... && exit 0`: the commands after it never run',
      compose:
        'services:\n  migration:\n    image: frappe/erpnext:v15\n    entrypoint: ["bash", "-c"]\n    command:\n      - >\n        curl -f http://site:8080/api/method/ping || echo "Site busy" && exit 0;\n        bench --site all migrate;\n',
    },
    { name: 'an API call printed with wget -qO-, then an echo', dockerfile: 'FROM alpine:3.20\nCMD wget -qO- http://api:8080/v1/seed && echo seeded\n' },
    {
      name: 'htpasswd writes one entry, then the shell ends',
      compose: 'services:\n  auth:\n    image: httpd:2-alpine\n    entrypoint: ["/bin/sh", "-c", "htpasswd -nbB user pass > /auth/htpasswd; echo written"]\n',
    },
    {
      name: 'legacy mc config host add, then mc mb',
      compose: 'services:\n  mc:\n    image: minio/mc\n    entrypoint: ["/bin/sh", "-c", "sleep 5; mc config host add s3 http://minio:9000 u p; mc mb s3/b --ignore-existing; exit 0"]\n',
    },
    // compose-anything's openviking: compose keeps `cat` of the string (go-shellwords stops at `>`), which reads the
    // container's /dev/null and ends at once (repl-stdin-ns.test.ts runs `sh -ec cat` under each shell)
    {
      name: 'a compose command string whose first redirection compose drops: the shell runs a bare cat on a closed stdin',
      compose:
        'services:\n  app:\n    image: ghcr.io/example/app:main\n    entrypoint:\n      - /bin/sh\n      - -ec\n    command: |\n      cat >/app/app.conf <<EOF\n      {"port": 1933}\n      EOF\n      exec app-server --config /app/app.conf\n',
    },
    // Measured in test/shell-shapes-ns.test.ts: the listing exits by itself as PID 1, stdin open.
    { name: "a listing of the image's tools ends by itself", dockerfile: "FROM debian:bookworm\nCMD find /opt/tools -maxdepth 2 -type f -name '*.sh' | grep -v test | xargs -n1 basename | sort\n" },
    // sshd(8): without -D it detaches; the shell's last command returns at once and the container ends.
    { name: 'sshd without -D daemonises: the container ends at once', dockerfile: 'FROM ubuntu:22.04\nCMD mkdir -p /var/run/sshd; /usr/sbin/sshd;\n' },
    { name: 'a listing in the exec form of bash -c', dockerfile: 'FROM fedora:40\nCMD ["/bin/bash", "-c", "find /github/tools/bin -maxdepth 1 -type f | xargs -n1 basename | sort"]\n' },
    { name: 'exec form', dockerfile: 'FROM python:3.9-slim\nENTRYPOINT ["gunicorn", "app:app"]\n' },
    // A listing after a listing: nothing runs for long, the container ends by itself.
    { name: 'cloud CLI listings end by themselves', dockerfile: 'FROM debian:bookworm\nCMD gcloud storage ls gs://b/ && aws s3 ls s3://b/ && kubectl get pods -n x\n' },
    { name: 'alpine: busybox ash execs the last simple command', dockerfile: `FROM python:3.12-alpine\nENTRYPOINT ${GUNICORN}\n` },
    { name: 'fedora: bash execs it', dockerfile: 'FROM fedora:40\nCMD svc --port 80\n' },
    { name: 'bash after &&', dockerfile: 'FROM rockylinux:9\nCMD cd /app && svc\n' },
    { name: 'explicit exec on dash', dockerfile: 'FROM debian:bookworm\nCMD exec svc --port 80\n' },
    { name: 'SHELL bash on a Debian image', dockerfile: 'FROM debian:bookworm\nSHELL ["/bin/bash", "-c"]\nCMD svc --port 80\n' },
    { name: 'sh -c with exec', dockerfile: 'FROM node:20\nCMD ["sh", "-c", "cd /app && exec node server.js"]\n' },
    { name: 'only the target stage counts', dockerfile: `FROM python:3.9-slim AS build\nENTRYPOINT ${GUNICORN}\nFROM python:3.9-slim\nENTRYPOINT ["gunicorn", "app:app"]\n` },
    { name: 'a stage that is not the target, with --target', dockerfile: `FROM python:3.9-slim AS prod\nCMD ["svc"]\nFROM python:3.9-slim AS dev\nCMD svc --reload\n`, options: { target: 'prod' } },
  ],
  invalid: [
    {
      // from 7.16 on Ubuntu: dash keeps the entrypoint (and Elasticsearch) as its child
      name: 'elasticsearch:8.15.0 (Ubuntu): dash stays PID 1',
      compose: ES_PLUGIN('elasticsearch:8.15.0'),
      errors: [{ severity: 'error', message: /dash/ }],
      output: ES_PLUGIN('elasticsearch:8.15.0').replace('\n      /usr/local', '\n      exec /usr/local'),
    },
    {
      name: 'an image whose /bin/sh pid1 does not know: lost whichever it is (dash keeps the shell, bash and ash exec `sleep infinity`)',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: idle\nspec:\n  containers:\n  - name: idle\n    image: registry.example.com/acme/toolbox:1\n    command: ["sh", "-c", "echo ready && sleep infinity"]\n',
      errors: [{ messageId: 'anyShell', severity: 'error', message: /the image's \/bin\/sh is unknown: dash would not exec `sleep`, bash or busybox ash would, and SIGTERM is lost either way/ }],
      output: null,
    },
    // ash execs the last `rm` of an && list, but wget runs before it with the shell in front on every path (shell-exec.test.ts runs ash)
    {
      name: 'busybox: the download is not last; the exec of the last `rm` comes after it on every path',
      manifest:
        'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: fetch\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: fetch\n        image: public.ecr.aws/docker/library/busybox:1.37\n        command: ["/bin/sh", "-c"]\n        args: ["cd /efs && wget -O a.zip https://example.com/a.zip && unzip a.zip -d /efs && rm a.zip"]\n',
      errors: [{ severity: 'error', message: /PID 1 is `ash -c` \(`sh -c`\): `wget` is not the last command/ }],
      output: null,
    },
    {
      name: 'the same with stdin_open: cat copies the open stdin for as long as the container runs',
      compose:
        'services:\n  app:\n    image: ghcr.io/example/app:main\n    stdin_open: true\n    entrypoint:\n      - /bin/sh\n      - -ec\n    command: |\n      cat >/app/app.conf <<EOF\n      {"port": 1933}\n      EOF\n      exec app-server --config /app/app.conf\n',
      errors: [{ severity: 'error' }],
      output: null,
    },
    {
      name: 'curl given its options at run time ("$@": a download, a retry loop) is what the container runs for',
      dockerfile: 'FROM debian:bookworm\nCOPY notice.sh /\nENTRYPOINT ["/bin/sh", "-c", "echo notice; curl \\"$@\\"; echo done", "curl"]\n',
      errors: [{ severity: 'error', message: /`curl` is not the last command/ }],
      output: null,
    },
    {
      name: 'curl that retries may run for as long as the container: what it runs for',
      dockerfile: 'FROM debian:bookworm\nCMD curl --retry 1000 --retry-delay 5 http://svc/ready; echo done\n',
      errors: [{ severity: 'error', message: /`curl` is not the last command/ }],
      output: null,
    },
    {
      name: 'redis-cli MONITOR streams until stopped: what the container runs for',
      compose: 'services:\n  watch:\n    image: redis:7\n    command: ["sh", "-c", "redis-cli -h r1 monitor; echo gone"]\n',
      errors: [{ severity: 'error', message: /`redis-cli` is not the last command/ }],
      output: null,
    },
    // A load run of a billion requests (or a count chosen at run time) outlasts any grace period
    {
      name: 'a long ApacheBench run is what the container runs for',
      dockerfile: 'FROM debian:bookworm\nCMD ab -n 1000000000 -c 10 http://svc/ ; echo done\n',
      errors: [{ severity: 'error', message: /`ab` is not the last command/ }],
      output: null,
    },
    {
      name: 'an ApacheBench run whose request count is chosen at run time',
      dockerfile: 'FROM debian:bookworm\nCMD ab -n "$REQUESTS" http://svc/ ; echo done\n',
      errors: [{ severity: 'error', message: /`ab` is not the last command/ }],
      output: null,
    },
    // Not a bounded listing: find with no -maxdepth (a volume's size decides), xargs running a program, tail -f.
    {
      name: 'find with no depth limit is not a listing of a few directories',
      dockerfile: 'FROM debian:bookworm\nCMD find /data -type f | xargs -n1 basename | sort\n',
      errors: [{ severity: 'error', message: /does not exec `find`/ }],
      output: null,
    },
    {
      name: 'xargs running a program that may take long',
      dockerfile: 'FROM debian:bookworm\nCMD find /opt -maxdepth 1 -type f | xargs -n1 curl -T\n',
      errors: [{ severity: 'error', message: /does not exec `find`/ }],
      output: null,
    },
    {
      name: 'a cloud upload before a listing: the upload is what the Job runs for, not the listing after it',
      dockerfile: 'FROM debian:bookworm\nCMD ["bash", "-c", "echo copying\\ngcloud storage cp --recursive /out/* gs://b/m/\\necho verifying\\ngcloud storage ls --long gs://b/m/"]\n',
      errors: [{ severity: 'error', message: /`gcloud` is not the last command/ }],
      output: null,
    },
    {
      name: 'gsutil -m rsync, aws s3 sync, azcopy copy and rclone copy are transfers (work)',
      dockerfile:
        'FROM debian:bookworm\nCMD gsutil -m -o GSUtil:parallel_process_count=4 rsync -r /d gs://b && aws --region eu-west-1 s3 sync /d s3://b && azcopy copy /d https://x && rclone copy /d r:b && gsutil ls gs://b\n',
      errors: [{ severity: 'error', message: /is not the last command/ }],
      output: null,
    },
    {
      name: 'kubectl get --watch follows changes: it never ends',
      dockerfile: 'FROM debian:bookworm\nCMD kubectl get pods --watch | grep Running\n',
      errors: [{ severity: 'error', message: /does not exec `kubectl`/ }],
      output: null,
    },
    {
      name: 'sshd -D stays in the foreground behind dash',
      dockerfile: 'FROM ubuntu:22.04\nCMD mkdir -p /var/run/sshd; /usr/sbin/sshd -D;\n',
      errors: [{ severity: 'error', message: /does not exec `\/usr\/sbin\/sshd`/ }],
      output: 'FROM ubuntu:22.04\nCMD mkdir -p /var/run/sshd; exec /usr/sbin/sshd -D;\n',
    },
    {
      name: 'a device read at the head of the pipeline may never end',
      dockerfile: 'FROM debian:bookworm\nCMD cat /dev/zero | grep x\n',
      errors: [{ severity: 'error', message: /does not exec `cat`/ }],
      output: null,
    },
    {
      name: 'tail -f feeding grep never ends',
      dockerfile: 'FROM debian:bookworm\nCMD tail -f /var/log/app.log | grep ERROR\n',
      errors: [{ severity: 'error', message: /does not exec `tail`/ }],
      output: null,
    },
    {
      name: 'a `;` list on a GPU serving image (vllm/vllm-openai is FROM nvidia/cuda:*-ubuntu22.04: dash)',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: serve\nspec:\n  containers:\n  - name: vllm\n    image: vllm/vllm-openai:v0.8.5\n    command: ["sh", "-c", "bash setup.sh; python3 -m vllm.entrypoints.openai.api_server --port 8080"]\n',
      errors: [{ severity: 'error', message: /PID 1 is `dash -c`/ }],
      output:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: serve\nspec:\n  containers:\n  - name: vllm\n    image: vllm/vllm-openai:v0.8.5\n    command: ["sh", "-c", "bash setup.sh; exec python3 -m vllm.entrypoints.openai.api_server --port 8080"]\n',
    },
    {
      name: 'envoyproxy/envoy is Ubuntu-based (dash), and its entrypoint execs the command',
      compose: 'services:\n  proxy:\n    image: envoyproxy/envoy:v1.31-latest\n    command: ["sh", "-c", "envsubst < /tpl > /etc/envoy.yaml && envoy -c /etc/envoy.yaml"]\n',
      errors: [{ severity: 'error', message: /PID 1 is `dash -c`/ }],
      // The image's entrypoint runs in front of the command: pid1 does not rewrite what the image wraps.
      output: null,
    },
    {
      name: 'an NGC container (nvcr.io/nvidia: Ubuntu, dash)',
      manifest:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: serve\nspec:\n  containers:\n  - name: triton\n    image: nvcr.io/nvidia/tritonserver:24.08-py3\n    command: ["sh", "-c", "./install_model.sh; tritonserver --model-repository=/models"]\n',
      errors: [{ severity: 'error', message: /PID 1 is `dash -c`/ }],
      output:
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: serve\nspec:\n  containers:\n  - name: triton\n    image: nvcr.io/nvidia/tritonserver:24.08-py3\n    command: ["sh", "-c", "./install_model.sh; exec tritonserver --model-repository=/models"]\n',
    },
    {
      name: 'the service is not the last command: never exec the echo',
      dockerfile: 'FROM debian:bookworm\nCMD svc --port 80 && echo done\n',
      errors: [{ line: 2, messageId: 'notLast', message: /`svc` is not the last command \(`echo done` runs after it\)/ }],
      output: null,
    },
    {
      name: "a loop is never exec'd, whatever the image's shell: certain",
      dockerfile: 'FROM registry.example.com/base:1\nCMD ["sh", "-c", "while true; do ./poll; sleep 10; done"]\n',
      errors: [{ line: 2, messageId: 'loop', severity: 'error' }],
      output: null,
    },
    {
      name: 'bash does not exec a command with a redirection',
      dockerfile: 'FROM fedora:40\nCMD svc --port 80 2>&1\n',
      errors: [{ line: 2, messageId: 'noExec' }],
      output: 'FROM fedora:40\nCMD exec svc --port 80 2>&1\n',
    },
    {
      name: 'exec would change nothing for a program that ignores the stop signal: no fix',
      dockerfile: 'FROM debian:bookworm\nCMD echo ready && tail -f /dev/null\n',
      errors: [{ line: 2, messageId: 'noExec' }],
      output: null,
    },
    {
      name: 'the classic: python:3.9-slim + shell-form gunicorn',
      dockerfile: `FROM python:3.9-slim\nENTRYPOINT ${GUNICORN}\n`,
      errors: [{ message: /PID 1 is `dash -c`.*gunicorn/, severity: 'error', line: 2, column: 12 }],
      output: 'FROM python:3.9-slim\nENTRYPOINT ["gunicorn", "-w", "1", "-k", "uvicorn.workers.UvicornWorker", "--bind", "0.0.0.0:80", "app:app"]\n',
    },
    {
      name: 'with a CMD in effect the JSON form would append it: exec prefix instead',
      dockerfile: 'FROM debian:bookworm\nENTRYPOINT svc --port 80\nCMD ["--verbose"]\n',
      errors: [{ line: 2 }],
      output: 'FROM debian:bookworm\nENTRYPOINT exec svc --port 80\nCMD ["--verbose"]\n',
    },
    {
      name: 'expansion: exec prefix, not JSON',
      dockerfile: 'FROM node:20-slim\nENV PORT=80\nCMD node server.js --port $PORT\n',
      errors: [{ line: 3 }],
      output: 'FROM node:20-slim\nENV PORT=80\nCMD exec node server.js --port $PORT\n',
    },
    {
      name: 'a list: exec the last command',
      dockerfile: 'FROM ubuntu:24.04\nCMD cd /app && ./migrate && svc\n',
      errors: [{ line: 2 }],
      output: 'FROM ubuntu:24.04\nCMD cd /app && ./migrate && exec svc\n',
    },
    {
      name: 'explicit sh -c in exec form',
      dockerfile: 'FROM node:20\nCMD ["sh", "-c", "cd /app && node server.js"]\n',
      errors: [{ line: 2 }],
      output: 'FROM node:20\nCMD ["sh", "-c", "cd /app && exec node server.js"]\n',
    },
    {
      name: 'bash does not exec a pipeline',
      dockerfile: 'FROM fedora:40\nCMD svc | tee /tmp/log\n',
      errors: [{ line: 2 }],
      output: null,
    },
    {
      name: 'continuation lines with a comment inside: exec prefix lands on the command',
      dockerfile: 'FROM debian:bookworm\nENTRYPOINT cd /srv && \\\n  # start it\n  svc --port 80\nCMD ["x"]\n',
      errors: [{ line: 2 }],
      output: 'FROM debian:bookworm\nENTRYPOINT cd /srv && \\\n  # start it\n  exec svc --port 80\nCMD ["x"]\n',
    },
    {
      name: 'escape directive (backtick) and FROM from a build arg',
      dockerfile: '# escape=`\nARG BASE=python:3.11-slim\nFROM ${BASE}\nCMD svc `\n  --port 80\n',
      errors: [{ line: 4 }],
      output: '# escape=`\nARG BASE=python:3.11-slim\nFROM ${BASE}\nCMD exec svc `\n  --port 80\n',
    },
    {
      name: 'FROM <stage> inherits the shell-form CMD',
      dockerfile: 'FROM python:3.9-slim AS base\nCMD svc --port 80\nFROM base\nRUN true\n',
      errors: [{ line: 2 }],
      output: 'FROM python:3.9-slim AS base\nCMD ["svc", "--port", "80"]\nFROM base\nRUN true\n',
    },
    {
      name: 'a trap in the string stops bash from exec-ing',
      dockerfile: 'FROM fedora:40\nCMD trap "echo bye" EXIT; svc\n',
      errors: [{ line: 2 }],
      output: null,
    },
    {
      name: '--all-stages: other stages are info',
      dockerfile: 'FROM debian:bookworm AS dev\nCMD svc --reload\nFROM debian:bookworm\nCMD ["svc"]\n',
      options: { allStages: true },
      errors: [{ line: 2, severity: 'info' }],
      output: 'FROM debian:bookworm AS dev\nCMD ["svc", "--reload"]\nFROM debian:bookworm\nCMD ["svc"]\n',
    },
  ],
});

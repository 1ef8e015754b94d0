import rule from '../../src/rules/stop-not-graceful.js';
import { ruleTester } from '../helpers/rule-tester.js';

/** s6-overlay v3: a longrun in the `user` bundle (s6-overlay README, "Writing a service script"). */
const S6_V3 = 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y nginx\nCOPY rootfs/ /\nENTRYPOINT ["/init"]\n';
const S6_NGINX = {
  'rootfs/etc/s6-overlay/s6-rc.d/nginx/type': 'longrun\n',
  'rootfs/etc/s6-overlay/s6-rc.d/nginx/run': '#!/command/with-contenv sh\nexec nginx -g "daemon off;"\n',
  'rootfs/etc/s6-overlay/s6-rc.d/user/contents.d/nginx': '',
};
const SUPERVISORD =
  'FROM debian:bookworm\nRUN apt-get update && apt-get install -y supervisor nginx gunicorn\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf\nCMD ["/usr/bin/supervisord", "-n"]\n';

ruleTester(rule, {
  valid: [
    { dockerfile: 'FROM debian:bookworm\nCMD ["gosu", "app", "svc"]\n' },
    { name: 's6-overlay /init supervises and stops its services', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["/init"]\n' },
    // Without stdin_open/tty compose gives the container no stdin: bash reads end of input and exits at once.
    { name: 'a compose shell with no command and no stdin', compose: 'services:\n  sh:\n    image: debian:bookworm\n    command: bash\n' },
    { name: 'systemd with its halt signal', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/sbin/init"]\n' },
    // The official image's own CMD (nginx -g 'daemon off;') and STOPSIGNAL SIGQUIT (its Dockerfile).
    { name: 'no CMD on nginx: the image runs nginx with its graceful SIGQUIT', dockerfile: 'FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n', files: { 'site/index.html': 'hi\n' } },
    // .NET's chiseled tags have no shell and no CMD: the container does not start, nothing to stop
    { name: 'no CMD on mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled', dockerfile: 'FROM mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled\nCOPY app /app\n', files: { app: 'x' } },
    // A Windows image (stopped with console control events, not signals) whose base name does not say so: named for
    // Windows on a base with Windows variants, or written for Windows (a drive path, a PowerShell SHELL)
    { name: 'Dockerfile.windows-amd64 on the .NET aspnet image: a Windows image', filename: 'Dockerfile.windows-amd64', dockerfile: 'FROM mcr.microsoft.com/dotnet/aspnet:6.0 AS base\n' },
    { name: 'windows/Dockerfile on the .NET aspnet image: a Windows image', filename: 'windows/Dockerfile', dockerfile: 'FROM mcr.microsoft.com/dotnet/core/aspnet:3.0\nEXPOSE 80\n' },
    { name: 'a drive path in ENV: a Windows image', dockerfile: 'FROM mcr.microsoft.com/dotnet/core/aspnet:3.0\nENV SQLITE_DATA_DIRECTORY="C:\\data"\n' },
    { name: 'a PowerShell SHELL: a Windows image', dockerfile: 'FROM python:3.12\nSHELL ["powershell", "-Command"]\nCMD python app.py\n' },
    { name: 'a compose service on ubuntu with no command: bash gets no stdin and exits', compose: 'services:\n  box:\n    image: ubuntu:24.04\n' },
    // A supervisor's services (src/sources/supervised.ts), with the signal each gets: nginx stops gracefully on SIGQUIT.
    {
      name: 's6-overlay v3: nginx with down-signal SIGQUIT',
      dockerfile: S6_V3,
      files: { ...S6_NGINX, 'rootfs/etc/s6-overlay/s6-rc.d/nginx/down-signal': 'SIGQUIT\n' },
    },
    {
      name: 'supervisord: nginx with stopsignal=QUIT',
      dockerfile: SUPERVISORD,
      files: { 'supervisord.conf': '[supervisord]\nnodaemon=true\n\n[program:nginx]\ncommand=nginx -g "daemon off;"\nstopsignal=QUIT\n' },
    },
    {
      name: 's6-svscan: the legacy layout with a down-signal',
      dockerfile: 'FROM alpine:3.20\nRUN apk add s6 nginx\nCOPY s6.d /etc/s6.d\nCMD ["s6-svscan", "/etc/s6.d"]\n',
      files: { 's6.d/nginx/run': '#!/bin/sh\nexec nginx -g "daemon off;"\n', 's6.d/nginx/down-signal': 'SIGQUIT\n' },
    },
    // s6-overlay's last stage sends every process left SIGTERM, SIGKILL 3 s later (S6_KILL_GRACETIME): a service its run
    // script did not exec gets TERM there (s6-overlay README); redis stops on TERM by its own handler
    {
      name: 's6-overlay v3: a run script that does not exec redis: redis gets TERM from the last stage',
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y redis-server\nCOPY rootfs/ /\nENTRYPOINT ["/init"]\n',
      files: {
        'rootfs/etc/s6-overlay/s6-rc.d/redis/type': 'longrun\n',
        'rootfs/etc/s6-overlay/s6-rc.d/redis/run': '#!/bin/sh\nredis-server --protected-mode no\n',
        'rootfs/etc/s6-overlay/s6-rc.d/user/contents.d/redis': '',
      },
    },
    // `node ./bin/www` (express-generator's layout): Node loads the extensionless file itself, and its listener decides
    {
      name: 'npm start runs node ./bin/www, which closes its server on SIGTERM',
      dockerfile: 'FROM node:20-alpine\nWORKDIR /src\nCOPY . .\nCMD ["npm", "start"]\n',
      files: {
        'package.json': '{"scripts":{"start":"node ./bin/www"}}',
        'bin/www':
          "#!/usr/bin/env node\nconst server = require('http').createServer((q, r) => r.end('ok'));\nserver.listen(3000);\nprocess.on('SIGTERM', () => server.close(() => process.exit(0)));\n",
      },
    },
    // an ARG with no default that is the whole image name stays unknown: only a leading registry prefix is taken as unset
    { name: 'FROM ${BASE} with ARG BASE and no default: the image is not known, nothing is certain', dockerfile: 'ARG BASE\nFROM ${BASE}\nRUN apt-get update\n' },
    // a runtime with no program is its REPL: behind tini, SIGTERM's default action ends it with nothing in flight
    { name: 'tini -- node with no script: the REPL holds nothing to drain', dockerfile: 'FROM node:20-slim\nRUN apt-get update && apt-get install -y tini\nENTRYPOINT ["tini", "--"]\nCMD ["node"]\n' },
    // an init with no program prints its usage and exits (test/group-trap-ns.test.ts)
    { name: 'ENTRYPOINT ["dumb-init", "--"] with no CMD: nothing runs', dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y dumb-init\nENTRYPOINT ["dumb-init", "--"]\n' },
    // docker:dind runs dockerd-entrypoint.sh and the daemon, not the CLI image's entrypoint and sh
    { name: 'no CMD on docker:24-dind: the daemon image is not the CLI image', dockerfile: 'FROM docker:24-dind\nRUN apk add --no-cache make\n' },
    // python's tags differ in their base (Debian, Alpine): an unknown tag decides nothing
    { name: 'FROM python:${PY} with ARG PY and no default: the tag decides the base, nothing is certain', dockerfile: 'ARG PY\nFROM python:${PY}\nRUN pip install flask\n' },
    // busybox su (Alpine) execs the shell, and ash -c execs a single command: the service is PID 1 (wrappers-ns.test.ts)
    { name: 'busybox su on Alpine execs: redis-server is PID 1', dockerfile: 'FROM alpine:3.20\nRUN apk add redis\nCMD ["su", "-s", "/bin/sh", "-c", "redis-server", "redis"]\n' },
  ],
  invalid: [
    // The repository's own base image, a directory per tag (core/jammy/Dockerfile builds acme/core:jammy), sets no CMD:
    // ubuntu's bash runs (the tag gives the shell family, not the base's ENTRYPOINT/CMD, so the build is read)
    {
      name: "no CMD on the repository's own core:jammy (core/jammy/Dockerfile): ubuntu's bash at its prompt",
      dockerfile: 'ARG ROOT_PATH=acme\nFROM ${ROOT_PATH}/core:jammy\nRUN apt-get update && apt-get install -y openjdk-17-jdk\n',
      files: { 'core/jammy/Dockerfile': 'FROM ubuntu:jammy\nRUN apt-get update\n', 'core/noble/Dockerfile': 'FROM ubuntu:noble\nCMD ["sleep", "1"]\n' },
      errors: [{ severity: 'error', message: /PID 1: bash, service: bash/ }],
    },
    // `ARG IMAGE_PREFIX` with no default: unset, `docker build` expands it to nothing, and the image is the repository's own
    // acme/core:jammy (aisbergg/dockerfiles names every base this way). build.sh's `exec 2>&1` is a wrapper word with no command.
    {
      name: "FROM ${IMAGE_PREFIX}${IMAGE_PREFIX:+/}acme/core:jammy with the prefix unset: the repository's own base, bash at its prompt",
      dockerfile: 'ARG IMAGE_PREFIX\nFROM ${IMAGE_PREFIX}${IMAGE_PREFIX:+/}acme/core:jammy\nRUN apt-get update\n',
      files: {
        'core/jammy/Dockerfile': 'FROM ubuntu:jammy\nRUN apt-get update\n',
        'build.sh': '#!/bin/sh\nexec 2>&1\ndocker build -t acme/core:jammy core/jammy\n',
      },
      errors: [{ severity: 'error', message: /PID 1: bash, service: bash/ }],
    },
    // v8fg's compose resources: mitmproxy/latest/Dockerfile FROM mitmproxy/mitmproxy:latest beside mitmproxy/7.0.4/ (FROM
    // mitmproxy/mitmproxy:7.0.4): the version directory wraps another tag from elsewhere, not this build's base
    {
      name: 'compose: /bin/sh with a tty on a wrapper of an image from elsewhere, beside a version directory wrapping another tag',
      compose: 'services:\n  mitmproxy:\n    build: mitmproxy/latest\n    stdin_open: true\n    tty: true\n    command: ["/bin/sh"]\n',
      files: { 'mitmproxy/latest/Dockerfile': 'FROM mitmproxy/mitmproxy:latest\nENV TZ=Asia/Shanghai\n', 'mitmproxy/7.0.4/Dockerfile': 'FROM mitmproxy/mitmproxy:7.0.4\nENV TZ=Asia/Shanghai\n' },
      errors: [{ severity: 'warning', message: /probably/ }],
    },
    {
      name: 'npm start runs node ./bin/www (no extension): an express server with no SIGTERM listener, ended at once by the signal',
      dockerfile: 'FROM node:20-alpine\nWORKDIR /src\nCOPY . .\nCMD ["npm", "start"]\n',
      files: {
        'package.json': '{"scripts":{"start":"node ./bin/www"}}',
        'bin/www': "#!/usr/bin/env node\nconst app = require('express')();\nrequire('http').createServer(app).listen(process.env.PORT || 3000);\n",
      },
      errors: [{ severity: 'error', message: /PID 1: npm, service: node/ }],
    },
    // Red Hat's UBI from Red Hat's registry: no ENTRYPOINT, CMD ["/bin/bash"] (as Docker Hub's redhat/ubi9).
    {
      name: 'no CMD on registry.access.redhat.com/ubi9/ubi-minimal: bash at its prompt',
      dockerfile: 'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\nRUN microdnf install -y python3\n',
      errors: [{ severity: 'error', message: /PID 1: bash, service: bash/ }],
    },
    {
      name: 'no CMD on registry.access.redhat.com/ubi8-minimal (the older top-level name): bash at its prompt',
      dockerfile: 'FROM registry.access.redhat.com/ubi8-minimal\nRUN microdnf update\n',
      errors: [{ severity: 'error', message: /PID 1: bash, service: bash/ }],
    },
    // Docker Hub's images under a mirror's name are the same images: Google's cache mirror.gcr.io, ECR Public's docker/library.
    {
      name: 'no CMD on mirror.gcr.io/library/debian: the Docker Hub image, bash at its prompt',
      dockerfile: 'FROM mirror.gcr.io/library/debian:bookworm\nRUN apt-get update\n',
      errors: [{ severity: 'error', message: /PID 1: bash, service: bash/ }],
    },
    {
      name: 'no CMD on public.ecr.aws/docker/library/alpine: the Docker Hub image, sh at its prompt',
      dockerfile: 'FROM public.ecr.aws/docker/library/alpine:3.20\nRUN apk add curl\n',
      errors: [{ severity: 'error', message: /PID 1: ash, service: ash/ }],
    },
    // nvidia/cuda sets no CMD (its base's /bin/bash runs) or, from CUDA 11.8, an entrypoint that execs bash when given none.
    {
      name: 'no CMD on nvidia/cuda: bash at its prompt',
      dockerfile: 'FROM nvidia/cuda:8.0-cudnn6-devel-ubuntu14.04\nRUN apt-get update && apt-get install -y python\n',
      errors: [{ severity: 'error', message: /PID 1: bash, service: bash/ }],
    },
    // Official base images' CMD (their Dockerfiles): debian `bash`, alpine `/bin/sh`; interactive shells ignore SIGTERM (test/catalogue-ns.test.ts).
    {
      // docker-library/openjdk: jshell came with Java 9 (JEP 222); the 8 images set no CMD and run Debian's bash
      name: 'no CMD on openjdk:8: the Debian base image runs bash',
      dockerfile: 'FROM openjdk:8\nRUN apt-get update && apt-get install -y scala\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: bash/ }],
    },
    {
      // docker-library/buildpack-deps sets neither ENTRYPOINT nor CMD: its Ubuntu or Debian base's bash runs
      name: 'no CMD on buildpack-deps:bionic: the Ubuntu base image runs bash',
      dockerfile: 'FROM buildpack-deps:bionic\nRUN apt-get update && apt-get install -y python3\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: bash, service: bash/ }],
    },
    {
      // dotnet/dotnet-docker's runtime-deps, runtime, aspnet and sdk Dockerfiles set no ENTRYPOINT or CMD: Debian's bash runs
      name: 'no CMD on mcr.microsoft.com/dotnet/aspnet:8.0: the Debian base image runs bash',
      dockerfile: 'FROM mcr.microsoft.com/dotnet/aspnet:8.0\nRUN apt-get update && apt-get install -y fonts-liberation\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: bash, service: bash/ }],
    },
    {
      // debian has no Windows variant: a `windows/` directory holds a Linux image (a cross-compiler, say)
      name: 'windows/Dockerfile on debian: a Linux image, whose bash runs',
      filename: 'windows/Dockerfile',
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y mingw-w64\n',
      errors: [{ file: 'Dockerfile', severity: 'error', line: 1, message: /PID 1: bash, service: bash/ }],
    },
    {
      // ContinuumIO/docker-images miniconda3/debian: CMD ["/bin/bash"], no ENTRYPOINT
      name: 'no CMD on continuumio/miniconda3: its bash runs',
      dockerfile: 'FROM continuumio/miniconda3\nRUN conda install -y numpy\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: bash, service: bash/ }],
    },
    {
      name: 'no CMD on mcr.microsoft.com/dotnet/sdk:6.0-alpine: the Alpine base image runs /bin/sh',
      dockerfile: 'FROM mcr.microsoft.com/dotnet/sdk:6.0-alpine\nRUN apk add --no-cache git\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: ash, service: ash/ }],
    },
    {
      // jshell is the JDK's: the JRE images set no CMD either (openjdk:11-jre-slim's Default Command is ["bash"])
      name: 'no CMD on openjdk:10.0.2-jre-slim: the Debian base image runs bash',
      dockerfile: 'FROM openjdk:10.0.2-jre-slim\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: bash/ }],
    },
    {
      // Flexberry's postgresql: `exec su -c "CMD $PARAMS" -s /bin/sh postgres`: the quoted command is one argument, postgres
      name: 'exec su -c "postgres ... $PARAMS": util-linux su stays PID 1 and SIGKILLs postgres 2 s after passing TERM on',
      dockerfile: 'FROM debian:bookworm\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
      files: { 'start.sh': '#!/bin/bash\nexec su -c "/usr/bin/postgres -D /var/lib/pgsql/data $POSTGRES_PARAMS" -s /bin/sh postgres\n' },
      errors: [{ severity: 'error', message: /PID 1: su, service: postgres\)/ }],
    },
    {
      // an image only named for its Alpine base is still the repository's own build when a directory builds it
      // (smebberson/docker-alpine: alpine-apache is FROM smebberson/alpine-base:2.0.0, alpine-base/ builds it)
      name: "FROM acme/alpine-base:2.0.0, the repository's alpine-base/ build: its CMD, sh at its prompt",
      dockerfile: 'FROM acme/alpine-base:2.0.0\nRUN apk add --no-cache curl\n',
      files: { 'alpine-base/Dockerfile': 'FROM alpine:3.20\nCMD ["/bin/sh"]\n' },
      errors: [{ severity: 'error', message: /PID 1: ash, service: ash/ }],
    },
    {
      // AdoptOpenJDK's JDK 8 images set no CMD: the Alpine variant runs its /bin/sh (chatwork/dockerfiles' openjdk8)
      name: 'no CMD on adoptopenjdk/openjdk8:x86_64-alpine-jdk8u181-b13: ash at its prompt',
      dockerfile: 'FROM adoptopenjdk/openjdk8:x86_64-alpine-jdk8u181-b13\nRUN apk add --no-cache git\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: ash, service: ash/ }],
    },
    {
      // docker-library/docker: ENTRYPOINT docker-entrypoint.sh execs a command that is no docker subcommand, CMD ["sh"]
      name: 'no CMD on docker:20.10.17-git: its entrypoint execs sh, at its prompt',
      dockerfile: 'ARG DOCKER_VERSION=20.10.17\nFROM docker:${DOCKER_VERSION}-git\nRUN apk add --no-cache make\n',
      errors: [{ severity: 'error', line: 2, message: /PID 1: ash, service: ash/ }],
    },
    {
      // every alpine tag has CMD ["/bin/sh"] and busybox ash: an unset version ARG leaves that the same
      name: 'no CMD on alpine:${VERSION} with ARG VERSION and no default: ash at its prompt, whatever the tag',
      dockerfile: 'ARG VERSION\nFROM --platform=${TARGETPLATFORM} alpine:${VERSION}\nRUN apk add --no-cache openssh-client\n',
      errors: [{ severity: 'error', line: 2, message: /PID 1: ash, service: ash/ }],
    },
    {
      name: 'no CMD on debian: bash, interactive, as PID 1',
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y jq\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: bash/ }],
    },
    {
      name: 'no CMD in the last stage on alpine (golang:alpine sets none either)',
      dockerfile: 'FROM golang:1.22-alpine AS build\nRUN go version\nFROM alpine:3.20\nCOPY --from=build /usr/local/go/bin/go /usr/local/bin/go\n',
      errors: [{ severity: 'error', line: 3, message: /PID 1: ash/ }],
    },
    {
      name: 'pid1 init ignores real-time signals',
      dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["pid1", "init", "--", "svc"]\n',
      errors: [{ severity: 'error', message: /SIGRTMIN\+3 never reaches the service/ }],
    },
    // At its prompt (docker run -it, compose tty: true) an interactive shell ignores TERM, PID 1 or not.
    { name: 'an interactive shell under tini', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["tini", "--"]\nCMD ["bash"]\n', errors: [{ severity: 'error' }] },
    { name: 'a compose shell with a tty', compose: 'services:\n  sh:\n    image: debian:bookworm\n    command: bash\n    tty: true\n', errors: [{ severity: 'error' }] },
    { name: 'STOPSIGNAL SIGKILL', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGKILL\nCMD ["svc"]\n', errors: [{ severity: 'error', message: /killed before its graceful shutdown/ }] },
    {
      name: "s6-overlay v3: nginx gets s6's default SIGTERM, its fast stop",
      dockerfile: S6_V3,
      files: S6_NGINX,
      errors: [{ severity: 'error', message: /PID 1: s6, service: nginx/, suggestion: /s6 sends nginx SIGTERM, its fast stop: put SIGQUIT in \/etc\/s6-overlay\/s6-rc.d\/nginx\/down-signal/ }],
    },
    {
      name: 'supervisord: nginx with the default stopsignal (TERM)',
      dockerfile: SUPERVISORD,
      files: { 'supervisord.conf': '[supervisord]\nnodaemon=true ; in the foreground\n\n[program:nginx]\ncommand=nginx -g "daemon off;"\n\n[program:app]\ncommand=gunicorn app:app\n' },
      errors: [{ severity: 'error', message: /service: nginx/, suggestion: /set stopsignal=QUIT in \[program:nginx\]/ }],
    },
    // `"${@:-bash}"` is the arguments, or `bash` when there are none (real dash, bash and busybox ash: shell-exec.test.ts)
    {
      name: 'exec "${@:-bash}" with no CMD: an interactive bash at its prompt',
      dockerfile: 'FROM debian:bookworm\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
      files: { 'entrypoint.sh': '#!/bin/bash\nset -e\necho ready\nexec "${@:-bash}"\n' },
      errors: [{ severity: 'error', message: /PID 1: bash, service: bash/ }],
    },
    // supervisord's TERM ends the run script's bash (not PID 1: the default action applies), so the daemon it started
    // never gets a signal, whatever that daemon is (supervisors-ns.test.ts runs supervisord with such a script)
    {
      name: 'supervisord: a run script that starts a daemon pid1 cannot see without exec, inside an if',
      dockerfile:
        'FROM debian:bookworm\nRUN apt-get update && apt-get install -y supervisor\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf\nCOPY dockerd.sh /dockerd.sh\nCMD ["/usr/bin/supervisord", "-n"]\n',
      files: {
        'supervisord.conf': '[supervisord]\nnodaemon=true\n\n[program:dockerd]\ncommand=/dockerd.sh\n',
        'dockerd.sh': '#!/usr/bin/env bash\nif [[ $(id -u) != 0 ]]\nthen\n  dockerd-rootless.sh\nelse\n  dockerd --storage-driver=fuse-overlayfs\nfi\n',
      },
      errors: [{ severity: 'error', message: /PID 1: supervisord/ }],
    },
    {
      name: 's6-svscan under su-exec: php-fpm without a down-signal',
      dockerfile: 'FROM alpine:3.20\nRUN apk add s6 php83-fpm su-exec\nCOPY s6.d /etc/s6.d\nCMD ["su-exec", "app", "s6-svscan", "/etc/s6.d"]\n',
      files: { 's6.d/php/run': '#!/bin/sh\nexec php-fpm83 -F\n', 's6.d/.s6-svscan/finish': '#!/bin/sh\nexit 0\n' },
      errors: [{ severity: 'error', message: /service: php-fpm/, suggestion: /put SIGQUIT in \/etc\/s6.d\/php\/down-signal/ }],
    },
    {
      name: 'supervisord: a bash run script that does not exec java, without stopasgroup: the JVM never gets TERM',
      dockerfile:
        'FROM debian:bookworm\nRUN apt-get update && apt-get install -y supervisor\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf\nCOPY start-app.sh /opt/bin/start-app.sh\nCMD ["/usr/bin/supervisord", "-n"]\n',
      files: { 'supervisord.conf': '[supervisord]\nnodaemon=true\n\n[program:app]\ncommand=/opt/bin/start-app.sh\n', 'start-app.sh': '#!/bin/bash\necho starting\njava -jar /app.jar\n' },
      errors: [{ severity: 'error', message: /service: java/ }],
    },
    // stopasgroup=true: java gets TERM too, but bash dies at once and supervisord exits: a long stop is cut, a short one not (warning).
    {
      name: 'supervisord: the same script with stopasgroup=true: java gets TERM too; whether its stop outlasts supervisord is open',
      dockerfile:
        'FROM debian:bookworm\nRUN apt-get update && apt-get install -y supervisor\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf\nCOPY start-app.sh /opt/bin/start-app.sh\nCMD ["/usr/bin/supervisord", "-n"]\n',
      files: {
        'supervisord.conf': '[supervisord]\nnodaemon=true\n\n[program:app]\ncommand=/opt/bin/start-app.sh\nstopasgroup=true\n',
        'start-app.sh': '#!/bin/bash\necho starting\njava -jar /app.jar\n',
      },
      errors: [{ severity: 'warning' }],
    },
    // v8fg's compose resources: an image built FROM an official one whose entrypoint execs "$@" (docker-library/mysql)
    // runs the service's command as PID 1: an interactive bash at its prompt ignores SIGTERM
    {
      name: 'compose: /bin/bash with a tty on an image built FROM mysql:5.7.30 (its entrypoint execs the command)',
      compose: 'services:\n  mysql:\n    build: .\n    stdin_open: true\n    tty: true\n    command: ["/bin/bash"]\n',
      files: { Dockerfile: 'FROM mysql:5.7.30\nENV TZ=Asia/Shanghai\nEXPOSE 3306\n' },
      errors: [{ severity: 'error', message: /PID 1: bash, service: bash/ }],
    },
    // A compose service of an image built here runs its supervisor with the programs that build gives it.
    {
      name: "compose: a command that runs the image's supervisord gets the programs the image's build gives it",
      compose: 'services:\n  web:\n    build: .\n    command: ["/usr/bin/supervisord", "-n"]\n',
      files: {
        Dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y supervisor nginx gunicorn\nCOPY supervisord.conf /etc/supervisor/conf.d/app.conf\nCMD ["gunicorn", "app:app"]\n',
        'supervisord.conf': '[supervisord]\nnodaemon=true\n\n[program:nginx]\ncommand=nginx -g "daemon off;"\n',
      },
      errors: [{ severity: 'error', message: /service: nginx/ }],
    },
    {
      name: 'supervisord: a program whose script the files do not show is uncertain (warning, not error)',
      dockerfile: SUPERVISORD,
      files: { 'supervisord.conf': '[supervisord]\nnodaemon=true\n\n[program:app]\ncommand=/usr/local/bin/start-app.sh\n' },
      errors: [{ severity: 'warning' }],
    },
    // util-linux su SIGKILLs its child 2 s after passing SIGTERM on (replayed: wrappers-ns.test.ts)
    {
      name: 'su as PID 1: the service gets SIGTERM and is SIGKILLed 2 s later',
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y postgresql\nCMD ["su", "postgres", "-c", "exec /usr/lib/postgresql/15/bin/postgres -D /data"]\n',
      errors: [{ severity: 'error', message: /killed before its graceful shutdown completes \(PID 1: su, service: postgres\)/, suggestion: /exec wrapper instead of su/ }],
    },
    // Debian's apache2ctl runs apache2 as the child of its /bin/sh script (wrappers-ns.test.ts runs it as PID 1)
    {
      name: 'apache2ctl -D FOREGROUND: the script stays PID 1 and drops SIGTERM',
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y apache2\nCMD ["apache2ctl", "-D", "FOREGROUND"]\n',
      errors: [{ severity: 'error', message: /PID 1: apache2ctl, service: apache2/ }],
    },
    {
      name: "s6-overlay v3: a run script that does not exec httpd: the last stage's TERM is httpd's fast stop",
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y apache2\nCOPY rootfs/ /\nENTRYPOINT ["/init"]\n',
      files: {
        'rootfs/etc/s6-overlay/s6-rc.d/web/type': 'longrun\n',
        'rootfs/etc/s6-overlay/s6-rc.d/web/run': '#!/bin/sh\nexec apachectl -DFOREGROUND\n',
        'rootfs/etc/s6-overlay/s6-rc.d/user/contents.d/web': '',
      },
      errors: [{ severity: 'error', message: /PID 1: s6, service: httpd/ }],
    },
    // (a script a RUN writes with literal printf text is read: lint-k8s-crd.test.ts; one it downloads is not)
    {
      name: 'a script pid1 cannot see: warning',
      dockerfile: 'FROM debian:bookworm\nRUN curl -fsSL -o /start.sh https://example.com/start.sh && chmod +x /start.sh\nCMD ["/start.sh"]\n',
      errors: [{ severity: 'warning' }],
    },
  ],
});

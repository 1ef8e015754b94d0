#!/usr/bin/env bash
# Installs what pid1's tests need on a fresh Debian machine (as root), and starts a Docker engine
# when none answers. Idempotent: does nothing that is already done.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(docker.io docker-compose busybox-static tini dumb-init catatonit gcc libc6-dev util-linux tar
  # Real programs for the catalogue of PID 1 behaviour (test/catalogue-ns.test.ts) and the Python image
  # of test/program-source-docker.test.ts; the larger ones (JVM, Go, Ruby, PHP, databases) run where
  # installed and are skipped otherwise.
  python3 procps nginx-light haproxy redis-server cron supervisor gunicorn python3-uvicorn python3-flask python3-django)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  # Servers' maintainer scripts start their service unless policy-rc.d says no (exit 101): the tests
  # run their own instances, so none is started (the file is removed again if this script made it).
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "$made_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
if ! docker info >/dev/null 2>&1; then
  echo "install-deps: starting dockerd (no bridge, no iptables: test containers use --network none)"
  nohup dockerd --bridge=none --iptables=false --ip6tables=false >/tmp/pid1-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "install-deps: dockerd did not answer within 60 s; its log:" >&2
    tail -n 40 /tmp/pid1-dockerd.log >&2
    exit 1
  fi
fi
echo "install-deps: ready (docker $(docker version --format '{{.Server.Version}}'))"

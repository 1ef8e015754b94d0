#!/usr/bin/env bash
# Installs what pid1's tests need on a fresh Debian machine (as root), and starts a Docker engine,
# a Podman service and a containerd when none answers. Idempotent: does nothing that is already done.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(docker.io docker-compose busybox-static tini dumb-init catatonit gcc libc6-dev util-linux tar podman containerd runc
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
# pid1 watch reads the kernel's tracepoints through tracefs (root only); mount it where the kernel
# has it but nobody mounted it (pid1 itself never mounts anything).
if [ ! -d /sys/kernel/tracing/instances ] && grep -qw tracefs /proc/filesystems; then
  echo "install-deps: mounting tracefs at /sys/kernel/tracing (pid1 watch)"
  mount -t tracefs nodev /sys/kernel/tracing || echo "install-deps: could not mount tracefs: the pid1 watch tests will fail" >&2
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
# Wait up to 60 s for `check` to succeed; else show the log and fail.
wait_for() { # NAME LOG CHECK...
  local name=$1 log=$2
  shift 2
  for _ in $(seq 1 60); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "install-deps: $name did not answer within 60 s; its log:" >&2
  tail -n 40 "$log" >&2
  exit 1
}

# Podman's service on the rootful socket, with pid1's containers.conf (see the comments in it: the
# default container rlimits exceed what root may set on machines without CAP_SYS_RESOURCE). Copied
# to a stable place: conmon's exit command (podman container cleanup) reads it after the run too.
podman_sock=/run/podman/podman.sock
podman_conf=/var/lib/pid1/podman-containers.conf
install -D -m 0644 "$(dirname "$0")/podman-containers.conf" "$podman_conf"
if ! podman --remote --url "unix://$podman_sock" version >/dev/null 2>&1; then
  echo "install-deps: starting podman system service on $podman_sock (CONTAINERS_CONF=$podman_conf)"
  mkdir -p "$(dirname "$podman_sock")"
  CONTAINERS_CONF=$podman_conf nohup podman system service --time=0 "unix://$podman_sock" >/tmp/pid1-podman.log 2>&1 &
  wait_for podman /tmp/pid1-podman.log podman --remote --url "unix://$podman_sock" version
fi

# containerd on its default socket and state directory (/run/containerd), beside the one dockerd
# runs for itself (/var/run/docker/containerd): started after dockerd, which would otherwise adopt
# it. Debian's /etc/containerd/config.toml keeps the CRI plugin on, as a Kubernetes node has it.
containerd_sock=/run/containerd/containerd.sock
if ! { [ -S "$containerd_sock" ] && ctr --address "$containerd_sock" version >/dev/null 2>&1; }; then
  echo "install-deps: starting containerd on $containerd_sock"
  nohup containerd >/tmp/pid1-containerd.log 2>&1 &
  wait_for containerd /tmp/pid1-containerd.log ctr --address "$containerd_sock" version
fi
echo "install-deps: ready (docker $(docker version --format '{{.Server.Version}}'), podman $(podman --remote --url "unix://$podman_sock" version --format '{{.Server.Version}}'), containerd $(ctr --address "$containerd_sock" version | awk '/Server:/{s=1} s&&/Version:/{print $2; exit}'))"

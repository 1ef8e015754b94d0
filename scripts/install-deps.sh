#!/usr/bin/env bash
# Installs what pid1's tests need on a fresh Debian machine (as root), and starts a Docker engine
# when none answers. Idempotent: does nothing that is already done.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(docker.io docker-compose busybox-static tini dumb-init catatonit gcc libc6-dev util-linux tar)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
echo "install-deps: ready (docker $(docker version --format '{{.Server.Version}}'))"

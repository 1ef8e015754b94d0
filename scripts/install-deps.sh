#!/usr/bin/env bash
# Installs what pid1's tests need on a fresh Debian machine (as root), and starts a Docker engine,
# a Podman service and a containerd when none answers. Idempotent: does nothing that is already done.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(docker.io docker-compose busybox-static tini dumb-init catatonit gcc libc6-dev util-linux tar podman containerd runc
  # test/security-lint.test.ts: strace sees every file pid1 lint opens; git ls-files keeps tracked files
  strace git
  # Real programs for the catalogue of PID 1 behaviour (test/catalogue-ns.test.ts) and the Python image
  # of test/program-source-docker.test.ts; the larger ones (JVM, Go, Ruby, PHP, databases) run where
  # installed and are skipped otherwise.
  python3 procps nginx-light haproxy redis-server cron supervisor gunicorn python3-uvicorn python3-flask python3-django python3-celery sudo openssl openssh-client
  uwsgi-core uwsgi-plugin-python3
  # php-fpm as a distribution packages it (daemonize at its default) as PID 1 (test/php-fpm-ns.test.ts)
  php-fpm
  # s6-svscan / s6-supervise and runit's runsvdir as PID 1 (test/supervisors-ns.test.ts)
  s6 runit
  # inotifywait in a config-watcher loop (test/group-trap-ns.test.ts)
  inotify-tools
  # R as PID 1 (no SIGTERM handler) and at end of input (test/catalogue-ns.test.ts, test/repl-stdin-ns.test.ts)
  r-base-core
  # a std-only Rust binary as PID 1: no SIGTERM handler (test/rust-ns.test.ts, the Rust link's premise)
  rustc
  # yarn 1 for test/package-managers.test.ts (npm comes with Node)
  yarnpkg
  # the real pre-commit on the pid1-lint hook (test/pre-commit.test.ts; it brings nodeenv)
  pre-commit git)
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
# Debian bookworm's own Node 18 (what Debian-based images carry), for the test that runs pid1 init on
# it. Unpacked into /opt/pid1-node18 (dpkg -x), never installed: the machine's Node 20 stays as it is.
# Debian's node loads some of its builtins from /usr/share/nodejs, so the test runs it in a container
# with that tree mounted at /usr (test/init-node18.test.ts).
NODE18_DIR=/opt/pid1-node18
if [ ! -x "$NODE18_DIR/usr/bin/node" ]; then
  apt-get update -qq
  node18=$(apt-cache policy libnode108 | awk '/Candidate:/ {print $2}')
  if [ -z "$node18" ] || [ "$node18" = "(none)" ]; then
    echo "install-deps: Debian's libnode108 (Node 18) is not available from apt; the Node 18 test will be skipped" >&2
  else
    echo "install-deps: unpacking Debian's nodejs $node18 into $NODE18_DIR"
    debs=$(mktemp -d)
    chmod 755 "$debs" # apt-get download runs as _apt where it can
    if (cd "$debs" && apt-get download -qq "nodejs=$node18" "libnode108=$node18" libuv1 libc-ares2 libbrotli1 libicu72 \
      libnghttp2-14 node-acorn node-cjs-module-lexer node-undici >/dev/null 2>&1); then
      rm -rf "$NODE18_DIR.tmp" && mkdir -p "$NODE18_DIR.tmp"
      for deb in "$debs"/*.deb; do dpkg -x "$deb" "$NODE18_DIR.tmp"; done
      rm -rf "$NODE18_DIR" && mv "$NODE18_DIR.tmp" "$NODE18_DIR"
    else
      echo "install-deps: could not download Debian's nodejs $node18; the Node 18 test will be skipped" >&2
    fi
    rm -rf "$debs"
  fi
fi
# Debian's apache2ctl, the /bin/sh script that runs apache2 as its child (test/wrappers-ns.test.ts runs it as PID 1
# with APACHE_HTTPD set to a test service). Unpacked from the apache2 package into /opt/pid1-apache2, never
# installed: no Apache is set up or started on the machine.
APACHE2_DIR=/opt/pid1-apache2
if [ ! -x "$APACHE2_DIR/usr/sbin/apache2ctl" ]; then
  debs=$(mktemp -d)
  chmod 755 "$debs"
  if (cd "$debs" && { apt-get download -qq apache2 >/dev/null 2>&1 || { apt-get update -qq && apt-get download -qq apache2 >/dev/null 2>&1; }; }); then
    rm -rf "$APACHE2_DIR.tmp" && mkdir -p "$APACHE2_DIR.tmp"
    dpkg -x "$debs"/apache2_*.deb "$APACHE2_DIR.tmp"
    rm -rf "$APACHE2_DIR" && mv "$APACHE2_DIR.tmp" "$APACHE2_DIR"
    echo "install-deps: unpacked Debian's apache2ctl into $APACHE2_DIR"
  else
    echo "install-deps: could not download Debian's apache2 package; the apache2ctl test will be skipped" >&2
  fi
  rm -rf "$debs"
fi
# A machine restored from a snapshot keeps /run but none of its processes: a socket nobody answers
# on is stale. dockerd 20.10 adopts any file at /run/containerd/containerd.sock as a running system
# containerd (it only lstat()s it) and fails after a minute of refused dials, so stale sockets and
# pid files are removed before anything is started.
remove_stale_socket() { # SOCKET CHECK...
  local sock=$1
  shift
  if [ -e "$sock" ] && ! "$@" >/dev/null 2>&1; then
    echo "install-deps: removing stale $sock (nothing answers on it)"
    rm -f "$sock" "$sock.ttrpc"
  fi
}
remove_stale_pidfile() { # PIDFILE COMM
  local pidfile=$1 comm=$2 pid
  [ -e "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" != "$comm" ]; then
    echo "install-deps: removing stale $pidfile (no $comm runs as ${pid:-?})"
    rm -f "$pidfile"
  fi
}
if ! docker info >/dev/null 2>&1; then
  remove_stale_socket /run/containerd/containerd.sock timeout 10 ctr --address /run/containerd/containerd.sock version
  remove_stale_pidfile /var/run/docker.pid dockerd
  remove_stale_pidfile /var/run/docker/containerd/containerd.pid containerd
  echo "install-deps: starting dockerd (no bridge, no iptables: test containers use --network none)"
  # from /: the daemons outlive this checkout, and conmon fails every container ("Failed to get working
  # directory") once the directory it inherited is deleted
  (cd / && nohup dockerd --bridge=none --iptables=false --ip6tables=false >/tmp/pid1-dockerd.log 2>&1 &)
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
  remove_stale_socket "$podman_sock" false
  echo "install-deps: starting podman system service on $podman_sock (CONTAINERS_CONF=$podman_conf)"
  mkdir -p "$(dirname "$podman_sock")"
  # Podman 4.3's API writes each image it loads to $TMPDIR/api_load.tar* and leaves the file there: a directory of its
  # own, emptied at each start, instead of /var/tmp
  podman_tmp=/var/lib/pid1/podman-tmp
  rm -rf "$podman_tmp" && mkdir -p "$podman_tmp"
  (cd / && CONTAINERS_CONF=$podman_conf TMPDIR=$podman_tmp nohup podman system service --time=0 "unix://$podman_sock" >/tmp/pid1-podman.log 2>&1 &)
  wait_for podman /tmp/pid1-podman.log podman --remote --url "unix://$podman_sock" version
fi

# containerd on its default socket and state directory (/run/containerd), beside the one dockerd
# runs for itself (/var/run/docker/containerd): started after dockerd, which would otherwise adopt
# it. Debian's /etc/containerd/config.toml keeps the CRI plugin on, as a Kubernetes node has it.
containerd_sock=/run/containerd/containerd.sock
if ! { [ -S "$containerd_sock" ] && ctr --address "$containerd_sock" version >/dev/null 2>&1; }; then
  echo "install-deps: starting containerd on $containerd_sock"
  (cd / && nohup containerd >/tmp/pid1-containerd.log 2>&1 &)
  wait_for containerd /tmp/pid1-containerd.log ctr --address "$containerd_sock" version
fi
echo "install-deps: ready (docker $(docker version --format '{{.Server.Version}}'), podman $(podman --remote --url "unix://$podman_sock" version --format '{{.Server.Version}}'), containerd $(ctr --address "$containerd_sock" version | awk '/Server:/{s=1} s&&/Version:/{print $2; exit}'))"

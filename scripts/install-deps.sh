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

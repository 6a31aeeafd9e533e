#!/usr/bin/env bash
# setup.sh: everything vigil needs on a fresh Debian 12 machine, idempotent.
# Installs the Debian packages (apt-get update first, only when something is
# missing), reserves hugepages and mounts hugetlbfs and bpffs when missing,
# then configures and builds into build/. A second run only rebuilds.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential pkg-config meson ninja-build clang llvm lld
  libclang-rt-14-dev   # libFuzzer and the clang sanitizer runtimes (scripts/fuzz.sh)
  libbpf-dev libxdp-dev libelf-dev zlib1g-dev bpftool
  libdpdk-dev
  libjson-c-dev libzmq3-dev libyaml-dev libpcap-dev libsqlite3-dev
  libmicrohttpd-dev            # lib/httpd.c: the daemons' HTTP server (metrics)
  libnats-dev nats-server      # collector/collector_fleet.c (JetStream); tests/fleet runs a cluster
  libpsl-dev publicsuffix       # registered domains (detectors: dnstunnel)
  python3-jsonschema           # tests/collector/schema.sh: events against docs/schema
  python3-scapy                # tests/intel/mkcap.py: the planted-indicator capture
  iproute2 ethtool procps jq
  tshark                       # tests: evidence files must open in tshark
  chromium fonts-dejavu-core curl openssl  # tests/collector/console.sh: the console in headless chromium (readable screenshots), over HTTP(S)
  tcpdump                      # scripts/bench-replay.sh: the floor it compares replay with
  qemu-user-static             # scripts/cross-build.sh: arm64 unit tests
  dpkg-dev debhelper fakeroot lintian   # scripts/build-deb.sh, tests/package
  systemd man-db logrotate     # tests/package: systemd-analyze verify, man -l, the logrotate file
  prometheus curl              # tests/monitoring: promtool, scraping the daemons
)
HUGEPAGES=${VIGIL_HUGEPAGES:-256}   # 2 MiB pages: 512 MiB, enough for the sensor and the tests

say() { echo "setup: $*"; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: must run as root (packages, hugepages, bpffs)" >&2
    exit 1
  fi
}

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "packages: all present"
    return
  fi
  say "packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_hugepages() {
  local total
  total=$(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo)
  if [ "${total:-0}" -lt "$HUGEPAGES" ]; then
    echo "$HUGEPAGES" > /proc/sys/vm/nr_hugepages || true
    total=$(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo)
    say "hugepages: $total reserved"
  fi
  if ! mount | grep -q ' type hugetlbfs '; then
    mkdir -p /dev/hugepages
    mount -t hugetlbfs nodev /dev/hugepages
    say "hugepages: hugetlbfs mounted on /dev/hugepages"
  fi
}

setup_bpffs() {
  if ! mount | grep -q ' /sys/fs/bpf type bpf '; then
    mount -t bpf bpf /sys/fs/bpf
    say "bpffs mounted on /sys/fs/bpf"
  fi
}

build() {
  if [ ! -f build/build.ninja ]; then
    meson setup build --buildtype=debugoptimized >/dev/null
  fi
  ninja -C build >/dev/null
  say "built into build/ (build/sensor/vigil-sensor, build/collector/vigil-collector)"
}

need_root
install_packages
setup_hugepages
setup_bpffs
build

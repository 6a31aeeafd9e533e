#!/usr/bin/env bash
# test.sh: set up (packages, hugepages, build) and run every suite with meson test.
# Suites: unit, config, bpf, collector, gen, replay, netns. Extra arguments go to
# meson test (e.g. ./scripts/test.sh --suite unit); without any, the ASan/UBSan
# build (build-asan) and a minute of fuzzing (build-fuzz) run as well.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
rc=0
meson test -C build --print-errorlogs "$@" || rc=1
[ $# -eq 0 ] || exit $rc
# CI also: the pure and replay suites built with ASan + UBSan (DPDK runs under it
# with the sensor's usual --in-memory EAL), and a minute of fuzzing (tests/fuzz/README.md)
[ -f build-asan/build.ninja ] ||
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || rc=1
ninja -C build-asan >/dev/null &&
  meson test -C build-asan --print-errorlogs --suite unit --suite replay --suite collector || rc=1
./scripts/fuzz.sh 60 || rc=1
exit $rc

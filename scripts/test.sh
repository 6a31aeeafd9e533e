#!/usr/bin/env bash
# test.sh: set up (packages, hugepages, build) and run every suite with meson test.
# Suites: quick (unit without the generators; no root), unit, config, bpf, collector, fleet, gen, replay, netns, detect, intel, appliance,
# flowcmp, flowdiff, robustness, fuzz, cross, package, monitoring. Extra arguments go to meson test
# (e.g. ./scripts/test.sh --suite quick) and run only that, skipping set-up when
# build/ exists (docs/contributing.md: which lane when). Without arguments,
# first the unit, replay and collector suites built with ASan + UBSan
# (build-asan) and a minute of fuzzing (scripts/fuzz.sh), then the whole suite:
# the output ends with meson's summary of it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  # a lane (--suite NAME ...): set-up only when there is no build yet, else just rebuild
  if [ -f build/build.ninja ]; then
    ninja -C build >/dev/null
  else
    ./scripts/setup.sh
  fi
  exec meson test -C build --print-errorlogs "$@"
fi
./scripts/setup.sh
rc=0
echo "== ASan + UBSan build: unit, replay and collector suites"
[ -f build-asan/build.ninja ] ||
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || rc=1
if ninja -C build-asan >/dev/null; then
  # undefined behaviour fails the test, as a memory error does (UBSan only prints by default)
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    meson test -C build-asan --print-errorlogs --suite unit --suite replay --suite collector || rc=1
else
  echo "test.sh: the ASan build failed" >&2
  rc=1
fi
echo "== fuzzing: every target, a minute in all"
./scripts/fuzz.sh 60 || rc=1
echo "== the whole suite"
meson test -C build --print-errorlogs || rc=1
exit $rc

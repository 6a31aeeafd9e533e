#!/usr/bin/env bash
# test.sh: set up (packages, hugepages, build) and run every suite with meson test.
# Suites: unit, config, bpf, collector, gen, replay, netns. Extra arguments go to
# meson test (e.g. ./scripts/test.sh --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec meson test -C build --print-errorlogs "$@"

#!/usr/bin/env bash
# console-shot.sh OUT_DIR: screenshots of the collector's web console, on
# demand. A fresh vigil-collector is filled by real replays (an SSH brute force
# on sensor edge-1, a port scan on edge-2, plus an incident whose fields are
# HTML), and headless chromium writes incidents.png, incident.png, host.png and
# sensors.png into OUT_DIR after checking each page (tests/collector/console.sh
# browser; docs/console.md). Needs root for the replays, like the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 1 ] || [ "${1#-}" != "$1" ]; then
  echo "usage: scripts/console-shot.sh OUT_DIR" >&2
  exit 2
fi
mkdir -p "$1"
OUT=$(readlink -f "$1")
./scripts/setup.sh
sh tests/collector/console.sh browser . build/sensor/vigil-sensor build/collector/vigil-collector \
  build/tests/collector/zmq_drive "$OUT"
ls -l "$OUT"/*.png

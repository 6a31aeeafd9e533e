#!/usr/bin/env bash
# robustness.sh: tcpdump's 830 regression captures (many fuzzed or truncated)
# must never crash, hang or break the count. All of them through the reader,
# the real XDP program and the harvest in one process (test_robustness), then
# a spread sample through the whole sensor (vigil-sensor -r, DPDK and all).
# Usage: robustness.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
t_need_root
CAPS=$SRC/tests/data/captures/robustness
[ -d "$CAPS" ] || t_skip "no $CAPS"
SENSOR=$BUILD/sensor/vigil-sensor
TMP=$(mktemp -d /tmp/vigil-robust.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

timeout 300 "$BUILD/tests/robustness/test_robustness" "$BUILD/ebpf/vigil.bpf.o" "$CAPS" \
  > "$TMP/all.log" 2>&1
rc=$?
grep -v '^ok' "$TMP/all.log" | tail -25
t_eq "all $(ls "$CAPS" | wc -l) captures through reader + XDP + harvest" "$rc" 0

cat > "$TMP/sensor.yaml" <<'YAML'
sensor:
  name: robustness
dpdk:
  hugepages: false
collector:
  endpoint: ""
evidence:
  enabled: false
YAML
# every 64th capture (13 of 830) through the full sensor: exit 0, or exit 1 with
# its one-line refusal (a link type without IP, not a capture); never a signal
i=0
for f in "$CAPS"/*; do
  i=$((i + 1))
  [ $((i % 64)) -eq 1 ] || continue
  n=$(basename "$f")
  timeout 60 "$SENSOR" -c "$TMP/sensor.yaml" -r "$f" --flows-json "$TMP/flows.json" \
    > "$TMP/s.log" 2>&1
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q "link type\|not a pcap\|read error" "$TMP/s.log"; then
    rc=0
  fi
  t_eq "sensor replays $n (exit 0 or a clean refusal)" "$rc" 0
done
t_done

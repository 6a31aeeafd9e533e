#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# flowmap_replay.sh: the shared flow table (xdp.flow_map: shared) must give the
# same flow records and the same alerts as the per-CPU default on the same
# capture. Replays captures from tests/data/captures (all of attack/, a sample
# of flow/) through vigil-sensor twice, once per table kind, and compares the sorted EVE
# flow and alert records. The per-CPU records are themselves checked against
# tshark by tests/flowcmp, so equality here carries that check over. The flow
# captures are a sample of the layouts (tunnels, fragments, tags, IPv6
# extension headers, other link types). The kernel's tables are what is
# compared, so the replays run through the XDP program (--replay-xdp);
# tests/flowdiff holds the user-space build's tables equal to them.
# Usage: flowmap_replay.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
t_need_root
SENSOR=$BUILD/sensor/vigil-sensor
TMP=$(mktemp -d /tmp/vxm-flowmap.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

for kind in percpu shared; do
  cat > "$TMP/$kind.yaml" <<CFG
sensor:
  name: flowmap
dpdk:
  hugepages: false
xdp:
  flow_map: $kind
flows:
  timeout_s: 30
collector:
  endpoint: ""
evidence:
  enabled: false
log:
  level: info
CFG
done

n=0
total_flows=0
F=$SRC/tests/data/captures/flow
for cap in "$F/sv_tunnel-pkt-flows.pcap" "$F/zeek_ipv4_fragmented-1.pcap" \
    "$F/sv_eve-flow-vlan-02.pcap" "$F/tcpdump_ipv6-routing-header.pcap" "$F/tcpdump_nflog.pcap" \
    "$F/sv_decode-too-small.pcap" "$SRC"/tests/data/captures/*.pcap \
    "$SRC"/tests/data/captures/attack/*.pcap*; do
  case $cap in *.csv) continue ;; esac
  name=$(basename "$cap")
  ok=1
  for kind in percpu shared; do
    rm -f "$TMP/$kind.flows" "$TMP/$kind.alerts"	# --alerts-json appends
    if ! "$SENSOR" -c "$TMP/$kind.yaml" -r "$cap" --replay-xdp --flows-json "$TMP/$kind.flows" \
        --alerts-json "$TMP/$kind.alerts" 2> "$TMP/$kind.err"; then
      echo "  $name ($kind): sensor failed: $(tail -1 "$TMP/$kind.err")"
      ok=0
    fi
  done
  # the table really was the kind asked for
  grep -q "flow table: shared (LRU_HASH)" "$TMP/shared.err" || ok=0
  grep -q "flow table: per-CPU (LRU_PERCPU_HASH)" "$TMP/percpu.err" || ok=0
  for what in flows alerts; do
    if ! cmp -s <(sort "$TMP/percpu.$what") <(sort "$TMP/shared.$what"); then
      echo "  $name: $what differ:"
      diff <(sort "$TMP/percpu.$what") <(sort "$TMP/shared.$what") | head -4
      ok=0
    fi
  done
  flows=$(wc -l < "$TMP/shared.flows")
  total_flows=$((total_flows + flows))
  t_eq "$name: shared = percpu ($flows flows, $(wc -l < "$TMP/shared.alerts") alerts)" "$ok" 1
  n=$((n + 1))
done
t_check "captures replayed" [ "$n" -ge 14 ]
t_check "flows compared" [ "$total_flows" -ge 100 ]
t_done

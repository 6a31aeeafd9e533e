#!/usr/bin/env bash
# soak.sh: vigil under sustained load, for SECONDS (default 600). Not part of
# `meson test` (too long); run it by hand as root after a build:
#   sudo scripts/soak.sh [SECONDS] [BUILDDIR]      (BUILDDIR default: build)
# vigil-gen sends at the highest rate this machine sustains (measured first)
# through a single-queue veth into the live sensor (native XDP + DPDK af_xdp):
# 30 s of benign traffic to learn, then cycles of a 10 s random-source UDP flood
# (sources drawn from 100.64.0.0/10) and 20 s of benign, so a third of the time
# is flood. The collector is stopped and restarted at 1/3 and 2/3 of the run.
# Checks: the sensor stayed up and exits 0; its memory (VmRSS + hugetlb pages it
# maps) stayed within 5% of the level after warm-up; every frame sent is found
# again in a counter with a reason (veth ring drops, XDP outcomes, AF_XDP ring
# drops, the poller); every alert the sensor wrote locally reached the
# collector; no incident raised more than a bounded number of alerts.
# Last line: soak ok=<0|1> rss_growth_pct=<x> alerts_lost=<n>
# Names: netns vx8g, veths vx8s / vx8g0, pins under /sys/fs/bpf/vx8soak.
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-600}
BUILD=${2:-build}
P=vx8
FLOOD_S=10
BENIGN_S=20
LEARN_S=30
END_AFTER_S=3
SENSOR=$BUILD/sensor/vigil-sensor
COLLECTOR=$BUILD/collector/vigil-collector
GEN=$BUILD/tools/vigil-gen
TMP=$(mktemp -d /tmp/vx8-soak.XXXXXX)
SENSOR_PID=
COLL_PID=
GEN_PID=
IF=${P}s

say() { echo "soak: $*"; }
fail_early() { say "$*"; echo "soak ok=0 rss_growth_pct=nan alerts_lost=nan"; exit 1; }

cleanup() {
  [ -n "$GEN_PID" ] && kill "$GEN_PID" 2>/dev/null
  [ -n "$SENSOR_PID" ] && kill -TERM "$SENSOR_PID" 2>/dev/null && sleep 2 && kill -KILL "$SENSOR_PID" 2>/dev/null
  [ -n "$COLL_PID" ] && kill -TERM "$COLL_PID" 2>/dev/null
  wait 2>/dev/null
  ip netns del ${P}g 2>/dev/null
  ip link del "$IF" 2>/dev/null
  rm -rf /sys/fs/bpf/${P}soak 2>/dev/null
  [ -n "${KEEP_TMP:-}" ] && say "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || fail_early "needs root (netns, XDP, hugepages)"
case "$SECS" in '' | *[!0-9]*) fail_early "usage: $0 [SECONDS] [BUILDDIR]" ;; esac
[ "$SECS" -ge 120 ] || fail_early "SECONDS must be at least 120 (30 s learning + three cycles)"
for b in "$SENSOR" "$COLLECTOR" "$GEN"; do [ -x "$b" ] || fail_early "missing $b (build first)"; done
for c in jq ethtool ip; do command -v $c >/dev/null || fail_early "missing $c"; done

# ---- topology: generator namespace --veth--> sensor port in the root namespace
ip netns del ${P}g 2>/dev/null; ip link del "$IF" 2>/dev/null
ip netns add ${P}g || fail_early "cannot create netns ${P}g"
ip link add "$IF" numtxqueues 1 numrxqueues 1 type veth peer name ${P}g0 numtxqueues 1 numrxqueues 1 ||
  fail_early "cannot create veth $IF"
ip link set ${P}g0 netns ${P}g
# no IPv6 neighbour discovery: every frame on the link is one vigil-gen sent
ip netns exec ${P}g sysctl -qw net.ipv6.conf.${P}g0.disable_ipv6=1
sysctl -qw net.ipv6.conf."$IF".disable_ipv6=1
ip -n ${P}g link set lo up
ip -n ${P}g link set ${P}g0 up
ip link set "$IF" up
MAC=$(cat /sys/class/net/"$IF"/address)
PORT=$(( 20000 + $$ % 20000 ))
nsstat() { ip netns exec ${P}g cat /sys/class/net/${P}g0/statistics/"$1"; }
ethstat() { ethtool -S "$IF" | awk -v k="$1:" '$1 == k {print $2}'; }

cat > "$TMP/collector.yaml" <<YAML
collector:
  listen: tcp://127.0.0.1:$PORT
  events_jsonl: $TMP/events.jsonl
YAML
cat > "$TMP/sensor.yaml" <<YAML
sensor:
  name: ${P}soak
  interfaces: [$IF]
  home_net: [192.0.2.0/24]
xdp:
  pin_dir: /sys/fs/bpf/${P}soak
collector:
  endpoint: tcp://127.0.0.1:$PORT
  retry_ms: 200
evidence:
  dir: $TMP/evidence
detectors:
  flood:
    learning_s: 20
    end_after_s: $END_AFTER_S
YAML
mkdir -p /sys/fs/bpf/${P}soak

start_collector() {
  "$COLLECTOR" -c "$TMP/collector.yaml" >> "$TMP/collector.log" 2>&1 &
  COLL_PID=$!
}
stop_collector() {
  kill -TERM "$COLL_PID" 2>/dev/null
  wait "$COLL_PID" 2>/dev/null
  COLL_PID=
}
mem_kb() { # VmRSS + hugetlb pages mapped by pid $1, in kB
  awk '/^(Rss|Private_Hugetlb|Shared_Hugetlb):/ {s += $2} END {print s + 0}' /proc/"$1"/smaps_rollup 2>/dev/null
}

start_collector
"$SENSOR" -c "$TMP/sensor.yaml" --alerts-json "$TMP/alerts.json" --flows-json "$TMP/flows.json" \
  > "$TMP/sensor.log" 2>&1 &
SENSOR_PID=$!
for _ in $(seq 200); do grep -q watching "$TMP/sensor.log" && break; sleep 0.1; done
grep -q watching "$TMP/sensor.log" || { cat "$TMP/sensor.log"; fail_early "sensor did not attach to $IF"; }

# ---- the highest rate vigil-gen sustains into the veth here, measured over 3 s
TX0=$(nsstat tx_packets)
RX0=$(ethstat rx_queue_0_xdp_packets)
GENARGS=(--iface ${P}g0 --dst-mac "$MAC" --internal 192.0.2.0/24 --external 100.64.0.0/10 --victim 192.0.2.10)
ip netns exec ${P}g "$GEN" "${GENARGS[@]}" --seed 99 --phase benign:3:3000000 > "$TMP/calib.log" 2>&1
RATE=$(sed -n 's/.* \([0-9.]*\) frames\/s (target.*/\1/p' "$TMP/calib.log" | tail -1)
RATE=${RATE%.*}
[ -n "$RATE" ] && [ "$RATE" -gt 1000 ] || { cat "$TMP/calib.log"; fail_early "calibration failed"; }
say "vigil-gen sustains $RATE frames/s into $IF on this machine (shared: pessimistic); soaking for $SECS s"

# ---- the run: learning, then cycles of flood + benign at that rate
CYCLES=$(( (SECS - LEARN_S) / (FLOOD_S + BENIGN_S) ))
PHASES=(--phase "benign:$LEARN_S:$RATE")
for _ in $(seq "$CYCLES"); do
  PHASES+=(--phase "udpflood:$FLOOD_S:$RATE" --phase "benign:$BENIGN_S:$RATE")
done
TOTAL=$(( LEARN_S + CYCLES * (FLOOD_S + BENIGN_S) ))
ip netns exec ${P}g "$GEN" "${GENARGS[@]}" --seed 7 "${PHASES[@]}" > "$TMP/gen.log" 2>&1 &
GEN_PID=$!
T0=$(date +%s)
BASE_KB=
PEAK_KB=0
LAST_KB=0
SENSOR_UP=1
RESTARTS=0
while kill -0 "$GEN_PID" 2>/dev/null; do
  sleep 5
  now=$(( $(date +%s) - T0 ))
  if ! kill -0 "$SENSOR_PID" 2>/dev/null; then SENSOR_UP=0; say "sensor died at ${now}s"; break; fi
  kb=$(mem_kb "$SENSOR_PID")
  # the level after warm-up (learning done, first flood seen) is the reference
  if [ -z "$BASE_KB" ] && [ "$now" -ge $(( LEARN_S + FLOOD_S + 5 )) ]; then BASE_KB=$kb; fi
  [ -n "$BASE_KB" ] && [ "$kb" -gt "$PEAK_KB" ] && PEAK_KB=$kb
  LAST_KB=$kb
  echo "$now $kb" >> "$TMP/mem.tsv"
  if [ "$RESTARTS" -lt 2 ] && [ "$now" -ge $(( (RESTARTS + 1) * TOTAL / 3 )) ]; then
    stop_collector
    say "collector stopped at ${now}s ($(( RESTARTS + 1 ))/2), back in 5 s"
    sleep 5
    start_collector
    RESTARTS=$(( RESTARTS + 1 ))
  fi
  if [ "$now" -gt $(( TOTAL * 2 + 120 )) ]; then say "generator overran, stopping it"; kill "$GEN_PID"; fi
done
wait "$GEN_PID"; GEN_RC=$?; GEN_PID=
ELAPSED=$(( $(date +%s) - T0 ))
TX=$(( $(nsstat tx_packets) - TX0 ))
TXDROP=$(nsstat tx_dropped)

# ---- drain: the last incident ends, the publisher delivers
sleep $(( END_AFTER_S + 4 ))
local_alerts() { jq -c 'select(.event_type=="alert")' "$TMP/alerts.json" 2>/dev/null | wc -l; }
coll_alerts() { jq -c 'select(.event_type=="alert")' "$TMP/events.jsonl" 2>/dev/null | wc -l; }
for _ in $(seq 60); do [ "$(coll_alerts)" -ge "$(local_alerts)" ] && break; sleep 1; done
kill -0 "$SENSOR_PID" 2>/dev/null || SENSOR_UP=0
END_KB=$(mem_kb "$SENSOR_PID")
[ -n "$END_KB" ] && LAST_KB=$END_KB
RX_XDP=$(( $(ethstat rx_queue_0_xdp_packets) - RX0 ))
RX_RINGDROP=$(ethstat rx_queue_0_drops)
REDIRECT=$(ethstat rx_queue_0_xdp_redirect)
XDP_DROPS=$(ethstat rx_queue_0_xdp_drops)
kill -TERM "$SENSOR_PID"
wait "$SENSOR_PID"; SENSOR_RC=$?; SENSOR_PID=
stop_collector

# ---- figures
xdp_line=$(grep -o 'xdp: .*' "$TMP/sensor.log" | tail -1)
poll_line=$(grep -o 'poller: .*' "$TMP/sensor.log" | tail -1)
kv() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }
X_FRAMES=$(kv "$xdp_line" frames); X_HANDOFF=$(kv "$xdp_line" handoff)
POLLED=$(kv "$poll_line" packets)
OUTCOMES=0
for r in accounted non_ip bad_eth bad_vlan bad_ip4 bad_ip6 bad_ip6_ext no_flow_map flow_insert_fail blocked; do
  v=$(kv "$xdp_line" "$r"); OUTCOMES=$(( OUTCOMES + ${v:-0} ))
done
say "sent $TX frames in ${ELAPSED}s ($(( TX / (ELAPSED > 0 ? ELAPSED : 1) )) frames/s; generator exit $GEN_RC, tx_dropped $TXDROP)"
say "veth $IF: xdp_packets=$RX_XDP (since calibration) xsk_ring_full_drops=$RX_RINGDROP xdp_redirect=$REDIRECT xdp_drops=$XDP_DROPS"
say "sensor $xdp_line"
say "sensor $poll_line"
# the chain: sent (since calibration) = seen by XDP there; seen (XDP's own count,
# since attach) = one outcome each; handed off = redirected + redirects that failed
# because the AF_XDP rx ring was full (veth counts those in rx_queue_0_drops) +
# XDP drops; redirected = polled + still in the ring at stop
u1=$(( TX - ${RX_XDP:-0} ))
u2=$(( ${X_FRAMES:-0} - OUTCOMES ))
u3=$(( ${X_HANDOFF:-0} - ${REDIRECT:-0} - ${RX_RINGDROP:-0} - ${XDP_DROPS:-0} ))
u4=$(( ${REDIRECT:-0} - ${POLLED:-0} ))
say "unexplained: sent-vs-seen=$u1 seen-vs-outcomes=$u2 handoff-vs-redirect=$u3 redirect-vs-polled=$u4 (frames still in the AF_XDP ring at stop: up to its size)"
DROPS_OK=1
[ "$u1" -eq 0 ] && [ "$u2" -eq 0 ] && [ "${X_FRAMES:-0}" -ge "${RX_XDP:-0}" ] && [ "$u3" -eq 0 ] &&
  [ "$u4" -ge 0 ] && [ "$u4" -le 8192 ] || DROPS_OK=0

# alerts: the local file is what the sensor raised; the collector must hold each one once
key='select(.event_type=="alert") | [.vigil.incident_id, .vigil.state, .timestamp, .dest_ip] | @tsv'
jq -r "$key" "$TMP/alerts.json" 2>/dev/null | sort > "$TMP/local.keys"
jq -r "$key" "$TMP/events.jsonl" 2>/dev/null | sort > "$TMP/coll.keys"
LOCAL_N=$(wc -l < "$TMP/local.keys")
LOST=$(comm -23 "$TMP/local.keys" <(sort -u "$TMP/coll.keys") | wc -l)
DUPS=$(( $(wc -l < "$TMP/coll.keys") - $(sort -u "$TMP/coll.keys" | wc -l) ))
INCIDENTS=$(jq -r 'select(.event_type=="alert" and .vigil.state=="start") | .vigil.incident_id' "$TMP/alerts.json" | wc -l)
VICTIM_INC=$(jq -r 'select(.event_type=="alert" and .vigil.state=="start" and .vigil.detector=="flood" and .dest_ip=="192.0.2.10")' "$TMP/alerts.json" | grep -c '"start"')
# an incident is (detector, incident_id); bounded = at most one alert per second it
# lasted, plus start and end (per packet would be thousands)
jq -r 'select(.event_type=="alert") | [.vigil.detector, .vigil.incident_id, (.vigil.duration_s // 0 | floor)] | @tsv' \
  "$TMP/alerts.json" | awk -F'\t' '{k = $1 " " $2; n[k]++; if ($3 > d[k]) d[k] = $3}
    END {for (k in n) print n[k], d[k], k}' | sort -n > "$TMP/per_incident.txt"
PER_MAX=$(tail -1 "$TMP/per_incident.txt" | awk '{print $1 + 0}'); PER_MAX=${PER_MAX:-0}
OVER=$(awk '$1 > $2 + 3' "$TMP/per_incident.txt" | wc -l)
say "alerts: $LOCAL_N raised in $INCIDENTS incidents ($VICTIM_INC flood incidents on the victim for $CYCLES floods); most in one incident: $(tail -1 "$TMP/per_incident.txt"); incidents over 3 + duration_s alerts: $OVER"
say "alerts by detector: $(jq -r 'select(.event_type=="alert") | .vigil.detector' "$TMP/alerts.json" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
say "alerts lost $LOST, duplicates at the collector $DUPS"
say "collector restarts: $RESTARTS; sensor exit $SENSOR_RC"

if [ -n "$BASE_KB" ] && [ "$BASE_KB" -gt 0 ]; then
  GROWTH=$(awk -v a="$BASE_KB" -v b="$LAST_KB" 'BEGIN {printf "%.2f", (b - a) * 100 / a}')
  PEAKG=$(awk -v a="$BASE_KB" -v b="$PEAK_KB" 'BEGIN {printf "%.2f", (b - a) * 100 / a}')
else
  GROWTH=nan; PEAKG=nan
fi
say "memory (VmRSS + hugetlb): ${BASE_KB:-?} kB after warm-up, ${LAST_KB} kB at the end, peak ${PEAK_KB} kB (+${PEAKG}%)"

OK=1
check() { if [ "$2" -eq 1 ]; then say "ok   $1"; else say "FAIL $1"; OK=0; fi; }
check "sensor stayed up and exited 0" $(( SENSOR_UP == 1 && SENSOR_RC == 0 ))
check "memory flat within 5%" "$(awk -v g="$GROWTH" -v p="$PEAKG" 'BEGIN {print (g != "nan" && g < 5 && g > -5 && p < 5) ? 1 : 0}')"
check "every frame counted by reason" "$DROPS_OK"
check "no alert lost, none stored twice" $(( LOST == 0 && DUPS == 0 ))
check "alerts per incident bounded" $(( OVER == 0 ))
check "floods raised incidents" $(( INCIDENTS >= 1 ))
check "collector restarted twice" $(( RESTARTS == 2 ))
echo "soak ok=$OK rss_growth_pct=$GROWTH alerts_lost=$LOST"
[ "$OK" -eq 1 ]

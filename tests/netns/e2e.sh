#!/usr/bin/env bash
# e2e.sh: the whole path, live and real. A tap (tc mirred) copies the traffic
# between an external and an internal namespace onto a veth where vigil's XDP
# program runs in native mode and hands every frame over AF_XDP to the DPDK
# poller; the flood detector's alert travels over ZeroMQ to vigil-collector.
# Checks: benign traffic raises nothing, a flood raises one incident (not one
# alert per packet) naming the victim, flows are written, and a clean stop
# leaves no XDP program or pinned map behind.
# Usage: e2e.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
# shellcheck source=../../scripts/lib/topo.sh
. "$SRC/scripts/lib/topo.sh"
t_need_root
P=vgt$$
P=${P:0:8}
TMP=$(mktemp -d /tmp/vigil-e2e.XXXXXX)
SENSOR_PID=
COLL_PID=

cleanup() {
  [ -n "$SENSOR_PID" ] && kill -TERM "$SENSOR_PID" 2>/dev/null && sleep 1 && kill -KILL "$SENSOR_PID" 2>/dev/null
  [ -n "$COLL_PID" ] && kill -TERM "$COLL_PID" 2>/dev/null
  wait 2>/dev/null
  topo_down
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

alerts() { # jq filter over what the collector stored
  jq -c "select(.event_type==\"alert\" or .event_type==\"incident\") | $1" "$TMP/events.jsonl" 2>/dev/null | wc -l
}

topo_up || t_skip "cannot build the namespace topology (ip netns / veth / tc mirred)"
IFACE=$(topo_sensor_if)
PORT=$(( 20000 + $$ % 20000 ))

cat > "$TMP/collector.yaml" <<YAML
collector:
  listen: tcp://127.0.0.1:$PORT
  events_jsonl: $TMP/events.jsonl
YAML
cat > "$TMP/sensor.yaml" <<YAML
sensor:
  name: e2e
  interfaces: [$IFACE]
collector:
  endpoint: tcp://127.0.0.1:$PORT
  retry_ms: 200
evidence:
  dir: $TMP/evidence
detectors:
  flood:
    learning_s: 10
    floor_pps: 2000
    end_after_s: 3
YAML

"$BUILD/collector/vigil-collector" -c "$TMP/collector.yaml" > "$TMP/collector.log" 2>&1 &
COLL_PID=$!
t_check "collector listening" t_wait_for 5 grep -q "listening" "$TMP/collector.log"

"$BUILD/sensor/vigil-sensor" -c "$TMP/sensor.yaml" --alerts-json "$TMP/alerts.json" \
  --flows-json "$TMP/flows.json" > "$TMP/sensor.log" 2>&1 &
SENSOR_PID=$!
if ! t_wait_for 20 grep -q "watching" "$TMP/sensor.log"; then
  cat "$TMP/sensor.log"
  t_check "sensor attached to $IFACE" false
  t_done
  exit 1
fi
t_check "sensor attached to $IFACE" true
t_check "XDP program attached in native mode" bash -c "ip -d link show $IFACE | grep -q 'prog/xdp '"

MAC=$(topo_mac "${P}int" eth0)
GEN=("$BUILD/tools/vigil-gen" --iface eth0 --dst-mac "$MAC" --seed 3 --quiet)
ip netns exec "${P}ext" "${GEN[@]}" --phase benign:15:300 > "$TMP/gen1.log" 2>&1
sleep 2
t_eq "benign traffic: no alert at the collector" "$(alerts '.')" 0
t_check "benign traffic reached the poller" bash -c "[ \$(ethtool -S $IFACE | awk '/rx_queue_0_xdp_redirect/ {print \$2}') -gt 3000 ]"

ip netns exec "${P}ext" "${GEN[@]}" --phase udpflood:4:20000 > "$TMP/gen2.log" 2>&1
t_check "flood: an alert reaches the collector" t_wait_for 10 bash -c "[ \$(jq -c 'select(.event_type==\"alert\" and .vigil.state==\"start\")' $TMP/events.jsonl 2>/dev/null | wc -l) -ge 1 ]"
t_check "flood: the incident ends" t_wait_for 10 bash -c "[ \$(jq -c 'select(.vigil.state==\"end\")' $TMP/events.jsonl 2>/dev/null | wc -l) -ge 1 ]"
t_eq "flood: exactly one incident (not one alert per packet)" "$(alerts 'select(.vigil.state=="start")')" 1
t_check "flood: at most a handful of events for the incident" test "$(alerts '.')" -le 4
t_eq "flood: the alert names the victim" \
  "$(jq -r 'select(.vigil.state=="start") | .dest_ip + " " + .vigil.detector + " " + .in_iface' "$TMP/events.jsonl")" \
  "$TOPO_VICTIM flood $IFACE"
t_check "flood: start explains itself (above its threshold, far above the learned baseline, z-score)" \
  jq -s -e '[.[] | select(.vigil.state=="start")][0] | .vigil.observed > .vigil.threshold and .vigil.observed > 10 * .vigil.expected and .vigil.learning == false and .vigil.expected < 300 and .vigil.zscore > 6' "$TMP/events.jsonl"
# 4 s at 20,000 pps = 80,000 frames; a little slack for a busy 2-core machine
t_check "flood: end reports the peak and (nearly) every flood packet" \
  jq -s -e '[.[] | select(.vigil.state=="end")][0] | .vigil.peak > 15000 and .vigil.packets >= 72000 and .vigil.packets <= 80100' "$TMP/events.jsonl"
t_check "flood: evidence complete, at the collector, and the file's digest matches" \
  bash -c "f=\$(jq -r 'select(.vigil.evidence.status==\"complete\") | .vigil.evidence.file' $TMP/events.jsonl | head -1); d=\$(jq -r 'select(.vigil.evidence.status==\"complete\") | .vigil.evidence.sha256' $TMP/events.jsonl | head -1); [ -n \"\$f\" ] && [ \"\$(sha256sum $TMP/evidence/\$f | cut -d' ' -f1)\" = \"\$d\" ]"
# the collector may still be storing the last event (the end, or evidence) when the sensor's file has it
t_wait_for 5 bash -c "[ \$(wc -l < $TMP/alerts.json) -eq \$(jq -c 'select(.event_type==\"alert\" or .event_type==\"incident\")' $TMP/events.jsonl | wc -l) ]"
t_eq "collector stored what the sensor wrote locally" \
  "$(jq -c 'select(.event_type=="alert" or .event_type=="incident") | [.vigil.incident_id, .vigil.state]' $TMP/events.jsonl | sort | tr -d '\n')" \
  "$(jq -c '[.vigil.incident_id, .vigil.state]' $TMP/alerts.json | sort | tr -d '\n')"

kill -TERM "$SENSOR_PID"
t_check "sensor stops cleanly on SIGTERM" t_wait_for 15 bash -c "! kill -0 $SENSOR_PID 2>/dev/null"
wait "$SENSOR_PID"
t_eq "sensor exit status" "$?" 0
SENSOR_PID=
t_check "XDP program detached" bash -c "! ip -d link show $IFACE | grep -q 'prog/xdp '"
t_check "pinned flow table removed" test ! -e "/sys/fs/bpf/vigil/$IFACE"
t_check "flows written at exit, including the victim's" \
  jq -s -e "map(select(.dest_ip==\"$TOPO_VICTIM\" or .src_ip==\"$TOPO_VICTIM\")) | length > 10" "$TMP/flows.json"
t_check "no error in the sensor's log" bash -c "! grep -q ': error:' $TMP/sensor.log"
if [ "$T_FAIL" -gt 0 ]; then
  echo "--- sensor log"; cat "$TMP/sensor.log"; echo "--- collector log"; cat "$TMP/collector.log"
fi
t_done

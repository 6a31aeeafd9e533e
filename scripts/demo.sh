#!/usr/bin/env bash
# demo.sh: vigil's main job on the default embedded profile, end to end, in
# about a minute and a half. It builds a small network of namespaces (an
# external host, internal hosts, and a mirrored tap port for the sensor),
# starts vigil-collector and vigil-sensor, plays 30 s of normal office traffic
# and then a UDP flood, and shows the alerts as they arrive at the collector.
# Everything is torn down at the end, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
./scripts/setup.sh

# shellcheck source=lib/topo.sh
. scripts/lib/topo.sh
P=vgdemo
TMP=$(mktemp -d /tmp/vigil-demo.XXXXXX)
PIDS=()

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  topo_down
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted, cleaning up"; exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "topology: external host ${TOPO_EXT_IP} -> internal hosts ${TOPO_INT_NET}.10-20, mirrored to the sensor's port ${P}t1"
topo_up

# The board profile's defaults apply; the demo only names its port and endpoint,
# and learns for 20 s so the 30 s of normal traffic teach the baseline.
cat > "$TMP/sensor.yaml" <<YAML
sensor:
  name: demo-sensor
  interfaces: [${P}t1]
  home_net: [${TOPO_INT_NET}.0/24]
collector:
  endpoint: tcp://127.0.0.1:7800
evidence:
  dir: $TMP/evidence
detectors:
  flood:
    learning_s: 20
    end_after_s: 5
YAML
CONSOLE=127.0.0.1:9780
cat > "$TMP/collector.yaml" <<YAML
collector:
  listen: tcp://127.0.0.1:7800
  events_jsonl: $TMP/events.jsonl
  metrics_listen: $CONSOLE
  control: ipc://$TMP/run/collector.ctl
  evidence_dir: $TMP/fetched
YAML

step "starting vigil-collector (ZeroMQ on tcp://127.0.0.1:7800) and vigil-sensor (XDP + DPDK AF_XDP on ${P}t1)"
build/collector/vigil-collector -c "$TMP/collector.yaml" > "$TMP/collector.log" 2>&1 &
PIDS+=($!)
build/sensor/vigil-sensor -c "$TMP/sensor.yaml" --flows-json "$TMP/flows.json" > "$TMP/sensor.log" 2>&1 &
SENSOR=$!
PIDS+=("$SENSOR")
for _ in $(seq 1 100); do
  grep -q watching "$TMP/sensor.log" && break
  if ! kill -0 "$SENSOR" 2>/dev/null; then
    cat "$TMP/sensor.log"
    echo "demo: the sensor did not start" >&2
    exit 1
  fi
  sleep 0.2
done
sed 's/^/  /' "$TMP/sensor.log"
if grep -q "console on http://$CONSOLE/" "$TMP/collector.log"; then
  echo "  console: http://$CONSOLE/ (open it in a browser on this machine while the demo runs)"
else
  grep 'HTTP listener' "$TMP/collector.log" | sed 's/^/  /' || true
fi

step "alerts at the collector, as they arrive"
build/collector/vigil-collector query -c "$TMP/collector.yaml" --follow &
PIDS+=($!)

MAC=$(topo_mac "${P}int" eth0)
GEN=(build/tools/vigil-gen --iface eth0 --dst-mac "$MAC" --seed 42 --quiet)
step "30 s of normal traffic (web, DNS, NTP, ICMP between the hosts, ~300 packets/s): the sensor learns"
ip netns exec "${P}ext" "${GEN[@]}" --phase benign:30:300 > /dev/null
step "attack: UDP flood from spoofed sources towards ${TOPO_VICTIM}, 20,000 packets/s for 5 s"
ip netns exec "${P}ext" "${GEN[@]}" --phase udpflood:5:20000 --phase benign:8:300 > /dev/null
sleep 2

step "stopping the sensor (SIGTERM: XDP detached, flows written)"
kill -TERM "$SENSOR"
wait "$SENSOR" || true
sed 's/^/  /' "$TMP/sensor.log" | tail -n +2

step "summary"
alerts=$(grep -c '"event_type":"alert"' "$TMP/events.jsonl" 2>/dev/null || true)
flows=$(wc -l < "$TMP/flows.json")
echo "  alerts stored by the collector: ${alerts:-0}   flow records written by the sensor: $flows"
echo "  raw events: $TMP/events.jsonl (removed at exit)"
if listed=$(curl -sf "http://$CONSOLE/api/incidents" | jq -r '.incidents[] | "\(.id) \(.detector) \(.signature)"'); then
  echo "  console: http://$CONSOLE/ lists $(printf '%s' "$listed" | grep -c . || true) incident(s):"
  printf '%s\n' "$listed" | sed 's/^/    /'
fi
for f in "$TMP"/evidence/*.pcapng; do
  [ -e "$f" ] || continue
  echo "  evidence: $(basename "$f"): $(stat -c %s "$f") bytes, sha256 $(sha256sum "$f" | cut -c1-16)..."
done
if [ "${alerts:-0}" -ge 1 ]; then
  echo "demo: ok: the flood towards ${TOPO_VICTIM} was detected and its alert reached the collector"
else
  echo "demo: FAILED: no alert reached the collector" >&2
  exit 1
fi

#!/usr/bin/env bash
# replay.sh: the whole sensor pipeline over captures (vigil-sensor -r): the
# XDP program's user-space build (and, once, the program itself through
# BPF_PROG_TEST_RUN: the same output), the replay loop, the flood detector,
# EVE alerts and flows, the progress line on a terminal. Real captures from tests/data and
# captures vigil-gen writes from a fixed seed. Also the bad-input contract:
# a clear one-line error and exit 1, nothing left behind.
# Usage: replay.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
t_need_root
SENSOR=$BUILD/sensor/vigil-sensor
GEN=$BUILD/tools/vigil-gen
CAP=$SRC/tests/data/captures
TMP=$(mktemp -d /tmp/vigil-replay.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/sensor.yaml" <<'YAML'
sensor:
  name: replay-test
collector:
  endpoint: ""
evidence:
  enabled: false    # tests/replay/evidence.sh covers it
detectors:
  flood:
    learning_s: 30
    floor_pps: 1000
    k: 6
YAML

run() { # name capture: writes $TMP/name.{alerts,flows,log}
  "$SENSOR" -c "$TMP/sensor.yaml" -r "$2" --alerts-json "$TMP/$1.alerts" --flows-json "$TMP/$1.flows" \
    > "$TMP/$1.log" 2>&1
}
count() { jq -c "$2" "$1" 2>/dev/null | wc -l; }
# the first 'start' alert in file $1 satisfies jq expression $2 (slurped: jq 1.6's -e misreads select)
start_is() { jq -s -e "[.[] | select(.vigil.state==\"start\")] | length == 1 and (.[0] | $2)" "$1" >/dev/null; }
sum_flows() { jq -s "$2" "$1"; }

# 1. a real amplification flood: one incident for the victim, every frame in a flow
run flood "$CAP/stopddos_amp.UDP.isakmp.pcap"
t_eq "flood capture: exit 0" "$?" 0
t_eq "flood capture: one incident start" \
  "$(count "$TMP/flood.alerts" 'select(.vigil.state=="start")')" 1
t_eq "flood capture: alert names the victim" \
  "$(jq -r 'select(.vigil.state=="start") | .dest_ip + " " + .vigil.detector + " " + .proto' "$TMP/flood.alerts")" \
  "10.10.10.10 flood UDP"
t_eq "flood capture: one incident end" "$(count "$TMP/flood.alerts" 'select(.vigil.state=="end")')" 1
t_check "flood capture: observed above floor, explained" \
  start_is "$TMP/flood.alerts" '.vigil.observed > 1000 and .vigil.threshold == 1000 and .vigil.learning == true and .alert.signature_id == 9100001 and .event_type == "alert" and .vigil.duration_s == 1'
t_check "flood capture: end carries the incident's totals" \
  jq -s -e '[.[] | select(.vigil.state=="end")][0] as $e | [.[] | select(.vigil.state=="start")][0] as $s | $e.vigil.packets == 3984 and $e.vigil.peak > 1000 and $e.vigil.incident_id == $s.vigil.incident_id' "$TMP/flood.alerts"
# ids are anchored to the first frame's second (2021-06-14T19:45:01Z): unique across runs, same on replay
t_eq "flood capture: incident id anchored to the capture's time" \
  "$(jq -s -r '[.[] | select(.vigil.state=="start")][0].vigil.incident_id' "$TMP/flood.alerts")" 1623699901000001
t_eq "flood capture: flows hold every frame (3984)" \
  "$(sum_flows "$TMP/flood.flows" 'map(.flow.pkts_toserver + .flow.pkts_toclient) | add')" 3984
t_eq "flood capture: flows hold every byte as captured" \
  "$(sum_flows "$TMP/flood.flows" 'map(.flow.bytes_toserver + .flow.bytes_toclient) | add')" \
  "$(( $(stat -c %s "$CAP/stopddos_amp.UDP.isakmp.pcap") - 24 - 16 * 3984 ))"
t_check "flood capture: flow events are EVE flow events" \
  jq -s -e 'all(.[]; .event_type == "flow" and (.flow.start|type) == "string" and (.src_ip|type) == "string" and (.dest_port|type) == "number")' "$TMP/flood.flows"

# 2. the same capture again: identical output (time comes from the capture),
# and through the XDP program itself (--replay-xdp): the same output too
run flood2 "$CAP/stopddos_amp.UDP.isakmp.pcap"
t_check "replay is deterministic: alerts identical" cmp -s "$TMP/flood.alerts" "$TMP/flood2.alerts"
t_check "replay is deterministic: flows identical" cmp -s <(sort "$TMP/flood.flows") <(sort "$TMP/flood2.flows")
"$SENSOR" -c "$TMP/sensor.yaml" -r "$CAP/stopddos_amp.UDP.isakmp.pcap" --replay-xdp \
  --alerts-json "$TMP/floodx.alerts" --flows-json "$TMP/floodx.flows" > "$TMP/floodx.log" 2>&1
t_check "--replay-xdp: the same alerts" cmp -s "$TMP/flood.alerts" "$TMP/floodx.alerts"
t_check "--replay-xdp: the same flows" cmp -s <(sort "$TMP/flood.flows") <(sort "$TMP/floodx.flows")
t_check "--replay-xdp: the kernel's table, the user-space one by default" \
  bash -c 'grep -q "flow table: per-CPU" "$1" && grep -q "flow table: user space, per-CPU" "$2"' _ \
  "$TMP/floodx.log" "$TMP/flood.log"
t_check "no DPDK EAL for a replay" bash -c '! grep -qi "EAL" "$1" "$2"' _ "$TMP/flood.log" "$TMP/floodx.log"

# 3. a real benign capture: no alert, every frame accounted
run benign "$CAP/zeek_var-services-std-ports.pcap"
t_eq "benign capture: exit 0" "$?" 0
t_eq "benign capture: no alert" "$(wc -l < "$TMP/benign.alerts")" 0
# 263 frames, 4 of them ARP: the tshark reference (ref/flow/mixed_real) has 38 flows and '#non_ip,4'
t_eq "benign capture: 38 flows" "$(wc -l < "$TMP/benign.flows")" 38
t_eq "benign capture: flows hold every IP frame (259 of 263)" \
  "$(sum_flows "$TMP/benign.flows" 'map(.flow.pkts_toserver + .flow.pkts_toclient) | add')" 259

# 4. synthetic traffic: two minutes of office background, then with a flood in it
"$GEN" --pcap "$TMP/bg.pcap" --seed 7 --quiet --phase benign:120:300
run bg "$TMP/bg.pcap"
t_eq "generated benign (120 s): no alert" "$(wc -l < "$TMP/bg.alerts")" 0
"$GEN" --pcap "$TMP/atk.pcap" --seed 7 --quiet --phase benign:60:300 --phase udpflood:5:20000 --phase benign:20:300
run atk "$TMP/atk.pcap"
t_eq "generated flood after learning: one incident" "$(count "$TMP/atk.alerts" 'select(.vigil.state=="start")')" 1
# the background's conversations are answered: what the victim learned is its rate of unanswered packets
t_check "generated flood: victim, its learned rate of unanswered packets, z-score" \
  start_is "$TMP/atk.alerts" '.dest_ip == "192.0.2.10" and .vigil.learning == false and .vigil.expected < 20 and .vigil.zscore > 6 and .vigil.observed > 15000'
# vigil-gen starts at 1700000000 (2023-11-14T22:13:20Z); the flood begins 60 s later
t_check "generated flood: alert within 2 s of the onset" \
  start_is "$TMP/atk.alerts" '(.timestamp[0:19] + "Z" | fromdateiso8601) - 1700000060 | . >= 0 and . <= 2'
t_eq "generated flood: the end event follows" "$(count "$TMP/atk.alerts" 'select(.vigil.state=="end")')" 1

# 4b. the progress line: on a terminal (a pty from script(1)), not in a log
t_check "progress: no line when stderr is not a terminal" bash -c '! grep -q "frames/s\|frames, .*% of" "$1"' _ "$TMP/atk.log"
if command -v script >/dev/null; then
  script -qec "$SENSOR -c $TMP/sensor.yaml -r $TMP/atk.pcap" /dev/null > "$TMP/tty.out" 2>&1
  t_check "progress: on a terminal, frames, share of the file, rate and alerts" \
    grep -Eq "replay: [0-9]+ frames, 100% of [0-9.]+ MB, [0-9]+ k frames/s, [1-9][0-9]* alerts" "$TMP/tty.out"
fi

# 5. bad input: one line, exit 1
bad() { # name expected-substring args...
  local name=$1 want=$2 out rc
  shift 2
  out=$("$SENSOR" "$@" 2>&1)
  rc=$?
  t_check "$name: exit 1" test "$rc" -eq 1
  t_check "$name: one line saying '$want'" bash -c '[ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ] && [[ "$1" == *"$2"* ]]' _ "$out" "$want"
}
bad "missing capture" "cannot open capture" -c "$TMP/sensor.yaml" -r "$TMP/nope.pcap"
echo "this is not a capture" > "$TMP/text.pcap"
bad "not a capture" "not a pcap or pcapng capture" -c "$TMP/sensor.yaml" -r "$TMP/text.pcap"
: > "$TMP/empty.pcap"
bad "empty file" "not a pcap or pcapng capture" -c "$TMP/sensor.yaml" -r "$TMP/empty.pcap"
printf 'sensor:\n  name: x\ndetectors:\n  flood:\n    floor_ppz: 3\n' > "$TMP/bad.yaml"
bad "misspelt key" "bad.yaml:5:5: unknown key 'floor_ppz'" -c "$TMP/bad.yaml" --check-config
printf 'sensor:\n  interfaces: [vigil-nosuch0]\ncollector:\n  endpoint: ""\n' > "$TMP/noif.yaml"
bad "missing interface" "interface 'vigil-nosuch0' does not exist" -c "$TMP/noif.yaml"
t_check "missing config file: exit 1" bash -c '! "$1" -c /nonexistent.yaml --check-config >/dev/null 2>&1' _ "$SENSOR"

t_done

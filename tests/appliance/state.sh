#!/usr/bin/env bash
# state.sh: learned state across a restart, through the real sensor. Run 1
# replays a minute of benign traffic and saves what the detectors learned;
# run 2 replays a second capture (other seed, a day later) with a flood after
# 5 s: restored from the file, the flood alert is marked learning:false at
# once and nothing else alerts. Without the file the same capture alerts while
# still learning; a damaged or foreign-version file is refused with a clear log
# line and the sensor starts fresh.
# Usage: state.sh BUILDDIR
set -uo pipefail
BUILD=$1
. "$(dirname "$0")/../lib.sh"
SENSOR=$BUILD/sensor/vigil-sensor
GEN=$BUILD/tools/vigil-gen
command -v jq >/dev/null || t_skip "no jq"
TMP=$(mktemp -d /tmp/vxc-state.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

"$GEN" --pcap "$TMP/learn.pcap" --phase benign:60 --seed 1 --quiet
"$GEN" --pcap "$TMP/attack.pcap" --start 1700086400 --phase benign:5 --phase udpflood:3:20000 \
  --phase benign:10 --seed 2 --quiet
"$GEN" --pcap "$TMP/calm.pcap" --start 1700090000 --phase benign:20 --seed 3 --quiet

conf() { # name state-file
  cat > "$TMP/$1.yaml" <<YAML
sensor:
  name: state-test
  home_net: [192.0.2.0/24]
collector:
  endpoint: ""
evidence:
  enabled: false
state:
  path: $2
detectors:
  flood:
    learning_s: 30
    floor_pps: 2000
  synflood:
    learning_s: 30
  anomaly:
    learning_s: 30
YAML
}
run() { # name config capture
  "$SENSOR" -c "$TMP/$2.yaml" -r "$3" --alerts-json "$TMP/$1.alerts" > "$TMP/$1.log" 2>&1
}
count() { jq -c "$2" "$1" 2>/dev/null | wc -l; }

conf saved "$TMP/state.bin"
run learn saved "$TMP/learn.pcap"
t_eq "learning run: exit 0" "$?" 0
t_check "learning run: no state yet, said so" grep -q "no saved state at $TMP/state.bin" "$TMP/learn.log"
t_check "learning run: state saved at the end" test -s "$TMP/state.bin"
t_check "learning run: written atomically (no temporary left)" test ! -e "$TMP/state.bin.tmp"
t_eq "learning run: benign traffic, no alert" "$(count "$TMP/learn.alerts" .)" 0
cp "$TMP/state.bin" "$TMP/state.orig"

run restored saved "$TMP/attack.pcap"
t_eq "restart: exit 0" "$?" 0
t_check "restart: the state was restored (flood and anomaly baselines)" \
  grep -Eq "state: restored [0-9]+ learned entries .*flood [1-9][0-9]*.*statistics hosts [1-9]" "$TMP/restored.log"
t_eq "restart: one flood incident" "$(count "$TMP/restored.alerts" 'select(.vigil.state=="start")')" 1
t_check "restart: the flood alert is not learning (no relearning)" \
  jq -s -e '[.[] | select(.vigil.state=="start")][0] | .vigil.detector == "flood" and .vigil.learning == false and .dest_ip == "192.0.2.10" and .vigil.expected > 0' "$TMP/restored.alerts"
t_eq "restart: no other alert" "$(count "$TMP/restored.alerts" 'select(.vigil.detector!="flood" or .dest_ip!="192.0.2.10")')" 0

run calm saved "$TMP/calm.pcap"
t_eq "second restart on benign traffic: exit 0, no false alert" "$?:$(count "$TMP/calm.alerts" .)" "0:0"
t_check "second restart: restored the state the first restart saved" grep -q "state: restored" "$TMP/calm.log"

conf fresh "$TMP/none.bin"
run fresh fresh "$TMP/attack.pcap"
t_check "control, no state: the same flood alerts while still learning" \
  jq -s -e '[.[] | select(.vigil.state=="start")][0] | .vigil.detector == "flood" and .vigil.learning == true' "$TMP/fresh.alerts"

cp "$TMP/state.orig" "$TMP/bad.bin"
printf '\xff\xff\xff\xff' | dd of="$TMP/bad.bin" bs=1 seek=200 conv=notrunc 2>/dev/null
conf bad "$TMP/bad.bin"
run bad bad "$TMP/attack.pcap"
t_eq "damaged file: the sensor still runs" "$?" 0
t_check "damaged file: refused with a clear log line" \
  grep -q "state: $TMP/bad.bin refused (damaged: bad magic, length or checksum): detectors learn from scratch" "$TMP/bad.log"
t_check "damaged file: started fresh (alert while learning)" \
  jq -s -e '[.[] | select(.vigil.state=="start")][0] | .vigil.learning == true' "$TMP/bad.alerts"
t_check "damaged file: replaced by a good one at exit" grep -q "state: saved to $TMP/bad.bin" "$TMP/bad.log"

cp "$TMP/state.orig" "$TMP/old.bin"
printf '\x63' | dd of="$TMP/old.bin" bs=1 seek=8 conv=notrunc 2>/dev/null	# version 99
conf old "$TMP/old.bin"
run old old "$TMP/attack.pcap"
t_check "other version: refused with a clear log line, fresh start" \
  bash -c "grep -q 'refused (another version or byte order)' '$TMP/old.log' && jq -s -e '[.[] | select(.vigil.state==\"start\")][0] | .vigil.learning == true' '$TMP/old.alerts' >/dev/null"

head -c 100 "$TMP/state.orig" > "$TMP/short.bin"
conf short "$TMP/short.bin"
run short short "$TMP/calm.pcap"
t_eq "truncated file: the sensor still runs" "$?" 0
t_check "truncated file: refused" grep -q "short.bin refused (damaged" "$TMP/short.log"
[ "$T_FAIL" -gt 0 ] && tail -n 20 "$TMP"/*.log
t_done

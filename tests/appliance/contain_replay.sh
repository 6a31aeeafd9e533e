#!/usr/bin/env bash
# contain_replay.sh: `action: block` outside inline mode only alerts. A port
# scan replayed with the portscan detector set to block must alert with
# alert.action "allowed" (vigil.action "block"), log once that the sensor is
# not inline, and block nothing.
# Usage: contain_replay.sh BUILDDIR
set -uo pipefail
BUILD=$1
. "$(dirname "$0")/../lib.sh"
command -v jq >/dev/null || t_skip "no jq"
TMP=$(mktemp -d /tmp/vxc-replay.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
"$BUILD/tools/vigil-gen" --pcap "$TMP/scan.pcap" --phase benign:3 --phase portscan:3:200 --phase benign:3 \
  --seed 4 --quiet
cat > "$TMP/s.yaml" <<YAML
sensor: {name: vxc-replay, home_net: [192.0.2.0/24]}
collector: {endpoint: ""}
evidence: {enabled: false}
detectors:
  portscan: {action: block}
  synflood: {action: block}
YAML
"$BUILD/sensor/vigil-sensor" -c "$TMP/s.yaml" -r "$TMP/scan.pcap" --alerts-json "$TMP/a.json" > "$TMP/log" 2>&1
t_eq "replay: exit 0" "$?" 0
t_check "the scan alerts, action allowed, block requested" \
  jq -s -e 'map(select(.vigil.detector=="portscan" and .vigil.state=="start")) | length == 1 and .[0].alert.action == "allowed" and .[0].vigil.action == "block"' "$TMP/a.json" >/dev/null
t_check "no alert says blocked" jq -s -e 'map(select(.alert.action=="blocked")) | length == 0' "$TMP/a.json" >/dev/null
t_eq "logged once that the sensor is not inline" "$(grep -c 'action is block, but the sensor is not inline' "$TMP/log")" 1
t_eq "nothing blocked" "$(grep -c 'containment: blocked' "$TMP/log")" 0
[ "$T_FAIL" -gt 0 ] && cat "$TMP/log"
t_done

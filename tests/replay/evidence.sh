#!/usr/bin/env bash
# evidence.sh: replay writes the same evidence as live. A real port scan
# capture raises a portscan incident; its pcapng file must hold the scanner's
# frames (and only frames involving the scanner), open in tshark, match the
# count and SHA-256 the alert states, and be identical on a second replay.
# Usage: evidence.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
t_need_root
command -v tshark >/dev/null || t_skip "tshark is not installed (scripts/setup.sh installs it)"
SENSOR=$BUILD/sensor/vigil-sensor
CAP=$SRC/tests/data/captures/attack/cs_ppa1e_portscan.pcap	# 29 SYNs 10.100.25.14 -> 10.100.18.12
SCANNER=10.100.25.14
TMP=$(mktemp -d /tmp/vigil-evidence.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

run() { # name
  mkdir -p "$TMP/$1"
  cat > "$TMP/$1.yaml" <<YAML
sensor:
  name: ev
collector:
  endpoint: ""
evidence:
  dir: $TMP/$1
YAML
  "$SENSOR" -c "$TMP/$1.yaml" -r "$CAP" --alerts-json "$TMP/$1.alerts" > "$TMP/$1.log" 2>&1
}
ev() { # name jq-expression over the portscan incident's completed evidence
  jq -s -r "[.[] | select(.vigil.detector==\"portscan\" and .vigil.evidence.status==\"complete\")][0].vigil.evidence | $2" "$TMP/$1.alerts"
}

run a
t_eq "replay exits 0" "$?" 0
t_eq "the start alert names the evidence file it is capturing" \
  "$(jq -s -r '[.[] | select(.vigil.detector=="portscan" and .vigil.state=="start")][0].vigil.evidence | .status + " " + .file' "$TMP/a.alerts")" \
  "capturing $(ev a .file)"
FILE="$TMP/a/$(ev a .file)"
t_check "the evidence file exists" test -s "$FILE"
t_check "it opens in tshark" tshark -r "$FILE" -c 1
t_eq "tshark counts the frames the alert states" "$(tshark -r "$FILE" 2>/dev/null | wc -l)" "$(ev a .packets)"
t_eq "every frame involves the scanner" \
  "$(tshark -r "$FILE" -T fields -e ip.src -e ip.dst 2>/dev/null | grep -vc "$SCANNER")" 0
t_eq "all 29 of the scanner's SYNs are there" \
  "$(tshark -r "$FILE" -Y "ip.src==$SCANNER && tcp.flags.syn==1 && tcp.flags.ack==0" 2>/dev/null | wc -l)" 29
t_eq "SHA-256 in the alert matches sha256sum" "$(sha256sum "$FILE" | cut -d' ' -f1)" "$(ev a .sha256)"
t_eq "file size in the alert matches" "$(stat -c %s "$FILE")" "$(ev a .bytes)"
run b
t_eq "a second replay writes the same evidence (same digest)" "$(ev b .sha256)" "$(ev a .sha256)"
t_done

#!/usr/bin/env bash
# flowcmp.sh: vigil's flow table against tshark's reference tables (made by
# ../shared/pcaps/tools/flowref.py, not by us) for the captures copied into
# tests/data/captures/flow: link types, fragments, tunnels, IPv6 extension
# headers, VLAN/QinQ/PPPoE, ICMP, malformed headers. Every one must match
# under the rule scripts/flowcmp.py states (docs/flows.md).
# Usage: flowcmp.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
t_need_root
DIR=$SRC/tests/data/captures/flow
TMP=$(mktemp -d /tmp/vigil-flowcmp.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

/usr/bin/python3 "$SRC/scripts/flowcmp.py" --sensor "$BUILD/sensor/vigil-sensor" --refs "$DIR" \
  -j 2 "$DIR" > "$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
n=$(find "$DIR" \( -name '*.pcap' -o -name '*.pcapng' \) | wc -l)
t_eq "flowcmp exit status" "$rc" 0
t_eq "last line" "$(tail -1 "$TMP/out")" "$n of $n captures match"
# the rule is not vacuous: a wrong count must be caught
for t in all inner; do
  sed 's/^\(udp,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)\([0-9]*\)/\1999/' \
    "$DIR/sv_decode-too-small.pcap.flows_$t.csv" > "$TMP/sv_decode-too-small.pcap.flows_$t.csv"
done
cp "$DIR/sv_decode-too-small.pcap" "$TMP/"
/usr/bin/python3 "$SRC/scripts/flowcmp.py" --sensor "$BUILD/sensor/vigil-sensor" --refs "$TMP" \
  "$TMP/sv_decode-too-small.pcap" > "$TMP/out2" 2>&1
t_check "a reference with a wrong packet count is reported as a difference" \
  grep -q "^0 of 1 captures match" "$TMP/out2"
t_done

#!/usr/bin/env bash
# learned_state.sh: newservice's and beacon's learned state across a restart,
# through the real sensor. Run 1 replays 12 minutes of office traffic (the
# newservice learning period is 10) ending with three check-ins of a beacon,
# and saves; run 2 replays the next minutes (other seed) in which the beacon
# goes on and a host starts serving a bind shell. Restored, the new service is
# reported at once (no relearning) and the beacon is decided with the contacts
# seen before the restart; without the file the new service is not reported
# (learning again) and the beacon needs more contacts.
# Usage: learned_state.sh BUILDDIR
set -uo pipefail
BUILD=$1
. "$(dirname "$0")/../lib.sh"
SENSOR=$BUILD/sensor/vigil-sensor
SYNTH=$BUILD/tools/vigil-synth
command -v jq >/dev/null || t_skip "no jq"
TMP=$(mktemp -d /tmp/vxb-lstate.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

T0=1700000000
"$SYNTH" -o "$TMP/learn.pcap" -l "$TMP/learn.labels" -E "$TMP/learn.events" --seed 11 --minutes 12 \
  --attacks beacon --first 650 2>/dev/null
"$SYNTH" -o "$TMP/later.pcap" -l "$TMP/later.labels" -E "$TMP/later.events" --seed 12 --minutes 4 \
  --start $((T0 + 720)) --attacks beacon,newservice --first 20 --every 60 2>/dev/null
t_eq "learning capture: three beacon contacts before the restart" "$(grep -vc '^#' "$TMP/learn.events")" 3

conf() { # name state-file
  cat > "$TMP/$1.yaml" <<YAML
sensor:
  name: lstate-test
  home_net: [10.1.0.0/16]
collector:
  endpoint: ""
evidence:
  enabled: false
state:
  path: $2
YAML
}
run() { # name config capture
  "$SENSOR" -c "$TMP/$2.yaml" -r "$3" --alerts-json "$TMP/$1.alerts" > "$TMP/$1.log" 2>&1
}
jq_ok() { jq "$@" >/dev/null; }   # a jq test whose true/false is not printed
starts() { jq -c "select(.vigil.state==\"start\") | $2" "$TMP/$1.alerts" 2>/dev/null | wc -l; }
first_ts() { # alerts filter: the first start's time, seconds
  jq -r "select(.vigil.state==\"start\") | $2 | .timestamp" "$TMP/$1.alerts" 2>/dev/null | head -1 |
    while read -r t; do jq -rn --arg t "$t" '($t[0:19] + "Z" | fromdateiso8601) + ($t[20:26] | tonumber / 1e6)'; done
}
NS_ATK='.vigil.detector=="newservice" and .dest_ip=="10.1.1.43" and .dest_port==4444'
BC='.vigil.detector=="beacon" and .src_ip=="10.1.1.41" and .dest_ip=="203.0.113.150"'

conf saved "$TMP/state.bin"
run learn saved "$TMP/learn.pcap"
t_eq "learning run: exit 0" "$?" 0
t_eq "learning run: no beacon yet (three contacts are too few)" "$(starts learn "select($BC)")" 0
t_check "learning run: state saved" test -s "$TMP/state.bin"

run restored saved "$TMP/later.pcap"
t_eq "restart: exit 0" "$?" 0
t_check "restart: newservice and beacon state restored" \
  grep -Eq "state: restored .*beacon [1-9][0-9]*.*newservice [1-9][0-9]*" "$TMP/restored.log"
t_eq "restart: the bind shell is reported (learned set kept, no relearning)" "$(starts restored "select($NS_ATK)")" 1
onset=$(awk -F'\t' '$5=="newservice" {print $1}' "$TMP/later.labels")
got=$(first_ts restored "select($NS_ATK)")
t_check "restart: reported within 2 s of onset ($got vs $onset)" \
  jq_ok -ne --argjson g "${got:-1e12}" --argjson o "$onset" '$g >= $o and $g - $o <= 2'
t_eq "restart: no other newservice alert" "$(starts restored 'select(.vigil.detector=="newservice")')" 1
third=$(awk -F'\t' '$2=="beacon" && $3==3 {print $1}' "$TMP/later.events")
got=$(first_ts restored "select($BC)")
t_check "restart: the beacon is decided by the 3rd contact after the restart" \
  jq_ok -ne --argjson g "${got:-1e12}" --argjson t "$third" '$g <= $t + 0.5'
t_check "restart: the beacon alert counts the contacts before the restart" \
  jq_ok -s -e "[.[] | select(.vigil.state==\"start\" and $BC)][0] | .vigil.packets >= 4" "$TMP/restored.alerts"
t_eq "restart: nothing else alerts" "$(starts restored "select(($NS_ATK or $BC) | not)")" 0

conf fresh "$TMP/none.bin"
run fresh fresh "$TMP/later.pcap"
t_eq "control, no state: the bind shell is not reported (still learning)" "$(starts fresh "select($NS_ATK)")" 0
got_fresh=$(first_ts fresh "select($BC)")
t_check "control, no state: the beacon needs more contacts (later alert)" \
  jq_ok -ne --argjson f "${got_fresh:-1e12}" --argjson g "${got:-1e12}" '$f > $g'

run again saved "$TMP/later.pcap"
t_check "a state saved after a restart restores again" grep -Eq "state: restored .*newservice [1-9]" "$TMP/again.log"
[ "$T_FAIL" -gt 0 ] && tail -n 5 "$TMP"/*.log && cat "$TMP"/later.labels "$TMP"/*.events
t_done

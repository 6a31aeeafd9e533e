#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# schema.sh SRCDIR SENSOR COLLECTOR DRIVE: every event type vigil emits, taken
# from a real replay of tests/data/captures/stopddos_amp.UDP.isakmp.pcap, is
# valid against docs/schema/vigil-event.schema.json: the sensor's own files
# (--alerts-json, --flows-json, --stats-json) and the same events as the
# collector stored them after CURVE transport (with vigil_seq added).
set -u
SRC=$1
SENSOR=$2
COLLECTOR=$3
DRIVE=$4
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the sensor's replay needs root (BPF_PROG_TEST_RUN, DPDK)"; exit 77; }
TMP=$(mktemp -d /tmp/vigil-schema.XXXXXX)
COL_PID=""
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cleanup() {
	[ -n "$COL_PID" ] && kill -9 "$COL_PID" 2>/dev/null && wait "$COL_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PORT=$("$DRIVE" freeport) || exit 1
"$COLLECTOR" keygen "$TMP/collector" >/dev/null && "$COLLECTOR" keygen "$TMP/sensor" >/dev/null
check "keygen" $?
cat >"$TMP/collector.yaml" <<EOC
collector:
  listen: tcp://127.0.0.1:$PORT
  events_jsonl: $TMP/events.jsonl
  sqlite: $TMP/events.db
  metrics_listen: ""
  curve_key: $TMP/collector.key
  sensor_keys: ['$(awk '/^public-key/ { print $3 }' "$TMP/sensor.pub") schema-test']
EOC
cat >"$TMP/sensor.yaml" <<EOC
sensor:
  name: schema-test
collector:
  endpoint: tcp://127.0.0.1:$PORT
  curve_key: $TMP/sensor.key
  server_key: $TMP/collector.pub
  spool_dir: $TMP/spool
evidence:
  dir: $TMP/evidence
EOC
"$COLLECTOR" -c "$TMP/collector.yaml" 2>"$TMP/col.log" &
COL_PID=$!
i=0
while [ $i -lt 50 ] && ! grep -q "listening on" "$TMP/col.log"; do sleep 0.1; i=$((i + 1)); done
"$SENSOR" -c "$TMP/sensor.yaml" -r "$SRC/tests/data/captures/stopddos_amp.UDP.isakmp.pcap" \
	--alerts-json "$TMP/alerts.json" --flows-json "$TMP/flows.json" --stats-json "$TMP/stats.json" \
	>"$TMP/sensor.log" 2>&1
check "replay through a CURVE publisher exits 0" $? "$(tail -3 "$TMP/sensor.log")"
! grep -q "did not acknowledge" "$TMP/sensor.log"; check "the collector acked every event before exit" $?
kill -TERM "$COL_PID"; wait "$COL_PID"; check "collector exits 0" $?
COL_PID=""
tail -1 "$TMP/col.log"
echo "sensor's files:"
/usr/bin/python3 "$SRC/tests/collector/validate_events.py" "$SRC/docs/schema/vigil-event.schema.json" \
	"$TMP/alerts.json" "$TMP/flows.json" "$TMP/stats.json"
check "sensor's alert, flow and stats events valid" $?
# the pipeline publishes alerts and stats; flows go to --flows-json only
echo "as stored by the collector:"
/usr/bin/python3 "$SRC/tests/collector/validate_events.py" --types alert,stats \
	"$SRC/docs/schema/vigil-event.schema.json" "$TMP/events.jsonl"
check "stored events valid" $?
L=$(($(cat "$TMP/alerts.json" "$TMP/stats.json" | wc -l)))
[ "$(wc -l <"$TMP/events.jsonl")" -eq "$L" ]; check "collector stored the $L published events once" $?
[ "$(jq -r .vigil_seq "$TMP/events.jsonl" | tr '\n' ' ')" = "$(seq 1 "$L" | tr '\n' ' ')" ]
check "vigil_seq 1..$L in order" $?
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

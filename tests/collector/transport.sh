#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# transport.sh CASE COLLECTOR DRIVER: end-to-end tests of the publisher and
# vigil-collector over real ZeroMQ sockets on 127.0.0.1. Every process started
# here is killed, and the temp dir removed, on any exit.
set -u

CASE=$1
COLLECTOR=$2
DRIVE=$3
TMP=$(mktemp -d /tmp/vigil-collector-test.XXXXXX)
PIDS=""
PASS=0
FAIL=0

cleanup() {
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

check() {	# check NAME COND-EXIT-STATUS [detail]
	if [ "$2" -eq 0 ]; then
		echo "  $1: ok"
		PASS=$((PASS + 1))
	else
		echo "  $1: FAIL${3:+ ($3)}"
		FAIL=$((FAIL + 1))
	fi
}

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}

PORT=$("$DRIVE" freeport) || { echo "no free port"; exit 1; }
EP="tcp://127.0.0.1:$PORT"
JSONL="$TMP/events.jsonl"
CFG="$TMP/collector.yaml"
cat >"$CFG" <<EOC
collector:
  listen: $EP
  events_jsonl: $JSONL
EOC

COL_PID=""
start_collector() {	# start_collector LOG; waits for "listening on"
	"$COLLECTOR" -c "$CFG" 2>>"$1" &
	COL_PID=$!
	PIDS="$PIDS $COL_PID"
	i=0
	while [ $i -lt 50 ]; do
		grep -q "listening on $EP" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

stop_collector() {	# SIGTERM; returns the collector's exit status
	kill -TERM "$COL_PID"
	wait "$COL_PID"
}

lines() { [ -f "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }

echo "case: $CASE"
case "$CASE" in
exactly_once)
	start_collector "$TMP/col.log"; check "collector listening" $?
	"$DRIVE" publish "$EP" s1 1000 0 20000; check "1000 events published and acked" $?
	"$DRIVE" verify "$JSONL" s1 1000; check "file holds 1..1000 once, in order" $?
	stop_collector; check "SIGTERM exits 0" $?
	grep -q "stored=1000 duplicates=0 gaps=0 malformed=0" "$TMP/col.log"
	check "exit stats: 1000 stored, nothing else" $? "$(tail -1 "$TMP/col.log")"
	;;
kill_restart)
	N=3000
	start_collector "$TMP/col.log"; check "collector listening" $?
	"$DRIVE" publish "$EP" s1 $N 1000 30000 >"$TMP/pub.out" &
	PUB=$!; PIDS="$PIDS $PUB"
	sleep 1
	kill -9 "$COL_PID"; wait "$COL_PID" 2>/dev/null
	AT_KILL=$(lines "$JSONL")
	[ "$AT_KILL" -gt 0 ] && [ "$AT_KILL" -lt $N ]
	check "killed mid-stream ($AT_KILL of $N stored)" $?
	sleep 0.7
	start_collector "$TMP/col2.log"; check "collector restarted" $?
	wait "$PUB"; check "publisher flushed every event" $? "$(cat "$TMP/pub.out")"
	cat "$TMP/pub.out"
	"$DRIVE" verify "$JSONL" s1 $N; check "every seq stored exactly once" $?
	grep -q "$AT_KILL lines, 1 sensors recovered" "$TMP/col2.log"
	check "restart rescanned the file" $? "$(head -1 "$TMP/col2.log")"
	stop_collector; check "SIGTERM exits 0" $?
	;;
late_collector)
	"$DRIVE" publish "$EP" late 200 0 20000 >"$TMP/pub.out" 2>&1 &
	PUB=$!; PIDS="$PIDS $PUB"
	sleep 1.5
	kill -0 "$PUB" 2>/dev/null; check "publisher waits for a collector" $?
	start_collector "$TMP/col.log"; check "collector listening" $?
	wait "$PUB"; check "publisher flushed once the collector came" $? "$(cat "$TMP/pub.out")"
	"$DRIVE" verify "$JSONL" late 200; check "file holds 1..200 once, in order" $?
	stop_collector; check "SIGTERM exits 0" $?
	;;
drop_oldest)
	"$DRIVE" dropfull "$EP" full >"$TMP/pub.out" 2>&1 &
	PUB=$!; PIDS="$PIDS $PUB"
	i=0; while [ $i -lt 50 ] && ! grep -q "waiting for a collector" "$TMP/pub.out"; do sleep 0.1; i=$((i + 1)); done
	start_collector "$TMP/col.log"; check "collector listening" $?
	wait "$PUB"; check "queue-full publisher cases" $?
	cat "$TMP/pub.out"
	"$DRIVE" verify "$JSONL" full 150 51; check "file holds the newest 100 (51..150), once, in order" $?
	stop_collector; check "SIGTERM exits 0" $?
	grep -q "stored=100 duplicates=0 gaps=1 malformed=0" "$TMP/col.log"
	check "the dropped range is counted as one gap" $? "$(tail -1 "$TMP/col.log")"
	;;
malformed)
	start_collector "$TMP/col.log"; check "collector listening" $?
	"$DRIVE" raw "$EP"; check "raw dealer cases" $?
	kill -0 "$COL_PID"; check "collector still running" $?
	stop_collector; check "SIGTERM exits 0" $?
	tail -1 "$TMP/col.log"
	grep -q "received=12 stored=1 duplicates=1 gaps=0 malformed=10 " "$TMP/col.log"
	check "10 malformed counted, 1 stored, 1 duplicate" $?
	for r in bad_frames=2 bad_magic=1 bad_json=2 not_object=1 bad_seq=2 bad_name=1 no_event_type=1; do
		grep "stopped:" "$TMP/col.log" | grep -q " $r"; check "reason $r" $?
	done
	# 10 bad messages over ~3 s: a line per message would be 10
	[ "$(grep -c 'dropped a malformed message' "$TMP/col.log")" -le 5 ]
	check "malformed input logged at most once a second" $?
	[ "$(lines "$JSONL")" -eq 1 ] && grep -q '"vigil_seq":1}$' "$JSONL"
	check "only the valid event is in the file" $?
	;;
query)
	cat >"$JSONL" <<'EOJ'
{"timestamp":"2026-11-23T13:00:00.123456+0000","event_type":"alert","src_ip":"10.0.0.1","src_port":5353,"dest_ip":"192.0.2.7","dest_port":53,"proto":"UDP","sensor_name":"edge-1","alert":{"action":"allowed","signature_id":9000001,"signature":"VIGIL rate anomaly: UDP pps to 192.0.2.7","category":"Anomaly","severity":2},"vigil":{"detector":"rate","metric":"pps","observed":1523,"expected":120.5,"zscore":11.2,"window_s":1,"state":"start","incident_id":7},"vigil_seq":1}
{"timestamp":"2026-11-23T13:00:01.000000+0000","event_type":"flow","src_ip":"10.0.0.9","dest_ip":"10.0.0.10","proto":"TCP","sensor_name":"edge-1","vigil_seq":2}
{"timestamp":"2026-11-23T13:00:02.000000+0000","event_type":"alert","src_ip":"2001:db8::1","src_port":40000,"dest_ip":"2001:db8::2","dest_port":443,"proto":"TCP","sensor_name":"core-2","alert":{"signature":"VIGIL port scan","severity":1},"vigil":{"detector":"portscan","metric":"ports","observed":250,"expected":3},"vigil_seq":1}
not json at all
EOJ
	"$COLLECTOR" query -c "$CFG" >"$TMP/out" 2>"$TMP/err"; check "query exits 0" $? "$(cat "$TMP/err")"
	cat "$TMP/out"
	grep -q "^TIME .*SENSOR .*SEV .*DETECTOR .*SIGNATURE .*SRC -> DEST .*OBSERVED vs EXPECTED$" "$TMP/out"
	check "header" $?
	L=$(grep "VIGIL rate anomaly" "$TMP/out")
	for f in "2026-11-23T13:00:00.123456+0000" "edge-1" " 2 " "rate" "VIGIL rate anomaly: UDP pps to 192.0.2.7" \
		"10.0.0.1:5353 -> 192.0.2.7:53 UDP" "1523 vs 120.5 pps"; do
		echo "$L" | grep -qF -- "$f"; check "alert row has '$f'" $?
	done
	grep -qF "[2001:db8::1]:40000 -> [2001:db8::2]:443 TCP" "$TMP/out"; check "IPv6 endpoints bracketed" $?
	[ "$(wc -l <"$TMP/out")" -eq 3 ]; check "two alerts + header, no flow, no junk" $?
	# columns aligned: SIGNATURE starts at the same offset in every row
	awk 'NR==1 { p = index($0, "SIGNATURE") } NR>1 { s = substr($0, p, 5); if (s != "VIGIL") bad = 1 } END { exit bad }' "$TMP/out"
	check "columns aligned" $?
	"$COLLECTOR" query -c "$CFG" --json >"$TMP/out"
	[ "$(wc -l <"$TMP/out")" -eq 3 ] && ! grep -q "not json" "$TMP/out"; check "--json: the 3 JSON lines, raw" $?
	"$COLLECTOR" query -c "$CFG" --json --event-type flow >"$TMP/out"
	[ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q '"event_type":"flow"' "$TMP/out"; check "--event-type flow" $?
	"$COLLECTOR" query -c "$CFG" --limit 1 >"$TMP/out"
	[ "$(wc -l <"$TMP/out")" -eq 2 ] && grep -q "core-2" "$TMP/out"; check "--limit 1 keeps the last alert" $?
	"$COLLECTOR" query -c "$CFG" --follow >"$TMP/follow" 2>&1 &
	FPID=$!; PIDS="$PIDS $FPID"
	sleep 0.5
	printf '%s\n' '{"timestamp":"2026-11-23T13:00:09.000000+0000","event_type":"alert","sensor_name":"edge-9","alert":{"signature":"appended later","severity":3},"vigil_seq":5}' >>"$JSONL"
	sleep 0.8
	grep -q "appended later" "$TMP/follow"; check "--follow prints an appended alert" $? "$(cat "$TMP/follow")"
	kill -INT "$FPID"; wait "$FPID"; check "--follow exits 0 on SIGINT" $?
	;;
cli_errors)
	printf 'collector:\n  listne: x\n' >"$TMP/bad.yaml"
	"$COLLECTOR" -c "$TMP/bad.yaml" 2>"$TMP/err"; rc=$?
	cat "$TMP/err"
	[ $rc -eq 1 ] && grep -q "bad.yaml:2:[0-9]*:" "$TMP/err"; check "config error: exit 1 with file:line:col" $?
	start_collector "$TMP/col.log"; check "collector listening" $?
	"$COLLECTOR" -c "$CFG" 2>"$TMP/err2"; rc=$?
	cat "$TMP/err2"
	[ $rc -eq 1 ] && grep -q "cannot listen on $EP" "$TMP/err2" && [ "$(grep -c error "$TMP/err2")" -eq 1 ]
	check "port in use: exit 1 with one error line" $?
	stop_collector; check "first collector still exits 0" $?
	;;
*)
	echo "unknown case $CASE"; exit 2 ;;
esac
finish

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
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM



PORT=$("$DRIVE" freeport) || { echo "no free port"; exit 1; }
MPORT=$("$DRIVE" freeport) || { echo "no free port"; exit 1; }
EP="tcp://127.0.0.1:$PORT"
JSONL="$TMP/events.jsonl"
CFG="$TMP/collector.yaml"
DB="$TMP/events.db"
cat >"$CFG" <<EOC
collector:
  listen: $EP
  events_jsonl: $JSONL
  sqlite: $DB
  metrics_listen: ""
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

# curve_setup SENSOR...: collector + sensor key pairs; the config lets the named sensors in
curve_setup() {
	"$COLLECTOR" keygen "$TMP/collector" >/dev/null || return 1
	KEYS=""
	for s in "$@"; do
		"$COLLECTOR" keygen "$TMP/$s" >/dev/null || return 1
		# each key may send as its own name (s1 also as "raw", the raw dealer's name)
		KEYS="$KEYS${KEYS:+, }'$(awk '/^public-key/ { print $3 }' "$TMP/$s.pub") $s$([ "$s" = s1 ] && echo " raw")'"
	done
	cat >>"$CFG" <<EOC
  curve_key: $TMP/collector.key
  sensor_keys: [$KEYS]
EOC
}
keys() { echo "--keys $TMP/$1.key $TMP/collector.pub"; }

# metrics PORT: the Prometheus text of the collector
metrics() {
	/usr/bin/python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())' "$1"
}

dbcount() {	# dbcount SQL-WHERE: rows of the collector's SQLite table
	/usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM events WHERE " + sys.argv[2]).fetchone()[0])' "$DB" "$1"
}

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
	# the JSON-lines fallback (collector.sqlite: ""); query_db covers SQLite
	sed -i 's#^  sqlite: .*#  sqlite: ""#' "$CFG"
	cat >"$JSONL" <<'EOJ'
{"timestamp":"2026-11-23T13:00:00.123456+0000","event_type":"alert","src_ip":"10.0.0.1","src_port":5353,"dest_ip":"192.0.2.7","dest_port":53,"proto":"UDP","sensor_name":"edge-1","alert":{"action":"allowed","signature_id":9000001,"signature":"VIGIL rate anomaly: UDP pps to 192.0.2.7","category":"Anomaly","severity":2},"vigil":{"detector":"rate","metric":"pps","observed":1523,"expected":120.5,"zscore":11.2,"window_s":1,"state":"start","incident_id":7},"vigil_seq":1}
{"timestamp":"2026-11-23T13:00:01.000000+0000","event_type":"flow","src_ip":"10.0.0.9","dest_ip":"10.0.0.10","proto":"TCP","sensor_name":"edge-1","vigil_seq":2}
{"timestamp":"2026-11-23T13:00:02.000000+0000","event_type":"alert","src_ip":"2001:db8::1","src_port":40000,"dest_ip":"2001:db8::2","dest_port":443,"proto":"TCP","sensor_name":"core-2","alert":{"signature":"VIGIL port scan","severity":1},"vigil":{"detector":"portscan","metric":"ports","observed":250,"expected":3},"vigil_seq":1}
not json at all
EOJ
	"$COLLECTOR" query -c "$CFG" >"$TMP/out" 2>"$TMP/err"; check "query exits 0" $? "$(cat "$TMP/err")"
	cat "$TMP/out"
	grep -q "^TIME .*SENSOR .*SEV .*DETECTOR .*SIGNATURE .*SRC -> DEST .*OBS vs EXPECTED$" "$TMP/out"
	check "header" $?
	L=$(grep "edge-1" "$TMP/out")
	for f in "2026-11-23 13:00:00 " "edge-1" " 2 " "rate" "rate anoma" \
		"10.0.0.1:5353 -> 192.0.2.7:53 UDP" "1523 vs 120.5 pps"; do
		echo "$L" | grep -qF -- "$f"; check "alert row has '$f'" $?
	done
	grep -qF "[2001:db8::1]:40000 -> [2001:db8" "$TMP/out"; check "IPv6 endpoints bracketed" $?
	[ "$(wc -l <"$TMP/out")" -eq 3 ]; check "two alerts + header, no flow, no junk" $?
	awk 'length($0) > 120 { bad = 1 } END { exit bad }' "$TMP/out"; check "rows fit 120 columns" $?
	# columns aligned: SRC -> DEST starts at the same offset in every row
	awk 'NR==1 { p = index($0, "SRC -> DEST") } NR>1 { s = substr($0, p - 2, 3); if (s !~ /^  [0-9[]$/) bad = 1 } END { exit bad }' "$TMP/out"
	check "columns aligned" $?
	"$COLLECTOR" query -c "$CFG" --csv >"$TMP/out"
	head -1 "$TMP/out" | grep -q '^TIME,SENSOR,SEV,DETECTOR,STATE,SIGNATURE,SRC -> DEST,OBS vs EXPECTED$' &&
		grep -qF '2026-11-23T13:00:00.123456+0000,edge-1,2,rate,start,VIGIL rate anomaly: UDP pps to 192.0.2.7,10.0.0.1:5353 -> 192.0.2.7:53 UDP,1523 vs 120.5 pps' "$TMP/out" &&
		grep -qF "[2001:db8::1]:40000 -> [2001:db8::2]:443 TCP" "$TMP/out"
	check "--csv: header and whole cells" $? "$(cat "$TMP/out")"
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
	grep -q "appended l" "$TMP/follow"; check "--follow prints an appended alert" $? "$(cat "$TMP/follow")"
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
curve)
	curve_setup s1 && sed -i "s#^  metrics_listen: .*#  metrics_listen: 127.0.0.1:$MPORT#" "$CFG"
	check "keygen wrote 0600 key pairs" $? "$(ls -l "$TMP")"
	[ "$(stat -c %a "$TMP/s1.key")" = 600 ] && grep -q '^public-key = ' "$TMP/s1.pub" && ! grep -q secret "$TMP/s1.pub"
	check "secret key 0600, public file holds no secret" $?
	"$COLLECTOR" keygen "$TMP/s1" >/dev/null 2>&1; check "keygen refuses to overwrite" $((! $?))
	"$COLLECTOR" keygen "$TMP/stranger" >/dev/null
	start_collector "$TMP/col.log"; check "collector listening with CURVE" $?
	grep -q "CURVE on: server key" "$TMP/col.log"; check "CURVE announced" $?
	"$DRIVE" publish "$EP" s1 500 0 20000 $(keys s1); check "listed key: 500 events acked" $?
	"$DRIVE" refused "$EP" stranger 2000 $(keys stranger); check "unknown key refused, nothing acked" $?
	"$DRIVE" publish "$EP" s1 500 0 3000 >"$TMP/plain.out" 2>&1; check "plain client gets nothing acked" $((! $?))
	grep -qF "refused a sensor from 127.0.0.1: public key $(awk '/^public-key/ { print $3 }' "$TMP/stranger.pub")" "$TMP/col.log"
	check "refusal logged with the key" $?
	M=$(metrics "$MPORT"); check "metrics endpoint answers" $?
	echo "$M" | grep -Eq '^vigil_collector_refused_total [1-9]' ; check "metrics: refused counted" $?
	echo "$M" | grep -q '^vigil_collector_stored_total 500$'; check "metrics: stored 500" $?
	echo "$M" | grep -q '^vigil_collector_sensor_last_seq{sensor="s1"} 500$'; check "metrics: last seq per sensor" $?
	echo "$M" | grep -q '^vigil_collector_sensor_lag_seconds{sensor="s1"} '; check "metrics: lag per sensor" $?
	echo "$M" | grep -q '^vigil_collector_handshake_failed_total [1-9]'; check "metrics: plain client counted as failed handshake" $?
	"$DRIVE" verify "$JSONL" s1 500; check "file holds s1 1..500 once" $?
	! grep -q stranger "$JSONL"; check "nothing from the stranger stored" $?
	stop_collector; check "SIGTERM exits 0" $?
	grep "stopped:" "$TMP/col.log" | grep -Eq " refused=[1-9]"; check "exit stats count the refusal" $?
	;;
curve_malformed)
	curve_setup s1
	start_collector "$TMP/col.log"; check "collector listening with CURVE" $?
	"$DRIVE" raw "$EP" $(keys s1); check "malformed messages from a listed key: dropped, never acked" $?
	kill -0 "$COL_PID"; check "collector still running" $?
	stop_collector; check "SIGTERM exits 0" $?
	grep -q "received=12 stored=1 duplicates=1 gaps=0 malformed=10 " "$TMP/col.log"
	check "10 malformed counted, 1 stored, 1 duplicate" $? "$(tail -1 "$TMP/col.log")"
	;;
plain)
	sed "s#^  listen: .*#  listen: tcp://0.0.0.0:$PORT#" "$CFG" >"$TMP/any.yaml"
	"$COLLECTOR" -c "$TMP/any.yaml" 2>"$TMP/err"; rc=$?
	cat "$TMP/err"
	[ $rc -eq 1 ] && grep -q "not a loopback endpoint: set collector.curve_key" "$TMP/err"
	check "no keys, non-loopback: refuses to start" $?
	start_collector "$TMP/col.log"; check "loopback without keys starts" $?
	grep -q "warning: no collector.curve_key: keyless mode on $EP, for a demo on this host only" "$TMP/col.log"
	check "...announced as a demo" $?
	stop_collector; check "SIGTERM exits 0" $?
	echo "  plain_tcp: true" >>"$TMP/any.yaml"
	"$COLLECTOR" -c "$TMP/any.yaml" 2>"$TMP/err2"; rc=$?
	cat "$TMP/err2"
	[ $rc -eq 1 ] && grep -q "collector.plain_tcp was removed" "$TMP/err2"
	check "plain_tcp: true on a non-loopback endpoint refuses to start" $?
	;;
kill9_10s)
	# 1,000 alerts/s for 15 s; the collector is killed -9 at 2 s and back 10 s later
	N=15000
	curve_setup s1
	start_collector "$TMP/col.log"; check "collector listening" $?
	"$DRIVE" publish "$EP" s1 $N 0 60000 --rate 1000 --spool "$TMP/spool" $(keys s1) >"$TMP/pub.out" 2>&1 &
	PUB=$!; PIDS="$PIDS $PUB"
	sleep 2
	kill -9 "$COL_PID"; wait "$COL_PID" 2>/dev/null
	AT_KILL=$(lines "$JSONL")
	[ "$AT_KILL" -gt 1000 ] && [ "$AT_KILL" -lt 4000 ]; check "killed mid-stream ($AT_KILL stored at 2 s)" $?
	sleep 10
	[ "$(du -sb "$TMP/spool" | cut -f1)" -gt 100000 ]; check "sensor spooled to disk meanwhile ($(du -sh "$TMP/spool" | cut -f1))" $?
	start_collector "$TMP/col2.log"; check "collector restarted after 10 s" $?
	wait "$PUB"; check "publisher flushed every event" $? "$(cat "$TMP/pub.out")"
	cat "$TMP/pub.out"
	"$DRIVE" verify "$JSONL" s1 $N; check "file: every seq 1..$N exactly once, in order" $?
	[ "$(dbcount "sensor = 's1'")" -eq $N ] && [ "$(dbcount "sensor = 's1' AND seq BETWEEN 1 AND $N")" -eq $N ]
	check "SQLite: $N rows, seqs 1..$N (UNIQUE(sensor, seq))" $?
	stop_collector; check "SIGTERM exits 0" $?
	grep "stopped:" "$TMP/col2.log" | grep -q " gaps=0 "; check "no gap after the restart" $? "$(tail -1 "$TMP/col2.log")"
	;;
sensor_restart)
	# the sensor dies (kill -9) while the collector is down; its spool survives
	N=3000
	curve_setup s1
	"$DRIVE" publish "$EP" s1 $N 0 60000 --rate 1000 --spool "$TMP/spool" $(keys s1) >"$TMP/pub1.out" 2>&1 &
	PUB=$!; PIDS="$PIDS $PUB"
	sleep 1.5
	kill -9 "$PUB"; wait "$PUB" 2>/dev/null
	[ "$(du -sb "$TMP/spool" | cut -f1)" -gt 50000 ]; check "first sensor process spooled before dying" $?
	start_collector "$TMP/col.log"; check "collector listening" $?
	"$DRIVE" publish "$EP" s1 $N 0 60000 --rate 2000 --spool "$TMP/spool" $(keys s1) >"$TMP/pub2.out" 2>&1
	check "second sensor process flushed" $? "$(cat "$TMP/pub2.out")"
	cat "$TMP/pub2.out"
	grep -Eq "starting at seq (1[0-9]{3}) \(1[0-9]{3} reloaded from the spool\)" "$TMP/pub2.out"
	check "numbering continued after the spooled events" $?
	"$DRIVE" verify "$JSONL" s1 $N; check "every seq 1..$N exactly once, in order" $?
	[ "$(dbcount "sensor = 's1'")" -eq $N ]; check "SQLite: $N rows" $?
	stop_collector; check "SIGTERM exits 0" $?
	grep "stopped:" "$TMP/col.log" | grep -Eq "stored=$N duplicates=[0-9]+ gaps=0"; check "stored $N, no gap" $? "$(tail -1 "$TMP/col.log")"
	;;
spool_full)
	# a 64 KiB spool and no collector: the oldest segments go, counted, never silently
	"$DRIVE" publish "$EP" sf 2000 0 20000 --spool "$TMP/spool" --spool-max 65536 >"$TMP/pub1.out" 2>&1 &
	PUB=$!; PIDS="$PIDS $PUB"
	sleep 1.5
	kill -9 "$PUB"; wait "$PUB" 2>/dev/null
	[ "$(du -sb "$TMP/spool" | cut -f1)" -le 80000 ]; check "spool stays near its bound ($(du -sb "$TMP/spool" | cut -f1) bytes)" $?
	start_collector "$TMP/col.log"; check "collector listening" $?
	"$DRIVE" publish "$EP" sf 2000 0 20000 --spool "$TMP/spool" --spool-max 65536 >"$TMP/pub2.out" 2>&1
	check "restarted sensor flushed what the spool kept" $? "$(cat "$TMP/pub2.out")"
	cat "$TMP/pub2.out"
	stop_collector; check "SIGTERM exits 0" $?
	S=$(dbcount "sensor = 'sf'"); F=$(/usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT MIN(seq), MAX(seq) FROM events").fetchone())' "$DB")
	[ "$S" -gt 100 ] && [ "$S" -lt 2000 ] && echo "$F" | grep -q ", 2000)"
	check "the newest events arrived, the oldest were dropped ($S stored, seq range $F)" $?
	grep "stopped:" "$TMP/col.log" | grep -q " gaps=1 "; check "the dropped range shows as one gap at the collector" $? "$(tail -1 "$TMP/col.log")"
	;;
many_sensors)
	curve_setup s0 s1 s2 s3 s4 s5 s6 s7 s8 s9
	start_collector "$TMP/col.log"; check "collector listening" $?
	P=""
	for i in 0 1 2 3 4 5 6 7 8 9; do
		"$DRIVE" publish "$EP" "s$i" 2000 0 60000 --rate 2000 $(keys "s$i") >"$TMP/pub$i.out" 2>&1 &
		P="$P $!"; PIDS="$PIDS $!"
	done
	ok=0
	for p in $P; do wait "$p" || ok=1; done
	check "10 CURVE sensors flushed 2,000 events each" $ok "$(cat "$TMP"/pub*.out)"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		"$DRIVE" verify "$JSONL" "s$i" 2000 >/dev/null; check "s$i: 1..2000 once, in order" $?
	done
	[ "$(dbcount "1")" -eq 20000 ]; check "SQLite: 20,000 rows" $?
	stop_collector; check "SIGTERM exits 0" $?
	# resends after a slow ack are re-acked duplicates, never stored twice
	grep -Eq "stored=20000 duplicates=[0-9]+ gaps=0 malformed=0" "$TMP/col.log"; check "exit stats" $? "$(tail -1 "$TMP/col.log")"
	;;
query_db)
	# events reach SQLite through the collector's import of the file tail, then query filters them
	cat >"$JSONL" <<'EOJ'
{"timestamp":"2026-11-23T13:00:00.123456+0000","event_type":"alert","src_ip":"10.0.0.1","src_port":5353,"dest_ip":"192.0.2.7","dest_port":53,"proto":"UDP","sensor_name":"edge-1","alert":{"action":"allowed","signature_id":9000001,"signature":"VIGIL flood one","category":"Anomaly","severity":2},"vigil":{"detector":"flood","metric":"pps","observed":1523,"expected":120.5},"vigil_seq":1}
{"timestamp":"2026-11-23T13:00:01.000000+0000","event_type":"flow","src_ip":"10.0.0.9","dest_ip":"10.0.0.10","proto":"TCP","sensor_name":"edge-1","vigil_seq":2}
{"timestamp":"2026-11-23T14:30:00.000000+0100","event_type":"alert","src_ip":"2001:db8::1","src_port":40000,"dest_ip":"2001:db8::2","dest_port":443,"proto":"TCP","sensor_name":"core-2","alert":{"signature":"VIGIL port scan","severity":1},"vigil":{"detector":"portscan","metric":"ports","observed":250,"expected":3},"vigil_seq":1}
{"timestamp":"2026-11-23T15:00:00.000000+0000","event_type":"alert","src_ip":"10.0.0.5","dest_ip":"192.0.2.7","proto":"UDP","sensor_name":"edge-1","alert":{"signature":"VIGIL flood two","severity":3},"vigil":{"detector":"flood"},"vigil_seq":3}
EOJ
	start_collector "$TMP/col.log"; check "collector imports the file into SQLite" $?
	stop_collector
	grep -q "4 imported from the file tail" "$TMP/col.log"; check "4 events imported" $? "$(cat "$TMP/col.log")"
	q() { "$COLLECTOR" query -c "$CFG" "$@" 2>"$TMP/qerr"; }
	n() { q "$@" | tail -n +2 | wc -l; }
	[ "$(n)" -eq 3 ]; check "all alerts (3)" $?
	q >"$TMP/out"; cat "$TMP/out"
	awk 'NR==1 { p = index($0, "SRC -> DEST") } NR>1 { s = substr($0, p - 2, 3); if (s !~ /^  [0-9[]$/) bad = 1 } END { exit bad }' "$TMP/out"
	check "table columns aligned" $?
	[ "$(n --sensor core-2)" -eq 1 ]; check "--sensor core-2" $?
	[ "$(n --detector flood)" -eq 2 ]; check "--detector flood" $?
	[ "$(n --addr 192.0.2.7)" -eq 2 ] && [ "$(n --addr 2001:db8::1)" -eq 1 ]; check "--addr (source or destination)" $?
	[ "$(n --severity 2)" -eq 2 ] && [ "$(n --severity 1)" -eq 1 ]; check "--severity N keeps 1..N" $?
	[ "$(n --since 2026-11-23T13:30:00Z)" -eq 2 ]; check "--since (zone converted: 14:30+0100 is 13:30Z)" $?
	[ "$(n --since 2026-11-23T13:30:00Z --until 2026-11-23T14:00:00)" -eq 1 ]; check "--since/--until range" $?
	[ "$(n --until 2026-11-22)" -eq 0 ] && [ "$(n --since @0)" -eq 3 ]; check "--until date, --since @epoch" $?
	[ "$(n --detector flood --severity 2)" -eq 1 ]; check "filters combine" $?
	q --json --event-type flow >"$TMP/out"
	[ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q '"event_type":"flow"' "$TMP/out"; check "--json --event-type flow" $?
	q --json --sensor edge-1 >"$TMP/out"
	/usr/bin/python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/out" && [ "$(wc -l <"$TMP/out")" -eq 3 ]
	check "--json prints parseable JSON lines" $?
	[ "$(q --limit 1 | grep -c "flood two")" -eq 1 ] && [ "$(n --limit 1)" -eq 1 ]; check "--limit 1 keeps the newest" $?
	q --since yesterday >/dev/null; [ $? -eq 2 ] && grep -q "wants a time" "$TMP/qerr"; check "bad --since: usage error" $?
	"$COLLECTOR" query -c "$CFG" --follow --sensor edge-9 >"$TMP/follow" 2>&1 &
	FPID=$!; PIDS="$PIDS $FPID"
	sleep 0.5
	start_collector "$TMP/col2.log"
	"$DRIVE" publish "$EP" edge-9 3 0 10000 >/dev/null; check "3 new alerts published" $?
	sleep 0.8
	[ "$(grep -c "test event" "$TMP/follow")" -eq 3 ]; check "--follow prints new alerts from SQLite" $? "$(cat "$TMP/follow")"
	kill -INT "$FPID"; wait "$FPID"; check "--follow exits 0 on SIGINT" $?
	stop_collector
	;;
query_view)
	# what an analyst reads (SQLite): time order, prefixes, one row per incident, CSV, "2h ago"
	NOW=$(date -u +%s)
	T1=$(date -u -d "@$((NOW - 3600))" +%Y-%m-%dT%H:%M:%S.000000+0000)	# an hour ago
	T2=$(date -u -d "@$((NOW - 3590))" +%Y-%m-%dT%H:%M:%S.000000+0000)
	T3=$(date -u -d "@$((NOW - 3500))" +%Y-%m-%dT%H:%M:%S.000000+0000)
	T0=$(date -u -d "@$((NOW - 3 * 3600))" +%Y-%m-%dT%H:%M:%S.000000+0000)	# three hours ago
	cat >"$JSONL" <<EOJ
{"timestamp":"$T1","event_type":"alert","src_ip":"198.51.100.9","src_port":0,"dest_ip":"10.20.0.5","dest_port":53,"proto":"UDP","sensor_name":"edge-1","alert":{"signature":"VIGIL flood: packet rate towards host far above its baseline","severity":2},"vigil":{"detector":"flood","metric":"pps","observed":5200,"expected":40,"state":"start","incident_id":11,"evidence":{"file":"edge-1-11-flood.pcapng","status":"capturing"}},"vigil_seq":1}
{"timestamp":"$T3","event_type":"alert","src_ip":"198.51.100.9","src_port":0,"dest_ip":"10.20.0.5","dest_port":53,"proto":"UDP","sensor_name":"edge-1","alert":{"signature":"VIGIL flood: packet rate towards host far above its baseline","severity":2},"vigil":{"detector":"flood","metric":"pps","observed":900,"expected":40,"state":"end","incident_id":11},"vigil_seq":2}
{"timestamp":"$T2","event_type":"alert","src_ip":"198.51.100.9","src_port":0,"dest_ip":"10.20.0.5","dest_port":53,"proto":"UDP","sensor_name":"edge-1","alert":{"signature":"VIGIL flood: packet rate towards host far above its baseline","severity":2},"vigil":{"detector":"flood","metric":"pps","observed":91000,"expected":40,"state":"update","incident_id":11,"evidence":{"file":"edge-1-11-flood.pcapng","status":"complete"}},"vigil_seq":3}
{"timestamp":"$T0","event_type":"alert","src_ip":"10.20.3.4","src_port":51515,"dest_ip":"203.0.113.80","dest_port":22,"proto":"TCP","sensor_name":"edge-2","alert":{"signature":"VIGIL bruteforce: many connections to a login service","severity":1},"vigil":{"detector":"bruteforce","metric":"connections","observed":80,"expected":2,"state":"start","incident_id":4},"vigil_seq":1}
EOJ
	start_collector "$TMP/col.log"; check "collector imports the file into SQLite" $?
	stop_collector
	q() { "$COLLECTOR" query -c "$CFG" "$@" 2>"$TMP/qerr"; }
	q >"$TMP/out"; cat "$TMP/out"
	# rows in time order although stored out of order (seq 3 is earlier than seq 2)
	[ "$(awk 'NR > 1 { print $6 }' "$TMP/out" | tr '\n' ' ')" = "start start update end " ]
	check "time order: bruteforce (3 h ago), then flood start, update, end" $? "$(cat "$TMP/out")"
	awk 'length($0) > 120 { bad = 1 } END { exit bad }' "$TMP/out"; check "rows fit 120 columns" $?
	[ "$(q --addr 10.20.0.0/16 | grep -c flood)" -eq 3 ] && [ "$(q --addr 10.20.0.0/16 | grep -c bruteforce)" -eq 1 ]
	check "--addr 10.20.0.0/16: source or destination in the prefix" $?
	[ "$(q --addr 203.0.113.0/24 | tail -n +2 | wc -l)" -eq 1 ] && [ "$(q --addr 192.0.2.0/24 | tail -n +2 | wc -l)" -eq 0 ] &&
		[ "$(q --addr 10.20.0.5 | tail -n +2 | wc -l)" -eq 3 ]
	check "--addr: a /24, a prefix that matches nothing, one address" $?
	q --addr 10.20.0.1/16 >/dev/null; [ $? -eq 2 ] && grep -q "host bits clear" "$TMP/qerr"
	check "--addr with host bits set: usage error" $? "$(cat "$TMP/qerr")"
	[ "$(q --since "2h ago" | tail -n +2 | wc -l)" -eq 3 ] && [ "$(q --since "4h ago" --until "2h ago" | tail -n +2 | wc -l)" -eq 1 ]
	check "--since \"2h ago\", --until \"2h ago\"" $?
	q --incidents >"$TMP/inc"; cat "$TMP/inc"
	head -1 "$TMP/inc" | grep -q "^FIRST SEEN .*LAST .*SENSOR .*DETECTOR .*HOSTS .*PEAK vs EXPECTED .*STATE .*EVIDENCE$"
	check "--incidents: header" $?
	[ "$(wc -l <"$TMP/inc")" -eq 3 ]; check "--incidents: one row per incident (2)" $?
	L=$(grep flood "$TMP/inc")
	D1=$(date -u -d "@$((NOW - 3600))" "+%Y-%m-%d %H:%M:%S")
	D3=$(date -u -d "@$((NOW - 3500))" +%H:%M:%S)
	for f in "$D1" " $D3 " "edge-1" "198.51.100.9 -> 10.20.0.5 " "91k vs 40 pps" "ended" "edge-1-11-flo"; do
		echo "$L" | grep -qF -- "$f"; check "flood incident row has '$f'" $? "$L"
	done
	grep bruteforce "$TMP/inc" | grep -q " open "; check "the bruteforce incident is open" $?
	awk 'length($0) > 120 { bad = 1 } END { exit bad }' "$TMP/inc"; check "incident rows fit 120 columns" $?
	q --incidents --csv >"$TMP/out"
	grep -q '^FIRST SEEN,LAST,SENSOR,DETECTOR,HOSTS,PEAK vs EXPECTED,STATE,EVIDENCE$' "$TMP/out" &&
		grep -qF "$T1,$T3,edge-1,flood,198.51.100.9 -> 10.20.0.5,91k vs 40 pps,ended,edge-1-11-flood.pcapng" "$TMP/out"
	check "--incidents --csv" $? "$(cat "$TMP/out")"
	q --csv --detector flood >"$TMP/out"
	grep -qF ',"VIGIL flood: packet rate towards host far above its baseline",' "$TMP/out" || 
		grep -qF ',VIGIL flood: packet rate towards host far above its baseline,' "$TMP/out"
	check "--csv: the whole signature" $?
	printf '%s\n' '{"timestamp":"'"$T3"'","event_type":"alert","sensor_name":"edge-1","src_ip":"10.20.0.9","alert":{"signature":"a \"quoted\", comma","severity":3},"vigil":{"detector":"anomaly"},"vigil_seq":9}' >>"$JSONL"
	start_collector "$TMP/col2.log"; stop_collector
	q --csv --detector anomaly | grep -qF '"a ""quoted"", comma"'; check "--csv quotes a field with a comma and quotes" $?
	;;
retention)
	# collector.retention_days / retention_mb: old events leave SQLite and rotated files go
	NOW=$(date -u +%s)
	OLD=$(date -u -d "@$((NOW - 10 * 86400))" +%Y-%m-%dT%H:%M:%S.000000+0000)
	NEW=$(date -u -d "@$((NOW - 3600))" +%Y-%m-%dT%H:%M:%S.000000+0000)
	for i in $(seq 1 50); do
		printf '{"timestamp":"%s","event_type":"alert","sensor_name":"edge-1","alert":{"signature":"old %d","severity":2},"vigil":{"detector":"flood"},"vigil_seq":%d}\n' "$OLD" "$i" "$i"
	done >"$JSONL"
	for i in $(seq 51 60); do
		printf '{"timestamp":"%s","event_type":"alert","sensor_name":"edge-1","alert":{"signature":"new %d","severity":2},"vigil":{"detector":"flood"},"vigil_seq":%d}\n' "$NEW" "$i" "$i"
	done >>"$JSONL"
	touch -d "@$((NOW - 9 * 86400))" "$JSONL.3"
	touch "$JSONL.1"
	printf '  retention_days: 7\n' >>"$CFG"
	start_collector "$TMP/col.log"; check "collector with retention_days: 7" $?
	t_ok=1
	for i in $(seq 1 30); do
		[ "$(/usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM events").fetchone()[0])' "$DB")" = 10 ] && { t_ok=0; break; }
		sleep 0.2
	done
	check "events older than 7 days deleted from SQLite, the 10 recent kept" $t_ok "$(cat "$TMP/col.log")"
	grep -q "retention: 50 events older than 7 days deleted" "$TMP/col.log"; check "the deletion is logged" $? "$(cat "$TMP/col.log")"
	[ ! -e "$JSONL.3" ] && [ -e "$JSONL.1" ]; check "a rotated JSON-lines file older than 7 days removed, a recent one kept" $?
	stop_collector
	# by size: a bound smaller than the data keeps the newest
	sed -i 's/^  retention_days: 7$/  retention_mb: 1/' "$CFG"
	for i in $(seq 100 3100); do
		printf '{"timestamp":"%s","event_type":"alert","sensor_name":"edge-1","alert":{"signature":"%0900d","severity":2},"vigil":{"detector":"flood"},"vigil_seq":%d}\n' "$NEW" 0 "$i"
	done >>"$JSONL"
	start_collector "$TMP/col2.log"; check "collector with retention_mb: 1" $?
	t_ok=1
	for i in $(seq 1 50); do
		grep -q "retention: .* events deleted to keep the database under 1 MiB" "$TMP/col2.log" && { t_ok=0; break; }
		sleep 0.2
	done
	check "the oldest events deleted to keep the database under 1 MiB" $t_ok "$(cat "$TMP/col2.log")"
	stop_collector
	/usr/bin/python3 - "$DB" <<'EOP'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
pc, fc, ps = (db.execute("PRAGMA " + p).fetchone()[0] for p in ("page_count", "freelist_count", "page_size"))
mx = db.execute("SELECT MAX(vigil_seq) FROM (SELECT json_extract(json, '$.vigil_seq') AS vigil_seq FROM events)").fetchone()[0]
sys.exit(0 if (pc - fc) * ps <= 1 << 20 and mx == 3100 else 1)
EOP
	check "the database's live pages are under 1 MiB and the newest event is kept" $?
	;;
failover)
	# two collectors (embedded mode, a store each), the sensor lists both: the
	# first is killed mid-stream, the unacknowledged events go to the second
	N=3000
	PORT2=$("$DRIVE" freeport) || { echo "no free port"; exit 1; }
	EP2="tcp://127.0.0.1:$PORT2"
	sed -e "s|$EP|$EP2|" -e "s|$JSONL|$TMP/b.jsonl|" -e "s|$DB|$TMP/b.db|" "$CFG" >"$TMP/b.yaml"
	"$COLLECTOR" -c "$TMP/b.yaml" 2>"$TMP/colb.log" &
	PIDS="$PIDS $!"
	start_collector "$TMP/col.log"; check "collector A listening" $?
	"$DRIVE" publish "$EP,$EP2" s1 $N 0 30000 --rate 2000 --failover-ms 500 >"$TMP/pub.out" 2>&1 &
	PUB=$!; PIDS="$PIDS $PUB"
	sleep 0.6
	kill -9 "$COL_PID"; wait "$COL_PID" 2>/dev/null
	AT_KILL=$(lines "$JSONL")
	[ "$AT_KILL" -gt 0 ] && [ "$AT_KILL" -lt $N ]
	check "A killed mid-stream ($AT_KILL of $N stored)" $?
	wait "$PUB"; check "publisher flushed every event" $? "$(cat "$TMP/pub.out")"
	grep -q "failovers=1 " "$TMP/pub.out"; check "one failover" $? "$(tail -1 "$TMP/pub.out")"
	grep -q "failing over to $EP2" "$TMP/pub.out"; check "the failover is logged" $?
	B=$(lines "$TMP/b.jsonl")
	cat "$JSONL" "$TMP/b.jsonl" | jq -r 'select(.sensor_name == "s1") | .n' | sort -n | uniq >"$TMP/ns"
	[ "$(wc -l <"$TMP/ns")" -eq $N ] && [ "$(head -1 "$TMP/ns")" = 1 ] && [ "$(tail -1 "$TMP/ns")" = $N ]
	check "A ($AT_KILL) and B ($B) together hold 1..$N" $?
	D=$(( AT_KILL + B - N ))
	[ "$D" -ge 0 ] && [ "$D" -le 512 ]
	check "at most one window stored by both ($D: stored by A, not acked; a JetStream fleet drops them by id)" $?
	;;
*)
	echo "unknown case $CASE"; exit 2 ;;
esac
finish

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# evidence.sh CASE COLLECTOR DRIVER: `vigil-collector evidence` end to end over
# real sockets with CURVE on: the real publisher answering from an evidence dir
# of files written by dataplane/evidence.c, vigil-collector, the CLI; and fake
# peers that answer or ask badly. Temp dirs are vx9-*; everything is killed
# and removed on exit.
set -u

CASE=$1
# absolute: some checks run the CLI from the temp dir (its default output is ./<file name>)
COLLECTOR=$(readlink -f "$2")
DRIVE=$(readlink -f "$3")
TMP=$(mktemp -d /tmp/vx9-evidence.XXXXXX)
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
EP="tcp://127.0.0.1:$PORT"
CFG="$TMP/collector.yaml"
DB="$TMP/events.db"
EVDIR="$TMP/sensor-evidence"
mkdir -p "$EVDIR"

# keys: the collector, and the sensors let in
"$COLLECTOR" keygen "$TMP/collector" >/dev/null || exit 1
KEYS=""
for s in edge1 edge2 fake; do
	"$COLLECTOR" keygen "$TMP/$s" >/dev/null || exit 1
	KEYS="$KEYS${KEYS:+, }'$(awk '/^public-key/ { print $3 }' "$TMP/$s.pub") $s'"
done
keys() { echo "--keys $TMP/$1.key $TMP/collector.pub"; }
cat >"$CFG" <<EOC
collector:
  listen: $EP
  events_jsonl: $TMP/events.jsonl
  sqlite: $DB
  metrics_listen: ""
  control: ipc://$TMP/run/collector.ctl
  evidence_dir: $TMP/fetched
  evidence_timeout_ms: ${EV_TIMEOUT_MS:-3000}
  curve_key: $TMP/collector.key
  sensor_keys: [$KEYS]
EOC

COL_PID=""
start_collector() {
	"$COLLECTOR" -c "$CFG" 2>>"$TMP/col.log" &
	COL_PID=$!
	PIDS="$PIDS $COL_PID"
	i=0
	while [ $i -lt 50 ]; do
		grep -q "listening on $EP" "$TMP/col.log" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
stop_collector() { kill -TERM "$COL_PID"; wait "$COL_PID"; }

# sensor NAME INCIDENT EVENTS HOLD_MS [more]: the real publisher, in the background; its alerts
# announce the digest of $EVDIR/NAME-test-INCIDENT.pcapng (the collector checks the file against it)
sensor() {
	name=$1 inc=$2 n=$3 hold=$4
	shift 4
	sha=$(sha256sum "$EVDIR/$name-test-$inc.pcapng" 2>/dev/null | cut -c1-64)
	# shellcheck disable=SC2046
	"$DRIVE" publish "$EP" "$name" "$n" 0 20000 $(keys "$name") --evidence "$EVDIR" --incident "$inc" \
		${sha:+--sha $sha} --hold-ms "$hold" "$@" >"$TMP/pub-$name.out" 2>&1 &
	SENSOR_PID=$!
	PIDS="$PIDS $SENSOR_PID"
}

dbcount() {
	/usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM events WHERE " + sys.argv[2]).fetchone()[0])' "$DB" "$1"
}

# wait_rows N SQL-WHERE: up to 10 s for the collector to hold N such rows
wait_rows() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(dbcount "$2" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

evidence() { "$COLLECTOR" evidence "$@" -c "$CFG"; }

echo "case: $CASE"
case "$CASE" in
fetch)
	set -- $("$DRIVE" mkevidence "$EVDIR" edge1 7 400 1400)
	SRC=$1 SHA=$2 BYTES=$3
	[ -f "$SRC" ]; check "sensor's writer made $BYTES bytes" $?
	start_collector; check "collector listening" $?
	sensor edge1 7 20 20000
	wait_rows 20 "sensor = 'edge1'"; check "the sensor's alerts of incident 7 are stored" $?
	OUT=$(cd "$TMP" && evidence 7 2>"$TMP/err"); RC=$?
	check "evidence 7 exits 0" $RC "$(cat "$TMP/err")"
	[ "$OUT" = "saved ./edge1-7.pcapng: $BYTES bytes, sha256 $SHA (verified)" ]
	check "one line: saved FILE: N bytes, sha256 X (verified)" $? "$OUT"
	cmp -s "$SRC" "$TMP/edge1-7.pcapng"; check "identical bytes in ./<sensor>-<incident>.pcapng" $?
	cmp -s "$SRC" "$TMP/fetched/edge1/edge1-test-7.pcapng"; check "and under collector.evidence_dir/<sensor>/" $?
	OUT=$(evidence 7 --sensor edge1 -o "$TMP/copy.pcapng" 2>&1); RC=$?
	[ $RC -eq 0 ] && cmp -s "$SRC" "$TMP/copy.pcapng"; check "--sensor and -o FILE" $? "$OUT"
	if command -v tshark >/dev/null 2>&1; then
		[ "$(tshark -r "$TMP/copy.pcapng" 2>/dev/null | wc -l)" -eq 400 ]
		check "tshark reads 400 packets from it" $?
	fi
	stop_collector; check "SIGTERM exits 0" $?
	grep -q "evidence_requests=2 evidence_fetched=2 evidence_failed=0" "$TMP/col.log"
	check "collector counted 2 requests, 2 fetched" $? "$(grep stopped "$TMP/col.log")"
	;;
errors)
	"$DRIVE" mkevidence "$EVDIR" edge1 7 10 200 >/dev/null
	OUT=$(evidence 7 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "collector not running"
	check "collector not running: exit 1, clear error" $? "$OUT"
	[ "$(echo "$OUT" | wc -l)" -eq 1 ]; check "one line" $?
	start_collector; check "collector listening" $?
	sensor edge1 7 5 20000
	wait_rows 5 "sensor = 'edge1'"; check "edge1's alerts stored" $?
	OUT=$(evidence 99 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "unknown incident 99"
	check "unknown incident (no alert names it): exit 1" $? "$OUT"
	OUT=$(evidence 99 --sensor edge1 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "sensor edge1 has announced no evidence SHA-256 for incident 99"
	check "an incident the sensor never announced evidence for: exit 1" $? "$OUT"
	OUT=$(evidence 7 --sensor nosuch 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "sensor nosuch is not connected"
	check "a sensor never seen: not connected, exit 1" $? "$OUT"
	OUT=$(evidence x7 2>&1); RC=$?
	[ $RC -eq 2 ]; check "a bad incident id is a usage error (2)" $? "$OUT"
	# a second sensor reports the same incident id, then leaves
	"$DRIVE" publish "$EP" edge2 3 0 20000 $(keys edge2) --incident 7 --sha "$(printf %064d 7)" >/dev/null 2>&1
	check "edge2 published incident 7 and exited" $?
	OUT=$(evidence 7 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "reported by 2 sensors (edge1, edge2): choose one with --sensor"
	check "two sensors reported it: exit 1, names them" $? "$OUT"
	OUT=$(evidence 7 --sensor edge2 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "sensor edge2 is not connected"
	check "sensor gone (process exited): not connected, exit 1" $? "$OUT"
	OUT=$(evidence 7 --sensor edge1 -o "$TMP/e1.pcapng" 2>&1); RC=$?
	[ $RC -eq 0 ]; check "edge1 still answers" $? "$OUT"
	stop_collector
	OUT=$(evidence 7 --sensor edge1 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "collector not running"
	check "collector stopped: exit 1" $? "$OUT"
	;;
timeout)
	start_collector; check "collector listening" $?
	# shellcheck disable=SC2046
	"$DRIVE" fakesensor "$EP" fake silent 30 $(keys fake) >"$TMP/fake.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_rows 1 "sensor = 'fake'"; check "the silent sensor's alert is stored" $?
	T0=$(date +%s)
	OUT=$(evidence 5 2>&1); RC=$?
	T=$(( $(date +%s) - T0 ))
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "timeout: sensor fake did not answer"
	check "timeout: exit 1, clear error" $? "$OUT"
	[ $T -ge 2 ] && [ $T -le 8 ]; check "after collector.evidence_timeout_ms (3 s), took ${T}s" $?
	stop_collector
	grep -q "evidence_timeouts=1" "$TMP/col.log"; check "timeout counted" $?
	;;
bad_digest)
	start_collector; check "collector listening" $?
	# shellcheck disable=SC2046
	"$DRIVE" fakesensor "$EP" fake baddigest 30 $(keys fake) >"$TMP/fake.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_rows 1 "sensor = 'fake'"; check "the lying sensor's alert is stored" $?
	OUT=$(cd "$TMP" && evidence 5 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "digest mismatch"
	check "digest mismatch: exit 1, clear error" $? "$OUT"
	[ ! -e "$TMP/x.pcapng" ] && [ ! -e "$TMP/fetched/fake/x.pcapng" ]
	check "nothing written or stored" $?
	stop_collector
	grep -q "evidence_bad_digest=1" "$TMP/col.log"; check "counted" $?
	;;
malformed)
	start_collector; check "collector listening" $?
	# ten malformed replies: 6 frames and bad magic (VGRX goes the event way: 7 frames) are bad_frames
	# shellcheck disable=SC2046
	"$DRIVE" fakesensor "$EP" fake malformed 30 $(keys fake) >"$TMP/fake.out" 2>&1 &
	PIDS="$PIDS $!"
	"$DRIVE" mkevidence "$EVDIR" edge1 7 10 200 >/dev/null
	sensor edge1 7 5 20000
	wait_rows 1 "sensor = 'fake'"; check "the listed fake sensor's alert is stored" $?
	OUT=$(evidence 5 2>&1); RC=$?
	[ $RC -eq 1 ] && echo "$OUT" | grep -q "timeout"
	check "malformed replies are not an answer: timeout, exit 1" $? "$OUT"
	OUT=$(evidence 7 --sensor edge1 -o "$TMP/e1.pcapng" 2>&1); RC=$?
	[ $RC -eq 0 ]; check "the collector still fetches from another sensor" $? "$OUT"
	kill -0 "$COL_PID"; check "collector alive" $?
	stop_collector; check "SIGTERM exits 0" $?
	L=$(grep stopped "$TMP/col.log")
	for r in bad_frames=2 bad_status=1 bad_file_name=2 bad_digest=2 bad_size=2 bad_id=1 evidence_unsolicited=1; do
		echo "$L" | grep -q " $r"; check "counted $r" $? "$L"
	done
	[ ! -e "$TMP/fetched/fake" ] && [ ! -e /etc/passwd.part ]; check "nothing stored from them" $?
	;;
no_stall)
	# 5 MiB of evidence fetched while a sensor publishes 100 events/s
	"$DRIVE" mkevidence "$EVDIR" edge1 9 3700 1450 >"$TMP/mk.out"; check "5 MiB evidence file" $?
	start_collector; check "collector listening" $?
	sensor edge1 9 1500 20000 --rate 100
	wait_rows 200 "sensor = 'edge1'"; check "events flowing" $?
	B=$(dbcount "sensor = 'edge1'")
	T0=$(date +%s%N)
	OUT=$(cd "$TMP" && evidence 9 2>&1); RC=$?
	T1=$(date +%s%N)
	check "5 MiB fetched and verified" $RC "$OUT"
	sleep 1
	A=$(dbcount "sensor = 'edge1'")
	[ $((A - B)) -ge 100 ]; check "events stored meanwhile ($B -> $A)" $?
	# largest gap between consecutive stored events from 1 s before to 1 s after the fetch
	GAP=$(/usr/bin/python3 -c '
import sqlite3, sys
t0, t1 = int(sys.argv[2]) // 1000 - 1000000, int(sys.argv[3]) // 1000 + 1000000
r = [x[0] for x in sqlite3.connect(sys.argv[1]).execute("SELECT received_us FROM events WHERE sensor = ? AND received_us BETWEEN ? AND ? ORDER BY received_us", ("edge1", t0, t1))]
print(max(b - a for a, b in zip(r, r[1:])) // 1000 if len(r) > 1 else 999999)' "$DB" "$T0" "$T1")
	echo "  fetch took $(( (T1 - T0) / 1000000 )) ms; largest gap between stored events around it: $GAP ms (events every 10 ms)"
	DURING=$(dbcount "sensor = 'edge1' AND received_us BETWEEN $((T0 / 1000)) AND $((T1 / 1000))")
	[ "$DURING" -gt 0 ]; check "events stored during the fetch ($DURING)" $?
	# generous: the machine is shared; unloaded it is tens of ms
	[ "$GAP" -lt 1500 ]; check "ingestion never paused 1.5 s" $?
	;;
sensor_side)
	"$DRIVE" mkevidence "$EVDIR" evsensor 41 300 1000 >/dev/null; check "evidence file" $?
	"$DRIVE" evreq "tcp://127.0.0.1:$("$DRIVE" freeport)" "$EVDIR"; check "publisher answers and counts malformed requests" $?
	;;
*)
	echo "unknown case $CASE"
	exit 2
	;;
esac
finish

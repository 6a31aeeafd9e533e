#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# fleet.sh COLLECTOR DRIVER: a fleet on 127.0.0.1 (docs/fleet.md), all real:
# three nats-server processes clustered with JetStream (a temp store each),
# two vigil-collectors publishing to the stream VIGIL_EVENTS (replicas 3), c1
# also consuming it into its SQLite store, and four sensors (the real
# publisher with a spool, driven by zmq_drive) over CURVE, each listing both
# collectors. Mid-stream the stream's leader node and collector c2 are
# killed (SIGKILL); then, with that node still down, both collectors are
# restarted and the sensors send more. Every event sent must be in the stream
# and in c1's store exactly once. Everything started here is killed, and the
# temp dir removed, on any exit.
set -u
COLLECTOR=$1
DRIVE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d /tmp/vigil-fleet-test.XXXXXX)
PIDS=""
FREEPORT="$DRIVE freeport"
# shellcheck source=../collector/lib.sh
. "$HERE/../collector/lib.sh"
# shellcheck source=cluster.sh
. "$HERE/cluster.sh"

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	nats_stop_all
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

command -v "$NATS_SERVER" >/dev/null || { echo "SKIP: no nats-server (scripts/setup.sh installs it)"; exit 77; }
N1=2000	# events per sensor before and during the kills
N2=3000	# the total per sensor after the restarts (events N1+1 .. N2 with a node down)
SENSORS="s1 s2 s3 s4"

"$COLLECTOR" keygen "$DIR/collector" >/dev/null || exit 1
KEYS=""
for s in $SENSORS; do
	"$COLLECTOR" keygen "$DIR/$s" >/dev/null || exit 1
	KEYS="$KEYS${KEYS:+, }'$(awk '/^public-key/ { print $3 }' "$DIR/$s.pub") $s'"
	mkdir -m 0700 "$DIR/spool-$s"
done
nats_ports || exit 1
P1=$($FREEPORT) && P2=$($FREEPORT) || exit 1
EP1="tcp://127.0.0.1:$P1"
EP2="tcp://127.0.0.1:$P2"
for c in c1 c2; do
	cat >"$DIR/$c.yaml" <<EOC
collector:
  listen: $([ $c = c1 ] && echo "$EP1" || echo "$EP2")
  events_jsonl: $DIR/$c.jsonl
  sqlite: $([ $c = c1 ] && echo "$DIR/c1.db" || echo '""')
  metrics_listen: ""
  control: ""
  curve_key: $DIR/collector.key
  sensor_keys: [$KEYS]
fleet:
  servers: [$(nats_urls)]
  name: $c
  consume: $([ $c = c1 ] && echo true || echo false)
  publish_timeout_ms: 20000
EOC
done

start_collector() {	# start_collector NAME LOG: waits for "listening on" (the stream first: 30 s at most)
	"$COLLECTOR" -c "$DIR/$1.yaml" 2>>"$DIR/$2" &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	local i=0
	while [ $i -lt 300 ]; do
		[ "$(grep -c "listening on" "$DIR/$2" 2>/dev/null)" -ge "${3:-1}" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	tail -5 "$DIR/$2"
	return 1
}

sensor() {	# sensor NAME ENDPOINTS COUNT: publish up to COUNT (the spool continues the numbering)
	"$DRIVE" publish "$2" "$1" "$3" 0 60000 --rate 1500 --failover-ms 1000 --spool "$DIR/spool-$1" \
		--keys "$DIR/$1.key" "$DIR/collector.pub" >>"$DIR/$1.out" 2>&1 &
	eval "SPID_$1=$!"
	PIDS="$PIDS $!"
}

dbq() {	# dbq SQL: one value from c1's store
	/usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1], timeout=10).execute(sys.argv[2]).fetchone()[0])' "$DIR/c1.db" "$1" 2>/dev/null || echo 0
}

# every sensor's seqs 1..TOTAL in c1's store, each once: prints the rows that are missing or extra
store_check() {
	/usr/bin/python3 - "$DIR/c1.db" "$1" $SENSORS <<'EOP'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
total = int(sys.argv[2])
bad = 0
for s in sys.argv[3:]:
    seqs = [r[0] for r in db.execute("SELECT seq FROM events WHERE sensor = ?", (s,))]
    ns = [r[0] for r in db.execute("SELECT json_extract(json, '$.n') FROM events WHERE sensor = ?", (s,))]
    missing = set(range(1, total + 1)) - set(seqs)
    extra = len(seqs) - len(set(seqs)) + len([q for q in seqs if q > total])
    if missing or extra or sorted(ns) != list(range(1, total + 1)):
        bad += 1
        print(f"{s}: {len(seqs)} rows, {len(missing)} missing (first {sorted(missing)[:3]}), {extra} extra")
sys.exit(1 if bad else 0)
EOP
}

wait_stored() {	# wait_stored TOTAL: until c1's store holds TOTAL rows (60 s at most)
	local i=0
	while [ "$(dbq "SELECT COUNT(*) FROM events")" -lt "$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
}

leader_index() {	# the node index (0..2) of the stream's leader, or 0
	local l
	l=$(nats_stream leader) && [ -n "$l" ] && echo "${l#n}" || echo 0
}

T_START=$(date +%s)
echo "== a three-node JetStream cluster, two collectors, four sensors"
for i in 0 1 2; do nats_start "$i"; done
if ! nats_wait 0 1 2; then
	check "three NATS nodes up, JetStream ready" 1
	nats_logs
	exit 1	# nothing after this can pass without a cluster: say why now, not after the timeout
fi
check "three NATS nodes up, JetStream ready" 0
start_collector c1 c1.log; check "collector c1 up (publishes and consumes)" $?
start_collector c2 c2.log; check "collector c2 up (publishes)" $?
grep -q "stream VIGIL_EVENTS created\|collector c1 publishes" "$DIR/c1.log"
check "c1 made (or found) the stream" $?
sensor s1 "$EP1,$EP2" $N1
sensor s2 "$EP1,$EP2" $N1
sensor s3 "$EP2,$EP1" $N1
sensor s4 "$EP2,$EP1" $N1
sleep 0.5
KILLED=$(leader_index)
nats_kill "$KILLED"
echo "  killed NATS node n$KILLED (the stream's leader) with SIGKILL, events in flight"
sleep 0.3
kill -9 "$PID_c2"; wait "$PID_c2" 2>/dev/null
echo "  killed collector c2 with SIGKILL; its sensors s3, s4 fail over to c1"
for s in $SENSORS; do
	eval "wait \$SPID_$s"
	check "sensor $s: all $N1 events acked" $? "$(tail -1 "$DIR/$s.out")"
done
grep -q "failovers=[1-9]" "$DIR/s3.out" && grep -q "failovers=[1-9]" "$DIR/s4.out"
check "s3 and s4 failed over from c2 to c1" $?
T=$((4 * N1))
wait_stored $T
INSTREAM=$(nats_stream messages)
echo "  counts: sent $T, stream holds $INSTREAM, c1's store holds $(dbq "SELECT COUNT(*) FROM events") rows"
[ "$INSTREAM" = "$T" ]; check "the stream holds every event exactly once ($INSTREAM of $T)" $?
store_check $N1; check "c1's store holds every sensor's 1..$N1 exactly once" $?

echo "== restarts with node n$KILLED still down"
start_collector c2 c2.log 2; check "c2 restarted, 2 of 3 NATS nodes up" $?
kill -TERM "$PID_c1"; wait "$PID_c1"; check "c1 stops cleanly (SIGTERM)" $?
start_collector c1 c1.log 2; check "c1 restarted, 2 of 3 NATS nodes up" $?
sensor s1 "$EP2,$EP1" $N2
sensor s2 "$EP2,$EP1" $N2
sensor s3 "$EP1,$EP2" $N2
sensor s4 "$EP1,$EP2" $N2
for s in $SENSORS; do
	eval "wait \$SPID_$s"
	check "sensor $s: events $((N1 + 1))..$N2 acked" $? "$(tail -1 "$DIR/$s.out")"
done
T=$((4 * N2))
wait_stored $T
INSTREAM=$(nats_stream messages)
echo "  counts: sent $T, stream holds $INSTREAM, c1's store holds $(dbq "SELECT COUNT(*) FROM events") rows"
[ "$INSTREAM" = "$T" ]; check "the stream holds every event exactly once ($INSTREAM of $T)" $?
store_check $N2; check "c1's store holds every sensor's 1..$N2 exactly once (no loss across the restarts)" $?
grep -q "consumed=.*consumed_bad=0" "$DIR/c1.log"; check "c1 set nothing aside" $?
kill -TERM "$PID_c1" "$PID_c2"; wait "$PID_c1"; wait "$PID_c2"
grep -H "fleet: published" "$DIR/c1.log" "$DIR/c2.log" | sed "s|^$DIR/\(c[12]\).log:.*fleet: |  \1: |"
# what the restarted c1 read: only what it had not acked before (its durable consumer continued)
echo "  c1 restarted: $(grep "fleet: published" "$DIR/c1.log" | tail -1 | grep -o 'consumed=[0-9]*') (of $T in the stream)"
nats_start "$KILLED"
nats_wait "$KILLED"; check "node n$KILLED back" $?
echo "took $(( $(date +%s) - T_START )) s"
finish

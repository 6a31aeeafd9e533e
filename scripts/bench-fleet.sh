#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-fleet.sh [BUILDDIR] [EVENTS]: events per second end to end through a
# fleet (docs/fleet.md): two sensors (the real publisher, driven by zmq_drive)
# over CURVE into two collectors, each publishing to a three-node JetStream
# cluster (replicas 3) on 127.0.0.1, one of them reading the whole stream into
# its SQLite store; the clock runs from the first event sent until that store
# holds every event. Beside it, in the same run, the single-collector figure:
# one sensor over CURVE into one collector storing into SQLite + JSON-lines
# (scripts/bench-transport.sh's product default), until the last ack.
# lost: events sent and not in the consuming store (or the stream); duplicates:
# events the stream or the store holds more than once.
# Last line: fleet_events_per_s=<n> single_events_per_s=<m> ratio=<n/m> lost=<k> duplicates=<d>
set -u
BUILD=${1:-build}
N=${2:-100000}
COLLECTOR=$BUILD/collector/vigil-collector
DRIVE=$BUILD/tests/collector/zmq_drive
HERE=$(cd "$(dirname "$0")" && pwd)
FLEET="NA" SINGLE="NA" RATIO="NA" LOST="NA" DUPS="NA"
DIR=$(mktemp -d /tmp/vigil-bench-fleet.XXXXXX)
PIDS=""
FREEPORT="$DRIVE freeport"
# shellcheck source=../tests/fleet/cluster.sh
. "$HERE/../tests/fleet/cluster.sh"

last_line() { echo "fleet_events_per_s=$FLEET single_events_per_s=$SINGLE ratio=$RATIO lost=$LOST duplicates=$DUPS"; }
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	nats_stop_all
	[ -n "${KEEP:-}" ] || rm -rf "$DIR"
	last_line	# always the last line, NA where nothing was measured
}
trap cleanup EXIT
trap 'exit 1' INT TERM
na() { echo "bench-fleet: $*"; exit 1; }

[ -x "$COLLECTOR" ] && [ -x "$DRIVE" ] || na "NA: build first (ninja -C $BUILD)"
command -v "$NATS_SERVER" >/dev/null || na "NA: no nats-server (apt-get install nats-server; scripts/setup.sh does)"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
"$COLLECTOR" keygen "$DIR/collector" >/dev/null || na "NA: keygen failed"
KEYS=""
for s in single s1 s2; do
	"$COLLECTOR" keygen "$DIR/$s" >/dev/null || na "NA: keygen failed"
	KEYS="$KEYS${KEYS:+, }'$(awk '/^public-key/ { print $3 }' "$DIR/$s.pub") $s'"
done

# collector_conf NAME PORT [fleet lines...]: a CURVE collector with SQLite
collector_conf() {
	local name=$1 port=$2
	shift 2
	cat >"$DIR/$name.yaml" <<EOC
collector:
  listen: tcp://127.0.0.1:$port
  events_jsonl: $DIR/$name.jsonl
  metrics_listen: ""
  control: ""
  curve_key: $DIR/collector.key
  sensor_keys: [$KEYS]
  key_rate: 0
  max_rate: 0
EOC
	for l in "$@"; do echo "$l" >>"$DIR/$name.yaml"; done
}

start_collector() {	# start_collector NAME: waits for "listening on" (30 s: the stream is made first)
	"$COLLECTOR" -c "$DIR/$1.yaml" 2>"$DIR/$1.log" &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
	local i=0
	while [ $i -lt 300 ]; do
		grep -q "listening on" "$DIR/$1.log" 2>/dev/null && return 0
		kill -0 "$!" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	cat "$DIR/$1.log" >&2
	return 1
}

dbcount() {	# dbcount DB SQL: one number
	/usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1], timeout=10).execute(sys.argv[2]).fetchone()[0])' "$1" "$2" 2>/dev/null || echo 0
}

echo "bench-fleet: $N events of ~190 bytes, CURVE, 127.0.0.1, $(nproc) CPUs shared with other engineers' builds"
echo "and tests (figures are pessimistic and vary from run to run; the ratio is of two runs made here)"

# 1. one sensor -> one collector -> SQLite + JSON-lines, until the last ack
P=$($FREEPORT) || na "NA: no free port"
collector_conf single "$P" "  sqlite: $DIR/single.db"
start_collector single || na "NA: the single collector did not start"
T0=$(now_ms)
out=$("$DRIVE" publish "tcp://127.0.0.1:$P" single "$N" 0 300000 --queue "$N" \
	--keys "$DIR/single.key" "$DIR/collector.pub") || na "NA: single publish failed: $out"
T1=$(now_ms)
kill -TERM "$PID_single"; wait "$PID_single"
[ "$(dbcount "$DIR/single.db" "SELECT COUNT(*) FROM events")" = "$N" ] || na "NA: the single collector did not store $N"
SINGLE=$((N * 1000 / (T1 - T0 > 0 ? T1 - T0 : 1)))
printf "%-58s %8s events/s  (%d ms)\n" "single: 1 sensor -> 1 collector -> SQLite" "$SINGLE" $((T1 - T0))

# 2. the fleet: three NATS nodes, two collectors (c1 consumes), two sensors (one per collector)
nats_ports || na "NA: no free ports"
for i in 0 1 2; do nats_start "$i"; done
nats_wait 0 1 2 || na "NA: the NATS cluster did not become healthy"
P1=$($FREEPORT) && P2=$($FREEPORT) || na "NA: no free port"
SERVERS="  servers: [$(nats_urls)]"
collector_conf c1 "$P1" "  sqlite: $DIR/c1.db" "fleet:" "$SERVERS" "  name: c1" "  consume: true"
collector_conf c2 "$P2" "  sqlite: \"\"" "fleet:" "$SERVERS" "  name: c2"
start_collector c1 || na "NA: collector c1 did not start"
start_collector c2 || na "NA: collector c2 did not start"
H=$((N / 2))
T0=$(now_ms)
"$DRIVE" publish "tcp://127.0.0.1:$P1,tcp://127.0.0.1:$P2" s1 "$H" 0 300000 --queue "$N" \
	--keys "$DIR/s1.key" "$DIR/collector.pub" >"$DIR/s1.out" 2>&1 &
S1=$!
"$DRIVE" publish "tcp://127.0.0.1:$P2,tcp://127.0.0.1:$P1" s2 $((N - H)) 0 300000 --queue "$N" \
	--keys "$DIR/s2.key" "$DIR/collector.pub" >"$DIR/s2.out" 2>&1 &
S2=$!
PIDS="$PIDS $S1 $S2"
wait $S1 || na "NA: sensor s1 did not get every ack: $(tail -1 "$DIR/s1.out")"
wait $S2 || na "NA: sensor s2 did not get every ack: $(tail -1 "$DIR/s2.out")"
TA=$(now_ms)
i=0
while [ "$(dbcount "$DIR/c1.db" "SELECT COUNT(*) FROM events")" -lt "$N" ] && [ $i -lt 1200 ]; do
	sleep 0.05
	i=$((i + 1))
done
TS=$(now_ms)
cpu() {	# cpu PID: seconds of CPU the process used so far
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"
}
echo "CPU seconds: nats nodes $(cpu "${NATS_PIDS[0]}") $(cpu "${NATS_PIDS[1]}") $(cpu "${NATS_PIDS[2]}"), collectors c1 $(cpu "$PID_c1") c2 $(cpu "$PID_c2")"
kill -TERM "$PID_c1" "$PID_c2"; wait "$PID_c1"; wait "$PID_c2"
STORED=$(dbcount "$DIR/c1.db" "SELECT COUNT(*) FROM events")
DISTINCT=$(dbcount "$DIR/c1.db" "SELECT COUNT(*) FROM (SELECT DISTINCT sensor, seq FROM events)")
INSTREAM=$(nats_stream messages) || INSTREAM=NA
printf "%-58s %8s events/s  (%d ms)\n" "fleet: acked by the stream (R3) to both sensors" \
	$((N * 1000 / (TA - T0 > 0 ? TA - T0 : 1))) $((TA - T0))
FLEET=$((N * 1000 / (TS - T0 > 0 ? TS - T0 : 1)))
printf "%-58s %8s events/s  (%d ms)\n" "fleet: in the consuming collector's SQLite (end to end)" "$FLEET" $((TS - T0))
echo "sent $N; stream holds $INSTREAM; c1's store holds $STORED rows, $DISTINCT distinct (sensor, seq)"
grep -h "fleet: published" "$DIR/c1.log" "$DIR/c2.log" | sed 's/^.*fleet: /  /'
LOST=$((N - DISTINCT))
DUPS=$((STORED - DISTINCT))
if [ "$INSTREAM" != NA ]; then
	[ "$INSTREAM" -gt "$N" ] && DUPS=$((DUPS + INSTREAM - N))
	[ "$INSTREAM" -lt "$N" ] && LOST=$((LOST > N - INSTREAM ? LOST : N - INSTREAM))
else
	echo "bench-fleet: the stream's message count could not be read (monitoring endpoint)"
fi
RATIO=$(awk -v a="$FLEET" -v b="$SINGLE" 'BEGIN { printf "%.2f", a / b }')
exit 0

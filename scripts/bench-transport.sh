#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bench-transport.sh [BUILDDIR] [EVENTS]: events per second end to end, from
# publish_event() in one process through ZeroMQ over 127.0.0.1 into
# vigil-collector until the last ack (every event stored), in three setups
# measured in the same run: plain ZMTP into JSON-lines only (the baseline),
# CURVE into JSON-lines, and CURVE into SQLite + JSON-lines (the product
# default). The machine is shared: the figures are pessimistic and vary.
# Last line: events_per_s=<CURVE + SQLite>.
set -u
BUILD=${1:-build}
N=${2:-200000}
COLLECTOR=$BUILD/collector/vigil-collector
DRIVE=$BUILD/tests/collector/zmq_drive
[ -x "$COLLECTOR" ] && [ -x "$DRIVE" ] || { echo "build first: ninja -C $BUILD" >&2; exit 1; }
TMP=$(mktemp -d /tmp/vigil-bench-transport.XXXXXX)
COL_PID=""
cleanup() {
	[ -n "$COL_PID" ] && kill -9 "$COL_PID" 2>/dev/null && wait "$COL_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$COLLECTOR" keygen "$TMP/collector" >/dev/null && "$COLLECTOR" keygen "$TMP/sensor" >/dev/null || exit 1
SKEY=$(awk '/^public-key/ { print $3 }' "$TMP/sensor.pub")

# run NAME CURVE(0|1) SQLITE(0|1): prints events/s
run() {
	port=$("$DRIVE" freeport) || exit 1
	rm -f "$TMP"/ev.*
	{
		echo "collector:"
		echo "  listen: tcp://127.0.0.1:$port"
		echo "  events_jsonl: $TMP/ev.jsonl"
		echo "  metrics_listen: \"\""
		if [ "$3" = 1 ]; then echo "  sqlite: $TMP/ev.db"; else echo "  sqlite: \"\""; fi
		if [ "$2" = 1 ]; then
			echo "  curve_key: $TMP/collector.key"
			echo "  sensor_keys: ['$SKEY bench']"
		fi
	} >"$TMP/c.yaml"
	"$COLLECTOR" -c "$TMP/c.yaml" 2>"$TMP/col.log" &
	COL_PID=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q "listening on" "$TMP/col.log"; do sleep 0.1; i=$((i + 1)); done
	keys=""
	[ "$2" = 1 ] && keys="--keys $TMP/sensor.key $TMP/collector.pub"
	# shellcheck disable=SC2086
	out=$("$DRIVE" publish "tcp://127.0.0.1:$port" bench "$N" 0 300000 --queue "$N" $keys) || {
		echo "$1: publish failed: $out" >&2
		exit 1
	}
	kill -TERM "$COL_PID"; wait "$COL_PID"; COL_PID=""
	ms=$(echo "$out" | sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' | tail -1)
	stored=$(grep -o "stored=[0-9]*" "$TMP/col.log" | tail -1 | cut -d= -f2)
	[ "$stored" = "$N" ] || { echo "$1: collector stored $stored of $N ($out)" >&2; exit 1; }
	[ "$ms" -gt 0 ] || ms=1
	echo $((N * 1000 / ms))
}

echo "bench-transport: $N events of ~190 bytes, one sensor, 127.0.0.1, $(nproc) CPUs shared with other work;"
echo "the sensor queues them as fast as it can, the time runs until the last one is acked (stored)"
BASE=$(run plain-jsonl 0 0) || exit 1
CURVE=$(run curve-jsonl 1 0) || exit 1
FULL=$(run curve-sqlite 1 1) || exit 1
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf "%-34s %10s events/s  ratio %s\n" "plain ZMTP -> JSON-lines (baseline)" "$BASE" "1.00"
printf "%-34s %10s events/s  ratio %s\n" "CURVE -> JSON-lines" "$CURVE" "$(ratio "$CURVE" "$BASE")"
printf "%-34s %10s events/s  ratio %s\n" "CURVE -> SQLite (WAL) + JSON-lines" "$FULL" "$(ratio "$FULL" "$BASE")"
echo "events_per_s=$FULL"

# shellcheck shell=bash
# cluster.sh: a three-node NATS JetStream cluster on 127.0.0.1 for tests/fleet
# and scripts/bench-fleet.sh, each node with its own temporary store. Source
# it with DIR (a temp directory the caller removes) and FREEPORT (a command
# printing a free TCP port) set; nats_stop_all in the caller's EXIT trap.
NATS_SERVER=${NATS_SERVER:-nats-server}
NATS_PIDS=("" "" "")
NATS_PORTS=()
NATS_CPORTS=()
NATS_MPORTS=()

nats_ports() {	# three client, cluster and monitoring ports, nine different ones
	local i tries=0
	while [ $tries -lt 10 ]; do
		for i in 0 1 2; do
			NATS_PORTS[i]=$($FREEPORT) || return 1
			NATS_CPORTS[i]=$($FREEPORT) || return 1
			NATS_MPORTS[i]=$($FREEPORT) || return 1
		done
		# a free port is free when asked: two asks may get the same one
		[ "$(printf '%s\n' "${NATS_PORTS[@]}" "${NATS_CPORTS[@]}" "${NATS_MPORTS[@]}" | sort -u | wc -l)" = 9 ] && return 0
		tries=$((tries + 1))
	done
	return 1
}

nats_logs() {	# the last lines of each node's log, to say why a cluster did not form
	local i
	for i in 0 1 2; do
		[ -f "$DIR/nats$i.log" ] && tail -n 5 "$DIR/nats$i.log" | sed "s/^/  n$i: /"
	done
}

nats_urls() {	# the client URLs, comma-separated: "nats://127.0.0.1:P1, ..." as YAML list items
	echo "nats://127.0.0.1:${NATS_PORTS[0]}, nats://127.0.0.1:${NATS_PORTS[1]}, nats://127.0.0.1:${NATS_PORTS[2]}"
}

nats_conf() {	# nats_conf I: node I's configuration file
	local i=$1 routes="" j
	for j in 0 1 2; do
		[ "$j" = "$i" ] || routes="$routes${routes:+, }nats-route://127.0.0.1:${NATS_CPORTS[j]}"
	done
	mkdir -p "$DIR/nats$i"
	cat >"$DIR/nats$i.conf" <<EOC
server_name: n$i
listen: 127.0.0.1:${NATS_PORTS[i]}
http: 127.0.0.1:${NATS_MPORTS[i]}
max_payload: 2MB
jetstream {
  store_dir: "$DIR/nats$i"
  max_memory_store: 64MB
  max_file_store: 4GB
}
cluster {
  name: vigil-test
  listen: 127.0.0.1:${NATS_CPORTS[i]}
  routes: [$routes]
}
EOC
}

nats_start() {	# nats_start I: node I in the background, logging to $DIR/nats$I.log
	local i=$1
	[ -f "$DIR/nats$i.conf" ] || nats_conf "$i"
	"$NATS_SERVER" -c "$DIR/nats$i.conf" >>"$DIR/nats$i.log" 2>&1 &
	NATS_PIDS[i]=$!
}

nats_kill() {	# nats_kill I: SIGKILL, as a node that goes away
	local i=$1
	[ -n "${NATS_PIDS[i]}" ] || return 0
	kill -9 "${NATS_PIDS[i]}" 2>/dev/null
	wait "${NATS_PIDS[i]}" 2>/dev/null
	NATS_PIDS[i]=""
}

nats_healthy() {	# nats_healthy I: node I answers /healthz with JetStream ready
	curl -sf -m 2 "http://127.0.0.1:${NATS_MPORTS[$1]}/healthz" 2>/dev/null | grep -q '"ok"'
}

nats_wait() {	# nats_wait I...: until each named node is healthy (30 s at most)
	local n=0 i ok
	while [ $n -lt 150 ]; do
		ok=1
		for i in "$@"; do nats_healthy "$i" || ok=0; done
		[ $ok = 1 ] && return 0
		sleep 0.2
		n=$((n + 1))
	done
	return 1
}

nats_stop_all() {
	local i
	for i in 0 1 2; do nats_kill "$i"; done
}

# nats_stream FIELD: a field of the stream's state from the monitoring endpoint of a live node
# (messages, bytes, first_seq, last_seq, num_deleted); FIELD "leader" gives the stream leader's name
nats_stream() {
	local i out
	for i in 0 1 2; do
		[ -n "${NATS_PIDS[i]}" ] || continue
		out=$(curl -sf -m 3 "http://127.0.0.1:${NATS_MPORTS[i]}/jsz?streams=true" 2>/dev/null) || continue
		/usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
for a in j.get("account_details", []):
    for s in a.get("stream_detail", []):
        if s["name"] != sys.argv[1]:
            continue
        if sys.argv[2] == "leader":
            print(s.get("cluster", {}).get("leader", ""))
        else:
            print(s["state"][sys.argv[2]])
        sys.exit(0)
sys.exit(1)' "${STREAM:-VIGIL_EVENTS}" "$1" <<<"$out" && return 0
	done
	return 1
}

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# console.sh CASE SRCDIR SENSOR COLLECTOR DRIVE [SHOTS_DIR]: the collector's web
# console (docs/console.md) against a real vigil-collector.
#   api      the JSON API, filled by real replays: vigil-sensor replays an SSH
#            brute force (edge-1) and a port scan (edge-2) into the collector
#            (root: BPF_PROG_TEST_RUN, DPDK); then every endpoint, filter and
#            error, and an evidence download checked against the sensor's file
#   browser  the same store in headless chromium (console_browser.py): each
#            page's DOM, the chart's points, the evidence link's download and
#            its SHA-256, hostile fields shown as text; PNGs into SHOTS_DIR
#   security no credentials off loopback: refused at start; 401 without the
#            token, Bearer and Basic with it; DNS-rebinding Host refused; bad
#            token and key files refused; HTTPS; the headers and the pages'
#            policy; hostile fields stay data in the API
# After a replay the sensor exits, so the sensor's side of an evidence request
# is answered by its real publisher code (sensor/publish.c through zmq_drive
# publish --evidence) from the very files the replay wrote, under its name.
set -u
CASE=$1
SRC=$(readlink -f "$2")
SENSOR=$(readlink -f "$3")
COLLECTOR=$(readlink -f "$4")
DRIVE=$(readlink -f "$5")
SHOTS=${6:-}
TMP=$(mktemp -d /tmp/vigil-console.XXXXXX)
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

PORT=$("$DRIVE" freeport) || exit 1
HPORT=$("$DRIVE" freeport) || exit 1
EP="tcp://127.0.0.1:$PORT"
BASE="http://127.0.0.1:$HPORT"
CFG="$TMP/collector.yaml"
DB="$TMP/events.db"
HOSTILE_NAME='<img src=x onerror=window.__pwned=3>'
HOSTILE_SIG='<script>window.__pwned=1</script>'

# write_cfg [LISTEN [MORE YAML LINES]]: the collector's configuration
write_cfg() {
	cat >"$CFG" <<EOC
collector:
  listen: $EP
  events_jsonl: $TMP/events.jsonl
  sqlite: $DB
  metrics_listen: "${1:-127.0.0.1:$HPORT}"
  control: ipc://$TMP/run/collector.ctl
  evidence_dir: $TMP/fetched
  evidence_timeout_ms: 5000
${2:-}
EOC
}

COL_PID=""
# start_collector: 0 once it listens; 1 when it exits first (its log in $TMP/col.log)
start_collector() {
	: >"$TMP/col.log"
	"$COLLECTOR" -c "$CFG" 2>>"$TMP/col.log" &
	COL_PID=$!
	PIDS="$PIDS $COL_PID"
	i=0
	while [ $i -lt 100 ]; do
		grep -q "listening on $EP" "$TMP/col.log" && return 0
		kill -0 "$COL_PID" 2>/dev/null || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
stop_collector() { kill -TERM "$COL_PID" 2>/dev/null; wait "$COL_PID" 2>/dev/null; COL_PID=""; }

# replay NAME CAPTURE: the real sensor replays a capture into the collector (alerts, stats, evidence files)
replay() {
	mkdir -p "$TMP/ev-$1"
	cat >"$TMP/sensor-$1.yaml" <<EOS
sensor:
  name: $1
collector:
  endpoint: $EP
  spool_dir: $TMP/spool-$1
evidence:
  dir: $TMP/ev-$1
EOS
	"$SENSOR" -c "$TMP/sensor-$1.yaml" -r "$SRC/tests/data/captures/attack/$2" --alerts-json "$TMP/alerts-$1.json" \
		--stats-json "$TMP/stats-$1.json" >"$TMP/sensor-$1.log" 2>&1
}

# hold NAME: the sensor's publisher, connected under NAME again and answering evidence requests
# from its files; it announces itself with the sensor's last stats event (numbered after the
# sensor's last seq, so it is stored once more, as a sensor back after a restart would send).
# A replay counts no capture loss (its frames come from a file): only a live sensor's stats
# event has capture{} and vigil_capture{} (docs/appliance.md "Capture loss"), so the hello
# carries made-up ones of that shape, and the console's reading of them is checked.
CAPTURE='{"kernel_packets":20000,"kernel_drops":150,"kernel_ifdrops":3}'
VCAPTURE='{"iface":"eth1","queues":1,"lost":170,"loss_1m":0.0085}'
hold() {
	tail -1 "$TMP/stats-$1.json" | jq -c --argjson c "$CAPTURE" --argjson v "$VCAPTURE" \
		'.stats.capture = $c | .stats.vigil_capture = $v' >"$TMP/hello-$1.json"
	"$DRIVE" publish "$EP" "$1" 1 0 3000 --evidence "$TMP/ev-$1" --hold-ms 60000 --json "$TMP/hello-$1.json" \
		>"$TMP/hold-$1.log" 2>&1 &
	PIDS="$PIDS $!"
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

# forge_hostile: an incident whose every text field is HTML, under a sensor name that is HTML too
forge_hostile() {
	cat >"$TMP/hostile.json" <<'EOJ'
{"timestamp":"2026-11-23T13:00:00.000000+0000","flow_id":1,"community_id":"1:<b>x</b>","event_type":"alert","src_ip":"198.51.100.7","src_port":4444,"dest_ip":"192.0.2.66","dest_port":80,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":9100001,"rev":1,"signature":"<script>window.__pwned=1</script>","category":"<img src=x onerror=window.__pwned=2>","severity":1},"vigil":{"detector":"<b>flood</b>","metric":"<i>pps</i>","state":"start","incident_id":7,"observed":10,"expected":1,"threshold":5,"zscore":9,"window_s":1,"hosts":["<svg onload=window.__pwned=4>"],"detail":"<iframe src=javascript:window.__pwned=5>","evidence":{"file":"<a href=javascript:alert(1)>x</a>","status":"complete","sha256":"<b>"}}}
EOJ
	"$DRIVE" forge "$EP" "$HOSTILE_NAME" 1 3000 --json "$TMP/hostile.json" >/dev/null
}

# get PATH [curl options]: the body on stdout; $TMP/code the status
get() {
	p=$1
	shift
	curl -s -o "$TMP/body" -w '%{http_code}' "$@" "$BASE$p" >"$TMP/code" 2>/dev/null
	cat "$TMP/body"
}
code() { cat "$TMP/code"; }

# fill: edge-1 replays an SSH brute force, edge-2 a port scan, and the hostile incident
fill() {
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: the sensor's replay needs root (BPF_PROG_TEST_RUN, DPDK)"; exit 77; }
	write_cfg
	start_collector; check "collector starts with the console" $? "$(tail -3 "$TMP/col.log")"
	grep -q "console on $BASE/" "$TMP/col.log"; check "logs the console's URL" $?
	replay edge-1 zeek_ssh_sshguess.pcap; check "edge-1 replays an SSH brute force" $? "$(tail -2 "$TMP/sensor-edge-1.log")"
	replay edge-2 cs_ppa1e_portscan.pcap; check "edge-2 replays a port scan" $? "$(tail -2 "$TMP/sensor-edge-2.log")"
	forge_hostile
	N1=$(wc -l <"$TMP/alerts-edge-1.json")
	N2=$(wc -l <"$TMP/alerts-edge-2.json")
	# alert and incident events: an incident's later events are `incident` events (docs/events.md)
	wait_rows $((N1 + N2 + 1)) "event_type IN ('alert', 'incident')"
	check "the collector stored the $N1 + $N2 + 1 events of the incidents" $?
	INC1=$(jq -r 'select(.vigil.state == "start") | .vigil.incident_id' "$TMP/alerts-edge-1.json" | head -1)
	INC2=$(jq -r 'select(.vigil.state == "start") | .vigil.incident_id' "$TMP/alerts-edge-2.json" | head -1)
	ID1="edge-1:$INC1"
	ID2="edge-2:$INC2"
	EV1=$(jq -r ".vigil.evidence.file // empty" "$TMP/alerts-edge-1.json" | head -1)
	SHA1=$(sha256sum "$TMP/ev-edge-1/$EV1" | cut -c1-64)
	echo "  ($ID1: $N1 events, evidence $EV1 $SHA1; $ID2: $N2 events)"
}

echo "case: $CASE"
case "$CASE" in
api)
	fill
	get /api/incidents >"$TMP/list.json"
	[ "$(code)" = 200 ] && [ "$(jq '.incidents | length' "$TMP/list.json")" = 3 ]
	check "/api/incidents: 3 incidents" $? "$(code) $(head -c 300 "$TMP/list.json")"
	[ "$(jq -r '[.incidents[].id] | join(" ")' "$TMP/list.json")" = "$HOSTILE_NAME:7 $ID1 $ID2" ]
	check "newest first (2026, 2015, 2006)" $? "$(jq -c '[.incidents[].id]' "$TMP/list.json")"
	R=$(jq -c ".incidents[] | select(.id == \"$ID1\")" "$TMP/list.json")
	A=$(head -1 "$TMP/alerts-edge-1.json")
	[ "$(echo "$R" | jq -r '[.sensor, .detector, .severity, .signature, .src_ip, .dest_ip, .observed, .expected, .metric] | @json')" = \
	  "$(echo "$A" | jq -r '["edge-1", .vigil.detector, .alert.severity, .alert.signature, .src_ip, .dest_ip, .vigil.observed, .vigil.expected, .vigil.metric] | @json')" ]
	check "a row: sensor, detector, severity, signature, tuple, observed vs expected of the trigger" $? "$R"
	[ "$(echo "$R" | jq -r '.hosts | index("192.168.56.1") != null and index("192.168.56.103") != null')" = true ]
	check "a row: its hosts" $?
	[ "$(echo "$R" | jq -r .first_seen)" = "$(jq -r .timestamp "$TMP/alerts-edge-1.json" | sort | head -1)" ] &&
		[ "$(echo "$R" | jq -r .last_seen)" = "$(jq -r .timestamp "$TMP/alerts-edge-1.json" | sort | tail -1)" ]
	check "a row: first and last seen" $?
	[ "$(echo "$R" | jq -r '[.event_count, .state] | @json')" = "[$N1,\"end\"]" ]
	check "a row: every event of the incident ($N1), ended" $? "$(echo "$R" | jq -c '[.event_count, .state]')"
	[ "$(echo "$R" | jq -r .evidence.sha256)" = "$SHA1" ]; check "a row: the evidence's SHA-256 is the file's" $?

	ids() { get "/api/incidents?$1" | jq -r '[.incidents[].id] | join(" ")'; }
	[ "$(ids sensor=edge-2)" = "$ID2" ]; check "filter sensor" $?
	[ "$(ids detector=bruteforce)" = "$ID1" ]; check "filter detector" $?
	[ "$(ids severity=1)" = "$HOSTILE_NAME:7" ]; check "filter severity (1..N)" $? "$(ids severity=1)"
	[ "$(ids host=192.168.56.0/24)" = "$ID1" ]; check "filter host CIDR" $?
	[ "$(ids host=10.100.18.12)" = "$ID2" ]; check "filter host address" $?
	[ "$(ids since=2010-01-01\&until=2020-01-01)" = "$ID1" ]; check "filter since and until" $?
	CID=$(jq -r 'select(.vigil.state == "start") | .community_id' "$TMP/alerts-edge-1.json" | head -1)
	[ "$(ids "community_id=$(jq -rn --arg c "$CID" '$c | @uri')")" = "$ID1" ]; check "filter community_id (the pivot)" $?
	L=$(get "/api/incidents?limit=1")
	[ "$(echo "$L" | jq -r '[(.incidents | length), .more] | @json')" = '[1,true]' ]; check "limit, and more" $? "$L"
	for bad in severity=0 severity=x host=10.0.0.0/33 host=nothere since=yesterday limit=0 limit=1001; do
		B=$(get "/api/incidents?$bad")
		[ "$(code)" = 400 ] && echo "$B" | jq -e .error >/dev/null
		check "400 with a reason: $bad" $? "$(code) $B"
	done

	D=$(get "/api/incidents/$(jq -rn --arg c "$ID1" '$c | @uri')")
	[ "$(code)" = 200 ]; check "/api/incidents/$ID1" $?
	[ "$(echo "$D" | jq '.events | length')" = "$N1" ] &&
		[ "$(echo "$D" | jq -c '[.events[].vigil_seq]')" = "$(echo "$D" | jq -c '[.events[].vigil_seq] | sort')" ]
	check "its $N1 events, in the sensor's order" $?
	[ "$(echo "$D" | jq -c '[.events[] | {timestamp, vigil}]')" = "$(jq -sc '[.[] | {timestamp, vigil}]' "$TMP/alerts-edge-1.json")" ]
	check "each event as the sensor wrote it" $?
	[ "$(echo "$D" | jq -r '.flows.conversations[0].community_id')" = "$CID" ]; check "its conversation's community_id" $?
	[ "$(get "/api/incidents/$INC1" | jq -r .id)" = "$ID1" ]; check "an id without the sensor, when one sensor has it" $?
	get /api/incidents/nosuch:5 >/dev/null; [ "$(code)" = 404 ]; check "unknown incident: 404" $?
	get /api/incidents/x:y >/dev/null; [ "$(code)" = 400 ]; check "not an id: 400" $?

	H=$(get /api/hosts/192.168.56.1)
	[ "$(echo "$H" | jq -r '[.incidents[].id] | join(" ")')" = "$ID1" ] &&
		[ "$(echo "$H" | jq -r '.baselines[0] | [.detector, .role, .expected] | @json')" = "$(echo "$A" | jq -r '[.vigil.detector, "source", .vigil.expected] | @json')" ]
	check "/api/hosts/192.168.56.1: its incident, its baseline (source)" $? "$H"
	get /api/hosts/not-an-address >/dev/null; [ "$(code)" = 400 ]; check "/api/hosts/not-an-address: 400" $?

	S=$(get /api/sensors)
	E1=$(echo "$S" | jq -c '.sensors[] | select(.sensor == "edge-1")')
	T1=$(tail -1 "$TMP/stats-edge-1.json")
	[ "$(echo "$E1" | jq -r '[.stats.version, .stats.packets, .stats.spool_bytes, .incidents] | @json')" = \
	  "$(echo "$T1" | jq -r '[.stats.vigil_sensor.version, .stats.decoder.pkts, .stats.vigil_publish.spool_bytes, 1] | @json')" ] &&
		[ "$(echo "$E1" | jq -r .last_event)" = "$(echo "$T1" | jq -r .timestamp)" ] &&
		[ "$(echo "$E1" | jq -r '.stats | has("capture_packets")')" = false ]
	check "/api/sensors: version, packets, spool, last event, incidents from its stats; no capture loss in a replay" $? "$E1"
	[ "$(echo "$S" | jq '.sensors | length')" = 3 ]; check "/api/sensors: every sensor" $?

	NS=$(dbcount "sensor = 'edge-1' AND event_type = 'stats'")
	hold edge-1
	wait_rows $((NS + 1)) "sensor = 'edge-1' AND event_type = 'stats'"; check "edge-1's publisher is back" $?
	C1=$(get /api/sensors | jq -c '.sensors[] | select(.sensor == "edge-1") | .stats |
		[.capture_packets, .capture_drops, .capture_ifdrops, .capture_lost, .capture_loss_1m]')
	[ "$C1" = "[20000,150,3,170,0.0085]" ]
	check "/api/sensors: capture loss from the newest stats event's capture{} and vigil_capture{}" $? "$C1"
	curl -s -D "$TMP/hdr" -o "$TMP/dl.pcapng" -w '%{http_code}' \
		"$BASE/api/incidents/$(jq -rn --arg c "$ID1" '$c | @uri')/evidence" >"$TMP/code"
	[ "$(code)" = 200 ] && cmp -s "$TMP/dl.pcapng" "$TMP/ev-edge-1/$EV1"
	check "evidence: downloads the sensor's file through the collector" $? "$(code) $(head -c 200 "$TMP/dl.pcapng")"
	grep -qi "^x-vigil-sha256: $SHA1" "$TMP/hdr" && grep -qi '^content-disposition: attachment; filename="edge-1-' "$TMP/hdr"
	check "evidence: its SHA-256 and a file name in the headers" $?
	[ -f "$TMP/fetched/edge-1/$EV1" ]; check "evidence: the collector kept its copy" $?
	get "/api/incidents/$(jq -rn --arg c "$ID2" '$c | @uri')/evidence" >/dev/null
	[ "$(code)" = 503 ] || [ "$(code)" = 404 ]; check "evidence of a sensor not connected: an error, not a file" $? "$(code)"
	get /api/incidents/edge-1:99/evidence >/dev/null; [ "$(code)" = 404 ]; check "evidence of an unknown incident: 404" $?
	stop_collector
	;;
browser)
	# the one reason to skip: no browser at all (scripts/setup.sh installs Debian's chromium)
	CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
	if [ ! -x "$CHROMIUM" ]; then
		echo "SKIP: $CHROMIUM is missing: Debian's chromium (scripts/setup.sh installs it) drives the browser test"
		exit 77
	fi
	export CHROMIUM
	fill
	NS=$(dbcount "sensor = 'edge-1' AND event_type = 'stats'")
	hold edge-1
	wait_rows $((NS + 1)) "sensor = 'edge-1' AND event_type = 'stats'"; check "edge-1's publisher is back" $?
	SHOTS=${SHOTS:-$TMP/shots}
	A=$(jq -c 'select(.vigil.state == "start")' "$TMP/alerts-edge-1.json" | head -1)
	echo "$A" | jq -c --arg id "$ID1" --arg id2 "$ID2" --arg sha "$SHA1" --argjson n "$N1" \
		--arg hid "$HOSTILE_NAME:7" --arg htxt "$HOSTILE_SIG" \
		--arg first "$(jq -r .timestamp "$TMP/alerts-edge-1.json" | sort | head -1 | cut -c1-19 | tr T ' ')" \
		--arg version "$(tail -1 "$TMP/stats-edge-1.json" | jq -r .stats.vigil_sensor.version)" \
		'{incident: $id, signature: .alert.signature, severity: .alert.severity, detector: .vigil.detector,
		  events: $n, sha256: $sha, host: .src_ip, host_cidr: "192.168.56.0/24", first_seen: $first,
		  community_id: .community_id, sensor: "edge-1", version: $version, order: [$hid, $id, $id2],
		  other: $id2, other_sensor: "edge-2", other_detector: "portscan", hostile: $hid, hostile_text: $htxt,
		  capture_loss: ("170 lost of 20,000 (0.85 %)" + "card missed 3, last minute 0.85 %")}' \
		>"$TMP/expect.json"
	/usr/bin/python3 "$SRC/tests/collector/console_browser.py" "$BASE" "$SHOTS" "$TMP/expect.json"
	check "browser checks" $?
	echo "screenshots: $SHOTS"
	stop_collector
	;;
security)
	for l in "0.0.0.0:$HPORT" ":$HPORT" "[::]:$HPORT" "192.0.2.1:$HPORT"; do
		write_cfg "$l"
		start_collector
		RC=$?
		wait "$COL_PID" 2>/dev/null
		X=$?
		[ $RC -ne 0 ] && [ $X -eq 1 ] && grep -q "is not a loopback address: .*http_token_file" "$TMP/col.log"
		check "metrics_listen $l without a token: refuses to start (exit 1, says why)" $? "rc=$RC exit=$X $(tail -1 "$TMP/col.log")"
	done
	TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)
	printf '%s\n' "$TOKEN" >"$TMP/token"
	chmod 0644 "$TMP/token"
	write_cfg "0.0.0.0:$HPORT" "  http_token_file: $TMP/token"
	start_collector; RC=$?; wait "$COL_PID" 2>/dev/null
	[ $RC -ne 0 ] && grep -q "mode 0644" "$TMP/col.log"; check "a token file others can read: refused" $? "$(tail -1 "$TMP/col.log")"
	printf 'short\n' >"$TMP/token"
	chmod 0600 "$TMP/token"
	start_collector; RC=$?; wait "$COL_PID" 2>/dev/null
	[ $RC -ne 0 ] && grep -q "16..256 characters" "$TMP/col.log"; check "a token too short: refused" $? "$(tail -1 "$TMP/col.log")"
	printf '%s\n' "$TOKEN" >"$TMP/token"
	start_collector; check "0.0.0.0 with a token file: starts" $? "$(tail -2 "$TMP/col.log")"
	forge_hostile
	wait_rows 1 "event_type = 'alert'"
	for p in /api/incidents / /metrics /static/console.js; do
		get "$p" -D "$TMP/hdr" >/dev/null
		[ "$(code)" = 401 ] && grep -qi '^www-authenticate: Basic realm="vigil"' "$TMP/hdr"
		check "$p without credentials: 401 asking for a login" $? "$(code)"
	done
	get /api/incidents -H "Authorization: Bearer wrong-token-wrong-token" >/dev/null
	[ "$(code)" = 401 ]; check "a wrong token: 401" $?
	get /api/incidents -u "admin:$TOKEN" >/dev/null; [ "$(code)" = 401 ]; check "the token with another user: 401" $?
	get /api/incidents -H "Authorization: Bearer $TOKEN" >/dev/null; [ "$(code)" = 200 ]; check "Bearer token: 200" $?
	get /api/incidents -u "vigil:$TOKEN" >"$TMP/list.json"; [ "$(code)" = 200 ]; check "Basic login vigil:token: 200" $?
	get /metrics -u "vigil:$TOKEN" | grep -q '^vigil_collector_stored_total'; check "metrics with the token" $?
	[ "$(jq -r '.incidents[0].signature' "$TMP/list.json")" = "$HOSTILE_SIG" ] &&
		[ "$(jq -r '.incidents[0].sensor' "$TMP/list.json")" = "$HOSTILE_NAME" ]
	check "hostile fields stay data: the API gives the sensor's text as JSON strings" $?
	get /api/incidents -u "vigil:$TOKEN" -D "$TMP/hdr" >/dev/null
	grep -qi '^content-type: application/json' "$TMP/hdr" && grep -qi '^x-content-type-options: nosniff' "$TMP/hdr"
	check "API answers are JSON, never sniffed as HTML" $?
	get / -u "vigil:$TOKEN" -D "$TMP/hdr" >"$TMP/page.html"
	grep -qi "^content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'" "$TMP/hdr"
	check "pages carry a strict Content-Security-Policy" $?
	for p in / /incident /host /sensors; do get "$p" -u "vigil:$TOKEN"; done >"$TMP/pages.html"
	get /static/console.js -u "vigil:$TOKEN" >"$TMP/console.js"
	! grep -Eiq '<script>|<script [^>]*>[^<]|<style|style=| on[a-z]+=' "$TMP/pages.html" &&
		grep -c '<script src="/static/console.js" defer></script>' "$TMP/pages.html" | grep -qx 4
	check "no inline script, style or handler in any page" $?
	! grep -v '^ *//' "$TMP/console.js" | grep -Eq 'innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function'
	check "the script never parses data as HTML" $?
	get /api/incidents -X POST -u "vigil:$TOKEN" >/dev/null; [ "$(code)" = 405 ]; check "POST: 405 (read-only)" $?
	stop_collector

	write_cfg
	start_collector; check "loopback without a token: starts" $?
	get /api/sensors >/dev/null; [ "$(code)" = 200 ]; check "loopback: no credentials needed" $?
	get /api/sensors -H "Host: localhost:$HPORT" >/dev/null; [ "$(code)" = 200 ]; check "Host: localhost: 200" $?
	get /api/sensors -H "Host: attacker.example:$HPORT" >/dev/null; [ "$(code)" = 401 ]
	check "Host: attacker.example (DNS rebinding): 401" $?
	stop_collector

	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
		-keyout "$TMP/tls.key" -out "$TMP/tls.crt" >/dev/null 2>&1
	chmod 0644 "$TMP/tls.key"
	write_cfg "" "  http_tls_cert: $TMP/tls.crt
  http_tls_key: $TMP/tls.key"
	start_collector; RC=$?; wait "$COL_PID" 2>/dev/null
	[ $RC -ne 0 ] && grep -q "tls.key: must be owned by this user and readable by nobody else" "$TMP/col.log"
	check "a TLS key others can read: refused" $? "$(tail -1 "$TMP/col.log")"
	chmod 0600 "$TMP/tls.key"
	start_collector; check "HTTPS: starts" $? "$(tail -2 "$TMP/col.log")"
	grep -q "console on https://127.0.0.1:$HPORT/" "$TMP/col.log"; check "HTTPS: the URL it logs" $?
	C=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/tls.crt" "https://127.0.0.1:$HPORT/api/sensors")
	[ "$C" = 200 ]; check "HTTPS: GET /api/sensors with the certificate verified" $? "$C"
	C=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$HPORT/api/sensors")
	[ "$C" != 200 ]; check "HTTPS: plain HTTP gets nothing" $? "$C"
	stop_collector
	;;
*)
	echo "unknown case $CASE"
	exit 2
	;;
esac
finish

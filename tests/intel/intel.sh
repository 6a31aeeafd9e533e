#!/usr/bin/env bash
# intel.sh: threat-intelligence feeds end to end (vigil-sensor -r): planted
# indicators (documentation prefixes, .example names) in a real capture are
# each named once, by the right feed, indicator, host and flow; a malformed
# feed line is named file:line and keeps the previous version (the other feeds
# still match); a feed changed and SIGHUP sent while frames flow: every frame
# is still counted and the new indicator matches from then on.
# Usage: intel.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
t_need_root
SENSOR=$BUILD/sensor/vigil-sensor
CAP=$SRC/tests/data/captures/intel/intel_planted.pcap
TMP=$(mktemp -d /tmp/vx5-intel.XXXXXX)
SPID=
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# ---- the feeds: each format once ----
cat > "$TMP/ip.txt" <<'EOF'
# planted: documentation prefixes
203.0.113.0/25 ; DROP-style comment
2001:db8:bad::/48
EOF
cat > "$TMP/abuse.csv" <<'EOF'
# abuse.ch style
# "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"
"2026-01-01 00:00:00","198.51.100.7","443","online","2026-01-01","Planted"
EOF
cat > "$TMP/domains.txt" <<'EOF'
c2.evil.example
cname-bad.example
0.0.0.0 dl.malware.example
EOF
cat > "$TMP/bundle.json" <<'EOF'
{"type": "bundle", "id": "bundle--0b9f3d9a-0000-4000-8000-000000000001", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--0b9f3d9a-0000-4000-8000-000000000002",
  "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "valid_from": "2026-01-01T00:00:00Z",
  "pattern_type": "stix", "pattern": "[domain-name:value = 'phish.example']"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--0b9f3d9a-0000-4000-8000-000000000003",
  "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "valid_from": "2026-01-01T00:00:00Z",
  "confidence": 85, "pattern_type": "stix", "pattern": "[ipv4-addr:value = '198.51.100.200']"}
]}
EOF
yaml() { # extra lines appended
  cat <<EOF
sensor:
  name: intel
  home_net: [10.0.0.0/8, fd00::/8]
collector:
  endpoint: ""
evidence:
  enabled: false
intel:
  check_s: 1
  feeds:
    - {name: drop, path: $TMP/ip.txt, format: ip}
    - {name: feodo, path: $TMP/abuse.csv, format: csv, confidence: 90}
    - {name: names, path: $TMP/domains.txt, format: domain, severity: 2}
    - {name: misp, path: $TMP/bundle.json, format: stix, confidence: 60, severity: 1}
EOF
  cat
}
echo | yaml > "$TMP/s.yaml"
"$SENSOR" -c "$TMP/s.yaml" --check-config >/dev/null 2>&1; t_eq "the config with four feeds is valid" $? 0

run() { # name capture: replay; alerts to NAME.alerts, flows to NAME.flows, stats to NAME.stats
  "$SENSOR" -c "$TMP/s.yaml" -r "$2" --alerts-json "$TMP/$1.alerts" --flows-json "$TMP/$1.flows" \
    --stats-json "$TMP/$1.stats" > "$TMP/$1.log" 2>&1
  local rc=$?
  t_eq "$1: replay exits 0" "$rc" 0
  [ "$rc" = 0 ] || tail -5 "$TMP/$1.log" | sed 's/^/    /'
}
# one start of the intel detector with these fields (a jq condition), counted
starts() { jq -c "select(.vigil.detector==\"intel\" and .vigil.state==\"start\") | select($2)" "$TMP/$1.alerts" | wc -l; }

# ---- 1. planted indicators, every kind ----
run planted "$CAP"
t_eq "IP, host to a listed address (CSV feed): 10.0.0.5 -> 198.51.100.7" \
  "$(starts planted '.vigil.intel == {feed: "feodo", indicator: "198.51.100.7", type: "ipv4-addr", matched: "198.51.100.7", where: "ip.dst", confidence: 90} and .vigil.hosts == ["10.0.0.5"] and .vigil.severity == 1')" 1
t_eq "IP, the other direction: a listed prefix opens to 10.0.0.6 (prefix hit)" \
  "$(starts planted '.vigil.intel.feed == "drop" and .vigil.intel.indicator == "203.0.113.0/25" and .vigil.intel.matched == "203.0.113.50" and .vigil.intel.where == "ip.src" and .src_ip == "203.0.113.50" and .vigil.hosts == ["10.0.0.6"]')" 1
t_eq "IPv6 prefix: fd00::7 -> 2001:db8:bad::1" \
  "$(starts planted '.vigil.intel.indicator == "2001:db8:bad::/48" and .vigil.intel.type == "ipv6-addr" and .vigil.hosts == ["fd00::7"]')" 1
t_eq "DNS query name under a listed name" \
  "$(starts planted '.vigil.intel.indicator == "c2.evil.example" and .vigil.intel.matched == "x1.c2.evil.example" and .vigil.intel.where == "dns.query" and .vigil.hosts == ["10.0.0.5"] and .vigil.severity == 2')" 1
t_eq "DNS answer's CNAME" \
  "$(starts planted '.vigil.intel.indicator == "cname-bad.example" and .vigil.intel.where == "dns.cname" and .vigil.hosts == ["10.0.0.5"]')" 1
t_eq "TLS SNI matched from the STIX bundle" \
  "$(starts planted '.vigil.intel == {feed: "misp", indicator: "phish.example", type: "domain-name", matched: "login.phish.example", where: "tls.sni", confidence: 60} and .dest_ip == "192.0.2.80"')" 1
t_eq "HTTP Host (hosts-file line)" \
  "$(starts planted '.vigil.intel.indicator == "dl.malware.example" and .vigil.intel.where == "http.host" and .vigil.hosts == ["10.0.0.9"]')" 1
t_eq "STIX address with its own confidence (85)" \
  "$(starts planted '.vigil.intel.indicator == "198.51.100.200" and .vigil.intel.confidence == 85')" 1
t_eq "nothing else: unlisted names and addresses, notevil.example, c2.evil.example.net" \
  "$(starts planted 'true')" 8
t_eq "no other detector fired on this small capture" \
  "$(jq -c 'select(.vigil.state=="start" and .vigil.detector!="intel")' "$TMP/planted.alerts" | wc -l)" 0
t_check "alert.metadata carries feed, indicator, type and confidence" \
  jq -e -s '[.[] | select(.event_type=="alert")] | length == 8 and all(.[]; .alert.metadata.intel_feed[0] == .vigil.intel.feed
    and .alert.metadata.intel_indicator[0] == .vigil.intel.indicator and .alert.metadata.intel_type[0] == .vigil.intel.type
    and .alert.metadata.intel_confidence[0] == (.vigil.intel.confidence | tostring) and .alert.signature_id == 9100012)' "$TMP/planted.alerts"
t_check "every alert's flow_id and community_id are a flow event's" \
  jq -n -e --slurpfile f "$TMP/planted.flows" --slurpfile a "$TMP/planted.alerts" \
    '([$f[] | {key: (.flow_id | tostring), value: .community_id}] | from_entries) as $m
     | all($a[]; $m[.flow_id | tostring] == .community_id and all(.vigil.flows.flow_ids[]?; $m[tostring] != null))'
t_check "alert, incident, flow and stats events valid against docs/schema" \
  /usr/bin/python3 "$SRC/tests/collector/validate_events.py" "$SRC/docs/schema/vigil-event.schema.json" \
    "$TMP/planted.alerts" "$TMP/planted.flows" "$TMP/planted.stats"
t_eq "one incident per indicator and host: the second flow to 198.51.100.7 joins it (2 flows at its end)" \
  "$(jq -c 'select(.vigil.intel.indicator=="198.51.100.7" and .vigil.state=="end") | .vigil.flows.count' "$TMP/planted.alerts")" 2
t_check "stats event: indicators and hits per feed" \
  jq -e -s '.[-1].stats.vigil_intel | .reload_errors == 0 and ([.feeds[] | [.name, .ipv4, .ipv6, .domains, .hits]]
    == [["drop",1,1,0,2],["feodo",1,0,0,2],["names",0,0,3,3],["misp",1,0,1,2]])' "$TMP/planted.stats"

# ---- 2. a malformed line: named, the feed keeps its previous version (none at start: empty), others match ----
cp "$TMP/abuse.csv" "$TMP/abuse.good"
printf '"2026-01-02 00:00:00","198.51.100.300","443","online","2026-01-02","Typo"\n' >> "$TMP/abuse.csv"
run bad "$CAP"
t_check "the error names file, line and reason" \
  grep -q "intel: feed feodo: $TMP/abuse.csv:4: '198.51.100.300' is not an IPv4 or IPv6 address or prefix; the feed is empty until it parses" "$TMP/bad.log"
t_eq "the broken feed matches nothing, the other three still do" \
  "$(starts bad '.vigil.intel.feed == "feodo"') $(starts bad 'true')" "0 7"
t_check "stats event: the feed's error counted, not loaded" \
  jq -e -s '.[-1].stats.vigil_intel | .reload_errors == 1 and (.feeds[1] | .name == "feodo" and .errors == 1 and .loaded == false)' "$TMP/bad.stats"
cp "$TMP/abuse.good" "$TMP/abuse.csv"

# ---- 3. reload while frames flow: SIGHUP with a broken file, then a file change; no frame lost ----
N=1000000
/usr/bin/python3 - "$TMP/flow.pcap" "$N" <<'EOF'
# N UDP frames, each a new conversation 10.1.0.x:port -> 198.51.100.99:9999 (256 hosts), 1 ms apart
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        src = bytes([10, 1, 0, i & 0xff])
        sport = 1024 + (i >> 8)
        udp = struct.pack(">HHHH", sport, 9999, 8 + 4, 0) + b"ping"
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0, src, bytes([198, 51, 100, 99]))
        fr = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp
        t = 1767225600 * 1000000 + i * 1000
        f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
EOF
t_eq "a capture of $N frames, one new conversation each" "$(stat -c %s "$TMP/flow.pcap")" "$((24 + N * 62))"
MPORT=$((20000 + RANDOM % 20000))
{ echo "metrics:"; echo "  listen: 127.0.0.1:$MPORT"; } | yaml > "$TMP/s.yaml"
metrics() { curl -s --max-time 2 "http://127.0.0.1:$MPORT/metrics"; }
pkts() { metrics 2>/dev/null | awk '/^vigil_packets_total / { print $2 }'; }
"$SENSOR" -c "$TMP/s.yaml" -r "$TMP/flow.pcap" --alerts-json "$TMP/flow.alerts" --stats-json "$TMP/flow.stats" \
  > "$TMP/flow.log" 2>&1 &
SPID=$!
started() { [ -n "$(pkts | grep -v '^0$')" ]; }
t_wait_for 20 started
t_eq "sensor replaying, metrics up" $? 0
P0=$(pkts)
# a broken version on SIGHUP: refused, named, the previous one kept
cp "$TMP/ip.txt" "$TMP/ip.good"
printf '198.51.100.99\n203.0.113.0/33\n' >> "$TMP/ip.txt"
kill -HUP "$SPID"
t_wait_for 10 grep -q "intel: feed drop: $TMP/ip.txt:5: '203.0.113.0/33' is not an IPv4 or IPv6 address or prefix; its previous version stays in use" "$TMP/flow.log"
t_eq "SIGHUP with a malformed line: named, previous version kept" $? 0
# the fixed file, renamed into place: picked up by the change check (intel.check_s: 1), no signal
{ cat "$TMP/ip.good"; echo 198.51.100.99; } > "$TMP/ip.new" && mv "$TMP/ip.new" "$TMP/ip.txt"
t_wait_for 10 grep -q "intel: feed drop: 2 IPv4 and 1 IPv6 prefixes" "$TMP/flow.log"
t_eq "the changed file is read again by itself" $? 0
P1=$(pkts)
wait "$SPID"; RC=$?; SPID=
t_eq "the replay ends normally" "$RC" 0
echo "  packets counted: $P0 at the SIGHUP, $P1 after the change was read; the replay had $N"
[ "${P1:-0}" -gt "${P0:-0}" ] && [ "${P1:-0}" -lt "$N" ]
t_eq "the reloads happened while frames flowed" $? 0
t_eq "no frame lost: the last stats event counts every frame" "$(jq -s '.[-1].stats.decoder.pkts' "$TMP/flow.stats")" "$N"
t_check "the new indicator matched from then on: one incident per host (256 hosts)" \
  jq -e -s '[.[] | select(.vigil.detector=="intel" and .vigil.state=="start")] | length == 256
    and all(.[]; .vigil.intel.indicator == "198.51.100.99" and .vigil.intel.feed == "drop")' "$TMP/flow.alerts"
t_check "stats event: the refused version counted as an error, the reload and the hits too" \
  jq -e -s '.[-1].stats.vigil_intel | .reload_errors == 1 and .reloads >= 1 and .feeds[0].hits > 0' "$TMP/flow.stats"
t_done

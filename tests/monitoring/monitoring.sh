#!/usr/bin/env bash
# monitoring.sh: the monitoring pack against the real daemons. promtool checks
# the alerting rules; a collector and a sensor replaying a vigil-synth capture
# (metrics on, events to that collector) are scraped, and every vigil_* metric
# the Grafana dashboard and the rules name must be in what they export;
# vigil_build_info is on both; promtool lints both scrapes. The same replay
# writes outputs.eve, which is moved away and the sensor sent SIGHUP midway
# (what logrotate does): later lines go to a new file.
# usage: monitoring.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
. "$SRC/tests/lib.sh"
t_need_root
command -v promtool >/dev/null || t_skip "promtool is not installed (Debian's prometheus package; scripts/setup.sh installs it)"
command -v curl >/dev/null || t_skip "curl is not installed"
TMP=$(mktemp -d /tmp/vigil-mon.XXXXXX)
CPID=
cleanup() {
  [ -n "$CPID" ] && kill "$CPID" 2>/dev/null && wait "$CPID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
RULES=$SRC/monitoring/vigil-rules.yml
DASH=$SRC/monitoring/vigil-dashboard.json
ZPORT=17841
CMPORT=19841
SMPORT=19842

out=$(promtool check rules "$RULES" 2>&1)
rc=$?
echo "$out" | sed 's/^/  | /'
t_eq "promtool check rules vigil-rules.yml" "$rc" 0
n=$(jq '[.panels[] | select(.targets | length > 0)] | length' "$DASH" 2>/dev/null)
t_check "the dashboard is JSON with $n panels that query" [ "${n:-0}" -ge 8 ]

# a real collector and a real sensor
cat > "$TMP/collector.yaml" <<YAML
collector:
  listen: tcp://127.0.0.1:$ZPORT
  events_jsonl: $TMP/c/events.jsonl
  metrics_listen: 127.0.0.1:$CMPORT
  control: ""
YAML
"$BUILD/collector/vigil-collector" -c "$TMP/collector.yaml" > "$TMP/collector.log" 2>&1 &
CPID=$!
t_wait_for 10 curl -sf "http://127.0.0.1:$CMPORT/metrics" -o /dev/null
t_check "collector answers /metrics" [ $? -eq 0 ]
"$BUILD/tools/vigil-synth" -o "$TMP/synth.pcap" -l "$TMP/synth.tsv" --minutes 8 --first 30 --every 30 \
  > /dev/null 2>&1
cat > "$TMP/sensor.yaml" <<YAML
sensor: {name: mon-test}
collector: {endpoint: "tcp://127.0.0.1:$ZPORT", stats_interval_s: 1}
evidence: {enabled: false}
metrics: {listen: "127.0.0.1:$SMPORT"}
outputs: {eve: {filename: "$TMP/log/eve.json", types: [alert, stats]}}
YAML
"$BUILD/sensor/vigil-sensor" -c "$TMP/sensor.yaml" -r "$TMP/synth.pcap" > "$TMP/sensor.log" 2>&1 &
SPID=$!
# scrape while the replay runs: the last answer that holds the poller's counters;
# rotate eve.json as logrotate would, once it has lines
rotated=0
while kill -0 $SPID 2>/dev/null; do
  curl -sf "http://127.0.0.1:$SMPORT/metrics" -o "$TMP/s.new" 2>/dev/null &&
    grep -q '^vigil_poller_busy_seconds_total' "$TMP/s.new" && mv "$TMP/s.new" "$TMP/sensor.prom" &&
    grep -q '^vigil_alerts_total{detector="[a-z]*"} [1-9]' "$TMP/sensor.prom" && cp "$TMP/sensor.prom" "$TMP/alerts.prom"
  if [ $rotated -eq 0 ] && [ -s "$TMP/log/eve.json" ]; then
    mv "$TMP/log/eve.json" "$TMP/log/eve.json.1" && kill -HUP $SPID && rotated=1
  fi
  sleep 0.05
done
wait $SPID
t_eq "sensor replay exits 0" "$?" 0
t_eq "eve.json moved and SIGHUP sent during the replay" "$rotated" 1
old=$(jq -c . "$TMP/log/eve.json.1" 2>/dev/null | wc -l)
new=$(jq -c 'select(.event_type=="stats")' "$TMP/log/eve.json" 2>/dev/null | wc -l)
grep -q "reloaded $TMP/sensor.yaml" "$TMP/sensor.log" && [ "$old" -ge 1 ] && [ "$new" -ge 1 ]
t_check "after SIGHUP the sensor writes a new eve.json ($old lines in the moved one, $new stats in the new)" [ $? -eq 0 ]
t_check "sensor /metrics scraped during the replay" test -s "$TMP/sensor.prom"
t_wait_for 10 sh -c "curl -sf http://127.0.0.1:$CMPORT/metrics > '$TMP/collector.prom' &&
  grep -q 'vigil_collector_sensor_lag_seconds{sensor=\"mon-test\"}' '$TMP/collector.prom'"
t_check "collector /metrics has the sensor's series" [ $? -eq 0 ]

for d in sensor collector; do
  grep -q "^vigil_build_info{daemon=\"$d\",version=\"[0-9.]*\",git=\"[^\"]*\",dpdk=\"[0-9.]*\",libbpf=\"[0-9.]*\"} 1$" \
    "$TMP/$d.prom"
  t_check "$d exports vigil_build_info ($(grep '^vigil_build_info' "$TMP/$d.prom"))" [ $? -eq 0 ]
  lint=$(promtool check metrics < "$TMP/$d.prom" 2>&1)
  rc=$?
  [ -n "$lint" ] && echo "$lint" | sed 's/^/  | /'
  t_eq "promtool check metrics: $d's exposition" "$rc" 0
done

# every metric named in the dashboard and the rules is exported
names=$( (jq -r '.panels[].targets[].expr, .templating.list[].definition // empty' "$DASH"; grep 'expr:' -A4 "$RULES") |
  grep -o 'vigil_[a-z0-9_]*' | sort -u)
cat "$TMP/sensor.prom" "$TMP/collector.prom" > "$TMP/all.prom"
missing=
for m in $names; do
  grep -q "^$m[{ ]" "$TMP/all.prom" || missing="$missing $m"
done
t_eq "every one of the $(echo "$names" | wc -w) metrics the dashboard and rules name is exported" "$missing" ""
# the last scrape may come before the first alert (the replay outruns the scraper on a loaded machine):
# any scrape during the replay that counted one
t_check "the replay's incidents are counted by detector" test -s "$TMP/alerts.prom"
t_done

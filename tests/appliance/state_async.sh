#!/usr/bin/env bash
# state_async.sh: the learned-state save does not block the packet thread.
# A replay saves every second (state.save_s: 1) onto a "disk" made slow by the
# writer thread's test hook (VIGIL_TEST_STATE_WRITE_DELAY_MS=2000: each write
# waits 2 s first, as a stalled fsync would). The packet thread's snapshot must
# stay far under that while the writes take it; saves due while one is in
# flight are skipped and counted (a packet thread that waited for its write
# would never find one in flight: with saves blocking, this replay takes many
# minutes and skips none); the writer thread holds no more capabilities
# than the others; the metrics show the three state series; the final save at
# the end is written synchronously and a second run restores it.
# Usage: state_async.sh BUILDDIR
set -uo pipefail
BUILD=$1
. "$(dirname "$0")/../lib.sh"
SENSOR=$BUILD/sensor/vigil-sensor
GEN=$BUILD/tools/vigil-gen
command -v curl >/dev/null || t_skip "no curl"
TMP=$(mktemp -d /tmp/vxs-async.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 143' TERM INT	# a timeout still stops the sensor and cleans up

DELAY_MS=2000
# several seconds of replay through the XDP program (the first slow write
# ends after three): benign traffic, then many small frames
"$GEN" --pcap "$TMP/long.pcap" --phase benign:60 --phase udpflood:120:13000 --seed 4 --quiet
"$GEN" --pcap "$TMP/calm.pcap" --start 1700090000 --phase benign:10 --seed 5 --quiet

port=
for _ in 1 2 3 4 5 6 7 8; do
  p=$((20000 + RANDOM % 40000))
  ss -Hltn "sport = :$p" | grep -q . || { port=$p; break; }
done
[ -n "$port" ] || t_skip "no free TCP port found for metrics"

cat > "$TMP/s.yaml" <<YAML
sensor:
  name: state-async
  home_net: [192.0.2.0/24]
collector:
  endpoint: ""
evidence:
  enabled: false
metrics:
  listen: 127.0.0.1:$port
state:
  path: $TMP/state.bin
  save_s: 1
YAML

# through the XDP program (a syscall a frame): a replay that lasts seconds
VIGIL_TEST_STATE_WRITE_DELAY_MS=$DELAY_MS "$SENSOR" -c "$TMP/s.yaml" -r "$TMP/long.pcap" --replay-xdp \
  > "$TMP/slow.log" 2>&1 &
PID=$!
# while it runs: the writer thread's capabilities and a few scrapes
caps=
for _ in $(seq 1 200); do
  kill -0 "$PID" 2>/dev/null || break
  if [ -z "$caps" ]; then
    for t in /proc/"$PID"/task/*; do
      [ "$(cat "$t/comm" 2>/dev/null)" = vigil-state ] && caps=$(awk '/^CapEff/ {print $2}' "$t/status")
    done
  fi
  curl -s -m 1 "http://127.0.0.1:$port/metrics" > "$TMP/m.new" 2>/dev/null && [ -s "$TMP/m.new" ] &&
    grep -q '^vigil_state_save_seconds [1-9]' "$TMP/m.new" && cp "$TMP/m.new" "$TMP/metrics.txt"
  sleep 0.1
done
wait "$PID"
rc=$?
PID=
t_eq "slow disk: the replay ends normally" "$rc" 0
t_check "slow disk: the test hook is announced in the log" grep -q "VIGIL_TEST_STATE_WRITE_DELAY_MS=$DELAY_MS" "$TMP/slow.log"
# CAP_NET_ADMIN (12) and CAP_BPF (39) only, as every other thread after the drop
t_eq "writer thread vigil-state: only cap_net_admin and cap_bpf" "$caps" "0000008000001000"

line=$(grep "state: saved to $TMP/state.bin" "$TMP/slow.log")
t_check "final save logged" test -n "$line"
written=$(sed -nE 's/.*periodic saves: ([0-9]+) written.*/\1/p' <<<"$line")
failed=$(sed -nE 's/.* ([0-9]+) failed,.*/\1/p' <<<"$line")
skipped=$(sed -nE 's/.* ([0-9]+) skipped while.*/\1/p' <<<"$line")
snap_ms=$(sed -nE 's/.*longest snapshot ([0-9.]+) ms.*/\1/p' <<<"$line")
write_s=$(sed -nE 's/.*longest write ([0-9.]+) s.*/\1/p' <<<"$line")
bytes=$(sed -nE 's/.*sections, ([0-9]+) bytes.*/\1/p' <<<"$line")
echo "# periodic written=$written failed=$failed skipped=$skipped; longest snapshot ${snap_ms} ms, longest write ${write_s} s"
t_check "periodic saves were written during the replay" test "${written:-0}" -ge 1
t_eq "no save failed" "$failed" 0
t_check "saves due while a write was in flight were skipped, not queued" test "${skipped:-0}" -ge 1
t_check "the writes took the slow disk's time (>= $DELAY_MS ms)" \
  awk -v w="${write_s:-0}" -v d="$DELAY_MS" 'BEGIN { exit !(w * 1000 >= d) }'
t_check "the packet thread's snapshot and hand-off stayed under half of it" \
  awk -v s="${snap_ms:-99999}" -v d="$DELAY_MS" 'BEGIN { exit !(s > 0 && s < d / 2) }'

if [ -s "$TMP/metrics.txt" ]; then
  t_check "metrics: vigil_state_save_seconds shows the slow write" \
    awk -v d="$DELAY_MS" '$1 == "vigil_state_save_seconds" { f = ($2 * 1000 >= d) } END { exit !f }' "$TMP/metrics.txt"
  t_check "metrics: vigil_state_snapshot_seconds under half of it" \
    awk -v d="$DELAY_MS" '$1 == "vigil_state_snapshot_seconds" { f = ($2 > 0 && $2 * 1000 < d / 2) } END { exit !f }' "$TMP/metrics.txt"
  t_check "metrics: the receive loop's busy time is exported and moving" \
    awk '$1 == "vigil_poller_busy_seconds_total" { f = ($2 > 0) } END { exit !f }' "$TMP/metrics.txt"
  t_check "metrics: vigil_state_saves_skipped_total and vigil_state_saves_total present" \
    bash -c "grep -q '^vigil_state_saves_skipped_total [0-9]' '$TMP/metrics.txt' && grep -q '^vigil_state_saves_total [1-9]' '$TMP/metrics.txt'"
else
  t_check "metrics: a scrape after the first slow write" false
fi

t_check "the final file is whole: the size the log gave, no temporary left" \
  bash -c "[ \"\$(stat -c %s '$TMP/state.bin')\" = '$bytes' ] && [ ! -e '$TMP/state.bin.tmp' ]"
sed -i '/^metrics:/,/^  listen:/d' "$TMP/s.yaml"
"$SENSOR" -c "$TMP/s.yaml" -r "$TMP/calm.pcap" > "$TMP/calm.log" 2>&1
t_eq "restart: exit 0" "$?" 0
t_check "restart: the final file loads (learned entries restored)" \
  grep -Eq "state: restored [1-9][0-9]* learned entries from $TMP/state.bin" "$TMP/calm.log"
t_check "restart: without the hook, no delay announced" bash -c "! grep -q VIGIL_TEST_STATE '$TMP/calm.log'"
[ "$T_FAIL" -gt 0 ] && tail -n 20 "$TMP"/*.log
t_done

#!/usr/bin/env bash
# contain.sh: containment through a real inline bridge. vigil-sensor runs in
# namespace vxc-br on vxc-be (XDP native, DPDK af_xdp) in inline mode with
# peer vxc-bi, so frames from vxc-ext reach vxc-int only through the XDP
# redirect. Two external hosts send a steady UDP stream to an internal host;
# one of them also port-scans it. The portscan detector has `action: block`:
# after its alert (alert.action "blocked") the attacker's frames stop arriving
# in vxc-int while the other host's keep flowing, and they come back when
# sensor.block_ttl_s ends. SIGTERM then saves the learned state and lifts the
# blocks. Frames are counted by a packet socket in vxc-int.
# Usage: contain.sh BUILDDIR
set -uo pipefail
BUILD=$1
. "$(dirname "$0")/../lib.sh"
t_need_root
command -v ip >/dev/null || t_skip "no iproute2"
command -v jq >/dev/null || t_skip "no jq"
SENSOR=$BUILD/sensor/vigil-sensor
GEN=$BUILD/tools/vigil-gen
TMP=$(mktemp -d /tmp/vxc-contain.XXXXXX)
ATT=198.51.100.66
OTH=198.51.100.7
VIC=192.0.2.10
TTL=8
SENSOR_PID= SNIFF_PID= SEND_PID=

cleanup() {
  [ -n "$SEND_PID" ] && kill "$SEND_PID" 2>/dev/null
  [ -n "$SNIFF_PID" ] && kill "$SNIFF_PID" 2>/dev/null
  if [ -n "$SENSOR_PID" ]; then
    kill -TERM "$SENSOR_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SENSOR_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SENSOR_PID" 2>/dev/null
  fi
  wait 2>/dev/null
  for n in vxc-ext vxc-br vxc-int; do ip netns del "$n" 2>/dev/null; done
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
for n in vxc-ext vxc-br vxc-int; do ip netns del "$n" 2>/dev/null; done

for n in vxc-ext vxc-br vxc-int; do ip netns add "$n" || t_skip "cannot create namespaces"; done
ip -n vxc-br link add vxc-be type veth peer name vxc-e netns vxc-ext || t_skip "no veth"
ip -n vxc-br link add vxc-bi type veth peer name vxc-i netns vxc-int
ip -n vxc-ext addr add $ATT/24 dev vxc-e
ip -n vxc-ext addr add $OTH/24 dev vxc-e
ip -n vxc-int addr add $VIC/24 dev vxc-i
for l in vxc-be vxc-bi; do ip -n vxc-br link set "$l" up; done
ip -n vxc-ext link set vxc-e up
ip -n vxc-int link set vxc-i up
# a veth redirect target delivers to its peer only with NAPI there: GRO on
ip netns exec vxc-int ethtool -K vxc-i gro on >/dev/null 2>&1
ip netns exec vxc-ext ethtool -K vxc-e gro on >/dev/null 2>&1
MAC_I=$(ip -n vxc-int -j link show vxc-i | jq -r '.[0].address')
MAC_E=$(ip -n vxc-ext -j link show vxc-e | jq -r '.[0].address')

# frames arriving in vxc-int: one line "time source" per UDP/TCP frame from outside
ip netns exec vxc-int /usr/bin/python3 -u -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind(("vxc-i", 0))
out = open(sys.argv[1], "w", buffering=1)
while True:
    f = s.recv(2048)
    if len(f) >= 34 and f[23] in (6, 17) and f[26] == 198:
        out.write("%.3f %s\n" % (time.time(), socket.inet_ntoa(f[26:30])))
' "$TMP/arrivals" &
SNIFF_PID=$!

cat > "$TMP/sensor.yaml" <<YAML
sensor:
  name: vxc-contain
  mode: inline
  interfaces: [vxc-be]
  peer_interface: vxc-bi
  home_net: [192.0.2.0/24]
  block_ttl_s: $TTL
  never_block: [198.51.100.200/32]
dpdk:
  hugepages: false
xdp:
  handoff: first_n      # inline: the first frame of each flow to the detectors, the rest forwarded
  handoff_n: 1
collector:
  endpoint: ""
evidence:
  enabled: false
state:
  path: $TMP/state.bin
detectors:
  portscan:
    action: block
YAML
# ip netns exec remounts /sys for the namespace: bpffs (the pinned flow table) is mounted again there
ip netns exec vxc-br sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$@"' sh \
  "$SENSOR" -c "$TMP/sensor.yaml" --alerts-json "$TMP/alerts.json" > "$TMP/sensor.log" 2>&1 &
SENSOR_PID=$!
up_or_gone() { grep -q "watching" "$TMP/sensor.log" || ! kill -0 "$SENSOR_PID" 2>/dev/null; }
t_wait_for 30 up_or_gone
if ! grep -q "watching" "$TMP/sensor.log"; then
  cat "$TMP/sensor.log"
  grep -q "Operation not supported" "$TMP/sensor.log" && t_skip "no native XDP / AF_XDP on veth"
  t_check "sensor attached inline to vxc-be" false
  t_done
  exit 1
fi
t_check "sensor attached inline to vxc-be" grep -q "inline mode" "$TMP/sensor.log"

# steady UDP from both external hosts to the victim, 50 frames/s each, for at most 90 s
ip netns exec vxc-ext /usr/bin/python3 -c '
import socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack("!10H", b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def frame(src, dst, sport):
    udp = struct.pack("!HHHH", sport, 9999, 8 + 18, 0) + b"vxc steady traffic"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return bytes.fromhex(sys.argv[2].replace(":", "")) + bytes.fromhex(sys.argv[1].replace(":", "")) + b"\x08\x00" + ip + udp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vxc-e", 0))
a, b = frame(sys.argv[3], sys.argv[5], 40001), frame(sys.argv[4], sys.argv[5], 40002)
end = time.time() + 90
while time.time() < end:
    s.send(a); s.send(b)
    time.sleep(0.02)
' "$MAC_E" "$MAC_I" "$ATT" "$OTH" "$VIC" &
SEND_PID=$!

count() { # source from to: frames from source that arrived between the two times
  awk -v s="$1" -v a="$2" -v b="$3" '$2 == s && $1 >= a && $1 < b { n++ } END { print n + 0 }' "$TMP/arrivals"
}
now() { date +%s.%N; }

sleep 3
T0=$(now); sleep 2; T1=$(now)
A_BEFORE=$(count $ATT "$T0" "$T1")
O_BEFORE=$(count $OTH "$T0" "$T1")
t_check "before: the attacker's stream crosses the bridge ($A_BEFORE frames in 2 s)" test "$A_BEFORE" -ge 50
t_check "before: the other host's stream crosses the bridge ($O_BEFORE frames in 2 s)" test "$O_BEFORE" -ge 50

ip netns exec vxc-ext "$GEN" --iface vxc-e --dst-mac "$MAC_I" --attacker $ATT --victim $VIC \
  --internal 192.0.2.0/24 --external 198.51.100.0/24 --phase portscan:2:200 --seed 7 --quiet > "$TMP/gen.log" 2>&1
t_check "portscan: an alert that says blocked" t_wait_for 10 bash -c \
  "jq -s -e 'map(select(.vigil.detector==\"portscan\" and .vigil.state==\"start\" and .src_ip==\"$ATT\" and .alert.action==\"blocked\")) | length == 1' '$TMP/alerts.json' >/dev/null 2>&1"
t_check "the sensor logged the block with its TTL" grep -q "containment: blocked $ATT/32 for $TTL s (portscan incident" "$TMP/sensor.log"
sleep 0.5
T2=$(now); sleep 3; T3=$(now)
A_BLOCKED=$(count $ATT "$T2" "$T3")
O_BLOCKED=$(count $OTH "$T2" "$T3")
t_eq "blocked: nothing from the attacker reaches the internal host" "$A_BLOCKED" 0
t_check "blocked: the other host flows on ($O_BLOCKED frames in 3 s)" test "$O_BLOCKED" -ge 75

t_check "TTL: the block is lifted" t_wait_for $(( TTL + 10 )) grep -q "containment: unblocked $ATT/32 (TTL ended)" "$TMP/sensor.log"
sleep 0.5
T4=$(now); sleep 2; T5=$(now)
A_AFTER=$(count $ATT "$T4" "$T5")
O_AFTER=$(count $OTH "$T4" "$T5")
t_check "after the TTL: the attacker's stream resumes ($A_AFTER frames in 2 s)" test "$A_AFTER" -ge 50
t_check "after the TTL: the other host still flows ($O_AFTER frames in 2 s)" test "$O_AFTER" -ge 50
t_eq "one block in all, no error" "$(grep -c 'containment: blocked' "$TMP/sensor.log"):$(grep -c ': error:' "$TMP/sensor.log")" "1:0"

kill -TERM "$SENSOR_PID"
t_check "SIGTERM: the sensor stops" t_wait_for 20 bash -c "! kill -0 $SENSOR_PID 2>/dev/null"
wait "$SENSOR_PID"
t_eq "SIGTERM: exit status" "$?" 0
SENSOR_PID=
t_check "SIGTERM: learned state saved" bash -c "grep -q 'state: saved to $TMP/state.bin' '$TMP/sensor.log' && test -s '$TMP/state.bin'"
if [ "$T_FAIL" -gt 0 ]; then
  echo "--- sensor log"; cat "$TMP/sensor.log"; echo "--- alerts"; cat "$TMP/alerts.json" 2>/dev/null
fi
t_done

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# flowmap_live.sh: the shared flow table live, and a restart that changes the
# table kind. On the namespace topology of scripts/lib/topo.sh (a mirrored,
# single-queue veth carries vigil's XDP program natively), with the pins on a
# private bpffs mount:
#  1. xdp.flow_map: shared, stay_attached: a UDP flow of N datagrams is written
#     with exactly N packets and N frame lengths of bytes; the pin is an LRU_HASH.
#  2. restart with percpu (force: the program is still attached): the sensor
#     logs that it replaced the pinned table, counts the next N datagrams
#     exactly, and on exit leaves no program and no pin behind.
# Usage: flowmap_live.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
# shellcheck source=../../scripts/lib/topo.sh
. "$SRC/scripts/lib/topo.sh"
t_need_root
command -v bpftool > /dev/null || t_skip "no bpftool"
P=vxm$$
P=${P:0:8}
N=25
PAYLOAD=100
FRAME=$((14 + 20 + 8 + PAYLOAD))
TMP=$(mktemp -d /tmp/vxm-live.XXXXXX)
BPFFS=$TMP/bpffs
SENSOR_PID=

cleanup() {
  [ -n "$SENSOR_PID" ] && kill -TERM "$SENSOR_PID" 2>/dev/null && sleep 1 && kill -KILL "$SENSOR_PID" 2>/dev/null
  wait 2>/dev/null
  ip link set dev "${P}t1" xdp off 2>/dev/null
  topo_down
  umount "$BPFFS" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

topo_up || t_skip "cannot build the namespace topology (ip netns / veth / tc mirred)"
IFACE=$(topo_sensor_if)
mkdir -p "$BPFFS"
mount -t bpf bpf "$BPFFS" || t_skip "cannot mount a bpffs"

config() { # kind stay_attached force
  cat <<YAML
sensor:
  name: flowmap
  interfaces: [$IFACE]
xdp:
  flow_map: $1
  stay_attached: $2
  force: $3
  pin_dir: $BPFFS/vigil
collector:
  endpoint: ""
evidence:
  enabled: false
YAML
}

# run kind stay force: start the sensor, N datagrams, stop it; its flows in $TMP/$kind.flows
run() {
  local kind=$1
  config "$1" "$2" "$3" > "$TMP/$kind.yaml"
  "$BUILD/sensor/vigil-sensor" -c "$TMP/$kind.yaml" --flows-json "$TMP/$kind.flows" \
    > "$TMP/$kind.log" 2>&1 &
  SENSOR_PID=$!
  if ! t_wait_for 20 grep -q "watching" "$TMP/$kind.log"; then
    cat "$TMP/$kind.log"
    t_check "$kind: sensor attached" false
    return 1
  fi
  t_check "$kind: sensor attached" true
  # from one source port, so one flow (the victim's port-unreachable replies are another)
  ip netns exec "${P}ext" /usr/bin/python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$TOPO_EXT_IP', 40009))
for _ in range($N):
    s.sendto(b'v' * $PAYLOAD, ('$TOPO_VICTIM', 9))
    time.sleep(0.01)
"
  sleep 0.5
  kill -TERM "$SENSOR_PID"
  t_wait_for 15 bash -c "! kill -0 $SENSOR_PID 2>/dev/null"
  wait "$SENSOR_PID"
  t_eq "$kind: exit status" "$?" 0
  SENSOR_PID=
}

udp_flow() { # flows file: "packets bytes" each way of the UDP flow to the victim's port 9
  jq -s -r "[.[] | select(.proto==\"UDP\" and .dest_ip==\"$TOPO_VICTIM\" and .dest_port==9)]
    | [(map(.flow.pkts_toserver) | add), (map(.flow.bytes_toserver) | add),
       (map(.flow.pkts_toclient) | add), (map(.flow.bytes_toclient) | add)] | map(tostring) | join(\" \")" "$1"
}

run shared true false
t_check "shared: the table is the shared one" grep -q "flow table: shared (LRU_HASH)" "$TMP/shared.log"
t_eq "shared: UDP flow, packets and bytes each way" "$(udp_flow "$TMP/shared.flows")" "$N $((N * FRAME)) 0 0"
t_check "shared: the pin stayed and is an LRU_HASH" \
  bash -c "bpftool map show pinned $BPFFS/vigil/$IFACE/flows | grep -q 'lru_hash'"

run percpu false true
t_check "percpu: replaced the pinned shared table, and said so" \
  grep -q "the pinned one was of the other kind; replaced by a new per-CPU table" "$TMP/percpu.log"
t_eq "percpu: UDP flow, packets and bytes each way" "$(udp_flow "$TMP/percpu.flows")" "$N $((N * FRAME)) 0 0"
t_check "percpu: no program left on $IFACE" bash -c "! ip -d link show $IFACE | grep -q 'prog/xdp '"
t_check "percpu: no pin left" test ! -e "$BPFFS/vigil/$IFACE/flows"
t_check "no error in the logs" bash -c "! grep -q ': error:' $TMP/shared.log $TMP/percpu.log"
t_done

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Load vigil.bpf.o the way the DPDK af_xdp PMD does, attach it natively to one end
# of a veth pair between two throwaway namespaces, send UDP from the other end,
# check the flow, detach. Pins go to a private bpffs mount. Everything is removed
# on exit, also on failure.
# usage: xdp_attach.sh HELPER OBJ
set -u
HELPER=$1
OBJ=$2
NS1=vgx1-$$
NS2=vgx2-$$
LOCAL=10.250.0.1
PEER=10.250.0.2
COUNT=5
BPFFS=

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
if ! command -v ip >/dev/null 2>&1; then echo "SKIP: no ip(8)"; exit 77; fi

cleanup() {
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	if [ -n "$BPFFS" ]; then
		umount "$BPFFS" 2>/dev/null
		rmdir "$BPFFS" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL $*"; exit 1; }

BPFFS=$(mktemp -d /tmp/vigil-bpffs.XXXXXX) || fail "mktemp"
mount -t bpf bpf "$BPFFS" || fail "mount bpffs"
PIN=$BPFFS/vigil

ip netns add "$NS1" || fail "netns $NS1"
ip netns add "$NS2" || fail "netns $NS2"
ip link add vga netns "$NS1" type veth peer name vgb netns "$NS2" || fail "veth"
ip -n "$NS1" addr add "$LOCAL/24" dev vga || fail "addr"
ip -n "$NS2" addr add "$PEER/24" dev vgb || fail "addr"
ip -n "$NS1" link set vga up || fail "up"
ip -n "$NS2" link set vgb up || fail "up"

ip netns exec "$NS1" "$HELPER" attach "$OBJ" vga "$PIN" || exit 1
ip -n "$NS1" link show vga | grep -q 'xdp ' || fail "ip link shows no native xdp on vga"
echo "ok   ip link: $(ip -n "$NS1" -d link show vga | grep -o 'prog/xdp id [0-9]*')"
ip netns exec "$NS2" "$HELPER" send "$LOCAL" "$COUNT" || exit 1
ip netns exec "$NS1" "$HELPER" check vga "$LOCAL" "$PEER" "$COUNT" "$PIN" || exit 1
ip netns exec "$NS1" "$HELPER" detach vga "$PIN" || exit 1
echo "1 passed, 0 failed"

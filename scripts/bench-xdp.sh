#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-xdp.sh: how fast vigil's XDP program counts, against yardsticks measured
# in the same run (XDP_PASS and a minimal 5-tuple LRU counter). Not a test: it
# prints a table and, last, 'hit_ratio=<x> steady_mpps=<y> flood_mpps=<z>'.
#
# Usage: scripts/bench-xdp.sh [BUILDDIR]   (root; env REPEAT, NEWFLOWS, FRAMES)
# 1. BPF_PROG_TEST_RUN, repeat >= 1,000,000: hit paths (IPv4, 802.1Q, IPv6 with
#    extension headers), the new-flow path with the gate off and closed.
# 2. live: in namespace vx3-bench, a veth pair vx3-gen <-> vx3-rx (one queue);
#    a BPF_F_TEST_XDP_LIVE_FRAMES generator transmits out of vx3-gen, the
#    program under test runs natively on vx3-rx: 10,000 steady flows, then a
#    random-source flood (every frame a new flow) with the gate on and off.
# The IPv4 hit path, the new-flow path and the 10,000-flow live run are also
# measured on the shared flow table (xdp.flow_map: shared), against the same
# reference; the last line stays on the default per-CPU table.
# Figures on a shared machine are pessimistic; the ratios are what carries over.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
BENCH=$BUILD/ebpf/vigil-bench-xdp
VOBJ=$BUILD/ebpf/vigil.bpf.o
BOBJ=$BUILD/ebpf/bench_xdp.bpf.o
REPEAT=${REPEAT:-1000000}
NEWFLOWS=${NEWFLOWS:-200000}
FRAMES=${FRAMES:-20000000}
NS=${BENCH_NS:-vx3-bench}   # a namespace of its own (env BENCH_NS)

for f in "$BENCH" "$VOBJ" "$BOBJ"; do
  [ -e "$f" ] || { echo "bench-xdp: $f missing (ninja -C $BUILD)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench-xdp: needs root (BPF_PROG_TEST_RUN, namespaces)" >&2; exit 1; }

cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add "$NS"
ip -n "$NS" link add vx3-gen numtxqueues 1 numrxqueues 1 type veth peer name vx3-rx \
  numtxqueues 1 numrxqueues 1
ip -n "$NS" link set vx3-gen up
ip -n "$NS" link set vx3-rx up

echo "vigil XDP benchmark, $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "clock source: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)"
ip netns exec "$NS" "$BENCH" "$VOBJ" "$BOBJ" "$REPEAT" "$NEWFLOWS" live vx3-gen vx3-rx "$FRAMES"

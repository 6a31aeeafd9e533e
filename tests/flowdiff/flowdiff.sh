#!/usr/bin/env bash
# flowdiff.sh: the differential test of the XDP program and its user-space
# build (test_flowdiff.c) over every capture of the shared corpus's flow/
# folder (../shared/pcaps/flow/**, tcpdump's robustness set included), or,
# on a machine without the shared folder, over the copies in tests/data.
# Usage: flowdiff.sh SRCDIR BUILDDIR   (root: BPF_PROG_TEST_RUN)
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
t_need_root
# the shared folder sits beside the checkout (/work/main -> /work/shared) or
# beside the worktrees' folder (/work/wt/NAME -> /work/shared)
SHARED=${VIGIL_SHARED_PCAPS:-}
for d in "$SRC/../shared/pcaps" "$SRC/../../shared/pcaps"; do
  [ -z "$SHARED" ] && [ -d "$d/flow" ] && SHARED=$d
done
if [ -n "$SHARED" ]; then
  set -- "$SHARED/flow"
  echo "captures: $SHARED/flow (every subfolder)"
else
  set -- "$SRC/tests/data/captures/flow" "$SRC/tests/data/captures/robustness" \
    "$SRC/tests/data/captures/attack"
  echo "captures: no shared corpus beside $SRC (set VIGIL_SHARED_PCAPS): the copies in tests/data"
fi
TMP=$(mktemp -d /tmp/vigil-flowdiff.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
timeout 280 "$BUILD/tests/flowdiff/test_flowdiff" "$BUILD/ebpf/vigil.bpf.o" "$@" > "$TMP/out" 2>&1
rc=$?
grep -v '^ok' "$TMP/out" | tail -40
t_eq "every capture: the same verdicts, counters and flow records in XDP and in user space" "$rc" 0
t_check "the comparison ran over captures" grep -q "^flowdiff: [1-9][0-9]* captures" "$TMP/out"
# the control: user space keying tunnels by their inner header, the kernel not,
# must be caught, naming the capture and the frame
TUN=$SRC/tests/data/captures/flow/sv_tunnel-pkt-flows.pcap
"$BUILD/tests/flowdiff/test_flowdiff" -x "$BUILD/ebpf/vigil.bpf.o" "$TUN" > "$TMP/ctl" 2>&1
rc=$?
cat "$TMP/ctl"
t_eq "control: a difference fails the test" "$rc" 1
t_check "control: the failure names the capture and its first differing frame" \
  grep -q "^FAIL $TUN \[.*\]: first differing frame [0-9]* of [0-9]*: " "$TMP/ctl"
t_done

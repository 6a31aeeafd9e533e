#!/usr/bin/env bash
# xdp_inline.sh: inline mode as a bump in the wire. Namespaces vx3-ia and
# vx3-ib talk through vx3-im, whose two ports run vigil natively in inline mode,
# each redirecting to the other (vg_peer devmap). UDP echoes must cross both
# ways and be accounted; then a blocklisted prefix must stop them, counted.
# Usage: xdp_inline.sh HELPER VIGIL_OBJ
set -uo pipefail
HELPER=$1
OBJ=$2
. "$(dirname "$0")/../lib.sh"
t_need_root
command -v ip >/dev/null || t_skip "no iproute2"
FIFO=$(mktemp -u /tmp/vx3-inline.XXXXXX)
cleanup() {
  [ -n "${HPID:-}" ] && kill "$HPID" 2>/dev/null
  for n in vx3-ia vx3-ib vx3-im; do ip netns del "$n" 2>/dev/null; done
  rm -f "$FIFO" "$FIFO.out"
}
trap cleanup EXIT
cleanup
for n in vx3-ia vx3-ib vx3-im; do ip netns add "$n" || t_skip "cannot create namespaces"; done
ip -n vx3-im link add vx3-ma type veth peer name vx3-a netns vx3-ia
ip -n vx3-im link add vx3-mb type veth peer name vx3-b netns vx3-ib
ip -n vx3-ia addr add 10.93.0.1/24 dev vx3-a
ip -n vx3-ib addr add 10.93.0.2/24 dev vx3-b
for l in vx3-ma vx3-mb; do ip -n vx3-im link set "$l" up; done
ip -n vx3-ia link set vx3-a up
ip -n vx3-ib link set vx3-b up
# a veth redirect target delivers to its peer only with NAPI there (GRO on);
# and a redirected frame keeps a checksum the sender left to "hardware" (tx off)
for e in "vx3-ia vx3-a" "vx3-ib vx3-b"; do
  set -- $e
  ip netns exec "$1" ethtool -K "$2" gro on tx off >/dev/null 2>&1
done

run_bump() { # block-prefix-or-empty: starts the helper, leaves HPID
  mkfifo "$FIFO"
  ip netns exec vx3-im "$HELPER" "$OBJ" vx3-ma vx3-mb $1 < "$FIFO" > "$FIFO.out" 2>&1 &
  HPID=$!
  exec 9> "$FIFO"
  for _ in $(seq 50); do grep -q "ready\|error" "$FIFO.out" 2>/dev/null && break; sleep 0.1; done
}
stop_bump() {

  echo done >&9
  exec 9>&-
  wait "$HPID"
  HPID=
  rm -f "$FIFO"
  [ -z "${VX3_DEBUG:-}" ] || cat "$FIFO.out" >&2
}
echoes() { # n: UDP datagrams from vx3-ia echoed back by vx3-ib; 0 if all came back
  ip netns exec vx3-ib /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.93.0.2", 7007)); s.settimeout(5)
open(sys.argv[2], "w").close()
try:
    for _ in range(int(sys.argv[1])):
        d, a = s.recvfrom(100); s.sendto(d, a)
except socket.timeout:
    pass' "$1" "$FIFO.srv" &
  local srv=$!
  for _ in $(seq 100); do [ -e "$FIFO.srv" ] && break; sleep 0.1; done
  rm -f "$FIFO.srv"
  ip netns exec vx3-ia /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
got = 0
for i in range(int(sys.argv[1])):
    s.sendto(b"vx3 %d" % i, ("10.93.0.2", 7007))
    try:
        got += s.recvfrom(100)[0] == b"vx3 %d" % i
    except socket.timeout:
        pass
sys.exit(0 if got == int(sys.argv[1]) else 1)' "$1"
  local rc=$?
  wait "$srv"
  return $rc
}
stat_of() { # port stat
  sed -n "s/^$1 .* $2=\([0-9]*\).*/\1/p" "$FIFO.out"
}

run_bump ""
if ! grep -q ready "$FIFO.out"; then
  cat "$FIFO.out"
  grep -q "Operation not supported\|Invalid argument" "$FIFO.out" && t_skip "no native XDP on veth"
fi
t_check "bump attached on both ports" grep -q ready "$FIFO.out"
echoes 5
t_eq "UDP echoes cross the bump both ways" "$?" 0
stop_bump
t_check "port a redirected frames to its peer" test "$(stat_of vx3-ma redirect)" -ge 5
t_check "port b redirected frames to its peer" test "$(stat_of vx3-mb redirect)" -ge 5
t_check "port a accounted the echo requests" test "$(stat_of vx3-ma accounted)" -ge 5
t_eq "nothing blocked" "$(stat_of vx3-ma blocked)" 0

run_bump "10.93.0.2/32"
echoes 3
t_check "blocklisted destination: no echo" test "$?" -ne 0
stop_bump
t_check "port a dropped and counted the blocked echo requests" \
  test "$(stat_of vx3-ma blocked)" -ge 3
t_done

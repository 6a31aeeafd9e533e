# shellcheck shell=bash
# topo.sh: the small network vigil's demo and netns tests run on, all inside
# namespaces this script makes and removes:
#
#   [ns ${P}ext] eth0 198.51.100.66/24 ----veth---- eth0 192.0.2.10-20/24 [ns ${P}int]
#                                                       | tc mirred (ingress+egress)
#                                                      tap0 ----veth---- ${P}t1 (root ns)
#                                                                         ^ the sensor's port
#
# The external host's traffic to the internal hosts is mirrored, as a switch's
# SPAN port would, onto a single-queue veth whose root-namespace end carries
# vigil's XDP program in native mode. Addresses are documentation prefixes
# (RFC 5737) that exist only inside these namespaces.
#
# Usage: source this file, set P (a short prefix, e.g. vgt1), call topo_up;
# topo_down removes everything, whatever state it is in.

TOPO_EXT_IP=198.51.100.66
TOPO_INT_NET=192.0.2
TOPO_VICTIM=192.0.2.10

topo_down() {
  ip netns del "${P}ext" 2>/dev/null || true
  ip netns del "${P}int" 2>/dev/null || true
  ip link del "${P}t1" 2>/dev/null || true
  rm -rf "/sys/fs/bpf/vigil/${P}t1" 2>/dev/null || true
  rmdir /sys/fs/bpf/vigil 2>/dev/null || true
}

topo_up() {
  topo_down
  ip netns add "${P}ext"
  ip netns add "${P}int"
  ip link add "${P}e" type veth peer name "${P}i"
  ip link set "${P}e" netns "${P}ext"
  ip link set "${P}i" netns "${P}int"
  ip -n "${P}ext" link set "${P}e" name eth0
  ip -n "${P}int" link set "${P}i" name eth0
  ip -n "${P}ext" link set lo up
  ip -n "${P}int" link set lo up
  ip -n "${P}ext" addr add "${TOPO_EXT_IP}/24" dev eth0
  ip -n "${P}ext" link set eth0 up
  ip -n "${P}ext" route add "${TOPO_INT_NET}.0/24" dev eth0
  local h
  for h in $(seq 10 20); do
    ip -n "${P}int" addr add "${TOPO_INT_NET}.${h}/24" dev eth0
  done
  ip -n "${P}int" link set eth0 up
  ip -n "${P}int" route add 198.51.100.0/24 dev eth0

  # the tap: a single-queue veth so every frame reaches queue 0 (the AF_XDP socket's)
  ip link add "${P}t0" numtxqueues 1 numrxqueues 1 type veth peer name "${P}t1" numtxqueues 1 numrxqueues 1
  ip link set "${P}t0" netns "${P}int"
  ip -n "${P}int" link set "${P}t0" name tap0
  ip -n "${P}int" link set tap0 up
  ip link set "${P}t1" up
  ip -n "${P}int" link set eth0 promisc on
  tc -n "${P}int" qdisc add dev eth0 clsact
  tc -n "${P}int" filter add dev eth0 ingress protocol all u32 match u32 0 0 action mirred egress mirror dev tap0
  tc -n "${P}int" filter add dev eth0 egress protocol all u32 match u32 0 0 action mirred egress mirror dev tap0
}

# MAC address of an interface in a namespace
topo_mac() {
  ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

topo_sensor_if() {
  echo "${P}t1"
}

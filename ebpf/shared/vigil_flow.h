/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * vigil_flow.h: the one header shared by the XDP program and user space.
 *
 * Only <linux/types.h>, fixed-width fields and explicit padding, so that a
 * 32-bit ARM user space agrees with the 64-bit BPF layout; the loader checks
 * every size with _Static_assert. Byte order is stated per field.
 *
 * Map layout (names are what user space finds on the attached program):
 *   vg_cfg      ARRAY[1] of struct vigil_xdp_cfg        written by the sensor
 *   vg_stats    PERCPU_ARRAY[1] of struct vigil_stats   counters by reason
 *   vg_flows_o  ARRAY_OF_MAPS[1] -> LRU_PERCPU_HASH     struct vigil_flow_key ->
 *                                                       struct vigil_flow
 *   vg_flows_s  ARRAY_OF_MAPS[1] -> LRU_HASH            the same, one copy shared by
 *                                                       the CPUs (xdp.flow_map: shared);
 *                                                       used when vg_flows_o is empty
 *   xsks_map    XSKMAP                                  AF_XDP sockets by rx queue
 *   vg_block    LPM_TRIE of struct vigil_block_key ->   the blocklist (containment):
 *               struct vigil_block                      hits are dropped and counted
 *   vg_peer     DEVMAP[1]                               inline mode: the peer port
 *   vg_gate     PERCPU_ARRAY[1] of struct vigil_gate    new-flow admission state
 * The flow table is an inner map so that user space creates it with the size
 * from the config, pins it under /sys/fs/bpf/vigil/<ifname>/ and hands the
 * same table to a new program after a restart, whoever loaded the program
 * (the DPDK af_xdp PMD loads it in live mode).
 */
#ifndef VIGIL_FLOW_H
#define VIGIL_FLOW_H

#include <linux/types.h>

#define VIGIL_META_MAGIC 0x5647u /* "VG" */

/*
 * struct vigil_xdp_meta: put in front of the frame as XDP metadata (data_meta)
 * by the replay path when it runs the program through BPF_PROG_TEST_RUN, so the
 * capture's timestamp replaces the kernel clock and replay equals live.
 * Host byte order. Absent on live traffic (data_meta == data).
 */
struct vigil_xdp_meta {
	__u64 ts_ns;	/* in: capture time, ns since the Unix epoch */
	__u16 magic;	/* in: VIGIL_META_MAGIC, else the block is ignored */
	__u16 flags;	/* out: VIGIL_META_F_* set by the program */
	__u32 wire_len;	/* in: length to count for the frame (the original frame's
			 * length on the wire), 0: the frame's length as given */
};

enum vigil_meta_flag {
	VIGIL_META_F_HANDOFF = 1,	/* the program would hand this frame to the XSK */
	VIGIL_META_F_ACCOUNTED = 2,	/* the frame was accounted into a flow */
	VIGIL_META_F_BLOCKED = 4,	/* the frame matched the blocklist */
	VIGIL_META_F_GATED = 8,		/* counted in a per-destination aggregate (gate closed) */
	VIGIL_META_F_INNER = 16,	/* keyed by a tunnel's inner header */
};

/* What the program decided for a frame (flow.h's vigil_frame); vigil_xdp turns it
 * into an XDP action, the user-space build returns it (vigil_user_frame). */
enum vigil_verdict {
	VIGIL_VERDICT_DROP = 0,		/* tap: accounted, then dropped */
	VIGIL_VERDICT_PASS = 1,		/* inline: up the stack */
	VIGIL_VERDICT_PEER = 2,		/* inline with a peer port: out of it */
	VIGIL_VERDICT_XSK = 3,		/* handed to user space (no socket: the mode's fallback) */
	VIGIL_VERDICT_BLOCKED = 4,	/* on the blocklist: dropped in any mode, in no flow */
};

enum vigil_dir {
	VIGIL_DIR_AB = 0,	/* from (addr_a, port_a) to (addr_b, port_b) */
	VIGIL_DIR_BA = 1,
};

/*
 * struct vigil_flow_key: bidirectional, canonical order: (addr_a, port_a) is the
 * smaller of the two endpoints compared as bytes of the address then the port.
 * Addresses in network byte order; IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d).
 * Ports in host byte order. ICMP/ICMPv6 use Zeek's convention (docs/flows.md):
 * the port of the sender = its type, the other = the paired type or the code.
 */
struct vigil_flow_key {
	__u8 addr_a[16];
	__u8 addr_b[16];
	__u16 port_a;
	__u16 port_b;
	__u8 proto;	/* IP protocol number */
	__u8 ip_ver;	/* 4 or 6 */
	__u16 flags;	/* enum vigil_key_flag */
};

enum vigil_key_flag {
	/* a per-destination aggregate: addr_a and port_a are zero, addr_b/port_b
	 * the destination; holds the frames of new flows the gate did not admit */
	VIGIL_KEY_F_AGGREGATE = 1,
};

/*
 * struct vigil_flow: one per CPU per flow (LRU per-CPU hash), user space sums the
 * CPUs: packets and bytes add, first/last take min/max, flags OR. Or one per flow
 * for all CPUs (the shared LRU hash): counters are atomic adds there, so every
 * field the CPUs add to is a naturally aligned __u32 or __u64. Times are ns on
 * the program's clock: CLOCK_MONOTONIC live (to the scheduler tick unless
 * VIGIL_CFG_F_PRECISE_TIME), capture time in replay.
 * Bytes are whole frame lengths as XDP sees them (bpf_xdp_get_buff_len), or in
 * replay the original frame's length on the wire (struct vigil_xdp_meta.wire_len).
 */
struct vigil_flow {
	__u64 first_ns;
	__u64 last_ns;
	__u64 pkts[2];		/* indexed by enum vigil_dir */
	__u64 bytes[2];
	__u32 min_len;
	__u32 max_len;
	__u32 syn;		/* TCP segments with SYN set, both directions */
	__u32 fin;
	__u32 rst;
	__u32 handed;		/* frames of this flow handed to the XSK */
	__u16 vlan_id;		/* outer VLAN id of the first frame, 0 if untagged */
	__u8 tcp_flags[2];	/* OR of TCP flags seen, by enum vigil_dir */
	__u8 initiator;		/* enum vigil_dir of the first frame this CPU saw */
	__u8 pad[3];
};

enum vigil_mode {
	VIGIL_MODE_TAP = 0,	/* account, then drop: the port carries a copy */
	VIGIL_MODE_INLINE = 1,	/* account, then pass, or redirect to vg_peer[0]
				 * when VIGIL_CFG_F_PEER is set (bump in the wire) */
};

enum vigil_handoff {
	VIGIL_HANDOFF_ALL = 0,	/* every frame to the XSK */
	VIGIL_HANDOFF_NONE = 1,	/* count only */
	VIGIL_HANDOFF_FIRST_N = 2,	/* the first handoff_n frames of each flow */
	VIGIL_HANDOFF_SAMPLE = 3,	/* one frame in handoff_n */
};

/* struct vigil_xdp_cfg: vg_cfg[0], host byte order; all zero is a sane default. */
struct vigil_xdp_cfg {
	__u32 mode;		/* enum vigil_mode */
	__u32 handoff;		/* enum vigil_handoff */
	__u32 handoff_n;
	__u32 flags;		/* enum vigil_cfg_flag */
	__u64 new_flow_ns;	/* gate: ns between admitted new flows per CPU (1e9 / rate);
				 * 0: every new flow is inserted */
};

enum vigil_cfg_flag {
	VIGIL_CFG_F_TUNNEL_INNER = 1,	/* key GRE/VXLAN/Geneve/IP-in-IP flows by the inner header */
	VIGIL_CFG_F_BLOCKLIST = 2,	/* vg_block holds prefixes: look frames up */
	VIGIL_CFG_F_PEER = 4,		/* inline: redirect to vg_peer[0] instead of passing */
	VIGIL_CFG_F_PRECISE_TIME = 8,	/* live timestamps from bpf_ktime_get_ns, not the
					 * tick-grained bpf_ktime_get_coarse_ns */
};

/* vg_block key: IPv4 as IPv4-mapped IPv6, so prefixlen is 96 + the IPv4 length */
struct vigil_block_key {
	__u32 prefixlen;	/* host byte order, 0..128 (the LPM trie's rule) */
	__u8 addr[16];		/* network byte order */
};

/* vg_block value: shared by all CPUs, updated atomically */
struct vigil_block {
	__u64 hits;		/* frames dropped because a source or destination matched */
};

/* vg_gate[0], per CPU: a GCRA (virtual scheduling) gate on new-flow inserts.
 * burst: VIGIL_GATE_BURST_NS worth of inserts may come at once */
struct vigil_gate {
	__u64 tat;		/* theoretical arrival time of the next insert, ns */
};

#define VIGIL_GATE_BURST_NS 1000000000ull

/* Per-CPU counters, vg_stats[reason]. Every frame lands in exactly one outcome:
 * ACCOUNTED, NON_IP, BAD_ETH, BAD_VLAN, BAD_IP4, BAD_IP6, NO_FLOW_MAP,
 * FLOW_INSERT_FAIL or BLOCKED. The rest are extra detail: BAD_L4, BAD_IP6_EXT and
 * FRAGMENT frames are still keyed (BAD_L4 with the ports if present, BAD_IP6_EXT
 * without) and so also land in one of the outcomes; GATED and TUNNEL_INNER
 * frames are also ACCOUNTED. */
enum vigil_stat {
	VIGIL_STAT_FRAMES = 0,		/* every frame the program saw */
	VIGIL_STAT_BYTES,		/* their lengths */
	VIGIL_STAT_ACCOUNTED,		/* added to a flow */
	VIGIL_STAT_NON_IP,		/* valid frame without IPv4/IPv6 (ARP, LLDP, ...) */
	VIGIL_STAT_BAD_ETH,		/* shorter than an Ethernet header */
	VIGIL_STAT_BAD_VLAN,		/* truncated VLAN tag or more tags than supported */
	VIGIL_STAT_BAD_IP4,		/* truncated IPv4 header, IHL < 5, or version != 4 */
	VIGIL_STAT_BAD_IP6,		/* truncated IPv6 header */
	VIGIL_STAT_BAD_IP6_EXT,		/* truncated or too deep IPv6 extension chain (keyed without ports) */
	VIGIL_STAT_BAD_L4,		/* truncated TCP/UDP/SCTP/DCCP/ICMP header (ports kept if present) */
	VIGIL_STAT_NO_FLOW_MAP,		/* user space has not installed the flow table yet */
	VIGIL_STAT_FLOW_NEW,		/* new flow entries inserted */
	VIGIL_STAT_FLOW_INSERT_FAIL,	/* insert failed */
	VIGIL_STAT_FRAGMENT,		/* IP fragments (also counted in ACCOUNTED) */
	VIGIL_STAT_HANDOFF,		/* frames redirected towards the XSK */
	VIGIL_STAT_BLOCKED,		/* frames dropped by the blocklist (not in any flow) */
	VIGIL_STAT_GATED,		/* new-flow frames counted in a per-destination aggregate */
	VIGIL_STAT_TUNNEL_INNER,	/* frames keyed by a tunnel's inner header (parse_tunnel) */
	VIGIL_STAT_BAD_TUNNEL,		/* inner keying asked, inner header bad: keyed by the outer */
	VIGIL_STAT_REDIRECT,		/* inline frames redirected to the peer port */
	VIGIL_STAT_MAX,
};

/* vg_stats[0], per CPU: one lookup per frame reaches every counter */
struct vigil_stats {
	__u64 c[VIGIL_STAT_MAX];	/* indexed by enum vigil_stat */
};

#endif

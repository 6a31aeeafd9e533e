// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vigil.bpf.c: the one XDP program of vigil. It accounts every frame into a
 * bidirectional flow table, per-CPU or shared by the CPUs (xdp.flow_map), and
 * decides which frames go on to user space (AF_XDP socket in xsks_map); the
 * same object serves live traffic and replay.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "vigil_flow.h"
#include "parse.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_xdp_cfg);
} vg_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_stats);
} vg_stats SEC(".maps");

/*
 * Template only: user space creates the real table with the configured size.
 * Sizes instead of __type(): clang 14 emits the key/value structs of an inner
 * map definition as BTF forward declarations, which libbpf cannot size.
 */
struct vg_flows_inner {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(struct vigil_flow_key));
	__uint(value_size, sizeof(struct vigil_flow));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct vg_flows_inner);
} vg_flows_o SEC(".maps");

/*
 * The shared table (xdp.flow_map: shared): one copy of each flow for all CPUs,
 * so ~1/ncpu of the per-CPU table's value memory, paid for with atomic adds
 * (flow_account_shared). The common LRU list (no BPF_F_NO_COMMON_LRU): a flow
 * may be inserted on one CPU and evicted for another. User space fills one of
 * the two outer maps; the program looks at vg_flows_o first.
 */
struct vg_flows_shared_inner {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(struct vigil_flow_key));
	__uint(value_size, sizeof(struct vigil_flow));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct vg_flows_shared_inner);
} vg_flows_s SEC(".maps");

/* the DPDK af_xdp PMD finds this map by name and puts its socket at the rx queue */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* the blocklist: containment. User space adds and removes prefixes (xdp_block_*) */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* the LPM trie's rule */
	__type(key, struct vigil_block_key);
	__type(value, struct vigil_block);
} vg_block SEC(".maps");

/* inline mode: slot 0 holds the peer port frames are redirected to */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} vg_peer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_gate);
} vg_gate SEC(".maps");

/* this CPU's counters: one lookup per frame, then plain adds */
static __always_inline struct vigil_stats *stats_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vg_stats, &zero);
}

static __always_inline void stat_add(struct vigil_stats *st, __u32 reason, __u64 n)
{
	/* verifier: map lookups may return NULL, and the index must be bounded */
	if (st && reason < VIGIL_STAT_MAX)
		st->c[reason] += n;
}

/* (addr, port) of the source compared with the destination: bytes, then port */
static __always_inline int flow_src_is_a(const struct parse_info *pi)
{
	const __u64 *s = (const __u64 *)pi->saddr;
	const __u64 *d = (const __u64 *)pi->daddr;
	__u64 a, b;

	a = bpf_be64_to_cpu(s[0]);
	b = bpf_be64_to_cpu(d[0]);
	if (a != b)
		return a < b;
	a = bpf_be64_to_cpu(s[1]);
	b = bpf_be64_to_cpu(d[1]);
	if (a != b)
		return a < b;
	return pi->sport <= pi->dport;
}

/* builds the canonical key; returns the frame's enum vigil_dir */
static __always_inline int flow_key_build(struct vigil_flow_key *k, const struct parse_info *pi)
{
	int src_a = flow_src_is_a(pi);

	if (src_a) {
		__builtin_memcpy(k->addr_a, pi->saddr, 16);
		__builtin_memcpy(k->addr_b, pi->daddr, 16);
		k->port_a = pi->sport;
		k->port_b = pi->dport;
	} else {
		__builtin_memcpy(k->addr_a, pi->daddr, 16);
		__builtin_memcpy(k->addr_b, pi->saddr, 16);
		k->port_a = pi->dport;
		k->port_b = pi->sport;
	}
	k->proto = pi->proto;
	k->ip_ver = pi->ip_ver;
	k->flags = 0;
	return src_a ? VIGIL_DIR_AB : VIGIL_DIR_BA;
}

/*
 * The new-flow gate (GCRA, per CPU): 1 when this insert is admitted. Admits one
 * insert per new_flow_ns on average and bursts of VIGIL_GATE_BURST_NS worth.
 * A clock that went back far (replay across captures) restarts the gate.
 */
static __always_inline int flow_gate_admit(const struct vigil_xdp_cfg *cfg, __u64 now)
{
	struct vigil_gate *g;
	__u32 zero = 0;
	__u64 tat;

	if (!cfg->new_flow_ns)
		return 1;
	g = bpf_map_lookup_elem(&vg_gate, &zero);
	/* verifier: map lookups may return NULL; an absent gate admits */
	if (!g)
		return 1;
	tat = g->tat;
	if (tat < now || tat > now + 2 * VIGIL_GATE_BURST_NS)
		tat = now;
	if (tat > now + VIGIL_GATE_BURST_NS)
		return 0;
	g->tat = tat + cfg->new_flow_ns;
	return 1;
}

/* the gate said no: key the frame by its destination only (a per-destination aggregate) */
static __always_inline int flow_key_aggregate(struct vigil_flow_key *k, const struct parse_info *pi)
{
	__builtin_memset(k->addr_a, 0, 16);
	__builtin_memcpy(k->addr_b, pi->daddr, 16);
	k->port_a = 0;
	k->port_b = pi->dport;
	k->proto = pi->proto;
	k->ip_ver = pi->ip_ver;
	k->flags = VIGIL_KEY_F_AGGREGATE;
	return VIGIL_DIR_AB;
}

/* adds one frame to this CPU's copy of the flow */
static __always_inline void flow_account(struct vigil_flow *f, int dir, __u32 len, __u64 now,
					 const struct parse_info *pi)
{
	dir &= 1;	/* verifier: bounds the index into pkts[], bytes[], tcp_flags[] */
	if (f->pkts[0] + f->pkts[1] == 0) {
		/* first frame this CPU sees for the flow (other CPUs' copies start zeroed) */
		f->first_ns = now;
		f->min_len = len;
		f->vlan_id = pi->vlan_id;
		f->initiator = dir;
	}
	if (now > f->last_ns)
		f->last_ns = now;
	f->pkts[dir]++;
	f->bytes[dir] += len;
	if (len < f->min_len)
		f->min_len = len;
	if (len > f->max_len)
		f->max_len = len;
	if (pi->proto == IPPROTO_TCP && pi->tcp_flags) {
		/* a branch, not tcp_flags[dir]: clang turns that into pointer | dir,
		 * which the verifier rejects (bitwise operation on a pointer) */
		if (dir)
			f->tcp_flags[1] |= pi->tcp_flags;
		else
			f->tcp_flags[0] |= pi->tcp_flags;
		f->syn += (pi->tcp_flags & 0x02) != 0;
		f->fin += (pi->tcp_flags & 0x01) != 0;
		f->rst += (pi->tcp_flags & 0x04) != 0;
	}
}

/*
 * Adds one frame to a flow of the shared table, which other CPUs update at the
 * same moment. Counts (pkts, bytes, syn/fin/rst; handed in handoff_wanted) are
 * atomic adds, so they stay exact. The rest is check-then-write, cheap and with
 * benign races:
 * - last_ns/first_ns: two CPUs may both pass the check and the later store wins,
 *   so last_ns can end up behind the newest frame by the gap between the two
 *   racing frames (ns to us live; replay runs on one CPU). The harvest only
 *   compares last_ns with an idle timeout of seconds, so a flow looks idle that
 *   much earlier at most; a frame whose time is before first_ns (it lost the
 *   insert race) moves first_ns back.
 * - min_len/max_len: a racing store can keep the less extreme of two lengths
 *   seen in the same instant.
 * - initiator and vlan_id are the inserting CPU's first frame (set at insert).
 * - tcp_flags[dir]: no atomic OR below BPF ISA v3 (and none on a byte), so a
 *   flag not yet seen is ORed in with a byte store; two CPUs adding different
 *   new flags to the same direction in the same instant can lose one. With RSS
 *   a direction of a flow stays on one queue, so that needs RPS-less generic
 *   XDP or a reordering NIC; the counters syn/fin/rst are exact regardless.
 * Every check reads the field once more than the per-CPU path; all are on
 * cache lines the atomic adds pull in anyway.
 */
static __always_inline void flow_account_shared(struct vigil_flow *f, int dir, __u32 len,
						__u64 now, const struct parse_info *pi)
{
	dir &= 1;	/* verifier: bounds the index into pkts[], bytes[] */
	if (now > f->last_ns)
		f->last_ns = now;
	if (now < f->first_ns)
		f->first_ns = now;
	__sync_fetch_and_add(&f->pkts[dir], 1);
	__sync_fetch_and_add(&f->bytes[dir], len);
	if (len < f->min_len)
		f->min_len = len;
	if (len > f->max_len)
		f->max_len = len;
	if (pi->proto == IPPROTO_TCP && pi->tcp_flags) {
		if (dir) {
			if (f->tcp_flags[1] != (f->tcp_flags[1] | pi->tcp_flags))
				f->tcp_flags[1] |= pi->tcp_flags;
		} else {
			if (f->tcp_flags[0] != (f->tcp_flags[0] | pi->tcp_flags))
				f->tcp_flags[0] |= pi->tcp_flags;
		}
		if (pi->tcp_flags & 0x02)
			__sync_fetch_and_add(&f->syn, 1);
		if (pi->tcp_flags & 0x01)
			__sync_fetch_and_add(&f->fin, 1);
		if (pi->tcp_flags & 0x04)
			__sync_fetch_and_add(&f->rst, 1);
	}
}

static __always_inline void flow_account_any(struct vigil_flow *f, int dir, __u32 len, __u64 now,
					     const struct parse_info *pi, int shared)
{
	if (shared)
		flow_account_shared(f, dir, len, now, pi);
	else
		flow_account(f, dir, len, now, pi);
}

/*
 * finds or creates the flow in flows (the table of either kind: shared says
 * which); NULL when not accounted (reason counted)
 */
static __always_inline struct vigil_flow *flow_update_in(void *flows, int shared,
							 struct vigil_stats *st,
							 const struct vigil_xdp_cfg *cfg,
							 const struct parse_info *pi, __u32 len,
							 __u64 now, struct vigil_flow_key *key,
							 struct vigil_flow *nf, __u16 *meta_flags)
{
	struct vigil_flow *f;
	long err;
	int dir;

	dir = flow_key_build(key, pi);
	f = bpf_map_lookup_elem(flows, key);
	if (f) {
		flow_account_any(f, dir, len, now, pi, shared);
		return f;
	}
	if (!flow_gate_admit(cfg, now)) {
		/* flood path: the gate is closed, so do not thrash the LRU with one
		 * entry per frame; count the frame under its destination instead */
		stat_add(st, VIGIL_STAT_GATED, 1);
		*meta_flags |= VIGIL_META_F_GATED;
		dir = flow_key_aggregate(key, pi);
		f = bpf_map_lookup_elem(flows, key);
		if (f) {
			flow_account_any(f, dir, len, now, pi, shared);
			return f;
		}
	}
	/* the new record is zeroed here, off the hit path; it is private until
	 * inserted, so the plain accounting fills it in either kind */
	__builtin_memset(nf, 0, sizeof(*nf));
	flow_account(nf, dir, len, now, pi);
	err = bpf_map_update_elem(flows, key, nf, BPF_NOEXIST);
	if (!err) {
		stat_add(st, VIGIL_STAT_FLOW_NEW, 1);
		return bpf_map_lookup_elem(flows, key);
	}
	/* -EEXIST: another CPU inserted it between our lookup and update */
	f = bpf_map_lookup_elem(flows, key);
	if (!f) {
		stat_add(st, VIGIL_STAT_FLOW_INSERT_FAIL, 1);
		return NULL;
	}
	flow_account_any(f, dir, len, now, pi, shared);
	return f;
}

/* the per-CPU table when user space installed one, else the shared one; *shared says which */
static __always_inline struct vigil_flow *flow_update(struct vigil_stats *st,
						      const struct vigil_xdp_cfg *cfg,
						      const struct parse_info *pi, __u32 len,
						      __u64 now, struct vigil_flow_key *key,
						      struct vigil_flow *nf, __u16 *meta_flags,
						      int *shared)
{
	__u32 zero = 0;
	void *flows;

	*shared = 0;
	flows = bpf_map_lookup_elem(&vg_flows_o, &zero);
	/* verifier: an empty outer slot returns NULL; user space installs the table */
	if (flows)
		return flow_update_in(flows, 0, st, cfg, pi, len, now, key, nf, meta_flags);
	flows = bpf_map_lookup_elem(&vg_flows_s, &zero);
	if (flows) {
		*shared = 1;
		return flow_update_in(flows, 1, st, cfg, pi, len, now, key, nf, meta_flags);
	}
	stat_add(st, VIGIL_STAT_NO_FLOW_MAP, 1);
	return NULL;
}

static __always_inline int handoff_wanted(struct vigil_stats *st, const struct vigil_xdp_cfg *cfg,
					  struct vigil_flow *f, int shared)
{
	__u32 n;

	switch (cfg->handoff) {
	case VIGIL_HANDOFF_NONE:
		return 0;
	case VIGIL_HANDOFF_FIRST_N:
		/* frames outside any flow (ARP, malformed) go to user space */
		if (!f)
			return 1;
		if (f->handed >= cfg->handoff_n)
			return 0;
		/* shared: CPUs that pass the check together may each hand one
		 * frame over, so up to ncpu - 1 past n; handed counts them all */
		if (shared)
			__sync_fetch_and_add(&f->handed, 1);
		else
			f->handed++;
		return 1;
	case VIGIL_HANDOFF_SAMPLE:
		/* this CPU's frame counter: deterministic in replay, no shared writes */
		n = cfg->handoff_n ? cfg->handoff_n : 1;
		/* verifier: map lookups may return NULL */
		if (!st)
			return 0;
		return (st->c[VIGIL_STAT_FRAMES] % n) == 0;
	}
	return 1;	/* VIGIL_HANDOFF_ALL and unknown values */
}

/* 1 when the source or the destination is on the blocklist (the hit is counted there) */
static __always_inline int blocklist_hit(const struct parse_info *pi)
{
	struct vigil_block_key bk;
	struct vigil_block *b;

	bk.prefixlen = 128;
	__builtin_memcpy(bk.addr, pi->saddr, 16);
	b = bpf_map_lookup_elem(&vg_block, &bk);
	if (!b) {
		__builtin_memcpy(bk.addr, pi->daddr, 16);
		b = bpf_map_lookup_elem(&vg_block, &bk);
	}
	/* verifier: map lookups may return NULL */
	if (!b)
		return 0;
	__sync_fetch_and_add(&b->hits, 1);
	return 1;
}

/*
 * IPv4 or IPv6 by ethertype, then the L4 ports; 0 or the reason the frame is
 * not accounted. *l4bad gets a detail reason of a frame that is still keyed
 * (a truncated L4 header, an IPv6 extension chain that cannot be walked).
 */
static __always_inline int parse_l3(struct hdr_cursor *c, void *end, struct parse_info *pi,
				    __be16 proto, int *l4bad)
{
	int bad;

	if (proto == bpf_htons(ETH_P_IP))
		bad = parse_iphdr(c, end, pi);
	else if (proto == bpf_htons(ETH_P_IPV6))
		bad = parse_ip6hdr(c, end, pi);
	else
		bad = VIGIL_STAT_NON_IP;
	if (bad == VIGIL_STAT_BAD_IP6_EXT) {
		/* keyed without ports all the same: a detail, not an outcome */
		*l4bad = bad;
		return 0;
	}
	if (bad)
		return bad;
	*l4bad = parse_l4(c, end, pi);
	return 0;
}

/*
 * Inner keying: replaces *pi by the tunnel's inner header when there is one and
 * it parses; the outer VLAN id stays. 1 when pi now holds the inner header.
 * A global function, so the verifier checks it once on its own instead of on
 * every path through the outer parsers (which multiplied past its limit).
 * off is where the outer L4 header starts; pi and l4bad are on the caller's stack.
 */
__noinline int vigil_parse_inner(struct xdp_md *ctx, __u32 off, struct parse_info *pi,
				 int *l4bad)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct parse_info in __attribute__((aligned(8))) = {};
	struct vigil_stats *st = stats_get();
	struct hdr_cursor c;
	int inner_eth = 0, t, bad, ibad = 0;
	__be16 proto = 0;

	/* verifier: pointer arguments of a global function may be NULL */
	if (!pi || !l4bad)
		return 0;
	/* verifier: a bounded offset keeps data + off a packet pointer it can check;
	 * a mask, which clang cannot fold into a comparison on another register */
	off &= 0x3fff;
	c.pos = data + off;
	c.l3 = c.pos;
	t = parse_tunnel(&c, data_end, pi, &inner_eth, &proto);
	if (!t)
		return 0;
	bad = t < 0;
	if (!bad && inner_eth)
		bad = parse_ethhdr(&c, data_end, &in, &proto);
	if (!bad) {
		/* the inner frame starts at most 0x3fff + 86 bytes in: keep 14 bits */
		__u64 o = (__u64)(c.pos - data);

		asm volatile("%0 &= 0x7fff" : "+r"(o));
		c.pos = data + o;
		bad = parse_l3(&c, data_end, &in, proto, &ibad);
	}
	if (bad) {
		stat_add(st, VIGIL_STAT_BAD_TUNNEL, 1);
		return 0;
	}
	in.vlan_id = pi->vlan_id;
	*pi = in;
	*l4bad = ibad;
	stat_add(st, VIGIL_STAT_TUNNEL_INNER, 1);
	return 1;
}

SEC("xdp.frags")
int vigil_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct vigil_xdp_meta *meta = (void *)(long)ctx->data_meta;
	struct vigil_xdp_cfg cfg_default = {};
	struct vigil_flow_key key;
	struct vigil_flow nf;
	struct vigil_stats *st = stats_get();
	struct parse_info pi __attribute__((aligned(8))) = {};
	struct hdr_cursor c = { .pos = data, .l3 = data };
	struct vigil_xdp_cfg *cfg;
	struct vigil_flow *f = NULL;
	__u16 meta_flags = 0;
	__u32 zero = 0;
	__u32 len;
	__be16 proto;
	__u64 now;
	int fallback, bad, l4bad = 0, shared = 0;

	len = bpf_xdp_get_buff_len(ctx);

	/* verifier: metadata is only readable between data_meta and data */
	if ((void *)(meta + 1) > data)
		meta = NULL;
	else if (meta->magic != VIGIL_META_MAGIC)
		meta = NULL;
	cfg = bpf_map_lookup_elem(&vg_cfg, &zero);
	/* verifier: map lookups may return NULL; fall back to the all-zero default */
	if (!cfg)
		cfg = &cfg_default;
	/* the tick-grained clock by default: a precise read costs ~25 ns on some
	 * clock sources (kvm-clock), a third of the whole hit path */
	if (meta)
		now = meta->ts_ns;
	else if (cfg->flags & VIGIL_CFG_F_PRECISE_TIME)
		now = bpf_ktime_get_ns();
	else
		now = bpf_ktime_get_coarse_ns();
	if (meta && meta->wire_len)
		len = meta->wire_len;	/* replay: the original frame's length */
	stat_add(st, VIGIL_STAT_FRAMES, 1);
	stat_add(st, VIGIL_STAT_BYTES, len);
	fallback = cfg->mode == VIGIL_MODE_INLINE ? XDP_PASS : XDP_DROP;

	bad = parse_ethhdr(&c, data_end, &pi, &proto);
	if (!bad) {
		parse_cursor_forget(&c, data);
		bad = parse_l3(&c, data_end, &pi, proto, &l4bad);
	}
	if (bad)
		goto count_bad;

	if ((cfg->flags & VIGIL_CFG_F_BLOCKLIST) && blocklist_hit(&pi)) {
		/* containment: dropped in any mode, not accounted in a flow */
		stat_add(st, VIGIL_STAT_BLOCKED, 1);
		if (meta)
			meta->flags = VIGIL_META_F_BLOCKED;
		return XDP_DROP;
	}
	if ((cfg->flags & VIGIL_CFG_F_TUNNEL_INNER) &&
	    (pi.proto == PARSE_IPPROTO_GRE || pi.proto == IPPROTO_UDP ||
	     pi.proto == IPPROTO_IPIP || pi.proto == IPPROTO_IPV6) &&
	    vigil_parse_inner(ctx, (__u32)(c.pos - data), &pi, &l4bad))
		meta_flags |= VIGIL_META_F_INNER;

	if (l4bad)
		stat_add(st, l4bad, 1);	/* VIGIL_STAT_BAD_L4 or VIGIL_STAT_BAD_IP6_EXT */
	if (pi.fragment)
		stat_add(st, VIGIL_STAT_FRAGMENT, 1);
	f = flow_update(st, cfg, &pi, len, now, &key, &nf, &meta_flags, &shared);
	if (f) {
		stat_add(st, VIGIL_STAT_ACCOUNTED, 1);
		meta_flags |= VIGIL_META_F_ACCOUNTED;
	}
	goto verdict;

count_bad:
	stat_add(st, bad, 1);
verdict:
	if (handoff_wanted(st, cfg, f, shared)) {
		stat_add(st, VIGIL_STAT_HANDOFF, 1);
		meta_flags |= VIGIL_META_F_HANDOFF;
		if (meta)
			meta->flags = meta_flags;
		return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, fallback);
	}
	if (meta)
		meta->flags = meta_flags;
	if (fallback == XDP_PASS && (cfg->flags & VIGIL_CFG_F_PEER)) {
		/* bump in the wire: out of the peer port, or up the stack if it is gone */
		stat_add(st, VIGIL_STAT_REDIRECT, 1);
		return bpf_redirect_map(&vg_peer, 0, XDP_PASS);
	}
	return fallback;
}

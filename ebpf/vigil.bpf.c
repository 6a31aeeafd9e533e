// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vigil.bpf.c: the one XDP program of vigil. It accounts every frame into a
 * per-CPU bidirectional flow table and decides which frames go on to user space
 * (AF_XDP socket in xsks_map); the same object serves live traffic and replay.
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
	__uint(max_entries, VIGIL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
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

/* the DPDK af_xdp PMD finds this map by name and puts its socket at the rx queue */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

static __always_inline void stat_inc(__u32 reason, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&vg_stats, &reason);

	/* verifier: map lookups may return NULL; reason < VIGIL_STAT_MAX always */
	if (v)
		*v += n;
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
	k->pad = 0;
	return src_a ? VIGIL_DIR_AB : VIGIL_DIR_BA;
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

/* finds or creates the flow; NULL when not accounted (reason counted) */
static __always_inline struct vigil_flow *flow_update(const struct parse_info *pi, __u32 len,
						      __u64 now, struct vigil_flow_key *key,
						      struct vigil_flow *nf)
{
	struct vigil_flow *f;
	__u32 zero = 0;
	void *flows;
	long err;
	int dir;

	flows = bpf_map_lookup_elem(&vg_flows_o, &zero);
	/* verifier: an empty outer slot returns NULL; user space installs the table */
	if (!flows) {
		stat_inc(VIGIL_STAT_NO_FLOW_MAP, 1);
		return NULL;
	}
	dir = flow_key_build(key, pi);
	f = bpf_map_lookup_elem(flows, key);
	if (f) {
		flow_account(f, dir, len, now, pi);
		return f;
	}
	flow_account(nf, dir, len, now, pi);
	err = bpf_map_update_elem(flows, key, nf, BPF_NOEXIST);
	if (!err) {
		stat_inc(VIGIL_STAT_FLOW_NEW, 1);
		return bpf_map_lookup_elem(flows, key);
	}
	/* -EEXIST: another CPU inserted it between our lookup and update */
	f = bpf_map_lookup_elem(flows, key);
	if (!f) {
		stat_inc(VIGIL_STAT_FLOW_INSERT_FAIL, 1);
		return NULL;
	}
	flow_account(f, dir, len, now, pi);
	return f;
}

static __always_inline int handoff_wanted(const struct vigil_xdp_cfg *cfg, struct vigil_flow *f)
{
	__u32 reason = VIGIL_STAT_FRAMES;
	__u64 *frames;
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
		f->handed++;
		return 1;
	case VIGIL_HANDOFF_SAMPLE:
		/* this CPU's frame counter: deterministic in replay, no shared writes */
		n = cfg->handoff_n ? cfg->handoff_n : 1;
		frames = bpf_map_lookup_elem(&vg_stats, &reason);
		/* verifier: map lookups may return NULL */
		if (!frames)
			return 0;
		return (*frames % n) == 0;
	}
	return 1;	/* VIGIL_HANDOFF_ALL and unknown values */
}

SEC("xdp.frags")
int vigil_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct vigil_xdp_meta *meta = (void *)(long)ctx->data_meta;
	struct vigil_xdp_cfg cfg_default = {};
	struct vigil_flow_key key;
	struct vigil_flow nf = {};
	struct parse_info pi __attribute__((aligned(8))) = {};
	struct hdr_cursor c = { .pos = data };
	struct vigil_xdp_cfg *cfg;
	struct vigil_flow *f = NULL;
	__u16 meta_flags = 0;
	__u32 zero = 0;
	__u32 len;
	__be16 proto;
	__u64 now;
	int fallback, bad, l4bad;

	len = bpf_xdp_get_buff_len(ctx);
	stat_inc(VIGIL_STAT_FRAMES, 1);
	stat_inc(VIGIL_STAT_BYTES, len);

	/* verifier: metadata is only readable between data_meta and data */
	if ((void *)(meta + 1) > data)
		meta = NULL;
	else if (meta->magic != VIGIL_META_MAGIC)
		meta = NULL;
	now = meta ? meta->ts_ns : bpf_ktime_get_ns();

	bad = parse_ethhdr(&c, data_end, &pi, &proto);
	if (bad)
		goto count_bad;
	if (proto == bpf_htons(ETH_P_IP))
		bad = parse_iphdr(&c, data_end, &pi);
	else if (proto == bpf_htons(ETH_P_IPV6))
		bad = parse_ip6hdr(&c, data_end, &pi);
	else
		bad = VIGIL_STAT_NON_IP;
	if (bad)
		goto count_bad;

	l4bad = parse_l4(&c, data_end, &pi);
	if (l4bad)
		stat_inc(VIGIL_STAT_BAD_L4, 1);
	if (pi.fragment)
		stat_inc(VIGIL_STAT_FRAGMENT, 1);
	f = flow_update(&pi, len, now, &key, &nf);
	if (f) {
		stat_inc(VIGIL_STAT_ACCOUNTED, 1);
		meta_flags |= VIGIL_META_F_ACCOUNTED;
	}
	goto verdict;

count_bad:
	stat_inc(bad, 1);
verdict:
	/* Blocklist / containment goes here (later task): on a match count
	 * VIGIL_STAT_BLOCKED, set VIGIL_META_F_BLOCKED and return XDP_DROP. */

	cfg = bpf_map_lookup_elem(&vg_cfg, &zero);
	/* verifier: map lookups may return NULL; fall back to the all-zero default */
	if (!cfg)
		cfg = &cfg_default;
	fallback = cfg->mode == VIGIL_MODE_INLINE ? XDP_PASS : XDP_DROP;

	if (handoff_wanted(cfg, f)) {
		stat_inc(VIGIL_STAT_HANDOFF, 1);
		meta_flags |= VIGIL_META_F_HANDOFF;
		if (meta)
			meta->flags = meta_flags;
		return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, fallback);
	}
	if (meta)
		meta->flags = meta_flags;
	return fallback;
}

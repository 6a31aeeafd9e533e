// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vigil.bpf.c: the one XDP program of vigil. It accounts every frame into a
 * bidirectional flow table, per-CPU or shared by the CPUs (xdp.flow_map), and
 * decides which frames go on to user space (AF_XDP socket in xsks_map); the
 * same object serves live traffic and replay (--replay-xdp). The parsing and
 * the accounting are parse.h and flow.h, which vigil_user.c compiles for user
 * space: this file holds the maps, flow.h's accessors to them and the verdict.
 */
#include "shim.h"
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

/* flow.h's accessors: the maps above */
struct vg_env {
	struct xdp_md *ctx;
};

static __always_inline struct vigil_gate *vg_env_gate(struct vg_env *e)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vg_gate, &zero);
}

static __always_inline void *vg_env_flows_percpu(struct vg_env *e)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vg_flows_o, &zero);
}

static __always_inline void *vg_env_flows_shared(struct vg_env *e)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vg_flows_s, &zero);
}

static __always_inline struct vigil_flow *vg_env_flow_lookup(struct vg_env *e, void *flows,
							     const struct vigil_flow_key *key)
{
	return bpf_map_lookup_elem(flows, key);
}

static __always_inline long vg_env_flow_insert(struct vg_env *e, void *flows,
					       const struct vigil_flow_key *key,
					       const struct vigil_flow *nf)
{
	return bpf_map_update_elem(flows, key, nf, BPF_NOEXIST);
}

static __always_inline struct vigil_block *vg_env_block_lookup(struct vg_env *e,
							       const struct vigil_block_key *key)
{
	return bpf_map_lookup_elem(&vg_block, key);
}

/*
 * Inner keying (parse_inner) as a global function, so the verifier checks it
 * once on its own instead of on every path through the outer parsers (which
 * multiplied past its limit). off is where the outer L4 header starts; pi and
 * l4bad are on the caller's stack.
 */
__noinline int vigil_parse_inner(struct xdp_md *ctx, __u32 off, struct parse_info *pi,
				 int *l4bad)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;

	/* verifier: pointer arguments of a global function may be NULL */
	if (!pi || !l4bad)
		return 0;
	return parse_inner(data, data_end, off, pi, l4bad);
}

static __always_inline int vg_env_parse_inner(struct vg_env *e, void *data, void *end, __u32 off,
					      struct parse_info *pi, int *l4bad)
{
	return vigil_parse_inner(e->ctx, off, pi, l4bad);
}

#include "flow.h"

SEC("xdp.frags")
int vigil_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct vigil_xdp_meta *meta = (void *)(long)ctx->data_meta;
	struct vigil_xdp_cfg cfg_default = {};
	struct vigil_stats *st = stats_get();
	struct vg_env env = { .ctx = ctx };
	struct vigil_xdp_cfg *cfg;
	__u16 meta_flags = 0;
	__u32 zero = 0;
	__u32 len;
	__u64 now;
	int fallback, verdict;

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
	fallback = cfg->mode == VIGIL_MODE_INLINE ? XDP_PASS : XDP_DROP;

	verdict = vigil_frame(&env, st, cfg, data, data_end, len, now, &meta_flags);
	if (meta)
		meta->flags = meta_flags;
	switch (verdict) {
	case VIGIL_VERDICT_XSK:
		return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, fallback);
	case VIGIL_VERDICT_PEER:
		return bpf_redirect_map(&vg_peer, 0, XDP_PASS);
	case VIGIL_VERDICT_PASS:
		return XDP_PASS;
	}
	return XDP_DROP;	/* VIGIL_VERDICT_DROP, VIGIL_VERDICT_BLOCKED */
}

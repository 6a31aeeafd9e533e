/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flow.h: vigil's one flow-accounting step, compiled for BPF (vigil.bpf.c)
 * and for user space (vigil_user.c): a frame is parsed (parse.h), checked
 * against the blocklist, keyed (by a tunnel's inner header on request),
 * counted into its bidirectional flow, and a verdict says whether user space
 * gets it. The includer defines struct vg_env and these accessors first:
 *   struct vigil_gate *vg_env_gate(e)                 the new-flow gate, or NULL
 *   void *vg_env_flows_percpu(e), *vg_env_flows_shared(e)
 *                                                     the flow table of that kind, or NULL
 *   struct vigil_flow *vg_env_flow_lookup(e, flows, key)
 *   long vg_env_flow_insert(e, flows, key, value)     0, -EEXIST, or another -errno
 *   struct vigil_block *vg_env_block_lookup(e, key)   longest prefix match, or NULL
 *   int vg_env_parse_inner(e, data, end, off, pi, l4bad)
 *                                                     parse_inner (BPF: through a
 *                                                     global function)
 * Counters go to a struct vigil_stats (NULL-safe: a BPF map lookup may fail).
 */
#ifndef VIGIL_FLOW_CORE_H
#define VIGIL_FLOW_CORE_H

#include "shim.h"
#include "parse.h"
#include "vigil_flow.h"

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
static __always_inline int flow_gate_admit(struct vg_env *e, const struct vigil_xdp_cfg *cfg,
					   __u64 now)
{
	struct vigil_gate *g;
	__u64 tat;

	if (!cfg->new_flow_ns)
		return 1;
	g = vg_env_gate(e);
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
	if (pi->proto == PARSE_IPPROTO_TCP && pi->tcp_flags) {
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
	vg_atomic_add(&f->pkts[dir], 1);
	vg_atomic_add(&f->bytes[dir], len);
	if (len < f->min_len)
		f->min_len = len;
	if (len > f->max_len)
		f->max_len = len;
	if (pi->proto == PARSE_IPPROTO_TCP && pi->tcp_flags) {
		if (dir) {
			if (f->tcp_flags[1] != (f->tcp_flags[1] | pi->tcp_flags))
				f->tcp_flags[1] |= pi->tcp_flags;
		} else {
			if (f->tcp_flags[0] != (f->tcp_flags[0] | pi->tcp_flags))
				f->tcp_flags[0] |= pi->tcp_flags;
		}
		if (pi->tcp_flags & 0x02)
			vg_atomic_add(&f->syn, 1);
		if (pi->tcp_flags & 0x01)
			vg_atomic_add(&f->fin, 1);
		if (pi->tcp_flags & 0x04)
			vg_atomic_add(&f->rst, 1);
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
static __always_inline struct vigil_flow *flow_update_in(struct vg_env *e, void *flows, int shared,
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
	f = vg_env_flow_lookup(e, flows, key);
	if (f) {
		flow_account_any(f, dir, len, now, pi, shared);
		return f;
	}
	if (!flow_gate_admit(e, cfg, now)) {
		/* flood path: the gate is closed, so do not thrash the LRU with one
		 * entry per frame; count the frame under its destination instead */
		stat_add(st, VIGIL_STAT_GATED, 1);
		*meta_flags |= VIGIL_META_F_GATED;
		dir = flow_key_aggregate(key, pi);
		f = vg_env_flow_lookup(e, flows, key);
		if (f) {
			flow_account_any(f, dir, len, now, pi, shared);
			return f;
		}
	}
	/* the new record is zeroed here, off the hit path; it is private until
	 * inserted, so the plain accounting fills it in either kind */
	__builtin_memset(nf, 0, sizeof(*nf));
	flow_account(nf, dir, len, now, pi);
	err = vg_env_flow_insert(e, flows, key, nf);
	if (!err) {
		stat_add(st, VIGIL_STAT_FLOW_NEW, 1);
		return vg_env_flow_lookup(e, flows, key);
	}
	/* -EEXIST: another CPU inserted it between our lookup and update */
	f = vg_env_flow_lookup(e, flows, key);
	if (!f) {
		stat_add(st, VIGIL_STAT_FLOW_INSERT_FAIL, 1);
		return NULL;
	}
	flow_account_any(f, dir, len, now, pi, shared);
	return f;
}

/* the per-CPU table when user space installed one, else the shared one; *shared says which */
static __always_inline struct vigil_flow *flow_update(struct vg_env *e, struct vigil_stats *st,
						      const struct vigil_xdp_cfg *cfg,
						      const struct parse_info *pi, __u32 len,
						      __u64 now, struct vigil_flow_key *key,
						      struct vigil_flow *nf, __u16 *meta_flags,
						      int *shared)
{
	void *flows;

	*shared = 0;
	flows = vg_env_flows_percpu(e);
	/* verifier: an empty outer slot returns NULL; user space installs the table */
	if (flows)
		return flow_update_in(e, flows, 0, st, cfg, pi, len, now, key, nf, meta_flags);
	flows = vg_env_flows_shared(e);
	if (flows) {
		*shared = 1;
		return flow_update_in(e, flows, 1, st, cfg, pi, len, now, key, nf, meta_flags);
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
			vg_atomic_add(&f->handed, 1);
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
static __always_inline int blocklist_hit(struct vg_env *e, const struct parse_info *pi)
{
	struct vigil_block_key bk;
	struct vigil_block *b;

	bk.prefixlen = 128;
	__builtin_memcpy(bk.addr, pi->saddr, 16);
	b = vg_env_block_lookup(e, &bk);
	if (!b) {
		__builtin_memcpy(bk.addr, pi->daddr, 16);
		b = vg_env_block_lookup(e, &bk);
	}
	/* verifier: map lookups may return NULL */
	if (!b)
		return 0;
	vg_atomic_add(&b->hits, 1);
	return 1;
}

/*
 * One frame, data..end as the program may read it, counted as len bytes at
 * time now: parsed, checked against the blocklist, keyed (inner header on
 * request), accounted, counted by reason in st; *meta_flags gets the
 * VIGIL_META_F_* that say what happened. Returns an enum vigil_verdict.
 */
static __always_inline int vigil_frame(struct vg_env *e, struct vigil_stats *st,
				       const struct vigil_xdp_cfg *cfg, void *data, void *end,
				       __u32 len, __u64 now, __u16 *meta_flags)
{
	struct vigil_flow_key key;
	struct vigil_flow nf;
	struct parse_info pi = {};
	struct hdr_cursor c;
	struct vigil_flow *f = NULL;
	int bad, inner, l4bad = 0, shared = 0;

	stat_add(st, VIGIL_STAT_FRAMES, 1);
	stat_add(st, VIGIL_STAT_BYTES, len);

	bad = parse_frame(&c, data, end, &pi, &l4bad);
	if (bad)
		goto count_bad;

	if ((cfg->flags & VIGIL_CFG_F_BLOCKLIST) && blocklist_hit(e, &pi)) {
		/* containment: dropped in any mode, not accounted in a flow */
		stat_add(st, VIGIL_STAT_BLOCKED, 1);
		*meta_flags = VIGIL_META_F_BLOCKED;
		return VIGIL_VERDICT_BLOCKED;
	}
	if ((cfg->flags & VIGIL_CFG_F_TUNNEL_INNER) &&
	    (pi.proto == PARSE_IPPROTO_GRE || pi.proto == PARSE_IPPROTO_UDP ||
	     pi.proto == PARSE_IPPROTO_IPIP || pi.proto == PARSE_IPPROTO_IPV6)) {
		inner = vg_env_parse_inner(e, data, end, (__u32)(c.pos - data), &pi, &l4bad);
		if (inner > 0) {
			*meta_flags |= VIGIL_META_F_INNER;
			stat_add(st, VIGIL_STAT_TUNNEL_INNER, 1);
		} else if (inner < 0) {
			stat_add(st, VIGIL_STAT_BAD_TUNNEL, 1);
		}
	}

	if (l4bad) {
		/* VIGIL_STAT_BAD_L4 or VIGIL_STAT_BAD_IP6_EXT, maybe from vigil_parse_inner
		 * (unknown to the verifier): the barrier keeps clang from merging this
		 * test and stat_add's bound into one the verifier cannot follow */
		vg_barrier_var(l4bad);
		stat_add(st, l4bad, 1);
	}
	if (pi.fragment)
		stat_add(st, VIGIL_STAT_FRAGMENT, 1);
	f = flow_update(e, st, cfg, &pi, len, now, &key, &nf, meta_flags, &shared);
	if (f) {
		stat_add(st, VIGIL_STAT_ACCOUNTED, 1);
		*meta_flags |= VIGIL_META_F_ACCOUNTED;
	}
	goto verdict;

count_bad:
	stat_add(st, bad, 1);
verdict:
	if (handoff_wanted(st, cfg, f, shared)) {
		stat_add(st, VIGIL_STAT_HANDOFF, 1);
		*meta_flags |= VIGIL_META_F_HANDOFF;
		return VIGIL_VERDICT_XSK;
	}
	if (cfg->mode == VIGIL_MODE_INLINE && (cfg->flags & VIGIL_CFG_F_PEER)) {
		/* bump in the wire: out of the peer port, or up the stack if it is gone */
		stat_add(st, VIGIL_STAT_REDIRECT, 1);
		return VIGIL_VERDICT_PEER;
	}
	return cfg->mode == VIGIL_MODE_INLINE ? VIGIL_VERDICT_PASS : VIGIL_VERDICT_DROP;
}

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * vigil_user.c: vigil.bpf.c's maps as plain memory, and flow.h's accessors to
 * them, so that vigil_frame() runs in user space exactly as in XDP: a replay
 * of millions of frames costs a function call each, not a syscall. One thread
 * owns a struct vigil_user (the shim's adds are plain adds).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow_table.h"
#include "parse.h"
#include "vigil_user.h"

enum {
	VIGIL_USER_FRAME_MIN = 14,	/* xdp_loader's XDP_LOADER_FRAME_MIN */
	VIGIL_USER_FRAME_MAX = 65535,	/* and XDP_LOADER_FRAME_MAX */
};

/* flow.h's view of the program's maps */
struct vg_env {
	struct flow_table *flows;
	bool shared;
	struct vigil_gate gate;
	uint32_t n_block;
	struct vigil_block_key block[VIGIL_USER_BLOCK_MAX];
	struct vigil_block block_val[VIGIL_USER_BLOCK_MAX];
};

struct vigil_user {
	struct vg_env env;
	struct vigil_xdp_cfg cfg;
	struct vigil_stats st;
};

static inline struct vigil_gate *vg_env_gate(struct vg_env *e)
{
	return &e->gate;
}

static inline void *vg_env_flows_percpu(struct vg_env *e)
{
	return e->shared ? NULL : e->flows;
}

static inline void *vg_env_flows_shared(struct vg_env *e)
{
	return e->shared ? e->flows : NULL;
}

static inline struct vigil_flow *vg_env_flow_lookup(struct vg_env *e, void *flows,
						    const struct vigil_flow_key *key)
{
	return flow_table_lookup(flows, key);
}

static inline long vg_env_flow_insert(struct vg_env *e, void *flows, const struct vigil_flow_key *key,
				      const struct vigil_flow *nf)
{
	/* as the LRU map: a full table recycles an old flow, the insert succeeds */
	(void)flow_table_insert(flows, key, nf);
	return 0;
}

/* bit i (from the most significant of byte 0) of a 128-bit address */
static inline int vigil_user_prefix_match(const uint8_t *addr, const struct vigil_block_key *p)
{
	uint32_t full = p->prefixlen / 8, rest = p->prefixlen % 8;

	if (memcmp(addr, p->addr, full))
		return 0;
	return !rest || ((addr[full] ^ p->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* the LPM trie's answer: the longest prefix holding the address */
static inline struct vigil_block *vg_env_block_lookup(struct vg_env *e, const struct vigil_block_key *key)
{
	struct vigil_block *best = NULL;
	uint32_t i, best_len = 0;

	for (i = 0; i < e->n_block; i++)
		if (vigil_user_prefix_match(key->addr, &e->block[i]) &&
		    (!best || e->block[i].prefixlen > best_len)) {
			best = &e->block_val[i];
			best_len = e->block[i].prefixlen;
		}
	return best;
}

static inline int vg_env_parse_inner(struct vg_env *e, void *data, void *end, __u32 off,
				     struct parse_info *pi, int *l4bad)
{
	return parse_inner(data, end, off, pi, l4bad);
}

#include "flow.h"

struct vigil_user *vigil_user_new(uint32_t flow_entries, bool shared)
{
	struct vigil_user *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->env.flows = flow_table_new(flow_entries);
	if (!u->env.flows) {
		int e = errno;

		free(u);
		errno = e;
		return NULL;
	}
	u->env.shared = shared;
	return u;
}

void vigil_user_free(struct vigil_user *u)
{
	if (!u)
		return;
	flow_table_free(u->env.flows);
	free(u);
}

void vigil_user_set_cfg(struct vigil_user *u, const struct vigil_xdp_cfg *cfg)
{
	u->cfg = *cfg;
	u->cfg.flags &= ~(__u32)VIGIL_CFG_F_BLOCKLIST;
	if (u->env.n_block)
		u->cfg.flags |= VIGIL_CFG_F_BLOCKLIST;
}

int vigil_user_block_add(struct vigil_user *u, const struct vigil_block_key *key)
{
	struct vigil_block_key k = *key;
	uint32_t i;

	if (k.prefixlen > 128)
		return -EINVAL;
	for (i = k.prefixlen; i < 128; i++)
		k.addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	for (i = 0; i < u->env.n_block; i++)
		if (!memcmp(&u->env.block[i], &k, sizeof(k)))
			return 0;
	if (u->env.n_block == VIGIL_USER_BLOCK_MAX)
		return -ENOSPC;
	u->env.block[u->env.n_block] = k;
	u->env.block_val[u->env.n_block].hits = 0;
	u->env.n_block++;
	u->cfg.flags |= VIGIL_CFG_F_BLOCKLIST;
	return 0;
}

int vigil_user_frame(struct vigil_user *u, const uint8_t *frame, uint32_t len, uint32_t wire_len,
		     uint64_t ts_ns, uint16_t *meta_flags)
{
	uint8_t *data = (uint8_t *)frame;	/* the parsers only read */
	__u16 flags = 0;
	int verdict;

	if (len < VIGIL_USER_FRAME_MIN)
		return -EINVAL;
	if (len > VIGIL_USER_FRAME_MAX && !wire_len)
		return -EMSGSIZE;
	if (len > VIGIL_USER_FRAME_MAX)
		len = VIGIL_USER_FRAME_MAX;	/* headers are all the program reads */
	verdict = vigil_frame(&u->env, &u->st, &u->cfg, data, data + len, wire_len ? wire_len : len,
			      ts_ns, &flags);
	flow_table_touched(u->env.flows);	/* the flow accounted may have moved on in time */
	if (meta_flags)
		*meta_flags = flags;
	return verdict;
}

void vigil_user_stats(const struct vigil_user *u, uint64_t out[VIGIL_STAT_MAX])
{
	memcpy(out, u->st.c, sizeof(u->st.c));
}

uint32_t vigil_user_flows(const struct vigil_user *u)
{
	return flow_table_count(u->env.flows);
}

uint64_t vigil_user_evicted(const struct vigil_user *u)
{
	return flow_table_evicted(u->env.flows);
}

int vigil_user_harvest(struct vigil_user *u, uint64_t now_ns, uint64_t idle_timeout_ns, bool all,
		       vigil_user_flow_cb cb, void *ctx)
{
	return flow_table_harvest(u->env.flows, now_ns, idle_timeout_ns, all, cb, ctx);
}

int vigil_user_scan(struct vigil_user *u, vigil_user_flow_cb cb, void *ctx)
{
	return flow_table_scan(u->env.flows, cb, ctx);
}

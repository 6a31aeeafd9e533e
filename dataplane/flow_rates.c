// SPDX-License-Identifier: GPL-2.0-only
/*
 * flow_rates.c: the pure half of the XDP counter harvest. Each flow's last
 * seen totals live in a bounded table; the part of a flow's growth that was
 * not handed to user space is split over its two directions by their share.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow_rates.h"
#include "stats_table.h"
#include "vigil_user.h"

#define FLOW_RATES_SEED 0x3c6ef372fe94f82bULL

struct flow_rates_entry {
	struct vigil_flow_key k;
	uint64_t unseen_pkts;	/* pkts - handed at the last update */
	uint64_t pkts;
	uint64_t bytes;
};

struct flow_rates {
	struct stats_table t;
	struct flow_rates_counters c;
};

struct flow_rates *flow_rates_new(uint32_t capacity)
{
	struct flow_rates *fr = calloc(1, sizeof(*fr));
	int ret;

	if (!fr) {
		errno = ENOMEM;
		return NULL;
	}
	ret = stats_table_init(&fr->t, capacity, sizeof(struct flow_rates_entry), sizeof(struct vigil_flow_key));
	if (ret) {
		free(fr);
		errno = -ret;
		return NULL;
	}
	return fr;
}

void flow_rates_free(struct flow_rates *fr)
{
	if (!fr)
		return;
	stats_table_destroy(&fr->t);
	free(fr);
}

void flow_rates_update(struct flow_rates *fr, struct stats *st, const struct vigil_flow_key *k,
		       const struct vigil_flow *f, uint64_t now_ns)
{
	uint64_t pkts = f->pkts[0] + f->pkts[1], bytes = f->bytes[0] + f->bytes[1];
	uint64_t unseen = pkts > f->handed ? pkts - f->handed : 0, du, share_b;
	enum stats_table_got got;
	struct flow_rates_entry *e;
	uint32_t slot;
	double frac;

	fr->c.flows_seen++;
	slot = stats_table_get(&fr->t, k, stats_hash(k, sizeof(*k), FLOW_RATES_SEED),
			       (uint32_t)(now_ns >> 30) + 1, &got);
	stats_table_set_expire(&fr->t, slot, (uint32_t)(now_ns >> 30) + 2);
	e = stats_table_entry(&fr->t, slot);
	/* a new entry, or the kernel re-created the flow: count from zero */
	if (got != STATS_TABLE_FOUND || pkts < e->pkts || unseen < e->unseen_pkts) {
		e->unseen_pkts = 0;
		e->pkts = 0;
		e->bytes = 0;
	}
	du = unseen - e->unseen_pkts;
	if (!du) {
		fr->c.flows_all_handed += unseen == 0;
	} else {
		uint64_t dp = pkts - e->pkts, db = bytes - e->bytes;
		uint64_t ub = dp ? (uint64_t)((double)db * (double)du / (double)dp) : 0;
		uint64_t pa = pkts ? (uint64_t)((double)du * (double)f->pkts[0] / (double)pkts + 0.5) : du;

		frac = bytes ? (double)f->bytes[0] / (double)bytes : 1.0;
		share_b = (uint64_t)((double)ub * frac + 0.5);
		if (pa > du)
			pa = du;
		if (share_b > ub)
			share_b = ub;
		stats_flow_delta(st, k->addr_a, k->addr_b, pa, share_b, du - pa, ub - share_b, now_ns);
		fr->c.pkts_added += du;
	}
	e->unseen_pkts = unseen;
	e->pkts = pkts;
	e->bytes = bytes;
}

struct flow_rates_scan_ctx {
	struct flow_rates *fr;
	struct stats *st;
	uint64_t now_ns;
};

static int flow_rates_scan_one(void *ctx, const struct vigil_flow_key *k, const struct vigil_flow *f)
{
	struct flow_rates_scan_ctx *c = ctx;

	flow_rates_update(c->fr, c->st, k, f, c->now_ns);
	return 0;
}

int flow_rates_scan_user(struct flow_rates *fr, struct stats *st, struct vigil_user *u, uint64_t now_ns)
{
	struct flow_rates_scan_ctx c = { .fr = fr, .st = st, .now_ns = now_ns };

	return vigil_user_scan(u, flow_rates_scan_one, &c);
}

void flow_rates_get_counters(const struct flow_rates *fr, struct flow_rates_counters *out)
{
	*out = fr->c;
}

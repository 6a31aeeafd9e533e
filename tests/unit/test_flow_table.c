// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_flow_table.c: the user-space flow table of replay (ebpf/flow_table.c):
 * found after growing, harvested by xdp_flows_harvest's rule whatever order
 * the clock went in and however far apart flows are (laps of the wheel),
 * refiled when a lookup's flow moves on, full tables pushing out the least
 * recently seen, walks reporting each flow once, a callback stopping a walk.
 */
#include <stdlib.h>
#include <string.h>

#include "flow_table.h"
#include "testlib.h"

#define S 1000000000ULL	/* a second in ns */

struct ft_seen {
	int n;
	uint32_t ids[64];	/* port_a of the flows reported, in order */
	int stop_at;		/* return 1 at this report (1-based), 0: never */
};

static struct vigil_flow_key ft_key(uint32_t id)
{
	struct vigil_flow_key k;

	memset(&k, 0, sizeof(k));
	k.addr_a[15] = (uint8_t)id;
	k.addr_b[14] = (uint8_t)(id >> 8);
	k.port_a = (uint16_t)id;
	k.proto = 17;
	k.ip_ver = 4;
	return k;
}

static int ft_put(struct flow_table *t, uint32_t id, uint64_t last_ns)
{
	struct vigil_flow_key k = ft_key(id);
	struct vigil_flow f;

	memset(&f, 0, sizeof(f));
	f.first_ns = f.last_ns = last_ns;
	f.pkts[0] = 1;
	return flow_table_insert(t, &k, &f);
}

static int ft_cb(void *ctx, const struct vigil_flow_key *k, const struct vigil_flow *f)
{
	struct ft_seen *s = ctx;

	(void)f;
	if (s->n < 64)
		s->ids[s->n] = k->port_a;
	s->n++;
	return s->stop_at && s->n == s->stop_at ? 1 : 0;
}

static int ft_has(struct flow_table *t, uint32_t id)
{
	struct vigil_flow_key k = ft_key(id);

	return flow_table_lookup(t, &k) != NULL;
}

int main(void)
{
	struct flow_table *t = flow_table_new(100000);
	struct ft_seen s;
	struct vigil_flow_key k;
	struct vigil_flow *f;
	uint32_t i, found = 0;
	int r;
	bool ok;

	/* growth: far more than the first allocation, every flow still found */
	for (i = 1; i <= 20000; i++)
		ft_put(t, i, 1000 * S + i);
	for (i = 1; i <= 20000; i++)
		found += (uint32_t)ft_has(t, i);
	testlib_case("20000 flows inserted, all found", found == 20000 && flow_table_count(t) == 20000,
		     "found %u, count %u", found, flow_table_count(t));
	memset(&s, 0, sizeof(s));
	r = flow_table_scan(t, ft_cb, &s);
	testlib_case("a scan reports every flow once and removes none", r == 20000 && s.n == 20000 &&
		     flow_table_count(t) == 20000, "returned %d, %d reported", r, s.n);
	memset(&s, 0, sizeof(s));
	r = flow_table_harvest(t, 0, 0, true, ft_cb, &s);
	testlib_case("harvest all: every flow once, the table empty", r == 20000 && s.n == 20000 &&
		     flow_table_count(t) == 0 && !ft_has(t, 7), "returned %d, %d reported, %u left", r, s.n,
		     flow_table_count(t));
	flow_table_free(t);

	/* idle harvest: last frame before now - idle goes, the rest stays */
	t = flow_table_new(1000);
	ft_put(t, 1, 100 * S);
	ft_put(t, 2, 150 * S);
	ft_put(t, 3, 40 * S);	/* the clock went back: filed below the others */
	ft_put(t, 4, 159 * S + 1);
	memset(&s, 0, sizeof(s));
	r = flow_table_harvest(t, 160 * S, 10 * S, false, ft_cb, &s);
	ok = r == 2 && ft_has(t, 2) && ft_has(t, 4) && !ft_has(t, 1) && !ft_has(t, 3);
	testlib_case("idle 10 s at 160 s: the flows of 40 s and 100 s go, 150 s and 159 s stay", ok,
		     "harvested %d", r);
	memset(&s, 0, sizeof(s));
	r = flow_table_harvest(t, 160 * S, 10 * S, false, ft_cb, &s);
	testlib_case("the same harvest again finds nothing", r == 0, "harvested %d", r);
	memset(&s, 0, sizeof(s));
	r = flow_table_harvest(t, 169 * S + 1, 10 * S, false, ft_cb, &s);
	testlib_case("idle exactly 10 s is not more than 10 s: 150 s goes, 159 s stays",
		     r == 1 && ft_has(t, 4) && s.ids[0] == 2, "harvested %d", r);
	memset(&s, 0, sizeof(s));
	r = flow_table_harvest(t, 100 * S, 10 * S, false, ft_cb, &s);
	testlib_case("a clock behind the flows keeps them", r == 0 && ft_has(t, 4), "harvested %d", r);

	/* a lookup's flow that moved on is refiled by its new second */
	k = ft_key(4);
	f = flow_table_lookup(t, &k);
	if (f)
		f->last_ns = 300 * S;
	flow_table_touched(t);
	ft_put(t, 5, 200 * S);
	memset(&s, 0, sizeof(s));
	r = flow_table_harvest(t, 250 * S, 10 * S, false, ft_cb, &s);
	testlib_case("refiled after it moved on: kept past its old second", r == 1 && ft_has(t, 4) &&
		     !ft_has(t, 5), "harvested %d", r);
	memset(&s, 0, sizeof(s));
	r = flow_table_harvest(t, 311 * S, 10 * S, false, ft_cb, &s);
	testlib_case("and harvested by its new one (a flow left under its old second would be missed)",
		     r == 1 && s.ids[0] == 4, "harvested %d", r);

	/* laps of the wheel (4096 steps of 2^30 ns): a flow one lap later shares the list */
	ft_put(t, 7, 320 * S);
	ft_put(t, 6, 320 * S + (4096ULL << 30));
	memset(&s, 0, sizeof(s));
	r = flow_table_harvest(t, 320 * S + (4096ULL << 30) + 5 * S, 10 * S, false, ft_cb, &s);
	testlib_case("a lap later: the old flow goes, the new one in the same list stays",
		     r == 1 && s.ids[0] == 7 && ft_has(t, 6), "harvested %d", r);
	flow_table_free(t);

	/* a full table pushes out the least recently seen */
	t = flow_table_new(4);
	ft_put(t, 1, 50 * S);
	ft_put(t, 2, 10 * S);
	ft_put(t, 3, 30 * S);
	ft_put(t, 4, 20 * S);
	ft_put(t, 5, 60 * S);
	testlib_case("full at 4: the fifth pushes out the one last seen at 10 s",
		     flow_table_count(t) == 4 && flow_table_evicted(t) == 1 && !ft_has(t, 2) && ft_has(t, 1) &&
		     ft_has(t, 3) && ft_has(t, 4) && ft_has(t, 5), "count %u, evicted %llu", flow_table_count(t),
		     (unsigned long long)flow_table_evicted(t));

	/* a callback's non-zero return stops the walk; that flow is removed all the same */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	r = flow_table_harvest(t, 0, 0, true, ft_cb, &s);
	testlib_case("a callback returning 1 stops the harvest, its flow removed",
		     r == 1 && s.n == 2 && flow_table_count(t) == 2, "returned %d, %d reported, %u left", r, s.n,
		     flow_table_count(t));
	flow_table_free(t);
	flow_table_free(NULL);
	return testlib_done();
}

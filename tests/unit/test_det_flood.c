// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_det_flood.c: the flood detector on synthetic packet timelines. Each row
 * is a scenario (rates per phase) and what must come out: how many incidents,
 * their states, and what the alert says about the victim and its baseline.
 */
#include <string.h>

#include "det_flood.h"
#include "testlib.h"

#define NS 1000000000ULL

struct phase {
	double seconds;
	double pps;
	int random_src;	/* 1: a new source per packet */
};

struct scenario {
	const char *name;
	struct phase phases[4];
	int n_phases;
	int want_starts;
	int want_ends;
	int want_learning;	/* -1 don't care, else the start's learning flag */
	double min_observed;	/* the start's observed rate at least this */
	int want_dominant;	/* -1 don't care */
};

struct collect {
	int starts, updates, ends;
	struct det_flood_event first;
};

static void on_event(void *ctx, const struct det_flood_event *ev)
{
	struct collect *c = ctx;

	if (ev->state == DET_FLOOD_START) {
		if (!c->starts)
			c->first = *ev;
		c->starts++;
	} else if (ev->state == DET_FLOOD_UPDATE) {
		c->updates++;
	} else {
		c->ends++;
	}
}

static void addr4(uint8_t a[16], uint32_t v)
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)(v >> 24);
	a[13] = (uint8_t)(v >> 16);
	a[14] = (uint8_t)(v >> 8);
	a[15] = (uint8_t)v;
}

static const struct det_flood_cfg base_cfg = {
	.window_ns = NS,
	.learning_ns = 30 * NS,
	.k = 6.0,
	.floor_pps = 1000.0,
	.half_life_s = 60.0,
	.end_after_ns = 5 * NS,
	.update_ns = 10 * NS,
	.max_hosts = 1024,
};

/* Feed the phases as evenly spaced packets to one victim, ticking as a caller would. */
static void run(struct det_flood *d, const struct phase *ph, int n, uint64_t *t, struct collect *c,
		uint32_t victim, uint32_t *rng)
{
	uint8_t dst[16], src[16];
	int i;

	addr4(dst, victim);
	for (i = 0; i < n; i++) {
		uint64_t end = *t + (uint64_t)(ph[i].seconds * NS);
		uint64_t step = ph[i].pps > 0 ? (uint64_t)(NS / ph[i].pps) : NS / 10; /* idle: keep ticking */

		for (; *t < end; *t += step) {
			det_flood_tick(d, *t, on_event, c);
			if (ph[i].pps <= 0)
				continue;
			*rng = *rng * 1103515245u + 12345u;
			addr4(src, ph[i].random_src ? *rng : 0xc6336442u /* 198.51.100.66 */);
			det_flood_packet(d, *t, dst, src, 17, 53);
		}
	}
}

int main(void)
{
	static const struct scenario rows[] = {
		{ "benign steady 100 pps: no alert", { { 120, 100, 0 } }, 1, 0, 0, -1, 0, -1 },
		{ "benign with gentle growth: no alert", { { 60, 100, 0 }, { 60, 140, 0 } }, 2, 0, 0, -1, 0, -1 },
		{ "flood after learning: one incident", { { 60, 100, 0 }, { 5, 5000, 0 }, { 20, 100, 0 } }, 3, 1, 1,
		  0, 4500, 1 },
		{ "flood at capture start: floor alone", { { 5, 5000, 0 }, { 20, 0, 0 } }, 2, 1, 1, 1, 4500, 1 },
		{ "spoofed flood: no dominant source", { { 40, 50, 1 }, { 5, 8000, 1 }, { 10, 50, 1 } }, 3, 1, 1, 0,
		  7000, 0 },
		/* a learned baseline only lowers the bar: 9x a steady host's rate is caught under the floor */
		{ "above k-sigma, below the floor, learned: caught", { { 60, 100, 0 }, { 5, 900, 0 }, { 10, 100, 0 } }, 3, 1,
		  1, 0, 800, -1 },
		/* ... but never below floor * min_fraction (250 pps) */
		{ "above k-sigma, under the fraction: quiet", { { 60, 10, 0 }, { 5, 200, 0 }, { 10, 10, 0 } }, 3, 0,
		  0, -1, 0, -1 },
		{ "two floods far apart: two incidents",
		  { { 60, 100, 0 }, { 5, 5000, 0 }, { 60, 100, 0 }, { 5, 5000, 0 } }, 4, 2, 1, 0, 4500, -1 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct scenario *s = &rows[i];
		struct det_flood *d = det_flood_new(&base_cfg);
		struct collect c = { 0 };
		uint64_t t = 1700000000ULL * NS;
		uint32_t rng = 1;
		char dst[16];
		bool ok;

		run(d, s->phases, s->n_phases, &t, &c, 0xc000020a /* 192.0.2.10 */, &rng);
		addr4((uint8_t *)dst, 0xc000020a);
		ok = c.starts == s->want_starts && c.ends == s->want_ends;
		if (ok && s->want_starts) {
			ok = !memcmp(c.first.dst, dst, 16) && c.first.observed_pps >= s->min_observed &&
			     (s->want_learning < 0 || c.first.learning == (bool)s->want_learning) &&
			     (s->want_dominant < 0 || c.first.src_dominant == (bool)s->want_dominant) &&
			     c.first.proto == 17 && c.first.dst_port == 53 && c.first.incident_id == 1;
			if (ok && !c.first.learning)
				ok = c.first.expected_pps > 0.8 * s->phases[0].pps &&
				     c.first.expected_pps < 1.2 * s->phases[0].pps && c.first.zscore > 6;
		}
		testlib_case(s->name, ok,
			     "starts %d ends %d updates %d; first: observed %.1f expected %.1f z %.1f learning %d dominant %d",
			     c.starts, c.ends, c.updates, c.first.observed_pps, c.first.expected_pps, c.first.zscore,
			     c.first.learning, c.first.src_dominant);
		det_flood_free(d);
	}

	/* a long flood: one start, updates at most every 10 s, one end at finish */
	{
		struct det_flood *d = det_flood_new(&base_cfg);
		struct phase ph[] = { { 40, 100, 0 }, { 60, 3000, 0 } };
		struct collect c = { 0 };
		uint64_t t = 1700000000ULL * NS;
		uint32_t rng = 1;

		run(d, ph, 2, &t, &c, 0xc000020b, &rng);
		det_flood_finish(d, t, on_event, &c);
		testlib_case("60 s flood: 1 start, <= 6 updates, 1 end", c.starts == 1 && c.updates >= 4 &&
			     c.updates <= 6 && c.ends == 1, "starts %d updates %d ends %d", c.starts, c.updates, c.ends);
		det_flood_free(d);
	}

	/* time jumping forward by years: bounded work, no alert */
	{
		struct det_flood *d = det_flood_new(&base_cfg);
		struct phase ph[] = { { 40, 100, 0 } };
		struct collect c = { 0 };
		uint64_t t = 1000000000ULL * NS;
		uint32_t rng = 1;

		run(d, ph, 1, &t, &c, 0xc000020c, &rng);
		t += 3ULL * 365 * 86400 * NS;
		run(d, ph, 1, &t, &c, 0xc000020c, &rng);
		testlib_case("time jump of three years: no alert, no hang", c.starts == 0, "starts %d", c.starts);
		det_flood_free(d);
	}

	/* bounded table: more destinations than slots are counted, not stored */
	{
		struct det_flood_cfg cfg = base_cfg;
		struct det_flood_stats st;
		struct det_flood *d;
		uint8_t dst[16], src[16];
		uint32_t h;

		cfg.max_hosts = 8;
		d = det_flood_new(&cfg);
		addr4(src, 1);
		for (h = 0; h < 20; h++) {
			addr4(dst, 0xc0000200 + h);
			det_flood_packet(d, 1700000000ULL * NS, dst, src, 6, 80);
		}
		det_flood_get_stats(d, &st);
		testlib_case("table full: 8 hosts kept, 12 packets counted as table_full",
			     st.hosts == 8 && st.table_full == 12, "hosts %llu table_full %llu",
			     (unsigned long long)st.hosts, (unsigned long long)st.table_full);
		det_flood_free(d);
	}

	/*
	 * Hosts come and go: each round 20 new ones send once and later expire
	 * (tombstones, then a rehash), 40 stay. After every window close every
	 * host in the table has learned something, so a save must hold them all:
	 * a host the walks lose (a wrong live bit after a rehash) is not saved.
	 */
	{
		struct det_flood_cfg cfg = base_cfg;
		struct det_flood_stats st;
		struct det_flood *d;
		static char buf[1 << 16];
		uint8_t dst[16], src[16];
		uint64_t t = 1700000000ULL * NS;
		uint32_t round, h, bad = 0, rounds_checked = 0;

		struct collect c = { 0 };

		cfg.max_hosts = 96;
		cfg.half_life_s = 10;	/* idle hosts expire after 60 s: two rounds */
		d = det_flood_new(&cfg);
		addr4(src, 1);
		for (round = 0; round < 40; round++) {
			for (h = 0; h < 20; h++) {
				addr4(dst, 0x0a000000 + round * 64 + h);
				det_flood_packet(d, t, dst, src, 17, 53);
			}
			for (unsigned int sec = 0; sec < 30; sec++, t += NS) {
				for (h = 0; h < 40; h++) {
					addr4(dst, 0xc0000200 + h);
					det_flood_packet(d, t, dst, src, 17, 53);
				}
				det_flood_tick(d, t + NS, on_event, &c);
			}
			det_flood_get_stats(d, &st);
			if (det_flood_save(d, t, buf, sizeof(buf)) != (long)(16 + st.hosts * 72))
				bad++;
			rounds_checked++;
		}
		det_flood_get_stats(d, &st);
		testlib_case("hosts coming and going (rehashes): every host in the table is walked and saved",
			     bad == 0 && st.evictions > 400, "%u of %u rounds lost hosts, %llu evictions", bad,
			     rounds_checked, (unsigned long long)st.evictions);
		det_flood_free(d);
	}
	return testlib_done();
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_stats.c: the statistics engine against brute force and against the
 * attacks it exists for: fast 2^x, damped mean/variance, HyperLogLog, bounded
 * tables with eviction, scan/flood/size scores, determinism, XDP deltas.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_rates.h"
#include "stats.h"
#include "stats_decay.h"
#include "stats_hll.h"
#include "stats_table.h"
#include "testlib.h"

#define SEC 1000000000ULL

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void v4(uint8_t a[16], uint32_t ip)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)(ip >> 24);
	a[13] = (uint8_t)(ip >> 16);
	a[14] = (uint8_t)(ip >> 8);
	a[15] = (uint8_t)ip;
}

static void mkpkt(struct pkt_info *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t proto,
		  uint32_t len)
{
	memset(p, 0, sizeof(*p));
	v4(p->src, src);
	v4(p->dst, dst);
	p->src_port = sport;
	p->dst_port = dport;
	p->proto = proto;
	p->ip_ver = 4;
	p->len = len;
}

/* feed one packet, return its result */
static struct stats_result one(struct stats *st, const struct pkt_info *p, uint64_t ts)
{
	struct stats_result r;
	int rc = PKT_OK;

	stats_burst(st, p, &rc, &ts, 1, &r);
	return r;
}

static void test_exp2(void)
{
	static const double xs[] = { 0.0, -1e-9, -0.25, -0.5, -0.75, -1.0, -3.3, -10.5, -100.0, -700.0, -999.9 };
	double worst = 0.0;
	unsigned int i;
	int k;

	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		double e = exp2(xs[i]), g = stats_exp2_neg(xs[i]);
		double rel = e > 0 ? fabs(g - e) / e : fabs(g);

		if (rel > worst)
			worst = rel;
	}
	for (k = 0; k < 100000; k++) {
		double x = -(double)(rng() % 40000000) / 1e6;
		double e = exp2(x), rel = fabs(stats_exp2_neg(x) - e) / e;

		if (rel > worst)
			worst = rel;
	}
	testlib_case("exp2: within 1e-7 of libm over [-40, 0] and at the edges", worst < 1e-7,
		     "worst relative error %.3g", worst);
	testlib_case("exp2: below -1000 is 0, positive is 1",
		     stats_exp2_neg(-2000.0) == 0.0 && stats_exp2_neg(3.0) == 1.0, "got %g %g",
		     stats_exp2_neg(-2000.0), stats_exp2_neg(3.0));
}

/* damped statistics equal the brute-force weighted mean and variance */
static void test_decay(void)
{
	static const double lambdas[] = { 5, 1, 0.01 };
	unsigned int li;

	for (li = 0; li < 3; li++) {
		double lam = lambdas[li], ts[200], xs[200], t = 0;
		struct stats_decay s = { 0 };
		double last = 0, bw = 0, bm = 0, bv = 0;
		char name[96];
		int i, n = 200;

		for (i = 0; i < n; i++) {
			t += (double)(rng() % 1000) / 2000.0;
			ts[i] = t;
			xs[i] = 40 + (double)(rng() % 1460);
			stats_decay_add(&s, i ? exp2(-lam * (t - last)) : 1.0, xs[i]);
			last = t;
		}
		for (i = 0; i < n; i++) {
			double w = exp2(-lam * (t - ts[i]));

			bw += w;
			bm += w * xs[i];
		}
		bm /= bw;
		for (i = 0; i < n; i++)
			bv += exp2(-lam * (t - ts[i])) * (xs[i] - bm) * (xs[i] - bm);
		bv /= bw;
		snprintf(name, sizeof(name), "decay lambda=%g: weight, mean, variance match brute force", lam);
		testlib_case(name,
			     fabs(s.w - bw) <= 1e-4 * bw && fabs(s.mean - bm) <= 1e-3 * bm &&
				     fabs(stats_decay_var(&s) - bv) <= 1e-3 * bv + 1e-3,
			     "w %g/%g mean %g/%g var %g/%g", s.w, bw, s.mean, bm, stats_decay_var(&s), bv);
	}
	{
		struct stats_decay s = { 0 };
		int i;

		/* 1000 samples/s for 20 s at lambda 1: w -> rate / (lambda ln 2) */
		for (i = 0; i < 20000; i++)
			stats_decay_add(&s, exp2(-1.0 * 0.001), 100.0);
		testlib_case("decay: steady 1000/s gives rate 1000 and zero variance",
			     fabs(stats_decay_rate(&s, 1.0, 1.0) - 1000.0) < 1.0 && stats_decay_var(&s) < 1e-6 &&
				     s.mean == 100.0f,
			     "rate %g var %g mean %g", stats_decay_rate(&s, 1.0, 1.0), stats_decay_var(&s), s.mean);
	}
}

static void test_hll(void)
{
	static const unsigned int ns[] = { 0, 1, 10, 100, 1000, 20000 };
	unsigned int i, j;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct stats_hll h;
		double e, tol;
		char name[64];

		memset(&h, 0, sizeof(h));
		for (j = 0; j < ns[i]; j++) {
			uint64_t k = j;

			stats_hll_add(&h, stats_hash(&k, 8, 7));
			stats_hll_add(&h, stats_hash(&k, 8, 7)); /* duplicates do not count */
		}
		e = stats_hll_estimate(&h);
		tol = ns[i] < 10 ? 1.0 : 0.4 * ns[i];
		snprintf(name, sizeof(name), "hll: %u distinct items", ns[i]);
		testlib_case(name, fabs(e - ns[i]) <= tol, "estimate %.1f", e);
	}
}

static void test_table(void)
{
	struct stats_table t;
	enum stats_table_got got;
	uint64_t key[2] = { 0, 0 }, keep[2] = { 42, 42 };
	uint32_t i, keep_slot, evicted = 0, news = 0, slot;
	int rc = stats_table_init(&t, 1024, 64, 16);

	if (!testlib_case("table: init 1024 x 64 B", rc == 0, "rc %d", rc))
		return;
	keep_slot = stats_table_get(&t, keep, stats_hash(keep, 16, 1), 1, &got);
	stats_table_set_expire(&t, keep_slot, 1000000);
	/* a flood of 100 k new keys with short lives: the table never grows, the long-lived entry stays */
	for (i = 0; i < 100000; i++) {
		key[0] = i + 1000;
		slot = stats_table_get(&t, key, stats_hash(key, 16, 1), 10 + i / 64, &got);
		stats_table_set_expire(&t, slot, 10 + i / 64 + 2);
		evicted += got == STATS_TABLE_EVICTED;
		news += got != STATS_TABLE_FOUND;
	}
	testlib_case("table: 100 k inserts into 1024 slots never fail, never grow",
		     news == 100000 && stats_table_used(&t) == stats_table_slots(&t) && stats_table_slots(&t) == 1024,
		     "new %u used %u slots %u", news, stats_table_used(&t), stats_table_slots(&t));
	slot = stats_table_lookup(&t, keep, stats_hash(keep, 16, 1));
	testlib_case("table: the entry that expires last survives the flood", slot == keep_slot,
		     "slot %u want %u", slot, keep_slot);
	testlib_case("table: most replaced entries had expired (decayed) already", evicted < news / 2,
		     "evicted live %u of %u", evicted, news);
	key[0] = 100000 - 1 + 1000;
	slot = stats_table_get(&t, key, stats_hash(key, 16, 1), 5000, &got);
	testlib_case("table: the latest key is found", got == STATS_TABLE_FOUND, "got %d", got);
	stats_table_destroy(&t);
	stats_table_destroy(&t);
}

/* the SIMD set scans against their definition: 200 k random sets, many ties, empties and high bits */
static void test_table_simd(void)
{
	static struct stats_set set;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint32_t i, w, bad_match = 0, bad_victim = 0;

	for (i = 0; i < 200000; i++) {
		uint32_t want_m = 0, want_v = 0, vexp = UINT32_MAX, tag;

		for (w = 0; w < STATS_TABLE_WAYS; w++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			set.tag[w] = (x & 3) == 0 ? 0 : (uint32_t)(x >> 40) % 4 | (uint32_t)(x >> 20) << 31 | 1u;
			set.expire[w] = (x >> 8 & 1) ? (uint32_t)(x >> 32) : (uint32_t)(x >> 50) % 3 + 0x7ffffffeu * (uint32_t)(x >> 9 & 1);
		}
		tag = set.tag[i % STATS_TABLE_WAYS] ? set.tag[i % STATS_TABLE_WAYS] : 3;
		for (w = 0; w < STATS_TABLE_WAYS; w++) {
			uint32_t e = set.tag[w] ? set.expire[w] : 0;

			want_m |= (uint32_t)(set.tag[w] == tag) << w;
			if (e < vexp) {
				vexp = e;
				want_v = w;
			}
		}
		bad_match += stats_table_match(&set, tag) != want_m;
		bad_victim += stats_table_victim(&set) != want_v;
	}
	testlib_case("table: vector tag match equals the scalar definition", bad_match == 0, "%u differ", bad_match);
	testlib_case("table: vector victim (first empty, else earliest expiry, lowest way) equals the scalar one",
		     bad_victim == 0, "%u differ", bad_victim);
}

static struct stats *mkstats(void)
{
	struct stats_cfg c;

	stats_cfg_default(&c);
	c.hosts = 4096;
	c.sockets = 8192;
	c.learning_ns = 30 * SEC;
	return stats_new(&c);
}

/* 60 s of benign traffic: host .1 talks to 3 servers at ~100 pps */
static uint64_t benign(struct stats *st, uint64_t t0, int secs)
{
	struct pkt_info p;
	uint64_t t = t0;
	int i;

	for (i = 0; i < secs * 100; i++) {
		t = t0 + (uint64_t)i * (SEC / 100) + rng() % 1000;
		mkpkt(&p, 0x0a000001, 0x0a000100 + (uint32_t)(i % 3), (uint16_t)(40000 + i % 7), 443, 6,
		      (uint32_t)(60 + rng() % 40));
		one(st, &p, t);
		mkpkt(&p, 0x0a000100 + (uint32_t)(i % 3), 0x0a000001, 443, (uint16_t)(40000 + i % 7), 6,
		      (uint32_t)(1000 + rng() % 400));
		one(st, &p, t + 50000);
	}
	return t + SEC / 100;
}

static void test_scan(void)
{
	struct stats *st = mkstats();
	struct stats_score worst, best_src;
	struct stats_result r;
	struct pkt_info p;
	uint64_t t;
	uint8_t a[16];
	int i;

	if (!testlib_case("engine: new with default lambdas", st != NULL, "stats_new failed"))
		return;
	t = benign(st, 100 * SEC, 60);
	v4(a, 0x0a000001);
	stats_host_query(st, a, t, NULL, &worst, NULL);
	testlib_case("scan: benign host scores low after learning", !worst.learning && worst.score < 6.0,
		     "score %.2f metric %s learning %u", worst.score, stats_metric_name(worst.metric), worst.learning);
	/* the same host sweeps 2000 ports of one server within 2 s (SYNs: what a host opens is its fan-out) */
	memset(&best_src, 0, sizeof(best_src));
	for (i = 0; i < 2000; i++) {
		mkpkt(&p, 0x0a000001, 0x0a000100, 50000, (uint16_t)(1 + i), 6, 60);
		p.tcp_flags = 0x02;
		r = one(st, &p, t + (uint64_t)i * (SEC / 1000));
		if (r.src.fresh && r.src.score > best_src.score)
			best_src = r.src;
	}
	mkpkt(&p, 0x0a000001, 0x0a000100, 50000, 443, 6, 60);
	r = one(st, &p, t + 3 * SEC);
	if (r.src.fresh && r.src.score > best_src.score)
		best_src = r.src;
	testlib_case("scan: the scanner's window scores high on ports or new flows",
		     best_src.score > 10.0 &&
			     (best_src.metric == STATS_M_DST_PORTS || best_src.metric == STATS_M_NEW_FLOWS),
		     "score %.2f metric %s observed %.1f expected %.1f", best_src.score,
		     stats_metric_name(best_src.metric), best_src.observed, best_src.expected);
	stats_free(st);
}

static struct stats *mkstats_turnover(double turnover_s)
{
	struct stats_cfg c;

	stats_cfg_default(&c);
	c.hosts = 4096;
	c.sockets = 8192;
	c.learning_ns = 30 * SEC;
	c.turnover_s = turnover_s;
	return stats_new(&c);
}

/*
 * 200 k packets from random sources to server .100 over 2 s, with the default
 * gate (turnover 4 s: at most slots / 4 new entries per second per table) and
 * without it (every new key takes a slot and the tables recycle).
 */
static void test_flood_gate(double turnover_s)
{
	struct stats *st = mkstats_turnover(turnover_s);
	struct stats_counters c;
	struct stats_score best_dst;
	struct stats_result r;
	struct pkt_info p;
	char name[128];
	uint64_t t;
	int i;

	if (!st)
		return;
	t = benign(st, 100 * SEC, 60);
	memset(&best_dst, 0, sizeof(best_dst));
	for (i = 0; i < 200000; i++) {
		mkpkt(&p, (uint32_t)rng(), 0x0a000100, (uint16_t)rng(), 53, 17, 512);
		r = one(st, &p, t + (uint64_t)i * 10000);
		if (r.dst.fresh && r.dst.score > best_dst.score)
			best_dst = r.dst;
	}
	stats_get_counters(st, &c);
	snprintf(name, sizeof(name), "flood (turnover %g s): the victim's window scores high on packets or bytes in",
		 turnover_s);
	testlib_case(name,
		     best_dst.score > 10.0 && (best_dst.metric == STATS_M_PPS_IN || best_dst.metric == STATS_M_BPS_IN),
		     "score %.2f metric %s", best_dst.score, stats_metric_name(best_dst.metric));
	if (turnover_s == 0.0) {
		testlib_case("flood (no gate): every new key takes a slot; tables stay bounded and recycle entries",
			     c.new_hosts > 100000 && c.evict_hosts + c.evict_sockets > 0 &&
				     c.gated_hosts + c.gated_sockets == 0,
			     "new hosts %llu evicted hosts %llu sockets %llu gated %llu",
			     (unsigned long long)c.new_hosts, (unsigned long long)c.evict_hosts,
			     (unsigned long long)c.evict_sockets, (unsigned long long)c.gated_hosts);
	} else {
		/* 2 s at 4096 / 4 per second, plus one burst (a tenth of a second, at least 64) and the benign hosts */
		testlib_case("flood (gate): new hosts admitted at the turnover rate, the rest gated and counted",
			     c.new_hosts <= 2 * 1024 + 128 + 16 && c.new_hosts >= 2 * 1024 &&
				     c.gated_hosts + c.new_hosts >= 200000 && c.gated_sockets > 150000,
			     "new hosts %llu gated hosts %llu gated sockets %llu", (unsigned long long)c.new_hosts,
			     (unsigned long long)c.gated_hosts, (unsigned long long)c.gated_sockets);
	}
	stats_free(st);
}

static void test_flood(void)
{
	test_flood_gate(4.0);
	test_flood_gate(0.0);
}

static void test_sockets(void)
{
	struct stats *st = mkstats();
	struct stats_result r1, r2, r3;
	struct pkt_info p;
	uint64_t t = 10 * SEC;
	uint32_t hosts, socks;

	if (!st)
		return;
	mkpkt(&p, 0x0a000002, 0x0a000003, 5000, 5001, 17, 100);
	r1 = one(st, &p, t);
	r2 = one(st, &p, t + SEC / 50);
	mkpkt(&p, 0x0a000003, 0x0a000002, 5001, 5000, 17, 100);
	r3 = one(st, &p, t + SEC / 25);
	stats_used(st, &hosts, &socks);
	testlib_case("sockets: a socket's first packet is a new flow, its next is not, the answer is its own",
		     r1.new_flow == 1 && r2.new_flow == 0 && r3.new_flow == 1 && hosts == 2 && socks == 2,
		     "new %u %u %u hosts %u sockets %u", r1.new_flow, r2.new_flow, r3.new_flow, hosts, socks);
	stats_free(st);
}


/* the same input twice gives byte-identical results (turnover 100 s: the gate refuses keys too) */
static void test_determinism(double turnover_s)
{
	struct stats_result *ra = calloc(20000, sizeof(*ra)), *rb = calloc(20000, sizeof(*rb));
	struct pkt_info *pk = calloc(20000, sizeof(*pk));
	uint64_t *ts = calloc(20000, sizeof(*ts));
	int *rcs = calloc(20000, sizeof(*rcs));
	struct stats *a = mkstats_turnover(turnover_s), *b = mkstats_turnover(turnover_s);
	struct stats_counters ca, cb;
	char name[128];
	int i;

	if (!ra || !rb || !pk || !ts || !rcs || !a || !b)
		goto cleanup;
	for (i = 0; i < 20000; i++) {
		mkpkt(&pk[i], 0x0a000000 | (uint32_t)(rng() % 300), 0x0a000000 | (uint32_t)(rng() % 50),
		      (uint16_t)rng(), (uint16_t)(rng() % 20), 6, (uint32_t)(60 + rng() % 1400));
		ts[i] = 5 * SEC + (uint64_t)i * 3000000ULL + rng() % 1000;
		rcs[i] = i % 97 ? PKT_OK : PKT_NON_IP;
	}
	for (i = 0; i < 20000; i += 32)
		stats_burst(a, pk + i, rcs + i, ts + i, (uint16_t)(20000 - i < 32 ? 20000 - i : 32), ra + i);
	/* other burst boundaries must not change anything either */
	for (i = 0; i < 20000; i += 7)
		stats_burst(b, pk + i, rcs + i, ts + i, (uint16_t)(20000 - i < 7 ? 20000 - i : 7), rb + i);
	stats_get_counters(a, &ca);
	stats_get_counters(b, &cb);
	snprintf(name, sizeof(name), "determinism (turnover %g s): two runs with different bursts give identical results",
		 turnover_s);
	testlib_case(name, !memcmp(ra, rb, 20000 * sizeof(*ra)) && !memcmp(&ca, &cb, sizeof(ca)) &&
			     (turnover_s < 100.0 || ca.gated_sockets > 0),
		     "results differ or nothing gated (gated sockets %llu)", (unsigned long long)ca.gated_sockets);
	testlib_case("determinism: non-IP frames are skipped", ra[0].skipped && !ra[1].skipped,
		     "skipped %u %u", ra[0].skipped, ra[1].skipped);
cleanup:
	stats_free(a);
	stats_free(b);
	free(ra);
	free(rb);
	free(pk);
	free(ts);
	free(rcs);
}

static void test_delta(void)
{
	struct stats *st = mkstats();
	struct stats_score m[STATS_M_HOST_MAX + 1];
	struct pkt_info p;
	uint8_t a[16], b[16];
	bool found;

	if (!st)
		return;
	v4(a, 0x0a000009);
	v4(b, 0x0a00000a);
	mkpkt(&p, 0x0a000009, 0x0a00000a, 1, 2, 17, 100);
	one(st, &p, 7 * SEC + 1);
	stats_flow_delta(st, a, b, 500, 50000, 20, 2000, 7 * SEC + 2);
	one(st, &p, 8 * SEC + 1);	/* closes window 7 */
	found = stats_host_query(st, a, 8 * SEC + 1, NULL, NULL, m);
	testlib_case("delta: XDP-only packets land in the host's window",
		     found && m[STATS_M_PPS_OUT].observed == 501.0f && m[STATS_M_BPS_OUT].observed == 50100.0f &&
			     m[STATS_M_PPS_IN].observed == 20.0f,
		     "found %d pps_out %.0f bps_out %.0f pps_in %.0f", found, m[STATS_M_PPS_OUT].observed,
		     m[STATS_M_BPS_OUT].observed, m[STATS_M_PPS_IN].observed);
	stats_free(st);
}

/* XDP counters: only growth that was not handed to user space is added */
static void test_flow_rates(void)
{
	struct flow_rates *fr = flow_rates_new(1024);
	struct flow_rates_counters c;
	struct stats *st = mkstats();
	struct stats_score m[STATS_M_HOST_MAX + 1];
	struct vigil_flow_key k;
	struct vigil_flow f;
	struct pkt_info p;
	bool found;

	if (!fr || !st)
		goto cleanup;
	memset(&k, 0, sizeof(k));
	v4(k.addr_a, 0x0a000021);
	v4(k.addr_b, 0x0a000022);
	memset(&f, 0, sizeof(f));
	/* first_n: 16 of 100 handed; 84 unseen; the packet at 21 s closes window 20 */
	f.pkts[0] = 90;
	f.pkts[1] = 10;
	f.bytes[0] = 9000;
	f.bytes[1] = 1000;
	f.handed = 16;
	flow_rates_update(fr, st, &k, &f, 20 * SEC);	/* 84 unseen: 76 a->b, 8 b->a */
	flow_rates_update(fr, st, &k, &f, 20 * SEC + 1);	/* no growth: nothing */
	f.handed = 100;
	f.pkts[0] = 200;
	flow_rates_update(fr, st, &k, &f, 20 * SEC + 2);	/* 110 unseen now: 26 more */
	flow_rates_get_counters(fr, &c);
	testlib_case("flow_rates: unseen growth only, once", c.pkts_added == 84 + 26 && c.flows_seen == 3,
		     "added %llu seen %llu", (unsigned long long)c.pkts_added, (unsigned long long)c.flows_seen);
	mkpkt(&p, 0x0a000021, 0x0a000022, 1, 2, 17, 100);
	one(st, &p, 21 * SEC + 1);
	found = stats_host_query(st, k.addr_a, 21 * SEC + 1, NULL, NULL, m);
	testlib_case("flow_rates: deltas reach the host's window by direction",
		     found && m[STATS_M_PPS_OUT].observed == 101.0f && m[STATS_M_PPS_IN].observed > 0.0f &&
			     m[STATS_M_PPS_OUT].observed + m[STATS_M_PPS_IN].observed == 110.0f,
		     "found %d out %.0f in %.0f", found, m[STATS_M_PPS_OUT].observed, m[STATS_M_PPS_IN].observed);
cleanup:
	flow_rates_free(fr);
	stats_free(st);
}

static void test_cfg(void)
{
	struct stats_cfg c;
	struct stats *st;

	stats_cfg_default(&c);
	c.score_lambda = 5;
	st = stats_new(&c);
	testlib_case("cfg: score_lambda beyond the list is refused", st == NULL, "accepted");
	stats_free(st);
	stats_cfg_default(&c);
	c.lambda[0] = 0;
	st = stats_new(&c);
	testlib_case("cfg: an empty lambda list is refused", st == NULL, "accepted");
	stats_free(st);
	stats_cfg_default(&c);
	testlib_case("cfg: default tables hold 192 k entries in at most 24 MiB",
		     c.hosts + c.sockets == 196608 && stats_mem_bytes(&c) <= 24ULL << 20,
		     "entries %u bytes %llu", c.hosts + c.sockets,
		     (unsigned long long)stats_mem_bytes(&c));
	stats_cfg_default(&c);
	c.turnover_s = -1.0;
	st = stats_new(&c);
	testlib_case("cfg: a negative turnover is refused", st == NULL, "accepted");
	stats_free(st);
	testlib_case("cfg: metric names", !strcmp(stats_metric_name(STATS_M_DST_PORTS), "dst_ports") &&
		     !strcmp(stats_metric_name((enum stats_metric)99), "unknown"), "names wrong");
}

/* a host's baselines survive a save and a load into a fresh engine, hours later by the clock */
static void test_save(void)
{
	struct stats *a = mkstats(), *b = mkstats(), *c = mkstats();
	struct stats_host_window wa, wb;
	struct pkt_info p;
	uint8_t h1[16];
	uint64_t t = 1000 * SEC, t2;
	size_t cap;
	long len;
	void *buf;
	int n;

	v4(h1, 0x0a000001);
	t = benign(a, t, 300);
	mkpkt(&p, 0x0a000001, 0x0a000100, 40000, 443, 6, 100);
	one(a, &p, t + 10 * SEC);	/* closes the last full window */
	stats_host_window(a, h1, t + 10 * SEC, &wa);
	cap = stats_save_size(a);
	buf = malloc(cap);
	len = buf ? stats_save(a, buf, cap) : -1;
	testlib_case("save: the learning hosts, within the bound", len > 0 && (size_t)len <= cap &&
		     stats_save(a, buf, 10) == -ENOSPC, "len %ld of %zu", len, cap);
	n = len > 0 ? stats_load(b, buf, (size_t)len) : -1;
	testlib_case("load: the hosts that learned (client and three servers)", n == 4, "%d", n);
	testlib_case("load: a damaged length is refused", len > 0 && stats_load(c, buf, (size_t)len - 1) == -EINVAL,
		     "accepted");
	one(c, &p, t);
	testlib_case("load: only before the first packet", stats_load(c, buf, (size_t)len) == -EBUSY, "accepted");
	/* restarted three hours later: the host keeps its windows, expectation and age, and is no longer learning */
	t2 = t + 3 * 3600 * SEC;
	one(b, &p, t2);
	one(b, &p, t2 + 10 * SEC);
	testlib_case("restored: windows, expectation, peak and age carried over",
		     stats_host_window(b, h1, t2 + 10 * SEC, &wb) && !wb.learning && wb.windows >= wa.windows &&
		     fabsf(wb.expected[0] - wa.expected[0]) < 0.2f * wa.expected[0] + 1.0f &&
		     wb.first_ns + (t + 10 * SEC - wa.first_ns) <= t2 + 20 * SEC &&
		     wb.peak[0] > 0.0f, "windows %u/%u learning %d expected %g/%g peak %g", wb.windows, wa.windows,
		     wb.learning, wb.expected[0], wa.expected[0], wb.peak[0]);
	free(buf);
	stats_free(a);
	stats_free(b);
	stats_free(c);
}

int main(void)
{
	test_exp2();
	test_decay();
	test_hll();
	test_table();
	test_table_simd();
	test_scan();
	test_flood();
	test_sockets();
	test_determinism(4.0);
	test_determinism(100.0);
	test_delta();
	test_flow_rates();
	test_cfg();
	test_save();
	return testlib_done();
}

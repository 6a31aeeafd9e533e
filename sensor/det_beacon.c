// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_beacon.c: command-and-control check-ins: a home_net host contacting one
 * outside destination and port at regular intervals (low coefficient of
 * variation of the intervals). Decided sequentially: a few contacts suffice when
 * their regularity would be very unlikely by chance, more when it is looser.
 * Local traffic (SMB/NetBIOS keep-alives to a domain controller) never
 * qualifies; NTP and DNS are periodic by design. Per-pair intervals are saved.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"

enum {
	BEACON_HIST = 32,			/* intervals remembered */
	BEACON_UDP_GAP_NS = DET_NS,		/* a UDP packet after this much silence is a new contact */
	BEACON_MIN_IV = 2,			/* intervals before regularity can be measured at all */
	BEACON_SAVE_VERSION = 1,
};
/*
 * Before floor contacts, alert only when intervals this regular would arise by
 * chance with probability <= this if the contacts were unrelated (Poisson):
 * one in a million per test keeps a network of 10^5 candidate pair-contacts an
 * hour at about 0.1 false alert an hour even before the other conditions.
 */
#define BEACON_ALPHA 1e-6
#define BEACON_MIN_S 1.0			/* shorter periods are sessions, not check-ins */
#define BEACON_MAX_S 86400.0
#define BEACON_MAX_IN 16384			/* mean bytes received per completed contact */

static const uint16_t det_beacon_service_ports[] = { 53, 123, 5353 };

struct beacon_ent {
	uint64_t last_ns;		/* last contact (start) */
	uint64_t last_pkt_ns;
	uint64_t first_ns;
	uint32_t n;			/* intervals recorded */
	uint32_t contacts;
	uint64_t in_bytes;		/* received from the destination since the first contact */
	float iv[BEACON_HIST];
};
_Static_assert(sizeof(struct beacon_ent) == 168, "saved as is: the layout is the file format");

struct det_beacon {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	struct det_pending saved;	/* loaded state waiting for the first clock */
};
_Static_assert(offsetof(struct det_beacon, b) == 0, "det_base first: det_base_* take the state");

/* Saved: this header, then count records of a key and its struct beacon_ent. */
struct beacon_save_hdr {
	uint32_t version;
	uint32_t count;
	uint64_t saved_ns;		/* the clock at saving: times in the records are on it */
};
_Static_assert(sizeof(struct beacon_save_hdr) == 16, "saved header layout");

enum { BEACON_SAVE_REC = sizeof(struct det_key) + sizeof(struct beacon_ent) };

static void *det_beacon_create(const struct det_env *env)
{
	/* an incident lasts while check-ins continue: end after 10 minutes without one */
	return det_base_new(sizeof(struct det_beacon), env, 65536, sizeof(struct beacon_ent),
			    300ULL * DET_NS, 600ULL * DET_NS);
}

static void det_beacon_destroy(void *st)
{
	struct det_beacon *s = st;

	if (s)
		det_pending_drop(&s->saved);
	det_base_destroy(st);
}

/*
 * Chance that m intervals of unrelated (Poisson) contacts have a coefficient of
 * variation <= cv: the intervals over their sum are uniform on the simplex, and
 * cv <= c is a ball of radius c / sqrt(m) around its centre, so the chance is
 * that ball's volume times the density (m-1)!/sqrt(m). Exact while the ball
 * fits inside (c <= 1/sqrt(m-1)), an upper bound beyond: never too eager.
 */
static double det_beacon_chance(uint32_t m, double cv)
{
	double d = (double)m - 1;

	if (cv <= 0)
		return 0;
	return exp(lgamma((double)m) - 0.5 * log((double)m) + d / 2 * log(M_PI) + d * log(cv / sqrt((double)m)) -
		   lgamma(((double)m + 1) / 2));
}

/* mean and coefficient of variation of the last m intervals */
static void det_beacon_stats(const struct beacon_ent *e, uint32_t m, double *mean, double *cv)
{
	double sum = 0, sq = 0;
	uint32_t i;

	for (i = 0; i < m; i++) {
		double x = e->iv[(e->n - 1 - i) % BEACON_HIST];

		sum += x;
		sq += x * x;
	}
	*mean = sum / m;
	*cv = *mean > 0 ? sqrt(fmax(sq / m - *mean * *mean, 0)) / *mean : 1e9;
}

static void det_beacon_contact(struct det_beacon *s, const struct detect_pkt *p, struct beacon_ent *e,
			       const struct det_key *k)
{
	const struct pkt_info *pi = p->pi;
	const struct det_env *env = s->b.env;
	uint32_t m = env->cfg->floor > 2 ? (uint32_t)env->cfg->floor - 1 : 1, full;
	double mean, cv, chance = 0;
	bool is_new;
	struct detect_incident *inc;

	e->contacts++;
	if (e->last_ns) {
		e->iv[e->n % BEACON_HIST] = (float)((double)(p->ts_ns - e->last_ns) / 1e9);
		e->n++;
	} else {
		e->first_ns = p->ts_ns;
	}
	e->last_ns = p->ts_ns;
	if (m > BEACON_HIST)
		m = BEACON_HIST;
	/* floor - 1 intervals within k suffice; fewer (from 2) when chance alone cannot explain them */
	full = m;
	if (e->n < m && e->n < BEACON_MIN_IV)
		return;
	if (e->n < m)
		m = e->n;
	det_beacon_stats(e, m, &mean, &cv);
	if (mean < BEACON_MIN_S || mean > BEACON_MAX_S || cv > env->cfg->k)
		return;
	if (m < full) {
		chance = det_beacon_chance(m, cv);
		if (chance > BEACON_ALPHA)
			return;
	}
	/* a check-in is small: regular fetches that bring real volume are streaming or sync */
	if (e->in_bytes / (e->contacts - 1) > BEACON_MAX_IN)
		return;
	inc = det_incidents_open(s->b.inc, k, p->ts_ns, &is_new);
	if (is_new) {
		inc->start_ns = e->first_ns;
		inc->metric = "interval_cv";
		inc->learning = true;
		inc->threshold = env->cfg->k;
		memcpy(inc->src, pi->src, 16);
		memcpy(inc->dst, pi->dst, 16);
		inc->dst_port = pi->dst_port;
		inc->proto = pi->proto;
		det_incident_add_port(inc, pi->dst_port);
		det_incident_add_host(inc, pi->dst);
	}
	inc->window_s = mean * m;
	inc->observed = cv;
	inc->expected = mean;	/* the period, seconds */
	inc->count = e->contacts;
	if (m < full)
		snprintf(inc->detail, sizeof(inc->detail), "every %.1f s over %u contacts (chance %.1g if unrelated)",
			 mean, e->contacts, chance);
	else
		snprintf(inc->detail, sizeof(inc->detail), "every %.1f s over %u contacts", mean, e->contacts);
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

/* a saved time moved back by back ns; 0 (never) stays 0, others stop at 1 */
static uint64_t det_beacon_back(uint64_t t, uint64_t back)
{
	return t > back ? t - back : (t ? 1 : 0);
}

/*
 * Restored pairs take the first clock. Their times are on the saving run's
 * clock: kept when this clock is later (a real gap is a real interval), moved
 * with it when it is earlier (another clock: as if no time had passed).
 */
static void det_beacon_restore(struct det_beacon *s, uint64_t now_ns)
{
	const unsigned char *in = (const unsigned char *)s->saved.buf + sizeof(struct beacon_save_hdr);
	struct beacon_save_hdr hdr;
	uint64_t back;
	uint32_t i;

	memcpy(&hdr, s->saved.buf, sizeof(hdr));
	back = hdr.saved_ns > now_ns ? hdr.saved_ns - now_ns : 0;
	for (i = 0; i < hdr.count; i++, in += BEACON_SAVE_REC) {
		struct det_key k;
		struct beacon_ent r, *e;
		bool created;

		memcpy(&k, in, sizeof(k));
		memcpy(&r, in + sizeof(k), sizeof(r));
		if (det_table_find(s->b.tab, &k))
			continue;	/* a live entry wins */
		r.last_ns = det_beacon_back(r.last_ns, back);
		r.last_pkt_ns = det_beacon_back(r.last_pkt_ns, back);
		r.first_ns = det_beacon_back(r.first_ns, back);
		e = det_table_get(s->b.tab, &k, now_ns, &created);
		*e = r;
	}
	det_pending_drop(&s->saved);
}

static void det_beacon_clock(struct det_beacon *s, uint64_t now_ns)
{
	if (s->saved.buf)
		det_beacon_restore(s, now_ns);
}

static void det_beacon_packet(void *st, const struct detect_pkt *p)
{
	struct det_beacon *s = st;
	const struct pkt_info *pi = p->pi;
	struct det_key k;
	struct beacon_ent *e;
	bool created, contact;
	unsigned int i;

	if (!pi || pi->is_fragment)
		return;
	det_beacon_clock(s, p->ts_ns);
	s->b.now_ns = p->ts_ns;
	if (!p->src_home && p->dst_home && (pi->proto == 6 || pi->proto == 17)) {
		/* the answer direction: count what the destination sends back */
		k = det_key(1, pi->dst, pi->src, pi->src_port, pi->proto);
		e = det_table_find(s->b.tab, &k);
		if (e)
			e->in_bytes += pi->len;
		return;
	}
	/* locality: only a home_net host reaching outside */
	if (!p->src_home || p->dst_home)
		return;
	if (pi->proto == 6) {
		if ((pi->tcp_flags & 0x16) != 0x02)
			return;
	} else if (pi->proto != 17) {
		return;
	}
	for (i = 0; i < sizeof(det_beacon_service_ports) / sizeof(det_beacon_service_ports[0]); i++)
		if (pi->dst_port == det_beacon_service_ports[i])
			return;
	k = det_key(1, pi->src, pi->dst, pi->dst_port, pi->proto);
	e = det_table_get(s->b.tab, &k, p->ts_ns, &created);
	contact = pi->proto == 6 || created || p->ts_ns >= e->last_pkt_ns + BEACON_UDP_GAP_NS;
	e->last_pkt_ns = p->ts_ns;
	if (contact)
		det_beacon_contact(s, p, e, &k);
}

static bool det_beacon_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_beacon *s = ctx;

	(void)k;
	(void)v;
	return det_base_idle(&s->b, last_ns, 2 * 86400ULL * DET_NS);
}

static void det_beacon_tick(void *st, uint64_t now_ns)
{
	struct det_beacon *s = st;

	det_beacon_clock(s, now_ns);
	det_base_tick(&s->b, now_ns, 600ULL * DET_NS, det_beacon_walk, s);
}

static bool det_beacon_save_one(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	unsigned char *rec = det_rec_reserve(ctx, BEACON_SAVE_REC);

	(void)last_ns;
	if (rec) {
		memcpy(rec, k, sizeof(*k));
		memcpy(rec + sizeof(*k), v, sizeof(struct beacon_ent));
	}
	return false;
}

static size_t det_beacon_save_size(void *st)
{
	struct det_beacon *s = st;

	if (s->saved.buf)
		return s->saved.len;
	return sizeof(struct beacon_save_hdr) + (size_t)det_table_used(s->b.tab) * BEACON_SAVE_REC;
}

/* Every pair's contacts and intervals, times on the clock now_ns; bytes or -ENOSPC. */
static long det_beacon_save(void *st, uint64_t now_ns, void *buf, size_t len)
{
	struct det_beacon *s = st;
	struct beacon_save_hdr hdr = { .version = BEACON_SAVE_VERSION, .saved_ns = now_ns };
	struct det_rec_out w = { .out = buf, .len = len };
	long n;

	if (s->saved.buf)	/* restored but no clock yet: keep it as it was */
		return det_pending_save(&s->saved, buf, len);
	n = det_rec_walk(s->b.tab, det_beacon_save_one, &w, &w, sizeof(hdr));
	if (n < 0)
		return n;
	hdr.count = w.count;
	memcpy(buf, &hdr, sizeof(hdr));
	return n;
}

/* Checked now, applied at the first clock: pairs restored, -EPROTO or -EINVAL (also a damaged record). */
static int det_beacon_load(void *st, const void *buf, size_t len)
{
	struct det_beacon *s = st;
	const unsigned char *in = (const unsigned char *)buf + sizeof(struct beacon_save_hdr);
	struct beacon_save_hdr hdr;
	uint32_t i, j;

	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != BEACON_SAVE_VERSION)
		return -EPROTO;
	if ((len - sizeof(hdr)) % BEACON_SAVE_REC || (len - sizeof(hdr)) / BEACON_SAVE_REC != hdr.count)
		return -EINVAL;
	for (i = 0; i < hdr.count; i++, in += BEACON_SAVE_REC) {
		struct beacon_ent r;

		memcpy(&r, in + sizeof(struct det_key), sizeof(r));
		for (j = 0; j < BEACON_HIST; j++)
			if (!isfinite(r.iv[j]) || r.iv[j] < 0)
				return -EINVAL;
		if (r.contacts < r.n)
			return -EINVAL;
	}
	if (det_pending_keep(&s->saved, buf, len) < 0)
		return -ENOMEM;
	return (int)hdr.count;
}

const struct det_ops det_beacon_ops = {
	.create = det_beacon_create,
	.destroy = det_beacon_destroy,
	.packet = det_beacon_packet,
	.tick = det_beacon_tick,
	.finish = det_base_finish,
	.save_size = det_beacon_save_size,
	.save = det_beacon_save,
	.load = det_beacon_load,
};

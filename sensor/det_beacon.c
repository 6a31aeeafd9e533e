// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_beacon.c: command-and-control check-ins: a home_net host contacting one
 * outside destination and port at regular intervals (low coefficient of
 * variation over many repetitions). Local traffic (SMB/NetBIOS keep-alives to
 * a domain controller) never qualifies; NTP and DNS are periodic by design.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "det_common.h"

enum {
	BEACON_HIST = 32,			/* intervals remembered */
	BEACON_UDP_GAP_NS = DET_NS,		/* a UDP packet after this much silence is a new contact */
};
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

struct det_beacon {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
};
_Static_assert(offsetof(struct det_beacon, b) == 0, "det_base first: det_base_* take the state");

static void *det_beacon_create(const struct det_env *env)
{
	/* an incident lasts while check-ins continue: end after 10 minutes without one */
	return det_base_new(sizeof(struct det_beacon), env, 65536, sizeof(struct beacon_ent),
			    300ULL * DET_NS, 600ULL * DET_NS);
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
	uint32_t m = env->cfg->floor > 2 ? (uint32_t)env->cfg->floor - 1 : 1;
	double mean, cv;
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
	if (e->n < m)
		return;
	det_beacon_stats(e, m, &mean, &cv);
	if (mean < BEACON_MIN_S || mean > BEACON_MAX_S || cv > env->cfg->k)
		return;
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
	snprintf(inc->detail, sizeof(inc->detail), "every %.1f s over %u contacts", mean, e->contacts);
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
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

	det_base_tick(&s->b, now_ns, 600ULL * DET_NS, det_beacon_walk, s);
}

const struct det_ops det_beacon_ops = {
	.create = det_beacon_create,
	.destroy = det_base_destroy,
	.packet = det_beacon_packet,
	.tick = det_beacon_tick,
	.finish = det_base_finish,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_anomaly.c: the catch-all. Each home_net host's packets sent and distinct
 * peers per 1 s window are learned (EWMA, dataplane/baseline.h); a window k
 * standard deviations above the host's own normal and above the floor raises
 * an incident, unless a specific detector already claimed that host.
 */
#include <stddef.h>
#include <math.h>
#include <string.h>

#include "det_common.h"

enum { ANOM_WIN_NS = DET_NS, ANOM_PEERS_MIN = 20 };
/* another detector's incident on the host within this long claims it */
#define ANOM_CLAIM_NS (60ULL * DET_NS)

struct anom_host {
	uint64_t start_ns, first_ns;
	uint64_t pkts;
	struct det_distinct peers;
	struct baseline pps, npeers;
	uint8_t addr[16];
	uint8_t peer[16];
};

struct det_anomaly {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	double alpha;
};
_Static_assert(offsetof(struct det_anomaly, b) == 0, "det_base first: det_base_* take the state");

static void *det_anomaly_create(const struct det_env *env)
{
	struct det_anomaly *s = det_base_new(sizeof(*s), env, 8192, sizeof(struct anom_host),
					     30ULL * DET_NS, 30ULL * DET_NS);

	if (!s)
		return NULL;
	s->alpha = baseline_alpha(1.0, 1800.0);
	return s;
}

static double det_anomaly_z(const struct baseline *b, double x)
{
	double sd = baseline_stddev(b), poisson = sqrt(b->mean > 1 ? b->mean : 1);

	return (x - b->mean) / (sd > poisson ? sd : poisson);
}

/* Judge and learn from h's closed window ending at end. */
static void det_anomaly_close(struct det_anomaly *s, struct anom_host *h, uint64_t end)
{
	const struct det_env *env = s->b.env;
	double w = (double)ANOM_WIN_NS / DET_NS, pps = h->pkts / w, peers = det_distinct_count(&h->peers);
	bool learning = end - h->first_ns < (uint64_t)env->cfg->learning_s * DET_NS || h->pps.n < 30;
	double zp = det_anomaly_z(&h->pps, pps), zn = det_anomaly_z(&h->npeers, peers);
	const char *metric = NULL;
	double obs = 0, exp = 0, z = 0;

	if (!learning && pps >= env->cfg->floor && zp >= env->cfg->k) {
		metric = "pps_out";
		obs = pps;
		exp = h->pps.mean;
		z = zp;
	} else if (!learning && peers >= ANOM_PEERS_MIN && zn >= env->cfg->k) {
		metric = "distinct_peers";
		obs = peers;
		exp = h->npeers.mean;
		z = zn;
	}
	if (metric && !detect_claimed(env->reg, h->addr, end, ANOM_CLAIM_NS)) {
		struct det_key k = det_key(1, h->addr, NULL, metric[0], 0);
		bool is_new;
		struct detect_incident *inc = det_incidents_open(s->b.inc, &k, end, &is_new);

		if (is_new) {
			inc->start_ns = h->start_ns;
			inc->metric = metric;
			inc->window_s = w;
			memcpy(inc->src, h->addr, 16);
			memcpy(inc->dst, h->peer, 16);
			det_incident_add_host(inc, h->peer);
		}
		inc->observed = obs;
		inc->expected = exp;
		inc->threshold = exp + env->cfg->k * (exp > 0 ? (obs - exp) / z : 1);
		inc->zscore = z;
		inc->count += h->pkts;
		det_incidents_report(s->b.inc, inc, is_new, end);
	} else if (!metric) {
		baseline_update(&h->pps, pps, s->alpha);
		baseline_update(&h->npeers, peers, s->alpha);
	}
	h->pkts = 0;
	memset(&h->peers, 0, sizeof(h->peers));
	h->start_ns = 0;
}

static void det_anomaly_packet(void *st, const struct detect_pkt *p)
{
	struct det_anomaly *s = st;
	const struct pkt_info *pi = p->pi;
	struct det_key k;
	struct anom_host *h;
	bool created;
	uint64_t a, b;

	if (!pi || !p->src_home)
		return;
	s->b.now_ns = p->ts_ns;
	k = det_key(1, pi->src, NULL, 0, 0);
	h = det_table_get(s->b.tab, &k, p->ts_ns, &created);
	if (created) {
		memcpy(h->addr, pi->src, 16);
		baseline_init(&h->pps);
		baseline_init(&h->npeers);
		h->first_ns = p->ts_ns;
	}
	if (h->start_ns && p->ts_ns >= h->start_ns + ANOM_WIN_NS)
		det_anomaly_close(s, h, h->start_ns + ANOM_WIN_NS);
	if (!h->start_ns)
		h->start_ns = p->ts_ns;
	h->pkts++;
	memcpy(&a, pi->dst, 8);
	memcpy(&b, pi->dst + 8, 8);
	det_distinct_add(&h->peers, a ^ (b * 0x9e3779b97f4a7c15ULL));
	memcpy(h->peer, pi->dst, 16);
}

static bool det_anomaly_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_anomaly *s = ctx;
	struct anom_host *h = v;

	(void)k;
	if (h->start_ns && s->b.now_ns >= h->start_ns + ANOM_WIN_NS)
		det_anomaly_close(s, h, h->start_ns + ANOM_WIN_NS);
	return det_base_idle(&s->b, last_ns, 6 * 3600ULL * DET_NS);
}

static void det_anomaly_tick(void *st, uint64_t now_ns)
{
	struct det_anomaly *s = st;

	det_base_tick(&s->b, now_ns, DET_NS, det_anomaly_walk, s);
}

/* a restored entry: the address is the key's first one */
static void det_anomaly_init(void *v, const struct det_key *k)
{
	memcpy(((struct anom_host *)v)->addr, k->b + 8, 16);
}

/* what survives a restart: the pps and distinct-peer baselines and learned age of each entry */
static const struct det_saved_layout det_anomaly_layout = {
	.first_off = offsetof(struct anom_host, first_ns),
	.bl_off = offsetof(struct anom_host, pps),
	.n_bl = 2,
	.init = det_anomaly_init,
};

const struct det_ops det_anomaly_ops = {
	.create = det_anomaly_create,
	.destroy = det_base_destroy,
	.packet = det_anomaly_packet,
	.tick = det_anomaly_tick,
	.finish = det_base_finish,
	.learned = det_base_learned,
	.layout = &det_anomaly_layout,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_exfil.c: data leaving: a home_net host sending the outside more than
 * floor bytes a second, sustained over ten seconds (a file attached to a
 * mail or a burst of sync is seconds, not a sustained stream; the learned
 * rate is shown, never used to lower the bar: a host that usually uploads
 * nothing must still be allowed a video call), and the slow kind: one long,
 * large, one-sided upload to a single destination.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"

enum { EXFIL_WIN_S = 10, EXFIL_LONG_MULT = 50, EXFIL_ASYM = 10 };
static const uint64_t EXFIL_WIN_NS = EXFIL_WIN_S * 1000000000ULL, EXFIL_LONG_NS = 60ULL * DET_NS;

struct exfil_host {
	struct det_win w;
	uint64_t bytes;
	uint64_t pkts;
	uint8_t peer[16];
	uint16_t port;
	uint8_t proto;
	uint8_t judged;
};

struct exfil_pair {
	uint64_t first_ns;
	uint64_t out, in;
	uint64_t pkts;
	uint16_t port;
	uint8_t reported;
};

struct det_exfil {
	const struct det_env *env;
	struct det_table *hosts, *pairs;
	struct det_incidents *inc;
	double alpha;
	uint64_t now_ns;
	uint64_t next_walk_ns;
};

static void *det_exfil_create(const struct det_env *env)
{
	struct det_exfil *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->env = env;
	s->alpha = baseline_alpha(1.0, 600.0);
	s->hosts = det_table_new(8192, sizeof(struct exfil_host));
	s->pairs = det_table_new(32768, sizeof(struct exfil_pair));
	s->inc = det_incidents_new(env, 1024, 10ULL * DET_NS, 10ULL * DET_NS);
	if (!s->hosts || !s->pairs || !s->inc) {
		det_table_free(s->hosts);
		det_table_free(s->pairs);
		det_incidents_free(s->inc);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

static void det_exfil_destroy(void *st)
{
	struct det_exfil *s = st;

	det_table_free(s->hosts);
	det_table_free(s->pairs);
	det_incidents_free(s->inc);
	free(s);
}

static void det_exfil_close(struct det_exfil *s, struct exfil_host *h)
{
	if (!h->judged && h->w.start_ns)
		baseline_update(&h->w.bl, (double)h->bytes / EXFIL_WIN_S, s->alpha);
	h->bytes = 0;
	h->pkts = 0;
	h->judged = 0;
	h->w.start_ns = 0;
}

static void det_exfil_report(struct det_exfil *s, const struct pkt_info *pi, const char *metric, double observed,
			     double thr, double expected, bool learning, uint64_t onset, uint64_t now, uint64_t pkts)
{
	struct det_key k = det_key(1, pi->src, NULL, metric[0], 0);
	bool is_new;
	struct detect_incident *inc = det_incidents_open(s->inc, &k, now, &is_new);

	if (is_new) {
		inc->start_ns = onset;
		inc->metric = metric;
		inc->window_s = metric[0] == 'b' ? (double)EXFIL_WIN_S : (double)(now - onset) / DET_NS;
		inc->learning = learning;
		inc->expected = expected;
		inc->threshold = thr;
		memcpy(inc->src, pi->src, 16);
		memcpy(inc->dst, pi->dst, 16);
		inc->src_port = pi->src_port;
		inc->dst_port = pi->dst_port;
		inc->proto = pi->proto;
	}
	det_incident_add_host(inc, pi->dst);
	det_incident_add_flow(inc, pi->src, pi->src_port, pi->dst, pi->dst_port, pi->proto);
	inc->observed = observed;
	inc->zscore = expected > 0 ? (observed - expected) / (thr - expected > 0 ? thr - expected : 1) : 0;
	inc->count += pkts;
	det_incidents_report(s->inc, inc, is_new, now);
}

static void det_exfil_packet(void *st, const struct detect_pkt *p)
{
	struct det_exfil *s = st;
	const struct pkt_info *pi = p->pi;
	const struct det_env *env = s->env;
	struct det_key k;
	struct exfil_host *h;
	struct exfil_pair *pr;
	bool created, learning;
	double thr;

	if (!pi)
		return;
	s->now_ns = p->ts_ns;
	if (!p->src_home && p->dst_home) {
		/* the reply direction of a pair, for the asymmetry test */
		k = det_key(2, pi->dst, pi->src, 0, 0);
		pr = det_table_find(s->pairs, &k);
		if (pr)
			pr->in += pi->len;
		return;
	}
	if (!p->src_home || p->dst_home)
		return;
	k = det_key(1, pi->src, NULL, 0, 0);
	h = det_table_get(s->hosts, &k, p->ts_ns, &created);
	if (created)
		baseline_init(&h->w.bl);
	if (det_win_over(&h->w, p->ts_ns, EXFIL_WIN_NS))
		det_exfil_close(s, h);
	if (!h->w.start_ns)
		det_win_open(&h->w, p->ts_ns);
	h->bytes += pi->len;
	h->pkts++;
	memcpy(h->peer, pi->dst, 16);
	h->port = pi->dst_port;
	h->proto = pi->proto;
	learning = det_win_learning(&h->w, env, p->ts_ns);
	/* the floor, sustained: the window's bytes over its length */
	thr = env->cfg->floor * EXFIL_WIN_S;
	if ((double)h->bytes >= thr && !h->judged) {
		h->judged = 1;
		det_exfil_report(s, pi, "bytes_out_per_s", (double)h->bytes / EXFIL_WIN_S, env->cfg->floor,
				 learning ? 0 : h->w.bl.mean, learning, h->w.start_ns, p->ts_ns, h->pkts);
	}

	k = det_key(2, pi->src, pi->dst, 0, 0);
	pr = det_table_get(s->pairs, &k, p->ts_ns, &created);
	if (created)
		pr->first_ns = p->ts_ns;
	pr->out += pi->len;
	pr->pkts++;
	if (!pr->reported && pr->out >= env->cfg->floor * EXFIL_LONG_MULT && p->ts_ns - pr->first_ns >= EXFIL_LONG_NS &&
	    pr->out >= EXFIL_ASYM * pr->in) {
		pr->reported = 1;
		det_exfil_report(s, pi, "long_upload_bytes", (double)pr->out, env->cfg->floor * EXFIL_LONG_MULT, 0, true,
				 pr->first_ns, p->ts_ns, pr->pkts);
	}
}

static bool det_exfil_walk_hosts(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_exfil *s = ctx;
	struct exfil_host *h = v;

	(void)k;
	if (det_win_over(&h->w, s->now_ns, EXFIL_WIN_NS))
		det_exfil_close(s, h);
	return s->now_ns > last_ns + 3600ULL * DET_NS;
}

static bool det_exfil_walk_pairs(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_exfil *s = ctx;

	(void)k;
	(void)v;
	/* a pair idle for 5 minutes has ended its transfer */
	return s->now_ns > last_ns + 300ULL * DET_NS;
}

static void det_exfil_tick(void *st, uint64_t now_ns)
{
	struct det_exfil *s = st;

	s->now_ns = now_ns;
	if (now_ns >= s->next_walk_ns) {
		det_table_walk(s->hosts, det_exfil_walk_hosts, s);
		det_table_walk(s->pairs, det_exfil_walk_pairs, s);
		s->next_walk_ns = now_ns + DET_NS;
	}
	det_incidents_tick(s->inc, now_ns);
}

static void det_exfil_finish(void *st, uint64_t now_ns)
{
	struct det_exfil *s = st;

	det_incidents_finish(s->inc, now_ns);
}

/* what survives a restart: the window baselines and learned age of each entry */
static const struct det_saved_layout det_exfil_layout = {
	.first_off = offsetof(struct exfil_host, w.first_ns),
	.bl_off = offsetof(struct exfil_host, w.bl),
	.n_bl = 1,
	.init = NULL,
};

static struct det_table *det_exfil_learned(void *st)
{
	return ((struct det_exfil *)st)->hosts;
}

/* keys: hosts and host-destination pairs */
static void det_exfil_stats(void *st, struct detect_detector_stats *out)
{
	const struct det_exfil *s = st;

	out->hosts = (uint64_t)det_table_used(s->hosts) + det_table_used(s->pairs);
	out->evictions = det_table_recycled(s->hosts) + det_table_recycled(s->pairs);
}

const struct det_ops det_exfil_ops = {
	.create = det_exfil_create,
	.destroy = det_exfil_destroy,
	.packet = det_exfil_packet,
	.tick = det_exfil_tick,
	.finish = det_exfil_finish,
	.learned = det_exfil_learned,
	.layout = &det_exfil_layout,
	.stats = det_exfil_stats,
};

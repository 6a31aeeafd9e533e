// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_synflood.c: SYN floods seen as handshakes that never complete (SYNs
 * towards a host against the ACKs that should follow), sensor-wide for
 * spoofed floods spread over many victims, and SYN-ACK reflection: SYN-ACKs
 * arriving at a host that sent no SYNs. Bursts are judged at once. SYNs from
 * one source spread over many ports of a host are a scan, which the portscan
 * detector reports; a flood wears down a service, so it hits few ports.
 */
#include <stddef.h>
#include <string.h>

#include "det_common.h"

enum {
	SYN_WIN_NS = DET_NS,		/* 1 s windows: counts are rates */
	SYN_AGG_MULT = 5,		/* the sensor-wide floor is floor * this */
	SYN_BURST_MULT = 5,		/* a window this far over is judged before it closes */
};
#define SYN_HALF_OPEN 0.8		/* share of SYNs without a following ACK */

struct syn_ent {
	struct det_win w;
	uint32_t syn, ack, synack, syn_out;
	uint8_t src[16];		/* last SYN's source */
	uint8_t dst[16];
	uint16_t port;
	uint8_t judged;			/* reported within this window already */
	uint8_t agg;
	uint8_t many_src;		/* SYNs of this window came from more than one source */
	struct det_distinct ports;	/* destination ports of this window's SYNs */
	struct det_distinct srcs;	/* sources of this window's SYNs */
	uint32_t counted;		/* SYNs of this window already added to an incident */
};

struct det_synflood {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	struct syn_ent all;		/* sensor-wide */
	uint64_t last_dst_report_ns;
	uint64_t flush_ns;		/* finish: judge every open window at this time */
	double alpha;
};
_Static_assert(offsetof(struct det_synflood, b) == 0, "det_base first: det_base_* take the state");

static void *det_synflood_create(const struct det_env *env)
{
	struct det_synflood *s = det_base_new(sizeof(*s), env, 16384, sizeof(struct syn_ent),
					      10ULL * DET_NS, 5ULL * DET_NS);

	if (!s)
		return NULL;
	s->alpha = baseline_alpha(1.0, 300.0);
	s->all.agg = 1;
	baseline_init(&s->all.w.bl);
	return s;
}

static void det_synflood_report(struct det_synflood *s, struct syn_ent *e, const char *metric, double observed,
				double thr, bool learning, uint64_t now)
{
	struct det_key k = det_key(e->agg ? 2 : 1, e->agg ? NULL : e->dst, NULL, metric[0], 0);
	bool is_new;
	struct detect_incident *inc = det_incidents_open(s->b.inc, &k, now, &is_new);
	double sd = det_win_learned(&e->w, 1.0) - e->w.bl.mean;

	if (is_new) {
		inc->start_ns = e->w.start_ns;
		inc->metric = metric;
		inc->window_s = 1.0;
		inc->learning = learning;
		inc->expected = learning ? 0 : e->w.bl.mean;
		inc->threshold = thr;
		inc->proto = 6;
		if (e->agg)
			strcpy(inc->detail, "many destinations");
	}
	memcpy(inc->src, e->src, 16);
	memcpy(inc->dst, e->dst, 16);
	inc->src_spread = e->many_src;
	inc->dst_port = e->port;
	det_incident_add_port(inc, e->port);
	det_incident_add_host(inc, e->dst);	/* the victim; for many destinations the latest of them */
	inc->observed = observed;
	inc->zscore = learning ? 0 : (observed - e->w.bl.mean) / (sd > 0 ? sd : 1);
	/* the incident counts each SYN once, however often its window is judged */
	if (e->syn > e->counted) {
		inc->count += e->syn - e->counted;
		e->counted = e->syn;
	}
	det_incidents_report(s->b.inc, inc, is_new, now);
	if (!e->agg)
		s->last_dst_report_ns = now;
}

/* sources a sensor-wide SYN flood must come from: fewer is a sweep of many hosts (hostsweep's), not a flood */
enum { SYN_AGG_SOURCES = 8 };

/* One source, and at least every other SYN a new port: a vertical scan, not a flood. */
static bool det_synflood_scan_shape(const struct syn_ent *e)
{
	double ports = det_distinct_count(&e->ports);

	return !e->many_src && ports >= 4 && ports * 2 >= e->syn;
}

/* Judge e's window; final: the window is over (learn from it if calm). */
static void det_synflood_judge(struct det_synflood *s, struct syn_ent *e, uint64_t now, bool final)
{
	const struct det_env *env = s->b.env;
	double floor = env->cfg->floor * (e->agg ? SYN_AGG_MULT : 1);
	bool learning = det_win_learning(&e->w, env, now);
	double thr = det_threshold_rule(floor, learning, det_win_learned(&e->w, env->cfg->k), env->min_fraction);
	uint32_t half = e->syn > e->ack ? e->syn - e->ack : 0;
	uint32_t unsolicited = e->synack > e->syn_out ? e->synack - e->syn_out : 0;
	bool hit = false;

	if (!final && e->syn < thr * SYN_BURST_MULT && unsolicited < floor * SYN_BURST_MULT)
		return;
	if (e->syn >= thr && half >= SYN_HALF_OPEN * e->syn && !det_synflood_scan_shape(e) &&
	    (!e->agg || det_distinct_count(&e->srcs) >= SYN_AGG_SOURCES)) {
		/* a flood on one victim is that victim's; the sensor-wide view is for spread floods */
		if (!e->agg || now > s->last_dst_report_ns + 2ULL * DET_NS)
			det_synflood_report(s, e, "half_open_syn_per_s", e->syn, thr, learning, now);
		hit = true;
	} else if (!e->agg && unsolicited >= floor) {
		det_synflood_report(s, e, "unsolicited_synack_per_s", unsolicited, floor, learning, now);
		hit = true;
	}
	if (hit)
		e->judged = 1;
	if (final) {
		if (!e->judged)
			baseline_update(&e->w.bl, e->syn, s->alpha);
		e->syn = e->ack = e->synack = e->syn_out = 0;
		e->judged = 0;
		e->many_src = 0;
		e->counted = 0;
		memset(&e->ports, 0, sizeof(e->ports));
		memset(&e->srcs, 0, sizeof(e->srcs));
		e->w.start_ns = 0;
	}
}

static struct syn_ent *det_synflood_ent(struct det_synflood *s, const uint8_t addr[16], uint64_t now)
{
	struct det_key k = det_key(1, addr, NULL, 0, 0);
	bool created;
	struct syn_ent *e = det_table_get(s->b.tab, &k, now, &created);

	if (created) {
		memcpy(e->dst, addr, 16);
		baseline_init(&e->w.bl);
	}
	if (det_win_over(&e->w, now, SYN_WIN_NS))
		det_synflood_judge(s, e, now, true);
	if (!e->w.start_ns)
		det_win_open(&e->w, now);
	return e;
}

/* count a SYN from pi->src to pi->dst_port in e's window */
static void det_synflood_syn(struct syn_ent *e, const struct pkt_info *pi)
{
	if (e->syn && memcmp(e->src, pi->src, 16))
		e->many_src = 1;
	e->syn++;
	det_distinct_add(&e->ports, pi->dst_port);
	if (e->agg) {
		uint64_t a, b;

		memcpy(&a, pi->src, 8);
		memcpy(&b, pi->src + 8, 8);
		det_distinct_add(&e->srcs, a ^ (b * 0x9e3779b97f4a7c15ULL));
	}
	memcpy(e->src, pi->src, 16);
	e->port = pi->dst_port;
}

static void det_synflood_packet(void *st, const struct detect_pkt *p)
{
	struct det_synflood *s = st;
	const struct pkt_info *pi = p->pi;
	uint8_t fl;
	struct syn_ent *e;

	if (!pi || pi->proto != 6 || pi->is_fragment)
		return;
	s->b.now_ns = p->ts_ns;
	fl = pi->tcp_flags & 0x17;	/* FIN SYN RST ACK */
	if (det_win_over(&s->all.w, p->ts_ns, SYN_WIN_NS))
		det_synflood_judge(s, &s->all, p->ts_ns, true);
	if (!s->all.w.start_ns)
		det_win_open(&s->all.w, p->ts_ns);
	if (fl == 0x02) {
		e = det_synflood_ent(s, pi->dst, p->ts_ns);
		det_synflood_syn(e, pi);
		det_synflood_syn(&s->all, pi);
		memcpy(s->all.dst, pi->dst, 16);
		det_synflood_judge(s, e, p->ts_ns, false);
		e = det_synflood_ent(s, pi->src, p->ts_ns);
		e->syn_out++;
		det_synflood_judge(s, &s->all, p->ts_ns, false);
	} else if (fl == 0x12) {
		e = det_synflood_ent(s, pi->dst, p->ts_ns);
		e->synack++;
		memcpy(e->src, pi->src, 16);
		e->port = pi->dst_port;
		det_synflood_judge(s, e, p->ts_ns, false);
	} else if (fl == 0x10) {
		struct det_key k = det_key(1, pi->dst, NULL, 0, 0);

		e = det_table_find(s->b.tab, &k);
		if (e && e->w.start_ns)
			e->ack++;
		s->all.ack++;
	}
}

static bool det_synflood_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_synflood *s = ctx;
	struct syn_ent *e = v;

	(void)k;
	if (s->flush_ns && e->w.start_ns)
		det_synflood_judge(s, e, s->flush_ns, true);
	else if (det_win_over(&e->w, s->b.now_ns, SYN_WIN_NS))
		det_synflood_judge(s, e, s->b.now_ns, true);
	/* forget hosts idle for an hour whose baseline would be stale anyway */
	return det_base_idle(&s->b, last_ns, 3600ULL * DET_NS);
}

static void det_synflood_tick(void *st, uint64_t now_ns)
{
	struct det_synflood *s = st;

	/* the sensor-wide window is judged with the walk, before quiet incidents end */
	if (det_base_walk_due(&s->b, now_ns, 500000000ULL)) {
		det_table_walk(s->b.tab, det_synflood_walk, s);
		if (det_win_over(&s->all.w, now_ns, SYN_WIN_NS))
			det_synflood_judge(s, &s->all, now_ns, true);
	}
	det_incidents_tick(s->b.inc, now_ns);
}

static void det_synflood_finish(void *st, uint64_t now_ns)
{
	struct det_synflood *s = st;

	/* the capture ended: judge the open windows as if they had run their course */
	s->b.now_ns = now_ns;
	s->flush_ns = now_ns;
	det_table_walk(s->b.tab, det_synflood_walk, s);
	if (s->all.w.start_ns)
		det_synflood_judge(s, &s->all, now_ns, true);
	det_base_finish(s, now_ns);
}

/* a restored entry: the address is the key's first one */
static void det_synflood_init(void *v, const struct det_key *k)
{
	memcpy(((struct syn_ent *)v)->dst, k->b + 8, 16);
}

/* what survives a restart: the window baselines and learned age of each entry */
static const struct det_saved_layout det_synflood_layout = {
	.first_off = offsetof(struct syn_ent, w.first_ns),
	.bl_off = offsetof(struct syn_ent, w.bl),
	.n_bl = 1,
	.init = det_synflood_init,
};

const struct det_ops det_synflood_ops = {
	.create = det_synflood_create,
	.destroy = det_base_destroy,
	.packet = det_synflood_packet,
	.tick = det_synflood_tick,
	.finish = det_synflood_finish,
	.learned = det_base_learned,
	.layout = &det_synflood_layout,
	.stats = det_base_stats,
};

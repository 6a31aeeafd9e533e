// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_hostsweep.c: horizontal scans: one source probing many home_net hosts
 * on the same port within a minute, over TCP (no-ACK probes), UDP, ICMP echo
 * and ARP requests (for home_net targets: a server answering many on-link
 * peers ARPs for each of them).
 * Replies and established traffic never count, so busy servers do not sweep.
 */
#include <stddef.h>
#include <string.h>

#include "det_common.h"

enum { SWEEP_WIN_NS = 60ULL * DET_NS, SWEEP_ARP = 250 };

struct sweep_ent {
	struct det_win w;
	struct det_distinct hosts;
	uint64_t probes;
	uint8_t judged;
};

struct det_hostsweep {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	double alpha;
};
_Static_assert(offsetof(struct det_hostsweep, b) == 0, "det_base first: det_base_* take the state");

static void *det_hostsweep_create(const struct det_env *env)
{
	struct det_hostsweep *s = det_base_new(sizeof(*s), env, 16384, sizeof(struct sweep_ent),
					       10ULL * DET_NS, 30ULL * DET_NS);

	if (!s)
		return NULL;
	s->alpha = baseline_alpha(60.0, 3600.0);
	return s;
}

static void det_hostsweep_close(struct det_hostsweep *s, struct sweep_ent *e)
{
	if (!e->judged && e->w.start_ns)
		baseline_update(&e->w.bl, det_distinct_count(&e->hosts), s->alpha);
	memset(&e->hosts, 0, sizeof(e->hosts));
	e->probes = 0;
	e->judged = 0;
	e->w.start_ns = 0;
}

static uint64_t det_hostsweep_addr_hash(const uint8_t a[16])
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	return x ^ (y * 0xff51afd7ed558ccdULL);
}

/* kind: IP protocol, or SWEEP_ARP; port: TCP/UDP port or ICMP type */
static void det_hostsweep_probe(struct det_hostsweep *s, uint64_t ts, const uint8_t src[16], const uint8_t dst[16],
				uint8_t kind, uint16_t port)
{
	const struct det_env *env = s->b.env;
	struct det_key k = det_key(1, src, NULL, kind, port);
	bool created, fresh, learning, is_new;
	struct sweep_ent *e = det_table_get(s->b.tab, &k, ts, &created);
	struct detect_incident *inc;
	double n, thr;

	if (created)
		baseline_init(&e->w.bl);
	if (det_win_over(&e->w, ts, SWEEP_WIN_NS))
		det_hostsweep_close(s, e);
	if (!e->w.start_ns)
		det_win_open(&e->w, ts);
	e->probes++;
	fresh = det_distinct_add(&e->hosts, det_hostsweep_addr_hash(dst));
	n = det_distinct_count(&e->hosts);
	learning = det_win_learning(&e->w, env, ts);
	thr = det_threshold(env, learning, det_win_learned(&e->w, env->cfg->k));
	if (n < thr)
		return;
	inc = det_incidents_find(s->b.inc, &k);
	if (!fresh && inc)
		return;
	inc = det_incidents_open(s->b.inc, &k, ts, &is_new);
	if (is_new) {
		inc->start_ns = e->w.start_ns;
		inc->metric = "distinct_hosts";
		inc->window_s = (double)SWEEP_WIN_NS / DET_NS;
		inc->learning = learning;
		inc->expected = learning ? 0 : e->w.bl.mean;
		inc->threshold = thr;
		memcpy(inc->src, src, 16);
		inc->proto = kind == SWEEP_ARP ? 0 : kind;
		inc->dst_port = kind == 6 || kind == 17 ? port : 0;
		if (kind == SWEEP_ARP)
			strcpy(inc->detail, "arp");
		else if (kind == 1 || kind == 58)
			strcpy(inc->detail, "icmp echo");
		if (kind == 6 || kind == 17)
			det_incident_add_port(inc, port);
	}
	memcpy(inc->dst, dst, 16);	/* the latest target */
	det_incident_add_host(inc, dst);
	inc->observed = n;
	inc->distinct = (uint32_t)n;
	inc->count = e->probes;
	inc->zscore = det_win_zscore(&e->w, inc->expected, n);
	e->judged = 1;
	det_incidents_report(s->b.inc, inc, is_new, ts);
}

/* ARP request (opcode 1) that is not gratuitous: sender -> target protocol address */
static void det_hostsweep_arp(struct det_hostsweep *s, const struct detect_pkt *p)
{
	const uint8_t *f = p->frame;
	uint32_t off = 12;
	uint8_t src[16] = { 0 }, dst[16] = { 0 };

	if (!f || p->len < 14)
		return;
	while (off + 4 <= p->len && (f[off] == 0x81 && f[off + 1] == 0x00))
		off += 4;
	if (off + 2 + 28 > p->len || f[off] != 0x08 || f[off + 1] != 0x06)
		return;
	f += off + 2;
	/* Ethernet/IPv4 ARP, request */
	if (f[0] != 0 || f[1] != 1 || f[2] != 8 || f[3] != 0 || f[4] != 6 || f[5] != 4 || f[6] != 0 || f[7] != 1)
		return;
	if (!memcmp(f + 14, f + 24, 4))
		return;
	src[10] = src[11] = dst[10] = dst[11] = 0xff;
	memcpy(src + 12, f + 14, 4);
	memcpy(dst + 12, f + 24, 4);
	/* a host answering many on-link peers ARPs for each of them: only home_net targets count */
	if (!config_in_home_net(s->b.env->all, dst))
		return;
	det_hostsweep_probe(s, p->ts_ns, src, dst, SWEEP_ARP, 0);
}

static void det_hostsweep_packet(void *st, const struct detect_pkt *p)
{
	struct det_hostsweep *s = st;
	const struct pkt_info *pi = p->pi;

	s->b.now_ns = p->ts_ns;
	if (!pi) {
		det_hostsweep_arp(s, p);
		return;
	}
	if (pi->is_fragment || !p->dst_home)
		return;
	if (pi->proto == 6 && !(pi->tcp_flags & 0x14))
		det_hostsweep_probe(s, p->ts_ns, pi->src, pi->dst, 6, pi->dst_port);
	else if (pi->proto == 17 && pi->dst_port < pi->src_port)
		det_hostsweep_probe(s, p->ts_ns, pi->src, pi->dst, 17, pi->dst_port);
	else if ((pi->proto == 1 && pi->src_port == 8) || (pi->proto == 58 && pi->src_port == 128))
		det_hostsweep_probe(s, p->ts_ns, pi->src, pi->dst, pi->proto, (uint16_t)pi->src_port);
}

static bool det_hostsweep_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_hostsweep *s = ctx;
	struct sweep_ent *e = v;

	(void)k;
	if (det_win_over(&e->w, s->b.now_ns, SWEEP_WIN_NS))
		det_hostsweep_close(s, e);
	return det_base_idle(&s->b, last_ns, 3600ULL * DET_NS);
}

static void det_hostsweep_tick(void *st, uint64_t now_ns)
{
	struct det_hostsweep *s = st;

	det_base_tick(&s->b, now_ns, 10ULL * DET_NS, det_hostsweep_walk, s);
}

/* what survives a restart: the window baselines and learned age of each entry */
static const struct det_saved_layout det_hostsweep_layout = {
	.first_off = offsetof(struct sweep_ent, w.first_ns),
	.bl_off = offsetof(struct sweep_ent, w.bl),
	.n_bl = 1,
	.init = NULL,
};

const struct det_ops det_hostsweep_ops = {
	.create = det_hostsweep_create,
	.destroy = det_base_destroy,
	.packet = det_hostsweep_packet,
	.tick = det_hostsweep_tick,
	.finish = det_base_finish,
	.learned = det_base_learned,
	.layout = &det_hostsweep_layout,
};

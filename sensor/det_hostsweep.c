// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_hostsweep.c: horizontal scans: one source probing many hosts on the
 * same port (TCP, UDP, ICMP echo, ARP) within a minute, inside home_net or
 * out of it (an infected host spreading: telnet to random addresses, a worm
 * spraying UDP). A probe fails when it is refused (a RST, an ICMP
 * unreachable), unanswered (1 s on the LAN, 2 s beyond), reset by the prober
 * once accepted (a SYN scan), or a handshake is closed without a byte (a
 * connect scan); an ARP request nobody answered. Towards the outside only
 * single-shot probes count (one packet, not retransmitted within the 4 s
 * answer time: what bots and sprays send): a program connecting
 * retransmits, and a peer-to-peer client's stale peer list fails like a
 * sweep. A sweep of home_net is
 * floor distinct hosts probed of which a quarter failed (a sweep walks
 * addresses, and some are not in use); a sweep of the outside is floor
 * distinct hosts failed. So a monitoring server pinging its live hosts, a
 * gateway resolving its LAN or a browser opening forty sites do not sweep.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "det_common.h"

enum {
	SWEEP_WIN_NS = 60ULL * DET_NS,
	SWEEP_ARP = 250,		/* "protocol" of ARP entries */
	SWEEP_ARP_WAIT_NS = DET_NS,	/* an ARP request unanswered this long failed */
	SWEEP_ARPS = 8192,		/* ARP requests awaiting their answer */
};

struct sweep_ent {
	struct det_win w;
	struct det_distinct_wide hosts;	/* targets probed this window */
	struct det_distinct_wide failed;	/* targets whose probe failed this window */
	uint64_t probes;		/* probes this window */
	uint8_t judged;
};

/* an ARP request awaiting its answer: key (sender, target) */
struct sweep_arp {
	uint64_t ts_ns;
};

struct det_hostsweep {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	struct det_table *arps;
	double alpha;
	uint64_t arp_walk_ns;
};
_Static_assert(offsetof(struct det_hostsweep, b) == 0, "det_base first: det_base_* take the state");

static void det_hostsweep_destroy(void *st)
{
	struct det_hostsweep *s = st;

	if (s)
		det_table_free(s->arps);
	det_base_destroy(st);
}

static void *det_hostsweep_create(const struct det_env *env)
{
	struct det_hostsweep *s = det_base_new(sizeof(*s), env, 8192, sizeof(struct sweep_ent),
					       10ULL * DET_NS, 30ULL * DET_NS);

	if (!s)
		return NULL;
	s->alpha = baseline_alpha(60.0, 3600.0);
	s->arps = det_table_new(SWEEP_ARPS, sizeof(struct sweep_arp));
	if (!s->arps) {
		det_hostsweep_destroy(s);
		return NULL;
	}
	return s;
}

static void det_hostsweep_close(struct det_hostsweep *s, struct sweep_ent *e)
{
	if (!e->judged && e->w.start_ns)
		baseline_update(&e->w.bl, det_distinct_wide_count(&e->hosts), s->alpha);
	memset(&e->hosts, 0, sizeof(e->hosts));
	memset(&e->failed, 0, sizeof(e->failed));
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

/*
 * A probe from src (port sport) to dst (failed: how it failed, NULL: just
 * sent): kind the IP protocol or SWEEP_ARP, port the TCP/UDP port or ICMP type.
 */
static void det_hostsweep_probe(struct det_hostsweep *s, uint64_t ts, const uint8_t src[16], uint16_t sport,
				const uint8_t dst[16], uint8_t kind, uint16_t port, const char *how)
{
	const struct det_env *env = s->b.env;
	bool outbound = !config_in_home_net(env->all, dst);
	struct det_key k = det_key(outbound ? 2 : 1, src, NULL, kind, port);
	bool created, fresh, learning, is_new;
	struct sweep_ent *e = det_table_get(s->b.tab, &k, ts, &created);
	struct detect_incident *inc;
	double n, nf, thr;
	uint64_t h = det_hostsweep_addr_hash(dst);

	if (created)
		baseline_init(&e->w.bl);
	if (det_win_over(&e->w, ts, SWEEP_WIN_NS))
		det_hostsweep_close(s, e);
	if (!e->w.start_ns)
		det_win_open(&e->w, ts);
	if (how) {
		fresh = det_distinct_wide_add(&e->failed, h);
		det_distinct_wide_add(&e->hosts, h);
	} else {
		e->probes++;
		fresh = det_distinct_wide_add(&e->hosts, h);
	}
	n = det_distinct_wide_count(&e->hosts);
	nf = det_distinct_wide_count(&e->failed);
	learning = det_win_learning(&e->w, env, ts);
	thr = det_threshold(env, learning, det_win_learned(&e->w, env->cfg->k));
	/* home_net: floor hosts probed, a quarter of them failed; outside: floor failed */
	if (outbound ? nf < thr : (n < thr || nf < (thr / 4 > 2 ? thr / 4 : 2)))
		return;
	inc = det_incidents_find(s->b.inc, &k);
	if (!fresh && inc)
		return;
	inc = det_incidents_open(s->b.inc, &k, ts, &is_new);
	if (is_new) {
		inc->start_ns = e->w.start_ns;
		inc->metric = outbound ? "distinct_outside_hosts" : "distinct_hosts";
		inc->window_s = (double)SWEEP_WIN_NS / DET_NS;
		inc->learning = learning;
		inc->expected = learning ? 0 : e->w.bl.mean;
		inc->threshold = thr;
		memcpy(inc->src, src, 16);
		memcpy(inc->dst, dst, 16);
		inc->proto = kind == SWEEP_ARP ? 0 : kind;
		inc->arp = kind == SWEEP_ARP;
		if (kind == 6 || kind == 17) {
			inc->src_port = sport;
			inc->dst_port = port;
			det_incident_add_port(inc, port);
		} else if (kind == 1 || kind == 58) {
			inc->icmp = 1;
			inc->icmp_type = (uint8_t)port;
		}
		/* an internal host probing the Internet: it is likely infected and spreading */
		if (outbound)
			inc->severity = 2;
		inc->technique = kind == SWEEP_ARP || kind == 1 || kind == 58 ? "T1018" : "T1046";
	}
	det_incident_add_host(inc, dst);
	if (kind != SWEEP_ARP)
		det_incident_add_flow(inc, src, sport, dst, port, kind);
	snprintf(inc->detail, sizeof(inc->detail), "%s%s%.0f of %.0f hosts probed failed", outbound ? "outbound sweep: " : "",
		 kind == SWEEP_ARP ? "arp: " : "", nf, n);
	inc->observed = outbound ? nf : n;
	inc->distinct = (uint32_t)(outbound ? nf : n);
	inc->count = e->probes > inc->distinct ? e->probes : inc->distinct;
	inc->zscore = det_win_zscore(&e->w, inc->expected, n);
	e->judged = 1;
	det_incidents_report(s->b.inc, inc, is_new, ts);
}

/* A conversation's failure: a probe of a host that was refused, unanswered, reset or left empty. */
static void det_hostsweep_conn(void *st, const struct det_conn *c, enum det_conn_event ev, uint64_t now_ns)
{
	struct det_hostsweep *s = st;
	const char *how;

	/* sweeps of home_net, and sweeps from it; a TCP client that sent data held a conversation
	 * (a UDP probe carries its question in its one datagram) */
	if (c->status & DET_CONN_GROUP || (c->proto == 6 && c->segs[0]) || !(c->home & 3))
		return;
	if (!(c->home & 2)) {
		/*
		 * Outside targets: a probe sent once, refused or still unanswered after 4 s. A program
		 * connecting retransmits by then (and a peer-to-peer client's stale peer list fails like
		 * a sweep); a spreading bot or a spray sends each target one packet.
		 */
		if (ev != DET_CONN_EV_FAILED || c->pkts[0] != 1)
			return;
		s->b.now_ns = now_ns;
		if (c->proto == 6 || c->proto == 17)
			det_hostsweep_probe(s, now_ns, c->cli, c->cport, c->srv, c->proto, c->sport,
					    c->status & DET_CONN_REFUSED ? "refused" : "unanswered");
		return;
	}
	switch (ev) {
	case DET_CONN_EV_REFUSED: how = "refused"; break;
	case DET_CONN_EV_UNANSWERED: how = "unanswered"; break;
	case DET_CONN_EV_HALFOPEN: how = "reset after the handshake"; break;
	case DET_CONN_EV_END:
		/* a connect scan: the handshake completed, nobody said a word */
		if (c->proto != 6 || (c->status & (DET_CONN_HALFOPEN | DET_CONN_REFUSED | DET_CONN_MIDSTREAM)) ||
		    c->segs[1] || (c->flags[1] & 0x12) != 0x12 || !(c->fin & 1))
			return;
		how = "connected, closed without data";
		break;
	default:
		return;
	}
	s->b.now_ns = now_ns;
	if (c->proto == 6 || c->proto == 17)
		det_hostsweep_probe(s, now_ns, c->cli, c->cport, c->srv, c->proto, c->sport, how);
	else if ((c->proto == 1 || c->proto == 58) && ev != DET_CONN_EV_END)
		det_hostsweep_probe(s, now_ns, c->cli, 0, c->srv, c->proto, c->proto == 1 ? 8 : 128, how);
}

/* An ARP frame: requests wait for their answer; a reply settles the request it answers. */
static void det_hostsweep_arp(struct det_hostsweep *s, const struct detect_pkt *p)
{
	const uint8_t *f = p->frame;
	uint32_t off = 12;
	uint8_t spa[16] = { 0 }, tpa[16] = { 0 };
	struct det_key k;
	struct sweep_arp *a;
	bool created;

	if (!f || p->len < 14)
		return;
	while (off + 4 <= p->len && (f[off] == 0x81 && f[off + 1] == 0x00))
		off += 4;
	if (off + 2 + 28 > p->len || f[off] != 0x08 || f[off + 1] != 0x06)
		return;
	f += off + 2;
	/* Ethernet/IPv4 ARP, request (1) or reply (2) */
	if (f[0] != 0 || f[1] != 1 || f[2] != 8 || f[3] != 0 || f[4] != 6 || f[5] != 4 || f[6] != 0 ||
	    (f[7] != 1 && f[7] != 2))
		return;
	spa[10] = spa[11] = tpa[10] = tpa[11] = 0xff;
	memcpy(spa + 12, f + 14, 4);
	memcpy(tpa + 12, f + 24, 4);
	if (f[7] == 2) {
		/* the target answers the sender: that request did not fail */
		k = det_key(3, tpa, spa, 0, 0);
		a = det_table_find(s->arps, &k);
		if (a)
			det_table_del(s->arps, a);
		return;
	}
	/* gratuitous (announcing itself) or from 0.0.0.0 (address probing before use): no sweep */
	if (!memcmp(f + 14, f + 24, 4) || !memcmp(spa + 12, "\0\0\0\0", 4))
		return;
	k = det_key(3, spa, tpa, 0, 0);
	a = det_table_get(s->arps, &k, p->ts_ns, &created);
	if (created)
		a->ts_ns = p->ts_ns;
	/* a host answering many on-link peers ARPs for each of them: only home_net targets count */
	if (config_in_home_net(s->b.env->all, tpa))
		det_hostsweep_probe(s, p->ts_ns, spa, 0, tpa, SWEEP_ARP, 0, NULL);
}

struct det_hostsweep_arp_walk {
	struct det_hostsweep *s;
	uint64_t now_ns;
	bool all;
};

/* requests nobody answered in time are failed probes */
static bool det_hostsweep_arp_due(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_hostsweep_arp_walk *w = ctx;
	struct sweep_arp *a = v;

	(void)last_ns;
	if (!w->all && w->now_ns < a->ts_ns + SWEEP_ARP_WAIT_NS)
		return false;
	if (config_in_home_net(w->s->b.env->all, k->b + 24))
		det_hostsweep_probe(w->s, a->ts_ns + SWEEP_ARP_WAIT_NS, k->b + 8, 0, k->b + 24, SWEEP_ARP, 0,
				    "unanswered");
	return true;
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
	/* probes as they are sent, towards home_net (the outside counts failures only) */
	if (pi->is_fragment || !p->dst_home || det_conn_is_group(pi->dst))
		return;
	if (pi->proto == 6 && !(pi->tcp_flags & 0x14))
		det_hostsweep_probe(s, p->ts_ns, pi->src, pi->src_port, pi->dst, 6, pi->dst_port, NULL);
	else if (pi->proto == 17 && pi->dst_port < pi->src_port && p->from_client)
		det_hostsweep_probe(s, p->ts_ns, pi->src, pi->src_port, pi->dst, 17, pi->dst_port, NULL);
	else if ((pi->proto == 1 && pi->src_port == 8) || (pi->proto == 58 && pi->src_port == 128))
		det_hostsweep_probe(s, p->ts_ns, pi->src, 0, pi->dst, pi->proto, (uint16_t)pi->src_port, NULL);
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

static void det_hostsweep_arps(struct det_hostsweep *s, uint64_t now_ns, bool all)
{
	struct det_hostsweep_arp_walk w = { .s = s, .now_ns = now_ns, .all = all };

	if (det_table_used(s->arps))
		det_table_walk(s->arps, det_hostsweep_arp_due, &w);
}

static void det_hostsweep_tick(void *st, uint64_t now_ns)
{
	struct det_hostsweep *s = st;

	if (now_ns >= s->arp_walk_ns) {
		s->arp_walk_ns = now_ns + DET_NS / 4;
		det_hostsweep_arps(s, now_ns, false);
	}
	det_base_tick(&s->b, now_ns, 10ULL * DET_NS, det_hostsweep_walk, s);
}

static void det_hostsweep_finish(void *st, uint64_t now_ns)
{
	struct det_hostsweep *s = st;

	/* the input ended: requests still waiting were never answered */
	det_hostsweep_arps(s, now_ns, true);
	det_base_finish(s, now_ns);
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
	.destroy = det_hostsweep_destroy,
	.packet = det_hostsweep_packet,
	.tick = det_hostsweep_tick,
	.finish = det_hostsweep_finish,
	.conn = det_hostsweep_conn,
	.learned = det_base_learned,
	.layout = &det_hostsweep_layout,
	.stats = det_base_stats,
};

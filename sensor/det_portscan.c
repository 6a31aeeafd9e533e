// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_portscan.c: vertical scans: one source probing many ports of one host
 * within a minute (TCP packets opening or probing without ACK, UDP from a
 * client port to a well-known one, and for ICMP the number of distinct request types and codes,
 * which is how ICMP fingerprinting shows). Judged on every new port.
 * Stealth scans and OS fingerprinting show in fewer packets: TCP segments
 * whose flags no stack sends in a real connection (NULL, SYN+FIN, SYN+RST,
 * FIN or URG/PSH without ACK); a few of them from one source to one host
 * within the window are reported whatever the number of ports.
 * Remote-access probes are one connection each: a VNC session (det_rfb) whose
 * client failed authentication at machine speed (answering the challenge
 * within a second, as no one typing a password does), or got in without a
 * password and left before ClientInit, as scanners hunting for open or
 * weakly protected VNC servers do.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "det_common.h"
#include "det_rfb.h"

enum { SCAN_WIN_NS = 60ULL * DET_NS, SCAN_ICMP_DIV = 5, SCAN_ICMP_MIN = 4, SCAN_PER_PORT = 4, SCAN_STEALTH_MIN = 3 };

/*
 * VNC sessions followed at once (the oldest is recycled), the longest an RFB
 * handshake message is (a version line, a type list, a failure reason), how
 * fast a machine answers a challenge, and how long an idle handshake is kept.
 */
enum { SCAN_RFB_SESSIONS = 4096, SCAN_RFB_MSG_MAX = 300 };
static const uint64_t SCAN_RFB_MACHINE_NS = 1ULL * DET_NS, SCAN_RFB_IDLE_NS = 30ULL * DET_NS;

/* TCP flag sets no stack sends in a real connection, by what nmap and friends call them */
enum det_portscan_odd {
	SCAN_ODD_NULL = 1,		/* no flags */
	SCAN_ODD_SYNFIN = 2,		/* SYN+FIN */
	SCAN_ODD_SYNRST = 4,		/* SYN+RST */
	SCAN_ODD_FIN = 8,		/* FIN without ACK (FIN scan, Xmas FIN+URG+PSH) */
	SCAN_ODD_URGPSH = 16,		/* URG or PSH without ACK or SYN */
};

static const char *const det_portscan_odd_names[] = { "NULL", "SYN+FIN", "SYN+RST", "FIN-no-ACK", "URG/PSH-no-ACK" };

struct scan_ent {
	struct det_win w;
	struct det_distinct ports;
	struct det_distinct icmp;
	uint64_t probes;
	uint8_t judged;
	uint8_t odd_kinds;		/* enum det_portscan_odd seen this window */
	uint32_t odd;			/* segments with odd flags this window */
	uint32_t rfb_probes;		/* VNC probes this window */
};

/* one VNC session being followed, keyed by its sockets in address order */
struct scan_rfb {
	struct det_rfb r;
	uint64_t seen_ns;
	uint8_t server_low;		/* the server is the key's first socket */
};

struct det_portscan {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	double alpha;
	struct det_table *rfb;		/* VNC handshakes being followed (not learned state) */
	uint64_t rfb_walk_ns;		/* when tick drops idle ones next */
};
_Static_assert(offsetof(struct det_portscan, b) == 0, "det_base first: det_base_* take the state");

static void *det_portscan_create(const struct det_env *env)
{
	struct det_portscan *s = det_base_new(sizeof(*s), env, 32768, sizeof(struct scan_ent),
					      10ULL * DET_NS, 30ULL * DET_NS);

	if (!s)
		return NULL;
	s->alpha = baseline_alpha(60.0, 3600.0);
	s->rfb = det_table_new(SCAN_RFB_SESSIONS, sizeof(struct scan_rfb));
	if (!s->rfb) {
		det_base_destroy(s);
		return NULL;
	}
	return s;
}

static void det_portscan_destroy(void *st)
{
	struct det_portscan *s = st;

	if (s)
		det_table_free(s->rfb);
	det_base_destroy(st);
}

static void det_portscan_close(struct det_portscan *s, struct scan_ent *e)
{
	if (!e->judged && e->w.start_ns)
		baseline_update(&e->w.bl, det_distinct_count(&e->ports), s->alpha);
	memset(&e->ports, 0, sizeof(e->ports));
	memset(&e->icmp, 0, sizeof(e->icmp));
	e->probes = 0;
	e->judged = 0;
	e->odd = 0;
	e->odd_kinds = 0;
	e->rfb_probes = 0;
	e->w.start_ns = 0;
}

/* the src -> dst entry with its window brought to now_ns (a new one opened) */
static struct scan_ent *det_portscan_ent(struct det_portscan *s, const uint8_t *src, const uint8_t *dst,
					 uint64_t now_ns)
{
	struct det_key k = det_key(1, src, dst, 0, 0);
	bool created;
	struct scan_ent *e = det_table_get(s->b.tab, &k, now_ns, &created);

	if (created)
		baseline_init(&e->w.bl);
	if (det_win_over(&e->w, now_ns, SCAN_WIN_NS))
		det_portscan_close(s, e);
	if (!e->w.start_ns)
		det_win_open(&e->w, now_ns);
	return e;
}

/* What a new portscan incident says from the start: src probing dst, in e's window. */
static void det_portscan_begin(struct detect_incident *inc, const struct scan_ent *e, const char *metric,
			       const uint8_t *src, const uint8_t *dst, uint8_t proto, double threshold)
{
	inc->start_ns = e->w.start_ns;
	inc->metric = metric;
	inc->window_s = (double)SCAN_WIN_NS / DET_NS;
	inc->threshold = threshold;
	memcpy(inc->src, src, 16);
	memcpy(inc->dst, dst, 16);
	inc->proto = proto;
	det_incident_add_host(inc, dst);
}

/* One probe from pi->src to pi->dst; port is the TCP/UDP port, icmp_kind 0 or type<<8|code + 1. */
static void det_portscan_probe(struct det_portscan *s, const struct detect_pkt *p, uint16_t port, uint32_t icmp_kind)
{
	const struct pkt_info *pi = p->pi;
	const struct det_env *env = s->b.env;
	struct det_key k;
	bool fresh, learning, is_new;
	struct scan_ent *e = det_portscan_ent(s, p->pi->src, p->pi->dst, p->ts_ns);
	double n, thr;
	const char *metric;
	struct detect_incident *inc;

	e->probes++;
	learning = det_win_learning(&e->w, env, p->ts_ns);
	if (icmp_kind) {
		fresh = det_distinct_add(&e->icmp, icmp_kind);
		n = det_distinct_count(&e->icmp);
		thr = env->cfg->floor / SCAN_ICMP_DIV;
		if (thr < SCAN_ICMP_MIN)
			thr = SCAN_ICMP_MIN;
		metric = "distinct_icmp_types";
	} else {
		fresh = det_distinct_add(&e->ports, ((uint64_t)pi->proto << 16) | port);
		n = det_distinct_count(&e->ports);
		thr = det_threshold(env, learning, det_win_learned(&e->w, env->cfg->k));
		metric = "distinct_ports";
	}
	/* a scan sends a packet or two per port; many per port is a flood's random ports */
	if (n < thr || (!icmp_kind && e->probes > SCAN_PER_PORT * n))
		return;
	k = det_key(1, pi->src, pi->dst, icmp_kind ? 1 : 0, 0);
	inc = det_incidents_find(s->b.inc, &k);
	if (!fresh && inc)
		return;
	inc = det_incidents_open(s->b.inc, &k, p->ts_ns, &is_new);
	if (is_new) {
		det_portscan_begin(inc, e, metric, pi->src, pi->dst, pi->proto, thr);
		inc->learning = learning;
		inc->expected = learning || icmp_kind ? 0 : e->w.bl.mean;
	}
	if (!icmp_kind)
		det_incident_add_port(inc, port);
	inc->dst_port = icmp_kind ? 0 : port;
	inc->observed = n;
	inc->distinct = (uint32_t)n;
	inc->count = e->probes;
	inc->zscore = det_win_zscore(&e->w, inc->expected, n);
	e->judged = 1;
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

/* The enum det_portscan_odd of a TCP flag byte, 0 for one a real connection may carry. */
static unsigned int det_portscan_odd_flags(uint8_t fl)
{
	fl &= 0x3f;	/* ECE and CWR are congestion signals, legal on a SYN */
	if (!fl)
		return SCAN_ODD_NULL;
	if ((fl & 0x03) == 0x03)
		return SCAN_ODD_SYNFIN;
	if ((fl & 0x06) == 0x06)
		return SCAN_ODD_SYNRST;
	if ((fl & 0x11) == 0x01)
		return SCAN_ODD_FIN;
	if ((fl & 0x28) && !(fl & 0x16))
		return SCAN_ODD_URGPSH;
	return 0;
}

/* A segment with odd flags from pi->src to pi->dst: SCAN_STEALTH_MIN of them in a window are a stealth scan. */
static void det_portscan_stealth(struct det_portscan *s, const struct detect_pkt *p, unsigned int kind)
{
	const struct pkt_info *pi = p->pi;
	struct det_key k;
	bool is_new;
	struct scan_ent *e = det_portscan_ent(s, p->pi->src, p->pi->dst, p->ts_ns);
	struct detect_incident *inc;
	unsigned int i, n = 0;
	bool fresh;

	fresh = !(e->odd_kinds & kind);
	e->odd_kinds |= (uint8_t)kind;
	e->odd++;
	if (e->odd < SCAN_STEALTH_MIN)
		return;
	k = det_key(1, pi->src, pi->dst, 2, 0);
	inc = det_incidents_find(s->b.inc, &k);
	if (inc && !fresh) {
		/* updates only when a new kind of probe shows up; the counts keep up */
		det_incident_add_port(inc, pi->dst_port);
		inc->observed = e->odd;
		inc->count = e->odd;
		return;
	}
	inc = det_incidents_open(s->b.inc, &k, p->ts_ns, &is_new);
	if (is_new)
		det_portscan_begin(inc, e, "stealth_probes", pi->src, pi->dst, 6, SCAN_STEALTH_MIN);
	inc->detail[0] = 0;
	for (i = 0; i < sizeof(det_portscan_odd_names) / sizeof(det_portscan_odd_names[0]); i++)
		if (e->odd_kinds & (1u << i))
			n += (unsigned int)snprintf(inc->detail + n, sizeof(inc->detail) - n, "%s%s", n ? "," : "",
						    det_portscan_odd_names[i]);
	det_incident_add_port(inc, pi->dst_port);
	inc->dst_port = pi->dst_port;
	inc->observed = e->odd;
	inc->count = e->odd;
	e->judged = 1;
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

/* A VNC probe by client on server:port that ended as out; delay_ns: challenge to answer. */
static void det_portscan_rfb_probe(struct det_portscan *s, const uint8_t *client, const uint8_t *server,
				   uint16_t port, enum det_rfb_outcome out, uint64_t delay_ns, uint64_t now_ns)
{
	struct scan_ent *e = det_portscan_ent(s, client, server, now_ns);
	struct det_key k = det_key(1, client, server, 3, 0);
	struct detect_incident *inc;
	bool is_new;

	e->rfb_probes++;
	inc = det_incidents_open(s->b.inc, &k, now_ns, &is_new);
	if (is_new)
		det_portscan_begin(inc, e, "vnc_probes", client, server, 6, 1);
	if (out == DET_RFB_AUTH_FAILED)
		snprintf(inc->detail, sizeof(inc->detail), "VNC authentication failed, challenge answered in %.0f ms",
			 (double)delay_ns / 1e6);
	else
		snprintf(inc->detail, sizeof(inc->detail), "VNC access granted, closed before ClientInit");
	det_incident_add_port(inc, port);
	inc->dst_port = port;
	inc->observed = e->rfb_probes;
	inc->count = e->rfb_probes;
	e->judged = 1;
	det_incidents_report(s->b.inc, inc, is_new, now_ns);
}

/* A TCP segment with a short payload, or a FIN or RST: the VNC handshakes it may belong to. */
static void det_portscan_rfb(struct det_portscan *s, const struct detect_pkt *p)
{
	const struct pkt_info *pi = p->pi;
	bool banner = det_rfb_is_banner(p->payload, p->payload_len), created, low, from_server;
	struct det_key k;
	struct scan_rfb *v;
	enum det_rfb_outcome out;
	uint64_t delay_ns;
	int c;

	if (!banner && !det_table_used(s->rfb))
		return;
	c = memcmp(pi->src, pi->dst, 16);
	low = c < 0 || (c == 0 && pi->src_port < pi->dst_port);
	k = low ? det_key(4, pi->src, pi->dst, pi->src_port, pi->dst_port)
		: det_key(4, pi->dst, pi->src, pi->dst_port, pi->src_port);
	v = det_table_find(s->rfb, &k);
	if (!v) {
		if (!banner)
			return;
		/* the server speaks first: whoever sends the first version line serves */
		v = det_table_get(s->rfb, &k, p->ts_ns, &created);
		v->server_low = low;
		v->seen_ns = p->ts_ns;
		out = det_rfb_start(&v->r, p->payload, p->payload_len, p->ts_ns);
		from_server = true;
	} else {
		from_server = v->server_low == low;
		v->seen_ns = p->ts_ns;
		if (p->payload_len)
			out = det_rfb_bytes(&v->r, from_server, p->payload, p->payload_len, p->ts_ns);
		else if (!from_server)
			out = det_rfb_client_closed(&v->r);
		else
			out = DET_RFB_LOST;	/* the server closed first */
	}
	if (out == DET_RFB_PENDING)
		return;
	delay_ns = v->r.response_ns - v->r.challenge_ns;
	if ((out == DET_RFB_AUTH_FAILED && delay_ns < SCAN_RFB_MACHINE_NS) || out == DET_RFB_LEFT)
		det_portscan_rfb_probe(s, from_server ? pi->dst : pi->src, from_server ? pi->src : pi->dst,
				       from_server ? pi->src_port : pi->dst_port, out, delay_ns, p->ts_ns);
	det_table_del(s->rfb, v);
}

static void det_portscan_packet(void *st, const struct detect_pkt *p)
{
	struct det_portscan *s = st;
	const struct pkt_info *pi = p->pi;

	if (!pi || pi->is_fragment)
		return;
	s->b.now_ns = p->ts_ns;
	if (pi->proto == 6) {
		unsigned int odd = det_portscan_odd_flags(pi->tcp_flags);

		if (odd)
			det_portscan_stealth(s, p, odd);
		/* SYN, FIN, NULL, Xmas probes: no ACK, no RST */
		if (!(pi->tcp_flags & 0x14))
			det_portscan_probe(s, p, pi->dst_port, 0);
		/* VNC handshakes: short messages, and how they end (FIN, RST) */
		if (p->payload_len ? p->payload_len <= SCAN_RFB_MSG_MAX : (pi->tcp_flags & 0x05) != 0)
			det_portscan_rfb(s, p);
	} else if (pi->proto == 17) {
		/* a client port towards a well-known one: random-port UDP floods stay the flood detector's */
		if (pi->dst_port < 1024 && pi->src_port >= 1024) {
			det_portscan_probe(s, p, pi->dst_port, 0);
		} else {
			/* not a probe, but it counts against the packets-per-port ratio */
			struct det_key k = det_key(1, pi->src, pi->dst, 0, 0);
			struct scan_ent *e = det_table_find(s->b.tab, &k);

			if (e && e->w.start_ns)
				e->probes++;
		}
	} else if (pi->proto == 1) {
		uint8_t t = (uint8_t)pi->src_port;	/* pkt.c: ICMP type in src_port, code in dst_port */

		if (t == 8 || t == 13 || t == 15 || t == 17)
			det_portscan_probe(s, p, 0, ((uint32_t)t << 8 | (uint8_t)pi->dst_port) + 1);
	} else if (pi->proto == 58) {
		uint8_t t = (uint8_t)pi->src_port;

		if (t == 128 || t == 139)
			det_portscan_probe(s, p, 0, ((uint32_t)t << 8 | (uint8_t)pi->dst_port) + 1);
	}
}

static bool det_portscan_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_portscan *s = ctx;
	struct scan_ent *e = v;

	(void)k;
	if (det_win_over(&e->w, s->b.now_ns, SCAN_WIN_NS))
		det_portscan_close(s, e);
	return det_base_idle(&s->b, last_ns, 3600ULL * DET_NS);
}

static bool det_portscan_rfb_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	const struct det_portscan *s = ctx;
	const struct scan_rfb *r = v;

	(void)k;
	(void)last_ns;
	return s->b.now_ns > r->seen_ns + SCAN_RFB_IDLE_NS;
}

static void det_portscan_tick(void *st, uint64_t now_ns)
{
	struct det_portscan *s = st;

	s->b.now_ns = now_ns;
	if (det_table_used(s->rfb) && now_ns >= s->rfb_walk_ns) {
		s->rfb_walk_ns = now_ns + SCAN_RFB_IDLE_NS;
		det_table_walk(s->rfb, det_portscan_rfb_walk, s);
	}
	det_base_tick(&s->b, now_ns, 10ULL * DET_NS, det_portscan_walk, s);
}

/* what survives a restart: the window baselines and learned age of each entry */
static const struct det_saved_layout det_portscan_layout = {
	.first_off = offsetof(struct scan_ent, w.first_ns),
	.bl_off = offsetof(struct scan_ent, w.bl),
	.n_bl = 1,
	.init = NULL,
};

const struct det_ops det_portscan_ops = {
	.create = det_portscan_create,
	.destroy = det_portscan_destroy,
	.packet = det_portscan_packet,
	.tick = det_portscan_tick,
	.finish = det_base_finish,
	.learned = det_base_learned,
	.layout = &det_portscan_layout,
};

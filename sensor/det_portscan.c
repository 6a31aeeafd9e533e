// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_portscan.c: vertical scans: one source probing many ports of one host.
 * A probe is a TCP segment that opens or probes without ACK (SYN, FIN, NULL,
 * Xmas), any UDP datagram a client sends (at most a few per port: more is a
 * stream or a flood), or a conversation the host refused (its RST to a bare
 * ACK or window probe, its ICMP unreachable to a UDP probe): counted within
 * a minute, judged on every new port. A host probed with many IP protocols
 * (nmap -sO) is one too. Slow scans (a probe every few seconds or minutes)
 * show in an hour's window of ports whose probes failed (refused,
 * unanswered, or a handshake reset before a byte).
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

enum {
	SCAN_WIN_NS = 60ULL * DET_NS,
	SCAN_ICMP_DIV = 5,
	SCAN_ICMP_MIN = 4,
	SCAN_PER_PORT = 4,
	SCAN_STEALTH_MIN = 3,
	SCAN_PROTOS = 8,		/* distinct IP protocols to one host: a protocol scan */
};
/* UDP to one host from this many sources in a few seconds is a flood's, not scans */
enum { SCAN_UDP_SOURCES = 4, SCAN_UDP_PROBE_BYTES = 64, SCAN_UDP_MAX_PPS = 1000 };
static const uint64_t SCAN_UDP_SRC_NS = 5ULL * DET_NS;
/* a slow scan's window: ports whose probes failed, over an hour */
static const uint64_t SCAN_SLOW_NS = 3600ULL * DET_NS;

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
	uint8_t n_protos;		/* IP protocols seen this window */
	uint32_t odd;			/* segments with odd flags this window */
	uint32_t rfb_probes;		/* VNC probes this window */
	uint64_t protos[4];		/* bit p: IP protocol p sent this window */
	uint64_t udp;			/* UDP datagrams sent this window (probes or not) */
	uint64_t slow_start;		/* the slow window: failed probes' ports over an hour */
	struct det_distinct slow;
};

/* one VNC session being followed, keyed by its sockets in address order */
struct scan_rfb {
	struct det_rfb r;
	uint64_t seen_ns;
	uint8_t server_low;		/* the server is the key's first socket */
};

/* who sends UDP to one host: many at once is a flood (random ports), whose sources are no scanners */
struct scan_udp_dst {
	uint64_t start_ns;
	uint32_t src[SCAN_UDP_SOURCES];
	uint8_t n;
};

struct det_portscan {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	struct det_incidents *slow;	/* slow scans: they end after ten quiet minutes, not thirty seconds */
	struct det_table *udp_dsts;	/* host -> struct scan_udp_dst */
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
	s->slow = det_incidents_new(env, 1024, 60ULL * DET_NS, 600ULL * DET_NS);
	s->udp_dsts = det_table_new(8192, sizeof(struct scan_udp_dst));
	if (!s->rfb || !s->slow || !s->udp_dsts) {
		det_base_destroy(s);
		return NULL;
	}
	return s;
}

static void det_portscan_destroy(void *st)
{
	struct det_portscan *s = st;

	if (s) {
		det_table_free(s->rfb);
		det_incidents_free(s->slow);
		det_table_free(s->udp_dsts);
	}
	det_base_destroy(st);
}

static void det_portscan_close(struct det_portscan *s, struct scan_ent *e)
{
	if (!e->judged && e->w.start_ns)
		baseline_update(&e->w.bl, det_distinct_count(&e->ports), s->alpha);
	memset(&e->ports, 0, sizeof(e->ports));
	memset(&e->icmp, 0, sizeof(e->icmp));
	memset(e->protos, 0, sizeof(e->protos));
	e->n_protos = 0;
	e->udp = 0;
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

/*
 * One probe from src to dst: port the TCP/UDP port probed, icmp_kind 0 or
 * type<<8|code + 1; sport/src_port the probing conversation (alert tuple).
 */
static void det_portscan_probe(struct det_portscan *s, uint64_t ts, const uint8_t *src, uint16_t sport,
			       const uint8_t *dst, uint8_t proto, uint16_t port, uint32_t icmp_kind)
{
	const struct det_env *env = s->b.env;
	struct det_key k;
	bool fresh, learning, is_new;
	struct scan_ent *e = det_portscan_ent(s, src, dst, ts);
	double n, thr;
	const char *metric;
	struct detect_incident *inc;

	e->probes++;
	learning = det_win_learning(&e->w, env, ts);
	if (icmp_kind) {
		fresh = det_distinct_add(&e->icmp, icmp_kind);
		n = det_distinct_count(&e->icmp);
		thr = env->cfg->floor / SCAN_ICMP_DIV;
		if (thr < SCAN_ICMP_MIN)
			thr = SCAN_ICMP_MIN;
		metric = "distinct_icmp_types";
	} else {
		fresh = det_distinct_add(&e->ports, ((uint64_t)proto << 16) | port);
		n = det_distinct_count(&e->ports);
		thr = det_threshold(env, learning, det_win_learned(&e->w, env->cfg->k));
		metric = "distinct_ports";
	}
	/* a scan sends a packet or two per port; many per port is a flood's random ports */
	if (n < thr || (!icmp_kind && e->probes > SCAN_PER_PORT * n))
		return;
	k = det_key(1, src, dst, icmp_kind ? 1 : 0, 0);
	inc = det_incidents_find(s->b.inc, &k);
	if (!fresh && inc)
		return;
	inc = det_incidents_open(s->b.inc, &k, ts, &is_new);
	if (is_new) {
		det_portscan_begin(inc, e, metric, src, dst, proto, thr);
		inc->learning = learning;
		inc->expected = learning || icmp_kind ? 0 : e->w.bl.mean;
		if (icmp_kind) {
			inc->icmp = 1;
			inc->icmp_type = (uint8_t)((icmp_kind - 1) >> 8);
			inc->icmp_code = (uint8_t)(icmp_kind - 1);
		} else {
			inc->src_port = sport;
			inc->dst_port = port;
		}
		inc->technique = config_in_home_net(env->all, src) ? "T1046" : "T1595.001";
	}
	if (!icmp_kind) {
		det_incident_add_port(inc, port);
		det_incident_add_flow(inc, src, sport, dst, port, proto);
	}
	inc->observed = n;
	inc->distinct = (uint32_t)n;
	inc->count = e->probes;
	inc->zscore = det_win_zscore(&e->w, inc->expected, n);
	e->judged = 1;
	det_incidents_report(s->b.inc, inc, is_new, ts);
}

/* Every IP protocol src sends dst: many of them in a minute is a protocol scan (nmap -sO). */
static void det_portscan_proto(struct det_portscan *s, const struct detect_pkt *p)
{
	const struct pkt_info *pi = p->pi;
	struct scan_ent *e = det_portscan_ent(s, pi->src, pi->dst, p->ts_ns);
	struct det_key k;
	struct detect_incident *inc;
	bool is_new;

	if (e->protos[pi->proto >> 6] & (1ULL << (pi->proto & 63)))
		return;
	e->protos[pi->proto >> 6] |= 1ULL << (pi->proto & 63);
	if (++e->n_protos < SCAN_PROTOS)
		return;
	k = det_key(1, pi->src, pi->dst, 4, 0);
	inc = det_incidents_open(s->b.inc, &k, p->ts_ns, &is_new);
	if (is_new) {
		det_portscan_begin(inc, e, "distinct_protocols", pi->src, pi->dst, pi->proto, SCAN_PROTOS);
		snprintf(inc->detail, sizeof(inc->detail), "IP protocol scan");
	}
	inc->observed = e->n_protos;
	inc->distinct = e->n_protos;
	inc->count = e->n_protos;
	e->judged = 1;
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

/*
 * A UDP datagram that may be a port probe: a scanner's probes are empty or
 * short (a protocol's hello, for the well-known ports), and they come at a
 * rate a host can answer; a datagram of data at over a thousand a second is
 * a flood's, which is the flood detector's to report.
 */
static bool det_portscan_udp_probe(struct det_portscan *s, const struct detect_pkt *p)
{
	const struct pkt_info *pi = p->pi;
	struct scan_ent *e = det_portscan_ent(s, pi->src, pi->dst, p->ts_ns);
	double elapsed = (double)(p->ts_ns - e->w.start_ns) / 1e9;

	e->udp++;
	if (p->payload_len > SCAN_UDP_PROBE_BYTES && pi->dst_port >= 1024)
		return false;
	return (double)e->udp <= SCAN_UDP_MAX_PPS * (elapsed > 0.1 ? elapsed : 0.1);
}

/* True when UDP to dst came from several sources in the last seconds: a flood's random ports. */
static bool det_portscan_udp_crowd(struct det_portscan *s, const struct pkt_info *pi, uint64_t now)
{
	struct det_key k = det_key(1, pi->dst, NULL, 0, 0);
	bool created;
	struct scan_udp_dst *d = det_table_get(s->udp_dsts, &k, now, &created);
	uint32_t h = ((uint32_t)pi->src[12] << 24 | (uint32_t)pi->src[13] << 16 | (uint32_t)pi->src[14] << 8 | pi->src[15]) ^
		     ((uint32_t)pi->src[0] << 24 | (uint32_t)pi->src[3] << 16 | (uint32_t)pi->src[7] << 8 | pi->src[11]);
	unsigned int i;

	if (d->start_ns && now >= d->start_ns + SCAN_UDP_SRC_NS)
		memset(d, 0, sizeof(*d));
	if (!d->start_ns)
		d->start_ns = now;
	for (i = 0; i < d->n; i++)
		if (d->src[i] == h)
			return d->n >= SCAN_UDP_SOURCES;
	if (d->n < SCAN_UDP_SOURCES)
		d->src[d->n++] = h;
	return d->n >= SCAN_UDP_SOURCES;
}

/* A failed probe (refused, unanswered, reset before a byte): slow scans show over an hour. */
static void det_portscan_failed(struct det_portscan *s, const struct det_conn *c, uint64_t now)
{
	const struct det_env *env = s->b.env;
	struct scan_ent *e = det_portscan_ent(s, c->cli, c->srv, now);
	struct det_key k;
	struct detect_incident *inc;
	bool fresh, is_new;
	double n;

	if (e->slow_start && now >= e->slow_start + SCAN_SLOW_NS) {
		memset(&e->slow, 0, sizeof(e->slow));
		e->slow_start = 0;
	}
	if (!e->slow_start)
		e->slow_start = now;
	fresh = det_distinct_add(&e->slow, ((uint64_t)c->proto << 16) | c->sport);
	n = det_distinct_count(&e->slow);
	if (n < env->cfg->floor)
		return;
	/* a fast scan of these ports is already reported */
	k = det_key(1, c->cli, c->srv, 0, 0);
	if (det_incidents_find(s->b.inc, &k))
		return;
	k = det_key(1, c->cli, c->srv, 5, 0);
	inc = det_incidents_find(s->slow, &k);
	if (!fresh && !inc)
		return;
	inc = det_incidents_open(s->slow, &k, now, &is_new);
	if (is_new) {
		det_portscan_begin(inc, e, "failed_ports_per_hour", c->cli, c->srv, c->proto, env->cfg->floor);
		inc->start_ns = e->slow_start;
		inc->window_s = (double)SCAN_SLOW_NS / DET_NS;
		inc->src_port = c->cport;
		inc->dst_port = c->sport;
		snprintf(inc->detail, sizeof(inc->detail), "slow scan: probes refused or unanswered");
		inc->technique = config_in_home_net(env->all, c->cli) ? "T1046" : "T1595.001";
	}
	det_incident_add_port(inc, c->sport);
	det_incident_add_flow(inc, c->cli, c->cport, c->srv, c->sport, c->proto);
	inc->observed = n;
	inc->distinct = (uint32_t)n;
	inc->count = e->slow.adds;
	det_incidents_report(s->slow, inc, is_new, now);
}

/* A conversation's outcome: refused probes count as probes (ACK and window scans show only so), failures feed the slow window. */
static void det_portscan_conn(void *st, const struct det_conn *c, enum det_conn_event ev, uint64_t now_ns)
{
	struct det_portscan *s = st;

	if ((c->proto != 6 && c->proto != 17) || c->segs[0] || (c->status & DET_CONN_GROUP))
		return;
	s->b.now_ns = now_ns;
	switch (ev) {
	case DET_CONN_EV_REFUSED:
		/* a probe the send path did not count (a bare ACK): counted by its refusal */
		if (c->proto == 6 && (c->first_flags & 0x14))
			det_portscan_probe(s, now_ns, c->cli, c->cport, c->srv, c->proto, c->sport, 0);
		det_portscan_failed(s, c, now_ns);
		break;
	case DET_CONN_EV_UNANSWERED:
	case DET_CONN_EV_HALFOPEN:
		det_portscan_failed(s, c, now_ns);
		break;
	default:
		break;
	}
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

	if (!pi || pi->is_fragment || det_conn_is_group(pi->dst))
		return;
	s->b.now_ns = p->ts_ns;
	det_portscan_proto(s, p);
	if (pi->proto == 6) {
		unsigned int odd = det_portscan_odd_flags(pi->tcp_flags);

		if (odd)
			det_portscan_stealth(s, p, odd);
		/* SYN, FIN, NULL, Xmas probes: no ACK, no RST */
		if (!(pi->tcp_flags & 0x14))
			det_portscan_probe(s, p->ts_ns, pi->src, pi->src_port, pi->dst, 6, pi->dst_port, 0);
		/* VNC handshakes: short messages, and how they end (FIN, RST) */
		if (p->payload_len ? p->payload_len <= SCAN_RFB_MSG_MAX : (pi->tcp_flags & 0x05) != 0)
			det_portscan_rfb(s, p);
	} else if (pi->proto == 17) {
		/* what a UDP client sends, to any port: a stream sends many per port, and the ratio tells */
		if (p->conn && p->from_client && !(p->conn->status & DET_CONN_ANSWERED && p->conn->segs[1] > 2) &&
		    det_portscan_udp_probe(s, p) && !det_portscan_udp_crowd(s, pi, p->ts_ns))
			det_portscan_probe(s, p->ts_ns, pi->src, pi->src_port, pi->dst, 17, pi->dst_port, 0);
	} else if (pi->proto == 1) {
		uint8_t t = (uint8_t)pi->src_port;	/* pkt.c: ICMP type in src_port, code in dst_port */

		if (t == 8 || t == 13 || t == 15 || t == 17)
			det_portscan_probe(s, p->ts_ns, pi->src, 0, pi->dst, 1, 0,
					   ((uint32_t)t << 8 | (uint8_t)pi->dst_port) + 1);
	} else if (pi->proto == 58) {
		uint8_t t = (uint8_t)pi->src_port;

		if (t == 128 || t == 139)
			det_portscan_probe(s, p->ts_ns, pi->src, 0, pi->dst, 58, 0,
					   ((uint32_t)t << 8 | (uint8_t)pi->dst_port) + 1);
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
	det_incidents_tick(s->slow, now_ns);
}

static void det_portscan_finish(void *st, uint64_t now_ns)
{
	struct det_portscan *s = st;

	det_incidents_finish(s->slow, now_ns);
	det_base_finish(s, now_ns);
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
	.finish = det_portscan_finish,
	.conn = det_portscan_conn,
	.learned = det_base_learned,
	.layout = &det_portscan_layout,
	.stats = det_base_stats,
};

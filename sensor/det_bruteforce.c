// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_bruteforce.c: password guessing seen from the wire: one source opening
 * connection after connection to one authentication service (SSH, Telnet,
 * FTP, SMB, RDP, Kerberos, LDAP, mail, databases, VNC) within a minute.
 * Encrypted protocols hide failures, so the connection rate is the signal.
 * A connection counts once its client has sent data (payload bytes, or PSH,
 * which ends every write, where no frame came with the packet): a guess has to
 * carry credentials, while retransmitted SYNs and connect-and-close liveness
 * checks carry none.
 */
#include <stddef.h>
#include <string.h>

#include "det_common.h"

enum { BRUTE_WIN_NS = 60ULL * DET_NS, BRUTE_OPEN = 16 };

static const uint16_t det_bruteforce_ports[] = {
	21, 22, 23, 25, 88, 110, 139, 143, 389, 445, 465, 587, 636, 993, 995,
	1433, 1521, 3306, 3389, 5432, 5900, 5985, 5986,
};

struct brute_ent {
	struct det_win w;
	uint32_t conns;
	uint8_t judged;
	uint8_t next;			/* the slot of open[] a new SYN overwrites */
	uint16_t open[BRUTE_OPEN];	/* client ports of SYNs not yet counted; 0: free */
};

struct det_bruteforce {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	double alpha;
};
_Static_assert(offsetof(struct det_bruteforce, b) == 0, "det_base first: det_base_* take the state");

static bool det_bruteforce_auth_port(uint16_t port)
{
	unsigned int i;

	for (i = 0; i < sizeof(det_bruteforce_ports) / sizeof(det_bruteforce_ports[0]); i++)
		if (det_bruteforce_ports[i] == port)
			return true;
	return false;
}

/*
 * A SYN from client port sport opens a connection (a retransmission of one
 * still open is the same); its first data segment counts it. True when this
 * segment counts a connection.
 */
static bool det_bruteforce_conn(struct brute_ent *e, uint16_t sport, bool syn)
{
	unsigned int i;

	if (!sport)
		return false;
	for (i = 0; i < BRUTE_OPEN; i++) {
		if (e->open[i] != sport)
			continue;
		if (syn)
			return false;	/* retransmitted SYN */
		e->open[i] = 0;
		return true;
	}
	if (syn) {
		e->open[e->next] = sport;
		e->next = (uint8_t)((e->next + 1) % BRUTE_OPEN);
	}
	return false;
}

static void *det_bruteforce_create(const struct det_env *env)
{
	struct det_bruteforce *s = det_base_new(sizeof(*s), env, 16384, sizeof(struct brute_ent),
						10ULL * DET_NS, 60ULL * DET_NS);

	if (!s)
		return NULL;
	s->alpha = baseline_alpha(60.0, 3600.0);
	return s;
}

static void det_bruteforce_close(struct det_bruteforce *s, struct brute_ent *e)
{
	if (!e->judged && e->w.start_ns)
		baseline_update(&e->w.bl, e->conns, s->alpha);
	e->conns = 0;
	e->judged = 0;
	e->w.start_ns = 0;
}

static void det_bruteforce_packet(void *st, const struct detect_pkt *p)
{
	struct det_bruteforce *s = st;
	const struct pkt_info *pi = p->pi;
	const struct det_env *env = s->b.env;
	struct det_key k;
	struct brute_ent *e;
	struct detect_incident *inc;
	bool created, learning, is_new;
	double thr;

	if (!pi || pi->is_fragment)
		return;
	s->b.now_ns = p->ts_ns;
	if (pi->proto == 6) {
		/* a connection attempt (SYN, no ACK/RST) or client data (ACK with bytes or PSH) */
		if ((pi->tcp_flags & 0x16) != 0x02 &&
		    ((pi->tcp_flags & 0x16) != 0x10 || (!p->payload_len && !(pi->tcp_flags & 0x08))))
			return;
	} else if (pi->proto == 17) {
		if (pi->dst_port != 88 || pi->src_port == 88)	/* Kerberos over UDP: each AS/TGS request */
			return;
	} else {
		return;
	}
	if (!det_bruteforce_auth_port(pi->dst_port))
		return;
	k = det_key(1, pi->src, pi->dst, pi->dst_port, pi->proto);
	e = det_table_get(s->b.tab, &k, p->ts_ns, &created);
	if (created)
		baseline_init(&e->w.bl);
	if (det_win_over(&e->w, p->ts_ns, BRUTE_WIN_NS))
		det_bruteforce_close(s, e);
	if (!e->w.start_ns)
		det_win_open(&e->w, p->ts_ns);
	if (pi->proto == 6 && !det_bruteforce_conn(e, pi->src_port, pi->tcp_flags & 0x02))
		return;
	e->conns++;
	learning = det_win_learning(&e->w, env, p->ts_ns);
	thr = det_threshold(env, learning, det_win_learned(&e->w, env->cfg->k));
	if (e->conns < thr)
		return;
	inc = det_incidents_open(s->b.inc, &k, p->ts_ns, &is_new);
	if (is_new) {
		inc->start_ns = e->w.start_ns;
		inc->metric = "connections_per_window";
		inc->window_s = (double)BRUTE_WIN_NS / DET_NS;
		inc->learning = learning;
		inc->expected = learning ? 0 : e->w.bl.mean;
		inc->threshold = thr;
		memcpy(inc->src, pi->src, 16);
		memcpy(inc->dst, pi->dst, 16);
		inc->proto = pi->proto;
		inc->dst_port = pi->dst_port;
		det_incident_add_port(inc, pi->dst_port);
		det_incident_add_host(inc, pi->dst);
	}
	inc->observed = e->conns;
	inc->count++;
	inc->zscore = det_win_zscore(&e->w, inc->expected, e->conns);
	e->judged = 1;
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

static bool det_bruteforce_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_bruteforce *s = ctx;
	struct brute_ent *e = v;

	(void)k;
	if (det_win_over(&e->w, s->b.now_ns, BRUTE_WIN_NS))
		det_bruteforce_close(s, e);
	return det_base_idle(&s->b, last_ns, 3600ULL * DET_NS);
}

static void det_bruteforce_tick(void *st, uint64_t now_ns)
{
	struct det_bruteforce *s = st;

	det_base_tick(&s->b, now_ns, 10ULL * DET_NS, det_bruteforce_walk, s);
}

/* what survives a restart: the window baselines and learned age of each entry */
static const struct det_saved_layout det_bruteforce_layout = {
	.first_off = offsetof(struct brute_ent, w.first_ns),
	.bl_off = offsetof(struct brute_ent, w.bl),
	.n_bl = 1,
	.init = NULL,
};

const struct det_ops det_bruteforce_ops = {
	.create = det_bruteforce_create,
	.destroy = det_base_destroy,
	.packet = det_bruteforce_packet,
	.tick = det_bruteforce_tick,
	.finish = det_base_finish,
	.learned = det_base_learned,
	.layout = &det_bruteforce_layout,
};

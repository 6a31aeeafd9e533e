// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_newservice.c: a home_net host that starts serving a port, or reaching a
 * service port, it never used while the sensor was learning. An answer is
 * proof (the host's SYN-ACK or UDP reply; the service's SYN-ACK or reply back),
 * reported at once; unanswered packets need floor of them. The learned sets
 * are exact (bounded tables); a new pair is reported once and then learned.
 * The learned sets and the learning age are saved across restarts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"

enum {
	NEWSVC_EPHEMERAL = 49152,	/* IANA dynamic ports: a client's side, never a service */
	NEWSVC_SERVES = 1,		/* learned table tags: host serves proto/port */
	NEWSVC_REACHES = 2,		/* host reaches proto/port on some peer */
	NEWSVC_ASKED = 3,		/* pending table: a request waiting for its answer */
	NEWSVC_SAVE_VERSION = 1,
};
#define NEWSVC_ANSWER_NS (30ULL * DET_NS)	/* an answer later than this proves nothing */

struct newsvc_ent {
	uint32_t seen;			/* packets while unknown */
	uint8_t known;			/* learned (during learning, or reported) */
};

/* a request to a pair not yet known; the key names client, server and both ports */
struct newsvc_ask {
	uint64_t ts_ns;
};

struct det_newservice {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	struct det_table *asked;	/* requests to unknown pairs, apart so they never evict what was learned */
	uint64_t first_ns;		/* learning clock: the first packet (or restored age) */
	struct det_pending saved;	/* loaded state waiting for the first clock */
};
_Static_assert(offsetof(struct det_newservice, b) == 0, "det_base first: det_base_* take the state");

/* Saved: this header, then count learned keys (struct det_key each). */
struct newsvc_save_hdr {
	uint32_t version;
	uint32_t count;
	uint64_t learned_ns;		/* how long the sensor had been watching (0: never) */
};
_Static_assert(sizeof(struct newsvc_save_hdr) == 16, "saved header layout");

static void det_newservice_destroy(void *st)
{
	struct det_newservice *s = st;

	if (!s)
		return;
	det_table_free(s->asked);
	det_pending_drop(&s->saved);
	det_base_destroy(s);
}

static void *det_newservice_create(const struct det_env *env)
{
	struct det_newservice *s = det_base_new(sizeof(struct det_newservice), env, 131072, sizeof(struct newsvc_ent),
						60ULL * DET_NS, 60ULL * DET_NS);

	if (!s)
		return NULL;
	s->asked = det_table_new(16384, sizeof(struct newsvc_ask));
	if (!s->asked) {
		det_newservice_destroy(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

/* Restored state takes the first clock: the learning age becomes a first-packet time of this run. */
static void det_newservice_restore(struct det_newservice *s, uint64_t now_ns)
{
	const unsigned char *in = (const unsigned char *)s->saved.buf + sizeof(struct newsvc_save_hdr);
	struct newsvc_save_hdr hdr;
	uint32_t i;

	memcpy(&hdr, s->saved.buf, sizeof(hdr));
	if (hdr.learned_ns)
		s->first_ns = now_ns > hdr.learned_ns ? now_ns - hdr.learned_ns : 1;
	for (i = 0; i < hdr.count; i++, in += sizeof(struct det_key)) {
		struct det_key k;
		struct newsvc_ent *e;
		bool created;

		memcpy(&k, in, sizeof(k));
		e = det_table_get(s->b.tab, &k, now_ns, &created);
		e->known = 1;
	}
	det_pending_drop(&s->saved);
}

static void det_newservice_clock(struct det_newservice *s, uint64_t now_ns)
{
	s->b.now_ns = now_ns;
	if (s->saved.buf)
		det_newservice_restore(s, now_ns);
	if (!s->first_ns)
		s->first_ns = now_ns;
}

/*
 * One use of proto/port by host (dir NEWSVC_SERVES or NEWSVC_REACHES) with peer.
 * proven: an answer showed the service works (reported at once); otherwise
 * floor uses are needed. False when the pair is known (nothing more to prove).
 */
static bool det_newservice_use(struct det_newservice *s, const struct detect_pkt *p, const uint8_t host[16],
			       const uint8_t peer[16], uint8_t dir, uint8_t proto, uint16_t port, bool proven)
{
	const struct det_env *env = s->b.env;
	struct det_key k = det_key(dir, host, NULL, port, proto);
	bool created, is_new, learning = p->ts_ns - s->first_ns < (uint64_t)env->cfg->learning_s * DET_NS;
	struct newsvc_ent *e = det_table_get(s->b.tab, &k, p->ts_ns, &created);
	struct detect_incident *inc;

	if (learning)
		e->known = 1;
	if (e->known)
		return false;
	if (dir == NEWSVC_REACHES) {
		/* reaching a service other hosts already use is not new to the network */
		struct det_key sk = det_key(NEWSVC_SERVES, peer, NULL, port, proto);
		struct newsvc_ent *svc = det_table_find(s->b.tab, &sk);

		if (svc && svc->known)
			return false;
	}
	e->seen++;
	if (!proven && e->seen < env->cfg->floor)
		return true;
	e->known = 1;
	inc = det_incidents_open(s->b.inc, &k, p->ts_ns, &is_new);
	if (is_new) {
		inc->start_ns = p->ts_ns;
		inc->metric = dir == NEWSVC_SERVES ? "new_served_port" : "new_reached_port";
		inc->threshold = env->cfg->floor;
		memcpy(inc->src, host, 16);
		memcpy(inc->dst, peer, 16);
		inc->proto = proto;
		inc->dst_port = port;
		det_incident_add_port(inc, port);
		det_incident_add_host(inc, peer);
		inc->window_s = (double)env->cfg->learning_s;
		if (proven)
			strcpy(inc->detail, dir == NEWSVC_SERVES ? "serving: answered a request"
								 : "reaching: the service answered");
		else
			strcpy(inc->detail, dir == NEWSVC_SERVES ? "serving" : "reaching: unanswered");
	}
	inc->observed = e->seen;
	inc->count = e->seen;
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
	return false;
}

/* A request from client:cport to server:port that may be answered: remembered while the pair is unknown. */
static void det_newservice_ask(struct det_newservice *s, const struct detect_pkt *p, const uint8_t client[16],
			       const uint8_t server[16], uint16_t cport, uint16_t port)
{
	struct det_key k = det_key(NEWSVC_ASKED, client, server, port, cport);
	struct newsvc_ask *a;
	bool created;

	a = det_table_get(s->asked, &k, p->ts_ns, &created);
	a->ts_ns = p->ts_ns;
	(void)created;
}

/* The answer from server:port to client:cport: true (and forgotten) if its request was seen recently. */
static bool det_newservice_answered(struct det_newservice *s, const struct detect_pkt *p, const uint8_t client[16],
				    const uint8_t server[16], uint16_t cport, uint16_t port)
{
	struct det_key k = det_key(NEWSVC_ASKED, client, server, port, cport);
	struct newsvc_ask *a = det_table_find(s->asked, &k);
	bool ok = a && p->ts_ns - a->ts_ns <= NEWSVC_ANSWER_NS;

	if (a)
		a->ts_ns = 0;	/* one answer proves it once */
	return ok;
}

static void det_newservice_tcp(struct det_newservice *s, const struct detect_pkt *p)
{
	const struct pkt_info *pi = p->pi;
	uint8_t fl = pi->tcp_flags & 0x16;

	if (fl == 0x12) {
		/* SYN-ACK: the sender accepts on src_port (proof it serves) and answers the receiver */
		if (pi->src_port >= NEWSVC_EPHEMERAL)
			return;	/* active FTP and the like: a client's port answering, not a service */
		if (p->src_home)
			det_newservice_use(s, p, pi->src, pi->dst, NEWSVC_SERVES, 6, pi->src_port, true);
		if (p->dst_home && det_newservice_answered(s, p, pi->dst, pi->src, pi->dst_port, pi->src_port))
			det_newservice_use(s, p, pi->dst, pi->src, NEWSVC_REACHES, 6, pi->src_port, true);
	} else if (fl == 0x02 && p->src_home && pi->dst_port < NEWSVC_EPHEMERAL) {
		/* a SYN alone proves nothing: counted, and its SYN-ACK awaited */
		if (det_newservice_use(s, p, pi->src, pi->dst, NEWSVC_REACHES, 6, pi->dst_port, false))
			det_newservice_ask(s, p, pi->src, pi->dst, pi->src_port, pi->dst_port);
	}
}

static void det_newservice_udp(struct det_newservice *s, const struct detect_pkt *p)
{
	const struct pkt_info *pi = p->pi;
	struct det_key k;
	struct newsvc_ent *e;

	/* the lower port is the service; a datagram to it is a request, one from it an answer */
	if (pi->dst_port < pi->src_port && pi->dst_port < NEWSVC_EPHEMERAL) {
		/* request: the home client reaching the port (counted), or a home server being asked */
		if (p->src_home && det_newservice_use(s, p, pi->src, pi->dst, NEWSVC_REACHES, 17, pi->dst_port, false))
			det_newservice_ask(s, p, pi->src, pi->dst, pi->src_port, pi->dst_port);
		if (p->dst_home) {
			k = det_key(NEWSVC_SERVES, pi->dst, NULL, pi->dst_port, 17);
			e = det_table_find(s->b.tab, &k);
			if (!e || !e->known)
				det_newservice_ask(s, p, pi->src, pi->dst, pi->src_port, pi->dst_port);
		}
	} else if (pi->src_port < pi->dst_port && pi->src_port < NEWSVC_EPHEMERAL) {
		/* answer: proof when its request was seen, else one more packet of the count */
		bool answered = det_newservice_answered(s, p, pi->dst, pi->src, pi->dst_port, pi->src_port);

		if (p->src_home)
			det_newservice_use(s, p, pi->src, pi->dst, NEWSVC_SERVES, 17, pi->src_port, answered);
		if (p->dst_home && answered)
			det_newservice_use(s, p, pi->dst, pi->src, NEWSVC_REACHES, 17, pi->src_port, true);
	}
}

static void det_newservice_packet(void *st, const struct detect_pkt *p)
{
	struct det_newservice *s = st;
	const struct pkt_info *pi = p->pi;

	if (!pi || pi->is_fragment)
		return;
	det_newservice_clock(s, p->ts_ns);
	if (pi->proto == 6)
		det_newservice_tcp(s, p);
	else if (pi->proto == 17)
		det_newservice_udp(s, p);
}

static bool det_newservice_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_newservice *s = ctx;

	(void)k;
	(void)v;
	return det_base_idle(&s->b, last_ns, NEWSVC_ANSWER_NS);
}

static void det_newservice_tick(void *st, uint64_t now_ns)
{
	struct det_newservice *s = st;

	det_newservice_clock(s, now_ns);
	/* requests nobody answered in time: forget them (the learned table is never walked) */
	if (det_base_walk_due(&s->b, now_ns, NEWSVC_ANSWER_NS))
		det_table_walk(s->asked, det_newservice_walk, s);
	det_incidents_tick(s->b.inc, now_ns);
}

static bool det_newservice_save_one(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	const struct newsvc_ent *e = v;
	unsigned char *rec;

	(void)last_ns;
	if (!e->known)
		return false;	/* only what was learned: counts towards an unproven pair start again */
	rec = det_rec_reserve(ctx, sizeof(*k));
	if (rec)
		memcpy(rec, k, sizeof(*k));
	return false;
}

static size_t det_newservice_save_size(void *st)
{
	struct det_newservice *s = st;

	if (s->saved.buf)
		return s->saved.len;
	return sizeof(struct newsvc_save_hdr) + (size_t)det_table_used(s->b.tab) * sizeof(struct det_key);
}

/* Learned keys and the learning age at now_ns; bytes or -ENOSPC. */
static long det_newservice_save(void *st, uint64_t now_ns, void *buf, size_t len)
{
	struct det_newservice *s = st;
	struct newsvc_save_hdr hdr = { .version = NEWSVC_SAVE_VERSION };
	struct det_rec_out w = { .out = buf, .len = len };
	long n;

	if (s->saved.buf)	/* restored but no clock yet: keep it as it was */
		return det_pending_save(&s->saved, buf, len);
	n = det_rec_walk(s->b.tab, det_newservice_save_one, &w, &w, sizeof(hdr));
	if (n < 0)
		return n;
	hdr.count = w.count;
	if (s->first_ns)
		hdr.learned_ns = now_ns > s->first_ns ? now_ns - s->first_ns : 1;
	memcpy(buf, &hdr, sizeof(hdr));
	return n;
}

/* Checked now, applied at the first clock; keys restored, -EPROTO or -EINVAL. */
static int det_newservice_load(void *st, const void *buf, size_t len)
{
	struct det_newservice *s = st;
	struct newsvc_save_hdr hdr;

	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != NEWSVC_SAVE_VERSION)
		return -EPROTO;
	if ((len - sizeof(hdr)) % sizeof(struct det_key) || (len - sizeof(hdr)) / sizeof(struct det_key) != hdr.count)
		return -EINVAL;
	if (det_pending_keep(&s->saved, buf, len) < 0)
		return -ENOMEM;
	return (int)hdr.count;
}

const struct det_ops det_newservice_ops = {
	.create = det_newservice_create,
	.destroy = det_newservice_destroy,
	.packet = det_newservice_packet,
	.tick = det_newservice_tick,
	.finish = det_base_finish,
	.save_size = det_newservice_save_size,
	.save = det_newservice_save,
	.load = det_newservice_load,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_newservice.c: a home_net host that starts answering outside clients on
 * a port it never served while the sensor was learning: a backdoor, a bind
 * shell, a service exposed by mistake. The host's own answer is the proof (its
 * SYN-ACK, or its UDP reply to a datagram the outside client sent first), so
 * one connection suffices; data both ways makes it severity 1. Ports served
 * only to the inside are learned, never reported: a LAN's services between
 * its hosts (SMB, RPC, NetBIOS, discovery) are ordinary, and lateral
 * movement over admin protocols is det_lateral's. Ports >= 49152 are a
 * client's side. The learned set and the learning age survive restarts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"

enum {
	NEWSVC_EPHEMERAL = 49152,	/* IANA dynamic ports: a client's side, never a service */
	NEWSVC_SERVES = 1,		/* learned table tag: host serves proto/port (2, "reaches", was version 1's) */
	NEWSVC_SAVE_VERSION = 1,
};

struct newsvc_ent {
	uint32_t seen;			/* outside clients served since it was reported */
	uint8_t known;			/* learned (during learning, or reported) */
	uint8_t reported;		/* reported: an open incident may still gain severity */
};

struct det_newservice {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
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
	det_pending_drop(&s->saved);
	det_base_destroy(s);
}

static void *det_newservice_create(const struct det_env *env)
{
	struct det_newservice *s = det_base_new(sizeof(struct det_newservice), env, 131072, sizeof(struct newsvc_ent),
						60ULL * DET_NS, 60ULL * DET_NS);

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
		if (k.b[0] != NEWSVC_SERVES)
			continue;	/* version 1 also kept the ports a host reached: no longer looked at */
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
 * A home_net host answered an outside client on proto/port (its SYN-ACK, or
 * its UDP reply to a datagram the client sent first). A port never served
 * while learning is reported once, then learned; data both ways makes it a
 * working service reached from outside: severity 1.
 */
static void det_newservice_serve(struct det_newservice *s, const struct detect_pkt *p, const struct det_conn *c,
				 bool data)
{
	const struct det_env *env = s->b.env;
	struct det_key k = det_key(NEWSVC_SERVES, c->srv, NULL, c->sport, c->proto);
	bool created, is_new, learning = p->ts_ns - s->first_ns < (uint64_t)env->cfg->learning_s * DET_NS;
	struct newsvc_ent *e = det_table_get(s->b.tab, &k, p->ts_ns, &created);
	struct detect_incident *inc;

	if (learning)
		e->known = 1;
	if (e->known && !e->reported)
		return;
	if (e->reported && !det_incidents_find(s->b.inc, &k))
		return;	/* reported before and its incident is over: learned now */
	inc = det_incidents_open(s->b.inc, &k, p->ts_ns, &is_new);
	if (is_new) {
		e->known = 1;
		e->reported = 1;
		e->seen = 0;
		inc->start_ns = p->ts_ns;
		inc->metric = "new_served_port";
		inc->threshold = 1;
		/* the conversation as it happened: the outside client towards the served port */
		memcpy(inc->src, c->cli, 16);
		memcpy(inc->dst, c->srv, 16);
		inc->src_port = c->cport;
		inc->dst_port = c->sport;
		inc->proto = c->proto;
		det_incident_add_port(inc, c->sport);
		det_incident_add_host(inc, c->srv);
		det_incident_add_host(inc, c->cli);
		inc->window_s = (double)env->cfg->learning_s;
		inc->severity = 2;
		snprintf(inc->detail, sizeof(inc->detail), "%s/%u answered from outside, never served while learning",
			 c->proto == 6 ? "tcp" : "udp", c->sport);
	} else if (!data || inc->severity == 1) {
		det_incident_add_flow(inc, c->cli, c->cport, c->srv, c->sport, c->proto);
		return;	/* one incident per port: more clients add nothing until data flows */
	}
	det_incident_add_flow(inc, c->cli, c->cport, c->srv, c->sport, c->proto);
	e->seen++;
	inc->observed = e->seen;
	inc->count = e->seen;
	if (data && c->proto == 6) {
		inc->severity = 1;
		snprintf(inc->detail, sizeof(inc->detail), "tcp/%u serves an outside client (data both ways), "
			 "never served while learning", c->sport);
	}
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

static void det_newservice_packet(void *st, const struct detect_pkt *p)
{
	struct det_newservice *s = st;
	const struct det_conn *c = p->conn;

	if (!p->pi || p->pi->is_fragment)
		return;
	det_newservice_clock(s, p->ts_ns);
	if (!c || (c->proto != 6 && c->proto != 17) || !(c->home & 2) || c->sport >= NEWSVC_EPHEMERAL ||
	    !c->sport || (c->status & DET_CONN_MIDSTREAM))
		return;
	if ((c->home & 1) || det_conn_is_group(c->cli)) {
		/* served to the inside: learned (so its later exposure is not new), never reported */
		if (!p->from_client && (c->proto == 17 || (p->pi->tcp_flags & 0x12) == 0x12)) {
			struct det_key k = det_key(NEWSVC_SERVES, c->srv, NULL, c->sport, c->proto);
			bool created;
			struct newsvc_ent *e = det_table_get(s->b.tab, &k, p->ts_ns, &created);

			if (!e->reported)
				e->known = 1;
		}
		return;
	}
	if (c->proto == 6) {
		/* the host's SYN-ACK accepts; data both ways makes it a session */
		if ((c->flags[1] & 0x12) != 0x12)
			return;
		if (!p->from_client && (p->pi->tcp_flags & 0x12) == 0x12)
			det_newservice_serve(s, p, c, false);
		else if (p->payload_len && c->segs[0] && c->segs[1] && (c->segs[0] + c->segs[1]) <= 3)
			det_newservice_serve(s, p, c, true);
	} else if (!p->from_client && c->pkts[0] && c->pkts[1] == 1) {
		/* a UDP reply to a datagram the outside client sent first */
		det_newservice_serve(s, p, c, false);
	}
}

static void det_newservice_tick(void *st, uint64_t now_ns)
{
	struct det_newservice *s = st;

	det_newservice_clock(s, now_ns);
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
	.stats = det_base_stats,
};

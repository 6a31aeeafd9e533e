// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_newservice.c: a home_net host that starts serving a port, or reaching a
 * service port, it never used while the sensor was learning. The learned sets
 * are exact (bounded tables); a new pair is reported once and then learned.
 */
#include <stddef.h>
#include <string.h>

#include "det_common.h"

enum { NEWSVC_EPHEMERAL = 49152 };

struct newsvc_ent {
	uint32_t seen;			/* packets while unknown */
	uint8_t known;			/* learned (during learning, or reported) */
};

struct det_newservice {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	uint64_t first_ns;
};
_Static_assert(offsetof(struct det_newservice, b) == 0, "det_base first: det_base_* take the state");

static void *det_newservice_create(const struct det_env *env)
{
	return det_base_new(sizeof(struct det_newservice), env, 131072, sizeof(struct newsvc_ent),
			    60ULL * DET_NS, 60ULL * DET_NS);
}

/* dir 1: host serves proto/port; dir 2: host reaches proto/port on peer */
static void det_newservice_use(struct det_newservice *s, const struct detect_pkt *p, const uint8_t host[16],
			       const uint8_t peer[16], uint8_t dir, uint8_t proto, uint16_t port)
{
	const struct det_env *env = s->b.env;
	struct det_key k = det_key(dir, host, NULL, port, proto);
	bool created, is_new, learning = p->ts_ns - s->first_ns < (uint64_t)env->cfg->learning_s * DET_NS;
	struct newsvc_ent *e = det_table_get(s->b.tab, &k, p->ts_ns, &created);
	struct detect_incident *inc;

	if (learning)
		e->known = 1;
	if (e->known)
		return;
	if (dir == 2) {
		/* reaching a service other hosts already use is not new to the network */
		struct det_key sk = det_key(1, peer, NULL, port, proto);
		struct newsvc_ent *svc = det_table_find(s->b.tab, &sk);

		if (svc && svc->known)
			return;
	}
	if (++e->seen < env->cfg->floor)
		return;
	e->known = 1;
	inc = det_incidents_open(s->b.inc, &k, p->ts_ns, &is_new);
	if (is_new) {
		inc->start_ns = p->ts_ns;
		inc->metric = dir == 1 ? "new_served_port" : "new_reached_port";
		inc->threshold = env->cfg->floor;
		memcpy(inc->src, host, 16);
		memcpy(inc->dst, peer, 16);
		inc->proto = proto;
		inc->dst_port = port;
		det_incident_add_port(inc, port);
		det_incident_add_host(inc, peer);
		inc->window_s = (double)env->cfg->learning_s;
		strcpy(inc->detail, dir == 1 ? "serving" : "reaching");
	}
	inc->observed = e->seen;
	inc->count = e->seen;
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

static void det_newservice_packet(void *st, const struct detect_pkt *p)
{
	struct det_newservice *s = st;
	const struct pkt_info *pi = p->pi;

	if (!pi || pi->is_fragment)
		return;
	s->b.now_ns = p->ts_ns;
	if (!s->first_ns)
		s->first_ns = p->ts_ns;
	if (pi->proto == 6) {
		uint8_t fl = pi->tcp_flags & 0x16;

		if (fl == 0x12 && p->src_home)		/* SYN-ACK: the host accepts on src_port */
			det_newservice_use(s, p, pi->src, pi->dst, 1, 6, pi->src_port);
		else if (fl == 0x02 && p->src_home && pi->dst_port < NEWSVC_EPHEMERAL)
			det_newservice_use(s, p, pi->src, pi->dst, 2, 6, pi->dst_port);
	} else if (pi->proto == 17) {
		/* the lower port is the service; the flow's direction says who offers it */
		if (p->src_home && pi->src_port < pi->dst_port && pi->src_port < NEWSVC_EPHEMERAL)
			det_newservice_use(s, p, pi->src, pi->dst, 1, 17, pi->src_port);
		else if (p->src_home && pi->dst_port < pi->src_port && pi->dst_port < NEWSVC_EPHEMERAL)
			det_newservice_use(s, p, pi->src, pi->dst, 2, 17, pi->dst_port);
	}
}

static void det_newservice_tick(void *st, uint64_t now_ns)
{
	struct det_newservice *s = st;

	det_base_tick(&s->b, now_ns, 0, NULL, s);
}

const struct det_ops det_newservice_ops = {
	.create = det_newservice_create,
	.destroy = det_base_destroy,
	.packet = det_newservice_packet,
	.tick = det_newservice_tick,
	.finish = det_base_finish,
};

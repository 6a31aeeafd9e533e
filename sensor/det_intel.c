// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_intel.c: traffic with what a threat-intelligence feed lists. Both ends
 * of every new conversation are looked up among the feeds' addresses and
 * prefixes; DNS question names and CNAME answers, the TLS ClientHello's
 * server name and the HTTP Host among their names (a listed name covers the
 * names under it). One incident per indicator and host, carrying the feed,
 * the indicator, its type and confidence and the conversations it was seen
 * in. The offender is the listed side: a block (inline) drops it, never the
 * host; a DNS name alone blocks nothing (the resolver is no offender).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"
#include "eve.h"
#include "intel.h"
#include "intel_names.h"

enum {
	INTEL_UPDATE_NS = 60ULL * DET_NS,	/* an update event at most this often */
	INTEL_END_NS = 300ULL * DET_NS,		/* quiet this long: the incident ends */
	INTEL_TCP_SEGS = 2,			/* client segments read for a server name */
};

struct det_intel {
	const struct det_env *env;
	struct det_incidents *inc;
};

/* The frame being judged, for the DNS name callback. */
struct det_intel_frame {
	struct det_intel *s;
	const struct detect_pkt *p;
	const struct intel_set *set;
	const uint8_t *cli, *srv;
	uint16_t cport, sport;
};

static void det_intel_destroy(void *st)
{
	struct det_intel *s = st;

	if (!s)
		return;
	det_incidents_free(s->inc);
	free(s);
}

static void *det_intel_create(const struct det_env *env)
{
	struct det_intel *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->env = env;
	s->inc = det_incidents_new(env, 4096, INTEL_UPDATE_NS, INTEL_END_NS);
	if (!s->inc) {
		det_intel_destroy(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

static uint64_t det_intel_hash(const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *a; a++)
		h = (h ^ (uint8_t)*a) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL;
	for (; *b; b++)
		h = (h ^ (uint8_t)*b) * 0x100000001b3ULL;
	return h;
}

/*
 * One hit of an indicator in conversation cli:cport -> srv:sport. host: the
 * party the incident is about (the other side of a listed address, the
 * client that asked for a listed name); listed_srv: the server is the
 * offender (false: the client is, or nobody when block_ok is false).
 */
static void det_intel_report(struct det_intel *s, const struct det_intel_frame *fr, const struct intel_hit *hit,
			     const uint8_t host[16], bool listed_srv, bool block_ok, const char *where,
			     const char *matched)
{
	const struct detect_pkt *p = fr->p;
	struct det_key k = det_key(3, host, NULL, 0, 0);
	uint64_t h = det_intel_hash(hit->feed->name, hit->ind->value);
	struct detect_incident *inc;
	bool is_new;

	memcpy(k.b + 24, &h, sizeof(h));	/* the second address slot: the indicator */
	inc = det_incidents_open(s->inc, &k, p->ts_ns, &is_new);
	if (is_new) {
		struct detect_intel *in = &inc->intel;

		inc->metric = "listed_indicator";
		inc->start_ns = p->ts_ns;
		inc->threshold = 1;
		memcpy(inc->src, fr->cli, 16);
		memcpy(inc->dst, fr->srv, 16);
		inc->src_port = fr->cport;
		inc->dst_port = fr->sport;
		inc->proto = p->pi->proto;
		if (inc->proto == 1 || inc->proto == 58) {
			inc->icmp = 1;
			inc->icmp_type = (uint8_t)fr->cport;
			inc->icmp_code = (uint8_t)fr->sport;
		}
		inc->severity = hit->feed->severity;
		/* the feed's action, or detectors.intel.action: block for every feed */
		inc->action = block_ok && (hit->feed->action == CONFIG_ACTION_BLOCK ||
					   s->env->cfg->action == CONFIG_ACTION_BLOCK) ? CONFIG_ACTION_BLOCK : CONFIG_ACTION_ALERT;
		inc->offender_dst = listed_srv;
		det_incident_add_host(inc, host);
		snprintf(in->feed, sizeof(in->feed), "%s", hit->feed->name);
		snprintf(in->indicator, sizeof(in->indicator), "%s", hit->ind->value);
		snprintf(in->matched, sizeof(in->matched), "%s", matched);
		in->type = intel_type_name((enum intel_type)hit->ind->type);
		in->where = where;
		in->confidence = hit->confidence;
		snprintf(inc->detail, sizeof(inc->detail), "%s: %s", hit->feed->name, hit->ind->value);
	}
	inc->count++;
	inc->observed = (double)inc->count;
	inc->peak = inc->observed;
	det_incident_add_flow(inc, fr->cli, fr->cport, fr->srv, fr->sport, p->pi->proto);
	if (hit->feed->hits)
		(*hit->feed->hits)++;
	det_incidents_report(s->inc, inc, is_new, p->ts_ns);
}

static void det_intel_addr(struct det_intel *s, const struct det_intel_frame *fr, const uint8_t *a, bool srv)
{
	struct intel_hit hit;
	char text[64];

	if (!intel_set_match_addr(fr->set, a, &hit))
		return;
	eve_addr(text, sizeof(text), a);
	det_intel_report(s, fr, &hit, srv ? fr->cli : fr->srv, srv, true, srv ? "ip.dst" : "ip.src", text);
}

static void det_intel_dns_name(void *ctx, const char *name, enum intel_name_where w)
{
	struct det_intel_frame *fr = ctx;
	struct intel_hit hit;

	if (intel_set_match_name(fr->set, name, &hit))
		det_intel_report(fr->s, fr, &hit, fr->cli, false, false, intel_names_where(w), name);
}

static void det_intel_packet(void *st, const struct detect_pkt *p)
{
	struct det_intel *s = st;
	const struct pkt_info *pi = p->pi;
	const struct det_conn *c = p->conn;
	struct det_intel_frame fr = { .s = s, .p = p, .set = s->env->intel };
	char name[INTEL_NAMES_MAX];
	int n = -1;

	if (!fr.set || !fr.set->n || !pi)
		return;
	if (c) {
		fr.cli = c->cli;
		fr.srv = c->srv;
		fr.cport = c->cport;
		fr.sport = c->sport;
	} else {
		fr.cli = pi->src;
		fr.srv = pi->dst;
		fr.cport = pi->src_port;
		fr.sport = pi->dst_port;
	}
	/* addresses: once per conversation, at its first frame, either end */
	if (c && c->pkts[0] + c->pkts[1] == 1) {
		det_intel_addr(s, &fr, c->srv, true);
		det_intel_addr(s, &fr, c->cli, false);
	}
	if (!p->payload || !p->payload_len)
		return;
	if (pi->proto == 17 && (pi->src_port == 53 || pi->dst_port == 53)) {
		/* the asking host is the one on the other port (a response goes back to it) */
		if (pi->dst_port == 53) {
			fr.cli = pi->src;
			fr.srv = pi->dst;
			fr.cport = pi->src_port;
			fr.sport = pi->dst_port;
		} else {
			fr.cli = pi->dst;
			fr.srv = pi->src;
			fr.cport = pi->dst_port;
			fr.sport = pi->src_port;
		}
		intel_names_dns(p->payload, p->payload_len, det_intel_dns_name, &fr);
		return;
	}
	if (pi->proto != 6 || !c || !p->from_client || c->segs[0] > INTEL_TCP_SEGS)
		return;
	if (p->payload[0] == 0x16) {
		n = intel_names_sni(p->payload, p->payload_len, name);
		if (n > 0) {
			struct intel_hit hit;

			if (intel_set_match_name(fr.set, name, &hit))
				det_intel_report(s, &fr, &hit, fr.cli, true, true, intel_names_where(INTEL_WHERE_TLS_SNI),
						 name);
		}
		return;
	}
	n = intel_names_http_host(p->payload, p->payload_len, name);
	if (n > 0) {
		struct intel_hit hit;

		if (intel_set_match_name(fr.set, name, &hit))
			det_intel_report(s, &fr, &hit, fr.cli, true, true, intel_names_where(INTEL_WHERE_HTTP_HOST), name);
	}
}

static void det_intel_tick(void *st, uint64_t now_ns)
{
	struct det_intel *s = st;

	det_incidents_tick(s->inc, now_ns);
}

static void det_intel_finish(void *st, uint64_t now_ns)
{
	struct det_intel *s = st;

	det_incidents_finish(s->inc, now_ns);
}

const struct det_ops det_intel_ops = {
	.create = det_intel_create,
	.destroy = det_intel_destroy,
	.packet = det_intel_packet,
	.tick = det_intel_tick,
	.finish = det_intel_finish,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_dnstunnel.c: data carried in DNS: many unique, long or high-entropy
 * names under one domain from one host, TXT/NULL queries in bulk, and a
 * host's query rate far above its own. Names are parsed from the query's
 * question, bounded; a malformed one is simply not counted.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"

enum {
	DNS_WIN_NS = 60ULL * DET_NS,
	DNS_RATE_WIN_NS = DET_NS,
	DNS_NAME_MAX = 255,
	DNS_LONG_SUB = 16,		/* mean characters of the unique subdomains ... */
};
#define DNS_HIGH_ENTROPY 3.3		/* ... or their mean bits per character */
#define DNS_RATE_MULT 5.0		/* the rate floor is floor * this queries per second */

struct dns_dom {
	uint64_t win_start;
	struct det_distinct subs;
	uint32_t unique;		/* exact count of fresh bits: the sketch's view */
	uint64_t sub_chars;
	double sub_entropy;
	uint32_t txt;
	uint8_t judged;
};

struct dns_host {
	struct det_win w;
	uint32_t queries;
	uint8_t judged;
};

struct det_dnstunnel {
	const struct det_env *env;
	struct det_table *doms, *hosts;
	struct det_incidents *inc;
	double alpha;
	uint64_t now_ns;
	uint64_t next_walk_ns;
};

static void *det_dnstunnel_create(const struct det_env *env)
{
	struct det_dnstunnel *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->env = env;
	s->alpha = baseline_alpha(1.0, 600.0);
	s->doms = det_table_new(16384, sizeof(struct dns_dom));
	s->hosts = det_table_new(8192, sizeof(struct dns_host));
	s->inc = det_incidents_new(env, 1024, 10ULL * DET_NS, 60ULL * DET_NS);
	if (!s->doms || !s->hosts || !s->inc) {
		det_table_free(s->doms);
		det_table_free(s->hosts);
		det_incidents_free(s->inc);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

static void det_dnstunnel_destroy(void *st)
{
	struct det_dnstunnel *s = st;

	det_table_free(s->doms);
	det_table_free(s->hosts);
	det_incidents_free(s->inc);
	free(s);
}

/*
 * Question name of a DNS query as dotted text (lower case) into name, its
 * qtype into *qtype. Returns the name's length, or -1 if this is not a
 * well-formed query (a response, no question, compression in a question).
 */
int det_dnstunnel_parse(const uint8_t *m, uint32_t len, char *name, uint16_t *qtype)
{
	uint32_t off = 12, n = 0;

	if (len < 12 || (m[2] & 0x80) || !(m[4] | m[5]))
		return -1;
	while (off < len) {
		uint8_t l = m[off++];
		uint32_t i;

		if (!l)
			break;
		if (l & 0xc0 || off + l > len || n + l + 1 > DNS_NAME_MAX)
			return -1;
		if (n)
			name[n++] = '.';
		for (i = 0; i < l; i++) {
			char c = (char)m[off + i];

			name[n++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		}
		off += l;
	}
	if (off + 2 > len || !n)
		return -1;
	name[n] = 0;
	*qtype = (uint16_t)(m[off] << 8 | m[off + 1]);
	return (int)n;
}

/* Start of the registered domain: the last two labels, three under a short second level (co.uk). */
static int det_dnstunnel_base(const char *name, int n)
{
	int dots[3] = { -1, -1, -1 }, nd = 0, i;

	for (i = n - 1; i >= 0 && nd < 3; i--)
		if (name[i] == '.')
			dots[nd++] = i;
	if (nd < 1)
		return 0;
	if (nd >= 2 && n - dots[0] - 1 == 2 && dots[0] - dots[1] - 1 <= 3)
		return nd >= 3 ? dots[2] + 1 : 0;
	return nd >= 2 ? dots[1] + 1 : 0;
}

static uint64_t det_dnstunnel_hash(const char *s, int n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ULL;
	return h;
}

static void det_dnstunnel_report(struct det_dnstunnel *s, const struct detect_pkt *p, const char *metric,
				 const char *domain, double observed, double thr, double expected, bool learning,
				 uint64_t onset, uint32_t distinct)
{
	const struct pkt_info *pi = p->pi;
	struct det_key k = det_key(1, pi->src, NULL, metric[0], (uint16_t)det_dnstunnel_hash(domain, (int)strlen(domain)));
	bool is_new;
	struct detect_incident *inc = det_incidents_open(s->inc, &k, p->ts_ns, &is_new);

	if (is_new) {
		inc->start_ns = onset;
		inc->metric = metric;
		inc->window_s = metric[0] == 'q' ? 1.0 : (double)DNS_WIN_NS / DET_NS;
		inc->learning = learning;
		inc->expected = expected;
		inc->threshold = thr;
		memcpy(inc->src, pi->src, 16);
		memcpy(inc->dst, pi->dst, 16);
		inc->proto = pi->proto;
		inc->dst_port = pi->dst_port;
		snprintf(inc->detail, sizeof(inc->detail), "%s", domain);
		det_incident_add_host(inc, pi->dst);
	}
	inc->observed = observed;
	inc->distinct = distinct;
	inc->count++;
	det_incidents_report(s->inc, inc, is_new, p->ts_ns);
}

static void det_dnstunnel_rate(struct det_dnstunnel *s, const struct detect_pkt *p, const char *base)
{
	const struct det_env *env = s->env;
	struct det_key k = det_key(1, p->pi->src, NULL, 0, 0);
	bool created, learning;
	struct dns_host *h = det_table_get(s->hosts, &k, p->ts_ns, &created);
	double thr;

	if (created)
		baseline_init(&h->w.bl);
	if (det_win_over(&h->w, p->ts_ns, DNS_RATE_WIN_NS)) {
		if (!h->judged)
			baseline_update(&h->w.bl, h->queries, s->alpha);
		h->queries = 0;
		h->judged = 0;
		h->w.start_ns = 0;
	}
	if (!h->w.start_ns)
		det_win_open(&h->w, p->ts_ns);
	h->queries++;
	learning = det_win_learning(&h->w, env, p->ts_ns);
	thr = detect_threshold(env->cfg->floor * DNS_RATE_MULT, learning, det_win_learned(&h->w, env->cfg->k),
			       env->min_fraction);
	if (h->queries >= thr && !h->judged) {
		h->judged = 1;
		det_dnstunnel_report(s, p, "queries_per_s", base, h->queries, thr, learning ? 0 : h->w.bl.mean,
				     learning, h->w.start_ns, 0);
	}
}

static void det_dnstunnel_packet(void *st, const struct detect_pkt *p)
{
	struct det_dnstunnel *s = st;
	const struct pkt_info *pi = p->pi;
	const struct det_env *env = s->env;
	char name[DNS_NAME_MAX + 1];
	uint16_t qtype;
	int n, b, sub;
	struct det_key k;
	struct dns_dom *d;
	bool created;
	double thr = env->cfg->floor;

	if (!pi || pi->proto != 17 || pi->dst_port != 53 || !p->payload)
		return;
	s->now_ns = p->ts_ns;
	n = det_dnstunnel_parse(p->payload, p->payload_len, name, &qtype);
	if (n < 0)
		return;
	b = det_dnstunnel_base(name, n);
	det_dnstunnel_rate(s, p, name + b);
	k = det_key(2, pi->src, NULL, 0, 0);
	{
		uint64_t h = det_dnstunnel_hash(name + b, n - b);

		memcpy(k.b + 24, &h, 8);
	}
	d = det_table_get(s->doms, &k, p->ts_ns, &created);
	if (d->win_start && p->ts_ns >= d->win_start + DNS_WIN_NS)
		memset(d, 0, sizeof(*d));
	if (!d->win_start)
		d->win_start = p->ts_ns;
	if (qtype == 16 || qtype == 10)
		d->txt++;
	sub = b > 0 ? b - 1 : 0;
	if (sub > 0 && det_distinct_add(&d->subs, det_dnstunnel_hash(name, sub))) {
		d->unique++;
		d->sub_chars += (uint64_t)sub;
		d->sub_entropy += det_entropy(name, (unsigned int)sub);
	}
	if (d->unique >= thr) {
		double mean_len = (double)d->sub_chars / d->unique, mean_h = d->sub_entropy / d->unique;

		if (mean_len >= DNS_LONG_SUB || mean_h >= DNS_HIGH_ENTROPY)
			det_dnstunnel_report(s, p, "unique_subdomains", name + b, d->unique, thr, 0, true, d->win_start,
					     d->unique);
	}
	if (d->txt >= thr)
		det_dnstunnel_report(s, p, "txt_null_queries", name + b, d->txt, thr, 0, true, d->win_start, d->unique);
}

static bool det_dnstunnel_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_dnstunnel *s = ctx;

	(void)k;
	(void)v;
	return s->now_ns > last_ns + 3600ULL * DET_NS;
}

static void det_dnstunnel_tick(void *st, uint64_t now_ns)
{
	struct det_dnstunnel *s = st;

	s->now_ns = now_ns;
	if (now_ns >= s->next_walk_ns) {
		det_table_walk(s->doms, det_dnstunnel_walk, s);
		det_table_walk(s->hosts, det_dnstunnel_walk, s);
		s->next_walk_ns = now_ns + 60ULL * DET_NS;
	}
	det_incidents_tick(s->inc, now_ns);
}

static void det_dnstunnel_finish(void *st, uint64_t now_ns)
{
	struct det_dnstunnel *s = st;

	det_incidents_finish(s->inc, now_ns);
}

/* what survives a restart: the window baselines and learned age of each entry */
static const struct det_saved_layout det_dnstunnel_layout = {
	.first_off = offsetof(struct dns_host, w.first_ns),
	.bl_off = offsetof(struct dns_host, w.bl),
	.n_bl = 1,
	.init = NULL,
};

static struct det_table *det_dnstunnel_learned(void *st)
{
	return ((struct det_dnstunnel *)st)->hosts;
}

const struct det_ops det_dnstunnel_ops = {
	.create = det_dnstunnel_create,
	.destroy = det_dnstunnel_destroy,
	.packet = det_dnstunnel_packet,
	.tick = det_dnstunnel_tick,
	.finish = det_dnstunnel_finish,
	.learned = det_dnstunnel_learned,
	.layout = &det_dnstunnel_layout,
};

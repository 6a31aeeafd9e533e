// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_dnstunnel.c: data carried in DNS: from one host, under one registered
 * domain (the Public Suffix List's, via libpsl), many unique names whose
 * data part is long or high in entropy, or many unique TXT/NULL queries.
 * The data part is what a name holds left of its registered domain, less
 * what is not data: service labels (`_ldap._tcp`, DNS-SD, Active Directory's
 * locator) and an address written as labels (a DNS blocklist's reversed
 * IPv4, nibbles of IPv6; reverse lookups altogether). Severity rises with
 * the volume of encoded data. Names come from the query's question,
 * bounded; a malformed one is simply not counted.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "det_common.h"

enum {
	DNS_WIN_NS = 60ULL * DET_NS,
	DNS_RATE_WIN_NS = DET_NS,
	DNS_NAME_MAX = 255,
	DNS_LONG_SUB = 16,		/* mean characters of the unique data parts ... */
	DNS_HEAVY_CHARS = 4096,		/* unique data characters in a window that make it severity 1 */
};
#define DNS_HIGH_ENTROPY 3.3		/* ... or their mean bits per character */

struct dns_dom {
	uint64_t win_start;
	struct det_distinct subs;	/* data parts seen this window */
	struct det_distinct txts;	/* TXT/NULL names seen this window */
	uint32_t unique;		/* new data parts this window */
	uint64_t sub_chars;
	double sub_entropy;
	uint32_t txt;			/* new TXT/NULL names this window */
	uint32_t queries;		/* queries this window */
};

struct det_dnstunnel {
	const struct det_env *env;
	struct det_table *doms;
	struct det_incidents *inc;
	psl_ctx_t *psl;			/* the Public Suffix List (owned when loaded from a file) */
	bool psl_owned;
	uint64_t now_ns;
	uint64_t next_walk_ns;
};

static void det_dnstunnel_destroy(void *st)
{
	struct det_dnstunnel *s = st;

	if (!s)
		return;
	det_table_free(s->doms);
	det_incidents_free(s->inc);
	if (s->psl_owned)
		psl_free(s->psl);
	free(s);
}

static void *det_dnstunnel_create(const struct det_env *env)
{
	struct det_dnstunnel *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->env = env;
	/* the system's list (package publicsuffix), else the one built into libpsl */
	s->psl = psl_latest(NULL);
	s->psl_owned = s->psl != NULL;
	if (!s->psl)
		s->psl = (psl_ctx_t *)psl_builtin();
	s->doms = det_table_new(16384, sizeof(struct dns_dom));
	s->inc = det_incidents_new(env, 1024, 10ULL * DET_NS, 60ULL * DET_NS);
	if (!s->doms || !s->inc || !s->psl) {
		int err = s->psl ? ENOMEM : ENOENT;

		det_dnstunnel_destroy(s);
		errno = err;
		return NULL;
	}
	return s;
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

/* Start of the registered domain in name (the Public Suffix List's), or -1 when it has none. */
static int det_dnstunnel_base(const struct det_dnstunnel *s, const char *name)
{
	const char *r = psl_registrable_domain(s->psl, name);

	return r ? (int)(r - name) : -1;
}

static bool det_dnstunnel_decimal(const char *l, int n)
{
	int i, v = 0;

	if (n < 1 || n > 3)
		return false;
	for (i = 0; i < n; i++) {
		if (l[i] < '0' || l[i] > '9')
			return false;
		v = v * 10 + l[i] - '0';
	}
	return v <= 255;
}

/*
 * The data part of a name's subdomain name[0..sub) into out (labels joined
 * without dots): labels that start with '_' are service labels, not data,
 * and a run of labels that spells an address (four decimal octets, as DNS
 * blocklists are asked; 32 hex nibbles for IPv6) is an address, not data.
 * Returns its length (0: no data).
 */
static int det_dnstunnel_data(const char *name, int sub, char *out)
{
	int i = 0, n = 0, octets = 0, nibbles = 0, labels = 0;

	while (i < sub) {
		int j = i;

		while (j < sub && name[j] != '.')
			j++;
		labels++;
		if (det_dnstunnel_decimal(name + i, j - i))
			octets++;
		if (j - i == 1 && ((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			nibbles++;
		if (name[i] != '_') {
			memcpy(out + n, name + i, (size_t)(j - i));
			n += j - i;
		}
		i = j + 1;
	}
	/* the whole subdomain an address: a blocklist or reputation lookup of it */
	if ((octets == 4 && labels == 4) || (nibbles >= 16 && nibbles == labels))
		return 0;
	out[n] = 0;
	return n;
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
				 const char *domain, double observed, double thr, const struct dns_dom *d)
{
	const struct pkt_info *pi = p->pi;
	/* one incident per host and domain, whichever sign showed first */
	struct det_key k = det_key(1, pi->src, NULL, 0, (uint16_t)det_dnstunnel_hash(domain, (int)strlen(domain)));
	bool is_new;
	struct detect_incident *inc = det_incidents_open(s->inc, &k, p->ts_ns, &is_new);

	if (is_new) {
		inc->start_ns = d->win_start;
		inc->metric = metric;
		inc->window_s = (double)DNS_WIN_NS / DET_NS;
		inc->learning = true;
		inc->threshold = thr;
		memcpy(inc->src, pi->src, 16);
		memcpy(inc->dst, pi->dst, 16);
		inc->proto = pi->proto;
		inc->src_port = pi->src_port;
		inc->dst_port = pi->dst_port;
		snprintf(inc->detail, sizeof(inc->detail), "%s", domain);
	} else if (strcmp(inc->metric, metric) && !strstr(inc->detail, ", also ")) {
		size_t n = strlen(inc->detail);

		snprintf(inc->detail + n, sizeof(inc->detail) - n, ", also %s", metric);
		det_incident_add_host(inc, pi->dst);
		inc->count = d->queries - 1;
	}
	det_incident_add_flow(inc, pi->src, pi->src_port, pi->dst, pi->dst_port, pi->proto);
	/* a lot of data carried, or data both ways (answers in TXT/NULL records), is a tunnel at work */
	if (d->sub_chars >= DNS_HEAVY_CHARS || (d->txt >= thr && d->unique >= thr))
		inc->severity = 1;
	if (!strcmp(inc->metric, metric) && observed > inc->observed)
		inc->observed = observed;
	inc->distinct = d->unique > d->txt ? d->unique : d->txt;
	inc->count++;
	det_incidents_report(s->inc, inc, is_new, p->ts_ns);
}

static void det_dnstunnel_packet(void *st, const struct detect_pkt *p)
{
	struct det_dnstunnel *s = st;
	const struct pkt_info *pi = p->pi;
	const struct det_env *env = s->env;
	char name[DNS_NAME_MAX + 1], data[DNS_NAME_MAX + 1];
	uint16_t qtype;
	int n, b, len;
	uint64_t h;
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
	b = det_dnstunnel_base(s, name);
	if (b <= 0)
		return;	/* a registered domain itself, or a name with none: nothing left of it to carry data */
	if ((n >= 13 && !strcmp(name + n - 13, ".in-addr.arpa")) || (n >= 9 && !strcmp(name + n - 9, ".ip6.arpa")))
		return;
	k = det_key(2, pi->src, NULL, 0, 0);
	h = det_dnstunnel_hash(name + b, n - b);
	memcpy(k.b + 24, &h, 8);
	d = det_table_get(s->doms, &k, p->ts_ns, &created);
	if (d->win_start && p->ts_ns >= d->win_start + DNS_WIN_NS)
		memset(d, 0, sizeof(*d));
	if (!d->win_start)
		d->win_start = p->ts_ns;
	d->queries++;
	if ((qtype == 16 || qtype == 10) && det_distinct_add(&d->txts, det_dnstunnel_hash(name, b - 1)))
		d->txt++;
	len = det_dnstunnel_data(name, b - 1, data);
	if (len > 0 && det_distinct_add(&d->subs, det_dnstunnel_hash(data, len))) {
		d->unique++;
		d->sub_chars += (uint64_t)len;
		d->sub_entropy += det_entropy(data, (unsigned int)len);
	}
	if (d->unique >= thr) {
		double mean_len = (double)d->sub_chars / d->unique, mean_h = d->sub_entropy / d->unique;

		if (mean_len >= DNS_LONG_SUB || mean_h >= DNS_HIGH_ENTROPY)
			det_dnstunnel_report(s, p, "unique_subdomains", name + b, d->unique, thr, d);
	}
	if (d->txt >= thr)
		det_dnstunnel_report(s, p, "txt_null_queries", name + b, d->txt, thr, d);
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
		s->next_walk_ns = now_ns + 60ULL * DET_NS;
	}
	det_incidents_tick(s->inc, now_ns);
}

static void det_dnstunnel_finish(void *st, uint64_t now_ns)
{
	struct det_dnstunnel *s = st;

	det_incidents_finish(s->inc, now_ns);
}

/* keys: the domains followed */
static void det_dnstunnel_stats(void *st, struct detect_detector_stats *out)
{
	const struct det_dnstunnel *s = st;

	out->hosts = det_table_used(s->doms);
	out->evictions = det_table_recycled(s->doms);
}

const struct det_ops det_dnstunnel_ops = {
	.create = det_dnstunnel_create,
	.destroy = det_dnstunnel_destroy,
	.packet = det_dnstunnel_packet,
	.tick = det_dnstunnel_tick,
	.finish = det_dnstunnel_finish,
	.stats = det_dnstunnel_stats,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_common.c: the incident tracker shared by the detectors, so each of them
 * only decides "this window is anomalous" and never counts its own alerts:
 * one start, updates at a bounded rate, one end after a quiet period; and the
 * base state (table, incidents, clock) with the lifecycle most detectors share.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"

/* What names an incident: fixed by its start, so no later event of it says otherwise. */
struct det_incident_ident {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
	uint8_t icmp;
	uint8_t icmp_type;
	uint8_t icmp_code;
};

struct det_incident_slot {
	struct detect_incident inc;
	struct det_incident_ident id;
	uint64_t last_update_ns;
};

struct det_incidents {
	const struct det_env *env;
	struct det_table *tab;
	uint64_t update_ns;
	uint64_t end_after_ns;
	uint64_t now_ns;
	bool all;
};

static void det_incidents_ident(struct det_incident_slot *s, bool take)
{
	struct detect_incident *inc = &s->inc;
	struct det_incident_ident *id = &s->id;

	if (take) {
		memcpy(id->src, inc->src, 16);
		memcpy(id->dst, inc->dst, 16);
		id->src_port = inc->src_port;
		id->dst_port = inc->dst_port;
		id->proto = inc->proto;
		id->icmp = inc->icmp;
		id->icmp_type = inc->icmp_type;
		id->icmp_code = inc->icmp_code;
		return;
	}
	memcpy(inc->src, id->src, 16);
	memcpy(inc->dst, id->dst, 16);
	inc->src_port = id->src_port;
	inc->dst_port = id->dst_port;
	inc->proto = id->proto;
	inc->icmp = id->icmp;
	inc->icmp_type = id->icmp_type;
	inc->icmp_code = id->icmp_code;
}

/* start takes the incident's identity; every later event carries it unchanged */
static void det_incidents_emit(const struct det_env *env, struct det_incident_slot *s, enum detect_state st,
			       uint64_t ts)
{
	struct detect_incident *inc = &s->inc;

	det_incidents_ident(s, st == DETECT_START);
	if (inc->flow_count < inc->n_flows)
		inc->flow_count = inc->n_flows;
	inc->state = st;
	inc->ts_ns = ts;
	if (env->emit)
		env->emit(env->emit_ctx, inc);
}

/* an open incident pushed out of a full table still ends, at its last evidence */
static void det_incidents_recycled(void *ctx, const struct det_key *k, void *v)
{
	struct det_incidents *t = ctx;
	struct det_incident_slot *s = v;

	(void)k;
	det_incidents_emit(t->env, s, DETECT_END, s->inc.last_ns);
}

struct det_incidents *det_incidents_new(const struct det_env *env, uint32_t capacity, uint64_t update_ns,
					uint64_t end_after_ns)
{
	struct det_incidents *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->env = env;
	t->update_ns = update_ns;
	t->end_after_ns = end_after_ns;
	t->tab = det_table_new(capacity, sizeof(struct det_incident_slot));
	if (!t->tab) {
		free(t);
		return NULL;
	}
	det_table_on_recycle(t->tab, det_incidents_recycled, t);
	return t;
}

void det_incidents_free(struct det_incidents *t)
{
	if (!t)
		return;
	det_table_free(t->tab);
	free(t);
}

struct detect_incident *det_incidents_open(struct det_incidents *t, const struct det_key *k, uint64_t now_ns,
					   bool *is_new)
{
	struct det_incident_slot *s = det_table_get(t->tab, k, now_ns, is_new);

	if (*is_new) {
		s->inc.det = t->env->id;
		s->inc.incident_id = ++*t->env->next_id;
		s->inc.action = t->env->cfg->action;
		s->inc.start_ns = now_ns;
	}
	return &s->inc;
}

struct detect_incident *det_incidents_find(struct det_incidents *t, const struct det_key *k)
{
	struct det_incident_slot *s = det_table_find(t->tab, k);

	return s ? &s->inc : NULL;
}

void det_incidents_report(struct det_incidents *t, struct detect_incident *inc, bool is_new, uint64_t now_ns)
{
	struct det_incident_slot *s = (struct det_incident_slot *)inc;

	if (inc->observed > inc->peak)
		inc->peak = inc->observed;
	if (now_ns > inc->last_ns)
		inc->last_ns = now_ns;
	if (is_new) {
		s->last_update_ns = now_ns;
		det_incidents_emit(t->env, s, DETECT_START, now_ns);
	} else if (now_ns >= s->last_update_ns + t->update_ns) {
		s->last_update_ns = now_ns;
		det_incidents_emit(t->env, s, DETECT_UPDATE, now_ns);
	} else {
		det_incidents_ident(s, false);	/* what the detector wrote meanwhile does not rename it */
	}
}

static bool det_incidents_end_one(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_incidents *t = ctx;
	struct det_incident_slot *s = v;

	(void)k;
	(void)last_ns;
	if (!t->all && t->now_ns < s->inc.last_ns + t->end_after_ns)
		return false;
	det_incidents_emit(t->env, s, DETECT_END, t->all && t->now_ns < s->inc.last_ns ? s->inc.last_ns : t->now_ns);
	return true;
}

void det_incidents_tick(struct det_incidents *t, uint64_t now_ns)
{
	if (!det_table_used(t->tab))
		return;
	t->now_ns = now_ns;
	t->all = false;
	det_table_walk(t->tab, det_incidents_end_one, t);
}

void det_incidents_finish(struct det_incidents *t, uint64_t now_ns)
{
	t->now_ns = now_ns;
	t->all = true;
	det_table_walk(t->tab, det_incidents_end_one, t);
}

void *det_base_new(size_t size, const struct det_env *env, uint32_t capacity, size_t value_size,
		   uint64_t update_ns, uint64_t end_after_ns)
{
	struct det_base *b = calloc(1, size);

	if (!b)
		return NULL;
	b->env = env;
	b->tab = det_table_new(capacity, value_size);
	b->inc = det_incidents_new(env, 1024, update_ns, end_after_ns);
	if (!b->tab || !b->inc) {
		det_base_destroy(b);
		errno = ENOMEM;
		return NULL;
	}
	return b;
}

void det_base_destroy(void *st)
{
	struct det_base *b = st;

	if (!b)
		return;
	det_table_free(b->tab);
	det_incidents_free(b->inc);
	free(st);
}

bool det_base_walk_due(struct det_base *b, uint64_t now_ns, uint64_t walk_ns)
{
	b->now_ns = now_ns;
	if (now_ns < b->next_walk_ns)
		return false;
	b->next_walk_ns = now_ns + walk_ns;
	return true;
}

void det_base_tick(struct det_base *b, uint64_t now_ns, uint64_t walk_ns,
		   bool (*fn)(void *ctx, const struct det_key *k, void *v, uint64_t last_ns), void *ctx)
{
	if (!fn)
		b->now_ns = now_ns;
	else if (det_base_walk_due(b, now_ns, walk_ns))
		det_table_walk(b->tab, fn, ctx);
	det_incidents_tick(b->inc, now_ns);
}

void det_base_finish(void *st, uint64_t now_ns)
{
	struct det_base *b = st;

	det_incidents_finish(b->inc, now_ns);
}

double det_threshold_rule(double floor, bool learning, double learned, double min_fraction)
{
	double lo = floor * min_fraction;

	if (learning || !(learned == learned))
		return floor;
	if (learned > floor)
		return floor;
	return learned > lo ? learned : lo;
}

int det_parse_port_range(const char *s, uint16_t *lo_out, uint16_t *hi_out)
{
	char *end;
	unsigned long lo, hi;

	lo = strtoul(s, &end, 10);
	if (end == s || lo > 65535)
		return -EINVAL;
	hi = lo;
	if (*end == '-') {
		const char *h = end + 1;

		hi = strtoul(h, &end, 10);
		if (end == h || hi > 65535 || hi < lo)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*lo_out = (uint16_t)lo;
	*hi_out = (uint16_t)hi;
	return 0;
}

bool det_claimed(struct det_table *claimed, const uint8_t addr[16], uint64_t now_ns, uint64_t window_ns)
{
	struct det_key k = det_key(1, addr, NULL, 0, 0);
	const uint64_t *t = det_table_find(claimed, &k);

	return t && *t + window_ns >= now_ns;
}

struct det_table *det_base_learned(void *st)
{
	return ((struct det_base *)st)->tab;
}

void det_base_stats(void *st, struct detect_detector_stats *out)
{
	const struct det_base *b = st;

	out->hosts = det_table_used(b->tab);
	out->evictions = det_table_recycled(b->tab);
}

void det_incident_add_flow(struct detect_incident *inc, const uint8_t src[16], uint16_t sport, const uint8_t dst[16],
			   uint16_t dport, uint8_t proto)
{
	struct detect_tuple *f;
	unsigned int i;

	for (i = 0; i < inc->n_flows; i++) {
		f = &inc->flows[i];
		if (f->src_port == sport && f->dst_port == dport && f->proto == proto && !memcmp(f->src, src, 16) &&
		    !memcmp(f->dst, dst, 16))
			return;
	}
	inc->flow_count++;
	if (inc->n_flows >= DETECT_MAX_FLOWS)
		return;
	f = &inc->flows[inc->n_flows++];
	memset(f, 0, sizeof(*f));
	memcpy(f->src, src, 16);
	memcpy(f->dst, dst, 16);
	f->src_port = sport;
	f->dst_port = dport;
	f->proto = proto;
}

void det_incident_add_host(struct detect_incident *inc, const uint8_t addr[16])
{
	unsigned int i;

	for (i = 0; i < inc->n_hosts; i++)
		if (!memcmp(inc->hosts[i], addr, 16))
			return;
	if (inc->n_hosts < DETECT_MAX_HOSTS)
		memcpy(inc->hosts[inc->n_hosts++], addr, 16);
}

void det_incident_add_port(struct detect_incident *inc, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < inc->n_ports; i++)
		if (inc->ports[i] == port)
			return;
	if (inc->n_ports < DETECT_MAX_PORTS)
		inc->ports[inc->n_ports++] = port;
}

double det_entropy(const char *s, unsigned int n)
{
	unsigned int cnt[256] = { 0 }, i;
	double h = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		cnt[(uint8_t)s[i]]++;
	for (i = 0; i < 256; i++) {
		double p;

		if (!cnt[i])
			continue;
		p = (double)cnt[i] / n;
		h -= p * log2(p);
	}
	return h;
}

double det_win_learned(const struct det_win *w, double k)
{
	double sd = baseline_stddev(&w->bl), poisson = sqrt(w->bl.mean > 1 ? w->bl.mean : 1);

	return w->bl.mean + k * (sd > poisson ? sd : poisson);
}

/* one value into a bitmap of nbits (a power of two, <= 4096): true when its bit was new */
static bool det_distinct_bit(uint64_t *bits, unsigned int nbits, uint32_t *set, uint32_t *adds, uint64_t v)
{
	uint64_t h = v;
	unsigned int bit;

	/* a full 64-bit finaliser: neighbouring values (addresses of one /24) spread like random ones */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	bit = (unsigned int)(h >> 52) & (nbits - 1);
	(*adds)++;
	if (bits[bit >> 6] & (1ULL << (bit & 63)))
		return false;
	bits[bit >> 6] |= 1ULL << (bit & 63);
	(*set)++;
	return true;
}

/* linear counting: an estimate, never more than was added nor fewer than the bits set (exact when sparse) */
static double det_distinct_estimate(unsigned int nbits, uint32_t set, uint32_t adds)
{
	double m = nbits, zeros = m - set, n;

	if (zeros < 1)
		zeros = 1;
	n = floor(-m * log(zeros / m));
	if (n > adds)
		n = adds;
	return n < set ? set : n;
}

bool det_distinct_add(struct det_distinct *d, uint64_t v)
{
	return det_distinct_bit(d->bits, 1024, &d->set, &d->adds, v);
}

double det_distinct_count(const struct det_distinct *d)
{
	return det_distinct_estimate(1024, d->set, d->adds);
}

bool det_distinct_wide_add(struct det_distinct_wide *d, uint64_t v)
{
	return det_distinct_bit(d->bits, 4096, &d->set, &d->adds, v);
}

double det_distinct_wide_count(const struct det_distinct_wide *d)
{
	return det_distinct_estimate(4096, d->set, d->adds);
}

/* Saved tables (det_saved_*): a header, then count records of key, age, baselines. */
enum { DET_SAVED_VERSION = 1 };

struct det_saved_hdr {
	uint32_t version;
	uint32_t n_bl;
	uint32_t count;
	uint32_t pad;
};

struct det_saved_walk {
	const struct det_saved_layout *l;
	uint64_t now_ns;
	struct det_rec_out o;
};

unsigned char *det_rec_reserve(struct det_rec_out *o, size_t n)
{
	unsigned char *p;

	if (o->err)
		return NULL;
	if (o->len - o->off < n) {
		o->err = -ENOSPC;
		return NULL;
	}
	p = o->out + o->off;
	o->off += n;
	o->count++;
	return p;
}

long det_rec_walk(struct det_table *t, bool (*fn)(void *ctx, const struct det_key *k, void *v, uint64_t last_ns),
		  void *ctx, struct det_rec_out *o, size_t hdr_len)
{
	if (o->len < hdr_len)
		return -ENOSPC;
	o->off = hdr_len;
	o->count = 0;
	o->err = 0;
	det_table_walk(t, fn, ctx);
	return o->err ? o->err : (long)o->off;
}

static size_t det_saved_rec_len(const struct det_saved_layout *l)
{
	return sizeof(struct det_key) + sizeof(uint64_t) + l->n_bl * sizeof(struct baseline);
}

size_t det_saved_size(struct det_table *t, const struct det_saved_layout *l)
{
	return sizeof(struct det_saved_hdr) + (size_t)det_table_used(t) * det_saved_rec_len(l);
}

static bool det_saved_one(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_saved_walk *w = ctx;
	const unsigned char *val = v;
	struct baseline first;
	uint64_t t0, age;

	unsigned char *rec;

	(void)last_ns;
	memcpy(&first, val + w->l->bl_off, sizeof(first));
	memcpy(&t0, val + w->l->first_off, sizeof(t0));
	if (first.n == 0 || !t0)
		return false;	/* nothing learned yet: nothing worth keeping */
	rec = det_rec_reserve(&w->o, det_saved_rec_len(w->l));
	if (!rec)
		return false;
	age = w->now_ns > t0 ? w->now_ns - t0 : 0;
	memcpy(rec, k, sizeof(*k));
	memcpy(rec + sizeof(*k), &age, sizeof(age));
	memcpy(rec + sizeof(*k) + sizeof(age), val + w->l->bl_off, w->l->n_bl * sizeof(struct baseline));
	return false;
}

long det_saved_save(struct det_table *t, const struct det_saved_layout *l, uint64_t now_ns, void *buf, size_t len)
{
	struct det_saved_hdr hdr = { .version = DET_SAVED_VERSION, .n_bl = l->n_bl };
	struct det_saved_walk w = { .l = l, .now_ns = now_ns, .o = { .out = buf, .len = len } };
	long n = det_rec_walk(t, det_saved_one, &w, &w.o, sizeof(hdr));

	if (n < 0)
		return n;
	hdr.count = w.o.count;
	memcpy(buf, &hdr, sizeof(hdr));
	return n;
}

int det_saved_check(const struct det_saved_layout *l, const void *buf, size_t len)
{
	struct det_saved_hdr hdr;

	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != DET_SAVED_VERSION || hdr.n_bl != l->n_bl)
		return -EPROTO;
	if ((len - sizeof(hdr)) % det_saved_rec_len(l) || (len - sizeof(hdr)) / det_saved_rec_len(l) != hdr.count)
		return -EINVAL;
	return (int)hdr.count;
}

static bool det_saved_sane(const struct baseline *b)
{
	return isfinite(b->mean) && isfinite(b->var) && b->mean >= 0 && b->var >= 0;
}

int det_saved_restore(struct det_table *t, const struct det_saved_layout *l, const void *buf, size_t len,
		      uint64_t now_ns)
{
	const unsigned char *in = (const unsigned char *)buf + sizeof(struct det_saved_hdr);
	int n = det_saved_check(l, buf, len), i, restored = 0;
	uint32_t b;

	for (i = 0; i < n; i++, in += det_saved_rec_len(l)) {
		struct baseline bl[4];
		struct det_key k;
		uint64_t age, t0;
		unsigned char *v;
		bool created, ok = l->n_bl <= 4;

		memcpy(&k, in, sizeof(k));
		memcpy(&age, in + sizeof(k), sizeof(age));
		for (b = 0; ok && b < l->n_bl; b++) {
			memcpy(&bl[b], in + sizeof(k) + sizeof(age) + b * sizeof(struct baseline), sizeof(bl[b]));
			ok = det_saved_sane(&bl[b]);
		}
		if (!ok || det_table_find(t, &k))
			continue; /* a damaged record teaches nothing; a live entry wins */
		v = det_table_get(t, &k, now_ns, &created);
		if (l->init)
			l->init(v, &k);
		memcpy(v + l->bl_off, bl, l->n_bl * sizeof(struct baseline));
		/* the age, not a time stamp: a reboot's new clock does not matter (clamped at its start) */
		t0 = now_ns > age ? now_ns - age : 1;
		memcpy(v + l->first_off, &t0, sizeof(t0));
		restored++;
	}
	return n < 0 ? n : restored;
}

int det_pending_keep(struct det_pending *p, const void *buf, size_t len)
{
	det_pending_drop(p);
	p->buf = malloc(len);
	if (!p->buf)
		return -ENOMEM;
	memcpy(p->buf, buf, len);
	p->len = len;
	return 0;
}

long det_pending_save(const struct det_pending *p, void *buf, size_t len)
{
	if (len < p->len)
		return -ENOSPC;
	memcpy(buf, p->buf, p->len);
	return (long)p->len;
}

void det_pending_drop(struct det_pending *p)
{
	free(p->buf);
	p->buf = NULL;
	p->len = 0;
}

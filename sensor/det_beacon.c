// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_beacon.c: command-and-control check-ins: a home_net host contacting one
 * outside destination and port again and again. Two kinds of regularity:
 *  - timing: the intervals between contacts are too regular for unrelated
 *    contacts (a sequential test against a Poisson null: with more contacts,
 *    looser regularity suffices, so C2 that adds jitter on purpose shows too);
 *  - size: with timing jittered beyond that, every check-in sends the same
 *    number of bytes (the implant's fixed request).
 * What is not one host's C2: multicast and broadcast destinations (never
 * "outside"), a destination several internal hosts contact (a shared
 * service), protocols whose design is a periodic keep-alive (DNS, NTP, mDNS,
 * SSDP, MQTT, push channels, STUN), transfers that bring real volume, and a
 * pair that was already contacted while the detector learned (learning_s).
 * A contact is a new TCP connection, or a UDP datagram after a second of
 * silence. Per-pair contacts are saved across restarts.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"

enum {
	BEACON_HIST = 48,			/* intervals (and check-in sizes) remembered */
	BEACON_UDP_GAP_NS = DET_NS,		/* a UDP packet after this much silence is a new contact */
	BEACON_MIN_IV = 2,			/* intervals before regularity can be measured at all */
	BEACON_SIZE_MIN = 20,			/* check-ins whose sizes decide the size rule */
	BEACON_SHARED = 3,			/* internal hosts that make a destination a shared service */
	BEACON_SAVE_VERSION = 2,
};
/*
 * Alert when intervals this regular would arise by chance with probability
 * <= this if the contacts were unrelated (Poisson), over any of four window
 * lengths (so each is tested at a quarter of it): one in a million per
 * contact keeps a network of 10^5 candidate contacts an hour near 0.1 false
 * alert an hour before every other condition.
 */
#define BEACON_ALPHA 1e-6
#define BEACON_MIN_S 1.0			/* shorter periods are sessions, not check-ins */
#define BEACON_MAX_S 86400.0
#define BEACON_MAX_IN 16384			/* mean bytes received per contact */
#define BEACON_SIZE_CV 0.05			/* the size rule: check-ins this alike in bytes ... */
#define BEACON_SIZE_IV_CV 1.0			/* ... at intervals no burstier than chance */

/* keep-alives by design (and name services): periodic is what they are for */
static const uint16_t det_beacon_service_ports[] = {
	53, 67, 68, 123, 137, 138, 1900, 3702, 5353, 5355,	/* DNS, DHCP, NTP, NetBIOS, SSDP, WSD, mDNS, LLMNR */
	1883, 8883, 5222, 5223, 5228, 3478, 5349, 19302,	/* MQTT, XMPP, push (FCM), STUN/TURN */
	5683, 5684,						/* CoAP */
};

struct beacon_ent {
	uint64_t last_ns;		/* last contact (start) */
	uint64_t last_pkt_ns;
	uint64_t first_ns;
	uint32_t n;			/* intervals recorded */
	uint32_t contacts;
	uint64_t in_bytes;		/* received from the destination since the first contact */
	uint32_t n_sizes;		/* check-in sizes recorded */
	uint8_t learned;		/* first contacted while learning: the baseline */
	uint8_t pad[3];
	float iv[BEACON_HIST];
	float size[BEACON_HIST];	/* client bytes of each completed TCP check-in */
};
_Static_assert(sizeof(struct beacon_ent) == 432, "saved as is: the layout is the file format");

/* a destination's internal sources: enough of them make it a shared service */
struct beacon_dst {
	uint32_t src[BEACON_SHARED];
	uint8_t n;
};

struct det_beacon {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	struct det_table *dsts;		/* (destination, port, proto) -> struct beacon_dst */
	uint64_t first_ns;		/* the detector's first clock: learning runs from it */
	struct det_pending saved;	/* loaded state waiting for the first clock */
};
_Static_assert(offsetof(struct det_beacon, b) == 0, "det_base first: det_base_* take the state");

/* Saved: this header, then count records of a key and its struct beacon_ent. */
struct beacon_save_hdr {
	uint32_t version;
	uint32_t count;
	uint64_t saved_ns;		/* the clock at saving: times in the records are on it */
};
_Static_assert(sizeof(struct beacon_save_hdr) == 16, "saved header layout");

enum { BEACON_SAVE_REC = sizeof(struct det_key) + sizeof(struct beacon_ent) };

static void det_beacon_destroy(void *st)
{
	struct det_beacon *s = st;

	if (s) {
		det_pending_drop(&s->saved);
		det_table_free(s->dsts);
	}
	det_base_destroy(st);
}

static void *det_beacon_create(const struct det_env *env)
{
	/* an incident lasts while check-ins continue: end after 10 minutes without one */
	struct det_beacon *s = det_base_new(sizeof(struct det_beacon), env, 65536, sizeof(struct beacon_ent),
					    300ULL * DET_NS, 600ULL * DET_NS);

	if (!s)
		return NULL;
	s->dsts = det_table_new(65536, sizeof(struct beacon_dst));
	if (!s->dsts) {
		det_beacon_destroy(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

/*
 * Chance that m intervals of unrelated (Poisson) contacts have a coefficient of
 * variation <= cv: the intervals over their sum are uniform on the simplex, and
 * cv <= c is a ball of radius c / sqrt(m) around its centre, so the chance is
 * that ball's volume times the density (m-1)!/sqrt(m). Exact while the ball
 * fits inside (c <= 1/sqrt(m-1)), an upper bound beyond: never too eager.
 */
static double det_beacon_chance(uint32_t m, double cv)
{
	double d = (double)m - 1;

	if (cv <= 0)
		return 0;
	return exp(lgamma((double)m) - 0.5 * log((double)m) + d / 2 * log(M_PI) + d * log(cv / sqrt((double)m)) -
		   lgamma(((double)m + 1) / 2));
}

/* mean and coefficient of variation of the last m values of a ring of n */
static void det_beacon_stats(const float *ring, uint32_t n, uint32_t m, double *mean, double *cv)
{
	double sum = 0, sq = 0;
	uint32_t i;

	for (i = 0; i < m; i++) {
		double x = ring[(n - 1 - i) % BEACON_HIST];

		sum += x;
		sq += x * x;
	}
	*mean = sum / m;
	*cv = *mean > 0 ? sqrt(fmax(sq / m - *mean * *mean, 0)) / *mean : 1e9;
}

static bool det_beacon_service_port(uint16_t port)
{
	unsigned int i;

	for (i = 0; i < sizeof(det_beacon_service_ports) / sizeof(det_beacon_service_ports[0]); i++)
		if (port == det_beacon_service_ports[i])
			return true;
	return false;
}

/* link-local (169.254/16, fe80::/10): on the wire of the site, never outside */
static bool det_beacon_link_local(const uint8_t a[16])
{
	static const uint8_t v4[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!memcmp(a, v4, 12))
		return a[12] == 169 && a[13] == 254;
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static uint32_t det_beacon_addr_hash(const uint8_t a[16])
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 31;
	return (uint32_t)(x * 0xbf58476d1ce4e5b9ULL >> 32) | 1;
}

/* Note src among dst's internal sources; true once it is a shared service. */
static bool det_beacon_shared(struct det_beacon *s, const uint8_t src[16], const uint8_t dst[16], uint16_t port,
			      uint8_t proto, uint64_t now)
{
	struct det_key k = det_key(1, dst, NULL, port, proto);
	bool created;
	struct beacon_dst *d = det_table_get(s->dsts, &k, now, &created);
	uint32_t h = det_beacon_addr_hash(src);
	unsigned int i;

	for (i = 0; i < d->n; i++)
		if (d->src[i] == h)
			return d->n >= BEACON_SHARED;
	if (d->n < BEACON_SHARED)
		d->src[d->n++] = h;
	return d->n >= BEACON_SHARED;
}

/* The incident for a pair that is regular: what made it so goes in detail. */
static void det_beacon_report(struct det_beacon *s, const struct detect_pkt *p, const struct det_key *k,
			      struct beacon_ent *e, const char *metric, double observed, double period, uint32_t m,
			      double chance)
{
	const struct pkt_info *pi = p->pi;
	const struct det_env *env = s->b.env;
	struct detect_incident *inc;
	bool is_new;

	inc = det_incidents_open(s->b.inc, k, p->ts_ns, &is_new);
	if (is_new) {
		inc->start_ns = e->first_ns;
		inc->metric = metric;
		inc->learning = true;
		inc->threshold = metric[0] == 'i' ? env->cfg->k : BEACON_SIZE_CV;
		memcpy(inc->src, pi->src, 16);
		memcpy(inc->dst, pi->dst, 16);
		inc->src_port = pi->src_port;
		inc->dst_port = pi->dst_port;
		inc->proto = pi->proto;
		det_incident_add_port(inc, pi->dst_port);
		det_incident_add_host(inc, pi->dst);
	}
	det_incident_add_flow(inc, pi->src, pi->src_port, pi->dst, pi->dst_port, pi->proto);
	inc->window_s = period * m;
	inc->observed = observed;
	inc->expected = period;	/* the period, seconds */
	inc->count = e->contacts;
	if (metric[0] == 'i')
		snprintf(inc->detail, sizeof(inc->detail), "every %.1f s over %u contacts (chance %.1g if unrelated)",
			 period, e->contacts, chance);
	else
		snprintf(inc->detail, sizeof(inc->detail), "check-ins of %.0f bytes every %.1f s on average, %u contacts",
			 chance, period, e->contacts);
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

/* Timing: over the whole history or its last 16, 8, 4 intervals, too regular for chance. */
static bool det_beacon_timing(struct det_beacon *s, const struct detect_pkt *p, const struct det_key *k,
			      struct beacon_ent *e)
{
	static const uint32_t windows[] = { BEACON_HIST, 16, 8, 4 };
	unsigned int i;

	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		uint32_t m = windows[i] < e->n ? windows[i] : e->n;
		double mean, cv, chance;

		if (m < BEACON_MIN_IV || (i && m < windows[i]))
			continue;
		det_beacon_stats(e->iv, e->n, m, &mean, &cv);
		if (mean < BEACON_MIN_S || mean > BEACON_MAX_S || cv > s->b.env->cfg->k)
			continue;
		chance = det_beacon_chance(m, cv);
		if (chance > BEACON_ALPHA / 4)
			continue;
		det_beacon_report(s, p, k, e, "interval_cv", cv, mean, m, chance);
		return true;
	}
	return false;
}

/* Size: jitter beyond the timing test, but every check-in the same size. */
static void det_beacon_size(struct det_beacon *s, const struct detect_pkt *p, const struct det_key *k,
			    struct beacon_ent *e)
{
	uint32_t m = e->n < BEACON_HIST ? e->n : BEACON_HIST;
	double mean_iv, cv_iv, mean_sz, cv_sz;

	if (e->n_sizes < BEACON_SIZE_MIN || m < BEACON_SIZE_MIN)
		return;
	det_beacon_stats(e->iv, e->n, m, &mean_iv, &cv_iv);
	det_beacon_stats(e->size, e->n_sizes, BEACON_SIZE_MIN, &mean_sz, &cv_sz);
	if (mean_iv < BEACON_MIN_S || mean_iv > BEACON_MAX_S || cv_iv > BEACON_SIZE_IV_CV || cv_sz > BEACON_SIZE_CV ||
	    mean_sz <= 0)
		return;
	det_beacon_report(s, p, k, e, "checkin_size_cv", cv_sz, mean_iv, m, mean_sz);
}

static void det_beacon_contact(struct det_beacon *s, const struct detect_pkt *p, struct beacon_ent *e,
			       const struct det_key *k)
{
	e->contacts++;
	if (e->last_ns) {
		e->iv[e->n % BEACON_HIST] = (float)((double)(p->ts_ns - e->last_ns) / 1e9);
		e->n++;
	} else {
		e->first_ns = p->ts_ns;
	}
	e->last_ns = p->ts_ns;
	if (e->learned || e->n < BEACON_MIN_IV || e->contacts < s->b.env->cfg->floor)
		return;
	/* a check-in is small: regular fetches that bring real volume are streaming or sync */
	if (e->in_bytes / (e->contacts - 1) > BEACON_MAX_IN)
		return;
	if (!det_beacon_timing(s, p, k, e))
		det_beacon_size(s, p, k, e);
}

/* a saved time moved back by back ns; 0 (never) stays 0, others stop at 1 */
static uint64_t det_beacon_back(uint64_t t, uint64_t back)
{
	return t > back ? t - back : (t ? 1 : 0);
}

/*
 * Restored pairs take the first clock. Their times are on the saving run's
 * clock: kept when this clock is later (a real gap is a real interval), moved
 * with it when it is earlier (another clock: as if no time had passed).
 */
static void det_beacon_restore(struct det_beacon *s, uint64_t now_ns)
{
	const unsigned char *in = (const unsigned char *)s->saved.buf + sizeof(struct beacon_save_hdr);
	struct beacon_save_hdr hdr;
	uint64_t back;
	uint32_t i;

	memcpy(&hdr, s->saved.buf, sizeof(hdr));
	back = hdr.saved_ns > now_ns ? hdr.saved_ns - now_ns : 0;
	for (i = 0; i < hdr.count; i++, in += BEACON_SAVE_REC) {
		struct det_key k;
		struct beacon_ent r, *e;
		bool created;

		memcpy(&k, in, sizeof(k));
		memcpy(&r, in + sizeof(k), sizeof(r));
		if (det_table_find(s->b.tab, &k))
			continue;	/* a live entry wins */
		r.last_ns = det_beacon_back(r.last_ns, back);
		r.last_pkt_ns = det_beacon_back(r.last_pkt_ns, back);
		r.first_ns = det_beacon_back(r.first_ns, back);
		e = det_table_get(s->b.tab, &k, now_ns, &created);
		*e = r;
	}
	det_pending_drop(&s->saved);
}

static void det_beacon_clock(struct det_beacon *s, uint64_t now_ns)
{
	if (s->saved.buf)
		det_beacon_restore(s, now_ns);
	if (!s->first_ns)
		s->first_ns = now_ns;
}

/* A home_net host reaching an outside unicast address on a port that is not a keep-alive by design. */
static bool det_beacon_outbound(const struct detect_pkt *p)
{
	const struct pkt_info *pi = p->pi;

	if (!p->src_home || p->dst_home || det_conn_is_group(pi->dst) || det_beacon_link_local(pi->dst))
		return false;
	if (pi->proto != 6 && pi->proto != 17)
		return false;
	return !det_beacon_service_port(pi->dst_port) && !det_beacon_service_port(pi->src_port);
}

static void det_beacon_packet(void *st, const struct detect_pkt *p)
{
	struct det_beacon *s = st;
	const struct pkt_info *pi = p->pi;
	const struct det_env *env = s->b.env;
	struct det_key k;
	struct beacon_ent *e;
	bool created, contact;

	if (!pi || pi->is_fragment)
		return;
	det_beacon_clock(s, p->ts_ns);
	s->b.now_ns = p->ts_ns;
	if (!p->src_home && p->dst_home && (pi->proto == 6 || pi->proto == 17)) {
		/* the answer direction: count what the destination sends back */
		k = det_key(1, pi->dst, pi->src, pi->src_port, pi->proto);
		e = det_table_find(s->b.tab, &k);
		if (e)
			e->in_bytes += pi->len;
		return;
	}
	if (!det_beacon_outbound(p))
		return;
	if (pi->proto == 6 && (pi->tcp_flags & 0x16) != 0x02)
		return;
	/* a shared service is not one host's C2: its pairs are dropped once it is known to be one */
	k = det_key(1, pi->src, pi->dst, pi->dst_port, pi->proto);
	if (det_beacon_shared(s, pi->src, pi->dst, pi->dst_port, pi->proto, p->ts_ns)) {
		e = det_table_find(s->b.tab, &k);
		if (e)
			det_table_del(s->b.tab, e);
		return;
	}
	e = det_table_get(s->b.tab, &k, p->ts_ns, &created);
	if (created && p->ts_ns - s->first_ns < (uint64_t)env->cfg->learning_s * DET_NS)
		e->learned = 1;	/* it was already there while the detector learned: the baseline */
	contact = pi->proto == 6 || created || p->ts_ns >= e->last_pkt_ns + BEACON_UDP_GAP_NS;
	e->last_pkt_ns = p->ts_ns;
	if (contact)
		det_beacon_contact(s, p, e, &k);
}

/* A TCP check-in ended: how many bytes the client sent in it. */
static void det_beacon_conn(void *st, const struct det_conn *c, enum det_conn_event ev, uint64_t now_ns)
{
	struct det_beacon *s = st;
	struct det_key k;
	struct beacon_ent *e;

	(void)now_ns;
	if (ev != DET_CONN_EV_END || c->proto != 6 || !(c->home & 1) || (c->home & 2) || !c->segs[0])
		return;
	k = det_key(1, c->cli, c->srv, c->sport, c->proto);
	e = det_table_find(s->b.tab, &k);
	if (!e)
		return;
	e->size[e->n_sizes % BEACON_HIST] = (float)c->bytes[0];
	e->n_sizes++;
}

static bool det_beacon_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_beacon *s = ctx;

	(void)k;
	(void)v;
	return det_base_idle(&s->b, last_ns, 2 * 86400ULL * DET_NS);
}

static void det_beacon_tick(void *st, uint64_t now_ns)
{
	struct det_beacon *s = st;

	det_beacon_clock(s, now_ns);
	det_base_tick(&s->b, now_ns, 600ULL * DET_NS, det_beacon_walk, s);
}

static bool det_beacon_save_one(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	unsigned char *rec = det_rec_reserve(ctx, BEACON_SAVE_REC);

	(void)last_ns;
	if (rec) {
		memcpy(rec, k, sizeof(*k));
		memcpy(rec + sizeof(*k), v, sizeof(struct beacon_ent));
	}
	return false;
}

static size_t det_beacon_save_size(void *st)
{
	struct det_beacon *s = st;

	if (s->saved.buf)
		return s->saved.len;
	return sizeof(struct beacon_save_hdr) + (size_t)det_table_used(s->b.tab) * BEACON_SAVE_REC;
}

/* Every pair's contacts and intervals, times on the clock now_ns; bytes or -ENOSPC. */
static long det_beacon_save(void *st, uint64_t now_ns, void *buf, size_t len)
{
	struct det_beacon *s = st;
	struct beacon_save_hdr hdr = { .version = BEACON_SAVE_VERSION, .saved_ns = now_ns };
	struct det_rec_out w = { .out = buf, .len = len };
	long n;

	if (s->saved.buf)	/* restored but no clock yet: keep it as it was */
		return det_pending_save(&s->saved, buf, len);
	n = det_rec_walk(s->b.tab, det_beacon_save_one, &w, &w, sizeof(hdr));
	if (n < 0)
		return n;
	hdr.count = w.count;
	memcpy(buf, &hdr, sizeof(hdr));
	return n;
}

/* Checked now, applied at the first clock: pairs restored, -EPROTO or -EINVAL (also a damaged record). */
static int det_beacon_load(void *st, const void *buf, size_t len)
{
	struct det_beacon *s = st;
	const unsigned char *in = (const unsigned char *)buf + sizeof(struct beacon_save_hdr);
	struct beacon_save_hdr hdr;
	uint32_t i, j;

	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != BEACON_SAVE_VERSION)
		return -EPROTO;
	if ((len - sizeof(hdr)) % BEACON_SAVE_REC || (len - sizeof(hdr)) / BEACON_SAVE_REC != hdr.count)
		return -EINVAL;
	for (i = 0; i < hdr.count; i++, in += BEACON_SAVE_REC) {
		struct beacon_ent r;

		memcpy(&r, in + sizeof(struct det_key), sizeof(r));
		for (j = 0; j < BEACON_HIST; j++)
			if (!isfinite(r.iv[j]) || r.iv[j] < 0 || !isfinite(r.size[j]) || r.size[j] < 0)
				return -EINVAL;
		if (r.contacts < r.n)
			return -EINVAL;
	}
	if (det_pending_keep(&s->saved, buf, len) < 0)
		return -ENOMEM;
	return (int)hdr.count;
}

const struct det_ops det_beacon_ops = {
	.create = det_beacon_create,
	.destroy = det_beacon_destroy,
	.packet = det_beacon_packet,
	.tick = det_beacon_tick,
	.finish = det_base_finish,
	.conn = det_beacon_conn,
	.save_size = det_beacon_save_size,
	.save = det_beacon_save,
	.load = det_beacon_load,
	.stats = det_base_stats,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_flood.c: per-destination packet and bit rate windows against learned
 * EWMA baselines, reflection towards a host that did not ask, and the
 * network-wide DHCP rate. A fixed open-addressing table bounds memory; idle
 * hosts expire; the work per packet is one probe (two for a request to an
 * amplifier port) and three majority-vote updates.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "det_bits.h"
#include "det_flood.h"

enum det_flood_slot {
	SLOT_FREE = 0,
	SLOT_USED = 1,
	SLOT_TOMB = 2,
};

struct det_flood_host {
	uint8_t addr[16];
	uint8_t slot;			/* enum det_flood_slot */
	uint8_t in_incident;
	uint16_t cand_port;
	uint8_t cand_proto;
	uint8_t learned;		/* restored from saved state with a full learning period */
	uint16_t cand_sport;
	uint32_t cand_src_n;
	uint32_t cand_port_n;
	uint32_t cand_proto_n;
	uint32_t cand_sport_n;
	uint64_t count;			/* packets in the open window */
	uint64_t unexp;			/* ... of them no conversation of this host explains */
	uint64_t bytes;			/* bytes in the open window */
	uint32_t refl, refl_prev;	/* amplifier responses from outside: this window, the last */
	uint32_t frag;			/* non-first fragments from outside in this window */
	uint32_t req, req_prev;		/* requests this host sent to amplifier ports */
	uint64_t first_ns;		/* start of the first window this host was seen in */
	uint64_t last_pkt_ns;
	uint8_t cand_src[16];
	struct baseline bl;
	struct baseline bl_bps;		/* not kept over a restart (save format 1 holds pps only) */
	/* open incident */
	struct det_flood_event inc;
	uint64_t inc_last_anom_ns;
	uint64_t inc_last_update_ns;
};

struct det_flood {
	struct det_flood_cfg cfg;
	struct det_flood_host *hosts;
	uint64_t *live;			/* bit i: hosts[i] is SLOT_USED (walks skip the rest) */
	uint32_t mask;
	uint32_t used;
	uint32_t tombs;
	uint64_t win_start;
	uint64_t win_end;		/* 0 until the first packet or tick */
	uint64_t next_incident;
	uint64_t idle_expire_ns;
	double alpha;
	struct det_flood_stats st;
	struct det_flood_host dhcp;	/* network-wide DHCP: addr holds the latest destination */
	uint64_t learning_acc;		/* hosts still learning, counted as a window closes */
	bool restore_pending;		/* restored hosts wait for the first time stamp */
};

static uint32_t det_flood_hash(const uint8_t a[16])
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/*
 * UDP services that answer a small spoofed request with a large response and
 * so serve as reflectors: DNS, NTP, SSDP, memcached, chargen, CLDAP,
 * WS-Discovery, SNMP, QOTD, portmap, NetBIOS-NS, RIP, mDNS, Ubiquiti discovery.
 */
static const uint16_t det_flood_amp_ports[] = {
	17, 19, 53, 111, 123, 137, 161, 389, 520, 1900, 3702, 5353, 10001, 11211,
};

enum { FLOOD_AMP_PER_REQ = 8 };	/* responses one request may draw (fragments included) */

static bool det_flood_amp_port(uint16_t port)
{
	unsigned int i;

	for (i = 0; i < sizeof(det_flood_amp_ports) / sizeof(det_flood_amp_ports[0]); i++)
		if (det_flood_amp_ports[i] == port)
			return true;
	return false;
}

static bool det_flood_dhcp_port(uint16_t port)
{
	return port == 67 || port == 68 || port == 546 || port == 547;
}

/* broadcast or multicast: IPv4 255.255.255.255, 224/4, or IPv6 ff00::/8 */
static bool det_flood_is_group(const uint8_t a[16])
{
	static const uint8_t v4[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!memcmp(a, v4, 12))
		return (a[12] & 0xf0) == 0xe0 || (a[12] == 0xff && a[13] == 0xff && a[14] == 0xff && a[15] == 0xff);
	return a[0] == 0xff;
}

static void det_flood_mark(struct det_flood *d, const struct det_flood_host *h, bool live)
{
	det_bits_put(d->live, (uint32_t)(h - d->hosts), live);
}

/* The first used host at index *i or later (*i moved to it), NULL past the end. */
static struct det_flood_host *det_flood_next(const struct det_flood *d, uint32_t *i)
{
	return det_bits_next(d->live, d->mask + 1, i) ? &d->hosts[*i] : NULL;
}

static void det_flood_align(struct det_flood *d, uint64_t ts)
{
	struct det_flood_host *h;
	uint32_t i;

	d->win_start = ts - ts % d->cfg.window_ns;
	d->win_end = d->win_start + d->cfg.window_ns;
	if (!d->dhcp.first_ns)
		d->dhcp.first_ns = d->win_start;
	if (!d->restore_pending)
		return;
	/* restored hosts: first_ns held the learned age; now there is a clock to anchor it to */
	d->restore_pending = false;
	for (i = 0; (h = det_flood_next(d, &i)); i++) {
		h->first_ns = d->win_start > h->first_ns ? d->win_start - h->first_ns : 0;
		h->last_pkt_ns = d->win_start;
	}
}

/* Find addr's slot, or the slot to insert it at (first tombstone or free). NULL if full. */
static struct det_flood_host *det_flood_find(struct det_flood *d, const uint8_t addr[16], int *found)
{
	uint32_t i = det_flood_hash(addr) & d->mask, n;
	struct det_flood_host *tomb = NULL;

	for (n = 0; n <= d->mask; n++, i = (i + 1) & d->mask) {
		struct det_flood_host *h = &d->hosts[i];

		if (h->slot == SLOT_FREE) {
			*found = 0;
			return tomb ? tomb : h;
		}
		if (h->slot == SLOT_TOMB) {
			if (!tomb)
				tomb = h;
			continue;
		}
		if (!memcmp(h->addr, addr, 16)) {
			*found = 1;
			return h;
		}
	}
	*found = 0;
	return tomb;
}

/* Rehash in place to clear tombstones: live entries are reinserted into a fresh array. */
static int det_flood_rehash(struct det_flood *d)
{
	struct det_flood_host *old = d->hosts, *fresh;
	uint32_t i;

	fresh = calloc((size_t)d->mask + 1, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	d->hosts = fresh;
	d->tombs = 0;
	/* all bits again from nothing: a host may land on a slot a later one leaves */
	memset(d->live, 0, det_bits_words(d->mask + 1) * sizeof(*d->live));
	for (i = 0; i <= d->mask; i++) {
		int found;
		struct det_flood_host *h;

		if (old[i].slot != SLOT_USED)
			continue;
		h = det_flood_find(d, old[i].addr, &found);
		*h = old[i];
		det_flood_mark(d, h, true);
	}
	free(old);
	return 0;
}

/* addr's entry, created (first seen in the open window) if there is room; NULL when full. */
static struct det_flood_host *det_flood_host_get(struct det_flood *d, const uint8_t addr[16])
{
	int found;
	struct det_flood_host *h = det_flood_find(d, addr, &found);

	if (found)
		return h;
	if (!h || d->used >= d->cfg.max_hosts) {
		d->st.table_full++;
		return NULL;
	}
	if (h->slot == SLOT_TOMB)
		d->tombs--;
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, addr, 16);
	h->slot = SLOT_USED;
	det_flood_mark(d, h, true);
	h->first_ns = d->win_start;
	baseline_init(&h->bl);
	baseline_init(&h->bl_bps);
	d->used++;
	return h;
}

/* One Boyer-Moore step on a vote counter: true when the value becomes the candidate. */
static bool det_flood_vote_step(uint32_t *n, bool same)
{
	if (*n == 0) {
		*n = 1;
		return true;
	}
	if (same)
		(*n)++;
	else
		(*n)--;
	return false;
}

/* Boyer-Moore majority votes: O(1) and exact whenever one value has > 50% */
static void det_flood_vote(struct det_flood_host *h, const uint8_t src[16], uint16_t src_port, uint8_t proto,
			   uint16_t dst_port)
{
	bool same = !memcmp(h->cand_src, src, 16);

	if (det_flood_vote_step(&h->cand_src_n, same)) {
		memcpy(h->cand_src, src, 16);
		h->cand_sport = src_port;
		h->cand_sport_n = 1;
	} else if (same && det_flood_vote_step(&h->cand_sport_n, h->cand_sport == src_port)) {
		h->cand_sport = src_port;	/* the dominant source's own dominant port */
	}
	if (det_flood_vote_step(&h->cand_port_n, h->cand_port == dst_port))
		h->cand_port = dst_port;
	if (det_flood_vote_step(&h->cand_proto_n, h->cand_proto == proto))
		h->cand_proto = proto;
}

/* cfg's settings and what follows from them: smoothing and how long an idle host is kept */
static void det_flood_apply_cfg(struct det_flood *d, const struct det_flood_cfg *cfg)
{
	d->cfg = *cfg;
	if (d->cfg.min_fraction <= 0 || d->cfg.min_fraction > 1)
		d->cfg.min_fraction = 0.25;
	d->alpha = baseline_alpha((double)cfg->window_ns / 1e9, cfg->half_life_s);
	d->idle_expire_ns = (uint64_t)(cfg->half_life_s * 4e9);
	if (d->idle_expire_ns < cfg->learning_ns + cfg->end_after_ns)
		d->idle_expire_ns = cfg->learning_ns + cfg->end_after_ns;
	if (d->idle_expire_ns < 60ULL * 1000000000ULL)
		d->idle_expire_ns = 60ULL * 1000000000ULL;
}

struct det_flood *det_flood_new(const struct det_flood_cfg *cfg)
{
	struct det_flood *d;
	uint32_t cap = 64;

	if (!cfg || !cfg->window_ns || cfg->k <= 0 || cfg->max_hosts == 0 || cfg->max_hosts > (1u << 26)) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	det_flood_apply_cfg(d, cfg);
	/* keep the load factor under 3/4 at max_hosts */
	while (cap < cfg->max_hosts + cfg->max_hosts / 3)
		cap <<= 1;
	d->hosts = calloc(cap, sizeof(*d->hosts));
	d->live = calloc(det_bits_words(cap), sizeof(*d->live));
	if (!d->hosts || !d->live) {
		det_flood_free(d);
		errno = ENOMEM;
		return NULL;
	}
	d->mask = cap - 1;
	d->dhcp.slot = SLOT_USED;
	baseline_init(&d->dhcp.bl);
	baseline_init(&d->dhcp.bl_bps);
	return d;
}

void det_flood_free(struct det_flood *d)
{
	if (!d)
		return;
	free(d->hosts);
	free(d->live);
	free(d);
}

void det_flood_frame(struct det_flood *d, uint64_t ts_ns, const struct det_flood_pkt *fp)
{
	struct det_flood_host *h;
	bool udp = fp->proto == 17 && !fp->fragment;

	d->st.packets++;
	if (!d->win_end)
		det_flood_align(d, ts_ns);
	if (udp && det_flood_amp_port(fp->dst_port) && !det_flood_amp_port(fp->src_port) && !fp->dst_home) {
		/* a request to an amplifier outside: its answers are solicited */
		h = det_flood_host_get(d, fp->src);
		if (h)
			h->req++;
	}
	if (udp && (det_flood_dhcp_port(fp->dst_port) || det_flood_dhcp_port(fp->src_port))) {
		d->dhcp.count++;
		d->dhcp.bytes += fp->len;
		if (ts_ns > d->dhcp.last_pkt_ns)
			d->dhcp.last_pkt_ns = ts_ns;
		if (fp->dst_port == 67 || fp->dst_port == 547) {
			/* requests name the incident: their client and server (or broadcast) */
			memcpy(d->dhcp.addr, fp->dst, 16);
			det_flood_vote(&d->dhcp, fp->src, fp->src_port, fp->proto, fp->dst_port);
		}
	}
	h = det_flood_host_get(d, fp->dst);
	if (!h)
		return;
	h->count++;
	h->bytes += fp->len;
	if (!fp->src_home) {
		if (udp && det_flood_amp_port(fp->src_port) && !det_flood_amp_port(fp->dst_port))
			h->refl++;
		else if (fp->fragment)
			h->frag++;
	}
	if (ts_ns > h->last_pkt_ns)
		h->last_pkt_ns = ts_ns;
	/* the sources that matter are those nobody asked for (a group address answers no one) */
	if (!fp->explained || det_flood_is_group(fp->dst)) {
		h->unexp++;
		det_flood_vote(h, fp->src, fp->src_port, fp->proto, fp->dst_port);
	}
}

void det_flood_packet(struct det_flood *d, uint64_t ts_ns, const uint8_t dst[16],
		      const uint8_t src[16], uint8_t proto, uint16_t dst_port)
{
	/* no conversation is known (explained false): every packet counts */
	struct det_flood_pkt fp = {
		.dst = dst, .src = src, .proto = proto, .dst_port = dst_port, .src_home = true, .dst_home = true,
	};


	det_flood_frame(d, ts_ns, &fp);
}

static void det_flood_emit(struct det_flood_host *h, enum det_flood_state state, uint64_t ts,
			   det_flood_emit_fn emit, void *ctx)
{
	h->inc.state = state;
	h->inc.ts_ns = ts;
	if (emit)
		emit(ctx, &h->inc);
}

/* The bar for one rate: its floor, lowered by what was learned (mean + k * sd) but never below floor * min_fraction. */
static double det_flood_bar(const struct det_flood *d, double floor, double mean, double sd, bool learning)
{
	double learned = mean + d->cfg.k * sd, lo = floor * d->cfg.min_fraction;

	if (learning || learned >= floor)
		return floor;
	return learned > lo ? learned : lo;
}

/* One rate of a window: what was seen, what was learned, the bar, whether it is over. */
struct det_flood_rate {
	double observed, mean, sd, thr;
	bool over;
};

/* agg: the network-wide DHCP entry (judged on its own floor, never expires) */
static void det_flood_close_host(struct det_flood *d, struct det_flood_host *h, uint64_t end,
				 det_flood_emit_fn emit, void *ctx, bool agg, bool claimed)
{
	double w = (double)d->cfg.window_ns / 1e9;
	bool group = !agg && det_flood_is_group(h->addr);
	/* a group address has no conversations to learn from: its floor alone, divided */
	bool learning = group || (!h->learned && end - h->first_ns < d->cfg.learning_ns) || h->bl.n == 0;
	double div = group && d->cfg.bcast_divisor > 1 ? d->cfg.bcast_divisor : 1;
	uint32_t refl = h->refl + (h->refl || h->refl_prev ? h->frag : 0);
	uint32_t budget = FLOOD_AMP_PER_REQ * (h->req + h->req_prev);
	uint64_t pkts = agg || group ? h->count : h->unexp;
	struct det_flood_rate r[4] = { { 0 } };
	enum det_flood_metric m;
	bool anomalous = false;
	int i;

	/*
	 * packets: only what no conversation of the host explains (a download or a
	 * file copy is answered, however fast); Poisson noise of a count over one
	 * window, so a steady baseline still wobbles
	 */
	r[DET_FLOOD_PPS].observed = (double)pkts / w;
	r[DET_FLOOD_PPS].mean = h->bl.mean;
	r[DET_FLOOD_PPS].sd = fmax(baseline_stddev(&h->bl), sqrt(fmax(h->bl.mean, 1.0) / w));
	/* bits: everything towards the host, against an absolute floor only (a link filled is a link filled) */
	r[DET_FLOOD_BPS].observed = (double)h->bytes * 8.0 / w;
	r[DET_FLOOD_BPS].mean = h->bl_bps.mean;
	r[DET_FLOOD_BPS].sd = fmax(baseline_stddev(&h->bl_bps), sqrt(fmax(h->bl_bps.mean, 12000.0) * 12000.0 / w));
	r[DET_FLOOD_REFLECT].observed = (double)(refl > budget ? refl - budget : 0) / w;
	r[DET_FLOOD_DHCP] = r[DET_FLOOD_PPS];
	if (agg) {
		r[DET_FLOOD_DHCP].thr = det_flood_bar(d, d->cfg.floor_dhcp_pps, h->bl.mean, r[DET_FLOOD_PPS].sd, learning);
		r[DET_FLOOD_DHCP].over = d->cfg.floor_dhcp_pps > 0 && h->count > 0 && !claimed &&
					 r[DET_FLOOD_DHCP].observed > r[DET_FLOOD_DHCP].thr;
	} else {
		r[DET_FLOOD_PPS].thr = det_flood_bar(d, d->cfg.floor_pps / div, h->bl.mean, r[DET_FLOOD_PPS].sd, learning);
		r[DET_FLOOD_PPS].over = pkts > 0 && r[DET_FLOOD_PPS].observed > r[DET_FLOOD_PPS].thr;
		r[DET_FLOOD_BPS].thr = d->cfg.floor_bps / div;
		r[DET_FLOOD_BPS].over = d->cfg.floor_bps > 0 && h->bytes > 0 &&
					r[DET_FLOOD_BPS].observed > r[DET_FLOOD_BPS].thr;
		/* unsolicited: nothing to learn, the floor alone */
		r[DET_FLOOD_REFLECT].thr = d->cfg.floor_reflect_pps;
		r[DET_FLOOD_REFLECT].over = d->cfg.floor_reflect_pps > 0 &&
					    r[DET_FLOOD_REFLECT].observed > r[DET_FLOOD_REFLECT].thr;
	}
	m = DET_FLOOD_PPS;
	for (i = 3; i >= 0; i--)
		if (r[i].over) {
			m = (enum det_flood_metric)i;	/* the first of pps, bps, reflect, dhcp that is over */
			anomalous = true;
		}

	if (anomalous) {
		struct det_flood_event *e = &h->inc;
		bool starting = !h->in_incident;

		if (starting) {
			memset(e, 0, sizeof(*e));
			e->metric = m;
			e->incident_id = ++d->next_incident;
			e->start_ns = end - d->cfg.window_ns;
			e->window_s = w;
			e->learning = m == DET_FLOOD_BPS || learning;
			e->expected_pps = m == DET_FLOOD_BPS || learning ? 0 : r[m].mean;
			e->stddev_pps = r[m].sd;
			e->threshold_pps = r[m].thr;
			/* who and how, as the starting window saw it: an incident keeps its name */
			memcpy(e->dst, h->addr, 16);
			memcpy(e->src, h->cand_src, 16);
			e->src_port = h->cand_sport;
			e->src_dominant = h->cand_src_n > 0 && (uint64_t)h->cand_src_n * 2 > (pkts ? pkts : 1);
			e->dst_port = h->cand_port;
			e->proto = h->cand_proto;
			h->in_incident = 1;
			h->inc_last_update_ns = end;
			d->st.incidents++;
		}
		m = e->metric;
		memcpy(e->latest_src, h->cand_src, 16);
		e->observed_pps = r[m].observed;
		e->zscore = (r[m].observed - e->expected_pps) / (r[m].sd > 0 ? r[m].sd : 1.0);
		if (r[m].observed > e->peak_pps)
			e->peak_pps = r[m].observed;
		e->packets += m == DET_FLOOD_PPS || m == DET_FLOOD_DHCP ? pkts : m == DET_FLOOD_REFLECT ? refl : h->count;
		e->last_ns = end;
		h->inc_last_anom_ns = end;
		if (starting) {
			det_flood_emit(h, DET_FLOOD_START, end, emit, ctx);
		} else if (end - h->inc_last_update_ns >= d->cfg.update_ns) {
			h->inc_last_update_ns = end;
			det_flood_emit(h, DET_FLOOD_UPDATE, end, emit, ctx);
		}
	} else if (h->in_incident) {
		h->inc.observed_pps = r[h->inc.metric].observed;
		if (end - h->inc_last_anom_ns >= d->cfg.end_after_ns) {
			det_flood_emit(h, DET_FLOOD_END, end, emit, ctx);
			h->in_incident = 0;
		}
	} else {
		/* only calm windows teach the baselines: an attack must not become normal */
		baseline_update(&h->bl, r[DET_FLOOD_PPS].observed, d->alpha);
		if (!agg)
			baseline_update(&h->bl_bps, r[DET_FLOOD_BPS].observed, d->alpha);
	}
	if (learning && !agg)
		d->learning_acc++;

	h->count = h->bytes = h->unexp = 0;
	h->refl_prev = h->refl;
	h->req_prev = h->req;
	h->refl = h->frag = h->req = 0;
	h->cand_src_n = h->cand_port_n = h->cand_proto_n = h->cand_sport_n = 0;
	if (!agg && !h->in_incident &&
	    end - (h->last_pkt_ns > h->first_ns ? h->last_pkt_ns : h->first_ns) > d->idle_expire_ns) {
		h->slot = SLOT_TOMB;
		det_flood_mark(d, h, false);
		d->used--;
		d->tombs++;
		d->st.evictions++;
	}
}

static void det_flood_close_window(struct det_flood *d, det_flood_emit_fn emit, void *ctx)
{
	struct det_flood_host *h;
	uint32_t i;
	int found;

	d->learning_acc = 0;
	for (i = 0; (h = det_flood_next(d, &i)); i++)
		det_flood_close_host(d, h, d->win_end, emit, ctx, false, false);
	/* a DHCP flood on one server or broadcast that the per-host rate already reports is not raised twice */
	h = det_flood_find(d, d->dhcp.addr, &found);
	det_flood_close_host(d, &d->dhcp, d->win_end, emit, ctx, true, found && h->in_incident);
	d->st.learning = d->learning_acc;
	if (d->tombs > (d->mask + 1) / 4)
		det_flood_rehash(d); /* on -ENOMEM the tombstones simply stay */
}

void det_flood_tick(struct det_flood *d, uint64_t now_ns, det_flood_emit_fn emit, void *ctx)
{
	unsigned int closed = 0;

	if (!d->win_end) {
		det_flood_align(d, now_ns);
		return;
	}
	while (now_ns >= d->win_end) {
		det_flood_close_window(d, emit, ctx);
		d->win_start = d->win_end;
		d->win_end += d->cfg.window_ns;
		/* a jump in time (idle link, capture gap): close a few empty windows, then realign */
		if (++closed >= 64 && now_ns >= d->win_end) {
			det_flood_align(d, now_ns);
			break;
		}
	}
}

/* end h's open incident (if any) at now, or at its last anomaly if the clock is behind it */
static void det_flood_end_open(struct det_flood_host *h, uint64_t now_ns, det_flood_emit_fn emit, void *ctx)
{
	if (!h->in_incident)
		return;
	det_flood_emit(h, DET_FLOOD_END, now_ns > h->inc_last_anom_ns ? now_ns : h->inc_last_anom_ns, emit, ctx);
	h->in_incident = 0;
}

void det_flood_finish(struct det_flood *d, uint64_t now_ns, det_flood_emit_fn emit, void *ctx)
{
	struct det_flood_host *h;
	uint32_t i;

	for (i = 0; (h = det_flood_next(d, &i)); i++)
		det_flood_end_open(h, now_ns, emit, ctx);
	det_flood_end_open(&d->dhcp, now_ns, emit, ctx);
}

void det_flood_get_stats(const struct det_flood *d, struct det_flood_stats *out)
{
	*out = d->st;
	out->hosts = d->used;
}

/*
 * Saved state: a header, then one fixed record per learned host, host byte
 * order. Version 1 records end after age_ns (packets per second only);
 * version 2 adds the bits-per-second baseline. Both are read.
 */
struct det_flood_save_hdr {
	uint32_t version;
	uint32_t count;
	uint64_t window_ns;
};

struct det_flood_save_rec {
	uint8_t addr[16];
	double mean;
	double var;
	uint64_t n;
	uint64_t age_ns;	/* how long the host has been learned */
	double bps_mean;	/* version 2 on */
	double bps_var;
	uint64_t bps_n;
};

enum { DET_FLOOD_REC_V1 = offsetof(struct det_flood_save_rec, bps_mean) };
_Static_assert(sizeof(struct det_flood_save_rec) == 72 && DET_FLOOD_REC_V1 == 48, "saved record layout");

size_t det_flood_save_size(const struct det_flood *d)
{
	return sizeof(struct det_flood_save_hdr) + (size_t)d->used * sizeof(struct det_flood_save_rec);
}

long det_flood_save(const struct det_flood *d, uint64_t now_ns, void *buf, size_t len)
{
	struct det_flood_save_hdr hdr = { .version = DET_FLOOD_SAVE_VERSION, .window_ns = d->cfg.window_ns };
	const struct det_flood_host *h;
	char *out = buf;
	size_t off = sizeof(hdr);
	uint32_t i;

	if (len < sizeof(hdr))
		return -ENOSPC;
	for (i = 0; (h = det_flood_next(d, &i)); i++) {
		struct det_flood_save_rec r;
		uint64_t age;

		if (h->bl.n == 0)
			continue; /* nothing learned yet: nothing worth keeping */
		if (off + sizeof(r) > len)
			return -ENOSPC;
		if (d->restore_pending)
			age = h->first_ns; /* still the restored age */
		else
			age = now_ns > h->first_ns ? now_ns - h->first_ns : 0;
		if (h->learned && age < d->cfg.learning_ns)
			age = d->cfg.learning_ns;
		memset(&r, 0, sizeof(r));
		memcpy(r.addr, h->addr, 16);
		r.mean = h->bl.mean;
		r.var = h->bl.var;
		r.n = h->bl.n;
		r.age_ns = age;
		r.bps_mean = h->bl_bps.mean;
		r.bps_var = h->bl_bps.var;
		r.bps_n = h->bl_bps.n;
		memcpy(out + off, &r, sizeof(r));
		off += sizeof(r);
		hdr.count++;
	}
	memcpy(out, &hdr, sizeof(hdr));
	return (long)off;
}

static bool det_flood_rec_ok(double mean, double var)
{
	return isfinite(mean) && isfinite(var) && mean >= 0 && var >= 0;
}

int det_flood_load(struct det_flood *d, const void *buf, size_t len)
{
	const char *in = buf;
	struct det_flood_save_hdr hdr;
	uint32_t i, loaded = 0;
	size_t rec;

	if (d->win_end || d->used)
		return -EBUSY; /* only into a fresh detector, before the first packet */
	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, in, sizeof(hdr));
	if (hdr.version == 1)
		rec = DET_FLOOD_REC_V1;
	else if (hdr.version == DET_FLOOD_SAVE_VERSION)
		rec = sizeof(struct det_flood_save_rec);
	else
		return -EPROTO;
	if ((len - sizeof(hdr)) / rec < hdr.count || len != sizeof(hdr) + (size_t)hdr.count * rec)
		return -EINVAL;
	for (i = 0; i < hdr.count; i++) {
		struct det_flood_save_rec r = { 0 };
		struct det_flood_host *h;
		int found;

		memcpy(&r, in + sizeof(hdr) + (size_t)i * rec, rec);
		if (!det_flood_rec_ok(r.mean, r.var) || r.n == 0)
			continue; /* a damaged record teaches nothing */
		if (d->used >= d->cfg.max_hosts)
			break;
		h = det_flood_find(d, r.addr, &found);
		if (!h || found)
			continue;
		memset(h, 0, sizeof(*h));
		memcpy(h->addr, r.addr, 16);
		h->slot = SLOT_USED;
		det_flood_mark(d, h, true);
		/* a baseline in packets (bits) per second still holds when the window length changed */
		h->bl.mean = r.mean;
		h->bl.var = r.var;
		h->bl.n = r.n;
		baseline_init(&h->bl_bps);
		if (r.bps_n && det_flood_rec_ok(r.bps_mean, r.bps_var)) {
			h->bl_bps.mean = r.bps_mean;
			h->bl_bps.var = r.bps_var;
			h->bl_bps.n = r.bps_n;
		}
		h->learned = r.age_ns >= d->cfg.learning_ns;
		h->first_ns = r.age_ns; /* anchored to the clock by det_flood_align */
		d->used++;
		loaded++;
	}
	d->restore_pending = loaded > 0;
	d->st.restored += loaded;
	return (int)loaded;
}

int det_flood_set_cfg(struct det_flood *d, const struct det_flood_cfg *cfg)
{
	if (!cfg->window_ns || cfg->k <= 0 || cfg->window_ns != d->cfg.window_ns ||
	    cfg->max_hosts != d->cfg.max_hosts)
		return -EINVAL;
	det_flood_apply_cfg(d, cfg);
	return 0;
}

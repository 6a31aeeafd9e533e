// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c: the per-lcore statistics engine behind stats.h. Each packet costs
 * three set lookups (source host, destination host, socket) touching about
 * ten cache lines, six decays and two sketch updates, whatever the fan-out;
 * host windows close lazily on the host's next packet: no sweep.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "stats_decay.h"
#include "stats_hll.h"
#include "stats_table.h"

enum {
	STATS_NHOST_M = STATS_M_HOST_MAX - STATS_M_PPS_OUT + 1,	/* 7 window metrics */
	STATS_BURST_MAX = 512,
	STATS_CHUNK = 64,		/* packets hashed and prefetched ahead of their update */
	STATS_TICK_SHIFT = 20,		/* table ticks of 2^20 ns, about 1 ms */
	STATS_MAX_GAP_WINDOWS = 64,	/* silent windows folded in as zeros, at most */
	STATS_HOURS = 24,
};

#define STATS_SEED_HOST 0x243f6a8885a308d3ULL
#define STATS_SEED_SOCK 0xa4093822299f31d0ULL
#define STATS_SEED_DST 0x082efa98ec4e6c89ULL
#define STATS_SEED_PORT 0x452821e638d01377ULL
#define STATS_LN2 0.69314718055994531
#define STATS_PEAK_HALF_LIFE_S 86400.0	/* a host's peaks fade over days, not minutes */

struct stats_sock_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t pad[3];
};

/*
 * One cache line: a socket is known (its first packet is a new flow of its
 * source); its damped packet count at the score rate says how long it stays.
 */
struct stats_sock {
	struct stats_sock_key k;
	uint64_t last_ns;
	float w;
	uint8_t pad[12];
};

/* a learned normal in floats: EWMA mean and variance (see baseline.c) */
struct stats_base {
	float mean;
	float var;
};

/*
 * Five cache lines; the first three (what every packet of the host touches,
 * and what a new entry zeroes) are the hot part. The baselines and the last
 * observations are written when a window closes and are valid once one has
 * (closed != 0).
 */
struct stats_host {
	/* line 0: both directions */
	uint8_t addr[16];
	uint64_t last_out_ns;	/* damped packet count of what it sends */
	uint64_t first_ns;	/* first seen: learning starts */
	uint64_t bytes_out;	/* open window counters */
	uint64_t bytes_in;
	uint32_t pkts_out;
	uint32_t pkts_in;
	uint32_t new_flows;
	uint32_t win;		/* index of the open window */
	/* line 1 */
	float w[STATS_MAX_LAMBDA];	/* damped packets out at each lambda: rate = w lambda ln 2 */
	uint32_t nwin;		/* windows folded into the baselines */
	uint32_t closed;	/* a window was closed: base[] and obs[] are valid */
	struct stats_score worst;	/* the last closed window's worst metric */
	uint8_t pad1[8];
	/* line 2: distinct destinations of the open window */
	struct stats_hll dst_hosts;
	struct stats_hll dst_ports;
	/* lines 3-5: cold */
	struct stats_base base[STATS_NHOST_M];
	float obs[STATS_NHOST_M];	/* the last closed window's observations */
	uint8_t frozen;			/* ... it was not learned (too anomalous): nor is its peak */
	uint8_t pad2[43];
	float z[STATS_NHOST_M];		/* the last closed window's z-scores, against the baseline before it */
	float peak[STATS_NHOST_M];	/* the highest of each metric before the last closed window, decaying */
	uint8_t pad3[8];
};

#define STATS_HOST_HOT offsetof(struct stats_host, base)

_Static_assert(sizeof(struct stats_sock) == 64, "a socket entry is one cache line");
_Static_assert((int)STATS_HOST_METRICS == (int)STATS_NHOST_M, "the query's metrics are the window's");
_Static_assert(sizeof(struct stats_host) == 384 && STATS_HOST_HOT == 192, "host: 3 hot + 3 cold lines");

/* admission of new entries in packet time (cfg.turnover_s), one per table */
struct stats_gate {
	uint64_t last_ns;
	double tokens;
	double per_ns;		/* tokens earned per ns: capacity / turnover_s / 1e9; 0: no gate */
	double burst;		/* tokens held at most */
};

struct stats_global {
	uint64_t pkts;		/* open window */
	uint32_t win;
	uint32_t nwin[STATS_HOURS];
	struct stats_base base[STATS_HOURS];	/* [0] only without a daily profile */
	struct stats_score last;
	bool started;
};

struct stats {
	struct stats_cfg cfg;
	unsigned int nlambda;
	double neg_lambda_s[STATS_MAX_LAMBDA];	/* -lambda_i / 1e9: exponent per ns */
	stats_v4f neg_lambda_v4;	/* -lambda_i (per s) of the first four rates; 0 past nlambda */
	float neg_score_lambda;		/* -lambda[score_lambda] per s */
	uint32_t keep_tab[256];		/* stats_keep_ticks by the float exponent of w + 2 */
	uint32_t ticks_1s, ticks_host;	/* least time kept: sockets, hosts */
	double window_s;
	double base_alpha;	/* EWMA weight of one window */
	double peak_decay;	/* what a peak keeps of itself per window */
	uint64_t base_ns;	/* table ticks count from the first packet */
	uint64_t win_lo, win_hi;	/* [lo, hi): the window of the last packet ... */
	uint32_t win;		/* ... and its index: one division per window, not three per packet */
	bool based;
	struct stats_table hosts, socks;
	struct stats_gate gate_hosts, gate_socks;
	struct stats_global global;
	struct stats_counters c;
	uint64_t clock_ns;	/* the latest packet time seen (what a save's ages count from) */
	void *pending;		/* host baselines loaded, applied at the first packet (its time is the clock) */
	size_t pending_len;
};

static const char *const stats_metric_names[STATS_M_MAX] = {
	[STATS_M_NONE] = "none",
	[STATS_M_PPS_OUT] = "pps_out",
	[STATS_M_BPS_OUT] = "bps_out",
	[STATS_M_PPS_IN] = "pps_in",
	[STATS_M_BPS_IN] = "bps_in",
	[STATS_M_NEW_FLOWS] = "new_flows_ps",
	[STATS_M_DST_HOSTS] = "dst_hosts",
	[STATS_M_DST_PORTS] = "dst_ports",
	[STATS_M_GLOBAL_PPS] = "global_pps",
};

const char *stats_metric_name(enum stats_metric m)
{
	if ((unsigned int)m >= STATS_M_MAX || !stats_metric_names[m])
		return "unknown";
	return stats_metric_names[m];
}

void stats_cfg_default(struct stats_cfg *cfg)
{
	static const double lambdas[STATS_MAX_LAMBDA] = { 5, 3, 1, 0.1, 0.01 };

	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->lambda, lambdas, sizeof(lambdas));
	cfg->score_lambda = 3;
	cfg->hosts = 32768;
	cfg->sockets = 163840;
	cfg->window_ns = 1000000000ULL;
	cfg->learning_ns = 60ULL * 1000000000ULL;
	cfg->half_life_s = 300.0;
	cfg->freeze_z = 6.0;
	cfg->daily_profile = false;
	cfg->turnover_s = 4.0;
}

static uint32_t stats_ticks_of(double s)
{
	return (uint32_t)(s * (1e9 / (double)(1u << STATS_TICK_SHIFT))) + 1;
}

/*
 * New keys a chunk may admit, at most: the gate's tokens at the chunk's last
 * time (no gate: all). stats_prefetch spends it on the keys that look new, so
 * under a flood only the slots the gate will grant are fetched. A hint only:
 * admission is decided in order by stats_take, so results never depend on it.
 */
static inline int32_t stats_prefetch_budget(const struct stats_gate *g, uint64_t ts)
{
	double avail;

	if (g->per_ns == 0.0)
		return INT32_MAX;
	avail = g->tokens + (ts > g->last_ns ? (double)(ts - g->last_ns) * g->per_ns : 0.0);
	return (int32_t)(avail > g->burst ? g->burst : avail);
}

/* prefetch a key's entry, or when it looks new and the budget allows, the slot it would take */
static inline void stats_prefetch(const struct stats_table *t, int32_t *budget, uint64_t hash)
{
	if (!stats_table_prefetch_entry(t, hash, *budget > 0))
		(*budget)--;
}

/* capacity / turnover_s new entries per second, a tenth of a second (at least 64) at once */
static void stats_gate_init(struct stats_gate *g, const struct stats_table *t, double turnover_s)
{
	double per_s = turnover_s > 0.0 ? (double)stats_table_slots(t) / turnover_s : 0.0;

	memset(g, 0, sizeof(*g));
	g->per_ns = per_s * 1e-9;
	g->burst = per_s / 10.0 > 64.0 ? per_s / 10.0 : 64.0;
	g->tokens = g->burst;
}

static unsigned int stats_nlambda(const struct stats_cfg *cfg)
{
	unsigned int n = 0;

	while (n < STATS_MAX_LAMBDA && cfg->lambda[n] > 0.0)
		n++;
	return n;
}

uint64_t stats_mem_bytes(const struct stats_cfg *cfg)
{
	return sizeof(struct stats) + stats_table_mem(cfg->hosts, sizeof(struct stats_host)) +
	       stats_table_mem(cfg->sockets, sizeof(struct stats_sock));
}

/*
 * Ticks an entry whose w + 2 has float exponent e stays worth keeping (see
 * stats_keep_ticks); per_bit: the ticks one halving of a score-rate weight lasts.
 */
static uint32_t stats_keep_of_exponent(double per_bit, uint32_t e)
{
	const uint32_t day = (uint32_t)(86400.0 * 1e9 / (double)(1u << STATS_TICK_SHIFT));
	double t = (double)((int)e - 126) * per_bit + 1.0;

	return t < 1.0 ? 1 : t > (double)day ? day : (uint32_t)t;
}

struct stats *stats_new(const struct stats_cfg *cfg)
{
	struct stats *st;
	unsigned int i, n = stats_nlambda(cfg);
	int ret;

	if (n == 0 || cfg->score_lambda >= n || cfg->window_ns == 0 || cfg->half_life_s <= 0.0 ||
	    !(cfg->turnover_s >= 0.0) ||
	    !cfg->hosts || !cfg->sockets) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!(cfg->lambda[i] < 1e6)) {
			errno = EINVAL;
			return NULL;
		}
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		errno = ENOMEM;
		return NULL;
	}
	st->cfg = *cfg;
	st->nlambda = n;
	st->neg_score_lambda = (float)-cfg->lambda[cfg->score_lambda];
	for (i = 0; i < n; i++) {
		st->neg_lambda_s[i] = -cfg->lambda[i] * 1e-9;
		if (i < 4)
			st->neg_lambda_v4[i] = (float)-cfg->lambda[i];
	}
	for (i = 0; i < 256; i++)
		st->keep_tab[i] = stats_keep_of_exponent(1e9 / (double)(1u << STATS_TICK_SHIFT) /
							  cfg->lambda[cfg->score_lambda], i);
	st->window_s = (double)cfg->window_ns / 1e9;
	st->ticks_1s = stats_ticks_of(1.0);
	st->ticks_host = stats_ticks_of(1.5 * st->window_s);
	st->base_alpha = 1.0 - exp2(-st->window_s / cfg->half_life_s);
	st->peak_decay = exp2(-st->window_s / STATS_PEAK_HALF_LIFE_S);
	ret = stats_table_init(&st->hosts, cfg->hosts, sizeof(struct stats_host), 16);
	if (!ret)
		st->hosts.hot_size = STATS_HOST_HOT;
	if (!ret)
		ret = stats_table_init(&st->socks, cfg->sockets, sizeof(struct stats_sock),
				       sizeof(struct stats_sock_key));
	if (ret) {
		stats_free(st);
		errno = -ret;
		return NULL;
	}
	stats_gate_init(&st->gate_hosts, &st->hosts, cfg->turnover_s);
	stats_gate_init(&st->gate_socks, &st->socks, cfg->turnover_s);
	return st;
}

void stats_free(struct stats *st)
{
	if (!st)
		return;
	stats_table_destroy(&st->hosts);
	stats_table_destroy(&st->socks);
	free(st->pending);
	free(st);
}

static void stats_restore(struct stats *st, uint64_t now_ns);

static uint32_t stats_tick(struct stats *st, uint64_t now_ns)
{
	uint64_t t;

	if (!st->based) {
		st->based = true;
		st->base_ns = now_ns;
		if (st->pending)
			stats_restore(st, now_ns);
	}
	if (now_ns > st->clock_ns)
		st->clock_ns = now_ns;
	if (now_ns <= st->base_ns)
		return 1;
	t = ((now_ns - st->base_ns) >> STATS_TICK_SHIFT) + 1;
	return t >= UINT32_MAX - (1u << 24) ? UINT32_MAX - (1u << 24) : (uint32_t)t;
}

/*
 * Ticks an entry with damped weight w at the score rate stays worth keeping:
 * log2(w + 2) (rounded up, from the float's exponent) halvings of 1/lambda s,
 * at least min_ticks, at most a day. A table of the 256 exponents, built by
 * stats_new with stats_keep_of_exponent.
 */
static inline uint32_t stats_keep_ticks(const struct stats *st, float w, uint32_t min_ticks)
{
	float f = w + 2.0f;
	uint32_t bits, t;

	memcpy(&bits, &f, sizeof(bits));
	t = st->keep_tab[(bits >> 23) & 0xff];
	return t < min_ticks ? min_ticks : t;
}

/* the decay factor 2^(-lambda_i * dt) since last (none if time went back) */
static inline double stats_decay1(const struct stats *st, unsigned int i, uint64_t last_ns, uint64_t now_ns)
{
	if (!last_ns || now_ns <= last_ns)
		return 1.0;
	return stats_exp2_neg(st->neg_lambda_s[i] * (double)(now_ns - last_ns));
}

/* d[i] for every lambda */
static void stats_decays(const struct stats *st, uint64_t last_ns, uint64_t now_ns, double *d)
{
	unsigned int i;

	for (i = 0; i < st->nlambda; i++)
		d[i] = stats_decay1(st, i, last_ns, now_ns);
}

/* may a new key take a slot now? A token bucket in packet time; always yes without a gate */
static inline bool stats_gate_admit(struct stats_gate *g, uint64_t now_ns)
{
	if (g->per_ns == 0.0)
		return true;
	if (now_ns > g->last_ns) {
		g->tokens += (double)(now_ns - g->last_ns) * g->per_ns;
		if (g->tokens > g->burst)
			g->tokens = g->burst;
		g->last_ns = now_ns;
	}
	if (g->tokens < 1.0)
		return false;
	g->tokens -= 1.0;
	return true;
}

static void stats_score_set(struct stats_score *s, enum stats_metric m, double obs, double mean,
			    double band, double window_s, bool learning, bool one_sided)
{
	double z = band > 0.0 ? (obs - mean) / band : 0.0;
	double sc = one_sided ? (z > 0.0 ? z : 0.0) : fabs(z);

	s->metric = (uint8_t)m;
	s->observed = (float)obs;
	s->expected = (float)mean;
	s->band = (float)band;
	s->z = (float)z;
	s->window_s = (float)window_s;
	s->learning = learning;
	s->score = learning ? 0.0f : (float)(sc > 1e30 ? 1e30 : sc);
	s->fresh = 0;
	s->pad = 0;	/* every byte set: results compare (and replay) byte for byte */
}

static double stats_base_band(const struct stats_base *b)
{
	double sd = b->var > 0.0f ? sqrt((double)b->var) : 0.0;
	double floor = 1.0 + sqrt(b->mean > 0.0f ? (double)b->mean : 0.0);

	return sd > floor ? sd : floor;
}

/* EWMA with a Welford warm-up: the first 1/alpha samples weigh 1/(n+1) */
static inline double stats_base_weight(uint32_t n, double alpha)
{
	return n == 0 ? 1.0 : alpha < 1.0 / (double)(n + 1) ? 1.0 / (double)(n + 1) : alpha;
}

/* fold x in with weight a = stats_base_weight(n, alpha) (the same for every metric of a window) */
static void stats_base_update(struct stats_base *b, uint32_t n, double x, double a)
{
	double diff, incr;

	if (n == 0) {
		b->mean = (float)x;
		b->var = 0.0f;
		return;
	}
	diff = x - (double)b->mean;
	incr = a * diff;
	b->mean = (float)((double)b->mean + incr);
	b->var = (float)((1.0 - a) * ((double)b->var + diff * incr));
}

/* the index of now's window (now / window_ns), cached while packets stay in one window */
static inline uint32_t stats_win_of(struct stats *st, uint64_t now_ns)
{
	if (now_ns < st->win_lo || now_ns >= st->win_hi) {
		uint64_t w = now_ns / st->cfg.window_ns;

		st->win = (uint32_t)w;
		st->win_lo = w * st->cfg.window_ns;
		st->win_hi = st->win_lo + st->cfg.window_ns;
	}
	return st->win;
}

/* close host h's open window: observe, score against the baseline, learn */
static void stats_host_close(struct stats *st, struct stats_host *h, uint64_t now_ns)
{
	const double ws = st->window_s;
	bool learning = now_ns - h->first_ns < st->cfg.learning_ns || h->nwin < 2;
	double obs[STATS_NHOST_M];
	struct stats_score worst, cur;
	bool freeze = false;
	unsigned int m;

	/* the window before this one joins the peaks (unless it was an anomaly), all fade a little */
	for (m = 0; m < STATS_NHOST_M; m++) {
		float faded = h->peak[m] * (float)st->peak_decay;

		h->peak[m] = h->closed && !h->frozen && h->obs[m] > faded ? h->obs[m] : faded;
	}
	obs[0] = h->pkts_out / ws;
	obs[1] = (double)h->bytes_out / ws;
	obs[2] = h->pkts_in / ws;
	obs[3] = (double)h->bytes_in / ws;
	obs[4] = h->new_flows / ws;
	obs[5] = h->pkts_out ? stats_hll_estimate(&h->dst_hosts) : 0.0;
	obs[6] = h->pkts_out ? stats_hll_estimate(&h->dst_ports) : 0.0;
	memset(&worst, 0, sizeof(worst));
	for (m = 0; m < STATS_NHOST_M; m++) {
		/* a learning host scores 0 whatever its band: skip the two square roots */
		stats_score_set(&cur, (enum stats_metric)(STATS_M_PPS_OUT + m), obs[m], h->base[m].mean,
				learning ? 0.0 : stats_base_band(&h->base[m]), ws, learning, true);
		if (m == 0 || cur.score > worst.score || (cur.score == worst.score && cur.z > worst.z))
			worst = cur;
		h->obs[m] = (float)obs[m];
		h->z[m] = learning ? 0.0f : cur.z;
	}
	if (!learning && st->cfg.freeze_z > 0.0 && worst.score > st->cfg.freeze_z)
		freeze = true;	/* do not learn the attack */
	h->frozen = freeze;
	if (!freeze) {
		double a = stats_base_weight(h->nwin, st->base_alpha);

		for (m = 0; m < STATS_NHOST_M; m++)
			stats_base_update(&h->base[m], h->nwin, obs[m], a);
		h->nwin++;
	}
	worst.fresh = 1;
	h->worst = worst;
	h->closed = 1;
	st->c.host_windows++;
	h->pkts_out = h->pkts_in = h->new_flows = 0;
	h->bytes_out = h->bytes_in = 0;
	memset(&h->dst_hosts, 0, sizeof(h->dst_hosts));
	memset(&h->dst_ports, 0, sizeof(h->dst_ports));
}

/* move host h to the window of now, closing the open one and folding in silent ones */
static bool stats_host_roll(struct stats *st, struct stats_host *h, uint64_t now_ns)
{
	uint32_t w = stats_win_of(st, now_ns), gap, i, m;

	if (w == h->win || (int32_t)(w - h->win) < 0)
		return false;
	stats_host_close(st, h, now_ns);
	gap = w - h->win - 1;
	if (gap > STATS_MAX_GAP_WINDOWS)
		gap = STATS_MAX_GAP_WINDOWS;
	for (i = 0; i < gap; i++) {
		double a = stats_base_weight(h->nwin, st->base_alpha);

		for (m = 0; m < STATS_NHOST_M; m++)
			stats_base_update(&h->base[m], h->nwin, 0.0, a);
		h->nwin++;
	}
	h->win = w;
	return true;
}

static void stats_global_roll(struct stats *st, uint64_t now_ns)
{
	struct stats_global *g = &st->global;
	uint32_t w = stats_win_of(st, now_ns), hour = 0;
	double obs;

	if (!g->started) {
		g->started = true;
		g->win = w;
		return;
	}
	if (w == g->win || (int32_t)(w - g->win) < 0)
		return;
	if (st->cfg.daily_profile)
		hour = (uint32_t)(((uint64_t)g->win * st->cfg.window_ns / 1000000000ULL) / 3600 % 24);
	obs = (double)g->pkts / st->window_s;
	stats_score_set(&g->last, STATS_M_GLOBAL_PPS, obs, g->base[hour].mean, stats_base_band(&g->base[hour]),
			st->window_s, g->nwin[hour] < 2 ||
			(uint64_t)g->nwin[hour] * st->cfg.window_ns < st->cfg.learning_ns, true);
	g->last.fresh = 1;
	if (g->last.learning || st->cfg.freeze_z <= 0.0 || g->last.score <= st->cfg.freeze_z) {
		stats_base_update(&g->base[hour], g->nwin[hour], obs, stats_base_weight(g->nwin[hour], st->base_alpha));
		g->nwin[hour]++;
	}
	g->pkts = 0;
	g->win = w;
}

static void stats_sock_key(const struct pkt_info *p, struct stats_sock_key *k)
{
	memcpy(k->src, p->src, 16);
	memcpy(k->dst, p->dst, 16);
	k->sport = p->src_port;
	k->dport = p->dst_port;
	k->proto = p->proto;
	memset(k->pad, 0, sizeof(k->pad));
}

static bool stats_counted(int rc)
{
	return rc == PKT_OK || rc == PKT_BAD_L4;
}

struct stats_hashes {
	uint64_t src, dst, sock;
};

/* murmur3's 64-bit finaliser */
static inline uint64_t stats_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* the hosts' hashes from their addresses; the socket's derived from them (keys still compared) */
static inline void stats_hashes_of(const struct pkt_info *p, struct stats_hashes *hs)
{
	uint64_t ports = (uint64_t)p->src_port << 24 | (uint64_t)p->dst_port << 8 | p->proto;

	hs->src = stats_hash(p->src, 16, STATS_SEED_HOST);
	hs->dst = stats_hash(p->dst, 16, STATS_SEED_HOST);
	hs->sock = stats_mix(hs->src ^ (hs->dst << 29 | hs->dst >> 35) ^ (ports + 1) * 0x9e3779b97f4a7c15ULL ^
			     STATS_SEED_SOCK);
}

/* probe, and when the key is new and the table is gated, take a slot only with a token */
static inline uint32_t stats_take(struct stats *st, struct stats_table *t, struct stats_gate *g, const void *key,
				  uint32_t len, uint64_t hash, uint64_t now_ns, uint32_t tick, enum stats_table_got *got)
{
	uint32_t slot = stats_table_probe(t, key, len, hash, tick, g->per_ns == 0.0, got);

	if (slot == STATS_TABLE_NONE && stats_gate_admit(g, now_ns))
		slot = stats_table_insert(t, key, len, hash, tick, got);	/* absent: no second search */
	return slot;
}

/* the host's entry (taken if new; force: past the gate); NULL when the gate refused a new host */
static struct stats_host *stats_host_get(struct stats *st, const uint8_t addr[16], uint64_t hash,
					 uint64_t now_ns, uint32_t tick, bool force, bool *rolled)
{
	enum stats_table_got got;
	uint32_t slot = force ? stats_table_probe(&st->hosts, addr, 16, hash, tick, 1, &got)
			      : stats_take(st, &st->hosts, &st->gate_hosts, addr, 16, hash, now_ns, tick, &got);
	struct stats_host *h;

	*rolled = false;
	if (slot == STATS_TABLE_NONE) {
		st->c.gated_hosts++;
		return NULL;
	}
	h = stats_table_entry(&st->hosts, slot);
	if (got != STATS_TABLE_FOUND) {
		st->c.new_hosts++;
		st->c.evict_hosts += got == STATS_TABLE_EVICTED;
		h->first_ns = now_ns;
		h->win = stats_win_of(st, now_ns);
	} else {
		*rolled = stats_host_roll(st, h, now_ns);
	}
	/* a host is kept while its traffic lasts, and at least a window and a half */
	stats_table_set_expire(&st->hosts, slot, tick + stats_keep_ticks(st, h->w[st->cfg.score_lambda], st->ticks_host));
	return h;
}

/* seconds since last (0 when never or when time went back): the age a decay factor needs */
static inline float stats_age_s(uint64_t last_ns, uint64_t now_ns)
{
	return last_ns && now_ns > last_ns ? (float)((double)(now_ns - last_ns) * 1e-9) : 0.0f;
}

/* the damped packet counts at every rate: the first four in one vector, the fifth alone */
static inline void stats_rates_add(const struct stats *st, struct stats_host *h, uint64_t now)
{
	const stats_v4f one = { 1.0f, 1.0f, 1.0f, 1.0f };
	float dt_s = stats_age_s(h->last_out_ns, now);
	stats_v4f w;

	__builtin_memcpy(&w, h->w, sizeof(w));
	w = w * stats_exp2_neg_v4(st->neg_lambda_v4 * dt_s) + one;
	__builtin_memcpy(h->w, &w, sizeof(w));
	if (st->nlambda > 4)
		h->w[4] = (float)((double)h->w[4] * stats_decay1(st, 4, h->last_out_ns, now) + 1.0);
}

/*
 * Does this packet open (or ask) rather than answer? A TCP segment with SYN
 * and no ACK; UDP from a port at least as high as the one it goes to (a
 * client's side); an ICMP echo request; any other protocol. Never towards a
 * multicast or broadcast address: discovery chatter is nobody's fan-out.
 */
static inline bool stats_opens(const struct pkt_info *p)
{
	static const uint8_t v4[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *d = p->dst;

	if (!memcmp(d, v4, 12) ? (d[12] & 0xf0) == 0xe0 || (d[12] == 255 && d[13] == 255 && d[14] == 255 && d[15] == 255)
			       : d[0] == 0xff)
		return false;
	switch (p->proto) {
	case 6: return (p->tcp_flags & 0x12) == 0x02;
	case 17: return p->src_port >= p->dst_port;
	case 1: return p->src_port == 8;
	case 58: return p->src_port == 128;
	default: return !p->is_fragment;
	}
}

static void stats_one(struct stats *st, const struct pkt_info *p, uint64_t now, const struct stats_hashes *hs,
		      struct stats_result *r)
{
	const uint32_t tick = stats_tick(st, now);
	struct stats_sock_key sk;
	struct stats_host *src, *dst;
	enum stats_table_got got;
	uint32_t sslot;
	bool rolled;

	st->c.packets++;
	stats_global_roll(st, now);
	st->global.pkts++;

	/* socket: a new one is a flow its source opened; kept while its damped count lasts */
	stats_sock_key(p, &sk);
	sslot = stats_take(st, &st->socks, &st->gate_socks, &sk, sizeof(sk), hs->sock, now, tick, &got);
	if (sslot != STATS_TABLE_NONE) {
		struct stats_sock *so = stats_table_entry(&st->socks, sslot);

		if (got != STATS_TABLE_FOUND) {
			st->c.new_sockets++;
			st->c.evict_sockets += got == STATS_TABLE_EVICTED;
			r->new_flow = 1;
			so->w = 0.0f;
		} else {
			so->w *= (float)stats_exp2_neg((double)(stats_age_s(so->last_ns, now) * st->neg_score_lambda));
		}
		so->w += 1.0f;
		so->last_ns = now;
		stats_table_set_expire(&st->socks, sslot, tick + stats_keep_ticks(st, so->w, st->ticks_1s));
	} else {
		st->c.gated_sockets++;
	}

	/* source host: how much it sends, to how many hosts and ports */
	src = stats_host_get(st, p->src, hs->src, now, tick, false, &rolled);
	if (src) {
		r->src = src->worst;
		r->src.fresh = rolled;
		stats_rates_add(st, src, now);
		src->last_out_ns = now;
		src->pkts_out++;
		src->bytes_out += p->len;
		/* fan-out is what a host opens: its answers go to its clients' ports, and groups are no peers */
		if (stats_opens(p)) {
			src->new_flows += r->new_flow;
			stats_hll_add(&src->dst_hosts, hs->dst ^ STATS_SEED_DST);
			stats_hll_add(&src->dst_ports, stats_hash(&(uint64_t){ (uint64_t)p->dst_port << 8 | p->proto },
								  8, STATS_SEED_PORT));
		}
	}

	/* destination host: what it receives */
	dst = stats_host_get(st, p->dst, hs->dst, now, tick, false, &rolled);
	if (dst) {
		r->dst = dst->worst;
		r->dst.fresh = rolled;
		dst->pkts_in++;
		dst->bytes_in += p->len;
	}
}

void stats_burst(struct stats *st, const struct pkt_info *pk, const int *rc, const uint64_t *ts_ns,
		 uint16_t n, struct stats_result *res)
{
	struct stats_hashes hs[STATS_CHUNK];
	struct stats_result scratch;
	uint16_t base, i;

	/* in chunks: hash and prefetch the sets, then the entries, then update */
	for (base = 0; base < n; base += STATS_CHUNK) {
		uint16_t m = (uint16_t)(n - base < STATS_CHUNK ? n - base : STATS_CHUNK);
		int32_t budget[2];

		for (i = 0; i < m; i++) {
			if (!stats_counted(rc[base + i]))
				continue;
			stats_hashes_of(&pk[base + i], &hs[i]);
			stats_table_prefetch(&st->socks, hs[i].sock);
			stats_table_prefetch(&st->hosts, hs[i].src);
			stats_table_prefetch(&st->hosts, hs[i].dst);
		}
		budget[0] = stats_prefetch_budget(&st->gate_socks, ts_ns[base + m - 1]);
		budget[1] = stats_prefetch_budget(&st->gate_hosts, ts_ns[base + m - 1]);
		for (i = 0; i < m; i++) {
			if (!stats_counted(rc[base + i]))
				continue;
			stats_prefetch(&st->socks, &budget[0], hs[i].sock);
			stats_prefetch(&st->hosts, &budget[1], hs[i].src);
			stats_prefetch(&st->hosts, &budget[1], hs[i].dst);
		}
		for (i = 0; i < m; i++) {
			struct stats_result *r = res ? &res[base + i] : &scratch;

			memset(r, 0, sizeof(*r));
			if (!stats_counted(rc[base + i])) {
				r->skipped = 1;
				st->c.skipped++;
				continue;
			}
			stats_one(st, &pk[base + i], ts_ns[base + i], &hs[i], r);
		}
	}
}

static struct stats_host *stats_host_touch(struct stats *st, const uint8_t addr[16], uint64_t now_ns)
{
	uint64_t h = stats_hash(addr, 16, STATS_SEED_HOST);
	bool rolled;

	return stats_host_get(st, addr, h, now_ns, stats_tick(st, now_ns), true, &rolled);
}

void stats_flow_delta(struct stats *st, const uint8_t a[16], const uint8_t b[16], uint64_t pkts_ab,
		      uint64_t bytes_ab, uint64_t pkts_ba, uint64_t bytes_ba, uint64_t now_ns)
{
	struct stats_host *ha, *hb;

	/* never gated: a harvest's deltas are few and belong to flows the kernel admitted */
	if (!pkts_ab && !pkts_ba)
		return;
	ha = stats_host_touch(st, a, now_ns);
	ha->pkts_out += (uint32_t)pkts_ab;
	ha->bytes_out += bytes_ab;
	ha->pkts_in += (uint32_t)pkts_ba;
	ha->bytes_in += bytes_ba;
	hb = stats_host_touch(st, b, now_ns);
	hb->pkts_out += (uint32_t)pkts_ba;
	hb->bytes_out += bytes_ba;
	hb->pkts_in += (uint32_t)pkts_ab;
	hb->bytes_in += bytes_ab;
	st->global.pkts += pkts_ab + pkts_ba;
	st->c.flow_deltas += pkts_ab + pkts_ba;
}

bool stats_host_query(const struct stats *st, const uint8_t addr[16], uint64_t now_ns,
		      double rates[STATS_MAX_LAMBDA], struct stats_score *worst,
		      struct stats_score metrics[STATS_M_HOST_MAX + 1])
{
	uint32_t slot = stats_table_lookup(&st->hosts, addr, stats_hash(addr, 16, STATS_SEED_HOST));
	const struct stats_host *h;
	double d[STATS_MAX_LAMBDA];
	unsigned int i;

	if (slot == STATS_TABLE_NONE)
		return false;
	h = stats_table_entry(&st->hosts, slot);
	stats_decays(st, h->last_out_ns, now_ns, d);
	if (rates) {
		for (i = 0; i < STATS_MAX_LAMBDA; i++)
			rates[i] = i < st->nlambda ? (double)h->w[i] * d[i] * st->cfg.lambda[i] * STATS_LN2 : 0.0;
	}
	if (worst)
		*worst = h->worst;
	if (metrics) {
		bool learning = now_ns - h->first_ns < st->cfg.learning_ns || h->nwin < 2;

		memset(metrics, 0, sizeof(*metrics) * (STATS_M_HOST_MAX + 1));
		for (i = 0; i < STATS_NHOST_M; i++) {
			static const struct stats_base none;
			const struct stats_base *b = h->closed ? &h->base[i] : &none;

			stats_score_set(&metrics[STATS_M_PPS_OUT + i], (enum stats_metric)(STATS_M_PPS_OUT + i),
					h->closed ? h->obs[i] : 0.0, b->mean, stats_base_band(b), st->window_s,
					learning, true);
		}
	}
	return true;
}

bool stats_host_window(const struct stats *st, const uint8_t addr[16], uint64_t now_ns,
		       struct stats_host_window *out)
{
	uint32_t slot = stats_table_lookup(&st->hosts, addr, stats_hash(addr, 16, STATS_SEED_HOST));
	const struct stats_host *h;
	unsigned int m;

	memset(out, 0, sizeof(*out));
	if (slot == STATS_TABLE_NONE)
		return false;
	h = stats_table_entry(&st->hosts, slot);
	if (!h->closed)
		return false;
	out->learning = now_ns - h->first_ns < st->cfg.learning_ns || h->nwin < 2;
	out->windows = h->nwin;
	out->first_ns = h->first_ns;
	out->window_s = st->window_s;
	for (m = 0; m < STATS_NHOST_M; m++) {
		out->obs[m] = h->obs[m];
		out->z[m] = h->z[m];
		out->peak[m] = h->peak[m];
		out->expected[m] = h->base[m].mean;
	}
	return true;
}

void stats_global_score(const struct stats *st, struct stats_score *out)
{
	*out = st->global.last;
}

void stats_get_counters(const struct stats *st, struct stats_counters *out)
{
	*out = st->c;
}

void stats_used(const struct stats *st, uint32_t *hosts, uint32_t *sockets)
{
	*hosts = stats_table_used(&st->hosts);
	*sockets = stats_table_used(&st->socks);
}

/* ---- host baselines across restarts: what a host learned, not its open window ---- */

enum { STATS_SAVE_VERSION = 1 };

struct stats_save_hdr {
	uint32_t version;
	uint32_t rec_size;
	uint32_t n;
	uint32_t metrics;
	uint64_t window_ns;	/* the window the baselines were learned over */
};
_Static_assert(sizeof(struct stats_save_hdr) == 24, "saved header layout");

struct stats_save_rec {
	uint8_t addr[16];
	uint64_t age_ns;		/* since first seen */
	uint64_t keep_ns;		/* how long the table was to keep it yet (its eviction order) */
	uint32_t nwin;
	uint8_t closed, frozen, pad[2];
	struct stats_base base[STATS_NHOST_M];
	float obs[STATS_NHOST_M];
	float z[STATS_NHOST_M];
	float peak[STATS_NHOST_M];
	uint32_t pad2;
};
_Static_assert(sizeof(struct stats_save_rec) == 184, "saved record layout: the layout is the file format");

size_t stats_save_size(const struct stats *st)
{
	if (st->pending)
		return st->pending_len;
	return sizeof(struct stats_save_hdr) + (size_t)stats_table_used(&st->hosts) * sizeof(struct stats_save_rec);
}

long stats_save(const struct stats *st, void *buf, size_t len)
{
	struct stats_save_hdr hdr = { STATS_SAVE_VERSION, sizeof(struct stats_save_rec), 0, STATS_NHOST_M,
				      st->cfg.window_ns };
	unsigned char *out = (unsigned char *)buf + sizeof(hdr);
	uint64_t tick = st->based && st->clock_ns > st->base_ns ? ((st->clock_ns - st->base_ns) >> STATS_TICK_SHIFT) + 1 : 1;
	uint32_t i, w;

	if (st->pending) {	/* loaded, no packet since: what was loaded, as it was */
		if (len < st->pending_len)
			return -ENOSPC;
		memcpy(buf, st->pending, st->pending_len);
		return (long)st->pending_len;
	}
	if (len < sizeof(hdr))
		return -ENOSPC;
	for (i = 0; i < st->hosts.nsets; i++) {
		for (w = 0; w < STATS_TABLE_WAYS; w++) {
			const struct stats_set *set = &st->hosts.sets[i];
			const struct stats_host *h;
			struct stats_save_rec r;

			if (!set->tag[w])
				continue;
			h = stats_table_entry(&st->hosts, i * STATS_TABLE_WAYS + w);
			if (!h->nwin)
				continue;	/* learned nothing yet */
			if ((size_t)(out - (unsigned char *)buf) + sizeof(r) > len)
				return -ENOSPC;
			memset(&r, 0, sizeof(r));
			memcpy(r.addr, h->addr, 16);
			r.age_ns = st->clock_ns > h->first_ns ? st->clock_ns - h->first_ns : 0;
			r.keep_ns = set->expire[w] > tick ? (uint64_t)(set->expire[w] - tick) << STATS_TICK_SHIFT : 0;
			r.nwin = h->nwin;
			r.closed = h->closed;
			r.frozen = h->frozen;
			memcpy(r.base, h->base, sizeof(r.base));
			memcpy(r.obs, h->obs, sizeof(r.obs));
			memcpy(r.z, h->z, sizeof(r.z));
			memcpy(r.peak, h->peak, sizeof(r.peak));
			memcpy(out, &r, sizeof(r));
			out += sizeof(r);
			hdr.n++;
		}
	}
	memcpy(buf, &hdr, sizeof(hdr));
	return (long)(out - (unsigned char *)buf);
}

int stats_load(struct stats *st, const void *buf, size_t len)
{
	struct stats_save_hdr hdr;
	void *copy;

	if (st->based)
		return -EBUSY;
	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != STATS_SAVE_VERSION || hdr.rec_size != sizeof(struct stats_save_rec) ||
	    hdr.metrics != STATS_NHOST_M)
		return -EPROTO;
	if (len != sizeof(hdr) + (size_t)hdr.n * sizeof(struct stats_save_rec))
		return -EINVAL;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	free(st->pending);
	st->pending = copy;
	st->pending_len = len;
	return (int)hdr.n;
}

/* The loaded hosts go in at the first packet: ages become times of this run, windows open now. */
static void stats_restore(struct stats *st, uint64_t now_ns)
{
	const unsigned char *in = (const unsigned char *)st->pending + sizeof(struct stats_save_hdr);
	struct stats_save_hdr hdr;
	uint32_t i;

	memcpy(&hdr, st->pending, sizeof(hdr));
	for (i = 0; i < hdr.n; i++, in += sizeof(struct stats_save_rec)) {
		struct stats_save_rec r;
		enum stats_table_got got;
		struct stats_host *h;
		uint32_t slot;
		uint64_t keep;

		memcpy(&r, in, sizeof(r));
		slot = stats_table_probe(&st->hosts, r.addr, 16, stats_hash(r.addr, 16, STATS_SEED_HOST), 1, 1, &got);
		if (slot == STATS_TABLE_NONE)
			continue;
		h = stats_table_entry(&st->hosts, slot);
		memset(h, 0, sizeof(*h));
		memcpy(h->addr, r.addr, 16);
		h->first_ns = now_ns > r.age_ns ? now_ns - r.age_ns : 1;
		h->win = stats_win_of(st, now_ns);
		h->nwin = r.nwin;
		h->closed = r.closed;
		h->frozen = r.frozen;
		memcpy(h->base, r.base, sizeof(h->base));
		memcpy(h->obs, r.obs, sizeof(h->obs));
		memcpy(h->z, r.z, sizeof(h->z));
		memcpy(h->peak, r.peak, sizeof(h->peak));
		keep = r.keep_ns >> STATS_TICK_SHIFT;
		stats_table_set_expire(&st->hosts, slot, 1 + (uint32_t)(keep > 86400000ULL ? 86400000ULL : keep));
	}
	free(st->pending);
	st->pending = NULL;
	st->pending_len = 0;
}

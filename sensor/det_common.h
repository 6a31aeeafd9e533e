/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * det_common.h: what every detector shares: its environment (config block,
 * threshold rule, where incidents go), the incident tracker that turns
 * repeated evidence into one start, bounded updates and one end, and the
 * operations table the registry dispatches through.
 */
#ifndef VIGIL_DET_COMMON_H
#define VIGIL_DET_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "baseline.h"
#include "config.h"
#include "det_conn.h"
#include "det_table.h"
#include "detect.h"

enum { DET_NS = 1000000000 };

struct det_env {
	enum detect_id id;
	const struct config_detector *cfg;	/* this detector's block */
	const struct config *all;		/* whole config (home_net) */
	double min_fraction;
	detect_emit_fn emit;			/* the registry's sink */
	void *emit_ctx;
	uint64_t *next_id;			/* shared incident numbering */
	struct det_table *claimed;		/* the registry's: addr -> last incident time (det_claimed) */
	const struct stats *stats;		/* per-host learned behaviour (borrowed), NULL: none */
	const struct intel_set *intel;		/* threat-intelligence indicators (borrowed), NULL: none */
};

/* The rule every detector's threshold follows: see detect_threshold() (docs/detectors.md). */
double det_threshold_rule(double floor, bool learning, double learned, double min_fraction);

/* true if a detector had an incident involving addr within window_ns before now_ns (claimed: env->claimed) */
bool det_claimed(struct det_table *claimed, const uint8_t addr[16], uint64_t now_ns, uint64_t window_ns);

/*
 * Where a detector keeps what it learned inside its table's values, so the
 * registry can save and restore it without knowing the value's type: a first
 * packet time (the learning age) and n_bl struct baseline in a row.
 */
struct det_saved_layout {
	size_t first_off;	/* uint64_t: when the entry was first seen */
	size_t bl_off;		/* the first of n_bl struct baseline */
	uint32_t n_bl;
	void (*init)(void *v, const struct det_key *k);	/* what a new entry takes from its key; may be NULL */
};

/* A detector: state from new(), frames, time, and the end of input. */
struct det_ops {
	void *(*create)(const struct det_env *env);	/* NULL with errno */
	void (*destroy)(void *st);
	void (*packet)(void *st, const struct detect_pkt *p);
	void (*tick)(void *st, uint64_t now_ns);
	void (*finish)(void *st, uint64_t now_ns);
	/* a conversation's outcome (det_conn.h), each delivered once; may be NULL */
	void (*conn)(void *st, const struct det_conn *c, enum det_conn_event ev, uint64_t now_ns);
	/* learned state, either a table the registry saves by layout (NULL: none) ... */
	struct det_table *(*learned)(void *st);
	const struct det_saved_layout *layout;
	/* ... or the detector's own format (flood): upper bound, save, load before the first frame */
	size_t (*save_size)(void *st);
	long (*save)(void *st, uint64_t now_ns, void *buf, size_t len);
	int (*load)(void *st, const void *buf, size_t len);
	/* the config block changed (SIGHUP): apply what is cached, keep what was learned; may be NULL */
	int (*reconfigure)(void *st);
	/* what it holds now (metrics); det_base_stats for a detector built on struct det_base */
	void (*stats)(void *st, struct detect_detector_stats *out);
};

/*
 * Saved baselines of a table by layout: a header, then per entry that learned
 * something (first baseline's n > 0) its key, learned age at now_ns and baselines.
 * det_saved_size: upper bound of the bytes. det_saved_save: bytes or -ENOSPC.
 * det_saved_check: records in a saved blob, -EPROTO (other version or layout) or
 * -EINVAL (damaged). det_saved_restore: insert the records at now_ns (the first
 * clock after a restart; entries already present are kept), returns how many.
 */
size_t det_saved_size(struct det_table *t, const struct det_saved_layout *l);
long det_saved_save(struct det_table *t, const struct det_saved_layout *l, uint64_t now_ns, void *buf, size_t len);
int det_saved_check(const struct det_saved_layout *l, const void *buf, size_t len);
int det_saved_restore(struct det_table *t, const struct det_saved_layout *l, const void *buf, size_t len,
		      uint64_t now_ns);

/*
 * Fixed-size records appended to a caller's buffer by a table walk (saved
 * state): det_rec_reserve gives the next n bytes and counts a record, or NULL
 * once the buffer is full (err = -ENOSPC; every later call is NULL too).
 */
struct det_rec_out {
	unsigned char *out;
	size_t len, off;
	uint32_t count;
	int err;
};

unsigned char *det_rec_reserve(struct det_rec_out *o, size_t n);

/*
 * Walk t with fn(ctx), whose records go through o (o->out and o->len set by
 * the caller), after hdr_len bytes left for the caller's header. Returns the
 * bytes in all (header included; o->count records) or -ENOSPC.
 */
long det_rec_walk(struct det_table *t, bool (*fn)(void *ctx, const struct det_key *k, void *v, uint64_t last_ns),
		  void *ctx, struct det_rec_out *o, size_t hdr_len);

/*
 * A detector's own saved blob (flood, beacon, newservice), checked by its load
 * and kept verbatim until the first packet's clock places its times: saving
 * before then writes it back unchanged. det_pending_keep: 0 or -ENOMEM (the
 * old blob is dropped either way). det_pending_save: bytes or -ENOSPC.
 */
struct det_pending {
	void *buf;
	size_t len;
};

int det_pending_keep(struct det_pending *p, const void *buf, size_t len);
long det_pending_save(const struct det_pending *p, void *buf, size_t len);
void det_pending_drop(struct det_pending *p);

/* Open incidents of one detector, keyed like its state. */
struct det_incidents;

/* NULL with errno. update_ns bounds update events; end_after_ns of quiet ends an incident. */
struct det_incidents *det_incidents_new(const struct det_env *env, uint32_t capacity, uint64_t update_ns,
					uint64_t end_after_ns);
void det_incidents_free(struct det_incidents *t);

/*
 * The open incident for k, or a new zeroed one (*is_new) already carrying
 * detector, id and action. The caller fills in what it saw, then calls
 * det_incidents_report() with the same is_new.
 */
struct detect_incident *det_incidents_open(struct det_incidents *t, const struct det_key *k, uint64_t now_ns,
					   bool *is_new);

/* Emit start (is_new) or, at most once per update_ns, an update; marks evidence at now_ns. */
void det_incidents_report(struct det_incidents *t, struct detect_incident *inc, bool is_new, uint64_t now_ns);

/* The open incident for k (NULL if none), e.g. to add evidence that alone would not start one. */
struct detect_incident *det_incidents_find(struct det_incidents *t, const struct det_key *k);

/* End incidents quiet for end_after_ns (tick) or all of them (finish). */
void det_incidents_tick(struct det_incidents *t, uint64_t now_ns);
void det_incidents_finish(struct det_incidents *t, uint64_t now_ns);

/*
 * What most detectors hold: their environment, one table of per-key state,
 * their open incidents and the clock. Embedded as a detector's first member,
 * so det_base_destroy/_finish/_learned can be its det_ops entries directly
 * (each detector checks that with a _Static_assert).
 */
struct det_base {
	const struct det_env *env;
	struct det_table *tab;
	struct det_incidents *inc;
	uint64_t now_ns;		/* the latest frame or tick */
	uint64_t next_walk_ns;		/* when tick walks the table next */
};

/*
 * A detector's state of size bytes, zeroed, whose first member is a det_base
 * with a table of capacity entries of value_size bytes and an incident tracker
 * of 1024 (see det_incidents_new). The caller owns it (det_base_destroy);
 * NULL with errno ENOMEM.
 */
void *det_base_new(size_t size, const struct det_env *env, uint32_t capacity, size_t value_size,
		   uint64_t update_ns, uint64_t end_after_ns);

/* Frees the table and incidents of st's base (its first member), then st; NULL is fine. */
void det_base_destroy(void *st);

/* Records now_ns; true when a walk of the table is due, the next one walk_ns later. */
bool det_base_walk_due(struct det_base *b, uint64_t now_ns, uint64_t walk_ns);

/* Tick: walk the table with fn(ctx) every walk_ns (fn NULL: never), then end quiet incidents. */
void det_base_tick(struct det_base *b, uint64_t now_ns, uint64_t walk_ns,
		   bool (*fn)(void *ctx, const struct det_key *k, void *v, uint64_t last_ns), void *ctx);

/* End of input: ends every open incident of st's base (its first member). */
void det_base_finish(void *st, uint64_t now_ns);

/* The table of st's base (its first member): the learned state the registry saves. */
struct det_table *det_base_learned(void *st);

/* Keys in st's base table (its first member) and those recycled to make room. */
void det_base_stats(void *st, struct detect_detector_stats *out);

/* For a walk: true when an entry last seen at last_ns has been idle longer than idle_ns. */
static inline bool det_base_idle(const struct det_base *b, uint64_t last_ns, uint64_t idle_ns)
{
	return b->now_ns > last_ns + idle_ns;
}

/*
 * A conversation the incident involves (deduplicated; the first DETECT_MAX_FLOWS
 * are kept, flow_count counts every new one).
 */
void det_incident_add_flow(struct detect_incident *inc, const uint8_t src[16], uint16_t sport, const uint8_t dst[16],
			   uint16_t dport, uint8_t proto);

/* Add a host / port to an incident's sample lists (deduplicated, bounded). */
void det_incident_add_host(struct detect_incident *inc, const uint8_t addr[16]);
void det_incident_add_port(struct detect_incident *inc, uint16_t port);

/* The shared threshold for a learned metric: see detect_threshold(). */
static inline double det_threshold(const struct det_env *env, bool learning, double learned)
{
	return det_threshold_rule(env->cfg->floor, learning, learned, env->min_fraction);
}

/*
 * A tumbling window per key with a learned baseline of its count. The window
 * opens at the key's first packet (so a burst is never split by a wall-clock
 * boundary); only calm windows teach the baseline.
 */
struct det_win {
	uint64_t start_ns;		/* open window's start, 0: none yet */
	uint64_t first_ns;		/* first packet ever: learning time */
	struct baseline bl;
};

/* true when w's open window has ended by now_ns (judge it, then det_win_open) */
static inline bool det_win_over(const struct det_win *w, uint64_t now_ns, uint64_t win_ns)
{
	return w->start_ns && now_ns >= w->start_ns + win_ns;
}

static inline void det_win_open(struct det_win *w, uint64_t now_ns)
{
	w->start_ns = now_ns;
	if (!w->first_ns)
		w->first_ns = now_ns;
}

/* Learned threshold for a count in one window: mean + k * max(stddev, sqrt(mean)) */
double det_win_learned(const struct det_win *w, double k);

/* Still learning at now_ns: too little history or too few calm windows */
static inline bool det_win_learning(const struct det_win *w, const struct det_env *env, uint64_t now_ns)
{
	return now_ns - w->first_ns < (uint64_t)env->cfg->learning_s * DET_NS || w->bl.n < 3;
}

/*
 * z-score of observed against a window's learned baseline, 0 while nothing is
 * expected (learning): (observed - expected) / the baseline's spread.
 */
static inline double det_win_zscore(const struct det_win *w, double expected, double observed)
{
	return expected > 0 ? (observed - expected) / (det_win_learned(w, 1.0) - w->bl.mean) : 0;
}

/* Distinct values in a window: a 1024-bit linear-counting sketch (exact while small). */
struct det_distinct {
	uint64_t bits[16];
	uint32_t set;
	uint32_t adds;		/* values added: the count never claims more than this */
};

/* Add a value (any 64-bit hash input); true if it set a new bit (a new value). */
bool det_distinct_add(struct det_distinct *d, uint64_t v);
/* Estimated number of distinct values added; never more than were added. */
double det_distinct_count(const struct det_distinct *d);

/* The same with 4096 bits, where a count is reported and hundreds are expected (sweeps of a /24: +-1%). */
struct det_distinct_wide {
	uint64_t bits[64];
	uint32_t set;
	uint32_t adds;
};

bool det_distinct_wide_add(struct det_distinct_wide *d, uint64_t v);
double det_distinct_wide_count(const struct det_distinct_wide *d);

/* "22" or "6000-6063" into a range; 0 or -EINVAL. */
int det_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);

/* Shannon entropy of s[0..n) in bits per character. */
double det_entropy(const char *s, unsigned int n);

/* DNS question name of a query (lower case, dotted) and qtype; length or -1 (det_dnstunnel.c). */
int det_dnstunnel_parse(const uint8_t *msg, uint32_t len, char *name, uint16_t *qtype);

#endif

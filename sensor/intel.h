/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * intel.h: the sensor's threat-intelligence feeds (intel.feeds): loaded at
 * start, re-read on SIGHUP and when a file changes by a thread of their own,
 * and handed to the packet thread as one immutable set it swaps in between
 * frames. A feed that fails to parse keeps its previous version; the error
 * names file:line and reason. Counters per feed for metrics and stats events.
 */
#ifndef VIGIL_SENSOR_INTEL_H
#define VIGIL_SENSOR_INTEL_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "intel_feed.h"

/* One feed as the packet thread sees it. */
struct intel_set_feed {
	char name[CONFIG_FEED_NAME_LEN];
	uint8_t severity;		/* 1..3 */
	uint8_t confidence;		/* 0..100, the feed's */
	enum config_action action;
	const struct intel_feed *f;	/* NULL: never loaded */
	uint64_t *hits;			/* the owner's counter of this feed (packet thread); may be NULL */
	void *ref;			/* the owner's (reference counting) */
};

/* Every feed, in config order; immutable once published. */
struct intel_set {
	uint32_t n;
	struct intel_set_feed feed[CONFIG_MAX_FEEDS];
	struct intel_set *next;		/* the owner's (retired sets) */
};

struct intel_hit {
	const struct intel_set_feed *feed;
	const struct intel_ind *ind;
	uint8_t confidence;		/* the indicator's own, else the feed's */
};

/* The first feed (config order) listing addr / name (or a parent of it); false: none. */
bool intel_set_match_addr(const struct intel_set *s, const uint8_t addr[16], struct intel_hit *hit);
bool intel_set_match_name(const struct intel_set *s, const char *name, struct intel_hit *hit);

struct intel_feed_stats {
	char name[CONFIG_FEED_NAME_LEN];
	uint32_t indicators[INTEL_TYPE_MAX];	/* in the version in use */
	uint32_t ignored;
	uint64_t hits;
	uint64_t loads;			/* versions parsed and put in use */
	uint64_t errors;		/* reads or parses that failed (previous version kept) */
	bool loaded;			/* a version is in use */
};

struct intel_stats {
	uint32_t n;
	struct intel_feed_stats feed[CONFIG_MAX_FEEDS];
	uint64_t reloads;		/* sets swapped in after the first */
	uint64_t reload_errors;		/* sum of the feeds' errors */
};

struct intel;

/*
 * Load cfg's feeds now (errors logged, such a feed starts empty) and start
 * the thread that re-reads them (cfg->intel_check_s; 0: SIGHUP only).
 * NULL with errno. cfg is copied.
 */
struct intel *intel_new(const struct config *cfg);
/* Stops the thread, frees every set and feed; NULL is fine. */
void intel_free(struct intel *o);

/*
 * Packet thread, between frames: the set to use now (a newer one, if the
 * thread published one, replaces the last; the last is then released by the
 * thread). Never blocks on I/O.
 */
const struct intel_set *intel_poll(struct intel *o);

/* SIGHUP: take cfg's feed list (copied) and re-read every feed. */
void intel_reconfigure(struct intel *o, const struct config *cfg);

void intel_get_stats(struct intel *o, struct intel_stats *out);

/* For tests: true once every request so far has been served (no read pending or unpolled). */
bool intel_idle(struct intel *o);

#endif

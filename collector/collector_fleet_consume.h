/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_fleet_consume.h: one view of the fleet. A durable pull consumer
 * (vigil-<fleet.name>) reads the whole stream, every collector's events, into
 * this collector's SQLite store, so `query` and the console show every
 * sensor. A thread fetches; the collector's loop stores (the store stays
 * single-threaded), commits, and only then acks, so a crash redelivers and
 * the store's (sensor, seq) check keeps each event once.
 */
#ifndef VIGIL_COLLECTOR_FLEET_CONSUME_H
#define VIGIL_COLLECTOR_FLEET_CONSUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector_fleet.h"
#include "collector_store.h"

struct collector_fleet_consumer;

struct collector_fleet_consume_stats {
	uint64_t consumed;	/* messages read from the stream */
	uint64_t stored;	/* of those, stored */
	uint64_t already;	/* already in the store (a redelivery, or an id the stream's window had forgotten) */
	uint64_t bad;		/* not an event with a valid id: set aside in the table quarantine */
	uint64_t fetch_errors;	/* fetches that failed (a node away, a leader election): retried */
};

/* Create (or bind to) the durable consumer and start fetching. NULL with the reason in err. */
struct collector_fleet_consumer *collector_fleet_consumer_new(struct collector_fleet *f, char *err, size_t errlen);

/* Readable when fetched messages wait for collector_fleet_consume(). */
int collector_fleet_consumer_fd(const struct collector_fleet_consumer *c);

/*
 * Store every message fetched so far (now_us: the wall clock), commit the
 * store, then ack them to the stream. Returns how many were read, or -errno
 * when the store failed (nothing acked: the collector should stop).
 */
int collector_fleet_consume(struct collector_fleet_consumer *c, struct collector_store *store, int64_t now_us);

/*
 * The fleet collector sensor's newest consumed event came through (its
 * fleet.name) into via, and when it was consumed (wall clock µs). false if
 * none was consumed this run.
 */
bool collector_fleet_consumer_via(const struct collector_fleet_consumer *c, const char *sensor, char *via,
				  size_t len, int64_t *at_us);

void collector_fleet_consumer_stats(const struct collector_fleet_consumer *c, struct collector_fleet_consume_stats *out);

/* Stop fetching; what was fetched and not stored is redelivered later. NULL-safe. */
void collector_fleet_consumer_free(struct collector_fleet_consumer *c);

#endif

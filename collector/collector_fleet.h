/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_fleet.h: a collector in a fleet (docs/fleet.md). Its connection
 * to a NATS JetStream cluster, the replicated stream every collector
 * publishes the events it accepts to, and the store sink through which the
 * ingest publishes: a batch is acked to the sensors only once the stream
 * holds every event of it (each under the message id <sensor>:<seq>, so a
 * failover's resends are stored once).
 */
#ifndef VIGIL_COLLECTOR_FLEET_H
#define VIGIL_COLLECTOR_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>

#include "collector_config.h"
#include "collector_store.h"

struct collector_fleet;

struct collector_fleet_stats {
	uint64_t published;	/* events handed to the stream */
	uint64_t stored;	/* of those, acked by the stream as new */
	uint64_t duplicates;	/* acked as a message id it held already (a failover's resend) */
	uint64_t retries;	/* publishes sent again after an error or a timeout */
	uint64_t disconnects;	/* NATS connections lost (the client reconnects by itself) */
};

/*
 * Connect to cfg->fleet_servers (retrying for up to 15 s: a cluster that is
 * starting has no JetStream leader yet), check the servers take the largest
 * event, and create the stream or bring its limits to cfg's. NULL with the
 * reason in err.
 */
struct collector_fleet *collector_fleet_new(const struct collector_config *cfg, char *err, size_t errlen);

/* The sink of the ingest's store (collector_store_cfg.sink); owned by f. */
const struct collector_store_sink *collector_fleet_sink(struct collector_fleet *f);

/*
 * Pipelined acks: the loop does not wait for the stream. Each batch of
 * appended events is closed with the acks it owes the sensors (an opaque
 * array of n entries of size bytes, copied); a batch is complete when the
 * stream has acked every event of it, and completed batches are handed back
 * oldest first, so an ack never overtakes an earlier batch's events.
 * collector_fleet_batch_close: 0, or -ENOBUFS when COLLECTOR_FLEET_BATCHES
 * are in flight (wait on the fd first), -ENOMEM.
 */
#define COLLECTOR_FLEET_BATCHES 16
int collector_fleet_batch_close(struct collector_fleet *f, const void *acks, size_t n, size_t size);

/*
 * Resend what the stream refused or did not answer (with a growing pause),
 * then hand each completed batch's acks to fn, oldest first. Returns 0, or
 * -ETIMEDOUT when the oldest batch has waited fleet.publish_timeout_ms (the
 * reason in err: the collector should stop without acking it).
 */
int collector_fleet_batch_poll(struct collector_fleet *f, void (*fn)(void *ctx, const void *acks, size_t n),
			       void *ctx, char *err, size_t errlen);

/* Batches in flight; an fd readable when one completes or a publish failed. */
size_t collector_fleet_batches(struct collector_fleet *f);
int collector_fleet_fd(const struct collector_fleet *f);

/* The JetStream context and this collector's fleet name, for the consumer. */
jsCtx *collector_fleet_js(struct collector_fleet *f);
const char *collector_fleet_name(const struct collector_fleet *f);
const struct collector_config *collector_fleet_cfg(const struct collector_fleet *f);

void collector_fleet_stats(struct collector_fleet *f, struct collector_fleet_stats *out);

/* Close the connection (what is not acked by the stream was not acked to a sensor either). NULL-safe. */
void collector_fleet_free(struct collector_fleet *f);

#endif

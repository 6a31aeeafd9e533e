/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish.h: the sensor's event publisher. Events are queued in memory, numbered
 * 1, 2, 3 ... and sent to vigil-collector over a ZMQ_DEALER by a background
 * thread that resends until the collector acks them (lib/wire.h, docs/transport.md).
 */
#ifndef VIGIL_SENSOR_PUBLISH_H
#define VIGIL_SENSOR_PUBLISH_H

#include <stdbool.h>
#include <stdint.h>

struct publish;

struct publish_cfg {
	const char *endpoint;		/* e.g. "tcp://127.0.0.1:7800"; copied */
	const char *sensor_name;	/* 1..63 printable ASCII; copied */
	uint32_t queue_max;		/* events kept until acked; 0 -> 65536 */
	uint32_t retry_ms;		/* resend unacked events after this long without ack progress; 0 -> 2000 */
};

struct publish_stats {
	uint64_t queued;	/* events held now: waiting to be sent or unacked */
	uint64_t inflight;	/* of those, sent and not acked */
	uint64_t published;	/* highest seq assigned (publish_event() calls, plus a renumbering offset) */
	uint64_t sent;		/* messages handed to ZeroMQ, resends included */
	uint64_t acked;		/* events removed from the queue by an ack */
	uint64_t ack_seq;	/* highest cumulative ack received */
	uint64_t dropped_full;	/* oldest events dropped because the queue was full */
	uint64_t resent;	/* of sent, events sent again after a timeout or a reconnect */
	bool connected;		/* the socket has a live connection to the collector */
	bool stalled;		/* events are waiting and the collector has not acked for a while */
};

/*
 * Start a publisher and its thread. The collector does not need to be up: the
 * socket keeps reconnecting. Returns NULL with errno set (EINVAL: bad cfg or
 * endpoint, ENOMEM, or a ZeroMQ/pthread errno). Free with publish_free().
 */
struct publish *publish_new(const struct publish_cfg *cfg);

/*
 * Queue a copy of json (one JSON object, no trailing newline) under the next seq.
 * Thread-safe, never waits for the network. Returns 0; -ENOBUFS when the queue
 * was full (the OLDEST event was dropped and counted, this one is queued);
 * -EINVAL for an empty or too large event; -ENOMEM.
 */
int publish_event(struct publish *p, const char *json);

/* Wait until every queued event is acked (or dropped). Returns 0 or -ETIMEDOUT. */
int publish_flush(struct publish *p, uint32_t timeout_ms);

/* Snapshot of the counters. Thread-safe. */
void publish_stats(struct publish *p, struct publish_stats *out);

/* Stop the thread and free everything; unacked events are lost. NULL-safe. */
void publish_free(struct publish *p);

#endif

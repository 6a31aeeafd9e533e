/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish.h: the sensor's event publisher. Events are numbered 1, 2, 3 ...,
 * queued in memory and (with a spool directory) on disk, and sent to
 * vigil-collector over a ZMQ_DEALER, CURVE-encrypted when keys are given, by a
 * background thread that resends until the collector acks them
 * (lib/wire.h, docs/transport.md). The same thread answers the collector's
 * requests for an incident's evidence file.
 */
#ifndef VIGIL_SENSOR_PUBLISH_H
#define VIGIL_SENSOR_PUBLISH_H

#include <stdbool.h>
#include <stdint.h>

struct publish;

#define PUBLISH_ENDPOINTS_MAX 8

struct publish_cfg {
	const char *endpoint;		/* e.g. "tcp://127.0.0.1:7800"; copied; used when n_endpoints is 0 */
	/*
	 * Several collectors (a fleet): one connection at a time, to endpoints[0]
	 * first; after failover_ms without a connection, or connected with events
	 * unacked and no ack, the next one (round robin), and the unacked events
	 * are sent there again. Copied; at most PUBLISH_ENDPOINTS_MAX.
	 */
	const char *const *endpoints;
	uint32_t n_endpoints;
	uint32_t failover_ms;		/* 0 -> 3000 */
	const char *sensor_name;	/* 1..63 printable ASCII; copied */
	uint32_t queue_max;		/* events kept until acked; 0 -> 65536 */
	uint32_t retry_ms;		/* resend unacked events after this long without ack progress; 0 -> 2000 */
	const char *spool_dir;		/* NULL/"": memory only; else events survive restarts here */
	uint64_t spool_max_bytes;	/* spool size bound; 0 -> 256 MiB */
	/* CURVE: all three Z85 keys (40 characters), or all NULL for plain ZMTP */
	const char *curve_public;	/* this sensor's key pair */
	const char *curve_secret;
	const char *curve_server;	/* the collector's public key */
	/* evidence requests from the collector are answered from here; NULL/"": all not_found */
	const char *evidence_dir;
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
	uint64_t dropped_spool;	/* oldest events dropped because the spool reached its size */
	uint64_t spool_errors;	/* events that could not be written to the spool (kept in memory) */
	uint64_t spool_bytes;	/* size of the spool files now */
	uint64_t loaded;	/* events reloaded from the spool at start */
	uint64_t refused;	/* handshakes the collector refused (unknown key, bad CURVE setup) */
	uint64_t evidence_requests;	/* valid evidence requests received */
	uint64_t evidence_sent;		/* of those, answered with the file */
	uint64_t evidence_bytes;	/* file bytes sent */
	uint64_t evidence_bad;		/* messages from the collector dropped as malformed */
	uint64_t evidence_dropped;	/* replies ZeroMQ would not take (no connection, queue full) */
	uint64_t failovers;	/* moves to the next of several endpoints */
	uint32_t endpoint;	/* index of the endpoint in use */
	bool connected;		/* the socket has a live connection to the collector */
	bool stalled;		/* events are waiting and the collector has not acked for a while */
};

/*
 * Start a publisher and its thread, after reloading what the spool still owes
 * (numbering continues after the highest seq in it). The collector does not
 * need to be up: the socket keeps reconnecting. Returns NULL with errno set
 * (EINVAL: bad cfg, key or endpoint; ENOMEM; a spool errno; a ZeroMQ/pthread
 * errno). Free with publish_free().
 */
struct publish *publish_new(const struct publish_cfg *cfg);

/*
 * Queue a copy of json (one JSON object, no trailing newline) under the next seq
 * and append it to the spool. Thread-safe, never waits for the network. Returns
 * 0; -ENOBUFS when the queue or the spool was full (the OLDEST events were
 * dropped and counted, this one is queued); -EINVAL for an empty or too large
 * event; -ENOMEM.
 */
int publish_event(struct publish *p, const char *json);

/* Wait until every queued event is acked (or dropped). Returns 0 or -ETIMEDOUT. */
int publish_flush(struct publish *p, uint32_t timeout_ms);

/* Snapshot of the counters. Thread-safe. */
void publish_stats(struct publish *p, struct publish_stats *out);

/* Stop the thread and free everything; unacked events stay in the spool (else are lost). NULL-safe. */
void publish_free(struct publish *p);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* collector_stats.h: vigil-collector's counters, logged at exit (docs/transport.md). */
#ifndef VIGIL_COLLECTOR_STATS_H
#define VIGIL_COLLECTOR_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct collector_stats {
	uint64_t received;			/* messages read from the socket */
	uint64_t stored;			/* events appended to the JSON-lines file */
	uint64_t duplicates;			/* seq at or below the sensor's stored seq: re-acked only */
	uint64_t gaps;				/* stored events whose seq skipped ahead */
	uint64_t malformed;			/* dropped, sum of by_reason */
	uint64_t by_reason[WIRE_VERDICT_MAX];	/* malformed, by enum wire_verdict */
	uint64_t acks;				/* ack messages sent */
	uint64_t refused;			/* CURVE handshakes refused by the ZAP handler (unknown key) */
	uint64_t handshake_failed;		/* handshakes that failed before ZAP (wrong server key, NULL vs CURVE) */
	uint64_t metrics_requests;		/* HTTP requests answered by the metrics endpoint */
	uint64_t ev_requests;			/* evidence requests from the CLI */
	uint64_t ev_fetched;			/* of those, files fetched, verified and stored */
	uint64_t ev_failed;			/* answered with an error (unknown, timeout, digest, ...) */
	uint64_t ev_timeouts;			/* of ev_failed, sensors that did not answer in time */
	uint64_t ev_bad_digest;			/* replies whose bytes did not hash to their digest */
	uint64_t ev_unsolicited;		/* well-formed replies nobody waited for (late, or another peer) */
	uint64_t ev_bytes;			/* evidence bytes fetched */
	uint64_t ctl_malformed;			/* control requests that were not one */
};

/* One line "received=.. stored=.. ..." (malformed reasons that occurred listed too). Returns strlen. */
int collector_stats_format(const struct collector_stats *st, char *buf, size_t len);

#endif

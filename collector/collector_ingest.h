/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_ingest.h: one received message in, one decision out: validate the
 * frames and the JSON, drop duplicates by (sensor, seq), append the rest to the
 * store. No sockets here, so the rules are unit-testable.
 */
#ifndef VIGIL_COLLECTOR_INGEST_H
#define VIGIL_COLLECTOR_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"
#include "collector_auth.h"
#include "collector_stats.h"
#include "collector_store.h"

enum collector_ingest_result {
	COLLECTOR_INGEST_STORED = 0,
	COLLECTOR_INGEST_GAP,		/* stored, but seq skipped ahead of last + 1 */
	COLLECTOR_INGEST_DUPLICATE,	/* seq <= last stored: not stored, ack again */
	COLLECTOR_INGEST_MALFORMED,	/* dropped, see verdict; no ack */
	COLLECTOR_INGEST_REFUSED,	/* well-formed but not allowed, see refusal; not stored, no ack */
};

/*
 * How long a rate refusal holds a name's later seqs back: a sensor resends
 * its oldest unacked event within its retry_ms (1 s by default, 60 s at most);
 * one that did not in this long dropped it (its queue was full), and a gap
 * over it is the sensor's own word again.
 */
#define COLLECTOR_INGEST_HOLD_US (90LL * 1000000)

/* What collector_ingest decides with (borrowed). */
struct collector_ingest_ctx {
	struct collector_store *store;
	struct collector_auth *auth;
	uint64_t seq_window;		/* see collector.seq_window */
	size_t max_sensors;		/* see collector.max_sensors */
};

struct collector_ingest_out {
	enum collector_ingest_result result;
	enum wire_verdict verdict;		/* WIRE_OK unless MALFORMED */
	enum collector_refusal refusal;		/* set when REFUSED */
	char sensor[WIRE_NAME_MAX + 1];		/* set unless MALFORMED */
	bool bad_timestamp;			/* stored, but its timestamp was not believable (not indexed) */
	uint64_t seq;				/* the message's seq (unless MALFORMED) */
	uint64_t ack;				/* cumulative seq to ack (unless MALFORMED) */
};

/*
 * Handle one message (frames after the routing id) from identity id (the
 * index of the key the connection proved, or COLLECTOR_AUTH_KEYLESS) received
 * at now_us (wall clock, µs). In order: frames, binding of name to identity,
 * rate limits, JSON, dedupe, seq window, names limit, store. Updates st.
 * Returns 0 with out filled, or -errno when the store failed to take the line
 * (the event is then not stored and must not be acked; the caller should stop).
 * The ack in out is only ever the name's own highest stored seq.
 */
int collector_ingest(const struct collector_ingest_ctx *c, int id, const struct wire_frame *f, size_t n,
		     int64_t now_us, struct collector_stats *st, struct collector_ingest_out *out);

#endif

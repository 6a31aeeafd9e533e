/* SPDX-License-Identifier: GPL-2.0-only */
/* collector_stats.h: vigil-collector's counters, logged at exit (docs/transport.md). */
#ifndef VIGIL_COLLECTOR_STATS_H
#define VIGIL_COLLECTOR_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Why a well-formed message was refused (counted in collector_stats.refused_by). */
enum collector_refusal {
	COLLECTOR_REFUSE_NONE = 0,
	COLLECTOR_REFUSE_IDENTITY,	/* the name is not bound to the key the connection proved */
	COLLECTOR_REFUSE_SEQ_AHEAD,	/* seq further than seq_window above the name's last stored */
	COLLECTOR_REFUSE_KEY_RATE,	/* the key's message rate is used up (resent later) */
	COLLECTOR_REFUSE_GLOBAL_RATE,	/* the collector's message rate is used up (resent later) */
	COLLECTOR_REFUSE_NAMES,		/* a new name while max_sensors names are known */
	COLLECTOR_REFUSE_MAX,
};

/* "wrong_identity", "seq_ahead", ...; never NULL. */
const char *collector_refusal_name(enum collector_refusal r);

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
	uint64_t refused_msgs;			/* well-formed messages refused: sum of refused_by */
	uint64_t refused_by[COLLECTOR_REFUSE_MAX];	/* by enum collector_refusal */
	uint64_t bad_timestamp;			/* stored events whose timestamp was not believable */
	uint64_t quarantined;			/* rows/lines set aside by recovery at start */
	uint64_t conns_accepted;		/* TCP/IPC connections accepted */
	uint64_t conns_open;			/* connections open now (gauge) */
	uint64_t conns_evicted;			/* closed while still in their handshake: max_pending reached */
	uint64_t accept_failed;			/* accepts that failed (EMFILE: out of file descriptors) */
	uint64_t conn_limit;			/* handshakes of listed keys refused: max_connections open */
	uint64_t key_handshakes;		/* handshakes of listed keys refused: the key's connection rate */
	uint64_t http_refused;			/* metrics connections refused by a limit (lib/httpd) */
	uint64_t http_timeouts;			/* metrics connections closed for being idle too long */
};

/* One line "received=.. stored=.. ..." (malformed reasons that occurred listed too). Returns strlen. */
int collector_stats_format(const struct collector_stats *st, char *buf, size_t len);

#endif

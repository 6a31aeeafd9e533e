// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_stats.c: renders the collector's counters as one key=value line, so
 * the exit log and the tests read the same text; reasons that never happened
 * are left out to keep the line short.
 */
#include <inttypes.h>
#include <stdio.h>

#include "collector_stats.h"

const char *collector_refusal_name(enum collector_refusal r)
{
	static const char *const names[COLLECTOR_REFUSE_MAX] = {
		[COLLECTOR_REFUSE_NONE] = "none",
		[COLLECTOR_REFUSE_IDENTITY] = "wrong_identity",
		[COLLECTOR_REFUSE_SEQ_AHEAD] = "seq_ahead",
		[COLLECTOR_REFUSE_KEY_RATE] = "key_rate",
		[COLLECTOR_REFUSE_GLOBAL_RATE] = "global_rate",
		[COLLECTOR_REFUSE_NAMES] = "too_many_sensors",
	};

	if ((unsigned)r >= COLLECTOR_REFUSE_MAX)
		return "unknown";
	return names[r];
}

int collector_stats_format(const struct collector_stats *st, char *buf, size_t len)
{
	size_t off = 0;
	int n;

	n = snprintf(buf, len,
		     "received=%" PRIu64 " stored=%" PRIu64 " duplicates=%" PRIu64 " gaps=%" PRIu64
		     " malformed=%" PRIu64 " acks=%" PRIu64 " refused=%" PRIu64 " handshake_failed=%" PRIu64,
		     st->received, st->stored, st->duplicates, st->gaps, st->malformed, st->acks, st->refused,
		     st->handshake_failed);
	if (n < 0)
		return n;
	off = (size_t)n;
	if (off < len && (st->ev_requests || st->ev_unsolicited || st->ctl_malformed)) {
		n = snprintf(buf + off, len - off,
			     " evidence_requests=%" PRIu64 " evidence_fetched=%" PRIu64 " evidence_failed=%" PRIu64
			     " evidence_timeouts=%" PRIu64 " evidence_bad_digest=%" PRIu64 " evidence_unsolicited=%" PRIu64
			     " control_malformed=%" PRIu64,
			     st->ev_requests, st->ev_fetched, st->ev_failed, st->ev_timeouts, st->ev_bad_digest,
			     st->ev_unsolicited, st->ctl_malformed);
		if (n < 0)
			return n;
		off += (size_t)n;
	}
	if (off < len && (st->refused_msgs || st->bad_timestamp || st->quarantined || st->conns_evicted ||
			  st->accept_failed || st->conn_limit || st->key_handshakes)) {
		n = snprintf(buf + off, len - off, " not_allowed=%" PRIu64 " bad_timestamp=%" PRIu64
			     " quarantined=%" PRIu64 " connections_evicted=%" PRIu64 " accept_failed=%" PRIu64
			     " connection_limit=%" PRIu64 " key_handshakes=%" PRIu64,
			     st->refused_msgs, st->bad_timestamp, st->quarantined, st->conns_evicted, st->accept_failed,
			     st->conn_limit, st->key_handshakes);
		if (n < 0)
			return n;
		off += (size_t)n;
		for (int r = 1; r < COLLECTOR_REFUSE_MAX && off < len; r++) {
			if (!st->refused_by[r])
				continue;
			n = snprintf(buf + off, len - off, " %s=%" PRIu64, collector_refusal_name(r), st->refused_by[r]);
			if (n < 0)
				return n;
			off += (size_t)n;
		}
	}
	for (int r = 1; r < WIRE_VERDICT_MAX; r++) {
		if (!st->by_reason[r] || off >= len)
			continue;
		n = snprintf(buf + off, len - off, " %s=%" PRIu64, wire_verdict_name(r), st->by_reason[r]);
		if (n < 0)
			return n;
		off += (size_t)n;
	}
	return (int)(off < len ? off : len - 1);
}

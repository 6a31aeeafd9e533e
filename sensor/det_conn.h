/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * det_conn.h: the conversations every detector reads. One bounded table of
 * connections (TCP, UDP, ICMP, other IP protocols) keyed by the 5-tuple in
 * canonical order, updated once per frame by the registry before any
 * detector sees the frame: who started it, what each side sent, whether and
 * how the other side answered (accepted, refused with a RST or an ICMP
 * error, never: 1 s on the LAN, 4 s beyond), what its first bytes say
 * (det_app.h), and when it ended.
 * Outcomes are events, each delivered once: refused, unanswered, half-open
 * (the client reset an accepted handshake without a byte), ended. Pure: time
 * is an argument; memory is fixed at creation.
 */
#ifndef VIGIL_DET_CONN_H
#define VIGIL_DET_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "det_app.h"

/* det_conn.status bits */
enum det_conn_status {
	DET_CONN_ANSWERED = 1,		/* the server sent something that is not a refusal */
	DET_CONN_REFUSED = 2,		/* its first answer was a RST, or an ICMP unreachable quoting it */
	DET_CONN_UNANSWERED = 4,	/* nothing came back within the answer time */
	DET_CONN_HALFOPEN = 8,		/* SYN, SYN-ACK, then the client's RST with no data: a SYN scan */
	DET_CONN_ENDED = 16,		/* FIN both ways, a RST, or idle: the end event was delivered */
	DET_CONN_GROUP = 32,		/* to a multicast or broadcast address: no answer is expected */
	DET_CONN_MIDSTREAM = 64,	/* first seen without its opening SYN */
	DET_CONN_DECIDED = 128,		/* the failed event was delivered */
};

enum det_conn_event {
	DET_CONN_EV_REFUSED = 0,	/* a refusal arrived (before any other answer) */
	DET_CONN_EV_UNANSWERED,		/* the answer time passed without an answer */
	DET_CONN_EV_HALFOPEN,		/* the client reset an accepted handshake without data */
	DET_CONN_EV_END,		/* over (or pushed out of the full table, or the input ended) */
	DET_CONN_EV_FAILED,		/* the answer time is up and it was refused or never answered;
					 * pkts[0] says how often the client tried (its retries fold in) */
	DET_CONN_EV_MAX,
};

/* One conversation: side 0 is its client (who opened it), side 1 its server. */
struct det_conn {
	uint8_t cli[16];
	uint8_t srv[16];
	uint16_t cport;
	uint16_t sport;
	uint8_t proto;
	uint8_t app;			/* enum det_app: from the first payload either side sent */
	uint8_t status;			/* enum det_conn_status bits */
	uint8_t fin;			/* 1: the client sent FIN, 2: the server did */
	uint8_t flags[2];		/* TCP flags each side sent, OR-ed */
	uint8_t first_flags;		/* the flags of the first segment seen */
	uint8_t home;			/* bit 0: the client is in home_net, bit 1: the server is */
	uint32_t pkts[2];
	uint32_t segs[2];		/* packets that carried payload */
	uint64_t bytes[2];		/* payload bytes (TCP/UDP payload) */
	uint32_t first_len[2];		/* each side's first payload length */
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t answer_ns;		/* the server's first answer, 0: none yet */
	struct det_app_facts facts;
};

/* What one frame revealed about its conversation (bits of det_conns_packet's *news). */
enum det_conn_news {
	DET_CONN_NEWS_AUTH_FAIL = 1,	/* the server refused a login (det_app_facts.auth_fail grew) */
	DET_CONN_NEWS_AUTH_OK = 2,	/* the server accepted one */
	DET_CONN_NEWS_RPC_IF = 4,	/* a DCE/RPC interface was bound for the first time */
	DET_CONN_NEWS_RPC_OP = 8,	/* a notable DCE/RPC operation was called for the first time */
	DET_CONN_NEWS_SMB_SHARE = 16,	/* an SMB2 share of a new kind was connected */
	DET_CONN_NEWS_RPC_BIND = 32,	/* a bind or alter-context request (any interface) */
	DET_CONN_NEWS_NETLOGON_AUTH = 64,	/* a netlogon authentication call */
};

typedef void (*det_conn_event_fn)(void *ctx, const struct det_conn *c, enum det_conn_event ev, uint64_t now_ns);

struct det_conn_stats {
	uint64_t created;
	uint64_t recycled;		/* live conversations pushed out of the full table */
	uint64_t events[DET_CONN_EV_MAX];
	uint64_t icmp_errors;		/* ICMP errors matched to a conversation they quote */
};

struct det_conns;

/* NULL with errno. capacity: conversations held at once (rounded up to 2^n). fn gets every event. */
struct det_conns *det_conns_new(uint32_t capacity, det_conn_event_fn fn, void *ctx);
void det_conns_free(struct det_conns *c);

struct pkt_info;

/*
 * One frame (pi parsed; payload the TCP/UDP payload or the whole ICMP message).
 * Returns its conversation, *from_client and *news (enum det_conn_news bits),
 * or NULL (a later fragment, an ICMP error: those only update the
 * conversation they quote). src_home/dst_home: the addresses in home_net.
 */
const struct det_conn *det_conns_packet(struct det_conns *c, uint64_t ts_ns, const struct pkt_info *pi,
					const uint8_t *payload, uint32_t payload_len, bool src_home, bool dst_home,
					bool *from_client, uint16_t *news);

/* Advance time: unanswered conversations, idle ones end. */
void det_conns_tick(struct det_conns *c, uint64_t now_ns);

/* End of input: every open conversation ends. */
void det_conns_finish(struct det_conns *c, uint64_t now_ns);

void det_conns_get_stats(const struct det_conns *c, struct det_conn_stats *out);

/* Seconds since the first packet, for a summary. */
static inline double det_conn_duration_s(const struct det_conn *c)
{
	return c->last_ns > c->first_ns ? (double)(c->last_ns - c->first_ns) / 1e9 : 0.0;
}

/* true for 224/4, 255.255.255.255 (IPv4-mapped) and ff00::/8 */
bool det_conn_is_group(const uint8_t a[16]);

#endif

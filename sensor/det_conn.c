// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_conn.c: the conversation table behind det_conn.h. One lookup per frame
 * (a det_table keyed by the canonical 5-tuple); a walk every half second
 * raises "unanswered" and ends idle conversations. ICMP errors are matched to
 * the conversation whose packet they quote, so a UDP or protocol probe that a
 * closed port refused is known as refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "det_conn.h"
#include "det_table.h"
#include "pkt.h"

#define DET_CONN_NS 1000000000ULL

enum {
	DET_CONN_WALK_NS = 250000000,	/* answer times are judged to a quarter second */
	DET_CONN_LINGER_NS = 2000000000,	/* an ended conversation keeps its entry for late packets ... */
};

/* how long a conversation may wait for an answer: on the LAN, or further */
/* beyond the LAN, long enough to see a program's first retransmission (Linux 1 s, Windows 3 s) */
static const uint64_t DET_CONN_ANSWER_LAN_NS = DET_CONN_NS, DET_CONN_ANSWER_NS = 4 * DET_CONN_NS;
/* idle times that end a conversation */
/* ... a failed one long enough for the client's retries to fold into it */
static const uint64_t DET_CONN_LINGER_FAILED_NS = 6 * DET_CONN_NS;
static const uint64_t DET_CONN_IDLE_TCP_NS = 300 * DET_CONN_NS, DET_CONN_IDLE_OPENING_NS = 30 * DET_CONN_NS,
		      DET_CONN_IDLE_UDP_NS = 60 * DET_CONN_NS;

/* a request sent to a multicast or broadcast address: its unicast answers are solicited */
struct det_conn_group_ask {
	uint64_t ts_ns;
};
static const uint64_t DET_CONN_GROUP_ANSWER_NS = 10ULL * DET_CONN_NS;

struct det_conns {
	struct det_table *tab;
	struct det_table *group_asks;	/* (asker, port, protocol) of recent group requests */
	det_conn_event_fn fn;
	void *ctx;
	uint64_t now_ns;
	uint64_t next_walk_ns;
	bool finishing;
	struct det_conn_stats st;
};

static const uint8_t det_conn_v4[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool det_conn_is_group(const uint8_t a[16])
{
	if (!memcmp(a, det_conn_v4, 12))
		return (a[12] & 0xf0) == 0xe0 || (a[12] == 0xff && a[13] == 0xff && a[14] == 0xff && a[15] == 0xff);
	return a[0] == 0xff;
}

static void det_conn_fire(struct det_conns *c, struct det_conn *e, enum det_conn_event ev, uint64_t now)
{
	c->st.events[ev]++;
	if (c->fn)
		c->fn(c->ctx, e, ev, now);
}

/* a conversation that holds something worth an end event (not a lone packet pushed out by a flood) */
static bool det_conn_worth(const struct det_conn *e)
{
	return e->pkts[0] + e->pkts[1] > 1 || e->segs[0] || e->segs[1];
}

static void det_conn_end(struct det_conns *c, struct det_conn *e, uint64_t now)
{
	if (e->status & DET_CONN_ENDED)
		return;
	e->status |= DET_CONN_ENDED;
	det_conn_fire(c, e, DET_CONN_EV_END, now);
}

static void det_conn_recycled(void *ctx, const struct det_key *k, void *v)
{
	struct det_conns *c = ctx;
	struct det_conn *e = v;

	(void)k;
	c->st.recycled++;
	if (!(e->status & DET_CONN_ENDED) && det_conn_worth(e))
		det_conn_end(c, e, c->now_ns);
}

struct det_conns *det_conns_new(uint32_t capacity, det_conn_event_fn fn, void *ctx)
{
	struct det_conns *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->tab = det_table_new(capacity, sizeof(struct det_conn));
	c->group_asks = det_table_new(8192, sizeof(struct det_conn_group_ask));
	if (!c->tab || !c->group_asks) {
		det_table_free(c->tab);
		det_table_free(c->group_asks);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->fn = fn;
	c->ctx = ctx;
	det_table_on_recycle(c->tab, det_conn_recycled, c);
	return c;
}

void det_conns_free(struct det_conns *c)
{
	if (!c)
		return;
	det_table_free(c->tab);
	det_table_free(c->group_asks);
	free(c);
}

/* The table key: the lower endpoint (address, then port) first, the protocol as the tag. */
static struct det_key det_conn_key(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp, uint8_t proto)
{
	int cmp = memcmp(a, b, 16);

	if (cmp < 0 || (cmp == 0 && ap <= bp))
		return det_key(proto, a, b, ap, bp);
	return det_key(proto, b, a, bp, ap);
}

/* ICMP types that only come back (replies): their sender is the server */
static bool det_conn_icmp_reply(uint8_t proto, uint8_t type)
{
	if (proto == 1)
		return type == 0 || type == 14 || type == 16 || type == 18;
	return type == 129 || type == 136;
}

/* Who opened a conversation whose first packet this is: true when its sender did. */
static bool det_conn_sender_opened(const struct pkt_info *pi)
{
	switch (pi->proto) {
	case 6:
		if ((pi->tcp_flags & 0x12) == 0x12)
			return false;	/* a SYN-ACK answers */
		if (pi->tcp_flags & 0x02)
			return true;
		/* picked up mid-stream: a well-known port sending to a client port is the server */
		return !(pi->src_port < 1024 && pi->dst_port >= 1024);
	case 17:
		return !(pi->src_port < pi->dst_port && pi->src_port < 1024);
	case 1:
	case 58:
		return !det_conn_icmp_reply(pi->proto, (uint8_t)pi->src_port);
	default:
		return true;
	}
}

static void det_conn_init(struct det_conn *e, const struct pkt_info *pi, bool sender_opened, bool src_home,
			  bool dst_home, uint64_t ts)
{
	const uint8_t *cli = sender_opened ? pi->src : pi->dst, *srv = sender_opened ? pi->dst : pi->src;
	bool icmp = pi->proto == 1 || pi->proto == 58;

	memset(e, 0, sizeof(*e));
	memcpy(e->cli, cli, 16);
	memcpy(e->srv, srv, 16);
	e->cport = icmp ? 0 : sender_opened ? pi->src_port : pi->dst_port;
	e->sport = icmp ? 0 : sender_opened ? pi->dst_port : pi->src_port;
	e->proto = pi->proto;
	e->first_ns = ts;
	e->first_flags = pi->tcp_flags;
	e->home = (uint8_t)((sender_opened ? src_home : dst_home) | (sender_opened ? dst_home : src_home) << 1);
	if (det_conn_is_group(srv))
		e->status |= DET_CONN_GROUP;
	if (pi->proto == 6 && !(pi->tcp_flags & 0x02))
		e->status |= DET_CONN_MIDSTREAM;
	if (!sender_opened)
		e->status |= DET_CONN_ANSWERED;	/* the first packet seen is an answer */
}

/* The ports and protocol an ICMP error quotes; false when it quotes nothing usable. */
static bool det_conn_quoted(const uint8_t *m, uint32_t len, bool v6, uint8_t src[16], uint8_t dst[16],
			    uint8_t *proto, uint16_t *sp, uint16_t *dp)
{
	const uint8_t *ip = m + 8;
	uint32_t hl, left = len > 8 ? len - 8 : 0;

	memset(src, 0, 16);
	memset(dst, 0, 16);
	*sp = *dp = 0;
	if (!v6) {
		if (left < 20 || (ip[0] >> 4) != 4)
			return false;
		hl = (uint32_t)(ip[0] & 15) * 4;
		if (hl < 20 || hl > left)
			return false;
		*proto = ip[9];
		memcpy(src, det_conn_v4, 12);
		memcpy(dst, det_conn_v4, 12);
		memcpy(src + 12, ip + 12, 4);
		memcpy(dst + 12, ip + 16, 4);
	} else {
		if (left < 40 || (ip[0] >> 4) != 6)
			return false;
		hl = 40;
		*proto = ip[6];
		memcpy(src, ip + 8, 16);
		memcpy(dst, ip + 24, 16);
	}
	if ((*proto == 6 || *proto == 17 || *proto == 132) && left >= hl + 4) {
		*sp = (uint16_t)(ip[hl] << 8 | ip[hl + 1]);
		*dp = (uint16_t)(ip[hl + 2] << 8 | ip[hl + 3]);
	}
	return true;
}

/* An ICMP error about a packet a client sent: its conversation is refused when not yet answered. */
static bool det_conn_icmp_error(struct det_conns *c, const struct pkt_info *pi, const uint8_t *m, uint32_t len,
				uint64_t ts)
{
	bool v6 = pi->proto == 58;
	uint8_t type = m[0], src[16], dst[16], proto;
	uint16_t sp, dp;
	struct det_key k;
	struct det_conn *e;

	if (!v6 && type != 3 && type != 11 && type != 12 && type != 4 && type != 5)
		return false;
	if (v6 && (type < 1 || type > 4))
		return false;
	if (!det_conn_quoted(m, len, v6, src, dst, &proto, &sp, &dp))
		return true;
	k = det_conn_key(src, sp, dst, dp, proto);
	e = det_table_find(c->tab, &k);
	if (!e || memcmp(e->cli, src, 16))
		return true;
	c->st.icmp_errors++;
	/* unreachable (net, host, protocol, port, prohibited): the probe was refused */
	if ((v6 ? type == 1 : type == 3) && !(e->status & (DET_CONN_ANSWERED | DET_CONN_REFUSED))) {
		e->status |= DET_CONN_REFUSED;
		e->last_ns = ts;
		det_conn_fire(c, e, DET_CONN_EV_REFUSED, ts);
	}
	return true;
}

/* A datagram to a group address asks whoever listens: remember who asked, from which port. */
static void det_conn_group_asked(struct det_conns *c, const struct pkt_info *pi, uint64_t ts)
{
	struct det_key k = det_key(1, pi->src, NULL, pi->src_port, pi->proto);
	bool created;
	struct det_conn_group_ask *a = det_table_get(c->group_asks, &k, ts, &created);

	a->ts_ns = ts;
}

/* Is this datagram a unicast answer to a group request its destination sent lately (SSDP, WSD, mDNS, NetBIOS)? */
static bool det_conn_group_answer(struct det_conns *c, const struct pkt_info *pi, uint64_t ts)
{
	struct det_key k = det_key(1, pi->dst, NULL, pi->dst_port, pi->proto);
	const struct det_conn_group_ask *a = det_table_find(c->group_asks, &k);

	return a && ts >= a->ts_ns && ts - a->ts_ns <= DET_CONN_GROUP_ANSWER_NS;
}

/* What a segment changed in a conversation's facts. */
static uint16_t det_conn_news(const struct det_app_facts *was, const struct det_app_facts *now)
{
	uint16_t n = 0;

	if (now->auth_fail > was->auth_fail)
		n |= DET_CONN_NEWS_AUTH_FAIL;
	if (now->auth_ok && !was->auth_ok)
		n |= DET_CONN_NEWS_AUTH_OK;
	if (now->rpc_ifaces & ~was->rpc_ifaces)
		n |= DET_CONN_NEWS_RPC_IF;
	if (now->rpc_ops & ~was->rpc_ops)
		n |= DET_CONN_NEWS_RPC_OP;
	if (now->smb_shares & ~was->smb_shares)
		n |= DET_CONN_NEWS_SMB_SHARE;
	if (now->rpc_binds > was->rpc_binds)
		n |= DET_CONN_NEWS_RPC_BIND;
	if (now->netlogon_auths > was->netlogon_auths)
		n |= DET_CONN_NEWS_NETLOGON_AUTH;
	return n;
}

const struct det_conn *det_conns_packet(struct det_conns *c, uint64_t ts_ns, const struct pkt_info *pi,
					const uint8_t *payload, uint32_t payload_len, bool src_home, bool dst_home,
					bool *from_client, uint16_t *news)
{
	bool icmp = pi->proto == 1 || pi->proto == 58, created, cli, opened;
	uint16_t sp = icmp ? 0 : pi->src_port, dp = icmp ? 0 : pi->dst_port;
	struct det_key k;
	struct det_conn *e;
	unsigned int side;
	uint8_t fl = pi->tcp_flags;

	*news = 0;
	*from_client = false;
	if (ts_ns > c->now_ns)
		c->now_ns = ts_ns;
	if (pi->is_fragment)
		return NULL;
	if (icmp && payload && payload_len >= 8 && det_conn_icmp_error(c, pi, payload, payload_len, ts_ns))
		return NULL;
	k = det_conn_key(pi->src, sp, pi->dst, dp, pi->proto);
	e = det_table_get(c->tab, &k, ts_ns, &created);
	opened = pi->proto == 6 && (fl & 0x12) == 0x02;
	if (!created && opened && (e->status & DET_CONN_ENDED) && !(e->status & DET_CONN_ANSWERED) &&
	    (e->status & (DET_CONN_REFUSED | DET_CONN_UNANSWERED)) && !memcmp(pi->src, e->cli, 16)) {
		/* the client tries again after a refusal (Windows does, thrice): the same attempt */
		e->pkts[0]++;
		e->last_ns = ts_ns;
		*from_client = true;
		return e;
	}
	if (created || (opened && (e->status & DET_CONN_ENDED))) {
		/* new, or a fresh handshake on ports an ended conversation used */
		bool answer = pi->proto == 17 && det_conn_group_answer(c, pi, ts_ns);

		det_conn_init(e, pi, !answer && det_conn_sender_opened(pi), src_home, dst_home, ts_ns);
		if (det_conn_is_group(pi->dst) && pi->proto == 17)
			det_conn_group_asked(c, pi, ts_ns);
		c->st.created++;
	} else if (e->status & DET_CONN_ENDED) {
		e->last_ns = ts_ns;	/* a late packet (the last ACK): nothing more to tell */
		*from_client = !memcmp(pi->src, e->cli, 16) && (icmp || pi->src_port == e->cport);
		return e;
	}
	cli = !memcmp(pi->src, e->cli, 16) && (icmp || pi->src_port == e->cport);
	if (icmp && !memcmp(e->cli, e->srv, 16))
		cli = !det_conn_icmp_reply(pi->proto, (uint8_t)pi->src_port);
	side = cli ? 0 : 1;
	*from_client = cli;
	e->pkts[side]++;
	e->flags[side] |= fl;
	if (ts_ns > e->last_ns)
		e->last_ns = ts_ns;
	if (payload_len && !icmp) {
		if (!e->segs[side])
			e->first_len[side] = payload_len;
		e->segs[side]++;
		e->bytes[side] += payload_len;
	}
	if (!cli && !(e->status & (DET_CONN_ANSWERED | DET_CONN_REFUSED))) {
		if (pi->proto == 6 && (fl & 0x04) && !(fl & 0x02)) {
			e->status |= DET_CONN_REFUSED;
			det_conn_fire(c, e, DET_CONN_EV_REFUSED, ts_ns);
		} else if (!icmp || det_conn_icmp_reply(pi->proto, (uint8_t)pi->src_port)) {
			e->status |= DET_CONN_ANSWERED;
			e->answer_ns = ts_ns;
		}
	}
	if (pi->proto == 6) {
		/* the client resets a handshake the server accepted, before a byte: a SYN scan's probe */
		if (cli && (fl & 0x04) && (e->flags[1] & 0x12) == 0x12 && !e->segs[0] &&
		    !(e->status & DET_CONN_HALFOPEN)) {
			e->status |= DET_CONN_HALFOPEN;
			det_conn_fire(c, e, DET_CONN_EV_HALFOPEN, ts_ns);
		}
		if (fl & 0x01)
			e->fin |= (uint8_t)(cli ? 1 : 2);
	}
	if (payload_len && !icmp) {
		if (e->app == DET_APP_NONE && e->segs[side] <= 2)
			e->app = (uint8_t)det_app_identify(payload, payload_len, cli, pi->proto, pi->src_port,
							   pi->dst_port);
		if (e->app != DET_APP_NONE) {
			struct det_app_facts was = e->facts;

			det_app_segment(&e->facts, (enum det_app)e->app, cli, payload, payload_len);
			*news = det_conn_news(&was, &e->facts);
		}
	}
	if (pi->proto == 6 && ((fl & 0x04) || e->fin == 3))
		det_conn_end(c, e, ts_ns);
	return e;
}

static bool det_conn_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_conns *c = ctx;
	struct det_conn *e = v;
	uint64_t now = c->now_ns, idle, answer;

	(void)k;
	(void)last_ns;
	if (c->finishing) {
		/* the input ended: an answer that never came is unanswered, whatever the time */
		if (!(e->status & (DET_CONN_ANSWERED | DET_CONN_REFUSED | DET_CONN_UNANSWERED | DET_CONN_GROUP |
				   DET_CONN_ENDED)) && e->pkts[0]) {
			e->status |= DET_CONN_UNANSWERED;
			det_conn_fire(c, e, DET_CONN_EV_UNANSWERED, now);
		}
		if (!(e->status & (DET_CONN_ANSWERED | DET_CONN_GROUP | DET_CONN_DECIDED)) &&
		    (e->status & (DET_CONN_REFUSED | DET_CONN_UNANSWERED))) {
			e->status |= DET_CONN_DECIDED;
			det_conn_fire(c, e, DET_CONN_EV_FAILED, now);
		}
		det_conn_end(c, e, now);
		return true;
	}
	answer = (e->home & 3) == 3 ? DET_CONN_ANSWER_LAN_NS : DET_CONN_ANSWER_NS;
	if (!(e->status & (DET_CONN_ANSWERED | DET_CONN_GROUP | DET_CONN_DECIDED)) &&
	    (e->status & (DET_CONN_REFUSED | DET_CONN_UNANSWERED)) && now >= e->first_ns + answer) {
		e->status |= DET_CONN_DECIDED;
		det_conn_fire(c, e, DET_CONN_EV_FAILED, now);
	}
	if (e->status & DET_CONN_ENDED)
		return now > e->last_ns + (e->status & DET_CONN_ANSWERED ? DET_CONN_LINGER_NS : DET_CONN_LINGER_FAILED_NS);
	if (!(e->status & (DET_CONN_ANSWERED | DET_CONN_REFUSED | DET_CONN_UNANSWERED | DET_CONN_GROUP)) &&
	    e->pkts[0] && now >= e->first_ns + answer) {
		e->status |= DET_CONN_UNANSWERED;
		det_conn_fire(c, e, DET_CONN_EV_UNANSWERED, now);
		e->status |= DET_CONN_DECIDED;
		det_conn_fire(c, e, DET_CONN_EV_FAILED, now);
	}
	if (e->proto == 6)
		idle = e->status & DET_CONN_ANSWERED && (e->flags[0] & 0x10) ? DET_CONN_IDLE_TCP_NS
									   : DET_CONN_IDLE_OPENING_NS;
	else
		idle = DET_CONN_IDLE_UDP_NS;
	if (now > e->last_ns + idle) {
		det_conn_end(c, e, e->last_ns);
		return true;
	}
	return false;
}

void det_conns_tick(struct det_conns *c, uint64_t now_ns)
{
	if (now_ns > c->now_ns)
		c->now_ns = now_ns;
	if (c->now_ns < c->next_walk_ns || !det_table_used(c->tab))
		return;
	c->next_walk_ns = c->now_ns + DET_CONN_WALK_NS;
	det_table_walk(c->tab, det_conn_walk, c);
}

void det_conns_finish(struct det_conns *c, uint64_t now_ns)
{
	if (now_ns > c->now_ns)
		c->now_ns = now_ns;
	/* what the answer time would have shown, then the end of everything open */
	c->next_walk_ns = 0;
	det_table_walk(c->tab, det_conn_walk, c);
	c->finishing = true;
	det_table_walk(c->tab, det_conn_walk, c);
	c->finishing = false;
}

void det_conns_get_stats(const struct det_conns *c, struct det_conn_stats *out)
{
	*out = c->st;
}

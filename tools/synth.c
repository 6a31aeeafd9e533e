// SPDX-License-Identifier: GPL-2.0-only
/*
 * synth.c: vigil-synth's store of timed frames (records plus an arena for the
 * payloads that carry content) and the helpers that append conversations to
 * it. Every random draw comes from a generator the caller passes, so a part of
 * the background can keep a stream of its own and leave the others unchanged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

void synth_rng_fork(struct gen_rng *r, struct gen_rng *own, uint64_t tag)
{
	gen_rng_seed(own, gen_rng_next(r) ^ tag);
}

struct gen_pkt *synth_add(struct synth *s, uint64_t ts, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sp,
			  uint16_t dp)
{
	struct synth_rec *r;

	if (ts >= s->end)
		return NULL;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 65536;
		struct synth_rec *nr = realloc(s->recs, nc * sizeof(*nr));

		if (!nr) {
			s->oom = true;
			return NULL;
		}
		s->recs = nr;
		s->cap = nc;
	}
	r = &s->recs[s->n];
	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->seq = (uint32_t)s->n++;
	r->p.proto = proto;
	r->p.saddr = src;
	r->p.daddr = dst;
	r->p.sport = sp;
	r->p.dport = dp;
	r->p.ttl = 64;
	memcpy(r->p.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(r->p.dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
	return &r->p;
}

void synth_set_bytes(struct synth *s, const void *b, size_t n)
{
	struct synth_rec *r;

	if (!s->n || !b)
		return;
	r = &s->recs[s->n - 1];
	if (s->nbytes + n > s->capbytes) {
		size_t nc = s->capbytes ? s->capbytes * 2 : 1 << 20;
		uint8_t *nb;

		while (nc < s->nbytes + n)
			nc *= 2;
		nb = realloc(s->bytes, nc);
		if (!nb) {
			s->oom = true;
			return;
		}
		s->bytes = nb;
		s->capbytes = nc;
	}
	memcpy(s->bytes + s->nbytes, b, n);
	r->boff = s->nbytes;
	r->has_bytes = true;
	r->p.payload_len = (uint16_t)n;
	s->nbytes += n;
}

const uint8_t *synth_rec_bytes(const struct synth *s, const struct synth_rec *r)
{
	return r->has_bytes ? s->bytes + r->boff : NULL;
}

void synth_tcp_r(struct synth *s, struct gen_rng *r, uint64_t ts, uint32_t src, uint32_t dst, uint16_t sp,
		 uint16_t dp, uint8_t flags, uint16_t len)
{
	struct gen_pkt *p = synth_add(s, ts, 6, src, dst, sp, dp);

	if (!p)
		return;
	p->tcp_flags = flags;
	p->window = 64240;
	p->seq = (uint32_t)gen_rng_next(r);
	p->ack = flags & GEN_TCP_ACK ? (uint32_t)gen_rng_next(r) : 0;
	p->payload_len = len;
}

void synth_udp(struct synth *s, uint64_t ts, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, const void *b,
	       size_t n)
{
	struct gen_pkt *p = synth_add(s, ts, 17, src, dst, sp, dp);

	if (!p)
		return;
	p->payload_len = (uint16_t)n;
	synth_set_bytes(s, b, n);
}

/* a DNS question (RD set) for name and qtype into q (cap bytes); returns its length */
static size_t synth_dns_question(uint8_t *q, size_t cap, uint16_t id, const char *name, uint16_t qtype)
{
	size_t n = 12, i, l;
	const char *lab = name;

	memset(q, 0, cap);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01;	/* RD */
	q[5] = 1;	/* QDCOUNT */
	while (*lab) {
		const char *dot = strchr(lab, '.');

		l = dot ? (size_t)(dot - lab) : strlen(lab);
		if (l > 63 || n + l + 6 > cap)
			break;
		q[n++] = (uint8_t)l;
		for (i = 0; i < l; i++)
			q[n++] = (uint8_t)lab[i];
		lab += l + (dot ? 1 : 0);
		if (!dot)
			break;
	}
	q[n++] = 0;
	q[n++] = (uint8_t)(qtype >> 8);
	q[n++] = (uint8_t)qtype;
	q[n++] = 0;
	q[n++] = 1;
	return n;
}

void synth_dns_r(struct synth *s, struct gen_rng *r, uint64_t t, uint32_t c, uint32_t server, const char *name,
		 uint16_t qtype)
{
	/* 96 bytes as the classic background always had: names longer than that are cut at a label */
	uint16_t sp = synth_eport(r), id = (uint16_t)gen_rng_next(r);
	uint8_t q[96 + 160];
	size_t cap = strlen(name) + 18 > 96 ? sizeof(q) : 96;
	size_t n = synth_dns_question(q, cap, id, name, qtype);

	synth_udp(s, t, c, server, sp, 53, q, n);
	q[2] |= 0x80;	/* the answer: QR set, no records needed for the detectors */
	synth_udp(s, t + 2000000 + gen_rng_below(r, 20000000), server, c, 53, sp, q, n);
}

uint64_t synth_conn_open(struct synth *s, struct gen_rng *r, struct synth_conn *k, uint64_t t, uint32_t c,
			 uint32_t srv, uint16_t cport, uint16_t sport, uint64_t rtt)
{
	struct gen_pkt *p;

	k->c = c;
	k->srv = srv;
	k->cport = cport;
	k->sport = sport;
	k->cseq = (uint32_t)gen_rng_next(r);
	k->sseq = (uint32_t)gen_rng_next(r);
	k->rtt = rtt;
	p = synth_add(s, t, 6, c, srv, cport, sport);
	if (p) {
		p->tcp_flags = GEN_TCP_SYN;
		p->window = 64240;
		p->seq = k->cseq;
	}
	k->cseq++;
	p = synth_add(s, t + rtt / 2, 6, srv, c, sport, cport);
	if (p) {
		p->tcp_flags = GEN_TCP_SYN | GEN_TCP_ACK;
		p->window = 65160;
		p->seq = k->sseq;
		p->ack = k->cseq;
	}
	k->sseq++;
	p = synth_add(s, t + rtt, 6, c, srv, cport, sport);
	if (p) {
		p->tcp_flags = GEN_TCP_ACK;
		p->window = 64240;
		p->seq = k->cseq;
		p->ack = k->sseq;
	}
	return t + rtt;
}

/* one segment from one side of k; advances that side's sequence number */
static void synth_conn_seg(struct synth *s, struct synth_conn *k, uint64_t t, bool from_client, uint8_t flags,
			   const uint8_t *b, size_t n)
{
	uint32_t *seq = from_client ? &k->cseq : &k->sseq, ack = from_client ? k->sseq : k->cseq;
	struct gen_pkt *p = from_client ? synth_add(s, t, 6, k->c, k->srv, k->cport, k->sport)
					: synth_add(s, t, 6, k->srv, k->c, k->sport, k->cport);

	if (p) {
		p->tcp_flags = flags;
		p->window = from_client ? 64240 : 65160;
		p->seq = *seq;
		p->ack = ack;
		p->payload_len = (uint16_t)n;
		if (b)
			synth_set_bytes(s, b, n);
	}
	*seq += (uint32_t)n + (flags & (GEN_TCP_SYN | GEN_TCP_FIN) ? 1 : 0);
}

uint64_t synth_conn_send_sized(struct synth *s, struct synth_conn *k, uint64_t t, bool from_client, const void *hdr,
			       size_t hlen, size_t n, uint64_t gap)
{
	const uint8_t *h = hdr;
	uint8_t seg_bytes[GEN_TCP_MSS];
	size_t off = 0, seg = 0;

	if (!n)
		return t;
	if (hlen > n)
		hlen = n;
	while (off < n) {
		size_t len = n - off > GEN_TCP_MSS ? GEN_TCP_MSS : n - off;
		bool last = off + len == n;
		const uint8_t *b = NULL;

		if (h && off < hlen) {
			size_t take = hlen - off < len ? hlen - off : len;

			memcpy(seg_bytes, h + off, take);
			memset(seg_bytes + take, 0, len - take);
			b = seg_bytes;
		}
		synth_conn_seg(s, k, t, from_client, GEN_TCP_ACK | (last ? GEN_TCP_PSH : 0), b, len);
		off += len;
		seg++;
		if (seg % 2 == 0 && !last)
			synth_conn_seg(s, k, t + k->rtt / 2, !from_client, GEN_TCP_ACK, NULL, 0);
		if (!last)
			t += gap;
	}
	t += k->rtt / 2;
	synth_conn_seg(s, k, t, !from_client, GEN_TCP_ACK, NULL, 0);
	return t;
}

uint64_t synth_conn_send(struct synth *s, struct synth_conn *k, uint64_t t, bool from_client, const void *b,
			 size_t n, uint64_t gap)
{
	return synth_conn_send_sized(s, k, t, from_client, b, b ? n : 0, n, gap);
}

uint64_t synth_conn_close(struct synth *s, struct synth_conn *k, uint64_t t, bool from_client)
{
	synth_conn_seg(s, k, t, from_client, GEN_TCP_FIN | GEN_TCP_ACK, NULL, 0);
	synth_conn_seg(s, k, t + k->rtt / 2, !from_client, GEN_TCP_FIN | GEN_TCP_ACK, NULL, 0);
	synth_conn_seg(s, k, t + k->rtt, from_client, GEN_TCP_ACK, NULL, 0);
	return t + k->rtt;
}

void synth_label(struct synth *s, uint64_t start, uint64_t end, uint32_t atk, uint32_t vic, const char *type)
{
	char a[16], v[16];

	if (atk)
		snprintf(a, sizeof(a), "%u.%u.%u.%u", atk >> 24, (atk >> 16) & 255, (atk >> 8) & 255, atk & 255);
	else
		strcpy(a, "*");
	snprintf(v, sizeof(v), "%u.%u.%u.%u", vic >> 24, (vic >> 16) & 255, (vic >> 8) & 255, vic & 255);
	fprintf(s->labels, "%.6f\t%.6f\t%s\t%s\t%s\n", (double)start / 1e9, (double)end / 1e9, a, v, type);
}

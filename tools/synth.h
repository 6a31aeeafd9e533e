/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * synth.h: vigil-synth's store of timed frames and the helpers that append
 * conversations to it (TCP sessions, DNS, protocol messages), shared by the
 * classic background and attacks (vigil-synth.c), the office background
 * (synth_office.c) and the attack variants (synth_attack.c). Pure: time is
 * the frames' own, randomness comes from the caller's generator.
 */
#ifndef VIGIL_SYNTH_H
#define VIGIL_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gen_frame.h"
#include "gen_rng.h"

#define SYNTH_NS 1000000000ULL
#define SYNTH_MS 1000000ULL
#define SYNTH_IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* the site: home_net 10.1.0.0/16 */
enum {
	SYNTH_CLIENTS = 40,	/* workstations 10.1.1.10 .. 10.1.1.49 */
};
#define SYNTH_RESOLVER SYNTH_IP(10, 1, 0, 2)
#define SYNTH_DC SYNTH_IP(10, 1, 0, 5)
#define SYNTH_FILES SYNTH_IP(10, 1, 0, 6)
#define SYNTH_PRINTER SYNTH_IP(10, 1, 0, 9)
#define SYNTH_SSH SYNTH_IP(10, 1, 0, 22)
#define SYNTH_MAIL SYNTH_IP(10, 1, 0, 25)
#define SYNTH_JUMP SYNTH_IP(10, 1, 0, 59)
#define SYNTH_WEB SYNTH_IP(10, 1, 0, 80)
#define SYNTH_CAMERA SYNTH_IP(10, 1, 3, 10)
#define SYNTH_DOMAIN "office.example"
#define SYNTH_SITE "Default-First-Site-Name"

struct synth_rec {
	uint64_t ts;
	uint32_t seq;		/* keeps equal times in creation order */
	bool has_bytes;		/* payload_len bytes at boff in the store's byte arena, else zeros */
	size_t boff;
	struct gen_pkt p;
};

struct synth {
	struct gen_rng rng;
	struct synth_rec *recs;
	size_t n, cap;
	uint8_t *bytes;		/* payloads that carry content */
	size_t nbytes, capbytes;
	uint64_t seed;		/* --seed: the attack variants derive their streams from it */
	uint64_t t0;
	uint64_t end;
	bool oom;		/* a frame could not be stored: the run fails */
	FILE *labels;
	FILE *events;		/* each contact of a periodic attack, NULL: not asked for */
};

/* A TCP conversation with consistent sequence numbers (the classic helpers draw them at random). */
struct synth_conn {
	uint32_t c, srv;
	uint16_t cport, sport;
	uint32_t cseq, sseq;	/* next sequence number of each side */
	uint64_t rtt;
};

static inline uint32_t synth_client(int i)
{
	return SYNTH_IP(10, 1, 1, 10 + i);
}

/* an ephemeral port */
static inline uint16_t synth_eport(struct gen_rng *r)
{
	return (uint16_t)gen_rng_range(r, 49152, 65000);
}

/* a generator of its own, derived from r and tag; r moves on by one draw */
void synth_rng_fork(struct gen_rng *r, struct gen_rng *own, uint64_t tag);

/*
 * Append a frame at ts (dropped silently when ts is past the end of the run).
 * Returns the frame to fill in, valid until the next append; NULL when
 * dropped, or when out of memory (then s->oom is set).
 */
struct gen_pkt *synth_add(struct synth *s, uint64_t ts, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sp,
			  uint16_t dp);
/* Give the frame appended last the n bytes at b as its payload (copied). */
void synth_set_bytes(struct synth *s, const void *b, size_t n);
/* The payload of record r, NULL for zeros. */
const uint8_t *synth_rec_bytes(const struct synth *s, const struct synth_rec *r);

/* a TCP segment with random sequence numbers drawn from r (len zero bytes) */
void synth_tcp_r(struct synth *s, struct gen_rng *r, uint64_t ts, uint32_t src, uint32_t dst, uint16_t sp,
		 uint16_t dp, uint8_t flags, uint16_t len);
/* a UDP datagram carrying the n bytes at b (b NULL: n zeros) */
void synth_udp(struct synth *s, uint64_t ts, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, const void *b,
	       size_t n);
/* DNS query for name (qtype) from c to server and its answer (QR set, no records) */
void synth_dns_r(struct synth *s, struct gen_rng *r, uint64_t t, uint32_t c, uint32_t server, const char *name,
		 uint16_t qtype);

/* Open a connection at t: SYN, SYN-ACK, ACK one rtt apart. Returns the time after the handshake. */
uint64_t synth_conn_open(struct synth *s, struct gen_rng *r, struct synth_conn *k, uint64_t t, uint32_t c,
			 uint32_t srv, uint16_t cport, uint16_t sport, uint64_t rtt);
/*
 * Send n bytes (b NULL: zeros) from the client (from_client) or the server at
 * t, cut into segments of at most mss bytes, PSH on the last, a segment every
 * gap ns; the peer ACKs every second segment and the last one rtt/2 later.
 * Returns the time after the peer's last ACK.
 */
uint64_t synth_conn_send(struct synth *s, struct synth_conn *k, uint64_t t, bool from_client, const void *b,
			 size_t n, uint64_t gap);
/* The same for a message of n bytes whose first hlen are hdr (its header) and the rest zeros. */
uint64_t synth_conn_send_sized(struct synth *s, struct synth_conn *k, uint64_t t, bool from_client, const void *hdr,
			       size_t hlen, size_t n, uint64_t gap);
/* Close at t: FIN from the client (or the server), FIN back, last ACK. Returns the time after it. */
uint64_t synth_conn_close(struct synth *s, struct synth_conn *k, uint64_t t, bool from_client);

/* Write a label line (attacker 0: "*"; victim as given, a prefix ends in .0). */
void synth_label(struct synth *s, uint64_t start, uint64_t end, uint32_t atk, uint32_t vic, const char *type);

/* the office background that issue 14 lists (synth_office.c) */
void synth_office(struct synth *s);
/*
 * The attack variants ("detector/variant", synth_attack.c): write attack type
 * starting at t and its label. Returns 0, or -ENOENT for an unknown type.
 */
int synth_attack_variant(struct synth *s, const char *type, uint64_t t);
/* whether type names an attack variant */
bool synth_attack_known(const char *type);

#endif

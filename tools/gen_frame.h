/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_frame.h: builds one Ethernet + IPv4 + UDP/TCP/ICMP frame from a plain
 * description, with a correct IPv4 header checksum, L4 lengths and L4 checksum.
 */
#ifndef VIGIL_GEN_FRAME_H
#define VIGIL_GEN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	GEN_FRAME_MIN = 60,	/* Ethernet minimum without FCS; shorter frames are zero padded */
	GEN_FRAME_MAX = 1514,	/* Ethernet header + 1500 bytes of MTU */
	GEN_FRAME_L2L3 = 14 + 20,
	GEN_TCP_MSS = 1460,	/* TCP payload that fits GEN_FRAME_MAX */
};

enum gen_tcp_flag {
	GEN_TCP_FIN = 0x01,
	GEN_TCP_SYN = 0x02,
	GEN_TCP_RST = 0x04,
	GEN_TCP_PSH = 0x08,
	GEN_TCP_ACK = 0x10,
};

/* Everything in host byte order; unused fields of other protocols are ignored. */
struct gen_pkt {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint32_t saddr;
	uint32_t daddr;
	uint8_t proto;		/* IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP, or any other (raw payload) */
	uint8_t ttl;		/* 0 means 64 */
	uint8_t tos;
	bool df;		/* set the Don't Fragment bit */
	uint16_t ip_id;
	uint16_t sport;		/* UDP/TCP */
	uint16_t dport;
	uint32_t seq;		/* TCP */
	uint32_t ack;
	uint8_t tcp_flags;	/* enum gen_tcp_flag */
	uint16_t window;
	uint8_t icmp_type;	/* ICMP (echo id/seq used for types 0 and 8) */
	uint8_t icmp_code;
	uint16_t icmp_id;
	uint16_t icmp_seq;
	const uint8_t *payload;	/* payload_len bytes after the L4 header; NULL: zeros */
	uint16_t payload_len;
};

/*
 * Write the frame into buf (cap bytes, owned by the caller). Returns its length
 * (at least GEN_FRAME_MIN), -EMSGSIZE when it exceeds cap or GEN_FRAME_MAX.
 * UDP, TCP and ICMP get their header and checksum; for any other protocol
 * (IGMP, an IP-protocol scan's probes) the payload is the whole IP payload,
 * written as given.
 */
int gen_frame_build(const struct gen_pkt *p, uint8_t *buf, size_t cap);

/* RFC 1071 ones' complement sum of len bytes (big-endian words) added to sum; not folded. */
uint64_t gen_frame_csum_add(uint64_t sum, const void *data, size_t len);

/* Fold a sum from gen_frame_csum_add and complement it: the value to store in a header. */
uint16_t gen_frame_csum_fold(uint64_t sum);

#endif

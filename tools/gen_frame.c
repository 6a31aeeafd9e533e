// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_frame.c: the one place where vigil-gen lays out header bytes. Profiles
 * describe packets as struct gen_pkt; this writes them with valid checksums so
 * that parsers downstream see well-formed traffic unless a profile says otherwise.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "gen_frame.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

uint64_t gen_frame_csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *d = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)d[i] << 8 | d[i + 1];
	if (len & 1)
		sum += (uint32_t)d[len - 1] << 8;
	return sum;
}

uint16_t gen_frame_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t l4_header_len(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return 8;
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_ICMP:
		return 8;
	default:
		return 0;	/* any other protocol: the payload is its whole message */
	}
}

int gen_frame_build(const struct gen_pkt *p, uint8_t *buf, size_t cap)
{
	size_t l4h = l4_header_len(p->proto);
	size_t l4len, iplen, len;
	uint8_t *ip = buf + 14, *l4;
	uint64_t sum;
	uint16_t csum;

	l4len = l4h + p->payload_len;
	iplen = 20 + l4len;
	len = 14 + iplen;
	if (len > GEN_FRAME_MAX)
		return -EMSGSIZE;
	if (len < GEN_FRAME_MIN)
		len = GEN_FRAME_MIN;
	if (len > cap)
		return -EMSGSIZE;

	memcpy(buf, p->dst_mac, 6);
	memcpy(buf + 6, p->src_mac, 6);
	put16(buf + 12, 0x0800);

	ip[0] = 0x45;
	ip[1] = p->tos;
	put16(ip + 2, (uint16_t)iplen);
	put16(ip + 4, p->ip_id);
	put16(ip + 6, p->df ? 0x4000 : 0);
	ip[8] = p->ttl ? p->ttl : 64;
	ip[9] = p->proto;
	put16(ip + 10, 0);
	put32(ip + 12, p->saddr);
	put32(ip + 16, p->daddr);
	put16(ip + 10, gen_frame_csum_fold(gen_frame_csum_add(0, ip, 20)));

	l4 = ip + 20;
	memset(l4, 0, l4h);
	if (p->payload)
		memcpy(l4 + l4h, p->payload, p->payload_len);
	else
		memset(l4 + l4h, 0, p->payload_len);
	/* padding up to the Ethernet minimum lies outside every length and checksum */
	memset(l4 + l4len, 0, len - 14 - iplen);

	switch (p->proto) {
	case IPPROTO_UDP:
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put16(l4 + 4, (uint16_t)l4len);
		break;
	case IPPROTO_TCP:
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put32(l4 + 4, p->seq);
		put32(l4 + 8, p->ack);
		l4[12] = 5 << 4;
		l4[13] = p->tcp_flags;
		put16(l4 + 14, p->window);
		break;
	case IPPROTO_ICMP:
		l4[0] = p->icmp_type;
		l4[1] = p->icmp_code;
		put16(l4 + 4, p->icmp_id);
		put16(l4 + 6, p->icmp_seq);
		break;
	}

	if (!l4h)
		return (int)len;	/* sent as given: the caller wrote its checksum, if it has one */
	sum = gen_frame_csum_add(0, l4, l4len);
	if (p->proto != IPPROTO_ICMP) {
		/* pseudo header: addresses, protocol, L4 length */
		sum = gen_frame_csum_add(sum, ip + 12, 8);
		sum += p->proto + l4len;
	}
	csum = gen_frame_csum_fold(sum);
	if (p->proto == IPPROTO_UDP && csum == 0)
		csum = 0xffff;	/* RFC 768: 0 means "no checksum" */
	put16(l4 + (p->proto == IPPROTO_TCP ? 16 : p->proto == IPPROTO_UDP ? 6 : 2), csum);
	return (int)len;
}

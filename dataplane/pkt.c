// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkt.c: user-space frame parser for the poller. Mirrors the XDP program's
 * rules (two VLAN tags, IPv4 options and fragments, a bounded IPv6 extension
 * chain) so both halves of the pipeline agree on what a packet is.
 */
#include <stdint.h>
#include <string.h>

#include "pkt.h"

enum {
	PKT_ETH_HLEN = 14,
	PKT_MAX_VLANS = 2,
	PKT_MAX_IP6_EXT = 6,
};

static const char *const pkt_status_names[PKT_STATUS_MAX] = {
	"ok", "non_ip", "bad_eth", "bad_vlan", "bad_ip4", "bad_ip6", "bad_l4",
};

const char *pkt_status_name(int status)
{
	if (status < 0 || status >= PKT_STATUS_MAX)
		return "unknown";
	return pkt_status_names[status];
}

static uint16_t pkt_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The transport header at p: left bytes of frame, l4_len of them the IP
 * header's length for the transport (never more than left). A TCP or UDP
 * payload, and an ICMP message whole (from its type byte), is noted relative
 * to p (the callers add their offsets).
 */
static int pkt_l4(const uint8_t *p, uint32_t left, uint32_t l4_len, struct pkt_info *info)
{
	uint32_t hl = 8;

	switch (info->proto) {
	case 6: /* TCP: ports + flags at offset 13 */
		if (left < 20)
			return PKT_BAD_L4;
		info->tcp_flags = p[13];
		hl = (uint32_t)(p[12] >> 4) * 4;
		if (hl < 20)
			hl = l4_len;	/* a bad data offset: no payload to point at */
		/* fall through */
	case 17:
	case 132:
		if (left < 4)
			return PKT_BAD_L4;
		info->src_port = pkt_be16(p);
		info->dst_port = pkt_be16(p + 2);
		if (info->proto != 132 && l4_len > hl) {	/* SCTP's chunks are not one payload */
			info->payload_off = (uint16_t)hl;
			info->payload_len = l4_len - hl > UINT16_MAX ? UINT16_MAX : (uint16_t)(l4_len - hl);
		}
		return PKT_OK;
	case 1:
	case 58:
		if (left < 2)
			return PKT_BAD_L4;
		info->src_port = p[0];	/* type */
		info->dst_port = p[1];	/* code */
		/* the whole ICMP message is the payload: an error quotes the packet it is about */
		if (l4_len >= 8) {
			info->payload_off = 0;
			info->payload_len = l4_len > UINT16_MAX ? UINT16_MAX : (uint16_t)l4_len;
		}
		return PKT_OK;
	default:
		return PKT_OK;
	}
}

/* pkt_l4 after an IP header of hl bytes of a datagram of ip_len bytes (0: unknown, to the frame's end) */
static int pkt_l4_after(const uint8_t *p, uint32_t left, uint32_t hl, uint32_t ip_len, struct pkt_info *info)
{
	uint32_t end = ip_len && ip_len < left ? ip_len : left;
	int rc = pkt_l4(p + hl, left - hl, end > hl ? end - hl : 0, info);

	if (info->payload_len)
		info->payload_off = (uint16_t)(info->payload_off + hl);
	return rc;
}

static int pkt_ip4(const uint8_t *p, uint32_t left, struct pkt_info *info)
{
	uint32_t ihl;
	uint16_t frag;

	if (left < 20 || (p[0] >> 4) != 4)
		return PKT_BAD_IP4;
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > left)
		return PKT_BAD_IP4;
	info->ip_ver = 4;
	info->proto = p[9];
	memset(info->src, 0, 10);
	info->src[10] = info->src[11] = 0xff;
	memcpy(info->src + 12, p + 12, 4);
	memset(info->dst, 0, 10);
	info->dst[10] = info->dst[11] = 0xff;
	memcpy(info->dst + 12, p + 16, 4);
	frag = pkt_be16(p + 6) & 0x1fff;
	if (frag) {
		info->is_fragment = 1;
		return PKT_OK;
	}
	return pkt_l4_after(p, left, ihl, pkt_be16(p + 2), info);
}

static int pkt_ip6(const uint8_t *p, uint32_t left, struct pkt_info *info)
{
	uint32_t off = 40, plen;
	uint8_t nh;
	int i;

	if (left < 40 || (p[0] >> 4) != 6)
		return PKT_BAD_IP6;
	info->ip_ver = 6;
	memcpy(info->src, p + 8, 16);
	memcpy(info->dst, p + 24, 16);
	nh = p[6];
	for (i = 0; i < PKT_MAX_IP6_EXT; i++) {
		if (nh == 0 || nh == 43 || nh == 60) {	/* hop-by-hop, routing, dest options */
			if (off + 8 > left)
				return PKT_BAD_IP6;
			nh = p[off];
			off += ((uint32_t)p[off + 1] + 1) * 8;
		} else if (nh == 44) {			/* fragment */
			if (off + 8 > left)
				return PKT_BAD_IP6;
			if (pkt_be16(p + off + 2) & 0xfff8)
				info->is_fragment = 1;
			nh = p[off];
			off += 8;
		} else {
			break;
		}
	}
	if (off > left)
		return PKT_BAD_IP6;
	info->proto = nh;
	if (info->is_fragment)
		return PKT_OK;
	plen = pkt_be16(p + 4);
	return pkt_l4_after(p, left, off, plen ? plen + 40 : 0, info);	/* 0: a jumbogram, or offload */
}

int pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *info)
{
	uint32_t off = 12;
	uint16_t et;
	int i, rc;

	memset(info, 0, sizeof(*info));
	info->len = len;
	if (len < PKT_ETH_HLEN)
		return PKT_BAD_ETH;
	et = pkt_be16(frame + off);
	off += 2;
	for (i = 0; i < PKT_MAX_VLANS && (et == 0x8100 || et == 0x88a8); i++) {
		if (off + 4 > len)
			return PKT_BAD_VLAN;
		if (i == 0)
			info->vlan_id = pkt_be16(frame + off) & 0x0fff;
		et = pkt_be16(frame + off + 2);
		off += 4;
	}
	if (et == 0x8100 || et == 0x88a8)
		return PKT_BAD_VLAN;
	if (et == 0x0800)
		rc = pkt_ip4(frame + off, len - off, info);
	else if (et == 0x86dd)
		rc = pkt_ip6(frame + off, len - off, info);
	else
		return PKT_NON_IP;
	if (info->payload_len)
		info->payload_off = (uint16_t)(info->payload_off + off);
	return rc;
}

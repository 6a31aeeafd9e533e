// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkt.c: the detectors' and statistics' view of a frame, read by the XDP
 * program's own parser (ebpf/parse.h compiled for user space): what the flow
 * table keys is what the detectors see. This file only turns the parser's
 * result into struct pkt_info and reads the few fields the flow key does not
 * need (TTL, lengths, window, ICMP code, where the payload starts).
 */
#include <stdint.h>
#include <string.h>

#include "parse.h"
#include "pkt.h"

enum {
	PKT_PARSE_MAX = 65535,	/* headers are read in the first 64 KiB, as XDP replay reads them */
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

/* the parser's reason (enum vigil_stat) a frame is not keyed, as a pkt_status */
static int pkt_status_of(int reason)
{
	switch (reason) {
	case VIGIL_STAT_NON_IP:
		return PKT_NON_IP;
	case VIGIL_STAT_BAD_VLAN:
		return PKT_BAD_VLAN;
	case VIGIL_STAT_BAD_IP4:
		return PKT_BAD_IP4;
	case VIGIL_STAT_BAD_IP6:
		return PKT_BAD_IP6;
	default:
		return PKT_BAD_ETH;
	}
}

/* TTL and length field of the IP header at l3 (read whole by the parser) */
static void pkt_ip_fields(const uint8_t *l3, uint8_t ip_ver, struct pkt_info *info)
{
	uint32_t plen;

	if (ip_ver == 4) {
		info->ip_ttl = l3[8];
		info->ip_len = pkt_be16(l3 + 2);
		return;
	}
	info->ip_ttl = l3[7];
	plen = pkt_be16(l3 + 4);
	info->ip_len = plen ? (uint16_t)(plen + 40 > UINT16_MAX ? UINT16_MAX : plen + 40) : 0;
}

/*
 * The transport's fields beyond the key, for a frame whose L4 header the
 * parser read whole: TCP window and payload, UDP payload, ICMP type and code
 * (in the ports too, as pkt_info always had them) and the ICMP message whole,
 * from its type byte, as the payload.
 */
static void pkt_l4_fields(const uint8_t *frame, uint32_t len, const struct parse_info *pi,
			  struct pkt_info *info)
{
	const uint8_t *l4 = frame + pi->l4_off;
	uint32_t ip_end, hl = 0, l4_len;

	/* the datagram ends where the IP header says, or at the frame's end */
	ip_end = pi->ip_len == PARSE_IP_LEN_FRAME ? len : (uint32_t)pi->l3_off + pi->ip_len;
	if (ip_end > len)
		ip_end = len;
	l4_len = ip_end > pi->l4_off ? ip_end - pi->l4_off : 0;
	switch (pi->proto) {
	case PARSE_IPPROTO_TCP:
		info->tcp_window = pkt_be16(l4 + 14);
		hl = (uint32_t)(l4[12] >> 4) * 4;
		if (hl < 20)
			hl = l4_len;	/* a bad data offset: no payload to point at */
		break;
	case PARSE_IPPROTO_UDP:
		hl = 8;
		break;
	case PARSE_IPPROTO_ICMP:
	case PARSE_IPPROTO_ICMPV6:
		if ((pi->proto == PARSE_IPPROTO_ICMP) != (pi->ip_ver == 4))
			return;	/* keyed as a plain protocol: no ICMP header read */
		info->icmp_type = l4[0];
		info->icmp_code = l4[1];
		info->src_port = l4[0];
		info->dst_port = l4[1];
		/* the whole ICMP message is the payload: an error quotes the packet it is about */
		if (l4_len >= 8) {
			info->payload_off = (uint16_t)pi->l4_off;
			info->payload_len = l4_len > UINT16_MAX ? UINT16_MAX : (uint16_t)l4_len;
		}
		return;
	default:
		return;
	}
	if (l4_len > hl) {
		info->payload_off = (uint16_t)(pi->l4_off + hl);
		info->payload_len = l4_len - hl > UINT16_MAX ? UINT16_MAX : (uint16_t)(l4_len - hl);
	}
}

int pkt_parse_flags(const uint8_t *frame, uint32_t len, unsigned int flags, struct pkt_info *info)
{
	uint32_t view = len > PKT_PARSE_MAX ? PKT_PARSE_MAX : len;
	uint8_t *data = (uint8_t *)frame;	/* the parsers only read */
	struct parse_info pi = {};
	struct hdr_cursor c;
	int bad, l4bad = 0;

	memset(info, 0, sizeof(*info));
	info->len = len;
	bad = parse_frame(&c, data, data + view, &pi, &l4bad);
	if (bad)
		return pkt_status_of(bad);
	if ((flags & PKT_PARSE_INNER) &&
	    (pi.proto == PARSE_IPPROTO_GRE || pi.proto == PARSE_IPPROTO_UDP ||
	     pi.proto == PARSE_IPPROTO_IPIP || pi.proto == PARSE_IPPROTO_IPV6) &&
	    parse_inner(data, data + view, (__u32)(c.pos - (void *)data), &pi, &l4bad) > 0)
		info->inner = 1;

	memcpy(info->src, pi.saddr, 16);
	memcpy(info->dst, pi.daddr, 16);
	info->vlan_id = pi.vlan_id;
	info->proto = pi.proto;
	info->ip_ver = pi.ip_ver;
	info->is_fragment = pi.later_fragment;
	pkt_ip_fields(frame + pi.l3_off, pi.ip_ver, info);
	/* ports, flags and payload only from a transport header read whole */
	if (l4bad)
		return PKT_BAD_L4;
	if (pi.later_fragment)
		return PKT_OK;
	info->src_port = pi.sport;
	info->dst_port = pi.dport;
	info->tcp_flags = pi.tcp_flags;
	pkt_l4_fields(frame, len, &pi, info);
	return PKT_OK;
}

int pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *info)
{
	return pkt_parse_flags(frame, len, 0, info);
}

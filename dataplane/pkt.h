/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pkt.h: the dataplane's view of one frame: addresses, protocol, ports and
 * length, parsed once per packet for the statistics and detectors by the XDP
 * program's own parser (ebpf/parse.h), so both see the same packet: up to
 * four layer-2 tags, MPLS, PPPoE, IPv6 extension chains, and with
 * PKT_PARSE_INNER a tunnel's inner header as xdp.tunnel_inner keys it.
 * Bounded, allocation-free, and safe on any byte string (fuzzed).
 */
#ifndef VIGIL_PKT_H
#define VIGIL_PKT_H

#include <stdint.h>

enum pkt_status {
	PKT_OK = 0,
	PKT_NON_IP,		/* valid L2, no IPv4/IPv6 */
	PKT_BAD_ETH,
	PKT_BAD_VLAN,
	PKT_BAD_IP4,
	PKT_BAD_IP6,
	PKT_BAD_L4,		/* IP header fine, transport truncated (or an IPv6
				 * extension chain that cannot be walked): ports are 0 */
	PKT_STATUS_MAX,
};

struct pkt_info {
	uint8_t src[16];	/* IPv4 as ::ffff:a.b.c.d */
	uint8_t dst[16];
	uint16_t src_port;	/* host order; 0 when absent */
	uint16_t dst_port;
	uint16_t vlan_id;
	uint8_t proto;
	uint8_t ip_ver;
	uint8_t tcp_flags;
	uint8_t is_fragment;	/* a non-first fragment: no transport header */
	uint32_t len;		/* frame length */
	uint16_t payload_off;	/* TCP/UDP payload, or the whole ICMP message: frame offset, bounded by the IP */
	uint16_t payload_len;	/* length (Ethernet padding is not payload); 0: none */
	/* added with the shared parser; 0 when absent */
	uint16_t ip_len;	/* the IP header's length field: IPv4 total length, IPv6
				 * 40 + payload length (0: the header says 0: TSO, jumbogram) */
	uint16_t tcp_window;	/* TCP window as sent (unscaled), host order */
	uint8_t ip_ttl;		/* IPv4 TTL, IPv6 hop limit */
	uint8_t icmp_type;	/* ICMP (over IPv4) or ICMPv6 (over IPv6), PKT_OK only: */
	uint8_t icmp_code;	/* also in src_port and dst_port, as before */
	uint8_t inner;		/* 1: the header above is a tunnel's inner one (PKT_PARSE_INNER) */
};

enum pkt_parse_flag {
	PKT_PARSE_INNER = 1,	/* a tunnel's inner header, as xdp.tunnel_inner keys flows */
};

/* Parse frame[0..len). Returns an enum pkt_status; info is valid for PKT_OK and PKT_BAD_L4. */
int pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *info);
/* pkt_parse with enum pkt_parse_flag bits. */
int pkt_parse_flags(const uint8_t *frame, uint32_t len, unsigned int flags, struct pkt_info *info);

const char *pkt_status_name(int status);

#endif

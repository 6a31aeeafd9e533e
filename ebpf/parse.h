/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parse.h: BPF-side header parsing for vigil.bpf.c. A cursor walks the frame and
 * one __always_inline parse_<hdr>() per header moves it forward. Every function
 * returns 0 or the enum vigil_stat reason that the frame is counted under, and
 * every bounds check says which verifier rule it satisfies.
 */
#ifndef VIGIL_PARSE_H
#define VIGIL_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "vigil_flow.h"

#define PARSE_VLAN_MAX 2	/* 802.1Q and 802.1ad tags accepted in front of L3 */
#define PARSE_IP6_EXT_MAX 6	/* extension headers walked before giving up */

/* not in every uapi header set */
#define PARSE_ETH_P_8021AD 0x88A8
#define PARSE_IPPROTO_HOPOPTS 0
#define PARSE_IPPROTO_ROUTING 43
#define PARSE_IPPROTO_FRAGMENT 44
#define PARSE_IPPROTO_ICMPV6 58
#define PARSE_IPPROTO_DSTOPTS 60
#define PARSE_IPPROTO_SCTP 132
#define PARSE_IP_MF 0x2000
#define PARSE_IP_OFFSET 0x1fff

struct hdr_cursor {
	void *pos;
};

/* what the parsers found; filled progressively, ports in host byte order */
struct parse_info {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u16 vlan_id;		/* outer tag, 0 if untagged */
	__u8 proto;
	__u8 ip_ver;
	__u8 tcp_flags;
	__u8 fragment;		/* 1: an IP fragment */
	__u8 later_fragment;	/* 1: not the first fragment, no L4 header */
};

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* IPv6 hop-by-hop, routing and destination options share this prefix */
struct ip6_ext {
	__u8 nexthdr;
	__u8 hdrlen;	/* in 8-byte units, not counting the first 8 */
};

struct ip6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;	/* offset << 3 | M flag */
	__be32 id;
};

struct sctp_common {
	__be16 source;
	__be16 dest;
	__be32 vtag;
	__be32 checksum;
};

struct icmp_common {
	__u8 type;
	__u8 code;
	__be16 checksum;
	__be32 rest;
};

static __always_inline int parse_vlan_proto(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(PARSE_ETH_P_8021AD);
}

/* Ethernet then up to PARSE_VLAN_MAX tags; *proto gets the L3 ethertype (network order). */
static __always_inline int parse_ethhdr(struct hdr_cursor *c, void *end, struct parse_info *pi,
					__be16 *proto)
{
	struct ethhdr *eth = c->pos;
	struct vlan_tag *tag;
	__be16 p;
	int i;

	/* verifier: packet access needs pos + len <= data_end before any read */
	if ((void *)(eth + 1) > end)
		return VIGIL_STAT_BAD_ETH;
	p = eth->h_proto;
	c->pos = eth + 1;

#pragma unroll
	for (i = 0; i < PARSE_VLAN_MAX; i++) {
		if (!parse_vlan_proto(p))
			break;
		tag = c->pos;
		/* verifier: the tag is read from the packet, bound it by data_end */
		if ((void *)(tag + 1) > end)
			return VIGIL_STAT_BAD_VLAN;
		if (i == 0)
			pi->vlan_id = bpf_ntohs(tag->tci) & 0x0fff;
		p = tag->proto;
		c->pos = tag + 1;
	}
	if (parse_vlan_proto(p))
		return VIGIL_STAT_BAD_VLAN;
	*proto = p;
	return 0;
}

static __always_inline void parse_v4_mapped(__u8 dst[16], __be32 addr)
{
	__u32 *w = (__u32 *)dst;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0x0000ffff);
	w[3] = addr;
}

/* IPv4 header with options (IHL); fragments flagged in pi. */
static __always_inline int parse_iphdr(struct hdr_cursor *c, void *end, struct parse_info *pi)
{
	struct iphdr *iph = c->pos;
	__u32 hlen;
	__u16 frag;

	/* verifier: fixed part read first, bounded by data_end */
	if ((void *)(iph + 1) > end)
		return VIGIL_STAT_BAD_IP4;
	if (iph->version != 4 || iph->ihl < 5)
		return VIGIL_STAT_BAD_IP4;
	hlen = iph->ihl * 4;
	/* verifier: hlen is 20..60 (4-bit field * 4), the options must be in the packet too */
	if (c->pos + hlen > end)
		return VIGIL_STAT_BAD_IP4;

	pi->ip_ver = 4;
	pi->proto = iph->protocol;
	parse_v4_mapped(pi->saddr, iph->saddr);
	parse_v4_mapped(pi->daddr, iph->daddr);
	frag = bpf_ntohs(iph->frag_off);
	if (frag & (PARSE_IP_MF | PARSE_IP_OFFSET)) {
		pi->fragment = 1;
		pi->later_fragment = (frag & PARSE_IP_OFFSET) != 0;
	}
	c->pos += hlen;
	return 0;
}

static __always_inline int parse_ip6_is_ext(__u8 nh)
{
	return nh == PARSE_IPPROTO_HOPOPTS || nh == PARSE_IPPROTO_ROUTING ||
	       nh == PARSE_IPPROTO_DSTOPTS || nh == PARSE_IPPROTO_FRAGMENT;
}

/* IPv6 header, then the extension chain up to PARSE_IP6_EXT_MAX headers. */
static __always_inline int parse_ip6hdr(struct hdr_cursor *c, void *end, struct parse_info *pi)
{
	struct ipv6hdr *ip6h = c->pos;
	struct ip6_ext *ext;
	struct ip6_frag *fh;
	__u8 nh;
	int i;

	/* verifier: the fixed 40-byte header must be inside the packet */
	if ((void *)(ip6h + 1) > end)
		return VIGIL_STAT_BAD_IP6;
	if (ip6h->version != 6)
		return VIGIL_STAT_BAD_IP6;
	pi->ip_ver = 6;
	__builtin_memcpy(pi->saddr, &ip6h->saddr, 16);
	__builtin_memcpy(pi->daddr, &ip6h->daddr, 16);
	nh = ip6h->nexthdr;
	c->pos = ip6h + 1;

	/* a constant bound lets the verifier see the loop ends */
#pragma unroll
	for (i = 0; i < PARSE_IP6_EXT_MAX; i++) {
		if (!parse_ip6_is_ext(nh))
			break;
		if (nh == PARSE_IPPROTO_FRAGMENT) {
			fh = c->pos;
			/* verifier: the 8-byte fragment header is read, bound it */
			if ((void *)(fh + 1) > end)
				return VIGIL_STAT_BAD_IP6_EXT;
			nh = fh->nexthdr;
			c->pos = fh + 1;
			pi->fragment = 1;
			if (bpf_ntohs(fh->frag_off) & 0xfff8) {
				/* a later fragment: no L4 header follows */
				pi->later_fragment = 1;
				break;
			}
			continue;
		}
		ext = c->pos;
		/* verifier: nexthdr and hdrlen are read from the packet */
		if ((void *)(ext + 1) > end)
			return VIGIL_STAT_BAD_IP6_EXT;
		nh = ext->nexthdr;
		/* verifier: hdrlen is a u8, so the step is 8..2048 bytes; checked below */
		c->pos += ((__u32)ext->hdrlen + 1) * 8;
		if (c->pos > end)
			return VIGIL_STAT_BAD_IP6_EXT;
	}
	if (!pi->later_fragment && parse_ip6_is_ext(nh))
		return VIGIL_STAT_BAD_IP6_EXT;	/* deeper than PARSE_IP6_EXT_MAX */
	pi->proto = nh;
	return 0;
}

/* ICMP/ICMPv6 request/reply pairs, Zeek's convention; -1 when the type has no pair */
static __always_inline int parse_icmp_pair(__u8 type, int v6)
{
	if (!v6) {
		switch (type) {
		case 8: return 0;
		case 0: return 8;
		case 13: return 14;
		case 14: return 13;
		case 15: return 16;
		case 16: return 15;
		case 17: return 18;
		case 18: return 17;
		case 10: return 9;
		case 9: return 10;
		}
		return -1;
	}
	switch (type) {
	case 128: return 129;
	case 129: return 128;
	case 133: return 134;
	case 134: return 133;
	case 135: return 136;
	case 136: return 135;
	case 130: return 131;
	case 131: return 130;
	}
	return -1;
}

/*
 * L4 ports (TCP, UDP, SCTP; ICMP as type/pair-or-code). Other protocols keep
 * ports 0. A truncated header leaves ports 0 and returns VIGIL_STAT_BAD_L4; the
 * caller still accounts the frame.
 */
static __always_inline int parse_l4(struct hdr_cursor *c, void *end, struct parse_info *pi)
{
	struct icmp_common *ic;
	struct sctp_common *sh;
	struct tcphdr *th;
	struct udphdr *uh;
	int pair;

	if (pi->later_fragment)
		return 0;
	switch (pi->proto) {
	case IPPROTO_TCP:
		th = c->pos;
		/* verifier: ports and flags are read, bound the 20-byte header */
		if ((void *)(th + 1) > end)
			return VIGIL_STAT_BAD_L4;
		pi->sport = bpf_ntohs(th->source);
		pi->dport = bpf_ntohs(th->dest);
		pi->tcp_flags = ((__u8 *)th)[13];
		return 0;
	case IPPROTO_UDP:
		uh = c->pos;
		/* verifier: bound the 8-byte header before reading the ports */
		if ((void *)(uh + 1) > end)
			return VIGIL_STAT_BAD_L4;
		pi->sport = bpf_ntohs(uh->source);
		pi->dport = bpf_ntohs(uh->dest);
		return 0;
	case PARSE_IPPROTO_SCTP:
		sh = c->pos;
		/* verifier: bound the 12-byte common header */
		if ((void *)(sh + 1) > end)
			return VIGIL_STAT_BAD_L4;
		pi->sport = bpf_ntohs(sh->source);
		pi->dport = bpf_ntohs(sh->dest);
		return 0;
	case IPPROTO_ICMP:
	case PARSE_IPPROTO_ICMPV6:
		if ((pi->proto == IPPROTO_ICMP) != (pi->ip_ver == 4))
			return 0;	/* ICMP over IPv6 or ICMPv6 over IPv4: key as plain protocol */
		ic = c->pos;
		/* verifier: bound the 8-byte header before reading type and code */
		if ((void *)(ic + 1) > end)
			return VIGIL_STAT_BAD_L4;
		pair = parse_icmp_pair(ic->type, pi->ip_ver == 6);
		pi->sport = ic->type;
		pi->dport = pair >= 0 ? (__u16)pair : ic->code;
		return 0;
	}
	return 0;
}

#endif

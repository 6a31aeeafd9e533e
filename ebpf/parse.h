/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parse.h: vigil's one frame parser, compiled for BPF (vigil.bpf.c, the XDP
 * program) and for user space (vigil_user.c, the replay's flow core, and
 * dataplane/pkt.c, what the detectors see) through shim.h. A cursor walks the
 * frame and one __always_inline parse_<hdr>() per header moves it forward.
 * Every function returns 0 or the enum vigil_stat reason that the frame is
 * counted under, and every bounds check says which verifier rule it satisfies
 * (user space keeps them: they are the bounds of a frame there too).
 */
#ifndef VIGIL_PARSE_H
#define VIGIL_PARSE_H

#include "shim.h"
#include "vigil_flow.h"

#define PARSE_VLAN_MAX 4	/* layer-2 tags (VLAN, VN-tag, E-tag, PBB, FabricPath) in front of L3 */
#define PARSE_MPLS_MAX 4	/* MPLS labels walked before giving up */
#define PARSE_IP6_EXT_MAX 6	/* extension headers walked before giving up */

/* not in every uapi header set */
#define PARSE_ETH_P_IP 0x0800
#define PARSE_ETH_P_IPV6 0x86DD
#define PARSE_ETH_P_8021Q 0x8100
#define PARSE_ETH_P_8021AD 0x88A8
#define PARSE_ETH_P_VNTAG 0x8926
#define PARSE_ETH_P_ETAG 0x893F
#define PARSE_ETH_P_PBB 0x88E7
#define PARSE_ETH_P_FABRICPATH 0x8903
#define PARSE_ETH_P_MPLS_UC 0x8847
#define PARSE_ETH_P_MPLS_MC 0x8848
#define PARSE_ETH_P_PPP_SES 0x8864
#define PARSE_ETH_P_TEB 0x6558		/* transparent Ethernet bridging (GRE, Geneve) */
#define PARSE_ETH_P_ERSPAN2 0x88BE
#define PARSE_ETH_P_ERSPAN3 0x22EB
#define PARSE_IPPROTO_ICMP 1
#define PARSE_IPPROTO_IPIP 4
#define PARSE_IPPROTO_TCP 6
#define PARSE_IPPROTO_UDP 17
#define PARSE_IPPROTO_IPV6 41
#define PARSE_IPPROTO_GRE 47
#define PARSE_IPPROTO_DCCP 33
#define PARSE_PORT_VXLAN 4789
#define PARSE_PORT_VXLAN_LINUX 8472
#define PARSE_PORT_GENEVE 6081
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
	void *l3;	/* start of the IP header the L4 parser works under */
};

#define PARSE_IP_LEN_FRAME 0xffffffffu	/* ip_len: the datagram runs to the frame's end */

/*
 * What the parsers found; filled progressively, ports in host byte order.
 * Aligned to 8: flow.h compares the addresses 8 bytes at a time.
 */
struct parse_info {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;		/* ICMP: the paired type, or the code (flow keys) */
	__u16 vlan_id;		/* outer tag, 0 if untagged */
	__u8 proto;
	__u8 ip_ver;
	__u8 tcp_flags;
	__u8 fragment;		/* 1: an IP fragment */
	__u8 later_fragment;	/* 1: not the first fragment, no L4 header */
	__u8 l4_absent;		/* 1: the L4 header cannot be found (broken IPv6 chain) */
	__u32 ip_len;		/* datagram length from the IP header's start, as its
				 * length field says (Ethernet padding is not in it) */
	__u16 l3_off;		/* frame offsets of the IP header and of what follows */
	__u16 l4_off;		/* its header chain (set by parse_frame and parse_inner) */
	__u8 pad[4];
} __attribute__((aligned(8)));

/* The headers, as vigil reads them (network byte order). */
struct parse_eth {
	__u8 dst[6];
	__u8 src[6];
	__be16 proto;
} VG_HDR;

struct vlan_tag {
	__be16 tci;
	__be16 proto;
} VG_HDR;

struct parse_ip4 {
	__u8 ver_ihl;		/* version << 4 | header length in 4-byte words */
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;	/* flags << 13 | offset in 8-byte units */
	__u8 ttl;
	__u8 protocol;
	__be16 check;
	__be32 saddr;
	__be32 daddr;
} VG_HDR;

struct parse_ip6 {
	__u8 ver_tc;		/* version << 4 | traffic class (high) */
	__u8 tc_flow[3];
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
} VG_HDR;

/* IPv6 hop-by-hop, routing and destination options share this prefix */
struct ip6_ext {
	__u8 nexthdr;
	__u8 hdrlen;	/* in 8-byte units, not counting the first 8 */
} VG_HDR;

struct ip6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;	/* offset << 3 | M flag */
	__be32 id;
} VG_HDR;

struct parse_tcp {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff;		/* data offset in 4-byte words << 4 */
	__u8 flags;		/* CWR ECE URG ACK PSH RST SYN FIN */
	__be16 window;
	__be16 check;
	__be16 urg_ptr;
} VG_HDR;

struct parse_udp {
	__be16 source;
	__be16 dest;
	__be16 len;
	__be16 check;
} VG_HDR;

struct sctp_common {
	__be16 source;
	__be16 dest;
	__be32 vtag;
	__be32 checksum;
} VG_HDR;

struct icmp_common {
	__u8 type;
	__u8 code;
	__be16 checksum;
	__be32 rest;
} VG_HDR;

/* a 16-bit field at any byte of the frame, network byte order as it is */
static __always_inline __be16 parse_be16_at(const void *p)
{
	return ((const struct vlan_tag *)p)->tci;
}

static __always_inline int parse_vlan_proto(__be16 proto)
{
	return proto == bpf_htons(PARSE_ETH_P_8021Q) || proto == bpf_htons(PARSE_ETH_P_8021AD);
}

/*
 * Bytes a layer-2 tag of this type takes after its own type field, the next
 * type field being its last 2 bytes; 0 when the type is no tag. VLAN tags
 * (802.1Q, 802.1ad), Cisco VN-tag, 802.1BR E-tag, 802.1ah PBB I-tag (which is
 * followed by the customer's addresses) and Cisco FabricPath (switch header,
 * then the classic frame's addresses).
 */
static __always_inline __u32 parse_l2_tag_len(__be16 proto)
{
	if (parse_vlan_proto(proto))
		return 4;
	if (proto == bpf_htons(PARSE_ETH_P_VNTAG))
		return 6;
	if (proto == bpf_htons(PARSE_ETH_P_ETAG))
		return 8;
	if (proto == bpf_htons(PARSE_ETH_P_PBB))
		return 4 + 12 + 2;
	if (proto == bpf_htons(PARSE_ETH_P_FABRICPATH))
		return 2 + 12 + 2;
	return 0;
}

/*
 * MPLS label stack (up to PARSE_MPLS_MAX labels), then IPv4 or IPv6 by the
 * version nibble; anything else (pseudowires) is non-IP.
 */
static __always_inline int parse_mpls(struct hdr_cursor *c, void *end, __be16 *proto)
{
	__u8 *lbl;
	int i;

	VG_UNROLL
	for (i = 0; i < PARSE_MPLS_MAX; i++) {
		lbl = c->pos;
		/* verifier: the 4-byte label is read from the packet */
		if ((void *)(lbl + 4) > end)
			return VIGIL_STAT_BAD_VLAN;
		c->pos = lbl + 4;
		if (lbl[2] & 1)	/* bottom of stack */
			break;
		if (i == PARSE_MPLS_MAX - 1)
			return VIGIL_STAT_BAD_VLAN;
	}
	lbl = c->pos;
	/* verifier: the first byte of the payload gives its version */
	if ((void *)(lbl + 1) > end)
		return VIGIL_STAT_BAD_VLAN;
	if ((lbl[0] >> 4) == 4)
		*proto = bpf_htons(PARSE_ETH_P_IP);
	else if ((lbl[0] >> 4) == 6)
		*proto = bpf_htons(PARSE_ETH_P_IPV6);
	else
		*proto = 0;
	return 0;
}

/*
 * PPPoE session: 6-byte header, then the PPP protocol (IPv4 0x0021, IPv6 0x0057),
 * 2 bytes, or 1 when compressed (protocol-field compression: an odd first byte).
 */
static __always_inline int parse_pppoe(struct hdr_cursor *c, void *end, __be16 *proto)
{
	__u8 *h = c->pos;
	__u16 pp;

	/* verifier: header and a 2-byte PPP protocol are read from the packet */
	if ((void *)(h + 8) > end)
		return VIGIL_STAT_BAD_VLAN;
	if (h[6] & 1) {
		pp = h[6];
		c->pos = h + 7;
	} else {
		pp = (__u16)h[6] << 8 | h[7];
		c->pos = h + 8;
	}
	*proto = pp == 0x0021 ? bpf_htons(PARSE_ETH_P_IP) : pp == 0x0057 ? bpf_htons(PARSE_ETH_P_IPV6) : 0;
	return 0;
}

/*
 * Ethernet then up to PARSE_VLAN_MAX tags, then an MPLS stack or a PPPoE
 * session header if present; *proto gets the L3 ethertype (network order).
 */
static __always_inline int parse_ethhdr(struct hdr_cursor *c, void *end, struct parse_info *pi,
					__be16 *proto)
{
	struct parse_eth *eth = c->pos;
	struct vlan_tag *tag;
	__u8 *t;
	__u32 tlen;
	__be16 p;
	int i, vlans = 0;

	/* verifier: packet access needs pos + len <= data_end before any read */
	if ((void *)(eth + 1) > end)
		return VIGIL_STAT_BAD_ETH;
	p = eth->proto;
	c->pos = eth + 1;

	VG_UNROLL
	for (i = 0; i < PARSE_VLAN_MAX; i++) {
		tlen = parse_l2_tag_len(p);
		if (!tlen)
			break;
		t = c->pos;
		/* verifier: a constant length per tag type, so each read is bounded
		 * by a check the verifier can follow; the next type is the last 2 bytes */
		if (tlen == 4) {
			if ((void *)(t + 4) > end)
				return VIGIL_STAT_BAD_VLAN;
			tag = (struct vlan_tag *)t;
			if (!vlans++)
				pi->vlan_id = bpf_ntohs(tag->tci) & 0x0fff;
			p = tag->proto;
		} else if (tlen == 6) {
			if ((void *)(t + 6) > end)
				return VIGIL_STAT_BAD_VLAN;
			p = parse_be16_at(t + 4);
		} else if (tlen == 8) {
			if ((void *)(t + 8) > end)
				return VIGIL_STAT_BAD_VLAN;
			p = parse_be16_at(t + 6);
		} else if (tlen == 16) {
			if ((void *)(t + 16) > end)
				return VIGIL_STAT_BAD_VLAN;
			p = parse_be16_at(t + 14);
		} else {
			if ((void *)(t + 18) > end)
				return VIGIL_STAT_BAD_VLAN;
			p = parse_be16_at(t + 16);
		}
		c->pos = t + tlen;
	}
	if (parse_l2_tag_len(p))
		return VIGIL_STAT_BAD_VLAN;
	if (p == bpf_htons(PARSE_ETH_P_MPLS_UC) || p == bpf_htons(PARSE_ETH_P_MPLS_MC))
		return parse_mpls(c, end, proto);
	if (p == bpf_htons(PARSE_ETH_P_PPP_SES))
		return parse_pppoe(c, end, proto);
	*proto = p;
	return 0;
}

/*
 * The cursor as data + a bounded variable offset. Each combination of layer-2
 * tags leaves a different constant offset, and the verifier would walk the IP
 * parsers once per combination (past its 1M-instruction limit); an offset
 * it only knows as 0..511 lets those paths share one state (vg_mask: clang
 * cannot fold it away); every later read is still bounds-checked. Layer 2
 * ends within 110 bytes, so the mask never changes the offset.
 */
static __always_inline void parse_cursor_forget(struct hdr_cursor *c, void *data)
{
	__u64 off = (__u64)(c->pos - data);

	vg_mask(off, 0x1ff);
	c->pos = data + off;
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
	struct parse_ip4 *iph = c->pos;
	__u32 hlen;
	__u16 frag;

	/* verifier: fixed part read first, bounded by data_end */
	if ((void *)(iph + 1) > end)
		return VIGIL_STAT_BAD_IP4;
	if ((iph->ver_ihl >> 4) != 4 || (iph->ver_ihl & 0x0f) < 5)
		return VIGIL_STAT_BAD_IP4;
	hlen = (__u32)(iph->ver_ihl & 0x0f) * 4;
	/* verifier: hlen is 20..60 (4-bit field * 4), the options must be in the packet too */
	if (c->pos + hlen > end)
		return VIGIL_STAT_BAD_IP4;

	pi->ip_ver = 4;
	pi->proto = iph->protocol;
	c->l3 = iph;
	/* total length 0: a TSO/GRO capture, the frame holds the datagram */
	pi->ip_len = iph->tot_len ? bpf_ntohs(iph->tot_len) : PARSE_IP_LEN_FRAME;
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
	struct parse_ip6 *ip6h = c->pos;
	struct ip6_ext *ext;
	struct ip6_frag *fh;
	__u8 nh;
	int i;

	/* verifier: the fixed 40-byte header must be inside the packet */
	if ((void *)(ip6h + 1) > end)
		return VIGIL_STAT_BAD_IP6;
	if ((ip6h->ver_tc >> 4) != 6)
		return VIGIL_STAT_BAD_IP6;
	pi->ip_ver = 6;
	c->l3 = ip6h;
	/* payload length 0 after hop-by-hop: a jumbogram (RFC 2675), else empty */
	if (ip6h->payload_len)
		pi->ip_len = 40 + (__u32)bpf_ntohs(ip6h->payload_len);
	else
		pi->ip_len = ip6h->nexthdr == PARSE_IPPROTO_HOPOPTS ? PARSE_IP_LEN_FRAME : 40;
	__builtin_memcpy(pi->saddr, ip6h->saddr, 16);
	__builtin_memcpy(pi->daddr, ip6h->daddr, 16);
	nh = ip6h->nexthdr;
	c->pos = ip6h + 1;

	/* a constant bound lets the verifier see the loop ends */
	VG_UNROLL
	for (i = 0; i < PARSE_IP6_EXT_MAX; i++) {
		if (!parse_ip6_is_ext(nh))
			break;
		if (nh == PARSE_IPPROTO_FRAGMENT) {
			fh = c->pos;
			/* verifier: the 8-byte fragment header is read, bound it */
			if ((void *)(fh + 1) > end)
				goto bad_chain;
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
			goto bad_chain;
		nh = ext->nexthdr;
		/* verifier: hdrlen is a u8, so the step is 8..2048 bytes; checked below */
		c->pos += ((__u32)ext->hdrlen + 1) * 8;
		if (c->pos > end)
			goto bad_chain;
	}
	if (!pi->later_fragment && parse_ip6_is_ext(nh))
		goto bad_chain;	/* deeper than PARSE_IP6_EXT_MAX */
	pi->proto = nh;
	return 0;
bad_chain:
	/* the addresses are sound: key by them and the fixed header's next
	 * header, without ports (tshark's rule), and count the reason */
	pi->proto = ip6h->nexthdr;
	pi->l4_absent = 1;
	pi->fragment = 0;
	pi->later_fragment = 0;
	return VIGIL_STAT_BAD_IP6_EXT;
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
 * L4 ports (TCP, UDP, SCTP, DCCP; ICMP as type/pair-or-code). Other protocols
 * keep ports 0. A truncated header returns VIGIL_STAT_BAD_L4 (the caller still
 * accounts the frame): its ports are kept when their 4 bytes are there (ICMP:
 * type and code, 2 bytes), as tshark does, else they stay 0.
 */
static __always_inline int parse_l4_short(struct hdr_cursor *c, void *end, struct parse_info *pi,
					  __u32 room)
{
	__u8 *h = c->pos;
	int pair;

	if (pi->proto == PARSE_IPPROTO_ICMP || pi->proto == PARSE_IPPROTO_ICMPV6) {
		/* verifier: type and code are read from the packet */
		if ((void *)(h + 2) > end || room < 2)
			return VIGIL_STAT_BAD_L4;
		pair = parse_icmp_pair(h[0], pi->ip_ver == 6);
		pi->sport = h[0];
		pi->dport = pair >= 0 ? (__u16)pair : h[1];
		return VIGIL_STAT_BAD_L4;
	}
	/* verifier: the two ports are read from the packet */
	if ((void *)(h + 4) > end || room < 4)
		return VIGIL_STAT_BAD_L4;
	pi->sport = (__u16)h[0] << 8 | h[1];
	pi->dport = (__u16)h[2] << 8 | h[3];
	return VIGIL_STAT_BAD_L4;
}

static __always_inline int parse_l4(struct hdr_cursor *c, void *end, struct parse_info *pi)
{
	struct icmp_common *ic;
	struct sctp_common *sh;
	struct parse_tcp *th;
	struct parse_udp *uh;
	__u32 used, room;
	int pair;

	if (pi->later_fragment || pi->l4_absent)
		return 0;
	/* L4 bytes the datagram holds: a header is only read inside both the
	 * frame (the verifier's bound) and the IP length (padding is no header) */
	used = (__u32)(c->pos - c->l3);
	room = pi->ip_len > used ? pi->ip_len - used : 0;
	switch (pi->proto) {
	case PARSE_IPPROTO_TCP:
		th = c->pos;
		/* verifier: ports and flags are read, bound the 20-byte header */
		if ((void *)(th + 1) > end || room < 20)
			return parse_l4_short(c, end, pi, room);
		pi->sport = bpf_ntohs(th->source);
		pi->dport = bpf_ntohs(th->dest);
		pi->tcp_flags = th->flags;
		return 0;
	case PARSE_IPPROTO_UDP:
		uh = c->pos;
		/* verifier: bound the 8-byte header before reading the ports */
		if ((void *)(uh + 1) > end || room < 8)
			return parse_l4_short(c, end, pi, room);
		pi->sport = bpf_ntohs(uh->source);
		pi->dport = bpf_ntohs(uh->dest);
		return 0;
	case PARSE_IPPROTO_DCCP:
		/* DCCP's ports sit where UDP's do; its generic header is 12+ bytes */
	case PARSE_IPPROTO_SCTP:
		sh = c->pos;
		/* verifier: bound the 12-byte common header */
		if ((void *)(sh + 1) > end || room < 12)
			return parse_l4_short(c, end, pi, room);
		pi->sport = bpf_ntohs(sh->source);
		pi->dport = bpf_ntohs(sh->dest);
		return 0;
	case PARSE_IPPROTO_ICMP:
	case PARSE_IPPROTO_ICMPV6:
		if ((pi->proto == PARSE_IPPROTO_ICMP) != (pi->ip_ver == 4))
			return 0;	/* ICMP over IPv6 or ICMPv6 over IPv4: key as plain protocol */
		ic = c->pos;
		/* verifier: bound the 8-byte header before reading type and code */
		if ((void *)(ic + 1) > end || room < 8)
			return parse_l4_short(c, end, pi, room);
		pair = parse_icmp_pair(ic->type, pi->ip_ver == 6);
		pi->sport = ic->type;
		pi->dport = pair >= 0 ? (__u16)pair : ic->code;
		return 0;
	}
	return 0;
}

/*
 * The start of a tunnel's inner frame, for inner keying (VIGIL_CFG_F_TUNNEL_INNER):
 * GRE (version 0; ERSPAN I/II/III ride on it), VXLAN (UDP 4789 and Linux's 8472),
 * Geneve (UDP 6081), and IP in IP (protocols 4 and 41). The cursor must be at the outer L4 header. Returns 1
 * and moves the cursor when an inner frame follows (*inner_eth 1: Ethernet,
 * 0: an IP packet of ethertype *proto), 0 when this is no tunnel vigil opens,
 * -1 when the tunnel header is cut short.
 */
static __always_inline int parse_tunnel(struct hdr_cursor *c, void *end,
					const struct parse_info *pi, int *inner_eth, __be16 *proto)
{
	__u8 *h = c->pos;
	__u32 off;
	__u16 flags, gp;

	if (pi->later_fragment || pi->l4_absent)
		return 0;
	if (pi->proto == PARSE_IPPROTO_GRE) {
		/* verifier: flags and protocol are read from the packet */
		if ((void *)(h + 4) > end)
			return -1;
		flags = (__u16)h[0] << 8 | h[1];
		if (flags & 0x0007)
			return 0;	/* version 1 is PPTP's enhanced GRE: PPP, not keyed inside */
		gp = (__u16)h[2] << 8 | h[3];
		off = 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) +
		      ((flags & 0x1000) ? 4 : 0);
		if (gp == PARSE_ETH_P_ERSPAN2) {
			off += (flags & 0x1000) ? 8 : 0;	/* type I has no ERSPAN header */
			gp = PARSE_ETH_P_TEB;
		} else if (gp == PARSE_ETH_P_ERSPAN3) {
			__u8 *e3 = h + off;

			/* verifier: the O flag (platform sub-header follows) is read;
			 * one pointer, checked and read, so clang cannot rebuild it */
			if ((void *)(e3 + 12) > end)
				return -1;
			off += (e3[11] & 1) ? 20 : 12;
			gp = PARSE_ETH_P_TEB;
		}
	} else if (pi->proto == PARSE_IPPROTO_IPIP || pi->proto == PARSE_IPPROTO_IPV6) {
		/* IPv4/IPv6 in IPv4/IPv6 (4in4, 6in4, 4in6, 6in6): the packet follows */
		off = 0;
		gp = pi->proto == PARSE_IPPROTO_IPIP ? PARSE_ETH_P_IP : PARSE_ETH_P_IPV6;
	} else if (pi->proto == PARSE_IPPROTO_UDP &&
		   (pi->dport == PARSE_PORT_VXLAN || pi->dport == PARSE_PORT_VXLAN_LINUX)) {
		/* verifier: UDP header and the 8-byte VXLAN header are read */
		if ((void *)(h + 16) > end)
			return -1;
		if (!(h[8] & 0x08))
			return 0;	/* VNI flag clear: not VXLAN as RFC 7348 has it */
		off = 16;
		gp = PARSE_ETH_P_TEB;
	} else if (pi->proto == PARSE_IPPROTO_UDP && pi->dport == PARSE_PORT_GENEVE) {
		/* verifier: UDP header and the fixed 8 bytes of Geneve are read */
		if ((void *)(h + 16) > end)
			return -1;
		if (h[8] >> 6)
			return 0;	/* only Geneve version 0 is defined */
		off = 16 + (__u32)(h[8] & 0x3f) * 4;	/* options: at most 252 bytes */
		gp = (__u16)h[10] << 8 | h[11];
	} else {
		return 0;
	}
	if (gp == PARSE_ETH_P_TEB)
		*inner_eth = 1;
	else if (gp == PARSE_ETH_P_IP || gp == PARSE_ETH_P_IPV6)
		*inner_eth = 0;
	else
		return 0;
	*proto = bpf_htons(gp);
	/* verifier: off is at most 276; the inner parsers bound every read again */
	if ((void *)(h + off) > end)
		return -1;
	c->pos = h + off;
	return 1;
}

/*
 * IPv4 or IPv6 by ethertype, then the L4 ports; 0 or the reason the frame is
 * not accounted. *l4bad gets a detail reason of a frame that is still keyed
 * (a truncated L4 header, an IPv6 extension chain that cannot be walked).
 */
static __always_inline int parse_l3(struct hdr_cursor *c, void *end, struct parse_info *pi,
				    __be16 proto, int *l4bad)
{
	int bad;

	if (proto == bpf_htons(PARSE_ETH_P_IP))
		bad = parse_iphdr(c, end, pi);
	else if (proto == bpf_htons(PARSE_ETH_P_IPV6))
		bad = parse_ip6hdr(c, end, pi);
	else
		bad = VIGIL_STAT_NON_IP;
	if (bad == VIGIL_STAT_BAD_IP6_EXT) {
		/* keyed without ports all the same: a detail, not an outcome */
		*l4bad = bad;
		return 0;
	}
	if (bad)
		return bad;
	*l4bad = parse_l4(c, end, pi);
	return 0;
}

/*
 * A frame from its Ethernet header to its L4 ports: the outer headers, as
 * keyed without xdp.tunnel_inner. 0 or the reason the frame is not keyed
 * (*l4bad as parse_l3); c ends at the L4 header (where parse_inner starts).
 */
static __always_inline int parse_frame(struct hdr_cursor *c, void *data, void *end,
				       struct parse_info *pi, int *l4bad)
{
	__be16 proto = 0;
	int bad;

	c->pos = data;
	c->l3 = data;
	bad = parse_ethhdr(c, end, pi, &proto);
	if (bad)
		return bad;
	parse_cursor_forget(c, data);
	bad = parse_l3(c, end, pi, proto, l4bad);
	if (bad)
		return bad;
	pi->l3_off = (__u16)(c->l3 - data);
	pi->l4_off = (__u16)(c->pos - data);
	return 0;
}

/*
 * Inner keying (VIGIL_CFG_F_TUNNEL_INNER): replaces *pi by the tunnel's inner
 * header when there is one and it parses; the outer VLAN id stays. off is
 * where the outer L4 header starts. 1: pi (and *l4bad) now hold the inner
 * header; 0: no tunnel vigil opens; -1: a tunnel whose inner header is bad
 * (pi is left as it was: keyed by the outer header).
 */
static __always_inline int parse_inner(void *data, void *end, __u32 off, struct parse_info *pi,
				       int *l4bad)
{
	struct parse_info in = {};
	struct hdr_cursor c;
	int inner_eth = 0, t, bad, ibad = 0;
	__be16 proto = 0;
	__u64 o;

	/* verifier: a bounded offset keeps data + off a packet pointer it can check;
	 * a mask, which clang cannot fold into a comparison on another register
	 * (the outer headers end within 12.5 KiB: the mask changes nothing) */
	off &= 0x3fff;
	c.pos = data + off;
	c.l3 = c.pos;
	t = parse_tunnel(&c, end, pi, &inner_eth, &proto);
	if (!t)
		return 0;
	bad = t < 0;
	if (!bad && inner_eth)
		bad = parse_ethhdr(&c, end, &in, &proto);
	if (!bad) {
		/* the inner frame starts at most 0x3fff + 386 bytes in: keep 15 bits */
		o = (__u64)(c.pos - data);
		vg_mask(o, 0x7fff);
		c.pos = data + o;
		bad = parse_l3(&c, end, &in, proto, &ibad);
	}
	if (bad)
		return -1;
	in.l3_off = (__u16)(c.l3 - data);
	in.l4_off = (__u16)(c.pos - data);
	in.vlan_id = pi->vlan_id;
	*pi = in;
	*l4bad = ibad;
	return 1;
}

#endif

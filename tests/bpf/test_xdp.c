// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xdp.c: loads the real vigil.bpf.o through the loader and pushes crafted
 * frames through BPF_PROG_TEST_RUN, one table row per case. Expected flows and
 * counters come from a model the test builds from its own inputs, not from the
 * program's output. Needs root; exit 77 only when the kernel lacks BPF.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vigil_bpf_path.h"
#include "xdp_loader.h"

#define FRAME_BUF 10000
#define MAX_FLOWS 32
#define MAX_EXT 8
#define TS_BASE 1700000000000000000ull

struct frame_spec {
	int n_vlan;
	uint16_t vlan_tpid[5];
	uint16_t vlan_id[5];
	uint16_t ethertype;
	int ver;
	const char *src, *dst;
	uint8_t proto;
	uint8_t ip4_opt_len;	/* bytes of IPv4 options, multiple of 4 */
	uint8_t ip4_ihl;	/* override the IHL field (0: computed) */
	uint16_t frag;		/* IPv4 frag_off field, or the IPv6 fragment header's */
	int n_ext;
	uint8_t ext[MAX_EXT];	/* IPv6 extension chain, in order */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint16_t payload;
	int l4_keep;		/* keep only this many bytes of the L4 header (0: all) */
	int ip_keep;		/* cut the frame this many bytes after the L3 start (0: no) */
	int raw_len;		/* a raw frame of this length instead */
	int pppoe;		/* 1: PPPoE session, 1-byte PPP protocol; 2: 2-byte protocol */
	int mpls;		/* MPLS labels in front of the IP header */
	uint16_t ip_len_override;	/* IPv4 total length field (0: computed) */
};

struct frame_row {
	const char *name;
	struct frame_spec f;
	int want_err;		/* run_frame's return */
	int flow;		/* model flow index, -1: not accounted */
	uint16_t key_sport;	/* expected key port of the sender ... */
	uint16_t key_dport;	/* ... and of the receiver */
	uint32_t stats;		/* bitmask of enum vigil_stat that grow by one, beyond
				 * FRAMES/BYTES/ACCOUNTED/FLOW_NEW which the model derives */
	int key_proto;		/* > 0: the key's protocol + 1, when not the spec's */
};

struct model_flow {
	bool used, harvested;
	struct vigil_flow_key key;
	struct vigil_flow f;	/* expected sums */
};

struct test_ctx {
	struct xdp_maps *m;
	struct model_flow flows[MAX_FLOWS];
	uint64_t stats[VIGIL_STAT_MAX];	/* expected totals */
	int passed, failed;
	bool case_ok;
	const char *case_name;
};

#define BIT(s) (1u << (s))

static const struct frame_row frame_rows[] = {
	{ "no_flow_table_yet", { .ethertype = 0x0800, .ver = 4, .src = "10.9.0.1", .dst = "10.9.0.2",
	  .proto = IPPROTO_UDP, .sport = 1, .dport = 2 }, 0, -1, 0, 0, BIT(VIGIL_STAT_NO_FLOW_MAP) },
	/* the flow table is installed after row 0 */
	{ "tcp_syn", { .ethertype = 0x0800, .ver = 4, .src = "10.0.0.2", .dst = "10.0.0.1",
	  .proto = IPPROTO_TCP, .sport = 40000, .dport = 80, .tcp_flags = 0x02 }, 0, 0, 40000, 80, 0 },
	{ "tcp_synack_reply", { .ethertype = 0x0800, .ver = 4, .src = "10.0.0.1", .dst = "10.0.0.2",
	  .proto = IPPROTO_TCP, .sport = 80, .dport = 40000, .tcp_flags = 0x12 }, 0, 0, 80, 40000, 0 },
	{ "tcp_ack_data", { .ethertype = 0x0800, .ver = 4, .src = "10.0.0.2", .dst = "10.0.0.1",
	  .proto = IPPROTO_TCP, .sport = 40000, .dport = 80, .tcp_flags = 0x10, .payload = 100 },
	  0, 0, 40000, 80, 0 },
	{ "tcp_fin_rst", { .ethertype = 0x0800, .ver = 4, .src = "10.0.0.1", .dst = "10.0.0.2",
	  .proto = IPPROTO_TCP, .sport = 80, .dport = 40000, .tcp_flags = 0x05 }, 0, 0, 80, 40000, 0 },
	{ "udp", { .ethertype = 0x0800, .ver = 4, .src = "192.168.1.10", .dst = "192.168.1.20",
	  .proto = IPPROTO_UDP, .sport = 5353, .dport = 53, .payload = 30 }, 0, 1, 5353, 53, 0 },
	{ "icmp_echo_request", { .ethertype = 0x0800, .ver = 4, .src = "10.1.0.1", .dst = "10.1.0.2",
	  .proto = IPPROTO_ICMP, .icmp_type = 8, .payload = 56 }, 0, 2, 8, 0, 0 },
	{ "icmp_echo_reply_same_flow", { .ethertype = 0x0800, .ver = 4, .src = "10.1.0.2",
	  .dst = "10.1.0.1", .proto = IPPROTO_ICMP, .icmp_type = 0, .payload = 56 }, 0, 2, 0, 8, 0 },
	{ "icmp_unreachable_type_code", { .ethertype = 0x0800, .ver = 4, .src = "10.1.0.2",
	  .dst = "10.1.0.9", .proto = IPPROTO_ICMP, .icmp_type = 3, .icmp_code = 1, .payload = 28 },
	  0, 3, 3, 1, 0 },
	{ "vlan_8021q_udp", { .n_vlan = 1, .vlan_tpid = { 0x8100 }, .vlan_id = { 100 },
	  .ethertype = 0x0800, .ver = 4, .src = "172.16.0.1", .dst = "172.16.0.2",
	  .proto = IPPROTO_UDP, .sport = 1000, .dport = 2000 }, 0, 4, 1000, 2000, 0 },
	{ "qinq_tcp", { .n_vlan = 2, .vlan_tpid = { 0x88a8, 0x8100 }, .vlan_id = { 200, 300 },
	  .ethertype = 0x0800, .ver = 4, .src = "172.16.1.1", .dst = "172.16.1.2",
	  .proto = IPPROTO_TCP, .sport = 3000, .dport = 443, .tcp_flags = 0x02 }, 0, 5, 3000, 443, 0 },
	{ "three_vlan_tags", { .n_vlan = 3, .vlan_tpid = { 0x88a8, 0x8100, 0x8100 },
	  .vlan_id = { 1, 2, 3 }, .ethertype = 0x0800, .ver = 4, .src = "172.16.1.1",
	  .dst = "172.16.1.2", .proto = IPPROTO_UDP, .sport = 1, .dport = 2 },
	  0, 23, 1, 2, 0 },
	{ "five_vlan_tags", { .n_vlan = 5, .vlan_tpid = { 0x88a8, 0x8100, 0x8100, 0x8100, 0x8100 },
	  .vlan_id = { 1, 2, 3, 4, 5 }, .ethertype = 0x0800, .ver = 4, .src = "172.16.1.1",
	  .dst = "172.16.1.2", .proto = IPPROTO_UDP, .sport = 1, .dport = 2 },
	  0, -1, 0, 0, BIT(VIGIL_STAT_BAD_VLAN) },
	/* a UDP header past the IP total length is Ethernet padding, not a header */
	{ "udp_in_padding_only", { .ethertype = 0x0800, .ver = 4, .src = "172.16.2.1",
	  .dst = "172.16.2.2", .proto = IPPROTO_UDP, .sport = 1, .dport = 2, .ip_len_override = 20 },
	  0, 24, 0, 0, BIT(VIGIL_STAT_BAD_L4) },
	{ "ipv6_hbh_dstopts_udp", { .ethertype = 0x86dd, .ver = 6, .src = "2001:db8::1",
	  .dst = "2001:db8::2", .n_ext = 2, .ext = { 0, 60 }, .proto = IPPROTO_UDP, .sport = 5000,
	  .dport = 53, .payload = 20 }, 0, 6, 5000, 53, 0 },
	{ "icmpv6_echo_request", { .ethertype = 0x86dd, .ver = 6, .src = "2001:db8::2",
	  .dst = "2001:db8::1", .proto = 58, .icmp_type = 128 }, 0, 7, 128, 129, 0 },
	{ "icmpv6_echo_reply_same_flow", { .ethertype = 0x86dd, .ver = 6, .src = "2001:db8::1",
	  .dst = "2001:db8::2", .proto = 58, .icmp_type = 129 }, 0, 7, 129, 128, 0 },
	{ "ipv4_options_tcp", { .ethertype = 0x0800, .ver = 4, .src = "10.2.0.1", .dst = "10.2.0.2",
	  .ip4_opt_len = 8, .proto = IPPROTO_TCP, .sport = 1234, .dport = 22, .tcp_flags = 0x10 },
	  0, 8, 1234, 22, 0 },
	{ "ipv4_first_fragment", { .ethertype = 0x0800, .ver = 4, .src = "10.3.0.1", .dst = "10.3.0.2",
	  .frag = 0x2000, .proto = IPPROTO_UDP, .sport = 7000, .dport = 8000, .payload = 64 },
	  0, 9, 7000, 8000, BIT(VIGIL_STAT_FRAGMENT) },
	{ "ipv4_later_fragment", { .ethertype = 0x0800, .ver = 4, .src = "10.3.0.1", .dst = "10.3.0.2",
	  .frag = 9, .proto = IPPROTO_UDP, .payload = 50 }, 0, 10, 0, 0, BIT(VIGIL_STAT_FRAGMENT) },
	{ "ipv6_later_fragment", { .ethertype = 0x86dd, .ver = 6, .src = "2001:db8::5",
	  .dst = "2001:db8::6", .n_ext = 1, .ext = { 44 }, .frag = 100 << 3, .proto = IPPROTO_UDP,
	  .payload = 40 }, 0, 11, 0, 0, BIT(VIGIL_STAT_FRAGMENT) },
	{ "ipv4_truncated_header", { .ethertype = 0x0800, .ver = 4, .src = "10.3.0.1",
	  .dst = "10.3.0.2", .proto = IPPROTO_UDP, .ip_keep = 10 }, 0, -1, 0, 0, BIT(VIGIL_STAT_BAD_IP4) },
	{ "ipv4_ihl_below_5", { .ethertype = 0x0800, .ver = 4, .src = "10.3.0.1", .dst = "10.3.0.2",
	  .ip4_ihl = 4, .proto = IPPROTO_UDP }, 0, -1, 0, 0, BIT(VIGIL_STAT_BAD_IP4) },
	{ "ipv4_options_past_end", { .ethertype = 0x0800, .ver = 4, .src = "10.3.0.1",
	  .dst = "10.3.0.2", .ip4_ihl = 15, .proto = IPPROTO_UDP, .ip_keep = 24 },
	  0, -1, 0, 0, BIT(VIGIL_STAT_BAD_IP4) },
	/* ports are kept when their 4 bytes are there (tshark's rule), else 0 */
	{ "tcp_truncated_l4_ports_kept", { .ethertype = 0x0800, .ver = 4, .src = "10.4.0.1",
	  .dst = "10.4.0.2", .proto = IPPROTO_TCP, .sport = 1, .dport = 2, .l4_keep = 6 }, 0, 12, 1, 2,
	  BIT(VIGIL_STAT_BAD_L4) },
	{ "udp_truncated_l4_3_bytes", { .ethertype = 0x0800, .ver = 4, .src = "10.4.0.1",
	  .dst = "10.4.0.2", .proto = IPPROTO_UDP, .sport = 1, .dport = 2, .l4_keep = 3 }, 0, 17, 0, 0,
	  BIT(VIGIL_STAT_BAD_L4) },
	{ "icmp_truncated_type_code_kept", { .ethertype = 0x0800, .ver = 4, .src = "10.4.0.1",
	  .dst = "10.4.0.2", .proto = IPPROTO_ICMP, .icmp_type = 8, .l4_keep = 2 }, 0, 18, 8, 0,
	  BIT(VIGIL_STAT_BAD_L4) },
	{ "pppoe_compressed_proto_tcp", { .pppoe = 1, .ethertype = 0x0800, .ver = 4, .src = "10.8.0.1",
	  .dst = "10.8.0.2", .proto = IPPROTO_TCP, .sport = 3000, .dport = 80 }, 0, 19, 3000, 80, 0 },
	{ "pppoe_ipv6_udp", { .pppoe = 2, .ethertype = 0x86dd, .ver = 6, .src = "2001:db8::8",
	  .dst = "2001:db8::9", .proto = IPPROTO_UDP, .sport = 53, .dport = 4000 }, 0, 20, 53, 4000, 0 },
	{ "mpls_two_labels_udp", { .mpls = 2, .ethertype = 0x0800, .ver = 4, .src = "10.8.0.3",
	  .dst = "10.8.0.4", .proto = IPPROTO_UDP, .sport = 5, .dport = 6 }, 0, 21, 5, 6, 0 },
	{ "mpls_five_labels_too_deep", { .mpls = 5, .ethertype = 0x0800, .ver = 4, .src = "10.8.0.3",
	  .dst = "10.8.0.4", .proto = IPPROTO_UDP, .sport = 5, .dport = 6 }, 0, -1, 0, 0,
	  BIT(VIGIL_STAT_BAD_VLAN) },
	{ "dccp_ports", { .ethertype = 0x0800, .ver = 4, .src = "10.8.0.5", .dst = "10.8.0.6",
	  .proto = 33, .sport = 7, .dport = 8 }, 0, 22, 7, 8, 0 },
	/* a chain that cannot be walked: keyed by the addresses and the fixed
	 * header's next header (tshark's rule), ports 0 */
	{ "ipv6_ext_truncated", { .ethertype = 0x86dd, .ver = 6, .src = "2001:db8::1",
	  .dst = "2001:db8::2", .n_ext = 1, .ext = { 0 }, .proto = IPPROTO_UDP, .ip_keep = 44 },
	  0, 25, 0, 0, BIT(VIGIL_STAT_BAD_IP6_EXT), 0 + 1 },
	{ "ipv6_ext_too_deep", { .ethertype = 0x86dd, .ver = 6, .src = "2001:db8::1",
	  .dst = "2001:db8::2", .n_ext = 7, .ext = { 0, 60, 60, 60, 60, 60, 60 },
	  .proto = IPPROTO_UDP, .sport = 1, .dport = 2 }, 0, 25, 0, 0, BIT(VIGIL_STAT_BAD_IP6_EXT),
	  0 + 1 },
	{ "ipv6_truncated_header", { .ethertype = 0x86dd, .ver = 6, .src = "2001:db8::1",
	  .dst = "2001:db8::2", .proto = IPPROTO_UDP, .ip_keep = 30 },
	  0, -1, 0, 0, BIT(VIGIL_STAT_BAD_IP6) },
	{ "sctp", { .ethertype = 0x0800, .ver = 4, .src = "10.5.0.1", .dst = "10.5.0.2", .proto = 132,
	  .sport = 2905, .dport = 36412, .payload = 16 }, 0, 13, 2905, 36412, 0 },
	{ "gre_other_proto", { .ethertype = 0x0800, .ver = 4, .src = "10.6.0.2", .dst = "10.6.0.1",
	  .proto = 47, .payload = 24 }, 0, 14, 0, 0, 0 },
	{ "jumbo_udp_9000", { .ethertype = 0x0800, .ver = 4, .src = "10.7.0.1", .dst = "10.7.0.2",
	  .proto = IPPROTO_UDP, .sport = 9, .dport = 9, .payload = 9000 - 14 - 20 - 8 },
	  0, 15, 9, 9, 0 },
	{ "same_address_ordered_by_port", { .ethertype = 0x0800, .ver = 4, .src = "10.10.0.1",
	  .dst = "10.10.0.1", .proto = IPPROTO_UDP, .sport = 5000, .dport = 4000 }, 0, 16, 5000, 4000, 0 },
	{ "frame_of_10_bytes", { .raw_len = 10 }, -EINVAL, -1, 0, 0, 0 },
	{ "arp", { .ethertype = 0x0806 }, 0, -1, 0, 0, BIT(VIGIL_STAT_NON_IP) },
};

static void check(struct test_ctx *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	if (t->case_ok)
		printf("FAIL %s\n", t->case_name);
	t->case_ok = false;
	printf("    ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void case_begin(struct test_ctx *t, const char *name)
{
	t->case_name = name;
	t->case_ok = true;
}

static void case_end(struct test_ctx *t)
{
	if (t->case_ok) {
		printf("ok   %s\n", t->case_name);
		t->passed++;
	} else {
		t->failed++;
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void addr16(const char *s, int ver, uint8_t out[16])
{
	memset(out, 0, 16);
	if (ver == 4) {
		out[10] = 0xff;
		out[11] = 0xff;
		if (inet_pton(AF_INET, s, out + 12) != 1)
			abort();
	} else if (inet_pton(AF_INET6, s, out) != 1) {
		abort();
	}
}

static bool spec_later_fragment(const struct frame_spec *s)
{
	int i;

	if (s->ver == 4)
		return (s->frag & 0x1fff) != 0;
	for (i = 0; i < s->n_ext; i++)
		if (s->ext[i] == 44 && (s->frag & 0xfff8))
			return true;
	return false;
}

static size_t frame_build(const struct frame_spec *s, uint8_t *b)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	size_t o, l3, l4, hl;
	uint8_t a[16];
	int i;

	if (s->raw_len) {
		memset(b, 0xab, s->raw_len);
		return s->raw_len;
	}
	memset(b, 0, FRAME_BUF);
	memcpy(b, macs, 12);
	o = 12;
	for (i = 0; i < s->n_vlan; i++) {
		put16(b + o, s->vlan_tpid[i]);
		put16(b + o + 2, s->vlan_id[i]);
		o += 4;
	}
	if (s->pppoe) {
		put16(b + o, 0x8864);
		b[o + 2] = 0x11;	/* version 1, type 1, code 0, session 0, length */
		o += 8;
		if (s->pppoe == 1) {
			b[o++] = s->ver == 4 ? 0x21 : 0x57;
		} else {
			put16(b + o, s->ver == 4 ? 0x0021 : 0x0057);
			o += 2;
		}
	} else if (s->mpls) {
		put16(b + o, 0x8847);
		o += 2;
		for (i = 0; i < s->mpls; i++) {
			put16(b + o, 0x0010);	/* label 1 */
			b[o + 2] = i + 1 == s->mpls ? 1 : 0;	/* bottom of stack */
			b[o + 3] = 64;
			o += 4;
		}
	} else {
		put16(b + o, s->ethertype);
		o += 2;
	}
	l3 = o;
	if (s->ethertype == 0x0806) {
		put16(b + o, 1);	/* htype Ethernet */
		put16(b + o + 2, 0x0800);
		b[o + 4] = 6;
		b[o + 5] = 4;
		put16(b + o + 6, 1);	/* request */
		return o + 28;
	}
	if (s->ver == 4) {
		hl = 20 + s->ip4_opt_len;
		b[o] = 0x40 | (s->ip4_ihl ? s->ip4_ihl : hl / 4);
		put16(b + o + 6, s->frag);
		b[o + 8] = 64;
		b[o + 9] = s->proto;
		addr16(s->src, 4, a);
		memcpy(b + o + 12, a + 12, 4);
		addr16(s->dst, 4, a);
		memcpy(b + o + 16, a + 12, 4);
		memset(b + o + 20, 1, s->ip4_opt_len);	/* NOP options */
		o += hl;
	} else {
		b[o] = 0x60;
		b[o + 6] = s->n_ext ? s->ext[0] : s->proto;
		b[o + 7] = 64;
		addr16(s->src, 6, b + o + 8);
		addr16(s->dst, 6, b + o + 24);
		o += 40;
		for (i = 0; i < s->n_ext; i++) {
			b[o] = i + 1 < s->n_ext ? s->ext[i + 1] : s->proto;
			if (s->ext[i] == 44) {
				put16(b + o + 2, s->frag);
			} else {
				b[o + 1] = 0;	/* 8 bytes */
				b[o + 2] = 1;	/* PadN of 4 */
				b[o + 3] = 4;
			}
			o += 8;
		}
	}
	l4 = o;
	if (!spec_later_fragment(s)) {
		switch (s->proto) {
		case IPPROTO_TCP:
			put16(b + o, s->sport);
			put16(b + o + 2, s->dport);
			b[o + 12] = 5 << 4;
			b[o + 13] = s->tcp_flags;
			put16(b + o + 14, 65535);
			o += 20;
			break;
		case IPPROTO_UDP:
			put16(b + o, s->sport);
			put16(b + o + 2, s->dport);
			put16(b + o + 4, 8 + s->payload);
			o += 8;
			break;
		case 33:	/* DCCP: ports, then 8 more bytes of generic header */
			put16(b + o, s->sport);
			put16(b + o + 2, s->dport);
			o += 12;
			break;
		case 132:
			put16(b + o, s->sport);
			put16(b + o + 2, s->dport);
			o += 12;
			break;
		case IPPROTO_ICMP:
		case 58:
			b[o] = s->icmp_type;
			b[o + 1] = s->icmp_code;
			o += 8;
			break;
		}
	}
	memset(b + o, 0x5a, s->payload);
	o += s->payload;
	if (s->l4_keep)
		o = l4 + s->l4_keep;
	if (s->ver == 4)
		put16(b + l3 + 2, s->ip_len_override ? s->ip_len_override : o - l3);
	else
		put16(b + l3 + 4, o - l3 - 40);
	if (s->ip_keep)
		o = l3 + s->ip_keep;
	return o;
}

/* canonical key as docs/flows.md states it, computed independently of the program */
static int model_key(const struct frame_spec *s, uint16_t sport, uint16_t dport,
		     struct vigil_flow_key *k)
{
	uint8_t sa[16], da[16];
	int c;

	addr16(s->src, s->ver, sa);
	addr16(s->dst, s->ver, da);
	memset(k, 0, sizeof(*k));
	c = memcmp(sa, da, 16);
	if (c < 0 || (c == 0 && sport <= dport)) {
		memcpy(k->addr_a, sa, 16);
		memcpy(k->addr_b, da, 16);
		k->port_a = sport;
		k->port_b = dport;
	} else {
		memcpy(k->addr_a, da, 16);
		memcpy(k->addr_b, sa, 16);
		k->port_a = dport;
		k->port_b = sport;
	}
	k->proto = s->proto;
	k->ip_ver = s->ver;
	return (c < 0 || (c == 0 && sport <= dport)) ? VIGIL_DIR_AB : VIGIL_DIR_BA;
}

static void model_account(struct model_flow *mf, int dir, uint32_t len, uint64_t ts,
			  const struct frame_spec *s)
{
	struct vigil_flow *f = &mf->f;

	if (f->pkts[0] + f->pkts[1] == 0) {
		f->first_ns = ts;
		f->initiator = dir;
		f->vlan_id = s->n_vlan ? s->vlan_id[0] : 0;
		f->min_len = len;
	}
	f->last_ns = ts;
	f->pkts[dir]++;
	f->bytes[dir] += len;
	if (len < f->min_len)
		f->min_len = len;
	if (len > f->max_len)
		f->max_len = len;
	if (s->proto == IPPROTO_TCP && !s->l4_keep) {
		f->tcp_flags[dir] |= s->tcp_flags;
		f->syn += !!(s->tcp_flags & 0x02);
		f->fin += !!(s->tcp_flags & 0x01);
		f->rst += !!(s->tcp_flags & 0x04);
	}
}

static int read_flow(int flows_fd, const struct vigil_flow_key *k, struct vigil_flow *sum)
{
	int ncpu = xdp_flows_table_copies(flows_fd);	/* 1 for a shared table */
	struct vigil_flow *vals;
	int err;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(flows_fd, k, vals);
	if (!err)
		xdp_flow_sum(vals, ncpu, sizeof(*vals), sum);
	free(vals);
	return err;
}

static void compare_flow(struct test_ctx *t, const struct vigil_flow *got,
			 const struct vigil_flow *want)
{
	check(t, got->pkts[0] == want->pkts[0] && got->pkts[1] == want->pkts[1],
	      "pkts ab/ba %llu/%llu, want %llu/%llu", (unsigned long long)got->pkts[0],
	      (unsigned long long)got->pkts[1], (unsigned long long)want->pkts[0],
	      (unsigned long long)want->pkts[1]);
	check(t, got->bytes[0] == want->bytes[0] && got->bytes[1] == want->bytes[1],
	      "bytes ab/ba %llu/%llu, want %llu/%llu", (unsigned long long)got->bytes[0],
	      (unsigned long long)got->bytes[1], (unsigned long long)want->bytes[0],
	      (unsigned long long)want->bytes[1]);
	check(t, got->first_ns == want->first_ns && got->last_ns == want->last_ns,
	      "first/last %llu/%llu, want %llu/%llu (meta timestamps)",
	      (unsigned long long)got->first_ns, (unsigned long long)got->last_ns,
	      (unsigned long long)want->first_ns, (unsigned long long)want->last_ns);
	check(t, got->initiator == want->initiator, "initiator %u, want %u", got->initiator,
	      want->initiator);
	check(t, got->tcp_flags[0] == want->tcp_flags[0] && got->tcp_flags[1] == want->tcp_flags[1],
	      "tcp flags ab/ba %#x/%#x, want %#x/%#x", got->tcp_flags[0], got->tcp_flags[1],
	      want->tcp_flags[0], want->tcp_flags[1]);
	check(t, got->syn == want->syn && got->fin == want->fin && got->rst == want->rst,
	      "syn/fin/rst %u/%u/%u, want %u/%u/%u", got->syn, got->fin, got->rst, want->syn,
	      want->fin, want->rst);
	check(t, got->vlan_id == want->vlan_id, "vlan %u, want %u", got->vlan_id, want->vlan_id);
	check(t, got->min_len == want->min_len && got->max_len == want->max_len,
	      "len min/max %u/%u, want %u/%u", got->min_len, got->max_len, want->min_len,
	      want->max_len);
}

static void compare_stats(struct test_ctx *t)
{
	uint64_t got[VIGIL_STAT_MAX];
	int i, err;

	err = xdp_stats_read(t->m->stats_fd, got);
	check(t, err == 0, "xdp_stats_read: %d", err);
	if (err)
		return;
	for (i = 0; i < VIGIL_STAT_MAX; i++)
		check(t, got[i] == t->stats[i], "stat %s = %llu, want %llu", xdp_stat_name(i),
		      (unsigned long long)got[i], (unsigned long long)t->stats[i]);
}

static int count_entries(int fd)
{
	struct vigil_flow_key k, next;
	int n = 0, have;

	have = !bpf_map_get_next_key(fd, NULL, &k);
	while (have) {
		n++;
		have = !bpf_map_get_next_key(fd, &k, &next);
		k = next;
	}
	return n;
}

static void run_frame_rows(struct test_ctx *t)
{
	static uint8_t frame[FRAME_BUF];
	const struct frame_row *r;
	struct vigil_flow got;
	struct model_flow *mf;
	uint16_t flags = 0xffff;
	uint32_t ret = 0, len;
	uint64_t ts;
	size_t i;
	int err, dir, s, n_flows = 0;

	for (i = 0; i < sizeof(frame_rows) / sizeof(frame_rows[0]); i++) {
		r = &frame_rows[i];
		if (i == 1) {
			err = xdp_flows_install(t->m, t->m->flows_fd);
			if (err) {
				printf("FAIL install flow table: %d\n", err);
				t->failed++;
				return;
			}
		}
		case_begin(t, r->name);
		ts = TS_BASE + i * 1000;
		len = frame_build(&r->f, frame);
		flags = 0xffff;
		err = xdp_loader_run_frame(t->m->prog_fd, frame, len, ts, &ret, &flags);
		check(t, err == r->want_err, "run_frame returned %d, want %d", err, r->want_err);
		if (r->want_err == 0 && err == 0) {
			t->stats[VIGIL_STAT_FRAMES]++;
			t->stats[VIGIL_STAT_BYTES] += len;
			for (s = 0; s < VIGIL_STAT_MAX; s++)
				if (r->stats & BIT(s))
					t->stats[s]++;
			check(t, ret == XDP_DROP, "verdict %u, want XDP_DROP (tap, no handoff)", ret);
			check(t, flags == (r->flow >= 0 ? VIGIL_META_F_ACCOUNTED : 0),
			      "meta flags %#x", flags);
		}
		if (r->flow >= 0) {
			mf = &t->flows[r->flow];
			if (!mf->used) {
				mf->used = true;
				n_flows++;
				t->stats[VIGIL_STAT_FLOW_NEW]++;
			}
			dir = model_key(&r->f, r->key_sport, r->key_dport, &mf->key);
			if (r->key_proto)
				mf->key.proto = (uint8_t)(r->key_proto - 1);
			model_account(mf, dir, len, ts, &r->f);
			t->stats[VIGIL_STAT_ACCOUNTED]++;
			err = read_flow(t->m->flows_fd, &mf->key, &got);
			check(t, err == 0, "flow not found under the expected key (%d)", err);
			if (!err)
				compare_flow(t, &got, &mf->f);
		}
		compare_stats(t);
		s = count_entries(t->m->flows_fd);
		check(t, s == n_flows, "%d flows in the table, want %d", s, n_flows);
		case_end(t);
	}
}

/* Outcomes (each frame exactly one) add up to FRAMES. */
static void check_outcomes(struct test_ctx *t)
{
	static const enum vigil_stat outcomes[] = {
		VIGIL_STAT_ACCOUNTED, VIGIL_STAT_NON_IP, VIGIL_STAT_BAD_ETH, VIGIL_STAT_BAD_VLAN,
		VIGIL_STAT_BAD_IP4, VIGIL_STAT_BAD_IP6, VIGIL_STAT_NO_FLOW_MAP,
		VIGIL_STAT_FLOW_INSERT_FAIL, VIGIL_STAT_BLOCKED,
	};
	uint64_t got[VIGIL_STAT_MAX], sum = 0;
	size_t i;

	case_begin(t, "outcomes_sum_to_frames");
	check(t, xdp_stats_read(t->m->stats_fd, got) == 0, "xdp_stats_read");
	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		sum += got[outcomes[i]];
	check(t, sum == got[VIGIL_STAT_FRAMES], "outcomes %llu, frames %llu",
	      (unsigned long long)sum, (unsigned long long)got[VIGIL_STAT_FRAMES]);
	case_end(t);
}

struct harvest_ctx {
	struct test_ctx *t;
	int seen, unknown, twice;
};

static int harvest_cb(void *ctx, const struct vigil_flow_key *key, const struct vigil_flow *flow)
{
	struct harvest_ctx *h = ctx;
	struct model_flow *mf;
	int i;

	h->seen++;
	for (i = 0; i < MAX_FLOWS; i++) {
		mf = &h->t->flows[i];
		if (!mf->used || memcmp(&mf->key, key, sizeof(*key)))
			continue;
		if (mf->harvested)
			h->twice++;
		mf->harvested = true;
		compare_flow(h->t, flow, &mf->f);
		return 0;
	}
	h->unknown++;
	return 0;
}

static void run_harvest(struct test_ctx *t)
{
	struct harvest_ctx h = { .t = t };
	uint64_t now = TS_BASE + (sizeof(frame_rows) / sizeof(frame_rows[0])) * 1000;
	uint64_t idle = 15 * 1000;	/* flows last seen before row count - 15 are idle */
	int n, want = 0, total = 0, i;

	case_begin(t, "harvest_idle_only");
	for (i = 0; i < MAX_FLOWS; i++) {
		if (!t->flows[i].used)
			continue;
		total++;
		want += now - t->flows[i].f.last_ns > idle;
	}
	check(t, want > 0 && want < total, "test setup: %d of %d flows idle", want, total);
	n = xdp_flows_harvest(t->m->flows_fd, now, idle, false, harvest_cb, &h);
	check(t, n == want && h.seen == want, "harvested %d (cb %d), want %d", n, h.seen, want);
	for (i = 0; i < MAX_FLOWS; i++)
		if (t->flows[i].used)
			check(t, t->flows[i].harvested == (now - t->flows[i].f.last_ns > idle),
			      "flow %d harvested=%d", i, t->flows[i].harvested);
	check(t, count_entries(t->m->flows_fd) == total - want, "%d left, want %d",
	      count_entries(t->m->flows_fd), total - want);
	case_end(t);

	case_begin(t, "harvest_all_empties_table");
	n = xdp_flows_harvest(t->m->flows_fd, now, idle, true, harvest_cb, &h);
	check(t, n == total - want, "harvested %d, want %d", n, total - want);
	check(t, h.seen == total && !h.unknown && !h.twice, "seen %d unknown %d twice %d, want %d",
	      h.seen, h.unknown, h.twice, total);
	for (i = 0; i < MAX_FLOWS; i++)
		if (t->flows[i].used)
			check(t, t->flows[i].harvested, "flow %d never harvested", i);
	check(t, count_entries(t->m->flows_fd) == 0, "table not empty: %d",
	      count_entries(t->m->flows_fd));
	case_end(t);
}

struct handoff_row {
	const char *name;
	struct vigil_xdp_cfg cfg;
	bool arp;		/* non-IP frames instead of a UDP flow */
	int frames;
	uint32_t handed_mask;	/* bit i: frame i is handed off */
	uint32_t handed_want;	/* flow.handed afterwards (FIRST_N), else 0 */
};

static const struct handoff_row handoff_rows[] = {
	{ "handoff_all_tap", { VIGIL_MODE_TAP, VIGIL_HANDOFF_ALL, 0, 0 }, false, 3, 0x7, 0 },
	{ "handoff_none_inline", { VIGIL_MODE_INLINE, VIGIL_HANDOFF_NONE, 0, 0 }, false, 3, 0, 0 },
	{ "handoff_first_2_inline", { VIGIL_MODE_INLINE, VIGIL_HANDOFF_FIRST_N, 2, 0 }, false, 5, 0x3, 2 },
	{ "handoff_sample_1_in_4_tap", { VIGIL_MODE_TAP, VIGIL_HANDOFF_SAMPLE, 4, 0 }, false, 8, 0, 0 },
	{ "handoff_all_inline_arp", { VIGIL_MODE_INLINE, VIGIL_HANDOFF_ALL, 0, 0 }, true, 2, 0x3, 0 },
};

static void run_handoff_rows(struct test_ctx *t)
{
	struct frame_spec udp = { .ethertype = 0x0800, .ver = 4, .src = "10.8.0.1",
				  .dst = "10.8.0.2", .proto = IPPROTO_UDP, .dport = 9 };
	struct frame_spec arp = { .ethertype = 0x0806 };
	static uint8_t frame[FRAME_BUF];
	const struct handoff_row *r;
	struct vigil_flow_key key;
	struct vigil_flow got;
	uint64_t before[VIGIL_STAT_MAX], after[VIGIL_STAT_MAX], frames_before;
	uint32_t ret, fallback, handed;
	uint16_t flags, want_flags;
	size_t i;
	int j, err, len, n_handed;

	for (i = 0; i < sizeof(handoff_rows) / sizeof(handoff_rows[0]); i++) {
		r = &handoff_rows[i];
		case_begin(t, r->name);
		udp.sport = 1000 + i;	/* a new flow per row */
		len = frame_build(r->arp ? &arp : &udp, frame);
		check(t, xdp_cfg_write(t->m->cfg_fd, &r->cfg) == 0, "xdp_cfg_write");
		check(t, xdp_stats_read(t->m->stats_fd, before) == 0, "xdp_stats_read");
		fallback = r->cfg.mode == VIGIL_MODE_INLINE ? XDP_PASS : XDP_DROP;
		frames_before = before[VIGIL_STAT_FRAMES];
		n_handed = 0;
		for (j = 0; j < r->frames; j++) {
			err = xdp_loader_run_frame(t->m->prog_fd, frame, len, TS_BASE + j, &ret, &flags);
			check(t, err == 0, "frame %d: run_frame %d", j, err);
			/* an empty xsks_map slot makes bpf_redirect_map return the fallback */
			check(t, ret == fallback, "frame %d: verdict %u, want %u", j, ret, fallback);
			if (r->cfg.handoff == VIGIL_HANDOFF_SAMPLE)
				/* this CPU's frame counter after the frame, as the program sees it */
				handed = (frames_before + j + 1) % r->cfg.handoff_n == 0;
			else
				handed = (r->handed_mask >> j) & 1;
			n_handed += handed;
			want_flags = (handed ? VIGIL_META_F_HANDOFF : 0) |
				     (r->arp ? 0 : VIGIL_META_F_ACCOUNTED);
			check(t, flags == want_flags, "frame %d: meta flags %#x, want %#x", j, flags,
			      want_flags);
		}
		if (r->cfg.handoff == VIGIL_HANDOFF_SAMPLE)
			check(t, n_handed == r->frames / (int)r->cfg.handoff_n,
			      "sampled %d of %d", n_handed, r->frames);
		check(t, xdp_stats_read(t->m->stats_fd, after) == 0, "xdp_stats_read");
		check(t, after[VIGIL_STAT_HANDOFF] - before[VIGIL_STAT_HANDOFF] == (uint64_t)n_handed,
		      "HANDOFF grew by %llu, want %d",
		      (unsigned long long)(after[VIGIL_STAT_HANDOFF] - before[VIGIL_STAT_HANDOFF]),
		      n_handed);
		if (!r->arp) {
			model_key(&udp, udp.sport, udp.dport, &key);
			err = read_flow(t->m->flows_fd, &key, &got);
			check(t, err == 0, "flow lookup %d", err);
			check(t, err || got.pkts[0] + got.pkts[1] == (uint64_t)r->frames,
			      "flow pkts %llu", (unsigned long long)(got.pkts[0] + got.pkts[1]));
			check(t, err || got.handed == r->handed_want, "flow handed %u, want %u",
			      got.handed, r->handed_want);
		}
		case_end(t);
	}
}

static void run_misc(struct test_ctx *t)
{
	static uint8_t big[XDP_LOADER_FRAME_MAX + 1];
	int i, j;

	case_begin(t, "frame_too_long_rejected");
	check(t, xdp_loader_run_frame(t->m->prog_fd, big, sizeof(big), 0, NULL, NULL) == -EMSGSIZE,
	      "want -EMSGSIZE");
	case_end(t);

	case_begin(t, "stat_names_unique");
	for (i = 0; i < VIGIL_STAT_MAX; i++) {
		check(t, strcmp(xdp_stat_name(i), "unknown") != 0, "stat %d has no name", i);
		for (j = 0; j < i; j++)
			check(t, strcmp(xdp_stat_name(i), xdp_stat_name(j)) != 0, "stat %d = %d", i, j);
	}
	check(t, strcmp(xdp_stat_name(VIGIL_STAT_MAX), "unknown") == 0, "out of range");
	case_end(t);
}

/* usage: test_xdp [OBJ [percpu|shared]]: every case runs on the table kind given */
int main(int argc, char **argv)
{
	const char *obj = argc > 1 ? argv[1] : VIGIL_BPF_OBJ_PATH;
	bool shared = argc > 2 && !strcmp(argv[2], "shared");
	enum xdp_flow_map kind_got;
	struct test_ctx t = { 0 };
	struct xdp_loader *l = NULL;
	struct vigil_xdp_cfg cfg = { VIGIL_MODE_TAP, VIGIL_HANDOFF_NONE, 0, 0 };
	cpu_set_t set;
	int err, cpu;

	if (geteuid() != 0) {
		printf("SKIP: needs root (BPF_PROG_TEST_RUN, map creation)\n");
		return 77;
	}
	/* one CPU: per-CPU copies and the sampling counter stay predictable */
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");

	err = xdp_loader_open(obj, &l);
	if (err == -ENOSYS) {
		printf("SKIP: kernel without BPF\n");
		return 77;
	}
	if (err) {
		printf("FAIL load %s: %s\n", obj, strerror(-err));
		return 1;
	}
	t.m = xdp_loader_maps(l);
	if (argc > 2 && strcmp(argv[2], "shared") && strcmp(argv[2], "percpu")) {
		printf("FAIL usage: table kind '%s' is neither percpu nor shared\n", argv[2]);
		xdp_loader_free(l);
		return 1;
	}
	printf("flow table: %s\n", shared ? "shared" : "percpu");
	err = xdp_flows_table_open_kind(NULL, NULL, 4096,
					shared ? XDP_FLOW_MAP_SHARED : XDP_FLOW_MAP_PERCPU,
					&t.m->flows_fd, NULL);
	if (!err)
		err = xdp_flows_table_kind(t.m->flows_fd, &kind_got);
	if (!err && kind_got != (shared ? XDP_FLOW_MAP_SHARED : XDP_FLOW_MAP_PERCPU))
		err = -EPROTO;
	if (!err)
		err = xdp_cfg_write(t.m->cfg_fd, &cfg);
	if (err) {
		printf("FAIL setup: %s\n", strerror(-err));
		t.failed++;
		goto cleanup;
	}
	run_frame_rows(&t);
	check_outcomes(&t);
	run_harvest(&t);
	run_handoff_rows(&t);
	run_misc(&t);
cleanup:
	if (t.m && t.m->flows_fd >= 0)
		close(t.m->flows_fd);
	if (t.m)
		t.m->flows_fd = -1;
	xdp_loader_free(l);
	printf("%d passed, %d failed\n", t.passed, t.failed);
	return t.failed ? 1 : 0;
}

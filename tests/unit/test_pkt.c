// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pkt.c: the user-space frame parser (the XDP program's parse.h) on
 * hand-built frames, one row per case: what it must extract, or which reason
 * it must report.
 */
#include <string.h>

#include "pkt.h"
#include "testlib.h"

struct pkt_case {
	const char *name;
	const char *hex;	/* the frame */
	int status;
	uint8_t proto;
	uint16_t sport, dport, vlan;
	uint8_t ip_ver;
	uint8_t dst_last;	/* last byte of the destination address */
	uint16_t poff, plen;	/* the TCP/UDP payload or the ICMP message (0, 0: none) */
};

static int unhex(const char *s, uint8_t *out, int max)
{
	int n = 0;

	while (s[0] && s[1] && n < max) {
		unsigned int v;

		if (s[0] == ' ') {
			s++;
			continue;
		}
		sscanf(s, "%2x", &v);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

struct pkt_field_case {
	const char *name;
	const char *hex;
	unsigned int flags;	/* enum pkt_parse_flag */
	int status;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t dst_last;
	uint8_t ttl;
	uint16_t ip_len, window;
	uint8_t icmp_type, icmp_code, inner;
	uint16_t poff, plen;
};

#define ETH "ffffffffffff 020000000001 "
#define IP4_UDP "4500001c00004000 4011 0000 c6336442 c000020a "
/* IPv4 UDP to 4789, VXLAN (VNI 1), Ethernet, IPv4 (TTL 63) TCP SYN-ACK 8080 -> 80 */
#define VXLAN_TCP "4500005a00004000 4011 0000 c0000201 c0000202 c000 12b5 0046 0000 08000000 00000100 " \
	"020000000002 020000000003 0800 4500002800004000 3f06 0000 0a000001 0a00000b " \
	"1f90 0050 00000001 00000000 5012 0400 0000 0000"

int main(void)
{
	static const struct pkt_case rows[] = {
		{ "ipv4 udp", ETH "0800" IP4_UDP "3039 0035 0008 0000", PKT_OK, 17, 12345, 53, 0, 4, 0x0a },
		{ "ipv4 tcp syn", ETH "0800" "4500002800004000 4006 0000 c6336442 c000020b "
		  "d431 0050 00000001 00000000 5002 ffff 0000 0000", PKT_OK, 6, 54321, 80, 0, 4, 0x0b },
		{ "802.1q ipv4 udp", ETH "8100 0064 0800" IP4_UDP "3039 0035 0008 0000", PKT_OK, 17, 12345, 53, 100, 4,
		  0x0a },
		{ "qinq ipv4 udp", ETH "88a8 00c8 8100 0064 0800" IP4_UDP "3039 0035 0008 0000", PKT_OK, 17, 12345, 53,
		  200, 4, 0x0a },
		{ "ipv6 hop-by-hop then udp", ETH "86dd" "6000000000100001 20010db8000000000000000000000001 "
		  "20010db80000000000000000000000ff " "1100000000000000 " "0400 0035 0008 0000", PKT_OK, 17, 1024, 53,
		  0, 6, 0xff },
		{ "ipv4 options (ihl 6) udp", ETH "0800" "4600002000004000 4011 0000 c6336442 c000020c 01010100 "
		  "3039 0035 0008 0000", PKT_OK, 17, 12345, 53, 0, 4, 0x0c },
		{ "ipv4 non-first fragment: no ports", ETH "0800" "4500001c00000010 4011 0000 c6336442 c000020a "
		  "3039 0035 0008 0000", PKT_OK, 17, 0, 0, 0, 4, 0x0a },
		{ "truncated udp header", ETH "0800" IP4_UDP "3039", PKT_BAD_L4, 17, 0, 0, 0, 4, 0x0a },
		{ "truncated ipv4 header", ETH "0800" "45000014", PKT_BAD_IP4, 0, 0, 0, 0, 0, 0 },
		{ "ipv4 ihl below 5", ETH "0800" "4400001c00004000 4011 0000 c6336442 c000020a", PKT_BAD_IP4, 0, 0, 0,
		  0, 0, 0 },
		{ "runt frame", "ffffffffffff0200", PKT_BAD_ETH, 0, 0, 0, 0, 0, 0 },
		{ "vlan tag cut short", ETH "8100 00", PKT_BAD_VLAN, 0, 0, 0, 0, 0, 0 },
		{ "three vlan tags", ETH "8100 0001 8100 0002 8100 0003 0800" IP4_UDP "3039 0035 0008 0000", PKT_OK,
		  17, 12345, 53, 1, 4, 0x0a },
		{ "five vlan tags: more than XDP walks", ETH "8100 0001 8100 0002 8100 0003 8100 0004 8100 0005 0800"
		  IP4_UDP "3039 0035 0008 0000", PKT_BAD_VLAN, 0, 0, 0, 0, 0, 0 },
		{ "pppoe session ipv4 udp", ETH "8864 1100 0001 0020 0021" "4500001e00004000 4011 0000 c6336442 c000020a "
		  "3039 0035 000a 0000 abcd", PKT_OK, 17, 12345, 53, 0, 4, 0x0a, 50, 2 },
		{ "pppoe, compressed protocol field: ip at an odd offset", ETH "8864 1100 0001 001f 21"
		  "4500001e00004000 4011 0000 c6336442 c000020a 3039 0035 000a 0000 abcd", PKT_OK, 17, 12345, 53, 0, 4,
		  0x0a, 49, 2 },
		{ "pppoe lcp: not ip", ETH "8864 1100 0001 0006 c021 0101 0004", PKT_NON_IP, 0, 0, 0, 0, 0, 0 },
		{ "mpls, two labels, ipv4 udp", ETH "8847 00001040 000021ff" IP4_UDP "3039 0035 0008 0000", PKT_OK, 17,
		  12345, 53, 0, 4, 0x0a },
		{ "ipv6 extension chain past the frame: addresses, no ports", ETH "86dd"
		  "6000000000100011 20010db8000000000000000000000001 20010db80000000000000000000000ff "
		  "11ff000000000000 0400 0035 0008 0000", PKT_BAD_L4, 0, 0, 0, 0, 6, 0xff },
		{ "arp", ETH "0806 0001 0800 0604 0001", PKT_NON_IP, 0, 0, 0, 0, 0, 0 },
		{ "icmp echo: the whole message is the payload", ETH "0800"
		  "4500001c00004000 4001 0000 c6336442 c000020a 0800 0000 0001 0001", PKT_OK, 1, 8, 0, 0, 4, 0x0a, 34, 8 },
		{ "ipv4 tcp data: the IP length ends it, not the Ethernet padding", ETH "0800"
		  "4500002b00004000 4006 0000 c6336442 c000020b d431 0050 00000001 00000000 5018 ffff 0000 0000 "
		  "414243 000000", PKT_OK, 6, 54321, 80, 0, 4, 0x0b, 54, 3 },
		{ "tcp data offset below 5: no payload", ETH "0800"
		  "4500002b00004000 4006 0000 c6336442 c000020b d431 0050 00000001 00000000 4018 ffff 0000 0000 "
		  "414243", PKT_OK, 6, 54321, 80, 0, 4, 0x0b, 0, 0 },
		{ "ipv6 hop-by-hop then tcp data", ETH "86dd" "6000000000200001 20010db8000000000000000000000001 "
		  "20010db80000000000000000000000ff " "0600000000000000 "
		  "0400 0016 00000001 00000000 5018 ffff 0000 0000 53534821", PKT_OK, 6, 1024, 22, 0, 6, 0xff, 82, 4 },
		{ "qinq udp payload", ETH "88a8 00c8 8100 0064 0800" "4500001e00004000 4011 0000 c6336442 c000020a "
		  "3039 0035 000a 0000 abcd", PKT_OK, 17, 12345, 53, 200, 4, 0x0a, 50, 2 },
		{ "ipv4 total length 0 (offload): to the frame's end", ETH "0800"
		  "4500000000004000 4011 0000 c6336442 c000020a 3039 0035 0000 0000 0102030405", PKT_OK, 17, 12345, 53, 0,
		  4, 0x0a, 42, 5 },
	};
	/* the fields added with the shared parser, and inner keying */
	static const struct pkt_field_case fields[] = {
		{ "tcp syn: ttl, length, window", ETH "0800" "4500002800004000 4006 0000 c6336442 c000020b "
		  "d431 0050 00000001 00000000 5002 7210 0000 0000", 0, PKT_OK, 6, 54321, 80, 0x0b, 64, 40, 0x7210 },
		{ "icmp echo: type and code", ETH "0800" "4500001c00004000 3f01 0000 c6336442 c000020a "
		  "0800 0000 0001 0001", 0, PKT_OK, 1, 8, 0, 0x0a, 63, 28, 0, 8, 0, 0, 34, 8 },
		{ "icmp port unreachable", ETH "0800" "4500001c00004000 4001 0000 c6336442 c000020a "
		  "0303 0000 00000000", 0, PKT_OK, 1, 3, 3, 0x0a, 64, 28, 0, 3, 3, 0, 34, 8 },
		{ "icmpv6 echo: hop limit", ETH "86dd" "6000000000083a05 20010db8000000000000000000000001 "
		  "20010db80000000000000000000000ff 8000 0000 0001 0001", 0, PKT_OK, 58, 128, 0, 0xff, 5, 48, 0,
		  128, 0, 0, 54, 8 },
		{ "icmp header cut short: no type in the ports", ETH "0800" "4500001800004000 4001 0000 c6336442 "
		  "c000020a 0800 0000", 0, PKT_BAD_L4, 1, 0, 0, 0x0a, 64, 24 },
		{ "vxlan, outer keying: the outer udp", ETH "0800" VXLAN_TCP, 0, PKT_OK, 17, 49152, 4789, 0x02, 64,
		  90, 0, 0, 0, 0, 42, 62 },
		{ "vxlan, inner keying: the inner tcp", ETH "0800" VXLAN_TCP, PKT_PARSE_INNER, PKT_OK, 6, 8080, 80,
		  0x0b, 63, 40, 0x0400, 0, 0, 1 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct pkt_field_case *c = &fields[i];
		uint8_t frame[256];
		struct pkt_info info;
		int len = unhex(c->hex, frame, sizeof(frame)), st;
		bool ok;

		st = pkt_parse_flags(frame, (uint32_t)len, c->flags, &info);
		ok = st == c->status && info.proto == c->proto && info.src_port == c->sport &&
		     info.dst_port == c->dport && info.dst[15] == c->dst_last && info.ip_ttl == c->ttl &&
		     info.ip_len == c->ip_len && info.tcp_window == c->window && info.icmp_type == c->icmp_type &&
		     info.icmp_code == c->icmp_code && info.inner == c->inner && info.payload_off == c->poff &&
		     info.payload_len == c->plen;
		testlib_case(c->name, ok, "status %s proto %u ports %u>%u dst..%02x ttl %u ip_len %u window %u "
			     "icmp %u/%u inner %u payload %u+%u", pkt_status_name(st), info.proto, info.src_port,
			     info.dst_port, info.dst[15], info.ip_ttl, info.ip_len, info.tcp_window, info.icmp_type,
			     info.icmp_code, info.inner, info.payload_off, info.payload_len);
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct pkt_case *c = &rows[i];
		uint8_t frame[256];
		struct pkt_info info;
		int len = unhex(c->hex, frame, sizeof(frame)), st;
		bool ok;

		st = pkt_parse(frame, (uint32_t)len, &info);
		ok = st == c->status;
		if (ok && (st == PKT_OK || st == PKT_BAD_L4))
			ok = info.proto == c->proto && info.src_port == c->sport && info.dst_port == c->dport &&
			     info.vlan_id == c->vlan && info.ip_ver == c->ip_ver && info.dst[15] == c->dst_last &&
			     info.len == (uint32_t)len && info.payload_off == c->poff && info.payload_len == c->plen;
		testlib_case(c->name, ok, "status %s proto %u ports %u>%u vlan %u ver %u dst..%02x payload %u+%u",
			     pkt_status_name(st), info.proto, info.src_port, info.dst_port, info.vlan_id, info.ip_ver,
			     info.dst[15], info.payload_off, info.payload_len);
	}
	return testlib_done();
}

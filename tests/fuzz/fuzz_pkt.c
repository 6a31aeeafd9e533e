// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_pkt.c: libFuzzer target for pkt_parse(), the frame parser every
 * received packet goes through (the XDP program's parse.h built for user
 * space), with and without inner keying. Besides memory safety it checks the
 * promises pkt.h makes about the result, so a silent misparse also stops the run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_pkt_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void fuzz_pkt_one(const uint8_t *data, uint32_t len, unsigned int flags)
{
	struct pkt_info info;
	int st = pkt_parse_flags(data, len, flags, &info);

	if (st < 0 || st >= PKT_STATUS_MAX || !pkt_status_name(st))
		abort();
	if (info.len != len)
		abort();
	if (st != PKT_OK && st != PKT_BAD_L4)
		return;
	/* info is valid: the IP version is known and IPv4 is stored IPv4-mapped */
	if (info.ip_ver != 4 && info.ip_ver != 6)
		abort();
	if (info.ip_ver == 4 &&
	    (memcmp(info.src, fuzz_pkt_mapped, 12) || memcmp(info.dst, fuzz_pkt_mapped, 12)))
		abort();
	if (info.vlan_id > 0x0fff)
		abort();
	/* a truncated transport header or a later fragment carries no ports */
	if ((st == PKT_BAD_L4 || info.is_fragment) && (info.src_port || info.dst_port || info.tcp_flags))
		abort();
	if (info.tcp_flags && info.proto != 6)
		abort();
	/* a payload lies inside the frame, after the headers: TCP and UDP data, or an ICMP message whole */
	if (info.payload_len && ((uint32_t)info.payload_off + info.payload_len > len || info.payload_off < 14 + 20 ||
				 (info.proto != 6 && info.proto != 17 && info.proto != 1 && info.proto != 58) ||
				 info.is_fragment || st != PKT_OK))
		abort();
	if (info.payload_len && (info.proto == 1 || info.proto == 58) && info.payload_len < 8)
		abort();
	if (!info.payload_len && info.payload_off)
		abort();
	/* the fields added with the shared parser belong to their protocol */
	if ((info.icmp_type || info.icmp_code) && info.proto != 1 && info.proto != 58)
		abort();
	if (info.tcp_window && info.proto != 6)
		abort();
	if (info.inner && !(flags & PKT_PARSE_INNER))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t len = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;

	fuzz_pkt_one(data, len, 0);
	fuzz_pkt_one(data, len, PKT_PARSE_INNER);
	return 0;
}

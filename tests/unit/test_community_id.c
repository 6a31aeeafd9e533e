// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_community_id.c: eve_community_id() against the test vectors published
 * with the Community ID v1 specification (corelight/community-id-spec), both
 * seeds, both directions, IPv4 and IPv6, ports and portless protocols.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "testlib.h"
#include "eve.h"

struct cid_row {
	const char *name;
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint16_t seed;
	const char *want;
};

static const struct cid_row cid_rows[] = {
	{ "tcp seed 0", "1.2.3.4", "5.6.7.8", 1122, 3344, 6, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
	{ "tcp seed 0 reversed", "5.6.7.8", "1.2.3.4", 3344, 1122, 6, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
	{ "udp seed 0", "1.2.3.4", "5.6.7.8", 1122, 3344, 17, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
	{ "udp seed 0 reversed", "5.6.7.8", "1.2.3.4", 3344, 1122, 17, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
	{ "icmp echo seed 0", "1.2.3.4", "5.6.7.8", 8, 0, 1, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
	{ "icmp echo reply seed 0", "5.6.7.8", "1.2.3.4", 0, 0, 1, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
	{ "icmpv6 echo seed 0", "fe80:1:203:405:607:809:a0b:c0d", "fe80:1011:1213:1415:1617:1819:1a1b:1c1d",
	  128, 0, 58, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=" },
	{ "icmpv6 echo reply seed 0", "fe80:1011:1213:1415:1617:1819:1a1b:1c1d", "fe80:1:203:405:607:809:a0b:c0d",
	  129, 0, 58, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=" },
	{ "rsvp (no ports) seed 0", "1.2.3.4", "5.6.7.8", 0, 0, 46, 0, "1:ikv3kmf89luf73WPz1jOs49S768=" },
	{ "tcp seed 1", "1.2.3.4", "5.6.7.8", 1122, 3344, 6, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	{ "udp seed 1", "1.2.3.4", "5.6.7.8", 1122, 3344, 17, 1, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
	{ "icmp echo seed 1", "1.2.3.4", "5.6.7.8", 8, 0, 1, 1, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
	{ "icmpv6 echo seed 1", "fe80:1:203:405:607:809:a0b:c0d", "fe80:1011:1213:1415:1617:1819:1a1b:1c1d",
	  128, 129, 58, 1, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
};

static void cid_addr(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (strchr(s, ':')) {
		inet_pton(AF_INET6, s, out);
		return;
	}
	out[10] = 0xff;
	out[11] = 0xff;
	inet_pton(AF_INET, s, out + 12);
}

int main(void)
{
	uint8_t a[16], b[16];
	char got[EVE_COMMUNITY_ID_LEN];

	for (size_t i = 0; i < sizeof(cid_rows) / sizeof(cid_rows[0]); i++) {
		const struct cid_row *r = &cid_rows[i];
		int rc;

		cid_addr(r->src, a);
		cid_addr(r->dst, b);
		memset(got, 0, sizeof(got));
		rc = eve_community_id(got, sizeof(got), r->seed, a, r->sport, b, r->dport, r->proto);
		testlib_case(r->name, rc == 0 && !strcmp(got, r->want), "rc %d, got '%s', want '%s'", rc, got,
			     r->want);
	}
	cid_addr("1.2.3.4", a);
	cid_addr("fe80::1", b);
	testlib_case("mixed families refused", eve_community_id(got, sizeof(got), 0, a, 1, b, 2, 6) < 0, "accepted");
	testlib_case("short buffer refused", eve_community_id(got, 10, 0, a, 1, a, 2, 6) < 0, "accepted");
	return testlib_done();
}

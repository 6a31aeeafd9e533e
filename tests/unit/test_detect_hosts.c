// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_detect_hosts.c: every detector reports what it holds (metrics'
 * vigil_detector_hosts): after a mix of traffic (scans, sessions inside and
 * out, SSH, DNS) each one that keys state on it says how many keys it tracks,
 * through the registry's one entry point; flood says which are still learning.
 */
#include <stdio.h>
#include <string.h>

#include "detect/detharn.h"
#include "testlib.h"

/* one whole TCP conversation: handshake, a request and its answer, FIN both ways */
static void session(struct harn *h, uint64_t ts, uint32_t cli, uint32_t srv, uint16_t cport, uint16_t sport)
{
	static const uint8_t http[] = "GET / HTTP/1.0\r\n\r\n", ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	const uint8_t *req = sport == 22 ? ssh : http;
	uint32_t rlen = sport == 22 ? sizeof(ssh) - 1 : sizeof(http) - 1;
	uint64_t ms = NS / 1000;

	harn_pkt(h, ts, 6, cli, srv, cport, sport, 0x02, 60, NULL, 0);
	harn_pkt(h, ts + 1 * ms, 6, srv, cli, sport, cport, 0x12, 60, NULL, 0);
	harn_pkt(h, ts + 2 * ms, 6, cli, srv, cport, sport, 0x10, 60, NULL, 0);
	harn_pkt(h, ts + 3 * ms, 6, cli, srv, cport, sport, 0x18, 100, req, rlen);
	harn_pkt(h, ts + 4 * ms, 6, srv, cli, sport, cport, 0x18, 200, req, rlen);
	harn_pkt(h, ts + 5 * ms, 6, cli, srv, cport, sport, 0x11, 60, NULL, 0);
	harn_pkt(h, ts + 6 * ms, 6, srv, cli, sport, cport, 0x11, 60, NULL, 0);
	harn_pkt(h, ts + 7 * ms, 6, cli, srv, cport, sport, 0x10, 60, NULL, 0);
}

int main(void)
{
	struct harn h;
	struct detect_detector_stats st;
	uint64_t t = 1000 * NS;
	static const uint8_t dnsq[] = {		/* a query for a long name under example.com, TXT */
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x20, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
		'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
		0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x10, 0x00, 0x01,
	};

	if (harn_init(&h, "sensor: {home_net: [10.0.0.0/8]}\n") || harn_use_stats(&h)) {
		printf("FAIL harness\n");
		return 1;
	}
	for (int s = 0; s < 5; s++, t += NS) {
		for (uint16_t i = 0; i < 50; i++) {
			uint64_t ts = t + i * (NS / 50);

			harn_pkt(&h, ts, 6, IP4(10, 0, 0, 5), IP4(10, 0, 1, i), 40000 + i, 22, 0x02, 60, NULL, 0);
			harn_pkt(&h, ts, 6, IP4(10, 0, 1, i), IP4(10, 0, 0, 5), 22, 40000 + i, 0x12, 60, NULL, 0);
			harn_pkt(&h, ts, 6, IP4(10, 0, 0, 6), IP4(10, 0, 0, 7), 41000 + i, (uint16_t)(1 + i), 0x02, 60, NULL, 0);
			harn_pkt(&h, ts, 6, IP4(10, 0, 0, 8), IP4(203, 0, 113, 9), 42000 + i, 443, 0x18, 1400, NULL, 0);
			harn_pkt(&h, ts, 6, IP4(203, 0, 113, 9), IP4(10, 0, 0, 8), 443, 42000 + i, 0x10, 60, NULL, 0);
			harn_pkt(&h, ts, 17, IP4(10, 0, 0, 9), IP4(10, 0, 0, 53), 53000 + i, 53, 0, 120, dnsq, sizeof(dnsq));
			session(&h, ts, IP4(10, 0, 0, 10), IP4(10, 0, 0, 20), 43000 + i, 22);
			session(&h, ts, IP4(10, 0, 0, 11), IP4(10, 0, 0, 21), 44000 + i, 445);
			session(&h, ts, IP4(10, 0, 0, 12), IP4(198, 51, 100, 7), 45000 + i, 443);
		}
		detect_tick(h.d, t + NS);
	}
	for (unsigned int id = 0; id < DETECT_MAX; id++) {
		const char *name = detect_info((enum detect_id)id)->name;
		char what[64];

		detect_get_detector_stats(h.d, (enum detect_id)id, &st);
		printf("     %-10s hosts=%llu learning=%llu evictions=%llu restored=%llu\n", name,
		       (unsigned long long)st.hosts, (unsigned long long)st.learning, (unsigned long long)st.evictions,
		       (unsigned long long)st.restored);
		/* anomaly keys only its incidents (what it learns lives in the statistics engine),
		 * lateral only hosts seen doing admin RPC operations, intel only its incidents (the
		 * indicators live in the feeds' set): none in this traffic */
		if (id == DETECT_ANOMALY || id == DETECT_LATERAL || id == DETECT_INTEL) {
			snprintf(what, sizeof(what), "%s: nothing to track in this traffic", name);
			testlib_case(what, st.hosts == 0, "hosts=%llu", (unsigned long long)st.hosts);
			continue;
		}
		snprintf(what, sizeof(what), "%s reports the keys it tracks", name);
		testlib_case(what, st.hosts > 0, "hosts=0");
	}
	detect_get_detector_stats(h.d, DETECT_FLOOD, &st);
	testlib_case("flood: its hosts are still learning after 5 s", st.learning == st.hosts, "learning=%llu",
		     (unsigned long long)st.learning);
	detect_get_detector_stats(h.d, DETECT_MAX, &st);
	testlib_case("an unknown id reads as zero", st.hosts == 0 && st.evictions == 0, "not zero");
	harn_done(&h, t);
	return testlib_done();
}

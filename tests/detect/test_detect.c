// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_detect.c: every detector through the registry on synthetic timelines.
 * Each row is a scenario (a generator and a config) and what must come out:
 * how many incidents of which detector, and what the first one says.
 */
#include <stdlib.h>
#include <string.h>

#include "detharn.h"
#include "testlib.h"

static const uint32_t ATK = IP4(198, 51, 100, 7), VIC = IP4(10, 1, 0, 80), CLI = IP4(10, 1, 1, 10);

/* packets to a destination at pps for secs, from one source or random sources */
static void gen_rate(struct harn *h, uint64_t t0, double secs, double pps, uint8_t proto, uint8_t flags, int spoof)
{
	uint64_t i, n = (uint64_t)(secs * pps);

	for (i = 0; i < n; i++)
		harn_pkt(h, t0 + (uint64_t)(i * 1e9 / pps), proto, spoof ? IP4(100, 64, (i >> 8) & 255, i & 255) : ATK, VIC,
			 (uint16_t)(40000 + i % 20000), 443, flags, 60, NULL, 0);
}

static void g_udpflood(struct harn *h) { gen_rate(h, 100 * NS, 3, 5000, 17, 0, 0); }
static void g_synflood_burst(struct harn *h) { gen_rate(h, 100 * NS, 0.016, 6250, 6, 0x02, 1); }
static void g_synflood_slow(struct harn *h) { gen_rate(h, 100 * NS, 2, 15, 6, 0x02, 1); }
static void g_handshakes(struct harn *h)
{
	/* a busy server: 40 connections a second, each SYN answered by an ACK */
	for (int i = 0; i < 200; i++) {
		uint64_t t = 100 * NS + i * 25000000ULL;

		harn_pkt(h, t, 6, IP4(198, 51, 100, 1 + i % 200), VIC, 40000 + i, 443, 0x02, 60, NULL, 0);
		harn_pkt(h, t + 20000000, 6, IP4(198, 51, 100, 1 + i % 200), VIC, 40000 + i, 443, 0x10, 60, NULL, 0);
	}
}
static void g_portscan(struct harn *h)
{
	for (int p = 1; p <= 100; p++)
		harn_pkt(h, 100 * NS + p * 1000000ULL, 6, ATK, VIC, 40000, (uint16_t)p, 0x02, 60, NULL, 0);
}
static void g_icmp_fingerprint(struct harn *h)
{
	static const uint8_t kinds[][2] = { { 8, 0 }, { 13, 0 }, { 17, 0 }, { 15, 0 }, { 8, 1 } };

	for (unsigned int i = 0; i < 5; i++)
		harn_pkt(h, 100 * NS + i * NS, 1, ATK, VIC, kinds[i][0], kinds[i][1], 0, 60, NULL, 0);
}
static void g_sweep(struct harn *h)
{
	for (int i = 1; i <= 40; i++)
		harn_pkt(h, 100 * NS + i * 10000000ULL, 1, CLI, IP4(10, 1, 2, i), 8, 0, 0, 60, NULL, 0);
}
static void g_web_client(struct harn *h)
{
	/* one client opening HTTPS to 40 outside servers: answered, and not home_net */
	for (int i = 1; i <= 40; i++)
		harn_pkt(h, 100 * NS + i * 100000000ULL, 6, CLI, IP4(203, 0, 113, i), 50000 + i, 443, 0x02, 60, NULL, 0);
}
static void g_brute(struct harn *h)
{
	for (int i = 0; i < 20; i++)
		harn_pkt(h, 100 * NS + i * 250000000ULL, 6, ATK, VIC, 40000 + i, 22, 0x02, 60, NULL, 0);
}
static void g_exfil(struct harn *h)
{
	for (int i = 0; i < 6000; i++)
		harn_pkt(h, 100 * NS + i * 500000ULL, 6, CLI, IP4(203, 0, 113, 9), 50000, 443, 0x18, 1514, NULL, 0);
}
static void g_beacon(struct harn *h)
{
	for (int i = 0; i < 12; i++)
		harn_pkt(h, 100 * NS + i * 30 * NS + (i % 3) * 100000000ULL, 6, CLI, IP4(203, 0, 113, 66), 50000 + i, 8443,
			 0x02, 60, NULL, 0);
}
static void g_smb_keepalive(struct harn *h)
{
	/* the same regularity inside home_net (to the DC) and NTP outside: not C2 */
	for (int i = 0; i < 12; i++) {
		harn_pkt(h, 100 * NS + i * 60 * NS, 6, CLI, IP4(10, 1, 0, 5), 50000 + i, 445, 0x02, 60, NULL, 0);
		harn_pkt(h, 100 * NS + i * 64 * NS, 17, CLI, IP4(198, 51, 100, 123), 123, 123, 0, 90, NULL, 0);
	}
}
static void g_dns(struct harn *h, int tunnel)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

	for (int i = 0; i < 60; i++) {
		uint8_t m[128] = { 0x12, 0x34, 0x01, 0, 0, 1 };
		char lab[41];
		unsigned int n = 12;

		for (int j = 0; j < 40; j++)
			lab[j] = b32[(i * 7 + j * 13 + (i * j)) % 32];
		lab[40] = 0;
		const char *parts[] = { tunnel ? lab : "www", "example", "com" };
		for (int k = 0; k < 3; k++) {
			m[n++] = (uint8_t)strlen(parts[k]);
			memcpy(m + n, parts[k], strlen(parts[k]));
			n += (unsigned int)strlen(parts[k]);
		}
		m[n++] = 0;
		m[n++] = 0;
		m[n++] = 1;
		m[n++] = 0;
		m[n++] = 1;
		harn_pkt(h, 100 * NS + i * 200000000ULL, 17, CLI, IP4(10, 1, 0, 2), 50000 + i, 53, 0, n + 42, m, n);
	}
}
static void g_dns_tunnel(struct harn *h) { g_dns(h, 1); }
static void g_dns_benign(struct harn *h) { g_dns(h, 0); }
static void g_newservice(struct harn *h)
{
	/* learning: the host only serves 22; later it answers on 4444 */
	for (int i = 0; i < 10; i++)
		harn_pkt(h, 10 * NS + i * NS, 6, CLI, ATK, 22, 40000 + i, 0x12, 60, NULL, 0);
	for (int i = 0; i < 5; i++)
		harn_pkt(h, 800 * NS + i * NS, 6, CLI, ATK, 4444, 40000 + i, 0x12, 60, NULL, 0);
}
static void g_anomaly(struct harn *h)
{
	/* 400 s at ~2 pps, then 300 pps to two internal peers */
	for (int i = 0; i < 800; i++)
		harn_pkt(h, 10 * NS + i * 500000000ULL, 6, CLI, IP4(10, 1, 0, 6), 50000, 445, 0x18, 200, NULL, 0);
	for (int i = 0; i < 1500; i++)
		harn_pkt(h, 420 * NS + i * 3333333ULL, 6, CLI, IP4(10, 1, 0, 5 + i % 2), 50000, 445, 0x18, 200, NULL, 0);
}
static void g_backwards_time(struct harn *h)
{
	/* a SYN burst whose timestamps run backwards half way, then jump back years */
	for (int i = 0; i < 100; i++)
		harn_pkt(h, (i < 50 ? 100 * NS + i * 100000ULL : 100 * NS - i * 1000ULL), 6, IP4(100, 64, 0, i), VIC,
			 40000, 443, 0x02, 60, NULL, 0);
	harn_pkt(h, 5 * NS, 6, ATK, VIC, 1, 443, 0x10, 60, NULL, 0);
}

struct row {
	const char *name;
	void (*gen)(struct harn *h);
	const char *yaml;
	enum detect_id det;
	unsigned int want_starts;
	const char *metric;	/* the first start's metric, NULL: don't check */
	int dst_victim;		/* 1: the first start's dst is VIC */
	double max_delay_s;	/* first start within this of the first packet (0: don't check) */
};


static const struct row rows[] = {
	{ "flood: 5000 pps udp", g_udpflood, NULL, DETECT_FLOOD, 1, "pps", 1, 1.01 },
	{ "synflood: 100 spoofed SYNs in 16 ms", g_synflood_burst, NULL, DETECT_SYNFLOOD, 1, "half_open_syn_per_s", 1, 2 },
	{ "synflood: 15 SYN/s never answered", g_synflood_slow, NULL, DETECT_SYNFLOOD, 1, "half_open_syn_per_s", 1, 2 },
	{ "synflood: answered handshakes are not", g_handshakes, NULL, DETECT_SYNFLOOD, 0, NULL, 0, 0 },
	{ "portscan: 100 ports in 0.1 s", g_portscan, NULL, DETECT_PORTSCAN, 1, "distinct_ports", 1, 0.1 },
	{ "portscan: allow_cidrs silences it", g_portscan, "detectors:\n  portscan:\n    allow_cidrs: [198.51.100.0/24]\n",
	  DETECT_PORTSCAN, 0, NULL, 0, 0 },
	{ "portscan: icmp fingerprinting", g_icmp_fingerprint, NULL, DETECT_PORTSCAN, 1, "distinct_icmp_types", 1, 4 },
	{ "hostsweep: 40 hosts pinged", g_sweep, NULL, DETECT_HOSTSWEEP, 1, "distinct_hosts", 0, 0.2 },
	{ "hostsweep: web client is not", g_web_client, NULL, DETECT_HOSTSWEEP, 0, NULL, 0, 0 },
	{ "portscan: web client is not", g_web_client, NULL, DETECT_PORTSCAN, 0, NULL, 0, 0 },
	{ "bruteforce: 4 ssh connections/s", g_brute, NULL, DETECT_BRUTEFORCE, 1, "connections_per_window", 1, 2 },
	{ "bruteforce: allow_ports silences it", g_brute, "detectors:\n  bruteforce:\n    allow_ports: [\"20-22\"]\n",
	  DETECT_BRUTEFORCE, 0, NULL, 0, 0 },
	{ "exfil: 3 MB/s outbound", g_exfil, NULL, DETECT_EXFIL, 1, "bytes_out_per_s", 0, 1 },
	{ "beacon: every 30 s outside", g_beacon, NULL, DETECT_BEACON, 1, "interval_cv", 0, 0 },
	{ "beacon: smb to dc and ntp are not", g_smb_keepalive, NULL, DETECT_BEACON, 0, NULL, 0, 0 },
	{ "dnstunnel: 40-char names under one domain", g_dns_tunnel, NULL, DETECT_DNSTUNNEL, 1, "unique_subdomains", 0, 4.5 },
	{ "dnstunnel: www lookups are not", g_dns_benign, NULL, DETECT_DNSTUNNEL, 0, NULL, 0, 0 },
	{ "newservice: serving 4444 after learning", g_newservice, NULL, DETECT_NEWSERVICE, 1, "new_served_port", 0, 0 },
	{ "anomaly: 150x the host's rate", g_anomaly, NULL, DETECT_ANOMALY, 1, "pps_out", 0, 0 },
	{ "time: reordered burst still one synflood", g_backwards_time, NULL, DETECT_SYNFLOOD, 1, NULL, 1, 0 },
	{ "action: block is carried", g_portscan, "detectors:\n  portscan:\n    action: block\n", DETECT_PORTSCAN, 1, NULL, 1, 0 },
};

static void run_row(const struct row *r)
{
	struct harn *h = calloc(1, sizeof(*h));
	const struct detect_incident *f;
	uint8_t vic[16];
	char name[160];

	if (!h || harn_init(h, r->yaml)) {
		testlib_case(r->name, false, "setup failed");
		free(h);
		return;
	}
	r->gen(h);
	harn_done(h, 10000 * NS);
	snprintf(name, sizeof(name), "%s: %u incident(s)", r->name, r->want_starts);
	testlib_case(name, h->starts[r->det] == r->want_starts, "got %u", h->starts[r->det]);
	snprintf(name, sizeof(name), "%s: every start ends", r->name);
	testlib_case(name, h->starts[r->det] == h->ends[r->det], "%u starts, %u ends", h->starts[r->det], h->ends[r->det]);
	f = harn_first(h, r->det);
	if (f && r->metric) {
		snprintf(name, sizeof(name), "%s: metric %s", r->name, r->metric);
		testlib_case(name, f->metric && !strcmp(f->metric, r->metric), "got %s", f->metric ? f->metric : "(null)");
	}
	if (f && r->dst_victim) {
		harn_ip(vic, VIC);
		snprintf(name, sizeof(name), "%s: names the victim", r->name);
		testlib_case(name, !memcmp(f->dst, vic, 16), "dst differs");
	}
	if (f && r->max_delay_s > 0) {
		double d = ((double)f->ts_ns - 100e9) / 1e9;

		snprintf(name, sizeof(name), "%s: alert within %.2f s", r->name, r->max_delay_s);
		testlib_case(name, d <= r->max_delay_s, "after %.3f s", d);
	}
	if (f && r->yaml && strstr(r->yaml, "block")) {
		testlib_case("action: block reaches the incident", f->action == CONFIG_ACTION_BLOCK, "action %d", f->action);
	}
	free(h);
}

static void test_threshold(void)
{
	static const struct {
		double floor, learned, frac;
		bool learning;
		double want;
	} t[] = {
		{ 1000, 50, 0.25, true, 1000 },		/* learning: the floor alone */
		{ 1000, 5000, 0.25, false, 1000 },	/* a noisy host never raises the bar */
		{ 1000, 600, 0.25, false, 600 },	/* a quiet host lowers it */
		{ 1000, 10, 0.25, false, 250 },		/* ... but not below the fraction */
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char name[96];
		double got = detect_threshold(t[i].floor, t[i].learning, t[i].learned, t[i].frac);

		snprintf(name, sizeof(name), "threshold rule row %u = %.0f", i, t[i].want);
		testlib_case(name, got == t[i].want, "got %f", got);
	}
}

static void test_bad_port(void)
{
	struct harn *h = calloc(1, sizeof(*h));

	testlib_case("allow_ports 'ssh' is rejected", h && harn_init(h, "detectors:\n  portscan:\n    allow_ports: [ssh]\n") != 0,
		     "accepted");
	if (h && h->d)
		detect_free(h->d);
	free(h);
}

static void test_registry(void)
{
	uint32_t sids[DETECT_MAX];
	bool ok = true;

	for (unsigned int i = 0; i < DETECT_MAX; i++) {
		const struct detect_info *di = detect_info((enum detect_id)i);

		sids[i] = di->signature_id;
		ok &= detect_lookup(di->name) == (enum detect_id)i && di->severity >= 1 && di->severity <= 3;
		for (unsigned int j = 0; j < i; j++)
			ok &= sids[j] != sids[i];
	}
	testlib_case("registry: names, unique signature ids, severities", ok, "bad row");
	testlib_case("registry: flood keeps sid 9100001", detect_info(DETECT_FLOOD)->signature_id == 9100001, "changed");
}

int main(void)
{
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	test_threshold();
	test_bad_port();
	test_registry();
	return testlib_done();
}

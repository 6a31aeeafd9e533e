// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_intel.c: what the intel feeds cost the sensor's user space today:
 * parsing 1 M IPv4 + 100 k IPv6 prefixes (random, seeded), the memory they
 * take, and the lookup the intel detector makes for each end of a new
 * conversation, against an empty feed in the same run: addresses that miss
 * (the common new flow) and addresses inside a listed prefix (a hit).
 * Usage: bench_intel [V4 V6 LOOKUPS]. Prints "key=value" lines.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "clock.h"
#include "intel_feed.h"

static uint64_t bench_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t bench_next(void)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return bench_rng;
}

static double bench_now(void)
{
	return (double)clock_mono_ns() / 1e9;
}

/* ns per lookup of n addresses (16 bytes each) against f; *hits counts the matches */
static double bench_lookups(const struct intel_feed *f, const uint8_t *addrs, size_t n, size_t *hits)
{
	double t0 = bench_now();
	size_t i, h = 0;

	for (i = 0; i < n; i++)
		h += intel_feed_match_addr(f, addrs + 16 * i) != NULL;
	*hits = h;
	return (bench_now() - t0) * 1e9 / (double)n;
}

int main(int argc, char **argv)
{
	size_t n4 = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, n6 = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	size_t nl = argc > 3 ? strtoul(argv[3], NULL, 10) : 2000000, i, len = 0, cap = (n4 + n6) * 48 + 64, hits;
	char *text = malloc(cap);
	uint8_t *miss = malloc(16 * nl), *hit = malloc(16 * nl);
	uint32_t *listed = malloc(sizeof(uint32_t) * (n4 ? n4 : 1));
	struct intel_feed *empty, *full;
	struct intel_feed_error err;
	struct mallinfo2 m0, m1;
	double t0, parse_s, e_miss, f_miss, e_hit, f_hit;

	if (!text || !miss || !hit || !listed)
		return 1;
	/* IPv4: /24s and /32s in 11.0.0.0/8 .. 126.0.0.0/8 (the lookups that miss come from 1.0.0.0/8) */
	for (i = 0; i < n4; i++) {
		uint32_t a = (uint32_t)(11 + bench_next() % 116) << 24 | (uint32_t)(bench_next() & 0xffffff);
		bool host = i % 4 == 0;

		listed[i] = host ? a : a & 0xffffff00u;
		len += (size_t)snprintf(text + len, cap - len, "%u.%u.%u.%u%s\n", a >> 24, (a >> 16) & 0xff,
					(a >> 8) & 0xff, a & 0xff, host ? "" : "/24");
	}
	for (i = 0; i < n6; i++)
		len += (size_t)snprintf(text + len, cap - len, "2001:db8:%x:%x::/64\n", (unsigned int)(bench_next() & 0xffff),
					(unsigned int)(bench_next() & 0xffff));
	m0 = mallinfo2();
	t0 = bench_now();
	if (intel_feed_parse("bench", text, len, INTEL_FORMAT_IP, NULL, &full, &err)) {
		fprintf(stderr, "bench_intel: %s\n", err.msg);
		return 1;
	}
	parse_s = bench_now() - t0;
	m1 = mallinfo2();
	if (intel_feed_parse("empty", "", 0, INTEL_FORMAT_IP, NULL, &empty, &err))
		return 1;
	for (i = 0; i < nl; i++) {
		size_t j = bench_next() % (n4 ? n4 : 1);
		uint32_t a = 1u << 24 | (uint32_t)(bench_next() & 0xffffff), b = listed[j];

		memset(miss + 16 * i, 0, 16);
		miss[16 * i + 10] = miss[16 * i + 11] = 0xff;
		miss[16 * i + 12] = (uint8_t)(a >> 24);
		miss[16 * i + 13] = (uint8_t)(a >> 16);
		miss[16 * i + 14] = (uint8_t)(a >> 8);
		miss[16 * i + 15] = (uint8_t)a;
		if (j % 4)
			b |= (uint32_t)(bench_next() & 0xff);	/* inside the /24 */
		memcpy(hit + 16 * i, miss + 16 * i, 12);
		hit[16 * i + 12] = (uint8_t)(b >> 24);
		hit[16 * i + 13] = (uint8_t)(b >> 16);
		hit[16 * i + 14] = (uint8_t)(b >> 8);
		hit[16 * i + 15] = (uint8_t)b;
	}
	/* warm up, then measure empty and loaded alternately, best of three each */
	bench_lookups(full, miss, nl / 4, &hits);
	e_miss = f_miss = e_hit = f_hit = 1e30;
	for (i = 0; i < 3; i++) {
		double v;

		v = bench_lookups(empty, miss, nl, &hits);
		e_miss = v < e_miss ? v : e_miss;
		v = bench_lookups(full, miss, nl, &hits);
		f_miss = v < f_miss ? v : f_miss;
		if (hits)
			fprintf(stderr, "bench_intel: %zu misses matched\n", hits);
		v = bench_lookups(empty, hit, nl, &hits);
		e_hit = v < e_hit ? v : e_hit;
		v = bench_lookups(full, hit, nl, &hits);
		f_hit = v < f_hit ? v : f_hit;
		if (hits != nl)
			fprintf(stderr, "bench_intel: only %zu of %zu hits matched\n", hits, nl);
	}
	printf("userspace prefixes_v4=%u prefixes_v6=%u parse_s=%.2f mem_mib=%.1f\n", intel_feed_count(full, INTEL_TYPE_IPV4),
	       intel_feed_count(full, INTEL_TYPE_IPV6), parse_s,
	       (double)(m1.uordblks + m1.hblkhd - m0.uordblks - m0.hblkhd) / (1024.0 * 1024.0));
	printf("userspace lookup per end of a new flow (miss): ns_empty=%.1f ns_loaded=%.1f ratio=%.2f\n", e_miss, f_miss, f_miss / e_miss);
	printf("userspace lookup of a listed address (hit): ns_empty=%.1f ns_loaded=%.1f ratio=%.2f\n", e_hit, f_hit, f_hit / e_hit);
	intel_feed_free(full);
	intel_feed_free(empty);
	free(text);
	free(miss);
	free(hit);
	free(listed);
	return 0;
}

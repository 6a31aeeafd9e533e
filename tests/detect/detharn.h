/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * detharn.h: a harness for the detector tests: builds pkt_info records from a
 * compact description, feeds them through the registry (detect_packet) with a
 * chosen config, and collects the incidents that come out.
 */
#ifndef VIGIL_TEST_DETHARN_H
#define VIGIL_TEST_DETHARN_H

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "detect.h"
#include "stats.h"

#define NS 1000000000ULL

enum { HARN_MAX = 64 };

struct harn {
	struct config cfg;
	struct detect *d;
	struct stats *stats;		/* the statistics engine, when the test asks for it (harn_use_stats) */
	unsigned int n;
	struct detect_incident inc[HARN_MAX];
	unsigned int starts[DETECT_MAX], updates[DETECT_MAX], ends[DETECT_MAX];
};

static inline void harn_on(void *ctx, const struct detect_incident *inc)
{
	struct harn *h = ctx;

	if (inc->state == DETECT_START)
		h->starts[inc->det]++;
	else if (inc->state == DETECT_UPDATE)
		h->updates[inc->det]++;
	else
		h->ends[inc->det]++;
	if (h->n < HARN_MAX)
		h->inc[h->n++] = *inc;
}

/* a.b.c.d as an IPv4-mapped address */
static inline void harn_ip(uint8_t a[16], uint32_t v)
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)(v >> 24);
	a[13] = (uint8_t)(v >> 16);
	a[14] = (uint8_t)(v >> 8);
	a[15] = (uint8_t)v;
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Defaults, then yaml over them (NULL: none); 0 or -1 on a bad config. */
static inline int harn_init(struct harn *h, const char *yaml)
{
	struct config_error err;

	memset(h, 0, sizeof(*h));
	config_defaults(&h->cfg);
	if (yaml && config_load_string(&h->cfg, "test", yaml, strlen(yaml), &err)) {
		printf("config: %s\n", err.msg);
		return -1;
	}
	h->d = detect_new(&h->cfg, harn_on, h);
	return h->d ? 0 : -1;
}

/* Feed frames through the statistics engine too (as the pipeline does), with its default settings. */
static inline int harn_use_stats(struct harn *h)
{
	struct stats_cfg sc;

	stats_cfg_default(&sc);
	sc.hosts = 1024, sc.sockets = 4096;
	h->stats = stats_new(&sc);
	if (!h->stats)
		return -1;
	detect_set_stats(h->d, h->stats);
	return 0;
}

static inline void harn_pkt(struct harn *h, uint64_t ts, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport,
			    uint16_t dport, uint8_t flags, uint32_t len, const uint8_t *payload, uint32_t plen)
{
	struct pkt_info pi = { 0 };
	struct detect_pkt p = { .ts_ns = ts, .pi = &pi, .payload = payload, .payload_len = plen };
	struct stats_result res;

	harn_ip(pi.src, src);
	harn_ip(pi.dst, dst);
	pi.proto = proto;
	pi.ip_ver = 4;
	pi.src_port = sport;
	pi.dst_port = dport;
	pi.tcp_flags = flags;
	pi.len = len ? len : 60;
	if (h->stats) {
		int rc = PKT_OK;

		stats_burst(h->stats, &pi, &rc, &ts, 1, &res);
		p.res = &res;
	}
	detect_packet(h->d, &p);
}

static inline void harn_done(struct harn *h, uint64_t ts)
{
	detect_finish(h->d, ts);
	detect_free(h->d);
	h->d = NULL;
	stats_free(h->stats);
	h->stats = NULL;
}

/* the first start event of detector id, or NULL */
static inline const struct detect_incident *harn_first(const struct harn *h, enum detect_id id)
{
	unsigned int i;

	for (i = 0; i < h->n; i++)
		if (h->inc[i].det == id && h->inc[i].state == DETECT_START)
			return &h->inc[i];
	return NULL;
}

#endif

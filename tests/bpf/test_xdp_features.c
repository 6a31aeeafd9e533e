// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xdp_features.c: the XDP program's modes beyond plain accounting, through
 * BPF_PROG_TEST_RUN on the real object: blocklist, new-flow gate, inner keying
 * of tunnels, inline redirect, replay wire length. One row per case.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_loader.h"

struct feat_ctx {
	struct xdp_loader *l;
	struct xdp_maps *m;
	int flows_fd;
	int passed, failed;
	bool ok;
};

static void check(struct feat_ctx *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	t->ok = false;
	va_start(ap, fmt);
	printf("    ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet + IPv4 + UDP (sport, dport) + payload bytes; returns the length */
static uint32_t udp4(uint8_t *b, const char *src, const char *dst, uint16_t sport, uint16_t dport,
		     uint32_t payload)
{
	struct in_addr a;

	memset(b, 0, 14 + 28 + payload);
	b[0] = 2;
	b[6] = 2;
	put16(b + 12, 0x0800);
	b[14] = 0x45;
	put16(b + 16, 28 + payload);
	b[22] = 64;
	b[23] = 17;
	inet_pton(AF_INET, src, &a);
	memcpy(b + 26, &a, 4);
	inet_pton(AF_INET, dst, &a);
	memcpy(b + 30, &a, 4);
	put16(b + 34, sport);
	put16(b + 36, dport);
	put16(b + 38, 8 + payload);
	return 14 + 28 + payload;
}

static void key4(struct vigil_flow_key *k, const char *a, uint16_t pa, const char *b, uint16_t pb,
		 uint8_t proto)
{
	struct in_addr x;

	memset(k, 0, sizeof(*k));
	k->addr_a[10] = k->addr_a[11] = 0xff;
	k->addr_b[10] = k->addr_b[11] = 0xff;
	inet_pton(AF_INET, a, &x);
	memcpy(k->addr_a + 12, &x, 4);
	inet_pton(AF_INET, b, &x);
	memcpy(k->addr_b + 12, &x, 4);
	k->port_a = pa;
	k->port_b = pb;
	k->proto = proto;
	k->ip_ver = 4;
}

static int flow_get(struct feat_ctx *t, const struct vigil_flow_key *k, struct vigil_flow *out)
{
	int ncpu = xdp_flows_table_copies(t->flows_fd);	/* 1 for a shared table */
	size_t stride = (sizeof(struct vigil_flow) + 7) & ~(size_t)7;
	void *vals;
	int err;

	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)ncpu, stride);
	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(t->flows_fd, k, vals);
	if (!err)
		xdp_flow_sum(vals, (unsigned int)ncpu, stride, out);
	free(vals);
	return err;
}

static int cfg_set(struct feat_ctx *t, uint32_t mode, uint32_t flags, uint64_t new_flow_ns)
{
	struct vigil_xdp_cfg c = { .mode = mode, .handoff = VIGIL_HANDOFF_NONE, .flags = flags,
				   .new_flow_ns = new_flow_ns };

	return xdp_cfg_write(t->m->cfg_fd, &c);
}

static int run(struct feat_ctx *t, const uint8_t *f, uint32_t len, uint32_t wire, uint64_t ts,
	       uint32_t *ret, uint16_t *flags)
{
	return xdp_loader_run_frame_wire(t->m->prog_fd, f, len, wire, ts, ret, flags);
}

static void stats(struct feat_ctx *t, uint64_t *s)
{
	check(t, xdp_stats_read(t->m->stats_fd, s) == 0, "xdp_stats_read");
}

/* blocklist: parse/format, add, drop + count + no flow, list with hits, remove */
static void case_blocklist(struct feat_ctx *t)
{
	struct vigil_block_key k, keys[4];
	struct vigil_flow_key fk;
	struct vigil_flow fl;
	uint64_t before[VIGIL_STAT_MAX], after[VIGIL_STAT_MAX], hits[4];
	uint8_t f[256];
	char buf[64];
	uint32_t len, ret;
	uint16_t flags;
	size_t n;

	check(t, cfg_set(t, VIGIL_MODE_INLINE, 0, 0) == 0, "cfg");
	check(t, xdp_block_parse("192.0.2.77/24", &k) == 0 && k.prefixlen == 120, "parse v4");
	check(t, xdp_block_parse("2001:db8::/32", &keys[0]) == 0 && keys[0].prefixlen == 32,
	      "parse v6");
	check(t, xdp_block_parse("10.0.0.0/33", &keys[1]) == -EINVAL, "parse /33 refused");
	check(t, xdp_block_parse("nonsense", &keys[1]) == -EINVAL, "parse nonsense refused");
	check(t, xdp_block_add(t->m, &k) == 0, "add");
	check(t, xdp_block_add(t->m, &keys[0]) == 0, "add v6");
	check(t, xdp_block_list(t->m->block_fd, keys, hits, 4, &n) == 0 && n == 2, "list 2");
	check(t, xdp_block_format(&k, buf, sizeof(buf)) == 0 && !strcmp(buf, "192.0.2.77/24"),
	      "format keeps what it was given: %s", buf);

	stats(t, before);
	len = udp4(f, "198.51.100.1", "192.0.2.200", 1000, 53, 10);	/* destination blocked */
	check(t, run(t, f, len, 0, 1000, &ret, &flags) == 0, "run");
	check(t, ret == XDP_DROP && flags == VIGIL_META_F_BLOCKED, "inline, blocked: drop (%u %#x)",
	      ret, flags);
	len = udp4(f, "192.0.2.9", "198.51.100.1", 1000, 53, 10);	/* source blocked */
	check(t, run(t, f, len, 0, 1001, &ret, &flags) == 0 && ret == XDP_DROP, "source blocked");
	len = udp4(f, "192.0.3.1", "198.51.100.1", 1000, 53, 10);	/* next /24: passes */
	check(t, run(t, f, len, 0, 1002, &ret, &flags) == 0 && ret == XDP_PASS &&
		 flags == VIGIL_META_F_ACCOUNTED, "outside the prefix passes (%u %#x)", ret, flags);
	stats(t, after);
	check(t, after[VIGIL_STAT_BLOCKED] - before[VIGIL_STAT_BLOCKED] == 2, "blocked += 2");
	check(t, after[VIGIL_STAT_ACCOUNTED] - before[VIGIL_STAT_ACCOUNTED] == 1, "accounted += 1");
	key4(&fk, "192.0.2.200", 53, "198.51.100.1", 1000, 17);
	check(t, flow_get(t, &fk, &fl) == -ENOENT, "a blocked frame is in no flow");
	check(t, xdp_block_list(t->m->block_fd, keys, hits, 4, &n) == 0, "list");
	for (size_t i = 0; i < n; i++)
		if (keys[i].prefixlen == 120)
			check(t, hits[i] == 2, "prefix hits %llu, want 2", (unsigned long long)hits[i]);
	check(t, xdp_block_list(t->m->block_fd, keys, hits, 1, &n) == -ENOSPC, "list past max");

	check(t, xdp_block_remove(t->m, &k) == 0, "remove");
	check(t, xdp_block_remove(t->m, &k) == -ENOENT, "remove twice: -ENOENT");
	len = udp4(f, "198.51.100.1", "192.0.2.200", 1000, 53, 10);
	check(t, run(t, f, len, 0, 1003, &ret, &flags) == 0 && ret == XDP_PASS, "removed: passes");
	xdp_block_parse("2001:db8::/32", &k);
	check(t, xdp_block_remove(t->m, &k) == 0, "remove v6");
	{
		struct vigil_xdp_cfg c;
		__u32 zero = 0;

		check(t, bpf_map_lookup_elem(t->m->cfg_fd, &zero, &c) == 0 &&
			 !(c.flags & VIGIL_CFG_F_BLOCKLIST), "last one out clears the flag");
	}
}

/* gate: closed after its burst; new flows go to a per-destination aggregate */
static void case_gate(struct feat_ctx *t)
{
	uint64_t before[VIGIL_STAT_MAX], after[VIGIL_STAT_MAX];
	struct vigil_flow_key agg;
	struct vigil_flow fl;
	uint8_t f[256];
	uint32_t len, ret, i, bytes = 0;
	uint16_t flags;
	char src[32];
	/* 1 new flow per 100 ms, bursts of 1 s: 10 admitted at one instant */
	const uint64_t ts = 5000000000000ull;

	check(t, cfg_set(t, VIGIL_MODE_TAP, 0, 100000000ull) == 0, "cfg");
	stats(t, before);
	for (i = 0; i < 30; i++) {
		snprintf(src, sizeof(src), "203.0.113.%u", i + 1);
		len = udp4(f, src, "198.51.100.99", 2000 + i, 80, i);
		bytes += i >= 11 ? len : 0;
		check(t, run(t, f, len, 0, ts, &ret, &flags) == 0, "run");
	}
	stats(t, after);
	check(t, after[VIGIL_STAT_FLOW_NEW] - before[VIGIL_STAT_FLOW_NEW] == 12,
	      "11 admitted flows + 1 aggregate, got %llu",
	      (unsigned long long)(after[VIGIL_STAT_FLOW_NEW] - before[VIGIL_STAT_FLOW_NEW]));
	check(t, after[VIGIL_STAT_GATED] - before[VIGIL_STAT_GATED] == 19, "19 gated, got %llu",
	      (unsigned long long)(after[VIGIL_STAT_GATED] - before[VIGIL_STAT_GATED]));
	check(t, after[VIGIL_STAT_ACCOUNTED] - before[VIGIL_STAT_ACCOUNTED] == 30, "all 30 accounted");
	memset(&agg, 0, sizeof(agg));
	key4(&agg, "0.0.0.0", 0, "198.51.100.99", 80, 17);
	memset(agg.addr_a, 0, 16);
	agg.flags = VIGIL_KEY_F_AGGREGATE;
	check(t, flow_get(t, &agg, &fl) == 0, "aggregate present");
	/* the 12th frame (i = 11) found the gate closed and created the aggregate
	 * itself: it is counted there as well */
	check(t, fl.pkts[0] == 19 && fl.bytes[0] == bytes, "aggregate holds the 19 gated frames "
	      "(%llu pkts, %llu bytes, want %u)", (unsigned long long)fl.pkts[0],
	      (unsigned long long)fl.bytes[0], bytes);
	/* a second later the gate has reopened */
	len = udp4(f, "203.0.113.200", "198.51.100.99", 3000, 80, 0);
	check(t, run(t, f, len, 0, ts + 2000000000ull, &ret, &flags) == 0 &&
		 !(flags & VIGIL_META_F_GATED), "gate reopens (%#x)", flags);
}

/* VXLAN: outer by default, inner with the switch; a cut inner header falls back */
static void case_tunnel(struct feat_ctx *t)
{
	struct vigil_flow_key k;
	struct vigil_flow fl;
	uint64_t before[VIGIL_STAT_MAX], after[VIGIL_STAT_MAX];
	uint8_t f[512], inner[256];
	uint32_t ilen, len, ret;
	uint16_t flags;

	ilen = udp4(inner, "10.20.0.1", "10.20.0.2", 4444, 5555, 4);
	len = udp4(f, "172.31.0.1", "172.31.0.2", 49152, 4789, 8 + ilen);
	f[42] = 0x08;	/* VXLAN I flag */
	memcpy(f + 50, inner, ilen);

	check(t, cfg_set(t, VIGIL_MODE_TAP, 0, 0) == 0, "cfg");
	check(t, run(t, f, len, 0, 2000, &ret, &flags) == 0 && !(flags & VIGIL_META_F_INNER),
	      "outer by default");
	key4(&k, "172.31.0.1", 49152, "172.31.0.2", 4789, 17);
	check(t, flow_get(t, &k, &fl) == 0 && fl.pkts[0] == 1, "outer UDP flow");

	check(t, cfg_set(t, VIGIL_MODE_TAP, VIGIL_CFG_F_TUNNEL_INNER, 0) == 0, "cfg inner");
	stats(t, before);
	check(t, run(t, f, len, 0, 2001, &ret, &flags) == 0 && (flags & VIGIL_META_F_INNER),
	      "inner keying flag (%#x)", flags);
	key4(&k, "10.20.0.1", 4444, "10.20.0.2", 5555, 17);
	check(t, flow_get(t, &k, &fl) == 0 && fl.pkts[0] == 1 && fl.bytes[0] == len,
	      "inner flow, counted at the whole frame's length");
	/* inner Ethernet header cut: keyed by the outer, bad_tunnel */
	check(t, run(t, f, 50 + 10, 0, 2002, &ret, &flags) == 0 && !(flags & VIGIL_META_F_INNER),
	      "cut inner");
	stats(t, after);
	check(t, after[VIGIL_STAT_TUNNEL_INNER] - before[VIGIL_STAT_TUNNEL_INNER] == 1 &&
		 after[VIGIL_STAT_BAD_TUNNEL] - before[VIGIL_STAT_BAD_TUNNEL] == 1,
	      "tunnel_inner and bad_tunnel counted");
}

/* inline with a peer: XDP_REDIRECT through vg_peer; without one: XDP_PASS */
static void case_inline_peer(struct feat_ctx *t)
{
	uint8_t f[256];
	uint32_t len, ret;
	uint16_t flags;

	len = udp4(f, "10.30.0.1", "10.30.0.2", 1, 2, 0);
	check(t, cfg_set(t, VIGIL_MODE_INLINE, VIGIL_CFG_F_PEER, 0) == 0, "cfg");
	check(t, xdp_peer_set(t->m->peer_fd, 1) == 0, "peer = lo");
	check(t, run(t, f, len, 0, 3000, &ret, &flags) == 0 && ret == XDP_REDIRECT,
	      "redirect to the peer (%u)", ret);
	check(t, xdp_peer_set(t->m->peer_fd, 0) == 0, "peer cleared");
	check(t, run(t, f, len, 0, 3001, &ret, &flags) == 0 && ret == XDP_PASS,
	      "empty peer slot: pass (%u)", ret);
	check(t, cfg_set(t, VIGIL_MODE_TAP, VIGIL_CFG_F_PEER, 0) == 0, "cfg tap");
	check(t, run(t, f, len, 0, 3002, &ret, &flags) == 0 && ret == XDP_DROP,
	      "tap ignores the peer (%u)", ret);
}

/* replay: bytes are the wire length handed in, even shorter than the frame run */
static void case_wire_len(struct feat_ctx *t)
{
	struct vigil_flow_key k;
	struct vigil_flow fl;
	static uint8_t big[70000];
	uint32_t len, ret;
	uint16_t flags;

	check(t, cfg_set(t, VIGIL_MODE_TAP, 0, 0) == 0, "cfg");
	len = udp4(big, "10.40.0.1", "10.40.0.2", 7, 9, 100);
	check(t, run(t, big, len, 1500, 4000, &ret, &flags) == 0, "run longer wire");
	check(t, run(t, big, len, 60, 4001, &ret, &flags) == 0, "run shorter wire");
	key4(&k, "10.40.0.1", 7, "10.40.0.2", 9, 17);
	check(t, flow_get(t, &k, &fl) == 0 && fl.bytes[0] == 1560 && fl.min_len == 60 &&
		 fl.max_len == 1500, "bytes from wire_len (%llu)", (unsigned long long)fl.bytes[0]);
	len = udp4(big, "10.40.0.3", "10.40.0.4", 7, 9, 69000 - 42);
	check(t, run(t, big, len, 0, 4002, &ret, &flags) == -EMSGSIZE, "oversize without wire_len");
	check(t, run(t, big, len, len, 4003, &ret, &flags) == 0 && (flags & VIGIL_META_F_ACCOUNTED),
	      "oversize with wire_len: head run, whole counted");
	key4(&k, "10.40.0.3", 7, "10.40.0.4", 9, 17);
	check(t, flow_get(t, &k, &fl) == 0 && fl.bytes[0] == len, "oversize bytes %llu",
	      (unsigned long long)fl.bytes[0]);
}

static int harvest_count(void *ctx, const struct vigil_flow_key *k, const struct vigil_flow *f)
{
	(void)k;
	*(uint64_t *)ctx += f->pkts[0] + f->pkts[1];
	return 0;
}

/* the harvest reports what it deleted: stats and harvested packets agree */
static void case_harvest_total(struct feat_ctx *t)
{
	uint64_t st[VIGIL_STAT_MAX], pkts = 0;
	int n;

	stats(t, st);
	n = xdp_flows_harvest(t->flows_fd, 0, 0, true, harvest_count, &pkts);
	check(t, n > 0, "harvest %d", n);
	check(t, pkts == st[VIGIL_STAT_ACCOUNTED], "harvested %llu packets, accounted %llu",
	      (unsigned long long)pkts, (unsigned long long)st[VIGIL_STAT_ACCOUNTED]);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(struct feat_ctx *);
	} cases[] = {
		{ "blocklist_drop_count_list_remove", case_blocklist },
		{ "gate_closed_aggregates_per_destination", case_gate },
		{ "tunnel_vxlan_outer_inner_fallback", case_tunnel },
		{ "inline_peer_redirect", case_inline_peer },
		{ "replay_wire_len", case_wire_len },
		{ "harvest_reports_every_accounted_frame", case_harvest_total },
	};
	struct feat_ctx t = { .flows_fd = -1 };
	size_t i;
	int err;

	if (argc != 2 && (argc != 3 || (strcmp(argv[2], "percpu") && strcmp(argv[2], "shared")))) {
		fprintf(stderr, "usage: test_xdp_features vigil.bpf.o [percpu|shared]\n");
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: needs root (BPF_PROG_TEST_RUN)\n");
		return 77;
	}
	err = xdp_loader_open(argv[1], &t.l);
	if (err) {
		printf("FAIL load %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	t.m = xdp_loader_maps(t.l);
	printf("flow table: %s\n", argc == 3 ? argv[2] : "percpu");
	err = xdp_flows_table_open_kind(NULL, NULL, 4096,
					argc == 3 && !strcmp(argv[2], "shared") ? XDP_FLOW_MAP_SHARED
										: XDP_FLOW_MAP_PERCPU,
					&t.flows_fd, NULL);
	if (!err)
		err = xdp_flows_install(t.m, t.flows_fd);
	if (err) {
		printf("FAIL flow table: %s\n", strerror(-err));
		goto out;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t.ok = true;
		cases[i].fn(&t);
		printf("%s %s\n", t.ok ? "ok  " : "FAIL", cases[i].name);
		if (t.ok)
			t.passed++;
		else
			t.failed++;
	}
out:
	printf("%d passed, %d failed\n", t.passed, t.failed);
	if (t.flows_fd >= 0)
		close(t.flows_fd);
	xdp_loader_free(t.l);
	return t.failed || err ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_flow.c: libFuzzer target for the XDP program's accounting step built
 * for user space (vigil_user_frame: ebpf/parse.h, ebpf/flow.h and the flow
 * table), in two configurations (outer keying with the per-CPU layout and a
 * gate that closes; inner keying with the shared layout and first_n hand-off).
 * Input: fuzz_detect's format, records of one byte of time step
 * (milliseconds; 255 jumps 10 s), a 16-bit little-endian length and that many
 * bytes of frame. Flows are harvested every second of frame time (2 s idle)
 * and all at the end. Besides memory safety it checks the books balance:
 * every frame run lands in exactly one outcome, every accounted frame and its
 * bytes are in exactly one harvested record, and there are as many records
 * as inserts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil_user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_FLOW_ENTRIES = 1 << 16 };	/* more than an input's frames: nothing is pushed out */

struct fuzz_flow_sum {
	uint64_t records, pkts, bytes;
};

static int fuzz_flow_add(void *ctx, const struct vigil_flow_key *k, const struct vigil_flow *f)
{
	struct fuzz_flow_sum *s = ctx;

	if (!f->pkts[0] && !f->pkts[1])
		abort();	/* a record without a frame */
	if (f->first_ns > f->last_ns || f->min_len > f->max_len || (k->ip_ver != 4 && k->ip_ver != 6))
		abort();
	s->records++;
	s->pkts += f->pkts[0] + f->pkts[1];
	s->bytes += f->bytes[0] + f->bytes[1];
	return 0;
}

static void fuzz_flow_run(const uint8_t *data, size_t size, const struct vigil_xdp_cfg *cfg, bool shared)
{
	struct vigil_user *u = vigil_user_new(FUZZ_FLOW_ENTRIES, shared);
	struct fuzz_flow_sum s = { 0 };
	uint64_t st[VIGIL_STAT_MAX], ts = 1700000000ULL * 1000000000ULL, next = 0, run = 0, accounted_bytes = 0;
	size_t off = 0;
	uint16_t flags;
	int v;

	if (!u)
		abort();
	vigil_user_set_cfg(u, cfg);
	while (off + 3 <= size) {
		uint8_t step = data[off];
		uint32_t len = (uint32_t)data[off + 1] | (uint32_t)data[off + 2] << 8;

		off += 3;
		if (len > size - off)
			len = (uint32_t)(size - off);
		ts += step == 255 ? 10000000000ULL : (uint64_t)step * 1000000ULL;
		v = vigil_user_frame(u, data + off, len, 0, ts, &flags);
		if (v < 0 && (v != -EINVAL || len >= 14))
			abort();
		if (v >= 0) {
			run++;
			if (v > VIGIL_VERDICT_BLOCKED)
				abort();
			if (flags & VIGIL_META_F_ACCOUNTED)
				accounted_bytes += len;
		}
		off += len;
		if (ts >= next) {
			if (vigil_user_harvest(u, ts, 2000000000ULL, false, fuzz_flow_add, &s) < 0)
				abort();
			next = ts + 1000000000ULL;
		}
	}
	if (vigil_user_harvest(u, ts, 0, true, fuzz_flow_add, &s) < 0 || vigil_user_flows(u))
		abort();
	vigil_user_stats(u, st);
	/* every frame run lands in exactly one outcome */
	if (st[VIGIL_STAT_FRAMES] != run ||
	    st[VIGIL_STAT_ACCOUNTED] + st[VIGIL_STAT_NON_IP] + st[VIGIL_STAT_BAD_ETH] + st[VIGIL_STAT_BAD_VLAN] +
		    st[VIGIL_STAT_BAD_IP4] + st[VIGIL_STAT_BAD_IP6] + st[VIGIL_STAT_NO_FLOW_MAP] +
		    st[VIGIL_STAT_FLOW_INSERT_FAIL] + st[VIGIL_STAT_BLOCKED] != run)
		abort();
	/* and every accounted frame is in exactly one record, once per insert */
	if (s.pkts != st[VIGIL_STAT_ACCOUNTED] || s.bytes != accounted_bytes || s.records != st[VIGIL_STAT_FLOW_NEW])
		abort();
	vigil_user_free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vigil_xdp_cfg outer = { .mode = VIGIL_MODE_TAP, .handoff = VIGIL_HANDOFF_ALL,
						    .new_flow_ns = 200000000ULL };
	static const struct vigil_xdp_cfg inner = { .mode = VIGIL_MODE_INLINE, .handoff = VIGIL_HANDOFF_FIRST_N,
						    .handoff_n = 2, .flags = VIGIL_CFG_F_TUNNEL_INNER };

	fuzz_flow_run(data, size, &outer, false);
	fuzz_flow_run(data, size, &inner, true);
	return 0;
}

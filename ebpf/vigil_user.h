/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vigil_user.h: the XDP program built for user space. The same parsers
 * (parse.h) and the same accounting step (flow.h) as vigil.bpf.c, with its
 * maps as plain memory owned by one thread: the config, the counters by
 * reason, the new-flow gate, the blocklist and a flow table of either kind.
 * Replay runs every frame through it instead of one BPF_PROG_TEST_RUN
 * syscall per frame; tests/flowdiff holds the two builds equal.
 */
#ifndef VIGIL_USER_H
#define VIGIL_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil_flow.h"

struct vigil_user;

/*
 * A program with an empty blocklist, the all-zero config and a flow table of
 * up to flow_entries flows, accounted as the shared table does (shared) or the
 * per-CPU one. NULL with errno.
 */
struct vigil_user *vigil_user_new(uint32_t flow_entries, bool shared);
/* NULL-safe. */
void vigil_user_free(struct vigil_user *u);

/* vg_cfg[0] (VIGIL_CFG_F_BLOCKLIST is kept in step with the blocklist, as xdp_block_sync does). */
void vigil_user_set_cfg(struct vigil_user *u, const struct vigil_xdp_cfg *cfg);
/* Add a prefix to the blocklist (host bits cleared); -EINVAL: prefixlen > 128,
 * -ENOSPC: full (VIGIL_USER_BLOCK_MAX). */
int vigil_user_block_add(struct vigil_user *u, const struct vigil_block_key *key);

#define VIGIL_USER_BLOCK_MAX 1024u

/*
 * One frame, as xdp_loader_run_frame_wire gives it to the program: frame[0..len)
 * is what the parsers may read, counted as wire_len bytes (0: len) at ts_ns.
 * *meta_flags (may be NULL) gets the VIGIL_META_F_* the program sets. Returns
 * the enum vigil_verdict, or, like the syscall path, -EINVAL for a frame
 * shorter than an Ethernet header (14 bytes; not counted) and -EMSGSIZE for one
 * longer than 65535 bytes without a wire_len (with one, its head is read).
 */
int vigil_user_frame(struct vigil_user *u, const uint8_t *frame, uint32_t len, uint32_t wire_len,
		     uint64_t ts_ns, uint16_t *meta_flags);

/* The counters by reason (vg_stats). */
void vigil_user_stats(const struct vigil_user *u, uint64_t out[VIGIL_STAT_MAX]);
/* Flows in the table, and flows pushed out by new ones when it was full. */
uint32_t vigil_user_flows(const struct vigil_user *u);
uint64_t vigil_user_evicted(const struct vigil_user *u);

/* The same callback as xdp_flows_harvest's (xdp_flow_cb). */
typedef int (*vigil_user_flow_cb)(void *ctx, const struct vigil_flow_key *key,
				  const struct vigil_flow *flow);

/*
 * As xdp_flows_harvest: remove and report every flow idle for more than
 * idle_timeout_ns at now_ns (every flow when all). A non-zero return of cb
 * stops the harvest (that flow is removed) and is returned; else the number
 * of flows harvested.
 */
int vigil_user_harvest(struct vigil_user *u, uint64_t now_ns, uint64_t idle_timeout_ns, bool all,
		       vigil_user_flow_cb cb, void *ctx);
/* Every flow to cb without removing any (flow_rates_scan); stops at a non-zero return. */
int vigil_user_scan(struct vigil_user *u, vigil_user_flow_cb cb, void *ctx);

#endif

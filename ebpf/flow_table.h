/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow_table.h: the user-space stand-in for the XDP flow table (an LRU hash of
 * struct vigil_flow_key -> struct vigil_flow), for vigil_user.c: the same
 * records, one copy each (one thread owns the table). It holds up to
 * max_entries flows; memory grows with the flows in use, and when it is full
 * a new flow pushes out one of the least recently seen, as the kernel's LRU
 * does without telling anyone. Flows are also filed by the second of their
 * last frame, so a harvest costs the flows it removes, not the table.
 */
#ifndef VIGIL_FLOW_TABLE_H
#define VIGIL_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "vigil_flow.h"

struct flow_table;

/* NULL with errno (EINVAL: max_entries 0 or above 2^30; ENOMEM). */
struct flow_table *flow_table_new(uint32_t max_entries);
/* NULL-safe. */
void flow_table_free(struct flow_table *t);

/*
 * The flow of key, or NULL. The pointer is valid until the next insert or
 * harvest. The flow found is the one flow_table_touched() files again.
 */
struct vigil_flow *flow_table_lookup(struct flow_table *t, const struct vigil_flow_key *key);
/*
 * Insert a flow known to be absent (a full table first pushes out an old
 * one); 0, or -ENOMEM when the table could not grow (it pushed out an old
 * flow instead).
 */
int flow_table_insert(struct flow_table *t, const struct vigil_flow_key *key,
		      const struct vigil_flow *val);
/* The last flow looked up or inserted may have a new last_ns: file it by it. */
void flow_table_touched(struct flow_table *t);

uint32_t flow_table_count(const struct flow_table *t);
/* Flows pushed out by a new one (the table was full). */
uint64_t flow_table_evicted(const struct flow_table *t);

/* xdp_flow_cb's shape: a non-zero return stops the walk and is returned. */
typedef int (*flow_table_cb)(void *ctx, const struct vigil_flow_key *key, const struct vigil_flow *val);

/*
 * Remove and report every flow idle for more than idle_ns at now_ns (last
 * frame before now_ns - idle_ns; a clock that went back keeps a flow), or
 * every flow when all: xdp_flows_harvest's rule. Returns the number removed,
 * or cb's non-zero return (that flow is removed too).
 */
int flow_table_harvest(struct flow_table *t, uint64_t now_ns, uint64_t idle_ns, bool all,
		       flow_table_cb cb, void *ctx);
/* Report every flow without removing any. The number reported, or cb's non-zero return. */
int flow_table_scan(struct flow_table *t, flow_table_cb cb, void *ctx);

#endif

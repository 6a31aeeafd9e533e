/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow_table.h: the user-space stand-in for the XDP flow table (an LRU hash of
 * struct vigil_flow_key -> struct vigil_flow), for vigil_user.c: the same
 * records, one copy each (one thread owns the table). It holds up to
 * max_entries flows; memory grows with the flows in use, and when it is full
 * a new flow pushes out the least recently seen of a few nearby ones, as the
 * kernel's LRU does without telling anyone.
 */
#ifndef VIGIL_FLOW_TABLE_H
#define VIGIL_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "vigil_flow.h"

struct flow_table;

/* NULL with errno (EINVAL: max_entries 0; ENOMEM). */
struct flow_table *flow_table_new(uint32_t max_entries);
/* NULL-safe. */
void flow_table_free(struct flow_table *t);

/* The flow of key, or NULL. The pointer is valid until the next insert or delete. */
struct vigil_flow *flow_table_lookup(struct flow_table *t, const struct vigil_flow_key *key);
/* Insert a flow known to be absent; 0, or -ENOMEM when the table cannot grow
 * (it then pushes out an old flow instead, as when it is full). */
int flow_table_insert(struct flow_table *t, const struct vigil_flow_key *key,
		      const struct vigil_flow *val);

uint32_t flow_table_count(const struct flow_table *t);
/* Flows pushed out by a new one (the table was full). */
uint64_t flow_table_evicted(const struct flow_table *t);

/* What a walk's callback returns: keep or delete the flow, and go on or stop. */
enum flow_table_visit {
	FLOW_TABLE_KEEP = 0,
	FLOW_TABLE_DELETE = 1,
	FLOW_TABLE_STOP = 2,		/* with or without FLOW_TABLE_DELETE */
};

/*
 * Call cb for every flow once (deletes during the walk move no flow past the
 * walk's position); cb returns enum flow_table_visit bits. Returns the number
 * of flows visited.
 */
int flow_table_walk(struct flow_table *t,
		    int (*cb)(void *ctx, const struct vigil_flow_key *key, struct vigil_flow *val),
		    void *ctx);

#endif

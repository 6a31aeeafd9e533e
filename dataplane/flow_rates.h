/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow_rates.h: turns the XDP flow table's cumulative kernel counters into
 * per-flow deltas of the packets user space never saw (hand-off none, first_n
 * or sample) and folds them into the statistics' host windows. The pure part
 * (flow_rates_update) takes summed records; flow_rates_scan reads the map in
 * batches (bpf_map_lookup_batch) on the rx lcore's timer, flow_rates_scan_user
 * the table of the XDP program's user-space build in replay.
 */
#ifndef VIGIL_FLOW_RATES_H
#define VIGIL_FLOW_RATES_H

#include <stdint.h>

#include "stats.h"
#include "vigil_flow.h"

struct flow_rates;

struct flow_rates_counters {
	uint64_t scans;
	uint64_t flows_seen;		/* records read */
	uint64_t flows_all_handed;	/* nothing to add: user space saw every packet */
	uint64_t pkts_added;		/* unseen packets folded into the statistics */
	uint64_t scan_errors;
};

/* Remember up to capacity flows' last counters. NULL with errno. */
struct flow_rates *flow_rates_new(uint32_t capacity);
void flow_rates_free(struct flow_rates *fr);

/* One flow record (per-CPU copies summed): add what is new and unseen since the last call. */
void flow_rates_update(struct flow_rates *fr, struct stats *st, const struct vigil_flow_key *k,
		       const struct vigil_flow *f, uint64_t now_ns);

/* Read every record of the XDP flow table flows_fd and update. Records read or -errno. */
int flow_rates_scan(struct flow_rates *fr, struct stats *st, int flows_fd, uint64_t now_ns);
/* The same over the flow table of the user-space build (replay). Records read. */
struct vigil_user;
int flow_rates_scan_user(struct flow_rates *fr, struct stats *st, struct vigil_user *u, uint64_t now_ns);

void flow_rates_get_counters(const struct flow_rates *fr, struct flow_rates_counters *out);

#endif

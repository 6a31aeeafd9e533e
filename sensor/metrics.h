/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics.h: the sensor's Prometheus text endpoint. The packet loop fills a
 * snapshot about once a second (metrics_format turns it into exposition text,
 * pure); a small thread serves the latest text over HTTP and adds the flow
 * table's fill, which it counts itself so the packet loop never walks the map.
 */
#ifndef VIGIL_SENSOR_METRICS_H
#define VIGIL_SENSOR_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"
#include "vigil_flow.h"

#define METRICS_MAX_DETECTORS 16

struct intel_stats;

struct metrics_snapshot {
	bool have_xdp;
	uint64_t xdp[VIGIL_STAT_MAX];		/* vg_stats by reason */
	uint64_t packets;			/* frames the pipeline parsed */
	uint64_t parse[PKT_STATUS_MAX];		/* by pkt_status */
	uint64_t flows;				/* flow records emitted */
	uint64_t harvest_errors;
	uint64_t alerts;			/* events emitted */
	uint64_t alerts_dropped;
	unsigned int n_detectors;
	struct {
		const char *name;		/* static string */
		uint64_t incidents;
		uint64_t hosts;			/* tracked now */
		uint64_t learning;		/* still learning */
		uint64_t evictions;
		uint64_t restored;		/* restored from the state file */
	} det[METRICS_MAX_DETECTORS];
	bool have_spool;
	uint64_t spool_depth;			/* events held, unacknowledged */
	uint64_t spool_dropped;
	uint64_t spool_acked;
	bool collector_connected;
	uint64_t reloads, reload_failures;
	uint64_t state_saves, state_save_failures;
	uint64_t state_saves_skipped;		/* periodic saves not taken: a write was in flight */
	uint64_t state_save_ns;			/* last write + fsync + rename (writer thread) */
	uint64_t state_snapshot_ns;		/* last snapshot, on the packet thread */
	bool have_flow_table;			/* the table is the packet loop's own (a replay's
						 * user-space build): counted here, not by the thread */
	uint64_t flow_entries;
	uint32_t flow_capacity;
	bool have_poller;
	uint64_t poller_busy_ns;		/* the receive loop's own time (struct poller_stats) */
	uint64_t poller_bursts, poller_empty_polls;
	uint64_t start_time_s;			/* wall clock, seconds */
	const struct intel_stats *intel;	/* intel feeds (sensor/intel.h), NULL or n == 0: none */
};

/*
 * Prometheus text exposition (version 0.0.4) of s into buf. Returns the length
 * written (without the NUL), or -ENOSPC when buf is too small.
 */
int metrics_format(const struct metrics_snapshot *s, char *buf, size_t len);

struct metrics;

/*
 * Listen on "ADDRESS:PORT" (IPv4, or [IPv6]:PORT) and serve GET /metrics from a
 * thread. flows_fd (may be -1) is dup'ed: the thread counts its entries for
 * vigil_flow_table_entries against capacity (with -1, the snapshot's
 * have_flow_table gives them). NULL with errno on failure.
 */
struct metrics *metrics_new(const char *listen_addr, int flows_fd, uint32_t capacity);
/* Replace the text served (copied). Thread-safe. */
int metrics_publish(struct metrics *m, const char *text, size_t len);
/* The bound port (for tests using port 0). */
int metrics_port(const struct metrics *m);
/* Stop the thread, close everything. NULL-safe. */
void metrics_free(struct metrics *m);

#endif

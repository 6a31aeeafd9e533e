/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats.h: per-socket / per-host statistics and their scores,
 * the contract between the dataplane and the detectors. One struct stats per
 * rx lcore; pure code (time from packet timestamps, no clock, no allocation
 * after stats_new), so replaying a capture twice gives identical results.
 *
 * Per packet, O(1) and independent of fan-out:
 *   socket (5-tuple)  known or new (a new one is a flow its source opened),
 *                     kept while its damped packet count at lambda[score_lambda] lasts
 *   source host       damped packet count at each decay rate lambda[i] (its
 *                     packet rate over five horizons), and per window:
 *                     packets/bytes out and in, and of what it opens (SYNs,
 *                     a client's UDP, echo requests; never to a group
 *                     address) new flows and distinct destination hosts and
 *                     ports (HyperLogLog), each against a learned baseline
 * Tables are fixed-size and set-associative; a new key evicts, in its set,
 * the entry whose weight decays away first. "Damped" means every past sample
 * weighs 2^(-lambda * age_s), as in Kitsune's AfterImage. A socket entry is
 * one cache line, the hot part of a host three. (Per-packet size and per-pair
 * inter-arrival scores were computed once and read by no detector: removed.)
 */
#ifndef VIGIL_STATS_H
#define VIGIL_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

#define STATS_MAX_LAMBDA 5

/* What a score is about; stats_metric_name() gives the snake_case name. */
enum stats_metric {
	STATS_M_NONE = 0,
	STATS_M_PPS_OUT,	/* host window metrics, per second of the window ... */
	STATS_M_BPS_OUT,
	STATS_M_PPS_IN,
	STATS_M_BPS_IN,
	STATS_M_NEW_FLOWS,	/* sockets this host opened (first seen as source) */
	STATS_M_DST_HOSTS,	/* distinct destination hosts (HLL estimate, per window) */
	STATS_M_DST_PORTS,	/* distinct destination ports (HLL estimate, per window) */
	STATS_M_HOST_MAX = STATS_M_DST_PORTS,
	STATS_M_GLOBAL_PPS,	/* whole-sensor packets/s vs the (daily) profile */
	STATS_M_MAX,
};

/*
 * One score with its explanation: metric, observed, expected (baseline mean),
 * band (baseline stddev, floored), z = (observed - expected) / band, and the
 * window (s) the observation covers (1/lambda for damped statistics).
 * score = max(z, 0) for rates (only increases are anomalous), |z| for sizes and
 * inter-arrivals; 0 while the key is still learning.
 */
struct stats_score {
	float score;
	float z;
	float observed;
	float expected;
	float band;
	float window_s;
	uint8_t metric;		/* enum stats_metric */
	uint8_t learning;	/* 1: the baseline is not trusted yet (score 0) */
	uint8_t fresh;		/* host scores: 1 on the packet that closed the window */
	uint8_t pad;
};

/* What stats_burst writes for each packet (same index as its input). */
struct stats_result {
	struct stats_score src;		/* the source host's last closed window, worst metric */
	struct stats_score dst;		/* the destination host's last closed window, worst metric */
	uint8_t new_flow;		/* the socket was not in the table */
	uint8_t skipped;		/* not IP (or bad): nothing updated, scores 0 */
	uint8_t pad[2];
};

struct stats_cfg {
	double lambda[STATS_MAX_LAMBDA];	/* decay rates, 1/s; 0 ends the list */
	uint32_t score_lambda;		/* index into lambda[]: how long an idle socket or host is kept */
	uint32_t hosts;			/* table capacities (rounded up to a multiple of 8) */
	uint32_t sockets;
	uint64_t window_ns;		/* host metric window */
	uint64_t learning_ns;		/* a host is learned for this long before it is scored */
	double half_life_s;		/* baseline EWMA half-life */
	double freeze_z;		/* windows scoring above this are not learned (0: learn all) */
	bool daily_profile;		/* global rate baseline per hour of day (UTC) */
	/*
	 * Flood mode: a table takes at most capacity / turnover_s new entries per
	 * second of packet time (token bucket, a tenth of a second of burst), so
	 * a flood of new keys cannot flush it faster; 0: no gate. A packet whose
	 * key is absent and finds no token updates nothing at that level (its
	 * scores say learning) and is counted in gated_*; see docs/dataplane.md.
	 */
	double turnover_s;
};

struct stats_counters {
	uint64_t packets;
	uint64_t skipped;
	uint64_t new_hosts, new_sockets;
	uint64_t evict_hosts, evict_sockets;	/* live entries pushed out */
	uint64_t host_windows;					/* host windows closed and scored */
	uint64_t flow_deltas;				/* XDP-only packets folded in by stats_flow_delta */
	uint64_t gated_hosts, gated_sockets;	/* new keys refused by the turnover gate */
};

struct stats;

/* Fill cfg with the defaults (lambda 5, 3, 1, 0.1, 0.01; 32 k hosts, 160 k sockets; turnover 4 s). */
void stats_cfg_default(struct stats_cfg *cfg);

/* Bytes stats_new will allocate for cfg (tables included). */
uint64_t stats_mem_bytes(const struct stats_cfg *cfg);

/* NULL with errno (EINVAL: bad cfg, ENOMEM). Owns its tables; copies cfg. */
struct stats *stats_new(const struct stats_cfg *cfg);
void stats_free(struct stats *st);

/*
 * Fold n parsed packets in, in order; ts_ns[i] is packet i's time (ns, never
 * needs to be monotonic: a step back counts as no time passing). rc[i] is
 * pkt_parse's result: only PKT_OK and PKT_BAD_L4 are counted. res may be NULL.
 */
void stats_burst(struct stats *st, const struct pkt_info *pk, const int *rc, const uint64_t *ts_ns,
		 uint16_t n, struct stats_result *res);

/*
 * Packets the XDP program counted but did not hand to user space (hand-off
 * none/first_n/sample), as deltas of one flow since the last harvest: they are
 * added to both hosts' window counters (sizes: bytes / packets). a and b as in
 * struct vigil_flow_key (a->b is direction 0).
 */
void stats_flow_delta(struct stats *st, const uint8_t a[16], const uint8_t b[16], uint64_t pkts_ab,
		      uint64_t bytes_ab, uint64_t pkts_ba, uint64_t bytes_ba, uint64_t now_ns);

/*
 * Look a host up without changing anything. Returns false if it is not
 * tracked. rates: damped packets/s out at each lambda (the XDP-only packets
 * of stats_flow_delta are in the window counters, not here); worst: its last closed
 * window's worst metric; metrics: (optional) every host metric's last score.
 */
bool stats_host_query(const struct stats *st, const uint8_t addr[16], uint64_t now_ns,
		      double rates[STATS_MAX_LAMBDA], struct stats_score *worst,
		      struct stats_score metrics[STATS_M_HOST_MAX + 1]);

/*
 * A host's last closed window, metric by metric (index m is STATS_M_PPS_OUT + m):
 * what it did, the z-score against its baseline before that window (0 while
 * learning), the baseline's mean now, and the highest it did before that
 * window (a peak fading with a half-life of a day; anomalous windows never
 * join it). This is what a detector judges a host's behaviour by.
 */
enum { STATS_HOST_METRICS = STATS_M_HOST_MAX - STATS_M_PPS_OUT + 1 };
struct stats_host_window {
	float obs[STATS_HOST_METRICS];
	float z[STATS_HOST_METRICS];
	float expected[STATS_HOST_METRICS];
	float peak[STATS_HOST_METRICS];
	double window_s;
	uint64_t first_ns;
	uint32_t windows;		/* windows learned from */
	bool learning;
};

/* false when addr is not tracked or no window of it closed yet (out zeroed). */
bool stats_host_window(const struct stats *st, const uint8_t addr[16], uint64_t now_ns,
		       struct stats_host_window *out);

/* The whole sensor's packets/s of the last closed window vs its (daily) baseline. */
void stats_global_score(const struct stats *st, struct stats_score *out);

void stats_get_counters(const struct stats *st, struct stats_counters *out);

/* Entries in use per table (O(capacity): for tests and benchmarks, not the hot path). */
void stats_used(const struct stats *st, uint32_t *hosts, uint32_t *sockets);

const char *stats_metric_name(enum stats_metric m);

/*
 * The hosts' baselines across a restart: for each host that learned from a
 * window, its baselines, last window's scores, peaks, windows learned and
 * age; not its open window nor its damped rates (they are seconds long).
 * stats_save_size: an upper bound of the bytes. stats_save: bytes written or
 * -ENOSPC; ages count from the latest packet time seen. stats_load: before the
 * first packet (-EBUSY after); the hosts go in at the first packet, whose time
 * becomes the clock the ages count back from; the records it holds, -EPROTO
 * (another version or layout) or -EINVAL (damaged length).
 */
size_t stats_save_size(const struct stats *st);
long stats_save(const struct stats *st, void *buf, size_t len);
int stats_load(struct stats *st, const void *buf, size_t len);

#endif

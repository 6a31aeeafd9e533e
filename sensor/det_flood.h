/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * det_flood.h: volumetric flood towards a destination. Counts packets per
 * destination host over fixed windows, learns each host's normal rate (EWMA
 * mean and variance) and raises an incident when a window's rate is above the
 * absolute floor, or, once learned, above min(floor, mean + k * stddev) but
 * never below floor * min_fraction: learning only ever makes it more sensitive.
 * The same holds for bits per second. Two narrower views have lower floors:
 * reflection (responses from amplifier ports, and their non-first fragments,
 * arriving from outside at a host that did not ask) and the network-wide DHCP
 * rate (lease starvation spreads one packet over each address). One alert per
 * incident, then bounded updates and an end event; never one alert per packet.
 * Pure: time is an argument, nothing here reads a clock or does I/O.
 */
#ifndef VIGIL_DET_FLOOD_H
#define VIGIL_DET_FLOOD_H

#include <stdbool.h>
#include <stdint.h>

struct det_flood_cfg {
	uint64_t window_ns;	/* rate window */
	uint64_t learning_ns;	/* per host: floors alone apply until this much history */
	double k;		/* multiple of the learned stddev */
	double floor_pps;	/* absolute floor */
	double half_life_s;	/* baseline half-life */
	uint64_t end_after_ns;	/* quiet time that ends an incident */
	uint64_t update_ns;	/* at most one update event per incident per this long */
	uint32_t max_hosts;	/* table capacity (rounded up to a power of two) */
	double min_fraction;	/* learned threshold never below floor * this (0: 0.25) */
	double bcast_divisor;	/* floor divided by this for broadcast/multicast destinations, never learned (0: 1) */
	double floor_bps;	/* absolute floor in bits per second (0: no bps check) */
	double floor_reflect_pps;	/* unsolicited amplifier responses per second (0: off) */
	double floor_dhcp_pps;	/* DHCP packets per second network-wide (0: off) */
};

/* Which rate an incident is about. */
enum det_flood_metric {
	DET_FLOOD_PPS = 0,	/* packets per second towards dst */
	DET_FLOOD_BPS = 1,	/* bits per second towards dst */
	DET_FLOOD_REFLECT = 2,	/* unsolicited amplifier responses per second towards dst */
	DET_FLOOD_DHCP = 3,	/* DHCP packets per second, network-wide */
};

/* One frame as the flood detector sees it; addresses are 16 bytes. */
struct det_flood_pkt {
	const uint8_t *dst;
	const uint8_t *src;
	uint32_t len;		/* frame bytes */
	uint16_t src_port;	/* TCP/UDP ports, 0 otherwise */
	uint16_t dst_port;
	uint8_t proto;
	bool fragment;		/* a non-first IP fragment: no ports */
	bool src_home;		/* inside home_net */
	bool dst_home;
	bool explained;		/* part of a conversation dst takes part in (it answered, or asked) */
};

enum det_flood_state {
	DET_FLOOD_START = 0,
	DET_FLOOD_UPDATE = 1,
	DET_FLOOD_END = 2,
};

/* What an incident event says; addresses are 16 bytes, IPv4-mapped for IPv4. */
struct det_flood_event {
	enum det_flood_state state;
	enum det_flood_metric metric;	/* observed, expected, threshold and peak are in its unit */
	uint64_t incident_id;	/* unique within this detector instance, from 1 */
	uint64_t ts_ns;		/* end of the window that triggered this event */
	uint8_t dst[16];
	uint8_t src[16];	/* the dominant source when the incident started (majority vote); fixed */
	uint16_t src_port;	/* its dominant source port, 0 if none */
	uint16_t dst_port;	/* dominant destination port, 0 if none */
	uint8_t proto;		/* dominant IP protocol */
	bool src_dominant;	/* src sent more than half of the starting window's packets */
	uint8_t latest_src[16];	/* the latest anomalous window's dominant source */
	bool learning;		/* the host's baseline was still learning: floor alone */
	double observed_pps;
	double expected_pps;	/* learned mean (0 while learning with no history) */
	double stddev_pps;
	double threshold_pps;
	double zscore;
	double window_s;
	double peak_pps;	/* over the incident so far */
	uint64_t packets;	/* in the incident's anomalous windows so far */
	uint64_t start_ns;	/* first anomalous window's start */
	uint64_t last_ns;	/* last anomalous window's end */
};

struct det_flood_stats {
	uint64_t packets;
	uint64_t hosts;		/* hosts tracked now */
	uint64_t evictions;	/* idle hosts dropped to make room */
	uint64_t table_full;	/* packets not counted: no free slot */
	uint64_t incidents;
	uint64_t learning;	/* hosts whose baseline was still learning at the last window */
	uint64_t restored;	/* hosts restored from saved state */
};

typedef void (*det_flood_emit_fn)(void *ctx, const struct det_flood_event *ev);

struct det_flood;

/* NULL on bad cfg or allocation failure (errno set). */
struct det_flood *det_flood_new(const struct det_flood_cfg *cfg);
void det_flood_free(struct det_flood *d);

/* Count one frame at time ts_ns. */
void det_flood_frame(struct det_flood *d, uint64_t ts_ns, const struct det_flood_pkt *fp);

/* Count one packet towards dst at time ts_ns (no size, ports or locality: pps only). */
void det_flood_packet(struct det_flood *d, uint64_t ts_ns, const uint8_t dst[16],
		      const uint8_t src[16], uint8_t proto, uint16_t dst_port);

/*
 * Close every window that ended at or before now_ns, update baselines, and
 * call emit for incident starts, updates and ends. Call at least once per
 * window. Large forward jumps in time are treated as idle windows, bounded.
 */
void det_flood_tick(struct det_flood *d, uint64_t now_ns, det_flood_emit_fn emit, void *ctx);

/* End every open incident (at shutdown or end of a capture). */
void det_flood_finish(struct det_flood *d, uint64_t now_ns, det_flood_emit_fn emit, void *ctx);

void det_flood_get_stats(const struct det_flood *d, struct det_flood_stats *out);

/* Saved state (sensor/state.c keeps it in a file). Learned baselines only (packets
 * and bits per second): open windows and incidents are not carried over a restart. */
#define DET_FLOOD_SAVE_VERSION 2u	/* 2 adds the bps baseline; 1 is still read */
/* Upper bound of the bytes det_flood_save writes now. */
size_t det_flood_save_size(const struct det_flood *d);
/* Write every learned host into buf; now_ns is the detector's clock (ages are
 * kept, not time stamps). Returns the bytes written or -ENOSPC. */
long det_flood_save(const struct det_flood *d, uint64_t now_ns, void *buf, size_t len);
/* Restore into a detector that has seen no packet and no tick yet. A host saved
 * after its learning period is not learned again. Returns the hosts restored,
 * -EBUSY (not fresh), -EPROTO (other version) or -EINVAL (damaged). */
int det_flood_load(struct det_flood *d, const void *buf, size_t len);
/* New settings, baselines kept (SIGHUP). -EINVAL if window_ns or max_hosts
 * differ: those need a restart. */
int det_flood_set_cfg(struct det_flood *d, const struct det_flood_cfg *cfg);

#endif

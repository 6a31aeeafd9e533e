/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pipeline.h: what the sensor does with the frames the poller hands it: parse,
 * feed the detectors, turn incidents into EVE alerts, publish them, and turn
 * expired XDP flow records into EVE flow events. Owns no port and no clock:
 * replay and live drive it the same way.
 */
#ifndef VIGIL_PIPELINE_H
#define VIGIL_PIPELINE_H

#include <stdint.h>
#include <stdio.h>

#include "alert.h"
#include "config.h"
#include "evidence.h"
#include "det_flood.h"
#include "detect.h"
#include "pkt.h"
#include "poller.h"
#include "publish.h"
#include "stats.h"

struct vigil_user;

struct pipeline_out {
	FILE *alerts;		/* --alerts-json, may be NULL */
	FILE *flows;		/* --flows-json, may be NULL */
	struct publish *pub;	/* may be NULL */
	int flows_fd;		/* the XDP flow table (inner map) */
	struct evidence *evidence;	/* pcapng per incident; may be NULL (borrowed) */
	struct vigil_user *flows_user;	/* replay: the XDP program's user-space build, whose
					 * table is harvested instead of flows_fd; may be NULL */
};

struct pipeline_stats {
	uint64_t packets;
	uint64_t parse[PKT_STATUS_MAX];
	uint64_t alerts;
	uint64_t alerts_dropped;	/* JSON could not be built */
	uint64_t flows;
	uint64_t harvest_errors;
	uint64_t evidence_failed;	/* incidents whose evidence could not be started or written */
};

struct pipeline;

/* NULL with errno on failure. Borrows cfg, actx and out for its lifetime. */
struct pipeline *pipeline_new(const struct config *cfg, const struct alert_ctx *actx,
			      const struct pipeline_out *out);
void pipeline_free(struct pipeline *pl);

/* The poller's callbacks (ctx = the pipeline). */
void pipeline_packets(void *ctx, const struct poller_pkt *pkts, uint16_t n);
void pipeline_tick(void *ctx, uint64_t now_ns);

/* End of input or shutdown: close incidents, emit every remaining flow. */
void pipeline_finish(struct pipeline *pl, uint64_t now_ns);

void pipeline_get_stats(const struct pipeline *pl, struct pipeline_stats *out);
/* alert events emitted so far (start, update, end): cheap, for the housekeeping tick */
uint64_t pipeline_events(const struct pipeline *pl);
/* One detector's own counters (detect_get_detector_stats). */
void pipeline_get_detector_stats(const struct pipeline *pl, enum detect_id id, struct detect_detector_stats *out);
/* The statistics engine (dataplane/stats.h) for queries; NULL when stats.enabled is false. */
const struct stats *pipeline_stats_engine(const struct pipeline *pl);
/* The engine's saved host baselines (stats_load), before the first frame; -ENOENT when it is off. */
int pipeline_stats_load(struct pipeline *pl, const void *buf, size_t len);
/* Every detector's counters (incidents per detector, clamped timestamps). */
void pipeline_get_detect_stats(const struct pipeline *pl, struct detect_stats *out);

/*
 * Containment (sensor/appliance.c): fn sees every incident event before its
 * alert is built; a non-NULL return replaces alert.action ("blocked"). fn NULL: none.
 */
typedef const char *(*pipeline_action_fn)(void *ctx, const struct detect_incident *inc);
void pipeline_set_action(struct pipeline *pl, pipeline_action_fn fn, void *ctx);
/* The detector registry: saving and restoring what it learned, SIGHUP (detect_reconfigure). */
struct detect *pipeline_detect(struct pipeline *pl);

#endif

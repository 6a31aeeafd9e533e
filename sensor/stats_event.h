/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats_event.h: the EVE "stats" event: the sensor's own counters (packets,
 * decoder errors, alerts, flows, publisher and spool) under Suricata's stats{}
 * layout, so the same pipelines that read alerts graph the sensor's health.
 */
#ifndef VIGIL_STATS_EVENT_H
#define VIGIL_STATS_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "alert.h"

struct intel_stats;

/* Plain counters, filled by the caller from pipeline_stats / publish_stats. */
struct stats_event_in {
	uint64_t wall_ns;		/* when (wall clock) */
	uint64_t uptime_s;
	uint64_t packets;
	uint64_t non_ip, bad_eth, bad_vlan, bad_ip4, bad_ip6, bad_l4;
	uint64_t alerts, alerts_dropped;
	uint64_t flows, harvest_errors;
	bool has_publish;		/* the publisher block below is valid */
	uint64_t pub_published, pub_acked, pub_queued, pub_resent;
	uint64_t pub_dropped_full, pub_dropped_spool, pub_spool_errors, pub_spool_bytes, pub_refused;
	bool pub_connected;
	const struct intel_stats *intel;	/* the intel feeds (sensor/intel.h), NULL: none configured */
	const char *version;		/* vigil's release (version_release()); NULL: left out */
};

/* The stats event (EVE header without a flow); NULL on allocation failure. Caller puts it. */
struct json_object *stats_event_json(const struct alert_ctx *ctx, const struct stats_event_in *in);

/*
 * Periodic emission without a clock of its own: true (and *next advanced) when
 * now_ns has reached *next; the first call only arms it. interval_s 0: never.
 */
bool stats_event_due(uint64_t *next, uint64_t now_ns, uint32_t interval_s);

#endif

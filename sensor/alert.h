/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * alert.h: detector incidents as EVE alert events with vigil's explanation
 * block (detector, metric, observed against expected, z-score, window, hosts,
 * ports, state and incident id, requested action). One builder for all.
 */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stdint.h>

#include <json-c/json.h>

#include "detect.h"

/* Where the sensor's clock stands against the wall clock: wall = t + wall_offset_ns. */
struct alert_ctx {
	const char *sensor_name;
	const char *in_iface;
	int64_t wall_offset_ns;
};

enum alert_sid {
	ALERT_SID_FLOOD = 9100001,	/* every detector's id is in the registry (detect.c) */
};

/* EVE alert for one incident event; NULL on allocation failure. Caller puts it. */
struct json_object *alert_json(const struct alert_ctx *ctx, const struct detect_incident *inc);

#endif

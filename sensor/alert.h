/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * alert.h: detector findings as EVE alert events with vigil's explanation
 * block (which metric, observed against expected, z-score, window, incident).
 */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stdint.h>

#include <json-c/json.h>

#include "det_flood.h"

/* Where the sensor's clock stands against the wall clock: wall = t + wall_offset_ns. */
struct alert_ctx {
	const char *sensor_name;
	const char *in_iface;
	int64_t wall_offset_ns;
};

enum alert_sid {
	ALERT_SID_FLOOD = 9100001,
};

/* EVE alert for a flood incident event; NULL on allocation failure. Caller puts it. */
struct json_object *alert_flood_json(const struct alert_ctx *ctx, const struct det_flood_event *ev);

#endif

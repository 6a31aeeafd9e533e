// SPDX-License-Identifier: GPL-2.0-only
/*
 * alert.c: turns a detector's incident event into an EVE alert. The alert{}
 * block is what Suricata consumers expect; vigil{} says why it is unusual:
 * the metric, what was observed, what the learned baseline expected.
 */
#include <math.h>

#include "alert.h"
#include "eve.h"

static const char *const alert_state_names[] = { "start", "update", "end" };

static struct json_object *alert_double(double v)
{
	if (!isfinite(v))
		v = v > 0 ? 1e308 : 0.0;
	return json_object_new_double(round(v * 1000.0) / 1000.0);
}

struct json_object *alert_flood_json(const struct alert_ctx *ctx, const struct det_flood_event *ev)
{
	struct eve_header h = {
		.wall_ns = (uint64_t)((int64_t)ev->ts_ns + ctx->wall_offset_ns),
		.event_type = "alert",
		.sensor_name = ctx->sensor_name,
		.in_iface = ctx->in_iface,
		.src = ev->src,
		.dst = ev->dst,
		.src_port = 0,
		.dst_port = ev->dst_port,
		.proto = ev->proto,
	};
	struct json_object *o, *a, *v;

	o = eve_new(&h);
	if (!o)
		return NULL;
	a = json_object_new_object();
	json_object_object_add(a, "action", json_object_new_string("allowed"));
	json_object_object_add(a, "gid", json_object_new_int(1));
	json_object_object_add(a, "signature_id", json_object_new_int(ALERT_SID_FLOOD));
	json_object_object_add(a, "rev", json_object_new_int(1));
	json_object_object_add(a, "signature",
			       json_object_new_string("VIGIL flood: packet rate towards host far above its baseline"));
	json_object_object_add(a, "category", json_object_new_string("Attempted Denial of Service"));
	json_object_object_add(a, "severity", json_object_new_int(2));
	json_object_object_add(o, "alert", a);

	v = json_object_new_object();
	json_object_object_add(v, "detector", json_object_new_string("flood"));
	json_object_object_add(v, "metric", json_object_new_string("pps"));
	json_object_object_add(v, "state", json_object_new_string(alert_state_names[ev->state]));
	json_object_object_add(v, "incident_id", json_object_new_int64((int64_t)ev->incident_id));
	json_object_object_add(v, "observed", alert_double(ev->observed_pps));
	json_object_object_add(v, "expected", alert_double(ev->expected_pps));
	json_object_object_add(v, "stddev", alert_double(ev->stddev_pps));
	json_object_object_add(v, "threshold", alert_double(ev->threshold_pps));
	json_object_object_add(v, "zscore", alert_double(ev->zscore));
	json_object_object_add(v, "window_s", alert_double(ev->window_s));
	json_object_object_add(v, "learning", json_object_new_boolean(ev->learning));
	json_object_object_add(v, "src_dominant", json_object_new_boolean(ev->src_dominant));
	json_object_object_add(v, "peak", alert_double(ev->peak_pps));
	json_object_object_add(v, "packets", json_object_new_int64((int64_t)ev->packets));
	json_object_object_add(v, "duration_s",
			       alert_double((double)(ev->last_ns - ev->start_ns) / 1e9));
	json_object_object_add(o, "vigil", v);
	return o;
}

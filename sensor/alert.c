// SPDX-License-Identifier: GPL-2.0-only
/*
 * alert.c: turns any detector's incident event into an EVE alert. The alert{}
 * block is what Suricata consumers expect; vigil{} says why it is unusual:
 * the metric, what was observed, what the learned baseline expected, where.
 */
#include <math.h>

#include "alert.h"
#include "eve.h"

static const char *const alert_state_names[] = { "start", "update", "end" };
static const char *const alert_action_names[] = { "alert", "block" };

static struct json_object *alert_double(double v)
{
	if (!isfinite(v))
		v = v > 0 ? 1e308 : 0.0;
	return json_object_new_double(round(v * 1000.0) / 1000.0);
}

static struct json_object *alert_hosts(const struct detect_incident *inc)
{
	struct json_object *a = json_object_new_array();
	char buf[64];
	unsigned int i;

	for (i = 0; a && i < inc->n_hosts && i < DETECT_MAX_HOSTS; i++) {
		eve_addr(buf, sizeof(buf), inc->hosts[i]);
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

static struct json_object *alert_ports(const struct detect_incident *inc)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; a && i < inc->n_ports && i < DETECT_MAX_PORTS; i++)
		json_object_array_add(a, json_object_new_int(inc->ports[i]));
	return a;
}

struct json_object *alert_json(const struct alert_ctx *ctx, const struct detect_incident *inc)
{
	const struct detect_info *di = detect_info(inc->det);
	struct eve_header h = {
		.wall_ns = (uint64_t)((int64_t)inc->ts_ns + ctx->wall_offset_ns),
		.event_type = "alert",
		.sensor_name = ctx->sensor_name,
		.in_iface = ctx->in_iface,
		.src = inc->src,
		.dst = inc->dst,
		.src_port = 0,
		.dst_port = inc->dst_port,
		.proto = inc->proto,
	};
	struct json_object *o, *a, *v;
	char ts[48];

	if (!di)
		return NULL;
	o = eve_new(&h);
	if (!o)
		return NULL;
	a = json_object_new_object();
	json_object_object_add(a, "action", json_object_new_string("allowed"));
	json_object_object_add(a, "gid", json_object_new_int(1));
	json_object_object_add(a, "signature_id", json_object_new_int((int32_t)di->signature_id));
	json_object_object_add(a, "rev", json_object_new_int(1));
	json_object_object_add(a, "signature", json_object_new_string(di->signature));
	json_object_object_add(a, "category", json_object_new_string(di->category));
	json_object_object_add(a, "severity", json_object_new_int(di->severity));
	json_object_object_add(o, "alert", a);

	v = json_object_new_object();
	json_object_object_add(v, "detector", json_object_new_string(di->name));
	json_object_object_add(v, "metric", json_object_new_string(inc->metric ? inc->metric : ""));
	json_object_object_add(v, "state", json_object_new_string(alert_state_names[inc->state % 3]));
	json_object_object_add(v, "incident_id", json_object_new_int64((int64_t)inc->incident_id));
	json_object_object_add(v, "action", json_object_new_string(alert_action_names[inc->action & 1]));
	json_object_object_add(v, "observed", alert_double(inc->observed));
	json_object_object_add(v, "expected", alert_double(inc->expected));
	json_object_object_add(v, "threshold", alert_double(inc->threshold));
	json_object_object_add(v, "zscore", alert_double(inc->zscore));
	json_object_object_add(v, "window_s", alert_double(inc->window_s));
	json_object_object_add(v, "learning", json_object_new_boolean(inc->learning));
	json_object_object_add(v, "peak", alert_double(inc->peak));
	json_object_object_add(v, "packets", json_object_new_int64((int64_t)inc->count));
	eve_timestamp(ts, sizeof(ts), (uint64_t)((int64_t)inc->start_ns + ctx->wall_offset_ns));
	json_object_object_add(v, "onset", json_object_new_string(ts));
	json_object_object_add(v, "duration_s",
			       alert_double(inc->last_ns > inc->start_ns ? (double)(inc->last_ns - inc->start_ns) / 1e9 : 0));
	json_object_object_add(v, "hosts", alert_hosts(inc));
	json_object_object_add(v, "ports", alert_ports(inc));
	if (inc->distinct)
		json_object_object_add(v, "distinct", json_object_new_int64(inc->distinct));
	if (inc->src_spread)
		json_object_object_add(v, "src_spread", json_object_new_boolean(true));
	if (inc->detail[0])
		json_object_object_add(v, "detail", json_object_new_string(inc->detail));
	json_object_object_add(o, "vigil", v);
	return o;
}

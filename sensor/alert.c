// SPDX-License-Identifier: GPL-2.0-only
/*
 * alert.c: turns any detector's incident event into an EVE event. An
 * incident's start is one `alert` (alert{} is what Suricata consumers expect,
 * so a SIEM counts one alert per incident); its updates and its end are
 * `incident` events with the same vigil{} body. vigil{} says why it is
 * unusual: the metric, what was observed, what the learned baseline expected,
 * where, and the conversations involved.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "eve.h"
#include "mitre.h"

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

/* The flow table's id of one conversation (ICMP keyed by type and pair/code, as XDP does). */
static uint64_t alert_flow_id(const struct detect_tuple *f, bool icmp)
{
	uint16_t sp = f->src_port, dp = f->dst_port;
	int c = memcmp(f->src, f->dst, 16);

	if (icmp)
		eve_icmp_ports(f->proto, (uint8_t)f->src_port, (uint8_t)f->dst_port, &sp, &dp);
	if (c < 0 || (c == 0 && sp <= dp))
		return eve_flow_id(f->src, sp, f->dst, dp, f->proto);
	return eve_flow_id(f->dst, dp, f->src, sp, f->proto);
}

/* vigil.flows: how many conversations, and the ids of the first ones (they match flow events) */
static struct json_object *alert_flows(const struct detect_incident *inc)
{
	struct json_object *o = json_object_new_object(), *ids = json_object_new_array();
	unsigned int i;

	for (i = 0; ids && i < inc->n_flows && i < DETECT_MAX_FLOWS; i++) {
		const struct detect_tuple *f = &inc->flows[i];

		json_object_array_add(ids, json_object_new_int64((int64_t)alert_flow_id(f, f->proto == 1 ||
											 f->proto == 58)));
	}
	json_object_object_add(o, "count", json_object_new_int64((int64_t)(inc->flow_count > inc->n_flows
										     ? inc->flow_count
										     : inc->n_flows)));
	json_object_object_add(o, "flow_ids", ids);
	return o;
}

/*
 * alert.metadata: the MITRE ATT&CK technique and tactic, and for an intel
 * match its feed and indicator, arrays of strings as EVE rules carry them
 */
static struct json_object *alert_metadata(const char *technique, const struct detect_intel *in)
{
	const struct mitre_technique *t = mitre_lookup(technique);
	struct json_object *m;
	char conf[8];

	if (!t && !in->feed[0])
		return NULL;
	m = json_object_new_object();
#define ALERT_META(key, val)                                                                 \
	do {                                                                                 \
		struct json_object *a = json_object_new_array();                            \
		json_object_array_add(a, json_object_new_string(val));                      \
		json_object_object_add(m, key, a);                                          \
	} while (0)
	if (t) {
		ALERT_META("mitre_tactic_id", t->tactic_id);
		ALERT_META("mitre_tactic_name", t->tactic);
		ALERT_META("mitre_technique_id", t->id);
		ALERT_META("mitre_technique_name", t->name);
	}
	if (in->feed[0]) {
		snprintf(conf, sizeof(conf), "%u", in->confidence);
		ALERT_META("intel_feed", in->feed);
		ALERT_META("intel_indicator", in->indicator);
		ALERT_META("intel_type", in->type ? in->type : "");
		ALERT_META("intel_confidence", conf);
	}
#undef ALERT_META
	return m;
}

/* vigil.intel: what an intel match was */
static struct json_object *alert_intel(const struct detect_intel *in)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "feed", json_object_new_string(in->feed));
	json_object_object_add(o, "indicator", json_object_new_string(in->indicator));
	json_object_object_add(o, "type", json_object_new_string(in->type ? in->type : ""));
	json_object_object_add(o, "matched", json_object_new_string(in->matched));
	json_object_object_add(o, "where", json_object_new_string(in->where ? in->where : ""));
	json_object_object_add(o, "confidence", json_object_new_int(in->confidence));
	return o;
}

/* alert.source / alert.target: who did it and to whom, as Suricata names them */
static struct json_object *alert_endpoint(const uint8_t addr[16], uint16_t port, bool ports)
{
	struct json_object *o = json_object_new_object();
	char buf[64];

	eve_addr(buf, sizeof(buf), addr);
	json_object_object_add(o, "ip", json_object_new_string(buf));
	if (ports)
		json_object_object_add(o, "port", json_object_new_int(port));
	return o;
}

struct json_object *alert_json(const struct alert_ctx *ctx, const struct detect_incident *inc)
{
	static const uint8_t zero[16];
	const struct detect_info *di = detect_info(inc->det);
	bool start = inc->state == DETECT_START, has_dst = memcmp(inc->dst, zero, 16) != 0;
	struct eve_header h = {
		.wall_ns = (uint64_t)((int64_t)inc->ts_ns + ctx->wall_offset_ns),
		.event_type = start ? "alert" : "incident",
		.sensor_name = ctx->sensor_name,
		.in_iface = ctx->in_iface,
		.src = inc->src,
		.dst = inc->dst,
		.src_port = inc->src_port,
		.dst_port = inc->dst_port,
		.proto = inc->proto,
		.icmp = inc->icmp != 0,
		.arp = inc->arp != 0,
		.icmp_type = inc->icmp_type,
		.icmp_code = inc->icmp_code,
	};
	const char *technique;
	struct json_object *o, *a, *v, *meta;
	int severity;
	char ts[48];

	if (!di)
		return NULL;
	technique = inc->technique ? inc->technique : di->technique;
	severity = inc->severity >= 1 && inc->severity <= 3 ? inc->severity : di->severity;
	o = eve_new(&h);
	if (!o)
		return NULL;
	if (start) {
		a = json_object_new_object();
		json_object_object_add(a, "action", json_object_new_string("allowed"));
		json_object_object_add(a, "gid", json_object_new_int(1));
		json_object_object_add(a, "signature_id", json_object_new_int((int32_t)di->signature_id));
		json_object_object_add(a, "rev", json_object_new_int(1));
		json_object_object_add(a, "signature", json_object_new_string(di->signature));
		json_object_object_add(a, "category", json_object_new_string(di->category));
		json_object_object_add(a, "severity", json_object_new_int(severity));
		json_object_object_add(a, "source", alert_endpoint(inc->src, inc->src_port, !inc->icmp && inc->src_port));
		if (has_dst)
			json_object_object_add(a, "target",
					       alert_endpoint(inc->dst, inc->dst_port, !inc->icmp && inc->dst_port));
		meta = alert_metadata(technique, &inc->intel);
		if (meta)
			json_object_object_add(a, "metadata", meta);
		json_object_object_add(o, "alert", a);
	}

	v = json_object_new_object();
	json_object_object_add(v, "detector", json_object_new_string(di->name));
	json_object_object_add(v, "metric", json_object_new_string(inc->metric ? inc->metric : ""));
	json_object_object_add(v, "state", json_object_new_string(alert_state_names[inc->state % 3]));
	json_object_object_add(v, "incident_id", json_object_new_int64((int64_t)inc->incident_id));
	json_object_object_add(v, "signature_id", json_object_new_int((int32_t)di->signature_id));
	json_object_object_add(v, "severity", json_object_new_int(severity));
	if (technique)
		json_object_object_add(v, "technique", json_object_new_string(technique));
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
	if (inc->n_flows)
		json_object_object_add(v, "flows", alert_flows(inc));
	if (inc->distinct)
		json_object_object_add(v, "distinct", json_object_new_int64(inc->distinct));
	if (inc->src_spread)
		json_object_object_add(v, "src_spread", json_object_new_boolean(true));
	if (inc->detail[0])
		json_object_object_add(v, "detail", json_object_new_string(inc->detail));
	if (inc->intel.feed[0])
		json_object_object_add(v, "intel", alert_intel(&inc->intel));
	json_object_object_add(o, "vigil", v);
	return o;
}

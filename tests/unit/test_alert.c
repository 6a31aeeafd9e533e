// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_alert.c: the EVE shape of incidents (alert.c): a start is one `alert`
 * with alert{} and its MITRE metadata, updates and the end are `incident`
 * events without alert{}; a conversation's real ports, ICMP's type and code
 * instead of ports, flow ids equal to the flow table's, and the severity an
 * incident's evidence set.
 */
#include <string.h>

#include "alert.h"
#include "eve.h"
#include "testlib.h"

static void ip4(uint8_t a[16], uint32_t v)
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)(v >> 24);
	a[13] = (uint8_t)(v >> 16);
	a[14] = (uint8_t)(v >> 8);
	a[15] = (uint8_t)v;
}

static const char *str(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return json_object_get_string(v);
}

static bool has(struct json_object *o, const char *k)
{
	return json_object_object_get_ex(o, k, NULL);
}

int main(void)
{
	struct alert_ctx ctx = { .sensor_name = "t", .in_iface = "replay", .wall_offset_ns = 0 };
	struct detect_incident inc = { 0 };
	struct json_object *o, *v, *m, *ids;
	uint8_t a[16], b[16];
	uint64_t fid;

	ip4(inc.src, 0xc6336407);
	ip4(inc.dst, 0x0a010150);
	inc.det = DETECT_BRUTEFORCE;
	inc.state = DETECT_START;
	inc.incident_id = 7;
	inc.metric = "failed_logins";
	inc.src_port = 40022;
	inc.dst_port = 22;
	inc.proto = 6;
	inc.ts_ns = 1700000000000000000ULL;
	inc.start_ns = inc.ts_ns;
	inc.n_flows = 1;
	inc.flow_count = 3;
	memcpy(inc.flows[0].src, inc.src, 16);
	memcpy(inc.flows[0].dst, inc.dst, 16);
	inc.flows[0].src_port = 40022;
	inc.flows[0].dst_port = 22;
	inc.flows[0].proto = 6;
	o = alert_json(&ctx, &inc);
	testlib_case("start: event_type alert", o && !strcmp(str(o, "event_type", NULL), "alert"), "%s",
		     o ? str(o, "event_type", NULL) : "null");
	testlib_case("start: the conversation's real ports", !strcmp(str(o, "src_port", NULL), "40022") &&
		     !strcmp(str(o, "dest_port", NULL), "22"), "%s", str(o, "src_port", NULL));
	json_object_object_get_ex(o, "alert", &v);
	testlib_case("start: MITRE technique in alert.metadata",
		     json_object_object_get_ex(v, "metadata", &m) && json_object_object_get_ex(m, "mitre_technique_id", &m) &&
		     !strcmp(json_object_get_string(json_object_array_get_idx(m, 0)), "T1110.001"), "no");
	testlib_case("start: alert.source is the attacker", !strcmp(str(v, "source", "ip"), "198.51.100.7"), "%s",
		     str(v, "source", "ip"));
	json_object_object_get_ex(o, "vigil", &v);
	json_object_object_get_ex(v, "flows", &m);
	json_object_object_get_ex(m, "flow_ids", &ids);
	ip4(a, 0xc6336407);
	ip4(b, 0x0a010150);
	fid = eve_flow_id(b, 22, a, 40022, 6);	/* the flow table's canonical order: lower address first */
	testlib_case("start: vigil.flows names the flow table's id, and the count", json_object_array_length(ids) == 1 &&
		     (uint64_t)json_object_get_int64(json_object_array_get_idx(ids, 0)) == fid &&
		     !strcmp(str(m, "count", NULL), "3") && !strcmp(str(o, "flow_id", NULL), str(o, "flow_id", NULL)),
		     "no");
	testlib_case("start: the alert's flow_id is its conversation's",
		     (uint64_t)json_object_get_int64(json_object_object_get(o, "flow_id")) == fid, "no");
	json_object_put(o);

	inc.state = DETECT_UPDATE;
	inc.severity = 1;
	o = alert_json(&ctx, &inc);
	testlib_case("update: event_type incident, no alert{}", !strcmp(str(o, "event_type", NULL), "incident") &&
		     !has(o, "alert"), "%s", str(o, "event_type", NULL));
	testlib_case("update: the severity the evidence set", !strcmp(str(o, "vigil", "severity"), "1"), "%s",
		     str(o, "vigil", "severity"));
	json_object_put(o);

	inc.state = DETECT_START;
	inc.det = DETECT_PORTSCAN;
	inc.proto = 1;
	inc.icmp = 1;
	inc.icmp_type = 13;
	inc.icmp_code = 0;
	inc.src_port = inc.dst_port = 0;
	inc.n_flows = 0;
	o = alert_json(&ctx, &inc);
	testlib_case("icmp: type and code, no ports", !has(o, "src_port") && !has(o, "dest_port") &&
		     !strcmp(str(o, "icmp_type", NULL), "13") && !strcmp(str(o, "icmp_code", NULL), "0"), "no");
	/* the flow table keys a timestamp request as (13, its reply type 14) */
	fid = eve_flow_id(b, 14, a, 13, 1);
	testlib_case("icmp: flow_id as the flow table keys it (type, paired type)",
		     (uint64_t)json_object_get_int64(json_object_object_get(o, "flow_id")) == fid, "no");
	json_object_put(o);
	return testlib_done();
}

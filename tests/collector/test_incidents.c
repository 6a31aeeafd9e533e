// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_incidents.c: the console's read model (collector/collector_incidents.c)
 * over a store filled through collector_store_append, no sockets: incidents
 * assembled from both event models (every event an `alert` with vigil.state,
 * as sensors sent them first; an `alert` then `incident` events, as
 * docs/events.md has it now), each filter, id resolution, a host's baselines,
 * the sensors' health, a row SQLite's JSON cannot read, the evidence lookup
 * of collector_store for digests carried by `incident` events, and the
 * migration of a database written before the incident_id column. Addresses
 * as CIDR prefixes are a table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "testlib.h"
#include "collector_incidents.h"
#include "collector_store.h"

#define SHA_A5 "1111111111111111111111111111111111111111111111111111111111111111"
#define SHA_A6 "6666666666666666666666666666666666666666666666666666666666666666"
#define CID_6 "1:aaaaaaaaaaaaaaaaaaaaaaaaaaa="

/* One stored event: sensor, seq, its text. */
static const struct {
	const char *sensor;
	uint64_t seq;
	const char *json;
} events[] = {
	/* a:5, the first model: start, update, end, then the evidence update after the end */
	{ "a", 1, "{\"timestamp\":\"2024-01-01T10:00:00.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"10.0.0.5\","
		  "\"src_port\":0,\"dest_ip\":\"192.0.2.10\",\"dest_port\":80,\"proto\":\"UDP\",\"community_id\":\"1:five=\","
		  "\"flow_id\":55,\"alert\":{\"signature\":\"VIGIL flood\",\"signature_id\":9100001,\"severity\":2},"
		  "\"vigil\":{\"detector\":\"flood\",\"metric\":\"pps\",\"state\":\"start\",\"incident_id\":5,"
		  "\"observed\":10,\"expected\":1,\"threshold\":5,\"zscore\":9,\"window_s\":1,"
		  "\"evidence\":{\"file\":\"a-flood-5.pcapng\",\"status\":\"capturing\"}}}" },
	{ "a", 2, "{\"timestamp\":\"2024-01-01T10:00:01.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"10.0.0.5\","
		  "\"dest_ip\":\"192.0.2.10\",\"alert\":{\"severity\":2},\"vigil\":{\"detector\":\"flood\",\"state\":\"update\","
		  "\"incident_id\":5,\"observed\":20,\"expected\":1,\"threshold\":5}}" },
	{ "a", 3, "{\"timestamp\":\"2024-01-01T10:00:03.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"10.0.0.5\","
		  "\"dest_ip\":\"192.0.2.10\",\"alert\":{\"severity\":2},\"vigil\":{\"detector\":\"flood\",\"state\":\"end\","
		  "\"incident_id\":5,\"observed\":15,\"expected\":1,\"threshold\":5}}" },
	{ "a", 4, "{\"timestamp\":\"2024-01-01T10:00:04.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"10.0.0.5\","
		  "\"dest_ip\":\"192.0.2.10\",\"alert\":{\"severity\":2},\"vigil\":{\"detector\":\"flood\",\"state\":\"update\","
		  "\"incident_id\":5,\"observed\":15,\"expected\":1,\"evidence\":{\"file\":\"a-flood-5.pcapng\","
		  "\"status\":\"complete\",\"sha256\":\"" SHA_A5 "\"}}}" },
	/* a:6, the model of docs/events.md: an alert, then incident events; an update raises the severity */
	{ "a", 5, "{\"timestamp\":\"2024-02-01T08:00:00.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"172.16.1.9\","
		  "\"src_port\":51000,\"dest_ip\":\"192.168.56.103\",\"dest_port\":22,\"proto\":\"TCP\",\"community_id\":\"" CID_6 "\","
		  "\"flow_id\":66,\"alert\":{\"signature\":\"VIGIL bruteforce\",\"signature_id\":9100005,\"severity\":3,"
		  "\"metadata\":{\"mitre_technique_id\":[\"T1110.001\"]}},\"vigil\":{\"detector\":\"bruteforce\",\"metric\":"
		  "\"short_sessions\",\"state\":\"start\",\"incident_id\":6,\"signature_id\":9100005,\"severity\":3,"
		  "\"observed\":8,\"expected\":0,\"threshold\":8,\"hosts\":[\"192.168.56.103\"],"
		  "\"flows\":{\"count\":1,\"flow_ids\":[66]}}}" },
	{ "a", 6, "{\"timestamp\":\"2024-02-01T08:00:10.000000+0000\",\"event_type\":\"incident\",\"src_ip\":\"172.16.1.9\","
		  "\"dest_ip\":\"192.168.56.103\",\"community_id\":\"" CID_6 "\",\"vigil\":{\"detector\":\"bruteforce\","
		  "\"state\":\"update\",\"incident_id\":6,\"severity\":1,\"observed\":12,\"expected\":0,\"threshold\":8,"
		  "\"detail\":\"a login was accepted\",\"flows\":{\"count\":3,\"flow_ids\":[66,67,68]}}}" },
	{ "a", 7, "{\"timestamp\":\"2024-02-01T08:00:11.000000+0000\",\"event_type\":\"incident\",\"src_ip\":\"172.16.1.9\","
		  "\"dest_ip\":\"192.168.56.103\",\"vigil\":{\"detector\":\"bruteforce\",\"state\":\"update\",\"incident_id\":6,"
		  "\"severity\":1,\"observed\":12,\"expected\":0,\"evidence\":{\"file\":\"a-bruteforce-6.pcapng\","
		  "\"status\":\"complete\",\"bytes\":100,\"sha256\":\"" SHA_A6 "\"}}}" },
	{ "a", 8, "{\"timestamp\":\"2024-02-01T08:00:20.000000+0000\",\"event_type\":\"incident\",\"src_ip\":\"172.16.1.9\","
		  "\"dest_ip\":\"192.168.56.103\",\"vigil\":{\"detector\":\"bruteforce\",\"state\":\"end\",\"incident_id\":6,"
		  "\"severity\":1,\"observed\":9,\"expected\":0}}" },
	/* b:6: the same number from another sensor, and the same conversation */
	{ "b", 1, "{\"timestamp\":\"2024-03-01T00:00:00.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"172.16.1.9\","
		  "\"dest_ip\":\"198.51.100.1\",\"community_id\":\"" CID_6 "\",\"alert\":{\"signature\":\"<script>x()</script>\","
		  "\"severity\":3},\"vigil\":{\"detector\":\"portscan\",\"metric\":\"distinct_ports\",\"state\":\"start\","
		  "\"incident_id\":6,\"observed\":30,\"expected\":2,\"threshold\":20}}" },
	/* a:9: json-c reads NaN, SQLite's JSON does not: no query may fail because of it */
	{ "a", 9, "{\"timestamp\":\"2023-06-01T00:00:00.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"10.9.9.9\","
		  "\"alert\":{\"severity\":3},\"vigil\":{\"detector\":\"anomaly\",\"state\":\"start\",\"incident_id\":9,"
		  "\"observed\":NaN,\"expected\":1}}" },
	/* a's health, and an event that belongs to no incident */
	{ "a", 10, "{\"timestamp\":\"2024-02-01T08:01:00.000000+0000\",\"event_type\":\"stats\",\"stats\":{\"uptime\":60,"
		   "\"decoder\":{\"pkts\":1000},\"capture\":{\"kernel_packets\":1000,\"kernel_drops\":7,"
		   "\"kernel_ifdrops\":2},\"vigil_capture\":{\"lost\":9,\"loss_1m\":0.25},"
		   "\"vigil_publish\":{\"spool_bytes\":4096,\"queued\":2,\"connected\":true},"
		   "\"vigil_sensor\":{\"version\":\"9.9.9\"}}}" },
	{ "a", 11, "{\"timestamp\":\"2024-02-01T08:01:01.000000+0000\",\"event_type\":\"flow\",\"src_ip\":\"10.0.0.5\"}" },
};

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
											       : "";
}

static int64_t num(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : -1;
}

/* The ids of a list answer, space-separated. */
static void ids(struct json_object *res, char *out, size_t len)
{
	struct json_object *arr = json_object_object_get(res, "incidents");

	out[0] = '\0';
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "",
			 str(json_object_array_get_idx(arr, i), "id"));
}

static struct json_object *row_of(struct json_object *res, const char *id)
{
	struct json_object *arr = json_object_object_get(res, "incidents");

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (!strcmp(str(json_object_array_get_idx(arr, i), "id"), id))
			return json_object_array_get_idx(arr, i);
	return NULL;
}

static void test_cidr(void)
{
	static const struct {
		const char *cidr, *ip;
		int parse;	/* 0 or -EINVAL */
		bool match;
	} rows[] = {
		{ "10.0.0.0/8", "10.1.2.3", 0, true },
		{ "10.0.0.0/8", "11.0.0.1", 0, false },
		{ "192.0.2.7", "192.0.2.7", 0, true },
		{ "192.0.2.7", "192.0.2.8", 0, false },
		{ "192.168.56.0/25", "192.168.56.127", 0, true },
		{ "192.168.56.0/25", "192.168.56.128", 0, false },
		{ "0.0.0.0/0", "203.0.113.9", 0, true },
		{ "2001:db8::/32", "2001:db8:1::1", 0, true },
		{ "2001:db8::/32", "2001:db9::1", 0, false },
		{ "10.0.0.0/8", "2001:db8::1", 0, false },
		{ "::1", "::1", 0, true },
		{ "10.0.0.0/33", NULL, -EINVAL, false },
		{ "10.0.0.0/-1", NULL, -EINVAL, false },
		{ "10.0.0.0/", NULL, -EINVAL, false },
		{ "10.0.0", NULL, -EINVAL, false },
		{ "<script>", NULL, -EINVAL, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct collector_cidr c;
		char name[96];
		int rc = collector_cidr_parse(rows[i].cidr, &c);

		snprintf(name, sizeof(name), "cidr %s %s %s", rows[i].cidr, rows[i].ip ? "vs" : "",
			 rows[i].ip ? rows[i].ip : "refused");
		testlib_case(name, rc == rows[i].parse && (rc || collector_cidr_match(&c, rows[i].ip) == rows[i].match),
			     "parse %d, match %d", rc, rc ? -1 : collector_cidr_match(&c, rows[i].ip));
	}
}

static int fill(const char *dir, char *db)
{
	struct collector_store_cfg cfg = { 0 };
	struct collector_store *s = NULL;
	char jsonl[256], err[256];
	int rc;

	snprintf(jsonl, sizeof(jsonl), "%s/events.jsonl", dir);
	snprintf(db, 256, "%s/events.db", dir);
	cfg.jsonl = jsonl;
	cfg.sqlite = db;
	cfg.keep = 1;
	rc = collector_store_open(&cfg, &s, NULL, err, sizeof(err));
	if (rc) {
		printf("store: %s\n", err);
		return rc;
	}
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		struct json_object *o = collector_store_parse_json(events[i].json, strlen(events[i].json));
		struct collector_store_meta m;

		if (!o) {
			printf("event %zu does not parse\n", i);
			rc = -EINVAL;
			break;
		}
		collector_store_meta_from(o, &m);
		rc = collector_store_append(s, events[i].sensor, strlen(events[i].sensor), events[i].seq, events[i].json,
					    strlen(events[i].json), &m, 1700000000000000LL + (int64_t)i);
		json_object_put(o);
		if (rc)
			break;
	}
	if (!rc)
		rc = collector_store_flush(s);
	if (!rc) {
		char hex[65], names[4][64];
		size_t n = 0;

		collector_store_incident_sha256(s, "a", 6, hex);
		testlib_case("store: the evidence digest of a:6 comes from its incident update", !strcmp(hex, SHA_A6),
			     "got '%s'", hex);
		collector_store_incident_sha256(s, "a", 5, hex);
		testlib_case("store: a:5's digest from the update after its end", !strcmp(hex, SHA_A5), "got '%s'", hex);
		collector_store_incident_sensors(s, 6, names, 4, &n);
		testlib_case("store: incident 6 was reported by a and b", n == 2 && !strcmp(names[0], "a") &&
			     !strcmp(names[1], "b"), "n=%zu", n);
	}
	collector_store_free(s);
	return rc;
}

static void test_list(struct collector_incidents *ci)
{
	static const struct {
		const char *name;
		struct collector_incidents_filter f;
		const char *cidr, *ids;
		bool more;
	} rows[] = {
		{ "list: every incident, newest first", { 0 }, NULL, "b:6 a:6 a:5 a:9", false },
		{ "filter sensor", { .sensor = "b" }, NULL, "b:6", false },
		{ "filter detector", { .detector = "flood" }, NULL, "a:5", false },
		{ "filter severity 1 (raised by an incident update)", { .severity = 1 }, NULL, "a:6", false },
		{ "filter severity 2", { .severity = 2 }, NULL, "a:6 a:5", false },
		{ "filter host CIDR (src, dest or vigil.hosts)", { 0 }, "192.168.56.0/24", "a:6", false },
		{ "filter host address", { 0 }, "172.16.1.9", "b:6 a:6", false },
		{ "filter host IPv6 matches none", { 0 }, "2001:db8::/32", "", false },
		{ "filter community_id", { .community_id = CID_6 }, NULL, "b:6 a:6", false },
		{ "filter since (seen at or after)", { .has_since = true, .since_us = 1706774415000000LL }, NULL,
		  "b:6 a:6", false },
		{ "filter until (seen before)", { .has_until = true, .until_us = 1704103201000000LL }, NULL, "a:5 a:9",
		  false },
		{ "filter since and until", { .has_since = true, .since_us = 1704103202000000LL, .has_until = true,
					      .until_us = 1706774401000000LL }, NULL, "a:6 a:5", false },
		{ "limit, and more", { .limit = 2 }, NULL, "b:6 a:6", true },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct collector_incidents_filter f = rows[i].f;
		struct collector_cidr c;
		struct json_object *res = NULL;
		char got[256] = "";
		int rc;

		if (rows[i].cidr) {
			collector_cidr_parse(rows[i].cidr, &c);
			f.host = &c;
		}
		rc = collector_incidents_list(ci, &f, &res);
		if (!rc)
			ids(res, got, sizeof(got));
		testlib_case(rows[i].name, !rc && !strcmp(got, rows[i].ids) &&
			     json_object_get_boolean(json_object_object_get(res, "more")) == rows[i].more,
			     "rc %d, got '%s', want '%s'", rc, got, rows[i].ids);
		json_object_put(res);
	}
}

static void test_rows(struct collector_incidents *ci)
{
	struct collector_incidents_filter f = { 0 };
	struct json_object *res = NULL, *r, *ev;
	int rc = collector_incidents_list(ci, &f, &res);

	r = rc ? NULL : row_of(res, "a:5");
	testlib_case("first model: 4 alert events make one incident", r && num(r, "event_count") == 4, "%s",
		     r ? json_object_to_json_string(r) : "missing");
	testlib_case("first model: ended, although an evidence update came after the end",
		     r && !strcmp(str(r, "state"), "end"), "state %s", r ? str(r, "state") : "");
	testlib_case("first model: the trigger's observed vs expected, the peak of all events",
		     r && num(r, "observed") == 10 && num(r, "expected") == 1 && num(r, "threshold") == 5 &&
		     num(r, "peak") == 20, "%s", r ? json_object_to_json_string(r) : "");
	ev = r ? json_object_object_get(r, "evidence") : NULL;
	testlib_case("first model: the evidence block that names the digest", ev && !strcmp(str(ev, "sha256"), SHA_A5),
		     "%s", ev ? json_object_to_json_string(ev) : "none");
	testlib_case("first model: first and last seen", r && !strcmp(str(r, "first_seen"), "2024-01-01T10:00:00.000000+0000") &&
		     !strcmp(str(r, "last_seen"), "2024-01-01T10:00:04.000000+0000"), "%s", "");
	r = rc ? NULL : row_of(res, "a:6");
	testlib_case("events.md model: an alert and 3 incident events make one incident",
		     r && num(r, "event_count") == 4 && !strcmp(str(r, "state"), "end"), "%s",
		     r ? json_object_to_json_string(r) : "missing");
	testlib_case("events.md model: the signature of the alert, the severity raised by an update",
		     r && !strcmp(str(r, "signature"), "VIGIL bruteforce") && num(r, "severity") == 1, "%s", "");
	ev = r ? json_object_object_get(r, "evidence") : NULL;
	testlib_case("events.md model: the evidence of the incident update", ev && !strcmp(str(ev, "sha256"), SHA_A6),
		     "%s", ev ? json_object_to_json_string(ev) : "none");
	ev = r ? json_object_object_get(r, "flows") : NULL;
	testlib_case("events.md model: flows, count and ids of all events",
		     ev && num(ev, "count") == 3 &&
		     !strcmp(json_object_to_json_string_ext(json_object_object_get(ev, "flow_ids"), JSON_C_TO_STRING_PLAIN),
			     "[66,67,68]"), "%s", ev ? json_object_to_json_string(ev) : "none");
	testlib_case("events.md model: hosts from the tuple and vigil.hosts",
		     r && !strcmp(json_object_to_json_string_ext(json_object_object_get(r, "hosts"), JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE),
				  "[\"172.16.1.9\",\"192.168.56.103\"]"), "%s", "");
	testlib_case("events.md model: detail of the latest event that has one",
		     r && !strcmp(str(r, "detail"), "a login was accepted"), "%s", "");
	r = rc ? NULL : row_of(res, "b:6");
	testlib_case("the sensor's text stays as it is (escaping is the page's)",
		     r && !strcmp(str(r, "signature"), "<script>x()</script>"), "%s", "");
	r = rc ? NULL : row_of(res, "a:9");
	testlib_case("a row SQLite's JSON cannot read is still listed", r && num(r, "event_count") == 1, "%s", "");
	json_object_put(res);
}

static void test_get(struct collector_incidents *ci)
{
	static const struct {
		const char *text, *sensor;
		int64_t id;
		int rc;
	} rows[] = {
		{ "a:5", "a", 5, 0 },
		{ "5", "a", 5, 0 },
		{ "6", NULL, 6, -EEXIST },
		{ "b:6", "b", 6, 0 },
		{ "zz:1", NULL, 1, -ENOENT },
		{ "a:77", NULL, 77, -ENOENT },
		{ "a:x", NULL, 0, -EINVAL },
		{ ":5", NULL, 0, -EINVAL },
		{ "", NULL, 0, -EINVAL },
		{ "a:0", NULL, 0, -EINVAL },
		{ "a:-5", NULL, 0, -EINVAL },
		{ "a:99999999999999999999", NULL, 0, -EINVAL },
	};
	struct json_object *d = NULL, *evs, *conv;
	int rc;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char sensor[64] = "", name[96];
		int64_t id = 0;

		rc = collector_incidents_resolve(ci, rows[i].text, sensor, &id);
		snprintf(name, sizeof(name), "resolve '%s'", rows[i].text);
		testlib_case(name, rc == rows[i].rc && (rc || (!strcmp(sensor, rows[i].sensor) && id == rows[i].id)),
			     "rc %d sensor '%s' id %lld", rc, sensor, (long long)id);
	}
	rc = collector_incidents_get(ci, "a", 6, &d);
	evs = d ? json_object_object_get(d, "events") : NULL;
	testlib_case("get a:6: its 4 events in seq order, as stored", !rc && evs && json_object_array_length(evs) == 4 &&
		     !strcmp(str(json_object_array_get_idx(evs, 0), "event_type"), "alert") &&
		     !strcmp(str(json_object_array_get_idx(evs, 3), "event_type"), "incident"), "rc %d", rc);
	conv = d ? json_object_object_get(json_object_object_get(d, "flows"), "conversations") : NULL;
	testlib_case("get a:6: its conversation, and b:6 sharing it",
		     conv && json_object_array_length(conv) == 1 &&
		     !strcmp(str(json_object_array_get_idx(conv, 0), "community_id"), CID_6) &&
		     !strcmp(json_object_to_json_string_ext(json_object_object_get(json_object_array_get_idx(conv, 0), "related"),
							    JSON_C_TO_STRING_PLAIN), "[\"b:6\"]"),
		     "%s", conv ? json_object_to_json_string(conv) : "none");
	json_object_put(d);
	d = NULL;
	testlib_case("get a:77: -ENOENT", collector_incidents_get(ci, "a", 77, &d) == -ENOENT, "%s", "");
}

static void test_host_sensors(struct collector_incidents *ci)
{
	struct json_object *h = NULL, *b, *s = NULL, *arr, *st;
	int rc = collector_incidents_host(ci, "172.16.1.9", &h);
	char got[128] = "";

	if (!rc)
		ids(h, got, sizeof(got));
	b = h ? json_object_object_get(h, "baselines") : NULL;
	testlib_case("host 172.16.1.9: its incidents", !rc && !strcmp(got, "b:6 a:6"), "rc %d '%s'", rc, got);
	testlib_case("host 172.16.1.9: one baseline per sensor/detector/metric, as source",
		     b && json_object_array_length(b) == 2 &&
		     !strcmp(str(json_object_array_get_idx(b, 1), "metric"), "short_sessions") &&
		     num(json_object_array_get_idx(b, 1), "expected") == 0 &&
		     !strcmp(str(json_object_array_get_idx(b, 1), "role"), "source"),
		     "%s", b ? json_object_to_json_string(b) : "none");
	json_object_put(h);
	h = NULL;
	rc = collector_incidents_host(ci, "192.168.56.103", &h);
	b = h ? json_object_object_get(h, "baselines") : NULL;
	testlib_case("host 192.168.56.103: destination", !rc && b && json_object_array_length(b) == 1 &&
		     !strcmp(str(json_object_array_get_idx(b, 0), "role"), "destination"), "%s", "");
	json_object_put(h);
	h = NULL;
	testlib_case("host: a CIDR or a name is not a host", collector_incidents_host(ci, "10.0.0.0/8", &h) == -EINVAL &&
		     collector_incidents_host(ci, "<b>", &h) == -EINVAL, "%s", "");

	rc = collector_incidents_sensors(ci, 1700000000000000LL + 20 * 1000000LL, &s);
	arr = s ? json_object_object_get(s, "sensors") : NULL;
	st = arr && json_object_array_length(arr) == 2 ? json_object_object_get(json_object_array_get_idx(arr, 0), "stats") : NULL;
	testlib_case("sensors: a and b", !rc && arr && json_object_array_length(arr) == 2 &&
		     !strcmp(str(json_object_array_get_idx(arr, 0), "sensor"), "a") &&
		     !strcmp(str(json_object_array_get_idx(arr, 1), "sensor"), "b"), "rc %d", rc);
	testlib_case("sensors: a's version, capture loss, spool from its newest stats event",
		     st && !strcmp(str(st, "version"), "9.9.9") && num(st, "capture_drops") == 7 &&
		     num(st, "capture_packets") == 1000 && num(st, "capture_ifdrops") == 2 && num(st, "capture_lost") == 9 &&
		     json_object_get_double(json_object_object_get(st, "capture_loss_1m")) == 0.25 && num(st, "spool_bytes") == 4096 && num(st, "packets") == 1000,
		     "%s", st ? json_object_to_json_string(st) : "none");
	testlib_case("sensors: a's newest event, its age, its incidents",
		     arr && !strcmp(str(json_object_array_get_idx(arr, 0), "last_event"), "2024-02-01T08:01:01.000000+0000") &&
		     num(json_object_array_get_idx(arr, 0), "incidents") == 3 &&
		     num(json_object_array_get_idx(arr, 0), "last_received_age_s") == 19, "%s",
		     arr ? json_object_to_json_string(json_object_array_get_idx(arr, 0)) : "");
	testlib_case("sensors: b without stats has no health", arr && !json_object_object_get(json_object_array_get_idx(arr, 1),
											     "stats"), "%s", "");
	json_object_put(s);
}

/* A database of the collector before the incident_id column: opened, migrated, read. */
static void test_migrate(const char *dir)
{
	static const char old_schema[] =
		"CREATE TABLE events(id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, seq INTEGER NOT NULL, ts_us INTEGER,"
		" event_type TEXT NOT NULL, detector TEXT, severity INTEGER, src_ip TEXT, dest_ip TEXT,"
		" received_us INTEGER NOT NULL, json TEXT NOT NULL, UNIQUE(sensor, seq));"
		"INSERT INTO events(sensor, seq, ts_us, event_type, detector, severity, received_us, json) VALUES"
		" ('old', 1, 1, 'alert', 'flood', 2, 1, '{\"timestamp\":\"2020-01-01T00:00:00Z\",\"event_type\":\"alert\","
		"\"alert\":{\"severity\":2},\"vigil\":{\"detector\":\"flood\",\"state\":\"start\",\"incident_id\":3}}'),"
		" ('old', 2, 2, 'incident', 'flood', NULL, 2, '{\"timestamp\":\"2020-01-01T00:00:01Z\",\"event_type\":"
		"\"incident\",\"vigil\":{\"detector\":\"flood\",\"state\":\"end\",\"severity\":1,\"incident_id\":3}}'),"
		" ('old', 3, 3, 'alert', NULL, NULL, 3, '{\"event_type\":\"alert\",\"x\":NaN}'),"
		" ('old', 4, 4, 'stats', NULL, NULL, 4, '{\"event_type\":\"stats\"}');";
	struct collector_store_cfg cfg = { 0 };
	struct collector_store *s = NULL;
	struct collector_incidents *ci = NULL;
	struct collector_incidents_filter f = { 0 };
	struct json_object *res = NULL, *r;
	char db[256], jsonl[256], err[256];
	sqlite3 *h = NULL;
	int rc;

	snprintf(db, sizeof(db), "%s/old.db", dir);
	snprintf(jsonl, sizeof(jsonl), "%s/old.jsonl", dir);
	rc = sqlite3_open(db, &h) != SQLITE_OK || sqlite3_exec(h, old_schema, NULL, NULL, NULL) != SQLITE_OK;
	sqlite3_close(h);
	cfg.jsonl = jsonl;
	cfg.sqlite = db;
	cfg.keep = 1;
	if (!rc)
		rc = collector_store_open(&cfg, &s, NULL, err, sizeof(err));
	testlib_case("migrate: a database without incident_id opens", !rc, "%s", rc ? err : "");
	collector_store_free(s);
	if (!rc)
		rc = collector_incidents_open(db, &ci, err, sizeof(err));
	if (!rc)
		rc = collector_incidents_list(ci, &f, &res);
	r = res ? row_of(res, "old:3") : NULL;
	testlib_case("migrate: its alert and incident events are one incident, severity filled from vigil",
		     r && num(r, "event_count") == 2 && num(r, "severity") == 1 && !strcmp(str(r, "state"), "end"),
		     "rc %d %s", rc, res ? json_object_to_json_string(res) : "");
	json_object_put(res);
	collector_incidents_close(ci);
}

int main(void)
{
	char dir[] = "/tmp/vigil-incidents.XXXXXX", db[256], path[300];
	struct collector_incidents *ci = NULL;
	char why[256];
	int rc;

	test_cidr();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = fill(dir, db);
	testlib_case("store: every event appended", rc == 0, "rc %d", rc);
	rc = collector_incidents_open(db, &ci, why, sizeof(why));
	testlib_case("open the database read-only", rc == 0, "%s", why);
	if (!rc) {
		test_list(ci);
		test_rows(ci);
		test_get(ci);
		test_host_sensors(ci);
	}
	collector_incidents_close(ci);
	testlib_case("open without a database: -ENOENT", collector_incidents_open("/nonexistent/x.db", &ci, why,
										    sizeof(why)) == -ENOENT, "%s", why);
	test_migrate(dir);
	for (const char *f = "events.jsonl\0events.db\0events.db-wal\0events.db-shm\0old.db\0old.jsonl\0old.db-wal\0"
			     "old.db-shm\0"; *f; f += strlen(f) + 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, f);
		unlink(path);
	}
	rmdir(dir);
	return testlib_done();
}

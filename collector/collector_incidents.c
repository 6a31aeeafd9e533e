// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_incidents.c: incidents assembled from the stored events. SQLite
 * groups the events by (sensor, incident_id) through the column and index the
 * store keeps for that; json-c then folds each incident's events, in seq
 * order, into one row: the trigger (the start), the worst severity, every
 * host, the latest evidence. Every string stays the sensor's text: escaping
 * is the page's job (it only ever sets textContent).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "collector_incidents.h"
#include "collector_store.h"

#define CI_HOSTS_MAX 64		/* hosts listed per incident */
#define CI_FLOW_IDS_MAX 64	/* flow ids listed per incident */
#define CI_RELATED_MAX 50	/* incidents listed as sharing a conversation */
#define CI_HOST_INCIDENTS 200	/* incidents on a host's page */

struct collector_incidents {
	sqlite3 *db;
};

/* One stored event of an incident. */
struct ci_event {
	int64_t seq;
	int64_t ts_us;		/* INT64_MIN: none */
	struct json_object *o;
};

int collector_cidr_parse(const char *s, struct collector_cidr *c)
{
	char buf[64], *slash, *end;
	unsigned long bits;
	unsigned int max;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	c->bits = max;
	if (slash) {
		errno = 0;
		bits = strtoul(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || slash[1] == '-' || bits > max)
			return -EINVAL;
		c->bits = (unsigned int)bits;
	}
	return 0;
}

bool collector_cidr_match(const struct collector_cidr *c, const char *ip)
{
	uint8_t a[16];
	unsigned int full, rest;

	if (!ip || inet_pton(c->family, ip, a) != 1)
		return false;
	full = c->bits / 8;
	rest = c->bits % 8;
	if (memcmp(a, c->addr, full))
		return false;
	return !rest || ((a[full] ^ c->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* o.k1[.k2], NULL when absent (borrowed). */
static struct json_object *ci_get(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k1, &v))
		return NULL;
	if (!k2)
		return v;
	if (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, k2, &v))
		return NULL;
	return v;
}

static const char *ci_str(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v = ci_get(o, k1, k2);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool ci_num(struct json_object *o, const char *k1, const char *k2, double *out)
{
	struct json_object *v = ci_get(o, k1, k2);

	if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

/* row.key = a new reference to o.k1[.k2] when present. */
static void ci_copy(struct json_object *row, const char *key, struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v = ci_get(o, k1, k2);

	if (v)
		json_object_object_add(row, key, json_object_get(v));
}

/* Append s to the array of strings arr unless it is there or arr holds max. */
static void ci_add_unique(struct json_object *arr, const char *s, size_t max)
{
	size_t n = json_object_array_length(arr);

	if (!s || !s[0] || n >= max)
		return;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return;
	json_object_array_add(arr, json_object_new_string(s));
}

static void ci_add_unique_int(struct json_object *arr, int64_t v, size_t max)
{
	size_t n = json_object_array_length(arr);

	if (n >= max)
		return;
	for (size_t i = 0; i < n; i++)
		if (json_object_get_int64(json_object_array_get_idx(arr, i)) == v)
			return;
	json_object_array_add(arr, json_object_new_int64(v));
}

/* The severity an event states: alert.severity, else vigil.severity; 0 when none. */
static int ci_severity(struct json_object *o)
{
	struct json_object *v = ci_get(o, "alert", "severity");

	if (!v || !json_object_is_type(v, json_type_int))
		v = ci_get(o, "vigil", "severity");
	return v && json_object_is_type(v, json_type_int) ? json_object_get_int(v) : 0;
}

static void ci_id_text(char *buf, size_t len, const char *sensor, int64_t id)
{
	snprintf(buf, len, "%s:%" PRId64, sensor, id);
}

/*
 * Fold one incident's events (seq order, n >= 1) into its row. The trigger is
 * the start event (the first `alert`, else the first event); the state is
 * `end` once an end was seen (an evidence update may follow the end).
 */
static struct json_object *ci_row(const char *sensor, int64_t id, const struct ci_event *ev, size_t n,
				  bool truncated)
{
	struct json_object *row = json_object_new_object(), *head = ev[0].o, *alert = NULL, *hosts, *flow_ids,
			   *evidence = NULL, *flows_v;
	const char *state = NULL, *detail = NULL, *first_ts = NULL, *last_ts = NULL;
	int64_t first_us = INT64_MAX, last_us = INT64_MIN, flow_count = 0;
	double peak = 0, v;
	bool has_peak = false, ended = false;
	int sev = 0;
	char idt[128];

	for (size_t i = 0; i < n; i++) {
		const char *et = ci_str(ev[i].o, "event_type", NULL);

		if (et && !strcmp(et, "alert")) {
			head = ev[i].o;
			break;
		}
	}
	hosts = json_object_new_array();
	flow_ids = json_object_new_array();
	ci_add_unique(hosts, ci_str(head, "src_ip", NULL), CI_HOSTS_MAX);
	ci_add_unique(hosts, ci_str(head, "dest_ip", NULL), CI_HOSTS_MAX);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = ev[i].o, *a, *ev_evidence;
		const char *st = ci_str(o, "vigil", "state"), *d = ci_str(o, "vigil", "detail");
		int s = ci_severity(o);

		if (!alert && (a = ci_get(o, "alert", NULL)) && json_object_is_type(a, json_type_object))
			alert = a;
		if (s > 0 && (!sev || s < sev))
			sev = s;
		if (st) {
			state = st;
			ended |= !strcmp(st, "end");
		}
		if (d && d[0])
			detail = d;
		if (ev[i].ts_us != INT64_MIN && ev[i].ts_us < first_us) {
			first_us = ev[i].ts_us;
			first_ts = ci_str(o, "timestamp", NULL);
		}
		if (ev[i].ts_us != INT64_MIN && ev[i].ts_us >= last_us) {
			last_us = ev[i].ts_us;
			last_ts = ci_str(o, "timestamp", NULL);
		}
		if (ci_num(o, "vigil", "observed", &v) && (!has_peak || v > peak)) {
			peak = v;
			has_peak = true;
		}
		if (ci_num(o, "vigil", "peak", &v) && (!has_peak || v > peak)) {
			peak = v;
			has_peak = true;
		}
		ci_add_unique(hosts, ci_str(o, "src_ip", NULL), CI_HOSTS_MAX);
		ci_add_unique(hosts, ci_str(o, "dest_ip", NULL), CI_HOSTS_MAX);
		a = ci_get(o, "vigil", "hosts");
		if (a && json_object_is_type(a, json_type_array))
			for (size_t k = 0; k < json_object_array_length(a); k++) {
				struct json_object *h = json_object_array_get_idx(a, k);

				if (json_object_is_type(h, json_type_string))
					ci_add_unique(hosts, json_object_get_string(h), CI_HOSTS_MAX);
			}
		flows_v = ci_get(o, "vigil", "flows");
		if (flows_v) {
			struct json_object *ids = ci_get(flows_v, "flow_ids", NULL), *cnt = ci_get(flows_v, "count", NULL);

			if (cnt && json_object_is_type(cnt, json_type_int) && json_object_get_int64(cnt) > flow_count)
				flow_count = json_object_get_int64(cnt);
			if (ids && json_object_is_type(ids, json_type_array))
				for (size_t k = 0; k < json_object_array_length(ids); k++) {
					struct json_object *fi = json_object_array_get_idx(ids, k);

					if (json_object_is_type(fi, json_type_int))
						ci_add_unique_int(flow_ids, json_object_get_int64(fi), CI_FLOW_IDS_MAX);
				}
		}
		ev_evidence = ci_get(o, "vigil", "evidence");
		/* the newest block that names a digest wins over a later one without ("capturing") */
		if (ev_evidence && json_object_is_type(ev_evidence, json_type_object) &&
		    (!evidence || ci_str(ev_evidence, "sha256", NULL) || !ci_str(evidence, "sha256", NULL)))
			evidence = ev_evidence;
	}
	ci_id_text(idt, sizeof(idt), sensor, id);
	json_object_object_add(row, "id", json_object_new_string(idt));
	json_object_object_add(row, "sensor", json_object_new_string(sensor));
	json_object_object_add(row, "incident_id", json_object_new_int64(id));
	ci_copy(row, "detector", head, "vigil", "detector");
	ci_copy(row, "metric", head, "vigil", "metric");
	if (alert) {
		ci_copy(row, "signature", alert, "signature", NULL);
		ci_copy(row, "signature_id", alert, "signature_id", NULL);
		ci_copy(row, "category", alert, "category", NULL);
		ci_copy(row, "action", alert, "action", NULL);
		ci_copy(row, "mitre", alert, "metadata", NULL);
	} else {
		ci_copy(row, "signature_id", head, "vigil", "signature_id");
	}
	ci_copy(row, "technique", head, "vigil", "technique");
	if (sev)
		json_object_object_add(row, "severity", json_object_new_int(sev));
	json_object_object_add(row, "state", json_object_new_string(ended ? "end" : state ? state : "start"));
	ci_copy(row, "proto", head, "proto", NULL);
	ci_copy(row, "src_ip", head, "src_ip", NULL);
	ci_copy(row, "src_port", head, "src_port", NULL);
	ci_copy(row, "dest_ip", head, "dest_ip", NULL);
	ci_copy(row, "dest_port", head, "dest_port", NULL);
	ci_copy(row, "icmp_type", head, "icmp_type", NULL);
	ci_copy(row, "icmp_code", head, "icmp_code", NULL);
	ci_copy(row, "flow_id", head, "flow_id", NULL);
	ci_copy(row, "community_id", head, "community_id", NULL);
	json_object_object_add(row, "hosts", hosts);
	if (first_ts) {
		json_object_object_add(row, "first_seen", json_object_new_string(first_ts));
		json_object_object_add(row, "first_us", json_object_new_int64(first_us));
	}
	if (last_ts) {
		json_object_object_add(row, "last_seen", json_object_new_string(last_ts));
		json_object_object_add(row, "last_us", json_object_new_int64(last_us));
	}
	json_object_object_add(row, "event_count", json_object_new_int64((int64_t)n));
	if (truncated)
		json_object_object_add(row, "events_truncated", json_object_new_boolean(true));
	/* the trigger: what the start said */
	ci_copy(row, "observed", head, "vigil", "observed");
	ci_copy(row, "expected", head, "vigil", "expected");
	ci_copy(row, "threshold", head, "vigil", "threshold");
	ci_copy(row, "zscore", head, "vigil", "zscore");
	ci_copy(row, "window_s", head, "vigil", "window_s");
	ci_copy(row, "onset", head, "vigil", "onset");
	if (has_peak)
		json_object_object_add(row, "peak", json_object_new_double(peak));
	if (detail)
		json_object_object_add(row, "detail", json_object_new_string(detail));
	json_object_object_add(row, "flows", json_object_new_object());
	json_object_object_add(json_object_object_get(row, "flows"), "count",
			       json_object_new_int64(flow_count > (int64_t)json_object_array_length(flow_ids)
						     ? flow_count : (int64_t)json_object_array_length(flow_ids)));
	json_object_object_add(json_object_object_get(row, "flows"), "flow_ids", flow_ids);
	if (evidence)
		json_object_object_add(row, "evidence", json_object_get(evidence));
	return row;
}

int collector_incidents_open(const char *db_path, struct collector_incidents **out, char *why, size_t whylen)
{
	struct collector_incidents *ci;
	sqlite3_stmt *st = NULL;

	*out = NULL;
	if (!db_path || !db_path[0]) {
		snprintf(why, whylen, "collector.sqlite is off: the console reads the SQLite store");
		return -ENOTSUP;
	}
	if (access(db_path, R_OK)) {
		int e = errno;

		snprintf(why, whylen, "%s: %s", db_path, strerror(e));
		return -e;
	}
	ci = calloc(1, sizeof(*ci));
	if (!ci)
		return -ENOMEM;
	if (sqlite3_open_v2(db_path, &ci->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ci->db, "SELECT incident_id FROM events LIMIT 0", -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, whylen, "%s: %s", db_path, ci->db ? sqlite3_errmsg(ci->db) : "out of memory");
		sqlite3_finalize(st);
		collector_incidents_close(ci);
		return -EIO;
	}
	sqlite3_finalize(st);
	sqlite3_busy_timeout(ci->db, 2000);
	*out = ci;
	return 0;
}

void collector_incidents_close(struct collector_incidents *ci)
{
	if (!ci)
		return;
	sqlite3_close(ci->db);
	free(ci);
}

static void ci_events_free(struct ci_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_object_put(ev[i].o);
	free(ev);
}

/* The events of one incident, seq order, at most COLLECTOR_INCIDENTS_EVENTS_MAX. 0, -ENOENT, -EIO, -ENOMEM. */
static int ci_load(struct collector_incidents *ci, const char *sensor, int64_t id, struct ci_event **out, size_t *n,
		   bool *truncated)
{
	static const char sql[] = "SELECT seq, ts_us, json FROM events WHERE incident_id = ?1 AND sensor = ?2 "
				  "ORDER BY seq LIMIT ?3";
	struct ci_event *ev = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	*truncated = false;
	if (sqlite3_prepare_v2(ci->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, sensor, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, COLLECTOR_INCIDENTS_EVENTS_MAX + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 2);
		struct json_object *o = text ? collector_store_parse_json(text, (size_t)sqlite3_column_bytes(st, 2))
					     : NULL;

		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			continue;
		}
		if (*n == COLLECTOR_INCIDENTS_EVENTS_MAX) {
			*truncated = true;
			json_object_put(o);
			break;
		}
		if (*n == cap) {
			size_t nc = cap ? 2 * cap : 8;
			void *t = realloc(ev, nc * sizeof(*ev));

			if (!t) {
				json_object_put(o);
				rc = SQLITE_NOMEM;
				break;
			}
			ev = t;
			cap = nc;
		}
		ev[*n].seq = sqlite3_column_int64(st, 0);
		ev[*n].ts_us = sqlite3_column_type(st, 1) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 1);
		ev[*n].o = o;
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ci_events_free(ev, *n);
		*n = 0;
		return rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
	}
	if (!*n) {
		free(ev);
		return -ENOENT;
	}
	*out = ev;
	return 0;
}

/* true when one of row's hosts lies inside c. */
static bool ci_row_has_host(struct json_object *row, const struct collector_cidr *c)
{
	struct json_object *hosts = ci_get(row, "hosts", NULL);

	for (size_t i = 0; hosts && i < json_object_array_length(hosts); i++)
		if (collector_cidr_match(c, json_object_get_string(json_object_array_get_idx(hosts, i))))
			return true;
	return false;
}

/* The row of one incident, NULL when it has no readable event. *rc: 0, -ENOENT or -errno. */
static struct json_object *ci_build(struct collector_incidents *ci, const char *sensor, int64_t id, int *rc,
				    struct ci_event **keep, size_t *nkeep)
{
	struct ci_event *ev = NULL;
	struct json_object *row;
	bool truncated;
	size_t n;

	*rc = ci_load(ci, sensor, id, &ev, &n, &truncated);
	if (*rc)
		return NULL;
	row = ci_row(sensor, id, ev, n, truncated);
	if (keep) {
		*keep = ev;
		*nkeep = n;
	} else {
		ci_events_free(ev, n);
	}
	return row;
}

int collector_incidents_list(struct collector_incidents *ci, const struct collector_incidents_filter *f,
			     struct json_object **out)
{
	char sql[1024];
	size_t len = 0;
	sqlite3_stmt *st = NULL;
	struct json_object *res, *arr;
	uint32_t limit = f->limit ? f->limit : COLLECTOR_INCIDENTS_LIMIT, got = 0;
	bool more = false;
	int rc, k = 1;

	if (limit > COLLECTOR_INCIDENTS_LIMIT_MAX)
		limit = COLLECTOR_INCIDENTS_LIMIT_MAX;
#define CI_SQL(...) (len += (size_t)snprintf(sql + len, sizeof(sql) - len, __VA_ARGS__))
	CI_SQL("SELECT sensor, incident_id, MIN(ts_us) AS f, MAX(ts_us) AS l, MIN(NULLIF(severity, 0)) AS sev"
	       " FROM events WHERE incident_id IS NOT NULL");
	if (f->sensor)
		CI_SQL(" AND sensor = ?%d", k++);
	if (f->detector)
		CI_SQL(" AND detector = ?%d", k++);
	/* json_valid first: json_extract fails the whole statement on one bad row */
	if (f->community_id)
		CI_SQL(" AND (incident_id, sensor) IN (SELECT incident_id, sensor FROM events WHERE incident_id IS NOT "
		       "NULL AND json_valid(json) AND json_extract(json, '$.community_id') = ?%d)", k++);
	CI_SQL(" GROUP BY incident_id, sensor HAVING 1");
	if (f->severity)
		CI_SQL(" AND sev <= ?%d", k++);
	if (f->has_since)
		CI_SQL(" AND l >= ?%d", k++);
	if (f->has_until)
		CI_SQL(" AND f < ?%d", k++);
	CI_SQL(" ORDER BY f DESC, sensor, incident_id DESC");
#undef CI_SQL
	if (len >= sizeof(sql) || sqlite3_prepare_v2(ci->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	k = 1;
	if (f->sensor)
		sqlite3_bind_text(st, k++, f->sensor, -1, SQLITE_STATIC);
	if (f->detector)
		sqlite3_bind_text(st, k++, f->detector, -1, SQLITE_STATIC);
	if (f->community_id)
		sqlite3_bind_text(st, k++, f->community_id, -1, SQLITE_STATIC);
	if (f->severity)
		sqlite3_bind_int(st, k++, f->severity);
	if (f->has_since)
		sqlite3_bind_int64(st, k++, f->since_us);
	if (f->has_until)
		sqlite3_bind_int64(st, k++, f->until_us);
	res = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(res, "incidents", arr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sensor = (const char *)sqlite3_column_text(st, 0);
		int64_t id = sqlite3_column_int64(st, 1);
		struct json_object *row;
		int brc;

		if (!sensor)
			continue;
		row = ci_build(ci, sensor, id, &brc, NULL, NULL);
		if (!row) {
			if (brc == -ENOENT)
				continue;
			rc = brc;
			break;
		}
		if (f->host && !ci_row_has_host(row, f->host)) {
			json_object_put(row);
			continue;
		}
		if (got == limit) {
			more = true;
			json_object_put(row);
			break;
		}
		json_object_array_add(arr, row);
		got++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		json_object_put(res);
		return rc < 0 ? rc : -EIO;
	}
	json_object_object_add(res, "more", json_object_new_boolean(more));
	*out = res;
	return 0;
}

int collector_incidents_resolve(struct collector_incidents *ci, const char *text, char *sensor, int64_t *id)
{
	const char *colon = strrchr(text, ':'), *num = colon ? colon + 1 : text;
	sqlite3_stmt *st = NULL;
	unsigned long long v;
	size_t slen = colon ? (size_t)(colon - text) : 0;
	char *end;
	int rc, rows = 0;

	if (!*num || *num < '0' || *num > '9' || (colon && (slen == 0 || slen > 63)))
		return -EINVAL;
	errno = 0;
	v = strtoull(num, &end, 10);
	if (errno || *end || v == 0 || v > INT64_MAX)
		return -EINVAL;
	*id = (int64_t)v;
	if (colon) {
		memcpy(sensor, text, slen);
		sensor[slen] = '\0';
	}
	if (sqlite3_prepare_v2(ci->db,
			       colon ? "SELECT sensor FROM events WHERE incident_id = ?1 AND sensor = ?2 LIMIT 1"
				     : "SELECT DISTINCT sensor FROM events WHERE incident_id = ?1 LIMIT 2",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, *id);
	if (colon)
		sqlite3_bind_text(st, 2, sensor, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!rows++ && !colon)
			snprintf(sensor, 64, "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	return rows == 0 ? -ENOENT : rows > 1 ? -EEXIST : 0;
}

/* Other incidents (any sensor) with an event of this community_id, as "SENSOR:N" strings. */
static int ci_related(struct collector_incidents *ci, const char *community_id, const char *self, struct json_object *arr)
{
	static const char sql[] = "SELECT DISTINCT sensor, incident_id FROM events WHERE incident_id IS NOT NULL AND "
				  "json_valid(json) AND json_extract(json, '$.community_id') = ?1 "
				  "ORDER BY ts_us DESC LIMIT ?2";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ci->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, community_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, CI_RELATED_MAX + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char idt[128];

		ci_id_text(idt, sizeof(idt), (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1));
		if (strcmp(idt, self))
			ci_add_unique(arr, idt, CI_RELATED_MAX);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int collector_incidents_get(struct collector_incidents *ci, const char *sensor, int64_t id,
			    struct json_object **out)
{
	struct json_object *row, *events, *convs, *flows;
	struct ci_event *ev = NULL;
	size_t n = 0;
	int rc;

	row = ci_build(ci, sensor, id, &rc, &ev, &n);
	if (!row)
		return rc;
	events = json_object_new_array();
	convs = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const char *cid = ci_str(ev[i].o, "community_id", NULL);
		bool seen = false;

		json_object_array_add(events, json_object_get(ev[i].o));
		for (size_t k = 0; cid && k < json_object_array_length(convs); k++)
			seen |= !strcmp(ci_str(json_object_array_get_idx(convs, k), "community_id", NULL), cid);
		if (cid && !seen) {
			struct json_object *c = json_object_new_object(), *rel = json_object_new_array();

			ci_copy(c, "community_id", ev[i].o, "community_id", NULL);
			ci_copy(c, "flow_id", ev[i].o, "flow_id", NULL);
			ci_copy(c, "proto", ev[i].o, "proto", NULL);
			ci_copy(c, "src_ip", ev[i].o, "src_ip", NULL);
			ci_copy(c, "src_port", ev[i].o, "src_port", NULL);
			ci_copy(c, "dest_ip", ev[i].o, "dest_ip", NULL);
			ci_copy(c, "dest_port", ev[i].o, "dest_port", NULL);
			ci_copy(c, "icmp_type", ev[i].o, "icmp_type", NULL);
			ci_copy(c, "icmp_code", ev[i].o, "icmp_code", NULL);
			ci_copy(c, "first_seen", ev[i].o, "timestamp", NULL);
			rc = ci_related(ci, cid, json_object_get_string(json_object_object_get(row, "id")), rel);
			json_object_object_add(c, "related", rel);
			json_object_array_add(convs, c);
			if (rc)
				break;
		}
	}
	ci_events_free(ev, n);
	if (rc) {
		json_object_put(events);
		json_object_put(convs);
		json_object_put(row);
		return rc;
	}
	json_object_object_add(row, "events", events);
	flows = json_object_object_get(row, "flows");
	json_object_object_add(flows, "conversations", convs);
	*out = row;
	return 0;
}

int collector_incidents_host(struct collector_incidents *ci, const char *addr, struct json_object **out)
{
	struct collector_incidents_filter f = { .limit = CI_HOST_INCIDENTS };
	struct collector_cidr c;
	struct json_object *res, *list = NULL, *rows, *base;
	int rc;

	if (strchr(addr, '/') || collector_cidr_parse(addr, &c))
		return -EINVAL;
	f.host = &c;
	rc = collector_incidents_list(ci, &f, &list);
	if (rc)
		return rc;
	rows = json_object_object_get(list, "incidents");
	base = json_object_new_array();
	/* rows are newest first: the first row of each sensor/detector/metric has its latest baseline */
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i), *b;
		const char *s = ci_str(r, "sensor", NULL), *d = ci_str(r, "detector", NULL), *m = ci_str(r, "metric", NULL);
		const char *src = ci_str(r, "src_ip", NULL), *dst = ci_str(r, "dest_ip", NULL);
		bool seen = false;

		for (size_t k = 0; k < json_object_array_length(base); k++) {
			struct json_object *o = json_object_array_get_idx(base, k);
			const char *os = ci_str(o, "sensor", NULL), *od = ci_str(o, "detector", NULL),
				   *om = ci_str(o, "metric", NULL);

			seen |= !strcmp(os ? os : "", s ? s : "") && !strcmp(od ? od : "", d ? d : "") &&
				!strcmp(om ? om : "", m ? m : "");
		}
		if (seen)
			continue;
		b = json_object_new_object();
		ci_copy(b, "sensor", r, "sensor", NULL);
		ci_copy(b, "detector", r, "detector", NULL);
		ci_copy(b, "metric", r, "metric", NULL);
		ci_copy(b, "expected", r, "expected", NULL);
		ci_copy(b, "threshold", r, "threshold", NULL);
		ci_copy(b, "observed", r, "observed", NULL);
		ci_copy(b, "window_s", r, "window_s", NULL);
		ci_copy(b, "at", r, "first_seen", NULL);
		ci_copy(b, "incident", r, "id", NULL);
		json_object_object_add(b, "role", json_object_new_string(collector_cidr_match(&c, src) ? "source"
									   : collector_cidr_match(&c, dst) ? "destination"
									   : "involved"));
		json_object_array_add(base, b);
	}
	res = json_object_new_object();
	json_object_object_add(res, "addr", json_object_new_string(addr));
	json_object_object_add(res, "incidents", json_object_get(rows));
	json_object_object_add(res, "more", json_object_get(json_object_object_get(list, "more")));
	json_object_object_add(res, "baselines", base);
	json_object_put(list);
	*out = res;
	return 0;
}

/* stats.<a>.<b> of the newest stats event, copied into o as key. */
static void ci_stat(struct json_object *o, const char *key, struct json_object *stats, const char *a, const char *b)
{
	struct json_object *v = ci_get(stats, a, b);

	if (v && !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_array))
		json_object_object_add(o, key, json_object_get(v));
}

/* One sensor's row. 0 or -EIO. */
static int ci_sensor(struct collector_incidents *ci, const char *name, int64_t now_us, struct json_object *arr)
{
	sqlite3_stmt *st = NULL;
	struct json_object *o = json_object_new_object();
	int rc;

	json_object_object_add(o, "sensor", json_object_new_string(name));
	/* the newest event: the (sensor, seq) index gives it at once */
	rc = sqlite3_prepare_v2(ci->db, "SELECT seq, ts_us, received_us, json FROM events WHERE sensor = ?1 "
				"ORDER BY seq DESC LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		struct json_object *e = collector_store_parse_json((const char *)sqlite3_column_text(st, 3),
								   (size_t)sqlite3_column_bytes(st, 3));
		int64_t recv = sqlite3_column_int64(st, 2);

		json_object_object_add(o, "last_seq", json_object_new_int64(sqlite3_column_int64(st, 0)));
		ci_copy(o, "last_event", e, "timestamp", NULL);
		ci_copy(o, "last_event_type", e, "event_type", NULL);
		json_object_object_add(o, "last_received_us", json_object_new_int64(recv));
		json_object_object_add(o, "last_received_age_s", json_object_new_int64((now_us - recv) / 1000000));
		json_object_put(e);
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(ci->db, "SELECT json FROM events WHERE sensor = ?1 AND event_type = 'stats' "
				"ORDER BY seq DESC LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		struct json_object *e = collector_store_parse_json((const char *)sqlite3_column_text(st, 0),
								   (size_t)sqlite3_column_bytes(st, 0));
		struct json_object *s = ci_get(e, "stats", NULL), *h = json_object_new_object();

		ci_copy(h, "timestamp", e, "timestamp", NULL);
		ci_stat(h, "version", s, "vigil_sensor", "version");
		ci_stat(h, "uptime_s", s, "uptime", NULL);
		ci_stat(h, "packets", s, "decoder", "pkts");
		ci_stat(h, "invalid", s, "decoder", "invalid");
		/* capture loss as a live sensor counts it (docs/appliance.md "Capture loss"); a replay has none */
		ci_stat(h, "capture_packets", s, "capture", "kernel_packets");
		ci_stat(h, "capture_drops", s, "capture", "kernel_drops");
		ci_stat(h, "capture_ifdrops", s, "capture", "kernel_ifdrops");
		ci_stat(h, "capture_lost", s, "vigil_capture", "lost");
		ci_stat(h, "capture_loss_1m", s, "vigil_capture", "loss_1m");
		ci_stat(h, "alerts", s, "detect", "alert");
		ci_stat(h, "alerts_dropped", s, "detect", "alerts_dropped");
		ci_stat(h, "spool_bytes", s, "vigil_publish", "spool_bytes");
		ci_stat(h, "queued", s, "vigil_publish", "queued");
		ci_stat(h, "dropped_full", s, "vigil_publish", "dropped_full");
		ci_stat(h, "dropped_spool", s, "vigil_publish", "dropped_spool");
		ci_stat(h, "spool_errors", s, "vigil_publish", "spool_errors");
		ci_stat(h, "connected", s, "vigil_publish", "connected");
		json_object_object_add(o, "stats", h);
		json_object_put(e);
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(ci->db, "SELECT COUNT(DISTINCT incident_id), MAX(ts_us) FROM events "
				"WHERE incident_id IS NOT NULL AND sensor = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_object_object_add(o, "incidents", json_object_new_int64(sqlite3_column_int64(st, 0)));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			json_object_object_add(o, "last_incident_us", json_object_new_int64(sqlite3_column_int64(st, 1)));
	}
	sqlite3_finalize(st);
	json_object_array_add(arr, o);
	return 0;
fail:
	sqlite3_finalize(st);
	json_object_put(o);
	return -EIO;
}

int collector_incidents_sensors(struct collector_incidents *ci, int64_t now_us, struct json_object **out)
{
	sqlite3_stmt *st = NULL;
	struct json_object *res = json_object_new_object(), *arr = json_object_new_array();
	char name[128] = "";
	int rc = 0;

	json_object_object_add(res, "sensors", arr);
	/* the names one by one through the (sensor, seq) index: no scan of every event */
	if (sqlite3_prepare_v2(ci->db, "SELECT MIN(sensor) FROM events WHERE sensor > ?1", -1, &st, NULL) != SQLITE_OK) {
		json_object_put(res);
		return -EIO;
	}
	for (;;) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = -EIO;
			break;
		}
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			break;
		snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(st, 0));
		rc = ci_sensor(ci, name, now_us, arr);
		if (rc)
			break;
	}
	sqlite3_finalize(st);
	if (rc) {
		json_object_put(res);
		return rc;
	}
	*out = res;
	return 0;
}

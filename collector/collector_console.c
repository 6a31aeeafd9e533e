// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_console.c: what an analyst without a SIEM opens in a browser.
 * The pages are static files compiled in; everything they show comes from
 * /api/ as JSON, which the script only ever puts into the page as text, and
 * the Content-Security-Policy (collector_web.c) allows no inline script or
 * style at all. The API is read-only: GET, and nothing it does changes the
 * store; the one action, a download, asks the running collector for the
 * evidence exactly as the CLI does, digest checks included.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "clock.h"
#include "collector_console.h"
#include "collector_console_assets.h"
#include "collector_fetch.h"
#include "collector_incidents.h"
#include "collector_query.h"
#include "version.h"

#define CONSOLE_JSON "application/json; charset=utf-8"

struct collector_console {
	char sqlite[512];
	char control[512];
	uint32_t evidence_wait_ms;
};

/* The pages: a path and the file that answers it. */
static const struct {
	const char *path, *file;
} console_pages[] = {
	{ "/", "index.html" },
	{ "/incident", "incident.html" },
	{ "/host", "host.html" },
	{ "/sensors", "sensors.html" },
};

static int64_t console_now_us(void)
{
	return (int64_t)(clock_ns(CLOCK_REALTIME) / 1000);
}

static int console_text(struct httpd_resp *resp, unsigned int status, const char *ctype, const char *text)
{
	resp->status = status;
	resp->ctype = ctype;
	resp->body = strdup(text);
	resp->len = resp->body ? strlen(resp->body) : 0;
	return resp->body ? 0 : -ENOMEM;
}

/* {"error": msg} with status. */
static int console_error(struct httpd_resp *resp, unsigned int status, const char *msg)
{
	struct json_object *o = json_object_new_object();
	int rc;

	json_object_object_add(o, "error", json_object_new_string(msg));
	rc = console_text(resp, status, CONSOLE_JSON, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	httpd_resp_header(resp, "Cache-Control", "no-store");
	return rc;
}

/* o as the answer (o is put). */
static int console_json(struct httpd_resp *resp, struct json_object *o)
{
	int rc = console_text(resp, 200, CONSOLE_JSON,
			      json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	httpd_resp_header(resp, "Cache-Control", "no-store");
	return rc;
}

static const struct collector_console_asset *console_asset(const char *name)
{
	for (unsigned int i = 0; i < collector_console_nassets; i++)
		if (!strcmp(collector_console_assets[i].name, name))
			return &collector_console_assets[i];
	return NULL;
}

static int console_file(struct httpd_resp *resp, const char *name)
{
	const struct collector_console_asset *a = console_asset(name);

	if (!a)
		return console_text(resp, 404, NULL, "not found\n");
	resp->ctype = a->ctype;
	resp->body = malloc(a->len ? a->len : 1);
	if (!resp->body)
		return -ENOMEM;
	memcpy(resp->body, a->data, a->len);
	resp->len = a->len;
	httpd_resp_header(resp, "Cache-Control", "no-cache");
	return 0;
}

/* GET /, /incident, /host, /sensors and /static/NAME. */
static int console_static(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	(void)ctx;
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
		return console_text(resp, 405, NULL, "only GET\n");
	if (!strncmp(req->path, "/static/", 8)) {
		const char *name = req->path + 8;

		/* pages are reached by their path, the rest by name */
		if (strstr(name, ".html"))
			return console_text(resp, 404, NULL, "not found\n");
		return console_file(resp, name);
	}
	for (size_t i = 0; i < sizeof(console_pages) / sizeof(console_pages[0]); i++)
		if (!strcmp(req->path, console_pages[i].path))
			return console_file(resp, console_pages[i].file);
	return console_text(resp, 404, NULL, "not found\n");
}

/* The filters of /api/incidents from the query; 0, or an answer 400 with why. */
static int console_filter(const struct httpd_req *req, struct collector_incidents_filter *f, struct collector_cidr *c,
			  char *why, size_t whylen)
{
	const char *v;
	char *end;
	unsigned long n;
	int64_t now = console_now_us();

	memset(f, 0, sizeof(*f));
#define CONSOLE_ARG(name) ((v = httpd_query(req, name)) && v[0])
	if (CONSOLE_ARG("sensor"))
		f->sensor = v;
	if (CONSOLE_ARG("detector"))
		f->detector = v;
	if (CONSOLE_ARG("community_id"))
		f->community_id = v;
	if (CONSOLE_ARG("severity")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || v[0] == '-' || n < 1 || n > 255) {
			snprintf(why, whylen, "severity wants 1..255 (keeps 1..N, 1 the most severe)");
			return -EINVAL;
		}
		f->severity = (int)n;
	}
	if (CONSOLE_ARG("limit")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || v[0] == '-' || n < 1 || n > COLLECTOR_INCIDENTS_LIMIT_MAX) {
			snprintf(why, whylen, "limit wants 1..%d", COLLECTOR_INCIDENTS_LIMIT_MAX);
			return -EINVAL;
		}
		f->limit = (uint32_t)n;
	}
	if (CONSOLE_ARG("host")) {
		if (collector_cidr_parse(v, c)) {
			snprintf(why, whylen, "host wants an address or a CIDR prefix (192.0.2.7, 10.0.0.0/8, 2001:db8::/32)");
			return -EINVAL;
		}
		f->host = c;
	}
	if (CONSOLE_ARG("since")) {
		if (collector_query_parse_time(v, now, &f->since_us)) {
			snprintf(why, whylen, "since wants a time (2026-11-23T13:00:00Z, 2026-11-23, @EPOCH, 15m, 2h, 7d)");
			return -EINVAL;
		}
		f->has_since = true;
	}
	if (CONSOLE_ARG("until")) {
		if (collector_query_parse_time(v, now, &f->until_us)) {
			snprintf(why, whylen, "until wants a time (2026-11-23T13:00:00Z, 2026-11-23, @EPOCH, 15m, 2h, 7d)");
			return -EINVAL;
		}
		f->has_until = true;
	}
#undef CONSOLE_ARG
	return 0;
}

/* A name for the downloaded file, from the sensor name reduced to [A-Za-z0-9._-] (never the sensor's file name). */
static void console_file_name(char *out, size_t len, const char *sensor, int64_t id)
{
	char name[64];
	size_t n = 0;

	for (const char *p = sensor; *p && n < sizeof(name) - 1; p++, n++)
		name[n] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				  (*p == '.' && n) || *p == '_' || *p == '-' ? *p : '_';
	name[n] = '\0';
	snprintf(out, len, "%s-%" PRId64 ".pcapng", n ? name : "sensor", id);
}

/* GET /api/incidents/ID/evidence: the file through collector.control, checked twice like the CLI's. */
static int console_evidence(struct collector_console *c, const char *sensor, int64_t id, struct httpd_resp *resp)
{
	struct collector_fetch_opts fo = { .control = c->control, .incident_id = (uint64_t)id, .sensor = sensor,
					   .wait_ms = c->evidence_wait_ms };
	struct collector_fetch_result res;
	char msg[1024], disp[160], name[96];
	int rc;

	if (!c->control[0])
		return console_error(resp, 503, "collector.control is empty: evidence fetching is off");
	rc = collector_fetch_get(&fo, &res, msg, sizeof(msg));
	if (rc) {
		unsigned int status = rc == -ENOENT ? 404 : rc == -EEXIST ? 409 : rc == -ETIMEDOUT ? 504
				    : rc == -EBADMSG ? 502 : 503;

		return console_error(resp, status, msg);
	}
	console_file_name(name, sizeof(name), sensor, id);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	resp->ctype = "application/octet-stream";
	resp->body = (char *)res.data;
	resp->len = res.len;
	httpd_resp_header(resp, "Content-Disposition", disp);
	httpd_resp_header(resp, "X-Vigil-SHA256", res.sha256);
	httpd_resp_header(resp, "Cache-Control", "no-store");
	return 0;
}

/* GET /api/...: every answer JSON, except a download. */
static int console_api(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct collector_console *c = ctx;
	struct collector_incidents *ci = NULL;
	struct json_object *out = NULL;
	const char *p = req->path + 4;	/* after "/api" */
	char why[512] = "", sensor[64] = "", idtext[128];
	int rc;

	if (strcmp(req->method, "GET"))
		return console_error(resp, 405, "the console's API is read-only: GET");
	rc = collector_incidents_open(c->sqlite, &ci, why, sizeof(why));
	if (rc)
		return console_error(resp, 503, why);
	if (!strcmp(p, "/incidents")) {
		struct collector_incidents_filter f;
		struct collector_cidr cidr;

		if (console_filter(req, &f, &cidr, why, sizeof(why))) {
			rc = console_error(resp, 400, why);
			goto cleanup;
		}
		rc = collector_incidents_list(ci, &f, &out);
	} else if (!strncmp(p, "/incidents/", 11) && strlen(p + 11) < sizeof(idtext)) {
		size_t len = strlen(p + 11);
		bool evidence = len > 9 && !strcmp(p + 11 + len - 9, "/evidence");
		int64_t id;

		snprintf(idtext, sizeof(idtext), "%.*s", (int)(evidence ? len - 9 : len), p + 11);
		rc = collector_incidents_resolve(ci, idtext, sensor, &id);
		if (rc) {
			rc = console_error(resp, rc == -EINVAL ? 400 : rc == -EEXIST ? 409 : rc == -ENOENT ? 404 : 500,
					   rc == -EINVAL ? "an incident id is SENSOR:N or N"
					   : rc == -EEXIST ? "several sensors reported that incident: ask for SENSOR:N"
					   : rc == -ENOENT ? "no such incident" : "cannot read the store");
			goto cleanup;
		}
		if (evidence) {
			/* the store is not needed while waiting for the sensor */
			collector_incidents_close(ci);
			ci = NULL;
			rc = console_evidence(c, sensor, id, resp);
			goto cleanup;
		}
		rc = collector_incidents_get(ci, sensor, id, &out);
	} else if (!strncmp(p, "/hosts/", 7)) {
		rc = collector_incidents_host(ci, p + 7, &out);
		if (rc == -EINVAL) {
			rc = console_error(resp, 400, "a host is an IPv4 or IPv6 address");
			goto cleanup;
		}
	} else if (!strcmp(p, "/sensors")) {
		rc = collector_incidents_sensors(ci, console_now_us(), &out);
		if (!rc)
			json_object_object_add(out, "collector_version", json_object_new_string(version_release()));
	} else {
		rc = console_error(resp, 404, "unknown: /api/incidents, /api/incidents/ID, /api/hosts/ADDR, /api/sensors");
		goto cleanup;
	}
	if (rc == -ENOENT)
		rc = console_error(resp, 404, "no such incident");
	else if (rc)
		rc = console_error(resp, 500, "cannot read the store");
	else
		rc = console_json(resp, out);
cleanup:
	collector_incidents_close(ci);
	return rc;
}

struct collector_console *collector_console_new(const struct collector_console_cfg *cfg, struct httpd *h)
{
	struct collector_console *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return NULL;
	snprintf(c->sqlite, sizeof(c->sqlite), "%s", cfg->sqlite ? cfg->sqlite : "");
	snprintf(c->control, sizeof(c->control), "%s", cfg->control ? cfg->control : "");
	c->evidence_wait_ms = cfg->evidence_wait_ms;
	rc = httpd_route(h, "/", console_static, c);
	if (!rc)
		rc = httpd_route(h, "/api/", console_api, c);
	if (rc) {
		free(c);
		errno = -rc;
		return NULL;
	}
	return c;
}

void collector_console_free(struct collector_console *c)
{
	free(c);
}

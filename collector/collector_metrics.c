// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_metrics.c: what a Prometheus scrape of the collector returns:
 * totals (received, stored, duplicates, refused, malformed by reason) and per
 * sensor the last seq and the lag between an event's timestamp and its storage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "collector_metrics.h"

struct collector_metrics_ctx {
	FILE *fp;
	int64_t now_us;
	int pass;
};

/* Sensor names are printable ASCII; a label value escapes only \ and ". */
static void collector_metrics_label(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', fp);
		fputc(*s, fp);
	}
}

static void collector_metrics_sensor(void *ctx, const struct collector_store_sensor_info *si)
{
	struct collector_metrics_ctx *c = ctx;

	switch (c->pass) {
	case 0:
		fprintf(c->fp, "vigil_collector_sensor_last_seq{sensor=\"");
		collector_metrics_label(c->fp, si->name);
		fprintf(c->fp, "\"} %" PRIu64 "\n", si->last_seq);
		break;
	case 1:
		fprintf(c->fp, "vigil_collector_sensor_stored_total{sensor=\"");
		collector_metrics_label(c->fp, si->name);
		fprintf(c->fp, "\"} %" PRIu64 "\n", si->stored);
		break;
	case 2:
		if (si->last_ts_us == INT64_MIN || !si->last_recv_us)
			break;
		fprintf(c->fp, "vigil_collector_sensor_lag_seconds{sensor=\"");
		collector_metrics_label(c->fp, si->name);
		fprintf(c->fp, "\"} %.6f\n", (double)(si->last_recv_us - si->last_ts_us) / 1e6);
		break;
	case 3:
		if (!si->last_recv_us)
			break;
		fprintf(c->fp, "vigil_collector_sensor_last_event_age_seconds{sensor=\"");
		collector_metrics_label(c->fp, si->name);
		fprintf(c->fp, "\"} %.3f\n", (double)(c->now_us - si->last_recv_us) / 1e6);
		break;
	}
}

static void collector_metrics_counter(FILE *fp, const char *name, const char *help, uint64_t v)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s counter\n%s %" PRIu64 "\n", name, help, name, name, v);
}

int collector_metrics_format(const struct collector_stats *st, const struct collector_store *store,
			     int64_t now_us, char **out, size_t *len)
{
	static const struct {
		const char *name, *type, *help;
	} per_sensor[] = {
		{ "vigil_collector_sensor_last_seq", "gauge", "Highest sequence number stored for the sensor" },
		{ "vigil_collector_sensor_stored_total", "counter", "Events of the sensor stored by this process" },
		{ "vigil_collector_sensor_lag_seconds", "gauge",
		  "Storage time minus event timestamp of the sensor's newest stored event" },
		{ "vigil_collector_sensor_last_event_age_seconds", "gauge",
		  "Seconds since the sensor's newest event was stored" },
	};
	struct collector_metrics_ctx c = { .now_us = now_us };

	c.fp = open_memstream(out, len);
	if (!c.fp)
		return -ENOMEM;
	collector_metrics_counter(c.fp, "vigil_collector_received_total", "Messages read from the socket",
				  st->received);
	collector_metrics_counter(c.fp, "vigil_collector_stored_total", "Events stored", st->stored);
	collector_metrics_counter(c.fp, "vigil_collector_duplicates_total",
				  "Events already stored (re-acked, not stored again)", st->duplicates);
	collector_metrics_counter(c.fp, "vigil_collector_gaps_total", "Stored events whose seq skipped ahead",
				  st->gaps);
	collector_metrics_counter(c.fp, "vigil_collector_refused_total",
				  "Sensors refused by the ZAP handler (public key not listed)", st->refused);
	collector_metrics_counter(c.fp, "vigil_collector_handshake_failed_total",
				  "Handshakes that failed before authentication", st->handshake_failed);
	collector_metrics_counter(c.fp, "vigil_collector_acks_total", "Ack messages sent", st->acks);
	collector_metrics_counter(c.fp, "vigil_collector_evidence_requests_total",
				  "Evidence requests from `vigil-collector evidence`", st->ev_requests);
	collector_metrics_counter(c.fp, "vigil_collector_evidence_fetched_total",
				  "Evidence files fetched from sensors, verified and stored", st->ev_fetched);
	collector_metrics_counter(c.fp, "vigil_collector_evidence_failed_total",
				  "Evidence requests answered with an error", st->ev_failed);
	collector_metrics_counter(c.fp, "vigil_collector_evidence_timeouts_total",
				  "Evidence requests a sensor did not answer in time", st->ev_timeouts);
	collector_metrics_counter(c.fp, "vigil_collector_evidence_bad_digest_total",
				  "Evidence replies whose bytes did not match their SHA-256", st->ev_bad_digest);
	collector_metrics_counter(c.fp, "vigil_collector_evidence_unsolicited_total",
				  "Evidence replies nobody was waiting for", st->ev_unsolicited);
	collector_metrics_counter(c.fp, "vigil_collector_evidence_bytes_total", "Evidence bytes fetched",
				  st->ev_bytes);
	fprintf(c.fp, "# HELP vigil_collector_malformed_total Messages dropped as malformed, by reason\n"
		      "# TYPE vigil_collector_malformed_total counter\n");
	for (int r = 1; r < WIRE_VERDICT_MAX; r++)
		fprintf(c.fp, "vigil_collector_malformed_total{reason=\"%s\"} %" PRIu64 "\n",
			wire_verdict_name((enum wire_verdict)r), st->by_reason[r]);
	for (c.pass = 0; c.pass < 4; c.pass++) {
		fprintf(c.fp, "# HELP %s %s\n# TYPE %s %s\n", per_sensor[c.pass].name, per_sensor[c.pass].help,
			per_sensor[c.pass].name, per_sensor[c.pass].type);
		if (store)
			collector_store_sensors(store, collector_metrics_sensor, &c);
	}
	if (fclose(c.fp)) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

int collector_metrics_http(const char *req, size_t len, const char *body, size_t body_len, char **out,
			   size_t *out_len)
{
	const char *status = "400 Bad Request", *ctype = "text/plain; charset=utf-8";
	const char *text = "bad request\n";
	size_t text_len = strlen(text);
	const char *sp, *path;
	size_t plen;
	FILE *fp;

	sp = memchr(req, ' ', len);
	if (sp) {
		path = sp + 1;
		sp = memchr(path, ' ', len - (size_t)(path - req));
		plen = sp ? (size_t)(sp - path) : 0;
		if (!sp) {
			/* no HTTP version: garbage */
		} else if ((size_t)(path - req) != 4 || memcmp(req, "GET ", 4)) {
			status = "405 Method Not Allowed";
			text = "only GET\n";
			text_len = strlen(text);
		} else if ((plen == 8 && !memcmp(path, "/metrics", 8)) || (plen == 1 && path[0] == '/')) {
			status = "200 OK";
			ctype = "text/plain; version=0.0.4; charset=utf-8";
			text = body;
			text_len = body_len;
		} else {
			status = "404 Not Found";
			text = "try /metrics\n";
			text_len = strlen(text);
		}
	}
	fp = open_memstream(out, out_len);
	if (!fp)
		return -ENOMEM;
	fprintf(fp, "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", status,
		ctype, text_len);
	fwrite(text, 1, text_len, fp);
	if (fclose(fp)) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

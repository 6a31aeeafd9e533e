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
#include "version.h"
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

	char info[512];

	c.fp = open_memstream(out, len);
	if (!c.fp)
		return -ENOMEM;
	version_metric(info, sizeof(info), "collector");
	fputs(info, c.fp);
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
	/* issue 20: appended after the families above, which stay byte for byte as they were */
	fprintf(c.fp, "# HELP vigil_collector_not_allowed_total Well-formed messages refused, by reason\n"
		      "# TYPE vigil_collector_not_allowed_total counter\n");
	for (int r = 1; r < COLLECTOR_REFUSE_MAX; r++)
		fprintf(c.fp, "vigil_collector_not_allowed_total{reason=\"%s\"} %" PRIu64 "\n",
			collector_refusal_name((enum collector_refusal)r), st->refused_by[r]);
	collector_metrics_counter(c.fp, "vigil_collector_bad_timestamp_total",
				  "Stored events whose timestamp was before 1970 or more than a day ahead (not indexed)",
				  st->bad_timestamp);
	fprintf(c.fp, "# HELP vigil_collector_quarantined Stored rows set aside by recovery at start\n"
		      "# TYPE vigil_collector_quarantined gauge\nvigil_collector_quarantined %" PRIu64 "\n",
		st->quarantined);
	fprintf(c.fp, "# HELP vigil_collector_connections Sensor connections open\n"
		      "# TYPE vigil_collector_connections gauge\nvigil_collector_connections %" PRIu64 "\n",
		st->conns_open);
	collector_metrics_counter(c.fp, "vigil_collector_connections_evicted_total",
				  "Connections closed in their handshake because max_pending were", st->conns_evicted);
	collector_metrics_counter(c.fp, "vigil_collector_accept_failed_total",
				  "Connections that could not be accepted (out of descriptors)", st->accept_failed);
	collector_metrics_counter(c.fp, "vigil_collector_connection_limit_total",
				  "Handshakes of listed keys refused: max_connections connections were open", st->conn_limit);
	collector_metrics_counter(c.fp, "vigil_collector_key_handshakes_refused_total",
				  "Handshakes of listed keys refused: the key opened more than key_handshakes per second",
				  st->key_handshakes);
	collector_metrics_counter(c.fp, "vigil_collector_http_refused_total",
				  "Metrics connections refused by a connection limit", st->http_refused);
	collector_metrics_counter(c.fp, "vigil_collector_http_timeouts_total",
				  "Metrics connections closed for being idle too long", st->http_timeouts);
	if (fclose(c.fp)) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

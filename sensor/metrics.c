// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics.c: counters as Prometheus text, served by lib/httpd (its own
 * thread, idle timeouts, connection limits) so a slow or stuck scraper can
 * only delay itself. The text is built from a snapshot by the packet loop;
 * the map-fill gauge is counted here, off the packet path.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "clock.h"
#include "httpd.h"
#include "intel.h"
#include "metrics.h"
#include "version.h"
#include "xdp_loader.h"

#define METRICS_TEXT_MAX (64u * 1024u)
#define METRICS_COUNT_EVERY_NS (2ULL * 1000000000ULL)	/* map walks are not cheap */

struct metrics {
	struct httpd *http;		/* lib/httpd: its own thread, timeouts, limits */
	int flows_fd;
	uint32_t capacity;
	pthread_mutex_t lock;		/* text */
	char *text;
	size_t text_len;
	pthread_mutex_t count_lock;	/* the flow table count */
	uint64_t counted_at;
	long long entries;		/* -1: not counted */
	uint64_t scrapes;
};

struct metrics_buf {
	char *p;
	size_t len, off;
	bool full;
};

static void metrics_put(struct metrics_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void metrics_put(struct metrics_buf *b, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (b->full)
		return;
	va_start(ap, fmt);
	w = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= b->len - b->off) {
		b->full = true;
		return;
	}
	b->off += (size_t)w;
}

static void metrics_head(struct metrics_buf *b, const char *name, const char *type, const char *help)
{
	metrics_put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void metrics_one(struct metrics_buf *b, const char *name, const char *type, const char *help,
			unsigned long long v)
{
	metrics_head(b, name, type, help);
	metrics_put(b, "%s %llu\n", name, v);
}

/* one series in seconds from a count of ns, exact to the ns */
static void metrics_one_seconds(struct metrics_buf *b, const char *name, const char *type, const char *help,
				uint64_t ns)
{
	metrics_head(b, name, type, help);
	metrics_put(b, "%s %llu.%09llu\n", name, (unsigned long long)(ns / 1000000000ULL),
		    (unsigned long long)(ns % 1000000000ULL));
}

/* intel feeds: indicators in use by type, hits and failed reads per feed, reloads */
static void metrics_intel(struct metrics_buf *b, const struct intel_stats *is)
{
	uint32_t i, t;

	metrics_head(b, "vigil_intel_indicators", "gauge", "Indicators of a feed in use, by type");
	for (i = 0; i < is->n; i++)
		for (t = 0; t < INTEL_TYPE_MAX; t++)
			metrics_put(b, "vigil_intel_indicators{feed=\"%s\",type=\"%s\"} %u\n", is->feed[i].name,
				    intel_type_name((enum intel_type)t), is->feed[i].indicators[t]);
	metrics_head(b, "vigil_intel_hits_total", "counter", "Matches of a feed's indicators in traffic");
	for (i = 0; i < is->n; i++)
		metrics_put(b, "vigil_intel_hits_total{feed=\"%s\"} %llu\n", is->feed[i].name,
			    (unsigned long long)is->feed[i].hits);
	metrics_head(b, "vigil_intel_reload_errors_total", "counter",
		     "Reads of a feed that failed (its previous version stayed in use)");
	for (i = 0; i < is->n; i++)
		metrics_put(b, "vigil_intel_reload_errors_total{feed=\"%s\"} %llu\n", is->feed[i].name,
			    (unsigned long long)is->feed[i].errors);
	metrics_head(b, "vigil_intel_loads_total", "counter", "Versions of a feed parsed and put in use");
	for (i = 0; i < is->n; i++)
		metrics_put(b, "vigil_intel_loads_total{feed=\"%s\"} %llu\n", is->feed[i].name,
			    (unsigned long long)is->feed[i].loads);
	metrics_one(b, "vigil_intel_reloads_total", "counter", "New sets of feeds swapped in after the first",
		    (unsigned long long)is->reloads);
}

int metrics_format(const struct metrics_snapshot *s, char *buf, size_t len)
{
	struct metrics_buf b = { .p = buf, .len = len };
	unsigned int i;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	{
		char info[512];

		version_metric(info, sizeof(info), "sensor");
		metrics_put(&b, "%s", info);
	}
	if (s->have_xdp) {
		metrics_one(&b, "vigil_xdp_packets_total", "counter", "Frames the XDP program saw",
			    (unsigned long long)s->xdp[VIGIL_STAT_FRAMES]);
		metrics_one(&b, "vigil_xdp_bytes_total", "counter", "Bytes of the frames the XDP program saw",
			    (unsigned long long)s->xdp[VIGIL_STAT_BYTES]);
		metrics_one(&b, "vigil_xdp_flows_created_total", "counter", "Flow entries inserted by XDP",
			    (unsigned long long)s->xdp[VIGIL_STAT_FLOW_NEW]);
		metrics_head(&b, "vigil_xdp_frames_total", "counter",
			     "Frames by outcome or reason in the XDP program (drops and anomalies included)");
		for (i = 0; i < VIGIL_STAT_MAX; i++)
			if (i != VIGIL_STAT_FRAMES && i != VIGIL_STAT_BYTES && i != VIGIL_STAT_FLOW_NEW)
				metrics_put(&b, "vigil_xdp_frames_total{reason=\"%s\"} %llu\n",
					    xdp_stat_name((enum vigil_stat)i), (unsigned long long)s->xdp[i]);
	}
	if (s->have_flow_table) {
		metrics_one(&b, "vigil_flow_table_entries", "gauge", "Flows in the XDP flow table",
			    (unsigned long long)s->flow_entries);
		metrics_one(&b, "vigil_flow_table_capacity", "gauge", "Capacity of the XDP flow table",
			    (unsigned long long)s->flow_capacity);
	}
	metrics_one(&b, "vigil_packets_total", "counter", "Frames handed to the sensor's pipeline",
		    (unsigned long long)s->packets);
	metrics_head(&b, "vigil_parse_total", "counter", "Pipeline frames by parse result");
	for (i = 0; i < PKT_STATUS_MAX; i++)
		metrics_put(&b, "vigil_parse_total{status=\"%s\"} %llu\n", pkt_status_name((int)i),
			    (unsigned long long)s->parse[i]);
	metrics_one(&b, "vigil_flows_total", "counter", "Flow records emitted",
		    (unsigned long long)s->flows);
	metrics_one(&b, "vigil_flow_harvest_errors_total", "counter", "Flow table scans that failed",
		    (unsigned long long)s->harvest_errors);
	metrics_one(&b, "vigil_events_total", "counter", "Alert events emitted (start, update, end)",
		    (unsigned long long)s->alerts);
	metrics_one(&b, "vigil_events_dropped_total", "counter", "Alert events that could not be built",
		    (unsigned long long)s->alerts_dropped);
	if (s->n_detectors) {
		static const struct {
			const char *name, *type, *help;
		} cols[] = {
			{ "vigil_alerts_total", "counter", "Incidents opened, by detector" },
			{ "vigil_detector_hosts", "gauge", "Keys a detector tracks now" },
			{ "vigil_detector_learning", "gauge", "Tracked keys whose baseline is still learning" },
			{ "vigil_detector_evictions_total", "counter", "Idle keys dropped to make room" },
			{ "vigil_detector_restored_total", "counter", "Baselines restored from the state file" },
		};
		unsigned int c;

		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			metrics_head(&b, cols[c].name, cols[c].type, cols[c].help);
			for (i = 0; i < s->n_detectors && i < METRICS_MAX_DETECTORS; i++) {
				const uint64_t v[] = { s->det[i].incidents, s->det[i].hosts, s->det[i].learning,
						       s->det[i].evictions, s->det[i].restored };

				metrics_put(&b, "%s{detector=\"%s\"} %llu\n", cols[c].name, s->det[i].name,
					    (unsigned long long)v[c]);
			}
		}
	}
	if (s->have_spool) {
		metrics_one(&b, "vigil_spool_depth", "gauge", "Events held until the collector acknowledges them",
			    (unsigned long long)s->spool_depth);
		metrics_one(&b, "vigil_spool_dropped_total", "counter", "Events dropped because the spool was full",
			    (unsigned long long)s->spool_dropped);
		metrics_one(&b, "vigil_spool_acked_total", "counter", "Events the collector acknowledged",
			    (unsigned long long)s->spool_acked);
		metrics_one(&b, "vigil_collector_connected", "gauge", "1 while connected to the collector",
			    s->collector_connected ? 1 : 0);
	}
	metrics_one(&b, "vigil_config_reloads_total", "counter", "Successful SIGHUP reloads",
		    (unsigned long long)s->reloads);
	metrics_one(&b, "vigil_config_reload_failures_total", "counter", "Reloads refused (old config kept)",
		    (unsigned long long)s->reload_failures);
	metrics_one(&b, "vigil_state_saves_total", "counter", "Learned state saved to disk",
		    (unsigned long long)s->state_saves);
	metrics_one(&b, "vigil_state_save_failures_total", "counter", "Learned state saves that failed",
		    (unsigned long long)s->state_save_failures);
	metrics_one(&b, "vigil_state_saves_skipped_total", "counter",
		    "Periodic state saves skipped because the previous write was still in flight",
		    (unsigned long long)s->state_saves_skipped);
	metrics_one_seconds(&b, "vigil_state_save_seconds", "gauge",
			    "Duration of the last state write, fsync and rename (writer thread)", s->state_save_ns);
	metrics_one_seconds(&b, "vigil_state_snapshot_seconds", "gauge",
			    "Time the packet thread spent on the last state snapshot", s->state_snapshot_ns);
	if (s->have_poller) {
		metrics_one_seconds(&b, "vigil_poller_busy_seconds_total", "counter",
				    "Time the receive loop spent on bursts that had frames (its rate over time: how loaded the core is)",
				    s->poller_busy_ns);
		metrics_one(&b, "vigil_poller_bursts_total", "counter", "Receive bursts that had frames",
			    (unsigned long long)s->poller_bursts);
		metrics_one(&b, "vigil_poller_empty_polls_total", "counter", "Receive polls that found no frame",
			    (unsigned long long)s->poller_empty_polls);
	}
	if (s->intel && s->intel->n)
		metrics_intel(&b, s->intel);
	metrics_one(&b, "vigil_start_time_seconds", "gauge", "When the sensor started, Unix time",
		    (unsigned long long)s->start_time_s);
	return b.full ? -ENOSPC : (int)b.off;
}

/* Entries in a hash map, by walking its keys (no BPF call returns the count). */
static long long metrics_count_entries(int fd)
{
	struct vigil_flow_key key, next;
	long long n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		n++;
		key = next;
		prev = &key;
		if (n > (1LL << 26))
			break;
	}
	return n;
}

/* GET /metrics (or /): the latest text from the packet loop and the flow table's fill, counted here. */
static int metrics_handle(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct metrics *m = ctx;
	char extra[512];
	int el = 0;

	if (strcmp(req->method, "GET") || (strcmp(req->path, "/metrics") && strcmp(req->path, "/"))) {
		resp->status = 404;
		resp->ctype = "text/plain";
		resp->body = strdup("try GET /metrics\r\n");
		resp->len = resp->body ? strlen(resp->body) : 0;
		return 0;
	}
	pthread_mutex_lock(&m->count_lock);
	if (m->flows_fd >= 0 && clock_mono_ns() - m->counted_at >= METRICS_COUNT_EVERY_NS) {
		m->entries = metrics_count_entries(m->flows_fd);
		m->counted_at = clock_mono_ns();
	}
	m->scrapes++;
	if (m->entries >= 0)
		el = snprintf(extra, sizeof(extra),
			      "# HELP vigil_flow_table_entries Flows in the XDP flow table (counted at most every 2 s)\n"
			      "# TYPE vigil_flow_table_entries gauge\nvigil_flow_table_entries %lld\n"
			      "# HELP vigil_flow_table_capacity Capacity of the XDP flow table\n"
			      "# TYPE vigil_flow_table_capacity gauge\nvigil_flow_table_capacity %u\n",
			      m->entries, m->capacity);
	pthread_mutex_unlock(&m->count_lock);
	pthread_mutex_lock(&m->lock);
	resp->body = malloc(m->text_len + (size_t)el + 1);
	if (resp->body) {
		if (m->text)
			memcpy(resp->body, m->text, m->text_len);
		resp->len = m->text ? m->text_len : 0;
	}
	pthread_mutex_unlock(&m->lock);
	if (!resp->body)
		return -ENOMEM;
	memcpy(resp->body + resp->len, extra, (size_t)el);
	resp->len += (size_t)el;
	resp->ctype = "text/plain; version=0.0.4";
	return 0;
}

struct metrics *metrics_new(const char *listen_addr, int flows_fd, uint32_t capacity)
{
	struct httpd_cfg hc = { .listen = listen_addr, .name = "metrics" };
	struct metrics *m;
	int rc;

	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->flows_fd = -1;
	m->entries = -1;
	m->capacity = capacity;
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->count_lock, NULL);
	m->http = httpd_new(&hc);
	if (!m->http)
		goto fail;
	if (flows_fd >= 0) {
		m->flows_fd = fcntl(flows_fd, F_DUPFD_CLOEXEC, 0);
		if (m->flows_fd < 0)
			goto fail;
	}
	httpd_route(m->http, "/", metrics_handle, m);
	rc = httpd_start(m->http);
	if (rc) {
		errno = -rc;
		goto fail;
	}
	return m;
fail:
	rc = errno;
	metrics_free(m);
	errno = rc;
	return NULL;
}

int metrics_publish(struct metrics *m, const char *text, size_t len)
{
	char *copy;

	if (len > METRICS_TEXT_MAX)
		return -EFBIG;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&m->lock);
	free(m->text);
	m->text = copy;
	m->text_len = len;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int metrics_port(const struct metrics *m)
{
	return httpd_port(m->http);
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	httpd_free(m->http);	/* the server's thread stops first: no handler runs after this */
	if (m->flows_fd >= 0)
		close(m->flows_fd);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->count_lock);
	free(m->text);
	free(m);
}

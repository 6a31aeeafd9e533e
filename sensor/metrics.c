// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics.c: counters as Prometheus text, served by one thread so a slow or
 * stuck scraper can only delay itself. The text is built from a snapshot by
 * the packet loop; the map-fill gauge is counted here, off the packet path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "metrics.h"
#include "xdp_loader.h"

#define METRICS_TEXT_MAX (64u * 1024u)
#define METRICS_COUNT_EVERY_NS (2ULL * 1000000000ULL)	/* map walks are not cheap */

struct metrics {
	int lfd;
	int flows_fd;
	uint32_t capacity;
	int port;
	pthread_t thr;
	bool started;
	volatile bool stop;
	pthread_mutex_t lock;
	char *text;
	size_t text_len;
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

int metrics_format(const struct metrics_snapshot *s, char *buf, size_t len)
{
	struct metrics_buf b = { .p = buf, .len = len };
	unsigned int i;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
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
	metrics_one(&b, "vigil_start_time_seconds", "gauge", "When the sensor started, Unix time",
		    (unsigned long long)s->start_time_s);
	return b.full ? -ENOSPC : (int)b.off;
}

static uint64_t metrics_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
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

static void metrics_send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

static void metrics_serve_one(struct metrics *m, int cfd)
{
	struct timeval tv = { 1, 0 };
	char req[1024], head[256], extra[512];
	size_t got = 0;
	char *body = NULL;
	size_t body_len = 0;
	int hl, el = 0;

	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < sizeof(req) - 1) {
		ssize_t r = recv(cfd, req + got, sizeof(req) - 1 - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	if (strncmp(req, "GET /metrics ", 13) && strncmp(req, "GET / ", 6)) {
		hl = snprintf(head, sizeof(head), "HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n"
						  "Content-Length: 19\r\nConnection: close\r\n\r\ntry GET /metrics\r\n");
		metrics_send_all(cfd, head, (size_t)hl);
		return;
	}
	if (m->flows_fd >= 0 && metrics_now_ns() - m->counted_at >= METRICS_COUNT_EVERY_NS) {
		m->entries = metrics_count_entries(m->flows_fd);
		m->counted_at = metrics_now_ns();
	}
	m->scrapes++;
	if (m->entries >= 0)
		el = snprintf(extra, sizeof(extra),
			      "# HELP vigil_flow_table_entries Flows in the XDP flow table (counted at most every 2 s)\n"
			      "# TYPE vigil_flow_table_entries gauge\nvigil_flow_table_entries %lld\n"
			      "# HELP vigil_flow_table_capacity Capacity of the XDP flow table\n"
			      "# TYPE vigil_flow_table_capacity gauge\nvigil_flow_table_capacity %u\n",
			      m->entries, m->capacity);
	pthread_mutex_lock(&m->lock);
	if (m->text) {
		body = malloc(m->text_len + 1);
		if (body) {
			memcpy(body, m->text, m->text_len);
			body_len = m->text_len;
		}
	}
	pthread_mutex_unlock(&m->lock);
	hl = snprintf(head, sizeof(head),
		      "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
		      "Content-Length: %zu\r\nConnection: close\r\n\r\n", body_len + (size_t)el);
	metrics_send_all(cfd, head, (size_t)hl);
	if (body)
		metrics_send_all(cfd, body, body_len);
	if (el > 0)
		metrics_send_all(cfd, extra, (size_t)el);
	free(body);
}

static void *metrics_thread(void *arg)
{
	struct metrics *m = arg;

	while (!m->stop) {
		struct pollfd pfd = { .fd = m->lfd, .events = POLLIN };
		int cfd;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		cfd = accept4(m->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		metrics_serve_one(m, cfd);
		close(cfd);
	}
	return NULL;
}

/* "1.2.3.4:9464", "[::1]:9464" or ":9464" (all IPv4 addresses). */
static int metrics_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port > 65535)
		return -EINVAL;
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -EINVAL;
		*sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (host[0] && inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -EINVAL;
		*sl = sizeof(*a);
	}
	return 0;
}

struct metrics *metrics_new(const char *listen_addr, int flows_fd, uint32_t capacity)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct metrics *m;
	int one = 1, rc;

	rc = metrics_parse_addr(listen_addr, &ss, &sl);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->lfd = -1;
	m->flows_fd = -1;
	m->entries = -1;
	m->capacity = capacity;
	pthread_mutex_init(&m->lock, NULL);
	m->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->lfd < 0)
		goto fail;
	setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(m->lfd, (struct sockaddr *)&ss, sl) < 0 || listen(m->lfd, 8) < 0)
		goto fail;
	if (getsockname(m->lfd, (struct sockaddr *)&ss, &sl) == 0)
		m->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							 : ((struct sockaddr_in *)&ss)->sin_port);
	if (flows_fd >= 0) {
		m->flows_fd = fcntl(flows_fd, F_DUPFD_CLOEXEC, 0);
		if (m->flows_fd < 0)
			goto fail;
	}
	rc = pthread_create(&m->thr, NULL, metrics_thread, m);
	if (rc) {
		errno = rc;
		goto fail;
	}
	m->started = true;
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
	return m->port;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	m->stop = true;
	if (m->started)
		pthread_join(m->thr, NULL);
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->flows_fd >= 0)
		close(m->flows_fd);
	pthread_mutex_destroy(&m->lock);
	free(m->text);
	free(m);
}

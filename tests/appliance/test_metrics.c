// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_metrics.c: the Prometheus endpoint. The text a snapshot gives (one row
 * per metric family that must be there, with its value), the size limit, and
 * the HTTP side: GET /metrics over a real socket, 404 elsewhere, and the flow
 * table fill counted from a real BPF hash map when run as root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "metrics.h"
#include "testlib.h"

static int http_get(int port, const char *path, char *out, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char req[128];
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t r;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	if (send(fd, req, strlen(req), 0) < 0) {
		close(fd);
		return -errno;
	}
	while (got < len - 1 && (r = recv(fd, out + got, len - 1 - got, 0)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fd);
	return (int)got;
}

static void test_format(void)
{
	struct metrics_snapshot s = { 0 };
	static char buf[65536];
	const struct {
		const char *line;
	} want[] = {
		{ "vigil_xdp_packets_total 1000\n" },
		{ "vigil_xdp_bytes_total 64000\n" },
		{ "vigil_xdp_frames_total{reason=\"bad_ip4\"} 7\n" },
		{ "vigil_xdp_frames_total{reason=\"blocked\"} 3\n" },
		{ "vigil_packets_total 990\n" },
		{ "vigil_parse_total{status=\"ok\"} 980\n" },
		{ "vigil_flows_total 12\n" },
		{ "vigil_alerts_total{detector=\"flood\"} 2\n" },
		{ "vigil_detector_learning{detector=\"flood\"} 4\n" },
		{ "vigil_detector_evictions_total{detector=\"flood\"} 5\n" },
		{ "vigil_spool_depth 17\n" },
		{ "vigil_collector_connected 1\n" },
		{ "vigil_config_reloads_total 1\n" },
		{ "vigil_poller_busy_seconds_total 2.500000000\n" },
		{ "vigil_poller_bursts_total 31\n" },
		{ "# TYPE vigil_poller_busy_seconds_total counter\n" },
		{ "# TYPE vigil_spool_depth gauge\n" },
		{ "# TYPE vigil_xdp_packets_total counter\n" },
		{ "vigil_flow_table_entries 12\n" },
		{ "vigil_flow_table_capacity 65536\n" },
		{ "# TYPE vigil_flow_table_entries gauge\n" },
	};
	size_t i;
	int n;

	s.have_xdp = true;
	s.xdp[VIGIL_STAT_FRAMES] = 1000;
	s.xdp[VIGIL_STAT_BYTES] = 64000;
	s.xdp[VIGIL_STAT_BAD_IP4] = 7;
	s.xdp[VIGIL_STAT_BLOCKED] = 3;
	s.packets = 990;
	s.parse[PKT_OK] = 980;
	s.flows = 12;
	s.have_flow_table = true;	/* a replay's user-space table, counted by the loop */
	s.flow_entries = 12;
	s.flow_capacity = 65536;
	s.n_detectors = 1;
	s.det[0].name = "flood";
	s.det[0].incidents = 2;
	s.det[0].learning = 4;
	s.det[0].evictions = 5;
	s.have_spool = true;
	s.spool_depth = 17;
	s.collector_connected = true;
	s.reloads = 1;
	s.have_poller = true;
	s.poller_busy_ns = 2500000000ULL;
	s.poller_bursts = 31;
	n = metrics_format(&s, buf, sizeof(buf));
	testlib_case("format: text produced", n > 0 && (size_t)n == strlen(buf), "n=%d", n);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char name[160];

		snprintf(name, sizeof(name), "format: has %.*s", (int)strcspn(want[i].line, "\n"), want[i].line);
		testlib_case(name, strstr(buf, want[i].line) != NULL, "missing");
	}
	testlib_case("format: every line ends in newline, no empty line", buf[n - 1] == '\n' && !strstr(buf, "\n\n"), "n=%d", n);
	testlib_case("format: too small a buffer is -ENOSPC", metrics_format(&s, buf, 100) == -ENOSPC, "%s", "not refused");
	s.have_spool = false;
	s.have_poller = false;
	s.have_flow_table = false;
	metrics_format(&s, buf, sizeof(buf));
	testlib_case("format: no spool, no spool family", !strstr(buf, "vigil_spool_depth"), "%s", "present");
	testlib_case("format: no poller, no poller family", !strstr(buf, "vigil_poller_"), "%s", "present");
	testlib_case("format: no table of the loop's own, no table gauges (the thread counts a map)",
		     !strstr(buf, "vigil_flow_table_"), "%s", "present");
}

static void test_server(void)
{
	static char resp[65536];
	struct metrics *m;
	int port, n, map_fd = -1;

	if (geteuid() == 0) {
		struct vigil_flow_key k;
		__u64 v = 0;
		int i;

		map_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vx7_test", sizeof(k), sizeof(v), 64, NULL);
		for (i = 0; map_fd >= 0 && i < 3; i++) {
			memset(&k, 0, sizeof(k));
			k.port_a = (uint16_t)i;
			bpf_map_update_elem(map_fd, &k, &v, BPF_ANY);
		}
	}
	m = metrics_new("127.0.0.1:0", map_fd, 64);
	if (!testlib_case("server: listening on 127.0.0.1", m != NULL, "%s", strerror(errno)))
		return;
	port = metrics_port(m);
	testlib_case("server: has a port", port > 0, "port=%d", port);
	metrics_publish(m, "vigil_packets_total 5\n", 22);
	n = http_get(port, "/metrics", resp, sizeof(resp));
	testlib_case("server: GET /metrics is 200 with the published text",
		     n > 0 && !strncmp(resp, "HTTP/1.", 7) && !strncmp(resp + 8, " 200", 4) && strstr(resp, "\r\n\r\nvigil_packets_total 5\n"),
		     "n=%d resp=%.80s", n, resp);
	testlib_case("server: text/plain version 0.0.4", strstr(resp, "text/plain; version=0.0.4") != NULL, "%.80s", resp);
	if (map_fd >= 0)
		testlib_case("server: flow table fill counted from the map",
			     strstr(resp, "vigil_flow_table_entries 3\n") && strstr(resp, "vigil_flow_table_capacity 64\n"),
			     "%s", resp);
	metrics_publish(m, "vigil_packets_total 6\n", 22);
	n = http_get(port, "/metrics", resp, sizeof(resp));
	testlib_case("server: a new snapshot replaces the old", n > 0 && strstr(resp, "vigil_packets_total 6\n"), "n=%d", n);
	n = http_get(port, "/other", resp, sizeof(resp));
	testlib_case("server: other paths are 404", n > 0 && !strncmp(resp, "HTTP/1.", 7) && !strncmp(resp + 8, " 404", 4), "%.40s", resp);
	metrics_free(m);
	n = http_get(port, "/metrics", resp, sizeof(resp));
	testlib_case("server: closed after metrics_free", n < 0, "n=%d", n);
	testlib_case("bad listen address refused", metrics_new("localhost", -1, 0) == NULL && errno == EINVAL, "errno %d", errno);
	if (map_fd >= 0)
		close(map_fd);
}

int main(void)
{
	test_format();
	test_server();
	return testlib_done();
}

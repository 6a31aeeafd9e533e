// SPDX-License-Identifier: GPL-2.0-only
/*
 * zmq_drive.c: the C half of the transport tests: publishes numbered events
 * through the real publisher, speaks raw (malformed) frames to a collector, and
 * checks a JSON-lines file for exactly-once, in-order delivery.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <json-c/json.h>
#include <zmq.h>

#include "log.h"
#include "wire.h"
#include "publish.h"

static int drive_pass, drive_fail;

static void drive_check(const char *name, int ok, const char *detail)
{
	printf("  %-40s %s%s%s\n", name, ok ? "ok" : "FAIL", detail && !ok ? ": " : "", detail && !ok ? detail : "");
	if (ok)
		drive_pass++;
	else
		drive_fail++;
}

static int drive_summary(void)
{
	printf("%d passed, %d failed\n", drive_pass, drive_fail);
	return drive_fail ? 1 : 0;
}

/* freeport: a TCP port on 127.0.0.1 nobody listens on right now */
static int drive_freeport(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || getsockname(fd, (struct sockaddr *)&sa, &len)) {
		perror("freeport");
		return 1;
	}
	printf("%u\n", ntohs(sa.sin_port));
	close(fd);
	return 0;
}

/* publish ENDPOINT NAME COUNT DELAY_US TIMEOUT_MS: events {"n":i} for i = 1..COUNT, then flush */
static int drive_publish(int argc, char **argv)
{
	struct publish_cfg cfg = { .queue_max = 100000, .retry_ms = 500 };
	struct publish_stats st;
	struct publish *p;
	unsigned long count, delay_us, timeout_ms;
	char json[512];
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: publish ENDPOINT NAME COUNT DELAY_US TIMEOUT_MS\n");
		return 2;
	}
	cfg.endpoint = argv[0];
	cfg.sensor_name = argv[1];
	count = strtoul(argv[2], NULL, 10);
	delay_us = strtoul(argv[3], NULL, 10);
	timeout_ms = strtoul(argv[4], NULL, 10);
	p = publish_new(&cfg);
	if (!p) {
		fprintf(stderr, "publish_new: %s\n", strerror(errno));
		return 1;
	}
	for (unsigned long i = 1; i <= count; i++) {
		snprintf(json, sizeof(json),
			 "{\"timestamp\":\"2026-11-23T13:00:00.%06lu+0000\",\"event_type\":\"alert\","
			 "\"sensor_name\":\"%s\",\"n\":%lu,\"alert\":{\"signature\":\"test event %lu\",\"severity\":3}}",
			 i % 1000000, argv[1], i, i);
		rc = publish_event(p, json);
		if (rc) {
			fprintf(stderr, "publish_event %lu: %s\n", i, strerror(-rc));
			publish_free(p);
			return 1;
		}
		if (delay_us)
			usleep((useconds_t)delay_us);
	}
	rc = publish_flush(p, (uint32_t)timeout_ms);
	publish_stats(p, &st);
	printf("publish: flush=%s published=%" PRIu64 " sent=%" PRIu64 " acked=%" PRIu64 " resent=%" PRIu64
	       " dropped=%" PRIu64 " queued=%" PRIu64 " ack_seq=%" PRIu64 "\n",
	       rc ? "timeout" : "ok", st.published, st.sent, st.acked, st.resent, st.dropped_full, st.queued,
	       st.ack_seq);
	publish_free(p);
	return rc ? 1 : (st.acked == count && st.ack_seq == count ? 0 : 1);
}

/* verify FILE NAME COUNT [FIRST]: NAME's lines carry n = FIRST..COUNT once each, in order, with vigil_seq == n */
static int drive_verify(int argc, char **argv)
{
	unsigned long count, first = 1, next, lines = 0, bad = 0;
	char *line = NULL, detail[256] = "";
	size_t cap = 0;
	ssize_t len;
	FILE *fp;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: verify FILE NAME COUNT [FIRST]\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	if (argc == 4)
		first = strtoul(argv[3], NULL, 10);
	next = first;
	fp = fopen(argv[0], "r");
	if (!fp) {
		perror(argv[0]);
		return 1;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		struct json_object *o = json_tokener_parse(line), *name, *n, *seq;

		lines++;
		if (line[len - 1] != '\n' || !o || !json_object_object_get_ex(o, "sensor_name", &name)) {
			if (!bad++)
				snprintf(detail, sizeof(detail), "line %lu unparsable or unterminated", lines);
			json_object_put(o);
			continue;
		}
		if (strcmp(json_object_get_string(name), argv[1])) {
			json_object_put(o);
			continue;
		}
		if (!json_object_object_get_ex(o, "n", &n) || !json_object_object_get_ex(o, "vigil_seq", &seq) ||
		    (unsigned long)json_object_get_int64(n) != next ||
		    (unsigned long)json_object_get_int64(seq) != next) {
			if (!bad++)
				snprintf(detail, sizeof(detail), "line %lu: expected n = vigil_seq = %lu, got n=%s seq=%s",
					 lines, next, json_object_get_string(n), json_object_get_string(seq));
		}
		next = (unsigned long)json_object_get_int64(n) + 1;
		json_object_put(o);
	}
	free(line);
	fclose(fp);
	if (!bad && (next == first || next - 1 != count)) {
		bad++;
		snprintf(detail, sizeof(detail), "last n is %lu, expected %lu", next - 1, count);
	}
	drive_check("every event once, in order", bad == 0, detail);
	return drive_summary();
}

/*
 * dropfull ENDPOINT NAME: queue_max 100 and nobody acking yet: 150 events keep
 * the newest 100 (seq 51..150), then wait for a collector to take them.
 */
static int drive_dropfull(int argc, char **argv)
{
	struct publish_cfg cfg = { .queue_max = 100, .retry_ms = 300 };
	struct publish_stats st;
	struct publish *p;
	int enobufs = 0, other = 0, rc;
	char json[256];

	if (argc != 2) {
		fprintf(stderr, "usage: dropfull ENDPOINT NAME\n");
		return 2;
	}
	cfg.endpoint = argv[0];
	cfg.sensor_name = argv[1];
	p = publish_new(&cfg);
	if (!p) {
		fprintf(stderr, "publish_new: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 1; i <= 150; i++) {
		snprintf(json, sizeof(json), "{\"event_type\":\"alert\",\"sensor_name\":\"%s\",\"n\":%d}", argv[1], i);
		rc = publish_event(p, json);
		if (rc == -ENOBUFS)
			enobufs += i > 100;
		else if (rc)
			other++;
		else
			other += i > 100;	/* past 100 every call must report the drop */
	}
	publish_stats(p, &st);
	drive_check("events 101..150 return -ENOBUFS", enobufs == 50 && other == 0, NULL);
	drive_check("50 dropped, 100 queued", st.dropped_full == 50 && st.queued == 100, NULL);
	drive_check("flush times out without a collector", publish_flush(p, 300) == -ETIMEDOUT, NULL);
	printf("waiting for a collector\n");
	rc = publish_flush(p, 20000);
	publish_stats(p, &st);
	drive_check("flush succeeds once a collector acks", rc == 0 && st.acked == 100 && st.ack_seq == 150, NULL);
	publish_free(p);
	return drive_summary();
}

static int drive_sendv(void *sock, const struct wire_frame *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (zmq_send(sock, f[i].data, f[i].len, i + 1 < n ? ZMQ_SNDMORE : 0) < 0)
			return -zmq_errno();
	return 0;
}

/* Wait up to ms for an ack; returns its seq, 0 on timeout, UINT64_MAX if not an ack. */
static uint64_t drive_wait_ack(void *sock, int ms)
{
	zmq_pollitem_t it = { .socket = sock, .events = ZMQ_POLLIN };
	uint8_t buf[2][16];
	struct wire_frame f[2];
	size_t n = 0;
	int more = 1;
	uint64_t seq;

	if (zmq_poll(&it, 1, ms) <= 0)
		return 0;
	while (more) {
		size_t ml = sizeof(more);
		int len = zmq_recv(sock, buf[n < 2 ? n : 1], sizeof(buf[0]), 0);

		if (len < 0)
			return UINT64_MAX;
		if (n < 2) {
			f[n].data = buf[n];
			f[n].len = (size_t)len;
		}
		n++;
		zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
	}
	return wire_ack_decode(f, n, &seq) == WIRE_OK ? seq : UINT64_MAX;
}

/* raw ENDPOINT: malformed messages are not acked; a valid one afterwards is */
static int drive_raw(int argc, char **argv)
{
	static const char ok_json[] = "{\"event_type\":\"alert\",\"sensor_name\":\"raw\",\"n\":1}";
	static const char long_name[] = "0123456789012345678901234567890123456789012345678901234567890123";
	uint8_t seq1[8], seq0[8];
	void *ctx = zmq_ctx_new(), *sock = zmq_socket(ctx, ZMQ_DEALER);
	int zero = 0;
	uint64_t ack;
	const struct {
		const char *name;
		struct wire_frame f[5];
		size_t n;
	} bad[] = {
		{ "wrong frame count (3)", { { "VGL1", 4 }, { "raw", 3 }, { seq1, 8 } }, 3 },
		{ "wrong frame count (5)", { { "VGL1", 4 }, { "raw", 3 }, { seq1, 8 }, { ok_json, sizeof(ok_json) - 1 }, { "x", 1 } }, 5 },
		{ "bad magic", { { "VGLX", 4 }, { "raw", 3 }, { seq1, 8 }, { ok_json, sizeof(ok_json) - 1 } }, 4 },
		{ "non-JSON payload", { { "VGL1", 4 }, { "raw", 3 }, { seq1, 8 }, { "not json", 8 } }, 4 },
		{ "JSON array payload", { { "VGL1", 4 }, { "raw", 3 }, { seq1, 8 }, { "[1,2]", 5 } }, 4 },
		{ "0-length seq", { { "VGL1", 4 }, { "raw", 3 }, { "", 0 }, { ok_json, sizeof(ok_json) - 1 } }, 4 },
		{ "seq 0", { { "VGL1", 4 }, { "raw", 3 }, { seq0, 8 }, { ok_json, sizeof(ok_json) - 1 } }, 4 },
		{ "64-byte sensor name", { { "VGL1", 4 }, { long_name, 64 }, { seq1, 8 }, { ok_json, sizeof(ok_json) - 1 } }, 4 },
		{ "object without event_type", { { "VGL1", 4 }, { "raw", 3 }, { seq1, 8 }, { "{\"a\":1}", 7 } }, 4 },
		{ "trailing garbage", { { "VGL1", 4 }, { "raw", 3 }, { seq1, 8 }, { "{\"event_type\":\"x\"} x", 20 } }, 4 },
	};
	struct wire_frame good[4] = { { "VGL1", 4 }, { "raw", 3 }, { seq1, 8 }, { ok_json, sizeof(ok_json) - 1 } };

	if (argc != 1 || !sock) {
		fprintf(stderr, "usage: raw ENDPOINT\n");
		return 2;
	}
	wire_put_u64(seq1, 1);
	wire_put_u64(seq0, 0);
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_connect(sock, argv[0])) {
		fprintf(stderr, "connect %s: %s\n", argv[0], zmq_strerror(zmq_errno()));
		return 1;
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = drive_sendv(sock, bad[i].f, bad[i].n);

		/* each is checked on its own: no ack may come back for it */
		ack = rc ? UINT64_MAX : drive_wait_ack(sock, 300);
		drive_check(bad[i].name, rc == 0 && ack == 0, rc ? "send failed" : "got an answer");
	}
	drive_sendv(sock, good, 4);
	ack = drive_wait_ack(sock, 5000);
	drive_check("valid event after malformed ones is acked", ack == 1, "no ack 1 within 5 s");
	drive_sendv(sock, good, 4);
	ack = drive_wait_ack(sock, 5000);
	drive_check("resent valid event is re-acked", ack == 1, "no ack 1 within 5 s");
	zmq_close(sock);
	zmq_ctx_term(ctx);
	printf("raw: %zu malformed sent\n", sizeof(bad) / sizeof(bad[0]));
	return drive_summary();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_setup("zmq_drive", LOG_LEVEL_INFO);
	if (argc >= 2 && !strcmp(argv[1], "freeport"))
		return drive_freeport();
	if (argc >= 2 && !strcmp(argv[1], "publish"))
		return drive_publish(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return drive_verify(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "dropfull"))
		return drive_dropfull(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "raw"))
		return drive_raw(argc - 2, argv + 2);
	fprintf(stderr, "usage: zmq_drive freeport|publish|verify|dropfull|raw ...\n");
	return 2;
}

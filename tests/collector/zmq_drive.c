// SPDX-License-Identifier: GPL-2.0-only
/*
 * zmq_drive.c: the C half of the transport tests: publishes numbered events
 * through the real publisher, speaks raw (malformed) frames to a collector, and
 * checks a JSON-lines file for exactly-once, in-order delivery. For evidence
 * fetching it also writes pcapng files with the sensor's own writer, plays a
 * sensor that answers badly, and a collector that asks badly.
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
#include "evidence.h"
#include "publish.h"
#include "publish_evidence.h"
#include "sha256.h"

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

static char drive_pub[41], drive_sec[41], drive_srv[41];
static unsigned long drive_incident, drive_hold_ms;
static const char *drive_sha;	/* --sha: the evidence digest the alerts announce */
static unsigned long drive_pad;	/* --pad N: events carry N more bytes */
static const char *drive_json;	/* --json FILE: forge (and publish) send this file's text as the event */

/* Options after the positional arguments: --keys SENSOR.key SERVER.pub, --spool DIR, --rate N. */
static int drive_options(int argc, char **argv, struct publish_cfg *cfg, unsigned long *rate)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--keys") && i + 2 < argc) {
			if (wire_key_load(argv[i + 1], drive_pub, drive_sec) ||
			    wire_key_load(argv[i + 2], drive_srv, NULL)) {
				fprintf(stderr, "cannot read keys %s %s\n", argv[i + 1], argv[i + 2]);
				return -1;
			}
			cfg->curve_public = drive_pub;
			cfg->curve_secret = drive_sec;
			cfg->curve_server = drive_srv;
			i += 2;
		} else if (!strcmp(argv[i], "--spool") && i + 1 < argc) {
			cfg->spool_dir = argv[++i];
		} else if (!strcmp(argv[i], "--spool-max") && i + 1 < argc) {
			cfg->spool_max_bytes = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--queue") && i + 1 < argc) {
			cfg->queue_max = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--rate") && i + 1 < argc && rate) {
			*rate = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--evidence") && i + 1 < argc) {
			cfg->evidence_dir = argv[++i];
		} else if (!strcmp(argv[i], "--incident") && i + 1 < argc) {
			drive_incident = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			drive_json = argv[++i];
		} else if (!strcmp(argv[i], "--pad") && i + 1 < argc) {
			drive_pad = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--sha") && i + 1 < argc) {
			drive_sha = argv[++i];
		} else if (!strcmp(argv[i], "--failover-ms") && i + 1 < argc) {
			cfg->failover_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc) {
			drive_hold_ms = strtoul(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static uint64_t drive_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * publish ENDPOINT NAME COUNT DELAY_US TIMEOUT_MS [options]: events {"n":seq}
 * up to COUNT, then flush. With a spool, a restarted driver continues after
 * the last seq the spool remembers. --rate N paces N events per second.
 * --json FILE: every event is that file's text (one line) instead.
 */
/* ENDPOINT[,ENDPOINT...]: several collectors (publish_cfg.endpoints); ep is modified. */
static char *drive_eps[PUBLISH_ENDPOINTS_MAX];

static void drive_endpoints(char *ep, struct publish_cfg *cfg)
{
	cfg->endpoint = ep;
	if (!strchr(ep, ','))
		return;
	for (char *save = NULL, *t = strtok_r(ep, ",", &save); t && cfg->n_endpoints < PUBLISH_ENDPOINTS_MAX;
	     t = strtok_r(NULL, ",", &save))
		drive_eps[cfg->n_endpoints++] = t;
	cfg->endpoints = (const char *const *)drive_eps;
}

static int drive_publish(int argc, char **argv)
{
	struct publish_cfg cfg = { .queue_max = 100000, .retry_ms = 500 };
	struct publish_stats st;
	struct publish *p;
	unsigned long count, delay_us, timeout_ms, rate = 0, first;
	uint64_t t0;
	char json[512], *big = NULL, given[65536] = "";
	int rc;

	if (argc < 5 || drive_options(argc - 5, argv + 5, &cfg, &rate)) {
		fprintf(stderr, "usage: publish ENDPOINT NAME COUNT DELAY_US TIMEOUT_MS [--keys K P] [--spool DIR] [--rate N]\n");
		return 2;
	}
	drive_endpoints(argv[0], &cfg);
	cfg.sensor_name = argv[1];
	if (drive_json) {
		FILE *fp = fopen(drive_json, "r");
		size_t n = fp ? fread(given, 1, sizeof(given) - 1, fp) : 0;

		if (fp)
			fclose(fp);
		while (n && (given[n - 1] == '\n' || given[n - 1] == '\r'))
			n--;
		given[n] = '\0';
		if (!n) {
			fprintf(stderr, "publish: --json %s: nothing to send\n", drive_json);
			return 2;
		}
	}
	count = strtoul(argv[2], NULL, 10);
	delay_us = strtoul(argv[3], NULL, 10);
	timeout_ms = strtoul(argv[4], NULL, 10);
	p = publish_new(&cfg);
	if (!p) {
		fprintf(stderr, "publish_new: %s\n", strerror(errno));
		return 1;
	}
	publish_stats(p, &st);
	first = (unsigned long)st.published + 1;
	printf("publish: starting at seq %lu (%" PRIu64 " reloaded from the spool)\n", first, st.loaded);
	t0 = drive_now_us();
	for (unsigned long i = first; i <= count; i++) {
		char vigil[256] = "";

		if (drive_incident)	/* --incident: every event is an alert of that incident (--sha: with its digest) */
			snprintf(vigil, sizeof(vigil), ",\"vigil\":{\"detector\":\"test\",\"incident_id\":%lu%s%.64s%s}",
				 drive_incident, drive_sha ? ",\"evidence\":{\"sha256\":\"" : "", drive_sha ? drive_sha : "",
				 drive_sha ? "\"}" : "");
		snprintf(json, sizeof(json),
			 "{\"timestamp\":\"2026-11-23T13:00:00.%06lu+0000\",\"event_type\":\"alert\","
			 "\"sensor_name\":\"%s\",\"n\":%lu,\"alert\":{\"signature\":\"test event %lu\",\"severity\":3}%s}",
			 i % 1000000, argv[1], i, i, vigil);
		if (drive_pad && (big = realloc(big, strlen(json) + drive_pad + 16))) {
			/* ..."pad":"xxx"} */
			size_t l = strlen(json) - 1;

			memcpy(big, json, l);
			l += (size_t)sprintf(big + l, ",\"pad\":\"");
			memset(big + l, 'x', drive_pad);
			strcpy(big + l + drive_pad, "\"}");
		}
		rc = publish_event(p, given[0] ? given : drive_pad && big ? big : json);
		if (rc && rc != -ENOBUFS) {	/* -ENOBUFS: the oldest were dropped and counted */
			fprintf(stderr, "publish_event %lu: %s\n", i, strerror(-rc));
			publish_free(p);
			return 1;
		}
		if (delay_us)
			usleep((useconds_t)delay_us);
		if (rate) {
			uint64_t due = t0 + (uint64_t)(i - first + 1) * 1000000 / rate, now = drive_now_us();

			if (due > now)
				usleep((useconds_t)(due - now));
		}
	}
	free(big);
	rc = publish_flush(p, (uint32_t)timeout_ms);
	if (drive_hold_ms)	/* stay connected, answering evidence requests */
		usleep((useconds_t)drive_hold_ms * 1000);
	publish_stats(p, &st);
	if (drive_hold_ms)
		printf("publish: evidence_requests=%" PRIu64 " evidence_sent=%" PRIu64 " evidence_bytes=%" PRIu64
		       " evidence_bad=%" PRIu64 "\n", st.evidence_requests, st.evidence_sent, st.evidence_bytes,
		       st.evidence_bad);
	printf("publish: flush=%s published=%" PRIu64 " sent=%" PRIu64 " acked=%" PRIu64 " failovers=%" PRIu64 " resent=%" PRIu64
	       " dropped=%" PRIu64 " queued=%" PRIu64 " ack_seq=%" PRIu64 " refused=%" PRIu64 " dropped_spool=%" PRIu64 " spool_bytes=%" PRIu64
	       " elapsed_ms=%" PRIu64 "\n",
	       rc ? "timeout" : "ok", st.published, st.sent, st.acked, st.failovers, st.resent, st.dropped_full, st.queued,
	       st.ack_seq, st.refused, st.dropped_spool, st.spool_bytes, (drive_now_us() - t0) / 1000);
	publish_free(p);
	/* acked counts this process only: with a reloaded spool it is count - first + 1 + loaded */
	return rc ? 1 : (st.ack_seq == count && st.queued == 0 ? 0 : 1);
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

	struct publish_cfg kc = { 0 };

	if (argc < 1 || !sock || drive_options(argc - 1, argv + 1, &kc, NULL)) {
		fprintf(stderr, "usage: raw ENDPOINT [--keys SENSOR.key SERVER.pub]\n");
		return 2;
	}
	wire_put_u64(seq1, 1);
	wire_put_u64(seq0, 0);
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	if (kc.curve_public) {
		zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, drive_srv, 40);
		zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, drive_pub, 40);
		zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, drive_sec, 40);
	}
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

/*
 * refused ENDPOINT NAME WAIT_MS [--keys ...]: a publisher the collector must
 * turn away: nothing acked within WAIT_MS, and the refusal seen by the client.
 */
static int drive_refused(int argc, char **argv)
{
	struct publish_cfg cfg = { .queue_max = 100, .retry_ms = 300 };
	struct publish_stats st;
	struct publish *p;
	int rc;

	if (argc < 3 || drive_options(argc - 3, argv + 3, &cfg, NULL)) {
		fprintf(stderr, "usage: refused ENDPOINT NAME WAIT_MS [--keys K P]\n");
		return 2;
	}
	cfg.endpoint = argv[0];
	cfg.sensor_name = argv[1];
	p = publish_new(&cfg);
	if (!p) {
		fprintf(stderr, "publish_new: %s\n", strerror(errno));
		return 1;
	}
	publish_event(p, "{\"event_type\":\"alert\",\"n\":1}");
	rc = publish_flush(p, (uint32_t)strtoul(argv[2], NULL, 10));
	publish_stats(p, &st);
	drive_check("nothing acked", rc == -ETIMEDOUT && st.acked == 0, NULL);
	drive_check("publisher saw the handshake refused", st.refused > 0, NULL);
	printf("refused: handshakes refused=%" PRIu64 " connected=%d\n", st.refused, st.connected);
	publish_free(p);
	return drive_summary();
}

static void drive_mapped(uint8_t a[16], uint32_t v4)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)(v4 >> 24);
	a[13] = (uint8_t)(v4 >> 16);
	a[14] = (uint8_t)(v4 >> 8);
	a[15] = (uint8_t)v4;
}

static void drive_evidence_done(void *ctx, const struct evidence_info *info)
{
	*(struct evidence_info *)ctx = *info;
}

/*
 * mkevidence DIR SENSOR INCIDENT PACKETS LEN: an evidence file written by the
 * sensor's own writer (dataplane/evidence.c): PACKETS frames of LEN bytes between
 * 192.0.2.7 and 198.51.100.1. Prints "PATH SHA256 BYTES".
 */
static int drive_mkevidence(int argc, char **argv)
{
	struct evidence_info info = { 0 }, done = { 0 };
	struct evidence *ev;
	uint8_t a[16], b[16], frame[65536];
	unsigned long n, len;
	uint32_t x = 2463534242u;

	if (argc != 5) {
		fprintf(stderr, "usage: mkevidence DIR SENSOR INCIDENT PACKETS LEN\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	len = strtoul(argv[4], NULL, 10);
	if (len < 64 || len > 65535 || n == 0) {
		fprintf(stderr, "mkevidence: LEN 64..65535, PACKETS >= 1\n");
		return 2;
	}
	struct evidence_cfg cfg = {
		.dir = argv[0], .sensor_name = argv[1], .ring_bytes = 1 << 20, .ring_ns = 5000000000ull,
		.snaplen = (uint32_t)len, .post_packets = (uint32_t)n, .post_ns = 3600000000000ull,
		.budget_bytes = 1ull << 32, .max_open = 4,
	};
	ev = evidence_new(&cfg);
	if (!ev) {
		fprintf(stderr, "evidence_new %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	drive_mapped(a, 0xc0000207);
	drive_mapped(b, 0xc6336401);
	if (evidence_start(ev, strtoull(argv[2], NULL, 10), "test", a, NULL, (uint32_t)n, 1000000000ull, &info)) {
		fprintf(stderr, "evidence_start: %s\n", strerror(errno));
		evidence_free(ev, NULL, NULL);
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		/* Ethernet + IPv4 header, then xorshift bytes: deterministic, incompressible */
		memset(frame, 0, 34);
		frame[12] = 0x08;
		frame[14] = 0x45;
		memcpy(frame + 26, a + 12, 4);
		memcpy(frame + 30, b + 12, 4);
		for (unsigned long k = 34; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			frame[k] = (uint8_t)x;
		}
		evidence_packet(ev, 1000000000ull + i * 1000, frame, (uint32_t)len, i % 2 ? b : a, i % 2 ? a : b);
	}
	evidence_tick(ev, 1000000000ull + n * 1000, drive_evidence_done, &done);
	evidence_free(ev, drive_evidence_done, &done);
	if (!done.complete) {
		fprintf(stderr, "mkevidence: capture not completed: %s\n", done.error ? strerror(-done.error) : "?");
		return 1;
	}
	printf("%s %s %llu\n", done.path, done.sha256, (unsigned long long)done.bytes);
	return 0;
}

/* Receive one multipart message into up to 8 frames of at most 512 bytes; returns the frame count, 0 on timeout. */
static int drive_recv(void *sock, int ms, uint8_t buf[8][512], struct wire_frame *f)
{
	zmq_pollitem_t it = { .socket = sock, .events = ZMQ_POLLIN };
	int n = 0, more = 1;

	if (zmq_poll(&it, 1, ms) <= 0)
		return 0;
	while (more) {
		size_t ml = sizeof(more);
		int len = zmq_recv(sock, buf[n < 8 ? n : 7], 512, 0);

		if (len < 0)
			return -1;
		if (n < 8) {
			f[n].data = buf[n];
			f[n].len = (size_t)(len < 512 ? len : 512);
		}
		n++;
		zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
	}
	return n;
}

/*
 * fakesensor ENDPOINT NAME MODE SECONDS [--keys K P]: a sensor that sends one
 * alert of incident 5, then answers evidence requests badly for SECONDS:
 * silent (never), baddigest (bytes that do not match the digest), malformed
 * (ten malformed replies and one nobody asked for, then nothing).
 */
static int drive_fakesensor(int argc, char **argv)
{
	struct publish_cfg kc = { 0 };
	void *ctx = zmq_ctx_new(), *sock = zmq_socket(ctx, ZMQ_DEALER);
	uint8_t seq1[8], buf[8][512], st_ok = WIRE_EV_OK, st_nf = WIRE_EV_NOT_FOUND, st_bad = 9;
	char json[256], zeros[65], upper[65];
	struct wire_frame f[8];
	unsigned long requests = 0;
	uint64_t deadline;
	int zero = 0;

	if (argc < 4 || !sock || drive_options(argc - 4, argv + 4, &kc, NULL)) {
		fprintf(stderr, "usage: fakesensor ENDPOINT NAME silent|baddigest|malformed SECONDS [--keys K P]\n");
		return 2;
	}
	memset(zeros, '0', 64);
	zeros[64] = '\0';
	memset(upper, 'A', 64);
	upper[64] = '\0';
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	if (kc.curve_public) {
		zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, drive_srv, 40);
		zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, drive_pub, 40);
		zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, drive_sec, 40);
	}
	if (zmq_connect(sock, argv[0])) {
		fprintf(stderr, "connect: %s\n", zmq_strerror(zmq_errno()));
		return 1;
	}
	wire_put_u64(seq1, 1);
	/* the alert announces a digest (any: the fake never sends the file that matches it) */
	snprintf(json, sizeof(json), "{\"event_type\":\"alert\",\"sensor_name\":\"%s\",\"vigil\":{\"incident_id\":5,"
		 "\"evidence\":{\"sha256\":\"%s\"}}}", argv[1], zeros);
	struct wire_frame ev[4] = { { "VGL1", 4 }, { argv[1], strlen(argv[1]) }, { seq1, 8 }, { json, strlen(json) } };
	drive_sendv(sock, ev, 4);
	drive_check("fake sensor's event acked", drive_wait_ack(sock, 5000) == 1, NULL);
	printf("fakesensor: ready\n");
	deadline = drive_now_us() + strtoull(argv[3], NULL, 10) * 1000000;
	while (drive_now_us() < deadline) {
		struct wire_evreq req;
		uint8_t rid[8], rid0[8] = { 0 }, other[8];
		int n = drive_recv(sock, 200, buf, f);
		const char *name = argv[1];
		size_t nl = strlen(name);

		if (n <= 0 || wire_evreq_decode(f, (size_t)n, &req) != WIRE_OK)
			continue;
		requests++;
		wire_put_u64(rid, req.request_id);
		wire_put_u64(other, req.request_id + 1000);
		if (!strcmp(argv[2], "baddigest")) {
			struct wire_frame r[7] = { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_ok, 1 },
						   { "x.pcapng", 8 }, { zeros, 64 }, { "not what the digest says", 25 } };

			drive_sendv(sock, r, 7);
		} else if (!strcmp(argv[2], "malformed")) {
			const struct {
				struct wire_frame f[8];
				size_t n;
			} bad[] = {
				{ { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_ok, 1 }, { "x.pcapng", 8 }, { zeros, 64 } }, 6 },
				{ { { "VGRX", 4 }, { name, nl }, { rid, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7 },
				{ { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_bad, 1 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7 },
				{ { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_ok, 1 }, { "../../etc/passwd", 16 }, { zeros, 64 }, { "x", 1 } }, 7 },
				{ { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_ok, 1 }, { ".hidden", 7 }, { zeros, 64 }, { "x", 1 } }, 7 },
				{ { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_ok, 1 }, { "x.pcapng", 8 }, { zeros, 63 }, { "x", 1 } }, 7 },
				{ { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_ok, 1 }, { "x.pcapng", 8 }, { upper, 64 }, { "x", 1 } }, 7 },
				{ { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_ok, 1 }, { "x.pcapng", 8 }, { zeros, 64 }, { "", 0 } }, 7 },
				{ { { "VGR1", 4 }, { name, nl }, { rid, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "x", 1 } }, 7 },
				{ { { "VGR1", 4 }, { name, nl }, { rid0, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7 },
			};
			struct wire_frame unasked[7] = { { "VGR1", 4 }, { name, nl }, { other, 8 }, { &st_nf, 1 },
							 { "", 0 }, { "", 0 }, { "", 0 } };

			for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
				drive_sendv(sock, bad[i].f, bad[i].n);
			drive_sendv(sock, unasked, 7);
			printf("fakesensor: sent %zu malformed replies and 1 unsolicited\n", sizeof(bad) / sizeof(bad[0]));
		}
	}
	printf("fakesensor: %lu requests\n", requests);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return drive_summary();
}

/*
 * As the collector: wait for the publisher's next event (n), take its routing
 * id, ack it. true if one came within 5 s.
 */
static bool drive_learn(void *router, struct publish *p, int n, uint8_t *rid, size_t *rid_len)
{
	zmq_pollitem_t it = { .socket = router, .events = ZMQ_POLLIN };
	uint8_t buf[8][512], seq[8];
	struct wire_frame f[8];
	char json[64];
	zmq_msg_t m;
	int k;

	snprintf(json, sizeof(json), "{\"event_type\":\"alert\",\"n\":%d}", n);
	publish_event(p, json);
	zmq_msg_init(&m);
	if (zmq_poll(&it, 1, 5000) <= 0 || zmq_msg_recv(&m, router, 0) <= 0 || zmq_msg_size(&m) > 256) {
		zmq_msg_close(&m);
		return false;
	}
	*rid_len = zmq_msg_size(&m);
	memcpy(rid, zmq_msg_data(&m), *rid_len);
	zmq_msg_close(&m);
	k = drive_recv(router, 100, buf, f);
	if (k != 4 || f[2].len != 8)
		return false;
	memcpy(seq, f[2].data, 8);
	struct wire_frame ack[3] = { { rid, *rid_len }, { "VGA1", 4 }, { seq, 8 } };
	drive_sendv(router, ack, 3);
	return true;
}

/* The next message that is not an event (events are resent while unacked); its frame count, 0 on timeout. */
static int drive_recv_reply(void *router, int ms, uint8_t buf[8][512], struct wire_frame *f)
{
	uint64_t end = drive_now_us() + (uint64_t)ms * 1000;

	while (drive_now_us() < end) {
		int n = drive_recv(router, (int)((end - drive_now_us()) / 1000) + 1, buf, f);

		if (n <= 0)
			return n;
		if (n >= 2 && f[1].len == 4 && !memcmp(f[1].data, "VGL1", 4))
			continue;
		return n;
	}
	return 0;
}

/*
 * evreq ENDPOINT DIR: a collector that asks badly. A CURVE ROUTER here and the
 * real publisher (evidence dir DIR, sensor "evsensor"); malformed requests must
 * get no answer and be counted, valid ones the file (incident 41), not_found
 * (incident 42) or incomplete (incident 43, a cut file); events still flow.
 */
static int drive_evreq(int argc, char **argv)
{
	char spub[41], ssec[41], cpub[41], csec[41], path[1024], hex[SHA256_HEX_LEN];
	void *ctx = zmq_ctx_new(), *router = zmq_socket(ctx, ZMQ_ROUTER);
	uint8_t buf[8][512], rid[256], id1[8], id0[8], inc41[8], inc42[8], inc43[8], id7[7] = { 0 };
	uint8_t digest[SHA256_DIGEST_LEN], *file = NULL;
	struct publish_cfg cfg = { .queue_max = 100, .retry_ms = 300, .sensor_name = "evsensor" };
	struct publish_stats st;
	struct wire_frame f[8];
	struct wire_evrep rep;
	struct publish *p;
	struct sha256 h;
	size_t rid_len = 0, file_len = 0;
	int one = 1, zero = 0, n;
	FILE *fp;

	if (argc != 2 || !router) {
		fprintf(stderr, "usage: evreq ENDPOINT DIR\n");
		return 2;
	}
	/* the file of incident 41, and a cut copy as incident 43 */
	snprintf(path, sizeof(path), "%s/evsensor-test-41.pcapng", argv[1]);
	fp = fopen(path, "rb");
	if (fp) {
		file = malloc(8 << 20);
		file_len = file ? fread(file, 1, 8 << 20, fp) : 0;
		fclose(fp);
	}
	if (!file_len) {
		fprintf(stderr, "evreq: %s missing (mkevidence it first)\n", path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/evsensor-test-43.pcapng", argv[1]);
	fp = fopen(path, "wb");
	if (!fp || fwrite(file, 1, file_len - 3, fp) != file_len - 3 || fclose(fp)) {
		fprintf(stderr, "evreq: cannot write %s\n", path);
		return 1;
	}
	zmq_curve_keypair(spub, ssec);
	zmq_curve_keypair(cpub, csec);
	zmq_setsockopt(router, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(router, ZMQ_CURVE_SERVER, &one, sizeof(one));
	zmq_setsockopt(router, ZMQ_CURVE_SECRETKEY, ssec, 40);
	if (zmq_bind(router, argv[0])) {
		fprintf(stderr, "bind %s: %s\n", argv[0], zmq_strerror(zmq_errno()));
		return 1;
	}
	cfg.endpoint = argv[0];
	cfg.curve_public = cpub;
	cfg.curve_secret = csec;
	cfg.curve_server = spub;
	cfg.evidence_dir = argv[1];
	p = publish_new(&cfg);
	if (!p) {
		fprintf(stderr, "publish_new: %s\n", strerror(errno));
		return 1;
	}
	drive_check("publisher's first event arrives over CURVE", drive_learn(router, p, 1, rid, &rid_len), NULL);
	if (!rid_len) {
		publish_free(p);
		return drive_summary();
	}
	wire_put_u64(id1, 1);
	wire_put_u64(id0, 0);
	wire_put_u64(inc41, 41);
	wire_put_u64(inc42, 42);
	wire_put_u64(inc43, 43);
	{
		const struct {
			const char *name;
			struct wire_frame f[5];
			size_t n;
		} bad[] = {
			{ "request: 2 frames", { { rid, rid_len }, { "VGE1", 4 }, { id1, 8 } }, 3 },
			{ "request: 4 frames", { { rid, rid_len }, { "VGE1", 4 }, { id1, 8 }, { inc41, 8 }, { "x", 1 } }, 5 },
			{ "request: bad magic", { { rid, rid_len }, { "VGEX", 4 }, { id1, 8 }, { inc41, 8 } }, 4 },
			{ "request: request id 0", { { rid, rid_len }, { "VGE1", 4 }, { id0, 8 }, { inc41, 8 } }, 4 },
			{ "request: incident id 0", { { rid, rid_len }, { "VGE1", 4 }, { id1, 8 }, { id0, 8 } }, 4 },
			{ "request: 7-byte id", { { rid, rid_len }, { "VGE1", 4 }, { id7, 7 }, { inc41, 8 } }, 4 },
			{ "request: 8 KiB incident frame", { { rid, rid_len }, { "VGE1", 4 }, { id1, 8 }, { file, 8192 } }, 4 },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			drive_sendv(router, bad[i].f, bad[i].n);
			n = drive_recv_reply(router, 300, buf, f);
			drive_check(bad[i].name, n == 0, "got an answer");
		}
	}
	drive_check("the link is still up after them", drive_learn(router, p, 2, rid, &rid_len), NULL);
	/* incident 41: the whole file, digest right */
	struct wire_frame r41[4] = { { rid, rid_len }, { "VGE1", 4 }, { id1, 8 }, { inc41, 8 } };
	drive_sendv(router, r41, 4);
	{
		zmq_msg_t fm[9];
		struct wire_frame ff[8];
		int more = 1, k = 0;
		zmq_pollitem_t it = { .socket = router, .events = ZMQ_POLLIN };
		bool ok = false;

		while (zmq_poll(&it, 1, 5000) > 0) {
			k = 0;
			more = 1;
			while (more && k < 9) {
				size_t ml = sizeof(more);

				zmq_msg_init(&fm[k]);
				zmq_msg_recv(&fm[k], router, 0);
				k++;
				zmq_getsockopt(router, ZMQ_RCVMORE, &more, &ml);
			}
			for (int i = 1; i < k; i++) {
				ff[i - 1].data = zmq_msg_data(&fm[i]);
				ff[i - 1].len = zmq_msg_size(&fm[i]);
			}
			if (k >= 2 && wire_evrep_decode(ff, (size_t)k - 1, &rep) == WIRE_OK && rep.status == WIRE_EV_OK &&
			    rep.request_id == 1 && rep.data_len == file_len && !memcmp(rep.data, file, file_len)) {
				sha256_init(&h);
				sha256_update(&h, file, file_len);
				sha256_final(&h, digest);
				sha256_hex(digest, hex);
				ok = !memcmp(rep.sha256, hex, 64) &&
				     rep.file_name_len == strlen("evsensor-test-41.pcapng") &&
				     !memcmp(rep.file_name, "evsensor-test-41.pcapng", rep.file_name_len);
			}
			for (int i = 0; i < k; i++)
				zmq_msg_close(&fm[i]);
			if (k != 5)	/* not a resent event: the reply */
				break;
		}
		drive_check("incident 41: the file, its name and SHA-256", ok, NULL);
	}
	struct wire_frame r42[4] = { { rid, rid_len }, { "VGE1", 4 }, { id1, 8 }, { inc42, 8 } };
	drive_sendv(router, r42, 4);
	n = drive_recv_reply(router, 5000, buf, f);
	drive_check("incident 42: not_found", n == 8 && wire_evrep_decode(f + 1, 7, &rep) == WIRE_OK &&
		    rep.status == WIRE_EV_NOT_FOUND && rep.data_len == 0, NULL);
	struct wire_frame r43[4] = { { rid, rid_len }, { "VGE1", 4 }, { id1, 8 }, { inc43, 8 } };
	drive_sendv(router, r43, 4);
	n = drive_recv_reply(router, 5000, buf, f);
	drive_check("incident 43 (cut file): incomplete", n == 8 && wire_evrep_decode(f + 1, 7, &rep) == WIRE_OK &&
		    rep.status == WIRE_EV_INCOMPLETE && rep.data_len == 0, NULL);
	/* events still flow afterwards */
	drive_check("the next event still arrives and is acked", drive_learn(router, p, 3, rid, &rid_len), NULL);
	publish_stats(p, &st);
	printf("evreq: requests=%" PRIu64 " sent=%" PRIu64 " bad=%" PRIu64 " bytes=%" PRIu64 "\n",
	       st.evidence_requests, st.evidence_sent, st.evidence_bad, st.evidence_bytes);
	drive_check("publisher counted 7 malformed, 3 requests, 1 file sent",
		    st.evidence_bad == 7 && st.evidence_requests == 3 && st.evidence_sent == 1 &&
		    st.evidence_bytes == file_len, NULL);
	publish_free(p);
	free(file);
	zmq_close(router);
	zmq_ctx_term(ctx);
	return drive_summary();
}

/* A DEALER connected to endpoint, with the keys of drive_options when given; NULL on failure. */
static void *drive_dealer(void *ctx, const char *endpoint, const struct publish_cfg *kc)
{
	void *sock = zmq_socket(ctx, ZMQ_DEALER);
	int zero = 0;

	if (!sock)
		return NULL;
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	if (kc->curve_public) {
		zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, drive_srv, 40);
		zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, drive_pub, 40);
		zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, drive_sec, 40);
	}
	if (zmq_connect(sock, endpoint)) {
		zmq_close(sock);
		return NULL;
	}
	return sock;
}

/*
 * forge ENDPOINT NAME SEQ WAIT_MS [--keys K P]: the attacker of issue 20: one
 * well-formed event under NAME with SEQ (decimal, up to 2^64-1), then whatever
 * ack comes within WAIT_MS. Prints "forge: ack=N" or "forge: no ack"; exit 0
 * when no ack came (the collector refused it), 1 when one did.
 */
static int drive_forge(int argc, char **argv)
{
	struct publish_cfg kc = { 0 };
	void *ctx = zmq_ctx_new(), *sock;
	uint8_t seq[8];
	char json[65536];
	uint64_t ack;

	if (argc < 4 || drive_options(argc - 4, argv + 4, &kc, NULL)) {
		fprintf(stderr, "usage: forge ENDPOINT NAME SEQ WAIT_MS [--keys K P] [--json FILE]\n");
		return 2;
	}
	sock = drive_dealer(ctx, argv[0], &kc);
	if (!sock)
		return 2;
	wire_put_u64(seq, strtoull(argv[2], NULL, 10));
	snprintf(json, sizeof(json), "{\"timestamp\":\"2026-11-23T13:00:00.000000+0000\",\"event_type\":\"alert\","
		 "\"alert\":{\"signature\":\"forged\",\"severity\":1},\"n\":0}");
	if (drive_json) {
		FILE *fp = fopen(drive_json, "r");
		size_t n = fp ? fread(json, 1, sizeof(json) - 1, fp) : 0;

		if (fp)
			fclose(fp);
		while (n && (json[n - 1] == '\n' || json[n - 1] == '\r'))
			n--;
		json[n] = '\0';
	}
	struct wire_frame f[4] = { { "VGL1", 4 }, { argv[1], strlen(argv[1]) }, { seq, 8 }, { json, strlen(json) } };
	drive_sendv(sock, f, 4);
	ack = drive_wait_ack(sock, atoi(argv[3]));
	if (ack && ack != UINT64_MAX)
		printf("forge: %s seq %s: ack=%" PRIu64 "\n", argv[1], argv[2], ack);
	else
		printf("forge: %s seq %s: no ack\n", argv[1], argv[2]);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return ack && ack != UINT64_MAX ? 1 : 0;
}

/*
 * names ENDPOINT PREFIX COUNT [--keys K P]: COUNT events, each under a new
 * name PREFIX0, PREFIX1 ... (seq 1), as fast as ZeroMQ takes them; then counts
 * the acks that come back within a second. Prints "names: sent=N acks=K".
 */
static int drive_names(int argc, char **argv)
{
	struct publish_cfg kc = { 0 };
	void *ctx = zmq_ctx_new(), *sock;
	unsigned long count, acks = 0;
	uint8_t seq[8];
	static const char json[] = "{\"event_type\":\"alert\",\"n\":0}";
	char name[64];
	uint64_t a;

	if (argc < 3 || drive_options(argc - 3, argv + 3, &kc, NULL)) {
		fprintf(stderr, "usage: names ENDPOINT PREFIX COUNT [--keys K P]\n");
		return 2;
	}
	sock = drive_dealer(ctx, argv[0], &kc);
	if (!sock)
		return 2;
	count = strtoul(argv[2], NULL, 10);
	wire_put_u64(seq, 1);
	for (unsigned long i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s%lu", argv[1], i);
		struct wire_frame f[4] = { { "VGL1", 4 }, { name, strlen(name) }, { seq, 8 }, { json, sizeof(json) - 1 } };
		drive_sendv(sock, f, 4);
		if (i % 256 == 0)
			while ((a = drive_wait_ack(sock, 0)) && a != UINT64_MAX)
				acks++;
	}
	while ((a = drive_wait_ack(sock, 1000)) && a != UINT64_MAX)
		acks++;
	printf("names: sent=%lu acks=%lu\n", count, acks);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return 0;
}

/*
 * forgereply ENDPOINT NAME SECONDS [--keys K P]: answers for another sensor:
 * for SECONDS, evidence replies under NAME for request ids 1..64, status ok,
 * a forged "pcapng" with its own (matching) digest, ten times a second.
 */
static int drive_forgereply(int argc, char **argv)
{
	struct publish_cfg kc = { 0 };
	void *ctx = zmq_ctx_new(), *sock;
	static const char forged[] = "forged evidence: not what the sensor captured";
	uint8_t digest[SHA256_DIGEST_LEN], st_ok = WIRE_EV_OK, rid[8];
	char hex[SHA256_HEX_LEN];
	struct sha256 h;
	uint64_t end;
	unsigned long sent = 0;

	if (argc < 3 || drive_options(argc - 3, argv + 3, &kc, NULL)) {
		fprintf(stderr, "usage: forgereply ENDPOINT NAME SECONDS [--keys K P]\n");
		return 2;
	}
	sock = drive_dealer(ctx, argv[0], &kc);
	if (!sock)
		return 2;
	sha256_init(&h);
	sha256_update(&h, forged, sizeof(forged) - 1);
	sha256_final(&h, digest);
	sha256_hex(digest, hex);
	end = drive_now_us() + strtoull(argv[2], NULL, 10) * 1000000;
	while (drive_now_us() < end) {
		for (uint64_t id = 1; id <= 64; id++) {
			wire_put_u64(rid, id);
			struct wire_frame r[7] = { { "VGR1", 4 }, { argv[1], strlen(argv[1]) }, { rid, 8 }, { &st_ok, 1 },
						   { "collector.yaml", 14 }, { hex, 64 }, { forged, sizeof(forged) - 1 } };
			drive_sendv(sock, r, 7);
			sent++;
		}
		usleep(100000);
	}
	printf("forgereply: %lu forged replies sent as %s\n", sent, argv[1]);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return 0;
}

/*
 * conns ENDPOINT NAME N WAIT_MS [--keys K P]: N connections from one key at
 * once, each sending one event under NAME (seq 1); counts the connections an
 * ack came back on within WAIT_MS. Prints "conns: opened=N acked=K".
 */
static int drive_conns(int argc, char **argv)
{
	struct publish_cfg kc = { 0 };
	void *ctx = zmq_ctx_new(), **socks;
	unsigned long n, acked = 0;
	uint64_t end;
	uint8_t seq[8];
	static const char json[] = "{\"event_type\":\"alert\",\"n\":1}";
	bool *got;

	if (argc < 4 || drive_options(argc - 4, argv + 4, &kc, NULL)) {
		fprintf(stderr, "usage: conns ENDPOINT NAME N WAIT_MS [--keys K P]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)n + 16);
	socks = calloc(n, sizeof(*socks));
	got = calloc(n, sizeof(*got));
	if (!socks || !got)
		return 1;
	wire_put_u64(seq, 1);
	for (unsigned long i = 0; i < n; i++) {
		struct wire_frame f[4] = { { "VGL1", 4 }, { argv[1], strlen(argv[1]) }, { seq, 8 }, { json, sizeof(json) - 1 } };

		socks[i] = drive_dealer(ctx, argv[0], &kc);
		if (socks[i])
			drive_sendv(socks[i], f, 4);
	}
	end = drive_now_us() + strtoull(argv[3], NULL, 10) * 1000;
	while (drive_now_us() < end && acked < n) {
		for (unsigned long i = 0; i < n; i++) {
			uint64_t a;

			if (!socks[i] || got[i])
				continue;
			a = drive_wait_ack(socks[i], 0);
			if (a && a != UINT64_MAX) {
				got[i] = true;
				acked++;
			}
		}
		usleep(20000);
	}
	printf("conns: opened=%lu acked=%lu\n", n, acked);
	for (unsigned long i = 0; i < n; i++)
		if (socks[i])
			zmq_close(socks[i]);
	free(socks);
	free(got);
	zmq_ctx_term(ctx);
	return 0;
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
	if (argc >= 2 && !strcmp(argv[1], "refused"))
		return drive_refused(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "mkevidence"))
		return drive_mkevidence(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "fakesensor"))
		return drive_fakesensor(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "evreq"))
		return drive_evreq(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "forge"))
		return drive_forge(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "names"))
		return drive_names(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "conns"))
		return drive_conns(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "forgereply"))
		return drive_forgereply(argc - 2, argv + 2);
	fprintf(stderr, "usage: zmq_drive freeport|publish|verify|dropfull|raw|refused|mkevidence|fakesensor|evreq|"
		"forge|names|forgereply|conns ...\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_serve.c: the collector's top level loop, the only collector code that
 * talks to ZeroMQ and logs. Messages are handled in batches; the file is
 * flushed before the batch is acked, so an ack always means "in the file".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "log.h"
#include "wire.h"
#include "collector_ingest.h"
#include "collector_serve.h"
#include "collector_store.h"

#define COLLECTOR_SERVE_BATCH 256
#define COLLECTOR_SERVE_HWM 10000
#define COLLECTOR_SERVE_RID_MAX 256
#define COLLECTOR_SERVE_FRAMES (WIRE_EVENT_FRAMES + 2)	/* routing id + one extra to detect "too many" */

/* One (peer, sensor) to ack at the end of a batch. */
struct collector_serve_peer {
	uint8_t rid[COLLECTOR_SERVE_RID_MAX];
	size_t rid_len;
	char sensor[WIRE_NAME_MAX + 1];
};

struct collector_serve {
	void *ctx;
	void *sock;
	struct collector_store *store;
	struct collector_stats *st;
	struct collector_serve_peer peers[COLLECTOR_SERVE_BATCH];
	size_t npeers;
	time_t malformed_logged;
	uint64_t malformed_quiet;	/* malformed messages not logged since the last line */
};

static uint64_t collector_serve_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static void collector_serve_note_peer(struct collector_serve *sv, const zmq_msg_t *rid, const char *sensor)
{
	size_t len = zmq_msg_size((zmq_msg_t *)rid);

	if (len > COLLECTOR_SERVE_RID_MAX)
		return;
	for (size_t i = 0; i < sv->npeers; i++)
		if (sv->peers[i].rid_len == len && !memcmp(sv->peers[i].rid, zmq_msg_data((zmq_msg_t *)rid), len) &&
		    !strcmp(sv->peers[i].sensor, sensor))
			return;
	if (sv->npeers == COLLECTOR_SERVE_BATCH)
		return;
	memcpy(sv->peers[sv->npeers].rid, zmq_msg_data((zmq_msg_t *)rid), len);
	sv->peers[sv->npeers].rid_len = len;
	snprintf(sv->peers[sv->npeers].sensor, sizeof(sv->peers[0].sensor), "%s", sensor);
	sv->npeers++;
}

static void collector_serve_malformed(struct collector_serve *sv, const struct collector_ingest_out *out)
{
	uint64_t now = collector_serve_now_s();

	if (sv->malformed_logged && now == (uint64_t)sv->malformed_logged) {
		sv->malformed_quiet++;
		return;
	}
	pr_warn("dropped a malformed message (%s); %" PRIu64 " more since the last report, %" PRIu64
		" in total", wire_verdict_name(out->verdict), sv->malformed_quiet, sv->st->malformed);
	sv->malformed_logged = (time_t)now;
	sv->malformed_quiet = 0;
}

/* Read one multipart message and ingest it. Returns 1 if one was read, 0 if none waiting, -errno. */
static int collector_serve_one(struct collector_serve *sv)
{
	zmq_msg_t m[COLLECTOR_SERVE_FRAMES];
	struct wire_frame f[COLLECTOR_SERVE_FRAMES];
	struct collector_ingest_out out;
	size_t n = 0, total = 0;
	int more = 1, rc = 0;

	while (more) {
		size_t ml = sizeof(more);
		zmq_msg_t *msg = &m[n < COLLECTOR_SERVE_FRAMES ? n : COLLECTOR_SERVE_FRAMES - 1];

		if (n >= COLLECTOR_SERVE_FRAMES)
			zmq_msg_close(msg);	/* keep the count, not the content, of extra frames */
		zmq_msg_init(msg);
		if (zmq_msg_recv(msg, sv->sock, total ? 0 : ZMQ_DONTWAIT) < 0) {
			rc = zmq_errno() == EAGAIN ? 0 : -zmq_errno();
			zmq_msg_close(msg);
			goto cleanup;
		}
		if (n < COLLECTOR_SERVE_FRAMES)
			n++;
		total++;
		if (zmq_getsockopt(sv->sock, ZMQ_RCVMORE, &more, &ml))
			more = 0;
	}
	for (size_t i = 1; i < n; i++) {
		f[i - 1].data = zmq_msg_data(&m[i]);
		f[i - 1].len = zmq_msg_size(&m[i]);
	}
	/* total - 1 frames after the routing id; beyond the array only the count matters */
	rc = collector_ingest(sv->store, f, total - 1, sv->st, &out);
	if (rc)
		goto cleanup;
	if (out.result == COLLECTOR_INGEST_MALFORMED)
		collector_serve_malformed(sv, &out);
	else
		collector_serve_note_peer(sv, &m[0], out.sensor);
	rc = 1;
cleanup:
	for (size_t i = 0; i < n; i++)
		zmq_msg_close(&m[i]);
	return rc;
}

static void collector_serve_ack(struct collector_serve *sv)
{
	for (size_t i = 0; i < sv->npeers; i++) {
		struct collector_serve_peer *p = &sv->peers[i];
		uint8_t seq[WIRE_SEQ_LEN];

		wire_put_u64(seq, collector_store_last(sv->store, p->sensor, strlen(p->sensor)));
		/* an ack to a vanished or slow peer is dropped: the next one is cumulative */
		if (zmq_send(sv->sock, p->rid, p->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
			continue;
		zmq_send(sv->sock, WIRE_MAGIC_ACK, WIRE_MAGIC_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(sv->sock, seq, sizeof(seq), ZMQ_DONTWAIT);
		sv->st->acks++;
	}
	sv->npeers = 0;
}

static int collector_serve_open(struct collector_serve *sv, const struct collector_config *cfg)
{
	int hwm = COLLECTOR_SERVE_HWM, zero = 0;
	int64_t maxmsg = WIRE_EVENT_MAX + 4096;
	int rc;

	sv->ctx = zmq_ctx_new();
	if (!sv->ctx)
		return -ENOMEM;
	sv->sock = zmq_socket(sv->ctx, ZMQ_ROUTER);
	if (!sv->sock)
		return -zmq_errno();
	if (zmq_setsockopt(sv->sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(sv->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(sv->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(sv->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)))
		return -zmq_errno();
	if (zmq_bind(sv->sock, cfg->listen)) {
		rc = -zmq_errno();
		pr_err("cannot listen on %s: %s", cfg->listen, zmq_strerror(-rc));
		return rc;
	}
	return 0;
}

int collector_serve_run(const struct collector_config *cfg, volatile sig_atomic_t *stop,
			struct collector_stats *st)
{
	struct collector_store_scan scan;
	struct collector_serve *sv;
	int rc;

	sv = calloc(1, sizeof(*sv));
	if (!sv)
		return -ENOMEM;
	sv->st = st;
	rc = collector_store_open(cfg->events_jsonl, &sv->store, &scan);
	if (rc) {
		pr_err("cannot open %s: %s", cfg->events_jsonl, strerror(-rc));
		goto cleanup;
	}
	pr_info("%s: %" PRIu64 " lines, %" PRIu64 " sensors recovered", cfg->events_jsonl, scan.lines,
		scan.sensors);
	if (scan.unusable)
		pr_warn("%s: %" PRIu64 " lines without sensor_name/vigil_seq ignored by the rescan",
			cfg->events_jsonl, scan.unusable);
	if (scan.torn_bytes)
		pr_warn("%s: cut %" PRIu64 " bytes of an unfinished last line", cfg->events_jsonl,
			scan.torn_bytes);
	rc = collector_serve_open(sv, cfg);
	if (rc)
		goto cleanup;
	pr_info("listening on %s", cfg->listen);

	while (!*stop) {
		zmq_pollitem_t item = { .socket = sv->sock, .events = ZMQ_POLLIN };
		int got = 0;

		if (zmq_poll(&item, 1, 200) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			rc = -zmq_errno();
			pr_err("poll: %s", zmq_strerror(-rc));
			goto cleanup;
		}
		for (int i = 0; i < COLLECTOR_SERVE_BATCH; i++) {
			rc = collector_serve_one(sv);
			if (rc == -EINTR) {
				rc = 0;
				break;
			}
			if (rc < 0) {
				pr_err("receive/store failed: %s", strerror(-rc));
				goto cleanup;
			}
			if (rc == 0)
				break;
			got++;
		}
		rc = 0;
		if (!got)
			continue;
		rc = collector_store_flush(sv->store);
		if (rc) {
			/* nothing of this batch is acked; the sensors will resend after a restart */
			pr_err("writing %s failed: %s", cfg->events_jsonl, strerror(-rc));
			goto cleanup;
		}
		collector_serve_ack(sv);
	}
cleanup:
	if (sv->store) {
		int frc = collector_store_flush(sv->store);

		if (frc && !rc)
			rc = frc;
	}
	collector_store_free(sv->store);
	if (sv->sock)
		zmq_close(sv->sock);
	if (sv->ctx)
		zmq_ctx_term(sv->ctx);
	free(sv);
	return rc;
}

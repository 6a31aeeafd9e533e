// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_serve.c: the collector's top level loop, the only daemon code that
 * talks to ZeroMQ and sockets and logs. Messages are handled in batches; the
 * store is flushed (file, then SQLite) before the batch is acked, so an ack
 * always means "stored". Also the CURVE ZAP handler, the metrics endpoint and
 * the control socket through which evidence is fetched from sensors.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <zmq.h>

#include "clock.h"
#include "log.h"
#include "sdnotify.h"
#include "wire.h"
#include "sha256.h"
#include "collector_auth.h"
#include "collector_evidence.h"
#include "collector_fleet.h"
#include "collector_fleet_consume.h"
#include "collector_ingest.h"
#include "collector_metrics.h"
#include "collector_scrape.h"
#include "collector_serve.h"
#include "collector_store.h"
#include "collector_web.h"

#define COLLECTOR_ZAP_ENDPOINT "inproc://zeromq.zap.01"

#define COLLECTOR_SERVE_BATCH 256
#define COLLECTOR_SERVE_HWM 10000
#define COLLECTOR_SERVE_RID_MAX 256
#define COLLECTOR_SERVE_FRAMES (WIRE_EVREP_FRAMES + 2)	/* routing id + one extra to detect "too many" */

#define COLLECTOR_SERVE_PENDING_MAX 100000	/* collector.max_pending's bound */

/* A connection accepted and not yet through its handshake (max_pending of them at most). */
struct collector_serve_conn {
	int fd;
	int64_t accepted_ms;
};

/* A log line at most once a second; what was not logged is counted into the next line. */
struct collector_serve_quiet {
	uint64_t logged_s;
	uint64_t quiet;
};

/* One (peer, sensor) to ack at the end of a batch. */
struct collector_serve_peer {
	uint8_t rid[COLLECTOR_SERVE_RID_MAX];
	size_t rid_len;
	char sensor[WIRE_NAME_MAX + 1];
};

/* An ack owed: the routing id of a (peer, sensor) and the seq to ack. */
struct collector_serve_ackto {
	uint8_t rid[COLLECTOR_SERVE_RID_MAX];
	size_t rid_len;
	uint64_t seq;
};

struct collector_serve {
	const struct collector_config *cfg;
	void *ctx;
	void *sock;
	void *zap;			/* ZMQ_REP on inproc://zeromq.zap.01 when CURVE is on */
	void *mon;			/* handshake failures of sock */
	struct collector_web *web;		/* the HTTP listener: metrics and console, NULL when off */
	struct collector_scrape *scrape;	/* its metrics endpoint (the web's), NULL when off */
	time_t refused_logged;
	uint64_t refused_quiet;
	struct collector_store *store;
	struct collector_stats *st;
	struct collector_serve_peer peers[COLLECTOR_SERVE_BATCH];
	size_t npeers;
	struct collector_serve_ackto acks[COLLECTOR_SERVE_BATCH];
	time_t malformed_logged;
	uint64_t malformed_quiet;	/* malformed messages not logged since the last line */
	void *ctl;			/* ZMQ_ROUTER on collector.control, NULL when off */
	struct collector_ev_routes *routes;
	struct collector_ev_pending pending[COLLECTOR_EV_PENDING_MAX];
	uint64_t next_request_id;
	struct collector_auth *auth;
	struct collector_ingest_ctx ingest;
	bool curve;
	int listen_port;		/* the TCP port of collector.listen, 0 for ipc:// */
	struct collector_serve_conn *conns;	/* in their handshake, oldest first */
	size_t nconns;
	struct collector_serve_quiet q_refused, q_evicted, q_accept, q_ts, q_route, q_conn;
	struct collector_fleet *fleet;		/* fleet.servers set: the ingest publishes to the stream */
	struct collector_fleet_consumer *consumer;	/* fleet.consume: the stream into sv->store */
};

static int64_t collector_serve_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* true when a line may be logged now (at most one a second); *skipped: lines held back since the last */
static bool collector_serve_may_log(struct collector_serve_quiet *q, uint64_t *skipped)
{
	uint64_t now = clock_mono_s() + 1;

	if (q->logged_s == now) {
		q->quiet++;
		return false;
	}
	*skipped = q->quiet;
	q->quiet = 0;
	q->logged_s = now;
	return true;
}

/*
 * One ZAP request (RFC 27): version, request id, domain, address, identity,
 * mechanism, credentials. CURVE's credential is the client's 32-byte public
 * key: "200" if it is listed, else "400", counted and logged once a second.
 */
static void collector_serve_zap(struct collector_serve *sv)
{
	zmq_msg_t m[8];
	size_t n = 0;
	int more = 1;
	char key[WIRE_KEY_LEN + 1] = "", addr[64] = "?";
	const char *limit = NULL;
	bool ok = false;
	int id = COLLECTOR_AUTH_UNKNOWN;

	while (more && n < 8) {
		size_t ml = sizeof(more);

		zmq_msg_init(&m[n]);
		if (zmq_msg_recv(&m[n], sv->zap, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m[n]);
			break;
		}
		n++;
		if (zmq_getsockopt(sv->zap, ZMQ_RCVMORE, &more, &ml))
			more = 0;
	}
	if (n == 0)
		return;
	while (more) {	/* more than 7 frames: drain, it is not a request we know */
		zmq_msg_t extra;
		size_t ml = sizeof(more);

		zmq_msg_init(&extra);
		zmq_msg_recv(&extra, sv->zap, 0);
		zmq_msg_close(&extra);
		if (zmq_getsockopt(sv->zap, ZMQ_RCVMORE, &more, &ml))
			more = 0;
	}
	if (n >= 7 && zmq_msg_size(&m[5]) == 5 && !memcmp(zmq_msg_data(&m[5]), "CURVE", 5) &&
	    zmq_msg_size(&m[6]) == 32) {
		zmq_z85_encode(key, zmq_msg_data(&m[6]), 32);
		id = collector_auth_find(sv->auth, key);
		ok = id >= 0;
	}
	if (n >= 4)
		snprintf(addr, sizeof(addr), "%.*s", (int)zmq_msg_size(&m[3]), (const char *)zmq_msg_data(&m[3]));
	/* a listed key within its connection rate, while the collector has room: the global and per-key limits */
	if (ok && sv->st->conns_open > sv->cfg->max_connections) {
		ok = false;
		limit = "collector.max_connections";
		sv->st->conn_limit++;
	} else if (ok && !collector_auth_handshake(sv->auth, id, collector_serve_wall_us())) {
		ok = false;
		limit = "its collector.key_handshakes";
		sv->st->key_handshakes++;
	}
	/* reply: version, request id, status, text, user id (the key: every message carries it), metadata */
	zmq_send(sv->zap, "1.0", 3, ZMQ_SNDMORE);
	if (n >= 2)
		zmq_send(sv->zap, zmq_msg_data(&m[1]), zmq_msg_size(&m[1]), ZMQ_SNDMORE);
	else
		zmq_send(sv->zap, "", 0, ZMQ_SNDMORE);
	/* RFC 27: 300 is a temporary refusal (a limit), 400 a key that is not let in */
	zmq_send(sv->zap, ok ? "200" : limit ? "300" : "400", 3, ZMQ_SNDMORE);
	zmq_send(sv->zap, ok ? "OK" : limit ? "connection limit" : "key not allowed", ok ? 2 : limit ? 16 : 15,
		 ZMQ_SNDMORE);
	zmq_send(sv->zap, ok ? key : "", ok ? WIRE_KEY_LEN : 0, ZMQ_SNDMORE);
	zmq_send(sv->zap, "", 0, 0);
	for (size_t i = 0; i < n; i++)
		zmq_msg_close(&m[i]);
	if (ok)
		return;
	if (limit) {
		uint64_t skipped;

		if (collector_serve_may_log(&sv->q_conn, &skipped))
			pr_warn("refused a connection of key %s from %s: over %s (%u); %" PRIu64 " more since the last "
				"report; %" PRIu64 " connections open", key, addr, limit,
				limit[0] == 'c' ? sv->cfg->max_connections : sv->cfg->key_handshakes, skipped,
				sv->st->conns_open);
		return;
	}
	sv->st->refused++;
	if (sv->refused_logged && clock_mono_s() == (uint64_t)sv->refused_logged) {
		sv->refused_quiet++;
		return;
	}
	pr_warn("refused a sensor from %s: public key %s is not in collector.sensor_keys; %" PRIu64
		" more since the last report, %" PRIu64 " in total", addr, key[0] ? key : "(none)",
		sv->refused_quiet, sv->st->refused);
	sv->refused_logged = (time_t)clock_mono_s();
	sv->refused_quiet = 0;
}

/* true if fd is (still) a connection accepted on collector.listen, not a descriptor reused since */
static bool collector_serve_conn_ours(const struct collector_serve *sv, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int port;

	if (!sv->listen_port || getsockname(fd, (struct sockaddr *)&ss, &sl))
		return false;
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return false;
	return port == sv->listen_port;
}

static void collector_serve_conn_del(struct collector_serve *sv, int fd)
{
	for (size_t i = 0; i < sv->nconns; i++)
		if (sv->conns[i].fd == fd) {
			memmove(&sv->conns[i], &sv->conns[i + 1], (sv->nconns - i - 1) * sizeof(sv->conns[0]));
			sv->nconns--;
			return;
		}
}

/*
 * A new connection. At most max_pending may be in their handshake at once: past
 * that the oldest is closed (its handshake has had the longest), so idle
 * connections cannot hold the collector's descriptors until a sensor is shut out.
 */
static void collector_serve_conn_add(struct collector_serve *sv, int fd)
{
	int64_t now = (int64_t)clock_mono_ms();
	uint64_t skipped;

	collector_serve_conn_del(sv, fd);	/* a number reused before its DISCONNECTED arrived */
	if (sv->nconns == sv->cfg->max_pending) {
		struct collector_serve_conn old = sv->conns[0];

		collector_serve_conn_del(sv, old.fd);
		if (collector_serve_conn_ours(sv, old.fd))
			shutdown(old.fd, SHUT_RDWR);
		sv->st->conns_evicted++;
		if (collector_serve_may_log(&sv->q_evicted, &skipped))
			pr_warn("connection limit: %u connections in their handshake (collector.max_pending); closed "
				"the oldest, open %" PRId64 " ms; %" PRIu64 " more since the last report, %" PRIu64
				" in total", sv->cfg->max_pending, now - old.accepted_ms, skipped, sv->st->conns_evicted);
	}
	sv->conns[sv->nconns++] = (struct collector_serve_conn){ .fd = fd, .accepted_ms = now };
}

static void collector_serve_monitor(struct collector_serve *sv)
{
	for (;;) {
		uint8_t ev[16];
		char addr[256];
		int len = zmq_recv(sv->mon, ev, sizeof(ev), ZMQ_DONTWAIT);
		uint64_t skipped;
		uint32_t val;
		uint16_t id;

		if (len < 0)
			return;
		zmq_recv(sv->mon, addr, sizeof(addr), 0);
		if (len < 6)
			continue;
		memcpy(&id, ev, sizeof(id));
		memcpy(&val, ev + 2, sizeof(val));
		switch (id) {
		case ZMQ_EVENT_ACCEPTED:
			sv->st->conns_accepted++;
			sv->st->conns_open++;
			collector_serve_conn_add(sv, (int)val);
			break;
		case ZMQ_EVENT_ACCEPT_FAILED:
			sv->st->accept_failed++;
			if (collector_serve_may_log(&sv->q_accept, &skipped))
				pr_warn("cannot accept a connection on %s: %s (%" PRIu64 " connections open); %" PRIu64
					" more since the last report, %" PRIu64 " in total", sv->cfg->listen,
					strerror((int)val), sv->st->conns_open, skipped, sv->st->accept_failed);
			break;
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:	/* refused by ZAP: counted there */
			collector_serve_conn_del(sv, (int)val);
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:	/* also a handshake that timed out */
			/* a refusal by ZAP is counted there; these are failures before it */
			sv->st->handshake_failed++;
			collector_serve_conn_del(sv, (int)val);
			break;
		case ZMQ_EVENT_DISCONNECTED:
			collector_serve_conn_del(sv, (int)val);
			if (sv->st->conns_open)
				sv->st->conns_open--;
			break;
		default:
			break;
		}
	}
}

/* In the loop: render the metrics a scrape asked for (collector_scrape.c) and hand them over. */
static void collector_serve_metrics_render(struct collector_serve *sv)
{
	struct httpd_stats hs;
	char *body = NULL;
	size_t len = 0;

	if (!collector_scrape_wanted(sv->scrape))
		return;
	collector_scrape_stats(sv->scrape, &hs);
	sv->st->http_refused = hs.refused;
	sv->st->http_timeouts = hs.timeouts;
	sv->st->metrics_requests++;
	if (collector_metrics_format(sv->st, sv->store, collector_serve_wall_us(), &body, &len) == 0)
		collector_scrape_publish(sv->scrape, body, len);
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
	uint64_t now = clock_mono_s();

	if (sv->malformed_logged && now == (uint64_t)sv->malformed_logged) {
		sv->malformed_quiet++;
		return;
	}
	pr_warn("dropped a malformed message (%s); %" PRIu64 " more since the last report, %" PRIu64
		" in total", wire_verdict_name(out->verdict), sv->malformed_quiet, sv->st->malformed);
	sv->malformed_logged = (time_t)now;
	sv->malformed_quiet = 0;
}

/* Who sent it, for a log line: the key and what it may use, or keyless. */
static void collector_serve_who(const struct collector_serve *sv, int id, char *buf, size_t len)
{
	char names[400];

	if (id == COLLECTOR_AUTH_KEYLESS) {
		snprintf(buf, len, "a keyless peer");
		return;
	}
	collector_auth_names(sv->auth, id, names, sizeof(names));
	snprintf(buf, len, "key %s (bound to %s)", id >= 0 ? collector_auth_key(sv->auth, id) : "(unknown)",
		 names[0] ? names : "nothing");
}

/* A well-formed message that was not allowed: counted by the ingest, logged here (once a second). */
static void collector_serve_refused(struct collector_serve *sv, int id, const struct collector_ingest_out *out)
{
	char who[512], why[200], what[40];
	uint64_t skipped, last = collector_store_last(sv->ingest.store, out->sensor, strlen(out->sensor));

	if (!collector_serve_may_log(&sv->q_refused, &skipped))
		return;
	collector_serve_who(sv, id, who, sizeof(who));
	switch (out->refusal) {
	case COLLECTOR_REFUSE_IDENTITY:
		snprintf(why, sizeof(why), "that key may not use this name");
		break;
	case COLLECTOR_REFUSE_SEQ_AHEAD:
		snprintf(why, sizeof(why), "seq %" PRIu64 " is more than collector.seq_window (%u) above the last "
			 "stored %" PRIu64, out->seq, sv->cfg->seq_window, last);
		break;
	case COLLECTOR_REFUSE_KEY_RATE:
		snprintf(why, sizeof(why), "over collector.key_rate (%u/s): not acked, the sensor resends it",
			 sv->cfg->key_rate);
		break;
	case COLLECTOR_REFUSE_GLOBAL_RATE:
		snprintf(why, sizeof(why), "over collector.max_rate (%u/s): not acked, the sensor resends it",
			 sv->cfg->max_rate);
		break;
	case COLLECTOR_REFUSE_NAMES:
		snprintf(why, sizeof(why), "collector.max_sensors (%u) names are known already", sv->cfg->max_sensors);
		break;
	default:
		snprintf(why, sizeof(why), "?");
		break;
	}
	if (out->seq)
		snprintf(what, sizeof(what), "seq %" PRIu64, out->seq);
	else
		snprintf(what, sizeof(what), "an evidence reply");
	pr_warn("refused %s under sensor name '%s' from %s: %s (%s); %" PRIu64 " more since the last "
		"report, %" PRIu64 " refused in total", what, out->sensor, who, why,
		collector_refusal_name(out->refusal), skipped, sv->st->refused_msgs);
}

/* The identity a message's connection proved: its key's index, or keyless without CURVE. */
static int collector_serve_identity(const struct collector_serve *sv, zmq_msg_t *frame)
{
	if (!sv->curve)
		return COLLECTOR_AUTH_KEYLESS;
	/* the ZAP handler set the user id to the key; libzmq attaches it to every message of the connection */
	return collector_auth_find(sv->auth, zmq_msg_gets(frame, "User-Id"));
}

/*
 * Answer the CLI at rid: status, a one-line message, and for COLLECTOR_EV_OK
 * the file (data is a received frame, passed on without a copy).
 */
static void collector_serve_ctl_reply(struct collector_serve *sv, const void *rid, size_t rid_len,
				      enum collector_ev_status status, const char *sensor, const char *file,
				      const char *sha, const char *path, zmq_msg_t *data, const char *fmt, ...)
	__attribute__((format(printf, 10, 11)));

static void collector_serve_ctl_reply(struct collector_serve *sv, const void *rid, size_t rid_len,
				      enum collector_ev_status status, const char *sensor, const char *file,
				      const char *sha, const char *path, zmq_msg_t *data, const char *fmt, ...)
{
	uint8_t st = (uint8_t)status;
	char msg[512];
	zmq_msg_t out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (status == COLLECTOR_EV_OK) {
		sv->st->ev_fetched++;
	} else {
		sv->st->ev_failed++;
		sv->st->ev_timeouts += status == COLLECTOR_EV_TIMEOUT;
		pr_info("evidence: %s", msg);
	}
	zmq_msg_init(&out);
	if (data)
		zmq_msg_copy(&out, data);	/* shares the buffer */
	/* the CLI may have gone (^C): ROUTER_MANDATORY makes that an error, nothing to do then */
	if (zmq_send(sv->ctl, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&out);
		return;
	}
	zmq_send(sv->ctl, COLLECTOR_CTL_MAGIC_REP, WIRE_MAGIC_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->ctl, &st, 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->ctl, msg, strlen(msg), ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->ctl, sensor ? sensor : "", sensor ? strlen(sensor) : 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->ctl, file ? file : "", file ? strlen(file) : 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->ctl, sha ? sha : "", sha ? strlen(sha) : 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->ctl, path ? path : "", path ? strlen(path) : 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	if (zmq_msg_send(&out, sv->ctl, ZMQ_DONTWAIT) < 0)
		zmq_msg_close(&out);
}

/* Pick the sensor for a request without --sensor: the only one that reported the incident. */
static int collector_serve_ctl_sensor(struct collector_serve *sv, const void *rid, size_t rid_len,
				      struct collector_ctl_req *req)
{
	char names[4][64], list[300] = "";
	size_t n = 0;
	int rc;

	rc = collector_store_incident_sensors(sv->store, req->incident_id, names, 4, &n);
	if (rc == -ENOTSUP) {
		collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_FAILED, NULL, NULL, NULL, NULL, NULL,
					  "collector.sqlite is off, so the collector cannot tell which sensor "
					  "reported incident %" PRIu64 ": name it with --sensor", req->incident_id);
		return -1;
	}
	if (rc) {
		collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_FAILED, NULL, NULL, NULL, NULL, NULL,
					  "cannot search %s for incident %" PRIu64, sv->cfg->sqlite, req->incident_id);
		return -1;
	}
	if (n == 0) {
		collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_UNKNOWN, NULL, NULL, NULL, NULL, NULL,
					  "unknown incident %" PRIu64 ": no stored alert has that vigil.incident_id "
					  "(name the sensor with --sensor to ask it anyway)", req->incident_id);
		return -1;
	}
	if (n > 1) {
		for (size_t i = 0; i < n && i < 4; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", names[i]);
		collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_AMBIGUOUS, NULL, NULL, NULL, NULL, NULL,
					  "incident %" PRIu64 " was reported by %zu sensors (%s%s): choose one with --sensor",
					  req->incident_id, n, list, n > 4 ? ", ..." : "");
		return -1;
	}
	snprintf(req->sensor, sizeof(req->sensor), "%s", names[0]);
	return 0;
}

/* One CLI request: find the sensor, forward the request, remember who waits. */
static void collector_serve_ctl_request(struct collector_serve *sv, const void *rid, size_t rid_len,
					const struct wire_frame *f, size_t n)
{
	struct collector_ctl_req req;
	struct collector_ev_pending *p;
	const uint8_t *srid;
	size_t srid_len = 0;
	int64_t seen_ms = 0, now = (int64_t)clock_mono_ms();
	uint8_t reqid[WIRE_SEQ_LEN], incid[WIRE_SEQ_LEN];
	char sha[WIRE_SHA256_HEX + 1];
	int rc;

	if (rid_len > COLLECTOR_EV_RID_MAX)
		return;
	if (collector_ctl_req_decode(f, n, &req)) {
		sv->st->ctl_malformed++;
		collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_FAILED, NULL, NULL, NULL, NULL, NULL,
					  "malformed control request");
		return;
	}
	sv->st->ev_requests++;
	if (!req.sensor[0] && collector_serve_ctl_sensor(sv, rid, rid_len, &req))
		return;
	if (!collector_ev_sensor_path_ok(req.sensor)) {
		collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_FAILED, req.sensor, NULL, NULL, NULL, NULL,
					  "sensor name '%s' cannot name a directory under %s", req.sensor,
					  sv->cfg->evidence_dir);
		return;
	}
	srid = collector_ev_routes_get(sv->routes, req.sensor, &srid_len, &seen_ms);
	if (!srid) {
		char via[64];
		int64_t at_us;

		/* a fleet: its events came through another collector, which holds its connection */
		if (sv->consumer && collector_fleet_consumer_via(sv->consumer, req.sensor, via, sizeof(via), &at_us) &&
		    strcmp(via, collector_fleet_name(sv->fleet)))
			collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_NOT_CONNECTED, req.sensor, NULL, NULL,
						  NULL, NULL, "sensor %s is not connected to this collector: its newest "
						  "event came through collector %s of the fleet %" PRId64 " s ago; run "
						  "`vigil-collector evidence` there", req.sensor, via,
						  (collector_serve_wall_us() - at_us) / 1000000);
		else
			collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_NOT_CONNECTED, req.sensor, NULL, NULL,
						  NULL, NULL, "sensor %s is not connected: nothing received from it since "
						  "the collector started", req.sensor);
		return;
	}
	/* the file must match what that sensor announced in its alert: no announced digest, nothing to trust */
	rc = collector_store_incident_sha256(sv->store, req.sensor, req.incident_id, sha);
	if (rc || !sha[0]) {
		collector_serve_ctl_reply(sv, rid, rid_len, rc ? COLLECTOR_EV_FAILED : COLLECTOR_EV_UNKNOWN, req.sensor,
					  NULL, NULL, NULL, NULL, "sensor %s has announced no evidence SHA-256 for "
					  "incident %" PRIu64 " (%s): there is nothing to check a file against",
					  req.sensor, req.incident_id,
					  rc == -ENOTSUP ? "collector.sqlite is off, so alerts cannot be looked up"
					  : rc ? "the database cannot be read"
					  : "no stored alert of that sensor names vigil.evidence.sha256: unknown incident, "
					    "still being captured, or the capture failed");
		return;
	}
	p = collector_ev_pending_slot(sv->pending);
	if (!p) {
		collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_FAILED, req.sensor, NULL, NULL, NULL, NULL,
					  "%d evidence requests are already waiting: try again shortly",
					  COLLECTOR_EV_PENDING_MAX);
		return;
	}
	memset(p, 0, sizeof(*p));
	memcpy(p->alert_sha256, sha, sizeof(p->alert_sha256));
	p->request_id = ++sv->next_request_id;
	wire_put_u64(reqid, p->request_id);
	wire_put_u64(incid, req.incident_id);
	/* ZMQ_ROUTER_MANDATORY: a routing id whose connection is gone fails here */
	if (zmq_send(sv->sock, srid, srid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
		int e = zmq_errno();

		collector_serve_ctl_reply(sv, rid, rid_len, COLLECTOR_EV_NOT_CONNECTED, req.sensor, NULL, NULL, NULL,
					  NULL, "sensor %s is not connected%s (last message %" PRId64 " s ago)",
					  req.sensor, e == EAGAIN ? " or not reading" : "", (now - seen_ms) / 1000);
		return;
	}
	zmq_send(sv->sock, WIRE_MAGIC_EVREQ, WIRE_MAGIC_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->sock, reqid, sizeof(reqid), ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sv->sock, incid, sizeof(incid), ZMQ_DONTWAIT);
	p->used = true;
	p->incident_id = req.incident_id;
	snprintf(p->sensor, sizeof(p->sensor), "%s", req.sensor);
	memcpy(p->sensor_rid, srid, srid_len);
	p->sensor_rid_len = srid_len;
	memcpy(p->cli_rid, rid, rid_len);
	p->cli_rid_len = rid_len;
	p->deadline_ms = now + sv->cfg->evidence_timeout_ms;
}

/* Read every waiting control request (small, from local processes). */
static void collector_serve_ctl(struct collector_serve *sv)
{
	for (int k = 0; k < 64; k++) {
		zmq_msg_t m[COLLECTOR_CTL_REQ_FRAMES + 2];
		struct wire_frame f[COLLECTOR_CTL_REQ_FRAMES + 1];
		size_t n = 0, total = 0;
		int more = 1;

		while (more) {
			size_t ml = sizeof(more);
			zmq_msg_t *msg = &m[n < COLLECTOR_CTL_REQ_FRAMES + 2 ? n : COLLECTOR_CTL_REQ_FRAMES + 1];

			if (n >= COLLECTOR_CTL_REQ_FRAMES + 2)
				zmq_msg_close(msg);
			zmq_msg_init(msg);
			if (zmq_msg_recv(msg, sv->ctl, total ? 0 : ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(msg);
				break;
			}
			if (n < COLLECTOR_CTL_REQ_FRAMES + 2)
				n++;
			total++;
			if (zmq_getsockopt(sv->ctl, ZMQ_RCVMORE, &more, &ml))
				more = 0;
		}
		if (total == 0)
			return;
		for (size_t i = 1; i < n; i++) {
			f[i - 1].data = zmq_msg_data(&m[i]);
			f[i - 1].len = zmq_msg_size(&m[i]);
		}
		if (n >= 1)
			collector_serve_ctl_request(sv, zmq_msg_data(&m[0]), zmq_msg_size(&m[0]), f, total - 1);
		for (size_t i = 0; i < n; i++)
			zmq_msg_close(&m[i]);
	}
}

/* Requests whose sensor did not answer in time. */
static void collector_serve_ev_timeouts(struct collector_serve *sv)
{
	int64_t now = (int64_t)clock_mono_ms();

	for (size_t i = 0; i < COLLECTOR_EV_PENDING_MAX; i++) {
		struct collector_ev_pending *p = &sv->pending[i];

		if (!p->used || now < p->deadline_ms)
			continue;
		p->used = false;
		collector_serve_ctl_reply(sv, p->cli_rid, p->cli_rid_len, COLLECTOR_EV_TIMEOUT, p->sensor, NULL, NULL,
					  NULL, NULL, "timeout: sensor %s did not answer for incident %" PRIu64
					  " within %u ms", p->sensor, p->incident_id, sv->cfg->evidence_timeout_ms);
	}
}

/*
 * An evidence reply (m[0] the routing id, f the frames after it): check the
 * bytes against the sensor's digest (and the stored alert's, when it names
 * one), store the file, hand it to the CLI that asked.
 */
static void collector_serve_ev_reply(struct collector_serve *sv, zmq_msg_t *m, const struct wire_frame *f, size_t n)
{
	struct collector_ingest_out bad = { .result = COLLECTOR_INGEST_MALFORMED };
	struct collector_ev_pending *p, w;
	char name[WIRE_EV_NAME_MAX + 1], sha[WIRE_SHA256_HEX + 1], got[SHA256_HEX_LEN], path[1400], why[160];
	uint8_t digest[SHA256_DIGEST_LEN];
	struct wire_evrep rep;
	struct sha256 h;
	int rc, id;

	bad.verdict = wire_evrep_decode(f, n, &rep);
	if (bad.verdict != WIRE_OK) {
		/* an authenticated peer cannot crash us with it either: counted like a bad event */
		sv->st->malformed++;
		sv->st->by_reason[bad.verdict]++;
		collector_serve_malformed(sv, &bad);
		return;
	}
	id = collector_serve_identity(sv, &m[1]);
	if (!collector_auth_may(sv->auth, id, rep.sensor, rep.sensor_len)) {
		/* another key answering for this sensor: its evidence is not believed */
		struct collector_ingest_out who = { .refusal = COLLECTOR_REFUSE_IDENTITY };

		sv->st->refused_msgs++;
		sv->st->refused_by[COLLECTOR_REFUSE_IDENTITY]++;
		snprintf(who.sensor, sizeof(who.sensor), "%.*s", (int)rep.sensor_len, rep.sensor);
		collector_serve_refused(sv, id, &who);
		return;
	}
	p = collector_ev_pending_match(sv->pending, &rep, zmq_msg_data(&m[0]), zmq_msg_size(&m[0]));
	if (!p) {
		sv->st->ev_unsolicited++;
		return;
	}
	w = *p;
	p->used = false;
	/* a valid reply is a valid message: this routing id reaches the sensor */
	collector_ev_routes_set(sv->routes, w.sensor, zmq_msg_data(&m[0]), zmq_msg_size(&m[0]), (int64_t)clock_mono_ms());
	snprintf(name, sizeof(name), "%.*s", (int)rep.file_name_len, rep.file_name ? rep.file_name : "");
	switch (rep.status) {
	case WIRE_EV_OK:
		break;
	case WIRE_EV_NOT_FOUND:
		collector_serve_ctl_reply(sv, w.cli_rid, w.cli_rid_len, COLLECTOR_EV_UNKNOWN, w.sensor, NULL, NULL,
					  NULL, NULL, "sensor %s has no evidence for incident %" PRIu64
					  " (unknown incident, evidence off, or deleted for the disk budget)", w.sensor,
					  w.incident_id);
		return;
	case WIRE_EV_TOO_LARGE:
		collector_serve_ctl_reply(sv, w.cli_rid, w.cli_rid_len, COLLECTOR_EV_FAILED, w.sensor, name, NULL,
					  NULL, NULL, "sensor %s: %s is larger than %u MiB, the transport limit",
					  w.sensor, name, WIRE_EVIDENCE_MAX >> 20);
		return;
	case WIRE_EV_INCOMPLETE:
		collector_serve_ctl_reply(sv, w.cli_rid, w.cli_rid_len, COLLECTOR_EV_FAILED, w.sensor, name, NULL,
					  NULL, NULL, "sensor %s: %s is still being captured: try again in a few "
					  "seconds", w.sensor, name);
		return;
	default:
		collector_serve_ctl_reply(sv, w.cli_rid, w.cli_rid_len, COLLECTOR_EV_FAILED, w.sensor, name, NULL,
					  NULL, NULL, "sensor %s could not read its evidence file for incident %" PRIu64,
					  w.sensor, w.incident_id);
		return;
	}
	memcpy(sha, rep.sha256, WIRE_SHA256_HEX);
	sha[WIRE_SHA256_HEX] = '\0';
	sha256_init(&h);
	sha256_update(&h, rep.data, rep.data_len);
	sha256_final(&h, digest);
	sha256_hex(digest, got);
	if (strcmp(got, sha)) {
		sv->st->ev_bad_digest++;
		collector_serve_ctl_reply(sv, w.cli_rid, w.cli_rid_len, COLLECTOR_EV_DIGEST, w.sensor, name, NULL,
					  NULL, NULL, "digest mismatch: sensor %s announced sha256 %s for %s, the %zu "
					  "bytes received hash to %s; nothing stored", w.sensor, sha, name,
					  rep.data_len, got);
		return;
	}
	if (!w.alert_sha256[0] || strcmp(w.alert_sha256, got)) {
		sv->st->ev_bad_digest++;
		collector_serve_ctl_reply(sv, w.cli_rid, w.cli_rid_len, COLLECTOR_EV_DIGEST, w.sensor, name, NULL,
					  NULL, NULL, "digest mismatch: the alert for incident %" PRIu64 " names sha256 "
					  "%s, the file sensor %s sent now is %s (replaced since?); nothing stored",
					  w.incident_id, w.alert_sha256, w.sensor, got);
		return;
	}
	rc = collector_ev_save(sv->cfg->evidence_dir, w.sensor, name, rep.data, rep.data_len, path, sizeof(path),
			       why, sizeof(why));
	if (rc) {
		collector_serve_ctl_reply(sv, w.cli_rid, w.cli_rid_len, COLLECTOR_EV_FAILED, w.sensor, name, NULL,
					  NULL, NULL, "cannot store %s under %s: %s", name, sv->cfg->evidence_dir,
					  why[0] ? why : strerror(-rc));
		return;
	}
	sv->st->ev_bytes += rep.data_len;
	pr_info("evidence: incident %" PRIu64 " of %s: %zu bytes stored as %s", w.incident_id, w.sensor,
		rep.data_len, path);
	collector_serve_ctl_reply(sv, w.cli_rid, w.cli_rid_len, COLLECTOR_EV_OK, w.sensor, name, got, path,
				  &m[WIRE_EVREP_FRAMES], "stored %s", path);
}

/* Read one multipart message and ingest it. Returns 1 if one was read, 0 if none waiting, -errno. */
static int collector_serve_one(struct collector_serve *sv)
{
	zmq_msg_t m[COLLECTOR_SERVE_FRAMES];
	struct wire_frame f[COLLECTOR_SERVE_FRAMES];
	struct collector_ingest_out out;
	size_t n = 0, total = 0;
	int more = 1, rc = 0, id;

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
	if (n >= 2 && f[0].len == WIRE_MAGIC_LEN && !memcmp(f[0].data, WIRE_MAGIC_EVREP, WIRE_MAGIC_LEN)) {
		/* the frame count is checked before any frame is read: extra ones fail it */
		sv->st->received++;
		collector_serve_ev_reply(sv, m, f, total - 1);
		rc = 1;
		goto cleanup;
	}
	/* total - 1 frames after the routing id; beyond the array only the count matters */
	id = n >= 2 ? collector_serve_identity(sv, &m[1]) : COLLECTOR_AUTH_UNKNOWN;
	rc = collector_ingest(&sv->ingest, id, f, total - 1, collector_serve_wall_us(), sv->st, &out);
	if (rc)
		goto cleanup;
	if (out.result == COLLECTOR_INGEST_MALFORMED) {
		collector_serve_malformed(sv, &out);
	} else if (out.result == COLLECTOR_INGEST_REFUSED) {
		/* not stored and not acked; the routing id is not learned either */
		collector_serve_refused(sv, id, &out);
	} else {
		uint64_t skipped;

		if (out.bad_timestamp && collector_serve_may_log(&sv->q_ts, &skipped))
			pr_warn("sensor %s seq %" PRIu64 ": timestamp outside 1970 .. a day from now, stored but not "
				"indexed by time; %" PRIu64 " more since the last report", out.sensor, out.seq, skipped);
		collector_serve_note_peer(sv, &m[0], out.sensor);
		/* the latest routing id of a sensor is how evidence requests reach it */
		if (collector_ev_routes_set(sv->routes, out.sensor, zmq_msg_data(&m[0]), zmq_msg_size(&m[0]),
					    (int64_t)clock_mono_ms()) == -ENOSPC &&
		    collector_serve_may_log(&sv->q_route, &skipped))
			pr_warn("evidence: route table full (collector.max_sensors): sensor %s cannot be asked for "
				"evidence", out.sensor);
	}
	rc = 1;
cleanup:
	for (size_t i = 0; i < n; i++)
		zmq_msg_close(&m[i]);
	return rc;
}

static void collector_serve_ack_send(void *ctx, const void *acks, size_t n)
{
	struct collector_serve *sv = ctx;
	const struct collector_serve_ackto *a = acks;

	for (size_t i = 0; i < n; i++) {
		uint8_t seq[WIRE_SEQ_LEN];

		wire_put_u64(seq, a[i].seq);
		/* an ack to a vanished or slow peer is dropped: the next one is cumulative */
		if (zmq_send(sv->sock, a[i].rid, a[i].rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
			continue;
		zmq_send(sv->sock, WIRE_MAGIC_ACK, WIRE_MAGIC_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(sv->sock, seq, sizeof(seq), ZMQ_DONTWAIT);
		sv->st->acks++;
	}
}

/*
 * The batch's acks: each (peer, sensor) gets the name's highest seq stored.
 * In a fleet they wait until the stream holds the batch (and every batch
 * before it: all seqs up to that one were published by then). 0 or -errno.
 */
static int collector_serve_ack(struct collector_serve *sv)
{
	size_t n = sv->npeers;

	for (size_t i = 0; i < n; i++) {
		struct collector_serve_peer *p = &sv->peers[i];

		memcpy(sv->acks[i].rid, p->rid, p->rid_len);
		sv->acks[i].rid_len = p->rid_len;
		sv->acks[i].seq = collector_store_last(sv->ingest.store, p->sensor, strlen(p->sensor));
	}
	sv->npeers = 0;
	if (sv->fleet)
		return collector_fleet_batch_close(sv->fleet, sv->acks, n, sizeof(sv->acks[0]));
	collector_serve_ack_send(sv, sv->acks, n);
	return 0;
}

/* CURVE server with a ZAP handler, or plain ZMTP when allowed (the caller warned). */
static int collector_serve_security(struct collector_serve *sv, const struct collector_config *cfg)
{
	char pub[WIRE_KEY_LEN + 1], sec[WIRE_KEY_LEN + 1];
	int one = 1, zero = 0, rc;

	if (!cfg->curve_key[0])
		return 0;
	rc = wire_key_load(cfg->curve_key, pub, sec);
	if (rc) {
		pr_err("collector.curve_key %s: %s", cfg->curve_key,
		       rc == -EINVAL ? "no valid public-key/secret-key lines (vigil-collector keygen writes them)"
		       : rc == -EPERM ? "readable by group or others, or not a regular file: chmod 600 it (it holds the "
					"collector's secret key)"
				     : strerror(-rc));
		return rc;
	}
	if (!cfg->n_sensor_keys)
		pr_warn("CURVE is on but collector.sensor_keys is empty: every sensor will be refused");
	/* the handler must be bound before the first handshake */
	sv->zap = zmq_socket(sv->ctx, ZMQ_REP);
	if (!sv->zap || zmq_setsockopt(sv->zap, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_bind(sv->zap, COLLECTOR_ZAP_ENDPOINT))
		return -zmq_errno();
	if (zmq_setsockopt(sv->sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) ||
	    zmq_setsockopt(sv->sock, ZMQ_CURVE_SECRETKEY, sec, WIRE_KEY_LEN) ||
	    zmq_setsockopt(sv->sock, ZMQ_ZAP_DOMAIN, "vigil", 5))
		return -zmq_errno();
	explicit_bzero(sec, sizeof(sec));
	sv->curve = true;
	pr_info("CURVE on: server key %s, %u sensor keys allowed, each bound to its sensor names", pub,
		cfg->n_sensor_keys);
	return 0;
}

/* Raise the descriptor limit to its hard limit: every sensor connection is one. */
static void collector_serve_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			pr_warn("cannot raise the descriptor limit: %s", strerror(errno));
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		pr_info("descriptors: %llu at most (each sensor connection takes one)", (unsigned long long)rl.rlim_cur);
}

/* The TCP port collector.listen is bound to (after the bind), 0 for other transports. */
static int collector_serve_port(void *sock)
{
	char ep[256];
	size_t len = sizeof(ep);
	const char *colon;

	if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &len) || strncmp(ep, "tcp://", 6))
		return 0;
	colon = strrchr(ep, ':');
	return colon ? atoi(colon + 1) : 0;
}

static int collector_serve_open(struct collector_serve *sv, const struct collector_config *cfg)
{
	int hwm = COLLECTOR_SERVE_HWM, zero = 0, one = 1, handshake = (int)cfg->handshake_timeout_ms;
	/* an evidence reply is the largest message a sensor sends */
	int64_t maxmsg = WIRE_EVIDENCE_MAX + 4096;
	char monep[64];
	int rc;

	sv->ctx = zmq_ctx_new();
	if (!sv->ctx)
		return -ENOMEM;
	sv->sock = zmq_socket(sv->ctx, ZMQ_ROUTER);
	if (!sv->sock)
		return -zmq_errno();
	if (zmq_setsockopt(sv->sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(sv->sock, ZMQ_HANDSHAKE_IVL, &handshake, sizeof(handshake)) ||
	    zmq_setsockopt(sv->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(sv->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(sv->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) ||
	    zmq_setsockopt(sv->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)))
		return -zmq_errno();
	rc = collector_serve_security(sv, cfg);
	if (rc)
		return rc;
	snprintf(monep, sizeof(monep), "inproc://vigil-collector-mon-%p", (void *)sv);
	if (zmq_socket_monitor(sv->sock, monep, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
						ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
						ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_ACCEPTED |
						ZMQ_EVENT_ACCEPT_FAILED | ZMQ_EVENT_DISCONNECTED))
		return -zmq_errno();
	sv->mon = zmq_socket(sv->ctx, ZMQ_PAIR);
	if (!sv->mon || zmq_setsockopt(sv->mon, ZMQ_LINGER, &zero, sizeof(zero)) || zmq_connect(sv->mon, monep))
		return -zmq_errno();
	if (zmq_bind(sv->sock, cfg->listen)) {
		rc = -zmq_errno();
		pr_err("cannot listen on %s: %s", cfg->listen, zmq_strerror(-rc));
		return rc;
	}
	sv->listen_port = collector_serve_port(sv->sock);
	return 0;
}

/*
 * The control socket `vigil-collector evidence` talks to. Unauthenticated, so
 * only a local endpoint is accepted (an error otherwise); an ipc:// socket's
 * directory is created 0750 and the socket made 0660. If it cannot be bound the
 * collector warns and runs without it, like the metrics endpoint.
 */
static int collector_serve_ctl_open(struct collector_serve *sv, const struct collector_config *cfg)
{
	int zero = 0, one = 1, rc;
	int64_t maxmsg = 4096;

	if (!cfg->control[0])
		return 0;
	if (!wire_endpoint_local(cfg->control)) {
		pr_err("collector.control %s is not local (ipc:// or tcp://127.x): anyone reaching it could "
		       "fetch evidence", cfg->control);
		return -EINVAL;
	}
	rc = collector_ev_ipc_dir(cfg->control);
	if (rc)
		pr_warn("collector.control %s: cannot create its directory: %s", cfg->control, strerror(-rc));
	if (!strncmp(cfg->control, "ipc://", 6) && strrchr(cfg->control + 6, '/')) {
		/*
		 * Whoever can write the socket's directory can put their own socket there for the CLI to
		 * ask: it must be ours and not writable by others (its group may be the analysts').
		 */
		char dir[COLLECTOR_PATH_MAX];
		struct stat sb;

		snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(cfg->control + 6, '/') - (cfg->control + 6)),
			 cfg->control + 6);
		if (dir[0] && !stat(dir, &sb) && (sb.st_uid != geteuid() || (sb.st_mode & S_IWOTH))) {
			pr_warn("collector.control %s unavailable: its directory is %s (mode %04o); `vigil-collector "
				"evidence` will not work", cfg->control,
				sb.st_uid != geteuid() ? "owned by another user" : "writable by others",
				(unsigned)(sb.st_mode & 07777));
			return 0;
		}
	}
	sv->ctl = zmq_socket(sv->ctx, ZMQ_ROUTER);
	if (!sv->ctl)
		return -zmq_errno();
	if (zmq_setsockopt(sv->ctl, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(sv->ctl, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)) ||
	    zmq_setsockopt(sv->ctl, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)))
		return -zmq_errno();
	if (zmq_bind(sv->ctl, cfg->control)) {
		pr_warn("collector.control %s unavailable (%s): `vigil-collector evidence` will not work",
			cfg->control, zmq_strerror(zmq_errno()));
		zmq_close(sv->ctl);
		sv->ctl = NULL;
		return 0;
	}
	if (!strncmp(cfg->control, "ipc://", 6) && chmod(cfg->control + 6, 0660))
		pr_warn("collector.control %s: chmod: %s", cfg->control, strerror(errno));
	pr_info("evidence requests on %s, files into %s", cfg->control, cfg->evidence_dir);
	return 0;
}

/* collector.retention_days / retention_mb, between batches; what was removed is logged. */
static void collector_serve_retain(struct collector_serve *sv, const struct collector_config *cfg)
{
	struct collector_store_retained r;

	if (!cfg->retention_days && !cfg->retention_mb)
		return;
	if (collector_store_retain(sv->store, collector_serve_wall_us(), (int64_t)cfg->retention_days * 86400000000LL,
				   (uint64_t)cfg->retention_mb << 20, &r)) {
		pr_warn("retention: the store could not be trimmed (will retry in a minute)");
		return;
	}
	if (r.by_age)
		pr_info("retention: %" PRIu64 " events older than %u days deleted", r.by_age, cfg->retention_days);
	if (r.by_size)
		pr_info("retention: %" PRIu64 " events deleted to keep the database under %u MiB", r.by_size,
			cfg->retention_mb);
	if (r.files)
		pr_info("retention: %" PRIu64 " rotated JSON-lines files older than %u days removed", r.files,
			cfg->retention_days);
}

/*
 * A fleet (fleet.servers): the ingest's store keeps only the per-sensor seqs
 * and publishes to the stream (acks wait for it); sv->store, which `query`,
 * metrics and evidence read, is this collector's files only with
 * fleet.consume, filled from the stream. 0 or -errno (logged).
 */
static int collector_serve_fleet(struct collector_serve *sv, const struct collector_config *cfg)
{
	struct collector_store_cfg icfg = { .sink = NULL };
	char err[512];
	int rc;

	if (!cfg->n_fleet_servers)
		return 0;
	if (cfg->fleet_consume && !cfg->sqlite[0]) {
		pr_err("fleet.consume needs collector.sqlite: the stream holds a sensor's events in any order, and "
		       "SQLite is what keeps each of them once");
		return -EINVAL;
	}
	sv->fleet = collector_fleet_new(cfg, err, sizeof(err));
	if (!sv->fleet) {
		pr_err("fleet: %s", err);
		return -EIO;
	}
	icfg.sink = collector_fleet_sink(sv->fleet);
	rc = collector_store_open(&icfg, &sv->ingest.store, NULL, err, sizeof(err));
	if (rc)
		return rc;
	pr_info("fleet: collector %s publishes to stream %s (%u servers, replicas %u); %s",
		collector_fleet_name(sv->fleet), cfg->fleet_stream, cfg->n_fleet_servers, cfg->fleet_replicas,
		cfg->fleet_consume ? "and reads the whole stream into its store" : "its own files are not written");
	return 0;
}

static void collector_serve_fleet_stats(const struct collector_serve *sv)
{
	struct collector_fleet_consume_stats cs = { 0 };
	struct collector_fleet_stats fs;

	if (!sv->fleet)
		return;
	collector_fleet_stats(sv->fleet, &fs);
	if (sv->consumer)
		collector_fleet_consumer_stats(sv->consumer, &cs);
	pr_info("fleet: published=%" PRIu64 " stream_stored=%" PRIu64 " stream_duplicates=%" PRIu64 " retries=%" PRIu64
		" disconnects=%" PRIu64 " consumed=%" PRIu64 " consumed_stored=%" PRIu64 " consumed_already=%" PRIu64
		" consumed_bad=%" PRIu64 " fetch_errors=%" PRIu64, fs.published, fs.stored, fs.duplicates, fs.retries,
		fs.disconnects, cs.consumed, cs.stored, cs.already, cs.bad, cs.fetch_errors);
}

int collector_serve_run(const struct collector_config *cfg, volatile sig_atomic_t *stop,
			struct collector_stats *st)
{
	struct collector_store_scan scan;
	struct collector_serve *sv;
	uint64_t wd_ns, wd_next = 0;	/* systemd's watchdog (0: off) */
	uint64_t retain_next = 0;	/* the first pass at start, then every minute */
	int rc;

	struct collector_auth_cfg acfg = { .key_rate = cfg->key_rate, .max_rate = cfg->max_rate,
					   .key_handshakes = cfg->key_handshakes };
	struct collector_store_cfg scfg = {
		.jsonl = cfg->events_jsonl, .rotate_bytes = (uint64_t)cfg->jsonl_rotate_mb << 20,
		.keep = cfg->jsonl_keep, .sqlite = cfg->sqlite,
	};
	char err[512];

	sv = calloc(1, sizeof(*sv));
	if (!sv)
		return -ENOMEM;
	sv->st = st;
	sv->cfg = cfg;
	sv->routes = collector_ev_routes_new(cfg->max_sensors);
	sv->conns = calloc(cfg->max_pending ? cfg->max_pending : 1, sizeof(*sv->conns));
	if (!sv->routes || !sv->conns) {
		rc = -ENOMEM;
		goto cleanup;
	}
	rc = collector_auth_new((const char *)cfg->sensor_keys, sizeof(cfg->sensor_keys[0]), cfg->n_sensor_keys,
				&acfg, &sv->auth, err, sizeof(err));
	if (rc) {
		pr_err("%s", rc == -EINVAL ? err : strerror(-rc));
		goto cleanup;
	}
	if (cfg->plain_tcp) {
		pr_err("collector.plain_tcp was removed: without keys the collector accepts only a loopback endpoint; "
		       "set collector.curve_key and collector.sensor_keys ('KEY NAME') for %s", cfg->listen);
		rc = -EINVAL;
		goto cleanup;
	}
	if (!cfg->curve_key[0]) {
		if (wire_endpoint_local(cfg->listen))
			pr_warn("no collector.curve_key: keyless mode on %s, for a demo on this host only: any local "
				"process can send events under any sensor name; use CURVE keys in service", cfg->listen);
		else {
			pr_err("%s is not a loopback endpoint: set collector.curve_key (vigil-collector keygen) "
			       "and collector.sensor_keys ('KEY NAME')", cfg->listen);
			rc = -EINVAL;
			goto cleanup;
		}
	}
	sv->ingest.auth = sv->auth;
	sv->ingest.seq_window = cfg->seq_window;
	sv->ingest.max_sensors = cfg->max_sensors;
	collector_serve_nofile();
	rc = collector_serve_fleet(sv, cfg);
	if (rc)
		goto cleanup;
	if (sv->fleet && !cfg->fleet_consume) {
		/* the stream is the store: metrics show the seqs this collector published */
		sv->store = sv->ingest.store;
		goto opened;
	}
	rc = collector_store_open(&scfg, &sv->store, &scan, err, sizeof(err));
	if (rc) {
		pr_err("cannot open the store: %s", err[0] ? err : strerror(-rc));
		goto cleanup;
	}
	if (!sv->fleet)
		sv->ingest.store = sv->store;
	st->quarantined = scan.quarantined;
	if (scan.quarantined)
		pr_warn("%s: %" PRIu64 " stored events no collector should have accepted (seq 0 or >= 2^63) or that "
			"could not be imported were set aside in its table quarantine; started without them",
			cfg->sqlite[0] ? cfg->sqlite : cfg->events_jsonl, scan.quarantined);
	pr_info("%s: %" PRIu64 " lines, %" PRIu64 " sensors recovered", cfg->events_jsonl, scan.lines,
		scan.sensors);
	if (cfg->sqlite[0])
		pr_info("%s: %" PRIu64 " events, %" PRIu64 " imported from the file tail", cfg->sqlite,
			scan.db_rows, scan.imported);
	if (scan.unusable)
		pr_warn("%s: %" PRIu64 " lines without sensor_name/vigil_seq ignored by the rescan",
			cfg->events_jsonl, scan.unusable);
	if (scan.torn_bytes)
		pr_warn("%s: cut %" PRIu64 " bytes of an unfinished last line", cfg->events_jsonl,
			scan.torn_bytes);
opened:
	if (sv->fleet && cfg->fleet_consume) {
		sv->consumer = collector_fleet_consumer_new(sv->fleet, err, sizeof(err));
		if (!sv->consumer) {
			pr_err("fleet: %s", err);
			rc = -EIO;
			goto cleanup;
		}
	}
	rc = collector_serve_open(sv, cfg);
	if (rc)
		goto cleanup;
	rc = collector_serve_ctl_open(sv, cfg);
	if (rc)
		goto cleanup;
	if (cfg->metrics_listen[0]) {
		bool fatal;

		rc = collector_web_new(cfg, &sv->web, &fatal, err, sizeof(err));
		if (rc && fatal) {
			pr_err("%s", err);
			goto cleanup;
		}
		rc = 0;
		if (!sv->web) {
			pr_warn("HTTP listener %s unavailable (%s); running without metrics and console",
				cfg->metrics_listen, err);
		} else {
			sv->scrape = collector_web_scrape(sv->web);
			pr_info("metrics on %s://%s/metrics", collector_web_scheme(sv->web), cfg->metrics_listen);
			if (cfg->console)
				pr_info("console on %s://%s/%s", collector_web_scheme(sv->web), cfg->metrics_listen,
					collector_web_has_token(sv->web) ? " (token required)" : "");
			if (collector_web_has_token(sv->web) && strcmp(collector_web_scheme(sv->web), "https"))
				pr_warn("%s: the HTTP token travels in clear without collector.http_tls_cert",
					cfg->metrics_listen);
		}
	}
	pr_info("listening on %s", cfg->listen);
	sdnotify_send("READY=1\nSTATUS=listening");
	wd_ns = sdnotify_watchdog_ns();

	while (!*stop) {
		zmq_pollitem_t items[7] = {
			{ .socket = sv->sock, .events = ZMQ_POLLIN },
			{ .socket = sv->mon, .events = ZMQ_POLLIN },
		};
		int nitems = 2, got = 0;

		sdnotify_watchdog_tick(wd_ns, clock_mono_ns(), &wd_next);
		if (clock_mono_s() >= retain_next) {
			collector_serve_retain(sv, cfg);
			retain_next = clock_mono_s() + 60;
		}

		if (sv->zap)
			items[nitems++] = (zmq_pollitem_t){ .socket = sv->zap, .events = ZMQ_POLLIN };
		if (sv->scrape)
			items[nitems++] = (zmq_pollitem_t){ .fd = collector_scrape_fd(sv->scrape), .events = ZMQ_POLLIN };
		if (sv->ctl)
			items[nitems++] = (zmq_pollitem_t){ .socket = sv->ctl, .events = ZMQ_POLLIN };
		if (sv->consumer)
			items[nitems++] = (zmq_pollitem_t){ .fd = collector_fleet_consumer_fd(sv->consumer),
							    .events = ZMQ_POLLIN };
		if (sv->fleet)
			items[nitems++] = (zmq_pollitem_t){ .fd = collector_fleet_fd(sv->fleet), .events = ZMQ_POLLIN };
		/* a fleet with every batch slot waiting for the stream: sensors wait, the acks come first */
		if (sv->fleet && collector_fleet_batches(sv->fleet) == COLLECTOR_FLEET_BATCHES)
			items[0].events = 0;
		if (zmq_poll(items, nitems, 200) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			rc = -zmq_errno();
			pr_err("poll: %s", zmq_strerror(-rc));
			goto cleanup;
		}
		if (sv->zap)
			collector_serve_zap(sv);
		collector_serve_monitor(sv);
		if (sv->scrape)
			collector_serve_metrics_render(sv);
		if (sv->ctl) {
			collector_serve_ctl(sv);
			collector_serve_ev_timeouts(sv);
		}
		if (sv->fleet && (rc = collector_fleet_batch_poll(sv->fleet, collector_serve_ack_send, sv, err, sizeof(err)))) {
			/* the sensors resend it, to another collector of the fleet */
			pr_err("fleet: %s; stopping without acking it", err);
			goto cleanup;
		}
		if (sv->fleet && collector_fleet_batches(sv->fleet) == COLLECTOR_FLEET_BATCHES)
			continue;
		if (sv->consumer && (rc = collector_fleet_consume(sv->consumer, sv->store, collector_serve_wall_us())) < 0) {
			/* nothing of it is acked: the stream delivers it again after a restart */
			pr_err("storing the stream's events failed: %s", collector_store_error(sv->store)
				? collector_store_error(sv->store) : strerror(-rc));
			goto cleanup;
		}
		for (int i = 0; i < COLLECTOR_SERVE_BATCH; i++) {
			rc = collector_serve_one(sv);
			if (rc == -EINTR) {
				rc = 0;
				break;
			}
			if (rc < 0) {
				pr_err("receive/store failed: %s; nothing of this batch is acked",
				       collector_store_error(sv->store) ? collector_store_error(sv->store)
									: strerror(-rc));
				goto cleanup;
			}
			if (rc == 0)
				break;
			got++;
		}
		rc = 0;
		if (!got)
			continue;
		rc = sv->fleet ? 0 : collector_store_flush(sv->ingest.store);
		if (rc) {
			/* nothing of this batch is acked; the sensors will resend after a restart */
			pr_err("storing failed: %s; nothing of this batch is acked", collector_store_error(sv->ingest.store));
			goto cleanup;
		}
		rc = collector_serve_ack(sv);
		if (rc) {
			pr_err("fleet: cannot keep the batch's acks: %s", strerror(-rc));
			goto cleanup;
		}
	}
cleanup:
	sdnotify_send("STOPPING=1");
	collector_serve_fleet_stats(sv);
	collector_fleet_consumer_free(sv->consumer);	/* what it fetched and did not store comes again */
	/* what the stream has not acked yet: waited for (fleet.publish_timeout_ms), then acked */
	if (sv->fleet && sv->ingest.store && !collector_store_flush(sv->ingest.store) && sv->sock)
		collector_fleet_batch_poll(sv->fleet, collector_serve_ack_send, sv, err, sizeof(err));
	if (sv->store) {
		int frc = collector_store_flush(sv->store);

		if (frc && !rc)
			rc = frc;
	}
	if (sv->ingest.store && sv->ingest.store != sv->store)
		collector_store_free(sv->ingest.store);
	collector_store_free(sv->store);
	collector_web_free(sv->web);	/* its threads stop before the store goes */
	if (sv->sock && sv->mon)
		zmq_socket_monitor(sv->sock, NULL, 0);
	if (sv->mon)
		zmq_close(sv->mon);
	if (sv->zap)
		zmq_close(sv->zap);
	if (sv->ctl) {
		if (!strncmp(cfg->control, "ipc://", 6))
			unlink(cfg->control + 6);
		zmq_close(sv->ctl);
	}
	collector_ev_routes_free(sv->routes);
	collector_auth_free(sv->auth);
	collector_fleet_free(sv->fleet);
	free(sv->conns);
	if (sv->sock)
		zmq_close(sv->sock);
	if (sv->ctx)
		zmq_ctx_term(sv->ctx);
	free(sv);
	return rc;
}

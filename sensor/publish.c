// SPDX-License-Identifier: GPL-2.0-only
/*
 * publish.c: hands detector events to vigil-collector without ever making the
 * packet path wait for the network: a bounded queue mirrored in an on-disk
 * spool, a sender thread with a window of unacked events, resend on timeout or
 * reconnect, CURVE when keys are configured (lib/wire.h, docs/transport.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <zmq.h>

#include "clock.h"
#include "log.h"
#include "wire.h"
#include "publish.h"
#include "publish_evidence.h"
#include "publish_spool.h"

#define PUBLISH_QUEUE_DEFAULT 65536u
#define PUBLISH_RETRY_DEFAULT 2000u
#define PUBLISH_WINDOW_MAX 512u		/* events in flight at once */
#define PUBLISH_HWM 1024		/* ZeroMQ queue limit, > window */
#define PUBLISH_BATCH 256u		/* sends per loop turn, bounds lock hold time */
#define PUBLISH_WARN_MIN_MS 5000u	/* warn after max(this, 2 * retry_ms) without acks */
#define PUBLISH_SPOOL_DEFAULT (256ull << 20)
#define PUBLISH_FAILOVER_DEFAULT 3000u

struct publish_item {
	char *json;
	size_t len;
};

/*
 * The queue always holds consecutive seqs [first, last_seq], because events
 * only ever leave it at the oldest end (ack or drop-oldest): the item with seq s
 * sits at ring[(head + s - first) % cap] with first = last_seq + 1 - count.
 */
struct publish {
	char endpoint[256];		/* the one in use (the publisher thread changes it on a failover) */
	char endpoints[PUBLISH_ENDPOINTS_MAX][256];
	uint32_t n_endpoints;
	uint32_t failover_ms;
	unsigned int mon_gen;		/* a fresh monitor endpoint name per socket */
	char name[WIRE_NAME_MAX + 1];
	uint32_t cap;
	uint32_t retry_ms;
	uint32_t warn_ms;
	bool curve;
	char curve_public[41], curve_secret[41], curve_server[41];
	struct publish_spool *spool;	/* NULL: memory only */
	char evidence_dir[256];		/* "": evidence off */
	bool refused_warned;
	bool limit_warned;
	void *ctx;
	int evfd;			/* wakes the thread on new events and on stop */
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t lock;
	pthread_cond_t cond;		/* signalled on ack/drop progress and on start */
	bool stop;
	bool start_done;
	int start_rc;
	struct publish_item *ring;
	uint32_t head;
	uint32_t count;
	uint64_t last_seq;		/* highest seq assigned */
	uint64_t next_send;		/* next seq to hand to ZeroMQ */
	uint64_t max_sent;		/* highest seq handed to ZeroMQ */
	uint64_t last_progress_ms;	/* last ack progress, or when the queue became non-empty */
	uint64_t last_resend_ms;
	bool probe;			/* one event in flight until the first ack on a connection */
	bool warned;
	uint64_t down_since_ms;		/* when the connection went (or the socket was opened) */
	uint64_t connected_ms;		/* when the connection came */
	uint64_t spooled;		/* highest seq written to the spool (events after it: memory only) */
	int spool_err;			/* the last spool write error (-errno), 0 while the spool keeps up */
	struct publish_stats st;
};

static uint64_t publish_first_seq(const struct publish *p)
{
	return p->last_seq + 1 - p->count;
}

static void publish_pop(struct publish *p)
{
	free(p->ring[p->head].json);
	p->ring[p->head].json = NULL;
	p->head = (p->head + 1) % p->cap;
	p->count--;
}

/* Events up to first - 1 are acked or dropped: tell the spool (caller holds the lock). */
static void publish_spool_sync(struct publish *p)
{
	if (p->spool && publish_spool_done(p->spool, publish_first_seq(p) - 1))
		p->st.spool_errors++;
}

/* Drop queued events up to seq (the spool gave them up); counted. */
static void publish_drop_upto(struct publish *p, uint64_t seq)
{
	while (p->count && publish_first_seq(p) <= seq) {
		publish_pop(p);
		p->st.dropped_spool++;
	}
	if (p->next_send < publish_first_seq(p))
		p->next_send = publish_first_seq(p);
}

/*
 * Write to the spool every queued event it does not hold yet, oldest first, so
 * a spool that failed (a full disk) catches up once it can: the spool never
 * has a hole. Caller holds the lock. Returns 0 or the write's -errno (the rest
 * stays in memory, counted in spool_errors).
 */
static int publish_spool_catchup(struct publish *p, bool *dropped_any)
{
	int rc = 0;

	while (p->count && p->spooled < p->last_seq) {
		uint64_t first = publish_first_seq(p), seq, dropped = 0;
		struct publish_item *it;

		if (p->spooled < first - 1)
			p->spooled = first - 1;	/* gone from the queue: nothing to write */
		seq = p->spooled + 1;
		it = &p->ring[(p->head + (seq - first)) % p->cap];
		rc = publish_spool_append(p->spool, seq, it->json, it->len, &dropped);
		if (rc) {
			p->st.spool_errors++;
			break;
		}
		p->spooled = seq;
		if (dropped) {
			publish_drop_upto(p, dropped);
			*dropped_any = true;
		}
	}
	return rc;
}

/* Start sending again from the oldest unacked event (caller holds the lock). */
static void publish_rewind(struct publish *p)
{
	p->next_send = publish_first_seq(p);
	p->probe = true;
}

/* Apply an ack (caller holds the lock). */
static void publish_ack(struct publish *p, uint64_t ack, uint64_t now)
{
	if (ack > WIRE_SEQ_MAX - p->count)
		return;	/* no collector acks that: renumbering after it would leave the valid range */
	if (ack > p->max_sent) {
		/*
		 * The collector holds a higher seq for this name than we ever sent:
		 * it remembers an earlier process of this sensor. Renumber what is
		 * queued to follow it, or all of it would be taken for duplicates.
		 */
		p->last_seq = ack + p->count;
		p->next_send = ack + 1;
		p->max_sent = ack;
		p->st.ack_seq = ack;
		p->st.published = p->last_seq;
		p->probe = true;
		p->last_progress_ms = now;
		/* the spool holds the old numbers: write the queue again under the new ones */
		if (p->spool) {
			uint64_t dropped;

			if (publish_spool_reset(p->spool, ack))
				p->st.spool_errors++;
			p->spooled = ack;
			for (uint32_t i = 0; i < p->count; i++) {
				struct publish_item *it = &p->ring[(p->head + i) % p->cap];

				if (publish_spool_append(p->spool, ack + 1 + i, it->json, it->len, &dropped)) {
					p->st.spool_errors++;
					break;	/* the rest is written by the next catch-up */
				}
				p->spooled = ack + 1 + i;
			}
		}
		return;
	}
	p->probe = false;
	if (ack <= p->st.ack_seq && ack < publish_first_seq(p))
		return;
	if (ack > p->st.ack_seq)
		p->st.ack_seq = ack;
	while (p->count && publish_first_seq(p) <= ack) {
		publish_pop(p);
		p->st.acked++;
		p->last_progress_ms = now;
	}
	publish_spool_sync(p);
	if (p->next_send < publish_first_seq(p))
		p->next_send = publish_first_seq(p);
	pthread_cond_broadcast(&p->cond);
}

/* Hand queued events to ZeroMQ within the window. Returns true when ZeroMQ pushed back. */
static bool publish_send_some(struct publish *p, void *sock)
{
	uint32_t window = p->probe ? 1 : (p->cap < PUBLISH_WINDOW_MAX ? p->cap : PUBLISH_WINDOW_MAX);
	bool blocked = false;
	uint8_t seqbuf[WIRE_SEQ_LEN];

	pthread_mutex_lock(&p->lock);
	for (uint32_t n = 0; n < PUBLISH_BATCH && p->st.connected; n++) {
		uint64_t first = publish_first_seq(p);
		struct publish_item *it;

		if (p->next_send > p->last_seq || p->next_send - first >= window)
			break;
		it = &p->ring[(p->head + (p->next_send - first)) % p->cap];
		wire_put_u64(seqbuf, p->next_send);
		/* ZeroMQ sends a multipart message atomically: only the first part can block */
		if (zmq_send(sock, WIRE_MAGIC_EVENT, WIRE_MAGIC_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
			blocked = true;
			break;
		}
		zmq_send(sock, p->name, strlen(p->name), ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(sock, seqbuf, sizeof(seqbuf), ZMQ_SNDMORE | ZMQ_DONTWAIT);
		zmq_send(sock, it->json, it->len, ZMQ_DONTWAIT);
		if (p->next_send > p->max_sent)
			p->max_sent = p->next_send;
		else
			p->st.resent++;
		p->next_send++;
		p->st.sent++;
	}
	pthread_mutex_unlock(&p->lock);
	return blocked;
}

static void publish_free_msg(void *data, void *hint)
{
	(void)hint;
	free(data);
}

/*
 * Answer an evidence request: the file, or why not. Runs in the sender thread;
 * reading and hashing a few MiB takes milliseconds, and ZeroMQ sends the reply
 * on the same connection between two events, so the event stream only waits
 * that long. A reply ZeroMQ will not take now is dropped: the collector times
 * out and the analyst asks again.
 */
static void publish_evidence_answer(struct publish *p, void *sock, const struct wire_evreq *req)
{
	struct publish_evidence_file ef;
	uint8_t rid[WIRE_SEQ_LEN], status;
	zmq_msg_t data;
	bool ok;

	publish_evidence_load(p->evidence_dir, p->name, req->incident_id, WIRE_EVIDENCE_MAX, &ef);
	ok = ef.status == WIRE_EV_OK;
	status = (uint8_t)ef.status;
	wire_put_u64(rid, req->request_id);
	if (ok) {
		/* ZeroMQ takes the buffer and frees it once sent */
		if (zmq_msg_init_data(&data, ef.data, ef.len, publish_free_msg, NULL)) {
			free(ef.data);
			zmq_msg_init(&data);
			ok = false;
			status = WIRE_EV_ERROR;
		}
		ef.data = NULL;
	} else {
		zmq_msg_init(&data);
	}
	if (zmq_send(sock, WIRE_MAGIC_EVREP, WIRE_MAGIC_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&data);
		pthread_mutex_lock(&p->lock);
		p->st.evidence_dropped++;
		pthread_mutex_unlock(&p->lock);
		return;
	}
	zmq_send(sock, p->name, strlen(p->name), ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sock, rid, sizeof(rid), ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sock, &status, 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sock, ef.name, ef.status == WIRE_EV_NOT_FOUND ? 0 : strlen(ef.name), ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(sock, ef.sha256, ok ? WIRE_SHA256_HEX : 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	pthread_mutex_lock(&p->lock);
	if (ok) {
		p->st.evidence_sent++;
		p->st.evidence_bytes += zmq_msg_size(&data);
	}
	pthread_mutex_unlock(&p->lock);
	if (zmq_msg_send(&data, sock, ZMQ_DONTWAIT) < 0)
		zmq_msg_close(&data);
}

#define PUBLISH_RECV_FRAMES 4	/* the longest message the collector sends, + 1 to see "too many" */

/* Acks and evidence requests; anything else from the collector is counted and dropped. */
static void publish_recv(struct publish *p, void *sock)
{
	for (;;) {
		struct wire_frame f[PUBLISH_RECV_FRAMES];
		uint8_t buf[PUBLISH_RECV_FRAMES][16];
		struct wire_evreq req;
		size_t n = 0;
		int more = 1;
		uint64_t ack;

		while (more) {
			size_t more_len = sizeof(more);
			int len = zmq_recv(sock, n < PUBLISH_RECV_FRAMES ? buf[n] : buf[0], sizeof(buf[0]),
					   ZMQ_DONTWAIT);

			if (len < 0)
				return;
			if (n < PUBLISH_RECV_FRAMES) {
				f[n].data = buf[n];
				f[n].len = (size_t)len;
			}
			n++;
			if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len))
				more = 0;
		}
		/* a truncated frame (len > buffer) is reported with its real length and fails the check */
		if (n == WIRE_ACK_FRAMES && wire_ack_decode(f, n, &ack) == WIRE_OK) {
			bool back = false, dropped = false;

			pthread_mutex_lock(&p->lock);
			publish_ack(p, ack, clock_mono_ms());
			/* acks free spool space: what only memory held goes to disk now */
			if (p->spool && p->spool_err) {
				p->spool_err = publish_spool_catchup(p, &dropped);
				back = !p->spool_err;
			}
			pthread_mutex_unlock(&p->lock);
			if (back)
				pr_info("spool: writable again, every queued event is on disk");
			continue;
		}
		if (n == WIRE_EVREQ_FRAMES && wire_evreq_decode(f, n, &req) == WIRE_OK) {
			pthread_mutex_lock(&p->lock);
			p->st.evidence_requests++;
			pthread_mutex_unlock(&p->lock);
			publish_evidence_answer(p, sock, &req);
			continue;
		}
		pthread_mutex_lock(&p->lock);
		p->st.evidence_bad++;
		pthread_mutex_unlock(&p->lock);
	}
}

static void publish_recv_monitor(struct publish *p, void *mon)
{
	for (;;) {
		uint8_t ev[16];
		char addr[256];
		int len = zmq_recv(mon, ev, sizeof(ev), ZMQ_DONTWAIT);
		uint32_t val;
		uint16_t id;

		if (len < 0)
			return;
		zmq_recv(mon, addr, sizeof(addr), 0);	/* second frame: the endpoint */
		if (len < 6)
			continue;
		memcpy(&id, ev, sizeof(id));
		memcpy(&val, ev + 2, sizeof(val));
		if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && val == 300) {
			/* a temporary refusal: the collector is at a connection limit; not a key problem */
			bool warn;

			pthread_mutex_lock(&p->lock);
			p->st.refused++;
			warn = !p->limit_warned;
			p->limit_warned = true;
			pthread_mutex_unlock(&p->lock);
			if (warn)
				pr_warn("collector %s: connection refused for now (a connection limit); retrying", p->endpoint);
			continue;
		}
		if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
		    id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
			bool warn;

			pthread_mutex_lock(&p->lock);
			p->st.refused++;
			warn = !p->refused_warned;
			p->refused_warned = true;
			pthread_mutex_unlock(&p->lock);
			/* only AUTH and PROTOCOL say something about the keys; NO_DETAIL is a handshake that
			 * did not finish (a busy or stalled collector, a timeout) */
			if (warn)
				pr_warn("collector %s: handshake failed (%s); retrying", p->endpoint,
					id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "key not authorised: check collector.sensor_keys"
					: id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "CURVE mismatch: check collector.curve_key "
										      "and server_key"
					: "it did not complete: the collector closed it or did not answer in time");
			continue;
		}
		pthread_mutex_lock(&p->lock);
		if (id == ZMQ_EVENT_CONNECTED) {
			p->st.connected = true;
			publish_rewind(p);
			/* the resend timer counts from now, not from when the events were queued */
			p->last_progress_ms = clock_mono_ms();
			p->connected_ms = p->last_progress_ms;
		} else if (id == ZMQ_EVENT_DISCONNECTED) {
			/* what was in flight on that connection is gone: resend it first */
			if (p->st.connected)
				p->down_since_ms = clock_mono_ms();
			p->st.connected = false;
			publish_rewind(p);
		}
		pthread_mutex_unlock(&p->lock);
	}
}

/* Resend on silence, and say once when the collector stops and starts answering. */
static void publish_timers(struct publish *p)
{
	uint64_t now = clock_mono_ms();
	bool warn = false, recovered = false;
	uint64_t queued = 0;

	pthread_mutex_lock(&p->lock);
	if (p->next_send > publish_first_seq(p)) {
		uint64_t since = p->last_progress_ms > p->last_resend_ms ? p->last_progress_ms
									  : p->last_resend_ms;

		if (now - since >= p->retry_ms) {
			publish_rewind(p);
			p->last_resend_ms = now;
		}
	}
	if (p->count && now - p->last_progress_ms >= p->warn_ms) {
		if (!p->warned)
			warn = true;
		p->warned = true;
	} else if (p->warned && (!p->count || now - p->last_progress_ms < p->warn_ms)) {
		p->warned = false;
		recovered = true;
	}
	p->st.stalled = p->warned;
	queued = p->count;
	pthread_mutex_unlock(&p->lock);
	if (warn)
		pr_warn("collector %s not answering, %" PRIu64 " events queued, retrying",
			p->endpoint, queued);
	if (recovered)
		pr_info("collector %s answering again, %" PRIu64 " events queued", p->endpoint, queued);
}

static int publish_open(struct publish *p, void **sockp, void **monp)
{
	char monep[64];
	int hwm = PUBLISH_HWM, zero = 0, one = 1, ivl = 100, ivl_max = 2000;
	int hb_ivl = 1000, hb_timeout = 5000;
	void *sock = NULL, *mon = NULL;
	int rc;

	sock = zmq_socket(p->ctx, ZMQ_DEALER);
	if (!sock)
		return -zmq_errno();
	if (zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(sock, ZMQ_IMMEDIATE, &one, sizeof(one)) ||
	    zmq_setsockopt(sock, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl)) ||
	    zmq_setsockopt(sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof(ivl_max)) ||
	    zmq_setsockopt(sock, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof(hb_ivl)) ||
	    zmq_setsockopt(sock, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof(hb_timeout))) {
		rc = -zmq_errno();
		goto cleanup;
	}
	if (p->curve &&
	    (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, p->curve_server, 40) ||
	     zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, p->curve_public, 40) ||
	     zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, p->curve_secret, 40))) {
		rc = -zmq_errno();
		goto cleanup;
	}
	/* a new name per socket: the previous monitor's endpoint may not be released yet */
	snprintf(monep, sizeof(monep), "inproc://vigil-publish-mon-%p-%u", (void *)p, p->mon_gen++);
	if (zmq_socket_monitor(sock, monep, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED |
				      ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
				      ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)) {
		rc = -zmq_errno();
		goto cleanup;
	}
	mon = zmq_socket(p->ctx, ZMQ_PAIR);
	if (!mon || zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_connect(mon, monep)) {
		rc = -zmq_errno();
		goto cleanup;
	}
	/* the monitor is connected before the socket can produce any event */
	if (zmq_connect(sock, p->endpoint)) {
		rc = -zmq_errno();
		goto cleanup;
	}
	*sockp = sock;
	*monp = mon;
	return 0;
cleanup:
	if (mon)
		zmq_close(mon);
	if (sock)
		zmq_close(sock);
	return rc < 0 ? rc : -EINVAL;
}

/*
 * With several endpoints: true when the one in use should be given up (the
 * caller holds the lock): no connection for failover_ms, or connected with
 * events unacked and no ack for that long (a collector that stopped storing
 * still answers ZMTP heartbeats from libzmq's own thread).
 */
static bool publish_failover_due(const struct publish *p, uint64_t now)
{
	uint64_t since;

	if (p->n_endpoints < 2)
		return false;
	if (!p->st.connected)
		return now - p->down_since_ms >= p->failover_ms;
	since = p->last_progress_ms > p->connected_ms ? p->last_progress_ms : p->connected_ms;
	return p->next_send > publish_first_seq(p) && now - since >= p->failover_ms;
}

static void publish_close(void *sock, void *mon)
{
	/* monitor first: closing the socket would otherwise block on its inproc pair */
	zmq_socket_monitor(sock, NULL, 0);
	zmq_close(mon);
	zmq_close(sock);
}

/*
 * Close the connection in use and open one to the next endpoint (round
 * robin); everything unacked is sent there again, oldest first (the collectors
 * of a fleet publish to one stream, which drops what it already holds by its
 * message id). Returns 0 or -errno when no endpoint could be opened.
 */
static int publish_failover(struct publish *p, void **sockp, void **monp)
{
	uint64_t queued, now = clock_mono_ms();
	const char *why;
	char from[256];
	int rc = -EINVAL;

	pthread_mutex_lock(&p->lock);
	why = p->st.connected ? "connected but no acknowledgement" : "no connection";
	pthread_mutex_unlock(&p->lock);
	publish_close(*sockp, *monp);
	*sockp = *monp = NULL;
	snprintf(from, sizeof(from), "%s", p->endpoint);
	for (uint32_t k = 0; k < p->n_endpoints && rc; k++) {
		pthread_mutex_lock(&p->lock);
		p->st.endpoint = (p->st.endpoint + 1) % p->n_endpoints;
		memcpy(p->endpoint, p->endpoints[p->st.endpoint], sizeof(p->endpoint));
		p->st.connected = false;
		p->st.failovers++;
		p->down_since_ms = now;
		p->warned = false;
		publish_rewind(p);
		queued = p->count;
		pthread_mutex_unlock(&p->lock);
		pr_warn("collector %s: %s for %u ms; failing over to %s with %" PRIu64 " unacknowledged events",
			from, why, p->failover_ms, p->endpoint, queued);
		rc = publish_open(p, sockp, monp);
		if (rc)
			pr_err("collector %s: cannot open a socket: %s", p->endpoint, zmq_strerror(-rc));
	}
	return rc;
}

static void *publish_thread(void *arg)
{
	struct publish *p = arg;
	void *sock = NULL, *mon = NULL;
	int rc = publish_open(p, &sock, &mon);

	pthread_mutex_lock(&p->lock);
	p->start_rc = rc;
	p->start_done = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (rc)
		return NULL;

	for (;;) {
		zmq_pollitem_t items[3] = {
			{ .socket = sock, .events = ZMQ_POLLIN },
			{ .socket = mon, .events = ZMQ_POLLIN },
			{ .fd = p->evfd, .events = ZMQ_POLLIN },
		};
		bool stop;

		pthread_mutex_lock(&p->lock);
		stop = p->stop;
		pthread_mutex_unlock(&p->lock);
		if (stop)
			break;
		/* connection changes first, so a rewind is never overtaken by newer events */
		publish_recv_monitor(p, mon);
		pthread_mutex_lock(&p->lock);
		stop = publish_failover_due(p, clock_mono_ms());
		pthread_mutex_unlock(&p->lock);
		if (stop && publish_failover(p, &sock, &mon))
			return NULL;
		items[0].socket = sock;
		items[1].socket = mon;
		publish_recv(p, sock);
		if (publish_send_some(p, sock))
			items[0].events |= ZMQ_POLLOUT;
		publish_timers(p);
		if (zmq_poll(items, 3, 100) < 0 && zmq_errno() != EINTR)
			break;
		if (items[2].revents & ZMQ_POLLIN) {
			uint64_t v;

			if (read(p->evfd, &v, sizeof(v)) < 0) {
				/* EAGAIN: someone else drained it; nothing to do */
			}
		}
	}
	publish_close(sock, mon);
	return NULL;
}

/* Queue one event the spool still owes (at start, before the thread runs). */
static int publish_load(void *ctx, uint64_t seq, const char *json, size_t len)
{
	struct publish *p = ctx;
	char *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, json, len);
	if (p->count && seq != p->last_seq + 1) {
		/* a hole (cannot happen unless files were removed): keep the ring contiguous */
		while (p->count) {
			publish_pop(p);
			p->st.dropped_full++;
		}
	}
	if (p->count == p->cap) {
		publish_pop(p);
		p->st.dropped_full++;
	}
	p->ring[(p->head + p->count) % p->cap] = (struct publish_item){ .json = copy, .len = len };
	p->count++;
	p->last_seq = seq;
	p->st.loaded++;
	return 0;
}

static bool publish_cfg_keys(const struct publish_cfg *cfg)
{
	const char *k[3] = { cfg->curve_public, cfg->curve_secret, cfg->curve_server };
	int set = 0;

	for (int i = 0; i < 3; i++)
		if (k[i] && k[i][0]) {
			if (!wire_key_valid(k[i]))
				return false;
			set++;
		}
	return set == 0 || set == 3;
}

/* One endpoint, or 1..PUBLISH_ENDPOINTS_MAX of them, each one ZeroMQ accepts to connect to. */
static bool publish_cfg_endpoints(const struct publish_cfg *cfg)
{
	uint32_t n = cfg->n_endpoints ? cfg->n_endpoints : 1;
	void *ctx = NULL, *sock = NULL;
	bool ok = true;
	int zero = 0;

	if (n > PUBLISH_ENDPOINTS_MAX || (!cfg->n_endpoints && !cfg->endpoint) || (cfg->n_endpoints && !cfg->endpoints))
		return false;
	for (uint32_t i = 0; i < n && ok; i++) {
		const char *ep = cfg->n_endpoints ? cfg->endpoints[i] : cfg->endpoint;

		ok = ep && ep[0] && strlen(ep) < sizeof(((struct publish *)0)->endpoint);
	}
	if (!ok || n == 1)
		return ok;	/* a single endpoint is checked when its socket connects, as before */
	/* several: a typo in the third must show now, not at the first failover */
	ctx = zmq_ctx_new();
	for (uint32_t i = 0; i < n && ok && ctx; i++) {
		sock = zmq_socket(ctx, ZMQ_DEALER);
		ok = sock && !zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero)) &&
		     !zmq_connect(sock, cfg->endpoints[i]);
		if (sock)
			zmq_close(sock);
	}
	if (ctx)
		zmq_ctx_term(ctx);
	return ok && ctx;
}

struct publish *publish_new(const struct publish_cfg *cfg)
{
	struct publish *p = NULL;
	pthread_condattr_t ca;
	int err = EINVAL;

	if (!cfg || !cfg->sensor_name || !wire_name_valid(cfg->sensor_name, strlen(cfg->sensor_name)) ||
	    !publish_cfg_keys(cfg) || !publish_cfg_endpoints(cfg) ||
	    (cfg->evidence_dir && strlen(cfg->evidence_dir) >= sizeof(p->evidence_dir)))
		goto cleanup;
	err = ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto cleanup;
	p->evfd = -1;
	p->n_endpoints = cfg->n_endpoints ? cfg->n_endpoints : 1;
	for (uint32_t i = 0; i < p->n_endpoints; i++)
		snprintf(p->endpoints[i], sizeof(p->endpoints[i]), "%s", cfg->n_endpoints ? cfg->endpoints[i] : cfg->endpoint);
	memcpy(p->endpoint, p->endpoints[0], sizeof(p->endpoint));
	p->failover_ms = cfg->failover_ms ? cfg->failover_ms : PUBLISH_FAILOVER_DEFAULT;
	p->down_since_ms = clock_mono_ms();
	snprintf(p->name, sizeof(p->name), "%s", cfg->sensor_name);
	if (cfg->evidence_dir)
		snprintf(p->evidence_dir, sizeof(p->evidence_dir), "%s", cfg->evidence_dir);
	p->cap = cfg->queue_max ? cfg->queue_max : PUBLISH_QUEUE_DEFAULT;
	p->retry_ms = cfg->retry_ms ? cfg->retry_ms : PUBLISH_RETRY_DEFAULT;
	p->warn_ms = 2 * p->retry_ms > PUBLISH_WARN_MIN_MS ? 2 * p->retry_ms : PUBLISH_WARN_MIN_MS;
	p->next_send = 1;
	p->probe = true;
	p->ring = calloc(p->cap, sizeof(*p->ring));
	if (!p->ring)
		goto cleanup;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (cfg->curve_public && cfg->curve_public[0]) {
		p->curve = true;
		snprintf(p->curve_public, sizeof(p->curve_public), "%s", cfg->curve_public);
		snprintf(p->curve_secret, sizeof(p->curve_secret), "%s", cfg->curve_secret);
		snprintf(p->curve_server, sizeof(p->curve_server), "%s", cfg->curve_server);
	}
	if (cfg->spool_dir && cfg->spool_dir[0]) {
		uint64_t last = 0;
		int rc = publish_spool_open(cfg->spool_dir,
					    cfg->spool_max_bytes ? cfg->spool_max_bytes : PUBLISH_SPOOL_DEFAULT,
					    publish_load, p, &p->spool, &last);

		if (rc) {
			err = -rc;
			goto cleanup;
		}
		/* numbering continues; what was loaded may all have been sent already */
		p->last_seq = last;
		p->spooled = last;
		p->max_sent = last;
		p->st.published = last;
		p->next_send = publish_first_seq(p);
		if (p->count)
			publish_spool_sync(p);
		p->st.spool_bytes = publish_spool_bytes(p->spool);
	}
	p->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->evfd < 0) {
		err = errno;
		goto cleanup;
	}
	p->ctx = zmq_ctx_new();
	if (!p->ctx) {
		err = errno ? errno : ENOMEM;
		goto cleanup;
	}
	err = pthread_create(&p->thread, NULL, publish_thread, p);
	if (err)
		goto cleanup;
	p->thread_started = true;
	pthread_mutex_lock(&p->lock);
	while (!p->start_done)
		pthread_cond_wait(&p->cond, &p->lock);
	err = -p->start_rc;
	pthread_mutex_unlock(&p->lock);
	if (err)
		goto cleanup;
	return p;
cleanup:
	publish_free(p);
	errno = err;
	return NULL;
}

int publish_event(struct publish *p, const char *json)
{
	size_t len = json ? strlen(json) : 0;
	uint64_t one = 1, memory_only = 0, seq;
	char *copy;
	int rc = 0, spool_warn = 0;
	bool spool_back = false;

	if (!p || len == 0 || len > WIRE_EVENT_MAX)
		return -EINVAL;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, json, len);

	pthread_mutex_lock(&p->lock);
	if (p->count == p->cap) {
		publish_pop(p);
		p->st.dropped_full++;
		if (p->next_send < publish_first_seq(p))
			p->next_send = publish_first_seq(p);
		rc = -ENOBUFS;
	}
	if (!p->count)
		p->last_progress_ms = clock_mono_ms();
	p->ring[(p->head + p->count) % p->cap] = (struct publish_item){ .json = copy, .len = len };
	p->count++;
	p->last_seq++;
	p->st.published = p->last_seq;
	if (p->spool) {
		bool dropped = false;
		int was = p->spool_err;

		p->spool_err = publish_spool_catchup(p, &dropped);
		if (dropped) {
			rc = -ENOBUFS;
			publish_spool_sync(p);
		} else if (rc == -ENOBUFS) {
			publish_spool_sync(p);
		}
		p->st.spool_bytes = publish_spool_bytes(p->spool);
		if (p->spool_err && !was)
			spool_warn = p->spool_err;
		else if (!p->spool_err && was)
			spool_back = true;
		memory_only = p->last_seq - (p->spooled > publish_first_seq(p) - 1 ? p->spooled : publish_first_seq(p) - 1);
	}
	seq = p->last_seq;
	pthread_mutex_unlock(&p->lock);

	/* the cause, once when the spool stops keeping up and once when it catches up */
	if (spool_warn)
		pr_warn("spool: cannot write event %" PRIu64 ": %s; %" PRIu64 " events are held in memory only until it "
			"can (lost if the sensor stops first)", seq, strerror(-spool_warn), memory_only);
	if (spool_back)
		pr_info("spool: writable again, every queued event is on disk");
	if (write(p->evfd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the thread is awake anyway */
	}
	return rc;
}

int publish_flush(struct publish *p, uint32_t timeout_ms)
{
	struct timespec dl;
	int rc = 0;

	if (!p)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	while (p->count && rc == 0)
		if (pthread_cond_timedwait(&p->cond, &p->lock, &dl) == ETIMEDOUT)
			rc = p->count ? -ETIMEDOUT : 0;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void publish_stats(struct publish *p, struct publish_stats *out)
{
	if (!p || !out)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->spool)
		p->st.spool_bytes = publish_spool_bytes(p->spool);
	*out = p->st;
	out->queued = p->count;
	out->inflight = p->next_send - publish_first_seq(p);
	pthread_mutex_unlock(&p->lock);
}

void publish_free(struct publish *p)
{
	uint64_t one = 1;

	if (!p)
		return;
	if (p->thread_started) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_mutex_unlock(&p->lock);
		if (write(p->evfd, &one, sizeof(one)) < 0) {
			/* saturated counter: the thread wakes on its poll timeout */
		}
		pthread_join(p->thread, NULL);
	}
	if (p->ctx)
		zmq_ctx_term(p->ctx);
	if (p->evfd >= 0)
		close(p->evfd);
	if (p->spool && p->count && p->spool_err) {
		uint64_t first = publish_first_seq(p);
		uint64_t lost = p->last_seq - (p->spooled > first - 1 ? p->spooled : first - 1);

		if (lost)
			pr_err("spool: %" PRIu64 " unacknowledged events were held in memory only (%s) and are lost "
			       "with this process", lost, strerror(-p->spool_err));
	}
	publish_spool_free(p->spool);
	if (p->ring) {
		while (p->count)
			publish_pop(p);
		free(p->ring);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
	}
	free(p);
}

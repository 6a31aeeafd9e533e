// SPDX-License-Identifier: GPL-2.0-only
/*
 * publish.c: hands detector events to vigil-collector without ever making the
 * packet path wait for the network: a bounded in-memory queue, a sender thread
 * with a window of unacked events, resend on timeout or reconnect (lib/wire.h).
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

#include "log.h"
#include "wire.h"
#include "publish.h"

#define PUBLISH_QUEUE_DEFAULT 65536u
#define PUBLISH_RETRY_DEFAULT 2000u
#define PUBLISH_WINDOW_MAX 512u		/* events in flight at once */
#define PUBLISH_HWM 1024		/* ZeroMQ queue limit, > window */
#define PUBLISH_BATCH 256u		/* sends per loop turn, bounds lock hold time */
#define PUBLISH_WARN_MIN_MS 5000u	/* warn after max(this, 2 * retry_ms) without acks */

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
	char endpoint[256];
	char name[WIRE_NAME_MAX + 1];
	uint32_t cap;
	uint32_t retry_ms;
	uint32_t warn_ms;
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
	struct publish_stats st;
};

static uint64_t publish_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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

/* Start sending again from the oldest unacked event (caller holds the lock). */
static void publish_rewind(struct publish *p)
{
	p->next_send = publish_first_seq(p);
	p->probe = true;
}

/* Apply an ack (caller holds the lock). */
static void publish_ack(struct publish *p, uint64_t ack, uint64_t now)
{
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

static void publish_recv_acks(struct publish *p, void *sock)
{
	for (;;) {
		struct wire_frame f[WIRE_ACK_FRAMES];
		uint8_t buf[WIRE_ACK_FRAMES][16];
		size_t n = 0;
		int more = 1;
		uint64_t ack;

		while (more) {
			size_t more_len = sizeof(more);
			int len = zmq_recv(sock, n < WIRE_ACK_FRAMES ? buf[n] : buf[0], sizeof(buf[0]),
					   ZMQ_DONTWAIT);

			if (len < 0)
				return;
			if (n < WIRE_ACK_FRAMES) {
				f[n].data = buf[n];
				f[n].len = (size_t)len;
			}
			n++;
			if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len))
				more = 0;
		}
		/* a truncated frame (len > buffer) is reported with its real length and fails the check */
		if (wire_ack_decode(f, n, &ack) != WIRE_OK)
			continue;
		pthread_mutex_lock(&p->lock);
		publish_ack(p, ack, publish_now_ms());
		pthread_mutex_unlock(&p->lock);
	}
}

static void publish_recv_monitor(struct publish *p, void *mon)
{
	for (;;) {
		uint8_t ev[16];
		char addr[256];
		int len = zmq_recv(mon, ev, sizeof(ev), ZMQ_DONTWAIT);
		uint16_t id;

		if (len < 0)
			return;
		zmq_recv(mon, addr, sizeof(addr), 0);	/* second frame: the endpoint */
		if (len < 6)
			continue;
		memcpy(&id, ev, sizeof(id));
		pthread_mutex_lock(&p->lock);
		if (id == ZMQ_EVENT_CONNECTED) {
			p->st.connected = true;
			publish_rewind(p);
		} else if (id == ZMQ_EVENT_DISCONNECTED) {
			/* what was in flight on that connection is gone: resend it first */
			p->st.connected = false;
			publish_rewind(p);
		}
		pthread_mutex_unlock(&p->lock);
	}
}

/* Resend on silence, and say once when the collector stops and starts answering. */
static void publish_timers(struct publish *p)
{
	uint64_t now = publish_now_ms();
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
	snprintf(monep, sizeof(monep), "inproc://vigil-publish-mon-%p", (void *)p);
	if (zmq_socket_monitor(sock, monep, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED)) {
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
		publish_recv_acks(p, sock);
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
	/* monitor first: closing the socket would otherwise block on its inproc pair */
	zmq_socket_monitor(sock, NULL, 0);
	zmq_close(mon);
	zmq_close(sock);
	return NULL;
}

struct publish *publish_new(const struct publish_cfg *cfg)
{
	struct publish *p = NULL;
	pthread_condattr_t ca;
	int err = EINVAL;

	if (!cfg || !cfg->endpoint || !cfg->sensor_name ||
	    !wire_name_valid(cfg->sensor_name, strlen(cfg->sensor_name)) ||
	    strlen(cfg->endpoint) >= sizeof(p->endpoint))
		goto cleanup;
	err = ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto cleanup;
	p->evfd = -1;
	snprintf(p->endpoint, sizeof(p->endpoint), "%s", cfg->endpoint);
	snprintf(p->name, sizeof(p->name), "%s", cfg->sensor_name);
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
	uint64_t one = 1;
	char *copy;
	int rc = 0;

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
		p->last_progress_ms = publish_now_ms();
	p->ring[(p->head + p->count) % p->cap] = (struct publish_item){ .json = copy, .len = len };
	p->count++;
	p->last_seq++;
	p->st.published = p->last_seq;
	pthread_mutex_unlock(&p->lock);

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
	if (p->ring) {
		while (p->count)
			publish_pop(p);
		free(p->ring);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
	}
	free(p);
}

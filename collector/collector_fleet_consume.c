// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_fleet_consume.c: the stream into this collector's SQLite store.
 * A message is trusted no more than a sensor's: its id and JSON are checked
 * against each other, and one that does not fit is set aside, not stored.
 * Acks are cumulative (AckAll) and sent only after the commit.
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

#include <json-c/json.h>
#include <nats/nats.h>

#include "wire.h"
#include "collector_fleet_consume.h"
#include "collector_fleet_id.h"

#define COLLECTOR_CONSUME_BATCH 512
#define COLLECTOR_CONSUME_LISTS 2		/* fetched batches waiting for the loop, at most */
#define COLLECTOR_CONSUME_FETCH_MS 500
#define COLLECTOR_CONSUME_ACK_WAIT_S 30		/* an unacked message is delivered again after this */

/* Which collector a sensor's newest consumed event came through. */
struct collector_consume_via {
	char sensor[WIRE_NAME_MAX + 1];
	char via[64];
	int64_t at_us;
};

struct collector_fleet_consumer {
	natsSubscription *sub;
	int evfd;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	natsMsgList lists[COLLECTOR_CONSUME_LISTS];	/* fetched, in order */
	size_t nlists;
	struct collector_fleet_consume_stats st;
	struct collector_consume_via *via;	/* open addressing, nvia a power of two, at most half full */
	size_t nvia, usedvia;
};

static uint64_t collector_consume_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static struct collector_consume_via *collector_consume_via_slot(struct collector_consume_via *t, size_t n,
								 const char *sensor)
{
	size_t i = (size_t)collector_consume_hash(sensor) & (n - 1);

	while (t[i].sensor[0] && strcmp(t[i].sensor, sensor))
		i = (i + 1) & (n - 1);
	return &t[i];
}

/* Remember that sensor's newest event came through via (no memory: not remembered, only a hint lost). */
static void collector_consume_via_note(struct collector_fleet_consumer *c, const char *sensor, const char *via,
				       size_t via_len, int64_t now_us)
{
	struct collector_consume_via *e;

	if (2 * (c->usedvia + 1) > c->nvia) {
		size_t n = c->nvia ? 2 * c->nvia : 64;
		struct collector_consume_via *t = calloc(n, sizeof(*t));

		if (!t)
			return;
		for (size_t i = 0; i < c->nvia; i++)
			if (c->via[i].sensor[0])
				*collector_consume_via_slot(t, n, c->via[i].sensor) = c->via[i];
		free(c->via);
		c->via = t;
		c->nvia = n;
	}
	e = collector_consume_via_slot(c->via, c->nvia, sensor);
	if (!e->sensor[0]) {
		snprintf(e->sensor, sizeof(e->sensor), "%s", sensor);
		c->usedvia++;
	}
	snprintf(e->via, sizeof(e->via), "%.*s", (int)via_len, via);
	e->at_us = now_us;
}

static void *collector_consume_thread(void *arg)
{
	struct collector_fleet_consumer *c = arg;
	uint64_t one = 1;

	for (;;) {
		natsMsgList list = { 0 };
		jsFetchRequest fr;
		jsErrCode code = 0;
		natsStatus s;

		pthread_mutex_lock(&c->lock);
		while (!c->stop && c->nlists == COLLECTOR_CONSUME_LISTS)
			pthread_cond_wait(&c->cond, &c->lock);
		if (c->stop) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		pthread_mutex_unlock(&c->lock);
		/*
		 * What is there now, up to a batch, without waiting to fill one (a long
		 * poll for a whole batch returns only when it is full or expires); when
		 * nothing is there, a long poll for one, then the rest again at once.
		 */
		jsFetchRequest_Init(&fr);
		fr.Batch = COLLECTOR_CONSUME_BATCH;
		fr.NoWait = true;
		fr.Expires = (int64_t)COLLECTOR_CONSUME_FETCH_MS * 1000000;
		s = natsSubscription_FetchRequest(&list, c->sub, &fr);
		if (s != NATS_OK || list.Count == 0) {
			natsMsgList_Destroy(&list);
			s = natsSubscription_Fetch(&list, c->sub, 1, COLLECTOR_CONSUME_FETCH_MS, &code);
		}
		if (s == NATS_OK && list.Count > 0) {
			pthread_mutex_lock(&c->lock);
			c->lists[c->nlists++] = list;
			pthread_mutex_unlock(&c->lock);
			if (write(c->evfd, &one, sizeof(one)) < 0) {
				/* a saturated counter: the loop is awake anyway */
			}
			continue;
		}
		natsMsgList_Destroy(&list);
		if (s == NATS_TIMEOUT)
			continue;	/* nothing new */
		/* a node away, a leader election, a reconnect: the library retries, we pause */
		pthread_mutex_lock(&c->lock);
		c->st.fetch_errors++;
		pthread_mutex_unlock(&c->lock);
		usleep(200 * 1000);
	}
	return NULL;
}

struct collector_fleet_consumer *collector_fleet_consumer_new(struct collector_fleet *f, char *err, size_t errlen)
{
	const struct collector_config *cfg = collector_fleet_cfg(f);
	struct collector_fleet_consumer *c = calloc(1, sizeof(*c));
	char durable[80], subject[64];
	jsConsumerInfo *ci = NULL;
	jsConsumerConfig cc;
	jsErrCode code = 0;
	jsSubOptions so;
	natsStatus s;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->evfd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	snprintf(durable, sizeof(durable), "vigil-%s", collector_fleet_name(f));
	snprintf(subject, sizeof(subject), "%s.>", cfg->fleet_subject_prefix);
	/*
	 * The consumer is made here and the subscription bound to it, so the
	 * library never deletes it when the subscription goes: a restarted
	 * collector continues after its last ack.
	 */
	jsConsumerConfig_Init(&cc);
	cc.Durable = durable;
	cc.FilterSubject = subject;
	cc.AckPolicy = js_AckAll;
	cc.AckWait = (int64_t)COLLECTOR_CONSUME_ACK_WAIT_S * 1000000000LL;
	cc.MaxAckPending = COLLECTOR_CONSUME_LISTS * COLLECTOR_CONSUME_BATCH * 4;
	cc.DeliverPolicy = js_DeliverAll;
	for (int tries = 0;; tries++) {
		code = 0;
		s = js_AddConsumer(&ci, collector_fleet_js(f), cfg->fleet_stream, &cc, NULL, &code);
		jsConsumerInfo_Destroy(ci);
		ci = NULL;
		/* it exists with other settings (an older collector): bind to it as it is */
		if (s == NATS_OK || code == JSConsumerNameExistErr || code == JSConsumerExistingActiveErr || tries == 20)
			break;
		usleep(500 * 1000);	/* a consumer leader being elected */
	}
	jsSubOptions_Init(&so);
	so.Stream = cfg->fleet_stream;
	so.Consumer = durable;
	s = js_PullSubscribe(&c->sub, collector_fleet_js(f), subject, durable, NULL, &so, &code);
	if (s != NATS_OK) {
		const char *last = nats_GetLastError(NULL);

		snprintf(err, errlen, "consumer %s on %s: %s%s%s (error %d)", durable, cfg->fleet_stream,
			 natsStatus_GetText(s), last ? ": " : "", last ? last : "", (int)code);
		goto cleanup;
	}
	c->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->evfd < 0 || pthread_create(&c->thread, NULL, collector_consume_thread, c)) {
		snprintf(err, errlen, "consumer %s: %s", durable, strerror(errno));
		goto cleanup;
	}
	c->started = true;
	return c;
cleanup:
	collector_fleet_consumer_free(c);
	return NULL;
}

int collector_fleet_consumer_fd(const struct collector_fleet_consumer *c)
{
	return c->evfd;
}

/*
 * One message: its id (Nats-Msg-Id: sensor:seq) and its JSON must agree, as
 * the ingest wrote them; then it is imported (stored once). 0, or the store's
 * -errno.
 */
static int collector_consume_one(struct collector_fleet_consumer *c, struct collector_store *store, natsMsg *msg,
				 int64_t now_us)
{
	const char *id = NULL, *via = NULL, *data = natsMsg_GetData(msg);
	int len = natsMsg_GetDataLength(msg), rc = 0;
	char sensor[WIRE_NAME_MAX + 1], seqtxt[24] = "";
	struct collector_store_meta meta;
	struct json_object *o = NULL, *v;
	const char *why = NULL;
	uint64_t seq = 0;

	c->st.consumed++;
	if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id ||
	    collector_fleet_msg_id_parse(id, strlen(id), sensor, &seq)) {
		why = "fleet_bad_id";
		snprintf(sensor, sizeof(sensor), "%s", "");
		goto aside;
	}
	snprintf(seqtxt, sizeof(seqtxt), "%" PRIu64, seq);
	o = len > 0 ? collector_store_parse_json(data, (size_t)len) : NULL;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "event_type", &v) ||
	    !json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0) {
		why = "fleet_bad_json";
		goto aside;
	}
	/* the ingest appended both when the sensor left them out: they must say what the id says */
	if (!json_object_object_get_ex(o, "sensor_name", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), sensor) || !json_object_object_get_ex(o, "vigil_seq", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_uint64(v) != seq) {
		why = "fleet_mismatch";
		goto aside;
	}
	collector_store_meta_from(o, &meta);
	rc = collector_store_import(store, sensor, strlen(sensor), seq, data, (size_t)len, &meta, now_us);
	if (rc < 0)
		goto cleanup;
	if (rc == 1)
		c->st.already++;
	else
		c->st.stored++;
	rc = 0;
	if (natsMsgHeader_Get(msg, "Vigil-Collector", &via) == NATS_OK && via)
		collector_consume_via_note(c, sensor, via, strlen(via), now_us);
	goto cleanup;
aside:
	c->st.bad++;
	collector_store_set_aside(store, why, sensor, seqtxt, data ? data : "", len > 0 ? (size_t)len : 0);
cleanup:
	json_object_put(o);
	return rc;
}

int collector_fleet_consume(struct collector_fleet_consumer *c, struct collector_store *store, int64_t now_us)
{
	natsMsgList lists[COLLECTOR_CONSUME_LISTS];
	size_t n;
	uint64_t v;
	int rc = 0, got = 0;

	if (read(c->evfd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing signalled, there may still be lists */
	}
	pthread_mutex_lock(&c->lock);
	n = c->nlists;
	memcpy(lists, c->lists, n * sizeof(lists[0]));
	c->nlists = 0;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	for (size_t k = 0; k < n && !rc; k++)
		for (int i = 0; i < lists[k].Count && !rc; i++) {
			rc = collector_consume_one(c, store, lists[k].Msgs[i], now_us);
			got++;
		}
	if (!rc && n)
		rc = collector_store_flush(store);
	/* committed: one cumulative ack for everything (AckAll); on a failure nothing is acked */
	if (!rc && n)
		natsMsg_Ack(lists[n - 1].Msgs[lists[n - 1].Count - 1], NULL);
	for (size_t k = 0; k < n; k++)
		natsMsgList_Destroy(&lists[k]);
	return rc ? rc : got;
}

bool collector_fleet_consumer_via(const struct collector_fleet_consumer *c, const char *sensor, char *via,
				  size_t len, int64_t *at_us)
{
	const struct collector_consume_via *e;

	if (!c->nvia)
		return false;
	e = collector_consume_via_slot(c->via, c->nvia, sensor);
	if (!e->sensor[0])
		return false;
	snprintf(via, len, "%s", e->via);
	*at_us = e->at_us;
	return true;
}

void collector_fleet_consumer_stats(const struct collector_fleet_consumer *c, struct collector_fleet_consume_stats *out)
{
	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	*out = c->st;
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
}

void collector_fleet_consumer_free(struct collector_fleet_consumer *c)
{
	if (!c)
		return;
	if (c->started) {
		pthread_mutex_lock(&c->lock);
		c->stop = true;
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
	}
	for (size_t k = 0; k < c->nlists; k++)
		natsMsgList_Destroy(&c->lists[k]);
	if (c->sub)
		natsSubscription_Destroy(c->sub);	/* the durable consumer stays, for the next start */
	if (c->evfd >= 0)
		close(c->evfd);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c->via);
	free(c);
}

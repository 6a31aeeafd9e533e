// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_fleet.c: publishing accepted events to a replicated JetStream
 * stream instead of (not besides) this collector's own files. Publishes are
 * asynchronous within a batch; the batch's flush waits until the stream has
 * acked every one, resending what failed (a leader election, a node going
 * away) under the same message id until fleet.publish_timeout_ms.
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

#include <nats/nats.h>

#include "clock.h"
#include "log.h"
#include "wire.h"
#include "collector_fleet.h"
#include "collector_fleet_id.h"

#define COLLECTOR_FLEET_CONNECT_MS 15000	/* at start: servers and a JetStream leader */
#define COLLECTOR_FLEET_ACK_WAIT_MS 5000	/* one publish's ack; then it is resent */
#define COLLECTOR_FLEET_MAX_PENDING 8192	/* publishes in flight (a batch is at most 256) */
#define COLLECTOR_FLEET_HEADER "Vigil-Collector"
#define COLLECTOR_FLEET_BATCH_HEADER "Vigil-Batch"	/* which batch a publish belongs to, for its ack */
#define COLLECTOR_FLEET_RING (COLLECTOR_FLEET_BATCHES + 1)	/* closed batches + the open one */

/* Events appended between two batch_close calls, and the acks they owe. */
struct collector_fleet_batch {
	uint64_t id;
	size_t pending;		/* publishes the stream has not acked yet */
	bool closed;
	int64_t closed_ms;
	void *acks;		/* owned */
	size_t n;
};

struct collector_fleet {
	const struct collector_config *cfg;
	char name[64];
	natsOptions *opts;
	natsConnection *nc;
	jsCtx *js;
	struct collector_store_sink sink;

	pthread_mutex_t lock;		/* what the ack handler (a libnats thread) shares with the loop */
	natsMsg **failed;		/* publishes to send again, owned */
	size_t nfailed, capfailed;
	natsStatus last_err;
	jsErrCode last_code;
	char last_text[160];
	struct collector_fleet_stats st;
	struct collector_fleet_batch ring[COLLECTOR_FLEET_RING];	/* from head: closed ones, then the open one */
	size_t head, nclosed;
	int evfd;			/* a batch completed or a publish failed */
	int64_t retry_ms, pause_ms;	/* when failed publishes are sent again, and the pause after that */
	volatile bool closing;		/* the disconnect that closing causes is not news */
};

static void collector_fleet_sleep_ms(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Keep msg to send again (caller holds the lock). On no memory it is lost here and the flush fails. */
static void collector_fleet_keep(struct collector_fleet *f, natsMsg *msg)
{
	if (f->nfailed == f->capfailed) {
		size_t cap = f->capfailed ? 2 * f->capfailed : 256;
		natsMsg **t = realloc(f->failed, cap * sizeof(*t));

		if (!t) {
			natsMsg_Destroy(msg);
			f->last_err = NATS_NO_MEMORY;
			return;
		}
		f->failed = t;
		f->capfailed = cap;
	}
	f->failed[f->nfailed++] = msg;
}

static void collector_fleet_wake(struct collector_fleet *f)
{
	uint64_t one = 1;

	if (write(f->evfd, &one, sizeof(one)) < 0) {
		/* a saturated counter: the loop is awake anyway */
	}
}

/* The batch a publish belongs to (caller holds the lock); NULL if its header is unknown. */
static struct collector_fleet_batch *collector_fleet_batch_of(struct collector_fleet *f, natsMsg *msg)
{
	const char *v = NULL;
	uint64_t id, first = f->ring[f->head].id;

	if (natsMsgHeader_Get(msg, COLLECTOR_FLEET_BATCH_HEADER, &v) != NATS_OK || !v)
		return NULL;
	id = strtoull(v, NULL, 10);
	if (id < first || id - first > f->nclosed)
		return NULL;
	return &f->ring[(f->head + (id - first)) % COLLECTOR_FLEET_RING];
}

/* The stream's answer to one publish (libnats thread). */
static void collector_fleet_on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct collector_fleet *f = closure;

	(void)js;
	pthread_mutex_lock(&f->lock);
	if (pa) {
		struct collector_fleet_batch *b = collector_fleet_batch_of(f, msg);

		if (pa->Duplicate)
			f->st.duplicates++;
		else
			f->st.stored++;
		if (b && b->pending && !--b->pending && b->closed)
			collector_fleet_wake(f);
		natsMsg_Destroy(msg);
	} else {
		if (pae) {
			f->last_err = pae->Err;
			f->last_code = pae->ErrCode;
			snprintf(f->last_text, sizeof(f->last_text), "%s", pae->ErrText ? pae->ErrText : "");
		}
		collector_fleet_keep(f, msg);
		collector_fleet_wake(f);
	}
	pthread_mutex_unlock(&f->lock);
}

static void collector_fleet_on_disconnect(natsConnection *nc, void *closure)
{
	struct collector_fleet *f = closure;
	char url[256] = "";

	if (f->closing)
		return;
	natsConnection_GetConnectedUrl(nc, url, sizeof(url));
	pthread_mutex_lock(&f->lock);
	f->st.disconnects++;
	pthread_mutex_unlock(&f->lock);
	pr_warn("fleet: lost the NATS server %s; reconnecting to the others of fleet.servers", url[0] ? url : "");
}

static void collector_fleet_on_reconnect(natsConnection *nc, void *closure)
{
	char url[256] = "";

	(void)closure;
	natsConnection_GetConnectedUrl(nc, url, sizeof(url));
	pr_info("fleet: connected to NATS server %s again", url);
}

static int collector_fleet_append(void *ctx, const char *name, size_t len, uint64_t seq, const char *line,
				  size_t line_len, const struct collector_store_meta *m)
{
	struct collector_fleet *f = ctx;
	char subj[COLLECTOR_FLEET_SUBJECT_MAX], id[COLLECTOR_FLEET_ID_MAX], batch[24];
	const char *type = m->event_type ? m->event_type : "";
	struct collector_fleet_batch *open;
	natsMsg *msg = NULL;
	jsPubOptions po;
	natsStatus s;

	if (collector_fleet_subject(subj, sizeof(subj), f->cfg->fleet_subject_prefix, name, len, type,
				    strlen(type)) < 0 ||
	    collector_fleet_msg_id(id, sizeof(id), name, len, seq) < 0)
		return -EINVAL;
	if (natsMsg_Create(&msg, subj, NULL, line, (int)line_len) != NATS_OK)
		return -ENOMEM;
	/* the id as a header of the message itself, so a resend of this very message carries it too */
	pthread_mutex_lock(&f->lock);
	open = &f->ring[(f->head + f->nclosed) % COLLECTOR_FLEET_RING];
	open->pending++;	/* before the publish: its ack may come at once */
	snprintf(batch, sizeof(batch), "%" PRIu64, open->id);
	pthread_mutex_unlock(&f->lock);
	if (natsMsgHeader_Set(msg, "Nats-Msg-Id", id) != NATS_OK ||
	    natsMsgHeader_Set(msg, COLLECTOR_FLEET_HEADER, f->name) != NATS_OK ||
	    natsMsgHeader_Set(msg, COLLECTOR_FLEET_BATCH_HEADER, batch) != NATS_OK) {
		natsMsg_Destroy(msg);
		pthread_mutex_lock(&f->lock);
		open->pending--;
		pthread_mutex_unlock(&f->lock);
		return -ENOMEM;
	}
	jsPubOptions_Init(&po);
	po.MsgId = id;
	po.MaxWait = COLLECTOR_FLEET_ACK_WAIT_MS;
	s = js_PublishMsgAsync(f->js, &msg, &po);
	pthread_mutex_lock(&f->lock);
	f->st.published++;
	if (s != NATS_OK && msg) {
		/* not sent (too many in flight, a closed connection): the flush sends it again */
		f->last_err = s;
		collector_fleet_keep(f, msg);
	}
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/*
 * Wait until the stream acked every publish of the batch; resend failures and
 * publishes whose ack did not come, with a growing pause, until the deadline.
 */
static int collector_fleet_flush(void *ctx, char *err, size_t errlen)
{
	struct collector_fleet *f = ctx;
	int64_t deadline = (int64_t)clock_mono_ms() + f->cfg->fleet_publish_timeout_ms, pause = 50;
	jsPubOptions po;

	for (;;) {
		int64_t left = deadline - (int64_t)clock_mono_ms();
		natsMsgList pending = { 0 };
		natsMsg **again = NULL;
		size_t n = 0;
		natsStatus s;

		jsPubOptions_Init(&po);
		po.MaxWait = left > COLLECTOR_FLEET_ACK_WAIT_MS ? COLLECTOR_FLEET_ACK_WAIT_MS : left > 1 ? left : 1;
		s = js_PublishAsyncComplete(f->js, &po);
		if (s == NATS_TIMEOUT && js_PublishAsyncGetPendingList(&pending, f->js) == NATS_OK) {
			/* no answer yet: these are taken back from the library and sent again below */
			pthread_mutex_lock(&f->lock);
			for (int i = 0; i < pending.Count; i++) {
				collector_fleet_keep(f, pending.Msgs[i]);
				pending.Msgs[i] = NULL;
			}
			pthread_mutex_unlock(&f->lock);
			natsMsgList_Destroy(&pending);
		}
		pthread_mutex_lock(&f->lock);
		again = f->failed;
		n = f->nfailed;
		f->failed = NULL;
		f->nfailed = f->capfailed = 0;
		pthread_mutex_unlock(&f->lock);
		if (!n && s == NATS_OK)
			return 0;
		if ((int64_t)clock_mono_ms() >= deadline) {
			snprintf(err, errlen, "the stream %s did not store %zu events within fleet.publish_timeout_ms "
				 "(%u ms): %s%s%s", f->cfg->fleet_stream, n, f->cfg->fleet_publish_timeout_ms,
				 natsStatus_GetText(f->last_err), f->last_text[0] ? ": " : "", f->last_text);
			for (size_t i = 0; i < n; i++)
				natsMsg_Destroy(again[i]);
			free(again);
			return -ETIMEDOUT;
		}
		/* a pause before sending again (or asking again, when the library failed without a message) */
		if (n || s != NATS_TIMEOUT) {
			collector_fleet_sleep_ms(pause);
			pause = pause * 2 > 1000 ? 1000 : pause * 2;
		}
		for (size_t i = 0; i < n; i++) {
			natsMsg *msg = again[i];

			/* the message still holds its Nats-Msg-Id header: a resend the stream has is dropped */
			jsPubOptions_Init(&po);
			po.MaxWait = COLLECTOR_FLEET_ACK_WAIT_MS;
			s = js_PublishMsgAsync(f->js, &msg, &po);
			pthread_mutex_lock(&f->lock);
			f->st.retries++;
			if (s != NATS_OK && msg) {
				f->last_err = s;
				collector_fleet_keep(f, msg);
			}
			pthread_mutex_unlock(&f->lock);
		}
		free(again);
	}
}

int collector_fleet_batch_close(struct collector_fleet *f, const void *acks, size_t n, size_t size)
{
	struct collector_fleet_batch *b, *next;
	void *copy = NULL;
	int rc = 0;

	if (n && !(copy = malloc(n * size)))
		return -ENOMEM;
	if (n)
		memcpy(copy, acks, n * size);
	pthread_mutex_lock(&f->lock);
	if (f->nclosed == COLLECTOR_FLEET_BATCHES) {
		rc = -ENOBUFS;
		free(copy);
		goto cleanup;
	}
	b = &f->ring[(f->head + f->nclosed) % COLLECTOR_FLEET_RING];
	b->acks = copy;
	b->n = n;
	b->closed = true;
	b->closed_ms = (int64_t)clock_mono_ms();
	f->nclosed++;
	next = &f->ring[(f->head + f->nclosed) % COLLECTOR_FLEET_RING];
	*next = (struct collector_fleet_batch){ .id = b->id + 1 };
	if (!b->pending)
		collector_fleet_wake(f);	/* nothing to wait for (all duplicates): complete now, in order */
cleanup:
	pthread_mutex_unlock(&f->lock);
	return rc;
}

/* Send again what failed (the loop's thread); each keeps its id, so the stream drops what it has. */
static void collector_fleet_resend(struct collector_fleet *f)
{
	natsMsg **again;
	jsPubOptions po;
	size_t n;

	pthread_mutex_lock(&f->lock);
	again = f->failed;
	n = f->nfailed;
	f->failed = NULL;
	f->nfailed = f->capfailed = 0;
	pthread_mutex_unlock(&f->lock);
	for (size_t i = 0; i < n; i++) {
		natsMsg *msg = again[i];
		natsStatus s;

		jsPubOptions_Init(&po);
		po.MaxWait = COLLECTOR_FLEET_ACK_WAIT_MS;
		s = js_PublishMsgAsync(f->js, &msg, &po);
		pthread_mutex_lock(&f->lock);
		f->st.retries++;
		if (s != NATS_OK && msg) {
			f->last_err = s;
			collector_fleet_keep(f, msg);
		}
		pthread_mutex_unlock(&f->lock);
	}
	free(again);
}

int collector_fleet_batch_poll(struct collector_fleet *f, void (*fn)(void *ctx, const void *acks, size_t n),
			       void *ctx, char *err, size_t errlen)
{
	int64_t now = (int64_t)clock_mono_ms();
	struct collector_fleet_batch done[COLLECTOR_FLEET_BATCHES];
	size_t ndone = 0, nfailed;
	uint64_t v;
	int rc = 0;

	if (read(f->evfd, &v, sizeof(v)) < 0) {
		/* EAGAIN: not signalled */
	}
	pthread_mutex_lock(&f->lock);
	nfailed = f->nfailed;
	while (f->nclosed && !f->ring[f->head].pending) {
		done[ndone++] = f->ring[f->head];
		f->ring[f->head].acks = NULL;
		f->head = (f->head + 1) % COLLECTOR_FLEET_RING;
		f->nclosed--;
	}
	if (f->nclosed && now - f->ring[f->head].closed_ms >= (int64_t)f->cfg->fleet_publish_timeout_ms) {
		snprintf(err, errlen, "the stream %s did not store %zu events of a batch within "
			 "fleet.publish_timeout_ms (%u ms): %s%s%s", f->cfg->fleet_stream, f->ring[f->head].pending,
			 f->cfg->fleet_publish_timeout_ms, natsStatus_GetText(f->last_err), f->last_text[0] ? ": " : "",
			 f->last_text);
		rc = -ETIMEDOUT;
	}
	pthread_mutex_unlock(&f->lock);
	if (ndone)
		f->pause_ms = 0;	/* the stream takes events again */
	if (nfailed && now >= f->retry_ms) {
		/* a growing pause while it does not: a leader election takes seconds */
		f->pause_ms = f->pause_ms ? (f->pause_ms * 2 > 1000 ? 1000 : f->pause_ms * 2) : 50;
		f->retry_ms = now + f->pause_ms;
		collector_fleet_resend(f);
	}
	for (size_t i = 0; i < ndone; i++) {
		fn(ctx, done[i].acks, done[i].n);
		free(done[i].acks);
	}
	return rc;
}

size_t collector_fleet_batches(struct collector_fleet *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->nclosed;
	pthread_mutex_unlock(&f->lock);
	return n;
}

int collector_fleet_fd(const struct collector_fleet *f)
{
	return f->evfd;
}

/* err from a NATS call: the library's own text when it has one. */
static void collector_fleet_err(char *err, size_t errlen, const char *what, natsStatus s, jsErrCode code)
{
	const char *last = nats_GetLastError(NULL);

	snprintf(err, errlen, "%s: %s%s%s (error %d)", what, natsStatus_GetText(s), last && last[0] ? ": " : "",
		 last ? last : "", (int)code);
}

static int collector_fleet_options(struct collector_fleet *f, char *err, size_t errlen)
{
	const struct collector_config *c = f->cfg;
	const char *servers[COLLECTOR_FLEET_SERVERS];
	char client[128];
	natsStatus s;

	for (uint32_t i = 0; i < c->n_fleet_servers; i++)
		servers[i] = c->fleet_servers[i];
	snprintf(client, sizeof(client), "vigil-collector %s", f->name);
	s = natsOptions_Create(&f->opts);
	if (s == NATS_OK)
		s = natsOptions_SetServers(f->opts, servers, (int)c->n_fleet_servers);
	if (s == NATS_OK)
		s = natsOptions_SetName(f->opts, client);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(f->opts, -1);	/* forever: the cluster comes back */
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(f->opts, 250);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(f->opts, 2000);
	if (s == NATS_OK)
		s = natsOptions_SetPingInterval(f->opts, 2000);	/* a hung server is left within ~6 s */
	if (s == NATS_OK)
		s = natsOptions_SetMaxPingsOut(f->opts, 3);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(f->opts, collector_fleet_on_disconnect, f);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(f->opts, collector_fleet_on_reconnect, f);
	if (s != NATS_OK) {
		collector_fleet_err(err, errlen, "fleet.servers", s, 0);
		return -EINVAL;
	}
	if (c->fleet_creds[0] && (s = natsOptions_SetUserCredentialsFromFiles(f->opts, c->fleet_creds, NULL)) != NATS_OK) {
		collector_fleet_err(err, errlen, c->fleet_creds, s, 0);
		return -EINVAL;
	}
	if (!c->fleet_nkey[0] != !c->fleet_nkey_seed[0]) {
		snprintf(err, errlen, "fleet.nkey and fleet.nkey_seed go together (the public key and its seed's file)");
		return -EINVAL;
	}
	if (c->fleet_nkey[0] && (s = natsOptions_SetNKeyFromSeed(f->opts, c->fleet_nkey, c->fleet_nkey_seed)) != NATS_OK) {
		collector_fleet_err(err, errlen, "fleet.nkey", s, 0);
		return -EINVAL;
	}
	if (!c->fleet_tls_cert[0] != !c->fleet_tls_key[0]) {
		snprintf(err, errlen, "fleet.tls_cert and fleet.tls_key go together");
		return -EINVAL;
	}
	if (c->fleet_tls_ca[0] || c->fleet_tls_cert[0]) {
		s = natsOptions_SetSecure(f->opts, true);
		if (s == NATS_OK && c->fleet_tls_ca[0])
			s = natsOptions_LoadCATrustedCertificates(f->opts, c->fleet_tls_ca);
		if (s == NATS_OK && c->fleet_tls_cert[0])
			s = natsOptions_LoadCertificatesChain(f->opts, c->fleet_tls_cert, c->fleet_tls_key);
		if (s != NATS_OK) {
			collector_fleet_err(err, errlen, "fleet TLS (tls_ca, tls_cert, tls_key)", s, 0);
			return -EINVAL;
		}
	}
	return 0;
}

/* The stream as configured: created when missing, its limits updated when they differ. */
static int collector_fleet_stream(struct collector_fleet *f, int64_t deadline, char *err, size_t errlen)
{
	const struct collector_config *c = f->cfg;
	char subject[64];
	const char *subjects[1] = { subject };
	jsStreamConfig sc;
	jsStreamInfo *si = NULL;
	jsErrCode code = 0;
	natsStatus s;

	snprintf(subject, sizeof(subject), "%s.>", c->fleet_subject_prefix);
	jsStreamConfig_Init(&sc);
	sc.Name = c->fleet_stream;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Retention = js_LimitsPolicy;
	sc.Discard = js_DiscardOld;
	sc.Replicas = c->fleet_replicas;
	sc.Duplicates = (int64_t)c->fleet_duplicate_window_s * 1000000000LL;
	sc.MaxAge = (int64_t)c->fleet_max_age_days * 86400LL * 1000000000LL;
	sc.MaxBytes = c->fleet_max_mb ? (int64_t)c->fleet_max_mb << 20 : -1;
	for (;;) {
		code = 0;
		s = js_GetStreamInfo(&si, f->js, c->fleet_stream, NULL, &code);
		if (s == NATS_OK) {
			jsStreamConfig *have = si->Config;
			bool same = have->Replicas == sc.Replicas && have->Duplicates == sc.Duplicates &&
				    have->MaxAge == sc.MaxAge && have->MaxBytes == sc.MaxBytes && have->SubjectsLen == 1 &&
				    !strcmp(have->Subjects[0], subject);

			jsStreamInfo_Destroy(si);
			si = NULL;
			if (same)
				return 0;
			code = 0;
			s = js_UpdateStream(&si, f->js, &sc, NULL, &code);
			jsStreamInfo_Destroy(si);
			if (s == NATS_OK) {
				pr_info("fleet: stream %s updated to fleet.* (replicas %u, duplicate window %u s, max age %u "
					"days, max %u MiB)", c->fleet_stream, c->fleet_replicas, c->fleet_duplicate_window_s,
					c->fleet_max_age_days, c->fleet_max_mb);
				return 0;
			}
			/* another collector's settings, or a change the server refuses (replicas, subjects) */
			pr_warn("fleet: stream %s differs from fleet.* and cannot be updated (%s, error %d): using it as it is",
				c->fleet_stream, nats_GetLastError(NULL), (int)code);
			return 0;
		}
		if (code == JSStreamNotFoundErr) {
			code = 0;
			s = js_AddStream(&si, f->js, &sc, NULL, &code);
			jsStreamInfo_Destroy(si);
			si = NULL;
			if (s == NATS_OK) {
				pr_info("fleet: stream %s created for %s (replicas %u)", c->fleet_stream, subject,
					c->fleet_replicas);
				return 0;
			}
			if (code == JSStreamNameExistErr)
				continue;	/* another collector made it meanwhile */
			if (code == JSStreamInvalidConfig || code == JSStreamSubjectOverlapErr ||
			    code == JSInsufficientResourcesErr || code == JSStreamReplicasNotSupportedErr) {
				collector_fleet_err(err, errlen, "cannot create the stream", s, code);
				return -EINVAL;
			}
		}
		/* no JetStream leader yet (a cluster starting, a node away): try again */
		if ((int64_t)clock_mono_ms() >= deadline) {
			collector_fleet_err(err, errlen, "the stream is not available (is JetStream on, with a quorum?)", s,
					    code);
			return -ETIMEDOUT;
		}
		collector_fleet_sleep_ms(500);
	}
}

struct collector_fleet *collector_fleet_new(const struct collector_config *cfg, char *err, size_t errlen)
{
	int64_t deadline = (int64_t)clock_mono_ms() + COLLECTOR_FLEET_CONNECT_MS;
	struct collector_fleet *f = calloc(1, sizeof(*f));
	jsOptions jo;
	natsStatus s;

	err[0] = '\0';
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&f->lock, NULL);
	f->cfg = cfg;
	f->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->evfd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto cleanup;
	}
	f->sink = (struct collector_store_sink){ .append = collector_fleet_append, .flush = collector_fleet_flush,
						 .ctx = f };
	if (cfg->fleet_name[0])
		snprintf(f->name, sizeof(f->name), "%s", cfg->fleet_name);
	else if (gethostname(f->name, sizeof(f->name) - 1))
		snprintf(f->name, sizeof(f->name), "collector");
	for (char *p = f->name; *p; p++)	/* a host name's dots cannot be in a consumer's name */
		if (!collector_fleet_token_ok((char[]){ *p, '\0' }))
			*p = '_';
	if (!collector_fleet_token_ok(f->name) || !collector_fleet_token_ok(cfg->fleet_stream) ||
	    !collector_fleet_token_ok(cfg->fleet_subject_prefix)) {
		snprintf(err, errlen, "fleet.name, fleet.stream and fleet.subject_prefix are letters, digits, '-' and '_'");
		goto cleanup;
	}
	if (collector_fleet_options(f, err, errlen))
		goto cleanup;
	while ((s = natsConnection_Connect(&f->nc, f->opts)) != NATS_OK) {
		if ((int64_t)clock_mono_ms() >= deadline) {
			collector_fleet_err(err, errlen, "no server of fleet.servers answers", s, 0);
			goto cleanup;
		}
		collector_fleet_sleep_ms(500);
	}
	/* the largest event plus what the ingest appends and the headers must fit in one message */
	if (natsConnection_GetMaxPayload(f->nc) < WIRE_EVENT_MAX + 4096) {
		snprintf(err, errlen, "the NATS servers take messages of %" PRId64 " bytes at most, events are up to %u "
			 "bytes: set max_payload: 2MB in their configuration", natsConnection_GetMaxPayload(f->nc),
			 WIRE_EVENT_MAX);
		goto cleanup;
	}
	jsOptions_Init(&jo);
	jo.Wait = COLLECTOR_FLEET_ACK_WAIT_MS;
	jo.PublishAsync.MaxPending = COLLECTOR_FLEET_MAX_PENDING;
	jo.PublishAsync.AckHandler = collector_fleet_on_ack;
	jo.PublishAsync.AckHandlerClosure = f;
	s = natsConnection_JetStream(&f->js, f->nc, &jo);
	if (s != NATS_OK) {
		collector_fleet_err(err, errlen, "JetStream", s, 0);
		goto cleanup;
	}
	if (collector_fleet_stream(f, deadline + COLLECTOR_FLEET_CONNECT_MS, err, errlen))
		goto cleanup;
	return f;
cleanup:
	collector_fleet_free(f);
	return NULL;
}

const struct collector_store_sink *collector_fleet_sink(struct collector_fleet *f)
{
	return &f->sink;
}

jsCtx *collector_fleet_js(struct collector_fleet *f)
{
	return f->js;
}

const char *collector_fleet_name(const struct collector_fleet *f)
{
	return f->name;
}

const struct collector_config *collector_fleet_cfg(const struct collector_fleet *f)
{
	return f->cfg;
}

void collector_fleet_stats(struct collector_fleet *f, struct collector_fleet_stats *out)
{
	pthread_mutex_lock(&f->lock);
	*out = f->st;
	pthread_mutex_unlock(&f->lock);
}

void collector_fleet_free(struct collector_fleet *f)
{
	if (!f)
		return;
	/* the context first (no ack handler runs after), then the connection */
	if (f->js)
		jsCtx_Destroy(f->js);
	if (f->nc) {
		f->closing = true;
		natsConnection_Close(f->nc);
		natsConnection_Destroy(f->nc);
	}
	natsOptions_Destroy(f->opts);
	for (size_t i = 0; i < f->nfailed; i++)
		natsMsg_Destroy(f->failed[i]);
	free(f->failed);
	for (size_t i = 0; i < COLLECTOR_FLEET_RING; i++)
		free(f->ring[i].acks);
	if (f->evfd > 0)
		close(f->evfd);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

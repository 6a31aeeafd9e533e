// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_scrape.c: the metrics endpoint on lib/httpd's own thread. The
 * counters belong to the receive loop, so the text is rendered there, on
 * demand: the server's thread signals an eventfd and waits on a condition
 * for a text rendered after its request. A scraper, slow or stuck, can only
 * delay itself (issue 20, finding 5).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "collector_scrape.h"

#define COLLECTOR_SCRAPE_WAIT_S 1	/* a scrape waits this long for fresh text */

struct collector_scrape {
	struct httpd *http;		/* borrowed */
	bool root;			/* "/" is ours too */
	int evfd;			/* a scrape wants text */
	pthread_mutex_t lock;		/* text, len, gen, want */
	pthread_cond_t cond;		/* gen moved */
	char *text;
	size_t len;
	uint64_t gen;			/* the text answers requests up to this number */
	uint64_t want;			/* requests so far */
	uint64_t pending;		/* want seen by the loop, not yet answered */
};

static int collector_scrape_get(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct collector_scrape *s = ctx;
	const char *text = NULL;
	uint64_t want, one = 1;
	struct timespec dl;

	if (strcmp(req->path, "/metrics") && (!s->root || strcmp(req->path, "/"))) {
		resp->status = 404;
		text = "try /metrics\n";
	} else if (strcmp(req->method, "GET")) {
		resp->status = 405;
		text = "only GET\n";
	}
	if (text) {
		resp->body = strdup(text);
		resp->len = resp->body ? strlen(resp->body) : 0;
		return resp->body ? 0 : -ENOMEM;
	}
	pthread_mutex_lock(&s->lock);
	want = ++s->want;
	pthread_mutex_unlock(&s->lock);
	if (write(s->evfd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the loop is signalled anyway */
	}
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += COLLECTOR_SCRAPE_WAIT_S;
	pthread_mutex_lock(&s->lock);
	while (s->gen < want && pthread_cond_timedwait(&s->cond, &s->lock, &dl) == 0)
		;
	resp->body = malloc(s->len + 1);
	if (resp->body) {
		memcpy(resp->body, s->text ? s->text : "", s->len);
		resp->len = s->len;
	}
	pthread_mutex_unlock(&s->lock);
	resp->ctype = "text/plain; version=0.0.4; charset=utf-8";
	return resp->body ? 0 : -ENOMEM;
}

struct collector_scrape *collector_scrape_new(struct httpd *h, bool root)
{
	struct collector_scrape *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int rc;

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->http = h;
	s->root = root;
	s->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rc = s->evfd >= 0 ? httpd_route(h, root ? "/" : "/metrics", collector_scrape_get, s) : -errno;
	if (rc) {
		collector_scrape_free(s);
		errno = -rc;
		return NULL;
	}
	return s;
}

int collector_scrape_fd(const struct collector_scrape *s)
{
	return s->evfd;
}

bool collector_scrape_wanted(struct collector_scrape *s)
{
	uint64_t v;

	if (read(s->evfd, &v, sizeof(v)) < 0)
		return false;
	pthread_mutex_lock(&s->lock);
	s->pending = s->want;
	pthread_mutex_unlock(&s->lock);
	return true;
}

void collector_scrape_publish(struct collector_scrape *s, char *text, size_t len)
{
	pthread_mutex_lock(&s->lock);
	free(s->text);
	s->text = text;
	s->len = len;
	s->gen = s->pending;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void collector_scrape_stats(struct collector_scrape *s, struct httpd_stats *out)
{
	httpd_get_stats(s->http, out);
}

void collector_scrape_free(struct collector_scrape *s)
{
	if (!s)
		return;
	/* the server was freed first: no scrape waits on what goes below */
	if (s->evfd >= 0)
		close(s->evfd);
	free(s->text);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * state_writer.c: the learned state's disk thread. An fsync can take from
 * milliseconds to seconds on a busy or failing disk, and the packet thread
 * that waits for it drops frames from the ring; here the wait costs nothing
 * but the freshness of the file. Results are counted, never logged here.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "state_writer.h"

struct state_writer {
	pthread_t thr;
	bool joined;
	char *path;
	uint64_t delay_ns;
	atomic_bool busy;		/* set by submit, cleared by the thread when the write is done */
	pthread_mutex_t lock;		/* never held across I/O */
	pthread_cond_t wake;
	/* under lock */
	bool stop;
	struct state_image *job;	/* the image being written; NULL when idle */
	struct state_image *idle;	/* the image handed back at the next submit */
	struct state_writer_stats st;
};

static void state_writer_sleep(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ULL), .tv_nsec = (long)(ns % 1000000000ULL) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *state_writer_main(void *arg)
{
	struct state_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct state_image *im;
		uint64_t t0;
		int rc;

		while (!w->job && !w->stop)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->job)
			break;	/* stopped with nothing in flight */
		im = w->job;
		pthread_mutex_unlock(&w->lock);

		t0 = clock_mono_ns();
		if (w->delay_ns)
			state_writer_sleep(w->delay_ns);
		rc = state_write(w->path, im);

		pthread_mutex_lock(&w->lock);
		w->st.last_ns = clock_mono_ns() - t0;
		w->st.last_rc = rc;
		w->st.writes++;
		if (rc < 0)
			w->st.failures++;
		w->idle = im;
		w->job = NULL;
		atomic_store_explicit(&w->busy, false, memory_order_release);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct state_writer *state_writer_new(const struct state_writer_cfg *cfg)
{
	struct state_writer *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	int rc;

	if (!w)
		return NULL;
	w->joined = true;	/* until the thread runs */
	w->delay_ns = cfg->delay_ns;
	w->path = strdup(cfg->path ? cfg->path : "");
	w->idle = state_image_new();
	atomic_init(&w->busy, false);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (!w->path || !w->idle) {
		rc = ENOMEM;
		goto cleanup;
	}
	/* the thread starts with this mask: no signal meant for the daemon lands here */
	sigfillset(&all);
	if (cfg->keep_signal > 0)
		sigdelset(&all, cfg->keep_signal);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thr, NULL, state_writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		goto cleanup;
	w->joined = false;
	pthread_setname_np(w->thr, "vigil-state");
	return w;
cleanup:
	state_writer_free(w);
	errno = rc;
	return NULL;
}

bool state_writer_busy(const struct state_writer *w)
{
	return atomic_load_explicit(&w->busy, memory_order_acquire);
}

int state_writer_submit(struct state_writer *w, struct state_image **im)
{
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	if (w->stop || w->joined)
		rc = -EPIPE;
	else if (w->job)
		rc = -EBUSY;
	if (rc)
		goto cleanup;
	w->job = *im;
	*im = w->idle;
	w->idle = NULL;
	atomic_store_explicit(&w->busy, true, memory_order_release);
	pthread_cond_signal(&w->wake);
cleanup:
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void state_writer_stats(struct state_writer *w, struct state_writer_stats *st)
{
	pthread_mutex_lock(&w->lock);
	*st = w->st;
	pthread_mutex_unlock(&w->lock);
}

void state_writer_stop(struct state_writer *w)
{
	if (!w || w->joined)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thr, NULL);
	w->joined = true;
}

void state_writer_free(struct state_writer *w)
{
	if (!w)
		return;
	state_writer_stop(w);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	state_image_free(w->job);
	state_image_free(w->idle);
	free(w->path);
	free(w);
}

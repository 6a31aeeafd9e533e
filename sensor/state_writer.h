/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * state_writer.h: one thread that writes learned-state images to disk, so the
 * packet thread never waits for write(), fsync() or rename(). The packet
 * thread fills an image it owns and swaps it for the writer's idle one; while
 * a write is in flight nothing more is taken (the caller skips that save),
 * so at most one image waits on the disk and memory stays two images.
 */
#ifndef VIGIL_SENSOR_STATE_WRITER_H
#define VIGIL_SENSOR_STATE_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "state.h"

struct state_writer_cfg {
	const char *path;	/* copied */
	/* test hook only (VIGIL_TEST_STATE_WRITE_DELAY_MS, tests/appliance/state_async.sh):
	 * sleep this long before each write, as a slow disk would; 0 in service */
	uint64_t delay_ns;
	/* signal left unblocked in the thread (caps_signal()): the capability
	 * drop must reach every thread; 0: none. Every other signal is blocked. */
	int keep_signal;
};

/* What the writer did; read with state_writer_stats. */
struct state_writer_stats {
	uint64_t writes;	/* finished, successful or not */
	uint64_t failures;
	int last_rc;		/* 0 or -errno of the last write */
	uint64_t last_ns;	/* CLOCK_MONOTONIC duration of the last write, fsyncs and rename */
};

struct state_writer;

/*
 * Start the thread (named "vigil-state"). Call after the capability drop, as
 * the other threads: it inherits the reduced set. NULL with errno on failure.
 */
struct state_writer *state_writer_new(const struct state_writer_cfg *cfg);

/* True while a write is in flight (one atomic load: for the packet thread). */
bool state_writer_busy(const struct state_writer *w);

/*
 * Hand *im to the writer and get its idle image back in *im (its buffer kept
 * for the next snapshot). One futex wake, no waiting. 0, or -EBUSY while the
 * previous write is in flight (*im untouched), -EPIPE once stopped.
 */
int state_writer_submit(struct state_writer *w, struct state_image **im);

/* A copy of the counters (a lock held for the copy only). */
void state_writer_stats(struct state_writer *w, struct state_writer_stats *st);

/*
 * Let the write in flight finish, then stop and join the thread. Later
 * submits are -EPIPE. NULL-safe, idempotent.
 */
void state_writer_stop(struct state_writer *w);

/* Stop (as above) and free. NULL-safe. */
void state_writer_free(struct state_writer *w);

#endif

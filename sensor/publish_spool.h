/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish_spool.h: the publisher's on-disk spool: every event written before it
 * is sent, removed once acked, bounded in bytes (oldest segment dropped when
 * full), and reloaded by the next process with its sequence numbers intact.
 * Not thread-safe: the publisher calls it under its own lock.
 */
#ifndef VIGIL_SENSOR_PUBLISH_SPOOL_H
#define VIGIL_SENSOR_PUBLISH_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct publish_spool;

/* Called by publish_spool_open() for every spooled event still owed, oldest first. */
typedef int (*publish_spool_load_fn)(void *ctx, uint64_t seq, const char *json, size_t len);

/*
 * Open (create) the spool directory dir (mode 0700; -EPERM when it is not owned
 * by this user or is writable by group or others), limited to max_bytes of
 * segment files. Hands every event with seq > the recorded "done" mark to load,
 * in order; *last gets the highest seq ever assigned (spooled or done), so the
 * caller continues numbering after it. A torn last record (crash mid-write) is
 * cut off. Returns 0 with *out set, or -errno (or load's negative return).
 */
int publish_spool_open(const char *dir, uint64_t max_bytes, publish_spool_load_fn load, void *ctx,
		       struct publish_spool **out, uint64_t *last);

/*
 * Append event seq (seq strictly increasing). When the spool then exceeds its
 * size, whole oldest segments are deleted and *dropped_upto is raised to the
 * last seq they held (0 if nothing was dropped): the caller discards those
 * events and counts them. Returns 0 or -errno (the event is then not on disk).
 */
int publish_spool_append(struct publish_spool *sp, uint64_t seq, const char *json, size_t len,
			 uint64_t *dropped_upto);

/* Every event up to seq is acked or given up: record it and delete spent segments. 0 or -errno. */
int publish_spool_done(struct publish_spool *sp, uint64_t seq);

/* Forget every segment and record done = seq (used when the caller renumbers). 0 or -errno. */
int publish_spool_reset(struct publish_spool *sp, uint64_t seq);

/* Bytes of segment files now. */
uint64_t publish_spool_bytes(const struct publish_spool *sp);

/* Close; the files stay for the next process. NULL-safe. */
void publish_spool_free(struct publish_spool *sp);

#endif

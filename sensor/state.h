/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * state.h: what the sensor learned, kept across restarts. One versioned file of
 * tagged sections (each detector saves its own), checked by length and CRC32,
 * written to a temporary file, synced and renamed over the old one, so a crash
 * or power cut leaves either the old state or the new, never half of one.
 * Building the bytes (state_image_*) and writing them (state_write) are apart,
 * so the daemon writes on its own thread (sensor/state_writer.h).
 */
#ifndef VIGIL_SENSOR_STATE_H
#define VIGIL_SENSOR_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_VERSION 1u

enum state_tag {
	STATE_TAG_FLOOD = 1,	/* det_flood_save() */
	STATE_TAG_STATS = 2,	/* the statistics engine's host baselines (stats_save); detectors use their signature_id */
};

/* One section to write; data is borrowed. */
struct state_section {
	uint32_t tag;
	const void *data;
	size_t len;
};

/*
 * Write the sections to path atomically (path.tmp, fsync, rename, fsync of the
 * directory). saved_wall_ns is recorded for messages. Returns 0 or -errno; on
 * error the previous file is untouched. Builds a state_image and calls
 * state_write: for one-off saves and tests.
 */
int state_save(const char *path, const struct state_section *secs, size_t n, uint64_t saved_wall_ns);

/*
 * A state file's bytes in memory, split so the packet thread only serialises
 * and another thread does the slow part: begin/reserve/commit copy sections in
 * (no system call but the buffer's growth, which stops once it has reached the
 * largest state seen: the capacity is kept from one snapshot to the next);
 * state_write computes the CRC and does the I/O.
 */
struct state_image;

/* An empty image (no buffer yet). NULL with errno ENOMEM. */
struct state_image *state_image_new(void);
/* Start a new file in im, dropping what it held (the buffer is kept). */
void state_image_begin(struct state_image *im, uint64_t saved_wall_ns);
/*
 * Room for a section tagged tag of at most max bytes: 0 and *data, valid until
 * the next call on im, to be filled and closed with state_image_commit. -EINVAL
 * after 64 sections or when a section is still open, -EFBIG when the file
 * would pass 256 MiB, -ENOMEM.
 */
int state_image_reserve(struct state_image *im, uint32_t tag, size_t max, void **data);
/* Close the open section with its real length (<= the max reserved). 0 or -EINVAL. */
int state_image_commit(struct state_image *im, size_t len);
/* Bytes the file will have; sections in it. */
size_t state_image_len(const struct state_image *im);
unsigned int state_image_sections(const struct state_image *im);
/* NULL-safe. */
void state_image_free(struct state_image *im);

/*
 * Seal im (payload CRC) and write it to path atomically as state_save does.
 * Blocks for the write and the two fsyncs: not for the packet thread.
 * 0 or -errno (-EINVAL when a section is still open); on error the previous
 * file is untouched. -EPERM when path's directory is not owned by this user or is
 * writable by group or others (see state_dir_check).
 */
int state_write(const char *path, const struct state_image *im);

/*
 * Check (creating it 0700 when missing) the directory of path: it must be
 * owned by this process's user and not writable by group or others, or a
 * planted link could redirect the save. 0, or -EPERM with the reason in why,
 * or -errno.
 */
int state_dir_check(const char *path, char *why, size_t whylen);

struct state;

/*
 * Read and check a state file. Returns 0 with *out owned by the caller
 * (state_free), -ENOENT when there is none, -EPROTO for another version or
 * byte order, -EBADMSG when damaged (bad magic, length or CRC), or -errno.
 */
int state_load(const char *path, struct state **out);
/* The section tagged tag: 0 with *data (owned by s) and *len, or -ENOENT. */
int state_get(const struct state *s, uint32_t tag, const void **data, size_t *len);
uint64_t state_saved_wall_ns(const struct state *s);
void state_free(struct state *s);

/* CRC-32 (IEEE, as zlib) of len bytes, continuing from crc (0 to start). */
uint32_t state_crc32(uint32_t crc, const void *buf, size_t len);

#endif

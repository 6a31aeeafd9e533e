/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * state.h: what the sensor learned, kept across restarts. One versioned file of
 * tagged sections (each detector saves its own), checked by length and CRC32,
 * written to a temporary file, synced and renamed over the old one, so a crash
 * or power cut leaves either the old state or the new, never half of one.
 */
#ifndef VIGIL_SENSOR_STATE_H
#define VIGIL_SENSOR_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_VERSION 1u

enum state_tag {
	STATE_TAG_FLOOD = 1,	/* det_flood_save() */
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
 * error the previous file is untouched.
 */
int state_save(const char *path, const struct state_section *secs, size_t n, uint64_t saved_wall_ns);

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

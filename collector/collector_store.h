/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_store.h: the JSON-lines event file and the highest seq stored per
 * sensor, recovered from the file itself at open so a restarted collector does
 * not store an event twice.
 */
#ifndef VIGIL_COLLECTOR_STORE_H
#define VIGIL_COLLECTOR_STORE_H

#include <stddef.h>
#include <stdint.h>

struct collector_store;

/* What opening found in an existing file. */
struct collector_store_scan {
	uint64_t lines;		/* complete lines read */
	uint64_t sensors;	/* distinct sensor names with a seq */
	uint64_t unusable;	/* lines without a JSON object carrying sensor_name + vigil_seq */
	uint64_t torn_bytes;	/* bytes of an unterminated last line, cut off (never acked) */
};

/*
 * Open (create) path for appending after rescanning it. scan may be NULL.
 * Returns 0 with *out set, or -errno. Free with collector_store_free().
 */
int collector_store_open(const char *path, struct collector_store **out, struct collector_store_scan *scan);

/* Highest seq stored for the sensor (name[0..len)), 0 if none. */
uint64_t collector_store_last(const struct collector_store *s, const char *name, size_t len);

/*
 * Append one line (a newline is added) as the sensor's event seq, and raise the
 * sensor's stored seq to it. Buffered until collector_store_flush(). Returns 0 or -errno.
 */
int collector_store_append(struct collector_store *s, const char *name, size_t len, uint64_t seq,
			   const char *line, size_t line_len);

/* Push buffered lines to the kernel. Returns 0 or -errno (then stop: the file state is unknown). */
int collector_store_flush(struct collector_store *s);

/* Flush and close; NULL-safe. */
void collector_store_free(struct collector_store *s);

#endif

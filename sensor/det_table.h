/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * det_table.h: the bounded keyed state every detector keeps (per host, per
 * pair, per domain). Fixed capacity chosen at creation; when the probe window
 * is full the least recently seen entry is recycled, so memory never grows
 * and an attacker spraying keys only costs the oldest state.
 */
#ifndef VIGIL_DET_TABLE_H
#define VIGIL_DET_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DET_KEY_LEN = 40 };

/* A key is 40 bytes: build it with det_key() so unused bytes are zero. */
struct det_key {
	uint8_t b[DET_KEY_LEN];
};

struct det_table;

/* NULL with errno. value_size bytes of caller state per entry; capacity rounded up to 2^n. */
struct det_table *det_table_new(uint32_t capacity, size_t value_size);
void det_table_free(struct det_table *t);

/*
 * The value for key, created zeroed when absent (*created set) by taking a free
 * slot or recycling the least recently seen one of its probe window; never NULL.
 * now_ns marks the entry as seen.
 */
void *det_table_get(struct det_table *t, const struct det_key *k, uint64_t now_ns, bool *created);

/* The value for key or NULL; does not mark it seen. */
void *det_table_find(struct det_table *t, const struct det_key *k);

/* Delete the entry whose value v is (from det_table_get or det_table_find). */
void det_table_del(struct det_table *t, void *v);

/* Call fn for every live entry; fn returns true to delete the entry. */
void det_table_walk(struct det_table *t, bool (*fn)(void *ctx, const struct det_key *k, void *v, uint64_t last_ns),
		    void *ctx);

/*
 * fn(ctx, key, value) is called for a live entry just before det_table_get
 * recycles it for another key (so its owner can close what it held open).
 */
void det_table_on_recycle(struct det_table *t, void (*fn)(void *ctx, const struct det_key *k, void *v), void *ctx);

uint64_t det_table_recycled(const struct det_table *t);
uint32_t det_table_used(const struct det_table *t);

/* Key builders: a tag byte (which table/kind), two addresses, two 16-bit values. */
static inline struct det_key det_key(uint8_t tag, const uint8_t *a, const uint8_t *b, uint16_t x, uint16_t y)
{
	struct det_key k = { { 0 } };
	unsigned int i;

	k.b[0] = tag;
	k.b[1] = (uint8_t)(x >> 8);
	k.b[2] = (uint8_t)x;
	k.b[3] = (uint8_t)(y >> 8);
	k.b[4] = (uint8_t)y;
	for (i = 0; i < 16; i++) {
		k.b[8 + i] = a ? a[i] : 0;
		k.b[24 + i] = b ? b[i] : 0;
	}
	return k;
}

#endif

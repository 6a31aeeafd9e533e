// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_table.c: open addressing over a fixed array with a short probe window.
 * Entries are never tombstoned: a lookup scans its whole window, an insert
 * takes a free slot or the stalest one, which keeps every operation O(window).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "det_table.h"

enum { DET_TABLE_PROBE = 16 };

struct det_table_hdr {
	struct det_key key;
	uint64_t last_ns;
	uint8_t used;
	uint8_t pad[7];
};

struct det_table {
	uint8_t *slots;
	size_t slot_size;
	size_t value_size;
	uint32_t mask;
	uint32_t used;
	uint64_t recycled;
};

static uint32_t det_table_hash(const struct det_key *k)
{
	uint64_t h = 0xcbf29ce484222325ULL, w;
	unsigned int i;

	for (i = 0; i < DET_KEY_LEN; i += 8) {
		memcpy(&w, k->b + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static struct det_table_hdr *det_table_slot(const struct det_table *t, uint32_t i)
{
	return (struct det_table_hdr *)(t->slots + (size_t)(i & t->mask) * t->slot_size);
}

struct det_table *det_table_new(uint32_t capacity, size_t value_size)
{
	struct det_table *t;
	uint32_t cap = DET_TABLE_PROBE;

	if (!capacity || capacity > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	while (cap < capacity)
		cap <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->value_size = value_size;
	t->slot_size = (sizeof(struct det_table_hdr) + value_size + 7) & ~(size_t)7;
	t->mask = cap - 1;
	t->slots = calloc(cap, t->slot_size);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void det_table_free(struct det_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

void *det_table_find(struct det_table *t, const struct det_key *k)
{
	uint32_t i, h = det_table_hash(k);

	for (i = 0; i < DET_TABLE_PROBE; i++) {
		struct det_table_hdr *s = det_table_slot(t, h + i);

		if (s->used && !memcmp(&s->key, k, sizeof(*k)))
			return s + 1;
	}
	return NULL;
}

void *det_table_get(struct det_table *t, const struct det_key *k, uint64_t now_ns, bool *created)
{
	uint32_t i, h = det_table_hash(k);
	struct det_table_hdr *victim = NULL;

	for (i = 0; i < DET_TABLE_PROBE; i++) {
		struct det_table_hdr *s = det_table_slot(t, h + i);

		if (s->used && !memcmp(&s->key, k, sizeof(*k))) {
			if (now_ns > s->last_ns)
				s->last_ns = now_ns;
			*created = false;
			return s + 1;
		}
		if (!s->used) {
			if (!victim || victim->used)
				victim = s;
		} else if (!victim || (victim->used && s->last_ns < victim->last_ns)) {
			victim = s;
		}
	}
	if (victim->used)
		t->recycled++;
	else
		t->used++;
	memset(victim, 0, t->slot_size);
	victim->key = *k;
	victim->last_ns = now_ns;
	victim->used = 1;
	*created = true;
	return victim + 1;
}

void det_table_del(struct det_table *t, void *v)
{
	struct det_table_hdr *s = (struct det_table_hdr *)v - 1;

	if (s->used) {
		s->used = 0;
		t->used--;
	}
}

void det_table_walk(struct det_table *t, bool (*fn)(void *ctx, const struct det_key *k, void *v, uint64_t last_ns),
		    void *ctx)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		struct det_table_hdr *s = det_table_slot(t, i);

		if (s->used && fn(ctx, &s->key, s + 1, s->last_ns)) {
			s->used = 0;
			t->used--;
		}
	}
}

uint64_t det_table_recycled(const struct det_table *t)
{
	return t->recycled;
}

uint32_t det_table_used(const struct det_table *t)
{
	return t->used;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_table.c: open addressing over a fixed array with a short probe window.
 * Entries are never tombstoned: a lookup scans its whole window, an insert
 * takes a free slot or the stalest one, which keeps every operation O(window).
 * A bit per slot says which are live, so a walk (every tick, every save) costs
 * the live entries plus a word per 64 slots, not a read of the whole array.
 * A byte per slot holds 7 bits of its key's hash (0: free), so a lookup reads
 * one line of tags and only the slots whose tag matches, not 16 slots.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "det_bits.h"
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
	uint64_t *live;			/* bit i: slot i is used */
	uint8_t *tags;			/* slot i's DET_TABLE_TAG of its key's hash, 0: free */
	size_t slot_size;
	size_t value_size;
	uint32_t mask;
	uint32_t used;
	uint64_t recycled;
	void (*on_recycle)(void *ctx, const struct det_key *k, void *v);
	void *recycle_ctx;
};

/* the slot's tag: 7 bits of the hash above any index bit (capacity <= 2^24), never 0 */
#define DET_TABLE_TAG(h) ((uint8_t)((h) >> 25 | 0x80))

static uint32_t det_table_hash(const struct det_key *k)
{
	uint64_t h = 0xcbf29ce484222325ULL, w;
	unsigned int i;

	for (i = 0; i < DET_KEY_LEN; i += 8) {
		memcpy(&w, k->b + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	/* a full finaliser: keys that differ only in their last bytes (an address's low octet) must spread */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
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
	t->live = calloc(det_bits_words(cap), sizeof(uint64_t));
	t->tags = calloc(cap, 1);
	if (!t->slots || !t->live || !t->tags) {
		det_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void det_table_free(struct det_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->live);
	free(t->tags);
	free(t);
}

static uint32_t det_table_index(const struct det_table *t, const struct det_table_hdr *s)
{
	return (uint32_t)(((const uint8_t *)s - t->slots) / t->slot_size);
}

/* slot s is now live with tag (0: free) */
static void det_table_mark(struct det_table *t, const struct det_table_hdr *s, uint8_t tag)
{
	uint32_t i = det_table_index(t, s);

	det_bits_put(t->live, i, tag != 0);
	t->tags[i] = tag;
}

/* The slot of k in the window at h, or NULL. */
static struct det_table_hdr *det_table_lookup(const struct det_table *t, const struct det_key *k, uint32_t h)
{
	uint8_t tag = DET_TABLE_TAG(h);
	uint32_t i;

	for (i = 0; i < DET_TABLE_PROBE; i++) {
		struct det_table_hdr *s;

		if (t->tags[(h + i) & t->mask] != tag)
			continue;
		s = det_table_slot(t, h + i);
		if (!memcmp(&s->key, k, sizeof(*k)))
			return s;
	}
	return NULL;
}

void *det_table_find(struct det_table *t, const struct det_key *k)
{
	struct det_table_hdr *s = det_table_lookup(t, k, det_table_hash(k));

	return s ? s + 1 : NULL;
}

void *det_table_get(struct det_table *t, const struct det_key *k, uint64_t now_ns, bool *created)
{
	uint32_t i, h = det_table_hash(k);
	struct det_table_hdr *victim = NULL, *s = det_table_lookup(t, k, h);

	if (s) {
		if (now_ns > s->last_ns)
			s->last_ns = now_ns;
		*created = false;
		return s + 1;
	}
	/* a free slot, else the least recently seen of the window */
	for (i = 0; i < DET_TABLE_PROBE; i++) {
		if (!t->tags[(h + i) & t->mask]) {
			victim = det_table_slot(t, h + i);
			break;
		}
	}
	if (!victim) {
		victim = det_table_slot(t, h);
		for (i = 1; i < DET_TABLE_PROBE; i++) {
			s = det_table_slot(t, h + i);
			if (s->last_ns < victim->last_ns)
				victim = s;
		}
	}
	if (victim->used) {
		t->recycled++;
		if (t->on_recycle)
			t->on_recycle(t->recycle_ctx, &victim->key, victim + 1);
	} else
		t->used++;
	memset(victim, 0, t->slot_size);
	victim->key = *k;
	victim->last_ns = now_ns;
	victim->used = 1;
	det_table_mark(t, victim, DET_TABLE_TAG(h));
	*created = true;
	return victim + 1;
}

void det_table_del(struct det_table *t, void *v)
{
	struct det_table_hdr *s = (struct det_table_hdr *)v - 1;

	if (s->used) {
		s->used = 0;
		t->used--;
		det_table_mark(t, s, 0);
	}
}

void det_table_walk(struct det_table *t, bool (*fn)(void *ctx, const struct det_key *k, void *v, uint64_t last_ns),
		    void *ctx)
{
	uint32_t i;

	for (i = 0; det_bits_next(t->live, t->mask + 1, &i); i++) {
		struct det_table_hdr *s = det_table_slot(t, i);

		if (fn(ctx, &s->key, s + 1, s->last_ns)) {
			s->used = 0;
			t->used--;
			det_table_mark(t, s, 0);
		}
	}
}

void det_table_on_recycle(struct det_table *t, void (*fn)(void *ctx, const struct det_key *k, void *v), void *ctx)
{
	t->on_recycle = fn;
	t->recycle_ctx = ctx;
}

uint64_t det_table_recycled(const struct det_table *t)
{
	return t->recycled;
}

uint32_t det_table_used(const struct det_table *t)
{
	return t->used;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats_table.c: bounded memory for per-key statistics. Eviction is local to a
 * set of 8, so inserting never scans, never allocates and never rehashes;
 * under a flood of new keys the cost per packet stays that of a cache line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "stats_table.h"

static uint32_t stats_table_nsets(uint32_t capacity)
{
	uint64_t n = ((uint64_t)capacity + STATS_TABLE_WAYS - 1) / STATS_TABLE_WAYS;

	return n > (1u << 28) ? (1u << 28) : (uint32_t)n;
}

uint64_t stats_table_mem(uint32_t capacity, uint32_t entry_size)
{
	uint64_t n = stats_table_nsets(capacity);

	return n * sizeof(struct stats_set) + n * STATS_TABLE_WAYS * entry_size;
}

/*
 * Zeroed memory for a table, 64-byte aligned; past 2 MiB, aligned to 2 MiB and
 * backed by transparent huge pages where the kernel allows (madvise): a
 * lookup into tens of MiB would otherwise miss the TLB on most packets.
 */
static void *stats_table_alloc(size_t size)
{
	const size_t huge = 2u << 20;
	size_t align = size >= huge ? huge : 64;
	void *p;

	size = (size + align - 1) & ~(align - 1);	/* aligned_alloc wants a multiple of the alignment */
	p = aligned_alloc(align, size);
	if (!p)
		return NULL;
	if (align == huge)
		(void)madvise(p, size, MADV_HUGEPAGE);	/* a hint: without it, 4 KiB pages */
	memset(p, 0, size);
	return p;
}

int stats_table_init(struct stats_table *t, uint32_t capacity, uint32_t entry_size, uint32_t key_size)
{
	memset(t, 0, sizeof(*t));
	if (!capacity || !entry_size || key_size > entry_size)
		return -EINVAL;
	t->nsets = stats_table_nsets(capacity);
	t->entry_size = entry_size;
	t->key_size = key_size;
	t->hot_size = entry_size;
	t->sets = stats_table_alloc((size_t)t->nsets * sizeof(struct stats_set));
	t->entries = stats_table_alloc((size_t)t->nsets * STATS_TABLE_WAYS * entry_size);
	if (!t->sets || !t->entries) {
		stats_table_destroy(t);
		return -ENOMEM;
	}
	return 0;
}

void stats_table_destroy(struct stats_table *t)
{
	if (!t)
		return;
	free(t->sets);
	free(t->entries);
	t->sets = NULL;
	t->entries = NULL;
	t->nsets = 0;
}

/* every cache line of a slot's hot part: a new key writes all of it */
static void stats_table_prefetch_slot(const struct stats_table *t, uint32_t slot)
{
	const uint8_t *e = stats_table_entry(t, slot);
	uint32_t off;

	for (off = 0; off < t->hot_size; off += 64)
		__builtin_prefetch(e + off, 1, 3);
	__builtin_prefetch(e + t->hot_size - 1, 1, 3);
}

int stats_table_prefetch_entry(const struct stats_table *t, uint64_t hash, int want_victim)
{
	uint32_t set = stats_table_set_of(t, hash), tag = stats_table_tag(hash);
	const struct stats_set *s = &t->sets[set];
	uint32_t m = stats_table_match(s, tag);

	if (m) {
		stats_table_prefetch_slot(t, set * STATS_TABLE_WAYS + (uint32_t)__builtin_ctz(m));
		return 1;
	}
	if (!want_victim)
		return 0;
	/* probably a new key: the slot it will take */
	stats_table_prefetch_slot(t, set * STATS_TABLE_WAYS + stats_table_victim(s));
	return 0;
}

uint32_t stats_table_lookup(const struct stats_table *t, const void *key, uint64_t hash)
{
	uint32_t set = stats_table_set_of(t, hash), tag = stats_table_tag(hash), w;
	const struct stats_set *s = &t->sets[set];

	for (w = 0; w < STATS_TABLE_WAYS; w++) {
		uint32_t slot = set * STATS_TABLE_WAYS + w;

		if (s->tag[w] == tag && !memcmp(stats_table_entry(t, slot), key, t->key_size))
			return slot;
	}
	return STATS_TABLE_NONE;
}

uint32_t stats_table_get(struct stats_table *t, const void *key, uint64_t hash, uint32_t now_tick,
			 enum stats_table_got *got)
{
	uint32_t slot = stats_table_lookup(t, key, hash);

	if (slot != STATS_TABLE_NONE) {
		*got = STATS_TABLE_FOUND;
		return slot;
	}
	return stats_table_insert(t, key, t->key_size, hash, now_tick, got);
}

uint32_t stats_table_used(const struct stats_table *t)
{
	uint32_t i, w, n = 0;

	for (i = 0; i < t->nsets; i++)
		for (w = 0; w < STATS_TABLE_WAYS; w++)
			n += t->sets[i].tag[w] != 0;
	return n;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * flow_table.c: open addressing with linear probing over a power-of-two array
 * kept at most half full, a 64-bit hash per slot beside it (a probe reads the
 * hashes, and a key only where its hash matches), deletion by backward shift
 * (no tombstones, so probes stay short after the harvest). Grows by doubling
 * up to twice max_entries slots; past max_entries flows it recycles.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow_table.h"

enum {
	FLOW_TABLE_MIN_SLOTS = 1024,
	FLOW_TABLE_EVICT_SAMPLE = 8,	/* flows compared to pick the one pushed out */
};

#define FLOW_TABLE_USED (1ULL << 63)	/* set in every stored hash: 0 is an empty slot */

struct flow_slot {
	struct vigil_flow_key key;
	struct vigil_flow val;
};

struct flow_table {
	uint64_t *hash;		/* per slot: the key's hash | FLOW_TABLE_USED, 0 empty */
	struct flow_slot *slot;
	uint32_t mask;		/* slots - 1 */
	uint32_t count;
	uint32_t max_entries;
	uint32_t max_slots;
	uint64_t evicted;
};

_Static_assert(sizeof(struct vigil_flow_key) % 8 == 0, "keys compare in words");

static uint64_t flow_table_hash(const struct vigil_flow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 0x9e3779b97f4a7c15ULL, w;
	size_t i;

	for (i = 0; i < sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h ^= w * 0xff51afd7ed558ccdULL;
		h = (h << 31 | h >> 33) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	return h | FLOW_TABLE_USED;
}

static int flow_table_key_eq(const struct vigil_flow_key *a, const struct vigil_flow_key *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	uint64_t u, v, diff = 0;
	size_t i;

	for (i = 0; i < sizeof(*a); i += 8) {
		memcpy(&u, x + i, 8);
		memcpy(&v, y + i, 8);
		diff |= u ^ v;
	}
	return diff == 0;
}

static int flow_table_alloc(struct flow_table *t, uint32_t slots)
{
	t->hash = calloc(slots, sizeof(*t->hash));
	t->slot = malloc((size_t)slots * sizeof(*t->slot));
	if (!t->hash || !t->slot) {
		free(t->hash);
		free(t->slot);
		return -ENOMEM;
	}
	t->mask = slots - 1;
	return 0;
}

struct flow_table *flow_table_new(uint32_t max_entries)
{
	struct flow_table *t;
	uint64_t want = 2ULL * max_entries, slots = FLOW_TABLE_MIN_SLOTS;

	if (!max_entries || max_entries > (1u << 30)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_entries = max_entries;
	while (slots < want)
		slots <<= 1;
	t->max_slots = (uint32_t)slots;
	if (flow_table_alloc(t, t->max_slots < FLOW_TABLE_MIN_SLOTS ? t->max_slots :
			     FLOW_TABLE_MIN_SLOTS) < 0) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	free(t->hash);
	free(t->slot);
	free(t);
}

/* where h lives now, or the empty slot ending its probe */
static uint32_t flow_table_find(const struct flow_table *t, const struct vigil_flow_key *key, uint64_t h)
{
	uint32_t i = (uint32_t)h & t->mask;

	while (t->hash[i] && !(t->hash[i] == h && flow_table_key_eq(&t->slot[i].key, key)))
		i = (i + 1) & t->mask;
	return i;
}

struct vigil_flow *flow_table_lookup(struct flow_table *t, const struct vigil_flow_key *key)
{
	uint32_t i = flow_table_find(t, key, flow_table_hash(key));

	return t->hash[i] ? &t->slot[i].val : NULL;
}

/* empty slot i, moving later entries of its cluster back so no probe breaks */
static void flow_table_del_slot(struct flow_table *t, uint32_t i)
{
	uint32_t j = i, home;

	for (;;) {
		j = (j + 1) & t->mask;
		if (!t->hash[j])
			break;
		home = (uint32_t)t->hash[j] & t->mask;
		/* the entry at j may fill i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		t->hash[i] = t->hash[j];
		t->slot[i] = t->slot[j];
		i = j;
	}
	t->hash[i] = 0;
	t->count--;
}

static void flow_table_put(struct flow_table *t, uint64_t h, const struct vigil_flow_key *key,
			   const struct vigil_flow *val)
{
	uint32_t i = (uint32_t)h & t->mask;

	while (t->hash[i])
		i = (i + 1) & t->mask;
	t->hash[i] = h;
	t->slot[i].key = *key;
	t->slot[i].val = *val;
	t->count++;
}

static int flow_table_grow(struct flow_table *t)
{
	uint64_t *old_hash = t->hash;
	struct flow_slot *old_slot = t->slot;
	uint32_t old_n = t->mask + 1, i;

	if (flow_table_alloc(t, old_n * 2) < 0) {
		t->hash = old_hash;
		t->slot = old_slot;
		return -ENOMEM;
	}
	t->count = 0;
	for (i = 0; i < old_n; i++)
		if (old_hash[i])
			flow_table_put(t, old_hash[i], &old_slot[i].key, &old_slot[i].val);
	free(old_hash);
	free(old_slot);
	return 0;
}

/* push out the least recently seen of the first few flows from h's home on */
static void flow_table_evict(struct flow_table *t, uint64_t h)
{
	uint32_t i = (uint32_t)h & t->mask, victim = 0, seen = 0;
	uint64_t oldest = UINT64_MAX;

	while (seen < FLOW_TABLE_EVICT_SAMPLE && seen < t->count) {
		if (t->hash[i]) {
			if (t->slot[i].val.last_ns < oldest) {
				oldest = t->slot[i].val.last_ns;
				victim = i;
			}
			seen++;
		}
		i = (i + 1) & t->mask;
	}
	flow_table_del_slot(t, victim);
	t->evicted++;
}

int flow_table_insert(struct flow_table *t, const struct vigil_flow_key *key,
		      const struct vigil_flow *val)
{
	uint64_t h = flow_table_hash(key);
	int ret = 0;

	if (t->count >= t->max_entries) {
		flow_table_evict(t, h);
	} else if ((t->count + 1) * 2 > t->mask + 1 && t->mask + 1 < t->max_slots) {
		ret = flow_table_grow(t);
		if (ret < 0 && (t->count + 1) * 4 > (t->mask + 1) * 3)
			flow_table_evict(t, h);	/* no memory: keep probes short */
	}
	flow_table_put(t, h, key, val);
	return ret;
}

uint32_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

uint64_t flow_table_evicted(const struct flow_table *t)
{
	return t->evicted;
}

int flow_table_walk(struct flow_table *t,
		    int (*cb)(void *ctx, const struct vigil_flow_key *key, struct vigil_flow *val),
		    void *ctx)
{
	uint32_t start = 0, n, i;
	int r, visited = 0;

	/* start after an empty slot (there is one: at most three quarters full):
	 * a cluster then never wraps past the start, and a backward shift only
	 * ever moves a flow not yet visited into the slot being visited */
	while (t->hash[start])
		start++;
	for (n = 1; n <= t->mask + 1; n++) {
		i = (start + n) & t->mask;
		while (t->hash[i]) {
			r = cb(ctx, &t->slot[i].key, &t->slot[i].val);
			visited++;
			if (r & FLOW_TABLE_DELETE)
				flow_table_del_slot(t, i);
			if (r & FLOW_TABLE_STOP)
				return visited;
			if (!(r & FLOW_TABLE_DELETE))
				break;
		}
	}
	return visited;
}

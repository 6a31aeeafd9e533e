// SPDX-License-Identifier: GPL-2.0-only
/*
 * flow_table.c: flows in an array of nodes (stable indices, a free list),
 * found through an open-addressing index kept at most half full (a 64-bit
 * hash and a node index per slot, linear probing, backward-shift deletion),
 * and filed in a wheel of 2^12 lists by the second (2^30 ns) of their last
 * frame. A harvest walks only the seconds that came to their end since the
 * last one: a replay of hours harvests every second without walking the
 * table every second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow_table.h"

enum {
	FLOW_TABLE_MIN = 1024,		/* index slots and nodes to start with */
	FLOW_TABLE_WHEEL = 1 << 12,	/* lists of the wheel: 2^12 s, 68 minutes (a longer
					 * idle flow shares a list with newer ones) */
	FLOW_TABLE_SHIFT = 30,		/* a wheel step: 2^30 ns, about a second */
};

#define FLOW_TABLE_USED (1ULL << 63)	/* set in every stored hash: 0 is an empty slot */
#define FLOW_TABLE_NIL UINT32_MAX

struct flow_node {
	struct vigil_flow_key key;
	struct vigil_flow val;
	uint32_t prev;		/* the wheel list, or the free list (next only) */
	uint32_t next;
	uint64_t step;		/* val.last_ns >> FLOW_TABLE_SHIFT when filed */
};

struct flow_list {
	uint32_t head;		/* filed first */
	uint32_t tail;
};

struct flow_table {
	uint64_t *hash;		/* index: the key's hash | FLOW_TABLE_USED, 0 empty */
	uint32_t *slot_node;	/* index: the node of that slot */
	uint32_t mask;		/* index slots - 1 */
	struct flow_node *node;
	uint32_t nodes;		/* allocated */
	uint32_t used;		/* nodes ever handed out (the rest of the array is new) */
	uint32_t free;		/* free list */
	uint32_t count;
	uint32_t max_entries;
	uint32_t touched;	/* the node flow_table_touched() files again */
	struct flow_list *wheel;	/* by step % FLOW_TABLE_WHEEL: oldest filed first */
	uint64_t low;		/* no flow is filed under a step below this */
	bool any;		/* low is set (a flow was filed) */
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

/* ---- the wheel ---- */

/* at the tail of its second's list */
static void flow_table_file(struct flow_table *t, uint32_t n)
{
	struct flow_node *f = &t->node[n];
	struct flow_list *l = &t->wheel[f->step & (FLOW_TABLE_WHEEL - 1)];

	f->next = FLOW_TABLE_NIL;
	f->prev = l->tail;
	if (l->tail != FLOW_TABLE_NIL)
		t->node[l->tail].next = n;
	else
		l->head = n;
	l->tail = n;
	if (!t->any || f->step < t->low)
		t->low = f->step;
	t->any = true;
}

static void flow_table_unfile(struct flow_table *t, uint32_t n)
{
	struct flow_node *f = &t->node[n];
	struct flow_list *l = &t->wheel[f->step & (FLOW_TABLE_WHEEL - 1)];

	if (f->prev != FLOW_TABLE_NIL)
		t->node[f->prev].next = f->next;
	else
		l->head = f->next;
	if (f->next != FLOW_TABLE_NIL)
		t->node[f->next].prev = f->prev;
	else
		l->tail = f->prev;
}

/* ---- the index ---- */

static int flow_table_index_alloc(struct flow_table *t, uint32_t slots)
{
	uint64_t *hash = calloc(slots, sizeof(*hash));
	uint32_t *sn = malloc((size_t)slots * sizeof(*sn));

	if (!hash || !sn) {
		free(hash);
		free(sn);
		return -ENOMEM;
	}
	free(t->hash);
	free(t->slot_node);
	t->hash = hash;
	t->slot_node = sn;
	t->mask = slots - 1;
	return 0;
}

static void flow_table_index_put(struct flow_table *t, uint64_t h, uint32_t n)
{
	uint32_t i = (uint32_t)h & t->mask;

	while (t->hash[i])
		i = (i + 1) & t->mask;
	t->hash[i] = h;
	t->slot_node[i] = n;
}

/* empty slot i, moving later entries of its cluster back so no probe breaks */
static void flow_table_index_del(struct flow_table *t, uint32_t i)
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
		t->slot_node[i] = t->slot_node[j];
		i = j;
	}
	t->hash[i] = 0;
}

/* twice the slots, every entry placed again */
static int flow_table_index_grow(struct flow_table *t)
{
	uint64_t *old_hash = t->hash;
	uint32_t *old_sn = t->slot_node, old_n = t->mask + 1, i;

	t->hash = NULL;
	t->slot_node = NULL;
	if (flow_table_index_alloc(t, old_n * 2) < 0) {
		t->hash = old_hash;
		t->slot_node = old_sn;
		t->mask = old_n - 1;
		return -ENOMEM;
	}
	for (i = 0; i < old_n; i++)
		if (old_hash[i])
			flow_table_index_put(t, old_hash[i], old_sn[i]);
	free(old_hash);
	free(old_sn);
	return 0;
}

/* ---- nodes ---- */

static void flow_table_del_node(struct flow_table *t, uint32_t n)
{
	uint64_t h = flow_table_hash(&t->node[n].key);
	uint32_t i = (uint32_t)h & t->mask;

	while (t->slot_node[i] != n || !t->hash[i])
		i = (i + 1) & t->mask;
	flow_table_index_del(t, i);
	flow_table_unfile(t, n);
	t->node[n].next = t->free;
	t->free = n;
	t->count--;
	if (t->touched == n)
		t->touched = FLOW_TABLE_NIL;
}

/* a free node, the node array grown when needed; FLOW_TABLE_NIL when out of memory */
static uint32_t flow_table_new_node(struct flow_table *t)
{
	uint32_t n = t->free;

	if (n != FLOW_TABLE_NIL) {
		t->free = t->node[n].next;
		return n;
	}
	if (t->used == t->nodes) {
		uint32_t want = t->nodes * 2 > t->max_entries ? t->max_entries : t->nodes * 2;
		struct flow_node *a;

		if (want <= t->nodes)
			return FLOW_TABLE_NIL;
		a = realloc(t->node, (size_t)want * sizeof(*a));
		if (!a)
			return FLOW_TABLE_NIL;
		t->node = a;
		t->nodes = want;
	}
	return t->used++;
}

/* push out the least recently seen flow: the first filed in the oldest second */
static void flow_table_evict(struct flow_table *t)
{
	uint64_t s;
	uint32_t n, i;

	for (i = 0, s = t->low; i < FLOW_TABLE_WHEEL; i++, s++) {
		n = t->wheel[s & (FLOW_TABLE_WHEEL - 1)].head;
		if (n != FLOW_TABLE_NIL) {
			t->low = s;
			flow_table_del_node(t, n);
			t->evicted++;
			return;
		}
	}
}

struct flow_table *flow_table_new(uint32_t max_entries)
{
	struct flow_table *t;
	uint32_t i, start = max_entries < FLOW_TABLE_MIN ? max_entries : FLOW_TABLE_MIN;

	if (!max_entries || max_entries > (1u << 30)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_entries = max_entries;
	t->free = FLOW_TABLE_NIL;
	t->touched = FLOW_TABLE_NIL;
	t->node = malloc((size_t)start * sizeof(*t->node));
	t->nodes = start;
	t->wheel = malloc(FLOW_TABLE_WHEEL * sizeof(*t->wheel));
	if (!t->node || !t->wheel || flow_table_index_alloc(t, FLOW_TABLE_MIN * 2) < 0) {
		flow_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < FLOW_TABLE_WHEEL; i++)
		t->wheel[i].head = t->wheel[i].tail = FLOW_TABLE_NIL;
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	free(t->hash);
	free(t->slot_node);
	free(t->node);
	free(t->wheel);
	free(t);
}

struct vigil_flow *flow_table_lookup(struct flow_table *t, const struct vigil_flow_key *key)
{
	uint64_t h = flow_table_hash(key);
	uint32_t i = (uint32_t)h & t->mask, n;

	while (t->hash[i]) {
		n = t->slot_node[i];
		if (t->hash[i] == h && flow_table_key_eq(&t->node[n].key, key)) {
			t->touched = n;
			return &t->node[n].val;
		}
		i = (i + 1) & t->mask;
	}
	return NULL;
}

int flow_table_insert(struct flow_table *t, const struct vigil_flow_key *key,
		      const struct vigil_flow *val)
{
	uint32_t n;
	int ret = 0;

	if (t->count >= t->max_entries)
		flow_table_evict(t);
	if ((t->count + 1) * 2 > t->mask + 1 && flow_table_index_grow(t) < 0 &&
	    (t->count + 1) * 4 > (t->mask + 1) * 3) {
		flow_table_evict(t);	/* no memory for the index: keep probes short */
		ret = -ENOMEM;
	}
	n = flow_table_new_node(t);
	if (n == FLOW_TABLE_NIL) {
		flow_table_evict(t);	/* no memory for nodes: recycle one */
		n = flow_table_new_node(t);
		ret = -ENOMEM;
	}
	t->node[n].key = *key;
	t->node[n].val = *val;
	t->node[n].step = val->last_ns >> FLOW_TABLE_SHIFT;
	flow_table_index_put(t, flow_table_hash(key), n);
	flow_table_file(t, n);
	t->count++;
	t->touched = n;
	return ret;
}

void flow_table_touched(struct flow_table *t)
{
	uint32_t n = t->touched;
	uint64_t step;

	if (n == FLOW_TABLE_NIL)
		return;
	t->touched = FLOW_TABLE_NIL;
	step = t->node[n].val.last_ns >> FLOW_TABLE_SHIFT;
	if (step == t->node[n].step)
		return;
	flow_table_unfile(t, n);
	t->node[n].step = step;
	flow_table_file(t, n);
}

uint32_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

uint64_t flow_table_evicted(const struct flow_table *t)
{
	return t->evicted;
}

/* report (and, harvest, remove) the flows of one wheel list that pass; cb's non-zero return stops */
static int flow_table_list(struct flow_table *t, uint32_t head_at, bool remove, bool all, uint64_t cut,
			   flow_table_cb cb, void *ctx, int *n)
{
	uint32_t f = t->wheel[head_at].head, next;
	int r;

	while (f != FLOW_TABLE_NIL) {
		next = t->node[f].next;
		if (all || t->node[f].val.last_ns < cut) {
			r = cb(ctx, &t->node[f].key, &t->node[f].val);
			(*n)++;
			if (remove)
				flow_table_del_node(t, f);
			if (r)
				return r;
		}
		f = next;
	}
	return 0;
}

int flow_table_harvest(struct flow_table *t, uint64_t now_ns, uint64_t idle_ns, bool all,
		       flow_table_cb cb, void *ctx)
{
	uint64_t cut, last, s;
	int n = 0, r = 0;
	uint32_t i;

	if (all) {
		for (i = 0; i < FLOW_TABLE_WHEEL && !r && t->count; i++)
			r = flow_table_list(t, i, true, true, 0, cb, ctx, &n);
		return r ? r : n;
	}
	/* idle for more than idle_ns: the last frame before now - idle_ns */
	if (now_ns <= idle_ns || !t->any)
		return 0;
	cut = now_ns - idle_ns;
	last = cut >> FLOW_TABLE_SHIFT;
	/* the seconds from the lowest filed up to the cut's; a step of the wheel
	 * also holds flows of other laps, which the time check keeps */
	for (s = t->low; s <= last && s - t->low < FLOW_TABLE_WHEEL && !r; s++)
		r = flow_table_list(t, (uint32_t)(s & (FLOW_TABLE_WHEEL - 1)), true, false, cut, cb, ctx, &n);
	/* every flow of a second before the cut's was before the cut: gone */
	if (!r && last > t->low)
		t->low = last;
	return r ? r : n;
}

int flow_table_scan(struct flow_table *t, flow_table_cb cb, void *ctx)
{
	int n = 0, r = 0;
	uint32_t i;

	for (i = 0; i < FLOW_TABLE_WHEEL && !r; i++)
		r = flow_table_list(t, i, false, true, 0, cb, ctx, &n);
	return r ? r : n;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats_table.h: a fixed-size set-associative table for the statistics.
 * A key hashes to one set of 8 slots whose tags and expiry ticks share one
 * cache line; a new key takes a free slot or evicts the slot that expires
 * first (whose damped weight decays away first). Lookups and inserts are O(8)
 * whatever the traffic: a random-source flood only recycles slots.
 */
#ifndef VIGIL_STATS_TABLE_H
#define VIGIL_STATS_TABLE_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

#define STATS_TABLE_WAYS 8
#define STATS_TABLE_NONE UINT32_MAX

struct stats_set {
	uint32_t tag[STATS_TABLE_WAYS];		/* 0: empty */
	uint32_t expire[STATS_TABLE_WAYS];	/* tick after which the entry counts as gone */
} __attribute__((aligned(64)));

struct stats_table {
	struct stats_set *sets;
	uint8_t *entries;	/* slot i at entries + i * entry_size (64-byte aligned); key at offset 0 */
	uint32_t nsets;		/* sets of STATS_TABLE_WAYS slots */
	uint32_t entry_size;
	uint32_t key_size;
	uint32_t hot_size;	/* bytes zeroed on insert and prefetched (default entry_size) */
};

enum stats_table_got {
	STATS_TABLE_FOUND = 0,
	STATS_TABLE_NEW = 1,		/* took an empty or expired slot */
	STATS_TABLE_EVICTED = 2,	/* pushed out a live entry */
};

/* 64-bit hash of a key of len bytes (a multiple of 8). Deterministic. */
static inline uint64_t stats_hash(const void *key, uint32_t len, uint64_t seed)
{
	const uint8_t *p = key;
	uint64_t h = seed ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL), w;
	uint32_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		__builtin_memcpy(&w, p + i, 8);
		h ^= w * 0xff51afd7ed558ccdULL;
		h = (h << 31 | h >> 33) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * capacity is rounded up to a multiple of STATS_TABLE_WAYS. 0 or -ENOMEM / -EINVAL.
 * Entries are 64-byte aligned when entry_size is a multiple of 64, so a 64-byte
 * entry is one cache line.
 */
int stats_table_init(struct stats_table *t, uint32_t capacity, uint32_t entry_size, uint32_t key_size);
/* Free the memory; NULL-safe, idempotent. */
void stats_table_destroy(struct stats_table *t);
/* Bytes stats_table_init allocates for these parameters. */
uint64_t stats_table_mem(uint32_t capacity, uint32_t entry_size);

static inline uint32_t stats_table_slots(const struct stats_table *t)
{
	return t->nsets * STATS_TABLE_WAYS;
}

static inline void *stats_table_entry(const struct stats_table *t, uint32_t slot)
{
	return t->entries + (uint64_t)slot * t->entry_size;
}

/* the set of a hash: its low 32 bits scaled to nsets (any size, no modulo) */
static inline uint32_t stats_table_set_of(const struct stats_table *t, uint64_t hash)
{
	return (uint32_t)(((hash & 0xffffffffULL) * t->nsets) >> 32);
}

static inline uint32_t stats_table_tag(uint64_t hash)
{
	return (uint32_t)(hash >> 32) | 1u;
}

static inline void stats_table_prefetch(const struct stats_table *t, uint64_t hash)
{
	__builtin_prefetch(&t->sets[stats_table_set_of(t, hash)], 1, 3);
}

/*
 * Prefetch the entry the key probably lives in (the first tag match) and
 * return 1; with no match return 0, and when victim is set prefetch the slot
 * a new key would take.
 */
int stats_table_prefetch_entry(const struct stats_table *t, uint64_t hash, int victim);

/* The slot holding key, or STATS_TABLE_NONE. Changes nothing. */
uint32_t stats_table_lookup(const struct stats_table *t, const void *key, uint64_t hash);

/*
 * The slot holding key; if absent, a slot is taken (zeroed, key copied,
 * expiry set to now_tick) and *got says how. Never fails.
 */
uint32_t stats_table_get(struct stats_table *t, const void *key, uint64_t hash, uint32_t now_tick,
			 enum stats_table_got *got);

/* bit w set where the set's way w holds tag (SSE2 or NEON: one compare per four ways) */
static inline uint32_t stats_table_match(const struct stats_set *s, uint32_t tag)
{
#if defined(__SSE2__)
	__m128i t = _mm_set1_epi32((int)tag);
	__m128i lo = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)s->tag), t);
	__m128i hi = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(s->tag + 4)), t);

	return (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(lo)) | (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(hi)) << 4;
#elif defined(__ARM_NEON)
	static const uint32_t lo_bits[4] = { 1, 2, 4, 8 }, hi_bits[4] = { 16, 32, 64, 128 };
	uint32x4_t t = vdupq_n_u32(tag);
	uint32x4_t lo = vandq_u32(vceqq_u32(vld1q_u32(s->tag), t), vld1q_u32(lo_bits));
	uint32x4_t hi = vandq_u32(vceqq_u32(vld1q_u32(s->tag + 4), t), vld1q_u32(hi_bits));

	return vaddvq_u32(vorrq_u32(lo, hi));
#else
	uint32_t m = 0, w;

	for (w = 0; w < STATS_TABLE_WAYS; w++)
		m |= (uint32_t)(s->tag[w] == tag) << w;
	return m;
#endif
}

/*
 * The way a new key takes: an empty slot (expiry counts as 0), else the one
 * expiring first; ties go to the lowest way, so the choice is deterministic
 * and the same with or without SIMD.
 */
static inline uint32_t stats_table_victim(const struct stats_set *s)
{
#if defined(__SSE2__)
	/* unsigned min through signed compares on values biased by 2^31 */
	const __m128i bias = _mm_set1_epi32((int)0x80000000u), zero = _mm_setzero_si128();
	__m128i tl = _mm_load_si128((const __m128i *)s->tag), th = _mm_load_si128((const __m128i *)(s->tag + 4));
	__m128i el = _mm_andnot_si128(_mm_cmpeq_epi32(tl, zero), _mm_load_si128((const __m128i *)s->expire));
	__m128i eh = _mm_andnot_si128(_mm_cmpeq_epi32(th, zero), _mm_load_si128((const __m128i *)(s->expire + 4)));
	__m128i bl = _mm_xor_si128(el, bias), bh = _mm_xor_si128(eh, bias), gt, m;

	gt = _mm_cmpgt_epi32(bl, bh);
	m = _mm_or_si128(_mm_and_si128(gt, bh), _mm_andnot_si128(gt, bl));
	gt = _mm_cmpgt_epi32(m, _mm_shuffle_epi32(m, 0x4e));
	m = _mm_or_si128(_mm_and_si128(gt, _mm_shuffle_epi32(m, 0x4e)), _mm_andnot_si128(gt, m));
	gt = _mm_cmpgt_epi32(m, _mm_shuffle_epi32(m, 0xb1));
	m = _mm_or_si128(_mm_and_si128(gt, _mm_shuffle_epi32(m, 0xb1)), _mm_andnot_si128(gt, m));
	return (uint32_t)__builtin_ctz((uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(bl, m))) |
				       (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(bh, m))) << 4);
#elif defined(__ARM_NEON)
	static const uint32_t lo_bits[4] = { 1, 2, 4, 8 }, hi_bits[4] = { 16, 32, 64, 128 };
	uint32x4_t el = vandq_u32(vtstq_u32(vld1q_u32(s->tag), vld1q_u32(s->tag)), vld1q_u32(s->expire));
	uint32x4_t eh = vandq_u32(vtstq_u32(vld1q_u32(s->tag + 4), vld1q_u32(s->tag + 4)), vld1q_u32(s->expire + 4));
	uint32x4_t mn = vdupq_n_u32(vminvq_u32(vminq_u32(el, eh)));
	uint32x4_t lo = vandq_u32(vceqq_u32(el, mn), vld1q_u32(lo_bits));
	uint32x4_t hi = vandq_u32(vceqq_u32(eh, mn), vld1q_u32(hi_bits));

	return (uint32_t)__builtin_ctz(vaddvq_u32(vorrq_u32(lo, hi)));
#else
	uint32_t victim = 0, vexp = UINT32_MAX, w;

	for (w = 0; w < STATS_TABLE_WAYS; w++) {
		uint32_t exp = s->tag[w] ? s->expire[w] : 0;

		if (exp < vexp) {
			vexp = exp;
			victim = w;
		}
	}
	return victim;
#endif
}

/* key equality in 8-byte words; len is a compile-time multiple of 8 at every call */
static inline int stats_table_key_eq(const void *a, const void *b, uint32_t len)
{
	const uint8_t *x = a, *y = b;
	uint64_t diff = 0, u, v;
	uint32_t i;

	for (i = 0; i < len; i += 8) {
		__builtin_memcpy(&u, x + i, 8);
		__builtin_memcpy(&v, y + i, 8);
		diff |= u ^ v;
	}
	return diff == 0;
}

/*
 * Take a slot for a key known to be absent (a probe with admit 0 said so and
 * nothing was inserted since): the victim's way, zeroed hot part, key copied,
 * expiry now_tick; *got says NEW or EVICTED.
 */
static inline uint32_t stats_table_insert(struct stats_table *t, const void *key, uint32_t len, uint64_t hash,
					  uint32_t now_tick, enum stats_table_got *got)
{
	uint32_t set = stats_table_set_of(t, hash);
	struct stats_set *s = &t->sets[set];
	uint32_t victim = stats_table_victim(s);
	uint8_t *e;

	*got = s->tag[victim] && s->expire[victim] >= now_tick ? STATS_TABLE_EVICTED : STATS_TABLE_NEW;
	s->tag[victim] = stats_table_tag(hash);
	s->expire[victim] = now_tick;
	e = stats_table_entry(t, set * STATS_TABLE_WAYS + victim);
	if (t->hot_size == 64)	/* constant sizes: stores, not a call */
		__builtin_memset(e, 0, 64);
	else if (t->hot_size == 192)
		__builtin_memset(e, 0, 192);
	else
		__builtin_memset(e, 0, t->hot_size);
	__builtin_memcpy(e, key, len);
	return set * STATS_TABLE_WAYS + victim;
}

/*
 * stats_table_get for keys of a constant len (a multiple of 8), inlined into
 * the hot path. When the key is absent and admit is false nothing is taken
 * and STATS_TABLE_NONE is returned (*got = STATS_TABLE_NEW): the caller's
 * admission gate said no. Only hot_size bytes of a new entry are zeroed.
 */
static inline uint32_t stats_table_probe(struct stats_table *t, const void *key, uint32_t len, uint64_t hash,
					 uint32_t now_tick, int admit, enum stats_table_got *got)
{
	uint32_t set = stats_table_set_of(t, hash), tag = stats_table_tag(hash), w;
	struct stats_set *s = &t->sets[set];
	uint32_t m = stats_table_match(s, tag);

	while (m) {
		w = (uint32_t)__builtin_ctz(m);
		m &= m - 1;
		if (stats_table_key_eq(stats_table_entry(t, set * STATS_TABLE_WAYS + w), key, len)) {
			*got = STATS_TABLE_FOUND;
			return set * STATS_TABLE_WAYS + w;
		}
	}
	*got = STATS_TABLE_NEW;
	if (!admit)
		return STATS_TABLE_NONE;
	return stats_table_insert(t, key, len, hash, now_tick, got);
}

/* Keep slot until tick (the table evicts the smallest expiry first). */
static inline void stats_table_set_expire(struct stats_table *t, uint32_t slot, uint32_t tick)
{
	t->sets[slot / STATS_TABLE_WAYS].expire[slot % STATS_TABLE_WAYS] = tick;
}

/* Slots in use (O(capacity): for tests and the benchmark, not the hot path). */
uint32_t stats_table_used(const struct stats_table *t);

#endif

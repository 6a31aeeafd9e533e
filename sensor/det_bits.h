/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * det_bits.h: a bit per slot of a detector table saying which slots are live,
 * so a walk visits live entries plus a word per 64 slots instead of reading
 * every slot (det_table, flood's host table).
 */
#ifndef VIGIL_DET_BITS_H
#define VIGIL_DET_BITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Words for n slots. */
static inline size_t det_bits_words(uint32_t n)
{
	return ((size_t)n + 63) / 64;
}

static inline void det_bits_put(uint64_t *b, uint32_t i, bool live)
{
	if (live)
		b[i / 64] |= 1ULL << (i % 64);
	else
		b[i / 64] &= ~(1ULL << (i % 64));
}

/* The first live slot at *i or later, below n: true with *i moved to it, false when none. */
static inline bool det_bits_next(const uint64_t *b, uint32_t n, uint32_t *i)
{
	uint32_t w = *i / 64, last = (n - 1) / 64;
	uint64_t bits;

	if (*i >= n)
		return false;
	bits = b[w] & (~0ULL << (*i % 64));
	while (!bits) {
		if (++w > last)
			return false;
		bits = b[w];
	}
	*i = w * 64 + (uint32_t)__builtin_ctzll(bits);
	return *i < n;
}

#endif

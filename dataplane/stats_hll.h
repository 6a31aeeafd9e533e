/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats_hll.h: a 32-byte HyperLogLog (64 four-bit registers) counting the
 * distinct destination hosts or ports of one host in one window. Adding is
 * O(1) (one hash already computed, one register); estimating is O(64) and is
 * done once per window, never per packet. Standard error about 13%.
 */
#ifndef VIGIL_STATS_HLL_H
#define VIGIL_STATS_HLL_H

#include <stdint.h>

#define STATS_HLL_REGS 64

struct stats_hll {
	uint8_t reg[STATS_HLL_REGS / 2];	/* two 4-bit registers per byte */
};

/* Count the item whose 64-bit hash is h (any well-mixed hash). */
static inline void stats_hll_add(struct stats_hll *h, uint64_t hash)
{
	unsigned int idx = (unsigned int)(hash & (STATS_HLL_REGS - 1));
	uint64_t rest = hash >> 6;
	unsigned int rank = rest ? (unsigned int)__builtin_ctzll(rest) + 1 : 15;
	uint8_t *b = &h->reg[idx >> 1];
	unsigned int shift = (idx & 1) * 4, cur = (*b >> shift) & 0xf;

	if (rank > 15)
		rank = 15;
	if (rank > cur)
		*b = (uint8_t)((*b & ~(0xf << shift)) | (rank << shift));
}

/* Estimated distinct count (small-range corrected). */
double stats_hll_estimate(const struct stats_hll *h);

#endif

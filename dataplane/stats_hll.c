// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats_hll.c: the HyperLogLog estimate (Flajolet et al. 2007) with linear
 * counting for small sets, which is the range a host's per-window fan-out
 * usually lives in. Pure arithmetic over 64 registers.
 */
#include <math.h>

#include "stats_hll.h"

double stats_hll_estimate(const struct stats_hll *h)
{
	const double m = STATS_HLL_REGS, alpha = 0.709;
	unsigned int i, hist[16] = { 0 }, zeros;
	double sum = 0.0, e;

	/* a histogram of the register values, then sum 2^-r: every term and partial sum is exact */
	for (i = 0; i < STATS_HLL_REGS / 2; i++) {
		hist[h->reg[i] & 0xf]++;
		hist[h->reg[i] >> 4]++;
	}
	for (i = 0; i < 16; i++)
		sum += (double)hist[i] / (double)(1u << i);
	zeros = hist[0];
	e = alpha * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / (double)zeros);
	return e;
}

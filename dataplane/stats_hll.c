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
	double sum = 0.0, e;
	unsigned int i, zeros = 0;

	for (i = 0; i < STATS_HLL_REGS; i++) {
		unsigned int r = (h->reg[i >> 1] >> ((i & 1) * 4)) & 0xf;

		sum += ldexp(1.0, -(int)r);
		zeros += r == 0;
	}
	e = alpha * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / (double)zeros);
	return e;
}

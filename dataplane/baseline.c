// SPDX-License-Identifier: GPL-2.0-only
/*
 * baseline.c: EWMA mean and variance (West's incremental form) with a warm-up
 * that equals Welford's running statistics. Used per host and per metric by the
 * detectors; no clock, no allocation, so replay gives identical numbers.
 */
#include <math.h>

#include "baseline.h"

double baseline_alpha(double dt_s, double half_life_s)
{
	double a;

	if (half_life_s <= 0.0 || dt_s <= 0.0)
		return 1.0;
	a = 1.0 - exp2(-dt_s / half_life_s);
	return a > 1.0 ? 1.0 : a;
}

void baseline_init(struct baseline *b)
{
	b->mean = 0.0;
	b->var = 0.0;
	b->n = 0;
}

void baseline_update(struct baseline *b, double x, double alpha)
{
	double a = alpha, diff, incr;

	if (b->n == 0) {
		b->mean = x;
		b->var = 0.0;
		b->n = 1;
		return;
	}
	if (a < 1.0 / (double)(b->n + 1))
		a = 1.0 / (double)(b->n + 1);
	diff = x - b->mean;
	incr = a * diff;
	b->mean += incr;
	b->var = (1.0 - a) * (b->var + diff * incr);
	b->n++;
}

double baseline_stddev(const struct baseline *b)
{
	return b->var > 0.0 ? sqrt(b->var) : 0.0;
}

double baseline_zscore(const struct baseline *b, double x, double sd_floor)
{
	double sd = baseline_stddev(b);

	if (sd < sd_floor)
		sd = sd_floor;
	if (sd <= 0.0)
		return x > b->mean ? INFINITY : 0.0;
	return (x - b->mean) / sd;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * baseline.h: a learned normal for one metric: exponentially weighted mean and
 * variance with a half-life, warmed up as a plain running average so the first
 * samples are not under-weighted. Pure arithmetic: the caller supplies time.
 */
#ifndef VIGIL_BASELINE_H
#define VIGIL_BASELINE_H

#include <stdint.h>

struct baseline {
	double mean;
	double var;
	uint64_t n;	/* samples folded in */
};

/* Weight of one sample taken every dt_s seconds for a half-life of half_life_s (0 < alpha <= 1). */
double baseline_alpha(double dt_s, double half_life_s);

void baseline_init(struct baseline *b);

/*
 * Fold sample x in with weight alpha. While n < 1/alpha the weight is 1/(n+1),
 * so mean and var are exactly the population mean and variance of the samples
 * seen so far; after that they decay with the half-life.
 */
void baseline_update(struct baseline *b, double x, double alpha);

double baseline_stddev(const struct baseline *b);

/*
 * How far x is above the mean, in standard deviations; sd_floor keeps a
 * perfectly steady baseline (sd = 0) from turning any wobble into infinity.
 */
double baseline_zscore(const struct baseline *b, double x, double sd_floor);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats_decay.h: damped incremental statistics (weight, mean, spread) of one
 * quantity at one decay rate: every past sample weighs 2^(-lambda * age_s).
 * Updated in O(1) without storing samples; a fast deterministic 2^x keeps the
 * five decay rates of three tables affordable on every packet.
 */
#ifndef VIGIL_STATS_DECAY_H
#define VIGIL_STATS_DECAY_H

#include <stdint.h>
#include <string.h>

/*
 * Stored as floats to keep table entries small (12 bytes per rate); the update
 * is computed in double. West's weighted form (mean and the weighted sum of
 * squared deviations s) is stable where Kitsune's linear/squared sums cancel.
 */
struct stats_decay {
	float w;	/* sum of the decayed weights: about rate / (lambda * ln 2) */
	float mean;
	float s;	/* sum of w_i (x_i - mean)^2; variance = s / w */
};

/*
 * 2^x for x <= 0 to about 1e-8 relative, 0 below -1000. Pure arithmetic:
 * round to the nearest integer k, a degree-7 series on [-0.5, 0.5] (Estrin:
 * short dependency chains, as five of these run per packet), then put k in
 * the exponent. Same result on every run and every x86-64/ARM64 box.
 */
static inline double stats_exp2_neg(double x)
{
	static const double c[8] = {
		1.0,
		0.69314718055994531,
		0.24022650695910071,
		0.055504108664821580,
		0.0096181291076284772,
		0.0013333558146428443,
		0.00015403530393381610,
		0.000015252733804059841,
	};
	double f, p;
	uint64_t bits;
	int k;

	if (!(x > -1000.0))
		return 0.0;
	if (x >= 0.0)
		return 1.0;
	k = -(int)(0.5 - x);	/* nearest integer, x < 0 */
	f = x - (double)k;
	/* Estrin's scheme: four short independent chains instead of one of seven steps */
	{
		double f2 = f * f, f4 = f2 * f2;
		double p01 = c[0] + c[1] * f, p23 = c[2] + c[3] * f;
		double p45 = c[4] + c[5] * f, p67 = c[6] + c[7] * f;

		p = (p01 + p23 * f2) + (p45 + p67 * f2) * f4;
	}
	if (k < -1021)
		return 0.0;
	bits = (uint64_t)(k + 1023) << 52;
	{
		double scale;

		memcpy(&scale, &bits, sizeof(scale));
		return p * scale;
	}
}

/* four floats, for four decay rates at once (GCC/clang vectors: SSE on x86-64, NEON on ARM64) */
typedef float stats_v4f __attribute__((vector_size(16)));
typedef int32_t stats_v4i __attribute__((vector_size(16)));

/*
 * 2^x in each lane for x <= 0, to about 2e-7 relative (float); below -126 the
 * result is 2^-126 (weights that small are gone anyway). Round to the nearest
 * integer k, a degree-6 series on [-0.5, 0.5], k into the exponent. Lanes are
 * independent and branch-free: same result on every run and every box.
 */
static inline stats_v4f stats_exp2_neg_v4(stats_v4f x)
{
	const stats_v4f lo = { -126.0f, -126.0f, -126.0f, -126.0f }, zero = { 0, 0, 0, 0 };
	const stats_v4f half = { 0.5f, 0.5f, 0.5f, 0.5f };
	stats_v4i m, k;
	stats_v4f f, p, f2;

	m = x < lo;
	x = (stats_v4f)(((stats_v4i)x & ~m) | ((stats_v4i)lo & m));
	m = x > zero;
	x = (stats_v4f)((stats_v4i)x & ~m);
	k = __builtin_convertvector(x - half, stats_v4i);	/* truncation towards 0 of x - 0.5: nearest for x <= 0 */
	f = x - __builtin_convertvector(k, stats_v4f);
	f2 = f * f;
	p = ((1.0f + 0.69314718f * f) + (0.24022650f + 0.055504109f * f) * f2) +
	    ((0.0096181291f + 0.0013333558f * f) + 0.00015403530f * f2) * (f2 * f2);
	return (stats_v4f)((stats_v4i)p + ((k) << 23));	/* p * 2^k: k added to the exponent */
}

/* Decay by factor d (2^(-lambda * dt)), then fold sample x in with weight 1. */
static inline void stats_decay_add(struct stats_decay *s, double d, double x)
{
	double w = (double)s->w * d + 1.0;
	double mean = s->mean, diff = x - mean;
	double nmean = mean + diff / w;

	s->s = (float)((double)s->s * d + diff * (x - nmean));
	s->mean = (float)nmean;
	s->w = (float)w;
}

/* Decay only (time passed without a sample). */
static inline void stats_decay_age(struct stats_decay *s, double d)
{
	s->w = (float)((double)s->w * d);
	s->s = (float)((double)s->s * d);
}

static inline double stats_decay_var(const struct stats_decay *s)
{
	return s->w > 0.0f && s->s > 0.0f ? (double)s->s / (double)s->w : 0.0;
}

/* Samples per second the weight stands for: w * lambda * ln 2 (steady state). */
static inline double stats_decay_rate(const struct stats_decay *s, double lambda, double d_since)
{
	return (double)s->w * d_since * lambda * 0.69314718055994531;
}

#endif

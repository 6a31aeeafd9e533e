// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_baseline.c: the baseline arithmetic against values worked out by hand:
 * warm-up equals the population mean/variance, the half-life halves a
 * sample's weight, steady input has zero variance, z-scores use the floor.
 */
#include <math.h>
#include <stdio.h>

#include "baseline.h"
#include "testlib.h"

struct series_case {
	const char *name;
	double alpha;
	double xs[8];
	int n;
	double mean;
	double var;
};

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

int main(void)
{
	/* alpha tiny: all samples are in the warm-up, so these are exact population statistics */
	static const struct series_case cases[] = {
		{ "single sample", 0.001, { 5 }, 1, 5.0, 0.0 },
		{ "constant series", 0.001, { 7, 7, 7, 7, 7 }, 5, 7.0, 0.0 },
		{ "two samples", 0.001, { 0, 2 }, 2, 1.0, 1.0 },
		{ "1..4 warm-up is exact", 0.001, { 1, 2, 3, 4 }, 4, 2.5, 1.25 },
		{ "alternating 0,10", 0.001, { 0, 10, 0, 10, 0, 10 }, 6, 5.0, 25.0 },
		/* alpha 0.5 from the third sample on: hand-computed EWMA/EWMVar */
		{ "alpha 0.5 after warm-up", 0.5, { 0, 2, 4 }, 3, 2.5, 2.75 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct series_case *c = &cases[i];
		struct baseline b;
		int j;

		baseline_init(&b);
		for (j = 0; j < c->n; j++)
			baseline_update(&b, c->xs[j], c->alpha);
		testlib_case(c->name, near(b.mean, c->mean) && near(b.var, c->var) && b.n == (uint64_t)c->n,
			     "mean %.9g var %.9g n %llu, want mean %.9g var %.9g", b.mean, b.var,
			     (unsigned long long)b.n, c->mean, c->var);
	}

	/* half-life: after half_life seconds of samples every dt, an old sample's weight halves */
	{
		double a = baseline_alpha(1.0, 10.0), w = 1.0;
		int k;

		for (k = 0; k < 10; k++)
			w *= 1.0 - a;
		testlib_case("alpha(1 s, half-life 10 s) halves weight in 10 samples", near(w, 0.5),
			     "weight %.9g", w);
		testlib_case("alpha for dt >= half-life*inf clamps to 1", baseline_alpha(1.0, 0.0) == 1.0, "got %g",
			     baseline_alpha(1.0, 0.0));
	}

	/* decay: after warm-up, a level shift is followed at the half-life rate */
	{
		struct baseline b;
		double a = baseline_alpha(1.0, 5.0);
		int k;

		baseline_init(&b);
		for (k = 0; k < 1000; k++)
			baseline_update(&b, 100.0, a);
		for (k = 0; k < 5; k++)
			baseline_update(&b, 200.0, a);
		testlib_case("level shift: half-way after one half-life", near(b.mean, 150.0), "mean %.9g", b.mean);
	}

	/* z-score with a floor on the standard deviation */
	{
		struct baseline b;

		baseline_init(&b);
		baseline_update(&b, 10.0, 0.01);
		baseline_update(&b, 10.0, 0.01);
		testlib_case("zscore uses sd floor on a flat baseline", near(baseline_zscore(&b, 16.0, 2.0), 3.0),
			     "z %.9g", baseline_zscore(&b, 16.0, 2.0));
		testlib_case("zscore flat baseline no floor is inf above", isinf(baseline_zscore(&b, 11.0, 0.0)),
			     "z %.9g", baseline_zscore(&b, 11.0, 0.0));
		baseline_update(&b, 16.0, 0.01); /* mean 12, var 8 */
		testlib_case("zscore with learned sd", near(baseline_zscore(&b, 12.0 + 2 * sqrt(8.0), 0.0), 2.0),
			     "z %.9g", baseline_zscore(&b, 12.0 + 2 * sqrt(8.0), 0.0));
	}
	return testlib_done();
}

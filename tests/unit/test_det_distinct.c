// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_det_distinct.c: the distinct-value sketches the detectors count with
 * (det_common.c): exact while sparse, within a few percent beyond, and never
 * more than the values added (a /24 swept twice is at most 254 hosts).
 */
#include <math.h>

#include "det_common.h"
#include "testlib.h"

static uint64_t addr_key(uint32_t v)
{
	return 0xffff00000000ULL | v;	/* as a detector would hash 10.1.2.x */
}

int main(void)
{
	struct det_distinct d = { { 0 } };
	struct det_distinct_wide w = { { 0 } };
	unsigned int i, r;
	double n, worst = 0;

	for (i = 1; i <= 40; i++)
		det_distinct_add(&d, addr_key(0x0a010200 + i));
	testlib_case("sparse: exact", det_distinct_count(&d) == 40, "%.0f", det_distinct_count(&d));
	for (r = 0; r < 2; r++)
		for (i = 1; i <= 254; i++)
			det_distinct_wide_add(&w, addr_key(0x0a010200 + i));
	n = det_distinct_wide_count(&w);
	testlib_case("a /24 swept twice: 254 hosts within 2%", fabs(n - 254) <= 5.08, "%.0f", n);
	/* many random sets of 245: the wide sketch stays within 4% and never above what was added */
	for (r = 0; r < 200; r++) {
		struct det_distinct_wide x = { { 0 } };

		for (i = 0; i < 245; i++)
			det_distinct_wide_add(&x, (uint64_t)r << 32 | (i * 2654435761u));
		n = det_distinct_wide_count(&x);
		if (fabs(n - 245) > worst)
			worst = fabs(n - 245);
		if (n > 245) {
			testlib_case("never more than added", false, "%.0f", n);
			break;
		}
	}
	testlib_case("200 sets of 245: worst error within 4%", worst <= 245 * 0.04, "worst %.1f", worst);
	{
		struct det_distinct y = { { 0 } };

		for (i = 0; i < 300; i++)
			det_distinct_add(&y, 7);
		testlib_case("one value 300 times is one", det_distinct_count(&y) == 1, "%.0f", det_distinct_count(&y));
	}
	return testlib_done();
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_clock.c: lib/clock, the one reading of the system clocks: monotonic
 * never goes back, the units agree, a clock that cannot be read gives 0.
 */
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "testlib.h"

int main(void)
{
	uint64_t prev = clock_mono_ns(), back = 0, ns, ms, s, wall;
	struct timespec ts;

	for (int i = 0; i < 100000; i++) {
		ns = clock_mono_ns();
		back += ns < prev;
		prev = ns;
	}
	testlib_case("monotonic: never goes back in 100000 reads", back == 0, "%llu steps back",
		     (unsigned long long)back);

	ns = clock_mono_ns();
	ms = clock_mono_ms();
	s = clock_mono_s();
	testlib_case("ms follows ns", ms >= ns / 1000000 && ms - ns / 1000000 < 1000, "ns %llu ms %llu",
		     (unsigned long long)ns, (unsigned long long)ms);
	testlib_case("s follows ns", s >= ns / 1000000000 && s - ns / 1000000000 <= 1, "ns %llu s %llu",
		     (unsigned long long)ns, (unsigned long long)s);

	clock_gettime(CLOCK_REALTIME, &ts);
	wall = clock_ns(CLOCK_REALTIME);
	testlib_case("realtime: the same seconds as clock_gettime",
		     wall / 1000000000 - (uint64_t)ts.tv_sec <= 1, "%llu vs %lld",
		     (unsigned long long)wall, (long long)ts.tv_sec);
	testlib_case("a clock that cannot be read gives 0", clock_ns((clockid_t)-1000) == 0, "not 0");
	return testlib_done();
}

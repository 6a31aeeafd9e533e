// SPDX-License-Identifier: GPL-2.0-only
/*
 * clock.c: clock_gettime() as a count of nanoseconds, written once (the
 * sensor, the collector, the poller and the tools had a copy each).
 */
#include <time.h>

#include "clock.h"

uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t clock_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000ULL;
}

uint64_t clock_mono_s(void)
{
	return clock_mono_ns() / 1000000000ULL;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * clock.h: the one reading of the system clocks that the daemons and tools
 * share (timers, durations, deadlines, the wall time of a state file). Pure
 * cores (detectors, statistics) never call it: they take time as an argument.
 */
#ifndef VIGIL_CLOCK_H
#define VIGIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds of clock id (CLOCK_MONOTONIC, CLOCK_REALTIME, ...); 0 if the clock cannot be read. */
uint64_t clock_ns(clockid_t id);

/* Nanoseconds of CLOCK_MONOTONIC: durations, timers and deadlines. */
uint64_t clock_mono_ns(void);

/* Milliseconds, seconds of CLOCK_MONOTONIC. */
uint64_t clock_mono_ms(void);
uint64_t clock_mono_s(void);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_serve.h: vigil-collector's receive loop: a ZMQ_ROUTER bound to the
 * configured endpoint, events into the store, cumulative acks back per sensor.
 */
#ifndef VIGIL_COLLECTOR_SERVE_H
#define VIGIL_COLLECTOR_SERVE_H

#include <signal.h>

#include "collector_config.h"
#include "collector_stats.h"

/*
 * Run until *stop becomes non-zero (set from a signal handler; the loop wakes
 * at least every 200 ms). Logs "listening on ..." once bound, malformed input at
 * most once a second. Returns 0 after a clean stop, -errno when the file cannot
 * be opened, the endpoint cannot be bound (both logged), or writing failed.
 */
int collector_serve_run(const struct collector_config *cfg, volatile sig_atomic_t *stop,
			struct collector_stats *st);

#endif

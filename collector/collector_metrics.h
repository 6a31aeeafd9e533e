/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_metrics.h: the collector's counters in the Prometheus text
 * exposition format (version 0.0.4), served by lib/httpd. Pure: the caller
 * passes the time and owns the server.
 */
#ifndef VIGIL_COLLECTOR_METRICS_H
#define VIGIL_COLLECTOR_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "collector_stats.h"
#include "collector_store.h"

/*
 * Render st and the store's per-sensor state at now_us (wall clock) into a
 * malloc'ed text (*out, *len); the caller frees it. Returns 0 or -ENOMEM.
 */
int collector_metrics_format(const struct collector_stats *st, const struct collector_store *store,
			     int64_t now_us, char **out, size_t *len);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_metrics.h: the collector's counters in the Prometheus text
 * exposition format (version 0.0.4), for its tiny HTTP endpoint. Pure: the
 * caller passes the time and owns the socket.
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

/*
 * The HTTP response for a request text req[0..len): 200 with the metrics for
 * "GET /metrics" or "GET /", 404 for another path, 405 for another method,
 * 400 for garbage. body is the metrics text. Malloc'ed into *out. 0 or -ENOMEM.
 */
int collector_metrics_http(const char *req, size_t len, const char *body, size_t body_len, char **out,
			   size_t *out_len);

#endif

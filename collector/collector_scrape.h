/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_scrape.h: the collector's metrics endpoint, between lib/httpd's
 * thread and the receive loop: a scrape asks the loop for fresh text through
 * a descriptor the loop polls, and waits for it at most a second (else gets
 * the previous text). The loop never waits for a client.
 */
#ifndef VIGIL_COLLECTOR_SCRAPE_H
#define VIGIL_COLLECTOR_SCRAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "httpd.h"

struct collector_scrape;

/*
 * Serve GET /metrics on h (and / when root: no console there), before
 * httpd_start. h is borrowed and must be freed (its threads stopped) before
 * collector_scrape_free. NULL with errno.
 */
struct collector_scrape *collector_scrape_new(struct httpd *h, bool root);

/* The descriptor the loop polls: readable when a scrape waits for text. */
int collector_scrape_fd(const struct collector_scrape *s);

/* In the loop, once the descriptor is readable: true if text is wanted (the descriptor is drained). */
bool collector_scrape_wanted(struct collector_scrape *s);

/* Hand over the text (malloc'ed: owned from here) and wake the scrapes waiting for it. */
void collector_scrape_publish(struct collector_scrape *s, char *text, size_t len);

/* The HTTP server's counters (refused, timeouts ...). */
void collector_scrape_stats(struct collector_scrape *s, struct httpd_stats *out);

/* Stop the server (no scrape runs after this), free. NULL-safe. */
void collector_scrape_free(struct collector_scrape *s);

#endif

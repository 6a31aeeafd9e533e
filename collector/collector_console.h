/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_console.h: the read-only web console on the collector's HTTP
 * listener: four pages (incidents, incident, host, sensors), their script and
 * style, and the JSON API they use (docs/console.md). Handlers run on
 * lib/httpd's threads and read the SQLite store through connections of their
 * own; an evidence download goes through collector.control like
 * `vigil-collector evidence`.
 */
#ifndef VIGIL_COLLECTOR_CONSOLE_H
#define VIGIL_COLLECTOR_CONSOLE_H

#include <stdint.h>

#include "httpd.h"

struct collector_console_cfg {
	const char *sqlite;		/* the store's database (collector.sqlite) */
	const char *control;		/* collector.control; "": no evidence download */
	uint32_t evidence_wait_ms;	/* how long a download waits for the collector's answer */
};

struct collector_console;

/* Route /, the pages, /static/ and /api/ on h (before httpd_start). Strings are copied. NULL with errno. */
struct collector_console *collector_console_new(const struct collector_console_cfg *cfg, struct httpd *h);

/* After h is freed (its threads stopped). NULL-safe. */
void collector_console_free(struct collector_console *c);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_query.h: `vigil-collector query`: reads the JSON-lines file and
 * prints alerts as an aligned table (or the raw lines), optionally following
 * the file as the collector appends to it.
 */
#ifndef VIGIL_COLLECTOR_QUERY_H
#define VIGIL_COLLECTOR_QUERY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct collector_query_opts {
	const char *path;		/* the JSON-lines file */
	bool json;			/* raw lines instead of a table */
	bool follow;			/* keep printing appended lines (polls every 200 ms) */
	const char *event_type;		/* only this event_type; NULL: "alert" for the table, all for --json */
	uint32_t limit;			/* only the last N matching lines of the existing file; 0: all */
};

/*
 * Print to out until done, or with follow until *stop becomes non-zero.
 * Returns 0 or -errno (the file cannot be opened or read; a missing file is
 * waited for with follow).
 */
int collector_query_run(const struct collector_query_opts *o, volatile sig_atomic_t *stop, FILE *out);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_query.h: `vigil-collector query`: reads the SQLite store (or the
 * JSON-lines file when SQLite is off), filters by time, sensor, detector,
 * address and severity, and prints an aligned table (or the raw JSON lines),
 * optionally following new events as the collector stores them.
 */
#ifndef VIGIL_COLLECTOR_QUERY_H
#define VIGIL_COLLECTOR_QUERY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct collector_query_opts {
	const char *path;		/* the JSON-lines file (used when db is NULL) */
	const char *db;			/* the SQLite database; NULL/"": read path instead */
	bool json;			/* raw lines instead of a table */
	bool follow;			/* keep printing new events (polls every 200 ms) */
	const char *event_type;		/* only this event_type; NULL: "alert" for the table, all for --json */
	uint32_t limit;			/* only the last N matching events; 0: all */
	/* filters; unset ones match everything */
	int64_t since_us, until_us;	/* since <= timestamp < until; both 0: no time filter */
	bool has_since, has_until;
	const char *sensor;		/* sensor_name */
	const char *detector;		/* vigil.detector */
	const char *addr;		/* src_ip or dest_ip, exact text */
	int severity;			/* alert.severity 1..severity (1 is the most severe); 0: any */
};

/*
 * A time for --since/--until: an EVE/ISO 8601 timestamp (zone optional, UTC
 * assumed), a date "YYYY-MM-DD", "@SECONDS" since the epoch, or "N[smhd]" for
 * that long before now_us. Returns 0 or -EINVAL.
 */
int collector_query_parse_time(const char *s, int64_t now_us, int64_t *out);

/*
 * Print to out until done, or with follow until *stop becomes non-zero.
 * Returns 0 or -errno (the file or database cannot be opened or read, -EIO
 * for an SQLite error; a missing file is waited for with follow).
 */
int collector_query_run(const struct collector_query_opts *o, volatile sig_atomic_t *stop, FILE *out);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_query.h: `vigil-collector query`: reads the SQLite store (or the
 * JSON-lines file when SQLite is off), filters by time, sensor, detector,
 * address or prefix and severity, and prints in time order an aligned table
 * of at most 120 columns, CSV, one row per incident, or the raw JSON lines,
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
	const char *addr;		/* src_ip or dest_ip within this address or prefix ("192.0.2.0/24") */
	int severity;			/* alert.severity 1..severity (1 is the most severe); 0: any */
	bool csv;			/* CSV (RFC 4180) with a header line instead of the aligned table */
	bool incidents;			/* one row per incident (first/last seen, peak, evidence) */
};

/*
 * A time for --since/--until: an EVE/ISO 8601 timestamp (zone optional, UTC
 * assumed), a date "YYYY-MM-DD", "@SECONDS" since the epoch, or "N[smhd]" for
 * that long before now_us. Returns 0 or -EINVAL.
 */
int collector_query_parse_time(const char *s, int64_t now_us, int64_t *out);

/*
 * --addr: an IPv4 or IPv6 address, or a prefix "a.b.c.d/n", "x::/n" with the
 * host bits clear, into addr (IPv4 mapped to ::ffff:0:0/96) and bits (0..128).
 * Returns 0 or -EINVAL.
 */
int collector_query_parse_addr(const char *s, uint8_t addr[16], unsigned int *bits);

/*
 * Print to out until done, or with follow until *stop becomes non-zero.
 * Returns 0 or -errno (the file or database cannot be opened or read, -EIO
 * for an SQLite error; a missing file is waited for with follow).
 */
int collector_query_run(const struct collector_query_opts *o, volatile sig_atomic_t *stop, FILE *out);

#endif

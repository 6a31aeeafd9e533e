/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output.h: the sensor's EVE JSON-lines files. Every event line the sensor
 * writes (alerts, flows, stats) goes into one stream; each complete line is
 * routed by its "event_type" to the files that asked for that type:
 * outputs.eve in the config, and --alerts-json, --flows-json, --stats-json.
 * Files are opened with O_APPEND and reopened on SIGHUP (logrotate).
 */
#ifndef VIGIL_SENSOR_OUTPUT_H
#define VIGIL_SENSOR_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * EVE event types, in the order of output_type_names (a mask bit each). A new
 * event type is one row here and one name there; lines of a type no file asked
 * for are dropped (counted).
 */
enum output_type {
	OUTPUT_ALERT,		/* an incident's start (and, until "incident" exists, its updates and end) */
	OUTPUT_INCIDENT,	/* an incident's updates and end */
	OUTPUT_FLOW,
	OUTPUT_STATS,
	OUTPUT_TYPE_MAX,
};

/* "alert", "incident", "flow", "stats", NULL: the names outputs.eve.types accepts. */
extern const char *const output_type_names[];

/* Mask of the types named in names[0..n) (unknown names: -EINVAL). */
int output_types_mask(const char (*names)[16], uint32_t n, uint32_t *mask);

struct output_file_cfg {
	const char *path;
	uint32_t types;		/* 1 << enum output_type */
	bool append;		/* false: truncate at open (a reopen always appends) */
};

struct output_stats {
	uint64_t lines;		/* complete lines routed */
	uint64_t unrouted;	/* lines no file asked for (or without an event_type) */
	uint64_t write_errors;	/* failed or short writes (the line is lost for that file) */
	uint64_t reopens;
};

struct output;

/*
 * Open every file (n may be 0). NULL with errno set, and msg naming the file,
 * when one cannot be opened. Copies the paths.
 */
struct output *output_new(const struct output_file_cfg *files, size_t n, char *msg, size_t msglen);

/*
 * The stream every event line goes to (owned by o: valid until output_free).
 * Writers fflush it after each event; lines are routed whole.
 */
FILE *output_stream(struct output *o);

/* True when some file takes type t (so its events are worth building). */
bool output_wants(const struct output *o, enum output_type t);

/*
 * Reopen every file by its path (after logrotate moved it): append, create
 * 0640. A file that cannot be reopened keeps its old descriptor. 0, or the
 * -errno of the first failure (msg names the file).
 */
int output_reopen(struct output *o, char *msg, size_t msglen);

void output_get_stats(const struct output *o, struct output_stats *st);

struct config;

/*
 * The sensor's files: outputs.eve from cfg, and the command line's
 * --alerts-json (alert and incident), --flows-json and --stats-json (each may
 * be NULL). All append. NULL with errno and msg as output_new().
 */
struct output *output_open_sensor(const struct config *cfg, const char *alerts_json, const char *flows_json,
				  const char *stats_json, char *msg, size_t msglen);

/* Flushes and closes. NULL is fine. */
void output_free(struct output *o);

#endif

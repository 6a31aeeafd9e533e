/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_store.h: where stored events go: a rotated JSON-lines file (for log
 * shippers) and an SQLite database in WAL mode (for `query`), plus the highest
 * seq stored per sensor, recovered at open so a restarted collector never
 * stores an event twice.
 */
#ifndef VIGIL_COLLECTOR_STORE_H
#define VIGIL_COLLECTOR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct collector_store;
struct collector_store_meta;

/*
 * Where a store without files sends its events: a JetStream stream
 * (collector_fleet.c). The store keeps only the per-sensor seqs; append
 * hands each event on, flush must make all of them durable before it returns
 * 0 (only then are they acked), else -errno with the cause in err.
 */
struct collector_store_sink {
	int (*append)(void *ctx, const char *name, size_t len, uint64_t seq, const char *line, size_t line_len,
		      const struct collector_store_meta *m);
	int (*flush)(void *ctx, char *err, size_t errlen);
	void *ctx;
};

struct collector_store_cfg {
	const char *jsonl;		/* the JSON-lines file */
	uint64_t rotate_bytes;		/* rotate after a batch leaves it this large; 0: never */
	uint32_t keep;			/* rotated files kept: FILE.1 (newest) .. FILE.keep */
	const char *sqlite;		/* NULL or "": JSON-lines only */
	const struct collector_store_sink *sink;	/* set: no file, no database, events go here */
};

/* What opening found. */
struct collector_store_scan {
	uint64_t lines;		/* complete JSON-lines lines read */
	uint64_t sensors;	/* distinct sensor names with a seq */
	uint64_t unusable;	/* lines without a JSON object carrying sensor_name + vigil_seq */
	uint64_t torn_bytes;	/* bytes of an unterminated last line, cut off (never acked) */
	uint64_t db_rows;	/* events already in SQLite */
	uint64_t imported;	/* lines in the file but not in SQLite (crash between the two), added */
	uint64_t quarantined;	/* rows/lines no collector should have stored (seq 0 or >= 2^63), or the
				 * database refused to import: set aside (table quarantine), not fatal */
};

#define COLLECTOR_JSON_DEPTH 64	/* nesting accepted in an event, by ingest, rescan and query alike */

/* The columns `query` filters on, taken from an event object. */
struct collector_store_meta {
	int64_t ts_us;			/* event "timestamp" as µs since the epoch; INT64_MIN: none */
	const char *event_type;
	const char *detector;		/* vigil.detector, may be NULL */
	const char *src_ip, *dest_ip;	/* may be NULL */
	int severity;			/* alert.severity, else vigil.severity (incident events); 0: none */
	int64_t incident_id;		/* vigil.incident_id of an alert or incident event (> 0); 0: none */
};

/* Per-sensor state, for the metrics endpoint. */
struct collector_store_sensor_info {
	const char *name;
	uint64_t last_seq;
	uint64_t stored;		/* events stored by this process */
	int64_t last_ts_us;		/* timestamp of the newest stored event; INT64_MIN: none */
	int64_t last_recv_us;		/* wall clock when it was stored; 0: none this run */
};

/*
 * Open (create) the file and the database, rebuild the per-sensor seqs and
 * repair the database from the file's tail. scan may be NULL. Returns 0 with
 * *out set, or -errno (-EIO for an SQLite error, text in errbuf when given).
 */
int collector_store_open(const struct collector_store_cfg *cfg, struct collector_store **out,
			 struct collector_store_scan *scan, char *errbuf, size_t errlen);

/* What one retention pass removed. */
struct collector_store_retained {
	uint64_t by_age;	/* SQLite events older than the age bound */
	uint64_t by_size;	/* the oldest events deleted to get under the size bound */
	uint64_t files;		/* rotated JSON-lines files older than the age bound */
	uint64_t live_bytes;	/* SQLite pages in use after the pass */
};

/*
 * Retention: delete the SQLite events whose timestamp is older than now_us -
 * max_age_us, then the oldest (by timestamp) until the pages in use fit
 * max_bytes (freed pages are reused, so the file stops growing), and remove
 * rotated JSON-lines files (FILE.N) last written before the age bound. A bound
 * of 0 is no bound. Call between batches (no transaction open). 0 or -EIO.
 */
int collector_store_retain(struct collector_store *s, int64_t now_us, int64_t max_age_us, uint64_t max_bytes,
			   struct collector_store_retained *out);

/* Highest seq stored for the sensor (name[0..len)), 0 if none. */
uint64_t collector_store_last(const struct collector_store *s, const char *name, size_t len);

/* true if the store keeps state for that name; collector_store_count: how many names. */
bool collector_store_known(const struct collector_store *s, const char *name, size_t len);
size_t collector_store_count(const struct collector_store *s);

/*
 * A name whose message was refused for a while (a rate limit): why != 0 makes
 * the ingest refuse its later seqs too, so they are never stored as a gap
 * over the refused one and acked; the next append clears it. Creates the
 * name's state when why != 0; the first refusal's now_us starts the hold.
 * 0 or -ENOMEM. collector_store_held: the why while the hold is younger than
 * max_us, else 0 (the sensor never sent the refused seq again: it dropped it).
 */
int collector_store_hold(struct collector_store *s, const char *name, size_t len, int why, int64_t now_us);
int collector_store_held(const struct collector_store *s, const char *name, size_t len, int64_t now_us,
			 int64_t max_us);

/* Why the last append/flush failed: the file or database, and the OS error ("No space left on device"); NULL if none did. */
const char *collector_store_error(const struct collector_store *s);

/* One stored event's text parsed with the depth ingest accepts (json_tokener_parse stops at 32). NULL if not JSON. */
struct json_object *collector_store_parse_json(const char *text, size_t len);

/* Fill m from a parsed event (strings borrow o). */
void collector_store_meta_from(struct json_object *o, struct collector_store_meta *m);

/*
 * Parse an EVE timestamp ("2026-11-23T13:00:00.123456+0000", zone as +hhmm,
 * +hh:mm or Z; fraction optional) into µs since the epoch. Returns 0 or -EINVAL.
 */
int collector_store_parse_ts(const char *s, int64_t *us);

/*
 * Append one event (line without newline) as the sensor's seq, received at
 * recv_us (wall clock). Buffered until collector_store_flush(). 0 or -errno.
 */
int collector_store_append(struct collector_store *s, const char *name, size_t len, uint64_t seq,
			   const char *line, size_t line_len, const struct collector_store_meta *m,
			   int64_t recv_us);

/*
 * An event read back from a fleet's stream (collector_fleet_consume.c): stored
 * like collector_store_append unless (name, seq) is stored already, whatever
 * order the stream holds a sensor's events in (two collectors may interleave
 * them around a failover). Returns 0 (stored), 1 (already stored: nothing
 * written), -ENOTSUP without SQLite, -errno.
 */
int collector_store_import(struct collector_store *s, const char *name, size_t len, uint64_t seq,
			   const char *line, size_t line_len, const struct collector_store_meta *m,
			   int64_t recv_us);

/* Keep something that cannot be stored in the table quarantine (with SQLite), by reason; once each. */
void collector_store_set_aside(struct collector_store *s, const char *reason, const char *sensor, const char *seq,
			       const char *line, size_t len);

/*
 * Make everything appended durable, in order: the file flushed, then the
 * database committed; then rotate the file if it is due. Only after 0 may the
 * events be acked. -errno (-ENOSPC for a full disk): stop, the state is
 * unknown; collector_store_error() says what failed.
 */
int collector_store_flush(struct collector_store *s);

/* Visit every sensor known. */
void collector_store_sensors(const struct collector_store *s,
			     void (*fn)(void *ctx, const struct collector_store_sensor_info *si), void *ctx);

/*
 * Sensors with a stored alert or incident event whose vigil.incident_id is id:
 * the first max names into names[i] (64 bytes each), *n = how many there are.
 * 0, -ENOTSUP without SQLite, -EIO. Uses the incident_id column's index.
 */
int collector_store_incident_sensors(struct collector_store *s, uint64_t id, char (*names)[64], size_t max,
				     size_t *n);

/*
 * The vigil.evidence.sha256 of sensor's newest stored alert or incident event
 * for incident id that names one (the update that completes the capture) into
 * hex (65 bytes), "" when none does. 0, -ENOTSUP without SQLite, -EIO.
 */
int collector_store_incident_sha256(struct collector_store *s, const char *sensor, uint64_t id, char *hex);

/* Flush and close; NULL-safe. */
void collector_store_free(struct collector_store *s);

#endif

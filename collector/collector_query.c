// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_query.c: a reader for the collector's store, so operators see
 * alerts without a SIEM: one row per alert with who, what and how far from
 * normal. SQLite does the filtering when it is on; the JSON-lines fallback
 * applies the same filters itself. Lines that do not parse are skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "collector_query.h"
#include "collector_store.h"

enum collector_query_col {
	COL_TIME,
	COL_SENSOR,
	COL_SEV,
	COL_DETECTOR,
	COL_STATE,
	COL_SIGNATURE,
	COL_FLOW,
	COL_VALUE,
	COL_MAX,
};

#define COLLECTOR_QUERY_CELL 160

static const char *const collector_query_head[COL_MAX] = {
	"TIME", "SENSOR", "SEV", "DETECTOR", "STATE", "SIGNATURE", "SRC -> DEST", "OBSERVED vs EXPECTED",
};

/* widths used for rows printed while following, when no earlier row set them */
static const int collector_query_minw[COL_MAX] = { 31, 10, 3, 9, 6, 28, 40, 0 };

struct collector_query_row {
	char cell[COL_MAX][COLLECTOR_QUERY_CELL];
};

struct collector_query {
	const struct collector_query_opts *o;
	const char *type;		/* effective event_type filter, NULL for all */
	FILE *out;
	char **lines;			/* matching lines kept for the initial print (ring when limited) */
	size_t nlines, cap, start;
	int width[COL_MAX];
};

static const char *collector_query_str(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k1, &v))
		return NULL;
	if (k2 && !json_object_object_get_ex(v, k2, &v))
		return NULL;
	if (json_object_is_type(v, json_type_null) || json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array))
		return NULL;
	return json_object_get_string(v);
}

/* vigil.<key> as a short number ("77.567", not json-c's 17 digits); NULL when absent */
static const char *collector_query_num(struct json_object *o, const char *key, char *buf, size_t len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, "vigil", &v) || !json_object_object_get_ex(v, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return collector_query_str(o, "vigil", key);
	snprintf(buf, len, "%.6g", json_object_get_double(v));
	return buf;
}

static void collector_query_endpoint(char *buf, size_t len, const char *ip, const char *port)
{
	if (!ip) {
		snprintf(buf, len, "?");
		return;
	}
	if (!port)
		snprintf(buf, len, "%s", ip);
	else if (strchr(ip, ':'))
		snprintf(buf, len, "[%s]:%s", ip, port);
	else
		snprintf(buf, len, "%s:%s", ip, port);
}

/*
 * A cell for a terminal: event fields are the sensor's text, so control
 * characters (C0, DEL, and C1 written as UTF-8, U+0080..U+009F) are shown as
 * \xNN / \u00NN instead of being sent to the terminal, where they could move
 * the cursor or write the clipboard (OSC 52). Cut to the cell's size.
 */
static void collector_query_escape(char *cell)
{
	char out[COLLECTOR_QUERY_CELL];
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)cell; *p && o + 7 < sizeof(out); p++) {
		if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *p);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\u%04x", p[1]);
			p++;
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
	memcpy(cell, out, o + 1);
}

static void collector_query_fill(struct json_object *o, struct collector_query_row *r)
{
	const char *s, *obs, *exp, *metric, *proto;
	char a[72], b[72], on[32], en[32];

	memset(r, 0, sizeof(*r));
	snprintf(r->cell[COL_TIME], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "timestamp", NULL)) ? s : "-");
	snprintf(r->cell[COL_SENSOR], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "sensor_name", NULL)) ? s : "-");
	snprintf(r->cell[COL_SEV], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "alert", "severity")) ? s : "-");
	snprintf(r->cell[COL_DETECTOR], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "vigil", "detector")) ? s : "-");
	snprintf(r->cell[COL_STATE], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "vigil", "state")) ? s : "-");
	s = collector_query_str(o, "alert", "signature");
	if (!s)
		s = collector_query_str(o, "event_type", NULL);
	snprintf(r->cell[COL_SIGNATURE], COLLECTOR_QUERY_CELL, "%s", s ? s : "-");
	collector_query_endpoint(a, sizeof(a), collector_query_str(o, "src_ip", NULL), collector_query_str(o, "src_port", NULL));
	collector_query_endpoint(b, sizeof(b), collector_query_str(o, "dest_ip", NULL), collector_query_str(o, "dest_port", NULL));
	proto = collector_query_str(o, "proto", NULL);
	snprintf(r->cell[COL_FLOW], COLLECTOR_QUERY_CELL, "%s -> %s%s%.8s", a, b, proto ? " " : "", proto ? proto : "");
	obs = collector_query_num(o, "observed", on, sizeof(on));
	exp = collector_query_num(o, "expected", en, sizeof(en));
	metric = collector_query_str(o, "vigil", "metric");
	if (obs || exp)
		snprintf(r->cell[COL_VALUE], COLLECTOR_QUERY_CELL, "%s vs %s%s%s", obs ? obs : "?", exp ? exp : "?",
			 metric ? " " : "", metric ? metric : "");
	else
		snprintf(r->cell[COL_VALUE], COLLECTOR_QUERY_CELL, "-");
	for (int c = 0; c < COL_MAX; c++)
		collector_query_escape(r->cell[c]);
}

/*
 * A stored JSON line for a terminal (--json): DEL and C1 controls, which JSON
 * allows raw in strings, become \u00NN escapes: the same JSON, nothing a
 * terminal acts on. (Raw C0 bytes are never stored: the ingest re-serialises.)
 */
static void collector_query_print_json(FILE *out, const char *line)
{
	for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fprintf(out, "\\u%04x", *++p);
		else
			fputc(*p, out);
	}
	fputc('\n', out);
}

static void collector_query_print_row(struct collector_query *q, char cell[COL_MAX][COLLECTOR_QUERY_CELL])
{
	for (int c = 0; c < COL_MAX; c++) {
		if (c == COL_MAX - 1)
			fprintf(q->out, "%s\n", cell[c]);
		else
			fprintf(q->out, "%-*s  ", q->width[c], cell[c]);
	}
}

static void collector_query_header(struct collector_query *q)
{
	char head[COL_MAX][COLLECTOR_QUERY_CELL];

	for (int c = 0; c < COL_MAX; c++)
		snprintf(head[c], COLLECTOR_QUERY_CELL, "%s", collector_query_head[c]);
	collector_query_print_row(q, head);
}

int collector_query_parse_time(const char *s, int64_t now_us, int64_t *out)
{
	char buf[64], unit, *end;
	long long v;
	int n = 0;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '@') {
		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || *end || end == s + 1)
			return -EINVAL;
		*out = (int64_t)v * 1000000;
		return 0;
	}
	if (sscanf(s, "%lld%c%n", &v, &unit, &n) == 2 && !s[n] && v >= 0 && strlen(s) < 12) {
		static const struct { char u; int64_t us; } units[] = {
			{ 's', 1000000LL }, { 'm', 60000000LL }, { 'h', 3600000000LL }, { 'd', 86400000000LL },
		};

		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (units[i].u == unit) {
				*out = now_us - (int64_t)v * units[i].us;
				return 0;
			}
		return -EINVAL;
	}
	if (strlen(s) == 10) {
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		return collector_store_parse_ts(buf, out);
	}
	if (strlen(s) == 19) {
		snprintf(buf, sizeof(buf), "%sZ", s);
		return collector_store_parse_ts(buf, out);
	}
	return collector_store_parse_ts(s, out);
}

/* The filters other than event_type, on a parsed event (JSON-lines path and tests). */
static bool collector_query_filter(const struct collector_query *q, struct json_object *o)
{
	const struct collector_query_opts *f = q->o;
	struct collector_store_meta m;
	const char *sensor;

	collector_store_meta_from(o, &m);
	if ((f->has_since || f->has_until) &&
	    (m.ts_us == INT64_MIN || (f->has_since && m.ts_us < f->since_us) ||
	     (f->has_until && m.ts_us >= f->until_us)))
		return false;
	sensor = collector_query_str(o, "sensor_name", NULL);
	if (f->sensor && (!sensor || strcmp(sensor, f->sensor)))
		return false;
	if (f->detector && (!m.detector || strcmp(m.detector, f->detector)))
		return false;
	if (f->addr && !((m.src_ip && !strcmp(m.src_ip, f->addr)) || (m.dest_ip && !strcmp(m.dest_ip, f->addr))))
		return false;
	if (f->severity && (m.severity < 1 || m.severity > f->severity))
		return false;
	return true;
}

/* The parsed line if it passes the filter, else NULL. Caller puts it. */
static struct json_object *collector_query_match(struct collector_query *q, const char *line)
{
	struct json_object *o = collector_store_parse_json(line, strlen(line));
	const char *type;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	type = collector_query_str(o, "event_type", NULL);
	if ((q->type && (!type || strcmp(type, q->type))) || !collector_query_filter(q, o)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Print one matching line now (follow mode). */
static void collector_query_emit(struct collector_query *q, const char *line, struct json_object *o)
{
	struct collector_query_row r;

	if (q->o->json) {
		collector_query_print_json(q->out, line);
	} else {
		collector_query_fill(o, &r);
		collector_query_print_row(q, r.cell);
	}
	fflush(q->out);
}

static int collector_query_keep(struct collector_query *q, const char *line)
{
	char *copy = strdup(line);

	if (!copy)
		return -ENOMEM;
	if (q->o->limit && q->nlines == q->o->limit) {
		/* ring of the last N: replace the oldest */
		free(q->lines[q->start]);
		q->lines[q->start] = copy;
		q->start = (q->start + 1) % q->nlines;
		return 0;
	}
	if (q->nlines == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 256;
		char **t = realloc(q->lines, cap * sizeof(*t));

		if (!t) {
			free(copy);
			return -ENOMEM;
		}
		q->lines = t;
		q->cap = cap;
	}
	q->lines[q->nlines++] = copy;
	return 0;
}

/* Print what was kept from the existing file, sizing the columns to it. */
static int collector_query_print_kept(struct collector_query *q)
{
	struct collector_query_row *rows = NULL;
	int rc = 0;

	for (int c = 0; c < COL_MAX; c++) {
		int h = (int)strlen(collector_query_head[c]);

		q->width[c] = h > collector_query_minw[c] ? h : collector_query_minw[c];
	}
	if (q->o->json) {
		for (size_t i = 0; i < q->nlines; i++)
			collector_query_print_json(q->out, q->lines[(q->start + i) % q->nlines]);
		goto cleanup;
	}
	rows = calloc(q->nlines ? q->nlines : 1, sizeof(*rows));
	if (!rows) {
		rc = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < q->nlines; i++) {
		const char *kept = q->lines[(q->start + i) % q->nlines];
		struct json_object *o = collector_store_parse_json(kept, strlen(kept));

		collector_query_fill(o, &rows[i]);
		json_object_put(o);
		for (int c = 0; c < COL_MAX; c++) {
			int w = (int)strlen(rows[i].cell[c]);

			if (w > q->width[c])
				q->width[c] = w;
		}
	}
	collector_query_header(q);
	for (size_t i = 0; i < q->nlines; i++)
		collector_query_print_row(q, rows[i].cell);
cleanup:
	fflush(q->out);
	free(rows);
	return rc;
}

/*
 * Read complete lines from *off on; a partial last line is left for the next
 * call. keep: store for the initial print, else print at once.
 */
static int collector_query_read(struct collector_query *q, FILE *fp, long *off, bool keep)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if (fseek(fp, *off, SEEK_SET))
		return -errno;
	while ((n = getline(&line, &cap, fp)) > 0) {
		struct json_object *o;

		if (line[n - 1] != '\n')
			break;	/* still being written */
		*off += n;
		line[n - 1] = '\0';
		o = collector_query_match(q, line);
		if (!o)
			continue;
		if (keep)
			rc = collector_query_keep(q, line);
		else
			collector_query_emit(q, line, o);
		json_object_put(o);
		if (rc)
			break;
	}
	if (!rc && ferror(fp))
		rc = -EIO;
	clearerr(fp);
	free(line);
	return rc;
}

/*
 * SELECT the matching events with id > after. limit_last: only the newest N
 * (returned oldest first). Bound parameters follow the filters in order.
 */
static int collector_query_prepare(struct collector_query *q, sqlite3 *db, uint32_t limit_last,
				   sqlite3_stmt **out)
{
	const struct collector_query_opts *f = q->o;
	char sql[1200];
	size_t off = 0;
	int idx = 1;
	sqlite3_stmt *st;

#define Q_ADD(...) (off += (size_t)snprintf(sql + off, sizeof(sql) - off, __VA_ARGS__))
	Q_ADD("SELECT id, json FROM events WHERE id > ?");
	if (q->type)
		Q_ADD(" AND event_type = ?");
	if (f->has_since)
		Q_ADD(" AND ts_us >= ?");
	if (f->has_until)
		Q_ADD(" AND ts_us < ?");
	if (f->sensor)
		Q_ADD(" AND sensor = ?");
	if (f->detector)
		Q_ADD(" AND detector = ?");
	if (f->addr)
		Q_ADD(" AND (src_ip = ? OR dest_ip = ?)");
	if (f->severity)
		Q_ADD(" AND severity BETWEEN 1 AND ?");
	if (limit_last) {
		char inner[1000];

		/* the filters are a few hundred bytes at most: inner never truncates */
		snprintf(inner, sizeof(inner), "%.900s ORDER BY id DESC LIMIT %u", sql, limit_last);
		off = 0;
		Q_ADD("SELECT id, json FROM (%s) ORDER BY id", inner);
	} else {
		Q_ADD(" ORDER BY id");
	}
#undef Q_ADD
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, idx++, 0);
	if (q->type)
		sqlite3_bind_text(st, idx++, q->type, -1, SQLITE_STATIC);
	if (f->has_since)
		sqlite3_bind_int64(st, idx++, f->since_us);
	if (f->has_until)
		sqlite3_bind_int64(st, idx++, f->until_us);
	if (f->sensor)
		sqlite3_bind_text(st, idx++, f->sensor, -1, SQLITE_STATIC);
	if (f->detector)
		sqlite3_bind_text(st, idx++, f->detector, -1, SQLITE_STATIC);
	if (f->addr) {
		sqlite3_bind_text(st, idx++, f->addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, idx++, f->addr, -1, SQLITE_STATIC);
	}
	if (f->severity)
		sqlite3_bind_int(st, idx++, f->severity);
	*out = st;
	return 0;
}

/* Run st from id > *after; keep (initial print) or print each row; raises *after. */
static int collector_query_rows(struct collector_query *q, sqlite3_stmt *st, int64_t *after, bool keep)
{
	int rc = 0, step;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, *after);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 1);
		struct json_object *o;

		*after = sqlite3_column_int64(st, 0);
		if (!line)
			continue;
		if (keep) {
			rc = collector_query_keep(q, line);
			if (rc)
				return rc;
			continue;
		}
		o = collector_store_parse_json(line, strlen(line));
		if (o)
			collector_query_emit(q, line, o);
		json_object_put(o);
	}
	return step == SQLITE_DONE || step == SQLITE_BUSY ? 0 : -EIO;
}

static int collector_query_run_db(struct collector_query *q, volatile sig_atomic_t *stop, const char *err_path)
{
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 200 * 1000000L };
	sqlite3_stmt *first = NULL, *next = NULL;
	sqlite3 *db = NULL;
	int64_t after = 0;
	int rc;

	(void)err_path;
	while (access(q->o->db, R_OK) && q->o->follow && !*stop)
		nanosleep(&tick, NULL);
	if (access(q->o->db, R_OK))
		return *stop ? 0 : -errno;
	if (sqlite3_open_v2(q->o->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = -EIO;
		goto cleanup;
	}
	sqlite3_busy_timeout(db, 2000);
	rc = collector_query_prepare(q, db, q->o->limit, &first);
	if (rc)
		goto cleanup;
	rc = collector_query_rows(q, first, &after, true);
	if (rc)
		goto cleanup;
	/* a limited first pass saw only the newest rows: continue after the newest of all */
	rc = collector_query_print_kept(q);
	if (rc || !q->o->follow)
		goto cleanup;
	rc = collector_query_prepare(q, db, 0, &next);
	if (rc)
		goto cleanup;
	if (q->o->limit) {
		sqlite3_stmt *mx;

		if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(id), 0) FROM events", -1, &mx, NULL) == SQLITE_OK &&
		    sqlite3_step(mx) == SQLITE_ROW && sqlite3_column_int64(mx, 0) > after)
			after = sqlite3_column_int64(mx, 0);
		sqlite3_finalize(mx);
	}
	while (!rc && !*stop) {
		nanosleep(&tick, NULL);
		rc = collector_query_rows(q, next, &after, false);
	}
cleanup:
	if (rc == -EIO && db)
		fprintf(stderr, "vigil-collector: %s: %s\n", q->o->db, sqlite3_errmsg(db));
	sqlite3_finalize(first);
	sqlite3_finalize(next);
	sqlite3_close(db);
	return rc;
}

/*
 * Following across rotations: the file we read (old) is now FILE.k; several
 * rotations may have happened within one tick, so FILE.k-1 .. FILE.1 are read
 * whole, oldest first, before the caller goes on with the new FILE.
 */
static int collector_query_rotated(struct collector_query *q, const char *path, const struct stat *old)
{
	char name[1100];
	struct stat sb;
	int k, rc = 0;

	for (k = 1; k < 1000; k++) {
		snprintf(name, sizeof(name), "%s.%d", path, k);
		if (stat(name, &sb))
			return 0;	/* ours was deleted already: nothing between to read */
		if (sb.st_ino == old->st_ino && sb.st_dev == old->st_dev)
			break;
	}
	for (k--; k >= 1 && !rc; k--) {
		FILE *fp;
		long off = 0;

		snprintf(name, sizeof(name), "%s.%d", path, k);
		fp = fopen(name, "re");
		if (!fp)
			continue;
		rc = collector_query_read(q, fp, &off, false);
		fclose(fp);
	}
	return rc;
}

int collector_query_run(const struct collector_query_opts *o, volatile sig_atomic_t *stop, FILE *out)
{
	struct collector_query q = { .o = o, .out = out };
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 200 * 1000000L };
	FILE *fp = NULL;
	long off = 0;
	int rc = 0;

	q.type = o->event_type ? o->event_type : (o->json ? NULL : "alert");
	if (o->db && o->db[0]) {
		rc = collector_query_run_db(&q, stop, o->db);
		goto cleanup;
	}
	fp = fopen(o->path, "r");
	while (!fp && o->follow && errno == ENOENT && !*stop) {
		nanosleep(&tick, NULL);
		fp = fopen(o->path, "r");
	}
	if (!fp) {
		rc = *stop ? 0 : -errno;
		goto cleanup;
	}
	rc = collector_query_read(&q, fp, &off, true);
	if (rc)
		goto cleanup;
	rc = collector_query_print_kept(&q);
	while (!rc && o->follow && !*stop) {
		struct stat sb, now;
		FILE *next;

		nanosleep(&tick, NULL);
		if (fstat(fileno(fp), &sb) == 0 && sb.st_size < off)
			off = 0;	/* truncated or rewritten: start over */
		rc = collector_query_read(&q, fp, &off, false);
		/* rotated (FILE became FILE.1, a new FILE was made): finish the old one, follow the new */
		if (!rc && stat(o->path, &now) == 0 && fstat(fileno(fp), &sb) == 0 &&
		    (now.st_ino != sb.st_ino || now.st_dev != sb.st_dev) && (next = fopen(o->path, "re"))) {
			rc = collector_query_read(&q, fp, &off, false);
			if (!rc)
				rc = collector_query_rotated(&q, o->path, &sb);
			fclose(fp);
			fp = next;
			off = 0;
			if (!rc)
				rc = collector_query_read(&q, fp, &off, false);
		}
	}
cleanup:
	for (size_t i = 0; i < q.nlines; i++)
		free(q.lines[i]);
	free(q.lines);
	if (fp)
		fclose(fp);
	return rc;
}

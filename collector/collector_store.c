// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_store.c: every event goes first to the JSON-lines file (flushed),
 * then into SQLite (committed), and only then is it acked; on open the file's
 * tail repairs the database after a crash between the two, and the per-sensor
 * seqs come back from both, so nothing is stored twice or lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "wire.h"
#include "collector_store.h"

struct collector_store_sensor {
	char name[WIRE_NAME_MAX + 1];
	size_t len;
	uint64_t last;		/* highest seq stored anywhere */
	uint64_t db_last;	/* highest seq in the database */
	uint64_t stored;
	int64_t last_ts_us;
	int64_t last_recv_us;
	uint8_t held;		/* a transient refusal (enum collector_refusal) holds later seqs back */
	int64_t held_us;	/* since when */
};

struct collector_store {
	char path[512];
	char db_path[512];
	uint64_t rotate_bytes;
	uint32_t keep;
	FILE *fp;
	sqlite3 *db;
	sqlite3_stmt *ins;
	sqlite3_stmt *quar;
	sqlite3_stmt *exists;		/* (sensor, seq) stored? prepared on the first import */
	struct collector_store_sink sink;	/* .append set: a store without files */
	bool in_tx;
	char err[600];			/* why the last failure happened, for the log */
	/* the sensors, and an open-addressing index over them (hash of the name) */
	struct collector_store_sensor *sensors;
	size_t n, cap;
	uint32_t *slots;		/* index + 1 into sensors, 0: empty; nslots a power of two */
	size_t nslots;
};

static const char collector_store_schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS events("
	" id INTEGER PRIMARY KEY,"
	" sensor TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" ts_us INTEGER,"
	" event_type TEXT NOT NULL,"
	" detector TEXT,"
	" severity INTEGER,"
	" src_ip TEXT,"
	" dest_ip TEXT,"
	" received_us INTEGER NOT NULL,"
	" json TEXT NOT NULL,"
	" incident_id INTEGER,"
	" UNIQUE(sensor, seq));"
	"CREATE INDEX IF NOT EXISTS events_ts ON events(ts_us);"
	"CREATE TABLE IF NOT EXISTS quarantine("
	" id INTEGER PRIMARY KEY,"
	" at_us INTEGER NOT NULL,"
	" reason TEXT NOT NULL,"
	" sensor TEXT,"
	" seq TEXT,"
	" json TEXT,"
	" UNIQUE(reason, sensor, seq));";

static uint64_t collector_store_hash(const char *name, size_t len)
{
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct collector_store_sensor *collector_store_find(const struct collector_store *s,
							   const char *name, size_t len)
{
	size_t mask = s->nslots - 1, i;

	if (!s->nslots)
		return NULL;
	for (i = (size_t)collector_store_hash(name, len) & mask; s->slots[i]; i = (i + 1) & mask) {
		struct collector_store_sensor *e = &s->sensors[s->slots[i] - 1];

		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	}
	return NULL;
}

/* Put sensor idx into the index (which has room). */
static void collector_store_index(struct collector_store *s, size_t idx)
{
	size_t mask = s->nslots - 1, i;
	const struct collector_store_sensor *e = &s->sensors[idx];

	for (i = (size_t)collector_store_hash(e->name, e->len) & mask; s->slots[i]; i = (i + 1) & mask)
		;
	s->slots[i] = (uint32_t)(idx + 1);
}

static struct collector_store_sensor *collector_store_get(struct collector_store *s, const char *name,
							  size_t len)
{
	struct collector_store_sensor *e = collector_store_find(s, name, len);

	if (e)
		return e;
	if (len > WIRE_NAME_MAX || s->n >= UINT32_MAX - 1)
		return NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		void *t = realloc(s->sensors, cap * sizeof(*s->sensors));

		if (!t)
			return NULL;
		s->sensors = t;
		s->cap = cap;
	}
	/* at most half full, so a probe ends soon */
	if (2 * (s->n + 1) > s->nslots) {
		size_t nslots = s->nslots ? 2 * s->nslots : 16;
		uint32_t *t = calloc(nslots, sizeof(*t));

		if (!t)
			return NULL;
		free(s->slots);
		s->slots = t;
		s->nslots = nslots;
		for (size_t i = 0; i < s->n; i++)
			collector_store_index(s, i);
	}
	e = &s->sensors[s->n];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = len;
	e->last_ts_us = INT64_MIN;
	collector_store_index(s, s->n);
	s->n++;
	return e;
}

/* true when s starts with n decimal digits (stops at the terminator: never reads past it) */
static bool collector_store_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int collector_store_parse_ts(const char *s, int64_t *us)
{
	int Y, M, D, h, m, sec, n = 0;
	int64_t frac = 0, scale = 1000000;
	long zone = 0;
	struct tm tm = { 0 };
	time_t t;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6 || n != 19)
		return -EINVAL;
	s += n;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		while (*s >= '0' && *s <= '9') {
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
			s++;
		}
	}
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1, zh, zm;

		s++;
		/* exactly HH:MM or HHMM: sscanf's %2d would take fewer digits, signs or spaces */
		if (!collector_store_digits(s, 2))
			return -EINVAL;
		zh = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
		if (*s == ':')
			s++;
		if (!collector_store_digits(s, 2))
			return -EINVAL;
		zm = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
		if (zh > 23 || zm > 59)
			return -EINVAL;
		zone = sign * (zh * 3600L + zm * 60L);
	} else if (*s) {
		return -EINVAL;
	}
	if (*s || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -EINVAL;
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*us = ((int64_t)t - zone) * 1000000 + frac;
	return 0;
}

static const char *collector_store_jstr(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k1, &v))
		return NULL;
	if (k2 && (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, k2, &v)))
		return NULL;
	if (!json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void collector_store_meta_from(struct json_object *o, struct collector_store_meta *m)
{
	struct json_object *a, *v, *vg;
	const char *ts = collector_store_jstr(o, "timestamp", NULL);

	memset(m, 0, sizeof(*m));
	if (!ts || collector_store_parse_ts(ts, &m->ts_us))
		m->ts_us = INT64_MIN;
	m->event_type = collector_store_jstr(o, "event_type", NULL);
	m->detector = collector_store_jstr(o, "vigil", "detector");
	m->src_ip = collector_store_jstr(o, "src_ip", NULL);
	m->dest_ip = collector_store_jstr(o, "dest_ip", NULL);
	if (json_object_object_get_ex(o, "alert", &a) && json_object_is_type(a, json_type_object) &&
	    json_object_object_get_ex(a, "severity", &v) && json_object_is_type(v, json_type_int))
		m->severity = json_object_get_int(v);
	/* an incident's later events carry no alert{}: what they say is in vigil{} (docs/events.md) */
	if (!m->event_type || (strcmp(m->event_type, "alert") && strcmp(m->event_type, "incident")) ||
	    !json_object_object_get_ex(o, "vigil", &vg) || !json_object_is_type(vg, json_type_object))
		return;
	if (!m->severity && json_object_object_get_ex(vg, "severity", &v) && json_object_is_type(v, json_type_int))
		m->severity = json_object_get_int(v);
	if (json_object_object_get_ex(vg, "incident_id", &v) && json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0)
		m->incident_id = json_object_get_int64(v);
}

static int collector_store_sqlerr(struct collector_store *s, char *errbuf, size_t errlen, const char *what)
{
	if (errbuf)
		snprintf(errbuf, errlen, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "out of memory");
	return -EIO;
}

/* Remember why SQLite failed, with the OS error beneath it (a full disk says so). Returns -EIO or -ENOSPC. */
static int collector_store_dberr(struct collector_store *s, const char *what)
{
	int sys = sqlite3_system_errno(s->db), code = sqlite3_errcode(s->db);

	snprintf(s->err, sizeof(s->err), "SQLite %s: %s: %s%s%s", s->db_path, what, sqlite3_errmsg(s->db),
		 sys ? "; " : "", sys ? strerror(sys) : "");
	return code == SQLITE_FULL || sys == ENOSPC ? -ENOSPC : -EIO;
}

static int collector_store_fileerr(struct collector_store *s, int rc)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", s->path, strerror(-rc));
	return rc;
}

struct json_object *collector_store_parse_json(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(COLLECTOR_JSON_DEPTH);
	struct json_object *o;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static int collector_store_db_insert(struct collector_store *s, const char *name, size_t len, uint64_t seq,
				     const char *line, size_t line_len, const struct collector_store_meta *m,
				     int64_t recv_us)
{
	sqlite3_stmt *st = s->ins;
	int rc;

	if (!s->in_tx) {
		if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			return collector_store_dberr(s, "begin");
		s->in_tx = true;
	}
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, name, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	if (m->ts_us == INT64_MIN)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_int64(st, 3, m->ts_us);
	sqlite3_bind_text(st, 4, m->event_type ? m->event_type : "", -1, SQLITE_STATIC);
	if (m->detector)
		sqlite3_bind_text(st, 5, m->detector, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	if (m->severity)
		sqlite3_bind_int(st, 6, m->severity);
	else
		sqlite3_bind_null(st, 6);
	if (m->src_ip)
		sqlite3_bind_text(st, 7, m->src_ip, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	if (m->dest_ip)
		sqlite3_bind_text(st, 8, m->dest_ip, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, recv_us);
	sqlite3_bind_text(st, 10, line, (int)line_len, SQLITE_STATIC);
	if (m->incident_id > 0)
		sqlite3_bind_int64(st, 11, m->incident_id);
	else
		sqlite3_bind_null(st, 11);
	rc = sqlite3_step(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	return collector_store_dberr(s, "insert");
}

static int64_t collector_store_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Keep a line recovery cannot use aside (once per reason, sensor and seq), so it never stops a start. */
static void collector_store_quarantine(struct collector_store *s, const char *reason, const char *sensor,
				       const char *seq, const char *line, size_t len, struct collector_store_scan *scan)
{
	scan->quarantined++;
	if (!s->db)
		return;
	if (!s->in_tx && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
		s->in_tx = true;
	sqlite3_reset(s->quar);
	sqlite3_bind_int64(s->quar, 1, collector_store_now_us());
	sqlite3_bind_text(s->quar, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->quar, 3, sensor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->quar, 4, seq, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->quar, 5, line, (int)len, SQLITE_STATIC);
	sqlite3_step(s->quar);
	sqlite3_clear_bindings(s->quar);
}

/*
 * One stored line at open: raise the seq; import into the database if it is
 * missing there. A line whose seq no collector could have stored (0, above
 * WIRE_SEQ_MAX) or that the database refuses is quarantined, not fatal.
 * Returns 1 (used), 0 (unusable), 2 (quarantined) or -errno.
 */
static int collector_store_scan_line(struct collector_store *s, const char *line, size_t len, bool import,
				     struct collector_store_scan *scan)
{
	struct json_object *o = collector_store_parse_json(line, len), *name, *seqo;
	struct collector_store_sensor *e;
	struct collector_store_meta m;
	const char *nm;
	uint64_t seq;
	int rc = 0;

	if (!o || !json_object_is_type(o, json_type_object))
		goto cleanup;
	if (!json_object_object_get_ex(o, "sensor_name", &name) ||
	    !json_object_is_type(name, json_type_string) ||
	    !json_object_object_get_ex(o, "vigil_seq", &seqo) || !json_object_is_type(seqo, json_type_int))
		goto cleanup;
	nm = json_object_get_string(name);
	if (!wire_name_valid(nm, (size_t)json_object_get_string_len(name)))
		goto cleanup;
	seq = json_object_get_uint64(seqo);
	if (seq == 0 || seq > WIRE_SEQ_MAX || json_object_get_int64(seqo) < 0) {
		collector_store_quarantine(s, "bad_seq", nm, json_object_get_string(seqo), line, len, scan);
		rc = 2;
		goto cleanup;
	}
	e = collector_store_get(s, nm, (size_t)json_object_get_string_len(name));
	if (!e) {
		rc = -ENOMEM;
		goto cleanup;
	}
	if (import && s->db && seq > e->db_last) {
		collector_store_meta_from(o, &m);
		rc = collector_store_db_insert(s, e->name, e->len, seq, line, len, &m, collector_store_now_us());
		if (rc == -EEXIST) {
			collector_store_quarantine(s, "import_refused", nm, json_object_get_string(seqo), line, len,
						   scan);
			rc = 2;
			goto cleanup;
		}
		if (rc)
			goto cleanup;
		e->db_last = seq;
		scan->imported++;
	}
	if (seq > e->last)
		e->last = seq;
	rc = 1;
cleanup:
	json_object_put(o);
	return rc;
}

/* Read a whole file; a torn tail is cut when fp is the live file (cut != 0). */
static int collector_store_rescan(struct collector_store *s, FILE *fp, bool live, bool import,
				  struct collector_store_scan *scan)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long good = 0;
	int rc = 0;

	rewind(fp);
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] != '\n')
			break;	/* torn tail, handled below */
		good += n;
		scan->lines++;
		line[n - 1] = '\0';
		rc = collector_store_scan_line(s, line, (size_t)n - 1, import, scan);
		if (rc < 0)
			goto cleanup;
		if (rc == 0)
			scan->unusable++;
	}
	rc = 0;
	if (ferror(fp)) {
		rc = -EIO;
		goto cleanup;
	}
	if (!live)
		goto cleanup;
	if (fseek(fp, 0, SEEK_END) || ftell(fp) < 0) {
		rc = -errno;
		goto cleanup;
	}
	if (ftell(fp) > good) {
		scan->torn_bytes = (uint64_t)(ftell(fp) - good);
		if (ftruncate(fileno(fp), good)) {
			rc = -errno;
			goto cleanup;
		}
		fseek(fp, 0, SEEK_END);
	}
cleanup:
	free(line);
	return rc;
}

/* Create path (0640) if missing, so SQLite and its -wal/-shm files get that mode. */
static int collector_store_precreate(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The JSON-lines file, opened for appending and reading: created 0640 (events are not for everyone). */
static FILE *collector_store_fopen(const char *path)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	FILE *fp;

	if (fd < 0)
		return NULL;
	fp = fdopen(fd, "a+");
	if (!fp)
		close(fd);
	return fp;
}

/*
 * A database of an older collector has no incident_id column: add it and fill
 * it (and the severity of incident events) from the stored text, once; then
 * index it, so an incident's events are found without reading every alert.
 * json_valid first: json_extract fails the whole statement on a bad row.
 */
static int collector_store_migrate(sqlite3 *db)
{
	static const char add[] =
		"BEGIN;"
		"ALTER TABLE events ADD COLUMN incident_id INTEGER;"
		"UPDATE events SET incident_id = json_extract(json, '$.vigil.incident_id')"
		" WHERE event_type IN ('alert', 'incident') AND json_valid(json)"
		" AND json_type(json, '$.vigil.incident_id') = 'integer'"
		" AND json_extract(json, '$.vigil.incident_id') > 0;"
		"UPDATE events SET severity = json_extract(json, '$.vigil.severity')"
		" WHERE severity IS NULL AND event_type IN ('alert', 'incident') AND json_valid(json)"
		" AND json_type(json, '$.vigil.severity') = 'integer';"
		"COMMIT;";
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT incident_id FROM events LIMIT 0", -1, &st, NULL) != SQLITE_OK) {
		if (sqlite3_exec(db, add, NULL, NULL, NULL) != SQLITE_OK) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -EIO;
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "CREATE INDEX IF NOT EXISTS events_incident ON events(incident_id, sensor)"
			 " WHERE incident_id IS NOT NULL;", NULL, NULL, NULL) != SQLITE_OK)
		return -EIO;
	return 0;
}

static int collector_store_db_open(struct collector_store *s, const char *path, struct collector_store_scan *scan,
				   char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char sql[512];
	int rc;

	snprintf(s->db_path, sizeof(s->db_path), "%s", path);
	rc = collector_store_precreate(path);
	if (rc) {
		if (errbuf)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		return collector_store_sqlerr(s, errbuf, errlen, path);
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, collector_store_schema, NULL, NULL, NULL) != SQLITE_OK)
		return collector_store_sqlerr(s, errbuf, errlen, path);
	rc = collector_store_migrate(s->db);
	if (rc)
		return collector_store_sqlerr(s, errbuf, errlen, path);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO events(sensor, seq, ts_us, event_type, detector, severity, src_ip,"
			       " dest_ip, received_us, json, incident_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &s->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT OR IGNORE INTO quarantine(at_us, reason, sensor, seq, json) VALUES (?,?,?,?,?)",
			       -1, &s->quar, NULL) != SQLITE_OK)
		return collector_store_sqlerr(s, errbuf, errlen, path);
	/* rows an older collector stored with a seq SQLite turned negative (>= 2^63): set aside */
	snprintf(sql, sizeof(sql),
		 "BEGIN;"
		 "INSERT OR IGNORE INTO quarantine(at_us, reason, sensor, seq, json)"
		 " SELECT %lld, 'bad_seq', sensor, CAST(seq AS TEXT), json FROM events WHERE seq < 1;"
		 "DELETE FROM events WHERE seq < 1;"
		 "COMMIT;", (long long)collector_store_now_us());
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return collector_store_sqlerr(s, errbuf, errlen, path);
	scan->quarantined += (uint64_t)sqlite3_changes(s->db);
	if (sqlite3_prepare_v2(s->db, "SELECT sensor, MAX(seq), COUNT(*) FROM events GROUP BY sensor", -1, &st,
			       NULL) != SQLITE_OK)
		return collector_store_sqlerr(s, errbuf, errlen, path);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		struct collector_store_sensor *e;

		if (!name || !wire_name_valid(name, strlen(name)))
			continue;
		e = collector_store_get(s, name, strlen(name));
		if (!e) {
			sqlite3_finalize(st);
			return -ENOMEM;
		}
		e->last = e->db_last = (uint64_t)sqlite3_column_int64(st, 1);
		scan->db_rows += (uint64_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return collector_store_sqlerr(s, errbuf, errlen, path);
	return 0;
}

int collector_store_open(const struct collector_store_cfg *cfg, struct collector_store **out,
			 struct collector_store_scan *scan, char *errbuf, size_t errlen)
{
	struct collector_store_scan dummy;
	struct collector_store *s;
	int rc;

	if (!scan)
		scan = &dummy;
	memset(scan, 0, sizeof(*scan));
	if (errbuf && errlen)
		errbuf[0] = '\0';
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (cfg->sink) {
		/* the stream holds the events: nothing to recover, the seqs start from what arrives */
		s->sink = *cfg->sink;
		*out = s;
		return 0;
	}
	snprintf(s->path, sizeof(s->path), "%s", cfg->jsonl);
	s->rotate_bytes = cfg->rotate_bytes;
	s->keep = cfg->keep ? cfg->keep : 1;
	if (cfg->sqlite && cfg->sqlite[0]) {
		rc = collector_store_db_open(s, cfg->sqlite, scan, errbuf, errlen);
		if (rc)
			goto cleanup;
	} else {
		/* no database: the seqs come from every file, the oldest rotated one first */
		for (uint32_t k = s->keep; k >= 1; k--) {
			char old[600];
			FILE *fp;

			snprintf(old, sizeof(old), "%s.%u", s->path, k);
			fp = fopen(old, "re");
			if (!fp)
				continue;
			rc = collector_store_rescan(s, fp, false, false, scan);
			fclose(fp);
			if (rc)
				goto cleanup;
		}
	}
	/* created if missing, readable for the rescan, every write goes to the end */
	s->fp = collector_store_fopen(s->path);
	if (!s->fp) {
		rc = -errno;
		if (errbuf)
			snprintf(errbuf, errlen, "%s: %s", s->path, strerror(errno));
		goto cleanup;
	}
	rc = collector_store_rescan(s, s->fp, true, true, scan);
	if (rc == 0 && s->in_tx)
		rc = collector_store_flush(s);	/* commit what was imported or quarantined */
	if (rc) {
		if (errbuf && !errbuf[0])
			snprintf(errbuf, errlen, "%s", s->err[0] ? s->err : strerror(-rc));
		goto cleanup;
	}
	scan->sensors = s->n;
	*out = s;
	return 0;
cleanup:
	collector_store_free(s);
	return rc;
}

uint64_t collector_store_last(const struct collector_store *s, const char *name, size_t len)
{
	const struct collector_store_sensor *e = collector_store_find(s, name, len);

	return e ? e->last : 0;
}

bool collector_store_known(const struct collector_store *s, const char *name, size_t len)
{
	return collector_store_find(s, name, len) != NULL;
}

size_t collector_store_count(const struct collector_store *s)
{
	return s->n;
}

int collector_store_hold(struct collector_store *s, const char *name, size_t len, int why, int64_t now_us)
{
	struct collector_store_sensor *e = why ? collector_store_get(s, name, len) : collector_store_find(s, name, len);

	if (!e)
		return why ? -ENOMEM : 0;
	if (!e->held || !why)
		e->held_us = now_us;	/* the first refusal starts the hold; later ones do not extend it */
	e->held = (uint8_t)why;
	return 0;
}

int collector_store_held(const struct collector_store *s, const char *name, size_t len, int64_t now_us,
			 int64_t max_us)
{
	const struct collector_store_sensor *e = collector_store_find(s, name, len);

	return e && e->held && now_us - e->held_us < max_us ? e->held : 0;
}

const char *collector_store_error(const struct collector_store *s)
{
	return s && s->err[0] ? s->err : NULL;
}

int collector_store_append(struct collector_store *s, const char *name, size_t len, uint64_t seq,
			   const char *line, size_t line_len, const struct collector_store_meta *m,
			   int64_t recv_us)
{
	struct collector_store_sensor *e;
	int rc;

	if (len > WIRE_NAME_MAX || seq == 0 || seq > WIRE_SEQ_MAX)
		return -EINVAL;
	/* the slot first, so a failed append leaves no stored line without a seq */
	e = collector_store_get(s, name, len);
	if (!e)
		return -ENOMEM;
	if (s->sink.append) {
		rc = s->sink.append(s->sink.ctx, name, len, seq, line, line_len, m);
		if (rc)
			return rc;
		goto done;
	}
	errno = 0;
	if (fwrite(line, 1, line_len, s->fp) != line_len || fputc('\n', s->fp) == EOF)
		return collector_store_fileerr(s, errno ? -errno : -EIO);
	if (s->db) {
		rc = collector_store_db_insert(s, name, len, seq, line, line_len, m, recv_us);
		if (rc == -EEXIST)
			rc = collector_store_dberr(s, "insert");
		if (rc)
			return rc;
		e->db_last = seq;
	}
done:
	if (seq > e->last)
		e->last = seq;
	e->held = 0;
	e->stored++;
	e->last_ts_us = m->ts_us;
	e->last_recv_us = recv_us;
	return 0;
}

int collector_store_import(struct collector_store *s, const char *name, size_t len, uint64_t seq,
			   const char *line, size_t line_len, const struct collector_store_meta *m,
			   int64_t recv_us)
{
	const struct collector_store_sensor *e = collector_store_find(s, name, len);
	int rc;

	if (!s->db)
		return -ENOTSUP;
	if (len > WIRE_NAME_MAX || seq == 0 || seq > WIRE_SEQ_MAX)
		return -EINVAL;
	/* above the highest stored it is new; below, the database knows (the open transaction included) */
	if (e && seq <= e->last) {
		if (!s->exists && sqlite3_prepare_v2(s->db, "SELECT 1 FROM events WHERE sensor = ? AND seq = ?", -1,
						     &s->exists, NULL) != SQLITE_OK)
			return collector_store_dberr(s, "prepare");
		sqlite3_reset(s->exists);
		sqlite3_bind_text(s->exists, 1, name, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(s->exists, 2, (sqlite3_int64)seq);
		rc = sqlite3_step(s->exists);
		sqlite3_clear_bindings(s->exists);
		if (rc == SQLITE_ROW)
			return 1;
		if (rc != SQLITE_DONE)
			return collector_store_dberr(s, "select");
	}
	return collector_store_append(s, name, len, seq, line, line_len, m, recv_us);
}

void collector_store_set_aside(struct collector_store *s, const char *reason, const char *sensor, const char *seq,
			       const char *line, size_t len)
{
	struct collector_store_scan scan = { 0 };

	collector_store_quarantine(s, reason, sensor, seq, line, len, &scan);
}

/* FILE -> FILE.1 -> ... -> FILE.keep (dropped), then a fresh FILE. */
static int collector_store_rotate(struct collector_store *s)
{
	char from[600], to[600];

	for (uint32_t k = s->keep; k >= 1; k--) {
		snprintf(to, sizeof(to), "%s.%u", s->path, k);
		if (k == 1)
			snprintf(from, sizeof(from), "%s", s->path);
		else
			snprintf(from, sizeof(from), "%s.%u", s->path, k - 1);
		if (rename(from, to) && errno != ENOENT)
			return collector_store_fileerr(s, -errno);
	}
	fclose(s->fp);
	s->fp = collector_store_fopen(s->path);
	return s->fp ? 0 : collector_store_fileerr(s, -errno);
}

int collector_store_flush(struct collector_store *s)
{
	long size;

	if (s->sink.flush) {
		int rc = s->sink.flush(s->sink.ctx, s->err, sizeof(s->err));

		if (!rc)
			s->err[0] = '\0';
		return rc;
	}
	errno = 0;
	if (fflush(s->fp))
		return collector_store_fileerr(s, errno ? -errno : -EIO);
	if (s->db && s->in_tx) {
		if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return collector_store_dberr(s, "commit");
		s->in_tx = false;
	}
	size = ftell(s->fp);
	if (s->rotate_bytes && size >= 0 && (uint64_t)size >= s->rotate_bytes)
		return collector_store_rotate(s);
	return 0;
}

/* Pages in use times the page size: what the events take, whatever the file's high-water mark. */
static int64_t collector_store_live_bytes(sqlite3 *db)
{
	static const char *const q[] = { "PRAGMA page_count", "PRAGMA freelist_count", "PRAGMA page_size" };
	int64_t v[3] = { 0, 0, 0 };

	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
			return -1;
		if (sqlite3_step(st) == SQLITE_ROW)
			v[i] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return (v[0] - v[1]) * v[2];
}

/* one DELETE with one int64 parameter; the rows it removed into *n */
static int collector_store_delete(sqlite3 *db, const char *sql, int64_t arg, uint64_t *n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, arg);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	*n += (uint64_t)sqlite3_changes(db);
	return 0;
}

int collector_store_retain(struct collector_store *s, int64_t now_us, int64_t max_age_us, uint64_t max_bytes,
			   struct collector_store_retained *out)
{
	int64_t live;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (max_age_us > 0 && s->path[0]) {
		char path[600];
		struct stat sb;

		for (uint32_t k = 1; k <= s->keep; k++) {
			snprintf(path, sizeof(path), "%s.%u", s->path, k);
			if (stat(path, &sb) == 0 && (int64_t)sb.st_mtime * 1000000 < now_us - max_age_us &&
			    unlink(path) == 0)
				out->files++;
		}
	}
	if (!s->db)
		return 0;
	if (max_age_us > 0)
		rc = collector_store_delete(s->db, "DELETE FROM events WHERE ts_us < ?", now_us - max_age_us, &out->by_age);
	live = collector_store_live_bytes(s->db);
	while (!rc && max_bytes && live > (int64_t)max_bytes) {
		uint64_t before = out->by_size;
		/* a share of the rows in proportion to the excess, at least 64 */
		int64_t rows = 64;
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM events", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW) {
			int64_t n = sqlite3_column_int64(st, 0);

			rows = (int64_t)((double)n * (double)(live - (int64_t)max_bytes) / (double)live) + 64;
		}
		sqlite3_finalize(st);
		rc = collector_store_delete(s->db, "DELETE FROM events WHERE id IN "
					    "(SELECT id FROM events ORDER BY ts_us, id LIMIT ?)", rows, &out->by_size);
		if (!rc && out->by_size == before)
			break;	/* nothing left to delete */
		live = collector_store_live_bytes(s->db);
	}
	out->live_bytes = live > 0 ? (uint64_t)live : 0;
	return rc;
}

void collector_store_sensors(const struct collector_store *s,
			     void (*fn)(void *ctx, const struct collector_store_sensor_info *si), void *ctx)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct collector_store_sensor *e = &s->sensors[i];
		struct collector_store_sensor_info si = {
			.name = e->name, .last_seq = e->last, .stored = e->stored,
			.last_ts_us = e->last_ts_us, .last_recv_us = e->last_recv_us,
		};

		fn(ctx, &si);
	}
}

int collector_store_incident_sensors(struct collector_store *s, uint64_t id, char (*names)[64], size_t max,
				     size_t *n)
{
	static const char sql[] = "SELECT DISTINCT sensor FROM events WHERE incident_id = ?1 ORDER BY sensor";
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if (!s->db)
		return -ENOTSUP;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n < max)
			snprintf(names[*n], 64, "%s", (const char *)sqlite3_column_text(st, 0));
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int collector_store_incident_sha256(struct collector_store *s, const char *sensor, uint64_t id, char *hex)
{
	static const char sql[] = "SELECT json_extract(json, '$.vigil.evidence.sha256') FROM events "
				  "WHERE sensor = ?1 AND incident_id = ?2 AND json_valid(json) AND "
				  "json_type(json, '$.vigil.evidence.sha256') = 'text' ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *st = NULL;
	int rc;

	hex[0] = '\0';
	if (!s->db)
		return -ENOTSUP;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, sensor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	    strlen((const char *)sqlite3_column_text(st, 0)) == WIRE_SHA256_HEX)
		snprintf(hex, WIRE_SHA256_HEX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

void collector_store_free(struct collector_store *s)
{
	if (!s)
		return;
	if (s->fp) {
		fflush(s->fp);
		fclose(s->fp);
	}
	if (s->db) {
		if (s->in_tx)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_finalize(s->ins);
		sqlite3_finalize(s->quar);
		sqlite3_finalize(s->exists);
		sqlite3_close(s->db);
	}
	free(s->slots);
	free(s->sensors);
	free(s);
}

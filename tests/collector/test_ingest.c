// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ingest.c: the collector's acceptance rules without sockets: a table of
 * messages fed in order to collector_ingest() over a temporary store, then the
 * store's rescan of a hand-written file (recovered seqs, torn last line).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "wire.h"
#include "collector_ingest.h"
#include "collector_store.h"
#include "collector_config.h"

static int pass, fail;

static void check(const char *name, int ok)
{
	printf("  %-52s %s\n", name, ok ? "ok" : "FAIL");
	if (ok)
		pass++;
	else
		fail++;
}

struct row {
	const char *name;
	const char *magic;
	const char *sensor;
	uint64_t seq;
	int seq_len;			/* 8 normally */
	const char *json;
	int frames;			/* 4 normally */
	enum collector_ingest_result result;
	enum wire_verdict verdict;
	uint64_t ack;
	int id;				/* sender: 0 = key K0 (bound to s1 s2 a"b w n5 n6), 1 = key K1 (bound to other) */
	enum collector_refusal refusal;
};

/* two listed keys and the names they may use (Z85 keys of 40 characters) */
static const char test_keys[2][COLLECTOR_KEY_ENTRY] = {
	"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 s1 s2 a\"b w n5 n6 n7",
	"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID other",
};

static const struct row rows[] = {
	{ "first event stored", "VGL1", "s1", 1, 8, "{\"event_type\":\"alert\",\"sensor_name\":\"s1\"}", 4,
	  COLLECTOR_INGEST_STORED, WIRE_OK, 1 },
	{ "next event stored", "VGL1", "s1", 2, 8, "{\"event_type\":\"alert\"}", 4, COLLECTOR_INGEST_STORED, WIRE_OK, 2 },
	{ "same seq again is a duplicate", "VGL1", "s1", 2, 8, "{\"event_type\":\"alert\"}", 4,
	  COLLECTOR_INGEST_DUPLICATE, WIRE_OK, 2 },
	{ "older seq is a duplicate, acked with the newest", "VGL1", "s1", 1, 8, "{\"event_type\":\"alert\"}", 4,
	  COLLECTOR_INGEST_DUPLICATE, WIRE_OK, 2 },
	{ "skipping ahead is stored as a gap", "VGL1", "s1", 5, 8, "{\"event_type\":\"alert\"}", 4,
	  COLLECTOR_INGEST_GAP, WIRE_OK, 5 },
	{ "other sensor has its own seqs", "VGL1", "s2", 1, 8, "{\"event_type\":\"flow\"}", 4,
	  COLLECTOR_INGEST_STORED, WIRE_OK, 1 },
	{ "3 frames", "VGL1", "s1", 6, 8, "{\"event_type\":\"alert\"}", 3, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_FRAMES, 0 },
	{ "bad magic", "VGL2", "s1", 6, 8, "{\"event_type\":\"alert\"}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_MAGIC, 0 },
	{ "empty sensor name", "VGL1", "", 6, 8, "{\"event_type\":\"alert\"}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_NAME, 0 },
	{ "control byte in name", "VGL1", "s\t1", 6, 8, "{\"event_type\":\"alert\"}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_NAME, 0 },
	{ "7-byte seq", "VGL1", "s1", 6, 7, "{\"event_type\":\"alert\"}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_SEQ, 0 },
	{ "0-length seq", "VGL1", "s1", 6, 0, "{\"event_type\":\"alert\"}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_SEQ, 0 },
	{ "empty payload", "VGL1", "s1", 6, 8, "", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_SIZE, 0 },
	{ "not JSON", "VGL1", "s1", 6, 8, "hello", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_JSON, 0 },
	{ "truncated JSON", "VGL1", "s1", 6, 8, "{\"event_type\":\"al", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_JSON, 0 },
	{ "two objects", "VGL1", "s1", 6, 8, "{\"event_type\":\"a\"}{}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_JSON, 0 },
	{ "invalid UTF-8", "VGL1", "s1", 6, 8, "{\"event_type\":\"\xff\"}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_JSON, 0 },
	{ "array", "VGL1", "s1", 6, 8, "[{\"event_type\":\"alert\"}]", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_NOT_OBJECT, 0 },
	{ "no event_type", "VGL1", "s1", 6, 8, "{\"type\":\"alert\"}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_EVENT_TYPE, 0 },
	{ "numeric event_type", "VGL1", "s1", 6, 8, "{\"event_type\":3}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_EVENT_TYPE, 0 },
	{ "sensor_name of another sensor", "VGL1", "s1", 6, 8, "{\"event_type\":\"a\",\"sensor_name\":\"s2\"}", 4,
	  COLLECTOR_INGEST_MALFORMED, WIRE_BAD_MISMATCH, 0 },
	{ "vigil_seq disagreeing with the frame", "VGL1", "s1", 6, 8, "{\"event_type\":\"a\",\"vigil_seq\":7}", 4,
	  COLLECTOR_INGEST_MALFORMED, WIRE_BAD_MISMATCH, 0 },
	{ "vigil_seq agreeing with the frame", "VGL1", "s1", 6, 8, "{\"event_type\":\"a\",\"vigil_seq\":6}", 4,
	  COLLECTOR_INGEST_STORED, WIRE_OK, 6 },
	{ "multi-line JSON stored as one line", "VGL1", "s1", 7, 8, "{\n \"event_type\": \"a\",\n \"x\": \"q\\\"\"\n}\n", 4,
	  COLLECTOR_INGEST_STORED, WIRE_OK, 7 },
	{ "name with a quote is escaped", "VGL1", "a\"b", 1, 8, "{\"event_type\":\"a\"}", 4, COLLECTOR_INGEST_STORED, WIRE_OK, 1 },
	/* issue 20: numbers and names are proven, not believed */
	{ "seq 2^63 is malformed (SQLite would store it negative)", "VGL1", "s1", 1ull << 63, 8,
	  "{\"event_type\":\"a\"}", 4, COLLECTOR_INGEST_MALFORMED, WIRE_BAD_SEQ, 0 },
	{ "seq 2^64-1 is malformed (no wrap)", "VGL1", "s1", UINT64_MAX, 8, "{\"event_type\":\"a\"}", 4,
	  COLLECTOR_INGEST_MALFORMED, WIRE_BAD_SEQ, 0 },
	{ "another key under s1's name is refused", "VGL1", "s1", 8, 8, "{\"event_type\":\"a\"}", 4,
	  COLLECTOR_INGEST_REFUSED, WIRE_OK, 0, 1, COLLECTOR_REFUSE_IDENTITY },
	{ "...also as a duplicate (no ack for what it did not store)", "VGL1", "s1", 2, 8, "{\"event_type\":\"a\"}", 4,
	  COLLECTOR_INGEST_REFUSED, WIRE_OK, 0, 1, COLLECTOR_REFUSE_IDENTITY },
	{ "an unknown identity is refused", "VGL1", "s1", 8, 8, "{\"event_type\":\"a\"}", 4,
	  COLLECTOR_INGEST_REFUSED, WIRE_OK, 0, COLLECTOR_AUTH_UNKNOWN, COLLECTOR_REFUSE_IDENTITY },
	{ "new name w, seq 1", "VGL1", "w", 1, 8, "{\"event_type\":\"a\"}", 4, COLLECTOR_INGEST_STORED, WIRE_OK, 1 },
	{ "w jumps more than seq_window (1000) ahead: refused", "VGL1", "w", 1002, 8, "{\"event_type\":\"a\"}", 4,
	  COLLECTOR_INGEST_REFUSED, WIRE_OK, 0, 0, COLLECTOR_REFUSE_SEQ_AHEAD },
	{ "w jumps exactly seq_window ahead: a gap", "VGL1", "w", 1001, 8, "{\"event_type\":\"a\"}", 4,
	  COLLECTOR_INGEST_GAP, WIRE_OK, 1001 },
	{ "5th name (max_sensors 5) stored", "VGL1", "n5", 1, 8, "{\"event_type\":\"a\"}", 4,
	  COLLECTOR_INGEST_STORED, WIRE_OK, 1 },
	{ "6th name refused", "VGL1", "n6", 1, 8, "{\"event_type\":\"a\"}", 4, COLLECTOR_INGEST_REFUSED, WIRE_OK, 0, 0,
	  COLLECTOR_REFUSE_NAMES },
	{ "year 9999: stored, not indexed by time", "VGL1", "n5", 2, 8,
	  "{\"event_type\":\"a\",\"timestamp\":\"9999-12-31T23:59:59.000000+0000\"}", 4, COLLECTOR_INGEST_STORED, WIRE_OK, 2 },
};

/* what the file must hold afterwards, written by hand from the rows above */
static const char *const expect_lines[] = {
	"{\"event_type\":\"alert\",\"sensor_name\":\"s1\",\"vigil_seq\":1}",
	"{\"event_type\":\"alert\",\"sensor_name\":\"s1\",\"vigil_seq\":2}",
	"{\"event_type\":\"alert\",\"sensor_name\":\"s1\",\"vigil_seq\":5}",
	"{\"event_type\":\"flow\",\"sensor_name\":\"s2\",\"vigil_seq\":1}",
	"{\"event_type\":\"a\",\"vigil_seq\":6,\"sensor_name\":\"s1\"}",
	"{\"event_type\":\"a\",\"x\":\"q\\\"\",\"sensor_name\":\"s1\",\"vigil_seq\":7}",
	"{\"event_type\":\"a\",\"sensor_name\":\"a\\\"b\",\"vigil_seq\":1}",
	"{\"event_type\":\"a\",\"sensor_name\":\"w\",\"vigil_seq\":1}",
	"{\"event_type\":\"a\",\"sensor_name\":\"w\",\"vigil_seq\":1001}",
	"{\"event_type\":\"a\",\"sensor_name\":\"n5\",\"vigil_seq\":1}",
	"{\"event_type\":\"a\",\"timestamp\":\"9999-12-31T23:59:59.000000+0000\",\"sensor_name\":\"n5\",\"vigil_seq\":2}",
};

static struct collector_auth *test_auth(uint32_t key_rate)
{
	struct collector_auth_cfg acfg = { .key_rate = key_rate };
	struct collector_auth *a = NULL;
	char err[256];

	if (collector_auth_new(test_keys[0], sizeof(test_keys[0]), 2, &acfg, &a, err, sizeof(err))) {
		printf("    auth: %s\n", err);
		return NULL;
	}
	return a;
}

static void test_rows(const char *path)
{
	struct collector_stats st = { 0 };
	struct collector_store *store;
	char line[512];
	size_t i = 0, stored = 0;
	FILE *fp;
	int ok;

	struct collector_store_cfg cfg = { .jsonl = path };
	struct collector_ingest_ctx c = { .seq_window = 1000, .max_sensors = 5 };

	c.auth = test_auth(0);
	if (!c.auth || collector_store_open(&cfg, &store, NULL, NULL, 0)) {
		check("open store", 0);
		return;
	}
	c.store = store;
	for (const struct row *r = rows; r < rows + sizeof(rows) / sizeof(rows[0]); r++) {
		uint8_t seq[8];
		struct wire_frame f[4] = {
			{ r->magic, strlen(r->magic) }, { r->sensor, strlen(r->sensor) },
			{ seq, (size_t)r->seq_len }, { r->json, strlen(r->json) },
		};
		struct collector_ingest_out out;
		int rc;

		wire_put_u64(seq, r->seq);
		rc = collector_ingest(&c, r->id, f, (size_t)r->frames, 1700000000000000, &st, &out);
		ok = rc == 0 && out.result == r->result && out.verdict == r->verdict &&
		     (r->result == COLLECTOR_INGEST_MALFORMED || r->result == COLLECTOR_INGEST_REFUSED ||
		      out.ack == r->ack) && out.refusal == r->refusal;
		check(r->name, ok);
		if (!ok)
			printf("    rc=%d result=%d verdict=%s refusal=%s ack=%llu\n", rc, out.result,
			       wire_verdict_name(out.verdict), collector_refusal_name(out.refusal),
			       (unsigned long long)out.ack);
		stored += r->result == COLLECTOR_INGEST_STORED || r->result == COLLECTOR_INGEST_GAP;
	}
	collector_store_free(store);
	collector_auth_free(c.auth);
	check("stats: stored, duplicates, gaps, malformed, refused",
	      st.stored == stored && st.duplicates == 2 && st.gaps == 2 && st.malformed == 18 &&
	      st.refused_msgs == 5 && st.refused_by[COLLECTOR_REFUSE_IDENTITY] == 3 && st.bad_timestamp == 1 &&
	      st.received == sizeof(rows) / sizeof(rows[0]));

	fp = fopen(path, "r");
	ok = fp != NULL;
	while (ok && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (i >= sizeof(expect_lines) / sizeof(expect_lines[0]) || strcmp(line, expect_lines[i])) {
			printf("    line %zu: %s\n", i + 1, line);
			ok = 0;
		}
		i++;
	}
	if (fp)
		fclose(fp);
	check("file: sensor's text kept, sensor_name/vigil_seq appended if absent",
	      ok && i == sizeof(expect_lines) / sizeof(expect_lines[0]));
}

static void test_rescan(const char *path)
{
	static const char text[] =
		"{\"event_type\":\"a\",\"sensor_name\":\"s1\",\"vigil_seq\":41}\n"
		"{\"event_type\":\"a\",\"sensor_name\":\"s2\",\"vigil_seq\":3}\n"
		"{\"event_type\":\"a\",\"sensor_name\":\"s1\",\"vigil_seq\":40}\n"
		"garbage line\n"
		"{\"event_type\":\"a\",\"sensor_name\":\"s1\",\"vigil_se";
	struct collector_store_cfg cfg = { .jsonl = path };
	struct collector_store_meta m = { .ts_us = INT64_MIN, .event_type = "x" };
	struct collector_store_scan scan;
	struct collector_store *store = NULL;
	long size;
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	if (collector_store_open(&cfg, &store, &scan, NULL, 0)) {
		check("reopen store", 0);
		return;
	}
	check("rescan: highest seq per sensor", collector_store_last(store, "s1", 2) == 41 &&
						  collector_store_last(store, "s2", 2) == 3 &&
						  collector_store_last(store, "s3", 2) == 0);
	check("rescan: counts lines, sensors, unusable lines",
	      scan.lines == 4 && scan.sensors == 2 && scan.unusable == 1);
	check("rescan: torn last line reported", scan.torn_bytes == strlen(strrchr(text, '\n') + 1));
	collector_store_append(store, "s1", 2, 42, "{\"x\":1}", 7, &m, 0);
	collector_store_free(store);
	fp = fopen(path, "r");
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fclose(fp);
	check("rescan: torn line cut before the next append",
	      size == (long)(strrchr(text, '\n') + 1 - text) + 8);
}

static int64_t count_rows(const char *db, const char *where)
{
	char sql[256];
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM events WHERE %s", where);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* SQLite next to the file: columns filled, seqs recovered, a crash between file and database repaired, rotation */
static void test_sqlite(const char *dir)
{
	char jsonl[128], db[128], rot[140];
	struct collector_store_cfg cfg = { .jsonl = jsonl, .sqlite = db, .keep = 2 };
	struct collector_stats st = { 0 };
	struct collector_store_scan scan;
	struct collector_store *store = NULL;
	struct collector_ingest_ctx c = { .seq_window = 1000, .max_sensors = 100 };
	char json[512];
	uint8_t seq[8];
	int ok = 1;
	FILE *fp;

	c.auth = test_auth(0);
	snprintf(jsonl, sizeof(jsonl), "%s/db.jsonl", dir);
	snprintf(db, sizeof(db), "%s/events.db", dir);
	if (collector_store_open(&cfg, &store, &scan, json, sizeof(json))) {
		check("sqlite: open", 0);
		printf("    %s\n", json);
		return;
	}
	for (int i = 1; i <= 5; i++) {
		struct wire_frame f[4] = { { "VGL1", 4 }, { "edge", 4 }, { seq, 8 }, { json, 0 } };
		struct collector_ingest_out out;

		snprintf(json, sizeof(json),
			 "{\"timestamp\":\"2026-11-23T13:00:0%d.500000+0100\",\"event_type\":\"alert\","
			 "\"src_ip\":\"10.0.0.%d\",\"dest_ip\":\"192.0.2.7\",\"alert\":{\"severity\":%d},"
			 "\"vigil\":{\"detector\":\"%s\"}}", i, i, i % 3 + 1, i % 2 ? "flood" : "portscan");
		f[3].len = strlen(json);
		wire_put_u64(seq, (uint64_t)i);
		c.store = store;
		ok &= collector_ingest(&c, COLLECTOR_AUTH_KEYLESS, f, 4, 1800000000000000, &st, &out) == 0 &&
		      out.result == COLLECTOR_INGEST_STORED;
	}
	ok &= collector_store_flush(store) == 0;
	collector_store_free(store);
	check("sqlite: 5 events stored", ok && count_rows(db, "1") == 5);
	check("sqlite: columns (detector, severity, address, UTC time)",
	      count_rows(db, "detector = 'flood'") == 3 && count_rows(db, "severity = 1") == 1 &&
	      count_rows(db, "src_ip = '10.0.0.4' AND dest_ip = '192.0.2.7'") == 1 &&
	      count_rows(db, "seq = 1 AND ts_us = 1795435201500000") == 1);

	/* a crash after the file got a line but before the database committed it */
	fp = fopen(jsonl, "a");
	fputs("{\"event_type\":\"flow\",\"sensor_name\":\"edge\",\"vigil_seq\":6}\n", fp);
	fclose(fp);
	store = NULL;
	if (collector_store_open(&cfg, &store, &scan, json, sizeof(json))) {
		check("sqlite: reopen", 0);
		return;
	}
	check("sqlite: reopen recovers seq 6 and imports the missing line",
	      collector_store_last(store, "edge", 4) == 6 && scan.db_rows == 5 && scan.imported == 1 &&
	      count_rows(db, "seq = 6 AND event_type = 'flow'") == 1);
	collector_store_free(store);

	/* rotation: every flush of a file over 1 byte rotates; keep = 2 */
	cfg.rotate_bytes = 1;
	store = NULL;
	ok = collector_store_open(&cfg, &store, &scan, json, sizeof(json)) == 0;
	for (int i = 7; ok && i <= 9; i++) {
		struct collector_store_meta m = { .ts_us = INT64_MIN, .event_type = "flow" };

		snprintf(json, sizeof(json), "{\"event_type\":\"flow\",\"sensor_name\":\"edge\",\"vigil_seq\":%d}", i);
		ok &= collector_store_append(store, "edge", 4, (uint64_t)i, json, strlen(json), &m, 0) == 0 &&
		      collector_store_flush(store) == 0;
	}
	collector_store_free(store);
	snprintf(rot, sizeof(rot), "%s.3", jsonl);
	ok &= access(rot, F_OK) != 0;
	snprintf(rot, sizeof(rot), "%s.2", jsonl);
	ok &= access(rot, F_OK) == 0;
	check("sqlite: rotation keeps FILE.1 and FILE.2 only, database has all 9", ok && count_rows(db, "1") == 9);
	store = NULL;
	ok = collector_store_open(&cfg, &store, &scan, json, sizeof(json)) == 0;
	check("sqlite: after rotation the seq comes from the database",
	      ok && collector_store_last(store, "edge", 4) == 9 && scan.imported == 0);
	collector_store_free(store);
	for (int k = 1; k <= 2; k++) {
		snprintf(rot, sizeof(rot), "%s.%d", jsonl, k);
		unlink(rot);
	}
	unlink(jsonl);
	unlink(db);
	snprintf(rot, sizeof(rot), "%s-wal", db);
	unlink(rot);
	snprintf(rot, sizeof(rot), "%s-shm", db);
	unlink(rot);
	collector_auth_free(c.auth);
}

/* Token buckets: a key's burst is one second of its rate; time refills it. */
static void test_rate(void)
{
	struct collector_auth *a = test_auth(3);
	int64_t t = 1700000000000000;
	int passed = 0;

	if (!a) {
		check("rate: auth", 0);
		return;
	}
	for (int i = 0; i < 4; i++)
		passed += collector_auth_check(a, 0, "s1", 2, t) == COLLECTOR_AUTH_OK;
	check("rate: key_rate 3/s lets a burst of 3 through, refuses the 4th", passed == 3);
	check("rate: the other key keeps its own bucket", collector_auth_check(a, 1, "other", 5, t) == COLLECTOR_AUTH_OK);
	check("rate: one second later the key may send again", collector_auth_check(a, 0, "s1", 2, t + 1000000) ==
	      COLLECTOR_AUTH_OK);
	check("rate: a name bound to another key is refused first",
	      collector_auth_check(a, 1, "s1", 2, t + 2000000) == COLLECTOR_AUTH_IDENTITY);
	collector_auth_free(a);
}

/* After a rate refusal, a later seq of that name is held back: never stored as a gap over it and acked. */
static void test_hold(const char *dir)
{
	char jsonl[128];
	struct collector_store_cfg cfg = { .jsonl = jsonl };
	struct collector_ingest_ctx c = { .seq_window = 1000, .max_sensors = 100 };
	struct collector_stats st = { 0 };
	static const struct {
		uint64_t seq;
		int64_t t_s;
		enum collector_ingest_result result;
		enum collector_refusal refusal;
		uint64_t ack;
	} steps[] = {
		{ 1, 0, COLLECTOR_INGEST_STORED, COLLECTOR_REFUSE_NONE, 1 },
		{ 2, 0, COLLECTOR_INGEST_STORED, COLLECTOR_REFUSE_NONE, 2 },
		{ 3, 0, COLLECTOR_INGEST_REFUSED, COLLECTOR_REFUSE_KEY_RATE, 0 },	/* key_rate 2/s used up */
		{ 4, 1, COLLECTOR_INGEST_REFUSED, COLLECTOR_REFUSE_KEY_RATE, 0 },	/* tokens again, but 3 first */
		{ 3, 1, COLLECTOR_INGEST_STORED, COLLECTOR_REFUSE_NONE, 3 },
		{ 4, 2, COLLECTOR_INGEST_STORED, COLLECTOR_REFUSE_NONE, 4 },	/* the held one took a token */
		{ 5, 2, COLLECTOR_INGEST_STORED, COLLECTOR_REFUSE_NONE, 5 },
		{ 6, 2, COLLECTOR_INGEST_REFUSED, COLLECTOR_REFUSE_KEY_RATE, 0 },
		{ 7, 50, COLLECTOR_INGEST_REFUSED, COLLECTOR_REFUSE_KEY_RATE, 0 },	/* held: 6 may still come */
		{ 7, 200, COLLECTOR_INGEST_GAP, COLLECTOR_REFUSE_NONE, 7 },	/* 6 never came back: dropped */
	};
	bool ok = true;

	snprintf(jsonl, sizeof(jsonl), "%s/hold.jsonl", dir);
	c.auth = test_auth(2);
	if (!c.auth || collector_store_open(&cfg, &c.store, NULL, NULL, 0)) {
		check("hold: open", 0);
		return;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint8_t seq[8];
		struct wire_frame f[4] = { { "VGL1", 4 }, { "s1", 2 }, { seq, 8 }, { "{\"event_type\":\"a\"}", 18 } };
		struct collector_ingest_out out;

		wire_put_u64(seq, steps[i].seq);
		ok &= collector_ingest(&c, 0, f, 4, 1700000000000000 + steps[i].t_s * 1000000, &st, &out) == 0 &&
		      out.result == steps[i].result && out.refusal == steps[i].refusal &&
		      (out.result == COLLECTOR_INGEST_REFUSED || out.ack == steps[i].ack);
		if (!ok) {
			printf("    step %zu: result=%d refusal=%s ack=%llu\n", i, out.result,
			       collector_refusal_name(out.refusal), (unsigned long long)out.ack);
			break;
		}
	}
	check("hold: a seq after one refused for the rate waits for it (no gap acked over it)", ok);
	check("hold: ...for 90 s at most (a sensor that dropped it sends on)", ok && st.gaps == 1);
	collector_store_free(c.store);
	collector_auth_free(c.auth);
	unlink(jsonl);
}

/* The allowlist's rules: a key names its sensors; no name twice, no key twice. */
static void test_allowlist(void)
{
	static const struct {
		const char *name;
		const char *entry[2];
		int n, rc;
	} cases[] = {
		{ "key with two names", { "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 edge-1 edge-2" }, 1, 0 },
		{ "bare key (no name) refused", { "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7" }, 1, -EINVAL },
		{ "39-character key refused", { "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf edge" }, 1, -EINVAL },
		{ "same name for two keys refused", { "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 edge",
						       "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID edge" }, 2, -EINVAL },
		{ "same key twice refused", { "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 a",
					       "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 b" }, 2, -EINVAL },
	};
	struct collector_auth_cfg acfg = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char entries[2][COLLECTOR_KEY_ENTRY] = { { 0 } }, err[256] = "";
		struct collector_auth *a = NULL;
		int rc;

		for (int k = 0; k < cases[i].n; k++)
			snprintf(entries[k], sizeof(entries[k]), "%s", cases[i].entry[k]);
		rc = collector_auth_new(entries[0], sizeof(entries[0]), (uint32_t)cases[i].n, &acfg, &a, err, sizeof(err));
		check(cases[i].name, rc == cases[i].rc);
		if (rc)
			printf("    (%s)\n", err);
		collector_auth_free(a);
	}
}

/*
 * Issue 20, finding 1: a row an older collector stored with seq >= 2^63
 * (SQLite keeps it negative) and its JSON-lines line must not stop a start:
 * both are set aside in the table quarantine, once, and the collector opens.
 */
static void test_quarantine(const char *dir)
{
	char jsonl[128], db[128], sql[512], err[256] = "";
	struct collector_store_cfg cfg = { .jsonl = jsonl, .sqlite = db };
	struct collector_store_scan scan;
	struct collector_store *store = NULL;
	sqlite3 *h = NULL;
	FILE *fp;
	int ok;

	snprintf(jsonl, sizeof(jsonl), "%s/q.jsonl", dir);
	snprintf(db, sizeof(db), "%s/q.db", dir);
	fp = fopen(jsonl, "w");
	ok = fp && fprintf(fp, "{\"event_type\":\"a\",\"sensor_name\":\"v\",\"vigil_seq\":1}\n"
			       "{\"event_type\":\"a\",\"sensor_name\":\"v\",\"vigil_seq\":9223372036854775808}\n") > 0;
	if (fp)
		fclose(fp);
	ok &= collector_store_open(&cfg, &store, &scan, err, sizeof(err)) == 0;
	check("quarantine: a line with seq 2^63 does not stop the first open", ok);
	if (!ok)
		printf("    %s\n", err);
	check("quarantine: ...it is set aside, seq 1 imported", scan.quarantined == 1 && scan.imported == 1 &&
	      store && collector_store_last(store, "v", 1) == 1);
	collector_store_free(store);
	store = NULL;
	/* as the old collector did: the row itself, stored negative */
	snprintf(sql, sizeof(sql), "INSERT INTO events(sensor, seq, event_type, received_us, json) VALUES "
		 "('v', -9223372036854775808, 'a', 0, '{}')");
	ok = sqlite3_open(db, &h) == SQLITE_OK && sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(h);
	ok &= collector_store_open(&cfg, &store, &scan, err, sizeof(err)) == 0;
	check("quarantine: a negative row and the line again: the store opens", ok);
	check("quarantine: both set aside, the sensor's seq is still 1", scan.quarantined == 2 && store &&
	      collector_store_last(store, "v", 1) == 1);
	collector_store_free(store);
	check("quarantine: the table holds each once (reason, sensor, seq)",
	      count_rows(db, "seq < 1") == 0 && count_rows(db, "1") == 1);
	ok = sqlite3_open(db, &h) == SQLITE_OK;
	{
		sqlite3_stmt *st = NULL;

		ok &= sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM quarantine WHERE reason = 'bad_seq'", -1, &st, NULL) ==
		      SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 2;
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	check("quarantine: 2 rows in table quarantine", ok);
}

/* Events nested 33..64 deep are accepted by the ingest: the rescan must read them back too. */
static void test_deep(const char *dir)
{
	char jsonl[128], json[512] = "{\"event_type\":\"a\",\"d\":";
	struct collector_store_cfg cfg = { .jsonl = jsonl };
	struct collector_ingest_ctx c = { .seq_window = 1000, .max_sensors = 100 };
	struct collector_store_scan scan;
	struct collector_ingest_out out;
	struct collector_stats st = { 0 };
	uint8_t seq[8];
	int ok;

	snprintf(jsonl, sizeof(jsonl), "%s/deep.jsonl", dir);
	for (int i = 0; i < 50; i++)
		strcat(json, "[");
	for (int i = 0; i < 50; i++)
		strcat(json, "]");
	strcat(json, "}");
	c.auth = test_auth(0);
	ok = c.auth && collector_store_open(&cfg, &c.store, NULL, NULL, 0) == 0;
	wire_put_u64(seq, 1);
	{
		struct wire_frame f[4] = { { "VGL1", 4 }, { "deep", 4 }, { seq, 8 }, { json, strlen(json) } };

		ok &= ok && collector_ingest(&c, COLLECTOR_AUTH_KEYLESS, f, 4, 1700000000000000, &st, &out) == 0 &&
		      out.result == COLLECTOR_INGEST_STORED && collector_store_flush(c.store) == 0;
	}
	collector_store_free(c.store);
	c.store = NULL;
	ok &= collector_store_open(&cfg, &c.store, &scan, NULL, 0) == 0;
	check("deep: an event nested 51 deep is stored and recovered by the rescan",
	      ok && scan.unusable == 0 && collector_store_last(c.store, "deep", 4) == 1);
	collector_store_free(c.store);
	collector_auth_free(c.auth);
	unlink(jsonl);
}

int main(void)
{
	char dir[] = "/tmp/vigil-ingest.XXXXXX", path[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	printf("ingest rules:\n");
	test_rows(path);
	printf("store rescan:\n");
	test_rescan(path);
	unlink(path);
	printf("sqlite store:\n");
	test_sqlite(dir);
	printf("identity, rates, recovery (issue 20):\n");
	test_allowlist();
	test_rate();
	test_hold(dir);
	test_quarantine(dir);
	test_deep(dir);
	rmdir(dir);
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}

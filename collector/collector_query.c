// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_query.c: a reader for the collector's store, so operators see
 * alerts without a SIEM: one row per alert with who, what and how far from
 * normal. SQLite does the filtering when it is on; the JSON-lines fallback
 * applies the same filters itself. Lines that do not parse are skipped.
 */
#include <arpa/inet.h>
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

/* The incident view's columns (--incidents): one row per incident. */
enum collector_query_icol {
	ICOL_FIRST,
	ICOL_LAST,
	ICOL_SENSOR,
	ICOL_DETECTOR,
	ICOL_HOSTS,
	ICOL_PEAK,
	ICOL_STATE,
	ICOL_EVIDENCE,
	ICOL_MAX,
};

#define COLLECTOR_QUERY_CELL 160
#define COLLECTOR_QUERY_COLS_MAX 9
#define COLLECTOR_QUERY_LINE 120	/* a table row never runs wider */

_Static_assert(COL_MAX <= COLLECTOR_QUERY_COLS_MAX && ICOL_MAX <= COLLECTOR_QUERY_COLS_MAX, "columns");

/* One table layout: headers, the narrowest a column shrinks to, the widest it grows to. */
struct collector_query_layout {
	int ncols;
	const char *head[COLLECTOR_QUERY_COLS_MAX];
	int minw[COLLECTOR_QUERY_COLS_MAX];
	int maxw[COLLECTOR_QUERY_COLS_MAX];
};

static const struct collector_query_layout collector_query_alerts = {
	.ncols = COL_MAX,
	.head = { "TIME", "SENSOR", "SEV", "DETECTOR", "STATE", "SIGNATURE", "SRC -> DEST", "OBS vs EXPECTED" },
	.minw = { 19, 6, 3, 10, 6, 11, 33, 18 },
	.maxw = { 19, 16, 3, 10, 6, 40, 46, 40 },
};

static const struct collector_query_layout collector_query_incidents = {
	.ncols = ICOL_MAX,
	.head = { "FIRST SEEN", "LAST", "SENSOR", "DETECTOR", "HOSTS", "PEAK vs EXPECTED", "STATE", "EVIDENCE" },
	.minw = { 19, 8, 6, 10, 16, 16, 5, 12 },
	.maxw = { 19, 8, 16, 10, 40, 24, 5, 40 },
};

struct collector_query_row {
	char cell[COLLECTOR_QUERY_COLS_MAX][COLLECTOR_QUERY_CELL];
};

/* A matching event kept for the first print, which is in time order. */
struct collector_query_line {
	int64_t ts_us;		/* INT64_MIN: no timestamp (first) */
	uint64_t n;		/* arrival order, for equal times */
	char *line;
};

struct collector_query_net {
	uint8_t addr[16];	/* IPv4 as ::ffff:a.b.c.d */
	unsigned int bits;
};

/* One incident of the view: its events folded together in time order. */
struct collector_query_incident {
	char sensor[64];
	uint64_t id;
	int64_t first_us, last_us;
	char first[32], last[32];	/* table cells ("2026-11-23 13:00:00") */
	char first_raw[40], last_raw[40];	/* the events' timestamps, for CSV */
	char detector[24], hosts[COLLECTOR_QUERY_CELL], metric[24], state[8], evidence[96];
	double peak, expected;
	bool has_peak;
};

struct collector_query {
	const struct collector_query_opts *o;
	const char *type;		/* effective event_type filter, NULL for all */
	bool alert_types;		/* alert and incident events (the incident view) */
	struct collector_query_net net;	/* --addr as a prefix */
	bool has_net;
	FILE *out;
	struct collector_query_line *lines;	/* matching events kept for the first print */
	size_t nlines, cap;
	uint64_t arrived;
	const struct collector_query_layout *lay;
	int width[COLLECTOR_QUERY_COLS_MAX];
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

/* "2026-11-23T13:00:00.123456+0000" as "2026-11-23 13:00:00" (UTC), the cell of a table */
static void collector_query_time(char *buf, size_t len, const char *ts)
{
	int64_t us;
	time_t t;
	struct tm tm;

	if (!ts || collector_store_parse_ts(ts, &us)) {
		snprintf(buf, len, "%s", ts ? ts : "-");
		return;
	}
	t = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* a number in at most 6 characters: 812, 1523, 12.3k, 4.1M */
static void collector_query_short(char *buf, size_t len, double v)
{
	static const char *const sfx[] = { "", "k", "M", "G", "T" };
	int i = 0;

	if (v < 10000 && v > -10000) {
		snprintf(buf, len, "%.4g", v);
		return;
	}
	while ((v >= 1000 || v <= -1000) && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, "%.3g%s", v, sfx[i]);
}

static bool collector_query_double(struct json_object *o, const char *key, double *v)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, "vigil", &x) || !json_object_object_get_ex(x, key, &x) ||
	    (!json_object_is_type(x, json_type_double) && !json_object_is_type(x, json_type_int)))
		return false;
	*v = json_object_get_double(x);
	return true;
}

/* "src -> dest proto" with ports, IPv6 in brackets */
static void collector_query_hosts(struct json_object *o, char *buf, size_t len)
{
	const char *proto = collector_query_str(o, "proto", NULL);
	char a[72], b[72];

	collector_query_endpoint(a, sizeof(a), collector_query_str(o, "src_ip", NULL), collector_query_str(o, "src_port", NULL));
	collector_query_endpoint(b, sizeof(b), collector_query_str(o, "dest_ip", NULL), collector_query_str(o, "dest_port", NULL));
	snprintf(buf, len, "%s -> %s%s%.8s", a, b, proto ? " " : "", proto ? proto : "");
}

static void collector_query_fill(struct json_object *o, struct collector_query_row *r, bool full_time)
{
	const char *s, *obs, *exp, *metric;
	char on[32], en[32];

	memset(r, 0, sizeof(*r));
	s = collector_query_str(o, "timestamp", NULL);
	if (full_time)
		snprintf(r->cell[COL_TIME], COLLECTOR_QUERY_CELL, "%s", s ? s : "");
	else
		collector_query_time(r->cell[COL_TIME], COLLECTOR_QUERY_CELL, s);
	snprintf(r->cell[COL_SENSOR], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "sensor_name", NULL)) ? s : "-");
	snprintf(r->cell[COL_SEV], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "alert", "severity")) ? s : "-");
	snprintf(r->cell[COL_DETECTOR], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "vigil", "detector")) ? s : "-");
	snprintf(r->cell[COL_STATE], COLLECTOR_QUERY_CELL, "%s", (s = collector_query_str(o, "vigil", "state")) ? s : "-");
	s = collector_query_str(o, "alert", "signature");
	if (!s)
		s = collector_query_str(o, "event_type", NULL);
	/* the table drops the "VIGIL " every signature starts with: room for what follows */
	if (s && !full_time && !strncmp(s, "VIGIL ", 6) && s[6])
		s += 6;
	snprintf(r->cell[COL_SIGNATURE], COLLECTOR_QUERY_CELL, "%s", s ? s : "-");
	collector_query_hosts(o, r->cell[COL_FLOW], COLLECTOR_QUERY_CELL);
	if (full_time) {
		obs = collector_query_num(o, "observed", on, sizeof(on));
		exp = collector_query_num(o, "expected", en, sizeof(en));
	} else {
		/* the table: short numbers (25.2k) */
		double v;

		obs = collector_query_double(o, "observed", &v) ? (collector_query_short(on, sizeof(on), v), on) : NULL;
		exp = collector_query_double(o, "expected", &v) ? (collector_query_short(en, sizeof(en), v), en) : NULL;
	}
	metric = collector_query_str(o, "vigil", "metric");
	if (obs || exp)
		snprintf(r->cell[COL_VALUE], COLLECTOR_QUERY_CELL, "%s vs %s%s%s", obs ? obs : "?", exp ? exp : "?",
			 metric ? " " : "", metric ? metric : "");
	else
		snprintf(r->cell[COL_VALUE], COLLECTOR_QUERY_CELL, "-");
	for (int c = 0; c < COL_MAX; c++)
		collector_query_escape(r->cell[c]);
}

/* One CSV field (RFC 4180: quoted when it holds a comma, a quote or a line break). */
static void collector_query_csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void collector_query_print_row(struct collector_query *q, char cell[][COLLECTOR_QUERY_CELL])
{
	char line[COLLECTOR_QUERY_LINE + 8];
	int c, off = 0;

	if (q->o->csv) {
		for (c = 0; c < q->lay->ncols; c++) {
			if (c)
				fputc(',', q->out);
			collector_query_csv_field(q->out, cell[c]);
		}
		fputc('\n', q->out);
		return;
	}
	/* each cell cut to its column (a '~' marks the cut), the row to COLLECTOR_QUERY_LINE */
	for (c = 0; c < q->lay->ncols && off < COLLECTOR_QUERY_LINE; c++) {
		int w = c == q->lay->ncols - 1 ? COLLECTOR_QUERY_LINE - off : q->width[c];
		int n = (int)strlen(cell[c]);

		if (w <= 0)
			break;
		if (n > w) {
			memcpy(line + off, cell[c], (size_t)(w - 1));
			line[off + w - 1] = '~';
			n = w;
		} else {
			memcpy(line + off, cell[c], (size_t)n);
		}
		if (c == q->lay->ncols - 1) {
			off += n;
			break;
		}
		memset(line + off + n, ' ', (size_t)(w - n + 2));
		off += w + 2;
	}
	while (off > 0 && line[off - 1] == ' ')
		off--;
	line[off] = '\0';
	fprintf(q->out, "%s\n", line);
}

static void collector_query_header(struct collector_query *q)
{
	char head[COLLECTOR_QUERY_COLS_MAX][COLLECTOR_QUERY_CELL];

	for (int c = 0; c < q->lay->ncols; c++)
		snprintf(head[c], COLLECTOR_QUERY_CELL, "%s", q->lay->head[c]);
	collector_query_print_row(q, head);
}

/*
 * Column widths: each column as wide as its widest cell within [min, max];
 * then, while the row is wider than COLLECTOR_QUERY_LINE, the last column and
 * then the one with the most room above its minimum give one character each.
 */
static void collector_query_widths(struct collector_query *q, const struct collector_query_row *rows, size_t n)
{
	const struct collector_query_layout *l = q->lay;
	int c, total;

	for (c = 0; c < l->ncols; c++) {
		int w = (int)strlen(l->head[c]);

		for (size_t i = 0; i < n; i++) {
			int x = (int)strlen(rows[i].cell[c]);

			if (x > w)
				w = x;
		}
		q->width[c] = w < l->minw[c] ? l->minw[c] : w > l->maxw[c] ? l->maxw[c] : w;
	}
	for (;;) {
		int best = -1;

		for (c = 0, total = 0; c < l->ncols; c++)
			total += q->width[c] + (c ? 2 : 0);
		if (total <= COLLECTOR_QUERY_LINE)
			break;
		/* the last column first (it is cut at the row's end anyway), then the one with most room */
		if (q->width[l->ncols - 1] > l->minw[l->ncols - 1])
			best = l->ncols - 1;
		for (c = 0; best < 0 && c < l->ncols; c++)
			if (q->width[c] > l->minw[c] &&
			    (best < 0 || q->width[c] - l->minw[c] > q->width[best] - l->minw[best]))
				best = c;
		if (best < 0)
			break;
		q->width[best]--;
	}
}

int collector_query_parse_time(const char *s, int64_t now_us, int64_t *out)
{
	char buf[64], unit, *end;
	long long v;
	int n = 0;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "now")) {
		*out = now_us;
		return 0;
	}
	/* "2h ago" (what --help promises) is "2h" */
	n = (int)strlen(s);
	if (n > 4 && n < (int)sizeof(buf) && !strcmp(s + n - 4, " ago")) {
		snprintf(buf, sizeof(buf), "%.*s", n - 4, s);
		while (n > 4 && buf[strlen(buf) - 1] == ' ')
			buf[strlen(buf) - 1] = '\0';
		return strchr(buf, ' ') || !buf[0] ? -EINVAL : collector_query_parse_time(buf, now_us, out);
	}
	n = 0;
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

int collector_query_parse_addr(const char *s, uint8_t addr[16], unsigned int *bits)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;
	struct in_addr a4;
	bool v4;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(addr, 0, 16);
	v4 = inet_pton(AF_INET, buf, &a4) == 1;
	if (v4) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, buf, addr) != 1) {
		return -EINVAL;
	}
	len = v4 ? 32 : 128;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || len > (v4 ? 32u : 128u))
			return -EINVAL;
	}
	*bits = (unsigned int)len + (v4 ? 96 : 0);
	/* host bits must be clear, as in the config's CIDR lists */
	for (unsigned int i = *bits; i < 128; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	return 0;
}

static bool collector_query_in_net(const struct collector_query_net *n, const char *ip)
{
	uint8_t a[16];
	unsigned int bits, full, rest;

	if (!ip || collector_query_parse_addr(ip, a, &bits) || bits != 128)
		return false;
	full = n->bits / 8;
	rest = n->bits % 8;
	if (memcmp(a, n->addr, full))
		return false;
	return !rest || !((a[full] ^ n->addr[full]) & (uint8_t)(0xff00u >> rest));
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
	if (q->has_net && !collector_query_in_net(&q->net, m.src_ip) && !collector_query_in_net(&q->net, m.dest_ip))
		return false;
	if (f->severity && (m.severity < 1 || m.severity > f->severity))
		return false;
	return true;
}

static bool collector_query_type_ok(const struct collector_query *q, const char *type)
{
	if (q->alert_types)
		return type && (!strcmp(type, "alert") || !strcmp(type, "incident"));
	return !q->type || (type && !strcmp(type, q->type));
}

/* The parsed line if it passes the filter, else NULL. Caller puts it. */
static struct json_object *collector_query_match(struct collector_query *q, const char *line)
{
	struct json_object *o = collector_store_parse_json(line, strlen(line));

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	if (!collector_query_type_ok(q, collector_query_str(o, "event_type", NULL)) || !collector_query_filter(q, o)) {
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
		collector_query_fill(o, &r, q->o->csv);
		collector_query_print_row(q, r.cell);
	}
	fflush(q->out);
}

static int collector_query_keep(struct collector_query *q, const char *line, int64_t ts_us)
{
	char *copy = strdup(line);

	if (!copy)
		return -ENOMEM;
	if (q->nlines == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 256;
		struct collector_query_line *t = realloc(q->lines, cap * sizeof(*t));

		if (!t) {
			free(copy);
			return -ENOMEM;
		}
		q->lines = t;
		q->cap = cap;
	}
	q->lines[q->nlines++] = (struct collector_query_line){ ts_us, q->arrived++, copy };
	return 0;
}

static int collector_query_by_time(const void *a, const void *b)
{
	const struct collector_query_line *x = a, *y = b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* Fold one event into its incident (sensor, vigil.incident_id); events come in time order. */
static void collector_query_fold(struct collector_query_incident *inc, struct json_object *o, int64_t ts_us)
{
	struct json_object *v, *e;
	const char *s;
	double obs, exp;

	s = collector_query_str(o, "timestamp", NULL);
	if (!inc->first[0]) {
		inc->first_us = ts_us;
		collector_query_time(inc->first, sizeof(inc->first), s);
		snprintf(inc->first_raw, sizeof(inc->first_raw), "%s", s ? s : "");
		/* the addresses: an incident's ports and protocol are in its events */
		snprintf(inc->hosts, sizeof(inc->hosts), "%s -> %s",
			 collector_query_str(o, "src_ip", NULL) ? collector_query_str(o, "src_ip", NULL) : "?",
			 collector_query_str(o, "dest_ip", NULL) ? collector_query_str(o, "dest_ip", NULL) : "?");
	}
	inc->last_us = ts_us;
	collector_query_time(inc->last, sizeof(inc->last), s);
	snprintf(inc->last_raw, sizeof(inc->last_raw), "%s", s ? s : "");
	if ((s = collector_query_str(o, "vigil", "detector")))
		snprintf(inc->detector, sizeof(inc->detector), "%s", s);
	if ((s = collector_query_str(o, "vigil", "metric")))
		snprintf(inc->metric, sizeof(inc->metric), "%s", s);
	if ((s = collector_query_str(o, "vigil", "state")))
		snprintf(inc->state, sizeof(inc->state), "%s", !strcmp(s, "end") ? "ended" : "open");
	if (collector_query_double(o, "observed", &obs) && (!inc->has_peak || obs > inc->peak)) {
		inc->peak = obs;
		inc->expected = collector_query_double(o, "expected", &exp) ? exp : 0;
		inc->has_peak = true;
	}
	if (json_object_object_get_ex(o, "vigil", &v) && json_object_object_get_ex(v, "evidence", &e) &&
	    (s = collector_query_str(e, "file", NULL)))
		snprintf(inc->evidence, sizeof(inc->evidence), "%s", s);
}

/* The kept events as one row per incident, in the order incidents began. */
static int collector_query_print_incidents(struct collector_query *q, size_t from)
{
	struct collector_query_incident *inc = calloc(q->nlines ? q->nlines : 1, sizeof(*inc));
	struct collector_query_row *rows = NULL;
	size_t n = 0, first = 0;
	int rc = 0;

	if (!inc)
		return -ENOMEM;
	for (size_t i = from; i < q->nlines; i++) {
		struct json_object *o = collector_store_parse_json(q->lines[i].line, strlen(q->lines[i].line)), *v, *id;
		const char *sensor = o ? collector_query_str(o, "sensor_name", NULL) : NULL;
		uint64_t iid;
		size_t k;

		if (!o || !json_object_object_get_ex(o, "vigil", &v) || !json_object_object_get_ex(v, "incident_id", &id)) {
			json_object_put(o);
			continue;	/* an alert without an incident is not part of this view */
		}
		iid = (uint64_t)json_object_get_int64(id);
		sensor = sensor ? sensor : "-";
		for (k = 0; k < n; k++)
			if (inc[k].id == iid && !strcmp(inc[k].sensor, sensor))
				break;
		if (k == n) {
			snprintf(inc[n].sensor, sizeof(inc[n].sensor), "%s", sensor);
			inc[n++].id = iid;
		}
		collector_query_fold(&inc[k], o, q->lines[i].ts_us);
		json_object_put(o);
	}
	if (q->o->limit && n > q->o->limit)
		first = n - q->o->limit;	/* the newest N incidents */
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		rc = -ENOMEM;
		goto cleanup;
	}
	for (size_t k = first; k < n; k++) {
		struct collector_query_row *r = &rows[k - first];
		char p[16], e[16];
		const char *last = inc[k].last;

		/* the last time alone when it is the first one's day; CSV: the events' own timestamps */
		if (q->o->csv)
			last = inc[k].last_raw;
		else if (!strncmp(inc[k].first, inc[k].last, 11))
			last += 11;
		snprintf(r->cell[ICOL_FIRST], COLLECTOR_QUERY_CELL, "%s", q->o->csv ? inc[k].first_raw : inc[k].first);
		snprintf(r->cell[ICOL_LAST], COLLECTOR_QUERY_CELL, "%s", last);
		snprintf(r->cell[ICOL_SENSOR], COLLECTOR_QUERY_CELL, "%s", inc[k].sensor);
		snprintf(r->cell[ICOL_DETECTOR], COLLECTOR_QUERY_CELL, "%s", inc[k].detector[0] ? inc[k].detector : "-");
		snprintf(r->cell[ICOL_HOSTS], COLLECTOR_QUERY_CELL, "%s", inc[k].hosts);
		if (inc[k].has_peak) {
			collector_query_short(p, sizeof(p), inc[k].peak);
			collector_query_short(e, sizeof(e), inc[k].expected);
			snprintf(r->cell[ICOL_PEAK], COLLECTOR_QUERY_CELL, "%s vs %s %s", p, e, inc[k].metric);
		} else {
			snprintf(r->cell[ICOL_PEAK], COLLECTOR_QUERY_CELL, "-");
		}
		snprintf(r->cell[ICOL_STATE], COLLECTOR_QUERY_CELL, "%s", inc[k].state[0] ? inc[k].state : "open");
		snprintf(r->cell[ICOL_EVIDENCE], COLLECTOR_QUERY_CELL, "%s", inc[k].evidence[0] ? inc[k].evidence : "-");
		/* the table drops the .pcapng every evidence file has */
		if (!q->o->csv && strlen(r->cell[ICOL_EVIDENCE]) > 7 &&
		    !strcmp(r->cell[ICOL_EVIDENCE] + strlen(r->cell[ICOL_EVIDENCE]) - 7, ".pcapng"))
			r->cell[ICOL_EVIDENCE][strlen(r->cell[ICOL_EVIDENCE]) - 7] = '\0';
		for (int c = 0; c < ICOL_MAX; c++)
			collector_query_escape(r->cell[c]);
	}
	collector_query_widths(q, rows, n - first);
	collector_query_header(q);
	for (size_t k = first; k < n; k++)
		collector_query_print_row(q, rows[k - first].cell);
cleanup:
	free(rows);
	free(inc);
	return rc;
}

/* Print what was kept, in time order (the newest `limit` of it), sizing the columns to it. */
static int collector_query_print_kept(struct collector_query *q)
{
	struct collector_query_row *rows = NULL;
	size_t from = 0;
	int rc = 0;

	if (q->nlines > 1)
		qsort(q->lines, q->nlines, sizeof(*q->lines), collector_query_by_time);
	if (q->o->incidents) {
		rc = collector_query_print_incidents(q, 0);
		goto cleanup;
	}
	if (q->o->limit && q->nlines > q->o->limit)
		from = q->nlines - q->o->limit;
	if (q->o->json) {
		for (size_t i = from; i < q->nlines; i++)
			collector_query_print_json(q->out, q->lines[i].line);
		goto cleanup;
	}
	rows = calloc(q->nlines - from ? q->nlines - from : 1, sizeof(*rows));
	if (!rows) {
		rc = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = from; i < q->nlines; i++) {
		struct json_object *o = collector_store_parse_json(q->lines[i].line, strlen(q->lines[i].line));

		collector_query_fill(o, &rows[i - from], q->o->csv);
		json_object_put(o);
	}
	collector_query_widths(q, rows, q->nlines - from);
	collector_query_header(q);
	for (size_t i = from; i < q->nlines; i++)
		collector_query_print_row(q, rows[i - from].cell);
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
		if (keep) {
			struct collector_store_meta m;

			collector_store_meta_from(o, &m);
			rc = collector_query_keep(q, line, m.ts_us);
		} else {
			collector_query_emit(q, line, o);
		}
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

/* SQL vigil_in_net(ip): the --addr prefix holds ip (the query's struct is the function's data). */
static void collector_query_sql_in_net(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct collector_query *q = sqlite3_user_data(ctx);
	const char *ip = argc == 1 ? (const char *)sqlite3_value_text(argv[0]) : NULL;

	sqlite3_result_int(ctx, collector_query_in_net(&q->net, ip));
}

/*
 * SELECT the matching events with id > after. first: the first print, in
 * time order (the caller keeps the newest --limit); else arrival order for
 * --follow. Bound parameters follow the filters in order.
 */
static int collector_query_prepare(struct collector_query *q, sqlite3 *db, bool first, sqlite3_stmt **out)
{
	const struct collector_query_opts *f = q->o;
	char sql[1200];
	size_t off = 0;
	int idx = 1;
	sqlite3_stmt *st;

#define Q_ADD(...) (off += (size_t)snprintf(sql + off, sizeof(sql) - off, __VA_ARGS__))
	Q_ADD("SELECT id, json, COALESCE(ts_us, %lld) FROM events WHERE id > ?", (long long)INT64_MIN);
	if (q->alert_types)
		Q_ADD(" AND event_type IN ('alert', 'incident')");
	else if (q->type)
		Q_ADD(" AND event_type = ?");
	if (f->has_since)
		Q_ADD(" AND ts_us >= ?");
	if (f->has_until)
		Q_ADD(" AND ts_us < ?");
	if (f->sensor)
		Q_ADD(" AND sensor = ?");
	if (f->detector)
		Q_ADD(" AND detector = ?");
	if (q->has_net)
		Q_ADD(" AND (vigil_in_net(src_ip) OR vigil_in_net(dest_ip))");
	if (f->severity)
		Q_ADD(" AND severity BETWEEN 1 AND ?");
	if (first && f->limit && !f->incidents) {
		char inner[1000];

		/* the newest N by time, printed oldest first; the filters are a few hundred bytes at most */
		snprintf(inner, sizeof(inner), "%.900s ORDER BY 3 DESC, id DESC LIMIT %u", sql, f->limit);
		off = 0;
		Q_ADD("SELECT * FROM (%s) ORDER BY 3, id", inner);
	} else {
		Q_ADD(first ? " ORDER BY 3, id" : " ORDER BY id");
	}
#undef Q_ADD
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, idx++, 0);
	if (q->type && !q->alert_types)
		sqlite3_bind_text(st, idx++, q->type, -1, SQLITE_STATIC);
	if (f->has_since)
		sqlite3_bind_int64(st, idx++, f->since_us);
	if (f->has_until)
		sqlite3_bind_int64(st, idx++, f->until_us);
	if (f->sensor)
		sqlite3_bind_text(st, idx++, f->sensor, -1, SQLITE_STATIC);
	if (f->detector)
		sqlite3_bind_text(st, idx++, f->detector, -1, SQLITE_STATIC);
	if (f->severity)
		sqlite3_bind_int(st, idx++, f->severity);
	*out = st;
	return 0;
}

/* Run st from id > *after; keep (initial print) or print each row; raises *after. */
static int collector_query_rows(struct collector_query *q, sqlite3_stmt *st, int64_t *after, bool keep)
{
	int64_t from = *after;
	int rc = 0, step;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, from);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 1);
		struct json_object *o;
		int64_t id = sqlite3_column_int64(st, 0);

		if (id > *after)
			*after = id;	/* rows come in time order: the highest id may not be last */
		if (!line)
			continue;
		if (keep) {
			rc = collector_query_keep(q, line, sqlite3_column_int64(st, 2));
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
	if (sqlite3_create_function(db, "vigil_in_net", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, q,
				    collector_query_sql_in_net, NULL, NULL) != SQLITE_OK) {
		rc = -EIO;
		goto cleanup;
	}
	rc = collector_query_prepare(q, db, true, &first);
	if (rc)
		goto cleanup;
	rc = collector_query_rows(q, first, &after, true);
	if (rc)
		goto cleanup;
	rc = collector_query_print_kept(q);
	if (rc || !q->o->follow)
		goto cleanup;
	rc = collector_query_prepare(q, db, false, &next);
	if (!rc && q->o->limit) {
		sqlite3_stmt *mx;

		/* a limited first pass saw only the newest rows: follow from the newest of all */
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
	q.alert_types = o->incidents || (!o->event_type && !o->json);
	q.lay = o->incidents ? &collector_query_incidents : &collector_query_alerts;
	for (int c = 0; c < q.lay->ncols; c++)
		q.width[c] = q.lay->maxw[c] < 20 ? q.lay->maxw[c] : q.lay->minw[c] + 8;
	if (o->addr) {
		if (collector_query_parse_addr(o->addr, q.net.addr, &q.net.bits))
			return -EINVAL;
		q.has_net = true;
	}
	if (o->incidents && (o->follow || o->json))
		return -EINVAL;
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
		free(q.lines[i].line);
	free(q.lines);
	if (fp)
		fclose(fp);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_store.c: the collector's only durable state is its JSON-lines file;
 * the per-sensor dedup table is rebuilt from "sensor_name" and "vigil_seq" of
 * every line, and a line torn by a crash is cut off (it was never acked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "wire.h"
#include "collector_store.h"

struct collector_store_sensor {
	char name[WIRE_NAME_MAX + 1];
	size_t len;
	uint64_t last;
};

struct collector_store {
	FILE *fp;
	/* a handful of sensors per collector: a linear table is enough */
	struct collector_store_sensor *sensors;
	size_t n, cap;
};

static struct collector_store_sensor *collector_store_find(const struct collector_store *s,
							   const char *name, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->sensors[i].len == len && !memcmp(s->sensors[i].name, name, len))
			return &s->sensors[i];
	return NULL;
}

static int collector_store_raise(struct collector_store *s, const char *name, size_t len, uint64_t seq)
{
	struct collector_store_sensor *e = collector_store_find(s, name, len);

	if (!e) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 8;
			void *t = realloc(s->sensors, cap * sizeof(*s->sensors));

			if (!t)
				return -ENOMEM;
			s->sensors = t;
			s->cap = cap;
		}
		e = &s->sensors[s->n++];
		memcpy(e->name, name, len);
		e->name[len] = '\0';
		e->len = len;
		e->last = 0;
	}
	if (seq > e->last)
		e->last = seq;
	return 0;
}

/* Take sensor_name and vigil_seq from one stored line. Returns 1 if used, 0 if not, -ENOMEM. */
static int collector_store_scan_line(struct collector_store *s, const char *line, size_t len)
{
	struct json_object *o = json_tokener_parse(line), *name, *seq;
	int rc = 0;

	(void)len;
	if (!o || !json_object_is_type(o, json_type_object))
		goto cleanup;
	if (!json_object_object_get_ex(o, "sensor_name", &name) ||
	    !json_object_is_type(name, json_type_string) ||
	    !json_object_object_get_ex(o, "vigil_seq", &seq) || !json_object_is_type(seq, json_type_int))
		goto cleanup;
	if (!wire_name_valid(json_object_get_string(name), (size_t)json_object_get_string_len(name)) ||
	    json_object_get_uint64(seq) == 0)
		goto cleanup;
	rc = collector_store_raise(s, json_object_get_string(name),
				   (size_t)json_object_get_string_len(name), json_object_get_uint64(seq));
	if (rc == 0)
		rc = 1;
cleanup:
	json_object_put(o);
	return rc;
}

static int collector_store_rescan(struct collector_store *s, struct collector_store_scan *scan)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long good = 0;
	int rc = 0;

	rewind(s->fp);
	while ((n = getline(&line, &cap, s->fp)) > 0) {
		if (line[n - 1] != '\n')
			break;	/* torn tail, handled below */
		good += n;
		scan->lines++;
		line[n - 1] = '\0';
		rc = collector_store_scan_line(s, line, (size_t)n - 1);
		if (rc < 0)
			goto cleanup;
		if (rc == 0)
			scan->unusable++;
	}
	rc = 0;
	if (ferror(s->fp)) {
		rc = -EIO;
		goto cleanup;
	}
	if (fseek(s->fp, 0, SEEK_END) || ftell(s->fp) < 0) {
		rc = -errno;
		goto cleanup;
	}
	if (ftell(s->fp) > good) {
		scan->torn_bytes = (uint64_t)(ftell(s->fp) - good);
		if (ftruncate(fileno(s->fp), good)) {
			rc = -errno;
			goto cleanup;
		}
	}
	scan->sensors = s->n;
cleanup:
	free(line);
	return rc;
}

int collector_store_open(const char *path, struct collector_store **out, struct collector_store_scan *scan)
{
	struct collector_store_scan dummy;
	struct collector_store *s;
	int rc;

	if (!scan)
		scan = &dummy;
	memset(scan, 0, sizeof(*scan));
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* "a+": created if missing, readable for the rescan, every write goes to the end */
	s->fp = fopen(path, "a+");
	if (!s->fp) {
		rc = -errno;
		goto cleanup;
	}
	rc = collector_store_rescan(s, scan);
	if (rc)
		goto cleanup;
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

int collector_store_append(struct collector_store *s, const char *name, size_t len, uint64_t seq,
			   const char *line, size_t line_len)
{
	int rc;

	if (len > WIRE_NAME_MAX)
		return -EINVAL;
	/* reserve the table slot first so a failed append leaves no line without a seq */
	rc = collector_store_raise(s, name, len, 0);
	if (rc)
		return rc;
	if (fwrite(line, 1, line_len, s->fp) != line_len || fputc('\n', s->fp) == EOF)
		return errno ? -errno : -EIO;
	return collector_store_raise(s, name, len, seq);
}

int collector_store_flush(struct collector_store *s)
{
	if (fflush(s->fp))
		return errno ? -errno : -EIO;
	return 0;
}

void collector_store_free(struct collector_store *s)
{
	if (!s)
		return;
	if (s->fp)
		fclose(s->fp);
	free(s->sensors);
	free(s);
}

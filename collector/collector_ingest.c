// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_ingest.c: the collector's acceptance rules in one place. Events are
 * stored byte for byte as the sensor sent them; only the fields the rescan
 * needs ("sensor_name", "vigil_seq") are appended when the sensor left them out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "collector_ingest.h"

#define COLLECTOR_INGEST_DEPTH COLLECTOR_JSON_DEPTH
#define COLLECTOR_INGEST_TS_MIN_US 0			/* 1970: replayed captures are old */
#define COLLECTOR_INGEST_TS_AHEAD_US (86400LL * 1000000)	/* a day ahead of the collector's clock */


static bool collector_ingest_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parse a whole payload as one JSON object with a string event_type; cross-check the frames. */
static enum wire_verdict collector_ingest_check(const struct wire_event *ev, struct json_object **objp)
{
	struct json_tokener *tok = json_tokener_new_ex(COLLECTOR_INGEST_DEPTH);
	struct json_object *o = NULL, *v;
	enum wire_verdict verdict = WIRE_BAD_JSON;
	size_t end;

	if (!tok)
		return WIRE_BAD_JSON;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, ev->json, (int)ev->json_len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success)
		goto cleanup;
	for (end = json_tokener_get_parse_end(tok); end < ev->json_len; end++)
		if (!collector_ingest_space(ev->json[end]))
			goto cleanup;
	verdict = WIRE_BAD_NOT_OBJECT;
	if (!json_object_is_type(o, json_type_object))
		goto cleanup;
	verdict = WIRE_BAD_EVENT_TYPE;
	if (!json_object_object_get_ex(o, "event_type", &v) || !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		goto cleanup;
	verdict = WIRE_BAD_MISMATCH;
	if (json_object_object_get_ex(o, "sensor_name", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	     (size_t)json_object_get_string_len(v) != ev->sensor_len ||
	     memcmp(json_object_get_string(v), ev->sensor, ev->sensor_len)))
		goto cleanup;
	if (json_object_object_get_ex(o, "vigil_seq", &v) &&
	    (!json_object_is_type(v, json_type_int) || json_object_get_uint64(v) != ev->seq))
		goto cleanup;
	verdict = WIRE_OK;
	*objp = o;
	o = NULL;
cleanup:
	json_object_put(o);
	json_tokener_free(tok);
	return verdict;
}

/*
 * The stored line: the sensor's own text when it is already one line, else
 * json-c's compact re-serialisation (raw control bytes in the text), with
 * sensor_name / vigil_seq appended before the closing brace when absent.
 * Returns a malloc'ed line or NULL.
 */
static char *collector_ingest_line(const struct wire_event *ev, struct json_object *o, size_t *lenp)
{
	const char *text = ev->json;
	size_t len = ev->json_len, cap, off;
	bool has_name, has_seq, raw = true;
	char *line;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20) {
			raw = false;
			break;
		}
	if (!raw) {
		text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		len = strlen(text);
	}
	while (len && collector_ingest_space(text[len - 1]))
		len--;
	while (len && collector_ingest_space(*text)) {
		text++;
		len--;
	}
	/* a checked object ends with '}' and has at least event_type: append with a comma */
	if (len < 2 || text[len - 1] != '}')
		return NULL;
	has_name = json_object_object_get_ex(o, "sensor_name", NULL);
	has_seq = json_object_object_get_ex(o, "vigil_seq", NULL);
	cap = len + 2 * WIRE_NAME_MAX + 64;
	line = malloc(cap);
	if (!line)
		return NULL;
	off = len - 1;
	memcpy(line, text, off);
	if (!has_name) {
		off += (size_t)snprintf(line + off, cap - off, ",\"sensor_name\":\"");
		for (size_t i = 0; i < ev->sensor_len; i++) {
			/* names are printable ASCII: only these two need escaping */
			if (ev->sensor[i] == '"' || ev->sensor[i] == '\\')
				line[off++] = '\\';
			line[off++] = ev->sensor[i];
		}
		line[off++] = '"';
	}
	if (!has_seq)
		off += (size_t)snprintf(line + off, cap - off, ",\"vigil_seq\":%" PRIu64, ev->seq);
	line[off++] = '}';
	*lenp = off;
	return line;
}

static void collector_ingest_refuse(struct collector_stats *st, struct collector_ingest_out *out,
				    enum collector_refusal why)
{
	out->result = COLLECTOR_INGEST_REFUSED;
	out->refusal = why;
	st->refused_msgs++;
	st->refused_by[why]++;
}

int collector_ingest(const struct collector_ingest_ctx *c, int id, const struct wire_frame *f, size_t n,
		     int64_t now_us, struct collector_stats *st, struct collector_ingest_out *out)
{
	static const enum collector_refusal by_auth[] = {
		[COLLECTOR_AUTH_IDENTITY] = COLLECTOR_REFUSE_IDENTITY,
		[COLLECTOR_AUTH_KEY_RATE] = COLLECTOR_REFUSE_KEY_RATE,
		[COLLECTOR_AUTH_GLOBAL_RATE] = COLLECTOR_REFUSE_GLOBAL_RATE,
	};
	struct collector_store_meta meta;
	struct json_object *o = NULL;
	enum collector_auth_verdict av;
	struct wire_event ev;
	char *line = NULL;
	size_t line_len = 0;
	uint64_t last;
	int rc = 0, held;

	memset(out, 0, sizeof(*out));
	st->received++;
	out->verdict = wire_event_decode(f, n, &ev);
	if (out->verdict != WIRE_OK)
		goto malformed;
	memcpy(out->sensor, ev.sensor, ev.sensor_len);
	out->sensor[ev.sensor_len] = '\0';
	out->seq = ev.seq;
	/* who may use the name comes before parsing anything: a refused key costs little */
	av = collector_auth_check(c->auth, id, ev.sensor, ev.sensor_len, now_us);
	if (av != COLLECTOR_AUTH_OK) {
		/* a rate refusal is transient: hold the name's later seqs back until this one comes again */
		if (av != COLLECTOR_AUTH_IDENTITY &&
		    (collector_store_known(c->store, ev.sensor, ev.sensor_len) ||
		     collector_store_count(c->store) < c->max_sensors) &&
		    collector_store_hold(c->store, ev.sensor, ev.sensor_len, by_auth[av], now_us)) {
			rc = -ENOMEM;
			goto cleanup;
		}
		collector_ingest_refuse(st, out, by_auth[av]);
		goto cleanup;
	}
	out->verdict = collector_ingest_check(&ev, &o);
	if (out->verdict != WIRE_OK)
		goto malformed;
	last = collector_store_last(c->store, ev.sensor, ev.sensor_len);
	if (ev.seq <= last) {
		out->result = COLLECTOR_INGEST_DUPLICATE;
		out->ack = last;
		st->duplicates++;
		goto cleanup;
	}
	/* after a rate refusal, only the refused seq itself (last + 1) may follow: a later one would be
	 * stored as a gap over it and acked, and the sensor would drop what was never stored */
	held = collector_store_held(c->store, ev.sensor, ev.sensor_len, now_us, COLLECTOR_INGEST_HOLD_US);
	if (ev.seq > last + 1 && held) {
		collector_ingest_refuse(st, out, (enum collector_refusal)held);
		goto cleanup;
	}
	/* a gap is the sensor's own word that it dropped events: bounded (a new name starts at 0), so one
	 * message cannot end a name's numbering */
	if (ev.seq - last > c->seq_window) {
		collector_ingest_refuse(st, out, COLLECTOR_REFUSE_SEQ_AHEAD);
		goto cleanup;
	}
	if (!last && !collector_store_known(c->store, ev.sensor, ev.sensor_len) &&
	    collector_store_count(c->store) >= c->max_sensors) {
		collector_ingest_refuse(st, out, COLLECTOR_REFUSE_NAMES);
		goto cleanup;
	}
	line = collector_ingest_line(&ev, o, &line_len);
	if (!line) {
		rc = -ENOMEM;
		goto cleanup;
	}
	collector_store_meta_from(o, &meta);
	if (meta.ts_us != INT64_MIN &&
	    (meta.ts_us < COLLECTOR_INGEST_TS_MIN_US || meta.ts_us > now_us + COLLECTOR_INGEST_TS_AHEAD_US)) {
		/* stored as sent, but not indexed: a year-9999 event must not sort first forever */
		meta.ts_us = INT64_MIN;
		out->bad_timestamp = true;
		st->bad_timestamp++;
	}
	rc = collector_store_append(c->store, ev.sensor, ev.sensor_len, ev.seq, line, line_len, &meta, now_us);
	if (rc)
		goto cleanup;
	st->stored++;
	out->result = COLLECTOR_INGEST_STORED;
	if (ev.seq > last + 1) {
		out->result = COLLECTOR_INGEST_GAP;
		st->gaps++;
	}
	out->ack = ev.seq;
	goto cleanup;
malformed:
	out->result = COLLECTOR_INGEST_MALFORMED;
	st->malformed++;
	st->by_reason[out->verdict]++;
cleanup:
	free(line);
	json_object_put(o);
	return rc;
}

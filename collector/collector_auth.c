// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_auth.c: the binding of CURVE keys to sensor names, and the token
 * buckets that keep one key (or everyone at once) from taking the whole
 * collector. A message's name is believed only when the key its connection
 * proved is bound to that name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector_auth.h"

struct collector_auth_bucket {
	int64_t tokens_us;	/* tokens * 1e6, so the refill needs no floating point */
	int64_t last_us;
};

struct collector_auth_key {
	char key[WIRE_KEY_LEN + 1];
	char names[COLLECTOR_AUTH_NAMES_MAX][WIRE_NAME_MAX + 1];
	uint32_t n_names;
	struct collector_auth_bucket bucket;		/* messages */
	struct collector_auth_bucket handshakes;	/* connections */
};

struct collector_auth {
	struct collector_auth_cfg cfg;
	struct collector_auth_key *keys;
	uint32_t n;
	struct collector_auth_bucket keyless, global;
};

static int collector_auth_fail(char *err, size_t errlen, uint32_t i, const char *what, const char *detail)
{
	if (err && errlen)
		snprintf(err, errlen, "collector.sensor_keys[%u]: %s%s%s", i, what, detail ? ": " : "",
			 detail ? detail : "");
	return -EINVAL;
}

static int collector_auth_parse(struct collector_auth *a, const char *text, uint32_t i, char *err, size_t errlen)
{
	struct collector_auth_key *k = &a->keys[a->n];
	const char *p = text, *end;
	char name[WIRE_NAME_MAX + 2];

	memset(k, 0, sizeof(*k));
	if (strlen(p) < WIRE_KEY_LEN)
		return collector_auth_fail(err, errlen, i, "expected 'KEY NAME [NAME ...]' with a 40-character "
					   "Z85 public key", NULL);
	memcpy(k->key, p, WIRE_KEY_LEN);
	if (!wire_key_valid(k->key))
		return collector_auth_fail(err, errlen, i, "not a 40-character Z85 public key", k->key);
	p += WIRE_KEY_LEN;
	if (*p && *p != ' ' && *p != '\t')
		return collector_auth_fail(err, errlen, i, "expected a space after the 40-character key", NULL);
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (end = p; *end && *end != ' ' && *end != '\t'; end++)
			;
		if (!wire_name_valid(p, (size_t)(end - p)))
			return collector_auth_fail(err, errlen, i, "a sensor name is 1..63 printable characters",
						   NULL);
		if (k->n_names == COLLECTOR_AUTH_NAMES_MAX)
			return collector_auth_fail(err, errlen, i, "more than 16 names for one key", NULL);
		snprintf(name, sizeof(name), "%.*s", (int)(end - p), p);
		for (uint32_t j = 0; j < a->n; j++)
			if (collector_auth_may(a, (int)j, name, strlen(name)))
				return collector_auth_fail(err, errlen, i, "sensor name already bound to another key",
							   name);
		memcpy(k->names[k->n_names++], name, strlen(name) + 1);
		p = end;
	}
	if (!k->n_names)
		return collector_auth_fail(err, errlen, i, "name the sensor(s) this key may send as: 'KEY edge-1'",
					   k->key);
	if (collector_auth_find(a, k->key) >= 0)
		return collector_auth_fail(err, errlen, i, "key listed twice", k->key);
	a->n++;
	return 0;
}

int collector_auth_new(const char *entries, size_t entry_size, uint32_t n, const struct collector_auth_cfg *cfg,
		       struct collector_auth **out, char *err, size_t errlen)
{
	struct collector_auth *a = calloc(1, sizeof(*a));
	int rc = -ENOMEM;

	if (!a)
		return -ENOMEM;
	a->cfg = *cfg;
	a->keys = calloc(n ? n : 1, sizeof(*a->keys));
	if (!a->keys)
		goto cleanup;
	for (uint32_t i = 0; i < n; i++) {
		rc = collector_auth_parse(a, entries + (size_t)i * entry_size, i, err, errlen);
		if (rc)
			goto cleanup;
	}
	*out = a;
	return 0;
cleanup:
	collector_auth_free(a);
	return rc;
}

void collector_auth_free(struct collector_auth *a)
{
	if (!a)
		return;
	free(a->keys);
	free(a);
}

int collector_auth_find(const struct collector_auth *a, const char *key)
{
	if (!key)
		return COLLECTOR_AUTH_UNKNOWN;
	for (uint32_t i = 0; i < a->n; i++)
		if (!strcmp(a->keys[i].key, key))
			return (int)i;
	return COLLECTOR_AUTH_UNKNOWN;
}

uint32_t collector_auth_keys(const struct collector_auth *a)
{
	return a->n;
}

const char *collector_auth_key(const struct collector_auth *a, int id)
{
	return id >= 0 && (uint32_t)id < a->n ? a->keys[id].key : "";
}

void collector_auth_names(const struct collector_auth *a, int id, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (id == COLLECTOR_AUTH_KEYLESS) {
		snprintf(buf, len, "any");
		return;
	}
	if (id < 0 || (uint32_t)id >= a->n)
		return;
	for (uint32_t i = 0; i < a->keys[id].n_names && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", a->keys[id].names[i]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

bool collector_auth_may(const struct collector_auth *a, int id, const char *name, size_t len)
{
	if (id == COLLECTOR_AUTH_KEYLESS)
		return true;
	if (id < 0 || (uint32_t)id >= a->n)
		return false;
	for (uint32_t i = 0; i < a->keys[id].n_names; i++)
		if (strlen(a->keys[id].names[i]) == len && !memcmp(a->keys[id].names[i], name, len))
			return true;
	return false;
}

/* Refill b at rate per second (burst: one second's worth), then take one token if there is one. */
static bool collector_auth_take(struct collector_auth_bucket *b, uint32_t rate, int64_t now_us)
{
	int64_t cap = (int64_t)rate * 1000000;

	if (!rate)
		return true;
	if (!b->last_us) {
		b->tokens_us = cap;
	} else if (now_us > b->last_us) {
		int64_t dt = now_us - b->last_us;

		/* a step of at most 10 s refills a full bucket and keeps dt * rate far from overflow */
		if (dt > 10000000)
			dt = 10000000;
		b->tokens_us += dt * (int64_t)rate;
		if (b->tokens_us > cap)
			b->tokens_us = cap;
	}
	b->last_us = now_us;
	if (b->tokens_us < 1000000)
		return false;
	b->tokens_us -= 1000000;
	return true;
}

enum collector_auth_verdict collector_auth_check(struct collector_auth *a, int id, const char *name, size_t len,
						 int64_t now_us)
{
	struct collector_auth_bucket *b;

	if (!collector_auth_may(a, id, name, len))
		return COLLECTOR_AUTH_IDENTITY;
	b = id == COLLECTOR_AUTH_KEYLESS ? &a->keyless : &a->keys[id].bucket;
	/* the key's own limit first: a key over its rate does not use up everyone's */
	if (!collector_auth_take(b, a->cfg.key_rate, now_us))
		return COLLECTOR_AUTH_KEY_RATE;
	if (!collector_auth_take(&a->global, a->cfg.max_rate, now_us)) {
		if (a->cfg.key_rate)
			b->tokens_us += 1000000;	/* give the key's token back: it was not the key's fault */
		return COLLECTOR_AUTH_GLOBAL_RATE;
	}
	return COLLECTOR_AUTH_OK;
}

bool collector_auth_handshake(struct collector_auth *a, int id, int64_t now_us)
{
	if (id < 0 || (uint32_t)id >= a->n)
		return false;
	return collector_auth_take(&a->keys[id].handshakes, a->cfg.key_handshakes, now_us);
}

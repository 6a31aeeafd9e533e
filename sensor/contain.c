// SPDX-License-Identifier: GPL-2.0-only
/*
 * contain.c: who gets blocked and until when. Kept apart from the map calls so
 * the rules (inline only, allowlists win, one /128 per offender, a TTL that a
 * new incident renews, a bounded table) are tested without a kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "contain.h"

struct contain_entry {
	struct config_cidr key;
	uint64_t expires_ns;
	uint64_t incident_id;		/* the incident that made or last renewed it */
	enum detect_id det;
};

struct contain {
	struct contain_cfg cfg;
	struct contain_entry *e;
	uint32_t n;
	uint64_t total;
};

enum { CONTAIN_DEFAULT_CAPACITY = 1024 };

static const char *const contain_names[] = {
	[CONTAIN_NONE] = "none",
	[CONTAIN_BLOCK] = "blocked",
	[CONTAIN_ACTIVE] = "already blocked",
	[CONTAIN_TAP] = "not inline",
	[CONTAIN_ALLOWLISTED] = "allowlisted",
	[CONTAIN_NO_OFFENDER] = "no single offender",
	[CONTAIN_FULL] = "blocklist full",
};

const char *contain_verdict_name(enum contain_verdict v)
{
	return (unsigned int)v < sizeof(contain_names) / sizeof(contain_names[0]) ? contain_names[v] : "?";
}

/* Unspecified, loopback, broadcast or multicast: never a source worth blocking. */
static bool contain_unblockable(const uint8_t a[16])
{
	static const uint8_t zero[16], v4map[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t loop6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	if (!memcmp(a, zero, 16) || !memcmp(a, loop6, 16))
		return true;
	if (!memcmp(a, v4map, 12))
		return a[12] == 0 || a[12] == 127 || (a[12] & 0xf0) == 0xe0 ||
		       (a[12] == 0xff && a[13] == 0xff && a[14] == 0xff && a[15] == 0xff);
	return a[0] == 0xff;
}

static struct contain_entry *contain_find(struct contain *c, const struct config_cidr *k)
{
	uint32_t i;

	for (i = 0; i < c->n; i++)
		if (c->e[i].key.prefix_len == k->prefix_len && !memcmp(c->e[i].key.addr, k->addr, 16))
			return &c->e[i];
	return NULL;
}

static void contain_remove_at(struct contain *c, uint32_t i)
{
	c->e[i] = c->e[--c->n];
}

struct contain *contain_new(const struct contain_cfg *cfg)
{
	struct contain *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (!c->cfg.capacity)
		c->cfg.capacity = CONTAIN_DEFAULT_CAPACITY;
	c->e = calloc(c->cfg.capacity, sizeof(*c->e));
	if (!c->e) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void contain_free(struct contain *c)
{
	if (!c)
		return;
	free(c->e);
	free(c);
}

void contain_set_cfg(struct contain *c, const struct contain_cfg *cfg)
{
	uint32_t cap = c->cfg.capacity;

	c->cfg = *cfg;
	c->cfg.capacity = cap;
}

enum contain_verdict contain_incident(struct contain *c, const struct detect_incident *inc,
				      const struct config_cidr *allow, uint32_t n_allow, uint64_t now_ns,
				      struct config_cidr *key)
{
	/* the offender: the source, unless the incident names the other side (intel: the listed one) */
	const uint8_t *off = inc->offender_dst ? inc->dst : inc->src;
	struct contain_entry *e;
	uint32_t i;

	memset(key, 0, sizeof(*key));
	if (inc->state != DETECT_START) {
		/* later events say what their start did, while the block lasts */
		for (i = 0; i < c->n; i++) {
			if (c->e[i].incident_id == inc->incident_id && c->e[i].det == inc->det &&
			    c->e[i].expires_ns > now_ns) {
				*key = c->e[i].key;
				return CONTAIN_ACTIVE;
			}
		}
		return CONTAIN_NONE;
	}
	if (inc->action != CONFIG_ACTION_BLOCK)
		return CONTAIN_NONE;
	if (!c->cfg.inline_mode)
		return CONTAIN_TAP;
	/* no source sent most of it (spoofed, reflected, distributed): blocking the one named stops nothing */
	if (contain_unblockable(off) || inc->src_spread)
		return CONTAIN_NO_OFFENDER;
	if (config_in_cidrs(allow, n_allow, off) || config_in_cidrs(c->cfg.never, c->cfg.n_never, off))
		return CONTAIN_ALLOWLISTED;
	memcpy(key->addr, off, 16);
	key->prefix_len = 128;	/* IPv4 as IPv4-mapped: 96 + 32 */
	if (config_in_cidrs(c->cfg.fixed, c->cfg.n_fixed, off))
		return CONTAIN_ACTIVE;	/* xdp.blocklist drops it for good already */
	e = contain_find(c, key);
	if (e) {
		e->expires_ns = now_ns + c->cfg.ttl_ns;
		e->incident_id = inc->incident_id;
		e->det = inc->det;
		return CONTAIN_ACTIVE;
	}
	if (c->n >= c->cfg.capacity)
		return CONTAIN_FULL;
	e = &c->e[c->n++];
	e->key = *key;
	e->expires_ns = now_ns + c->cfg.ttl_ns;
	e->incident_id = inc->incident_id;
	e->det = inc->det;
	c->total++;
	return CONTAIN_BLOCK;
}

int contain_forget(struct contain *c, const struct config_cidr *key)
{
	struct contain_entry *e = contain_find(c, key);

	if (!e)
		return -ENOENT;
	contain_remove_at(c, (uint32_t)(e - c->e));
	c->total--;
	return 0;
}

size_t contain_expired(struct contain *c, uint64_t now_ns, struct config_cidr *out, size_t max)
{
	size_t n = 0;
	uint32_t i = 0;

	while (i < c->n && n < max) {
		if (c->e[i].expires_ns <= now_ns) {
			out[n++] = c->e[i].key;
			contain_remove_at(c, i);	/* the last entry moved into i: look at it next */
		} else {
			i++;
		}
	}
	return n;
}

size_t contain_drain(struct contain *c, struct config_cidr *out, size_t max)
{
	size_t n = 0;

	while (c->n && n < max) {
		out[n++] = c->e[c->n - 1].key;
		c->n--;
	}
	return n;
}

uint32_t contain_active(const struct contain *c)
{
	return c->n;
}

uint64_t contain_total(const struct contain *c)
{
	return c->total;
}

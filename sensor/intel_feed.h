/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * intel_feed.h: one threat-intelligence feed parsed into lookup tables:
 * addresses and prefixes (longest match, IPv4 and IPv6) and domain names
 * (a listed name matches itself and every name under it). Formats: plain
 * IP/CIDR lists (FireHOL netsets, Spamhaus DROP), CSV with an IP column
 * (abuse.ch), domain lists (also hosts-file lines) and STIX 2.1 bundles of
 * indicators. Parsing is strict: the first bad line fails the whole feed,
 * named as file:line: reason, so the caller keeps the version it had.
 * A parsed feed is immutable: lookups from any thread.
 */
#ifndef VIGIL_SENSOR_INTEL_FEED_H
#define VIGIL_SENSOR_INTEL_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum intel_format {
	INTEL_FORMAT_IP = 0,		/* one address or prefix a line, '#' and ';' comments */
	INTEL_FORMAT_CSV,		/* an IP column found by its header (or the first column holding one) */
	INTEL_FORMAT_DOMAIN,		/* one name a line, or "0.0.0.0 name" as hosts files write it */
	INTEL_FORMAT_STIX,		/* a STIX 2.1 bundle: indicators with [ipv4-addr|ipv6-addr|domain-name:value = '...'] */
	INTEL_FORMAT_MAX,
};

enum intel_type {
	INTEL_TYPE_IPV4 = 0,
	INTEL_TYPE_IPV6,
	INTEL_TYPE_DOMAIN,
	INTEL_TYPE_MAX,
};

/* STIX cyber-observable names of the types: "ipv4-addr", "ipv6-addr", "domain-name". */
static inline const char *intel_type_name(enum intel_type t)
{
	static const char *const names[INTEL_TYPE_MAX] = { "ipv4-addr", "ipv6-addr", "domain-name" };

	return t < INTEL_TYPE_MAX ? names[t] : "unknown";
}

/* One indicator as the feed gave it (normalised: lower case, prefix masked). */
struct intel_ind {
	const char *value;	/* "198.51.100.0/24", "2001:db8::1", "evil.example"; owned by the feed */
	uint8_t type;		/* enum intel_type */
	uint8_t confidence;	/* 0..100 from the indicator itself (STIX), INTEL_CONF_FEED: the feed's */
	uint8_t prefix_len;	/* addresses: on 128 bits (IPv4-mapped: 96 + n) */
};

enum { INTEL_CONF_FEED = 255, INTEL_NAME_MAX = 253 };

struct intel_feed;

struct intel_feed_error {
	char msg[320];		/* "path:line: reason" */
	uint32_t line;		/* 0: not about a line (file unreadable, empty) */
};

/*
 * Parse text (len bytes, need not be NUL-terminated) of the given format;
 * name is used in messages. psl (a psl_ctx_t *, may be NULL) refuses names
 * that are public suffixes (they would match whole TLDs): those lines are
 * skipped and counted (intel_feed_ignored), not errors. Returns 0 and *out
 * (caller owns it), -EINVAL with err filled, or -ENOMEM.
 */
int intel_feed_parse(const char *name, const char *text, size_t len, enum intel_format fmt, const void *psl,
		     struct intel_feed **out, struct intel_feed_error *err);

/* The same from a file (at most 512 MiB): -errno with err naming the path when it cannot be read. */
int intel_feed_load(const char *path, enum intel_format fmt, const void *psl, struct intel_feed **out,
		    struct intel_feed_error *err);

void intel_feed_free(struct intel_feed *f);

/* Indicators of a type held (duplicates counted once). */
uint32_t intel_feed_count(const struct intel_feed *f, enum intel_type t);

/* Entries skipped (public suffixes, STIX patterns about other things, revoked), and why the first was. */
uint32_t intel_feed_ignored(const struct intel_feed *f, const char **why);

/* Longest listed prefix holding addr (16 bytes, IPv4-mapped for v4), or NULL. */
const struct intel_ind *intel_feed_match_addr(const struct intel_feed *f, const uint8_t addr[16]);

/*
 * The listed name that is name itself or its nearest parent ("a.evil.example"
 * matches a listed "evil.example"), or NULL. name: lower case, no trailing dot.
 */
const struct intel_ind *intel_feed_match_name(const struct intel_feed *f, const char *name);

/* Every address prefix of the feed, for the XDP trie: fn(ctx, addr, prefix_len on 128 bits, ind). */
void intel_feed_walk_addrs(const struct intel_feed *f,
			   void (*fn)(void *ctx, const uint8_t addr[16], uint8_t prefix_len, const struct intel_ind *ind),
			   void *ctx);

#endif

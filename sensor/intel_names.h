/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * intel_names.h: the domain names a frame's payload carries, for matching
 * against intel feeds: DNS question names and CNAME answers (owner and
 * target), the server name of a TLS ClientHello, the Host of an HTTP/1
 * request. Pure: bytes in, lower-case dotted names out, bounded work; a
 * malformed or truncated message yields nothing rather than a guess.
 */
#ifndef VIGIL_SENSOR_INTEL_NAMES_H
#define VIGIL_SENSOR_INTEL_NAMES_H

#include <stdint.h>

enum { INTEL_NAMES_MAX = 256 };	/* a name's buffer: 253 characters and the NUL */

enum intel_name_where {
	INTEL_WHERE_DNS_QUERY = 0,
	INTEL_WHERE_DNS_CNAME,
	INTEL_WHERE_TLS_SNI,
	INTEL_WHERE_HTTP_HOST,
	INTEL_WHERE_MAX,
};

/* "dns.query", "dns.cname", "tls.sni", "http.host". */
const char *intel_names_where(enum intel_name_where w);

/*
 * Every question name of the DNS message m (up to 4), and for a response the
 * owner and target of every CNAME answer (up to 32 answers read): fn(ctx,
 * name, where) each. Returns the names given, or -1 when the message is
 * malformed (names given before the fault stay given).
 */
int intel_names_dns(const uint8_t *m, uint32_t len, void (*fn)(void *ctx, const char *name, enum intel_name_where w),
		    void *ctx);

/* The server name of a TLS ClientHello starting at p (within len bytes) into out; its length or -1. */
int intel_names_sni(const uint8_t *p, uint32_t len, char out[INTEL_NAMES_MAX]);

/* The Host of an HTTP/1 request starting at p (port dropped) into out; its length or -1 (none, or an address). */
int intel_names_http_host(const uint8_t *p, uint32_t len, char out[INTEL_NAMES_MAX]);

#endif

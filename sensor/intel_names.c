// SPDX-License-Identifier: GPL-2.0-only
/*
 * intel_names.c: names out of DNS, TLS and HTTP payloads. Only what a name
 * may hold is accepted (letters, digits, '-', '_', dots; 253 characters), so
 * a lookup never sees bytes a feed could not list; compression pointers are
 * followed a bounded number of times.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "intel_names.h"

enum { DNS_MAX_JUMPS = 16, DNS_MAX_QD = 4, DNS_MAX_AN = 32, HTTP_SCAN_MAX = 4096 };

static const char *const intel_where_names[INTEL_WHERE_MAX] = { "dns.query", "dns.cname", "tls.sni", "http.host" };

const char *intel_names_where(enum intel_name_where w)
{
	return w < INTEL_WHERE_MAX ? intel_where_names[w] : "unknown";
}

/* c lower-cased if a name may hold it, else 0. */
static char intel_name_char(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c + 32);
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
		return (char)c;
	return 0;
}

/*
 * The name at *off of message m into out (dotted, lower case); *off moves
 * past it (past the first pointer when compressed). Its length, or -1.
 */
static int intel_dns_name(const uint8_t *m, uint32_t len, uint32_t *off, char *out)
{
	uint32_t o = *off, n = 0, jumps = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;
		uint32_t i;

		if (o >= len)
			return -1;
		l = m[o];
		if ((l & 0xc0) == 0xc0) {
			if (o + 1 >= len || ++jumps > DNS_MAX_JUMPS)
				return -1;
			if (!jumped)
				*off = o + 2;
			jumped = true;
			o = (uint32_t)(l & 0x3f) << 8 | m[o + 1];
			continue;
		}
		if (l & 0xc0)
			return -1;
		o++;
		if (!l)
			break;
		if (o + l > len || n + l + 1 > INTEL_NAMES_MAX - 2)
			return -1;
		if (n)
			out[n++] = '.';
		for (i = 0; i < l; i++) {
			char c = intel_name_char(m[o + i]);

			if (!c)
				return -1;
			out[n++] = c;
		}
		o += l;
	}
	if (!jumped)
		*off = o;
	out[n] = 0;
	return (int)n;
}

int intel_names_dns(const uint8_t *m, uint32_t len, void (*fn)(void *ctx, const char *name, enum intel_name_where w),
		    void *ctx)
{
	char name[INTEL_NAMES_MAX], target[INTEL_NAMES_MAX];
	uint32_t off = 12, qd, an, i;
	int given = 0;

	if (len < 12)
		return -1;
	qd = (uint32_t)m[4] << 8 | m[5];
	an = (uint32_t)m[6] << 8 | m[7];
	if (qd > DNS_MAX_QD || (m[2] & 0x78))	/* a standard query or its response only */
		return -1;
	for (i = 0; i < qd; i++) {
		if (intel_dns_name(m, len, &off, name) < 0 || off + 4 > len)
			return -1;
		off += 4;
		if (name[0]) {
			fn(ctx, name, INTEL_WHERE_DNS_QUERY);
			given++;
		}
	}
	if (!(m[2] & 0x80))
		return given;
	for (i = 0; i < an && i < DNS_MAX_AN; i++) {
		uint32_t type, rdlen, rd;

		if (intel_dns_name(m, len, &off, name) < 0 || off + 10 > len)
			return -1;
		type = (uint32_t)m[off] << 8 | m[off + 1];
		rdlen = (uint32_t)m[off + 8] << 8 | m[off + 9];
		off += 10;
		if (off + rdlen > len)
			return -1;
		rd = off;
		if (type == 5) {	/* CNAME: the alias and what it stands for */
			if (intel_dns_name(m, off + rdlen, &rd, target) < 0)
				return -1;
			if (name[0]) {
				fn(ctx, name, INTEL_WHERE_DNS_CNAME);
				given++;
			}
			if (target[0]) {
				fn(ctx, target, INTEL_WHERE_DNS_CNAME);
				given++;
			}
		}
		off += rdlen;
	}
	return given;
}

static uint32_t intel_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* A name of n bytes from p into out if every byte may be in a name; its length or -1. */
static int intel_copy_name(const uint8_t *p, uint32_t n, char *out)
{
	uint32_t i;

	while (n && p[n - 1] == '.')
		n--;
	if (!n || n > INTEL_NAMES_MAX - 3)
		return -1;
	for (i = 0; i < n; i++) {
		char c = p[i] == '.' ? '.' : intel_name_char(p[i]);

		if (!c || (c == '.' && (i == 0 || p[i - 1] == '.')))
			return -1;
		out[i] = c;
	}
	out[n] = 0;
	return (int)n;
}

int intel_names_sni(const uint8_t *p, uint32_t len, char out[INTEL_NAMES_MAX])
{
	uint32_t end, off, n, ext_end;

	/* record: handshake, TLS 1.x; handshake: client_hello */
	if (len < 43 || p[0] != 0x16 || p[1] != 3 || p[5] != 1)
		return -1;
	end = 5 + intel_be16(p + 3);
	if (end > len)
		end = len;	/* the rest of the record is in the next segment: read what is here */
	off = 9 + 2 + 32;	/* record and handshake headers, client_version, random */
	if (off + 1 > end)
		return -1;
	off += 1 + p[off];	/* session_id */
	if (off + 2 > end)
		return -1;
	off += 2 + intel_be16(p + off);	/* cipher_suites */
	if (off + 1 > end)
		return -1;
	off += 1 + p[off];	/* compression_methods */
	if (off + 2 > end)
		return -1;
	ext_end = off + 2 + intel_be16(p + off);
	off += 2;
	if (ext_end > end)
		ext_end = end;
	while (off + 4 <= ext_end) {
		uint32_t type = intel_be16(p + off), elen = intel_be16(p + off + 2);

		off += 4;
		if (type == 0) {	/* server_name: a list of (type, name); host_name is 0 */
			uint32_t lend, o = off + 2;

			if (off + 2 > ext_end)
				return -1;
			lend = off + 2 + intel_be16(p + off);
			if (lend > ext_end)
				return -1;
			while (o + 3 <= lend) {
				n = intel_be16(p + o + 1);
				if (o + 3 + n > lend)
					return -1;
				if (p[o] == 0)
					return intel_copy_name(p + o + 3, n, out);
				o += 3 + n;
			}
			return -1;
		}
		off += elen;
	}
	return -1;
}

int intel_names_http_host(const uint8_t *p, uint32_t len, char out[INTEL_NAMES_MAX])
{
	static const char *const methods[] = { "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
					       "CONNECT ", "PATCH ", "TRACE ", NULL };
	uint32_t i, n, s, e;
	unsigned int k;

	for (k = 0; methods[k]; k++) {
		size_t ml = strlen(methods[k]);

		if (len >= ml && !memcmp(p, methods[k], ml))
			break;
	}
	if (!methods[k])
		return -1;
	if (len > HTTP_SCAN_MAX)
		len = HTTP_SCAN_MAX;
	for (i = 0; i + 6 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\r' || p[i + 1] == '\n')
			return -1;	/* the end of the headers */
		if (strncasecmp((const char *)p + i + 1, "host:", 5))
			continue;
		s = i + 6;
		while (s < len && (p[s] == ' ' || p[s] == '\t'))
			s++;
		if (s < len && p[s] == '[')
			return -1;	/* an IPv6 literal: addresses are matched as addresses */
		for (e = s; e < len && p[e] != '\r' && p[e] != '\n' && p[e] != ':' && p[e] != ' '; e++)
			;
		if (e == len)
			return -1;	/* cut: the value may go on in the next segment */
		n = e - s;
		return intel_copy_name(p + s, n, out);
	}
	return -1;
}

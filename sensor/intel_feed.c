// SPDX-License-Identifier: GPL-2.0-only
/*
 * intel_feed.c: indicator files into lookup tables. Addresses live in one
 * open-addressed table keyed by (masked address, prefix length) with a bitmap
 * of the lengths present, so a lookup probes only lengths the feed uses;
 * names in another keyed by the name, probed for the name and each parent.
 * Strings sit in an arena the feed owns, so indicators never move.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libpsl.h>

#include "intel_feed.h"

enum { INTEL_FILE_MAX = 512u << 20, INTEL_FIELDS_MAX = 64, INTEL_STIX_CMP_MAX = 256 };

struct intel_ip_slot {
	uint8_t addr[16];
	uint8_t len;
	uint8_t used;
	uint8_t pad[2];
	uint32_t ind;
};

struct intel_dom_slot {
	uint64_t hash;
	uint32_t ind;
	uint32_t used;
};

struct intel_chunk {
	struct intel_chunk *next;
	size_t used, cap;
	char data[];
};

struct intel_feed {
	struct intel_ind *ind;
	uint32_t n_ind, cap_ind;
	struct intel_chunk *chunks;
	struct intel_ip_slot *ip;
	uint32_t ip_mask, n_ip;
	struct intel_dom_slot *dom;
	uint32_t dom_mask, n_dom;
	uint64_t v4_lens;		/* bit n: an IPv4 prefix of length n is listed */
	uint64_t v6_lens[3];		/* bit n: an IPv6 prefix of length n */
	uint32_t counts[INTEL_TYPE_MAX];
	uint32_t ignored;
	char ignored_why[160];
};

/* The parse in progress: where messages point. */
struct intel_parse {
	const char *name;
	uint32_t line;
	struct intel_feed_error *err;
	const psl_ctx_t *psl;
	struct intel_feed *f;
};

__attribute__((format(printf, 2, 3))) static int intel_fail(struct intel_parse *ps, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ps->err->line = ps->line;
	if (ps->line)
		snprintf(ps->err->msg, sizeof(ps->err->msg), "%s:%u: %s", ps->name, ps->line, why);
	else
		snprintf(ps->err->msg, sizeof(ps->err->msg), "%s: %s", ps->name, why);
	return -EINVAL;
}

static void intel_ignore(struct intel_feed *f, uint32_t line, const char *fmt, const char *what)
{
	if (!f->ignored++) {
		int n = snprintf(f->ignored_why, sizeof(f->ignored_why), "line %u: ", line);

		snprintf(f->ignored_why + n, sizeof(f->ignored_why) - (size_t)n, fmt, what);
	}
}

/* A copy of s[0..n) in the feed's arena; NULL on ENOMEM. */
static char *intel_strdup(struct intel_feed *f, const char *s, size_t n)
{
	struct intel_chunk *c = f->chunks;
	char *out;

	if (!c || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > 65536 ? n + 1 : 65536;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = f->chunks;
		c->used = 0;
		c->cap = cap;
		f->chunks = c;
	}
	out = c->data + c->used;
	memcpy(out, s, n);
	out[n] = 0;
	c->used += n + 1;
	return out;
}

static uint64_t intel_hash(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

/* The 16 bytes and the length, mixed so every bit of the key reaches the low bits (splitmix64's finaliser). */
static uint64_t intel_ip_hash(const uint8_t addr[16], uint8_t len)
{
	uint64_t a, b, h;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	h = a * 0x9e3779b97f4a7c15ULL ^ b ^ ((uint64_t)len << 56);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static bool intel_is_v4(const uint8_t a[16])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, pfx, 12);
}

static void intel_mask(uint8_t a[16], unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		a[i] &= (uint8_t)(0xff00u >> len);
		len = 0;
	}
}

/* Grow a table to hold one more entry at <= 50% load; 0 or -ENOMEM. */
static int intel_ip_grow(struct intel_feed *f)
{
	uint32_t cap = f->ip ? f->ip_mask + 1 : 0, ncap, i;
	struct intel_ip_slot *n;

	if ((uint64_t)(f->n_ip + 1) * 2 <= cap)
		return 0;
	ncap = cap ? cap * 2 : 1024;
	n = calloc(ncap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (i = 0; i < cap; i++) {
		uint32_t j;

		if (!f->ip[i].used)
			continue;
		j = (uint32_t)intel_ip_hash(f->ip[i].addr, f->ip[i].len) & (ncap - 1);
		while (n[j].used)
			j = (j + 1) & (ncap - 1);
		n[j] = f->ip[i];
	}
	free(f->ip);
	f->ip = n;
	f->ip_mask = ncap - 1;
	return 0;
}

static int intel_dom_grow(struct intel_feed *f)
{
	uint32_t cap = f->dom ? f->dom_mask + 1 : 0, ncap, i;
	struct intel_dom_slot *n;

	if ((uint64_t)(f->n_dom + 1) * 2 <= cap)
		return 0;
	ncap = cap ? cap * 2 : 1024;
	n = calloc(ncap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (i = 0; i < cap; i++) {
		uint32_t j;

		if (!f->dom[i].used)
			continue;
		j = (uint32_t)f->dom[i].hash & (ncap - 1);
		while (n[j].used)
			j = (j + 1) & (ncap - 1);
		n[j] = f->dom[i];
	}
	free(f->dom);
	f->dom = n;
	f->dom_mask = ncap - 1;
	return 0;
}

/* A new indicator record (value copied); its index, or -ENOMEM. */
static long intel_new_ind(struct intel_feed *f, const char *value, enum intel_type t, uint8_t conf, uint8_t plen)
{
	struct intel_ind *ind;

	if (f->n_ind == f->cap_ind) {
		uint32_t cap = f->cap_ind ? f->cap_ind * 2 : 256;
		struct intel_ind *n = realloc(f->ind, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		f->ind = n;
		f->cap_ind = cap;
	}
	ind = &f->ind[f->n_ind];
	ind->value = intel_strdup(f, value, strlen(value));
	if (!ind->value)
		return -ENOMEM;
	ind->type = (uint8_t)t;
	ind->confidence = conf;
	ind->prefix_len = plen;
	f->counts[t]++;
	return f->n_ind++;
}

/*
 * Text of an address or prefix (text[0..n)) into a masked 16-byte key and a
 * length on 128 bits; 0 or -EINVAL.
 */
static int intel_parse_prefix(const char *text, size_t n, uint8_t addr[16], uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;
	struct in_addr a4;
	bool v4;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = 0;
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		memset(addr, 0, 10);
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &a4, 4);
		v4 = true;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		v4 = intel_is_v4(addr);
	} else {
		return -EINVAL;
	}
	len = v4 ? 32 : 128;
	if (slash) {
		if (*slash < '0' || *slash > '9')
			return -EINVAL;
		len = strtoul(slash, &end, 10);
		if (*end || len > (v4 && !strchr(buf, ':') ? 32ul : 128ul))
			return -EINVAL;
		if (v4 && strchr(buf, ':')) {	/* ::ffff:a.b.c.d/n: n counts the 128 bits */
			if (len < 96)
				return -EINVAL;
			len -= 96;
		}
	}
	*plen = (uint8_t)(v4 ? 96 + len : len);
	intel_mask(addr, *plen);
	return 0;
}

static void intel_prefix_text(char *buf, size_t len, const uint8_t addr[16], uint8_t plen)
{
	char a[INET6_ADDRSTRLEN];
	bool v4 = intel_is_v4(addr);

	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (const void *)(addr + 12) : (const void *)addr, a, sizeof(a));
	if (plen == 128)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, v4 ? plen - 96u : plen);
}

/* Add a prefix (already masked); a duplicate keeps the first. 0 or -ENOMEM. */
static int intel_add_prefix(struct intel_feed *f, const uint8_t addr[16], uint8_t plen, uint8_t conf)
{
	bool v4 = intel_is_v4(addr);
	char text[INET6_ADDRSTRLEN + 8];
	uint32_t j;
	long idx;

	if (intel_ip_grow(f))
		return -ENOMEM;
	j = (uint32_t)intel_ip_hash(addr, plen) & f->ip_mask;
	while (f->ip[j].used) {
		if (f->ip[j].len == plen && !memcmp(f->ip[j].addr, addr, 16))
			return 0;
		j = (j + 1) & f->ip_mask;
	}
	intel_prefix_text(text, sizeof(text), addr, plen);
	idx = intel_new_ind(f, text, v4 ? INTEL_TYPE_IPV4 : INTEL_TYPE_IPV6, conf, plen);
	if (idx < 0)
		return (int)idx;
	memcpy(f->ip[j].addr, addr, 16);
	f->ip[j].len = plen;
	f->ip[j].used = 1;
	f->ip[j].ind = (uint32_t)idx;
	f->n_ip++;
	if (v4)
		f->v4_lens |= 1ULL << (plen - 96);
	else
		f->v6_lens[plen / 64] |= 1ULL << (plen % 64);
	return 0;
}

static int intel_add_addr_text(struct intel_parse *ps, const char *text, size_t n, uint8_t conf)
{
	uint8_t addr[16], plen;

	if (intel_parse_prefix(text, n, addr, &plen))
		return intel_fail(ps, "'%.*s' is not an IPv4 or IPv6 address or prefix", (int)(n > 64 ? 64 : n), text);
	if (intel_add_prefix(ps->f, addr, plen, conf))
		return intel_fail(ps, "out of memory");
	return 0;
}

/* A name's hash (the string, no NUL). */
static uint64_t intel_name_hash(const char *s, size_t n)
{
	return intel_hash(s, n, 0xcbf29ce484222325ULL);
}

static long intel_find_name(const struct intel_feed *f, const char *s, size_t n)
{
	uint64_t h;
	uint32_t j;

	if (!f->dom)
		return -1;
	h = intel_name_hash(s, n);
	for (j = (uint32_t)h & f->dom_mask; f->dom[j].used; j = (j + 1) & f->dom_mask) {
		const char *v = f->ind[f->dom[j].ind].value;

		if (f->dom[j].hash == h && !strncmp(v, s, n) && !v[n])
			return f->dom[j].ind;
	}
	return -1;
}

/*
 * A domain name (text[0..n)) normalised (lower case; "*." or "." in front and
 * a final "." dropped) and checked, then added. Public suffixes are skipped.
 */
static int intel_add_name_text(struct intel_parse *ps, const char *text, size_t n, uint8_t conf)
{
	struct intel_feed *f = ps->f;
	char name[INTEL_NAME_MAX + 2];
	size_t i, label = 0, o = 0;
	uint8_t addr[16], plen;
	uint32_t j;
	long idx;

	if (n >= 2 && text[0] == '*' && text[1] == '.') {
		text += 2;
		n -= 2;
	} else if (n && text[0] == '.') {
		text++;
		n--;
	}
	if (n && text[n - 1] == '.')
		n--;
	if (!n)
		return intel_fail(ps, "empty name");
	if (n > INTEL_NAME_MAX)
		return intel_fail(ps, "name longer than %d characters", INTEL_NAME_MAX);
	if (!intel_parse_prefix(text, n, addr, &plen))
		return intel_fail(ps, "'%.*s' is an address, not a name (feeds of addresses take format ip)",
				  (int)(n > 64 ? 64 : n), text);
	for (i = 0; i < n; i++) {
		char c = text[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c == '.') {
			if (!label)
				return intel_fail(ps, "empty label in '%.*s'", (int)(n > 64 ? 64 : n), text);
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
			if (++label > 63)
				return intel_fail(ps, "a label longer than 63 characters in '%.64s'", text);
		} else {
			return intel_fail(ps, "'%.*s' is not a domain name (%s)", (int)(n > 64 ? 64 : n), text,
					  (unsigned char)c >= 0x80 ? "write IDNs as punycode, xn--"
								   : "letters, digits, '-', '_' and dots only");
		}
		name[o++] = c;
	}
	name[o] = 0;
	if (ps->psl && psl_is_public_suffix(ps->psl, name)) {
		intel_ignore(f, ps->line, "'%.64s' is a public suffix: it would match every domain under it", name);
		return 0;
	}
	if (intel_find_name(f, name, o) >= 0)
		return 0;
	if (intel_dom_grow(f))
		return intel_fail(ps, "out of memory");
	idx = intel_new_ind(f, name, INTEL_TYPE_DOMAIN, conf, 0);
	if (idx < 0)
		return intel_fail(ps, "out of memory");
	j = (uint32_t)intel_name_hash(name, o) & f->dom_mask;
	while (f->dom[j].used)
		j = (j + 1) & f->dom_mask;
	f->dom[j].hash = intel_name_hash(name, o);
	f->dom[j].ind = (uint32_t)idx;
	f->dom[j].used = 1;
	f->n_dom++;
	return 0;
}

static bool intel_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trim s[0..*n) in place of spaces; returns the new start. */
static const char *intel_trim(const char *s, size_t *n)
{
	while (*n && intel_space(*s)) {
		s++;
		(*n)--;
	}
	while (*n && intel_space(s[*n - 1]))
		(*n)--;
	return s;
}

/* Line-based formats: each line without its comment ('#', and ';' for address lists), trimmed. */
typedef int (*intel_line_fn)(struct intel_parse *ps, const char *line, size_t n, void *ctx);

static int intel_lines(struct intel_parse *ps, const char *text, size_t len, const char *comments, bool keep_comments,
		       intel_line_fn fn, void *ctx)
{
	size_t off = 0;
	int rc;

	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off), *s = text + off;
		size_t n = nl ? (size_t)(nl - s) : len - off, k;

		off += n + 1;
		ps->line++;
		if (memchr(s, 0, n))
			return intel_fail(ps, "a NUL byte (not a text file?)");
		if (!keep_comments || (n && s[0] != '#')) {
			for (k = 0; k < n && !strchr(comments, s[k]); k++)
				;
			n = k;
		}
		s = intel_trim(s, &n);
		if (!n)
			continue;
		rc = fn(ps, s, n, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

static size_t intel_token(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && !intel_space(s[k]))
		k++;
	return k;
}

static int intel_ip_line(struct intel_parse *ps, const char *s, size_t n, void *ctx)
{
	(void)ctx;
	return intel_add_addr_text(ps, s, intel_token(s, n), INTEL_CONF_FEED);
}

static int intel_domain_line(struct intel_parse *ps, const char *s, size_t n, void *ctx)
{
	size_t k = intel_token(s, n);

	(void)ctx;
	/* hosts-file form: "0.0.0.0 name" or "127.0.0.1 name" */
	if (k < n && ((k == 7 && !memcmp(s, "0.0.0.0", 7)) || (k == 9 && !memcmp(s, "127.0.0.1", 9)) ||
		      (k == 2 && !memcmp(s, "::", 2)))) {
		size_t r = n - k;
		const char *t = intel_trim(s + k, &r);

		return intel_add_name_text(ps, t, intel_token(t, r), INTEL_CONF_FEED);
	}
	return intel_add_name_text(ps, s, k, INTEL_CONF_FEED);
}

/* CSV fields of one line (quotes as RFC 4180); field text without quotes into buf. */
struct intel_csv {
	int col;			/* the IP column, -1: not known yet */
	char buf[4096];
	const char *f[INTEL_FIELDS_MAX];
	size_t flen[INTEL_FIELDS_MAX];
	int n;
};

static int intel_csv_split(struct intel_csv *c, const char *s, size_t n)
{
	size_t i = 0, o = 0;

	c->n = 0;
	if (n >= sizeof(c->buf))
		return -E2BIG;
	while (c->n < INTEL_FIELDS_MAX) {
		size_t start = o, fl;
		bool q = false;

		while (i < n && intel_space(s[i]))
			i++;
		if (i < n && s[i] == '"') {
			q = true;
			i++;
		}
		while (i < n) {
			if (q && s[i] == '"') {
				if (i + 1 < n && s[i + 1] == '"') {
					c->buf[o++] = '"';
					i += 2;
					continue;
				}
				q = false;
				i++;
				continue;
			}
			if (!q && s[i] == ',')
				break;
			c->buf[o++] = s[i++];
		}
		if (q)
			return -EINVAL;
		fl = o - start;
		c->f[c->n] = intel_trim(c->buf + start, &fl);
		c->flen[c->n++] = fl;
		if (i >= n)
			return 0;
		i++;	/* the comma */
	}
	return -E2BIG;
}

static bool intel_csv_ip_name(const char *s, size_t n)
{
	static const char *const names[] = { "ip", "ip_address", "ipaddress", "ip_addr", "address", "addr",
					     "dst_ip", "ipv4", "ipv6", "ip address", NULL };
	unsigned int i;

	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !strncasecmp(s, names[i], n))
			return true;
	return n > 3 && !strncasecmp(s + n - 3, "_ip", 3);
}

/* A header line names the IP column: its index, or -1. */
static int intel_csv_header(struct intel_csv *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (intel_csv_ip_name(c->f[i], c->flen[i]))
			return i;
	return -1;
}

/* The value of an IP column: "a.b.c.d:port" as some feeds write it loses the port. */
static size_t intel_csv_value(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);

	if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1) && memchr(s, '.', (size_t)(colon - s)))
		return (size_t)(colon - s);
	return n;
}

static int intel_csv_line(struct intel_parse *ps, const char *s, size_t n, void *ctx)
{
	struct intel_csv *c = ctx;
	uint8_t addr[16], plen;
	int i, rc;

	if (s[0] == '#') {	/* a commented header, as abuse.ch writes it */
		size_t r = n - 1;
		const char *t = intel_trim(s + 1, &r);

		if (c->col < 0 && memchr(t, ',', r) && !intel_csv_split(c, t, r))
			c->col = intel_csv_header(c);
		return 0;
	}
	rc = intel_csv_split(c, s, n);
	if (rc == -E2BIG)
		return intel_fail(ps, "line too long or more than %d fields", INTEL_FIELDS_MAX);
	if (rc)
		return intel_fail(ps, "unterminated quote");
	if (c->col < 0) {
		c->col = intel_csv_header(c);
		if (c->col >= 0)
			return 0;	/* this was the header */
		for (i = 0; i < c->n && c->col < 0; i++)
			if (!intel_parse_prefix(c->f[i], intel_csv_value(c->f[i], c->flen[i]), addr, &plen))
				c->col = i;
		if (c->col < 0)
			return intel_fail(ps, "no IP column: no header names one (ip, dst_ip, ip_address, *_ip) "
					  "and no field of the first row is an address");
	}
	if (c->col >= c->n)
		return intel_fail(ps, "%d field%s, the IP column is field %d", c->n, c->n == 1 ? "" : "s", c->col + 1);
	return intel_add_addr_text(ps, c->f[c->col], intel_csv_value(c->f[c->col], c->flen[c->col]),
				   INTEL_CONF_FEED);
}

/* ---- STIX 2.1 ---- */

struct intel_stix_cmp {
	enum intel_type type;
	char value[INTEL_NAME_MAX + 1];
};

static const char *intel_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static bool intel_word(const char **p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(*p, w, n) || (*p)[n] == '_' || ((*p)[n] >= 'A' && (*p)[n] <= 'Z'))
		return false;
	*p += n;
	return true;
}

/*
 * A STIX pattern made only of equality comparisons of addresses and names
 * joined by OR: the values into out. Returns how many (> 0), 0 when the
 * pattern is about something else or needs more than an equality (why set),
 * -1 when it is malformed (why set).
 */
static int intel_stix_pattern(const char *p, struct intel_stix_cmp *out, int max, char *why, size_t whylen)
{
	int n = 0;

	p = intel_skip_ws(p);
	for (;;) {
		if (*p != '[') {
			snprintf(why, whylen, "pattern: expected '[' at '%.20s'", p);
			return -1;
		}
		p++;
		for (;;) {
			const char *path;
			size_t plen, o = 0;

			p = intel_skip_ws(p);
			path = p;
			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			       *p == '_' || *p == ':' || *p == '.' || *p == '\'' || *p == '[' || *p == ']' || *p == '*')
				p++;
			plen = (size_t)(p - path);
			if (!plen) {
				snprintf(why, whylen, "pattern: expected an object path at '%.20s'", p);
				return -1;
			}
			p = intel_skip_ws(p);
			if (*p != '=' || p[1] == '=') {
				snprintf(why, whylen, "pattern compares with '%.8s', not '='", p);
				return 0;
			}
			p = intel_skip_ws(p + 1);
			if (*p != '\'') {
				snprintf(why, whylen, "pattern: expected a quoted value at '%.20s'", p);
				return -1;
			}
			if (n == max) {
				snprintf(why, whylen, "pattern has more than %d comparisons", max);
				return 0;
			}
			if (plen == 15 && !strncmp(path, "ipv4-addr:value", plen))
				out[n].type = INTEL_TYPE_IPV4;
			else if (plen == 15 && !strncmp(path, "ipv6-addr:value", plen))
				out[n].type = INTEL_TYPE_IPV6;
			else if (plen == 17 && !strncmp(path, "domain-name:value", plen))
				out[n].type = INTEL_TYPE_DOMAIN;
			else {
				snprintf(why, whylen, "pattern about '%.*s'", (int)(plen > 40 ? 40 : plen), path);
				return 0;
			}
			for (p++; *p && *p != '\''; p++) {
				if (*p == '\\' && (p[1] == '\'' || p[1] == '\\'))
					p++;
				if (o + 1 >= sizeof(out[n].value)) {
					snprintf(why, whylen, "pattern: a value longer than %d characters", INTEL_NAME_MAX);
					return -1;
				}
				out[n].value[o++] = *p;
			}
			if (*p != '\'') {
				snprintf(why, whylen, "pattern: unterminated quoted value");
				return -1;
			}
			out[n++].value[o] = 0;
			p = intel_skip_ws(p + 1);
			if (*p == ']')
				break;
			if (intel_word(&p, "OR"))
				continue;
			if (intel_word(&p, "AND")) {
				snprintf(why, whylen, "pattern joins comparisons with AND");
				return 0;
			}
			snprintf(why, whylen, "pattern: expected ']', OR or AND at '%.20s'", p);
			return -1;
		}
		p = intel_skip_ws(p + 1);
		if (!*p)
			return n;
		if (!intel_word(&p, "OR")) {
			snprintf(why, whylen, "pattern has '%.20s' after an observation", p);
			return 0;	/* AND, FOLLOWEDBY, qualifiers: more than one observation */
		}
		p = intel_skip_ws(p);
	}
}

/* 1-based line of byte offset off in text. */
static uint32_t intel_line_of(const char *text, size_t len, size_t off)
{
	uint32_t line = 1;
	size_t i;

	for (i = 0; i < off && i < len; i++)
		line += text[i] == '\n';
	return line;
}

/* Line where an object starts, found by its id in the text (0: not found). */
static uint32_t intel_stix_line(const char *text, size_t len, const char *id)
{
	const char *hit;
	size_t n = id ? strlen(id) : 0;

	if (!n)
		return 0;
	for (hit = memmem(text, len, id, n); hit; hit = memmem(hit + 1, len - (size_t)(hit + 1 - text), id, n))
		if (hit > text && hit[-1] == '"' && (size_t)(hit - text) + n < len && hit[n] == '"')
			return intel_line_of(text, len, (size_t)(hit - text));
	return 0;
}

static const char *intel_json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int intel_stix_object(struct intel_parse *ps, const char *text, size_t len, struct json_object *o, size_t idx,
			     struct intel_stix_cmp *cmp)
{
	const char *type = intel_json_str(o, "type"), *id = intel_json_str(o, "id"), *pattern, *ptype;
	struct json_object *v;
	uint8_t conf = INTEL_CONF_FEED;
	char why[160];
	int n, i, rc;

	if (!json_object_is_type(o, json_type_object))
		return intel_fail(ps, "objects[%zu] is not an object", idx);
	if (!type || strcmp(type, "indicator"))
		return 0;
	ps->line = intel_stix_line(text, len, id);
	if (json_object_object_get_ex(o, "revoked", &v) && json_object_get_boolean(v)) {
		intel_ignore(ps->f, ps->line, "%.64s is revoked", id ? id : "an indicator");
		return 0;
	}
	ptype = intel_json_str(o, "pattern_type");
	if (ptype && strcmp(ptype, "stix")) {
		intel_ignore(ps->f, ps->line, "pattern_type %.32s is not stix", ptype);
		return 0;
	}
	pattern = intel_json_str(o, "pattern");
	if (!pattern)
		return intel_fail(ps, "objects[%zu] %s: an indicator without a pattern string", idx, id ? id : "");
	if (json_object_object_get_ex(o, "confidence", &v)) {
		int32_t c = json_object_get_int(v);

		if (!json_object_is_type(v, json_type_int) || c < 0 || c > 100)
			return intel_fail(ps, "objects[%zu] %s: confidence must be an integer 0..100", idx, id ? id : "");
		conf = (uint8_t)c;
	}
	n = intel_stix_pattern(pattern, cmp, INTEL_STIX_CMP_MAX, why, sizeof(why));
	if (n < 0)
		return intel_fail(ps, "objects[%zu] %s: %s", idx, id ? id : "", why);
	if (n == 0) {
		intel_ignore(ps->f, ps->line, "%.120s", why);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (cmp[i].type == INTEL_TYPE_DOMAIN) {
			rc = intel_add_name_text(ps, cmp[i].value, strlen(cmp[i].value), conf);
		} else {
			uint8_t addr[16], plen;

			if (intel_parse_prefix(cmp[i].value, strlen(cmp[i].value), addr, &plen) ||
			    intel_is_v4(addr) != (cmp[i].type == INTEL_TYPE_IPV4))
				return intel_fail(ps, "objects[%zu] %s: '%.64s' is not an %s value", idx, id ? id : "",
						  cmp[i].value, intel_type_name(cmp[i].type));
			rc = intel_add_prefix(ps->f, addr, plen, conf) ? intel_fail(ps, "out of memory") : 0;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int intel_stix(struct intel_parse *ps, const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root = NULL, *objs;
	struct intel_stix_cmp *cmp = NULL;
	const char *type;
	size_t i, n, end;
	int rc = -ENOMEM;

	if (!tok)
		return intel_fail(ps, "out of memory");
	if (len > INT32_MAX) {
		rc = intel_fail(ps, "too large for JSON");
		goto cleanup;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	end = root ? json_tokener_get_parse_end(tok) : 0;
	while (end < len && (text[end] == ' ' || text[end] == '\t' || text[end] == '\n' || text[end] == '\r'))
		end++;	/* text need not end in a NUL: bounded by len */
	if (!root || json_tokener_get_error(tok) != json_tokener_success || end < len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		ps->line = intel_line_of(text, len, json_tokener_get_parse_end(tok));
		rc = intel_fail(ps, "not JSON: %s", e == json_tokener_continue ? "the text ends inside a value"
					       : e == json_tokener_success ? "text after the bundle"
									   : json_tokener_error_desc(e));
		goto cleanup;
	}
	ps->line = 1;
	type = intel_json_str(root, "type");
	if (!type || strcmp(type, "bundle") || !json_object_object_get_ex(root, "objects", &objs) ||
	    !json_object_is_type(objs, json_type_array)) {
		rc = intel_fail(ps, "not a STIX bundle (an object with \"type\": \"bundle\" and an \"objects\" array)");
		goto cleanup;
	}
	cmp = malloc(INTEL_STIX_CMP_MAX * sizeof(*cmp));
	if (!cmp) {
		rc = intel_fail(ps, "out of memory");
		goto cleanup;
	}
	n = json_object_array_length(objs);
	for (i = 0, rc = 0; i < n && !rc; i++)
		rc = intel_stix_object(ps, text, len, json_object_array_get_idx(objs, i), i, cmp);
cleanup:
	free(cmp);
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

int intel_feed_parse(const char *name, const char *text, size_t len, enum intel_format fmt, const void *psl,
		     struct intel_feed **out, struct intel_feed_error *err)
{
	struct intel_feed *f = calloc(1, sizeof(*f));
	struct intel_parse ps = { .name = name, .err = err, .psl = psl, .f = f };
	struct intel_csv *csv = NULL;
	int rc;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	if (!f)
		return -ENOMEM;
	switch (fmt) {
	case INTEL_FORMAT_IP:
		rc = intel_lines(&ps, text, len, "#;", false, intel_ip_line, NULL);
		break;
	case INTEL_FORMAT_DOMAIN:
		rc = intel_lines(&ps, text, len, "#", false, intel_domain_line, NULL);
		break;
	case INTEL_FORMAT_CSV:
		csv = malloc(sizeof(*csv));
		if (!csv) {
			rc = -ENOMEM;
			break;
		}
		csv->col = -1;
		rc = intel_lines(&ps, text, len, "", true, intel_csv_line, csv);
		break;
	case INTEL_FORMAT_STIX:
		rc = intel_stix(&ps, text, len);
		break;
	default:
		rc = intel_fail(&ps, "unknown format");
		break;
	}
	free(csv);
	if (rc) {
		intel_feed_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

int intel_feed_load(const char *path, enum intel_format fmt, const void *psl, struct intel_feed **out,
		    struct intel_feed_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > INTEL_FILE_MAX) {
		rc = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			goto fail;
		}
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	rc = intel_feed_parse(path, buf, got, fmt, psl, out, err);
	free(buf);
	return rc;
fail:
	snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
		 rc == -EINVAL ? "not a regular file" : rc == -EFBIG ? "larger than 512 MiB" : strerror(-rc));
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

void intel_feed_free(struct intel_feed *f)
{
	struct intel_chunk *c, *n;

	if (!f)
		return;
	for (c = f->chunks; c; c = n) {
		n = c->next;
		free(c);
	}
	free(f->ind);
	free(f->ip);
	free(f->dom);
	free(f);
}

uint32_t intel_feed_count(const struct intel_feed *f, enum intel_type t)
{
	return f && t < INTEL_TYPE_MAX ? f->counts[t] : 0;
}

uint32_t intel_feed_ignored(const struct intel_feed *f, const char **why)
{
	if (why)
		*why = f && f->ignored ? f->ignored_why : "";
	return f ? f->ignored : 0;
}

static const struct intel_ind *intel_probe(const struct intel_feed *f, const uint8_t addr[16], unsigned int plen)
{
	uint8_t key[16];
	uint32_t j;

	memcpy(key, addr, 16);
	intel_mask(key, plen);
	for (j = (uint32_t)intel_ip_hash(key, (uint8_t)plen) & f->ip_mask; f->ip[j].used; j = (j + 1) & f->ip_mask)
		if (f->ip[j].len == plen && !memcmp(f->ip[j].addr, key, 16))
			return &f->ind[f->ip[j].ind];
	return NULL;
}

const struct intel_ind *intel_feed_match_addr(const struct intel_feed *f, const uint8_t addr[16])
{
	const struct intel_ind *hit;
	int l;

	if (!f || !f->n_ip)
		return NULL;
	if (intel_is_v4(addr)) {
		for (l = 32; l >= 0; l--)
			if ((f->v4_lens >> l) & 1 && (hit = intel_probe(f, addr, 96u + (unsigned int)l)))
				return hit;
		return NULL;
	}
	for (l = 128; l >= 0; l--)
		if ((f->v6_lens[l / 64] >> (l % 64)) & 1 && (hit = intel_probe(f, addr, (unsigned int)l)))
			return hit;
	return NULL;
}

const struct intel_ind *intel_feed_match_name(const struct intel_feed *f, const char *name)
{
	size_t n;
	long idx;

	if (!f || !f->n_dom)
		return NULL;
	n = strlen(name);
	while (n) {
		idx = intel_find_name(f, name, n);
		if (idx >= 0)
			return &f->ind[idx];
		while (n && *name != '.') {
			name++;
			n--;
		}
		if (n) {
			name++;
			n--;
		}
	}
	return NULL;
}

void intel_feed_walk_addrs(const struct intel_feed *f,
			   void (*fn)(void *ctx, const uint8_t addr[16], uint8_t prefix_len, const struct intel_ind *ind),
			   void *ctx)
{
	uint32_t i;

	for (i = 0; f && f->ip && i <= f->ip_mask; i++)
		if (f->ip[i].used)
			fn(ctx, f->ip[i].addr, f->ip[i].len, &f->ind[f->ip[i].ind]);
}

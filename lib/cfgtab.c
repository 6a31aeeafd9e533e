// SPDX-License-Identifier: GPL-2.0-only
/*
 * cfgtab.c: one YAML loader for every vigil config table. Keeping the walk,
 * the type checks and the error wording here means each binary only declares
 * rows, and every bad key is reported the same way: file:line:col: what was expected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <yaml.h>

#include "cfgtab.h"

#define CFGTAB_FILE_MAX (1u << 20)	/* a config larger than this is a mistake */
#define CFGTAB_KEY_MAX 128		/* longest dotted key we build */
#define CFGTAB_SHOW_MAX 48		/* longest value echoed in a message */
#define CFGTAB_WHY_MAX 400

struct cfgtab_ctx {
	const struct cfgtab_row *rows;
	size_t n;
	char *target;
	const char *name;
	char *err;
	size_t errlen;
	yaml_document_t *doc;
	unsigned int depth;	/* include nesting: 0 for the file the caller named */
	bool redact;		/* an included file that is no vigil config: its text is never shown */
};

#define CFGTAB_INCLUDE_KEY "include"
#define CFGTAB_INCLUDE_DEPTH 8	/* deeper is a cycle or a mistake */
#define CFGTAB_NEST_MAX 32	/* mappings and lists inside each other: a config has a handful */

static int cfgtab_load_text(const struct cfgtab_row *rows, size_t n, void *target, const char *name,
			    const char *text, size_t len, char *err, size_t errlen, unsigned int depth);
static int cfgtab_fail(struct cfgtab_ctx *c, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cfgtab_load_path(const struct cfgtab_row *rows, size_t n, void *target, const char *path,
			    char *err, size_t errlen, unsigned int depth);

/* Copy s into out as one printable line, cut at CFGTAB_SHOW_MAX characters. */
static void cfgtab_show(char *out, size_t outlen, const char *s, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == CFGTAB_SHOW_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (ch == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (ch == '\t') {
			out[o++] = '\\';
			out[o++] = 't';
		} else if (ch < 0x20 || ch == 0x7f) {
			out[o++] = '?';
		} else {
			out[o++] = (char)ch;
		}
	}
	if (outlen)
		out[o < outlen ? o : outlen - 1] = '\0';
}

static void cfgtab_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cfgtab_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* true if s[0..len) is a name of the table: a key, a section, or one part of a dotted key */
static bool cfgtab_known_word(const struct cfgtab_ctx *c, const char *s, size_t len)
{
	for (size_t i = 0; i < c->n; i++) {
		const char *k = c->rows[i].key, *part = k;

		for (const char *p = k;; p++) {
			if (*p && *p != '.')
				continue;
			/* a prefix ending here ("detectors.flood") or the part before it ("flood") */
			if (((size_t)(p - k) == len && !memcmp(k, s, len)) ||
			    ((size_t)(p - part) == len && !memcmp(part, s, len)))
				return true;
			if (!*p)
				break;
			part = p + 1;
		}
	}
	return false;
}

/*
 * An error inside an included file that is not a vigil config names its line
 * and column but never shows what is written there: 'include: /etc/shadow'
 * must not print a password hash. Every quoted text that is not one of the
 * table's own names goes.
 */
static void cfgtab_redact(const struct cfgtab_ctx *c, char *why)
{
	char out[CFGTAB_WHY_MAX];
	size_t o = 0;
	const char *p = why;

	while (*p && o + 1 < sizeof(out)) {
		const char *q = *p == '\'' ? strchr(p + 1, '\'') : NULL;

		if (!q) {
			out[o++] = *p++;
			continue;
		}
		if (cfgtab_known_word(c, p + 1, (size_t)(q - p - 1)))
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s", (int)(q - p + 1), p);
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "(not shown: included file)");
		if (o >= sizeof(out))
			o = sizeof(out) - 1;
		p = q + 1;
	}
	out[o] = '\0';
	memcpy(why, out, o + 1);
}

/* "name:line:col: why"; marks are 0-based in libyaml. Returns -EINVAL. */
static int cfgtab_fail(struct cfgtab_ctx *c, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cfgtab_fail(struct cfgtab_ctx *c, yaml_mark_t m, const char *fmt, ...)
{
	char why[CFGTAB_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c->redact)
		cfgtab_redact(c, why);
	cfgtab_set_err(c->err, c->errlen, "%s:%zu:%zu: %s", c->name, m.line + 1, m.column + 1, why);
	return -EINVAL;
}

/* Integral values print without a fraction, the rest with %g. */
static void cfgtab_fmt_num(char *buf, size_t len, double v)
{
	if (v > -1e15 && v < 1e15 && (double)(long long)v == v)
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%g", v);
}

static void cfgtab_join_names(char *buf, size_t len, const char *const *names)
{
	size_t o = 0;

	buf[0] = '\0';
	for (; names && *names; names++) {
		int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", *names);

		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
	}
}

/* What a row's value should look like, for "expected ... for 'key'". */
static void cfgtab_expect(const struct cfgtab_row *r, char *buf, size_t len)
{
	char names[256];

	switch (r->type) {
	case CFGTAB_STRING:
		if (r->enum_names) {
			cfgtab_join_names(names, sizeof(names), r->enum_names);
			snprintf(buf, len, "one of %s", names);
		} else {
			snprintf(buf, len, "a string");
		}
		break;
	case CFGTAB_BOOL:
		snprintf(buf, len, "a boolean (true/false, yes/no, on/off)");
		break;
	case CFGTAB_U32:
		snprintf(buf, len, "an unsigned integer");
		break;
	case CFGTAB_DOUBLE:
		snprintf(buf, len, "a number");
		break;
	case CFGTAB_ENUM:
		cfgtab_join_names(names, sizeof(names), r->enum_names);
		snprintf(buf, len, "one of %s", names);
		break;
	case CFGTAB_STRING_LIST:
		if (r->enum_names) {
			cfgtab_join_names(names, sizeof(names), r->enum_names);
			snprintf(buf, len, "a list of %s", names);
		} else {
			snprintf(buf, len, "a list of strings");
		}
		break;
	case CFGTAB_CIDR_LIST:
		snprintf(buf, len, "a list of CIDR prefixes");
		break;
	case CFGTAB_TABLE:
		snprintf(buf, len, "a list of mappings ('- name: ...' entries)");
		break;
	}
}

static int cfgtab_bad_value(const struct cfgtab_row *r, const char *text, size_t len, bool quoted,
			    char *why, size_t whylen)
{
	char exp[300], shown[CFGTAB_SHOW_MAX * 2 + 8];

	cfgtab_expect(r, exp, sizeof(exp));
	cfgtab_show(shown, sizeof(shown), text, len);
	/* a long enum list may be cut; the message stays one line either way */
	if (snprintf(why, whylen, "expected %s for '%s', got %s'%s'", exp, r->key,
		     quoted ? "the quoted string " : "", shown) < 0)
		why[0] = '\0';
	return -EINVAL;
}

static int cfgtab_out_of_range(const struct cfgtab_row *r, const char *text, size_t len,
			       char *why, size_t whylen)
{
	char lo[32], hi[32], shown[CFGTAB_SHOW_MAX * 2 + 8];

	cfgtab_fmt_num(lo, sizeof(lo), r->min);
	cfgtab_fmt_num(hi, sizeof(hi), r->max);
	cfgtab_show(shown, sizeof(shown), text, len);
	snprintf(why, whylen, "'%s' must be between %s and %s, got %s", r->key, lo, hi, shown);
	return -EINVAL;
}

static bool cfgtab_is_null(const char *text, size_t len, bool plain)
{
	if (!plain)
		return false;
	return len == 0 || !strcmp(text, "~") || !strcmp(text, "null") || !strcmp(text, "Null") ||
	       !strcmp(text, "NULL");
}

static int cfgtab_find_name(const char *const *names, const char *text)
{
	int i;

	for (i = 0; names && names[i]; i++)
		if (!strcmp(names[i], text))
			return i;
	return -1;
}

/* A string of at most size - 1 bytes into dst (zero-filled first). */
static int cfgtab_parse_string(const struct cfgtab_row *r, char *dst, size_t size, const char *text,
			       size_t len, char *why, size_t whylen)
{
	if (r->enum_names && cfgtab_find_name(r->enum_names, text) < 0)
		return cfgtab_bad_value(r, text, len, false, why, whylen);
	if (len >= size) {
		snprintf(why, whylen, "'%s' must be at most %zu bytes long, got %zu", r->key,
			 size - 1, len);
		return -EINVAL;
	}
	if (r->check && r->check(r->key, text, why, whylen))
		return -EINVAL;
	memset(dst, 0, size);
	memcpy(dst, text, len);
	return 0;
}

static int cfgtab_parse_bool(const struct cfgtab_row *r, bool *dst, const char *text, size_t len,
			     bool quoted, char *why, size_t whylen)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	size_t i;

	for (i = 0; !quoted && i < 3; i++) {
		if (!strcasecmp(text, yes[i])) {
			*dst = true;
			return 0;
		}
		if (!strcasecmp(text, no[i])) {
			*dst = false;
			return 0;
		}
	}
	return cfgtab_bad_value(r, text, len, quoted, why, whylen);
}

/* Decimal digits only: no sign, no fraction, no hex; overflow is a range error. */
static int cfgtab_parse_u32(const struct cfgtab_row *r, uint32_t *dst, const char *text, size_t len,
			    bool quoted, char *why, size_t whylen)
{
	unsigned long long v;
	size_t i;

	if (quoted || len == 0)
		return cfgtab_bad_value(r, text, len, quoted, why, whylen);
	for (i = 0; i < len; i++)
		if (text[i] < '0' || text[i] > '9')
			return cfgtab_bad_value(r, text, len, quoted, why, whylen);
	errno = 0;
	v = strtoull(text, NULL, 10);
	if (errno == ERANGE || v > UINT32_MAX || (double)v < r->min || (double)v > r->max)
		return cfgtab_out_of_range(r, text, len, why, whylen);
	*dst = (uint32_t)v;
	return 0;
}

/* [+-]digits[.digits][e[+-]digits] with at least one mantissa digit; no inf, nan or hex. */
static bool cfgtab_is_decimal(const char *s)
{
	size_t digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static int cfgtab_parse_double(const struct cfgtab_row *r, double *dst, const char *text,
			       size_t len, bool quoted, char *why, size_t whylen)
{
	double v;

	if (quoted || !cfgtab_is_decimal(text))
		return cfgtab_bad_value(r, text, len, quoted, why, whylen);
	errno = 0;
	v = strtod(text, NULL);
	if (errno == ERANGE || !(v >= r->min && v <= r->max))
		return cfgtab_out_of_range(r, text, len, why, whylen);
	*dst = v;
	return 0;
}

static int cfgtab_parse_enum(const struct cfgtab_row *r, int *dst, const char *text, size_t len,
			     char *why, size_t whylen)
{
	int i = cfgtab_find_name(r->enum_names, text);

	if (i < 0)
		return cfgtab_bad_value(r, text, len, false, why, whylen);
	*dst = i;
	return 0;
}

/* "a.b.c.d/n" or "x::y/n"; a bare address is a host prefix. Host bits must be clear. */
static int cfgtab_parse_cidr(const struct cfgtab_row *r, struct cfgtab_cidr *dst, const char *text,
			     size_t len, char *why, size_t whylen)
{
	char buf[64], shown[CFGTAB_SHOW_MAX * 2 + 8], fixed[INET6_ADDRSTRLEN];
	unsigned char addr[16] = { 0 };
	unsigned int prefix, bits, i;
	char *slash;
	bool v4;

	cfgtab_show(shown, sizeof(shown), text, len);
	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, text, len + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	v4 = !strchr(buf, ':');
	if (v4) {
		addr[10] = addr[11] = 0xff;
		if (inet_pton(AF_INET, buf, addr + 12) != 1)
			goto bad;
	} else if (inet_pton(AF_INET6, buf, addr) != 1) {
		goto bad;
	}
	bits = v4 ? 32 : 128;
	prefix = bits;
	if (slash) {
		size_t plen = strlen(slash);

		if (plen == 0 || plen > 3 || strspn(slash, "0123456789") != plen)
			goto bad;
		prefix = (unsigned int)atoi(slash);
		if (prefix > bits) {
			snprintf(why, whylen,
				 "prefix length of '%s' in '%s' must be between 0 and %u for %s",
				 shown, r->key, bits, v4 ? "IPv4" : "IPv6");
			return -EINVAL;
		}
	}
	if (v4)
		prefix += 96;
	memcpy(dst->addr, addr, 16);
	for (i = 0; i < 16; i++) {
		unsigned int keep = prefix > i * 8 ? prefix - i * 8 : 0;

		if (keep < 8)
			dst->addr[i] &= (unsigned char)(0xff00u >> keep);
	}
	if (memcmp(dst->addr, addr, 16)) {
		if (v4)
			inet_ntop(AF_INET, dst->addr + 12, fixed, sizeof(fixed));
		else
			inet_ntop(AF_INET6, dst->addr, fixed, sizeof(fixed));
		snprintf(why, whylen, "'%s' in '%s' has host bits set (did you mean '%s/%u'?)",
			 shown, r->key, fixed, v4 ? prefix - 96 : prefix);
		return -EINVAL;
	}
	dst->prefix_len = (unsigned char)prefix;
	return 0;
bad:
	snprintf(why, whylen, "expected a CIDR prefix (a.b.c.d/n or x:x::x/n) in '%s', got '%s'",
		 r->key, shown);
	return -EINVAL;
}

static size_t cfgtab_stride(const struct cfgtab_row *r)
{
	return r->type == CFGTAB_CIDR_LIST ? sizeof(struct cfgtab_cidr) : r->size;
}

/* One list entry at index idx of row r. */
static int cfgtab_parse_item(const struct cfgtab_row *r, char *target, size_t idx, const char *text,
			     size_t len, char *why, size_t whylen)
{
	char *slot = target + r->offset + idx * cfgtab_stride(r);

	if (r->type == CFGTAB_CIDR_LIST)
		return cfgtab_parse_cidr(r, (struct cfgtab_cidr *)slot, text, len, why, whylen);
	return cfgtab_parse_string(r, slot, r->size, text, len, why, whylen);
}

/* A scalar row's value; text is NUL-terminated at len. */
static int cfgtab_parse_scalar(const struct cfgtab_row *r, char *target, const char *text,
			       size_t len, bool quoted, char *why, size_t whylen)
{
	void *dst = target + r->offset;

	switch (r->type) {
	case CFGTAB_STRING:
		return cfgtab_parse_string(r, dst, r->size, text, len, why, whylen);
	case CFGTAB_BOOL:
		return cfgtab_parse_bool(r, dst, text, len, quoted, why, whylen);
	case CFGTAB_U32:
		return cfgtab_parse_u32(r, dst, text, len, quoted, why, whylen);
	case CFGTAB_DOUBLE:
		return cfgtab_parse_double(r, dst, text, len, quoted, why, whylen);
	case CFGTAB_ENUM:
		return cfgtab_parse_enum(r, dst, text, len, why, whylen);
	default:
		snprintf(why, whylen, "'%s' is a list", r->key);
		return -EINVAL;
	}
}

static void cfgtab_list_reset(const struct cfgtab_row *r, char *target)
{
	memset(target + r->offset, 0, r->count_max * cfgtab_stride(r));
	*(uint32_t *)(target + r->count_offset) = 0;
}

static bool cfgtab_is_list(const struct cfgtab_row *r)
{
	return r->type == CFGTAB_STRING_LIST || r->type == CFGTAB_CIDR_LIST || r->type == CFGTAB_TABLE;
}

static int cfgtab_check_row(const struct cfgtab_row *rows, size_t n, size_t i, char *err, size_t errlen);

/* A TABLE row's entry rows: keys "<row key>.<name>", no nested tables, default empty. */
static int cfgtab_check_sub(const struct cfgtab_row *r, char *err, size_t errlen)
{
	size_t klen = strlen(r->key), j;
	int rc;

	if (!r->sub || !r->n_sub || r->size == 0 || r->def[0])
		goto bad;
	for (j = 0; j < r->n_sub; j++) {
		const struct cfgtab_row *s = &r->sub[j];

		if (!s->key || strncmp(s->key, r->key, klen) || s->key[klen] != '.' || s->type == CFGTAB_TABLE ||
		    s->offset >= r->size)
			goto bad;
		rc = cfgtab_check_row(r->sub, r->n_sub, j, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
bad:
	cfgtab_set_err(err, errlen, "table: the entry rows of '%s' are malformed", r->key);
	return -EINVAL;
}

/* Table sanity, so that a bad row fails the first test rather than a user's config. */
static int cfgtab_check_row(const struct cfgtab_row *rows, size_t n, size_t i, char *err,
			    size_t errlen)
{
	const struct cfgtab_row *r = &rows[i];
	size_t klen, j;

	if (!r->key || !r->key[0] || r->key[0] == '.' || strstr(r->key, "..") ||
	    r->key[strlen(r->key) - 1] == '.' || strlen(r->key) >= CFGTAB_KEY_MAX || !r->def)
		goto bad;
	if ((r->type == CFGTAB_STRING || r->type == CFGTAB_STRING_LIST) && r->size < 2)
		goto bad;
	if (cfgtab_is_list(r) && !r->count_max)
		goto bad;
	if (r->type == CFGTAB_TABLE)
		return cfgtab_check_sub(r, err, errlen);
	if (r->type == CFGTAB_ENUM && (!r->enum_names || !r->enum_names[0]))
		goto bad;
	if ((r->type == CFGTAB_U32 || r->type == CFGTAB_DOUBLE) && !(r->min <= r->max))
		goto bad;
	if (r->type == CFGTAB_U32 && (r->min < 0 || r->max > UINT32_MAX))
		goto bad;
	klen = strlen(r->key);
	for (j = 0; j < n; j++) {
		const char *o = rows[j].key;

		if (j == i || !o)
			continue;
		if (!strcmp(o, r->key) || (!strncmp(o, r->key, klen) && o[klen] == '.')) {
			cfgtab_set_err(err, errlen, "table: key '%s' clashes with '%s'", r->key, o);
			return -EINVAL;
		}
	}
	return 0;
bad:
	cfgtab_set_err(err, errlen, "table: row %zu ('%s') is malformed", i, r->key ? r->key : "");
	return -EINVAL;
}

int cfgtab_defaults(const struct cfgtab_row *rows, size_t n, void *target, char *err, size_t errlen)
{
	char why[CFGTAB_WHY_MAX], item[512];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct cfgtab_row *r = &rows[i];

		rc = cfgtab_check_row(rows, n, i, err, errlen);
		if (rc)
			return rc;
		if (cfgtab_is_list(r)) {
			const char *p = r->def;
			size_t count = 0;

			cfgtab_list_reset(r, target);
			while (*p) {
				size_t len = strcspn(p, ",");

				if (count == r->count_max || len >= sizeof(item)) {
					rc = -EINVAL;
					snprintf(why, sizeof(why), "too many or too long entries");
					break;
				}
				memcpy(item, p, len);
				item[len] = '\0';
				rc = cfgtab_parse_item(r, target, count, item, len, why, sizeof(why));
				if (rc)
					break;
				count++;
				p += len;
				if (*p == ',')
					p++;
			}
			*(uint32_t *)((char *)target + r->count_offset) = (uint32_t)count;
		} else {
			rc = cfgtab_parse_scalar(r, target, r->def, strlen(r->def), false, why,
						 sizeof(why));
		}
		if (rc) {
			cfgtab_set_err(err, errlen, "table: default of '%s': %s", r->key, why);
			return -EINVAL;
		}
	}
	return 0;
}

/* Optimal string alignment distance (an adjacent swap costs 1), three rolling rows. */
static size_t cfgtab_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][CFGTAB_KEY_MAX + 1], *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t i, j;

	if (la > CFGTAB_KEY_MAX || lb > CFGTAB_KEY_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + (a[i - 1] != b[j - 1]) < v)
				v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* The key component right after prefix in row r's key, or NULL when r is not under prefix. */
static const char *cfgtab_child(const struct cfgtab_row *r, const char *prefix, size_t *len)
{
	size_t plen = strlen(prefix);
	const char *s = r->key;

	if (plen) {
		if (strncmp(s, prefix, plen) || s[plen] != '.')
			return NULL;
		s += plen + 1;
	}
	*len = strcspn(s, ".");
	return s;
}

static int cfgtab_unknown(struct cfgtab_ctx *c, yaml_node_t *k, const char *prefix)
{
	const char *key = (const char *)k->data.scalar.value;
	size_t klen = k->data.scalar.length, best_d = (size_t)-1, best_len = 0, i, j, o = 0;
	char shown[CFGTAB_SHOW_MAX * 2 + 8], where[CFGTAB_KEY_MAX + 16], valid[256];
	const char *best = NULL;

	valid[0] = '\0';
	for (i = 0; i < c->n; i++) {
		size_t len, jl, d;
		const char *ch = cfgtab_child(&c->rows[i], prefix, &len);
		bool seen = false;

		if (!ch)
			continue;
		for (j = 0; j < i && !seen; j++) {
			const char *cj = cfgtab_child(&c->rows[j], prefix, &jl);

			seen = cj && jl == len && !strncmp(cj, ch, len);
		}
		if (seen)
			continue;
		if (o + len + 3 < sizeof(valid))
			o += (size_t)snprintf(valid + o, sizeof(valid) - o, "%s%.*s", o ? ", " : "",
					      (int)len, ch);
		d = cfgtab_distance(key, klen, ch, len);
		if (d < best_d) {
			best_d = d;
			best = ch;
			best_len = len;
		}
	}
	cfgtab_show(shown, sizeof(shown), key, klen);
	if (prefix[0])
		snprintf(where, sizeof(where), "in '%s'", prefix);
	else
		snprintf(where, sizeof(where), "at the top level");
	/* close enough to be a typo: 1 edit for short names, 2 up to 8 characters, else 3 */
	if (best && best_d <= (best_len <= 4 ? 1u : best_len <= 8 ? 2u : 3u))
		return cfgtab_fail(c, k->start_mark, "unknown key '%s' %s (did you mean '%.*s'?)",
				   shown, where, (int)best_len, best);
	return cfgtab_fail(c, k->start_mark, "unknown key '%s' %s (valid keys: %s)%s", shown, where,
			   valid, memchr(key, '.', klen) ? "; nest mappings instead of dotted keys" : "");
}

static const char *cfgtab_kind(const yaml_node_t *v)
{
	switch (v->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

static bool cfgtab_node_null(const yaml_node_t *v)
{
	return v->type == YAML_SCALAR_NODE &&
	       cfgtab_is_null((const char *)v->data.scalar.value, v->data.scalar.length,
			      v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
}

/* Check a scalar node for embedded NULs; returns its text and whether it was quoted. */
static int cfgtab_scalar_text(struct cfgtab_ctx *c, const struct cfgtab_row *r, yaml_node_t *v,
			      const char **text, bool *quoted)
{
	*text = (const char *)v->data.scalar.value;
	*quoted = v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if (strlen(*text) != v->data.scalar.length)
		return cfgtab_fail(c, v->start_mark, "'%s' must not contain a NUL byte", r->key);
	return 0;
}

static int cfgtab_walk(struct cfgtab_ctx *c, yaml_node_t *map, const char *prefix);

/* Entry idx of a TABLE row: its defaults, then the mapping's keys against the entry's rows. */
static int cfgtab_set_entry(struct cfgtab_ctx *c, const struct cfgtab_row *r, yaml_node_t *e, size_t idx)
{
	char *entry = c->target + r->offset + idx * r->size;
	struct cfgtab_ctx sub = *c;
	size_t i;
	int rc;

	if (e->type != YAML_MAPPING_NODE)
		return cfgtab_fail(c, e->start_mark, "expected a mapping as entry %zu of '%s', got %s", idx + 1,
				   r->key, cfgtab_kind(e));
	rc = cfgtab_defaults(r->sub, r->n_sub, entry, c->err, c->errlen);
	if (rc)
		return rc;
	sub.rows = r->sub;
	sub.n = r->n_sub;
	sub.target = entry;
	rc = cfgtab_walk(&sub, e, r->key);
	if (rc)
		return rc;
	for (i = 0; i < r->n_sub; i++) {
		const struct cfgtab_row *s = &r->sub[i];

		if (s->type == CFGTAB_STRING && s->min >= 1 && !entry[s->offset])
			return cfgtab_fail(c, e->start_mark, "entry %zu of '%s' needs '%s'", idx + 1, r->key,
					   s->key + strlen(r->key) + 1);
	}
	return 0;
}

static int cfgtab_set_list(struct cfgtab_ctx *c, const struct cfgtab_row *r, yaml_node_t *v)
{
	char why[CFGTAB_WHY_MAX], exp[64];
	yaml_node_item_t *it, *start;
	size_t count = 0, total;
	const char *text;
	bool quoted;
	int rc;

	cfgtab_list_reset(r, c->target);
	if (cfgtab_node_null(v) || (v->type == YAML_SEQUENCE_NODE && v->data.sequence.items.top ==
								 v->data.sequence.items.start)) {
		if (r->min >= 1)
			return cfgtab_fail(c, v->start_mark, "'%s' needs at least %.0f entr%s", r->key, r->min,
					   r->min == 1 ? "y" : "ies");
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		cfgtab_expect(r, exp, sizeof(exp));
		return cfgtab_fail(c, v->start_mark, "expected %s for '%s' ([a, b] or '- a' lines), got %s",
				   exp, r->key, cfgtab_kind(v));
	}
	start = v->data.sequence.items.start;
	total = (size_t)(v->data.sequence.items.top - start);
	for (it = start; it < v->data.sequence.items.top; it++, count++) {
		yaml_node_t *e = yaml_document_get_node(c->doc, *it);

		if (count == r->count_max)
			return cfgtab_fail(c, e->start_mark, "'%s' holds at most %zu entries, got %zu",
					   r->key, r->count_max, total);
		if (r->type == CFGTAB_TABLE) {
			rc = cfgtab_set_entry(c, r, e, count);
			if (rc)
				return rc;
			continue;
		}
		if (e->type != YAML_SCALAR_NODE)
			return cfgtab_fail(c, e->start_mark, "expected a scalar entry in '%s', got %s",
					   r->key, cfgtab_kind(e));
		if (cfgtab_node_null(e))
			return cfgtab_fail(c, e->start_mark, "empty entry in '%s'", r->key);
		rc = cfgtab_scalar_text(c, r, e, &text, &quoted);
		if (rc)
			return rc;
		rc = cfgtab_parse_item(r, c->target, count, text, e->data.scalar.length, why,
				       sizeof(why));
		if (rc)
			return cfgtab_fail(c, e->start_mark, "%s", why);
	}
	*(uint32_t *)(c->target + r->count_offset) = (uint32_t)count;
	return 0;
}

static int cfgtab_set_value(struct cfgtab_ctx *c, const struct cfgtab_row *r, yaml_node_t *v)
{
	char why[CFGTAB_WHY_MAX], exp[300];
	const char *text;
	bool quoted;
	int rc;

	if (cfgtab_is_list(r))
		return cfgtab_set_list(c, r, v);
	cfgtab_expect(r, exp, sizeof(exp));
	if (v->type != YAML_SCALAR_NODE)
		return cfgtab_fail(c, v->start_mark, "expected %s for '%s', got %s", exp, r->key,
				   cfgtab_kind(v));
	if (cfgtab_node_null(v))
		return cfgtab_fail(c, v->start_mark, "expected %s for '%s', got nothing%s", exp, r->key,
				   r->type == CFGTAB_STRING ? " (write \"\" for an empty string)" : "");
	rc = cfgtab_scalar_text(c, r, v, &text, &quoted);
	if (rc)
		return rc;
	rc = cfgtab_parse_scalar(r, c->target, text, v->data.scalar.length, quoted, why, sizeof(why));
	if (rc)
		return cfgtab_fail(c, v->start_mark, "%s", why);
	return 0;
}

static bool cfgtab_is_section(struct cfgtab_ctx *c, const char *full)
{
	size_t len = strlen(full), i;

	for (i = 0; i < c->n; i++)
		if (!strncmp(c->rows[i].key, full, len) && c->rows[i].key[len] == '.')
			return true;
	return false;
}

/* Walk one mapping whose keys sit under prefix ("" at the top). */
static int cfgtab_walk(struct cfgtab_ctx *c, yaml_node_t *map, const char *prefix)
{
	yaml_node_pair_t *p, *q, *start = map->data.mapping.pairs.start;
	char full[CFGTAB_KEY_MAX];
	size_t i;
	int rc;

	for (p = start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const struct cfgtab_row *row = NULL;
		char shown[CFGTAB_SHOW_MAX * 2 + 8];
		const char *key;
		size_t klen;

		if (k->type != YAML_SCALAR_NODE)
			return cfgtab_fail(c, k->start_mark, "expected a name as key %s%s%s, got %s",
					   prefix[0] ? "in '" : "at the top level", prefix,
					   prefix[0] ? "'" : "", cfgtab_kind(k));
		key = (const char *)k->data.scalar.value;
		klen = k->data.scalar.length;
		cfgtab_show(shown, sizeof(shown), key, klen);
		for (q = start; q < p; q++) {
			yaml_node_t *o = yaml_document_get_node(c->doc, q->key);

			if (o->type == YAML_SCALAR_NODE && o->data.scalar.length == klen &&
			    !memcmp(o->data.scalar.value, key, klen))
				return cfgtab_fail(c, k->start_mark,
						   "duplicate key '%s'%s%s%s (first at line %zu)", shown,
						   prefix[0] ? " in '" : "", prefix, prefix[0] ? "'" : "",
						   o->start_mark.line + 1);
		}
		if (!klen || strlen(key) != klen || memchr(key, '.', klen) ||
		    (size_t)snprintf(full, sizeof(full), "%s%s%s", prefix, prefix[0] ? "." : "", key) >=
			    sizeof(full))
			return cfgtab_unknown(c, k, prefix);
		for (i = 0; i < c->n && !row; i++)
			if (!strcmp(c->rows[i].key, full))
				row = &c->rows[i];
		if (row) {
			rc = cfgtab_set_value(c, row, v);
		} else if (!prefix[0] && !strcmp(key, CFGTAB_INCLUDE_KEY)) {
			continue; /* applied before this document's keys, by cfgtab_includes */
		} else if (cfgtab_is_section(c, full)) {
			if (cfgtab_node_null(v))
				continue;
			if (v->type != YAML_MAPPING_NODE)
				return cfgtab_fail(c, v->start_mark, "expected a mapping for '%s', got %s",
						   full, cfgtab_kind(v));
			rc = cfgtab_walk(c, v, full);
		} else {
			rc = cfgtab_unknown(c, k, prefix);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* libyaml's own problem as one line; reader errors carry only a byte offset. */
static int cfgtab_syntax_error(struct cfgtab_ctx *c, yaml_parser_t *ps, const char *text, size_t len)
{
	yaml_mark_t m = ps->problem_mark;
	size_t i;

	if (ps->error == YAML_MEMORY_ERROR) {
		cfgtab_set_err(c->err, c->errlen, "%s: out of memory", c->name);
		return -ENOMEM;
	}
	if (ps->error == YAML_READER_ERROR) {
		memset(&m, 0, sizeof(m));
		for (i = 0; i < ps->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				m.line++;
				m.column = 0;
			} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
				m.column++;
			}
		}
	}
	if (ps->context && ps->error != YAML_READER_ERROR)
		return cfgtab_fail(c, m, "%s (%s at %zu:%zu)",
				   ps->problem ? ps->problem : "syntax error", ps->context,
				   ps->context_mark.line + 1, ps->context_mark.column + 1);
	return cfgtab_fail(c, m, "%s", ps->problem ? ps->problem : "syntax error");
}

/* One include: a path relative to the including file's directory, loaded over target. */
static int cfgtab_include_one(struct cfgtab_ctx *c, yaml_node_t *v)
{
	const char *file = (const char *)v->data.scalar.value, *slash = strrchr(c->name, '/');
	char path[1024], why[CFGTAB_WHY_MAX];
	size_t used;
	int rc;

	if (v->type != YAML_SCALAR_NODE || cfgtab_node_null(v) || !file[0] ||
	    strlen(file) != v->data.scalar.length)
		return cfgtab_fail(c, v->start_mark,
				   "expected a file name or a list of file names for 'include', got %s",
				   v->type == YAML_SCALAR_NODE ? "nothing" : cfgtab_kind(v));
	if (c->depth + 1 >= CFGTAB_INCLUDE_DEPTH)
		return cfgtab_fail(c, v->start_mark, "includes nested deeper than %u (a cycle?) at '%s'",
				   CFGTAB_INCLUDE_DEPTH, file);
	if (file[0] == '/' || !slash)
		rc = snprintf(path, sizeof(path), "%s", file);
	else
		rc = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - c->name), c->name, file);
	if (rc < 0 || (size_t)rc >= sizeof(path))
		return cfgtab_fail(c, v->start_mark, "include path '%.64s...' is too long", file);
	rc = cfgtab_load_path(c->rows, c->n, c->target, path, c->err, c->errlen, c->depth + 1);
	if (rc && c->err && c->errlen) {
		/* the included file's own file:line:col comes first; say where it was included */
		used = strlen(c->err);
		snprintf(why, sizeof(why), " (included from %s:%zu:%zu)", c->name, v->start_mark.line + 1,
			 v->start_mark.column + 1);
		if (used + strlen(why) < c->errlen)
			memcpy(c->err + used, why, strlen(why) + 1);
	}
	return rc;
}

/* Top-level 'include: FILE' or 'include: [A, B]': applied in order, before the other keys. */
static int cfgtab_includes(struct cfgtab_ctx *c, yaml_node_t *root)
{
	yaml_node_pair_t *p;
	size_t i;
	int rc;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->rows[i].key, CFGTAB_INCLUDE_KEY))
			return 0; /* a table that owns the name gets it as a value */
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		yaml_node_item_t *it;

		if (k->type != YAML_SCALAR_NODE || strcmp((const char *)k->data.scalar.value, CFGTAB_INCLUDE_KEY))
			continue;
		if (v->type != YAML_SEQUENCE_NODE)
			return cfgtab_include_one(c, v);
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			rc = cfgtab_include_one(c, yaml_document_get_node(c->doc, *it));
			if (rc)
				return rc;
		}
		return 0; /* a second 'include' is reported as a duplicate key by the walk */
	}
	return 0;
}

/*
 * Walk the document's events once, refusing nesting deeper than
 * CFGTAB_NEST_MAX (a config is a few levels deep): a document of 200,000
 * nested lists took libyaml minutes, and the reload thread must not. With the
 * depth bounded the parse is linear in the input.
 */
static int cfgtab_depth(struct cfgtab_ctx *c, const char *text, size_t len)
{
	yaml_parser_t ps;
	yaml_event_t ev;
	unsigned int depth = 0;
	int rc = 0;

	if (!yaml_parser_initialize(&ps)) {
		cfgtab_set_err(c->err, c->errlen, "%s: out of memory", c->name);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	for (;;) {
		if (!yaml_parser_parse(&ps, &ev)) {
			rc = 0;	/* a syntax error: the load reports it with its position */
			break;
		}
		if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
			if (++depth > CFGTAB_NEST_MAX) {
				rc = cfgtab_fail(c, ev.start_mark, "nested deeper than %u levels: not a vigil configuration",
						 CFGTAB_NEST_MAX);
				yaml_event_delete(&ev);
				break;
			}
		} else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			depth--;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ps);
	return rc;
}

int cfgtab_load_string(const struct cfgtab_row *rows, size_t n, void *target, const char *name,
		       const char *text, size_t len, char *err, size_t errlen)
{
	return cfgtab_load_text(rows, n, target, name, text, len, err, errlen, 0);
}

static int cfgtab_load_text(const struct cfgtab_row *rows, size_t n, void *target, const char *name,
			    const char *text, size_t len, char *err, size_t errlen, unsigned int depth)
{
	struct cfgtab_ctx c = {
		.rows = rows, .n = n, .target = target, .name = name ? name : "<string>",
		.err = err, .errlen = errlen, .depth = depth,
	};
	yaml_document_t doc, extra;
	bool have_doc = false, have_extra = false;
	yaml_parser_t ps;
	yaml_node_t *root;
	int rc;

	if (!yaml_parser_initialize(&ps)) {
		cfgtab_set_err(err, errlen, "%s: out of memory", c.name);
		return -ENOMEM;
	}
	/* libyaml's scanner costs O(depth) per token: refuse deep nesting before loading the document */
	rc = cfgtab_depth(&c, text, len);
	if (rc)
		goto cleanup;
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	if (!yaml_parser_load(&ps, &doc)) {
		rc = cfgtab_syntax_error(&c, &ps, text, len);
		goto cleanup;
	}
	have_doc = true;
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root && !cfgtab_node_null(root)) {
		if (root->type != YAML_MAPPING_NODE) {
			rc = cfgtab_fail(&c, root->start_mark,
					 "expected a mapping of sections at the top level, got %s",
					 cfgtab_kind(root));
			goto cleanup;
		}
		/* an included file whose top level is not ours is not a vigil config: show nothing of it */
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; depth && p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";

			if (k->type != YAML_SCALAR_NODE || strlen(key) != k->data.scalar.length ||
			    (!cfgtab_is_section(&c, key) && strcmp(key, CFGTAB_INCLUDE_KEY) &&
			     !cfgtab_known_word(&c, key, strlen(key))))
				c.redact = true;
		}
		rc = cfgtab_includes(&c, root);
		if (!rc)
			rc = cfgtab_walk(&c, root, "");
		if (rc)
			goto cleanup;
	}
	if (!yaml_parser_load(&ps, &extra)) {
		rc = cfgtab_syntax_error(&c, &ps, text, len);
		goto cleanup;
	}
	have_extra = true;
	root = yaml_document_get_root_node(&extra);
	rc = root ? cfgtab_fail(&c, root->start_mark, "expected a single YAML document") : 0;
cleanup:
	if (have_extra)
		yaml_document_delete(&extra);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&ps);
	return rc;
}

int cfgtab_load_file(const struct cfgtab_row *rows, size_t n, void *target, const char *path,
		     char *err, size_t errlen)
{
	return cfgtab_load_path(rows, n, target, path, err, errlen, 0);
}

static int cfgtab_load_path(const struct cfgtab_row *rows, size_t n, void *target, const char *path,
			    char *err, size_t errlen, unsigned int depth)
{
	size_t len = 0;
	char *buf = NULL;
	struct stat sb;
	ssize_t got;
	int fd, rc;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer; only a regular file is read */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		cfgtab_set_err(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		rc = -EINVAL;
		cfgtab_set_err(err, errlen, "%s: not a regular file (a FIFO, a device or a directory): refused", path);
		close(fd);
		return rc;
	}
	buf = malloc(CFGTAB_FILE_MAX + 1);
	if (!buf) {
		rc = -ENOMEM;
		cfgtab_set_err(err, errlen, "%s: out of memory", path);
		goto cleanup;
	}
	while (len <= CFGTAB_FILE_MAX && (got = read(fd, buf + len, CFGTAB_FILE_MAX + 1 - len)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -EIO;
			cfgtab_set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
			goto cleanup;
		}
		len += (size_t)got;
	}
	if (len > CFGTAB_FILE_MAX) {
		rc = -EFBIG;
		cfgtab_set_err(err, errlen, "%s: larger than %u bytes", path, CFGTAB_FILE_MAX);
		goto cleanup;
	}
	buf[len] = '\0';
	rc = cfgtab_load_text(rows, n, target, path, buf, len, err, errlen, depth);
cleanup:
	free(buf);
	close(fd);
	return rc;
}

/* Markdown cell text: '|' would end the cell. */
static void cfgtab_doc_cell(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', fp);
		fputc(*s, fp);
	}
}

/* A row's type in words ("unsigned integer", "one of: tap, inline", ...), plain text. */
static void cfgtab_doc_type(const struct cfgtab_row *r, char *buf, size_t len)
{
	char names[256];

	switch (r->type) {
	case CFGTAB_STRING:
		if (r->enum_names) {
			cfgtab_join_names(names, sizeof(names), r->enum_names);
			snprintf(buf, len, "one of: %s", names);
		} else {
			snprintf(buf, len, "string, max %zu bytes", r->size - 1);
		}
		break;
	case CFGTAB_BOOL:
		snprintf(buf, len, "boolean");
		break;
	case CFGTAB_U32:
		snprintf(buf, len, "unsigned integer");
		break;
	case CFGTAB_DOUBLE:
		snprintf(buf, len, "number");
		break;
	case CFGTAB_ENUM:
		cfgtab_join_names(names, sizeof(names), r->enum_names);
		snprintf(buf, len, "one of: %s", names);
		break;
	case CFGTAB_STRING_LIST:
		if (r->enum_names) {
			cfgtab_join_names(names, sizeof(names), r->enum_names);
			snprintf(buf, len, "list of: %s, max %zu entries", names, r->count_max);
		} else {
			snprintf(buf, len, "list of strings, max %zu entries of %zu bytes", r->count_max, r->size - 1);
		}
		break;
	case CFGTAB_CIDR_LIST:
		if (r->min >= 1)
			snprintf(buf, len, "list of CIDR prefixes, %.0f to %zu entries", r->min, r->count_max);
		else
			snprintf(buf, len, "list of CIDR prefixes, max %zu entries", r->count_max);
		break;
	case CFGTAB_TABLE:
		snprintf(buf, len, "list of mappings (keys below), max %zu entries", r->count_max);
		break;
	}
}

/* A row's default as written in YAML ("[a, b]" for a list, "\"x\"" for a string), plain text. */
static void cfgtab_doc_default(const struct cfgtab_row *r, char *buf, size_t len)
{
	size_t o = 0;
	const char *p;

	if (cfgtab_is_list(r)) {
		buf[o++] = '[';
		for (p = r->def; *p && o + 3 < len; p++) {
			if (*p == ',') {
				buf[o++] = ',';
				buf[o++] = ' ';
			} else {
				buf[o++] = *p;
			}
		}
		buf[o++] = ']';
		buf[o] = '\0';
	} else if (r->type == CFGTAB_STRING && r->min >= 1 && !r->def[0]) {
		snprintf(buf, len, "(required)");
	} else if (r->type == CFGTAB_STRING) {
		snprintf(buf, len, "\"%s\"", r->def);
	} else {
		snprintf(buf, len, "%s", r->def);
	}
}

/* A TABLE's entry key as documented: "intel.feeds.name" -> "intel.feeds[].name". */
static void cfgtab_doc_key(const struct cfgtab_row *table, const struct cfgtab_row *r, char *buf, size_t len)
{
	size_t k = table ? strlen(table->key) : 0;

	if (table)
		snprintf(buf, len, "%.*s[]%s", (int)k, r->key, r->key + k);
	else
		snprintf(buf, len, "%s", r->key);
}

static void cfgtab_doc_row(FILE *fp, const struct cfgtab_row *table, const struct cfgtab_row *r)
{
	char lo[32], hi[32], text[512];

	cfgtab_doc_key(table, r, text, sizeof(text));
	fprintf(fp, "| `%s` | ", text);
	cfgtab_doc_type(r, text, sizeof(text));
	cfgtab_doc_cell(fp, text);
	fprintf(fp, " | `");
	cfgtab_doc_default(r, text, sizeof(text));
	cfgtab_doc_cell(fp, text);
	fprintf(fp, "` | ");
	if (r->type == CFGTAB_U32 || r->type == CFGTAB_DOUBLE) {
		cfgtab_fmt_num(lo, sizeof(lo), r->min);
		cfgtab_fmt_num(hi, sizeof(hi), r->max);
		fprintf(fp, "%s .. %s", lo, hi);
	}
	fprintf(fp, " | ");
	cfgtab_doc_cell(fp, r->doc ? r->doc : "");
	fprintf(fp, " |\n");
}

int cfgtab_write_doc(const struct cfgtab_row *rows, size_t n, FILE *fp, const char *title)
{
	size_t i, j;

	if (title)
		fprintf(fp, "# %s\n\n", title);
	fprintf(fp, "| Key | Type | Default | Range | Description |\n");
	fprintf(fp, "|-----|------|---------|-------|-------------|\n");
	for (i = 0; i < n; i++) {
		cfgtab_doc_row(fp, NULL, &rows[i]);
		for (j = 0; rows[i].type == CFGTAB_TABLE && j < rows[i].n_sub; j++)
			cfgtab_doc_row(fp, &rows[i], &rows[i].sub[j]);
	}
	return ferror(fp) ? -EIO : 0;
}

void cfgtab_man_text(FILE *fp, const char *s)
{
	bool bol = true, code = false;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", fp);
		bol = false;
		switch (*s) {
		case '\\':
			fputs("\\e", fp);
			break;
		case '`':
			fputs(code ? "\\fR" : "\\fB", fp);
			code = !code;
			break;
		case '-':
			fputs("\\-", fp);
			break;
		case '\n':
			fputc('\n', fp);
			bol = true;
			break;
		default:
			fputc(*s, fp);
		}
	}
	if (code)
		fputs("\\fR", fp);
}

static void cfgtab_man_row(FILE *fp, const struct cfgtab_row *table, const struct cfgtab_row *r)
{
	char lo[32], hi[32], text[512];

	fprintf(fp, ".TP\n.B ");
	cfgtab_doc_key(table, r, text, sizeof(text));
	cfgtab_man_text(fp, text);
	fprintf(fp, "\n");
	cfgtab_doc_type(r, text, sizeof(text));
	cfgtab_man_text(fp, text);
	fprintf(fp, "; default \\fB");
	cfgtab_doc_default(r, text, sizeof(text));
	cfgtab_man_text(fp, text);
	fprintf(fp, "\\fR");
	if (r->type == CFGTAB_U32 || r->type == CFGTAB_DOUBLE) {
		cfgtab_fmt_num(lo, sizeof(lo), r->min);
		cfgtab_fmt_num(hi, sizeof(hi), r->max);
		fprintf(fp, "; ");
		cfgtab_man_text(fp, lo);
		fprintf(fp, " to ");
		cfgtab_man_text(fp, hi);
	}
	fprintf(fp, ".\n.br\n");
	cfgtab_man_text(fp, r->doc ? r->doc : "");
	fprintf(fp, "\n");
}

int cfgtab_write_man(const struct cfgtab_row *rows, size_t n, FILE *fp)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		cfgtab_man_row(fp, NULL, &rows[i]);
		for (j = 0; rows[i].type == CFGTAB_TABLE && j < rows[i].n_sub; j++)
			cfgtab_man_row(fp, &rows[i], &rows[i].sub[j]);
	}
	return ferror(fp) ? -EIO : 0;
}

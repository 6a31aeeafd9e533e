// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_intel.c: intel feeds parsed (every format, the errors a bad line
 * gives), longest-prefix and suffix matching, and the names pulled out of
 * DNS, TLS and HTTP payloads. Table-driven; one row per case.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "intel_feed.h"
#include "intel_names.h"
#include "testlib.h"

struct parse_case {
	const char *name;
	enum intel_format fmt;
	const char *text;
	int rc;				/* 0 or -EINVAL */
	const char *msg;		/* substring of the error ("feed:3: ...") */
	uint32_t v4, v6, dom, ignored;
};

static const struct parse_case parse_cases[] = {
	{ "ip: addresses, prefixes, comments, Spamhaus ';'", INTEL_FORMAT_IP,
	  "# FireHOL style\n198.51.100.7\n203.0.113.0/25 ; SBL1\n\n  2001:db8:bad::/48  # v6\r\n198.51.100.7\n", 0, NULL,
	  2, 1, 0, 0 },
	{ "ip: host bits set are masked, ::ffff: is IPv4", INTEL_FORMAT_IP, "192.0.2.77/24\n::ffff:198.51.100.1\n", 0,
	  NULL, 2, 0, 0, 0 },
	{ "ip: a bad octet names its line", INTEL_FORMAT_IP, "# x\n198.51.100.7\n198.51.100.300\n", -EINVAL,
	  "feed:3: '198.51.100.300' is not an IPv4 or IPv6 address or prefix", 0, 0, 0, 0 },
	{ "ip: /33 is refused", INTEL_FORMAT_IP, "192.0.2.0/33\n", -EINVAL, "feed:1: '192.0.2.0/33'", 0, 0, 0, 0 },
	{ "ip: a name in an address list", INTEL_FORMAT_IP, "evil.example\n", -EINVAL, "feed:1: 'evil.example' is not",
	  0, 0, 0, 0 },
	{ "csv: abuse.ch commented header, quoted fields", INTEL_FORMAT_CSV,
	  "# abuse.ch\n# \"first_seen_utc\",\"dst_ip\",\"dst_port\"\n\"2026-01-01 00:00:00\",\"198.51.100.7\",\"443\"\n"
	  "\"2026-01-02 00:00:00\",\"203.0.113.9\",\"8080\"\n", 0, NULL, 2, 0, 0, 0 },
	{ "csv: header line, ip:port value", INTEL_FORMAT_CSV, "id,ip_address,tag\n1,198.51.100.9:4443,x\n", 0, NULL, 1,
	  0, 0, 0 },
	{ "csv: no header: the first column holding an address", INTEL_FORMAT_CSV, "x,2001:db8::1,y\nz,192.0.2.1,w\n", 0,
	  NULL, 1, 1, 0, 0 },
	{ "csv: a row too short for the column", INTEL_FORMAT_CSV, "ip,tag\n192.0.2.1,a\n\n", 0, NULL, 1, 0, 0, 0 },
	{ "csv: a bad value in the column", INTEL_FORMAT_CSV, "ip,tag\n192.0.2.1,a\nnope,b\n", -EINVAL,
	  "feed:3: 'nope' is not", 0, 0, 0, 0 },
	{ "csv: unterminated quote", INTEL_FORMAT_CSV, "ip,tag\n\"192.0.2.1,a\n", -EINVAL, "feed:2: unterminated quote",
	  0, 0, 0, 0 },
	{ "domain: names, hosts lines, '*.' and case", INTEL_FORMAT_DOMAIN,
	  "# list\nEvil.Example\n0.0.0.0 dl.malware.example\n*.c2.bad.example.\nevil.example\n", 0, NULL, 0, 0, 3, 0 },
	{ "domain: a public suffix is skipped, not an error", INTEL_FORMAT_DOMAIN, "co.uk\nexample\nx.example\n", 0, NULL,
	  0, 0, 1, 2 },
	{ "domain: an empty label", INTEL_FORMAT_DOMAIN, "a..example\n", -EINVAL, "feed:1: empty label", 0, 0, 0, 0 },
	{ "domain: non-ASCII asks for punycode", INTEL_FORMAT_DOMAIN, "ok.example\nb\xc3\xa4" "d.example\n", -EINVAL,
	  "feed:2: 'b\xc3\xa4" "d.example' is not a domain name (write IDNs as punycode", 0, 0, 0, 0 },
	{ "domain: an address in a name list", INTEL_FORMAT_DOMAIN, "198.51.100.7\n", -EINVAL, "is an address, not a name",
	  0, 0, 0, 0 },
	{ "stix: addresses, names, OR, CIDR; other patterns skipped", INTEL_FORMAT_STIX,
	  "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n"
	  " {\"type\": \"identity\", \"id\": \"identity--1\"},\n"
	  " {\"type\": \"indicator\", \"id\": \"indicator--a\", \"pattern_type\": \"stix\", \"confidence\": 85,\n"
	  "  \"pattern\": \"[ipv4-addr:value = '198.51.100.200' OR ipv4-addr:value = '203.0.113.128/25']\"},\n"
	  " {\"type\": \"indicator\", \"id\": \"indicator--b\", \"pattern\": \"[domain-name:value = 'phish.example']\"},\n"
	  " {\"type\": \"indicator\", \"id\": \"indicator--c\", \"pattern\": \"[ipv6-addr:value = '2001:db8::66']\"},\n"
	  " {\"type\": \"indicator\", \"id\": \"indicator--d\", \"pattern\": \"[file:hashes.'SHA-256' = 'aa']\"},\n"
	  " {\"type\": \"indicator\", \"id\": \"indicator--e\", \"revoked\": true,\n"
	  "  \"pattern\": \"[ipv4-addr:value = '192.0.2.1']\"}\n]}\n", 0, NULL, 2, 1, 1, 2 },
	{ "stix: a broken pattern names the object's line", INTEL_FORMAT_STIX,
	  "{\"type\": \"bundle\", \"objects\": [\n"
	  " {\"type\": \"indicator\", \"id\": \"indicator--a\", \"pattern\": \"[ipv4-addr:value = '198.51.100.1']\"},\n"
	  " {\"type\": \"indicator\", \"id\": \"indicator--b\", \"pattern\": \"[ipv4-addr:value = '198.51.100.1\"}\n]}\n",
	  -EINVAL, "feed:3: objects[1] indicator--b: pattern: unterminated quoted value", 0, 0, 0, 0 },
	{ "stix: a bad address value", INTEL_FORMAT_STIX,
	  "{\"type\": \"bundle\", \"objects\": [\n"
	  " {\"type\": \"indicator\", \"id\": \"indicator--z\", \"pattern\": \"[ipv4-addr:value = '2001:db8::1']\"}]}",
	  -EINVAL, "feed:2: objects[0] indicator--z: '2001:db8::1' is not an ipv4-addr value", 0, 0, 0, 0 },
	{ "stix: not JSON names the line", INTEL_FORMAT_STIX, "{\"type\": \"bundle\",\n \"objects\": [ ,\n]}", -EINVAL,
	  "feed:2: not JSON", 0, 0, 0, 0 },
	{ "stix: JSON but no bundle", INTEL_FORMAT_STIX, "{\"type\": \"indicator\"}", -EINVAL, "not a STIX bundle", 0, 0,
	  0, 0 },
};

struct match_case {
	const char *name;
	const char *query;		/* an address or a name */
	const char *want;		/* the indicator matched, NULL: none */
};

static const char *match_feed =
	"198.51.100.7\n198.51.100.0/24\n203.0.113.0/25\n0.0.0.0/0\n2001:db8:bad::/48\n2001:db8:bad:1::/64\n";
static const char *match_names = "evil.example\nc2.evil.example\nphish.example\n";

static const struct match_case match_cases[] = {
	{ "exact address beats its /24", "198.51.100.7", "198.51.100.7" },
	{ "inside the /24", "198.51.100.8", "198.51.100.0/24" },
	{ "inside the /25", "203.0.113.127", "203.0.113.0/25" },
	{ "outside the /25: the default route", "203.0.113.128", "0.0.0.0/0" },
	{ "IPv6 longest prefix", "2001:db8:bad:1::9", "2001:db8:bad:1::/64" },
	{ "IPv6 shorter prefix", "2001:db8:bad:2::9", "2001:db8:bad::/48" },
	{ "IPv6 not listed (no ::/0: IPv4 /0 does not cover IPv6)", "2001:db8:1::1", NULL },
	{ "name itself", "evil.example", "evil.example" },
	{ "a name under it", "a.b.evil.example", "evil.example" },
	{ "the nearest listed parent", "x.c2.evil.example", "c2.evil.example" },
	{ "a label boundary: notevil.example", "notevil.example", NULL },
	{ "a parent of a listed name is not listed", "example", NULL },
};

struct names_case {
	const char *name;
	int kind;			/* 0 dns, 1 sni, 2 http */
	const uint8_t *msg;
	uint32_t len;
	const char *want;		/* names given, joined with '|' ("" none); NULL: -1 */
};

/* a response for cdn.good.example: CNAME edge.bad.example (compressed), A 192.0.2.1 */
static const uint8_t dns_cname[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
	3, 'c', 'd', 'n', 4, 'g', 'o', 'o', 'd', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
	0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 11, 4, 'e', 'd', 'g', 'e', 3, 'b', 'a', 'd', 0xc0, 21,
	4, 'e', 'd', 'g', 'e', 3, 'b', 'a', 'd', 0xc0, 21, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
};
static const uint8_t dns_query[] = {
	0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	2, 'X', '1', 2, 'C', '2', 4, 'e', 'v', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
};
static const uint8_t dns_loop[] = {	/* a pointer to itself */
	0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1,
};
static const uint8_t dns_bad_char[] = {
	0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', '/', 'b', 0, 0, 1, 0, 1,
};
/* a ClientHello: no session id, one suite, null compression, SNI Login.phish.example */
static const uint8_t tls_hello[] = {
	0x16, 3, 1, 0, 75, 1, 0, 0, 71, 3, 3,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32, 0, 0, 2, 0x13, 0x01, 1, 0, 0, 28, 0, 0, 0, 24, 0, 22, 0, 0, 19,
	'L', 'o', 'g', 'i', 'n', '.', 'p', 'h', 'i', 's', 'h', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
};
static const char http_get[] = "GET /x HTTP/1.1\r\nUser-Agent: t\r\nhost: DL.Malware.Example:8080\r\nAccept: */*\r\n\r\n";
static const char http_v6[] = "GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n";
static const char http_cut[] = "GET / HTTP/1.1\r\nHost: dl.malw";
static const char http_none[] = "POST / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: late.example\r\n";

static const struct names_case names_cases[] = {
	{ "dns query: the question, lower case", 0, dns_query, sizeof(dns_query), "x1.c2.evil.example" },
	{ "dns response: question, CNAME owner and target (compressed)", 0, dns_cname, sizeof(dns_cname),
	  "cdn.good.example|cdn.good.example|edge.bad.example" },
	{ "dns: a pointer loop gives nothing", 0, dns_loop, sizeof(dns_loop), NULL },
	{ "dns: a byte no name holds", 0, dns_bad_char, sizeof(dns_bad_char), NULL },
	{ "dns: truncated in the question", 0, dns_cname, 20, NULL },
	{ "tls: ClientHello server name, lower case", 1, tls_hello, sizeof(tls_hello), "login.phish.example" },
	{ "tls: a server name cut by the segment end", 1, tls_hello, sizeof(tls_hello) - 4, NULL },
	{ "tls: not a handshake record", 1, (const uint8_t *)"\x17\x03\x03", 3, NULL },
	{ "http: Host, port dropped, lower case", 2, (const uint8_t *)http_get, sizeof(http_get) - 1,
	  "dl.malware.example" },
	{ "http: an IPv6 literal is no name", 2, (const uint8_t *)http_v6, sizeof(http_v6) - 1, NULL },
	{ "http: a Host cut by the segment end", 2, (const uint8_t *)http_cut, sizeof(http_cut) - 1, NULL },
	{ "http: Host after the headers' end", 2, (const uint8_t *)http_none, sizeof(http_none) - 1, NULL },
};

struct names_out {
	char buf[512];
};

static void names_collect(void *ctx, const char *name, enum intel_name_where w)
{
	struct names_out *o = ctx;
	size_t n = strlen(o->buf);

	(void)w;
	snprintf(o->buf + n, sizeof(o->buf) - n, "%s%s", n ? "|" : "", name);
}

static void parse_addr(const char *s, uint8_t a[16])
{
	struct in_addr a4;

	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, &a4) == 1) {
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &a4, 4);
	} else {
		inet_pton(AF_INET6, s, a);
	}
}

int main(void)
{
	const psl_ctx_t *psl = psl_builtin();
	struct intel_feed *f, *names;
	struct intel_feed_error err;
	unsigned int i;
	int rc;
	char out[INTEL_NAMES_MAX];

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];

		rc = intel_feed_parse("feed", c->text, strlen(c->text), c->fmt, psl, &f, &err);
		if (c->rc) {
			testlib_case(c->name, rc == c->rc && strstr(err.msg, c->msg), "rc %d msg '%s', want %d '%s'", rc,
				     err.msg, c->rc, c->msg);
		} else {
			testlib_case(c->name,
				     !rc && intel_feed_count(f, INTEL_TYPE_IPV4) == c->v4 &&
					     intel_feed_count(f, INTEL_TYPE_IPV6) == c->v6 &&
					     intel_feed_count(f, INTEL_TYPE_DOMAIN) == c->dom &&
					     intel_feed_ignored(f, NULL) == c->ignored,
				     "rc %d (%s), v4 %u v6 %u names %u ignored %u", rc, err.msg,
				     intel_feed_count(f, INTEL_TYPE_IPV4), intel_feed_count(f, INTEL_TYPE_IPV6),
				     intel_feed_count(f, INTEL_TYPE_DOMAIN), intel_feed_ignored(f, NULL));
		}
		intel_feed_free(f);
	}

	rc = intel_feed_parse("m", match_feed, strlen(match_feed), INTEL_FORMAT_IP, psl, &f, &err);
	rc |= intel_feed_parse("n", match_names, strlen(match_names), INTEL_FORMAT_DOMAIN, psl, &names, &err);
	testlib_case("match feeds parse", rc == 0, "%s", err.msg);
	for (i = 0; !rc && i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		const struct intel_ind *hit;
		uint8_t a[16];

		if (strchr(c->query, ':') || (c->query[0] >= '0' && c->query[0] <= '9')) {
			parse_addr(c->query, a);
			hit = intel_feed_match_addr(f, a);
		} else {
			hit = intel_feed_match_name(names, c->query);
		}
		testlib_case(c->name, c->want ? hit && !strcmp(hit->value, c->want) : !hit, "got %s, want %s",
			     hit ? hit->value : "none", c->want ? c->want : "none");
	}
	intel_feed_free(f);
	intel_feed_free(names);

	for (i = 0; i < sizeof(names_cases) / sizeof(names_cases[0]); i++) {
		const struct names_case *c = &names_cases[i];
		struct names_out o = { "" };
		int n = -1;

		if (c->kind == 0) {
			n = intel_names_dns(c->msg, c->len, names_collect, &o);
		} else if (c->kind == 2) {
			n = intel_names_http_host(c->msg, c->len, out);
		} else {
			n = intel_names_sni(c->msg, c->len, out);
		}
		if (n > 0 && c->kind != 0)
			snprintf(o.buf, sizeof(o.buf), "%s", out);
		if (c->want)
			testlib_case(c->name, n > 0 && !strcmp(o.buf, c->want), "n %d '%s', want '%s'", n, o.buf, c->want);
		else
			testlib_case(c->name, n <= 0 && !o.buf[0], "n %d '%s', want nothing", n, o.buf);
	}
	return testlib_done();
}

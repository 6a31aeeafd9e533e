// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fleet_id.c: how events are named on a fleet's stream
 * (collector/collector_fleet_id.c): subjects for any sensor name and any
 * event_type, message ids and their parsing, one row a case.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collector_fleet_id.h"

static int pass, fail;

static void check(const char *name, int ok, const char *got)
{
	printf("  %-56s %s%s%s\n", name, ok ? "ok" : "FAIL", ok ? "" : ": got ", ok ? "" : got);
	ok ? pass++ : fail++;
}

struct subject_case {
	const char *name, *sensor, *type, *want;	/* want NULL: an error */
};

static const struct subject_case subject_cases[] = {
	{ "plain alert", "edge-1", "alert", "vigil.edge-1.alert" },
	{ "incident (the detection work's updates and end)", "edge-1", "incident", "vigil.edge-1.incident" },
	{ "a dot in the sensor name is escaped", "site.a", "stats", "vigil.site%2Ea.stats" },
	{ "space, '*', '>' and '%' escaped", "a b*c>d%e", "x", "vigil.a%20b%2Ac%3Ed%25e.x" },
	{ "an event_type with a dot and a control byte", "s", "new.type\t1", "vigil.s.new%2Etype%091" },
	{ "non-ASCII event_type bytes", "s", "caf\xc3\xa9", "vigil.s.caf%C3%A9" },
	{ "wildcard-looking types stay one token", "s", "*", "vigil.s.%2A" },
	{ "an empty event_type is refused", "s", "", NULL },
	{ "an empty sensor name is refused", "", "alert", NULL },
};

struct id_case {
	const char *name, *id, *sensor;	/* sensor NULL: refused */
	unsigned long long seq;
};

static const struct id_case id_cases[] = {
	{ "name:seq", "edge-1:42", "edge-1", 42 },
	{ "a ':' in the name: split at the last", "a:b:7", "a:b", 7 },
	{ "the largest seq, 2^63 - 1", "s:9223372036854775807", "s", 9223372036854775807ull },
	{ "2^63 is refused", "s:9223372036854775808", NULL, 0 },
	{ "seq 0 is refused", "s:0", NULL, 0 },
	{ "leading zero refused", "s:07", NULL, 0 },
	{ "no seq", "s:", NULL, 0 },
	{ "no name", ":5", NULL, 0 },
	{ "no colon", "s5", NULL, 0 },
	{ "a sign is not a digit", "s:+5", NULL, 0 },
	{ "20 digits refused", "s:12345678901234567890", NULL, 0 },
	{ "a control byte in the name", "a\x01:3", NULL, 0 },
};

int main(void)
{
	char buf[COLLECTOR_FLEET_SUBJECT_MAX], sensor[WIRE_NAME_MAX + 1], type[200], got[300];
	unsigned long long seq;

	printf("subjects\n");
	for (size_t i = 0; i < sizeof(subject_cases) / sizeof(subject_cases[0]); i++) {
		const struct subject_case *c = &subject_cases[i];
		int n = collector_fleet_subject(buf, sizeof(buf), "vigil", c->sensor, strlen(c->sensor), c->type,
						strlen(c->type));

		snprintf(got, sizeof(got), "%s", n < 0 ? "(error)" : buf);
		check(c->name, c->want ? n >= 0 && !strcmp(buf, c->want) : n < 0, got);
	}
	/* a 63-byte name of escaped bytes and a long type still fit, the type cut at 64 bytes */
	memset(sensor, '.', WIRE_NAME_MAX);
	memset(type, '*', sizeof(type) - 1);
	type[sizeof(type) - 1] = '\0';
	{
		int n = collector_fleet_subject(buf, sizeof(buf), "vigil", sensor, WIRE_NAME_MAX, type, strlen(type));

		snprintf(got, sizeof(got), "%d", n);
		check("worst case fits, the type cut at 64 bytes", n == 6 + 3 * WIRE_NAME_MAX + 1 + 3 * 64, got);
	}
	printf("message ids\n");
	{
		char id[COLLECTOR_FLEET_ID_MAX];
		int n = collector_fleet_msg_id(id, sizeof(id), "edge-1", 6, 123);

		check("edge-1:123", n == 10 && !strcmp(id, "edge-1:123"), id);
	}
	for (size_t i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		const struct id_case *c = &id_cases[i];
		uint64_t s64 = 0;
		int rc = collector_fleet_msg_id_parse(c->id, strlen(c->id), sensor, &s64);

		seq = s64;
		snprintf(got, sizeof(got), "rc %d %s %llu", rc, rc ? "" : sensor, seq);
		check(c->name, c->sensor ? rc == 0 && !strcmp(sensor, c->sensor) && seq == c->seq : rc == -EINVAL, got);
	}
	printf("names\n");
	check("fleet names: letters, digits, '-', '_'", collector_fleet_token_ok("node-a_1") &&
	      !collector_fleet_token_ok("a.b") && !collector_fleet_token_ok("") && !collector_fleet_token_ok("a b"), "");
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_output.c: sensor/output.c on real files: lines are routed whole by
 * their event_type (also when written in pieces), each file gets only the
 * types it asked for, opening appends or truncates as asked, and a reopen
 * after a rename (what logrotate does) sends later lines to a new file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "output.h"
#include "testlib.h"

static char tmp[64];

static char *path(const char *name)
{
	static char buf[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, name);
	return buf[i];
}

/* The file's content ("" when missing) into a static buffer. */
static const char *slurp(const char *p)
{
	static char buf[8192];
	FILE *fp = fopen(p, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (fp) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

static void put(FILE *fp, const char *type, int i)
{
	fprintf(fp, "{\"timestamp\":\"t\",\"event_type\":\"%s\",\"n\":%d}\n", type, i);
	fflush(fp);
}

int main(void)
{
	struct output_file_cfg f[3];
	struct output_stats st;
	struct output *o;
	uint32_t mask = 0;
	char msg[256] = "";
	const char names[3][16] = { "alert", "incident", "stats" };
	const char bad[1][16] = { "alerts" };
	FILE *fp;
	int i;

	strcpy(tmp, "/tmp/vigil-output-XXXXXX");
	if (!mkdtemp(tmp))
		return 1;

	testlib_case("types: alert, incident, stats", output_types_mask(names, 3, &mask) == 0 &&
		     mask == (1u << OUTPUT_ALERT | 1u << OUTPUT_INCIDENT | 1u << OUTPUT_STATS), "mask %#x", mask);
	testlib_case("types: an unknown name is refused", output_types_mask(bad, 1, &mask) == -EINVAL, "accepted");

	/* eve.json: alerts and stats; flows.json: flows; an old line in eve.json stays (append) */
	fp = fopen(path("eve.json"), "w");
	fputs("{\"event_type\":\"alert\",\"old\":1}\n", fp);
	fclose(fp);
	fp = fopen(path("flows.json"), "w");
	fputs("{\"event_type\":\"flow\",\"old\":1}\n", fp);
	fclose(fp);
	f[0] = (struct output_file_cfg){ path("eve.json"), 1u << OUTPUT_ALERT | 1u << OUTPUT_STATS, true };
	f[1] = (struct output_file_cfg){ path("flows.json"), 1u << OUTPUT_FLOW, false };
	o = output_new(f, 2, msg, sizeof(msg));
	if (!testlib_case("two files open", o != NULL, "%s", msg))
		return testlib_done();
	testlib_case("wants alert, flow, stats but not incident",
		     output_wants(o, OUTPUT_ALERT) && output_wants(o, OUTPUT_FLOW) && output_wants(o, OUTPUT_STATS) &&
		     !output_wants(o, OUTPUT_INCIDENT), "wrong");
	fp = output_stream(o);
	for (i = 0; i < 3; i++) {
		put(fp, "alert", i);
		put(fp, "flow", i);
		put(fp, "stats", i);
		put(fp, "incident", i);	/* nobody asked: dropped */
	}
	/* one line in three pieces, flushed in between */
	fputs("{\"event_type\":", fp);
	fflush(fp);
	fputs("\"alert\",\"piece", fp);
	fflush(fp);
	fputs("s\":1}\n", fp);
	fflush(fp);
	/* a JSON-c style spacing */
	fputs("{ \"event_type\": \"stats\", \"spaced\": 1 }\n", fp);
	fflush(fp);

	testlib_case("append: eve.json keeps its old line", count(slurp(path("eve.json")), "\"old\":1") == 1, "%s",
		     slurp(path("eve.json")));
	testlib_case("truncate: flows.json lost its old line", count(slurp(path("flows.json")), "\"old\"") == 0, "%s",
		     slurp(path("flows.json")));
	testlib_case("eve.json: 4 alerts, 4 stats, no flow, no incident",
		     count(slurp(path("eve.json")), "\"alert\"") == 5 && count(slurp(path("eve.json")), "stats") == 4 &&
		     !strstr(slurp(path("eve.json")), "flow") && !strstr(slurp(path("eve.json")), "incident"),
		     "%s", slurp(path("eve.json")));
	testlib_case("a line written in pieces arrives whole",
		     strstr(slurp(path("eve.json")), "{\"event_type\":\"alert\",\"pieces\":1}\n") != NULL, "%s",
		     slurp(path("eve.json")));
	testlib_case("flows.json: 3 flows only", count(slurp(path("flows.json")), "\"flow\"") == 3 &&
		     !strstr(slurp(path("flows.json")), "alert"), "%s", slurp(path("flows.json")));

	/* logrotate: move, SIGHUP (reopen), later lines in a new file */
	rename(path("eve.json"), path("eve.json.1"));
	put(fp, "alert", 100);	/* before the reopen: still the moved file */
	testlib_case("reopen", output_reopen(o, msg, sizeof(msg)) == 0, "%s", msg);
	put(fp, "alert", 200);
	testlib_case("before the reopen: the moved file", strstr(slurp(path("eve.json.1")), "\"n\":100") &&
		     !strstr(slurp(path("eve.json.1")), "\"n\":200"), "%s", slurp(path("eve.json.1")));
	testlib_case("after the reopen: a new eve.json", !strcmp(slurp(path("eve.json")),
		     "{\"timestamp\":\"t\",\"event_type\":\"alert\",\"n\":200}\n"), "%s", slurp(path("eve.json")));
	output_get_stats(o, &st);
	testlib_case("counted: lines, unrouted incidents, one reopen",
		     st.lines == 16 && st.unrouted == 3 && st.reopens == 1 && st.write_errors == 0,
		     "lines %llu unrouted %llu reopens %llu errors %llu", (unsigned long long)st.lines,
		     (unsigned long long)st.unrouted, (unsigned long long)st.reopens,
		     (unsigned long long)st.write_errors);
	output_free(o);

	f[2] = (struct output_file_cfg){ path("gone/x.json"), 1u << OUTPUT_ALERT, true };
	o = output_new(&f[2], 1, msg, sizeof(msg));
	testlib_case("a file in a missing directory: refused, named", !o && strstr(msg, "gone/x.json"), "%s", msg);
	output_free(o);

	unlink(path("eve.json"));
	unlink(path("eve.json.1"));
	unlink(path("flows.json"));
	rmdir(tmp);
	return testlib_done();
}

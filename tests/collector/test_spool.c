// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_spool.c: the publisher's on-disk spool without sockets: events come
 * back after a reopen with their seqs, acked ones do not, the size bound drops
 * whole oldest segments and reports them, a torn record is cut.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "testlib.h"
#include "publish_spool.h"

struct seen {
	uint64_t first, last, n;
	bool ordered;
};

static int on_load(void *ctx, uint64_t seq, const char *json, size_t len)
{
	struct seen *s = ctx;
	char want[64];

	snprintf(want, sizeof(want), "{\"event_type\":\"t\",\"n\":%" PRIu64 "}", seq);
	if (!s->n)
		s->first = seq;
	else if (seq != s->last + 1)
		s->ordered = false;
	if (len != strlen(want) || memcmp(json, want, len))
		s->ordered = false;
	s->last = seq;
	s->n++;
	return 0;
}

static int fill(struct publish_spool *sp, uint64_t from, uint64_t to, uint64_t *dropped)
{
	char json[64];
	uint64_t d;

	*dropped = 0;
	for (uint64_t i = from; i <= to; i++) {
		snprintf(json, sizeof(json), "{\"event_type\":\"t\",\"n\":%" PRIu64 "}", i);
		if (publish_spool_append(sp, i, json, strlen(json), &d))
			return -1;
		if (d > *dropped)
			*dropped = d;
	}
	return 0;
}

static int reopen(const char *dir, uint64_t max, struct seen *s, uint64_t *last, struct publish_spool **sp)
{
	memset(s, 0, sizeof(*s));
	s->ordered = true;
	return publish_spool_open(dir, max, on_load, s, sp, last);
}

int main(void)
{
	char dir[64] = "/tmp/vigil-spool.XXXXXX", cmd[128], seg[128];
	struct publish_spool *sp = NULL;
	struct seen s;
	uint64_t last = 0, dropped = 0;
	FILE *fp;

	if (!mkdtemp(dir))
		return 1;
	strcat(dir, "/spool");
	testlib_case("open creates the directory", reopen(dir, 1 << 20, &s, &last, &sp) == 0 && last == 0 && s.n == 0,
		     "last %" PRIu64, last);
	testlib_case("append 1..1000", fill(sp, 1, 1000, &dropped) == 0 && dropped == 0, "dropped %" PRIu64, dropped);
	testlib_case("acked up to 400", publish_spool_done(sp, 400) == 0, "error");
	publish_spool_free(sp);
	sp = NULL;
	testlib_case("reopen: 401..1000 back, in order, same text", reopen(dir, 1 << 20, &s, &last, &sp) == 0 &&
		     s.n == 600 && s.first == 401 && s.last == 1000 && s.ordered && last == 1000,
		     "n %" PRIu64 " first %" PRIu64 " last %" PRIu64 " ordered %d", s.n, s.first, s.last, s.ordered);
	testlib_case("numbering continues: append 1001..1010", fill(sp, 1001, 1010, &dropped) == 0, "error");
	testlib_case("all acked", publish_spool_done(sp, 1010) == 0 && publish_spool_bytes(sp) < 4096,
		     "%" PRIu64 " bytes left", publish_spool_bytes(sp));
	publish_spool_free(sp);
	sp = NULL;
	testlib_case("reopen after everything acked: nothing owed, last seq kept",
		     reopen(dir, 1 << 20, &s, &last, &sp) == 0 && s.n == 0 && last == 1010,
		     "n %" PRIu64 " last %" PRIu64, s.n, last);
	publish_spool_free(sp);
	sp = NULL;

	/* 32 KiB bound: 4 KiB segments; 2000 events of ~30 bytes + 12 overflow it */
	testlib_case("bounded: open 32 KiB", reopen(dir, 32 << 10, &s, &last, &sp) == 0, "error");
	testlib_case("bounded: oldest segments dropped and reported", fill(sp, 1011, 3010, &dropped) == 0 &&
		     dropped > 1011 && dropped < 3010 && publish_spool_bytes(sp) <= (32 << 10),
		     "dropped up to %" PRIu64 ", %" PRIu64 " bytes", dropped, publish_spool_bytes(sp));
	publish_spool_free(sp);
	sp = NULL;
	testlib_case("bounded: reopen gives exactly what was kept", reopen(dir, 32 << 10, &s, &last, &sp) == 0 &&
		     s.first == dropped + 1 && s.last == 3010 && s.ordered && last == 3010,
		     "first %" PRIu64 " (want %" PRIu64 ") last %" PRIu64, s.first, dropped + 1, s.last);
	publish_spool_free(sp);
	sp = NULL;

	/* a torn record at the end of the newest segment: cut, the rest loads */
	snprintf(cmd, sizeof(cmd), "ls %s | grep seg- | tail -1", dir);
	fp = popen(cmd, "r");
	if (fp && fgets(seg, sizeof(seg), fp)) {
		char path[256];
		FILE *f;

		seg[strcspn(seg, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, seg);
		f = fopen(path, "a");
		fwrite("\0\0\0\0\0\0\x0b\xc3\0\0\0\x40{\"event", 1, 19, f);
		fclose(f);
	}
	if (fp)
		pclose(fp);
	testlib_case("torn record cut at open", reopen(dir, 32 << 10, &s, &last, &sp) == 0 && s.last == 3010 &&
		     s.ordered && last == 3010, "last %" PRIu64, s.last);
	publish_spool_free(sp);
	snprintf(cmd, sizeof(cmd), "rm -rf %.*s", (int)(strlen(dir) - 6), dir);
	if (system(cmd)) {
		/* leftovers in /tmp only */
	}
	return testlib_done();
}

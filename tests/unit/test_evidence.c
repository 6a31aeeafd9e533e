// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_evidence.c: SHA-256 against the FIPS 180-4 example vectors, and the
 * evidence files: the right frames (ring + post-trigger, only the incident's
 * hosts), readable by libpcap with nanosecond timestamps, hashed the same way
 * sha256sum hashes them, and kept under the disk budget.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "evidence.h"
#include "sha256.h"
#include "testlib.h"

#define NS 1000000000ULL

static void hex_of(const char *msg, size_t len, size_t repeat, char out[SHA256_HEX_LEN])
{
	struct sha256 s;
	uint8_t d[SHA256_DIGEST_LEN];
	size_t i;

	sha256_init(&s);
	for (i = 0; i < repeat; i++)
		sha256_update(&s, msg, len);
	sha256_final(&s, d);
	sha256_hex(d, out);
}

static void addr4(uint8_t a[16], uint8_t last)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = 192;
	a[13] = 0;
	a[14] = 2;
	a[15] = last;
}

/* a frame whose bytes encode (src, dst, seq) so the test can tell frames apart */
static uint32_t frame(uint8_t *f, uint8_t s, uint8_t d, uint32_t seq, uint32_t len)
{
	memset(f, 0, len);
	f[12] = 0x08;
	f[26 + 3] = s;
	f[30 + 3] = d;
	memcpy(f + 40, &seq, 4);
	return len;
}

struct seen {
	int n;
	int bad;
	uint64_t first_ts, last_ts;
	int truncated;
};

static struct seen read_back(const char *path, uint8_t a, uint8_t b)
{
	char err[PCAP_ERRBUF_SIZE];
	struct seen s = { 0 };
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);

	if (!p) {
		s.bad = -1;
		return s;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * NS + (uint64_t)h->ts.tv_usec;

		if (!s.n)
			s.first_ts = ts;
		s.last_ts = ts;
		s.n++;
		if (h->caplen < h->len)
			s.truncated++;
		if (!((d[29] == a || d[33] == a) && (!b || d[29] == b || d[33] == b)))
			s.bad++;
	}
	pcap_close(p);
	return s;
}

static int sha256sum_of(const char *path, char out[SHA256_HEX_LEN])
{
	char cmd[600];
	FILE *fp;
	int ok;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	fp = popen(cmd, "r");
	if (!fp)
		return -1;
	ok = fscanf(fp, "%64s", out) == 1;
	pclose(fp);
	return ok ? 0 : -1;
}

static struct evidence_info last_done;
static int n_done;

static void on_done(void *ctx, const struct evidence_info *info)
{
	(void)ctx;
	last_done = *info;
	n_done++;
}

int main(void)
{
	static const struct {
		const char *name, *msg;
		size_t repeat;
		const char *want;
	} vec[] = {
		{ "sha256 empty", "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "sha256 abc", "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "sha256 448-bit message", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "sha256 one million a (in 1,000,000 updates)", "a", 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	char tmpl[] = "/tmp/vigil-evidence.XXXXXX";
	char *dir = mkdtemp(tmpl), hex[SHA256_HEX_LEN], sum[SHA256_HEX_LEN];
	struct evidence_cfg cfg = {
		.dir = dir, .sensor_name = "t", .ring_bytes = 1 << 20, .ring_ns = 5 * NS, .snaplen = 128,
		.post_packets = 50, .post_ns = 10 * NS, .budget_bytes = 1 << 30, .max_open = 2,
	};
	struct evidence *ev;
	struct evidence_info info;
	struct evidence_stats st;
	uint8_t scanner[16], victim[16], other[16], f[300];
	uint64_t t = 1700000000ULL * NS;
	unsigned int i;
	struct seen s;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		hex_of(vec[i].msg, strlen(vec[i].msg), vec[i].repeat, hex);
		testlib_case(vec[i].name, !strcmp(hex, vec[i].want), "got %s", hex);
	}
	if (!dir)
		return 1;

	addr4(scanner, 66);
	addr4(victim, 10);
	addr4(other, 20);
	ev = evidence_new(&cfg);
	if (!testlib_case("evidence_new", ev != NULL, "errno %d", errno))
		return testlib_done();
	/* 10 s of history: scanner->victim every 100 ms, other traffic in between */
	for (i = 0; i < 100; i++, t += NS / 10) {
		evidence_packet(ev, t, f, frame(f, 66, 10, i, 60), scanner, victim);
		evidence_packet(ev, t + 1, f, frame(f, 20, 10, i, 200), other, victim);
	}
	testlib_case("start", evidence_start(ev, 7, "portscan", scanner, NULL, 0, t, &info) == 0 &&
		     strstr(info.path, "t-portscan-7.pcapng") != NULL && !info.complete, "path %s", info.path);
	/* 30 more scanner frames, then the time limit passes */
	for (i = 0; i < 30; i++, t += NS / 10) {
		evidence_packet(ev, t, f, frame(f, 66, 10, 1000 + i, 60), scanner, victim);
		evidence_packet(ev, t + 1, f, frame(f, 20, 10, 1000 + i, 200), other, victim);
	}
	evidence_tick(ev, t, on_done, NULL);
	testlib_case("still capturing before the deadline", n_done == 0, "done %d", n_done);
	{
		struct stat sb;
		char cmd[700];

		/* the capture is a temporary ".NAME.<pid>.<n>.tmp" (lib/atomic_file) until it is complete */
		snprintf(cmd, sizeof(cmd), "ls -a '%.500s' | grep -q '^\\.%s\\..*\\.tmp$'", dir, strrchr(info.path, '/') + 1);
		testlib_case("while capturing only a temporary file exists", system(cmd) == 0 && stat(info.path, &sb) != 0,
			     "%s", info.path);
	}
	evidence_tick(ev, t + 10 * NS, on_done, NULL);
	testlib_case("closed at the deadline with a digest", n_done == 1 && last_done.complete &&
		     strlen(last_done.sha256) == 64 && last_done.incident_id == 7, "done %d", n_done);
	s = read_back(last_done.path, 66, 0);
	/* pre-trigger: the last 5 s at 10/s = 50 frames (t-5 s included); post: 30 */
	testlib_case("file opens in libpcap and holds only the scanner's frames", s.bad == 0 && s.n > 0,
		     "bad %d n %d", s.bad, s.n);
	testlib_case("pre-trigger ring (5 s) plus post-trigger frames", s.n == 80 && (uint64_t)s.n == last_done.packets,
		     "n %d packets %llu", s.n, (unsigned long long)last_done.packets);
	testlib_case("nanosecond timestamps kept", s.first_ts == 1700000000ULL * NS + 50 * NS / 10 &&
		     s.last_ts == t - NS / 10, "first %llu last %llu", (unsigned long long)s.first_ts,
		     (unsigned long long)s.last_ts);
	testlib_case("sha256 matches sha256sum of the file",
		     sha256sum_of(last_done.path, sum) == 0 && !strcmp(sum, last_done.sha256), "%s vs %s", sum,
		     last_done.sha256);

	{
		/* the file system's clock is coarse (a few ms): make incident 7's file the older one for sure */
		struct timespec ts[2] = { { .tv_sec = 1700000000 }, { .tv_sec = 1700000000 } };

		utimensat(AT_FDCWD, last_done.path, ts, 0);
	}
	/* a pair filter and a per-incident packet limit: other<->victim only: 50 from the ring (5 s at 10/s), then 40 */
	n_done = 0;
	evidence_start(ev, 8, "flood", victim, other, 40, t, &info);
	for (i = 0; i < 80; i++, t += NS / 100) {
		evidence_packet(ev, t, f, frame(f, 20, 10, 2000 + i, 200), other, victim);
		evidence_packet(ev, t, f, frame(f, 66, 10, 2000 + i, 60), scanner, victim);
	}
	evidence_tick(ev, t, on_done, NULL);
	s = read_back(last_done.path, 20, 10);
	testlib_case("pair filter, snaplen and post-trigger packet limit",
		     n_done == 1 && s.bad == 0 && s.truncated == s.n && last_done.packets == (uint64_t)s.n && s.n == 50 + 40,
		     "done %d bad %d trunc %d n %d", n_done, s.bad, s.truncated, s.n);
	evidence_get_stats(ev, &st);
	testlib_case("stats: two files, frames truncated to snaplen counted", st.files == 2 && st.ring_truncated > 0,
		     "files %llu trunc %llu", (unsigned long long)st.files, (unsigned long long)st.ring_truncated);
	evidence_free(ev, NULL, NULL);

	/* budget: a new instance finds the two files; a small budget deletes the oldest, counted */
	cfg.budget_bytes = 1;
	ev = evidence_new(&cfg);
	evidence_get_stats(ev, &st);
	{
		struct stat sb;
		char p7[600];

		snprintf(p7, sizeof(p7), "%s/t-portscan-7.pcapng", dir);
		testlib_case("budget: oldest deleted at start, newest kept", st.files_deleted == 1 &&
			     stat(p7, &sb) != 0 && stat(last_done.path, &sb) == 0,
			     "deleted %llu", (unsigned long long)st.files_deleted);
	}
	evidence_free(ev, NULL, NULL);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return testlib_done();
}

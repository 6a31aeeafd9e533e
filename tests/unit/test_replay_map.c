// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_replay_map.c: the capture reader reads a classic pcap file in place
 * (mapped) and gives out exactly what libpcap gives: the same frames, stamps
 * and lengths, the same end or error, the same counters. Hand-written files
 * for the cases libpcap treats specially (byte order, nanosecond stamps,
 * negative seconds, a record longer than the snapshot length, a file cut in a
 * record or in a header, a non-Ethernet link type), then every capture under
 * the folders given. A mapped frame stays valid until the reader is closed.
 * Usage: test_replay_map [DIR...]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"
#include "testlib.h"

enum { RM_FRAMES_MAX = 100000 };

/* one reading: a digest of every frame and how it ended */
struct rm_read {
	unsigned long frames;
	uint64_t digest;
	int rc;			/* replay_open's, else replay_next's last */
	char err[512];
	struct replay_stats st;
	int stable;		/* frames given out as stable */
};

static void rm_mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 1099511628211ULL;
	}
}

static void rm_read(const char *path, unsigned int flags, struct rm_read *o)
{
	struct replay_frame f;
	struct replay *r = NULL;

	memset(o, 0, sizeof(*o));
	o->digest = 1469598103934665603ULL;
	o->rc = replay_open_flags(path, flags, &r, o->err, sizeof(o->err));
	if (o->rc)
		return;
	while (o->frames < RM_FRAMES_MAX && (o->rc = replay_next(r, &f, o->err, sizeof(o->err))) == 1) {
		uint64_t v[3] = { f.caplen, f.wirelen, f.ts_ns };

		o->frames++;
		o->stable += f.stable;
		rm_mix(&o->digest, v, sizeof(v));
		rm_mix(&o->digest, f.data, f.caplen);
	}
	replay_get_stats(r, &o->st);
	replay_close(r);
}

/* mapped and libpcap readings of path agree; name the case */
static void rm_same(const char *name, const char *path, int want_stable)
{
	struct rm_read m, l;

	rm_read(path, 0, &m);
	rm_read(path, REPLAY_OPEN_NO_MAP, &l);
	testlib_case(name, m.frames == l.frames && m.digest == l.digest && m.rc == l.rc &&
			   !strcmp(m.err, l.err) && m.st.frames == l.st.frames && m.st.bytes == l.st.bytes &&
			   m.st.bad_link == l.st.bad_link && m.st.ts_backwards == l.st.ts_backwards &&
			   (want_stable < 0 || (want_stable ? m.stable > 0 : m.stable == 0)),
		     "mapped %lu frames rc %d '%s' (%d stable), libpcap %lu frames rc %d '%s'", m.frames, m.rc,
		     m.err, m.stable, l.frames, l.rc, l.err);
}

static void rm_put32(uint8_t *p, uint32_t v, int be)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void rm_put16(uint8_t *p, uint16_t v, int be)
{
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
	p[be ? 1 : 0] = (uint8_t)v;
}

struct rm_rec {
	uint32_t sec, frac, caplen, len;
};

/*
 * A pcap file of recs (each frame caplen bytes of a pattern, Ethernet + IPv4
 * when the link type is Ethernet), written big-endian when be; cut is the
 * number of bytes to drop from its end. Returns 0.
 */
static int rm_write(const char *path, uint32_t magic, int be, uint32_t snaplen, uint32_t linktype,
		    const struct rm_rec *recs, int n, size_t cut)
{
	uint8_t buf[1 << 16];
	size_t off = 24;
	FILE *fp;
	int i;

	rm_put32(buf, magic, be);
	rm_put16(buf + 4, 2, be);
	rm_put16(buf + 6, 4, be);
	rm_put32(buf + 8, 0, be);
	rm_put32(buf + 12, 0, be);
	rm_put32(buf + 16, snaplen, be);
	rm_put32(buf + 20, linktype, be);
	for (i = 0; i < n; i++) {
		uint32_t j;

		rm_put32(buf + off, recs[i].sec, be);
		rm_put32(buf + off + 4, recs[i].frac, be);
		rm_put32(buf + off + 8, recs[i].caplen, be);
		rm_put32(buf + off + 12, recs[i].len, be);
		off += 16;
		for (j = 0; j < recs[i].caplen && off < sizeof(buf); j++)
			buf[off++] = (uint8_t)(j * 7 + (uint32_t)i);
		if (linktype == 1 && recs[i].caplen >= 15) {
			buf[off - recs[i].caplen + 12] = 0x08;	/* IPv4 ethertype */
			buf[off - recs[i].caplen + 13] = 0x00;
			buf[off - recs[i].caplen + 14] = 0x45;
		} else if (linktype == 101 && recs[i].caplen >= 1) {
			buf[off - recs[i].caplen] = 0x45;	/* raw IPv4 */
		}
	}
	fp = fopen(path, "wb");
	if (!fp)
		return -1;
	fwrite(buf, 1, off - cut, fp);
	fclose(fp);
	return 0;
}

static void rm_dir(const char *dir)
{
	struct dirent *de;
	char path[4096];
	DIR *d = opendir(dir);

	if (!d) {
		testlib_case(dir, false, "cannot open the folder");
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || !((n > 5 && !strcmp(de->d_name + n - 5, ".pcap")) ||
					      (n > 7 && !strcmp(de->d_name + n - 7, ".pcapng"))))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rm_same(path, path, -1);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	static const struct rm_rec three[] = {
		{ 1700000000, 999999, 60, 60 }, { 1700000001, 5, 1514, 1514 }, { 1700000000, 7, 40, 1500 },
	};
	static const struct rm_rec negative[] = { { 0xffff7f0du, 999999, 60, 60 }, { 2, 0xfffffff0u, 60, 64 } };
	static const struct rm_rec long_rec[] = { { 10, 0, 60, 60 }, { 11, 0, 100, 100 }, { 12, 0, 60, 60 } };
	char dir[] = "/tmp/vigil-replay-map.XXXXXX", path[256];
	struct replay_frame f, keep;
	struct replay *r = NULL;
	uint8_t copy[64];
	char err[256];
	int i, ok;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/c.pcap", dir);
	rm_write(path, 0xa1b2c3d4u, 0, 65535, 1, three, 3, 0);
	rm_same("little-endian, microseconds, a stamp going back", path, 1);
	rm_write(path, 0xa1b2c3d4u, 1, 65535, 1, three, 3, 0);
	rm_same("big-endian (written on another host)", path, 1);
	rm_write(path, 0xa1b23c4du, 0, 65535, 1, three, 3, 0);
	rm_same("nanosecond stamps", path, 1);
	rm_write(path, 0xa1b23c4du, 1, 65535, 1, three, 3, 0);
	rm_same("nanosecond stamps, big-endian", path, 1);
	rm_write(path, 0xa1b2c3d4u, 0, 65535, 1, negative, 2, 0);
	rm_same("negative seconds and fractions (signed fields)", path, 1);
	rm_write(path, 0xa1b2c3d4u, 0, 80, 1, long_rec, 3, 0);
	rm_same("a record longer than the snapshot length: libpcap's answer", path, -1);
	rm_write(path, 0xa1b2c3d4u, 0, 65535, 1, three, 3, 10);
	rm_same("the file cut inside the last record: the same error", path, 1);
	rm_write(path, 0xa1b2c3d4u, 0, 65535, 1, three, 3, 16 + 40 - 8);
	rm_same("the file cut inside a record header", path, 1);
	rm_write(path, 0xa1b2c3d4u, 0, 65535, 101, three, 3, 0);
	rm_same("raw IP: frames rebuilt as Ethernet (not stable)", path, 0);
	rm_write(path, 0xa1b2c3d4u, 0, 65535, 1, three, 0, 0);
	rm_same("no records", path, 0);

	/* a mapped frame outlives the reads after it */
	rm_write(path, 0xa1b2c3d4u, 0, 65535, 1, three, 3, 0);
	ok = replay_open(path, &r, err, sizeof(err)) == 0 && replay_next(r, &keep, err, sizeof(err)) == 1 &&
	     keep.stable && keep.caplen <= sizeof(copy);
	if (ok) {
		memcpy(copy, keep.data, keep.caplen);
		for (i = 0; i < 2; i++)
			ok &= replay_next(r, &f, err, sizeof(err)) == 1;
		ok &= !memcmp(copy, keep.data, keep.caplen);
	}
	replay_close(r);
	testlib_case("a stable frame is still there after the next reads", ok, "%s", err);
	unlink(path);
	rmdir(dir);

	for (i = 1; i < argc; i++)
		rm_dir(argv[i]);
	return testlib_done();
}

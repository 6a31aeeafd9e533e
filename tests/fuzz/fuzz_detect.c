// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_detect.c: libFuzzer target for the detectors behind detect_frame():
 * the payload parsers (DNS names, the RFB handshake follower), the per-key
 * tables and the incident tracker, on a sequence of frames as the pipeline
 * hands them over (pkt_parse first). Input: records of one byte of time step
 * (milliseconds; 255 jumps 10 s, so windows close and ticks run), a 16-bit
 * little-endian length and that many bytes of frame. Besides memory safety
 * it checks that every incident names a detector and a metric, and that
 * after the end of input every start has had its end.
 * The registry (a hundred MB of tables, slow to allocate under ASan) is made
 * once and kept: each input starts a day after the last one ended, so no
 * window or incident spans two inputs, but learned baselines carry over, and
 * a crash may need the inputs before it (fuzz_main replays them in order).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "detect.h"
#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_detect_count {
	uint64_t starts[DETECT_MAX], ends[DETECT_MAX];
};

static void fuzz_detect_on(void *ctx, const struct detect_incident *inc)
{
	struct fuzz_detect_count *c = ctx;

	if ((unsigned int)inc->det >= DETECT_MAX || !inc->metric || !memchr(inc->detail, 0, sizeof(inc->detail)))
		abort();
	if (inc->state == DETECT_START)
		c->starts[inc->det]++;
	else if (inc->state == DETECT_END)
		c->ends[inc->det]++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	static struct fuzz_detect_count c;
	static struct detect *d;
	static uint64_t ts = 1700000000ULL * 1000000000ULL;
	size_t off = 0;
	unsigned int i;

	if (!d) {
		config_defaults(&cfg);
		d = detect_new(&cfg, fuzz_detect_on, &c);
		if (!d)
			abort();
	}
	ts += 86400ULL * 1000000000ULL;
	while (off + 3 <= size) {
		uint8_t step = data[off];
		uint32_t len = (uint32_t)data[off + 1] | (uint32_t)data[off + 2] << 8;
		struct pkt_info pi;
		uint8_t *frame;
		int st;

		off += 3;
		if (len > size - off)
			len = (uint32_t)(size - off);
		ts += step == 255 ? 10000000000ULL : (uint64_t)step * 1000000ULL;
		/* an exact-size copy, so reading past the frame hits a redzone */
		frame = malloc(len ? len : 1);
		if (!frame)
			abort();
		memcpy(frame, data + off, len);
		off += len;
		st = pkt_parse(frame, len, &pi);
		detect_frame(d, ts, frame, len, st == PKT_OK || st == PKT_BAD_L4 ? &pi : NULL, NULL);
		detect_tick(d, ts);
		free(frame);
	}
	ts += 1000000000ULL;
	detect_finish(d, ts);
	for (i = 0; i < DETECT_MAX; i++)
		if (c.starts[i] != c.ends[i])
			abort();
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_replay.c: libFuzzer target for the capture reader (replay_open and
 * replay_next, pcap and pcapng through libpcap) fed a file it did not write.
 * The input goes into a memfd opened by path, so no disk and no leftovers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pkt.h"
#include "replay.h"

#define FUZZ_REPLAY_MAX_FRAMES 20000	/* libpcap refuses records over its snaplen cap */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_replay_fd = -1;

/* Put data into the process's memfd; returns its /proc path or NULL. */
static const char *fuzz_replay_file(const uint8_t *data, size_t size)
{
	static char path[64];
	size_t off = 0;

	if (fuzz_replay_fd < 0) {
		fuzz_replay_fd = memfd_create("vigil-fuzz-replay", 0);
		if (fuzz_replay_fd < 0)
			return NULL;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fuzz_replay_fd);
	}
	if (ftruncate(fuzz_replay_fd, 0))
		return NULL;
	while (off < size) {
		ssize_t n = pwrite(fuzz_replay_fd, data + off, size - off, (off_t)off);

		if (n <= 0)
			return NULL;
		off += (size_t)n;
	}
	return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_stats st;
	struct replay_frame f;
	struct replay *r = NULL;
	uint64_t frames = 0;
	const char *path;
	char err[256];
	int rc;

	path = fuzz_replay_file(data, size);
	if (!path)
		abort();	/* the harness, not the input: stop loudly */
	err[0] = '\0';
	rc = replay_open(path, &r, err, sizeof(err));
	if (rc) {
		/* a refusal is fine, but it must say why and leave nothing open */
		if (r || !err[0] || (rc != -EINVAL && rc != -ENOTSUP && rc != -ENOMEM))
			abort();
		return 0;
	}
	while (frames < FUZZ_REPLAY_MAX_FRAMES) {
		struct pkt_info info;
		volatile uint8_t sink = 0;

		err[0] = '\0';
		rc = replay_next(r, &f, err, sizeof(err));
		if (rc == 0)
			break;
		if (rc < 0) {
			if (rc != -EIO || !err[0])
				abort();
			break;
		}
		/* every byte replay_next promises must be readable (ASan checks this) */
		for (uint32_t i = 0; i < f.caplen; i++)
			sink ^= f.data[i];
		(void)sink;
		pkt_parse(f.data, f.caplen, &info);
		frames++;
	}
	replay_get_stats(r, &st);
	if (st.frames != frames || st.bad_link > st.frames)
		abort();
	replay_close(r);
	return 0;
}

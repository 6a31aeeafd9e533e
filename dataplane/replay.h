/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay.h: reads pcap and pcapng captures for replay. Frames keep the
 * capture's timestamps (ns). <pcap/pcap.h> stays inside replay_pcap.c because
 * it clashes with <bpf/bpf.h> over struct bpf_insn.
 */
#ifndef VIGIL_REPLAY_H
#define VIGIL_REPLAY_H

#include <stddef.h>
#include <stdint.h>

struct replay;

struct replay_frame {
	const uint8_t *data;	/* valid until the next replay_next() */
	uint32_t caplen;	/* bytes present */
	uint32_t wirelen;	/* length on the wire */
	uint64_t ts_ns;		/* capture time, ns since the epoch */
};

struct replay_stats {
	uint64_t frames;
	uint64_t bytes;
	uint64_t ts_backwards;	/* timestamps earlier than the previous frame's */
};

/*
 * Open a capture. Returns 0, or -errno with a one-line reason in err:
 * -ENOENT (no such file), -EINVAL (not a capture), -ENOTSUP (link type other
 * than Ethernet).
 */
int replay_open(const char *path, struct replay **out, char *err, size_t errlen);

/* 1: a frame, 0: end of capture, -EIO: read error (reason in err). */
int replay_next(struct replay *r, struct replay_frame *f, char *err, size_t errlen);

void replay_get_stats(const struct replay *r, struct replay_stats *out);

/* NULL-safe. */
void replay_close(struct replay *r);

#endif

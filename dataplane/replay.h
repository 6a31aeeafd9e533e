/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay.h: reads pcap and pcapng captures for replay. Frames keep the
 * capture's timestamps (ns). Frames of other link types (Linux cooked SLL and
 * SLL2, raw IP, NULL/LOOP, NFLOG, PPP, Cisco HDLC, IPoIB, FDDI) come out as
 * Ethernet frames: a new 14-byte header with zero addresses and the ethertype
 * of the network layer, then the network layer as captured (docs/flows.md).
 * <pcap/pcap.h> stays inside replay_pcap.c because it clashes with <bpf/bpf.h>
 * over struct bpf_insn.
 */
#ifndef VIGIL_REPLAY_H
#define VIGIL_REPLAY_H

#include <stddef.h>
#include <stdint.h>

struct replay;

struct replay_frame {
	const uint8_t *data;	/* an Ethernet frame, valid until the next replay_next()
				 * (until replay_close when stable) */
	uint32_t caplen;	/* bytes present in data (0: the link header was cut short) */
	uint32_t wirelen;	/* the original frame's length on the wire, in its own
				 * link type (pcap's len, at least its caplen) */
	uint64_t ts_ns;		/* capture time, ns since the epoch */
	int stable;		/* 1: data stays valid until replay_close (a mapped file) */
};

struct replay_stats {
	uint64_t frames;
	uint64_t bytes;
	uint64_t ts_backwards;	/* timestamps earlier than the previous frame's */
	uint64_t bad_link;	/* link-layer header cut short (given out with caplen 0) */
	uint64_t file_bytes;	/* the capture's size when opened */
	uint64_t file_read;	/* bytes of it read so far (progress) */
};

/*
 * Open a capture. Returns 0, or -errno with a one-line reason in err:
 * -ENOENT (no such file), -EINVAL (not a capture), -ENOTSUP (a link type
 * that cannot be turned into Ethernet, e.g. 802.11).
 */
int replay_open(const char *path, struct replay **out, char *err, size_t errlen);

enum replay_open_flag {
	REPLAY_OPEN_NO_MAP = 1,	/* read a classic pcap file through libpcap too (tests) */
};

/* replay_open with enum replay_open_flag bits. */
int replay_open_flags(const char *path, unsigned int flags, struct replay **out, char *err,
		      size_t errlen);

/* 1: a frame (in f), 0: end of capture, -EIO: read error (reason in err). */
int replay_next(struct replay *r, struct replay_frame *f, char *err, size_t errlen);

void replay_get_stats(const struct replay *r, struct replay_stats *out);

/* NULL-safe. */
void replay_close(struct replay *r);

#endif

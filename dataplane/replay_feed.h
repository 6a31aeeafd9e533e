/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay_feed.h: a capture replayed through the pipeline without DPDK. Each
 * frame is accounted by a flow core: the XDP program built for user space
 * (vigil_user, the default) or the XDP program itself through one
 * BPF_PROG_TEST_RUN per frame (--replay-xdp). The frames the core hands off
 * reach ops->packets in bursts, and ops->tick runs on capture time, exactly
 * as the poller drives them from a ring port, so either core gives the
 * output a live sensor would, and the two give the same (tests/flowdiff).
 */
#ifndef VIGIL_REPLAY_FEED_H
#define VIGIL_REPLAY_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "poller.h"
#include "replay.h"

struct vigil_user;

enum replay_core {
	REPLAY_CORE_USER = 0,	/* vigil_user_frame: a function call per frame */
	REPLAY_CORE_XDP = 1,	/* xdp_loader_run_frame_wire: a syscall per frame */
};

/* Where a replay is, for a progress line. */
struct replay_feed_progress {
	uint64_t frames;	/* read so far */
	uint64_t file_read;	/* bytes of the capture read */
	uint64_t file_bytes;	/* its size */
	uint64_t elapsed_ns;	/* wall time since the replay started */
	bool done;		/* the last call: input ended (or failed, or was stopped) */
};

struct replay_feed_cfg {
	enum replay_core core;
	struct vigil_user *user;	/* REPLAY_CORE_USER: the program (borrowed) */
	int prog_fd;			/* REPLAY_CORE_XDP: the loaded program */
	uint16_t burst;			/* handed-off frames per ops->packets call (dpdk.burst) */
	uint64_t tick_ns;		/* ops->tick at least this often, in capture time */
	/* NULL, or called every progress_ns of wall time and once at the end */
	void (*progress)(void *ctx, const struct replay_feed_progress *p);
	void *progress_ctx;
	uint64_t progress_ns;
};

struct replay_feed_stats {
	uint64_t frames;	/* read from the capture */
	uint64_t runt;		/* shorter than an Ethernet header: not run through the core */
	uint64_t refused;	/* refused by the core (the kernel's test run, for their size) */
	uint64_t not_handed;	/* accounted only (xdp.handoff) */
	uint64_t handed;	/* given to ops->packets */
	uint64_t last_ts;	/* the latest capture time read: the end of input */
};

/*
 * Replay rp to its end (or until *stop): frames through the core, the handed
 * off ones to ops->packets (ops->feed is not used), ops->tick on capture
 * time and once at the end. ctx goes to ops; pst (may be NULL) gets the
 * poller's counters, st what happened to the frames. 0, or -EIO with a
 * one-line reason in err (the capture could not be read to its end),
 * -ENOMEM, -EINVAL (a bad cfg).
 */
int replay_feed_run(struct replay *rp, const struct replay_feed_cfg *cfg, const struct poller_ops *ops,
		    void *ctx, volatile bool *stop, struct poller_stats *pst, struct replay_feed_stats *st,
		    char *err, size_t errlen);

#endif

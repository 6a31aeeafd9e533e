/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * poller.h: the burst loop. rx -> hand the frames to the consumer -> free,
 * and a timer on the same lcore driven by packet time (replay) or the
 * monotonic clock (live). A feed callback lets the replay path fill its ring
 * port in the same loop, so replay and live share every step after the port.
 */
#ifndef VIGIL_POLLER_H
#define VIGIL_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"

struct poller_pkt {
	const uint8_t *data;
	uint32_t len;
	uint64_t ts_ns;		/* capture time in replay, CLOCK_MONOTONIC of the burst live */
};

struct poller_ops {
	/* Replay only (NULL live): push frames into the port. >0 more to come, 0 end of input, -errno. */
	int (*feed)(void *ctx, uint16_t max);
	/* Frames of one burst, in order. */
	void (*packets)(void *ctx, const struct poller_pkt *pkts, uint16_t n);
	/* Called with the current time at least every tick_ns and once at the end. */
	void (*tick)(void *ctx, uint64_t now_ns);
};

struct poller_stats {
	uint64_t bursts;
	uint64_t packets;
	uint64_t empty_polls;
	uint64_t busy_ns;	/* wall time from a burst's receive to its free: the loop's own
				 * cost, without waiting for frames (TSC, two reads a burst);
				 * brought up to date before every tick */
};

/*
 * Run until *stop becomes true or (replay) the input ends and the port is
 * drained. Returns 0 or the feed's -errno.
 */
int poller_run(struct dp_port *port, uint16_t burst, uint64_t tick_ns, const struct poller_ops *ops,
	       void *ctx, volatile bool *stop, struct poller_stats *st);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay_progress.h: one line on a terminal while a capture replays (frames,
 * share of the file, rate, alerts so far), rewritten in place; nothing when
 * stderr is not a terminal, so logs and tests see no change.
 */
#ifndef VIGIL_REPLAY_PROGRESS_H
#define VIGIL_REPLAY_PROGRESS_H

#include <stdbool.h>

#include "pipeline.h"
#include "replay_feed.h"

struct replay_progress {
	const struct pipeline *pl;	/* alerts so far (borrowed) */
	FILE *fp;			/* the terminal, or NULL: silent */
};

/* true when fp is a terminal: then hand replay_progress_show to the replay (ctx = rp). */
bool replay_progress_init(struct replay_progress *rp, const struct pipeline *pl, FILE *fp);
/* replay_feed_cfg.progress: rewrites the line; the last call ends it. */
void replay_progress_show(void *ctx, const struct replay_feed_progress *p);

#endif

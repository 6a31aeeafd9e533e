// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay_progress.c: the progress line of a long replay. A forensic replay
 * of a day of traffic runs for minutes: say how far it is and what it has
 * found, on the terminal only.
 */
#include <stdio.h>
#include <unistd.h>

#include "replay_progress.h"

bool replay_progress_init(struct replay_progress *rp, const struct pipeline *pl, FILE *fp)
{
	rp->pl = pl;
	rp->fp = fp && isatty(fileno(fp)) ? fp : NULL;
	return rp->fp != NULL;
}

void replay_progress_show(void *ctx, const struct replay_feed_progress *p)
{
	const struct replay_progress *rp = ctx;
	double secs = (double)p->elapsed_ns / 1e9;
	struct pipeline_stats ps;

	pipeline_get_stats(rp->pl, &ps);
	/* \r and erase to the end of the line: the line is rewritten in place */
	fprintf(rp->fp, "\r\033[Kreplay: %llu frames, %.0f%% of %.1f MB, %.0f k frames/s, %llu alerts%s",
		(unsigned long long)p->frames,
		p->file_bytes ? 100.0 * (double)p->file_read / (double)p->file_bytes : 0.0,
		(double)p->file_bytes / 1e6, secs > 0 ? (double)p->frames / secs / 1e3 : 0.0,
		(unsigned long long)ps.alerts, p->done ? "\n" : "");
	fflush(rp->fp);
}

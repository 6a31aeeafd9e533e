// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay_feed.c: the replay loop. It does what the poller does with a ring
 * port that a feed fills (bursts of handed-off frames, the timer on the
 * newest capture time after each burst, once more at the end), without the
 * port: no EAL, no mbufs, a frame copied once into the burst. Which frames
 * are handed off is the flow core's answer, as in XDP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay_feed.h"
#include "vigil_user.h"
#include "xdp_loader.h"

enum {
	REPLAY_FEED_BURST_MAX = 512,	/* the poller's and the pipeline's largest burst */
	REPLAY_FEED_BURST_DEFAULT = 32,
};

/*
 * The frames of one burst: where the reader's buffer is reused by the next
 * read, copied into the arena; a mapped file's frames stay where they are.
 */
struct replay_feed_burst {
	uint8_t *arena;
	size_t cap;
	size_t used;
	size_t off[REPLAY_FEED_BURST_MAX];	/* SIZE_MAX: pkts[i].data is the reader's */
	struct poller_pkt pkts[REPLAY_FEED_BURST_MAX];
	uint16_t n;
};

static uint64_t replay_feed_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int replay_feed_add(struct replay_feed_burst *b, const struct replay_frame *f)
{
	b->pkts[b->n].len = f->caplen;
	b->pkts[b->n].ts_ns = f->ts_ns;
	if (f->stable) {
		b->pkts[b->n].data = f->data;
		b->off[b->n++] = SIZE_MAX;
		return 0;
	}
	if (b->used + f->caplen > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		uint8_t *a;

		while (b->used + f->caplen > cap)
			cap *= 2;
		a = realloc(b->arena, cap);
		if (!a)
			return -ENOMEM;
		b->arena = a;
		b->cap = cap;
	}
	memcpy(b->arena + b->used, f->data, f->caplen);
	b->off[b->n] = b->used;
	b->used += f->caplen;
	b->n++;
	return 0;
}

/* the core's verdict on one frame: 1 handed off, 0 accounted only, -errno not run */
static int replay_feed_core(const struct replay_feed_cfg *cfg, const struct replay_frame *f)
{
	uint16_t flags = 0;
	int rc;

	if (cfg->core == REPLAY_CORE_USER)
		rc = vigil_user_frame(cfg->user, f->data, f->caplen, f->wirelen, f->ts_ns, &flags);
	else
		rc = xdp_loader_run_frame_wire(cfg->prog_fd, f->data, f->caplen, f->wirelen, f->ts_ns, NULL,
					       &flags);
	if (rc < 0)
		return rc;
	return (flags & VIGIL_META_F_HANDOFF) != 0;
}

static void replay_feed_progress(const struct replay_feed_cfg *cfg, struct replay *rp,
				 const struct replay_feed_stats *st, uint64_t start_ns, uint64_t now_ns,
				 bool done)
{
	struct replay_feed_progress p = { .frames = st->frames, .elapsed_ns = now_ns - start_ns,
					  .done = done };
	struct replay_stats rs;

	replay_get_stats(rp, &rs);
	p.file_read = done ? rs.file_bytes : rs.file_read;
	p.file_bytes = rs.file_bytes;
	cfg->progress(cfg->progress_ctx, &p);
}

int replay_feed_run(struct replay *rp, const struct replay_feed_cfg *cfg, const struct poller_ops *ops,
		    void *ctx, volatile bool *stop, struct poller_stats *pst, struct replay_feed_stats *st,
		    char *err, size_t errlen)
{
	struct replay_feed_burst *b = NULL;
	struct poller_stats dummy;
	struct replay_frame f;
	uint64_t now = 0, next_tick = 0, start, next_progress, t0, t1;
	uint16_t burst = cfg->burst, i;
	bool eof = false;
	int rc, ret = 0;

	memset(st, 0, sizeof(*st));
	if (!pst)
		pst = &dummy;
	if ((cfg->core == REPLAY_CORE_USER && !cfg->user) || !cfg->tick_ns || !ops->packets || !ops->tick) {
		snprintf(err, errlen, "replay: bad configuration");
		return -EINVAL;
	}
	if (burst == 0 || burst > REPLAY_FEED_BURST_MAX)
		burst = REPLAY_FEED_BURST_DEFAULT;	/* as the poller */
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "replay: out of memory");
		return -ENOMEM;
	}
	start = replay_feed_mono_ns();
	next_progress = start + cfg->progress_ns;
	while (!*stop) {
		b->n = 0;
		b->used = 0;
		while (b->n < burst) {
			rc = replay_next(rp, &f, err, errlen);
			if (rc < 0) {
				ret = rc;	/* as the poller: this burst is not delivered */
				goto out;
			}
			if (rc == 0) {
				eof = true;
				break;
			}
			st->frames++;
			if (f.ts_ns > st->last_ts)
				st->last_ts = f.ts_ns;
			if (cfg->progress && !(st->frames & 4095) &&
			    (t1 = replay_feed_mono_ns()) >= next_progress) {
				replay_feed_progress(cfg, rp, st, start, t1, false);
				next_progress = t1 + cfg->progress_ns;
			}
			rc = replay_feed_core(cfg, &f);
			if (rc == -EINVAL) {
				st->runt++;
				continue;
			}
			if (rc < 0) {
				st->refused++;
				continue;
			}
			if (!rc) {
				st->not_handed++;
				continue;
			}
			if (replay_feed_add(b, &f) < 0) {
				snprintf(err, errlen, "replay: out of memory");
				ret = -ENOMEM;
				goto out;
			}
		}
		if (!b->n) {
			pst->empty_polls++;
			if (eof)
				break;
			continue;
		}
		for (i = 0; i < b->n; i++) {
			if (b->off[i] != SIZE_MAX)
				b->pkts[i].data = b->arena + b->off[i];
			/* time only moves forward for the timer; frames keep their own stamps */
			if (b->pkts[i].ts_ns > now)
				now = b->pkts[i].ts_ns;
		}
		t0 = replay_feed_mono_ns();
		ops->packets(ctx, b->pkts, b->n);
		t1 = replay_feed_mono_ns();
		pst->busy_ns += t1 - t0;
		pst->bursts++;
		pst->packets += b->n;
		st->handed += b->n;
		if (now && now >= next_tick) {
			ops->tick(ctx, now);
			next_tick = now - now % cfg->tick_ns + cfg->tick_ns;
		}
	}
out:
	if (now)
		ops->tick(ctx, now);
	if (cfg->progress)
		replay_feed_progress(cfg, rp, st, start, replay_feed_mono_ns(), true);
	if (b)
		free(b->arena);
	free(b);
	return ret;
}

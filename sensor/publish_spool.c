// SPDX-License-Identifier: GPL-2.0-only
/*
 * publish_spool.c: keeps the events the collector has not acked on disk, so a
 * collector outage or a sensor restart loses nothing until the spool is full,
 * and a restarted sensor continues its sequence numbers (docs/transport.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "atomic_file.h"
#include "wire.h"
#include "publish_spool.h"

#define SPOOL_REC_HDR 12		/* u64 seq + u32 length, big-endian */
#define SPOOL_SEG_MIN (4u << 10)
#define SPOOL_SEG_MAX (16u << 20)
#define SPOOL_STATE "done"
#define SPOOL_SPENT_MAX (1u << 20)	/* a fully acked newest segment larger than this is replaced */

/* One segment file "seg-<first seq, 20 digits>.vsp": records of consecutive seqs. */
struct publish_spool_seg {
	uint64_t first, last;
	uint64_t bytes;
};

struct publish_spool {
	int dirfd;
	int statefd;
	int curfd;			/* the newest segment, open for appending; -1: start a new one */
	uint64_t done;
	uint64_t max_bytes, seg_max, total;
	struct publish_spool_seg *segs;	/* oldest first */
	size_t nsegs, cap;
};

static void publish_spool_name(char *buf, size_t len, uint64_t first)
{
	snprintf(buf, len, "seg-%020" PRIu64 ".vsp", first);
}

static int publish_spool_put_done(struct publish_spool *sp, uint64_t seq)
{
	uint8_t b[WIRE_SEQ_LEN];

	wire_put_u64(b, seq);
	if (pwrite(sp->statefd, b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return errno ? -errno : -EIO;
	sp->done = seq;
	return 0;
}

static int publish_spool_push_seg(struct publish_spool *sp, uint64_t first, uint64_t last, uint64_t bytes)
{
	if (sp->nsegs == sp->cap) {
		size_t cap = sp->cap ? 2 * sp->cap : 16;
		void *t = realloc(sp->segs, cap * sizeof(*sp->segs));

		if (!t)
			return -ENOMEM;
		sp->segs = t;
		sp->cap = cap;
	}
	sp->segs[sp->nsegs++] = (struct publish_spool_seg){ .first = first, .last = last, .bytes = bytes };
	sp->total += bytes;
	return 0;
}

/* Delete the oldest segment (its file, then the table entry). */
static void publish_spool_drop_oldest(struct publish_spool *sp)
{
	char name[64];

	publish_spool_name(name, sizeof(name), sp->segs[0].first);
	unlinkat(sp->dirfd, name, 0);
	sp->total -= sp->segs[0].bytes;
	memmove(sp->segs, sp->segs + 1, (sp->nsegs - 1) * sizeof(*sp->segs));
	sp->nsegs--;
	if (sp->nsegs == 0 && sp->curfd >= 0) {
		close(sp->curfd);
		sp->curfd = -1;
	}
}

/* Read one segment, hand owed records to load, cut a torn tail. */
static int publish_spool_scan(struct publish_spool *sp, const char *name, publish_spool_load_fn load, void *ctx,
			      uint64_t *last)
{
	int fd = openat(sp->dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	uint64_t first = 0, lastseq = 0, off = 0;
	char *buf = NULL;
	struct stat sb;
	int rc = 0;

	if (fd < 0 && errno == ELOOP)
		return 0;	/* a link is no segment of ours: never followed, left alone */
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb)) {
		rc = -errno;
		goto cleanup;
	}
	if (!S_ISREG(sb.st_mode))
		goto cleanup;	/* a FIFO or a device is no segment either */
	if (sb.st_size > 0) {
		buf = malloc((size_t)sb.st_size);
		if (!buf) {
			rc = -ENOMEM;
			goto cleanup;
		}
		if (pread(fd, buf, (size_t)sb.st_size, 0) != sb.st_size) {
			rc = -EIO;
			goto cleanup;
		}
	}
	while (off + SPOOL_REC_HDR <= (uint64_t)sb.st_size) {
		uint64_t seq = wire_get_u64((const uint8_t *)buf + off);
		const uint8_t *l = (const uint8_t *)buf + off + WIRE_SEQ_LEN;
		uint32_t len = (uint32_t)l[0] << 24 | (uint32_t)l[1] << 16 | (uint32_t)l[2] << 8 | l[3];

		if (seq == 0 || seq <= lastseq || len == 0 || len > WIRE_EVENT_MAX ||
		    off + SPOOL_REC_HDR + len > (uint64_t)sb.st_size)
			break;
		if (!first)
			first = seq;
		lastseq = seq;
		if (seq > sp->done) {
			rc = load(ctx, seq, buf + off + SPOOL_REC_HDR, len);
			if (rc)
				goto cleanup;
		}
		off += SPOOL_REC_HDR + len;
	}
	if (off < (uint64_t)sb.st_size && ftruncate(fd, (off_t)off)) {
		rc = -errno;
		goto cleanup;
	}
	if (!first) {
		unlinkat(sp->dirfd, name, 0);	/* nothing usable in it */
		goto cleanup;
	}
	if (lastseq > *last)
		*last = lastseq;
	rc = publish_spool_push_seg(sp, first, lastseq, off);
cleanup:
	free(buf);
	close(fd);
	return rc;
}

static int publish_spool_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n == 28 && !strncmp(d->d_name, "seg-", 4) && !strcmp(d->d_name + 24, ".vsp");
}

int publish_spool_open(const char *dir, uint64_t max_bytes, publish_spool_load_fn load, void *ctx,
		       struct publish_spool **out, uint64_t *last)
{
	struct dirent **ents = NULL;
	struct publish_spool *sp;
	uint8_t b[WIRE_SEQ_LEN];
	int n = 0, rc;

	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->dirfd = sp->statefd = sp->curfd = -1;
	sp->max_bytes = max_bytes;
	sp->seg_max = max_bytes / 8;
	if (sp->seg_max < SPOOL_SEG_MIN)
		sp->seg_max = SPOOL_SEG_MIN;
	if (sp->seg_max > SPOOL_SEG_MAX)
		sp->seg_max = SPOOL_SEG_MAX;
	/* ours alone (owner, not writable by others): nothing in it is a link someone planted */
	sp->dirfd = atomic_file_dir(dir, 0700, NULL, 0);
	if (sp->dirfd < 0) {
		rc = sp->dirfd;
		sp->dirfd = -1;
		goto cleanup;
	}
	sp->statefd = openat(sp->dirfd, SPOOL_STATE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (sp->statefd < 0) {
		rc = -errno;
		goto cleanup;
	}
	if (pread(sp->statefd, b, sizeof(b), 0) == (ssize_t)sizeof(b))
		sp->done = wire_get_u64(b);
	*last = sp->done;
	n = scandir(dir, &ents, publish_spool_filter, alphasort);
	if (n < 0) {
		rc = -errno;
		n = 0;
		goto cleanup;
	}
	for (int i = 0; i < n; i++) {
		rc = publish_spool_scan(sp, ents[i]->d_name, load, ctx, last);
		if (rc)
			goto cleanup;
	}
	/* segments whose events were all acked by the last process */
	while (sp->nsegs && sp->segs[0].last <= sp->done)
		publish_spool_drop_oldest(sp);
	rc = 0;
	*out = sp;
	sp = NULL;
cleanup:
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	publish_spool_free(sp);
	return rc;
}

static int publish_spool_roll(struct publish_spool *sp, uint64_t first)
{
	char name[64];
	int rc;

	if (sp->curfd >= 0)
		close(sp->curfd);
	publish_spool_name(name, sizeof(name), first);
	sp->curfd = openat(sp->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (sp->curfd < 0)
		return -errno;
	rc = publish_spool_push_seg(sp, first, first - 1, 0);
	if (rc) {
		close(sp->curfd);
		sp->curfd = -1;
		unlinkat(sp->dirfd, name, 0);
	}
	return rc;
}

int publish_spool_append(struct publish_spool *sp, uint64_t seq, const char *json, size_t len,
			 uint64_t *dropped_upto)
{
	uint8_t hdr[SPOOL_REC_HDR];
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)json, len } };
	struct publish_spool_seg *cur;
	ssize_t n;
	int rc;

	*dropped_upto = 0;
	/* a segment of the last process is never appended to: start a fresh one */
	if (sp->curfd < 0 || sp->segs[sp->nsegs - 1].bytes + SPOOL_REC_HDR + len > sp->seg_max) {
		rc = publish_spool_roll(sp, seq);
		if (rc)
			return rc;
	}
	wire_put_u64(hdr, seq);
	hdr[8] = (uint8_t)(len >> 24);
	hdr[9] = (uint8_t)(len >> 16);
	hdr[10] = (uint8_t)(len >> 8);
	hdr[11] = (uint8_t)len;
	n = writev(sp->curfd, iov, 2);
	cur = &sp->segs[sp->nsegs - 1];
	if (n != (ssize_t)(sizeof(hdr) + len)) {
		rc = n < 0 ? -errno : -ENOSPC;
		/* cut a partial record so the file stays readable */
		if (n > 0 && ftruncate(sp->curfd, (off_t)cur->bytes)) {
			/* the next open cuts it instead */
		}
		return rc;
	}
	cur->last = seq;
	cur->bytes += (uint64_t)n;
	sp->total += (uint64_t)n;
	while (sp->total > sp->max_bytes && sp->nsegs > 1) {
		if (sp->segs[0].last > *dropped_upto)
			*dropped_upto = sp->segs[0].last;
		/* record the give-up before the file goes, so a crash never reuses its seqs */
		if (sp->segs[0].last > sp->done) {
			rc = publish_spool_put_done(sp, sp->segs[0].last);
			if (rc)
				return rc;
		}
		publish_spool_drop_oldest(sp);
	}
	return 0;
}

int publish_spool_done(struct publish_spool *sp, uint64_t seq)
{
	int rc;

	if (seq <= sp->done)
		return 0;
	rc = publish_spool_put_done(sp, seq);
	if (rc)
		return rc;
	/* the newest segment stays while it is being appended to */
	while (sp->nsegs && sp->segs[0].last <= seq && (sp->nsegs > 1 || sp->curfd < 0))
		publish_spool_drop_oldest(sp);
	if (sp->nsegs == 1 && sp->segs[0].last <= seq &&
	    sp->segs[0].bytes >= (sp->seg_max / 2 < SPOOL_SPENT_MAX ? sp->seg_max / 2 : SPOOL_SPENT_MAX)) {
		/* a large spent newest segment: drop it, the next append starts a new one */
		publish_spool_drop_oldest(sp);
		if (sp->curfd >= 0) {
			close(sp->curfd);
			sp->curfd = -1;
		}
	}
	return 0;
}

int publish_spool_reset(struct publish_spool *sp, uint64_t seq)
{
	int rc = publish_spool_put_done(sp, seq);

	if (rc)
		return rc;
	while (sp->nsegs)
		publish_spool_drop_oldest(sp);
	if (sp->curfd >= 0) {
		close(sp->curfd);
		sp->curfd = -1;
	}
	return 0;
}

uint64_t publish_spool_bytes(const struct publish_spool *sp)
{
	return sp ? sp->total : 0;
}

void publish_spool_free(struct publish_spool *sp)
{
	if (!sp)
		return;
	if (sp->curfd >= 0)
		close(sp->curfd);
	if (sp->statefd >= 0)
		close(sp->statefd);
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	free(sp->segs);
	free(sp);
}

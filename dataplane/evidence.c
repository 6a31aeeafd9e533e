// SPDX-License-Identifier: GPL-2.0-only
/*
 * evidence.c: the pre-trigger ring, per-incident pcapng files and the disk
 * budget. The ring is a fixed array of fixed-size slots (header + snaplen
 * bytes), so keeping a frame costs one bounded copy and no allocation; files
 * are hashed while they are written, never read back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "evidence.h"

enum {
	EVIDENCE_SHB = 0x0A0D0D0A,
	EVIDENCE_IDB = 0x00000001,
	EVIDENCE_EPB = 0x00000006,
	EVIDENCE_BOM = 0x1A2B3C4D,
	EVIDENCE_MIN_SLOTS = 16,
};

struct evidence_slot {
	uint64_t ts_ns;
	uint32_t caplen;	/* bytes in data[] */
	uint32_t wirelen;
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t has_ip;
	uint8_t pad[7];
	uint8_t data[];
};

struct evidence_cap {
	bool open;
	bool full;		/* post-trigger packet limit reached */
	bool has_b;
	uint8_t a[16];
	uint8_t b[16];
	uint32_t post_left;
	uint64_t deadline_ns;
	bool writing;		/* af holds the temporary file */
	int err;		/* the write error that ended it (-errno), 0 if none */
	struct atomic_file af;	/* written under a temporary name, renamed when complete */
	struct sha256 sha;
	struct evidence_info info;
};

struct evidence_file {
	char path[512];
	uint64_t size;
	int64_t mtime_ns;
};

struct evidence {
	struct evidence_cfg cfg;
	int dirfd;		/* the checked evidence directory: every file is opened from here */
	char dir[256];
	char sensor[64];
	uint8_t *slots;
	size_t stride;
	uint32_t nslots;
	uint32_t head;		/* next slot to write */
	uint32_t count;		/* slots holding a frame */
	struct evidence_cap *caps;
	struct evidence_file *files;	/* completed files, oldest first */
	size_t nfiles, files_cap;
	struct evidence_stats st;
};

static struct evidence_slot *evidence_slot_at(struct evidence *ev, uint32_t i)
{
	return (struct evidence_slot *)(ev->slots + (size_t)i * ev->stride);
}

static bool evidence_match(const struct evidence_cap *c, const uint8_t *src, const uint8_t *dst)
{
	bool a = !memcmp(src, c->a, 16) || !memcmp(dst, c->a, 16);

	if (!a)
		return false;
	return !c->has_b || !memcmp(src, c->b, 16) || !memcmp(dst, c->b, 16);
}

/* A write that failed (a full disk): the capture is given up, its temporary file removed. */
static void evidence_fail(struct evidence *ev, struct evidence_cap *c, int rc)
{
	ev->st.write_errors++;
	ev->st.last_error = -rc;
	if (!c->err)
		c->err = rc;
	if (c->writing)
		atomic_file_abort(&c->af);
	c->writing = false;
}

static void evidence_write(struct evidence *ev, struct evidence_cap *c, const void *p, size_t len)
{
	int rc;

	if (!c->writing)
		return;
	rc = atomic_file_write(&c->af, p, len);
	if (rc) {
		evidence_fail(ev, c, rc);
		return;
	}
	sha256_update(&c->sha, p, len);
	c->info.bytes += len;
}

static void evidence_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* pcapng: the byte-order magic tells readers our order */
}

/* An option: code, length, value padded to 4 bytes. Returns bytes used. */
static size_t evidence_opt(uint8_t *p, uint16_t code, const void *val, uint16_t len)
{
	size_t padded = ((size_t)len + 3) & ~(size_t)3;

	memcpy(p, &code, 2);
	memcpy(p + 2, &len, 2);
	memset(p + 4, 0, padded);
	memcpy(p + 4, val, len);
	return 4 + padded;
}

static void evidence_header(struct evidence *ev, struct evidence_cap *c)
{
	uint8_t b[512];
	char comment[200];
	size_t n = 0;
	int64_t section = -1;
	uint32_t v;
	uint16_t maj = 1, min = 0;
	uint8_t tsres = 9;	/* timestamps in nanoseconds */

	/* section header block */
	evidence_u32(b, EVIDENCE_SHB);
	n = 8;
	evidence_u32(b + n, EVIDENCE_BOM);
	memcpy(b + n + 4, &maj, 2);
	memcpy(b + n + 6, &min, 2);
	memcpy(b + n + 8, &section, 8);
	n += 16;
	snprintf(comment, sizeof(comment), "vigil evidence: sensor %s, incident %llu, detector %s", ev->sensor,
		 (unsigned long long)c->info.incident_id, c->info.detector);
	n += evidence_opt(b + n, 1, comment, (uint16_t)strlen(comment));
	n += evidence_opt(b + n, 4, "vigil", 5);	/* shb_userappl */
	memset(b + n, 0, 4);
	n += 4;
	v = (uint32_t)(n + 4);
	evidence_u32(b + 4, v);
	evidence_u32(b + n, v);
	evidence_write(ev, c, b, n + 4);

	/* interface description block: Ethernet, snaplen, ns timestamps */
	n = 8;
	{
		uint16_t lt = 1, res = 0;

		memcpy(b + n, &lt, 2);
		memcpy(b + n + 2, &res, 2);
		evidence_u32(b + n + 4, ev->cfg.snaplen);
		n += 8;
	}
	evidence_u32(b, EVIDENCE_IDB);
	n += evidence_opt(b + n, 9, &tsres, 1);
	memset(b + n, 0, 4);
	n += 4;
	v = (uint32_t)(n + 4);
	evidence_u32(b + 4, v);
	evidence_u32(b + n, v);
	evidence_write(ev, c, b, n + 4);
}

static void evidence_epb(struct evidence *ev, struct evidence_cap *c, uint64_t ts, const uint8_t *data,
			 uint32_t caplen, uint32_t wirelen)
{
	uint8_t h[28], tail[8] = { 0 };
	uint32_t padded = (caplen + 3) & ~3u, total = 32 + padded;

	evidence_u32(h, EVIDENCE_EPB);
	evidence_u32(h + 4, total);
	evidence_u32(h + 8, 0);
	evidence_u32(h + 12, (uint32_t)(ts >> 32));
	evidence_u32(h + 16, (uint32_t)ts);
	evidence_u32(h + 20, caplen);
	evidence_u32(h + 24, wirelen);
	evidence_write(ev, c, h, sizeof(h));
	evidence_write(ev, c, data, caplen);
	evidence_u32(tail + (padded - caplen), total);
	evidence_write(ev, c, tail, padded - caplen + 4);
	c->info.packets++;
}

static int evidence_files_push(struct evidence *ev, const char *path, uint64_t size, int64_t mtime_ns)
{
	struct evidence_file *f;

	if (ev->nfiles == ev->files_cap) {
		size_t cap = ev->files_cap ? ev->files_cap * 2 : 64;

		f = realloc(ev->files, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		ev->files = f;
		ev->files_cap = cap;
	}
	f = &ev->files[ev->nfiles++];
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->size = size;
	f->mtime_ns = mtime_ns;
	ev->st.bytes_on_disk += size;
	return 0;
}

/* Delete the oldest completed files until the total fits; the newest file always stays. */
static void evidence_budget(struct evidence *ev)
{
	size_t drop = 0, i;

	while (ev->st.bytes_on_disk > ev->cfg.budget_bytes && ev->nfiles - drop > 1) {
		struct evidence_file *f = &ev->files[drop++];
		const char *name = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;

		if (unlinkat(ev->dirfd, name, 0) != 0 && errno != ENOENT)
			ev->st.write_errors++;
		ev->st.bytes_on_disk -= f->size;
		ev->st.files_deleted++;
	}
	if (!drop)
		return;
	for (i = drop; i < ev->nfiles; i++)
		ev->files[i - drop] = ev->files[i];
	ev->nfiles -= drop;
}

static int64_t evidence_mtime_ns(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
}

static int evidence_cmp_mtime(const void *x, const void *y)
{
	const struct evidence_file *a = x, *b = y;

	if (a->mtime_ns != b->mtime_ns)
		return a->mtime_ns < b->mtime_ns ? -1 : 1;
	return strcmp(a->path, b->path);
}

/* Count what earlier runs left in the directory so the budget holds across restarts (links are not followed). */
static int evidence_scan(struct evidence *ev)
{
	int fd = fcntl(ev->dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int ret = 0;

	if (!d) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		return ret;
	}
	while ((de = readdir(d))) {
		char path[512];
		struct stat sb;
		size_t l = strlen(de->d_name);

		if (l < 8 || strcmp(de->d_name + l - 7, ".pcapng"))
			continue;
		if (fstatat(ev->dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
			continue;
		snprintf(path, sizeof(path), "%s/%s", ev->dir, de->d_name);
		ret = evidence_files_push(ev, path, (uint64_t)sb.st_size, evidence_mtime_ns(&sb));
		if (ret < 0)
			break;
	}
	closedir(d);
	if (ev->nfiles)
		qsort(ev->files, ev->nfiles, sizeof(*ev->files), evidence_cmp_mtime);
	return ret;
}

struct evidence *evidence_new(const struct evidence_cfg *cfg)
{
	struct evidence *ev;
	int e = EINVAL;

	if (!cfg || !cfg->dir || !cfg->dir[0] || cfg->snaplen < 64 || cfg->snaplen > 65535 ||
	    cfg->max_open == 0 || cfg->max_open > 256) {
		errno = EINVAL;
		return NULL;
	}
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return NULL;
	ev->dirfd = -1;
	ev->cfg = *cfg;
	snprintf(ev->dir, sizeof(ev->dir), "%s", cfg->dir);
	snprintf(ev->sensor, sizeof(ev->sensor), "%s", cfg->sensor_name ? cfg->sensor_name : "vigil");
	ev->cfg.dir = ev->dir;
	ev->cfg.sensor_name = ev->sensor;
	ev->stride = (sizeof(struct evidence_slot) + cfg->snaplen + 7) & ~(size_t)7;
	ev->nslots = (uint32_t)(cfg->ring_bytes / ev->stride);
	if (ev->nslots < EVIDENCE_MIN_SLOTS)
		ev->nslots = EVIDENCE_MIN_SLOTS;
	ev->slots = malloc((size_t)ev->nslots * ev->stride);
	ev->caps = calloc(cfg->max_open, sizeof(*ev->caps));
	if (!ev->slots || !ev->caps) {
		e = ENOMEM;
		goto fail;
	}
	/* owned by us and writable by nobody else, or a planted link could redirect a capture */
	ev->dirfd = atomic_file_dir(ev->dir, 0750, NULL, 0);
	if (ev->dirfd < 0) {
		e = -ev->dirfd;
		goto fail;
	}
	if (evidence_scan(ev) < 0) {
		e = errno ? errno : EIO;
		goto fail;
	}
	evidence_budget(ev);
	return ev;
fail:
	if (ev->dirfd >= 0)
		close(ev->dirfd);
	free(ev->slots);
	free(ev->caps);
	free(ev->files);
	free(ev);
	errno = e;
	return NULL;
}

void evidence_packet(struct evidence *ev, uint64_t ts_ns, const uint8_t *frame, uint32_t len,
		     const uint8_t *src, const uint8_t *dst)
{
	struct evidence_slot *s = evidence_slot_at(ev, ev->head);
	uint32_t cap = len < ev->cfg.snaplen ? len : ev->cfg.snaplen;
	uint32_t i;

	s->ts_ns = ts_ns;
	s->caplen = cap;
	s->wirelen = len;
	s->has_ip = src && dst;
	if (s->has_ip) {
		memcpy(s->src, src, 16);
		memcpy(s->dst, dst, 16);
	}
	memcpy(s->data, frame, cap);
	ev->head = ev->head + 1 == ev->nslots ? 0 : ev->head + 1;
	if (ev->count < ev->nslots)
		ev->count++;
	ev->st.ring_frames++;
	if (cap < len)
		ev->st.ring_truncated++;
	if (!s->has_ip)
		return;
	for (i = 0; i < ev->cfg.max_open; i++) {
		struct evidence_cap *c = &ev->caps[i];

		if (!c->open || c->full || !evidence_match(c, src, dst))
			continue;
		evidence_epb(ev, c, ts_ns, frame, cap, len);
		if (--c->post_left == 0)
			c->full = true;
	}
}

int evidence_start(struct evidence *ev, uint64_t incident_id, const char *detector, const uint8_t a[16],
		   const uint8_t *b, uint32_t post_packets, uint64_t now_ns, struct evidence_info *info)
{
	struct evidence_cap *c = NULL;
	uint64_t since = now_ns > ev->cfg.ring_ns ? now_ns - ev->cfg.ring_ns : 0;
	char name[sizeof(c->info.path)];
	uint32_t i, idx;
	int rc;

	for (i = 0; i < ev->cfg.max_open; i++) {
		if (!ev->caps[i].open) {
			c = &ev->caps[i];
			break;
		}
	}
	if (!c) {
		ev->st.busy++;
		return -EBUSY;
	}
	memset(c, 0, sizeof(*c));
	memcpy(c->a, a, 16);
	if (b) {
		memcpy(c->b, b, 16);
		c->has_b = true;
	}
	c->info.incident_id = incident_id;
	snprintf(c->info.detector, sizeof(c->info.detector), "%s", detector);
	snprintf(name, sizeof(name), "%s-%s-%llu.pcapng", ev->sensor, detector, (unsigned long long)incident_id);
	snprintf(c->info.path, sizeof(c->info.path), "%s/%s", ev->dir, name);
	/*
	 * A temporary file created O_EXCL | O_NOFOLLOW in the checked directory, renamed when
	 * complete: a reader never sees half a file, a write error never leaves one under
	 * the final name. Not fsync'ed: this is the packet thread.
	 */
	rc = atomic_file_open(&c->af, ev->dirfd, name, 0640, 0);
	if (rc) {
		ev->st.write_errors++;
		ev->st.last_error = -rc;
		return rc;
	}
	c->writing = true;
	sha256_init(&c->sha);
	c->open = true;
	c->post_left = post_packets ? post_packets : ev->cfg.post_packets ? ev->cfg.post_packets : 1;
	c->deadline_ns = now_ns + ev->cfg.post_ns;
	evidence_header(ev, c);
	/* the ring, oldest first */
	idx = ev->count < ev->nslots ? 0 : ev->head;
	for (i = 0; i < ev->count; i++, idx = idx + 1 == ev->nslots ? 0 : idx + 1) {
		struct evidence_slot *s = evidence_slot_at(ev, idx);

		if (s->has_ip && s->ts_ns >= since && evidence_match(c, s->src, s->dst))
			evidence_epb(ev, c, s->ts_ns, s->data, s->caplen, s->wirelen);
	}
	*info = c->info;
	return 0;
}

static void evidence_close(struct evidence *ev, struct evidence_cap *c, evidence_done_fn done, void *ctx)
{
	uint8_t digest[SHA256_DIGEST_LEN];
	const char *name = strrchr(c->info.path, '/') ? strrchr(c->info.path, '/') + 1 : c->info.path;
	struct stat sb;
	int rc;

	if (c->writing) {
		c->writing = false;
		rc = atomic_file_commit(&c->af);
		if (rc)
			evidence_fail(ev, c, rc);
	}
	c->open = false;
	c->info.error = c->err;
	c->info.complete = !c->err;
	if (c->info.complete) {
		sha256_final(&c->sha, digest);
		sha256_hex(digest, c->info.sha256);
		ev->st.files++;
		if (fstatat(ev->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
			evidence_files_push(ev, c->info.path, (uint64_t)sb.st_size, evidence_mtime_ns(&sb));
		evidence_budget(ev);
	} else {
		c->info.sha256[0] = '\0';	/* nothing to announce: no file */
	}
	if (done)
		done(ctx, &c->info);
}

void evidence_tick(struct evidence *ev, uint64_t now_ns, evidence_done_fn done, void *ctx)
{
	uint32_t i;

	for (i = 0; i < ev->cfg.max_open; i++) {
		struct evidence_cap *c = &ev->caps[i];

		if (c->open && (c->full || now_ns >= c->deadline_ns))
			evidence_close(ev, c, done, ctx);
	}
}

void evidence_get_stats(const struct evidence *ev, struct evidence_stats *out)
{
	*out = ev->st;
}

void evidence_free(struct evidence *ev, evidence_done_fn done, void *ctx)
{
	uint32_t i;

	if (!ev)
		return;
	for (i = 0; i < ev->cfg.max_open; i++)
		if (ev->caps[i].open)
			evidence_close(ev, &ev->caps[i], done, ctx);
	if (ev->dirfd >= 0)
		close(ev->dirfd);
	free(ev->slots);
	free(ev->caps);
	free(ev->files);
	free(ev);
}

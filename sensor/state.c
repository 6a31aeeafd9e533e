// SPDX-License-Identifier: GPL-2.0-only
/*
 * state.c: the learned-state file. A restart must not reopen every detector's
 * learning period, and a file cut short by a power loss must be refused rather
 * than half-trusted: hence a header with version, length and CRC, and rename().
 * The bytes are built in memory first (state_image) and written apart, so the
 * slow part (write, fsync, rename) can run off the packet thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "state.h"

#define STATE_MAGIC "VIGILST1"
#define STATE_BOM 0x01020304u		/* reads back otherwise on another byte order */
#define STATE_MAX_BYTES (256u << 20)	/* far above 65536 hosts of every detector */
#define STATE_MAX_SECTIONS 64u

struct state_hdr {
	char magic[8];
	uint32_t version;
	uint32_t bom;
	uint64_t saved_wall_ns;
	uint64_t payload_len;	/* bytes after this header */
	uint32_t n_sections;
	uint32_t crc;		/* CRC-32 of the payload */
};

struct state_sec_hdr {
	uint32_t tag;
	uint32_t pad;
	uint64_t len;		/* data bytes that follow, then zero padding to 8 */
};

struct state {
	struct state_hdr hdr;
	unsigned char *payload;
};

_Static_assert(sizeof(struct state_hdr) == 40, "state header layout");
_Static_assert(sizeof(struct state_sec_hdr) == 16, "section header layout");

uint32_t state_crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;
	int b;

	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static size_t state_pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The directory of path (owned by us, not writable by others) as an fd; -errno, why set on -EPERM. */
static int state_dir_fd(const char *path, char *why, size_t whylen)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return -ENOMEM;
	fd = atomic_file_dir(dirname(copy), 0700, why, whylen);
	free(copy);
	return fd;
}

int state_dir_check(const char *path, char *why, size_t whylen)
{
	int fd = state_dir_fd(path, why, whylen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* ---- the file's bytes in memory ---- */

struct state_image {
	unsigned char *buf;	/* header, then the sections; owned */
	size_t cap, len;
	size_t open_off;	/* offset of the open section's header; 0: none open */
	size_t open_max;
	uint32_t n_sections;
	uint64_t saved_wall_ns;
};

struct state_image *state_image_new(void)
{
	return calloc(1, sizeof(struct state_image));
}

void state_image_free(struct state_image *im)
{
	if (!im)
		return;
	free(im->buf);
	free(im);
}

/* Make room for need bytes in all, doubling: a steady state stops growing. */
static int state_image_grow(struct state_image *im, size_t need)
{
	size_t cap = im->cap ? im->cap : 4096;
	unsigned char *p;

	if (need <= im->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(im->buf, cap);
	if (!p)
		return -ENOMEM;
	im->buf = p;
	im->cap = cap;
	return 0;
}

void state_image_begin(struct state_image *im, uint64_t saved_wall_ns)
{
	im->len = sizeof(struct state_hdr);
	im->open_off = 0;
	im->open_max = 0;
	im->n_sections = 0;
	im->saved_wall_ns = saved_wall_ns;
}

int state_image_reserve(struct state_image *im, uint32_t tag, size_t max, void **data)
{
	struct state_sec_hdr sh = { .tag = tag };
	size_t need;
	int rc;

	if (im->len < sizeof(struct state_hdr) || im->open_off || im->n_sections >= STATE_MAX_SECTIONS)
		return -EINVAL;
	if (max > STATE_MAX_BYTES || im->len - sizeof(struct state_hdr) + sizeof(sh) + state_pad8(max) >
	    STATE_MAX_BYTES)
		return -EFBIG;
	need = im->len + sizeof(sh) + state_pad8(max);
	rc = state_image_grow(im, need);
	if (rc < 0)
		return rc;
	memcpy(im->buf + im->len, &sh, sizeof(sh));
	im->open_off = im->len;
	im->open_max = max;
	*data = im->buf + im->len + sizeof(sh);
	return 0;
}

int state_image_commit(struct state_image *im, size_t len)
{
	struct state_sec_hdr sh;
	size_t data_off;

	if (!im->open_off || len > im->open_max)
		return -EINVAL;
	data_off = im->open_off + sizeof(sh);
	memcpy(&sh, im->buf + im->open_off, sizeof(sh));
	sh.len = len;
	memcpy(im->buf + im->open_off, &sh, sizeof(sh));
	memset(im->buf + data_off + len, 0, state_pad8(len) - len);
	im->len = data_off + state_pad8(len);
	im->open_off = 0;
	im->open_max = 0;
	im->n_sections++;
	return 0;
}

size_t state_image_len(const struct state_image *im)
{
	return im->len;
}

unsigned int state_image_sections(const struct state_image *im)
{
	return im->n_sections;
}

/* ---- writing ---- */

int state_write(const char *path, const struct state_image *im)
{
	struct state_hdr hdr = { .version = STATE_VERSION, .bom = STATE_BOM };
	const char *base = strrchr(path ? path : "", '/');
	struct atomic_file af;
	char why[128];
	int dirfd, rc;

	if (!path || !path[0] || !im || im->len < sizeof(hdr) || im->open_off)
		return -EINVAL;
	memcpy(hdr.magic, STATE_MAGIC, 8);
	hdr.saved_wall_ns = im->saved_wall_ns;
	hdr.n_sections = im->n_sections;
	hdr.payload_len = im->len - sizeof(hdr);
	if (hdr.payload_len)	/* else no section: no buffer either */
		hdr.crc = state_crc32(0, im->buf + sizeof(hdr), (size_t)hdr.payload_len);
	/* written next to it, fsync'ed and renamed: a power cut leaves the old file or the new one */
	dirfd = state_dir_fd(path, why, sizeof(why));
	if (dirfd < 0)
		return dirfd;
	rc = atomic_file_open(&af, dirfd, base ? base + 1 : path, 0600, ATOMIC_FILE_SYNC);
	if (!rc) {
		rc = atomic_file_write(&af, &hdr, sizeof(hdr));
		if (!rc && hdr.payload_len)
			rc = atomic_file_write(&af, im->buf + sizeof(hdr), (size_t)hdr.payload_len);
		if (rc)
			atomic_file_abort(&af);
		else
			rc = atomic_file_commit(&af);
	}
	close(dirfd);
	return rc;
}

int state_save(const char *path, const struct state_section *secs, size_t n, uint64_t saved_wall_ns)
{
	struct state_image *im = NULL;
	size_t i;
	int rc;

	if (!path || !path[0] || n > STATE_MAX_SECTIONS)
		return -EINVAL;
	im = state_image_new();
	if (!im)
		return -ENOMEM;
	state_image_begin(im, saved_wall_ns);
	for (i = 0; i < n; i++) {
		void *data;

		rc = state_image_reserve(im, secs[i].tag, secs[i].len, &data);
		if (rc < 0)
			goto cleanup;
		if (secs[i].len)
			memcpy(data, secs[i].data, secs[i].len);
		rc = state_image_commit(im, secs[i].len);
		if (rc < 0)
			goto cleanup;
	}
	rc = state_write(path, im);
cleanup:
	state_image_free(im);
	return rc;
}

int state_load(const char *path, struct state **out)
{
	struct state *s = NULL;
	struct stat st;
	size_t off, i;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = -ENOMEM;
		goto cleanup;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto cleanup;
	}
	rc = -EBADMSG;
	if ((size_t)st.st_size < sizeof(s->hdr) || read(fd, &s->hdr, sizeof(s->hdr)) != sizeof(s->hdr) ||
	    memcmp(s->hdr.magic, STATE_MAGIC, 8))
		goto cleanup;
	if (s->hdr.version != STATE_VERSION || s->hdr.bom != STATE_BOM) {
		rc = -EPROTO;
		goto cleanup;
	}
	if (s->hdr.payload_len > STATE_MAX_BYTES || s->hdr.n_sections > STATE_MAX_SECTIONS ||
	    (uint64_t)st.st_size != sizeof(s->hdr) + s->hdr.payload_len)
		goto cleanup;
	s->payload = malloc(s->hdr.payload_len ? s->hdr.payload_len : 1);
	if (!s->payload) {
		rc = -ENOMEM;
		goto cleanup;
	}
	if (read(fd, s->payload, s->hdr.payload_len) != (ssize_t)s->hdr.payload_len ||
	    state_crc32(0, s->payload, s->hdr.payload_len) != s->hdr.crc)
		goto cleanup;
	/* every section must fit exactly; state_get can then trust the lengths */
	for (i = 0, off = 0; i < s->hdr.n_sections; i++) {
		struct state_sec_hdr sh;

		if (s->hdr.payload_len - off < sizeof(sh))
			goto cleanup;
		memcpy(&sh, s->payload + off, sizeof(sh));
		off += sizeof(sh);
		if (sh.len > s->hdr.payload_len - off || state_pad8(sh.len) > s->hdr.payload_len - off)
			goto cleanup;
		off += state_pad8(sh.len);
	}
	if (off != s->hdr.payload_len)
		goto cleanup;
	*out = s;
	s = NULL;
	rc = 0;
cleanup:
	state_free(s);
	close(fd);
	return rc;
}

int state_get(const struct state *s, uint32_t tag, const void **data, size_t *len)
{
	size_t off = 0, i;

	for (i = 0; i < s->hdr.n_sections; i++) {
		struct state_sec_hdr sh;

		memcpy(&sh, s->payload + off, sizeof(sh));
		off += sizeof(sh);
		if (sh.tag == tag) {
			*data = s->payload + off;
			*len = (size_t)sh.len;
			return 0;
		}
		off += state_pad8(sh.len);
	}
	return -ENOENT;
}

uint64_t state_saved_wall_ns(const struct state *s)
{
	return s->hdr.saved_wall_ns;
}

void state_free(struct state *s)
{
	if (!s)
		return;
	free(s->payload);
	free(s);
}

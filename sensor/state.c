// SPDX-License-Identifier: GPL-2.0-only
/*
 * state.c: the learned-state file. A restart must not reopen every detector's
 * learning period, and a file cut short by a power loss must be refused rather
 * than half-trusted: hence a header with version, length and CRC, and rename().
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int state_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int state_sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int state_save(const char *path, const struct state_section *secs, size_t n, uint64_t saved_wall_ns)
{
	static const unsigned char zeros[8];
	struct state_hdr hdr = { .version = STATE_VERSION, .bom = STATE_BOM,
				 .saved_wall_ns = saved_wall_ns, .n_sections = (uint32_t)n };
	char tmp[4096];
	size_t i;
	int fd = -1, rc;

	if (!path || !path[0] || n > STATE_MAX_SECTIONS)
		return -EINVAL;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(hdr.magic, STATE_MAGIC, 8);
	for (i = 0; i < n; i++) {
		struct state_sec_hdr sh = { .tag = secs[i].tag, .len = secs[i].len };

		hdr.crc = state_crc32(hdr.crc, &sh, sizeof(sh));
		hdr.crc = state_crc32(hdr.crc, secs[i].data, secs[i].len);
		hdr.crc = state_crc32(hdr.crc, zeros, state_pad8(secs[i].len) - secs[i].len);
		hdr.payload_len += sizeof(sh) + state_pad8(secs[i].len);
	}
	if (hdr.payload_len > STATE_MAX_BYTES)
		return -EFBIG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = state_write_all(fd, &hdr, sizeof(hdr));
	for (i = 0; i < n && !rc; i++) {
		struct state_sec_hdr sh = { .tag = secs[i].tag, .len = secs[i].len };

		rc = state_write_all(fd, &sh, sizeof(sh));
		if (!rc)
			rc = state_write_all(fd, secs[i].data, secs[i].len);
		if (!rc)
			rc = state_write_all(fd, zeros, state_pad8(secs[i].len) - secs[i].len);
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	fd = -1;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return state_sync_dir(path);
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

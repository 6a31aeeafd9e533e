// SPDX-License-Identifier: GPL-2.0-only
/*
 * publish_evidence.c: answers "which file holds incident N, and what is in it"
 * for the publisher. The file is read back and hashed again rather than trusted
 * from memory, so the digest always describes the bytes that travel.
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

#include "publish_evidence.h"

#define PUBLISH_EVIDENCE_SHB 0x0A0D0D0Au
#define PUBLISH_EVIDENCE_BOM 0x1A2B3C4Du

static uint32_t publish_evidence_u32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

bool publish_evidence_pcapng_whole(const uint8_t *d, size_t len)
{
	size_t off = 0;
	bool swap = false;

	if (len < 28 || publish_evidence_u32(d, false) != PUBLISH_EVIDENCE_SHB)
		return false;
	while (off < len) {
		uint32_t type, total;

		if (len - off < 12)
			return false;
		type = publish_evidence_u32(d + off, false);
		if (type == PUBLISH_EVIDENCE_SHB) {
			/* each section names its own byte order */
			if (len - off < 28)
				return false;
			if (publish_evidence_u32(d + off + 8, false) == PUBLISH_EVIDENCE_BOM)
				swap = false;
			else if (publish_evidence_u32(d + off + 8, true) == PUBLISH_EVIDENCE_BOM)
				swap = true;
			else
				return false;
		}
		total = publish_evidence_u32(d + off + 4, swap);
		if (total < 12 || total % 4 || total > len - off ||
		    publish_evidence_u32(d + off + total - 4, swap) != total)
			return false;
		off += total;
	}
	return true;
}

/* "<sensor>-<detector>-<incident>.pcapng" with detector [a-z0-9_]+. */
static bool publish_evidence_match(const char *fname, const char *sensor, const char *suffix)
{
	size_t fl = strlen(fname), sl = strlen(sensor), xl = strlen(suffix);

	if (fl <= sl + 1 + xl || strncmp(fname, sensor, sl) || fname[sl] != '-' ||
	    strcmp(fname + fl - xl, suffix))
		return false;
	for (size_t i = sl + 1; i < fl - xl; i++) {
		char c = fname[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* Read fd whole (it is size bytes per fstat) into out, hash it, check its blocks. */
static void publish_evidence_read(int fd, size_t size, struct publish_evidence_file *out)
{
	uint8_t digest[SHA256_DIGEST_LEN];
	struct sha256 sha;
	size_t got = 0;

	out->status = WIRE_EV_ERROR;
	if (size == 0) {
		out->status = WIRE_EV_INCOMPLETE;
		return;
	}
	out->data = malloc(size);
	if (!out->data)
		return;
	while (got < size) {
		ssize_t n = read(fd, out->data + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == 0 || !publish_evidence_pcapng_whole(out->data, got)) {
		/* a capture still being written (or shrunk under us): ask again later */
		out->status = got ? WIRE_EV_INCOMPLETE : WIRE_EV_ERROR;
		free(out->data);
		out->data = NULL;
		return;
	}
	sha256_init(&sha);
	sha256_update(&sha, out->data, got);
	sha256_final(&sha, digest);
	sha256_hex(digest, out->sha256);
	out->len = got;
	out->status = WIRE_EV_OK;
}

void publish_evidence_load(const char *dir, const char *sensor, uint64_t incident, size_t max,
			   struct publish_evidence_file *out)
{
	char suffix[40], best[512] = "", path[1024];
	int64_t best_mtime = INT64_MIN;
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int fd;

	memset(out, 0, sizeof(*out));
	out->status = WIRE_EV_NOT_FOUND;
	if (!dir || !dir[0] || !sensor || !incident)
		return;
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			out->status = WIRE_EV_ERROR;
		return;
	}
	snprintf(suffix, sizeof(suffix), "-%" PRIu64 ".pcapng", incident);
	while ((de = readdir(d))) {
		int64_t mt;

		if (strlen(de->d_name) >= sizeof(best) || !publish_evidence_match(de->d_name, sensor, suffix))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) || !S_ISREG(sb.st_mode))
			continue;
		/* the same id twice (ids restarted): the newest file is the current incident */
		mt = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
		if (mt > best_mtime || (mt == best_mtime && strcmp(de->d_name, best) > 0)) {
			best_mtime = mt;
			snprintf(best, sizeof(best), "%s", de->d_name);
		}
	}
	closedir(d);
	if (!best[0])
		return;
	snprintf(out->name, sizeof(out->name), "%s", best);
	for (char *c = out->name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '.' || *c == '_' || *c == '-'))
			*c = '_';
	if (out->name[0] == '.')
		out->name[0] = '_';
	snprintf(path, sizeof(path), "%s/%s", dir, best);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		out->status = errno == ENOENT ? WIRE_EV_NOT_FOUND : WIRE_EV_ERROR;
		return;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode))
		out->status = WIRE_EV_ERROR;
	else if ((uint64_t)sb.st_size > max)
		out->status = WIRE_EV_TOO_LARGE;
	else
		publish_evidence_read(fd, (size_t)sb.st_size, out);
	close(fd);
}

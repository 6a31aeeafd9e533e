// SPDX-License-Identifier: GPL-2.0-only
/*
 * atomic_file.c: write-to-temporary, then rename, written once for every
 * file vigil must never leave half-written or let someone else redirect
 * (issue 20, 22). The temporary is created O_EXCL | O_NOFOLLOW next to the
 * final name, so a link planted there makes the write fail instead of
 * writing through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "atomic_file.h"

#define ATOMIC_FILE_BUF (64u << 10)
#define ATOMIC_FILE_TRIES 16

static unsigned int atomic_file_counter;

/* write(2) all of it; -errno. */
static int atomic_file_raw(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void atomic_file_close_dir(struct atomic_file *af)
{
	if (af->own_dir && af->dirfd >= 0)
		close(af->dirfd);
	af->dirfd = -1;
	af->own_dir = false;
}

int atomic_file_open(struct atomic_file *af, int dirfd, const char *path, mode_t mode, unsigned int flags)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	int rc;

	memset(af, 0, sizeof(*af));
	af->fd = af->dirfd = -1;
	af->flags = flags;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || strlen(base) > ATOMIC_FILE_NAME_MAX - 24 ||
	    (dirfd != AT_FDCWD && slash))
		return -EINVAL;
	memcpy(af->name, base, strlen(base) + 1);
	if (dirfd != AT_FDCWD) {
		af->dirfd = dirfd;
	} else {
		char dir[PATH_MAX];

		if (slash && (size_t)(slash - path) >= sizeof(dir))
			return -ENAMETOOLONG;
		if (slash)
			snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
		else
			snprintf(dir, sizeof(dir), ".");
		af->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (af->dirfd < 0)
			return -errno;
		af->own_dir = true;
	}
	af->buf = malloc(ATOMIC_FILE_BUF);
	if (!af->buf) {
		atomic_file_close_dir(af);
		return -ENOMEM;
	}
	for (int i = 0; i < ATOMIC_FILE_TRIES; i++) {
		snprintf(af->tmp, sizeof(af->tmp), ".%s.%ld.%u.tmp", af->name, (long)getpid(),
			 __atomic_fetch_add(&atomic_file_counter, 1, __ATOMIC_RELAXED));
		af->fd = openat(af->dirfd, af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (af->fd >= 0 || errno != EEXIST)
			break;
	}
	if (af->fd < 0) {
		rc = -errno;
		free(af->buf);
		af->buf = NULL;
		atomic_file_close_dir(af);
		return rc;
	}
	return 0;
}

static int atomic_file_drain(struct atomic_file *af)
{
	int rc;

	if (af->err)
		return af->err;
	rc = atomic_file_raw(af->fd, af->buf, af->used);
	af->used = 0;
	if (rc)
		af->err = rc;
	return rc;
}

int atomic_file_write(struct atomic_file *af, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (af->fd < 0)
		return -EBADF;
	if (af->err)
		return af->err;
	af->bytes += len;
	if (len >= ATOMIC_FILE_BUF) {
		int rc = atomic_file_drain(af);

		if (!rc)
			rc = atomic_file_raw(af->fd, p, len);
		if (rc)
			af->err = rc;
		return rc;
	}
	if (af->used + len > ATOMIC_FILE_BUF && atomic_file_drain(af))
		return af->err;
	memcpy(af->buf + af->used, p, len);
	af->used += len;
	return 0;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->fd >= 0) {
		close(af->fd);
		af->fd = -1;
		unlinkat(af->dirfd, af->tmp, 0);
	}
	free(af->buf);
	af->buf = NULL;
	atomic_file_close_dir(af);
}

int atomic_file_commit(struct atomic_file *af)
{
	int rc, fd = af->fd;

	if (fd < 0)
		return -EBADF;
	rc = atomic_file_drain(af);
	if (!rc && (af->flags & ATOMIC_FILE_SYNC) && fsync(fd))
		rc = -errno;
	af->fd = -1;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc) {
		if (af->flags & ATOMIC_FILE_NOREPLACE)
			rc = renameat2(af->dirfd, af->tmp, af->dirfd, af->name, RENAME_NOREPLACE) ? -errno : 0;
		else
			rc = renameat(af->dirfd, af->tmp, af->dirfd, af->name) ? -errno : 0;
	}
	if (rc)
		unlinkat(af->dirfd, af->tmp, 0);
	else if ((af->flags & ATOMIC_FILE_SYNC) && fsync(af->dirfd))
		rc = -errno;	/* renamed, but not known to be durable */
	free(af->buf);
	af->buf = NULL;
	atomic_file_close_dir(af);
	return rc;
}

int atomic_file_put(int dirfd, const char *path, const void *data, size_t len, mode_t mode, unsigned int flags)
{
	struct atomic_file af;
	int rc = atomic_file_open(&af, dirfd, path, mode, flags);

	if (rc)
		return rc;
	rc = atomic_file_write(&af, data, len);
	if (rc) {
		atomic_file_abort(&af);
		return rc;
	}
	return atomic_file_commit(&af);
}

int atomic_file_dir(const char *path, mode_t mode, char *why, size_t whylen)
{
	struct stat sb;
	int fd, rc;

	if (why && whylen)
		why[0] = '\0';
	if (mkdir(path, mode) && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (sb.st_uid != geteuid()) {
		if (why)
			snprintf(why, whylen, "owned by uid %u, not by this process's uid %u", (unsigned)sb.st_uid,
				 (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		if (why)
			snprintf(why, whylen, "writable by %s (mode %04o)", sb.st_mode & S_IWOTH ? "others" : "its group",
				 (unsigned)(sb.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	return fd;
}

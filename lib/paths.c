// SPDX-License-Identifier: GPL-2.0-only
/*
 * paths.c: the executable's own directory, and mkdir -p. Kept apart from the
 * daemons so the sensor, the collector and their tests make directories the
 * same way (an existing directory is never chmod-ed).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

int paths_exe_dir(char *out, size_t len)
{
	char buf[PATH_MAX];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)(slash - buf) + 1 > len)
		return -ENAMETOOLONG;
	memcpy(out, buf, (size_t)(slash - buf) + 1);
	return 0;
}

int paths_find_near_exe(const char *const *rel, size_t n, char *out, size_t len)
{
	char dir[PATH_MAX];
	size_t i;
	int rc;

	rc = paths_exe_dir(dir, sizeof(dir));
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		char cand[PATH_MAX];
		int w = snprintf(cand, sizeof(cand), "%s/%s", dir, rel[i]);

		if (w < 0 || (size_t)w >= sizeof(cand) || access(cand, R_OK))
			continue;
		/* resolve the ".." so logs and the PMD see a plain path */
		if (!realpath(cand, dir) || strlen(dir) + 1 > len)
			return -ENAMETOOLONG;
		memcpy(out, dir, strlen(dir) + 1);
		return 0;
	}
	return -ENOENT;
}

/* one component: made if missing, and must be a directory */
static int paths_mkdir_one(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int paths_mkdir_p(const char *dir, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);
	char *p;
	int rc;

	if (!n)
		return -EINVAL;
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		rc = paths_mkdir_one(buf, mode);
		*p = '/';
		if (rc)
			return rc;
	}
	return paths_mkdir_one(buf, mode);
}

int paths_mkdir_parent(const char *file, mode_t mode)
{
	char buf[PATH_MAX];
	char *slash;
	size_t n = strlen(file);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, file, n + 1);
	slash = strrchr(buf, '/');
	if (!slash)
		return 0;	/* the working directory */
	if (slash == buf)
		return 0;	/* "/" */
	*slash = '\0';
	return paths_mkdir_p(buf, mode);
}

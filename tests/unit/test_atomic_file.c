// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_atomic_file.c: lib/atomic_file, the one write-then-rename helper:
 * whole files or none, a link at the name replaced and its target untouched,
 * no replacement when asked not to, an abort leaving nothing, and the check
 * that refuses a directory someone else could plant files in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#include "testlib.h"
#include "atomic_file.h"

static char dir[] = "/tmp/vigil-atomic.XXXXXX";

static char *path_of(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static bool holds(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *fp = fopen(path, "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

	if (fp)
		fclose(fp);
	return fp && n == strlen(text) && !memcmp(buf, text, n);
}

/* files in dir whose name starts with '.' (temporary ones left behind) */
static int leftovers(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	int n = 0;

	while (dd && (de = readdir(dd)))
		n += de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (dd)
		closedir(dd);
	return n;
}

int main(void)
{
	struct atomic_file af;
	struct stat sb;
	char why[160];
	int rc, fd;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = atomic_file_put(AT_FDCWD, path_of("a"), "one", 3, 0600, ATOMIC_FILE_SYNC);
	testlib_case("put: a new file", rc == 0 && holds(path_of("a"), "one"), "rc=%d", rc);
	testlib_case("put: created with the mode asked (0600)", stat(path_of("a"), &sb) == 0 &&
		     (sb.st_mode & 0777) == 0600, "mode %o", sb.st_mode & 0777);
	chmod(path_of("a"), 0644);
	rc = atomic_file_put(AT_FDCWD, path_of("a"), "two", 3, 0600, 0);
	testlib_case("put: replaces, with the new mode (not the old 0644)", rc == 0 && holds(path_of("a"), "two") &&
		     stat(path_of("a"), &sb) == 0 && (sb.st_mode & 0777) == 0600, "rc=%d mode %o", rc,
		     sb.st_mode & 0777);
	rc = atomic_file_put(AT_FDCWD, path_of("a"), "three", 5, 0600, ATOMIC_FILE_NOREPLACE);
	testlib_case("put NOREPLACE: an existing name is -EEXIST, untouched", rc == -EEXIST && holds(path_of("a"), "two"),
		     "rc=%d", rc);
	/* a link planted at the name: replaced by the file, its target untouched */
	atomic_file_put(AT_FDCWD, path_of("target"), "secret", 6, 0600, 0);
	symlink(path_of("target"), path_of("link"));
	rc = atomic_file_put(AT_FDCWD, path_of("link"), "new", 3, 0600, 0);
	testlib_case("put: a symlink at the name is replaced, not followed", rc == 0 &&
		     lstat(path_of("link"), &sb) == 0 && S_ISREG(sb.st_mode) && holds(path_of("target"), "secret"),
		     "rc=%d", rc);
	/* streamed, then given up */
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	rc = atomic_file_open(&af, fd, "b", 0640, 0);
	for (int i = 0; !rc && i < 5000; i++)
		rc = atomic_file_write(&af, "0123456789abcdef0123456789abcdef", 32);
	testlib_case("stream: 160000 bytes written, nothing under the name yet", rc == 0 && af.bytes == 160000 &&
		     stat(path_of("b"), &sb) != 0, "rc=%d", rc);
	atomic_file_abort(&af);
	testlib_case("abort: nothing under the name, no temporary left", stat(path_of("b"), &sb) != 0 &&
		     leftovers(dir) == 0, "%d left", leftovers(dir));
	rc = atomic_file_open(&af, fd, "b", 0640, 0);
	for (int i = 0; !rc && i < 5000; i++)
		rc = atomic_file_write(&af, "0123456789abcdef0123456789abcdef", 32);
	rc = rc ? rc : atomic_file_commit(&af);
	testlib_case("commit: the whole file appears at once", rc == 0 && stat(path_of("b"), &sb) == 0 &&
		     sb.st_size == 160000 && leftovers(dir) == 0, "rc=%d", rc);
	rc = atomic_file_open(&af, fd, "x/y", 0640, 0);
	testlib_case("a name with a '/' in a directory fd is refused", rc == -EINVAL, "rc=%d", rc);
	close(fd);
	/* the directory check */
	fd = atomic_file_dir(path_of("d"), 0750, why, sizeof(why));
	testlib_case("dir: created 0750 and accepted", fd >= 0 && stat(path_of("d"), &sb) == 0 &&
		     (sb.st_mode & 0777) == 0750, "rc=%d", fd);
	if (fd >= 0)
		close(fd);
	chmod(path_of("d"), 0777);
	fd = atomic_file_dir(path_of("d"), 0750, why, sizeof(why));
	testlib_case("dir: writable by others is refused (-EPERM), said why", fd == -EPERM && strstr(why, "others"),
		     "rc=%d %s", fd, why);
	chmod(path_of("d"), 0770);
	fd = atomic_file_dir(path_of("d"), 0750, why, sizeof(why));
	testlib_case("dir: writable by its group is refused", fd == -EPERM && strstr(why, "group"), "rc=%d %s", fd, why);
	chmod(path_of("d"), 0750);
	if (geteuid() == 0) {
		chown(path_of("d"), 65534, 65534);
		fd = atomic_file_dir(path_of("d"), 0750, why, sizeof(why));
		testlib_case("dir: owned by another user is refused", fd == -EPERM && strstr(why, "owned by uid 65534"),
			     "rc=%d %s", fd, why);
	} else {
		printf("skip dir owned by another user: needs root to chown\n");
	}
	testlib_case("dir: a file is not a directory", atomic_file_dir(path_of("a"), 0750, why, sizeof(why)) == -ENOTDIR,
		     "%s", "not refused");
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		rc = system(cmd);
		(void)rc;
	}
	return testlib_done();
}

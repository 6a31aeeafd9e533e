// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_paths.c: lib/paths.c: mkdir -p makes every missing level and leaves
 * existing ones alone, refuses a file in the way, and the executable's own
 * directory is found (what the sensor uses to find its XDP object).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "testlib.h"

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
	char tmp[64] = "/tmp/vigil-paths-XXXXXX", p[256], q[256], dir[4096];
	const char *near[] = { "no/such/file", "test_paths" };
	FILE *fp;
	int rc;

	(void)argc;
	(void)argv;
	if (!mkdtemp(tmp))
		return 1;
	snprintf(p, sizeof(p), "%s/a/b/c/", tmp);
	testlib_case("mkdir -p: three missing levels", paths_mkdir_p(p, 0750) == 0 && is_dir(p), "%s", p);
	testlib_case("mkdir -p: again, all present", paths_mkdir_p(p, 0750) == 0, "failed");
	snprintf(q, sizeof(q), "%s/a/b/c/d/file.json", tmp);
	testlib_case("parent of a file", paths_mkdir_parent(q, 0750) == 0 && is_dir(p) &&
		     (snprintf(p, sizeof(p), "%s/a/b/c/d", tmp), is_dir(p)), "%s", p);
	testlib_case("a bare file name: nothing to make", paths_mkdir_parent("x.json", 0750) == 0, "failed");
	snprintf(q, sizeof(q), "%s/f", tmp);
	fp = fopen(q, "w");
	if (fp)
		fclose(fp);
	snprintf(p, sizeof(p), "%s/f/sub", tmp);
	rc = paths_mkdir_p(p, 0750);
	testlib_case("a file in the way: -ENOTDIR", rc == -ENOTDIR, "rc %d", rc);
	testlib_case("empty path: -EINVAL", paths_mkdir_p("", 0750) == -EINVAL, "accepted");
	rc = paths_exe_dir(dir, sizeof(dir));
	testlib_case("the executable's directory", rc == 0 && dir[0] == '/' && strstr(dir, "tests/unit"), "%d %s", rc,
		     dir);
	rc = paths_find_near_exe(near, 2, dir, sizeof(dir));
	testlib_case("first readable candidate beside the executable", rc == 0 && strstr(dir, "/test_paths"), "%d %s",
		     rc, dir);
	testlib_case("no candidate: -ENOENT", paths_find_near_exe(near, 1, dir, sizeof(dir)) == -ENOENT, "found");
	snprintf(p, sizeof(p), "rm -rf '%s'", tmp);
	if (system(p))
		return 1;
	return testlib_done();
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_main.c: runs a fuzz target over saved inputs without libFuzzer, so the
 * regression inputs and seed corpora are replayed by `meson test` in every
 * build (gcc, ASan/UBSan) and a fixed crash stays fixed. Arguments: files or
 * directories (one level); a directory that does not exist is an error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_main_file(const char *path)
{
	uint8_t *buf = NULL;
	long len;
	FILE *fp = fopen(path, "rb");
	int rc = -errno;

	if (!fp)
		goto cleanup;
	rc = -EIO;
	if (fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET))
		goto cleanup;
	/* an exact-size heap copy, as libFuzzer gives, so over-reads hit a redzone */
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, fp) != (size_t)len)
		goto cleanup;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	rc = 0;
cleanup:
	free(buf);
	if (fp)
		fclose(fp);
	return rc;
}

static int fuzz_main_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file in dir, in name order. Returns files run or -errno. */
static int fuzz_main_dir(const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	int rc = 0, ran = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **t = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

			if (!t) {
				rc = -ENOMEM;
				goto cleanup;
			}
			names = t;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = -ENOMEM;
			goto cleanup;
		}
		n++;
	}
	if (n)	/* qsort wants a real array even for none */
		qsort(names, n, sizeof(*names), fuzz_main_cmp);
	for (i = 0; i < n; i++) {
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) || !S_ISREG(sb.st_mode))
			continue;
		rc = fuzz_main_file(path);
		if (rc) {
			fprintf(stderr, "%s: %s\n", path, strerror(-rc));
			goto cleanup;
		}
		ran++;
	}
	rc = ran;
cleanup:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	int total = 0, i, rc;
	struct stat sb;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb)) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		rc = S_ISDIR(sb.st_mode) ? fuzz_main_dir(argv[i]) : fuzz_main_file(argv[i]) ? -EIO : 1;
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(-rc));
			return 1;
		}
		printf("%-60s %d inputs ok\n", argv[i], rc);
		total += rc;
	}
	printf("%d inputs replayed, none crashed\n", total);
	return 0;
}

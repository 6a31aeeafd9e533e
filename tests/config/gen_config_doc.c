// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_config_doc.c: writes docs/config.md from the sensor's and the collector's
 * config tables, or with --check FILE fails when FILE is not what the tables
 * produce now, so the reference cannot drift from the code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/config.h"
#include "collector/collector_config.h"

/* Compare fp's content with buf; prints the first differing line. Returns 0 if equal. */
static int compare(FILE *fp, const char *path, const char *buf, size_t len)
{
	size_t off = 0, line = 1;
	int ch;

	while ((ch = fgetc(fp)) != EOF) {
		if (off == len || buf[off] != (char)ch)
			break;
		if (ch == '\n')
			line++;
		off++;
	}
	if (ch == EOF && off == len)
		return 0;
	fprintf(stderr, "%s:%zu: differs from the config table; regenerate with\n"
			"  gen_config_doc > docs/config.md\n", path, line);
	return 1;
}

int main(int argc, char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem, *fp;
	int rc = 1;

	if (argc == 1)
		return config_write_doc(stdout) || collector_config_write_doc(stdout) || fflush(stdout) ? 1 : 0;
	if (argc != 3 || strcmp(argv[1], "--check")) {
		fprintf(stderr, "usage: %s [--check docs/config.md]\n", argv[0]);
		return 2;
	}
	mem = open_memstream(&buf, &len);
	if (!mem || config_write_doc(mem) || collector_config_write_doc(mem) || fclose(mem)) {
		fprintf(stderr, "cannot render the table\n");
		goto cleanup;
	}
	fp = fopen(argv[2], "r");
	if (!fp) {
		perror(argv[2]);
		goto cleanup;
	}
	rc = compare(fp, argv[2], buf, len);
	fclose(fp);
	if (!rc)
		printf("%s matches the config table\n", argv[2]);
cleanup:
	free(buf);
	return rc;
}

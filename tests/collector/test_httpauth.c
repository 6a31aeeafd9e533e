// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_httpauth.c: who may use the collector's HTTP listener
 * (collector/collector_httpauth.c), as tables: which listen addresses are
 * loopback, which Authorization headers carry the token, which token files
 * are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "testlib.h"
#include "collector_httpauth.h"

#define TOKEN "s3cret-token-0123456789"

static void test_loopback(void)
{
	static const struct {
		const char *listen;
		bool loopback;
	} rows[] = {
		{ "127.0.0.1:9780", true }, { "127.1.2.3:80", true }, { "[::1]:9780", true },
		{ "0.0.0.0:9780", false }, { ":9780", false }, { "[::]:9780", false }, { "192.0.2.1:9780", false },
		{ "[::ffff:127.0.0.1]:9780", false }, { "localhost:9780", false }, { "128.0.0.1:1", false },
		{ "", false }, { "[::1", false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char name[96];

		snprintf(name, sizeof(name), "loopback '%s': %s", rows[i].listen, rows[i].loopback ? "yes" : "no");
		testlib_case(name, collector_httpauth_loopback(rows[i].listen) == rows[i].loopback, "%s", "");
	}
}

static void test_check(void)
{
	static const struct {
		const char *name, *header;
		bool ok;
	} rows[] = {
		{ "Bearer with the token", "Bearer " TOKEN, true },
		{ "bearer, any case", "bearer " TOKEN, true },
		{ "Bearer with another token", "Bearer s3cret-token-0123456788", false },
		{ "Bearer with the token's prefix", "Bearer s3cret-token-012345678", false },
		{ "Bearer with more than the token", "Bearer " TOKEN "9", false },
		{ "Bearer empty", "Bearer ", false },
		/* base64("vigil:s3cret-token-0123456789") */
		{ "Basic vigil:token", "Basic dmlnaWw6czNjcmV0LXRva2VuLTAxMjM0NTY3ODk=", true },
		{ "Basic without padding", "Basic dmlnaWw6czNjcmV0LXRva2VuLTAxMjM0NTY3ODk", true },
		/* base64("admin:s3cret-token-0123456789") */
		{ "Basic with another user", "Basic YWRtaW46czNjcmV0LXRva2VuLTAxMjM0NTY3ODk=", false },
		/* base64("vigil:") */
		{ "Basic with no password", "Basic dmlnaWw6", false },
		/* base64("vigil") */
		{ "Basic without a colon", "Basic dmlnaWw=", false },
		{ "Basic not base64", "Basic !!!!", false },
		{ "another scheme", "Digest username=vigil", false },
		{ "the bare token", TOKEN, false },
		{ "no header", NULL, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		testlib_case(rows[i].name, collector_httpauth_check("vigil", TOKEN, rows[i].header) == rows[i].ok, "%s",
			     "");
	testlib_case("no token configured: nothing passes", !collector_httpauth_check("vigil", "", "Bearer "), "%s", "");
}

static void test_token_files(const char *dir)
{
	static const struct {
		const char *name, *text;
		mode_t mode;
		int rc;
	} rows[] = {
		{ "token file 0600", TOKEN "\n", 0600, 0 },
		{ "token file 0400, no newline", TOKEN, 0400, 0 },
		{ "token file 0640: refused", TOKEN "\n", 0640, -EPERM },
		{ "token file 0644: refused", TOKEN "\n", 0644, -EPERM },
		{ "token of 15 characters: refused", "123456789012345\n", 0600, -EINVAL },
		{ "token with a space: refused", "s3cret token 0123456789\n", 0600, -EINVAL },
		{ "two lines: refused", TOKEN "\nmore\n", 0600, -EINVAL },
		{ "empty: refused", "", 0600, -EINVAL },
	};
	char path[300], token[COLLECTOR_TOKEN_MAX + 1], why[512];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int fd, rc;

		snprintf(path, sizeof(path), "%s/token%zu", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, rows[i].text, strlen(rows[i].text)) != (ssize_t)strlen(rows[i].text)) {
			testlib_case(rows[i].name, false, "cannot write %s", path);
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		chmod(path, rows[i].mode);
		why[0] = '\0';
		rc = collector_httpauth_load_token(path, token, why, sizeof(why));
		testlib_case(rows[i].name, rc == rows[i].rc && (rc || !strcmp(token, TOKEN)), "rc %d: %s", rc, why);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/link", dir);
	symlink("/etc/hostname", path);
	testlib_case("token file that is a link: refused", collector_httpauth_load_token(path, token, why, sizeof(why)) < 0,
		     "%s", why);
	unlink(path);
	testlib_case("no token file: -ENOENT", collector_httpauth_load_token("/nonexistent/t", token, why, sizeof(why)) ==
		     -ENOENT, "%s", why);
}

int main(void)
{
	char dir[] = "/tmp/vigil-httpauth.XXXXXX";

	test_loopback();
	test_check();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_token_files(dir);
	rmdir(dir);
	return testlib_done();
}

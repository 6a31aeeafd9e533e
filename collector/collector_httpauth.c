// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_httpauth.c: the HTTP listener's credentials. The console shows
 * what every sensor saw and hands out evidence captures, so off loopback it
 * must not be open; a token file rather than a password in the YAML keeps the
 * secret out of a file that is often world-readable and copied around.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "collector_httpauth.h"

bool collector_httpauth_loopback(const char *listen)
{
	char host[64];
	const char *end;
	struct in_addr a4;
	struct in6_addr a6;

	if (!listen)
		return false;
	if (listen[0] == '[') {
		end = strchr(listen, ']');
		if (!end || (size_t)(end - listen - 1) >= sizeof(host))
			return false;
		memcpy(host, listen + 1, (size_t)(end - listen - 1));
		host[end - listen - 1] = '\0';
		return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	end = strrchr(listen, ':');
	if (!end || (size_t)(end - listen) >= sizeof(host))
		return false;
	memcpy(host, listen, (size_t)(end - listen));
	host[end - listen] = '\0';
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int collector_httpauth_read_file(const char *path, size_t max, bool secret, char **out, char *why, size_t whylen)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(why, whylen, "%s: not a regular file", path);
		rc = -EINVAL;
		goto cleanup;
	}
	if (secret && (sb.st_uid != geteuid() || (sb.st_mode & 077))) {
		snprintf(why, whylen, "%s: must be owned by this user and readable by nobody else (mode 0600 or 0400), "
			 "is mode %04o%s", path, (unsigned)(sb.st_mode & 07777),
			 sb.st_uid != geteuid() ? " and owned by another user" : "");
		rc = -EPERM;
		goto cleanup;
	}
	if ((uint64_t)sb.st_size > max) {
		snprintf(why, whylen, "%s: larger than %zu bytes", path, max);
		rc = -EFBIG;
		goto cleanup;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(why, whylen, "%s: out of memory", path);
		goto cleanup;
	}
	while (got < (size_t)sb.st_size && (n = read(fd, buf + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)sb.st_size) {
		rc = -EIO;
		snprintf(why, whylen, "%s: short read", path);
		goto cleanup;
	}
	buf[got] = '\0';
	*out = buf;
	buf = NULL;
	rc = 0;
cleanup:
	if (buf) {
		explicit_bzero(buf, (size_t)sb.st_size + 1);
		free(buf);
	}
	close(fd);
	return rc;
}

int collector_httpauth_load_token(const char *path, char *token, char *why, size_t whylen)
{
	char *text = NULL;
	size_t len;
	int rc = collector_httpauth_read_file(path, COLLECTOR_TOKEN_MAX + 2, true, &text, why, whylen);

	if (rc)
		return rc;
	len = strlen(text);
	if (len && text[len - 1] == '\n')
		len--;
	rc = -EINVAL;
	if (len < COLLECTOR_TOKEN_MIN || len > COLLECTOR_TOKEN_MAX) {
		snprintf(why, whylen, "%s: the token must be %d..%d characters, one line", path, COLLECTOR_TOKEN_MIN,
			 COLLECTOR_TOKEN_MAX);
		goto cleanup;
	}
	for (size_t i = 0; i < len; i++)
		if (text[i] <= 0x20 || text[i] > 0x7e) {
			snprintf(why, whylen, "%s: the token holds a space or a control character (byte %zu)", path, i);
			goto cleanup;
		}
	memcpy(token, text, len);
	token[len] = '\0';
	rc = 0;
cleanup:
	explicit_bzero(text, strlen(text));
	free(text);
	return rc;
}

/* Equal strings, in a time that depends on the lengths only. */
static bool collector_httpauth_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = alen != blen;

	for (size_t i = 0; i < alen; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (blen ? blen : 1)]);
	return !diff && blen;
}

static int collector_httpauth_b64(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard base64 (padding optional) into out; the decoded length or -1. */
static long collector_httpauth_unbase64(const char *in, char *out, size_t max)
{
	uint32_t acc = 0;
	size_t n = 0;
	int bits = 0;

	for (; *in && *in != '='; in++) {
		int v = collector_httpauth_b64(*in);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= max)
				return -1;
			out[n++] = (char)(acc >> bits & 0xff);
		}
	}
	while (*in == '=')
		in++;
	return *in ? -1 : (long)n;
}

bool collector_httpauth_check(const char *user, const char *token, const char *authorization)
{
	char dec[512];
	const char *colon;
	long n;
	bool ok;

	if (!authorization || !token || !token[0])
		return false;
	if (!strncasecmp(authorization, "Bearer ", 7)) {
		authorization += 7;
		while (*authorization == ' ')
			authorization++;
		return collector_httpauth_equal(authorization, strlen(authorization), token, strlen(token));
	}
	if (strncasecmp(authorization, "Basic ", 6))
		return false;
	authorization += 6;
	while (*authorization == ' ')
		authorization++;
	n = collector_httpauth_unbase64(authorization, dec, sizeof(dec) - 1);
	if (n < 0)
		return false;
	dec[n] = '\0';
	colon = memchr(dec, ':', (size_t)n);
	if (!colon)
		return false;
	ok = collector_httpauth_equal(dec, (size_t)(colon - dec), user, strlen(user));
	ok &= collector_httpauth_equal(colon + 1, (size_t)(dec + n - colon - 1), token, strlen(token));
	explicit_bzero(dec, sizeof(dec));
	return ok;
}

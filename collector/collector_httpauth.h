/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_httpauth.h: who may use the collector's HTTP listener (metrics and
 * the console). On loopback nobody needs to prove anything unless a token is
 * configured; anywhere else the collector refuses to start without one. A
 * request proves it holds the token as "Authorization: Bearer TOKEN" or as an
 * HTTP Basic login (collector.http_user, password the token), so both scripts
 * and browsers can use it. Secrets come from files only their owner can read.
 */
#ifndef VIGIL_COLLECTOR_HTTPAUTH_H
#define VIGIL_COLLECTOR_HTTPAUTH_H

#include <stdbool.h>
#include <stddef.h>

#define COLLECTOR_TOKEN_MIN 16
#define COLLECTOR_TOKEN_MAX 256

/* true when listen ("ADDR:PORT", "[V6]:PORT") names a loopback address (127/8, ::1); ":PORT" is every address. */
bool collector_httpauth_loopback(const char *listen);

/*
 * Read a file whole (at most max bytes) into a malloc'ed, NUL-terminated *out:
 * a regular file (a link is not followed); a secret must also be owned by
 * this user and unreadable by group and others. 0 or -errno; why (when not 0)
 * says what is wrong, for the log.
 */
int collector_httpauth_read_file(const char *path, size_t max, bool secret, char **out, char *why, size_t whylen);

/*
 * The token of a token file (read as above): one line of 16..256 printable
 * characters without spaces, a final newline allowed. 0 with token filled
 * (COLLECTOR_TOKEN_MAX + 1 bytes), or -errno with why.
 */
int collector_httpauth_load_token(const char *path, char *token, char *why, size_t whylen);

/*
 * true when an Authorization header value carries token: "Bearer TOKEN", or
 * "Basic base64(user:TOKEN)" with that user. Compared in constant time.
 */
bool collector_httpauth_check(const char *user, const char *token, const char *authorization);

#endif

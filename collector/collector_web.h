/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_web.h: the collector's one HTTP listener (collector.metrics_listen):
 * Prometheus metrics and the console, on lib/httpd, with its credentials
 * (collector_httpauth.h), optional TLS and the headers every answer carries.
 */
#ifndef VIGIL_COLLECTOR_WEB_H
#define VIGIL_COLLECTOR_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "collector_config.h"
#include "collector_scrape.h"

/* Every answer's headers: no script, style or frame from anywhere but the collector itself. */
#define COLLECTOR_WEB_HEADERS                                                                              \
	"Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'\n"                  \
	"X-Content-Type-Options: nosniff\n"                                                                  \
	"X-Frame-Options: DENY\n"                                                                            \
	"Referrer-Policy: no-referrer\n"                                                                     \
	"Cross-Origin-Resource-Policy: same-origin\n"

struct collector_web;

/*
 * Check the credentials and TLS files, build the server, route metrics (and
 * the console when collector.console) and start it. 0 with *out, or -errno
 * with why; *fatal tells a configuration the collector must refuse to start
 * with (no token off loopback, a bad token, key or certificate file) from a
 * listener that is only unavailable (the port is taken).
 */
int collector_web_new(const struct collector_config *cfg, struct collector_web **out, bool *fatal, char *why,
		      size_t whylen);

/* The metrics endpoint, for the loop (collector_scrape.h). */
struct collector_scrape *collector_web_scrape(struct collector_web *w);

/* "http" or "https"; and whether a token is asked for. */
const char *collector_web_scheme(const struct collector_web *w);
bool collector_web_has_token(const struct collector_web *w);

/* Stop the server's threads, then free the handlers. NULL-safe. */
void collector_web_free(struct collector_web *w);

#endif

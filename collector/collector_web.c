// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_web.c: the collector's HTTP listener put together. Metrics and the
 * console share one server (one port to firewall, one set of limits); the
 * console shows what every sensor saw, so off loopback the listener needs a
 * token, and on loopback without one it answers only requests that name a
 * loopback host, so a web page cannot reach it through DNS rebinding.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector_console.h"
#include "collector_httpauth.h"
#include "collector_web.h"

#define COLLECTOR_WEB_THREADS 4		/* a download waits for a sensor; the metrics for the loop */
#define COLLECTOR_WEB_PEM_MAX (256u << 10)

struct collector_web {
	struct httpd *http;
	struct collector_scrape *scrape;
	struct collector_console *console;
	bool has_token, tls;
	char user[64];
	char token[COLLECTOR_TOKEN_MAX + 1];
};

/* A Host header naming this machine's loopback ("127.0.0.1:9780", "localhost", "[::1]:9780"). */
static bool collector_web_local_host(const char *host)
{
	char buf[300];
	const char *p;

	if (!host)
		return true;	/* HTTP/1.0 without Host: no name to rebind */
	if (!strncasecmp(host, "localhost", 9) && (host[9] == '\0' || host[9] == ':'))
		return true;
	/* as an ADDR:PORT for collector_httpauth_loopback, which wants a port */
	p = host[0] == '[' ? strchr(host, ']') : strchr(host, ':');
	if (host[0] == '[' && p && p[1] == '\0')
		snprintf(buf, sizeof(buf), "%s:0", host);
	else if (!p)
		snprintf(buf, sizeof(buf), "%s:0", host);
	else
		snprintf(buf, sizeof(buf), "%s", host);
	return collector_httpauth_loopback(buf);
}

static bool collector_web_auth(void *ctx, const struct httpd_req *req)
{
	struct collector_web *w = ctx;

	if (w->has_token)
		return collector_httpauth_check(w->user, w->token, httpd_header(req, "Authorization"));
	return collector_web_local_host(httpd_header(req, "Host"));
}

int collector_web_new(const struct collector_config *cfg, struct collector_web **out, bool *fatal, char *why,
		      size_t whylen)
{
	struct httpd_cfg hc = { .listen = cfg->metrics_listen, .name = "metrics", .threads = COLLECTOR_WEB_THREADS,
				.headers = COLLECTOR_WEB_HEADERS };
	struct collector_web *w = calloc(1, sizeof(*w));
	char *cert = NULL, *key = NULL;
	int rc;

	*out = NULL;
	*fatal = true;
	if (!w)
		return -ENOMEM;
	if (!collector_httpauth_loopback(cfg->metrics_listen) && !cfg->http_token_file[0]) {
		snprintf(why, whylen, "collector.metrics_listen %s is not a loopback address: the console and metrics "
			 "would be open to the network; set collector.http_token_file (a file of mode 0600 with a "
			 "token of %d..%d characters) or listen on 127.0.0.1", cfg->metrics_listen,
			 COLLECTOR_TOKEN_MIN, COLLECTOR_TOKEN_MAX);
		rc = -EPERM;
		goto cleanup;
	}
	if (cfg->http_token_file[0]) {
		rc = collector_httpauth_load_token(cfg->http_token_file, w->token, why, whylen);
		if (rc)
			goto cleanup;
		w->has_token = true;
		snprintf(w->user, sizeof(w->user), "%s", cfg->http_user);
		hc.realm = "vigil";
	}
	if (!cfg->http_tls_cert[0] != !cfg->http_tls_key[0]) {
		snprintf(why, whylen, "collector.http_tls_cert and collector.http_tls_key go together");
		rc = -EINVAL;
		goto cleanup;
	}
	if (cfg->http_tls_cert[0]) {
		if (!httpd_tls_supported()) {
			snprintf(why, whylen, "this libmicrohttpd was built without TLS: remove collector.http_tls_cert");
			rc = -ENOTSUP;
			goto cleanup;
		}
		rc = collector_httpauth_read_file(cfg->http_tls_key, COLLECTOR_WEB_PEM_MAX, true, &key, why, whylen);
		if (!rc)	/* the certificate is public */
			rc = collector_httpauth_read_file(cfg->http_tls_cert, COLLECTOR_WEB_PEM_MAX, false, &cert, why,
							  whylen);
		if (rc)
			goto cleanup;
		hc.tls_cert = cert;
		hc.tls_key = key;
		w->tls = true;
	}
	w->http = httpd_new(&hc);
	if (!w->http) {
		rc = -errno;
		snprintf(why, whylen, "collector.metrics_listen %s: %s", cfg->metrics_listen, strerror(errno));
		goto cleanup;
	}
	httpd_set_auth(w->http, collector_web_auth, w);
	w->scrape = collector_scrape_new(w->http, !cfg->console);
	if (!w->scrape) {
		rc = -errno;
		snprintf(why, whylen, "metrics: %s", strerror(errno));
		goto cleanup;
	}
	if (cfg->console) {
		struct collector_console_cfg cc = { .sqlite = cfg->sqlite, .control = cfg->control,
						    .evidence_wait_ms = cfg->evidence_timeout_ms + 5000 };

		w->console = collector_console_new(&cc, w->http);
		if (!w->console) {
			rc = -errno;
			snprintf(why, whylen, "console: %s", strerror(errno));
			goto cleanup;
		}
	}
	*fatal = false;
	rc = httpd_start(w->http);
	if (rc) {
		/* a key GnuTLS refuses fails here too: not a port problem */
		*fatal = w->tls && rc == -EIO;
		snprintf(why, whylen, "%s%s", strerror(-rc),
			 *fatal ? " (the TLS certificate or key was refused: PEM files, key matching the certificate?)"
				: "");
		goto cleanup;
	}
	*out = w;
	w = NULL;
	rc = 0;
cleanup:
	if (key) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	free(cert);
	collector_web_free(w);
	return rc;
}

struct collector_scrape *collector_web_scrape(struct collector_web *w)
{
	return w->scrape;
}

const char *collector_web_scheme(const struct collector_web *w)
{
	return w->tls ? "https" : "http";
}

bool collector_web_has_token(const struct collector_web *w)
{
	return w->has_token;
}

void collector_web_free(struct collector_web *w)
{
	if (!w)
		return;
	httpd_free(w->http);	/* its threads stop first: no handler runs on what goes below */
	collector_scrape_free(w->scrape);
	collector_console_free(w->console);
	explicit_bzero(w->token, sizeof(w->token));
	free(w);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * httpd.h: the one HTTP server of vigil's daemons (the sensor's and the
 * collector's metrics; the collector's console later), built on Debian's
 * libmicrohttpd and run on its own thread, so no client can stall the work
 * of the daemon that serves it: idle connections time out, writes never
 * block the server, and connections are limited in all and per client
 * address (refusals counted and logged). A small API: a handler per path
 * prefix, a response of bytes with a content type and a few headers, an
 * optional per-request authorisation hook, headers every response carries
 * (a Content-Security-Policy), TLS when given a certificate and key, and a
 * pool of threads when handlers may wait.
 */
#ifndef VIGIL_HTTPD_H
#define VIGIL_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct httpd_cfg {
	const char *listen;	/* "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT" (every IPv4 address); port 0: any */
	const char *name;	/* for log lines: "metrics" */
	unsigned int max_conns;	/* connections at once, all clients; 0: 64 */
	unsigned int max_per_ip;	/* connections at once from one address; 0: 8 */
	unsigned int timeout_s;	/* a connection idle this long is closed; 0: 5 */
	unsigned int threads;	/* threads answering requests (a handler may wait); 0: 1 */
	const char *headers;	/* "Name: value\n..." added to every response (401, 404 too); NULL: none */
	const char *realm;	/* a 401 asks for HTTP Basic credentials of this realm; NULL: no challenge */
	const char *tls_cert;	/* PEM text of the certificate chain: HTTPS (with tls_key); NULL: plain HTTP */
	const char *tls_key;	/* PEM text of its private key */
};

/* One request, borrowed for the handler's call. */
struct httpd_req {
	const char *method;	/* "GET", ... */
	const char *path;	/* "/metrics" (without the query) */
	const char *remote;	/* the client's address, "127.0.0.1" */
	void *conn;		/* for httpd_header() */
};

#define HTTPD_RESP_HEADERS 512	/* bytes of a response's own headers */

/* A response: status, content type, body (malloc'ed: the server frees it; NULL with len 0 for none). */
struct httpd_resp {
	unsigned int status;
	const char *ctype;
	char *body;
	size_t len;
	char headers[HTTPD_RESP_HEADERS];	/* "Name: value\n...": use httpd_resp_header() */
};

/* A handler fills resp (status defaults to 200); it runs on the server's thread. Return 0, or -errno for a 500. */
typedef int (*httpd_handler_fn)(void *ctx, const struct httpd_req *req, struct httpd_resp *resp);

/* The authorisation hook: true to let the request through, false answers 401. */
typedef bool (*httpd_auth_fn)(void *ctx, const struct httpd_req *req);

struct httpd_stats {
	uint64_t requests;	/* requests answered */
	uint64_t refused;	/* connections refused: a limit was reached */
	uint64_t timeouts;	/* connections closed for being idle too long */
	uint64_t unauthorised;	/* requests the auth hook refused */
	uint64_t open;		/* connections open now */
};

struct httpd;

/* A server not yet listening. NULL with errno (EINVAL: bad listen address). */
struct httpd *httpd_new(const struct httpd_cfg *cfg);

/* Route requests whose path starts with prefix to fn (the longest prefix wins). Before httpd_start. 0 or -errno. */
int httpd_route(struct httpd *h, const char *prefix, httpd_handler_fn fn, void *ctx);

/* Check every request with fn first (NULL: no check). Before httpd_start. */
void httpd_set_auth(struct httpd *h, httpd_auth_fn fn, void *ctx);

/* Bind, listen and start the server's thread. 0 or -errno (-EADDRINUSE ...). */
int httpd_start(struct httpd *h);

/* The bound port (after httpd_start; for tests using port 0). */
int httpd_port(const struct httpd *h);

/* A request header's value, NULL when absent (for handlers and the auth hook). */
const char *httpd_header(const struct httpd_req *req, const char *name);

/* A query argument's value ("?since=2h": "2h", decoded), "" when given without one, NULL when absent. */
const char *httpd_query(const struct httpd_req *req, const char *name);

/* Add a header to resp. 0, or -EINVAL (a CR or LF in it) or -ENOSPC (no room left: not added). */
int httpd_resp_header(struct httpd_resp *resp, const char *name, const char *value);

/* true when this libmicrohttpd can serve HTTPS (Debian's is built with GnuTLS). */
bool httpd_tls_supported(void);

/* Snapshot of the counters. Thread-safe. */
void httpd_get_stats(struct httpd *h, struct httpd_stats *out);

/* Stop the thread, close every connection, free. NULL-safe. */
void httpd_free(struct httpd *h);

#endif

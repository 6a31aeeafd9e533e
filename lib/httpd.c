// SPDX-License-Identifier: GPL-2.0-only
/*
 * httpd.c: libmicrohttpd behind a small routing API. Both daemons answered
 * scrapes from a loop of their own that a slow client could hold (a byte
 * every 150 ms stopped the collector's ingest for 45 s, a client that never
 * read blocked it in send: issue 20, finding 5); here one internal thread
 * polls every connection, sockets are non-blocking, idle ones time out, and
 * connections are limited in all and per address before they cost anything.
 * The collector's console adds what a browser needs: headers on every
 * response (its Content-Security-Policy), a Basic challenge, HTTPS, and a
 * pool of threads so that a handler waiting for a sensor holds only itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "httpd.h"
#include "log.h"

#define HTTPD_ROUTES_MAX 16
#define HTTPD_MEMORY_LIMIT (16u << 10)	/* request line and headers of one connection */

struct httpd_route {
	char prefix[128];
	httpd_handler_fn fn;
	void *ctx;
};

/* What the server remembers of one connection (its socket context). */
struct httpd_conn {
	time_t started;
	bool answered;		/* a request came whole and was answered */
};

/* Connections open per client address (the table holds at most max_conns). */
struct httpd_peer {
	char addr[INET6_ADDRSTRLEN];
	unsigned int n;
};

struct httpd {
	struct httpd_cfg cfg;
	char listen[128];
	char name[32];
	struct sockaddr_storage ss;
	socklen_t sl;
	int port;
	int lfd;
	struct MHD_Daemon *d;
	struct httpd_route routes[HTTPD_ROUTES_MAX];
	size_t nroutes;
	httpd_auth_fn auth;
	void *auth_ctx;
	char *headers, *realm, *tls_cert, *tls_key;	/* copies of the cfg's */
	pthread_mutex_t lock;		/* stats and peers: read by other threads */
	struct httpd_stats st;
	struct httpd_peer *peers;
	time_t logged;
	uint64_t quiet;
};

/* "1.2.3.4:9464", "[::1]:9464" or ":9464" (every IPv4 address). */
static int httpd_parse(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port > 65535)
		return -EINVAL;
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -EINVAL;
		*sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (host[0] && inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -EINVAL;
		*sl = sizeof(*a);
	}
	return 0;
}

static void httpd_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	buf[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
}

/* The table entry of addr (created when add); NULL when absent or the table is full. Caller holds the lock. */
static struct httpd_peer *httpd_peer(struct httpd *h, const char *addr, bool add)
{
	struct httpd_peer *free_slot = NULL;

	for (unsigned int i = 0; i < h->cfg.max_conns; i++) {
		if (h->peers[i].n && !strcmp(h->peers[i].addr, addr))
			return &h->peers[i];
		if (!h->peers[i].n && !free_slot)
			free_slot = &h->peers[i];
	}
	if (!add || !free_slot)
		return NULL;
	snprintf(free_slot->addr, sizeof(free_slot->addr), "%s", addr);
	return free_slot;
}

/* A refused connection: counted, and one log line every 10 s at most. Caller holds the lock. */
static void httpd_refuse(struct httpd *h, const char *addr, const char *why)
{
	time_t now = time(NULL);

	h->st.refused++;
	if (h->logged && now - h->logged < 10) {
		h->quiet++;
		return;
	}
	pr_warn("%s: refused a connection from %s: %s; %llu more since the last report, %llu in total", h->name, addr,
		why, (unsigned long long)h->quiet, (unsigned long long)h->st.refused);
	h->logged = now;
	h->quiet = 0;
}

/* Before a connection costs anything: the limits, in all and per address. */
static enum MHD_Result httpd_accept(void *cls, const struct sockaddr *sa, socklen_t sl)
{
	struct httpd *h = cls;
	char addr[INET6_ADDRSTRLEN], why[96];
	struct httpd_peer *p;
	enum MHD_Result ok = MHD_YES;

	(void)sl;
	httpd_addr(sa, addr, sizeof(addr));
	pthread_mutex_lock(&h->lock);
	p = httpd_peer(h, addr, false);
	if (h->st.open >= h->cfg.max_conns) {
		snprintf(why, sizeof(why), "%u connections open (the limit)", h->cfg.max_conns);
		httpd_refuse(h, addr, why);
		ok = MHD_NO;
	} else if (p && p->n >= h->cfg.max_per_ip) {
		snprintf(why, sizeof(why), "%u connections open from that address (the limit)", h->cfg.max_per_ip);
		httpd_refuse(h, addr, why);
		ok = MHD_NO;
	}
	pthread_mutex_unlock(&h->lock);
	return ok;
}

static void httpd_notify(void *cls, struct MHD_Connection *c, void **sctx, enum MHD_ConnectionNotificationCode code)
{
	struct httpd *h = cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[INET6_ADDRSTRLEN];
	struct httpd_peer *p;

	struct httpd_conn *hc = *sctx;

	httpd_addr(ci ? ci->client_addr : NULL, addr, sizeof(addr));
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		hc = calloc(1, sizeof(*hc));
		if (hc)
			hc->started = time(NULL);
		*sctx = hc;
	}
	pthread_mutex_lock(&h->lock);
	p = httpd_peer(h, addr, code == MHD_CONNECTION_NOTIFY_STARTED);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		h->st.open++;
		if (p)
			p->n++;
	} else {
		if (h->st.open)
			h->st.open--;
		if (p && p->n)
			p->n--;
		/* closed without a whole request after the idle timeout: timed out (slow or silent client) */
		if (hc && !hc->answered && time(NULL) - hc->started >= (time_t)h->cfg.timeout_s)
			h->st.timeouts++;
	}
	pthread_mutex_unlock(&h->lock);
	if (code != MHD_CONNECTION_NOTIFY_STARTED) {
		free(hc);
		*sctx = NULL;
	}
}

static void httpd_completed(void *cls, struct MHD_Connection *c, void **rctx, enum MHD_RequestTerminationCode code)
{
	struct httpd *h = cls;

	(void)c;
	(void)rctx;
	if (code != MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
		return;
	pthread_mutex_lock(&h->lock);
	h->st.timeouts++;
	pthread_mutex_unlock(&h->lock);
}

/* Add every "Name: value" line of text to r. */
static void httpd_add_headers(struct MHD_Response *r, const char *text)
{
	char name[128], value[HTTPD_RESP_HEADERS];

	while (text && *text) {
		const char *nl = strchr(text, '\n'), *colon = strchr(text, ':');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		if (colon && colon < text + len && (size_t)(colon - text) < sizeof(name)) {
			const char *v = colon + 1;

			memcpy(name, text, (size_t)(colon - text));
			name[colon - text] = '\0';
			while (*v == ' ')
				v++;
			snprintf(value, sizeof(value), "%.*s", (int)(text + len - v), v);
			MHD_add_response_header(r, name, value);
		}
		text += len + (nl ? 1 : 0);
	}
}

int httpd_resp_header(struct httpd_resp *resp, const char *name, const char *value)
{
	size_t used = strlen(resp->headers);
	int n;

	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return -EINVAL;
	n = snprintf(resp->headers + used, sizeof(resp->headers) - used, "%s: %s\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(resp->headers) - used) {
		resp->headers[used] = '\0';
		return -ENOSPC;
	}
	return 0;
}

static enum MHD_Result httpd_send(struct httpd *h, struct MHD_Connection *c, unsigned int status, const char *ctype,
				  char *body, size_t len, const char *headers)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE
										 : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype ? ctype : "text/plain; charset=utf-8");
	httpd_add_headers(r, h->headers);
	httpd_add_headers(r, headers);
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static char *httpd_text(const char *s, size_t *len)
{
	*len = strlen(s);
	return strdup(s);
}

static enum MHD_Result httpd_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				     const char *version, const char *upload, size_t *upload_len, void **rctx)
{
	struct httpd *h = cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[INET6_ADDRSTRLEN];
	struct httpd_req req = { .method = method, .path = url, .remote = addr, .conn = c };
	struct httpd_resp resp = { .status = 200 };
	const struct httpd_route *best = NULL;
	size_t best_len = 0, len;
	char *text;
	int rc;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)rctx;
	/* answered on the first call, with the headers: no request body is read */
	const union MHD_ConnectionInfo *si = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	if (si && si->socket_context)
		((struct httpd_conn *)si->socket_context)->answered = true;
	httpd_addr(ci ? ci->client_addr : NULL, addr, sizeof(addr));
	pthread_mutex_lock(&h->lock);
	h->st.requests++;
	pthread_mutex_unlock(&h->lock);
	if (h->auth && !h->auth(h->auth_ctx, &req)) {
		pthread_mutex_lock(&h->lock);
		h->st.unauthorised++;
		pthread_mutex_unlock(&h->lock);
		char challenge[160] = "";

		if (h->realm)
			snprintf(challenge, sizeof(challenge), "WWW-Authenticate: Basic realm=\"%s\", charset=\"UTF-8\"\n",
				 h->realm);
		text = httpd_text("unauthorised\n", &len);
		return httpd_send(h, c, 401, NULL, text, len, challenge);
	}
	for (size_t i = 0; i < h->nroutes; i++) {
		size_t pl = strlen(h->routes[i].prefix);

		if (!strncmp(url, h->routes[i].prefix, pl) && pl >= best_len) {
			best = &h->routes[i];
			best_len = pl;
		}
	}
	if (!best) {
		text = httpd_text("not found\n", &len);
		return httpd_send(h, c, 404, NULL, text, len, NULL);
	}
	rc = best->fn(best->ctx, &req, &resp);
	if (rc) {
		free(resp.body);
		text = httpd_text("internal error\n", &len);
		return httpd_send(h, c, 500, NULL, text, len, NULL);
	}
	return httpd_send(h, c, resp.status ? resp.status : 200, resp.ctype, resp.body, resp.len, resp.headers);
}

struct httpd *httpd_new(const struct httpd_cfg *cfg)
{
	struct httpd *h;
	int rc;

	if (!cfg || !cfg->listen || strlen(cfg->listen) >= sizeof(h->listen)) {
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->lfd = -1;
	h->cfg = *cfg;
	snprintf(h->listen, sizeof(h->listen), "%s", cfg->listen);
	snprintf(h->name, sizeof(h->name), "%s", cfg->name ? cfg->name : "http");
	h->cfg.listen = h->listen;
	h->cfg.name = h->name;
	if (!h->cfg.max_conns)
		h->cfg.max_conns = 64;
	if (!h->cfg.max_per_ip)
		h->cfg.max_per_ip = 8;
	if (!h->cfg.timeout_s)
		h->cfg.timeout_s = 5;
	if (!h->cfg.threads)
		h->cfg.threads = 1;
	pthread_mutex_init(&h->lock, NULL);
	rc = httpd_parse(cfg->listen, &h->ss, &h->sl);
	if (!rc && (!cfg->tls_cert != !cfg->tls_key || (cfg->realm && strpbrk(cfg->realm, "\"\\\r\n"))))
		rc = -EINVAL;	/* a certificate without its key, or a realm that would break the header */
	h->peers = calloc(h->cfg.max_conns, sizeof(*h->peers));
	h->headers = cfg->headers ? strdup(cfg->headers) : NULL;
	h->realm = cfg->realm ? strdup(cfg->realm) : NULL;
	h->tls_cert = cfg->tls_cert ? strdup(cfg->tls_cert) : NULL;
	h->tls_key = cfg->tls_key ? strdup(cfg->tls_key) : NULL;
	if (!rc && ((cfg->headers && !h->headers) || (cfg->realm && !h->realm) || (cfg->tls_cert && !h->tls_cert) ||
		    (cfg->tls_key && !h->tls_key)))
		rc = -ENOMEM;
	if (rc || !h->peers) {
		httpd_free(h);
		errno = rc ? -rc : ENOMEM;
		return NULL;
	}
	return h;
}

int httpd_route(struct httpd *h, const char *prefix, httpd_handler_fn fn, void *ctx)
{
	if (h->d || h->nroutes == HTTPD_ROUTES_MAX || !prefix || strlen(prefix) >= sizeof(h->routes[0].prefix))
		return -EINVAL;
	snprintf(h->routes[h->nroutes].prefix, sizeof(h->routes[0].prefix), "%s", prefix);
	h->routes[h->nroutes].fn = fn;
	h->routes[h->nroutes].ctx = ctx;
	h->nroutes++;
	return 0;
}

void httpd_set_auth(struct httpd *h, httpd_auth_fn fn, void *ctx)
{
	h->auth = fn;
	h->auth_ctx = ctx;
}

int httpd_start(struct httpd *h)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int one = 1, rc;

	/* our own listening socket: a bind error is reported as what it is (EADDRINUSE) */
	h->lfd = socket(h->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (h->lfd < 0)
		return -errno;
	setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->lfd, (struct sockaddr *)&h->ss, h->sl) || listen(h->lfd, 64)) {
		rc = -errno;
		close(h->lfd);
		h->lfd = -1;
		return rc;
	}
	if (!getsockname(h->lfd, (struct sockaddr *)&ss, &sl))
		h->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							 : ((struct sockaddr_in *)&ss)->sin_port);
	if (h->tls_cert && !httpd_tls_supported()) {
		close(h->lfd);
		h->lfd = -1;
		return -ENOTSUP;
	}
	/* the TLS options come last: without a certificate they end the list early (both NULL) */
	h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
				(h->ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (h->tls_cert ? MHD_USE_TLS : 0),
				0, httpd_accept, h, httpd_request, h,
				MHD_OPTION_LISTEN_SOCKET, h->lfd,
				MHD_OPTION_THREAD_POOL_SIZE, h->cfg.threads,
				/* MHD's own limits above ours, so ours decide (and count) */
				MHD_OPTION_CONNECTION_LIMIT, h->cfg.max_conns + 8,
				MHD_OPTION_CONNECTION_TIMEOUT, h->cfg.timeout_s,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_MEMORY_LIMIT,
				MHD_OPTION_NOTIFY_CONNECTION, httpd_notify, h,
				MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, h,
				h->tls_cert ? MHD_OPTION_HTTPS_PRIORITIES : MHD_OPTION_END,
				"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
				MHD_OPTION_HTTPS_MEM_CERT, h->tls_cert,
				MHD_OPTION_HTTPS_MEM_KEY, h->tls_key,
				MHD_OPTION_END);
	if (!h->d) {
		close(h->lfd);
		h->lfd = -1;
		return -EIO;
	}
	return 0;
}

int httpd_port(const struct httpd *h)
{
	return h->port;
}

const char *httpd_header(const struct httpd_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *httpd_query(const struct httpd_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool httpd_tls_supported(void)
{
	return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

void httpd_get_stats(struct httpd *h, struct httpd_stats *out)
{
	pthread_mutex_lock(&h->lock);
	*out = h->st;
	pthread_mutex_unlock(&h->lock);
}

void httpd_free(struct httpd *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);	/* the listening socket is ours: closed below */
	if (h->lfd >= 0)
		close(h->lfd);
	pthread_mutex_destroy(&h->lock);
	free(h->peers);
	free(h->headers);
	free(h->realm);
	free(h->tls_cert);
	if (h->tls_key) {
		explicit_bzero(h->tls_key, strlen(h->tls_key));
		free(h->tls_key);
	}
	free(h);
}

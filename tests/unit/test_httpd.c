// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_httpd.c: lib/httpd, the daemons' HTTP server, over real sockets on
 * 127.0.0.1: routing by the longest prefix, 404, the authorisation hook
 * (401), request headers, the per-address connection limit (refused,
 * counted) and the idle timeout (closed, counted), and a slow client that
 * does not delay another; then what the console needs: headers on every
 * answer, a response's own headers, query arguments, a Basic challenge, and
 * a pool of threads in which a waiting handler holds only itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "httpd.h"

static int route_a(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	(void)ctx;
	(void)req;
	resp->body = strdup("A");
	resp->len = 1;
	return 0;
}

static int route_ab(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	const char *h = httpd_header(req, "X-Echo");

	(void)ctx;
	resp->status = 201;
	resp->ctype = "application/json";
	resp->body = strdup(h ? h : "none");
	resp->len = strlen(resp->body);
	return 0;
}

static bool auth(void *ctx, const struct httpd_req *req)
{
	const char *tok = httpd_header(req, "Authorization");

	(void)ctx;
	return strncmp(req->path, "/secret", 7) || (tok && !strcmp(tok, "Bearer t"));
}

static int route_q(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	const char *a = httpd_query(req, "a"), *b = httpd_query(req, "b"), *c = httpd_query(req, "c");
	char text[256];

	(void)ctx;
	snprintf(text, sizeof(text), "a=[%s] b=[%s] c=%s", a ? a : "", b ? b : "", c ? "set" : "absent");
	resp->body = strdup(text);
	resp->len = strlen(text);
	httpd_resp_header(resp, "X-Mine", "yes");
	/* a header that would split the response is refused */
	if (httpd_resp_header(resp, "X-Bad", "a\r\nSet-Cookie: x=1") != -EINVAL)
		httpd_resp_header(resp, "X-Bad-Accepted", "1");
	return 0;
}

static int route_sleep(void *ctx, const struct httpd_req *req, struct httpd_resp *resp)
{
	(void)ctx;
	(void)req;
	usleep(1500000);
	resp->body = strdup("slept");
	resp->len = 5;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int conn(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { 3, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request on a new connection; the whole answer into buf. Returns its length, -1 on failure. */
static int get(int port, const char *req, char *buf, size_t len)
{
	int fd = conn(port);
	size_t got = 0;
	ssize_t n;

	if (fd < 0 || send(fd, req, strlen(req), 0) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (got + 1 < len && (n = recv(fd, buf + got, len - 1 - got, 0)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	return (int)got;
}

static bool status_is(const char *resp, const char *code)
{
	return !strncmp(resp, "HTTP/1.", 7) && !strncmp(resp + 9, code, 3);
}

int main(void)
{
	struct httpd_cfg cfg = { .listen = "127.0.0.1:0", .name = "test", .max_conns = 8, .max_per_ip = 3,
				 .timeout_s = 1 };
	struct httpd *h = httpd_new(&cfg);
	struct httpd_stats st;
	char buf[4096];
	int port = 0, fds[4], slow, rc;

	if (!testlib_case("new", h != NULL, "%s", strerror(errno)))
		return testlib_done();
	httpd_route(h, "/a", route_a, NULL);
	httpd_route(h, "/a/b", route_ab, NULL);
	httpd_set_auth(h, auth, NULL);
	rc = httpd_start(h);
	port = rc ? 0 : httpd_port(h);
	testlib_case("start on a free port", rc == 0 && port > 0, "rc %d port %d", rc, port);
	get(port, "GET /a/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("/a/x goes to the /a handler", status_is(buf, "200") && strstr(buf, "\r\n\r\nA"), "%.60s", buf);
	get(port, "GET /a/b/c HTTP/1.1\r\nHost: t\r\nX-Echo: hello\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("/a/b/c: the longest prefix wins, status, type and a header passed", status_is(buf, "201") &&
		     strstr(buf, "application/json") && strstr(buf, "\r\n\r\nhello"), "%.80s", buf);
	get(port, "GET /zzz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("no route: 404", status_is(buf, "404"), "%.40s", buf);
	get(port, "GET /secret HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("the auth hook refuses: 401", status_is(buf, "401"), "%.40s", buf);
	get(port, "GET /secret HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n", buf,
	    sizeof(buf));
	testlib_case("...and lets the right token through (404: no route, but past the hook)", status_is(buf, "404"),
		     "%.40s", buf);
	/* a slow client (one byte, then nothing) does not delay another */
	slow = conn(port);
	if (slow >= 0)
		send(slow, "G", 1, 0);
	get(port, "GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("a stalled client does not delay another", status_is(buf, "200"), "%.40s", buf);
	/* the per-address limit: 3 at once (the slow one is the first) */
	for (int i = 0; i < 4; i++)
		fds[i] = conn(port);
	usleep(300000);
	httpd_get_stats(h, &st);
	testlib_case("a 4th connection from one address beyond the limit of 3 is refused, counted", st.refused >= 2,
		     "refused %llu open %llu", (unsigned long long)st.refused, (unsigned long long)st.open);
	/* the idle timeout (1 s here) closes them */
	sleep(3);
	httpd_get_stats(h, &st);
	testlib_case("idle connections are closed after the timeout, counted", st.open == 0 && st.timeouts >= 3,
		     "open %llu timeouts %llu", (unsigned long long)st.open, (unsigned long long)st.timeouts);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (slow >= 0)
		close(slow);
	get(port, "GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("served again afterwards", status_is(buf, "200"), "%.40s", buf);
	httpd_free(h);
	testlib_case("a bad listen address", httpd_new(&(struct httpd_cfg){ .listen = "nonsense" }) == NULL &&
		     errno == EINVAL, "%s", strerror(errno));
	testlib_case("a certificate without its key", httpd_new(&(struct httpd_cfg){ .listen = "127.0.0.1:0",
		     .tls_cert = "x" }) == NULL && errno == EINVAL, "%s", strerror(errno));

	/* the console's server: 2 threads, headers everywhere, a Basic challenge */
	cfg = (struct httpd_cfg){ .listen = "127.0.0.1:0", .name = "console", .threads = 2,
				  .headers = "X-Frame-Options: DENY\nX-Test: all\n", .realm = "vigil" };
	h = httpd_new(&cfg);
	if (!testlib_case("new with threads, headers and a realm", h != NULL, "%s", strerror(errno)))
		return testlib_done();
	httpd_route(h, "/q", route_q, NULL);
	httpd_route(h, "/sleep", route_sleep, NULL);
	httpd_set_auth(h, auth, NULL);
	rc = httpd_start(h);
	port = rc ? 0 : httpd_port(h);
	testlib_case("start", rc == 0 && port > 0, "rc %d", rc);
	get(port, "GET /q?a=x%20y&b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("query arguments, decoded; one without a value; one absent", status_is(buf, "200") &&
		     strstr(buf, "a=[x y] b=[] c=absent"), "%.300s", buf);
	testlib_case("the server's headers and the response's own", strstr(buf, "X-Frame-Options: DENY\r\n") &&
		     strstr(buf, "X-Test: all\r\n") && strstr(buf, "X-Mine: yes\r\n") && !strstr(buf, "Bad"),
		     "%.400s", buf);
	get(port, "GET /nothing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("the server's headers on a 404 too", status_is(buf, "404") && strstr(buf, "X-Test: all"), "%.300s",
		     buf);
	get(port, "GET /secret HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
	testlib_case("a 401 asks for a Basic login of the realm, with the server's headers",
		     status_is(buf, "401") && strstr(buf, "WWW-Authenticate: Basic realm=\"vigil\"") &&
		     strstr(buf, "X-Test: all"), "%.300s", buf);
	slow = conn(port);
	if (slow >= 0)
		send(slow, "GET /sleep HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 51, 0);
	usleep(100000);
	{
		int64_t t0 = now_ms(), ms;

		get(port, "GET /q HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
		ms = now_ms() - t0;
		testlib_case("a handler waiting 1.5 s holds only its thread", status_is(buf, "200") && ms < 1000,
			     "%lld ms", (long long)ms);
	}
	if (slow >= 0) {
		size_t got = 0;
		ssize_t n;

		while (got + 1 < sizeof(buf) && (n = recv(slow, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
			got += (size_t)n;
		buf[got] = '\0';
		testlib_case("...and answers when it is done", status_is(buf, "200") && strstr(buf, "slept"), "%.60s", buf);
		close(slow);
	}
	httpd_free(h);
	return testlib_done();
}

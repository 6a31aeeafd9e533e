// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_fetch.c: the client side of `vigil-collector evidence`. The daemon
 * holds the sensors' connections, so the CLI only talks to it locally; the file
 * is hashed again after it is written, so what the analyst opens is checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zmq.h>

#include "atomic_file.h"
#include "sha256.h"
#include "wire.h"
#include "collector_evidence.h"
#include "collector_fetch.h"

#define COLLECTOR_FETCH_CONNECT_MS 2000

static int collector_fetch_err(char *msg, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int collector_fetch_err(char *msg, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* SHA-256 of a file as hex; 0 or -errno. */
static int collector_fetch_hash(const char *path, char hex[SHA256_HEX_LEN], uint64_t *size)
{
	uint8_t buf[65536], digest[SHA256_DIGEST_LEN];
	struct sha256 h;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	sha256_init(&h);
	*size = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		sha256_update(&h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(fd);
	if (n < 0)
		return -EIO;
	sha256_final(&h, digest);
	sha256_hex(digest, hex);
	return 0;
}

/*
 * The default output name, derived here and never taken from the sensor:
 * ./<sensor>-<incident>.pcapng, the sensor name reduced to [A-Za-z0-9._-]
 * (anything else becomes '_', a leading '.' too).
 */
static void collector_fetch_name(char *out, size_t len, const struct wire_frame *sensor, uint64_t incident)
{
	char name[WIRE_NAME_MAX + 1];
	size_t n = sensor->len < WIRE_NAME_MAX ? sensor->len : WIRE_NAME_MAX;

	for (size_t i = 0; i < n; i++) {
		char c = ((const char *)sensor->data)[i];

		name[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				  (c == '.' && i) || c == '_' || c == '-' ? c : '_';
	}
	name[n] = '\0';
	snprintf(out, len, "./%s-%llu.pcapng", n ? name : "sensor", (unsigned long long)incident);
}

/* Receive one multipart reply into m[COLLECTOR_CTL_REP_FRAMES]; returns the frame count or -errno. */
static int collector_fetch_recv(void *sock, zmq_msg_t *m, size_t *kept)
{
	int more = 1, total = 0;

	*kept = 0;
	while (more) {
		size_t ml = sizeof(more);
		zmq_msg_t extra, *msg = *kept < COLLECTOR_CTL_REP_FRAMES ? &m[*kept] : &extra;

		zmq_msg_init(msg);
		if (zmq_msg_recv(msg, sock, 0) < 0) {
			zmq_msg_close(msg);
			return -zmq_errno();
		}
		if (msg == &extra)
			zmq_msg_close(&extra);
		else
			(*kept)++;
		total++;
		if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml))
			more = 0;
	}
	return total;
}

int collector_fetch_get(const struct collector_fetch_opts *o, struct collector_fetch_result *res, char *msg,
			size_t msg_len)
{
	zmq_msg_t m[COLLECTOR_CTL_REP_FRAMES];
	struct wire_frame f[COLLECTOR_CTL_REP_FRAMES];
	struct collector_ctl_rep rep;
	uint8_t incid[WIRE_SEQ_LEN], digest[SHA256_DIGEST_LEN];
	char got[SHA256_HEX_LEN];
	void *ctx = NULL, *sock = NULL;
	int zero = 0, one = 1, rc, total;
	size_t kept = 0;
	struct sha256 h;
	struct stat sb;
	zmq_pollitem_t it;

	memset(res, 0, sizeof(*res));
	if (!o->control || !o->control[0])
		return collector_fetch_err(msg, msg_len, -EINVAL, "collector.control is empty: evidence fetching is off");
	/* an ipc socket file that is not there: no collector (ZeroMQ would retry silently) */
	if (!strncmp(o->control, "ipc://", 6) && stat(o->control + 6, &sb))
		return collector_fetch_err(msg, msg_len, -ECONNREFUSED,
					   "collector not running: no control socket %s (%s)", o->control + 6,
					   strerror(errno));
	ctx = zmq_ctx_new();
	sock = ctx ? zmq_socket(ctx, ZMQ_DEALER) : NULL;
	if (!sock) {
		rc = collector_fetch_err(msg, msg_len, -ENOMEM, "cannot create a ZeroMQ socket");
		goto cleanup;
	}
	/* IMMEDIATE: the request waits for a real connection instead of queueing blindly */
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(sock, ZMQ_IMMEDIATE, &one, sizeof(one));
	if (zmq_connect(sock, o->control)) {
		rc = collector_fetch_err(msg, msg_len, -EINVAL, "collector.control %s: %s", o->control,
					 zmq_strerror(zmq_errno()));
		goto cleanup;
	}
	it = (zmq_pollitem_t){ .socket = sock, .events = ZMQ_POLLOUT };
	if (zmq_poll(&it, 1, COLLECTOR_FETCH_CONNECT_MS) <= 0 || !(it.revents & ZMQ_POLLOUT)) {
		rc = collector_fetch_err(msg, msg_len, -ECONNREFUSED,
					 "collector not running: nothing answers on %s", o->control);
		goto cleanup;
	}
	wire_put_u64(incid, o->incident_id);
	if (zmq_send(sock, COLLECTOR_CTL_MAGIC_REQ, WIRE_MAGIC_LEN, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, incid, sizeof(incid), ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, o->sensor ? o->sensor : "", o->sensor ? strlen(o->sensor) : 0, 0) < 0) {
		rc = collector_fetch_err(msg, msg_len, -EIO, "cannot send to the collector: %s",
					 zmq_strerror(zmq_errno()));
		goto cleanup;
	}
	it = (zmq_pollitem_t){ .socket = sock, .events = ZMQ_POLLIN };
	if (zmq_poll(&it, 1, (long)o->wait_ms) <= 0) {
		rc = collector_fetch_err(msg, msg_len, -ETIMEDOUT, "timeout: the collector did not answer within %u ms",
					 o->wait_ms);
		goto cleanup;
	}
	total = collector_fetch_recv(sock, m, &kept);
	for (size_t i = 0; i < kept; i++) {
		f[i].data = zmq_msg_data(&m[i]);
		f[i].len = zmq_msg_size(&m[i]);
	}
	if (total < 0 || collector_ctl_rep_decode(f, (size_t)total, &rep)) {
		rc = collector_fetch_err(msg, msg_len, -EPROTO, "the collector sent an answer this CLI does not "
					 "understand (a different version?)");
		goto cleanup;
	}
	if (rep.status != COLLECTOR_EV_OK) {
		static const int errs[COLLECTOR_EV_STATUS_MAX] = {
			[COLLECTOR_EV_UNKNOWN] = -ENOENT, [COLLECTOR_EV_AMBIGUOUS] = -EEXIST,
			[COLLECTOR_EV_NOT_CONNECTED] = -ENOTCONN, [COLLECTOR_EV_TIMEOUT] = -ETIMEDOUT,
			[COLLECTOR_EV_DIGEST] = -EBADMSG, [COLLECTOR_EV_FAILED] = -EIO,
		};

		rc = collector_fetch_err(msg, msg_len, errs[rep.status], "%.*s", (int)rep.msg.len,
					 (const char *)rep.msg.data);
		goto cleanup;
	}
	memcpy(res->sha256, rep.sha256.data, WIRE_SHA256_HEX);
	res->sha256[WIRE_SHA256_HEX] = '\0';
	snprintf(res->sensor, sizeof(res->sensor), "%.*s", (int)rep.sensor.len, (const char *)rep.sensor.data);
	/* hashed here again: what the analyst gets is what the sensor's event announced */
	sha256_init(&h);
	sha256_update(&h, rep.data.data, rep.data.len);
	sha256_final(&h, digest);
	sha256_hex(digest, got);
	if (strcmp(got, res->sha256)) {
		rc = collector_fetch_err(msg, msg_len, -EBADMSG, "digest mismatch: the bytes hash to %s, the sensor "
					 "announced %s", got, res->sha256);
		goto cleanup;
	}
	res->data = malloc(rep.data.len ? rep.data.len : 1);
	if (!res->data) {
		rc = collector_fetch_err(msg, msg_len, -ENOMEM, "out of memory for %zu bytes", rep.data.len);
		goto cleanup;
	}
	memcpy(res->data, rep.data.data, rep.data.len);
	res->len = rep.data.len;
	rc = 0;
cleanup:
	for (size_t i = 0; i < kept; i++)
		zmq_msg_close(&m[i]);
	if (sock)
		zmq_close(sock);
	if (ctx)
		zmq_ctx_term(ctx);
	return rc;
}

void collector_fetch_result_free(struct collector_fetch_result *res)
{
	if (!res)
		return;
	free(res->data);
	res->data = NULL;
	res->len = 0;
}

int collector_fetch_run(const struct collector_fetch_opts *o, char *msg, size_t msg_len)
{
	struct collector_fetch_result res;
	struct wire_frame sensor;
	char out[4096], got[SHA256_HEX_LEN];
	uint64_t size;
	int rc;

	rc = collector_fetch_get(o, &res, msg, msg_len);
	if (rc)
		return rc;
	sensor.data = res.sensor;
	sensor.len = strlen(res.sensor);
	if (o->out && o->out[0])
		snprintf(out, sizeof(out), "%s", o->out);
	else
		collector_fetch_name(out, sizeof(out), &sensor, o->incident_id);
	/* a temporary file beside it (O_EXCL | O_NOFOLLOW), fsync'ed, renamed over the name: a link there is replaced */
	rc = atomic_file_put(AT_FDCWD, out, res.data, res.len, 0644, ATOMIC_FILE_SYNC);
	if (rc) {
		collector_fetch_err(msg, msg_len, rc, "cannot write %s: %s", out, strerror(-rc));
		goto cleanup;
	}
	rc = collector_fetch_hash(out, got, &size);
	if (rc) {
		collector_fetch_err(msg, msg_len, rc, "cannot read back %s: %s", out, strerror(-rc));
		goto cleanup;
	}
	if (strcmp(got, res.sha256) || size != res.len) {
		unlink(out);
		rc = collector_fetch_err(msg, msg_len, -EBADMSG, "digest mismatch: %s hashes to %s, the sensor "
					 "announced %s; file removed", out, got, res.sha256);
		goto cleanup;
	}
	collector_fetch_err(msg, msg_len, 0, "saved %s: %llu bytes, sha256 %s (verified)", out,
			    (unsigned long long)size, got);
	rc = 0;
cleanup:
	collector_fetch_result_free(&res);
	return rc;
}
